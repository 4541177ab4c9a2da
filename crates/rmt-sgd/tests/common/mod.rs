//! Helpers shared by the command-line test files (each file compiles its own copy, so a file
//! that needs only some of them must not warn about the others).
#![allow(dead_code)]

use serde_json::Value;
use std::process::{Command, Output};

/// Runs the `rmt-sgd` binary with `args`.
pub fn rmt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rmt-sgd"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Runs `rmt-sgd`, asserts success and parses its stdout as JSON.
pub fn ok_json(args: &[&str]) -> Value {
    let out = rmt(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// The README's contract for bad input, checked on one run of `rmt-sgd` in `dir`: exit status
/// 2, exactly one line on stderr that starts with `error:` (or clap's `error:`), no panic, and
/// the directory's listing unchanged (nothing created, removed or left half-written). Returns
/// the line, for the caller to check that it names the problem.
pub fn assert_refused(dir: &std::path::Path, args: &[&str]) -> String {
    let listing = |d: &std::path::Path| -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = walk(d)
            .into_iter()
            .map(|p| {
                let len = std::fs::symlink_metadata(&p).map(|m| m.len()).unwrap_or(0);
                (p.strip_prefix(d).unwrap().display().to_string(), len)
            })
            .collect();
        v.sort();
        v
    };
    let before = listing(dir);
    let out = Command::new(env!("CARGO_BIN_EXE_rmt-sgd"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?}: exit {:?}, stderr {err}",
        out.status.code()
    );
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{args:?}: not one line: {err}");
    assert!(lines[0].starts_with("error:"), "{args:?}: {err}");
    assert_eq!(
        listing(dir),
        before,
        "{args:?} changed the directory ({err})"
    );
    lines[0].to_string()
}

/// Every path under `d` (not following symlinks).
fn walk(d: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(d) {
        for e in rd.flatten() {
            let p = e.path();
            out.push(p.clone());
            if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                out.extend(walk(&p));
            }
        }
    }
    out
}
