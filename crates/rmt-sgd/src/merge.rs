//! `rmt-sgd merge`: join the CSV outputs of `--shard k/n` runs into the file a single run writes
//! (`runner::merge_shards`: rows ordered by their work-item index, byte-identical to the
//! unsharded output).

use clap::Args;
use std::path::PathBuf;

/// Arguments of `rmt-sgd merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Output CSV (written atomically).
    #[arg(long)]
    out: PathBuf,
    /// Remove the first (index) column after ordering the rows: for outputs whose unsharded
    /// form has no index column (`rmt-sgd dbm --shard`).
    #[arg(long)]
    drop_index: bool,
    /// Shard CSV files, in any order.
    #[arg(required = true)]
    shards: Vec<PathBuf>,
}

pub fn run(a: MergeArgs) -> anyhow::Result<()> {
    let rows = runner::merge_shards(&a.shards, &a.out, a.drop_index)?;
    eprintln!(
        "merged {rows} rows from {} shard(s) into {}",
        a.shards.len(),
        a.out.display()
    );
    Ok(())
}
