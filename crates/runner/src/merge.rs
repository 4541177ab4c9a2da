//! Shard files and joining them: the CSV outputs of `--shard k/n` runs, merged into the file a
//! single run writes.
//!
//! A shard file ([`write_shard`]) is the unsharded CSV preceded by one provenance line,
//!
//! ```text
//! # rmt-sgd shard {"format":1,"command":"train rbm","params":{...,"seed":1},"shard":"2/3",...}
//! realisation,lambda1,...
//! 3,0.61,...
//! ```
//!
//! holding a [`Provenance`]: the command, every parameter the rows depend on (seed included),
//! `k/n`, the items of the shard, the run's item count, the number of rows written and whether
//! the first (index) column was added for sharding only. The rows are keyed by a work-item
//! index in the first column (`realisation`, `seed`, `chain`, `item`).
//!
//! [`merge_shards`] checks the shards before writing anything: every shard carries provenance
//! of the same run (same format, command, parameters, item count and header), each `k` of
//! `1..=n` is given exactly once, each shard's items are the block `k/n` of the run, every row
//! has the header's number of fields and an index inside its block, the row count is the one
//! recorded, and the file ends with a newline (a shard cut short by a full disk or a partial
//! copy fails one of these). It then drops the provenance line, keeps each row's text exactly
//! as written and orders rows by index, so the merged file is byte-identical to the unsharded
//! run's, written atomically.
//!
//! Outputs whose unsharded form has no index column (`rmt-sgd dbm`: one row per chain) carry a
//! leading `chain` column when sharded (`index_added`); `drop_index` removes it after ordering,
//! which gives back the unsharded format, and is refused for shards whose index is part of the
//! unsharded output.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

use crate::Shard;

/// The version of the shard file format [`write_shard`] writes and [`merge_shards`] reads.
pub const SHARD_FORMAT: u32 = 1;
const MAGIC: &str = "# rmt-sgd shard ";

/// The run a shard file belongs to (its first line; see the module documentation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// [`SHARD_FORMAT`] of the writer.
    pub format: u32,
    /// The command that wrote it (`train rbm`, `dbm`, `figures rbm`, ...).
    pub command: String,
    /// Every parameter the rows depend on (seed included), not the shard.
    pub params: serde_json::Value,
    /// `k/n`.
    pub shard: String,
    /// The shard's work items `[start, end)`.
    pub items: [u64; 2],
    /// The run's number of work items (all shards together).
    pub total: u64,
    /// Data rows written (fewer than the items where items produce no row, e.g. diverged RBM
    /// realisations).
    pub rows: u64,
    /// Whether the first column exists only in shard files (`merge --drop-index` removes it).
    pub index_added: bool,
}

/// What a command knows about its sharded run, for [`write_shard`].
#[derive(Clone, Debug)]
pub struct ShardRun<'a> {
    /// The command (`train rbm`, ...).
    pub command: &'a str,
    /// Every parameter the rows depend on (seed included), not the shard.
    pub params: serde_json::Value,
    /// The run's number of work items.
    pub total: u64,
    /// Whether the first column exists only in shard files.
    pub index_added: bool,
}

/// Writes a shard file atomically: the provenance line, the CSV `header`, then `lines` (each
/// starting with its item index, without newline).
pub fn write_shard<I>(
    path: impl AsRef<Path>,
    run: &ShardRun,
    shard: Shard,
    header: &str,
    lines: I,
) -> crate::Result<()>
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    let range = shard.range(run.total)?;
    let lines: Vec<I::Item> = lines.into_iter().collect();
    let p = Provenance {
        format: SHARD_FORMAT,
        command: run.command.to_string(),
        params: run.params.clone(),
        shard: shard.to_string(),
        items: [range.start, range.end],
        total: run.total,
        rows: lines.len() as u64,
        index_added: run.index_added,
    };
    let first = serde_json::to_string(&p).map_err(|e| crate::Error::Json {
        path: path.as_ref().to_path_buf(),
        cause: e,
    })?;
    crate::write_lines(
        path,
        &format!("{MAGIC}{first}\n{header}"),
        lines.iter().map(AsRef::as_ref),
    )
}

/// What [`merge_shards`] did: printed as JSON by `rmt-sgd merge`.
#[derive(Clone, Debug, Serialize)]
pub struct Merged {
    /// The merged file.
    pub out: PathBuf,
    /// Data rows written.
    pub rows: usize,
    /// Shards joined (`n`).
    pub shards: usize,
    /// The run: command, parameters and item count.
    pub command: String,
    /// The run's parameters (seed included).
    pub params: serde_json::Value,
    /// The run's number of work items.
    pub total: u64,
    /// The shard format read.
    pub format: u32,
    /// Whether the index column was dropped.
    pub index_dropped: bool,
}

/// One shard file, read and checked on its own.
struct ShardFile {
    path: PathBuf,
    prov: Provenance,
    shard: Shard,
    header: String,
    rows: Vec<(u64, String)>,
}

fn read_shard(path: &Path) -> anyhow::Result<ShardFile> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {shown}"))?;
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    let Some(json) = first.strip_prefix(MAGIC) else {
        bail!(
            "{shown} has no shard provenance (its first line is not '{}...'): a shard written \
             by an older rmt-sgd, or not a shard file; rerun that shard with this version",
            MAGIC.trim_end()
        );
    };
    let prov: Provenance = serde_json::from_str(json.trim_end())
        .with_context(|| format!("{shown}: unreadable shard provenance"))?;
    if prov.format != SHARD_FORMAT {
        bail!(
            "{shown} is in shard format {}, this rmt-sgd reads format {SHARD_FORMAT}",
            prov.format
        );
    }
    let shard: Shard = prov
        .shard
        .parse()
        .map_err(|e| anyhow::anyhow!("{shown}: provenance: {e}"))?;
    let range = shard.range(prov.total)?;
    if prov.items != [range.start, range.end] {
        bail!(
            "{shown}: provenance says items {}..{}, but shard {shard} of {} items is {}..{}",
            prov.items[0],
            prov.items[1],
            prov.total,
            range.start,
            range.end
        );
    }
    if !text.ends_with('\n') {
        bail!("{shown}: the last line has no newline (a truncated shard file)");
    }
    let header = lines
        .next()
        .with_context(|| format!("{shown}: no CSV header after the provenance line"))?
        .trim_end_matches('\n')
        .to_string();
    let fields = header.split(',').count();
    let mut rows: Vec<(u64, String)> = Vec::new();
    for (n, line) in lines.enumerate() {
        let lineno = n + 3;
        let line = line.trim_end_matches('\n');
        let got = line.split(',').count();
        if got != fields {
            bail!(
                "{shown} line {lineno}: {got} fields, the header has {fields} (a truncated or \
                 edited shard file)"
            );
        }
        let key = line.split(',').next().unwrap_or("");
        let index: u64 = key.trim().parse().with_context(|| {
            format!("{shown} line {lineno}: first column '{key}' is not a work-item index")
        })?;
        if !range.contains(&index) {
            bail!(
                "{shown} line {lineno}: item {index} is not in shard {shard}'s items {}..{}",
                range.start,
                range.end
            );
        }
        if rows.last().is_some_and(|r| r.0 >= index) {
            bail!("{shown} line {lineno}: item {index} is out of order or repeated");
        }
        rows.push((index, line.to_string()));
    }
    if rows.len() as u64 != prov.rows {
        bail!(
            "{shown}: {} rows, its provenance says {} (a truncated shard file)",
            rows.len(),
            prov.rows
        );
    }
    Ok(ShardFile {
        path: path.to_path_buf(),
        prov,
        shard,
        header,
        rows,
    })
}

/// The run a shard belongs to, without what differs between its shards.
fn run_of(p: &Provenance) -> serde_json::Value {
    serde_json::json!({
        "format": p.format,
        "command": p.command,
        "params": p.params,
        "total": p.total,
        "index_added": p.index_added,
    })
}

/// The first difference between two runs, `key: a -> b` (parameters by name).
fn run_diff(a: &Provenance, b: &Provenance) -> String {
    if a.command != b.command {
        return format!("command: {} -> {}", a.command, b.command);
    }
    if a.params != b.params {
        return crate::journal::param_diff(&a.params.to_string(), &b.params.to_string());
    }
    let n = |p: &Provenance| p.shard.split_once('/').map_or("", |s| s.1).to_string();
    if n(a) != n(b) {
        return format!("number of shards: {} -> {}", n(a), n(b));
    }
    crate::journal::param_diff(&run_of(a).to_string(), &run_of(b).to_string())
}

/// Merges `shards` into `out` (atomically) after checking them (see the module documentation).
pub fn merge_shards(shards: &[PathBuf], out: &Path, drop_index: bool) -> anyhow::Result<Merged> {
    let target = crate::check_output(out)?;
    // Writing over a shard would lose it if the merge is wrong or rerun.
    if let Ok(t) = std::fs::canonicalize(&target) {
        if let Some(s) = shards
            .iter()
            .find(|s| std::fs::canonicalize(s).is_ok_and(|s| s == t))
        {
            bail!(
                "--out {} is the shard {}: write the merged file elsewhere",
                out.display(),
                s.display()
            );
        }
    }
    let files = shards
        .iter()
        .map(|p| read_shard(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let first = files.first().context("no shard files given")?;
    for f in &files[1..] {
        if run_of(&f.prov) != run_of(&first.prov) || f.shard.n != first.shard.n {
            bail!(
                "{} and {} are shards of different runs ({})",
                first.path.display(),
                f.path.display(),
                run_diff(&first.prov, &f.prov)
            );
        }
        if f.header != first.header {
            bail!(
                "{}: header '{}' differs from '{}' of {}",
                f.path.display(),
                f.header,
                first.header,
                first.path.display()
            );
        }
    }
    let mut by_k: BTreeMap<usize, &ShardFile> = BTreeMap::new();
    for f in &files {
        if let Some(g) = by_k.insert(f.shard.k, f) {
            bail!(
                "shard {} is given twice ({} and {})",
                f.shard,
                g.path.display(),
                f.path.display()
            );
        }
    }
    let n = first.shard.n;
    if let Some(k) = (1..=n).find(|k| !by_k.contains_key(k)) {
        let given: Vec<String> = by_k.values().map(|f| f.shard.to_string()).collect();
        bail!(
            "shard {k}/{n} is missing (given {}): merge needs every shard of the run",
            given.join(", ")
        );
    }
    if drop_index && !first.prov.index_added {
        bail!(
            "--drop-index would remove the column '{}', which the unsharded output of `{}` \
             has too (only shards with an added index column, as of `rmt-sgd dbm`, take it)",
            first.header.split(',').next().unwrap_or(""),
            first.prov.command
        );
    }
    let without_index = |line: &str| line.split_once(',').map_or("", |(_, r)| r).to_string();
    let mut header = first.header.clone();
    if drop_index {
        header = without_index(&header);
    }
    // The blocks k = 1..n are contiguous and ascending, each in order: their concatenation is
    // in item order.
    let rows: Vec<String> = by_k
        .values()
        .flat_map(|f| f.rows.iter())
        .map(|(_, line)| {
            if drop_index {
                without_index(line)
            } else {
                line.clone()
            }
        })
        .collect();
    crate::write_lines(out, &header, &rows)?;
    Ok(Merged {
        out: out.to_path_buf(),
        rows: rows.len(),
        shards: n,
        command: first.prov.command.clone(),
        params: first.prov.params.clone(),
        total: first.prov.total,
        format: first.prov.format,
        index_dropped: drop_index,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(seed: u64) -> ShardRun<'static> {
        ShardRun {
            command: "test",
            params: serde_json::json!({"seed": seed, "lr": 0.1}),
            total: 7,
            index_added: false,
        }
    }

    /// Writes the three shards of a 7-item run (rows `i,i*10`) into `dir`.
    fn shards(dir: &Path, run: &ShardRun) -> Vec<PathBuf> {
        (1..=3)
            .map(|k| {
                let shard = Shard { k, n: 3 };
                let p = dir.join(format!("s{k}.csv"));
                let rows = shard
                    .range(run.total)
                    .unwrap()
                    .map(|i| format!("{i},{}", i * 10));
                write_shard(&p, run, shard, "i,x", rows).unwrap();
                p
            })
            .collect()
    }

    fn refused(shards: &[PathBuf], drop_index: bool) -> String {
        let dir = shards[0].parent().unwrap();
        let out = dir.join("merged.csv");
        let e = merge_shards(shards, &out, drop_index).unwrap_err();
        assert!(!out.exists());
        format!("{e:#}")
    }

    #[test]
    fn shards_merge_in_item_order_without_their_provenance() {
        let dir = tempfile::tempdir().unwrap();
        let s = shards(dir.path(), &run(1));
        let text = std::fs::read_to_string(&s[1]).unwrap();
        assert!(text.starts_with("# rmt-sgd shard {\"format\":1,\"command\":\"test\""));
        assert!(text.contains("\"shard\":\"2/3\",\"items\":[2,4],\"total\":7,\"rows\":2"));
        let out = dir.path().join("m.csv");
        let m = merge_shards(&[s[2].clone(), s[0].clone(), s[1].clone()], &out, false).unwrap();
        let want: String = std::iter::once("i,x\n".to_string())
            .chain((0..7).map(|i| format!("{i},{}\n", i * 10)))
            .collect();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), want);
        assert_eq!((m.rows, m.shards, m.total), (7, 3, 7));
        assert_eq!(m.params["seed"], 1);
    }

    #[test]
    fn missing_duplicated_and_mixed_shards_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let s = shards(dir.path(), &run(1));
        let e = refused(&[s[0].clone(), s[2].clone()], false);
        assert!(e.contains("shard 2/3 is missing (given 1/3, 3/3)"), "{e}");
        let e = refused(
            &[s[0].clone(), s[1].clone(), s[1].clone(), s[2].clone()],
            false,
        );
        assert!(e.contains("shard 2/3 is given twice"), "{e}");
        let other = tempfile::tempdir().unwrap();
        let t = shards(other.path(), &run(2));
        let e = refused(&[s[0].clone(), t[1].clone(), s[2].clone()], false);
        assert!(e.contains("shards of different runs (seed: 1 -> 2)"), "{e}");
        let e = refused(&s, true);
        assert!(
            e.contains("--drop-index would remove the column 'i'"),
            "{e}"
        );
        let before = std::fs::read(&s[0]).unwrap();
        let e = merge_shards(&s, &s[0], false).unwrap_err().to_string();
        assert!(e.contains("is the shard"), "{e}");
        assert_eq!(std::fs::read(&s[0]).unwrap(), before);
    }

    #[test]
    fn truncated_and_old_shards_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let s = shards(dir.path(), &run(1));
        let text = std::fs::read_to_string(&s[2]).unwrap();
        let cases = [
            (text.trim_end().to_string(), "no newline"),
            (
                text.replace("6,60\n", "6\n"),
                "line 5: 1 fields, the header has 2",
            ),
            (text.replace("6,60\n", ""), "2 rows, its provenance says 3"),
            (
                text.replace("6,60\n", "2,20\n"),
                "item 2 is not in shard 3/3's items 4..7",
            ),
            (
                text.lines().skip(1).map(|l| format!("{l}\n")).collect(),
                "no shard provenance",
            ),
        ];
        for (bad, want) in cases {
            std::fs::write(&s[2], bad).unwrap();
            let e = refused(&s, false);
            assert!(e.contains(want), "{want}: {e}");
        }
    }
}
