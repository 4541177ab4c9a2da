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
//! Every plot implements [`Plot`]: `plot.render(stem)` validates the data (an empty series or a
//! NaN is an error, never a panic), renders both formats in memory and then writes
//! `<stem>.png` and `<stem>.svg` atomically.
//!
//! The PNG is drawn at [`SUPERSAMPLE`] times the size into an RGB buffer, box-filtered down
//! (anti-aliasing) and encoded with fixed settings, so the bytes depend only on the input data
//! and the crate versions: two renders are byte-identical.
//!
//! ```no_run
//! use figures::plot::{Curve, HistSeries, HistogramPlot, Plot, VLine};
//! # fn main() -> figures::Result<()> {
//! let samples = vec![0.1, -0.3, 0.25, 0.0, 0.4];
//! let plot = HistogramPlot {
//!     x_label: "x".into(),
//!     y_label: "ρ(x)".into(),
//!     series: vec![HistSeries::from_samples("DBM samples", &samples, 20, None)?],
//!     curves: vec![Curve::from_fn("Eq. (11)", (-1.0, 1.0), 400, |x| {
//!         (2.0 / std::f64::consts::PI) * (1.0 - x * x).max(0.0).sqrt()
//!     })],
//!     vlines: vec![VLine::new(0.0)],
//!     ..Default::default()
//! };
//! plot.render(std::path::Path::new("data/example/density"))?;
//! # Ok(()) }
//! ```

pub mod demo;
mod elements;
mod frame;
mod histogram;
mod lines;
mod scatter;

use std::path::{Path, PathBuf};

use plotters::backend::DrawingBackend;
use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, IntoDrawingArea, SVGBackend};

pub use histogram::{HistSeries, HistStyle, HistogramPlot};
pub use lines::{Bundle, LinePlot};
pub use scatter::{ScatterPlot, ScatterSeries};

pub use crate::style::{Dash, LegendPosition, Marker, Theme};
pub use plotters::style::RGBColor;

use crate::error::{FigureError, Result};
use crate::style;
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

/// One panel of a [`Grid`].
#[derive(Debug, Clone)]
pub enum Panel {
    /// A histogram panel.
    Histogram(HistogramPlot),
    /// A scatter panel.
    Scatter(ScatterPlot),
    /// A trajectory panel.
    Lines(LinePlot),
}

impl From<HistogramPlot> for Panel {
    fn from(p: HistogramPlot) -> Self {
        Panel::Histogram(p)
    }
}
impl From<ScatterPlot> for Panel {
    fn from(p: ScatterPlot) -> Self {
        Panel::Scatter(p)
    }
}
impl From<LinePlot> for Panel {
    fn from(p: LinePlot) -> Self {
        Panel::Lines(p)
    }
}

impl Plot for Panel {
    fn size(&self) -> (u32, u32) {
        match self {
            Panel::Histogram(p) => p.size(),
            Panel::Scatter(p) => p.size(),
            Panel::Lines(p) => p.size(),
        }
    }
    fn validate(&self) -> Result<()> {
        match self {
            Panel::Histogram(p) => p.validate(),
            Panel::Scatter(p) => p.validate(),
            Panel::Lines(p) => p.validate(),
        }
    }
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, scale: f64) -> Result<()> {
        match self {
            Panel::Histogram(p) => p.draw(area, scale),
            Panel::Scatter(p) => p.draw(area, scale),
            Panel::Lines(p) => p.draw(area, scale),
        }
    }
}

/// Panels on a grid, filled row by row (e.g. the paper's "(left)" and "(right)" panels with
/// `columns: 2`). Every cell has the size of the largest panel.
#[derive(Debug, Clone)]
pub struct Grid {
    /// The panels, row by row.
    pub panels: Vec<Panel>,
    /// Number of columns (at least 1).
    pub columns: usize,
}

impl Grid {
    /// Panels side by side in one row.
    pub fn row(panels: Vec<Panel>) -> Self {
        let columns = panels.len().max(1);
        Grid { panels, columns }
    }

    fn rows(&self) -> usize {
        self.panels.len().div_ceil(self.columns.max(1))
    }

    fn cell(&self) -> (u32, u32) {
        self.panels.iter().fold((1, 1), |(w, h), p| {
            let (pw, ph) = p.size();
            (w.max(pw), h.max(ph))
        })
    }
}

impl Plot for Grid {
    fn size(&self) -> (u32, u32) {
        let (w, h) = self.cell();
        (
            w.saturating_mul(self.columns.max(1) as u32),
            h.saturating_mul(self.rows() as u32),
        )
    }

    fn validate(&self) -> Result<()> {
        if self.panels.is_empty() {
            return Err(FigureError::invalid("grid has no panels"));
        }
        if self.columns == 0 {
            return Err(FigureError::invalid("grid has 0 columns"));
        }
        for (i, p) in self.panels.iter().enumerate() {
            p.validate()
                .map_err(|e| FigureError::invalid(format!("panel {i}: {e}")))?;
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, scale: f64) -> Result<()> {
        let cells = area.split_evenly((self.rows(), self.columns));
        for (p, cell) in self.panels.iter().zip(cells.iter()) {
            p.draw(cell, scale)?;
        }
        Ok(())
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

/// Average `factor` x `factor` blocks of an RGB image.
fn downsample(rgb: &[u8], w: u32, h: u32, factor: u32) -> Vec<u8> {
    if factor == 1 {
        return rgb.to_vec();
    }
    let (w, h, f) = (w as usize, h as usize, factor as usize);
    let (sw, sh) = (w / f, h / f);
    let n = (f * f) as u32;
    let mut out = vec![0u8; sw * sh * 3];
    for y in 0..sh {
        for x in 0..sw {
            for c in 0..3 {
                let mut sum = 0u32;
                for dy in 0..f {
                    let row = (y * f + dy) * w;
                    for dx in 0..f {
                        sum += rgb[(row + x * f + dx) * 3 + c] as u32;
                    }
                }
                out[(y * sw + x) * 3 + c] = ((sum + n / 2) / n) as u8;
            }
        }
    }
    out
}

/// Encode an 8-bit RGB buffer as PNG with fixed settings (deterministic bytes).
pub fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    if rgb.len() != width as usize * height as usize * 3 {
        return Err(FigureError::invalid(format!(
            "RGB buffer of {} bytes does not match {width}x{height}",
            rgb.len()
        )));
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Best);
        enc.set_filter(png::FilterType::Paeth);
        enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        let mut writer = enc
            .write_header()
            .map_err(|e| FigureError::Png(e.to_string()))?;
        writer
            .write_image_data(rgb)
            .map_err(|e| FigureError::Png(e.to_string()))?;
        writer
            .finish()
            .map_err(|e| FigureError::Png(e.to_string()))?;
    }
    Ok(out)
}

/// Check the PNG signature and read the size from the IHDR chunk.
pub fn png_dimensions(bytes: &[u8]) -> Result<(u32, u32)> {
    const SIG: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    if bytes.len() < 24 || bytes[..8] != SIG {
        return Err(FigureError::Png("not a PNG file (bad signature)".into()));
    }
    if &bytes[12..16] != b"IHDR" {
        return Err(FigureError::Png("first chunk is not IHDR".into()));
    }
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    Ok((be(&bytes[16..20]), be(&bytes[20..24])))
}

// ---------------------------------------------------------------------------------------------
// Shared building blocks of the plot kinds.

/// An analytic or fitted curve `y(x)` drawn as a polyline (solid, dashed, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// Legend text; `None` keeps it out of the legend.
    pub label: Option<String>,
    /// Abscissae.
    pub x: Vec<f64>,
    /// Ordinates (same length as `x`).
    pub y: Vec<f64>,
    /// Colour; `None` takes the next colour of the cycle.
    pub color: Option<RGBColor>,
    /// Stroke pattern.
    pub dash: Dash,
    /// Stroke width in pixels (`None`: the theme's line width).
    pub width: Option<u32>,
    /// Opacity in `[0, 1]`.
    pub alpha: f64,
}

impl Default for Curve {
    fn default() -> Self {
        Curve {
            label: None,
            x: Vec::new(),
            y: Vec::new(),
            color: None,
            dash: Dash::Solid,
            width: None,
            alpha: 1.0,
        }
    }
}

impl Curve {
    /// A labelled solid curve through the given points.
    pub fn new(label: impl Into<String>, x: Vec<f64>, y: Vec<f64>) -> Self {
        Curve {
            label: Some(label.into()),
            x,
            y,
            ..Default::default()
        }
    }

    /// Sample `f` at `n` equally spaced points of `[lo, hi]` (`f` must be finite there).
    pub fn from_fn(
        label: impl Into<String>,
        (lo, hi): (f64, f64),
        n: usize,
        f: impl Fn(f64) -> f64,
    ) -> Self {
        let n = n.max(2);
        let x: Vec<f64> = (0..n)
            .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
            .collect();
        let y = x.iter().map(|&v| f(v)).collect();
        Curve::new(label, x, y)
    }

    /// The straight line `y = slope * x` over `[lo, hi]` (e.g. a fitted σ = a·sqrt(α/|B|)).
    pub fn line_through_origin(label: impl Into<String>, slope: f64, (lo, hi): (f64, f64)) -> Self {
        Curve::new(label, vec![lo, hi], vec![slope * lo, slope * hi])
    }

    /// Remove the label (keeps the curve out of the legend).
    pub fn unlabelled(mut self) -> Self {
        self.label = None;
        self
    }

    /// Set the stroke pattern.
    pub fn dash(mut self, dash: Dash) -> Self {
        self.dash = dash;
        self
    }

    /// Shorthand for `dash(Dash::Dashed)`.
    pub fn dashed(self) -> Self {
        self.dash(Dash::Dashed)
    }

    /// Set the colour.
    pub fn color(mut self, c: RGBColor) -> Self {
        self.color = Some(c);
        self
    }

    /// Set the stroke width in pixels.
    pub fn width(mut self, w: u32) -> Self {
        self.width = Some(w);
        self
    }

    /// Set the opacity.
    pub fn alpha(mut self, a: f64) -> Self {
        self.alpha = a;
        self
    }

    pub(crate) fn validate(&self, what: &str) -> Result<()> {
        let name = format!("{what} '{}'", self.label.as_deref().unwrap_or(""));
        if self.x.is_empty() {
            return Err(FigureError::invalid(format!("{name} has no points")));
        }
        if self.x.len() != self.y.len() {
            return Err(FigureError::invalid(format!(
                "{name}: {} x values but {} y values",
                self.x.len(),
                self.y.len()
            )));
        }
        check_finite(&name, "x", &self.x)?;
        check_finite(&name, "y", &self.y)?;
        check_alpha(&name, self.alpha)?;
        Ok(())
    }
}

/// A vertical reference line (e.g. a target eigenvalue), dashed grey by default.
#[derive(Debug, Clone, PartialEq)]
pub struct VLine {
    /// Position on the x axis.
    pub x: f64,
    /// Legend text (entries with equal labels are shown once).
    pub label: Option<String>,
    /// Colour.
    pub color: RGBColor,
    /// Stroke pattern.
    pub dash: Dash,
    /// Stroke width (`None`: half the theme's line width).
    pub width: Option<u32>,
}

impl VLine {
    /// A dashed grey line at `x`.
    pub fn new(x: f64) -> Self {
        VLine {
            x,
            label: None,
            color: style::GREY,
            dash: Dash::Dashed,
            width: None,
        }
    }

    /// Set the legend label.
    pub fn label(mut self, l: impl Into<String>) -> Self {
        self.label = Some(l.into());
        self
    }

    /// Set the colour.
    pub fn color(mut self, c: RGBColor) -> Self {
        self.color = c;
        self
    }
}

impl From<f64> for VLine {
    fn from(x: f64) -> Self {
        VLine::new(x)
    }
}

/// A horizontal reference line (e.g. ratio = 1), dashed grey by default.
#[derive(Debug, Clone, PartialEq)]
pub struct HLine {
    /// Position on the y axis.
    pub y: f64,
    /// Legend text (entries with equal labels are shown once).
    pub label: Option<String>,
    /// Colour.
    pub color: RGBColor,
    /// Stroke pattern.
    pub dash: Dash,
    /// Stroke width (`None`: half the theme's line width).
    pub width: Option<u32>,
}

impl HLine {
    /// A dashed grey line at `y`.
    pub fn new(y: f64) -> Self {
        HLine {
            y,
            label: None,
            color: style::GREY,
            dash: Dash::Dashed,
            width: None,
        }
    }

    /// Set the legend label.
    pub fn label(mut self, l: impl Into<String>) -> Self {
        self.label = Some(l.into());
        self
    }

    /// Set the colour.
    pub fn color(mut self, c: RGBColor) -> Self {
        self.color = c;
        self
    }
}

impl From<f64> for HLine {
    fn from(y: f64) -> Self {
        HLine::new(y)
    }
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

pub(crate) fn check_lines(vlines: &[VLine], hlines: &[HLine]) -> Result<()> {
    for (i, v) in vlines.iter().enumerate() {
        if !v.x.is_finite() {
            return Err(FigureError::invalid(format!(
                "vline {i} at {} is not finite",
                v.x
            )));
        }
    }
    for (i, h) in hlines.iter().enumerate() {
        if !h.y.is_finite() {
            return Err(FigureError::invalid(format!(
                "hline {i} at {} is not finite",
                h.y
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
