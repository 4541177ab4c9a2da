//! Eq (12): the Binder cumulant U4, which separates the level-repelling two-level density
//! (U4 = −4/27) from a Gaussian (U4 = 0).

/// Eq. (12) of the paper: the Binder cumulant from the central moments m2 = ⟨δx²⟩, m4 = ⟨δx⁴⟩.
///
/// ```text
/// U4 = ⟨δx⁴⟩ / (3 ⟨δx²⟩²) − 1
/// ```
// ANCHOR: eq12
pub fn binder_u4(m2: f64, m4: f64) -> f64 {
    m4 / (3.0 * m2 * m2) - 1.0
}
// ANCHOR_END: eq12

/// U4 of Eq (11) (the N = 2 GOE density): 23/27 − 1 = −4/27 ≈ −0.148. The paper labels this value
/// "Wigner semi-circle"; the semicircle (N → ∞) has U4 = −1/3 (math-notes §2 item 2).
pub const U4_PAIR: f64 = -4.0 / 27.0;

/// U4 of the one-point GOE density for N particles, −(N+2)(N−1)/(3(N+1)²): 0 at N = 1, −4/27 at
/// N = 2, → −1/3 as N → ∞. Returns NaN for N = 0.
// ANCHOR: goe_u4
pub fn goe_u4(n: usize) -> f64 {
    if n == 0 {
        return f64::NAN;
    }
    let n = n as f64;
    -(n + 2.0) * (n - 1.0) / (3.0 * (n + 1.0) * (n + 1.0))
}
// ANCHOR_END: goe_u4

/// Sample mean and central moments (m2, m4) about the sample mean (divided by n, no bias
/// correction). NaN for an empty sample.
pub fn sample_central_moments(samples: &[f64]) -> (f64, f64, f64) {
    weighted_central_moments(samples.iter().map(|&x| (x, 1.0)))
}

/// [`sample_central_moments`] of a sample given as (value, count) pairs, each value occurring
/// `count` times (a bootstrap replica's rows); with every count 1 the same bits (w·x = x).
pub fn weighted_central_moments<I>(pairs: I) -> (f64, f64, f64)
where
    I: Iterator<Item = (f64, f64)> + Clone,
{
    let (_, mean, m2, m4) = counted_central_moments(pairs);
    (mean, m2, m4)
}

/// (n, mean, m2, m4) of (value, count) pairs in two passes.
fn counted_central_moments<I>(pairs: I) -> (f64, f64, f64, f64)
where
    I: Iterator<Item = (f64, f64)> + Clone,
{
    // The sums start at −0.0 and add in order, as `Iterator::sum` does.
    let (n, sx) = pairs
        .clone()
        .fold((-0.0, -0.0), |(n, s), (x, w)| (n + w, s + w * x));
    if n == 0.0 {
        return (n, f64::NAN, f64::NAN, f64::NAN);
    }
    let mean = sx / n;
    let (mut m2, mut m4) = (0.0, 0.0);
    for (x, w) in pairs {
        let d2 = (x - mean) * (x - mean);
        m2 += w * d2;
        m4 += w * (d2 * d2);
    }
    (n, mean, m2 / n, m4 / n)
}

/// U4 of a sample, with central moments about the sample mean (Eq 12 applied to data).
/// NaN when the sample has fewer than two points or zero spread.
pub fn sample_u4(samples: &[f64]) -> f64 {
    weighted_u4(samples.iter().map(|&x| (x, 1.0)))
}

/// [`sample_u4`] of a sample given as (value, count) pairs (see [`weighted_central_moments`]).
pub fn weighted_u4<I>(pairs: I) -> f64
where
    I: Iterator<Item = (f64, f64)> + Clone,
{
    let (n, _, m2, m4) = counted_central_moments(pairs);
    if n < 2.0 || m2.is_nan() || m2 <= 0.0 {
        return f64::NAN;
    }
    binder_u4(m2, m4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binder_values() {
        assert!((binder_u4(1.5, 23.0 / 4.0) - U4_PAIR).abs() < 1e-15);
        assert_eq!(binder_u4(1.0, 3.0), 0.0); // Gaussian
        assert!((goe_u4(2) - U4_PAIR).abs() < 1e-15);
        assert_eq!(goe_u4(1), 0.0);
        assert!((goe_u4(10) + 36.0 / 121.0).abs() < 1e-15);
        assert!((goe_u4(1_000_000) + 1.0 / 3.0).abs() < 1e-5);
        assert!(goe_u4(0).is_nan());
        assert!(sample_u4(&[]).is_nan() && sample_u4(&[1.0, 1.0]).is_nan());
        // Two-point symmetric sample ±1: m2 = 1, m4 = 1 → U4 = 1/3 − 1.
        assert!((sample_u4(&[-1.0, 1.0]) + 2.0 / 3.0).abs() < 1e-15);
    }
}
