//! `scripts/fetch-reference-data.sh`: its committed checksum list names exactly the files the
//! project reads, and its `--from` mode (the download's checking and installing, without the
//! network) accepts the released files and refuses a corrupted copy.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn listed() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(root().join("scripts/reference-data.sha256")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (h, p) = l.split_once("  ").expect("'<sha256>  <path>' lines");
            (h.to_owned(), p.to_owned())
        })
        .collect()
}

fn script(args: &[&Path]) -> std::process::Output {
    Command::new("bash")
        .arg(root().join("scripts/fetch-reference-data.sh"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_checksum_list_names_every_released_file_the_project_reads() {
    let mut want: Vec<String> = release_data::ts::released_configs()
        .iter()
        .map(|c| {
            let p = c.path(Path::new(""));
            p.to_str().unwrap().replace('\\', "/")
        })
        .collect();
    want.sort();
    let list = listed();
    let mut got: Vec<String> = list.iter().map(|(_, p)| p.clone()).collect();
    got.sort();
    assert_eq!(got, want);
    assert!(list
        .iter()
        .all(|(h, _)| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit())));
}

#[test]
fn bad_usage_is_refused() {
    let out = Command::new("bash")
        .arg(root().join("scripts/fetch-reference-data.sh"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    let out = script(&[
        Path::new("--from"),
        &dir.path().join("nothing"),
        &dir.path().join("out"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a directory"));
}

#[test]
#[ignore = "needs the authors' released files: set RMT_SGD_REFERENCE_DATA or run scripts/fetch-reference-data.sh (CI runs it with --ignored)"]
fn from_a_local_copy_checks_every_file_and_refuses_a_corrupted_one() {
    let src = release_data::ts::reference_dir(&root());
    release_data::ts::available(&src).unwrap();
    let tmp = tempfile::tempdir().unwrap();

    let good = tmp.path().join("good");
    let out = script(&[Path::new("--from"), &src, &good]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (_, p) in listed() {
        assert!(good.join(&p).is_file(), "{p} not installed");
    }
    assert!(script(&[Path::new("--check"), &good]).status.success());

    // One byte changed in one file of a copy: refused, named, nothing installed.
    let bad_src = tmp.path().join("bad-src");
    for (_, p) in listed() {
        std::fs::create_dir_all(bad_src.join(&p).parent().unwrap()).unwrap();
        std::fs::copy(src.join(&p), bad_src.join(&p)).unwrap();
    }
    let (_, victim) = &listed()[7];
    let mut bytes = std::fs::read(bad_src.join(victim)).unwrap();
    bytes[1000] ^= 1;
    std::fs::write(bad_src.join(victim), &bytes).unwrap();
    let bad = tmp.path().join("bad");
    let out = script(&[Path::new("--from"), &bad_src, &bad]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(victim.as_str()) && err.contains("sha256"),
        "{err}"
    );
    for (_, p) in listed() {
        assert!(!bad.join(&p).exists(), "{p} installed from a bad copy");
    }
    // --check names the file too.
    std::fs::write(good.join(victim), &bytes).unwrap();
    let out = script(&[Path::new("--check"), &good]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(victim.as_str()));
}
