//! Singular values ξ_i of the student matrix and the squared singular values x_i = ξ_i² (the
//! eigenvalues of WᵀW, or of WWᵀ for wide matrices).

use nalgebra::DMatrix;

use crate::sim::Mat;

/// Singular values of a 2×2 matrix `[[a, b], [c, d]]` in closed form, ascending:
///
/// ```text
/// p = √((a + d)² + (b − c)²),  q = √((a − d)² + (b + c)²),  ξ_max = (p + q)/2,  ξ_min = |p − q|/2
/// ```
///
/// (p and q are the singular values' sum and difference; no cancellation for ξ_max, and ξ_min is
/// accurate to ~ε·ξ_max, as for any backward-stable SVD.)
pub fn singular_values_2x2(a: f64, b: f64, c: f64, d: f64) -> [f64; 2] {
    let p = (a + d).hypot(b - c);
    let q = (a - d).hypot(b + c);
    [0.5 * (p - q).abs(), 0.5 * (p + q)]
}

/// Singular values ξ_i of W, ascending (min(M, N) of them).
pub fn singular_values<const M: usize, const N: usize>(w: &Mat<M, N>) -> Vec<f64> {
    if M == 2 && N == 2 {
        return singular_values_2x2(w[(0, 0)], w[(0, 1)], w[(1, 0)], w[(1, 1)]).to_vec();
    }
    let d = DMatrix::from_fn(M, N, |i, j| w[(i, j)]);
    langevin_core::spectrum::singular_values(&d)
}

/// Singular values (ascending) of an M×N matrix given row by row (`w.len() == m·n`).
///
/// # Panics
/// If `w.len() != m * n`.
pub fn singular_values_row_major(w: &[f64], m: usize, n: usize) -> Vec<f64> {
    assert_eq!(w.len(), m * n, "matrix data and shape disagree");
    if m == 2 && n == 2 {
        return singular_values_2x2(w[0], w[1], w[2], w[3]).to_vec();
    }
    langevin_core::spectrum::singular_values(&DMatrix::from_row_slice(m, n, w))
}

/// Squared singular values x_i = ξ_i², ascending.
pub fn squared_singular_values<const M: usize, const N: usize>(w: &Mat<M, N>) -> Vec<f64> {
    singular_values(w).into_iter().map(|s| s * s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_matches_svd() {
        let cases = [
            [2.0, 0.0, 0.0, 2.0],
            [1.3, -0.2, 0.7, -2.1],
            [0.0, 1.0, 0.0, 0.0],
            [1e-9, 3.0, -2.0, 1e-7],
            [2.01140663, -0.00342679, -0.00333532, 2.00230448],
        ];
        for m in cases {
            let got = singular_values_2x2(m[0], m[1], m[2], m[3]);
            let d = DMatrix::from_row_slice(2, 2, &m);
            let want = langevin_core::spectrum::singular_values(&d);
            for (g, w) in got.iter().zip(&want) {
                assert!(
                    (g - w).abs() < 1e-14 * (1.0 + w),
                    "{m:?}: {got:?} vs {want:?}"
                );
            }
            let x = squared_singular_values(&Mat::<2, 2>::from_row_slice(&m));
            assert!((x[1] - want[1] * want[1]).abs() < 1e-13 * (1.0 + x[1]));
        }
        // Rectangular matrices go through the general SVD.
        let r = Mat::<3, 2>::new(1.0, 2.0, 0.0, 1.0, -1.0, 3.0);
        let s = singular_values(&r);
        assert_eq!(s.len(), 2);
        assert!(s[0] <= s[1]);
        let fro: f64 = s.iter().map(|v| v * v).sum();
        assert!((fro - r.norm_squared()).abs() < 1e-12);
    }
}
