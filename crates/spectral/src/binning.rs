//! The histogram rule of every least-squares fit and binned mean: Freedman–Diaconis (numpy's
//! `bins='fd'`, the authors' choice), with a fallback for samples so small that it gives fewer
//! than [`MIN_BINS`] bins.

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
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    histogram_sorted(&sorted)
}

/// [`histogram`] of an already sorted sample (no copy: for delete-one loops).
pub fn histogram_sorted(sorted: &[f64]) -> Result<(Histogram, Binning), SpectralError> {
    let (bins, (lo, hi)) = coulomb_gas::histogram::freedman_diaconis_bins_sorted(sorted)?;
    // More bins than samples only happens when a few far values stretch the range; numpy
    // would allocate them all (1e20 in N(0,1) data asks for ~1e21 bins).
    let cap = sorted.len().max(MIN_BINS);
    if bins > cap {
        return Ok((Histogram::fixed(sorted, lo, hi, cap)?, Binning::Capped));
    }
    if bins >= MIN_BINS {
        return Ok((
            Histogram::fixed(sorted, lo, hi, bins)?,
            Binning::FreedmanDiaconis,
        ));
    }
    let bins = MIN_BINS.max((sorted.len() as f64).sqrt() as usize);
    Ok((
        Histogram::fixed(sorted, lo, hi, bins)?,
        Binning::EqualWidthFallback,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

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
