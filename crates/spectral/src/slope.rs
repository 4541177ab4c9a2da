//! The weighted fit y = a·x through the origin: the linear scaling rule σ ∝ √(α/|B|).

use coulomb_gas::fit::lm::{fit_curve, LineThroughOrigin, LmOptions};
use serde::{Deserialize, Serialize};

use crate::error::SpectralError;

/// A one-parameter fit y = a·x with errors on y.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Slope {
    /// Fitted slope a (`slope` in summaries written before the analysis was one crate).
    #[serde(alias = "slope")]
    pub value: f64,
    /// Its standard error with the given errors taken as absolute (`absolute_sigma=True`).
    pub stderr: f64,
    /// Its standard error rescaled by √(χ²/dof) (`absolute_sigma=False`, the authors' choice):
    /// the honest error when the points scatter more than their errors say.
    pub stderr_scaled: f64,
    /// χ² = Σ (y − a x)²/e².
    pub chi2: f64,
    /// Points minus one.
    pub dof: usize,
    /// χ²/dof.
    pub chi2_dof: f64,
    /// The authors' printed "χ²/dof": Σ (y − a x)²/e / dof (divides by e, not e²), for
    /// comparison with their numbers only.
    pub authors_pseudo_chi2_dof: f64,
    /// Number of points.
    pub points: usize,
}

// ANCHOR: slope_fit
/// Weighted least-squares fit of y = a·x (Levenberg–Marquardt on `LineThroughOrigin`, started
/// from the mean of y/x), with the true χ² = Σ r²/e² and dof = n − 1.
pub fn slope_fit(x: &[f64], y: &[f64], e: &[f64]) -> Result<Slope, SpectralError> {
    if x.len() < 2 || x.len() != y.len() || x.len() != e.len() {
        return Err(SpectralError::Invalid(format!(
            "a slope fit needs at least 2 points with one y and one error each (got {} x, {} y, \
             {} errors)",
            x.len(),
            y.len(),
            e.len()
        )));
    }
    if let Some(bad) = e.iter().find(|e| !(e.is_finite() && **e > 0.0)) {
        return Err(SpectralError::Invalid(format!(
            "a slope fit needs finite positive errors, got {bad}"
        )));
    }
    if x.iter().chain(y).any(|v| !v.is_finite()) || x.iter().all(|v| *v == 0.0) {
        return Err(SpectralError::Invalid(
            "a slope fit needs finite points, not all at x = 0".into(),
        ));
    }
    let p0 = y.iter().zip(x).map(|(y, x)| y / x).sum::<f64>() / x.len() as f64;
    let p0 = if p0.is_finite() { p0 } else { 1.0 };
    let f = fit_curve(
        &LineThroughOrigin,
        x,
        y,
        Some(e),
        &[p0],
        &LmOptions::default(),
    )?;
    if !f.converged {
        return Err(SpectralError::Fit("the slope fit did not converge".into()));
    }
    let a = f.params[0];
    let (mut chi2, mut pseudo) = (0.0, 0.0);
    for ((xi, yi), ei) in x.iter().zip(y).zip(e) {
        let r = yi - a * xi;
        chi2 += (r / ei).powi(2);
        pseudo += r * r / ei;
    }
    let dof = x.len() - 1;
    let chi2_dof = chi2 / dof as f64;
    Ok(Slope {
        value: a,
        stderr: f.stderr[0],
        stderr_scaled: f.stderr[0] * chi2_dof.sqrt(),
        chi2,
        dof,
        chi2_dof,
        authors_pseudo_chi2_dof: pseudo / dof as f64,
        points: x.len(),
    })
}
// ANCHOR_END: slope_fit

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_exact_slope_and_its_error() {
        let x: Vec<f64> = (1..=12).map(|i| 0.02 * i as f64).collect();
        let y: Vec<f64> = x.iter().map(|x| 2.5 * x).collect();
        let e: Vec<f64> = x.iter().map(|x| 0.01 + 0.1 * x).collect();
        let s = slope_fit(&x, &y, &e).unwrap();
        assert!((s.value - 2.5).abs() < 1e-10, "{}", s.value);
        assert!(s.chi2 < 1e-16 && s.dof == 11 && s.points == 12);
        // The weighted-least-squares error of a through the origin: (Σ x²/e²)^(-1/2).
        let w: f64 = x.iter().zip(&e).map(|(x, e)| x * x / (e * e)).sum();
        assert!((s.stderr - w.powf(-0.5)).abs() < 1e-12 * s.stderr.max(1.0));
        // Residuals of exactly one error each: χ²/dof = n/(n − 1) up to the refit.
        let y1: Vec<f64> = x
            .iter()
            .zip(&e)
            .enumerate()
            .map(|(i, (x, e))| 2.5 * x + if i % 2 == 0 { *e } else { -*e })
            .collect();
        let s1 = slope_fit(&x, &y1, &e).unwrap();
        assert!((s1.value - 2.5).abs() < 3.0 * s1.stderr);
        assert!(s1.chi2_dof > 0.8 && s1.chi2_dof < 1.2, "{}", s1.chi2_dof);
        assert!((s1.stderr_scaled - s1.stderr * s1.chi2_dof.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn refuses_bad_input() {
        assert!(slope_fit(&[1.0], &[1.0], &[1.0]).is_err());
        assert!(slope_fit(&[1.0, 2.0], &[1.0, 2.0], &[1.0, 0.0]).is_err());
        assert!(slope_fit(&[1.0, 2.0], &[1.0, f64::NAN], &[1.0, 1.0]).is_err());
        assert!(slope_fit(&[0.0, 0.0], &[1.0, 2.0], &[1.0, 1.0]).is_err());
    }
}
