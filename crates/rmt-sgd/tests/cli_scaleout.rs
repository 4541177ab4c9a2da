//! Scale-out end to end: `--shard k/n` on every sweep command merged by `rmt-sgd merge` into
//! the bytes of a single run; a sweep killed with SIGKILL resumes from its journal and writes
//! the bytes of an uninterrupted run; journals of other parameters are refused; the figures'
//! RBM sweep sharded three ways, merged and analysed equals the unsharded sweep.

mod common;
use common::{ok_json as ok, rmt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use figures::rbm_sweep::{self, SweepConfig};
use figures::Profile;
use runner::{journal_path, Shard};
use serde_json::Value;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `base` with `--out out` and `extra` appended.
fn with(base: &[&str], out: &Path, extra: &[&str]) -> Vec<String> {
    base.iter()
        .chain(&["--out", s(out)])
        .chain(extra)
        .map(|a| a.to_string())
        .collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Runs `base` unsharded and as three shards (merged out of order, with `merge_extra`), and
/// checks the merged file is byte-identical to the unsharded one.
fn shards_merge_to_single_run(base: &[&str], merge_extra: &[&str], index_header: &str) {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full.csv");
    ok(&strs(&with(base, &full, &[])));
    let mut shards = Vec::new();
    for k in [2, 3, 1] {
        let out = dir.path().join(format!("s{k}.csv"));
        let shard = format!("{k}/3");
        let j = ok(&strs(&with(base, &out, &["--shard", &shard])));
        assert_eq!(j["shard"], shard.as_str());
        let text = std::fs::read_to_string(&out).unwrap();
        // The provenance line, then the header with its index column.
        let (prov, body) = text.split_once('\n').unwrap();
        assert!(prov.starts_with("# rmt-sgd shard {\"format\":1,"), "{prov}");
        assert!(prov.contains(&format!("\"shard\":\"{shard}\"")), "{prov}");
        assert!(body.starts_with(index_header), "{text}");
        shards.push(out);
    }
    let merged = dir.path().join("merged.csv");
    let mut args = vec!["merge", "--out", s(&merged)];
    args.extend_from_slice(merge_extra);
    args.extend(shards.iter().map(|p| s(p)));
    let o = rmt(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read(&merged).unwrap(),
        std::fs::read(&full).unwrap(),
        "{base:?}: merged shards differ from the single run"
    );
    // The summary on stdout: rows, shards, the run.
    let j: Value = serde_json::from_slice(&o.stdout).expect("merge prints JSON");
    assert_eq!(j["shards"], 3);
    assert_eq!(j["out"], s(&merged));
    let command = match base[0] {
        "train" => format!("train {}", base[1]),
        c => c.to_string(),
    };
    assert_eq!(j["command"], command.as_str());
    let rows = std::fs::read_to_string(&full).unwrap().lines().count() - 1;
    assert_eq!(j["rows"], rows);
}

const DBM: &[&str] = &[
    "dbm", "--n", "3", "--lr", "0.01", "--batch", "2", "--g2", "10,20,30", "--omega", "1",
    "--centre", "0,1,2", "--chains", "50", "--steps", "200", "--seed", "9",
];
const TS: &[&str] = &[
    "train", "ts", "--model", "z26", "--lr", "0.1", "--noise", "0.1", "--batch", "16", "--seeds",
    "20", "--seed", "7", "--epochs", "1",
];

#[test]
fn dbm_shards_carry_a_chain_column_that_merge_drops() {
    shards_merge_to_single_run(DBM, &["--drop-index"], "chain,x1,x2,x3\n");
    // Without --drop-index the merged file keeps the chain column, rows in chain order.
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    ok(&strs(&with(DBM, &a, &["--shard", "1/1"])));
    let text = std::fs::read_to_string(&a).unwrap();
    let ids: Vec<&str> = text
        .lines()
        .skip(2)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(ids, (0..50).map(|k| k.to_string()).collect::<Vec<_>>());
}

#[test]
fn train_ts_shards_merge_to_the_single_run() {
    shards_merge_to_single_run(TS, &[], "seed,xi_1,xi_2\n");
}

/// Number of complete item lines in a journal.
fn journal_items(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .map(|t| {
            t.lines()
                .skip(1)
                .count()
                .saturating_sub(usize::from(!t.ends_with('\n')))
        })
        .unwrap_or(0)
}

/// Starts `args` on one thread, SIGKILLs it once its journal holds at least `min` items,
/// appends a torn line, reruns the same command and checks: fewer items computed, the resumed
/// count reported, output byte-identical to an uninterrupted run, journal gone. Returns
/// (items in the journal at the kill, resumed, computed).
fn kill_and_resume(base: &[&str], total: usize, min: usize) -> (usize, u64, u64) {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference.csv");
    ok(&strs(&with(base, &reference, &[])));

    let out = dir.path().join("out.csv");
    let journal = journal_path(&out);
    let args = with(base, &out, &[]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_rmt-sgd"))
        .args(&args)
        .env("RAYON_NUM_THREADS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while journal_items(&journal) < min {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run finished before it could be killed"
        );
        assert!(start.elapsed() < Duration::from_secs(60), "no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(!out.exists(), "a killed run left an output file");
    let at_kill = journal_items(&journal);
    assert!(at_kill < total, "the run had finished: {at_kill} items");
    // A write torn by the kill: an incomplete last line is discarded on resume.
    let mut text = std::fs::read_to_string(&journal).unwrap();
    if text.ends_with('\n') {
        text.push_str("999999,0.12");
        std::fs::write(&journal, &text).unwrap();
    }

    let o = rmt(&strs(&args));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json: Value = serde_json::from_slice(&o.stdout).unwrap();
    let (resumed, computed) = (
        json["resumed"].as_u64().unwrap(),
        json["computed"].as_u64().unwrap(),
    );
    assert!(resumed as usize >= at_kill && resumed > 0, "{json}");
    assert_eq!(resumed + computed, total as u64);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("resuming: {resumed} of {total} items")),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(&reference).unwrap(),
        "resumed output differs from the uninterrupted run"
    );
    assert!(!journal.exists(), "journal left behind");
    (at_kill, resumed, computed)
}

#[test]
fn killed_train_rbm_resumes_from_its_journal() {
    let base = [
        "train",
        "rbm",
        "--lr",
        "0.1",
        "--batch",
        "4",
        "--epochs",
        "15000",
        "--seed",
        "3",
        "--realisations",
        "24",
    ];
    let (at_kill, resumed, computed) = kill_and_resume(&base, 24, 8);
    eprintln!(
        "train rbm: killed with {at_kill} items journalled; resumed {resumed}, computed {computed}"
    );
}

#[test]
fn killed_dbm_resumes_from_its_journal() {
    let base = [
        "dbm", "--n", "3", "--lr", "0.01", "--batch", "2", "--g2", "10,20,30", "--omega", "1",
        "--centre", "0,1,2", "--chains", "800", "--steps", "4000", "--seed", "4",
    ];
    let (at_kill, resumed, computed) = kill_and_resume(&base, 800, 64);
    eprintln!(
        "dbm: killed with {at_kill} items journalled; resumed {resumed}, computed {computed}"
    );
}

#[test]
fn killed_train_ts_resumes_from_its_journal() {
    let base = [
        "train", "ts", "--model", "released", "--lr", "0.1", "--noise", "0.1", "--batch", "16",
        "--seeds", "600", "--seed", "5", "--epochs", "10",
    ];
    let (at_kill, resumed, computed) = kill_and_resume(&base, 600, 40);
    eprintln!(
        "train ts: killed with {at_kill} items journalled; resumed {resumed}, computed {computed}"
    );
}

#[test]
fn a_journal_of_other_parameters_is_refused_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.csv");
    let journal = journal_path(&out);
    let base = [
        "train",
        "rbm",
        "--lr",
        "0.1",
        "--batch",
        "4",
        "--epochs",
        "30",
        "--realisations",
        "6",
    ];
    // A journal left by a run with seed 1 (one finished realisation).
    let header = r#"# rmt-sgd journal v2 {"batch":4,"command":"train rbm","epochs":30,"lr":0.1,"realisations":6,"seed":1,"shard":"1/1"}"#;
    std::fs::write(&journal, format!("{header}\n")).unwrap();
    let o = rmt(&strs(&with(&base, &out, &["--seed", "2"])));
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("different parameters (seed: 1 -> 2)"), "{err}");
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_to_string(&journal).unwrap(),
        format!("{header}\n")
    );
    // The same parameters resume it (nothing finished yet: all 6 computed).
    let j = ok(&strs(&with(&base, &out, &["--seed", "1"])));
    assert_eq!(
        (j["resumed"].as_u64(), j["computed"].as_u64()),
        (Some(0), Some(6))
    );
    assert!(!journal.exists());
    // A journal that is not one is refused too.
    std::fs::write(&journal, "realisation,lambda1\n").unwrap();
    let o = rmt(&strs(&with(&base, &out, &["--seed", "1"])));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not an rmt-sgd journal"));
}

/// A small version of the figures' RBM sweep: 3 points, 5 realisations, 300 epochs.
fn tiny_sweep() -> SweepConfig {
    let mut cfg = SweepConfig::for_profile(Profile::Quick);
    cfg.sweep.realisations = 5;
    cfg.sweep.points.truncate(3);
    for p in &mut cfg.sweep.points {
        p.hyper.epochs = 300;
    }
    cfg
}

fn outputs(dir: &Path) -> Vec<Vec<u8>> {
    ["lambda.csv", "sweep.json"]
        .iter()
        .map(|f| std::fs::read(dir.join(f)).unwrap())
        .collect()
}

#[test]
fn figures_rbm_sweep_three_shards_merge_to_the_unsharded_outputs() {
    let cfg = tiny_sweep();
    let q = Profile::Quick;
    let dir = tempfile::tempdir().unwrap();
    let (single, merged_dir, shards_dir) = (
        dir.path().join("single"),
        dir.path().join("merged"),
        dir.path().join("shards"),
    );
    for d in [&single, &merged_dir] {
        std::fs::create_dir_all(d).unwrap();
    }
    rbm_sweep::train(&cfg, q, &single, None).unwrap();
    assert!(!single.join(rbm_sweep::JOURNAL_FILE).exists());

    let shards: Vec<PathBuf> = (1..=3)
        .map(|k| rbm_sweep::shard_with(&cfg, q, &shards_dir, Shard { k, n: 3 }).unwrap())
        .collect();
    assert!(shards[0].ends_with("items-1-of-3.csv"));
    let items = dir.path().join("items.csv");
    let mut args = vec!["merge", "--out", s(&items)];
    args.extend(shards.iter().rev().map(|p| s(p)));
    let o = rmt(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    rbm_sweep::train(&cfg, q, &merged_dir, Some(&items)).unwrap();
    assert_eq!(outputs(&merged_dir), outputs(&single));
    // The analysis of both (it reads only these two files).
    let analyse = |d: &Path| {
        let rec: rbm_sweep::SweepRecord = runner::read_json(d.join("sweep.json")).unwrap();
        let samples = rbm_sweep::read_samples(&d.join("lambda.csv"), &rec).unwrap();
        match rbm::analysis::analyse_sweep(&samples, &rbm_sweep::analysis_options(q)) {
            Ok(a) => serde_json::to_string(&a).unwrap(),
            Err(e) => format!("error: {e}"),
        }
    };
    assert_eq!(analyse(&merged_dir), analyse(&single));

    // Two of three shards: merge refuses; an items file missing an item is refused too,
    // naming it.
    let partial = dir.path().join("partial.csv");
    let o = rmt(&["merge", "--out", s(&partial), s(&shards[0]), s(&shards[2])]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("shard 2/3 is missing"));
    assert!(!partial.exists());
    let text = std::fs::read_to_string(&items).unwrap();
    let without_5: String = text
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("5,"))
        .collect();
    std::fs::write(&partial, without_5).unwrap();
    let err = rbm_sweep::train(&cfg, q, &merged_dir, Some(&partial))
        .unwrap_err()
        .to_string();
    assert!(err.contains("item 5 is missing"), "{err}");
    // Shards of another configuration (seed): refused.
    let mut other = cfg.clone();
    other.sweep.seed += 1;
    let err = rbm_sweep::train(&other, q, &merged_dir, Some(&items))
        .unwrap_err()
        .to_string();
    assert!(err.contains("another sweep configuration"), "{err}");
}

#[test]
fn figures_rbm_sweep_resumes_a_torn_journal() {
    let cfg = tiny_sweep();
    let q = Profile::Quick;
    let dir = tempfile::tempdir().unwrap();
    let (single, resumed) = (dir.path().join("single"), dir.path().join("resumed"));
    for d in [&single, &resumed] {
        std::fs::create_dir_all(d).unwrap();
    }
    rbm_sweep::train(&cfg, q, &single, None).unwrap();
    // A journal as a kill leaves it: the first 6 items and half a line.
    let journal = resumed.join(rbm_sweep::JOURNAL_FILE);
    let done = rbm_sweep::compute_items(&cfg, q, 0..15, &journal).unwrap();
    assert_eq!((done.resumed, done.computed), (0, 15));
    drop(done);
    let text = std::fs::read_to_string(&journal).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let mut body: Vec<&str> = lines.collect();
    body.sort_by_key(|l| l.split(',').next().unwrap().parse::<u64>().unwrap());
    std::fs::write(
        &journal,
        format!("{header}\n{}\n{}", body[..6].join("\n"), &body[6][..20]),
    )
    .unwrap();
    let done = rbm_sweep::compute_items(&cfg, q, 0..15, &journal).unwrap();
    assert_eq!((done.resumed, done.computed), (6, 9));
    drop(done);
    std::fs::write(
        &journal,
        format!("{header}\n{}\n{}", body[..6].join("\n"), &body[6][..20]),
    )
    .unwrap();
    rbm_sweep::train(&cfg, q, &resumed, None).unwrap();
    assert_eq!(outputs(&resumed), outputs(&single));
    assert!(!journal.exists());
}

/// The `all` and `rmt-sgd merge` command lines of the SLURM scripts (continuation lines joined,
/// SLURM variables substituted).
fn slurm_commands() -> Vec<Vec<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/slurm");
    let mut out = Vec::new();
    for f in ["rbm-paper.sbatch", "rbm-paper-merge.sbatch"] {
        let text = std::fs::read_to_string(dir.join(f))
            .unwrap()
            .replace("\\\n", " ");
        for line in text.lines().filter(|l| l.starts_with("target/release/")) {
            let line = line
                .replace("${SLURM_ARRAY_TASK_ID}", "2")
                .replace("${SLURM_ARRAY_TASK_COUNT}", "8")
                .replace("\"${shards}\"", "8")
                // Defaults of the variables test-local.sh sets to run another profile.
                .replace("${RMT_SGD_PROFILE:-paper}", "paper")
                .replace("${RMT_SGD_OUT:-data}", "data")
                .replace("$profile", "paper")
                .replace("$out", "data")
                .replace('"', "");
            out.push(line.split_whitespace().map(String::from).collect());
        }
    }
    out
}

#[test]
fn the_slurm_scripts_use_real_flags() {
    use clap::Parser;
    use figures::cli::Args;
    let cmds = slurm_commands();
    let all: Vec<Args> = cmds
        .iter()
        .filter(|c| c[0].ends_with("/all"))
        .map(|c| Args::try_parse_from(c).unwrap_or_else(|e| panic!("{c:?}: {e}")))
        .collect();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].shard, Some(Shard { k: 2, n: 8 }));
    assert_eq!(all[0].profile, Profile::Paper);
    assert_eq!(
        all[1].rbm_items.as_deref(),
        Some(Path::new("data/rbm/items.csv"))
    );
    // The merge job joins exactly the files the array tasks write.
    let merge = cmds.iter().find(|c| c[1] == "merge").expect("a merge line");
    assert_eq!(merge[2..4], ["--out", "data/rbm/items.csv"]);
    assert_eq!(merge[4], "data/rbm/shards/items-*-of-8.csv");
    let dir = tempfile::tempdir().unwrap();
    let cfg = tiny_sweep();
    let written = rbm_sweep::shard_with(&cfg, Profile::Quick, dir.path(), Shard { k: 2, n: 8 });
    assert!(written.unwrap().ends_with("items-2-of-8.csv"));

    // `all --shard` refuses --verify; `all --rbm-items` refuses items of another sweep (these
    // come from the tiny sweep, not the quick profile) before any training.
    let out = tempfile::tempdir().unwrap();
    let o = s(out.path());
    let bad = Args::try_parse_from([
        "all",
        "--profile",
        "quick",
        "--out",
        o,
        "--shard",
        "1/2",
        "--verify",
    ]);
    let err = figures::cli::run(bad.unwrap()).unwrap_err().to_string();
    assert!(err.contains("--shard"), "{err}");
    assert!(Args::try_parse_from(["all", "--shard", "0/2"]).is_err());
    let shards: Vec<PathBuf> = (1..=2)
        .map(|k| {
            rbm_sweep::shard_with(&cfg, Profile::Quick, dir.path(), Shard { k, n: 2 }).unwrap()
        })
        .collect();
    let items = dir.path().join("items.csv");
    let m = rmt(&["merge", "--out", s(&items), s(&shards[0]), s(&shards[1])]);
    assert!(m.status.success());
    let args = Args::try_parse_from([
        "all",
        "--profile",
        "quick",
        "--out",
        o,
        "--only",
        "rbm",
        "--rbm-items",
        s(&items),
    ])
    .unwrap();
    let err = format!("{:#}", figures::cli::run(args).unwrap_err());
    assert!(err.contains("another sweep configuration"), "{err}");
}
