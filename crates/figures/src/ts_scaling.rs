//! The linear scaling rule for the companion paper's teacher-student model, re-simulated: √π σ
//! and ⟨S⟩ against √(α·noise²/|B|) on the authors' 16-point grid (noise, α and |B| scans; the
//! shared α = 0.1, noise 0.1, |B| = 16 configuration counted in each scan, as the authors do).
//!
//! Per configuration: 3000 networks (paper profile) of the released protocol, the authors'
//! analysis (σ of Eq 11 from the Freedman–Diaconis histogram of both ξ pooled, ⟨S⟩ from the
//! binned spacing histogram), bootstrap errors over networks. Global slope fits y = a·x
//! (`LineThroughOrigin`) weighted by the bootstrap errors, with the true χ²/dof. The same fit
//! against the linear-response width σ_lin (Eq 9 with its finite-α and minibatch corrections)
//! shows how much of the deviation from the linear law the finite step explains.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use release_data::ts::{released_configs, ReleasedConfig};
use serde::{Deserialize, Serialize};
use teacher_student::{Model, Record};

use crate::plot::{Axes, Curve, Grid, Panel, ScatterPlot, ScatterSeries};
use crate::registry::{Context, Figure, Profile};
use crate::style;
use crate::ts_common::{analyse, scale, series_code, series_label, sigma_linear};
use crate::Plot;
use runner::{read_csv, read_json, write_csv, write_json};
use runner::{Finished, Plan};
use spectral::{slope_fit, Slope};

/// The scaling figure (registered as `ts_scaling`).
pub struct TsScaling;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Config {
    /// Bumped when the outputs change form (invalidates cached data).
    version: u32,
    seed: u64,
    seeds: usize,
    epochs: usize,
    bootstrap: usize,
    grid: Vec<ReleasedConfig>,
}

impl Config {
    fn for_profile(p: Profile) -> Self {
        let (seeds, epochs, bootstrap) = match p {
            Profile::Paper => (3000, 10, 200),
            Profile::Quick => (300, 2, 30),
        };
        Config {
            version: 2,
            seed: 20240813,
            seeds,
            epochs,
            bootstrap,
            grid: released_configs(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Fits {
    /// √π σ = a·√(α noise²/|B|).
    sqrt_pi_sigma: Slope,
    /// ⟨S⟩ = a·√(α noise²/|B|).
    mean_spacing: Slope,
    /// √π σ = a·√π σ_lin (linear response).
    sqrt_pi_sigma_vs_linear: Slope,
    /// ⟨S⟩ = a·√π σ_lin.
    mean_spacing_vs_linear: Slope,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Summary {
    profile: Profile,
    config: Config,
    fits: Fits,
    notes: Vec<String>,
}

const COLUMNS: [&str; 12] = [
    "series",
    "lr",
    "noise",
    "batch",
    "x",
    "sigma",
    "sigma_err",
    "sqrt_pi_sigma",
    "mean_spacing",
    "mean_spacing_err",
    "sigma_lin",
    "bins",
];

fn fits(rows: &[Vec<f64>]) -> anyhow::Result<Fits> {
    let col = |k: usize| rows.iter().map(|r| r[k]).collect::<Vec<f64>>();
    let sp = std::f64::consts::PI.sqrt();
    let x = col(4);
    let y_sig: Vec<f64> = col(5).iter().map(|s| sp * s).collect();
    let e_sig: Vec<f64> = col(6).iter().map(|s| sp * s).collect();
    let y_s = col(8);
    let e_s = col(9);
    let x_lin: Vec<f64> = col(10).iter().map(|s| sp * s).collect();
    Ok(Fits {
        sqrt_pi_sigma: slope_fit(&x, &y_sig, &e_sig)?,
        mean_spacing: slope_fit(&x, &y_s, &e_s)?,
        sqrt_pi_sigma_vs_linear: slope_fit(&x_lin, &y_sig, &e_sig)?,
        mean_spacing_vs_linear: slope_fit(&x_lin, &y_s, &e_s)?,
    })
}

/// The resume journal of the ensembles, inside `<out>/ts_scaling/` (removed once the data are
/// written).
pub const JOURNAL_FILE: &str = "ensembles.journal";

/// The distinct configurations of the grid, in order of first appearance (the shared one
/// appears in all three scans and is simulated once).
fn distinct(grid: &[ReleasedConfig]) -> Vec<&ReleasedConfig> {
    let mut out: Vec<&ReleasedConfig> = Vec::new();
    for c in grid {
        if !out.iter().any(|d| d.stem() == c.stem()) {
            out.push(c);
        }
    }
    out
}

/// The ensemble of one configuration: network k is `member(k, Record::Final)`.
fn ensemble(
    cfg: &Config,
    c: &ReleasedConfig,
) -> Result<teacher_student::Run<2, 2>, teacher_student::TsError> {
    let mut h = Model::Released.hyper(c.lr, c.noise, c.batch);
    h.epochs = cfg.epochs;
    Model::Released.run(h, cfg.seed, 0)
}

/// A configuration's columns `x` to `bins` of `points.csv`, from its networks' `[ξ₁, ξ₂]`.
fn analysed(cfg: &Config, c: &ReleasedConfig, pairs: &[[f64; 2]]) -> anyhow::Result<Vec<f64>> {
    let p = analyse(pairs, c, cfg.bootstrap, cfg.seed, "ts_scaling")?;
    Ok(vec![
        scale(c),
        p.sigma,
        p.sigma_err,
        std::f64::consts::PI.sqrt() * p.sigma,
        p.mean_spacing,
        p.s_err,
        sigma_linear(c)?,
        p.bins as f64,
    ])
}

/// The `points.csv` row of grid entry `c` from its analysed columns.
fn point_row(c: &ReleasedConfig, analysed: &[f64]) -> Vec<f64> {
    let mut row = vec![series_code(c), c.lr, c.noise, c.batch as f64];
    row.extend_from_slice(analysed);
    row
}

/// Distinct configurations of the profile's grid (each a whole ensemble).
pub(crate) fn configurations(profile: Profile) -> usize {
    distinct(&Config::for_profile(profile).grid).len()
}

/// Re-trains every network of distinct configuration `d` alone and analyses it as the figure
/// does: `(row, values)` for each row of `points.csv` it fills (for `all --verify-paper`; a row
/// is a statistic of the whole ensemble, so the unit of the check is a configuration).
pub(crate) fn retrain_configuration(
    profile: Profile,
    d: usize,
) -> anyhow::Result<Vec<(usize, Vec<f64>)>> {
    let cfg = Config::for_profile(profile);
    let configs = distinct(&cfg.grid);
    let c = *configs
        .get(d)
        .with_context(|| format!("ts_scaling has no configuration {d}"))?;
    let run = ensemble(&cfg, c)?;
    let label = format!("ts_scaling {}", c.stem());
    let pairs = runner::par_items(&label, cfg.seeds, |k| {
        let xi = run.member(k, Record::Final)?.singular_values();
        Ok([xi[0], xi[1]])
    })?;
    let values = analysed(&cfg, c, &pairs)?;
    Ok(cfg
        .grid
        .iter()
        .enumerate()
        .filter(|(_, g)| g.stem() == c.stem())
        .map(|(i, g)| (i, point_row(g, &values)))
        .collect())
}

/// Trains every network of the figure, resuming from (and appending to) `journal`: item `i` is
/// network `i mod seeds` of distinct configuration `⌊i/seeds⌋`, its record the final singular
/// values `[ξ₁, ξ₂]`.
fn ensembles(cfg: &Config, journal: &Path) -> anyhow::Result<Networks> {
    let configs = distinct(&cfg.grid);
    let runs = configs
        .iter()
        .map(|c| ensemble(cfg, c))
        .collect::<Result<Vec<_>, _>>()?;
    let seeds = cfg.seeds.max(1) as u64;
    let key = |i: u64| i / seeds;
    let cost = |_: u64| 1;
    let plan = Plan {
        label: "ts_scaling",
        journal: journal.to_path_buf(),
        params: serde_json::json!({ "sweep": "figures ts_scaling", "config": cfg }),
        items: 0..configs.len() as u64 * cfg.seeds as u64,
        group: 8,
        key: &key,
        cost: &cost,
    };
    runner::run(&plan, |r| {
        let run = &runs[(r.start / seeds) as usize];
        r.map(|i| Ok(run.member(i % seeds, Record::Final)?.singular_values()))
            .collect()
    })
}

/// The finished networks: per item, the final `[ξ₁, ξ₂]`.
type Networks = Finished<Vec<f64>>;

/// The rows of `points.csv`, from the ensembles (trained or resumed from `journal`); the
/// caller removes the journal once the outputs are written.
fn compute(cfg: &Config, journal: &Path) -> anyhow::Result<(Vec<Vec<f64>>, Networks)> {
    let done = ensembles(cfg, journal)?;
    eprintln!("{}", done.log_line("ts_scaling"));
    let mut cache: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let networks = done.items.chunks(cfg.seeds.max(1));
    for (c, nets) in distinct(&cfg.grid).into_iter().zip(networks) {
        let pairs: Vec<[f64; 2]> = nets.iter().map(|(_, xi)| [xi[0], xi[1]]).collect();
        cache.insert(c.stem(), analysed(cfg, c, &pairs)?);
    }
    let rows = cfg
        .grid
        .iter()
        .map(|c| point_row(c, &cache[&c.stem()]))
        .collect();
    Ok((rows, done))
}

fn notes(cfg: &Config) -> Vec<String> {
    vec![
        format!(
            "Released model (Z = 1, W_t = 2*1, quenched inputs shared by all seeds and quenched per-datum GOE-like \
             noise per seed, 500 minibatches/epoch in fixed order, init N(0, 0.1^2)), {} networks per configuration, \
             {} epochs, our own seeds (input draw run = 0).",
            cfg.seeds, cfg.epochs
        ),
        "sigma: Eq (11) least squares on the Freedman-Diaconis histogram of both singular values pooled, \
         p0 = [2, sqrt(lr noise^2/bs)]; <S>: count-weighted mean of the FD bin centres of |xi_1 - xi_2|. \
         Errors: bootstrap over networks."
            .into(),
        "Slope fits: y = a x weighted by the bootstrap errors; chi2_dof is the true chi^2/dof, \
         authors_pseudo_chi2_dof the quantity the authors printed (sum r^2/err). 16 points, the shared \
         configuration counted in each of the three scans as in the authors' fit."
            .into(),
        "x_lin = sqrt(pi) sigma_lin with sigma_lin^2 = <dxi^2>/1.5 of the linear-response law: Eq (9) including the \
         finite-alpha factor ~1/(1 - alpha/2) and the minibatch-covariance term, which grow along the alpha scan."
            .into(),
        "The bootstrap errors are within one data set. Each configuration uses one quenched data set shared by \
         all its networks, and the width fluctuates from data set to data set by more than the bootstrap error \
         (up to ~10% at alpha = 0.5 or |B| = 4): that scatter, not the error bars, dominates chi2_dof here. \
         ts_release measures it with repeated input draws and fits with it included (chi^2/dof ~ 1 against \
         the linear-response width)."
            .into(),
    ]
}

/// The two panels: y/x against x, so the slope fit is a horizontal line and the bootstrap
/// error bars (under 1 % of y, invisible on a plot of y against x) can be seen.
fn plot_panels(rows: &[Vec<f64>], f: &Fits) -> (ScatterPlot, ScatterPlot) {
    let sp = std::f64::consts::PI.sqrt();
    let xmax = rows.iter().map(|r| r[4]).fold(0.0f64, f64::max) * 1.08;
    let make = |ycol: usize, ecol: usize, factor: f64, slope: &Slope, ylab: &str, title: &str| {
        let mut series = Vec::new();
        for code in 0..3 {
            let pts: Vec<&Vec<f64>> = rows.iter().filter(|r| r[0] as usize == code).collect();
            series.push(
                ScatterSeries::new(
                    series_label(code),
                    pts.iter().map(|r| r[4]).collect(),
                    pts.iter().map(|r| factor * r[ycol] / r[4]).collect(),
                )
                .yerr(pts.iter().map(|r| factor * r[ecol] / r[4]).collect())
                .color(style::color(code))
                .marker(style::marker(code)),
            );
        }
        series.push(
            ScatterSeries::new(
                "√π σₗᵢₙ (linear response)",
                rows.iter().map(|r| r[4]).collect(),
                rows.iter().map(|r| sp * r[10] / r[4]).collect(),
            )
            .color(style::GREY)
            .marker(style::Marker::OpenCircle),
        );
        let a = slope.value;
        // Room above the points for the legend.
        let ys = series.iter().flat_map(|s| s.y.iter().copied());
        let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), y| {
            (l.min(y), h.max(y))
        });
        let span = hi - lo;
        ScatterPlot {
            axes: Axes {
                title: Some(title.into()),
                x_label: "x = √(α·noise²/|B|)".into(),
                y_label: format!("{ylab} / x"),
                x_range: Some((0.0, xmax)),
                y_range: Some((lo - 0.1 * span, hi + 0.8 * span)),
                ..Default::default()
            },
            series,
            curves: vec![Curve::from_fn(
                format!(
                    "fit {ylab} = a·x: a = {:.3} ± {:.3} (error ×√(χ²/dof)), χ²/dof = {:.1}",
                    a,
                    slope.stderr_scaled.max(slope.stderr),
                    slope.chi2_dof
                ),
                (0.0, xmax),
                2,
                move |_| a,
            )
            .dashed()
            .color(style::BLACK)],
        }
    };
    (
        make(
            5,
            6,
            sp,
            &f.sqrt_pi_sigma,
            "√π σ",
            "width: √π σ over the predicted scale x",
        ),
        make(
            8,
            9,
            1.0,
            &f.mean_spacing,
            "⟨S⟩",
            "spacing: ⟨S⟩ over the predicted scale x",
        ),
    )
}

impl Figure for TsScaling {
    fn name(&self) -> &'static str {
        "ts_scaling"
    }

    fn description(&self) -> &'static str {
        "Released teacher-student model re-simulated: √π σ and ⟨S⟩ vs √(α noise²/|B|) with slope fits"
    }

    fn numbers(&self, dir: &Path) -> anyhow::Result<Option<String>> {
        use crate::numbers::{int, sig, slope_cells, table, Json, Numbers};
        let j = Json::read(dir, "summary.json")?;
        let mut n = Numbers::default();
        let mut rows = Vec::new();
        for (key, label) in [
            ("sqrt_pi_sigma", "√π σ against √(α·noise²/\\|B\\|)"),
            ("mean_spacing", "⟨S⟩ against √(α·noise²/\\|B\\|)"),
            ("sqrt_pi_sigma_vs_linear", "√π σ against √π σ<sub>lin</sub>"),
            ("mean_spacing_vs_linear", "⟨S⟩ against √π σ<sub>lin</sub>"),
        ] {
            let ptr = format!("/fits/{key}");
            let c = slope_cells(&j, &ptr)?;
            let pseudo = sig(j.f(&format!("{ptr}/authors_pseudo_chi2_dof"))?, 2);
            n.inline(key, &c[0])
                .inline(&format!("{key}_chi2"), &c[2])
                .inline(&format!("{key}_pseudo"), &pseudo);
            let mut row = vec![label.to_string()];
            row.extend(c);
            row.push(pseudo);
            rows.push(row);
        }
        n.block(
            "fits",
            &table(
                &[
                    "fit",
                    "slope a",
                    "error × √(χ²/dof)",
                    "χ²/dof",
                    "the authors' Σr²/e",
                ],
                &rows,
            ),
        )
        .inline("networks", &int(j.f("/config/seeds")?))
        .inline("epochs", &j.f("/config/epochs")?.to_string())
        .inline("configurations", &j.len("/config/grid")?.to_string())
        .inline("seed", &j.f("/config/seed")?.to_string());
        Ok(Some(n.finish()))
    }

    fn run(&self, ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
        let cfg = Config::for_profile(ctx.profile);
        let dir = ctx.figure_dir(self.name())?;
        let points = dir.join("points.csv");
        let summary_path = dir.join("summary.json");
        let (rows, summary) = ctx.data(
            self.name(),
            &cfg,
            |dir| {
                let (rows, done) = compute(&cfg, &dir.join(JOURNAL_FILE))?;
                write_csv(&points, &COLUMNS, rows.clone())?;
                let summary = Summary {
                    profile: ctx.profile,
                    fits: fits(&rows)?,
                    notes: notes(&cfg),
                    config: cfg.clone(),
                };
                write_json(&summary_path, &summary)?;
                done.remove_journal()?;
                Ok(((rows, summary), vec![points.clone(), summary_path.clone()]))
            },
            |_| {
                let summary: Summary = read_json(&summary_path).context("summary.json")?;
                Ok((read_csv(&points)?.rows, summary))
            },
        )?;
        let (left, right) = plot_panels(&rows, &summary.fits);
        let rendered = Grid::row(vec![Panel::from(left), Panel::from(right)])
            .render(&dir.join("ts_scaling"))?;
        let mut out = vec![points, summary_path];
        out.extend(rendered.paths());
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `points.csv` and `summary.json` of `cfg` written into `dir`, the journal resumed.
    fn outputs(cfg: &Config, dir: &Path) -> (Vec<u8>, Vec<u8>) {
        let (rows, done) = compute(cfg, &dir.join(JOURNAL_FILE)).unwrap();
        write_csv(dir.join("points.csv"), &COLUMNS, rows.clone()).unwrap();
        let summary = Summary {
            profile: Profile::Quick,
            fits: fits(&rows).unwrap(),
            notes: notes(cfg),
            config: cfg.clone(),
        };
        write_json(dir.join("summary.json"), &summary).unwrap();
        done.remove_journal().unwrap();
        let read = |f: &str| std::fs::read(dir.join(f)).unwrap();
        (read("points.csv"), read("summary.json"))
    }

    #[test]
    fn a_torn_journal_resumes_to_identical_outputs() {
        let mut cfg = Config::for_profile(Profile::Quick);
        // Two scans through the shared configuration: 3 distinct configurations, 4 rows.
        let shared = cfg
            .grid
            .iter()
            .position(|c| cfg.grid.iter().filter(|d| d.stem() == c.stem()).count() > 1);
        let shared = cfg.grid[shared.unwrap()].clone();
        let mut grid: Vec<ReleasedConfig> = Vec::new();
        for s in [release_data::ts::Series::Ns, release_data::ts::Series::Lr] {
            let other = cfg
                .grid
                .iter()
                .find(|c| c.series == s && c.stem() != shared.stem())
                .unwrap();
            grid.push(other.clone());
            grid.push(ReleasedConfig {
                series: s,
                ..shared.clone()
            });
        }
        cfg.grid = grid;
        (cfg.seeds, cfg.epochs, cfg.bootstrap) = (24, 1, 5);
        assert_eq!(distinct(&cfg.grid).len(), 3);

        let tmp = tempfile::tempdir().unwrap();
        let (single, resumed) = (tmp.path().join("single"), tmp.path().join("resumed"));
        for d in [&single, &resumed] {
            std::fs::create_dir_all(d).unwrap();
        }
        let reference = outputs(&cfg, &single);

        // A journal as a kill leaves it: 10 of the 72 networks and half a line.
        let journal = resumed.join(JOURNAL_FILE);
        drop(ensembles(&cfg, &journal).unwrap());
        let text = std::fs::read_to_string(&journal).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let mut body: Vec<&str> = lines.collect();
        body.sort_by_key(|l| l.split(',').next().unwrap().parse::<u64>().unwrap());
        let torn = format!("{header}\n{}\n{}", body[..10].join("\n"), &body[10][..12]);
        std::fs::write(&journal, &torn).unwrap();
        let done = ensembles(&cfg, &journal).unwrap();
        assert_eq!((done.resumed, done.computed), (10, 62));
        drop(done);

        std::fs::write(&journal, &torn).unwrap();
        assert_eq!(outputs(&cfg, &resumed), reference);
        assert!(!journal.exists());

        // A journal of other parameters is refused.
        let other = Config {
            seed: 1,
            ..cfg.clone()
        };
        std::fs::write(&journal, &torn).unwrap();
        let err = ensembles(&other, &journal).err().unwrap().to_string();
        assert!(err.contains("different parameters"), "{err}");
    }
}
