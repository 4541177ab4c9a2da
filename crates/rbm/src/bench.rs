//! Hooks for the criterion benchmarks (`benches/benches/rbm.rs`); not a stable API.

use crate::kernel::Kernel;
use crate::pcd::Lockstep;
use crate::training::{Experiment, LANES};
use langevin_core::seed::stream_key;

/// [`LANES`] realisations of an experiment advanced together, one epoch per call.
pub struct LockstepGroup {
    group: Lockstep<LANES>,
}

impl LockstepGroup {
    /// Realisations 0..LANES of `exp`, initialised.
    pub fn new(exp: &Experiment) -> Self {
        let keys =
            std::array::from_fn(|l| stream_key(exp.seed().base, &exp.seed().purpose, l as u64));
        Self {
            group: Lockstep::new(
                exp.rbm(),
                exp.target(),
                exp.hyper(),
                &keys,
                Kernel::detect(),
            ),
        }
    }

    /// One epoch of every realisation; true where the weights are still finite.
    pub fn epoch(&mut self) -> [bool; LANES] {
        self.group.epoch()
    }
}
