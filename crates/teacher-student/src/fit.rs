//! Least-squares fits of Eq (22) to a (mean) trajectory x_i(t), with the Levenberg–Marquardt
//! of `coulomb-gas` and analytic derivatives.

use coulomb_gas::fit::lm::{fit_curve, LmOptions, Model};
use serde::{Deserialize, Serialize};

use crate::analytic::eq22;
use crate::error::TsError;

/// Eq (22) as a fit model of t: parameters `[x0, a]` with κ fixed, or `[x0, a, κ]` free.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Eq22Model {
    /// `Some(κ)`: κ fixed at this value; `None`: κ is the third parameter.
    pub kappa: Option<f64>,
}

impl Eq22Model {
    fn kappa_of(&self, p: &[f64]) -> f64 {
        self.kappa.unwrap_or_else(|| p[2])
    }
}

impl Model for Eq22Model {
    fn n_params(&self) -> usize {
        if self.kappa.is_some() {
            2
        } else {
            3
        }
    }

    fn value(&self, t: f64, p: &[f64]) -> f64 {
        let kappa = self.kappa_of(p);
        if !(p[0] > 0.0 && kappa > 0.0) {
            return f64::NAN;
        }
        eq22(t, p[0], kappa, p[1])
    }

    /// With s = √κ, r = √x0, E = e^{−at}, y = s + (r − s)E, x = y²:
    /// ∂x/∂x0 = yE/r, ∂x/∂a = −2yt(r − s)E, ∂x/∂κ = y(1 − E)/s.
    fn gradient(&self, t: f64, p: &[f64], out: &mut [f64]) {
        let kappa = self.kappa_of(p);
        let (s, r) = (kappa.sqrt(), p[0].sqrt());
        let e = (-p[1] * t).exp();
        let y = s + (r - s) * e;
        out[0] = y * e / r;
        out[1] = -2.0 * y * t * (r - s) * e;
        if self.kappa.is_none() {
            out[2] = y * (1.0 - e) / s;
        }
    }

    fn names(&self) -> Vec<String> {
        let mut v = vec!["x0".to_string(), "a".to_string()];
        if self.kappa.is_none() {
            v.push("kappa".into());
        }
        v
    }
}

/// Result of an Eq (22) fit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Eq22Fit {
    /// x_{i,0}: the fitted curve's value at t = 0.
    pub x0: f64,
    /// Rate a_i per unit of t (per epoch when t is in epochs).
    pub a: f64,
    /// κ (fixed or fitted).
    pub kappa: f64,
    /// Whether κ was fixed.
    pub kappa_fixed: bool,
    /// Standard errors (scipy `absolute_sigma=False` convention) of x0, a (and κ).
    pub stderr: Vec<f64>,
    /// Sum of squared residuals.
    pub ssr: f64,
    /// Points used (t ≥ t_from).
    pub n_points: usize,
    /// First time used.
    pub t_from: f64,
}

/// Starting values: y = √x = s + (r − s)e^{−at} through the first, middle and last points gives
/// e^{−aΔ} = (y₃ − y₂)/(y₂ − y₁) and s = (y₁y₃ − y₂²)/(y₁ + y₃ − 2y₂) for equal spacings Δ; with
/// κ fixed, a₀ comes from the log-slope of |y − √κ| instead. Falls back to a₀ = 1, κ₀ = last x.
fn start_values(tt: &[f64], xx: &[f64], kappa: Option<f64>) -> Vec<f64> {
    let n = tt.len();
    let y: Vec<f64> = xx.iter().map(|v| v.max(0.0).sqrt()).collect();
    let (i1, i3) = (0, n - 1);
    let tm = 0.5 * (tt[i1] + tt[i3]);
    let i2 = (0..n)
        .min_by(|&a, &b| (tt[a] - tm).abs().total_cmp(&(tt[b] - tm).abs()))
        .unwrap_or(n / 2);
    let (y1, y2, y3) = (y[i1], y[i2], y[i3]);
    let (mut s, mut a0) = match kappa {
        Some(k) => {
            let s = k.sqrt();
            let (d1, d3) = ((y1 - s).abs(), (y3 - s).abs());
            (s, (d1 / d3).ln() / (tt[i3] - tt[i1]))
        }
        None => {
            let h = tt[i2] - tt[i1];
            let q = (y3 - y2) / (y2 - y1);
            let s = (y1 * y3 - y2 * y2) / (y1 + y3 - 2.0 * y2);
            (s, -q.ln() / h)
        }
    };
    if !(s.is_finite() && s > 0.0) {
        s = y3.max(1e-3);
    }
    if !(a0.is_finite() && a0 > 0.0) {
        a0 = 1.0;
    }
    a0 = a0.min(20.0 / tt[i1].max(1e-3));
    let r0 = s + (y1 - s) * (a0 * tt[i1]).exp();
    let mut p0 = vec![(r0 * r0).max(1e-6), a0];
    if kappa.is_none() {
        p0.push(s * s);
    }
    p0
}

/// Unweighted least-squares fit of Eq (22) to the points (t, x) with t ≥ `t_from`
/// (start values from [`start_values`]).
///
/// ```text
/// min_{x0, a (, κ)} Σ_{t_k ≥ t_from} [ x̄(t_k) − (√κ + (√x0 − √κ) e^{−a t_k})² ]²
/// ```
// ANCHOR: eq22_fit
pub fn fit_eq22(t: &[f64], x: &[f64], t_from: f64, kappa: Option<f64>) -> Result<Eq22Fit, TsError> {
    if t.len() != x.len() {
        return Err(TsError::Shape(format!(
            "{} times and {} values",
            t.len(),
            x.len()
        )));
    }
    let pts: Vec<(f64, f64)> = t
        .iter()
        .zip(x)
        .filter(|(ti, _)| **ti >= t_from)
        .map(|(a, b)| (*a, *b))
        .collect();
    let model = Eq22Model { kappa };
    if pts.len() <= model.n_params() {
        return Err(TsError::Fit(format!(
            "{} points from t = {t_from} for {} parameters",
            pts.len(),
            model.n_params()
        )));
    }
    if let Some(k) = kappa {
        crate::error::check_positive("kappa", k)?;
    }
    let (tt, xx): (Vec<f64>, Vec<f64>) = pts.iter().copied().unzip();
    let p0 = start_values(&tt, &xx, kappa);
    let opts = LmOptions::default();
    let fit = fit_curve(&model, &tt, &xx, None, &p0, &opts)?;
    Ok(Eq22Fit {
        x0: fit.params[0],
        a: fit.params[1],
        kappa: kappa.unwrap_or(fit.params.get(2).copied().unwrap_or(f64::NAN)),
        kappa_fixed: kappa.is_some(),
        stderr: fit.stderr,
        ssr: fit.ssr,
        n_points: tt.len(),
        t_from,
    })
}
// ANCHOR_END: eq22_fit

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_exact_eq22_curves() {
        let t: Vec<f64> = (0..=100).map(|i| i as f64 * 0.1).collect();
        for &(x0, kappa, a) in &[(0.5, 4.0, 0.6), (5.5, 4.0, 1.1), (0.05, 4.0, 0.3)] {
            let x: Vec<f64> = t.iter().map(|&s| eq22(s, x0, kappa, a)).collect();
            let f = fit_eq22(&t, &x, 2.0, Some(kappa)).unwrap();
            assert!((f.a - a).abs() < 1e-8 && (f.x0 - x0).abs() < 1e-7, "{f:?}");
            let g = fit_eq22(&t, &x, 2.0, None).unwrap();
            assert!(
                (g.a - a).abs() < 1e-6 && (g.kappa - kappa).abs() < 1e-8,
                "{g:?}"
            );
        }
        assert!(fit_eq22(&t, &t[..3], 2.0, None).is_err());
        assert!(fit_eq22(&t[..3], &t[..3], 2.0, Some(4.0)).is_err());
    }
}
