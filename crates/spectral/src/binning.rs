//! The histogram rule of every least-squares fit and binned mean: Freedman–Diaconis (numpy's
//! `bins='fd'`, the authors' choice), with a fallback for samples so small that it gives fewer
//! than [`MIN_BINS`] bins.

use coulomb_gas::histogram::Ranked;
use coulomb_gas::Histogram;
use serde::{Deserialize, Serialize};

use crate::error::SpectralError;

/// Fewest bins a histogram fit is attempted on.
pub const MIN_BINS: usize = 5;

/// Which rule produced a histogram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Binning {
    /// numpy's Freedman–Diaconis rule.
    FreedmanDiaconis,
    /// max(MIN_BINS, √n) equal bins over the range: Freedman–Diaconis gave too few.
    EqualWidthFallback,
    /// Freedman–Diaconis asked for more bins than samples (a far outlier stretches the range):
    /// n equal bins over the range, so memory stays bounded by the input.
    Capped,
}

/// The histogram of `samples` and the rule used.
pub fn histogram(samples: &[f64]) -> Result<(Histogram, Binning), SpectralError> {
    if let Some(bad) = samples.iter().find(|x| !x.is_finite()) {
        return Err(SpectralError::Data(format!(
            "a sample is {bad}: a histogram needs finite values"
        )));
    }
    histogram_sorted(&sorted_copy(samples))
}

/// `samples` sorted by `f64::total_cmp`. Large samples (the bootstrap sorts every replica) use a
/// radix sort on the order-preserving integer keys of the doubles: values equal under total_cmp
/// have the same bits, so the result is the comparison sort's, bit for bit, in O(n).
pub fn sorted_copy(samples: &[f64]) -> Vec<f64> {
    if samples.len() < 1 << 12 {
        let mut v = samples.to_vec();
        v.sort_by(f64::total_cmp);
        return v;
    }
    // total_cmp's key: flip every bit of negatives, the sign bit of the others.
    let key = |x: f64| {
        let b = x.to_bits();
        b ^ ((((b as i64) >> 63) as u64) | (1 << 63))
    };
    let unkey = |k: u64| {
        let b = if k >> 63 == 1 { k ^ (1 << 63) } else { !k };
        f64::from_bits(b)
    };
    let mut a: Vec<u64> = samples.iter().map(|&x| key(x)).collect();
    let mut b = vec![0u64; a.len()];
    // LSD radix, 16 bits a pass; a pass whose digit is the same for every key is skipped.
    for shift in (0..64).step_by(16) {
        let mut count = vec![0usize; 1 << 16];
        for &k in &a {
            count[((k >> shift) & 0xffff) as usize] += 1;
        }
        if count.contains(&a.len()) {
            continue;
        }
        let mut sum = 0;
        for c in count.iter_mut() {
            let n = *c;
            *c = sum;
            sum += n;
        }
        for &k in &a {
            let d = ((k >> shift) & 0xffff) as usize;
            b[count[d]] = k;
            count[d] += 1;
        }
        std::mem::swap(&mut a, &mut b);
    }
    a.into_iter().map(unkey).collect()
}

/// [`histogram`] of an already sorted sample (no copy: for delete-one loops).
pub fn histogram_sorted(sorted: &[f64]) -> Result<(Histogram, Binning), SpectralError> {
    coulomb_gas::histogram::check_sorted(sorted)?;
    histogram_ranked(sorted)
}

/// [`histogram`] of a [`Ranked`] sample (ascending, finite): a slice, or a bootstrap replica
/// that is never laid out.
pub(crate) fn histogram_ranked<S: Ranked + ?Sized>(
    sorted: &S,
) -> Result<(Histogram, Binning), SpectralError> {
    let (bins, (lo, hi)) = coulomb_gas::histogram::freedman_diaconis_bins_sorted(sorted)?;
    // More bins than samples only happens when a few far values stretch the range; numpy
    // would allocate them all (1e20 in N(0,1) data asks for ~1e21 bins).
    let n = sorted.count();
    let cap = n.max(MIN_BINS);
    if bins > cap {
        return Ok((
            Histogram::fixed_ranked(sorted, lo, hi, cap)?,
            Binning::Capped,
        ));
    }
    if bins >= MIN_BINS {
        return Ok((
            Histogram::fixed_ranked(sorted, lo, hi, bins)?,
            Binning::FreedmanDiaconis,
        ));
    }
    let bins = MIN_BINS.max((n as f64).sqrt() as usize);
    Ok((
        Histogram::fixed_ranked(sorted, lo, hi, bins)?,
        Binning::EqualWidthFallback,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_sort_is_the_comparison_sort() {
        let mut x: Vec<f64> = (0..20_000)
            .map(|i| ((i as f64) * 0.618).sin() * 10f64.powi(i % 40 - 20))
            .collect();
        x.extend([
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            -f64::MAX,
            f64::MAX,
            5e-324,
            -5e-324,
            1.0,
            1.0,
        ]);
        let mut want = x.clone();
        want.sort_by(f64::total_cmp);
        let got = sorted_copy(&x);
        assert!(want
            .iter()
            .zip(&got)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
        assert_eq!(got.len(), want.len());
    }

    #[test]
    fn falls_back_only_when_fd_is_too_coarse() {
        let big: Vec<f64> = (0..1000).map(|i| (i as f64 * 0.7).sin()).collect();
        assert_eq!(histogram(&big).unwrap().1, Binning::FreedmanDiaconis);
        let small = [0.0, 0.1, 0.2, 0.3, 5.0, 5.1];
        let (h, b) = histogram(&small).unwrap();
        assert_eq!(b, Binning::EqualWidthFallback);
        assert_eq!(h.len(), MIN_BINS);
        assert_eq!(h.n, small.len());
        // Sorting does not change a histogram: the sorted entry point gives the same bins.
        let mut sorted = big.clone();
        sorted.sort_by(f64::total_cmp);
        assert_eq!(histogram(&big).unwrap(), histogram_sorted(&sorted).unwrap());
        assert_eq!(
            histogram(&big).unwrap().0,
            Histogram::freedman_diaconis(&big).unwrap()
        );
    }

    #[test]
    fn a_far_value_cannot_ask_for_unbounded_bins() {
        let mut x: Vec<f64> = (0..500).map(|i| (i as f64 * 0.37).sin()).collect();
        for far in [1e6, 1e10, 1e20, 1e300] {
            x[0] = far;
            let (h, b) = histogram(&x).unwrap();
            assert_eq!((b, h.len(), h.n), (Binning::Capped, 500, 500), "{far}");
        }
    }
}
