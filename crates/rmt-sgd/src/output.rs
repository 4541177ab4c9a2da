//! Atomic output: write to a temporary file beside the target, then rename, so a failure
//! never leaves a half-written file.

use anyhow::Context;
use std::io::Write;
use std::path::Path;

/// Writes `rows` as CSV with `header` to `path` atomically.
pub fn write_csv_atomic(path: &Path, header: &[String], rows: &[Vec<f64>]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a file in {}", dir.display()))?;
    {
        let mut w = csv::Writer::from_writer(std::io::BufWriter::new(tmp.as_file()));
        w.write_record(header)?;
        for row in rows {
            // `{:?}` of f64 is the shortest representation that round-trips.
            w.write_record(row.iter().map(|v| format!("{v:?}")))?;
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
