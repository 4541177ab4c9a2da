//! # langevin-core
//!
//! Stochastic gradient descent on a weight matrix as a discrete Langevin equation (Eqs 1-4 of
//! Park, Favoni, Lucini, Aarts, *Random Matrix Theory for Stochastic Gradient Descent*), the
//! Dyson Brownian motion of the eigenvalues of `X = WᵀW` (Eq 5), its Fokker-Planck equation
//! and stationary Coulomb gas (Eqs 6-7), and the Gaussian width that gives the linear scaling
//! rule (Eq 9).

#![forbid(unsafe_code)]

pub mod dyson;
pub mod ensemble;
pub mod error;
pub mod matrix_ou;
pub mod ordered;
pub mod potential;
pub mod seed;
pub mod sgd;
pub mod spectrum;
pub mod stationary;

#[cfg(feature = "mutants")]
pub use dyson::Mutant;
pub use dyson::{implicit_pair, Dyson, ImplicitWorkspace, Scheme};
pub use ensemble::{run_ensemble, Chains, EnsembleSpec};
pub use error::CoreError;
pub use matrix_ou::MatrixOu;
pub use potential::{Potential, Quadratic};
pub use seed::{stream, Seed, Stream};
