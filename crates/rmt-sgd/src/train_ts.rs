//! `rmt-sgd train ts`: train an ensemble of teacher-student networks (the companion paper's
//! released model or the hidden-layer models of Figs 4-5), write the final singular values (CSV)
//! and print the authors' analysis of them (JSON).

use std::path::PathBuf;

use clap::Args;
use runner::{encode_floats, write_lines, write_shard, Shard};
use serde_json::json;
use spectral::PeakOptions;
use teacher_student::{Model, Record};

use crate::args;
use crate::output::print_json;

fn model(s: &str) -> Result<Model, String> {
    s.parse::<Model>().map_err(|e| e.to_string())
}

fn non_negative(s: &str) -> Result<f64, String> {
    let v = args::finite(s)?;
    if v < 0.0 {
        return Err(format!("{v} must be >= 0"));
    }
    Ok(v)
}

/// Arguments of `rmt-sgd train ts`.
#[derive(Args, Debug)]
pub struct TsArgs {
    /// `released` (Z = 1, the companion paper's data release), `z26` or `z27` (Z of Eq 26/27).
    #[arg(long, value_parser = model)]
    model: Model,
    /// Learning rate α (> 0).
    #[arg(long, allow_hyphen_values = true, value_parser = args::positive)]
    lr: f64,
    /// Noise strength (std of an off-diagonal entry of the per-datum noise; ≥ 0).
    #[arg(long, allow_hyphen_values = true, value_parser = non_negative)]
    noise: f64,
    /// Batch size |B| (≥ 1).
    #[arg(long, value_parser = args::count)]
    batch: usize,
    /// Number of networks (seeds).
    #[arg(long, value_parser = args::count)]
    seeds: usize,
    /// Base seed; network k uses the stream (seed, "ts/<model>/lr=…/noise=…/bs=…/run=<run>/member", k).
    #[arg(long)]
    seed: u64,
    /// Output CSV: `seed,xi_1,xi_2` (final singular values, ascending), one row per network.
    #[arg(long)]
    out: PathBuf,
    /// Epochs (default 10, as the release; 500 minibatches per epoch).
    #[arg(long, value_parser = args::count)]
    epochs: Option<usize>,
    /// Which quenched data set (input draw) to use: repeats with fresh inputs use run = 1, 2, ...
    #[arg(long, default_value_t = 0)]
    run: u64,
    /// Run only shard k of n (contiguous blocks of seeds; `rmt-sgd merge` of the shards'
    /// outputs gives the unsharded file).
    #[arg(long)]
    shard: Option<Shard>,
    #[command(flatten)]
    limits: crate::limits::Limits,
}

pub fn run(a: TsArgs) -> anyhow::Result<()> {
    runner::check_output(&a.out)?;
    let mut hyper = a.model.hyper(a.lr, a.noise, a.batch);
    if let Some(e) = a.epochs {
        hyper.epochs = e;
    }
    let shard = a.shard.unwrap_or(Shard::WHOLE);
    let range = shard.range(a.seeds as u64)?;
    // Memory: per network kept, its record and CSV line (~256 B); the quenched inputs are one
    // 2×2 matrix per minibatch. Work: ~32 operations per sample (2×2 matrices) per step, and the
    // inputs' draw (batches_per_epoch·|B| samples), before the first step.
    let (b, steps, seeds) = (
        a.batch as f64,
        hyper.epochs as f64 * hyper.batches_per_epoch as f64,
        (range.end - range.start) as f64,
    );
    a.limits.check(&crate::limits::Estimate {
        command: "train ts",
        memory_bytes: seeds * 256.0 + hyper.batches_per_epoch as f64 * 64.0,
        work: 32.0 * b * (seeds * steps + hyper.batches_per_epoch as f64),
        flags: format!(
            "--batch {} --epochs {} with {} networks",
            a.batch,
            hyper.epochs,
            range.end - range.start
        ),
    })?;
    let run = a.model.run(hyper, a.seed, a.run)?;
    let params = json!({
        "command": "train ts",
        "model": a.model.name(),
        "lr": a.lr,
        "noise": a.noise,
        "batch": a.batch,
        "seeds": a.seeds,
        "seed": a.seed,
        "epochs": hyper.epochs,
        "run": a.run,
        "shard": shard.to_string(),
    });
    let done = runner::run_uniform(
        "train ts",
        &a.out,
        params.clone(),
        range.clone(),
        4,
        (hyper.epochs * hyper.batches_per_epoch) as u64,
        |r| {
            r.map(|k| Ok(run.member(k, Record::Final)?.singular_values()))
                .collect::<anyhow::Result<Vec<Vec<f64>>>>()
        },
    )?;
    let rows = &done.items;
    // The authors' analysis of ξ (both levels pooled), when there are enough networks for it.
    let pairs: Vec<[f64; 2]> = rows.iter().map(|(_, x)| [x[0], x[1]]).collect();
    let sigma_pred = (a.lr * a.noise * a.noise / a.batch as f64).sqrt();
    let o = PeakOptions {
        sigma0: Some(sigma_pred.max(1e-12)),
        bootstrap: 0,
        ..PeakOptions::default()
    };
    let analysis = match spectral::analyse_peak(&pairs, &[0, 1], Some(2.0), &o) {
        Ok(r) => serde_json::to_value(r)?,
        Err(e) => json!({ "target": 2.0, "levels": [0, 1], "error": e.to_string() }),
    };
    let k = rows.first().map_or(2, |r| r.1.len());
    let header: Vec<String> = std::iter::once("seed".to_string())
        .chain((1..=k).map(|i| format!("xi_{i}")))
        .collect();
    let lines = rows
        .iter()
        .map(|(seed, xi)| format!("{seed},{}", encode_floats(xi)));
    match a.shard {
        Some(shard) => {
            let run = crate::merge::shard_run("train ts", params, a.seeds as u64, false);
            write_shard(&a.out, &run, shard, &header.join(","), lines)?
        }
        None => write_lines(&a.out, &header.join(","), lines)?,
    }
    let summary = json!({
        "model": a.model.name(),
        "lr": a.lr,
        "noise": a.noise,
        "batch": a.batch,
        "epochs": hyper.epochs,
        "batches_per_epoch": hyper.batches_per_epoch,
        "seeds": a.seeds,
        "seed": a.seed,
        "run": a.run,
        "purpose": run.purpose(),
        "protocol": {
            "noise_kind": hyper.noise_kind,
            "noise_draw": hyper.noise_draw,
            "inputs": hyper.inputs,
            "init_std": hyper.init_std,
            "teacher_singular_value": teacher_student::presets::TEACHER_XI,
        },
        "sigma_pred": sigma_pred,
        "peaks": [analysis],
        "shard": shard.to_string(),
        "indices": [range.start, range.end],
        "out": a.out.display().to_string(),
    });
    print_json(&done.finish("train ts", summary)?)
}
