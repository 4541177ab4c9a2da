//! Dyson Brownian motion of the eigenvalues of `X = WᵀW`: the eigenvalue Langevin equation (Eq 5).
//!
//! One iteration of Eq 5 is one unit of Fokker-Planck time (Eq 6). Per iteration the
//! eigenvalue process has drift and diffusion
//!
//! ```text
//! A_i(x) = α K_i(x_i) + c_i Σ_{j≠i} 1/(x_i − x_j),   c_i = α² g̃_i² / |B|
//! D_i    = b_i² / 2 = α² g̃_i² / |B|,                 b_i = (α/√|B|) √2 g̃_i
//! ```
//!
//! Three discretisations are offered ([`Scheme`]):
//! * [`Scheme::Explicit`]: Eq 5 taken literally (Euler-Maruyama). Kept for teaching: for β = 1
//!   the discrete chain can cross, the Coulomb kicks `c/|x_i − x_j|` of near-collisions have
//!   power-law tails, and moments of its stationary law do not converge.
//! * [`Scheme::Implicit`] (default): drift-implicit in the Coulomb term. It solves
//!   `y_i = x̃_i + c_i Σ_j 1/(y_i − y_j)` with `x̃ = x + αK(x) + b∘η` inside the ordering
//!   chamber of `x`, so the ordering of the eigenvalues is preserved and the step is well posed.
//! * [`Scheme::MatrixOu`]: for identical species in a quadratic potential, the exact one-step
//!   transition of the symmetric-matrix Ornstein-Uhlenbeck process whose eigenvalues perform
//!   this Dyson Brownian motion (see [`crate::matrix_ou`]).

mod linalg;
mod newton;

pub use newton::{implicit_residual, ImplicitWorkspace};

use crate::error::CoreError;
use crate::potential::Potential;
use newton::implicit_newton;

/// How one iteration of Eq 5 is discretised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    /// The literal explicit step of Eq 5 (heavy-tailed for β = 1; for teaching only).
    Explicit,
    /// Drift-implicit Coulomb term: ordering preserved, first-order accurate (the default).
    #[default]
    Implicit,
    /// Exact matrix Ornstein-Uhlenbeck transition (identical species, quadratic potential).
    MatrixOu,
}

impl std::str::FromStr for Scheme {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "explicit" => Ok(Self::Explicit),
            "implicit" => Ok(Self::Implicit),
            "matrix-ou" => Ok(Self::MatrixOu),
            other => Err(CoreError::Invalid(format!(
                "unknown scheme '{other}' (expected implicit, explicit or matrix-ou)"
            ))),
        }
    }
}

impl std::fmt::Display for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Explicit => "explicit",
            Self::Implicit => "implicit",
            Self::MatrixOu => "matrix-ou",
        })
    }
}

/// Deliberately wrong variants of Eq 5, for tests that must reject them.
#[cfg(feature = "mutants")]
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mutant {
    /// Coulomb prefactor ×2.
    Coulomb2,
    /// Coulomb prefactor ×½.
    CoulombHalf,
    /// Attractive Coulomb term.
    CoulombSign,
    /// Coulomb prefactor α g²/|B| instead of α² g²/|B|.
    CoulombNoAlpha,
    /// Coulomb term with the mean g² while the noise keeps g_i.
    CoulombCommonG,
    /// The √2 missing from the noise.
    NoSqrt2,
    /// α/|B| wrong by a factor 2 (noise² and Coulomb both ×2): the linear scaling rule broken.
    Temp2,
}

/// Eq. (5) of the paper: the eigenvalue Langevin equation of Dyson Brownian motion,
/// with its coefficients precomputed.
///
/// ```text
/// x_i' = x_i + α K̃_i + (α²/|B|) Σ_{j≠i} g̃_i² / (x_i − x_j) + (α/√|B|) √2 g̃_i η_i
/// ```
#[derive(Clone, Debug)]
pub struct Dyson<P: Potential> {
    alpha: f64,
    batch: usize,
    g2: Vec<f64>,
    potential: P,
    /// c_i = α² g̃_i² / |B|, the Coulomb prefactor of particle i.
    coulomb: Vec<f64>,
    /// b_i = (α/√|B|) √2 g̃_i, the noise amplitude of particle i.
    noise: Vec<f64>,
}

impl<P: Potential> Dyson<P> {
    /// Validates lr = α > 0, |B| ≥ 1, g̃_i² > 0 and one g̃_i² per particle of the potential.
    pub fn new(alpha: f64, batch: usize, g2: Vec<f64>, potential: P) -> Result<Self, CoreError> {
        if !(alpha.is_finite() && alpha > 0.0) {
            return Err(CoreError::Invalid(format!(
                "learning rate {alpha}: must be finite and > 0"
            )));
        }
        if batch == 0 {
            return Err(CoreError::Invalid(
                "batch size 0: must be at least 1".into(),
            ));
        }
        if g2.len() != potential.len() {
            return Err(CoreError::Shape(format!(
                "{} values of g² for {} particles",
                g2.len(),
                potential.len()
            )));
        }
        for (i, &g) in g2.iter().enumerate() {
            if !(g.is_finite() && g > 0.0) {
                return Err(CoreError::Invalid(format!(
                    "g2[{i}] = {g}: must be finite and > 0"
                )));
            }
        }
        // ANCHOR: eq5_coefficients
        let b = batch as f64;
        let coulomb = g2.iter().map(|&g| alpha * alpha * g / b).collect();
        let noise = g2
            .iter()
            .map(|&g| alpha / b.sqrt() * (2.0 * g).sqrt())
            .collect();
        // ANCHOR_END: eq5_coefficients
        Ok(Self {
            alpha,
            batch,
            g2,
            potential,
            coulomb,
            noise,
        })
    }

    /// A deliberately wrong copy of this process (tests only).
    #[cfg(feature = "mutants")]
    pub fn mutated(mut self, m: Mutant) -> Self {
        let n = self.n();
        match m {
            Mutant::Coulomb2 => self.coulomb.iter_mut().for_each(|c| *c *= 2.0),
            Mutant::CoulombHalf => self.coulomb.iter_mut().for_each(|c| *c *= 0.5),
            Mutant::CoulombSign => self.coulomb.iter_mut().for_each(|c| *c = -*c),
            Mutant::CoulombNoAlpha => self.coulomb.iter_mut().for_each(|c| *c /= self.alpha),
            Mutant::CoulombCommonG => {
                let mean = self.g2.iter().sum::<f64>() / n as f64;
                let b = self.batch as f64;
                self.coulomb
                    .iter_mut()
                    .for_each(|c| *c = self.alpha * self.alpha * mean / b);
            }
            Mutant::NoSqrt2 => self
                .noise
                .iter_mut()
                .for_each(|s| *s /= std::f64::consts::SQRT_2),
            Mutant::Temp2 => {
                self.coulomb.iter_mut().for_each(|c| *c *= 2.0);
                self.noise
                    .iter_mut()
                    .for_each(|s| *s *= std::f64::consts::SQRT_2);
            }
        }
        self
    }

    /// Number of eigenvalues N.
    pub fn n(&self) -> usize {
        self.g2.len()
    }
    /// The learning rate α.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }
    /// The batch size |B|.
    pub fn batch(&self) -> usize {
        self.batch
    }
    /// α/|B|, the temperature of the Coulomb gas (Eq 7).
    pub fn temperature(&self) -> f64 {
        self.alpha / self.batch as f64
    }
    /// The g̃_i².
    pub fn g2(&self) -> &[f64] {
        &self.g2
    }
    /// The potential V_i.
    pub fn potential(&self) -> &P {
        &self.potential
    }
    /// c_i, the Coulomb prefactor of particle i per iteration.
    pub fn coulomb_coefficients(&self) -> &[f64] {
        &self.coulomb
    }
    /// b_i, the noise amplitude of particle i per iteration.
    pub fn noise_amplitudes(&self) -> &[f64] {
        &self.noise
    }

    /// Per-iteration drift of Eq 5, `A_i = α K_i(x_i) + c_i Σ_{j≠i} 1/(x_i − x_j)`.
    pub fn drift(&self, x: &[f64], out: &mut [f64]) {
        // ANCHOR: eq5_drift
        for i in 0..x.len() {
            let coulomb: f64 = (0..x.len())
                .filter(|&j| j != i)
                .map(|j| 1.0 / (x[i] - x[j]))
                .sum();
            out[i] = self.alpha * self.potential.force(i, x[i]) + self.coulomb[i] * coulomb;
        }
        // ANCHOR_END: eq5_drift
    }

    /// Per-iteration diffusion coefficients `D_i = b_i²/2` of the Fokker-Planck equation (Eq 6).
    pub fn diffusion(&self, out: &mut [f64]) {
        for (o, b) in out.iter_mut().zip(&self.noise) {
            *o = 0.5 * b * b;
        }
    }

    /// One literal explicit step of Eq 5: `x' = x + A(x) + b∘η`.
    pub fn step_explicit(&self, x: &[f64], eta: &[f64], out: &mut [f64]) {
        // ANCHOR: eq5_explicit
        self.drift(x, out);
        for i in 0..x.len() {
            out[i] += x[i] + self.noise[i] * eta[i];
        }
        // ANCHOR_END: eq5_explicit
    }

    /// One drift-implicit step of Eq 5: with `x̃ = x + αK(x) + b∘η`, solve
    /// `y_i = x̃_i + c_i Σ_{j≠i} 1/(y_i − y_j)` in the ordering chamber of `x`.
    ///
    /// Returns the number of Newton iterations (0 for the closed form at N = 2).
    pub fn step_implicit(
        &self,
        x: &[f64],
        eta: &[f64],
        out: &mut [f64],
        ws: &mut ImplicitWorkspace,
    ) -> Result<usize, CoreError> {
        // ANCHOR: eq5_implicit
        let n = x.len();
        for i in 0..n {
            out[i] = x[i] + self.alpha * self.potential.force(i, x[i]) + self.noise[i] * eta[i];
        }
        if n == 2 {
            let (y1, y2) = implicit_pair(
                x[0] - x[1],
                out[0],
                out[1],
                self.coulomb[0],
                self.coulomb[1],
            );
            out[0] = y1;
            out[1] = y2;
            return Ok(0);
        }
        ws.x_tilde.clear();
        ws.x_tilde.extend_from_slice(out);
        implicit_newton(x, &self.coulomb, out, ws)
        // ANCHOR_END: eq5_implicit
    }
}

/// Closed-form drift-implicit step for two particles.
///
/// With `S = x1 − x2` (the current ordering), `S̃ = x̃1 − x̃2` and `C = c1 + c2`, the new spacing
/// `S'` solves `S'² − S̃ S' − C = 0` on the side of `S`; then `y1 = x̃1 + c1/S'`,
/// `y2 = x̃2 − c2/S'`. The root is taken in the form that does not cancel.
// ANCHOR: implicit_pair
#[inline]
pub fn implicit_pair(s: f64, xt1: f64, xt2: f64, c1: f64, c2: f64) -> (f64, f64) {
    let sign = if s >= 0.0 { 1.0 } else { -1.0 };
    let s_new = sign * pair_gap(sign * (xt1 - xt2), c1 + c2);
    (xt1 + c1 / s_new, xt2 - c2 / s_new)
}

/// The positive root of `g² − t g − C = 0`: the gap `g = t + C/g` of two particles whose gap
/// would be `t` without their mutual repulsion, in the form that does not cancel.
#[inline(always)]
fn pair_gap(t: f64, cc: f64) -> f64 {
    let r = (t * t + 4.0 * cc).sqrt();
    if t >= 0.0 {
        0.5 * (t + r)
    } else {
        2.0 * cc / (r - t)
    }
}
// ANCHOR_END: implicit_pair

#[cfg(test)]
mod tests {
    use super::*;
    use crate::potential::Quadratic;

    fn residual(y: &[f64], xt: &[f64], c: &[f64]) -> f64 {
        let n = y.len();
        (0..n)
            .map(|i| {
                let coul: f64 = (0..n)
                    .filter(|&j| j != i)
                    .map(|j| 1.0 / (y[i] - y[j]))
                    .sum();
                let scale = y[i].abs() + xt[i].abs() + (c[i] * coul).abs();
                (y[i] - xt[i] - c[i] * coul).abs() / scale
            })
            .fold(0.0, f64::max)
    }

    #[test]
    fn pair_closed_form_solves_the_implicit_equation_in_both_orderings() {
        for &(x1, x2, xt1, xt2) in &[
            (1.0, 0.5, 0.2, 0.9),   // proposal crossed: must be pushed back
            (0.5, 1.0, 0.8, 0.3),   // other ordering
            (3.0, -2.0, 3.1, -2.2), // far apart: barely changes
            (1e6, 1e6 - 1e-3, 1e6 + 5.0, 1e6 - 5.0),
        ] {
            let (c1, c2) = (1e-3, 4e-3);
            let (y1, y2) = implicit_pair(x1 - x2, xt1, xt2, c1, c2);
            assert_eq!((y1 - y2).signum(), (x1 - x2).signum(), "ordering lost");
            assert!(residual(&[y1, y2], &[xt1, xt2], &[c1, c2]) < 1e-12);
        }
    }

    #[test]
    fn newton_agrees_with_closed_form_and_preserves_order() {
        // N = 3 with a far third particle reduces to the pair problem for the first two.
        let pot = Quadratic::new(vec![1.0, 2.0, 0.5], vec![0.0, 0.1, 50.0]).unwrap();
        let d = Dyson::new(0.05, 4, vec![1.0, 3.0, 2.0], pot).unwrap();
        let x = [0.3, 0.0, 50.0];
        let mut ws = ImplicitWorkspace::new(3);
        let mut y = [0.0; 3];
        for eta in [[0.0, 0.0, 0.0], [-3.0, 3.0, 1.0], [10.0, -10.0, 0.0]] {
            d.step_implicit(&x, &eta, &mut y, &mut ws).unwrap();
            assert!(y[0] > y[1] && y[2] > y[0], "ordering lost: {y:?}");
            let mut xt = [0.0; 3];
            for i in 0..3 {
                xt[i] = x[i] + d.alpha * d.potential.force(i, x[i]) + d.noise[i] * eta[i];
            }
            assert!(residual(&y, &xt, &d.coulomb) < 1e-12, "{y:?}");
        }
    }

    #[test]
    fn explicit_step_is_x_plus_drift_plus_noise() {
        let pot = Quadratic::uniform(3, 2.0, 1.0).unwrap();
        let d = Dyson::new(0.01, 8, vec![5.0; 3], pot).unwrap();
        let x = [0.9, 1.0, 1.2];
        let mut a = [0.0; 3];
        let mut y = [0.0; 3];
        d.drift(&x, &mut a);
        d.step_explicit(&x, &[0.5, -1.0, 2.0], &mut y);
        let b = (0.01f64 / 8f64.sqrt()) * (2.0f64 * 5.0).sqrt();
        for i in 0..3 {
            assert!((y[i] - (x[i] + a[i] + b * [0.5, -1.0, 2.0][i])).abs() < 1e-15);
        }
        // Coulomb coefficient α² g²/|B| and D = b²/2 coincide.
        let mut dd = [0.0; 3];
        d.diffusion(&mut dd);
        assert!((dd[0] - 0.01 * 0.01 * 5.0 / 8.0).abs() < 1e-18);
        assert!((d.coulomb_coefficients()[0] - dd[0]).abs() < 1e-18);
    }

    #[test]
    fn bad_parameters_are_rejected_with_a_named_error() {
        let pot = || Quadratic::uniform(2, 1.0, 0.0).unwrap();
        let msg = |r: Result<Dyson<Quadratic>, CoreError>| r.unwrap_err().to_string();
        assert!(msg(Dyson::new(0.0, 1, vec![1.0; 2], pot())).contains("learning rate"));
        assert!(msg(Dyson::new(-1.0, 1, vec![1.0; 2], pot())).contains("learning rate"));
        assert!(msg(Dyson::new(f64::NAN, 1, vec![1.0; 2], pot())).contains("learning rate"));
        assert!(msg(Dyson::new(0.1, 0, vec![1.0; 2], pot())).contains("batch"));
        assert!(msg(Dyson::new(0.1, 1, vec![1.0; 3], pot())).contains("g²"));
        assert!(msg(Dyson::new(0.1, 1, vec![1.0, f64::NAN], pot())).contains("g2[1]"));
        assert!(Quadratic::new(vec![1.0, -1.0], vec![0.0, 0.0]).is_err());
        assert!(Quadratic::new(vec![1.0], vec![0.0, 0.0]).is_err());
        assert!("sideways".parse::<Scheme>().is_err());
        assert_eq!("matrix-ou".parse::<Scheme>().unwrap(), Scheme::MatrixOu);
    }
}
