//! The authors' training step, PCD-k with the exact data term, for `L` realisations in lockstep.
//!
//! Every quantity is stored lane-wise, `[f64; L]` innermost, so each arithmetic statement acts on
//! all realisations of a group at once; nothing is allocated per epoch. Lane `l` only ever reads
//! lane `l`, and every lane performs the same IEEE operations in the same order whatever `L` is
//! (no fused multiply-add, no reassociation), so a realisation's numbers do not depend on the
//! group it runs in. Builds of the epoch: the portable one (plain Rust, readable, the
//! reference) and, on x86-64, kernels written once with intrinsics for any register width
//! (`simd`) that mirror it operation by operation: on 256-bit registers (four lanes; AVX2,
//! outputs in halves: 10 accumulators fit 16 registers) and on 512-bit registers (eight lanes,
//! the group size of AVX-512 CPUs; all outputs at once: 20 accumulators in 32 registers, more
//! independent sums in flight, half the instructions). The tests check that all give identical
//! bits. The portable build is about 3× slower (LLVM's auto-vectorisation of it is unreliable
//! once everything is inlined).
//!
//! Random numbers of one realisation, in the order they are drawn from its own stream:
//!
//! ```text
//! initialisation:  W_ai for a = 0..N_h, i = 0..N_v                     (N_h N_v normals)
//! every epoch:     H⁽⁰⁾, V⁽¹⁾, H⁽¹⁾, …, V⁽ᵏ⁾ — each as [b][unit], b = 0..|B|  (2k|B|N normals)
//! ```
//!
//! The last hidden sample H⁽ᵏ⁾ of the authors' loop is never used (the update needs only V⁽ᵏ⁾,
//! which becomes the persistent state), so it is not drawn: the law of everything that is used is
//! unchanged and 10|B| normals per epoch are saved (60|B| instead of 70|B| at k = 3).

use crate::kernel::Kernel;
use crate::lattice::Target;
use crate::model::{Matrix, Rbm};
use crate::normals::LaneNormals;
use crate::training::Hyper;
use crate::N;

/// One vector of N units, lane-wise.
pub(crate) type Row<const L: usize> = [[f64; L]; N];
/// An N×N matrix, lane-wise.
pub(crate) type LaneMatrix<const L: usize> = [[[f64; L]; N]; N];

/// The constants of the step, precomputed once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Coefficients {
    /// σ_h²
    s2: f64,
    /// σ_h
    sh: f64,
    /// 1/μ² (the visible mean is HW/μ² = HW · (1/μ²), with 1/μ² rounded once)
    inv_mu2: f64,
    /// 1/μ
    inv_mu: f64,
    /// α
    lr: f64,
    /// σ_h²/|B|
    cov_scale: f64,
}

impl Coefficients {
    pub(crate) fn new(rbm: &Rbm, hyper: &Hyper) -> Self {
        Self {
            s2: rbm.sigma_h * rbm.sigma_h,
            sh: rbm.sigma_h,
            inv_mu2: 1.0 / rbm.mu2,
            inv_mu: 1.0 / rbm.mu2.sqrt(),
            lr: hyper.lr,
            cov_scale: rbm.sigma_h * rbm.sigma_h / hyper.batch as f64,
        }
    }
}

/// `L` realisations of the RBM training, advanced together.
pub(crate) struct Lockstep<const L: usize> {
    /// Weights, w[a][i][lane], hidden a, visible i.
    pub(crate) w: LaneMatrix<L>,
    /// The |B| persistent chains (visible state).
    v: Vec<Row<L>>,
    /// Hidden state of the chains.
    h: Vec<Row<L>>,
    /// Normals of one epoch, half-sweep after half-sweep (2k·|B| rows), drawn at once: the
    /// same numbers as half-sweep by half-sweep, but the fast path's misses of the whole epoch
    /// are finished together (in rounds of four lanes with AVX-512).
    eps: Vec<Row<L>>,
    rng: LaneNormals<L>,
    /// The compiled version of the epoch and of the normals' first pass.
    kernel: Kernel,
    k_inv: [[f64; N]; N],
    c: Coefficients,
    gibbs_steps: usize,
}

impl<const L: usize> Lockstep<L> {
    /// Draws the initial weights W ~ N(0, w_init²) from each lane's stream and starts the chains
    /// at all ones (authors-protocol §1(a)); every epoch then runs `kernel`.
    #[inline(always)]
    pub(crate) fn new(
        rbm: &Rbm,
        target: &Target,
        hyper: &Hyper,
        keys: &[[u8; 32]; L],
        kernel: Kernel,
    ) -> Self {
        let mut rng = LaneNormals::from_keys(keys);
        let mut z = [[[0.0; L]; N]; N];
        rng.fill_with(z.as_flattened_mut(), kernel);
        let mut w = [[[0.0; L]; N]; N];
        for (wa, za) in w.iter_mut().zip(&z) {
            for (wai, zai) in wa.iter_mut().zip(za) {
                for l in 0..L {
                    wai[l] = rbm.w_init * zai[l];
                }
            }
        }
        Self {
            w,
            v: vec![[[1.0; L]; N]; hyper.batch],
            h: vec![[[0.0; L]; N]; hyper.batch],
            eps: vec![[[0.0; L]; N]; 2 * rbm.gibbs_steps * hyper.batch],
            rng,
            kernel,
            k_inv: *target.kernel_inverse(),
            c: Coefficients::new(rbm, hyper),
            gibbs_steps: rbm.gibbs_steps,
        }
    }

    /// The weights of lane `l`.
    pub(crate) fn lane_weights(&self, l: usize) -> Matrix {
        let mut out = [[0.0; N]; N];
        for (oa, wa) in out.iter_mut().zip(&self.w) {
            for (o, wai) in oa.iter_mut().zip(wa) {
                *o = wai[l];
            }
        }
        out
    }

    /// One epoch = one SGD step: PCD-k on the persistent chains, then the update. Returns, per
    /// lane, whether the new weights are all finite.
    #[allow(unsafe_code)]
    pub(crate) fn epoch(&mut self) -> [bool; L] {
        #[cfg(target_arch = "x86_64")]
        if self.kernel.has_avx2() {
            // SAFETY: `Kernel::Avx2` and `Kernel::Avx512` are only constructed after detecting
            // their instruction sets (Kernel::available).
            return unsafe {
                match self.kernel {
                    Kernel::Avx512 if L.is_multiple_of(8) => self.epoch_zmm(),
                    _ => self.epoch_avx2(),
                }
            };
        }
        self.epoch_portable()
    }

    /// The epoch on 512-bit registers, eight lanes each (`L` a multiple of 8): the same IEEE
    /// operations as every other build, half the instructions of the 256-bit kernels.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,avx512f,avx512vl,avx512dq,avx512bw")]
    #[inline(never)]
    #[allow(unsafe_code)]
    fn epoch_zmm(&mut self) -> [bool; L] {
        // SAFETY: AVX-512F is enabled here.
        unsafe { self.epoch_body::<std::arch::x86_64::__m512d, N>() }
    }

    /// The epoch with AVX2 kernels (lanes in groups of four, one 256-bit register each) when
    /// `L` is a multiple of 4, else the portable code compiled with AVX2 enabled. The kernels
    /// perform the portable code's IEEE operations in the same order (no FMA), so the results
    /// are identical.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    #[inline(never)]
    #[allow(unsafe_code)]
    fn epoch_avx2(&mut self) -> [bool; L] {
        // SAFETY: AVX2 is enabled here.
        unsafe { self.epoch_body::<std::arch::x86_64::__m256d, { N / 2 }>() }
    }

    /// The body of the vector epochs, inlined into each compiled version: registers `V`,
    /// outputs in blocks of `OUT`.
    ///
    /// # Safety
    /// The CPU must have `V`'s instruction set (the caller is compiled with it).
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    #[allow(unsafe_code)]
    unsafe fn epoch_body<V: simd::Reg, const OUT: usize>(&mut self) -> [bool; L] {
        if !L.is_multiple_of(V::WIDTH) {
            self.pcd();
            return self.update();
        }
        // The same steps as `pcd`, with the vector kernels.
        let c = self.c;
        self.rng.fill_with(self.eps.as_flattened_mut(), self.kernel);
        let mut half_sweeps = self.eps.chunks_exact(self.v.len());
        for step in 0..=self.gibbs_steps {
            if step > 0 {
                let eps = half_sweeps.next().expect("2k half-sweeps");
                // SAFETY: the caller has V's instruction set; lanes g..g+WIDTH ≤ L.
                unsafe {
                    simd::sample_visible::<V, L, OUT>(&self.w, &self.h, eps, &mut self.v, &c)
                };
            }
            if step < self.gibbs_steps {
                let eps = half_sweeps.next().expect("2k half-sweeps");
                // SAFETY: as above.
                unsafe { simd::sample_hidden::<V, L, OUT>(&self.w, &self.v, eps, &mut self.h, &c) };
            }
        }
        // SAFETY: as above.
        unsafe { simd::update::<V, L>(&mut self.w, &self.v, &self.k_inv, &c) }
    }

    #[inline(never)]
    fn epoch_portable(&mut self) -> [bool; L] {
        self.pcd();
        self.update()
    }

    /// Eq. (10) of the paper, sampled: block Gibbs sweeps with its conditionals, the authors'
    /// `forward` (authors-protocol §1(a), step 2),
    ///
    /// ```text
    /// H ~ N(σ_h² V Wᵀ, σ_h²);   k × { V ~ N(H W / μ², 1/μ²);  H ~ N(σ_h² V Wᵀ, σ_h²) }
    /// ```
    ///
    /// V (|B| × N_v) are the persistent chains; the last V is the new state. The final H is not
    /// drawn (see the module documentation).
    // ANCHOR: rbm_pcd
    #[inline(always)]
    fn pcd(&mut self) {
        // The epoch's normals, half-sweep after half-sweep in the order they are used.
        self.rng.fill_with(self.eps.as_flattened_mut(), self.kernel);
        let mut half_sweeps = self.eps.chunks_exact(self.v.len());
        let mut next = || half_sweeps.next().expect("2k half-sweeps");
        sample_hidden(&self.w, &self.v, next(), &mut self.h, &self.c);
        for step in 0..self.gibbs_steps {
            sample_visible(&self.w, &self.h, next(), &mut self.v, &self.c);
            if step + 1 < self.gibbs_steps {
                sample_hidden(&self.w, &self.v, next(), &mut self.h, &self.c);
            }
        }
    }
    // ANCHOR_END: rbm_pcd

    /// Eq. (10) of the paper, trained: the SGD step on the log-likelihood with the exact positive
    /// phase ⟨φφᵀ⟩_target = K_φ⁻¹ and the chains' negative phase (authors-protocol §1(a), steps
    /// 3-4),
    ///
    /// ```text
    /// ΔW = W K_φ⁻¹ − σ_h² W VᵀV/|B|,    W ← W + α ΔW
    /// ```
    ///
    /// evaluated as W + α · W (K_φ⁻¹ − (σ_h²/|B|) VᵀV) (same quantity, one product). The AVX2
    /// kernel (`simd::update`) mirrors this function operation by operation; the tests check
    /// that both give identical bits.
    // ANCHOR: rbm_update
    #[inline(always)]
    fn update(&mut self) -> [bool; L] {
        let c = &self.c;
        // M = K_φ⁻¹ − (σ_h²/|B|) Σ_b v_b v_bᵀ (every entry summed over b ascending; products
        // commute exactly, so M is exactly symmetric).
        let m: LaneMatrix<L> = std::array::from_fn(|i| {
            std::array::from_fn(|j| {
                let mut acc = [0.0; L];
                for vb in &self.v {
                    for l in 0..L {
                        acc[l] += vb[i][l] * vb[j][l];
                    }
                }
                std::array::from_fn(|l| self.k_inv[i][j] - c.cov_scale * acc[l])
            })
        });
        // W ← W + α W M, row by row (row a of ΔW needs only row a of W).
        // z stays 0 while every weight is finite and becomes NaN otherwise.
        let mut z = [0.0; L];
        for wa in self.w.iter_mut() {
            let mut d: Row<L> = [[0.0; L]; N];
            for (j, dj) in d.iter_mut().enumerate() {
                for (wai, mi) in wa.iter().zip(&m) {
                    for l in 0..L {
                        dj[l] += wai[l] * mi[j][l];
                    }
                }
            }
            for (waj, dj) in wa.iter_mut().zip(&d) {
                for l in 0..L {
                    waj[l] += c.lr * dj[l];
                    z[l] += waj[l] * 0.0;
                }
            }
        }
        z.map(|v| v == 0.0)
    }
    // ANCHOR_END: rbm_update
}

// The kernels below keep one lane-vector accumulator per output and sum over the inner index
// in ascending order; a single `[f64; L]` loop-carried value is what LLVM reliably keeps in one
// vector register (a whole row of accumulators it splits into scalars when inlined).

/// h_b = σ_h² W v_b + σ_h ε_b for every chain b (the conditional h | φ of Eq 10, η = 0).
#[inline(always)]
fn sample_hidden<const L: usize>(
    w: &LaneMatrix<L>,
    v: &[Row<L>],
    eps: &[Row<L>],
    h: &mut [Row<L>],
    c: &Coefficients,
) {
    for ((hb, vb), eb) in h.iter_mut().zip(v).zip(eps) {
        for ((hba, wa), eba) in hb.iter_mut().zip(w).zip(eb) {
            let mut acc = [0.0; L];
            for (vbi, wai) in vb.iter().zip(wa) {
                for l in 0..L {
                    acc[l] += vbi[l] * wai[l];
                }
            }
            for l in 0..L {
                hba[l] = c.s2 * acc[l] + c.sh * eba[l];
            }
        }
    }
}

/// v_b = Wᵀ h_b / μ² + ε_b / μ for every chain b (the conditional φ | h of Eq 10).
#[inline(always)]
fn sample_visible<const L: usize>(
    w: &LaneMatrix<L>,
    h: &[Row<L>],
    eps: &[Row<L>],
    v: &mut [Row<L>],
    c: &Coefficients,
) {
    for ((vb, hb), eb) in v.iter_mut().zip(h).zip(eps) {
        for (i, (vbi, ebi)) in vb.iter_mut().zip(eb).enumerate() {
            let mut acc = [0.0; L];
            for (hba, wa) in hb.iter().zip(w) {
                for l in 0..L {
                    acc[l] += hba[l] * wa[i][l];
                }
            }
            for l in 0..L {
                vbi[l] = c.inv_mu2 * acc[l] + c.inv_mu * ebi[l];
            }
        }
    }
}

/// The kernels of the epoch written with intrinsics (LLVM's auto-vectorisation of the portable
/// code is unreliable once everything is inlined), once for any register width: four lanes per
/// 256-bit register (AVX2) or eight per 512-bit register (AVX-512F). Each mirrors the portable
/// function of the same name operation by operation, so every width gives the same bits.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod simd {
    use super::{Coefficients, LaneMatrix, Row};
    use crate::N;
    use std::arch::x86_64::*;

    /// A register of `WIDTH` lanes and the IEEE operations the kernels need (no fused
    /// multiply-add: the portable code has none). Callers must be compiled with the register's
    /// instruction set (AVX for `__m256d`, AVX-512F for `__m512d`).
    pub(super) trait Reg: Copy {
        const WIDTH: usize;
        unsafe fn load(p: *const f64) -> Self;
        unsafe fn store(self, p: *mut f64);
        unsafe fn splat(x: f64) -> Self;
        unsafe fn add(self, b: Self) -> Self;
        unsafe fn sub(self, b: Self) -> Self;
        unsafe fn mul(self, b: Self) -> Self;
        /// Bit l set where lane l is zero.
        unsafe fn zero_lanes(self) -> u32;
    }

    impl Reg for __m256d {
        const WIDTH: usize = 4;
        #[inline(always)]
        unsafe fn load(p: *const f64) -> Self {
            _mm256_loadu_pd(p)
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f64) {
            _mm256_storeu_pd(p, self)
        }
        #[inline(always)]
        unsafe fn splat(x: f64) -> Self {
            _mm256_set1_pd(x)
        }
        #[inline(always)]
        unsafe fn add(self, b: Self) -> Self {
            _mm256_add_pd(self, b)
        }
        #[inline(always)]
        unsafe fn sub(self, b: Self) -> Self {
            _mm256_sub_pd(self, b)
        }
        #[inline(always)]
        unsafe fn mul(self, b: Self) -> Self {
            _mm256_mul_pd(self, b)
        }
        #[inline(always)]
        unsafe fn zero_lanes(self) -> u32 {
            _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_EQ_OQ>(self, _mm256_setzero_pd())) as u32
        }
    }

    impl Reg for __m512d {
        const WIDTH: usize = 8;
        #[inline(always)]
        unsafe fn load(p: *const f64) -> Self {
            _mm512_loadu_pd(p)
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f64) {
            _mm512_storeu_pd(p, self)
        }
        #[inline(always)]
        unsafe fn splat(x: f64) -> Self {
            _mm512_set1_pd(x)
        }
        #[inline(always)]
        unsafe fn add(self, b: Self) -> Self {
            _mm512_add_pd(self, b)
        }
        #[inline(always)]
        unsafe fn sub(self, b: Self) -> Self {
            _mm512_sub_pd(self, b)
        }
        #[inline(always)]
        unsafe fn mul(self, b: Self) -> Self {
            _mm512_mul_pd(self, b)
        }
        #[inline(always)]
        unsafe fn zero_lanes(self) -> u32 {
            u32::from(_mm512_cmp_pd_mask::<_CMP_EQ_OQ>(self, _mm512_setzero_pd()))
        }
    }

    #[inline(always)]
    unsafe fn ld<V: Reg, const L: usize>(x: &[f64; L], g: usize) -> V {
        V::load(x.as_ptr().add(g))
    }

    #[inline(always)]
    unsafe fn st<V: Reg, const L: usize>(x: &mut [f64; L], g: usize, v: V) {
        v.store(x.as_mut_ptr().add(g))
    }

    /// h_b = σ_h² W v_b + σ_h ε_b. Chains in pairs and outputs in blocks of `HALF` (2·HALF
    /// accumulators; HALF = 5: 7 loads per 10 products instead of 11). Each output is still
    /// summed over i ascending.
    #[inline(always)]
    pub(super) unsafe fn sample_hidden<V: Reg, const L: usize, const HALF: usize>(
        w: &LaneMatrix<L>,
        v: &[Row<L>],
        eps: &[Row<L>],
        h: &mut [Row<L>],
        c: &Coefficients,
    ) {
        let (s2, sh) = (V::splat(c.s2), V::splat(c.sh));
        for g in (0..L).step_by(V::WIDTH) {
            for b in (0..v.len()).step_by(2) {
                let pair = b + 1 < v.len();
                let b1 = if pair { b + 1 } else { b };
                for half in (0..N).step_by(HALF) {
                    let mut acc0 = [V::splat(0.0); HALF];
                    let mut acc1 = [V::splat(0.0); HALF];
                    for i in 0..N {
                        let x0: V = ld(&v[b][i], g);
                        let x1: V = ld(&v[b1][i], g);
                        for a in 0..HALF {
                            let wv = ld(&w[half + a][i], g);
                            acc0[a] = acc0[a].add(x0.mul(wv));
                            acc1[a] = acc1[a].add(x1.mul(wv));
                        }
                    }
                    for a in 0..HALF {
                        let r0 = s2.mul(acc0[a]).add(sh.mul(ld(&eps[b][half + a], g)));
                        st(&mut h[b][half + a], g, r0);
                        if pair {
                            let r1 = s2.mul(acc1[a]).add(sh.mul(ld(&eps[b1][half + a], g)));
                            st(&mut h[b1][half + a], g, r1);
                        }
                    }
                }
            }
        }
    }

    /// v_b = Wᵀ h_b / μ² + ε_b / μ, blocked like [`sample_hidden`]; each output summed over a
    /// ascending.
    #[inline(always)]
    pub(super) unsafe fn sample_visible<V: Reg, const L: usize, const HALF: usize>(
        w: &LaneMatrix<L>,
        h: &[Row<L>],
        eps: &[Row<L>],
        v: &mut [Row<L>],
        c: &Coefficients,
    ) {
        let (im2, im) = (V::splat(c.inv_mu2), V::splat(c.inv_mu));
        for g in (0..L).step_by(V::WIDTH) {
            for b in (0..h.len()).step_by(2) {
                let pair = b + 1 < h.len();
                let b1 = if pair { b + 1 } else { b };
                for half in (0..N).step_by(HALF) {
                    let mut acc0 = [V::splat(0.0); HALF];
                    let mut acc1 = [V::splat(0.0); HALF];
                    for a in 0..N {
                        let y0: V = ld(&h[b][a], g);
                        let y1: V = ld(&h[b1][a], g);
                        for i in 0..HALF {
                            let wv = ld(&w[a][half + i], g);
                            acc0[i] = acc0[i].add(y0.mul(wv));
                            acc1[i] = acc1[i].add(y1.mul(wv));
                        }
                    }
                    for i in 0..HALF {
                        let r0 = im2.mul(acc0[i]).add(im.mul(ld(&eps[b][half + i], g)));
                        st(&mut v[b][half + i], g, r0);
                        if pair {
                            let r1 = im2.mul(acc1[i]).add(im.mul(ld(&eps[b1][half + i], g)));
                            st(&mut v[b1][half + i], g, r1);
                        }
                    }
                }
            }
        }
    }

    /// W ← W + α W M with M = K_φ⁻¹ − (σ_h²/|B|) VᵀV; per lane whether W is still finite.
    #[inline(always)]
    pub(super) unsafe fn update<V: Reg, const L: usize>(
        w: &mut LaneMatrix<L>,
        v: &[Row<L>],
        k_inv: &[[f64; N]; N],
        c: &Coefficients,
    ) -> [bool; L] {
        let (cs, lr, zero) = (V::splat(c.cov_scale), V::splat(c.lr), V::splat(0.0));
        let mut finite = [false; L];
        for g in (0..L).step_by(V::WIDTH) {
            // M is exactly symmetric (products commute, K_φ⁻¹ depends on |i − j| only): the
            // upper triangle is computed and mirrored, the portable code's bits.
            let mut m = [[zero; N]; N];
            for i in 0..N {
                let mut acc = [zero; N];
                for vb in v {
                    let x: V = ld(&vb[i], g);
                    for j in i..N {
                        acc[j] = acc[j].add(x.mul(ld(&vb[j], g)));
                    }
                }
                for j in i..N {
                    let mij = V::splat(k_inv[i][j]).sub(cs.mul(acc[j]));
                    m[i][j] = mij;
                    m[j][i] = mij;
                }
            }
            // z stays 0 while every weight is finite and becomes NaN otherwise; one per
            // column, so the check is not a chain through all N² entries (the portable code's
            // single sum gives the same verdict: any NaN makes either NaN).
            let mut z = [zero; N];
            for wa in w.iter_mut() {
                let mut d = [zero; N];
                for (wai, mi) in wa.iter().zip(&m) {
                    let x: V = ld(wai, g);
                    for (dj, mij) in d.iter_mut().zip(mi) {
                        *dj = dj.add(x.mul(*mij));
                    }
                }
                for ((waj, dj), zj) in wa.iter_mut().zip(d).zip(z.iter_mut()) {
                    let r = ld::<V, L>(waj, g).add(lr.mul(dj));
                    st(waj, g, r);
                    *zj = zj.add(r.mul(zero));
                }
            }
            let ok = z.iter().fold(zero, |a, &b| a.add(b)).zero_lanes();
            for (l, f) in finite[g..g + V::WIDTH].iter_mut().enumerate() {
                *f = ok & (1 << l) != 0;
            }
        }
        finite
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use langevin_core::seed::stream_key;

    fn fixed_w(scale: f64) -> LaneMatrix<1> {
        let mut w = [[[0.0; 1]; N]; N];
        for (a, wa) in w.iter_mut().enumerate() {
            for (i, wai) in wa.iter_mut().enumerate() {
                // A fixed, non-symmetric pattern.
                wai[0] = scale * (((3 * a + 7 * i) % 11) as f64 - 5.0) / 5.0;
            }
        }
        w
    }

    /// Gibbs conditionals: with W and the chain state fixed, n = 40 000 hidden draws have mean
    /// σ_h² W v and variance σ_h² per unit, and visible draws mean Wᵀh/μ² and variance 1/μ².
    /// Bounds: 5 standard errors for the mean (σ/√n) and for the variance (σ²√(2/n)); 40
    /// comparisons at ~6e-7 each: false-alarm rate < 3e-5.
    #[test]
    fn gibbs_conditionals_have_the_right_mean_and_variance() {
        let rbm = Rbm::new(9.0, 0.8, 3, 0.1).unwrap();
        let hyper = Hyper::new(0.1, 1, 1).unwrap();
        let c = Coefficients::new(&rbm, &hyper);
        let w = fixed_w(0.4);
        let v: Row<1> = std::array::from_fn(|i| [0.2 * i as f64 - 0.7]);
        let hfix: Row<1> = std::array::from_fn(|a| [0.5 - 0.15 * a as f64]);
        let mut rng = LaneNormals::<1>::from_keys(&[stream_key(5, "rbm/gibbs-test", 0)]);
        let n = 40_000;
        let (mut sh, mut sh2, mut sv, mut sv2) = ([0.0; N], [0.0; N], [0.0; N], [0.0; N]);
        let mut eps = vec![[[0.0; 1]; N]];
        let mut out = vec![[[0.0; 1]; N]];
        for _ in 0..n {
            rng.fill(eps.as_flattened_mut());
            sample_hidden(&w, &[v], &eps, &mut out, &c);
            for a in 0..N {
                sh[a] += out[0][a][0];
                sh2[a] += out[0][a][0] * out[0][a][0];
            }
            rng.fill(eps.as_flattened_mut());
            sample_visible(&w, &[hfix], &eps, &mut out, &c);
            for i in 0..N {
                sv[i] += out[0][i][0];
                sv2[i] += out[0][i][0] * out[0][i][0];
            }
        }
        let nf = n as f64;
        let s2 = 0.64;
        for a in 0..N {
            let want: f64 = s2 * (0..N).map(|i| w[a][i][0] * v[i][0]).sum::<f64>();
            let mean = sh[a] / nf;
            let var = sh2[a] / nf - mean * mean;
            assert!(
                (mean - want).abs() < 5.0 * (s2 / nf).sqrt(),
                "h{a}: {mean} vs {want}"
            );
            assert!(
                (var - s2).abs() < 5.0 * s2 * (2.0 / nf).sqrt(),
                "h{a}: var {var}"
            );
        }
        for i in 0..N {
            let want: f64 = (0..N).map(|a| w[a][i][0] * hfix[a][0]).sum::<f64>() / 9.0;
            let mean = sv[i] / nf;
            let var = sv2[i] / nf - mean * mean;
            assert!(
                (mean - want).abs() < 5.0 * (1.0 / 9.0 / nf).sqrt(),
                "v{i}: {mean} vs {want}"
            );
            assert!(
                (var - 1.0 / 9.0).abs() < 5.0 / 9.0 * (2.0 / nf).sqrt(),
                "v{i}: var {var}"
            );
        }
    }

    /// The persistent chains sample the RBM's marginal: at fixed W (no update), the visible
    /// states after many sweeps have covariance K_RBM⁻¹ = (μ² − σ_h² WᵀW)⁻¹. 64 chains × 600
    /// recorded sweeps (after 50 of burn-in), every sweep of PCD-3 once; the covariance entries
    /// are compared at 6 standard errors computed from the exact covariance, inflated ×2 for the
    /// (short, measured ≲ 1.5 sweeps) autocorrelation of the chains: 55 entries, false-alarm
    /// rate < 1e-6.
    #[test]
    fn chains_sample_the_model_marginal() {
        let rbm = Rbm::authors();
        let target = Target::authors();
        let hyper = Hyper::new(0.1, 64, 1).unwrap();
        let mut g = Lockstep::<1>::new(
            &rbm,
            &target,
            &hyper,
            &[stream_key(9, "rbm/chain-test", 0)],
            Kernel::detect(),
        );
        g.w = fixed_w(0.5);
        let wm = g.lane_weights(0);
        let cov = rbm.model_covariance(&wm).unwrap();
        let mut acc = [[0.0; N]; N];
        let (burn, sweeps) = (50, 600);
        for s in 0..burn + sweeps {
            g.pcd();
            if s >= burn {
                for vb in &g.v {
                    for i in 0..N {
                        for j in 0..N {
                            acc[i][j] += vb[i][0] * vb[j][0];
                        }
                    }
                }
            }
        }
        let n = (sweeps * hyper.batch) as f64;
        for i in 0..N {
            for j in i..N {
                let est = acc[i][j] / n;
                // Var(v_i v_j) = C_ii C_jj + C_ij² for a Gaussian.
                let se = ((cov[i][i] * cov[j][j] + cov[i][j] * cov[i][j]) / n).sqrt();
                assert!(
                    (est - cov[i][j]).abs() < 6.0 * 2.0 * se,
                    "C[{i}][{j}]: {est} vs {}",
                    cov[i][j]
                );
            }
        }
    }
}
