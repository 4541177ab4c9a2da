//! Errors: every message names the file (and member) and what is wrong with it.

use std::path::PathBuf;

/// Everything that can go wrong reading a released file. Malformed input never panics.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    /// An input that cannot be analysed as an ensemble (shape, axes, values), named.
    #[error("{0}")]
    Input(String),
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The zip container is malformed or truncated.
    #[error("{path}: not a valid .npz (zip) file: {reason}")]
    Zip {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A member is not a valid .npy array (or uses an unsupported feature).
    #[error("{path}: member '{member}': {reason}")]
    Npy {
        /// The file.
        path: PathBuf,
        /// The member (e.g. `W.npy`).
        member: String,
        /// What is wrong.
        reason: String,
    },
    /// The requested array is not in the file.
    #[error("{path}: no array '{key}' (the file has: {available})")]
    Missing {
        /// The file.
        path: PathBuf,
        /// The requested key.
        key: String,
        /// The keys present, comma-separated.
        available: String,
    },
    /// The array exists but has the wrong type or shape for the request.
    #[error("{path}: array '{key}': {reason}")]
    Type {
        /// The file.
        path: PathBuf,
        /// The key.
        key: String,
        /// What was expected and found.
        reason: String,
    },
    /// A stand-alone `.npy` file is malformed or uses an unsupported feature.
    #[error("{path}: not a readable .npy array: {reason}")]
    NpyFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A CSV file is malformed: the line (1-based) and column (1-based) where it goes wrong.
    #[error("{path}: {}{reason}", csv_location(*line, *column))]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line number (0 for the file as a whole).
        line: u64,
        /// 1-based column, when one field is at fault.
        column: Option<usize>,
        /// What is wrong.
        reason: String,
    },
}

fn csv_location(line: u64, column: Option<usize>) -> String {
    match (line, column) {
        (0, _) => String::new(),
        (l, None) => format!("line {l}: "),
        (l, Some(c)) => format!("line {l}, column {c}: "),
    }
}
