//! Hooks for the criterion benchmarks (`benches/benches/rbm.rs`); not a stable API.

use crate::kernel::Kernel;
use crate::normals::LaneNormals;
use crate::pcd::Lockstep;
use crate::training::Experiment;
use langevin_core::seed::stream_key;

/// A kernel this CPU has (portable, AVX2 or AVX-512; identical bits), resolved once so that a
/// timed loop does not look it up.
#[derive(Clone, Copy, Debug)]
pub struct BenchKernel(Kernel);

impl BenchKernel {
    /// The group size this kernel runs (its lanes per register group).
    pub fn lanes(self) -> usize {
        self.0.lanes()
    }

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

/// One group of realisations of an experiment advanced together, one epoch per call, in the
/// group size its kernel runs (eight lanes with AVX-512, four otherwise).
pub struct LockstepGroup {
    group: Group,
}

enum Group {
    Four(Box<Lockstep<4>>),
    Eight(Box<Lockstep<8>>),
}

impl LockstepGroup {
    /// Realisations 0..lanes of `exp`, initialised, run by the fastest kernel of this CPU.
    pub fn new(exp: &Experiment) -> Self {
        Self::with_kernel(exp, BenchKernel(Kernel::detect()))
    }

    /// As [`LockstepGroup::new`], run by `kernel`.
    pub fn with_kernel(exp: &Experiment, kernel: BenchKernel) -> Self {
        fn make<const L: usize>(exp: &Experiment, kernel: Kernel) -> Box<Lockstep<L>> {
            let keys =
                std::array::from_fn(|l| stream_key(exp.seed().base, &exp.seed().purpose, l as u64));
            Box::new(Lockstep::new(
                exp.rbm(),
                exp.target(),
                exp.hyper(),
                &keys,
                kernel,
            ))
        }
        let group = match kernel.lanes() {
            8 => Group::Eight(make(exp, kernel.0)),
            _ => Group::Four(make(exp, kernel.0)),
        };
        Self { group }
    }

    /// The realisations in the group.
    pub fn lanes(&self) -> usize {
        match self.group {
            Group::Four(_) => 4,
            Group::Eight(_) => 8,
        }
    }

    /// One epoch of every realisation; the number whose weights are still finite.
    pub fn epoch(&mut self) -> usize {
        let finite = |f: &[bool]| f.iter().filter(|&&b| b).count();
        match &mut self.group {
            Group::Four(g) => finite(&g.epoch()),
            Group::Eight(g) => finite(&g.epoch()),
        }
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
