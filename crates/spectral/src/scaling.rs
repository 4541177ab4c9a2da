//! The linear scaling rule across runs: per peak, σ of every run against
//! x = √(α/|B|) (or √(α·noise²/|B|)), fitted by σ = a·x through the origin.

use serde::{Deserialize, Serialize};

use crate::ensemble::EnsembleReport;
use crate::error::SpectralError;
use crate::slope::{slope_fit, Slope};

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

/// The scaling fit of one peak.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScalingFit {
    /// Peak index (ascending) in every run.
    pub peak: usize,
    /// Its levels in the first run.
    pub levels: Vec<usize>,
    /// The abscissa per run.
    pub x: Vec<f64>,
    /// The authors' least-squares σ per run.
    pub sigma: Vec<f64>,
    /// Its error per run.
    pub sigma_err: Vec<f64>,
    /// Which error (`bootstrap`, or `least-squares standard error` when every run lacks one).
    pub sigma_err_kind: String,
    /// σ = a·x.
    pub slope: Slope,
    /// √π·a (the slope of ⟨S⟩ for Eq 11).
    pub sqrt_pi_slope: f64,
    /// The same by maximum likelihood, when every run has it.
    pub maximum_likelihood: Option<MlScaling>,
}

/// Per peak index present in every run, the scaling fit of σ against `x` (one per run).
pub fn scaling_fits(x: &[f64], runs: &[&EnsembleReport]) -> Result<Vec<ScalingFit>, SpectralError> {
    if runs.len() != x.len() || runs.len() < 2 {
        return Err(SpectralError::Invalid(
            "the scaling fit needs at least two runs, one abscissa each".into(),
        ));
    }
    let npeaks = runs.iter().map(|r| r.peaks.len()).min().unwrap_or(0);
    let mut fits = Vec::new();
    for k in 0..npeaks {
        let mut ls = Vec::new();
        let mut ml = Vec::new();
        for (i, r) in runs.iter().enumerate() {
            let p = &r.peaks[k];
            let s = p.sigma().ok_or_else(|| {
                SpectralError::Fit(format!(
                    "run {i}, peak {k}: no least-squares σ ({})",
                    p.fit_error.as_deref().unwrap_or("no fit")
                ))
            })?;
            if !(s.err.is_finite() && s.err > 0.0) {
                return Err(SpectralError::Fit(format!(
                    "run {i}, peak {k}: the error of σ is {}; cannot weight the fit",
                    s.err
                )));
            }
            ls.push(s);
            if let Some(m) = p.sigma_ml() {
                ml.push(m);
            }
        }
        let sigma: Vec<f64> = ls.iter().map(|e| e.value).collect();
        let sigma_err: Vec<f64> = ls.iter().map(|e| e.err).collect();
        let kinds: Vec<&str> = ls.iter().map(|e| e.err_kind.as_str()).collect();
        let sigma_err_kind = if kinds.iter().all(|k| *k == kinds[0]) {
            kinds[0].to_string()
        } else {
            format!("mixed: {}", kinds.join(", "))
        };
        let slope = slope_fit(x, &sigma, &sigma_err)?;
        let maximum_likelihood =
            if ml.len() == x.len() && ml.iter().all(|e| e.err.is_finite() && e.err > 0.0) {
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
            levels: runs[0].peaks[k].levels.clone(),
            x: x.to_vec(),
            sigma,
            sigma_err,
            sigma_err_kind,
            sqrt_pi_slope: std::f64::consts::PI.sqrt() * slope.value,
            slope,
            maximum_likelihood,
        });
    }
    Ok(fits)
}
