//! Sample moments: the one place where means and standard deviations are computed.
//!
//! Summation runs left to right in the given order, so results are reproducible bit for bit.

/// Arithmetic mean (NaN for an empty slice).
pub fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

fn sum_sq(xs: &[f64], m: f64) -> f64 {
    xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>()
}

/// Mean and sample standard deviation of a sample given as (value, count) pairs: each value
/// occurs `count` times (a bootstrap replica's rows). The sums run over the pairs in order; with
/// every count 1 they are [`mean_sd`]'s, bit for bit (w·x = x exactly for w = 1).
pub fn weighted_mean_sd<I>(pairs: I) -> (f64, f64)
where
    I: Iterator<Item = (f64, f64)> + Clone,
{
    // Each sum starts at −0.0 and adds in order, as `Iterator::sum` does.
    let (n, sx) = pairs
        .clone()
        .fold((-0.0, -0.0), |(n, s), (x, w)| (n + w, s + w * x));
    let m = sx / n;
    if n < 2.0 {
        return (m, 0.0);
    }
    let ss = pairs.fold(-0.0, |a, (x, w)| a + w * ((x - m) * (x - m)));
    (m, (ss / (n - 1.0)).sqrt())
}

/// Sample standard deviation with n − 1 in the denominator (0 for fewer than two values).
pub fn sd(xs: &[f64]) -> f64 {
    variance(xs).sqrt()
}

/// Sample variance with n − 1 in the denominator (0 for fewer than two values).
pub fn variance(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    sum_sq(xs, mean(xs)) / (xs.len() as f64 - 1.0)
}

/// Population standard deviation (n in the denominator; numpy's default `std`), used where a
/// formula asks for it (the jackknife's std·√(n − 1)).
pub fn sd_population(xs: &[f64]) -> f64 {
    variance_population(xs).sqrt()
}

/// Population variance (n in the denominator).
pub fn variance_population(xs: &[f64]) -> f64 {
    sum_sq(xs, mean(xs)) / xs.len() as f64
}

/// Skewness ⟨(x − x̄)³⟩/⟨(x − x̄)²⟩^{3/2} with population moments.
pub fn skewness(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let m = mean(xs);
    let s3 = xs.iter().map(|x| (x - m).powi(3)).sum::<f64>() / n;
    s3 / variance_population(xs).powf(1.5)
}

/// Mean and sample standard deviation.
pub fn mean_sd(xs: &[f64]) -> (f64, f64) {
    (mean(xs), sd(xs))
}

/// Per level (column) of `rows`: the ensemble mean and sample standard deviation.
pub fn level_moments<R: AsRef<[f64]>>(rows: &[R], levels: usize) -> (Vec<f64>, Vec<f64>) {
    (0..levels)
        .map(|i| mean_sd(&rows.iter().map(|r| r.as_ref()[i]).collect::<Vec<_>>()))
        .unzip()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(mean(&x), 2.5);
        assert!((sd(&x) - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert!((sd_population(&x) - 1.25f64.sqrt()).abs() < 1e-15);
        assert_eq!(sd(&[3.0]), 0.0);
        let (m, s) = level_moments(&[[1.0, 10.0], [3.0, 14.0]], 2);
        assert_eq!(m, vec![2.0, 12.0]);
        assert!((s[1] - 8f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn weighted_moments_are_the_expanded_samples() {
        let x: Vec<f64> = (0..1001)
            .map(|i| ((i as f64) * 0.37).sin() * 3.0 + 1.0)
            .collect();
        let ones = |v: &[f64]| v.iter().map(|&x| (x, 1.0)).collect::<Vec<_>>();
        let (m, s) = weighted_mean_sd(ones(&x).into_iter());
        assert_eq!(
            (m.to_bits(), s.to_bits()),
            (mean(&x).to_bits(), sd(&x).to_bits())
        );
        // Counts: the same numbers as the sample with each value repeated (to rounding).
        let counts: Vec<f64> = (0..x.len()).map(|i| (i % 4) as f64).collect();
        let expanded: Vec<f64> = x
            .iter()
            .zip(&counts)
            .flat_map(|(&v, &c)| std::iter::repeat_n(v, c as usize))
            .collect();
        let (m, s) = weighted_mean_sd(x.iter().copied().zip(counts.iter().copied()));
        assert!((m - mean(&expanded)).abs() < 1e-13 && (s - sd(&expanded)).abs() < 1e-13);
        assert_eq!(weighted_mean_sd([(2.0, 1.0)].into_iter()), (2.0, 0.0));
    }
}
