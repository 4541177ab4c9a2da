//! The headline centre and width of a peak, and which estimator gave them.
//!
//! Both estimators are always reported in full ([`PeakReport::fit`] and [`PeakReport::ml`]);
//! this picks the one a result (a scaling fit, a printed σ) may use, and says why:
//!
//! * the authors' least squares on the histogram, with bootstrap errors, when its fit converged,
//!   its bootstrap (if asked for) succeeded and the peak has at least [`LS_MIN_SAMPLES`] pooled
//!   samples: below that the histogram has too few bins for the fit to be reliable, and its σ
//!   is biased up (measured in the book's analyze chapter);
//! * maximum likelihood otherwise, with bootstrap errors when refitted per replica, else the
//!   inverse observed information.
//!
//! A fit that did not converge, or whose error is not a finite positive number, never becomes
//! the estimate.

use serde::{Deserialize, Serialize};

use crate::record::{Est, PeakReport};

// ANCHOR: ls_min_samples
/// Fewest pooled samples for which the least-squares σ is the headline.
pub const LS_MIN_SAMPLES: usize = 100;
// ANCHOR_END: ls_min_samples

/// Which estimator a headline comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Estimator {
    /// The authors' least-squares fit of the histogram.
    LeastSquares,
    /// Maximum likelihood on the samples.
    MaximumLikelihood,
}

/// The headline of one peak.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeakEstimate {
    /// The estimator used.
    pub estimator: Estimator,
    /// Centre with its error (and which error).
    pub centre: Est,
    /// Width σ with its error (and which error).
    pub sigma: Est,
    /// Why this estimator.
    pub reason: String,
}

/// A value with a finite positive error: what a fit may be weighted by.
pub(crate) fn usable(e: &Est) -> bool {
    e.value.is_finite() && e.err.is_finite() && e.err > 0.0
}

fn ml_estimate(p: &PeakReport, why_not_ls: String) -> Result<PeakEstimate, String> {
    let (Some(centre), Some(sigma)) = (p.centre_ml(), p.sigma_ml()) else {
        return Err(format!(
            "{why_not_ls}, and maximum likelihood failed ({})",
            p.ml_error.as_deref().unwrap_or("no fit")
        ));
    };
    if !(usable(&centre) && usable(&sigma)) {
        return Err(format!(
            "{why_not_ls}, and the maximum-likelihood errors are not finite (σ = {} ± {})",
            sigma.value, sigma.err
        ));
    }
    Ok(PeakEstimate {
        estimator: Estimator::MaximumLikelihood,
        centre,
        sigma,
        reason: format!("maximum likelihood: {why_not_ls}"),
    })
}

// ANCHOR: choose_estimate
/// The headline estimate of `p` (bootstrap asked for when `bootstrap` > 0), or why there is
/// none.
pub fn choose(p: &PeakReport, bootstrap: usize) -> Result<PeakEstimate, String> {
    let Some(fit) = &p.fit else {
        return ml_estimate(
            p,
            format!(
                "the least-squares fit failed ({})",
                p.fit_error.as_deref().unwrap_or("no fit")
            ),
        );
    };
    if p.samples < LS_MIN_SAMPLES {
        return ml_estimate(
            p,
            format!(
                "{} pooled samples are too few for the least-squares fit of a {}-bin histogram \
                 (it needs {LS_MIN_SAMPLES})",
                p.samples, fit.bins
            ),
        );
    }
    if bootstrap > 0 && p.bootstrap.is_none() {
        return ml_estimate(
            p,
            format!(
                "the bootstrap of the least-squares fit failed ({}), so it has no honest error",
                p.bootstrap_error.as_deref().unwrap_or("unknown reason")
            ),
        );
    }
    let (centre, sigma) = (p.centre(), p.sigma());
    match (centre, sigma) {
        (Some(c), Some(s)) if usable(&c) && usable(&s) => Ok(PeakEstimate {
            estimator: Estimator::LeastSquares,
            reason: format!(
                "the authors' least squares ({} bins, {} errors)",
                fit.bins, s.err_kind
            ),
            centre: c,
            sigma: s,
        }),
        _ => ml_estimate(p, "the least-squares errors are not finite".into()),
    }
}
// ANCHOR_END: choose_estimate
