//! `rmt-sgd train <model>`: train ensembles of independent realisations, write the learnt
//! spectra (CSV) and print a fitted summary (JSON).

use crate::args;
use crate::output::print_json;
use crate::sweep;
use clap::{Args, Subcommand};
use figures::rbm_sweep::Item;
use rbm::{Experiment, Hyper, Target, LANES, N};
use runner::{encode_floats, write_lines, Shard};
use serde_json::{json, Value};
use spectral::PeakOptions;
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

/// Per distinct κ, the peak's record from `spectral::analyse_peak` (the one `analyze` prints):
/// the λ of a degenerate pair pooled and fitted with Eq 11, a single mode with a Gaussian, by
/// least squares on the Freedman–Diaconis histogram (`fit`) and by maximum likelihood; U4 and,
/// for pairs, the spacings. No bootstrap (`analyze` adds it).
fn peaks(learnt: &[&[f64; N]], target: &Target) -> Vec<Value> {
    let o = PeakOptions {
        bootstrap: 0,
        ..PeakOptions::default()
    };
    target
        .peaks()
        .into_iter()
        .map(
            |peak| match spectral::analyse_peak(learnt, &peak.indices, Some(peak.kappa), &o) {
                Ok(r) => serde_json::to_value(r).unwrap_or(Value::Null),
                Err(e) => {
                    json!({ "target": peak.kappa, "levels": peak.indices, "error": e.to_string() })
                }
            },
        )
        .collect()
}
