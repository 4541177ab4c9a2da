//! Errors of the Coulomb-gas crate. Every message names the offending quantity and its value.

use langevin_core::CoreError;

/// Everything that can go wrong in `coulomb-gas`. Bad input never panics: it ends up here.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum GasError {
    /// A parameter is outside its domain (σ ≤ 0, NaN, N = 0, ...).
    #[error("invalid parameter: {0}")]
    Invalid(String),
    /// No data where data are needed (empty sample, fewer points than parameters).
    #[error("not enough data: {0}")]
    NotEnoughData(String),
    /// The input contains NaN or ±∞.
    #[error("non-finite input: {0}")]
    NonFinite(String),
    /// The data are degenerate for the requested operation (zero IQR, coincident particles).
    #[error("degenerate input: {0}")]
    Degenerate(String),
    /// Lengths do not fit together.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// An optimiser failed (singular normal equations, no finite likelihood, ...).
    #[error("fit failed: {0}")]
    Fit(String),
    /// An error passed up from `langevin-core`.
    #[error(transparent)]
    Core(#[from] CoreError),
}

/// Checks that `value` is finite and strictly positive; `name` goes into the message.
pub(crate) fn check_positive(name: &str, value: f64) -> Result<f64, GasError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(GasError::Invalid(format!(
            "{name} = {value}: must be finite and > 0"
        )))
    }
}

/// Checks that `value` is finite; `name` goes into the message.
pub(crate) fn check_finite(name: &str, value: f64) -> Result<f64, GasError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(GasError::Invalid(format!(
            "{name} = {value}: must be finite"
        )))
    }
}

/// Checks that a sample is non-empty and contains only finite values.
pub(crate) fn check_samples(name: &str, samples: &[f64]) -> Result<(), GasError> {
    if samples.is_empty() {
        return Err(GasError::NotEnoughData(format!("{name} is empty")));
    }
    if let Some((i, v)) = samples.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(GasError::NonFinite(format!("{name}[{i}] = {v}")));
    }
    Ok(())
}
