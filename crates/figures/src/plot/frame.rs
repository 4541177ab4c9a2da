//! The frame every plot kind shares ([`Axes`]: title, axis descriptions, ranges, reference
//! lines, legend position, sizes) and the drawing it does for them: the chart with its ticks and
//! labels, the colour cycle, clipped polylines, the reference lines, the box and the legend.

use plotters::backend::DrawingBackend;
use plotters::chart::{ChartBuilder, ChartContext};
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::Shift;
use plotters::drawing::DrawingArea;
use plotters::element::Rectangle;
use plotters::style::{Color, RGBColor, ShapeStyle};

use super::clip::clip_polyline;
use super::elements::{Glyph, Polyline, Stroke};
use super::legend::Legend;
use super::ticks::{fmt_tick, needs_scientific, nice_ticks, TickAxis};
use super::{check_range, render_err, Curve, HLine, VLine};
use crate::error::{FigureError, Result};
use crate::style::{self, Dash, LegendPosition, Theme};

pub(crate) type Coord = Cartesian2d<TickAxis, TickAxis>;
pub(crate) type Chart<'a, DB> = ChartContext<'a, DB, Coord>;

/// The frame of a plot: what every plot kind has besides its data.
#[derive(Debug, Clone, Default)]
pub struct Axes {
    /// Title above the axes (`None`: no title, as in the paper's panels).
    pub title: Option<String>,
    /// x axis description, e.g. `"x"`, `"λ"` or `"α/|B|"`.
    pub x_label: String,
    /// y axis description, e.g. `"ρ(x)"`.
    pub y_label: String,
    /// Vertical reference lines (e.g. target eigenvalues; dashed grey unless set otherwise).
    pub vlines: Vec<VLine>,
    /// Horizontal reference lines (e.g. a ratio of 1 or the teacher's values).
    pub hlines: Vec<HLine>,
    /// x range (`None`: each plot kind's default from its data).
    pub x_range: Option<(f64, f64)>,
    /// y range (`None`: each plot kind's default from its data).
    pub y_range: Option<(f64, f64)>,
    /// Legend position.
    pub legend: LegendPosition,
    /// Sizes.
    pub theme: Theme,
}

impl Axes {
    /// Axes with these descriptions and everything else default.
    pub fn new(x_label: impl Into<String>, y_label: impl Into<String>) -> Self {
        Axes {
            x_label: x_label.into(),
            y_label: y_label.into(),
            ..Default::default()
        }
    }

    /// Output size in pixels (width, height).
    pub fn size(&self) -> (u32, u32) {
        (self.theme.width, self.theme.height)
    }

    /// Check the reference lines (finite) and the fixed ranges (finite, lo < hi).
    pub(crate) fn validate(&self) -> Result<()> {
        for (i, v) in self.vlines.iter().enumerate() {
            if !v.x.is_finite() {
                return Err(FigureError::invalid(format!(
                    "vline {i} at {} is not finite",
                    v.x
                )));
            }
        }
        for (i, h) in self.hlines.iter().enumerate() {
            if !h.y.is_finite() {
                return Err(FigureError::invalid(format!(
                    "hline {i} at {} is not finite",
                    h.y
                )));
            }
        }
        check_range("x_range", self.x_range)?;
        check_range("y_range", self.y_range)?;
        Ok(())
    }

    /// Start drawing on `area` with every length of the theme multiplied by `scale`: the chart
    /// over `x` × `y` with its title, ticks and axis descriptions, an empty legend and the
    /// colour cycle at its start.
    pub(crate) fn begin<'a, DB: DrawingBackend>(
        &'a self,
        area: &'a DrawingArea<DB, Shift>,
        scale: f64,
        (x, y): ((f64, f64), (f64, f64)),
    ) -> Result<Canvas<'a, DB>> {
        let t = self.theme.scaled(scale);
        let spec = AxesSpec {
            title: self.title.as_deref(),
            x_label: &self.x_label,
            y_label: &self.y_label,
            x,
            y,
        };
        let chart = build_chart(area, &spec, &t)?;
        Ok(Canvas {
            chart,
            t,
            scale,
            x,
            y,
            colors: Colors::new(),
            legend: Legend::default(),
            axes: self,
        })
    }
}

/// A plot being drawn: the chart, the scaled theme, the ranges, the colour cycle and the legend.
pub(crate) struct Canvas<'a, DB: DrawingBackend> {
    pub chart: Chart<'a, DB>,
    /// The theme scaled to the output.
    pub t: Theme,
    /// The scale of the output (explicit pixel widths are multiplied by it).
    pub scale: f64,
    pub x: (f64, f64),
    pub y: (f64, f64),
    pub colors: Colors,
    pub legend: Legend,
    axes: &'a Axes,
}

impl<DB: DrawingBackend> Canvas<'_, DB> {
    /// Draw a polyline in data coordinates, clipped to the axes.
    pub fn polyline(&mut self, pts: &[(f64, f64)], stroke: &Stroke) -> Result<()> {
        let (x, y) = (self.x, self.y);
        let pieces = clip_polyline(pts, x, y);
        for p in &pieces {
            self.legend.ink_polyline(p, x, y);
        }
        self.chart
            .draw_series(pieces.into_iter().map(|points| Polyline {
                points,
                stroke: stroke.clone(),
            }))
            .map_err(render_err)?;
        Ok(())
    }

    /// Draw a curve (its colour, or the next of the cycle); returns its legend glyph.
    pub fn curve(&mut self, c: &Curve) -> Result<Glyph> {
        let color = self.colors.pick(c.color);
        let width = c
            .width
            .map(|w| px(w, self.scale))
            .unwrap_or(self.t.line_width);
        let stroke = Stroke {
            color: style::with_alpha(color, c.alpha),
            width,
            dash: dash_px(c.dash, width),
        };
        let pts: Vec<(f64, f64)> = c.x.iter().copied().zip(c.y.iter().copied()).collect();
        self.polyline(&pts, &stroke)?;
        Ok(Glyph::Line(stroke))
    }

    /// Draw the axes' reference lines and register their legend entries.
    pub fn reference_lines(&mut self) -> Result<()> {
        let axes = self.axes;
        let (x, y) = (self.x, self.y);
        let half = (self.t.line_width / 2).max(1);
        let thin = self.t.axis_width as f64 / 2.0;
        let lines = axes
            .vlines
            .iter()
            .map(|v| (v.width, v.color, v.dash, [(v.x, y.0), (v.x, y.1)], &v.label))
            .chain(
                axes.hlines
                    .iter()
                    .map(|h| (h.width, h.color, h.dash, [(x.0, h.y), (x.1, h.y)], &h.label)),
            );
        for (width, color, dash, ends, label) in lines {
            let width = width.map(|w| px(w, thin)).unwrap_or(half);
            let stroke = Stroke {
                color: color.to_rgba(),
                width,
                dash: dash_px(dash, width),
            };
            self.polyline(&ends, &stroke)?;
            self.legend.add(label.as_deref(), Glyph::Line(stroke));
        }
        Ok(())
    }

    /// Draw the box around the plotting area and the legend.
    pub fn finish(self) -> Result<()> {
        let area = self.chart.plotting_area().strip_coord_spec();
        let (w, h) = area.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let frame = ShapeStyle {
            color: style::BLACK.to_rgba(),
            filled: false,
            stroke_width: self.t.axis_width,
        };
        area.draw(&Rectangle::new([(0, 0), (w - 1, h - 1)], frame))
            .map_err(render_err)?;
        if self.legend.is_empty() || self.axes.legend == LegendPosition::Hidden {
            return Ok(());
        }
        self.legend.draw(&self.chart, self.axes.legend, &self.t)
    }
}

/// What the axes show.
struct AxesSpec<'s> {
    title: Option<&'s str>,
    x_label: &'s str,
    y_label: &'s str,
    x: (f64, f64),
    y: (f64, f64),
}

/// Pad `[lo, hi]` by `frac` of its span on both sides; widen degenerate ranges.
pub(crate) fn pad_range((lo, hi): (f64, f64), frac: f64) -> (f64, f64) {
    if hi > lo {
        let d = (hi - lo) * frac;
        (lo - d, hi + d)
    } else {
        let d = if lo == 0.0 { 0.5 } else { lo.abs() * 0.1 };
        (lo - d, hi + d)
    }
}

/// The min and max of some values (`None` if there are none).
pub(crate) fn extent<'a>(values: impl IntoIterator<Item = &'a f64>) -> Option<(f64, f64)> {
    values.into_iter().fold(None, |acc, &v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// Union of two optional extents.
pub(crate) fn union(a: Option<(f64, f64)>, b: Option<(f64, f64)>) -> Option<(f64, f64)> {
    match (a, b) {
        (Some((a0, a1)), Some((b0, b1))) => Some((a0.min(b0), a1.max(b1))),
        (a, None) => a,
        (None, b) => b,
    }
}

/// Set up the chart: caption, label areas sized from the tick labels, axes with outward ticks,
/// tick labels and axis descriptions; no grid.
fn build_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    spec: &AxesSpec<'_>,
    t: &Theme,
) -> Result<Chart<'a, DB>> {
    let (w, h) = area.dim_in_pixel();
    let (xt, xd) = nice_ticks(
        spec.x.0,
        spec.x.1,
        ((w as f64 / t.tick_size) / 6.0).round() as usize,
    );
    let (yt, yd) = nice_ticks(
        spec.y.0,
        spec.y.1,
        ((h as f64 / t.tick_size) / 4.0).round() as usize,
    );
    let (xs, ys) = (
        needs_scientific(spec.x.0, spec.x.1, xd),
        needs_scientific(spec.y.0, spec.y.1, yd),
    );
    let fx = move |v: &f64| fmt_tick(*v, xd, xs);
    let fy = move |v: &f64| fmt_tick(*v, yd, ys);

    let tick_style = style::text(t.tick_size);
    let mut y_tick_w = 0u32;
    for v in &yt {
        let (tw, _) = area
            .estimate_text_size(&fy(v), &tick_style)
            .map_err(render_err)?;
        y_tick_w = y_tick_w.max(tw);
    }
    let last_x_w = match xt.last() {
        Some(v) => {
            area.estimate_text_size(&fx(v), &tick_style)
                .map_err(render_err)?
                .0
        }
        None => 0,
    };
    let gap = t.tick_size * 0.4;
    let desc = |s: &str| {
        if s.is_empty() {
            0.0
        } else {
            t.label_size * 1.3
        }
    };
    let x_area = t.tick_length as f64 + gap + t.tick_size + desc(spec.x_label);
    let y_area = t.tick_length as f64 + gap + y_tick_w as f64 + desc(spec.y_label);

    let mut b = ChartBuilder::on(area);
    b.margin(t.margin)
        .margin_right(t.margin.max(last_x_w / 2 + t.margin / 2))
        .x_label_area_size(x_area.round() as u32)
        .y_label_area_size(y_area.round() as u32);
    if let Some(title) = spec.title.filter(|s| !s.is_empty()) {
        b.caption(title, style::text(t.title_size));
    }
    let mut chart = b
        .build_cartesian_2d(
            TickAxis {
                lo: spec.x.0,
                hi: spec.x.1,
                ticks: xt.clone(),
            },
            TickAxis {
                lo: spec.y.0,
                hi: spec.y.1,
                ticks: yt.clone(),
            },
        )
        .map_err(render_err)?;

    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(xt.len() + 1)
        .y_labels(yt.len() + 1)
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .label_style(tick_style.clone())
        .axis_desc_style(style::text(t.label_size))
        .x_desc(spec.x_label)
        .y_desc(spec.y_label)
        .axis_style(ShapeStyle {
            color: style::BLACK.to_rgba(),
            filled: false,
            stroke_width: t.axis_width,
        })
        .set_all_tick_mark_size(t.tick_length)
        .draw()
        .map_err(render_err)?;
    Ok(chart)
}

/// Hands out the colour cycle to elements without an explicit colour, in drawing order.
pub(crate) struct Colors {
    next: usize,
}

impl Colors {
    pub fn new() -> Self {
        Colors { next: 0 }
    }

    pub fn pick(&mut self, explicit: Option<RGBColor>) -> RGBColor {
        explicit.unwrap_or_else(|| {
            let c = style::color(self.next);
            self.next += 1;
            c
        })
    }
}

/// Scale a dash pattern (in line widths) to pixels.
pub(crate) fn dash_px(dash: Dash, width: u32) -> Option<Vec<f64>> {
    dash.pattern()
        .map(|p| p.iter().map(|l| l * width.max(1) as f64).collect())
}

/// Scale a pixel length.
pub(crate) fn px(v: u32, scale: f64) -> u32 {
    ((v as f64 * scale).round() as u32).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_handles_degenerate_ranges() {
        assert_eq!(pad_range((0.0, 0.0), 0.05), (-0.5, 0.5));
        let (lo, hi) = pad_range((2.0, 2.0), 0.05);
        assert!(lo < 2.0 && hi > 2.0);
    }
}
