//! An ensemble of spectra (one ascending spectrum per independently trained network): its
//! levels, the peaks they form and every peak's analysis.

use serde::{Deserialize, Serialize};

use crate::error::SpectralError;
use crate::groups::{assign_to_targets, auto_groups};
use crate::moments::level_moments;
use crate::peak::analyse_peak;
use crate::record::{PeakOptions, PeakReport};

/// Options of an ensemble's analysis.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EnsembleOptions {
    /// Peak positions (each level joins the nearest by its ensemble mean); `None`: automatic.
    pub targets: Option<Vec<f64>>,
    /// Options of every peak.
    pub peak: PeakOptions,
}

/// The analysis of one ensemble.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnsembleReport {
    /// Samples (rows).
    pub samples: usize,
    /// Levels per sample.
    pub levels: usize,
    /// Ensemble mean of each level.
    pub level_means: Vec<f64>,
    /// Ensemble standard deviation of each level.
    pub level_sds: Vec<f64>,
    /// `targets` or `automatic`.
    pub peaks_from: String,
    /// Per peak, ascending.
    pub peaks: Vec<PeakReport>,
}

/// Analyses `rows` (equal lengths, each ascending).
pub fn analyse_ensemble<R: AsRef<[f64]> + Sync>(
    rows: &[R],
    o: &EnsembleOptions,
) -> Result<EnsembleReport, SpectralError> {
    let levels = rows.first().map_or(0, |r| r.as_ref().len());
    if levels == 0 {
        return Err(SpectralError::Data("no samples or no levels".into()));
    }
    if let Some(k) = rows.iter().position(|r| r.as_ref().len() != levels) {
        return Err(SpectralError::Data(format!(
            "sample {k} has {} levels, sample 0 has {levels}",
            rows[k].as_ref().len()
        )));
    }
    let (level_means, level_sds) = level_moments(rows, levels);
    let (groups, targets): (Vec<Vec<usize>>, Vec<Option<f64>>) = match &o.targets {
        Some(t) => (
            assign_to_targets(&level_means, t),
            t.iter().map(|&v| Some(v)).collect(),
        ),
        None => {
            let g = auto_groups(&level_means, &level_sds);
            let n = g.len();
            (g, vec![None; n])
        }
    };
    let peaks = groups
        .iter()
        .zip(&targets)
        .map(|(g, &t)| analyse_peak(rows, g, t, &o.peak))
        .collect::<Result<_, _>>()?;
    Ok(EnsembleReport {
        samples: rows.len(),
        levels,
        level_means,
        level_sds,
        peaks_from: if o.targets.is_some() {
            "targets"
        } else {
            "automatic"
        }
        .into(),
        peaks,
    })
}
