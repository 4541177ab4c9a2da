//! Exact standard normals from several independent streams in lockstep ("lanes").
//!
//! Training runs `L` realisations side by side. Lane `l` owns two xoshiro256++ streams of its
//! realisation: the main stream, seeded exactly like [`langevin_core::Stream`]
//! (`Xoshiro256PlusPlus::from_seed` on the 32-byte key of [`langevin_core::seed::stream_key`]),
//! and the retry stream, the same after `jump()` (2^128 words ahead, so they never overlap). It
//! turns them into N(0, 1) numbers by the ziggurat method in Doornik's ZIGNOR form (the
//! algorithm of rand_distr's `StandardNormal`, same bit layout) with 1024 layers instead of its
//! 256: less than a third as many candidates miss the fast path (the misses are the slow part).
//!
//! ```text
//! bits = next main word;  i = bits & 0x3ff;  u = float(bits >> 12) ∈ [−1, 1)
//! x = u · X[i]
//! |x| < X[i+1]                            → x                          (99.6 % of candidates)
//! i = 0                                   → Marsaglia's tail beyond R, sign of u
//! f[i+1] + (f[i] − f[i+1]) U < e^{−x²/2}  → x, else a new candidate
//! ```
//!
//! with `X[0] = V/f(R)`, `X[1] = R`, `X[i+1] = f⁻¹(V/X[i] + f(X[i]))`, `X[1024] = 0`,
//! f(x) = e^{−x²/2} and V = R f(R) + ∫_R^∞ f the common area of the layers. Normal k of a lane
//! takes its first candidate from word k of the main stream; everything after a miss of the
//! fast path (U, new candidates, the tail's uniforms) comes from the retry stream, in order.
//! The method is exact (rejection sampling from the normal density; no approximation beyond
//! floating point); the tables are computed at first use with the pure-Rust `libm`, so every
//! platform gets the same numbers.
//!
//! Why two streams: with them, word k of the main stream belongs to normal k whatever happens
//! to the others, so one pass draws the main words of all lanes and applies the fast path (four
//! lanes per 256-bit register with AVX2; eight per 512-bit register with AVX-512,
//! the table values gathered), and the rare misses are finished afterwards,
//! found through a bitmap of the slots that had one: lane by lane (portable, AVX2), or four
//! lanes at a time in rounds, each lane's r-th miss in round r (AVX-512). Each lane's numbers are a
//! function of its own streams only: the sequence of a realisation is the same whatever `L`,
//! whatever realisations share its group and whichever kernel runs. The cost per kernel, beside
//! rand_distr's scalar `StandardNormal` on the same generator, is measured by the criterion
//! bench `rbm` (`floor_normals_960_*`).

use std::f64::consts::{FRAC_PI_2, SQRT_2};
use std::sync::OnceLock;

use crate::kernel::Kernel;

/// The squeeze's relative margin (see [`Ziggurat::squeeze`]).
const SQUEEZE_EPS: f64 = 1e-12;

/// Layers of the ziggurat.
pub const LAYERS: usize = 1024;
/// The layer index of a word: its low bits.
const LAYER_MASK: u64 = LAYERS as u64 - 1;

/// r of the 1024-layer ziggurat for the normal density (Marsaglia & Tsang; Doornik): the root
/// of "the top layer, built down from R, has the common area V", solved to 40 digits
/// (4.0388498461095045227…); `tables_are_a_consistent_ziggurat` checks every layer's area.
pub const ZIGGURAT_R: f64 = 4.038_849_846_109_504;

/// The ziggurat tables: layer abscissae `x` (decreasing, `x[LAYERS] = 0`) and `f = e^{−x²/2}`.
/// The vector kernels read `(x[i], x[i+1])` and `(f[i], f[i+1])` with one 16-byte load each.
#[derive(Debug)]
pub struct Ziggurat {
    /// Layer right edges X[0..=LAYERS].
    pub x: Table,
    /// `e^{−X[i]²/2}`.
    pub f: Table,
    /// `1/(X[i] − X[i+1])`, for the chord of layer i.
    inv_width: [f64; LAYERS],
}

/// A table of the ziggurat, cache-line aligned (the first pass reads it at random; 8 KB).
#[derive(Debug)]
#[repr(align(64))]
pub struct Table(pub [f64; LAYERS + 1]);

impl std::ops::Deref for Table {
    type Target = [f64; LAYERS + 1];
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

fn gauss(x: f64) -> f64 {
    libm::exp(-0.5 * x * x)
}

impl Ziggurat {
    fn build() -> Self {
        let r = ZIGGURAT_R;
        let v = r * gauss(r) + FRAC_PI_2.sqrt() * libm::erfc(r / SQRT_2);
        let mut x = [0.0; LAYERS + 1];
        x[0] = v / gauss(r);
        x[1] = r;
        for i in 1..LAYERS - 1 {
            x[i + 1] = libm::sqrt(-2.0 * libm::log(v / x[i] + gauss(x[i])));
        }
        x[LAYERS] = 0.0;
        let mut f = [0.0; LAYERS + 1];
        for (fi, xi) in f.iter_mut().zip(x.iter()) {
            *fi = gauss(*xi);
        }
        let inv_width = std::array::from_fn(|i| 1.0 / (x[i] - x[i + 1]));
        Self {
            x: Table(x),
            f: Table(f),
            inv_width,
        }
    }

    /// Decides the wedge test `y < e^{−x²/2}` of layer `i` (X[i+1] ≤ ax ≤ X[i], ax = |x|)
    /// without an exponential when a straight line settles it, else None. f = e^{−x²/2} is
    /// convex for |x| ≥ 1 (below its chord, above its tangents) and concave for |x| ≤ 1 (the
    /// reverse). The bounds are widened by 1e-12 relative, far more than their rounding and
    /// the ≤ 1 ulp error of `libm::exp`, so the answer is always the one the exponential
    /// gives: the output does not change, only ~85 % of the exponentials are saved.
    #[inline]
    fn squeeze(&self, i: usize, ax: f64, y: f64) -> Option<bool> {
        const EPS: f64 = SQUEEZE_EPS;
        let (a, b, fa, fb) = (self.x[i + 1], self.x[i], self.f[i + 1], self.f[i]);
        let chord = fb + (fa - fb) * (b - ax) * self.inv_width[i];
        let ta = fa * (1.0 - a * (ax - a));
        let tb = fb * (1.0 - b * (ax - b));
        // (accept below, reject at or above): selects rather than branches, the layer's side
        // of the inflection point is not predictable.
        let (lo, hi) = if a >= 1.0 {
            (ta.max(tb) * (1.0 - EPS), chord * (1.0 + EPS))
        } else if b <= 1.0 {
            (chord * (1.0 - EPS), ta.min(tb) * (1.0 + EPS))
        } else {
            (f64::NEG_INFINITY, f64::INFINITY)
        };
        if y < lo {
            Some(true)
        } else if y >= hi {
            Some(false)
        } else {
            None
        }
    }

    /// The fraction of candidates the fast path accepts, `|u| < X[i+1]/X[i]` for a uniform layer
    /// `i` and `u` uniform on (−1, 1): the mean of `X[i+1]/X[i]` over the layers.
    pub fn fast_path_fraction(&self) -> f64 {
        (0..LAYERS).map(|i| self.x[i + 1] / self.x[i]).sum::<f64>() / LAYERS as f64
    }

    /// The tables, computed once.
    pub fn get() -> &'static Self {
        static TABLES: OnceLock<Ziggurat> = OnceLock::new();
        TABLES.get_or_init(Self::build)
    }
}

/// `Xoshiro256PlusPlus::from_seed` replaces an all-zero seed by SplitMix64(0) output.
fn seed_words(key: &[u8; 32]) -> [u64; 4] {
    let mut s = [0u64; 4];
    if key.iter().all(|&b| b == 0) {
        let mut z = 0u64;
        for w in s.iter_mut() {
            z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut y = z;
            y = (y ^ (y >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            y = (y ^ (y >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            *w = y ^ (y >> 31);
        }
    } else {
        for (w, chunk) in s.iter_mut().zip(key.chunks_exact(8)) {
            *w = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        }
    }
    s
}

/// The xoshiro256++ jump polynomial: `jump()` advances a stream by 2^128 outputs.
const JUMP: [u64; 4] = [
    0x180e_c6d3_3cfd_0aba,
    0xd5a6_1266_f0c9_392c,
    0xa958_2618_e03f_c9aa,
    0x39ab_dc45_29b1_661c,
];

/// One xoshiro256++ step of lane `l` of `s` (structure of arrays): the only scalar copy of
/// the generator (`avx2::first_pass` has the vector one).
#[inline(always)]
fn step_lane<const L: usize>(s: &mut [[u64; L]; 4], l: usize) -> u64 {
    let out = s[0][l]
        .wrapping_add(s[3][l])
        .rotate_left(23)
        .wrapping_add(s[0][l]);
    let t = s[1][l] << 17;
    s[2][l] ^= s[0][l];
    s[3][l] ^= s[1][l];
    s[1][l] ^= s[2][l];
    s[0][l] ^= s[3][l];
    s[2][l] ^= t;
    s[3][l] = s[3][l].rotate_left(45);
    out
}

/// One xoshiro256++ step of every lane of `s`.
#[inline(always)]
fn step<const L: usize>(s: &mut [[u64; L]; 4]) -> [u64; L] {
    std::array::from_fn(|l| step_lane(s, l))
}

/// Draws the next main word of every lane and applies the ziggurat's fast path:
/// `out[k][l] = u·X[i]`, final when |u·X[i]| < X[i+1]; where the test fails, `out[k][l]` keeps
/// the word itself (its bits as an f64, read back by the finish: no separate buffer, half the
/// stores). For group g (lanes 4g..4g+4) and slot k, `masks[g·n + k]` is the fast-path mask (bit
/// j set when lane 4g + j took the fast path). Every store goes to a slot-indexed place on
/// purpose: appending the misses to a list puts the list position, known only after the
/// previous slot's test, into the store addresses, and the CPU holds the next table loads
/// behind them (the pass took 1.7x as long). `Kernel::Avx2`/`Avx512` with `L` a multiple of 4
/// (of 8: the 512-bit pass) run the vector versions, which perform the same integer and IEEE
/// operations; anything else the portable code below.
#[inline(always)]
#[allow(unsafe_code)]
fn first_pass<const L: usize>(
    s: &mut [[u64; L]; 4],
    z: &Ziggurat,
    out: &mut [[f64; L]],
    masks: &mut [u8],
    kernel: Kernel,
) {
    let n = out.len();
    assert!(masks.len() >= n * L.div_ceil(4));
    #[cfg(target_arch = "x86_64")]
    if L.is_multiple_of(4) {
        // SAFETY: `Kernel::Avx2` and `Kernel::Avx512` are only constructed after detecting
        // their instruction sets (Kernel::available); lanes g..g+4 with g + 4 ≤ L, and `masks`
        // has one entry per slot and group (asserted above).
        match kernel {
            Kernel::Avx512 if L.is_multiple_of(8) => {
                return unsafe { avx2::first_pass_zmm(s, z, out, masks) }
            }
            Kernel::Avx2 | Kernel::Avx512 => return unsafe { avx2::first_pass(s, z, out, masks) },
            Kernel::Portable => {}
        }
    }
    let _ = kernel;
    let mut st = *s;
    for (k, o) in out.iter_mut().enumerate() {
        let w = step(&mut st);
        let mut fast = [0u8; L];
        for l in 0..L {
            let i = (w[l] & LAYER_MASK) as usize;
            let x = signed_unit(w[l]) * z.x[i];
            let hit = x.abs() < z.x[i + 1];
            o[l] = if hit { x } else { f64::from_bits(w[l]) };
            fast[l / 4] |= u8::from(hit) << (l % 4);
        }
        for g in 0..L.div_ceil(4) {
            masks[g * n + k] = fast[g];
        }
    }
    *s = st;
}

/// xoshiro256++ on four lanes per 256-bit register or eight per 512-bit one (LLVM keeps the
/// scalar `rol` otherwise).
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod avx2 {
    use std::arch::x86_64::*;

    #[inline(always)]
    unsafe fn rotl<const K: i32, const R: i32>(x: __m256i) -> __m256i {
        _mm256_or_si256(_mm256_slli_epi64::<K>(x), _mm256_srli_epi64::<R>(x))
    }

    /// [`super::first_pass`] on four lanes per register (AVX2): xoshiro256++ with vector
    /// shifts, the two table values of each lane, `(X[i], X[i+1])`, in one 16-byte load.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn first_pass<const L: usize>(
        s: &mut [[u64; L]; 4],
        z: &super::Ziggurat,
        out: &mut [[f64; L]],
        masks: &mut [u8],
    ) {
        let abs = _mm256_castsi256_pd(_mm256_set1_epi64x(i64::MAX));
        let step = |st: &mut [__m256i; 4]| {
            let [s0, s1, s2, s3] = *st;
            let w = _mm256_add_epi64(rotl::<23, 41>(_mm256_add_epi64(s0, s3)), s0);
            let tt = _mm256_slli_epi64::<17>(s1);
            let s2 = _mm256_xor_si256(s2, s0);
            let s3 = _mm256_xor_si256(s3, s1);
            let s1 = _mm256_xor_si256(s1, s2);
            let s0 = _mm256_xor_si256(s0, s3);
            *st = [s0, s1, _mm256_xor_si256(s2, tt), rotl::<45, 19>(s3)];
            w
        };
        let layers = |w: __m256i| {
            let lo = _mm256_castsi256_si128(w);
            let hi = _mm256_extracti128_si256::<1>(w);
            [
                _mm_cvtsi128_si64(lo),
                _mm_extract_epi64::<1>(lo),
                _mm_cvtsi128_si64(hi),
                _mm_extract_epi64::<1>(hi),
            ]
            .map(|b| (b as u64 & super::LAYER_MASK) as usize)
        };
        for g in (0..L).step_by(4) {
            let ld = |k: usize| _mm256_loadu_si256(s[k][g..g + 4].as_ptr().cast());
            let mut st = [ld(0), ld(1), ld(2), ld(3)];
            let n = out.len();
            for (k, o) in out.iter_mut().enumerate() {
                let w = step(&mut st);
                let (xi, xn) = edges(&z.x, layers(w));
                let x = _mm256_mul_pd(signed_unit(w), xi);
                let fast = _mm256_cmp_pd::<_CMP_LT_OQ>(_mm256_and_pd(x, abs), xn);
                // The word itself where the test failed (for the finish).
                let keep = _mm256_blendv_pd(_mm256_castsi256_pd(w), x, fast);
                _mm256_storeu_pd(o[g..g + 4].as_mut_ptr(), keep);
                *masks.get_unchecked_mut((g / 4) * n + k) = _mm256_movemask_pd(fast) as u8;
            }
            for (k, v) in st.into_iter().enumerate() {
                _mm256_storeu_si256(s[k][g..g + 4].as_mut_ptr().cast(), v);
            }
        }
    }

    /// [`super::first_pass`] for `L` a multiple of 8: eight lanes per 512-bit register, the
    /// same integer and IEEE operations as [`first_pass`], with the generator on AVX-512's
    /// rotate and three-way XOR (`vprolq`, `vpternlogq` 0x96: 9 instructions per step of eight
    /// streams, against 14 per step of four with AVX2). `X[i]` and `X[i+1]` are gathered
    /// (on the Intel Xeon this was measured on, 0.65 µs per 960 normals against 0.74 µs with
    /// the 16-byte pair loads of the 256-bit pass). The masks of the two 4-lane groups of a
    /// register are its low and high four bits.
    #[target_feature(enable = "avx2,avx512f,avx512vl,avx512dq,avx512bw")]
    pub(super) unsafe fn first_pass_zmm<const L: usize>(
        s: &mut [[u64; L]; 4],
        z: &super::Ziggurat,
        out: &mut [[f64; L]],
        masks: &mut [u8],
    ) {
        let abs = _mm512_castsi512_pd(_mm512_set1_epi64(i64::MAX));
        let layer = _mm512_set1_epi64(super::LAYER_MASK as i64);
        let two = _mm512_set1_epi64(0x4000_0000_0000_0000);
        let three = _mm512_set1_pd(3.0);
        let n = out.len();
        for g in (0..L).step_by(8) {
            let ld = |k: usize| _mm512_loadu_si512(s[k][g..g + 8].as_ptr().cast());
            let [mut s0, mut s1, mut s2, mut s3] = [ld(0), ld(1), ld(2), ld(3)];
            let (m0, m1) = masks.split_at_mut((g / 4 + 1) * n);
            let (m0, m1) = (&mut m0[(g / 4) * n..], &mut m1[..n]);
            for (k, o) in out.iter_mut().enumerate() {
                let w = _mm512_add_epi64(_mm512_rol_epi64::<23>(_mm512_add_epi64(s0, s3)), s0);
                let tt = _mm512_slli_epi64::<17>(s1);
                let n0 = _mm512_ternarylogic_epi64::<0x96>(s0, s3, s1);
                let n1 = _mm512_ternarylogic_epi64::<0x96>(s1, s2, s0);
                let n2 = _mm512_ternarylogic_epi64::<0x96>(s2, s0, tt);
                s3 = _mm512_rol_epi64::<45>(_mm512_xor_si512(s3, s1));
                (s0, s1, s2) = (n0, n1, n2);
                let i = _mm512_and_si512(w, layer);
                let xi = _mm512_i64gather_pd::<8>(i, z.x.as_ptr());
                let xn = _mm512_i64gather_pd::<8>(i, z.x.as_ptr().add(1));
                let u = _mm512_sub_pd(
                    _mm512_castsi512_pd(_mm512_or_si512(_mm512_srli_epi64::<12>(w), two)),
                    three,
                );
                let x = _mm512_mul_pd(u, xi);
                let fast = _mm512_cmp_pd_mask::<_CMP_LT_OQ>(_mm512_and_pd(x, abs), xn);
                let keep = _mm512_mask_blend_pd(fast, _mm512_castsi512_pd(w), x);
                _mm512_storeu_pd(o[g..g + 8].as_mut_ptr(), keep);
                *m0.get_unchecked_mut(k) = fast & 0xf;
                *m1.get_unchecked_mut(k) = fast >> 4;
            }
            for (k, v) in [s0, s1, s2, s3].into_iter().enumerate() {
                _mm512_storeu_si512(s[k][g..g + 8].as_mut_ptr().cast(), v);
            }
        }
    }

    /// One xoshiro256++ step of four lanes on AVX-512VL's 256-bit rotate and three-way XOR:
    /// the output words and the next state. s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
    /// s3 = rotl(s3, 45), with the chained XORs written out (0x96 is a ^ b ^ c).
    #[inline(always)]
    unsafe fn step_avx512([s0, s1, s2, s3]: [__m256i; 4]) -> (__m256i, [__m256i; 4]) {
        let w = _mm256_add_epi64(_mm256_rol_epi64::<23>(_mm256_add_epi64(s0, s3)), s0);
        let tt = _mm256_slli_epi64::<17>(s1);
        let next = [
            _mm256_ternarylogic_epi64::<0x96>(s0, s3, s1),
            _mm256_ternarylogic_epi64::<0x96>(s1, s2, s0),
            _mm256_ternarylogic_epi64::<0x96>(s2, s0, tt),
            _mm256_rol_epi64::<45>(_mm256_xor_si256(s3, s1)),
        ];
        (w, next)
    }

    /// [`step_avx512`] with the state advanced only in the lanes of `mask`.
    #[inline(always)]
    unsafe fn step_masked(st: &mut [__m256i; 4], mask: u8) -> __m256i {
        let (w, next) = step_avx512(*st);
        for (old, new) in st.iter_mut().zip(next) {
            *old = _mm256_mask_blend_epi64(mask, *old, new);
        }
        w
    }

    /// The top 52 bits of four words as floats in [−1, 1) (`super::signed_unit`, four lanes).
    #[inline(always)]
    unsafe fn signed_unit(w: __m256i) -> __m256d {
        let two = _mm256_set1_epi64x(0x4000_0000_0000_0000);
        _mm256_sub_pd(
            _mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64::<12>(w), two)),
            _mm256_set1_pd(3.0),
        )
    }

    /// `(t[i], t[i+1])` of four layers, one 16-byte load per lane: [t[i0], t[i0+1] | t[i2],
    /// t[i2+1]] and [t[i1], t[i1+1] | t[i3], t[i3+1]], unpacked to (t[i0], …, t[i3]) and
    /// (t[i0+1], …, t[i3+1]).
    #[inline(always)]
    unsafe fn edges(table: &super::Table, i: [usize; 4]) -> (__m256d, __m256d) {
        let t = table.as_ptr();
        let p02 = _mm256_loadu2_m128d(t.add(i[2]), t.add(i[0]));
        let p13 = _mm256_loadu2_m128d(t.add(i[3]), t.add(i[1]));
        (_mm256_unpacklo_pd(p02, p13), _mm256_unpackhi_pd(p02, p13))
    }

    /// `(t[i0], t[i1], t[i2], t[i3])`.
    #[inline(always)]
    unsafe fn pick(t: &[f64], i: [usize; 4]) -> __m256d {
        _mm256_set_pd(t[i[3]], t[i[2]], t[i[1]], t[i[0]])
    }

    /// The layer indices `w & LAYER_MASK` of four words (vpmovqw: the low 16 bits of each
    /// word into one 64-bit integer).
    #[inline(always)]
    unsafe fn layers(w: __m256i) -> [usize; 4] {
        let b = _mm_cvtsi128_si64(_mm256_cvtepi64_epi16(w)) as u64;
        [0, 16, 32, 48].map(|s| ((b >> s) & super::LAYER_MASK) as usize)
    }

    /// The rest of the ziggurat for the misses of group g (lanes 4g..4g+4; `masks` is the
    /// group's; a missed slot's `out` holds its word), four lanes at a time: round r takes each
    /// lane's r-th missed slot of the block, and every step of the round (the wedge's uniform, a new candidate) advances only
    /// the retry streams of the lanes still drawing. Per lane this is [`super::slow`] word for
    /// word and operation for operation (the tail and the exponentials the squeeze leaves open
    /// are computed by the scalar code), so the bits are those of the portable path.
    #[target_feature(enable = "avx2,avx512f,avx512vl,avx512dq,avx512bw")]
    pub(super) unsafe fn finish_misses<const L: usize>(
        retry: &mut [[u64; L]; 4],
        g: usize,
        masks: &[u8],
        out: &mut [[f64; L]],
        z: &super::Ziggurat,
        lane_missed: &mut Vec<[u64; 4]>,
    ) {
        const EPS: f64 = super::SQUEEZE_EPS;
        // Per 64 slots and lane, the slots where the lane missed (bit j of the mask clear):
        // one byte test per lane over 64 masks.
        lane_missed.clear();
        let mut any = 0u64;
        for block in masks.chunks(64) {
            // A short last block is padded with "all lanes fast" (a masked load, no copy).
            let present = u64::MAX >> (64 - block.len());
            let v = _mm512_mask_loadu_epi8(_mm512_set1_epi8(0xf), present, block.as_ptr().cast());
            let m: [u64; 4] =
                std::array::from_fn(|j| _mm512_testn_epi8_mask(v, _mm512_set1_epi8(1 << j)));
            any |= m[0] | m[1] | m[2] | m[3];
            lane_missed.push(m);
        }
        if any == 0 {
            return;
        }
        let base = 4 * g;
        let ld =
            |r: &[[u64; L]; 4], k: usize| _mm256_loadu_si256(r[k][base..base + 4].as_ptr().cast());
        let mut st = [ld(retry, 0), ld(retry, 1), ld(retry, 2), ld(retry, 3)];
        let abs = _mm256_castsi256_pd(_mm256_set1_epi64x(i64::MAX));
        let one = _mm256_set1_pd(1.0);
        let (lo_eps, hi_eps) = (_mm256_set1_pd(1.0 - EPS), _mm256_set1_pd(1.0 + EPS));
        // Where each lane is in its bitmap: the 64-slot word and what is left of it.
        let mut at = [0usize; 4];
        let mut left: [u64; 4] = lane_missed[0];
        let mut slot = [0usize; 4];
        let mut xs = [0.0f64; 4];
        loop {
            // The round: each lane's next missed slot.
            let mut pending = 0u8;
            let mut first = [0u64; 4];
            for j in 0..4 {
                while left[j] == 0 && at[j] + 1 < lane_missed.len() {
                    at[j] += 1;
                    left[j] = lane_missed[at[j]][j];
                }
                if left[j] != 0 {
                    slot[j] = 64 * at[j] + left[j].trailing_zeros() as usize;
                    left[j] &= left[j] - 1;
                    first[j] = out[slot[j]][base + j].to_bits();
                    pending |= 1 << j;
                }
            }
            if pending == 0 {
                break;
            }
            // Every pending candidate has failed its fast test.
            let mut cand = _mm256_loadu_si256(first.as_ptr().cast());
            while pending != 0 {
                let i = layers(cand);
                // Layer 0: the tail, by the scalar code on the lane's stream.
                let tails =
                    _mm256_testn_epi64_mask(cand, _mm256_set1_epi64x(super::LAYER_MASK as i64))
                        & pending;
                if tails != 0 {
                    for (k, v) in st.iter().enumerate() {
                        _mm256_storeu_si256(retry[k][base..base + 4].as_mut_ptr().cast(), *v);
                    }
                    let mut bits = [0u64; 4];
                    _mm256_storeu_si256(bits.as_mut_ptr().cast(), cand);
                    for j in (0..4).filter(|j| tails & (1 << j) != 0) {
                        out[slot[j]][base + j] =
                            super::tail(retry, base + j, super::signed_unit(bits[j]));
                    }
                    st = [ld(retry, 0), ld(retry, 1), ld(retry, 2), ld(retry, 3)];
                    pending &= !tails;
                    if pending == 0 {
                        break;
                    }
                }
                // The wedge: y = f[i+1] + (f[i] − f[i+1]) U, decided by the squeeze.
                let w = step_masked(&mut st, pending);
                let (b, a) = edges(&z.x, i);
                let (fb, fa) = edges(&z.f, i);
                let x = _mm256_mul_pd(signed_unit(cand), b);
                let uu = _mm256_mul_pd(
                    _mm256_cvtepu64_pd(_mm256_srli_epi64::<11>(w)),
                    _mm256_set1_pd(1.0 / (1u64 << 53) as f64),
                );
                let y = _mm256_add_pd(fa, _mm256_mul_pd(_mm256_sub_pd(fb, fa), uu));
                let ax = _mm256_and_pd(x, abs);
                let chord = _mm256_add_pd(
                    fb,
                    _mm256_mul_pd(
                        _mm256_mul_pd(_mm256_sub_pd(fa, fb), _mm256_sub_pd(b, ax)),
                        pick(&z.inv_width, i),
                    ),
                );
                let ta = _mm256_mul_pd(
                    fa,
                    _mm256_sub_pd(one, _mm256_mul_pd(a, _mm256_sub_pd(ax, a))),
                );
                let tb = _mm256_mul_pd(
                    fb,
                    _mm256_sub_pd(one, _mm256_mul_pd(b, _mm256_sub_pd(ax, b))),
                );
                let convex = _mm256_cmp_pd_mask::<_CMP_GE_OQ>(a, one);
                let concave = _mm256_cmp_pd_mask::<_CMP_LE_OQ>(b, one);
                let mut lo = _mm256_set1_pd(f64::NEG_INFINITY);
                let mut hi = _mm256_set1_pd(f64::INFINITY);
                lo = _mm256_mask_blend_pd(concave, lo, _mm256_mul_pd(chord, lo_eps));
                hi =
                    _mm256_mask_blend_pd(concave, hi, _mm256_mul_pd(_mm256_min_pd(ta, tb), hi_eps));
                lo = _mm256_mask_blend_pd(convex, lo, _mm256_mul_pd(_mm256_max_pd(ta, tb), lo_eps));
                hi = _mm256_mask_blend_pd(convex, hi, _mm256_mul_pd(chord, hi_eps));
                let mut accept = _mm256_cmp_pd_mask::<_CMP_LT_OQ>(y, lo) & pending;
                let reject = _mm256_cmp_pd_mask::<_CMP_GE_OQ>(y, hi) & pending;
                let open = pending & !accept & !reject;
                _mm256_storeu_pd(xs.as_mut_ptr(), x);
                if open != 0 {
                    let mut ys = [0.0; 4];
                    _mm256_storeu_pd(ys.as_mut_ptr(), y);
                    for j in (0..4).filter(|j| open & (1 << j) != 0) {
                        if ys[j] < super::gauss(xs[j]) {
                            accept |= 1 << j;
                        }
                    }
                }
                // Rejected: a new candidate for those lanes, kept if it passes the fast test.
                let rejected = pending & !accept;
                let mut done = accept;
                if rejected != 0 {
                    let w = step_masked(&mut st, rejected);
                    cand = _mm256_mask_blend_epi64(rejected, cand, w);
                    let (xi, xn) = edges(&z.x, layers(cand));
                    let xc = _mm256_mul_pd(signed_unit(cand), xi);
                    let fast =
                        _mm256_cmp_pd_mask::<_CMP_LT_OQ>(_mm256_and_pd(xc, abs), xn) & rejected;
                    // Lanes accepted now keep x; lanes with a fast new candidate take it.
                    let x = _mm256_mask_blend_pd(fast, x, xc);
                    _mm256_storeu_pd(xs.as_mut_ptr(), x);
                    done |= fast;
                }
                for j in 0..4 {
                    let o = &mut out[slot[j]][base + j];
                    *o = if done & (1 << j) != 0 { xs[j] } else { *o };
                }
                pending &= !done;
            }
        }
        for (k, v) in st.iter().enumerate() {
            _mm256_storeu_si256(retry[k][base..base + 4].as_mut_ptr().cast(), *v);
        }
    }
}

/// Normal generators for `L` realisations: per lane a main stream, which supplies the first
/// candidate of every normal (one 64-bit word each), and a retry stream, the main stream jumped
/// ahead by 2^128 words, which supplies everything a rejected candidate needs (0.4 % of normals).
///
/// Splitting the two makes word k of the main stream belong to normal k whatever happens to the
/// others, so the main words of a whole block are drawn first (a pure vector loop) and converted
/// next (another one); the rare rejections are finished lane by lane from the retry streams.
#[derive(Clone, Debug)]
pub struct LaneNormals<const L: usize> {
    /// Lane streams, xoshiro256++ states word-major: `main[k][l]` is word k of lane l.
    main: [[u64; L]; 4],
    retry: [[u64; L]; 4],
    /// Per group and slot of the current block, the fast-path mask (see `first_pass`).
    slot_masks: Vec<u8>,
    /// Scratch of the vector finish of the misses: per 64 slots, each lane's missed slots.
    lane_missed: Vec<[u64; 4]>,
}

impl<const L: usize> LaneNormals<L> {
    /// Lane `l`'s main stream is `Xoshiro256PlusPlus::from_seed(keys[l])`, its retry stream the
    /// same after `jump()`.
    pub fn from_keys(keys: &[[u8; 32]; L]) -> Self {
        let mut main = [[0u64; L]; 4];
        for (l, key) in keys.iter().enumerate() {
            let w = seed_words(key);
            for k in 0..4 {
                main[k][l] = w[k];
            }
        }
        let mut s = main;
        let mut retry = [[0u64; L]; 4];
        for j in JUMP {
            for b in 0..64 {
                if j & (1u64 << b) != 0 {
                    for k in 0..4 {
                        for l in 0..L {
                            retry[k][l] ^= s[k][l];
                        }
                    }
                }
                step(&mut s);
            }
        }
        Self {
            main,
            retry,
            slot_masks: Vec::new(),
            lane_missed: Vec::new(),
        }
    }

    /// The next word of every lane's main stream.
    #[inline(always)]
    pub fn next_u64(&mut self) -> [u64; L] {
        step(&mut self.main)
    }

    /// The next word of lane `l`'s retry stream.
    #[cfg(test)]
    fn retry_u64(&mut self, l: usize) -> u64 {
        step_lane(&mut self.retry, l)
    }

    /// Fills `out[k][l]` with the next standard normal of lane `l`, k ascending: normal k takes
    /// its first candidate from the k-th next main word. Runs the fastest kernel of this CPU
    /// (every kernel gives the same bits).
    #[inline(always)]
    pub fn fill(&mut self, out: &mut [[f64; L]]) {
        self.fill_with(out, Kernel::detect());
    }

    /// [`LaneNormals::fill`] with the first pass run by `kernel`.
    #[inline(always)]
    #[allow(unsafe_code)]
    pub(crate) fn fill_with(&mut self, out: &mut [[f64; L]], kernel: Kernel) {
        let z = Ziggurat::get();
        let n = out.len();
        let room = n * L.div_ceil(4);
        if self.slot_masks.len() < room {
            self.slot_masks.resize(room, 0);
        }
        first_pass(&mut self.main, z, out, &mut self.slot_masks, kernel);
        // The candidates that missed the fast path (1.7 % of the slots of a group of four),
        // finished from the retry streams in slot order per lane. The masks are read eight at a
        // time into a bitmap of the slots with a miss, whose set bits are then visited: one
        // unpredictable branch per missed slot, not one per slot or chunk.
        for g in 0..L.div_ceil(4) {
            #[cfg(target_arch = "x86_64")]
            if kernel == Kernel::Avx512 && 4 * g + 4 <= L {
                // SAFETY: `Kernel::Avx512` is only constructed after detecting AVX2, AVX-512F,
                // VL, DQ and BW (Kernel::available); lanes 4g..4g+4 ≤ L; one mask per slot of
                // the group.
                unsafe {
                    avx2::finish_misses(
                        &mut self.retry,
                        g,
                        &self.slot_masks[g * n..(g + 1) * n],
                        out,
                        z,
                        &mut self.lane_missed,
                    )
                };
                continue;
            }
            let full = (1u8 << (L - 4 * g).min(4)) - 1;
            let masks = &self.slot_masks[g * n..(g + 1) * n];
            for (c, block) in masks.chunks(64).enumerate() {
                let mut missed = missed_slots(block, full);
                while missed != 0 {
                    let k = 64 * c + missed.trailing_zeros() as usize;
                    missed &= missed - 1;
                    let mut lanes = u32::from(!masks[k] & full);
                    while lanes != 0 {
                        let j = lanes.trailing_zeros() as usize;
                        lanes &= lanes - 1;
                        let word = out[k][4 * g + j].to_bits();
                        out[k][4 * g + j] = slow(&mut self.retry, 4 * g + j, word, z);
                    }
                }
            }
        }
    }
}

/// The rest of the ziggurat for lane `l`, whose candidate `bits` missed the fast path; every
/// further word comes from the lane's retry stream `retry`.
#[cold]
#[inline(never)]
fn slow<const L: usize>(retry: &mut [[u64; L]; 4], l: usize, mut bits: u64, z: &Ziggurat) -> f64 {
    loop {
        // The candidate's fast test has failed.
        let i = (bits & LAYER_MASK) as usize;
        let u = signed_unit(bits);
        if i == 0 {
            return tail(retry, l, u);
        }
        let x = u * z.x[i];
        let y = z.f[i + 1] + (z.f[i] - z.f[i + 1]) * unit(step_lane(retry, l));
        let accept = match z.squeeze(i, x.abs(), y) {
            Some(d) => d,
            None => y < gauss(x),
        };
        if accept {
            return x;
        }
        bits = step_lane(retry, l);
        let i = (bits & LAYER_MASK) as usize;
        let x = signed_unit(bits) * z.x[i];
        if x.abs() < z.x[i + 1] {
            return x;
        }
    }
}

/// Bit k set where slot k of `masks` (at most 64) is not `full`: some lane missed the fast
/// path. The masks have 4 bits, so a byte is non-zero iff bit 0 of `b | b>>1 | b>>2 | b>>3` is
/// (the shifts bring no bit from the next byte into bit 0); the multiply gathers those bits.
#[inline(always)]
fn missed_slots(masks: &[u8], full: u8) -> u64 {
    const LOW: u64 = 0x0101_0101_0101_0101;
    let mut out = 0;
    for (c, chunk) in masks.chunks(8).enumerate() {
        let bytes = match <[u8; 8]>::try_from(chunk) {
            Ok(b) => b,
            Err(_) => std::array::from_fn(|b| chunk.get(b).copied().unwrap_or(full)),
        };
        let x = u64::from_le_bytes(bytes) ^ (LOW * u64::from(full));
        let y = (x | x >> 1 | x >> 2 | x >> 3) & LOW;
        out |= (y.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * c);
    }
    out
}

/// Marsaglia's tail: R + e with e = −ln(U₁)/R, accepted when −2 ln U₂ ≥ e².
fn tail<const L: usize>(retry: &mut [[u64; L]; 4], l: usize, u: f64) -> f64 {
    loop {
        let e = -libm::log(open_unit(step_lane(retry, l))) / ZIGGURAT_R;
        let y = -libm::log(open_unit(step_lane(retry, l)));
        if 2.0 * y >= e * e {
            return if u < 0.0 {
                -(ZIGGURAT_R + e)
            } else {
                ZIGGURAT_R + e
            };
        }
    }
}

/// The top 52 bits as a float in [−1, 1) (exponent trick: [2, 4) − 3).
#[inline(always)]
fn signed_unit(bits: u64) -> f64 {
    f64::from_bits((bits >> 12) | 0x4000_0000_0000_0000) - 3.0
}

/// Uniform in [0, 1) from the top 53 bits.
#[inline(always)]
fn unit(bits: u64) -> f64 {
    (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Uniform in (0, 1) from the top 52 bits.
#[inline(always)]
fn open_unit(bits: u64) -> f64 {
    ((bits >> 12) as f64 + 0.5) * (1.0 / (1u64 << 52) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use coulomb_gas::ks_one_sample;
    use langevin_core::seed::{stream, stream_key};
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn normal_cdf(x: f64) -> f64 {
        0.5 * libm::erfc(-x / SQRT_2)
    }

    /// The fast path's acceptance, counted on draws of (layer, u), is the tables' mean ratio.
    #[test]
    fn fast_path_fraction_is_the_acceptance_of_the_fast_path() {
        use rand::RngExt;
        let z = Ziggurat::get();
        let mut rng = Xoshiro256PlusPlus::from_seed(stream_key(1, "rbm/test/fast-path", 0));
        let n = 200_000;
        let hits = (0..n)
            .filter(|_| {
                let i = rng.random_range(0..LAYERS);
                let u: f64 = rng.random_range(-1.0..1.0);
                u.abs() < z.x[i + 1] / z.x[i]
            })
            .count() as f64;
        let f = z.fast_path_fraction();
        assert!((hits / n as f64 - f).abs() < 5.0 * (f * (1.0 - f) / n as f64).sqrt());
        // 1024 layers: 0.9957 (256 layers: 0.985).
        assert!(f > 0.995 && f < 0.996, "{f}");
    }

    #[test]
    fn tables_are_a_consistent_ziggurat() {
        let z = Ziggurat::get();
        let v = z.x[1] * z.f[1] + FRAC_PI_2.sqrt() * libm::erfc(z.x[1] / SQRT_2);
        // Decreasing abscissae, increasing heights, and every layer of area V, the top one too.
        for i in 1..LAYERS {
            assert!(z.x[i + 1] < z.x[i] && z.f[i + 1] > z.f[i]);
            let area = z.x[i] * (z.f[i + 1] - z.f[i]);
            assert!((area - v).abs() < 1e-12, "layer {i}: {area} vs {v}");
        }
        assert!((z.x[0] * z.f[1] - v).abs() < 1e-15);
        assert_eq!(z.f[LAYERS], 1.0);
    }

    #[test]
    fn lanes_replay_xoshiro_streams() {
        let keys = [
            stream_key(7, "rbm/test", 0),
            stream_key(7, "rbm/test", 1),
            [0u8; 32],
        ];
        let mut lanes = LaneNormals::<3>::from_keys(&keys);
        let mut refs: Vec<Xoshiro256PlusPlus> = keys
            .iter()
            .map(|k| Xoshiro256PlusPlus::from_seed(*k))
            .collect();
        assert_eq!(
            stream(7, "rbm/test", 1).next_u64(),
            refs[1].clone().next_u64()
        );
        for _ in 0..100 {
            let got = lanes.next_u64();
            for l in 0..3 {
                assert_eq!(got[l], refs[l].next_u64());
            }
        }
        for (l, key) in keys.iter().enumerate() {
            let mut jumped = Xoshiro256PlusPlus::from_seed(*key);
            jumped.jump();
            for _ in 0..10 {
                assert_eq!(lanes.retry_u64(l), jumped.next_u64());
            }
        }
    }

    /// A lane's normals do not depend on the other lanes of its group.
    #[test]
    fn lane_sequences_are_independent_of_the_group() {
        let k = |i| stream_key(3, "rbm/test", i);
        let mut one = LaneNormals::<1>::from_keys(&[k(2)]);
        let mut four = LaneNormals::<4>::from_keys(&[k(0), k(1), k(2), k(3)]);
        let mut a = vec![[0.0; 1]; 5000];
        let mut b = vec![[0.0; 4]; 5000];
        one.fill(&mut a);
        four.fill(&mut b);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x[0].to_bits(), y[2].to_bits());
        }
    }

    /// The bitmap of slots with a miss is the slot-by-slot comparison, for every block length
    /// up to 64 and every group width (full masks 1, 3, 7, 15), on random masks biased to full.
    #[test]
    fn missed_slots_marks_exactly_the_slots_with_a_miss() {
        let mut rng = Xoshiro256PlusPlus::from_seed(stream_key(3, "rbm/missed-slots", 0));
        for full in [1u8, 3, 7, 15] {
            for len in 1..=64 {
                let masks: Vec<u8> = (0..len)
                    .map(|_| {
                        let r = rng.next_u64();
                        if r.is_multiple_of(3) {
                            (r >> 8) as u8 & full
                        } else {
                            full
                        }
                    })
                    .collect();
                let want = masks
                    .iter()
                    .enumerate()
                    .fold(0u64, |acc, (k, &m)| acc | (u64::from(m != full) << k));
                assert_eq!(missed_slots(&masks, full), want, "full {full}, {len} slots");
            }
        }
    }

    /// Every kernel this CPU has (portable, AVX2, AVX-512) gives the same bits, on groups of
    /// four and of eight lanes and blocks of several sizes (the masks of group g start at
    /// g·n): 416 000 normals per kernel with four lanes (twice as many with eight), about 1 800
    /// misses of the fast path, hundreds of exponentials left open by the squeeze and about 20
    /// tails.
    #[test]
    fn kernels_give_identical_normals() {
        fn check<const L: usize>() {
            let keys = std::array::from_fn(|l| stream_key(13, "rbm/kernel-test", l as u64));
            let start = LaneNormals::<L>::from_keys(&keys);
            let draw = |kernel: Kernel| {
                let mut rng = start.clone();
                let mut all = Vec::new();
                for n in [3000, 7, 80, 1, 960, 100_000] {
                    let mut block = vec![[0.0; L]; n];
                    rng.fill_with(&mut block, kernel);
                    all.extend(block.iter().flatten().map(|x| x.to_bits()));
                }
                all
            };
            let portable = draw(Kernel::Portable);
            for kernel in Kernel::available() {
                assert_eq!(portable, draw(kernel), "{kernel:?}, {L} lanes");
            }
        }
        check::<4>();
        check::<8>();
    }

    /// The wedge test of the slow path: a candidate x = u·X[i] outside the rectangle of layer
    /// i is accepted at once with probability (f(x) − f[i])/(f[i+1] − f[i]), else replaced by a
    /// fresh draw. 20 000 trials per layer at three layers (one concave, two convex); counts
    /// within 5 binomial standard errors (false-alarm rate ~2e-6).
    #[test]
    fn slow_path_accepts_the_wedge_with_the_right_probability() {
        let z = Ziggurat::get();
        for layer in [200usize, 60, 5] {
            // A candidate with u halfway between X[i+1]/X[i] and 1: x in the wedge of layer i.
            let frac = 0.5 * (1.0 + z.x[layer + 1] / z.x[layer]);
            let m = ((frac + 3.0).to_bits() & ((1u64 << 52) - 1)) << 12;
            let bits = m | layer as u64;
            let x = signed_unit(bits) * z.x[layer];
            assert!(x > z.x[layer + 1] && x < z.x[layer]);
            let mut g =
                LaneNormals::<1>::from_keys(&[stream_key(21, "rbm/wedge-test", layer as u64)]);
            let n = 20_000;
            let accepted = (0..n)
                .filter(|_| slow(&mut g.retry, 0, bits, z) == x)
                .count() as f64;
            let p = (gauss(x) - z.f[layer]) / (z.f[layer + 1] - z.f[layer]);
            let sd = (n as f64 * p * (1.0 - p)).sqrt();
            assert!(
                (accepted - n as f64 * p).abs() < 5.0 * sd,
                "layer {layer}: {accepted} accepted, expected {}",
                n as f64 * p
            );
        }
    }

    /// The squeeze never contradicts the exponential: 2 000 000 random points of random wedges
    /// (uniform y over the layer's height, as in the sampler). Also reports how often it
    /// decides (must be most of the time, or it is useless).
    #[test]
    fn squeeze_agrees_with_the_exponential() {
        let z = Ziggurat::get();
        let mut r = LaneNormals::<1>::from_keys(&[stream_key(23, "rbm/squeeze-test", 0)]);
        let (mut decided, n) = (0, 2_000_000);
        for _ in 0..n {
            let w = r.next_u64()[0];
            let i = 1 + (w & LAYER_MASK) as usize % 255;
            let (a, b) = (z.x[i + 1], z.x[i]);
            let ax = a + (b - a) * unit(r.next_u64()[0]);
            let y = z.f[i + 1] + (z.f[i] - z.f[i + 1]) * unit(r.next_u64()[0]);
            if let Some(d) = z.squeeze(i, ax, y) {
                assert_eq!(d, y < gauss(ax), "layer {i}, x = {ax}, y = {y}");
                decided += 1;
            }
        }
        assert!(decided as f64 > 0.8 * n as f64, "decided {decided} of {n}");
    }

    /// Marsaglia's tail: conditional on |x| > R the law is the normal tail,
    /// P(X > t | X > R) = erfc(t/√2)/erfc(R/√2). KS on 20 000 draws, false-alarm rate 1e-4.
    #[test]
    fn tail_is_the_normal_tail() {
        let mut g = LaneNormals::<1>::from_keys(&[stream_key(22, "rbm/tail-test", 0)]);
        let xs: Vec<f64> = (0..20_000).map(|_| tail(&mut g.retry, 0, 0.5)).collect();
        assert!(xs.iter().all(|&x| x > ZIGGURAT_R));
        assert!(tail(&mut g.retry, 0, -0.5) < -ZIGGURAT_R);
        let tail = libm::erfc(ZIGGURAT_R / SQRT_2);
        let ks = ks_one_sample(&xs, |t| 1.0 - libm::erfc(t / SQRT_2) / tail).unwrap();
        assert!(ks.p_value > 1e-4, "KS p = {}", ks.p_value);
    }

    /// Distribution: KS against Φ and the first four moments, n = 400 000 draws (seed fixed).
    /// Under H0 the KS p-value is uniform; the threshold 1e-4 is a 1e-4 false-alarm rate. The
    /// moment bounds are 5 standard errors (sd of x^k is √(E x^{2k} − (E x^k)²): 1, √2, √15, √96),
    /// each a ~6e-7 false alarm. The tail beyond R = 4.039 (rare path) has probability
    /// 5.4e-5 (about 21 of the draws): its count is checked at 5 binomial standard errors.
    #[test]
    fn ziggurat_is_standard_normal() {
        let n = 400_000;
        let mut g = LaneNormals::<4>::from_keys(&[
            stream_key(11, "rbm/normals-test", 0),
            stream_key(11, "rbm/normals-test", 1),
            stream_key(11, "rbm/normals-test", 2),
            stream_key(11, "rbm/normals-test", 3),
        ]);
        let mut buf = vec![[0.0; 4]; n / 4];
        g.fill(&mut buf);
        let xs: Vec<f64> = buf.iter().flatten().copied().collect();
        let ks = ks_one_sample(&xs, normal_cdf).unwrap();
        assert!(ks.p_value > 1e-4, "KS p = {}", ks.p_value);
        let nf = n as f64;
        let m = |k: i32| xs.iter().map(|x| x.powi(k)).sum::<f64>() / nf;
        let se = |sd: f64| 5.0 * sd / nf.sqrt();
        assert!(m(1).abs() < se(1.0), "mean {}", m(1));
        assert!((m(2) - 1.0).abs() < se(2f64.sqrt()), "E x² {}", m(2));
        assert!(m(3).abs() < se(15f64.sqrt()), "E x³ {}", m(3));
        assert!((m(4) - 3.0).abs() < se(96f64.sqrt()), "E x⁴ {}", m(4));
        let p_tail = 2.0 * (1.0 - normal_cdf(ZIGGURAT_R));
        let tail = xs.iter().filter(|x| x.abs() > ZIGGURAT_R).count() as f64;
        let sd = (nf * p_tail * (1.0 - p_tail)).sqrt();
        assert!(
            (tail - nf * p_tail).abs() < 5.0 * sd,
            "tail {tail} vs {}",
            nf * p_tail
        );
    }

    /// Golden values (regression guard, not a statistical check): the first normals of a
    /// stream, pinning the tables, the bit layout and the retry stream.
    #[test]
    fn value_stability_first_normals() {
        let mut g = LaneNormals::<1>::from_keys(&[stream_key(42, "rbm/golden", 0)]);
        let mut buf = vec![[0.0; 1]; 2000];
        g.fill(&mut buf);
        // The sum (in order) covers the ~9 normals that went through the slow path.
        let sum: f64 = buf.iter().map(|x| x[0]).sum();
        let got = [buf[0][0], buf[1][0], buf[2][0], sum].map(f64::to_bits);
        let want = [
            13822417329055007429,
            4607782162309506927,
            4596830527031425182,
            4636329195133973082,
        ];
        assert_eq!(got, want, "{:?}", [buf[0][0], buf[1][0], buf[2][0], sum]);
    }
}
