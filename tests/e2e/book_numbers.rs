//! The book's result numbers are the data's.
//!
//! (a) `numbers_md_is_rendered_from_the_committed_data`: every figure job's `numbers.md` in
//!     `data/` and `data/quick/` equals what the job's own renderer ([`figures::Figure::numbers`],
//!     the code the `all` run writes it with) makes of the committed `summary.json` and friends
//!     today. A value edited by hand in either file, or a formatter changed without re-running
//!     `all`, fails here.
//! (b) `result_chapters_state_no_hand_typed_numbers`: the result chapters take their numbers from
//!     those fragments (`{{#include ../../data/<job>/numbers.md:anchor}}`). Outside code blocks and
//!     includes, a decimal with three or more significant digits (`2.31`, `0.0150`, `12.3`) or a
//!     power of ten (`1.7\times10^{-9}`, `1.7e-9`) is a result typed by hand, unless it is listed
//!     in [`ALLOWED`] with the reason it is not one of ours (a parameter, an exact constant, a
//!     value quoted from the paper or the authors' notebook). The statistics of the mutant tests
//!     come from `tests/measured/` fragments, which those tests check (`support::measured`).

use std::fs;
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The profiles' output roots, as the `all` binary writes them.
const PROFILES: [&str; 2] = ["data", "data/quick"];

#[test]
fn numbers_md_is_rendered_from_the_committed_data() {
    let root = repo_root();
    let mut errors = Vec::new();
    let mut checked = 0;
    for profile in PROFILES {
        for fig in figures::registry::figures() {
            let dir = root.join(profile).join(fig.name());
            if !dir.is_dir() {
                // A job that does not run in this profile (ts_release in quick).
                continue;
            }
            let want = match figures::numbers::render(fig.as_ref(), &dir) {
                Ok(Some(md)) => md,
                Ok(None) => continue,
                Err(e) => {
                    errors.push(format!("{profile}/{}: {e:#}", fig.name()));
                    continue;
                }
            };
            let path = dir.join(figures::numbers::FILE);
            let got = fs::read_to_string(&path).unwrap_or_default();
            checked += 1;
            if got != want {
                errors.push(format!(
                    "{profile}/{}/{}: differs from its data (re-run `all`{}):\n{}",
                    fig.name(),
                    figures::numbers::FILE,
                    if profile == "data" {
                        ""
                    } else {
                        " --profile quick"
                    },
                    crate::support::first_differences(&want, &got, "data says:")
                ));
            }
        }
    }
    assert!(checked >= 10, "only {checked} numbers.md checked");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// The chapters that report results.
const RESULT_CHAPTERS: &[&str] = &[
    "fig2.md",
    "fig3.md",
    "fig4.md",
    "fig5.md",
    "fig-surmise.md",
    "fig-theory.md",
    "fig-ts.md",
    "fig-ts-release.md",
    "reproduction.md",
    "analyze.md",
    "teacher-student.md",
    "rbm.md",
    "errata.md",
    "densities.md",
    "dyson.md",
    "verification.md",
    "beyond.md",
];

/// Numbers in result chapters that are not our results: (chapter, number as written, why).
const ALLOWED: &[(&str, &str, &str)] = &[
    (
        "fig2.md",
        "5.382",
        "the target κ of the close-up pair, a parameter",
    ),
    ("fig2.md", "0.148", "−4/27, the exact U₄ of Eq 12"),
    ("fig3.md", "2.51", "√(2π), the predicted slope"),
    (
        "fig4.md",
        "1.50",
        "α(ZᵀZ)ᵢᵢS, exact from the definition of Z",
    ),
    (
        "fig4.md",
        "64.8",
        "α(ZᵀZ)ᵢᵢS, exact from the definition of Z",
    ),
    (
        "fig4.md",
        "17.3",
        "α(ZᵀZ)ᵢᵢS, exact from the definition of Z",
    ),
    ("fig-ts.md", "1.772", "√π, the leading-order slope"),
    ("fig-theory.md", "22.5", "an input g̃² of the simulation"),
    (
        "fig-theory.md",
        "0.1118",
        "σ_m of Eq 30 for the input widths",
    ),
    (
        "fig-ts-release.md",
        "0.02656",
        "the authors' notebook's printout, quoted",
    ),
    ("reproduction.md", "2407.16427", "an arXiv identifier"),
    ("reproduction.md", "10.5281", "a DOI prefix"),
    ("fig-ts-release.md", "10.5281", "a DOI prefix"),
    (
        "analyze.md",
        "1.4826",
        "1/Φ⁻¹(3/4), the MAD's normal consistency constant",
    ),
    (
        "analyze.md",
        "2.02",
        "a level of a constructed example input, a parameter",
    ),
    ("rbm.md", "2.51", "√(2π), the predicted slope"),
    (
        "rbm.md",
        "4.039",
        "R of the 1024-layer normal ziggurat (Marsaglia & Tsang; Doornik), a constant of the \
         algorithm",
    ),
    ("errata.md", "0.148", "−4/27, the exact U₄ of Eq 12"),
    (
        "errata.md",
        "3.7437",
        "the paper's printed (ZᵀZ)₁₁ of Eq 27, quoted",
    ),
    ("densities.md", "0.148", "−4/27, the exact U₄ of Eq 12"),
    (
        "densities.md",
        "709.8",
        "ln of the largest double, where exp overflows: a constant of IEEE 754",
    ),
    (
        "densities.md",
        "1.554",
        "√(1+√2), exact: where U₄ of Eq 32 changes sign",
    ),
    (
        "dyson.md",
        "1.95",
        "λ with Q(λ) = 10⁻³ of the Kolmogorov distribution, a constant",
    ),
    (
        "verification.md",
        "3",
        "3×10⁻⁵, a test's designed false-alarm bound",
    ),
    (
        "verification.md",
        "6",
        "6e-5, the false-alarm rate of a 4-error threshold, a test design parameter",
    ),
    (
        "verification.md",
        "1..10",
        "the range N = 1..10, not a decimal",
    ),
    ("verification.md", "1", "1e-11, a tolerance"),
    (
        "verification.md",
        "1.01",
        "the scale factor of a deliberately wrong pdf, a parameter",
    ),
];

/// Decimals with at least three significant digits, and powers of ten, in `text`.
fn result_like_numbers(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        // A number starts at a digit not inside another number or a word (`v2`, `Eq26`), but a
        // TeX control word before it (`\approx2.51`, `\pm0.0018`) does not hide it.
        let starts = b[i].is_ascii_digit()
            && (i == 0 || !(b[i - 1].is_ascii_digit() || b[i - 1] == b'.'))
            && {
                let mut k = i;
                while k > 0 && b[k - 1].is_ascii_alphabetic() {
                    k -= 1;
                }
                k == i || (k > 0 && b[k - 1] == b'\\')
            };
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'.') {
            j += 1;
        }
        let tok = text[i..j].trim_end_matches('.');
        let rest = &text[j..];
        let power = rest.starts_with("\\times10")
            || rest.starts_with("\\times 10")
            || rest.starts_with(" × 10")
            || (rest.starts_with("e-") && rest[2..].starts_with(|c: char| c.is_ascii_digit()));
        // Integers (sizes, years, equation numbers) are not counted; decimals by their digits.
        let significant = if tok.contains('.') {
            tok.trim_start_matches(['0', '.']).replace('.', "").len()
        } else {
            0
        };
        if significant >= 3 || power {
            out.push(tok.to_string());
        }
        i = j.max(i + 1);
    }
    out
}

/// `line` with `{{#include …}}` directives, inline code and link targets removed.
fn prose(line: &str) -> String {
    let mut s = line.to_string();
    while let Some(a) = s.find("{{#include") {
        let end = s[a..].find("}}").map_or(s.len(), |e| a + e + 2);
        s.replace_range(a..end, "");
    }
    let mut out = String::new();
    let mut code = false;
    for c in s.chars() {
        if c == '`' {
            code = !code;
        } else if !code {
            out.push(c);
        }
    }
    // Link targets (file names, anchors) are not prose.
    while let Some(a) = out.find("](") {
        let end = out[a..].find(')').map_or(out.len(), |e| a + e + 1);
        out.replace_range(a + 1..end, "");
    }
    out
}

#[test]
fn result_chapters_state_no_hand_typed_numbers() {
    let src = repo_root().join("book/src");
    let mut errors = Vec::new();
    for ch in RESULT_CHAPTERS {
        let text = fs::read_to_string(src.join(ch)).unwrap_or_else(|e| panic!("{ch}: {e}"));
        let mut fence = false;
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("```") {
                fence = !fence;
                continue;
            }
            if fence {
                continue;
            }
            for num in result_like_numbers(&prose(line)) {
                if !ALLOWED.iter().any(|(c, v, _)| c == ch && *v == num) {
                    errors.push(format!("book/src/{ch}:{}: `{num}` typed by hand", n + 1));
                }
            }
        }
    }
    assert!(
        errors.is_empty(),
        "result numbers must come from data/<job>/numbers.md (or be listed in ALLOWED with \
         the reason they are not results):\n{}",
        errors.join("\n")
    );
}

#[test]
fn the_hand_typed_number_check_sees_numbers() {
    assert_eq!(
        result_like_numbers(
            "slope 2.3075, p = 0.97, 12.3 %, 1.7\\times10^{-9}, κ = 4, v2.0, \\approx2.51, 1.0e-7"
        ),
        ["2.3075", "12.3", "1.7", "2.51", "1.0"]
    );
    assert_eq!(
        prose("a {{#include x.md:y}} `0.123` [t](f.md#x1.234) 0.456"),
        "a   [t] 0.456"
    );
}

/// The README's Speed section states the recorded time of the paper-profile RBM sweep: the
/// sentence is the one `data/rbm/sweep.json` gives (wall time, threads, and the CPU time per
/// realisation-epoch over all configurations), so a regenerated sweep without the README
/// updated fails here.
#[test]
fn readme_states_the_recorded_sweep_time() {
    let root = repo_root();
    let j = figures::numbers::Json::read(&root.join("data/rbm"), "sweep.json").unwrap();
    let wall = j.f("/wall_seconds").unwrap();
    let threads = j.f("/threads").unwrap();
    let mut work = 0.0;
    for i in 0..j.len("/points").unwrap() {
        let pt = |k: &str| j.f(&format!("/points/{i}/{k}")).unwrap();
        work += pt("realisations") * pt("epochs");
    }
    let secs = wall.round() as u64;
    let want = format!(
        "trained in {} min {} s on the 2 idle cores (`wall_seconds` {} with {} threads in \
         `data/rbm/sweep.json`; {:.1} µs of CPU per realisation-epoch on average over",
        secs / 60,
        secs % 60,
        secs,
        threads,
        wall * threads / work * 1e6
    );
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let flat = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(&want),
        "README.md does not state the recorded sweep time; data/rbm/sweep.json says: {want}"
    );
}
