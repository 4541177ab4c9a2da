//! The Gaussian-RBM sweep shared by `fig2`, `fig3` and `surmise` (registered as `rbm`).
//!
//! The authors' (α, |B|) grid ([`rbm::Sweep`]) is trained once per profile and cached in
//! `<out>/rbm/`: `lambda.csv` (one row per surviving realisation: configuration, α, |B|, index,
//! its 10 learnt λ ascending) and `sweep.json` (per configuration: epochs, success ratio,
//! stationarity check). The analysis ([`rbm::analysis`], i.e. `spectral`) runs on the samples
//! in memory and is cached in `<out>/rbm/analysis.json` with the SHA-256 of the `lambda.csv` it
//! analysed ([`ensure`]); the three figures share one loaded copy through the context. Any of
//! the figures run alone (`--only fig2`) computes the sweep if it is missing or stale.
//!
//! Scale-out ([`runner`]): the sweep's work items are (configuration, realisation)
//! pairs, item `i` = realisation `i mod R` of configuration `⌊i/R⌋`. Training journals every
//! finished group of items in `<out>/rbm/sweep.journal`, so a killed run resumes where it
//! stopped. `all --shard k/n` trains only the k-th block of items and writes their raw results
//! to `<out>/rbm/shards/items-k-of-n.csv` (see [`items_header`]); `rmt-sgd merge` joins the
//! shards into one `items.csv`, and `all --rbm-items items.csv` builds `lambda.csv` and
//! `sweep.json` from it instead of training: byte-identical to an unsharded run (except for
//! the informational `wall_seconds`/`threads` of the paper profile, absent then).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context as _};
use rbm::analysis::{analyse_sweep, AnalysisOptions, ConfigSamples, SweepAnalysis};
use rbm::sweep::Stationarity;
use rbm::{Profile as RbmProfile, Snapshot, Sweep, Target, N};
use serde::{Deserialize, Serialize};

mod items;

pub use items::{compute_items, items_header, read_items, run_shard, shard_with, Item, SweepItem};

use crate::registry::{Context, Figure, Profile};
use runner::{read_csv, read_json, write_csv, write_json};

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

/// The fields of `sweep.json` that record the machine, not the result (`wall_seconds`,
/// `threads`): a recomputation (`all --profile paper --verify`) compares the file without them.
pub const INFORMATIONAL: (&str, &[&str]) = ("rbm/sweep.json", &["wall_seconds", "threads"]);
const ANALYSIS_FILE: &str = "analysis.json";
/// The resume journal of an unsharded training run, inside `<out>/rbm/`.
pub const JOURNAL_FILE: &str = "sweep.journal";

fn lambda_header() -> Vec<String> {
    let mut h = vec!["config".into(), "lr".into(), "batch".into(), "index".into()];
    h.extend((0..N).map(|i| format!("lambda{i}")));
    h
}

/// The `lambda.csv` row of realisation `index` of configuration `c`: `config, lr, batch, index`
/// and its λ ascending.
fn lambda_row(c: usize, h: rbm::Hyper, index: u64, lambda: &[f64; N]) -> Vec<f64> {
    let mut row = vec![c as f64, h.lr, h.batch as f64, index as f64];
    row.extend_from_slice(lambda);
    row
}

/// Re-trains realisations `indices` of configuration `c` of the profile's sweep alone, exactly
/// as the sweep trains them: their `lambda.csv` rows, `None` for one that diverged (it has no
/// row). What `all --verify-paper` compares with the committed file.
pub fn retrain_rows(
    profile: Profile,
    c: usize,
    indices: &[u64],
) -> anyhow::Result<Vec<(u64, Option<Vec<f64>>)>> {
    let cfg = SweepConfig::for_profile(profile);
    let point = cfg
        .sweep
        .points
        .get(c)
        .with_context(|| format!("the sweep has no configuration {c}"))?;
    let run = cfg.sweep.experiment(point)?.run_indices(indices, None);
    Ok(indices
        .iter()
        .zip(&run.outcomes)
        .map(|(&i, o)| {
            let row = match o {
                rbm::Outcome::Learnt(r) => Some(lambda_row(c, point.hyper, i, &r.lambda)),
                rbm::Outcome::Diverged { .. } => None,
            };
            (i, row)
        })
        .collect())
}

/// Trains the sweep (or takes its items from a merged file), then writes `lambda.csv` and
/// `sweep.json` into `dir`.
pub fn train(
    cfg: &SweepConfig,
    profile: Profile,
    dir: &Path,
    items_file: Option<&Path>,
) -> anyhow::Result<Trained> {
    let sweep = &cfg.sweep;
    let journal = dir.join(JOURNAL_FILE);
    let (items, wall, done) = match items_file {
        Some(f) => (read_items(f, cfg, profile)?, None, None),
        None => {
            let mut done = compute_items(cfg, profile, 0..sweep.items(), &journal)?;
            eprintln!("{}", done.log_line(NAME));
            let items = std::mem::take(&mut done.items);
            (items, Some(done.seconds), Some(done))
        }
    };
    let target = Target::authors();
    let mut rows = Vec::new();
    let mut points = Vec::new();
    let mut samples = Vec::new();
    let per = sweep.realisations as usize;
    for (c, (point, chunk)) in sweep.points.iter().zip(items.chunks(per)).enumerate() {
        let h = point.hyper;
        let learnt: Vec<(u64, &[f64; N], &[Snapshot])> = chunk
            .iter()
            .filter_map(|(i, it)| match &it.item {
                Item::Learnt { lambda, snapshots } => {
                    Some((sweep.item(*i).1, lambda, snapshots.as_slice()))
                }
                Item::Diverged { .. } => None,
            })
            .collect();
        for (index, lambda, _) in &learnt {
            rows.push(lambda_row(c, h, *index, lambda));
        }
        let snaps: Vec<&[Snapshot]> = learnt.iter().map(|l| l.2).collect();
        let stationarity = Stationarity::check_snapshots(&snaps, &target);
        let success_ratio = learnt.len() as f64 / chunk.len() as f64;
        eprintln!(
            "[rbm] α = {}, |B| = {}: success {:.3}, stationary {} (max |z| {:.2}, stragglers {})",
            h.lr,
            h.batch,
            success_ratio,
            stationarity.stationary,
            stationarity.max_abs_z,
            stationarity.stragglers
        );
        samples.push(ConfigSamples {
            lr: h.lr,
            batch: h.batch,
            batch_series: point.batch_series,
            lr_series: point.lr_series,
            success_ratio,
            lambda: learnt.iter().map(|l| *l.1).collect(),
        });
        points.push(PointRecord {
            config: c,
            lr: h.lr,
            batch: h.batch,
            epochs: h.epochs,
            batch_series: point.batch_series,
            lr_series: point.lr_series,
            realisations: chunk.len(),
            diverged: chunk.len() - learnt.len(),
            success_ratio,
            stationarity,
        });
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
        wall_seconds: wall.filter(|_| paper),
        threads: wall.and(paper.then(rayon::current_num_threads)),
        points,
    };
    let sweep_json = dir.join(SWEEP_FILE);
    write_json(&sweep_json, &record)?;
    if let Some(done) = done {
        done.remove_journal()?;
    }
    Ok(Trained {
        files: vec![lambda, sweep_json],
        sweep: record,
        samples,
    })
}

/// What [`train`] wrote, and the same in memory (so that nothing is read back).
#[derive(Debug)]
pub struct Trained {
    /// `lambda.csv` and `sweep.json`.
    pub files: Vec<PathBuf>,
    /// The contents of `sweep.json`.
    pub sweep: SweepRecord,
    /// The contents of `lambda.csv`, per configuration.
    pub samples: Vec<ConfigSamples>,
}

/// `analysis.json`: the analysis and the input it was computed from, so that an unchanged
/// sweep is not analysed again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnalysisFile {
    /// SHA-256 of the `lambda.csv` analysed.
    pub lambda_sha256: String,
    /// The analysis (its options inside).
    pub analysis: SweepAnalysis,
}

/// The sweep and its analysis, shared by the RBM figures of one run.
#[derive(Debug)]
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

/// Reads `lambda.csv` back into per-configuration samples (what the analysis takes).
pub fn read_samples(path: &Path, sweep: &SweepRecord) -> anyhow::Result<Vec<ConfigSamples>> {
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

// ANCHOR: ensure
/// Trains the sweep if its configuration changed, analyses it if `lambda.csv` or the analysis
/// options changed (or with `--force`), and keeps the result in the context: the RBM figures of
/// one run share it, and nothing is computed or read twice.
pub fn ensure(ctx: &Context) -> anyhow::Result<Arc<Loaded>> {
    if let Some(l) = ctx.rbm.get() {
        return Ok(l.clone());
    }
    let dir = ctx.figure_dir(NAME)?;
    let cfg = SweepConfig::for_profile(ctx.profile);
    let mut fresh = None;
    ctx.compute_if_stale(NAME, &cfg, |d| {
        let t = train(&cfg, ctx.profile, d, ctx.rbm_items.as_deref())?;
        let files = t.files.clone();
        fresh = Some(t);
        Ok(files)
    })?;
    let (sweep, samples) = match fresh {
        Some(t) => (t.sweep, t.samples),
        None => {
            let sweep: SweepRecord = read_json(dir.join(SWEEP_FILE))?;
            let samples = read_samples(&dir.join(LAMBDA_FILE), &sweep)?;
            (sweep, samples)
        }
    };
    let lambda_sha256 = runner::sha256_file(dir.join(LAMBDA_FILE))?;
    let options = analysis_options(ctx.profile);
    let analysis_path = dir.join(ANALYSIS_FILE);
    let cached = (!ctx.force)
        .then(|| read_json::<AnalysisFile>(&analysis_path).ok())
        .flatten()
        .filter(|a| a.lambda_sha256 == lambda_sha256 && a.analysis.options == options);
    let analysis = match cached {
        Some(a) => {
            eprintln!("[rbm] analysis unchanged (same lambda.csv and options)");
            a.analysis
        }
        None => {
            let start = Instant::now();
            let analysis = analyse_sweep(&samples, &options)?;
            eprintln!("[rbm] analysis in {:.1} s", start.elapsed().as_secs_f64());
            let file = AnalysisFile {
                lambda_sha256,
                analysis,
            };
            write_json(&analysis_path, &file)?;
            file.analysis
        }
    };
    let l = Arc::new(Loaded {
        dir,
        sweep,
        samples,
        analysis,
    });
    Ok(ctx.rbm.get_or_init(|| l).clone())
}
// ANCHOR_END: ensure

/// The shared sweep and analysis (registered as `rbm`).
pub struct RbmSweep;

/// The numbers of the model itself, from the rbm crate's definitions (no training): the target
/// spectrum of the authors' lattice (κ and x = μ² − κ, degenerate values grouped), the PCD noise
/// inflation of its top mode and top pair, and the ziggurat's fast-path fraction.
fn target_numbers(n: &mut crate::numbers::Numbers) {
    let (target, model) = (rbm::Target::authors(), rbm::Rbm::authors());
    // Distinct κ with the indices that share it.
    let mut groups: Vec<(f64, Vec<usize>)> = Vec::new();
    for (i, &k) in target.kappa().iter().enumerate() {
        match groups.last_mut() {
            Some((g, idx)) if (k - *g).abs() < 1e-9 => idx.push(i),
            _ => groups.push((k, vec![i])),
        }
    }
    let show = |v: f64| {
        if (v - v.round()).abs() < 1e-9 {
            format!("{}", v.round())
        } else {
            format!("{v:.6}")
        }
    };
    let mut header = vec!["index".to_string()];
    let mut kappa = vec!["$\\kappa$".to_string()];
    let mut x = vec!["$x = \\mu^2 - \\kappa$".to_string()];
    for (k, idx) in &groups {
        header.push(
            idx.iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        );
        kappa.push(show(*k));
        x.push(show(model.mu2 - k));
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let top = model.mu2 - groups[0].0;
    let top_pair = groups
        .iter()
        .find(|(_, idx)| idx.len() == 2)
        .map(|(k, _)| model.mu2 - k)
        .expect("the lattice has degenerate pairs");
    n.block("kappa_table", &crate::numbers::table(&header, &[kappa, x]))
        .inline(
            "pcd_inflation_top",
            &format!("{:.2}", model.pcd_noise_inflation(top)),
        )
        .inline(
            "pcd_inflation_pair",
            &format!("{:.2}", model.pcd_noise_inflation(top_pair)),
        )
        .inline(
            "ziggurat_fast_path",
            &format!(
                "{:.1}",
                100.0 * rbm::normals::Ziggurat::get().fast_path_fraction()
            ),
        );
}

impl Figure for RbmSweep {
    fn name(&self) -> &'static str {
        NAME
    }

    fn description(&self) -> &'static str {
        "Gaussian RBM: the authors' (α, |B|) sweep (shared by fig2, fig3, surmise) and its analysis"
    }

    fn numbers(&self, dir: &Path) -> anyhow::Result<Option<String>> {
        use crate::numbers::{int, table, Json, Numbers};
        let j = Json::read(dir, SWEEP_FILE)?;
        let mut rows = Vec::new();
        // epochs -> the configurations that ran that long, in sweep order
        let mut by_epochs: Vec<(f64, Vec<String>)> = Vec::new();
        let mut realisations = std::collections::BTreeSet::new();
        for i in 0..j.len("/points")? {
            let pt = |k: &str| j.f(&format!("/points/{i}/{k}"));
            let (lr, batch, epochs) = (pt("lr")?, pt("batch")?, pt("epochs")?);
            let stationary = j.get(&format!("/points/{i}/stationarity/stationary"))?;
            rows.push(vec![
                lr.to_string(),
                batch.to_string(),
                int(epochs),
                int(pt("realisations")?),
                format!("{}", pt("success_ratio")?),
                format!(
                    "{} (max \\|z\\| = {:.1})",
                    if stationary.as_bool() == Some(true) {
                        "yes"
                    } else {
                        "no"
                    },
                    pt("stationarity/max_abs_z")?
                ),
            ]);
            realisations.insert(pt("realisations")? as u64);
            let name = format!("α = {lr}, \\|B\\| = {batch}");
            match by_epochs.iter_mut().find(|(e, _)| *e == epochs) {
                Some((_, v)) => v.push(name),
                None => by_epochs.push((epochs, vec![name])),
            }
        }
        by_epochs.sort_by_key(|e| std::cmp::Reverse(e.1.len()));
        let epochs = by_epochs
            .iter()
            .map(|(e, v)| match v.len() {
                1 => format!("{} at {}", int(*e), v[0]),
                n => format!("{} for {n} configurations", int(*e)),
            })
            .collect::<Vec<_>>()
            .join("; ");
        let realisations = realisations
            .iter()
            .map(|&r| int(r as f64))
            .collect::<Vec<_>>()
            .join(", ");
        let mut n = Numbers::default();
        target_numbers(&mut n);
        n.inline("epochs", &epochs)
            .inline("realisations", &realisations)
            .inline("seed", &j.f("/seed")?.to_string())
            .block(
                "sizes",
                &table(
                    &[
                        "α",
                        "\\|B\\|",
                        "epochs",
                        "realisations",
                        "success ratio",
                        "stationary",
                    ],
                    &rows,
                ),
            );
        Ok(Some(n.finish()))
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
