//! Regenerate every registered figure: data (CSV/JSON), pictures (PNG + SVG) and `MANIFEST`.
//!
//! ```text
//! cargo run --release -p figures --bin all                      # paper profile into data/
//! cargo run --release -p figures --bin all -- --profile quick   # small sizes (< 1 min)
//! cargo run --release -p figures --bin all -- --profile quick --verify
//! cargo run --release -p figures --bin all -- --verify-paper --sample 8   # no recomputation
//! ```

#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    figures::cli::main()
}
