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
