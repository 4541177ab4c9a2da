//! What the commands print: JSON on stdout (files are written by [`runner`], atomically).

use std::io::Write;

/// Prints a JSON value on stdout followed by a newline.
pub fn print_json(v: &serde_json::Value) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}
