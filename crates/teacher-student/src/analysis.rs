//! The authors' analysis of a degenerate pair of levels (authors-protocol §1(c), TS notebook),
//! and error estimates for it.
//!
//! * σ: Freedman–Diaconis histogram (`density=True`) of both levels of every network pooled,
//!   unweighted least-squares fit of Eq (11) to the bin densities from `p0 = [centre, σ₀]`
//!   (`curve_fit`), σ = |σ̂|;
//! * ⟨S⟩: Freedman–Diaconis histogram of the spacings S = |ξ₁ − ξ₂|, the count-weighted mean of
//!   the bin centres (`sum(px*hb)/sum(hb)`).
//!
//! Errors: the authors' delete-one jackknife (re-binning and refitting for every deleted sample;
//! value = mean of the estimates, error = std·√(n − 1)), and a bootstrap over networks (both
//! levels of a network resampled together), the sounder choice for histogram statistics.

use coulomb_gas::fit::lm::{fit_histogram, PairModel};
use coulomb_gas::Histogram;
use langevin_core::Stream;
use rand::RngExt;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::TsError;
use crate::sim::{Mat, Teacher};

/// An Eq (11) least-squares fit to a Freedman–Diaconis histogram.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeakFit {
    /// Fitted centre.
    pub centre: f64,
    /// |σ̂| (Eq 11's width parameter).
    pub sigma: f64,
    /// Standard error of the centre (scipy `absolute_sigma=False`).
    pub centre_stderr: f64,
    /// Standard error of σ.
    pub sigma_stderr: f64,
    /// Sum of squared density residuals.
    pub ssr: f64,
    /// Number of bins.
    pub bins: usize,
    /// Number of samples.
    pub n: usize,
}

/// Freedman–Diaconis bins of a sorted sample, the one rule of `coulomb_gas::histogram`.
fn fd_bins_sorted(sorted: &[f64]) -> Result<(usize, f64, f64), TsError> {
    let (n, (lo, hi)) = coulomb_gas::histogram::freedman_diaconis_bins_sorted(sorted)?;
    Ok((n, lo, hi))
}

fn peak_fit(hist: &Histogram, p0: [f64; 2]) -> Result<PeakFit, TsError> {
    let f = fit_histogram(&PairModel, hist, &p0)?;
    Ok(PeakFit {
        centre: f.params[0],
        sigma: f.params[1].abs(),
        centre_stderr: f.stderr[0],
        sigma_stderr: f.stderr[1],
        ssr: f.ssr,
        bins: hist.len(),
        n: hist.n,
    })
}

/// The authors' σ: Eq (11) fitted to the Freedman–Diaconis histogram of `samples` from `p0`.
pub fn fit_pair_fd(samples: &[f64], p0: [f64; 2]) -> Result<PeakFit, TsError> {
    let hist = Histogram::freedman_diaconis(samples)?;
    peak_fit(&hist, p0)
}

/// The authors' ⟨S⟩: count-weighted mean of the Freedman–Diaconis bin centres of `spacings`.
pub fn mean_spacing_fd(spacings: &[f64]) -> Result<f64, TsError> {
    Ok(Histogram::freedman_diaconis(spacings)?.mean_from_bins())
}

/// The numbers the authors report per file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuthorsNumbers {
    /// σ of Eq (11) (|σ̂|).
    pub sigma: f64,
    /// Its least-squares standard error.
    pub sigma_stderr: f64,
    /// Fitted centre.
    pub centre: f64,
    /// ⟨S⟩ from the binned spacing histogram.
    pub mean_spacing: f64,
    /// Pooled samples (2 per network).
    pub samples: usize,
    /// Bins of the level histogram.
    pub bins: usize,
    /// Bins of the spacing histogram.
    pub spacing_bins: usize,
}

fn pooled(pairs: &[[f64; 2]]) -> Vec<f64> {
    pairs.iter().flat_map(|p| [p[0], p[1]]).collect()
}

fn spacings(pairs: &[[f64; 2]]) -> Vec<f64> {
    pairs.iter().map(|p| (p[0] - p[1]).abs()).collect()
}

/// σ and ⟨S⟩ of one ensemble of level pairs, as the authors compute them.
pub fn authors_numbers(pairs: &[[f64; 2]], p0: [f64; 2]) -> Result<AuthorsNumbers, TsError> {
    let fit = fit_pair_fd(&pooled(pairs), p0)?;
    let sh = Histogram::freedman_diaconis(&spacings(pairs))?;
    Ok(AuthorsNumbers {
        sigma: fit.sigma,
        sigma_stderr: fit.sigma_stderr,
        centre: fit.centre,
        mean_spacing: sh.mean_from_bins(),
        samples: fit.n,
        bins: fit.bins,
        spacing_bins: sh.len(),
    })
}

/// A jackknife estimate: the mean of the delete-one estimates and std·√(n − 1).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Jackknife {
    /// Mean of the n delete-one estimates (what the authors report).
    pub mean: f64,
    /// Jackknife error std(estimates)·√(n − 1) (numpy `std`, ddof = 0).
    pub err: f64,
}

/// Delete-one histograms of `samples`: for each sorted position k, the Freedman–Diaconis
/// histogram of the sample without that element, passed to `f`. Equal values give equal
/// histograms, so deleting by sorted position visits every delete-one sample once.
fn delete_one<F>(samples: &[f64], f: F) -> Result<Vec<f64>, TsError>
where
    F: Fn(&Histogram) -> Result<f64, TsError> + Sync,
{
    let n = samples.len();
    if n < 3 {
        return Err(TsError::Fit(format!(
            "jackknife needs at least 3 samples, got {n}"
        )));
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    (0..n)
        .into_par_iter()
        .map(|k| {
            let mut rest = Vec::with_capacity(n - 1);
            rest.extend_from_slice(&sorted[..k]);
            rest.extend_from_slice(&sorted[k + 1..]);
            let (nb, lo, hi) = fd_bins_sorted(&rest)?;
            let hist = Histogram::fixed(&rest, lo, hi, nb)?;
            f(&hist)
        })
        .collect()
}

fn summarise(est: &[f64]) -> Jackknife {
    let n = est.len() as f64;
    let mean = est.iter().sum::<f64>() / n;
    let var = est.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    Jackknife {
        mean,
        err: var.sqrt() * (n - 1.0).sqrt(),
    }
}

/// The authors' jackknife of σ over the pooled samples (one refit per deleted sample).
pub fn jackknife_sigma(samples: &[f64], p0: [f64; 2]) -> Result<Jackknife, TsError> {
    let est = delete_one(samples, |h| Ok(peak_fit(h, p0)?.sigma))?;
    Ok(summarise(&est))
}

/// The authors' jackknife of ⟨S⟩ over the spacings.
pub fn jackknife_mean_spacing(spacings: &[f64]) -> Result<Jackknife, TsError> {
    let est = delete_one(spacings, |h| Ok(h.mean_from_bins()))?;
    Ok(summarise(&est))
}

/// Bootstrap standard deviations of (σ, ⟨S⟩) over networks: `replicates` resamples of the
/// pairs with replacement, replicate r drawing from `streams(r)`.
pub fn bootstrap_numbers(
    pairs: &[[f64; 2]],
    p0: [f64; 2],
    replicates: usize,
    streams: impl Fn(u64) -> Stream + Sync,
) -> Result<(f64, f64), TsError> {
    if replicates < 2 {
        return Err(TsError::Invalid(format!(
            "bootstrap needs at least 2 replicates, got {replicates}"
        )));
    }
    let n = pairs.len();
    let est: Vec<(f64, f64)> = (0..replicates as u64)
        .into_par_iter()
        .map(|r| {
            let mut rng = streams(r);
            let sample: Vec<[f64; 2]> = (0..n).map(|_| pairs[rng.random_range(0..n)]).collect();
            let a = authors_numbers(&sample, p0)?;
            Ok((a.sigma, a.mean_spacing))
        })
        .collect::<Result<_, TsError>>()?;
    let sd = |v: Vec<f64>| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0)).sqrt()
    };
    Ok((
        sd(est.iter().map(|e| e.0).collect()),
        sd(est.iter().map(|e| e.1).collect()),
    ))
}

/// The residual of each mode of ZᵀZ: `r_k = ‖u_kᵀ (W − W_t)‖` for the eigenvectors u_k of
/// G = ZᵀZ (eigenvalues ascending). Because G acts from the left and the batch covariance from the
/// right, `Uᵀ(W − W_t)` evolves row by row under SGD, `r_k ← r_k (1 − αλ_k C_B)` for the mean over
/// seeds: each row relaxes at its own rate αλ_k per step (Eq 18 in the eigenbasis).
pub fn mode_residuals<const M: usize, const N: usize>(
    w: &Mat<M, N>,
    teacher: &Teacher<M, N>,
) -> Result<(Vec<f64>, Vec<f64>), TsError> {
    let g = nalgebra::DMatrix::from_fn(M, M, |i, j| teacher.gram()[(i, j)]);
    let (lambda, u) = crate::analytic::eigen_sorted(&g)?;
    let d = w - teacher.weights();
    let r = (0..M)
        .map(|k| {
            (0..N)
                .map(|j| (0..M).map(|i| u[(i, k)] * d[(i, j)]).sum::<f64>().powi(2))
                .sum::<f64>()
                .sqrt()
        })
        .collect();
    Ok((lambda, r))
}

/// Ordinary least-squares slope of ln y against t, with its standard error: the relaxation rate
/// is −slope. Points with y ≤ 0 are skipped.
pub fn log_slope(t: &[f64], y: &[f64]) -> Result<(f64, f64), TsError> {
    let pts: Vec<(f64, f64)> = t
        .iter()
        .zip(y)
        .filter(|(_, v)| **v > 0.0)
        .map(|(a, v)| (*a, v.ln()))
        .collect();
    let n = pts.len() as f64;
    if pts.len() < 3 {
        return Err(TsError::Fit(format!(
            "{} positive points for a log-slope",
            pts.len()
        )));
    }
    let mt = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mt).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mt) * (p.1 - my)).sum();
    let b = sxy / sxx;
    let rss: f64 = pts
        .iter()
        .map(|p| (p.1 - my - b * (p.0 - mt)).powi(2))
        .sum();
    Ok((b, (rss / (n - 2.0) / sxx).sqrt()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fd_bins_match_coulomb_gas() {
        let xs: Vec<f64> = (0..997)
            .map(|k| ((k * 7919) % 1000) as f64 * 0.013 + (k as f64).sin())
            .collect();
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        let (nb, lo, hi) = fd_bins_sorted(&sorted).unwrap();
        let (nb2, (lo2, hi2)) = coulomb_gas::freedman_diaconis_bins(&xs).unwrap();
        assert_eq!((nb, lo, hi), (nb2, lo2, hi2));
    }

    #[test]
    fn jackknife_of_a_mean_is_the_standard_error() {
        // For a statistic that is linear in the samples the jackknife error is the standard
        // error; the binned mean is nearly linear, so compare loosely.
        let sp: Vec<f64> = (0..400)
            .map(|k| 1.0 + ((k * 37 % 101) as f64) / 50.0)
            .collect();
        let j = jackknife_mean_spacing(&sp).unwrap();
        let m = sp.iter().sum::<f64>() / 400.0;
        let se = (sp.iter().map(|v| (v - m).powi(2)).sum::<f64>() / 399.0 / 400.0).sqrt();
        assert!((j.mean - m).abs() < 0.05, "{j:?} vs {m}");
        assert!(j.err > 0.3 * se && j.err < 3.0 * se, "{j:?} vs {se}");
    }
}
