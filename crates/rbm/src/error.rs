//! Errors of the RBM crate. Every message names the offending quantity and its value.

/// Everything that can go wrong in `rbm`. Bad input never panics: it ends up here.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum RbmError {
    /// The learning rate is not a finite number > 0.
    #[error("invalid learning rate α = {0}: must be finite and > 0")]
    LearningRate(f64),
    /// The batch size (number of persistent chains) is zero.
    #[error("invalid batch size |B| = 0: need at least one persistent chain")]
    BatchSize,
    /// No training steps.
    #[error("invalid number of epochs = 0: need at least one SGD step")]
    Epochs,
    /// No realisations to run.
    #[error("invalid number of realisations = 0: need at least one")]
    Realisations,
    /// A model or target parameter is out of its domain (μ² ≤ 0, σ_h ≤ 0, m² < 0, NaN, ...).
    #[error("invalid parameter: {0}")]
    Invalid(String),
    /// Snapshot epochs outside 1..=epochs.
    #[error("invalid snapshot epoch {epoch}: must lie in 1..={epochs}")]
    Snapshot {
        /// The requested snapshot.
        epoch: usize,
        /// The number of epochs of the run.
        epochs: usize,
    },
}

/// `value` if it is finite and > 0, otherwise an [`RbmError::Invalid`] naming it.
pub(crate) fn check_positive(name: &str, value: f64) -> Result<f64, RbmError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(RbmError::Invalid(format!(
            "{name} = {value}: must be finite and > 0"
        )))
    }
}
