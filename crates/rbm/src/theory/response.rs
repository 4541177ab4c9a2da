//! The linear response of PCD-k about a diagonal mean: every element's recursion, its discrete
//! Lyapunov solution, the second-order mean, and the Gaussian ensemble it predicts.

use crate::error::RbmError;
use crate::lattice::Target;
use crate::model::Rbm;
use crate::N;
use langevin_core::seed;
use nalgebra::{SMatrix, SymmetricEigen};
use rand_distr::{Distribution, StandardNormal};

/// Most relaxation steps of the second-order mean (each contracts the error by the factor the
/// linearised drift leaves, ≲ 0.1 on the authors' grid; it converges in ~10).
const ITERATIONS: usize = 200;

/// Which parts of the linear response enter the prediction (each can be switched off to
/// measure its share).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Terms {
    /// The discrete map at finite α (otherwise the continuous-time limit q/(2γ)).
    pub finite_lr: bool,
    /// The persistence of the PCD chains from one step to the next.
    pub persistence: bool,
    /// Every off-diagonal element δY_ij fluctuates: modes of different κ mix and repel.
    /// Otherwise only the elements inside a degenerate pair do (the 2×2 block of the paper's
    /// picture, which gives Eq (11) exactly).
    pub all_modes: bool,
    /// The mean of Y at second order: Ȳ solves ⟨ΔY⟩ = 0 for the exact one-step update averaged
    /// over the chains' noise and over the predicted fluctuations (otherwise Ȳ = Y*).
    pub second_order_mean: bool,
}

impl Terms {
    /// Everything the linear response contains.
    pub const FULL: Terms = Terms {
        finite_lr: true,
        persistence: true,
        all_modes: true,
        second_order_mean: true,
    };
}

/// The stationary covariance of δY in the eigenbasis of K_φ for one (α, |B|).
#[derive(Clone, Debug, PartialEq)]
pub struct LinearResponse {
    /// y_i = μ² − λ*_i, ascending in λ* (descending y).
    pub y: [f64; N],
    /// λ*_i = σ_h² κ_i, ascending.
    pub lambda: [f64; N],
    /// Var δY_ij (symmetric).
    pub var: [[f64; N]; N],
    /// μ².
    pub mu2: f64,
}

/// True when modes i and j are degenerate (the mean keeps pairs degenerate exactly).
fn same_peak(y: &[f64; N], i: usize, j: usize) -> bool {
    (y[i] - y[j]).abs() <= 1e-9 * y[i].abs().max(1.0)
}

/// The ingredients of one element's recursion.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Element {
    /// Relaxation per step γ (a = 1 − γ).
    pub gamma: f64,
    /// Variance of the noise per step q.
    pub q: f64,
    /// Lag-one correlation of the noise r.
    pub r: f64,
}

// ANCHOR: lyapunov
/// Stationary variance of x_{t+1} = a x_t + ε_t with AR(1) noise of variance `q` and lag-one
/// correlation `r` (the discrete Lyapunov equation of the pair (x, ε)); a = 1 − γ, |a| < 1.
pub fn ar1_driven_variance(gamma: f64, q: f64, r: f64) -> f64 {
    let a = 1.0 - gamma;
    q * (1.0 + a * r) / ((1.0 - a * a) * (1.0 - a * r))
}
// ANCHOR_END: lyapunov

impl LinearResponse {
    /// The element (i, j) of the linearised step at (α, |B|) about the fixed point Y*.
    pub fn element(
        rbm: &Rbm,
        target: &Target,
        lr: f64,
        batch: usize,
        i: usize,
        j: usize,
    ) -> Element {
        let y: [f64; N] =
            std::array::from_fn(|n| rbm.mu2 - rbm.sigma_h * rbm.sigma_h * target.kappa()[n]);
        Self::element_at(rbm, &y, lr, batch, i, j)
    }

    /// The element (i, j) of the step linearised about a diagonal mean Ȳ = diag(`y`).
    pub fn element_at(
        rbm: &Rbm,
        y: &[f64; N],
        lr: f64,
        batch: usize,
        i: usize,
        j: usize,
    ) -> Element {
        let s2 = rbm.sigma_h * rbm.sigma_h;
        let (yi, yj) = (y[i], y[j]);
        let (li, lj) = (rbm.mu2 - yi, rbm.mu2 - yj);
        let delta = if i == j { 1.0 } else { 0.0 };
        let var_eps = (1.0 + delta) / (batch as f64 * li * lj);
        Element {
            gamma: lr * s2 * (yi + yj) / (li * lj),
            q: (lr * s2 * (yi + yj)).powi(2) * var_eps,
            r: gibbs_memory(rbm, yi) * gibbs_memory(rbm, yj),
        }
    }

    /// Solves every element at (α, |B|) with the chosen `terms` (about Y*; see
    /// [`LinearResponse::predict`] for the second-order mean).
    pub fn new(rbm: &Rbm, target: &Target, lr: f64, batch: usize, terms: Terms) -> Self {
        let s2 = rbm.sigma_h * rbm.sigma_h;
        let y: [f64; N] = std::array::from_fn(|n| rbm.mu2 - s2 * target.kappa()[n]);
        Self::about(rbm, &y, lr, batch, terms)
    }

    /// Every element linearised about the diagonal mean diag(`y`).
    pub fn about(rbm: &Rbm, y: &[f64; N], lr: f64, batch: usize, terms: Terms) -> Self {
        let var = std::array::from_fn(|i| {
            std::array::from_fn(|j| {
                if i != j && !terms.all_modes && !same_peak(y, i, j) {
                    return 0.0;
                }
                let e = Self::element_at(rbm, y, lr, batch, i, j);
                let r = if terms.persistence { e.r } else { 0.0 };
                if terms.finite_lr {
                    ar1_driven_variance(e.gamma, e.q, r)
                } else {
                    e.q / (2.0 * e.gamma) * (1.0 + r) / (1.0 - r)
                }
            })
        });
        Self {
            y: *y,
            lambda: std::array::from_fn(|n| rbm.mu2 - y[n]),
            var,
            mu2: rbm.mu2,
        }
    }

    /// The prediction of (α, |B|): about Y*, or, with `terms.second_order_mean`, about the
    /// mean Ȳ at which the exact update has no drift on average,
    ///
    /// ```text
    /// ⟨ΔY⟩ = α ⟨ĀY + YĀ + α (ĀYĀ + σ_h⁴ ⟨εYε⟩)⟩ = 0,   Ā = K_φ⁻¹ − σ_h² (μ² − Y)⁻¹,
    /// ⟨εYε⟩ = (ΣYΣ + Σ tr(YΣ))/|B|,  Σ = (μ² − Y)⁻¹          (Isserlis, |B| Gaussian chains)
    /// ```
    ///
    /// averaged over Y = Ȳ + δY with δY the linear response about Ȳ itself. Solved by the
    /// relaxation ȳ_i ← ȳ_i + ⟨ΔY_ii⟩/γ_ii (the mean dynamics, one step of 1/γ_ii) with fixed
    /// draws (`samples` members of the stream `purpose`), members of a degenerate pair averaged.
    #[allow(clippy::too_many_arguments)]
    pub fn predict(
        rbm: &Rbm,
        target: &Target,
        lr: f64,
        batch: usize,
        terms: Terms,
        seed: u64,
        samples: usize,
    ) -> Result<Self, RbmError> {
        let first = Self::new(rbm, target, lr, batch, terms);
        if !terms.second_order_mean {
            return Ok(first);
        }
        // K_φ⁻¹ in the eigenbasis is diag 1/κ: [`mean_step`] works there throughout.
        let purpose = format!("rbm/theory-mean/{lr}/{batch}");
        let draws: Vec<[f64; N * (N + 1) / 2]> = (0..samples as u64)
            .map(|n| {
                let mut rng = seed::stream(seed, &purpose, n);
                std::array::from_fn(|_| StandardNormal.sample(&mut rng))
            })
            .collect();
        let peaks = target.peaks();
        let mut y = first.y;
        let mut converged = false;
        for _ in 0..ITERATIONS {
            let resp = Self::about(rbm, &y, lr, batch, terms);
            let mut drift = [0.0; N];
            for z in &draws {
                let m = resp.matrix(z);
                let d = mean_step(rbm, target, &m, lr, batch);
                for i in 0..N {
                    drift[i] += d[i] / samples as f64;
                }
            }
            let mut next = y;
            for i in 0..N {
                let g = Self::element_at(rbm, &y, lr, batch, i, i).gamma;
                next[i] = y[i] + drift[i] / g;
            }
            for p in &peaks {
                let m = p.indices.iter().map(|&i| next[i]).sum::<f64>() / p.indices.len() as f64;
                for &i in &p.indices {
                    next[i] = m;
                }
            }
            let change = (0..N).map(|i| (next[i] - y[i]).abs()).fold(0.0, f64::max);
            y = next;
            if !change.is_finite() {
                break;
            }
            if change < 1e-10 {
                converged = true;
                break;
            }
        }
        if !converged {
            return Err(RbmError::Invalid(format!(
                "α = {lr}, |B| = {batch}: the second-order mean did not converge in {ITERATIONS} steps"
            )));
        }
        Ok(Self::about(rbm, &y, lr, batch, terms))
    }

    /// Ȳ + δY for standard normals `z` (the upper triangle row by row).
    fn matrix(&self, z: &[f64]) -> SMatrix<f64, N, N> {
        let mut m = SMatrix::<f64, N, N>::zeros();
        let mut k = 0;
        for i in 0..N {
            for j in i..N {
                let v = z[k] * self.var[i][j].sqrt();
                k += 1;
                let base = if i == j { self.y[i] } else { 0.0 };
                m[(i, j)] = base + v;
                m[(j, i)] = base + v;
            }
        }
        m
    }

    /// One member of the predicted ensemble: μ² − eig(Y* + δY), ascending, drawing the
    /// independent elements δY_ij (i ≤ j) from `rng` row by row.
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> [f64; N] {
        let z: [f64; N * (N + 1) / 2] = std::array::from_fn(|_| StandardNormal.sample(rng));
        sorted_spectrum(self.mu2, self.matrix(&z))
    }
}

/// μ² − eig(`y`), ascending: the learnt spectrum of a predicted Y, sorted as the training's are.
pub(super) fn sorted_spectrum(mu2: f64, y: SMatrix<f64, N, N>) -> [f64; N] {
    let eig = SymmetricEigen::new(y).eigenvalues;
    let mut lambda: [f64; N] = std::array::from_fn(|n| mu2 - eig[n]);
    lambda.sort_by(f64::total_cmp);
    lambda
}

/// ρ = (y/μ²)^k: what k block-Gibbs sweeps keep of a chain's mode with y = σ_h²ξ² (one sweep
/// multiplies it by y/μ²).
pub(super) fn gibbs_memory(rbm: &Rbm, y: f64) -> f64 {
    (y / rbm.mu2).powi(rbm.gibbs_steps as i32)
}

/// The diagonal of the exact one-step update of Y averaged over the chains' noise, in the
/// eigenbasis of K_φ: α(ĀY + YĀ) + α²(ĀYĀ + σ_h⁴(ΣYΣ + Σ tr(YΣ))/|B|).
fn mean_step(
    rbm: &Rbm,
    target: &Target,
    y: &SMatrix<f64, N, N>,
    lr: f64,
    batch: usize,
) -> [f64; N] {
    let s2 = rbm.sigma_h * rbm.sigma_h;
    let k = SMatrix::<f64, N, N>::identity() * rbm.mu2 - y;
    let Some(sigma) = k.try_inverse() else {
        return [f64::NAN; N];
    };
    let kinv =
        SMatrix::<f64, N, N>::from_fn(|i, j| if i == j { 1.0 / target.kappa()[i] } else { 0.0 });
    let a = kinv - sigma * s2;
    let ys = y * sigma;
    let tr = ys.trace();
    let noise = (sigma * y * sigma + sigma * tr) * (s2 * s2 / batch as f64);
    let step = (a * y + y * a) * lr + (a * y * a + noise) * (lr * lr);
    std::array::from_fn(|i| step[(i, i)])
}

/// The predicted ensemble of one configuration: `realisations` members, member n from the
/// stream (seed, "rbm/theory/<α>/<|B|>", n).
pub struct TheoryEnsemble;

impl TheoryEnsemble {
    /// Stream purpose of a configuration.
    pub fn purpose(lr: f64, batch: usize) -> String {
        format!("rbm/theory/{lr}/{batch}")
    }

    /// The sorted spectra of `realisations` members (in member order, any thread count).
    pub fn spectra(
        response: &LinearResponse,
        seed: u64,
        lr: f64,
        batch: usize,
        realisations: usize,
    ) -> Vec<[f64; N]> {
        use rayon::prelude::*;
        let purpose = Self::purpose(lr, batch);
        (0..realisations as u64)
            .into_par_iter()
            .map(|n| response.sample(&mut seed::stream(seed, &purpose, n)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Lyapunov solution against a long direct simulation of the scalar recursion with AR(1)
    /// noise, at the element (0, 0) of α = 0.1, |B| = 4 (γ = 0.0625, the largest of the sweep)
    /// with persistence exaggerated to r = 0.5 so that the term is resolved. 4·10⁶ steps in 100
    /// batches; the batch means' spread gives the error; the assertion is at 4.5 standard
    /// errors (false-alarm rate ~7e-6), seed fixed.
    #[test]
    fn lyapunov_variance_matches_a_long_simulation() {
        let rbm = Rbm::authors();
        let target = Target::authors();
        let e = LinearResponse::element(&rbm, &target, 0.1, 4, 0, 0);
        let (gamma, q, r) = (e.gamma, e.q, 0.5);
        let want = ar1_driven_variance(gamma, q, r);
        let mut rng = seed::stream(7, "test/lyapunov", 0);
        let (batches, per) = (100usize, 40_000usize);
        let (mut x, mut eps) = (0.0f64, 0.0f64);
        let innov = (q * (1.0 - r * r)).sqrt();
        // Burn in from the stationary noise and a cold x.
        let mut means = Vec::with_capacity(batches);
        for b in 0..=batches {
            let mut acc = 0.0;
            for _ in 0..per {
                let z: f64 = StandardNormal.sample(&mut rng);
                eps = r * eps + innov * z;
                x = (1.0 - gamma) * x + eps;
                acc += x * x;
            }
            if b > 0 {
                means.push(acc / per as f64);
            }
        }
        let m = means.iter().sum::<f64>() / batches as f64;
        let sd = (means.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (batches - 1) as f64).sqrt();
        let se = sd / (batches as f64).sqrt();
        assert!(
            (m - want).abs() < 4.5 * se,
            "simulated {m} ± {se}, Lyapunov {want}"
        );
        // Without the persistence term the prediction is off by far more than the error.
        let white = ar1_driven_variance(gamma, q, 0.0);
        assert!((m - white).abs() > 20.0 * se, "{m} vs white {white}");
    }

    /// The small-α limit without persistence is the book's σ² = 2(α/|B|)(μ² − κ) on the
    /// diagonal and half of the mean of the two diagonals off it.
    #[test]
    fn small_lr_limit_is_the_white_noise_width() {
        let rbm = Rbm::authors();
        let target = Target::authors();
        let terms = Terms {
            finite_lr: false,
            persistence: false,
            all_modes: true,
            second_order_mean: false,
        };
        let (lr, batch) = (1e-4, 16);
        let lr_ = LinearResponse::new(&rbm, &target, lr, batch, terms);
        for i in 0..N {
            let want = 2.0 * lr / batch as f64 * (rbm.mu2 - target.kappa()[i]);
            assert!((lr_.var[i][i] / want - 1.0).abs() < 1e-12, "{i}");
            for j in 0..N {
                if j != i {
                    let off = lr / batch as f64
                        * (2.0 * rbm.mu2 - target.kappa()[i] - target.kappa()[j])
                        / 2.0;
                    assert!((lr_.var[i][j] / off - 1.0).abs() < 1e-12, "{i} {j}");
                }
            }
        }
    }
}
