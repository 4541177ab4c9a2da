//! Which compiled version of the inner loops to run: the portable code or the AVX2 kernels.
//! Both give identical bits; the choice is made once per run and passed down, so a test can
//! run the portable path on a CPU that has AVX2.

/// Which compiled version of the epoch (and of the normals' first pass) to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kernel {
    /// The portable code (baseline x86-64 or any other architecture).
    Portable,
    /// The AVX2 kernels (x86-64 only). Constructed only by [`Kernel::detect`] on a CPU that has
    /// AVX2, which the `unsafe` calls behind it rely on.
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

impl Kernel {
    /// The fastest kernel this CPU supports.
    pub(crate) fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            return Kernel::Avx2;
        }
        Kernel::Portable
    }
}
