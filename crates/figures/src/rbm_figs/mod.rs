//! The Gaussian-RBM figures of §4.1, drawn from the shared sweep and analysis in `<out>/rbm/`
//! ([`crate::rbm_sweep`]):
//!
//! * `fig2`: (left) the learnt λ of all realisations for α = 0.01, 0.04, 0.08 at |B| = 16 with
//!   the target κ (dashed); (right) the κ ≈ 5.38 pair at α = 0.01, |B| = 16 with the
//!   least-squares fit of Eq (11), a Gaussian of the same mean and variance, and U4;
//! * `fig3`: (left) λ_fit/κ against α/|B| for every κ, both scans; (right) √π σ against
//!   √(α/|B|·(μ² − κ)) for every pair with the one-parameter fit and √(2π)·x;
//! * `rbm_exact`: the width theory's covariance of every element against an exact simulation;
//! * `surmise`: (left) P(s) of s = S/⟨S⟩ pooled over every pair and configuration against the
//!   unit surmise; (right) ⟨S⟩ against √π σ with y = x.

mod exact;
mod fig2;
mod fig3;
mod surmise;

pub use exact::RbmExact;
pub use fig2::Fig2;
pub use fig3::Fig3;
pub use surmise::SurmiseFig;

use anyhow::Context as _;
use serde::Serialize;
use spectral::Slope;

use crate::rbm_sweep::Loaded;

pub(super) fn find(l: &Loaded, lr: f64, batch: usize) -> anyhow::Result<usize> {
    l.samples
        .iter()
        .position(|s| (s.lr - lr).abs() < 1e-12 && s.batch == batch)
        .with_context(|| format!("configuration α = {lr}, |B| = {batch} not in the sweep"))
}

pub(super) fn kappa_label(k: f64) -> String {
    format!("κ = {k:.2}")
}

pub(super) fn pad(lo: f64, hi: f64, f: f64) -> (f64, f64) {
    let d = (hi - lo) * f;
    (lo - d, hi + d)
}

#[derive(Serialize)]
pub(super) struct SlopeSummary {
    value: f64,
    stderr: f64,
    stderr_scaled: f64,
    chi2: f64,
    dof: usize,
    chi2_dof: f64,
    points: usize,
    ratio_to_sqrt_2pi: f64,
}

impl SlopeSummary {
    pub(super) fn of(s: &Slope) -> Self {
        SlopeSummary {
            value: s.value,
            stderr: s.stderr,
            stderr_scaled: s.stderr_scaled,
            chi2: s.chi2,
            dof: s.dof,
            chi2_dof: s.chi2_dof,
            points: s.points,
            ratio_to_sqrt_2pi: s.value / (2.0 * std::f64::consts::PI).sqrt(),
        }
    }
}

/// The book's numbers of the sweep configurations in `cfgs` (a JSON pointer to an array of
/// `{lr, batch, peaks: [PeakResult]}`) of `j`: one row per peak.
pub(super) fn peak_table(j: &crate::numbers::Json, cfgs: &str) -> anyhow::Result<String> {
    use crate::numbers::{p, table};
    let mut rows = Vec::new();
    for c in 0..j.len(cfgs)? {
        let cp = format!("{cfgs}/{c}");
        for k in 0..j.len(&format!("{cp}/peaks"))? {
            let pk = format!("{cp}/peaks/{k}");
            let spacing = match j.opt(&format!("{pk}/mean_spacing/value"))? {
                Some(_) => j.ve(&format!("{pk}/mean_spacing"))?,
                None => "–".into(),
            };
            let ks = j.opt(&format!("{pk}/ks_p_value"))?.map_or("–".into(), p);
            rows.push(vec![
                j.f(&format!("{cp}/lr"))?.to_string(),
                j.f(&format!("{cp}/batch"))?.to_string(),
                format!("{:.3}", j.f(&format!("{pk}/kappa"))?),
                j.ve(&format!("{pk}/centre_ratio"))?,
                j.ve(&format!("{pk}/sigma"))?,
                j.ve(&format!("{pk}/sigma_mle"))?,
                j.ve(&format!("{pk}/u4"))?,
                spacing,
                ks,
            ]);
        }
    }
    Ok(table(
        &[
            "α",
            "\\|B\\|",
            "κ",
            "λ<sub>fit</sub>/κ",
            "σ (least squares)",
            "σ (max. likelihood)",
            "U₄",
            "⟨S⟩",
            "KS p of S/⟨S⟩",
        ],
        &rows,
    ))
}
