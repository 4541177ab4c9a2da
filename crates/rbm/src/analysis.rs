//! The analysis of a sweep (authors-protocol §1(c)), with honest errors.
//!
//! Per configuration and per peak of the target spectrum (two non-degenerate modes, four
//! degenerate pairs), from the learnt λ of every surviving realisation:
//!
//! * **as the authors**: a Freedman–Diaconis histogram of the pooled λ of the peak (both members
//!   of a pair), an unweighted least-squares fit of Eq (11) to it with p0 = [κ, 1] (a Gaussian
//!   for the two non-degenerate modes), giving the centre λ_fit (and λ_fit/κ) and σ; the spacing
//!   S = |λ_i − λ_{i+1}| of each pair per realisation and ⟨S⟩ as the count-weighted mean of the
//!   FD bin centres of S;
//! * **beyond**: σ and the centre by maximum likelihood (Eq 11 / normal), the sample ⟨S⟩, the
//!   Binder cumulant U4 of the pooled sample (−4/27 for Eq 11, 0 for a Gaussian) and the KS
//!   p-value of S/⟨S⟩ against the unit surmise (π/2)s e^{−πs²/4};
//! * **errors** by bootstrap over realisations: replica b of configuration (α, |B|) resamples the
//!   realisations with the stream `seed::stream(seed, "rbm/bootstrap/<α>/<|B|>", b)`, so the
//!   errors are reproducible bit for bit and independent of the thread count.
//!
//! Global fits (one parameter, `LineThroughOrigin`, weighted by the bootstrap errors, with the
//! true χ² = Σ r²/err² and dof = n − 1) over every pair of every distinct configuration:
//! √π σ = a·x and ⟨S⟩ = a·x with x = √(α/|B|·(μ² − κ)).
//!
//! Reference value: for independent samples the linear-response width of a pair is
//! σ² = 2(α/|B|)(μ² − κ), i.e. a = √(2π) ≈ 2.507 (the book chapter's derivation); the
//! correlation of the PCD-3 negative phase inflates it by at most a few percent.

use coulomb_gas::fit::lm::{fit_curve, fit_histogram, GaussianModel, LineThroughOrigin, LmOptions};
use coulomb_gas::{
    fit_mle, ks_one_sample, sample_u4, Density1D, Histogram, Law, LsqFit, UnitSurmise, U4_PAIR,
};
use langevin_core::seed::stream;
use rand::RngExt;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::RbmError;
use crate::lattice::{Peak, Target};
use crate::N;

/// The learnt spectra of one configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigSamples {
    /// α.
    pub lr: f64,
    /// |B|.
    pub batch: usize,
    /// Member of the batch-size series (α = 0.1).
    pub batch_series: bool,
    /// Member of the learning-rate series (|B| = 16).
    pub lr_series: bool,
    /// Fraction of realisations that stayed finite.
    pub success_ratio: f64,
    /// λ ascending, one entry per surviving realisation.
    pub lambda: Vec<[f64; N]>,
}

/// Options of the analysis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalysisOptions {
    /// Bootstrap replicas (≥ 2).
    pub bootstrap: usize,
    /// Base seed of the bootstrap streams.
    pub seed: u64,
    /// μ² of the RBM (the abscissa of the scaling law).
    pub mu2: f64,
    /// Also refit by maximum likelihood in every replica (slower); otherwise the ML errors are
    /// the inverse observed information.
    pub bootstrap_mle: bool,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        Self {
            bootstrap: 200,
            seed: 0,
            mu2: 9.0,
            bootstrap_mle: true,
        }
    }
}

/// A value with its standard error.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Est {
    /// Estimate on the full sample.
    pub value: f64,
    /// Standard error (bootstrap standard deviation unless stated).
    pub err: f64,
}

/// The statistics of one peak on one (re)sample.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeakNumbers {
    /// Centre of the least-squares histogram fit.
    pub centre: f64,
    /// σ of the least-squares histogram fit.
    pub sigma: f64,
    /// Centre by maximum likelihood.
    pub centre_mle: f64,
    /// σ by maximum likelihood.
    pub sigma_mle: f64,
    /// Binder cumulant of the pooled sample.
    pub u4: f64,
    /// Sample mean spacing (pairs; NaN otherwise).
    pub mean_spacing: f64,
    /// The authors' binned mean spacing (pairs; NaN otherwise).
    pub mean_spacing_binned: f64,
    /// Number of FD bins of the λ histogram.
    pub bins: usize,
    /// Whether the authors' start p0 = [κ, 1] converged (else a data-based start was used).
    pub authors_p0: bool,
}

/// Results for one peak of one configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeakResult {
    /// Target κ.
    pub kappa: f64,
    /// Degenerate pair (Eq 11) or single mode (Gaussian).
    pub pair: bool,
    /// Pooled samples (2 per realisation for a pair).
    pub samples: usize,
    /// α/|B| (abscissa of Fig 3 left).
    pub lr_over_batch: f64,
    /// √(α/|B|·(μ² − κ)) (abscissa of Fig 3 right).
    pub x: f64,
    /// FD bins of the λ histogram.
    pub bins: usize,
    /// Whether p0 = [κ, 1] converged.
    pub authors_p0: bool,
    /// λ_fit (least squares).
    pub centre: Est,
    /// λ_fit/κ.
    pub centre_ratio: Est,
    /// σ (least squares).
    pub sigma: Est,
    /// √π σ (least squares).
    pub sqrt_pi_sigma: Est,
    /// Centre by maximum likelihood.
    pub centre_mle: Est,
    /// σ by maximum likelihood.
    pub sigma_mle: Est,
    /// Binder U4 of the pooled sample.
    pub u4: Est,
    /// U4 of the law fitted: −4/27 (pair) or 0 (Gaussian).
    pub u4_theory: f64,
    /// Sample ⟨S⟩ (pairs only).
    pub mean_spacing: Option<Est>,
    /// The authors' binned ⟨S⟩ (pairs only).
    pub mean_spacing_binned: Option<Est>,
    /// KS distance of S/⟨S⟩ from the unit surmise (pairs only).
    pub ks_statistic: Option<f64>,
    /// Its p-value (conservative: ⟨S⟩ is estimated from the same sample).
    pub ks_p_value: Option<f64>,
}

/// Results for one configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigResult {
    /// α.
    pub lr: f64,
    /// |B|.
    pub batch: usize,
    /// Member of the batch-size series.
    pub batch_series: bool,
    /// Member of the learning-rate series.
    pub lr_series: bool,
    /// Surviving realisations analysed.
    pub realisations: usize,
    /// Fraction that stayed finite.
    pub success_ratio: f64,
    /// Per peak, ascending κ.
    pub peaks: Vec<PeakResult>,
}

/// A one-parameter fit y = a·x.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Slope {
    /// a.
    pub value: f64,
    /// Standard error from the weights (errors taken as exact).
    pub stderr: f64,
    /// Standard error scaled by √(χ²/dof) (when the errors underestimate the scatter).
    pub stderr_scaled: f64,
    /// Σ r²/err².
    pub chi2: f64,
    /// n − 1.
    pub dof: usize,
    /// χ²/dof.
    pub chi2_dof: f64,
    /// Points fitted.
    pub points: usize,
}

/// The analysis of a whole sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepAnalysis {
    /// Options used.
    pub options: AnalysisOptions,
    /// Per configuration.
    pub configs: Vec<ConfigResult>,
    /// √π σ (least squares, as the authors) = a·x over every pair.
    pub sigma_slope: Slope,
    /// √π σ (maximum likelihood) = a·x.
    pub sigma_mle_slope: Slope,
    /// ⟨S⟩ (sample mean) = a·x.
    pub spacing_slope: Slope,
    /// ⟨S⟩ (the authors' binned mean) = a·x.
    pub spacing_binned_slope: Slope,
    /// √(2π): the independent-sample prediction of the slope.
    pub slope_theory: f64,
}

fn ls_fit(pair: bool, hist: &Histogram, p0: &[f64]) -> Option<LsqFit> {
    let fit = if pair {
        fit_histogram(&coulomb_gas::fit::lm::PairModel, hist, p0)
    } else {
        fit_histogram(&GaussianModel, hist, p0)
    };
    fit.ok()
        .filter(|f| f.params.iter().all(|p| p.is_finite()) && f.params[1] != 0.0)
}

/// The authors' start first; if it does not converge, a data-based start; the converged one,
/// else the one with the smaller residual.
fn ls_fit_robust(
    pair: bool,
    hist: &Histogram,
    kappa: f64,
    m: f64,
    s: f64,
) -> Option<(LsqFit, bool)> {
    let a = ls_fit(pair, hist, &[kappa, 1.0]);
    if let Some(f) = a.as_ref().filter(|f| f.converged) {
        return Some((f.clone(), true));
    }
    let b = ls_fit(pair, hist, &[m, if pair { s / 1.2 } else { s }]);
    match (a, b) {
        (_, Some(fb)) if fb.converged => Some((fb, false)),
        (Some(fa), Some(fb)) => Some(if fa.ssr <= fb.ssr {
            (fa, true)
        } else {
            (fb, false)
        }),
        (Some(fa), None) => Some((fa, true)),
        (None, Some(fb)) => Some((fb, false)),
        (None, None) => None,
    }
}

/// Minimum number of bins for a histogram fit.
pub const MIN_BINS: usize = 5;

/// The Freedman–Diaconis histogram (the authors' choice); for samples so small that it has fewer
/// than [`MIN_BINS`] bins (quick profile, tiny tests), max(MIN_BINS, √n) equal bins instead.
pub fn histogram(samples: &[f64]) -> Result<Histogram, coulomb_gas::GasError> {
    let h = Histogram::freedman_diaconis(samples)?;
    if h.len() >= MIN_BINS {
        return Ok(h);
    }
    let lo = samples.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = samples.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let bins = MIN_BINS.max((samples.len() as f64).sqrt() as usize);
    Histogram::fixed(samples, lo, hi, bins)
}

fn mean_std(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n;
    (m, v.sqrt())
}

/// The statistics of `peak` on the realisations `sel` of `lambda`.
pub fn peak_numbers(
    lambda: &[[f64; N]],
    sel: &[usize],
    peak: &Peak,
    mle: bool,
) -> Result<PeakNumbers, RbmError> {
    let pair = peak.is_pair();
    let pooled: Vec<f64> = sel
        .iter()
        .flat_map(|&r| peak.indices.iter().map(move |&i| lambda[r][i]))
        .collect();
    let bad = |what: &str, e: String| RbmError::Invalid(format!("κ = {}: {what}: {e}", peak.kappa));
    let hist = histogram(&pooled).map_err(|e| bad("histogram", e.to_string()))?;
    let (m, s) = mean_std(&pooled);
    let (fit, authors_p0) = ls_fit_robust(pair, &hist, peak.kappa, m, s)
        .ok_or_else(|| bad("least-squares fit", "no convergence".into()))?;
    let (centre_mle, sigma_mle) = if mle {
        let law = if pair { Law::Pair } else { Law::Gaussian };
        let f = fit_mle(law, &pooled).map_err(|e| bad("ML fit", e.to_string()))?;
        (f.params[0], f.params[1])
    } else {
        (f64::NAN, f64::NAN)
    };
    let (mean_spacing, mean_spacing_binned) = if pair {
        let sp = spacings(lambda, sel, peak);
        let h = histogram(&sp).map_err(|e| bad("spacings", e.to_string()))?;
        (mean_std(&sp).0, h.mean_from_bins())
    } else {
        (f64::NAN, f64::NAN)
    };
    Ok(PeakNumbers {
        centre: fit.params[0],
        sigma: fit.params[1].abs(),
        centre_mle,
        sigma_mle,
        u4: sample_u4(&pooled),
        mean_spacing,
        mean_spacing_binned,
        bins: hist.len(),
        authors_p0,
    })
}

/// S = λ_{i+1} − λ_i of a pair (indices i, i+1 of the ascending spectrum), per realisation.
pub fn spacings(lambda: &[[f64; N]], sel: &[usize], peak: &Peak) -> Vec<f64> {
    let (a, b) = (peak.indices[0], peak.indices[peak.indices.len() - 1]);
    sel.iter()
        .map(|&r| (lambda[r][b] - lambda[r][a]).abs())
        .collect()
}

/// The bootstrap stream purpose of a configuration.
pub fn bootstrap_purpose(lr: f64, batch: usize) -> String {
    format!("rbm/bootstrap/{lr}/{batch}")
}

/// Analyses one configuration.
pub fn analyse_config(
    samples: &ConfigSamples,
    target: &Target,
    opts: &AnalysisOptions,
) -> Result<ConfigResult, RbmError> {
    if opts.bootstrap < 2 {
        return Err(RbmError::Invalid(
            "bootstrap needs at least 2 replicas".into(),
        ));
    }
    let n = samples.lambda.len();
    if n < 4 {
        return Err(RbmError::Invalid(format!(
            "α = {}, |B| = {}: {n} realisations, need at least 4",
            samples.lr, samples.batch
        )));
    }
    let peaks = target.peaks();
    let all: Vec<usize> = (0..n).collect();
    let purpose = bootstrap_purpose(samples.lr, samples.batch);
    let replicas: Vec<Vec<PeakNumbers>> = (0..opts.bootstrap as u64)
        .into_par_iter()
        .map(|b| {
            let mut rng = stream(opts.seed, &purpose, b);
            let sel: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
            peaks
                .iter()
                .map(|p| peak_numbers(&samples.lambda, &sel, p, opts.bootstrap_mle))
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<_, _>>()?;
    let lob = samples.lr / samples.batch as f64;
    let sqrt_pi = std::f64::consts::PI.sqrt();
    let mut out = Vec::new();
    for (k, peak) in peaks.iter().enumerate() {
        let full = peak_numbers(&samples.lambda, &all, peak, true)?;
        let err = |f: fn(&PeakNumbers) -> f64| {
            let v: Vec<f64> = replicas.iter().map(|r| f(&r[k])).collect();
            mean_std(&v).1
        };
        let est = |f: fn(&PeakNumbers) -> f64| Est {
            value: f(&full),
            err: err(f),
        };
        let pair = peak.is_pair();
        let (centre_mle, sigma_mle) = if opts.bootstrap_mle {
            (est(|p| p.centre_mle), est(|p| p.sigma_mle))
        } else {
            let pooled: Vec<f64> = all
                .iter()
                .flat_map(|&r| peak.indices.iter().map(move |&i| samples.lambda[r][i]))
                .collect();
            let law = if pair { Law::Pair } else { Law::Gaussian };
            let f = fit_mle(law, &pooled).map_err(|e| RbmError::Invalid(e.to_string()))?;
            (
                Est {
                    value: f.params[0],
                    err: f.stderr[0],
                },
                Est {
                    value: f.params[1],
                    err: f.stderr[1],
                },
            )
        };
        let sigma = est(|p| p.sigma);
        let (ks_statistic, ks_p_value) = if pair {
            let sp = spacings(&samples.lambda, &all, peak);
            let m = full.mean_spacing;
            let unit: Vec<f64> = sp.iter().map(|s| s / m).collect();
            let ks = ks_one_sample(&unit, |s| UnitSurmise.cdf(s))
                .map_err(|e| RbmError::Invalid(e.to_string()))?;
            (Some(ks.statistic), Some(ks.p_value))
        } else {
            (None, None)
        };
        out.push(PeakResult {
            kappa: peak.kappa,
            pair,
            samples: n * peak.indices.len(),
            lr_over_batch: lob,
            x: (lob * (opts.mu2 - peak.kappa)).sqrt(),
            bins: full.bins,
            authors_p0: full.authors_p0,
            centre: est(|p| p.centre),
            centre_ratio: Est {
                value: full.centre / peak.kappa,
                err: err(|p| p.centre) / peak.kappa,
            },
            sigma,
            sqrt_pi_sigma: Est {
                value: sqrt_pi * sigma.value,
                err: sqrt_pi * sigma.err,
            },
            centre_mle,
            sigma_mle,
            u4: est(|p| p.u4),
            u4_theory: if pair { U4_PAIR } else { 0.0 },
            mean_spacing: pair.then(|| est(|p| p.mean_spacing)),
            mean_spacing_binned: pair.then(|| est(|p| p.mean_spacing_binned)),
            ks_statistic,
            ks_p_value,
        });
    }
    Ok(ConfigResult {
        lr: samples.lr,
        batch: samples.batch,
        batch_series: samples.batch_series,
        lr_series: samples.lr_series,
        realisations: n,
        success_ratio: samples.success_ratio,
        peaks: out,
    })
}

/// Weighted one-parameter fit y = a·x with the true χ²/dof.
pub fn slope_fit(x: &[f64], y: &[f64], err: &[f64]) -> Result<Slope, RbmError> {
    if x.len() < 2 || x.len() != y.len() || x.len() != err.len() {
        return Err(RbmError::Invalid(
            "slope fit needs ≥ 2 matching points".into(),
        ));
    }
    if err.iter().any(|e| !(e.is_finite() && *e > 0.0)) {
        return Err(RbmError::Invalid("slope fit needs positive errors".into()));
    }
    let p0 = y.iter().zip(x).map(|(y, x)| y / x).sum::<f64>() / x.len() as f64;
    let f = fit_curve(
        &LineThroughOrigin,
        x,
        y,
        Some(err),
        &[p0],
        &LmOptions::default(),
    )
    .map_err(|e| RbmError::Invalid(format!("slope fit: {e}")))?;
    let a = f.params[0];
    let chi2: f64 = x
        .iter()
        .zip(y)
        .zip(err)
        .map(|((x, y), e)| ((y - a * x) / e).powi(2))
        .sum();
    let dof = x.len() - 1;
    let chi2_dof = chi2 / dof as f64;
    Ok(Slope {
        value: a,
        stderr: f.stderr[0],
        stderr_scaled: f.stderr[0] * chi2_dof.sqrt(),
        chi2,
        dof,
        chi2_dof,
        points: x.len(),
    })
}

/// Analyses every configuration of a sweep and fits the scaling laws over all pairs.
pub fn analyse_sweep(
    configs: &[ConfigSamples],
    opts: &AnalysisOptions,
) -> Result<SweepAnalysis, RbmError> {
    let target = Target::authors();
    let configs = configs
        .iter()
        .map(|c| analyse_config(c, &target, opts))
        .collect::<Result<Vec<_>, _>>()?;
    let pairs: Vec<&PeakResult> = configs
        .iter()
        .flat_map(|c| c.peaks.iter().filter(|p| p.pair))
        .collect();
    let x: Vec<f64> = pairs.iter().map(|p| p.x).collect();
    let sqrt_pi = std::f64::consts::PI.sqrt();
    let fit_of = |f: &dyn Fn(&PeakResult) -> Est| {
        let e: Vec<Est> = pairs.iter().map(|p| f(p)).collect();
        slope_fit(
            &x,
            &e.iter().map(|e| e.value).collect::<Vec<_>>(),
            &e.iter().map(|e| e.err).collect::<Vec<_>>(),
        )
    };
    let nan = Est {
        value: f64::NAN,
        err: f64::NAN,
    };
    Ok(SweepAnalysis {
        sigma_slope: fit_of(&|p| p.sqrt_pi_sigma)?,
        sigma_mle_slope: fit_of(&|p| Est {
            value: sqrt_pi * p.sigma_mle.value,
            err: sqrt_pi * p.sigma_mle.err,
        })?,
        spacing_slope: fit_of(&|p| p.mean_spacing.unwrap_or(nan))?,
        spacing_binned_slope: fit_of(&|p| p.mean_spacing_binned.unwrap_or(nan))?,
        slope_theory: (2.0 * std::f64::consts::PI).sqrt(),
        options: opts.clone(),
        configs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use coulomb_gas::goe_sample;

    /// Exact synthetic spectra: each pair an N = 2 GOE (Eq 11) of width `sigma` about κ, each
    /// single a normal of width `sigma`; λ ascending (the peaks are far apart for small σ).
    fn synthetic(n: usize, sigma: f64, seed: u64) -> ConfigSamples {
        let target = Target::authors();
        let mut rng = stream(seed, "rbm/test/synthetic", 0);
        let lambda = (0..n)
            .map(|_| {
                let mut l = [0.0; N];
                for p in target.peaks() {
                    let e = goe_sample(p.indices.len(), sigma, &mut rng).unwrap();
                    for (&i, x) in p.indices.iter().zip(e) {
                        l[i] = p.kappa + x;
                    }
                }
                l.sort_by(f64::total_cmp);
                l
            })
            .collect();
        ConfigSamples {
            lr: 0.1,
            batch: 16,
            batch_series: true,
            lr_series: true,
            success_ratio: 1.0,
            lambda,
        }
    }

    fn opts(bootstrap: usize) -> AnalysisOptions {
        AnalysisOptions {
            bootstrap,
            seed: 7,
            bootstrap_mle: false,
            ..AnalysisOptions::default()
        }
    }

    #[test]
    fn recovers_known_sigma_within_bootstrap_errors() {
        let sigma = 0.04;
        let s = synthetic(1500, sigma, 1);
        let r = analyse_config(&s, &Target::authors(), &opts(40)).unwrap();
        assert_eq!(r.peaks.len(), 6);
        let within = |e: Est, truth: f64, what: &str| {
            assert!(
                (e.value - truth).abs() < 4.0 * e.err && e.err > 0.0,
                "{what}: {} ± {} vs {truth}",
                e.value,
                e.err
            );
        };
        for p in &r.peaks {
            within(p.sigma, sigma, "σ (LS)");
            within(p.sigma_mle, sigma, "σ (ML)");
            within(p.centre, p.kappa, "centre");
            within(p.u4, p.u4_theory, "U4");
            if p.pair {
                let sp = std::f64::consts::PI.sqrt() * sigma;
                within(p.mean_spacing.unwrap(), sp, "⟨S⟩");
                within(p.mean_spacing_binned.unwrap(), sp, "binned ⟨S⟩");
                assert!(p.ks_p_value.unwrap() > 1e-3);
            }
        }
    }

    #[test]
    fn slope_fit_recovers_exact_slope() {
        let x: Vec<f64> = (1..=12).map(|i| 0.02 * i as f64).collect();
        let y: Vec<f64> = x.iter().map(|x| 2.5 * x).collect();
        let e: Vec<f64> = x.iter().map(|x| 0.01 + 0.1 * x).collect();
        let s = slope_fit(&x, &y, &e).unwrap();
        assert!((s.value - 2.5).abs() < 1e-10, "{}", s.value);
        assert!(s.chi2 < 1e-16 && s.dof == 11 && s.points == 12);
        let w: f64 = x.iter().zip(&e).map(|(x, e)| x * x / (e * e)).sum();
        assert!((s.stderr - w.powf(-0.5)).abs() < 1e-12 * s.stderr.max(1.0));
        // Residuals of exactly one error each: χ²/dof = n/(n − 1) up to the refit.
        let y1: Vec<f64> = x
            .iter()
            .zip(&e)
            .enumerate()
            .map(|(i, (x, e))| 2.5 * x + if i % 2 == 0 { *e } else { -*e })
            .collect();
        let s1 = slope_fit(&x, &y1, &e).unwrap();
        assert!((s1.value - 2.5).abs() < 3.0 * s1.stderr);
        assert!(s1.chi2_dof > 0.8 && s1.chi2_dof < 1.2, "{}", s1.chi2_dof);
        assert!(slope_fit(&x[..1], &y[..1], &e[..1]).is_err());
    }

    #[test]
    fn bootstrap_is_deterministic_and_thread_independent() {
        let s = synthetic(200, 0.05, 2);
        let a = analyse_config(&s, &Target::authors(), &opts(8)).unwrap();
        let b = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| analyse_config(&s, &Target::authors(), &opts(8)).unwrap());
        assert_eq!(a, b);
        let mut o = opts(8);
        o.seed = 8;
        let c = analyse_config(&s, &Target::authors(), &o).unwrap();
        assert_ne!(a.peaks[1].sigma.err, c.peaks[1].sigma.err);
        assert!(analyse_config(&s, &Target::authors(), &opts(1)).is_err());
    }
}
