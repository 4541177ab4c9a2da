//! The error type of the `figures` library.

use std::path::PathBuf;

/// Everything that can go wrong while validating plot input, rendering or writing files.
#[derive(Debug, thiserror::Error)]
pub enum FigureError {
    /// The data handed to a plot or writer is unusable (empty, NaN, mismatched lengths, ...).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// plotters failed while drawing.
    #[error("rendering failed: {0}")]
    Render(String),
    /// PNG encoding or decoding failed.
    #[error("PNG encoding failed: {0}")]
    Png(String),
    /// A file system operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done (`"writing"`, `"reading"`, ...).
        action: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// JSON (de)serialisation failed.
    #[error("JSON {path}: {source}")]
    Json {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// CSV (de)serialisation failed.
    #[error("CSV {path}: {source}")]
    Csv {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: csv::Error,
    },
    /// A `MANIFEST` file is malformed.
    #[error("malformed manifest {path}, line {line}: {message}")]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
}

impl FigureError {
    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        FigureError::InvalidInput(msg.into())
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        FigureError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// `Result` with [`FigureError`].
pub type Result<T, E = FigureError> = std::result::Result<T, E>;
