//! `all --verify-paper`: checks the committed paper-profile data without recomputing them.
//!
//! 1. Every file under `<data>` is listed in a MANIFEST (`<data>/MANIFEST`, or that of a
//!    sub-directory with its own: `quick/`, `python/`) and hashes to its line.
//! 2. A sample of realisations of each ensemble is re-trained alone, by the functions the
//!    figures train them with (same seeds: a realisation's stream depends only on the base
//!    seed, the configuration and its index), and the rows compared bit for bit with the
//!    committed CSV files: `rbm/lambda.csv` (per configuration of the sweep), the member
//!    columns of `fig4/members_<z>.csv`, the rows of `fig5/samples_<z>.csv`. A row of
//!    `ts_scaling/points.csv` is a statistic of a whole ensemble, so there whole configurations
//!    are re-trained and analysed.
//!
//! The sample is drawn from the SHA-256 of the committed file, so it is fixed by the data and
//! changes when they do; `--realisations` names the indices instead.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context as _};
use rayon::prelude::*;
use teacher_student::Model;

use crate::registry::Profile;
use crate::ts_common::HIDDEN_MODELS;
use runner::{read_csv, CsvTable, Manifest, MANIFEST_FILE};

/// What to check.
#[derive(Debug, Clone)]
pub struct Options {
    /// The data directory (`data/`), holding `MANIFEST` and the paper-profile outputs.
    pub data: PathBuf,
    /// Realisations per configuration (configurations, for `ts_scaling`).
    pub sample: usize,
    /// These realisation indices in every ensemble instead of a drawn sample.
    pub realisations: Option<Vec<u64>>,
    /// Only the ensembles of these figures (`rbm`, `fig4`, `fig5`, `ts_scaling`); all if `None`.
    pub only: Option<Vec<String>>,
}

type Job = fn(&Options) -> anyhow::Result<Checked>;

/// The figures with re-trainable ensembles, cheapest first (a difference shows early).
const JOBS: [(&str, Job); 4] = [
    ("fig4", fig4_members),
    ("fig5", fig5_samples),
    ("ts_scaling", ts_scaling_points),
    (crate::rbm_sweep::NAME, rbm_sweep),
];

/// What one job checked.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The file, relative to the data directory.
    pub file: String,
    /// Configurations (or models) sampled.
    pub configurations: usize,
    /// Realisations re-trained (whole configurations for `ts_scaling`).
    pub realisations: usize,
    /// What `realisations` counts.
    pub unit: &'static str,
    /// Rows compared (in whole or in part).
    pub rows: usize,
    /// Values compared.
    pub values: usize,
    /// Wall time, seconds.
    pub seconds: f64,
}

impl std::fmt::Display for Checked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} {} re-trained ({} configuration(s)), {} value(s) in {} row(s) bit-identical ({:.1} s)",
            self.file,
            self.realisations,
            self.unit,
            self.configurations,
            self.values,
            self.rows,
            self.seconds
        )
    }
}

/// Runs every check; the first difference is the error (file, line, column).
pub fn run(o: &Options) -> anyhow::Result<Vec<Checked>> {
    if o.sample == 0 && o.realisations.is_none() {
        bail!("--sample must be at least 1");
    }
    let (files, manifests) = check_manifests(&o.data)?;
    let shown: Vec<String> = manifests.iter().map(|m| m.display().to_string()).collect();
    println!(
        "verify-paper: {files} file(s) match {} (and every file there is listed)",
        shown.join(", ")
    );
    let mut done = Vec::new();
    for (name, job) in JOBS {
        if o.only
            .as_ref()
            .is_some_and(|n| !n.iter().any(|n| n == name))
        {
            continue;
        }
        let c = job(o)?;
        println!("verify-paper: {c}");
        done.push(c);
    }
    Ok(done)
}

/// Checks that every file under `data` is covered by a MANIFEST and hashes to its line: the
/// directories of `data` that hold their own `MANIFEST` (`quick/`, `python/`) by
/// theirs, everything else by `<data>/MANIFEST`. Returns the number of files checked and the
/// manifests.
pub fn check_manifests(data: &Path) -> anyhow::Result<(usize, Vec<PathBuf>)> {
    let mut own = Vec::new();
    for e in std::fs::read_dir(data).with_context(|| format!("listing {}", data.display()))? {
        let p = e?.path();
        if p.is_dir() && p.join(MANIFEST_FILE).is_file() {
            own.push(p);
        }
    }
    own.sort();
    let mut n = check_manifest(data, &own)?;
    for d in &own {
        n += check_manifest(d, &[])?;
    }
    let manifests = std::iter::once(data)
        .chain(own.iter().map(PathBuf::as_path))
        .map(|d| d.join(MANIFEST_FILE))
        .collect();
    Ok((n, manifests))
}

/// Every entry of `<dir>/MANIFEST` hashes to its line, and every file under `dir` (except those
/// under `skip`) is listed.
fn check_manifest(dir: &Path, skip: &[PathBuf]) -> anyhow::Result<usize> {
    let path = dir.join(MANIFEST_FILE);
    let m = Manifest::read(&path)?;
    for (rel, want) in m.entries() {
        let f = dir.join(rel);
        if !f.is_file() {
            bail!("{}: listed in {} but missing", f.display(), path.display());
        }
        let got = runner::sha256_file(&f)?;
        if got != want {
            bail!(
                "{}: sha256 {got} differs from {want} in {}",
                f.display(),
                path.display()
            );
        }
    }
    for f in files_under(dir)? {
        if f == path || skip.iter().any(|s| f.starts_with(s)) {
            continue;
        }
        let rel = runner::relative_path(dir, &f)?;
        if m.get(&rel).is_none() && !git_ignored(&f) {
            bail!("{}: not listed in {}", f.display(), path.display());
        }
    }
    Ok(m.len())
}

/// Whether git ignores `f`: outputs a user makes inside `data/` by design and never commits (RBM
/// shards and their merge, the Python example's runs) are in no MANIFEST. False where git or the
/// repository is unavailable, so an unlisted file then still fails the check.
fn git_ignored(f: &Path) -> bool {
    let (Some(parent), Some(name)) = (f.parent(), f.file_name()) else {
        return false;
    };
    // Run in the file's directory (`parent` may be relative: "" is the current one).
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    std::process::Command::new("git")
        .args(["check-ignore", "-q", "--"])
        .arg(name)
        .current_dir(parent)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn files_under(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).with_context(|| format!("listing {}", d.display()))? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `k` distinct indices below `n` drawn from `key` (the committed file's SHA-256 and the
/// configuration), or the `--realisations` given (checked against `n`).
fn indices(o: &Options, key: &str, n: usize, what: &str) -> anyhow::Result<Vec<u64>> {
    if let Some(given) = &o.realisations {
        if let Some(bad) = given.iter().find(|&&i| i >= n as u64) {
            bail!("--realisations {bad}: {what} has {n} realisations (0..{n})");
        }
        return Ok(given.clone());
    }
    let k = o.sample.min(n);
    let mut picked = BTreeSet::new();
    for j in 0u64.. {
        if picked.len() == k {
            break;
        }
        let h = runner::sha256_bytes(format!("{key}/{j}").as_bytes());
        let x = u64::from_str_radix(&h[..16], 16).expect("hex digits");
        picked.insert(x % n as u64);
    }
    Ok(picked.into_iter().collect())
}

/// The committed table `rel` and the SHA-256 that keys its sample.
fn committed(o: &Options, rel: &str) -> anyhow::Result<(CsvTable, String)> {
    let path = o.data.join(rel);
    let t = read_csv(&path).with_context(|| format!("reading the committed {rel}"))?;
    Ok((t, runner::sha256_file(&path)?))
}

fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Compares the re-trained `cells` (column, value) of data row `row` (0-based) with the committed
/// table; the error names the file, its line and the column.
fn compare(
    rel: &str,
    t: &CsvTable,
    row: usize,
    cells: impl IntoIterator<Item = (usize, f64)>,
    what: &str,
) -> anyhow::Result<usize> {
    let line = row + 2;
    let have = t.rows.get(row).with_context(|| {
        format!(
            "{rel}: no line {line} for {what} (the file has {} rows)",
            t.rows.len()
        )
    })?;
    let mut n = 0;
    for (j, v) in cells {
        n += 1;
        let c = have.get(j).copied().unwrap_or(f64::NAN);
        if !same(c, v) {
            bail!(
                "{rel} line {line} ({what}), column {}: committed {c:?}, re-trained {v:?}",
                t.header.get(j).map_or("?", String::as_str)
            );
        }
    }
    Ok(n)
}

fn rbm_sweep(o: &Options) -> anyhow::Result<Checked> {
    let start = Instant::now();
    let rel = "rbm/lambda.csv";
    let (t, sha) = committed(o, rel)?;
    let sweep = crate::rbm_sweep::SweepConfig::for_profile(Profile::Paper).sweep;
    let n = sweep.realisations as usize;
    // (configuration, realisation) → data row.
    let mut at: HashMap<(usize, u64), usize> = HashMap::new();
    for (r, row) in t.rows.iter().enumerate() {
        if row.len() < 4 {
            bail!("{rel} line {}: {} columns", r + 2, row.len());
        }
        at.insert((row[0] as usize, row[3] as u64), r);
    }
    let picks = (0..sweep.points.len())
        .map(|c| {
            indices(
                o,
                &format!("{sha}/{c}"),
                n,
                &format!("{rel} configuration {c}"),
            )
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let retrained = picks
        .par_iter()
        .enumerate()
        .map(|(c, idx)| crate::rbm_sweep::retrain_rows(Profile::Paper, c, idx))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let (mut rows, mut values) = (0, 0);
    for (c, rs) in retrained.iter().enumerate() {
        for (i, row) in rs {
            let what = format!("configuration {c}, realisation {i}");
            match (at.get(&(c, *i)), row) {
                (Some(&r), Some(row)) => {
                    values += compare(rel, &t, r, row.iter().copied().enumerate(), &what)?;
                    rows += 1;
                }
                (None, None) => {} // diverged in both
                (Some(&r), None) => bail!(
                    "{rel} line {}: {what} diverged when re-trained, but the file has its row",
                    r + 2
                ),
                (None, Some(_)) => bail!("{rel}: no row for {what}, which re-trains to the end"),
            }
        }
    }
    Ok(Checked {
        file: rel.into(),
        configurations: picks.len(),
        realisations: picks.iter().map(Vec::len).sum(),
        unit: "realisation(s)",
        rows,
        values,
        seconds: start.elapsed().as_secs_f64(),
    })
}

fn model_file(prefix: &str, m: Model) -> String {
    format!("{prefix}_{}.csv", m.name())
}

fn fig4_members(o: &Options) -> anyhow::Result<Checked> {
    let start = Instant::now();
    let shown = crate::ts_fig4::shown(Profile::Paper);
    let (mut realisations, mut rows, mut values) = (0, 0, 0);
    for m in HIDDEN_MODELS {
        let rel = format!("fig4/{}", model_file("members", m));
        let (t, sha) = committed(o, &rel)?;
        let idx = indices(o, &sha, shown, &format!("{rel} (members shown)"))?;
        let levels = idx
            .par_iter()
            .map(|&k| crate::ts_fig4::retrain_member(Profile::Paper, m, k))
            .collect::<anyhow::Result<Vec<_>>>()?;
        for (&k, lv) in idx.iter().zip(&levels) {
            if lv.len() != t.rows.len() {
                bail!(
                    "{rel}: {} records, network {k} re-trains to {}",
                    t.rows.len(),
                    lv.len()
                );
            }
            let col = 1 + 2 * k as usize;
            for (r, x) in lv.iter().enumerate() {
                let what = format!("network {k}");
                values += compare(&rel, &t, r, [(col, x[0]), (col + 1, x[1])], &what)?;
            }
            realisations += 1;
        }
        rows += t.rows.len();
    }
    Ok(Checked {
        file: "fig4/members_{z26,z27}.csv".into(),
        configurations: HIDDEN_MODELS.len(),
        realisations,
        unit: "network(s)",
        rows,
        values,
        seconds: start.elapsed().as_secs_f64(),
    })
}

fn fig5_samples(o: &Options) -> anyhow::Result<Checked> {
    let start = Instant::now();
    let n = crate::ts_fig5::networks(Profile::Paper);
    let (mut realisations, mut rows, mut values) = (0, 0, 0);
    for m in HIDDEN_MODELS {
        let rel = format!("fig5/{}", model_file("samples", m));
        let (t, sha) = committed(o, &rel)?;
        let idx = indices(o, &sha, n, &rel)?;
        let got = crate::ts_fig5::retrain_samples(Profile::Paper, m, &idx)?;
        for (&k, row) in idx.iter().zip(&got) {
            let what = format!("network {k}");
            values += compare(&rel, &t, k as usize, row.iter().copied().enumerate(), &what)?;
            rows += 1;
        }
        realisations += idx.len();
    }
    Ok(Checked {
        file: "fig5/samples_{z26,z27}.csv".into(),
        configurations: HIDDEN_MODELS.len(),
        realisations,
        unit: "network(s)",
        rows,
        values,
        seconds: start.elapsed().as_secs_f64(),
    })
}

fn ts_scaling_points(o: &Options) -> anyhow::Result<Checked> {
    let start = Instant::now();
    let rel = "ts_scaling/points.csv";
    let (t, sha) = committed(o, rel)?;
    let n = crate::ts_scaling::configurations(Profile::Paper);
    // The unit is a configuration: `--realisations` does not apply, the sample size does.
    let drawn = Options {
        realisations: None,
        sample: o.sample.max(1),
        ..o.clone()
    };
    let picks = indices(&drawn, &sha, n, rel)?;
    let (mut rows, mut values) = (0, 0);
    for &d in &picks {
        for (r, row) in crate::ts_scaling::retrain_configuration(Profile::Paper, d as usize)? {
            let what = format!("configuration {d}");
            values += compare(rel, &t, r, row.iter().copied().enumerate(), &what)?;
            rows += 1;
        }
    }
    Ok(Checked {
        file: rel.into(),
        configurations: picks.len(),
        realisations: picks.len(),
        unit: "whole ensemble(s)",
        rows,
        values,
        seconds: start.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawn_indices_are_distinct_deterministic_and_keyed() {
        let o = Options {
            data: PathBuf::new(),
            sample: 5,
            realisations: None,
            only: None,
        };
        let a = indices(&o, "abc", 1000, "x").unwrap();
        assert_eq!(a.len(), 5);
        assert_eq!(a, indices(&o, "abc", 1000, "x").unwrap());
        assert_ne!(a, indices(&o, "abd", 1000, "x").unwrap());
        assert!(a.iter().all(|&i| i < 1000));
        assert_eq!(indices(&o, "abc", 3, "x").unwrap(), vec![0, 1, 2]);
        let given = Options {
            realisations: Some(vec![7, 2]),
            ..o
        };
        assert_eq!(indices(&given, "abc", 10, "x").unwrap(), vec![7, 2]);
        let e = indices(&given, "abc", 5, "the ensemble").unwrap_err();
        assert!(e.to_string().contains("--realisations 7"), "{e}");
    }
}
