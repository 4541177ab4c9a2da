//! Fig 4: training dynamics of the squared singular values x_i = ξ_i² of a 2×2 student with a
//! hidden layer Z of Eq (26) (left) and Eq (27) (right), a teacher W_t = 2·1 (κ = 4).
//!
//! Shown: 20 trajectories of the sorted x_i(t), the mean over the ensemble, and least-squares
//! fits of Eq (22) to the mean from epoch t = 2 (κ fixed at 4; a free-κ fit is reported too).
//! The fitted per-epoch rates are compared with `a_k = α (UᵀZᵀZU)_kk · S` (S = SGD steps per
//! epoch; U the eigenbasis of ZᵀZ, where UᵀZᵀZU = diag λ), and with the diagonal of ZᵀZ
//! (U = 1), which the paper quotes.
//!
//! What the data show (summary.json, `"notes"`): with a degenerate teacher only ZᵀZ fixes a basis.
//! Within ~1/(αλ_max S) epochs the component of W − W_t along the fast eigenvector of ZᵀZ has
//! gone; what remains is rank one along the slow eigenvector, so **both** sorted singular values
//! then relax at the slow rate α λ_min S (the upper one is already close to √κ, the lower one
//! far from it). The rates α λ_k S themselves govern the ensemble-mean weight matrix (Eq 18 is
//! linear and ZᵀZ acts from the left): the residual ‖u_kᵀ(⟨W(t)⟩ − W_t)‖ of each eigenvector u_k
//! of ZᵀZ decays at α λ_k S, which the per-step records of the first epoch resolve even for the
//! fast mode (`mode_rates`).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};
use teacher_student::analysis::{log_slope, mode_residuals};
use teacher_student::analytic::{eigen_sorted, per_epoch, per_epoch_discrete, rates_per_step};
use teacher_student::fit::{fit_eq22, Eq22Fit};
use teacher_student::{squared_singular_values, Hyper, Mat, Model, Record};

use crate::plot::{Axes, Bundle, Curve, Grid, HLine, LinePlot, Panel};
use crate::registry::{Context, Figure, Profile};
use crate::style;
use crate::ts_common::{model_table_paths, per_hidden_model, read_model_tables, HIDDEN_MODELS};
use crate::Plot;
use runner::{read_json, write_json};

/// Fig 4 (registered as `fig4`).
pub struct Fig4;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Config {
    /// Bumped when the outputs change form (invalidates cached data).
    version: u32,
    seed: u64,
    lr: f64,
    batch: usize,
    batches_per_epoch: usize,
    epochs: usize,
    noise: f64,
    init_std: f64,
    noise_draw: teacher_student::NoiseDraw,
    inputs: teacher_student::Inputs,
    kappa: f64,
    networks: usize,
    shown: usize,
    /// Record every step up to this one (resolves the fast mode), then every `record_every`.
    record_dense_until: usize,
    record_every: usize,
    fit_from: f64,
}

impl Config {
    fn for_profile(p: Profile) -> Self {
        let h = Model::Z26.default_hyper();
        let (networks, record_dense_until, record_every) = match p {
            Profile::Paper => (500, 100, 5),
            Profile::Quick => (100, 60, 25),
        };
        Config {
            version: 3,
            seed: 20241228,
            lr: h.lr,
            batch: h.batch,
            batches_per_epoch: h.batches_per_epoch,
            epochs: h.epochs,
            noise: h.noise,
            init_std: h.init_std,
            noise_draw: h.noise_draw,
            inputs: h.inputs,
            kappa: 4.0,
            networks,
            shown: 20,
            record_dense_until,
            record_every,
            fit_from: 2.0,
        }
    }

    fn hyper(&self, model: Model) -> Hyper {
        let mut h = model.hyper(self.lr, self.noise, self.batch);
        h.batches_per_epoch = self.batches_per_epoch;
        h.epochs = self.epochs;
        h.init_std = self.init_std;
        h.noise_draw = self.noise_draw;
        h.inputs = self.inputs;
        h
    }
}

/// Rates of one Z.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Predictions {
    /// ZᵀZ, row-major.
    gram: [f64; 4],
    /// Eigenvalues λ of ZᵀZ, ascending.
    lambda: Vec<f64>,
    /// Eigenvectors (columns of U), row-major.
    eigenvectors: [f64; 4],
    /// α λ_k per SGD step.
    per_step: Vec<f64>,
    /// α λ_k S per epoch (continuous time).
    per_epoch: Vec<f64>,
    /// −S ln(1 − α λ_k) per epoch (exact for the discrete update with C_B = 1).
    per_epoch_discrete: Vec<f64>,
    /// α (ZᵀZ)_kk S per epoch: the prediction in the identity basis (the paper's "diagonal of ZᵀZ").
    identity_basis_per_epoch: Vec<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct LevelFits {
    /// Eq (22) with κ free (parameters x_{i,0}, a_i, κ_i), from t = fit_from: the fit shown.
    /// κ is left free because the stationary levels sit at κ ± the Coulomb repulsion, not at κ.
    kappa_free: Eq22Fit,
    /// Eq (22) with κ = 4 fixed (parameters x_{i,0}, a_i), from t = fit_from.
    kappa_fixed: Eq22Fit,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ModeRate {
    /// Eigenvalue λ_k of ZᵀZ.
    lambda: f64,
    /// Fitted rate per epoch and its standard error.
    rate: f64,
    rate_stderr: f64,
    /// Fit window [0, window] in epochs and number of records in it.
    window: f64,
    points: usize,
    /// Fitted / α λ_k S and fitted / (−S ln(1 − αλ_k)).
    ratio_continuous: f64,
    ratio_discrete: f64,
    /// The rate of the noise-free mean dynamics on this run's minibatches (same window), and
    /// fitted / that: what remains is the noise of the seed average.
    rate_given_data: f64,
    ratio_given_data: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ModelSummary {
    predictions: Predictions,
    /// Fits to the mean of the sorted x: `x_min` (lower level), `x_max` (upper level).
    x_min: LevelFits,
    x_max: LevelFits,
    /// Fitted rate (κ free) / predicted slow rate α λ_min S, for the lower and upper level.
    ratio_to_slow_rate: [f64; 2],
    /// The relaxation rate of each mode of ZᵀZ in the ensemble-mean weights: the log-slope of
    /// r_k(t) = ‖u_kᵀ(⟨W(t)⟩ − W_t)‖ over its first 5 predicted e-folds (slow mode first).
    mode_rates: [ModeRate; 2],
    /// Ensemble means at the last epoch.
    final_mean: [f64; 2],
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Summary {
    profile: Profile,
    config: Config,
    steps_per_epoch: usize,
    z26: ModelSummary,
    z27: ModelSummary,
    notes: Vec<String>,
}

fn predictions(model: Model, cfg: &Config) -> anyhow::Result<Predictions> {
    let t = model.teacher();
    let g = DMatrix::from_fn(2, 2, |i, j| t.gram()[(i, j)]);
    let (lambda, u) = eigen_sorted(&g)?;
    let per_step = rates_per_step(&g, &u, cfg.lr)?;
    let id = rates_per_step(&g, &DMatrix::identity(2, 2), cfg.lr)?;
    let s = cfg.batches_per_epoch;
    Ok(Predictions {
        gram: [g[(0, 0)], g[(0, 1)], g[(1, 0)], g[(1, 1)]],
        lambda,
        eigenvectors: [u[(0, 0)], u[(0, 1)], u[(1, 0)], u[(1, 1)]],
        per_epoch: per_step.iter().map(|a| per_epoch(*a, s)).collect(),
        per_epoch_discrete: per_step.iter().map(|a| per_epoch_discrete(*a, s)).collect(),
        identity_basis_per_epoch: id.iter().map(|a| per_epoch(*a, s)).collect(),
        per_step,
    })
}

fn mean_sem(v: &[f64]) -> (f64, f64) {
    let m = spectral::moments::mean(v);
    (m, (spectral::moments::variance(v) / v.len() as f64).sqrt())
}

/// The tables a model's panel is drawn from: `mean_<model>.csv` and `members_<model>.csv`.
struct Tables {
    mean: runner::CsvTable,
    members: runner::CsvTable,
}

impl Tables {
    const PREFIXES: [&str; 2] = ["mean", "members"];

    fn paths(dir: &Path, model: Model) -> [PathBuf; 2] {
        model_table_paths(dir, model, Self::PREFIXES)
    }

    fn read(dir: &Path, model: Model) -> anyhow::Result<Self> {
        let [mean, members] = read_model_tables(dir, model, Self::PREFIXES)?;
        Ok(Self { mean, members })
    }
}

/// The ensemble of one Z (network k is `run.member(k, record)`) and what is recorded.
fn ensemble(model: Model, cfg: &Config) -> anyhow::Result<(teacher_student::Run<2, 2>, Record)> {
    let run = model.run(cfg.hyper(model), cfg.seed, 0)?;
    let rec = Record::Dense {
        until: cfg.record_dense_until,
        every: cfg.record_every,
    };
    Ok((run, rec))
}

/// The sorted x of a network at each record: its two columns of `members_<z>.csv`.
fn levels(m: &teacher_student::Member<2, 2>) -> Vec<Vec<f64>> {
    m.snapshots.iter().map(squared_singular_values).collect()
}

/// Re-trains network `k` of the profile's Fig 4 ensemble of `model` alone: its x_min, x_max at
/// each record (columns `m<k>_x_min`, `m<k>_x_max` of `members_<z>.csv`, for `k < shown`).
pub(crate) fn retrain_member(
    profile: Profile,
    model: Model,
    k: u64,
) -> anyhow::Result<Vec<Vec<f64>>> {
    let (run, rec) = ensemble(model, &Config::for_profile(profile))?;
    Ok(levels(&run.member(k, rec)?))
}

/// Networks whose trajectories `members_<z>.csv` shows.
pub(crate) fn shown(profile: Profile) -> usize {
    let cfg = Config::for_profile(profile);
    cfg.shown.min(cfg.networks)
}

/// Simulate one Z and write `mean_<z>.csv` and `members_<z>.csv`; return the summary.
fn compute(
    model: Model,
    cfg: &Config,
    dir: &Path,
) -> anyhow::Result<(ModelSummary, Tables, Vec<PathBuf>)> {
    let h = cfg.hyper(model);
    let (run, rec) = ensemble(model, cfg)?;
    let label = format!("fig4 {}", model.name());
    let nets = runner::par_items(&label, cfg.networks, |k| Ok(run.member(k, rec)?))?;
    let steps = rec.steps(h.steps());
    let t: Vec<f64> = steps.iter().map(|&s| run.epoch_of_step(s)).collect();
    let mut rows = Vec::with_capacity(steps.len());
    let (mut lo, mut hi) = (Vec::new(), Vec::new());
    let mut res = [Vec::new(), Vec::new()];
    for (k, &tk) in t.iter().enumerate() {
        let xs: Vec<Vec<f64>> = nets
            .iter()
            .map(|m| squared_singular_values(&m.snapshots[k]))
            .collect();
        let (m0, e0) = mean_sem(&xs.iter().map(|x| x[0]).collect::<Vec<_>>());
        let (m1, e1) = mean_sem(&xs.iter().map(|x| x[1]).collect::<Vec<_>>());
        let mean_w = nets
            .iter()
            .fold(Mat::<2, 2>::zeros(), |a, m| a + m.snapshots[k])
            / nets.len() as f64;
        let xw = squared_singular_values(&mean_w);
        let (_, r) = mode_residuals(&mean_w, run.teacher())?;
        rows.push(vec![tk, m0, m1, e0, e1, xw[0], xw[1], r[0], r[1]]);
        lo.push(m0);
        hi.push(m1);
        res[0].push(r[0]);
        res[1].push(r[1]);
    }
    let [mean_csv, members_csv] = Tables::paths(dir, model);
    let mean = runner::CsvTable::new(
        &[
            "t",
            "x_min",
            "x_max",
            "x_min_sem",
            "x_max_sem",
            "x_min_of_mean_w",
            "x_max_of_mean_w",
            "residual_slow_mode",
            "residual_fast_mode",
        ],
        rows,
    );
    mean.write(&mean_csv)?;
    let shown = cfg.shown.min(nets.len());
    let mut header = vec!["t".to_string()];
    for m in 0..shown {
        header.push(format!("m{m}_x_min"));
        header.push(format!("m{m}_x_max"));
    }
    let shown_levels: Vec<Vec<Vec<f64>>> = nets[..shown].iter().map(levels).collect();
    let members: Vec<Vec<f64>> = (0..t.len())
        .map(|k| {
            let mut row = vec![t[k]];
            for m in &shown_levels {
                row.extend_from_slice(&m[k]);
            }
            row
        })
        .collect();
    let hdr: Vec<&str> = header.iter().map(String::as_str).collect();
    let members = runner::CsvTable::new(&hdr, members);
    members.write(&members_csv)?;

    let pred = predictions(model, cfg)?;
    let fits = |x: &[f64]| -> anyhow::Result<LevelFits> {
        Ok(LevelFits {
            kappa_free: fit_eq22(&t, x, cfg.fit_from, None)?,
            kappa_fixed: fit_eq22(&t, x, cfg.fit_from, Some(cfg.kappa))?,
        })
    };
    let x_min = fits(&lo)?;
    let x_max = fits(&hi)?;
    let slow = pred.per_epoch[0];
    // The noise-free mean dynamics on this run's quenched minibatches, from the same ⟨W(0)⟩:
    // D ← D − αZᵀZ D C_B, D = ⟨W⟩ − W_t. Its mode residuals give the rate expected for this
    // particular data set (the minibatch covariances are not exactly 1).
    let teacher = run.teacher();
    let lr_g = teacher.gram() * h.lr;
    let mut d = nets
        .iter()
        .fold(Mat::<2, 2>::zeros(), |a, m| a + m.snapshots[0])
        / nets.len() as f64
        - teacher.weights();
    let mut det = [Vec::new(), Vec::new()];
    let mut next = 0usize;
    for s in 0..=h.steps() {
        if next < steps.len() && steps[next] == s {
            let (_, r) = mode_residuals(&(d + teacher.weights()), teacher)?;
            det[0].push(r[0]);
            det[1].push(r[1]);
            next += 1;
        }
        if s < h.steps() {
            d -= lr_g * (d * run.covariance(s % h.batches_per_epoch));
        }
    }
    let mut mode_rates = Vec::new();
    for k in 0..2 {
        let window = (5.0 / pred.per_epoch[k]).min(*t.last().expect("records"));
        let n = t.iter().filter(|&&ti| ti <= window).count();
        let (slope, se) = log_slope(&t[..n], &res[k][..n])
            .with_context(|| format!("mode {k}: {n} records within {window} epochs"))?;
        let (dslope, _) = log_slope(&t[..n], &det[k][..n])?;
        mode_rates.push(ModeRate {
            rate_given_data: -dslope,
            ratio_given_data: slope / dslope,
            lambda: pred.lambda[k],
            rate: -slope,
            rate_stderr: se,
            window,
            points: n,
            ratio_continuous: -slope / pred.per_epoch[k],
            ratio_discrete: -slope / pred.per_epoch_discrete[k],
        });
    }
    let summary = ModelSummary {
        ratio_to_slow_rate: [x_min.kappa_free.a / slow, x_max.kappa_free.a / slow],
        mode_rates: [mode_rates[0].clone(), mode_rates[1].clone()],
        final_mean: [*lo.last().expect("records"), *hi.last().expect("records")],
        predictions: pred,
        x_min,
        x_max,
    };
    Ok((
        summary,
        Tables { mean, members },
        vec![mean_csv, members_csv],
    ))
}

fn notes(cfg: &Config) -> Vec<String> {
    vec![
        format!(
            "Choices (not stated in the paper): alpha = {}, |B| = {}, {} minibatches per epoch over a quenched \
             data set of x ~ N(0,1) in fixed order, {} epochs, W_t = 2*1 (kappa = 4 in x = xi^2), GOE-like \
             per-datum noise of strength {} ('N(0, 0.01)' read as a variance), drawn afresh every step \
             (Eq 28 as a Langevin term), student initialised with N(0, {}^2) entries (Sec 4.2).",
            cfg.lr, cfg.batch, cfg.batches_per_epoch, cfg.epochs, cfg.noise, cfg.init_std
        ),
        format!(
            "Time: t in epochs; rates per epoch = rate per SGD step x S with S = {} steps per epoch. \
             Predicted a_k = alpha (U^T Z^T Z U)_kk S with U the eigenbasis of Z^T Z (continuous-time); \
             per_epoch_discrete = -S ln(1 - alpha lambda_k) is the exact contraction of the discrete step.",
            cfg.batches_per_epoch
        ),
        "Eq (22) is fitted by unweighted least squares to the ensemble mean of the sorted x_i(t) from t = 2 \
         with kappa free (parameters x_{i,0}, a_i, kappa_i; shown in the figure) and with kappa fixed at 4 \
         (x_{i,0}, a_i). kappa is left free because the stationary levels do not sit at kappa: the Coulomb \
         repulsion pushes the upper one above and the lower one below (Fig 3 left's offset), which a \
         fixed-kappa fit can only absorb into a wrong rate."
            .into(),
        "With a degenerate teacher, W - W_t loses its fast component within ~1/(alpha lambda_max S) epochs and \
         is then rank one along the slow eigenvector of Z^T Z: both sorted x_i relax at the slow rate alpha \
         lambda_min S (ratio_to_slow_rate ~ 1 for the lower level); the upper level is already near kappa after the \
         fast transient, which is why it looks 'faster', and its late approach is not of the Eq (22) form (it \
         dips below its stationary value, pushed back up by the lower level). The mode rates alpha lambda_k S \
         are those of the ensemble-mean W (Eq 18 is linear, Z^T Z acts from the left): mode_rates fits the \
         log-decay of |u_k^T (<W> - W_t)| over 5 predicted e-folds, from the per-step records of the first \
         epoch for the fast mode."
            .into(),
        "Sec 4.2's '<x_{i,0}> = 1' for unit-variance initial entries is 2 for a 2x2 matrix (math-notes item 9): \
         the sorted levels start at ~0.4 and ~3.4."
            .into(),
    ]
}

fn panel(
    model: Model,
    tables: &Tables,
    s: &ModelSummary,
    cfg: &Config,
) -> anyhow::Result<LinePlot> {
    let (mean, members) = (&tables.mean, &tables.members);
    let t = mean.column("t").context("column t")?;
    let shown = (members.header.len() - 1) / 2;
    let col = |m: usize, which: &str| members.column(&format!("m{m}_{which}"));
    let lower: Vec<Vec<f64>> = (0..shown).filter_map(|m| col(m, "x_min")).collect();
    let upper: Vec<Vec<f64>> = (0..shown).filter_map(|m| col(m, "x_max")).collect();
    let (c0, c1) = (style::color(0), style::color(1));
    let b0 = Bundle::new(t.clone(), lower).color(c0).alpha(0.25);
    let b1 = Bundle::new(t.clone(), upper).color(c1).alpha(0.25);
    let mean_lo = Curve::new(
        "mean x₂ (lower)",
        t.clone(),
        mean.column("x_min").context("x_min")?,
    )
    .color(c0)
    .width(5);
    let mean_hi = Curve::new(
        "mean x₁ (upper)",
        t.clone(),
        mean.column("x_max").context("x_max")?,
    )
    .color(c1)
    .width(5);
    let t_end = *t.last().unwrap_or(&10.0);
    let fit_curve = |f: &Eq22Fit, label: &str| {
        Curve::from_fn(label, (cfg.fit_from, t_end), 200, |x| {
            teacher_student::analytic::eq22(x, f.x0, f.kappa, f.a)
        })
        .dashed()
        .color(style::BLACK)
    };
    let p = &s.predictions;
    Ok(LinePlot {
        axes: Axes {
            title: Some(format!(
                "Z of Eq. ({}): fitted a = {:.2}, {:.2}; αλₘᵢₙS = {:.2}",
                if model == Model::Z26 { 26 } else { 27 },
                s.x_max.kappa_free.a,
                s.x_min.kappa_free.a,
                p.per_epoch[0]
            )),
            x_label: "epoch t".into(),
            y_label: "x = ξ²".into(),
            hlines: vec![HLine::new(cfg.kappa).label("κ = 4")],
            x_range: Some((0.0, t_end)),
            y_range: Some((0.0, 7.0)),
            ..Default::default()
        },
        bundles: vec![b0, b1],
        curves: vec![
            mean_hi,
            mean_lo,
            fit_curve(&s.x_max.kappa_free, "Eq. (22) fit from t = 2"),
            fit_curve(&s.x_min.kappa_free, "").unlabelled(),
        ],
    })
}

impl Figure for Fig4 {
    fn name(&self) -> &'static str {
        "fig4"
    }

    fn description(&self) -> &'static str {
        "Teacher-student with hidden layer: x_i(t) for Z of Eqs 26, 27, mean, fits of Eq 22 from t = 2"
    }

    fn numbers(&self, dir: &Path) -> anyhow::Result<Option<String>> {
        use crate::numbers::{int, sig, table, ve, Json, Numbers};
        let j = Json::read(dir, "summary.json")?;
        type Cell = fn(&Json, &str) -> anyhow::Result<String>;
        let rows: Vec<(&str, &str, Cell)> = vec![
            ("lambda", "eigenvalues λ<sub>k</sub> of ZᵀZ", |j, z| {
                Ok(format!(
                    "{}, {}",
                    sig(j.f(&format!("/{z}/predictions/lambda/0"))?, 5),
                    sig(j.f(&format!("/{z}/predictions/lambda/1"))?, 5)
                ))
            }),
            (
                "predicted",
                "predicted αλ<sub>k</sub>S (per epoch)",
                |j, z| {
                    Ok(format!(
                        "{}, {}",
                        sig(j.f(&format!("/{z}/predictions/per_epoch/0"))?, 4),
                        sig(j.f(&format!("/{z}/predictions/per_epoch/1"))?, 4)
                    ))
                },
            ),
            (
                "discrete",
                "exact discrete −S ln(1 − αλ<sub>k</sub>)",
                |j, z| {
                    Ok(format!(
                        "{}, {}",
                        sig(j.f(&format!("/{z}/predictions/per_epoch_discrete/0"))?, 4),
                        sig(j.f(&format!("/{z}/predictions/per_epoch_discrete/1"))?, 4)
                    ))
                },
            ),
            ("fit_lower", "Eq (22) fit, lower level: a, κ", |j, z| {
                let f = format!("/{z}/x_min/kappa_free");
                Ok(format!(
                    "{}, {}",
                    ve(j.f(&format!("{f}/a"))?, j.f(&format!("{f}/stderr/1"))?),
                    ve(j.f(&format!("{f}/kappa"))?, j.f(&format!("{f}/stderr/2"))?)
                ))
            }),
            ("fit_upper", "Eq (22) fit, upper level: a, κ", |j, z| {
                let f = format!("/{z}/x_max/kappa_free");
                Ok(format!(
                    "{}, {}",
                    ve(j.f(&format!("{f}/a"))?, j.f(&format!("{f}/stderr/1"))?),
                    ve(j.f(&format!("{f}/kappa"))?, j.f(&format!("{f}/stderr/2"))?)
                ))
            }),
            (
                "fit_ratio",
                "fitted a / slow rate (lower, upper)",
                |j, z| {
                    Ok(format!(
                        "{:.3}, {:.3}",
                        j.f(&format!("/{z}/ratio_to_slow_rate/0"))?,
                        j.f(&format!("/{z}/ratio_to_slow_rate/1"))?
                    ))
                },
            ),
            ("rate_slow", "mean-weight mode rate, slow", |j, z| {
                Ok(ve(
                    j.f(&format!("/{z}/mode_rates/0/rate"))?,
                    j.f(&format!("/{z}/mode_rates/0/rate_stderr"))?,
                ))
            }),
            ("rate_fast", "mean-weight mode rate, fast", |j, z| {
                Ok(ve(
                    j.f(&format!("/{z}/mode_rates/1/rate"))?,
                    j.f(&format!("/{z}/mode_rates/1/rate_stderr"))?,
                ))
            }),
            (
                "slow_ratios",
                "slow / αλS; slow / noise-free on the same data",
                |j, z| {
                    Ok(format!(
                        "{:.3}; {:.4}",
                        j.f(&format!("/{z}/mode_rates/0/ratio_continuous"))?,
                        j.f(&format!("/{z}/mode_rates/0/ratio_given_data"))?
                    ))
                },
            ),
            (
                "fast_ratios",
                "fast / −S ln(1 − αλ); fast / noise-free on the same data",
                |j, z| {
                    Ok(format!(
                        "{:.3}; {:.3}",
                        j.f(&format!("/{z}/mode_rates/1/ratio_discrete"))?,
                        j.f(&format!("/{z}/mode_rates/1/ratio_given_data"))?
                    ))
                },
            ),
            ("final_mean", "final mean levels (lower, upper)", |j, z| {
                Ok(format!(
                    "{:.4}, {:.4}",
                    j.f(&format!("/{z}/final_mean/0"))?,
                    j.f(&format!("/{z}/final_mean/1"))?
                ))
            }),
        ];
        let mut n = Numbers::default();
        let mut table_rows = Vec::new();
        for (key, label, cell) in &rows {
            let (a, b) = (cell(&j, "z26")?, cell(&j, "z27")?);
            n.inline(&format!("{key}_26"), &a)
                .inline(&format!("{key}_27"), &b);
            table_rows.push(vec![label.to_string(), a, b]);
        }
        // Eqs (26), (27): Z as the code holds it, and ZᵀZ and its eigenvalues as computed from it.
        let pmatrix = |m: [f64; 4], d: usize| {
            format!(
                "$\\begin{{pmatrix}}{:.d$} & {:.d$}\\\\ {:.d$} & {:.d$}\\end{{pmatrix}}$",
                m[0], m[1], m[2], m[3]
            )
        };
        let mut z_rows = Vec::new();
        for (model, eq) in [(Model::Z26, "26"), (Model::Z27, "27")] {
            let z = model.z();
            let key = model.name();
            let gram = |k: usize| j.f(&format!("/{key}/predictions/gram/{k}"));
            let lambda = |k: usize| j.f(&format!("/{key}/predictions/lambda/{k}"));
            z_rows.push(vec![
                format!("Eq ({eq})"),
                pmatrix([z[(0, 0)], z[(0, 1)], z[(1, 0)], z[(1, 1)]], 4),
                pmatrix([gram(0)?, gram(1)?, gram(2)?, gram(3)?], 4),
                format!("{:.4}, {:.4}", lambda(0)?, lambda(1)?),
            ]);
            // (ZᵀZ)₁₁ to the digits that show the rounding of the printed one (errata).
            n.inline(&format!("ztz11_{eq}"), &format!("{:.5}", gram(0)?));
            // The ratio of the two species' widths under Eq (28), √(λ₂/λ₁).
            n.inline(
                &format!("width_ratio_{eq}"),
                &sig((lambda(1)? / lambda(0)?).sqrt(), 3),
            );
        }
        n.block(
            "table",
            &table(&["quantity", "Z of Eq (26)", "Z of Eq (27)"], &table_rows),
        )
        .block(
            "z_table",
            &table(
                &[
                    "",
                    "$Z$",
                    "$Z^{\\mathsf T}Z$ (from $Z$)",
                    "eigenvalues of $Z^{\\mathsf T}Z$",
                ],
                &z_rows,
            ),
        )
        .inline("networks", &int(j.f("/config/networks")?))
        .inline("epochs", &j.f("/config/epochs")?.to_string())
        .inline(
            "fit_points",
            &j.f("/z26/x_min/kappa_free/n_points")?.to_string(),
        )
        .inline(
            "fit_from",
            &j.f("/z26/x_min/kappa_free/t_from")?.to_string(),
        )
        .inline("seed", &j.f("/config/seed")?.to_string());
        Ok(Some(n.finish()))
    }

    fn run(&self, ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
        let cfg = Config::for_profile(ctx.profile);
        let dir = ctx.figure_dir(self.name())?;
        let summary_path = dir.join("summary.json");
        let (summary, tables): (Summary, Vec<Tables>) = ctx.data(
            self.name(),
            &cfg,
            |dir| {
                let ([z26, z27], tables, mut files) =
                    per_hidden_model(|model| compute(model, &cfg, dir))?;
                let summary = Summary {
                    profile: ctx.profile,
                    steps_per_epoch: cfg.batches_per_epoch,
                    z26,
                    z27,
                    notes: notes(&cfg),
                    config: cfg.clone(),
                };
                write_json(&summary_path, &summary)?;
                files.push(summary_path.clone());
                Ok(((summary, tables), files))
            },
            |dir| {
                let tables = HIDDEN_MODELS
                    .iter()
                    .map(|&m| Tables::read(dir, m))
                    .collect::<anyhow::Result<_>>()?;
                Ok((read_json(&summary_path)?, tables))
            },
        )?;
        let left = panel(Model::Z26, &tables[0], &summary.z26, &cfg)?;
        let right = panel(Model::Z27, &tables[1], &summary.z27, &cfg)?;
        let grid = Grid::row(vec![Panel::from(left), Panel::from(right)]);
        let rendered = grid.render(&dir.join("fig4"))?;
        let mut out: Vec<PathBuf> = HIDDEN_MODELS
            .iter()
            .flat_map(|m| {
                [
                    dir.join(format!("mean_{}.csv", m.name())),
                    dir.join(format!("members_{}.csv", m.name())),
                ]
            })
            .collect();
        out.push(summary_path);
        out.extend(rendered.paths());
        Ok(out)
    }
}
