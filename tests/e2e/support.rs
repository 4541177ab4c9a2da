//! Shared helpers of the stationarity suite (stationarity-tests.md): the paper's closed forms
//! written independently of the code under test, exact samplers of P_s, KS p-values and
//! simple moment statistics.
//!
//! Everything here is derived from the paper's parameters (α, |B|, g̃_i², Ω_i, c_i), never from
//! the σ or the temperature of `langevin-core`, so that a consistent temperature bug (`Temp2`)
//! stays visible (stationarity-tests.md, requirement 2).

use coulomb_gas::Density1D;
use langevin_core::{Dyson, Mutant, Quadratic};
use nalgebra::DMatrix;
use rand::RngExt;
use rand_distr::{Distribution, Exp1, StandardNormal};

pub use langevin_core::seed::stream;

/// Statistics the book quotes from a test (the mutants' rejection tables) are rendered by the
/// test that measures them and compared with its committed fragment `tests/measured/<name>.md`,
/// which the book includes: a number the code no longer gives fails that test. With
/// `RMT_SGD_BLESS=1` the test rewrites the fragment instead (review the diff, then commit it).
pub fn measured(name: &str, text: &str) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("measured").join(format!("{name}.md"));
    if std::env::var_os("RMT_SGD_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create tests/measured");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        return;
    }
    let got = std::fs::read_to_string(&path).unwrap_or_default();
    if got != text {
        panic!(
            "tests/measured/{name}.md, which the book includes, is not what this test measures \
             (re-run with RMT_SGD_BLESS=1, review and commit):\n{}",
            first_differences(text, &got, "measured: ")
        );
    }
}

/// The first five lines where the expected text `want` and the committed `got` differ, each as
/// `    {label} <want line>` over `    committed: <got line>` (`<missing>` past either end).
pub fn first_differences(want: &str, got: &str, label: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    fn line<'a>(v: &[&'a str], i: usize) -> &'a str {
        v.get(i).copied().unwrap_or("<missing>")
    }
    (0..w.len().max(g.len()))
        .filter(|&i| line(&w, i) != line(&g, i))
        .take(5)
        .map(|i| {
            format!(
                "    {label} {}\n    committed: {}",
                line(&w, i),
                line(&g, i)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Base seed of every statistical test of the suite.
pub const SEED: u64 = 2024;

/// All mutants, in the order of the rejection table.
pub const ALL_MUTANTS: [Mutant; 7] = [
    Mutant::Coulomb2,
    Mutant::CoulombHalf,
    Mutant::CoulombSign,
    Mutant::CoulombNoAlpha,
    Mutant::CoulombCommonG,
    Mutant::NoSqrt2,
    Mutant::Temp2,
];

/// The mutants that differ from the correct process when all g̃_i² are equal
/// (`CoulombCommonG` is then the correct process itself).
pub const COMMON_G_MUTANTS: [Mutant; 6] = [
    Mutant::Coulomb2,
    Mutant::CoulombHalf,
    Mutant::CoulombSign,
    Mutant::CoulombNoAlpha,
    Mutant::NoSqrt2,
    Mutant::Temp2,
];

/// The Eq 5 process with a quadratic potential, optionally replaced by a wrong variant.
pub fn dyson(
    alpha: f64,
    batch: usize,
    g2: &[f64],
    omega: &[f64],
    centre: &[f64],
    mutant: Option<Mutant>,
) -> Dyson<Quadratic> {
    let pot = Quadratic::new(omega.to_vec(), centre.to_vec()).expect("valid potential");
    let d = Dyson::new(alpha, batch, g2.to_vec(), pot).expect("valid Dyson process");
    match mutant {
        Some(m) => d.mutated(m),
        None => d,
    }
}

/// Eq 9 from the paper's parameters: σ_i² = (α/|B|) g̃_i²/Ω_i.
pub fn sigma2_paper(alpha: f64, batch: usize, g2: f64, omega: f64) -> f64 {
    alpha / batch as f64 * g2 / omega
}

// ---------------------------------------------------------------------------------------------
// Special functions and closed forms
// ---------------------------------------------------------------------------------------------

/// The error function, to about 1e-15 absolute. For |x| < 3 the all-positive series
/// `erf x = (2/√π) e^{−x²} Σ_n 2ⁿ x^{2n+1}/(2n+1)!!`; above, the continued fraction of erfc.
pub fn erf(x: f64) -> f64 {
    if x < 0.0 {
        return -erf(-x);
    }
    if x < 3.0 {
        let x2 = x * x;
        let mut term = x;
        let mut sum = x;
        let mut n = 0.0;
        while term > 1e-17 * sum {
            n += 1.0;
            term *= 2.0 * x2 / (2.0 * n + 1.0);
            sum += term;
        }
        2.0 / std::f64::consts::PI.sqrt() * (-x2).exp() * sum
    } else {
        1.0 - erfc_large(x)
    }
}

/// erfc(x) for x ≥ 3 by the continued fraction `e^{−x²}/(√π (x + (1/2)/(x + 1/(x + (3/2)/…))))`.
fn erfc_large(x: f64) -> f64 {
    let mut f = x;
    for k in (1..=80).rev() {
        f = x + 0.5 * k as f64 / f;
    }
    (-x * x).exp() / (std::f64::consts::PI.sqrt() * f)
}

/// Eq 11, the N = 2 one-point density with Gaussian width σ around x_m.
pub fn rho11(x: f64, xm: f64, s: f64) -> f64 {
    let d = x - xm;
    let e = (-d * d / (2.0 * s * s)).exp();
    e / (4.0 * std::f64::consts::PI.sqrt() * s)
        * (2.0 * e
            + (2.0 * std::f64::consts::PI).sqrt() * d / s * erf(d / (std::f64::consts::SQRT_2 * s)))
}

/// CDF of Eq 11 (math-notes.md §1): `(1 + erf(d/σ))/2 − e^{−d²/(2σ²)} erf(d/(√2σ))/(2√2)`.
pub fn cdf11(x: f64, xm: f64, s: f64) -> f64 {
    let d = x - xm;
    0.5 * (1.0 + erf(d / s))
        - (-d * d / (2.0 * s * s)).exp() * erf(d / (std::f64::consts::SQRT_2 * s))
            / (2.0 * std::f64::consts::SQRT_2)
}

/// CDF of Eq 32 (two species with Gaussian widths s1, s2 and a common centre), in the stable
/// form of math-notes.md §1: `F = (F1 + F2)/2`,
/// `F1 = (1 + erf(u))/2 − s1 e^{−d²/(2 s1²)} erf(d/(√2 s2))/(2√2 s_m)`, `u = d s_m/(s1 s2)`.
pub fn cdf32(x: f64, xm: f64, s1: f64, s2: f64) -> f64 {
    let d = x - xm;
    let sm = ((s1 * s1 + s2 * s2) / 2.0).sqrt();
    let u = d * sm / (s1 * s2);
    let part = |a: f64, b: f64| {
        0.5 * (1.0 + erf(u))
            - a * (-d * d / (2.0 * a * a)).exp() * erf(d / (std::f64::consts::SQRT_2 * b))
                / (2.0 * std::f64::consts::SQRT_2 * sm)
    };
    0.5 * (part(s1, s2) + part(s2, s1))
}

// ---------------------------------------------------------------------------------------------
// Kolmogorov-Smirnov
// ---------------------------------------------------------------------------------------------

/// Survival function of the Kolmogorov distribution, Q(λ) = P(√n D > λ) as n → ∞.
pub fn kolmogorov_q(lambda: f64) -> f64 {
    if lambda <= 0.0 {
        return 1.0;
    }
    if lambda < 1.18 {
        // Q = 1 − (√(2π)/λ) Σ_k exp(−(2k−1)² π²/(8λ²)).
        let pi2 = std::f64::consts::PI * std::f64::consts::PI;
        let s: f64 = (1..=20)
            .map(|k| {
                let m = (2 * k - 1) as f64;
                (-m * m * pi2 / (8.0 * lambda * lambda)).exp()
            })
            .sum();
        1.0 - (2.0 * std::f64::consts::PI).sqrt() / lambda * s
    } else {
        let s: f64 = (1..=20)
            .map(|k| {
                let k = k as f64;
                let sign = if (k as i64) % 2 == 1 { 1.0 } else { -1.0 };
                sign * (-2.0 * k * k * lambda * lambda).exp()
            })
            .sum();
        (2.0 * s).clamp(0.0, 1.0)
    }
}

/// The KS p-value for distance `d` at effective sample size `n_eff`, with Stephens' correction
/// λ = (√n + 0.12 + 0.11/√n) D.
pub fn ks_pvalue(d: f64, n_eff: f64) -> f64 {
    let sn = n_eff.sqrt();
    kolmogorov_q((sn + 0.12 + 0.11 / sn) * d)
}

/// One-sample KS: (distance, p-value) of `sample` against the continuous CDF `cdf`.
pub fn ks_one(sample: &[f64], cdf: impl Fn(f64) -> f64 + Sync) -> (f64, f64) {
    let mut v = sample.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len() as f64;
    let mut d: f64 = 0.0;
    for (i, &x) in v.iter().enumerate() {
        let f = cdf(x);
        d = d.max(f - i as f64 / n).max((i + 1) as f64 / n - f);
    }
    (d, ks_pvalue(d, n))
}

/// Two-sample KS: (distance, p-value).
pub fn ks_two(a: &[f64], b: &[f64]) -> (f64, f64) {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (na, nb) = (a.len(), b.len());
    let (mut i, mut j) = (0usize, 0usize);
    let mut d: f64 = 0.0;
    while i < na && j < nb {
        let x = a[i].min(b[j]);
        while i < na && a[i] <= x {
            i += 1;
        }
        while j < nb && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / na as f64 - j as f64 / nb as f64).abs());
    }
    let n_eff = (na * nb) as f64 / (na + nb) as f64;
    (d, ks_pvalue(d, n_eff))
}

// ---------------------------------------------------------------------------------------------
// Moments
// ---------------------------------------------------------------------------------------------

/// (mean, standard error of the mean).
pub fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

/// z = (mean − expected)/SE.
pub fn z_score(v: &[f64], expected: f64) -> f64 {
    let (m, se) = mean_se(v);
    (m - expected) / se
}

// ---------------------------------------------------------------------------------------------
// Exact samplers of P_s (independent of the Langevin code)
// ---------------------------------------------------------------------------------------------

/// One exact sample of Eq 29 (two particles, Gaussian widths s1, s2, common centre c), in
/// particle order, with a random ordering sector. With `S = x1 − x2` and
/// `x_c = (s2/(2 s1)) δx1 + (s1/(2 s2)) δx2` the weight factorises,
/// `V = S²/(4 s_m²) + x_c²/s_m²` (constant Jacobian): `|S| = √(4 s_m² Exp(1))` with a random
/// sign and `x_c ~ N(0, s_m²/2)`. For s1 = s2 = σ this is u ~ N(c, σ²/2), x = u ± S/2.
pub fn exact_pair<R: rand::Rng + ?Sized>(s1: f64, s2: f64, c: f64, rng: &mut R) -> [f64; 2] {
    let sm2 = 0.5 * (s1 * s1 + s2 * s2);
    let e: f64 = Exp1.sample(rng);
    let mut s = (4.0 * sm2 * e).sqrt();
    if rng.random::<bool>() {
        s = -s;
    }
    let z: f64 = StandardNormal.sample(rng);
    let xc = z * (sm2 / 2.0).sqrt();
    let denom = s1 * s1 + s2 * s2;
    let x1 = (2.0 * s1 * s2 * xc + s1 * s1 * s) / denom;
    let x2 = (2.0 * s1 * s2 * xc - s2 * s2 * s) / denom;
    [c + x1, c + x2]
}

/// Exact GOE eigenvalues for P(H) ∝ exp(−tr H²/(2σ²)): H = (A + Aᵀ)/√2, A_ij ~ N(0, σ²/2),
/// shifted by c; ascending. Their law is Eq 7 for N identical species.
pub fn goe_eigenvalues<R: rand::Rng + ?Sized>(
    n: usize,
    sigma: f64,
    c: f64,
    rng: &mut R,
) -> Vec<f64> {
    let a = DMatrix::<f64>::from_fn(n, n, |_, _| {
        let z: f64 = StandardNormal.sample(rng);
        z * sigma * std::f64::consts::FRAC_1_SQRT_2
    });
    let h = (&a + a.transpose()) * std::f64::consts::FRAC_1_SQRT_2;
    let mut e: Vec<f64> = h.symmetric_eigenvalues().iter().map(|v| v + c).collect();
    e.sort_by(f64::total_cmp);
    e
}

#[test]
fn helpers_erf_and_closed_forms() {
    // erf against tabulated values.
    for (x, want) in [
        (0.5, 0.520_499_877_813_046_5),
        (1.0, 0.842_700_792_949_714_9),
        (2.0, 0.995_322_265_018_952_7),
        (2.9, 0.999_958_902_121_900_1),
        (3.0, 0.999_977_909_503_001_4),
        (4.0, 0.999_999_984_582_742_1),
    ] {
        assert!((erf(x) - want).abs() < 2e-15, "erf({x}) = {}", erf(x));
        assert!((erf(-x) + want).abs() < 2e-15);
    }
    // The CDFs integrate their densities (Simpson on a fine grid), and Eq 32 → Eq 11 at s1 = s2.
    let (xm, s) = (1.0, 0.1);
    let h = 1e-4;
    let x0 = xm - 0.8;
    let mut acc = cdf11(x0, xm, s);
    for k in 0..16_000 {
        let x = x0 + k as f64 * h;
        acc += h / 6.0 * (rho11(x, xm, s) + 4.0 * rho11(x + h / 2.0, xm, s) + rho11(x + h, xm, s));
        if (k + 1) % 1000 == 0 {
            let xe = x0 + (k + 1) as f64 * h;
            assert!((acc - cdf11(xe, xm, s)).abs() < 1e-9, "cdf11 at {xe}");
        }
    }
    for &d in &[-0.3, -0.05, 0.0, 0.02, 0.2] {
        assert!((cdf32(xm + d, xm, s, s) - cdf11(xm + d, xm, s)).abs() < 1e-14);
        // dF32/dx against the stable form of the Eq 32 density.
        let (s1, s2) = (0.1, 0.25);
        let num = (cdf32(xm + d + 1e-6, xm, s1, s2) - cdf32(xm + d - 1e-6, xm, s1, s2)) / 2e-6;
        let sm = ((s1 * s1 + s2 * s2) / 2.0_f64).sqrt();
        let n0 = 4.0 * std::f64::consts::PI.sqrt() * s1 * s2 * sm;
        let p = |a: f64, b: f64| {
            (-d * d / (2.0 * a * a)).exp()
                * (2.0 * b * b * (-d * d / (2.0 * b * b)).exp()
                    + (2.0 * std::f64::consts::PI).sqrt()
                        * b
                        * d
                        * erf(d / (std::f64::consts::SQRT_2 * b)))
                / n0
        };
        let rho32 = 0.5 * (p(s1, s2) + p(s2, s1));
        assert!(
            (num - rho32).abs() < 1e-6 * rho32.max(1.0),
            "rho32 at {d}: {num} vs {rho32}"
        );
    }
    assert!(cdf32(xm - 5.0, xm, 0.1, 0.3) < 1e-12 && cdf32(xm + 5.0, xm, 0.1, 0.3) > 1.0 - 1e-12);
    // Kolmogorov tail: Q(1.36) ≈ 0.049, Q(1.95) ≈ 0.001; both branches agree at 1.18.
    assert!((kolmogorov_q(1.358) - 0.05).abs() < 1e-3);
    assert!((kolmogorov_q(1.949) - 0.001).abs() < 1e-4);
    let (lo, hi) = (kolmogorov_q(1.18 - 1e-12), kolmogorov_q(1.18 + 1e-12));
    assert!((lo - hi).abs() < 1e-10);
}

#[test]
fn helpers_exact_pair_reproduces_eq29() {
    // The (S, x_c) decomposition: V(x1, x2) = δx1²/(2 s1²) + δx2²/(2 s2²) = S²/(4 s_m²) + x_c²/s_m².
    let (s1, s2) = (0.1, 0.27);
    let sm2 = 0.5 * (s1 * s1 + s2 * s2);
    for &(d1, d2) in &[(0.3, -0.1), (-0.05, 0.4), (0.01, 0.02)] {
        let v = d1 * d1 / (2.0 * s1 * s1) + d2 * d2 / (2.0 * s2 * s2);
        let s: f64 = d1 - d2;
        let xc = s2 / (2.0 * s1) * d1 + s1 / (2.0 * s2) * d2;
        assert!((v - (s * s / (4.0 * sm2) + xc * xc / sm2)).abs() < 1e-12 * v);
    }
    // The sampler's pooled ⟨δx²⟩ against the Eq 32 moment (σ1⁴ + σ1²σ2² + σ2⁴)/(σ1² + σ2²);
    // 2e5 draws, |z| < 5 (false-alarm rate 6e-7).
    let mut rng = stream(SEED, "tests/support/exact-pair", 0);
    let n = 200_000;
    let m2: Vec<f64> = (0..n)
        .map(|_| {
            let x = exact_pair(s1, s2, 0.0, &mut rng);
            0.5 * (x[0] * x[0] + x[1] * x[1])
        })
        .collect();
    let want = (s1.powi(4) + s1 * s1 * s2 * s2 + s2.powi(4)) / (s1 * s1 + s2 * s2);
    let z = z_score(&m2, want);
    assert!(z.abs() < 5.0, "exact pair sampler: z(m2) = {z}");
}

// ---------------------------------------------------------------------------------------------
// The laws and tests used by the suite: from coulomb-gas, cross-checked below against the
// independent implementations above.
// ---------------------------------------------------------------------------------------------

/// One-sample KS (distance, p-value), `coulomb_gas::ks_one_sample`.
pub fn ks1(sample: &[f64], cdf: impl Fn(f64) -> f64 + Sync) -> (f64, f64) {
    let r = coulomb_gas::ks_one_sample(sample, cdf).expect("finite sample and a valid CDF");
    (r.statistic, r.p_value)
}

/// Two-sample KS (distance, p-value), `coulomb_gas::ks_two_sample`.
pub fn ks2(a: &[f64], b: &[f64]) -> (f64, f64) {
    let r = coulomb_gas::ks_two_sample(a, b).expect("finite samples");
    (r.statistic, r.p_value)
}

/// CDF of Eq 11, `coulomb_gas::PairDensity`.
pub fn pair_cdf(x: f64, xm: f64, s: f64) -> f64 {
    coulomb_gas::PairDensity::new(xm, s)
        .expect("valid Eq 11 parameters")
        .cdf(x)
}

/// CDF of Eq 32, `coulomb_gas::TwoSpecies`.
pub fn two_species_cdf(x: f64, xm: f64, s1: f64, s2: f64) -> f64 {
    coulomb_gas::TwoSpecies::new(xm, s1, s2)
        .expect("valid Eq 32 parameters")
        .cdf(x)
}

/// Exact GOE eigenvalues (ascending) around c, `coulomb_gas::goe_sample`.
pub fn goe_draw<R: rand::Rng + ?Sized>(n: usize, sigma: f64, c: f64, rng: &mut R) -> Vec<f64> {
    let mut e = coulomb_gas::goe_sample(n, sigma, rng).expect("valid GOE parameters");
    e.iter_mut().for_each(|v| *v += c);
    e
}

#[test]
fn coulomb_gas_agrees_with_the_independent_helpers() {
    use coulomb_gas::SectorDensity;
    let (c, s1, s2) = (1.0, 0.1, 0.2);
    for k in -60..=60 {
        let x = c + k as f64 * 0.01;
        assert!(
            (pair_cdf(x, c, s1) - cdf11(x, c, s1)).abs() < 1e-13,
            "Eq 11 CDF at {x}"
        );
        assert!(
            (two_species_cdf(x, c, s1, s2) - cdf32(x, c, s1, s2)).abs() < 1e-13,
            "Eq 32 CDF at {x}"
        );
    }
    // Sector means (math-notes §2 item 7): ±√π σ_i²/(2σ_m).
    let sm = ((s1 * s1 + s2 * s2) / 2.0f64).sqrt();
    let sector = SectorDensity::new(c, s1, s2).expect("valid");
    let sqrt_pi = std::f64::consts::PI.sqrt();
    assert!((sector.species1_mean() - (c + sqrt_pi * s1 * s1 / (2.0 * sm))).abs() < 1e-14);
    assert!((sector.species2_mean() - (c - sqrt_pi * s2 * s2 / (2.0 * sm))).abs() < 1e-14);
    // KS statistics identical, p-values close (the crates use different finite-n corrections).
    let mut rng = stream(SEED, "tests/support/ks", 0);
    for n in [300usize, 4000] {
        let v: Vec<f64> = (0..n).map(|_| exact_pair(s1, s1, c, &mut rng)[0]).collect();
        let (d_own, p_own) = ks_one(&v, |x| cdf11(x, c, s1));
        let (d_cg, p_cg) = ks1(&v, |x| pair_cdf(x, c, s1));
        assert!((d_own - d_cg).abs() < 1e-12, "n = {n}: D {d_own} vs {d_cg}");
        assert!((p_own - p_cg).abs() < 0.02, "n = {n}: p {p_own} vs {p_cg}");
        let w: Vec<f64> = (0..n / 2)
            .map(|_| exact_pair(s1, s1, c, &mut rng)[1])
            .collect();
        assert!((ks_two(&v, &w).0 - ks2(&v, &w).0).abs() < 1e-12);
    }
    // The two GOE samplers draw the same law: m2 = σ²(N+1)/2 for both.
    let (n, sigma) = (6usize, 0.1);
    let exact = sigma * sigma * (n as f64 + 1.0) / 2.0;
    for own in [true, false] {
        let m2: Vec<f64> = (0..20_000)
            .map(|_| {
                let e = if own {
                    goe_eigenvalues(n, sigma, 0.0, &mut rng)
                } else {
                    goe_draw(n, sigma, 0.0, &mut rng)
                };
                e.iter().map(|v| v * v).sum::<f64>() / n as f64
            })
            .collect();
        let z = z_score(&m2, exact);
        assert!(z.abs() < 5.0, "GOE sampler (own = {own}): z(m2) = {z}");
    }
}
