//! The command line of the `all` binary.
//!
//! ```text
//! all [--profile paper|quick] [--out DIR] [--force] [--only NAME,NAME] [--verify] [--list]
//!     [--shard k/n] [--rbm-items FILE]
//! all --verify-paper [--sample K] [--realisations I,J,...] [--out DIR]
//! ```
//!
//! `--shard k/n` trains only shard k of n of the RBM sweep and writes its raw per-item results
//! (`OUT/rbm/shards/items-k-of-n.csv`); `rmt-sgd merge` joins the shards and `--rbm-items`
//! feeds the merged file to the analysis and figures (see [`crate::rbm_sweep`]).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use clap::Parser;

use crate::registry::{self, Context, Profile};
use runner::{Manifest, MANIFEST_FILE};

/// Regenerate the paper's figures (data, PNG, SVG) and the output MANIFEST.
#[derive(Debug, Parser)]
#[command(version)]
pub struct Args {
    /// Experiment sizes: the authors' (`paper`) or small ones for CI (`quick`).
    #[arg(long, value_enum, default_value_t = Profile::Paper)]
    pub profile: Profile,

    /// Output directory; figure NAME writes into OUT/NAME/, the manifest is OUT/MANIFEST.
    /// Default: `data` for the paper profile, `data/quick` for the quick profile (so the
    /// committed quick results and their MANIFEST can be re-verified on any machine).
    #[arg(long)]
    pub out: Option<PathBuf>,

    /// Recompute even when a figure's config.json matches its configuration.
    #[arg(long)]
    pub force: bool,

    /// Only these figures (comma-separated names, see --list).
    #[arg(long, value_delimiter = ',', value_name = "NAME[,NAME...]")]
    pub only: Option<Vec<String>>,

    /// Regenerate into a temporary directory (always recomputing) and compare with the
    /// hashes in OUT/MANIFEST instead of writing to OUT; exits non-zero on any difference.
    #[arg(long)]
    pub verify: bool,

    /// Check the committed paper-profile data without recomputing them: every file against
    /// OUT/MANIFEST, then a sample of realisations of each ensemble (RBM sweep, Figs 4 and 5,
    /// ts_scaling) re-trained and compared bit for bit with the committed rows.
    #[arg(long)]
    pub verify_paper: bool,

    /// With --verify-paper: realisations re-trained per configuration (for ts_scaling, whole
    /// configurations), drawn from the SHA-256 of the committed file.
    #[arg(long, value_name = "K", default_value_t = 2, requires = "verify_paper")]
    pub sample: usize,

    /// With --verify-paper: re-train these realisation indices of every ensemble instead of a
    /// drawn sample.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "I[,J...]",
        requires = "verify_paper"
    )]
    pub realisations: Option<Vec<u64>>,

    /// List the registered figures and exit.
    #[arg(long)]
    pub list: bool,

    /// Train only shard k of n (1 ≤ k ≤ n) of the RBM sweep, the expensive part of the paper
    /// profile, and write its per-item results to OUT/rbm/shards/items-k-of-n.csv (no
    /// analysis, figures or manifest). Join the shards with `rmt-sgd merge`.
    #[arg(long, value_name = "k/n")]
    pub shard: Option<runner::Shard>,

    /// Take the RBM sweep's per-item results from FILE (the merged shards) instead of training;
    /// the outputs are byte-identical to an unsharded run's.
    #[arg(long, value_name = "FILE")]
    pub rbm_items: Option<PathBuf>,
}

impl Args {
    /// The output directory: `--out`, or the profile's default.
    pub fn out_dir(&self) -> PathBuf {
        self.out.clone().unwrap_or_else(|| match self.profile {
            Profile::Paper => PathBuf::from("data"),
            Profile::Quick => PathBuf::from("data").join("quick"),
        })
    }
}

/// The whole program of the `all` binary: parse the arguments, run, report.
///
/// Errors print one `error: ...` line on stderr and give exit status 2, as `rmt-sgd` does
/// (a bad `--rbm-items` file, a failed `--verify`, a corrupt journal).
pub fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::from(2)
        }
    }
}

/// Run with parsed arguments.
pub fn run(args: Args) -> anyhow::Result<()> {
    let all = registry::figures();
    if args.list {
        for f in &all {
            println!("{:<16} {}", f.name(), f.description());
        }
        if all.is_empty() {
            println!("(no figures registered yet)");
        }
        return Ok(());
    }
    let selected = registry::select(&all, args.only.as_deref())?;
    let names: Vec<&str> = selected.iter().map(|f| f.name()).collect();
    if selected.is_empty() {
        eprintln!("warning: no figures registered; the manifest will be empty");
    }

    if let Some(shard) = args.shard {
        if args.verify || args.rbm_items.is_some() {
            bail!("--shard trains one shard of the RBM sweep; it cannot be combined with --verify or --rbm-items");
        }
        if names.iter().any(|n| *n != crate::rbm_sweep::NAME) && args.only.is_some() {
            bail!("--shard applies to the rbm sweep only; drop --only or use --only rbm");
        }
        let ctx = Context::new(args.profile, args.out_dir(), args.force);
        let path = crate::rbm_sweep::run_shard(&ctx, shard)?;
        println!(
            "rbm sweep shard {shard} ({} profile): {}",
            args.profile,
            path.display()
        );
        return Ok(());
    }

    if args.verify_paper {
        if args.verify || args.rbm_items.is_some() || args.force || args.shard.is_some() {
            bail!("--verify-paper checks the committed data as they are; it takes only --out, --only, --sample and --realisations");
        }
        if args.profile != Profile::Paper {
            bail!("--verify-paper checks the paper profile; for the quick profile use --verify");
        }
        return verify_paper(&args);
    }

    if args.verify {
        if args.rbm_items.is_some() {
            bail!("--verify always recomputes; it cannot be combined with --rbm-items");
        }
        return verify(&args, &selected, &names);
    }

    let mut ctx = Context::new(args.profile, args.out_dir(), args.force);
    ctx.rbm_items.clone_from(&args.rbm_items);
    let manifest = registry::run_figures(&ctx, &selected)?;
    let path = registry::write_manifest(&ctx, &manifest, &names, args.only.is_some())?;
    print_times(&ctx.times());
    let skipped = ctx.skipped();
    println!(
        "{} figure(s), {} file(s) ({} profile); manifest: {}{}",
        selected.len() - skipped.len(),
        manifest.len(),
        args.profile,
        path.display(),
        if skipped.is_empty() {
            String::new()
        } else {
            format!("; skipped, committed outputs kept: {}", skipped.join(", "))
        }
    );
    Ok(())
}

/// The time of each job of the run, and the total, on stdout.
fn print_times(times: &[registry::JobTime]) {
    if times.is_empty() {
        return;
    }
    println!("{:<16} {:>10}  data", "job", "seconds");
    for t in times {
        let what = if t.computed { "computed" } else { "re-plotted" };
        println!("{:<16} {:>10.1}  {what}", t.name, t.seconds);
    }
    println!(
        "{:<16} {:>10.1}",
        "total",
        times.iter().map(|t| t.seconds).sum::<f64>()
    );
}

fn verify_paper(args: &Args) -> anyhow::Result<()> {
    let start = std::time::Instant::now();
    let o = crate::verify_paper::Options {
        data: args.out_dir(),
        sample: args.sample,
        realisations: args.realisations.clone(),
        only: args.only.clone(),
    };
    let done = crate::verify_paper::run(&o)?;
    println!(
        "verify-paper: OK, {} value(s) in {} row(s) of {} file group(s) bit-identical, {:.1} s",
        done.iter().map(|c| c.values).sum::<usize>(),
        done.iter().map(|c| c.rows).sum::<usize>(),
        done.len(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Whether the JSON files `a` and `b` are equal once the top-level `fields` are removed.
fn same_but_for(a: &std::path::Path, b: &std::path::Path, fields: &[&str]) -> anyhow::Result<bool> {
    let read = |p: &std::path::Path| -> anyhow::Result<serde_json::Value> {
        let mut v: serde_json::Value = runner::read_json(p)?;
        if let Some(o) = v.as_object_mut() {
            for f in fields {
                o.remove(*f);
            }
        }
        Ok(v)
    };
    Ok(read(a)? == read(b)?)
}

fn verify(args: &Args, selected: &[&dyn registry::Figure], names: &[&str]) -> anyhow::Result<()> {
    let manifest_path = args.out_dir().join(MANIFEST_FILE);
    let mut expected = Manifest::read(&manifest_path)
        .with_context(|| format!("reading the reference {}", manifest_path.display()))?;
    if args.only.is_some() {
        expected.retain(|p| registry::belongs_to(p, names));
    }
    let tmp = tempfile::Builder::new()
        .prefix("rmt-sgd-verify-")
        .tempdir()
        .context("creating a temporary directory")?;
    let ctx = Context::new(args.profile, tmp.path(), true);
    let actual = registry::run_figures(&ctx, selected)?;
    let skipped = ctx.skipped();
    if !skipped.is_empty() {
        let s: Vec<&str> = skipped.iter().map(String::as_str).collect();
        let before = expected.len();
        expected.retain(|p| !registry::belongs_to(p, &s));
        eprintln!(
            "warning: {} skipped here: {} of their committed file(s) not verified",
            s.join(", "),
            before - expected.len()
        );
    }
    let mut diff = expected.diff(&actual);
    let mut informational = Vec::new();
    for file in &diff.changed {
        if let Some(fields) = registry::informational_fields(file) {
            if same_but_for(&args.out_dir().join(file), &tmp.path().join(file), fields)? {
                eprintln!(
                    "note: {file} differs only in its informational {}",
                    fields.join(", ")
                );
                informational.push(file.clone());
            }
        }
    }
    diff.changed.retain(|p| !informational.contains(p));
    if diff.is_empty() {
        println!(
            "verify: OK, {} file(s) identical to {} ({} profile)",
            actual.len(),
            manifest_path.display(),
            args.profile
        );
        return Ok(());
    }
    print!("{diff}");
    if let Some(stored) = names
        .iter()
        .find_map(|n| registry::stored_profile(&args.out_dir(), n))
    {
        if stored != args.profile {
            eprintln!(
                "hint: {} holds {stored}-profile results; verify with --profile {stored}",
                args.out_dir().display()
            );
        }
    }
    bail!(
        "verify: {} changed, {} missing, {} extra file(s) against {}",
        diff.changed.len(),
        diff.missing.len(),
        diff.extra.len(),
        manifest_path.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn informational_fields_are_ignored_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let a = write(
            "a.json",
            r#"{"seed": 1, "wall_seconds": 12.5, "threads": 2, "points": [1.5]}"#,
        );
        let b = write(
            "b.json",
            r#"{"seed": 1, "wall_seconds": 99.0, "threads": 8, "points": [1.5]}"#,
        );
        let c = write(
            "c.json",
            r#"{"seed": 1, "wall_seconds": 12.5, "threads": 2, "points": [1.25]}"#,
        );
        let fields = crate::rbm_sweep::INFORMATIONAL.1;
        assert!(same_but_for(&a, &b, fields).unwrap());
        assert!(!same_but_for(&a, &c, fields).unwrap());
        assert!(!same_but_for(&a, &b, &["threads"]).unwrap());
    }
}
