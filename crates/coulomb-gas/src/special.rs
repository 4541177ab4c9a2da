//! Small special-function helpers shared by the densities (crate-internal).

/// erf and erfc from the pure-Rust musl port (< 1 ulp); statrs 0.19 erf is only good to ~1e-10.
pub(crate) use libm::{erf, erfc};

pub(crate) const SQRT_PI: f64 = 1.772_453_850_905_516;
pub(crate) const SQRT_2: f64 = std::f64::consts::SQRT_2;
pub(crate) const SQRT_2PI: f64 = 2.506_628_274_631_000_7;
/// ln √(2π).
pub(crate) const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// (x − c)/s for s > 0 without a spurious overflow: when x − c overflows, the ratio of the halves
/// (exact, as halving is). ±∞ only when the true ratio exceeds f64; equal to (x − c)/s whenever
/// x − c is finite, so ordinary inputs give the same bits.
pub(crate) fn scaled_offset(x: f64, c: f64, s: f64) -> f64 {
    let d = x - c;
    if d.is_finite() {
        d / s
    } else {
        (0.5 * x - 0.5 * c) / (0.5 * s)
    }
}

/// Beyond this |t| = |δx|/σ every law here is below the smallest f64 (e^{−t²/2} with t² ≥ 1e300),
/// whatever the polynomial prefactor: the fallbacks return density 0 without forming t².
pub(crate) const T_FAR: f64 = 1e150;

/// Standard normal density φ(z).
pub(crate) fn norm_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / SQRT_2PI
}

/// Standard normal distribution function Φ(z), accurate in both tails (via erfc).
pub(crate) fn norm_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / SQRT_2)
}

/// G(z) = φ(z) + z Φ(z) = E[(z − Y)₊] for Y ~ N(0,1): the one-sided "first moment" that appears
/// when a Vandermonde factor |x₁ − x₂| is integrated over one ordering sector.
pub(crate) fn g_fn(z: f64) -> f64 {
    if z > -5.0 {
        norm_pdf(z) + z * norm_cdf(z)
    } else {
        (ln_g(z)).exp()
    }
}

/// ln G(z), finite for every finite z (no underflow, no cancellation in the lower tail).
///
/// For z < −5 the direct form cancels (G ≈ φ(z)/z²). With t = −z and the continued fraction of the
/// Mills ratio R(t) = Φ(−t)/φ(t) = 1/F₀, F_j = t + (j+1)/F_{j+1}, one has
/// 1 − tR = R (1/R − t) = 1/(F₀F₁), hence G(−t) = φ(t)/(F₀ F₁) without cancellation.
pub(crate) fn ln_g(z: f64) -> f64 {
    if z > -5.0 {
        return g_fn(z).ln();
    }
    let t = -z;
    // Backward recurrence; 200 terms is far more than needed for t ≥ 5 (error ≪ 1e-16).
    let mut f = t;
    for j in (1..200).rev() {
        f = t + (j as f64 + 1.0) / f;
    }
    let f1 = f;
    let f0 = t + 1.0 / f1;
    -0.5 * t * t - LN_SQRT_2PI - f0.ln() - f1.ln()
}

/// ln Σ exp(a_i), robust to −∞ entries and to large magnitudes.
/// [`log_sum_exp`] of three terms, with e^{aⱼ − max a} (the softmax weights up to their sum):
/// the same bits as `log_sum_exp(&a)` (the same exponentials added in the same order).
pub(crate) fn log_sum_exp3(a: [f64; 3]) -> (f64, [f64; 3]) {
    let m = a.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return (f64::NEG_INFINITY, [0.0; 3]);
    }
    if m == f64::INFINITY {
        return (f64::INFINITY, a.map(|v| if v == m { 1.0 } else { 0.0 }));
    }
    let e = a.map(|v| (v - m).exp());
    (m + e.iter().sum::<f64>().ln(), e)
}

pub(crate) fn log_sum_exp(a: &[f64]) -> f64 {
    let m = a.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return f64::NEG_INFINITY;
    }
    if m == f64::INFINITY {
        return f64::INFINITY;
    }
    m + a.iter().map(|&v| (v - m).exp()).sum::<f64>().ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_sum_exp3_is_log_sum_exp() {
        for a in [
            [0.1, -3.0, 2.5],
            [-800.0, -801.0, f64::NEG_INFINITY],
            [f64::NEG_INFINITY; 3],
            [1e300, 1.0, -1e300],
        ] {
            let (v, e) = log_sum_exp3(a);
            assert_eq!(v.to_bits(), log_sum_exp(&a).to_bits(), "{a:?}");
            assert!(e.iter().all(|w| (0.0..=1.0).contains(w)));
        }
    }

    #[test]
    fn ln_g_is_continuous_at_the_switch_and_matches_the_tail_asymptotics() {
        // At z = −5 both branches are accurate; compare them.
        let t = 5.0_f64;
        let direct = norm_pdf(-t) - t * norm_cdf(-t);
        let mut f = t;
        for j in (1..200).rev() {
            f = t + (j as f64 + 1.0) / f;
        }
        let cf = norm_pdf(t) / ((t + 1.0 / f) * f);
        assert!(((direct - cf) / cf).abs() < 1e-11, "{direct} vs {cf}");
        // Deep tail: G(−t) = φ(t)/t² (1 − 3/t² + 15/t⁴ − 105/t⁶ + ...).
        let t = 60.0_f64;
        let series = -0.5 * t * t - LN_SQRT_2PI - 2.0 * t.ln()
            + (1.0 - 3.0 / t.powi(2) + 15.0 / t.powi(4) - 105.0 / t.powi(6)).ln();
        assert!(
            (ln_g(-t) - series).abs() < 1e-14 * series.abs(),
            "{} vs {series}",
            ln_g(-t)
        );
        // Upper side: G(z) → z.
        assert!((g_fn(40.0) - 40.0).abs() < 1e-12);
    }
}
