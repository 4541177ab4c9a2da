//! Custom plotters elements: dashed polylines, markers, error bars and legend glyphs.
//!
//! They take their anchor points in data coordinates (so the chart maps them) and do the rest
//! in pixels, which keeps dash lengths, marker sizes and caps independent of the axis scales.

use plotters::backend::DrawingBackend;
use plotters::element::{Drawable, PointCollection};
use plotters::style::{RGBAColor, ShapeStyle};
use plotters_backend::{BackendCoord, DrawingErrorKind};

use crate::style::Marker;

type DrawResult<DB> = Result<(), DrawingErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A stroke style: colour, width and optional dash pattern (in pixels).
#[derive(Debug, Clone)]
pub(crate) struct Stroke {
    pub color: RGBAColor,
    pub width: u32,
    pub dash: Option<Vec<f64>>,
}

impl Stroke {
    pub fn style(&self) -> ShapeStyle {
        ShapeStyle {
            color: self.color,
            filled: false,
            stroke_width: self.width.max(1),
        }
    }
}

/// A polyline in data coordinates.
pub(crate) struct Polyline {
    pub points: Vec<(f64, f64)>,
    pub stroke: Stroke,
}

impl<'a> PointCollection<'a, (f64, f64)> for &'a Polyline {
    type Point = &'a (f64, f64);
    type IntoIter = &'a [(f64, f64)];
    fn point_iter(self) -> Self::IntoIter {
        &self.points
    }
}

impl<DB: DrawingBackend> Drawable<DB> for Polyline {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        pos: I,
        backend: &mut DB,
        _parent_dim: (u32, u32),
    ) -> DrawResult<DB> {
        let pts: Vec<BackendCoord> = pos.collect();
        stroke_px(backend, &pts, &self.stroke)
    }
}

/// Stroke a pixel polyline, solid or dashed (the dash phase runs on across vertices).
pub(crate) fn stroke_px<DB: DrawingBackend>(
    backend: &mut DB,
    pts: &[BackendCoord],
    stroke: &Stroke,
) -> DrawResult<DB> {
    if pts.len() < 2 {
        return Ok(());
    }
    let style = stroke.style();
    match &stroke.dash {
        None => backend.draw_path(dedup(pts), &style),
        Some(pattern) => {
            for piece in dash_pieces(pts, pattern) {
                if piece.len() >= 2 {
                    backend.draw_path(dedup(&piece), &style)?;
                }
            }
            Ok(())
        }
    }
}

fn dedup(pts: &[BackendCoord]) -> Vec<BackendCoord> {
    let mut out: Vec<BackendCoord> = Vec::with_capacity(pts.len());
    for &p in pts {
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    out
}

/// Split a pixel polyline into the "on" pieces of a dash pattern `[on, off, on, off, ...]`.
pub(crate) fn dash_pieces(pts: &[BackendCoord], pattern: &[f64]) -> Vec<Vec<BackendCoord>> {
    let valid = !pattern.is_empty() && pattern.iter().all(|&l| l > 0.0);
    if !valid {
        return vec![pts.to_vec()];
    }
    let to_px = |(x, y): (f64, f64)| (x.round() as i32, y.round() as i32);
    let mut pieces = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    let (mut idx, mut left) = (0usize, pattern[0]);
    let mut on = true;
    let p0 = pts[0];
    current.push((p0.0 as f64, p0.1 as f64));
    for w in pts.windows(2) {
        let (a, b) = (
            (w[0].0 as f64, w[0].1 as f64),
            (w[1].0 as f64, w[1].1 as f64),
        );
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        if len == 0.0 {
            continue;
        }
        let mut t = 0.0;
        while len - t > left {
            t += left;
            let p = (a.0 + (b.0 - a.0) * t / len, a.1 + (b.1 - a.1) * t / len);
            if on {
                current.push(p);
                pieces.push(current.iter().copied().map(to_px).collect());
                current.clear();
            } else {
                current.push(p);
            }
            on = !on;
            idx = (idx + 1) % pattern.len();
            left = pattern[idx];
        }
        left -= len - t;
        if on {
            current.push(b);
        }
    }
    if on && current.len() >= 2 {
        pieces.push(current.into_iter().map(to_px).collect());
    }
    pieces
}

/// A scatter marker at a data point.
pub(crate) struct MarkerPoint {
    pub at: (f64, f64),
    pub marker: Marker,
    pub radius: i32,
    pub color: RGBAColor,
    pub stroke: u32,
}

impl<'a> PointCollection<'a, (f64, f64)> for &'a MarkerPoint {
    type Point = &'a (f64, f64);
    type IntoIter = std::iter::Once<&'a (f64, f64)>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.at)
    }
}

impl<DB: DrawingBackend> Drawable<DB> for MarkerPoint {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut pos: I,
        backend: &mut DB,
        _parent_dim: (u32, u32),
    ) -> DrawResult<DB> {
        match pos.next() {
            Some(c) => draw_marker(
                backend,
                c,
                self.marker,
                self.radius,
                self.color,
                self.stroke,
            ),
            None => Ok(()),
        }
    }
}

/// Draw one marker centred at pixel `c`.
pub(crate) fn draw_marker<DB: DrawingBackend>(
    backend: &mut DB,
    (x, y): BackendCoord,
    marker: Marker,
    r: i32,
    color: RGBAColor,
    stroke: u32,
) -> DrawResult<DB> {
    let fill = ShapeStyle {
        color,
        filled: true,
        stroke_width: 1,
    };
    let line = ShapeStyle {
        color,
        filled: false,
        stroke_width: stroke.max(1),
    };
    let rf = r as f64;
    let poly = |pts: &[(f64, f64)]| -> Vec<BackendCoord> {
        pts.iter()
            .map(|(dx, dy)| (x + (rf * dx).round() as i32, y + (rf * dy).round() as i32))
            .collect()
    };
    match marker {
        Marker::Circle => backend.draw_circle((x, y), r.max(1) as u32, &fill, true),
        Marker::OpenCircle => backend.draw_circle((x, y), r.max(1) as u32, &line, false),
        Marker::Square => backend.fill_polygon(
            poly(&[(-0.9, -0.9), (0.9, -0.9), (0.9, 0.9), (-0.9, 0.9)]),
            &fill,
        ),
        Marker::OpenSquare => backend.draw_path(
            poly(&[
                (-0.85, -0.85),
                (0.85, -0.85),
                (0.85, 0.85),
                (-0.85, 0.85),
                (-0.85, -0.85),
                (0.85, -0.85),
            ]),
            &line,
        ),
        Marker::TriangleUp => {
            backend.fill_polygon(poly(&[(0.0, -1.25), (1.1, 0.7), (-1.1, 0.7)]), &fill)
        }
        Marker::TriangleDown => {
            backend.fill_polygon(poly(&[(0.0, 1.25), (1.1, -0.7), (-1.1, -0.7)]), &fill)
        }
        Marker::Diamond => backend.fill_polygon(
            poly(&[(0.0, -1.3), (1.0, 0.0), (0.0, 1.3), (-1.0, 0.0)]),
            &fill,
        ),
        Marker::Cross => {
            backend.draw_path(poly(&[(-1.0, -1.0), (1.0, 1.0)]), &line)?;
            backend.draw_path(poly(&[(-1.0, 1.0), (1.0, -1.0)]), &line)
        }
        Marker::Plus => {
            backend.draw_path(poly(&[(-1.2, 0.0), (1.2, 0.0)]), &line)?;
            backend.draw_path(poly(&[(0.0, -1.2), (0.0, 1.2)]), &line)
        }
    }
}

/// An error bar between two data points (already clipped), with caps at the ends that were
/// not clipped.
pub(crate) struct ErrorBar {
    pub ends: [(f64, f64); 2],
    pub caps: [bool; 2],
    pub cap_half: i32,
    pub stroke: Stroke,
    pub vertical: bool,
}

impl<'a> PointCollection<'a, (f64, f64)> for &'a ErrorBar {
    type Point = &'a (f64, f64);
    type IntoIter = &'a [(f64, f64)];
    fn point_iter(self) -> Self::IntoIter {
        &self.ends
    }
}

impl<DB: DrawingBackend> Drawable<DB> for ErrorBar {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        pos: I,
        backend: &mut DB,
        _parent_dim: (u32, u32),
    ) -> DrawResult<DB> {
        let p: Vec<BackendCoord> = pos.collect();
        if p.len() != 2 {
            return Ok(());
        }
        let style = self.stroke.style();
        backend.draw_path(vec![p[0], p[1]], &style)?;
        let h = self.cap_half;
        for (c, &cap) in p.iter().zip(&self.caps) {
            if cap && h > 0 {
                let seg = if self.vertical {
                    vec![(c.0 - h, c.1), (c.0 + h, c.1)]
                } else {
                    vec![(c.0, c.1 - h), (c.0, c.1 + h)]
                };
                backend.draw_path(seg, &style)?;
            }
        }
        Ok(())
    }
}

/// What a legend entry shows left of its text.
#[derive(Debug, Clone)]
pub(crate) enum Glyph {
    /// A line sample.
    Line(Stroke),
    /// A filled box with an edge (histograms).
    Patch {
        fill: RGBAColor,
        edge: Option<Stroke>,
    },
    /// A marker, optionally with a vertical error bar through it.
    Marker {
        marker: Marker,
        radius: i32,
        color: RGBAColor,
        stroke: u32,
        errorbar: bool,
    },
}

/// A legend glyph: `anchor` is the left-centre pixel, `len` x `height` the box it fills.
pub(crate) struct LegendGlyph {
    pub anchor: BackendCoord,
    pub len: i32,
    pub height: i32,
    pub glyph: Glyph,
}

impl<'a> PointCollection<'a, BackendCoord> for &'a LegendGlyph {
    type Point = &'a BackendCoord;
    type IntoIter = std::iter::Once<&'a BackendCoord>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.anchor)
    }
}

impl<DB: DrawingBackend> Drawable<DB> for LegendGlyph {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut pos: I,
        backend: &mut DB,
        _parent_dim: (u32, u32),
    ) -> DrawResult<DB> {
        let Some((x, y)) = pos.next() else {
            return Ok(());
        };
        let (len, h) = (self.len, self.height);
        match &self.glyph {
            Glyph::Line(stroke) => stroke_px(backend, &[(x, y), (x + len, y)], stroke),
            Glyph::Patch { fill, edge } => {
                let (x0, y0, x1, y1) = (x + len / 8, y - h / 2, x + len - len / 8, y + h / 2);
                let fill = ShapeStyle {
                    color: *fill,
                    filled: true,
                    stroke_width: 1,
                };
                backend.draw_rect((x0, y0), (x1, y1), &fill, true)?;
                if let Some(e) = edge {
                    stroke_px(
                        backend,
                        &[(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0), (x1, y0)],
                        e,
                    )?;
                }
                Ok(())
            }
            Glyph::Marker {
                marker,
                radius,
                color,
                stroke,
                errorbar,
            } => {
                let c = (x + len / 2, y);
                if *errorbar {
                    let s = Stroke {
                        color: *color,
                        width: *stroke,
                        dash: None,
                    };
                    let (t, b) = (y - h / 2, y + h / 2);
                    stroke_px(backend, &[(c.0, t), (c.0, b)], &s)?;
                    stroke_px(backend, &[(c.0 - radius, t), (c.0 + radius, t)], &s)?;
                    stroke_px(backend, &[(c.0 - radius, b), (c.0 + radius, b)], &s)?;
                }
                draw_marker(backend, c, *marker, *radius, *color, *stroke)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashes_cover_on_parts_only() {
        let pieces = dash_pieces(&[(0, 0), (100, 0)], &[10.0, 5.0]);
        // on: 0-10, 15-25, ..., 90-100 -> 7 pieces
        assert_eq!(pieces.len(), 7);
        assert_eq!(pieces[0], vec![(0, 0), (10, 0)]);
        assert_eq!(pieces[1], vec![(15, 0), (25, 0)]);
        assert_eq!(pieces[6], vec![(90, 0), (100, 0)]);
    }

    #[test]
    fn dash_phase_continues_across_vertices() {
        let pieces = dash_pieces(&[(0, 0), (6, 0), (6, 8)], &[10.0, 4.0]);
        assert_eq!(pieces[0], vec![(0, 0), (6, 0), (6, 4)]);
    }

    #[test]
    fn degenerate_patterns_fall_back_to_solid() {
        assert_eq!(dash_pieces(&[(0, 0), (5, 5)], &[]).len(), 1);
        assert_eq!(dash_pieces(&[(0, 0), (5, 5)], &[0.0, 1.0]).len(), 1);
    }
}
