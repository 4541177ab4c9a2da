//! Axes, ticks, the box frame, the legend, clipping and the colour cycle shared by all plots.

use std::collections::HashSet;

use plotters::backend::DrawingBackend;
use plotters::chart::{ChartBuilder, ChartContext};
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::drawing::DrawingArea;
use plotters::element::{Rectangle, Text};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, RGBColor, ShapeStyle};

use super::elements::{Glyph, LegendGlyph, Polyline, Stroke};
use super::{render_err, HLine, VLine};
use crate::error::Result;
use crate::style::{self, Dash, LegendPosition, Theme};

pub(crate) type Coord = Cartesian2d<TickAxis, TickAxis>;
pub(crate) type Chart<'a, DB> = ChartContext<'a, DB, Coord>;

/// A linear f64 axis whose tick positions are exactly the given values.
#[derive(Clone)]
pub(crate) struct TickAxis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ranged for TickAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        RangedCoordf64::from(self.lo..self.hi).map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.max_num_points() == 0 {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// What the axes show.
pub(crate) struct AxesSpec<'s> {
    pub title: Option<&'s str>,
    pub x_label: &'s str,
    pub y_label: &'s str,
    pub x: (f64, f64),
    pub y: (f64, f64),
}

/// Tick positions at "nice" values (1, 2, 2.5, 5 x 10^k) inside `[lo, hi]`, at most about
/// `target` of them, and the number of decimals that shows them exactly.
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, usize) {
    let span = hi - lo;
    if span.is_nan() || span <= 0.0 || !span.is_finite() {
        return (vec![lo], 0);
    }
    let target = target.max(2) as f64;
    let raw = span / target;
    let exp = raw.log10().floor();
    let mag = 10f64.powf(exp);
    let mut chosen = (10.0, mag * 10.0);
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        let step = m * mag;
        if span / step <= target + 1e-9 {
            chosen = (m, step);
            break;
        }
    }
    let (m, step) = chosen;
    let k0 = (lo / step - 1e-9).ceil() as i64;
    let k1 = (hi / step + 1e-9).floor() as i64;
    let ticks: Vec<f64> = (k0..=k1).map(|k| k as f64 * step).collect();
    let step_exp = step.log10().floor() as i32;
    let mut decimals = (-step_exp).max(0) as usize;
    if m == 2.5 && step_exp <= 0 {
        decimals += 1;
    }
    (ticks, decimals)
}

/// Format a tick value with `decimals` decimals (scientific for very large/small values), with
/// a typographic minus sign.
pub(crate) fn fmt_tick(v: f64, decimals: usize, scientific: bool) -> String {
    let s = if v == 0.0 {
        "0".to_owned()
    } else if scientific {
        let s = format!("{v:.2e}");
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mant = mant.trim_end_matches('0').trim_end_matches('.');
        format!("{mant}e{exp}")
    } else {
        format!("{v:.decimals$}")
    };
    let s = if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_owned()
    } else {
        s
    };
    s.replace('-', "\u{2212}")
}

fn needs_scientific(lo: f64, hi: f64, decimals: usize) -> bool {
    lo.abs().max(hi.abs()) >= 1e5 || decimals > 5
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
pub(crate) fn build_chart<'a, DB: DrawingBackend>(
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

/// Clip a polyline to the rectangle `x` x `y` (Liang-Barsky per segment); returns the visible
/// pieces.
pub(crate) fn clip_polyline(
    pts: &[(f64, f64)],
    x: (f64, f64),
    y: (f64, f64),
) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    if pts.len() == 1 {
        let p = pts[0];
        if p.0 >= x.0 && p.0 <= x.1 && p.1 >= y.0 && p.1 <= y.1 {
            out.push(vec![p]);
        }
        return out;
    }
    for w in pts.windows(2) {
        let (a, b) = (w[0], w[1]);
        match clip_segment(a, b, x, y) {
            Some((p, q)) => {
                if cur.last() != Some(&p) {
                    if cur.len() >= 2 {
                        out.push(std::mem::take(&mut cur));
                    }
                    cur.clear();
                    cur.push(p);
                }
                cur.push(q);
            }
            None => {
                if cur.len() >= 2 {
                    out.push(std::mem::take(&mut cur));
                }
                cur.clear();
            }
        }
    }
    if cur.len() >= 2 {
        out.push(cur);
    }
    out
}

fn clip_segment(
    a: (f64, f64),
    b: (f64, f64),
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - x0),
        (dx, x1 - a.0),
        (-dy, a.1 - y0),
        (dy, y1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    let at = |t: f64| {
        if t == 0.0 {
            a
        } else if t == 1.0 {
            b
        } else {
            (a.0 + t * dx, a.1 + t * dy)
        }
    };
    Some((at(t0), at(t1)))
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

/// Legend entries collected while drawing, and the drawn points ("ink") used to place the
/// legend where it hides the least.
#[derive(Default)]
pub(crate) struct Legend {
    entries: Vec<(String, Glyph)>,
    seen: HashSet<String>,
    ink: Vec<(f64, f64)>,
}

impl Legend {
    /// Record a drawn point.
    pub fn ink(&mut self, p: (f64, f64)) {
        self.ink.push(p);
    }

    /// Record a drawn polyline, densified so that long straight segments count too.
    pub fn ink_polyline(&mut self, pts: &[(f64, f64)], x: (f64, f64), y: (f64, f64)) {
        let (sx, sy) = (x.1 - x.0, y.1 - y.0);
        if let Some(&p) = pts.first() {
            self.ink.push(p);
        }
        for w in pts.windows(2) {
            let (a, b) = (w[0], w[1]);
            let frac = ((b.0 - a.0).abs() / sx).max((b.1 - a.1).abs() / sy);
            let n = ((frac * 60.0).ceil() as usize).clamp(1, 200);
            for k in 1..=n {
                let t = k as f64 / n as f64;
                self.ink
                    .push((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)));
            }
        }
    }

    /// Add an entry unless the label is missing, empty or already present.
    pub fn add(&mut self, label: Option<&str>, glyph: Glyph) {
        if let Some(l) = label.filter(|l| !l.is_empty()) {
            if self.seen.insert(l.to_owned()) {
                self.entries.push((l.to_owned(), glyph));
            }
        }
    }
}

/// Draw a polyline in data coordinates, clipped to the axes.
pub(crate) fn draw_clipped<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    pts: &[(f64, f64)],
    stroke: &Stroke,
    x: (f64, f64),
    y: (f64, f64),
    legend: &mut Legend,
) -> Result<()> {
    let pieces = clip_polyline(pts, x, y);
    for p in &pieces {
        legend.ink_polyline(p, x, y);
    }
    chart
        .draw_series(pieces.into_iter().map(|points| Polyline {
            points,
            stroke: stroke.clone(),
        }))
        .map_err(render_err)?;
    Ok(())
}

/// Draw the reference lines and register their legend entries.
pub(crate) fn draw_ref_lines<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    vlines: &[VLine],
    hlines: &[HLine],
    x: (f64, f64),
    y: (f64, f64),
    t: &Theme,
    legend: &mut Legend,
) -> Result<()> {
    let half = (t.line_width / 2).max(1);
    for v in vlines {
        let width = v
            .width
            .map(|w| px(w, t.axis_width as f64 / 2.0))
            .unwrap_or(half);
        let stroke = Stroke {
            color: v.color.to_rgba(),
            width,
            dash: dash_px(v.dash, width),
        };
        draw_clipped(chart, &[(v.x, y.0), (v.x, y.1)], &stroke, x, y, legend)?;
        legend.add(v.label.as_deref(), Glyph::Line(stroke));
    }
    for hl in hlines {
        let width = hl
            .width
            .map(|w| px(w, t.axis_width as f64 / 2.0))
            .unwrap_or(half);
        let stroke = Stroke {
            color: hl.color.to_rgba(),
            width,
            dash: dash_px(hl.dash, width),
        };
        draw_clipped(chart, &[(x.0, hl.y), (x.1, hl.y)], &stroke, x, y, legend)?;
        legend.add(hl.label.as_deref(), Glyph::Line(stroke));
    }
    Ok(())
}

/// Draw the box around the plotting area and the legend.
pub(crate) fn finish<DB: DrawingBackend>(
    chart: &Chart<'_, DB>,
    legend: &Legend,
    position: LegendPosition,
    t: &Theme,
) -> Result<()> {
    let area = chart.plotting_area().strip_coord_spec();
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let frame = ShapeStyle {
        color: style::BLACK.to_rgba(),
        filled: false,
        stroke_width: t.axis_width,
    };
    area.draw(&Rectangle::new([(0, 0), (w - 1, h - 1)], frame))
        .map_err(render_err)?;

    if legend.entries.is_empty() || position == LegendPosition::Hidden {
        return Ok(());
    }
    let fs = t.legend_size;
    let text_style = style::text(fs);
    let row_h = (fs * 1.35).round() as i32;
    let glyph_len = (fs * 2.2).round() as i32;
    let pad = (fs * 0.5).round() as i32;
    let gap = (fs * 0.45).round() as i32;
    let inset = (fs * 0.6).round() as i32;
    let mut text_w = 0i32;
    for (label, _) in &legend.entries {
        let (tw, _) = area
            .estimate_text_size(label, &text_style)
            .map_err(render_err)?;
        text_w = text_w.max(tw as i32);
    }
    let box_w = pad + glyph_len + gap + text_w + pad;
    let box_h = 2 * pad + row_h * legend.entries.len() as i32;
    let corner = |p: LegendPosition| match p {
        LegendPosition::UpperRight | LegendPosition::Hidden | LegendPosition::Best => {
            (w - inset - box_w, inset)
        }
        LegendPosition::UpperLeft => (inset, inset),
        LegendPosition::LowerRight => (w - inset - box_w, h - inset - box_h),
        LegendPosition::LowerLeft => (inset, h - inset - box_h),
        LegendPosition::UpperMiddle => ((w - box_w) / 2, inset),
    };
    let (x0, y0) = if position == LegendPosition::Best {
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        let ink: Vec<(i32, i32)> = legend
            .ink
            .iter()
            .map(|p| {
                let (px, py) = chart.backend_coord(p);
                (px - xr.start, py - yr.start)
            })
            .collect();
        let covered = |(cx, cy): (i32, i32)| {
            ink.iter()
                .filter(|(px, py)| *px >= cx && *px <= cx + box_w && *py >= cy && *py <= cy + box_h)
                .count()
        };
        let candidates = [
            LegendPosition::UpperRight,
            LegendPosition::UpperLeft,
            LegendPosition::LowerLeft,
            LegendPosition::LowerRight,
            LegendPosition::UpperMiddle,
        ];
        let mut best = corner(candidates[0]);
        let mut best_n = covered(best);
        for c in &candidates[1..] {
            let pos = corner(*c);
            let n = covered(pos);
            if n < best_n {
                best = pos;
                best_n = n;
            }
        }
        best
    } else {
        corner(position)
    };
    area.draw(&Rectangle::new(
        [(x0, y0), (x0 + box_w, y0 + box_h)],
        style::WHITE.mix(0.9).filled(),
    ))
    .map_err(render_err)?;
    area.draw(&Rectangle::new(
        [(x0, y0), (x0 + box_w, y0 + box_h)],
        ShapeStyle {
            color: RGBColor(80, 80, 80).to_rgba(),
            filled: false,
            stroke_width: (t.axis_width / 2).max(1),
        },
    ))
    .map_err(render_err)?;
    let text_pos = Pos::new(HPos::Left, VPos::Center);
    for (i, (label, glyph)) in legend.entries.iter().enumerate() {
        let cy = y0 + pad + row_h * i as i32 + row_h / 2;
        area.draw(&LegendGlyph {
            anchor: (x0 + pad, cy),
            len: glyph_len,
            height: (fs * 0.8).round() as i32,
            glyph: glyph.clone(),
        })
        .map_err(render_err)?;
        // ab_glyph draws centred text ~0.15 em high; compensate so text and glyph line up.
        area.draw(&Text::new(
            label.clone(),
            (x0 + pad + glyph_len + gap, cy + (0.15 * fs).round() as i32),
            text_style.pos(text_pos),
        ))
        .map_err(render_err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_are_nice() {
        let (t, d) = nice_ticks(0.0, 1.0, 6);
        assert_eq!(t, vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]);
        assert_eq!(d, 1);
        let (t, d) = nice_ticks(-3.0, 7.0, 6);
        assert_eq!(t, vec![-2.0, 0.0, 2.0, 4.0, 6.0]);
        assert_eq!(d, 0);
        let (t, d) = nice_ticks(0.0, 0.1, 5);
        assert_eq!((t.len(), d), (6, 2)); // 0.02 steps
        let (t, d) = nice_ticks(0.0, 0.1, 4);
        assert_eq!(t.len(), 5);
        assert_eq!(d, 3); // 0.025 steps
        assert_eq!(fmt_tick(t[1], d, false), "0.025");
    }

    #[test]
    fn tick_format() {
        assert_eq!(fmt_tick(-0.5, 1, false), "\u{2212}0.5");
        assert_eq!(fmt_tick(-0.0001, 1, false), "0.0");
        assert_eq!(fmt_tick(0.0, 3, false), "0");
        assert_eq!(fmt_tick(1.5e-7, 8, true), "1.5e\u{2212}7");
        assert_eq!(fmt_tick(-2e5, 0, true), "\u{2212}2e5");
    }

    #[test]
    fn clipping() {
        let x = (0.0, 1.0);
        let y = (0.0, 1.0);
        let p = clip_polyline(&[(-1.0, 0.5), (2.0, 0.5)], x, y);
        assert_eq!(p, vec![vec![(0.0, 0.5), (1.0, 0.5)]]);
        let p = clip_polyline(&[(0.2, 0.2), (0.4, 2.0), (0.6, 0.2)], x, y);
        assert_eq!(p.len(), 2);
        assert!(clip_polyline(&[(2.0, 2.0), (3.0, 3.0)], x, y).is_empty());
        let p = clip_polyline(&[(0.1, 0.1), (0.2, 0.2), (0.3, 0.3)], x, y);
        assert_eq!(p, vec![vec![(0.1, 0.1), (0.2, 0.2), (0.3, 0.3)]]);
    }

    #[test]
    fn padding_handles_degenerate_ranges() {
        assert_eq!(pad_range((0.0, 0.0), 0.05), (-0.5, 0.5));
        let (lo, hi) = pad_range((2.0, 2.0), 0.05);
        assert!(lo < 2.0 && hi > 2.0);
    }
}
