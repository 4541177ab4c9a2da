//! The one writer of files: the bytes go to a temporary file in the destination directory,
//! which is flushed, fsynced and then renamed over the destination. A failure at any point
//! (including an invalid value in the data) removes the temporary file, so a reader sees either
//! the old file or the complete new one, never a half-written file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Write `bytes` to `path` atomically (temp file in the same directory, fsync, rename).
///
/// Missing parent directories are created.
pub fn write_atomic(path: impl AsRef<Path>, bytes: &[u8]) -> Result<()> {
    let path = path.as_ref();
    write_atomic_with(path, |w| {
        w.write_all(bytes)
            .map_err(|e| Error::io("writing", path, e))
    })
}

/// Write a text file of a `header` line and `lines` (each without its newline) atomically.
pub fn write_lines<I>(path: impl AsRef<Path>, header: &str, lines: I) -> Result<()>
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    let path = path.as_ref();
    write_atomic_with(path, |w| {
        let io = |e| Error::io("writing", path, e);
        writeln!(w, "{header}").map_err(io)?;
        for line in lines {
            writeln!(w, "{}", line.as_ref()).map_err(io)?;
        }
        Ok(())
    })
}

/// Write `path` atomically with the content produced by `fill`.
///
/// `fill` writes into a buffered temporary file; if it returns an error, the temporary file is
/// deleted and `path` is left untouched.
pub fn write_atomic_with<F>(path: impl AsRef<Path>, fill: F) -> Result<()>
where
    F: FnOnce(&mut dyn Write) -> Result<()>,
{
    let path = path.as_ref();
    let file_name = path
        .file_name()
        .ok_or_else(|| Error::invalid(format!("{} has no file name", path.display())))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("creating directory", &dir, e))?;

    let mut builder = tempfile::Builder::new();
    let prefix = format!(".{}.", file_name.to_string_lossy());
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // tempfile defaults to 0600; results are meant to be read by others (umask still applies).
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder
        .tempfile_in(&dir)
        .map_err(|e| Error::io("creating temporary file in", &dir, e))?;
    {
        let mut w = BufWriter::new(tmp.as_file_mut());
        fill(&mut w)?;
        w.flush().map_err(|e| Error::io("writing", path, e))?;
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io("syncing", path, e))?;
    tmp.persist(path)
        .map_err(|e| Error::io("renaming into", path, e.error))?;
    sync_dir(&dir);
    Ok(())
}

/// Best effort: make the rename durable. Not all platforms/file systems allow fsync on a directory.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Whether `dir` holds no temporary file of [`write_atomic_with`].
    pub(crate) fn no_temp_files_left(dir: &Path) -> bool {
        std::fs::read_dir(dir)
            .unwrap()
            .all(|e| !e.unwrap().file_name().to_string_lossy().ends_with(".tmp"))
    }

    #[test]
    fn atomic_write_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/a.txt");
        write_atomic(&p, b"first").unwrap();
        write_atomic(&p, b"second").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"second");
        assert!(no_temp_files_left(p.parent().unwrap()));
    }

    #[test]
    fn failed_fill_leaves_old_file_and_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        write_atomic(&p, b"old").unwrap();
        let r = write_atomic_with(&p, |w| {
            w.write_all(b"half").unwrap();
            Err(Error::invalid("boom"))
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        assert!(no_temp_files_left(dir.path()));
    }

    #[test]
    fn lines_are_written_with_their_header() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.csv");
        write_lines(&p, "i,x", ["0,1.5".to_string(), "1,-0.0".to_string()]).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "i,x\n0,1.5\n1,-0.0\n");
        write_lines(&p, "i", std::iter::empty::<&str>()).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "i\n");
        assert!(no_temp_files_left(dir.path()));
    }
}
