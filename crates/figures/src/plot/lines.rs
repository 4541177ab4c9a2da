//! Trajectories: many thin translucent lines, thick mean lines, dashed fits (Fig. 4).

use plotters::backend::DrawingBackend;
use plotters::coord::Shift;
use plotters::drawing::DrawingArea;
use plotters::style::RGBColor;

use super::elements::{Glyph, Stroke};
use super::frame::{self, AxesSpec, Colors, Legend};
use super::histogram::curve_stroke;
use super::{check_alpha, check_finite, check_lines, check_range, Curve, HLine, Plot, VLine};
use crate::error::{FigureError, Result};
use crate::style::{self, LegendPosition, Theme};

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
#[derive(Debug, Clone, Default)]
pub struct LinePlot {
    /// Title above the axes.
    pub title: Option<String>,
    /// x axis description, e.g. `"epoch t"`.
    pub x_label: String,
    /// y axis description, e.g. `"s²"`.
    pub y_label: String,
    /// Thin translucent trajectories, drawn first.
    pub bundles: Vec<Bundle>,
    /// Curves on top: thick solid means ([`Bundle::mean_curve`]) and dashed fits.
    pub curves: Vec<Curve>,
    /// Vertical reference lines.
    pub vlines: Vec<VLine>,
    /// Horizontal reference lines (e.g. the teacher's values).
    pub hlines: Vec<HLine>,
    /// x range (`None`: the data's extent, unpadded).
    pub x_range: Option<(f64, f64)>,
    /// y range (`None`: the data's extent, padded by 5 %).
    pub y_range: Option<(f64, f64)>,
    /// Legend position.
    pub legend: LegendPosition,
    /// Sizes.
    pub theme: Theme,
}

impl LinePlot {
    fn ranges(&self) -> ((f64, f64), (f64, f64)) {
        let x = self.x_range.unwrap_or_else(|| {
            let e = self
                .bundles
                .iter()
                .map(|b| frame::extent(&b.x))
                .chain(self.curves.iter().map(|c| frame::extent(&c.x)))
                .fold(None, frame::union);
            frame::pad_range(e.unwrap_or((0.0, 1.0)), 0.0)
        });
        let y = self.y_range.unwrap_or_else(|| {
            let e = self
                .bundles
                .iter()
                .flat_map(|b| b.ys.iter().map(frame::extent))
                .chain(self.curves.iter().map(|c| frame::extent(&c.y)))
                .chain(self.hlines.iter().map(|h| Some((h.y, h.y))))
                .fold(None, frame::union);
            frame::pad_range(e.unwrap_or((0.0, 1.0)), 0.05)
        });
        (x, y)
    }
}

impl Plot for LinePlot {
    fn size(&self) -> (u32, u32) {
        (self.theme.width, self.theme.height)
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
        check_lines(&self.vlines, &self.hlines)?;
        check_range("x_range", self.x_range)?;
        check_range("y_range", self.y_range)?;
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, scale: f64) -> Result<()> {
        let t = self.theme.scaled(scale);
        let (x, y) = self.ranges();
        let spec = AxesSpec {
            title: self.title.as_deref(),
            x_label: &self.x_label,
            y_label: &self.y_label,
            x,
            y,
        };
        let mut chart = frame::build_chart(area, &spec, &t)?;
        let mut colors = Colors::new();
        let mut legend = Legend::default();

        for b in &self.bundles {
            let c = colors.pick(b.color);
            let width = b
                .width
                .map(|w| frame::px(w, scale))
                .unwrap_or((t.line_width / 4).max(1));
            let stroke = Stroke {
                color: style::with_alpha(c, b.alpha),
                width,
                dash: None,
            };
            for m in &b.ys {
                let pts: Vec<(f64, f64)> = b.x.iter().copied().zip(m.iter().copied()).collect();
                frame::draw_clipped(&mut chart, &pts, &stroke, x, y, &mut legend)?;
            }
            legend.add(b.label.as_deref(), Glyph::Line(stroke));
        }
        frame::draw_ref_lines(
            &mut chart,
            &self.vlines,
            &self.hlines,
            x,
            y,
            &t,
            &mut legend,
        )?;
        for c in &self.curves {
            let stroke = curve_stroke(c, &mut colors, &t, scale);
            let pts: Vec<(f64, f64)> = c.x.iter().copied().zip(c.y.iter().copied()).collect();
            frame::draw_clipped(&mut chart, &pts, &stroke, x, y, &mut legend)?;
            legend.add(c.label.as_deref(), Glyph::Line(stroke));
        }
        frame::finish(&chart, &legend, self.legend, &t)
    }
}
