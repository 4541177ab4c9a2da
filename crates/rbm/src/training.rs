//! Training many independent realisations: hyperparameters, seeding, grouping into lockstep
//! lanes, threads (rayon) and shards.
//!
//! Realisation r of an experiment uses its own stream `stream(base, "rbm/lr=<α>/bs=<|B|>", r)`
//! (α printed by Rust's shortest round-trip `Display`, e.g. `rbm/lr=0.1/bs=16`). Its result
//! depends on nothing else: not on the group size, on which realisations share its group, on
//! the number of threads, or on the shard that runs it. Groups of [`group_lanes`] realisations are
//! the rayon work items; results are collected in realisation order.

use std::ops::Range;

use langevin_core::seed::stream_key;
use langevin_core::Seed;
use rayon::prelude::*;

use crate::error::RbmError;
use crate::kernel::Kernel;
use crate::lattice::Target;
use crate::model::{learnt_lambda, Matrix, Rbm};
use crate::pcd::Lockstep;
use crate::N;

/// The most realisations advanced together by one core (vector lanes of the inner loops):
/// memory bounds use it. The group size actually run is [`group_lanes`].
pub const LANES: usize = 8;

/// The group size of this CPU's fastest kernel: eight realisations with AVX-512 (one 512-bit
/// register per quantity), four otherwise. Results do not depend on it.
pub fn group_lanes() -> usize {
    Kernel::detect().lanes()
}

/// SGD hyperparameters of one configuration.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Hyper {
    /// Learning rate α.
    pub lr: f64,
    /// Batch size |B|: the number of persistent chains.
    pub batch: usize,
    /// Epochs = SGD steps.
    pub epochs: usize,
}

impl Hyper {
    /// Validated hyperparameters: α finite and > 0, |B| ≥ 1, epochs ≥ 1.
    pub fn new(lr: f64, batch: usize, epochs: usize) -> Result<Self, RbmError> {
        if !(lr.is_finite() && lr > 0.0) {
            return Err(RbmError::LearningRate(lr));
        }
        if batch == 0 {
            return Err(RbmError::BatchSize);
        }
        if epochs == 0 {
            return Err(RbmError::Epochs);
        }
        Ok(Self { lr, batch, epochs })
    }

    /// Checks hyperparameters built field by field.
    pub fn validate(&self) -> Result<(), RbmError> {
        Self::new(self.lr, self.batch, self.epochs).map(|_| ())
    }

    /// The stream purpose of this configuration, `rbm/lr=<α>/bs=<|B|>`.
    pub fn purpose(&self) -> String {
        format!("rbm/lr={}/bs={}", self.lr, self.batch)
    }
}

/// The learnt spectrum at one epoch.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Snapshot {
    /// Number of SGD steps done.
    pub epoch: usize,
    /// λ ascending.
    pub lambda: [f64; N],
}

/// A realisation that stayed finite to the end.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Realisation {
    /// Realisation index (selects the random stream).
    pub index: u64,
    /// Final learnt eigenvalues λ_i = μ² − σ_h² ξ_i², ascending.
    pub lambda: [f64; N],
    /// The requested snapshots, in epoch order.
    pub snapshots: Vec<Snapshot>,
    /// Final weights `w[a][i]` (hidden a, visible i).
    pub weights: Matrix,
}

/// What became of one realisation.
#[allow(clippy::large_enum_variant)] // boxing would add an allocation per realisation for nothing
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Outcome {
    /// Trained to the end with finite weights.
    Learnt(Realisation),
    /// The weights became non-finite after `epoch` SGD steps; the realisation is dropped.
    Diverged {
        /// Realisation index.
        index: u64,
        /// First epoch with non-finite weights.
        epoch: usize,
    },
}

impl Outcome {
    /// Realisation index.
    pub fn index(&self) -> u64 {
        match self {
            Outcome::Learnt(r) => r.index,
            Outcome::Diverged { index, .. } => *index,
        }
    }

    /// The learnt realisation, if it did not diverge.
    pub fn learnt(&self) -> Option<&Realisation> {
        match self {
            Outcome::Learnt(r) => Some(r),
            Outcome::Diverged { .. } => None,
        }
    }
}

/// The outcomes of a set of realisations, in index order.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Run {
    /// One entry per realisation run.
    pub outcomes: Vec<Outcome>,
}

impl Run {
    /// Realisations that stayed finite.
    pub fn learnt(&self) -> impl Iterator<Item = &Realisation> {
        self.outcomes.iter().filter_map(Outcome::learnt)
    }

    /// Number of dropped (diverged) realisations.
    pub fn diverged(&self) -> usize {
        self.outcomes.len() - self.learnt().count()
    }

    /// Fraction of realisations that stayed finite (the authors' `sr`); NaN for an empty run.
    pub fn success_ratio(&self) -> f64 {
        self.learnt().count() as f64 / self.outcomes.len() as f64
    }
}

/// Progress callback: receives the number of chain-epochs (epochs × |B| per realisation) just
/// completed, a unit roughly proportional to the work. Called from worker threads.
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// One training configuration: model, target, hyperparameters, seed and snapshot epochs.
#[derive(Clone, Debug, PartialEq)]
pub struct Experiment {
    rbm: Rbm,
    target: Target,
    hyper: Hyper,
    seed: Seed,
    snapshots: Vec<usize>,
}

impl Experiment {
    /// A validated experiment with base seed `base_seed`; no snapshots besides the final state.
    pub fn new(rbm: Rbm, target: Target, hyper: Hyper, base_seed: u64) -> Result<Self, RbmError> {
        rbm.validate()?;
        hyper.validate()?;
        Ok(Self {
            rbm,
            target,
            seed: Seed::new(base_seed, hyper.purpose()),
            hyper,
            snapshots: Vec::new(),
        })
    }

    /// The authors' model and target with these hyperparameters.
    pub fn authors(hyper: Hyper, base_seed: u64) -> Result<Self, RbmError> {
        Self::new(Rbm::authors(), Target::authors(), hyper, base_seed)
    }

    /// Also record the spectrum after these epochs (each in 1..=epochs; sorted, deduplicated).
    pub fn with_snapshots(mut self, mut epochs: Vec<usize>) -> Result<Self, RbmError> {
        for &e in &epochs {
            if e == 0 || e > self.hyper.epochs {
                return Err(RbmError::Snapshot {
                    epoch: e,
                    epochs: self.hyper.epochs,
                });
            }
        }
        epochs.sort_unstable();
        epochs.dedup();
        self.snapshots = epochs;
        Ok(self)
    }

    /// The model.
    pub fn rbm(&self) -> &Rbm {
        &self.rbm
    }

    /// The target.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The hyperparameters.
    pub fn hyper(&self) -> &Hyper {
        &self.hyper
    }

    /// Base seed and stream purpose.
    pub fn seed(&self) -> &Seed {
        &self.seed
    }

    /// The snapshot epochs.
    pub fn snapshots(&self) -> &[usize] {
        &self.snapshots
    }

    /// Trains realisations `indices` in groups of [`group_lanes`], in parallel on rayon's pool.
    pub fn run(&self, indices: Range<u64>, progress: Option<Progress>) -> Run {
        let ids: Vec<u64> = indices.collect();
        self.run_indices(&ids, progress)
    }

    /// [`Experiment::run`] with `L` realisations per group; the results do not depend on `L`.
    pub fn run_grouped<const L: usize>(
        &self,
        indices: Range<u64>,
        progress: Option<Progress>,
    ) -> Run {
        let ids: Vec<u64> = indices.collect();
        let kernel = Kernel::detect();
        self.run_chunks(&ids, L, progress, |chunk| {
            self.run_group::<L>(chunk, kernel)
        })
    }

    /// Trains the realisations `ids` (any indices, in this order) in groups of [`group_lanes`]:
    /// realisation `i` alone gives the same result as within a whole sweep (how `all
    /// --verify-paper` re-trains a sample of a committed sweep).
    pub fn run_indices(&self, ids: &[u64], progress: Option<Progress>) -> Run {
        let kernel = Kernel::detect();
        self.run_chunks(ids, kernel.lanes(), progress, |chunk| {
            self.run_group_of(chunk, kernel)
        })
    }

    /// `ids` in chunks of `size`, each trained by `group` in parallel, progress reported per
    /// chunk, outcomes in the order of `ids`.
    fn run_chunks(
        &self,
        ids: &[u64],
        size: usize,
        progress: Option<Progress>,
        group: impl Fn(&[u64]) -> Vec<Outcome> + Sync,
    ) -> Run {
        let per = (self.hyper.epochs * self.hyper.batch) as u64;
        let groups: Vec<Vec<Outcome>> = ids
            .par_chunks(size)
            .map(|chunk| {
                let out = group(chunk);
                if let Some(p) = progress {
                    p(per * chunk.len() as u64);
                }
                out
            })
            .collect();
        Run {
            outcomes: groups.into_iter().flatten().collect(),
        }
    }

    /// [`Experiment::run_group`] in groups of `kernel`'s size (`chunk` at most that long).
    pub(crate) fn run_group_of(&self, chunk: &[u64], kernel: Kernel) -> Vec<Outcome> {
        match kernel.lanes() {
            8 => self.run_group::<8>(chunk, kernel),
            _ => self.run_group::<4>(chunk, kernel),
        }
    }

    /// Trains the realisations of `chunk` (at most `L`) as one lockstep group.
    pub(crate) fn run_group<const L: usize>(&self, chunk: &[u64], kernel: Kernel) -> Vec<Outcome> {
        assert!(!chunk.is_empty() && chunk.len() <= L);
        // Unused lanes replay the first realisation; their results are discarded.
        let keys: [[u8; 32]; L] = std::array::from_fn(|l| {
            let r = chunk.get(l).copied().unwrap_or(chunk[0]);
            stream_key(self.seed.base, &self.seed.purpose, r)
        });
        let lanes = self.train_lanes::<L>(&keys, kernel);
        chunk
            .iter()
            .zip(lanes)
            .map(|(&index, lane)| match lane.diverged_at {
                Some(epoch) => Outcome::Diverged { index, epoch },
                None => Outcome::Learnt(Realisation {
                    index,
                    lambda: learnt_lambda(&self.rbm, &lane.weights),
                    snapshots: lane.snapshots,
                    weights: lane.weights,
                }),
            })
            .collect()
    }

    fn train_lanes<const L: usize>(&self, keys: &[[u8; 32]; L], kernel: Kernel) -> Vec<LaneResult> {
        let mut g = Lockstep::<L>::new(&self.rbm, &self.target, &self.hyper, keys, kernel);
        let mut diverged_at: [Option<usize>; L] = [None; L];
        let mut snapshots: Vec<Vec<Snapshot>> = vec![Vec::new(); L];
        let mut next_snapshot = self.snapshots.iter().peekable();
        for epoch in 1..=self.hyper.epochs {
            let finite = g.epoch();
            let mut alive = 0;
            for l in 0..L {
                if diverged_at[l].is_none() && !finite[l] {
                    diverged_at[l] = Some(epoch);
                }
                alive += usize::from(diverged_at[l].is_none());
            }
            if next_snapshot.peek() == Some(&&epoch) {
                next_snapshot.next();
                for (l, snaps) in snapshots.iter_mut().enumerate() {
                    if diverged_at[l].is_none() {
                        snaps.push(Snapshot {
                            epoch,
                            lambda: learnt_lambda(&self.rbm, &g.lane_weights(l)),
                        });
                    }
                }
            }
            if alive == 0 {
                break;
            }
        }
        snapshots
            .into_iter()
            .enumerate()
            .map(|(l, snapshots)| LaneResult {
                diverged_at: diverged_at[l],
                snapshots,
                weights: g.lane_weights(l),
            })
            .collect()
    }
}

/// The end state of one lane.
pub(crate) struct LaneResult {
    diverged_at: Option<usize>,
    snapshots: Vec<Snapshot>,
    weights: Matrix,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::Kernel;

    fn small(lr: f64, batch: usize, epochs: usize, seed: u64) -> Experiment {
        Experiment::authors(Hyper::new(lr, batch, epochs).unwrap(), seed).unwrap()
    }

    /// Bitwise equality of two runs (f64 `==` would identify 0.0 and −0.0).
    fn assert_bit_identical(a: &Run, b: &Run) {
        assert_eq!(a.outcomes.len(), b.outcomes.len());
        for (x, y) in a.outcomes.iter().zip(&b.outcomes) {
            match (x, y) {
                (Outcome::Learnt(p), Outcome::Learnt(q)) => {
                    assert_eq!(p.index, q.index);
                    let bits = |r: &Realisation| -> Vec<u64> {
                        let mut v: Vec<u64> = r.lambda.iter().map(|x| x.to_bits()).collect();
                        v.extend(r.weights.iter().flatten().map(|x| x.to_bits()));
                        for s in &r.snapshots {
                            v.push(s.epoch as u64);
                            v.extend(s.lambda.iter().map(|x| x.to_bits()));
                        }
                        v
                    };
                    assert_eq!(bits(p), bits(q), "realisation {}", p.index);
                }
                _ => assert_eq!(x, y),
            }
        }
    }

    #[test]
    fn hyperparameters_are_validated() {
        assert_eq!(Hyper::new(0.0, 16, 10), Err(RbmError::LearningRate(0.0)));
        assert!(matches!(
            Hyper::new(-0.1, 16, 10),
            Err(RbmError::LearningRate(_))
        ));
        assert!(matches!(
            Hyper::new(f64::NAN, 16, 10),
            Err(RbmError::LearningRate(_))
        ));
        assert!(matches!(
            Hyper::new(f64::INFINITY, 16, 10),
            Err(RbmError::LearningRate(_))
        ));
        assert_eq!(Hyper::new(0.1, 0, 10), Err(RbmError::BatchSize));
        assert_eq!(Hyper::new(0.1, 16, 0), Err(RbmError::Epochs));
        let bad = Hyper {
            lr: 0.1,
            batch: 0,
            epochs: 1,
        };
        assert!(Experiment::authors(bad, 1).is_err());
        assert_eq!(
            Hyper::new(0.1, 16, 5).unwrap().purpose(),
            "rbm/lr=0.1/bs=16"
        );
        assert!(small(0.1, 4, 10, 1).with_snapshots(vec![11]).is_err());
        assert!(small(0.1, 4, 10, 1).with_snapshots(vec![0]).is_err());
    }

    /// A realisation's result depends only on (seed, configuration, index): not on the group size,
    /// its group mates (7 realisations: the last group is padded), the kernel (every one this CPU has),
    /// the number of threads, or the shard that ran it. 120 epochs at α = 0.1, |B| = 4.
    #[test]
    fn results_do_not_depend_on_grouping_kernel_threads_or_shards() {
        let exp = small(0.1, 4, 120, 42)
            .with_snapshots(vec![60, 120])
            .unwrap();
        let reference = exp.run_grouped::<1>(0..7, None);
        assert_eq!(reference.outcomes.len(), 7);
        assert_eq!(reference.success_ratio(), 1.0);
        assert_bit_identical(&reference, &exp.run_grouped::<2>(0..7, None));
        assert_bit_identical(&reference, &exp.run_grouped::<4>(0..7, None));
        assert_bit_identical(&reference, &exp.run_grouped::<8>(0..7, None));
        for kernel in Kernel::available() {
            let run = Run {
                outcomes: [0..4u64, 4..7]
                    .into_iter()
                    .flat_map(|r| exp.run_group::<4>(&r.collect::<Vec<_>>(), kernel))
                    .collect(),
            };
            assert_bit_identical(&reference, &run);
            let run = Run {
                outcomes: exp.run_group::<8>(&(0..7).collect::<Vec<_>>(), kernel),
            };
            assert_bit_identical(&reference, &run);
        }
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            assert_bit_identical(&reference, &pool.install(|| exp.run(0..7, None)));
        }
        let mut sharded = Vec::new();
        for k in 1..=3 {
            sharded.extend(
                exp.run(runner::Shard { k, n: 3 }.range(7).unwrap(), None)
                    .outcomes,
            );
        }
        assert_bit_identical(&reference, &Run { outcomes: sharded });
        // Any indices, alone or out of order (a sample re-trained by `all --verify-paper`).
        let picked = exp.run_indices(&[5, 2], None);
        assert_eq!(picked.outcomes[0], reference.outcomes[5]);
        assert_eq!(picked.outcomes[1], reference.outcomes[2]);
        // An odd number of chains (the AVX2 kernels work on pairs of chains, plus a remainder).
        let odd = small(0.1, 5, 60, 9);
        let reference = odd.run_grouped::<1>(0..5, None);
        assert_bit_identical(&reference, &odd.run_grouped::<4>(0..5, None));
        assert_bit_identical(&reference, &odd.run_grouped::<8>(0..5, None));
        let reference = exp.run_grouped::<1>(0..7, None);
        // A different seed or configuration gives different numbers.
        let other = small(0.1, 4, 120, 43).run(0..1, None);
        assert_ne!(other.outcomes[0], reference.outcomes[0]);
        // Snapshots are recorded at the requested epochs, the last one equal to the final state.
        let r0 = reference.outcomes[0].learnt().unwrap();
        assert_eq!(
            r0.snapshots.iter().map(|s| s.epoch).collect::<Vec<_>>(),
            vec![60, 120]
        );
        assert_eq!(r0.snapshots[1].lambda, r0.lambda);
    }

    /// Divergence: at α = 1, |B| = 4 most realisations blow up within 150 epochs (the RBM stops
    /// being normalisable, λ < 0, and the chains explode). They are dropped and counted, the
    /// survivors are finite, and the success ratio is the survivors' fraction.
    #[test]
    fn divergent_realisations_are_dropped_and_counted() {
        let exp = small(1.0, 4, 150, 1).with_snapshots(vec![75, 150]).unwrap();
        let run = exp.run(0..16, None);
        let diverged = run.diverged();
        assert!(diverged > 0 && diverged < 16, "{diverged} of 16 diverged");
        assert_eq!(run.success_ratio(), (16 - diverged) as f64 / 16.0);
        for o in &run.outcomes {
            match o {
                Outcome::Learnt(r) => {
                    assert!(r
                        .lambda
                        .iter()
                        .chain(r.weights.iter().flatten())
                        .all(|x| x.is_finite()));
                    assert_eq!(r.snapshots.len(), 2);
                }
                Outcome::Diverged { epoch, .. } => assert!(*epoch >= 1 && *epoch <= 150),
            }
        }
        // A huge step: everything diverges within a few epochs, and the run stops early.
        let run = small(50.0, 4, 1_000_000, 1).run(0..5, None);
        assert_eq!(run.success_ratio(), 0.0);
        assert!(run
            .outcomes
            .iter()
            .all(|o| matches!(o, Outcome::Diverged { epoch, .. } if *epoch < 20)));
    }

    /// A short training run learns the target: after 4000 epochs at α = 0.1, |B| = 16 (≈ 12
    /// relaxation times of the slowest mode, e-folding time κ²/(2α(μ² − κ)) = 320 epochs at κ = 8,
    /// and ≈ 3 growth e-folds from the small initial weights), the mean of every λ_i over 32
    /// realisations lies within 5 standard errors plus 4 % of κ_i (the learnt centres are shifted
    /// by O(α/|B|): 1-4 % at α/|B| = 0.00625, paper Fig 3 left) and their spread is the
    /// stochastic width (0.05-0.35), not zero and not the initial spread. Breaking the update
    /// (sign of either term, a missing σ_h² factor with σ_h ≠ 1, a wrong K_φ) fails this test.
    #[test]
    fn short_training_learns_the_target_spectrum() {
        let exp = small(0.1, 16, 4000, 3);
        let run = exp.run(0..32, None);
        assert_eq!(run.success_ratio(), 1.0);
        let kappa = exp.target().kappa();
        for (i, &k) in kappa.iter().enumerate() {
            let xs: Vec<f64> = run.learnt().map(|r| r.lambda[i]).collect();
            let n = xs.len() as f64;
            let (mean, sd) = spectral::moments::mean_sd(&xs);
            let se = sd / n.sqrt();
            assert!(
                (mean - k).abs() < 5.0 * se + 0.04 * k,
                "λ_{i}: {mean} ± {se} vs κ = {k}"
            );
            assert!(sd > 0.02 && sd < 0.4, "λ_{i}: spread {sd}");
        }
    }

    /// The progress callback receives epochs × |B| per realisation, exactly once each.
    #[test]
    fn progress_counts_all_the_work() {
        use std::sync::atomic::{AtomicU64, Ordering};
        let done = AtomicU64::new(0);
        let exp = small(0.1, 4, 10, 1);
        exp.run(
            0..9,
            Some(&|n| {
                done.fetch_add(n, Ordering::Relaxed);
            }),
        );
        assert_eq!(done.load(Ordering::Relaxed), 9 * 10 * 4);
    }
}

/// Golden values: a regression guard, not a physics check. They pin the seeding, the order of
/// the random numbers, the normal generator and the arithmetic of the first SGD step; any change
/// to those must be deliberate (and update these numbers).
#[cfg(test)]
mod value_stability {
    use super::*;

    #[test]
    fn first_weights_after_one_epoch() {
        let exp = Experiment::authors(Hyper::new(0.1, 16, 1).unwrap(), 2024).unwrap();
        let run = exp.run(0..2, None);
        let w = |r: usize| run.outcomes[r].learnt().unwrap().weights;
        let got = [w(0)[0][0], w(0)[3][7], w(0)[9][9], w(1)[0][0]];
        let want: [u64; 4] = [
            4579138989444227323,
            4586441437049305940,
            13817150636376839099,
            4593780526891600849,
        ];
        for (g, w) in got.iter().zip(want) {
            assert_eq!(g.to_bits(), w, "got {got:?} = {:?}", got.map(f64::to_bits));
        }
    }
}
