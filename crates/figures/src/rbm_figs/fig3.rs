//! Fig 3: the centres λ_fit/κ and the widths √π σ of every peak against α/|B|.

use std::path::PathBuf;

use rbm::analysis::{ConfigResult, PeakResult};
use rbm::theory::{
    compare, compare_centres, predict_config, predict_config_chain_driven, Comparison,
    TheoryOptions, LEVELS,
};
use rbm::Target;
use serde::{Deserialize, Serialize};
use spectral::slope_fit;

use super::{kappa_label, SlopeSummary};
use crate::plot::{Axes, Curve, Grid, HLine, Panel, ScatterPlot, ScatterSeries};
use crate::rbm_sweep::{ensure, Loaded};
use crate::registry::{Context, Figure, Profile};
use crate::style::{self, LegendPosition, Marker};
use crate::Plot;
use runner::{read_json, write_csv_records, write_json};

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
    /// The zero-parameter prediction ([`rbm::theory`]) of σ and of the centre.
    sigma_theory: f64,
    sigma_theory_err: f64,
    centre_theory: f64,
    centre_theory_err: f64,
}

fn peak_row(ci: usize, c: &ConfigResult, p: &PeakResult, t: &PeakResult) -> Fig3Row {
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
        sigma_theory: t.sigma.value,
        sigma_theory_err: t.sigma.err,
        centre_theory: t.centre.value,
        centre_theory_err: t.centre.err,
    }
}

/// One step of the decomposition: the prediction with some of the terms.
#[derive(Serialize)]
struct TheoryLevel {
    terms: &'static str,
    /// √π σ_theory = a·x over the 40 pairs, weighted by the prediction's errors.
    slope: SlopeSummary,
    /// Data against this prediction, all pairs and without |B| = 4.
    data: Comparison,
    data_without_batch4: Comparison,
}

/// The cost of the Gaussian assumption at |B| = 4: data against both ensembles (pairs).
#[derive(Serialize)]
struct NoiseShape {
    gaussian: Comparison,
    chain_driven: Comparison,
    /// [σ, error] per pair, ascending κ.
    sigma_data: Vec<[f64; 2]>,
    sigma_gaussian: Vec<[f64; 2]>,
    sigma_chain_driven: Vec<[f64; 2]>,
}

/// [σ, error] of every pair of a configuration, ascending κ.
fn pair_sigmas(c: &ConfigResult) -> Vec<[f64; 2]> {
    c.peaks
        .iter()
        .filter(|p| p.pair)
        .map(|p| [p.sigma.value, p.sigma.err])
        .collect()
}

/// `"theory"` of `fig3/summary.json`: data against the zero-parameter prediction.
#[derive(Serialize)]
struct TheorySummary {
    chi2_dof: f64,
    chi2: f64,
    points: usize,
    free_parameters: usize,
    without_batch4: Comparison,
    /// Data against the paper's formula σ² = 2(α/|B|)(μ² − κ) itself (data errors only).
    paper_formula: Comparison,
    /// The fitted centres of every peak (pairs and single modes) against the prediction's.
    centres: Comparison,
    centres_without_batch4: Comparison,
    options: TheoryOptions,
    /// From the paper's picture to the full prediction, one term at a time.
    levels: Vec<TheoryLevel>,
    /// At |B| = 4: the full prediction with Gaussian fluctuations against the same with the
    /// linearised map driven by simulated chains (the noise's true shape).
    noise_shape_batch4: Option<NoiseShape>,
}

/// The profile's sizes of the prediction (its Monte Carlo error is a few times below the data's).
fn theory_options(profile: Profile) -> TheoryOptions {
    match profile {
        Profile::Paper => TheoryOptions {
            realisations: 16_000,
            bootstrap: 100,
            seed: 20_241_202,
            mean_samples: 4_000,
        },
        Profile::Quick => TheoryOptions {
            realisations: 2_000,
            bootstrap: 20,
            seed: 20_241_202,
            mean_samples: 500,
        },
    }
}

/// χ² of the data's σ against √2·x, the unsorted 2×2-block width.
fn formula(a: &rbm::analysis::SweepAnalysis) -> Comparison {
    let (mut chi2, mut points) = (0.0, 0);
    for p in a
        .configs
        .iter()
        .flat_map(|c| c.peaks.iter())
        .filter(|p| p.pair)
    {
        chi2 += ((p.sigma.value - std::f64::consts::SQRT_2 * p.x) / p.sigma.err).powi(2);
        points += 1;
    }
    Comparison {
        chi2,
        points,
        chi2_dof: chi2 / points as f64,
    }
}

/// What the cached prediction depends on: the options and the configurations (not the data).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct TheoryConfig {
    /// Bumped when the prediction changes form (invalidates `theory.json`).
    version: u32,
    options: TheoryOptions,
    /// (α, |B|, batch series, learning-rate series) of every configuration, in sweep order.
    configs: Vec<(f64, usize, bool, bool)>,
}

/// `fig3/theory.json`: the prediction of every configuration at every level of [`LEVELS`].
const THEORY_FILE: &str = "theory.json";

/// The cached prediction: every level for every configuration, and the full prediction with the
/// chains' true noise for the |B| = 4 configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Predictions {
    levels: Vec<Vec<ConfigResult>>,
    chain_driven_batch4: Option<ConfigResult>,
}

/// The predicted configurations at every level of [`LEVELS`] (the last is the full prediction):
/// computed once per [`TheoryConfig`] (about 10 s on 2 cores in the paper profile) and read
/// back from `theory.json` afterwards, so re-plotting stays fast.
fn predictions(ctx: &Context, a: &rbm::analysis::SweepAnalysis) -> anyhow::Result<Predictions> {
    let cfg = TheoryConfig {
        version: 2,
        options: theory_options(ctx.profile),
        configs: a
            .configs
            .iter()
            .map(|c| (c.lr, c.batch, c.batch_series, c.lr_series))
            .collect(),
    };
    let path = ctx.figure_dir("fig3")?.join(THEORY_FILE);
    ctx.data(
        "fig3",
        &cfg,
        |_| {
            let (model, target) = (rbm::Rbm::authors(), Target::authors());
            let mut out = Vec::new();
            for (_, terms) in LEVELS {
                let t: Vec<ConfigResult> = a
                    .configs
                    .iter()
                    .map(|c| predict_config(&model, &target, c, terms, &cfg.options))
                    .collect::<Result<_, _>>()?;
                out.push(t);
            }
            let chain_driven_batch4 = a
                .configs
                .iter()
                .find(|c| c.batch == 4)
                .map(|c| predict_config_chain_driven(&model, &target, c, &cfg.options))
                .transpose()?;
            let out = Predictions {
                levels: out,
                chain_driven_batch4,
            };
            write_json(&path, &out)?;
            Ok((out, vec![path.clone()]))
        },
        |_| Ok(read_json(&path)?),
    )
}

/// Data against every level of the prediction; the full prediction is returned with it.
fn predict(
    ctx: &Context,
    a: &rbm::analysis::SweepAnalysis,
) -> anyhow::Result<(TheorySummary, Vec<ConfigResult>)> {
    let mut levels = Vec::new();
    let mut full = Vec::new();
    let pred = predictions(ctx, a)?;
    for ((name, _), t) in LEVELS.iter().zip(pred.levels) {
        let pts: Vec<&PeakResult> = t
            .iter()
            .flat_map(|c| c.peaks.iter())
            .filter(|p| p.pair)
            .collect();
        levels.push(TheoryLevel {
            terms: name,
            slope: sigma_slope(&pts)?,
            data: compare(&a.configs, &t, None),
            data_without_batch4: compare(&a.configs, &t, Some(4)),
        });
        full = t;
    }
    let all = compare(&a.configs, &full, None);
    // |B| = 4 with the chains' true noise against the Gaussian ensemble, pairs only.
    let batch4 = match (
        pred.chain_driven_batch4,
        a.configs.iter().position(|c| c.batch == 4),
    ) {
        (Some(chain), Some(k)) => Some(NoiseShape {
            gaussian: compare(&a.configs[k..=k], &full[k..=k], None),
            chain_driven: compare(&a.configs[k..=k], std::slice::from_ref(&chain), None),
            sigma_chain_driven: pair_sigmas(&chain),
            sigma_gaussian: pair_sigmas(&full[k]),
            sigma_data: pair_sigmas(&a.configs[k]),
        }),
        _ => None,
    };
    Ok((
        TheorySummary {
            chi2_dof: all.chi2_dof,
            chi2: all.chi2,
            points: all.points,
            free_parameters: 0,
            without_batch4: compare(&a.configs, &full, Some(4)),
            paper_formula: formula(a),
            centres: compare_centres(&a.configs, &full, None),
            centres_without_batch4: compare_centres(&a.configs, &full, Some(4)),
            options: theory_options(ctx.profile),
            levels,
            noise_shape_batch4: batch4,
        },
        full,
    ))
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
    /// The zero-parameter prediction of every width.
    theory: TheorySummary,
    bootstrap: usize,
    configs: &'a [ConfigResult],
    notes: Vec<String>,
}

#[derive(Serialize)]
struct CutSlope {
    max_lr_over_batch: f64,
    slope: SlopeSummary,
}

/// √π σ = a·x over `pts`, weighted by their bootstrap errors.
fn sigma_slope(pts: &[&PeakResult]) -> anyhow::Result<SlopeSummary> {
    let col = |f: &dyn Fn(&PeakResult) -> f64| pts.iter().map(|p| f(p)).collect::<Vec<_>>();
    let s = slope_fit(
        &col(&|p| p.x),
        &col(&|p| p.sqrt_pi_sigma.value),
        &col(&|p| p.sqrt_pi_sigma.err),
    )?;
    Ok(SlopeSummary::of(&s))
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
        out.push(CutSlope {
            max_lr_over_batch: cut,
            slope: sigma_slope(&pts)?,
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

/// The prediction of every pair as black crosses (σ error bars from its Monte Carlo).
fn theory_series(predicted: &[ConfigResult], chi2_dof: f64) -> ScatterSeries {
    let pts: Vec<&PeakResult> = predicted
        .iter()
        .flat_map(|c| c.peaks.iter())
        .filter(|p| p.pair)
        .collect();
    ScatterSeries::new(
        format!("prediction, no free parameter (χ²/dof = {chi2_dof:.2})"),
        pts.iter().map(|p| p.x).collect(),
        pts.iter().map(|p| p.sqrt_pi_sigma.value).collect(),
    )
    .yerr(pts.iter().map(|p| p.sqrt_pi_sigma.err).collect())
    .color(style::BLACK)
    .marker(Marker::Cross)
}

/// Fig 3 (registered as `fig3`).
pub struct Fig3;

impl Figure for Fig3 {
    fn name(&self) -> &'static str {
        "fig3"
    }

    fn description(&self) -> &'static str {
        "Gaussian RBM: fitted centre/κ vs α/|B| (left) and √π σ vs √(α/|B|(μ²−κ)) with the slope fit (right)"
    }

    fn numbers(&self, dir: &std::path::Path) -> anyhow::Result<Option<String>> {
        use crate::numbers::{sig, slope_cells, table, Json, Numbers};
        let j = Json::read(dir, "summary.json")?;
        let mut rows = Vec::new();
        let mut fit = |label: String, ptr: &str| -> anyhow::Result<()> {
            let mut r = vec![label];
            r.extend(slope_cells(&j, ptr)?);
            r.push(j.f(&format!("{ptr}/points"))?.to_string());
            r.push(format!("{:.3}", j.f(&format!("{ptr}/ratio_to_sqrt_2pi"))?));
            rows.push(r);
            Ok(())
        };
        fit(
            "√π σ, least squares (the authors' method)".into(),
            "/sigma_slope",
        )?;
        fit("√π σ, maximum likelihood".into(), "/sigma_mle_slope")?;
        fit("⟨S⟩, sample mean".into(), "/spacing_slope")?;
        fit(
            "⟨S⟩, the authors' binned mean".into(),
            "/spacing_binned_slope",
        )?;
        let cuts = j.len("/sigma_slope_by_cut")?;
        for c in 0..cuts {
            let cut = j.f(&format!("/sigma_slope_by_cut/{c}/max_lr_over_batch"))?;
            fit(
                format!("√π σ, least squares, α/\\|B\\| ≤ {cut}"),
                &format!("/sigma_slope_by_cut/{c}/slope"),
            )?;
        }
        let mut n = Numbers::default();
        n.block(
            "slopes",
            &table(
                &[
                    "fit",
                    "slope a",
                    "error × √(χ²/dof)",
                    "χ²/dof",
                    "points",
                    "a/√(2π)",
                ],
                &rows,
            ),
        );
        let slope = |n: &mut Numbers, name: &str, ptr: &str| -> anyhow::Result<()> {
            let cells = slope_cells(&j, ptr)?;
            n.inline(name, &cells[0]);
            n.inline(
                &format!("{name}_chi2"),
                &sig(j.f(&format!("{ptr}/chi2_dof"))?, 3),
            );
            n.inline(
                &format!("{name}_ratio"),
                &format!("{:.3}", j.f(&format!("{ptr}/ratio_to_sqrt_2pi"))?),
            );
            n.inline(
                &format!("{name}_points"),
                &j.f(&format!("{ptr}/points"))?.to_string(),
            );
            Ok(())
        };
        slope(&mut n, "slope", "/sigma_slope")?;
        for c in 0..cuts {
            slope(
                &mut n,
                &format!("slope_cut{c}"),
                &format!("/sigma_slope_by_cut/{c}/slope"),
            )?;
            n.inline(
                &format!("cut{c}"),
                &j.f(&format!("/sigma_slope_by_cut/{c}/max_lr_over_batch"))?
                    .to_string(),
            );
        }
        n.inline(
            "centre_max_dev",
            &format!("{:.1} %", 100.0 * j.f("/centre_ratio_max_deviation")?),
        )
        .inline("bootstrap", &j.f("/bootstrap")?.to_string());
        // The zero-parameter prediction and its decomposition (summary "theory").
        let cmp = |ptr: &str| -> anyhow::Result<String> {
            Ok(format!(
                "{} ({} points)",
                sig(j.f(&format!("{ptr}/chi2_dof"))?, 3),
                j.f(&format!("{ptr}/points"))?
            ))
        };
        let mut levels = vec![vec![
            "σ² = 2(α/\\|B\\|)(μ² − κ), unsorted (the paper's formula)".to_string(),
            format!("{:.4}", j.f("/slope_theory_sqrt_2pi")?),
            "1".into(),
            cmp("/theory/paper_formula")?,
            "–".into(),
        ]];
        for k in 0..j.len("/theory/levels")? {
            let ptr = format!("/theory/levels/{k}");
            let a = j.f(&format!("{ptr}/slope/value"))?;
            levels.push(vec![
                j.s(&format!("{ptr}/terms"))?.replace('|', "\\|"),
                format!("{a:.4}"),
                format!("{:.3}", a / j.f("/slope_theory_sqrt_2pi")?),
                cmp(&format!("{ptr}/data"))?,
                cmp(&format!("{ptr}/data_without_batch4"))?,
            ]);
        }
        n.block(
            "theory_levels",
            &table(
                &[
                    "prediction",
                    "slope of √π σ",
                    "slope/√(2π)",
                    "χ²/dof of the data",
                    "without \\|B\\| = 4",
                ],
                &levels,
            ),
        )
        .inline("theory_chi2", &sig(j.f("/theory/chi2_dof")?, 3))
        .inline(
            "theory_chi2_no4",
            &sig(j.f("/theory/without_batch4/chi2_dof")?, 3),
        )
        .inline("theory_points", &j.f("/theory/points")?.to_string())
        .inline(
            "theory_realisations",
            &j.f("/theory/options/realisations")?.to_string(),
        )
        .inline(
            "formula_chi2",
            &sig(j.f("/theory/paper_formula/chi2_dof")?, 3),
        )
        .inline(
            "theory_centre_chi2",
            &sig(j.f("/theory/centres/chi2_dof")?, 3),
        )
        .inline(
            "theory_centre_points",
            &j.f("/theory/centres/points")?.to_string(),
        )
        .inline(
            "theory_centre_chi2_no4",
            &sig(j.f("/theory/centres_without_batch4/chi2_dof")?, 3),
        )
        .inline(
            "noise_gauss_chi2",
            &sig(j.f("/theory/noise_shape_batch4/gaussian/chi2_dof")?, 3),
        )
        .inline(
            "noise_chain_chi2",
            &sig(j.f("/theory/noise_shape_batch4/chain_driven/chi2_dof")?, 3),
        )
        .block("peaks", &super::peak_table(&j, "/configs")?);
        Ok(Some(n.finish()))
    }

    fn run(&self, ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
        let l = ensure(ctx)?;
        let dir = ctx.figure_dir(self.name())?;
        let a = &l.analysis;
        let (theory, predicted) = predict(ctx, a)?;
        let rows: Vec<Fig3Row> = a
            .configs
            .iter()
            .zip(&predicted)
            .enumerate()
            .flat_map(|(ci, (c, t))| {
                c.peaks
                    .iter()
                    .zip(&t.peaks)
                    .map(move |(p, q)| peak_row(ci, c, p, q))
            })
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
            theory,
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
                "theory: the zero-parameter prediction of every width (rbm::theory): linear response of PCD-k \
                 (finite alpha, chain persistence, every matrix element, second-order mean), sampled and put \
                 through the same analysis as the data; chi2 = sum (sigma - sigma_theory)^2/(err^2 + \
                 err_theory^2) over the pairs, dof = points (nothing fitted); levels add one term at a time."
                    .into(),
            ],
        };
        let summary_path = dir.join("summary.json");
        write_json(&summary_path, &summary)?;

        let left = ScatterPlot {
            axes: Axes {
                x_label: "α/|B|".into(),
                y_label: "fitted centre / κ".into(),
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
            series: {
                let mut v = per_kappa_series(
                    &l,
                    true,
                    |p| p.x,
                    |p| (p.sqrt_pi_sigma.value, p.sqrt_pi_sigma.err),
                );
                v.push(theory_series(&predicted, summary.theory.chi2_dof));
                v
            },
            curves: vec![
                Curve::line_through_origin(
                    format!(
                        "fit a·x: a = {:.3} ± {:.3} (error ×√(χ²/dof)), χ²/dof = {:.1}",
                        s.value,
                        s.stderr_scaled.max(s.stderr),
                        s.chi2_dof
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
        let mut out = vec![points, summary_path, dir.join(THEORY_FILE)];
        out.extend(rendered.paths());
        Ok(out)
    }
}
