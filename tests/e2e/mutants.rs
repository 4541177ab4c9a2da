//! Every strong check of the suite, run against deliberately wrong variants of Eq 5
//! (`Dyson::mutated`, feature `mutants` of langevin-core), must REJECT each of them: the same
//! statistic crosses the same threshold as in the correct-code test (stationarity-tests.md,
//! "Before trusting a test, confirm it fails for the wrong variants").
//!
//! `CoulombCommonG` equals the correct process when all g̃_i² are equal, so it is only run
//! against checks with per-particle g̃_i² (the current proptests, the implicit solver, two
//! species). The matrix-OU scheme does not use the Dyson coefficients, so it has no mutants.
//!
//! Each test renders the statistics it measured, the correct code's first, into its fragment
//! `tests/measured/mutants-<check>.md`, which the book's Verification chapter includes, and
//! fails if the committed fragment says otherwise (`support::measured`). Each also prints one
//! line per variant, `MUTANT | check | variant | statistic`. The last three tests are
//! INTENTIONAL demonstrations that the weak checks of the spec are blind to some variants while
//! the strong ones reject them.

use crate::generator::{generator_stats, GenCase, GenStats};
use crate::sampler::{n10_implicit_stats, pair_stats, two_species_stats, GoeStats, PAIR, P_REJECT};
use crate::stationarity::{current_sweep, identity_sweep, solver_sweep, Mode};
use crate::support::*;
use crate::transient::implicit_points;
use figures::numbers::{p, table, Numbers};
use langevin_core::Mutant;

fn line(check: &str, m: Mutant, stat: &str) {
    eprintln!("MUTANT | {check} | {m:?} | {stat}");
}

/// A statistic (a residual, a p-value) to two significant digits, as the book prints it.
fn num(x: f64) -> String {
    p(x)
}

/// A z-score with its sign, to one decimal below 100.
fn zed(z: f64) -> String {
    let t = if z.abs() < 100.0 {
        format!("{z:+.1}")
    } else {
        format!("{z:+.0}")
    };
    t.replace('-', "−")
}

/// `` `Name` `` of a variant, for a table row.
fn name(m: Mutant) -> String {
    format!("`{m:?}`")
}

/// The correct code's statistics and every variant's (or why its chains failed).
type Verdicts<S> = (S, Vec<(Mutant, Result<S, String>)>);

/// Runs a statistical check returning `Result` on the correct code and on every variant of
/// `mutants`: the correct code must pass, every variant must be rejected (a chain that fails
/// or leaves the reals counts as a rejection, reported as such). Returns the results, the
/// correct code's first.
fn reject_all<S: std::fmt::Debug>(
    check: &str,
    mutants: &[Mutant],
    stats: impl Fn(Option<Mutant>) -> Result<S, String>,
    rejected: impl Fn(&S) -> bool,
) -> Verdicts<S> {
    let correct = stats(None).unwrap_or_else(|e| panic!("{check}: correct code failed: {e}"));
    assert!(
        !rejected(&correct),
        "{check} rejects the correct code: {correct:?}"
    );
    let mut missed = Vec::new();
    let mut out = Vec::new();
    for &m in mutants {
        let r = stats(Some(m));
        match &r {
            Ok(s) => {
                line(check, m, &format!("{s:?}"));
                if !rejected(s) {
                    missed.push(format!("{m:?}: {s:?}"));
                }
            }
            Err(e) => line(check, m, &format!("diverged/failed: {e}")),
        }
        out.push((m, r));
    }
    assert!(
        missed.is_empty(),
        "{check} accepted wrong variants: {missed:#?}"
    );
    (correct, out)
}

/// The cells of a row: the statistics, or one "diverged" cell spanning them.
fn cells<S>(r: &Result<S, String>, n: usize, f: impl Fn(&S) -> Vec<String>) -> Vec<String> {
    match r {
        Ok(s) => f(s),
        Err(_) => {
            let mut v = vec!["diverged".to_string()];
            v.resize(n, "—".into());
            v
        }
    }
}

/// A check's table: the correct code's row first, then one row per variant (a variant whose
/// chains failed gets one "diverged" cell).
fn verdict_table<S>(
    header: &[&str],
    (correct, mutants): &Verdicts<S>,
    row: impl Fn(&S) -> Vec<String>,
) -> String {
    let mut rows = vec![[vec!["correct code".to_string()], row(correct)].concat()];
    rows.extend(
        mutants
            .iter()
            .map(|(m, r)| [vec![name(*m)], cells(r, header.len() - 1, &row)].concat()),
    );
    table(header, &rows)
}

// --- (a) probability current, (a′) identity, implicit solver: deterministic sweeps ----------

/// (cases, correct code's largest residual, every mutant's smallest) of one mode of check (a).
fn current_mode(mode: Mode, cases: u32) -> (f64, Vec<(Mutant, f64)>) {
    // `current_sweep` asserts residual < tol in every case for the code and > tol in EVERY
    // case for a mutant.
    let (_, correct) = current_sweep(mode, None, cases);
    let check = format!("(a) current {mode:?}, tol {:e}", mode.tol());
    let mutants = ALL_MUTANTS
        .iter()
        .map(|&m| {
            let (min, max) = current_sweep(mode, Some(m), cases);
            line(
                &check,
                m,
                &format!("min {min:.2e} max {max:.2e} over {cases} cases"),
            );
            (m, min)
        })
        .collect();
    (correct, mutants)
}

#[test]
fn mutants_fail_current() {
    let modes = [
        (Mode::Analytic, 2000, "analytic coefficients"),
        (
            Mode::Extracted,
            2000,
            "coefficients extracted from the step",
        ),
        (Mode::FiniteDiff, 500, "finite differences of Eq (7)"),
    ];
    let runs: Vec<_> = modes.iter().map(|&(m, c, _)| current_mode(m, c)).collect();
    let mut n = Numbers::default();
    let correct: Vec<String> = modes
        .iter()
        .zip(&runs)
        .map(|(&(mode, cases, what), (max, _))| {
            format!(
                "{} ({what}, {cases} cases, tolerance {})",
                num(*max),
                num(mode.tol())
            )
        })
        .collect();
    n.inline("correct", &correct.join("; "));
    let rows: Vec<Vec<String>> = ALL_MUTANTS
        .iter()
        .enumerate()
        .map(|(i, &m)| {
            let mut r = vec![name(m)];
            r.extend(runs.iter().map(|(_, v)| num(v[i].1)));
            r
        })
        .collect();
    n.block(
        "table",
        &table(
            &["mutant", "analytic", "extracted", "finite differences"],
            &rows,
        ),
    );
    measured("mutants-current", &n.finish());
}

/// "between `a` (`M`) and `b` (`M′`)": the smallest and largest of the mutants' smallest
/// residuals.
fn range(v: &[(Mutant, f64)]) -> String {
    let lo = v
        .iter()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .expect("mutants");
    let hi = v
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .expect("mutants");
    format!(
        "between {} ({}) and {} ({})",
        num(lo.1),
        name(lo.0),
        num(hi.1),
        name(hi.0)
    )
}

/// A deterministic sweep of the code and of `mutants`, rendered as the book's sentence.
fn sweep_fragment(
    file: &str,
    check: &str,
    mutants: &[Mutant],
    cases: u32,
    sweep: impl Fn(Option<Mutant>, u32) -> (f64, f64),
) {
    let (_, correct) = sweep(None, cases);
    let v: Vec<(Mutant, f64)> = mutants
        .iter()
        .map(|&m| {
            let (min, max) = sweep(Some(m), cases);
            line(
                check,
                m,
                &format!("min {min:.2e} max {max:.2e} over {cases} cases"),
            );
            (m, min)
        })
        .collect();
    let mut n = Numbers::default();
    n.inline("cases", &cases.to_string());
    n.inline("correct", &num(correct));
    n.inline("mutants", &range(&v));
    measured(file, &n.finish());
}

#[test]
fn mutants_fail_generator_identity() {
    sweep_fragment(
        "mutants-identity",
        "(a') identity, tol 1e-12",
        &COMMON_G_MUTANTS,
        1000,
        identity_sweep,
    );
}

#[test]
fn mutants_fail_implicit_solver_check() {
    // x̃ and c are written from the paper, so the solver check sees wrong coefficients too.
    sweep_fragment(
        "mutants-solver",
        "implicit solver, tol 1e-12",
        &ALL_MUTANTS,
        500,
        solver_sweep,
    );
}

// --- (b) samplers ------------------------------------------------------------------------------

#[test]
fn mutants_fail_pair_sampler() {
    let verdicts = reject_all("(b) N=2 implicit", &COMMON_G_MUTANTS, pair_stats, |s| {
        s.rejected()
    });
    let mut n = Numbers::default();
    n.block(
        "table",
        &verdict_table(
            &[
                "$N = 2$",
                "spacing KS $p$",
                "centre KS $p$",
                "eigenvalue KS $p$ vs Eq (11)",
                "$z(\\langle\\delta x^2\\rangle)$",
            ],
            &verdicts,
            |s| {
                vec![
                    num(s.p_spacing),
                    num(s.p_centre),
                    num(s.p_eigen),
                    zed(s.z_m2),
                ]
            },
        ),
    );
    for (m, r) in &verdicts.1 {
        if let Ok(s) = r {
            n.inline(&format!("{m:?}_p_centre"), &num(s.p_centre));
            n.inline(&format!("{m:?}_p_spacing"), &num(s.p_spacing));
            n.inline(&format!("{m:?}_z_m2"), &zed(s.z_m2));
        }
    }
    measured("mutants-pair", &n.finish());
}

#[test]
fn mutants_fail_two_species_sampler() {
    let verdicts = reject_all("(b) two species", &ALL_MUTANTS, two_species_stats, |s| {
        s.rejected()
    });
    let mut n = Numbers::default();
    n.block(
        "table",
        &verdict_table(
            &[
                "two species",
                "KS $p$ vs Eq (32)",
                "spacing KS $p$ vs Eq (31)",
                "$z$ of the sector means",
                "$z(\\langle\\delta x^2\\rangle)$",
            ],
            &verdicts,
            |s| {
                vec![
                    num(s.p_eq32),
                    num(s.p_spacing),
                    format!("{}, {}", zed(s.z_sector1), zed(s.z_sector2)),
                    zed(s.z_m2),
                ]
            },
        ),
    );
    measured("mutants-two-species", &n.finish());
}

#[test]
fn mutants_fail_n10_sampler() {
    // 7 × (400 chains × 800 Newton steps): the most expensive test of the suite.
    let verdicts = reject_all(
        "(b) N=10 vs GOE",
        &COMMON_G_MUTANTS,
        n10_implicit_stats,
        |s| s.rejected(),
    );
    let mut n = Numbers::default();
    n.block(
        "table",
        &verdict_table(
            &[
                "$N = 10$",
                "eigenvalue KS $p$ vs GOE",
                "$m_2$ bias",
                "$z$ beyond the 1 % allowance",
            ],
            &verdicts,
            |s: &GoeStats| {
                vec![
                    num(s.p_eigen),
                    format!("{:+.1} %", 100.0 * s.m2_rel).replace('-', "−"),
                    zed(s.z_m2_excess),
                ]
            },
        ),
    );
    measured("mutants-n10", &n.finish());
}

// --- (c) generator -----------------------------------------------------------------------------

/// The largest |z| of the strong statistics.
fn strongest(s: &GenStats) -> f64 {
    s.strong().iter().fold(0.0, |a, z| a.max(z.abs()))
}

#[test]
fn mutants_fail_generator() {
    let cases = [
        (GenCase::PairIdentical, &COMMON_G_MUTANTS[..]),
        (GenCase::PairTwoSpecies, &ALL_MUTANTS[..]),
        (GenCase::Goe10, &COMMON_G_MUTANTS[..]),
    ];
    let runs: Vec<_> = cases
        .iter()
        .map(|&(case, mutants)| {
            reject_all(
                &format!("(c) generator {case:?}"),
                mutants,
                |m| Ok::<_, String>(generator_stats(case, m)),
                |s| s.rejected(),
            )
        })
        .collect();
    let cell = |case: usize, m: Option<Mutant>| -> String {
        let (correct, mutants) = &runs[case];
        match m {
            None => num(strongest(correct)),
            Some(m) => mutants
                .iter()
                .find(|(k, _)| *k == m)
                .map(|(_, r)| num(strongest(r.as_ref().expect("generator stats"))))
                .unwrap_or_else(|| "(the code)".into()),
        }
    };
    let mut rows = vec![[
        vec!["correct code".to_string()],
        (0..3).map(|c| cell(c, None)).collect(),
    ]
    .concat()];
    rows.extend(
        ALL_MUTANTS
            .iter()
            .map(|&m| [vec![name(m)], (0..3).map(|c| cell(c, Some(m))).collect()].concat()),
    );
    let mut n = Numbers::default();
    n.block(
        "table",
        &table(
            &[
                "largest $\\lvert z\\rvert$",
                "$N = 2$, identical",
                "$N = 2$, two species",
                "$N = 10$ (GOE)",
            ],
            &rows,
        ),
    );
    measured("mutants-generator", &n.finish());
}

// --- (d) transient -----------------------------------------------------------------------------

#[test]
fn mutants_fail_implicit_transient() {
    let runs = [(2, 20_000), (5, 1000)].map(|(n, chains)| {
        reject_all(
            &format!("(d) implicit transient N={n}"),
            &COMMON_G_MUTANTS,
            |m| implicit_points(n, chains, m).map(summary),
            |s| s.1,
        )
    });
    let cell = |r: &Result<(String, bool, f64), String>| match r {
        Ok(s) => s.0.clone(),
        Err(_) => "diverged".into(),
    };
    let mut rows = vec![[
        vec!["correct code".to_string()],
        runs.iter().map(|(c, _)| c.0.clone()).collect(),
    ]
    .concat()];
    rows.extend(COMMON_G_MUTANTS.iter().enumerate().map(|(i, &m)| {
        [
            vec![name(m)],
            runs.iter().map(|(_, v)| cell(&v[i].1)).collect(),
        ]
        .concat()
    }));
    let mut n = Numbers::default();
    n.block(
        "table",
        &table(&["largest $\\lvert z\\rvert$", "$N = 2$", "$N = 5$"], &rows),
    );
    measured("mutants-transient", &n.finish());
}

/// (the checkpoint with the largest |z|, rejected?, |z|) of a transient run.
fn summary(p: Vec<crate::transient::Point>) -> (String, bool, f64) {
    let worst = p
        .iter()
        .max_by(|a, b| a.z.abs().total_cmp(&b.z.abs()))
        .expect("points");
    (
        format!(
            "{} ({} at $k = {}$, {} %)",
            zed(worst.z),
            worst.what,
            worst.k,
            format!("{:+.1}", 100.0 * (worst.mean / worst.exact - 1.0)).replace('-', "−")
        ),
        crate::transient::rejected(&p),
        worst.z.abs(),
    )
}

// --- INTENTIONAL blind-spot demonstrations (weak checks) ---------------------------------------

/// Maximum-likelihood σ of Eq 11 with the centre known (golden section on ln σ).
fn fit_sigma_eq11(x: &[f64], c: f64) -> f64 {
    let nll = |ls: f64| -> f64 {
        let s = ls.exp();
        -x.iter().map(|&v| rho11(v, c, s).ln()).sum::<f64>()
    };
    let (mut a, mut b) = ((0.01f64).ln(), (1.0f64).ln());
    let g = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..100 {
        let (p, q) = (b - g * (b - a), a + g * (b - a));
        if nll(p) < nll(q) {
            b = q;
        } else {
            a = p;
        }
    }
    (0.5 * (a + b)).exp()
}

#[test]
fn weak_checks_are_blind_to_temp2_intentionally() {
    // INTENTIONAL: with α/|B| wrong by 2 (noise² and Coulomb ×2) the stationary law is Eq 11
    // with σ√2. Scale-free statistics cannot see it: the unit-mean spacing KS (the paper's
    // surmise plot), the Binder cumulant U4 = −4/27, and a KS against Eq 11 with σ fitted
    // freely all PASS, while the strong checks (spacing KS with the paper's σ, z(m2)) and the
    // absolute anchor σ_fit vs √((α/|B|) g̃²/Ω) reject. Same run as the (b) N = 2 test.
    let (alpha, batch, g2, omega, c) = PAIR;
    let sigma = sigma2_paper(alpha, batch, g2, omega).sqrt();
    let s = pair_stats(Some(Mutant::Temp2)).expect("runs");
    eprintln!("weak checks on Temp2: {s:?}");
    assert!(s.rejected(), "strong checks must reject Temp2");
    assert!(
        s.p_unit_spacing > P_REJECT,
        "unit-mean surmise unexpectedly sees Temp2"
    );
    assert!(
        (s.u4 + 4.0 / 27.0).abs() < 5.0 * s.u4_se,
        "U4 unexpectedly sees Temp2"
    );
    // σ-free fit on fresh chains of the same mutant (one random eigenvalue per chain).
    let d = dyson(
        alpha,
        batch,
        &[g2; 2],
        &[omega; 2],
        &[c; 2],
        Some(Mutant::Temp2),
    );
    let eig: Vec<f64> = (0..2000u64)
        .map(|k| {
            let mut rng = stream(SEED, "tests/mutants/temp2-fit", k);
            let x = langevin_core::ensemble::run_langevin_chain(
                &d,
                langevin_core::Scheme::Implicit,
                &[c + 0.05, c - 0.05],
                2000,
                &mut rng,
            )
            .expect("runs");
            x[(k % 2) as usize]
        })
        .collect();
    let s_fit = fit_sigma_eq11(&eig, c);
    let p_fit = ks1(&eig, |x| pair_cdf(x, c, s_fit)).1;
    let p_paper = ks1(&eig, |x| pair_cdf(x, c, sigma)).1;
    eprintln!(
        "Temp2: σ-free fit σ = {s_fit:.4} (paper {sigma:.4}, ratio {:.3}), KS p(fit) = {p_fit:.3}, \
         KS p(paper σ) = {p_paper:.1e}",
        s_fit / sigma
    );
    assert!(p_fit > P_REJECT, "the σ-free fit unexpectedly sees Temp2");
    assert!(p_paper < P_REJECT && (s_fit / sigma - 1.0).abs() > 0.2);
    let mut n = Numbers::default();
    n.inline("p_unit_spacing", &num(s.p_unit_spacing));
    n.inline(
        "u4",
        &format!("{:.3} ± {:.3}", s.u4, s.u4_se).replace('-', "−"),
    );
    n.inline("p_fit", &num(p_fit));
    n.inline("sigma_ratio", &format!("{:.2}", s_fit / sigma));
    n.inline("p_paper", &num(p_paper));
    n.inline("z_m2", &zed(s.z_m2));
    measured("blind-temp2", &n.finish());
}

#[test]
fn centre_of_mass_is_blind_to_coulomb_factors_intentionally() {
    // INTENTIONAL: the Coulomb forces cancel in x1 + x2, so the centre KS passes for Coulomb2
    // and CoulombHalf while the spacing KS rejects them.
    for m in [Mutant::Coulomb2, Mutant::CoulombHalf] {
        let s = pair_stats(Some(m)).expect("runs");
        eprintln!(
            "centre KS on {m:?}: p = {:.3} (spacing p = {:.1e})",
            s.p_centre, s.p_spacing
        );
        assert!(
            s.p_centre > P_REJECT && s.p_spacing < P_REJECT,
            "{m:?}: {s:?}"
        );
    }
}

#[test]
fn odd_generator_functions_are_blind_intentionally() {
    // INTENTIONAL: P_s is symmetric about c, so E[L f] = 0 for odd f whatever the drift.
    let mut largest = 0.0f64;
    for m in [Mutant::Coulomb2, Mutant::NoSqrt2, Mutant::Temp2] {
        let s = generator_stats(GenCase::PairIdentical, Some(m));
        eprintln!(
            "odd f on {m:?}: z(Σd) = {:.2}, z(Σd³) = {:.2}",
            s.z_odd_d1, s.z_odd_d3
        );
        assert!(s.rejected() && s.z_odd_d1.abs() < 5.0 && s.z_odd_d3.abs() < 5.0);
        largest = largest.max(s.z_odd_d1.abs()).max(s.z_odd_d3.abs());
    }
    let mut n = Numbers::default();
    n.inline("largest_z", &format!("{largest:.1}"));
    measured("blind-odd", &n.finish());
}
