//! The Gaussian orthogonal ensemble at finite N: the Coulomb gas of Eq (7) with identical
//! quadratic wells and β = 1, whose N = 2 one-point density is Eq (11).
//!
//! Convention: P(x₁..x_N) ∝ Π_{i<j}|x_i − x_j| exp(−Σ_i (x_i − c)²/(2σ²)), which is the eigenvalue
//! law of a real symmetric matrix with density ∝ exp(−tr H²/(2σ²)), i.e. H_ii ~ N(0, σ²) and
//! H_ij ~ N(0, σ²/2) for i < j.

use nalgebra::{DMatrix, SymmetricEigen};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::binder::binder_u4;
use crate::error::{check_positive, GasError};

/// Per-particle central moments of the one-point GOE density.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GoeMoments {
    /// Number of particles N.
    pub n: usize,
    /// ⟨δx²⟩ = σ²(N+1)/2.
    pub m2: f64,
    /// ⟨δx⁴⟩ = σ⁴(2N² + 5N + 5)/4.
    pub m4: f64,
    /// U4 = −(N+2)(N−1)/(3(N+1)²).
    pub u4: f64,
}

/// One-point moments of the N-particle GOE gas (math-notes §1, Eq 12 row).
///
/// ```text
/// m2 = ⟨δx²⟩ = σ² (N+1)/2              (= E tr H² / N)
/// m4 = ⟨δx⁴⟩ = σ⁴ (2N² + 5N + 5)/4      (= E tr H⁴ / N)
/// U4 = m4/(3 m2²) − 1 = −(N+2)(N−1)/(3(N+1)²)
/// ```
// ANCHOR: goe_moments
pub fn goe_moments(n: usize, sigma: f64) -> Result<GoeMoments, GasError> {
    if n == 0 {
        return Err(GasError::Invalid(
            "N = 0: the gas needs at least one particle".into(),
        ));
    }
    check_positive("sigma", sigma)?;
    let nf = n as f64;
    let s2 = sigma * sigma;
    let m2 = s2 * (nf + 1.0) / 2.0;
    let m4 = s2 * s2 * (2.0 * nf * nf + 5.0 * nf + 5.0) / 4.0;
    Ok(GoeMoments {
        n,
        m2,
        m4,
        u4: binder_u4(m2, m4),
    })
}
// ANCHOR_END: goe_moments

/// Eigenvalues, sorted ascending, of one GOE matrix: H_ii ~ N(0, σ²), H_ij = H_ji ~ N(0, σ²/2).
/// An exact sampler of the N-particle Coulomb gas with identical wells centred at 0.
// ANCHOR: goe_sample
pub fn goe_sample<R: Rng + ?Sized>(
    n: usize,
    sigma: f64,
    rng: &mut R,
) -> Result<Vec<f64>, GasError> {
    if n == 0 {
        return Err(GasError::Invalid(
            "N = 0: the gas needs at least one particle".into(),
        ));
    }
    check_positive("sigma", sigma)?;
    let off = sigma / std::f64::consts::SQRT_2;
    let mut h = DMatrix::<f64>::zeros(n, n);
    // Fill row by row (upper triangle incl. diagonal) so the draw order is fixed and documented.
    for i in 0..n {
        for j in i..n {
            let z: f64 = StandardNormal.sample(rng);
            let v = if i == j { sigma * z } else { off * z };
            h[(i, j)] = v;
            h[(j, i)] = v;
        }
    }
    // SymmetricEigen returns the eigenvalues unsorted.
    let mut ev: Vec<f64> = SymmetricEigen::new(h).eigenvalues.iter().copied().collect();
    ev.sort_by(f64::total_cmp);
    Ok(ev)
}
// ANCHOR_END: goe_sample

#[cfg(test)]
mod tests {
    use super::*;
    use crate::density::Density1D;
    use crate::ks::ks_one_sample;
    use crate::pair::PairDensity;
    use rand::RngExt;

    /// Exact GOE sampling vs the closed-form m2 and m4 for N = 1, 2, 3, 5.
    /// Per-matrix averages a_k = (1/N) Σ λ^p are iid over k, so the z-score uses their sample
    /// standard error. Seeded; the four z-tests at |z| < 4.5 have a joint false-alarm rate ≈ 5e-5.
    #[test]
    fn goe_moments_match_exact_matrix_sampling() {
        let sigma = 0.7;
        let mut rng = langevin_core::stream(11, "coulomb-gas/test/goe-moments", 0);
        for &n in &[1usize, 2, 3, 5] {
            let m = goe_moments(n, sigma).unwrap();
            let reps = 20_000;
            let (mut a2, mut a4) = (Vec::with_capacity(reps), Vec::with_capacity(reps));
            for _ in 0..reps {
                let ev = goe_sample(n, sigma, &mut rng).unwrap();
                a2.push(ev.iter().map(|x| x * x).sum::<f64>() / n as f64);
                a4.push(ev.iter().map(|x| x.powi(4)).sum::<f64>() / n as f64);
            }
            for (a, exact, what) in [(&a2, m.m2, "m2"), (&a4, m.m4, "m4")] {
                let k = a.len() as f64;
                let mean = a.iter().sum::<f64>() / k;
                let var = a.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (k - 1.0);
                let z = (mean - exact) / (var / k).sqrt();
                assert!(z.abs() < 4.5, "N={n} {what}: {mean} vs {exact}, z = {z}");
            }
        }
        assert!((goe_moments(2, 1.0).unwrap().u4 - crate::binder::U4_PAIR).abs() < 1e-15);
    }

    /// At N = 2 one eigenvalue chosen by a fair coin follows Eq (11) with the same σ.
    /// KS at n = 4000, seeded: false-alarm rate 1e-3.
    #[test]
    fn goe_two_by_two_follows_eq11() {
        let sigma = 1.3;
        let mut rng = langevin_core::stream(12, "coulomb-gas/test/goe-eq11", 0);
        let mut xs = Vec::new();
        for _ in 0..4000 {
            let ev = goe_sample(2, sigma, &mut rng).unwrap();
            let pick: bool = rng.random();
            xs.push(if pick { ev[1] } else { ev[0] });
        }
        let law = PairDensity::new(0.0, sigma).unwrap();
        let ks = ks_one_sample(&xs, |x| law.cdf(x)).unwrap();
        assert!(ks.p_value > 1e-3, "{ks:?}");
    }

    #[test]
    fn goe_rejects_bad_input_and_sorts() {
        let mut rng = langevin_core::stream(1, "coulomb-gas/test/goe-bad", 0);
        assert!(goe_sample(0, 1.0, &mut rng).is_err());
        assert!(goe_sample(3, -1.0, &mut rng).is_err());
        assert!(goe_sample(3, f64::NAN, &mut rng).is_err());
        assert!(goe_moments(0, 1.0).is_err());
        let ev = goe_sample(8, 1.0, &mut rng).unwrap();
        assert!(ev.windows(2).all(|w| w[0] <= w[1]));
    }
}
