//! Scale-out machinery shared by every sweep (`rmt-sgd train rbm`, `train ts`, `dbm`, the
//! figures' RBM sweep and the `ts_scaling` ensembles): shards, the resume journal, the progress bar.
//!
//! A sweep is a set of *work items* `0..total` (realisations, seeds, chains), each with its own
//! random stream, so an item's result does not depend on which process, thread or group computes
//! it. Then:
//!
//! * **Shards.** `--shard k/n` runs the k-th of n contiguous blocks of items
//!   ([`rbm::shard_range`]); the shards' outputs, keyed by item index, are joined by
//!   `rmt-sgd merge` into the bytes of a single run.
//! * **Resume.** [`run`] appends every finished group of items to a journal beside the output
//!   (`<out>.journal`) and flushes it. Its first line records the run's parameters; rerunning the
//!   same command reads the journal back, drops a torn last line (a kill in the middle of a
//!   write), refuses a journal written with other parameters, and computes only the missing
//!   items. The caller then writes its output atomically (temporary file + rename) and calls
//!   [`Finished::remove_journal`]. Results are identical to an uninterrupted run because a
//!   journal line holds the item's numbers in Rust's shortest round-trip form (`{:?}`), which
//!   parses back to the same `f64`.
//! * **Progress.** [`progress_bar`]: an indicatif bar with an ETA on a terminal, hidden when
//!   stderr is not a terminal or `CI` is set; [`Finished::log_line`] is the one line logged at
//!   the end instead.
//!
//! Journal format (text, one record per line):
//!
//! ```text
//! # rmt-sgd journal v1 {"command":"train rbm","lr":0.1,...}
//! <item>,<fields of the item's result>
//! ...
//! ```

use std::fs::File;
use std::io::{IsTerminal, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{bail, Context as _};
use rayon::prelude::*;

/// Shard `k` of `n` (1 ≤ k ≤ n): the k-th of n contiguous blocks of work items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Shard number, 1-based.
    pub k: usize,
    /// Number of shards.
    pub n: usize,
}

impl Shard {
    /// The whole run (`1/1`).
    pub const WHOLE: Shard = Shard { k: 1, n: 1 };

    // ANCHOR: shard_range
    /// The items `[⌊(k−1)T/n⌋, ⌊kT/n⌋)` of this shard out of `total`.
    pub fn range(self, total: u64) -> anyhow::Result<Range<u64>> {
        Ok(rbm::shard_range(total, self.k, self.n)?)
    }
    // ANCHOR_END: shard_range

    /// Whether this is the whole run.
    pub fn is_whole(self) -> bool {
        self.n == 1
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// Parses `k/n` with 1 ≤ k ≤ n (SLURM: `$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`
    /// with `--array=1-n`).
    fn from_str(s: &str) -> Result<Self, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("'{s}' is not of the form k/n"))?;
        let parse = |v: &str| {
            v.trim()
                .parse::<usize>()
                .map_err(|_| format!("'{s}' is not of the form k/n with integers"))
        };
        let (k, n) = (parse(k)?, parse(n)?);
        if k == 0 || k > n {
            return Err(format!("shard {k}/{n}: need 1 ≤ k ≤ n"));
        }
        Ok(Shard { k, n })
    }
}

/// Whether progress bars are off: stderr is not a terminal, or `CI` is set (to anything but
/// an empty string or `false`).
pub fn quiet() -> bool {
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    ci || !std::io::stderr().is_terminal()
}

/// A progress bar of `len` work units labelled `[label]`, with elapsed time and ETA, drawn on
/// stderr only when it is a terminal and `CI` is not set (hidden otherwise).
pub fn progress_bar(label: &str, len: u64) -> indicatif::ProgressBar {
    let target = if quiet() {
        indicatif::ProgressDrawTarget::hidden()
    } else {
        indicatif::ProgressDrawTarget::stderr()
    };
    let bar = indicatif::ProgressBar::with_draw_target(Some(len), target);
    let template =
        format!("[{label}] {{wide_bar}} {{percent:>3}}% {{elapsed_precise}} eta {{eta_precise}}");
    bar.set_style(
        indicatif::ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Items `0..n` computed in parallel by `f`, collected in index order, with a progress bar
/// labelled `label` (hidden as by [`progress_bar`]); for sweeps that are not journalled (the
/// teacher–student ensembles of `fig4`, `fig5` and `ts_release`, seconds to minutes each).
pub fn par_items<T, F>(label: &str, n: usize, f: F) -> anyhow::Result<Vec<T>>
where
    T: Send,
    F: Fn(u64) -> anyhow::Result<T> + Sync,
{
    let bar = progress_bar(label, n as u64);
    let out = (0..n as u64)
        .into_par_iter()
        .map(|k| {
            let r = f(k);
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();
    out
}

/// The result of one work item as journal text: comma-separated fields, no newline. `decode`
/// must invert `encode` exactly (floats via `{:?}` and `str::parse`).
pub trait Record: Sized + Send {
    /// The fields (without the item index).
    fn encode(&self) -> String;
    /// Parses what [`Record::encode`] wrote.
    fn decode(fields: &str) -> anyhow::Result<Self>;
}

/// Formats floats in shortest round-trip form, comma-separated.
pub fn encode_floats(v: &[f64]) -> String {
    let mut s = String::with_capacity(v.len() * 20);
    for (i, x) in v.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!("{x:?}"));
    }
    s
}

/// Parses one float field written by [`encode_floats`].
pub fn decode_float(s: &str) -> anyhow::Result<f64> {
    s.parse::<f64>()
        .with_context(|| format!("'{s}' is not a number"))
}

impl Record for Vec<f64> {
    fn encode(&self) -> String {
        encode_floats(self)
    }

    fn decode(fields: &str) -> anyhow::Result<Self> {
        if fields.is_empty() {
            return Ok(Vec::new());
        }
        fields.split(',').map(decode_float).collect()
    }
}

/// The journal path of an output: `<out>.journal` beside it.
pub fn journal_path(out: &Path) -> PathBuf {
    let mut s = out.as_os_str().to_owned();
    s.push(".journal");
    PathBuf::from(s)
}

/// What to run: the items, their grouping and cost, and where to journal them.
pub struct Plan<'a> {
    /// Label of the progress bar and of the log lines (`train rbm`, `rbm`, ...).
    pub label: &'a str,
    /// The journal file.
    pub journal: PathBuf,
    /// The run's parameters: a journal is resumed only when they are the same. Include
    /// everything the results depend on (and the shard), nothing else (not thread counts).
    pub params: serde_json::Value,
    /// The items of this run (a shard's range).
    pub items: Range<u64>,
    /// At most this many items per call of the compute function.
    pub group: usize,
    /// Items with different keys never share a call (e.g. different configurations).
    pub key: &'a (dyn Fn(u64) -> u64 + Sync),
    /// Work units of an item (for the ETA), e.g. epochs × |B|.
    pub cost: &'a (dyn Fn(u64) -> u64 + Sync),
}

/// The finished items of a run, in index order, and how many were resumed.
pub struct Finished<T> {
    /// `(item, result)` for every item of the plan, ascending.
    pub items: Vec<(u64, T)>,
    /// Items read back from the journal.
    pub resumed: usize,
    /// Items computed by this process.
    pub computed: usize,
    /// Wall time of this process's computation, seconds.
    pub seconds: f64,
    journal: PathBuf,
    // Held (and locked) until the journal is removed or the value dropped.
    _file: File,
}

impl<T> Finished<T> {
    /// Removes the journal: call it once the output is written.
    pub fn remove_journal(self) -> anyhow::Result<()> {
        std::fs::remove_file(&self.journal)
            .with_context(|| format!("cannot remove {}", self.journal.display()))
    }

    /// The one-line log of the run, e.g. `[train rbm] 8 items (3 resumed, 5 computed) in 1.2 s`.
    pub fn log_line(&self, label: &str) -> String {
        format!(
            "[{label}] {} items ({} resumed, {} computed) in {:.1} s",
            self.items.len(),
            self.resumed,
            self.computed,
            self.seconds
        )
    }

    /// `{"items", "resumed", "computed"}` for a JSON summary.
    pub fn summary(&self) -> serde_json::Value {
        serde_json::json!({
            "items": self.items.len(),
            "resumed": self.resumed,
            "computed": self.computed,
        })
    }
}

const MAGIC: &str = "# rmt-sgd journal v1 ";

/// An open, locked journal.
struct Journal {
    path: PathBuf,
    file: Mutex<File>,
}

impl Journal {
    /// Opens (creating) the journal, checks its parameters and reads its finished records; a
    /// torn last line is cut off.
    fn open<T: Record>(
        path: &Path,
        params: &str,
        items: &Range<u64>,
    ) -> anyhow::Result<(Self, Vec<(u64, T)>)> {
        let shown = path.display();
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .with_context(|| format!("cannot create or open the journal {shown}"))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                bail!("{shown} is in use by another process running the same sweep")
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {shown}"))
            }
        }
        let mut text = String::new();
        file.read_to_string(&mut text)
            .with_context(|| format!("cannot read {shown} (not a journal?)"))?;
        let header = format!("{MAGIC}{params}\n");
        let mut records = Vec::new();
        if text.is_empty() || (!text.contains('\n') && header.starts_with(&text)) {
            // New, or killed while writing the header.
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            file.write_all(header.as_bytes())?;
            file.flush()?;
        } else {
            let (first, rest) = text.split_at(text.find('\n').map_or(text.len(), |i| i + 1));
            let stored = first
                .strip_prefix(MAGIC)
                .with_context(|| format!("{shown} is not an rmt-sgd journal"))?
                .trim_end();
            if stored != params {
                bail!(
                    "{shown} was written by a run with different parameters ({}); rerun with the \
                     same parameters to resume it, or delete it to start over",
                    param_diff(stored, params)
                );
            }
            // ANCHOR: torn_line
            // Complete lines end with '\n'; anything after the last one is a torn write.
            let complete = rest.rfind('\n').map_or(0, |i| i + 1);
            let mut seen = std::collections::BTreeSet::new();
            for (n, line) in rest[..complete].lines().enumerate() {
                let lineno = n + 2;
                let (idx, fields) = line.split_once(',').unwrap_or((line, ""));
                let idx: u64 = idx.parse().with_context(|| {
                    format!("{shown} line {lineno}: '{idx}' is not an item index")
                })?;
                if !items.contains(&idx) {
                    bail!(
                        "{shown} line {lineno}: item {idx} is not among this run's items {}..{}",
                        items.start,
                        items.end
                    );
                }
                if !seen.insert(idx) {
                    bail!("{shown} line {lineno}: item {idx} appears twice");
                }
                let r = T::decode(fields)
                    .with_context(|| format!("{shown} line {lineno}: unreadable record"))?;
                records.push((idx, r));
            }
            let keep = (first.len() + complete) as u64;
            if keep < text.len() as u64 {
                file.set_len(keep)
                    .with_context(|| format!("cannot truncate {shown}"))?;
            }
            file.seek(SeekFrom::Start(keep))?;
            // ANCHOR_END: torn_line
        }
        Ok((
            Journal {
                path: path.to_path_buf(),
                file: Mutex::new(file),
            },
            records,
        ))
    }

    // ANCHOR: append
    /// Appends the records of one finished group in a single write and flushes it.
    fn append<T: Record>(&self, items: &[u64], results: &[T]) -> anyhow::Result<()> {
        let mut buf = String::new();
        for (i, r) in items.iter().zip(results) {
            buf.push_str(&i.to_string());
            let fields = r.encode();
            if !fields.is_empty() {
                buf.push(',');
                buf.push_str(&fields);
            }
            buf.push('\n');
        }
        let mut f = self
            .file
            .lock()
            .map_err(|_| anyhow::anyhow!("journal lock poisoned"))?;
        f.write_all(buf.as_bytes())
            .and_then(|()| f.flush())
            .with_context(|| format!("cannot append to {}", self.path.display()))
    }
    // ANCHOR_END: append
}

/// The keys whose values differ between two parameter JSON texts, `key: old -> new`.
fn param_diff(stored: &str, now: &str) -> String {
    use serde_json::Value;
    let (Ok(Value::Object(a)), Ok(Value::Object(b))) = (
        serde_json::from_str::<Value>(stored),
        serde_json::from_str::<Value>(now),
    ) else {
        return format!("journal {stored}, now {now}");
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    let show = |v: Option<&Value>| v.map_or("(none)".to_string(), Value::to_string);
    keys.into_iter()
        .filter(|k| show(a.get(*k)) != show(b.get(*k)))
        .map(|k| format!("{k}: {} -> {}", show(a.get(k)), show(b.get(k))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Splits the pending items into groups: contiguous, same key, at most `max` long.
fn groups(pending: &[u64], max: usize, key: &(dyn Fn(u64) -> u64 + Sync)) -> Vec<Range<u64>> {
    let mut out: Vec<Range<u64>> = Vec::new();
    for &i in pending {
        match out.last_mut() {
            Some(g) if g.end == i && key(g.start) == key(i) && (g.end - g.start) < max as u64 => {
                g.end += 1;
            }
            _ => out.push(i..i + 1),
        }
    }
    out
}

/// Runs the plan: resumes the journal, computes the missing items in parallel (in groups of
/// consecutive items, appended to the journal as they finish), shows a progress bar, and
/// returns every item's result in index order. `compute` gets a contiguous range of items with
/// one key and returns their results in order.
pub fn run<T, F>(plan: &Plan, compute: F) -> anyhow::Result<Finished<T>>
where
    T: Record,
    F: Fn(Range<u64>) -> anyhow::Result<Vec<T>> + Sync,
{
    let params = serde_json::to_string(&plan.params)?;
    let (journal, mut done) = Journal::open::<T>(&plan.journal, &params, &plan.items)?;
    let resumed = done.len();
    if resumed > 0 {
        eprintln!(
            "[{}] resuming: {resumed} of {} items already done in {}",
            plan.label,
            plan.items.end - plan.items.start,
            plan.journal.display()
        );
    }
    let finished: std::collections::BTreeSet<u64> = done.iter().map(|d| d.0).collect();
    let pending: Vec<u64> = plan
        .items
        .clone()
        .filter(|i| !finished.contains(i))
        .collect();
    let total_cost: u64 = plan.items.clone().map(plan.cost).sum();
    let bar = progress_bar(plan.label, total_cost);
    bar.set_position(finished.iter().map(|&i| (plan.cost)(i)).sum());
    bar.reset_eta();
    let start = Instant::now();
    let work = groups(&pending, plan.group.max(1), plan.key);
    let appended = std::sync::atomic::AtomicUsize::new(0);
    let computed: anyhow::Result<Vec<Vec<(u64, T)>>> = work
        .par_iter()
        .map(|g| {
            let results = compute(g.clone())?;
            if results.len() as u64 != g.end - g.start {
                bail!(
                    "items {}..{}: {} results for {} items",
                    g.start,
                    g.end,
                    results.len(),
                    g.end - g.start
                );
            }
            let ids: Vec<u64> = g.clone().collect();
            journal.append(&ids, &results)?;
            appended.fetch_add(ids.len(), std::sync::atomic::Ordering::Relaxed);
            bar.inc(g.clone().map(plan.cost).sum());
            Ok(ids.into_iter().zip(results).collect())
        })
        .collect();
    bar.finish_and_clear();
    let computed = match computed {
        Ok(c) => c,
        Err(e) => {
            // Keep the finished items for a rerun; a journal with none is only noise.
            if resumed == 0 && appended.into_inner() == 0 {
                drop(journal);
                let _ = std::fs::remove_file(&plan.journal);
            }
            return Err(e);
        }
    };
    let n_computed = pending.len();
    done.extend(computed.into_iter().flatten());
    done.sort_by_key(|d| d.0);
    let Journal { path, file } = journal;
    Ok(Finished {
        items: done,
        resumed,
        computed: n_computed,
        seconds: start.elapsed().as_secs_f64(),
        journal: path,
        _file: file
            .into_inner()
            .map_err(|_| anyhow::anyhow!("journal lock poisoned"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan<'a>(
        journal: PathBuf,
        items: Range<u64>,
        params: serde_json::Value,
        key: &'a (dyn Fn(u64) -> u64 + Sync),
        cost: &'a (dyn Fn(u64) -> u64 + Sync),
    ) -> Plan<'a> {
        Plan {
            label: "test",
            journal,
            params,
            items,
            group: 3,
            key,
            cost,
        }
    }

    fn item(i: u64) -> Vec<f64> {
        vec![i as f64 / 3.0, -0.0, 1e-300 * i as f64]
    }

    #[test]
    fn shard_parser() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { k: 2, n: 3 }));
        assert!("0/3".parse::<Shard>().is_err());
        assert!("4/3".parse::<Shard>().is_err());
        assert!("3".parse::<Shard>().is_err());
        assert!("a/b".parse::<Shard>().is_err());
        assert_eq!(Shard { k: 2, n: 3 }.to_string(), "2/3");
        assert_eq!(Shard { k: 3, n: 3 }.range(10).unwrap(), 6..10);
    }

    #[test]
    fn groups_are_contiguous_same_key_and_bounded() {
        let key = |i: u64| i / 5;
        let g = groups(&[0, 1, 2, 3, 4, 5, 6, 8, 9], 3, &key);
        assert_eq!(g, vec![0..3, 3..5, 5..7, 8..10]);
    }

    #[test]
    fn resume_reads_finished_items_drops_a_torn_line_and_checks_parameters() {
        let dir = tempfile::tempdir().unwrap();
        let j = dir.path().join("out.csv.journal");
        let key = |_: u64| 0;
        let cost = |_: u64| 1;
        let params = serde_json::json!({"seed": 1, "lr": 0.1});
        let p = plan(j.clone(), 0..10, params.clone(), &key, &cost);
        let full = run(&p, |r| Ok(r.map(item).collect::<Vec<_>>())).unwrap();
        assert_eq!((full.resumed, full.computed), (0, 10));
        let expected: Vec<(u64, Vec<f64>)> = (0..10).map(|i| (i, item(i))).collect();
        assert_eq!(full.items, expected);
        drop(full);
        // Keep the header and items 0..3, add a torn line.
        let text = std::fs::read_to_string(&j).unwrap();
        let mut lines: Vec<&str> = text.lines().skip(1).collect();
        lines.sort_by_key(|l| l.split(',').next().unwrap().parse::<u64>().unwrap());
        let header = text.lines().next().unwrap();
        let kept = format!("{header}\n{}\n7,0.5,1", lines[..3].join("\n"));
        std::fs::write(&j, &kept).unwrap();
        let again = run(&p, |r| Ok(r.map(item).collect::<Vec<_>>())).unwrap();
        assert_eq!((again.resumed, again.computed), (3, 7));
        assert_eq!(again.items, expected);
        // Bit-exact round trip of the floats.
        assert!(again.items[0].1[1].is_sign_negative());
        drop(again);
        let other = plan(
            j.clone(),
            0..10,
            serde_json::json!({"seed": 2, "lr": 0.1}),
            &key,
            &cost,
        );
        let err = run(&other, |r| Ok(r.map(item).collect::<Vec<_>>()))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("different parameters (seed: 1 -> 2)"), "{err}");
        let ok = run(&p, |r| Ok(r.map(item).collect::<Vec<_>>())).unwrap();
        assert_eq!((ok.resumed, ok.computed), (10, 0));
        ok.remove_journal().unwrap();
        assert!(!j.exists());
    }

    #[test]
    fn a_failing_item_keeps_the_finished_ones() {
        let dir = tempfile::tempdir().unwrap();
        let j = dir.path().join("x.journal");
        let key = |_: u64| 0;
        let cost = |_: u64| 1;
        let mut p = plan(j.clone(), 0..6, serde_json::json!({}), &key, &cost);
        p.group = 1;
        let r = run(&p, |r| {
            if r.start == 5 {
                std::thread::sleep(std::time::Duration::from_millis(100));
                bail!("boom")
            }
            Ok(r.map(item).collect::<Vec<_>>())
        });
        assert!(r.is_err());
        let again = run(&p, |r| Ok(r.map(item).collect::<Vec<_>>())).unwrap();
        assert!(again.resumed >= 1 && again.computed >= 1);
        assert_eq!(again.resumed + again.computed, 6);
        again.remove_journal().unwrap();
        // When nothing finished, no journal is left behind.
        let r: anyhow::Result<Finished<Vec<f64>>> = run(&p, |_| bail!("diverged"));
        assert!(r.is_err());
        assert!(!j.exists());
    }
}
