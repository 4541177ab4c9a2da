//! The SVD the crate's spectra come from recomposes W, the crate's singular values and Gram
//! eigenvalues are its singular values (squared), and they scale as σ(cW) = |c|σ(W).
//!
//! Tolerances: a backward-stable SVD or symmetric eigensolver is exact for a matrix within
//! O(n ε ‖W‖) of the input, so every comparison is scaled by ‖W‖ (by ‖W‖² for Gram eigenvalues)
//! with a factor 64·max(M, N)·ε: at 2·max(M, N)·ε only UᵀU = I fails on these cases, and an
//! error at this level is far below anything that would matter to a spectrum.

use langevin_core::spectrum::{gram_eigenvalues, singular_values};
use nalgebra::DMatrix;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

/// Fixed seed, no failure files: the same cases on every run.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(10),
        ..ProptestConfig::default()
    }
}

/// An M×N matrix, 1 ≤ M, N ≤ 12, entries uniform in ±1 times a magnitude 10^[−3, 3].
fn matrix() -> impl Strategy<Value = DMatrix<f64>> {
    (1usize..=12, 1usize..=12, -3.0f64..3.0).prop_flat_map(|(m, n, e)| {
        proptest::collection::vec(-1.0f64..1.0, m * n)
            .prop_map(move |v| DMatrix::from_vec(m, n, v) * 10f64.powf(e))
    })
}

fn tol(w: &DMatrix<f64>) -> f64 {
    64.0 * w.nrows().max(w.ncols()) as f64 * f64::EPSILON
}

proptest! {
    #![proptest_config(config(256))]

    /// W = UΣVᵀ with orthonormal U, V, and the crate's singular values are Σ, ascending.
    #[test]
    fn svd_recomposes_w(w in matrix()) {
        let norm = w.norm();
        let svd = w.clone().svd(true, true);
        let (u, v_t) = (svd.u.as_ref().unwrap(), svd.v_t.as_ref().unwrap());
        let back = u * DMatrix::from_diagonal(&svd.singular_values) * v_t;
        prop_assert!((&back - &w).norm() <= tol(&w) * norm, "‖W − UΣVᵀ‖ = {}", (&back - &w).norm());
        let k = w.nrows().min(w.ncols());
        prop_assert!((u.transpose() * u - DMatrix::<f64>::identity(k, k)).norm() <= tol(&w));
        prop_assert!((v_t * v_t.transpose() - DMatrix::<f64>::identity(k, k)).norm() <= tol(&w));
        let s = singular_values(&w);
        prop_assert_eq!(s.len(), k);
        prop_assert!(s.windows(2).all(|p| p[0] <= p[1]) && s[0] >= 0.0);
        // nalgebra's values-only SVD (the crate's) may differ from the one with vectors by ulps.
        let mut expect: Vec<f64> = svd.singular_values.iter().copied().collect();
        expect.sort_by(f64::total_cmp);
        for (a, b) in s.iter().zip(&expect) {
            prop_assert!((a - b).abs() <= tol(&w) * norm, "{a} vs {b}");
        }
        // Σσ² = ‖W‖_F².
        let ss: f64 = s.iter().map(|x| x * x).sum();
        prop_assert!((ss - norm * norm).abs() <= tol(&w) * norm * norm);
    }

    /// The eigenvalues of X = WᵀW (or WWᵀ, the paper's swap for wide W) are the squared singular
    /// values, and W and Wᵀ share them.
    #[test]
    fn gram_eigenvalues_are_squared_singular_values(w in matrix()) {
        let norm2 = w.norm_squared();
        let (x, s) = (gram_eigenvalues(&w), singular_values(&w));
        prop_assert_eq!(x.len(), s.len());
        for (a, b) in x.iter().zip(&s) {
            prop_assert!(*a >= 0.0 && (a - b * b).abs() <= tol(&w) * norm2, "{a} vs {}", b * b);
        }
        for (a, b) in gram_eigenvalues(&w.transpose()).iter().zip(&x) {
            prop_assert!((a - b).abs() <= tol(&w) * norm2);
        }
    }

    /// σ(cW) = |c| σ(W) and x(cW) = c² x(W), for either sign of c.
    #[test]
    fn spectra_scale_with_the_matrix(w in matrix(), c in prop_oneof![-100.0f64..-0.01, 0.01f64..100.0]) {
        let cw = &w * c;
        let norm = w.norm();
        for (a, b) in singular_values(&cw).iter().zip(singular_values(&w)) {
            prop_assert!((a - c.abs() * b).abs() <= tol(&w) * c.abs() * norm, "{a} vs {}", c.abs() * b);
        }
        for (a, b) in gram_eigenvalues(&cw).iter().zip(gram_eigenvalues(&w)) {
            prop_assert!((a - c * c * b).abs() <= tol(&w) * c * c * norm * norm);
        }
        // Rank one: the one non-zero singular value of u vᵀ is |u||v|.
        let (u, v) = (w.column(0).clone_owned(), w.row(0).transpose());
        let r1 = &u * v.transpose() * c;
        let top = *singular_values(&r1).last().unwrap();
        prop_assert!((top - c.abs() * u.norm() * v.norm()).abs() <= tol(&r1) * c.abs() * u.norm() * v.norm());
    }
}
