//! An ensemble of spectra (one ascending spectrum per independently trained network): its
//! outliers, its levels, the peaks they form and every peak's analysis with its headline.

use serde::{Deserialize, Serialize};

use crate::error::SpectralError;
use crate::estimate::{choose, PeakEstimate};
use crate::groups::{assign_to_targets, auto_groups, PairEvidence};
use crate::moments::level_moments;
use crate::outliers::{find_outliers, rule, Outliers};
use crate::peak::analyse_peak;
use crate::record::{PeakOptions, PeakReport};

// ANCHOR: min_samples
/// Fewest samples (networks) an ensemble analysis accepts: the peaks' widths are fluctuations
/// across independently trained networks, so one network (or a handful) has none to measure.
pub const MIN_SAMPLES: usize = 8;
// ANCHOR_END: min_samples

/// Options of an ensemble's analysis.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EnsembleOptions {
    /// Peak positions (each level joins the nearest by its ensemble mean); `None`: automatic.
    pub targets: Option<Vec<f64>>,
    /// Keep the outlying samples in every statistic (they are always reported).
    pub keep_outliers: bool,
    /// Options of every peak.
    pub peak: PeakOptions,
}

/// How the peaks were formed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PeaksFrom {
    /// `targets` or `likelihood` (singles and degenerate pairs, by BIC).
    pub method: String,
    /// Per pair of neighbouring levels, the evidence for pairing them (automatic only).
    pub evidence: Vec<PairEvidence>,
    /// Decisions the ensemble cannot make, in words.
    pub undecided: Vec<String>,
    /// Pairings the data favour that the chosen partition could not make, in words.
    pub competing: Vec<String>,
}

/// One peak: the full record and the headline taken from it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnsemblePeak {
    /// Every statistic of the peak.
    #[serde(flatten)]
    pub report: PeakReport,
    /// The headline centre and σ, with the estimator and why.
    pub estimate: Option<PeakEstimate>,
    /// Why there is no headline.
    pub estimate_error: Option<String>,
}

/// The analysis of one ensemble.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnsembleReport {
    /// Samples (rows) read.
    pub samples: usize,
    /// Samples used (without the excluded outliers).
    pub samples_used: usize,
    /// Levels per sample.
    pub levels: usize,
    /// Outlying samples and what was done with them.
    pub outliers: Outliers,
    /// Ensemble mean of each level (samples used).
    pub level_means: Vec<f64>,
    /// Ensemble standard deviation of each level (samples used).
    pub level_sds: Vec<f64>,
    /// How the levels were grouped into peaks.
    pub peaks_from: PeaksFrom,
    /// Per peak, ascending.
    pub peaks: Vec<EnsemblePeak>,
}

impl EnsembleReport {
    /// The samples kept from `rows` (those not excluded as outliers), in order.
    pub fn kept<'a, R>(&self, rows: &'a [R]) -> Vec<&'a R> {
        self.outliers.kept(rows)
    }
}

// ANCHOR: analyse_ensemble
/// Analyses `rows` (equal lengths, each ascending, finite).
pub fn analyse_ensemble<R: AsRef<[f64]> + Sync>(
    rows: &[R],
    o: &EnsembleOptions,
) -> Result<EnsembleReport, SpectralError> {
    let levels = rows.first().map_or(0, |r| r.as_ref().len());
    if levels == 0 {
        return Err(SpectralError::Data("no samples or no levels".into()));
    }
    for (k, r) in rows.iter().enumerate() {
        let r = r.as_ref();
        if r.len() != levels {
            return Err(SpectralError::Data(format!(
                "sample {k} has {} levels, sample 0 has {levels}",
                r.len()
            )));
        }
        if let Some(j) = r.iter().position(|v| !v.is_finite()) {
            return Err(SpectralError::Data(format!(
                "sample {k}, level {j} is {}: every level must be finite",
                r[j]
            )));
        }
        if let Some(j) = r.windows(2).position(|w| w[1] < w[0]) {
            return Err(SpectralError::Data(format!(
                "sample {k} is not ascending at level {j}: give each spectrum sorted"
            )));
        }
    }
    if rows.len() < MIN_SAMPLES {
        return Err(SpectralError::Data(format!(
            "{} sample(s): the widths are fluctuations across an ensemble of independently \
             trained networks; give at least {MIN_SAMPLES}",
            rows.len()
        )));
    }
    let outliers = Outliers {
        rule: rule(),
        samples: find_outliers(rows, levels),
        excluded: !o.keep_outliers,
    };
    let kept: Vec<&[f64]> = outliers
        .kept(rows)
        .into_iter()
        .map(|r| r.as_ref())
        .collect();
    if kept.len() < MIN_SAMPLES {
        return Err(SpectralError::Data(format!(
            "{} of {} samples are outliers ({}): fewer than {MIN_SAMPLES} remain",
            outliers.samples.len(),
            rows.len(),
            outliers.rule
        )));
    }
    let (level_means, level_sds) = level_moments(&kept, levels);
    let (groups, targets, peaks_from) = match &o.targets {
        Some(t) => (
            assign_to_targets(&level_means, t),
            t.iter().map(|&v| Some(v)).collect(),
            PeaksFrom {
                method: "targets".into(),
                ..PeaksFrom::default()
            },
        ),
        None => {
            let g = auto_groups(&kept, levels);
            let n = g.groups.len();
            (
                g.groups,
                vec![None; n],
                PeaksFrom {
                    method: "likelihood".into(),
                    evidence: g.evidence,
                    undecided: g.undecided,
                    competing: g.competing,
                },
            )
        }
    };
    let peaks = groups
        .iter()
        .zip(&targets)
        .map(|(g, &t)| {
            let report = analyse_peak(&kept, g, t, &o.peak)?;
            let (estimate, estimate_error) = match choose(&report, o.peak.bootstrap) {
                Ok(e) => (Some(e), None),
                Err(e) => (None, Some(e)),
            };
            Ok(EnsemblePeak {
                report,
                estimate,
                estimate_error,
            })
        })
        .collect::<Result<_, SpectralError>>()?;
    Ok(EnsembleReport {
        samples: rows.len(),
        samples_used: kept.len(),
        levels,
        outliers,
        level_means,
        level_sds,
        peaks_from,
        peaks,
    })
}
// ANCHOR_END: analyse_ensemble

#[cfg(test)]
mod tests {
    use super::*;
    use coulomb_gas::goe_sample;
    use langevin_core::stream;

    fn rows(n: usize, seed: u64) -> Vec<Vec<f64>> {
        let mut rng = stream(seed, "spectral/test/ensemble", 0);
        (0..n)
            .map(|_| {
                let e = goe_sample(2, 0.05, &mut rng).unwrap();
                let g = goe_sample(1, 0.05, &mut rng).unwrap();
                let mut l = vec![2.0 + e[0], 2.0 + e[1], 3.0 + g[0]];
                l.sort_by(f64::total_cmp);
                l
            })
            .collect()
    }

    fn opts() -> EnsembleOptions {
        EnsembleOptions {
            peak: PeakOptions {
                bootstrap: 20,
                ..PeakOptions::default()
            },
            ..EnsembleOptions::default()
        }
    }

    #[test]
    fn one_diverged_network_is_excluded_and_named() {
        let clean = rows(300, 4);
        let mut dirty = clean.clone();
        dirty.insert(57, vec![2.0, 2.01, 1e20]);
        let a = analyse_ensemble(&clean, &opts()).unwrap();
        let b = analyse_ensemble(&dirty, &opts()).unwrap();
        assert_eq!(b.outliers.samples, vec![57]);
        assert_eq!((b.samples, b.samples_used), (301, 300));
        // Excluding it gives exactly the clean ensemble's analysis (same bootstrap streams).
        assert_eq!(a.peaks, b.peaks);
        let mut keep = opts();
        keep.keep_outliers = true;
        let c = analyse_ensemble(&dirty, &keep).unwrap();
        assert!(!c.outliers.excluded && c.samples_used == 301);
        assert_eq!(c.outliers.samples, vec![57]);
    }

    #[test]
    fn too_few_networks_and_bad_values_are_refused_with_the_reason() {
        let e = analyse_ensemble(&rows(1, 1), &opts())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("ensemble of independently trained networks"),
            "{e}"
        );
        let mut r = rows(50, 1);
        r[3][1] = f64::NAN;
        let e = analyse_ensemble(&r, &opts()).unwrap_err().to_string();
        assert!(e.contains("sample 3, level 1"), "{e}");
    }

    #[test]
    fn small_ensembles_take_maximum_likelihood_and_say_so() {
        // 20 networks: 40 pooled samples of the pair, too few for the histogram fit.
        let r = analyse_ensemble(&rows(20, 9), &opts()).unwrap();
        let pair = &r.peaks[0];
        assert_eq!(pair.report.levels, vec![0, 1]);
        let e = pair.estimate.as_ref().unwrap();
        assert_eq!(e.estimator, crate::estimate::Estimator::MaximumLikelihood);
        assert!(e.reason.contains("too few"), "{}", e.reason);
        // At 300 networks the authors' least squares is the headline, with bootstrap errors.
        let r = analyse_ensemble(&rows(300, 9), &opts()).unwrap();
        let e = r.peaks[0].estimate.as_ref().unwrap();
        assert_eq!(e.estimator, crate::estimate::Estimator::LeastSquares);
        assert_eq!(e.sigma.err_kind, "bootstrap");
    }
}
