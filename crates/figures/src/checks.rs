//! The `checks` job: the sampler checks whose statistics the book quotes ([Dyson Brownian
//! motion](../../book/src/dyson.md), [Verification](../../book/src/verification.md)), computed
//! by the same functions the end-to-end tests call (`tests/e2e/sampler.rs`, `mutants.rs`).
//!
//! * [`explicit_pair_stats`]: the literal explicit Eq (5) step is heavy-tailed for β = 1.
//! * [`implicit_pair_stats`]: the drift-implicit step samples Eq (11) and the spacing law.
//! * [`two_species_stats`]: it samples Eq (32) and the ordering sectors' means.
//! * [`implicit_goe_chains`] and [`goe_m2`]: its second-moment bias for N = 10 (GOE).
//! * [`matrix_ou_chains`], [`matrix_ou_pair_stats`]: the exact matrix-OU scheme, no bias.
//!
//! Both take the process as an argument, so the tests run them on the deliberately wrong
//! variants of `langevin-core`'s test-only `mutants` feature as well. Chain k draws from
//! `stream(seed, purpose, k)`: the results do not depend on the thread count.

use std::path::{Path, PathBuf};

use coulomb_gas::{ks_one_sample, Density1D, PairDensity, TwoSpecies};
use langevin_core::ensemble::{run_langevin_chain, run_matrix_ou_chain};
use langevin_core::seed::stream;
use langevin_core::{Dyson, MatrixOu, Quadratic, Scheme};
use rand::RngExt;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use crate::registry::{Context, Figure};
use runner::{read_json, write_json};

/// KS p-value below which a sample is rejected.
pub const P_REJECT: f64 = 1e-3;
/// |z| above which a moment is rejected.
pub const Z_REJECT: f64 = 5.0;

/// The N = 2 design of the sampler checks: identical species, common centre and curvature.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct PairDesign {
    pub alpha: f64,
    pub batch: usize,
    pub g2: f64,
    pub omega: f64,
    pub centre: f64,
    pub chains: usize,
    /// Iterations per chain (burn-in 20/(αΩ)).
    pub steps: usize,
    pub seed: u64,
}

/// The spec's N = 2 design: α = 0.01, |B| = 10 (α/|B| = 1e-3), g̃² = 10, Ω = 1, c = 1, so
/// σ = 0.1 and αΩ = 0.01; 4000 chains, burn-in 20/(αΩ) = 2000 iterations, seed 2024 (the
/// tests' seed).
pub const PAIR_DESIGN: PairDesign = PairDesign {
    alpha: 0.01,
    batch: 10,
    g2: 10.0,
    omega: 1.0,
    centre: 1.0,
    chains: 4000,
    steps: 2000,
    seed: 2024,
};

impl PairDesign {
    /// σ of Eq (9): σ² = (α/|B|) g̃²/Ω.
    pub fn sigma(&self) -> f64 {
        (self.alpha / self.batch as f64 * self.g2 / self.omega).sqrt()
    }

    /// (seed, chains, steps) for [`run_chains`].
    pub fn run(&self) -> (u64, usize, usize) {
        (self.seed, self.chains, self.steps)
    }

    /// αΩ, the step's bias budget.
    pub fn alpha_omega(&self) -> f64 {
        self.alpha * self.omega
    }

    /// The correct process of the design.
    pub fn dyson(&self) -> anyhow::Result<Dyson<Quadratic>> {
        let pot = Quadratic::new(vec![self.omega; 2], vec![self.centre; 2])?;
        Ok(Dyson::new(self.alpha, self.batch, vec![self.g2; 2], pot)?)
    }
}

/// CDF of the spacing S = |x1 − x2| (Eq 31): `1 − exp(−S²/(4 σ_m²))`.
fn spacing_cdf(s: f64, sigma_m: f64) -> f64 {
    if s <= 0.0 {
        0.0
    } else {
        -(-s * s / (4.0 * sigma_m * sigma_m)).exp_m1()
    }
}

/// One-sample KS (distance, p-value).
fn ks1(sample: &[f64], cdf: impl Fn(f64) -> f64 + Sync) -> anyhow::Result<(f64, f64)> {
    let r = ks_one_sample(sample, cdf)?;
    Ok((r.statistic, r.p_value))
}

/// Mean and standard error of the mean.
fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

/// Binder cumulant U4 = ⟨δ⁴⟩/(3⟨δ²⟩²) − 1 about the sample mean, with a standard error from
/// 20 batch means.
fn binder(v: &[f64]) -> (f64, f64) {
    let u4 = |w: &[f64]| {
        let m = w.iter().sum::<f64>() / w.len() as f64;
        let m2 = w.iter().map(|x| (x - m).powi(2)).sum::<f64>() / w.len() as f64;
        let m4 = w.iter().map(|x| (x - m).powi(4)).sum::<f64>() / w.len() as f64;
        m4 / (3.0 * m2 * m2) - 1.0
    };
    let batches: Vec<f64> = v.chunks(v.len() / 20).take(20).map(u4).collect();
    let (_, se) = mean_se(&batches);
    (u4(v), se)
}

/// Runs `chains` chains of `scheme` for `steps` iterations; chain k starts at `x0(k)` and draws from
/// `stream(seed, purpose, k)`. Returns the final states and, per chain, one uniformly chosen
/// particle index (drawn from the chain's stream after the run).
pub fn run_chains(
    d: &Dyson<Quadratic>,
    scheme: Scheme,
    (seed, chains, steps): (u64, usize, usize),
    purpose: &str,
    x0: impl Fn(usize) -> Vec<f64> + Sync,
) -> anyhow::Result<(Vec<Vec<f64>>, Vec<usize>)> {
    let runs: Vec<(Vec<f64>, usize)> = (0..chains)
        .into_par_iter()
        .map(|k| {
            let mut rng = stream(seed, purpose, k as u64);
            let x = run_langevin_chain(d, scheme, &x0(k), steps, &mut rng)
                .map_err(|e| anyhow::anyhow!("chain {k}: {e}"))?;
            let pick = rng.random_range(0..x.len());
            Ok((x, pick))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(runs.into_iter().unzip())
}

/// The implicit step's statistics for N = 2 identical species.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PairStats {
    /// KS of S = |x1 − x2| against 1 − exp(−S²/(4σ²)) (strong).
    pub d_spacing: f64,
    pub p_spacing: f64,
    /// The KS distance at which p = [`P_REJECT`] for this many chains.
    pub d_critical: f64,
    /// KS of u = (x1 + x2)/2 against N(c, σ²/2) (weak alone: blind to Coulomb errors).
    pub p_centre: f64,
    /// KS of one randomly chosen eigenvalue per chain against the CDF of Eq 11.
    pub p_eigen: f64,
    /// z of ⟨δx²⟩ against 3σ²/2.
    pub z_m2: f64,
    /// WEAK: KS of the unit-mean spacing s = S/⟨S⟩ against the surmise 1 − exp(−πs²/4).
    pub p_unit_spacing: f64,
    /// WEAK: the Binder cumulant of δx = x − ⟨x⟩ and its (batch-means) standard error.
    pub u4: f64,
    pub u4_se: f64,
}

impl PairStats {
    /// The strong rejection rule: spacing, centre and eigenvalue KS and z(m2).
    pub fn rejected(&self) -> bool {
        self.p_spacing.min(self.p_centre).min(self.p_eigen) < P_REJECT || self.z_m2.abs() > Z_REJECT
    }
}

/// The KS distance whose asymptotic p-value is `p` for `n` samples: λ/√n with Q(λ) = p.
pub fn ks_critical_distance(n: usize, p: f64) -> f64 {
    let (mut lo, mut hi) = (0.1f64, 5.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if coulomb_gas::ks::kolmogorov_sf(mid) > p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi) / (n as f64).sqrt()
}

/// Check (b) for N = 2 identical species: `d` (the design's process, or a wrong variant of
/// it) run with the implicit step, half of the chains started in each ordering.
pub fn implicit_pair_stats(d: &Dyson<Quadratic>, design: &PairDesign) -> anyhow::Result<PairStats> {
    let c = design.centre;
    let sigma = design.sigma();
    let (states, picks) = run_chains(
        d,
        Scheme::Implicit,
        design.run(),
        "tests/sampler/pair",
        |k| {
            let h = if k % 2 == 0 {
                0.5 * sigma
            } else {
                -0.5 * sigma
            };
            vec![c + h, c - h]
        },
    )?;
    let spacing: Vec<f64> = states.iter().map(|x| (x[0] - x[1]).abs()).collect();
    let centre: Vec<f64> = states.iter().map(|x| 0.5 * (x[0] + x[1])).collect();
    let eigen: Vec<f64> = states.iter().zip(&picks).map(|(x, &i)| x[i]).collect();
    let m2: Vec<f64> = states
        .iter()
        .map(|x| 0.5 * ((x[0] - c).powi(2) + (x[1] - c).powi(2)))
        .collect();
    let (d_spacing, p_spacing) = ks1(&spacing, |s| spacing_cdf(s, sigma))?;
    let centre_law = Normal::new(c, sigma / 2f64.sqrt())?;
    let (_, p_centre) = ks1(&centre, |u| centre_law.cdf(u))?;
    let pair = PairDensity::new(c, sigma)?;
    let (_, p_eigen) = ks1(&eigen, |x| pair.cdf(x))?;
    let (mean, se) = mean_se(&m2);
    let z_m2 = (mean - 1.5 * sigma * sigma) / se;
    let mean_s = spacing.iter().sum::<f64>() / spacing.len() as f64;
    let unit: Vec<f64> = spacing.iter().map(|s| s / mean_s).collect();
    let (_, p_unit_spacing) = ks1(&unit, |s| -(-std::f64::consts::PI * s * s / 4.0).exp_m1())?;
    let (u4, u4_se) = binder(&eigen);
    Ok(PairStats {
        d_spacing,
        p_spacing,
        d_critical: ks_critical_distance(spacing.len(), P_REJECT),
        p_centre,
        p_eigen,
        z_m2,
        p_unit_spacing,
        u4,
        u4_se,
    })
}

/// The literal explicit Eq (5) step's statistics for N = 2 identical species.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ExplicitStats {
    /// ⟨δx²⟩ over all eigenvalues, δx = x − c.
    pub m2: f64,
    /// The exact stationary 3σ²/2.
    pub m2_exact: f64,
    pub frac_beyond_10_sigma: f64,
    pub max_abs_dx_over_sigma: f64,
    /// KS p-value of the spacing against Eq (31).
    pub p_spacing: f64,
}

/// The design run with the literal explicit step of Eq 5 (all chains start in one ordering).
pub fn explicit_pair_stats(
    d: &Dyson<Quadratic>,
    design: &PairDesign,
) -> anyhow::Result<ExplicitStats> {
    let c = design.centre;
    let sigma = design.sigma();
    let (states, _) = run_chains(
        d,
        Scheme::Explicit,
        design.run(),
        "tests/sampler/explicit",
        |_| vec![c + 0.5 * sigma, c - 0.5 * sigma],
    )?;
    let dx: Vec<f64> = states.iter().flatten().map(|x| x - c).collect();
    let spacing: Vec<f64> = states.iter().map(|x| (x[0] - x[1]).abs()).collect();
    Ok(ExplicitStats {
        m2: dx.iter().map(|v| v * v).sum::<f64>() / dx.len() as f64,
        m2_exact: 1.5 * sigma * sigma,
        frac_beyond_10_sigma: dx.iter().filter(|v| v.abs() > 10.0 * sigma).count() as f64
            / dx.len() as f64,
        max_abs_dx_over_sigma: dx.iter().fold(0.0f64, |m, v| m.max(v.abs())) / sigma,
        p_spacing: ks1(&spacing, |s| spacing_cdf(s, sigma))?.1,
    })
}

/// The N = 10 identical-species design of the implicit step against exact GOE: α = 0.005,
/// |B| = 5, g̃² = 10, Ω = 1, c = 1 (σ = 0.1, αΩ = 0.005); 400 chains of 800 iterations,
/// started compressed, x_i = c + 0.2σ(i − 4.5).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct GoeDesign {
    pub n: usize,
    pub alpha: f64,
    pub batch: usize,
    pub g2: f64,
    pub omega: f64,
    pub centre: f64,
    pub chains: usize,
    pub steps: usize,
    pub seed: u64,
    /// Allowed relative discretisation bias of m2.
    pub bias: f64,
}

/// The tests' N = 10 design (`sampler::implicit_n10_matches_exact_goe`).
pub const N10_DESIGN: GoeDesign = GoeDesign {
    n: 10,
    alpha: 0.005,
    batch: 5,
    g2: 10.0,
    omega: 1.0,
    centre: 1.0,
    chains: 400,
    steps: 800,
    seed: 2024,
    bias: 0.01,
};

impl GoeDesign {
    /// σ of Eq (9).
    pub fn sigma(&self) -> f64 {
        (self.alpha / self.batch as f64 * self.g2 / self.omega).sqrt()
    }

    /// The correct process of the design.
    pub fn dyson(&self) -> anyhow::Result<Dyson<Quadratic>> {
        let pot = Quadratic::new(vec![self.omega; self.n], vec![self.centre; self.n])?;
        Ok(Dyson::new(
            self.alpha,
            self.batch,
            vec![self.g2; self.n],
            pot,
        )?)
    }
}

/// The final states of the design's implicit chains of `d` and one random pick per chain.
pub fn implicit_goe_chains(
    d: &Dyson<Quadratic>,
    design: &GoeDesign,
) -> anyhow::Result<(Vec<Vec<f64>>, Vec<usize>)> {
    let (c, sigma, n) = (design.centre, design.sigma(), design.n);
    run_chains(
        d,
        Scheme::Implicit,
        (design.seed, design.chains, design.steps),
        &format!("tests/sampler/n{n}"),
        |_| {
            (0..n)
                .map(|i| c + 0.2 * sigma * (i as f64 - (n as f64 - 1.0) / 2.0))
                .collect()
        },
    )
}

/// The second moment m2 = ⟨Σδx²⟩/N of `states` against the exact GOE σ²(N+1)/2.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct M2Stats {
    /// m2/exact − 1.
    pub rel: f64,
    /// The standard error of `rel`.
    pub rel_se: f64,
    /// (m2 − exact)/SE.
    pub z: f64,
    /// |m2 − exact| − bias·exact in units of the standard error.
    pub z_excess: f64,
}

/// [`M2Stats`] of `states` about the centre `c`, with the bias allowance `bias`.
pub fn goe_m2(states: &[Vec<f64>], sigma: f64, c: f64, bias: f64) -> M2Stats {
    let nf = states[0].len() as f64;
    let m2: Vec<f64> = states
        .iter()
        .map(|x| x.iter().map(|v| (v - c).powi(2)).sum::<f64>() / nf)
        .collect();
    let exact = sigma * sigma * (nf + 1.0) / 2.0;
    let (mean, se) = mean_se(&m2);
    M2Stats {
        rel: mean / exact - 1.0,
        rel_se: se / exact,
        z: (mean - exact) / se,
        z_excess: ((mean - exact).abs() - bias * exact) / se,
    }
}

/// Two species in a common well: α = 0.01, |B| = 10, Ω = 1, c = 1, g̃² = (10, 40), so
/// σ = (0.1, 0.2); αΩ = 0.01, 4000 chains of 2000 iterations, half of them started with
/// x1 > x2 and half with x1 < x2 (the β = 1 levels never cross, and Eq 32 is the law of the
/// ensemble with both orderings).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct TwoDesign {
    pub alpha: f64,
    pub batch: usize,
    pub g2: [f64; 2],
    pub omega: f64,
    pub centre: f64,
    pub chains: usize,
    pub steps: usize,
    pub seed: u64,
}

/// The tests' two-species design (`sampler::implicit_two_species_samples_eq32_and_the_sector_means`).
pub const TWO_DESIGN: TwoDesign = TwoDesign {
    alpha: 0.01,
    batch: 10,
    g2: [10.0, 40.0],
    omega: 1.0,
    centre: 1.0,
    chains: 4000,
    steps: 2000,
    seed: 2024,
};

impl TwoDesign {
    /// σ_i of Eq (9).
    pub fn sigma(&self, i: usize) -> f64 {
        (self.alpha / self.batch as f64 * self.g2[i] / self.omega).sqrt()
    }
}

/// The implicit step's statistics for two species.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct TwoStats {
    /// KS of one randomly chosen level per chain against the CDF of Eq 32.
    pub p_eq32: f64,
    /// KS of |x1 − x2| against Eq 31, 1 − exp(−S²/(4σ_m²)).
    pub p_spacing: f64,
    /// z of the single-sector species means: s_k(x1 − c) against +√π σ1²/(2σ_m) and
    /// s_k(x2 − c) against −√π σ2²/(2σ_m), with s_k = sign(x1 − x2) of chain k.
    pub z_sector1: f64,
    pub z_sector2: f64,
    /// z of the pooled ⟨δx²⟩ against (σ1⁴ + σ1²σ2² + σ2⁴)/(σ1² + σ2²).
    pub z_m2: f64,
}

impl TwoStats {
    /// Any KS p below [`P_REJECT`] or any |z| above [`Z_REJECT`].
    pub fn rejected(&self) -> bool {
        self.p_eq32.min(self.p_spacing) < P_REJECT
            || [self.z_sector1, self.z_sector2, self.z_m2]
                .iter()
                .any(|z| z.abs() > Z_REJECT)
    }
}

/// Check (b) for two species: `d` (the design's process, or a wrong variant of it) run with
/// the implicit step.
pub fn two_species_stats(d: &Dyson<Quadratic>, design: &TwoDesign) -> anyhow::Result<TwoStats> {
    let c = design.centre;
    let (s1, s2) = (design.sigma(0), design.sigma(1));
    let sm = ((s1 * s1 + s2 * s2) / 2.0).sqrt();
    let (states, picks) = run_chains(
        d,
        Scheme::Implicit,
        (design.seed, design.chains, design.steps),
        "tests/sampler/two-species",
        |k| {
            let h = if k % 2 == 0 { 0.5 * sm } else { -0.5 * sm };
            vec![c + h, c - h]
        },
    )?;
    let pooled: Vec<f64> = states.iter().zip(&picks).map(|(x, &i)| x[i]).collect();
    let spacing: Vec<f64> = states.iter().map(|x| (x[0] - x[1]).abs()).collect();
    let sign = |x: &[f64]| if x[0] > x[1] { 1.0 } else { -1.0 };
    let q1: Vec<f64> = states.iter().map(|x| sign(x) * (x[0] - c)).collect();
    let q2: Vec<f64> = states.iter().map(|x| sign(x) * (x[1] - c)).collect();
    let m2: Vec<f64> = states
        .iter()
        .map(|x| 0.5 * ((x[0] - c).powi(2) + (x[1] - c).powi(2)))
        .collect();
    let sqrt_pi = std::f64::consts::PI.sqrt();
    let m2_exact = (s1.powi(4) + s1 * s1 * s2 * s2 + s2.powi(4)) / (s1 * s1 + s2 * s2);
    let z = |v: &[f64], want: f64| {
        let (m, se) = mean_se(v);
        (m - want) / se
    };
    let law = TwoSpecies::new(c, s1, s2)?;
    Ok(TwoStats {
        p_eq32: ks1(&pooled, |x| law.cdf(x))?.1,
        p_spacing: ks1(&spacing, |s| spacing_cdf(s, sm))?.1,
        z_sector1: z(&q1, sqrt_pi * s1 * s1 / (2.0 * sm)),
        z_sector2: z(&q2, -sqrt_pi * s2 * s2 / (2.0 * sm)),
        z_m2: z(&m2, m2_exact),
    })
}

/// The exact matrix-OU design: α = 0.25, |B| = 250, g̃² = 10, Ω = 1, c = 1 (σ = 0.1); the
/// transition is exact at any step, so αΩ = 0.25 and 80 iterations (e^{−20} of the initial
/// offset) suffice; 4000 chains.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct MatrixOuDesign {
    pub alpha: f64,
    pub batch: usize,
    pub g2: f64,
    pub omega: f64,
    pub centre: f64,
    pub chains: usize,
    pub steps: usize,
    pub seed: u64,
}

/// The tests' matrix-OU design (`sampler::matrix_ou_*`).
pub const MATRIX_OU_DESIGN: MatrixOuDesign = MatrixOuDesign {
    alpha: 0.25,
    batch: 250,
    g2: 10.0,
    omega: 1.0,
    centre: 1.0,
    chains: 4000,
    steps: 80,
    seed: 2024,
};

impl MatrixOuDesign {
    /// σ of Eq (9).
    pub fn sigma(&self) -> f64 {
        (self.alpha / self.batch as f64 * self.g2 / self.omega).sqrt()
    }
}

/// The final eigenvalues of the design's matrix-OU chains for `n` eigenvalues, started
/// compressed (x_i = c + 0.2σ(i − (n − 1)/2)), and one random pick per chain.
pub fn matrix_ou_chains(
    n: usize,
    design: &MatrixOuDesign,
) -> anyhow::Result<(Vec<Vec<f64>>, Vec<usize>)> {
    let (c, sigma) = (design.centre, design.sigma());
    let ou = MatrixOu::new(n, design.alpha, design.batch, design.g2, design.omega, c)?;
    let x0: Vec<f64> = (0..n)
        .map(|i| c + 0.2 * sigma * (i as f64 - (n as f64 - 1.0) / 2.0))
        .collect();
    let purpose = format!("tests/sampler/matrix-ou-n{n}");
    let runs: Vec<(Vec<f64>, usize)> = (0..design.chains)
        .into_par_iter()
        .map(|k| {
            let mut rng = stream(design.seed, &purpose, k as u64);
            let x = run_matrix_ou_chain(&ou, &x0, design.steps, &mut rng);
            let pick = rng.random_range(0..n);
            (x, pick)
        })
        .collect();
    Ok(runs.into_iter().unzip())
}

/// The N = 2 matrix-OU chains against the closed forms, with no bias allowance.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct MatrixOuPairStats {
    /// KS p-value of the spacing against Eq (31).
    pub p_spacing: f64,
    /// KS p-value of one random eigenvalue per chain against Eq (11).
    pub p_eigen: f64,
    /// z of ⟨δx²⟩ against 3σ²/2.
    pub z_m2: f64,
}

/// [`MatrixOuPairStats`] of the design.
pub fn matrix_ou_pair_stats(design: &MatrixOuDesign) -> anyhow::Result<MatrixOuPairStats> {
    let (states, picks) = matrix_ou_chains(2, design)?;
    let (c, sigma) = (design.centre, design.sigma());
    let spacing: Vec<f64> = states.iter().map(|x| (x[1] - x[0]).abs()).collect();
    let eigen: Vec<f64> = states.iter().zip(&picks).map(|(x, &i)| x[i]).collect();
    let m2: Vec<f64> = states
        .iter()
        .map(|x| 0.5 * ((x[0] - c).powi(2) + (x[1] - c).powi(2)))
        .collect();
    let pair = PairDensity::new(c, sigma)?;
    let (mean, se) = mean_se(&m2);
    Ok(MatrixOuPairStats {
        p_spacing: ks1(&spacing, |s| spacing_cdf(s, sigma))?.1,
        p_eigen: ks1(&eigen, |x| pair.cdf(x))?.1,
        z_m2: (mean - 1.5 * sigma * sigma) / se,
    })
}

#[derive(Debug, Clone, Serialize)]
struct Config {
    pair: PairDesign,
    n10: GoeDesign,
    matrix_ou: MatrixOuDesign,
    two: TwoDesign,
}

/// `summary.json` of the job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub pair: PairDesign,
    pub implicit: PairStats,
    pub explicit: ExplicitStats,
    pub n10: GoeDesign,
    pub n10_m2: M2Stats,
    pub matrix_ou: MatrixOuDesign,
    pub matrix_ou_n2: MatrixOuPairStats,
    /// m2 of the N = 10 matrix-OU chains against exact GOE (no bias allowance).
    pub matrix_ou_n10_m2: M2Stats,
    pub two: TwoDesign,
    pub two_species: TwoStats,
}

const SUMMARY: &str = "summary.json";

/// The sampler checks the book quotes.
pub struct Checks;

fn numbers_md(s: &Summary) -> String {
    use crate::numbers::{int, p, sig, table, Numbers};
    let d = &s.pair;
    let e = &s.explicit;
    let i = &s.implicit;
    let mut n = Numbers::default();
    n.inline(
        "pair_design",
        &format!(
            "$N = 2$, $\\sigma = {}$, $\\alpha\\Omega = {}$, {} chains of {} iterations",
            sig(d.sigma(), 1),
            sig(d.alpha_omega(), 1),
            int(d.chains as f64),
            int(d.steps as f64)
        ),
    );
    n.inline(
        "pair_n",
        &format!(
            "$n$ = {} at $\\alpha\\Omega = {}$",
            int(d.chains as f64),
            sig(d.alpha_omega(), 1)
        ),
    );
    n.block(
        "explicit_table",
        &table(
            &["statistic", "explicit Eq (5)", "exact stationary law"],
            &[
                vec![
                    "$\\langle\\delta x^2\\rangle$".into(),
                    sig(e.m2, 3),
                    format!("$3\\sigma^2/2 =$ {}", sig(e.m2_exact, 3)),
                ],
                vec![
                    "fraction of eigenvalues beyond $10\\sigma$".into(),
                    sig(e.frac_beyond_10_sigma, 3),
                    "$< 10^{-20}$".into(),
                ],
                vec![
                    "largest $\\lvert\\delta x\\rvert/\\sigma$".into(),
                    sig(e.max_abs_dx_over_sigma, 3),
                    "—".into(),
                ],
                vec![
                    "KS p-value of the spacing against Eq (31)".into(),
                    p(e.p_spacing),
                    "—".into(),
                ],
            ],
        ),
    );
    n.inline("explicit_m2_ratio", &sig(e.m2 / e.m2_exact, 2));
    n.inline("implicit_d_spacing", &sig(i.d_spacing, 3));
    n.inline("implicit_d_critical", &sig(i.d_critical, 2));
    n.inline("implicit_p_spacing", &p(i.p_spacing));
    n.inline("implicit_p_centre", &p(i.p_centre));
    n.inline("implicit_p_eigen", &p(i.p_eigen));
    n.inline("implicit_z_m2", &format!("{:.1}", i.z_m2).replace('-', "−"));
    let g = &s.n10;
    n.inline(
        "n10_design",
        &format!(
            "$\\alpha\\Omega = {}$ and allow a {} % bias on the second moment",
            sig(g.alpha * g.omega, 1),
            sig(100.0 * g.bias, 1)
        ),
    );
    n.inline(
        "n10_m2_bias",
        &format!(
            "{} % (standard error {} %)",
            format!("{:+.2}", 100.0 * s.n10_m2.rel).replace('-', "−"),
            sig(100.0 * s.n10_m2.rel_se, 1)
        ),
    );
    n.inline(
        "n10_m2_bias_short",
        &format!("{:+.1} %", 100.0 * s.n10_m2.rel).replace('-', "−"),
    );
    n.inline("n10_chains", &int(g.chains as f64));
    let minus = |t: String| t.replace('-', "−");
    n.inline("two_p_eq32", &p(s.two_species.p_eq32));
    n.inline(
        "two_z_sectors",
        &format!(
            "{}, {}",
            minus(format!("{:.1}", s.two_species.z_sector1)),
            minus(format!("{:.1}", s.two_species.z_sector2))
        ),
    );
    n.inline(
        "matrix_ou",
        &format!(
            "$z(m_2)$ = {} for $N = 10$; $p$ = {} and {} for the spacing and eigenvalue KS tests at $N = 2$",
            minus(format!("{:.2}", s.matrix_ou_n10_m2.z)),
            p(s.matrix_ou_n2.p_spacing),
            p(s.matrix_ou_n2.p_eigen)
        ),
    );
    n.finish()
}

impl Figure for Checks {
    fn name(&self) -> &'static str {
        "checks"
    }

    fn description(&self) -> &'static str {
        "Sampler checks quoted by the book: explicit vs implicit Eq (5) step (N = 2, two species, N = 10), exact matrix OU"
    }

    fn numbers(&self, dir: &Path) -> anyhow::Result<Option<String>> {
        Ok(Some(numbers_md(&read_json(dir.join(SUMMARY))?)))
    }

    fn run(&self, ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
        // The tests' design in every profile: a few seconds on two cores.
        let cfg = Config {
            pair: PAIR_DESIGN,
            n10: N10_DESIGN,
            matrix_ou: MATRIX_OU_DESIGN,
            two: TWO_DESIGN,
        };
        let dir = ctx.figure_dir(self.name())?;
        ctx.compute_if_stale(self.name(), &cfg, |dir| {
            let d = cfg.pair.dyson()?;
            let summary = Summary {
                pair: cfg.pair,
                implicit: implicit_pair_stats(&d, &cfg.pair)?,
                explicit: explicit_pair_stats(&d, &cfg.pair)?,
                n10: cfg.n10,
                n10_m2: {
                    let (states, _) = implicit_goe_chains(&cfg.n10.dyson()?, &cfg.n10)?;
                    goe_m2(&states, cfg.n10.sigma(), cfg.n10.centre, cfg.n10.bias)
                },
                matrix_ou: cfg.matrix_ou,
                matrix_ou_n2: matrix_ou_pair_stats(&cfg.matrix_ou)?,
                matrix_ou_n10_m2: {
                    let m = &cfg.matrix_ou;
                    let (states, _) = matrix_ou_chains(10, m)?;
                    goe_m2(&states, m.sigma(), m.centre, 0.0)
                },
                two: cfg.two,
                two_species: {
                    let t = &cfg.two;
                    let pot = Quadratic::new(vec![t.omega; 2], vec![t.centre; 2])?;
                    let d = Dyson::new(t.alpha, t.batch, t.g2.to_vec(), pot)?;
                    two_species_stats(&d, t)?
                },
            };
            let path = dir.join(SUMMARY);
            write_json(&path, &summary)?;
            Ok(vec![path])
        })?;
        Ok(vec![dir.join(SUMMARY)])
    }
}
