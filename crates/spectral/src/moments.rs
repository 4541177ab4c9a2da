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
}
