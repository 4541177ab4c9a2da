//! Atomic output: write to a temporary file beside the target, then rename, so a failure
//! never leaves a half-written file.

use anyhow::Context;
use std::io::Write;
use std::path::Path;

/// Writes a text file of `header` and `lines` (each without its newline) atomically.
pub fn write_lines_atomic<I>(path: &Path, header: &str, lines: I) -> anyhow::Result<()>
where
    I: IntoIterator<Item = String>,
{
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a file in {}", dir.display()))?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file());
        writeln!(w, "{header}")?;
        for line in lines {
            writeln!(w, "{line}")?;
        }
        w.flush()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Prints a JSON value on stdout followed by a newline.
pub fn print_json(v: &serde_json::Value) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}
