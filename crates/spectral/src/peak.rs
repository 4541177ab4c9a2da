//! One peak of an ensemble's spectra: the levels that form it, pooled over the samples, and
//! every statistic of it, as one typed record.
//!
//! * The authors' fit ([`PeakReport::fit`]): an unweighted least-squares fit of Eq (11) (two or
//!   more levels) or of a Gaussian (one level) to the density of the histogram of the pooled
//!   levels ([`crate::binning`]), scipy's `curve_fit` with `absolute_sigma=False` errors. Only a
//!   converged fit is reported; a failed one says why in `fit_error`.
//! * Maximum likelihood of the same law on the raw samples (errors from the observed
//!   information; KS distance and p-value against the fitted law, conservative because the
//!   parameters come from the same samples); Eq (32) both ways on request.
//! * The Binder cumulant U4 (Eq 12: −4/27 for a pair, 0 for a Gaussian).
//! * Spacings of consecutive levels per sample: ⟨S⟩ as the authors (count-weighted mean of the
//!   bin centres of their histogram), the sample mean, and a KS test of S/⟨S⟩ (sample mean)
//!   against the unit Wigner surmise.
//! * Errors by bootstrap over samples (rows, [`crate::bootstrap`]): every replica refits; a
//!   failed replica fails the bootstrap (reported in `bootstrap_error`), never silently replaced.

use coulomb_gas::fit::lm::{fit_histogram, Model, TwoSpeciesModel};
use coulomb_gas::histogram::Ranked;
use coulomb_gas::{
    fit_mle, fit_mle_from, ks_one_sample, sample_u4, weighted_u4, Density1D, Histogram, Law,
    LsqFit, MleFit, UnitSurmise,
};

use crate::binning::{histogram_ranked, histogram_sorted, Binning};
use crate::bootstrap;
use crate::error::SpectralError;
use crate::moments::{mean, mean_sd, sd, weighted_mean_sd};
use crate::record::{
    BootstrapErrors, Eq32, LsFit, MlFit, PeakFit, PeakLaw, PeakOptions, PeakReport, Spacings,
};
use crate::replica::{laid_out, PeakSamples};

/// The levels `levels` of every row, pooled row by row.
pub fn pooled<R: AsRef<[f64]>>(rows: &[R], levels: &[usize]) -> Vec<f64> {
    rows.iter()
        .flat_map(|r| levels.iter().map(move |&i| r.as_ref()[i]))
        .collect()
}

/// Consecutive-level spacings |x_{j+1} − x_j| of every row.
pub fn spacings<R: AsRef<[f64]>>(rows: &[R], levels: &[usize]) -> Vec<f64> {
    rows.iter()
        .flat_map(|r| {
            levels
                .windows(2)
                .map(move |w| (r.as_ref()[w[1]] - r.as_ref()[w[0]]).abs())
        })
        .collect()
}

fn histogram_chi2(model: &dyn Model, hist: &Histogram, params: &[f64]) -> (f64, usize) {
    let (c, d, e) = (hist.centres(), hist.density(), hist.density_err());
    let mut chi2 = 0.0;
    let mut used = 0usize;
    for i in 0..hist.len() {
        if hist.counts[i] > 0 {
            chi2 += ((d[i] - model.value(c[i], params)) / e[i]).powi(2);
            used += 1;
        }
    }
    (chi2, used.saturating_sub(params.len()))
}

fn ls_record(law: &str, model: &dyn Model, f: &LsqFit, hist: &Histogram, start: &[f64]) -> LsFit {
    let (chi2, dof) = histogram_chi2(model, hist, &f.params);
    LsFit {
        law: law.into(),
        names: f.names.clone(),
        // Widths enter squared: report |σ̂|.
        params: f
            .params
            .iter()
            .enumerate()
            .map(|(k, p)| if k == 0 { *p } else { p.abs() })
            .collect(),
        stderr: f.stderr.clone(),
        ssr: f.ssr,
        chi2,
        dof,
        start: start.to_vec(),
        iterations: f.iterations,
    }
}

fn ml_record(law: &str, f: &MleFit) -> MlFit {
    MlFit {
        law: law.into(),
        names: f.names.clone(),
        params: f.params.clone(),
        stderr: f.stderr.clone(),
        log_likelihood: f.log_likelihood,
        ks_d: f.ks.statistic,
        ks_p: f.ks.p_value,
    }
}

/// A converged fit that describes the data: finite, its centre inside the data's range and
/// its width within a factor [`WIDTH_FACTOR`] of the moment estimate. (From a start far off,
/// e.g. σ₀ = 1000 for data of width 0.05, Levenberg–Marquardt "converges" on a flat model.)
fn usable(f: &LsqFit, hist: &Histogram, sigma_data: f64) -> bool {
    let (c, w) = (f.params[0], f.params[1].abs());
    let (lo, hi) = (hist.edges[0], hist.edges[hist.edges.len() - 1]);
    f.converged
        && f.params.iter().all(|p| p.is_finite())
        && w != 0.0
        && (lo..=hi).contains(&c)
        && w <= WIDTH_FACTOR * sigma_data
        && w >= sigma_data / WIDTH_FACTOR
}

/// How far the fitted σ may lie from the moment estimate before the fit is refused.
const WIDTH_FACTOR: f64 = 10.0;

// ANCHOR: ls_fit
/// The least-squares fit of `model` to `hist` from `start`; if that does not converge (or
/// lands far from the data), from `fallback`, the moment estimate [centre, σ]. Only a usable
/// converged fit is returned.
pub(crate) fn ls_fit(
    model: &dyn Model,
    hist: &Histogram,
    start: [f64; 2],
    fallback: [f64; 2],
) -> Result<(LsqFit, [f64; 2]), SpectralError> {
    let first = fit_histogram(model, hist, &start);
    if let Ok(f) = &first {
        if usable(f, hist, fallback[1]) {
            return Ok((f.clone(), start));
        }
    }
    if fallback != start {
        if let Ok(f) = fit_histogram(model, hist, &fallback) {
            if usable(&f, hist, fallback[1]) {
                return Ok((f, fallback));
            }
        }
    }
    Err(SpectralError::Fit(match first {
        Err(e) => format!("least squares: {e}"),
        Ok(_) => format!(
            "least squares did not converge from [{}, {}] nor from [{}, {}]",
            start[0], start[1], fallback[0], fallback[1]
        ),
    }))
}
// ANCHOR_END: ls_fit

/// The authors' numbers of one (re)sample: the least-squares centre and σ.
struct Numbers {
    centre: f64,
    sigma: f64,
    ml: Option<[f64; 2]>,
    u4: f64,
    mean_spacing: f64,
    mean_spacing_binned: f64,
}

/// How the fits of a peak start, from the options and the full sample.
struct Plan {
    law: PeakLaw,
    target: Option<f64>,
    sigma0: Option<f64>,
    with_ml: bool,
}

impl Plan {
    /// The start and the moment estimate from the sample's mean and standard deviation.
    fn starts(&self, (m, s): (f64, f64)) -> ([f64; 2], [f64; 2]) {
        let data = [m, self.law.sigma_from_sd(s)];
        let start = [self.target.unwrap_or(m), self.sigma0.unwrap_or(data[1])];
        (start, data)
    }

    /// The least-squares fit of a sample (and its histogram), given its mean and standard
    /// deviation and the sample in order.
    fn fit<S: Ranked + ?Sized>(
        &self,
        mean_sd: (f64, f64),
        sorted: &S,
    ) -> Result<(LsqFit, [f64; 2], Histogram, Binning), SpectralError> {
        let (hist, binning) = histogram_ranked(sorted)?;
        let (start, data) = self.starts(mean_sd);
        let (f, used) = ls_fit(self.law.model(), &hist, start, data)?;
        Ok((f, used, hist, binning))
    }

    fn ml(&self, x: &[f64], ls: Option<&LsqFit>) -> Result<MleFit, SpectralError> {
        Ok(match ls {
            Some(f) => fit_mle_from(self.law.ml_law(), x, &[f.params[0], f.params[1].abs()])?,
            None => fit_mle(self.law.ml_law(), x)?,
        })
    }

    /// The numbers of the bootstrap replica that draws rows `sel`: sums over the drawn rows
    /// weighted by their draws, histograms of its pools read in order.
    fn numbers(&self, peak: &PeakSamples, sel: &[usize]) -> Result<Numbers, SpectralError> {
        let r = peak.replica(sel);
        let values = peak.drawn_values(&r);
        let (f, ..) = self.fit(weighted_mean_sd(r.values.iter().copied()), &values)?;
        let ml = if self.with_ml {
            let m = self.ml(&laid_out(&values), Some(&f))?;
            Some([m.params[0], m.params[1]])
        } else {
            None
        };
        let (mean_spacing, mean_spacing_binned) = if r.spacings.is_empty() {
            (f64::NAN, f64::NAN)
        } else {
            (
                weighted_mean_sd(r.spacings.iter().copied()).0,
                histogram_ranked(&peak.drawn_spacings(&r))?
                    .0
                    .mean_from_bins(),
            )
        };
        Ok(Numbers {
            centre: f.params[0],
            sigma: f.params[1].abs(),
            ml,
            u4: weighted_u4(r.values.iter().copied()),
            mean_spacing,
            mean_spacing_binned,
        })
    }
}

fn fmt_num(v: f64) -> String {
    if v == 0.0 || (1e-4..1e6).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:.6e}")
    }
}

// ANCHOR: analyse_peak
/// Analyses the levels `levels` of `rows` (one ascending spectrum per sample) as one peak,
/// assigned to `target` (`None`: found automatically).
pub fn analyse_peak<R: AsRef<[f64]> + Sync>(
    rows: &[R],
    levels: &[usize],
    target: Option<f64>,
    o: &PeakOptions,
) -> Result<PeakReport, SpectralError> {
    if levels.is_empty() {
        return Err(SpectralError::Data(format!(
            "no level is nearest to the target {}",
            target.map_or("?".into(), fmt_num)
        )));
    }
    if o.bootstrap == 1 {
        return Err(SpectralError::Invalid(
            "bootstrap: give 0 (none) or at least 2 replicates".into(),
        ));
    }
    let x = pooled(rows, levels);
    let n = x.len();
    let (m, s) = mean_sd(&x);
    let shown = fmt_num(target.unwrap_or(m));
    if n < 4 {
        return Err(SpectralError::Data(format!(
            "the peak at {shown} has {n} samples: too few to fit (give more samples or fewer peaks)"
        )));
    }
    if !(m.is_finite() && s.is_finite()) {
        return Err(SpectralError::Data(format!(
            "the peak at {shown}: its mean or standard deviation overflows (values too large: \
             rescale the input)"
        )));
    }
    if s <= 0.0 {
        return Err(SpectralError::Data(format!(
            "the peak at {shown} has no spread (standard deviation {s} over {n} samples)"
        )));
    }
    let samples = PeakSamples::new(x, levels.len())?;
    let x = samples.values();
    let sorted_x = samples.sorted_values();
    let law = PeakLaw::for_levels(levels.len());
    let plan = Plan {
        law,
        target,
        sigma0: o.sigma0,
        with_ml: o.bootstrap_ml,
    };
    let name = match law {
        PeakLaw::Eq11 => "eq11",
        PeakLaw::Gaussian => "gaussian",
    };
    let (fit, fit_error, lsq) = match plan.fit((m, s), sorted_x) {
        Ok((f, start, hist, binning)) => {
            let detail = ls_record(name, law.model(), &f, &hist, &start);
            let fit = PeakFit {
                centre: f.params[0],
                sigma: f.params[1].abs(),
                centre_stderr: f.stderr[0],
                sigma_stderr: f.stderr[1],
                bins: hist.len(),
                binning,
                detail,
            };
            (Some(fit), None, Some(f))
        }
        Err(e) => (None, Some(format!("peak at {shown}: {e}")), None),
    };
    let (ml, ml_error) = match plan.ml(sorted_x, lsq.as_ref()) {
        Ok(f) => (Some(ml_record(name, &f)), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let eq32 = (o.eq32 && levels.len() >= 2).then(|| eq32(sorted_x, lsq.as_ref(), m, s));
    let spacings = if levels.len() >= 2 {
        let sp = spacings(rows, levels);
        let ms = mean(&sp);
        let unit: Vec<f64> = sp.iter().map(|v| v / ms).collect();
        let ks = ks_one_sample(&unit, |v| UnitSurmise.cdf(v))?;
        Some(Spacings {
            n: sp.len(),
            mean_binned: histogram_sorted(samples.sorted_spacings())?
                .0
                .mean_from_bins(),
            mean: ms,
            ks_surmise_d: ks.statistic,
            ks_surmise_p: ks.p_value,
        })
    } else {
        None
    };
    let (bootstrap, bootstrap_error) = if o.bootstrap == 0 {
        (None, Some("not run (0 replicates)".to_string()))
    } else if fit.is_none() {
        (
            None,
            Some("not run: the least-squares fit failed".to_string()),
        )
    } else {
        match bootstrap::replicas(o.seed, &o.purpose, o.bootstrap, rows.len(), |sel| {
            plan.numbers(&samples, sel)
        }) {
            Ok(reps) => (Some(errors(&reps, o, levels.len() >= 2)), None),
            Err(e) => (None, Some(e.to_string())),
        }
    };
    let note = (levels.len() > 2).then(|| {
        "more than two levels pooled: Eq (11) describes a pair; its width is an effective width \
         here"
            .to_string()
    });
    Ok(PeakReport {
        target,
        levels: levels.to_vec(),
        law,
        samples: n,
        mean: m,
        std_dev: s,
        fit,
        fit_error,
        ml,
        ml_error,
        eq32,
        u4: sample_u4(x),
        u4_expected: law.u4(),
        spacings,
        bootstrap,
        bootstrap_error,
        note,
    })
}
// ANCHOR_END: analyse_peak

fn errors(reps: &[Numbers], o: &PeakOptions, pair: bool) -> BootstrapErrors {
    let col = |f: &dyn Fn(&Numbers) -> f64| sd(&reps.iter().map(f).collect::<Vec<_>>());
    let ml = reps.iter().all(|r| r.ml.is_some());
    BootstrapErrors {
        replicates: reps.len(),
        seed: o.seed,
        purpose: o.purpose.clone(),
        centre: col(&|r| r.centre),
        sigma: col(&|r| r.sigma),
        centre_ml: ml.then(|| col(&|r| r.ml.map_or(f64::NAN, |m| m[0]))),
        sigma_ml: ml.then(|| col(&|r| r.ml.map_or(f64::NAN, |m| m[1]))),
        u4: col(&|r| r.u4),
        mean_spacing: pair.then(|| col(&|r| r.mean_spacing)),
        mean_spacing_binned: pair.then(|| col(&|r| r.mean_spacing_binned)),
    }
}

/// Eq (32) with σ₁, σ₂ free, started from the Eq (11) fit (or the moments).
fn eq32(sorted: &[f64], ls: Option<&LsqFit>, m: f64, s: f64) -> Eq32 {
    let (c, w) = ls.map_or((m, s / 1.5f64.sqrt()), |f| (f.params[0], f.params[1].abs()));
    let start = [c, 0.8 * w, 1.25 * w];
    let (ls, ls_error) = match histogram_sorted(sorted).and_then(|(h, _)| {
        let f = fit_histogram(&TwoSpeciesModel, &h, &start)?;
        if f.converged && f.params.iter().all(|p| p.is_finite()) {
            Ok(ls_record("eq32", &TwoSpeciesModel, &f, &h, &start))
        } else {
            Err(SpectralError::Fit("least squares did not converge".into()))
        }
    }) {
        Ok(f) => (Some(f), None),
        Err(e) => (None, Some(e.to_string())),
    };
    // Maximum likelihood from the least-squares optimum where there is one (a few Newton steps:
    // the likelihood is nearly flat in σ₁ − σ₂, and from the default start Newton needs ~10),
    // else, or if that fails, from the default start.
    let from_ls = ls
        .as_ref()
        .map(|f| f.params.clone())
        .filter(|p| p[1] > 0.0 && p[2] > 0.0);
    let ml_fit = match from_ls {
        Some(p) => fit_mle_from(Law::TwoSpecies, sorted, &p)
            .or_else(|_| fit_mle_from(Law::TwoSpecies, sorted, &start)),
        None => fit_mle_from(Law::TwoSpecies, sorted, &start),
    };
    let (ml, ml_error, u4_ml) = match ml_fit {
        Ok(f) => {
            let u4 = coulomb_gas::TwoSpecies::new(f.params[0], f.params[1], f.params[2])
                .ok()
                .map(|t| t.binder_u4());
            (Some(ml_record("eq32", &f)), None, u4)
        }
        Err(e) => (None, Some(e.to_string()), None),
    };
    Eq32 {
        ls,
        ls_error,
        ml,
        ml_error,
        u4_ml,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use coulomb_gas::goe_sample;
    use langevin_core::stream;

    /// Exact synthetic spectra: a pair (an N = 2 GOE, Eq 11) of width `sigma` about 2 and a
    /// single level, a normal of width `sigma`, about 3.
    fn synthetic(n: usize, sigma: f64, seed: u64) -> Vec<[f64; 3]> {
        let mut rng = stream(seed, "spectral/test/synthetic", 0);
        (0..n)
            .map(|_| {
                let e = goe_sample(2, sigma, &mut rng).unwrap();
                let g = goe_sample(1, sigma, &mut rng).unwrap();
                let mut l = [2.0 + e[0], 2.0 + e[1], 3.0 + g[0]];
                l.sort_by(f64::total_cmp);
                l
            })
            .collect()
    }

    fn opts(bootstrap: usize) -> PeakOptions {
        PeakOptions {
            bootstrap,
            seed: 7,
            bootstrap_ml: true,
            eq32: true,
            ..PeakOptions::default()
        }
    }

    #[test]
    fn recovers_known_sigma_within_bootstrap_errors() {
        let sigma = 0.04;
        let rows = synthetic(1500, sigma, 1);
        for (levels, centre) in [(vec![0, 1], 2.0), (vec![2], 3.0)] {
            let r = analyse_peak(&rows, &levels, Some(centre), &opts(40)).unwrap();
            let b = r.bootstrap.as_ref().unwrap();
            let f = r.fit.as_ref().unwrap();
            let within = |v: f64, e: f64, truth: f64, what: &str| {
                // 4 standard errors: a false alarm rate of 6e-5 per check for normal errors.
                assert!(
                    (v - truth).abs() < 4.0 * e && e > 0.0,
                    "{what}: {v} ± {e} vs {truth}"
                );
            };
            within(f.sigma, b.sigma, sigma, "σ (LS)");
            within(f.centre, b.centre, centre, "centre (LS)");
            let ml = r.sigma_ml().unwrap();
            within(ml.value, ml.err, sigma, "σ (ML)");
            within(r.u4, b.u4, r.u4_expected, "U4");
            if let Some(s) = &r.spacings {
                let expect = std::f64::consts::PI.sqrt() * sigma;
                within(s.mean, b.mean_spacing.unwrap(), expect, "⟨S⟩");
                within(
                    s.mean_binned,
                    b.mean_spacing_binned.unwrap(),
                    expect,
                    "binned ⟨S⟩",
                );
                assert!(s.ks_surmise_p > 1e-3);
                assert!(r.eq32.as_ref().unwrap().ml.is_some());
            }
            assert_eq!(r.sigma().unwrap().err_kind, "bootstrap");
        }
    }

    #[test]
    fn bootstrap_is_deterministic_and_thread_independent() {
        let rows = synthetic(200, 0.05, 2);
        let a = analyse_peak(&rows, &[0, 1], Some(2.0), &opts(8)).unwrap();
        let b = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| analyse_peak(&rows, &[0, 1], Some(2.0), &opts(8)).unwrap());
        assert_eq!(a, b);
        let mut o = opts(8);
        o.seed = 8;
        let c = analyse_peak(&rows, &[0, 1], Some(2.0), &o).unwrap();
        assert_ne!(a.bootstrap.unwrap().sigma, c.bootstrap.unwrap().sigma);
        assert!(analyse_peak(&rows, &[0, 1], Some(2.0), &opts(1)).is_err());
    }

    #[test]
    fn refuses_what_cannot_be_fitted() {
        let rows = vec![[1.0, 1.0]; 3];
        let e = analyse_peak(&rows, &[0, 1], None, &opts(0)).unwrap_err();
        assert!(e.to_string().contains("no spread"), "{e}");
        let few = vec![[1.0], [1.1]];
        assert!(analyse_peak(&few, &[0], None, &opts(0))
            .unwrap_err()
            .to_string()
            .contains("too few"));
        assert!(analyse_peak(&few, &[], Some(1.0), &opts(0)).is_err());
    }
}
