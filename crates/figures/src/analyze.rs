//! The analysis of anyone's weight matrices (or spectra), as `rmt-sgd analyze` runs it:
//!
//! * `release_data::ensemble` reads `.npz` / `.npy` (any float or integer dtype, C or Fortran
//!   order) and CSV files, with the ensemble and snapshot axes, into singular values (or
//!   eigenvalues of WᵀW) per sample;
//! * the analysis itself is the `spectral` crate's (`analyse_ensemble`, `scaling_fits`), the one
//!   the figures use: outlying networks reported and left out, peaks from targets or decided by
//!   likelihood, per peak the Eq (11), Eq (32) and Gaussian fits by least squares and maximum
//!   likelihood with bootstrap errors, U4, spacings vs the surmise, the headline estimate and
//!   why; across runs, peaks matched by centre, σ = a·√(α/|B|) through the origin, the free
//!   exponent and the verdict on the linear scaling rule;
//! * pictures: one PNG per peak and one per scaling fit ([`crate::analyze_plots`]).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use release_data::ensemble::{self as input, Ensemble, ReadOptions, Spectrum};
use serde::Serialize;
use spectral::{
    analyse_ensemble, scaling_fits, EnsembleOptions, EnsembleReport, PeakOptions, ScalingReport,
    MIN_SAMPLES,
};

use crate::analyze_plots::{peak_png, scaling_png, ScalingPoints};

/// `rmt-sgd analyze`'s default bootstrap replicates.
pub const DEFAULT_BOOTSTRAP: usize = 200;
/// `rmt-sgd analyze`'s default base seed of the bootstrap.
pub const DEFAULT_SEED: u64 = 20240814;
/// `rmt-sgd analyze`'s default label of the bootstrap streams.
pub const DEFAULT_BOOTSTRAP_LABEL: &str = "analyze";

/// How to read and analyse files.
#[derive(Clone, Debug)]
pub struct AnalyzeOptions {
    /// How to read each file.
    pub read: ReadOptions,
    /// Peak positions; `None`: automatic.
    pub targets: Option<Vec<f64>>,
    /// Starting width of the least-squares fits; `None`: the authors' √(lr·noise²/batch_size)
    /// for singular values of a file with those scalars, else from the data.
    pub sigma0: Option<f64>,
    /// Bootstrap replicates (0: none).
    pub bootstrap: usize,
    /// Base seed of the bootstrap.
    pub seed: u64,
    /// Bootstrap streams are `stream(seed, "<label>/bootstrap/<file stem>", r)`.
    pub bootstrap_label: String,
    /// Scaling: learning rates of the runs, in order (overrides the files' `lr`).
    pub lr: Option<Vec<f64>>,
    /// Scaling: batch sizes of the runs, in order (overrides the files' `batch_size`).
    pub batch: Option<Vec<f64>>,
    /// Write PNGs into this directory.
    pub plots: Option<PathBuf>,
    /// Keep outlying networks in the statistics (they are reported either way).
    pub keep_outliers: bool,
}

impl Default for AnalyzeOptions {
    /// The command's defaults: `rmt-sgd analyze FILE` with no option.
    fn default() -> Self {
        AnalyzeOptions {
            read: ReadOptions::default(),
            targets: None,
            sigma0: None,
            bootstrap: DEFAULT_BOOTSTRAP,
            seed: DEFAULT_SEED,
            bootstrap_label: DEFAULT_BOOTSTRAP_LABEL.into(),
            lr: None,
            batch: None,
            plots: None,
            keep_outliers: false,
        }
    }
}

impl AnalyzeOptions {
    /// The analysis options of one file.
    fn options(&self, ens: &Ensemble) -> EnsembleOptions {
        let auto = match (ens.kind, self.read.spectrum, ens.lr, ens.noise, ens.batch) {
            ("matrices", Spectrum::Singular, Some(lr), Some(noise), Some(bs)) if bs > 0.0 => {
                Some((lr * noise * noise / bs).sqrt())
            }
            _ => None,
        };
        EnsembleOptions {
            targets: self.targets.clone(),
            keep_outliers: self.keep_outliers,
            peak: PeakOptions {
                sigma0: self.sigma0.or(auto),
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
        }
    }
}

/// What `analyze` prints for one file: where the samples came from and their analysis.
#[derive(Serialize)]
pub struct FileReport {
    /// The file.
    pub file: String,
    /// The array read from an `.npz`.
    pub key: String,
    /// `matrices` or `spectra`.
    pub input: &'static str,
    /// Shape of the array read.
    pub shape: Vec<usize>,
    /// The snapshot used, if the array has a snapshot axis.
    pub snapshot: Option<usize>,
    /// `singular`, `squared` or `as given`.
    pub spectrum: &'static str,
    /// The file's learning rate.
    pub lr: Option<f64>,
    /// The file's batch size.
    pub batch_size: Option<f64>,
    /// The file's noise strength.
    pub noise: Option<f64>,
    /// The analysis.
    #[serde(flatten)]
    pub analysis: EnsembleReport,
    /// Pictures written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plots: Option<Vec<String>>,
}

fn file_stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "input".into())
}

// ANCHOR: analyze_file
/// Analyses the peaks of one file's samples.
fn analyse(a: &AnalyzeOptions, ens: &Ensemble) -> anyhow::Result<FileReport> {
    let shown = ens.path.display().to_string();
    if ens.spectra.len() < MIN_SAMPLES {
        bail!(
            "{shown}: {} sample(s) along the ensemble axis {} of the {} of shape {:?}: the widths \
             are fluctuations across an ensemble of independently trained networks (at least \
             {MIN_SAMPLES}); if the networks lie along another axis, set --ensemble-axis (and \
             --snapshot-axis for snapshots)",
            ens.spectra.len(),
            a.read.ensemble_axis.unwrap_or(0),
            ens.kind,
            ens.shape
        );
    }
    let analysis = analyse_ensemble(&ens.spectra, &a.options(ens)).context(shown.clone())?;
    Ok(FileReport {
        file: shown,
        key: a.read.key.clone(),
        input: ens.kind,
        shape: ens.shape.clone(),
        snapshot: ens.snapshot,
        spectrum: if ens.kind == "matrices" {
            a.read.spectrum.name()
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

fn x_label(a: &AnalyzeOptions, kind: &str) -> &'static str {
    match (kind, a.read.spectrum) {
        ("matrices", Spectrum::Singular) => "singular value ξ",
        ("matrices", Spectrum::Squared) => "eigenvalue x of WᵀW",
        _ => "level",
    }
}

fn peak_plots(
    a: &AnalyzeOptions,
    ens: &Ensemble,
    r: &FileReport,
    dir: &Path,
) -> anyhow::Result<Vec<String>> {
    let stem = file_stem(&ens.path);
    let mut out = Vec::new();
    let rows = r.analysis.kept(&ens.spectra);
    for (k, p) in r.analysis.peaks.iter().enumerate() {
        let path = dir.join(format!("{stem}_peak{k}.png"));
        let title = format!("{stem}: peak {k} (levels {:?})", p.report.levels);
        peak_png(&path, &title, x_label(a, ens.kind), &rows, &p.report)?;
        out.push(path.display().to_string());
    }
    Ok(out)
}

/// Validates the options against the number of runs before any work: errors in the options
/// come first.
pub fn check(a: &AnalyzeOptions, files: usize, scaling: bool) -> anyhow::Result<()> {
    if !scaling && files != 1 {
        bail!("{files} files given: analyse one file, or several runs with --scaling");
    }
    if scaling && files < 2 {
        bail!("--scaling needs at least two runs");
    }
    if !scaling && (a.lr.is_some() || a.batch.is_some()) {
        bail!("--lr and --batch are for --scaling");
    }
    for (name, l) in [("lr", &a.lr), ("batch", &a.batch)] {
        if let Some(l) = l {
            if l.len() != files {
                bail!(
                    "--{name} has {} values for {files} runs: give one per run, in order",
                    l.len()
                );
            }
            if l.iter().any(|&v| !(v > 0.0 && v.is_finite())) {
                bail!("--{name}: values must be finite and > 0");
            }
        }
    }
    if let Some(t) = &a.targets {
        if t.is_empty() {
            bail!("--targets: empty list");
        }
        if let Some(v) = t.iter().find(|v| !v.is_finite()) {
            bail!("--targets: '{v}' is not finite");
        }
    }
    if a.bootstrap == 1 {
        bail!("--bootstrap 1: give 0 (no bootstrap) or at least 2 replicates");
    }
    if let Some(s) = a.sigma0 {
        if !(s > 0.0 && s.is_finite()) {
            bail!("--sigma0 {s}: must be finite and > 0");
        }
    }
    Ok(())
}

/// The pictures' directory: created if missing, but not its parents (as for every output, a
/// mistyped path must not grow a tree of directories).
fn create_dir(d: &Path) -> anyhow::Result<()> {
    if d.is_dir() {
        return Ok(());
    }
    if let Some(p) = d.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !p.is_dir() {
            bail!(
                "--plots {}: directory {} does not exist (create it first)",
                d.display(),
                p.display()
            );
        }
    }
    std::fs::create_dir(d).with_context(|| format!("cannot create {}", d.display()))
}

/// `analyze FILE`: the analysis of one file (and its pictures with `plots`).
pub fn analyse_file(path: &Path, a: &AnalyzeOptions) -> anyhow::Result<FileReport> {
    check(a, 1, false)?;
    let ens = input::read(path, &a.read)?;
    let mut r = analyse(a, &ens)?;
    if let Some(dir) = &a.plots {
        create_dir(dir)?;
        r.plots = Some(peak_plots(a, &ens, &r, dir)?);
    }
    Ok(r)
}

/// [`analyse_file`] of an ensemble already in memory (the Python package's numpy arrays; no
/// pictures): the same checks and analysis, so the same report for the same samples.
pub fn analyse_ensemble_of(ens: &Ensemble, a: &AnalyzeOptions) -> anyhow::Result<FileReport> {
    check(a, 1, false)?;
    analyse(a, ens)
}

/// One run of `--scaling`: its analysis and the hyperparameters used.
#[derive(Serialize)]
pub struct Run {
    /// The run's analysis.
    #[serde(flatten)]
    pub report: FileReport,
    /// α used.
    pub scaling_lr: f64,
    /// |B| used.
    pub scaling_batch_size: f64,
}

#[derive(Serialize)]
pub struct Scaling {
    /// The models fitted.
    pub model: &'static str,
    /// The abscissa x.
    pub abscissa: &'static str,
    /// Where α and |B| came from.
    pub hyperparameters_from: &'static str,
    /// The fits per matched peak, the unmatched peaks and the verdict.
    #[serde(flatten)]
    pub report: ScalingReport,
}

#[derive(Serialize)]
pub struct ScalingOutput {
    /// The fits.
    pub scaling: Scaling,
    /// Every run's analysis.
    pub runs: Vec<Run>,
    /// Pictures written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plots: Option<Vec<String>>,
}

// ANCHOR: analyze_scaling
/// `--scaling`: per run σ of each peak; σ = a·x fitted through the origin for every peak index
/// present in all runs, x = √(α/|B|), or √(α·noise²/|B|) when every run carries a `noise`
/// scalar and α, |B| come from the files (the teacher-student release).
pub fn analyse_scaling(files: &[PathBuf], a: &AnalyzeOptions) -> anyhow::Result<ScalingOutput> {
    check(a, files.len(), true)?;
    let ensembles: Vec<Ensemble> = files
        .iter()
        .map(|f| input::read(f, &a.read))
        .collect::<Result<_, _>>()?;
    scaling_of(&ensembles, a)
}

/// [`analyse_scaling`] of ensembles already in memory (the `verdicts` figure trains its own).
pub fn scaling_of(ensembles: &[Ensemble], a: &AnalyzeOptions) -> anyhow::Result<ScalingOutput> {
    check(a, ensembles.len(), true)?;
    let given = a.lr.is_some() && a.batch.is_some();
    let mut hyper = Vec::new();
    for (i, e) in ensembles.iter().enumerate() {
        let f = e.path.display();
        let lr = match &a.lr {
            Some(l) => l[i],
            None => e.lr.ok_or_else(|| {
                anyhow::anyhow!("{f}: no learning rate: the file has no scalar 'lr'; give --lr")
            })?,
        };
        let bs = match &a.batch {
            Some(l) => l[i],
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
    let report = scaling_fits(&x, &analyses).context("scaling fit")?;
    // Pictures only once every fit has succeeded: a failure leaves no file behind.
    let mut plots = None;
    if let Some(dir) = &a.plots {
        create_dir(dir)?;
        let mut pngs = scaling_pngs(&report, &x, abscissa, dir)?;
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
    Ok(ScalingOutput {
        scaling: Scaling {
            model: "sigma = a * x (weighted least squares through the origin) and \
                    sigma = a * x^p (weighted least squares of ln sigma on ln x)",
            abscissa,
            hyperparameters_from: if given { "command line" } else { "files" },
            report,
        },
        runs,
        plots,
    })
}
// ANCHOR_END: analyze_scaling

/// One PNG per scaling fit of `report` into `dir`: σ against x with the fitted line(s), the
/// slope, exponent and verdict in the title.
pub fn scaling_pngs(
    report: &ScalingReport,
    x: &[f64],
    abscissa: &str,
    dir: &Path,
) -> anyhow::Result<Vec<String>> {
    let mut pngs = Vec::new();
    for f in &report.fits {
        let k = f.peak;
        let estimator = match f.estimator {
            spectral::Estimator::LeastSquares => "least squares",
            spectral::Estimator::MaximumLikelihood => "maximum likelihood",
        };
        let mut sets = vec![ScalingPoints {
            label: format!("{estimator}, {} errors", f.sigma_err_kind),
            x: x.to_vec(),
            y: f.sigma.clone(),
            e: f.sigma_err.clone(),
            slope: f.slope.value,
        }];
        if let (Some(m), spectral::Estimator::LeastSquares) = (&f.maximum_likelihood, f.estimator) {
            sets.push(ScalingPoints {
                label: "maximum likelihood".into(),
                x: x.to_vec(),
                y: m.sigma.clone(),
                e: m.sigma_err.clone(),
                slope: m.slope.value,
            });
        }
        let title = format!(
            "peak {k}: a = {:.4} ± {:.4}, χ²/dof = {:.2}, exponent {:.3} ± {:.3}: {}",
            f.slope.value,
            f.slope.stderr_scaled.max(f.slope.stderr),
            f.slope.chi2_dof,
            f.exponent.value,
            f.exponent.err_scaled,
            f.verdict.linear_scaling
        );
        let path = dir.join(format!("scaling_peak{k}.png"));
        scaling_png(&path, &title, abscissa, &sets)?;
        pngs.push(path.display().to_string());
    }
    Ok(pngs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use coulomb_gas::goe_sample;
    use langevin_core::stream;

    fn options() -> AnalyzeOptions {
        AnalyzeOptions {
            read: ReadOptions::default(),
            targets: None,
            sigma0: None,
            bootstrap: 20,
            seed: 1,
            bootstrap_label: "test".into(),
            lr: None,
            batch: None,
            plots: None,
            keep_outliers: false,
        }
    }

    /// A CSV of spectra (a GOE pair of width `sigma` about 2, a normal level about 5) through
    /// the whole path: the report is `spectral::analyse_ensemble` of the same numbers, bit for
    /// bit, and the width is the one drawn.
    #[test]
    fn a_file_is_analysed_as_spectral_analyses_its_numbers() {
        let sigma = 0.05;
        let mut rng = stream(3, "figures/test/analyze", 0);
        let rows: Vec<Vec<f64>> = (0..400)
            .map(|_| {
                let e = goe_sample(2, sigma, &mut rng).unwrap();
                let g = goe_sample(1, sigma, &mut rng).unwrap();
                let mut l = vec![2.0 + e[0], 2.0 + e[1], 5.0 + g[0]];
                l.sort_by(f64::total_cmp);
                l
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("spectra.csv");
        let text: String = rows
            .iter()
            .map(|r| runner::encode_floats(r) + "\n")
            .collect();
        std::fs::write(&path, text).unwrap();
        let o = options();
        let r = analyse_file(&path, &o).unwrap();
        assert_eq!((r.input, r.analysis.samples), ("spectra", 400));
        let ens = input::read(&path, &o.read).unwrap();
        let want = analyse_ensemble(&rows, &o.options(&ens)).unwrap();
        assert_eq!(r.analysis, want);
        let pair = &r.analysis.peaks[0].report;
        assert_eq!(pair.levels, vec![0, 1]);
        let s = pair.sigma().unwrap();
        // 4 bootstrap errors: a false-alarm rate of 6e-5 for a normal estimate.
        assert!((s.value - sigma).abs() < 4.0 * s.err, "{s:?}");
        assert_eq!(r.analysis.peaks[1].report.levels, vec![2]);
    }

    #[test]
    fn options_are_checked_before_any_work() {
        let mut o = options();
        assert!(check(&o, 2, false).is_err());
        assert!(check(&o, 1, true).is_err());
        o.lr = Some(vec![0.1]);
        assert!(check(&o, 1, false)
            .unwrap_err()
            .to_string()
            .contains("--scaling"));
        assert!(check(&o, 2, true)
            .unwrap_err()
            .to_string()
            .contains("2 runs"));
        o.lr = None;
        o.targets = Some(vec![]);
        assert!(check(&o, 1, false)
            .unwrap_err()
            .to_string()
            .contains("empty"));
        o.targets = Some(vec![2.0, f64::NAN]);
        assert!(check(&o, 1, false)
            .unwrap_err()
            .to_string()
            .contains("not finite"));
        o.targets = None;
        o.bootstrap = 1;
        assert!(check(&o, 1, false).is_err());
    }
}
