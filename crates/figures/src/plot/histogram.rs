//! Histograms of densities with analytic curves and target lines (Figs. 2 and 5).

use plotters::backend::DrawingBackend;
use plotters::coord::Shift;
use plotters::drawing::DrawingArea;
use plotters::element::Rectangle;
use plotters::style::{Color, RGBColor, ShapeStyle};

use super::elements::{Glyph, Stroke};
use super::frame::{self, AxesSpec, Colors, Legend};
use super::{
    check_alpha, check_finite, check_lines, check_range, render_err, Curve, HLine, Plot, VLine,
};
use crate::error::{FigureError, Result};
use crate::style::{self, LegendPosition, Theme};

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

    /// Bin `samples` into `bins` equal bins over `range` (default: the samples' min..max) and
    /// normalise to a probability density (numpy's `density=True`: the bars integrate to 1 over
    /// the samples inside the range; samples outside are ignored, `hi` goes into the last bin).
    pub fn from_samples(
        label: impl Into<String>,
        samples: &[f64],
        bins: usize,
        range: Option<(f64, f64)>,
    ) -> Result<Self> {
        let label = label.into();
        let (edges, heights) = density_histogram(samples, bins, range)
            .map_err(|e| FigureError::invalid(format!("histogram '{label}': {e}")))?;
        Ok(HistSeries::new(label, edges, heights))
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

/// Equal-width density histogram of finite samples (see [`HistSeries::from_samples`]).
pub fn density_histogram(
    samples: &[f64],
    bins: usize,
    range: Option<(f64, f64)>,
) -> Result<(Vec<f64>, Vec<f64>)> {
    if samples.is_empty() {
        return Err(FigureError::invalid("no samples"));
    }
    if bins == 0 {
        return Err(FigureError::invalid("0 bins"));
    }
    check_finite("samples", "samples", samples)?;
    let (lo, hi) = match range {
        Some(r) => {
            check_range("histogram range", Some(r))?;
            r
        }
        None => {
            let (lo, hi) = frame::extent(samples).expect("non-empty");
            if hi > lo {
                (lo, hi)
            } else {
                (lo - 0.5, hi + 0.5)
            }
        }
    };
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0u64; bins];
    let mut inside = 0u64;
    for &s in samples {
        if s < lo || s > hi {
            continue;
        }
        let k = (((s - lo) / width) as usize).min(bins - 1);
        counts[k] += 1;
        inside += 1;
    }
    let edges: Vec<f64> = (0..=bins).map(|k| lo + width * k as f64).collect();
    let norm = if inside == 0 {
        0.0
    } else {
        1.0 / (inside as f64 * width)
    };
    let heights = counts.iter().map(|&c| c as f64 * norm).collect();
    Ok((edges, heights))
}

/// Histograms with analytic curves on top and optional dashed vertical target lines.
#[derive(Debug, Clone, Default)]
pub struct HistogramPlot {
    /// Title above the axes (`None`: no title, as in the paper's panels).
    pub title: Option<String>,
    /// x axis description, e.g. `"x"` or `"λ"`.
    pub x_label: String,
    /// y axis description, e.g. `"ρ(x)"`.
    pub y_label: String,
    /// Histograms, drawn in order (first at the back).
    pub series: Vec<HistSeries>,
    /// Curves drawn over the histograms.
    pub curves: Vec<Curve>,
    /// Vertical reference lines (dashed grey unless set otherwise).
    pub vlines: Vec<VLine>,
    /// Horizontal reference lines.
    pub hlines: Vec<HLine>,
    /// x range (`None`: all bins, curves and vlines, padded by 2 %).
    pub x_range: Option<(f64, f64)>,
    /// y range (`None`: 0 to 108 % of the highest bar or curve).
    pub y_range: Option<(f64, f64)>,
    /// Legend position.
    pub legend: LegendPosition,
    /// Sizes.
    pub theme: Theme,
}

impl HistogramPlot {
    fn ranges(&self) -> ((f64, f64), (f64, f64)) {
        let xs = self
            .series
            .iter()
            .map(|s| frame::extent(&s.edges))
            .chain(self.curves.iter().map(|c| frame::extent(&c.x)))
            .chain(self.vlines.iter().map(|v| Some((v.x, v.x))))
            .fold(None, frame::union);
        let x = self
            .x_range
            .unwrap_or_else(|| frame::pad_range(xs.unwrap_or((0.0, 1.0)), 0.02));
        let y = self.y_range.unwrap_or_else(|| {
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
                .chain(self.hlines.iter().map(|h| h.y))
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
        (self.theme.width, self.theme.height)
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
        let outline_w = (t.line_width * 2 / 3).max(1);

        for s in &self.series {
            let c = colors.pick(s.color);
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
                        legend.ink((0.5 * (l + r), b + (top - b) * k as f64 / 4.0));
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
                chart.draw_series(bars).map_err(render_err)?;
            }
            if s.style != HistStyle::Bars {
                let mut pts = Vec::with_capacity(2 * s.heights.len() + 2);
                pts.push((s.edges[0], 0.0));
                for (e, &h) in s.edges.windows(2).zip(&s.heights) {
                    pts.push((e[0], h));
                    pts.push((e[1], h));
                }
                pts.push((*s.edges.last().expect("validated"), 0.0));
                frame::draw_clipped(&mut chart, &pts, &edge, x, y, &mut legend)?;
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
            legend.add(s.label.as_deref(), glyph);
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

/// The stroke of a curve: its colour (or the next of the cycle), width and dash pattern.
pub(crate) fn curve_stroke(c: &Curve, colors: &mut Colors, t: &Theme, scale: f64) -> Stroke {
    let color = colors.pick(c.color);
    let width = c.width.map(|w| frame::px(w, scale)).unwrap_or(t.line_width);
    Stroke {
        color: style::with_alpha(color, c.alpha),
        width,
        dash: frame::dash_px(c.dash, width),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn density_integrates_to_one() {
        let s: Vec<f64> = (0..1000).map(|i| (i as f64 * 0.37).sin()).collect();
        let (e, h) = density_histogram(&s, 17, None).unwrap();
        let integral: f64 = e.windows(2).zip(&h).map(|(e, h)| (e[1] - e[0]) * h).sum();
        assert!((integral - 1.0).abs() < 1e-12);
        assert_eq!(e.len(), 18);
    }

    #[test]
    fn density_errors() {
        assert!(density_histogram(&[], 10, None).is_err());
        assert!(density_histogram(&[1.0], 0, None).is_err());
        assert!(density_histogram(&[1.0, f64::NAN], 10, None).is_err());
        assert!(density_histogram(&[1.0], 10, Some((1.0, 1.0))).is_err());
        // a single value gets a unit-wide range
        let (e, _) = density_histogram(&[3.0, 3.0], 2, None).unwrap();
        assert_eq!(e, vec![2.5, 3.0, 3.5]);
    }
}
