//! The stationary law of the student near the teacher in linear response: a parameter-free
//! prediction for the histograms of Figs 5 and the released model.
//!
//! With δW = W − W_t the update is exactly linear in δW:
//!
//! ```text
//! δW' = δW − α G δW C_B + α G Ā_B,          G = ZᵀZ
//! vec δW' = (1 − α C_B ⊗ G) vec δW + α (1 ⊗ G) vec Ā_B      (column-major vec, C_B symmetric)
//! ```
//!
//! Treating the minibatch covariances as independent from step to step (x ~ N(0, 1):
//! `E[C_ab C_cd] = δ_ab δ_cd + (δ_ac δ_bd + δ_ad δ_bc)/|B|`) and the noise as fresh, the
//! stationary covariance Σ = E[vec δW vec δWᵀ] solves the discrete Lyapunov equation
//!
//! ```text
//! α [(1⊗G) Σ + Σ (1⊗G)] − α² E[(C⊗G) Σ (C⊗G)] = α² (1⊗G) Ω (1⊗G),   Ω = Cov(vec Ā_B)
//! ```
//!
//! (for GOE-like per-datum noise `Ω = (noise²/|B|)(δ_ik δ_ac + δ_ic δ_ak)` for entries (i,a),
//! (k,c)). The law of the singular values is then that of W_t + δW with δW ~ N(0, Σ): sampled
//! exactly (no small-δW expansion of the SVD). Valid when δW stays small and, for quenched noise,
//! when no mode remembers the previous epoch (`(1 − αλ_min)^S ≪ 1` with S steps per epoch).
//!
//! To first order the degenerate singular values ξ = √κ + eig(S), S = (δW + δWᵀ)/2 for
//! W_t = √κ·1: in the eigenbasis U of G, `Var S̃_kk` is the variance of "species k" (its level
//! pinned to the eigenvector u_k), the two-species widths of Eq (29).

use nalgebra::{DMatrix, DVector, SymmetricEigen};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::error::TsError;
use crate::sim::{Hyper, Inputs, Mat, NoiseKind, Teacher};
use crate::spectrum::singular_values;

/// Stationary Gaussian law of δW = W − W_t in linear response.
#[derive(Clone, Debug)]
pub struct LinearResponse<const M: usize, const N: usize> {
    teacher: Teacher<M, N>,
    cov: DMatrix<f64>,
    factor: DMatrix<f64>,
}

/// Widths in the eigenbasis of G (square W only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EigenbasisWidths {
    /// Eigenvalues λ_k of G = ZᵀZ, ascending.
    pub lambda: Vec<f64>,
    /// √Var S̃_kk: the width of species k (same order as λ).
    pub sigma_species: Vec<f64>,
    /// √Var S̃_kl for k < l, row by row.
    pub sigma_offdiag: Vec<f64>,
}

impl<const M: usize, const N: usize> LinearResponse<M, N> {
    /// Solves the Lyapunov equation above for the teacher and hyperparameters.
    pub fn new(teacher: &Teacher<M, N>, hyper: &Hyper) -> Result<Self, TsError> {
        hyper.validate()?;
        if hyper.noise_kind == NoiseKind::Goe && M != N {
            return Err(TsError::Shape(format!(
                "GOE-like noise needs a square W, got {M}x{N}"
            )));
        }
        let d = M * N;
        let g = teacher.gram();
        let lr = hyper.lr;
        let k4 = match hyper.inputs {
            Inputs::Exact => 0.0,
            Inputs::Quenched => 1.0 / hyper.batch as f64,
        };
        let idx = |a: usize, i: usize| a * M + i;
        // (1⊗G) as a d×d matrix.
        let ig = DMatrix::from_fn(d, d, |p, q| {
            let (a, i, b, j) = (p / M, p % M, q / M, q % M);
            if a == b {
                g[(i, j)]
            } else {
                0.0
            }
        });
        let op = |s: &DMatrix<f64>| -> DMatrix<f64> {
            let mut t = (&ig * s + s * ig.transpose()) * lr;
            for a in 0..N {
                for i in 0..M {
                    for c in 0..N {
                        for k in 0..M {
                            let mut e4 = 0.0;
                            for j in 0..M {
                                for l in 0..M {
                                    let gg = g[(i, j)] * g[(k, l)];
                                    if gg == 0.0 {
                                        continue;
                                    }
                                    let mut v = s[(idx(a, j), idx(c, l))];
                                    if k4 != 0.0 {
                                        let mut tr = 0.0;
                                        if a == c {
                                            for b in 0..N {
                                                tr += s[(idx(b, j), idx(b, l))];
                                            }
                                        }
                                        v += k4 * (tr + s[(idx(c, j), idx(a, l))]);
                                    }
                                    e4 += gg * v;
                                }
                            }
                            t[(idx(a, i), idx(c, k))] -= lr * lr * e4;
                        }
                    }
                }
            }
            t
        };
        // The operator on vec(Σ) (row-major), column by column.
        let mut big = DMatrix::zeros(d * d, d * d);
        for col in 0..d * d {
            let mut e = DMatrix::zeros(d, d);
            e[(col / d, col % d)] = 1.0;
            let t = op(&e);
            for row in 0..d * d {
                big[(row, col)] = t[(row / d, row % d)];
            }
        }
        let s2 = hyper.noise * hyper.noise / hyper.batch as f64;
        let omega = DMatrix::from_fn(d, d, |p, q| {
            let (a, i, c, k) = (p / M, p % M, q / M, q % M);
            let mut v = if i == k && a == c { 1.0 } else { 0.0 };
            if hyper.noise_kind == NoiseKind::Goe && i == c && a == k {
                v += 1.0;
            }
            s2 * v
        });
        let rhs_m = &ig * omega * ig.transpose() * (lr * lr);
        let rhs = DVector::from_fn(d * d, |r, _| rhs_m[(r / d, r % d)]);
        let sol = big.lu().solve(&rhs).ok_or_else(|| {
            TsError::Invalid(
                "the stationary Lyapunov equation is singular (no stationary state)".into(),
            )
        })?;
        let mut cov = DMatrix::from_fn(d, d, |p, q| sol[p * d + q]);
        cov = (&cov + cov.transpose()) * 0.5;
        let eig = SymmetricEigen::new(cov.clone());
        let scale = eig.eigenvalues.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if eig
            .eigenvalues
            .iter()
            .any(|&v| v < -1e-9 * scale.max(1e-300))
        {
            return Err(TsError::Invalid(format!(
                "no stationary state: the linear-response covariance is not positive \
                 (α = {lr} too large for λ_max(ZᵀZ))"
            )));
        }
        let mut factor = eig.eigenvectors.clone();
        for (k, v) in eig.eigenvalues.iter().enumerate() {
            let s = v.max(0.0).sqrt();
            factor.column_mut(k).scale_mut(s);
        }
        Ok(Self {
            teacher: teacher.clone(),
            cov,
            factor,
        })
    }

    /// Σ = Cov(vec δW), column-major vec: entry (i, a) of δW has index a·M + i.
    pub fn covariance(&self) -> &DMatrix<f64> {
        &self.cov
    }

    /// Var δW_ij.
    pub fn entry_variance(&self, i: usize, j: usize) -> f64 {
        self.cov[(j * M + i, j * M + i)]
    }

    /// Widths of the symmetric part S = (δW + δWᵀ)/2 in the eigenbasis of G (square W only).
    pub fn eigenbasis_widths(&self) -> Result<EigenbasisWidths, TsError> {
        if M != N {
            return Err(TsError::Shape(format!(
                "eigenbasis widths need a square W, got {M}x{N}"
            )));
        }
        let g = DMatrix::from_fn(M, M, |i, j| self.teacher.gram()[(i, j)]);
        let (lambda, u) = crate::analytic::eigen_sorted(&g)?;
        // S̃_kl = ½ Σ_ij (U_ik U_jl + U_il U_jk) δW_ij: a linear functional of vec δW.
        let var_of = |k: usize, l: usize| {
            let w = DVector::from_fn(M * N, |p, _| {
                let (j, i) = (p / M, p % M);
                0.5 * (u[(i, k)] * u[(j, l)] + u[(i, l)] * u[(j, k)])
            });
            (w.transpose() * &self.cov * &w)[(0, 0)]
        };
        let sigma_species = (0..M).map(|k| var_of(k, k).max(0.0).sqrt()).collect();
        let mut sigma_offdiag = Vec::new();
        for k in 0..M {
            for l in k + 1..M {
                sigma_offdiag.push(var_of(k, l).max(0.0).sqrt());
            }
        }
        Ok(EigenbasisWidths {
            lambda,
            sigma_species,
            sigma_offdiag,
        })
    }

    /// E[tr S²]/M for square W, S = (δW + δWᵀ)/2: the mean squared deviation of the M levels
    /// from a degenerate teacher value to first order, `⟨(ξ − √κ)²⟩` pooled over the levels. For
    /// the Eq (11) law this is `3σ²/2`; Eq (9) is its leading term.
    pub fn pooled_second_moment(&self) -> Result<f64, TsError> {
        if M != N {
            return Err(TsError::Shape(format!(
                "the pooled second moment needs a square W, got {M}x{N}"
            )));
        }
        // tr S² = Σ_ij S_ij², S_ij = (δW_ij + δW_ji)/2.
        let mut sum = 0.0;
        for i in 0..M {
            for j in 0..M {
                let (p, q) = (j * M + i, i * M + j);
                sum += 0.25 * (self.cov[(p, p)] + self.cov[(q, q)] + 2.0 * self.cov[(p, q)]);
            }
        }
        Ok(sum / M as f64)
    }

    // ANCHOR: lr_sample
    /// One draw of W = W_t + δW, δW ~ N(0, Σ).
    pub fn sample_weights<R: Rng + ?Sized>(&self, rng: &mut R) -> Mat<M, N> {
        let z = DVector::from_fn(M * N, |_, _| StandardNormal.sample(rng));
        let v = &self.factor * z;
        let mut w = *self.teacher.weights();
        for a in 0..N {
            for i in 0..M {
                w[(i, a)] += v[a * M + i];
            }
        }
        w
    }

    /// `n` draws of the singular values (ascending) of W_t + δW.
    pub fn sample_singular_values<R: Rng + ?Sized>(&self, n: usize, rng: &mut R) -> Vec<Vec<f64>> {
        (0..n)
            .map(|_| singular_values(&self.sample_weights(rng)))
            .collect()
    }
    // ANCHOR_END: lr_sample
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::Model;

    /// For Z = 1 and exact inputs the Lyapunov equation has the closed form
    /// Var δW_11 = α·2s²/(2 − α), Var δW_12 = Cov(δW_12, δW_21) = α s²/(2 − α), s² = noise²/|B|.
    #[test]
    fn released_model_closed_form() {
        let mut h = Model::Released.hyper(0.3, 0.1, 16);
        h.inputs = Inputs::Exact;
        let lr_resp = LinearResponse::new(&Model::Released.teacher(), &h).unwrap();
        let s2 = 0.01 / 16.0;
        let v12 = 0.3 * s2 / (2.0 - 0.3);
        assert!((lr_resp.entry_variance(0, 0) - 2.0 * v12).abs() < 1e-15);
        assert!((lr_resp.entry_variance(0, 1) - v12).abs() < 1e-15);
        // δW_12 and δW_21 are driven by the same noise: fully correlated.
        let c = lr_resp.covariance()[(2, 1)];
        assert!((c - v12).abs() < 1e-15);
    }

    /// With random minibatch covariances the variances grow by the closed-form factors of the
    /// note in the module documentation (checked against the explicit 2×2 solution).
    #[test]
    fn released_model_with_minibatch_covariances() {
        let (lr, b) = (0.1, 16.0);
        let h = Model::Released.hyper(lr, 0.1, 16);
        let r = LinearResponse::new(&Model::Released.teacher(), &h).unwrap();
        let s2 = 0.01 / b;
        let beta = lr / b;
        let a0 = 2.0 - lr - 2.0 * beta;
        let q1 = lr * s2 * (2.0 * a0 + beta) / (a0 * a0 - beta * beta);
        let q2 = lr * s2 * (a0 + 2.0 * beta) / (a0 * a0 - beta * beta);
        let c = lr * s2 * (2.0 - lr) / ((2.0 - lr).powi(2) - beta * beta);
        assert!((r.entry_variance(0, 0) - q1).abs() < 1e-11 * q1);
        assert!((r.entry_variance(0, 1) - q2).abs() < 1e-11 * q2);
        assert!((r.covariance()[(2, 1)] - c).abs() < 1e-11 * c);
    }

    #[test]
    fn species_widths_follow_the_eigenvalues_of_ztz() {
        let h = Model::Z27.default_hyper();
        let r = LinearResponse::new(&Model::Z27.teacher(), &h).unwrap();
        let w = r.eigenbasis_widths().unwrap();
        assert!(w.lambda[0] < w.lambda[1]);
        // σ_k² ≈ α λ_k · 2 s²/(2 − αλ_k) (C_B fluctuations add O(αλ/|B|)).
        let s2 = 0.01 / 16.0;
        for k in 0..2 {
            let l = w.lambda[k];
            let approx = (0.1 * l * 2.0 * s2 / (2.0 - 0.1 * l)).sqrt();
            assert!((w.sigma_species[k] / approx - 1.0).abs() < 0.05, "{w:?}");
        }
    }
}
