//! The checker must reject wrong laws and name what is wrong. Each mutant keeps every claim of
//! Eq (11) but one ingredient; the test pins the exact set of properties that fail, so a weaker
//! checker (or a stronger one) shows up here. Pure pdf ≥ 0 / monotone-cdf / symmetry tests — the
//! property tests this checker replaces — pass every mutant below except the skewed pdf, the
//! flipped cdf and the negative pdf.

use coulomb_gas::{Density1D, Gaussian, Hoyt, PairDensity};
use proptest::prelude::*;

use crate::checker::{check, failed, Claims, Grid, Property, Property::*};
use crate::laws::config;

const C: f64 = 0.7;
const S: f64 = 0.3;

/// `claims`' law with its pdf replaced by `pdf` (everything else — ln pdf, cdf, moments — kept).
struct WithPdf<'a, F: Fn(f64) -> f64> {
    pdf: F,
    claims: &'a dyn Density1D,
}

impl<F: Fn(f64) -> f64> Density1D for WithPdf<'_, F> {
    fn pdf(&self, x: f64) -> f64 {
        (self.pdf)(x)
    }
    fn ln_pdf(&self, x: f64) -> f64 {
        self.claims.ln_pdf(x)
    }
    fn cdf(&self, x: f64) -> f64 {
        self.claims.cdf(x)
    }
    fn mean(&self) -> f64 {
        self.claims.mean()
    }
    fn variance(&self) -> f64 {
        self.claims.variance()
    }
    fn central_m4(&self) -> Option<f64> {
        self.claims.central_m4()
    }
}

/// Eq (11) with one declared quantity overridden.
#[derive(Default)]
struct Declares {
    cdf: Option<fn(f64) -> f64>,
    mean: Option<f64>,
    variance: Option<f64>,
}

struct Eq11Declaring(Declares);

impl Density1D for Eq11Declaring {
    fn pdf(&self, x: f64) -> f64 {
        eq11().pdf(x)
    }
    fn ln_pdf(&self, x: f64) -> f64 {
        eq11().ln_pdf(x)
    }
    fn cdf(&self, x: f64) -> f64 {
        self.0.cdf.map_or_else(|| eq11().cdf(x), |f| f(x))
    }
    fn mean(&self) -> f64 {
        self.0.mean.unwrap_or(C)
    }
    fn variance(&self) -> f64 {
        self.0.variance.unwrap_or_else(|| eq11().variance())
    }
    fn central_m4(&self) -> Option<f64> {
        eq11().central_m4()
    }
}

fn eq11() -> PairDensity {
    PairDensity::new(C, S).unwrap()
}

fn claims() -> Claims {
    Claims {
        scale: S,
        symmetric_about: Some(C),
        ..Claims::default()
    }
}

fn verdict(law: &dyn Density1D, claims: &Claims) -> Vec<Property> {
    let grid = Grid::around(C, S, S);
    let r = check(law, &grid, claims);
    if let Err(f) = &r {
        eprintln!("{}", crate::checker::describe(f));
    }
    failed(&r)
}

/// Eq (11) itself passes: the mutants below fail for what was changed, not for the set-up.
#[test]
fn eq11_itself_passes() {
    assert_eq!(verdict(&eq11(), &claims()), vec![]);
}

/// The case: a Gaussian of the same variance 3σ²/2 in place of Eq (11)'s pdf. Same mean,
/// variance, symmetry and normalisation; the cdf and the fourth moment (27σ⁴/4 vs 23σ⁴/4) give it
/// away.
#[test]
fn gaussian_pdf_under_eq11_claims_fails() {
    let g = Gaussian::new(C, 1.5f64.sqrt() * S).unwrap();
    let law = WithPdf {
        pdf: |x| g.pdf(x),
        claims: &eq11(),
    };
    assert_eq!(
        verdict(&law, &claims()),
        vec![LnPdf, CdfIsIntegral, CentralM4]
    );
}

/// The reverse: Eq (11)'s pdf declaring the Gaussian's cdf, ln pdf and moments.
#[test]
fn eq11_pdf_under_gaussian_claims_fails() {
    let g = Gaussian::new(C, 1.5f64.sqrt() * S).unwrap();
    let law = WithPdf {
        pdf: |x| eq11().pdf(x),
        claims: &g,
    };
    assert_eq!(
        verdict(&law, &claims()),
        vec![LnPdf, CdfIsIntegral, CentralM4]
    );
}

/// A self-consistent Gaussian is a valid law; put in place of Eq (11) it is caught by Eq (11)'s
/// closed-form fourth moment stated to the checker (at centre 0, ⟨x⁴⟩ = 23σ⁴/4).
#[test]
fn consistent_gaussian_fails_eq11_closed_form_moments() {
    let g = Gaussian::new(0.0, 1.5f64.sqrt() * S).unwrap();
    let cl = Claims {
        scale: S,
        symmetric_about: Some(0.0),
        raw_moments: vec![(2, 1.5 * S * S), (4, 23.0 / 4.0 * S.powi(4))],
    };
    let grid = Grid::around(0.0, S, S);
    assert_eq!(failed(&check(&g, &grid, &cl)), vec![RawMoment]);
    let e = PairDensity::new(0.0, S).unwrap();
    assert_eq!(failed(&check(&e, &grid, &cl)), vec![]);
}

/// Wrong normalisation: 1.01 × Eq (11).
#[test]
fn scaled_pdf_fails() {
    let law = WithPdf {
        pdf: |x| 1.01 * eq11().pdf(x),
        claims: &eq11(),
    };
    assert_eq!(
        verdict(&law, &claims()),
        vec![LnPdf, Normalised, CdfIsIntegral, Variance, CentralM4]
    );
}

/// A width 0.1 % too large inside the pdf.
#[test]
fn wider_pdf_fails() {
    let wide = PairDensity::new(C, 1.001 * S).unwrap();
    let law = WithPdf {
        pdf: |x| wide.pdf(x),
        claims: &eq11(),
    };
    assert_eq!(
        verdict(&law, &claims()),
        vec![LnPdf, CdfIsIntegral, Variance, CentralM4]
    );
}

/// A 1 % skew, ρ(1 + 0.01 tanh t): still normalised, same even moments.
#[test]
fn skewed_pdf_fails() {
    let law = WithPdf {
        pdf: |x| eq11().pdf(x) * (1.0 + 0.01 * ((x - C) / S).tanh()),
        claims: &eq11(),
    };
    assert_eq!(
        verdict(&law, &claims()),
        vec![LnPdf, CdfIsIntegral, Mean, Symmetry]
    );
}

/// σ read as the standard deviation (the paper's wording): declared variance σ² instead of 3σ²/2.
#[test]
fn sigma_as_standard_deviation_fails() {
    let law = Eq11Declaring(Declares {
        variance: Some(S * S),
        ..Declares::default()
    });
    assert_eq!(verdict(&law, &claims()), vec![Variance]);
}

/// A declared mean off by σ/10.
#[test]
fn shifted_mean_fails() {
    let law = Eq11Declaring(Declares {
        mean: Some(C + 0.1 * S),
        ..Declares::default()
    });
    assert_eq!(verdict(&law, &claims()), vec![Mean, Variance, CentralM4]);
}

/// The sign of the correction term of Eq (11)'s cdf flipped.
#[test]
fn cdf_with_flipped_correction_fails() {
    fn flipped(x: f64) -> f64 {
        let t = (x - C) / S;
        0.5 * libm::erfc(-t)
            + (-0.5 * t * t).exp() * libm::erf(t / 2f64.sqrt()) / (2.0 * 2f64.sqrt())
    }
    let law = Eq11Declaring(Declares {
        cdf: Some(flipped),
        ..Declares::default()
    });
    assert_eq!(verdict(&law, &claims()), vec![CdfIsIntegral, CdfMonotone]);
}

/// Normalised but negative in the tails: ρ + 0.3[N(x_m, σ²) − N(x_m, 4σ²)].
#[test]
fn negative_pdf_fails() {
    let (n1, n2) = (
        Gaussian::new(C, S).unwrap(),
        Gaussian::new(C, 2.0 * S).unwrap(),
    );
    let law = WithPdf {
        pdf: |x| eq11().pdf(x) + 0.3 * (n1.pdf(x) - n2.pdf(x)),
        claims: &eq11(),
    };
    assert_eq!(
        verdict(&law, &claims()),
        vec![PdfNonNegative, LnPdf, CdfIsIntegral, Variance, CentralM4]
    );
}

proptest! {
    #![proptest_config(config(32))]

    /// The Gaussian in place of Eq (11) fails at every centre and width, on the cdf and on m4.
    #[test]
    fn gaussian_in_place_of_eq11_always_fails(c in -5.0f64..5.0, s in 0.01f64..10.0) {
        let e = PairDensity::new(c, s).unwrap();
        let g = Gaussian::new(c, 1.5f64.sqrt() * s).unwrap();
        let law = WithPdf { pdf: |x| g.pdf(x), claims: &e };
        let cl = Claims { scale: s, symmetric_about: Some(c), ..Claims::default() };
        let f = failed(&check(&law, &Grid::around(c, s, s), &cl));
        prop_assert!(f.contains(&CdfIsIntegral) && f.contains(&CentralM4), "{f:?}");
    }
}

/// The Hoyt law with the exponent r²g(θ)/2 of its cdf integrand halved, i.e. F(S/√2): everything
/// else (pdf, moments) is the true law's, so only the cdf check may fail, and it does.
#[test]
fn hoyt_with_halved_cdf_exponent_fails() {
    struct Halved(Hoyt);
    impl Density1D for Halved {
        fn pdf(&self, s: f64) -> f64 {
            self.0.pdf(s)
        }
        fn ln_pdf(&self, s: f64) -> f64 {
            self.0.ln_pdf(s)
        }
        fn cdf(&self, s: f64) -> f64 {
            self.0.cdf(s / 2f64.sqrt())
        }
        fn mean(&self) -> f64 {
            self.0.mean()
        }
        fn variance(&self) -> f64 {
            self.0.variance()
        }
        fn central_m4(&self) -> Option<f64> {
            self.0.central_m4()
        }
    }
    let (a, b) = (0.8, 0.3);
    let good = Hoyt::new(a, b).unwrap();
    let (grid, cl) = (crate::laws::hoyt_grid(a, b), crate::laws::hoyt_claims(a, b));
    assert_eq!(failed(&check(&good, &grid, &cl)), vec![]);
    assert_eq!(
        failed(&check(&Halved(good), &grid, &cl)),
        vec![CdfIsIntegral]
    );
    // Eq (31) with the same ⟨S²⟩ in place of the Hoyt law: a valid law, caught by ⟨S⁴⟩.
    let e = coulomb_gas::Surmise::new((0.5 * (a * a + b * b)).sqrt()).unwrap();
    assert_eq!(failed(&check(&e, &grid, &cl)), vec![RawMoment]);
}
