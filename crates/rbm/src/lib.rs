//! # rbm
//!
//! The Gaussian restricted Boltzmann machine of Eq (10) of Park, Favoni, Lucini & Aarts, *Random
//! Matrix Theory for Stochastic Gradient Descent* (LATTICE2024), trained exactly as the authors
//! do (authors-protocol §1(a)) to learn a free scalar field on a periodic 1-D lattice:
//!
//! * [`lattice`]: the target kernel K_φ and its spectrum κ_n;
//! * [`model`]: Eq (10), its conditionals and marginal, the learnt spectrum λ_i = μ² − σ_h² ξ_i²
//!   and the noise-free limit of the update;
//! * [`normals`]: exact N(0, 1) numbers from independent streams in lockstep;
//! * `pcd`: PCD-k with the exact data term, vectorised over realisations;
//! * `kernel`: the portable code, the AVX2 kernels or the AVX-512 kernels
//!   (identical bits), chosen once per run;
//! * [`training`]: hyperparameters, seeding, realisations in parallel, shards;
//! * [`theory`]: the widths from linear response, no fitted parameter;
//! * [`sweep`]: the authors' (α, |B|) grid with `paper` and `quick` profiles and a stationarity
//!   check.
//!
//! ```no_run
//! use rbm::{Experiment, Hyper};
//! let exp = Experiment::authors(Hyper::new(0.1, 16, 20_000)?, 1)?;
//! let run = exp.run(0..1000, None);
//! for r in run.learnt() {
//!     println!("{}: {:?}", r.index, r.lambda); // λ ascending
//! }
//! println!("success ratio {}", run.success_ratio());
//! # Ok::<(), rbm::RbmError>(())
//! ```
//!
//! Speed: realisations run in groups of [`group_lanes`] (eight with AVX-512, four otherwise)
//! whose inner loops act on all of them at once (AVX2 or AVX-512 when the CPU has them, with
//! bit-identical results on the portable path); drawing a realisation-epoch's 60·|B| normals is
//! about 45 % of its cost (`benches/benches/rbm.rs`).
//! Reproducibility: a realisation's numbers depend only on (seed, α, |B|, index).

#![deny(unsafe_code)]

pub mod analysis;
#[doc(hidden)]
pub mod bench;
pub mod error;
mod kernel;
pub mod lattice;
pub mod model;
pub mod normals;
mod pcd;
pub mod sweep;
pub mod theory;
pub mod training;

/// Number of visible and of hidden units, N_v = N_h = N (the lattice size).
pub const N: usize = 10;

pub use error::RbmError;
pub use lattice::{target_kappa, Peak, Target};
pub use model::{learnt_lambda, Matrix, Rbm};
pub use normals::LaneNormals;
pub use sweep::{PointResult, Profile, Stationarity, Sweep};
pub use training::{
    group_lanes, Experiment, Hyper, Outcome, Progress, Realisation, Run, Snapshot, LANES,
};
