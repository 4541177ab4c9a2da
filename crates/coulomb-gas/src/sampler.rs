//! A Metropolis sampler of the N-particle Coulomb gas of Eq (7): an exact reference sampler of
//! the stationary law, independent of the Langevin dynamics it is used to check.
//!
//! ```text
//! ln P(x) = β Σ_{i<j} ln|x_i − x_j| − Σ_i V_i(x_i) / (T g_i²) + const,   T = α/|B|
//! ```
//!
//! β = 1 is the paper's Vandermonde exponent; β = 0 gives independent particles.

use langevin_core::stationary::log_stationary;
use langevin_core::{Potential, Stream};
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

use crate::error::{check_positive, GasError};

/// The stationary law of Eq (7) for a given potential, Vandermonde exponent β, temperature
/// T = α/|B| and per-particle noise strengths g_i².
pub struct CoulombGas<'a> {
    potential: &'a dyn Potential,
    beta: f64,
    temperature: f64,
    g2: Vec<f64>,
}

impl<'a> CoulombGas<'a> {
    /// Validates β ≥ 0, T > 0, one g_i² > 0 per particle.
    pub fn new(
        potential: &'a dyn Potential,
        beta: f64,
        temperature: f64,
        g2: Vec<f64>,
    ) -> Result<Self, GasError> {
        if !(beta.is_finite() && beta >= 0.0) {
            return Err(GasError::Invalid(format!(
                "beta = {beta}: must be finite and >= 0"
            )));
        }
        check_positive("temperature", temperature)?;
        if potential.is_empty() {
            return Err(GasError::Invalid("the potential has no particles".into()));
        }
        if g2.len() != potential.len() {
            return Err(GasError::Shape(format!(
                "g2 has {} values for {} particles",
                g2.len(),
                potential.len()
            )));
        }
        for (i, &g) in g2.iter().enumerate() {
            check_positive(&format!("g2[{i}]"), g)?;
        }
        Ok(Self {
            potential,
            beta,
            temperature,
            g2,
        })
    }

    /// Number of particles.
    pub fn len(&self) -> usize {
        self.g2.len()
    }

    /// Always false (validated at construction).
    pub fn is_empty(&self) -> bool {
        self.g2.is_empty()
    }

    /// Unnormalised ln P(x) of Eq (7) (−∞ at coincident particles when β > 0): the one
    /// implementation, [`langevin_core::stationary::log_stationary`].
    pub fn log_density(&self, x: &[f64]) -> f64 {
        log_stationary(x, self.potential, self.beta, self.temperature, &self.g2)
    }

    /// Change of ln P when particle i moves from x[i] to `to`.
    fn delta_log(&self, x: &[f64], i: usize, to: f64) -> f64 {
        let from = x[i];
        let tg = self.temperature * self.g2[i];
        let mut d = -(self.potential.value(i, to) - self.potential.value(i, from)) / tg;
        if self.beta > 0.0 {
            let mut pair = 0.0;
            for (j, &xj) in x.iter().enumerate() {
                if j != i {
                    pair += ((to - xj) / (from - xj)).abs().ln();
                }
            }
            d += self.beta * pair;
        }
        d
    }
}

/// Run lengths and proposal tuning of the Metropolis chain (lengths in sweeps of N proposals).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MetropolisConfig {
    /// Number of samples returned.
    pub n_samples: usize,
    /// Sweeps discarded at the start; the step sizes adapt only here.
    pub burn_in: usize,
    /// Sweeps between returned samples (≥ 1).
    pub thin: usize,
    /// Initial Gaussian proposal width, the same for every particle.
    pub initial_step: f64,
    /// Acceptance rate the burn-in adaptation aims for (0.44 is optimal for 1-D moves).
    pub target_acceptance: f64,
}

impl Default for MetropolisConfig {
    fn default() -> Self {
        Self {
            n_samples: 1000,
            burn_in: 1000,
            thin: 10,
            initial_step: 0.1,
            target_acceptance: 0.44,
        }
    }
}

/// Output of a Metropolis run.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MetropolisRun {
    /// One N-vector per sample, in particle order (not sorted: species information survives).
    pub samples: Vec<Vec<f64>>,
    /// Acceptance rate after burn-in.
    pub acceptance_rate: f64,
    /// Final (fixed after burn-in) proposal widths per particle.
    pub step: Vec<f64>,
}

/// Metropolis sampling of Eq (7) with single-particle Gaussian random-walk proposals, visited in
/// order i = 0..N−1 each sweep. The step of particle i adapts during burn-in only (every 20
/// sweeps, ×exp(acc − target)), so the chain after burn-in is an exact Metropolis chain.
/// Deterministic for a given `rng` state.
// ANCHOR: metropolis
pub fn metropolis(
    gas: &CoulombGas,
    initial: &[f64],
    config: &MetropolisConfig,
    rng: &mut Stream,
) -> Result<MetropolisRun, GasError> {
    let n = gas.len();
    if initial.len() != n {
        return Err(GasError::Shape(format!(
            "initial configuration has {} particles, the gas has {n}",
            initial.len()
        )));
    }
    if config.n_samples == 0 || config.thin == 0 {
        return Err(GasError::Invalid(format!(
            "n_samples = {}, thin = {}: both must be >= 1",
            config.n_samples, config.thin
        )));
    }
    check_positive("initial_step", config.initial_step)?;
    if !(config.target_acceptance > 0.0 && config.target_acceptance < 1.0) {
        return Err(GasError::Invalid(format!(
            "target_acceptance = {}: must lie in (0, 1)",
            config.target_acceptance
        )));
    }
    if !gas.log_density(initial).is_finite() {
        return Err(GasError::Degenerate(format!(
            "ln P is not finite at the initial configuration {initial:?} (coincident particles?)"
        )));
    }
    let mut x = initial.to_vec();
    let mut step = vec![config.initial_step; n];
    let mut accepted_batch = vec![0usize; n];
    const ADAPT_EVERY: usize = 20;
    let sweep = |x: &mut Vec<f64>, step: &[f64], acc: &mut [usize], rng: &mut Stream| {
        for i in 0..n {
            let z: f64 = StandardNormal.sample(rng);
            let to = x[i] + step[i] * z;
            let d = gas.delta_log(x, i, to);
            let u: f64 = rng.random();
            // NaN (e.g. a potential undefined at `to`) is rejected by this comparison.
            if u.ln() < d {
                x[i] = to;
                acc[i] += 1;
            }
        }
    };
    for s in 1..=config.burn_in {
        sweep(&mut x, &step, &mut accepted_batch, rng);
        if s % ADAPT_EVERY == 0 {
            for i in 0..n {
                let rate = accepted_batch[i] as f64 / ADAPT_EVERY as f64;
                step[i] *= (2.0 * (rate - config.target_acceptance)).exp();
                accepted_batch[i] = 0;
            }
        }
    }
    let mut acc = vec![0usize; n];
    let mut samples = Vec::with_capacity(config.n_samples);
    for _ in 0..config.n_samples {
        for _ in 0..config.thin {
            sweep(&mut x, &step, &mut acc, rng);
        }
        samples.push(x.clone());
    }
    let proposals = (config.n_samples * config.thin * n) as f64;
    Ok(MetropolisRun {
        samples,
        acceptance_rate: acc.iter().sum::<usize>() as f64 / proposals,
        step,
    })
}
// ANCHOR_END: metropolis

#[cfg(test)]
mod tests {
    use super::*;
    use crate::density::Density1D;
    use crate::ks::ks_one_sample;
    use crate::pair::PairDensity;
    use crate::two_species::TwoSpecies;
    use langevin_core::Quadratic;

    /// Mean and batch-means standard error (the chain is autocorrelated even after thinning).
    fn batch_mean(y: &[f64], batches: usize) -> (f64, f64) {
        let b = y.len() / batches;
        let means: Vec<f64> = (0..batches)
            .map(|k| y[k * b..(k + 1) * b].iter().sum::<f64>() / b as f64)
            .collect();
        let m = means.iter().sum::<f64>() / batches as f64;
        let v = means.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (batches - 1) as f64;
        (m, (v / batches as f64).sqrt())
    }

    /// N = 2, identical wells: the one-point law is Eq (11) with σ² = T g²/Ω (Eq 9).
    /// Seeded; KS on one random particle per thinned sample (false-alarm rate 1e-3; thinning by
    /// 10 sweeps leaves residual correlation that can only make KS stricter), ⟨δx²⟩ = 3σ²/2
    /// within 5 batch-means standard errors (false-alarm rate ~6e-7).
    #[test]
    fn metropolis_reproduces_eq11() {
        let pot = Quadratic::uniform(2, 2.0, 0.5).unwrap();
        let gas = CoulombGas::new(&pot, 1.0, 0.01, vec![0.5, 0.5]).unwrap();
        let sigma = (0.01_f64 * 0.5 / 2.0).sqrt();
        let cfg = MetropolisConfig {
            n_samples: 4000,
            burn_in: 2000,
            thin: 10,
            initial_step: 0.01,
            target_acceptance: 0.44,
        };
        let mut rng = langevin_core::stream(41, "coulomb-gas/test/metropolis-eq11", 0);
        let run = metropolis(&gas, &[0.45, 0.55], &cfg, &mut rng).unwrap();
        assert!(
            run.acceptance_rate > 0.3 && run.acceptance_rate < 0.6,
            "{}",
            run.acceptance_rate
        );
        let mut pick = langevin_core::stream(41, "coulomb-gas/test/metropolis-eq11/pick", 0);
        let one: Vec<f64> = run
            .samples
            .iter()
            .map(|s| s[if pick.random::<bool>() { 1 } else { 0 }])
            .collect();
        let law = PairDensity::new(0.5, sigma).unwrap();
        let ks = ks_one_sample(&one, |x| law.cdf(x)).unwrap();
        assert!(ks.p_value > 1e-3, "{ks:?}");
        let y: Vec<f64> = run
            .samples
            .iter()
            .map(|s| 0.5 * ((s[0] - 0.5).powi(2) + (s[1] - 0.5).powi(2)))
            .collect();
        let (m, se) = batch_mean(&y, 40);
        assert!(
            (m - 1.5 * sigma * sigma).abs() < 5.0 * se,
            "{m} ± {se} vs {}",
            1.5 * sigma * sigma
        );
    }

    /// N = 5 GOE: ⟨x²⟩ = σ²(N+1)/2 = 3σ² within 5 batch-means standard errors.
    #[test]
    fn metropolis_reproduces_goe_m2_at_n5() {
        let pot = Quadratic::uniform(5, 1.0, 0.0).unwrap();
        let gas = CoulombGas::new(&pot, 1.0, 1.0, vec![1.0; 5]).unwrap();
        let cfg = MetropolisConfig {
            n_samples: 4000,
            burn_in: 1000,
            thin: 5,
            initial_step: 0.5,
            target_acceptance: 0.44,
        };
        let mut rng = langevin_core::stream(42, "coulomb-gas/test/metropolis-goe5", 0);
        let run = metropolis(&gas, &[-2.0, -1.0, 0.0, 1.0, 2.0], &cfg, &mut rng).unwrap();
        let y: Vec<f64> = run
            .samples
            .iter()
            .map(|s| s.iter().map(|x| x * x).sum::<f64>() / 5.0)
            .collect();
        let (m, se) = batch_mean(&y, 40);
        let exact = crate::goe::goe_moments(5, 1.0).unwrap().m2;
        assert!((m - exact).abs() < 5.0 * se, "{m} ± {se} vs {exact}");
        assert!(se < 0.05 * exact);
    }

    /// Per-particle g_i²: two species with σ_i² = T g_i²/Ω. Random-walk moves can jump over the
    /// other level, so the chain visits both orderings and the pooled law is Eq (32).
    #[test]
    fn metropolis_with_two_species_follows_eq32() {
        let pot = Quadratic::uniform(2, 1.0, 0.0).unwrap();
        let gas = CoulombGas::new(&pot, 1.0, 1.0, vec![0.09, 1.0]).unwrap();
        let cfg = MetropolisConfig {
            n_samples: 3000,
            burn_in: 1000,
            thin: 10,
            initial_step: 0.5,
            target_acceptance: 0.44,
        };
        let mut rng = langevin_core::stream(43, "coulomb-gas/test/metropolis-two-species", 0);
        let run = metropolis(&gas, &[0.1, -0.1], &cfg, &mut rng).unwrap();
        let law = TwoSpecies::new(0.0, 0.3, 1.0).unwrap();
        let one: Vec<f64> = run
            .samples
            .iter()
            .enumerate()
            .map(|(k, s)| s[k % 2])
            .collect();
        assert!(ks_one_sample(&one, |x| law.cdf(x)).unwrap().p_value > 1e-3);
        let s1: Vec<f64> = run.samples.iter().map(|s| s[0] * s[0]).collect();
        let (m, se) = batch_mean(&s1, 30);
        // ⟨x₁²⟩ over the whole plane: species 1 is the narrow one, so well below m2 of Eq 32.
        assert!(m < law.m2() - 5.0 * se);
    }

    #[test]
    fn metropolis_is_deterministic_and_value_stable() {
        let pot = Quadratic::uniform(3, 1.0, 0.0).unwrap();
        let gas = CoulombGas::new(&pot, 1.0, 1.0, vec![1.0; 3]).unwrap();
        let cfg = MetropolisConfig {
            n_samples: 3,
            burn_in: 40,
            thin: 2,
            ..Default::default()
        };
        let run = |_: ()| {
            let mut rng = langevin_core::stream(7, "coulomb-gas/test/metropolis-golden", 0);
            metropolis(&gas, &[-1.0, 0.0, 1.0], &cfg, &mut rng).unwrap()
        };
        let (a, b) = (run(()), run(()));
        assert_eq!(a, b);
        // Golden values: pin the stream → sample map (rand_distr's StandardNormal, the proposal
        // order, the adaptation rule). A change here changes every figure made with the sampler.
        assert_eq!(
            a.samples[0],
            vec![-1.8862378932991926, -0.9194136851334686, 1.4198361773013795]
        );
    }

    /// The Metropolis acceptance uses the incremental `delta_log`; it must be the difference of
    /// Eq (7) before and after the move, for β = 1, a non-integer β and β = 0.
    #[test]
    fn delta_log_is_the_change_of_eq7() {
        let pot = Quadratic::new(vec![1.0, 2.5, 0.7], vec![0.0, 0.3, -0.4]).unwrap();
        let x = [0.2, -0.9, 1.4];
        for beta in [1.0, 2.3, 0.0] {
            let gas = CoulombGas::new(&pot, beta, 0.3, vec![0.5, 1.0, 2.0]).unwrap();
            for (i, to) in [(0, 0.5), (1, 1.1), (2, -2.0)] {
                let mut y = x;
                y[i] = to;
                let direct = gas.log_density(&y) - gas.log_density(&x);
                let d = gas.delta_log(&x, i, to);
                assert!(
                    (d - direct).abs() < 1e-12,
                    "β={beta} i={i}: {d} vs {direct}"
                );
            }
        }
    }

    #[test]
    fn metropolis_rejects_bad_input() {
        let pot = Quadratic::uniform(2, 1.0, 0.0).unwrap();
        assert!(CoulombGas::new(&pot, -1.0, 1.0, vec![1.0; 2]).is_err());
        assert!(CoulombGas::new(&pot, 1.0, 0.0, vec![1.0; 2]).is_err());
        assert!(CoulombGas::new(&pot, 1.0, 1.0, vec![1.0; 3]).is_err());
        assert!(CoulombGas::new(&pot, 1.0, 1.0, vec![1.0, f64::NAN]).is_err());
        let gas = CoulombGas::new(&pot, 1.0, 1.0, vec![1.0; 2]).unwrap();
        let mut rng = langevin_core::stream(1, "x", 0);
        let cfg = MetropolisConfig::default();
        assert!(matches!(
            metropolis(&gas, &[0.0, 0.0], &cfg, &mut rng),
            Err(GasError::Degenerate(_))
        ));
        assert!(metropolis(&gas, &[0.0], &cfg, &mut rng).is_err());
        assert!(metropolis(&gas, &[0.0, f64::NAN], &cfg, &mut rng).is_err());
        let bad = MetropolisConfig {
            thin: 0,
            ..Default::default()
        };
        assert!(metropolis(&gas, &[0.0, 1.0], &bad, &mut rng).is_err());
        // β = 0 allows coincident starts.
        let free = CoulombGas::new(&pot, 0.0, 1.0, vec![1.0; 2]).unwrap();
        assert!(metropolis(
            &free,
            &[0.0, 0.0],
            &MetropolisConfig {
                n_samples: 2,
                ..Default::default()
            },
            &mut rng
        )
        .is_ok());
    }
}
