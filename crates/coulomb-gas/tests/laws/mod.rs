//! Every closed-form law of the crate through the one checker, over random parameters.
//!
//! Proptest runs with a fixed seed and no failure files, so the cases are the same on every run;
//! the case counts keep the whole binary to a few seconds.

mod extreme;
mod goe;

use coulomb_gas::{
    ks_one_sample, sigma_m, Density1D, Gaussian, Hoyt, PairDensity, SectorDensity, Surmise,
    TwoSpecies, UnitSurmise,
};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use crate::checker::{check, describe, quad, Claims, Grid};

const SQRT_PI: f64 = 1.772_453_850_905_516;

/// Fixed seed, no persistence, `cases` cases.
pub fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(10),
        ..ProptestConfig::default()
    }
}

/// The checker's verdict as a proptest result, with every failure printed.
fn verdict(r: Result<(), crate::checker::Failures>) -> Result<(), TestCaseError> {
    match r {
        Ok(()) => Ok(()),
        Err(f) => Err(TestCaseError::fail(describe(&f))),
    }
}

/// Raw moments ⟨S^k⟩ of Eq (31): √π σ, 4σ², 6√π σ³, 32σ⁴.
fn surmise_raw(sm: f64) -> Vec<(i32, f64)> {
    vec![
        (1, SQRT_PI * sm),
        (2, 4.0 * sm * sm),
        (3, 6.0 * SQRT_PI * sm.powi(3)),
        (4, 32.0 * sm.powi(4)),
    ]
}

/// Grid of a spacing law: from the support edge 0 to 25σ_m (tail e^{−156}).
fn spacing_grid(sm: f64) -> Grid {
    Grid {
        lo: 0.0,
        hi: 25.0 * sm,
        h: sm / 4.0,
    }
}

/// Claims of the Hoyt law with widths a, b: ⟨S²⟩ = 4(a² + b²) and, from
/// ⟨R⁴⟩ = E(u² + v²)² = 3a⁴ + 2a²b² + 3b⁴, ⟨S⁴⟩ = 16(3a⁴ + 2a²b² + 3b⁴); moments in units of the
/// typical spacing 2 max(a, b).
pub fn hoyt_claims(a: f64, b: f64) -> Claims {
    let (a2, b2) = (a * a, b * b);
    Claims {
        scale: 2.0 * a.max(b),
        raw_moments: vec![
            (2, 4.0 * (a2 + b2)),
            (4, 16.0 * (3.0 * a2 * a2 + 2.0 * a2 * b2 + 3.0 * b2 * b2)),
        ],
        ..Claims::default()
    }
}

/// Grid of the Hoyt law: from 0 to 25 typical spacings 2 max(a, b) (tail e^{−312}), panels of
/// min(a, b)/4 in S, so the narrow width (the pdf varies on the scale of S ~ 2 min(a, b) near
/// S = 0) is resolved.
pub fn hoyt_grid(a: f64, b: f64) -> Grid {
    Grid {
        lo: 0.0,
        hi: 25.0 * 2.0 * a.max(b),
        h: a.min(b) / 4.0,
    }
}

/// The spacing density of Eq (29) computed directly, P(S) = ∫dy [P₂₉(y+S, y) + P₂₉(y, y+S)],
/// with the closed forms of Eq (31) at σ_m of Eq (30) as its claims. For fixed S > 0 each term is
/// a Gaussian in y (width w = σ₁σ₂/(√2σ_m), centred at ∓Sσ_{2,1}²/(2σ_m²)): ±12 widths hold all
/// but e^{−72} of it, and 20-point panels of w/2 integrate a Gaussian to round-off.
struct Eq29Spacing {
    s1: f64,
    s2: f64,
    claimed: Surmise,
}

impl Eq29Spacing {
    fn new(s1: f64, s2: f64) -> Self {
        Self {
            s1,
            s2,
            claimed: Surmise::new(sigma_m(s1, s2)).unwrap(),
        }
    }
}

impl Density1D for Eq29Spacing {
    fn pdf(&self, s: f64) -> f64 {
        if s < 0.0 {
            return 0.0;
        }
        let (s1, s2) = (self.s1, self.s2);
        let v = s1 * s1 + s2 * s2;
        let n0 = 4.0 * SQRT_PI * s1 * s2 * (0.5 * v).sqrt();
        let p29 = |x1: f64, x2: f64| {
            (x1 - x2).abs() * (-x1 * x1 / (2.0 * s1 * s1) - x2 * x2 / (2.0 * s2 * s2)).exp() / n0
        };
        let w = s1 * s2 / v.sqrt();
        let (c_up, c_down) = (-s * s2 * s2 / v, -s * s1 * s1 / v);
        let around = |f: &dyn Fn(f64) -> f64, c: f64| {
            quad::integrate(f, c - 12.0 * w, c + 12.0 * w, w / 2.0)
        };
        around(&|y| p29(y + s, y), c_up) + around(&|y| p29(y, y + s), c_down)
    }
    fn ln_pdf(&self, s: f64) -> f64 {
        self.pdf(s).ln()
    }
    fn cdf(&self, s: f64) -> f64 {
        self.claimed.cdf(s)
    }
    fn mean(&self) -> f64 {
        self.claimed.mean()
    }
    fn variance(&self) -> f64 {
        self.claimed.variance()
    }
    fn central_m4(&self) -> Option<f64> {
        self.claimed.central_m4()
    }
}

#[test]
fn unit_surmise_passes_the_checker() {
    let sm = 1.0 / SQRT_PI;
    let claims = Claims {
        scale: 1.0,
        raw_moments: surmise_raw(sm),
        ..Claims::default()
    };
    if let Err(f) = check(&UnitSurmise, &spacing_grid(sm), &claims) {
        panic!("{}", describe(&f));
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// The control: the checker passes the normal law it is later asked to tell from Eq (11).
    #[test]
    fn gaussian_passes_the_checker(c in -5.0f64..5.0, s in 0.01f64..10.0) {
        let d = Gaussian::new(c, s).unwrap();
        let claims = Claims { scale: s, symmetric_about: Some(c), raw_moments: vec![(1, c), (2, c * c + s * s)] };
        verdict(check(&d, &Grid::around(c, s, s), &claims))?;
    }

    /// Eq (11): normalised, cdf, ⟨δx²⟩ = 3σ²/2, ⟨δx⁴⟩ = 23σ⁴/4, symmetric about x_m.
    #[test]
    fn eq11_passes_the_checker(c in -5.0f64..5.0, s in 0.01f64..10.0) {
        let d = PairDensity::new(c, s).unwrap();
        let claims = Claims { scale: s, symmetric_about: Some(c), ..Claims::default() };
        verdict(check(&d, &Grid::around(c, s, s), &claims))?;
    }

    /// Eq (31) with σ_m: pdf, cdf, mean √πσ_m, variance (4 − π)σ_m², m4, and ⟨S³⟩, ⟨S⁴⟩.
    #[test]
    fn eq31_passes_the_checker(sm in 0.01f64..10.0) {
        let d = Surmise::new(sm).unwrap();
        let claims = Claims { scale: sm, raw_moments: surmise_raw(sm), ..Claims::default() };
        verdict(check(&d, &spacing_grid(sm), &claims))?;
    }

    /// Eq (32): the pooled two-species density, symmetric about x₀ and in σ₁ ↔ σ₂. Width ratios
    /// up to 100 (the grid then has ~10⁴ panels).
    #[test]
    fn eq32_passes_the_checker(c in -5.0f64..5.0, s1 in 0.05f64..5.0, s2 in 0.05f64..5.0) {
        let d = TwoSpecies::new(c, s1, s2).unwrap();
        let (big, small) = (s1.max(s2), s1.min(s2));
        let claims = Claims { scale: big, symmetric_about: Some(c), ..Claims::default() };
        verdict(check(&d, &Grid::around(c, big, small), &claims))?;
        let e = TwoSpecies::new(c, s2, s1).unwrap();
        for t in [-7.0, -1.0, 0.3, 2.0, 9.0] {
            let x = c + t * big / 3.0;
            prop_assert!((d.pdf(x) - e.pdf(x)).abs() <= 1e-14 / small, "pdf swap at {x}");
            prop_assert!((d.cdf(x) - e.cdf(x)).abs() <= 1e-14, "cdf swap at {x}");
        }
    }

    /// The ordered sector x₁ > x₂ of Eq (29): its pooled density, cdf, shifted mean and variance.
    /// Not symmetric about x₀; instead reflection maps it to the sector with σ₁ ↔ σ₂.
    #[test]
    fn sector_density_passes_the_checker(c in -5.0f64..5.0, s1 in 0.05f64..5.0, s2 in 0.05f64..5.0) {
        let d = SectorDensity::new(c, s1, s2).unwrap();
        let (big, small) = (s1.max(s2), s1.min(s2));
        let claims = Claims { scale: big, ..Claims::default() };
        verdict(check(&d, &Grid::around(c, big, small), &claims))?;
        let r = SectorDensity::new(c, s2, s1).unwrap();
        for t in [-7.0, -1.0, 0.3, 2.0, 9.0] {
            let dx = t * big / 3.0;
            prop_assert!((d.pdf(c + dx) - r.pdf(c - dx)).abs() <= 1e-13 / small, "reflected pdf at {dx}");
            prop_assert!((d.cdf(c + dx) + r.cdf(c - dx) - 1.0).abs() <= 1e-13, "reflected cdf at {dx}");
        }
    }
}

/// Monte Carlo: S = 2√(u² + v²) with u ~ N(0, 1), v ~ N(0, 1/2) (q² = 1/2), n = 10⁵ draws from
/// `langevin_core::stream(7, "coulomb-gas/test/hoyt-ks", 0)`. KS against the Hoyt cdf accepts
/// (p > 1e-3, false-alarm rate 1e-3); the bite: KS against Eq (31) with the same mean rejects
/// (p < 1e-3) at this sample size.
#[test]
fn hoyt_matches_monte_carlo_and_eq31_does_not() {
    let d = Hoyt::from_ratio_and_mean(0.5, 1.0).unwrap();
    assert!((d.variance_ratio() - 0.5).abs() < 1e-15);
    let mut rng = langevin_core::stream(7, "coulomb-gas/test/hoyt-ks", 0);
    let xs: Vec<f64> = (0..100_000).map(|_| d.sample(&mut rng)).collect();
    let ks = ks_one_sample(&xs, |s| d.cdf(s)).unwrap();
    assert!(ks.p_value > 1e-3, "{ks:?}");
    let e = Surmise::from_mean_spacing(d.mean()).unwrap();
    let ks31 = ks_one_sample(&xs, |s| e.cdf(s)).unwrap();
    eprintln!("KS Hoyt {ks:?}, Eq (31) same mean {ks31:?}");
    assert!(ks31.p_value < 1e-3, "{ks31:?}");
}

proptest! {
    #![proptest_config(config(32))]

    /// The Hoyt law over widths a ∈ [0.01, 10], b/a ∈ [0.05, 1] (and the swapped pair): pdf, ln pdf,
    /// cdf, mean, variance, m4 and the closed-form ⟨S²⟩, ⟨S⁴⟩.
    #[test]
    fn hoyt_passes_the_checker(a in 0.01f64..10.0, ratio in 0.05f64..1.0, swap in any::<bool>()) {
        let b = a * ratio;
        let (a, b) = if swap { (b, a) } else { (a, b) };
        let d = Hoyt::new(a, b).unwrap();
        verdict(check(&d, &hoyt_grid(a, b), &hoyt_claims(a, b)))?;
    }
}

proptest! {
    // Each pdf evaluation is a quadrature: fewer cases.
    #![proptest_config(config(16))]

    /// Eq (30): Eq (31) with σ_m² = (σ₁² + σ₂²)/2 is the spacing law of Eq (29) for any widths,
    /// i.e. the directly integrated spacing density passes the checker with Eq (31)'s claims.
    #[test]
    fn eq30_gives_the_spacing_law_of_eq29(s1 in 0.1f64..3.0, s2 in 0.1f64..3.0) {
        let d = Eq29Spacing::new(s1, s2);
        let sm = sigma_m(s1, s2);
        let claims = Claims { scale: sm, raw_moments: surmise_raw(sm), ..Claims::default() };
        verdict(check(&d, &spacing_grid(sm), &claims))?;
        let t = TwoSpecies::new(0.0, s1, s2).unwrap();
        prop_assert_eq!(t.surmise(), Surmise::new(sm).unwrap());
    }
}
