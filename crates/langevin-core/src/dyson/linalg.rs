//! The small dense linear algebra of the Newton step: Cholesky factorisation and solve, and a
//! dot product in a fixed order.

/// Cholesky factorisation `A = L Lᵀ` of a symmetric positive-definite A given by its diagonal
/// (times `scale`) and its strict upper triangle (row-major n×n in `upper`). L's strict lower
/// triangle goes to `l` with 1/L_jj on its diagonal (the solves multiply). False if A is not
/// numerically positive definite.
///
/// Written out for the Newton step: for n ≈ 10 nalgebra's generic factorisation and solves
/// took 60 % of an implicit step (perf).
#[inline(always)]
pub(super) fn cholesky(diag: &[f64], upper: &[f64], scale: f64, l: &mut [f64], n: usize) -> bool {
    let (diag, upper, l) = (&diag[..n], &upper[..n * n], &mut l[..n * n]);
    for j in 0..n {
        let d = diag[j] * scale - dot(&l[j * n..j * n + j], &l[j * n..j * n + j]);
        // Also rejects NaN.
        if d.is_nan() || d <= 0.0 {
            return false;
        }
        let inv = 1.0 / d.sqrt();
        l[j * n + j] = inv;
        for i in (j + 1)..n {
            let s = upper[j * n + i] - dot(&l[i * n..i * n + j], &l[j * n..j * n + j]);
            l[i * n + j] = s * inv;
        }
    }
    true
}

/// Solves `L Lᵀ z = b` in place with the factor of [`cholesky`].
#[inline(always)]
pub(super) fn cholesky_solve(l: &[f64], b: &mut [f64], n: usize) {
    let (l, b) = (&l[..n * n], &mut b[..n]);
    // L w = b (forward), then Lᵀ z = w (backward, by rows of L).
    for i in 0..n {
        let s = b[i] - dot(&l[i * n..i * n + i], &b[..i]);
        b[i] = s * l[i * n + i];
    }
    for i in (0..n).rev() {
        let zi = b[i] * l[i * n + i];
        b[i] = zi;
        for (bk, lik) in b[..i].iter_mut().zip(&l[i * n..i * n + i]) {
            *bk -= lik * zi;
        }
    }
}

/// Dot product in a fixed order with two accumulators (half the loop overhead).
#[inline(always)]
pub(super) fn dot(u: &[f64], v: &[f64]) -> f64 {
    let v = &v[..u.len()];
    let (mut s0, mut s1) = (0.0, 0.0);
    let (u2, v2) = (u.chunks_exact(2), v.chunks_exact(2));
    let tail = u2
        .remainder()
        .iter()
        .zip(v2.remainder())
        .map(|(p, q)| p * q)
        .sum::<f64>();
    for (p, q) in u2.zip(v2) {
        s0 += p[0] * q[0];
        s1 += p[1] * q[1];
    }
    s0 + s1 + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_agrees_with_nalgebra_and_rejects_indefinite() {
        let n = 5;
        // A Newton matrix: diag(1/c) + a pair Laplacian with weights 1/gap².
        let y: [f64; 5] = [0.1, 0.35, 0.4, 0.9, 1.7];
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            a[i * n + i] = 1.0 / (1e-3 * (i + 1) as f64);
            for j in 0..n {
                if j != i {
                    let w = 1.0 / (y[i] - y[j]).powi(2);
                    a[i * n + i] += w;
                    a[i * n + j] = -w;
                }
            }
        }
        let m = nalgebra::DMatrix::from_row_slice(n, n, &a);
        let b = [1.0, -2.0, 0.5, 3.0, -1.0];
        let want = m
            .cholesky()
            .unwrap()
            .solve(&nalgebra::DVector::from_row_slice(&b));
        let diag: Vec<f64> = (0..n).map(|i| a[i * n + i]).collect();
        let mut l = vec![0.0; n * n];
        let mut got = b;
        assert!(cholesky(&diag, &a, 1.0, &mut l, n));
        cholesky_solve(&l, &mut got, n);
        for i in 0..n {
            assert!((got[i] - want[i]).abs() <= 1e-12 * want.amax());
        }
        // [[1, 2], [2, 1]] is indefinite; with the diagonal scaled by 5 it is not.
        let upper = [0.0, 2.0, 0.0, 0.0];
        assert!(!cholesky(&[1.0, 1.0], &upper, 1.0, &mut [0.0; 4], 2));
        assert!(cholesky(&[1.0, 1.0], &upper, 5.0, &mut [0.0; 4], 2));
    }
}
