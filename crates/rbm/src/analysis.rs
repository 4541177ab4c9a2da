//! The analysis of a sweep (authors-protocol §1(c)), with honest errors.
//!
//! Per configuration and per peak of the target spectrum (two non-degenerate modes, four
//! degenerate pairs), from the learnt λ of every surviving realisation:
//!
//! * **as the authors**: a Freedman–Diaconis histogram of the pooled λ of the peak (both members
//!   of a pair), an unweighted least-squares fit of Eq (11) to it (a Gaussian for the two
//!   non-degenerate modes), started at the centre κ and the width from the sample's standard
//!   deviation (the authors start at σ = 1; both reach the same minimum), giving the centre
//!   λ_fit (and λ_fit/κ) and σ; the spacing
//!   S = |λ_i − λ_{i+1}| of each pair per realisation and ⟨S⟩ as the count-weighted mean of the
//!   FD bin centres of S;
//! * **beyond**: σ and the centre by maximum likelihood (Eq 11 / normal), the sample ⟨S⟩, the
//!   Binder cumulant U4 of the pooled sample (−4/27 for Eq 11, 0 for a Gaussian) and the KS
//!   p-value of S/⟨S⟩ against the unit surmise (π/2)s e^{−πs²/4};
//! * **errors** by bootstrap over realisations: replica b of configuration (α, |B|) resamples the
//!   realisations with the stream `seed::stream(seed, "rbm/bootstrap/<α>/<|B|>", b)`, so the
//!   errors are reproducible bit for bit and independent of the thread count.
//!
//! All of it is [`spectral::analyse_peak`]; this module only adds the RBM's abscissae.
//!
//! Global fits (one parameter, `LineThroughOrigin`, weighted by the bootstrap errors, with the
//! true χ² = Σ r²/err² and dof = n − 1) over every pair of every distinct configuration:
//! √π σ = a·x and ⟨S⟩ = a·x with x = √(α/|B|·(μ² − κ)).
//!
//! Reference value: for independent samples the linear-response width of a pair is
//! σ² = 2(α/|B|)(μ² − κ), i.e. a = √(2π) ≈ 2.507 (the book chapter's derivation); the
//! correlation of the PCD-3 negative phase inflates it by at most a few percent.

use serde::{Deserialize, Serialize};
pub use spectral::Slope;
use spectral::{analyse_peak, slope_fit, PeakOptions, PeakReport, SpectralError};

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
    /// Bins of the λ histogram.
    pub bins: usize,
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

/// The bootstrap stream purpose of a configuration.
pub fn bootstrap_purpose(lr: f64, batch: usize) -> String {
    format!("rbm/bootstrap/{lr}/{batch}")
}

fn est(value: f64, err: f64) -> Est {
    Est { value, err }
}

// ANCHOR: analyse_config
/// Analyses one configuration: every peak of the target through [`spectral::analyse_peak`]
/// (the one implementation of the fits and their bootstrap), then the RBM's abscissae.
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
    let popts = PeakOptions {
        sigma0: None,
        bootstrap: opts.bootstrap,
        seed: opts.seed,
        purpose: bootstrap_purpose(samples.lr, samples.batch),
        bootstrap_ml: opts.bootstrap_mle,
        eq32: false,
    };
    let lob = samples.lr / samples.batch as f64;
    let sqrt_pi = std::f64::consts::PI.sqrt();
    let mut out = Vec::new();
    for peak in target.peaks() {
        let bad = |e: String| {
            RbmError::Invalid(format!(
                "α = {}, |B| = {}, κ = {}: {e}",
                samples.lr, samples.batch, peak.kappa
            ))
        };
        let r = analyse_peak(&samples.lambda, &peak.indices, Some(peak.kappa), &popts)
            .map_err(|e| bad(e.to_string()))?;
        let fit = r
            .fit
            .as_ref()
            .ok_or_else(|| bad(r.fit_error.clone().unwrap_or_default()))?;
        let b = r
            .bootstrap
            .as_ref()
            .ok_or_else(|| bad(r.bootstrap_error.clone().unwrap_or_default()))?;
        let ml =
            r.ml.as_ref()
                .ok_or_else(|| bad(r.ml_error.clone().unwrap_or_default()))?;
        let pair = peak.is_pair();
        let sigma = est(fit.sigma, b.sigma);
        out.push(PeakResult {
            kappa: peak.kappa,
            pair,
            samples: r.samples,
            lr_over_batch: lob,
            x: (lob * (opts.mu2 - peak.kappa)).sqrt(),
            bins: fit.bins,
            centre: est(fit.centre, b.centre),
            centre_ratio: est(fit.centre / peak.kappa, b.centre / peak.kappa),
            sigma,
            sqrt_pi_sigma: est(sqrt_pi * sigma.value, sqrt_pi * sigma.err),
            centre_mle: est(ml.params[0], b.centre_ml.unwrap_or(ml.stderr[0])),
            sigma_mle: est(ml.params[1], b.sigma_ml.unwrap_or(ml.stderr[1])),
            u4: est(r.u4, b.u4),
            u4_theory: r.u4_expected,
            mean_spacing: r
                .spacings
                .as_ref()
                .zip(b.mean_spacing)
                .map(|(s, e)| est(s.mean, e)),
            mean_spacing_binned: r
                .spacings
                .as_ref()
                .zip(b.mean_spacing_binned)
                .map(|(s, e)| est(s.mean_binned, e)),
            ks_statistic: r.spacings.as_ref().map(|s| s.ks_surmise_d),
            ks_p_value: r.spacings.as_ref().map(|s| s.ks_surmise_p),
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
// ANCHOR_END: analyse_config

/// Per distinct κ of `target`, the peak's record from [`spectral::analyse_peak`] (the one
/// `rmt-sgd analyze` prints): the λ of a degenerate pair pooled and fitted with Eq 11, a single
/// mode with a Gaussian; no bootstrap.
pub fn target_peaks(
    learnt: &[&[f64; N]],
    target: &Target,
) -> Vec<(Peak, Result<PeakReport, SpectralError>)> {
    let o = PeakOptions {
        bootstrap: 0,
        ..PeakOptions::default()
    };
    target
        .peaks()
        .into_iter()
        .map(|p| {
            let r = analyse_peak(learnt, &p.indices, Some(p.kappa), &o);
            (p, r)
        })
        .collect()
}

fn slope(x: &[f64], y: &[f64], err: &[f64]) -> Result<Slope, RbmError> {
    slope_fit(x, y, err).map_err(|e| RbmError::Invalid(format!("slope fit: {e}")))
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
        slope(
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
    use langevin_core::seed::stream;

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
