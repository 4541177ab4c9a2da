//! Eq (11): the one-point density of two identical eigenvalues (GOE, N = 2) in a common
//! quadratic well — the density the paper fits to each doubly degenerate RBM eigenvalue.
//!
//! The paper calls it "the Wigner semi-circle"; it is the N = 2 GOE density with Gaussian tails
//! (math-notes §2 item 2). σ is the width of the Gaussian factor; the standard deviation of ρ is
//! √(3/2) σ (item 3).

use crate::special::{erf, erfc};

use crate::binder::binder_u4;
use crate::density::Density1D;
use crate::error::{check_finite, check_positive, GasError};
use crate::special::{scaled_offset, SQRT_2, SQRT_2PI, SQRT_PI, T_FAR};

/// Eq. (11) of the paper: the two-level spectral density.
///
/// ```text
/// ρ(x; x_m, σ) = e^{−δx²/(2σ²)} / (4√π σ) · [ 2 e^{−δx²/(2σ²)} + √(2π) (δx/σ) erf(δx/(√2 σ)) ],
/// δx = x − x_m
/// ```
///
/// It is the marginal of P(x₁, x₂) ∝ |x₁ − x₂| e^{−Σ(x_i − x_m)²/(2σ²)}. Returns NaN for σ ≤ 0.
// ANCHOR: eq11
pub fn rho_pair(x: f64, centre: f64, sigma: f64) -> f64 {
    if sigma.is_nan() || sigma <= 0.0 {
        return f64::NAN;
    }
    let t = (x - centre) / sigma;
    let g = (-0.5 * t * t).exp();
    g / (4.0 * SQRT_PI * sigma) * (2.0 * g + SQRT_2PI * t * erf(t / SQRT_2))
}
// ANCHOR_END: eq11

/// Shape function f(t) of Eq (11) in the standardised variable t = δx/σ (ρ = f(t)/σ) and its
/// derivative f'(t); used for analytic Jacobians.
///
/// ```text
/// f(t)  = e^{−t²}/(2√π) + t e^{−t²/2} erf(t/√2)/(2√2)
/// f'(t) = −t e^{−t²}/(2√π) + (1 − t²) e^{−t²/2} erf(t/√2)/(2√2)
/// ```
pub(crate) fn pair_shape(t: f64) -> (f64, f64) {
    let g = (-0.5 * t * t).exp();
    let e = erf(t / SQRT_2);
    let f = g * g / (2.0 * SQRT_PI) + t * g * e / (2.0 * SQRT_2);
    let df = -t * g * g / (2.0 * SQRT_PI) + (1.0 - t * t) * g * e / (2.0 * SQRT_2);
    (f, df)
}

/// The density of Eq (11) as a validated law with distribution function and moments.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PairDensity {
    /// Centre x_m (the learnt target value).
    pub centre: f64,
    /// Width σ of the Gaussian factor (not the standard deviation, which is √(3/2) σ).
    pub sigma: f64,
}

impl PairDensity {
    /// Validates a finite centre and a finite σ > 0.
    pub fn new(centre: f64, sigma: f64) -> Result<Self, GasError> {
        check_finite("centre", centre)?;
        check_positive("sigma", sigma)?;
        Ok(Self { centre, sigma })
    }

    /// Standard deviation √(3/2) σ.
    pub fn std_dev(&self) -> f64 {
        (1.5_f64).sqrt() * self.sigma
    }
}

impl PairDensity {
    /// ln(4√π σ), the constant of [`Density1D::ln_pdf`] (computed once per likelihood).
    pub(crate) fn ln_norm(&self) -> f64 {
        (4.0 * SQRT_PI * self.sigma).ln()
    }

    /// [`Density1D::ln_pdf`] given `ln_norm = self.ln_norm()`.
    #[inline]
    pub(crate) fn ln_pdf_with(&self, x: f64, ln_norm: f64) -> f64 {
        self.ln_parts(x, ln_norm)[0]
    }

    /// [ln ρ, t, e^{−t²/2}, erf(t/√2)] at x: ln ρ with the pieces the likelihood's derivatives
    /// reuse (`fit::score`).
    #[inline]
    pub(crate) fn ln_parts(&self, x: f64, ln_norm: f64) -> [f64; 4] {
        let t = (x - self.centre) / self.sigma;
        let g = (-0.5 * t * t).exp();
        let e = erf(t / SQRT_2);
        let bracket = 2.0 * g + SQRT_2PI * (t * e).abs();
        [-0.5 * t * t - ln_norm + bracket.ln(), t, g, e]
    }

    /// ln ρ with every factor in log space and t = δx/σ formed without overflow: the fallback of
    /// [`Density1D::pdf`] where the direct form over- or underflows (σ ≈ 1e±300, |δx| ≈ 1e308).
    fn ln_pdf_far(&self, x: f64) -> f64 {
        let t = scaled_offset(x, self.centre, self.sigma);
        if t.is_nan() || t.abs() >= T_FAR {
            return f64::NEG_INFINITY;
        }
        let bracket = 2.0 * (-0.5 * t * t).exp() + SQRT_2PI * (t * erf(t / SQRT_2)).abs();
        -0.5 * t * t - (4.0 * SQRT_PI).ln() - self.sigma.ln() + bracket.ln()
    }
}

impl Density1D for PairDensity {
    /// The direct Eq (11); where it is not finite (or δx overflows), exp of the log-space form:
    /// 0 where ρ underflows, +∞ only where ρ itself exceeds f64 (σ < ~1e-308).
    fn pdf(&self, x: f64) -> f64 {
        let v = rho_pair(x, self.centre, self.sigma);
        if v.is_finite() && (x - self.centre).is_finite() {
            v
        } else {
            self.ln_pdf_far(x).exp()
        }
    }

    /// ln ρ = −t²/2 − ln(4√π σ) + ln[2e^{−t²/2} + √(2π) |t| |erf(t/√2)|]; the bracket is ≥ 2·e^{−t²/2}
    /// and grows like √(2π)|t|, so nothing underflows.
    fn ln_pdf(&self, x: f64) -> f64 {
        self.ln_pdf_with(x, self.ln_norm())
    }

    /// Eq. (11) of the paper, distribution function (math-notes §1, verified by quadrature):
    ///
    /// ```text
    /// F(x) = [1 + erf(δx/σ)]/2 − e^{−δx²/(2σ²)} erf(δx/(√2 σ)) / (2√2)
    /// ```
    // ANCHOR: eq11_cdf
    fn cdf(&self, x: f64) -> f64 {
        let t = scaled_offset(x, self.centre, self.sigma);
        if t.is_infinite() {
            return if t > 0.0 { 1.0 } else { 0.0 };
        }
        // erfc keeps the lower tail accurate; both terms are ≥ 0 there, so no cancellation.
        0.5 * erfc(-t) - (-0.5 * t * t).exp() * erf(t / SQRT_2) / (2.0 * SQRT_2)
    }
    // ANCHOR_END: eq11_cdf

    fn mean(&self) -> f64 {
        self.centre
    }
    /// ⟨δx²⟩ = 3σ²/2.
    fn variance(&self) -> f64 {
        1.5 * self.sigma * self.sigma
    }
    /// ⟨δx⁴⟩ = 23σ⁴/4, so U4 = −4/27.
    fn central_m4(&self) -> Option<f64> {
        Some(23.0 / 4.0 * self.sigma.powi(4))
    }
    /// U4 does not depend on σ: where m2 or m4 over/underflow, the value at σ = 1.
    fn u4(&self) -> Option<f64> {
        let v = binder_u4(self.variance(), 23.0 / 4.0 * self.sigma.powi(4));
        Some(if v.is_finite() {
            v
        } else {
            binder_u4(1.5, 23.0 / 4.0)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quad::{integrate, integrate_breaks};

    const C: f64 = 0.7;
    const S: f64 = 0.3;

    fn law() -> PairDensity {
        PairDensity::new(C, S).unwrap()
    }

    #[test]
    fn eq11_is_normalised_with_the_closed_form_moments() {
        let d = law();
        let (a, b, h) = (C - 15.0 * S, C + 15.0 * S, S / 4.0);
        let m = |k: i32| integrate(|x| (x - C).powi(k) * d.pdf(x), a, b, h);
        assert!((m(0) - 1.0).abs() < 1e-13);
        assert!(m(1).abs() < 1e-14);
        assert!((m(2) - d.variance()).abs() < 1e-14);
        assert!((m(2) - 1.5 * S * S).abs() < 1e-14);
        assert!((m(4) - d.central_m4().unwrap()).abs() < 1e-14);
        assert!((d.u4().unwrap() - crate::binder::U4_PAIR).abs() < 1e-14);
        assert!((crate::binder::binder_u4(m(2), m(4)) + 4.0 / 27.0).abs() < 1e-11);
        assert!((d.std_dev().powi(2) - d.variance()).abs() < 1e-15);
    }

    #[test]
    fn eq11_cdf_is_the_integral_of_the_pdf() {
        let d = law();
        for &x in &[-2.0, 0.1, 0.5, 0.7, 0.8, 1.2, 3.0] {
            let q = integrate(|y| d.pdf(y), C - 15.0 * S, x, S / 4.0);
            assert!((d.cdf(x) - q).abs() < 1e-13, "x = {x}: {} vs {q}", d.cdf(x));
        }
        assert_eq!(d.cdf(C), 0.5);
    }

    /// Eq (11) is the marginal of P(x₁,x₂) = |x₁−x₂| e^{−Σ(x_i−c)²/(2σ²)}/(4√π σ³).
    #[test]
    fn eq11_is_the_marginal_of_the_two_particle_gas() {
        let joint = |x1: f64, x2: f64| {
            (x1 - x2).abs() * (-((x1 - C).powi(2) + (x2 - C).powi(2)) / (2.0 * S * S)).exp()
                / (4.0 * SQRT_PI * S.powi(3))
        };
        for &x in &[0.0, 0.55, 0.7, 0.93, 1.6] {
            let m = integrate_breaks(|y| joint(x, y), C - 15.0 * S, C + 15.0 * S, &[x], S / 4.0);
            assert!((m - rho_pair(x, C, S)).abs() < 1e-13, "x = {x}");
        }
    }

    #[test]
    fn eq11_ln_pdf_is_stable_in_the_tails() {
        let d = law();
        for &x in &[-1.0, 0.2, 0.7, 1.1, 3.0] {
            assert!((d.ln_pdf(x) - d.pdf(x).ln()).abs() < 1e-12);
        }
        // 60σ out the pdf underflows to 0 but ln ρ ≈ −t²/2 − ln(4√πσ) + ln(√(2π) t).
        let t = 60.0;
        let x = C + t * S;
        assert_eq!(d.pdf(x), 0.0);
        let asym = -0.5 * t * t - (4.0 * SQRT_PI * S).ln() + (SQRT_2PI * t).ln();
        assert!((d.ln_pdf(x) - asym).abs() < 1e-12);
        assert!(d.cdf(C - 60.0 * S) >= 0.0 && d.cdf(C + 60.0 * S) == 1.0);
    }

    #[test]
    fn eq11_rejects_bad_parameters() {
        assert!(PairDensity::new(0.0, 0.0).is_err());
        assert!(PairDensity::new(0.0, -1.0).is_err());
        assert!(PairDensity::new(f64::NAN, 1.0).is_err());
        assert!(PairDensity::new(0.0, f64::INFINITY).is_err());
        assert!(rho_pair(0.0, 0.0, -1.0).is_nan());
    }
}
