//! Hostile shards, output paths and journals: each is refused by the README's contract
//! (`common::assert_refused`: exit 2, one `error:` line naming the problem, no panic, the
//! directory unchanged, so no journal, temporary file or directory is left behind).

mod common;
use common::{assert_refused, ok_json as ok};
use std::path::Path;

/// A Dyson run of 6 chains, fast enough to repeat: `dbm` with `extra` flags appended (a flag
/// of the base run given in `extra` replaces its value).
fn dbm(extra: &[&str]) -> Vec<String> {
    let base = [
        "--n", "2", "--lr", "0.01", "--batch", "2", "--g2", "10,20", "--omega", "1", "--centre",
        "0,1", "--chains", "6", "--steps", "10", "--seed", "9",
    ];
    let mut out = vec!["dbm".to_string()];
    for pair in base.chunks(2) {
        if !extra.contains(&pair[0]) {
            out.extend(pair.iter().map(|s| s.to_string()));
        }
    }
    out.extend(extra.iter().map(|s| s.to_string()));
    out
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Runs `args` in `dir` (relative paths), asserting success.
fn run_in(dir: &Path, args: &[String]) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_rmt-sgd"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Three dbm shards `d1.csv..d3.csv` of the run with `extra` flags, written in `dir` under
/// the names `<prefix>k.csv`.
fn dbm_shards(dir: &Path, prefix: &str, extra: &[&str]) {
    for k in 1..=3 {
        let (shard, out) = (format!("{k}/3"), format!("{prefix}{k}.csv"));
        let mut e: Vec<&str> = extra.to_vec();
        e.extend(["--shard", &shard, "--out", &out]);
        run_in(dir, &dbm(&e));
    }
}

/// A character device that is safe to aim at: as root (who could replace /dev/null if the
/// check regressed) a private node `null` made with mknod in `dir`, the same device as
/// /dev/null; otherwise /dev/null, which only root can replace.
fn char_device(dir: &Path) -> String {
    let made = std::process::Command::new("mknod")
        .args(["-m", "666"])
        .arg(dir.join("null"))
        .args(["c", "1", "3"])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if made {
        "null".into()
    } else {
        "/dev/null".into()
    }
}

fn refused(dir: &Path, args: &[&str], names: &[&str]) {
    let line = assert_refused(dir, args);
    for n in names {
        assert!(line.contains(n), "{args:?}: '{line}' does not say '{n}'");
    }
}

#[test]
fn merge_refuses_missing_duplicated_mixed_truncated_and_old_shards() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    dbm_shards(d, "d", &[]);
    dbm_shards(d, "seed", &["--seed", "10"]);
    dbm_shards(d, "lr", &["--lr", "0.02"]);
    let m = ["merge", "--drop-index", "--out", "m.csv"];
    fn with<'a>(m: &[&'a str], files: &[&'a str]) -> Vec<&'a str> {
        m.iter().chain(files).copied().collect()
    }

    refused(
        d,
        &with(&m, &["d1.csv", "d3.csv"]),
        &["shard 2/3 is missing (given 1/3, 3/3)"],
    );
    refused(
        d,
        &with(&m, &["d1.csv", "d2.csv", "d2.csv", "d3.csv"]),
        &["shard 2/3 is given twice (d2.csv and d2.csv)"],
    );
    refused(
        d,
        &with(&m, &["d1.csv", "seed2.csv", "d3.csv"]),
        &["d1.csv and seed2.csv are shards of different runs (seed: 9 -> 10)"],
    );
    refused(
        d,
        &with(&m, &["d1.csv", "d2.csv", "lr3.csv"]),
        &["shards of different runs (lr: 0.01 -> 0.02)"],
    );
    // Another split of the same run.
    run_in(d, &dbm(&["--shard", "1/2", "--out", "half1.csv"]));
    refused(
        d,
        &with(&m, &["d1.csv", "half1.csv", "d3.csv"]),
        &["shards of different runs (number of shards: 3 -> 2)"],
    );

    // Truncated shards: a short row, a cut last line, a lost row; an old shard without
    // provenance (the rows as an older rmt-sgd wrote them).
    let text = std::fs::read_to_string(d.join("d3.csv")).unwrap();
    let last = text.lines().last().unwrap().to_string();
    let short = last.rsplit_once(',').unwrap().0.to_string();
    let cases = [
        (
            text.replace(&last, &short),
            "t.csv line 4: 2 fields, the header has 3",
        ),
        (
            text[..text.len() - 4].to_string(),
            "t.csv: the last line has no newline (a truncated shard file)",
        ),
        (
            text.replace(&format!("{last}\n"), ""),
            "t.csv: 1 rows, its provenance says 2",
        ),
        (
            text.split_once('\n').unwrap().1.to_string(),
            "t.csv has no shard provenance",
        ),
    ];
    for (bad, want) in cases {
        std::fs::write(d.join("t.csv"), bad).unwrap();
        refused(d, &with(&m, &["d1.csv", "d2.csv", "t.csv"]), &[want]);
    }

    // The good shards merge, and say so on stdout.
    let j = ok(&[
        "merge",
        "--drop-index",
        "--out",
        d.join("m.csv").to_str().unwrap(),
        d.join("d2.csv").to_str().unwrap(),
        d.join("d1.csv").to_str().unwrap(),
        d.join("d3.csv").to_str().unwrap(),
    ]);
    assert_eq!(
        (j["rows"].as_u64(), j["shards"].as_u64()),
        (Some(6), Some(3))
    );
    assert_eq!(j["command"], "dbm");
    assert_eq!(j["params"]["seed"], 9);
    assert_eq!(j["index_dropped"], true);
}

#[test]
fn drop_index_is_refused_where_the_index_is_real() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for k in 1..=2 {
        let (shard, out) = (format!("{k}/2"), format!("r{k}.csv"));
        run_in(
            d,
            &[
                "train",
                "rbm",
                "--lr",
                "0.1",
                "--batch",
                "2",
                "--epochs",
                "5",
                "--seed",
                "1",
                "--realisations",
                "4",
                "--shard",
                &shard,
                "--out",
                &out,
            ]
            .map(String::from),
        );
    }
    refused(
        d,
        &[
            "merge",
            "--drop-index",
            "--out",
            "m.csv",
            "r1.csv",
            "r2.csv",
        ],
        &[
            "--drop-index would remove the column 'realisation'",
            "train rbm",
        ],
    );
}

#[test]
fn outputs_that_must_not_be_replaced_are_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("adir")).unwrap();
    let fifo = d.join("fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let null = char_device(d);
    let null_msg = format!("cannot write {null}: it is a character device");
    let cases: [(&str, &[&str]); 4] = [
        (&null, &[&null_msg]),
        (
            "fifo",
            &["cannot write fifo: it is a FIFO, not a regular file"],
        ),
        // No `adir.journal` is left (the directory listing is checked).
        ("adir", &["cannot write adir: it is a directory"]),
        ("a/b/x.csv", &["directory a/b does not exist"]),
    ];
    for (out, names) in cases {
        refused(d, &strs(&dbm(&["--out", out])), names);
        refused(
            d,
            &[
                "train", "ts", "--model", "z26", "--lr", "0.1", "--noise", "0.1", "--batch", "16",
                "--seeds", "2", "--seed", "7", "--epochs", "1", "--out", out,
            ],
            names,
        );
    }
    assert!(!d.join("a").exists());
    {
        use std::os::unix::fs::FileTypeExt;
        let t = std::fs::metadata(d.join(&null)).unwrap().file_type();
        assert!(t.is_char_device(), "{null} was replaced");
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    }
    // `analyze --json` into a missing directory: refused before reading anything.
    refused(
        d,
        &["analyze", "nothing.npz", "--json", "a/b/x.json"],
        &["cannot write a/b/x.json: directory a/b does not exist"],
    );
    // `merge --out` a device, with good shards.
    dbm_shards(d, "d", &[]);
    refused(
        d,
        &["merge", "--out", &null, "d1.csv", "d2.csv", "d3.csv"],
        &[&null_msg],
    );
}

#[test]
fn symlinks_are_written_through_and_stale_temporary_files_removed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("real.csv"), "old\n").unwrap();
    std::os::unix::fs::symlink("real.csv", d.join("link.csv")).unwrap();
    // What a write killed before its rename leaves behind.
    std::fs::write(d.join(".real.csv.k3Xq9Z.tmp"), "half").unwrap();
    run_in(d, &dbm(&["--out", "link.csv"]));
    assert!(std::fs::symlink_metadata(d.join("link.csv"))
        .unwrap()
        .file_type()
        .is_symlink());
    let text = std::fs::read_to_string(d.join("real.csv")).unwrap();
    assert!(text.starts_with("x1,x2\n"), "{text}");
    let mut names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["link.csv", "real.csv"]);
    std::os::unix::fs::symlink("missing.csv", d.join("dangling.csv")).unwrap();
    refused(
        d,
        &strs(&dbm(&["--out", "dangling.csv"])),
        &["dangling.csv: it is a symlink to a missing file"],
    );
}

/// The journal header `dbm(&[])` writes (its parameters in the command's order).
fn dbm_journal_header() -> String {
    let params = serde_json::json!({
        "command": "dbm", "n": 2, "lr": 0.01, "batch": 2, "g2": [10.0, 20.0],
        "omega": [1.0, 1.0], "centre": [0.0, 1.0], "chains": 6, "steps": 10, "seed": 9,
        "scheme": "implicit", "shard": "1/1",
    });
    format!("# rmt-sgd journal v2 {params}\n")
}

fn line(body: &str) -> String {
    format!("{body} #{}\n", &runner::sha256_bytes(body.as_bytes())[..8])
}

#[test]
fn a_tampered_journal_is_refused_a_torn_one_resumed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let journal = d.join("out.csv.journal");
    let header = dbm_journal_header();
    let good = [line("0,0.5,1.5"), line("1,0.25,1.25"), line("2,0.75,1.75")];
    // A value edited by hand in the middle line: the checksum no longer matches.
    let edited = good[1].replacen("0.25", "0.35", 1);
    std::fs::write(&journal, format!("{header}{}{edited}{}", good[0], good[2])).unwrap();
    refused(
        d,
        &strs(&dbm(&["--out", "out.csv"])),
        &["out.csv.journal line 3: its checksum does not match"],
    );
    // A line without a checksum (a journal of an older format, or typed in).
    std::fs::write(&journal, format!("{header}{}1,0.25,1.25\n", good[0])).unwrap();
    refused(
        d,
        &strs(&dbm(&["--out", "out.csv"])),
        &["out.csv.journal line 3: the line has no checksum"],
    );
    std::fs::write(&journal, "# rmt-sgd journal v1 {}\n0,0.5\n").unwrap();
    refused(
        d,
        &strs(&dbm(&["--out", "out.csv"])),
        &["written by another version of rmt-sgd"],
    );
    // The real journal, torn in its last line: resumed (the good lines are this run's own
    // numbers only in format, so compare counts, not values).
    std::fs::write(&journal, format!("{header}{}{}3,0.1", good[0], good[1])).unwrap();
    let j = ok(&strs(&dbm(&["--out", d.join("out.csv").to_str().unwrap()])));
    assert_eq!(
        (j["resumed"].as_u64(), j["computed"].as_u64()),
        (Some(2), Some(4))
    );
    assert!(!journal.exists());
}

#[test]
fn os_errors_are_not_doubled_and_missing_arguments_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("adir")).unwrap();
    let line = assert_refused(d, &["merge", "--out", "m.csv", "adir"]);
    assert_eq!(line.matches("os error 21").count(), 1, "{line}");
    refused(
        d,
        &["merge", "d1.csv"],
        &["the following required arguments were not provided: --out <OUT>"],
    );
    refused(
        d,
        &["dbm", "--n", "2"],
        &["were not provided:", "--lr <LR>", "--out <OUT>"],
    );
}
