//! Fig 2: the learnt λ of every realisation, and the close-up of one pair with Eq (11).

use std::path::PathBuf;

use coulomb_gas::rho_pair;
use rbm::analysis::PeakResult;
use rbm::Target;
use serde::Serialize;
use spectral::moments::{mean, sd_population};
use spectral::peak::pooled;

use super::{find, pad};
use crate::plot::{Axes, Curve, Grid, HistSeries, HistStyle, HistogramPlot, Panel, VLine};
use crate::rbm_sweep::ensure;
use crate::registry::{Context, Figure, Profile};
use crate::style::{self, LegendPosition};
use crate::Plot;
use runner::{write_csv, write_json};

/// α of the histograms of Fig 2 left (|B| = 16).
pub const FIG2_LRS: [f64; 3] = [0.01, 0.04, 0.08];
/// (α, |B|, κ index among the peaks) of the close-up of Fig 2 right: κ = 5.38 at α = 0.01.
pub const FIG2_CLOSEUP: (f64, usize, usize) = (0.01, 16, 2);

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

    fn numbers(&self, dir: &std::path::Path) -> anyhow::Result<Option<String>> {
        use crate::numbers::{p, sig, ve, Json, Numbers};
        let j = Json::read(dir, "summary.json")?;
        let c = "/closeup/peak";
        let sp = std::f64::consts::PI.sqrt();
        let mut n = Numbers::default();
        n.inline(
            "closeup_kappa",
            &format!("{:.3}", j.f(&format!("{c}/kappa"))?),
        )
        .inline("closeup_lr", &j.f("/closeup/lr")?.to_string())
        .inline(
            "closeup_samples",
            &j.f(&format!("{c}/samples"))?.to_string(),
        )
        .inline("closeup_centre", &j.ve(&format!("{c}/centre"))?)
        .inline("closeup_ratio", &j.ve(&format!("{c}/centre_ratio"))?)
        .inline("closeup_sigma", &j.ve(&format!("{c}/sigma"))?)
        .inline("closeup_sigma_mle", &j.ve(&format!("{c}/sigma_mle"))?)
        .inline("closeup_u4", &j.ve(&format!("{c}/u4"))?)
        .inline(
            "closeup_u4_theory",
            &sig(j.f(&format!("{c}/u4_theory"))?, 3),
        )
        .inline("closeup_spacing", &j.ve(&format!("{c}/mean_spacing"))?)
        .inline(
            "closeup_sqrt_pi_sigma",
            &ve(
                sp * j.f(&format!("{c}/sigma/value"))?,
                sp * j.f(&format!("{c}/sigma/err"))?,
            ),
        )
        .inline("closeup_ks_p", &p(j.f(&format!("{c}/ks_p_value"))?))
        .block("histograms", &super::peak_table(&j, "/histograms")?);
        Ok(Some(n.finish()))
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
        let pooled = pooled(&s.lambda, &peak_def.indices);
        let (h, _) = spectral::histogram(&pooled)?;
        let dens = h.density();
        let (a, b) = (h.edges[0], h.edges[h.edges.len() - 1]);
        let (xa, xb) = pad(a, b, 0.1);
        let (centre, sigma) = (res.centre.value, res.sigma.value);
        // The maximum-likelihood normal (population standard deviation) for comparison.
        let (mean, sd) = (mean(&pooled), sd_population(&pooled));
        let gauss = move |x: f64| {
            (-0.5 * ((x - mean) / sd).powi(2)).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt())
        };
        let right = HistogramPlot {
            axes: Axes {
                title: Some(format!(
                    "α = {lr}, |B| = {batch}: U₄ = {:.3} ± {:.3} (Eq 12: −4/27)",
                    res.u4.value, res.u4.err
                )),
                x_label: "λ".into(),
                y_label: "ρ(λ)".into(),
                vlines: vec![VLine::new(peak_def.kappa)
                    .color(style::BLACK)
                    .label(format!("target κ = {:.3}", peak_def.kappa))],
                x_range: Some((xa, xb)),
                // Headroom above the peak, so the legend sits over empty space.
                y_range: Some((0.0, 1.9 * dens.iter().cloned().fold(0.0, f64::max))),
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
                        "Eq 11 fit: centre = {:.4} ± {:.4}, σ = {:.4} ± {:.4}",
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
