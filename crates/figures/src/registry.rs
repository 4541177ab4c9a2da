//! The registry of figure jobs, the run context (profile, output directory, `--force`) and
//! config-hash caching.
//!
//! # Adding a figure
//!
//! Implement [`Figure`] for a unit struct in a module of this crate and add one line to
//! [`figures`]:
//!
//! ```ignore
//! pub fn figures() -> Vec<Box<dyn Figure>> {
//!     vec![
//!         Box::new(crate::theory::DysonTheory), // <- one line per figure, in run order
//!     ]
//! }
//! ```
//!
//! A figure's `run` typically looks like this:
//!
//! ```ignore
//! fn run(&self, ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
//!     let cfg = Config::for_profile(ctx.profile);           // Serialize; no HashMap inside
//!     let dir = ctx.figure_dir(self.name())?;               // <out>/<name>/, created
//!     let samples = ctx.data(                               // data flow one way:
//!         self.name(),
//!         &cfg,
//!         |dir| {                                           // config changed: compute, write,
//!             let samples = simulate(&cfg);                  // and use what was computed
//!             write_csv(dir.join("samples.csv"), &["x"], samples.iter().map(|&x| vec![x]))?;
//!             write_json(dir.join("summary.json"), &fit(&samples))?;
//!             Ok((samples, vec![dir.join("samples.csv"), dir.join("summary.json")]))
//!         },
//!         |dir| read_samples(dir.join("samples.csv")),       // unchanged: re-plot from the files
//!     )?;
//!     let plot = HistogramPlot { /* ... */ ..Default::default() };
//!     let out = plot.render(&dir.join(self.name()))?;
//!     Ok(vec![dir.join("samples.csv"), dir.join("summary.json"), out.png, out.svg])
//! }
//! ```
//!
//! The runner adds `<name>/config.json` to the outputs by itself and hashes everything into
//! `<out>/MANIFEST`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context as _};
use serde::{Deserialize, Serialize};

use runner::{Manifest, MANIFEST_FILE};

/// Experiment sizes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// The sizes of the book's figures (`data/`): the authors' (the RBM sweep: 10⁵ epochs for
    /// every configuration, 1000 realisations; see `data/rbm/numbers.md`).
    #[default]
    Paper,
    /// Same code, smaller sizes: under a minute on 2 cores, for CI, tests and `--verify`.
    Quick,
}

impl Profile {
    /// `"paper"` or `"quick"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Paper => "paper",
            Profile::Quick => "quick",
        }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where and how figures run.
#[derive(Debug, Clone)]
pub struct Context {
    /// Experiment sizes.
    pub profile: Profile,
    /// Root of the outputs (`data/` by default); figure `name` writes into `<out_dir>/<name>/`.
    pub out_dir: PathBuf,
    /// Recompute even if the cached config matches.
    pub force: bool,
    /// Take the RBM sweep's per-item results from this merged shard file instead of training
    /// (`all --rbm-items`, see [`crate::rbm_sweep`]).
    pub rbm_items: Option<PathBuf>,
    /// The RBM sweep and its analysis once loaded ([`crate::rbm_sweep::ensure`]): shared by the
    /// figures of one run, never global.
    pub rbm: std::sync::OnceLock<std::sync::Arc<crate::rbm_sweep::Loaded>>,
    /// Figures that could not run here (inputs missing, [`Context::skip`]): their committed
    /// outputs and MANIFEST lines are kept as they are.
    skipped: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    /// Each job of this run: its wall time and whether it computed its data ([`Context::times`]).
    times: std::sync::Arc<std::sync::Mutex<Vec<JobTime>>>,
    /// The jobs that computed (rather than re-plotted) in this run.
    computed: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

/// One job of an `all` run: how long it took and whether it computed its data or only
/// re-plotted them.
#[derive(Debug, Clone)]
pub struct JobTime {
    pub name: String,
    pub seconds: f64,
    pub computed: bool,
}

/// How long a job's computation took, as recorded in its `config.json`: in the paper profile
/// only (the quick profile's files are byte-identical on every machine), and informational, so
/// `--verify` ignores it ([`informational_fields`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ComputeTime {
    /// Wall-clock seconds of the computation (not of the plots).
    pub wall_seconds: f64,
    /// Rayon's worker threads.
    pub threads: usize,
    /// The 1-minute load average when it ended (Linux), for judging the wall time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_average: Option<f64>,
}

impl ComputeTime {
    fn measured(wall_seconds: f64) -> Self {
        let load_average = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|t| t.split_whitespace().next()?.parse().ok());
        Self {
            wall_seconds,
            threads: rayon::current_num_threads(),
            load_average,
        }
    }
}

/// The top-level JSON fields of output `path` (relative to the output root) that record the
/// machine, not the result: `--verify` compares the files without them.
pub fn informational_fields(path: &str) -> Option<&'static [&'static str]> {
    let (sweep, fields) = crate::rbm_sweep::INFORMATIONAL;
    if path == sweep {
        Some(fields)
    } else if path.ends_with(&format!("/{CONFIG_FILE}")) {
        Some(&["compute"])
    } else {
        None
    }
}

/// The file each figure's configuration is stored in, inside its directory.
pub const CONFIG_FILE: &str = "config.json";

/// What `config.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredConfig {
    /// The figure's name.
    pub figure: String,
    /// The profile it ran with.
    pub profile: Profile,
    /// SHA-256 of the compact JSON of `{figure, profile, config}`.
    pub config_hash: String,
    /// The data files the computation wrote, relative to the figure directory.
    pub data_files: Vec<String>,
    /// The figure's own configuration.
    pub config: serde_json::Value,
    /// How long the computation took (paper profile only; informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute: Option<ComputeTime>,
}

#[derive(Serialize)]
struct HashedPart<'a> {
    figure: &'a str,
    profile: Profile,
    config: &'a serde_json::Value,
}

impl Context {
    /// A context.
    pub fn new(profile: Profile, out_dir: impl Into<PathBuf>, force: bool) -> Self {
        Context {
            profile,
            out_dir: out_dir.into(),
            force,
            rbm_items: None,
            rbm: std::sync::OnceLock::new(),
            skipped: Default::default(),
            times: Default::default(),
            computed: Default::default(),
        }
    }

    /// Every job run so far with this context, in order.
    pub fn times(&self) -> Vec<JobTime> {
        self.times
            .lock()
            .expect("the time list is never left poisoned")
            .clone()
    }

    /// Marks figure `name` as not run here because `why` (its inputs are missing); its `run`
    /// then returns no outputs, and the files and MANIFEST lines a previous run left are kept
    /// (a fresh clone's first run leaves the tree as it was).
    pub fn skip(&self, name: &str, why: &str) {
        eprintln!("[{name}] skipped: {why}");
        eprintln!(
            "[{name}] its committed outputs in {} and their MANIFEST lines are kept",
            self.out_dir.join(name).display()
        );
        self.skipped
            .lock()
            .expect("the skip list is never left poisoned")
            .push(name.to_owned());
    }

    /// The figures skipped so far ([`Context::skip`]).
    pub fn skipped(&self) -> Vec<String> {
        self.skipped
            .lock()
            .expect("the skip list is never left poisoned")
            .clone()
    }

    /// `<out_dir>/<name>/`, created if missing.
    pub fn figure_dir(&self, name: &str) -> anyhow::Result<PathBuf> {
        let d = self.out_dir.join(name);
        std::fs::create_dir_all(&d).with_context(|| format!("creating {}", d.display()))?;
        Ok(d)
    }

    /// `<out_dir>/<name>/config.json`.
    pub fn config_path(&self, name: &str) -> PathBuf {
        self.out_dir.join(name).join(CONFIG_FILE)
    }

    /// The hash identifying (`name`, profile, `config`).
    pub fn config_hash<C: Serialize>(&self, name: &str, config: &C) -> anyhow::Result<String> {
        let value = serde_json::to_value(config).context("serialising the figure config")?;
        self.hash_value(name, &value)
    }

    fn hash_value(&self, name: &str, value: &serde_json::Value) -> anyhow::Result<String> {
        let bytes = serde_json::to_vec(&HashedPart {
            figure: name,
            profile: self.profile,
            config: value,
        })?;
        Ok(runner::sha256_bytes(&bytes))
    }

    /// Whether the stored results of figure `name` were computed with this exact `config`
    /// (same hash in `config.json`, and every data file it lists still there). Always `false`
    /// with `--force`.
    pub fn cached<C: Serialize>(&self, name: &str, config: &C) -> anyhow::Result<bool> {
        if self.force {
            return Ok(false);
        }
        let path = self.config_path(name);
        if !path.exists() {
            return Ok(false);
        }
        let stored: StoredConfig = match runner::read_json(&path) {
            Ok(s) => s,
            Err(_) => return Ok(false), // unreadable or old format: recompute
        };
        let dir = self.out_dir.join(name);
        Ok(stored.config_hash == self.config_hash(name, config)?
            && stored.data_files.iter().all(|f| dir.join(f).is_file()))
    }

    /// Write `config.json` for figure `name`, listing the data files its computation wrote.
    /// Call it after the data are complete: it is what marks them as valid.
    pub fn store_config<C: Serialize>(
        &self,
        name: &str,
        config: &C,
        data_files: &[PathBuf],
        compute: Option<ComputeTime>,
    ) -> anyhow::Result<PathBuf> {
        let dir = self.figure_dir(name)?;
        let value = serde_json::to_value(config).context("serialising the figure config")?;
        let mut rel = Vec::with_capacity(data_files.len());
        for f in data_files {
            rel.push(runner::relative_path(&dir, f).with_context(|| {
                format!("data file {} is not inside {}", f.display(), dir.display())
            })?);
        }
        let stored = StoredConfig {
            figure: name.to_owned(),
            profile: self.profile,
            config_hash: self.hash_value(name, &value)?,
            data_files: rel,
            config: value,
            compute,
        };
        let path = dir.join(CONFIG_FILE);
        runner::write_json(&path, &stored)?;
        Ok(path)
    }

    /// Run `compute` (which gets the figure directory and returns the data files it wrote)
    /// unless [`Context::cached`] says the stored data match `config`; then store the config.
    /// Returns whether it computed.
    pub fn compute_if_stale<C, F>(&self, name: &str, config: &C, compute: F) -> anyhow::Result<bool>
    where
        C: Serialize,
        F: FnOnce(&Path) -> anyhow::Result<Vec<PathBuf>>,
    {
        if self.cached(name, config)? {
            eprintln!("[{name}] config unchanged, re-plotting from cached data");
            return Ok(false);
        }
        let dir = self.figure_dir(name)?;
        // Invalidate first, so that a crash half-way never leaves a matching config behind.
        let cfg = dir.join(CONFIG_FILE);
        if cfg.exists() {
            std::fs::remove_file(&cfg).with_context(|| format!("removing {}", cfg.display()))?;
        }
        let start = Instant::now();
        let files = compute(&dir)?;
        let time = (self.profile == Profile::Paper)
            .then(|| ComputeTime::measured(start.elapsed().as_secs_f64()));
        self.store_config(name, config, &files, time)?;
        self.computed
            .lock()
            .expect("the computed list is never left poisoned")
            .push(name.to_owned());
        Ok(true)
    }
}

impl Context {
    /// A figure's data, flowing one way: when the configuration changed, `compute` (which gets
    /// the figure directory, writes the data files and returns the data with their paths) runs
    /// and its data are used as they are; otherwise `load` reads the files a previous run wrote.
    /// Nothing written is read back in the same process.
    pub fn data<C, T, F, L>(&self, name: &str, config: &C, compute: F, load: L) -> anyhow::Result<T>
    where
        C: Serialize,
        F: FnOnce(&Path) -> anyhow::Result<(T, Vec<PathBuf>)>,
        L: FnOnce(&Path) -> anyhow::Result<T>,
    {
        let mut fresh = None;
        self.compute_if_stale(name, config, |dir| {
            let (data, files) = compute(dir)?;
            fresh = Some(data);
            Ok(files)
        })?;
        match fresh {
            Some(data) => Ok(data),
            None => load(&self.figure_dir(name)?),
        }
    }
}

/// One figure job: an experiment that writes data and pictures under `<out>/<name>/`.
pub trait Figure: Send + Sync {
    /// Short unique name, also the output sub-directory (`"theory"`, `"fig2"`, ...).
    fn name(&self) -> &'static str;

    /// One line for `--list`.
    fn description(&self) -> &'static str {
        ""
    }

    /// Compute (or reuse cached data), render, and return every file written (all inside
    /// `<out>/<name>/`; `config.json` may be omitted, the runner adds it).
    fn run(&self, ctx: &Context) -> anyhow::Result<Vec<PathBuf>>;

    /// The book's fragments of this job's results ([`crate::numbers`]), rendered from the files
    /// in its directory `dir` (not from memory, so the book test can re-render them from the
    /// committed files); `None` for a job without results to quote.
    fn numbers(&self, _dir: &Path) -> anyhow::Result<Option<String>> {
        Ok(None)
    }
}

/// Every registered figure, in run order. Adding a figure is one line here.
pub fn figures() -> Vec<Box<dyn Figure>> {
    vec![
        Box::new(crate::theory::DysonTheory),
        Box::new(crate::checks::Checks),
        Box::new(crate::ts_fig4::Fig4),
        Box::new(crate::ts_fig5::Fig5),
        Box::new(crate::ts_scaling::TsScaling),
        Box::new(crate::ts_release::TsRelease),
        Box::new(crate::verdicts::Verdicts),
        Box::new(crate::derived::Derived),
        Box::new(crate::analyze_example::AnalyzeExample),
        Box::new(crate::rbm_sweep::RbmSweep),
        Box::new(crate::rbm_figs::Fig2),
        Box::new(crate::rbm_figs::Fig3),
        Box::new(crate::rbm_figs::SurmiseFig),
        Box::new(crate::rbm_figs::RbmExact),
    ]
}

/// The figures named in `only` (in registry order), or all of them for `None`.
/// Unknown names are an error that lists the known ones.
pub fn select<'a>(
    all: &'a [Box<dyn Figure>],
    only: Option<&[String]>,
) -> anyhow::Result<Vec<&'a dyn Figure>> {
    let Some(only) = only else {
        return Ok(all.iter().map(|f| f.as_ref()).collect());
    };
    let known: Vec<&str> = all.iter().map(|f| f.name()).collect();
    for n in only {
        if !known.contains(&n.as_str()) {
            bail!(
                "unknown figure '{n}'; registered figures: {}",
                if known.is_empty() {
                    "(none)".to_owned()
                } else {
                    known.join(", ")
                }
            );
        }
    }
    Ok(all
        .iter()
        .filter(|f| only.iter().any(|n| n == f.name()))
        .map(|f| f.as_ref())
        .collect())
}

/// Run `figs` in order and hash every output into a manifest (paths relative to the output
/// directory). Outputs must exist and lie inside `<out>/<name>/`.
pub fn run_figures(ctx: &Context, figs: &[&dyn Figure]) -> anyhow::Result<Manifest> {
    std::fs::create_dir_all(&ctx.out_dir)
        .with_context(|| format!("creating {}", ctx.out_dir.display()))?;
    let mut manifest = Manifest::new();
    for fig in figs {
        let name = fig.name();
        let start = Instant::now();
        eprintln!("[{name}] running ({} profile)", ctx.profile);
        let mut outputs = fig
            .run(ctx)
            .with_context(|| format!("figure '{name}' failed"))?;
        if ctx.skipped().iter().any(|s| s == name) {
            continue;
        }
        let cfg = ctx.config_path(name);
        if cfg.is_file() && !outputs.iter().any(|p| same_file(p, &cfg)) {
            outputs.push(cfg);
        }
        let fig_dir = ctx.out_dir.join(name);
        for p in &outputs {
            let rel = runner::relative_path(&fig_dir, p).with_context(|| {
                format!(
                    "figure '{name}' returned {} outside its directory {}",
                    p.display(),
                    fig_dir.display()
                )
            })?;
            if !p.is_file() {
                bail!("figure '{name}' returned {rel}, which does not exist");
            }
            manifest.add_file(&ctx.out_dir, p)?;
        }
        if let Some(md) = crate::numbers::render(*fig, &fig_dir)? {
            let path = fig_dir.join(crate::numbers::FILE);
            runner::write_atomic(&path, md.as_bytes())?;
            manifest.add_file(&ctx.out_dir, &path)?;
            outputs.push(path);
        }
        let seconds = start.elapsed().as_secs_f64();
        eprintln!("[{name}] done: {} files in {seconds:.1} s", outputs.len());
        let computed = ctx
            .computed
            .lock()
            .expect("the computed list is never left poisoned")
            .iter()
            .any(|c| c == name);
        ctx.times
            .lock()
            .expect("the time list is never left poisoned")
            .push(JobTime {
                name: name.to_owned(),
                seconds,
                computed,
            });
    }
    Ok(manifest)
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// Whether a manifest path belongs to one of the figures `names`.
pub fn belongs_to(path: &str, names: &[&str]) -> bool {
    names.iter().any(|n| {
        path.strip_prefix(n)
            .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// Write `<out>/MANIFEST`. With `only` (a partial run), entries of the other figures in an
/// existing manifest are kept and those of the figures that ran are replaced; entries of
/// skipped figures ([`Context::skip`]) are always kept.
pub fn write_manifest(
    ctx: &Context,
    manifest: &Manifest,
    ran: &[&str],
    partial: bool,
) -> anyhow::Result<PathBuf> {
    let path = ctx.out_dir.join(MANIFEST_FILE);
    let skipped = ctx.skipped();
    let skipped: Vec<&str> = skipped.iter().map(String::as_str).collect();
    let mut m = if (partial || !skipped.is_empty()) && path.exists() {
        let mut old = Manifest::read(&path)?;
        old.retain(|p| belongs_to(p, &skipped) || (partial && !belongs_to(p, ran)));
        old
    } else {
        Manifest::new()
    };
    m.merge(manifest);
    m.write(&path)?;
    Ok(path)
}

/// The profile recorded in `<out>/<name>/config.json`, if readable.
pub fn stored_profile(out_dir: &Path, name: &str) -> Option<Profile> {
    runner::read_json::<StoredConfig>(out_dir.join(name).join(CONFIG_FILE))
        .ok()
        .map(|s| s.profile)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Serialize)]
    struct Cfg {
        n: usize,
    }

    struct Dummy {
        computed: AtomicUsize,
    }

    impl Figure for Dummy {
        fn name(&self) -> &'static str {
            "dummy"
        }
        fn run(&self, ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
            let cfg = Cfg {
                n: match ctx.profile {
                    Profile::Paper => 100,
                    Profile::Quick => 10,
                },
            };
            let dir = ctx.figure_dir(self.name())?;
            ctx.compute_if_stale(self.name(), &cfg, |dir| {
                self.computed.fetch_add(1, Ordering::SeqCst);
                let p = dir.join("samples.csv");
                runner::write_csv(&p, &["i"], (0..cfg.n).map(|i| vec![i as f64]))?;
                Ok(vec![p])
            })?;
            let t = runner::read_csv(dir.join("samples.csv"))?;
            let p = dir.join("summary.json");
            runner::write_json(&p, &serde_json::json!({"rows": t.rows.len()}))?;
            Ok(vec![dir.join("samples.csv"), p])
        }
    }

    #[test]
    fn caching_and_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let fig = Dummy {
            computed: AtomicUsize::new(0),
        };
        let ctx = Context::new(Profile::Quick, dir.path(), false);
        let m1 = run_figures(&ctx, &[&fig]).unwrap();
        assert_eq!(fig.computed.load(Ordering::SeqCst), 1);
        let names: Vec<&str> = m1.entries().map(|(p, _)| p).collect();
        assert_eq!(
            names,
            vec![
                "dummy/config.json",
                "dummy/samples.csv",
                "dummy/summary.json"
            ]
        );
        // Same config: cached, identical outputs.
        let m2 = run_figures(&ctx, &[&fig]).unwrap();
        assert_eq!(fig.computed.load(Ordering::SeqCst), 1);
        assert_eq!(m1, m2);
        // --force recomputes, still identical.
        let forced = Context::new(Profile::Quick, dir.path(), true);
        assert_eq!(run_figures(&forced, &[&fig]).unwrap(), m1);
        assert_eq!(fig.computed.load(Ordering::SeqCst), 2);
        // Another profile changes the config hash.
        let paper = Context::new(Profile::Paper, dir.path(), false);
        let m3 = run_figures(&paper, &[&fig]).unwrap();
        assert_eq!(fig.computed.load(Ordering::SeqCst), 3);
        assert_ne!(m3.get("dummy/samples.csv"), m1.get("dummy/samples.csv"));
        assert_eq!(stored_profile(dir.path(), "dummy"), Some(Profile::Paper));
        // A deleted data file invalidates the cache.
        std::fs::remove_file(dir.path().join("dummy/samples.csv")).unwrap();
        run_figures(&paper, &[&fig]).unwrap();
        assert_eq!(fig.computed.load(Ordering::SeqCst), 4);

        // Partial manifest writes keep the other figures' entries.
        let mut other = Manifest::new();
        other.insert("other/a.png", "a".repeat(64));
        write_manifest(&ctx, &other, &["other"], false).unwrap();
        write_manifest(&ctx, &m3, &["dummy"], true).unwrap();
        let m = Manifest::read(dir.path().join(MANIFEST_FILE)).unwrap();
        assert_eq!(m.len(), 4);
        assert!(m.get("other/a.png").is_some());
    }

    #[test]
    fn computations_are_timed_in_the_paper_profile_only() {
        let dir = tempfile::tempdir().unwrap();
        let fig = Dummy {
            computed: AtomicUsize::new(0),
        };
        let stored = |p: &Path| -> StoredConfig {
            runner::read_json(p.join("dummy").join(CONFIG_FILE)).unwrap()
        };
        let quick = Context::new(Profile::Quick, dir.path(), false);
        run_figures(&quick, &[&fig]).unwrap();
        assert!(stored(dir.path()).compute.is_none());
        let t = quick.times();
        assert_eq!((t.len(), t[0].computed), (1, true));
        let paper = Context::new(Profile::Paper, dir.path(), false);
        run_figures(&paper, &[&fig]).unwrap();
        let c = stored(dir.path()).compute.expect("timed");
        assert!(c.wall_seconds >= 0.0 && c.threads >= 1);
        // Re-plotting keeps the recorded time and says it did not compute.
        let again = Context::new(Profile::Paper, dir.path(), false);
        run_figures(&again, &[&fig]).unwrap();
        assert_eq!(
            stored(dir.path()).compute.unwrap().wall_seconds,
            c.wall_seconds
        );
        assert!(!again.times()[0].computed);
        // `--verify` ignores the time of every config.json and the sweep's machine fields only.
        assert_eq!(
            informational_fields("fig2/config.json"),
            Some(&["compute"][..])
        );
        assert!(informational_fields("rbm/sweep.json").is_some());
        assert_eq!(informational_fields("fig2/summary.json"), None);
    }

    /// A figure whose inputs are missing here.
    struct Skipping;

    impl Figure for Skipping {
        fn name(&self) -> &'static str {
            "skipping"
        }
        fn run(&self, ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
            ctx.skip(self.name(), "its inputs are not here");
            Ok(Vec::new())
        }
    }

    /// A skipped figure keeps its committed files and MANIFEST lines (config.json included) in a
    /// full run: a first run without the released files leaves the tree as it was.
    #[test]
    fn a_skipped_figure_keeps_its_outputs_and_manifest_lines() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = Context::new(Profile::Quick, dir.path(), false);
        let kept = ctx.figure_dir("skipping").unwrap();
        runner::write_json(kept.join(CONFIG_FILE), &serde_json::json!({"old": 1})).unwrap();
        runner::write_json(kept.join("summary.json"), &serde_json::json!({"x": 1})).unwrap();
        let mut old = Manifest::new();
        old.insert("skipping/config.json", "a".repeat(64));
        old.insert("skipping/summary.json", "b".repeat(64));
        old.insert("gone/x.csv", "c".repeat(64));
        old.write(dir.path().join(MANIFEST_FILE)).unwrap();

        let fig = Dummy {
            computed: AtomicUsize::new(0),
        };
        let figs: [&dyn Figure; 2] = [&fig, &Skipping];
        let m = run_figures(&ctx, &figs).unwrap();
        assert_eq!(ctx.skipped(), vec!["skipping".to_owned()]);
        assert!(m.entries().all(|(p, _)| !p.starts_with("skipping/")));
        write_manifest(&ctx, &m, &["dummy", "skipping"], false).unwrap();
        let written = Manifest::read(dir.path().join(MANIFEST_FILE)).unwrap();
        assert_eq!(
            written.get("skipping/config.json"),
            Some("a".repeat(64).as_str())
        );
        assert_eq!(
            written.get("skipping/summary.json"),
            Some("b".repeat(64).as_str())
        );
        assert_eq!(
            written.get("gone/x.csv"),
            None,
            "a full run drops what no figure wrote"
        );
        assert!(written.get("dummy/samples.csv").is_some());
        assert!(kept.join("summary.json").is_file());
    }

    #[test]
    fn selection() {
        let all: Vec<Box<dyn Figure>> = vec![Box::new(Dummy {
            computed: AtomicUsize::new(0),
        })];
        assert_eq!(select(&all, None).unwrap().len(), 1);
        assert_eq!(select(&all, Some(&["dummy".into()])).unwrap().len(), 1);
        let e = select(&all, Some(&["nope".into()]))
            .err()
            .expect("unknown name");
        assert!(e.to_string().contains("dummy"));
        assert!(belongs_to("dummy/x.png", &["dummy"]));
        assert!(!belongs_to("dummy2/x.png", &["dummy"]));
    }

    #[test]
    fn registered_names_are_unique() {
        let figs = figures();
        let mut names: Vec<&str> = figs.iter().map(|f| f.name()).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n, "duplicate figure names");
    }
}
