//! Histograms of densities with analytic curves and target lines (Figs. 2 and 5).

use coulomb_gas::Histogram;
use plotters::backend::DrawingBackend;
use plotters::coord::Shift;
use plotters::drawing::DrawingArea;
use plotters::element::Rectangle;
use plotters::style::{Color, RGBColor, ShapeStyle};

use super::elements::{Glyph, Stroke};
use super::frame::{self, Axes};
use super::{check_alpha, check_finite, check_range, render_err, Curve, Plot};
use crate::error::{FigureError, Result};
use crate::style;

/// How a histogram is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HistStyle {
    /// Translucent filled bars with a solid step outline (the default).
    #[default]
    Filled,
    /// Only the step outline.
    Step,
    /// Only translucent filled bars.
    Bars,
}

/// One histogram: bin edges and a height (usually a probability density) per bin.
#[derive(Debug, Clone, PartialEq)]
pub struct HistSeries {
    /// Legend text; `None` keeps it out of the legend.
    pub label: Option<String>,
    /// Bin edges, strictly increasing, `heights.len() + 1` of them.
    pub edges: Vec<f64>,
    /// Bin heights, non-negative.
    pub heights: Vec<f64>,
    /// Colour; `None` takes the next colour of the cycle.
    pub color: Option<RGBColor>,
    /// Bars, step outline or both.
    pub style: HistStyle,
    /// Opacity of the fill.
    pub fill_alpha: f64,
}

impl HistSeries {
    /// A labelled histogram from pre-computed bins.
    pub fn new(label: impl Into<String>, edges: Vec<f64>, heights: Vec<f64>) -> Self {
        HistSeries {
            label: Some(label.into()),
            edges,
            heights,
            color: None,
            style: HistStyle::Filled,
            fill_alpha: 0.35,
        }
    }

    /// The densities of a [`Histogram`] (numpy's `density=True`; all zero when no sample fell
    /// inside its range).
    pub fn from_histogram(label: impl Into<String>, h: &Histogram) -> Self {
        let heights = if h.n == 0 {
            vec![0.0; h.len()]
        } else {
            h.density()
        };
        HistSeries::new(label, h.edges.clone(), heights)
    }

    /// Bin `samples` into `bins` equal bins over `range` (default: the samples' min..max) with
    /// [`Histogram::fixed`] (numpy's `histogram`: samples outside are ignored, `hi` goes into
    /// the last bin) and normalise to a probability density over the samples inside.
    pub fn from_samples(
        label: impl Into<String>,
        samples: &[f64],
        bins: usize,
        range: Option<(f64, f64)>,
    ) -> Result<Self> {
        let label = label.into();
        let h = bin_samples(samples, bins, range)
            .map_err(|e| FigureError::invalid(format!("histogram '{label}': {e}")))?;
        Ok(HistSeries::from_histogram(label, &h))
    }

    /// Remove the label.
    pub fn unlabelled(mut self) -> Self {
        self.label = None;
        self
    }

    /// Set the colour.
    pub fn color(mut self, c: RGBColor) -> Self {
        self.color = Some(c);
        self
    }

    /// Set the drawing style.
    pub fn style(mut self, s: HistStyle) -> Self {
        self.style = s;
        self
    }

    /// Set the fill opacity.
    pub fn fill_alpha(mut self, a: f64) -> Self {
        self.fill_alpha = a;
        self
    }

    fn validate(&self, i: usize) -> Result<()> {
        let name = format!("histogram {i} '{}'", self.label.as_deref().unwrap_or(""));
        if self.heights.is_empty() {
            return Err(FigureError::invalid(format!("{name} has no bins")));
        }
        if self.edges.len() != self.heights.len() + 1 {
            return Err(FigureError::invalid(format!(
                "{name}: {} edges for {} bins (need bins + 1)",
                self.edges.len(),
                self.heights.len()
            )));
        }
        check_finite(&name, "edges", &self.edges)?;
        check_finite(&name, "heights", &self.heights)?;
        if let Some(w) = self.edges.windows(2).position(|w| w[1] <= w[0]) {
            return Err(FigureError::invalid(format!(
                "{name}: edges not strictly increasing at index {w}"
            )));
        }
        if let Some(j) = self.heights.iter().position(|&h| h < 0.0) {
            return Err(FigureError::invalid(format!(
                "{name}: heights[{j}] is negative"
            )));
        }
        check_alpha(&name, self.fill_alpha)
    }
}

/// [`Histogram::fixed`] of finite samples over `range` or their min..max.
fn bin_samples(samples: &[f64], bins: usize, range: Option<(f64, f64)>) -> Result<Histogram> {
    check_finite("samples", "samples", samples)?;
    check_range("histogram range", range)?;
    let (lo, hi) = match range {
        Some(r) => r,
        None => frame::extent(samples).ok_or_else(|| FigureError::invalid("no samples"))?,
    };
    if bins == 0 {
        return Err(FigureError::invalid("0 bins"));
    }
    Histogram::fixed(samples, lo, hi, bins).map_err(|e| FigureError::invalid(e.to_string()))
}

/// Histograms with analytic curves on top and optional dashed vertical target lines.
///
/// Default ranges: x covers all bins, curves and vlines, padded by 2 %; y runs from 0 to 108 %
/// of the highest bar or curve.
#[derive(Debug, Clone, Default)]
pub struct HistogramPlot {
    /// Title, axis descriptions, ranges, reference lines, legend position, sizes.
    pub axes: Axes,
    /// Histograms, drawn in order (first at the back).
    pub series: Vec<HistSeries>,
    /// Curves drawn over the histograms.
    pub curves: Vec<Curve>,
}

impl HistogramPlot {
    fn ranges(&self) -> ((f64, f64), (f64, f64)) {
        let xs = self
            .series
            .iter()
            .map(|s| frame::extent(&s.edges))
            .chain(self.curves.iter().map(|c| frame::extent(&c.x)))
            .chain(self.axes.vlines.iter().map(|v| Some((v.x, v.x))))
            .fold(None, frame::union);
        let x = self
            .axes
            .x_range
            .unwrap_or_else(|| frame::pad_range(xs.unwrap_or((0.0, 1.0)), 0.02));
        let y = self.axes.y_range.unwrap_or_else(|| {
            let top = self
                .series
                .iter()
                .flat_map(|s| {
                    s.heights
                        .iter()
                        .zip(s.edges.windows(2))
                        .filter(|(_, e)| e[1] >= x.0 && e[0] <= x.1)
                        .map(|(h, _)| *h)
                })
                .chain(self.curves.iter().flat_map(|c| {
                    c.x.iter()
                        .zip(&c.y)
                        .filter(|(cx, _)| **cx >= x.0 && **cx <= x.1)
                        .map(|(_, y)| *y)
                }))
                .chain(self.axes.hlines.iter().map(|h| h.y))
                .fold(0.0f64, f64::max);
            if top > 0.0 {
                (0.0, top * 1.08)
            } else {
                (0.0, 1.0)
            }
        });
        (x, y)
    }
}

impl Plot for HistogramPlot {
    fn size(&self) -> (u32, u32) {
        self.axes.size()
    }

    fn validate(&self) -> Result<()> {
        if self.series.is_empty() && self.curves.is_empty() {
            return Err(FigureError::invalid(
                "histogram plot has neither histograms nor curves",
            ));
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
        let outline_w = (cv.t.line_width * 2 / 3).max(1);

        for s in &self.series {
            let c = cv.colors.pick(s.color);
            let fill = style::with_alpha(c, s.fill_alpha);
            let edge = Stroke {
                color: c.to_rgba(),
                width: outline_w,
                dash: None,
            };
            if s.style != HistStyle::Step {
                let rects: Vec<((f64, f64), (f64, f64))> = s
                    .edges
                    .windows(2)
                    .zip(&s.heights)
                    .filter_map(|(e, &h)| {
                        let (l, r) = (e[0].max(x.0), e[1].min(x.1));
                        let (b, top) = (y.0.max(0.0), h.min(y.1));
                        (l < r && top > b).then_some(((l, b), (r, top)))
                    })
                    .collect();
                for &((l, b), (r, top)) in &rects {
                    for k in 0..=4 {
                        cv.legend
                            .ink((0.5 * (l + r), b + (top - b) * k as f64 / 4.0));
                    }
                }
                let bars = rects.into_iter().map(|(p, q)| {
                    Rectangle::new(
                        [p, q],
                        ShapeStyle {
                            color: fill,
                            filled: true,
                            stroke_width: 0,
                        },
                    )
                });
                cv.chart.draw_series(bars).map_err(render_err)?;
            }
            if s.style != HistStyle::Bars {
                let mut pts = Vec::with_capacity(2 * s.heights.len() + 2);
                pts.push((s.edges[0], 0.0));
                for (e, &h) in s.edges.windows(2).zip(&s.heights) {
                    pts.push((e[0], h));
                    pts.push((e[1], h));
                }
                pts.push((*s.edges.last().expect("validated"), 0.0));
                cv.polyline(&pts, &edge)?;
            }
            let glyph = match s.style {
                HistStyle::Filled => Glyph::Patch {
                    fill,
                    edge: Some(edge),
                },
                HistStyle::Bars => Glyph::Patch { fill, edge: None },
                HistStyle::Step => Glyph::Patch {
                    fill: style::WHITE.to_rgba(),
                    edge: Some(edge),
                },
            };
            cv.legend.add(s.label.as_deref(), glyph);
        }

        cv.reference_lines()?;

        for c in &self.curves {
            let glyph = cv.curve(c)?;
            cv.legend.add(c.label.as_deref(), glyph);
        }

        cv.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn density_integrates_to_one() {
        let s: Vec<f64> = (0..1000).map(|i| (i as f64 * 0.37).sin()).collect();
        let h = HistSeries::from_samples("s", &s, 17, None).unwrap();
        let integral: f64 = h
            .edges
            .windows(2)
            .zip(&h.heights)
            .map(|(e, h)| (e[1] - e[0]) * h)
            .sum();
        assert!((integral - 1.0).abs() < 1e-12);
        assert_eq!(h.edges.len(), 18);
    }

    #[test]
    fn density_errors() {
        let bins = |s: &[f64], n, r| HistSeries::from_samples("s", s, n, r);
        assert!(bins(&[], 10, None).is_err());
        assert!(bins(&[1.0], 0, None).is_err());
        assert!(bins(&[1.0, f64::NAN], 10, None).is_err());
        assert!(bins(&[1.0], 10, Some((1.0, 1.0))).is_err());
        // a single value gets a unit-wide range
        assert_eq!(
            bins(&[3.0, 3.0], 2, None).unwrap().edges,
            vec![2.5, 3.0, 3.5]
        );
        // no sample inside the range: empty bars, not NaN
        assert_eq!(
            bins(&[5.0], 2, Some((0.0, 1.0))).unwrap().heights,
            vec![0.0; 2]
        );
    }
}
