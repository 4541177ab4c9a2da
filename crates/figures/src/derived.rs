//! Small Monte Carlo checks that the book's chapters quote (registered as `derived`), each with a
//! fixed seed through [`langevin_core::stream`]:
//!
//! * **Initial eigenvalue** (errata, Section 4.2): the mean eigenvalue of `WWᵀ` for a 2×2 `W`
//!   with unit-variance normal entries (exactly 2).
//! * **Variance profile** (teacher–student, Eq 28): a symmetric 2×2 noise matrix with independent
//!   entries, `Var δ₁₁ = s₁²`, `Var δ₂₂ = s₂²`, `Var δ₁₂ = (s₁² + s₂²)/4`; the pooled density of its
//!   eigenvalues at the centre against Eq (32) with the same widths.

use std::path::{Path, PathBuf};

use langevin_core::stream;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::registry::{Context, Figure, Profile};
use runner::{read_json, write_json};

/// The figure job.
pub struct Derived;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Config {
    version: u32,
    seed: u64,
    /// Matrices drawn for each check.
    draws: usize,
    /// (s₁, s₂) of the variance-profile check.
    widths: [f64; 2],
    /// Half-width of the window around the centre that estimates the density there.
    window: f64,
}

impl Config {
    fn for_profile(p: Profile) -> Self {
        Config {
            version: 1,
            seed: 20261202,
            draws: match p {
                Profile::Paper => 2_000_000,
                Profile::Quick => 100_000,
            },
            widths: [0.05, 0.15],
            window: 0.004,
        }
    }
}

/// A Monte Carlo estimate.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Estimate {
    value: f64,
    err: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Summary {
    profile: Profile,
    config: Config,
    /// Mean eigenvalue of WWᵀ, W 2×2 with N(0, 1) entries.
    initial_mean_eigenvalue: Estimate,
    /// Pooled eigenvalue density at the centre, independent-entry noise matrix.
    variance_profile_centre_density: Estimate,
    /// Eq (32) at its centre with the same widths.
    eq32_centre_density: f64,
}

fn normal(rng: &mut langevin_core::Stream) -> f64 {
    StandardNormal.sample(rng)
}

/// Mean and standard error of the mean.
fn estimate(sum: f64, sum2: f64, n: usize) -> Estimate {
    let n = n as f64;
    let mean = sum / n;
    Estimate {
        value: mean,
        err: ((sum2 / n - mean * mean) / (n - 1.0)).sqrt(),
    }
}

/// The mean eigenvalue of WWᵀ (the trace over 2) for 2×2 W with unit-variance normal entries.
fn initial_mean_eigenvalue(cfg: &Config) -> Estimate {
    let mut rng = stream(cfg.seed, "derived/initial-eigenvalue", 0);
    let (mut s, mut s2) = (0.0, 0.0);
    for _ in 0..cfg.draws {
        let tr: f64 = (0..4).map(|_| normal(&mut rng).powi(2)).sum();
        let m = tr / 2.0;
        s += m;
        s2 += m * m;
    }
    estimate(s, s2, cfg.draws)
}

/// The pooled eigenvalue density at 0 of the independent-entry noise matrix: the fraction of
/// eigenvalues within ±window over 2·window, with its binomial error.
fn variance_profile_centre_density(cfg: &Config) -> Estimate {
    let mut rng = stream(cfg.seed, "derived/variance-profile", 0);
    let [s1, s2] = cfg.widths;
    let s12 = ((s1 * s1 + s2 * s2) / 4.0).sqrt();
    let mut inside = 0usize;
    for _ in 0..cfg.draws {
        let (a, b, c) = (
            s1 * normal(&mut rng),
            s2 * normal(&mut rng),
            s12 * normal(&mut rng),
        );
        let (m, r) = ((a + b) / 2.0, (((a - b) / 2.0).powi(2) + c * c).sqrt());
        inside += usize::from((m - r).abs() < cfg.window) + usize::from((m + r).abs() < cfg.window);
    }
    let n = 2.0 * cfg.draws as f64;
    let f = inside as f64 / n;
    Estimate {
        value: f / (2.0 * cfg.window),
        err: (f * (1.0 - f) / n).sqrt() / (2.0 * cfg.window),
    }
}

const SUMMARY: &str = "summary.json";

impl Figure for Derived {
    fn name(&self) -> &'static str {
        "derived"
    }

    fn description(&self) -> &'static str {
        "Monte Carlo checks quoted by the book: mean initial eigenvalue (errata 9), variance-profile density vs Eq 32"
    }

    fn numbers(&self, dir: &Path) -> anyhow::Result<Option<String>> {
        use crate::numbers::{int, sig, Json, Numbers};
        let j = Json::read(dir, SUMMARY)?;
        Ok(Some(
            Numbers::default()
                .inline(
                    "initial_mean_eigenvalue",
                    &j.ve("/initial_mean_eigenvalue")?,
                )
                .inline(
                    "variance_profile_density",
                    &j.ve("/variance_profile_centre_density")?,
                )
                .inline("eq32_density", &sig(j.f("/eq32_centre_density")?, 3))
                .inline(
                    "variance_profile_widths",
                    &format!("{}, {}", j.f("/config/widths/0")?, j.f("/config/widths/1")?),
                )
                .inline("draws", &int(j.f("/config/draws")?))
                .finish(),
        ))
    }

    fn run(&self, ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
        let cfg = Config::for_profile(ctx.profile);
        let dir = ctx.figure_dir(self.name())?;
        let path = dir.join(SUMMARY);
        ctx.data(
            self.name(),
            &cfg,
            |dir: &Path| {
                let s = Summary {
                    profile: ctx.profile,
                    config: cfg.clone(),
                    initial_mean_eigenvalue: initial_mean_eigenvalue(&cfg),
                    variance_profile_centre_density: variance_profile_centre_density(&cfg),
                    eq32_centre_density: coulomb_gas::rho_two_species(
                        0.0,
                        0.0,
                        cfg.widths[0],
                        cfg.widths[1],
                    ),
                };
                write_json(dir.join(SUMMARY), &s)?;
                Ok(((), vec![dir.join(SUMMARY)]))
            },
            |dir| Ok(read_json::<Summary>(dir.join(SUMMARY)).map(|_| ())?),
        )?;
        Ok(vec![path])
    }
}
