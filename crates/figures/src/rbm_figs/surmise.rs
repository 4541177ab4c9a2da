//! The spacing figure: P(s) of s = S/⟨S⟩ against the unit surmise, and ⟨S⟩ against √π σ.

use std::path::PathBuf;

use anyhow::bail;
use coulomb_gas::{ks_one_sample, Density1D, UnitSurmise};
use rbm::{Target, N};
use serde::Serialize;
use spectral::moments::mean;
use spectral::peak::spacings;
use spectral::slope_fit;

use super::{kappa_label, SlopeSummary};
use crate::plot::{
    Axes, Curve, Grid, HistSeries, HistogramPlot, Panel, ScatterPlot, ScatterSeries,
};
use crate::rbm_sweep::ensure;
use crate::registry::{Context, Figure, Profile};
use crate::style::{self, LegendPosition};
use crate::Plot;
use runner::{write_csv, write_json};

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

    fn numbers(&self, dir: &std::path::Path) -> anyhow::Result<Option<String>> {
        use crate::numbers::{p, sig, slope_cells, table, ve, Json, Numbers};
        let j = Json::read(dir, "summary.json")?;
        let mut n = Numbers::default();
        let mut rows = Vec::new();
        for i in 0..j.len("/per_pair")? {
            let f = |k: &str| j.f(&format!("/per_pair/{i}/{k}"));
            rows.push(vec![
                f("lr")?.to_string(),
                f("batch")?.to_string(),
                format!("{:.3}", f("kappa")?),
                ve(f("mean_spacing")?, f("mean_spacing_err")?),
                ve(f("sqrt_pi_sigma")?, f("sqrt_pi_sigma_err")?),
                p(f("ks_p_value")?),
            ]);
        }
        n.block(
            "pairs",
            &table(
                &[
                    "α",
                    "\\|B\\|",
                    "κ",
                    "⟨S⟩",
                    "√π σ",
                    "KS p of S/⟨S⟩ against the surmise",
                ],
                &rows,
            ),
        );
        n.inline("ks_d", &sig(j.f("/pooled_ks_statistic")?, 2))
            .inline("ks_p", &p(j.f("/pooled_ks_p_value")?))
            .inline("spacings", &j.f("/pooled_spacings")?.to_string());
        for (name, ptr) in [
            ("vs_sigma", "/spacing_vs_sigma_slope"),
            ("vs_scale", "/spacing_slope"),
        ] {
            let c = slope_cells(&j, ptr)?;
            n.inline(&format!("{name}_slope"), &c[0])
                .inline(
                    &format!("{name}_chi2"),
                    &sig(j.f(&format!("{ptr}/chi2_dof"))?, 2),
                )
                .inline(
                    &format!("{name}_points"),
                    &j.f(&format!("{ptr}/points"))?.to_string(),
                );
        }
        Ok(Some(n.finish()))
    }

    fn run(&self, ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
        let l = ensure(ctx)?;
        let dir = ctx.figure_dir(self.name())?;
        let peaks = Target::authors().peaks();
        let mut unit = Vec::new();
        let mut per_pair = Vec::new();
        for (ci, s) in l.samples.iter().enumerate() {
            for (k, pk) in peaks.iter().enumerate() {
                if !pk.is_pair() {
                    continue;
                }
                let sp = spacings(&s.lambda, &pk.indices);
                let m = mean(&sp);
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
