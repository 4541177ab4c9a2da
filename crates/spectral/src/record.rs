//! The typed records of a peak's analysis ([`crate::peak::analyse_peak`]) and its options: what
//! `train`, `analyze`, the figures and the Python package print, field for field.

use coulomb_gas::fit::lm::{GaussianModel, Model, PairModel};
use coulomb_gas::{Law, U4_PAIR};
use serde::{Deserialize, Serialize};

use crate::binning::Binning;

/// A value with its standard error and what the error is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Est {
    /// The estimate on the full sample.
    pub value: f64,
    /// Its standard error.
    pub err: f64,
    /// Which error: `bootstrap` or `least-squares standard error`.
    pub err_kind: String,
}

/// The law fitted to a peak.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeakLaw {
    /// Eq (11): a degenerate pair (two or more levels pooled).
    Eq11,
    /// A normal law: one level.
    Gaussian,
}

impl PeakLaw {
    pub(crate) fn for_levels(levels: usize) -> Self {
        if levels >= 2 {
            PeakLaw::Eq11
        } else {
            PeakLaw::Gaussian
        }
    }

    pub(crate) fn model(self) -> &'static dyn Model {
        match self {
            PeakLaw::Eq11 => &PairModel,
            PeakLaw::Gaussian => &GaussianModel,
        }
    }

    pub(crate) fn ml_law(self) -> Law {
        match self {
            PeakLaw::Eq11 => Law::Pair,
            PeakLaw::Gaussian => Law::Gaussian,
        }
    }

    /// U4 of the law: −4/27 (Eq 12) or 0.
    pub fn u4(self) -> f64 {
        match self {
            PeakLaw::Eq11 => U4_PAIR,
            PeakLaw::Gaussian => 0.0,
        }
    }

    /// The width σ of the law from the sample standard deviation (Var = 3σ²/2 for Eq 11).
    pub(crate) fn sigma_from_sd(self, sd: f64) -> f64 {
        match self {
            PeakLaw::Eq11 => sd / 1.5f64.sqrt(),
            PeakLaw::Gaussian => sd,
        }
    }
}

/// Options of the per-peak analysis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeakOptions {
    /// Starting width of the least-squares fit; `None`: from the sample standard deviation.
    /// The starting centre is the target, or the sample mean.
    pub sigma0: Option<f64>,
    /// Bootstrap replicates (0: none; else ≥ 2).
    pub bootstrap: usize,
    /// Base seed of the bootstrap streams.
    pub seed: u64,
    /// Purpose of the bootstrap streams (`stream(seed, purpose, replica)`).
    pub purpose: String,
    /// Refit by maximum likelihood in every replica (else the ML errors are the inverse observed
    /// information).
    pub bootstrap_ml: bool,
    /// Also fit Eq (32) (σ₁, σ₂ free) to pairs, both ways.
    pub eq32: bool,
}

impl Default for PeakOptions {
    fn default() -> Self {
        Self {
            sigma0: None,
            bootstrap: 200,
            seed: 0,
            purpose: "spectral/bootstrap".into(),
            bootstrap_ml: false,
            eq32: false,
        }
    }
}

/// Where a least-squares fit starts: [centre, σ].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Start {
    /// Starting centre.
    pub centre: f64,
    /// Starting width.
    pub sigma: f64,
}

/// A converged least-squares fit of a histogram.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LsFit {
    /// Which law.
    pub law: String,
    /// Parameter names.
    pub names: Vec<String>,
    /// Parameters; widths as |σ̂|.
    pub params: Vec<f64>,
    /// Their standard errors (`absolute_sigma=False`).
    pub stderr: Vec<f64>,
    /// Sum of squared density residuals.
    pub ssr: f64,
    /// Pearson χ² of the histogram (Poisson errors, non-empty bins).
    pub chi2: f64,
    /// Non-empty bins minus parameters.
    pub dof: usize,
    /// Where the fit started.
    pub start: Vec<f64>,
    /// Levenberg–Marquardt iterations.
    pub iterations: usize,
}

/// The authors' fit of a peak: Eq (11) or a Gaussian by least squares on the histogram.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeakFit {
    /// Fitted centre.
    pub centre: f64,
    /// Fitted width |σ̂|.
    pub sigma: f64,
    /// Standard error of the centre.
    pub centre_stderr: f64,
    /// Standard error of σ.
    pub sigma_stderr: f64,
    /// Bins of the histogram.
    pub bins: usize,
    /// The rule that made them.
    pub binning: Binning,
    /// The fit itself.
    pub detail: LsFit,
}

/// A maximum-likelihood fit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MlFit {
    /// Which law.
    pub law: String,
    /// Parameter names.
    pub names: Vec<String>,
    /// Parameters.
    pub params: Vec<f64>,
    /// Standard errors (inverse observed information).
    pub stderr: Vec<f64>,
    /// ln L at the maximum.
    pub log_likelihood: f64,
    /// KS distance from the fitted law.
    pub ks_d: f64,
    /// Its p-value (conservative: fitted parameters).
    pub ks_p: f64,
}

/// Spacings of consecutive levels of the peak, per sample.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spacings {
    /// Number of spacings.
    pub n: usize,
    /// The authors' ⟨S⟩: count-weighted mean of the bin centres of the spacing histogram.
    pub mean_binned: f64,
    /// The sample mean ⟨S⟩.
    pub mean: f64,
    /// KS distance of S/⟨S⟩ (sample mean) from the unit surmise.
    pub ks_surmise_d: f64,
    /// Its p-value (conservative: ⟨S⟩ from the same sample).
    pub ks_surmise_p: f64,
}

/// Bootstrap standard errors (standard deviation over replicas, n − 1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BootstrapErrors {
    /// Replicas.
    pub replicates: usize,
    /// Base seed.
    pub seed: u64,
    /// Stream purpose.
    pub purpose: String,
    /// Of the least-squares centre.
    pub centre: f64,
    /// Of the least-squares σ.
    pub sigma: f64,
    /// Of the maximum-likelihood centre (when refitted per replica).
    pub centre_ml: Option<f64>,
    /// Of the maximum-likelihood σ (when refitted per replica).
    pub sigma_ml: Option<f64>,
    /// Of U4.
    pub u4: f64,
    /// Of the sample ⟨S⟩ (pairs).
    pub mean_spacing: Option<f64>,
    /// Of the binned ⟨S⟩ (pairs).
    pub mean_spacing_binned: Option<f64>,
}

/// Eq (32) fitted to a pair.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Eq32 {
    /// By least squares on the histogram.
    pub ls: Option<LsFit>,
    /// Why the least-squares fit failed.
    pub ls_error: Option<String>,
    /// By maximum likelihood.
    pub ml: Option<MlFit>,
    /// Why the maximum-likelihood fit failed.
    pub ml_error: Option<String>,
    /// U4 of the maximum-likelihood Eq (32).
    pub u4_ml: Option<f64>,
}

// ANCHOR: peak_report
/// Everything known about one peak.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeakReport {
    /// The target it was assigned to, if peaks came from targets.
    pub target: Option<f64>,
    /// The level indices (ascending spectrum) pooled.
    pub levels: Vec<usize>,
    /// Eq (11) or Gaussian.
    pub law: PeakLaw,
    /// Pooled samples.
    pub samples: usize,
    /// Mean of the pooled samples.
    pub mean: f64,
    /// Sample standard deviation of the pooled samples.
    pub std_dev: f64,
    /// The authors' least-squares fit (converged), if it succeeded.
    pub fit: Option<PeakFit>,
    /// Why it failed.
    pub fit_error: Option<String>,
    /// The same law by maximum likelihood.
    pub ml: Option<MlFit>,
    /// Why it failed.
    pub ml_error: Option<String>,
    /// Eq (32) (pairs, on request).
    pub eq32: Option<Eq32>,
    /// Binder cumulant of the pooled sample.
    pub u4: f64,
    /// U4 of the law.
    pub u4_expected: f64,
    /// Spacings (two or more levels).
    pub spacings: Option<Spacings>,
    /// Bootstrap errors.
    pub bootstrap: Option<BootstrapErrors>,
    /// Why the bootstrap failed or was not run.
    pub bootstrap_error: Option<String>,
    /// A remark on the model choice.
    pub note: Option<String>,
}
// ANCHOR_END: peak_report

impl PeakReport {
    /// The least-squares σ with its error: bootstrap when it ran, else the least-squares
    /// standard error, and which one it is.
    pub fn sigma(&self) -> Option<Est> {
        let f = self.fit.as_ref()?;
        Some(match &self.bootstrap {
            Some(b) => Est {
                value: f.sigma,
                err: b.sigma,
                err_kind: "bootstrap".into(),
            },
            None => Est {
                value: f.sigma,
                err: f.sigma_stderr,
                err_kind: "least-squares standard error".into(),
            },
        })
    }

    /// The least-squares centre with its error (bootstrap when it ran, else the standard
    /// error).
    pub fn centre(&self) -> Option<Est> {
        let f = self.fit.as_ref()?;
        Some(match &self.bootstrap {
            Some(b) => Est {
                value: f.centre,
                err: b.centre,
                err_kind: "bootstrap".into(),
            },
            None => Est {
                value: f.centre,
                err: f.centre_stderr,
                err_kind: "least-squares standard error".into(),
            },
        })
    }

    /// The maximum-likelihood centre with its error (bootstrap if refitted per replica).
    pub fn centre_ml(&self) -> Option<Est> {
        let f = self.ml.as_ref()?;
        Some(match self.bootstrap.as_ref().and_then(|b| b.centre_ml) {
            Some(e) => Est {
                value: f.params[0],
                err: e,
                err_kind: "bootstrap".into(),
            },
            None => Est {
                value: f.params[0],
                err: f.stderr[0],
                err_kind: "inverse observed information".into(),
            },
        })
    }

    /// The maximum-likelihood σ with its error (bootstrap if refitted per replica).
    pub fn sigma_ml(&self) -> Option<Est> {
        let f = self.ml.as_ref()?;
        Some(match self.bootstrap.as_ref().and_then(|b| b.sigma_ml) {
            Some(e) => Est {
                value: f.params[1],
                err: e,
                err_kind: "bootstrap".into(),
            },
            None => Est {
                value: f.params[1],
                err: f.stderr[1],
                err_kind: "inverse observed information".into(),
            },
        })
    }
}
