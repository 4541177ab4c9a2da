# rmt-sgd task runner: thin wrappers over cargo (and mdbook for the book).
# `just` with no argument lists the recipes. Install: `cargo install just` or `pip install rust-just`.

set shell := ["bash", "-euo", "pipefail", "-c"]

# List the recipes.
default:
    @just --list

# Regenerate every figure (paper profile) into data/; extra args go to the `all` binary.
figures *args:
    cargo run --release -p figures --bin all -- {{args}}

# The same with the small `quick` profile (< 1 min on 2 cores).
quick *args:
    cargo run --release -p figures --bin all -- --profile quick {{args}}

# Recompute every figure from scratch, ignoring cached data (paper profile).
reproduce *args:
    cargo run --release -p figures --bin all -- --force {{args}}

# Regenerate the quick profile in a temporary directory and compare with data/quick/MANIFEST.
verify *args:
    cargo run --release -p figures --bin all -- --profile quick --verify {{args}}

# Run every test of the workspace.
test *args:
    cargo test --workspace {{args}}

# Run the criterion benchmarks.
bench *args:
    cargo bench -p rmt-sgd-benches {{args}}

# Build the mdBook into book/book (needs mdbook and mdbook-katex).
book:
    mdbook build book

# Serve the mdBook locally with live reload.
book-serve:
    mdbook serve book

# Build the book and run its checks (includes resolve, offline, no raw TeX), as CI does.
book-check:
    mdbook build book
    RMT_SGD_REQUIRE_BOOK=1 cargo test -p rmt-sgd-tests --test e2e book

# Run what CI runs.
ci:
    bash .ci/run

# Format the workspace.
fmt:
    cargo fmt --all

# Lint the workspace (warnings are errors, as in CI).
clippy:
    cargo clippy --workspace --all-targets -- -D warnings

# List unused dependencies, as CI does (needs `cargo install cargo-machete --locked`).
machete:
    cargo machete --with-metadata

# The worked example of the book's `analyze` chapter: the released batch-size scan analysed by
# `rmt-sgd analyze --scaling` into data/analyze/ (needs the released files; not part of any MANIFEST).
analyze-example:
    #!/usr/bin/env bash
    set -euo pipefail
    ref="${RMT_SGD_REFERENCE_DATA:-../shared/reference-data}"
    files=()
    for b in 4 8 16 32 64; do files+=("$ref/TSmodel/bs/TSmodel_lr0.1n0.1bs$b/TSmodel_lr0.1n0.1bs$b.npz"); done
    cargo run --release -p rmt-sgd -- analyze "${files[2]}" \
        --json data/analyze/single/bs16.json --plots data/analyze/single > /dev/null
    cargo run --release -p rmt-sgd -- analyze --scaling "${files[@]}" --targets 2 \
        --bootstrap-label ts_release --json data/analyze/scaling/bs_scaling.json \
        --plots data/analyze/scaling > /dev/null

# The Python package: build the wheel, install it in a fresh venv, run its pytest suite.
python-test:
    bash scripts/python-test.sh

# The book's Python example into data/python/ (uses the venv of `just python-test`).
python-example:
    #!/usr/bin/env bash
    set -euo pipefail
    bash scripts/python-test.sh
    target="${CARGO_TARGET_DIR:-target}"
    "$target/python-test/venv/bin/python" crates/rmt-sgd-py/examples/linear_ensemble.py data/python \
        --cli "$target/release/rmt-sgd"
