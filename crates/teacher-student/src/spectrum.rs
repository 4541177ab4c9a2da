//! Singular values ξ_i of the student matrix and the squared singular values x_i = ξ_i² (the
//! eigenvalues of WᵀW, or of WWᵀ for wide matrices).

use nalgebra::DMatrix;

use crate::sim::Mat;
pub use langevin_core::spectrum::{singular_values_2x2, singular_values_row_major};

/// Singular values ξ_i of W, ascending (min(M, N) of them).
pub fn singular_values<const M: usize, const N: usize>(w: &Mat<M, N>) -> Vec<f64> {
    if M == 2 && N == 2 {
        return singular_values_2x2(w[(0, 0)], w[(0, 1)], w[(1, 0)], w[(1, 1)]).to_vec();
    }
    let d = DMatrix::from_fn(M, N, |i, j| w[(i, j)]);
    langevin_core::spectrum::singular_values(&d)
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
