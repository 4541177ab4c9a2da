//! End-to-end tests of `rmt-sgd analyze` on inputs of every kind: a hand-written CSV of spectra
//! (and the same matrices flattened), `.npy` files in f4/Fortran order against f8/C order, the
//! authors' released files (per-file σ and ⟨S⟩ and the `--scaling` slope against the `ts_release`
//! figure's own code, skipped with a message when the data are absent), and bad inputs (exit 2,
//! one line `error: ...` naming the file and the problem, no panic, no output file).
//!
//! Statistical checks use fixed seeds; their tolerances are multiples of the reported standard
//! errors, chosen so that a correct implementation would fail with probability below 1e-4 per
//! check over random seeds (4σ two-sided: 6e-5).

mod common;
use common::{ok_json, rmt};
use std::path::{Path, PathBuf};

use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use release_data::write::{encode_npy, npy_bytes, NpzWriter};
use serde_json::Value;

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

/// `n` samples of a degenerate pair at `centre` (eigenvalues of centre·1 + a GOE matrix with
/// Eq 11 width `sigma`, exact) and, if `third`, a lone Gaussian level at 5 with width 0.05.
/// Returns the symmetric matrices (row-major 2×2) and the sorted spectra.
fn pair_samples(n: usize, centre: f64, sigma: f64, seed: u64) -> (Vec<[f64; 4]>, Vec<[f64; 3]>) {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut mats = Vec::new();
    let mut spectra = Vec::new();
    for _ in 0..n {
        let z: Vec<f64> = (0..4).map(|_| StandardNormal.sample(&mut rng)).collect();
        let (a, c, b) = (sigma * z[0], sigma * z[1], sigma * z[2] / 2f64.sqrt());
        let m = [centre + a, b, b, centre + c];
        let (mean, half) = (0.5 * (m[0] + m[3]), (0.25 * (a - c).powi(2) + b * b).sqrt());
        mats.push(m);
        spectra.push([mean - half, mean + half, 5.0 + 0.05 * z[3]]);
    }
    (mats, spectra)
}

/// A CSV written by hand in the layout of `train ts` (`seed,xi_1,xi_2`), 48 rows, and the same
/// matrices flattened (`--matrix 2x2`): one automatic peak of two levels whose Eq (11) width
/// matches the generating σ within 4 maximum-likelihood standard errors; the two files agree.
#[test]
fn hand_written_csv_is_analysed() {
    let dir = tempfile::tempdir().unwrap();
    let sigma = 0.05;
    let (mats, spectra) = pair_samples(48, 2.0, sigma, 2024);
    let mut text = String::from("seed,xi_1,xi_2\n");
    let mut flat = String::from("# W11,W12,W21,W22 of each network\n");
    for (i, (m, s)) in mats.iter().zip(&spectra).enumerate() {
        text.push_str(&format!("{i},{:?},{:?}\n", s[0], s[1]));
        flat.push_str(&format!("{:?},{:?},{:?},{:?}\n", m[0], m[1], m[2], m[3]));
    }
    let spec = dir.path().join("hand.csv");
    let mat = dir.path().join("matrices.csv");
    std::fs::write(&spec, &text).unwrap();
    std::fs::write(&mat, &flat).unwrap();
    let v = ok_json(&["analyze", spec.to_str().unwrap(), "--bootstrap", "50"]);
    assert_eq!(v["input"], "spectra");
    assert_eq!(v["samples"], 48);
    assert_eq!(v["peaks_from"]["method"], "likelihood");
    assert_eq!(v["peaks_from"]["evidence"][0]["evidence"], "pair", "{v}");
    assert_eq!(v["peaks"].as_array().unwrap().len(), 1, "{v}");
    let pk = &v["peaks"][0];
    assert_eq!(pk["levels"], serde_json::json!([0, 1]));
    assert_eq!(pk["samples"], 96);
    let ml = &pk["ml"];
    let (s, e) = (f(&ml["params"][1]), f(&ml["stderr"][1]));
    assert!((s - sigma).abs() < 4.0 * e, "ML sigma {s} ± {e} vs {sigma}");
    let (c, ce) = (f(&ml["params"][0]), f(&ml["stderr"][0]));
    assert!((c - 2.0).abs() < 4.0 * ce, "ML centre {c} ± {ce}");
    // Least squares on the (coarse) FD histogram of 96 samples: within 4 bootstrap errors.
    let (sl, el) = (f(&pk["fit"]["sigma"]), f(&pk["bootstrap"]["sigma"]));
    assert!((sl - sigma).abs() < 4.0 * el, "LS sigma {sl} ± {el}");
    for fit in [&pk["fit"]["detail"], &pk["eq32"]["ls"], &pk["eq32"]["ml"]] {
        assert!(fit["params"].is_array(), "{fit}");
    }
    assert!(f(&pk["spacings"]["ks_surmise_p"]) > 1e-4);
    assert!((f(&pk["u4_expected"]) + 4.0 / 27.0).abs() < 1e-15);
    let (u4, u4e) = (f(&pk["u4"]), f(&pk["bootstrap"]["u4"]));
    assert!((u4 + 4.0 / 27.0).abs() < 4.0 * u4e, "U4 {u4} ± {u4e}");

    // The same matrices flattened: singular values = the eigenvalues (all near 2 > 0).
    let w = ok_json(&[
        "analyze",
        mat.to_str().unwrap(),
        "--matrix",
        "2x2",
        "--bootstrap",
        "50",
    ]);
    assert_eq!(w["input"], "matrices");
    for (a, b) in v["level_means"]
        .as_array()
        .unwrap()
        .iter()
        .zip(w["level_means"].as_array().unwrap())
    {
        assert!((f(a) / f(b) - 1.0).abs() < 1e-12);
    }
    assert!((f(&w["peaks"][0]["fit"]["sigma"]) / sl - 1.0).abs() < 1e-6);
}

/// Two peaks found automatically: the pair at 2 and a lone Gaussian level at 5 (its mean and
/// width within 4 standard errors of the truth).
#[test]
fn a_dozen_typed_rows_are_fitted_on_equal_width_bins() {
    // Typed in by hand: too few samples for a least-squares fit on the Freedman–Diaconis
    // histogram (2 bins for 2 parameters). That fit is reported as failed, the rest stands.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("typed.csv");
    std::fs::write(
        &csv,
        "seed,xi_1,xi_2\n0,1.95,2.04\n1,1.97,2.06\n2,1.93,2.01\n3,1.99,2.08\n4,1.96,2.03\n\
         5,1.92,2.05\n6,1.98,2.02\n7,1.94,2.07\n8,1.95,2.09\n9,1.97,2.00\n10,1.93,2.04\n\
         11,1.99,2.06\n",
    )
    .unwrap();
    // Twelve networks cannot show whether the two levels are a pair: the target decides.
    let v = ok_json(&["analyze", csv.to_str().unwrap(), "--targets", "2"]);
    let p = &v["peaks"][0];
    assert_eq!(p["samples"], 24);
    // 24 pooled samples are too few for the histogram fit to be the headline.
    assert_eq!(p["estimate"]["estimator"], "maximum-likelihood", "{p}");
    // Freedman–Diaconis gives too few bins for 24 values: the equal-width fallback (and says so).
    assert_eq!(p["fit"]["binning"], "equal-width-fallback", "{p}");
    assert!(
        f(&p["fit"]["sigma"]) > 0.0 && f(&p["fit"]["sigma"]) < 0.1,
        "{p}"
    );
    let ml = &p["ml"];
    let (centre, sigma) = (f(&ml["params"][0]), f(&ml["params"][1]));
    let (centre_err, sigma_err) = (f(&ml["stderr"][0]), f(&ml["stderr"][1]));
    // The pooled mean of the typed numbers is 2.00125; σ of Eq 11 is a few hundredths.
    assert!((centre - 2.00125).abs() < 3.0 * centre_err, "{ml}");
    assert!(sigma > 0.0 && sigma_err > 0.0 && sigma < 0.1, "{ml}");
    assert!(f(&p["spacings"]["ks_surmise_p"]) > 0.0);
}

#[test]
fn automatic_peaks_separate_a_pair_and_a_lone_level() {
    let dir = tempfile::tempdir().unwrap();
    let (_, spectra) = pair_samples(400, 2.0, 0.02, 99);
    let mut text = String::from("realisation,lambda1,lambda2,lambda3\n");
    for (i, s) in spectra.iter().enumerate() {
        text.push_str(&format!("{i},{:?},{:?},{:?}\n", s[0], s[1], s[2]));
    }
    let p = dir.path().join("three.csv");
    std::fs::write(&p, &text).unwrap();
    let v = ok_json(&["analyze", p.to_str().unwrap(), "--bootstrap", "0"]);
    let peaks = v["peaks"].as_array().unwrap();
    assert_eq!(peaks.len(), 2, "{v}");
    assert_eq!(peaks[0]["levels"], serde_json::json!([0, 1]));
    assert_eq!(peaks[1]["levels"], serde_json::json!([2]));
    assert_eq!(peaks[1]["law"], "gaussian");
    let g = &peaks[1]["ml"];
    assert!(
        (f(&g["params"][0]) - 5.0).abs() < 4.0 * f(&g["stderr"][0]),
        "{g}"
    );
    assert!(
        (f(&g["params"][1]) - 0.05).abs() < 4.0 * f(&g["stderr"][1]),
        "{g}"
    );
    assert!(peaks[1]["spacings"].is_null());
    // Targets override the automatic grouping.
    let t = ok_json(&[
        "analyze",
        p.to_str().unwrap(),
        "--bootstrap",
        "0",
        "--targets",
        "2,5",
    ]);
    assert_eq!(t["peaks_from"]["method"], "targets");
    assert_eq!(t["peaks"][1]["levels"], serde_json::json!([2]));
}

/// The same ensemble stored as f8 in C order and as f4 in Fortran order (values representable
/// in f4), in `.npy` and `.npz`, 3-D and 4-D with a snapshot axis: identical analyses.
#[test]
fn npy_f4_fortran_order_matches_f8_c_order() {
    let dir = tempfile::tempdir().unwrap();
    let (mats, _) = pair_samples(300, 2.0, 0.01, 5);
    let c: Vec<f64> = mats
        .iter()
        .flat_map(|m| m.map(|x| x as f32 as f64))
        .collect();
    let write = |name: &str, descr: &str, fortran: bool, shape: &[usize], data: &[f64]| {
        let p = dir.path().join(name);
        std::fs::write(&p, encode_npy(1, descr, fortran, shape, data).unwrap()).unwrap();
        p
    };
    let a = write("c8.npy", "<f8", false, &[300, 2, 2], &c);
    let b = write("f4.npy", ">f4", true, &[300, 2, 2], &c);
    // 4-D: snapshot 0 is junk, snapshot 1 the ensemble; stored f4 Fortran in an .npz.
    let mut four = Vec::new();
    for k in 0..300 {
        four.extend_from_slice(&[9.0, 0.0, 0.0, 9.0]);
        four.extend_from_slice(&c[4 * k..4 * k + 4]);
    }
    let npz = dir.path().join("four.npz");
    let mut wr = NpzWriter::new();
    wr.add_raw(
        "W.npy",
        encode_npy(2, "<f4", true, &[300, 2, 2, 2], &four).unwrap(),
    );
    wr.write(&npz).unwrap();
    let run = |p: &Path| {
        // (No bootstrap: its streams are named after the file.)
        let mut v = ok_json(&["analyze", p.to_str().unwrap(), "--bootstrap", "0"]);
        v["peaks"].take()
    };
    let ref_peaks = run(&a);
    assert_eq!(run(&b), ref_peaks);
    assert_eq!(run(&npz), ref_peaks);
    // The snapshot axis can be moved: W of shape (snapshots, samples, 2, 2).
    let mut swapped = vec![0.0; four.len()];
    for k in 0..300 {
        for t in 0..2 {
            for e in 0..4 {
                swapped[(t * 300 + k) * 4 + e] = four[(k * 2 + t) * 4 + e];
            }
        }
    }
    let s = write("swapped.npy", "<f8", false, &[2, 300, 2, 2], &swapped);
    let mut v = ok_json(&[
        "analyze",
        s.to_str().unwrap(),
        "--ensemble-axis",
        "1",
        "--snapshot-axis",
        "0",
        "--bootstrap",
        "0",
    ]);
    assert_eq!(v["peaks"].take(), ref_peaks);
}

fn reference_dir() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    release_data::ts::reference_dir(&root)
}

/// Panics, saying how to get them, when the released files are missing (the tests that call it
/// are `#[ignore]`d: a plain `cargo test` reports them as ignored, never as passed).
fn require_released() {
    release_data::ts::available(&reference_dir()).unwrap();
}

/// Every released file out of the box (automatic peak, no options): one peak of the two levels
/// near 2, σ and ⟨S⟩ equal to the `ts_release` figure's numbers (`teacher_student::analysis::
/// authors_numbers` with p0 = [2, √(α noise²/|B|)]) — to 1e-12 with `--targets 2` (the same p0),
/// to 1e-6 with the automatic start (p0 centre = the sample mean; LM stopping tolerance).
#[test]
#[ignore = "needs the authors' released files: set RMT_SGD_REFERENCE_DATA or run scripts/fetch-reference-data.sh (CI runs it with --ignored)"]
fn released_files_reproduce_the_ts_release_numbers() {
    require_released();
    let dir = reference_dir();
    for c in release_data::ts::released_configs() {
        let path = c.path(&dir);
        let run = release_data::ts::ReleasedRun::open(&path).unwrap();
        let pairs: Vec<[f64; 2]> = run
            .final_weights()
            .iter()
            .map(|w| teacher_student::spectrum::singular_values_2x2(w[0], w[1], w[2], w[3]))
            .collect();
        let want = figures::ts_common::authors_numbers(&pairs, &c).unwrap();
        let p = path.to_str().unwrap();
        let auto = ok_json(&["analyze", p, "--bootstrap", "0"]);
        assert_eq!(auto["peaks"].as_array().unwrap().len(), 1, "{}", c.stem());
        let pk = &auto["peaks"][0];
        assert_eq!(pk["levels"], serde_json::json!([0, 1]), "{}", c.stem());
        assert!((f(&pk["fit"]["centre"]) - 2.0).abs() < 0.01);
        assert!(
            (f(&pk["fit"]["sigma"]) / want.0 - 1.0).abs() < 1e-6,
            "{}",
            c.stem()
        );
        assert!((f(&pk["spacings"]["mean_binned"]) / want.1 - 1.0).abs() < 1e-12);
        let t = ok_json(&["analyze", p, "--bootstrap", "0", "--targets", "2"]);
        let pk = &t["peaks"][0];
        assert!(
            (f(&pk["fit"]["sigma"]) / want.0 - 1.0).abs() < 1e-12,
            "{}",
            c.stem()
        );
    }
}

/// `--scaling` on the five batch-size files: with `--targets 2` and the `ts_release` bootstrap
/// streams the per-run σ, their bootstrap errors and the slope a of σ = a·√(α noise²/|B|) equal
/// what the `ts_release` figure's code (`figures::ts_common::{analyse, slope_fit}`) gives.
#[test]
#[ignore = "needs the authors' released files: set RMT_SGD_REFERENCE_DATA or run scripts/fetch-reference-data.sh (CI runs it with --ignored)"]
fn scaling_on_the_released_batch_scan_matches_ts_release() {
    require_released();
    let dir = reference_dir();
    let configs: Vec<_> = release_data::ts::released_configs()
        .into_iter()
        .filter(|c| c.series == release_data::ts::Series::Bs)
        .collect();
    let (mut x, mut y, mut e) = (Vec::new(), Vec::new(), Vec::new());
    let mut paths = Vec::new();
    for c in &configs {
        let run = release_data::ts::ReleasedRun::open(c.path(&dir)).unwrap();
        let pairs: Vec<[f64; 2]> = run
            .final_weights()
            .iter()
            .map(|w| teacher_student::spectrum::singular_values_2x2(w[0], w[1], w[2], w[3]))
            .collect();
        let p = figures::ts_common::analyse(&pairs, c, 200, 20240814, "ts_release").unwrap();
        x.push(figures::ts_common::scale(c));
        y.push(p.sigma);
        e.push(p.sigma_err);
        paths.push(c.path(&dir).display().to_string());
    }
    let want = spectral::slope_fit(&x, &y, &e).unwrap();
    let out = tempfile::tempdir().unwrap();
    let json_path = out.path().join("scaling.json");
    let plots = out.path().join("plots");
    let mut args = vec!["analyze", "--scaling"];
    args.extend(paths.iter().map(|s| s.as_str()));
    args.extend([
        "--targets",
        "2",
        "--bootstrap-label",
        "ts_release",
        "--json",
        json_path.to_str().unwrap(),
        "--plots",
        plots.to_str().unwrap(),
    ]);
    let v = ok_json(&args);
    assert_eq!(
        v,
        serde_json::from_str::<Value>(&std::fs::read_to_string(&json_path).unwrap()).unwrap()
    );
    let fit = &v["scaling"]["fits"][0];
    assert_eq!(v["scaling"]["abscissa"], "sqrt(lr * noise^2 / batch_size)");
    for i in 0..5 {
        assert!((f(&fit["sigma"][i]) / y[i] - 1.0).abs() < 1e-12);
        assert!((f(&fit["sigma_err"][i]) / e[i] - 1.0).abs() < 1e-12);
        assert!((f(&fit["x"][i]) / x[i] - 1.0).abs() < 1e-15);
    }
    assert!((f(&fit["slope"]["value"]) / want.value - 1.0).abs() < 1e-10);
    assert!((f(&fit["slope"]["stderr"]) / want.stderr - 1.0).abs() < 1e-10);
    assert!((f(&fit["slope"]["chi2_dof"]) / want.chi2_dof - 1.0).abs() < 1e-8);
    assert!(fit["maximum_likelihood"]["slope"]["value"].is_number());
    assert!(plots.join("scaling_peak0.png").exists());
    assert!(plots.join("TSmodel_lr0.1n0.1bs4_peak0.png").exists());
    // The default bootstrap streams differ: the slope moves by less than its error.
    let mut args = vec!["analyze", "--scaling"];
    args.extend(paths.iter().map(|s| s.as_str()));
    let d = ok_json(&args);
    let a = f(&d["scaling"]["fits"][0]["slope"]["value"]);
    assert!(
        (a - want.value).abs() < 2.0 * want.stderr,
        "{a} vs {}",
        want.value
    );
}

/// `--scaling` with α and |B| given on the command line (CSV runs carry no scalars); PNGs are
/// byte-identical between two runs.
#[test]
fn scaling_with_hyperparameters_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let (lrs, bss) = ([0.1f64, 0.2, 0.4], [16.0f64, 8.0, 4.0]);
    for (k, (lr, bs)) in lrs.iter().zip(bss).enumerate() {
        let sigma = 0.3 * (lr / bs).sqrt();
        let (_, spectra) = pair_samples(500, 1.0, sigma, 40 + k as u64);
        let mut text = String::new();
        for s in &spectra {
            text.push_str(&format!("{:?},{:?}\n", s[0], s[1]));
        }
        let p = dir.path().join(format!("run{k}.csv"));
        std::fs::write(&p, text).unwrap();
        files.push(p.display().to_string());
    }
    let plots_a = dir.path().join("a");
    let plots_b = dir.path().join("b");
    let mut base = vec!["analyze", "--scaling"];
    base.extend(files.iter().map(|s| s.as_str()));
    base.extend([
        "--lr",
        "0.1,0.2,0.4",
        "--batch",
        "16,8,4",
        "--bootstrap",
        "100",
    ]);
    let mut a = base.clone();
    a.extend(["--plots", plots_a.to_str().unwrap()]);
    let v = ok_json(&a);
    let fit = &v["scaling"]["fits"][0];
    assert_eq!(v["scaling"]["abscissa"], "sqrt(lr / batch_size)");
    let ml = &fit["maximum_likelihood"];
    assert!(
        (f(&ml["slope"]["value"]) - 0.3).abs() < 4.0 * f(&ml["slope"]["stderr"]),
        "{ml}"
    );
    assert!(
        (f(&fit["slope"]["value"]) - 0.3).abs() < 4.0 * f(&fit["slope"]["stderr"]),
        "{fit}"
    );
    let mut b = base.clone();
    b.extend(["--plots", plots_b.to_str().unwrap()]);
    ok_json(&b);
    for name in ["scaling_peak0.png", "run0_peak0.png"] {
        assert_eq!(
            std::fs::read(plots_a.join(name)).unwrap(),
            std::fs::read(plots_b.join(name)).unwrap(),
            "{name} differs between runs"
        );
    }
}

fn assert_rejected(args: &[&str], outputs: &[&Path], needles: &[&str]) {
    let o = rmt(args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{args:?} should fail with 2: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    for n in needles {
        assert!(err.contains(n), "{err} should mention {n}");
    }
    assert!(o.stdout.is_empty(), "no JSON on failure");
    for p in outputs {
        let left = p.exists() && (p.is_file() || std::fs::read_dir(p).unwrap().next().is_some());
        assert!(!left, "{args:?} left {} behind", p.display());
    }
}

/// Bad inputs: exit 2, one line naming the file and the problem, nothing written.
#[test]
fn bad_inputs_give_one_line_errors_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let json = d.join("out.json");
    let plots = d.join("plots");
    let outs = [json.as_path(), plots.as_path()];
    let js = json.to_str().unwrap().to_string();
    let ps = plots.to_str().unwrap().to_string();
    let check = |file: &Path, extra: &[&str], needles: &[&str]| {
        let mut args = vec![
            "analyze",
            file.to_str().unwrap(),
            "--json",
            &js,
            "--plots",
            &ps,
        ];
        args.extend_from_slice(extra);
        let name = file.file_name().unwrap().to_str().unwrap().to_string();
        let mut n: Vec<&str> = needles.to_vec();
        n.push(&name);
        assert_rejected(&args, &outs, &n);
    };
    let put = |name: &str, bytes: &[u8]| {
        let p = d.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    // Empty files of every kind.
    check(&put("empty.npz", b""), &[], &["too short"]);
    check(&put("empty.npy", b""), &[], &["empty"]);
    check(&put("empty.csv", b""), &[], &["empty"]);
    check(&put("blank.csv", b"\n \n"), &[], &["empty"]);
    // A valid archive truncated at several lengths.
    let (mats, _) = pair_samples(50, 2.0, 0.01, 1);
    let flat: Vec<f64> = mats.iter().flatten().copied().collect();
    let mut w = NpzWriter::new();
    w.add_f64("W", &[50, 2, 2], &flat, false)
        .add_f64("lr", &[], &[0.1], false);
    let good = w.to_bytes();
    for cut in [
        1,
        10,
        64,
        200,
        good.len() / 2,
        good.len() - 30,
        good.len() - 1,
    ] {
        check(&put(&format!("cut{cut}.npz"), &good[..cut]), &[], &[]);
    }
    // Random bytes, with and without a telling extension.
    let noise: Vec<u8> = (0..3000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    check(&put("random.npz", &noise), &[], &["not a valid .npz"]);
    check(&put("random.npy", &noise), &[], &["bad magic"]);
    check(&put("random.bin", &noise), &[], &[]);
    // CSV: NaN, ragged rows, a non-number, Inf.
    check(
        &put("nan.csv", b"a,b\n1,2\n3,NaN\n"),
        &[],
        &["line 3, column 2", "not finite"],
    );
    check(
        &put("ragged.csv", b"1,2\n3,4\n5\n"),
        &[],
        &["line 3", "ragged"],
    );
    check(
        &put("word.csv", b"1,2\n3,x4\n"),
        &[],
        &["line 2, column 2", "not a number"],
    );
    check(
        &put("inf.csv", b"1,inf\n"),
        &[],
        &["line 1, column 2", "not finite"],
    );
    // A header claiming 10^15 elements.
    let huge = npy_bytes("<f8", false, &[1_000_000_000_000_000, 2, 2], &[0u8; 32]);
    check(&put("huge.npy", &huge), &[], &["needs", "data bytes"]);
    let mut w = NpzWriter::new();
    w.add_raw("W.npy", huge.clone());
    check(&put("huge.npz", &w.to_bytes()), &[], &["W.npy", "needs"]);
    // Wrong shapes and axes.
    let one_d = encode_npy(1, "<f8", false, &[6], &[1.0; 6]).unwrap();
    check(
        &put("vector.npy", &one_d),
        &[],
        &["shape [6]", "(..., M, N)"],
    );
    let three = encode_npy(1, "<f8", false, &[5, 2, 2], &[1.0; 20]).unwrap();
    let p3 = put("three.npy", &three);
    check(&p3, &["--ensemble-axis", "3"], &["--ensemble-axis 3"]);
    check(&p3, &["--snapshot-axis", "0"], &["--snapshot-axis 0"]);
    let five = encode_npy(1, "<f8", false, &[2, 3, 4, 2, 2], &[1.0; 96]).unwrap();
    check(&put("five.npy", &five), &[], &["axis 2", "neither"]);
    let csv4 = put("four.csv", b"1,0,0,1\n2,0,0,2\n");
    check(&csv4, &["--matrix", "3x3"], &["needs 9"]);
    check(&csv4, &["--input", "matrices"], &["--matrix"]);
    // NaN inside the weights of an archive; a pickled object array.
    let mut bad = flat.clone();
    bad[13] = f64::NAN;
    let mut w = NpzWriter::new();
    w.add_f64("W", &[50, 2, 2], &bad, false);
    check(
        &put("nan.npz", &w.to_bytes()),
        &[],
        &["non-finite", "[3, 0, 1]"],
    );
    let pickle = npy_bytes("|O", false, &[2], &[0x80, 0x04]);
    check(&put("pickle.npy", &pickle), &[], &["pickles"]);
    // Too few samples; no spread.
    check(
        &put("tiny.csv", b"1,2\n"),
        &[],
        &["1 sample(s)", "ensemble of independently trained networks"],
    );
    check(
        &put("flat.csv", "1,1\n".repeat(10).as_bytes()),
        &[],
        &["no spread"],
    );

    // --scaling: count mismatch, missing hyperparameters.
    let r1 = put("r1.csv", b"1,2\n1.1,2.1\n0.9,1.9\n1.05,2.2\n");
    let r2 = put("r2.csv", b"1,2\n1.1,2.1\n0.9,1.9\n1.05,2.2\n");
    let (s1, s2) = (r1.to_str().unwrap(), r2.to_str().unwrap());
    assert_rejected(
        &[
            "analyze",
            "--scaling",
            s1,
            s2,
            "--lr",
            "0.1",
            "--batch",
            "4,8",
            "--json",
            &js,
        ],
        &outs,
        &["--lr has 1 values for 2 runs"],
    );
    assert_rejected(
        &["analyze", "--scaling", s1, s2, "--json", &js],
        &outs,
        &["r1.csv", "--lr"],
    );
    assert_rejected(&["analyze", "--scaling", s1], &outs, &["at least two"]);
    assert_rejected(&["analyze", s1, s2], &outs, &["--scaling"]);
    assert_rejected(
        &["analyze", "/no/such/file.npz"],
        &outs,
        &["/no/such/file.npz"],
    );
}
