//! The one-dimensional density interface shared by every law of the crate, and the Gaussian
//! (the law of a non-degenerate eigenvalue, fitted next to Eq 11 by the authors).

use crate::binder::binder_u4;
use crate::error::{check_finite, check_positive, GasError};
use crate::special::{norm_cdf, LN_SQRT_2PI, SQRT_2PI};

/// A probability density on the real line with its distribution function and moments.
pub trait Density1D {
    /// ρ(x).
    fn pdf(&self, x: f64) -> f64;
    /// ln ρ(x), computed without underflow where ρ is positive.
    fn ln_pdf(&self, x: f64) -> f64;
    /// F(x) = ∫_{−∞}^x ρ.
    fn cdf(&self, x: f64) -> f64;
    /// ⟨x⟩.
    fn mean(&self) -> f64;
    /// ⟨(x − ⟨x⟩)²⟩.
    fn variance(&self) -> f64;
    /// ⟨(x − ⟨x⟩)⁴⟩ where a closed form is known.
    fn central_m4(&self) -> Option<f64> {
        None
    }
    /// Binder cumulant U4 = m4/(3 m2²) − 1 of Eq (12) about the mean, where m4 is known.
    fn u4(&self) -> Option<f64> {
        self.central_m4().map(|m4| binder_u4(self.variance(), m4))
    }
    /// The log-likelihood Σ ln ρ(x_i) of a sample, summed in order.
    fn log_likelihood(&self, xs: &[f64]) -> f64 {
        xs.iter().map(|&x| self.ln_pdf(x)).sum()
    }
}

/// Normal law N(centre, sigma²).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Gaussian {
    /// Mean.
    pub centre: f64,
    /// Standard deviation (> 0).
    pub sigma: f64,
}

impl Gaussian {
    /// Validates a finite centre and a finite σ > 0.
    pub fn new(centre: f64, sigma: f64) -> Result<Self, GasError> {
        check_finite("centre", centre)?;
        check_positive("sigma", sigma)?;
        Ok(Self { centre, sigma })
    }
}

impl Gaussian {
    /// [`Density1D::ln_pdf`] given `ln_sigma = σ.ln()` (computed once per likelihood).
    #[inline]
    pub(crate) fn ln_pdf_with(&self, x: f64, ln_sigma: f64) -> f64 {
        let t = (x - self.centre) / self.sigma;
        -0.5 * t * t - LN_SQRT_2PI - ln_sigma
    }
}

impl Density1D for Gaussian {
    fn pdf(&self, x: f64) -> f64 {
        let t = (x - self.centre) / self.sigma;
        (-0.5 * t * t).exp() / (SQRT_2PI * self.sigma)
    }
    fn ln_pdf(&self, x: f64) -> f64 {
        self.ln_pdf_with(x, self.sigma.ln())
    }
    fn cdf(&self, x: f64) -> f64 {
        norm_cdf((x - self.centre) / self.sigma)
    }
    fn mean(&self) -> f64 {
        self.centre
    }
    fn variance(&self) -> f64 {
        self.sigma * self.sigma
    }
    fn central_m4(&self) -> Option<f64> {
        Some(3.0 * self.sigma.powi(4))
    }
}
