//! The input limit: the most bytes of numbers one read may decode (default
//! [`DEFAULT_MAX_INPUT_BYTES`], 1 GiB). It is checked against what a file declares, before
//! anything is read or inflated: the file's size, a zip member's declared uncompressed size, and
//! an `.npy` header's shape × 8 bytes (every value is decoded to 8 bytes). A deflated member
//! inflates at most to its declared size. So a small file that declares a huge array (a "zip
//! bomb") is refused at once, in one line naming the limit and `--max-input-mb`.
//!
//! The limit is process-wide (set once by the command line, `rmt-sgd analyze --max-input-mb`):
//! every reader of the crate goes through it without a new parameter.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::ReleaseError;

/// Default limit: 1 GiB of decoded values (134 M doubles).
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 1 << 30;

static MAX_INPUT_BYTES: AtomicU64 = AtomicU64::new(DEFAULT_MAX_INPUT_BYTES);

/// Sets the input limit (bytes) for the rest of the process.
pub fn set_max_input_bytes(bytes: u64) {
    MAX_INPUT_BYTES.store(bytes, Ordering::Relaxed);
}

/// The input limit in bytes.
pub fn max_input_bytes() -> u64 {
    MAX_INPUT_BYTES.load(Ordering::Relaxed)
}

/// `Err(message)` if `bytes` of `what` exceed the limit.
pub(crate) fn check(what: &str, bytes: u64) -> Result<(), String> {
    let max = max_input_bytes();
    if bytes > max {
        return Err(format!(
            "{what} is {} MiB, above the input limit of {} MiB (raise it with --max-input-mb)",
            mib(bytes),
            mib(max)
        ));
    }
    Ok(())
}

fn mib(b: u64) -> String {
    let m = b as f64 / (1u64 << 20) as f64;
    if m >= 10.0 {
        format!("{m:.0}")
    } else {
        format!("{m:.2}")
    }
}

/// Reads a whole file after checking its size against the limit.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, ReleaseError> {
    let io = |source| ReleaseError::Io {
        path: path.to_path_buf(),
        source,
    };
    let len = std::fs::metadata(path).map_err(io)?.len();
    check("the file", len).map_err(|r| ReleaseError::Input(format!("{}: {r}", path.display())))?;
    std::fs::read(path).map_err(io)
}
