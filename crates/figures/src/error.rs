//! The error type of the `figures` library.

/// Everything that can go wrong while validating plot input, rendering or writing files.
#[derive(Debug, thiserror::Error)]
pub enum FigureError {
    /// The data handed to a plot or writer is unusable (empty, NaN, mismatched lengths, ...).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// plotters failed while drawing.
    #[error("rendering failed: {0}")]
    Render(String),
    /// PNG encoding or decoding failed.
    #[error("PNG encoding failed: {0}")]
    Png(String),
    /// Writing or reading a file (CSV, JSON, PNG, SVG, `MANIFEST`) failed.
    #[error(transparent)]
    Output(#[from] runner::Error),
}

impl FigureError {
    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        FigureError::InvalidInput(msg.into())
    }
}

/// `Result` with [`FigureError`].
pub type Result<T, E = FigureError> = std::result::Result<T, E>;
