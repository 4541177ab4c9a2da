//! The teacher-student model's own analysis of the Fig 4 dynamics: per-mode residuals of the
//! weights and their relaxation rates. The spectral statistics of an ensemble (the authors'
//! Eq 11 fit, ⟨S⟩, bootstrap and jackknife errors) are the `spectral` crate's.

use crate::error::TsError;
use crate::sim::{Mat, Teacher};

/// The residual of each mode of ZᵀZ: `r_k = ‖u_kᵀ (W − W_t)‖` for the eigenvectors u_k of
/// G = ZᵀZ (eigenvalues ascending). Because G acts from the left and the batch covariance from the
/// right, `Uᵀ(W − W_t)` evolves row by row under SGD, `r_k ← r_k (1 − αλ_k C_B)` for the mean over
/// seeds: each row relaxes at its own rate αλ_k per step (Eq 18 in the eigenbasis).
pub fn mode_residuals<const M: usize, const N: usize>(
    w: &Mat<M, N>,
    teacher: &Teacher<M, N>,
) -> Result<(Vec<f64>, Vec<f64>), TsError> {
    let g = nalgebra::DMatrix::from_fn(M, M, |i, j| teacher.gram()[(i, j)]);
    let (lambda, u) = crate::analytic::eigen_sorted(&g)?;
    let d = w - teacher.weights();
    let r = (0..M)
        .map(|k| {
            (0..N)
                .map(|j| (0..M).map(|i| u[(i, k)] * d[(i, j)]).sum::<f64>().powi(2))
                .sum::<f64>()
                .sqrt()
        })
        .collect();
    Ok((lambda, r))
}

/// Ordinary least-squares slope of ln y against t, with its standard error: the relaxation rate
/// is −slope. Points with y ≤ 0 are skipped.
pub fn log_slope(t: &[f64], y: &[f64]) -> Result<(f64, f64), TsError> {
    let pts: Vec<(f64, f64)> = t
        .iter()
        .zip(y)
        .filter(|(_, v)| **v > 0.0)
        .map(|(a, v)| (*a, v.ln()))
        .collect();
    let n = pts.len() as f64;
    if pts.len() < 3 {
        return Err(TsError::Fit(format!(
            "{} positive points for a log-slope",
            pts.len()
        )));
    }
    let mt = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mt).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mt) * (p.1 - my)).sum();
    let b = sxy / sxx;
    let rss: f64 = pts
        .iter()
        .map(|p| (p.1 - my - b * (p.0 - mt)).powi(2))
        .sum();
    Ok((b, (rss / (n - 2.0) / sxx).sqrt()))
}
