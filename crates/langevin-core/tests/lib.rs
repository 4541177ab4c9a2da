//! Integration tests of langevin-core, one binary: property tests of the spectra of weight
//! matrices (`spectrum.rs`) over random shapes and entries.

mod spectrum;
