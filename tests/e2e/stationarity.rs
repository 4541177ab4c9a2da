//! (a) The probability current of Eq 6 vanishes at P_s of Eq 7, pointwise (stationarity-tests.md
//! §a); (a′) the one-line generator identity; and the implicit solver solves its equation.
//!
//! All three are deterministic property tests (proptest with a fixed RNG seed, no failure
//! persistence). The drift A and diffusion D are read from the code under test — from
//! `drift()`/`diffusion()` and, separately, extracted from the pure step `step_explicit(x, η)`
//! — while ∇ ln P_s is written here from the paper's Eq 7 with the paper's parameters
//! (α, |B|, g̃_i², Ω_i, c_i), never from the code's σ or temperature.
//!
//! The checks are shared with `mutants.rs`, which asserts that every wrong variant crosses the
//! same threshold in every generated case.

use crate::support::{dyson, sigma2_paper};
use langevin_core::{ImplicitWorkspace, Mutant};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use std::cell::Cell;

/// Fixed proptest seed of this module.
const PROPTEST_SEED: u64 = 20_240_728;

/// A proptest configuration with a fixed seed and no regression files.
pub fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(PROPTEST_SEED),
        max_shrink_iters: 2000,
        ..Config::default()
    }
}

/// One point of the N-particle problem with a quadratic potential (Eq 8).
#[derive(Clone, Debug)]
pub struct Case {
    pub alpha: f64,
    pub batch: usize,
    pub g2: Vec<f64>,
    pub omega: Vec<f64>,
    pub centre: Vec<f64>,
    pub x: Vec<f64>,
}

impl Case {
    pub fn n(&self) -> usize {
        self.x.len()
    }
    /// α/|B| from the paper's parameters.
    pub fn temperature(&self) -> f64 {
        self.alpha / self.batch as f64
    }
    pub fn sigma(&self, i: usize) -> f64 {
        sigma2_paper(self.alpha, self.batch, self.g2[i], self.omega[i]).sqrt()
    }
}

/// Log-uniform on [lo, hi].
pub fn log_uniform(lo: f64, hi: f64) -> impl Strategy<Value = f64> + Clone {
    (lo.ln()..=hi.ln()).prop_map(f64::exp)
}

/// N(0, var) by Box-Muller from two shrinkable uniforms.
pub fn normal(var: f64) -> impl Strategy<Value = f64> + Clone {
    (1e-300f64..1.0, 0.0..std::f64::consts::TAU)
        .prop_map(move |(u, v)| var.sqrt() * (-2.0 * u.ln()).sqrt() * v.cos())
}

/// The case generator of stationarity-tests.md §a: N ∈ 2..=8, α log-uniform in [1e-3, 0.3],
/// |B| ∈ 1..=256, g̃_i² log-uniform in [0.1, 100] (per particle, or common in about half the
/// cases unless `per_particle_g`), Ω_i log-uniform in [0.1, 10], c_i ~ N(0, 2) and
/// x_i = c_i + σ_i N(0, 2) (variance 2 in both; many near-collisions). Particles are sorted by
/// x (their parameters move with them) and cases with coincident x are discarded.
pub fn case_strategy(per_particle_g: bool) -> impl Strategy<Value = Case> {
    (2usize..=8, any::<bool>())
        .prop_flat_map(move |(n, common)| {
            (
                log_uniform(1e-3, 0.3),
                1usize..=256,
                vec(log_uniform(0.1, 100.0), n),
                vec(log_uniform(0.1, 10.0), n),
                vec(normal(2.0), n),
                vec(normal(2.0), n),
                Just(common && !per_particle_g),
            )
        })
        .prop_filter_map(
            "coincident particles",
            |(alpha, batch, mut g2, omega, centre, z, common)| {
                if common {
                    let g = g2[0];
                    g2.iter_mut().for_each(|v| *v = g);
                }
                let n = g2.len();
                let mut idx: Vec<usize> = (0..n).collect();
                let x: Vec<f64> = (0..n)
                    .map(|i| centre[i] + sigma2_paper(alpha, batch, g2[i], omega[i]).sqrt() * z[i])
                    .collect();
                idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
                let pick = |v: &[f64]| idx.iter().map(|&i| v[i]).collect::<Vec<f64>>();
                let case = Case {
                    alpha,
                    batch,
                    g2: pick(&g2),
                    omega: pick(&omega),
                    centre: pick(&centre),
                    x: pick(&x),
                };
                if case.x.windows(2).any(|w| w[0] >= w[1]) {
                    None
                } else {
                    Some(case)
                }
            },
        )
}

/// ln P_s of Eq 7 written from the paper (unnormalised):
/// `Σ_{i<j} ln|x_i − x_j| − Σ_i Ω_i (x_i − c_i)²/(2 (α/|B|) g̃_i²)`.
pub fn log_ps_paper(case: &Case, x: &[f64]) -> f64 {
    let t = case.temperature();
    let n = x.len();
    let mut lp = 0.0;
    for i in 0..n {
        for j in (i + 1)..n {
            lp += (x[i] - x[j]).abs().ln();
        }
        let d = x[i] - case.centre[i];
        lp -= case.omega[i] * d * d / (2.0 * t * case.g2[i]);
    }
    lp
}

/// The two parts of ∂_i ln P_s from Eq 7: (Σ_{j≠i} 1/(x_i − x_j), −Ω_i (x_i − c_i)/(T g̃_i²)),
/// and Σ_{j≠i} 1/|x_i − x_j| for the residual scale.
fn grad_parts(case: &Case, i: usize) -> (f64, f64, f64) {
    let x = &case.x;
    let (mut coul, mut abs) = (0.0, 0.0);
    for j in (0..x.len()).filter(|&j| j != i) {
        let inv = 1.0 / (x[i] - x[j]);
        coul += inv;
        abs += inv.abs();
    }
    let pot = -case.omega[i] * (x[i] - case.centre[i]) / (case.temperature() * case.g2[i]);
    (coul, pot, abs)
}

/// How A, D and ∇ ln P_s are obtained for the current check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A and D from `drift()`/`diffusion()`, ∇ ln P_s analytic (tolerance 1e-12).
    Analytic,
    /// A = step(x, 0) − x and b_i = step(x, e_i)_i − step(x, 0)_i, D = b²/2 (tolerance 1e-7:
    /// the subtraction cancels against |x|).
    Extracted,
    /// A, D from the code, ∇ ln P_s by central differences of [`log_ps_paper`] with
    /// h_i = 1e-5·min(σ_i, nearest gap) (tolerance 1e-6).
    FiniteDiff,
}

impl Mode {
    pub fn tol(self) -> f64 {
        match self {
            Mode::Analytic => 1e-12,
            Mode::Extracted => 1e-7,
            Mode::FiniteDiff => 1e-6,
        }
    }
}

/// The statistic of check (a): `max_i |r_i|/scale_i` with `r_i = D_i ∂_i ln P_s − A_i` (J_i/P_s
/// per iteration) and `scale_i = D_i Σ_j 1/|x_i − x_j| + |D_i Ω_i (x_i − c_i)/(T g̃_i²)| + |A_i|`
/// (the absolute value is taken inside the Coulomb sum, i.e. the round-off scale).
pub fn current_residual(case: &Case, mutant: Option<Mutant>, mode: Mode) -> f64 {
    let n = case.n();
    let d = dyson(
        case.alpha,
        case.batch,
        &case.g2,
        &case.omega,
        &case.centre,
        mutant,
    );
    let mut a = vec![0.0; n];
    let mut diff = vec![0.0; n];
    match mode {
        Mode::Analytic | Mode::FiniteDiff => {
            d.drift(&case.x, &mut a);
            d.diffusion(&mut diff);
        }
        Mode::Extracted => {
            let zero = vec![0.0; n];
            let mut y0 = vec![0.0; n];
            d.step_explicit(&case.x, &zero, &mut y0);
            let mut y = vec![0.0; n];
            for i in 0..n {
                a[i] = y0[i] - case.x[i];
                let mut e = zero.clone();
                e[i] = 1.0;
                d.step_explicit(&case.x, &e, &mut y);
                let b = y[i] - y0[i];
                diff[i] = 0.5 * b * b;
            }
        }
    }
    let mut worst: f64 = 0.0;
    for i in 0..n {
        let (coul, pot, abs) = grad_parts(case, i);
        let grad = match mode {
            Mode::FiniteDiff => {
                let gap = (0..n)
                    .filter(|&j| j != i)
                    .map(|j| (case.x[i] - case.x[j]).abs())
                    .fold(f64::INFINITY, f64::min);
                let h = 1e-5 * case.sigma(i).min(gap);
                let mut xp = case.x.clone();
                let mut xm = case.x.clone();
                xp[i] += h;
                xm[i] -= h;
                (log_ps_paper(case, &xp) - log_ps_paper(case, &xm)) / (xp[i] - xm[i])
            }
            _ => coul + pot,
        };
        let r = diff[i] * grad - a[i];
        let scale = diff[i] * abs + (diff[i] * pot).abs() + a[i].abs();
        worst = worst.max(r.abs() / scale);
    }
    worst
}

/// Runs `check` on `cases` generated cases; every case must satisfy `accept`. Returns the
/// (min, max) of the statistic over the cases. Panics with proptest's (shrunk) report.
pub fn sweep<S: Strategy>(
    name: &str,
    strategy: S,
    cases: u32,
    check: impl Fn(&S::Value) -> f64,
    accept: impl Fn(f64) -> bool,
) -> (f64, f64) {
    let lo = Cell::new(f64::INFINITY);
    let hi = Cell::new(0.0f64);
    let mut runner = TestRunner::new(config(cases));
    let result = runner.run(&strategy, |case| {
        let v = check(&case);
        lo.set(lo.get().min(v));
        hi.set(hi.get().max(v));
        if accept(v) {
            Ok(())
        } else {
            Err(TestCaseError::fail(format!("{name}: statistic {v:e}")))
        }
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    (lo.get(), hi.get())
}

/// Check (a) over the case generator: correct code must stay below the mode's tolerance in
/// every case, a mutant above it in every case. Returns (min, max) of the statistic.
pub fn current_sweep(mode: Mode, mutant: Option<Mutant>, cases: u32) -> (f64, f64) {
    let tol = mode.tol();
    let reject = mutant.is_some();
    sweep(
        &format!("current {mode:?} {mutant:?}"),
        case_strategy(mutant == Some(Mutant::CoulombCommonG)),
        cases,
        |c| current_residual(c, mutant, mode),
        |v| if reject { v > tol } else { v < tol },
    )
}

#[test]
fn current_vanishes_with_analytic_coefficients() {
    // Deterministic: 2000 cases, fixed proptest seed; measured max ≈ 1e-15.
    let (_, max) = current_sweep(Mode::Analytic, None, 2000);
    eprintln!("(a) analytic: max relative current {max:e} (tol 1e-12)");
}

#[test]
fn current_vanishes_with_coefficients_extracted_from_the_step() {
    let (_, max) = current_sweep(Mode::Extracted, None, 2000);
    eprintln!("(a) extracted from step_explicit: max relative current {max:e} (tol 1e-7)");
}

#[test]
fn current_vanishes_with_finite_differences_of_eq7() {
    let (_, max) = current_sweep(Mode::FiniteDiff, None, 500);
    eprintln!("(a) finite differences: max relative current {max:e} (tol 1e-6)");
}

#[test]
fn crate_probability_current_vanishes_too() {
    // `langevin_core::stationary::probability_current` (which builds ln P_s from the code's own
    // temperature) must agree: |J_i/P_s| relative to the same scale as above, 500 cases.
    let (_, max) = sweep(
        "stationary::probability_current",
        case_strategy(false),
        500,
        |case| {
            let d = dyson(
                case.alpha,
                case.batch,
                &case.g2,
                &case.omega,
                &case.centre,
                None,
            );
            let n = case.n();
            let (mut j, mut a, mut diff) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
            langevin_core::stationary::probability_current(&d, &case.x, &mut j);
            d.drift(&case.x, &mut a);
            d.diffusion(&mut diff);
            (0..n)
                .map(|i| {
                    let (_, pot, abs) = grad_parts(case, i);
                    j[i].abs() / (diff[i] * abs + (diff[i] * pot).abs() + a[i].abs())
                })
                .fold(0.0, f64::max)
        },
        |v| v < 1e-12,
    );
    eprintln!("(a) crate probability_current: max relative {max:e}");
}

/// Parameters of the one-line identity (a′): N identical particles.
#[derive(Clone, Debug)]
pub struct Common {
    pub n: usize,
    pub alpha: f64,
    pub batch: usize,
    pub g2: f64,
    pub omega: f64,
}

pub fn common_strategy() -> impl Strategy<Value = Common> {
    (
        2usize..=10,
        log_uniform(1e-3, 0.3),
        1usize..=256,
        log_uniform(0.1, 100.0),
        log_uniform(0.1, 10.0),
    )
        .prop_map(|(n, alpha, batch, g2, omega)| Common {
            n,
            alpha,
            batch,
            g2,
            omega,
        })
}

/// (a′) E_{P_s}[L Σ(x_i − c)²] = −2αΩ σ² N(N+1)/2 + c_coul N(N−1) + 2N D = 0, with c_coul and
/// D read from the code and σ² = (α/|B|) g̃²/Ω from the paper (E_{P_s} Σ(x − c)² = σ² N(N+1)/2
/// is the exact GOE value). Returns |sum|/Σ|terms|.
pub fn identity_residual(p: &Common, mutant: Option<Mutant>) -> f64 {
    let n = p.n;
    let d = dyson(
        p.alpha,
        p.batch,
        &vec![p.g2; n],
        &vec![p.omega; n],
        &vec![1.0; n],
        mutant,
    );
    let mut diff = vec![0.0; n];
    d.diffusion(&mut diff);
    let c_coul = d.coulomb_coefficients()[0];
    let nf = n as f64;
    let s2 = sigma2_paper(p.alpha, p.batch, p.g2, p.omega);
    let terms = [
        -2.0 * p.alpha * p.omega * s2 * nf * (nf + 1.0) / 2.0,
        c_coul * nf * (nf - 1.0),
        2.0 * nf * diff[0],
    ];
    terms.iter().sum::<f64>().abs() / terms.iter().map(|t| t.abs()).sum::<f64>()
}

pub fn identity_sweep(mutant: Option<Mutant>, cases: u32) -> (f64, f64) {
    let reject = mutant.is_some();
    sweep(
        &format!("identity {mutant:?}"),
        common_strategy(),
        cases,
        |p| identity_residual(p, mutant),
        |v| if reject { v > 1e-12 } else { v < 1e-12 },
    )
}

#[test]
fn generator_identity_for_the_second_moment() {
    let (_, max) = identity_sweep(None, 1000);
    eprintln!("(a') identity: max relative residual {max:e} (tol 1e-12)");
}

/// A state and noise for the implicit solver: N ∈ 2..=10, per-particle parameters as in §a,
/// particles in random label order, some gaps shrunk to 10^{−u}σ (u ≤ `max_decades`) and
/// noise amplitudes up to 30.
#[derive(Clone, Debug)]
pub struct SolverCase {
    pub case: Case,
    pub eta: Vec<f64>,
}

pub fn solver_strategy(max_decades: f64) -> impl Strategy<Value = SolverCase> {
    (2usize..=10)
        .prop_flat_map(move |n| {
            (
                log_uniform(1e-3, 0.3),
                1usize..=256,
                vec(log_uniform(0.1, 100.0), n),
                vec(log_uniform(0.1, 10.0), n),
                vec(normal(2.0), n),
                vec(normal(2.0), n),
                vec(
                    prop_oneof![Just(None), (0.0..max_decades).prop_map(Some)],
                    n,
                ),
                vec(normal(1.0), n),
                log_uniform(1.0, 30.0),
            )
        })
        .prop_filter_map(
            "coincident particles",
            |(alpha, batch, g2, omega, centre, z, squeeze, eta, amp)| {
                let n = g2.len();
                let mut x: Vec<f64> = (0..n)
                    .map(|i| centre[i] + sigma2_paper(alpha, batch, g2[i], omega[i]).sqrt() * z[i])
                    .collect();
                // Near-collisions: move particle i next to particle i−1.
                for i in 1..n {
                    if let Some(u) = squeeze[i] {
                        let s = sigma2_paper(alpha, batch, g2[i], omega[i]).sqrt();
                        x[i] = x[i - 1] + 10f64.powf(-u) * s * if z[i] > 0.0 { 1.0 } else { -1.0 };
                    }
                }
                let mut sorted = x.clone();
                sorted.sort_by(f64::total_cmp);
                if sorted.windows(2).any(|w| w[0] >= w[1]) {
                    return None;
                }
                Some(SolverCase {
                    case: Case {
                        alpha,
                        batch,
                        g2,
                        omega,
                        centre,
                        x,
                    },
                    eta: eta.iter().map(|e| e * amp).collect(),
                })
            },
        )
}

/// Runs `step_implicit` (of `mutant` if given) and returns the relative residual of
/// `y − x̃ − c Σ_j 1/(y_i − y_j) = 0` with x̃ and c from the paper,
/// `x̃_i = x_i − αΩ_i(x_i − c_i) + (α/√|B|)√(2g̃_i²) η_i` and `c_i = α² g̃_i²/|B|`; `+∞` if
/// the step fails, returns non-finite values or changes the ordering.
///
/// Scale: `|y_i| + |x̃_i| + c_i Σ_j [1/|y_i − y_j| + (|y_i| + |y_j|)/(y_i − y_j)²]`. The last term
/// is the change of the residual under one ulp of y: when a huge crossing proposal is pushed
/// back (gap ≪ |y|), even the exact solution rounded to doubles has a residual ε|y|c/gap², so
/// a scale without it would demand more than double precision can represent.
pub fn solver_residual(sc: &SolverCase, mutant: Option<Mutant>) -> f64 {
    let case = &sc.case;
    let n = case.n();
    let d = dyson(
        case.alpha,
        case.batch,
        &case.g2,
        &case.omega,
        &case.centre,
        mutant,
    );
    let mut y = vec![0.0; n];
    let mut ws = ImplicitWorkspace::new(n);
    if d.step_implicit(&case.x, &sc.eta, &mut y, &mut ws).is_err()
        || y.iter().any(|v| !v.is_finite())
    {
        return f64::INFINITY;
    }
    let order = |v: &[f64]| {
        let mut idx: Vec<usize> = (0..n).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        idx
    };
    if order(&case.x) != order(&y) {
        return f64::INFINITY;
    }
    let b = case.batch as f64;
    let mut worst: f64 = 0.0;
    for i in 0..n {
        let xt = case.x[i] - case.alpha * case.omega[i] * (case.x[i] - case.centre[i])
            + case.alpha / b.sqrt() * (2.0 * case.g2[i]).sqrt() * sc.eta[i];
        let c = case.alpha * case.alpha * case.g2[i] / b;
        let (mut coul, mut abs) = (0.0, 0.0);
        for j in (0..n).filter(|&j| j != i) {
            let inv = 1.0 / (y[i] - y[j]);
            coul += inv;
            abs += inv.abs() + (y[i].abs() + y[j].abs()) * inv * inv;
        }
        let r = y[i] - xt - c * coul;
        worst = worst.max(r.abs() / (y[i].abs() + xt.abs() + c * abs));
    }
    worst
}

/// Gaps down to 10⁻⁶σ: far below anything the implicit dynamics produces (its gaps stay
/// ≳ √c/|η| = √(αΩ)σ/|η|), and above the range where the Hessian's Cholesky factorisation
/// breaks down in double precision (see `implicit_step_survives_extreme_near_collisions`).
pub const SOLVER_DECADES: f64 = 6.0;

pub fn solver_sweep(mutant: Option<Mutant>, cases: u32) -> (f64, f64) {
    let reject = mutant.is_some();
    sweep(
        &format!("implicit solver {mutant:?}"),
        solver_strategy(SOLVER_DECADES),
        cases,
        |sc| solver_residual(sc, mutant),
        |v| if reject { v > 1e-12 } else { v < 1e-12 },
    )
}

#[test]
fn implicit_step_solves_its_equation_and_keeps_the_order() {
    let (_, max) = solver_sweep(None, 1000);
    eprintln!("implicit solver: max relative residual {max:e} (tol 1e-12)");
}

#[test]
// Once an open limitation (Cholesky of the Newton Hessian failing in double precision for
// gaps ≪ √c); fixed by the diagonal regularisation fallback in `implicit_newton_dim`.
fn implicit_step_survives_extreme_near_collisions() {
    // Same property, gaps down to 10⁻¹⁰σ (input states no implicit trajectory produces, but an
    // initial condition with nearly degenerate eigenvalues can).
    sweep(
        "implicit solver, extreme near-collisions",
        solver_strategy(10.0),
        1000,
        |sc| solver_residual(sc, None),
        |v| v < 1e-12,
    );
}
