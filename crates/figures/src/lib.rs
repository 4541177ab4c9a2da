//! Experiments -> data (CSV/JSON) -> pictures (PNG canonical + SVG) for the paper's figures.
//!
//! - [`style`]: the bundled font (registered once, no fontconfig), colours, sizes, markers.
//! - [`plot`]: declarative plot kinds ([`plot::HistogramPlot`], [`plot::ScatterPlot`],
//!   [`plot::LinePlot`], [`plot::Grid`]) rendered deterministically to PNG and SVG.
//! - [`registry`]: the [`registry::Figure`] trait, the list of figure jobs run by the `all`
//!   binary, the run [`registry::Context`] and config-hash caching.
//! - [`numbers`]: the result numbers each job writes for the book (`numbers.md`).
//! - [`cli`]: the command line of the `all` binary.
//!
//! The modules above work on plain `f64` data; only the figure jobs themselves use the model
//! crates. Files are written, and sweeps sharded, journalled and resumed, by the `runner` crate.

#![forbid(unsafe_code)]

pub mod analyze;
pub mod analyze_example;
pub(crate) mod analyze_plots;
pub mod checks;
pub mod cli;
pub mod derived;
pub mod error;
pub mod numbers;
pub mod plot;
pub(crate) mod rbm_figs;
pub mod rbm_sweep;
pub mod registry;
pub mod style;
pub(crate) mod theory;
pub mod ts_common;
pub(crate) mod ts_fig4;
pub(crate) mod ts_fig5;
pub(crate) mod ts_release;
pub(crate) mod ts_scaling;
pub(crate) mod verdicts;
pub mod verify_paper;

pub use error::{FigureError, Result};
pub use plot::Plot;
pub use registry::{Context, Figure, Profile};
