//! The Hoyt (Nakagami-q) law: the spacing of a degenerate pair under an anisotropic perturbation.
//!
//! The 2×2 fluctuation block of a doubly degenerate eigenvalue is [[c+u, v], [v, c−u]], so the
//! spacing is S = 2√(u² + v²). With u ~ N(0, a²), v ~ N(0, b²) independent (a = σ_u, b = σ_v),
//! S follows the Hoyt law; at a = b = σ it is Eq (31) with σ_m = √2 σ.
//!
//! Derivation. With u = r cos θ, v = r sin θ and g(θ) = cos²θ/a² + sin²θ/b², R = √(u² + v²) has
//!
//! ```text
//! f_R(r) = r/(2πab) ∫₀^{2π} exp(−r² g(θ)/2) dθ
//!        = r/(ab) exp(−r²(1/a² + 1/b²)/4) I₀(r² |1/a² − 1/b²|/4)
//! F_R(r) = 1/(2πab) ∫₀^{2π} (1 − exp(−r² g(θ)/2)) / g(θ) dθ
//! ⟨R^k⟩  = Γ(k/2 + 1) 2^{k/2} /(2πab) ∫₀^{2π} g(θ)^{−(k/2+1)} dθ      (⟨R²⟩ = a² + b²)
//! ```
//!
//! and S = 2R: f_S(s) = f_R(s/2)/2, F_S(s) = F_R(s/2), ⟨S^k⟩ = 2^k ⟨R^k⟩.
//!
//! Evaluation. Let A = max(a, b), q = min(a, b)/A ∈ (0, 1], m = 1 − q², t = s/(2A), and measure
//! θ from the A axis. Then A²g = 1 + (m/q²) sin²θ and, with κ = t² m/(2q²),
//!
//! ```text
//! f_S(s) = t e^{−t²/2} J(κ) / (2 q A),        J(κ) = ⟨exp(−κ sin²θ)⟩_θ
//! F_S(s) = t²/(2q) ⟨φ₁(t²/2 + κ sin²θ)⟩_θ,    φ₁(z) = (1 − e^{−z})/z       (small t)
//! 1 − F_S(s) = e^{−t²/2} ⟨q e^{−κ sin²θ} / (q² cos²θ + sin²θ)⟩_θ           (large t)
//! ⟨S^k⟩ = 2^{3k/2} Γ(k/2 + 1) A^k ⟨(1 − m sin²ψ)^{k/2}⟩_ψ
//! ```
//!
//! where ⟨·⟩ is the average over [0, π/2] (the integrands are π-periodic and even, so that quarter
//! period holds the whole integral). The slowest-decaying exponential e^{−t²/2} is factored out,
//! so every average is O(1) and nothing underflows before the density itself does; φ₁ (via
//! `expm1`) keeps F's relative precision near S = 0, and the survival form makes F exactly 1 in
//! the tail. The moments use the elliptic angle ψ (tan θ = q tan ψ), whose integrand is bounded.
//!
//! Quadrature: the periodic trapezoid rule on [0, π/2] with the symmetric end weights ½, which
//! converges geometrically for these analytic periodic integrands, at a rate set by the narrowest
//! feature: width ~q (the pole of 1/g at θ = ±i artanh q) and ~1/√κ (the peak of e^{−κ sin²θ}).
//! Where κ > 40 the average is cut at sin²θ_c = 40/κ, beyond which the integrand is below
//! e^{−40} of its peak with all its derivatives (the endpoint rule stays spectrally accurate), so
//! the node count of the density does not grow with S. The node count is found by doubling from
//! 16 intervals until two successive sums agree to 1e-10 relative: the error falls geometrically,
//! so the finer sum is then accurate to ~1e-20 (round-off dominates), with a hard cap of 2¹⁶
//! intervals, deterministic for given (a, b, s). The density needs ≤ 64 intervals for every q;
//! the distribution function and the odd moments need ~20/√q and ~20/q, so they are at full
//! precision for q ≳ 1e-4 (the cap) and degrade gracefully below.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::binder::binder_u4;
use crate::density::Density1D;
use crate::error::{check_positive, GasError};

const FRAC_PI_2: f64 = std::f64::consts::FRAC_PI_2;
const LN_2: f64 = std::f64::consts::LN_2;
/// √(π/2).
const SQRT_PI_2: f64 = 1.253_314_137_315_500_3;

/// The cut of the θ range: the integrand is below e^{−CUT} of its peak beyond it.
const CUT: f64 = 40.0;
/// First number of trapezoid intervals on [0, θ_c].
const N_START: usize = 16;
/// Hard cap on the number of intervals.
pub const N_MAX: usize = 1 << 16;
/// Two successive doublings agreeing to this relative change end the refinement.
const REL_TOL: f64 = 1e-10;

/// The average (2/π)∫₀^{θ_c} f(θ) dθ of K integrands sharing nodes, by the trapezoid rule with
/// doubling (module docs), and the number of intervals used. All integrands must be ≥ 0.
fn average<const K: usize>(theta_c: f64, f: impl Fn(f64) -> [f64; K]) -> ([f64; K], usize) {
    let mut n = N_START;
    let mut h = theta_c / n as f64;
    // Σ' = ½f₀ + f₁ + … + f_{n−1} + ½f_n.
    let mut sum = [0.0; K];
    let (f0, fc) = (f(0.0), f(theta_c));
    for k in 0..K {
        sum[k] = 0.5 * (f0[k] + fc[k]);
    }
    for j in 1..n {
        let v = f(j as f64 * h);
        for k in 0..K {
            sum[k] += v[k];
        }
    }
    let mut prev: [f64; K] = sum.map(|v| v * h);
    while n < N_MAX {
        // The new nodes are the odd multiples of h/2.
        for j in 0..n {
            let v = f((j as f64 + 0.5) * h);
            for k in 0..K {
                sum[k] += v[k];
            }
        }
        n *= 2;
        h *= 0.5;
        let next: [f64; K] = sum.map(|v| v * h);
        let done = (0..K).all(|k| (next[k] - prev[k]).abs() <= REL_TOL * next[k].abs());
        prev = next;
        if done {
            break;
        }
    }
    (prev.map(|v| v / FRAC_PI_2), n)
}

/// The upper end θ_c of the θ range for the decay rate κ of e^{−κ sin²θ} (module docs).
fn theta_cut(kappa: f64) -> f64 {
    if kappa <= CUT {
        FRAC_PI_2
    } else {
        (CUT / kappa).sqrt().asin()
    }
}

/// φ₁(z) = (1 − e^{−z})/z, φ₁(0) = 1.
fn phi1(z: f64) -> f64 {
    if z == 0.0 {
        1.0
    } else {
        -(-z).exp_m1() / z
    }
}

/// The Hoyt (Nakagami-q) law of the spacing S = 2√(u² + v²), u ~ N(0, σ_u²), v ~ N(0, σ_v²);
/// Eq (31) with σ_m = √2 σ when σ_u = σ_v = σ. Symmetric under σ_u ↔ σ_v.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Hoyt {
    /// Standard deviation a of the diagonal perturbation u.
    pub sigma_u: f64,
    /// Standard deviation b of the off-diagonal perturbation v.
    pub sigma_v: f64,
}

/// The law in its scale-free form: A = max(a, b), q = min/A, m = 1 − q².
#[derive(Clone, Copy, Debug)]
struct Shape {
    big: f64,
    small: f64,
    q: f64,
    /// ln q, finite where q itself underflows (widths more than 1e308 apart).
    ln_q: f64,
    m: f64,
}

impl Hoyt {
    /// Validates both widths finite and > 0.
    pub fn new(sigma_u: f64, sigma_v: f64) -> Result<Self, GasError> {
        check_positive("sigma_u", sigma_u)?;
        check_positive("sigma_v", sigma_v)?;
        Ok(Self { sigma_u, sigma_v })
    }

    /// The law with variance ratio q2 = σ_v²/σ_u² and mean spacing ⟨S⟩ = `mean`.
    pub fn from_ratio_and_mean(q2: f64, mean: f64) -> Result<Self, GasError> {
        check_positive("variance ratio", q2)?;
        check_positive("mean spacing", mean)?;
        let unit = Self::new(1.0, q2.sqrt())?;
        let a = mean / unit.mean();
        Self::new(a, a * q2.sqrt())
    }

    /// σ_v²/σ_u².
    pub fn variance_ratio(&self) -> f64 {
        (self.sigma_v / self.sigma_u).powi(2)
    }

    /// The anisotropy q = min(σ_u, σ_v)/max(σ_u, σ_v) ∈ (0, 1] (1 for Eq 31).
    pub fn q(&self) -> f64 {
        self.shape().q
    }

    /// ⟨S²⟩ = 4(σ_u² + σ_v²).
    pub fn mean_square(&self) -> f64 {
        4.0 * (self.sigma_u * self.sigma_u + self.sigma_v * self.sigma_v)
    }

    /// One draw S = 2√(u² + v²).
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let u: f64 = StandardNormal.sample(rng);
        let v: f64 = StandardNormal.sample(rng);
        2.0 * (self.sigma_u * u).hypot(self.sigma_v * v)
    }

    fn shape(&self) -> Shape {
        let (big, small) = if self.sigma_u >= self.sigma_v {
            (self.sigma_u, self.sigma_v)
        } else {
            (self.sigma_v, self.sigma_u)
        };
        let q = small / big;
        Shape {
            big,
            small,
            q,
            ln_q: small.ln() - big.ln(),
            m: (1.0 - q) * (1.0 + q),
        }
    }

    /// ln J(κ) at t = S/(2A) (ln t given, finite where t underflows), J = ⟨e^{−κ sin²θ}⟩
    /// (module docs), and the intervals used.
    fn ln_j(sh: &Shape, t: f64, ln_t: f64) -> (f64, usize) {
        if sh.m == 0.0 {
            return (0.0, 0);
        }
        let tq = t / sh.q;
        let kappa = 0.5 * sh.m * tq * tq;
        // NaN too (t and q both 0 where the widths are more than 1e308 apart).
        if kappa.is_nan() || kappa > 1e300 {
            // J = e^{−κ/2} I₀(κ/2) ~ 1/√(πκ) (relative correction 1/(4κ) < 1e-300), in logs as
            // κ may overflow.
            let ln_kappa = (0.5 * sh.m).ln() + 2.0 * (ln_t - sh.ln_q);
            return (-0.5 * (std::f64::consts::PI.ln() + ln_kappa), 0);
        }
        let ([j], n) = average(theta_cut(kappa), |th| {
            let s = th.sin();
            [(-kappa * s * s).exp()]
        });
        (j.ln(), n)
    }

    /// ⟨R^k⟩/A^k for k = 1, 2, 3, 4, and the intervals used by the odd ones.
    fn unit_raw_r(sh: &Shape) -> ([f64; 4], usize) {
        if sh.q == 0.0 {
            // The half-normal limit: ⟨|u|^k⟩/A^k = √(2/π), 1, 2√(2/π), 3.
            let c = (2.0 / std::f64::consts::PI).sqrt();
            return ([c, 1.0, 2.0 * c, 3.0], 0);
        }
        let m = sh.m;
        let ([e1, e3], n) = average(FRAC_PI_2, |psi| {
            let s = psi.sin();
            let eta = 1.0 - m * s * s;
            let r = eta.sqrt();
            [r, eta * r]
        });
        let q2 = sh.q * sh.q;
        (
            [
                SQRT_PI_2 * e1,
                1.0 + q2,
                3.0 * SQRT_PI_2 * e3,
                3.0 + 2.0 * q2 + 3.0 * q2 * q2,
            ],
            n,
        )
    }

    /// Central moments of S in units of A: (mean, variance, m4).
    fn unit_central(sh: &Shape) -> (f64, f64, f64) {
        let ([r1, r2, r3, r4], _) = Self::unit_raw_r(sh);
        let mu = r1;
        let var = r2 - mu * mu;
        let m4 = r4 - 4.0 * mu * r3 + 6.0 * mu * mu * r2 - 3.0 * mu.powi(4);
        (2.0 * mu, 4.0 * var, 16.0 * m4)
    }

    /// The number of trapezoid intervals the density and the distribution function use at `s`
    /// (for the documentation of the cost; 0 where a closed form is used).
    pub fn nodes_at(&self, s: f64) -> (usize, usize) {
        let sh = self.shape();
        let t = 0.5 * s / sh.big;
        (Self::ln_j(&sh, t, t.ln()).1, Self::cdf_parts(&sh, t).1)
    }

    /// F(s) at t = S/(2A) and the intervals used.
    fn cdf_parts(sh: &Shape, t: f64) -> (f64, usize) {
        if t.is_nan() {
            return (f64::NAN, 0);
        }
        if t <= 0.0 {
            return (0.0, 0);
        }
        // e^{−t²/2} < 1e-300 beyond: the survival is 0 in f64.
        if t >= 40.0 {
            return (1.0, 0);
        }
        let (q, m) = (sh.q, sh.m);
        if q == 0.0 {
            // Widths more than 1e308 apart: the limit q → 0, S = 2|u|, F = erf(t/√2).
            return (crate::special::erf(t / std::f64::consts::SQRT_2), 0);
        }
        let tq = t / q;
        let kappa = 0.5 * m * tq * tq;
        let half_t2 = 0.5 * t * t;
        if t * t <= 8.0 * q {
            // F directly: each term via expm1, exact near S = 0. The θ-range is not cut (φ₁ decays
            // only algebraically), ~10√κ ≤ 20/√q intervals.
            let ([avg], n) = average(FRAC_PI_2, |th| {
                let s = th.sin();
                [phi1(half_t2 + kappa * s * s)]
            });
            ((half_t2 / q * avg).min(1.0), n)
        } else {
            // 1 − survival; the cut θ-range holds the Lorentzian peak 1/(q² cos² + sin²) of width
            // q with ~54/t ≤ 20/√q intervals.
            let ([avg], n) = average(theta_cut(kappa), |th| {
                let (s, c) = th.sin_cos();
                let s2 = s * s;
                [q * (-kappa * s2).exp() / (q * q * c * c + s2)]
            });
            ((1.0 - (-half_t2).exp() * avg).clamp(0.0, 1.0), n)
        }
    }

    /// ln P(S) with its gradient and Hessian in (ln σ_u, ln σ_v), for maximum likelihood.
    ///
    /// With w(θ) = e^{−r²g(θ)/2}, P_u = r² cos²θ/a², P_v = r² sin²θ/b² (r²g = P_u + P_v) and
    /// ⟨·⟩ the w-weighted average over θ:
    ///
    /// ```text
    /// ∂ ln P/∂ ln a = ⟨P_u⟩ − 1,            ∂ ln P/∂ ln b = ⟨P_v⟩ − 1,
    /// ∂²/∂(ln a)² = Var P_u − 2⟨P_u⟩,       ∂²/∂(ln b)² = Var P_v − 2⟨P_v⟩,
    /// ∂²/∂ ln a ∂ ln b = Cov(P_u, P_v)
    /// ```
    ///
    /// all from one quadrature of w, w sin²θ, w sin⁴θ (θ from the wider axis).
    pub fn ln_pdf_derivs(&self, s: f64) -> (f64, [f64; 2], [[f64; 2]; 2]) {
        let sh = self.shape();
        let t = 0.5 * s / sh.big;
        if s.is_nan() || s <= 0.0 || !t.is_finite() {
            return (f64::NEG_INFINITY, [f64::NAN; 2], [[f64::NAN; 2]; 2]);
        }
        let tq = t / sh.q;
        let kappa = 0.5 * sh.m * tq * tq;
        let ([w0, w1, w2], _) = average(theta_cut(kappa), |th| {
            let s = th.sin();
            let s2 = s * s;
            let w = (-kappa * s2).exp();
            [w, w * s2, w * s2 * s2]
        });
        let ll = t.ln() - 0.5 * t * t + w0.ln() - LN_2 - sh.small.ln();
        let (e2, e4) = (w1 / w0, w2 / w0);
        let var = (e4 - e2 * e2).max(0.0);
        let (t2, tq2) = (t * t, tq * tq);
        // Wide axis A (cos²θ), narrow axis B (sin²θ).
        let (pa, pb) = (t2 * (1.0 - e2), tq2 * e2);
        let g = [pa - 1.0, pb - 1.0];
        let h = [
            [t2 * t2 * var - 2.0 * pa, -t2 * tq2 * var],
            [-t2 * tq2 * var, tq2 * tq2 * var - 2.0 * pb],
        ];
        if self.sigma_u >= self.sigma_v {
            (ll, g, h)
        } else {
            (ll, [g[1], g[0]], [[h[1][1], h[1][0]], [h[0][1], h[0][0]]])
        }
    }
}

/// The Hoyt density P(S) (module docs): the slowest exponential factored out, the θ-average by
/// the trapezoid rule.
///
/// ```text
/// P(S) = t e^{−t²/2} J(κ) / (2 min(a, b)),   t = S/(2 max(a, b)),   J = ⟨e^{−κ sin²θ}⟩_θ
/// ```
// ANCHOR: hoyt_pdf
pub fn hoyt_ln_pdf(s: f64, sigma_u: f64, sigma_v: f64) -> f64 {
    if s <= 0.0 {
        return f64::NEG_INFINITY;
    }
    let sh = Hoyt { sigma_u, sigma_v }.shape();
    let t = 0.5 * s / sh.big;
    if t == f64::INFINITY {
        return f64::NEG_INFINITY;
    }
    // ln t without underflow (S and A more than 1e308 apart).
    let ln_t = s.ln() - LN_2 - sh.big.ln();
    let (ln_j, _) = Hoyt::ln_j(&sh, t, ln_t);
    ln_t - 0.5 * t * t + ln_j - LN_2 - sh.small.ln()
}
// ANCHOR_END: hoyt_pdf

/// The Hoyt distribution function F(S) (module docs): expm1 terms below t² = 8q, one minus the
/// survival function above.
///
/// ```text
/// F(S) = t²/(2q) ⟨φ₁(t²/2 + κ sin²θ)⟩_θ                      (t² ≤ 8q)
///      = 1 − e^{−t²/2} ⟨q e^{−κ sin²θ}/(q² cos²θ + sin²θ)⟩_θ  (t² > 8q)
/// ```
// ANCHOR: hoyt_cdf
pub fn hoyt_cdf(s: f64, sigma_u: f64, sigma_v: f64) -> f64 {
    let sh = Hoyt { sigma_u, sigma_v }.shape();
    Hoyt::cdf_parts(&sh, 0.5 * s / sh.big).0
}
// ANCHOR_END: hoyt_cdf

impl Density1D for Hoyt {
    fn pdf(&self, s: f64) -> f64 {
        if s <= 0.0 {
            return 0.0;
        }
        let sh = self.shape();
        let t = 0.5 * s / sh.big;
        let (ln_j, _) = Self::ln_j(&sh, t, t.ln());
        let v = t / (2.0 * sh.small) * (-0.5 * t * t).exp() * ln_j.exp();
        if v.is_finite() {
            v
        } else {
            self.ln_pdf(s).exp()
        }
    }
    fn ln_pdf(&self, s: f64) -> f64 {
        hoyt_ln_pdf(s, self.sigma_u, self.sigma_v)
    }
    fn cdf(&self, s: f64) -> f64 {
        hoyt_cdf(s, self.sigma_u, self.sigma_v)
    }
    /// 2√(π/2) A ⟨√(1 − m sin²ψ)⟩_ψ (= 2√(2/π) A E(m), E the complete elliptic integral).
    fn mean(&self) -> f64 {
        let sh = self.shape();
        Self::unit_central(&sh).0 * sh.big
    }
    fn variance(&self) -> f64 {
        let sh = self.shape();
        Self::unit_central(&sh).1 * sh.big * sh.big
    }
    fn central_m4(&self) -> Option<f64> {
        let sh = self.shape();
        Some(Self::unit_central(&sh).2 * sh.big.powi(4))
    }
    /// U4 does not depend on the scale: computed in units of max(σ_u, σ_v), so it stays finite
    /// where m2 or m4 over/underflow.
    fn u4(&self) -> Option<f64> {
        let (_, v, m4) = Self::unit_central(&self.shape());
        Some(binder_u4(v, m4))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quad::integrate;
    use crate::surmise::Surmise;

    /// I₀ by its power series Σ (x²/4)^k/(k!)², independent of the quadrature (x ≤ 50 here:
    /// the terms peak near k = x/2 and fall below 1e-17 of the sum by k ≈ 2x + 40).
    fn bessel_i0(x: f64) -> f64 {
        let y = 0.25 * x * x;
        let (mut term, mut sum) = (1.0, 1.0);
        for k in 1..400 {
            term *= y / (k as f64 * k as f64);
            sum += term;
            if term < 1e-18 * sum {
                break;
            }
        }
        sum
    }

    /// The closed Bessel form f_S(s) = f_R(s/2)/2 with f_R of the module docs.
    fn bessel_pdf(s: f64, a: f64, b: f64) -> f64 {
        let r = 0.5 * s;
        let (ia, ib) = (1.0 / (a * a), 1.0 / (b * b));
        0.5 * r / (a * b)
            * (-r * r * (ia + ib) / 4.0).exp()
            * bessel_i0(r * r * (ia - ib).abs() / 4.0)
    }

    /// Against the closed form with its own I₀ series: 1e-14 relative (the series sums terms up
    /// to e^{x}, x ≤ 40, so it carries ~x·1e-16 of round-off).
    #[test]
    fn pdf_is_the_bessel_closed_form() {
        let mut worst: f64 = 0.0;
        for (a, b) in [(1.0, 0.7), (0.3, 1.1), (2.0, 0.5), (1.0, 0.2), (0.05, 0.5)] {
            let d = Hoyt::new(a, b).unwrap();
            let big = f64::max(a, b);
            for k in 1..=60 {
                let s = big * 0.1 * k as f64;
                let x = 0.25 * (0.5 * s).powi(2) * (1.0 / (a * a) - 1.0 / (b * b)).abs();
                if x > 40.0 {
                    continue;
                }
                let (got, want) = (d.pdf(s), bessel_pdf(s, a, b));
                let rel = (got - want).abs() / want;
                worst = worst.max(rel);
                assert!(rel < 1e-14, "a={a} b={b} s={s}: {got} vs {want}");
            }
        }
        eprintln!("max relative deviation from the Bessel form: {worst:e}");
    }

    /// At σ_u = σ_v = σ the law is Eq (31) with σ_m = √2 σ, to 1e-13 relative everywhere.
    #[test]
    fn hoyt_at_equal_variances_is_eq31() {
        for sigma in [1e-3, 0.37, 1.0, 42.0] {
            let h = Hoyt::new(sigma, sigma).unwrap();
            let e = Surmise::new(std::f64::consts::SQRT_2 * sigma).unwrap();
            let rel = |x: f64, y: f64| (x - y).abs() / y.abs().max(1e-300);
            for k in 1..=200 {
                let s = sigma * 0.05 * k as f64;
                assert!(rel(h.pdf(s), e.pdf(s)) < 1e-13, "pdf σ={sigma} s={s}");
                assert!(rel(h.cdf(s), e.cdf(s)) < 1e-13, "cdf σ={sigma} s={s}");
                assert!((h.ln_pdf(s) - e.ln_pdf(s)).abs() < 1e-13 * e.ln_pdf(s).abs().max(1.0));
            }
            assert!(rel(h.mean(), e.mean()) < 1e-13);
            assert!(rel(h.variance(), e.variance()) < 1e-13);
            assert!(rel(h.central_m4().unwrap(), e.central_m4().unwrap()) < 1e-13);
            assert!(rel(h.u4().unwrap(), e.u4().unwrap()) < 1e-13);
            assert!(rel(h.mean_square(), e.mean_square()) < 1e-15);
        }
    }

    /// The closed forms of the elliptic integrals by the AGM: ⟨R⟩ = √(2/π) A E(m) and
    /// ⟨R³⟩ = √(2/π) A³ [2(2 − m)E − (1 − m)K], m = 1 − q² (K = π/(2 AGM(1, q))).
    #[test]
    fn odd_moments_are_the_elliptic_closed_forms() {
        for q in [1.0, 0.9, 0.5, 0.1, 0.01] {
            let m: f64 = 1.0 - q * q;
            let (mut a, mut b, mut c2, mut sum, mut p) = (1.0f64, q, m, 0.5 * m, 0.5);
            for _ in 0..40 {
                let an = 0.5 * (a + b);
                c2 = (0.5 * (a - b)).powi(2);
                b = (a * b).sqrt();
                a = an;
                p *= 2.0;
                sum += p * c2;
            }
            let _ = c2;
            let kk = std::f64::consts::PI / (2.0 * a);
            let ee = kk * (1.0 - sum);
            let ([r1, _, r3, _], n) = Hoyt::unit_raw_r(&Hoyt::new(1.0, q).unwrap().shape());
            let c = (2.0 / std::f64::consts::PI).sqrt();
            assert!((r1 - c * ee).abs() < 1e-14, "q={q}: {r1} vs {}", c * ee);
            let want3 = c * (2.0 * (2.0 - m) * ee - (1.0 - m) * kk);
            assert!((r3 - want3).abs() < 1e-13, "q={q}: {r3} vs {want3}");
            eprintln!("q = {q}: odd moments with {n} intervals");
        }
    }

    /// pdf, cdf and moments agree with Gauss–Legendre quadrature of the pdf over S.
    #[test]
    fn cdf_and_moments_integrate_the_pdf() {
        for (a, b) in [(0.4, 0.25), (0.3, 0.03), (1.0, 1e-3)] {
            let d = Hoyt::new(a, b).unwrap();
            let (big, small) = (f64::max(a, b), f64::min(a, b));
            let hmax = small / 4.0;
            // Panels of σ_min/4 where the pdf varies on that scale (s ≲ 100 σ_min), of σ_max/4
            // beyond (fewer panels, less round-off).
            let split = (100.0 * small).min(60.0 * big);
            let m = |k: i32| {
                let f = |s: f64| s.powi(k) * d.pdf(s);
                integrate(f, 0.0, split, hmax) + integrate(f, split, 60.0 * big, big / 4.0)
            };
            assert!((m(0) - 1.0).abs() < 1e-13, "{a} {b}: {}", m(0));
            assert!((m(1) - d.mean()).abs() < 1e-13 * big);
            assert!(
                (m(2) - d.mean_square()).abs() < 1e-13 * big * big,
                "{a} {b}: {} vs {}",
                m(2),
                d.mean_square()
            );
            for k in [1, 3, 10, 30, 100, 300] {
                let s = small * 0.05 * k as f64;
                let want = integrate(|u| d.pdf(u), 0.0, s, hmax);
                assert!(
                    (d.cdf(s) - want).abs() < 1e-14 + 1e-13 * want,
                    "{a} {b} s={s}: {} vs {want}",
                    d.cdf(s)
                );
            }
        }
    }

    #[test]
    fn node_counts_and_limits() {
        for q in [1.0, 0.5, 0.05, 1e-3] {
            let d = Hoyt::new(1.0, q).unwrap();
            let mut most = (0, 0);
            for k in 0..=400 {
                let (p, c) = d.nodes_at(0.001 * 1.03f64.powi(k));
                most = (most.0.max(p), most.1.max(c));
            }
            eprintln!(
                "q = {q}: at most {} pdf and {} cdf intervals",
                most.0, most.1
            );
            assert!(most.0 <= 64 && most.1 < N_MAX);
        }
        let d = Hoyt::new(2.0, 0.3).unwrap();
        assert_eq!(d.cdf(f64::INFINITY), 1.0);
        assert_eq!(d.cdf(1e3), 1.0);
        assert_eq!(d.cdf(0.0), 0.0);
        assert_eq!(d.cdf(-1.0), 0.0);
        assert_eq!(d.pdf(-1.0), 0.0);
        assert_eq!(d.pdf(f64::INFINITY), 0.0);
        assert_eq!(d.ln_pdf(0.0), f64::NEG_INFINITY);
        // Far tail: the pdf underflows, ln pdf stays finite and matches −t²/2 to leading order.
        assert_eq!(d.pdf(200.0), 0.0);
        let l = d.ln_pdf(200.0);
        assert!(l.is_finite() && (l / (-0.5 * 50.0f64.powi(2)) - 1.0).abs() < 0.01);
        assert!(Hoyt::new(0.0, 1.0).is_err() && Hoyt::new(1.0, f64::NAN).is_err());
        assert!(Hoyt::new(-1.0, 1.0).is_err() && Hoyt::new(1.0, f64::INFINITY).is_err());
        let f = Hoyt::from_ratio_and_mean(0.5, 2.0).unwrap();
        assert!((f.mean() - 2.0).abs() < 1e-15 && (f.variance_ratio() - 0.5).abs() < 1e-15);
        assert!(Hoyt::from_ratio_and_mean(0.0, 1.0).is_err());
        // Symmetric in the two widths.
        let (x, y) = (Hoyt::new(0.7, 0.2).unwrap(), Hoyt::new(0.2, 0.7).unwrap());
        for s in [0.1, 0.5, 1.3] {
            assert_eq!(x.pdf(s), y.pdf(s));
            assert_eq!(x.cdf(s), y.cdf(s));
        }
    }

    /// The analytic score and Hessian in (ln σ_u, ln σ_v) against central differences of ln P.
    #[test]
    fn derivatives_match_finite_differences() {
        for (a, b) in [(0.7, 0.2), (0.2, 0.7), (1.0, 1.0), (0.5, 0.45), (1.0, 0.01)] {
            for s in [0.01, 0.3, 1.0, 2.5, 5.0] {
                let (_, g, h) = Hoyt::new(a, b).unwrap().ln_pdf_derivs(s);
                let at = |da: f64, db: f64| {
                    Hoyt::new(a * da.exp(), b * db.exp())
                        .unwrap()
                        .ln_pdf_derivs(s)
                };
                let e = 1e-5;
                let (ua, da, ub, db) = (at(e, 0.0), at(-e, 0.0), at(0.0, e), at(0.0, -e));
                let fd_g = [(ua.0 - da.0) / (2.0 * e), (ub.0 - db.0) / (2.0 * e)];
                let fd_h = [
                    [
                        (ua.1[0] - da.1[0]) / (2.0 * e),
                        (ua.1[1] - da.1[1]) / (2.0 * e),
                    ],
                    [
                        (ub.1[0] - db.1[0]) / (2.0 * e),
                        (ub.1[1] - db.1[1]) / (2.0 * e),
                    ],
                ];
                for i in 0..2 {
                    assert!(
                        (g[i] - fd_g[i]).abs() < 1e-6 * (1.0 + g[i].abs()),
                        "a={a} b={b} s={s} g[{i}]: {} vs {}",
                        g[i],
                        fd_g[i]
                    );
                    for j in 0..2 {
                        assert!(
                            (h[i][j] - fd_h[i][j]).abs() < 1e-5 * (1.0 + h[i][j].abs()),
                            "a={a} b={b} s={s} h[{i}][{j}]: {} vs {}",
                            h[i][j],
                            fd_h[i][j]
                        );
                    }
                }
                let ll = Hoyt::new(a, b).unwrap().ln_pdf(s);
                assert!((ll - at(0.0, 0.0).0).abs() < 1e-13 * ll.abs().max(1.0));
            }
        }
    }
}
