#!/usr/bin/env bash
# The Python package (crates/rmt-sgd-py) end to end: builds the abi3 wheel with maturin, installs
# it into a fresh venv with numpy and pytest, and runs the pytest suite, which compares the
# package with the `rmt-sgd` CLI (built here too) to the last bit.
#
# Needs python3 (>= 3.9, with the venv module) and the Rust toolchain; pip fetches maturin, numpy
# and pytest. Cargo's target directory is the workspace's ($CARGO_TARGET_DIR, default target/),
# so the release dependencies of the other sections are reused. The build tools live in a venv
# kept between runs under $CARGO_TARGET_DIR/python-test; the test venv is made afresh every run.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$CARGO_TARGET_DIR" in /*) ;; *) CARGO_TARGET_DIR="$ROOT/$CARGO_TARGET_DIR" ;; esac
WORK="$CARGO_TARGET_DIR/python-test"
PY="${PYTHON:-python3}"

command -v "$PY" >/dev/null || { echo "python-test: $PY not found (needs Python >= 3.9 with venv)" >&2; exit 1; }
"$PY" -c 'import sys; assert sys.version_info >= (3, 9), sys.version' \
    || { echo "python-test: Python >= 3.9 needed" >&2; exit 1; }
"$PY" --version

mkdir -p "$WORK"
if ! "$WORK/build-venv/bin/maturin" --version >/dev/null 2>&1; then
    rm -rf "$WORK/build-venv"
    "$PY" -m venv "$WORK/build-venv"
    "$WORK/build-venv/bin/pip" install --quiet --disable-pip-version-check 'maturin>=1.5,<2'
fi
"$WORK/build-venv/bin/maturin" --version

t=$SECONDS
rm -rf "$WORK/wheels"
"$WORK/build-venv/bin/maturin" build --release --manifest-path crates/rmt-sgd-py/Cargo.toml \
    --out "$WORK/wheels"
wheel=$(ls "$WORK"/wheels/rmt_sgd-*.whl)
echo "wheel: $(basename "$wheel"), $(du -k "$wheel" | cut -f1) KiB, built in $((SECONDS - t)) s"

# The CLI the suite compares with.
cargo build --release -p rmt-sgd

rm -rf "$WORK/venv"
"$PY" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --disable-pip-version-check "$wheel" pytest
# From outside the source tree: the installed wheel is what is imported.
cd "$WORK"
RMT_SGD_CLI="$CARGO_TARGET_DIR/release/rmt-sgd" "$WORK/venv/bin/python" -m pytest -q -p no:cacheprovider \
    "$ROOT/crates/rmt-sgd-py/tests"
