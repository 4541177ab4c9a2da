//! Errors of the core crate.

/// Everything that can go wrong in `langevin-core`; messages name the offending quantity.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum CoreError {
    /// A parameter is out of its domain (lr <= 0, batch 0, NaN, ...).
    #[error("invalid parameter: {0}")]
    Invalid(String),
    /// Lengths or matrix shapes do not fit together.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// The state became non-finite (a divergent run).
    #[error("divergence: {0}")]
    Divergence(String),
    /// The implicit solver did not converge.
    #[error("solver failed: {0}")]
    Solver(String),
}
