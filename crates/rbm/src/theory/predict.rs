//! The prediction of one configuration through the data's own analysis, the steps from the
//! paper's picture to it, and data against prediction.

use super::chains::chain_driven_spectra;
use super::response::{LinearResponse, Terms, TheoryEnsemble};
use crate::analysis::{analyse_config, AnalysisOptions, ConfigResult, ConfigSamples};
use crate::error::RbmError;
use crate::lattice::Target;
use crate::model::Rbm;
use crate::N;

/// The steps from the paper's picture to the full prediction, each adding one term (the
/// decomposition of the difference between data and √(2π)).
pub const LEVELS: [(&str, Terms); 5] = [
    (
        "2x2 blocks only, white noise, small alpha, sorted and fitted as the data",
        Terms {
            finite_lr: false,
            persistence: false,
            all_modes: false,
            second_order_mean: false,
        },
    ),
    (
        "+ finite alpha (discrete map)",
        Terms {
            finite_lr: true,
            persistence: false,
            all_modes: false,
            second_order_mean: false,
        },
    ),
    (
        "+ chain persistence (PCD-k)",
        Terms {
            finite_lr: true,
            persistence: true,
            all_modes: false,
            second_order_mean: false,
        },
    ),
    (
        "+ all modes coupled (mixing, repulsion, sorting)",
        Terms {
            finite_lr: true,
            persistence: true,
            all_modes: true,
            second_order_mean: false,
        },
    ),
    ("+ second-order mean (the full prediction)", Terms::FULL),
];

/// Sizes and seed of a prediction.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TheoryOptions {
    /// Members of the predicted ensemble per configuration.
    pub realisations: usize,
    /// Bootstrap replicas of its analysis (its Monte Carlo error).
    pub bootstrap: usize,
    /// Base seed of the ensemble, the mean's draws and the bootstrap.
    pub seed: u64,
    /// Draws of the average that fixes the second-order mean.
    pub mean_samples: usize,
}

// ANCHOR: predict_config
/// The prediction for one configuration: the predicted ensemble through the very analysis the
/// learnt spectra go through ([`analyse_config`]: sorting, peak assignment, the Eq (11) or
/// Gaussian least-squares fit, the bootstrap).
pub fn predict_config(
    rbm: &Rbm,
    target: &Target,
    data: &ConfigResult,
    terms: Terms,
    opts: &TheoryOptions,
) -> Result<ConfigResult, RbmError> {
    let (lr, batch) = (data.lr, data.batch);
    let response =
        LinearResponse::predict(rbm, target, lr, batch, terms, opts.seed, opts.mean_samples)?;
    if response.var.iter().flatten().any(|v| !v.is_finite())
        || response.y.iter().any(|&y| y.is_nan() || y <= 0.0)
    {
        return Err(RbmError::Invalid(format!(
            "α = {lr}, |B| = {batch}: the linear response has no stationary state (γ ≥ 2 or y ≤ 0)"
        )));
    }
    let lambda = TheoryEnsemble::spectra(&response, opts.seed, lr, batch, opts.realisations);
    analyse_predicted(rbm, target, data, lambda, opts)
}
// ANCHOR_END: predict_config

/// The data's own analysis of a predicted ensemble (its errors by bootstrap, no ML refits).
fn analyse_predicted(
    rbm: &Rbm,
    target: &Target,
    data: &ConfigResult,
    lambda: Vec<[f64; N]>,
    opts: &TheoryOptions,
) -> Result<ConfigResult, RbmError> {
    let samples = ConfigSamples {
        lr: data.lr,
        batch: data.batch,
        batch_series: data.batch_series,
        lr_series: data.lr_series,
        success_ratio: 1.0,
        lambda,
    };
    let aopts = AnalysisOptions {
        bootstrap: opts.bootstrap,
        seed: opts.seed,
        mu2: rbm.mu2,
        bootstrap_mle: false,
    };
    analyse_config(&samples, target, &aopts)
}

/// [`predict_config`] with every term, but the predicted ensemble drawn from the linearised map
/// driven by simulated chains ([`chain_driven_spectra`], 10 relaxation times of the slowest
/// element) instead of Gaussian fluctuations: the same variances, the noise's true shape. The
/// difference from [`predict_config`] measures what the Gaussian assumption costs.
pub fn predict_config_chain_driven(
    rbm: &Rbm,
    target: &Target,
    data: &ConfigResult,
    opts: &TheoryOptions,
) -> Result<ConfigResult, RbmError> {
    let (lr, batch) = (data.lr, data.batch);
    let response = LinearResponse::predict(
        rbm,
        target,
        lr,
        batch,
        Terms::FULL,
        opts.seed,
        opts.mean_samples,
    )?;
    let gamma_min = (0..N)
        .map(|i| LinearResponse::element_at(rbm, &response.y, lr, batch, i, i).gamma)
        .fold(f64::INFINITY, f64::min);
    let steps = (10.0 / gamma_min).ceil() as usize;
    let lambda = chain_driven_spectra(
        &response,
        rbm,
        lr,
        batch,
        steps,
        opts.realisations,
        opts.seed,
    );
    analyse_predicted(rbm, target, data, lambda, opts)
}

/// Data against prediction over the degenerate pairs: χ² = Σ (σ_data − σ_theory)²/(err_data² +
/// err_theory²), both errors by bootstrap, no parameter fitted (dof = points).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Comparison {
    /// χ².
    pub chi2: f64,
    /// Points compared (= degrees of freedom).
    pub points: usize,
    /// χ²/points.
    pub chi2_dof: f64,
}

/// [`Comparison`] of σ over every pair of every configuration, without |B| = `skip_batch` if
/// given. Configurations are matched by position.
pub fn compare(
    data: &[ConfigResult],
    theory: &[ConfigResult],
    skip_batch: Option<usize>,
) -> Comparison {
    compare_by(data, theory, skip_batch, true, |p| {
        (p.sigma.value, p.sigma.err)
    })
}

/// The same for the fitted centres over every peak (pairs and single modes).
pub fn compare_centres(
    data: &[ConfigResult],
    theory: &[ConfigResult],
    skip_batch: Option<usize>,
) -> Comparison {
    compare_by(data, theory, skip_batch, false, |p| {
        (p.centre.value, p.centre.err)
    })
}

fn compare_by(
    data: &[ConfigResult],
    theory: &[ConfigResult],
    skip_batch: Option<usize>,
    pairs_only: bool,
    of: impl Fn(&crate::analysis::PeakResult) -> (f64, f64),
) -> Comparison {
    let mut chi2 = 0.0;
    let mut points = 0;
    for (d, t) in data.iter().zip(theory) {
        if Some(d.batch) == skip_batch {
            continue;
        }
        for (p, q) in d.peaks.iter().zip(&t.peaks) {
            if pairs_only && !p.pair {
                continue;
            }
            let ((a, ea), (b, eb)) = (of(p), of(q));
            chi2 += (a - b).powi(2) / (ea * ea + eb * eb);
            points += 1;
        }
    }
    Comparison {
        chi2,
        points,
        chi2_dof: chi2 / points as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole pipeline (ensemble, sorting, the data's Eq (11) fit, bootstrap) in the paper's
    /// regime: α = 0.002, |B| = 64 (σ ≤ 0.012 against gaps ≥ 0.38, no overlap). With the
    /// paper's picture and with every term, each pair's fitted σ is √(2(α/|B|)(μ² − κ)) within
    /// 4 bootstrap errors plus the O(γ) corrections (≤ 0.2 % here); false-alarm rate ~1e-4 per
    /// pair, seed fixed. A wrong factor in any variance moves σ by far more.
    #[test]
    fn prediction_is_the_paper_width_where_peaks_do_not_overlap() {
        let (rbm, target) = (Rbm::authors(), Target::authors());
        let data = ConfigResult {
            lr: 0.002,
            batch: 64,
            batch_series: true,
            lr_series: false,
            realisations: 0,
            success_ratio: 1.0,
            peaks: vec![],
        };
        let opts = TheoryOptions {
            realisations: 3000,
            bootstrap: 20,
            seed: 11,
            mean_samples: 200,
        };
        for terms in [LEVELS[0].1, Terms::FULL] {
            let t = predict_config(&rbm, &target, &data, terms, &opts).unwrap();
            for p in t.peaks.iter().filter(|p| p.pair) {
                let want = (2.0 * 0.002 / 64.0 * (rbm.mu2 - p.kappa)).sqrt();
                let tol = 4.0 * p.sigma.err + 0.002 * want;
                assert!(
                    (p.sigma.value - want).abs() < tol,
                    "{terms:?} κ = {}: σ {} ± {}, want {want}",
                    p.kappa,
                    p.sigma.value,
                    p.sigma.err
                );
            }
        }
    }
}
