//! Beyond the paper: the spacing law of unequal fluctuations. For a degenerate pair the 2×2
//! block of fluctuations is [[c + u, v], [v, c − u]], so S = 2√(u² + v²) follows the Hoyt law;
//! Eq (31) is the case Var u = Var v. [`spectral::spacing_laws`] fits both to the spacings; here
//! the fitted variance ratio is compared with the one of the linear-response covariances.

use serde::{Deserialize, Serialize};
use spectral::{spacing_laws, SpacingLaws};

/// `"hoyt"` of one model in `fig5/summary.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct HoytSummary {
    /// Hoyt and Rayleigh (Eq 31), least squares and maximum likelihood, with KS.
    #[serde(flatten)]
    pub laws: SpacingLaws,
    /// The linear-response prediction: Var u = (σ₁² + σ₂²)/4 from the species widths in x,
    /// Var v = σ_off², and their ratio; and the leading-order ½ + 2λ₁λ₂/(λ₁ + λ₂)².
    pub predicted_sigma_u: f64,
    pub predicted_sigma_v: f64,
    pub predicted_variance_ratio: f64,
    pub leading_order_variance_ratio: f64,
    /// (fitted − predicted)/stderr of the maximum-likelihood ratio.
    pub ratio_pull_mle: f64,
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
    let laws = spacing_laws(spacings)?;
    let su = (0.25 * (sigma_species_x[0].powi(2) + sigma_species_x[1].powi(2))).sqrt();
    let sv = sigma_offdiag_x;
    let predicted = (sv / su).powi(2);
    let (l1, l2) = (lambda[0], lambda[1]);
    let m = &laws.hoyt_mle;
    let pull = (m.variance_ratio.unwrap_or(f64::NAN) - predicted)
        / m.variance_ratio_stderr.unwrap_or(f64::NAN);
    Ok(HoytSummary {
        laws,
        predicted_sigma_u: su,
        predicted_sigma_v: sv,
        predicted_variance_ratio: predicted,
        leading_order_variance_ratio: 0.5 + 2.0 * l1 * l2 / (l1 + l2).powi(2),
        ratio_pull_mle: pull,
    })
}
// ANCHOR_END: hoyt_fit
