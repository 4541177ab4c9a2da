//! Curves `y(x)`: analytic laws, fits and means, drawn as polylines over every plot kind.

use plotters::style::RGBColor;

use super::{check_alpha, check_finite};
use crate::error::{FigureError, Result};
use crate::style::Dash;

/// An analytic or fitted curve `y(x)` drawn as a polyline (solid, dashed, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// Legend text; `None` keeps it out of the legend.
    pub label: Option<String>,
    /// Abscissae.
    pub x: Vec<f64>,
    /// Ordinates (same length as `x`).
    pub y: Vec<f64>,
    /// Colour; `None` takes the next colour of the cycle.
    pub color: Option<RGBColor>,
    /// Stroke pattern.
    pub dash: Dash,
    /// Stroke width in pixels (`None`: the theme's line width).
    pub width: Option<u32>,
    /// Opacity in `[0, 1]`.
    pub alpha: f64,
}

impl Default for Curve {
    fn default() -> Self {
        Curve {
            label: None,
            x: Vec::new(),
            y: Vec::new(),
            color: None,
            dash: Dash::Solid,
            width: None,
            alpha: 1.0,
        }
    }
}

impl Curve {
    /// A labelled solid curve through the given points.
    pub fn new(label: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        Curve {
            label: Some(label.into()),
            x,
            y,
            ..Default::default()
        }
    }

    /// Sample `f` at `n` equally spaced points of `[lo, hi]` (`f` must be finite there).
    pub fn from_fn(
        label: impl Into<String>,
        (lo, hi): (f64, f64),
        n: usize,
        f: impl Fn(f64) -> f64,
    ) -> Self {
        let n = n.max(2);
        let x: Vec<f64> = (0..n)
            .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
            .collect();
        let y = x.iter().map(|&v| f(v)).collect();
        Curve::new(label, x, y)
    }

    /// The straight line `y = slope * x` over `[lo, hi]` (e.g. a fitted σ = a·sqrt(α/|B|)).
    pub fn line_through_origin(label: impl Into<String>, slope: f64, (lo, hi): (f64, f64)) -> Self {
        Curve::new(label, vec![lo, hi], vec![slope * lo, slope * hi])
    }

    /// Remove the label (keeps the curve out of the legend).
    pub fn unlabelled(mut self) -> Self {
        self.label = None;
        self
    }

    /// Set the stroke pattern.
    pub fn dash(mut self, dash: Dash) -> Self {
        self.dash = dash;
        self
    }

    /// Shorthand for `dash(Dash::Dashed)`.
    pub fn dashed(self) -> Self {
        self.dash(Dash::Dashed)
    }

    /// Set the colour.
    pub fn color(mut self, c: RGBColor) -> Self {
        self.color = Some(c);
        self
    }

    /// Set the stroke width in pixels.
    pub fn width(mut self, w: u32) -> Self {
        self.width = Some(w);
        self
    }

    /// Set the opacity.
    pub fn alpha(mut self, a: f64) -> Self {
        self.alpha = a;
        self
    }

    pub(crate) fn validate(&self, what: &str) -> Result<()> {
        let name = format!("{what} '{}'", self.label.as_deref().unwrap_or(""));
        if self.x.is_empty() {
            return Err(FigureError::invalid(format!("{name} has no points")));
        }
        if self.x.len() != self.y.len() {
            return Err(FigureError::invalid(format!(
                "{name}: {} x values but {} y values",
                self.x.len(),
                self.y.len()
            )));
        }
        check_finite(&name, "x", &self.x)?;
        check_finite(&name, "y", &self.y)?;
        check_alpha(&name, self.alpha)?;
        Ok(())
    }
}
