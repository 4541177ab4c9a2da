//! The Gaussian RBM of Eq (10): action, conditionals, marginal, learnt spectrum, and the
//! noise-free (|B| → ∞) limit of the training update.
//!
//! Convention: the weight matrix is stored as the authors' code stores it, `w[a][i]` with a hidden
//! unit a and a visible site i (N_h × N_v), i.e. the transpose of the paper's W in φᵀ W h.
//! With it the conditionals and the marginal of the visible field read
//!
//! ```text
//! h | φ ~ N(σ_h² W φ + η, σ_h²),     φ | h ~ N(Wᵀ h / μ², 1/μ²),
//! φ ~ N(0, K_RBM⁻¹),                 K_RBM = μ² − σ_h² WᵀW,
//! ```
//!
//! so the RBM's spectrum is λ_i = μ² − σ_h² ξ_i² with ξ_i the singular values of W.

use crate::error::{check_positive, RbmError};
use crate::lattice::Target;
use crate::N;
use nalgebra::SMatrix;

/// An N×N matrix of the model.
pub type Matrix = [[f64; N]; N];

type SMat = SMatrix<f64, N, N>;

fn to_s(m: &Matrix) -> SMat {
    SMat::from_fn(|i, j| m[i][j])
}

fn from_s(m: &SMat) -> Matrix {
    let mut out = [[0.0; N]; N];
    for (i, row) in out.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = m[(i, j)];
        }
    }
    out
}

/// The fixed hyperparameters of the Gaussian RBM and of its Gibbs sampler.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rbm {
    /// μ², the visible "mass" (fixed, never trained).
    pub mu2: f64,
    /// σ_h, the hidden standard deviation.
    pub sigma_h: f64,
    /// Gibbs sweeps per SGD step (PCD-k).
    pub gibbs_steps: usize,
    /// Standard deviation of the initial weights, W_ai ~ N(0, w_init²).
    pub w_init: f64,
}

impl Rbm {
    /// The authors' values (authors-protocol §1(a)): μ² = 9, σ_h = 1, η = 0, PCD-3,
    /// W initialised N(0, 0.1²).
    pub fn authors() -> Self {
        Self {
            mu2: 9.0,
            sigma_h: 1.0,
            gibbs_steps: 3,
            w_init: 0.1,
        }
    }

    /// The factor `(1 + ρ²)/(1 − ρ²)`, `ρ = (x/μ²)^k` for PCD-k, by which the correlation of
    /// successive persistent-chain states inflates the noise of a mode with `x = μ² − λ`: one
    /// block-Gibbs sweep is a linear autoregression with coefficient `x/μ²` on that mode.
    pub fn pcd_noise_inflation(&self, x: f64) -> f64 {
        let rho = (x / self.mu2).powi(self.gibbs_steps as i32);
        (1.0 + rho * rho) / (1.0 - rho * rho)
    }

    /// A validated model: μ², σ_h, w_init finite and > 0, at least one Gibbs sweep.
    pub fn new(mu2: f64, sigma_h: f64, gibbs_steps: usize, w_init: f64) -> Result<Self, RbmError> {
        check_positive("μ²", mu2)?;
        check_positive("σ_h", sigma_h)?;
        check_positive("w_init", w_init)?;
        if gibbs_steps == 0 {
            return Err(RbmError::Invalid(
                "gibbs_steps = 0: PCD needs at least one Gibbs sweep".into(),
            ));
        }
        Ok(Self {
            mu2,
            sigma_h,
            gibbs_steps,
            w_init,
        })
    }

    /// Checks an `Rbm` built field by field.
    pub fn validate(&self) -> Result<(), RbmError> {
        Self::new(self.mu2, self.sigma_h, self.gibbs_steps, self.w_init).map(|_| ())
    }

    /// Eq. (10) of the paper, the action of the Gaussian RBM with hidden bias η:
    ///
    /// ```text
    /// S(φ, h) = ½ μ² φᵀφ + (h − η)ᵀ(h − η) / (2σ_h²) − φᵀ W h
    /// ```
    ///
    /// (paper's W; here φᵀ W h = `Σ_ai φ_i w[a][i] h_a` in the stored convention).
    // ANCHOR: eq10
    pub fn action(&self, w: &Matrix, phi: &[f64; N], h: &[f64; N], eta: &[f64; N]) -> f64 {
        let mut s = 0.0;
        for p in phi {
            s += 0.5 * self.mu2 * p * p;
        }
        for (ha, ea) in h.iter().zip(eta) {
            s += (ha - ea) * (ha - ea) / (2.0 * self.sigma_h * self.sigma_h);
        }
        for (wa, ha) in w.iter().zip(h) {
            for (wai, p) in wa.iter().zip(phi) {
                s -= p * wai * ha;
            }
        }
        s
    }
    // ANCHOR_END: eq10

    /// The visible precision K_RBM = μ² − σ_h² WᵀW of the marginal φ ~ N(0, K_RBM⁻¹).
    pub fn visible_precision(&self, w: &Matrix) -> Matrix {
        let w = to_s(w);
        let k = SMat::identity() * self.mu2 - w.transpose() * w * (self.sigma_h * self.sigma_h);
        from_s(&k)
    }

    /// ⟨φφᵀ⟩_model = K_RBM⁻¹, or None when the RBM is not normalisable (K_RBM not positive).
    pub fn model_covariance(&self, w: &Matrix) -> Option<Matrix> {
        let k = to_s(&self.visible_precision(w));
        let c = k.cholesky()?;
        Some(from_s(&c.inverse()))
    }

    /// The training update with the chain estimate VᵀV/|B| replaced by its exact expectation
    /// K_RBM⁻¹: the drift of SGD, i.e. the |B| → ∞ limit with equilibrated chains,
    ///
    /// ```text
    /// W ← W + α W (K_φ⁻¹ − σ_h² (μ² − σ_h² WᵀW)⁻¹).
    /// ```
    ///
    /// Its fixed points with W of full rank satisfy K_φ⁻¹ = σ_h² K_RBM⁻¹, i.e. K_RBM = σ_h² K_φ,
    /// so λ_i = σ_h² κ_i: κ_i for the authors' σ_h = 1 (their data term carries no σ_h² factor,
    /// harmless at σ_h = 1). None when the RBM is not normalisable.
    pub fn mean_field_update(&self, w: &Matrix, target: &Target, lr: f64) -> Option<Matrix> {
        let c = to_s(&self.model_covariance(w)?);
        let m = to_s(target.kernel_inverse()) - c * (self.sigma_h * self.sigma_h);
        let ws = to_s(w);
        Some(from_s(&(ws + ws * m * lr)))
    }
}

/// §4.1 of the paper (the RBM of Eq. (10)): the learnt eigenvalues, ascending, with ξ_i the
/// singular values of W (x_i = σ_h² ξ_i² are the eigenvalues of σ_h² WᵀW),
///
/// ```text
/// λ_i = μ² − σ_h² ξ_i²
/// ```
// ANCHOR: learnt_lambda
pub fn learnt_lambda(rbm: &Rbm, w: &Matrix) -> [f64; N] {
    let ws = to_s(w);
    let gram = ws.transpose() * ws;
    let mut lambda = [0.0; N];
    for (l, x) in lambda.iter_mut().zip(gram.symmetric_eigenvalues().iter()) {
        *l = rbm.mu2 - rbm.sigma_h * rbm.sigma_h * x;
    }
    lambda.sort_by(f64::total_cmp);
    lambda
}
// ANCHOR_END: learnt_lambda

#[cfg(test)]
mod tests {
    use super::*;

    /// The PCD-k inflation: 1 for a chain without memory, (1 + ρ²)/(1 − ρ²) otherwise.
    #[test]
    fn pcd_noise_inflation() {
        let r = Rbm::authors();
        assert_eq!(r.pcd_noise_inflation(0.0), 1.0);
        let rho: f64 = (5.0_f64 / 9.0).powi(3);
        assert!((r.pcd_noise_inflation(5.0) - (1.0 + rho * rho) / (1.0 - rho * rho)).abs() < 1e-15);
        assert!(r.pcd_noise_inflation(5.0) > r.pcd_noise_inflation(4.0));
    }

    fn test_w(seed: u64, scale: f64) -> Matrix {
        use rand_distr::{Distribution, StandardNormal};
        let mut r = langevin_core::stream(seed, "rbm/model-test", 0);
        let mut w = [[0.0; N]; N];
        for row in w.iter_mut() {
            for v in row.iter_mut() {
                let z: f64 = StandardNormal.sample(&mut r);
                *v = scale * z;
            }
        }
        w
    }

    /// Sym. square root of a symmetric positive semi-definite matrix.
    fn sqrt_psd(m: &SMat) -> SMat {
        let e = m.symmetric_eigen();
        let d = SMat::from_diagonal(&e.eigenvalues.map(|v| v.max(0.0).sqrt()));
        e.eigenvectors * d * e.eigenvectors.transpose()
    }

    /// The conditional means are the stationary points of Eq (10): ∂S/∂h = 0 at
    /// h = σ_h² W φ + η and ∂S/∂φ = 0 at φ = Wᵀh/μ² (finite differences of the action).
    #[test]
    fn conditional_means_minimise_the_action() {
        let rbm = Rbm::new(9.0, 0.7, 3, 0.1).unwrap();
        let w = test_w(1, 0.3);
        let phi: [f64; N] = std::array::from_fn(|i| 0.3 * i as f64 - 1.0);
        let eta: [f64; N] = std::array::from_fn(|a| 0.1 * a as f64);
        let s2 = rbm.sigma_h * rbm.sigma_h;
        let h: [f64; N] =
            std::array::from_fn(|a| s2 * (0..N).map(|i| w[a][i] * phi[i]).sum::<f64>() + eta[a]);
        let eps = 1e-5;
        for a in 0..N {
            let (mut hp, mut hm) = (h, h);
            hp[a] += eps;
            hm[a] -= eps;
            let g =
                (rbm.action(&w, &phi, &hp, &eta) - rbm.action(&w, &phi, &hm, &eta)) / (2.0 * eps);
            assert!(g.abs() < 1e-8, "∂S/∂h_{a} = {g}");
        }
        let phi2: [f64; N] =
            std::array::from_fn(|i| (0..N).map(|a| w[a][i] * h[a]).sum::<f64>() / rbm.mu2);
        for i in 0..N {
            let (mut pp, mut pm) = (phi2, phi2);
            pp[i] += eps;
            pm[i] -= eps;
            let g = (rbm.action(&w, &pp, &h, &eta) - rbm.action(&w, &pm, &h, &eta)) / (2.0 * eps);
            assert!(g.abs() < 1e-8, "∂S/∂φ_{i} = {g}");
        }
    }

    #[test]
    fn learnt_lambda_is_mu2_minus_squared_singular_values() {
        let rbm = Rbm::authors();
        let w = test_w(2, 0.5);
        let lambda = learnt_lambda(&rbm, &w);
        let mut xi: Vec<f64> = to_s(&w).singular_values().iter().copied().collect();
        xi.sort_by(|a, b| b.total_cmp(a));
        for (l, s) in lambda.iter().zip(&xi) {
            assert!((l - (9.0 - s * s)).abs() < 1e-12);
        }
        assert!(lambda.windows(2).all(|p| p[0] <= p[1]));
        // λ are the eigenvalues of the visible precision K_RBM.
        let mut e: Vec<f64> = to_s(&rbm.visible_precision(&w))
            .symmetric_eigenvalues()
            .iter()
            .copied()
            .collect();
        e.sort_by(f64::total_cmp);
        for (a, b) in e.iter().zip(&lambda) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    /// The exact stationary point: W* = (μ² − K_φ)^{1/2} (any W*ᵀW* = μ² − K_φ) is a fixed point
    /// of the noise-free update, and iterating that update from the authors' random start drives
    /// the spectrum to λ = κ.
    #[test]
    fn noise_free_update_has_the_target_as_fixed_point() {
        let rbm = Rbm::authors();
        let target = Target::authors();
        let ws = sqrt_psd(&(SMat::identity() * rbm.mu2 - to_s(target.kernel())));
        let w_star = from_s(&ws);
        let next = rbm.mean_field_update(&w_star, &target, 0.1).unwrap();
        for a in 0..N {
            for i in 0..N {
                assert!((next[a][i] - w_star[a][i]).abs() < 1e-13);
            }
        }
        let mut w = test_w(3, rbm.w_init);
        for _ in 0..20_000 {
            w = rbm.mean_field_update(&w, &target, 0.1).unwrap();
        }
        let lambda = learnt_lambda(&rbm, &w);
        for (l, k) in lambda.iter().zip(target.kappa()) {
            assert!((l - k).abs() < 1e-9, "{lambda:?}");
        }
    }

    /// With σ_h ≠ 1 the authors' update (data term without σ_h²) learns λ = σ_h² κ, not κ.
    #[test]
    fn noise_free_fixed_point_scales_with_sigma_h_squared() {
        let rbm = Rbm::new(9.0, 0.9, 3, 0.1).unwrap();
        let target = Target::authors();
        let mut w = test_w(4, 0.1);
        for _ in 0..40_000 {
            w = rbm.mean_field_update(&w, &target, 0.1).unwrap();
        }
        let lambda = learnt_lambda(&rbm, &w);
        for (l, k) in lambda.iter().zip(target.kappa()) {
            assert!((l - 0.81 * k).abs() < 1e-8, "{lambda:?}");
        }
    }

    #[test]
    fn bad_parameters_are_rejected() {
        assert!(Rbm::new(0.0, 1.0, 3, 0.1).is_err());
        assert!(Rbm::new(9.0, f64::NAN, 3, 0.1).is_err());
        assert!(Rbm::new(9.0, 1.0, 0, 0.1).is_err());
        assert!(Rbm::new(9.0, 1.0, 3, -0.1).is_err());
        assert!(Rbm::authors().validate().is_ok());
        // A non-normalisable RBM (λ < 0) has no model covariance.
        let w = [[0.0; N]; N];
        let mut big = w;
        big[0][0] = 4.0;
        assert!(Rbm::authors().model_covariance(&big).is_none());
        assert!(Rbm::authors().model_covariance(&w).is_some());
    }
}
