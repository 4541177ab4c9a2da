//! Scale-out and output for every sweep and every figure, knowing no physics.
//!
//! - [`Shard`]: `--shard k/n`, the k-th of n contiguous blocks of work items.
//! - [`run`] a [`Plan`]: the items computed in parallel, in order, journalled beside the output
//!   (`<out>.journal`) so a killed run resumes where it stopped; [`par_items`] for sweeps that
//!   are not journalled; [`progress_bar`] for both.
//! - [`write_atomic`]: the one writer of files (temporary file in the same directory, fsync,
//!   rename), used by the CSV and JSON helpers ([`write_csv`], [`write_json`], [`write_lines`]).
//! - [`Manifest`]: the SHA-256 of every output, in `sha256sum` format, and its comparison.
//!
//! A sweep is a set of *work items* `0..total` (realisations, seeds, chains), each with its own
//! random stream, so an item's result does not depend on which process, thread or group
//! computes it: any split of the items, recombined in index order, gives the same bytes.

#![forbid(unsafe_code)]

mod atomic;
mod csv_file;
mod error;
mod journal;
mod json_file;
mod manifest;
mod plan;
mod progress;
mod shard;

pub use atomic::{write_atomic, write_atomic_with, write_lines};
pub use csv_file::{format_f64, read_csv, write_csv, write_csv_records, CsvTable};
pub use error::{Error, Result};
pub use journal::{decode_float, encode_floats, journal_path, Record};
pub use json_file::{json_string, read_json, write_json};
pub use manifest::{
    relative_path, sha256_bytes, sha256_file, Manifest, ManifestDiff, MANIFEST_FILE,
};
pub use plan::{par_items, run, Finished, Plan};
pub use progress::{progress_bar, quiet};
pub use shard::Shard;
