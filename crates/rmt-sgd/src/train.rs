//! `rmt-sgd train <model>`: train ensembles of independent realisations, write the learnt
//! spectra (CSV) and print a fitted summary (JSON).

use crate::args;
use crate::output::print_json;
use anyhow::Context;
use clap::{Args, Subcommand};
use coulomb_gas::fit::{fit_histogram, GaussianModel, LsqFit, PairModel};
use coulomb_gas::{sample_u4, Histogram};
use rbm::{shard_range, Experiment, Hyper, Run, Target};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The models that can be trained.
#[derive(Subcommand, Debug)]
pub enum TrainCommand {
    /// The Gaussian RBM of Eq 10 learning the m = 2 lattice field, trained as the authors do
    /// (μ² = 9, σ_h = 1, PCD-3, exact data term); one CSV row of λ ascending per realisation.
    Rbm(RbmArgs),
    /// The teacher-student network: the companion paper's released model (Z = 1) or Z of
    /// Eq 26/27; one CSV row `seed,xi_1,xi_2` (final singular values, ascending) per network.
    Ts(crate::train_ts::TsArgs),
}

/// A shard `k/n` (1 ≤ k ≤ n): the k-th of n contiguous blocks of realisations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    k: usize,
    n: usize,
}

fn shard(s: &str) -> Result<Shard, String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("'{s}' is not of the form k/n"))?;
    let parse = |v: &str| {
        v.trim()
            .parse::<usize>()
            .map_err(|_| format!("'{s}' is not of the form k/n with integers"))
    };
    let (k, n) = (parse(k)?, parse(n)?);
    if k == 0 || k > n {
        return Err(format!("shard {k}/{n}: need 1 ≤ k ≤ n"));
    }
    Ok(Shard { k, n })
}

/// Arguments of `rmt-sgd train rbm`.
#[derive(Args, Debug)]
pub struct RbmArgs {
    /// Learning rate α (> 0).
    #[arg(long, allow_hyphen_values = true, value_parser = args::positive)]
    lr: f64,
    /// Batch size |B|: the number of persistent Gibbs chains (≥ 1).
    #[arg(long, value_parser = args::count)]
    batch: usize,
    /// Number of realisations (all shards together).
    #[arg(long, value_parser = args::count)]
    realisations: usize,
    /// SGD steps per realisation.
    #[arg(long, value_parser = args::count)]
    epochs: usize,
    /// Base seed; realisation r uses the stream (seed, "rbm/lr=<lr>/bs=<batch>", r).
    #[arg(long)]
    seed: u64,
    /// Output CSV: `realisation,lambda1,...,lambda10`, one row per realisation that did not diverge.
    #[arg(long)]
    out: PathBuf,
    /// Run only shard k of n (contiguous blocks of realisations; concatenating the shards' rows
    /// in order gives the unsharded file).
    #[arg(long, value_parser = shard)]
    shard: Option<Shard>,
}

pub fn run(cmd: TrainCommand) -> anyhow::Result<()> {
    match cmd {
        TrainCommand::Rbm(a) => train_rbm(a),
        TrainCommand::Ts(a) => crate::train_ts::run(a),
    }
}

fn train_rbm(a: RbmArgs) -> anyhow::Result<()> {
    let hyper = Hyper::new(a.lr, a.batch, a.epochs)?;
    let exp = Experiment::authors(hyper, a.seed)?;
    let total = a.realisations as u64;
    let Shard { k, n } = a.shard.unwrap_or(Shard { k: 1, n: 1 });
    let range = shard_range(total, k, n)?;

    let bar = indicatif::ProgressBar::new((range.end - range.start) * (a.epochs * a.batch) as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {percent:>3}% eta {eta}",
        )
        .expect("a valid template"),
    );
    let run = exp.run(range.clone(), Some(&|w| bar.inc(w)));
    bar.finish_and_clear();

    write_spectra(&a.out, &run)?;
    let target = exp.target();
    print_json(&json!({
        "model": "rbm",
        "lr": a.lr,
        "batch": a.batch,
        "epochs": a.epochs,
        "seed": a.seed,
        "purpose": exp.seed().purpose,
        "realisations": total,
        "shard": format!("{k}/{n}"),
        "indices": [range.start, range.end],
        "learnt": run.learnt().count(),
        "diverged": run.diverged(),
        "success_ratio": run.success_ratio(),
        "peaks": peaks(&run, target),
        "out": a.out.display().to_string(),
    }))
}

/// Writes the learnt spectra atomically (temporary file beside the target, then rename).
fn write_spectra(path: &Path, run: &Run) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a file in {}", dir.display()))?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file());
        let header: Vec<String> = std::iter::once("realisation".to_string())
            .chain((1..=rbm::N).map(|i| format!("lambda{i}")))
            .collect();
        writeln!(w, "{}", header.join(","))?;
        for r in run.learnt() {
            // `{:?}` of f64 is the shortest representation that round-trips.
            let row: Vec<String> = r.lambda.iter().map(|v| format!("{v:?}")).collect();
            writeln!(w, "{},{}", r.index, row.join(","))?;
        }
        w.flush()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Per distinct κ, the authors' analysis (authors-protocol §1(c)): the λ of a degenerate pair
/// pooled and fitted with Eq 11, a single mode with a Gaussian, both by unweighted least squares
/// on the Freedman–Diaconis histogram from p0 = [κ, 1]; plus U4 of the pooled sample (Eq 12)
/// and, for pairs, the mean level spacing ⟨S⟩ = ⟨λ_{i+1} − λ_i⟩.
fn peaks(run: &Run, target: &Target) -> Vec<Value> {
    target
        .peaks()
        .into_iter()
        .map(|peak| {
            let samples: Vec<f64> = run
                .learnt()
                .flat_map(|r| peak.indices.iter().map(move |&i| r.lambda[i]))
                .collect();
            let n = samples.len();
            let mean = samples.iter().sum::<f64>() / n as f64;
            let sd =
                (samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0)).sqrt();
            let fitted = Histogram::freedman_diaconis(&samples)
                .map_err(anyhow::Error::from)
                .and_then(|h| {
                    let p0 = [peak.kappa, 1.0];
                    let fit = if peak.is_pair() {
                        fit_histogram(&PairModel, &h, &p0)
                    } else {
                        fit_histogram(&GaussianModel, &h, &p0)
                    };
                    Ok((h.len(), fit?))
                });
            let fit = match fitted {
                Ok((bins, f)) => fit_json(&f, bins, peak.kappa),
                Err(e) => json!({ "error": e.to_string() }),
            };
            let spacing = peak.is_pair().then(|| {
                let s: Vec<f64> = run
                    .learnt()
                    .map(|r| r.lambda[peak.indices[1]] - r.lambda[peak.indices[0]])
                    .collect();
                s.iter().sum::<f64>() / s.len() as f64
            });
            json!({
                "kappa": peak.kappa,
                "indices": peak.indices,
                "law": if peak.is_pair() { "eq11" } else { "gaussian" },
                "samples": n,
                "mean": finite_or_null(mean),
                "std_dev": finite_or_null(sd),
                "u4": finite_or_null(sample_u4(&samples)),
                "mean_spacing": spacing.and_then(|s| s.is_finite().then_some(s)),
                "fit": fit,
            })
        })
        .collect()
}

fn fit_json(f: &LsqFit, bins: usize, kappa: f64) -> Value {
    json!({
        "centre": f.params[0],
        "centre_stderr": f.stderr[0],
        "sigma": f.params[1].abs(),
        "sigma_stderr": f.stderr[1],
        "centre_over_kappa": f.params[0] / kappa,
        "bins": bins,
        "converged": f.converged,
    })
}

fn finite_or_null(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_parser() {
        assert_eq!(shard("2/3"), Ok(Shard { k: 2, n: 3 }));
        assert!(shard("0/3").is_err());
        assert!(shard("4/3").is_err());
        assert!(shard("3").is_err());
        assert!(shard("a/b").is_err());
    }
}
