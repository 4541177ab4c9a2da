//! Hooks for the criterion benchmarks (`benches/benches/rbm.rs`); not a stable API.

use crate::kernel::Kernel;
use crate::normals::LaneNormals;
use crate::pcd::Lockstep;
use crate::training::{Experiment, LANES};
use langevin_core::seed::stream_key;

/// A kernel this CPU has (portable, AVX2 or AVX-512; identical bits), resolved once so that a
/// timed loop does not look it up.
#[derive(Clone, Copy, Debug)]
pub struct BenchKernel(Kernel);

impl BenchKernel {
    /// `portable`, `avx2` or `avx512`.
    pub fn name(self) -> &'static str {
        match self.0 {
            Kernel::Portable => "portable",
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => "avx2",
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => "avx512",
        }
    }
}

/// The kernels this CPU has, slowest first.
pub fn kernels() -> Vec<BenchKernel> {
    Kernel::available().into_iter().map(BenchKernel).collect()
}

/// [`LANES`] realisations of an experiment advanced together, one epoch per call.
pub struct LockstepGroup {
    group: Lockstep<LANES>,
}

impl LockstepGroup {
    /// Realisations 0..LANES of `exp`, initialised, run by the fastest kernel of this CPU.
    pub fn new(exp: &Experiment) -> Self {
        Self::with_kernel(exp, BenchKernel(Kernel::detect()))
    }

    /// As [`LockstepGroup::new`], run by `kernel`.
    pub fn with_kernel(exp: &Experiment, kernel: BenchKernel) -> Self {
        let keys =
            std::array::from_fn(|l| stream_key(exp.seed().base, &exp.seed().purpose, l as u64));
        Self {
            group: Lockstep::new(exp.rbm(), exp.target(), exp.hyper(), &keys, kernel.0),
        }
    }

    /// One epoch of every realisation; true where the weights are still finite.
    pub fn epoch(&mut self) -> [bool; LANES] {
        self.group.epoch()
    }
}

/// [`LaneNormals::fill`] run by `kernel`.
pub fn fill_with_kernel<const L: usize>(
    lanes: &mut LaneNormals<L>,
    out: &mut [[f64; L]],
    kernel: BenchKernel,
) {
    lanes.fill_with(out, kernel.0);
}
