//! End-to-end tests live in `e2e/`.

#![forbid(unsafe_code)]
