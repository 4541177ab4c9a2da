//! Example plots on synthetic data: the look of each plot kind, used by the tests and by
//! `cargo run -p figures --example gallery`.

use super::*;
use crate::style;

fn semicircle(x: f64) -> f64 {
    (2.0 / std::f64::consts::PI) * (1.0 - x * x).max(0.0).sqrt()
}

/// Deterministic pseudo-samples of the semicircle law (no RNG dependency): inverse CDF on a
/// low-discrepancy sequence.
fn semicircle_samples(n: usize) -> Vec<f64> {
    let cdf = |x: f64| 0.5 + (x * (1.0 - x * x).max(0.0).sqrt() + x.asin()) / std::f64::consts::PI;
    (0..n)
        .map(|i| {
            let u = ((i as f64 + 0.5) * 0.618_033_988_749_895).fract();
            let (mut lo, mut hi) = (-1.0f64, 1.0f64);
            for _ in 0..60 {
                let m = 0.5 * (lo + hi);
                if cdf(m) < u {
                    lo = m
                } else {
                    hi = m
                }
            }
            0.5 * (lo + hi)
        })
        .collect()
}

/// Two histograms, the semicircle Eq. (11), a dashed Gaussian and target lines.
pub fn histogram() -> HistogramPlot {
    let s = semicircle_samples(4000);
    let shifted: Vec<f64> = s.iter().map(|v| 0.6 * v + 2.5).collect();
    HistogramPlot {
        axes: Axes {
            x_label: "x".into(),
            y_label: "ρ(x)".into(),
            vlines: vec![
                VLine::new(0.0).label("targets"),
                VLine::new(2.5).label("targets"),
            ],
            ..Default::default()
        },
        series: vec![
            HistSeries::from_samples("DBM, α/|B| = 0.01", &s, 40, None).expect("valid samples"),
            HistSeries::from_samples("second pair", &shifted, 40, None).expect("valid samples"),
        ],
        curves: vec![
            Curve::from_fn("Eq. (11)", (-1.0, 1.0), 400, semicircle),
            Curve::from_fn("Gaussian", (-1.2, 1.2), 400, |x| {
                (-x * x / (2.0 * 0.25)).exp() / (2.0 * std::f64::consts::PI * 0.25).sqrt()
            })
            .dashed(),
        ],
    }
}

/// Two series with error bars and a dashed line through the origin.
pub fn scatter() -> ScatterPlot {
    let x: Vec<f64> = (1..=6).map(|i| 0.05 * i as f64).collect();
    let y1: Vec<f64> = x
        .iter()
        .map(|v| 1.9 * v + 0.004 * (v * 40.0).sin())
        .collect();
    let y2: Vec<f64> = x
        .iter()
        .map(|v| 1.9 * v - 0.006 * (v * 30.0).cos())
        .collect();
    ScatterPlot {
        axes: Axes {
            x_label: "sqrt(α/|B|)".into(),
            y_label: "σ".into(),
            hlines: vec![HLine::new(0.0)],
            x_range: Some((0.0, 0.32)),
            ..Default::default()
        },
        series: vec![
            ScatterSeries::new("|B| = 4", x.clone(), y1).yerr(vec![0.02; 6]),
            ScatterSeries::new("|B| = 8", x.clone(), y2)
                .yerr(vec![0.015; 6])
                .xerr(vec![0.005; 6]),
        ],
        curves: vec![Curve::line_through_origin("σ = κ²Ω·sqrt(α/|B|)", 1.9, (0.0, 0.32)).dashed()],
    }
}

/// Two bundles of 20 trajectories with their means and dashed fits.
pub fn lines() -> LinePlot {
    let t: Vec<f64> = (0..=100).map(|i| i as f64 * 0.5).collect();
    let member = |rate: f64, k: usize| -> Vec<f64> {
        t.iter()
            .map(|&s| 1.0 - (-rate * s).exp() + 0.03 * ((s * 0.7 + k as f64 * 1.3).sin()))
            .collect()
    };
    let b1 =
        Bundle::new(t.clone(), (0..20).map(|k| member(0.2, k)).collect()).color(style::color(0));
    let b2 =
        Bundle::new(t.clone(), (0..20).map(|k| member(0.08, k)).collect()).color(style::color(1));
    LinePlot {
        axes: Axes::new("epoch t", "s²"),
        curves: vec![
            b1.mean_curve("mean, s₁²"),
            b2.mean_curve("mean, s₂²"),
            Curve::from_fn("fit, Eq. (22)", (2.0, 50.0), 200, |s| {
                1.0 - (-0.2 * s).exp()
            })
            .dashed()
            .color(style::BLACK),
            Curve::from_fn("", (2.0, 50.0), 200, |s| 1.0 - (-0.08 * s).exp())
                .unlabelled()
                .dashed()
                .color(style::BLACK),
        ],
        bundles: vec![b1, b2],
    }
}
