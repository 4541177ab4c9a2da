//! The covariance of trained weights, element by element, against the linear response.

use super::response::LinearResponse;
use crate::lattice::Target;
use crate::model::Rbm;
use crate::N;
use nalgebra::{SMatrix, SymmetricEigen};

/// One element δY_ij of the eigenbasis of K_φ: its variance over an ensemble of trained
/// weights against the linear response.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ElementCheck {
    /// Row and column (ascending κ).
    pub i: usize,
    /// Column.
    pub j: usize,
    /// Mean of Ỹ_ij over the ensemble (ȳ_i on the diagonal).
    pub mean: f64,
    /// Its standard error.
    pub mean_err: f64,
    /// The predicted mean: ȳ_i of the response on the diagonal, 0 off it.
    pub predicted_mean: f64,
    /// Sample variance of Ỹ_ij.
    pub variance: f64,
    /// Its standard error √((m₄ − s⁴)/n) (no normality assumed).
    pub variance_err: f64,
    /// The prediction Var δY_ij.
    pub predicted: f64,
    /// (variance − predicted)/variance_err.
    pub pull: f64,
}

/// The orthonormal eigenvectors of K_φ as columns, in the order of the ascending κ (any basis
/// inside a degenerate pair: the ensemble is isotropic there).
pub fn eigenbasis(target: &Target) -> SMatrix<f64, N, N> {
    let k = SMatrix::<f64, N, N>::from_fn(|i, j| target.kernel()[i][j]);
    let e = SymmetricEigen::new(k);
    let mut order: Vec<usize> = (0..N).collect();
    order.sort_by(|&a, &b| e.eigenvalues[a].total_cmp(&e.eigenvalues[b]));
    SMatrix::<f64, N, N>::from_fn(|r, c| e.eigenvectors[(r, order[c])])
}

// ANCHOR: check_elements
/// Ỹ = Uᵀ(σ_h² WᵀW)U of every trained `weights` (stored `w[a][i]`, hidden a, visible i) in the
/// eigenbasis U of K_φ, and the variance of each element i ≤ j over the ensemble against
/// `response.var`.
pub fn check_elements(
    rbm: &Rbm,
    target: &Target,
    response: &LinearResponse,
    weights: &[crate::model::Matrix],
) -> Vec<ElementCheck> {
    let u = eigenbasis(target);
    let s2 = rbm.sigma_h * rbm.sigma_h;
    let ys: Vec<SMatrix<f64, N, N>> = weights
        .iter()
        .map(|w| {
            let w = SMatrix::<f64, N, N>::from_fn(|a, i| w[a][i]);
            u.transpose() * (w.transpose() * w * s2) * u
        })
        .collect();
    let n = ys.len() as f64;
    let mut out = Vec::new();
    for i in 0..N {
        for j in i..N {
            let values: Vec<f64> = ys.iter().map(|y| y[(i, j)]).collect();
            let (mean, m2, m4) = coulomb_gas::sample_central_moments(&values);
            let variance = m2 * n / (n - 1.0);
            let variance_err = ((m4 - m2 * m2) / n).max(0.0).sqrt();
            let predicted = response.var[i][j];
            out.push(ElementCheck {
                i,
                j,
                mean,
                mean_err: (variance / n).sqrt(),
                predicted_mean: if i == j { response.y[i] } else { 0.0 },
                variance,
                variance_err,
                predicted,
                pull: (variance - predicted) / variance_err,
            });
        }
    }
    out
}
// ANCHOR_END: check_elements
