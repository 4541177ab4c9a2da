//! The linear scaling rule across runs (Eq 9): the same peak in every run, matched by its
//! centre; its σ against x = √(α/|B|) (or √(α·noise²/|B|)) fitted by σ = a·x through the
//! origin (the paper's test) and by σ = a·xᵖ with the exponent free; and a verdict.
//!
//! A fit through the origin cannot reject the rule by itself (any positive data have a
//! slope); the verdict asks two things of each peak:
//!
//! * the free exponent p is compatible with 1 (within [`EXPONENT_SIGMAS`] standard errors,
//!   scaled by √(χ²/dof) of the power law when that exceeds 1), and
//! * σ = a·x describes the points: the χ² of the fit through the origin has a p-value of at
//!   least [`CHI2_P_MIN`].
//!
//! With correct errors and the rule true, a peak is rejected by chance with probability about
//! 0.27 % + 0.1 %.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::ensemble::EnsembleReport;
use crate::error::SpectralError;
use crate::estimate::{usable, Estimator};
use crate::record::Est;
use crate::slope::{slope_fit, Slope};

// ANCHOR: verdict_thresholds
/// Standard errors within which the exponent must lie of 1.
pub const EXPONENT_SIGMAS: f64 = 3.0;
/// Smallest acceptable χ² p-value of σ = a·x.
pub const CHI2_P_MIN: f64 = 1e-3;
// ANCHOR_END: verdict_thresholds

/// The maximum-likelihood σ of every run and its scaling fit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MlScaling {
    /// σ per run.
    pub sigma: Vec<f64>,
    /// Its error per run.
    pub sigma_err: Vec<f64>,
    /// The fit σ = a·x.
    pub slope: Slope,
}

/// σ = a·xᵖ by weighted least squares of ln σ on ln x (weights (σ/err)²).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Exponent {
    /// p.
    pub value: f64,
    /// Its standard error from the given errors.
    pub err: f64,
    /// The same scaled by √(χ²/dof) when that exceeds 1 (what the verdict uses).
    pub err_scaled: f64,
    /// The prefactor a.
    pub prefactor: f64,
    /// χ² of the power law.
    pub chi2: f64,
    /// Points minus two.
    pub dof: usize,
}

/// The verdict on one peak, or on all.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// `holds` or `rejected`.
    pub linear_scaling: String,
    /// Why, in words.
    pub reason: String,
}

/// The scaling fit of one peak.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScalingFit {
    /// Peak index (ascending) in the first run.
    pub peak: usize,
    /// Its levels in the first run.
    pub levels: Vec<usize>,
    /// The matched peak's centre in each run, in input order.
    pub centres: Vec<f64>,
    /// The matched peak's index in each run.
    pub peaks: Vec<usize>,
    /// The abscissa per run.
    pub x: Vec<f64>,
    /// The estimator of σ in every run.
    pub estimator: Estimator,
    /// Why that estimator.
    pub estimator_reason: String,
    /// σ per run.
    pub sigma: Vec<f64>,
    /// Its error per run.
    pub sigma_err: Vec<f64>,
    /// Which error (`bootstrap`, ...; `mixed: ...` when the runs differ).
    pub sigma_err_kind: String,
    /// σ = a·x.
    pub slope: Slope,
    /// √π·a (the slope of ⟨S⟩ for Eq 11).
    pub sqrt_pi_slope: f64,
    /// σ = a·xᵖ.
    pub exponent: Exponent,
    /// The verdict on this peak.
    pub verdict: Verdict,
    /// The maximum-likelihood σ in every run and its slope, when every run has it.
    pub maximum_likelihood: Option<MlScaling>,
}

/// A peak that is not in every run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Unmatched {
    /// The run (input order).
    pub run: usize,
    /// The peak's index in that run.
    pub peak: usize,
    /// Its centre (headline, or the sample mean).
    pub centre: f64,
    /// Why it has no partner.
    pub reason: String,
}

/// Every peak's scaling fit, the peaks left out, and the overall verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScalingReport {
    /// One fit per peak present in every run.
    pub fits: Vec<ScalingFit>,
    /// Peaks not matched in every run (never paired with another).
    pub unmatched: Vec<Unmatched>,
    /// `holds` when every fitted peak holds, else `rejected`.
    pub linear_scaling: String,
    /// Why, in words.
    pub reason: String,
}

fn centre_of(r: &EnsembleReport, k: usize) -> f64 {
    let p = &r.peaks[k];
    p.estimate
        .as_ref()
        .map_or(p.report.mean, |e| e.centre.value)
}

/// Distance from peak k to the nearest other peak of the same run (∞ if alone).
fn gap(r: &EnsembleReport, k: usize) -> f64 {
    let c = centre_of(r, k);
    (0..r.peaks.len())
        .filter(|&q| q != k)
        .map(|q| (centre_of(r, q) - c).abs())
        .fold(f64::INFINITY, f64::min)
}

fn nearest(r: &EnsembleReport, c: f64) -> Option<usize> {
    (0..r.peaks.len()).min_by(|&a, &b| {
        (centre_of(r, a) - c)
            .abs()
            .total_cmp(&(centre_of(r, b) - c).abs())
    })
}

// ANCHOR: match_peak
/// The peak of run `r` that is the same as peak `k` of run 0, or why there is none: each must
/// be the other's nearest by centre, closer than half the gap to either's next peak, and pool
/// the same number of levels.
fn partner(r0: &EnsembleReport, k: usize, r: &EnsembleReport) -> Result<usize, String> {
    let c = centre_of(r0, k);
    let q = nearest(r, c).ok_or("the run has no peaks")?;
    let cq = centre_of(r, q);
    if nearest(r0, cq) != Some(k) {
        return Err(format!(
            "its nearest peak there (at {cq:.6}) is nearer another peak of the first run"
        ));
    }
    let d = (cq - c).abs();
    let half_gap = 0.5 * gap(r0, k).min(gap(r, q));
    if d >= half_gap {
        return Err(format!(
            "its nearest peak there (at {cq:.6}) is {d:.3e} away, not within half the gap to \
             the next peak ({half_gap:.3e})"
        ));
    }
    let (l0, l) = (
        r0.peaks[k].report.levels.len(),
        r.peaks[q].report.levels.len(),
    );
    if l0 != l {
        return Err(format!(
            "its nearest peak there (at {cq:.6}) pools {l} level(s), this one {l0}: the runs \
             group these levels differently"
        ));
    }
    Ok(q)
}
// ANCHOR_END: match_peak

// ANCHOR: exponent_fit
/// σ = a·xᵖ: weighted least squares of ln σ on ln x with weights (σ/err)².
pub fn exponent_fit(x: &[f64], sigma: &[f64], err: &[f64]) -> Result<Exponent, SpectralError> {
    let pts: Vec<(f64, f64, f64)> = x
        .iter()
        .zip(sigma)
        .zip(err)
        .map(|((&x, &s), &e)| (x.ln(), s.ln(), (s / e).powi(2)))
        .collect();
    if pts
        .iter()
        .any(|(a, b, w)| !(a.is_finite() && b.is_finite() && w.is_finite() && *w > 0.0))
    {
        return Err(SpectralError::Invalid(
            "the exponent fit needs x > 0, σ > 0 and finite positive errors".into(),
        ));
    }
    let sw: f64 = pts.iter().map(|p| p.2).sum();
    let xm = pts.iter().map(|p| p.2 * p.0).sum::<f64>() / sw;
    let ym = pts.iter().map(|p| p.2 * p.1).sum::<f64>() / sw;
    let sxx: f64 = pts.iter().map(|p| p.2 * (p.0 - xm).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| p.2 * (p.0 - xm) * (p.1 - ym)).sum();
    if sxx.is_nan() || sxx <= 0.0 {
        return Err(SpectralError::Invalid(
            "the exponent fit needs runs at two or more different x = √(α/|B|)".into(),
        ));
    }
    let p = sxy / sxx;
    let ln_a = ym - p * xm;
    let chi2: f64 = pts
        .iter()
        .map(|q| q.2 * (q.1 - ln_a - p * q.0).powi(2))
        .sum();
    let dof = pts.len() - 2;
    let err = sxx.recip().sqrt();
    let scale = if dof > 0 {
        (chi2 / dof as f64).sqrt().max(1.0)
    } else {
        1.0
    };
    Ok(Exponent {
        value: p,
        err,
        err_scaled: err * scale,
        prefactor: ln_a.exp(),
        chi2,
        dof,
    })
}
// ANCHOR_END: exponent_fit

// ANCHOR: verdict
/// The verdict on one peak from its two fits.
pub fn verdict(slope: &Slope, exponent: &Exponent) -> Verdict {
    let chi2_p = ChiSquared::new(slope.dof as f64).map_or(f64::NAN, |d| d.sf(slope.chi2));
    let pull = (exponent.value - 1.0) / exponent.err_scaled;
    let exponent_ok = pull.abs() <= EXPONENT_SIGMAS;
    let chi2_ok = chi2_p >= CHI2_P_MIN;
    let words = format!(
        "exponent {:.3} ± {:.3} ({:+.1} standard errors from 1); σ = a·x has χ²/dof = {:.2} \
         (p = {:.2e})",
        exponent.value, exponent.err_scaled, pull, slope.chi2_dof, chi2_p
    );
    let (holds, why) = match (exponent_ok, chi2_ok) {
        (true, true) => (true, "the exponent is compatible with 1 and σ = a·x fits"),
        (false, true) => (false, "the exponent is not 1"),
        (true, false) => (false, "σ = a·x does not describe the points"),
        (false, false) => (
            false,
            "the exponent is not 1 and σ = a·x does not describe the points",
        ),
    };
    Verdict {
        linear_scaling: if holds { "holds" } else { "rejected" }.into(),
        reason: format!("{why}: {words}"),
    }
}
// ANCHOR_END: verdict

/// The estimator every run of a matched peak can use: least squares if all have it as their
/// headline, else maximum likelihood if all have that.
fn common_estimates(
    runs: &[&EnsembleReport],
    ks: &[usize],
) -> Result<(Estimator, String, Vec<Est>), String> {
    let mut heads = Vec::new();
    for (i, (r, &k)) in runs.iter().zip(ks).enumerate() {
        let p = &r.peaks[k];
        match &p.estimate {
            Some(e) => heads.push(e),
            None => {
                return Err(format!(
                    "run {i} has no estimate of it ({})",
                    p.estimate_error.as_deref().unwrap_or("unknown")
                ))
            }
        }
    }
    if heads.iter().all(|e| e.estimator == Estimator::LeastSquares) {
        let s = heads.iter().map(|e| e.sigma.clone()).collect();
        return Ok((
            Estimator::LeastSquares,
            "the authors' least squares in every run".into(),
            s,
        ));
    }
    let (i, first_ml) = heads
        .iter()
        .enumerate()
        .find(|(_, e)| e.estimator == Estimator::MaximumLikelihood)
        .map(|(i, e)| (i, e.reason.clone()))
        .unwrap_or_default();
    let mut s = Vec::new();
    for (j, (r, &k)) in runs.iter().zip(ks).enumerate() {
        let p = &r.peaks[k].report;
        match p.sigma_ml() {
            Some(e) if usable(&e) => s.push(e),
            _ => {
                return Err(format!(
                    "run {i} needs maximum likelihood ({first_ml}) and run {j} has none"
                ))
            }
        }
    }
    Ok((
        Estimator::MaximumLikelihood,
        format!("maximum likelihood in every run, because in run {i}: {first_ml}"),
        s,
    ))
}

/// Per peak of the first run that is present in every run, the scaling fits of σ against `x`
/// (one per run) and their verdicts; the other peaks are listed as unmatched.
pub fn scaling_fits(x: &[f64], runs: &[&EnsembleReport]) -> Result<ScalingReport, SpectralError> {
    if runs.len() != x.len() || runs.len() < 2 {
        return Err(SpectralError::Invalid(
            "the scaling fit needs at least two runs, one abscissa each".into(),
        ));
    }
    let r0 = runs[0];
    let mut fits = Vec::new();
    let mut unmatched = Vec::new();
    let mut used: Vec<Vec<bool>> = runs.iter().map(|r| vec![false; r.peaks.len()]).collect();
    for k in 0..r0.peaks.len() {
        let mut ks = vec![k];
        let mut why = None;
        for (i, r) in runs.iter().enumerate().skip(1) {
            match partner(r0, k, r) {
                Ok(q) => ks.push(q),
                Err(e) => {
                    why = Some(format!("not found in run {i}: {e}"));
                    break;
                }
            }
        }
        let estimates = match why {
            None => common_estimates(runs, &ks).map_err(|e| format!("cannot fit: {e}")),
            Some(w) => Err(w),
        };
        let (estimator, estimator_reason, ests) = match estimates {
            Ok(e) => e,
            Err(reason) => {
                unmatched.push(Unmatched {
                    run: 0,
                    peak: k,
                    centre: centre_of(r0, k),
                    reason,
                });
                continue;
            }
        };
        for (u, &q) in used.iter_mut().zip(&ks) {
            u[q] = true;
        }
        let sigma: Vec<f64> = ests.iter().map(|e| e.value).collect();
        let sigma_err: Vec<f64> = ests.iter().map(|e| e.err).collect();
        let kinds: Vec<&str> = ests.iter().map(|e| e.err_kind.as_str()).collect();
        let sigma_err_kind = if kinds.iter().all(|k| *k == kinds[0]) {
            kinds[0].to_string()
        } else {
            format!("mixed: {}", kinds.join(", "))
        };
        let slope = slope_fit(x, &sigma, &sigma_err)?;
        let exponent = exponent_fit(x, &sigma, &sigma_err)?;
        let ml: Vec<Est> = runs
            .iter()
            .zip(&ks)
            .filter_map(|(r, &q)| r.peaks[q].report.sigma_ml())
            .filter(|e| e.err.is_finite() && e.err > 0.0)
            .collect();
        let maximum_likelihood = if ml.len() == x.len() {
            let s: Vec<f64> = ml.iter().map(|e| e.value).collect();
            let e: Vec<f64> = ml.iter().map(|e| e.err).collect();
            Some(MlScaling {
                slope: slope_fit(x, &s, &e)?,
                sigma: s,
                sigma_err: e,
            })
        } else {
            None
        };
        fits.push(ScalingFit {
            peak: k,
            levels: r0.peaks[k].report.levels.clone(),
            centres: runs
                .iter()
                .zip(&ks)
                .map(|(r, &q)| centre_of(r, q))
                .collect(),
            peaks: ks,
            x: x.to_vec(),
            estimator,
            estimator_reason,
            sigma,
            sigma_err,
            sigma_err_kind,
            sqrt_pi_slope: std::f64::consts::PI.sqrt() * slope.value,
            verdict: verdict(&slope, &exponent),
            slope,
            exponent,
            maximum_likelihood,
        });
    }
    for (i, (r, u)) in runs.iter().zip(&used).enumerate().skip(1) {
        for (q, _) in u.iter().enumerate().filter(|(_, &u)| !u) {
            unmatched.push(Unmatched {
                run: i,
                peak: q,
                centre: centre_of(r, q),
                reason: "no peak of the first run matches it".into(),
            });
        }
    }
    if fits.is_empty() {
        let why = unmatched.first().map_or("no peaks".to_string(), |u| {
            format!("peak {} of run {}: {}", u.peak, u.run, u.reason)
        });
        return Err(SpectralError::Data(format!(
            "no peak is present in every run, so there is nothing to fit ({why})"
        )));
    }
    let rejected: Vec<String> = fits
        .iter()
        .filter(|f| f.verdict.linear_scaling != "holds")
        .map(|f| format!("peak at {:.4}: {}", f.centres[0], f.verdict.reason))
        .collect();
    let (linear_scaling, reason) = if rejected.is_empty() {
        let each: Vec<String> = fits
            .iter()
            .map(|f| format!("peak at {:.4}: {}", f.centres[0], f.verdict.reason))
            .collect();
        ("holds", each.join("; "))
    } else {
        ("rejected", rejected.join("; "))
    };
    Ok(ScalingReport {
        fits,
        unmatched,
        linear_scaling: linear_scaling.into(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyse_ensemble, EnsembleOptions, PeakOptions};
    use coulomb_gas::goe_sample;
    use langevin_core::stream;

    /// 400 spectra: levels at `singles` (normal, width `w`), a GOE pair at `pair` (width `w`).
    fn run(singles: &[f64], pair: Option<f64>, w: f64, seed: u64) -> EnsembleReport {
        let mut rng = stream(seed, "spectral/test/scaling", 0);
        let rows: Vec<Vec<f64>> = (0..400)
            .map(|_| {
                let mut l: Vec<f64> = singles
                    .iter()
                    .map(|c| c + goe_sample(1, w, &mut rng).unwrap()[0])
                    .collect();
                if let Some(c) = pair {
                    l.extend(goe_sample(2, w, &mut rng).unwrap().iter().map(|e| c + e));
                }
                l.sort_by(f64::total_cmp);
                l
            })
            .collect();
        let o = EnsembleOptions {
            peak: PeakOptions {
                bootstrap: 20,
                ..PeakOptions::default()
            },
            ..EnsembleOptions::default()
        };
        analyse_ensemble(&rows, &o).unwrap()
    }

    #[test]
    fn peaks_are_matched_by_centre_and_a_merged_pair_is_never_paired() {
        // Run 0 resolves two levels at 2.0 and 2.02; run 1 has one degenerate pair at 2.01.
        let a = run(&[2.0, 2.02, 2.5], None, 0.002, 1);
        let b = run(&[2.5], Some(2.01), 0.004, 2);
        let a_levels: Vec<usize> = a.peaks.iter().map(|p| p.report.levels.len()).collect();
        let b_levels: Vec<usize> = b.peaks.iter().map(|p| p.report.levels.len()).collect();
        assert_eq!((a_levels, b_levels), (vec![1, 1, 1], vec![2, 1]));
        let r = scaling_fits(&[0.1, 0.2], &[&a, &b]).unwrap();
        assert_eq!(r.fits.len(), 1);
        assert_eq!((r.fits[0].peak, &r.fits[0].peaks), (2, &vec![2, 1]));
        assert!((r.fits[0].centres[0] - 2.5).abs() < 0.01);
        assert!((r.fits[0].centres[1] - 2.5).abs() < 0.01);
        // Both resolved levels of run 0 and the pair of run 1 are reported, not fitted.
        let left: Vec<(usize, usize)> = r.unmatched.iter().map(|u| (u.run, u.peak)).collect();
        assert_eq!(left, vec![(0, 0), (0, 1), (1, 0)]);
        // Input order decides which run is first, not the outcome: swapped, the same peaks.
        let s = scaling_fits(&[0.2, 0.1], &[&b, &a]).unwrap();
        assert_eq!(s.fits.len(), 1);
        assert_eq!(
            s.fits[0].centres,
            vec![r.fits[0].centres[1], r.fits[0].centres[0]]
        );
    }

    #[test]
    fn the_exponent_of_a_power_law_is_recovered() {
        let x = [0.1, 0.2, 0.4, 0.8];
        let s: Vec<f64> = x.iter().map(|x: &f64| 2.0 * x.powf(0.5)).collect();
        let e: Vec<f64> = s.iter().map(|s| 0.01 * s).collect();
        let p = exponent_fit(&x, &s, &e).unwrap();
        assert!((p.value - 0.5).abs() < 1e-12 && (p.prefactor - 2.0).abs() < 1e-12);
        // err of ln σ is 0.01 at every point: var p = 0.01²/Σ(ln x − mean)².
        let lx: Vec<f64> = x.iter().map(|x| x.ln()).collect();
        let m = lx.iter().sum::<f64>() / 4.0;
        let want = 0.01 / lx.iter().map(|l| (l - m).powi(2)).sum::<f64>().sqrt();
        assert!((p.err - want).abs() < 1e-12 * want);
        assert!(exponent_fit(&[0.1, 0.1], &[1.0, 1.0], &[0.1, 0.1]).is_err());
    }

    #[test]
    fn the_verdict_rejects_a_constant_and_accepts_a_line() {
        let x = [0.1, 0.2, 0.4, 0.8];
        let e = [0.002; 4];
        let line: Vec<f64> = x.iter().map(|x| 0.5 * x).collect();
        let v = verdict(
            &slope_fit(&x, &line, &e).unwrap(),
            &exponent_fit(&x, &line, &e).unwrap(),
        );
        assert_eq!(v.linear_scaling, "holds", "{}", v.reason);
        let flat = [0.3; 4];
        let v = verdict(
            &slope_fit(&x, &flat, &e).unwrap(),
            &exponent_fit(&x, &flat, &e).unwrap(),
        );
        assert_eq!(v.linear_scaling, "rejected", "{}", v.reason);
        assert!(v.reason.contains("exponent is not 1"), "{}", v.reason);
    }
}
