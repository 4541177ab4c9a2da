//! Samples (networks) far from the rest of the ensemble: one diverged network in a thousand
//! must not stretch every histogram or drag every fit.
//!
//! The rule is robust (it does not let the outliers set their own yardstick): per level j the
//! median m_j and the median absolute deviation MAD_j over the samples; sample i is an outlier
//! when some level lies further than [`THRESHOLD`] robust standard deviations
//! (1.4826·MAD_j, the normal-consistent scale) from its median. Levels with MAD_j = 0 (frozen,
//! or mostly repeated values) judge nothing.

use serde::{Deserialize, Serialize};

// ANCHOR: outlier_rule
/// Robust standard deviations beyond which a level marks its sample as an outlier. For a
/// normal level the false-alarm rate is P(|z| > 8) = 1.2e-15 per value: 1.5 M networks of
/// 10 levels flag none by chance (expected 2e-8).
pub const THRESHOLD: f64 = 8.0;

/// MAD → standard deviation for a normal law: 1/Φ⁻¹(3/4).
pub const MAD_TO_SD: f64 = 1.482_602_218_505_602;
// ANCHOR_END: outlier_rule

/// The outliers of an ensemble and what was done with them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outliers {
    /// The rule, in words.
    pub rule: String,
    /// Indices of the outlying samples (input order).
    pub samples: Vec<usize>,
    /// Whether they were left out of every statistic (`false`: kept on request).
    pub excluded: bool,
}

impl Outliers {
    /// The samples of `rows` kept: all when the outliers are kept, else all but the flagged
    /// ones, in order.
    pub fn kept<'a, R>(&self, rows: &'a [R]) -> Vec<&'a R> {
        let skip: &[usize] = if self.excluded { &self.samples } else { &[] };
        let mut skip = skip.iter().peekable();
        rows.iter()
            .enumerate()
            .filter(|(i, _)| skip.next_if_eq(&i).is_none())
            .map(|(_, r)| r)
            .collect()
    }
}

/// numpy's median of `v` (reorders it).
fn median(v: &mut [f64]) -> f64 {
    let n = v.len();
    let (_, &mut hi, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        return hi;
    }
    let lo = v[..n / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    lo + (hi - lo) / 2.0
}

/// The indices of the samples of `rows` (equal lengths, finite) that the rule flags.
pub fn find_outliers<R: AsRef<[f64]>>(rows: &[R], levels: usize) -> Vec<usize> {
    let mut flagged = vec![false; rows.len()];
    if rows.len() < 3 {
        return Vec::new();
    }
    let mut col = vec![0.0; rows.len()];
    for j in 0..levels {
        for (c, r) in col.iter_mut().zip(rows) {
            *c = r.as_ref()[j];
        }
        let m = median(&mut col);
        for (c, r) in col.iter_mut().zip(rows) {
            *c = (r.as_ref()[j] - m).abs();
        }
        let scale = MAD_TO_SD * median(&mut col);
        if !(scale > 0.0 && scale.is_finite()) {
            continue;
        }
        for (f, r) in flagged.iter_mut().zip(rows) {
            if (r.as_ref()[j] - m).abs() > THRESHOLD * scale {
                *f = true;
            }
        }
    }
    flagged
        .iter()
        .enumerate()
        .filter_map(|(i, &f)| f.then_some(i))
        .collect()
}

/// The rule in words, for the report.
pub fn rule() -> String {
    format!(
        "a sample with any level more than {THRESHOLD} robust standard deviations \
         ({MAD_TO_SD:.4}·MAD over the samples) from that level's median"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_is_numpys() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
    }

    #[test]
    fn far_samples_are_flagged_and_normal_ones_are_not() {
        // 1000 spectra of two levels drawn from a deterministic quasi-normal spread.
        let mut rows: Vec<[f64; 2]> = (0..1000)
            .map(|i| {
                let u = (i as f64 + 0.5) / 1000.0;
                // A smooth monotone spread with normal-like quantiles over (−3, 3).
                let z = (2.0 * u - 1.0) * 3.0;
                [1.0 + 0.1 * z, 2.0 + 0.1 * z.sin()]
            })
            .collect();
        assert!(find_outliers(&rows, 2).is_empty());
        rows[17][1] = 1e20;
        rows[400][0] = -5.0;
        assert_eq!(find_outliers(&rows, 2), vec![17, 400]);
        // A frozen level judges nothing.
        let frozen: Vec<[f64; 1]> = (0..10).map(|i| [if i == 3 { 9.0 } else { 1.0 }]).collect();
        assert!(find_outliers(&frozen, 1).is_empty());
    }
}
