//! `rmt-sgd dbm`: ensembles of Dyson Brownian motion (Eq 5) in a quadratic potential.

use crate::args;
use crate::output::{print_json, write_csv_atomic};
use anyhow::Context;
use clap::Args;
use coulomb_gas::binder::sample_u4;
use langevin_core::stationary::gaussian_width;
use langevin_core::{run_ensemble, Dyson, EnsembleSpec, Quadratic, Scheme};
use serde_json::json;
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
    /// Output CSV: a header and one row per chain with the N final eigenvalues ascending.
    #[arg(long)]
    out: PathBuf,
}

pub fn run(a: DbmArgs) -> anyhow::Result<()> {
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
    let mut finals = run_ensemble(&dyson, &spec).context("simulation failed")?;
    for row in finals.iter_mut() {
        row.sort_by(f64::total_cmp);
    }
    let header: Vec<String> = (1..=a.n).map(|i| format!("x{i}")).collect();
    write_csv_atomic(&a.out, &header, &finals)?;

    // Summary: per-index means and the pooled one-point statistics.
    let k = finals.len() as f64;
    let means: Vec<f64> = (0..a.n)
        .map(|i| finals.iter().map(|r| r[i]).sum::<f64>() / k)
        .collect();
    let pooled: Vec<f64> = finals.iter().flatten().copied().collect();
    let pmean = pooled.iter().sum::<f64>() / pooled.len() as f64;
    let pvar = pooled.iter().map(|v| (v - pmean).powi(2)).sum::<f64>() / pooled.len() as f64;
    let widths: Vec<f64> = (0..a.n)
        .map(|i| gaussian_width(a.lr, a.batch, g2[i], omega[i]))
        .collect();
    print_json(&json!({
        "n": a.n,
        "lr": a.lr,
        "batch": a.batch,
        "temperature": a.lr / a.batch as f64,
        "g2": g2,
        "omega": omega,
        "centre": centre,
        "chains": a.chains,
        "steps": a.steps,
        "seed": a.seed,
        "scheme": a.scheme.to_string(),
        "sigma_eq9": widths,
        "mean_by_index": means,
        "pooled": {"mean": pmean, "variance": pvar, "u4": sample_u4(&pooled)},
        "out": a.out.display().to_string(),
    }))
}
