//! Running a sweep: a [`Plan`] of work items, computed in parallel in groups, journalled (see
//! the journal module) and returned in index order. The caller then writes its output
//! atomically and calls [`Finished::remove_journal`].

use std::fs::File;
use std::ops::Range;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context as _};
use rayon::prelude::*;

use crate::journal::{Journal, Record};
use crate::progress::progress_bar;

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

    /// After the output is written: logs one line, removes the journal and returns `summary`
    /// (a JSON object) with `resumed` and `computed` added.
    pub fn finish(
        self,
        label: &str,
        mut summary: serde_json::Value,
    ) -> anyhow::Result<serde_json::Value> {
        eprintln!("{}", self.log_line(label));
        if let Some(s) = summary.as_object_mut() {
            s.insert("resumed".into(), self.resumed.into());
            s.insert("computed".into(), self.computed.into());
        }
        self.remove_journal()?;
        Ok(summary)
    }
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

/// [`run`] for a sweep whose items all cost `cost` and share one key (the `train` and `dbm`
/// commands): journalled in `<out>.journal`, where `params` identify the run (a journal with
/// other parameters is refused), computed `group` at a time. `out` must pass
/// [`crate::check_output`] (checked first).
pub fn run_uniform<T, F>(
    label: &str,
    out: &std::path::Path,
    params: serde_json::Value,
    items: Range<u64>,
    group: usize,
    cost: u64,
    compute: F,
) -> anyhow::Result<Finished<T>>
where
    T: Record,
    F: Fn(Range<u64>) -> anyhow::Result<Vec<T>> + Sync,
{
    // A bad output (a directory, /dev/null, a missing directory) is refused before the journal
    // is created beside it and before any work.
    crate::check_output(out)?;
    let key = |_: u64| 0;
    let cost = move |_: u64| cost;
    let plan = Plan {
        label,
        journal: crate::journal_path(out),
        params,
        items,
        group,
        key: &key,
        cost: &cost,
    };
    run(&plan, compute)
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
    // Every group runs (finished ones are journalled), then the lowest failing group is the
    // error: rayon's short-circuiting collect would name whichever failure a thread met first.
    let computed: Vec<anyhow::Result<Vec<(u64, T)>>> = work
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
    let computed: anyhow::Result<Vec<Vec<(u64, T)>>> = computed.into_iter().collect();
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
