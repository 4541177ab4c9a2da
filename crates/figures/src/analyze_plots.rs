//! Pictures of `rmt-sgd analyze --plots DIR`: one PNG per peak (the Freedman–Diaconis histogram with the
//! fitted Eq 11 / Eq 32 / Gaussian curves) and one for the scaling fit, drawn with the figures'
//! plot API (byte-deterministic PNGs).

use std::path::{Path, PathBuf};

use coulomb_gas::{Density1D, Gaussian, PairDensity, TwoSpecies};
use spectral::peak::pooled;
use spectral::{PeakLaw, PeakReport};

use crate::plot::{
    Axes, Curve, HistSeries, HistogramPlot, LegendPosition, Plot, ScatterPlot, ScatterSeries,
};
use crate::style;
use runner::write_atomic;

fn curve(label: String, range: (f64, f64), d: &dyn Density1D) -> Curve {
    Curve::from_fn(label, range, 400, |x| d.pdf(x))
}

/// Writes `path` (a PNG) for one peak of `rows` (one spectrum per sample).
pub fn peak_png<R: AsRef<[f64]>>(
    path: &Path,
    title: &str,
    x_label: &str,
    rows: &[R],
    peak: &PeakReport,
) -> anyhow::Result<PathBuf> {
    let (hist, _) = spectral::histogram(&pooled(rows, &peak.levels))?;
    let hist = &hist;
    let pair = peak.law == PeakLaw::Eq11;
    let (lo, hi) = (hist.edges[0], hist.edges[hist.edges.len() - 1]);
    let pad = 0.15 * (hi - lo);
    let range = (lo - pad, hi + pad);
    let mut curves = Vec::new();
    if let Some(f) = &peak.fit {
        let (c, s) = (f.centre, f.sigma);
        if pair {
            if let Ok(d) = PairDensity::new(c, s) {
                curves.push(
                    curve(format!("Eq. (11), least squares: σ = {s:.4e}"), range, &d)
                        .color(style::color(1)),
                );
            }
        } else if let Ok(d) = Gaussian::new(c, s) {
            curves.push(
                curve(format!("Gaussian, least squares: σ = {s:.4e}"), range, &d)
                    .color(style::color(1)),
            );
        }
    }
    if let Some(f) = &peak.ml {
        let (c, s) = (f.params[0], f.params[1]);
        let d: Option<Box<dyn Density1D>> = if pair {
            PairDensity::new(c, s).ok().map(|d| Box::new(d) as _)
        } else {
            Gaussian::new(c, s).ok().map(|d| Box::new(d) as _)
        };
        if let Some(d) = d {
            let law = if pair { "Eq. (11)" } else { "Gaussian" };
            curves.push(
                curve(format!("{law}, max. likelihood: σ = {s:.4e}"), range, &*d)
                    .color(style::color(2))
                    .dashed(),
            );
        }
    }
    if let Some(f) = peak.eq32.as_ref().and_then(|e| e.ml.as_ref()) {
        if let Ok(d) = TwoSpecies::new(f.params[0], f.params[1], f.params[2]) {
            curves.push(
                curve(
                    format!(
                        "Eq. (32), max. likelihood: σ₁ = {:.3e}, σ₂ = {:.3e}",
                        f.params[1], f.params[2]
                    ),
                    range,
                    &d,
                )
                .color(style::color(3))
                .dash(crate::plot::Dash::Dotted),
            );
        }
    }
    let plot = HistogramPlot {
        axes: Axes {
            title: Some(title.to_string()),
            x_label: x_label.into(),
            y_label: "density".into(),
            x_range: Some(range),
            // Headroom above the peak for the legend.
            y_range: Some((
                0.0,
                1.6 * hist.density().iter().fold(0.0f64, |a, &b| a.max(b)),
            )),
            legend: LegendPosition::UpperRight,
            ..Default::default()
        },
        series: vec![HistSeries::new(
            format!("samples ({}, {} bins)", hist.n, hist.len()),
            hist.edges.clone(),
            hist.density(),
        )
        .color(style::color(0))],
        curves,
    };
    write_png(path, &plot)
}

/// One run of a scaling plot: abscissa, σ and its error.
pub struct ScalingPoints {
    /// Legend label.
    pub label: String,
    /// Abscissae.
    pub x: Vec<f64>,
    /// σ.
    pub y: Vec<f64>,
    /// Errors.
    pub e: Vec<f64>,
    /// Fitted slope.
    pub slope: f64,
}

/// Writes the scaling plot: σ against the abscissa with the fitted lines through the origin.
pub fn scaling_png(
    path: &Path,
    title: &str,
    x_label: &str,
    sets: &[ScalingPoints],
) -> anyhow::Result<PathBuf> {
    let xmax = sets
        .iter()
        .flat_map(|s| s.x.iter().copied())
        .fold(0.0f64, f64::max)
        * 1.1;
    let ymax = sets
        .iter()
        .flat_map(|s| s.y.iter().zip(&s.e).map(|(y, e)| y + e))
        .fold(0.0f64, f64::max);
    let mut series = Vec::new();
    let mut curves = Vec::new();
    for (i, s) in sets.iter().enumerate() {
        // Offset the second set a little so that the error bars do not hide each other.
        let shift = 1.0 + 0.012 * i as f64;
        series.push(
            ScatterSeries::new(
                s.label.clone(),
                s.x.iter().map(|v| v * shift).collect(),
                s.y.clone(),
            )
            .yerr(s.e.clone())
            .color(style::color(i))
            .marker(style::marker(i)),
        );
        curves.push(
            Curve::line_through_origin(
                format!("fit σ = a·x, a = {:.4}", s.slope),
                s.slope,
                (0.0, xmax),
            )
            .color(style::color(i))
            .dashed(),
        );
    }
    let plot = ScatterPlot {
        axes: Axes {
            title: Some(title.to_string()),
            x_label: x_label.into(),
            y_label: "σ".into(),
            x_range: Some((0.0, xmax)),
            // Headroom above the points for the legend.
            y_range: Some((0.0, 1.5 * ymax)),
            legend: LegendPosition::UpperLeft,
            ..Default::default()
        },
        series,
        curves,
    };
    write_png(path, &plot)
}

fn write_png(path: &Path, plot: &impl Plot) -> anyhow::Result<PathBuf> {
    let bytes = plot
        .png_bytes()
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    // runner's errors name the path already.
    write_atomic(path, &bytes)?;
    Ok(path.to_path_buf())
}
