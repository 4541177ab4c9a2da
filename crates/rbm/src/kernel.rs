//! Which compiled version of the inner loops to run: the portable code, the AVX2 kernels, or
//! the AVX-512 kernels (eight lanes per 512-bit register). All give identical bits; the choice
//! is made once per run and passed down, so a test can run every kernel this CPU has.

/// Which compiled version of the epoch (and of the normals' first pass) to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kernel {
    /// The portable code (baseline x86-64 or any other architecture).
    Portable,
    /// The AVX2 kernels (x86-64 only). Constructed only by [`Kernel::available`] on a CPU that
    /// has AVX2, which the `unsafe` calls behind it rely on.
    #[cfg(target_arch = "x86_64")]
    Avx2,
    /// AVX-512: with groups of eight lanes (its group size, [`Kernel::lanes`]), the epoch and
    /// the normals' first pass on 512-bit registers (the generator on rotates and three-way
    /// XORs, 9 vector operations per step of eight streams; the ziggurat's table values
    /// gathered); any other group runs the AVX2 kernels. The fast path's misses are finished
    /// four lanes at a time. Constructed only on a CPU that has AVX2 and AVX-512F, VL, DQ and
    /// BW.
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Kernel {
    /// The fastest kernel this CPU supports (detected once: `LaneNormals::fill` asks per call).
    pub(crate) fn detect() -> Self {
        static FASTEST: std::sync::OnceLock<Kernel> = std::sync::OnceLock::new();
        *FASTEST.get_or_init(|| {
            *Self::available()
                .last()
                .expect("the portable kernel is always available")
        })
    }

    /// Every kernel this CPU supports, slowest first.
    pub(crate) fn available() -> Vec<Self> {
        #[allow(unused_mut)]
        let mut out = vec![Kernel::Portable];
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            out.push(Kernel::Avx2);
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512vl")
                && std::arch::is_x86_feature_detected!("avx512dq")
                && std::arch::is_x86_feature_detected!("avx512bw")
            {
                out.push(Kernel::Avx512);
            }
        }
        out
    }

    /// The group size this kernel runs fastest: eight realisations (one 512-bit register per
    /// quantity) with AVX-512, four otherwise (one 256-bit register; with eight the AVX2 epoch
    /// took 8 % longer, measured, probably because an epoch's normals, 61 KB at |B| = 16, then
    /// no longer fit a 48 KB L1 cache). Results do not depend on it.
    pub(crate) fn lanes(self) -> usize {
        #[cfg(target_arch = "x86_64")]
        if self == Kernel::Avx512 {
            return 8;
        }
        4
    }

    /// Whether the AVX2 kernels of the epoch may run (AVX2 was detected).
    pub(crate) fn has_avx2(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        if matches!(self, Kernel::Avx2 | Kernel::Avx512) {
            return true;
        }
        false
    }
}
