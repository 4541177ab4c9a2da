//! The one writer of files: the bytes go to a temporary file in the destination directory,
//! which is flushed, fsynced and then renamed over the destination. A failure at any point
//! (including an invalid value in the data) removes the temporary file, so a reader sees either
//! the old file or the complete new one, never a half-written file.
//!
//! What an output path may be ([`check_output`], applied by every writer and, before any work,
//! by the commands and by [`crate::run_uniform`]):
//!
//! - absent or a regular file (replaced); never a directory, FIFO, socket or device: those are
//!   refused, since renaming over them would replace, e.g., `/dev/null` by a regular file;
//! - a **symlink is written through**: the file it points to is replaced (atomically, in the
//!   target's directory) and the link stays; a dangling link is refused;
//! - its parent directory must exist: no directory is created implicitly (a mistyped
//!   `--json a/b/x.json` is refused, naming `a/b`); the figures create their own directories.
//!
//! Temporary files are named `.<name>.XXXXXX.tmp`. A process killed between creating one and
//! the rename leaves it behind; the next write of the same target removes such stale files.
//! Files are created with mode 0644, less the umask.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Random characters in a temporary file's name (`.<name>.XXXXXX.tmp`).
const TEMP_RAND: usize = 6;

/// Checks that `path` may be written as an output (see the module documentation) and returns
/// the path to replace: `path` itself, or the target of a symlink. Call it before any work, so
/// that a bad `--out` is refused before journals or hours of computing.
pub fn check_output(path: impl AsRef<Path>) -> Result<PathBuf> {
    let path = path.as_ref();
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path).map_err(|_| {
            Error::refused(
                path,
                "it is a symlink to a missing file (symlinks are written through to an existing \
                 target; remove the link or create its target)",
            )
        })?,
        _ => path.to_path_buf(),
    };
    match std::fs::metadata(&target) {
        Ok(m) if m.is_file() => {}
        Ok(m) => {
            return Err(Error::refused(
                path,
                format!(
                    "it is {}, not a regular file (refusing to replace it)",
                    kind(&m.file_type())
                ),
            ))
        }
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            if target.file_name().is_none() {
                return Err(Error::refused(path, "it has no file name"));
            }
            let dir = parent_dir(&target);
            match std::fs::metadata(&dir) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => {
                    return Err(Error::refused(
                        path,
                        format!("{} is not a directory", dir.display()),
                    ))
                }
                Err(_) => {
                    return Err(Error::refused(
                        path,
                        format!(
                            "directory {} does not exist (create it first)",
                            dir.display()
                        ),
                    ))
                }
            }
        }
        Err(e) => return Err(Error::io("checking", path, e)),
    }
    Ok(target)
}

/// What a non-regular file is, for the refusal.
fn kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// The directory a path's file lives in (`.` for a bare name).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Whether `entry` is a temporary file of a write of `name` (`.<name>.XXXXXX.tmp`).
fn is_temp_of(entry: &str, name: &str) -> bool {
    entry
        .strip_prefix('.')
        .and_then(|e| e.strip_prefix(name))
        .and_then(|e| e.strip_prefix('.'))
        .and_then(|e| e.strip_suffix(".tmp"))
        .is_some_and(|r| r.len() == TEMP_RAND && r.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Removes the temporary files an interrupted earlier write of `name` left in `dir` (best
/// effort: a file that cannot be removed is left for the next write).
fn remove_stale_temps(dir: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let regular = e.file_type().is_ok_and(|t| t.is_file());
        if regular && is_temp_of(&e.file_name().to_string_lossy(), name) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Write `bytes` to `path` atomically (temp file in the same directory, fsync, rename).
///
/// The path must pass [`check_output`]; no directory is created.
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
/// deleted and `path` is left untouched. The path must pass [`check_output`].
pub fn write_atomic_with<F>(path: impl AsRef<Path>, fill: F) -> Result<()>
where
    F: FnOnce(&mut dyn Write) -> Result<()>,
{
    let path = path.as_ref();
    let target = check_output(path)?;
    let dir = parent_dir(&target);
    let file_name = target
        .file_name()
        .ok_or_else(|| Error::refused(path, "it has no file name"))?
        .to_string_lossy()
        .into_owned();
    remove_stale_temps(&dir, &file_name);

    let mut builder = tempfile::Builder::new();
    let prefix = format!(".{file_name}.");
    builder.prefix(&prefix).suffix(".tmp").rand_bytes(TEMP_RAND);
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
    tmp.persist(&target)
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
        let p = dir.path().join("a.txt");
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

    fn refusal(p: &Path) -> String {
        let e = write_atomic(p, b"x").unwrap_err();
        assert!(matches!(e, Error::Refused { .. }), "{e}");
        e.to_string()
    }

    #[test]
    fn no_parent_directory_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b/x.json");
        let e = refusal(&p);
        assert!(e.contains("a/b does not exist"), "{e}");
        assert!(!dir.path().join("a").exists());
        std::fs::write(dir.path().join("f"), "").unwrap();
        let e = refusal(&dir.path().join("f/x.json"));
        assert!(e.contains("is not a directory"), "{e}");
    }

    #[test]
    fn directories_fifos_and_devices_are_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let e = refusal(dir.path());
        assert!(e.contains("is a directory, not a regular file"), "{e}");
        assert!(dir.path().is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            // As root, a private node of /dev/null's device (root could replace /dev/null
            // itself if this check regressed); otherwise /dev/null, which only root can replace.
            let node = dir.path().join("null");
            let made = std::process::Command::new("mknod")
                .arg(&node)
                .args(["c", "1", "3"])
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            let null = if made {
                node
            } else {
                PathBuf::from("/dev/null")
            };
            let e = refusal(&null);
            assert!(e.contains("a character device"), "{e}");
            assert!(std::fs::metadata(&null)
                .unwrap()
                .file_type()
                .is_char_device());
            let fifo = dir.path().join("fifo");
            let ok = std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap();
            assert!(ok.success());
            let e = refusal(&fifo);
            assert!(e.contains("a FIFO"), "{e}");
            assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
        }
        assert!(no_temp_files_left(dir.path()));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.csv");
        std::fs::write(&target, "old").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("real.csv", &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        // A dangling link and a link to a directory are refused.
        let dangling = dir.path().join("dangling.csv");
        std::os::unix::fs::symlink("missing.csv", &dangling).unwrap();
        let e = refusal(&dangling);
        assert!(e.contains("symlink to a missing file"), "{e}");
        assert!(!dir.path().join("missing.csv").exists());
        let to_dir = dir.path().join("to_dir");
        std::os::unix::fs::symlink(".", &to_dir).unwrap();
        assert!(refusal(&to_dir).contains("a directory"));
        assert!(no_temp_files_left(dir.path()));
    }

    #[test]
    fn stale_temporary_files_of_the_target_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        // Left by killed writes of a.csv, and files that only look alike.
        let stale = [".a.csv.Ab12Cd.tmp", ".a.csv.zzzzzz.tmp"];
        let others = [
            ".a.csv.x.Ab12Cd.tmp",
            ".a.csv.toolong1.tmp",
            ".b.csv.Ab12Cd.tmp",
        ];
        for f in stale.iter().chain(&others) {
            std::fs::write(dir.path().join(f), "half").unwrap();
        }
        write_atomic(&p, b"done").unwrap();
        for f in stale {
            assert!(!dir.path().join(f).exists(), "{f} left");
        }
        for f in others {
            assert!(dir.path().join(f).exists(), "{f} removed");
        }
        assert_eq!(std::fs::read(&p).unwrap(), b"done");
    }

    #[cfg(unix)]
    #[test]
    fn files_are_created_0644_under_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        // A plain create is 0666 less the umask: the umask, without touching it.
        let probe = dir.path().join("probe");
        std::fs::File::create(&probe).unwrap();
        let plain = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
        let p = dir.path().join("out.csv");
        write_atomic(&p, b"x").unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644 & plain, "mode {mode:o}");
    }
}
