//! The target: a free scalar field on a periodic 1-D lattice of N sites (paper §4.1).
//!
//! The field φ has the Gaussian distribution p(φ) ∝ exp(−½ φᵀ K_φ φ) with the lattice kernel
//! K_φ = −∇² + m² (diagonal 2 + m², −1 between neighbours, wrap-around included). The RBM only
//! ever needs ⟨φφᵀ⟩_target = K_φ⁻¹ (the authors' analytic "data" term), never samples of φ.

use crate::error::{check_positive, RbmError};
use crate::N;
use std::f64::consts::PI;

/// §4.1 of the paper (the target of the RBM of Eq. (10)): the spectrum of K_φ, ascending,
///
/// ```text
/// κ_n = m² + 2 − 2 cos(2πn/N),   −N/2 < n ≤ N/2
/// ```
///
/// n = 0 and n = N/2 are single, every other |n| is a doubly degenerate pair.
// ANCHOR: target_kappa
pub fn target_kappa(m2: f64) -> [f64; N] {
    let mut kappa = [0.0; N];
    for (n, k) in kappa.iter_mut().enumerate() {
        // n and N − n give the same cosine: n = 0..N covers −N/2 < n ≤ N/2.
        *k = m2 + 2.0 - 2.0 * libm::cos(2.0 * PI * n as f64 / N as f64);
    }
    kappa.sort_by(f64::total_cmp);
    kappa
}
// ANCHOR_END: target_kappa

/// A peak of the learnt spectrum: one distinct κ and the indices (into the ascending λ) that
/// learn it, one for a single mode and two for a degenerate pair.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Peak {
    /// The target eigenvalue κ.
    pub kappa: f64,
    /// Indices into the ascending spectrum.
    pub indices: Vec<usize>,
}

impl Peak {
    /// True for a doubly degenerate pair (fitted with Eq 11), false for a single mode (Gaussian).
    pub fn is_pair(&self) -> bool {
        self.indices.len() == 2
    }
}

/// The target of the training: kernel, its inverse and its spectrum.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    m2: f64,
    kappa: [f64; N],
    k_phi: [[f64; N]; N],
    k_inv: [[f64; N]; N],
}

impl Target {
    /// The periodic lattice with mass squared `m2` (≥ 0 and finite; m² = 0 has a zero mode and
    /// is rejected because K_φ is then singular).
    pub fn lattice(m2: f64) -> Result<Self, RbmError> {
        check_positive("m²", m2)?;
        let mut k_phi = [[0.0; N]; N];
        for (i, row) in k_phi.iter_mut().enumerate() {
            row[i] = 2.0 + m2;
            row[(i + 1) % N] = -1.0;
            row[(i + N - 1) % N] = -1.0;
        }
        // K_φ is circulant: its inverse is the Fourier sum over the modes,
        // (K_φ⁻¹)_ij = (1/N) Σ_n cos(2πn|i − j|/N) / κ_n (|i − j|: exactly symmetric).
        let mut k_inv = [[0.0; N]; N];
        for (i, row) in k_inv.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                let d = i.abs_diff(j) as f64;
                let mut s = 0.0;
                for n in 0..N {
                    let t = 2.0 * PI * n as f64 / N as f64;
                    s += libm::cos(t * d) / (m2 + 2.0 - 2.0 * libm::cos(t));
                }
                *v = s / N as f64;
            }
        }
        Ok(Self {
            m2,
            kappa: target_kappa(m2),
            k_phi,
            k_inv,
        })
    }

    /// The authors' target: m = 2 (authors-protocol §1(a)).
    pub fn authors() -> Self {
        Self::lattice(4.0).expect("m² = 4 is valid")
    }

    /// Mass squared m².
    pub fn m2(&self) -> f64 {
        self.m2
    }

    /// κ_n ascending.
    pub fn kappa(&self) -> &[f64; N] {
        &self.kappa
    }

    /// The kernel K_φ.
    pub fn kernel(&self) -> &[[f64; N]; N] {
        &self.k_phi
    }

    /// K_φ⁻¹ = ⟨φφᵀ⟩_target, the exact positive-phase statistics.
    pub fn kernel_inverse(&self) -> &[[f64; N]; N] {
        &self.k_inv
    }

    /// The distinct κ ascending with the indices of the ascending spectrum that learn them:
    /// for the periodic lattice with even N, two singles (n = 0, N/2) and N/2 − 1 pairs.
    pub fn peaks(&self) -> Vec<Peak> {
        let mut peaks: Vec<Peak> = Vec::new();
        for (i, &k) in self.kappa.iter().enumerate() {
            match peaks.last_mut() {
                Some(p) if (k - p.kappa).abs() <= 1e-9 * k.abs().max(1.0) => p.indices.push(i),
                _ => peaks.push(Peak {
                    kappa: k,
                    indices: vec![i],
                }),
            }
        }
        peaks
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::SMatrix;

    /// authors-protocol §1(a), the κ table (m = 2, N = 10), with multiplicities.
    #[test]
    fn kappa_matches_the_protocol_table() {
        let want = [
            4.0, 4.381966, 4.381966, 5.381966, 5.381966, 6.618034, 6.618034, 7.618034, 7.618034,
            8.0,
        ];
        let got = target_kappa(4.0);
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 5e-7, "{got:?}");
        }
        // Closed forms: 6 − 2cos(π/5) = 6 − (1 + √5)/2, etc.
        let s5 = 5f64.sqrt();
        assert!((got[1] - (6.0 - (1.0 + s5) / 2.0)).abs() < 1e-14);
        assert!((got[7] - (6.0 + (1.0 + s5) / 2.0)).abs() < 1e-14);
        let peaks = Target::authors().peaks();
        let sizes: Vec<usize> = peaks.iter().map(|p| p.indices.len()).collect();
        assert_eq!(sizes, vec![1, 2, 2, 2, 2, 1]);
        assert_eq!(peaks[2].indices, vec![3, 4]);
    }

    #[test]
    fn kernel_eigenvalues_are_kappa_and_the_inverse_is_exact() {
        for m2 in [4.0, 0.3] {
            let t = Target::lattice(m2).unwrap();
            let k = SMatrix::<f64, N, N>::from_fn(|i, j| t.kernel()[i][j]);
            let kinv = SMatrix::<f64, N, N>::from_fn(|i, j| t.kernel_inverse()[i][j]);
            let mut e: Vec<f64> = k.symmetric_eigenvalues().iter().copied().collect();
            e.sort_by(f64::total_cmp);
            for (a, b) in e.iter().zip(t.kappa()) {
                assert!((a - b).abs() < 1e-12, "{e:?} vs {:?}", t.kappa());
            }
            let id = k * kinv;
            for i in 0..N {
                for j in 0..N {
                    let want = if i == j { 1.0 } else { 0.0 };
                    assert!((id[(i, j)] - want).abs() < 1e-14);
                }
            }
            assert!((0..N)
                .all(|i| (0..N).all(|j| t.kernel_inverse()[i][j] == t.kernel_inverse()[j][i])));
            // Wrap-around: site 0 couples to site N − 1.
            assert_eq!(t.kernel()[0][N - 1], -1.0);
            assert_eq!(t.kernel()[0][0], 2.0 + m2);
        }
    }

    #[test]
    fn bad_mass_is_rejected() {
        for m2 in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(Target::lattice(m2).is_err());
        }
    }
}
