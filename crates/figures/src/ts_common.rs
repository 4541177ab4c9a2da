//! Shared pieces of the released-model figures (`ts_scaling`, `ts_release`): the grid, the
//! authors' per-configuration numbers with bootstrap errors, and the global slope fits.

use coulomb_gas::fit::lm::{fit_curve, LineThroughOrigin, LmOptions};
use langevin_core::stream;
use release_data::ts::ReleasedConfig;
use serde::{Deserialize, Serialize};
use teacher_student::analysis::{authors_numbers, bootstrap_numbers, AuthorsNumbers};
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
    /// σ, ⟨S⟩ and friends.
    pub numbers: AuthorsNumbers,
    /// Bootstrap standard deviation of σ.
    pub sigma_err: f64,
    /// Bootstrap standard deviation of ⟨S⟩.
    pub s_err: f64,
}

/// The authors' analysis of `pairs` (p0 = [2, √(α noise²/|B|)]) and a bootstrap over networks.
pub fn analyse(
    pairs: &[[f64; 2]],
    c: &ReleasedConfig,
    replicates: usize,
    seed: u64,
    label: &str,
) -> anyhow::Result<Point> {
    let p0 = [2.0, scale(c)];
    let numbers = authors_numbers(pairs, p0)?;
    let purpose = format!("{label}/bootstrap/{}", c.stem());
    let (sigma_err, s_err) =
        bootstrap_numbers(pairs, p0, replicates, |r| stream(seed, &purpose, r))?;
    Ok(Point {
        numbers,
        sigma_err,
        s_err,
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

/// A one-parameter fit y = a·x with errors on y.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Slope {
    /// Fitted slope a.
    pub slope: f64,
    /// Its standard error with the given errors taken as absolute (`absolute_sigma=True`).
    pub stderr: f64,
    /// Its standard error rescaled by √(χ²/dof) (`absolute_sigma=False`, the authors' choice).
    pub stderr_scaled: f64,
    /// χ² = Σ (y − a x)²/e².
    pub chi2: f64,
    /// Points minus one.
    pub dof: usize,
    /// The true χ²/dof.
    pub chi2_dof: f64,
    /// The authors' printed "χ²/dof": Σ (y − a x)²/e / dof (divides by e, not e²; authors-protocol
    /// §1(d) item 6), for comparison only.
    pub authors_pseudo_chi2_dof: f64,
    /// Number of points.
    pub points: usize,
}

/// Weighted least-squares fit of y = a·x (`LineThroughOrigin`).
pub fn slope_fit(x: &[f64], y: &[f64], e: &[f64]) -> anyhow::Result<Slope> {
    let f = fit_curve(
        &LineThroughOrigin,
        x,
        y,
        Some(e),
        &[1.0],
        &LmOptions::default(),
    )?;
    let a = f.params[0];
    let dof = f.dof.max(1);
    let pseudo: f64 = x
        .iter()
        .zip(y)
        .zip(e)
        .map(|((xi, yi), ei)| (yi - a * xi).powi(2) / ei)
        .sum();
    Ok(Slope {
        slope: a,
        stderr: f.stderr[0],
        stderr_scaled: f.stderr_scaled[0],
        chi2: f.ssr,
        dof: f.dof,
        chi2_dof: f.ssr / dof as f64,
        authors_pseudo_chi2_dof: pseudo / dof as f64,
        points: x.len(),
    })
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
