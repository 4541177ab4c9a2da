//! The exact matrix construction of Dyson Brownian motion for identical species.
//!
//! For a common curvature Ω, centre c and g̃², Eq 5 (in its continuous-time form) is the
//! eigenvalue process of the symmetric-matrix Ornstein-Uhlenbeck process
//!
//! ```text
//! dH = −αΩ H dt + dB,   E[dB_ii²] = 2D dt,   E[dB_ij²] = D dt (i ≠ j),   D = α² g̃²/|B|
//! ```
//!
//! (Itô's formula for the eigenvalues gives exactly the drift −αΩ h_i + D Σ_j 1/(h_i − h_j)
//! and the noise √(2D) dW_i of Eq 5). Its stationary law is the GOE-like ensemble with
//! `P(H) ∝ exp(−tr H²/(2σ²))`, σ² = (α/|B|) g̃²/Ω (Eq 9), whose eigenvalues follow the Coulomb
//! gas of Eq 7. The transition over one iteration (one unit of time) is exact:
//!
//! ```text
//! H' = e^{−αΩ} H + √(1 − e^{−2αΩ}) G,    G_ii ~ N(0, σ²),  G_ij = G_ji ~ N(0, σ²/2)
//! ```

use crate::error::CoreError;
use nalgebra::DMatrix;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// Exact one-iteration transition of the matrix OU process (identical species).
#[derive(Clone, Debug, PartialEq)]
pub struct MatrixOu {
    n: usize,
    centre: f64,
    sigma: f64,
    decay: f64,
    kick: f64,
}

impl MatrixOu {
    /// N identical particles with curvature Ω, centre c, learning rate α, batch |B| and g̃².
    pub fn new(
        n: usize,
        alpha: f64,
        batch: usize,
        g2: f64,
        omega: f64,
        centre: f64,
    ) -> Result<Self, CoreError> {
        if n == 0 {
            return Err(CoreError::Shape(
                "matrix-ou needs at least one particle".into(),
            ));
        }
        if !(alpha.is_finite() && alpha > 0.0) || batch == 0 {
            return Err(CoreError::Invalid(format!(
                "learning rate {alpha} and batch {batch}: need lr > 0 and batch ≥ 1"
            )));
        }
        if !(g2.is_finite() && g2 > 0.0 && omega.is_finite() && omega > 0.0 && centre.is_finite()) {
            return Err(CoreError::Invalid(format!(
                "g2 = {g2}, omega = {omega}, centre = {centre}: need finite g2 > 0, omega > 0"
            )));
        }
        let theta = alpha * omega;
        let sigma = crate::stationary::gaussian_width(alpha, batch, g2, omega);
        Ok(Self {
            n,
            centre,
            sigma,
            decay: (-theta).exp(),
            // 1 − e^{−2θ} without cancellation for small θ.
            kick: (-(-2.0 * theta).exp_m1()).sqrt(),
        })
    }

    /// The stationary Gaussian width σ of Eq 9.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// Number of particles.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The matrix `H = diag(x − c)` whose eigenvalues are `x`.
    pub fn state_from_eigenvalues(&self, x: &[f64]) -> DMatrix<f64> {
        DMatrix::from_fn(self.n, self.n, |i, j| {
            if i == j {
                x[i] - self.centre
            } else {
                0.0
            }
        })
    }

    /// One exact iteration, `H ← e^{−αΩ} H + √(1 − e^{−2αΩ}) G`; draws N(N+1)/2 normals,
    /// row by row over the upper triangle.
    pub fn step<R: Rng + ?Sized>(&self, h: &mut DMatrix<f64>, rng: &mut R) {
        // ANCHOR: matrix_ou_step
        let diag = self.kick * self.sigma;
        let off = diag * std::f64::consts::FRAC_1_SQRT_2;
        for i in 0..self.n {
            for j in i..self.n {
                let z: f64 = StandardNormal.sample(rng);
                let v = self.decay * h[(i, j)] + if i == j { diag * z } else { off * z };
                h[(i, j)] = v;
                h[(j, i)] = v;
            }
        }
        // ANCHOR_END: matrix_ou_step
    }

    /// The eigenvalues `x = c + eig(H)`, ascending.
    pub fn eigenvalues(&self, h: &DMatrix<f64>) -> Vec<f64> {
        let mut e = crate::spectrum::symmetric_eigenvalues(h.clone());
        e.iter_mut().for_each(|v| *v += self.centre);
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::stream;

    #[test]
    fn one_step_from_zero_has_the_exact_variance() {
        // From H = 0 one step gives variance (1 − e^{−2θ}) σ² on the diagonal, half off it.
        let ou = MatrixOu::new(3, 0.1, 4, 2.0, 1.5, 0.0).unwrap();
        let (mut d, mut o) = (0.0, 0.0);
        let reps = 20_000;
        let mut rng = stream(3, "tests/matrix-ou", 0);
        for _ in 0..reps {
            let mut h = DMatrix::zeros(3, 3);
            ou.step(&mut h, &mut rng);
            d += h[(1, 1)] * h[(1, 1)];
            o += h[(0, 2)] * h[(0, 2)];
            assert_eq!(h[(0, 2)], h[(2, 0)]);
        }
        let v = (1.0 - (-2.0f64 * 0.1 * 1.5).exp()) * ou.sigma().powi(2);
        let n = reps as f64;
        // 5 standard errors of a χ² mean (variance 2v²/n): false alarm ~1e-6.
        assert!((d / n - v).abs() < 5.0 * v * (2.0 / n).sqrt());
        assert!((o / n - v / 2.0).abs() < 5.0 * v / 2.0 * (2.0 / n).sqrt());
    }

    #[test]
    fn eigenvalues_round_trip() {
        let ou = MatrixOu::new(3, 0.1, 4, 2.0, 1.5, 7.0).unwrap();
        let h = ou.state_from_eigenvalues(&[7.5, 6.0, 9.0]);
        assert_eq!(ou.eigenvalues(&h), vec![6.0, 7.5, 9.0]);
        assert!(MatrixOu::new(0, 0.1, 4, 2.0, 1.5, 7.0).is_err());
        assert!(MatrixOu::new(2, 0.1, 0, 2.0, 1.5, 7.0).is_err());
    }
}
