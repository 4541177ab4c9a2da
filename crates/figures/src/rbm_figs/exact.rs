//! The width theory ([`rbm::theory`]) against an exact simulation at one configuration, element
//! by element: the RBM is trained as in the sweep (PCD-3, the same kernels), and the variance of
//! every element of Ỹ = Uᵀ(σ_h² WᵀW)U in the eigenbasis U of K_φ over the realisations is
//! compared with the linear response's Var δY_ij, and the diagonal's mean with ȳ (second order)
//! and y* (first order). Cached: recomputed only when its configuration changes.

use std::path::PathBuf;

use rbm::theory::{check_elements, ElementCheck, LinearResponse, Terms};
use rbm::{Experiment, Hyper, Rbm, Target};
use serde::{Deserialize, Serialize};

use crate::plot::{Axes, Grid, HLine, Panel, ScatterPlot, ScatterSeries};
use crate::registry::{Context, Figure, Profile};
use crate::style;
use crate::Plot;
use runner::{read_csv, read_json, write_csv, write_json};

/// The exact check (registered as `rbm_exact`).
pub struct RbmExact;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Config {
    /// Bumped when the outputs change form.
    version: u32,
    seed: u64,
    lr: f64,
    batch: usize,
    /// Long against every relaxation time (1/γ ≤ ~350 steps at α = 0.1).
    epochs: usize,
    realisations: usize,
    /// Draws of the second-order mean ([`LinearResponse::predict`]).
    mean_samples: usize,
}

impl Config {
    fn for_profile(p: Profile) -> Self {
        let (epochs, realisations) = match p {
            Profile::Paper => (20_000, 2_000),
            Profile::Quick => (4_000, 200),
        };
        Self {
            version: 1,
            seed: 20_241_203,
            lr: 0.1,
            batch: 16,
            epochs,
            realisations,
            mean_samples: 4_000,
        }
    }
}

/// A group of elements: the mean ratio measured/predicted and the χ² of its pulls.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Group {
    elements: usize,
    /// Σ pull².
    chi2: f64,
    chi2_dof: f64,
    /// Mean of variance/predicted over the group.
    mean_ratio: f64,
    max_abs_pull: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Summary {
    config: Config,
    realisations: usize,
    diverged: usize,
    /// The 55 elements i ≤ j; diagonal; inside a degenerate pair; between different κ.
    all: Group,
    diagonal: Group,
    pair: Group,
    cross: Group,
    /// The diagonal means against ȳ (second order) and y* (first order): χ² over the 10 modes.
    mean_chi2_second_order: f64,
    mean_chi2_first_order: f64,
    notes: Vec<String>,
}

const COLUMNS: [&str; 9] = [
    "i",
    "j",
    "mean",
    "mean_err",
    "predicted_mean",
    "variance",
    "variance_err",
    "predicted",
    "pull",
];

/// Off-diagonal element (i, j) inside one degenerate pair (equal κ).
fn in_pair(kappa: &[f64; rbm::N], i: usize, j: usize) -> bool {
    i != j && (kappa[i] - kappa[j]).abs() < 1e-9
}

fn group(checks: &[&ElementCheck]) -> Group {
    let n = checks.len();
    let chi2 = checks.iter().map(|c| c.pull * c.pull).sum::<f64>();
    Group {
        elements: n,
        chi2,
        chi2_dof: chi2 / n as f64,
        mean_ratio: checks.iter().map(|c| c.variance / c.predicted).sum::<f64>() / n as f64,
        max_abs_pull: checks.iter().map(|c| c.pull.abs()).fold(0.0, f64::max),
    }
}

fn compute(cfg: &Config) -> anyhow::Result<(Summary, Vec<ElementCheck>)> {
    let (model, target) = (Rbm::authors(), Target::authors());
    let exp = Experiment::authors(Hyper::new(cfg.lr, cfg.batch, cfg.epochs)?, cfg.seed)?;
    let run = exp.run(0..cfg.realisations as u64, None);
    let weights: Vec<rbm::Matrix> = run.learnt().map(|r| r.weights).collect();
    anyhow::ensure!(
        weights.len() >= 100,
        "only {} realisations stayed finite",
        weights.len()
    );
    let response = LinearResponse::predict(
        &model,
        &target,
        cfg.lr,
        cfg.batch,
        Terms::FULL,
        cfg.seed,
        cfg.mean_samples,
    )?;
    let first = LinearResponse::new(&model, &target, cfg.lr, cfg.batch, Terms::FULL);
    let checks = check_elements(&model, &target, &response, &weights);
    let pair = |c: &ElementCheck| in_pair(target.kappa(), c.i, c.j);
    let all: Vec<&ElementCheck> = checks.iter().collect();
    let diag: Vec<&ElementCheck> = checks.iter().filter(|c| c.i == c.j).collect();
    let pairs: Vec<&ElementCheck> = checks.iter().filter(|c| pair(c)).collect();
    let cross: Vec<&ElementCheck> = checks.iter().filter(|c| c.i != c.j && !pair(c)).collect();
    let mean_chi2 = |y: &[f64; rbm::N]| {
        diag.iter()
            .map(|c| ((c.mean - y[c.i]) / c.mean_err).powi(2))
            .sum::<f64>()
    };
    let summary = Summary {
        config: cfg.clone(),
        realisations: weights.len(),
        diverged: run.diverged(),
        all: group(&all),
        diagonal: group(&diag),
        pair: group(&pairs),
        cross: group(&cross),
        mean_chi2_second_order: mean_chi2(&response.y),
        mean_chi2_first_order: mean_chi2(&first.y),
        notes: vec![
            "Elements of U^T (sigma_h^2 W^T W) U, U the eigenvectors of K_phi by ascending kappa \
             (any basis inside a degenerate pair); variance over independent realisations at the \
             final epoch; error sqrt((m4 - s^4)/n); predicted: rbm::theory::LinearResponse::predict \
             with every term (finite alpha, chain persistence, all modes, second-order mean)."
                .into(),
        ],
    };
    Ok((summary, checks))
}

impl Figure for RbmExact {
    fn name(&self) -> &'static str {
        "rbm_exact"
    }

    fn description(&self) -> &'static str {
        "Gaussian RBM: the linear-response covariance of every weight-matrix element against an exact simulation at α = 0.1, |B| = 16"
    }

    fn numbers(&self, dir: &std::path::Path) -> anyhow::Result<Option<String>> {
        use crate::numbers::{sig, table, Json, Numbers};
        let j = Json::read(dir, "summary.json")?;
        let mut rows = Vec::new();
        for (label, g) in [
            ("all elements i ≤ j", "all"),
            ("diagonal", "diagonal"),
            ("inside a degenerate pair", "pair"),
            ("between different κ", "cross"),
        ] {
            let f = |k: &str| j.f(&format!("/{g}/{k}"));
            rows.push(vec![
                label.to_string(),
                format!("{}", f("elements")?),
                format!("{:.3}", f("mean_ratio")?),
                sig(f("chi2_dof")?, 3),
                format!("{:.1}", f("max_abs_pull")?),
            ]);
        }
        let mut n = Numbers::default();
        n.block(
            "elements",
            &table(
                &[
                    "elements",
                    "n",
                    "measured/predicted variance (mean)",
                    "χ²/n",
                    "largest \\|pull\\|",
                ],
                &rows,
            ),
        )
        .inline("realisations", &j.f("/realisations")?.to_string())
        .inline("epochs", &j.f("/config/epochs")?.to_string())
        .inline("lr", &j.f("/config/lr")?.to_string())
        .inline("batch", &j.f("/config/batch")?.to_string())
        .inline("mean_chi2_second", &sig(j.f("/mean_chi2_second_order")?, 3))
        .inline("mean_chi2_first", &sig(j.f("/mean_chi2_first_order")?, 3));
        Ok(Some(n.finish()))
    }

    fn run(&self, ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
        let cfg = Config::for_profile(ctx.profile);
        let dir = ctx.figure_dir(self.name())?;
        let csv = dir.join("elements.csv");
        let summary_path = dir.join("summary.json");
        let rows: Vec<Vec<f64>> = ctx.data(
            self.name(),
            &cfg,
            |_| {
                let (summary, checks) = compute(&cfg)?;
                let rows: Vec<Vec<f64>> = checks
                    .iter()
                    .map(|c| {
                        vec![
                            c.i as f64,
                            c.j as f64,
                            c.mean,
                            c.mean_err,
                            c.predicted_mean,
                            c.variance,
                            c.variance_err,
                            c.predicted,
                            c.pull,
                        ]
                    })
                    .collect();
                write_csv(&csv, &COLUMNS, rows.clone())?;
                write_json(&summary_path, &summary)?;
                Ok((rows, vec![csv.clone(), summary_path.clone()]))
            },
            |_| {
                let _: Summary = read_json(&summary_path)?;
                Ok(read_csv(&csv)?.rows)
            },
        )?;
        let series = |sel: &dyn Fn(&[f64]) -> bool, label: &str, k: usize| {
            let pts: Vec<(usize, &Vec<f64>)> =
                rows.iter().enumerate().filter(|(_, r)| sel(r)).collect();
            ScatterSeries::new(
                label,
                pts.iter().map(|(n, _)| *n as f64).collect(),
                pts.iter().map(|(_, r)| r[5] / r[7]).collect(),
            )
            .yerr(pts.iter().map(|(_, r)| r[6] / r[7]).collect())
            .color(style::color(k))
            .marker(style::MARKERS[k])
        };
        let kappa = *Target::authors().kappa();
        let is_pair = |r: &[f64]| in_pair(&kappa, r[0] as usize, r[1] as usize);
        let plot = ScatterPlot {
            axes: Axes {
                x_label: "element (i ≤ j, row by row)".into(),
                y_label: "Var Ỹ_ij measured / predicted".into(),
                hlines: vec![HLine::new(1.0).color(style::BLACK)],
                title: Some(format!(
                    "α = {}, |B| = {}: exact simulation against linear response",
                    cfg.lr, cfg.batch
                )),
                ..Default::default()
            },
            series: vec![
                series(&|r| r[0] == r[1], "diagonal", 0),
                series(&|r| is_pair(r), "inside a degenerate pair", 1),
                series(&|r| r[0] != r[1] && !is_pair(r), "between different κ", 2),
            ],
            ..Default::default()
        };
        let rendered = Grid::row(vec![Panel::from(plot)]).render(&dir.join("rbm_exact"))?;
        let mut out = vec![csv, summary_path];
        out.extend(rendered.paths());
        Ok(out)
    }
}
