//! The `analyze` chapter's worked example: `rmt-sgd analyze` on one released teacher-student file
//! and `--scaling` on the released batch-size scan, through the same `figures::analyze` functions
//! the command calls, into `data/analyze/` (the JSON the command prints, its pictures, and the
//! book's numbers). Needs the authors' released files; without them the job is skipped and its
//! committed outputs are kept. Paper profile only.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::analyze::{analyse_file, analyse_scaling, AnalyzeOptions};
use crate::numbers::{int, p, sig, table, ve, Json, Numbers};
use crate::registry::{Context, Figure, Profile};

const NAME: &str = "analyze";
const SINGLE: &str = "single/bs16.json";
const SCALING: &str = "scaling/bs_scaling.json";
/// The batch sizes of the released scan at α = 0.1, noise 0.1.
const BATCHES: [u32; 5] = [4, 8, 16, 32, 64];

/// A released file of the batch-size scan, relative to the release's directory.
fn released(batch: u32) -> String {
    format!("TSmodel/bs/TSmodel_lr0.1n0.1bs{batch}/TSmodel_lr0.1n0.1bs{batch}.npz")
}

/// The command's defaults with `--plots DIR`.
fn defaults(plots: PathBuf) -> AnalyzeOptions {
    AnalyzeOptions {
        plots: Some(plots),
        ..AnalyzeOptions::default()
    }
}

/// Every `"file"` field below `v` made relative to the release (`TSmodel/...`), so the
/// committed JSON does not depend on where the release lives.
fn relative_files(v: &mut serde_json::Value, release: &str) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if k == "file" {
                    if let Some(s) = x.as_str() {
                        *x = s.trim_start_matches(release).trim_start_matches('/').into();
                    }
                } else {
                    relative_files(x, release);
                }
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| relative_files(x, release)),
        _ => {}
    }
}

/// The plots written, as paths the JSON lists.
fn pngs(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let p = e?.path();
        if p.extension().is_some_and(|x| x == "png") {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

/// What the job caches on: the inputs and the command's bootstrap.
#[derive(serde::Serialize)]
struct Config {
    version: u32,
    files: Vec<String>,
    bootstrap: usize,
    seed: u64,
}

/// The two analyses into `dir`; returns the files written.
fn compute(dir: &Path, data: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let release = data.display().to_string();
    let files: Vec<PathBuf> = BATCHES.iter().map(|&b| data.join(released(b))).collect();
    let mut written = Vec::new();
    for sub in ["single", "scaling"] {
        let d = dir.join(sub);
        // Fresh pictures: a stale one would stay listed in the MANIFEST.
        if d.is_dir() {
            for p in pngs(&d)? {
                std::fs::remove_file(&p).with_context(|| format!("removing {}", p.display()))?;
            }
        }
        std::fs::create_dir_all(&d).with_context(|| format!("creating {}", d.display()))?;
    }
    let single = analyse_file(&files[2], &defaults(dir.join("single")))?;
    let mut v = serde_json::to_value(&single)?;
    relative_files(&mut v, &release);
    runner::write_json(dir.join(SINGLE), &v)?;
    written.push(dir.join(SINGLE));
    written.extend(pngs(&dir.join("single"))?);

    let scaling_options = AnalyzeOptions {
        targets: Some(vec![2.0]),
        bootstrap_label: "ts_release".into(),
        ..defaults(dir.join("scaling"))
    };
    let scaling = analyse_scaling(&files, &scaling_options)?;
    let mut v = serde_json::to_value(&scaling)?;
    relative_files(&mut v, &release);
    runner::write_json(dir.join(SCALING), &v)?;
    written.push(dir.join(SCALING));
    written.extend(pngs(&dir.join("scaling"))?);
    Ok(written)
}

/// The job.
pub struct AnalyzeExample;

impl Figure for AnalyzeExample {
    fn name(&self) -> &'static str {
        NAME
    }

    fn description(&self) -> &'static str {
        "The analyze chapter's example: rmt-sgd analyze on a released file and --scaling on the \
         released batch-size scan (paper profile, needs the data)"
    }

    fn run(&self, ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
        if ctx.profile == Profile::Quick {
            eprintln!("[{NAME}] skipped in the quick profile (needs the released data)");
            return Ok(Vec::new());
        }
        let data = release_data::ts::reference_dir(Path::new("."));
        if let Err(why) = release_data::ts::available(&data) {
            ctx.skip(NAME, &why);
            return Ok(Vec::new());
        }
        let cfg = Config {
            version: 1,
            files: BATCHES.iter().map(|&b| released(b)).collect(),
            bootstrap: AnalyzeOptions::default().bootstrap,
            seed: AnalyzeOptions::default().seed,
        };
        let dir = ctx.figure_dir(NAME)?;
        ctx.compute_if_stale(NAME, &cfg, |dir| compute(dir, &data))?;
        let mut files = vec![dir.join(SINGLE), dir.join(SCALING)];
        files.extend(pngs(&dir.join("single"))?);
        files.extend(pngs(&dir.join("scaling"))?);
        Ok(files)
    }

    fn numbers(&self, dir: &Path) -> anyhow::Result<Option<String>> {
        if !dir.join(SINGLE).is_file() {
            return Ok(None);
        }
        let s = Json::read(dir, SINGLE)?;
        let k = "/peaks/0";
        let f = |p: &str| s.f(&format!("{k}/{p}"));
        let (ls, ls_err) = (f("fit/sigma")?, f("fit/sigma_stderr")?);
        let (ml, ml_err) = (f("ml/params/1")?, f("ml/stderr/1")?);
        let boot = f("bootstrap/sigma")?;
        let (u4, u4_err, u4_pair) = (f("u4")?, f("bootstrap/u4")?, f("u4_expected")?);
        let (w1, w2) = (f("eq32/ml/params/1")?, f("eq32/ml/params/2")?);
        let (e1, e2) = (f("eq32/ml/stderr/1")?, f("eq32/ml/stderr/2")?);
        let rows = vec![
            vec![
                "networks (outliers)".into(),
                format!(
                    "{} ({})",
                    int(s.f("/samples")?),
                    s.len("/outliers/samples")?
                ),
            ],
            vec![
                "level means".into(),
                format!(
                    "{}, {}",
                    sig(s.f("/level_means/0")?, 6),
                    sig(s.f("/level_means/1")?, 6)
                ),
            ],
            vec!["pooled samples of the pair".into(), int(f("samples")?)],
            vec![
                "Eq (11), least squares: centre, σ".into(),
                format!(
                    "{}, {} ({} bins, {})",
                    ve(f("fit/centre")?, f("fit/centre_stderr")?),
                    ve(ls, ls_err),
                    f("fit/bins")?,
                    s.get(&format!("{k}/fit/binning"))?.as_str().unwrap_or("?")
                ),
            ],
            vec!["σ, bootstrap error".into(), format!("± {}", sig(boot, 2))],
            vec![
                "Eq (11), maximum likelihood: centre, σ, KS p".into(),
                format!(
                    "{}, {}, {}",
                    ve(f("ml/params/0")?, f("ml/stderr/0")?),
                    ve(ml, ml_err),
                    p(f("ml/ks_p")?)
                ),
            ],
            vec![
                "Eq (32), maximum likelihood: σ₁, σ₂, KS p".into(),
                format!("{}, {}, {}", ve(w1, e1), ve(w2, e2), p(f("eq32/ml/ks_p")?)),
            ],
            vec![
                "U4: sample (bootstrap error); Eq (32) fit; Eq (11)".into(),
                format!(
                    "{}; {}; {}",
                    ve(u4, u4_err),
                    sig(f("eq32/u4_ml")?, 3),
                    sig(u4_pair, 3)
                ),
            ],
            vec![
                "⟨S⟩: binned, sample mean; KS p against the surmise".into(),
                format!(
                    "{}, {}; {}",
                    sig(f("spacings/mean_binned")?, 6),
                    sig(f("spacings/mean")?, 6),
                    p(f("spacings/ks_surmise_p")?)
                ),
            ],
        ];
        let mut n = Numbers::default();
        n.block("single", &table(&["quantity", "value"], &rows))
            .inline("single_samples", &int(f("samples")?))
            .inline("single_sigma_ls", &sig(ls, 8))
            .inline("ml_excess_pct", &sig(100.0 * (ml / ls - 1.0), 2))
            .inline("ml_excess_errors", &sig((ml - ls) / boot, 2))
            .inline(
                "eq32_width_difference",
                &ve(w2 - w1, (e1 * e1 + e2 * e2).sqrt()),
            )
            .inline("u4", &ve(u4, u4_err))
            .inline("u4_from_pair", &sig((u4 - u4_pair) / u4_err, 2))
            .inline("u4_eq32", &sig(f("eq32/u4_ml")?, 3));

        let c = Json::read(dir, SCALING)?;
        let fit = "/scaling/fits/0";
        let cf = |p: &str| c.f(&format!("{fit}/{p}"));
        let mut rows = Vec::new();
        for i in 0..c.len(&format!("{fit}/x"))? {
            rows.push(vec![
                int(c.f(&format!("/runs/{i}/scaling_batch_size"))?),
                sig(cf(&format!("x/{i}"))?, 5),
                ve(cf(&format!("sigma/{i}"))?, cf(&format!("sigma_err/{i}"))?),
            ]);
        }
        // Pipes inside a cell are escaped (a table cell cannot hold a bare |).
        let points = table(
            &[
                "\\|B\\|",
                "x = √(α·noise²/\\|B\\|)",
                "σ (least squares, bootstrap error)",
            ],
            &rows,
        );
        let slope = crate::numbers::slope_cells(&c, &format!("{fit}/slope"))?;
        let ml_slope = crate::numbers::slope_cells(&c, &format!("{fit}/maximum_likelihood/slope"))?;
        let fits = table(
            &["σ = a·x", "a", "a, error ×√(χ²/dof)", "χ²/dof"],
            &[
                [vec!["least squares".to_string()], slope].concat(),
                [vec!["maximum likelihood".to_string()], ml_slope].concat(),
            ],
        );
        let verdict = format!(
            "exponent p = {} (σ = c·xᵖ); verdict: **{}**: {}",
            ve(cf("exponent/value")?, cf("exponent/err_scaled")?),
            c.get("/scaling/linear_scaling")?.as_str().unwrap_or("?"),
            c.get("/scaling/reason")?.as_str().unwrap_or("?")
        );
        n.block("scaling_points", &points)
            .block("scaling_fits", &format!("{fits}\n{verdict}\n"))
            .inline("scaling_sqrt_pi_slope", &sig(cf("sqrt_pi_slope")?, 4))
            .inline("scaling_chi2_dof", &sig(cf("slope/chi2_dof")?, 3));
        Ok(Some(n.finish()))
    }
}
