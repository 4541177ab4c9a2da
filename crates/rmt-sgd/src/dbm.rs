//! `rmt-sgd dbm`: ensembles of Dyson Brownian motion (Eq 5) in a quadratic potential.

use crate::args;
use crate::output::print_json;
use anyhow::Context;
use clap::Args;
use coulomb_gas::binder::sample_u4;
use langevin_core::stationary::gaussian_width;
use langevin_core::{Chains, Dyson, EnsembleSpec, Quadratic, Scheme};
use runner::{encode_floats, write_lines, write_shard, Shard};
use serde_json::{json, Value};
use spectral::moments::{level_moments, mean, variance_population};
use std::path::PathBuf;

/// Arguments of `rmt-sgd dbm`.
#[derive(Args, Debug)]
pub struct DbmArgs {
    /// Number of eigenvalues N.
    #[arg(long, value_parser = args::count)]
    n: usize,
    /// Learning rate α (> 0).
    #[arg(long, allow_hyphen_values = true, value_parser = args::positive)]
    lr: f64,
    /// Batch size |B| (≥ 1).
    #[arg(long, value_parser = args::count)]
    batch: usize,
    /// g̃_i²: one value or N comma-separated values.
    #[arg(long, allow_hyphen_values = true, value_parser = args::list)]
    g2: args::List,
    /// Curvatures Ω_i: one value or N comma-separated values.
    #[arg(long, allow_hyphen_values = true, value_parser = args::list)]
    omega: args::List,
    /// Centres c_i: one value or N comma-separated values.
    #[arg(long, allow_hyphen_values = true, value_parser = args::list)]
    centre: args::List,
    /// Number of independent chains.
    #[arg(long, value_parser = args::count)]
    chains: usize,
    /// Iterations of Eq 5 per chain.
    #[arg(long, value_parser = args::count)]
    steps: usize,
    /// Base seed; chain k uses the stream (seed, "dbm/chain", k).
    #[arg(long)]
    seed: u64,
    /// Discretisation: implicit (default), explicit (the literal Eq 5) or matrix-ou.
    #[arg(long, default_value = "implicit", value_parser = |s: &str| s.parse::<Scheme>().map_err(|e| e.to_string()))]
    scheme: Scheme,
    /// Output CSV: a header `x1,...,xN` and one row per chain with the N final eigenvalues
    /// ascending. With `--shard`, a leading `chain` column keys the rows, so that
    /// `rmt-sgd merge --drop-index` restores the unsharded file byte for byte.
    #[arg(long)]
    out: PathBuf,
    /// Run only shard k of n (contiguous blocks of chains); the output gets a `chain` column.
    #[arg(long)]
    shard: Option<Shard>,
    #[command(flatten)]
    limits: crate::limits::Limits,
}

pub fn run(a: DbmArgs) -> anyhow::Result<()> {
    runner::check_output(&a.out)?;
    let shard = a.shard.unwrap_or(Shard::WHOLE);
    let range = shard.range(a.chains as u64)?;
    // Memory: per worker, the implicit scheme's Newton Hessian and its factor (2·N² f64) and the
    // matrix-ou scheme's N×N matrices; per chain kept, N values and a CSV line (~40·N bytes).
    // Work per step: a Cholesky factorisation (~N³/3) for implicit and matrix-ou (an
    // eigendecomposition, ~10·N³), the N² pair forces for explicit.
    let (n, chains, steps) = (a.n as f64, (range.end - range.start) as f64, a.steps as f64);
    let per_step = match a.scheme {
        Scheme::Explicit => 10.0 * n * n,
        Scheme::Implicit => n * n * n / 3.0 + 10.0 * n * n,
        _ => 10.0 * n * n * n,
    };
    a.limits.check(&crate::limits::Estimate {
        command: "dbm",
        memory_bytes: crate::limits::threads() * 3.0 * n * n * 8.0 + chains * 40.0 * n,
        work: chains * steps * per_step,
        flags: format!(
            "--n {} --steps {} with {} chains ({} scheme)",
            a.n,
            a.steps,
            range.end - range.start,
            a.scheme
        ),
    })?;
    let g2 = args::per_particle("g2", &a.g2.0, a.n)?;
    let omega = args::per_particle("omega", &a.omega.0, a.n)?;
    let centre = args::per_particle("centre", &a.centre.0, a.n)?;
    let potential = Quadratic::new(omega.clone(), centre.clone())?;
    let dyson = Dyson::new(a.lr, a.batch, g2.clone(), potential)?;
    let spec = EnsembleSpec {
        chains: a.chains,
        steps: a.steps,
        seed: a.seed,
        scheme: a.scheme,
    };
    let chains = Chains::new(&dyson, &spec).context("simulation failed")?;
    let chain = |k: u64| -> anyhow::Result<Vec<f64>> {
        let mut x = chains.chain(k).context("simulation failed")?;
        x.sort_by(f64::total_cmp);
        Ok(x)
    };
    let params = json!({
        "command": "dbm",
        "n": a.n,
        "lr": a.lr,
        "batch": a.batch,
        "g2": g2,
        "omega": omega,
        "centre": centre,
        "chains": a.chains,
        "steps": a.steps,
        "seed": a.seed,
        "scheme": a.scheme.to_string(),
        "shard": shard.to_string(),
    });
    let done = runner::run_uniform(
        "dbm",
        &a.out,
        params.clone(),
        range.clone(),
        16,
        a.steps as u64,
        |r| r.map(chain).collect::<anyhow::Result<Vec<_>>>(),
    )?;
    let columns: Vec<String> = (1..=a.n).map(|i| format!("x{i}")).collect();
    if let Some(shard) = a.shard {
        let rows = done
            .items
            .iter()
            .map(|(k, x)| format!("{k},{}", encode_floats(x)));
        let run = crate::merge::shard_run("dbm", params.clone(), a.chains as u64, true);
        let header = format!("chain,{}", columns.join(","));
        write_shard(&a.out, &run, shard, &header, rows)?;
    } else {
        let rows = done.items.iter().map(|(_, x)| encode_floats(x));
        write_lines(&a.out, &columns.join(","), rows)?;
    }
    let finals: Vec<&Vec<f64>> = done.items.iter().map(|(_, x)| x).collect();
    // Summary: per-index means and the pooled one-point statistics.
    let (means, _) = level_moments(&finals, a.n);
    let pooled: Vec<f64> = finals.iter().flat_map(|r| r.iter().copied()).collect();
    let (pmean, pvar) = (mean(&pooled), variance_population(&pooled));
    let widths: Vec<f64> = (0..a.n)
        .map(|i| gaussian_width(a.lr, a.batch, g2[i], omega[i]))
        .collect();
    // The summary: the run's parameters and the statistics.
    let mut summary = params;
    let extra = json!({
        "temperature": a.lr / a.batch as f64,
        "sigma_eq9": widths,
        "mean_by_index": means,
        "pooled": {"mean": pmean, "variance": pvar, "u4": sample_u4(&pooled)},
        "indices": [range.start, range.end],
        "out": a.out.display().to_string(),
    });
    if let (Some(s), Value::Object(e)) = (summary.as_object_mut(), extra) {
        s.remove("command");
        s.extend(e);
    }
    print_json(&done.finish("dbm", summary)?)
}
