//! JSON files: pretty-printed (two-space indent, trailing newline), written atomically.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::atomic::write_atomic;
use crate::error::{Error, Result};

/// The pretty JSON text [`write_json`] writes (with a trailing newline).
pub fn json_string<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    let mut s = serde_json::to_string_pretty(value).map_err(|e| Error::Json {
        path: PathBuf::from("<memory>"),
        cause: e,
    })?;
    s.push('\n');
    Ok(s)
}

/// Write `value` as pretty-printed JSON (two-space indent, trailing newline), atomically.
pub fn write_json<T: Serialize + ?Sized>(path: impl AsRef<Path>, value: &T) -> Result<()> {
    let path = path.as_ref();
    let text = json_string(value).map_err(|e| match e {
        Error::Json { cause, .. } => Error::Json {
            path: path.to_path_buf(),
            cause,
        },
        other => other,
    })?;
    write_atomic(path, text.as_bytes())
}

/// Read a JSON file.
pub fn read_json<T: DeserializeOwned>(path: impl AsRef<Path>) -> Result<T> {
    let path = path.as_ref();
    let f = File::open(path).map_err(|e| Error::io("reading", path, e))?;
    serde_json::from_reader(BufReader::new(f)).map_err(|e| Error::Json {
        path: path.to_path_buf(),
        cause: e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.json");
        let v = serde_json::json!({"sigma": 0.25, "n": 3});
        write_json(&p, &v).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.ends_with("}\n"));
        let back: serde_json::Value = read_json(&p).unwrap();
        assert_eq!(back, v);
    }
}
