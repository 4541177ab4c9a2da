//! The GOE one-point density at finite N, built independently of the crate from Mehta's kernel
//! (*Random Matrices*, 3rd ed., §7.2), checked against the crate's `goe_moments` and Eq (11).
//!
//! In the crate's convention P ∝ Π|x_i − x_j| e^{−Σ(x_i − c)²/(2σ²)}, with t = (x − c)/σ and the
//! oscillator functions φ_j(t) = H_j(t) e^{−t²/2} / (2^j j! √π)^{1/2},
//!
//! ```text
//! N σ ρ_N(x) = Σ_{j<N} φ_j(t)² + √(N/2) φ_{N−1}(t) (εφ_N)(t) + [N odd] φ_{N−1}(t) / ∫φ_{N−1},
//! (εf)(t) = ½ ∫ sgn(t − u) f(u) du = I_N(t) − I_N(∞)/2,   I_n(t) = ∫_{−∞}^t φ_n,
//! ```
//!
//! and φ_n' = √(n/2) φ_{n−1} − √((n+1)/2) φ_{n+1} gives I_{n+1} = √(n/(n+1)) I_{n−1} − √(2/(n+1)) φ_n,
//! I_0 = π^{−1/4} √(2π) Φ(t), I_1 = −√2 φ_0. No closed-form cdf is needed by the crate, so the cdf
//! here is a quadrature of the pdf (the checker's cdf test is then only a consistency check);
//! what is tested is positivity, normalisation, symmetry and the moments m2, m4 of `goe_moments`.

use coulomb_gas::{goe_moments, Density1D, Gaussian, PairDensity};
use proptest::prelude::*;

use super::{config, verdict};
use crate::checker::{check, quad, Claims, Grid};

const PI: f64 = std::f64::consts::PI;

/// φ_0..=φ_n at t and I_0..=I_n at t (t = +∞ gives φ = 0 and the full integrals).
fn oscillators(t: f64, n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut phi = vec![0.0; n + 1];
    if t.is_finite() {
        phi[0] = PI.powf(-0.25) * (-0.5 * t * t).exp();
        if n >= 1 {
            phi[1] = 2f64.sqrt() * t * phi[0];
        }
        for j in 1..n {
            let jf = j as f64;
            phi[j + 1] =
                (2.0 / (jf + 1.0)).sqrt() * t * phi[j] - (jf / (jf + 1.0)).sqrt() * phi[j - 1];
        }
    }
    let std_normal = Gaussian::new(0.0, 1.0).unwrap();
    let mut int = vec![0.0; n + 1];
    int[0] = PI.powf(-0.25) * (2.0 * PI).sqrt() * std_normal.cdf(t);
    if n >= 1 {
        int[1] = -(2f64.sqrt()) * phi[0];
    }
    for k in 1..n {
        let kf = k as f64;
        int[k + 1] = (kf / (kf + 1.0)).sqrt() * int[k - 1] - (2.0 / (kf + 1.0)).sqrt() * phi[k];
    }
    (phi, int)
}

/// The one-point density of the N-particle GOE gas, with the crate's moments as its claims.
pub struct GoeOnePoint {
    n: usize,
    centre: f64,
    sigma: f64,
    /// ∫ρ from c − 40σ to each panel edge c − 40σ + kσ/4, k = 0..=320.
    prefix: Vec<f64>,
}

impl GoeOnePoint {
    fn new(n: usize, centre: f64, sigma: f64) -> Self {
        let mut d = Self {
            n,
            centre,
            sigma,
            prefix: vec![0.0],
        };
        let (lo, h) = (d.lo(), sigma / 4.0);
        for k in 0..320 {
            let a = lo + k as f64 * h;
            let mass = quad::integrate(|y| d.pdf(y), a, a + h, h);
            d.prefix.push(d.prefix[k] + mass);
        }
        d
    }

    fn lo(&self) -> f64 {
        self.centre - 40.0 * self.sigma
    }

    fn density(&self, x: f64) -> f64 {
        let n = self.n;
        let t = (x - self.centre) / self.sigma;
        let (phi, int) = oscillators(t, n);
        let (_, int_inf) = oscillators(f64::INFINITY, n);
        let mut s: f64 = phi[..n].iter().map(|p| p * p).sum();
        s += (n as f64 / 2.0).sqrt() * phi[n - 1] * (int[n] - 0.5 * int_inf[n]);
        if n % 2 == 1 {
            s += phi[n - 1] / int_inf[n - 1];
        }
        s / (n as f64 * self.sigma)
    }
}

impl Density1D for GoeOnePoint {
    fn pdf(&self, x: f64) -> f64 {
        self.density(x)
    }
    fn ln_pdf(&self, x: f64) -> f64 {
        self.pdf(x).ln()
    }
    /// A table of panel masses plus the partial panel, divided by the total so that F(∞) = 1
    /// exactly (normalisation is tested on ρ itself); monotone to round-off.
    fn cdf(&self, x: f64) -> f64 {
        let h = self.sigma / 4.0;
        let k = ((x - self.lo()) / h).floor();
        if k.is_nan() || k < 0.0 {
            return 0.0;
        }
        let total = self.prefix[320];
        if k >= 320.0 {
            return 1.0;
        }
        let edge = self.lo() + k * h;
        let k = k as usize;
        ((self.prefix[k] + quad::integrate(|y| self.pdf(y), edge, x, h)) / total).min(1.0)
    }
    fn mean(&self) -> f64 {
        self.centre
    }
    fn variance(&self) -> f64 {
        goe_moments(self.n, self.sigma).unwrap().m2
    }
    fn central_m4(&self) -> Option<f64> {
        Some(goe_moments(self.n, self.sigma).unwrap().m4)
    }
}

/// At N = 2 the kernel formula is Eq (11), and at N = 1 the normal law.
#[test]
fn goe_one_point_is_eq11_at_n2_and_normal_at_n1() {
    let (c, s) = (0.3, 0.7);
    let two = GoeOnePoint::new(2, c, s);
    let one = GoeOnePoint::new(1, c, s);
    let (eq11, normal) = (
        PairDensity::new(c, s).unwrap(),
        Gaussian::new(c, s).unwrap(),
    );
    for i in -40..=40 {
        let x = c + 0.1 * i as f64;
        assert!((two.pdf(x) - eq11.pdf(x)).abs() < 1e-15, "N = 2 at {x}");
        assert!((one.pdf(x) - normal.pdf(x)).abs() < 1e-15, "N = 1 at {x}");
    }
}

proptest! {
    #![proptest_config(config(24))]

    /// `goe_moments` (m2 = σ²(N+1)/2, m4 = σ⁴(2N² + 5N + 5)/4) are the moments of the kernel
    /// density for N = 1..=10. The bulk reaches √(2N) σ; the tails are Gaussian of width σ.
    #[test]
    fn goe_one_point_density_passes_the_checker(n in 1usize..=10, c in -3.0f64..3.0, s in 0.05f64..5.0) {
        let d = GoeOnePoint::new(n, c, s);
        let reach = (2.0 * n as f64).sqrt() * s;
        let grid = Grid { lo: c - reach - 15.0 * s, hi: c + reach + 15.0 * s, h: s / 4.0 };
        let scale = (goe_moments(n, s).unwrap().m2).sqrt();
        let claims = Claims { scale, symmetric_about: Some(c), ..Claims::default() };
        verdict(check(&d, &grid, &claims))?;
    }
}
