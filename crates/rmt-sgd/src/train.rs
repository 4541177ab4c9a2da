//! `rmt-sgd train <model>`: train ensembles of independent realisations, write the learnt
//! spectra (CSV) and print a fitted summary (JSON).

use crate::args;
use crate::output::print_json;
use crate::sweep;
use clap::{Args, Subcommand};
use coulomb_gas::fit::{fit_histogram, GaussianModel, LsqFit, PairModel};
use coulomb_gas::{sample_u4, Histogram};
use figures::rbm_sweep::Item;
use rbm::{Experiment, Hyper, Target, LANES, N};
use runner::{encode_floats, write_lines, Shard};
use serde_json::{json, Value};
use std::path::PathBuf;

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
    /// Run only shard k of n (contiguous blocks of realisations; `rmt-sgd merge` of the shards'
    /// outputs gives the unsharded file).
    #[arg(long)]
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
    let shard = a.shard.unwrap_or(Shard::WHOLE);
    let range = shard.range(total)?;
    let params = json!({
        "command": "train rbm",
        "lr": a.lr,
        "batch": a.batch,
        "epochs": a.epochs,
        "seed": a.seed,
        "realisations": total,
        "shard": shard.to_string(),
    });
    let done = sweep::run(
        "train rbm",
        &a.out,
        params,
        range.clone(),
        LANES,
        (a.epochs * a.batch) as u64,
        |r| {
            let run = exp.run(r, None);
            Ok(run
                .outcomes
                .iter()
                .map(|o| Item::from_outcome(o, 0))
                .collect::<Vec<_>>())
        },
    )?;
    let learnt: Vec<(u64, &[f64; N])> = done
        .items
        .iter()
        .filter_map(|(i, it)| it.lambda().map(|l| (*i, l)))
        .collect();
    let header: Vec<String> = std::iter::once("realisation".to_string())
        .chain((1..=N).map(|i| format!("lambda{i}")))
        .collect();
    write_lines(
        &a.out,
        &header.join(","),
        learnt
            .iter()
            .map(|(i, l)| format!("{i},{}", encode_floats(&l[..]))),
    )?;
    let lambdas: Vec<&[f64; N]> = learnt.iter().map(|l| l.1).collect();
    let runs = done.items.len();
    let summary = json!({
        "model": "rbm",
        "lr": a.lr,
        "batch": a.batch,
        "epochs": a.epochs,
        "seed": a.seed,
        "purpose": exp.seed().purpose,
        "realisations": total,
        "shard": shard.to_string(),
        "indices": [range.start, range.end],
        "learnt": lambdas.len(),
        "diverged": runs - lambdas.len(),
        "success_ratio": lambdas.len() as f64 / runs as f64,
        "peaks": peaks(&lambdas, exp.target()),
        "out": a.out.display().to_string(),
    });
    let items = sweep::finish("train rbm", done)?;
    print_json(&with_items(summary, items))
}

/// The summary with `resumed` and `computed` (items read back from the journal / computed).
pub fn with_items(mut summary: Value, items: Value) -> Value {
    if let (Some(s), Some(i)) = (summary.as_object_mut(), items.as_object()) {
        for k in ["resumed", "computed"] {
            if let Some(v) = i.get(k) {
                s.insert(k.to_string(), v.clone());
            }
        }
    }
    summary
}

/// Per distinct κ, the authors' analysis (authors-protocol §1(c)): the λ of a degenerate pair
/// pooled and fitted with Eq 11, a single mode with a Gaussian, both by unweighted least squares
/// on the Freedman–Diaconis histogram from p0 = [κ, 1]; plus U4 of the pooled sample (Eq 12)
/// and, for pairs, the mean level spacing ⟨S⟩ = ⟨λ_{i+1} − λ_i⟩.
fn peaks(learnt: &[&[f64; N]], target: &Target) -> Vec<Value> {
    target
        .peaks()
        .into_iter()
        .map(|peak| {
            let samples: Vec<f64> = learnt
                .iter()
                .flat_map(|r| peak.indices.iter().map(move |&i| r[i]))
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
                let s: Vec<f64> = learnt
                    .iter()
                    .map(|r| r[peak.indices[1]] - r[peak.indices[0]])
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
