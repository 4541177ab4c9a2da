//! One peak: which levels form it (given `--targets` or found automatically), and its fits.
//!
//! Per peak (the levels of every sample pooled):
//!
//! * two or more levels: Eq (11) and Eq (32) (σ₁, σ₂ free) fitted by unweighted least squares to
//!   the Freedman–Diaconis histogram (the authors' method, `curve_fit` on the bin densities) and
//!   by maximum likelihood on the raw samples; one level: the Gaussian, both ways;
//! * errors: least squares gives scipy's `absolute_sigma=False` standard errors, maximum
//!   likelihood the inverse observed Fisher information, and a bootstrap over samples (rows)
//!   the spread of the least-squares σ (for a pair the teacher-student analysis'
//!   `bootstrap_numbers`, shared with the `ts_release` figure);
//! * goodness of fit: for least squares Pearson's χ² of the histogram with Poisson errors over
//!   the non-empty bins (χ²/dof), for maximum likelihood the KS distance and p-value against the
//!   fitted law (conservative: the parameters come from the same samples);
//! * the Binder cumulant U4 (Eq 12: −4/27 for a pair, 0 for a Gaussian) with a bootstrap error;
//! * spacings of consecutive levels: ⟨S⟩ as the authors (count-weighted mean of the FD bin
//!   centres), the sample mean, and a KS test of S/⟨S⟩ against the unit Wigner surmise.

use anyhow::Context;
use coulomb_gas::fit::lm::{fit_histogram, GaussianModel, Model, PairModel, TwoSpeciesModel};
use coulomb_gas::{
    fit_mle_from, ks_one_sample, sample_u4, Density1D, Histogram, Law, LsqFit, MleFit, TwoSpecies,
    UnitSurmise, U4_PAIR,
};
use langevin_core::stream;
use rand::RngExt;
use serde_json::{json, Value};
use teacher_student::analysis::{bootstrap_numbers, mean_spacing_fd};

// ANCHOR: auto_peaks
/// Groups the levels (ascending by their ensemble means) into peaks: consecutive levels i, i+1
/// belong to the same peak when their distributions overlap,
///
/// ```text
/// mean[i+1] − mean[i] < 2 · (sd[i] + sd[i+1])
/// ```
///
/// (sd over the samples). For a degenerate pair under Eq (11) the gap of the means is about
/// 1.8σ and sd[i] + sd[i+1] about 1.4σ, so a pair is always joined; two peaks further apart than
/// two standard deviations of each side are separated. Levels without spread (one sample, or a
/// frozen level) stand alone.
pub fn auto_groups(means: &[f64], sds: &[f64]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in 0..means.len() {
        let join = i > 0 && means[i] - means[i - 1] < 2.0 * (sds[i] + sds[i - 1]);
        match groups.last_mut() {
            Some(g) if join => g.push(i),
            _ => groups.push(vec![i]),
        }
    }
    groups
}
// ANCHOR_END: auto_peaks

/// Assigns each level to the nearest target by its ensemble mean.
pub fn assign_to_targets(means: &[f64], targets: &[f64]) -> Vec<Vec<usize>> {
    let mut groups = vec![Vec::new(); targets.len()];
    for (i, &mu) in means.iter().enumerate() {
        let t = (0..targets.len())
            .min_by(|&p, &q| (targets[p] - mu).abs().total_cmp(&(targets[q] - mu).abs()))
            .expect("at least one target");
        groups[t].push(i);
    }
    groups
}

/// Mean and sample standard deviation (0 for fewer than two values).
pub fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let sd = if v.len() > 1 {
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    (m, sd)
}

/// Options of the per-peak analysis.
#[derive(Clone, Debug)]
pub struct PeakOptions {
    /// Starting width of the least-squares fits (`None`: from the samples).
    pub sigma0: Option<f64>,
    /// Bootstrap replicates (0: none).
    pub bootstrap: usize,
    /// Base seed of the bootstrap streams.
    pub seed: u64,
    /// Purpose string of the bootstrap streams (names the file).
    pub purpose: String,
}

/// The analysis of one peak: the JSON and what the plots and the scaling fit need.
#[derive(Clone, Debug)]
pub struct Peak {
    /// The JSON record.
    pub json: Value,
    /// The level indices.
    pub levels: Vec<usize>,
    /// The Freedman–Diaconis histogram of the pooled samples.
    pub hist: Option<Histogram>,
    /// Eq (11) (pair) or Gaussian (one level) least-squares fit.
    pub ls: Option<LsqFit>,
    /// The same law by maximum likelihood.
    pub ml: Option<MleFit>,
    /// Eq (32) by maximum likelihood (pairs only).
    pub ml32: Option<MleFit>,
    /// Bootstrap standard deviation of the least-squares σ.
    pub sigma_boot_err: Option<f64>,
}

impl Peak {
    /// True for two or more levels (Eq 11 / Eq 32), false for one (Gaussian).
    pub fn is_pair(&self) -> bool {
        self.levels.len() >= 2
    }

    /// The least-squares σ (|σ̂|) and its error: bootstrap if computed, else the LS standard error.
    pub fn sigma_ls(&self) -> Option<(f64, f64)> {
        let f = self.ls.as_ref()?;
        Some((
            f.params[1].abs(),
            self.sigma_boot_err.unwrap_or(f.stderr[1]),
        ))
    }

    /// The maximum-likelihood σ and its standard error.
    pub fn sigma_ml(&self) -> Option<(f64, f64)> {
        let f = self.ml.as_ref()?;
        Some((f.params[1], f.stderr[1]))
    }
}

/// A number for messages: plain when moderate, else in exponent form.
fn num(v: f64) -> String {
    if v == 0.0 || (1e-4..1e6).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:.6e}")
    }
}

fn finite(v: f64) -> Value {
    if v.is_finite() {
        json!(v)
    } else {
        Value::Null
    }
}

/// Pearson χ² of a histogram fit over the non-empty bins, Poisson errors; (χ², dof).
fn histogram_chi2(model: &dyn Model, hist: &Histogram, params: &[f64]) -> (f64, usize) {
    let (c, d, e) = (hist.centres(), hist.density(), hist.density_err());
    let mut chi2 = 0.0;
    let mut used = 0usize;
    for i in 0..hist.len() {
        if hist.counts[i] > 0 {
            chi2 += ((d[i] - model.value(c[i], params)) / e[i]).powi(2);
            used += 1;
        }
    }
    (chi2, used.saturating_sub(params.len()))
}

fn ls_json(law: &str, model: &dyn Model, fit: &LsqFit, hist: &Histogram) -> Value {
    let (chi2, dof) = histogram_chi2(model, hist, &fit.params);
    let mut params: Vec<f64> = fit.params.clone();
    // Widths enter squared: report |σ|.
    for p in params.iter_mut().skip(1) {
        *p = p.abs();
    }
    json!({
        "law": law,
        "method": "least squares on the Freedman-Diaconis histogram",
        "names": fit.names,
        "params": params.iter().map(|&v| finite(v)).collect::<Vec<_>>(),
        "stderr": fit.stderr.iter().map(|&v| finite(v)).collect::<Vec<_>>(),
        "ssr": finite(fit.ssr),
        "chi2": finite(chi2),
        "dof": dof,
        "chi2_dof": if dof > 0 { finite(chi2 / dof as f64) } else { Value::Null },
        "converged": fit.converged,
    })
}

fn ml_json(law: &str, fit: &MleFit) -> Value {
    json!({
        "law": law,
        "method": "maximum likelihood on the raw samples",
        "names": fit.names,
        "params": fit.params.iter().map(|&v| finite(v)).collect::<Vec<_>>(),
        "stderr": fit.stderr.iter().map(|&v| finite(v)).collect::<Vec<_>>(),
        "log_likelihood": finite(fit.log_likelihood),
        "ks_d": finite(fit.ks.statistic),
        "ks_p": finite(fit.ks.p_value),
    })
}

fn failed(law: &str, method: &str, e: impl std::fmt::Display) -> Value {
    json!({ "law": law, "method": method, "error": e.to_string() })
}

/// Analyses the levels `levels` of `spectra` as one peak around `target` (`None`: the mean).
pub fn analyse_peak(
    spectra: &[Vec<f64>],
    levels: &[usize],
    target: Option<f64>,
    o: &PeakOptions,
) -> anyhow::Result<Peak> {
    let empty = Peak {
        json: json!({ "target": target, "levels": [], "n": 0 }),
        levels: Vec::new(),
        hist: None,
        ls: None,
        ml: None,
        ml32: None,
        sigma_boot_err: None,
    };
    if levels.is_empty() {
        return Ok(empty);
    }
    let pooled: Vec<f64> = spectra
        .iter()
        .flat_map(|v| levels.iter().map(move |&i| v[i]))
        .collect();
    let n = pooled.len();
    let (mean, sd) = mean_sd(&pooled);
    let centre0 = target.unwrap_or(mean);
    let shown = num(centre0);
    let pair = levels.len() >= 2;
    if n < 4 {
        anyhow::bail!(
            "the peak at {shown} has {n} samples: too few to fit (give more samples or \
             fewer peaks)"
        );
    }
    if !sd.is_finite() || !mean.is_finite() {
        anyhow::bail!(
            "the peak's mean or standard deviation overflows (values too large: rescale the input)"
        );
    }
    if sd <= 0.0 {
        anyhow::bail!(
            "the peak at {shown} has no spread (standard deviation {sd} over {n} samples)"
        );
    }
    let s0 = o
        .sigma0
        .unwrap_or(if pair { sd / 1.5f64.sqrt() } else { sd })
        .max(1e-300);
    let hist = Histogram::freedman_diaconis(&pooled).context("histogram of the levels")?;
    let p0 = [centre0, s0];
    let (law, model): (&str, &dyn Model) = if pair {
        ("eq11", &PairModel)
    } else {
        ("gaussian", &GaussianModel)
    };
    // A histogram too coarse for least squares (few samples) is reported, not fatal: the
    // maximum-likelihood fits need no bins.
    let mut fits = serde_json::Map::new();
    let ls = match fit_histogram(model, &hist, &p0) {
        Ok(f) => {
            fits.insert(format!("{law}_ls"), ls_json(law, model, &f, &hist));
            Some(f)
        }
        Err(e) => {
            let e = format!("peak at {shown}: {e}");
            fits.insert(format!("{law}_ls"), failed(law, "least squares", e));
            None
        }
    };
    let (c_ls, s_ls) = ls
        .as_ref()
        .map_or((f64::NAN, f64::NAN), |f| (f.params[0], f.params[1].abs()));
    let ls_err = |k: usize| ls.as_ref().map_or(Value::Null, |f| finite(f.stderr[k]));
    // Maximum likelihood of the same law, started from the least-squares values.
    let ml_law = if pair { Law::Pair } else { Law::Gaussian };
    let start = if s_ls.is_finite() && s_ls > 0.0 && c_ls.is_finite() {
        [c_ls, s_ls]
    } else {
        [mean, s0]
    };
    let ml = match fit_mle_from(ml_law, &pooled, &start) {
        Ok(f) => {
            fits.insert(format!("{law}_ml"), ml_json(law, &f));
            Some(f)
        }
        Err(e) => {
            fits.insert(format!("{law}_ml"), failed(law, "maximum likelihood", e));
            None
        }
    };
    let mut ml32 = None;
    if pair {
        let start32 = [start[0], 0.8 * start[1], 1.25 * start[1]];
        match fit_histogram(&TwoSpeciesModel, &hist, &start32) {
            Ok(f) => {
                fits.insert(
                    "eq32_ls".into(),
                    ls_json("eq32", &TwoSpeciesModel, &f, &hist),
                );
            }
            Err(e) => {
                fits.insert("eq32_ls".into(), failed("eq32", "least squares", e));
            }
        }
        match fit_mle_from(Law::TwoSpecies, &pooled, &start32) {
            Ok(f) => {
                fits.insert("eq32_ml".into(), ml_json("eq32", &f));
                ml32 = Some(f);
            }
            Err(e) => {
                fits.insert("eq32_ml".into(), failed("eq32", "maximum likelihood", e));
            }
        }
    }
    let u4 = sample_u4(&pooled);
    let mut out = json!({
        "target": target.unwrap_or(mean),
        "levels": levels,
        "law": law,
        "n": n,
        "centre": finite(c_ls),
        "centre_stderr": ls_err(0),
        "sigma": finite(s_ls),
        "sigma_stderr": ls_err(1),
        "sigma0": s0,
        "ssr": ls.as_ref().map_or(Value::Null, |f| finite(f.ssr)),
        "bins": hist.len(),
        "mean": mean,
        "std_dev": finite(sd),
        "u4": finite(u4),
        "u4_expected": if pair { U4_PAIR } else { 0.0 },
        "u4_eq32_ml": ml32.as_ref().and_then(|f| TwoSpecies::new(f.params[0], f.params[1], f.params[2]).ok()).map(|t| finite(t.binder_u4())),
        "mean_spacing": Value::Null,
        "ks_surmise_p": Value::Null,
        "fits": Value::Object(fits),
    });
    if levels.len() > 2 {
        out["note"] = json!(
            "more than two levels pooled: Eq (11) and Eq (32) describe a pair; their widths are \
             effective widths here"
        );
    }
    if pair {
        let spacings: Vec<f64> = spectra
            .iter()
            .flat_map(|v| levels.windows(2).map(move |w| (v[w[1]] - v[w[0]]).abs()))
            .collect();
        let ms = mean_spacing_fd(&spacings).context("histogram of the spacings")?;
        let unit: Vec<f64> = spacings.iter().map(|s| s / ms).collect();
        let ks = ks_one_sample(&unit, |s| UnitSurmise.cdf(s))?;
        out["mean_spacing"] = finite(ms);
        out["mean_spacing_sample"] = finite(mean_sd(&spacings).0);
        out["sqrt_pi_sigma"] = finite(std::f64::consts::PI.sqrt() * s_ls);
        out["ks_surmise_d"] = finite(ks.statistic);
        out["ks_surmise_p"] = finite(ks.p_value);
    }
    // Bootstrap over samples (rows): the spread of the least-squares σ (and ⟨S⟩).
    let mut sigma_boot_err = None;
    if o.bootstrap >= 2 && spectra.len() >= 2 && ls.is_some() {
        let boot: anyhow::Result<(f64, Option<f64>)> = if levels.len() == 2 {
            let pairs: Vec<[f64; 2]> = spectra
                .iter()
                .map(|v| [v[levels[0]], v[levels[1]]])
                .collect();
            bootstrap_numbers(&pairs, p0, o.bootstrap, |r| stream(o.seed, &o.purpose, r))
                .map(|(a, b)| (a, Some(b)))
                .map_err(anyhow::Error::from)
        } else {
            bootstrap_sigma(spectra, levels, model, p0, o).map(|a| (a, None))
        };
        // A failed resample (e.g. a degenerate histogram) is reported, not fatal.
        match boot {
            Ok((se, me)) => {
                sigma_boot_err = Some(se);
                let u4e = bootstrap_u4(spectra, levels, o);
                out["u4_err"] = finite(u4e);
                out["bootstrap"] = json!({
                    "replicates": o.bootstrap,
                    "seed": o.seed,
                    "sigma_err": finite(se),
                    "mean_spacing_err": me.map(finite),
                    "u4_err": finite(u4e),
                });
            }
            Err(e) => {
                out["bootstrap"] = json!({
                    "replicates": o.bootstrap,
                    "error": format!("{e:#}"),
                });
            }
        }
    }
    Ok(Peak {
        json: out,
        levels: levels.to_vec(),
        hist: Some(hist),
        ls,
        ml,
        ml32,
        sigma_boot_err,
    })
}

/// Bootstrap standard deviation of the sample U4 (rows resampled; streams `<purpose>/u4`).
fn bootstrap_u4(spectra: &[Vec<f64>], levels: &[usize], o: &PeakOptions) -> f64 {
    let n = spectra.len();
    let purpose = format!("{}/u4", o.purpose);
    let est: Vec<f64> = (0..o.bootstrap as u64)
        .map(|r| {
            let mut rng = stream(o.seed, &purpose, r);
            let pooled: Vec<f64> = (0..n)
                .flat_map(|_| {
                    let v = &spectra[rng.random_range(0..n)];
                    levels.iter().map(move |&i| v[i])
                })
                .collect();
            sample_u4(&pooled)
        })
        .collect();
    mean_sd(&est).1
}

/// Bootstrap standard deviation of the least-squares σ of a peak that is not a pair (one level,
/// or more than two): rows resampled with replacement, re-binned and refitted.
fn bootstrap_sigma(
    spectra: &[Vec<f64>],
    levels: &[usize],
    model: &dyn Model,
    p0: [f64; 2],
    o: &PeakOptions,
) -> anyhow::Result<f64> {
    let n = spectra.len();
    let mut est = Vec::with_capacity(o.bootstrap);
    for r in 0..o.bootstrap as u64 {
        let mut rng = stream(o.seed, &o.purpose, r);
        let pooled: Vec<f64> = (0..n)
            .flat_map(|_| {
                let v = &spectra[rng.random_range(0..n)];
                levels.iter().map(move |&i| v[i])
            })
            .collect();
        let hist = Histogram::freedman_diaconis(&pooled)?;
        est.push(fit_histogram(model, &hist, &p0)?.params[1].abs());
    }
    Ok(mean_sd(&est).1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_join_overlapping_levels_only() {
        // A pair at 2 (σ = 0.01: gap ~0.018, sds ~0.007) and a lone level at 3.
        let g = auto_groups(&[1.991, 2.009, 3.0], &[0.007, 0.007, 0.01]);
        assert_eq!(g, vec![vec![0, 1], vec![2]]);
        assert_eq!(
            auto_groups(&[1.0, 2.0], &[0.0, 0.0]),
            vec![vec![0], vec![1]]
        );
        assert_eq!(
            assign_to_targets(&[1.0, 1.1, 5.0], &[1.0, 4.0]),
            vec![vec![0, 1], vec![2]]
        );
    }
}
