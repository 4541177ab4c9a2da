//! The Gaussian-RBM sweep shared by `fig2`, `fig3` and `surmise` (registered as `rbm`).
//!
//! The authors' (α, |B|) grid ([`rbm::Sweep`]) is trained once per profile and cached in
//! `<out>/rbm/`: `lambda.csv` (one row per surviving realisation: configuration, α, |B|, index,
//! its 10 learnt λ ascending) and `sweep.json` (per configuration: epochs, success ratio,
//! stationarity check). The analysis ([`rbm::analysis`]) reads that table and writes
//! `<out>/rbm/analysis.json`; the three figures read both. Any of the figures run alone
//! (`--only fig2`) computes the sweep if it is missing or stale.
//!
//! Scale-out ([`runner`]): the sweep's work items are (configuration, realisation)
//! pairs, item `i` = realisation `i mod R` of configuration `⌊i/R⌋`. Training journals every
//! finished group of items in `<out>/rbm/sweep.journal`, so a killed run resumes where it
//! stopped. `all --shard k/n` trains only the k-th block of items and writes their raw results
//! to `<out>/rbm/shards/items-k-of-n.csv` (see [`items_header`]); `rmt-sgd merge` joins the
//! shards into one `items.csv`, and `all --rbm-items items.csv` builds `lambda.csv` and
//! `sweep.json` from it instead of training: byte-identical to an unsharded run (except for
//! the informational `wall_seconds`/`threads` of the paper profile, absent then).

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context as _};
use rbm::analysis::{analyse_sweep, AnalysisOptions, ConfigSamples, SweepAnalysis};
use rbm::sweep::Stationarity;
use rbm::{Outcome, Profile as RbmProfile, Snapshot, Sweep, Target, LANES, N};
use serde::{Deserialize, Serialize};

use crate::registry::{Context, Figure, Profile};
use runner::{
    decode_float, encode_floats, read_csv, read_json, write_csv, write_json, write_lines, Finished,
    Plan, Record, Shard,
};

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
/// The resume journal of an unsharded training run, inside `<out>/rbm/`.
pub const JOURNAL_FILE: &str = "sweep.journal";

fn lambda_header() -> Vec<String> {
    let mut h = vec!["config".into(), "lr".into(), "batch".into(), "index".into()];
    h.extend((0..N).map(|i| format!("lambda{i}")));
    h
}

/// One realisation's result as journalled and as a row of a shard file (the final weights are
/// not kept). Fields: `diverged_at` (empty when learnt), `lambda1..lambdaN` (λ ascending, empty
/// when diverged), then per snapshot `sJ_epoch, sJ_lambda1..sJ_lambdaN`.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// Trained to the end: final λ and the snapshots.
    Learnt {
        /// λ ascending.
        lambda: [f64; N],
        /// The snapshots, in epoch order.
        snapshots: Vec<Snapshot>,
    },
    /// Dropped at this epoch (non-finite weights).
    Diverged {
        /// First epoch with non-finite weights.
        epoch: usize,
        /// Snapshots configured (to pad the row to the common width).
        snapshots: usize,
    },
}

impl Item {
    /// The item of an outcome of an experiment with `snapshots` snapshot epochs.
    pub fn from_outcome(o: &Outcome, snapshots: usize) -> Self {
        match o {
            Outcome::Learnt(r) => Item::Learnt {
                lambda: r.lambda,
                snapshots: r.snapshots.clone(),
            },
            Outcome::Diverged { epoch, .. } => Item::Diverged {
                epoch: *epoch,
                snapshots,
            },
        }
    }

    /// λ when learnt.
    pub fn lambda(&self) -> Option<&[f64; N]> {
        match self {
            Item::Learnt { lambda, .. } => Some(lambda),
            Item::Diverged { .. } => None,
        }
    }
}

impl Record for Item {
    fn encode(&self) -> String {
        match self {
            Item::Learnt { lambda, snapshots } => {
                let mut s = format!(",{}", encode_floats(lambda));
                for snap in snapshots {
                    s.push_str(&format!(",{},{}", snap.epoch, encode_floats(&snap.lambda)));
                }
                s
            }
            Item::Diverged { epoch, snapshots } => {
                format!("{epoch}{}", ",".repeat(N + snapshots * (N + 1)))
            }
        }
    }

    fn decode(fields: &str) -> anyhow::Result<Self> {
        let f: Vec<&str> = fields.split(',').collect();
        if f.len() < 1 + N || !(f.len() - 1 - N).is_multiple_of(N + 1) {
            bail!("{} fields, expected 1 + {N} + k·{}", f.len(), N + 1);
        }
        let snapshots = (f.len() - 1 - N) / (N + 1);
        if !f[0].is_empty() {
            let epoch = f[0]
                .parse()
                .with_context(|| format!("diverged_at '{}' is not an epoch", f[0]))?;
            return Ok(Item::Diverged { epoch, snapshots });
        }
        let arr = |v: &[&str]| -> anyhow::Result<[f64; N]> {
            let mut a = [0.0; N];
            for (x, s) in a.iter_mut().zip(v) {
                *x = decode_float(s)?;
            }
            Ok(a)
        };
        let lambda = arr(&f[1..=N])?;
        let snapshots = f[1 + N..]
            .chunks(N + 1)
            .map(|c| {
                Ok(Snapshot {
                    epoch: c[0]
                        .parse()
                        .with_context(|| format!("snapshot epoch '{}'", c[0]))?,
                    lambda: arr(&c[1..])?,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Item::Learnt { lambda, snapshots })
    }
}

/// A work item of the figures' sweep: the sweep's configuration hash (so that shards of
/// different configurations cannot be mixed) and the realisation's result.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepItem {
    /// First 16 hex digits of the sweep's configuration hash.
    pub sweep: String,
    /// The result.
    pub item: Item,
}

impl Record for SweepItem {
    fn encode(&self) -> String {
        format!("{},{}", self.sweep, self.item.encode())
    }

    fn decode(fields: &str) -> anyhow::Result<Self> {
        let (sweep, rest) = fields
            .split_once(',')
            .context("expected a sweep hash and the realisation's fields")?;
        Ok(SweepItem {
            sweep: sweep.to_string(),
            item: Item::decode(rest)?,
        })
    }
}

/// Header of a shard file (and of the merged `items.csv`): `item,sweep,diverged_at,lambda1..N`,
/// then `sJ_epoch,sJ_lambda1..N` for each of the `snapshots` snapshots.
pub fn items_header(snapshots: usize) -> String {
    let mut h = vec!["item".to_string(), "sweep".into(), "diverged_at".into()];
    h.extend((1..=N).map(|i| format!("lambda{i}")));
    for j in 1..=snapshots {
        h.push(format!("s{j}_epoch"));
        h.extend((1..=N).map(|i| format!("s{j}_lambda{i}")));
    }
    h.join(",")
}

/// Snapshots per realisation (the same for every point of the grid).
fn snapshot_count(sweep: &Sweep) -> usize {
    sweep
        .points
        .first()
        .map_or(0, |p| Sweep::snapshots(p.hyper.epochs).len())
}

/// The hash identifying the sweep's items: first 16 hex digits of its configuration hash.
fn sweep_hash(cfg: &SweepConfig, profile: Profile) -> anyhow::Result<String> {
    let ctx = Context::new(profile, PathBuf::new(), false);
    let mut h = ctx.config_hash(NAME, cfg)?;
    h.truncate(16);
    Ok(h)
}

/// Trains the items `range` of the sweep, resuming from (and appending to) `journal`.
pub fn compute_items(
    cfg: &SweepConfig,
    profile: Profile,
    range: Range<u64>,
    journal: &Path,
) -> anyhow::Result<Finished<SweepItem>> {
    let sweep = &cfg.sweep;
    if sweep.realisations == 0 {
        bail!("the sweep has no realisations");
    }
    let hash = sweep_hash(cfg, profile)?;
    let experiments = sweep
        .points
        .iter()
        .map(|p| sweep.experiment(p))
        .collect::<Result<Vec<_>, _>>()?;
    let snaps = snapshot_count(sweep);
    let key = |i: u64| sweep.item(i).0 as u64;
    let cost = |i: u64| {
        let h = sweep.points[sweep.item(i).0].hyper;
        (h.epochs * h.batch) as u64
    };
    let plan = Plan {
        label: NAME,
        journal: journal.to_path_buf(),
        params: serde_json::json!({
            "sweep": "figures rbm",
            "profile": profile,
            "config_hash": hash,
            "items": [range.start, range.end],
        }),
        items: range,
        group: LANES,
        key: &key,
        cost: &cost,
    };
    runner::run(&plan, |r| {
        let (p, first) = sweep.item(r.start);
        let run = experiments[p].run(first..first + (r.end - r.start), None);
        Ok(run
            .outcomes
            .iter()
            .map(|o| SweepItem {
                sweep: hash.clone(),
                item: Item::from_outcome(o, snaps),
            })
            .collect())
    })
}

/// Writes items as a shard file (header [`items_header`], one row per item) atomically.
fn write_items(path: &Path, snapshots: usize, items: &[(u64, SweepItem)]) -> anyhow::Result<()> {
    let rows = items.iter().map(|(i, it)| format!("{i},{}", it.encode()));
    write_lines(path, &items_header(snapshots), rows)?;
    Ok(())
}

/// `all --shard k/n`: trains shard `k` of `n` of the profile's sweep (resuming its journal) and
/// writes `<out>/rbm/shards/items-k-of-n.csv`; returns its path.
pub fn run_shard(ctx: &Context, shard: Shard) -> anyhow::Result<PathBuf> {
    let cfg = SweepConfig::for_profile(ctx.profile);
    let dir = ctx.figure_dir(NAME)?.join("shards");
    shard_with(&cfg, ctx.profile, &dir, shard)
}

/// [`run_shard`] for any sweep configuration, writing into `dir`.
pub fn shard_with(
    cfg: &SweepConfig,
    profile: Profile,
    dir: &Path,
    shard: Shard,
) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let out = dir.join(format!("items-{}-of-{}.csv", shard.k, shard.n));
    let range = shard.range(cfg.sweep.items())?;
    let done = compute_items(cfg, profile, range, &runner::journal_path(&out))?;
    write_items(&out, snapshot_count(&cfg.sweep), &done.items)?;
    eprintln!("{}", done.log_line(&format!("{NAME} shard {shard}")));
    done.remove_journal()?;
    Ok(out)
}

/// Reads a merged items file of the whole sweep, checking its header, that every row belongs
/// to this sweep configuration and that every item is there exactly once.
pub fn read_items(
    path: &Path,
    cfg: &SweepConfig,
    profile: Profile,
) -> anyhow::Result<Vec<(u64, SweepItem)>> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {shown}"))?;
    let mut lines = text.lines();
    let header = items_header(snapshot_count(&cfg.sweep));
    if lines.next() != Some(header.as_str()) {
        bail!("{shown}: not the items file of this sweep (expected the header '{header}')");
    }
    let hash = sweep_hash(cfg, profile)?;
    let total = cfg.sweep.items();
    let mut items = Vec::with_capacity(total as usize);
    for (n, line) in lines.enumerate() {
        let (i, fields) = line.split_once(',').unwrap_or((line, ""));
        let i: u64 = i
            .parse()
            .with_context(|| format!("{shown} line {}: '{i}' is not an item", n + 2))?;
        let it = SweepItem::decode(fields)
            .with_context(|| format!("{shown} line {}: unreadable row", n + 2))?;
        if it.sweep != hash {
            bail!(
                "{shown} line {}: item {i} was computed for another sweep configuration \
                 ({} instead of {hash}): shards of a different profile or version?",
                n + 2,
                it.sweep
            );
        }
        items.push((i, it));
    }
    items.sort_by_key(|x| x.0);
    for (want, (i, _)) in (0..).zip(&items) {
        if *i != want {
            bail!(
                "{shown}: item {} is {} (the sweep has items 0..{total}; merge every shard)",
                if *i > want { want } else { *i },
                if *i > want { "missing" } else { "repeated" }
            );
        }
    }
    if items.len() as u64 != total {
        bail!(
            "{shown}: {} of {total} items (merge every shard)",
            items.len()
        );
    }
    Ok(items)
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
            let mut row = vec![c as f64, h.lr, h.batch as f64, *index as f64];
            row.extend_from_slice(*lambda);
            rows.push(row);
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
