//! One checker for every law of the crate, in the style of statrs' distribution tests: a law
//! that implements [`Density1D`] is integrated once over a fine grid, and every claim it makes
//! (pdf, ln pdf, cdf, mean, variance, fourth central moment, and any further closed-form moments
//! or symmetry the caller states) is compared with that quadrature.
//!
//! Quadrature: composite 20-point Gauss–Legendre (the crate's test rule, `src/quad.rs`) on
//! panels no wider than `Grid::h`. Every law here is smooth with Gaussian tails inside its
//! support, so with panels ≤ a quarter of the narrowest width the rule is exact to round-off;
//! the crate's unit tests measure ≤ 1e-13 on these integrals. The grid must hold all but
//! ~1e-16 of the mass (±15 widths for Gaussian tails, e^{−112}), or start at a support edge.

use coulomb_gas::Density1D;

#[path = "../../src/quad.rs"]
#[allow(dead_code)]
pub mod quad;

/// Absolute tolerance on probabilities (∫pdf = 1, cdf = ∫pdf, cdf limits): 100× the ≤ 1e-13
/// round-off the unit tests measure, and far below the ≳ 1e-3 statistical resolution of any fit
/// or KS test on the samples of this project.
pub const TOL_P: f64 = 1e-11;
/// Relative tolerance on ln pdf against ln(pdf) where the pdf is not denormal.
pub const TOL_LN: f64 = 1e-11;
/// Tolerance on the k-th moment in units of scale^k (the moments are O(1) in those units).
pub const TOL_M: f64 = 1e-11;
/// Slack for the cdf's monotonicity between neighbouring grid points: one ulp of 1.
pub const TOL_MONO: f64 = f64::EPSILON;

/// The interval and panel width of the quadrature.
#[derive(Clone, Copy, Debug)]
pub struct Grid {
    /// Lower end: a support edge or ≥ 15 widths below the bulk.
    pub lo: f64,
    /// Upper end, ≥ 15 widths above the bulk.
    pub hi: f64,
    /// Largest panel width, ≤ a quarter of the narrowest width of the law.
    pub h: f64,
}

impl Grid {
    /// ±15·`scale` about `centre`, panels of `narrow`/4.
    pub fn around(centre: f64, scale: f64, narrow: f64) -> Self {
        Self {
            lo: centre - 15.0 * scale,
            hi: centre + 15.0 * scale,
            h: narrow / 4.0,
        }
    }
}

/// What the caller knows beyond the trait.
#[derive(Clone, Debug, Default)]
pub struct Claims {
    /// Typical width: moments are compared in units of scale^k.
    pub scale: f64,
    /// ρ(c + d) = ρ(c − d) and F(c + d) + F(c − d) = 1 for this c.
    pub symmetric_about: Option<f64>,
    /// Further closed-form raw moments (k, ⟨x^k⟩).
    pub raw_moments: Vec<(i32, f64)>,
}

/// The properties the checker tests, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Property {
    /// ρ ≥ 0 and finite at every node.
    PdfNonNegative,
    /// ln ρ = ln(ρ) where ρ is a normal float.
    LnPdf,
    /// ∫ρ = 1.
    Normalised,
    /// F(x) = ∫_{lo}^x ρ at every panel edge.
    CdfIsIntegral,
    /// F non-decreasing and inside [0, 1].
    CdfMonotone,
    /// F(−∞) = 0, F(∞) = 1, and F at the grid's ends.
    CdfLimits,
    /// ⟨x⟩ = mean().
    Mean,
    /// ⟨(x − ⟨x⟩)²⟩ = variance().
    Variance,
    /// ⟨(x − ⟨x⟩)⁴⟩ = central_m4().
    CentralM4,
    /// A caller-stated raw moment.
    RawMoment,
    /// Reflection symmetry of pdf and cdf.
    Symmetry,
}

/// One failed property with the numbers that failed it.
#[derive(Clone, Debug)]
pub struct Failure {
    /// Which property.
    pub property: Property,
    /// First offending point and values.
    pub detail: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.property, self.detail)
    }
}

/// The failed properties (first offence per property), in [`Property`] order.
pub type Failures = Vec<Failure>;

/// One line per failure.
pub fn describe(f: &[Failure]) -> String {
    f.iter().map(|x| format!("{x}\n")).collect()
}

/// Names of the failed properties, sorted, for assertions on what a mutant breaks.
pub fn failed(f: &Result<(), Failures>) -> Vec<Property> {
    match f {
        Ok(()) => vec![],
        Err(v) => v.iter().map(|x| x.property).collect(),
    }
}

/// |a − b| ≤ tol; false if anything is NaN, so a NaN fails every check.
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

struct Log(Vec<Failure>);

impl Log {
    /// Records the first failure of each property.
    fn fail(&mut self, property: Property, detail: impl FnOnce() -> String) {
        if self.0.iter().all(|f| f.property != property) {
            self.0.push(Failure {
                property,
                detail: detail(),
            });
        }
    }
}

/// Checks every claim of `law` on `grid`. One sweep integrates the pdf panel by panel, so the
/// cdf is compared at every panel edge (hundreds to thousands of points) at no extra cost.
pub fn check<L: Density1D + ?Sized>(law: &L, grid: &Grid, claims: &Claims) -> Result<(), Failures> {
    let mut log = Log(Vec::new());
    let (lo, hi) = (grid.lo, grid.hi);
    let panels = ((hi - lo) / grid.h).ceil().max(1.0) as usize;
    let width = (hi - lo) / panels as f64;
    let (nodes, weights) = quad::gauss_legendre(20);
    let mean = law.mean();
    let scale = claims.scale;
    let max_k = claims
        .raw_moments
        .iter()
        .map(|&(k, _)| k)
        .max()
        .unwrap_or(0);
    // Central moments 0..=4 about the declared mean, and raw moments up to max_k.
    let mut central = [0.0; 5];
    let mut raw = vec![0.0; max_k.max(0) as usize + 1];
    let mut f_prev = law.cdf(lo);
    if !close(f_prev, 0.0, TOL_P) {
        log.fail(Property::CdfLimits, || {
            format!("F({lo}) = {f_prev}, the grid starts below the mass")
        });
    }
    let mut mass = 0.0;
    for p in 0..panels {
        let a = lo + p as f64 * width;
        let mid = a + 0.5 * width;
        for (t, w) in nodes.iter().zip(&weights) {
            let x = mid + 0.5 * width * t;
            let rho = law.pdf(x);
            if !rho.is_finite() || rho < 0.0 {
                log.fail(Property::PdfNonNegative, || format!("pdf({x}) = {rho}"));
            }
            if rho > f64::MIN_POSITIVE {
                let (l, lr) = (law.ln_pdf(x), rho.ln());
                if !close(l, lr, TOL_LN * lr.abs().max(1.0)) {
                    log.fail(Property::LnPdf, || {
                        format!("ln_pdf({x}) = {l}, ln(pdf) = {lr}")
                    });
                }
            }
            let wr = 0.5 * width * w * rho;
            mass += wr;
            let d = x - mean;
            let mut dk = 1.0;
            for c in central.iter_mut() {
                *c += wr * dk;
                dk *= d;
            }
            let mut xk = 1.0;
            for r in raw.iter_mut() {
                *r += wr * xk;
                xk *= x;
            }
        }
        let b = lo + (p + 1) as f64 * width;
        let f = law.cdf(b);
        if !close(f, mass, TOL_P) {
            log.fail(Property::CdfIsIntegral, || {
                format!("F({b}) = {f}, ∫ρ = {mass}")
            });
        }
        if f < f_prev - TOL_MONO || !(0.0..=1.0).contains(&f) {
            log.fail(Property::CdfMonotone, || {
                format!("F({b}) = {f} after {f_prev}")
            });
        }
        f_prev = f;
    }
    if !close(mass, 1.0, TOL_P) {
        log.fail(Property::Normalised, || format!("∫ρ = {mass}"));
    }
    let (f_lo, f_hi) = (law.cdf(f64::NEG_INFINITY), law.cdf(f64::INFINITY));
    if !(f_lo == 0.0 && f_hi == 1.0 && close(law.cdf(hi), 1.0, TOL_P)) {
        log.fail(Property::CdfLimits, || {
            format!("F(−∞) = {f_lo}, F(∞) = {f_hi}, F({hi}) = {}", law.cdf(hi))
        });
    }
    let moment = |got: f64, want: f64, k: i32| close(got, want, TOL_M * scale.powi(k));
    if !moment(central[1], 0.0, 1) {
        log.fail(Property::Mean, || {
            format!("∫(x − {mean})ρ = {}", central[1])
        });
    }
    let var = law.variance();
    if !moment(central[2], var, 2) {
        log.fail(Property::Variance, || {
            format!("∫δx²ρ = {}, variance() = {var}", central[2])
        });
    }
    if let Some(m4) = law.central_m4() {
        if !moment(central[4], m4, 4) {
            log.fail(Property::CentralM4, || {
                format!("∫δx⁴ρ = {}, central_m4() = {m4}", central[4])
            });
        }
    }
    for &(k, want) in &claims.raw_moments {
        // Raw moments of a law centred far from 0 are large: compare relative to (|μ| + scale)^k.
        let unit = mean.abs() + scale;
        if !close(raw[k as usize], want, TOL_M * unit.powi(k)) {
            log.fail(Property::RawMoment, || {
                format!("∫x^{k}ρ = {}, claimed {want}", raw[k as usize])
            });
        }
    }
    if let Some(c) = claims.symmetric_about {
        // Reflection at the quadrature nodes' offsets: every panel edge of the upper half.
        for p in 0..=panels {
            let d = p as f64 * width * 0.5;
            let (up, down) = (law.pdf(c + d), law.pdf(c - d));
            let (fu, fd) = (law.cdf(c + d), law.cdf(c - d));
            // c ± d round differently, so ρ(c + d) and ρ(c − d) differ by ~|c|/σ ulps in the
            // tails: compare in density units 1/scale.
            if !(close(up, down, TOL_P / scale) && close(fu + fd, 1.0, TOL_P)) {
                log.fail(Property::Symmetry, || {
                    format!(
                        "ρ(c ± {d}) = {up}, {down}; F(c + d) + F(c − d) = {}",
                        fu + fd
                    )
                });
            }
        }
    }
    log.0.sort_by_key(|f| f.property);
    if log.0.is_empty() {
        Ok(())
    } else {
        Err(log.0)
    }
}
