//! The theory figure: Dyson Brownian motion (Eq 5, drift-implicit step) against the closed
//! forms of the Coulomb gas — Eq 11 for a degenerate pair, Eq 32 for two species with both
//! orderings populated, and the spacing laws (unit-mean surmise and Eq 31).
//!
//! Nothing is fitted to draw the theory curves: σ, σ1, σ2 come from Eq 9 with the process's
//! own (α, |B|, g̃², Ω). For contrast, Eq 11 is also least-squares fitted to the two-species
//! histogram, the comparison the paper makes in Fig 5.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use coulomb_gas::fit::lm::{fit_histogram, PairModel};
use coulomb_gas::{
    ks_one_sample, sample_central_moments, sample_u4, Density1D, Histogram, PairDensity, Surmise,
    TwoSpecies, UnitSurmise,
};
use langevin_core::stationary::gaussian_width;
use langevin_core::{run_ensemble, Dyson, EnsembleSpec, Quadratic, Scheme};
use serde::Serialize;

use crate::plot::{Axes, Curve, Grid, HistSeries, HistogramPlot, Panel, VLine};
use crate::registry::{Context, Figure, Profile};
use crate::Plot;
use runner::{read_csv, write_csv, write_json};

/// Parameters of one simulated gas: N = 2, common centre and curvature, per-particle g̃².
#[derive(Debug, Clone, Serialize)]
struct Gas {
    lr: f64,
    batch: usize,
    g2: [f64; 2],
    omega: f64,
    centre: f64,
}

impl Gas {
    fn sigma(&self, i: usize) -> f64 {
        gaussian_width(self.lr, self.batch, self.g2[i], self.omega)
    }
    fn dyson(&self) -> anyhow::Result<Dyson<Quadratic>> {
        let pot = Quadratic::uniform(2, self.omega, self.centre)?;
        Ok(Dyson::new(self.lr, self.batch, self.g2.to_vec(), pot)?)
    }
}

#[derive(Debug, Clone, Serialize)]
struct Config {
    seed: u64,
    chains: usize,
    /// Burn-in of 20/(αΩ) iterations: e^{-20} of the initial condition survives.
    steps: usize,
    scheme: Scheme,
    pair: Gas,
    two_species: Gas,
}

impl Config {
    fn for_profile(p: Profile) -> Self {
        // σ² = (α/|B|) g̃²/Ω = 0.001 · g̃²: σ = 0.1 for the pair, σ = (0.05, 0.15) for the
        // two species. αΩ is the step's bias budget (spacing KS distance ≈ 0.42 αΩ).
        let (chains, lr, batch) = match p {
            Profile::Quick => (4000, 0.01, 10),
            Profile::Paper => (40000, 0.005, 5),
        };
        let gas = |g2: [f64; 2]| Gas {
            lr,
            batch,
            g2,
            omega: 1.0,
            centre: 1.0,
        };
        Config {
            seed: 20240728,
            chains,
            steps: (20.0 / lr).round() as usize,
            scheme: Scheme::Implicit,
            pair: gas([10.0, 10.0]),
            two_species: gas([2.5, 22.5]),
        }
    }
}

/// The theory figure (registered as `theory`).
pub struct DysonTheory;

fn simulate(gas: &Gas, cfg: &Config, stream_seed: u64) -> anyhow::Result<Vec<Vec<f64>>> {
    let spec = EnsembleSpec {
        chains: cfg.chains,
        steps: cfg.steps,
        seed: stream_seed,
        scheme: cfg.scheme,
    };
    Ok(run_ensemble(&gas.dyson()?, &spec)?)
}

#[derive(Serialize)]
struct Summary {
    profile: Profile,
    seed: u64,
    chains: usize,
    steps: usize,
    pair: PairSummary,
    two_species: TwoSpeciesSummary,
}

#[derive(Serialize)]
struct PairSummary {
    sigma_eq9: f64,
    variance: f64,
    variance_exact: f64,
    u4: f64,
    u4_exact: f64,
    ks_eq11_p: f64,
    mean_spacing: f64,
    mean_spacing_exact: f64,
    ks_spacing_eq31_p: f64,
    ks_unit_surmise_p: f64,
}

#[derive(Serialize)]
struct TwoSpeciesSummary {
    sigma1_eq9: f64,
    sigma2_eq9: f64,
    sigma_m_eq30: f64,
    ks_eq32_p: f64,
    eq11_fit_sigma: f64,
    eq11_fit_sigma_stderr: f64,
    ks_eq11_fit_p: f64,
    mean_spacing: f64,
    mean_spacing_exact: f64,
    ks_spacing_eq31_p: f64,
}

fn pooled(rows: &[Vec<f64>]) -> Vec<f64> {
    rows.iter().flatten().copied().collect()
}

fn spacings(rows: &[Vec<f64>]) -> Vec<f64> {
    rows.iter().map(|r| (r[0] - r[1]).abs()).collect()
}

fn read_pairs(path: &std::path::Path) -> anyhow::Result<Vec<Vec<f64>>> {
    let t = read_csv(path)?;
    let a = t.column("x1").context("column x1")?;
    let b = t.column("x2").context("column x2")?;
    Ok(a.into_iter().zip(b).map(|(a, b)| vec![a, b]).collect())
}

impl Figure for DysonTheory {
    fn name(&self) -> &'static str {
        "theory"
    }

    fn description(&self) -> &'static str {
        "Dyson Brownian motion (implicit Eq 5) against Eq 11, Eq 32 and the Wigner surmise"
    }

    fn numbers(&self, dir: &Path) -> anyhow::Result<Option<String>> {
        use crate::numbers::{int, p, sig, table, ve, Json};
        let j = Json::read(dir, "summary.json")?;
        let f = |k: &str| j.f(k);
        let rows = vec![
            vec![
                "pair: ⟨δx²⟩".into(),
                sig(f("/pair/variance")?, 5),
                format!("3σ²/2 = {}", sig(f("/pair/variance_exact")?, 5)),
            ],
            vec![
                "pair: U₄".into(),
                sig(f("/pair/u4")?, 4),
                format!("−4/27 = {}", sig(f("/pair/u4_exact")?, 4)),
            ],
            vec![
                "pair: ⟨S⟩".into(),
                sig(f("/pair/mean_spacing")?, 5),
                format!("√π σ = {}", sig(f("/pair/mean_spacing_exact")?, 5)),
            ],
            vec![
                "pair: KS p, eigenvalue against Eq (11)".into(),
                p(f("/pair/ks_eq11_p")?),
                String::new(),
            ],
            vec![
                "pair: KS p, spacing against Eq (31)".into(),
                p(f("/pair/ks_spacing_eq31_p")?),
                String::new(),
            ],
            vec![
                "pair: KS p, unit spacing against the surmise".into(),
                p(f("/pair/ks_unit_surmise_p")?),
                String::new(),
            ],
            vec![
                "two species: KS p against Eq (32)".into(),
                p(f("/two_species/ks_eq32_p")?),
                String::new(),
            ],
            vec![
                "two species: ⟨S⟩".into(),
                sig(f("/two_species/mean_spacing")?, 5),
                format!("√π σₘ = {}", sig(f("/two_species/mean_spacing_exact")?, 5)),
            ],
            vec![
                "two species: KS p, spacing against Eq (31)".into(),
                p(f("/two_species/ks_spacing_eq31_p")?),
                String::new(),
            ],
            vec![
                "two species: Eq (11) fitted, σ".into(),
                ve(
                    f("/two_species/eq11_fit_sigma")?,
                    f("/two_species/eq11_fit_sigma_stderr")?,
                ),
                "(none: wrong law)".into(),
            ],
            vec![
                "two species: KS p against the fitted Eq (11)".into(),
                p(f("/two_species/ks_eq11_fit_p")?),
                String::new(),
            ],
        ];
        let mut n = crate::numbers::Numbers::default();
        n.block("table", &table(&["quantity", "simulation", "exact"], &rows))
            .inline("chains", &int(f("/chains")?))
            .inline("steps", &int(f("/steps")?))
            .inline("seed", &f("/seed")?.to_string());
        Ok(Some(n.finish()))
    }

    fn run(&self, ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
        let cfg = Config::for_profile(ctx.profile);
        let dir = ctx.figure_dir(self.name())?;
        let pair_csv = dir.join("pair_samples.csv");
        let two_csv = dir.join("two_species_samples.csv");
        let (pair, two) = ctx.data(
            self.name(),
            &cfg,
            |_| {
                let mut out = Vec::new();
                for (gas, path, k) in [
                    (&cfg.pair, &pair_csv, 0u64),
                    (&cfg.two_species, &two_csv, 1),
                ] {
                    let rows = simulate(gas, &cfg, cfg.seed.wrapping_add(k))?;
                    write_csv(path, &["x1", "x2"], rows.iter().cloned())?;
                    out.push(rows);
                }
                let two = out.pop().unwrap_or_default();
                let pair = out.pop().unwrap_or_default();
                Ok(((pair, two), vec![pair_csv.clone(), two_csv.clone()]))
            },
            |_| Ok((read_pairs(&pair_csv)?, read_pairs(&two_csv)?)),
        )?;

        // Pair: Eq 11 with σ from Eq 9.
        let s = cfg.pair.sigma(0);
        let law11 = PairDensity::new(cfg.pair.centre, s)?;
        let xs = pooled(&pair);
        let (_, m2, _) = sample_central_moments(&xs);
        // One eigenvalue per chain for the KS test (the two of a chain are dependent); chains
        // alternate their ordering, so particle 0 is the lower one half of the time.
        let firsts: Vec<f64> = pair.iter().map(|r| r[0]).collect();
        let ks11 = ks_one_sample(&firsts, |x| law11.cdf(x))?;
        let sp = spacings(&pair);
        let sur = Surmise::new(s)?;
        let ks_sp = ks_one_sample(&sp, |x| sur.cdf(x))?;
        let mean_sp = spectral::moments::mean(&sp);
        let unit: Vec<f64> = sp.iter().map(|v| v / mean_sp).collect();
        let ks_unit = ks_one_sample(&unit, |x| UnitSurmise.cdf(x))?;

        // Two species: Eq 32 with σ1, σ2 from Eq 9; Eq 11 least-squares fitted for contrast.
        let (s1, s2) = (cfg.two_species.sigma(0), cfg.two_species.sigma(1));
        let law32 = TwoSpecies::new(cfg.two_species.centre, s1, s2)?;
        let xt = pooled(&two);
        // One eigenvalue per chain, balanced over species and sector: chains alternate their
        // ordering with k (see `initial_state`), so particle ⌊k/2⌋ mod 2 of chain k visits
        // (species, lower/upper) equally often and samples the pooled one-point law.
        let alternating: Vec<f64> = two
            .iter()
            .enumerate()
            .map(|(k, r)| r[(k / 2) % 2])
            .collect();
        let ks32 = ks_one_sample(&alternating, |x| law32.cdf(x))?;
        let h2 = Histogram::freedman_diaconis(&xt)?;
        let fit11 = fit_histogram(&PairModel, &h2, &[cfg.two_species.centre, law32.sigma_m()])?;
        let fit_law = PairDensity::new(fit11.params[0], fit11.params[1].abs())?;
        let ks_fit = ks_one_sample(&alternating, |x| fit_law.cdf(x))?;
        let sp2 = spacings(&two);
        let sur2 = Surmise::new(law32.sigma_m())?;
        let ks_sp2 = ks_one_sample(&sp2, |x| sur2.cdf(x))?;

        let summary = Summary {
            profile: ctx.profile,
            seed: cfg.seed,
            chains: cfg.chains,
            steps: cfg.steps,
            pair: PairSummary {
                sigma_eq9: s,
                variance: m2,
                variance_exact: law11.variance(),
                u4: sample_u4(&xs),
                u4_exact: law11.u4().unwrap_or(f64::NAN),
                ks_eq11_p: ks11.p_value,
                mean_spacing: mean_sp,
                mean_spacing_exact: sur.mean(),
                ks_spacing_eq31_p: ks_sp.p_value,
                ks_unit_surmise_p: ks_unit.p_value,
            },
            two_species: TwoSpeciesSummary {
                sigma1_eq9: s1,
                sigma2_eq9: s2,
                sigma_m_eq30: law32.sigma_m(),
                ks_eq32_p: ks32.p_value,
                eq11_fit_sigma: fit_law.sigma,
                eq11_fit_sigma_stderr: fit11.stderr[1],
                ks_eq11_fit_p: ks_fit.p_value,
                mean_spacing: spectral::moments::mean(&sp2),
                mean_spacing_exact: sur2.mean(),
                ks_spacing_eq31_p: ks_sp2.p_value,
            },
        };
        let summary_path = dir.join("summary.json");
        write_json(&summary_path, &summary)?;

        // Panels.
        let c = cfg.pair.centre;
        let h1 = Histogram::freedman_diaconis(&xs)?;
        let left = HistogramPlot {
            axes: Axes {
                title: Some("Degenerate pair (N = 2)".into()),
                x_label: "x".into(),
                y_label: "ρ(x)".into(),
                vlines: vec![VLine::new(c).label("centre")],
                ..Default::default()
            },
            series: vec![HistSeries::from_histogram("implicit DBM", &h1)],
            curves: vec![Curve::from_fn(
                "Eq. (11), σ from Eq. (9)",
                (c - 5.0 * s, c + 5.0 * s),
                400,
                |x| law11.pdf(x),
            )],
        };
        let wide = 4.0 * s2;
        let middle = HistogramPlot {
            axes: Axes {
                title: Some("Two species, both orderings".into()),
                x_label: "x".into(),
                y_label: "ρ(x)".into(),
                ..Default::default()
            },
            series: vec![HistSeries::from_histogram("implicit DBM", &h2)],
            curves: vec![
                Curve::from_fn(
                    "Eq. (32), σ₁, σ₂ from Eq. (9)",
                    (c - wide, c + wide),
                    400,
                    |x| law32.pdf(x),
                ),
                Curve::from_fn("Eq. (11), fitted", (c - wide, c + wide), 400, |x| {
                    fit_law.pdf(x)
                })
                .dashed(),
            ],
        };
        let hs = Histogram::fixed(&unit, 0.0, 3.5, 35)?;
        let right = HistogramPlot {
            axes: Axes {
                title: Some("Level spacing".into()),
                x_label: "s = S/⟨S⟩".into(),
                y_label: "P(s)".into(),
                ..Default::default()
            },
            series: vec![HistSeries::from_histogram("implicit DBM, pair", &hs)],
            curves: vec![Curve::from_fn(
                "(π/2) s exp(−πs²/4)",
                (0.0, 3.5),
                300,
                |x| UnitSurmise.pdf(x),
            )],
        };
        let grid = Grid::row(vec![
            Panel::from(left),
            Panel::from(middle),
            Panel::from(right),
        ]);
        let rendered = grid.render(&dir.join("theory"))?;
        let mut out = vec![pair_csv, two_csv, summary_path];
        out.extend(rendered.paths());
        Ok(out)
    }
}
