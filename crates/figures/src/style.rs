//! The paper look: one bundled font, a colour cycle, sizes, line dashes and markers.
//!
//! Text is rendered by plotters' `ab_glyph` backend from the DejaVu Sans TTF files bundled by the
//! `dejavu` crate, so no system font (and no fontconfig) is involved and the pixels of a PNG are
//! the same on every machine. [`init_fonts`] registers the font once per process; every render
//! function calls it, so users never have to.

use std::sync::OnceLock;

use plotters::style::{FontFamily, FontStyle, IntoFont, RGBAColor, RGBColor, TextStyle};

use crate::error::{FigureError, Result};

/// The font family name used for all text.
///
/// It doubles as a CSS font list: the SVG backend copies it verbatim into `font-family`, so SVG
/// viewers use DejaVu Sans when it is installed and fall back to their own sans-serif otherwise.
pub const FONT_FAMILY: &str = "DejaVu Sans, sans-serif";

/// Register the bundled DejaVu Sans faces with plotters (idempotent, thread-safe).
///
/// Registers Regular as `Normal`, Oblique as `Oblique` and `Italic`, and Bold as `Bold`
/// under [`FONT_FAMILY`].
pub fn init_fonts() -> Result<()> {
    static REGISTERED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            let faces: [(FontStyle, &'static [u8]); 4] = [
                (FontStyle::Normal, dejavu::sans::regular()),
                (FontStyle::Oblique, dejavu::sans::oblique()),
                (FontStyle::Italic, dejavu::sans::oblique()),
                (FontStyle::Bold, dejavu::sans::bold()),
            ];
            for (style, bytes) in faces {
                plotters::style::register_font(FONT_FAMILY, style, bytes).map_err(|_| {
                    format!(
                        "the bundled DejaVu Sans ({}) is not a valid font",
                        style.as_str()
                    )
                })?;
            }
            Ok(())
        })
        .clone()
        .map_err(FigureError::Render)
}

/// A text style in the bundled font.
pub fn text(size: f64) -> TextStyle<'static> {
    FontFamily::Name(FONT_FAMILY)
        .into_font()
        .resize(size)
        .color(&BLACK)
}

/// A text style in the bundled font with a given colour.
pub fn text_colored(size: f64, color: RGBColor) -> TextStyle<'static> {
    FontFamily::Name(FONT_FAMILY)
        .into_font()
        .resize(size)
        .color(&color)
}

/// Black.
pub const BLACK: RGBColor = RGBColor(0, 0, 0);
/// White.
pub const WHITE: RGBColor = RGBColor(255, 255, 255);
/// A mid grey for target lines and annotations.
pub const GREY: RGBColor = RGBColor(100, 100, 100);

/// The colour cycle: matplotlib's `tab10`, familiar from the paper's figures
/// (blue, orange, green, red, purple, brown, pink, grey, olive, cyan).
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x7f, 0x7f, 0x7f),
    RGBColor(0xbc, 0xbd, 0x22),
    RGBColor(0x17, 0xbe, 0xcf),
];

/// The `i`-th colour of the cycle (wraps around).
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// `c` with opacity `alpha` in `[0, 1]`.
pub fn with_alpha(c: RGBColor, alpha: f64) -> RGBAColor {
    RGBAColor(c.0, c.1, c.2, alpha.clamp(0.0, 1.0))
}

/// How a line is stroked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dash {
    /// A continuous line.
    #[default]
    Solid,
    /// Long dashes (fits, targets).
    Dashed,
    /// Short dots.
    Dotted,
    /// Dash-dot.
    DashDot,
}

impl Dash {
    /// The on/off pattern in units of the line width (`None` for solid).
    pub(crate) fn pattern(self) -> Option<&'static [f64]> {
        match self {
            Dash::Solid => None,
            Dash::Dashed => Some(&[5.0, 3.0]),
            Dash::Dotted => Some(&[1.2, 2.0]),
            Dash::DashDot => Some(&[5.0, 2.5, 1.2, 2.5]),
        }
    }
}

/// Marker shapes for scatter plots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// Filled circle.
    Circle,
    /// Filled square.
    Square,
    /// Filled upward triangle.
    TriangleUp,
    /// Filled downward triangle.
    TriangleDown,
    /// Filled diamond.
    Diamond,
    /// Open circle.
    OpenCircle,
    /// Open square.
    OpenSquare,
    /// Diagonal cross.
    Cross,
    /// Plus sign.
    Plus,
}

/// The marker cycle, in the order series receive them by default.
pub const MARKERS: [Marker; 9] = [
    Marker::Circle,
    Marker::Square,
    Marker::TriangleUp,
    Marker::Diamond,
    Marker::TriangleDown,
    Marker::OpenCircle,
    Marker::OpenSquare,
    Marker::Cross,
    Marker::Plus,
];

/// The `i`-th marker of the cycle (wraps around).
pub fn marker(i: usize) -> Marker {
    MARKERS[i % MARKERS.len()]
}

/// Where the legend sits inside the plotting area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LegendPosition {
    /// The corner (or top middle) that covers the fewest drawn points, preferring upper right
    /// on ties, like matplotlib's `loc="best"` (the default).
    #[default]
    Best,
    /// Top right corner.
    UpperRight,
    /// Top left corner.
    UpperLeft,
    /// Bottom right corner.
    LowerRight,
    /// Bottom left corner.
    LowerLeft,
    /// Top, centred.
    UpperMiddle,
    /// No legend, even if series are labelled.
    Hidden,
}

/// Pixel sizes of one panel. All sizes scale with [`Theme::scaled`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    /// Panel width in pixels.
    pub width: u32,
    /// Panel height in pixels.
    pub height: u32,
    /// Title font size.
    pub title_size: f64,
    /// Axis label font size.
    pub label_size: f64,
    /// Tick label font size.
    pub tick_size: f64,
    /// Legend font size.
    pub legend_size: f64,
    /// Width of the axes box and ticks.
    pub axis_width: u32,
    /// Default width of curves.
    pub line_width: u32,
    /// Tick mark length (drawn outwards).
    pub tick_length: i32,
    /// Marker radius.
    pub marker_size: i32,
    /// Outer margin.
    pub margin: u32,
}

impl Default for Theme {
    fn default() -> Self {
        Theme::paper()
    }
}

impl Theme {
    /// The default paper look: a 1200 x 900 pixel panel (4:3), i.e. a 6 x 4.5 inch figure at
    /// 200 dpi, with font sizes close to a 10-11 pt LaTeX figure.
    pub fn paper() -> Self {
        Theme {
            width: 1200,
            height: 900,
            title_size: 40.0,
            label_size: 38.0,
            tick_size: 31.0,
            legend_size: 29.0,
            axis_width: 2,
            line_width: 4,
            tick_length: 10,
            marker_size: 8,
            margin: 24,
        }
    }

    /// The same look with every length multiplied by `factor` (e.g. `0.5` for quick previews).
    pub fn scaled(&self, factor: f64) -> Self {
        let px = |v: u32| ((v as f64 * factor).round() as u32).max(1);
        Theme {
            width: px(self.width),
            height: px(self.height),
            title_size: self.title_size * factor,
            label_size: self.label_size * factor,
            tick_size: self.tick_size * factor,
            legend_size: self.legend_size * factor,
            axis_width: px(self.axis_width),
            line_width: px(self.line_width),
            tick_length: ((self.tick_length as f64 * factor).round() as i32).max(1),
            marker_size: ((self.marker_size as f64 * factor).round() as i32).max(1),
            margin: px(self.margin),
        }
    }

    /// The same look with another panel size (font sizes unchanged).
    pub fn with_size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fonts_register_once_and_repeatedly() {
        init_fonts().unwrap();
        init_fonts().unwrap();
    }

    #[test]
    fn cycles_wrap() {
        assert_eq!(color(0), color(PALETTE.len()));
        assert_eq!(marker(1), marker(1 + MARKERS.len()));
    }

    #[test]
    fn scaling_keeps_positive_sizes() {
        let t = Theme::paper().scaled(0.01);
        assert!(t.width >= 1 && t.axis_width >= 1 && t.tick_length >= 1);
    }
}
