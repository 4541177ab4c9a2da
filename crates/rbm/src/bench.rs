//! Hooks for the criterion benchmarks (`benches/benches/rbm.rs`); not a stable API.

use crate::kernel::Kernel;
use crate::normals::LaneNormals;
use crate::pcd::Lockstep;
use crate::training::{Experiment, LANES};
use langevin_core::seed::stream_key;

/// [`LANES`] realisations of an experiment advanced together, one epoch per call.
pub struct LockstepGroup {
    group: Lockstep<LANES>,
}

impl LockstepGroup {
    /// Realisations 0..LANES of `exp`, initialised, run by the fastest kernel of this CPU.
    pub fn new(exp: &Experiment) -> Self {
        Self::with_kernel(exp, kernel_name(Kernel::detect())).expect("detected")
    }

    /// As [`LockstepGroup::new`], run by the kernel called `kernel` (one of [`kernels`]).
    pub fn with_kernel(exp: &Experiment, kernel: &str) -> Option<Self> {
        let kernel = find(kernel)?;
        let keys =
            std::array::from_fn(|l| stream_key(exp.seed().base, &exp.seed().purpose, l as u64));
        Some(Self {
            group: Lockstep::new(exp.rbm(), exp.target(), exp.hyper(), &keys, kernel),
        })
    }

    /// One epoch of every realisation; true where the weights are still finite.
    pub fn epoch(&mut self) -> [bool; LANES] {
        self.group.epoch()
    }
}

fn kernel_name(k: Kernel) -> &'static str {
    match k {
        Kernel::Portable => "portable",
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2 => "avx2",
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx512 => "avx512",
    }
}

fn find(name: &str) -> Option<Kernel> {
    Kernel::available()
        .into_iter()
        .find(|&k| kernel_name(k) == name)
}

/// The kernels this CPU has, by name (`portable`, `avx2`, `avx512`), slowest first.
pub fn kernels() -> Vec<&'static str> {
    Kernel::available().into_iter().map(kernel_name).collect()
}

/// [`LaneNormals::fill`] with the kernel called `kernel` (one of [`kernels`]); false if this CPU
/// does not have it.
pub fn fill_with_kernel<const L: usize>(
    lanes: &mut LaneNormals<L>,
    out: &mut [[f64; L]],
    kernel: &str,
) -> bool {
    match find(kernel) {
        Some(k) => {
            lanes.fill_with(out, k);
            true
        }
        None => false,
    }
}
