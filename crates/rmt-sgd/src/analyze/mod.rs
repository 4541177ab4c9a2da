//! `rmt-sgd analyze`: the spectral analysis of anyone's weight matrices (or spectra).
//!
//! * [`input`]: `.npz` / `.npy` (any float or integer dtype, C or Fortran order) and CSV files;
//!   the ensemble and snapshot axes; singular values or eigenvalues of WᵀW;
//! * [`peak`]: peaks from `--targets` or found automatically; per peak the Eq (11), Eq (32) and
//!   Gaussian fits by least squares and maximum likelihood with errors, U4, spacings vs the
//!   surmise;
//! * `--scaling RUN1 RUN2 ...`: per run σ of each peak, and the linear scaling fit
//!   σ = a·√(α/|B|) (weighted least squares through the origin, `figures::ts_common::slope_fit`,
//!   the fit of the `ts_scaling`/`ts_release` figures) with a, its error and χ²/dof;
//! * [`plots`]: `--plots DIR`, one PNG per peak and one for the scaling fit.
//!
//! The JSON goes to stdout and, with `--json FILE`, to a file (written atomically).

mod input;
mod peak;
mod plots;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use figures::ts_common::slope_fit;
use serde_json::{json, Value};

use crate::args;
use crate::output::print_json;
use input::{parse_axis_or_none, parse_matrix, Ensemble, InputKind, ReadOptions, Spectrum};
use peak::{analyse_peak, assign_to_targets, auto_groups, mean_sd, Peak, PeakOptions};

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
    #[arg(long, value_enum, default_value_t = InputKind::Auto)]
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
    #[arg(long, value_enum, default_value_t = Spectrum::Singular)]
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
}

/// The analysis of one file: its JSON and its peaks.
struct FileResult {
    json: Value,
    peaks: Vec<Peak>,
    ensemble: Ensemble,
}

fn file_stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "input".into())
}

// ANCHOR: analyze_file
/// Reads one file and analyses its peaks.
fn analyse_file(a: &AnalyzeArgs, path: &Path) -> anyhow::Result<FileResult> {
    analyse_ensemble(a, input::read(path, &a.read_options()?)?)
}

/// Analyses the peaks of one file's samples.
fn analyse_ensemble(a: &AnalyzeArgs, ens: Ensemble) -> anyhow::Result<FileResult> {
    let path = ens.path.clone();
    let path = path.as_path();
    let shown = path.display().to_string();
    let levels = ens.spectra[0].len();
    let samples = ens.spectra.len();
    let (means, sds): (Vec<f64>, Vec<f64>) = (0..levels)
        .map(|i| mean_sd(&ens.spectra.iter().map(|v| v[i]).collect::<Vec<_>>()))
        .unzip();
    let (groups, targets): (Vec<Vec<usize>>, Vec<Option<f64>>) = match &a.targets {
        Some(t) => (
            assign_to_targets(&means, &t.0),
            t.0.iter().map(|&v| Some(v)).collect(),
        ),
        None => {
            let g = auto_groups(&means, &sds);
            let n = g.len();
            (g, vec![None; n])
        }
    };
    // σ₀: the authors' √(lr·noise²/batch_size) for singular values of a file with those scalars.
    let auto_sigma0 = match (ens.kind, a.spectrum, ens.lr, ens.noise, ens.batch) {
        ("matrices", Spectrum::Singular, Some(lr), Some(noise), Some(bs)) if bs > 0.0 => {
            Some((lr * noise * noise / bs).sqrt())
        }
        _ => None,
    };
    let sigma0 = match a.sigma0.as_str() {
        "auto" => auto_sigma0,
        s => Some(args::positive(s).map_err(|e| anyhow::anyhow!("--sigma0 '{s}': {e}"))?),
    };
    let opts = PeakOptions {
        sigma0,
        bootstrap: a.bootstrap,
        seed: a.seed,
        purpose: format!("{}/bootstrap/{}", a.bootstrap_label, file_stem(path)),
    };
    let peaks: Vec<Peak> = groups
        .iter()
        .zip(&targets)
        .map(|(g, &t)| analyse_peak(&ens.spectra, g, t, &opts))
        .collect::<anyhow::Result<_>>()
        .with_context(|| shown.clone())?;
    let json = json!({
        "file": shown,
        "key": a.key,
        "input": ens.kind,
        "shape": ens.shape,
        "snapshot": ens.snapshot,
        "spectrum": if ens.kind == "matrices" { a.spectrum.name() } else { "as given" },
        "samples": samples,
        "levels": levels,
        "level_means": means,
        "level_sds": sds,
        "peaks_from": if a.targets.is_some() { "targets" } else { "automatic" },
        "lr": ens.lr,
        "batch_size": ens.batch,
        "noise": ens.noise,
        "peaks": peaks.iter().map(|p| p.json.clone()).collect::<Vec<_>>(),
    });
    Ok(FileResult {
        json,
        peaks,
        ensemble: ens,
    })
}
// ANCHOR_END: analyze_file

fn x_label(a: &AnalyzeArgs, kind: &str) -> String {
    match (kind, a.spectrum) {
        ("matrices", Spectrum::Singular) => "singular value ξ".into(),
        ("matrices", Spectrum::Squared) => "eigenvalue x of WᵀW".into(),
        _ => "level".into(),
    }
}

fn create_dir(d: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))
}

fn peak_plots(a: &AnalyzeArgs, r: &FileResult, dir: &Path) -> anyhow::Result<Vec<String>> {
    let stem = file_stem(&r.ensemble.path);
    let mut out = Vec::new();
    for (k, p) in r.peaks.iter().enumerate() {
        if p.hist.is_none() {
            continue;
        }
        let path = dir.join(format!("{stem}_peak{k}.png"));
        let title = format!("{stem}: peak {k} (levels {:?})", p.levels);
        plots::peak_png(&path, &title, &x_label(a, r.ensemble.kind), p)?;
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
fn emit(a: &AnalyzeArgs, v: &Value) -> anyhow::Result<()> {
    if let Some(p) = &a.json {
        let text = serde_json::to_string_pretty(v)? + "\n";
        runner::write_atomic(p, text.as_bytes())
            .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
    }
    print_json(v)
}

pub fn run(a: AnalyzeArgs) -> anyhow::Result<()> {
    check_args(&a)?;
    if a.scaling {
        return run_scaling(&a);
    }
    let mut r = analyse_file(&a, &a.files[0])?;
    if let Some(dir) = &a.plots {
        create_dir(dir)?;
        let pngs = peak_plots(&a, &r, dir)?;
        r.json["plots"] = json!(pngs);
    }
    emit(&a, &r.json)
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
        .collect::<anyhow::Result<_>>()?;
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
    let results: Vec<FileResult> = ensembles
        .into_iter()
        .map(|e| analyse_ensemble(a, e))
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
    let npeaks = results.iter().map(|r| r.peaks.len()).min().unwrap_or(0);
    let mut fits = Vec::new();
    let mut pngs = Vec::new();
    let mut plot_jobs = Vec::new();
    for k in 0..npeaks {
        let mut ls = (Vec::new(), Vec::new());
        let mut ml = (Vec::new(), Vec::new());
        for r in &results {
            let p = &r.peaks[k];
            let f = r.ensemble.path.display();
            let (s, e) = p
                .sigma_ls()
                .ok_or_else(|| anyhow::anyhow!("{f}: peak {k} has no levels"))?;
            if e.is_nan() || e <= 0.0 || e.is_infinite() {
                bail!("{f}: peak {k}: the error of σ is {e}; cannot weight the fit");
            }
            ls.0.push(s);
            ls.1.push(e);
            if let Some((s, e)) = p.sigma_ml() {
                ml.0.push(s);
                ml.1.push(e);
            }
        }
        let fit_ls = slope_fit(&x, &ls.0, &ls.1).context("scaling fit")?;
        let fit_ml = if ml.0.len() == x.len() && ml.1.iter().all(|e| *e > 0.0 && e.is_finite()) {
            Some(slope_fit(&x, &ml.0, &ml.1).context("scaling fit (maximum likelihood)")?)
        } else {
            None
        };
        let err_kind = if a.bootstrap >= 2 {
            "bootstrap"
        } else {
            "least-squares standard error"
        };
        let sp = std::f64::consts::PI.sqrt();
        fits.push(json!({
            "peak": k,
            "levels": results[0].peaks[k].levels,
            "x": x,
            "sigma_ls": ls.0,
            "sigma_ls_err": ls.1,
            "sigma_ls_err_kind": err_kind,
            "slope": fit_ls.slope,
            "slope_err": fit_ls.stderr,
            "slope_err_scaled": fit_ls.stderr_scaled,
            "chi2": fit_ls.chi2,
            "dof": fit_ls.dof,
            "chi2_dof": fit_ls.chi2_dof,
            "sqrt_pi_slope": sp * fit_ls.slope,
            "maximum_likelihood": fit_ml.as_ref().map(|f| json!({
                "sigma": ml.0,
                "sigma_err": ml.1,
                "slope": f.slope,
                "slope_err": f.stderr,
                "chi2": f.chi2,
                "dof": f.dof,
                "chi2_dof": f.chi2_dof,
            })),
        }));
        if let Some(dir) = &a.plots {
            let mut sets = vec![plots::ScalingPoints {
                label: format!("least squares, {err_kind} errors"),
                x: x.clone(),
                y: ls.0.clone(),
                e: ls.1.clone(),
                slope: fit_ls.slope,
            }];
            if let Some(f) = &fit_ml {
                sets.push(plots::ScalingPoints {
                    label: "maximum likelihood".into(),
                    x: x.clone(),
                    y: ml.0.clone(),
                    e: ml.1.clone(),
                    slope: f.slope,
                });
            }
            let title = format!(
                "linear scaling, peak {k}: a = {:.4} ± {:.4}, χ²/dof = {:.2}",
                fit_ls.slope, fit_ls.stderr, fit_ls.chi2_dof
            );
            plot_jobs.push((dir.join(format!("scaling_peak{k}.png")), title, sets));
        }
    }
    // Pictures only once every fit has succeeded: a failure leaves no file behind.
    if let Some(dir) = &a.plots {
        create_dir(dir)?;
        for (path, title, sets) in &plot_jobs {
            plots::scaling_png(path, title, abscissa, sets)?;
            pngs.push(path.display().to_string());
        }
        for r in &results {
            pngs.extend(peak_plots(a, r, dir)?);
        }
    }
    let runs: Vec<Value> = results
        .iter()
        .zip(&hyper)
        .map(|(r, h)| {
            let mut v = r.json.clone();
            v["scaling_lr"] = json!(h.0);
            v["scaling_batch_size"] = json!(h.1);
            v
        })
        .collect();
    let mut out = json!({
        "scaling": {
            "model": "sigma = a * x (weighted least squares through the origin)",
            "abscissa": abscissa,
            "hyperparameters_from": if given { "command line" } else { "files" },
            "fits": fits,
        },
        "runs": runs,
    });
    if a.plots.is_some() {
        out["plots"] = json!(pngs);
    }
    emit(a, &out)
}
// ANCHOR_END: analyze_scaling
