//! Eq (31): the Wigner surmise for the spacing S = |x₁ − x₂| of two levels, and its unit-mean form.
//!
//! Under Eq (29) the spacing does not depend on how the two widths are split: only
//! σ_m² = (σ₁² + σ₂²)/2 (Eq 30) enters. For identical species σ_m = σ.

use crate::binder::binder_u4;
use crate::density::Density1D;
use crate::error::{check_positive, GasError};
use crate::special::{SQRT_PI, T_FAR};

const PI: f64 = std::f64::consts::PI;

/// Eq. (31) of the paper: the spacing density of the two-level Coulomb gas (S ≥ 0).
///
/// ```text
/// P(S) = S/(2σ_m²) · exp(−S²/(4σ_m²)),   ⟨S⟩ = √π σ_m,   ⟨S²⟩ = 4σ_m²
/// ```
///
/// Zero for S < 0 (the printed P(S) is the density of |x₁ − x₂|, math-notes §2 item 6).
// ANCHOR: eq31
pub fn surmise_pdf(s: f64, sigma_m: f64) -> f64 {
    if s < 0.0 {
        return 0.0;
    }
    s / (2.0 * sigma_m * sigma_m) * (-s * s / (4.0 * sigma_m * sigma_m)).exp()
}
// ANCHOR_END: eq31

/// The unit-mean Wigner surmise of GOE, i.e. Eq (31) rescaled by ⟨S⟩ (s = S/⟨S⟩).
///
/// ```text
/// p(s) = (π/2) s exp(−π s²/4),   s ≥ 0,   ⟨s⟩ = 1
/// ```
// ANCHOR: surmise_unit
pub fn unit_surmise_pdf(s: f64) -> f64 {
    if s < 0.0 {
        return 0.0;
    }
    0.5 * PI * s * (-0.25 * PI * s * s).exp()
}
// ANCHOR_END: surmise_unit

/// Eq (31) as a law: P(S) with scale σ_m.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Surmise {
    /// σ_m of Eq (30) (for identical species, the σ of Eq 11).
    pub sigma_m: f64,
}

impl Surmise {
    /// Validates σ_m finite and > 0.
    pub fn new(sigma_m: f64) -> Result<Self, GasError> {
        check_positive("sigma_m", sigma_m)?;
        Ok(Self { sigma_m })
    }

    /// The surmise with a given mean spacing ⟨S⟩ = √π σ_m.
    pub fn from_mean_spacing(mean: f64) -> Result<Self, GasError> {
        check_positive("mean spacing", mean)?;
        Self::new(mean / SQRT_PI)
    }

    /// ⟨S²⟩ = 4σ_m².
    pub fn mean_square(&self) -> f64 {
        4.0 * self.sigma_m * self.sigma_m
    }
}

impl Surmise {
    /// ln P(S) in t = S/σ_m (no σ_m² formed): the fallback where the direct form over- or
    /// underflows.
    fn ln_pdf_far(&self, s: f64) -> f64 {
        let t = s / self.sigma_m;
        if t.is_nan() || t <= 0.0 || t >= T_FAR {
            return f64::NEG_INFINITY;
        }
        t.ln() - std::f64::consts::LN_2 - 0.25 * t * t - self.sigma_m.ln()
    }
}

impl Density1D for Surmise {
    /// The direct Eq (31); where it is not finite, exp of the log-space form (0 where P
    /// underflows, +∞ only where P itself exceeds f64).
    fn pdf(&self, s: f64) -> f64 {
        let v = surmise_pdf(s, self.sigma_m);
        if v.is_finite() {
            v
        } else {
            self.ln_pdf_far(s).exp()
        }
    }
    fn ln_pdf(&self, s: f64) -> f64 {
        if s <= 0.0 {
            return f64::NEG_INFINITY;
        }
        let v = self.sigma_m * self.sigma_m;
        s.ln() - (2.0 * v).ln() - s * s / (4.0 * v)
    }
    /// F(S) = 1 − exp(−S²/(4σ_m²)).
    fn cdf(&self, s: f64) -> f64 {
        if s <= 0.0 {
            return 0.0;
        }
        let v = -(-s * s / (4.0 * self.sigma_m * self.sigma_m)).exp_m1();
        if v.is_finite() {
            return v;
        }
        // s² and σ_m² both overflow (or underflow): the same in t = S/σ_m.
        let t = s / self.sigma_m;
        if t < T_FAR {
            -(-0.25 * t * t).exp_m1()
        } else {
            1.0
        }
    }
    fn mean(&self) -> f64 {
        SQRT_PI * self.sigma_m
    }
    /// (4 − π) σ_m².
    fn variance(&self) -> f64 {
        (4.0 - PI) * self.sigma_m * self.sigma_m
    }
    /// (32 − 3π²) σ_m⁴, from ⟨S^k⟩ = √π σ, 4σ², 6√π σ³, 32σ⁴.
    fn central_m4(&self) -> Option<f64> {
        Some((32.0 - 3.0 * PI * PI) * self.sigma_m.powi(4))
    }
    /// U4 does not depend on σ_m: where m2 or m4 over/underflow, the value at σ_m = 1.
    fn u4(&self) -> Option<f64> {
        let v = binder_u4(
            self.variance(),
            (32.0 - 3.0 * PI * PI) * self.sigma_m.powi(4),
        );
        Some(if v.is_finite() {
            v
        } else {
            binder_u4(4.0 - PI, 32.0 - 3.0 * PI * PI)
        })
    }
}

/// The unit-mean surmise (π/2) s e^{−πs²/4}: Eq (31) with σ_m = 1/√π.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct UnitSurmise;

impl Density1D for UnitSurmise {
    fn pdf(&self, s: f64) -> f64 {
        // Past T_FAR the exponential is 0 and s·0 could be ∞·0.
        if s < T_FAR {
            unit_surmise_pdf(s)
        } else {
            0.0
        }
    }
    fn ln_pdf(&self, s: f64) -> f64 {
        if s <= 0.0 {
            return f64::NEG_INFINITY;
        }
        (0.5 * PI).ln() + s.ln() - 0.25 * PI * s * s
    }
    /// 1 − e^{−πs²/4}.
    fn cdf(&self, s: f64) -> f64 {
        if s <= 0.0 {
            return 0.0;
        }
        -(-0.25 * PI * s * s).exp_m1()
    }
    fn mean(&self) -> f64 {
        1.0
    }
    /// 4/π − 1.
    fn variance(&self) -> f64 {
        4.0 / PI - 1.0
    }
    /// (32 − 3π²)/π².
    fn central_m4(&self) -> Option<f64> {
        Some((32.0 - 3.0 * PI * PI) / (PI * PI))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quad::integrate;

    #[test]
    fn eq31_moments_and_cdf_by_quadrature() {
        let sm = 0.37;
        let d = Surmise::new(sm).unwrap();
        let m = |k: i32| integrate(|s| s.powi(k) * d.pdf(s), 0.0, 20.0 * sm, sm / 4.0);
        assert!((m(0) - 1.0).abs() < 1e-14);
        assert!((m(1) - d.mean()).abs() < 1e-14);
        assert!((m(1) - SQRT_PI * sm).abs() < 1e-14);
        assert!((m(2) - d.mean_square()).abs() < 1e-14);
        assert!((m(3) - 6.0 * SQRT_PI * sm.powi(3)).abs() < 1e-14);
        assert!((m(4) - 32.0 * sm.powi(4)).abs() < 1e-14);
        let mu = d.mean();
        let c2 = integrate(|s| (s - mu).powi(2) * d.pdf(s), 0.0, 20.0 * sm, sm / 4.0);
        let c4 = integrate(|s| (s - mu).powi(4) * d.pdf(s), 0.0, 20.0 * sm, sm / 4.0);
        assert!((c2 - d.variance()).abs() < 1e-14);
        assert!((c4 - d.central_m4().unwrap()).abs() < 1e-14);
        for &s in &[0.0, 0.1, 0.5, 1.0, 2.5] {
            let q = integrate(|u| d.pdf(u), 0.0, s, sm / 4.0);
            assert!((d.cdf(s) - q).abs() < 1e-14);
            if s > 0.0 {
                assert!((d.ln_pdf(s) - d.pdf(s).ln()).abs() < 1e-13);
            }
        }
        assert_eq!(d.pdf(-1.0), 0.0);
        assert_eq!(d.cdf(-1.0), 0.0);
        assert!(Surmise::new(0.0).is_err() && Surmise::new(f64::NAN).is_err());
        assert!((Surmise::from_mean_spacing(2.0).unwrap().mean() - 2.0).abs() < 1e-15);
    }

    #[test]
    fn unit_surmise_is_eq31_at_unit_mean() {
        let u = UnitSurmise;
        let d = Surmise::new(1.0 / SQRT_PI).unwrap();
        for &s in &[0.0, 0.3, 1.0, 1.7, 4.0] {
            assert!((u.pdf(s) - d.pdf(s)).abs() < 1e-15);
            assert!((u.cdf(s) - d.cdf(s)).abs() < 1e-15);
        }
        assert!((u.mean() - d.mean()).abs() < 1e-15);
        assert!((u.variance() - d.variance()).abs() < 1e-15);
        assert!((u.central_m4().unwrap() - d.central_m4().unwrap()).abs() < 1e-14);
        let m2 = integrate(|s| s * s * u.pdf(s), 0.0, 12.0, 0.1);
        assert!((m2 - 4.0 / PI).abs() < 1e-14);
    }

    /// Eq (31) is the density of |x₁ − x₂| under Eq (29), for unequal widths too:
    /// P(S) = ∫ dy [P₂₉(y+S, y) + P₂₉(y, y+S)].
    #[test]
    fn eq31_is_the_spacing_law_of_eq29() {
        let (s1, s2) = (0.4, 1.3);
        let sm = crate::two_species::sigma_m(s1, s2);
        let n0 = 4.0 * SQRT_PI * s1 * s2 * sm;
        let p29 = |x1: f64, x2: f64| {
            (x1 - x2).abs() * (-x1 * x1 / (2.0 * s1 * s1) - x2 * x2 / (2.0 * s2 * s2)).exp() / n0
        };
        for &s in &[0.05, 0.5, 1.2, 3.0] {
            let v = integrate(|y| p29(y + s, y) + p29(y, y + s), -20.0, 20.0, 0.1);
            assert!((v - surmise_pdf(s, sm)).abs() < 1e-13, "S = {s}");
        }
    }
}
