//! Errors of the analysis.

use thiserror::Error;

/// What went wrong in an analysis.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum SpectralError {
    /// The data cannot support the statistic (too few samples, no spread, ...).
    #[error("{0}")]
    Data(String),
    /// A fit failed or did not converge.
    #[error("{0}")]
    Fit(String),
    /// Invalid options.
    #[error("{0}")]
    Invalid(String),
    /// An error of the closed-form layer.
    #[error(transparent)]
    Gas(#[from] coulomb_gas::GasError),
}
