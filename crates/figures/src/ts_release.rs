//! The authors' released teacher-student files (reference-data, 16 `.npz`): their per-file σ and
//! ⟨S⟩ reproduced, and our re-simulation compared with them within the run-to-run spread.
//!
//! * authors: the numbers of the authors' procedure on their files (numpy/scipy re-implementation,
//!   `crates/release-data/scripts/authors_ts_analysis.py`, committed JSON) against ours (Rust),
//!   plus the authors' delete-one jackknife (their reported values and error bars) and a
//!   bootstrap over networks;
//! * re-simulation: each distinct configuration simulated `repeats` times with fresh quenched
//!   inputs (input draws run = 1, 2, …; 3000 networks each). The inputs are shared by all seeds of
//!   a file, so a file's σ carries a run-to-run scatter larger than its within-file bootstrap error;
//!   z = (released − mean of repeats)/spread of repeats.
//!
//! Needs the released files (`RMT_SGD_REFERENCE_DATA` or `../shared/reference-data`; see
//! `scripts/fetch-reference-data.sh`); without them the figure is skipped ([`Context::skip`]),
//! saying how to get them, and its committed outputs and MANIFEST lines are kept. Runs only in
//! the paper profile (the quick profile must give identical outputs on machines with and without
//! the data).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use release_data::ts::{released_configs, ReleasedConfig, ReleasedRun};
use serde::{Deserialize, Serialize};
use spectral::jackknife::{jackknife_mean_spacing, jackknife_sigma};

use crate::plot::{Axes, Grid, Panel, ScatterPlot, ScatterSeries};
use crate::registry::{Context, Figure, Profile};
use crate::style;
use crate::ts_common::{analyse, authors_numbers, scale, series_code, sigma_linear, simulate};
use crate::Plot;
use runner::{read_csv, read_json, write_csv, write_json};
use spectral::{slope_fit, Slope};

/// The release comparison (registered as `ts_release`).
pub struct TsRelease;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Config {
    /// Bumped when the outputs change form (invalidates cached data).
    version: u32,
    seed: u64,
    seeds: usize,
    epochs: usize,
    repeats: usize,
    bootstrap: usize,
    jackknife: bool,
    grid: Vec<ReleasedConfig>,
    /// SHA-256 of the committed authors' numbers (part of the cache key).
    authors_numbers_sha256: String,
}

const COLUMNS: [&str; 22] = [
    "series",
    "lr",
    "noise",
    "batch",
    "x",
    "sigma_authors",
    "sigma",
    "sigma_jk_mean",
    "sigma_jk_err",
    "sigma_boot_err",
    "s_authors",
    "s",
    "s_jk_mean",
    "s_jk_err",
    "s_boot_err",
    "resim_sigma_mean",
    "resim_sigma_spread",
    "z_sigma",
    "resim_s_mean",
    "resim_s_spread",
    "z_s",
    "sigma_lin",
];

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Row {
    file: String,
    series: release_data::ts::Series,
    lr: f64,
    noise: f64,
    batch: usize,
    sigma_authors: f64,
    sigma: f64,
    sigma_rel_diff: f64,
    s_authors: f64,
    s: f64,
    s_rel_diff: f64,
    sigma_jackknife: Option<[f64; 2]>,
    s_jackknife: Option<[f64; 2]>,
    sigma_bootstrap_err: f64,
    s_bootstrap_err: f64,
    resim_sigma: Vec<f64>,
    resim_s: Vec<f64>,
    z_sigma: f64,
    z_s: f64,
    sigma_lin: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Summary {
    config: Config,
    rows: Vec<Row>,
    max_abs_rel_diff_sigma: f64,
    max_abs_rel_diff_s: f64,
    /// Σ z² over the 14 distinct configurations for σ and ⟨S⟩, and the χ² p-values (dof 14).
    chi2_z_sigma: f64,
    chi2_z_s: f64,
    p_z_sigma: f64,
    p_z_s: f64,
    /// Slope fits on the released data: with the authors' jackknife errors (their weighting) and
    /// with bootstrap errors; true χ²/dof and the authors' printed pseudo-χ²/dof.
    fits_jackknife: Option<[Slope; 2]>,
    fits_bootstrap: [Slope; 2],
    /// Over the 14 distinct configurations, against √π σ_lin (linear response): the released
    /// √πσ and ⟨S⟩ with their total error √(bootstrap² + run-to-run spread²), and the means of the
    /// re-simulation repeats with error spread/√repeats. χ²/dof ≈ 1 means the scatter of the
    /// scaling plot is the quenched-input scatter.
    fits_released_total_error_vs_linear: [Slope; 2],
    fits_resim_mean_vs_linear: [Slope; 2],
    /// The same two against √(α noise²/|B|) (the plain linear scaling rule).
    fits_released_total_error: [Slope; 2],
    fits_resim_mean: [Slope; 2],
    notes: Vec<String>,
}

/// The two singular values ξ of the final snapshot of every seed of a released file.
fn final_singular_values(run: &ReleasedRun) -> Vec<[f64; 2]> {
    run.final_weights()
        .iter()
        .map(|w| teacher_student::spectrum::singular_values_2x2(w[0], w[1], w[2], w[3]))
        .collect()
}

/// Hoyt against Rayleigh on each released file's spacings (beyond the paper).
const HOYT_FILE: &str = "hoyt.json";

/// One released file's spacing laws.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct HoytRow {
    file: String,
    lr: f64,
    noise: f64,
    batch: usize,
    #[serde(flatten)]
    laws: spectral::SpacingLaws,
}

/// The spacings |ξ₁ − ξ₂| of the final snapshot of every seed of each distinct released file,
/// through [`spectral::spacing_laws`] (a few seconds; recomputed on every run, never cached).
fn hoyt_of_files(grid: &[ReleasedConfig], data: &Path) -> anyhow::Result<Vec<HoytRow>> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for c in grid {
        if !seen.insert(c.stem()) {
            continue;
        }
        let pairs = final_singular_values(&ReleasedRun::open(c.path(data))?);
        let spacings = spectral::peak::spacings(&pairs, &[0, 1]);
        let laws = spectral::spacing_laws(&spacings)
            .with_context(|| format!("the spacing laws of {}", c.stem()))?;
        out.push(HoytRow {
            file: c.stem(),
            lr: c.lr,
            noise: c.noise,
            batch: c.batch,
            laws,
        });
    }
    Ok(out)
}

fn reference_dir() -> PathBuf {
    // The `all` binary runs from the workspace root; tests set the variable explicitly.
    release_data::ts::reference_dir(Path::new("."))
}

fn chi2_sf(x: f64, k: usize) -> f64 {
    use statrs::distribution::{ChiSquared, ContinuousCDF};
    ChiSquared::new(k as f64).map_or(f64::NAN, |d| d.sf(x))
}

#[derive(Deserialize)]
struct AuthorsFile {
    files: Vec<AuthorsRow>,
}

#[derive(Deserialize)]
struct AuthorsRow {
    lr: f64,
    noise: f64,
    batch: usize,
    sigma: f64,
    mean_spacing: f64,
}

fn compute(cfg: &Config, data: &Path) -> anyhow::Result<Summary> {
    let authors: AuthorsFile = serde_json::from_str(release_data::ts::AUTHORS_NUMBERS_JSON)
        .context("parsing the committed authors' numbers")?;
    let mut resim: BTreeMap<String, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    let mut rows = Vec::new();
    for (c, a) in cfg.grid.iter().zip(&authors.files) {
        anyhow::ensure!(
            a.lr == c.lr && a.noise == c.noise && a.batch == c.batch,
            "authors' numbers out of order at {}",
            c.stem()
        );
        eprintln!("[ts_release] {}", c.stem());
        let path = c.path(data);
        let pairs = final_singular_values(&ReleasedRun::open(&path)?);
        let p = analyse(&pairs, c, cfg.bootstrap, cfg.seed, "ts_release")?;
        let (sj, spj) = if cfg.jackknife {
            let pooled = spectral::peak::pooled(&pairs, &[0, 1]);
            let sp = spectral::peak::spacings(&pairs, &[0, 1]);
            let js = jackknife_sigma(&pooled, [2.0, scale(c)])?;
            let jm = jackknife_mean_spacing(&sp)?;
            (Some([js.mean, js.err]), Some([jm.mean, jm.err]))
        } else {
            (None, None)
        };
        let key = c.stem();
        if !resim.contains_key(&key) {
            let (mut ss, mut ms) = (Vec::new(), Vec::new());
            for r in 1..=cfg.repeats as u64 {
                let sim = simulate(c, cfg.seeds, cfg.epochs, cfg.seed, r)?;
                let (sigma, mean_spacing) = authors_numbers(&sim, c)?;
                ss.push(sigma);
                ms.push(mean_spacing);
            }
            resim.insert(key.clone(), (ss, ms));
        }
        let (ss, ms) = &resim[&key];
        let ms_sd = spectral::moments::mean_sd;
        let (sm, ssd) = ms_sd(ss);
        let (mm, msd) = ms_sd(ms);
        rows.push(Row {
            file: path.display().to_string(),
            series: c.series,
            lr: c.lr,
            noise: c.noise,
            batch: c.batch,
            sigma_authors: a.sigma,
            sigma: p.sigma,
            sigma_rel_diff: p.sigma / a.sigma - 1.0,
            s_authors: a.mean_spacing,
            s: p.mean_spacing,
            s_rel_diff: p.mean_spacing / a.mean_spacing - 1.0,
            sigma_jackknife: sj,
            s_jackknife: spj,
            sigma_bootstrap_err: p.sigma_err,
            s_bootstrap_err: p.s_err,
            z_sigma: (p.sigma - sm) / ssd,
            z_s: (p.mean_spacing - mm) / msd,
            resim_sigma: ss.clone(),
            resim_s: ms.clone(),
            sigma_lin: sigma_linear(c)?,
        });
    }
    // z² over distinct configurations.
    let mut seen = std::collections::BTreeSet::new();
    let (mut c2s, mut c2m, mut k) = (0.0, 0.0, 0usize);
    let mut distinct = Vec::new();
    for r in &rows {
        if seen.insert((r.lr.to_bits(), r.noise.to_bits(), r.batch)) {
            c2s += r.z_sigma * r.z_sigma;
            c2m += r.z_s * r.z_s;
            k += 1;
            distinct.push(r);
        }
    }
    let stats = spectral::moments::mean_sd;
    let rp = (cfg.repeats as f64).sqrt();
    let spi = std::f64::consts::PI.sqrt();
    let xd: Vec<f64> = distinct
        .iter()
        .map(|r| (r.lr * r.noise * r.noise / r.batch as f64).sqrt())
        .collect();
    let xl: Vec<f64> = distinct.iter().map(|r| spi * r.sigma_lin).collect();
    let rel_s: Vec<f64> = distinct.iter().map(|r| spi * r.sigma).collect();
    let rel_s_e: Vec<f64> = distinct
        .iter()
        .map(|r| spi * r.sigma_bootstrap_err.hypot(stats(&r.resim_sigma).1))
        .collect();
    let rel_m: Vec<f64> = distinct.iter().map(|r| r.s).collect();
    let rel_m_e: Vec<f64> = distinct
        .iter()
        .map(|r| r.s_bootstrap_err.hypot(stats(&r.resim_s).1))
        .collect();
    let res_s: Vec<f64> = distinct
        .iter()
        .map(|r| spi * stats(&r.resim_sigma).0)
        .collect();
    let res_s_e: Vec<f64> = distinct
        .iter()
        .map(|r| spi * stats(&r.resim_sigma).1 / rp)
        .collect();
    let res_m: Vec<f64> = distinct.iter().map(|r| stats(&r.resim_s).0).collect();
    let res_m_e: Vec<f64> = distinct.iter().map(|r| stats(&r.resim_s).1 / rp).collect();
    let fits_released_total_error_vs_linear = [
        slope_fit(&xl, &rel_s, &rel_s_e)?,
        slope_fit(&xl, &rel_m, &rel_m_e)?,
    ];
    let fits_resim_mean_vs_linear = [
        slope_fit(&xl, &res_s, &res_s_e)?,
        slope_fit(&xl, &res_m, &res_m_e)?,
    ];
    let fits_released_total_error = [
        slope_fit(&xd, &rel_s, &rel_s_e)?,
        slope_fit(&xd, &rel_m, &rel_m_e)?,
    ];
    let fits_resim_mean = [
        slope_fit(&xd, &res_s, &res_s_e)?,
        slope_fit(&xd, &res_m, &res_m_e)?,
    ];
    let sp = std::f64::consts::PI.sqrt();
    let x: Vec<f64> = rows
        .iter()
        .map(|r| (r.lr * r.noise * r.noise / r.batch as f64).sqrt())
        .collect();
    let ys: Vec<f64> = rows.iter().map(|r| sp * r.sigma).collect();
    let ym: Vec<f64> = rows.iter().map(|r| r.s).collect();
    let fits_bootstrap = [
        slope_fit(
            &x,
            &ys,
            &rows
                .iter()
                .map(|r| sp * r.sigma_bootstrap_err)
                .collect::<Vec<_>>(),
        )?,
        slope_fit(
            &x,
            &ym,
            &rows.iter().map(|r| r.s_bootstrap_err).collect::<Vec<_>>(),
        )?,
    ];
    let fits_jackknife = if cfg.jackknife {
        let yj: Vec<f64> = rows
            .iter()
            .map(|r| sp * r.sigma_jackknife.map_or(0.0, |v| v[0]))
            .collect();
        let ej: Vec<f64> = rows
            .iter()
            .map(|r| sp * r.sigma_jackknife.map_or(1.0, |v| v[1]))
            .collect();
        let mj: Vec<f64> = rows
            .iter()
            .map(|r| r.s_jackknife.map_or(0.0, |v| v[0]))
            .collect();
        let emj: Vec<f64> = rows
            .iter()
            .map(|r| r.s_jackknife.map_or(1.0, |v| v[1]))
            .collect();
        Some([slope_fit(&x, &yj, &ej)?, slope_fit(&x, &mj, &emj)?])
    } else {
        None
    };
    Ok(Summary {
        max_abs_rel_diff_sigma: rows
            .iter()
            .map(|r| r.sigma_rel_diff.abs())
            .fold(0.0, f64::max),
        max_abs_rel_diff_s: rows.iter().map(|r| r.s_rel_diff.abs()).fold(0.0, f64::max),
        chi2_z_sigma: c2s,
        chi2_z_s: c2m,
        p_z_sigma: chi2_sf(c2s, k),
        p_z_s: chi2_sf(c2m, k),
        fits_jackknife,
        fits_bootstrap,
        fits_released_total_error_vs_linear,
        fits_resim_mean_vs_linear,
        fits_released_total_error,
        fits_resim_mean,
        notes: notes(cfg),
        rows,
        config: cfg.clone(),
    })
}

fn notes(cfg: &Config) -> Vec<String> {
    vec![
        "sigma_authors / s_authors: the authors' procedure (authors-protocol 1(c)) run with numpy/scipy on the \
         released files (crates/release-data/scripts/authors_ts_analysis.py); sigma / s: the same procedure in \
         Rust. Differences in sigma are scipy's curve_fit stopping tolerance (ftol = xtol = 1.5e-8); <S> agrees \
         to rounding."
            .into(),
        "sigma_jackknife / s_jackknife: [mean, error] of the authors' delete-one jackknife (their reported values \
         and error bars); bootstrap errors resample networks."
            .into(),
        format!(
            "Re-simulation: {} repeats x {} networks x {} epochs per configuration, each repeat with a fresh quenched \
             data set (input draw run = 1..{}); z = (released - mean of repeats)/(spread of repeats). Under the \
             hypothesis that the release is one more draw, sum z^2 over the 14 distinct configurations is \
             ~ chi^2(14) (slightly heavier-tailed with {} repeats).",
            cfg.repeats, cfg.seeds, cfg.epochs, cfg.repeats, cfg.repeats
        ),
    ]
}

fn table_rows(s: &Summary) -> Vec<Vec<f64>> {
    s.rows
        .iter()
        .map(|r| {
            let c = ReleasedConfig {
                series: r.series,
                lr: r.lr,
                noise: r.noise,
                batch: r.batch,
            };
            use spectral::moments::{mean, sd};
            let jk = |o: Option<[f64; 2]>, i: usize| o.map_or(f64::NAN, |v| v[i]);
            vec![
                series_code(&c),
                r.lr,
                r.noise,
                r.batch as f64,
                scale(&c),
                r.sigma_authors,
                r.sigma,
                jk(r.sigma_jackknife, 0),
                jk(r.sigma_jackknife, 1),
                r.sigma_bootstrap_err,
                r.s_authors,
                r.s,
                jk(r.s_jackknife, 0),
                jk(r.s_jackknife, 1),
                r.s_bootstrap_err,
                mean(&r.resim_sigma),
                sd(&r.resim_sigma),
                r.z_sigma,
                mean(&r.resim_s),
                sd(&r.resim_s),
                r.z_s,
                r.sigma_lin,
            ]
        })
        .collect()
}

fn panels(rows: &[Vec<f64>]) -> (ScatterPlot, ScatterPlot) {
    let sp = std::f64::consts::PI.sqrt();
    let make = |y: usize, e: usize, rm: usize, rs: usize, f: f64, lab: &str| ScatterPlot {
        axes: Axes::new("√(α·noise²/|B|)", lab),
        series: vec![
            ScatterSeries::new(
                "released data (bootstrap errors)",
                rows.iter().map(|r| r[4]).collect(),
                rows.iter().map(|r| f * r[y]).collect(),
            )
            .yerr(rows.iter().map(|r| f * r[e]).collect())
            .color(style::color(0))
            .marker(style::Marker::Circle),
            ScatterSeries::new(
                "re-simulation: mean ± run-to-run spread",
                rows.iter().map(|r| r[4] * 1.015).collect(),
                rows.iter().map(|r| f * r[rm]).collect(),
            )
            .yerr(rows.iter().map(|r| f * r[rs]).collect())
            .color(style::color(1))
            .marker(style::Marker::Square),
            ScatterSeries::new(
                "linear response √π σₗᵢₙ",
                rows.iter().map(|r| r[4]).collect(),
                rows.iter().map(|r| sp * r[21]).collect(),
            )
            .color(style::GREY)
            .marker(style::Marker::OpenCircle),
        ],
        ..Default::default()
    };
    (
        make(6, 9, 15, 16, sp, "√π σ"),
        make(11, 14, 18, 19, 1.0, "⟨S⟩"),
    )
}

impl Figure for TsRelease {
    fn name(&self) -> &'static str {
        "ts_release"
    }

    fn description(&self) -> &'static str {
        "The authors' released TS files: per-file σ and ⟨S⟩ reproduced; re-simulation vs run-to-run spread (paper profile, needs the data)"
    }

    fn numbers(&self, dir: &Path) -> anyhow::Result<Option<String>> {
        use crate::numbers::{int, p, sig, slope_cells, table, Json, Numbers};
        if !dir.join("summary.json").is_file() {
            // Skipped without the released files (always in the quick profile): nothing to quote.
            return Ok(None);
        }
        let j = Json::read(dir, "summary.json")?;
        let mut n = Numbers::default();
        let mut rows = Vec::new();
        for i in 0..j.len("/rows")? {
            let r = |k: &str| j.f(&format!("/rows/{i}/{k}"));
            let series = j.get(&format!("/rows/{i}/series"))?.as_str().unwrap_or("?");
            rows.push(vec![
                series.to_string(),
                r("lr")?.to_string(),
                r("noise")?.to_string(),
                r("batch")?.to_string(),
                sig(r("sigma")?, 5),
                format!("{:+.1e}", r("sigma_rel_diff")?),
                sig(r("s")?, 5),
                format!("{:+.1e}", r("s_rel_diff")?),
                format!("{:+.2}", r("z_sigma")?),
                format!("{:+.2}", r("z_s")?),
                sig(r("sigma_lin")?, 4),
            ]);
        }
        n.block(
            "rows",
            &table(
                &[
                    "scan",
                    "α",
                    "noise",
                    "\\|B\\|",
                    "σ",
                    "rel.",
                    "⟨S⟩",
                    "rel.",
                    "z<sub>σ</sub>",
                    "z<sub>S</sub>",
                    "σ<sub>lin</sub>",
                ],
                &rows,
            ),
        );
        let fits = [
            (
                "jk",
                "released, jackknife errors (the authors' fit)",
                "/fits_jackknife",
            ),
            ("bs", "released, bootstrap errors", "/fits_bootstrap"),
            (
                "total",
                "released, bootstrap + run-to-run error",
                "/fits_released_total_error",
            ),
            (
                "total_lin",
                "released, total error, against √π σ<sub>lin</sub>",
                "/fits_released_total_error_vs_linear",
            ),
            ("resim", "re-simulation means", "/fits_resim_mean"),
            (
                "resim_lin",
                "re-simulation means against √π σ<sub>lin</sub>",
                "/fits_resim_mean_vs_linear",
            ),
        ];
        let mut rows = Vec::new();
        for (key, label, ptr) in fits {
            n.inline(
                &format!("{key}_points"),
                &j.f(&format!("{ptr}/0/points"))?.to_string(),
            );
            let mut row = vec![label.to_string()];
            for (k, q) in [(0, "sigma"), (1, "s")] {
                let c = slope_cells(&j, &format!("{ptr}/{k}"))?;
                n.inline(&format!("{key}_{q}"), &c[0])
                    .inline(&format!("{key}_{q}_scaled"), &c[1])
                    .inline(&format!("{key}_{q}_chi2"), &c[2])
                    .inline(
                        &format!("{key}_{q}_pseudo"),
                        &sig(j.f(&format!("{ptr}/{k}/authors_pseudo_chi2_dof"))?, 3),
                    );
                row.extend(c);
            }
            rows.push(row);
        }
        n.block(
            "fits",
            &table(
                &[
                    "fit",
                    "√π σ: slope",
                    "error × √(χ²/dof)",
                    "χ²/dof",
                    "⟨S⟩: slope",
                    "error × √(χ²/dof)",
                    "χ²/dof",
                ],
                &rows,
            ),
        );
        let max_rel = |k: &str| -> anyhow::Result<String> { Ok(format!("{:.1e}", j.f(k)?)) };
        n.inline("max_rel_sigma", &max_rel("/max_abs_rel_diff_sigma")?)
            .inline("max_rel_s", &max_rel("/max_abs_rel_diff_s")?)
            .inline("chi2_z_sigma", &sig(j.f("/chi2_z_sigma")?, 3))
            .inline("chi2_z_s", &sig(j.f("/chi2_z_s")?, 3))
            .inline("p_z_sigma", &p(j.f("/p_z_sigma")?))
            .inline("p_z_s", &p(j.f("/p_z_s")?))
            .inline("repeats", &j.f("/config/repeats")?.to_string())
            .inline("networks", &int(j.f("/config/seeds")?))
            .inline("epochs", &j.f("/config/epochs")?.to_string())
            .inline("bootstrap", &j.f("/config/bootstrap")?.to_string())
            .inline("seed", &j.f("/config/seed")?.to_string());
        if dir.join(HOYT_FILE).is_file() {
            let h = Json::read(dir, HOYT_FILE)?;
            let mut rows = Vec::new();
            let (mut hoyt_kept, mut rayleigh_kept) = (0, 0);
            for i in 0..h.len("")? {
                let f = |k: &str| h.f(&format!("/{i}/{k}"));
                let (kh, kr) = (f("hoyt_mle/ks_p")?, f("rayleigh_mle/ks_p")?);
                hoyt_kept += usize::from(kh > 0.01);
                rayleigh_kept += usize::from(kr > 0.01);
                rows.push(vec![
                    format!("{}", f("lr")?),
                    format!("{}", f("noise")?),
                    format!("{}", f("batch")?),
                    crate::numbers::ve(
                        f("hoyt_mle/variance_ratio")?,
                        f("hoyt_mle/variance_ratio_stderr")?,
                    ),
                    p(kh),
                    p(kr),
                ]);
            }
            n.block(
                "hoyt",
                &table(
                    &[
                        "α",
                        "noise",
                        "\\|B\\|",
                        "Var v/Var u (Hoyt, max. likelihood)",
                        "KS p Hoyt",
                        "KS p Rayleigh (Eq 31)",
                    ],
                    &rows,
                ),
            )
            .inline("hoyt_files", &rows.len().to_string())
            .inline("hoyt_kept", &hoyt_kept.to_string())
            .inline("rayleigh_kept", &rayleigh_kept.to_string());
        }
        Ok(Some(n.finish()))
    }

    fn run(&self, ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
        if ctx.profile == Profile::Quick {
            eprintln!("[ts_release] skipped in the quick profile (needs the released data)");
            return Ok(Vec::new());
        }
        let data = reference_dir();
        if let Err(why) = release_data::ts::available(&data) {
            ctx.skip(self.name(), &why);
            return Ok(Vec::new());
        }
        let cfg = Config {
            version: 3,
            seed: 20240814,
            seeds: 3000,
            epochs: 10,
            repeats: 5,
            bootstrap: 200,
            jackknife: true,
            grid: released_configs(),
            authors_numbers_sha256: runner::sha256_bytes(
                release_data::ts::AUTHORS_NUMBERS_JSON.as_bytes(),
            ),
        };
        let dir = ctx.figure_dir(self.name())?;
        let table = dir.join("table.csv");
        let summary_path = dir.join("summary.json");
        let rows = ctx.data(
            self.name(),
            &cfg,
            |_| {
                let s = compute(&cfg, &data)?;
                let rows = table_rows(&s);
                write_csv(&table, &COLUMNS, rows.clone())?;
                write_json(&summary_path, &s)?;
                Ok((rows, vec![table.clone(), summary_path.clone()]))
            },
            |_| {
                // The summary must still parse: a stale or hand-edited one is an error.
                let _: Summary = read_json(&summary_path)?;
                Ok(read_csv(&table)?.rows)
            },
        )?;
        let hoyt_path = dir.join(HOYT_FILE);
        write_json(&hoyt_path, &hoyt_of_files(&cfg.grid, &data)?)?;
        let (l, r) = panels(&rows);
        let rendered =
            Grid::row(vec![Panel::from(l), Panel::from(r)]).render(&dir.join("ts_release"))?;
        let mut out = vec![table, summary_path, hoyt_path];
        out.extend(rendered.paths());
        Ok(out)
    }
}
