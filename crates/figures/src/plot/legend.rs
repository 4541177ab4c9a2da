//! The legend: entries collected while drawing, the drawn points ("ink") that decide where it
//! hides the least, and its box.

use std::collections::HashSet;

use plotters::backend::DrawingBackend;
use plotters::element::{Rectangle, Text};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, RGBColor, ShapeStyle};

use super::elements::{Glyph, LegendGlyph};
use super::frame::Chart;
use super::render_err;
use crate::error::Result;
use crate::style::{self, LegendPosition, Theme};

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

    /// True when no entry was added.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Add an entry unless the label is missing, empty or already present.
    pub fn add(&mut self, label: Option<&str>, glyph: Glyph) {
        if let Some(l) = label.filter(|l| !l.is_empty()) {
            if self.seen.insert(l.to_owned()) {
                self.entries.push((l.to_owned(), glyph));
            }
        }
    }

    /// Draw the legend inside the plotting area of `chart` at `position` (`Best`: the corner
    /// or top middle covering the fewest drawn points).
    pub fn draw<DB: DrawingBackend>(
        &self,
        chart: &Chart<'_, DB>,
        position: LegendPosition,
        t: &Theme,
    ) -> Result<()> {
        let area = chart.plotting_area().strip_coord_spec();
        let (w, h) = area.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        if self.entries.is_empty() || position == LegendPosition::Hidden {
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
        for (label, _) in &self.entries {
            let (tw, _) = area
                .estimate_text_size(label, &text_style)
                .map_err(render_err)?;
            text_w = text_w.max(tw as i32);
        }
        let box_w = pad + glyph_len + gap + text_w + pad;
        let box_h = 2 * pad + row_h * self.entries.len() as i32;
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
            let ink: Vec<(i32, i32)> = self
                .ink
                .iter()
                .map(|p| {
                    let (px, py) = chart.backend_coord(p);
                    (px - xr.start, py - yr.start)
                })
                .collect();
            let covered = |(cx, cy): (i32, i32)| {
                ink.iter()
                    .filter(|(px, py)| {
                        *px >= cx && *px <= cx + box_w && *py >= cy && *py <= cy + box_h
                    })
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
        for (i, (label, glyph)) in self.entries.iter().enumerate() {
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
}
