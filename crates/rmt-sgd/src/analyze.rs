//! `rmt-sgd analyze`: the spectral analysis of anyone's weight matrices (or spectra); the work
//! is `figures::analyze` (reading, `spectral`'s analysis, pictures). The JSON goes to stdout and,
//! with `--json FILE`, to a file (written atomically).

use std::path::PathBuf;

use clap::Args;
use figures::analyze::{analyse_file, analyse_scaling, check, AnalyzeOptions};
use release_data::ensemble::{parse_axis_or_none, parse_matrix, InputKind, ReadOptions, Spectrum};
use serde::Serialize;

use crate::args;
use crate::output::print_json;

/// Arguments of `rmt-sgd analyze`.
#[derive(Args, Debug)]
pub struct AnalyzeArgs {
    /// The input file(s): `.npz`, `.npy` or `.csv`. One file, or several with `--scaling`.
    #[arg(required = true, num_args = 1..)]
    files: Vec<PathBuf>,
    /// Fit σ = a·√(α/|B|) across the runs given as FILES (α, |B| from the files or --lr/--batch).
    #[arg(long)]
    scaling: bool,
    /// The array inside an `.npz`.
    #[arg(long, default_value = "W")]
    key: String,
    /// What the numbers are: `auto` (npz/npy: matrices; CSV: spectra), `matrices`, `spectra`.
    #[arg(long, default_value = "auto")]
    input: InputKind,
    /// Rows of a CSV are flattened M×N matrices (row-major), e.g. `--matrix 2x2`.
    #[arg(long, value_parser = parse_matrix)]
    matrix: Option<(usize, usize)>,
    /// The ensemble (samples) axis among the leading axes (default 0).
    #[arg(long)]
    ensemble_axis: Option<usize>,
    /// The snapshot axis among the leading axes, or `none` (default: 1 for 4-D matrices).
    #[arg(long)]
    snapshot_axis: Option<String>,
    /// Snapshot: `last`, `first` or an index (negative counts from the end).
    #[arg(long, default_value = "last", allow_hyphen_values = true)]
    snapshot: String,
    /// Singular values of W or their squares (eigenvalues of WᵀW); spectra are used as given.
    #[arg(long, default_value = "singular")]
    spectrum: Spectrum,
    /// Peak positions T1,T2,... (each level goes to the nearest by its ensemble mean); default:
    /// found automatically.
    #[arg(long, allow_hyphen_values = true, value_parser = args::list)]
    targets: Option<args::List>,
    /// Starting width σ₀ of the least-squares fits: a number, or `auto`.
    #[arg(long, default_value = "auto")]
    sigma0: String,
    /// Bootstrap replicates for the error of σ (0 = none: the least-squares standard error).
    #[arg(long, default_value_t = figures::analyze::DEFAULT_BOOTSTRAP)]
    bootstrap: usize,
    /// Base seed of the bootstrap.
    #[arg(long, default_value_t = figures::analyze::DEFAULT_SEED)]
    seed: u64,
    /// Bootstrap streams are `stream(seed, "<label>/bootstrap/<file stem>", r)`; with
    /// `ts_release` they are the streams of the `ts_release` figure (identical errors).
    #[arg(long, default_value = figures::analyze::DEFAULT_BOOTSTRAP_LABEL)]
    bootstrap_label: String,
    /// With --scaling: learning rates α of the runs, in order (overrides the files' `lr`).
    #[arg(long, value_parser = args::list)]
    lr: Option<args::List>,
    /// With --scaling: batch sizes |B| of the runs, in order (overrides `batch_size`).
    #[arg(long, value_parser = args::list)]
    batch: Option<args::List>,
    /// Also write the JSON to this file (atomically).
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write PNGs into this directory: one per peak, and one for the scaling fit.
    #[arg(long)]
    plots: Option<PathBuf>,
    /// Keep outlying networks (a level more than 8 robust standard deviations from its median)
    /// in every statistic; by default they are reported by index and left out.
    #[arg(long)]
    keep_outliers: bool,
    /// Refuse an input that holds or declares more than this many MiB of values (8 bytes a
    /// value once decoded; checked against the file size, a zip member's declared size and an
    /// `.npy` header's shape before anything is inflated).
    #[arg(long = "max-input-mb", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=(u64::MAX >> 20)))]
    max_input_mb: u64,
}

/// Most bootstrap replicates: each refits the peak, so beyond this a run is a typo, not a need.
const MAX_BOOTSTRAP: usize = 100_000;

impl AnalyzeArgs {
    fn options(&self) -> anyhow::Result<AnalyzeOptions> {
        if self.bootstrap > MAX_BOOTSTRAP {
            anyhow::bail!(
                "--bootstrap {}: at most {MAX_BOOTSTRAP} replicates (each refits every peak; \
                 the error of σ is settled long before)",
                self.bootstrap
            );
        }
        release_data::limits::set_max_input_bytes(self.max_input_mb << 20);
        let snapshot_axis = match &self.snapshot_axis {
            Some(s) => {
                Some(parse_axis_or_none(s).map_err(|e| anyhow::anyhow!("--snapshot-axis {e}"))?)
            }
            None => None,
        };
        let sigma0 = match self.sigma0.as_str() {
            "auto" => None,
            s => Some(args::positive(s).map_err(|e| anyhow::anyhow!("--sigma0 '{s}': {e}"))?),
        };
        Ok(AnalyzeOptions {
            read: ReadOptions {
                key: self.key.clone(),
                kind: self.input,
                matrix: self.matrix,
                ensemble_axis: self.ensemble_axis,
                snapshot_axis,
                snapshot: self.snapshot.clone(),
                spectrum: self.spectrum,
            },
            targets: self.targets.as_ref().map(|t| t.0.clone()),
            sigma0,
            bootstrap: self.bootstrap,
            seed: self.seed,
            bootstrap_label: self.bootstrap_label.clone(),
            lr: self.lr.as_ref().map(|l| l.0.clone()),
            batch: self.batch.as_ref().map(|l| l.0.clone()),
            plots: self.plots.clone(),
            keep_outliers: self.keep_outliers,
        })
    }
}

/// Writes the JSON to stdout and, if asked, to a file (atomically).
fn emit(a: &AnalyzeArgs, v: &impl Serialize) -> anyhow::Result<()> {
    let v = serde_json::to_value(v)?;
    if let Some(p) = &a.json {
        runner::write_json(p, &v)?;
    }
    print_json(&v)
}

pub fn run(a: AnalyzeArgs) -> anyhow::Result<()> {
    if let Some(p) = &a.json {
        // Refuse a bad --json before the analysis, not after it.
        runner::check_output(p)?;
    }
    let o = a.options()?;
    check(&o, a.files.len(), a.scaling)?;
    if a.scaling {
        emit(&a, &analyse_scaling(&a.files, &o)?)
    } else {
        emit(&a, &analyse_file(&a.files[0], &o)?)
    }
}
