//! The error of the file helpers and of [`crate::Shard::range`]; the scale-out driver
//! ([`crate::run`]) reports with `anyhow`, naming the journal and its line.
//!
//! The variants that wrap a lower-level error print it in their own message and do not expose
//! it as [`std::error::Error::source`]: `anyhow`'s one-line form (`{:#}`) joins the chain of
//! sources, which would print the OS message twice ("Is a directory (os error 21): Is a
//! directory (os error 21)").

use std::path::PathBuf;

/// What can go wrong while writing or reading an output file, or choosing a shard.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The data handed to a writer is unusable (a NaN, a row of the wrong length, ...).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A file system operation failed.
    #[error("{action} {path}: {cause}")]
    Io {
        /// What was being done (`"writing"`, `"reading"`, ...).
        action: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The underlying error (shown in the message, not chained).
        cause: std::io::Error,
    },
    /// An output path that must not be written: a directory, FIFO or device, a missing
    /// parent directory, a dangling symlink (see [`crate::check_output`]).
    #[error("cannot write {path}: {reason}")]
    Refused {
        /// The output path as given.
        path: PathBuf,
        /// Why, and what to do instead.
        reason: String,
    },
    /// JSON (de)serialisation failed.
    #[error("JSON {path}: {cause}")]
    Json {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error (shown in the message, not chained).
        cause: serde_json::Error,
    },
    /// CSV (de)serialisation failed.
    #[error("CSV {path}: {cause}")]
    Csv {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error (shown in the message, not chained).
        cause: csv::Error,
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
        cause: std::io::Error,
    ) -> Self {
        Error::Io {
            action,
            path: path.into(),
            cause,
        }
    }

    pub(crate) fn refused(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::Refused {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_os_message_appears_once_in_the_one_line_form() {
        let io = std::io::Error::from_raw_os_error(21);
        let os = io.to_string();
        let e = anyhow::Error::from(Error::io("renaming into", "out", io));
        let line = format!("{e:#}");
        assert_eq!(line.matches(&os).count(), 1, "{line}");
        assert!(line.starts_with("renaming into out: "), "{line}");
    }
}
