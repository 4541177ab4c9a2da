//! The one spectral analysis of an ensemble of trained networks.
//!
//! Every entry point (the RBM and teacher-student figures, `rmt-sgd train`, `rmt-sgd analyze`,
//! the Python package) calls these functions, so the same data gives the same bits everywhere:
//!
//! * [`moments`]: means and standard deviations (the conventions used, named);
//! * [`binning`]: the histogram rule (Freedman–Diaconis, the authors' choice);
//! * [`outliers`]: samples far from the rest (a robust MAD rule), reported and left out;
//! * [`groups`]: which levels form a peak (given targets, or decided by likelihood);
//! * [`peak`]: per peak the authors' least-squares fit of Eq (11) (or a Gaussian) to the
//!   histogram, maximum likelihood, Eq (32), U4, spacings and the surmise KS test, with
//!   bootstrap errors ([`bootstrap`]: one stream per replica);
//! * [`jackknife`]: the authors' delete-one jackknife;
//! * [`estimate`]: which estimator a peak's headline σ comes from, and why;
//! * [`spacing_law`]: Hoyt against the Wigner surmise (Rayleigh) on a pair's spacings;
//! * [`slope`]: the weighted fit y = a·x through the origin (the linear scaling rule);
//! * [`scaling`]: peaks matched across runs by their centres, the slope, the free exponent
//!   and the verdict on the linear scaling rule.
//!
//! Results are typed serde structs; nothing here reads or writes files.
#![forbid(unsafe_code)]

pub mod binning;
pub mod bootstrap;
pub mod ensemble;
pub mod error;
pub mod estimate;
pub mod groups;
pub mod jackknife;
pub mod moments;
pub mod outliers;
pub mod peak;
pub mod record;
mod replica;
pub mod scaling;
pub mod slope;
pub mod spacing_law;

pub use binning::{histogram, Binning, MIN_BINS};
pub use ensemble::{analyse_ensemble, EnsembleOptions, EnsemblePeak, EnsembleReport, MIN_SAMPLES};
pub use error::SpectralError;
pub use estimate::{Estimator, PeakEstimate};
pub use groups::{assign_to_targets, auto_groups, Grouping, PairEvidence};
pub use outliers::Outliers;
pub use peak::analyse_peak;
pub use record::{Est, PeakLaw, PeakOptions, PeakReport, Start};
pub use scaling::{scaling_fits, Exponent, ScalingFit, ScalingReport, Unmatched, Verdict};
pub use slope::{slope_fit, Slope};
pub use spacing_law::{spacing_laws, LawFit, SpacingLaws};
