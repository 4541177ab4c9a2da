//! # coulomb-gas
//!
//! Closed-form laws of the Coulomb gas of Park, Favoni, Lucini & Aarts, *Random Matrix Theory for
//! Stochastic Gradient Descent* (LATTICE2024), and the statistics to confront them with data:
//!
//! * [`pair`]: Eq (11), the two-level density of a doubly degenerate eigenvalue;
//! * [`binder`]: Eq (12), the Binder cumulant, and its GOE values;
//! * [`goe`]: the N-particle GOE (moments, exact sampling);
//! * [`surmise`]: Eq (31) and the unit-mean Wigner surmise;
//! * [`hoyt`]: the Hoyt (Nakagami-q) spacing law of an anisotropic pair, Eq (31) at equal widths;
//! * [`two_species`]: Eqs (29), (30), (32), and the ordered-sector density;
//! * [`histogram`]: Freedman–Diaconis histograms exactly as the authors;
//! * [`fit`]: Levenberg–Marquardt on histograms, maximum likelihood on samples;
//! * [`ks`]: Kolmogorov–Smirnov tests;
//! * [`sampler`]: a Metropolis sampler of Eq (7) for any potential and β.

pub mod binder;
pub mod density;
pub mod error;
pub mod fit;
pub mod goe;
pub mod histogram;
pub mod hoyt;
pub mod ks;
pub mod pair;
pub mod sampler;
mod special;
pub mod surmise;
pub mod two_species;

#[cfg(test)]
mod quad;

pub use binder::{
    binder_u4, goe_u4, sample_central_moments, sample_u4, weighted_central_moments, weighted_u4,
    U4_PAIR,
};
pub use density::{Density1D, Gaussian};
pub use error::GasError;
pub use fit::{
    fit_curve, fit_histogram, fit_mle, fit_mle_from, HoytModel, Law, LmOptions, LsqFit, MleFit,
};
pub use goe::{goe_moments, goe_sample, GoeMoments};
pub use histogram::{freedman_diaconis_bins, Histogram};
pub use hoyt::{hoyt_cdf, hoyt_ln_pdf, Hoyt};
pub use ks::{ks_one_sample, ks_two_sample, KsResult};
pub use pair::{rho_pair, PairDensity};
pub use sampler::{metropolis, CoulombGas, MetropolisConfig, MetropolisRun};
pub use surmise::{surmise_pdf, unit_surmise_pdf, Surmise, UnitSurmise};
pub use two_species::{rho_two_species, sigma_m, SectorDensity, TwoSpecies};
