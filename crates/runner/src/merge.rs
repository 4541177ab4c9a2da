//! Joining the CSV outputs of `--shard k/n` runs into the file a single run writes.
//!
//! Shards write rows keyed by a work-item index in the first column (`realisation`, `seed`,
//! ...). Merging keeps each row's text exactly as written and orders rows by that index, so the
//! merged file is byte-identical to the unsharded run's. Headers must agree, an index may appear
//! only once, and the result is written atomically.
//!
//! Outputs whose unsharded form has no index column (`rmt-sgd dbm`: one row per chain) carry a
//! leading `chain` column when sharded; `drop_index` removes that column after ordering, which
//! gives back the unsharded format.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

/// The line without its first comma-separated field.
fn without_index(line: &str) -> &str {
    line.split_once(',').map_or("", |(_, rest)| rest)
}

/// Merges `shards` into `out` (atomically); returns the number of rows written.
pub fn merge_shards(shards: &[PathBuf], out: &Path, drop_index: bool) -> anyhow::Result<usize> {
    let mut header: Option<String> = None;
    let mut rows: Vec<(u64, String)> = Vec::new();
    for path in shards {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut lines = text.lines();
        let h = lines
            .next()
            .with_context(|| format!("{}: empty file, expected a CSV header", path.display()))?;
        match &header {
            None => header = Some(h.to_string()),
            Some(first) if first != h => bail!(
                "{}: header '{h}' differs from '{first}' of the first shard",
                path.display()
            ),
            Some(_) => {}
        }
        for (k, line) in lines.enumerate() {
            let key = line.split(',').next().unwrap_or("");
            let index: u64 = key.trim().parse().with_context(|| {
                format!(
                    "{} line {}: first column '{key}' is not a work-item index",
                    path.display(),
                    k + 2
                )
            })?;
            rows.push((index, line.to_string()));
        }
    }
    rows.sort_by_key(|r| r.0);
    if let Some(w) = rows.windows(2).find(|w| w[0].0 == w[1].0) {
        bail!("work item {} appears in more than one shard", w[0].0);
    }
    let mut header = header.context("no shard files given")?;
    if drop_index {
        header = without_index(&header).to_string();
        for r in rows.iter_mut() {
            r.1 = without_index(&r.1).to_string();
        }
    }
    crate::write_lines(out, &header, rows.iter().map(|r| &r.1))?;
    Ok(rows.len())
}
