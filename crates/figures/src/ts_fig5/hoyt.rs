//! Beyond the paper: the spacing law of unequal fluctuations. For a degenerate pair the 2×2
//! block of fluctuations is [[c + u, v], [v, c − u]], so S = 2√(u² + v²) follows the Hoyt law;
//! Eq (31) is the case Var u = Var v. Both laws are fitted to the same spacings (least squares on
//! the Freedman–Diaconis histogram and maximum likelihood) and tested side by side by KS, and the
//! fitted variance ratio is compared with the one of the linear-response covariances.

use anyhow::Context;
use coulomb_gas::fit::{HoytModel, SurmiseModel};
use coulomb_gas::{
    fit_curve, fit_mle, ks_one_sample, Density1D, Histogram, Hoyt, Law, LmOptions, Surmise,
};
use serde::{Deserialize, Serialize};

/// One fit of a spacing law: its parameters with standard errors and its KS test.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct LawFit {
    /// Parameter names and values ([σ_u, σ_v] with σ_u ≥ σ_v, or [σ_m]).
    pub names: Vec<String>,
    pub params: Vec<f64>,
    pub stderr: Vec<f64>,
    /// Var v / Var u = (σ_v/σ_u)² (Hoyt only) and its delta-method error.
    pub variance_ratio: Option<f64>,
    pub variance_ratio_stderr: Option<f64>,
    /// KS of the spacings against the fitted law (conservative: parameters from the sample).
    pub ks_d: f64,
    pub ks_p: f64,
}

/// `"hoyt"` of one model in `fig5/summary.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct HoytSummary {
    /// Hoyt and Rayleigh (Eq 31), least squares on the histogram of S.
    pub hoyt_ls: LawFit,
    pub rayleigh_ls: LawFit,
    /// The same by maximum likelihood.
    pub hoyt_mle: LawFit,
    pub rayleigh_mle: LawFit,
    /// The linear-response prediction: Var u = (σ₁² + σ₂²)/4 from the species widths in x,
    /// Var v = σ_off², and their ratio; and the leading-order ½ + 2λ₁λ₂/(λ₁ + λ₂)².
    pub predicted_sigma_u: f64,
    pub predicted_sigma_v: f64,
    pub predicted_variance_ratio: f64,
    pub leading_order_variance_ratio: f64,
    /// (fitted − predicted)/stderr of the maximum-likelihood ratio.
    pub ratio_pull_mle: f64,
    pub spacings: usize,
}

/// (σ_v/σ_u)² and its delta-method standard error from a 2×2 covariance of [σ_u, σ_v].
fn ratio(p: &[f64], cov: &[Vec<f64>]) -> (f64, f64) {
    let (a, b) = (p[0], p[1]);
    let r = (b / a).powi(2);
    let g = [-2.0 * r / a, 2.0 * r / b];
    let var = g[0] * g[0] * cov[0][0] + 2.0 * g[0] * g[1] * cov[0][1] + g[1] * g[1] * cov[1][1];
    (r, var.max(0.0).sqrt())
}

fn law_fit(
    names: Vec<String>,
    params: Vec<f64>,
    stderr: Vec<f64>,
    cov: &[Vec<f64>],
    ks: coulomb_gas::KsResult,
) -> LawFit {
    let hoyt = params.len() == 2;
    let (r, re) = if hoyt {
        ratio(&params, cov)
    } else {
        (0.0, 0.0)
    };
    LawFit {
        names,
        params,
        stderr,
        variance_ratio: hoyt.then_some(r),
        variance_ratio_stderr: hoyt.then_some(re),
        ks_d: ks.statistic,
        ks_p: ks.p_value,
    }
}

// ANCHOR: hoyt_fit
/// Fits Hoyt and Rayleigh to the spacings S and compares with the linear response
/// (`sigma_species_x`: the two diagonal widths in x; `sigma_offdiag_x`; `lambda`: the two
/// eigenvalues of ZᵀZ of the pair's species).
pub(super) fn hoyt_summary(
    spacings: &[f64],
    sigma_species_x: &[f64],
    sigma_offdiag_x: f64,
    lambda: &[f64],
) -> anyhow::Result<HoytSummary> {
    let h = Histogram::freedman_diaconis(spacings)?;
    let (xs, ys) = (h.centres(), h.density());
    let opts = LmOptions::default();
    let mle_h = fit_mle(Law::Hoyt, spacings).context("Hoyt maximum likelihood")?;
    let mle_r = fit_mle(Law::Surmise, spacings).context("Rayleigh maximum likelihood")?;
    // Least squares from the maximum-likelihood parameters (any start in the basin converges).
    let ls_h = fit_curve(&HoytModel, &xs, &ys, None, &mle_h.params, &opts)
        .context("Hoyt least squares")?;
    let ls_r = fit_curve(&SurmiseModel, &xs, &ys, None, &mle_r.params, &opts)
        .context("Rayleigh least squares")?;
    anyhow::ensure!(
        ls_h.converged && ls_r.converged,
        "a least-squares fit did not converge"
    );
    let ks_of = |d: &(dyn Density1D + Sync)| ks_one_sample(spacings, |s| d.cdf(s));
    let hoyt_ls = Hoyt::new(ls_h.params[0], ls_h.params[1])?;
    let ray_ls = Surmise::new(ls_r.params[0])?;
    let hoyt_ml = Hoyt::new(mle_h.params[0], mle_h.params[1])?;
    let ray_ml = Surmise::new(mle_r.params[0])?;
    let su = (0.25 * (sigma_species_x[0].powi(2) + sigma_species_x[1].powi(2))).sqrt();
    let sv = sigma_offdiag_x;
    let predicted = (sv / su).powi(2);
    let (l1, l2) = (lambda[0], lambda[1]);
    let mle_hoyt = law_fit(
        mle_h.names.clone(),
        mle_h.params.clone(),
        mle_h.stderr.clone(),
        &mle_h.covariance,
        ks_of(&hoyt_ml)?,
    );
    let pull = (mle_hoyt.variance_ratio.unwrap_or(f64::NAN) - predicted)
        / mle_hoyt.variance_ratio_stderr.unwrap_or(f64::NAN);
    Ok(HoytSummary {
        hoyt_ls: law_fit(
            ls_h.names.clone(),
            ls_h.params.clone(),
            ls_h.stderr.clone(),
            &ls_h.covariance,
            ks_of(&hoyt_ls)?,
        ),
        rayleigh_ls: law_fit(
            ls_r.names.clone(),
            ls_r.params.clone(),
            ls_r.stderr.clone(),
            &ls_r.covariance,
            ks_of(&ray_ls)?,
        ),
        hoyt_mle: mle_hoyt,
        rayleigh_mle: law_fit(
            mle_r.names.clone(),
            mle_r.params.clone(),
            mle_r.stderr.clone(),
            &mle_r.covariance,
            ks_of(&ray_ml)?,
        ),
        predicted_sigma_u: su,
        predicted_sigma_v: sv,
        predicted_variance_ratio: predicted,
        leading_order_variance_ratio: 0.5 + 2.0 * l1 * l2 / (l1 + l2).powi(2),
        ratio_pull_mle: pull,
        spacings: spacings.len(),
    })
}
// ANCHOR_END: hoyt_fit
