//! Hostile sizes (issue 11): every flag that sets a size or an amount of work, and inputs that
//! declare more than they hold, are refused at once with one line naming the limit (and the flag
//! that raises it), exit 2, no panic, nothing left behind. `density` at extreme values answers
//! with finite numbers.

mod common;

use common::{assert_refused, ok_json};
use release_data::write::{npy_bytes, NpzWriter};
use std::time::Instant;

const MAX: &str = "18446744073709551615";

fn rbm(batch: &str, realisations: &str, epochs: &str) -> Vec<String> {
    [
        "train",
        "rbm",
        "--lr",
        "0.1",
        "--batch",
        batch,
        "--realisations",
        realisations,
        "--epochs",
        epochs,
        "--seed",
        "1",
        "--out",
        "out.csv",
    ]
    .map(String::from)
    .to_vec()
}

fn ts(batch: &str, seeds: &str, epochs: &str) -> Vec<String> {
    [
        "train", "ts", "--model", "released", "--lr", "0.1", "--noise", "0.1", "--batch", batch,
        "--seeds", seeds, "--epochs", epochs, "--seed", "1", "--out", "out.csv",
    ]
    .map(String::from)
    .to_vec()
}

fn dbm(n: &str, chains: &str, steps: &str) -> Vec<String> {
    [
        "dbm", "--n", n, "--lr", "0.1", "--batch", "1", "--g2", "1", "--omega", "1", "--centre",
        "0", "--chains", chains, "--steps", steps, "--seed", "1", "--out", "out.csv",
    ]
    .map(String::from)
    .to_vec()
}

/// Refused within a second, with `want` (and `flag`) in the one line.
fn refused(dir: &std::path::Path, args: &[String], want: &str, flag: &str) {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let t = Instant::now();
    let line = assert_refused(dir, &a);
    assert!(
        t.elapsed().as_secs_f64() < 5.0,
        "{a:?} took {:?}",
        t.elapsed()
    );
    assert!(line.contains(want) && line.contains(flag), "{a:?}: {line}");
}

#[test]
fn simulation_sizes_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mem = "--max-memory-gb";
    let work = "--max-work";
    refused(d, &rbm(MAX, "1", "1"), "--batch 18446744073709551615", mem);
    refused(d, &rbm("100000000", "1", "1"), "GiB of memory", mem);
    refused(
        d,
        &rbm("16", MAX, "1"),
        "18446744073709551615 realisations",
        mem,
    );
    refused(d, &rbm("16", "10", MAX), "floating-point operations", work);
    refused(d, &ts(MAX, "1", "1"), "--batch 18446744073709551615", work);
    refused(d, &ts("16", MAX, "1"), "networks", mem);
    refused(
        d,
        &ts("16", "1", MAX),
        "--epochs 18446744073709551615",
        work,
    );
    refused(d, &dbm("10000", "1", "1"), "--n 10000", mem);
    refused(d, &dbm(MAX, "1", "1"), "--n 18446744073709551615", mem);
    refused(d, &dbm("2", MAX, "1"), "chains", mem);
    refused(
        d,
        &dbm("1000", "1000", MAX),
        "floating-point operations",
        work,
    );
    // The limit flags raise the limits (and validate their values).
    let mut a = dbm("1000", "1000", "1000000");
    a.extend(["--max-work".to_string(), "1e20".to_string()]);
    // Within the raised work limit, the memory limit still holds.
    a.extend(["--max-memory-gb".to_string(), "0.001".to_string()]);
    refused(d, &a, "above the limit of 1.00e-3 GiB", mem);
    let mut a = dbm("2", "1", "1");
    a.extend(["--max-work".to_string(), "-1".to_string()]);
    let v: Vec<&str> = a.iter().map(String::as_str).collect();
    assert_refused(d, &v);
    let v = ["analyze", "x.npz", "--bootstrap", MAX];
    assert!(assert_refused(d, &v).contains("at most 100000"));
}

/// A small deflated npz whose array inflates to `mib` MiB of zeros (a real zip bomb).
fn zip_bomb(mib: usize) -> Vec<u8> {
    let n = mib << 17; // doubles
    let mut bytes = npy_bytes("<f8", false, &[n / 4, 2, 2], &[]);
    bytes.resize(bytes.len() + 8 * n, 0);
    let mut w = NpzWriter::new();
    w.add_deflated("W.npy", &bytes);
    w.to_bytes()
}

#[test]
fn inputs_that_declare_too_much_are_refused_before_inflating() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 64 MiB of zeros in ~64 KB, refused at a limit of 16 MiB without inflating.
    std::fs::write(d.join("bomb.npz"), zip_bomb(64)).unwrap();
    assert!(std::fs::metadata(d.join("bomb.npz")).unwrap().len() < 1 << 20);
    let line = assert_refused(d, &["analyze", "bomb.npz", "--max-input-mb", "16"]);
    assert!(
        line.contains("input limit of 16 MiB") && line.contains("--max-input-mb"),
        "{line}"
    );
    // The default limit (1 GiB) against a header declaring 2^40 doubles.
    let mut w = NpzWriter::new();
    let head = npy_bytes("<f8", false, &[1 << 38, 2, 2], &[]);
    let size = head.len() as u32;
    w.add_declared("W.npy", 0, head, size, 0);
    std::fs::write(d.join("huge.npz"), w.to_bytes()).unwrap();
    let line = assert_refused(d, &["analyze", "huge.npz"]);
    assert!(
        line.contains("needs") && line.contains("truncated"),
        "{line}"
    );
    // A shape whose product overflows.
    let mut w = NpzWriter::new();
    w.add_raw(
        "W.npy",
        npy_bytes("<f8", false, &[1 << 40, 1 << 30, 2, 2], &[]),
    );
    std::fs::write(d.join("overflow.npz"), w.to_bytes()).unwrap();
    let line = assert_refused(d, &["analyze", "overflow.npz"]);
    assert!(line.contains("overflows"), "{line}");
    // A truncated npz.
    let mut w = NpzWriter::new();
    let data: Vec<f64> = (0..400).map(|i| 1.0 + (i as f64 * 0.37).sin()).collect();
    w.add_f64("W", &[100, 2, 2], &data, false);
    let full = w.to_bytes();
    std::fs::write(d.join("cut.npz"), &full[..full.len() / 2]).unwrap();
    let line = assert_refused(d, &["analyze", "cut.npz"]);
    assert!(line.contains("truncated"), "{line}");
    // A CSV with one gigantic line (65 MiB of digits).
    let mut csv = b"1,2\n".to_vec();
    csv.resize(csv.len() + (65 << 20), b'1');
    std::fs::write(d.join("long.csv"), csv).unwrap();
    let line = assert_refused(d, &["analyze", "long.csv"]);
    assert!(
        line.contains("line 2") && line.contains("above the limit"),
        "{line}"
    );
    // --snapshot on 3-D matrices (no snapshot axis) is refused, not ignored.
    std::fs::write(d.join("ok.npz"), &full).unwrap();
    let line = assert_refused(d, &["analyze", "ok.npz", "--snapshot", "0"]);
    assert!(
        line.contains("no snapshot axis") && line.contains("--snapshot-axis"),
        "{line}"
    );
}

#[test]
fn density_at_extreme_values_is_finite() {
    let cases: [&[&str]; 8] = [
        &[
            "density",
            "pair",
            "--centre",
            "1",
            "--sigma",
            "1e-300",
            "--x=-1e300",
        ],
        &[
            "density",
            "pair",
            "--centre",
            "1e300",
            "--sigma",
            "1e300",
            "--x=-1e300,0,1e308,-1.7e308",
        ],
        &[
            "density",
            "two-species",
            "--centre",
            "1",
            "--sigma1",
            "1e-300",
            "--sigma2",
            "1",
            "--x=-1e300,1,2",
            "--moments",
        ],
        &[
            "density",
            "two-species",
            "--centre",
            "0",
            "--sigma1",
            "1e200",
            "--sigma2",
            "1e200",
            "--x=1e300",
        ],
        &[
            "density",
            "surmise",
            "--sigma-m",
            "1e-300",
            "--x=1e300,1,0,-1",
            "--moments",
        ],
        &[
            "density",
            "surmise-unit",
            "--x=1e300,-1e300,1e-300,1.7e308",
            "--moments",
        ],
        &[
            "density",
            "hoyt",
            "--sigma-u",
            "1e-300",
            "--sigma-v",
            "3e-301",
            "--x=1e300,1e-300,0,-1,1.7e308",
            "--moments",
        ],
        &[
            "density",
            "hoyt",
            "--sigma-u",
            "1e-300",
            "--sigma-v",
            "1e300",
            "--x=1e300,1e-300,1,-1,1.7e308",
        ],
    ];
    for a in cases {
        let v = ok_json(a);
        let text = v.to_string();
        assert!(!text.contains("null"), "{a:?}: {text}");
        for k in ["pdf", "cdf"] {
            for x in v[k].as_array().unwrap() {
                assert!(x.as_f64().is_some_and(f64::is_finite), "{a:?}: {text}");
            }
        }
    }
    // Values beyond f64 are refused in one line, never printed as null.
    let dir = tempfile::tempdir().unwrap();
    let line = assert_refused(
        dir.path(),
        &[
            "density", "pair", "--centre", "0", "--sigma", "1e-320", "--x=0",
        ],
    );
    assert!(line.contains("beyond the range of f64"), "{line}");
    let line = assert_refused(
        dir.path(),
        &[
            "density",
            "pair",
            "--centre",
            "0",
            "--sigma",
            "1e300",
            "--x=0",
            "--moments",
        ],
    );
    assert!(line.contains("variance"), "{line}");
}
