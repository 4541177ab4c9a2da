//! End-to-end tests of the `rmt-sgd` binary: output forms that other tools script against,
//! determinism, and bad input (exit code 2, one line naming the problem, no file left).

mod common;
use common::{ok_json as json, rmt};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

/// Eq 11 written out from the paper, independently of the library.
fn eq11(x: f64, c: f64, s: f64) -> f64 {
    use statrs::function::erf::erf;
    let d = x - c;
    let e = (-d * d / (2.0 * s * s)).exp();
    e / (4.0 * std::f64::consts::PI.sqrt() * s)
        * (2.0 * e + (2.0 * std::f64::consts::PI).sqrt() * d / s * erf(d / (2f64.sqrt() * s)))
}

#[test]
fn density_pair_matches_eq11_and_its_cdf_integrates_the_pdf() {
    let xs: Vec<String> = (0..=400)
        .map(|k| format!("{}", 0.5 + k as f64 * 0.0025))
        .collect();
    let v = json(&[
        "density",
        "pair",
        "--centre",
        "1",
        "--sigma",
        "0.1",
        "--x",
        &xs.join(","),
    ]);
    let pdf = floats(&v["pdf"]);
    let cdf = floats(&v["cdf"]);
    assert_eq!(pdf.len(), 401);
    for (k, p) in pdf.iter().enumerate() {
        let x = 0.5 + k as f64 * 0.0025;
        // statrs's erf is good to ~1e-12 relative (checked against Python's math.erf).
        assert!(
            (p - eq11(x, 1.0, 0.1)).abs() < 1e-10 * (1.0 + p),
            "x = {x}: {p} vs {}",
            eq11(x, 1.0, 0.1)
        );
    }
    // Simpson on the printed pdf reproduces the printed cdf differences.
    let h = 0.0025;
    let mut acc = 0.0;
    for k in (0..400).step_by(2) {
        acc += h / 3.0 * (pdf[k] + 4.0 * pdf[k + 1] + pdf[k + 2]);
        assert!((cdf[k + 2] - cdf[0] - acc).abs() < 1e-7);
    }
    // ±5σ holds all but ~1.3e-6 of each tail.
    assert!(cdf[0] < 1e-5 && (cdf[400] - 1.0).abs() < 1e-5);
    assert!(v.get("moments").is_none());
}

#[test]
fn moments_are_the_exact_central_moments() {
    let v = json(&[
        "density",
        "pair",
        "--centre",
        "2",
        "--sigma",
        "0.3",
        "--x",
        "2",
        "--moments",
    ]);
    let m = &v["moments"];
    let s2: f64 = 0.09;
    assert!((m["mean"].as_f64().unwrap() - 2.0).abs() < 1e-15);
    // math-notes §1: ⟨δx²⟩ = 3σ²/2, ⟨δx⁴⟩ = 23σ⁴/4, U4 = −4/27.
    assert!((m["variance"].as_f64().unwrap() - 1.5 * s2).abs() < 1e-15);
    assert!((m["m4"].as_f64().unwrap() - 23.0 / 4.0 * s2 * s2).abs() < 1e-15);
    assert!((m["u4"].as_f64().unwrap() + 4.0 / 27.0).abs() < 1e-12);
    let v = json(&["density", "surmise-unit", "--x", "1", "--moments"]);
    assert!((v["moments"]["mean"].as_f64().unwrap() - 1.0).abs() < 1e-12);
    assert!(
        (v["moments"]["variance"].as_f64().unwrap() - (4.0 / std::f64::consts::PI - 1.0)).abs()
            < 1e-12
    );
}

#[test]
fn two_species_reduces_to_pair_and_surmises_match_their_formulas() {
    let xs = "-0.3,-0.1,0,0.05,0.2,0.4";
    let a = json(&[
        "density", "pair", "--centre", "0", "--sigma", "0.2", "--x", xs,
    ]);
    let b = json(&[
        "density",
        "two-species",
        "--centre",
        "0",
        "--sigma1",
        "0.2",
        "--sigma2",
        "0.2",
        "--x",
        xs,
    ]);
    for (p, q) in floats(&a["pdf"]).iter().zip(floats(&b["pdf"])) {
        assert!((p - q).abs() < 1e-12);
    }
    for (p, q) in floats(&a["cdf"]).iter().zip(floats(&b["cdf"])) {
        assert!((p - q).abs() < 1e-12);
    }
    // Eq 31: P(S) = S/(2σm²) exp(−S²/(4σm²)).
    let v = json(&["density", "surmise", "--sigma-m", "0.5", "--x", "0.3,1.0"]);
    for (s, p) in [0.3f64, 1.0].iter().zip(floats(&v["pdf"])) {
        assert!((p - s / 0.5 * (-s * s).exp()).abs() < 1e-14);
    }
    let v = json(&["density", "surmise-unit", "--x", "0.7"]);
    let pi = std::f64::consts::PI;
    assert!((floats(&v["pdf"])[0] - pi / 2.0 * 0.7 * (-pi * 0.49 / 4.0).exp()).abs() < 1e-14);
    assert!((floats(&v["cdf"])[0] - (1.0 - (-pi * 0.49 / 4.0).exp())).abs() < 1e-14);
}

/// `density hoyt`: the library's numbers, Eq 31 at equal widths (σ_m = √2 σ), moments.
#[test]
fn density_hoyt_matches_the_library_and_eq31() {
    use coulomb_gas::{Density1D, Hoyt, Surmise};
    let xs = [0.0, 0.05, 0.3, 1.0, 2.5, 7.0];
    let list: Vec<String> = xs.iter().map(|x| format!("{x:?}")).collect();
    let v = json(&[
        "density",
        "hoyt",
        "--sigma-u",
        "0.6",
        "--sigma-v",
        "0.25",
        "--x",
        &list.join(","),
        "--moments",
    ]);
    let d = Hoyt::new(0.6, 0.25).unwrap();
    for (k, (p, c)) in floats(&v["pdf"]).iter().zip(floats(&v["cdf"])).enumerate() {
        assert_eq!(*p, d.pdf(xs[k]), "pdf at {}", xs[k]);
        assert_eq!(c, d.cdf(xs[k]), "cdf at {}", xs[k]);
    }
    let m = &v["moments"];
    assert_eq!(m["mean"].as_f64().unwrap(), d.mean());
    assert_eq!(m["variance"].as_f64().unwrap(), d.variance());
    assert_eq!(m["m4"].as_f64().unwrap(), d.central_m4().unwrap());
    assert!(m["u4"].as_f64().is_some_and(f64::is_finite));
    // σ_u = σ_v = 0.5 is Eq 31 with σ_m = √2 · 0.5: P(S) = S/(2σm²) exp(−S²/(4σm²)).
    let v = json(&[
        "density",
        "hoyt",
        "--sigma-u",
        "0.5",
        "--sigma-v",
        "0.5",
        "--x",
        "0.3,1.0,2.0",
    ]);
    let e = Surmise::new(2f64.sqrt() * 0.5).unwrap();
    for (s, p) in [0.3f64, 1.0, 2.0].iter().zip(floats(&v["pdf"])) {
        let want = s / 1.0 * (-s * s / 2.0).exp();
        assert!(
            (p - want).abs() < 1e-14 && (p - e.pdf(*s)).abs() < 1e-14,
            "{s}: {p}"
        );
    }
    assert!(v.get("moments").is_none());
}

fn dbm_args<'a>(out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "dbm", "--n", "3", "--lr", "0.01", "--batch", "2", "--g2", "10,20,30", "--omega", "1",
        "--centre", "0,1,2", "--chains", "64", "--steps", "300", "--seed", "9", "--out", out,
    ];
    v.extend_from_slice(extra);
    v
}

#[test]
fn dbm_writes_a_csv_that_is_identical_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for threads in ["1", "2", "4"] {
        let p = dir.path().join(format!("t{threads}.csv"));
        let ps = p.to_str().unwrap().to_string();
        let out = Command::new(env!("CARGO_BIN_EXE_rmt-sgd"))
            .args(dbm_args(&ps, &[]))
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(summary["chains"], 64);
        files.push(std::fs::read(&p).unwrap());
    }
    assert_eq!(files[0], files[1]);
    assert_eq!(files[0], files[2]);
    let text = String::from_utf8(files[0].clone()).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("x1,x2,x3"));
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 64);
    for r in &rows {
        assert_eq!(r.len(), 3);
        assert!(r[0] <= r[1] && r[1] <= r[2], "not ascending: {r:?}");
    }
    // A different seed gives different chains.
    let p = dir.path().join("other.csv");
    let ps = p.to_str().unwrap().to_string();
    let mut args = dbm_args(&ps, &[]);
    let i = args.iter().position(|a| *a == "9").unwrap();
    args[i] = "10";
    assert!(rmt(&args).status.success());
    assert_ne!(std::fs::read(&p).unwrap(), files[0]);
}

#[test]
fn dbm_pair_variance_is_three_halves_sigma_squared() {
    // N = 2 identical species, σ² = (α/|B|) g²/Ω = 0.001·10/1 = 0.01, αΩ = 0.01, burn-in 20/(αΩ).
    // Pooled one-point variance 3σ²/2 (Eq 11); the estimator's standard error is
    // √((m4 − m2²)/n) with n ≈ 2·4000 (the two eigenvalues of a chain are correlated, so the
    // SE is inflated by √2 to be safe); |z| < 5 ⇒ false alarm < 1e-6 for this fixed seed.
    let dir = tempfile::tempdir().unwrap();
    for scheme in ["implicit", "matrix-ou"] {
        let p = dir.path().join(format!("{scheme}.csv"));
        let ps = p.to_str().unwrap();
        let v = json(&[
            "dbm", "--n", "2", "--lr", "0.01", "--batch", "10", "--g2", "10", "--omega", "1",
            "--centre", "1", "--chains", "4000", "--steps", "2000", "--seed", "2024", "--scheme",
            scheme, "--out", ps,
        ]);
        let var = v["pooled"]["variance"].as_f64().unwrap();
        let s2: f64 = 0.01;
        let m2 = 1.5 * s2;
        let m4 = 23.0 / 4.0 * s2 * s2;
        let se = ((m4 - m2 * m2) / 8000.0).sqrt() * 2f64.sqrt();
        assert!(
            ((var - m2) / se).abs() < 5.0,
            "{scheme}: variance {var} vs {m2}"
        );
    }
}

fn assert_rejected(args: &[&str], needle: &str, out_file: Option<&Path>) {
    let out = rmt(args);
    assert_eq!(out.status.code(), Some(2), "{args:?} should exit 2");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line expected, got: {err}"
    );
    assert!(err.contains(needle), "'{needle}' not in: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.stdout.is_empty());
    if let Some(f) = out_file {
        assert!(!f.exists(), "{} was left behind", f.display());
    }
}

#[test]
fn bad_input_is_one_line_exit_2_and_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("out.csv");
    let fs = f.to_str().unwrap();
    let with = |flag: &str, value: &'static str| {
        let mut a = dbm_args(fs, &[]);
        let i = a.iter().position(|x| *x == flag).unwrap();
        a[i + 1] = value;
        a
    };
    assert_rejected(&with("--lr", "0"), "--lr", Some(&f));
    assert_rejected(&with("--lr", "-0.1"), "--lr", Some(&f));
    assert_rejected(&with("--lr", "nan"), "--lr", Some(&f));
    assert_rejected(&with("--batch", "0"), "--batch", Some(&f));
    assert_rejected(&with("--g2", "1,2"), "--g2 has 2 values", Some(&f));
    assert_rejected(&with("--omega", "1,-1,1"), "omega[1]", Some(&f));
    assert_rejected(&with("--centre", "0,x,1"), "not a number", Some(&f));
    assert_rejected(&with("--steps", "ten"), "--steps", Some(&f));
    assert_rejected(
        &dbm_args(fs, &["--scheme", "leapfrog"]),
        "unknown scheme",
        Some(&f),
    );
    // matrix-ou needs identical species.
    assert_rejected(
        &dbm_args(fs, &["--scheme", "matrix-ou"]),
        "identical species",
        Some(&f),
    );
    // Unwritable output directory.
    assert_rejected(
        &dbm_args("/nonexistent-dir/x.csv", &[]),
        "nonexistent-dir",
        None,
    );
    assert_rejected(
        &[
            "density", "pair", "--centre", "0", "--sigma", "0", "--x", "1",
        ],
        "--sigma",
        None,
    );
    assert_rejected(
        &[
            "density", "pair", "--centre", "0", "--sigma", "-1", "--x", "1",
        ],
        "--sigma",
        None,
    );
    assert_rejected(
        &[
            "density", "pair", "--centre", "nan", "--sigma", "1", "--x", "1",
        ],
        "--centre",
        None,
    );
    assert_rejected(
        &[
            "density", "pair", "--centre", "0", "--sigma", "1", "--x", "1,2,abc",
        ],
        "not a number",
        None,
    );
    assert_rejected(
        &["density", "surmise", "--sigma-m", "0", "--x", "1"],
        "--sigma-m",
        None,
    );
    assert_rejected(&["density", "lorentz", "--x", "1"], "lorentz", None);
    for (u, v, flag) in [
        ("0", "1", "--sigma-u"),
        ("-1", "1", "--sigma-u"),
        ("nan", "1", "--sigma-u"),
        ("1", "0", "--sigma-v"),
        ("1", "-0.5", "--sigma-v"),
        ("1", "NaN", "--sigma-v"),
        ("1", "inf", "--sigma-v"),
    ] {
        assert_rejected(
            &[
                "density",
                "hoyt",
                "--sigma-u",
                u,
                "--sigma-v",
                v,
                "--x",
                "1",
            ],
            flag,
            None,
        );
    }
    assert_rejected(
        &["density", "hoyt", "--sigma-u", "1", "--sigma-v", "1"],
        "--x",
        None,
    );
    assert_rejected(
        &["density", "hoyt", "--sigma-u", "1", "--x", "1"],
        "--sigma-v",
        None,
    );
}
