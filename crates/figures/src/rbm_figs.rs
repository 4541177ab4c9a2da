//! The Gaussian-RBM figures of §4.1, drawn from the shared sweep and analysis in `<out>/rbm/`
//! ([`crate::rbm_sweep`]):
//!
//! * `fig2`: (left) the learnt λ of all realisations for α = 0.01, 0.04, 0.08 at |B| = 16 with
//!   the target κ (dashed); (right) the κ ≈ 5.38 pair at α = 0.01, |B| = 16 with the
//!   least-squares fit of Eq (11), a Gaussian of the same mean and variance, and U4;
//! * `fig3`: (left) λ_fit/κ against α/|B| for every κ, both scans; (right) √π σ against
//!   √(α/|B|·(μ² − κ)) for every pair with the one-parameter fit and √(2π)·x;
//! * `surmise`: (left) P(s) of s = S/⟨S⟩ pooled over every pair and configuration against the
//!   unit surmise; (right) ⟨S⟩ against √π σ with y = x.

use std::path::PathBuf;

use anyhow::{bail, Context as _};
use coulomb_gas::{ks_one_sample, rho_pair, Density1D, UnitSurmise};
use rbm::analysis::{histogram, slope_fit, spacings, ConfigResult, PeakResult, Slope};
use rbm::{Target, N};
use serde::Serialize;

use crate::output::{write_csv, write_csv_records, write_json};
use crate::plot::{
    Axes, Curve, Grid, HLine, HistSeries, HistStyle, HistogramPlot, Panel, ScatterPlot,
    ScatterSeries, VLine,
};
use crate::rbm_sweep::{ensure, Loaded};
use crate::registry::{Context, Figure, Profile};
use crate::style::{self, LegendPosition, Marker};
use crate::Plot;

/// α of the histograms of Fig 2 left (|B| = 16).
pub const FIG2_LRS: [f64; 3] = [0.01, 0.04, 0.08];
/// (α, |B|, κ index among the peaks) of the close-up of Fig 2 right: κ = 5.38 at α = 0.01.
pub const FIG2_CLOSEUP: (f64, usize, usize) = (0.01, 16, 2);

fn find(l: &Loaded, lr: f64, batch: usize) -> anyhow::Result<usize> {
    l.samples
        .iter()
        .position(|s| (s.lr - lr).abs() < 1e-12 && s.batch == batch)
        .with_context(|| format!("configuration α = {lr}, |B| = {batch} not in the sweep"))
}

fn kappa_label(k: f64) -> String {
    format!("κ = {k:.2}")
}

fn pad(lo: f64, hi: f64, f: f64) -> (f64, f64) {
    let d = (hi - lo) * f;
    (lo - d, hi + d)
}

#[derive(Serialize)]
struct Fig2Summary<'a> {
    profile: Profile,
    histograms: Vec<Fig2Hist<'a>>,
    closeup: Fig2Closeup<'a>,
    notes: Vec<String>,
}

#[derive(Serialize)]
struct Fig2Hist<'a> {
    lr: f64,
    batch: usize,
    realisations: usize,
    success_ratio: f64,
    peaks: &'a [PeakResult],
}

#[derive(Serialize)]
struct Fig2Closeup<'a> {
    lr: f64,
    batch: usize,
    peak: &'a PeakResult,
}

/// Fig 2 (registered as `fig2`).
pub struct Fig2;

impl Figure for Fig2 {
    fn name(&self) -> &'static str {
        "fig2"
    }

    fn description(&self) -> &'static str {
        "Gaussian RBM: learnt spectra vs target (left) and one pair with Eq 11 and U4 (right)"
    }

    fn run(&self, ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
        let l = ensure(ctx)?;
        let dir = ctx.figure_dir(self.name())?;
        let kappa = *Target::authors().kappa();
        // Left: every λ pooled, equal bins over the whole spectrum.
        let (lo, hi) = (3.4, 8.6);
        let mut left_series = Vec::new();
        let mut rows = Vec::new();
        let mut hists = Vec::new();
        for (i, &lr) in FIG2_LRS.iter().enumerate() {
            let c = find(&l, lr, 16)?;
            let s = &l.samples[c];
            let all: Vec<f64> = s.lambda.iter().flat_map(|r| r.iter().copied()).collect();
            let bins = ((all.len() as f64).sqrt() * 2.0).clamp(60.0, 260.0) as usize;
            let h = HistSeries::from_samples(
                format!("α = {lr}, |B| = 16"),
                &all,
                bins,
                Some((lo, hi)),
            )?
            .color(style::color(i))
            .style(HistStyle::Filled)
            .fill_alpha(0.25);
            for b in 0..h.heights.len() {
                rows.push(vec![lr, 16.0, h.edges[b], h.edges[b + 1], h.heights[b]]);
            }
            left_series.push(h);
            hists.push(c);
        }
        let mut vlines: Vec<VLine> = Vec::new();
        let mut seen: Vec<f64> = Vec::new();
        for &k in &kappa {
            if !seen.iter().any(|s| (s - k).abs() < 1e-9) {
                seen.push(k);
                let v = VLine::new(k).color(style::BLACK);
                vlines.push(if seen.len() == 1 {
                    v.label("target κ")
                } else {
                    v
                });
            }
        }
        let left = HistogramPlot {
            axes: Axes {
                x_label: "λ".into(),
                y_label: "density (all 10 eigenvalues)".into(),
                vlines,
                x_range: Some((lo, hi)),
                legend: LegendPosition::UpperLeft,
                ..Default::default()
            },
            series: left_series,
            ..Default::default()
        };
        let left_csv = dir.join("fig2_left.csv");
        write_csv(
            &left_csv,
            &["lr", "batch", "bin_lo", "bin_hi", "density"],
            rows,
        )?;

        // Right: the close-up pair.
        let (lr, batch, k_idx) = FIG2_CLOSEUP;
        let c = find(&l, lr, batch)?;
        let peak_def = &Target::authors().peaks()[k_idx];
        let res = &l.analysis.configs[c].peaks[k_idx];
        let s = &l.samples[c];
        let pooled: Vec<f64> = s
            .lambda
            .iter()
            .flat_map(|r| peak_def.indices.iter().map(move |&i| r[i]))
            .collect();
        let h = histogram(&pooled)?;
        let dens = h.density();
        let (a, b) = (h.edges[0], h.edges[h.edges.len() - 1]);
        let (xa, xb) = pad(a, b, 0.1);
        let (centre, sigma) = (res.centre.value, res.sigma.value);
        let n = pooled.len() as f64;
        let mean = pooled.iter().sum::<f64>() / n;
        let sd = (pooled.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
        let gauss = move |x: f64| {
            (-0.5 * ((x - mean) / sd).powi(2)).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt())
        };
        let right = HistogramPlot {
            axes: Axes {
                title: Some(format!(
                    "α = {lr}, |B| = {batch}: U4 = {:.3} ± {:.3} (Eq 12: −4/27 ≈ −0.148)",
                    res.u4.value, res.u4.err
                )),
                x_label: "λ".into(),
                y_label: "ρ(λ)".into(),
                vlines: vec![VLine::new(peak_def.kappa)
                    .color(style::BLACK)
                    .label(format!("target κ = {:.3}", peak_def.kappa))],
                x_range: Some((xa, xb)),
                legend: LegendPosition::UpperLeft,
                ..Default::default()
            },
            series: vec![HistSeries::new(
                format!(
                    "learnt λ, κ = {:.2} pair ({} values)",
                    peak_def.kappa,
                    pooled.len()
                ),
                h.edges.clone(),
                dens.clone(),
            )
            .color(style::color(0))],
            curves: vec![
                Curve::from_fn(
                    format!(
                        "Eq 11 fit: λ_fit = {:.4} ± {:.4}, σ = {:.4} ± {:.4}",
                        centre, res.centre.err, sigma, res.sigma.err
                    ),
                    (xa, xb),
                    400,
                    |x| rho_pair(x, centre, sigma),
                )
                .color(style::BLACK)
                .width(3),
                Curve::from_fn("Gaussian, same mean and variance", (xa, xb), 400, gauss)
                    .color(style::GREY)
                    .dash(style::Dash::Dotted),
            ],
        };
        let right_csv = dir.join("fig2_right.csv");
        write_csv(
            &right_csv,
            &["bin_lo", "bin_hi", "density", "eq11_at_centre"],
            (0..dens.len()).map(|i| {
                let m = 0.5 * (h.edges[i] + h.edges[i + 1]);
                vec![
                    h.edges[i],
                    h.edges[i + 1],
                    dens[i],
                    rho_pair(m, centre, sigma),
                ]
            }),
        )?;
        let summary = Fig2Summary {
            profile: ctx.profile,
            histograms: hists
                .iter()
                .map(|&c| Fig2Hist {
                    lr: l.samples[c].lr,
                    batch: l.samples[c].batch,
                    realisations: l.samples[c].lambda.len(),
                    success_ratio: l.samples[c].success_ratio,
                    peaks: &l.analysis.configs[c].peaks,
                })
                .collect(),
            closeup: Fig2Closeup {
                lr,
                batch,
                peak: res,
            },
            notes: vec![
                "Left: all 10 learnt eigenvalues of every surviving realisation, equal bins, density over the whole \
                 spectrum; dashed lines: target kappa_n = m^2 + 2 - 2 cos(2 pi n/10), m^2 = 4."
                    .into(),
                "Right: Freedman-Diaconis histogram of both eigenvalues of the pair pooled; Eq 11 fitted by \
                 unweighted least squares to the bin densities with p0 = [kappa, 1] (the authors' protocol); \
                 errors by bootstrap over realisations. U4 of the pooled sample."
                    .into(),
            ],
        };
        let summary_path = dir.join("summary.json");
        write_json(&summary_path, &summary)?;
        let rendered =
            Grid::row(vec![Panel::from(left), Panel::from(right)]).render(&dir.join("fig2"))?;
        let mut out = vec![left_csv, right_csv, summary_path];
        out.extend(rendered.paths());
        Ok(out)
    }
}

/// One row of `fig3/points.csv` (spacing columns empty for the two non-degenerate modes).
#[derive(Serialize)]
struct Fig3Row {
    config: usize,
    lr: f64,
    batch: usize,
    batch_series: bool,
    lr_series: bool,
    kappa: f64,
    pair: bool,
    lr_over_batch: f64,
    x: f64,
    centre: f64,
    centre_err: f64,
    centre_ratio: f64,
    centre_ratio_err: f64,
    sigma: f64,
    sigma_err: f64,
    sqrt_pi_sigma: f64,
    sqrt_pi_sigma_err: f64,
    sigma_mle: f64,
    sigma_mle_err: f64,
    u4: f64,
    u4_err: f64,
    mean_spacing: Option<f64>,
    mean_spacing_err: Option<f64>,
    mean_spacing_binned: Option<f64>,
    mean_spacing_binned_err: Option<f64>,
    ks_p_value: Option<f64>,
    bins: usize,
}

fn peak_row(ci: usize, c: &ConfigResult, p: &PeakResult) -> Fig3Row {
    Fig3Row {
        config: ci,
        lr: c.lr,
        batch: c.batch,
        batch_series: c.batch_series,
        lr_series: c.lr_series,
        kappa: p.kappa,
        pair: p.pair,
        lr_over_batch: p.lr_over_batch,
        x: p.x,
        centre: p.centre.value,
        centre_err: p.centre.err,
        centre_ratio: p.centre_ratio.value,
        centre_ratio_err: p.centre_ratio.err,
        sigma: p.sigma.value,
        sigma_err: p.sigma.err,
        sqrt_pi_sigma: p.sqrt_pi_sigma.value,
        sqrt_pi_sigma_err: p.sqrt_pi_sigma.err,
        sigma_mle: p.sigma_mle.value,
        sigma_mle_err: p.sigma_mle.err,
        u4: p.u4.value,
        u4_err: p.u4.err,
        mean_spacing: p.mean_spacing.map(|e| e.value),
        mean_spacing_err: p.mean_spacing.map(|e| e.err),
        mean_spacing_binned: p.mean_spacing_binned.map(|e| e.value),
        mean_spacing_binned_err: p.mean_spacing_binned.map(|e| e.err),
        ks_p_value: p.ks_p_value,
        bins: p.bins,
    }
}

#[derive(Serialize)]
struct SlopeSummary {
    value: f64,
    stderr: f64,
    stderr_scaled: f64,
    chi2: f64,
    dof: usize,
    chi2_dof: f64,
    points: usize,
    ratio_to_sqrt_2pi: f64,
}

impl SlopeSummary {
    fn of(s: &Slope) -> Self {
        SlopeSummary {
            value: s.value,
            stderr: s.stderr,
            stderr_scaled: s.stderr_scaled,
            chi2: s.chi2,
            dof: s.dof,
            chi2_dof: s.chi2_dof,
            points: s.points,
            ratio_to_sqrt_2pi: s.value / (2.0 * std::f64::consts::PI).sqrt(),
        }
    }
}

#[derive(Serialize)]
struct Fig3Summary<'a> {
    profile: Profile,
    sigma_slope: SlopeSummary,
    spacing_slope: SlopeSummary,
    chi2_dof: f64,
    sigma_mle_slope: SlopeSummary,
    spacing_binned_slope: SlopeSummary,
    slope_theory_sqrt_2pi: f64,
    centre_ratio_max_deviation: f64,
    /// √π σ = a·x restricted to α/|B| ≤ cut: the approach to the small-noise slope.
    sigma_slope_by_cut: Vec<CutSlope>,
    bootstrap: usize,
    configs: &'a [ConfigResult],
    notes: Vec<String>,
}

#[derive(Serialize)]
struct CutSlope {
    max_lr_over_batch: f64,
    slope: SlopeSummary,
}

fn cut_slopes(a: &rbm::analysis::SweepAnalysis) -> anyhow::Result<Vec<CutSlope>> {
    let mut out = Vec::new();
    for cut in [0.025, 0.00625, 0.003125] {
        let pts: Vec<&PeakResult> = a
            .configs
            .iter()
            .flat_map(|c| c.peaks.iter())
            .filter(|p| p.pair && p.lr_over_batch <= cut * (1.0 + 1e-9))
            .collect();
        if pts.len() < 2 {
            continue;
        }
        let col = |f: &dyn Fn(&PeakResult) -> f64| pts.iter().map(|p| f(p)).collect::<Vec<_>>();
        let s = slope_fit(
            &col(&|p| p.x),
            &col(&|p| p.sqrt_pi_sigma.value),
            &col(&|p| p.sqrt_pi_sigma.err),
        )?;
        out.push(CutSlope {
            max_lr_over_batch: cut,
            slope: SlopeSummary::of(&s),
        });
    }
    Ok(out)
}

/// The series of a configuration: 0 = |B| scan (α = 0.1), 1 = α scan (|B| = 16); the shared
/// point belongs to both and is drawn once, as a member of the α scan.
fn series_of(c: &ConfigResult) -> usize {
    if c.lr_series {
        1
    } else {
        0
    }
}

fn series_marker(s: usize) -> Marker {
    if s == 0 {
        Marker::OpenSquare
    } else {
        Marker::Circle
    }
}

fn per_kappa_series(
    l: &Loaded,
    pairs_only: bool,
    x_of: impl Fn(&PeakResult) -> f64,
    y_of: impl Fn(&PeakResult) -> (f64, f64),
) -> Vec<ScatterSeries> {
    let peaks = Target::authors().peaks();
    let mut out = Vec::new();
    for (k, pk) in peaks.iter().enumerate() {
        if pairs_only && !pk.is_pair() {
            continue;
        }
        for s in 0..2 {
            let pts: Vec<&PeakResult> = l
                .analysis
                .configs
                .iter()
                .filter(|c| series_of(c) == s)
                .map(|c| &c.peaks[k])
                .collect();
            let mut ser = ScatterSeries::new(
                kappa_label(pk.kappa),
                pts.iter().map(|p| x_of(p)).collect(),
                pts.iter().map(|p| y_of(p).0).collect(),
            )
            .yerr(pts.iter().map(|p| y_of(p).1).collect())
            .color(style::color(k))
            .marker(series_marker(s));
            if s == 0 {
                ser.label = None;
            }
            out.push(ser);
        }
    }
    out
}

/// Fig 3 (registered as `fig3`).
pub struct Fig3;

impl Figure for Fig3 {
    fn name(&self) -> &'static str {
        "fig3"
    }

    fn description(&self) -> &'static str {
        "Gaussian RBM: λ_fit/κ vs α/|B| (left) and √π σ vs √(α/|B|(μ²−κ)) with the slope fit (right)"
    }

    fn run(&self, ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
        let l = ensure(ctx)?;
        let dir = ctx.figure_dir(self.name())?;
        let a = &l.analysis;
        let rows: Vec<Fig3Row> = a
            .configs
            .iter()
            .enumerate()
            .flat_map(|(ci, c)| c.peaks.iter().map(move |p| peak_row(ci, c, p)))
            .collect();
        let points = dir.join("points.csv");
        write_csv_records(&points, rows)?;
        let max_dev = a
            .configs
            .iter()
            .flat_map(|c| c.peaks.iter())
            .map(|p| (p.centre_ratio.value - 1.0).abs())
            .fold(0.0, f64::max);
        let summary = Fig3Summary {
            profile: ctx.profile,
            sigma_slope: SlopeSummary::of(&a.sigma_slope),
            spacing_slope: SlopeSummary::of(&a.spacing_slope),
            chi2_dof: a.sigma_slope.chi2_dof,
            sigma_mle_slope: SlopeSummary::of(&a.sigma_mle_slope),
            spacing_binned_slope: SlopeSummary::of(&a.spacing_binned_slope),
            slope_theory_sqrt_2pi: a.slope_theory,
            centre_ratio_max_deviation: max_dev,
            sigma_slope_by_cut: cut_slopes(a)?,
            bootstrap: a.options.bootstrap,
            configs: &a.configs,
            notes: vec![
                "Points: 10 distinct configurations (|B| in {4,8,16,32,64} at alpha = 0.1; alpha in \
                 {0.01,0.02,0.04,0.06,0.08} at |B| = 16; the shared (0.1, 16) point once) x 4 degenerate pairs = 40."
                    .into(),
                "sigma, centre: unweighted least squares of Eq 11 (pairs) or a Gaussian (kappa = 4, 8) to the \
                 Freedman-Diaconis histogram of the pooled eigenvalues, p0 = [kappa, 1], as the authors. \
                 sigma_mle: maximum likelihood on the same samples. <S>: sample mean of |lambda_i - lambda_{i+1}| \
                 per realisation (spacing_slope); the authors' binned mean in spacing_binned_slope."
                    .into(),
                "Errors: bootstrap over realisations (independent seeds). Slope fits y = a x weighted by those \
                 errors; chi2_dof = sum r^2/err^2 / (n - 1) (the true chi^2, not the authors' sum r^2/err). \
                 chi2_dof at top level is that of sigma_slope."
                    .into(),
                "Reference slope sqrt(2 pi) = 2.507: linear response for independent samples, sigma^2 = \
                 2 (alpha/|B|)(mu^2 - kappa). The widths grow more slowly than linearly at large alpha/|B| \
                 (|B| = 4, 8 at alpha = 0.1), hence chi2_dof >> 1 for one slope over all points; restricted to \
                 small alpha/|B| (sigma_slope_by_cut) the slope approaches sqrt(2 pi) and chi2_dof approaches 1."
                    .into(),
            ],
        };
        let summary_path = dir.join("summary.json");
        write_json(&summary_path, &summary)?;

        let left = ScatterPlot {
            axes: Axes {
                x_label: "α/|B|".into(),
                y_label: "λ_fit/κ".into(),
                hlines: vec![HLine::new(1.0).color(style::BLACK)],
                legend: LegendPosition::Best,
                title: Some("filled: α scan (|B| = 16), open: |B| scan (α = 0.1)".into()),
                ..Default::default()
            },
            series: per_kappa_series(
                &l,
                false,
                |p| p.lr_over_batch,
                |p| (p.centre_ratio.value, p.centre_ratio.err),
            ),
            ..Default::default()
        };
        let xmax = a
            .configs
            .iter()
            .flat_map(|c| c.peaks.iter().filter(|p| p.pair))
            .map(|p| p.x)
            .fold(0.0, f64::max)
            * 1.08;
        let s = &a.sigma_slope;
        let right = ScatterPlot {
            axes: Axes {
                x_label: "√(α/|B|·(μ² − κ))".into(),
                y_label: "√π σ".into(),
                x_range: Some((0.0, xmax)),
                y_range: Some((0.0, xmax * a.slope_theory.max(s.value) * 1.05)),
                title: Some("pairs only; filled: α scan, open: |B| scan".into()),
                legend: LegendPosition::UpperLeft,
                ..Default::default()
            },
            series: per_kappa_series(
                &l,
                true,
                |p| p.x,
                |p| (p.sqrt_pi_sigma.value, p.sqrt_pi_sigma.err),
            ),
            curves: vec![
                Curve::line_through_origin(
                    format!(
                        "fit a·x: a = {:.3} ± {:.3}, χ²/dof = {:.2}",
                        s.value, s.stderr, s.chi2_dof
                    ),
                    s.value,
                    (0.0, xmax),
                )
                .color(style::BLACK),
                Curve::line_through_origin(
                    "√(2π)·x (independent samples)",
                    a.slope_theory,
                    (0.0, xmax),
                )
                .color(style::GREY)
                .dashed(),
            ],
        };
        let rendered =
            Grid::row(vec![Panel::from(left), Panel::from(right)]).render(&dir.join("fig3"))?;
        let mut out = vec![points, summary_path];
        out.extend(rendered.paths());
        Ok(out)
    }
}

#[derive(Serialize)]
struct SurmiseSummary {
    profile: Profile,
    pooled_spacings: usize,
    pooled_ks_statistic: f64,
    pooled_ks_p_value: f64,
    /// ⟨S⟩ = a·√π σ over every pair (a = 1 for Eq 11).
    spacing_vs_sigma_slope: SlopeSummary,
    spacing_slope: SlopeSummary,
    per_pair: Vec<SurmisePair>,
    notes: Vec<String>,
}

#[derive(Serialize)]
struct SurmisePair {
    lr: f64,
    batch: usize,
    kappa: f64,
    mean_spacing: f64,
    mean_spacing_err: f64,
    mean_spacing_binned: f64,
    sqrt_pi_sigma: f64,
    sqrt_pi_sigma_err: f64,
    ks_statistic: f64,
    ks_p_value: f64,
}

/// The Wigner surmise figure (registered as `surmise`).
pub struct SurmiseFig;

impl Figure for SurmiseFig {
    fn name(&self) -> &'static str {
        "surmise"
    }

    fn description(&self) -> &'static str {
        "Gaussian RBM: nearest-neighbour spacings of the pairs vs the Wigner surmise; ⟨S⟩ vs √π σ"
    }

    fn run(&self, ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
        let l = ensure(ctx)?;
        let dir = ctx.figure_dir(self.name())?;
        let peaks = Target::authors().peaks();
        let mut unit = Vec::new();
        let mut per_pair = Vec::new();
        for (ci, s) in l.samples.iter().enumerate() {
            let all: Vec<usize> = (0..s.lambda.len()).collect();
            for (k, pk) in peaks.iter().enumerate() {
                if !pk.is_pair() {
                    continue;
                }
                let sp = spacings(&s.lambda, &all, pk);
                let m = sp.iter().sum::<f64>() / sp.len() as f64;
                unit.extend(sp.iter().map(|x| x / m));
                let r = &l.analysis.configs[ci].peaks[k];
                let (Some(ms), Some(mb)) = (r.mean_spacing, r.mean_spacing_binned) else {
                    bail!("pair without spacings in the analysis");
                };
                per_pair.push(SurmisePair {
                    lr: s.lr,
                    batch: s.batch,
                    kappa: pk.kappa,
                    mean_spacing: ms.value,
                    mean_spacing_err: ms.err,
                    mean_spacing_binned: mb.value,
                    sqrt_pi_sigma: r.sqrt_pi_sigma.value,
                    sqrt_pi_sigma_err: r.sqrt_pi_sigma.err,
                    ks_statistic: r.ks_statistic.unwrap_or(f64::NAN),
                    ks_p_value: r.ks_p_value.unwrap_or(f64::NAN),
                });
            }
        }
        let ks = ks_one_sample(&unit, |s| UnitSurmise.cdf(s))?;
        let smax = 3.5;
        let bins = ((unit.len() as f64).sqrt()).clamp(20.0, 70.0) as usize;
        let h = HistSeries::from_samples(
            format!(
                "s = S/⟨S⟩, all pairs and configurations ({} spacings)",
                unit.len()
            ),
            &unit,
            bins,
            Some((0.0, smax)),
        )?
        .color(style::color(0));
        let hist_csv = dir.join("spacing_hist.csv");
        write_csv(
            &hist_csv,
            &["bin_lo", "bin_hi", "density", "surmise_at_centre"],
            (0..h.heights.len()).map(|i| {
                let m = 0.5 * (h.edges[i] + h.edges[i + 1]);
                vec![h.edges[i], h.edges[i + 1], h.heights[i], UnitSurmise.pdf(m)]
            }),
        )?;
        let left = HistogramPlot {
            axes: Axes {
                title: Some(format!(
                    "KS vs surmise: D = {:.4}, p = {:.3}",
                    ks.statistic, ks.p_value
                )),
                x_label: "s = S/⟨S⟩".into(),
                y_label: "P(s)".into(),
                x_range: Some((0.0, smax)),
                ..Default::default()
            },
            series: vec![h],
            curves: vec![
                Curve::from_fn(
                    "(π/2) s exp(−πs²/4) (Wigner surmise)",
                    (0.0, smax),
                    400,
                    |s| UnitSurmise.pdf(s),
                )
                .color(style::BLACK)
                .width(3),
                Curve::from_fn("Poisson exp(−s)", (0.0, smax), 200, |s| (-s).exp())
                    .color(style::GREY)
                    .dashed(),
            ],
        };
        let x: Vec<f64> = per_pair.iter().map(|p| p.sqrt_pi_sigma).collect();
        let y: Vec<f64> = per_pair.iter().map(|p| p.mean_spacing).collect();
        let e: Vec<f64> = per_pair.iter().map(|p| p.mean_spacing_err).collect();
        let vs_sigma = slope_fit(&x, &y, &e)?;
        let xmax = x.iter().copied().fold(0.0, f64::max) * 1.08;
        let mut series = Vec::new();
        for (k, pk) in peaks.iter().enumerate().filter(|(_, p)| p.is_pair()) {
            let pts: Vec<&SurmisePair> = per_pair
                .iter()
                .filter(|p| (p.kappa - pk.kappa).abs() < 1e-9)
                .collect();
            series.push(
                ScatterSeries::new(
                    kappa_label(pk.kappa),
                    pts.iter().map(|p| p.sqrt_pi_sigma).collect(),
                    pts.iter().map(|p| p.mean_spacing).collect(),
                )
                .yerr(pts.iter().map(|p| p.mean_spacing_err).collect())
                .xerr(pts.iter().map(|p| p.sqrt_pi_sigma_err).collect())
                .color(style::color(k))
                .marker(style::marker(k)),
            );
        }
        let right = ScatterPlot {
            axes: Axes {
                x_label: "√π σ (Eq 11 fit)".into(),
                y_label: "⟨S⟩".into(),
                x_range: Some((0.0, xmax)),
                y_range: Some((0.0, xmax * 1.05)),
                legend: LegendPosition::UpperLeft,
                ..Default::default()
            },
            series,
            curves: vec![
                Curve::line_through_origin("⟨S⟩ = √π σ", 1.0, (0.0, xmax)).color(style::BLACK),
                Curve::line_through_origin(
                    format!(
                        "fit: ⟨S⟩ = ({:.3} ± {:.3}) √π σ, χ²/dof = {:.2}",
                        vs_sigma.value, vs_sigma.stderr, vs_sigma.chi2_dof
                    ),
                    vs_sigma.value,
                    (0.0, xmax),
                )
                .color(style::GREY)
                .dashed(),
            ],
        };
        let points = dir.join("points.csv");
        write_csv(
            &points,
            &[
                "lr",
                "batch",
                "kappa",
                "mean_spacing",
                "mean_spacing_err",
                "mean_spacing_binned",
                "sqrt_pi_sigma",
                "sqrt_pi_sigma_err",
                "ks_p_value",
            ],
            per_pair.iter().map(|p| {
                vec![
                    p.lr,
                    p.batch as f64,
                    p.kappa,
                    p.mean_spacing,
                    p.mean_spacing_err,
                    p.mean_spacing_binned,
                    p.sqrt_pi_sigma,
                    p.sqrt_pi_sigma_err,
                    p.ks_p_value,
                ]
            }),
        )?;
        let summary = SurmiseSummary {
            profile: ctx.profile,
            pooled_spacings: unit.len(),
            pooled_ks_statistic: ks.statistic,
            pooled_ks_p_value: ks.p_value,
            spacing_vs_sigma_slope: SlopeSummary::of(&vs_sigma),
            spacing_slope: SlopeSummary::of(&l.analysis.spacing_slope),
            per_pair,
            notes: vec![
                "S = |lambda_i - lambda_{i+1}| of each degenerate pair per realisation; s = S/<S> with the sample \
                 mean of that (configuration, pair); all pooled. KS p-values are conservative (<S> estimated)."
                    .into(),
                format!(
                    "For Eq 11, <S> = sqrt(pi) sigma exactly, so spacing_vs_sigma_slope should be 1. \
                     spacing_slope.ratio_to_sqrt_2pi compares <S> = a sqrt(alpha/|B| (mu^2 - kappa)) with the \
                     independent-sample prediction. {N} eigenvalues per realisation."
                ),
            ],
        };
        let summary_path = dir.join("summary.json");
        write_json(&summary_path, &summary)?;
        let rendered =
            Grid::row(vec![Panel::from(left), Panel::from(right)]).render(&dir.join("surmise"))?;
        let mut out = vec![hist_csv, points, summary_path];
        out.extend(rendered.paths());
        Ok(out)
    }
}
