//! Single-particle potentials V_i of the Coulomb gas (Eqs 7-8) and their forces K_i = -V_i'.

use crate::error::CoreError;

/// The potentials V_i(x) of N particles (eigenvalues); the drift of Eq 5 is K_i = -dV_i/dx.
pub trait Potential: Send + Sync {
    /// Number of particles N.
    fn len(&self) -> usize;
    /// True when there are no particles.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// V_i(x).
    fn value(&self, i: usize, x: f64) -> f64;
    /// K_i(x) = -dV_i/dx.
    fn force(&self, i: usize, x: f64) -> f64;
}

/// Eq. (8) truncated at second order: V_i(x) = Ω_i (x - c_i)² / 2, so K_i = -Ω_i (x - c_i).
///
/// ```text
/// V_i(x_i) = V_i(x_i^s) + ½ Ω_i (x_i − x_i^s)²
/// ```
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Quadratic {
    /// Curvatures Ω_i > 0.
    pub omega: Vec<f64>,
    /// Minima c_i = x_i^s.
    pub centre: Vec<f64>,
}

impl Quadratic {
    /// Validates Ω_i > 0 and finite, c_i finite, equal lengths.
    pub fn new(omega: Vec<f64>, centre: Vec<f64>) -> Result<Self, CoreError> {
        if omega.len() != centre.len() {
            return Err(CoreError::Shape(format!(
                "omega has {} values but centre has {}",
                omega.len(),
                centre.len()
            )));
        }
        if omega.is_empty() {
            return Err(CoreError::Shape(
                "a potential needs at least one particle".into(),
            ));
        }
        for (i, &o) in omega.iter().enumerate() {
            if !(o.is_finite() && o > 0.0) {
                return Err(CoreError::Invalid(format!(
                    "omega[{i}] = {o}: the curvature must be finite and > 0"
                )));
            }
        }
        for (i, &c) in centre.iter().enumerate() {
            if !c.is_finite() {
                return Err(CoreError::Invalid(format!(
                    "centre[{i}] = {c} is not finite"
                )));
            }
        }
        Ok(Self { omega, centre })
    }

    /// N particles with a common curvature and centre.
    pub fn uniform(n: usize, omega: f64, centre: f64) -> Result<Self, CoreError> {
        Self::new(vec![omega; n], vec![centre; n])
    }
}

// ANCHOR: eq8
impl Potential for Quadratic {
    fn len(&self) -> usize {
        self.omega.len()
    }
    fn value(&self, i: usize, x: f64) -> f64 {
        let d = x - self.centre[i];
        0.5 * self.omega[i] * d * d
    }
    fn force(&self, i: usize, x: f64) -> f64 {
        -self.omega[i] * (x - self.centre[i])
    }
}
// ANCHOR_END: eq8
