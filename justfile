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

# Regenerate the quick profile in a temporary directory and compare with data/MANIFEST.
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
