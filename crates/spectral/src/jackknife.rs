//! The authors' delete-one jackknife of a histogram statistic: the statistic of every sample
//! with one value deleted (re-binned each time); value = the mean of the n estimates, error =
//! std·√(n − 1) (numpy's `std`, ddof = 0).

use coulomb_gas::fit::lm::PairModel;
use coulomb_gas::Histogram;
use serde::{Deserialize, Serialize};

use crate::binning::histogram_sorted;
use crate::error::SpectralError;
use crate::moments::{mean, sd_population};
use crate::peak::ls_fit;

/// A jackknife estimate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Jackknife {
    /// Mean of the n delete-one estimates (what the authors report).
    pub mean: f64,
    /// Jackknife error std(estimates)·√(n − 1).
    pub err: f64,
}

/// Delete-one histograms of `samples`: for each sorted position k, the histogram of the sample
/// without that element, passed to `f`. Equal values give equal histograms, so deleting by
/// sorted position visits every delete-one sample once.
fn delete_one<F>(samples: &[f64], f: F) -> Result<Jackknife, SpectralError>
where
    F: Fn(&Histogram) -> Result<f64, SpectralError> + Sync,
{
    let n = samples.len();
    if n < 3 {
        return Err(SpectralError::Data(format!(
            "the jackknife needs at least 3 samples, got {n}"
        )));
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let est: Vec<f64> = langevin_core::ordered::try_par_map(n as u64, |k| {
        let k = k as usize;
        let mut rest = Vec::with_capacity(n - 1);
        rest.extend_from_slice(&sorted[..k]);
        rest.extend_from_slice(&sorted[k + 1..]);
        f(&histogram_sorted(&rest)?.0)
    })?;
    Ok(Jackknife {
        mean: mean(&est),
        err: sd_population(&est) * (n as f64 - 1.0).sqrt(),
    })
}

/// The authors' jackknife of the Eq (11) σ over pooled samples, each refit from `p0`.
pub fn jackknife_sigma(samples: &[f64], p0: [f64; 2]) -> Result<Jackknife, SpectralError> {
    delete_one(samples, |h| {
        Ok(ls_fit(&PairModel, h, p0, p0)?.0.params[1].abs())
    })
}

/// The authors' jackknife of the binned ⟨S⟩ over spacings.
pub fn jackknife_mean_spacing(spacings: &[f64]) -> Result<Jackknife, SpectralError> {
    delete_one(spacings, |h| Ok(h.mean_from_bins()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jackknife_of_a_linear_statistic_is_the_standard_error() {
        // For a statistic that is the sample mean, the jackknife error is sd/√n exactly. The
        // binned mean is close to it for a fine histogram; check the formula on the identity
        // of the mean of bins with many samples.
        let x: Vec<f64> = (0..400).map(|i| ((i * 37 % 400) as f64) / 400.0).collect();
        let j = jackknife_mean_spacing(&x).unwrap();
        let se = crate::moments::sd(&x) / (x.len() as f64).sqrt();
        assert!((j.err - se).abs() < 0.1 * se, "{} vs {se}", j.err);
        assert!((j.mean - mean(&x)).abs() < 0.01);
        assert!(jackknife_mean_spacing(&x[..2]).is_err());
    }
}
