//! Reference lines: vertical ([`VLine`], e.g. a target eigenvalue) and horizontal ([`HLine`],
//! e.g. a ratio of 1), part of the [`super::Axes`].

use plotters::style::RGBColor;

use crate::style::{self, Dash};

/// A vertical reference line (e.g. a target eigenvalue), dashed grey by default.
#[derive(Debug, Clone, PartialEq)]
pub struct VLine {
    /// Position on the x axis.
    pub x: f64,
    /// Legend text (entries with equal labels are shown once).
    pub label: Option<String>,
    /// Colour.
    pub color: RGBColor,
    /// Stroke pattern.
    pub dash: Dash,
    /// Stroke width (`None`: half the theme's line width).
    pub width: Option<u32>,
}

impl VLine {
    /// A dashed grey line at `x`.
    pub fn new(x: f64) -> Self {
        VLine {
            x,
            label: None,
            color: style::GREY,
            dash: Dash::Dashed,
            width: None,
        }
    }

    /// Set the legend label.
    pub fn label(mut self, l: impl Into<String>) -> Self {
        self.label = Some(l.into());
        self
    }

    /// Set the colour.
    pub fn color(mut self, c: RGBColor) -> Self {
        self.color = c;
        self
    }
}

impl From<f64> for VLine {
    fn from(x: f64) -> Self {
        VLine::new(x)
    }
}

/// A horizontal reference line (e.g. ratio = 1), dashed grey by default.
#[derive(Debug, Clone, PartialEq)]
pub struct HLine {
    /// Position on the y axis.
    pub y: f64,
    /// Legend text (entries with equal labels are shown once).
    pub label: Option<String>,
    /// Colour.
    pub color: RGBColor,
    /// Stroke pattern.
    pub dash: Dash,
    /// Stroke width (`None`: half the theme's line width).
    pub width: Option<u32>,
}

impl HLine {
    /// A dashed grey line at `y`.
    pub fn new(y: f64) -> Self {
        HLine {
            y,
            label: None,
            color: style::GREY,
            dash: Dash::Dashed,
            width: None,
        }
    }

    /// Set the legend label.
    pub fn label(mut self, l: impl Into<String>) -> Self {
        self.label = Some(l.into());
        self
    }

    /// Set the colour.
    pub fn color(mut self, c: RGBColor) -> Self {
        self.color = c;
        self
    }
}

impl From<f64> for HLine {
    fn from(y: f64) -> Self {
        HLine::new(y)
    }
}
