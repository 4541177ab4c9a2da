//! Declarative, reusable plot kinds rendered to PNG (canonical) and SVG.
//!
//! Three kinds cover the paper's figures:
//! - [`HistogramPlot`]: densities as filled/step histograms, analytic curves on top, dashed
//!   target lines (Figs. 2 and 5).
//! - [`ScatterPlot`]: points with error bars in several labelled series plus fitted lines
//!   (Fig. 3).
//! - [`LinePlot`]: bundles of thin translucent trajectories, thick mean lines and dashed fits
//!   (Fig. 4).
//!
//! [`Grid`] puts several of them side by side (the paper's left/right panels).
//!
//! Each kind holds an [`Axes`] (title, axis descriptions, ranges, reference lines, legend
//! position, sizes: validated and drawn in one place) and its own data.
//!
//! Every plot implements [`Plot`]: `plot.render(stem)` validates the data (an empty series or a
//! NaN is an error, never a panic), renders both formats in memory and then writes
//! `<stem>.png` and `<stem>.svg` atomically.
//!
//! The PNG is drawn at [`SUPERSAMPLE`] times the size into an RGB buffer, box-filtered down
//! (anti-aliasing) and encoded with fixed settings, so the bytes depend only on the input data
//! and the crate versions: two renders are byte-identical.
//!
//! ```no_run
//! use figures::plot::{Axes, Curve, HistSeries, HistogramPlot, Plot, VLine};
//! # fn main() -> figures::Result<()> {
//! let samples = vec![0.1, -0.3, 0.25, 0.0, 0.4];
//! let plot = HistogramPlot {
//!     axes: Axes {
//!         vlines: vec![VLine::new(0.0)],
//!         ..Axes::new("x", "ρ(x)")
//!     },
//!     series: vec![HistSeries::from_samples("DBM samples", &samples, 20, None)?],
//!     curves: vec![Curve::from_fn("Eq. (11)", (-1.0, 1.0), 400, |x| {
//!         (2.0 / std::f64::consts::PI) * (1.0 - x * x).max(0.0).sqrt()
//!     })],
//! };
//! plot.render(std::path::Path::new("data/example/density"))?;
//! # Ok(()) }
//! ```

mod clip;
mod curve;
pub mod demo;
mod elements;
mod encode;
mod frame;
mod grid;
mod histogram;
mod legend;
mod lines;
mod reference;
mod scatter;
mod ticks;

use std::path::{Path, PathBuf};

use plotters::backend::DrawingBackend;
use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, IntoDrawingArea, SVGBackend};

pub use curve::Curve;
pub use encode::{encode_png, png_dimensions};
pub use frame::Axes;
pub use grid::{Grid, Panel};
pub use histogram::{HistSeries, HistStyle, HistogramPlot};
pub use lines::{Bundle, LinePlot};
pub use reference::{HLine, VLine};
pub use scatter::{ScatterPlot, ScatterSeries};

pub use crate::style::{Dash, LegendPosition, Marker, Theme};
pub use plotters::style::RGBColor;

use crate::error::{FigureError, Result};
use crate::style;
use encode::downsample;
use runner::write_atomic;

/// The PNG is drawn at this multiple of its size and box-filtered down (anti-aliasing).
pub const SUPERSAMPLE: u32 = 2;

/// A plot that can be validated and drawn on any plotters backend.
///
/// Implement [`Plot::draw`] (and [`Plot::size`], [`Plot::validate`]) for a custom plot and get
/// PNG/SVG rendering and atomic file output for free.
pub trait Plot {
    /// Output size in pixels (width, height).
    fn size(&self) -> (u32, u32);

    /// Check the data: non-empty series, finite values, matching lengths, valid ranges.
    fn validate(&self) -> Result<()>;

    /// Draw on `area`, with every length of the theme multiplied by `scale`.
    ///
    /// The area is already filled white. Callers should run [`Plot::validate`] first.
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, scale: f64) -> Result<()>;

    /// Render to PNG bytes (deterministic).
    fn png_bytes(&self) -> Result<Vec<u8>> {
        self.validate()?;
        style::init_fonts()?;
        let (w, h) = checked_size(self.size())?;
        let (bw, bh) = (w * SUPERSAMPLE, h * SUPERSAMPLE);
        let mut buf = vec![255u8; bw as usize * bh as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut buf, (bw, bh)).into_drawing_area();
            root.fill(&style::WHITE).map_err(render_err)?;
            self.draw(&root, SUPERSAMPLE as f64)?;
            root.present().map_err(render_err)?;
        }
        let small = downsample(&buf, bw, bh, SUPERSAMPLE);
        encode_png(&small, w, h)
    }

    /// Render to an SVG document.
    fn svg_string(&self) -> Result<String> {
        self.validate()?;
        style::init_fonts()?;
        let size = checked_size(self.size())?;
        let mut s = String::new();
        {
            let root = SVGBackend::with_string(&mut s, size).into_drawing_area();
            root.fill(&style::WHITE).map_err(render_err)?;
            self.draw(&root, 1.0)?;
            root.present().map_err(render_err)?;
        }
        Ok(s)
    }

    /// Render and write `<stem>.png` and `<stem>.svg` atomically.
    ///
    /// Both are rendered in memory first, so invalid data leaves no file behind.
    fn render(&self, stem: &Path) -> Result<Rendered> {
        let png = self.png_bytes()?;
        let svg = self.svg_string()?;
        let out = Rendered::for_stem(stem);
        write_atomic(&out.png, &png)?;
        write_atomic(&out.svg, svg.as_bytes())?;
        Ok(out)
    }
}

/// The two files written by [`Plot::render`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// `<stem>.png`
    pub png: PathBuf,
    /// `<stem>.svg`
    pub svg: PathBuf,
}

impl Rendered {
    /// The paths `render(stem)` writes.
    pub fn for_stem(stem: &Path) -> Self {
        let with = |ext: &str| {
            let mut s = stem.as_os_str().to_owned();
            s.push(".");
            s.push(ext);
            PathBuf::from(s)
        };
        Rendered {
            png: with("png"),
            svg: with("svg"),
        }
    }

    /// Both paths, PNG first.
    pub fn paths(&self) -> Vec<PathBuf> {
        vec![self.png.clone(), self.svg.clone()]
    }
}

pub(crate) fn render_err<E: std::fmt::Display>(e: E) -> FigureError {
    FigureError::Render(e.to_string())
}

fn checked_size((w, h): (u32, u32)) -> Result<(u32, u32)> {
    const MIN: u32 = 64;
    const MAX: u32 = 8192;
    if !(MIN..=MAX).contains(&w) || !(MIN..=MAX).contains(&h) {
        return Err(FigureError::invalid(format!(
            "image size {w}x{h} outside {MIN}..={MAX} pixels per side"
        )));
    }
    Ok((w, h))
}

pub(crate) fn check_finite(name: &str, field: &str, v: &[f64]) -> Result<()> {
    if let Some((i, x)) = v.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        return Err(FigureError::invalid(format!(
            "{name}: {field}[{i}] is {x} (values must be finite)"
        )));
    }
    Ok(())
}

pub(crate) fn check_alpha(name: &str, a: f64) -> Result<()> {
    if !(0.0..=1.0).contains(&a) {
        return Err(FigureError::invalid(format!(
            "{name}: opacity {a} outside [0, 1]"
        )));
    }
    Ok(())
}

pub(crate) fn check_range(what: &str, r: Option<(f64, f64)>) -> Result<()> {
    if let Some((lo, hi)) = r {
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(FigureError::invalid(format!(
                "{what} ({lo}, {hi}) must be finite with lo < hi"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
