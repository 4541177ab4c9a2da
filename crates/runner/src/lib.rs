//! Scale-out and output for every sweep and every figure, knowing no physics.
//!
//! - [`Shard`]: `--shard k/n`, the k-th of n contiguous blocks of work items.
//! - [`run`] a [`Plan`]: the items computed in parallel, in order, journalled beside the output
//!   (`<out>.journal`) so a killed run resumes where it stopped; [`par_items`] for sweeps that
//!   are not journalled; [`progress_bar`] for both.
//! - [`write_atomic`]: the one writer of files (temporary file in the same directory, fsync,
//!   rename), used by the CSV and JSON helpers ([`write_csv`], [`write_json`], [`write_lines`]).
//! - [`write_shard`] and [`merge_shards`]: shard files that record their run, and their join,
//!   which refuses missing, duplicated, mixed and truncated shards.
//! - [`Manifest`]: the SHA-256 of every output, in `sha256sum` format, and its comparison.
//!
//! A sweep is a set of *work items* `0..total` (realisations, seeds, chains), each with its own
//! random stream, so an item's result does not depend on which process, thread or group
//! computes it: any split of the items, recombined in index order, gives the same bytes.
//!
//! **Resume.** [`run`] appends every finished group of items to a journal beside the output
//! ([`journal_path`]: `<out>.journal`) and flushes it. Its first line records the run's
//! parameters; rerunning the same command reads the journal back, drops a torn last line (a kill
//! in the middle of a write), refuses a journal written with other parameters, and computes only
//! the missing items. The caller then writes its output atomically and calls
//! [`Finished::remove_journal`]. Results are identical to an uninterrupted run because a journal
//! line holds the item's numbers in Rust's shortest round-trip form (`{:?}`, [`Record`]), which
//! parses back to the same `f64`. Each record line ends with a checksum (` #` and the first 8
//! hex digits of the SHA-256 of the text before it), so a hand-edited or corrupted line is
//! refused instead of resumed. Format (text, one record per line):
//!
//! ```text
//! # rmt-sgd journal v2 {"command":"train rbm","lr":0.1,...}
//! <item>,<fields of the item's result> #<checksum>
//! ...
//! ```

#![forbid(unsafe_code)]

mod atomic;
mod csv_file;
mod error;
mod journal;
mod json_file;
mod manifest;
mod merge;
mod plan;
mod progress;
mod shard;

pub use atomic::{check_output, write_atomic, write_atomic_with, write_lines};
pub use csv_file::{format_f64, read_csv, write_csv, write_csv_records, CsvTable};
pub use error::{Error, Result};
pub use journal::{decode_float, encode_floats, journal_path, Record};
pub use json_file::{json_string, read_json, write_json};
pub use manifest::{
    relative_path, sha256_bytes, sha256_file, Manifest, ManifestDiff, MANIFEST_FILE,
};
pub use merge::{merge_shards, write_shard, Merged, Provenance, ShardRun, SHARD_FORMAT};
pub use plan::{par_items, run, run_uniform, Finished, Plan};
pub use progress::{progress_bar, quiet};
pub use shard::Shard;
