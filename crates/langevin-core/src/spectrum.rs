//! Spectra of weight matrices: eigenvalues of `X = WᵀW` and singular values of `W`.

use nalgebra::DMatrix;

/// Eigenvalues of a symmetric matrix, ascending (nalgebra returns them unsorted).
pub fn symmetric_eigenvalues(m: DMatrix<f64>) -> Vec<f64> {
    let mut e: Vec<f64> = m.symmetric_eigenvalues().iter().copied().collect();
    e.sort_by(f64::total_cmp);
    e
}

/// The eigenvalues `x_i` of `X = WᵀW` for an M×N weight matrix, ascending.
///
/// With N ≤ M these are the N squared singular values ξ_i² of W; for N > M the paper swaps
/// W and Wᵀ, so the min(M, N) non-trivial eigenvalues (of the smaller Gram matrix) are
/// returned. They are clamped at 0 against round-off: X is positive semi-definite.
// ANCHOR: gram_eigenvalues
pub fn gram_eigenvalues(w: &DMatrix<f64>) -> Vec<f64> {
    let gram = if w.ncols() <= w.nrows() {
        w.transpose() * w
    } else {
        w * w.transpose()
    };
    let mut e = symmetric_eigenvalues(gram);
    e.iter_mut().for_each(|v| *v = v.max(0.0));
    e
}
// ANCHOR_END: gram_eigenvalues

/// Singular values ξ_i of W, ascending.
pub fn singular_values(w: &DMatrix<f64>) -> Vec<f64> {
    let mut s: Vec<f64> = w.singular_values().iter().copied().collect();
    s.sort_by(f64::total_cmp);
    s
}

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

/// Singular values (ascending) of an M×N matrix given row by row (`w.len() == m·n`).
///
/// # Panics
/// If `w.len() != m * n`.
pub fn singular_values_row_major(w: &[f64], m: usize, n: usize) -> Vec<f64> {
    assert_eq!(w.len(), m * n, "matrix data and shape disagree");
    if m == 2 && n == 2 {
        return singular_values_2x2(w[0], w[1], w[2], w[3]).to_vec();
    }
    singular_values(&DMatrix::from_row_slice(m, n, w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gram_eigenvalues_are_squared_singular_values_ascending() {
        let w = DMatrix::from_row_slice(3, 2, &[1.0, 2.0, 0.0, 1.0, -1.0, 3.0]);
        let x = gram_eigenvalues(&w);
        let s = singular_values(&w);
        assert_eq!(x.len(), 2);
        assert!(x[0] <= x[1]);
        for (a, b) in x.iter().zip(&s) {
            assert!((a - b * b).abs() < 1e-12);
        }
        // Trace identity: Σ x_i = ‖W‖_F².
        assert!((x.iter().sum::<f64>() - w.norm_squared()).abs() < 1e-12);
        // Wide matrices: the paper swaps W and Wᵀ.
        let wide = gram_eigenvalues(&w.transpose());
        for (a, b) in wide.iter().zip(&x) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    #[test]
    fn symmetric_eigenvalues_are_sorted() {
        let m = DMatrix::from_row_slice(3, 3, &[3.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 2.0]);
        assert_eq!(symmetric_eigenvalues(m), vec![-1.0, 2.0, 3.0]);
    }
}
