//! The Gaussian-RBM sweep shared by `fig2`, `fig3` and `surmise` (registered as `rbm`).
//!
//! The authors' (α, |B|) grid ([`rbm::Sweep`]) is trained once per profile and cached in
//! `<out>/rbm/`: `lambda.csv` (one row per surviving realisation: configuration, α, |B|, index,
//! its 10 learnt λ ascending) and `sweep.json` (per configuration: epochs, success ratio,
//! stationarity check). The analysis ([`rbm::analysis`]) reads that table and writes
//! `<out>/rbm/analysis.json`; the three figures read both. Any of the figures run alone
//! (`--only fig2`) computes the sweep if it is missing or stale.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{bail, Context as _};
use rbm::analysis::{analyse_sweep, AnalysisOptions, ConfigSamples, SweepAnalysis};
use rbm::sweep::{PointResult, Stationarity};
use rbm::{Profile as RbmProfile, Sweep, N};
use serde::{Deserialize, Serialize};

use crate::output::{read_csv, read_json, write_csv, write_json};
use crate::registry::{Context, Figure, Profile};

/// Name (and directory) of the shared sweep.
pub const NAME: &str = "rbm";
/// Base seed of every training and bootstrap stream.
pub const SEED: u64 = 20240811;

/// The cached sweep's configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepConfig {
    /// Bumped when the cached files change form.
    pub version: u32,
    /// The grid, sizes and seed.
    pub sweep: Sweep,
}

impl SweepConfig {
    /// The sweep of a profile.
    pub fn for_profile(p: Profile) -> Self {
        let sweep = match p {
            Profile::Paper => Sweep::new(RbmProfile::Paper, SEED),
            Profile::Quick => Sweep::new(RbmProfile::Quick, SEED),
        };
        SweepConfig { version: 1, sweep }
    }
}

/// Per-configuration record of `sweep.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PointRecord {
    /// Position in the grid (column `config` of `lambda.csv`).
    pub config: usize,
    /// α.
    pub lr: f64,
    /// |B|.
    pub batch: usize,
    /// Epochs trained.
    pub epochs: usize,
    /// Member of the batch-size series.
    pub batch_series: bool,
    /// Member of the learning-rate series.
    pub lr_series: bool,
    /// Realisations run.
    pub realisations: usize,
    /// Realisations dropped (non-finite weights).
    pub diverged: usize,
    /// Fraction that stayed finite.
    pub success_ratio: f64,
    /// The stationarity check over the last snapshots.
    pub stationarity: Stationarity,
}

/// `sweep.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepRecord {
    /// Profile name.
    pub profile: Profile,
    /// Base seed.
    pub seed: u64,
    /// Wall time of the training, seconds (paper profile only: the quick profile's outputs
    /// must be identical run to run for `--verify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall_seconds: Option<f64>,
    /// Threads used (paper profile only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads: Option<usize>,
    /// One entry per configuration.
    pub points: Vec<PointRecord>,
}

const LAMBDA_FILE: &str = "lambda.csv";
const SWEEP_FILE: &str = "sweep.json";
const ANALYSIS_FILE: &str = "analysis.json";

fn lambda_header() -> Vec<String> {
    let mut h = vec!["config".into(), "lr".into(), "batch".into(), "index".into()];
    h.extend((0..N).map(|i| format!("lambda{i}")));
    h
}

fn train(cfg: &SweepConfig, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let sweep = &cfg.sweep;
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(sweep.work()),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "[rbm] {bar:40} {percent:>3}% elapsed {elapsed_precise} eta {eta_precise}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let progress = |k: u64| bar.inc(k);
    let start = Instant::now();
    let results: Vec<PointResult> = sweep.run(Some(&progress))?;
    bar.finish_and_clear();
    let wall = start.elapsed().as_secs_f64();
    eprintln!("[rbm] sweep trained in {wall:.1} s");
    let mut rows = Vec::new();
    let mut points = Vec::new();
    for (c, r) in results.iter().enumerate() {
        let h = r.point.hyper;
        for real in r.run.learnt() {
            let mut row = vec![c as f64, h.lr, h.batch as f64, real.index as f64];
            row.extend_from_slice(&real.lambda);
            rows.push(row);
        }
        points.push(PointRecord {
            config: c,
            lr: h.lr,
            batch: h.batch,
            epochs: h.epochs,
            batch_series: r.point.batch_series,
            lr_series: r.point.lr_series,
            realisations: r.run.outcomes.len(),
            diverged: r.run.diverged(),
            success_ratio: r.run.success_ratio(),
            stationarity: r.stationarity.clone(),
        });
        eprintln!(
            "[rbm] α = {}, |B| = {}: success {:.3}, stationary {} (max |z| {:.2}, stragglers {})",
            h.lr,
            h.batch,
            r.run.success_ratio(),
            r.stationarity.stationary,
            r.stationarity.max_abs_z,
            r.stationarity.stragglers
        );
    }
    let header = lambda_header();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let lambda = dir.join(LAMBDA_FILE);
    write_csv(&lambda, &header, rows)?;
    let paper = sweep.profile == RbmProfile::Paper;
    let record = SweepRecord {
        profile: if paper {
            Profile::Paper
        } else {
            Profile::Quick
        },
        seed: sweep.seed,
        wall_seconds: paper.then_some(wall),
        threads: paper.then(rayon::current_num_threads),
        points,
    };
    let sweep_json = dir.join(SWEEP_FILE);
    write_json(&sweep_json, &record)?;
    Ok(vec![lambda, sweep_json])
}

/// The cached sweep and its analysis, as read back from `<out>/rbm/`.
pub struct Loaded {
    /// `<out>/rbm/`.
    pub dir: PathBuf,
    /// `sweep.json`.
    pub sweep: SweepRecord,
    /// Per configuration, the learnt λ of every surviving realisation.
    pub samples: Vec<ConfigSamples>,
    /// `analysis.json`.
    pub analysis: SweepAnalysis,
}

/// Bootstrap sizes of a profile.
pub fn analysis_options(p: Profile) -> AnalysisOptions {
    AnalysisOptions {
        bootstrap: match p {
            Profile::Paper => 200,
            Profile::Quick => 50,
        },
        seed: SEED,
        ..AnalysisOptions::default()
    }
}

fn read_samples(path: &Path, sweep: &SweepRecord) -> anyhow::Result<Vec<ConfigSamples>> {
    let t = read_csv(path)?;
    let mut out: Vec<ConfigSamples> = sweep
        .points
        .iter()
        .map(|p| ConfigSamples {
            lr: p.lr,
            batch: p.batch,
            batch_series: p.batch_series,
            lr_series: p.lr_series,
            success_ratio: p.success_ratio,
            lambda: Vec::new(),
        })
        .collect();
    for row in &t.rows {
        if row.len() != 4 + N {
            bail!("{}: row with {} columns", path.display(), row.len());
        }
        let c = row[0] as usize;
        let s = out
            .get_mut(c)
            .with_context(|| format!("{}: unknown configuration {c}", path.display()))?;
        let mut l = [0.0; N];
        l.copy_from_slice(&row[4..]);
        s.lambda.push(l);
    }
    Ok(out)
}

/// Which (out dir, profile, force) has already been brought up to date in this process, so
/// that `--force --only fig2,fig3` trains once.
static DONE: Mutex<Vec<(PathBuf, Profile)>> = Mutex::new(Vec::new());

/// Trains the sweep if stale, analyses it (once per process) and loads everything.
pub fn ensure(ctx: &Context) -> anyhow::Result<Loaded> {
    let dir = ctx.figure_dir(NAME)?;
    let key = (ctx.out_dir.clone(), ctx.profile);
    let mut done = DONE.lock().map_err(|_| anyhow::anyhow!("poisoned lock"))?;
    let analysis_path = dir.join(ANALYSIS_FILE);
    if !done.contains(&key) {
        let cfg = SweepConfig::for_profile(ctx.profile);
        ctx.compute_if_stale(NAME, &cfg, |d| train(&cfg, d))?;
        let sweep: SweepRecord = read_json(dir.join(SWEEP_FILE))?;
        let samples = read_samples(&dir.join(LAMBDA_FILE), &sweep)?;
        let start = Instant::now();
        let analysis = analyse_sweep(&samples, &analysis_options(ctx.profile))?;
        eprintln!("[rbm] analysis in {:.1} s", start.elapsed().as_secs_f64());
        write_json(&analysis_path, &analysis)?;
        done.push(key);
    }
    let sweep: SweepRecord = read_json(dir.join(SWEEP_FILE))?;
    let samples = read_samples(&dir.join(LAMBDA_FILE), &sweep)?;
    let analysis: SweepAnalysis = read_json(&analysis_path)?;
    Ok(Loaded {
        dir,
        sweep,
        samples,
        analysis,
    })
}

/// The shared sweep and analysis (registered as `rbm`).
pub struct RbmSweep;

impl Figure for RbmSweep {
    fn name(&self) -> &'static str {
        NAME
    }

    fn description(&self) -> &'static str {
        "Gaussian RBM: the authors' (α, |B|) sweep (shared by fig2, fig3, surmise) and its analysis"
    }

    fn run(&self, ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
        let l = ensure(ctx)?;
        Ok(vec![
            l.dir.join(LAMBDA_FILE),
            l.dir.join(SWEEP_FILE),
            l.dir.join(ANALYSIS_FILE),
        ])
    }
}
