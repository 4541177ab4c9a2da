//! `rmt-sgd analyze`: the spectral analysis of anyone's weight matrices (or spectra).
//!
//! * `release_data::ensemble`: `.npz` / `.npy` (any float or integer dtype, C or Fortran order) and CSV files;
//!   the ensemble and snapshot axes; singular values or eigenvalues of WᵀW;
//! * the analysis itself is the `spectral` crate's (`analyse_ensemble`, `scaling_fits`), the one
//!   the figures use: peaks from `--targets` or found automatically, per peak the Eq (11),
//!   Eq (32) and Gaussian fits by least squares and maximum likelihood with bootstrap errors, U4,
//!   spacings vs the surmise; `--scaling` fits σ = a·√(α/|B|) through the origin;
//! * `--plots DIR`: one PNG per peak and one per scaling fit (`figures::analyze_plots`).
//!
//! The JSON goes to stdout and, with `--json FILE`, to a file (written atomically).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use figures::analyze_plots::{peak_png, scaling_png, ScalingPoints};
use serde::Serialize;
use spectral::{
    analyse_ensemble, scaling_fits, EnsembleOptions, EnsembleReport, PeakOptions, ScalingFit,
};

use crate::args;
use crate::output::print_json;
use release_data::ensemble::{
    self as input, parse_axis_or_none, parse_matrix, Ensemble, InputKind, ReadOptions, Spectrum,
};

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
    #[arg(long, default_value_t = 200)]
    bootstrap: usize,
    /// Base seed of the bootstrap.
    #[arg(long, default_value_t = 20240814)]
    seed: u64,
    /// Bootstrap streams are `stream(seed, "<label>/bootstrap/<file stem>", r)`; with
    /// `ts_release` they are the streams of the `ts_release` figure (identical errors).
    #[arg(long, default_value = "analyze")]
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
}

impl AnalyzeArgs {
    fn read_options(&self) -> anyhow::Result<ReadOptions> {
        let snapshot_axis = match &self.snapshot_axis {
            Some(s) => {
                Some(parse_axis_or_none(s).map_err(|e| anyhow::anyhow!("--snapshot-axis {e}"))?)
            }
            None => None,
        };
        Ok(ReadOptions {
            key: self.key.clone(),
            kind: self.input,
            matrix: self.matrix,
            ensemble_axis: self.ensemble_axis,
            snapshot_axis,
            snapshot: self.snapshot.clone(),
            spectrum: self.spectrum,
        })
    }

    /// The analysis options of one file: σ₀ is the authors' √(lr·noise²/batch_size) for
    /// singular values of a file with those scalars (the teacher-student release).
    fn options(&self, ens: &Ensemble) -> anyhow::Result<EnsembleOptions> {
        let auto = match (ens.kind, self.spectrum, ens.lr, ens.noise, ens.batch) {
            ("matrices", Spectrum::Singular, Some(lr), Some(noise), Some(bs)) if bs > 0.0 => {
                Some((lr * noise * noise / bs).sqrt())
            }
            _ => None,
        };
        let sigma0 = match self.sigma0.as_str() {
            "auto" => auto,
            s => Some(args::positive(s).map_err(|e| anyhow::anyhow!("--sigma0 '{s}': {e}"))?),
        };
        Ok(EnsembleOptions {
            targets: self.targets.as_ref().map(|t| t.0.clone()),
            peak: PeakOptions {
                sigma0,
                bootstrap: self.bootstrap,
                seed: self.seed,
                purpose: format!(
                    "{}/bootstrap/{}",
                    self.bootstrap_label,
                    file_stem(&ens.path)
                ),
                bootstrap_ml: false,
                eq32: true,
            },
        })
    }
}

/// What `analyze` prints for one file: where the samples came from and their analysis.
#[derive(Serialize)]
struct FileReport {
    file: String,
    key: String,
    input: &'static str,
    shape: Vec<usize>,
    snapshot: Option<usize>,
    spectrum: &'static str,
    lr: Option<f64>,
    batch_size: Option<f64>,
    noise: Option<f64>,
    #[serde(flatten)]
    analysis: EnsembleReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    plots: Option<Vec<String>>,
}

fn file_stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "input".into())
}

// ANCHOR: analyze_file
/// Analyses the peaks of one file's samples.
fn analyse(a: &AnalyzeArgs, ens: &Ensemble) -> anyhow::Result<FileReport> {
    let shown = ens.path.display().to_string();
    let analysis = analyse_ensemble(&ens.spectra, &a.options(ens)?).context(shown.clone())?;
    Ok(FileReport {
        file: shown,
        key: a.key.clone(),
        input: ens.kind,
        shape: ens.shape.clone(),
        snapshot: ens.snapshot,
        spectrum: if ens.kind == "matrices" {
            a.spectrum.name()
        } else {
            "as given"
        },
        lr: ens.lr,
        batch_size: ens.batch,
        noise: ens.noise,
        analysis,
        plots: None,
    })
}
// ANCHOR_END: analyze_file

fn x_label(a: &AnalyzeArgs, kind: &str) -> &'static str {
    match (kind, a.spectrum) {
        ("matrices", Spectrum::Singular) => "singular value ξ",
        ("matrices", Spectrum::Squared) => "eigenvalue x of WᵀW",
        _ => "level",
    }
}

fn peak_plots(
    a: &AnalyzeArgs,
    ens: &Ensemble,
    r: &FileReport,
    dir: &Path,
) -> anyhow::Result<Vec<String>> {
    let stem = file_stem(&ens.path);
    let mut out = Vec::new();
    for (k, p) in r.analysis.peaks.iter().enumerate() {
        let path = dir.join(format!("{stem}_peak{k}.png"));
        let title = format!("{stem}: peak {k} (levels {:?})", p.levels);
        peak_png(&path, &title, x_label(a, ens.kind), &ens.spectra, p)?;
        out.push(path.display().to_string());
    }
    Ok(out)
}

/// Validates the options before any work: errors on the command line come first.
fn check_args(a: &AnalyzeArgs) -> anyhow::Result<()> {
    if !a.scaling && a.files.len() != 1 {
        bail!(
            "{} files given: analyse one file, or several runs with --scaling",
            a.files.len()
        );
    }
    if a.scaling && a.files.len() < 2 {
        bail!("--scaling needs at least two runs");
    }
    if !a.scaling && (a.lr.is_some() || a.batch.is_some()) {
        bail!("--lr and --batch are for --scaling");
    }
    for (name, l) in [("lr", &a.lr), ("batch", &a.batch)] {
        if let Some(l) = l {
            if l.0.len() != a.files.len() {
                bail!(
                    "--{name} has {} values for {} runs: give one per run, in order",
                    l.0.len(),
                    a.files.len()
                );
            }
            if l.0.iter().any(|&v| v <= 0.0) {
                bail!("--{name}: values must be > 0");
            }
        }
    }
    if a.bootstrap == 1 {
        bail!("--bootstrap 1: give 0 (no bootstrap) or at least 2 replicates");
    }
    Ok(())
}

/// Writes the JSON to stdout and, if asked, to a file (atomically).
fn emit(a: &AnalyzeArgs, v: &impl Serialize) -> anyhow::Result<()> {
    let v = serde_json::to_value(v)?;
    if let Some(p) = &a.json {
        let text = serde_json::to_string_pretty(&v)? + "\n";
        runner::write_atomic(p, text.as_bytes())
            .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
    }
    print_json(&v)
}

fn create_dir(d: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))
}

pub fn run(a: AnalyzeArgs) -> anyhow::Result<()> {
    check_args(&a)?;
    if a.scaling {
        return run_scaling(&a);
    }
    let ens = input::read(&a.files[0], &a.read_options()?)?;
    let mut r = analyse(&a, &ens)?;
    if let Some(dir) = &a.plots {
        create_dir(dir)?;
        r.plots = Some(peak_plots(&a, &ens, &r, dir)?);
    }
    emit(&a, &r)
}

/// One run of `--scaling`: its analysis and the hyperparameters used.
#[derive(Serialize)]
struct Run {
    #[serde(flatten)]
    report: FileReport,
    scaling_lr: f64,
    scaling_batch_size: f64,
}

#[derive(Serialize)]
struct Scaling {
    model: &'static str,
    abscissa: &'static str,
    hyperparameters_from: &'static str,
    fits: Vec<ScalingFit>,
}

#[derive(Serialize)]
struct ScalingOutput {
    scaling: Scaling,
    runs: Vec<Run>,
    #[serde(skip_serializing_if = "Option::is_none")]
    plots: Option<Vec<String>>,
}

// ANCHOR: analyze_scaling
/// `--scaling`: per run σ of each peak; σ = a·x fitted through the origin for every peak index
/// present in all runs, x = √(α/|B|), or √(α·noise²/|B|) when every run carries a `noise`
/// scalar and α, |B| come from the files (the teacher-student release).
fn run_scaling(a: &AnalyzeArgs) -> anyhow::Result<()> {
    let opts = a.read_options()?;
    let ensembles: Vec<Ensemble> = a
        .files
        .iter()
        .map(|f| input::read(f, &opts))
        .collect::<Result<_, _>>()?;
    let given = a.lr.is_some() && a.batch.is_some();
    let mut hyper = Vec::new();
    for (i, e) in ensembles.iter().enumerate() {
        let f = e.path.display();
        let lr = match &a.lr {
            Some(l) => l.0[i],
            None => e.lr.ok_or_else(|| {
                anyhow::anyhow!("{f}: no learning rate: the file has no scalar 'lr'; give --lr")
            })?,
        };
        let bs = match &a.batch {
            Some(l) => l.0[i],
            None => e.batch.ok_or_else(|| {
                anyhow::anyhow!(
                    "{f}: no batch size: the file has no scalar 'batch_size'; give --batch"
                )
            })?,
        };
        if lr.is_nan() || bs.is_nan() || lr <= 0.0 || bs <= 0.0 {
            bail!("{f}: lr = {lr} and batch size = {bs} must be > 0");
        }
        hyper.push((lr, bs, e.noise));
    }
    let reports: Vec<FileReport> = ensembles
        .iter()
        .map(|e| analyse(a, e))
        .collect::<anyhow::Result<_>>()?;
    let with_noise = !given && hyper.iter().all(|h| h.2.is_some_and(|n| n > 0.0));
    let x: Vec<f64> = hyper
        .iter()
        .map(|&(lr, bs, n)| {
            let n2 = if with_noise {
                n.unwrap_or(1.0).powi(2)
            } else {
                1.0
            };
            (lr * n2 / bs).sqrt()
        })
        .collect();
    let abscissa = if with_noise {
        "sqrt(lr * noise^2 / batch_size)"
    } else {
        "sqrt(lr / batch_size)"
    };
    let analyses: Vec<&EnsembleReport> = reports.iter().map(|r| &r.analysis).collect();
    let fits = scaling_fits(&x, &analyses).context("scaling fit")?;
    // Pictures only once every fit has succeeded: a failure leaves no file behind.
    let mut plots = None;
    if let Some(dir) = &a.plots {
        create_dir(dir)?;
        let mut pngs = Vec::new();
        for f in &fits {
            let k = f.peak;
            let mut sets = vec![ScalingPoints {
                label: format!("least squares, {} errors", f.sigma_err_kind),
                x: x.clone(),
                y: f.sigma.clone(),
                e: f.sigma_err.clone(),
                slope: f.slope.value,
            }];
            if let Some(m) = &f.maximum_likelihood {
                sets.push(ScalingPoints {
                    label: "maximum likelihood".into(),
                    x: x.clone(),
                    y: m.sigma.clone(),
                    e: m.sigma_err.clone(),
                    slope: m.slope.value,
                });
            }
            let title = format!(
                "linear scaling, peak {k}: a = {:.4} ± {:.4}, χ²/dof = {:.2}",
                f.slope.value, f.slope.stderr, f.slope.chi2_dof
            );
            let path = dir.join(format!("scaling_peak{k}.png"));
            scaling_png(&path, &title, abscissa, &sets)?;
            pngs.push(path.display().to_string());
        }
        for (e, r) in ensembles.iter().zip(&reports) {
            pngs.extend(peak_plots(a, e, r, dir)?);
        }
        plots = Some(pngs);
    }
    let runs = reports
        .into_iter()
        .zip(&hyper)
        .map(|(report, h)| Run {
            report,
            scaling_lr: h.0,
            scaling_batch_size: h.1,
        })
        .collect();
    emit(
        a,
        &ScalingOutput {
            scaling: Scaling {
                model: "sigma = a * x (weighted least squares through the origin)",
                abscissa,
                hyperparameters_from: if given { "command line" } else { "files" },
                fits,
            },
            runs,
            plots,
        },
    )
}
// ANCHOR_END: analyze_scaling
