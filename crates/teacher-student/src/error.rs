//! Errors of the teacher-student crate. Every message names the offending quantity and its value.

/// Everything that can go wrong in `teacher-student`. Bad input never panics: it ends up here.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum TsError {
    /// The learning rate is not a finite number > 0.
    #[error("invalid learning rate α = {0}: must be finite and > 0")]
    LearningRate(f64),
    /// The batch size is zero.
    #[error("invalid batch size |B| = 0: need at least one data point per minibatch")]
    BatchSize,
    /// The noise strength is negative or not finite.
    #[error("invalid noise = {0}: must be finite and >= 0")]
    Noise(f64),
    /// A count that must be at least one is zero (epochs, batches per epoch, seeds, ...).
    #[error("invalid {name} = 0: must be at least 1")]
    Zero {
        /// What was zero.
        name: &'static str,
    },
    /// Matrix shapes do not fit together.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// A parameter is out of its domain (non-finite matrix entry, negative width, ...).
    #[error("invalid parameter: {0}")]
    Invalid(String),
    /// The weights became non-finite (the step is unstable: α·λ_max(ZᵀZ·C_B) too large).
    #[error("divergence: {0}")]
    Diverged(String),
    /// A fit failed (passed up from `coulomb-gas`).
    #[error("fit failed: {0}")]
    Fit(String),
}

impl From<coulomb_gas::GasError> for TsError {
    fn from(e: coulomb_gas::GasError) -> Self {
        TsError::Fit(e.to_string())
    }
}

/// `value` if it is finite and > 0, otherwise [`TsError::Invalid`] naming it.
pub(crate) fn check_positive(name: &str, value: f64) -> Result<f64, TsError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(TsError::Invalid(format!(
            "{name} = {value}: must be finite and > 0"
        )))
    }
}
