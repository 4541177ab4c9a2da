//! Kolmogorov–Smirnov goodness of fit: one-sample against a closed-form distribution function
//! (Eqs 11, 31, 32) and two-sample (e.g. sampler output against exact GOE draws).
//!
//! p-values: the exact distribution of D_n by Marsaglia, Tsang & Wang (J. Stat. Softw. 8(18),
//! 2003) for n ≤ 1000, the exact one-sided Smirnov tail (doubled) where p < 1e-6, and the
//! asymptotic Kolmogorov law with Stephens' correction λ = (√n + 0.12 + 0.11/√n) D above n = 1000.

use crate::error::{check_samples, GasError};

/// Result of a KS test.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KsResult {
    /// D = sup |F_n − F| (one-sample) or sup |F_a − F_b| (two-sample).
    pub statistic: f64,
    /// P(D ≥ observed) under the null hypothesis.
    pub p_value: f64,
    /// Sample size; for the two-sample test the effective size round(nm/(n+m)).
    pub n: usize,
}

/// Largest n for which the exact Marsaglia–Tsang–Wang distribution is used.
pub const KS_EXACT_MAX_N: usize = 1000;

/// Kolmogorov distribution survival function Q(λ) = P(K > λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}
/// (with the Jacobi-transformed series for small λ, where the alternating series converges slowly).
pub fn kolmogorov_sf(lambda: f64) -> f64 {
    if lambda.is_nan() {
        return f64::NAN;
    }
    if lambda <= 0.0 {
        return 1.0;
    }
    if lambda < 1.18 {
        // P(K ≤ λ) = √(2π)/λ Σ_{k≥1} exp(−(2k−1)²π²/(8λ²))
        let y = -std::f64::consts::PI.powi(2) / (8.0 * lambda * lambda);
        let mut sum = 0.0;
        for k in 1..=20 {
            let odd = (2 * k - 1) as f64;
            let term = (odd * odd * y).exp();
            sum += term;
            if term < 1e-300 {
                break;
            }
        }
        (1.0 - (2.0 * std::f64::consts::PI).sqrt() / lambda * sum).clamp(0.0, 1.0)
    } else {
        let mut sum = 0.0;
        for k in 1..=100 {
            let kf = k as f64;
            let term = (-2.0 * kf * kf * lambda * lambda).exp();
            sum += if k % 2 == 1 { term } else { -term };
            if term < 1e-300 {
                break;
            }
        }
        (2.0 * sum).clamp(0.0, 1.0)
    }
}

/// Product of two m×m row-major matrices.
fn mat_mul(a: &[f64], b: &[f64], m: usize) -> Vec<f64> {
    let mut c = vec![0.0; m * m];
    for i in 0..m {
        for k in 0..m {
            let aik = a[i * m + k];
            if aik == 0.0 {
                continue;
            }
            let (brow, crow) = (&b[k * m..(k + 1) * m], &mut c[i * m..(i + 1) * m]);
            for (cj, bj) in crow.iter_mut().zip(brow) {
                *cj += aik * bj;
            }
        }
    }
    c
}

/// A^n with a decimal exponent kept apart (value = matrix · 10^exponent) to avoid overflow.
fn mat_pow(a: &[f64], m: usize, n: usize) -> (Vec<f64>, i32) {
    if n == 1 {
        return (a.to_vec(), 0);
    }
    let (v, ev) = mat_pow(a, m, n / 2);
    let b = mat_mul(&v, &v, m);
    let (mut out, mut e) = if n & 1 == 0 {
        (b, 2 * ev)
    } else {
        (mat_mul(a, &b, m), 2 * ev)
    };
    if out[(m / 2) * m + m / 2] > 1e140 {
        out.iter_mut().for_each(|x| *x *= 1e-140);
        e += 140;
    }
    (out, e)
}

/// Exact P(D_n < d) by Marsaglia, Tsang & Wang (2003), Eq (4)-(6) of their paper.
fn mtw_cdf(n: usize, d: f64) -> f64 {
    let nd = n as f64 * d;
    let k = nd.floor() as usize + 1;
    let m = 2 * k - 1;
    let h = k as f64 - nd;
    let mut hm = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..m {
            if i + 1 >= j {
                hm[i * m + j] = 1.0;
            }
        }
    }
    for i in 0..m {
        hm[i * m] -= h.powi(i as i32 + 1);
        hm[(m - 1) * m + i] -= h.powi((m - i) as i32);
    }
    if 2.0 * h - 1.0 > 0.0 {
        hm[(m - 1) * m] += (2.0 * h - 1.0).powi(m as i32);
    }
    for i in 0..m {
        for j in 0..=i.min(m - 1) {
            // i − j + 1 > 0: divide by (i − j + 1)!
            for g in 1..=(i + 1 - j) {
                hm[i * m + j] /= g as f64;
            }
        }
    }
    let (q, mut e) = mat_pow(&hm, m, n);
    let mut s = q[(k - 1) * m + k - 1];
    for i in 1..=n {
        s = s * i as f64 / n as f64;
        if s < 1e-140 {
            s *= 1e140;
            e -= 140;
        }
    }
    if e > -300 {
        s * 10f64.powi(e)
    } else {
        (s.ln() + e as f64 * std::f64::consts::LN_10).exp()
    }
}

/// One-sided exact tail P(D_n⁺ ≥ d) (Birnbaum & Tingey 1951), summed in logs (all terms ≥ 0):
/// d Σ_{j=0}^{⌊n(1−d)⌋} C(n,j) (1 − d − j/n)^{n−j} (d + j/n)^{j−1}.
fn smirnov_sf(n: usize, d: f64) -> f64 {
    let nf = n as f64;
    let jmax = (nf * (1.0 - d)).floor() as usize;
    let ln_n_fact = libm::lgamma(nf + 1.0);
    let mut logs = Vec::with_capacity(jmax + 1);
    for j in 0..=jmax.min(n) {
        let jf = j as f64;
        let a = 1.0 - d - jf / nf;
        if a <= 0.0 && n > j {
            continue;
        }
        let ln_c = ln_n_fact - libm::lgamma(jf + 1.0) - libm::lgamma(nf - jf + 1.0);
        let la = if n > j { (nf - jf) * a.ln() } else { 0.0 };
        logs.push(ln_c + la + (jf - 1.0) * (d + jf / nf).ln());
    }
    (d.ln() + crate::special::log_sum_exp(&logs)).exp()
}

/// Two-sided p-value P(D_n ≥ d) of the one-sample KS statistic for sample size n.
///
/// * n ≤ [`KS_EXACT_MAX_N`]: exact (Marsaglia–Tsang–Wang) while the matrix has size ≤ 201;
/// * deep tail (p < 1e-6, or the matrix would be larger): 2 P(D⁺ ≥ d), which is exact for d ≥ 1/2
///   and has relative error of order p otherwise;
/// * n > [`KS_EXACT_MAX_N`]: Kolmogorov's limit at λ = (√n + 0.12 + 0.11/√n) d (Stephens).
pub fn ks_p_value(n: usize, d: f64) -> f64 {
    if n == 0 || d.is_nan() {
        return f64::NAN;
    }
    if d <= 0.0 {
        return 1.0;
    }
    if d >= 1.0 {
        return 0.0;
    }
    let nf = n as f64;
    let tail = || (2.0 * smirnov_sf(n, d)).min(1.0);
    if n <= KS_EXACT_MAX_N {
        let m = 2 * ((nf * d).floor() as usize) + 1;
        if m > 201 {
            return tail();
        }
        let p = (1.0 - mtw_cdf(n, d)).clamp(0.0, 1.0);
        return if p < 1e-6 { tail() } else { p };
    }
    let sq = nf.sqrt();
    let p = kolmogorov_sf((sq + 0.12 + 0.11 / sq) * d);
    if p < 1e-6 && n <= 1_000_000 {
        tail()
    } else {
        p
    }
}

/// Sorted samples per parallel block of [`ks_one_sample`].
const KS_CHUNK: usize = 1 << 14;

/// One-sample two-sided KS test of `samples` against the distribution function `cdf`.
///
/// When the parameters of `cdf` were fitted to the same samples the p-value is conservative
/// (too large): the fitted law is closer to the data than the true one.
// ANCHOR: ks_test
pub fn ks_one_sample(
    samples: &[f64],
    cdf: impl Fn(f64) -> f64 + Sync,
) -> Result<KsResult, GasError> {
    use rayon::prelude::*;
    check_samples("samples", samples)?;
    let mut x = samples.to_vec();
    x.sort_by(f64::total_cmp);
    let n = x.len() as f64;
    // D over a block of the sorted sample starting at rank `from`; the blocks' maxima combine
    // exactly in any order (max is exact), so the statistic is the same on any thread count.
    let block = |(k, chunk): (usize, &[f64])| -> Result<f64, (usize, f64, f64)> {
        let from = k * KS_CHUNK;
        let mut d: f64 = 0.0;
        for (j, &xi) in chunk.iter().enumerate() {
            let i = from + j;
            let f = cdf(xi);
            if !(0.0..=1.0).contains(&f) {
                return Err((i, xi, f));
            }
            // D+ = max(i/n − F), D− = max(F − (i−1)/n) with 1-based i.
            d = d.max((i + 1) as f64 / n - f).max(f - i as f64 / n);
        }
        Ok(d)
    };
    let blocks: Vec<_> = x.par_chunks(KS_CHUNK).enumerate().map(block).collect();
    let mut d: f64 = 0.0;
    // The lowest failing rank is the error, whatever the threads.
    for b in blocks {
        match b {
            Ok(v) => d = d.max(v),
            Err((_, xi, f)) => {
                return Err(GasError::Invalid(format!(
                    "cdf({xi}) = {f}: a distribution function must lie in [0, 1]"
                )))
            }
        }
    }
    Ok(KsResult {
        statistic: d,
        p_value: ks_p_value(x.len(), d),
        n: x.len(),
    })
}
// ANCHOR_END: ks_test

/// Two-sample two-sided KS test. The p-value is the one-sample law at the effective size
/// n_eff = round(nm/(n+m)), as scipy's `ks_2samp(method='asymp')`.
pub fn ks_two_sample(a: &[f64], b: &[f64]) -> Result<KsResult, GasError> {
    check_samples("first sample", a)?;
    check_samples("second sample", b)?;
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (na, nb) = (a.len(), b.len());
    let (mut i, mut j, mut d) = (0usize, 0usize, 0.0f64);
    while i < na && j < nb {
        let x = a[i].min(b[j]);
        // Step over every copy of x in both samples before comparing (ties).
        while i < na && a[i] <= x {
            i += 1;
        }
        while j < nb && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / na as f64 - j as f64 / nb as f64).abs());
    }
    let en = (na as f64 * nb as f64 / (na + nb) as f64).round().max(1.0) as usize;
    Ok(KsResult {
        statistic: d,
        p_value: ks_p_value(en, d),
        n: en,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::density::{Density1D, Gaussian};
    use crate::pair::PairDensity;

    /// scipy 1.17.1 (pip, this machine): `scipy.stats.kstwo.sf(d, n)`, an independent
    /// implementation (Simard & L'Ecuyer) of the exact two-sided distribution.
    const SCIPY_KSTWO: [(usize, f64, f64); 17] = [
        (1000, 0.1, 3.703687096817711e-09),
        (200, 0.3, 1.8482195753126875e-16),
        (3000, 0.06, 7.87146021467099e-10),
        (20, 0.6, 2.0483011649719853e-07),
        (5, 0.3, 0.664),
        (10, 0.25, 0.4841115325000003),
        (20, 0.3, 0.04306706665851623),
        (50, 0.1, 0.6623112704658186),
        (100, 0.12, 0.10330374901819939),
        (100, 0.2, 0.0005551927327988775),
        (500, 0.04, 0.3902508696049748),
        (1000, 0.03, 0.3226902143914636),
        (1000, 0.05, 0.013012074781090332),
        (37, 0.5, 4.447358431823739e-09),
        (2000, 0.02, 0.39531336268920436),
        (5000, 0.015, 0.20846142096186204),
        (20000, 0.008, 0.15371596723031855),
    ];

    #[test]
    fn p_values_match_scipy_kstwo() {
        for &(n, d, want) in &SCIPY_KSTWO {
            let got = ks_p_value(n, d);
            // Exact MTW: 1e-9 relative for n ≤ 140, where scipy is exact too; above, scipy
            // switches to an approximation good to ~1e-6 (see the mpmath test below).
            // Tail (p < 1e-6): 2 P(D⁺ ≥ d), 1e-9. Stephens-corrected asymptotics above
            // n = 1000: 1 %.
            let tol = if n > KS_EXACT_MAX_N && want > 1e-6 {
                1e-2
            } else if n > 140 && want > 1e-6 {
                2e-6
            } else {
                1e-9
            };
            assert!(
                ((got - want) / want).abs() < tol,
                "n={n} d={d}: {got} vs scipy {want}"
            );
        }
    }

    /// The MTW recursion evaluated in 60-digit arithmetic with mpmath (same algorithm, so this
    /// checks the double-precision implementation, not the algorithm; scipy checks the latter).
    #[test]
    fn exact_p_values_match_a_60_digit_evaluation() {
        for (n, d, want) in [
            (500, 0.04, 0.390_251_016_326_406),
            (1000, 0.03, 0.322_690_246_413_3),
            (1000, 0.05, 0.013_012_071_309_966_89),
            (100, 0.12, 0.103_303_749_018_202_6),
        ] {
            assert!(
                ((ks_p_value(n, d) - want) / want).abs() < 1e-12,
                "n={n} d={d}"
            );
        }
    }

    /// scipy: `scipy.stats.kstwobign.sf(x)`.
    #[test]
    fn kolmogorov_distribution_matches_scipy_kstwobign() {
        let want = [
            (0.3, 0.9999906941986655),
            (0.8, 0.5441424115741981),
            (1.0, 0.26999967167735456),
            (1.18, 0.1234538094297657),
            (1.36, 0.049485876755377876),
            (2.0, 0.0006709252557796953),
        ];
        for (x, w) in want {
            assert!((kolmogorov_sf(x) - w).abs() < 1e-13 * w.max(1e-3), "λ={x}");
        }
        assert_eq!(kolmogorov_sf(0.0), 1.0);
    }

    /// scipy: `x = [((i*37) % 101)/50 - 1 for i in range(40)]`,
    /// `kstest(x, norm(0, 0.6).cdf)` -> D = 0.07836013645574547, p = 0.9505658633841692.
    /// `ks_2samp(a, b, method='asymp')` for the arrays below -> D = 0.12777777777777777,
    /// p = 0.742678695829552; with ties -> D = 0.2666666666666667, p = 0.22781838427257772.
    #[test]
    fn tests_match_scipy_kstest_and_ks_2samp() {
        let x: Vec<f64> = (0..40u64)
            .map(|i| ((i * 37) % 101) as f64 / 50.0 - 1.0)
            .collect();
        let g = Gaussian::new(0.0, 0.6).unwrap();
        let r = ks_one_sample(&x, |v| g.cdf(v)).unwrap();
        assert!((r.statistic - 0.07836013645574547).abs() < 1e-14);
        assert!((r.p_value - 0.9505658633841692).abs() < 1e-9);
        assert_eq!(r.n, 40);

        let a: Vec<f64> = (0..60u64)
            .map(|i| ((i * 37) % 101) as f64 / 50.0 - 1.0)
            .collect();
        let b: Vec<f64> = (0..45u64)
            .map(|i| ((i * 53) % 97) as f64 / 40.0 - 1.1)
            .collect();
        let r = ks_two_sample(&a, &b).unwrap();
        assert!((r.statistic - 0.12777777777777777).abs() < 1e-15);
        assert!((r.p_value - 0.742678695829552).abs() < 1e-9);

        let a: Vec<f64> = (0..30u64).map(|i| (i % 7) as f64).collect();
        let b: Vec<f64> = (0..25u64)
            .map(|i| (i % 5) as f64 + 0.5 * (i % 2) as f64)
            .collect();
        let r = ks_two_sample(&a, &b).unwrap();
        assert!((r.statistic - 0.2666666666666667).abs() < 1e-15);
        assert!((r.p_value - 0.22781838427257772).abs() < 1e-9);
    }

    /// Power: exact Eq (11) draws tested against Eq (11) with σ × 1.2 at n = 5000 are rejected
    /// (p < 1e-3), and accepted against the true σ (false-alarm rate 1e-3, fixed seed).
    #[test]
    fn ks_detects_a_wrong_width() {
        let mut rng = langevin_core::stream(21, "coulomb-gas/test/ks-power", 0);
        let law = crate::two_species::TwoSpecies::new(1.0, 0.5, 0.5).unwrap();
        let xs: Vec<f64> = (0..5000)
            .map(|k| {
                let (a, b) = law.sample_pair(&mut rng);
                if k & 1 == 0 {
                    a
                } else {
                    b
                }
            })
            .collect();
        let right = PairDensity::new(1.0, 0.5).unwrap();
        let wrong = PairDensity::new(1.0, 0.6).unwrap();
        assert!(ks_one_sample(&xs, |x| right.cdf(x)).unwrap().p_value > 1e-3);
        assert!(ks_one_sample(&xs, |x| wrong.cdf(x)).unwrap().p_value < 1e-3);
    }

    #[test]
    fn ks_rejects_bad_input() {
        assert!(ks_one_sample(&[], |x| x).is_err());
        assert!(ks_one_sample(&[0.1, f64::NAN], |x| x).is_err());
        assert!(ks_one_sample(&[0.1, 0.2], |_| f64::NAN).is_err());
        assert!(ks_two_sample(&[1.0], &[]).is_err());
        assert!(ks_p_value(0, 0.1).is_nan());
        assert_eq!(ks_p_value(10, 0.0), 1.0);
        assert_eq!(ks_p_value(10, 1.0), 0.0);
    }
}
