//! Eqs (29)-(32): two species of levels with different well widths σ₁, σ₂ (the teacher-student
//! network with a hidden layer), P(x₁, x₂) = |x₁ − x₂| e^{−x₁²/(2σ₁²) − x₂²/(2σ₂²)} / N₀ with
//! N₀ = 4√π σ₁σ₂σ_m.
//!
//! [`TwoSpecies`] is Eq (32): the pooled one-point density ½⟨δ(x−x₁) + δ(x−x₂)⟩ over the whole
//! plane. [`SectorDensity`] is the same gas restricted to one ordering sector x₁ > x₂, which is what
//! a single β = 1 trajectory samples because the two levels never cross (math-notes §2 item 7).

use crate::special::{erf, erfc};
use rand::{Rng, RngExt};
use rand_distr::{Distribution, StandardNormal};

use crate::density::Density1D;
use crate::error::{check_finite, check_positive, GasError};
use crate::special::{
    ln_g, log_sum_exp, log_sum_exp3, norm_cdf, scaled_offset, SQRT_2, SQRT_2PI, SQRT_PI, T_FAR,
};
use crate::surmise::Surmise;

/// Eq. (30) of the paper: the mean width of the two species.
///
/// ```text
/// σ_m² = (σ₁² + σ₂²)/2
/// ```
// ANCHOR: eq30
pub fn sigma_m(sigma1: f64, sigma2: f64) -> f64 {
    (0.5 * (sigma1 * sigma1 + sigma2 * sigma2)).sqrt()
}
// ANCHOR_END: eq30

/// Normalisation N₀ = 4√π σ₁σ₂σ_m of Eq (29).
fn n0(s1: f64, s2: f64) -> f64 {
    4.0 * SQRT_PI * s1 * s2 * sigma_m(s1, s2)
}

/// Eq. (32) of the paper in the numerically stable form (math-notes §2 item 5), δx = x − x₀:
///
/// ```text
/// ρ = (p₁ + p₂)/2,   N₀ = 4√π σ₁σ₂σ_m,   a_i = δx²/(2σ_i²)
/// p₁ = e^{−a₁} [ 2σ₂² e^{−a₂} + √(2π) σ₂ δx erf(δx/(√2 σ₂)) ] / N₀   (marginal of species 1)
/// p₂ = p₁ with 1 ↔ 2
/// ```
///
/// Algebraically identical to the printed
/// `e^{−σ_m²δx²/(σ₁²σ₂²)}/(8√π σ₁σ₂σ_m) Σ_i [2σ_i² + e^{+δx²/(2σ_i²)} √(2π) δx σ_i erf(δx/(√2σ_i))]`,
/// but every exponential here is ≤ 1, so it never overflows. Returns NaN for σ_i ≤ 0.
// ANCHOR: eq32
pub fn rho_two_species(x: f64, centre: f64, sigma1: f64, sigma2: f64) -> f64 {
    if !(sigma1 > 0.0 && sigma2 > 0.0) {
        return f64::NAN;
    }
    let d = x - centre;
    let (s1, s2) = (sigma1, sigma2);
    let e1 = (-d * d / (2.0 * s1 * s1)).exp();
    let e2 = (-d * d / (2.0 * s2 * s2)).exp();
    let p1 = e1 * (2.0 * s2 * s2 * e2 + SQRT_2PI * s2 * d * erf(d / (SQRT_2 * s2)));
    let p2 = e2 * (2.0 * s1 * s1 * e1 + SQRT_2PI * s1 * d * erf(d / (SQRT_2 * s1)));
    0.5 * (p1 + p2) / n0(s1, s2)
}
// ANCHOR_END: eq32

/// Eq (32) and its derivatives (ρ, ∂ρ/∂δx, ∂ρ/∂σ₁, ∂ρ/∂σ₂) for the analytic LM Jacobian.
/// With H = 2N₀ρ = T₀ + T₁ + T₂, T₀ = 2(σ₁²+σ₂²)e^{−a₁−a₂}, T₁ = √(2π)δx σ₂E₂e^{−a₁},
/// T₂ = √(2π)δx σ₁E₁e^{−a₂}, E_i = erf(δx/(√2σ_i)).
pub(crate) fn rho_two_species_grad(d: f64, s1: f64, s2: f64) -> [f64; 4] {
    let (v1, v2) = (s1 * s1, s2 * s2);
    let (a1, a2) = (d * d / (2.0 * v1), d * d / (2.0 * v2));
    let (e1, e2) = ((-a1).exp(), (-a2).exp());
    let e12 = e1 * e2;
    let (erf1, erf2) = (erf(d / (SQRT_2 * s1)), erf(d / (SQRT_2 * s2)));
    let t0 = 2.0 * (v1 + v2) * e12;
    let t1 = SQRT_2PI * d * s2 * erf2 * e1;
    let t2 = SQRT_2PI * d * s1 * erf1 * e2;
    let two_n0 = 2.0 * n0(s1, s2);
    let rho = (t0 + t1 + t2) / two_n0;
    let dh_dd = -t0 * d * (1.0 / v1 + 1.0 / v2)
        + SQRT_2PI * s2 * erf2 * e1 * (1.0 - d * d / v1)
        + SQRT_2PI * s1 * erf1 * e2 * (1.0 - d * d / v2)
        + 4.0 * d * e12;
    let dh_ds1 = 4.0 * s1 * e12 + (t0 + t1) * 2.0 * a1 / s1 + SQRT_2PI * d * erf1 * e2
        - 2.0 * d * d * e12 / s1;
    let dh_ds2 = 4.0 * s2 * e12 + (t0 + t2) * 2.0 * a2 / s2 + SQRT_2PI * d * erf2 * e1
        - 2.0 * d * d * e12 / s2;
    let dln_n0_ds1 = 1.0 / s1 + s1 / (v1 + v2);
    let dln_n0_ds2 = 1.0 / s2 + s2 / (v1 + v2);
    [
        rho,
        dh_dd / two_n0,
        dh_ds1 / two_n0 - rho * dln_n0_ds1,
        dh_ds2 / two_n0 - rho * dln_n0_ds2,
    ]
}

/// One exact draw (x₁ − x₀, x₂ − x₀) from Eq (29). With S = x₁ − x₂ and
/// x_c = (σ₂/(2σ₁))x₁ + (σ₁/(2σ₂))x₂ (the change of variables above Eq 31) the law factorises:
/// |S| follows Eq (31), the sign of S is fair, x_c ~ N(0, σ_m²/2). Inverting,
/// x₁ = (2σ₁σ₂x_c + σ₁²S)/(2σ_m²), x₂ = (2σ₁σ₂x_c − σ₂²S)/(2σ_m²).
// ANCHOR: eq29_draw
fn draw_eq29<R: Rng + ?Sized>(s1: f64, s2: f64, ordered: bool, rng: &mut R) -> (f64, f64) {
    let sm = sigma_m(s1, s2);
    let u: f64 = rng.random();
    let mut s = 2.0 * sm * (-(1.0 - u).ln()).sqrt();
    if !ordered && rng.random::<bool>() {
        s = -s;
    }
    let z: f64 = StandardNormal.sample(rng);
    let xc = sm / SQRT_2 * z;
    let v = 2.0 * sm * sm;
    (
        (2.0 * s1 * s2 * xc + s1 * s1 * s) / v,
        (2.0 * s1 * s2 * xc - s2 * s2 * s) / v,
    )
}
// ANCHOR_END: eq29_draw

/// Eq (32) as a validated law: the generalised two-level density of two species.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TwoSpecies {
    /// Centre x₀ (κ before the shift of Eq 29; called x_c in the printed Eq 32).
    pub centre: f64,
    /// Width σ₁ of species 1.
    pub sigma1: f64,
    /// Width σ₂ of species 2.
    pub sigma2: f64,
}

impl TwoSpecies {
    /// Validates a finite centre and finite σ₁, σ₂ > 0.
    pub fn new(centre: f64, sigma1: f64, sigma2: f64) -> Result<Self, GasError> {
        check_finite("centre", centre)?;
        check_positive("sigma1", sigma1)?;
        check_positive("sigma2", sigma2)?;
        Ok(Self {
            centre,
            sigma1,
            sigma2,
        })
    }

    /// σ_m of Eq (30).
    pub fn sigma_m(&self) -> f64 {
        sigma_m(self.sigma1, self.sigma2)
    }

    /// The spacing law of this gas, Eq (31) with σ_m from Eq (30).
    pub fn surmise(&self) -> Surmise {
        Surmise {
            sigma_m: self.sigma_m(),
        }
    }

    /// One exact draw (x₁, x₂) of Eq (29) over the whole plane (both orderings).
    pub fn sample_pair<R: Rng + ?Sized>(&self, rng: &mut R) -> (f64, f64) {
        let (a, b) = draw_eq29(self.sigma1, self.sigma2, false, rng);
        (self.centre + a, self.centre + b)
    }

    /// Eq. (32) of the paper exactly as printed, kept to show that it cannot be evaluated in double precision:
    /// the factor e^{+δx²/(2σ_i²)} overflows (σ = (0.05, 1): ∞ at δx = 1.9, NaN from δx = 2 on).
    /// Use [`Density1D::pdf`] instead.
    ///
    /// ```text
    /// ρ = e^{−σ_m²δx²/(σ₁²σ₂²)}/(8√π σ₁σ₂σ_m) Σ_{i=1,2} [2σ_i² + e^{δx²/(2σ_i²)} √(2π) δx σ_i erf(δx/(√2σ_i))]
    /// ```
    // ANCHOR: eq32_printed
    pub fn printed_pdf(&self, x: f64) -> f64 {
        let d = x - self.centre;
        let (s1, s2, sm) = (self.sigma1, self.sigma2, self.sigma_m());
        let pre = (-sm * sm * d * d / (s1 * s1 * s2 * s2)).exp() / (8.0 * SQRT_PI * s1 * s2 * sm);
        let term = |s: f64| {
            2.0 * s * s + (d * d / (2.0 * s * s)).exp() * SQRT_2PI * d * s * erf(d / (SQRT_2 * s))
        };
        pre * (term(s1) + term(s2))
    }
    // ANCHOR_END: eq32_printed

    /// ⟨δx²⟩ = (σ₁⁴ + σ₁²σ₂² + σ₂⁴)/(σ₁² + σ₂²).
    pub fn m2(&self) -> f64 {
        let (v1, v2) = (self.sigma1.powi(2), self.sigma2.powi(2));
        (v1 * v1 + v1 * v2 + v2 * v2) / (v1 + v2)
    }

    /// ⟨δx⁴⟩ = (4σ₁⁸ + 6σ₁⁶σ₂² + 3σ₁⁴σ₂⁴ + 6σ₁²σ₂⁶ + 4σ₂⁸)/(σ₁² + σ₂²)².
    pub fn m4(&self) -> f64 {
        let (v1, v2) = (self.sigma1.powi(2), self.sigma2.powi(2));
        (4.0 * v1.powi(4)
            + 6.0 * v1.powi(3) * v2
            + 3.0 * v1 * v1 * v2 * v2
            + 6.0 * v1 * v2.powi(3)
            + 4.0 * v2.powi(4))
            / (v1 + v2).powi(2)
    }

    /// U4 = (σ₁⁴ − 2σ₁²σ₂² − σ₂⁴)(σ₁⁴ + 2σ₁²σ₂² − σ₂⁴) / (3(σ₁⁴ + σ₁²σ₂² + σ₂⁴)²): −4/27 at equal
    /// widths, → +1/3 when one width → 0, zero at σ₁/σ₂ = √(1+√2).
    pub fn binder_u4(&self) -> f64 {
        let (v1, v2) = (self.sigma1.powi(2), self.sigma2.powi(2));
        (v1 * v1 - 2.0 * v1 * v2 - v2 * v2) * (v1 * v1 + 2.0 * v1 * v2 - v2 * v2)
            / (3.0 * (v1 * v1 + v1 * v2 + v2 * v2).powi(2))
    }
}

/// [`TwoSpecies::ln_terms`]: ln ρ at one x and what it was made of.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LnTerms {
    /// ln ρ.
    pub ln_pdf: f64,
    /// δx = x − x₀.
    pub d: f64,
    /// a_i = δx²/(2σ_i²).
    pub a: [f64; 2],
    /// |erf(δx/(√2 σ_i))|.
    pub erf_abs: [f64; 2],
    /// e^{ℓⱼ − max ℓ} (the softmax weights of the three terms up to their sum).
    pub weights: [f64; 3],
}

impl TwoSpecies {
    /// ln 2(σ₁² + σ₂²) and ln 2N₀, the constants of [`Density1D::ln_pdf`] (computed once per
    /// likelihood).
    pub(crate) fn ln_consts(&self) -> [f64; 2] {
        let (s1, s2) = (self.sigma1, self.sigma2);
        [(2.0 * (s1 * s1 + s2 * s2)).ln(), (2.0 * n0(s1, s2)).ln()]
    }

    /// [`Density1D::ln_pdf`] given `c = self.ln_consts()`.
    #[inline]
    pub(crate) fn ln_pdf_with(&self, x: f64, c: [f64; 2]) -> f64 {
        self.ln_terms(x, c).ln_pdf
    }

    /// ln ρ = ln(e^{ℓ₀} + e^{ℓ₁} + e^{ℓ₂}) − ln 2N₀ with its pieces, which the likelihood's
    /// derivatives reuse (`fit::score`):
    /// ℓ₀ = ln 2(σ₁² + σ₂²) − a₁ − a₂, ℓ₁ = ln(√(2π) σ₂ |δx E₂|) − a₁, ℓ₂ = ℓ₁ with 1 ↔ 2.
    #[inline]
    pub(crate) fn ln_terms(&self, x: f64, c: [f64; 2]) -> LnTerms {
        let d = x - self.centre;
        let (s1, s2) = (self.sigma1, self.sigma2);
        let (a1, a2) = (d * d / (2.0 * s1 * s1), d * d / (2.0 * s2 * s2));
        let (e1, e2) = (erf(d / (SQRT_2 * s1)), erf(d / (SQRT_2 * s2)));
        let l0 = c[0] - a1 - a2;
        let l1 = (SQRT_2PI * s2 * (d * e2).abs()).ln() - a1;
        let l2 = (SQRT_2PI * s1 * (d * e1).abs()).ln() - a2;
        let (lse, weights) = log_sum_exp3([l0, l1, l2]);
        LnTerms {
            ln_pdf: lse - c[1],
            d,
            a: [a1, a2],
            erf_abs: [e1.abs(), e2.abs()],
            weights,
        }
    }

    /// The scale s = max(σ₁, σ₂) and the law in units of s (centre 0, widths ≤ 1): Eq (32) is a
    /// location-scale family, ρ(x) = ρ₁((x − x₀)/s)/s. The fallback where the direct forms
    /// over- or underflow (σ² or σ₁σ₂ out of range).
    fn unit(&self) -> (f64, TwoSpecies) {
        let s = self.sigma1.max(self.sigma2);
        (
            s,
            TwoSpecies {
                centre: 0.0,
                sigma1: self.sigma1 / s,
                sigma2: self.sigma2 / s,
            },
        )
    }

    /// ln ρ in units of s, every factor in log space; −∞ past T_FAR.
    fn ln_pdf_far(&self, x: f64) -> f64 {
        let (s, u) = self.unit();
        let t = scaled_offset(x, self.centre, s);
        if t.is_nan() || t.abs() >= T_FAR {
            return f64::NEG_INFINITY;
        }
        let (r1, r2) = (u.sigma1, u.sigma2);
        // (t/r)²/2 rather than t²/(2r²): r² may underflow where t/r does not.
        let (a1, a2) = (0.5 * (t / r1).powi(2), 0.5 * (t / r2).powi(2));
        let l0 = (2.0 * (r1 * r1 + r2 * r2)).ln() - a1 - a2;
        let l1 = SQRT_2PI.ln() + r2.ln() + (t * erf(t / (SQRT_2 * r2))).abs().ln() - a1;
        let l2 = SQRT_2PI.ln() + r1.ln() + (t * erf(t / (SQRT_2 * r1))).abs().ln() - a2;
        let ln_n0 = (4.0 * SQRT_PI).ln() + r1.ln() + r2.ln() + u.sigma_m().ln();
        log_sum_exp(&[l0, l1, l2]) - std::f64::consts::LN_2 - ln_n0 - s.ln()
    }
}

impl Density1D for TwoSpecies {
    /// The direct Eq (32); where it is not finite (or δx overflows), exp of the log-space form in
    /// units of max(σ₁, σ₂): 0 where ρ underflows, +∞ only where ρ itself exceeds f64.
    fn pdf(&self, x: f64) -> f64 {
        let v = rho_two_species(x, self.centre, self.sigma1, self.sigma2);
        if v.is_finite() && (x - self.centre).is_finite() {
            v
        } else {
            self.ln_pdf_far(x).exp()
        }
    }

    /// Log-sum-exp of the three non-negative terms of 2N₀ρ, so the tails never underflow.
    fn ln_pdf(&self, x: f64) -> f64 {
        self.ln_pdf_with(x, self.ln_consts())
    }

    /// Eq. (32) of the paper, distribution function (math-notes §1), u = δx σ_m/(σ₁σ₂):
    ///
    /// ```text
    /// F  = (F₁ + F₂)/2
    /// F₁ = [1 + erf(u)]/2 − σ₁ e^{−δx²/(2σ₁²)} erf(δx/(√2 σ₂)) / (2√2 σ_m),   F₂ = F₁ with 1 ↔ 2
    /// ```
    // ANCHOR: eq32_cdf
    fn cdf(&self, x: f64) -> f64 {
        let cdf = |d: f64, s1: f64, s2: f64, sm: f64| {
            let u = d * sm / (s1 * s2);
            let c1 = s1 * (-d * d / (2.0 * s1 * s1)).exp() * erf(d / (SQRT_2 * s2));
            let c2 = s2 * (-d * d / (2.0 * s2 * s2)).exp() * erf(d / (SQRT_2 * s1));
            0.5 * erfc(-u) - (c1 + c2) / (4.0 * SQRT_2 * sm)
        };
        let d = x - self.centre;
        let v = cdf(d, self.sigma1, self.sigma2, self.sigma_m());
        if v.is_finite() && d.is_finite() {
            return v;
        }
        // F depends on δx/s and the ratios only: the same in units of s = max(σ₁, σ₂).
        let (s, u) = self.unit();
        let t = scaled_offset(x, self.centre, s);
        if t.is_infinite() {
            return if t > 0.0 { 1.0 } else { 0.0 };
        }
        let (r1, r2, rm) = (u.sigma1, u.sigma2, u.sigma_m());
        // As `cdf` with (t/r)² for t²/r² and t/r₁/r₂ for t/(r₁r₂): no r² or r₁r₂ to underflow.
        let uu = t * rm / r1 / r2;
        let c1 = r1 * (-0.5 * (t / r1).powi(2)).exp() * erf(t / (SQRT_2 * r2));
        let c2 = r2 * (-0.5 * (t / r2).powi(2)).exp() * erf(t / (SQRT_2 * r1));
        0.5 * erfc(-uu) - (c1 + c2) / (4.0 * SQRT_2 * rm)
    }
    // ANCHOR_END: eq32_cdf

    fn mean(&self) -> f64 {
        self.centre
    }
    /// m2 of [`TwoSpecies::m2`]; where σ⁴ over/underflows, s²·m2 of the law in units of s.
    fn variance(&self) -> f64 {
        let v = self.m2();
        if v.is_finite() && v > 0.0 {
            return v;
        }
        let (s, u) = self.unit();
        s * s * u.m2()
    }
    fn central_m4(&self) -> Option<f64> {
        let v = self.m4();
        if v.is_finite() && v > 0.0 {
            return Some(v);
        }
        let (s, u) = self.unit();
        Some(s.powi(4) * u.m4())
    }
    /// U4 depends on σ₁/σ₂ only: where the moments over/underflow, that of the law in units of s.
    fn u4(&self) -> Option<f64> {
        let v = crate::binder::binder_u4(self.m2(), self.m4());
        Some(if v.is_finite() {
            v
        } else {
            let u = self.unit().1;
            crate::binder::binder_u4(u.m2(), u.m4())
        })
    }
}

/// Eq (29) restricted to the ordering sector x₁ > x₂ (species 1 above species 2): the pooled
/// one-point density of what one non-crossing β = 1 trajectory samples (math-notes §2 item 7).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SectorDensity {
    /// Centre x₀ of both wells.
    pub centre: f64,
    /// Width of species 1 (the upper level).
    pub sigma1: f64,
    /// Width of species 2 (the lower level).
    pub sigma2: f64,
}

impl SectorDensity {
    /// Validates a finite centre and finite σ₁, σ₂ > 0.
    pub fn new(centre: f64, sigma1: f64, sigma2: f64) -> Result<Self, GasError> {
        check_finite("centre", centre)?;
        check_positive("sigma1", sigma1)?;
        check_positive("sigma2", sigma2)?;
        Ok(Self {
            centre,
            sigma1,
            sigma2,
        })
    }

    /// σ_m of Eq (30).
    pub fn sigma_m(&self) -> f64 {
        sigma_m(self.sigma1, self.sigma2)
    }

    /// Density of the upper level x₁ in the sector, with G(z) = φ(z) + zΦ(z):
    /// q₁(x) = (2√(2π)/N₀) σ₂² e^{−δx²/(2σ₁²)} G(δx/σ₂).
    pub fn species1_pdf(&self, x: f64) -> f64 {
        self.ln_species(x, true).exp()
    }

    /// Density of the lower level x₂ in the sector: q₂(x) = (2√(2π)/N₀) σ₁² e^{−δx²/(2σ₂²)} G(−δx/σ₁).
    pub fn species2_pdf(&self, x: f64) -> f64 {
        self.ln_species(x, false).exp()
    }

    fn ln_species(&self, x: f64, upper: bool) -> f64 {
        let d = x - self.centre;
        let (s1, s2) = (self.sigma1, self.sigma2);
        let ln_norm = (2.0 * SQRT_2PI / n0(s1, s2)).ln();
        if upper {
            ln_norm + 2.0 * s2.ln() - d * d / (2.0 * s1 * s1) + ln_g(d / s2)
        } else {
            ln_norm + 2.0 * s1.ln() - d * d / (2.0 * s2 * s2) + ln_g(-d / s1)
        }
    }

    /// Distribution function of the upper level: Q₁ = [1 + erf(u)]/2 − σ₁ e^{−δx²/(2σ₁²)} Φ(δx/σ₂)/(√2 σ_m).
    pub fn species1_cdf(&self, x: f64) -> f64 {
        let d = x - self.centre;
        let (s1, s2, sm) = (self.sigma1, self.sigma2, self.sigma_m());
        0.5 * erfc(-d * sm / (s1 * s2))
            - s1 * (-d * d / (2.0 * s1 * s1)).exp() * norm_cdf(d / s2) / (SQRT_2 * sm)
    }

    /// Distribution function of the lower level: Q₂ = [1 + erf(u)]/2 + σ₂ e^{−δx²/(2σ₂²)} Φ(−δx/σ₁)/(√2 σ_m).
    pub fn species2_cdf(&self, x: f64) -> f64 {
        let d = x - self.centre;
        let (s1, s2, sm) = (self.sigma1, self.sigma2, self.sigma_m());
        0.5 * erfc(-d * sm / (s1 * s2))
            + s2 * (-d * d / (2.0 * s2 * s2)).exp() * norm_cdf(-d / s1) / (SQRT_2 * sm)
    }

    // ANCHOR: sector_means
    /// ⟨x₁⟩ = x₀ + √π σ₁²/(2σ_m).
    pub fn species1_mean(&self) -> f64 {
        self.centre + SQRT_PI * self.sigma1 * self.sigma1 / (2.0 * self.sigma_m())
    }

    /// ⟨x₂⟩ = x₀ − √π σ₂²/(2σ_m).
    pub fn species2_mean(&self) -> f64 {
        self.centre - SQRT_PI * self.sigma2 * self.sigma2 / (2.0 * self.sigma_m())
    }
    // ANCHOR_END: sector_means

    /// One exact draw (x₁, x₂) of Eq (29) restricted to x₁ > x₂.
    pub fn sample_pair<R: Rng + ?Sized>(&self, rng: &mut R) -> (f64, f64) {
        let (a, b) = draw_eq29(self.sigma1, self.sigma2, true, rng);
        (self.centre + a, self.centre + b)
    }

    /// The whole-plane law of Eq (32) with the same parameters (the symmetrised sector).
    pub fn symmetrised(&self) -> TwoSpecies {
        TwoSpecies {
            centre: self.centre,
            sigma1: self.sigma1,
            sigma2: self.sigma2,
        }
    }
}

impl Density1D for SectorDensity {
    /// Eq. (29) of the paper restricted to the sector x₁ > x₂: pooled density (q₁ + q₂)/2.
    ///
    /// ```text
    /// ρ_sec(x) = (√(2π)/N₀) [σ₂² e^{−δx²/(2σ₁²)} G(δx/σ₂) + σ₁² e^{−δx²/(2σ₂²)} G(−δx/σ₁)],
    /// G(z) = φ(z) + z Φ(z)
    /// F_sec(x) = [1 + erf(δx σ_m/(σ₁σ₂))]/2
    ///            + [σ₂ e^{−δx²/(2σ₂²)} Φ(−δx/σ₁) − σ₁ e^{−δx²/(2σ₁²)} Φ(δx/σ₂)] / (2√2 σ_m)
    /// ⟨x⟩ = x₀ + √π (σ₁² − σ₂²)/(4σ_m)
    /// ```
    // ANCHOR: eq32_sector
    fn pdf(&self, x: f64) -> f64 {
        0.5 * (self.species1_pdf(x) + self.species2_pdf(x))
    }
    fn ln_pdf(&self, x: f64) -> f64 {
        log_sum_exp(&[self.ln_species(x, true), self.ln_species(x, false)]) - std::f64::consts::LN_2
    }
    fn cdf(&self, x: f64) -> f64 {
        0.5 * (self.species1_cdf(x) + self.species2_cdf(x))
    }
    fn mean(&self) -> f64 {
        0.5 * (self.species1_mean() + self.species2_mean())
    }
    // ANCHOR_END: eq32_sector

    /// Reflection (x₁, x₂) → (−x₁, −x₂) swaps the sectors and keeps x², so ⟨δx²⟩ is that of Eq (32);
    /// subtract the squared shift of the mean.
    fn variance(&self) -> f64 {
        let shift = self.mean() - self.centre;
        self.symmetrised().m2() - shift * shift
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ks::ks_one_sample;
    use crate::pair::PairDensity;
    use crate::quad::{integrate, integrate_breaks};

    const X0: f64 = 0.4;

    /// Eq (29) shifted to centre X0, normalised by N₀ (math-notes: N₀ verified to 30 digits).
    fn p29(x1: f64, x2: f64, s1: f64, s2: f64) -> f64 {
        let (a, b) = (x1 - X0, x2 - X0);
        (a - b).abs() * (-a * a / (2.0 * s1 * s1) - b * b / (2.0 * s2 * s2)).exp() / n0(s1, s2)
    }

    #[test]
    fn eq32_is_normalised_with_the_closed_form_moments() {
        for &(s1, s2) in &[(0.3, 1.0), (1.0, 1.0), (0.05, 1.0), (2.0, 0.7)] {
            let d = TwoSpecies::new(X0, s1, s2).unwrap();
            let big = f64::max(s1, s2);
            let h = f64::min(s1, s2) / 4.0;
            let m = |k: i32| {
                integrate(
                    |x| (x - X0).powi(k) * d.pdf(x),
                    X0 - 15.0 * big,
                    X0 + 15.0 * big,
                    h,
                )
            };
            assert!((m(0) - 1.0).abs() < 1e-13, "{s1},{s2}");
            assert!(m(1).abs() < 1e-13);
            assert!((m(2) - d.m2()).abs() < 1e-13 * big * big);
            assert!((m(4) - d.m4()).abs() < 1e-12 * big.powi(4));
            assert!((d.u4().unwrap() - d.binder_u4()).abs() < 1e-14);
            for &t in &[-3.0, -0.5, 0.0, 0.2, 1.0, 4.0] {
                let x = X0 + t * big;
                let q = integrate(|y| d.pdf(y), X0 - 15.0 * big, x, h);
                assert!(
                    (d.cdf(x) - q).abs() < 1e-13,
                    "cdf at {x}: {} vs {q}",
                    d.cdf(x)
                );
                assert!((d.ln_pdf(x) - d.pdf(x).ln()).abs() < 1e-12);
            }
        }
        // U4 changes sign at σ₁/σ₂ = √(1+√2) and tends to 1/3 as σ₂/σ₁ → 0.
        let r = (1.0 + 2f64.sqrt()).sqrt();
        assert!(TwoSpecies::new(0.0, r, 1.0).unwrap().binder_u4().abs() < 1e-14);
        assert!((TwoSpecies::new(0.0, 1.0, 1e-4).unwrap().binder_u4() - 1.0 / 3.0).abs() < 1e-7);
        assert!((TwoSpecies::new(0.0, 2.0, 2.0).unwrap().binder_u4() + 4.0 / 27.0).abs() < 1e-15);
    }

    #[test]
    fn eq32_reduces_to_eq11_at_equal_widths() {
        let (d32, d11) = (
            TwoSpecies::new(X0, 0.8, 0.8).unwrap(),
            PairDensity::new(X0, 0.8).unwrap(),
        );
        for i in -40..=40 {
            let x = X0 + 0.1 * i as f64;
            assert!((d32.pdf(x) - d11.pdf(x)).abs() < 1e-15);
            assert!((d32.cdf(x) - d11.cdf(x)).abs() < 1e-15);
            assert!((d32.ln_pdf(x) - d11.ln_pdf(x)).abs() < 1e-13);
        }
        assert!((d32.m2() - d11.variance()).abs() < 1e-15);
        assert!((d32.m4() - d11.central_m4().unwrap()).abs() < 1e-15);
    }

    /// Eq (32) is ½(marginal of x₁ + marginal of x₂) of Eq (29), and Eq (29) integrates to 1
    /// with N₀ = 4√π σ₁σ₂σ_m (a genuine 2-D quadrature, split along the kink x₁ = x₂).
    #[test]
    fn eq32_is_the_pooled_marginal_of_eq29() {
        let (s1, s2) = (0.45, 1.2);
        let d = TwoSpecies::new(X0, s1, s2).unwrap();
        let (lo, hi, h) = (X0 - 14.0, X0 + 14.0, 0.1);
        for &x in &[X0 - 2.0, X0 - 0.3, X0, X0 + 0.1, X0 + 1.5] {
            let m1 = integrate_breaks(|y| p29(x, y, s1, s2), lo, hi, &[x], h);
            let m2 = integrate_breaks(|y| p29(y, x, s1, s2), lo, hi, &[x], h);
            assert!((0.5 * (m1 + m2) - d.pdf(x)).abs() < 1e-13, "x = {x}");
        }
        let norm = integrate(
            |x1| integrate_breaks(|x2| p29(x1, x2, s1, s2), lo, hi, &[x1], 0.2),
            lo,
            hi,
            0.2,
        );
        assert!((norm - 1.0).abs() < 1e-12, "∫∫ Eq 29 = {norm}");
    }

    #[test]
    fn printed_eq32_overflows_where_the_stable_form_does_not() {
        let d = TwoSpecies::new(0.0, 0.05, 1.0).unwrap();
        assert!(
            !d.printed_pdf(2.0).is_finite(),
            "printed Eq 32 at δx = 2: {}",
            d.printed_pdf(2.0)
        );
        assert!(!d.printed_pdf(1.9).is_finite());
        assert!(d.pdf(2.0).is_finite() && d.pdf(2.0) > 0.0);
        assert!(d.ln_pdf(30.0).is_finite());
        // Where the printed form is finite, both agree.
        for &(s1, s2) in &[(0.05, 1.0), (0.5, 1.0), (1.0, 1.0), (2.0, 0.3)] {
            let d = TwoSpecies::new(X0, s1, s2).unwrap();
            for i in -30..=30 {
                let x = X0 + 0.05 * i as f64;
                let (p, s) = (d.printed_pdf(x), d.pdf(x));
                if p.is_finite() {
                    assert!(
                        (p - s).abs() <= 1e-12 * s.max(1e-300),
                        "σ=({s1},{s2}) x={x}: {p} vs {s}"
                    );
                }
            }
        }
    }

    /// The ordered sector x₁ > x₂: densities and means against direct quadrature of Eq (29)
    /// restricted to the sector (with weight 2, the sector holding half the mass).
    #[test]
    fn sector_density_matches_quadrature_of_eq29_on_the_sector() {
        let (s1, s2) = (0.5, 1.1);
        let sec = SectorDensity::new(X0, s1, s2).unwrap();
        let (lo, hi, h) = (X0 - 14.0, X0 + 14.0, 0.1);
        for &x in &[X0 - 2.5, X0 - 0.4, X0, X0 + 0.3, X0 + 1.8] {
            // Species 1 at x with x₂ < x; species 2 at x with x₁ > x.
            let q1 = 2.0 * integrate(|y| p29(x, y, s1, s2), lo, x, h);
            let q2 = 2.0 * integrate(|y| p29(y, x, s1, s2), x, hi, h);
            assert!((q1 - sec.species1_pdf(x)).abs() < 1e-13, "q1 at {x}");
            assert!((q2 - sec.species2_pdf(x)).abs() < 1e-13, "q2 at {x}");
            assert!((0.5 * (q1 + q2) - sec.pdf(x)).abs() < 1e-13);
            assert!((sec.ln_pdf(x) - sec.pdf(x).ln()).abs() < 1e-12);
            let f = integrate(|y| sec.pdf(y), lo, x, h);
            assert!(
                (f - sec.cdf(x)).abs() < 1e-13,
                "cdf at {x}: {} vs {f}",
                sec.cdf(x)
            );
            let f1 = integrate(|y| sec.species1_pdf(y), lo, x, h);
            let f2 = integrate(|y| sec.species2_pdf(y), lo, x, h);
            assert!((f1 - sec.species1_cdf(x)).abs() < 1e-13);
            assert!((f2 - sec.species2_cdf(x)).abs() < 1e-13);
        }
        // 2-D: sector mass 1/2 and the species means.
        let sector = |g: &dyn Fn(f64, f64) -> f64| {
            integrate(
                |x1| integrate(|x2| g(x1, x2) * p29(x1, x2, s1, s2), lo, x1, 0.2),
                lo,
                hi,
                0.2,
            )
        };
        assert!((sector(&|_, _| 1.0) - 0.5).abs() < 1e-12);
        let e1 = 2.0 * sector(&|x1, _| x1);
        let e2 = 2.0 * sector(&|_, x2| x2);
        assert!(
            (e1 - sec.species1_mean()).abs() < 1e-12,
            "{e1} vs {}",
            sec.species1_mean()
        );
        assert!((e2 - sec.species2_mean()).abs() < 1e-12);
        let mean = integrate(|x| x * sec.pdf(x), lo, hi, h);
        assert!((mean - sec.mean()).abs() < 1e-12);
        let shift = SQRT_PI * (s1 * s1 - s2 * s2) / (4.0 * sigma_m(s1, s2));
        assert!((sec.mean() - X0 - shift).abs() < 1e-15);
        let var = integrate(|x| (x - mean).powi(2) * sec.pdf(x), lo, hi, h);
        assert!((var - sec.variance()).abs() < 1e-12);
        // Deep tails stay finite in log space.
        assert!(sec.ln_pdf(X0 - 60.0).is_finite() && sec.ln_pdf(X0 + 60.0).is_finite());
    }

    /// Analytic derivatives used by the LM Jacobian vs central differences.
    #[test]
    fn eq32_gradient_matches_finite_differences() {
        let (s1, s2) = (0.6, 1.3);
        for &d in &[-2.0, -0.7, 0.0, 0.3, 1.9] {
            let g = rho_two_species_grad(d, s1, s2);
            assert!((g[0] - rho_two_species(d, 0.0, s1, s2)).abs() < 1e-15);
            let h = 1e-6;
            let fd = [
                (rho_two_species(d + h, 0.0, s1, s2) - rho_two_species(d - h, 0.0, s1, s2))
                    / (2.0 * h),
                (rho_two_species(d, 0.0, s1 + h, s2) - rho_two_species(d, 0.0, s1 - h, s2))
                    / (2.0 * h),
                (rho_two_species(d, 0.0, s1, s2 + h) - rho_two_species(d, 0.0, s1, s2 - h))
                    / (2.0 * h),
            ];
            for k in 0..3 {
                assert!(
                    (g[k + 1] - fd[k]).abs() < 1e-8,
                    "d={d} k={k}: {} vs {}",
                    g[k + 1],
                    fd[k]
                );
            }
        }
    }

    /// The exact Eq (29) sampler: pooled draws follow Eq (32), ordered draws the sector law.
    /// KS at n = 4000 each, seeded; false-alarm rate 1e-3 per test.
    #[test]
    fn exact_eq29_draws_follow_eq32_and_the_sector_law() {
        let mut rng = langevin_core::stream(5, "coulomb-gas/test/eq29-draws", 0);
        let d = TwoSpecies::new(X0, 0.3, 1.0).unwrap();
        let sec = SectorDensity::new(X0, 0.3, 1.0).unwrap();
        let (mut pooled, mut ordered, mut up, mut down) = (vec![], vec![], vec![], vec![]);
        for _ in 0..4000 {
            let (a, b) = d.sample_pair(&mut rng);
            pooled.push(if rng.random::<bool>() { a } else { b });
            let (a, b) = sec.sample_pair(&mut rng);
            assert!(a > b);
            ordered.push(if rng.random::<bool>() { a } else { b });
            up.push(a);
            down.push(b);
        }
        assert!(ks_one_sample(&pooled, |x| d.cdf(x)).unwrap().p_value > 1e-3);
        assert!(ks_one_sample(&ordered, |x| sec.cdf(x)).unwrap().p_value > 1e-3);
        assert!(ks_one_sample(&up, |x| sec.species1_cdf(x)).unwrap().p_value > 1e-3);
        assert!(
            ks_one_sample(&down, |x| sec.species2_cdf(x))
                .unwrap()
                .p_value
                > 1e-3
        );
        // The sector law is not Eq (32): the shift is resolved easily.
        assert!(ks_one_sample(&ordered, |x| d.cdf(x)).unwrap().p_value < 1e-3);
    }

    #[test]
    fn two_species_rejects_bad_parameters() {
        assert!(TwoSpecies::new(0.0, 0.0, 1.0).is_err());
        assert!(TwoSpecies::new(0.0, 1.0, f64::NAN).is_err());
        assert!(SectorDensity::new(f64::INFINITY, 1.0, 1.0).is_err());
        assert!(rho_two_species(0.0, 0.0, -1.0, 1.0).is_nan());
    }
}
