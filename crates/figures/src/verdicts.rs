//! The book's worked verdicts of `rmt-sgd analyze` (registered as `verdicts`): real SGD runs of
//! the companion paper's teacher-student model analysed exactly as `analyze --scaling` does
//! ([`crate::analyze::scaling_of`]), one scan where the linear scaling rule holds and one where
//! it is rejected, and a measurement of the two estimators of σ at small ensembles.
//!
//! * **Batch-size scan** at α = 0.1, |B| = 16 … 256: x = √(α·noise²/|B|) over a factor 4; the
//!   rule holds.
//! * **Learning-rate scan** at |B| = 16 up to α = 1.6: the discrete step is no longer small,
//!   the widths grow faster than √α and the rule is rejected.
//! * **Estimators**: exact Eq (11) pairs (an N = 2 GOE, σ = 1) of n networks, many replicas:
//!   the mean relative bias of the least-squares σ (the authors' histogram fit) and of maximum
//!   likelihood, and how their quoted errors compare with their actual scatter.

use std::path::{Path, PathBuf};

use coulomb_gas::goe_sample;
use langevin_core::{ordered::try_par_map, stream};
use release_data::ensemble::{Ensemble, ReadOptions};
use serde::{Deserialize, Serialize};
use spectral::moments::{mean, sd};
use spectral::{analyse_peak, PeakOptions, ScalingReport};
use teacher_student::{Model, Record};

use crate::analyze::{scaling_of, scaling_pngs, AnalyzeOptions};
use crate::registry::{Context, Figure, Profile};
use runner::{read_json, write_csv, write_json};

/// The figure job.
pub struct Verdicts;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Scan {
    name: String,
    lr: Vec<f64>,
    batch: Vec<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Config {
    version: u32,
    seed: u64,
    noise: f64,
    networks: usize,
    bootstrap: usize,
    scans: Vec<Scan>,
    bias_networks: Vec<usize>,
    bias_replicas: usize,
}

impl Config {
    fn for_profile(p: Profile) -> Self {
        let (networks, bootstrap, bias_replicas) = match p {
            Profile::Paper => (400, 200, 400),
            Profile::Quick => (60, 20, 30),
        };
        Config {
            version: 1,
            seed: 20261202,
            noise: 0.1,
            networks,
            bootstrap,
            scans: vec![
                Scan {
                    name: "batch_scan".into(),
                    lr: vec![0.1; 5],
                    batch: vec![16, 32, 64, 128, 256],
                },
                Scan {
                    name: "lr_scan".into(),
                    lr: vec![0.1, 0.4, 0.8, 1.2, 1.6],
                    batch: vec![16; 5],
                },
            ],
            bias_networks: vec![15, 30, 50, 100, 300, 1000],
            bias_replicas,
        }
    }
}

/// One scan's verdict as stored (what the book and the picture use).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ScanResult {
    name: String,
    abscissa: String,
    x: Vec<f64>,
    scaling: ScalingReport,
}

/// The estimators at one ensemble size.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Bias {
    networks: usize,
    replicas: usize,
    /// Replicas whose least-squares fit failed.
    ls_failed: usize,
    /// Mean of σ̂/σ − 1 (least squares, over the replicas where it converged).
    ls_bias: f64,
    /// Its standard error.
    ls_bias_err: f64,
    /// Mean quoted standard error over the actual standard deviation of σ̂.
    ls_err_ratio: f64,
    /// The same by maximum likelihood.
    ml_bias: f64,
    ml_bias_err: f64,
    ml_err_ratio: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Summary {
    profile: Profile,
    config: Config,
    scans: Vec<ScanResult>,
    estimators: Vec<Bias>,
}

/// The networks of one configuration: final singular values, ascending.
fn ensemble(cfg: &Config, lr: f64, batch: usize) -> anyhow::Result<Ensemble> {
    let hyper = Model::Released.hyper(lr, cfg.noise, batch);
    let run = Model::Released.run(hyper, cfg.seed, 0)?;
    let spectra = try_par_map(cfg.networks as u64, |k| {
        run.member(k, Record::Final).map(|m| m.singular_values())
    })?;
    Ok(Ensemble {
        path: PathBuf::from(format!("lr{lr}_bs{batch}")),
        shape: vec![cfg.networks, 2],
        kind: "spectra",
        snapshot: None,
        spectra,
        lr: Some(lr),
        batch: Some(batch as f64),
        noise: Some(cfg.noise),
    })
}

fn options(cfg: &Config) -> AnalyzeOptions {
    AnalyzeOptions {
        // Not read from files; these only name the spectrum in the report.
        read: ReadOptions::default(),
        targets: None,
        sigma0: None,
        bootstrap: cfg.bootstrap,
        seed: cfg.seed,
        bootstrap_label: "verdicts".into(),
        lr: None,
        batch: None,
        plots: None,
        keep_outliers: false,
    }
}

fn scan(cfg: &Config, s: &Scan) -> anyhow::Result<ScanResult> {
    let ensembles =
        s.lr.iter()
            .zip(&s.batch)
            .map(|(&lr, &b)| ensemble(cfg, lr, b))
            .collect::<anyhow::Result<Vec<_>>>()?;
    let out = scaling_of(&ensembles, &options(cfg))?;
    let x =
        s.lr.iter()
            .zip(&s.batch)
            .map(|(lr, b)| (lr * cfg.noise * cfg.noise / *b as f64).sqrt())
            .collect();
    Ok(ScanResult {
        name: s.name.clone(),
        abscissa: out.scaling.abscissa.to_string(),
        x,
        scaling: out.scaling.report,
    })
}

// ANCHOR: estimator_bias
/// σ̂/σ − 1 of both estimators over `replicas` ensembles of `n` exact Eq (11) pairs (σ = 1).
fn bias(cfg: &Config, n: usize) -> anyhow::Result<Bias> {
    let o = PeakOptions {
        bootstrap: 0,
        ..PeakOptions::default()
    };
    let fits = try_par_map(cfg.bias_replicas as u64, |r| {
        let mut rng = stream(cfg.seed, &format!("verdicts/estimators/n={n}"), r);
        let rows = (0..n)
            .map(|_| goe_sample(2, 1.0, &mut rng))
            .collect::<Result<Vec<_>, _>>()?;
        let p = analyse_peak(&rows, &[0, 1], None, &o)?;
        let ls = p.fit.as_ref().map(|f| (f.sigma, f.sigma_stderr));
        let ml = p.ml.as_ref().map(|m| (m.params[1], m.stderr[1]));
        Ok::<_, anyhow::Error>((ls, ml))
    })?;
    let stats = |v: Vec<(f64, f64)>| {
        let est: Vec<f64> = v.iter().map(|p| p.0 - 1.0).collect();
        let quoted: Vec<f64> = v.iter().map(|p| p.1).collect();
        let spread = sd(&est);
        (
            mean(&est),
            spread / (est.len() as f64).sqrt(),
            mean(&quoted) / spread,
        )
    };
    let ls: Vec<(f64, f64)> = fits.iter().filter_map(|f| f.0).collect();
    let ml: Vec<(f64, f64)> = fits.iter().filter_map(|f| f.1).collect();
    let ls_failed = fits.len() - ls.len();
    let (ls_bias, ls_bias_err, ls_err_ratio) = stats(ls);
    let (ml_bias, ml_bias_err, ml_err_ratio) = stats(ml);
    Ok(Bias {
        networks: n,
        replicas: fits.len(),
        ls_failed,
        ls_bias,
        ls_bias_err,
        ls_err_ratio,
        ml_bias,
        ml_bias_err,
        ml_err_ratio,
    })
}
// ANCHOR_END: estimator_bias

fn pct(v: f64, e: f64) -> String {
    format!("{:+.1} ± {:.1} %", 100.0 * v, 100.0 * e)
}

/// The tables the book includes (`numbers.md`).
fn numbers_md(s: &Summary) -> String {
    use crate::numbers::{sig, table, ve, Numbers};
    let mut rows = Vec::new();
    for r in &s.scans {
        let (lo, hi) =
            r.x.iter()
                .fold((f64::INFINITY, 0.0f64), |(a, b), &x| (a.min(x), b.max(x)));
        for f in &r.scaling.fits {
            rows.push(vec![
                format!("`{}`", r.name),
                format!("{lo:.4}–{hi:.4}"),
                ve(f.exponent.value, f.exponent.err_scaled),
                ve(f.slope.value, f.slope.stderr_scaled.max(f.slope.stderr)),
                format!("{} ({} dof)", sig(f.slope.chi2_dof, 3), f.slope.dof),
                format!("**{}**", f.verdict.linear_scaling),
            ]);
        }
    }
    let mut verdicts = table(
        &[
            "scan",
            "x range",
            "exponent p",
            "slope a (scaled error)",
            "χ²/dof of σ = a·x",
            "verdict",
        ],
        &rows,
    );
    verdicts.push('\n');
    for r in &s.scans {
        verdicts.push_str(&format!(
            "- `{}`: **{}**: {}\n",
            r.name, r.scaling.linear_scaling, r.scaling.reason
        ));
    }
    let rows: Vec<Vec<String>> = s
        .estimators
        .iter()
        .map(|b| {
            vec![
                format!("{} ({})", b.networks, 2 * b.networks),
                pct(b.ls_bias, b.ls_bias_err),
                format!("{:.2}", b.ls_err_ratio),
                format!("{} of {}", b.ls_failed, b.replicas),
                pct(b.ml_bias, b.ml_bias_err),
                format!("{:.2}", b.ml_err_ratio),
            ]
        })
        .collect();
    Numbers::default()
        .block("verdicts", &verdicts)
        .block(
            "estimators",
            &table(
                &[
                    "networks (pooled samples)",
                    "least squares: bias of σ",
                    "quoted/actual error",
                    "failed fits",
                    "maximum likelihood: bias of σ",
                    "quoted/actual error",
                ],
                &rows,
            ),
        )
        .finish()
}

const SUMMARY: &str = "summary.json";
const ESTIMATORS: &str = "estimators.csv";

impl Figure for Verdicts {
    fn name(&self) -> &'static str {
        "verdicts"
    }

    fn description(&self) -> &'static str {
        "analyze --scaling verdicts on teacher-student scans (holds / rejected) and the estimators' small-sample bias"
    }

    fn numbers(&self, dir: &Path) -> anyhow::Result<Option<String>> {
        Ok(Some(numbers_md(&read_json(dir.join(SUMMARY))?)))
    }

    fn run(&self, ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
        let cfg = Config::for_profile(ctx.profile);
        let dir = ctx.figure_dir(self.name())?;
        let summary: Summary = ctx.data(
            self.name(),
            &cfg,
            |dir: &Path| {
                let scans = cfg
                    .scans
                    .iter()
                    .map(|s| scan(&cfg, s))
                    .collect::<anyhow::Result<Vec<_>>>()?;
                let estimators = cfg
                    .bias_networks
                    .iter()
                    .map(|&n| bias(&cfg, n))
                    .collect::<anyhow::Result<Vec<_>>>()?;
                let s = Summary {
                    profile: ctx.profile,
                    config: cfg.clone(),
                    scans,
                    estimators,
                };
                write_json(dir.join(SUMMARY), &s)?;
                write_csv(
                    dir.join(ESTIMATORS),
                    &[
                        "networks",
                        "replicas",
                        "ls_failed",
                        "ls_bias",
                        "ls_bias_err",
                        "ls_err_ratio",
                        "ml_bias",
                        "ml_bias_err",
                        "ml_err_ratio",
                    ],
                    s.estimators.iter().map(|b| {
                        vec![
                            b.networks as f64,
                            b.replicas as f64,
                            b.ls_failed as f64,
                            b.ls_bias,
                            b.ls_bias_err,
                            b.ls_err_ratio,
                            b.ml_bias,
                            b.ml_bias_err,
                            b.ml_err_ratio,
                        ]
                    }),
                )?;
                Ok((s, vec![dir.join(SUMMARY), dir.join(ESTIMATORS)]))
            },
            |dir| Ok(read_json(dir.join(SUMMARY))?),
        )?;
        let mut files = vec![dir.join(SUMMARY), dir.join(ESTIMATORS)];
        for r in &summary.scans {
            let sub = dir.join(&r.name);
            std::fs::create_dir_all(&sub)?;
            for p in scaling_pngs(&r.scaling, &r.x, &r.abscissa, &sub)? {
                files.push(PathBuf::from(p));
            }
        }
        Ok(files)
    }
}
