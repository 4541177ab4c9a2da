//! Fast SGD for the teacher-student network with fixed-size matrices, and ensembles over seeds.
//!
//! The update (Eq 15 averaged over a minibatch, plus the noise of Eq 28) is
//!
//! ```text
//! W ← W + α ZᵀZ [ (W_t − W) C_B + Ā_B ],   C_B = (1/|B|) Σ_{p∈B} x_p x_pᵀ,   Ā_B = (1/|B|) Σ_{p∈B} a_p
//! ```
//!
//! with per-datum noise matrices a_p. With Z = 1 this is exactly the released code
//! `check_mp_ts.py` (authors-protocol §1(b)); with Z of Eq (26)/(27) it is Eq (28) on minibatches.
//!
//! Everything that does not depend on W is computed once: the batch covariances C_B (once per
//! run, they are shared by all seeds), the drive `α ZᵀZ W_t C_B`, and for quenched noise the
//! per-seed batch means Ā_B. A step is then `W ← W (1 − α C_B) + K_B` for Z = 1 and
//! `W ← W − (αZᵀZ) W C_B + K_B` otherwise: a handful of flops on fixed-size arrays.
//!
//! # Random streams
//!
//! A run has a base seed and a purpose (e.g. `ts/released/lr=0.1/noise=0.1/bs=16/run=0`):
//! the inputs come from `stream(base, "<purpose>/inputs", 0)` and ensemble member k from
//! `stream(base, "<purpose>/member", k)` (first the initial W, row by row, then the noise in
//! data order). A member's result depends on nothing else, so ensembles are identical for any
//! number of threads.

use langevin_core::{stream, Stream};
use nalgebra::SMatrix;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::error::TsError;

/// A fixed-size matrix with R rows and C columns.
pub type Mat<const R: usize, const C: usize> = SMatrix<f64, R, C>;

/// The law of one per-datum noise matrix a_p (scale = the `noise` hyperparameter).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoiseKind {
    /// GOE-like symmetric matrix as in the released code: `a_ij = a_ji ~ N(0, noise²)` for
    /// i ≠ j, `a_ii ~ N(0, 2 noise²)`. Needs a square W.
    Goe,
    /// Independent entries `a_ij ~ N(0, noise²)`.
    Iid,
}

/// When the noise is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoiseDraw {
    /// One noise matrix per data point, drawn once per seed and reused every epoch (the released
    /// code: quenched label noise of a finite data set).
    Quenched,
    /// The batch mean Ā_B drawn afresh at every SGD step (Eq 28 read as a Langevin noise term);
    /// per step it has the same law as in the quenched case.
    Fresh,
}

/// Where the input covariances come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Inputs {
    /// A data set of `batches_per_epoch · |B|` inputs x ~ N(0, 1_N), drawn once per run and
    /// shared by all seeds; minibatches in fixed order, the same every epoch.
    Quenched,
    /// `C_B = 1` at every step: Eq (16) taken as exact (the noise-free limit is Eq 18).
    Exact,
}

/// SGD hyperparameters and the data/noise protocol.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hyper {
    /// Learning rate α.
    pub lr: f64,
    /// Batch size |B|.
    pub batch: usize,
    /// SGD steps (minibatches) per epoch.
    pub batches_per_epoch: usize,
    /// Number of epochs.
    pub epochs: usize,
    /// Noise strength (standard deviation of an off-diagonal entry of a per-datum a_p).
    pub noise: f64,
    /// Law of a_p.
    pub noise_kind: NoiseKind,
    /// Quenched or fresh noise.
    pub noise_draw: NoiseDraw,
    /// Quenched data set or exact covariance.
    pub inputs: Inputs,
    /// Standard deviation of the iid normal entries of the initial student W.
    pub init_std: f64,
}

impl Hyper {
    /// Checks every field: α finite and > 0, |B| ≥ 1, at least one batch and epoch, noise finite
    /// and ≥ 0, initial width finite and ≥ 0.
    pub fn validate(&self) -> Result<(), TsError> {
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(TsError::LearningRate(self.lr));
        }
        if self.batch == 0 {
            return Err(TsError::BatchSize);
        }
        if self.batches_per_epoch == 0 {
            return Err(TsError::Zero {
                name: "batches per epoch",
            });
        }
        if self.epochs == 0 {
            return Err(TsError::Zero { name: "epochs" });
        }
        if !(self.noise.is_finite() && self.noise >= 0.0) {
            return Err(TsError::Noise(self.noise));
        }
        if !(self.init_std.is_finite() && self.init_std >= 0.0) {
            return Err(TsError::Invalid(format!(
                "initial width = {}: must be finite and >= 0",
                self.init_std
            )));
        }
        Ok(())
    }

    /// Total number of SGD steps.
    pub fn steps(&self) -> usize {
        self.batches_per_epoch * self.epochs
    }

    /// Number of data points of the quenched data set, `batches_per_epoch · |B|`.
    pub fn data_points(&self) -> usize {
        self.batches_per_epoch * self.batch
    }
}

/// The teacher: `G = ZᵀZ` (M×M, symmetric) and the teacher weights W_t (M×N).
#[derive(Clone, Debug, PartialEq)]
pub struct Teacher<const M: usize, const N: usize> {
    g: Mat<M, M>,
    w: Mat<M, N>,
    g_is_identity: bool,
}

impl<const M: usize, const N: usize> Teacher<M, N> {
    /// From the hidden-to-output matrix Z (P×M) and W_t.
    pub fn new<const P: usize>(z: &Mat<P, M>, w_teacher: &Mat<M, N>) -> Result<Self, TsError> {
        if let Some(v) = z.iter().find(|v| !v.is_finite()) {
            return Err(TsError::Invalid(format!("Z has a non-finite entry {v}")));
        }
        Self::from_gram(z.transpose() * z, *w_teacher)
    }

    /// From G = ZᵀZ directly (must be finite and symmetric).
    pub fn from_gram(g: Mat<M, M>, w_teacher: Mat<M, N>) -> Result<Self, TsError> {
        if M == 0 || N == 0 {
            return Err(TsError::Shape(format!("W is {M}x{N}: empty")));
        }
        if let Some(v) = g.iter().chain(w_teacher.iter()).find(|v| !v.is_finite()) {
            return Err(TsError::Invalid(format!(
                "ZᵀZ or W_t has a non-finite entry {v}"
            )));
        }
        let asym = (g - g.transpose()).abs().max();
        if asym > 1e-12 * g.abs().max().max(1.0) {
            return Err(TsError::Invalid(format!(
                "ZᵀZ must be symmetric (max |G − Gᵀ| = {asym})"
            )));
        }
        let g_is_identity = g == Mat::<M, M>::identity();
        Ok(Self {
            g,
            w: w_teacher,
            g_is_identity,
        })
    }

    /// The released model's teacher: Z = 1 and W_t.
    pub fn identity_z(w_teacher: Mat<M, N>) -> Result<Self, TsError> {
        Self::from_gram(Mat::<M, M>::identity(), w_teacher)
    }

    /// G = ZᵀZ.
    pub fn gram(&self) -> &Mat<M, M> {
        &self.g
    }

    /// W_t.
    pub fn weights(&self) -> &Mat<M, N> {
        &self.w
    }
}

/// Which intermediate states a member keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Record {
    /// Only the final weights.
    Final,
    /// W at step 0, every k steps, and at the last step.
    Every(usize),
    /// W at every step up to `until`, then every `every` steps, and at the last step (resolves
    /// fast transients without storing every step).
    Dense {
        /// Record every step up to this one.
        until: usize,
        /// Then every this many steps.
        every: usize,
    },
}

impl Record {
    /// The recorded step numbers for a run of `steps` steps (empty for [`Record::Final`]).
    pub fn steps(&self, steps: usize) -> Vec<usize> {
        match *self {
            Record::Final => Vec::new(),
            Record::Every(k) => {
                let k = k.max(1);
                let mut v: Vec<usize> = (0..=steps).step_by(k).collect();
                if v.last() != Some(&steps) {
                    v.push(steps);
                }
                v
            }
            Record::Dense { until, every } => {
                let k = every.max(1);
                let mut v: Vec<usize> = (0..=until.min(steps)).collect();
                let mut s = (until / k + 1) * k;
                while s <= steps {
                    v.push(s);
                    s += k;
                }
                if v.last() != Some(&steps) {
                    v.push(steps);
                }
                v
            }
        }
    }
}

/// One trained network.
#[derive(Clone, Debug, PartialEq)]
pub struct Member<const M: usize, const N: usize> {
    /// Seed index (selects the random stream).
    pub index: u64,
    /// Final student weights.
    pub w: Mat<M, N>,
    /// W at the recorded steps ([`Record::steps`]).
    pub snapshots: Vec<Mat<M, N>>,
}

impl<const M: usize, const N: usize> Member<M, N> {
    /// Final singular values ξ, ascending.
    pub fn singular_values(&self) -> Vec<f64> {
        crate::spectrum::singular_values(&self.w)
    }
}

/// One run: a teacher, hyperparameters, the quenched data set and everything precomputed from it.
#[derive(Clone, Debug)]
pub struct Run<const M: usize, const N: usize> {
    teacher: Teacher<M, N>,
    hyper: Hyper,
    base: u64,
    purpose: String,
    /// `1 − α C_B` per batch (used when Z = 1).
    propagators: Vec<Mat<N, N>>,
    /// `C_B` per batch.
    covariances: Vec<Mat<N, N>>,
    /// `α ZᵀZ W_t C_B` per batch.
    drives: Vec<Mat<M, N>>,
    /// `α ZᵀZ`.
    lr_g: Mat<M, M>,
}

/// One normal matrix draw of `kind`, scaled by `scale`.
fn draw_noise<const M: usize, const N: usize>(
    kind: NoiseKind,
    scale: f64,
    rng: &mut Stream,
) -> Mat<M, N> {
    let mut a = Mat::<M, N>::zeros();
    match kind {
        NoiseKind::Goe => {
            for i in 0..M {
                for j in 0..=i {
                    let z: f64 = StandardNormal.sample(rng);
                    if i == j {
                        a[(i, i)] = std::f64::consts::SQRT_2 * scale * z;
                    } else {
                        a[(i, j)] = scale * z;
                        a[(j, i)] = scale * z;
                    }
                }
            }
        }
        NoiseKind::Iid => {
            for i in 0..M {
                for j in 0..N {
                    let z: f64 = StandardNormal.sample(rng);
                    a[(i, j)] = scale * z;
                }
            }
        }
    }
    a
}

impl<const M: usize, const N: usize> Run<M, N> {
    /// Validates, draws the quenched inputs (if any) and precomputes the per-batch matrices.
    pub fn new(
        teacher: Teacher<M, N>,
        hyper: Hyper,
        base: u64,
        purpose: impl Into<String>,
    ) -> Result<Self, TsError> {
        hyper.validate()?;
        if hyper.noise_kind == NoiseKind::Goe && M != N {
            return Err(TsError::Shape(format!(
                "GOE-like noise needs a square W, got {M}x{N} (use NoiseKind::Iid)"
            )));
        }
        let purpose = purpose.into();
        let lr = hyper.lr;
        let covariances: Vec<Mat<N, N>> = match hyper.inputs {
            Inputs::Exact => vec![Mat::<N, N>::identity()],
            Inputs::Quenched => {
                let mut rng = stream(base, &format!("{purpose}/inputs"), 0);
                (0..hyper.batches_per_epoch)
                    .map(|_| {
                        let mut c = Mat::<N, N>::zeros();
                        for _ in 0..hyper.batch {
                            let x = nalgebra::SVector::<f64, N>::from_fn(|_, _| {
                                StandardNormal.sample(&mut rng)
                            });
                            c += x * x.transpose();
                        }
                        c / hyper.batch as f64
                    })
                    .collect()
            }
        };
        let lr_g = teacher.g * lr;
        let drives = covariances.iter().map(|c| lr_g * teacher.w * c).collect();
        let propagators = covariances
            .iter()
            .map(|c| Mat::<N, N>::identity() - c * lr)
            .collect();
        Ok(Self {
            teacher,
            hyper,
            base,
            purpose,
            propagators,
            covariances,
            drives,
            lr_g,
        })
    }

    /// The hyperparameters.
    pub fn hyper(&self) -> &Hyper {
        &self.hyper
    }

    /// The teacher.
    pub fn teacher(&self) -> &Teacher<M, N> {
        &self.teacher
    }

    /// The stream purpose of this run.
    pub fn purpose(&self) -> &str {
        &self.purpose
    }

    /// The base seed of this run.
    pub fn base_seed(&self) -> u64 {
        self.base
    }

    /// The input covariance C_B of batch b (b < batches per epoch); `1` for exact inputs.
    pub fn covariance(&self, b: usize) -> &Mat<N, N> {
        &self.covariances[b % self.covariances.len()]
    }

    /// Epoch time of step `s`: `s / batches_per_epoch`.
    pub fn epoch_of_step(&self, s: usize) -> f64 {
        s as f64 / self.hyper.batches_per_epoch as f64
    }

    /// The random stream of member `index` (initial W first, then the noise).
    pub fn member_stream(&self, index: u64) -> Stream {
        stream(self.base, &format!("{}/member", self.purpose), index)
    }

    /// Train member `index` from W ~ N(0, init_std²) (drawn from its stream).
    pub fn member(&self, index: u64, record: Record) -> Result<Member<M, N>, TsError> {
        let mut rng = self.member_stream(index);
        let s = self.hyper.init_std;
        let mut w0 = Mat::<M, N>::zeros();
        for i in 0..M {
            for j in 0..N {
                let z: f64 = StandardNormal.sample(&mut rng);
                w0[(i, j)] = s * z;
            }
        }
        self.train(index, w0, rng, record)
    }

    /// Train member `index` from the given initial weights (the stream then only gives noise).
    pub fn member_from(
        &self,
        index: u64,
        w0: Mat<M, N>,
        record: Record,
    ) -> Result<Member<M, N>, TsError> {
        if let Some(v) = w0.iter().find(|v| !v.is_finite()) {
            return Err(TsError::Invalid(format!(
                "initial W has a non-finite entry {v}"
            )));
        }
        let rng = self.member_stream(index);
        self.train(index, w0, rng, record)
    }

    /// Members `first..first + n` in parallel, collected in seed order (bit-identical for any
    /// number of threads).
    pub fn ensemble(
        &self,
        first: u64,
        n: usize,
        record: Record,
    ) -> Result<Vec<Member<M, N>>, TsError> {
        if n == 0 {
            return Err(TsError::Zero { name: "seeds" });
        }
        langevin_core::ordered::try_par_map(n as u64, |k| self.member(first + k, record))
    }

    /// Batch-mean noise matrices Ā_B of one seed for the whole data set (quenched noise),
    /// per-datum matrices drawn in data order.
    fn quenched_noise(&self, rng: &mut Stream) -> Vec<Mat<M, N>> {
        let h = &self.hyper;
        let inv = 1.0 / h.batch as f64;
        (0..h.batches_per_epoch)
            .map(|_| {
                let mut sum = Mat::<M, N>::zeros();
                for _ in 0..h.batch {
                    sum += draw_noise::<M, N>(h.noise_kind, h.noise, rng);
                }
                sum * inv
            })
            .collect()
    }

    /// The SGD loop (see the module documentation for the update).
    fn train(
        &self,
        index: u64,
        mut w: Mat<M, N>,
        mut rng: Stream,
        record: Record,
    ) -> Result<Member<M, N>, TsError> {
        let h = &self.hyper;
        let steps = h.steps();
        let rec_steps = record.steps(steps);
        let mut snapshots = Vec::with_capacity(rec_steps.len());
        let mut next_rec = 0usize;
        let mut maybe_record = |s: usize, w: &Mat<M, N>, snaps: &mut Vec<Mat<M, N>>| {
            if next_rec < rec_steps.len() && rec_steps[next_rec] == s {
                snaps.push(*w);
                next_rec += 1;
            }
        };
        maybe_record(0, &w, &mut snapshots);
        let nb = self.covariances.len();
        let noisy = h.noise > 0.0;
        // K_B = α ZᵀZ (W_t C_B + Ā_B): precomputed per seed for quenched noise.
        let kicks: Vec<Mat<M, N>> = match (h.noise_draw, noisy) {
            (NoiseDraw::Quenched, true) => {
                let noise = self.quenched_noise(&mut rng);
                (0..h.batches_per_epoch)
                    .map(|b| self.drives[b % nb] + self.lr_g * noise[b])
                    .collect()
            }
            _ => self.drives.clone(),
        };
        let fresh = noisy && h.noise_draw == NoiseDraw::Fresh;
        let fresh_scale = h.noise / (h.batch as f64).sqrt();
        let identity = self.teacher.g_is_identity;
        let mut s = 0usize;
        for _ in 0..h.epochs {
            for b in 0..h.batches_per_epoch {
                let kb = b % kicks.len();
                let cb = b % nb;
                let mut k = kicks[kb];
                if fresh {
                    let a = draw_noise::<M, N>(h.noise_kind, fresh_scale, &mut rng);
                    k += self.lr_g * a;
                }
                w = if identity {
                    step_identity(&w, &self.propagators[cb], &k)
                } else {
                    step_general(&w, &self.lr_g, &self.covariances[cb], &k)
                };
                s += 1;
                maybe_record(s, &w, &mut snapshots);
            }
            if !w.iter().all(|v| v.is_finite()) {
                return Err(TsError::Diverged(format!(
                    "seed {index}: W is not finite after {s} steps (α = {}, |B| = {}); \
                     the step is unstable for α·λ_max(ZᵀZ) ≳ 2",
                    h.lr, h.batch
                )));
            }
        }
        Ok(Member {
            index,
            w,
            snapshots,
        })
    }
}

/// The precomputed step for Z = 1: `W ← W (1 − α C_B) + K_B` with the propagator `1 − α C_B`
/// (shared by all seeds) and the kick `K_B = α (W_t C_B + Ā_B)` (per seed).
// ANCHOR: eq28_step
#[inline]
pub fn step_identity<const M: usize, const N: usize>(
    w: &Mat<M, N>,
    propagator: &Mat<N, N>,
    kick: &Mat<M, N>,
) -> Mat<M, N> {
    w * propagator + kick
}

/// The precomputed step for general Z: `W ← W − (αZᵀZ) W C_B + K_B`,
/// `K_B = αZᵀZ (W_t C_B + Ā_B)`.
#[inline]
pub fn step_general<const M: usize, const N: usize>(
    w: &Mat<M, N>,
    lr_g: &Mat<M, M>,
    c_batch: &Mat<N, N>,
    kick: &Mat<M, N>,
) -> Mat<M, N> {
    w - lr_g * (w * c_batch) + kick
}
// ANCHOR_END: eq28_step

/// Eq. (28) of the paper on one minibatch: one noisy SGD step, written out (reference
/// implementation of what [`Run`] does with precomputed matrices).
///
/// ```text
/// W' = W + α ZᵀZ [ (W_t − W) C_B + Ā_B ]
///    (paper: W'_s = W_s + α ZᵀZ (W_t − W_s − η), η ~ N(0, 0.01), with C_B ≈ 1 and η = −Ā_B)
/// ```
// ANCHOR: eq28
pub fn eq28_step<const M: usize, const N: usize>(
    w: &Mat<M, N>,
    teacher: &Teacher<M, N>,
    lr: f64,
    c_batch: &Mat<N, N>,
    noise_batch: &Mat<M, N>,
) -> Mat<M, N> {
    w + teacher.g * ((teacher.w - w) * c_batch + noise_batch) * lr
}
// ANCHOR_END: eq28

#[cfg(test)]
mod tests {
    use super::*;

    fn hyper() -> Hyper {
        Hyper {
            lr: 0.1,
            batch: 4,
            batches_per_epoch: 20,
            epochs: 3,
            noise: 0.1,
            noise_kind: NoiseKind::Goe,
            noise_draw: NoiseDraw::Quenched,
            inputs: Inputs::Quenched,
            init_std: 0.1,
        }
    }

    #[test]
    fn validation_rejects_bad_hyperparameters() {
        let ok = hyper();
        assert!(ok.validate().is_ok());
        for (h, what) in [
            (Hyper { lr: 0.0, ..ok }, "learning rate"),
            (Hyper { lr: f64::NAN, ..ok }, "learning rate"),
            (Hyper { batch: 0, ..ok }, "batch"),
            (Hyper { epochs: 0, ..ok }, "epochs"),
            (
                Hyper {
                    batches_per_epoch: 0,
                    ..ok
                },
                "batches",
            ),
            (Hyper { noise: -1.0, ..ok }, "noise"),
            (
                Hyper {
                    noise: f64::INFINITY,
                    ..ok
                },
                "noise",
            ),
            (
                Hyper {
                    init_std: f64::NAN,
                    ..ok
                },
                "initial",
            ),
        ] {
            let e = h.validate().unwrap_err().to_string();
            assert!(e.contains(what), "{e} should mention {what}");
        }
        let t = Teacher::<2, 3>::identity_z(Mat::<2, 3>::zeros()).unwrap();
        assert!(
            Run::new(t, ok, 1, "x").is_err(),
            "GOE noise needs a square W"
        );
    }

    /// The precomputed step equals Eq (28) written out, for Z = 1 and a general Z.
    #[test]
    fn fast_step_equals_eq28() {
        let z = Mat::<2, 2>::new(-1.8198, 0.5861, -0.6574, 0.0473);
        let wt = Mat::<2, 2>::identity() * 2.0;
        for teacher in [
            Teacher::new(&z, &wt).unwrap(),
            Teacher::identity_z(wt).unwrap(),
        ] {
            let h = Hyper {
                noise: 0.0,
                epochs: 1,
                batches_per_epoch: 1,
                ..hyper()
            };
            let run = Run::new(teacher.clone(), h, 7, "t").unwrap();
            let w0 = Mat::<2, 2>::new(0.3, -0.2, 0.1, 0.4);
            let m = run.member_from(0, w0, Record::Final).unwrap();
            let want = eq28_step(&w0, &teacher, h.lr, run.covariance(0), &Mat::zeros());
            assert!((m.w - want).abs().max() < 1e-15);
        }
    }

    #[test]
    fn record_steps() {
        assert_eq!(Record::Every(4).steps(10), vec![0, 4, 8, 10]);
        assert_eq!(Record::Every(5).steps(10), vec![0, 5, 10]);
        assert!(Record::Final.steps(10).is_empty());
        assert_eq!(
            Record::Dense { until: 3, every: 4 }.steps(13),
            vec![0, 1, 2, 3, 4, 8, 12, 13]
        );
        assert_eq!(
            Record::Dense {
                until: 20,
                every: 4
            }
            .steps(5),
            vec![0, 1, 2, 3, 4, 5]
        );
    }

    #[test]
    fn goe_noise_is_symmetric_with_double_diagonal_variance() {
        let mut rng = stream(3, "noise-test", 0);
        let n = 40000;
        let (mut d, mut o) = (0.0, 0.0);
        for _ in 0..n {
            let a = draw_noise::<2, 2>(NoiseKind::Goe, 0.5, &mut rng);
            assert_eq!(a[(0, 1)], a[(1, 0)]);
            d += a[(0, 0)] * a[(0, 0)];
            o += a[(0, 1)] * a[(0, 1)];
        }
        // Var = 2·0.25 and 0.25; relative standard error of a variance √(2/n) ≈ 0.7 %: 5σ bounds.
        assert!((d / n as f64 / 0.5 - 1.0).abs() < 0.035);
        assert!((o / n as f64 / 0.25 - 1.0).abs() < 0.035);
    }
}
