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
use crate::Plot;
use runner::{read_csv, read_json, write_csv, write_json};

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
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Summary {
    profile: Profile,
    config: Config,
    z26: ModelSummary,
    z27: ModelSummary,
    notes: Vec<String>,
}

const MODELS: [Model; 2] = [Model::Z26, Model::Z27];

fn mle_summary(law: Law, sample: &[f64]) -> anyhow::Result<MleSummary> {
    let f = fit_mle(law, sample).with_context(|| format!("maximum likelihood of {law:?}"))?;
    Ok(MleSummary {
        aic: 2.0 * law.n_params() as f64 - 2.0 * f.log_likelihood,
        params: f.params,
        stderr: f.stderr,
        covariance: f.covariance,
        log_likelihood: f.log_likelihood,
        ks_p: f.ks.p_value,
    })
}

/// The left singular vector of the larger singular value of a 2×2 W: its angle.
fn upper_angle(w: &Mat<2, 2>) -> f64 {
    let m = w * w.transpose();
    0.5 * (2.0 * m[(0, 1)]).atan2(m[(0, 0)] - m[(1, 1)])
}

fn compute(model: Model, cfg: &Config, dir: &Path) -> anyhow::Result<(ModelSummary, Vec<PathBuf>)> {
    let h = cfg.hyper(model);
    let teacher = model.teacher();
    let run = model.run(h, cfg.seed, 0)?;
    let label = format!("fig5 {}", model.name());
    let nets = runner::par_items(&label, cfg.networks, |k| Ok(run.member(k, Record::Final)?))?;
    let g = DMatrix::from_fn(2, 2, |i, j| teacher.gram()[(i, j)]);
    let (_, u) = eigen_sorted(&g)?;
    let fast_angle = u[(1, 1)].atan2(u[(0, 1)]);
    let mut rows = Vec::with_capacity(nets.len());
    for m in &nets {
        let xi = m.singular_values();
        let c = (upper_angle(&m.w) - fast_angle).cos();
        rows.push(vec![
            xi[0],
            xi[1],
            xi[0] * xi[0],
            xi[1] * xi[1],
            f64::from(u8::from(c * c > 0.5)),
        ]);
    }
    let csv = dir.join(format!("samples_{}.csv", model.name()));
    write_csv(
        &csv,
        &["xi_min", "xi_max", "x_min", "x_max", "upper_is_fast"],
        rows.clone(),
    )?;

    let pooled: Vec<f64> = rows.iter().flat_map(|r| [r[2], r[3]]).collect();
    // One level per network, alternating upper/lower: independent draws of the pooled law.
    let alt: Vec<f64> = rows
        .iter()
        .enumerate()
        .map(|(k, r)| if k % 2 == 0 { r[3] } else { r[2] })
        .collect();
    let spacings: Vec<f64> = rows.iter().map(|r| r[3] - r[2]).collect();
    let hist = Histogram::freedman_diaconis(&pooled)?;
    let (mean, var, skew) = (
        moments::mean(&pooled),
        moments::variance_population(&pooled),
        moments::skewness(&pooled),
    );

    // Eq (11).
    let f11 = fit_histogram(&PairModel, &hist, &[4.0, (var / 1.5).sqrt()])?;
    let law11 = PairDensity::new(f11.params[0], f11.params[1].abs())?;
    let ks11 = ks_one_sample(&alt, |x| law11.cdf(x))?;
    let ll11 = law11.log_likelihood(&alt);
    let mle11 = mle_summary(Law::Pair, &alt)?;
    // Eq (32), from a generic start around the Eq (11) width.
    let s = law11.sigma;
    let f32 = fit_histogram(&TwoSpeciesModel, &hist, &[f11.params[0], 0.5 * s, 2.0 * s])?;
    let (c32, s1, s2) = (f32.params[0], f32.params[1], f32.params[2]);
    let law32 = TwoSpecies::new(c32, s1, s2)?;
    let ks32 = ks_one_sample(&alt, |x| law32.cdf(x))?;
    let ll32 = law32.log_likelihood(&alt);
    let mle32 = mle_summary(Law::TwoSpecies, &alt)?;
    let eq30 = |a: f64, b: f64, c: &[Vec<f64>]| {
        let m = sigma_m(a, b);
        let (g1, g2) = (a / (2.0 * m), b / (2.0 * m));
        let var = g1 * g1 * c[1][1] + 2.0 * g1 * g2 * c[1][2] + g2 * g2 * c[2][2];
        (m, var.max(0.0).sqrt())
    };
    let (sm, sm_err) = eq30(s1, s2, &f32.covariance);
    let (sm_mle, sm_mle_err) = eq30(mle32.params[1], mle32.params[2], &mle32.covariance);
    // The single sector: both assignments of the widths as starts, keep the better fit.
    let sector_fit = [[c32, s2, s1], [c32, s1, s2]]
        .iter()
        .filter_map(|p0| fit_histogram(&SectorModel, &hist, p0).ok())
        .min_by(|a, b| a.ssr.total_cmp(&b.ssr))
        .context("no single-sector fit converged")?;
    let law_sec = SectorDensity::new(
        sector_fit.params[0],
        sector_fit.params[1],
        sector_fit.params[2],
    )?;
    let sec_at_32 = SectorDensity::new(c32, s2.max(s1), s1.min(s2))?;
    let ks_sec = ks_one_sample(&alt, |x| law_sec.cdf(x))?;
    let ks_sec32 = ks_one_sample(&alt, |x| sec_at_32.cdf(x))?;
    // Surmise.
    let sh = Histogram::freedman_diaconis(&spacings)?;
    let ms = moments::mean(&spacings);
    let fsur = fit_curve(
        &SurmiseModel,
        &sh.centres(),
        &sh.density(),
        None,
        &[ms / std::f64::consts::PI.sqrt()],
        &LmOptions::default(),
    )?;
    let sur = Surmise::new(fsur.params[0])?;
    let ks_sur = ks_one_sample(&spacings, |x| sur.cdf(x))?;
    let mle_sur = fit_mle(Law::Surmise, &spacings)?;
    // Linear response.
    let lin = LinearResponse::new(&teacher, &h)?;
    let w = lin.eigenbasis_widths()?;
    let mut rng = stream(
        cfg.seed,
        &format!("fig5/{}/linear-response", model.name()),
        0,
    );
    let mc = lin.sample_singular_values(cfg.linear_response_samples, &mut rng);
    let mc_alt: Vec<f64> = mc
        .iter()
        .enumerate()
        .map(|(k, xi)| xi[if k % 2 == 0 { 1 } else { 0 }].powi(2))
        .collect();
    let ks_lin = ks_two_sample(&alt, &mc_alt)?;
    let mc_pooled: Vec<f64> = mc
        .iter()
        .flat_map(|xi| [xi[0] * xi[0], xi[1] * xi[1]])
        .collect();
    let mc_ms = mc
        .iter()
        .map(|xi| xi[1] * xi[1] - xi[0] * xi[0])
        .sum::<f64>()
        / mc.len() as f64;
    let frac = rows.iter().map(|r| r[4]).sum::<f64>() / rows.len() as f64;
    let summary = ModelSummary {
        standard: Standard {
            centre: f11.params[0],
            sigma: law11.sigma,
            centre_stderr: f11.stderr[0],
            sigma_stderr: f11.stderr[1],
            ssr: f11.ssr,
            bins: hist.len(),
            ks_d: ks11.statistic,
            ks_p: ks11.p_value,
            log_likelihood: ll11,
            aic: 4.0 - 2.0 * ll11,
            mle: mle11.clone(),
        },
        generalised: Generalised {
            centre: c32,
            sigma1: s1,
            sigma2: s2,
            sigma_m: sm,
            centre_stderr: f32.stderr[0],
            sigma1_stderr: f32.stderr[1],
            sigma2_stderr: f32.stderr[2],
            sigma_m_stderr: sm_err,
            ssr: f32.ssr,
            ks_d: ks32.statistic,
            ks_p: ks32.p_value,
            log_likelihood: ll32,
            aic: 6.0 - 2.0 * ll32,
            mle: mle32.clone(),
        },
        sector: Sector {
            centre: law_sec.centre,
            sigma_upper: law_sec.sigma1,
            sigma_lower: law_sec.sigma2,
            ssr: sector_fit.ssr,
            ks_p: ks_sec.p_value,
            log_likelihood: law_sec.log_likelihood(&alt),
            mean_shift_at_generalised: sec_at_32.mean() - c32,
            ks_p_at_generalised: ks_sec32.p_value,
        },
        surmise: SurmiseSummary {
            sigma_m: fsur.params[0],
            sigma_m_stderr: fsur.stderr[0],
            ssr: fsur.ssr,
            ks_p: ks_sur.p_value,
            mle_sigma_m: mle_sur.params[0],
            mle_sigma_m_stderr: mle_sur.stderr[0],
            mean_spacing: ms,
            sqrt_pi_sigma_m: std::f64::consts::PI.sqrt() * fsur.params[0],
            eq30_sigma_m: sm,
            eq30_sigma_m_stderr: sm_err,
            ratio_to_eq30: fsur.params[0] / sm,
            eq30_sigma_m_mle: sm_mle,
            eq30_sigma_m_mle_stderr: sm_mle_err,
            ratio_mle_to_eq30_mle: mle_sur.params[0] / sm_mle,
        },
        comparison: Comparison {
            ssr_ratio: f11.ssr / f32.ssr,
            delta_aic_mle: mle11.aic - mle32.aic,
            delta_log_likelihood_mle: mle32.log_likelihood - mle11.log_likelihood,
            delta_aic_ls: (4.0 - 2.0 * ll11) - (6.0 - 2.0 * ll32),
            ks_p_standard: ks11.p_value,
            ks_p_generalised: ks32.p_value,
        },
        linear_response: Linear {
            sigma_species_x: w.sigma_species.iter().map(|s| 4.0 * s).collect(),
            sigma_offdiag_x: 4.0 * w.sigma_offdiag[0],
            lambda: w.lambda,
            ks_d: ks_lin.statistic,
            ks_p: ks_lin.p_value,
            mean_spacing: mc_ms,
            u4: sample_u4(&mc_pooled),
        },
        ordering: Ordering {
            fraction_upper_is_fast: frac,
            fraction_stderr: (frac * (1.0 - frac) / rows.len() as f64).sqrt(),
            mean_minus_centre: mean - c32,
            mean_minus_centre_stderr: (var / alt.len() as f64).sqrt(),
            skewness: skew,
        },
        networks: nets.len(),
        samples: pooled.len(),
        mean,
        u4: sample_u4(&pooled),
    };
    // The linear-response density on 240 bins over the data's central range, for the figure.
    let (lo_x, hi_x) = (c32 - 4.5 * s1.max(s2), c32 + 4.5 * s1.max(s2));
    let lin_hist = Histogram::fixed(&mc_pooled, lo_x, hi_x, 240)?;
    let inside = lin_hist.n as f64 / mc_pooled.len() as f64;
    let lin_csv = dir.join(format!("linear_response_{}.csv", model.name()));
    write_csv(
        &lin_csv,
        &["x", "density"],
        lin_hist
            .centres()
            .into_iter()
            .zip(lin_hist.density())
            .map(|(x, d)| vec![x, d * inside]),
    )?;
    Ok((summary, vec![csv, lin_csv]))
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

fn panel(
    model: Model,
    dir: &Path,
    s: &ModelSummary,
) -> anyhow::Result<(HistogramPlot, HistogramPlot)> {
    let t = read_csv(dir.join(format!("samples_{}.csv", model.name())))?;
    let lin = read_csv(dir.join(format!("linear_response_{}.csv", model.name())))?;
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

    fn run(&self, ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
        let cfg = Config::for_profile(ctx.profile);
        let dir = ctx.figure_dir(self.name())?;
        let summary_path = dir.join("summary.json");
        ctx.compute_if_stale(self.name(), &cfg, |dir| {
            let mut files = Vec::new();
            let mut per = Vec::new();
            for model in MODELS {
                let (s, f) = compute(model, &cfg, dir)?;
                files.extend(f);
                per.push(s);
            }
            let summary = Summary {
                profile: ctx.profile,
                z27: per.pop().expect("two models"),
                z26: per.pop().expect("two models"),
                notes: notes(&cfg),
                config: cfg.clone(),
            };
            write_json(&summary_path, &summary)?;
            files.push(summary_path.clone());
            Ok(files)
        })?;
        let summary: Summary = read_json(&summary_path)?;
        let (d26, s26) = panel(Model::Z26, &dir, &summary.z26)?;
        let (d27, s27) = panel(Model::Z27, &dir, &summary.z27)?;
        let main = Grid::row(vec![Panel::from(d26), Panel::from(d27)]).render(&dir.join("fig5"))?;
        let spacing = Grid::row(vec![Panel::from(s26), Panel::from(s27)])
            .render(&dir.join("fig5_spacing"))?;
        let mut out: Vec<PathBuf> = MODELS
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
