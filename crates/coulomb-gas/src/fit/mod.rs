//! Fitting the closed-form laws to data.
//!
//! * [`lm`]: least squares on histogram densities (the authors' method: unweighted
//!   `scipy.optimize.curve_fit` on Freedman–Diaconis densities) and weighted straight-line fits for
//!   the scaling plots, by a small Levenberg–Marquardt with analytic Jacobians.
//! * [`mle`]: maximum likelihood on the raw samples, which needs no binning and gives
//!   Cramér–Rao standard errors, with a KS goodness-of-fit test against the fitted law.

pub mod lm;
pub mod mle;
mod score;

pub use lm::{
    fit_curve, fit_histogram, GaussianModel, HoytModel, LineThroughOrigin, LmOptions, LsqFit,
    Model, PairModel, SurmiseModel, TwoSpeciesModel,
};
pub use mle::{fit_mle, fit_mle_from, Law, MleFit};

/// Inverse of a symmetric positive-definite matrix given as rows; None if not positive definite.
pub(crate) fn spd_inverse(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let k = a.len();
    let m = nalgebra::DMatrix::from_fn(k, k, |i, j| a[i][j]);
    let inv = nalgebra::Cholesky::new(m)?.inverse();
    if inv.iter().any(|v| !v.is_finite()) {
        return None;
    }
    Some(
        (0..k)
            .map(|i| (0..k).map(|j| inv[(i, j)]).collect())
            .collect(),
    )
}
