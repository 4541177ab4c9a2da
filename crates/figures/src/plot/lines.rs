//! Trajectories: many thin translucent lines, thick mean lines, dashed fits (Fig. 4).

use plotters::backend::DrawingBackend;
use plotters::coord::Shift;
use plotters::drawing::DrawingArea;
use plotters::style::RGBColor;

use super::elements::{Glyph, Stroke};
use super::frame::{self, Axes};
use super::{check_alpha, check_finite, Curve, Plot};
use crate::error::{FigureError, Result};
use crate::style;

/// A bundle of trajectories `ys[k][i]` sampled at the common times `x[i]` (e.g. 20 ensemble
/// members), drawn as thin translucent lines of one colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    /// Legend text; `None` keeps it out of the legend (usually the mean curve carries it).
    pub label: Option<String>,
    /// Common abscissae (e.g. epochs).
    pub x: Vec<f64>,
    /// One trajectory per member, each with `x.len()` values.
    pub ys: Vec<Vec<f64>>,
    /// Colour; `None` takes the next colour of the cycle.
    pub color: Option<RGBColor>,
    /// Opacity of each line.
    pub alpha: f64,
    /// Line width in pixels (`None`: a quarter of the theme's line width, at least 1).
    pub width: Option<u32>,
}

impl Default for Bundle {
    fn default() -> Self {
        Bundle {
            label: None,
            x: Vec::new(),
            ys: Vec::new(),
            color: None,
            alpha: 0.3,
            width: None,
        }
    }
}

impl Bundle {
    /// An unlabelled bundle.
    pub fn new(x: Vec<f64>, ys: Vec<Vec<f64>>) -> Self {
        Bundle {
            x,
            ys,
            ..Default::default()
        }
    }

    /// Set the colour.
    pub fn color(mut self, c: RGBColor) -> Self {
        self.color = Some(c);
        self
    }

    /// Set the legend label.
    pub fn label(mut self, l: impl Into<String>) -> Self {
        self.label = Some(l.into());
        self
    }

    /// Set the opacity.
    pub fn alpha(mut self, a: f64) -> Self {
        self.alpha = a;
        self
    }

    /// The member-wise mean as a thick solid curve in the bundle's colour (if set).
    ///
    /// Sums run in member order, so the result is reproducible.
    pub fn mean_curve(&self, label: impl Into<String>) -> Curve {
        let n = self.ys.len().max(1) as f64;
        let y = (0..self.x.len())
            .map(|i| {
                self.ys
                    .iter()
                    .map(|m| m.get(i).copied().unwrap_or(f64::NAN))
                    .sum::<f64>()
                    / n
            })
            .collect();
        Curve {
            label: Some(label.into()),
            x: self.x.clone(),
            y,
            color: self.color,
            ..Default::default()
        }
    }

    fn validate(&self, i: usize) -> Result<()> {
        let name = format!("bundle {i} '{}'", self.label.as_deref().unwrap_or(""));
        if self.x.is_empty() || self.ys.is_empty() {
            return Err(FigureError::invalid(format!("{name} is empty")));
        }
        check_finite(&name, "x", &self.x)?;
        for (k, m) in self.ys.iter().enumerate() {
            if m.len() != self.x.len() {
                return Err(FigureError::invalid(format!(
                    "{name}: member {k} has {} values for {} times",
                    m.len(),
                    self.x.len()
                )));
            }
            check_finite(&name, &format!("ys[{k}]"), m)?;
        }
        check_alpha(&name, self.alpha)
    }
}

/// Trajectory bundles with mean and fit curves.
///
/// Default ranges: x is the data's extent, unpadded; y the data's extent padded by 5 %.
#[derive(Debug, Clone, Default)]
pub struct LinePlot {
    /// Title, axis descriptions, ranges, reference lines, legend position, sizes.
    pub axes: Axes,
    /// Thin translucent trajectories, drawn first.
    pub bundles: Vec<Bundle>,
    /// Curves on top: thick solid means ([`Bundle::mean_curve`]) and dashed fits.
    pub curves: Vec<Curve>,
}

impl LinePlot {
    fn ranges(&self) -> ((f64, f64), (f64, f64)) {
        let x = self.axes.x_range.unwrap_or_else(|| {
            let e = self
                .bundles
                .iter()
                .map(|b| frame::extent(&b.x))
                .chain(self.curves.iter().map(|c| frame::extent(&c.x)))
                .fold(None, frame::union);
            frame::pad_range(e.unwrap_or((0.0, 1.0)), 0.0)
        });
        let y = self.axes.y_range.unwrap_or_else(|| {
            let e = self
                .bundles
                .iter()
                .flat_map(|b| b.ys.iter().map(frame::extent))
                .chain(self.curves.iter().map(|c| frame::extent(&c.y)))
                .chain(self.axes.hlines.iter().map(|h| Some((h.y, h.y))))
                .fold(None, frame::union);
            frame::pad_range(e.unwrap_or((0.0, 1.0)), 0.05)
        });
        (x, y)
    }
}

impl Plot for LinePlot {
    fn size(&self) -> (u32, u32) {
        self.axes.size()
    }

    fn validate(&self) -> Result<()> {
        if self.bundles.is_empty() && self.curves.is_empty() {
            return Err(FigureError::invalid(
                "line plot has neither bundles nor curves",
            ));
        }
        for (i, b) in self.bundles.iter().enumerate() {
            b.validate(i)?;
        }
        for (i, c) in self.curves.iter().enumerate() {
            c.validate(&format!("curve {i}"))?;
        }
        self.axes.validate()
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, scale: f64) -> Result<()> {
        let mut cv = self.axes.begin(area, scale, self.ranges())?;
        for b in &self.bundles {
            let c = cv.colors.pick(b.color);
            let width = b
                .width
                .map(|w| frame::px(w, scale))
                .unwrap_or((cv.t.line_width / 4).max(1));
            let stroke = Stroke {
                color: style::with_alpha(c, b.alpha),
                width,
                dash: None,
            };
            for m in &b.ys {
                let pts: Vec<(f64, f64)> = b.x.iter().copied().zip(m.iter().copied()).collect();
                cv.polyline(&pts, &stroke)?;
            }
            cv.legend.add(b.label.as_deref(), Glyph::Line(stroke));
        }
        cv.reference_lines()?;
        for c in &self.curves {
            let glyph = cv.curve(c)?;
            cv.legend.add(c.label.as_deref(), glyph);
        }
        cv.finish()
    }
}
