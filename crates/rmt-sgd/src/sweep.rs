//! The sweep driver of the `train` and `dbm` commands: shard, resume, progress
//! ([`runner`], shared with the figures' sweeps).
//!
//! A command validates its input, then calls [`run`] with its parameters and a function
//! computing a contiguous range of its work items; it writes its output atomically from the
//! returned items and calls [`finish`], which removes the journal and reports how many items
//! were resumed.

use std::ops::Range;
use std::path::Path;

use runner::{Finished, Plan, Record};
use serde_json::Value;

/// Runs the work items `items` (a shard's range), journalling them in `<out>.journal`;
/// `params` must identify the run (a journal with other parameters is refused). Items are
/// computed `group` at a time, each costing `cost` units of the progress bar.
pub fn run<T, F>(
    label: &str,
    out: &Path,
    params: Value,
    items: Range<u64>,
    group: usize,
    cost: u64,
    compute: F,
) -> anyhow::Result<Finished<T>>
where
    T: Record,
    F: Fn(Range<u64>) -> anyhow::Result<Vec<T>> + Sync,
{
    let key = |_: u64| 0;
    let cost = move |_: u64| cost;
    let plan = Plan {
        label,
        journal: runner::journal_path(out),
        params,
        items,
        group,
        key: &key,
        cost: &cost,
    };
    runner::run(&plan, compute)
}

/// After the output is written: logs one line, removes the journal and returns the
/// `{"items", "resumed", "computed"}` summary.
pub fn finish<T>(label: &str, done: Finished<T>) -> anyhow::Result<Value> {
    eprintln!("{}", done.log_line(label));
    let summary = done.summary();
    done.remove_journal()?;
    Ok(summary)
}
