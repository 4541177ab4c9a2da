//! Integration tests of coulomb-gas, one binary: the law checker ([`checker`]), every closed-form
//! law run through it under proptest ([`laws`]), and mutant laws it must reject ([`bites`]).

mod bites;
mod checker;
mod laws;
