//! The authors' sweeps over the learning rate α and the batch size |B| (authors-protocol §1(a)):
//!
//! * batch-size series: |B| ∈ {4, 8, 16, 32, 64} at α = 0.1;
//! * learning-rate series: α ∈ {0.01, 0.02, 0.04, 0.06, 0.08, 0.1} at |B| = 16;
//!
//! the point (α, |B|) = (0.1, 16) belongs to both and is run once (as in the authors' release,
//! where the two files are the same). Every configuration trains independent realisations with
//! their own streams (see [`crate::training`]), records the spectrum at 3/5, 4/5 and all of the
//! epochs, and checks that the distribution of each peak no longer moves between those snapshots.

use rayon::prelude::*;

use crate::error::RbmError;
use crate::kernel::Kernel;
use crate::lattice::Target;
use crate::model::Rbm;
use crate::training::{Experiment, Hyper, Outcome, Progress, Run, Snapshot};

/// Experiment sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// The paper's grid with 1000 independent realisations per point; epochs 2·10⁴ for
    /// α ≥ 0.04, 5·10⁴ for α = 0.02 and 10⁵ for α = 0.01 (the authors ran 10⁵ everywhere; the
    /// stationarity check shows the shorter runs suffice).
    Paper,
    /// The same grid and code, 32 realisations and epochs = 1000/α (the bulk is stationary
    /// after ≈ 400/α): under a minute on 2 cores.
    Quick,
}

impl std::str::FromStr for Profile {
    type Err = RbmError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "paper" => Ok(Profile::Paper),
            "quick" => Ok(Profile::Quick),
            _ => Err(RbmError::Invalid(format!(
                "profile '{s}': expected 'paper' or 'quick'"
            ))),
        }
    }
}

/// One configuration of the grid.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Point {
    /// α, |B| and epochs.
    pub hyper: Hyper,
    /// Member of the batch-size series (α = 0.1).
    pub batch_series: bool,
    /// Member of the learning-rate series (|B| = 16).
    pub lr_series: bool,
}

/// A sweep: the grid, its sizes and its base seed.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Sweep {
    /// Which sizes.
    pub profile: Profile,
    /// Base seed of every stream.
    pub seed: u64,
    /// Realisations per point.
    pub realisations: u64,
    /// The distinct configurations, batch-size series first.
    pub points: Vec<Point>,
}

/// Learning rates of the α series.
pub const LR_SERIES: [f64; 6] = [0.01, 0.02, 0.04, 0.06, 0.08, 0.1];
/// Batch sizes of the |B| series.
pub const BATCH_SERIES: [usize; 5] = [4, 8, 16, 32, 64];
/// α of the batch-size series.
pub const BATCH_SERIES_LR: f64 = 0.1;
/// |B| of the learning-rate series.
pub const LR_SERIES_BATCH: usize = 16;

impl Sweep {
    /// The grid with the sizes of `profile`.
    pub fn new(profile: Profile, seed: u64) -> Self {
        let (realisations, epochs): (u64, fn(f64) -> usize) = match profile {
            // The authors' protocol: 10⁵ epochs for every configuration.
            Profile::Paper => (1000, |_| 100_000),
            Profile::Quick => (32, |lr| (1000.0 / lr).round() as usize),
        };
        let mut points: Vec<Point> = BATCH_SERIES
            .iter()
            .map(|&b| Point {
                hyper: Hyper {
                    lr: BATCH_SERIES_LR,
                    batch: b,
                    epochs: epochs(BATCH_SERIES_LR),
                },
                batch_series: true,
                lr_series: b == LR_SERIES_BATCH,
            })
            .collect();
        for &lr in &LR_SERIES {
            if lr != BATCH_SERIES_LR {
                points.push(Point {
                    hyper: Hyper {
                        lr,
                        batch: LR_SERIES_BATCH,
                        epochs: epochs(lr),
                    },
                    batch_series: false,
                    lr_series: true,
                });
            }
        }
        Self {
            profile,
            seed,
            realisations,
            points,
        }
    }

    /// The authors' grid at paper size.
    pub fn paper(seed: u64) -> Self {
        Self::new(Profile::Paper, seed)
    }

    /// The authors' grid at quick size.
    pub fn quick(seed: u64) -> Self {
        Self::new(Profile::Quick, seed)
    }

    /// Snapshot epochs of a point: 3/5, 4/5 and all of its epochs.
    pub fn snapshots(epochs: usize) -> Vec<usize> {
        vec![(3 * epochs / 5).max(1), (4 * epochs / 5).max(1), epochs]
    }

    /// The experiment of one point, with its snapshots.
    pub fn experiment(&self, point: &Point) -> Result<Experiment, RbmError> {
        Experiment::new(Rbm::authors(), Target::authors(), point.hyper, self.seed)?
            .with_snapshots(Self::snapshots(point.hyper.epochs))
    }

    /// Number of work items, points × realisations: item `i` is realisation `i mod R` of point
    /// `⌊i/R⌋` (grid order), so a contiguous shard of items covers whole blocks of realisations.
    pub fn items(&self) -> u64 {
        self.points.len() as u64 * self.realisations
    }

    /// `(point, realisation)` of work item `i`.
    pub fn item(&self, i: u64) -> (usize, u64) {
        ((i / self.realisations) as usize, i % self.realisations)
    }

    /// Total work in the units of [`Progress`] (chain-epochs), for a progress bar.
    pub fn work(&self) -> u64 {
        self.points
            .iter()
            .map(|p| self.realisations * (p.hyper.epochs * p.hyper.batch) as u64)
            .sum()
    }

    /// Runs every point, all realisations of all points as one parallel pool of lockstep groups
    /// (collected in order), then checks stationarity per point.
    pub fn run(&self, progress: Option<Progress>) -> Result<Vec<PointResult>, RbmError> {
        if self.realisations == 0 {
            return Err(RbmError::Realisations);
        }
        let experiments = self
            .points
            .iter()
            .map(|p| self.experiment(p))
            .collect::<Result<Vec<_>, _>>()?;
        let ids: Vec<u64> = (0..self.realisations).collect();
        let kernel = Kernel::detect();
        let items: Vec<(usize, &[u64])> = (0..experiments.len())
            .flat_map(|p| ids.chunks(kernel.lanes()).map(move |c| (p, c)))
            .collect();
        let done: Vec<Vec<Outcome>> = items
            .par_iter()
            .map(|&(p, chunk)| {
                let out = experiments[p].run_group_of(chunk, kernel);
                if let Some(f) = progress {
                    let h = experiments[p].hyper();
                    f((h.epochs * h.batch * chunk.len()) as u64);
                }
                out
            })
            .collect();
        let mut per_point: Vec<Vec<Outcome>> = vec![Vec::new(); experiments.len()];
        for ((p, _), out) in items.iter().zip(done) {
            per_point[*p].extend(out);
        }
        Ok(self
            .points
            .iter()
            .zip(per_point)
            .map(|(point, outcomes)| {
                let run = Run { outcomes };
                let stationarity = Stationarity::check(&run, &Target::authors());
                PointResult {
                    point: *point,
                    run,
                    stationarity,
                }
            })
            .collect())
    }
}

/// The results of one point.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PointResult {
    /// The configuration.
    pub point: Point,
    /// Every realisation's outcome, in index order.
    pub run: Run,
    /// Whether the peaks stopped moving.
    pub stationarity: Stationarity,
}

/// Centre and width of one peak at each snapshot, and their drift.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PeakDrift {
    /// Target κ of the peak.
    pub kappa: f64,
    /// Median of the pooled λ of the peak at each snapshot.
    pub centres: Vec<f64>,
    /// Robust width (interquartile range / 1.349, the σ of a Gaussian) at each snapshot.
    pub widths: Vec<f64>,
    /// Standard deviation at each snapshot (sensitive to stragglers, see `stragglers`).
    pub std_devs: Vec<f64>,
    /// (final − earlier)/combined standard error of the centre, for each earlier snapshot.
    pub z_centre: Vec<f64>,
    /// The same for the robust width.
    pub z_width: Vec<f64>,
    /// Values at the final snapshot more than [`Stationarity::STRAGGLER`] robust widths from
    /// the centre: realisations still on their way from the small initial weights.
    pub stragglers: usize,
}

/// The stationarity check of a point: every peak's centre and width at the final snapshot
/// compared with the earlier snapshots (3/5 and 4/5 of the epochs), in units of their combined
/// standard errors, plus a count of stragglers at the final snapshot.
///
/// Why robust statistics: a realisation whose smallest initial singular value is tiny needs
/// ln(1/ξ₀)·72/α epochs just to grow (rate α(1/κ − 1/μ²) for κ = 8), so a few percent of
/// realisations arrive late; one straggler at an earlier snapshot would dominate a standard
/// deviation there and flag a final state that is fine. Medians and interquartile widths see the
/// bulk; stragglers left at the end are counted and make the point non-stationary.
///
/// Snapshots E/5 or more epochs apart are much further apart than the slowest relaxation time
/// of the bulk (κ²/(2α(μ² − κ)) ≤ 3200 epochs), so they are treated as independent samples;
/// standard errors are the normal-theory ones, √(π/2)·w/√n for the median and 1.166·w/√n for
/// the interquartile width. `stationary` when every |z| < [`Stationarity::Z_MAX`] and there are
/// no stragglers; for 6 peaks × 2 snapshots × 2 statistics that is a false-alarm rate of about
/// 1.5e-3 per point for Gaussian z.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stationarity {
    /// Snapshot epochs compared.
    pub epochs: Vec<usize>,
    /// Per peak, ascending κ.
    pub peaks: Vec<PeakDrift>,
    /// Largest |z| over peaks, snapshots and both statistics.
    pub max_abs_z: f64,
    /// Stragglers at the final snapshot, all peaks.
    pub stragglers: usize,
    /// max |z| < Z_MAX and no stragglers.
    pub stationary: bool,
}

impl Stationarity {
    /// Threshold on |z|.
    pub const Z_MAX: f64 = 4.0;
    /// Distance from the centre, in robust widths, beyond which a value is a straggler (a
    /// Gaussian exceeds 8σ with probability 1e-15; the peaks' tails are lighter).
    pub const STRAGGLER: f64 = 8.0;

    /// Checks the snapshots of the learnt realisations of `run` (NaN z and not stationary
    /// when fewer than two realisations or snapshots are available).
    pub fn check(run: &Run, target: &Target) -> Self {
        let learnt: Vec<&[Snapshot]> = run.learnt().map(|r| r.snapshots.as_slice()).collect();
        Self::check_snapshots(&learnt, target)
    }

    /// [`Stationarity::check`] from the snapshots of each learnt realisation, in index order
    /// (what a journal or shard file keeps of a realisation).
    pub fn check_snapshots(learnt: &[&[Snapshot]], target: &Target) -> Self {
        let n_snap = learnt.first().map_or(0, |r| r.len());
        let epochs: Vec<usize> = learnt
            .first()
            .map(|r| r.iter().map(|s| s.epoch).collect())
            .unwrap_or_default();
        let mut max_abs_z: f64 = 0.0;
        let mut stragglers_all = 0;
        let mut valid = n_snap >= 2 && learnt.len() >= 4;
        let peaks = target
            .peaks()
            .into_iter()
            .map(|peak| {
                let samples: Vec<Vec<f64>> = (0..n_snap)
                    .map(|s| {
                        learnt
                            .iter()
                            .flat_map(|r| peak.indices.iter().map(move |&i| r[s].lambda[i]))
                            .collect()
                    })
                    .collect();
                let stats: Vec<Robust> = samples.iter().map(|xs| Robust::of(xs)).collect();
                let (mut z_centre, mut z_width) = (Vec::new(), Vec::new());
                let mut stragglers = 0;
                if let (Some(last), Some(xs)) = (stats.last(), samples.last()) {
                    for earlier in &stats[..stats.len() - 1] {
                        let zc = (last.centre - earlier.centre)
                            / last.se_centre.hypot(earlier.se_centre);
                        let zw =
                            (last.width - earlier.width) / last.se_width.hypot(earlier.se_width);
                        valid &= zc.is_finite() && zw.is_finite();
                        max_abs_z = max_abs_z.max(zc.abs()).max(zw.abs());
                        z_centre.push(zc);
                        z_width.push(zw);
                    }
                    stragglers = xs
                        .iter()
                        .filter(|x| (*x - last.centre).abs() > Self::STRAGGLER * last.width)
                        .count();
                }
                stragglers_all += stragglers;
                PeakDrift {
                    kappa: peak.kappa,
                    centres: stats.iter().map(|s| s.centre).collect(),
                    widths: stats.iter().map(|s| s.width).collect(),
                    std_devs: stats.iter().map(|s| s.std_dev).collect(),
                    z_centre,
                    z_width,
                    stragglers,
                }
            })
            .collect();
        if !valid {
            max_abs_z = f64::NAN;
        }
        Self {
            epochs,
            peaks,
            max_abs_z,
            stragglers: stragglers_all,
            stationary: valid && max_abs_z < Self::Z_MAX && stragglers_all == 0,
        }
    }
}

/// Median, interquartile width and standard deviation of a sample, with standard errors.
struct Robust {
    centre: f64,
    width: f64,
    std_dev: f64,
    se_centre: f64,
    se_width: f64,
}

impl Robust {
    fn of(xs: &[f64]) -> Self {
        let mut s = xs.to_vec();
        s.sort_by(f64::total_cmp);
        let q = |p: f64| coulomb_gas::histogram::percentile(&s, p);
        let n = s.len() as f64;
        let width = (q(75.0) - q(25.0)) / 1.349;
        let std_dev = spectral::moments::sd(&s);
        Self {
            centre: q(50.0),
            width,
            std_dev,
            se_centre: (std::f64::consts::FRAC_PI_2).sqrt() * width / n.sqrt(),
            se_width: 1.166 * width / n.sqrt(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_grid_is_the_authors() {
        let s = Sweep::paper(1);
        assert_eq!(s.realisations, 1000);
        assert_eq!(s.points.len(), 10);
        let find = |lr: f64, b: usize| {
            s.points
                .iter()
                .find(|p| p.hyper.lr == lr && p.hyper.batch == b)
                .copied()
                .unwrap()
        };
        for b in BATCH_SERIES {
            let p = find(0.1, b);
            assert!(p.batch_series && p.hyper.epochs == 100_000);
            assert_eq!(p.lr_series, b == 16);
        }
        for (lr, e) in [
            (0.01, 100_000),
            (0.02, 100_000),
            (0.04, 100_000),
            (0.06, 100_000),
            (0.08, 100_000),
        ] {
            let p = find(lr, 16);
            assert!(p.lr_series && !p.batch_series);
            assert_eq!(p.hyper.epochs, e);
        }
        let q = Sweep::quick(1);
        assert_eq!(q.points.len(), 10);
        assert_eq!(q.points.iter().map(|p| p.hyper.epochs).max(), Some(100_000));
        assert_eq!("quick".parse::<Profile>().unwrap(), Profile::Quick);
        assert!("fast".parse::<Profile>().is_err());
        assert_eq!(Sweep::snapshots(20_000), vec![12_000, 16_000, 20_000]);
    }

    /// A shrunken sweep through the same code: ordering, counts and the stationarity check.
    /// At 8000 epochs and α = 0.1 (|B| = 4, 8) the bulk has converged by 3/5 of the run
    /// (≈ 400/α epochs are needed), so the check passes; the same configurations stopped after
    /// 600 epochs (top mode still growing from the initial weights) fail it. (At 1000-1200
    /// epochs the check is borderline: which configuration passes depends on the draws.)
    #[test]
    fn small_sweep_runs_every_point_and_checks_stationarity() {
        let mut s = Sweep::quick(5);
        s.realisations = 24;
        s.points.truncate(2);
        for p in &mut s.points {
            p.hyper.epochs = 8000;
        }
        let res = s.run(None).unwrap();
        assert_eq!(res.len(), 2);
        for r in &res {
            assert_eq!(r.run.outcomes.len(), 24);
            let idx: Vec<u64> = r.run.outcomes.iter().map(|o| o.index()).collect();
            assert_eq!(idx, (0..24).collect::<Vec<_>>());
            assert_eq!(r.stationarity.epochs, vec![4800, 6400, 8000]);
            assert!(r.stationarity.stationary, "{:?}", r.stationarity);
        }
        for p in &mut s.points {
            p.hyper.epochs = 600;
        }
        let res = s.run(None).unwrap();
        assert!(res.iter().all(|r| !r.stationarity.stationary));
        s.realisations = 0;
        assert_eq!(s.run(None), Err(RbmError::Realisations));
    }
}
