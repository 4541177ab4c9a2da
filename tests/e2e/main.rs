//! End-to-end and cross-crate verification tests (one module per topic).

#![forbid(unsafe_code)]

mod book;
mod book_numbers;
mod generator;
mod mutants;
mod sampler;
mod stationarity;
mod support;
mod transient;
