//! Points with error bars and fitted lines (Fig. 3).

use plotters::backend::DrawingBackend;
use plotters::coord::Shift;
use plotters::drawing::DrawingArea;
use plotters::style::{Color, RGBColor};

use super::elements::{ErrorBar, Glyph, MarkerPoint, Stroke};
use super::frame::{self, Axes};
use super::{check_finite, render_err, Curve, Plot};
use crate::error::{FigureError, Result};
use crate::style::{self, Marker};

/// One labelled set of points `(x, y ± yerr)` (optionally `± xerr`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScatterSeries {
    /// Legend text; `None` keeps it out of the legend.
    pub label: Option<String>,
    /// Abscissae.
    pub x: Vec<f64>,
    /// Ordinates.
    pub y: Vec<f64>,
    /// Symmetric errors on y (non-negative), one per point.
    pub yerr: Option<Vec<f64>>,
    /// Symmetric errors on x (non-negative), one per point.
    pub xerr: Option<Vec<f64>>,
    /// Colour; `None` takes the next colour of the cycle.
    pub color: Option<RGBColor>,
    /// Marker; `None` takes the next marker of the cycle.
    pub marker: Option<Marker>,
}

impl ScatterSeries {
    /// A labelled series without error bars.
    pub fn new(label: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        ScatterSeries {
            label: Some(label.into()),
            x,
            y,
            ..Default::default()
        }
    }

    /// Add symmetric y errors.
    pub fn yerr(mut self, e: Vec<f64>) -> Self {
        self.yerr = Some(e);
        self
    }

    /// Add symmetric x errors.
    pub fn xerr(mut self, e: Vec<f64>) -> Self {
        self.xerr = Some(e);
        self
    }

    /// Set the colour.
    pub fn color(mut self, c: RGBColor) -> Self {
        self.color = Some(c);
        self
    }

    /// Set the marker.
    pub fn marker(mut self, m: Marker) -> Self {
        self.marker = Some(m);
        self
    }

    fn validate(&self, i: usize) -> Result<()> {
        let name = format!(
            "scatter series {i} '{}'",
            self.label.as_deref().unwrap_or("")
        );
        if self.x.is_empty() {
            return Err(FigureError::invalid(format!("{name} has no points")));
        }
        let n = self.x.len();
        let check_len = |field: &str, v: &[f64]| {
            if v.len() != n {
                Err(FigureError::invalid(format!(
                    "{name}: {} {field} values for {n} points",
                    v.len()
                )))
            } else {
                Ok(())
            }
        };
        check_len("y", &self.y)?;
        check_finite(&name, "x", &self.x)?;
        check_finite(&name, "y", &self.y)?;
        for (field, e) in [("yerr", &self.yerr), ("xerr", &self.xerr)] {
            if let Some(e) = e {
                check_len(field, e)?;
                check_finite(&name, field, e)?;
                if let Some(j) = e.iter().position(|&v| v < 0.0) {
                    return Err(FigureError::invalid(format!(
                        "{name}: {field}[{j}] is negative"
                    )));
                }
            }
        }
        Ok(())
    }

    fn extent_x(&self) -> Option<(f64, f64)> {
        let e = |i: usize| self.xerr.as_ref().map_or(0.0, |v| v[i]);
        frame::extent(
            (0..self.x.len())
                .flat_map(|i| [self.x[i] - e(i), self.x[i] + e(i)])
                .collect::<Vec<_>>()
                .iter(),
        )
    }

    fn extent_y(&self) -> Option<(f64, f64)> {
        let e = |i: usize| self.yerr.as_ref().map_or(0.0, |v| v[i]);
        frame::extent(
            (0..self.y.len())
                .flat_map(|i| [self.y[i] - e(i), self.y[i] + e(i)])
                .collect::<Vec<_>>()
                .iter(),
        )
    }
}

/// Several series of points with error bars, plus lines (fits such as `y = a·x`, targets).
///
/// Default ranges: the points with their errors, the curves and the reference lines, padded
/// by 5 %.
#[derive(Debug, Clone, Default)]
pub struct ScatterPlot {
    /// Title, axis descriptions, ranges, reference lines, legend position, sizes.
    pub axes: Axes,
    /// The point series.
    pub series: Vec<ScatterSeries>,
    /// Lines drawn under the points (fits).
    pub curves: Vec<Curve>,
}

impl ScatterPlot {
    fn ranges(&self) -> ((f64, f64), (f64, f64)) {
        let x = self.axes.x_range.unwrap_or_else(|| {
            let e = self
                .series
                .iter()
                .map(ScatterSeries::extent_x)
                .chain(self.curves.iter().map(|c| frame::extent(&c.x)))
                .chain(self.axes.vlines.iter().map(|v| Some((v.x, v.x))))
                .fold(None, frame::union);
            frame::pad_range(e.unwrap_or((0.0, 1.0)), 0.05)
        });
        let y = self.axes.y_range.unwrap_or_else(|| {
            let e = self
                .series
                .iter()
                .map(ScatterSeries::extent_y)
                .chain(self.curves.iter().map(|c| {
                    frame::extent(
                        c.x.iter()
                            .zip(&c.y)
                            .filter(|(cx, _)| **cx >= x.0 && **cx <= x.1)
                            .map(|(_, y)| y),
                    )
                }))
                .chain(self.axes.hlines.iter().map(|h| Some((h.y, h.y))))
                .fold(None, frame::union);
            frame::pad_range(e.unwrap_or((0.0, 1.0)), 0.05)
        });
        (x, y)
    }
}

impl Plot for ScatterPlot {
    fn size(&self) -> (u32, u32) {
        self.axes.size()
    }

    fn validate(&self) -> Result<()> {
        if self.series.is_empty() {
            return Err(FigureError::invalid("scatter plot has no series"));
        }
        for (i, s) in self.series.iter().enumerate() {
            s.validate(i)?;
        }
        for (i, c) in self.curves.iter().enumerate() {
            c.validate(&format!("curve {i}"))?;
        }
        self.axes.validate()
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, scale: f64) -> Result<()> {
        let mut cv = self.axes.begin(area, scale, self.ranges())?;
        let (x, y) = (cv.x, cv.y);
        // Resolve series colours first so that they keep the first colours of the cycle.
        let series_colors: Vec<RGBColor> = self
            .series
            .iter()
            .map(|s| cv.colors.pick(s.color))
            .collect();

        cv.reference_lines()?;
        let mut curve_entries = Vec::new();
        for c in &self.curves {
            curve_entries.push((c.label.as_deref(), cv.curve(c)?));
        }

        let bar_w = (cv.t.line_width / 2).max(1);
        let inside = |px: f64, py: f64| px >= x.0 && px <= x.1 && py >= y.0 && py <= y.1;
        for (k, (s, &c)) in self.series.iter().zip(&series_colors).enumerate() {
            let marker = s.marker.unwrap_or_else(|| style::marker(k));
            let stroke = Stroke {
                color: c.to_rgba(),
                width: bar_w,
                dash: None,
            };
            let mut bars = Vec::new();
            for i in 0..s.x.len() {
                let (px, py) = (s.x[i], s.y[i]);
                if let Some(e) = s.yerr.as_ref().map(|v| v[i]).filter(|&e| e > 0.0) {
                    if px >= x.0 && px <= x.1 {
                        let (lo, hi) = (py - e, py + e);
                        let (clo, chi) = (lo.max(y.0), hi.min(y.1));
                        if clo < chi {
                            bars.push(ErrorBar {
                                ends: [(px, clo), (px, chi)],
                                caps: [lo >= y.0, hi <= y.1],
                                cap_half: cv.t.marker_size,
                                stroke: stroke.clone(),
                                vertical: true,
                            });
                        }
                    }
                }
                if let Some(e) = s.xerr.as_ref().map(|v| v[i]).filter(|&e| e > 0.0) {
                    if py >= y.0 && py <= y.1 {
                        let (lo, hi) = (px - e, px + e);
                        let (clo, chi) = (lo.max(x.0), hi.min(x.1));
                        if clo < chi {
                            bars.push(ErrorBar {
                                ends: [(clo, py), (chi, py)],
                                caps: [lo >= x.0, hi <= x.1],
                                cap_half: cv.t.marker_size,
                                stroke: stroke.clone(),
                                vertical: false,
                            });
                        }
                    }
                }
            }
            for b in &bars {
                cv.legend.ink(b.ends[0]);
                cv.legend.ink(b.ends[1]);
            }
            cv.chart.draw_series(bars).map_err(render_err)?;
            for i in (0..s.x.len()).filter(|&i| inside(s.x[i], s.y[i])) {
                cv.legend.ink((s.x[i], s.y[i]));
            }
            let points = (0..s.x.len())
                .filter(|&i| inside(s.x[i], s.y[i]))
                .map(|i| MarkerPoint {
                    at: (s.x[i], s.y[i]),
                    marker,
                    radius: cv.t.marker_size,
                    color: c.to_rgba(),
                    stroke: bar_w,
                });
            cv.chart.draw_series(points).map_err(render_err)?;
            cv.legend.add(
                s.label.as_deref(),
                Glyph::Marker {
                    marker,
                    radius: cv.t.marker_size,
                    color: c.to_rgba(),
                    stroke: bar_w,
                    errorbar: s.yerr.is_some(),
                },
            );
        }
        for (label, glyph) in curve_entries {
            cv.legend.add(label, glyph);
        }
        cv.finish()
    }
}
