//! `rmt-sgd train <model>`: train ensembles of independent realisations, write the learnt
//! spectra (CSV) and print a fitted summary (JSON).

use crate::args;
use crate::output::print_json;
use clap::{Args, Subcommand};
use figures::rbm_sweep::Item;
use rbm::{Experiment, Hyper, LANES, N};
use runner::{encode_floats, write_lines, write_shard, Shard};
use serde_json::json;
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
    #[command(flatten)]
    limits: crate::limits::Limits,
}

pub fn run(cmd: TrainCommand) -> anyhow::Result<()> {
    match cmd {
        TrainCommand::Rbm(a) => train_rbm(a),
        TrainCommand::Ts(a) => crate::train_ts::run(a),
    }
}

/// Memory: per worker, at most LANES realisations in lockstep with `[[f64; LANES]; N]` arrays per chain
/// (`rbm::pcd`: the visible and hidden states and the normals of an epoch's 2k half-sweeps);
/// per realisation kept, its record and CSV line (~1 KB). Work: a PCD-3
/// sweep of one chain is ~8·N² operations per lane.
fn rbm_estimate(a: &RbmArgs, realisations: u64) -> crate::limits::Estimate<'static> {
    let (b, e, r, n) = (
        a.batch as f64,
        a.epochs as f64,
        realisations as f64,
        N as f64,
    );
    crate::limits::Estimate {
        command: "train rbm",
        memory_bytes: crate::limits::threads()
            * (2.0 + 2.0 * rbm::Rbm::authors().gibbs_steps as f64)
            * b
            * n
            * LANES as f64
            * 8.0
            + r * 1024.0,
        work: r * e * b * 8.0 * n * n,
        flags: format!(
            "--batch {} --epochs {} with {realisations} realisations",
            a.batch, a.epochs
        ),
    }
}

fn train_rbm(a: RbmArgs) -> anyhow::Result<()> {
    runner::check_output(&a.out)?;
    let shard = a.shard.unwrap_or(Shard::WHOLE);
    let range = shard.range(a.realisations as u64)?;
    a.limits.check(&rbm_estimate(&a, range.end - range.start))?;
    let hyper = Hyper::new(a.lr, a.batch, a.epochs)?;
    let exp = Experiment::authors(hyper, a.seed)?;
    let total = a.realisations as u64;
    let params = json!({
        "command": "train rbm",
        "lr": a.lr,
        "batch": a.batch,
        "epochs": a.epochs,
        "seed": a.seed,
        "realisations": total,
        "shard": shard.to_string(),
    });
    let done = runner::run_uniform(
        "train rbm",
        &a.out,
        params.clone(),
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
    let rows = learnt
        .iter()
        .map(|(i, l)| format!("{i},{}", encode_floats(&l[..])));
    match a.shard {
        Some(shard) => {
            let run = crate::merge::shard_run("train rbm", params, total, false);
            write_shard(&a.out, &run, shard, &header.join(","), rows)?
        }
        None => write_lines(&a.out, &header.join(","), rows)?,
    }
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
        "peaks": rbm::analysis::target_peaks(&lambdas, exp.target())
            .into_iter()
            .map(|(p, r)| r.map_or_else(
                |e| json!({ "target": p.kappa, "levels": p.indices, "error": e.to_string() }),
                |r| json!(r),
            ))
            .collect::<Vec<_>>(),
        "out": a.out.display().to_string(),
    });
    print_json(&done.finish("train rbm", summary)?)
}
