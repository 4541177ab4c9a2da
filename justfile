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

# Recompute the whole paper profile into a temporary directory and compare every output with
# data/MANIFEST (about 30 min on 2 cores; ts_release is compared only where the released files are).
verify-paper *args:
    cargo run --release -p figures --bin all -- --profile paper --verify {{args}}

# Without recomputing: check every committed file against its MANIFEST and re-train a sample of
# K realisations per configuration of the paper profile, compared bit for bit with data/ (CI).
verify-paper-sample k="64" *args:
    cargo run --release -p figures --bin all -- --verify-paper --sample {{k}} {{args}}

# The SLURM array job and its dependent merge on a real one-node Slurm started on this machine
# (installs slurm-wlm and munge when missing, as root): outputs byte-identical to one machine's.
slurm-test shards="3":
    bash scripts/slurm/test-local.sh {{shards}}

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

# The worked example of the book's `analyze` chapter: the `analyze` figure job (the command's
# functions on the released files, into data/analyze/ with its numbers for the book; needs the
# released files, see scripts/fetch-reference-data.sh and RMT_SGD_REFERENCE_DATA).
analyze-example:
    cargo run --release -p figures --bin all -- --only analyze --force

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
    bash scripts/write-manifest.sh data/python
