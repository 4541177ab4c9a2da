//! The error of the file helpers and of [`crate::Shard::range`]; the scale-out driver
//! ([`crate::run`]) reports with `anyhow`, naming the journal and its line.

use std::path::PathBuf;

/// What can go wrong while writing or reading an output file, or choosing a shard.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The data handed to a writer is unusable (a NaN, a row of the wrong length, ...).
    #[error("invalid input: {0}")]
    InvalidInput(String),
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
    /// A shard `k/n` that does not satisfy 1 ≤ k ≤ n.
    #[error("invalid shard {k}/{n}: need 1 ≤ k ≤ n")]
    Shard {
        /// Shard number (1-based).
        k: usize,
        /// Number of shards.
        n: usize,
    },
}

impl Error {
    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        Error::InvalidInput(msg.into())
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
