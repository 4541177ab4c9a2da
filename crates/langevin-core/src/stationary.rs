//! The Fokker-Planck equation (Eq 6), its stationary Coulomb gas (Eq 7), the probability
//! current, and the Gaussian width of Eq 9 (the linear scaling rule).

use crate::dyson::Dyson;
use crate::potential::Potential;

/// Eq. (7) of the paper: the unnormalised log-density of the stationary Coulomb gas, with the
/// Vandermonde exponent β as a parameter (the paper's gas is β = 1; β = 0 gives independent
/// particles, whose pair terms are skipped so that coincident particles stay finite).
///
/// ```text
/// ln P_s({x_i}) = β Σ_{i<j} ln|x_i − x_j| − Σ_i Ṽ_i(x_i) / ((α/|B|) g̃_i²)  + const
/// ```
// ANCHOR: eq7
pub fn log_stationary<P: Potential + ?Sized>(
    x: &[f64],
    potential: &P,
    beta: f64,
    temperature: f64,
    g2: &[f64],
) -> f64 {
    let mut lp = 0.0;
    for i in 0..x.len() {
        if beta > 0.0 {
            for j in (i + 1)..x.len() {
                lp += beta * (x[i] - x[j]).abs().ln();
            }
        }
        lp -= potential.value(i, x[i]) / (temperature * g2[i]);
    }
    lp
}
// ANCHOR_END: eq7

/// Gradient of Eq 7: `∂_i ln P_s = Σ_{j≠i} 1/(x_i − x_j) + K_i(x_i)/((α/|B|) g̃_i²)`.
// ANCHOR: eq7_grad
pub fn grad_log_stationary<P: Potential>(
    x: &[f64],
    potential: &P,
    temperature: f64,
    g2: &[f64],
    out: &mut [f64],
) {
    for i in 0..x.len() {
        let coul: f64 = (0..x.len())
            .filter(|&j| j != i)
            .map(|j| 1.0 / (x[i] - x[j]))
            .sum();
        out[i] = coul + potential.force(i, x[i]) / (temperature * g2[i]);
    }
}
// ANCHOR_END: eq7_grad

/// Eq. (6) of the paper: the probability current of the Fokker-Planck equation per unit of
/// stationary density, `J_i / P = D_i ∂_i ln P − A_i`, evaluated at P = P_s of Eq 7.
///
/// ```text
/// ∂_t P = Σ_i ∂_i [ (α²/|B|) g̃_i² ∂_i − α K̃_i − (α²/|B|) Σ_{j≠i} g̃_i²/(x_i − x_j) ] P = −Σ_i ∂_i J_i
/// ```
///
/// The drift A and diffusion D are taken from the process itself; a zero current at every
/// point means Eq 7 is stationary with detailed balance.
// ANCHOR: eq6_current
pub fn probability_current<P: Potential>(dyson: &Dyson<P>, x: &[f64], out: &mut [f64]) {
    let n = x.len();
    let mut drift = vec![0.0; n];
    let mut diff = vec![0.0; n];
    let mut grad = vec![0.0; n];
    dyson.drift(x, &mut drift);
    dyson.diffusion(&mut diff);
    grad_log_stationary(
        x,
        dyson.potential(),
        dyson.temperature(),
        dyson.g2(),
        &mut grad,
    );
    for i in 0..n {
        out[i] = diff[i] * grad[i] - drift[i];
    }
}
// ANCHOR_END: eq6_current

/// The Fokker-Planck generator (adjoint of Eq 6) applied to a test function f:
/// `L f = Σ_i A_i ∂_i f + D_i ∂_i² f`, with A and D per iteration.
// ANCHOR: generator
pub fn generator<P: Potential>(dyson: &Dyson<P>, x: &[f64], df: &[f64], d2f: &[f64]) -> f64 {
    let n = x.len();
    let mut drift = vec![0.0; n];
    let mut diff = vec![0.0; n];
    dyson.drift(x, &mut drift);
    dyson.diffusion(&mut diff);
    (0..n).map(|i| drift[i] * df[i] + diff[i] * d2f[i]).sum()
}
// ANCHOR_END: generator

/// Eq. (9) of the paper: the Gaussian width of eigenvalue i around its minimum,
/// the linear scaling rule σ² ∝ α/|B|.
///
/// ```text
/// σ_i² = (α/|B|) g̃_i² / Ω_i = (α/|B|) 𝕍_B[Δ_p]_ii / (2 Ω_i)
/// ```
// ANCHOR: eq9
pub fn gaussian_width(alpha: f64, batch: usize, g2: f64, omega: f64) -> f64 {
    (alpha / batch as f64 * g2 / omega).sqrt()
}
// ANCHOR_END: eq9

/// Eq 9 written with the gradient variance 𝕍_B[Δ_p]_ii = 2 g̃_i² instead of g̃_i².
// ANCHOR: eq9_variance
pub fn gaussian_width_from_variance(alpha: f64, batch: usize, variance_ii: f64, omega: f64) -> f64 {
    gaussian_width(alpha, batch, 0.5 * variance_ii, omega)
}
// ANCHOR_END: eq9_variance

#[cfg(test)]
mod tests {
    use super::*;
    use crate::potential::Quadratic;

    #[test]
    fn eq9_width_is_the_linear_scaling_rule() {
        let s = gaussian_width(0.1, 16, 2.0, 0.5);
        assert!((s * s - 0.1 / 16.0 * 2.0 / 0.5).abs() < 1e-15);
        // Only α/|B| matters.
        assert_eq!(gaussian_width(0.2, 32, 2.0, 0.5), s);
        assert!((gaussian_width_from_variance(0.1, 16, 4.0, 0.5) - s).abs() < 1e-15);
    }

    /// Eq 7 and its gradient are written separately; central differences of the one must give
    /// the other (h = 1e-6: truncation O(h²) ≈ 1e-12, round-off ≈ 1e-16/h = 1e-10).
    #[test]
    fn eq7_gradient_is_the_derivative_of_eq7() {
        let pot = Quadratic::new(vec![1.0, 2.0, 0.7], vec![0.0, 0.3, -0.5]).unwrap();
        let (t, g2) = (0.05, [1.0, 4.0, 2.5]);
        let x = [0.1, 0.5, -0.9];
        let mut grad = [0.0; 3];
        grad_log_stationary(&x, &pot, t, &g2, &mut grad);
        let h = 1e-6;
        for i in 0..3 {
            let (mut up, mut down) = (x, x);
            up[i] += h;
            down[i] -= h;
            let fd = (log_stationary(&up, &pot, 1.0, t, &g2)
                - log_stationary(&down, &pot, 1.0, t, &g2))
                / (2.0 * h);
            assert!(
                (fd - grad[i]).abs() < 1e-7 * grad[i].abs().max(1.0),
                "i={i}: {fd} vs {}",
                grad[i]
            );
        }
        // β = 0 drops the Vandermonde factor, so coincident particles stay finite.
        assert!(log_stationary(&[0.2, 0.2, 0.0], &pot, 0.0, t, &g2).is_finite());
        assert_eq!(
            log_stationary(&[0.2, 0.2, 0.0], &pot, 1.0, t, &g2),
            f64::NEG_INFINITY
        );
    }

    #[test]
    fn current_vanishes_for_the_paper_process() {
        let pot = Quadratic::new(vec![1.0, 2.0, 0.7], vec![0.0, 0.3, -0.5]).unwrap();
        let d = Dyson::new(0.02, 5, vec![1.0, 4.0, 2.5], pot).unwrap();
        let mut j = [0.0; 3];
        probability_current(&d, &[0.1, 0.5, -0.9], &mut j);
        assert!(j.iter().all(|v| v.abs() < 1e-15), "{j:?}");
    }
}
