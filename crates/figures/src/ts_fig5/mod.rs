//! Fig 5: the stationary density of x = ξ² with a hidden layer Z of Eq (26) (left) and Eq (27)
//! (right), least-squares fits of Eq (11) and of the two-species Eq (32), and the Wigner surmise
//! with σ_m (Eq 31) against Eq (30).
//!
//! # Which law the pooled sorted levels follow (math-notes §2 item 7)
//!
//! The two singular values of a network are always sorted, ξ_min < ξ_max: a single β = 1
//! trajectory never crosses, so in the Coulomb-gas language each network lives in one ordering
//! sector of Eq (29). Pooling both levels of every network makes the ordering irrelevant:
//! ½(ρ_min + ρ_max) = ½(ρ_species1 + ρ_species2) for any labelling. What matters is whether the
//! species that sits on top is the same in every network. It is not: with a degenerate teacher
//! the law of δW = W − W_t is invariant under δW → −δW (zero-mean Gaussian noise, linear
//! dynamics), which swaps the upper and lower level, so the fast species (the level whose singular
//! vector is the fast eigenvector of ZᵀZ) is on top in half of the networks
//! (`ordering.fraction_upper_is_fast`). Both sectors are equally populated, the pooled density is
//! symmetric about the centre, and the two-species law for it is Eq (32) = the symmetrised
//! [`coulomb_gas::SectorDensity`], not the single-sector density (whose mean is shifted by
//! √π(σ₁² − σ₂²)/(4σ_m)). Both are fitted and compared (`sector`, `ordering`).
//!
//! A third, parameter-free curve is the linear-response law of the dynamics
//! ([`teacher_student::LinearResponse`]): W_t + δW with δW Gaussian of the stationary covariance.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use coulomb_gas::fit::lm::{fit_curve, fit_histogram, LmOptions};
use coulomb_gas::fit::lm::{PairModel, SectorModel, SurmiseModel, TwoSpeciesModel};
use coulomb_gas::{
    fit_mle, ks_one_sample, ks_two_sample, sample_u4, sigma_m, Density1D, Histogram, Law,
    PairDensity, SectorDensity, Surmise, TwoSpecies,
};
use langevin_core::stream;
use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};
use spectral::moments;
use teacher_student::analytic::eigen_sorted;
use teacher_student::{Hyper, LinearResponse, Mat, Model, Record};

use crate::plot::{Axes, Curve, Grid, HistSeries, HistogramPlot, Panel, VLine};
use crate::registry::{Context, Figure, Profile};
use crate::style;
use crate::ts_common::{per_hidden_model, HIDDEN_MODELS};
use crate::Plot;
use runner::{read_json, write_json};

/// Fig 5 (registered as `fig5`).
pub struct Fig5;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Config {
    /// Bumped when the outputs change form (invalidates cached data).
    version: u32,
    seed: u64,
    lr: f64,
    batch: usize,
    batches_per_epoch: usize,
    /// Long enough for the slow mode to forget the initial condition (e^{−αλ_min S·epochs}).
    epochs: usize,
    noise: f64,
    init_std: f64,
    noise_draw: teacher_student::NoiseDraw,
    inputs: teacher_student::Inputs,
    networks: usize,
    linear_response_samples: usize,
}

impl Config {
    fn for_profile(p: Profile) -> Self {
        let h = Model::Z26.default_hyper();
        let (networks, epochs, lin) = match p {
            Profile::Paper => (20000, 40, 400_000),
            Profile::Quick => (2500, 30, 40_000),
        };
        Config {
            version: 3,
            seed: 20241229,
            lr: h.lr,
            batch: h.batch,
            batches_per_epoch: h.batches_per_epoch,
            epochs,
            noise: h.noise,
            init_std: h.init_std,
            noise_draw: h.noise_draw,
            inputs: h.inputs,
            networks,
            linear_response_samples: lin,
        }
    }

    fn hyper(&self, model: Model) -> Hyper {
        let mut h = model.hyper(self.lr, self.noise, self.batch);
        h.batches_per_epoch = self.batches_per_epoch;
        h.epochs = self.epochs;
        h.init_std = self.init_std;
        h.noise_draw = self.noise_draw;
        h.inputs = self.inputs;
        h
    }
}

/// A maximum-likelihood fit, summarised.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct MleSummary {
    params: Vec<f64>,
    stderr: Vec<f64>,
    covariance: Vec<Vec<f64>>,
    log_likelihood: f64,
    aic: f64,
    ks_p: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Standard {
    centre: f64,
    sigma: f64,
    centre_stderr: f64,
    sigma_stderr: f64,
    ssr: f64,
    bins: usize,
    ks_d: f64,
    ks_p: f64,
    log_likelihood: f64,
    aic: f64,
    mle: MleSummary,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Generalised {
    centre: f64,
    sigma1: f64,
    sigma2: f64,
    /// Eq (30) from the fitted σ₁, σ₂.
    sigma_m: f64,
    centre_stderr: f64,
    sigma1_stderr: f64,
    sigma2_stderr: f64,
    sigma_m_stderr: f64,
    ssr: f64,
    ks_d: f64,
    ks_p: f64,
    log_likelihood: f64,
    aic: f64,
    mle: MleSummary,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Sector {
    /// Least-squares fit of the single-sector density (species 1 always the upper level).
    centre: f64,
    sigma_upper: f64,
    sigma_lower: f64,
    ssr: f64,
    ks_p: f64,
    log_likelihood: f64,
    /// The single-sector law at the Eq (32) parameters: its mean shift √π(σ₁² − σ₂²)/(4σ_m) with
    /// the wider species on top, and its KS p-value against the data.
    mean_shift_at_generalised: f64,
    ks_p_at_generalised: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SurmiseSummary {
    /// Least-squares fit of Eq (31) to the Freedman–Diaconis histogram of S = x_max − x_min.
    sigma_m: f64,
    sigma_m_stderr: f64,
    ssr: f64,
    ks_p: f64,
    /// Maximum likelihood.
    mle_sigma_m: f64,
    mle_sigma_m_stderr: f64,
    /// Sample mean spacing and √π σ_m (Eq 31) of the fit.
    mean_spacing: f64,
    sqrt_pi_sigma_m: f64,
    /// Eq (30) from the Eq (32) fit, and the ratio surmise / Eq (30).
    eq30_sigma_m: f64,
    eq30_sigma_m_stderr: f64,
    ratio_to_eq30: f64,
    /// The same with maximum likelihood throughout: Eq (30) from the MLE widths of Eq (32), and
    /// the MLE σ_m of Eq (31) over it.
    eq30_sigma_m_mle: f64,
    eq30_sigma_m_mle_stderr: f64,
    ratio_mle_to_eq30_mle: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Comparison {
    /// SSR(Eq 11) / SSR(Eq 32) of the least-squares fits to the same histogram.
    ssr_ratio: f64,
    /// AIC(Eq 11) − AIC(Eq 32) of the maximum-likelihood fits (> 10: decisive for Eq 32).
    delta_aic_mle: f64,
    /// ln L(Eq 32) − ln L(Eq 11), maximum likelihood.
    delta_log_likelihood_mle: f64,
    /// The same at the least-squares parameters.
    delta_aic_ls: f64,
    ks_p_standard: f64,
    ks_p_generalised: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Linear {
    /// Species widths in x (4σ_ξ, fast species last) and the off-diagonal width, in the eigenbasis
    /// of ZᵀZ (eigenvalues `lambda`).
    lambda: Vec<f64>,
    sigma_species_x: Vec<f64>,
    sigma_offdiag_x: f64,
    /// Two-sample KS of the data against the linear-response law.
    ks_d: f64,
    ks_p: f64,
    mean_spacing: f64,
    u4: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Ordering {
    /// Fraction of networks whose upper level belongs to the fast species.
    fraction_upper_is_fast: f64,
    fraction_stderr: f64,
    /// Mean of the pooled x minus the Eq (32) centre, and its standard error.
    mean_minus_centre: f64,
    mean_minus_centre_stderr: f64,
    /// Skewness of the pooled x.
    skewness: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ModelSummary {
    standard: Standard,
    generalised: Generalised,
    sector: Sector,
    surmise: SurmiseSummary,
    comparison: Comparison,
    linear_response: Linear,
    ordering: Ordering,
    networks: usize,
    samples: usize,
    mean: f64,
    u4: f64,
    /// Beyond the paper: Hoyt against Rayleigh on the spacings ([`hoyt`]), added by `run` from
    /// the samples (so cached data get it without retraining).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hoyt: Option<hoyt::HoytSummary>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Summary {
    profile: Profile,
    config: Config,
    z26: ModelSummary,
    z27: ModelSummary,
    notes: Vec<String>,
}

mod compute;
mod hoyt;
use compute::compute;

/// Re-trains networks `indices` of the profile's Fig 5 ensemble of `model` alone: their rows of
/// `samples_<model>.csv` (for `all --verify-paper`).
pub(crate) fn retrain_samples(
    profile: Profile,
    model: Model,
    indices: &[u64],
) -> anyhow::Result<Vec<Vec<f64>>> {
    compute::sample_rows(model, &Config::for_profile(profile), indices)
}

/// Networks in the profile's ensemble of each model.
pub(crate) fn networks(profile: Profile) -> usize {
    Config::for_profile(profile).networks
}

fn notes(cfg: &Config) -> Vec<String> {
    vec![
        format!(
            "Networks as in Fig 4 (alpha = {}, |B| = {}, {} steps/epoch, fresh GOE-like noise {}, unit-variance \
             init) trained for {} epochs, so that even the slow mode (rate alpha lambda_min per step) has forgotten \
             the initial condition; {} networks, both levels pooled, x = xi^2.",
            cfg.lr, cfg.batch, cfg.batches_per_epoch, cfg.noise, cfg.epochs, cfg.networks
        ),
        "standard / generalised: unweighted least squares of Eq (11) / Eq (32) (stable form) on the \
         Freedman-Diaconis histogram of the pooled x (the authors' method); KS and log-likelihoods on one level \
         per network (alternately upper and lower: independent draws of the pooled law); mle: maximum \
         likelihood on the same sample. AIC = 2k - 2 ln L."
            .into(),
        "surmise: Eq (31) fitted to the histogram of S = x_max - x_min (and by maximum likelihood); eq30_sigma_m \
         from the least-squares Eq (32) widths, eq30_sigma_m_mle from the maximum-likelihood ones. The least-squares \
         fit weights the peak and underestimates the wide species, so the two comparisons differ."
            .into(),
        "Ordering (math-notes item 7): pooled sorted levels = pooled labelled levels; the fast species is on top \
         in half of the networks (fraction_upper_is_fast), so both ordering sectors are populated, the density is \
         symmetric (mean - centre ~ 0, skewness ~ 0) and Eq (32) = the symmetrised SectorDensity applies; the \
         single-sector density is fitted for contrast (sector)."
            .into(),
        "linear_response: parameter-free law of W_t + dW, dW Gaussian with the stationary covariance of the \
         linearised update (species widths sigma_k = sqrt(Var S_kk) in the eigenbasis of Z^T Z). The Eq (32) \
         widths are effective: the lower one is set by the level repulsion (sigma_offdiag), not by the slow \
         species' own width."
            .into(),
    ]
}

/// The tables a model's panels are drawn from: `samples_<model>.csv` and
/// `linear_response_<model>.csv`.
struct Tables {
    samples: runner::CsvTable,
    linear: runner::CsvTable,
}

impl Tables {
    const PREFIXES: [&str; 2] = ["samples", "linear_response"];

    fn paths(dir: &Path, model: Model) -> [PathBuf; 2] {
        crate::ts_common::model_table_paths(dir, model, Self::PREFIXES)
    }

    fn read(dir: &Path, model: Model) -> anyhow::Result<Self> {
        let [samples, linear] = crate::ts_common::read_model_tables(dir, model, Self::PREFIXES)?;
        Ok(Self { samples, linear })
    }
}

fn panel(
    model: Model,
    tables: &Tables,
    s: &ModelSummary,
) -> anyhow::Result<(HistogramPlot, HistogramPlot)> {
    let (t, lin) = (&tables.samples, &tables.linear);
    let lo = t.column("x_min").context("x_min")?;
    let hi = t.column("x_max").context("x_max")?;
    let pooled: Vec<f64> = lo.iter().zip(&hi).flat_map(|(a, b)| [*a, *b]).collect();
    let hist = Histogram::freedman_diaconis(&pooled)?;
    let g = &s.generalised;
    let c = g.centre;
    let w = 4.5 * g.sigma1.max(g.sigma2);
    let range = (c - w, c + w);
    let law11 = PairDensity::new(s.standard.centre, s.standard.sigma)?;
    let law32 = TwoSpecies::new(c, g.sigma1, g.sigma2)?;
    let eq = if model == Model::Z26 { 26 } else { 27 };
    let density = HistogramPlot {
        axes: Axes {
            title: Some(format!(
                "Z of Eq. ({eq}): SSR(11)/SSR(32) = {:.1}, ΔAIC = {:.0}",
                s.comparison.ssr_ratio, s.comparison.delta_aic_mle
            )),
            x_label: "x = ξ²".into(),
            y_label: "ρ(x)".into(),
            vlines: vec![VLine::new(4.0).label("κ = 4")],
            x_range: Some(range),
            ..Default::default()
        },
        series: vec![HistSeries::from_histogram(
            format!("{} networks, both levels", s.networks),
            &hist,
        )
        .color(style::color(0))],
        curves: vec![
            Curve::from_fn("Eq. (11) fit", range, 600, |x| law11.pdf(x))
                .dashed()
                .color(style::color(3)),
            Curve::from_fn("Eq. (32) fit", range, 600, |x| law32.pdf(x)).color(style::BLACK),
            Curve::new(
                "linear response (no fit)",
                lin.column("x").context("x")?,
                lin.column("density").context("density")?,
            )
            .dash(crate::plot::Dash::Dotted)
            .color(style::color(2)),
        ],
    };
    let sp: Vec<f64> = lo.iter().zip(&hi).map(|(a, b)| b - a).collect();
    let sh = Histogram::freedman_diaconis(&sp)?;
    let top = sp.iter().fold(0.0f64, |m, v| m.max(*v));
    let sur_fit = Surmise::new(s.surmise.sigma_m)?;
    let sur_30 = Surmise::new(s.surmise.eq30_sigma_m)?;
    let spacing = HistogramPlot {
        axes: Axes {
            title: Some(format!(
                "Z of Eq. ({eq}): σ_m fit {:.4}, Eq. (30) {:.4}",
                s.surmise.sigma_m, s.surmise.eq30_sigma_m
            )),
            x_label: "S = x₁ − x₂".into(),
            y_label: "P(S)".into(),
            ..Default::default()
        },
        series: vec![HistSeries::from_histogram("spacings", &sh).color(style::color(0))],
        curves: vec![
            Curve::from_fn("Eq. (31) fit", (0.0, top), 400, |x| sur_fit.pdf(x)).color(style::BLACK),
            Curve::from_fn("Eq. (31), σ_m of Eq. (30)", (0.0, top), 400, |x| {
                sur_30.pdf(x)
            })
            .dashed()
            .color(style::color(3)),
        ],
    };
    Ok((density, spacing))
}

impl Figure for Fig5 {
    fn name(&self) -> &'static str {
        "fig5"
    }

    fn description(&self) -> &'static str {
        "Teacher-student with hidden layer: density of x with Eq 11 vs Eq 32 fits, surmise vs Eq 30"
    }

    fn numbers(&self, dir: &std::path::Path) -> anyhow::Result<Option<String>> {
        use crate::numbers::{int, p, sig, table, ve, Json, Numbers};
        let j = Json::read(dir, "summary.json")?;
        type Cell = fn(&Json, &str) -> anyhow::Result<String>;
        let rows: Vec<(&str, &str, Cell)> = vec![
            ("eq11_ls_sigma", "Eq (11), least squares: σ", |j, z| {
                Ok(ve(
                    j.f(&format!("/{z}/standard/sigma"))?,
                    j.f(&format!("/{z}/standard/sigma_stderr"))?,
                ))
            }),
            (
                "eq11_ml_sigma",
                "Eq (11), maximum likelihood: σ",
                |j, z| {
                    Ok(ve(
                        j.f(&format!("/{z}/standard/mle/params/1"))?,
                        j.f(&format!("/{z}/standard/mle/stderr/1"))?,
                    ))
                },
            ),
            (
                "eq11_ks_p",
                "Eq (11): KS p (least squares; maximum likelihood)",
                |j, z| {
                    Ok(format!(
                        "{}; {}",
                        p(j.f(&format!("/{z}/standard/ks_p"))?),
                        p(j.f(&format!("/{z}/standard/mle/ks_p"))?)
                    ))
                },
            ),
            (
                "eq32_ls_sigmas",
                "Eq (32), least squares: σ₁, σ₂",
                |j, z| {
                    let g = format!("/{z}/generalised");
                    Ok(format!(
                        "{}, {}",
                        ve(
                            j.f(&format!("{g}/sigma1"))?,
                            j.f(&format!("{g}/sigma1_stderr"))?
                        ),
                        ve(
                            j.f(&format!("{g}/sigma2"))?,
                            j.f(&format!("{g}/sigma2_stderr"))?
                        )
                    ))
                },
            ),
            (
                "eq32_ml_sigmas",
                "Eq (32), maximum likelihood: σ₁, σ₂",
                |j, z| {
                    let g = format!("/{z}/generalised/mle");
                    Ok(format!(
                        "{}, {}",
                        ve(
                            j.f(&format!("{g}/params/1"))?,
                            j.f(&format!("{g}/stderr/1"))?
                        ),
                        ve(
                            j.f(&format!("{g}/params/2"))?,
                            j.f(&format!("{g}/stderr/2"))?
                        )
                    ))
                },
            ),
            (
                "eq32_ks_p_ls",
                "Eq (32): KS p, least-squares widths",
                |j, z| Ok(p(j.f(&format!("/{z}/generalised/ks_p"))?)),
            ),
            (
                "eq32_ks_p_ml",
                "Eq (32): KS p, maximum-likelihood widths",
                |j, z| Ok(p(j.f(&format!("/{z}/generalised/mle/ks_p"))?)),
            ),
            ("ssr_ratio", "SSR(11) / SSR(32)", |j, z| {
                Ok(sig(j.f(&format!("/{z}/comparison/ssr_ratio"))?, 3))
            }),
            (
                "delta_aic_ml",
                "ΔAIC(11 − 32), maximum likelihood",
                |j, z| Ok(int(j.f(&format!("/{z}/comparison/delta_aic_mle"))?)),
            ),
            (
                "delta_aic_ls",
                "ΔAIC(11 − 32), least-squares parameters",
                |j, z| Ok(int(j.f(&format!("/{z}/comparison/delta_aic_ls"))?)),
            ),
            (
                "lin_ks_d",
                "linear response (nothing fitted): KS distance",
                |j, z| Ok(sig(j.f(&format!("/{z}/linear_response/ks_d"))?, 3)),
            ),
            ("lin_ks_p", "linear response: KS p", |j, z| {
                Ok(p(j.f(&format!("/{z}/linear_response/ks_p"))?))
            }),
            ("eq32_ks_d", "KS distance, Eq (32) least squares", |j, z| {
                Ok(sig(j.f(&format!("/{z}/generalised/ks_d"))?, 3))
            }),
            ("eq11_ks_d", "KS distance, Eq (11) least squares", |j, z| {
                Ok(sig(j.f(&format!("/{z}/standard/ks_d"))?, 3))
            }),
            (
                "sigma_m_eq31",
                "σₘ from the spacing, Eq (31): least squares; maximum likelihood",
                |j, z| {
                    let s = format!("/{z}/surmise");
                    Ok(format!(
                        "{}; {}",
                        ve(
                            j.f(&format!("{s}/sigma_m"))?,
                            j.f(&format!("{s}/sigma_m_stderr"))?
                        ),
                        ve(
                            j.f(&format!("{s}/mle_sigma_m"))?,
                            j.f(&format!("{s}/mle_sigma_m_stderr"))?
                        )
                    ))
                },
            ),
            (
                "sigma_m_eq30",
                "σₘ from Eq (30): least-squares widths; maximum-likelihood widths",
                |j, z| {
                    let s = format!("/{z}/surmise");
                    Ok(format!(
                        "{}; {}",
                        ve(
                            j.f(&format!("{s}/eq30_sigma_m"))?,
                            j.f(&format!("{s}/eq30_sigma_m_stderr"))?
                        ),
                        ve(
                            j.f(&format!("{s}/eq30_sigma_m_mle"))?,
                            j.f(&format!("{s}/eq30_sigma_m_mle_stderr"))?
                        )
                    ))
                },
            ),
            (
                "ratio_ls",
                "ratio Eq (31) / Eq (30), least squares",
                |j, z| {
                    Ok(format!(
                        "{:.3}",
                        j.f(&format!("/{z}/surmise/ratio_to_eq30"))?
                    ))
                },
            ),
            (
                "ratio_ml",
                "ratio Eq (31) / Eq (30), maximum likelihood",
                |j, z| {
                    Ok(format!(
                        "{:.3}",
                        j.f(&format!("/{z}/surmise/ratio_mle_to_eq30_mle"))?
                    ))
                },
            ),
            (
                "spacing_ks_p",
                "spacing: KS p against the fitted Eq (31)",
                |j, z| Ok(p(j.f(&format!("/{z}/surmise/ks_p"))?)),
            ),
            (
                "mean_spacing",
                "mean spacing: measured; linear response",
                |j, z| {
                    Ok(format!(
                        "{}; {}",
                        sig(j.f(&format!("/{z}/surmise/mean_spacing"))?, 4),
                        sig(j.f(&format!("/{z}/linear_response/mean_spacing"))?, 4)
                    ))
                },
            ),
            (
                "lin_spacing_excess",
                "linear response over measured mean spacing",
                |j, z| {
                    let r = j.f(&format!("/{z}/linear_response/mean_spacing"))?
                        / j.f(&format!("/{z}/surmise/mean_spacing"))?;
                    Ok(format!("{:+.0} %", 100.0 * (r - 1.0)))
                },
            ),
            (
                "upper_is_fast",
                "fraction of networks with the fast species on top",
                |j, z| {
                    let o = format!("/{z}/ordering");
                    Ok(ve(
                        j.f(&format!("{o}/fraction_upper_is_fast"))?,
                        j.f(&format!("{o}/fraction_stderr"))?,
                    ))
                },
            ),
            ("sector_ks_p", "single-sector density: KS p", |j, z| {
                Ok(p(j.f(&format!("/{z}/sector/ks_p"))?))
            }),
        ];
        let mut n = Numbers::default();
        let mut table_rows = Vec::new();
        for (key, label, cell) in &rows {
            let (a, b) = (cell(&j, "z26")?, cell(&j, "z27")?);
            n.inline(&format!("{key}_26"), &a)
                .inline(&format!("{key}_27"), &b);
            table_rows.push(vec![label.to_string(), a, b]);
        }
        // The linear-response widths of Eq (28) (species and off-diagonal, in x).
        let mut lr_rows = Vec::new();
        for (z, eq) in [("z26", "26"), ("z27", "27")] {
            let l = |k: &str| j.f(&format!("/{z}/linear_response/{k}"));
            let (slow, off) = (l("sigma_species_x/0")?, l("sigma_offdiag_x")?);
            lr_rows.push(vec![
                format!("Eq ({eq})"),
                format!("{}, {}", sig(l("lambda/0")?, 5), sig(l("lambda/1")?, 5)),
                sig(slow, 4),
                sig(l("sigma_species_x/1")?, 5),
                sig(off, 5),
            ]);
            n.inline(&format!("offdiag_over_slow_{eq}"), &sig(off / slow, 2));
        }
        // Beyond the paper: Hoyt against Rayleigh on the spacings.
        let mut hoyt_rows = Vec::new();
        let hcell = |z: &str, law: &str| -> anyhow::Result<String> {
            let b = format!("/{z}/hoyt/{law}");
            if j.opt(&format!("{b}/ks_p"))?.is_none() {
                return Ok("no least-squares minimum".into());
            }
            let ratio = match j.opt(&format!("{b}/variance_ratio"))? {
                Some(r) => ve(r, j.f(&format!("{b}/variance_ratio_stderr"))?),
                None => "1 (fixed)".into(),
            };
            Ok(format!("{ratio}; KS p {}", p(j.f(&format!("{b}/ks_p"))?)))
        };
        for (label, law) in [
            ("Rayleigh (Eq 31), least squares", "rayleigh_ls"),
            ("Rayleigh (Eq 31), maximum likelihood", "rayleigh_mle"),
            ("Hoyt, least squares", "hoyt_ls"),
            ("Hoyt, maximum likelihood", "hoyt_mle"),
        ] {
            let (a, b) = (hcell("z26", law)?, hcell("z27", law)?);
            n.inline(&format!("hoyt_{law}_26"), &a)
                .inline(&format!("hoyt_{law}_27"), &b);
            hoyt_rows.push(vec![label.to_string(), a, b]);
        }
        let pred = |z: &str| -> anyhow::Result<String> {
            Ok(format!(
                "{} (leading order {})",
                sig(j.f(&format!("/{z}/hoyt/predicted_variance_ratio"))?, 4),
                sig(j.f(&format!("/{z}/hoyt/leading_order_variance_ratio"))?, 4)
            ))
        };
        hoyt_rows.push(vec![
            "linear response (no fit)".into(),
            pred("z26")?,
            pred("z27")?,
        ]);
        for (z, eq) in [("z26", "26"), ("z27", "27")] {
            n.inline(
                &format!("hoyt_pull_{eq}"),
                &format!("{:.1}", j.f(&format!("/{z}/hoyt/ratio_pull_mle"))?),
            );
        }
        n.block(
            "hoyt",
            &table(
                &[
                    "spacing law",
                    "Z of Eq (26): Var v/Var u; KS",
                    "Z of Eq (27): Var v/Var u; KS",
                ],
                &hoyt_rows,
            ),
        );
        n.block(
            "table",
            &table(&["quantity", "Z of Eq (26)", "Z of Eq (27)"], &table_rows),
        )
        .block(
            "lr_widths",
            &table(
                &[
                    "",
                    "$\\lambda_1$, $\\lambda_2$",
                    "slow species $\\sigma_1$",
                    "fast species $\\sigma_2$",
                    "off-diagonal $\\sqrt{\\operatorname{Var}\\tilde S_{12}}$",
                ],
                &lr_rows,
            ),
        )
        .inline("networks", &int(j.f("/config/networks")?))
        .inline("epochs", &int(j.f("/config/epochs")?))
        .inline("lr_samples", &int(j.f("/config/linear_response_samples")?))
        .inline("seed", &j.f("/config/seed")?.to_string());
        Ok(Some(n.finish()))
    }

    fn run(&self, ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
        let cfg = Config::for_profile(ctx.profile);
        let dir = ctx.figure_dir(self.name())?;
        let summary_path = dir.join("summary.json");
        let (summary, tables): (Summary, Vec<Tables>) = ctx.data(
            self.name(),
            &cfg,
            |dir| {
                let ([z26, z27], tables, mut files) =
                    per_hidden_model(|model| compute(model, &cfg, dir))?;
                let summary = Summary {
                    profile: ctx.profile,
                    z26,
                    z27,
                    notes: notes(&cfg),
                    config: cfg.clone(),
                };
                write_json(&summary_path, &summary)?;
                files.push(summary_path.clone());
                Ok(((summary, tables), files))
            },
            |dir| {
                let tables = HIDDEN_MODELS
                    .iter()
                    .map(|&m| Tables::read(dir, m))
                    .collect::<anyhow::Result<_>>()?;
                Ok((read_json(&summary_path)?, tables))
            },
        )?;
        let mut summary = summary;
        for (t, s) in tables.iter().zip([&mut summary.z26, &mut summary.z27]) {
            let lo = t.samples.column("x_min").context("x_min")?;
            let hi = t.samples.column("x_max").context("x_max")?;
            let spacings: Vec<f64> = hi.iter().zip(&lo).map(|(h, l)| h - l).collect();
            let lr = &s.linear_response;
            s.hoyt = Some(hoyt::hoyt_summary(
                &spacings,
                &lr.sigma_species_x,
                lr.sigma_offdiag_x,
                &lr.lambda,
            )?);
        }
        write_json(&summary_path, &summary)?;
        let (d26, s26) = panel(Model::Z26, &tables[0], &summary.z26)?;
        let (d27, s27) = panel(Model::Z27, &tables[1], &summary.z27)?;
        let main = Grid::row(vec![Panel::from(d26), Panel::from(d27)]).render(&dir.join("fig5"))?;
        let spacing = Grid::row(vec![Panel::from(s26), Panel::from(s27)])
            .render(&dir.join("fig5_spacing"))?;
        let mut out: Vec<PathBuf> = HIDDEN_MODELS
            .iter()
            .flat_map(|m| {
                [
                    dir.join(format!("samples_{}.csv", m.name())),
                    dir.join(format!("linear_response_{}.csv", m.name())),
                ]
            })
            .collect();
        out.push(summary_path);
        out.extend(main.paths());
        out.extend(spacing.paths());
        Ok(out)
    }
}
