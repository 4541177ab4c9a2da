//! Maximum-likelihood fits of Eqs (11), (31), (32), the Hoyt law and the Gaussian to raw samples.
//!
//! Widths are fitted as ln σ so they stay positive; the optimiser is a damped Newton method on the
//! analytic score and observed information ([`crate::fit::score`]) from the caller's start or a
//! method-of-moments one. Standard
//! errors come from the inverse observed Fisher information, mapped back to σ by the delta method
//! (dσ = σ d ln σ). Goodness of fit: KS against the fitted law. That p-value is conservative
//! (too large), because the parameters were estimated from the same samples.

use crate::binder::sample_central_moments;
use crate::density::{Density1D, Gaussian};
use crate::error::{check_samples, GasError};
use crate::fit::score::{score, Score};
use crate::fit::spd_inverse;
use crate::hoyt::Hoyt;
use crate::ks::{ks_one_sample, KsResult};
use crate::pair::PairDensity;
use crate::surmise::Surmise;
use crate::two_species::TwoSpecies;

/// The laws that can be fitted by maximum likelihood, with their parameter order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Law {
    /// Eq (11): [centre, σ].
    Pair,
    /// Normal: [centre, σ].
    Gaussian,
    /// Eq (32): [centre, σ₁, σ₂], reported with σ₁ ≤ σ₂.
    TwoSpecies,
    /// Eq (31) for spacings S > 0: `[σ_m]`.
    Surmise,
    /// The Hoyt law for spacings S > 0: [σ_u, σ_v], reported with σ_u ≥ σ_v (the law is
    /// symmetric under σ_u ↔ σ_v, so only the unordered pair is identified).
    Hoyt,
}

impl Law {
    /// Number of parameters.
    pub fn n_params(self) -> usize {
        match self {
            Law::Pair | Law::Gaussian | Law::Hoyt => 2,
            Law::TwoSpecies => 3,
            Law::Surmise => 1,
        }
    }

    /// Parameter names.
    pub fn names(self) -> Vec<&'static str> {
        match self {
            Law::Pair | Law::Gaussian => vec!["centre", "sigma"],
            Law::TwoSpecies => vec!["centre", "sigma1", "sigma2"],
            Law::Surmise => vec!["sigma_m"],
            Law::Hoyt => vec!["sigma_u", "sigma_v"],
        }
    }

    /// True for parameters fitted on the log scale (the widths).
    fn is_log(self, k: usize) -> bool {
        !matches!((self, k), (Law::Pair | Law::Gaussian | Law::TwoSpecies, 0))
    }

    pub(crate) fn to_internal(self, p: &[f64]) -> Vec<f64> {
        p.iter()
            .enumerate()
            .map(|(k, &v)| if self.is_log(k) { v.ln() } else { v })
            .collect()
    }

    pub(crate) fn to_external(self, t: &[f64]) -> Vec<f64> {
        t.iter()
            .enumerate()
            .map(|(k, &v)| if self.is_log(k) { v.exp() } else { v })
            .collect()
    }

    fn cdf(self, p: &[f64]) -> Box<dyn Fn(f64) -> f64 + Sync> {
        match self {
            Law::Pair => {
                let d = PairDensity {
                    centre: p[0],
                    sigma: p[1],
                };
                Box::new(move |x| d.cdf(x))
            }
            Law::Gaussian => {
                let d = Gaussian {
                    centre: p[0],
                    sigma: p[1],
                };
                Box::new(move |x| d.cdf(x))
            }
            Law::TwoSpecies => {
                let d = TwoSpecies {
                    centre: p[0],
                    sigma1: p[1],
                    sigma2: p[2],
                };
                Box::new(move |x| d.cdf(x))
            }
            Law::Surmise => {
                let d = Surmise { sigma_m: p[0] };
                Box::new(move |x| d.cdf(x))
            }
            Law::Hoyt => {
                let d = Hoyt {
                    sigma_u: p[0],
                    sigma_v: p[1],
                };
                Box::new(move |x| d.cdf(x))
            }
        }
    }

    /// Method-of-moments starting point.
    fn start(self, samples: &[f64]) -> Vec<f64> {
        let (mean, m2, m4) = sample_central_moments(samples);
        match self {
            Law::Pair => vec![mean, (m2 / 1.5).sqrt()],
            Law::Gaussian => vec![mean, m2.sqrt()],
            Law::Surmise => {
                // Closed-form MLE: σ_m² = ⟨S²⟩/4.
                let s2 = samples.iter().map(|s| s * s).sum::<f64>() / samples.len() as f64;
                vec![(s2 / 4.0).sqrt()]
            }
            Law::Hoyt => hoyt_start(samples),
            Law::TwoSpecies => {
                // Solve U4(r) = sample U4 for r = σ₁/σ₂ ∈ (0, 0.95] by bisection (U4 decreases in r
                // from 1/3 to −4/27), then set the scale from m2. Stay off r = 1, where the
                // likelihood is flat in σ₁ − σ₂ to second order.
                let u4 = m4 / (3.0 * m2 * m2) - 1.0;
                let u4_of = |r: f64| {
                    TwoSpecies {
                        centre: 0.0,
                        sigma1: r,
                        sigma2: 1.0,
                    }
                    .binder_u4()
                };
                let r = if u4 <= u4_of(0.95) {
                    0.95
                } else if u4 >= u4_of(0.02) {
                    0.02
                } else {
                    let (mut lo, mut hi) = (0.02, 0.95);
                    for _ in 0..60 {
                        let mid = 0.5 * (lo + hi);
                        if u4_of(mid) > u4 {
                            lo = mid;
                        } else {
                            hi = mid;
                        }
                    }
                    0.5 * (lo + hi)
                };
                let unit = TwoSpecies {
                    centre: 0.0,
                    sigma1: r,
                    sigma2: 1.0,
                }
                .m2();
                let s2 = (m2 / unit).sqrt();
                vec![mean, r * s2, s2]
            }
        }
    }
}

/// Bounds of the variance ratio b²/a² of the Hoyt start: off q = 1, where the likelihood is flat in
/// ln a − ln b to second order (it depends on that difference through its square), and away from
/// the tiny q where the quadrature of the distribution function gets expensive.
const HOYT_START_Q2: (f64, f64) = (1e-3, 0.8);

/// Method of moments for the Hoyt law: with Σ = a² + b² and P = a²b²,
///
/// ```text
/// ⟨S²⟩ = 4Σ,   ⟨S⁴⟩ = 16(3a⁴ + 2a²b² + 3b⁴) = 16(3Σ² − 4P)
/// a², b² = (Σ ± √D)/2,   D = Σ² − 4P = ⟨S⁴⟩/16 − 2Σ²
/// ```
///
/// D ≤ 0 (moments at or beyond the isotropic q = 1) or D ≥ Σ² (beyond q = 0) are clamped to the
/// bounds of [`HOYT_START_Q2`].
fn hoyt_start(samples: &[f64]) -> Vec<f64> {
    let n = samples.len() as f64;
    let s2 = samples.iter().map(|s| s * s).sum::<f64>() / n;
    let s4 = samples.iter().map(|s| (s * s) * (s * s)).sum::<f64>() / n;
    let sigma = s2 / 4.0;
    let d = s4 / 16.0 - 2.0 * sigma * sigma;
    let root = d.max(0.0).sqrt();
    let q2 = ((sigma - root) / (sigma + root)).clamp(HOYT_START_Q2.0, HOYT_START_Q2.1);
    let a2 = sigma / (1.0 + q2);
    vec![a2.sqrt(), (q2 * a2).sqrt()]
}

/// Result of a maximum-likelihood fit.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MleFit {
    /// The fitted law.
    pub law: Law,
    /// Parameter names.
    pub names: Vec<String>,
    /// Maximum-likelihood estimates (σ₁ ≤ σ₂ for Eq 32).
    pub params: Vec<f64>,
    /// Standard errors from the inverse observed information (NaN if it is not positive definite).
    pub stderr: Vec<f64>,
    /// Covariance of the estimates (delta method for the widths).
    pub covariance: Vec<Vec<f64>>,
    /// Σ ln ρ(x_i) at the optimum.
    pub log_likelihood: f64,
    /// Number of samples.
    pub n: usize,
    /// KS test against the fitted law (conservative: parameters were estimated).
    pub ks: KsResult,
}

/// Most Newton iterations of a fit.
const MAX_ITERATIONS: usize = 200;
/// A fit has converged when the Newton step that remains is below this many standard errors in
/// every coordinate.
const STEP_TOLERANCE: f64 = 1e-6;
/// Below this many standard errors a step the likelihood cannot resolve (rounding) ends the fit.
const ROUNDING_STEP: f64 = 1e-3;

/// The observed information −∇²ℓ of the law's `k` parameters.
fn information(at: &Score, k: usize) -> Vec<Vec<f64>> {
    (0..k)
        .map(|i| (0..k).map(|j| -at.h[i][j]).collect())
        .collect()
}

/// Cov(θ̂) = [−∇²ℓ]⁻¹, or None where the information is not positive definite.
fn information_inverse(at: &Score, k: usize) -> Option<Vec<Vec<f64>>> {
    spd_inverse(&information(at, k))
}

/// The Newton step cov·g and its largest size in standard errors.
fn newton_step(cov: &[Vec<f64>], g: &[f64]) -> (Vec<f64>, f64) {
    let step: Vec<f64> = cov
        .iter()
        .map(|row| row.iter().zip(g).map(|(c, g)| c * g).sum())
        .collect();
    let size = step
        .iter()
        .enumerate()
        .map(|(i, s)| s.abs() / cov[i][i].sqrt())
        .fold(0.0, f64::max);
    (step, size)
}

// ANCHOR: newton
/// Maximises ℓ(θ) from `t` by Newton's method on the analytic score and information
/// ([`crate::fit::score`]), damped Levenberg–Marquardt style (information + λ·its diagonal, λ
/// raised until the likelihood rises) where the information is not positive definite or a full
/// step would lower ℓ. Every pass over the samples gives the value, score and information at
/// once, so a fit costs ~5-10 passes (Nelder–Mead needed 200-300).
fn newton(law: Law, samples: &[f64], mut t: Vec<f64>) -> Result<(Vec<f64>, Score), GasError> {
    let k = law.n_params();
    let eval = |t: &[f64]| score(law, &law.to_external(t), samples);
    let mut at = eval(&t);
    if !at.ll.is_finite() {
        return Err(GasError::Fit(format!(
            "log-likelihood is not finite at start {:?}",
            law.to_external(&t)
        )));
    }
    let mut lambda = 0.0_f64;
    for _ in 0..MAX_ITERATIONS {
        let g = &at.g[..k];
        let undamped = information_inverse(&at, k).map(|cov| newton_step(&cov, g));
        if let Some((_, size)) = &undamped {
            if *size <= STEP_TOLERANCE {
                return Ok((t, at));
            }
        }
        let mut damped = information(&at, k);
        for (i, row) in damped.iter_mut().enumerate() {
            row[i] += lambda * row[i].abs().max(f64::MIN_POSITIVE);
        }
        let next = |lambda: f64| if lambda == 0.0 { 1e-3 } else { 10.0 * lambda };
        let Some(inv) = spd_inverse(&damped) else {
            lambda = next(lambda);
            continue;
        };
        let (step, _) = newton_step(&inv, g);
        let cand: Vec<f64> = t.iter().zip(&step).map(|(a, b)| a + b).collect();
        let c = eval(&cand);
        if c.ll.is_finite() && c.ll > at.ll {
            (t, at) = (cand, c);
            lambda = if lambda <= 1e-3 { 0.0 } else { lambda / 10.0 };
        } else if lambda == 0.0 && undamped.is_some_and(|(_, size)| size <= ROUNDING_STEP) {
            // A full Newton step this small changes ℓ by less than its rounding.
            return Ok((t, at));
        } else {
            lambda = next(lambda);
        }
        if lambda > 1e12 {
            break;
        }
    }
    Err(GasError::Fit(format!(
        "maximum likelihood did not converge ({MAX_ITERATIONS} damped Newton iterations from \
         {:?})",
        law.to_external(&t)
    )))
}
// ANCHOR_END: newton

/// Maximum-likelihood fit of `law` to `samples`, starting from method-of-moments estimates.
pub fn fit_mle(law: Law, samples: &[f64]) -> Result<MleFit, GasError> {
    check_samples("samples", samples)?;
    fit_mle_from(law, samples, &law.start(samples))
}

/// Maximum-likelihood fit of `law` to `samples` from the starting point `start` (external
/// parameters, widths > 0).
///
/// ```text
/// θ̂ = argmax Σ_i ln ρ(x_i; θ),  θ = (x₀, ln σ, ...)
/// Cov(θ̂) = [−∂²ℓ/∂θ∂θᵀ]⁻¹,      Cov(σ̂) = σ² Cov(ln σ̂)  (delta method)
/// ```
// ANCHOR: mle_fit
pub fn fit_mle_from(law: Law, samples: &[f64], start: &[f64]) -> Result<MleFit, GasError> {
    check_samples("samples", samples)?;
    let k = law.n_params();
    if start.len() != k {
        return Err(GasError::Shape(format!(
            "start has {} values, {law:?} has {k} parameters",
            start.len()
        )));
    }
    if samples.len() <= k {
        return Err(GasError::NotEnoughData(format!(
            "{} samples for {k} parameters",
            samples.len()
        )));
    }
    for (i, &v) in start.iter().enumerate() {
        if !v.is_finite() || (law.is_log(i) && v <= 0.0) {
            return Err(GasError::Invalid(format!(
                "start[{i}] = {v}: must be finite (and > 0 for a width)"
            )));
        }
    }
    if matches!(law, Law::Surmise | Law::Hoyt) {
        if let Some(s) = samples.iter().find(|s| **s <= 0.0) {
            return Err(GasError::Invalid(format!(
                "spacing {s}: the {law:?} law has zero density at S <= 0, every spacing must be \
                 > 0"
            )));
        }
    }
    // The fit depends on the samples, not on their order: every sum runs over them sorted (a
    // sorted input is used as it is).
    let sorted_copy;
    let samples = if samples.is_sorted_by(|a, b| a.total_cmp(b).is_le()) {
        samples
    } else {
        let mut v = samples.to_vec();
        v.sort_by(f64::total_cmp);
        sorted_copy = v;
        &sorted_copy
    };
    let (t, at) = newton(law, samples, law.to_internal(start))?;
    let ll = at.ll;
    let p = law.to_external(&t);
    let cov_t = information_inverse(&at, k)
        .ok_or_else(|| GasError::Fit("maximum likelihood: the information is singular".into()))?;
    // Delta method: d p_i/d t_i = p_i for widths, 1 for the centre.
    let jac: Vec<f64> = (0..k)
        .map(|i| if law.is_log(i) { p[i] } else { 1.0 })
        .collect();
    let mut cov: Vec<Vec<f64>> = (0..k)
        .map(|i| (0..k).map(|j| jac[i] * jac[j] * cov_t[i][j]).collect())
        .collect();
    let mut params = p;
    // Canonical order of the symmetric widths: σ₁ ≤ σ₂ for Eq (32), σ_u ≥ σ_v for Hoyt.
    let swap = match law {
        Law::TwoSpecies if params[1] > params[2] => Some((1, 2)),
        Law::Hoyt if params[0] < params[1] => Some((0, 1)),
        _ => None,
    };
    if let Some((i, j)) = swap {
        params.swap(i, j);
        cov.swap(i, j);
        for row in cov.iter_mut() {
            row.swap(i, j);
        }
    }
    let ks = ks_one_sample(samples, law.cdf(&params))?;
    Ok(MleFit {
        law,
        names: law.names().iter().map(|s| s.to_string()).collect(),
        stderr: (0..k).map(|i| cov[i][i].sqrt()).collect(),
        params,
        covariance: cov,
        log_likelihood: ll,
        n: samples.len(),
        ks,
    })
}
// ANCHOR_END: mle_fit

#[cfg(test)]
mod tests {
    use super::*;

    fn pooled(law: TwoSpecies, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = langevin_core::stream(seed, "coulomb-gas/test/mle", 0);
        (0..n)
            .map(|k| {
                let (a, b) = law.sample_pair(&mut rng);
                if k & 1 == 0 {
                    a
                } else {
                    b
                }
            })
            .collect()
    }

    /// Eq (11) and Eq (32) from n = 5000 exact draws: within 4 standard errors of the truth
    /// (seeded; false-alarm rate ~1e-4 per parameter), KS accepts the fitted law.
    #[test]
    fn mle_recovers_eq11_and_eq32() {
        let xs = pooled(TwoSpecies::new(-1.0, 0.4, 0.4).unwrap(), 5000, 1);
        let f = fit_mle(Law::Pair, &xs).unwrap();
        for (k, want) in [-1.0, 0.4].iter().enumerate() {
            assert!(((f.params[k] - want) / f.stderr[k]).abs() < 4.0, "{f:?}");
        }
        // Cramér–Rao scale check: σ error ≈ σ/√(2n · 1.x); loosely within a factor 2 of σ/√(2n).
        let naive = 0.4 / (2.0 * 5000f64).sqrt();
        assert!(f.stderr[1] > 0.5 * naive && f.stderr[1] < 2.0 * naive);
        assert!(f.ks.p_value > 1e-3);

        let truth = [0.5, 0.5, 1.5];
        let xs = pooled(
            TwoSpecies::new(truth[0], truth[2], truth[1]).unwrap(),
            5000,
            2,
        );
        let f = fit_mle(Law::TwoSpecies, &xs).unwrap();
        assert!(f.params[1] <= f.params[2]);
        for (k, t) in truth.iter().enumerate() {
            assert!(((f.params[k] - t) / f.stderr[k]).abs() < 4.0, "{f:?}");
        }
        assert!(f.ks.p_value > 1e-3);
        // A swapped start lands on the same optimum.
        let g = fit_mle_from(Law::TwoSpecies, &xs, &[0.4, 1.4, 0.6]).unwrap();
        for k in 0..3 {
            assert!(
                (g.params[k] - f.params[k]).abs() < 1e-3 * f.stderr[k],
                "{g:?} vs {f:?}"
            );
        }
        assert!((g.log_likelihood - f.log_likelihood).abs() < 1e-6);
    }

    /// Closed forms: Gaussian MLE = (mean, √m2), errors σ/√n and σ/√(2n); surmise σ̂² = ⟨S²⟩/4,
    /// error σ/(2√n) (Fisher information 4n/σ²).
    #[test]
    fn mle_matches_closed_forms_for_gaussian_and_surmise() {
        let xs = pooled(TwoSpecies::new(0.0, 1.0, 1.0).unwrap(), 2000, 3);
        let (mean, m2, _) = sample_central_moments(&xs);
        let f = fit_mle(Law::Gaussian, &xs).unwrap();
        let n = xs.len() as f64;
        assert!((f.params[0] - mean).abs() < 1e-8 && (f.params[1] - m2.sqrt()).abs() < 1e-8);
        assert!((f.stderr[0] / (m2.sqrt() / n.sqrt()) - 1.0).abs() < 1e-4);
        assert!((f.stderr[1] / (m2.sqrt() / (2.0 * n).sqrt()) - 1.0).abs() < 1e-4);
        // These are Eq (11) draws: the true law has the higher likelihood.
        let p = fit_mle(Law::Pair, &xs).unwrap();
        assert!(p.log_likelihood > f.log_likelihood);

        let mut rng = langevin_core::stream(4, "coulomb-gas/test/mle-surmise", 0);
        let law = TwoSpecies::new(0.0, 0.3, 0.9).unwrap();
        let s: Vec<f64> = (0..3000)
            .map(|_| {
                let (a, b) = law.sample_pair(&mut rng);
                (a - b).abs()
            })
            .collect();
        let f = fit_mle(Law::Surmise, &s).unwrap();
        let s2 = s.iter().map(|v| v * v).sum::<f64>() / s.len() as f64;
        assert!((f.params[0] - (s2 / 4.0).sqrt()).abs() < 1e-9);
        assert!((f.stderr[0] / (f.params[0] / (2.0 * (s.len() as f64).sqrt())) - 1.0).abs() < 1e-4);
        assert!(((f.params[0] - law.sigma_m()) / f.stderr[0]).abs() < 4.0);
        assert!(f.ks.p_value > 1e-3);
    }

    /// Standard errors are calibrated: over 40 independent Eq (11) fits at n = 400 the pulls
    /// z = (θ̂ − θ)/se have ⟨z²⟩ ≈ 1 (sd of the 40-fit mean of z² is ≈ 0.22; window ±3 sd).
    #[test]
    fn mle_standard_errors_are_calibrated() {
        let law = TwoSpecies::new(3.0, 0.2, 0.2).unwrap();
        let (mut zc, mut zs) = (0.0, 0.0);
        let reps = 40;
        for r in 0..reps {
            let xs = pooled(law, 400, 100 + r);
            let f = fit_mle(Law::Pair, &xs).unwrap();
            zc += ((f.params[0] - 3.0) / f.stderr[0]).powi(2) / reps as f64;
            zs += ((f.params[1] - 0.2) / f.stderr[1]).powi(2) / reps as f64;
        }
        assert!((0.34..1.66).contains(&zc), "<z²> centre = {zc}");
        assert!((0.34..1.66).contains(&zs), "<z²> sigma = {zs}");
    }

    /// The optimum is a maximum of the laws' own sequential log-likelihood
    /// ([`Density1D::log_likelihood`], not the fit's score): moving any parameter by ±0.01
    /// standard errors lowers it, and the central-difference slope there is below 0.01 of the
    /// curvature scale (the score vanishes).
    #[test]
    fn the_fit_is_the_maximum_of_the_likelihood() {
        let xs = pooled(TwoSpecies::new(1.0, 0.04, 0.07).unwrap(), 200_000, 11);
        for law in [Law::Pair, Law::TwoSpecies, Law::Gaussian] {
            let f = fit_mle(law, &xs).unwrap();
            let ll = |p: &[f64]| -> f64 {
                match law {
                    Law::Pair => PairDensity::new(p[0], p[1]).unwrap().log_likelihood(&xs),
                    Law::Gaussian => Gaussian::new(p[0], p[1]).unwrap().log_likelihood(&xs),
                    _ => TwoSpecies::new(p[0], p[1], p[2])
                        .unwrap()
                        .log_likelihood(&xs),
                }
            };
            let l0 = ll(&f.params);
            assert!((l0 - f.log_likelihood).abs() < 1e-6 * l0.abs(), "{law:?}");
            for i in 0..law.n_params() {
                let h = 0.01 * f.stderr[i];
                let mut up = f.params.clone();
                let mut dn = f.params.clone();
                up[i] += h;
                dn[i] -= h;
                let (lu, ld) = (ll(&up), ll(&dn));
                assert!(lu < l0 && ld < l0, "{law:?} param {i}: {ld} {l0} {lu}");
                // In standard-error units the log-likelihood is −z²/2: slope at the optimum 0,
                // at ±0.01 se the drop is 5e-5; an offset optimum by δ se tilts it by δ.
                let slope = (lu - ld) / 0.02;
                assert!(
                    slope.abs() < 0.01,
                    "{law:?} param {i}: slope {slope} per se"
                );
            }
        }
    }

    fn hoyt_sample(d: Hoyt, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = langevin_core::stream(seed, "coulomb-gas/test/mle-hoyt", 0);
        (0..n).map(|_| d.sample(&mut rng)).collect()
    }

    /// Hoyt from n = 20 000 exact draws (seed 21) of σ_u = 0.3, σ_v = 0.6 (q = 0.5): both widths
    /// within 4 standard errors (false-alarm rate ~1e-4 per parameter), reported σ_u ≥ σ_v, KS
    /// accepts (p > 1e-3); a start in the other order lands on the same optimum, which is the
    /// maximum of the law's own log-likelihood.
    #[test]
    fn mle_recovers_hoyt() {
        let xs = hoyt_sample(Hoyt::new(0.3, 0.6).unwrap(), 20_000, 21);
        let f = fit_mle(Law::Hoyt, &xs).unwrap();
        assert!(f.params[0] >= f.params[1], "{f:?}");
        for (k, want) in [0.6, 0.3].iter().enumerate() {
            assert!(((f.params[k] - want) / f.stderr[k]).abs() < 4.0, "{f:?}");
        }
        assert!(f.ks.p_value > 1e-3, "{f:?}");
        let g = fit_mle_from(Law::Hoyt, &xs, &[0.2, 0.9]).unwrap();
        for k in 0..2 {
            assert!(
                (g.params[k] - f.params[k]).abs() < 1e-3 * f.stderr[k],
                "{g:?}"
            );
        }
        let ll = |a: f64, b: f64| Hoyt::new(a, b).unwrap().log_likelihood(&xs);
        let l0 = ll(f.params[0], f.params[1]);
        assert!((l0 - f.log_likelihood).abs() < 1e-8 * l0.abs());
        for (da, db) in [(1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)] {
            let (a, b) = (
                f.params[0] + 0.1 * da * f.stderr[0],
                f.params[1] + 0.1 * db * f.stderr[1],
            );
            assert!(ll(a, b) < l0);
        }
        // The method-of-moments start is already close (within 5 standard errors).
        let st = hoyt_start(&xs);
        assert!(((st[0] - 0.6) / f.stderr[0]).abs() < 5.0, "{st:?}");
    }

    /// A Rayleigh sample (σ_u = σ_v = 0.4, Eq 31; n = 20 000, seed 22): the fitted anisotropy
    /// q = σ_v/σ_u is within 4 of its standard errors (delta method) of 1, and σ_u² + σ_v² is
    /// within 4 standard errors of 2·0.4².
    #[test]
    fn mle_of_a_rayleigh_sample_gives_q_near_1() {
        let xs = hoyt_sample(Hoyt::new(0.4, 0.4).unwrap(), 20_000, 22);
        let f = fit_mle(Law::Hoyt, &xs).unwrap();
        let (a, b) = (f.params[0], f.params[1]);
        let c = &f.covariance;
        let q = b / a;
        let var_q = q * q * (c[0][0] / (a * a) + c[1][1] / (b * b) - 2.0 * c[0][1] / (a * b));
        let z = (1.0 - q) / var_q.sqrt();
        eprintln!("Rayleigh sample: q = {q} ± {}, {f:?}", var_q.sqrt());
        assert!(q <= 1.0 && z < 4.0, "q = {q}, z = {z}");
        let m = a * a + b * b;
        let var_m = 4.0 * (a * a * c[0][0] + b * b * c[1][1] + 2.0 * a * b * c[0][1]);
        assert!(((m - 0.32) / var_m.sqrt()).abs() < 4.0, "{m} vs 0.32");
        assert!(f.ks.p_value > 1e-3);
    }

    #[test]
    fn mle_rejects_bad_input() {
        assert!(matches!(
            fit_mle(Law::Pair, &[]),
            Err(GasError::NotEnoughData(_))
        ));
        assert!(matches!(
            fit_mle(Law::Pair, &[1.0, f64::NAN, 2.0]),
            Err(GasError::NonFinite(_))
        ));
        assert!(fit_mle(Law::Surmise, &[0.5, 0.0, 1.0]).is_err());
        assert!(fit_mle(Law::Hoyt, &[0.5, -1.0, 1.0, 2.0]).is_err());
        assert!(fit_mle(Law::TwoSpecies, &[1.0, 2.0, 3.0]).is_err());
        assert!(fit_mle_from(Law::Pair, &[1.0, 2.0, 3.0, 4.0], &[0.0, -1.0]).is_err());
    }
}
