//! `rmt-sgd analyze FILE.npz`: the authors' spectral analysis of a weight array in a released
//! (or exported) `.npz` file.
//!
//! The array `--key` has shape (networks, snapshots, M, N) or (networks, M, N). For every
//! network the singular values of the chosen snapshot (or their squares) are sorted ascending;
//! each level index is assigned to the nearest `--targets` value by its ensemble mean. Per target:
//!
//! * two or more levels: Eq (11) fitted by unweighted least squares to the Freedman–Diaconis
//!   histogram of the pooled levels (the authors' `curve_fit`), from `p0 = [target, σ₀]`;
//!   ⟨S⟩ of the spacings between consecutive levels as the authors (count-weighted mean of the FD
//!   bin centres); a KS test of s = S/⟨S⟩ against the unit Wigner surmise;
//! * one level: a Gaussian fitted the same way.
//!
//! σ₀ is the authors' `√(lr·noise²/batch_size)` when the file holds those scalars and the
//! spectrum is singular (`--sigma0 auto`), else the pooled standard deviation/√(3/2).

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use coulomb_gas::fit::lm::{fit_histogram, GaussianModel, PairModel};
use coulomb_gas::{ks_one_sample, sample_u4, Density1D, Histogram, UnitSurmise};
use release_data::Npz;
use serde_json::{json, Value};
use teacher_student::spectrum::singular_values_row_major as singular_values_of;

use crate::args;
use crate::output::print_json;

/// Which spectrum to analyse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Spectrum {
    /// Singular values ξ of W.
    Singular,
    /// Squared singular values x = ξ² (eigenvalues of WᵀW).
    Squared,
}

/// Arguments of `rmt-sgd analyze`.
#[derive(Args, Debug)]
pub struct AnalyzeArgs {
    /// The `.npz` file.
    file: PathBuf,
    /// The weight array.
    #[arg(long, default_value = "W")]
    key: String,
    /// Snapshot: `last`, `first` or an index (negative counts from the end).
    #[arg(long, default_value = "last", allow_hyphen_values = true)]
    snapshot: String,
    /// Singular values or their squares.
    #[arg(long, value_enum, default_value_t = Spectrum::Singular)]
    spectrum: Spectrum,
    /// Target values T1,T2,... (each level is assigned to the nearest by its ensemble mean).
    #[arg(long, allow_hyphen_values = true, value_parser = args::list)]
    targets: args::List,
    /// Starting width σ₀ of the fits: a number, or `auto`.
    #[arg(long, default_value = "auto")]
    sigma0: String,
}

fn snapshot_index(spec: &str, count: usize) -> anyhow::Result<usize> {
    let idx = match spec {
        "last" => count as i64 - 1,
        "first" => 0,
        s => s
            .trim()
            .parse::<i64>()
            .map_err(|_| anyhow::anyhow!("--snapshot '{s}': expected last, first or an integer"))?,
    };
    let k = if idx < 0 { count as i64 + idx } else { idx };
    if k < 0 || k >= count as i64 {
        bail!("--snapshot {spec}: the array has {count} snapshots");
    }
    Ok(k as usize)
}

pub fn run(a: AnalyzeArgs) -> anyhow::Result<()> {
    let npz = Npz::open(&a.file)?;
    let (shape, data) = npz.f64_array(&a.key)?;
    let (nets, snaps, m, n) = match shape.as_slice() {
        [s, k, m, n] => (*s, *k, *m, *n),
        [s, m, n] => (*s, 1, *m, *n),
        other => bail!(
            "{}: array '{}' has shape {other:?}; expected (networks, snapshots, M, N) or (networks, M, N)",
            a.file.display(),
            a.key
        ),
    };
    if nets == 0 || m == 0 || n == 0 {
        bail!(
            "{}: array '{}' of shape {shape:?} is empty",
            a.file.display(),
            a.key
        );
    }
    let k = snapshot_index(&a.snapshot, snaps)?;
    let levels = m.min(n);
    let spectra: Vec<Vec<f64>> = (0..nets)
        .map(|s| {
            let o = (s * snaps + k) * m * n;
            let mut v = singular_values_of(&data[o..o + m * n], m, n);
            if a.spectrum == Spectrum::Squared {
                v.iter_mut().for_each(|x| *x *= *x);
            }
            v
        })
        .collect();
    if let Some((i, _)) = spectra
        .iter()
        .enumerate()
        .find(|(_, v)| v.iter().any(|x| !x.is_finite()))
    {
        bail!("{}: network {i} has non-finite weights", a.file.display());
    }
    let targets = &a.targets.0;
    let means: Vec<f64> = (0..levels)
        .map(|i| spectra.iter().map(|v| v[i]).sum::<f64>() / nets as f64)
        .collect();
    let assign: Vec<usize> = means
        .iter()
        .map(|&mu| {
            (0..targets.len())
                .min_by(|&p, &q| (targets[p] - mu).abs().total_cmp(&(targets[q] - mu).abs()))
                .expect("at least one target")
        })
        .collect();
    let auto_sigma0 = if a.spectrum == Spectrum::Singular {
        match (
            npz.f64_scalar("lr"),
            npz.f64_scalar("noise"),
            npz.f64_scalar("batch_size"),
        ) {
            (Ok(lr), Ok(noise), Ok(bs)) if bs > 0.0 => Some((lr * noise * noise / bs).sqrt()),
            _ => None,
        }
    } else {
        None
    };
    let sigma0_opt = match a.sigma0.as_str() {
        "auto" => None,
        s => Some(args::positive(s).map_err(|e| anyhow::anyhow!("--sigma0 '{s}': {e}"))?),
    };
    let peaks: Vec<Value> = targets
        .iter()
        .enumerate()
        .map(|(t, &target)| {
            let idx: Vec<usize> = (0..levels).filter(|&i| assign[i] == t).collect();
            peak(&spectra, &idx, target, sigma0_opt.or(auto_sigma0))
        })
        .collect::<anyhow::Result<_>>()?;
    print_json(&json!({
        "file": a.file.display().to_string(),
        "key": a.key,
        "shape": shape,
        "snapshot": k,
        "spectrum": match a.spectrum { Spectrum::Singular => "singular", Spectrum::Squared => "squared" },
        "samples": nets,
        "level_means": means,
        "peaks": peaks,
    }))
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

fn peak(
    spectra: &[Vec<f64>],
    idx: &[usize],
    target: f64,
    sigma0: Option<f64>,
) -> anyhow::Result<Value> {
    if idx.is_empty() {
        return Ok(json!({ "target": target, "levels": [], "n": 0 }));
    }
    let pooled: Vec<f64> = spectra
        .iter()
        .flat_map(|v| idx.iter().map(move |&i| v[i]))
        .collect();
    let n = pooled.len();
    let mean = pooled.iter().sum::<f64>() / n as f64;
    let sd =
        (pooled.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0).max(1.0)).sqrt();
    let pair = idx.len() >= 2;
    let s0 = sigma0
        .unwrap_or(if pair { sd / 1.5f64.sqrt() } else { sd })
        .max(1e-300);
    let hist = Histogram::freedman_diaconis(&pooled).context("histogram of the levels")?;
    let fit = if pair {
        fit_histogram(&PairModel, &hist, &[target, s0])
    } else {
        fit_histogram(&GaussianModel, &hist, &[target, s0])
    }
    .with_context(|| format!("fit of the peak at {target}"))?;
    let mut out = json!({
        "target": target,
        "levels": idx,
        "law": if pair { "eq11" } else { "gaussian" },
        "n": n,
        "centre": fit.params[0],
        "centre_stderr": fit.stderr[0],
        "sigma": fit.params[1].abs(),
        "sigma_stderr": fit.stderr[1],
        "sigma0": s0,
        "ssr": fit.ssr,
        "bins": hist.len(),
        "mean": mean,
        "std_dev": finite(sd),
        "u4": finite(sample_u4(&pooled)),
        "mean_spacing": Value::Null,
        "ks_surmise_p": Value::Null,
    });
    if pair {
        let spacings: Vec<f64> = spectra
            .iter()
            .flat_map(|v| idx.windows(2).map(move |w| (v[w[1]] - v[w[0]]).abs()))
            .collect();
        let sh = Histogram::freedman_diaconis(&spacings).context("histogram of the spacings")?;
        let ms = sh.mean_from_bins();
        let unit: Vec<f64> = spacings.iter().map(|s| s / ms).collect();
        let ks = ks_one_sample(&unit, |s| UnitSurmise.cdf(s))?;
        out["mean_spacing"] = json!(ms);
        out["mean_spacing_sample"] = json!(spacings.iter().sum::<f64>() / spacings.len() as f64);
        out["sqrt_pi_sigma"] = json!(std::f64::consts::PI.sqrt() * fit.params[1].abs());
        out["ks_surmise_d"] = json!(ks.statistic);
        out["ks_surmise_p"] = json!(ks.p_value);
    }
    Ok(out)
}
