//! `rmt-sgd merge`: join the CSV outputs of `--shard k/n` runs into the file a single run writes
//! (`runner::merge_shards`: the shards' provenance checked, rows ordered by their work-item
//! index, byte-identical to the unsharded output), and print a JSON summary.

use clap::Args;
use std::path::PathBuf;

use crate::output::print_json;

/// Arguments of `rmt-sgd merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Output CSV (written atomically).
    #[arg(long)]
    out: PathBuf,
    /// Remove the first (index) column after ordering the rows: for outputs whose unsharded
    /// form has no index column (`rmt-sgd dbm --shard`); refused for other shards.
    #[arg(long)]
    drop_index: bool,
    /// Shard CSV files, in any order: every shard k/n of one run, once each.
    #[arg(required = true)]
    shards: Vec<PathBuf>,
}

/// The run recorded in a shard file: the command's journal parameters without the shard.
pub fn shard_run(
    command: &str,
    mut params: serde_json::Value,
    total: u64,
    index_added: bool,
) -> runner::ShardRun<'_> {
    if let Some(p) = params.as_object_mut() {
        p.remove("shard");
        p.remove("command");
    }
    runner::ShardRun {
        command,
        params,
        total,
        index_added,
    }
}

pub fn run(a: MergeArgs) -> anyhow::Result<()> {
    let m = runner::merge_shards(&a.shards, &a.out, a.drop_index)?;
    print_json(&serde_json::to_value(&m)?)
}
