//! Shared pieces of the released-model figures (`ts_scaling`, `ts_release`): the grid, the
//! authors' per-configuration numbers with bootstrap errors, and the global slope fits.

use std::path::{Path, PathBuf};

use release_data::ts::ReleasedConfig;
use serde::{Deserialize, Serialize};
use spectral::{analyse_peak, PeakOptions, PeakReport};
use teacher_student::{LinearResponse, Model, Record};

/// √(α·noise²/|B|): the authors' abscissa and starting width.
pub fn scale(c: &ReleasedConfig) -> f64 {
    (c.lr * c.noise * c.noise / c.batch as f64).sqrt()
}

/// The width σ = √(⟨δξ²⟩/1.5) of the linear-response law of the released model (Eq 9 with its
/// finite-α and minibatch-covariance corrections).
pub fn sigma_linear(c: &ReleasedConfig) -> anyhow::Result<f64> {
    let h = Model::Released.hyper(c.lr, c.noise, c.batch);
    let m2 = LinearResponse::new(&Model::Released.teacher(), &h)?.pooled_second_moment()?;
    Ok((m2 / 1.5).sqrt())
}

/// The authors' σ and ⟨S⟩ of one ensemble with bootstrap errors.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Point {
    /// σ of Eq (11) by least squares on the Freedman–Diaconis histogram.
    pub sigma: f64,
    /// Bootstrap standard deviation of σ.
    pub sigma_err: f64,
    /// The authors' binned ⟨S⟩.
    pub mean_spacing: f64,
    /// Bootstrap standard deviation of ⟨S⟩.
    pub s_err: f64,
    /// Bins of the level histogram.
    pub bins: usize,
}

/// The per-peak options of a released configuration: start p0 = [2, √(α noise²/|B|)] as the
/// authors, bootstrap streams `<label>/bootstrap/<file stem>`.
pub fn peak_options(c: &ReleasedConfig, replicates: usize, seed: u64, label: &str) -> PeakOptions {
    PeakOptions {
        sigma0: Some(scale(c)),
        bootstrap: replicates,
        seed,
        purpose: format!("{label}/bootstrap/{}", c.stem()),
        ..PeakOptions::default()
    }
}

/// The pair of levels near 2 of `pairs`, analysed by [`spectral::analyse_peak`].
pub fn report(
    pairs: &[[f64; 2]],
    c: &ReleasedConfig,
    replicates: usize,
    seed: u64,
    label: &str,
) -> anyhow::Result<PeakReport> {
    let o = peak_options(c, replicates, seed, label);
    Ok(analyse_peak(pairs, &[0, 1], Some(2.0), &o)?)
}

/// The authors' σ and binned ⟨S⟩ of `pairs` (no errors).
pub fn authors_numbers(pairs: &[[f64; 2]], c: &ReleasedConfig) -> anyhow::Result<(f64, f64)> {
    let r = report(pairs, c, 0, 0, "")?;
    let fit = r
        .fit
        .ok_or_else(|| anyhow::anyhow!("{}: {}", c.stem(), r.fit_error.unwrap_or_default()))?;
    let s = r
        .spacings
        .ok_or_else(|| anyhow::anyhow!("{}: no spacings", c.stem()))?;
    Ok((fit.sigma, s.mean_binned))
}

/// The authors' analysis of `pairs` and a bootstrap over networks.
pub fn analyse(
    pairs: &[[f64; 2]],
    c: &ReleasedConfig,
    replicates: usize,
    seed: u64,
    label: &str,
) -> anyhow::Result<Point> {
    let r = report(pairs, c, replicates, seed, label)?;
    let stem = c.stem();
    let fail = |e: Option<String>| anyhow::anyhow!("{stem}: {}", e.unwrap_or_default());
    let fit = r.fit.as_ref().ok_or_else(|| fail(r.fit_error.clone()))?;
    let b = r
        .bootstrap
        .as_ref()
        .ok_or_else(|| fail(r.bootstrap_error.clone()))?;
    let s = r
        .spacings
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("{stem}: no spacings"))?;
    Ok(Point {
        sigma: fit.sigma,
        sigma_err: b.sigma,
        mean_spacing: s.mean_binned,
        s_err: b.mean_spacing_binned.unwrap_or(f64::NAN),
        bins: fit.bins,
    })
}

/// Final singular-value pairs of `seeds` networks of the released model on input draw `run`.
pub fn simulate(
    c: &ReleasedConfig,
    seeds: usize,
    epochs: usize,
    seed: u64,
    run: u64,
) -> anyhow::Result<Vec<[f64; 2]>> {
    let mut h = Model::Released.hyper(c.lr, c.noise, c.batch);
    h.epochs = epochs;
    let sim = Model::Released.run(h, seed, run)?;
    let label = format!("ts {}", sim.purpose());
    let nets = runner::par_items(&label, seeds, |k| Ok(sim.member(k, Record::Final)?))?;
    Ok(nets
        .iter()
        .map(|m| {
            let xi = m.singular_values();
            [xi[0], xi[1]]
        })
        .collect())
}

/// Series code for CSV columns: 0 = noise scan, 1 = learning-rate scan, 2 = batch-size scan.
pub fn series_code(c: &ReleasedConfig) -> f64 {
    match c.series {
        release_data::ts::Series::Ns => 0.0,
        release_data::ts::Series::Lr => 1.0,
        release_data::ts::Series::Bs => 2.0,
    }
}

/// Legend label of a scan.
pub fn series_label(code: usize) -> &'static str {
    [
        "noise scan (α = 0.1, |B| = 16)",
        "α scan (noise 0.1, |B| = 16)",
        "|B| scan (α = 0.1, noise 0.1)",
    ][code.min(2)]
}

/// The hidden-layer models of Figs 4 and 5: Z of Eq 26, then Eq 27.
pub(crate) const HIDDEN_MODELS: [Model; 2] = [Model::Z26, Model::Z27];

/// Runs `compute` for each hidden-layer model of Figs 4 and 5 (Z of Eq 26, then Eq 27): their
/// summaries, their tables and every file written.
pub(crate) fn per_hidden_model<S, T>(
    mut compute: impl FnMut(Model) -> anyhow::Result<(S, T, Vec<PathBuf>)>,
) -> anyhow::Result<([S; 2], Vec<T>, Vec<PathBuf>)> {
    let (s26, t26, mut files) = compute(Model::Z26)?;
    let (s27, t27, f27) = compute(Model::Z27)?;
    files.extend(f27);
    Ok(([s26, s27], vec![t26, t27], files))
}

/// The two tables a hidden-layer model's panel is drawn from, `<prefix>_<model>.csv` each
/// (Figs 4 and 5).
pub(crate) fn model_table_paths(dir: &Path, model: Model, prefixes: [&str; 2]) -> [PathBuf; 2] {
    prefixes.map(|p| dir.join(format!("{p}_{}.csv", model.name())))
}

/// [`model_table_paths`], read.
pub(crate) fn read_model_tables(
    dir: &Path,
    model: Model,
    prefixes: [&str; 2],
) -> anyhow::Result<[runner::CsvTable; 2]> {
    let [a, b] = model_table_paths(dir, model, prefixes);
    Ok([runner::read_csv(a)?, runner::read_csv(b)?])
}
