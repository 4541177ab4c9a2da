//! Fig 5's computation for one hidden layer Z: the ensemble, the fits of Eq (11), Eq (32) and
//! the sector density, the surmise, the linear-response law and the ordering of the species.

use super::*;

fn mle_summary(law: Law, sample: &[f64]) -> anyhow::Result<MleSummary> {
    let f = fit_mle(law, sample).with_context(|| format!("maximum likelihood of {law:?}"))?;
    Ok(MleSummary {
        aic: 2.0 * law.n_params() as f64 - 2.0 * f.log_likelihood,
        params: f.params,
        stderr: f.stderr,
        covariance: f.covariance,
        log_likelihood: f.log_likelihood,
        ks_p: f.ks.p_value,
    })
}

/// The left singular vector of the larger singular value of a 2×2 W: its angle.
fn upper_angle(w: &Mat<2, 2>) -> f64 {
    let m = w * w.transpose();
    0.5 * (2.0 * m[(0, 1)]).atan2(m[(0, 0)] - m[(1, 1)])
}

/// The rows of `samples_<model>.csv` of networks `indices` of the ensemble (the figure trains
/// `0..networks`; `all --verify-paper` re-trains a sample): `xi_min, xi_max, x_min, x_max,
/// upper_is_fast`.
pub(crate) fn sample_rows(
    model: Model,
    cfg: &Config,
    indices: &[u64],
) -> anyhow::Result<Vec<Vec<f64>>> {
    let h = cfg.hyper(model);
    let teacher = model.teacher();
    let run = model.run(h, cfg.seed, 0)?;
    let label = format!("fig5 {}", model.name());
    let nets = runner::par_items(&label, indices.len(), |k| {
        Ok(run.member(indices[k as usize], Record::Final)?)
    })?;
    let g = DMatrix::from_fn(2, 2, |i, j| teacher.gram()[(i, j)]);
    let (_, u) = eigen_sorted(&g)?;
    let fast_angle = u[(1, 1)].atan2(u[(0, 1)]);
    Ok(nets
        .iter()
        .map(|m| {
            let xi = m.singular_values();
            let c = (upper_angle(&m.w) - fast_angle).cos();
            vec![
                xi[0],
                xi[1],
                xi[0] * xi[0],
                xi[1] * xi[1],
                f64::from(u8::from(c * c > 0.5)),
            ]
        })
        .collect())
}

pub(super) fn compute(
    model: Model,
    cfg: &Config,
    dir: &Path,
) -> anyhow::Result<(ModelSummary, Tables, Vec<PathBuf>)> {
    let h = cfg.hyper(model);
    let teacher = model.teacher();
    let all: Vec<u64> = (0..cfg.networks as u64).collect();
    let rows = sample_rows(model, cfg, &all)?;
    let [csv, lin_csv] = Tables::paths(dir, model);
    let samples = runner::CsvTable::new(
        &["xi_min", "xi_max", "x_min", "x_max", "upper_is_fast"],
        rows.clone(),
    );
    samples.write(&csv)?;

    let pooled: Vec<f64> = rows.iter().flat_map(|r| [r[2], r[3]]).collect();
    // One level per network, alternating upper/lower: independent draws of the pooled law.
    let alt: Vec<f64> = rows
        .iter()
        .enumerate()
        .map(|(k, r)| if k % 2 == 0 { r[3] } else { r[2] })
        .collect();
    let spacings: Vec<f64> = rows.iter().map(|r| r[3] - r[2]).collect();
    let hist = Histogram::freedman_diaconis(&pooled)?;
    let (mean, var, skew) = (
        moments::mean(&pooled),
        moments::variance_population(&pooled),
        moments::skewness(&pooled),
    );

    // Eq (11).
    let f11 = fit_histogram(&PairModel, &hist, &[4.0, (var / 1.5).sqrt()])?;
    let law11 = PairDensity::new(f11.params[0], f11.params[1].abs())?;
    let ks11 = ks_one_sample(&alt, |x| law11.cdf(x))?;
    let ll11 = law11.log_likelihood(&alt);
    let mle11 = mle_summary(Law::Pair, &alt)?;
    // Eq (32), from a generic start around the Eq (11) width.
    let s = law11.sigma;
    let f32 = fit_histogram(&TwoSpeciesModel, &hist, &[f11.params[0], 0.5 * s, 2.0 * s])?;
    let (c32, s1, s2) = (f32.params[0], f32.params[1], f32.params[2]);
    let law32 = TwoSpecies::new(c32, s1, s2)?;
    let ks32 = ks_one_sample(&alt, |x| law32.cdf(x))?;
    let ll32 = law32.log_likelihood(&alt);
    let mle32 = mle_summary(Law::TwoSpecies, &alt)?;
    let eq30 = |a: f64, b: f64, c: &[Vec<f64>]| {
        let m = sigma_m(a, b);
        let (g1, g2) = (a / (2.0 * m), b / (2.0 * m));
        let var = g1 * g1 * c[1][1] + 2.0 * g1 * g2 * c[1][2] + g2 * g2 * c[2][2];
        (m, var.max(0.0).sqrt())
    };
    let (sm, sm_err) = eq30(s1, s2, &f32.covariance);
    let (sm_mle, sm_mle_err) = eq30(mle32.params[1], mle32.params[2], &mle32.covariance);
    // The single sector: both assignments of the widths as starts, keep the better fit.
    let sector_fit = [[c32, s2, s1], [c32, s1, s2]]
        .iter()
        .filter_map(|p0| fit_histogram(&SectorModel, &hist, p0).ok())
        .min_by(|a, b| a.ssr.total_cmp(&b.ssr))
        .context("no single-sector fit converged")?;
    let law_sec = SectorDensity::new(
        sector_fit.params[0],
        sector_fit.params[1],
        sector_fit.params[2],
    )?;
    let sec_at_32 = SectorDensity::new(c32, s2.max(s1), s1.min(s2))?;
    let ks_sec = ks_one_sample(&alt, |x| law_sec.cdf(x))?;
    let ks_sec32 = ks_one_sample(&alt, |x| sec_at_32.cdf(x))?;
    // Surmise.
    let sh = Histogram::freedman_diaconis(&spacings)?;
    let ms = moments::mean(&spacings);
    let fsur = fit_curve(
        &SurmiseModel,
        &sh.centres(),
        &sh.density(),
        None,
        &[ms / std::f64::consts::PI.sqrt()],
        &LmOptions::default(),
    )?;
    let sur = Surmise::new(fsur.params[0])?;
    let ks_sur = ks_one_sample(&spacings, |x| sur.cdf(x))?;
    let mle_sur = fit_mle(Law::Surmise, &spacings)?;
    // Linear response.
    let lin = LinearResponse::new(&teacher, &h)?;
    let w = lin.eigenbasis_widths()?;
    let mut rng = stream(
        cfg.seed,
        &format!("fig5/{}/linear-response", model.name()),
        0,
    );
    let mc = lin.sample_singular_values(cfg.linear_response_samples, &mut rng);
    let mc_alt: Vec<f64> = mc
        .iter()
        .enumerate()
        .map(|(k, xi)| xi[if k % 2 == 0 { 1 } else { 0 }].powi(2))
        .collect();
    let ks_lin = ks_two_sample(&alt, &mc_alt)?;
    let mc_pooled: Vec<f64> = mc
        .iter()
        .flat_map(|xi| [xi[0] * xi[0], xi[1] * xi[1]])
        .collect();
    let mc_ms = mc
        .iter()
        .map(|xi| xi[1] * xi[1] - xi[0] * xi[0])
        .sum::<f64>()
        / mc.len() as f64;
    let frac = rows.iter().map(|r| r[4]).sum::<f64>() / rows.len() as f64;
    let summary = ModelSummary {
        standard: Standard {
            centre: f11.params[0],
            sigma: law11.sigma,
            centre_stderr: f11.stderr[0],
            sigma_stderr: f11.stderr[1],
            ssr: f11.ssr,
            bins: hist.len(),
            ks_d: ks11.statistic,
            ks_p: ks11.p_value,
            log_likelihood: ll11,
            aic: 4.0 - 2.0 * ll11,
            mle: mle11.clone(),
        },
        generalised: Generalised {
            centre: c32,
            sigma1: s1,
            sigma2: s2,
            sigma_m: sm,
            centre_stderr: f32.stderr[0],
            sigma1_stderr: f32.stderr[1],
            sigma2_stderr: f32.stderr[2],
            sigma_m_stderr: sm_err,
            ssr: f32.ssr,
            ks_d: ks32.statistic,
            ks_p: ks32.p_value,
            log_likelihood: ll32,
            aic: 6.0 - 2.0 * ll32,
            mle: mle32.clone(),
        },
        sector: Sector {
            centre: law_sec.centre,
            sigma_upper: law_sec.sigma1,
            sigma_lower: law_sec.sigma2,
            ssr: sector_fit.ssr,
            ks_p: ks_sec.p_value,
            log_likelihood: law_sec.log_likelihood(&alt),
            mean_shift_at_generalised: sec_at_32.mean() - c32,
            ks_p_at_generalised: ks_sec32.p_value,
        },
        surmise: SurmiseSummary {
            sigma_m: fsur.params[0],
            sigma_m_stderr: fsur.stderr[0],
            ssr: fsur.ssr,
            ks_p: ks_sur.p_value,
            mle_sigma_m: mle_sur.params[0],
            mle_sigma_m_stderr: mle_sur.stderr[0],
            mean_spacing: ms,
            sqrt_pi_sigma_m: std::f64::consts::PI.sqrt() * fsur.params[0],
            eq30_sigma_m: sm,
            eq30_sigma_m_stderr: sm_err,
            ratio_to_eq30: fsur.params[0] / sm,
            eq30_sigma_m_mle: sm_mle,
            eq30_sigma_m_mle_stderr: sm_mle_err,
            ratio_mle_to_eq30_mle: mle_sur.params[0] / sm_mle,
        },
        comparison: Comparison {
            ssr_ratio: f11.ssr / f32.ssr,
            delta_aic_mle: mle11.aic - mle32.aic,
            delta_log_likelihood_mle: mle32.log_likelihood - mle11.log_likelihood,
            delta_aic_ls: (4.0 - 2.0 * ll11) - (6.0 - 2.0 * ll32),
            ks_p_standard: ks11.p_value,
            ks_p_generalised: ks32.p_value,
        },
        linear_response: Linear {
            sigma_species_x: w.sigma_species.iter().map(|s| 4.0 * s).collect(),
            sigma_offdiag_x: 4.0 * w.sigma_offdiag[0],
            lambda: w.lambda,
            ks_d: ks_lin.statistic,
            ks_p: ks_lin.p_value,
            mean_spacing: mc_ms,
            u4: sample_u4(&mc_pooled),
        },
        ordering: Ordering {
            fraction_upper_is_fast: frac,
            fraction_stderr: (frac * (1.0 - frac) / rows.len() as f64).sqrt(),
            mean_minus_centre: mean - c32,
            mean_minus_centre_stderr: (var / alt.len() as f64).sqrt(),
            skewness: skew,
        },
        networks: rows.len(),
        samples: pooled.len(),
        mean,
        u4: sample_u4(&pooled),
        hoyt: None,
    };
    // The linear-response density on 240 bins over the data's central range, for the figure.
    let (lo_x, hi_x) = (c32 - 4.5 * s1.max(s2), c32 + 4.5 * s1.max(s2));
    let lin_hist = Histogram::fixed(&mc_pooled, lo_x, hi_x, 240)?;
    let inside = lin_hist.n as f64 / mc_pooled.len() as f64;
    let linear = runner::CsvTable::new(
        &["x", "density"],
        lin_hist
            .centres()
            .into_iter()
            .zip(lin_hist.density())
            .map(|(x, d)| vec![x, d * inside])
            .collect(),
    );
    linear.write(&lin_csv)?;
    Ok((summary, Tables { samples, linear }, vec![csv, lin_csv]))
}
