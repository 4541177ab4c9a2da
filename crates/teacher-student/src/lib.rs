//! # teacher-student
//!
//! The linear one-hidden-layer network in the teacher-student setting of §4.2 of Park, Favoni,
//! Lucini & Aarts, *Random Matrix Theory for Stochastic Gradient Descent* (LATTICE2024), and the
//! teacher-student model of the companion paper (Aarts, Lucini & Park, PRE 111 015303) whose data
//! the authors released:
//!
//! * [`network`]: f(x) = Z W x (Eq 14) for rectangular shapes, the loss (Eq 13) and its gradients
//!   (Eqs 15, 17);
//! * [`sim`]: noisy minibatch SGD (Eq 28) on fixed-size matrices with everything W-independent
//!   precomputed, quenched data sets, quenched or fresh noise, and ensembles over seeds (rayon,
//!   in seed order, identical for any thread count);
//! * [`spectrum`]: singular values ξ and x = ξ²;
//! * [`analytic`]: Eqs (18), (21)-(25) and the rates a_i = α(UᵀZᵀZU)_ii per step and per epoch;
//! * [`fit`]: least-squares fits of Eq (22);
//! * [`linear`]: the stationary law near the teacher in linear response (a parameter-free
//!   prediction of the histograms);
//! * [`presets`]: the released model and Z of Eqs (26), (27).
//!
//! ```
//! use teacher_student::presets::Model;
//! use teacher_student::sim::Record;
//! let mut h = Model::Released.default_hyper();
//! h.epochs = 1; // a short run
//! let run = Model::Released.run(h, 42, 0).unwrap();
//! let nets = run.ensemble(0, 4, Record::Final).unwrap();
//! let xi = nets[0].singular_values();
//! assert!((xi[0] - 2.0).abs() < 0.2 && (xi[1] - 2.0).abs() < 0.2);
//! ```

#![forbid(unsafe_code)]

pub mod analysis;
pub mod analytic;
pub mod error;
pub mod fit;
pub mod linear;
pub mod network;
pub mod presets;
pub mod sim;
pub mod spectrum;

pub use error::TsError;
pub use linear::{EigenbasisWidths, LinearResponse};
pub use network::Network;
pub use presets::Model;
pub use sim::{Hyper, Inputs, Mat, Member, NoiseDraw, NoiseKind, Record, Run, Teacher};
pub use spectrum::{singular_values, squared_singular_values};
