//! The analytic singular-value dynamics of §4.2: Eqs (18), (21)-(25), and the learning rates
//! `a_i = α (UᵀZᵀZU)_ii` with their conversion from SGD steps to epochs.
//!
//! Time: one step of Eq (18)'s discretisation is one SGD update, so a rate per step `a` becomes
//! `a · S` per epoch with `S` SGD steps (minibatches) per epoch. The discrete update
//! `ξ ← ξ + α λ (√κ − ξ)` contracts by `(1 − αλ)` per step, i.e. by `e^{S ln(1 − αλ)}` per
//! epoch: the exact per-epoch rate is `−S ln(1 − αλ)`, which equals `αλ S` to first order in αλ.

use nalgebra::{DMatrix, SymmetricEigen};

use crate::error::TsError;

/// Eq. (18) of the paper: the continuous-time limit of the averaged SGD update.
///
/// ```text
/// Ẇ_s = α (ZᵀZ)(W_t − W_s)
/// ```
// ANCHOR: eq18
pub fn eq18_velocity(
    g: &DMatrix<f64>,
    w_teacher: &DMatrix<f64>,
    w_student: &DMatrix<f64>,
    lr: f64,
) -> DMatrix<f64> {
    lr * g * (w_teacher - w_student)
}
// ANCHOR_END: eq18

/// Eq. (21) of the paper: the drift of the squared singular value `x_i = ξ_i²` when the student's
/// singular bases coincide with the teacher's.
///
/// ```text
/// ẋ_i = 2 a_i ( √(κ_i x_i) − x_i )
/// ```
// ANCHOR: eq21
pub fn eq21_drift(x: f64, kappa: f64, a: f64) -> f64 {
    2.0 * a * ((kappa * x).sqrt() - x)
}
// ANCHOR_END: eq21

/// Eq. (22) of the paper: the solution of Eq (21) from `x_i(0) = x_{i,0}` (the branch that leaves
/// 0, math-notes §2 item 13).
///
/// ```text
/// x_i(t) = [ √κ_i + (√x_{i,0} − √κ_i) e^{−a_i t} ]²
/// ```
// ANCHOR: eq22
pub fn eq22(t: f64, x0: f64, kappa: f64, a: f64) -> f64 {
    let s = kappa.sqrt();
    let y = s + (x0.sqrt() - s) * (-a * t).exp();
    y * y
}
// ANCHOR_END: eq22

/// Eq. (23) of the paper: the singular values relax linearly.
///
/// ```text
/// ξ_i(t) = √κ_i + (ξ_i(0) − √κ_i) e^{−a_i t}
/// ```
// ANCHOR: eq23
pub fn eq23(t: f64, xi0: f64, kappa: f64, a: f64) -> f64 {
    let s = kappa.sqrt();
    s + (xi0 - s) * (-a * t).exp()
}
// ANCHOR_END: eq23

/// Eq. (24) of the paper: the potential whose negative derivative is the drift of Eq (21),
/// `ẋ = −V'(x)` with `V'(x) = 2a(x − √(κx))`.
///
/// ```text
/// V(x_i) = a_i ( x_i² − (4/3) √κ_i x_i^{3/2} )
/// ```
// ANCHOR: eq24
pub fn eq24_potential(x: f64, kappa: f64, a: f64) -> f64 {
    a * (x * x - 4.0 / 3.0 * kappa.sqrt() * x.powf(1.5))
}
// ANCHOR_END: eq24

/// Eq. (25) of the paper: the expansion of Eq (24) about its minimum x = κ. The curvature there is
/// `a_i` (math-notes §2 item 8: the curvature, not the width, is proportional to the rate).
///
/// ```text
/// V(x_i) = −(1/3) a_i κ_i² + (a_i/2)(x_i − κ_i)² + …
/// ```
// ANCHOR: eq25
pub fn eq25_quadratic(x: f64, kappa: f64, a: f64) -> f64 {
    -a * kappa * kappa / 3.0 + 0.5 * a * (x - kappa) * (x - kappa)
}
// ANCHOR_END: eq25

/// Eigen-decomposition of the symmetric matrix G = ZᵀZ: eigenvalues ascending and the matching
/// orthonormal eigenvectors as the columns of U (so that UᵀGU = diag(λ)).
pub fn eigen_sorted(g: &DMatrix<f64>) -> Result<(Vec<f64>, DMatrix<f64>), TsError> {
    if g.nrows() != g.ncols() || g.is_empty() {
        return Err(TsError::Shape(format!(
            "ZᵀZ must be square and non-empty, got {}x{}",
            g.nrows(),
            g.ncols()
        )));
    }
    if let Some(v) = g.iter().find(|v| !v.is_finite()) {
        return Err(TsError::Invalid(format!("ZᵀZ has a non-finite entry {v}")));
    }
    let e = SymmetricEigen::new(g.clone());
    let mut idx: Vec<usize> = (0..g.nrows()).collect();
    idx.sort_by(|&a, &b| e.eigenvalues[a].total_cmp(&e.eigenvalues[b]));
    let vals = idx.iter().map(|&i| e.eigenvalues[i]).collect();
    let mut u = DMatrix::zeros(g.nrows(), g.ncols());
    for (k, &i) in idx.iter().enumerate() {
        let mut col = e.eigenvectors.column(i).into_owned();
        // Fix the sign: largest-magnitude component positive (a deterministic convention).
        let imax = col.iamax();
        if col[imax] < 0.0 {
            col = -col;
        }
        u.set_column(k, &col);
    }
    Ok((vals, u))
}

/// The learning rates per SGD step of Eq (21): `a_i = α (UᵀZᵀZU)_ii` for the basis U (columns).
///
/// ```text
/// a_i = α (Uᵀ ZᵀZ U)_ii          (per SGD step)
/// ```
pub fn rates_per_step(g: &DMatrix<f64>, u: &DMatrix<f64>, lr: f64) -> Result<Vec<f64>, TsError> {
    if u.nrows() != g.nrows() {
        return Err(TsError::Shape(format!(
            "U has {} rows, ZᵀZ is {}x{}",
            u.nrows(),
            g.nrows(),
            g.ncols()
        )));
    }
    let m = u.transpose() * g * u;
    Ok((0..m.ncols()).map(|i| lr * m[(i, i)]).collect())
}

/// Per-step rate `a` to per-epoch rate with `steps_per_epoch` SGD steps per epoch.
///
/// ```text
/// a_epoch = a · S                 (continuous time, Eq 18)
/// ```
pub fn per_epoch(a_step: f64, steps_per_epoch: usize) -> f64 {
    a_step * steps_per_epoch as f64
}

/// The exact per-epoch relaxation rate of the discrete update `δ ← (1 − a) δ` applied
/// `steps_per_epoch` times: `−S ln(1 − a)` (NaN for `a ≥ 1`, where the step overshoots).
pub fn per_epoch_discrete(a_step: f64, steps_per_epoch: usize) -> f64 {
    if a_step >= 1.0 {
        return f64::NAN;
    }
    -(steps_per_epoch as f64) * (-a_step).ln_1p()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Eq 22 solves Eq 21: compare with a fine RK4 integration of Eq 21.
    #[test]
    fn eq22_solves_eq21() {
        for &(x0, kappa, a) in &[
            (0.3, 4.0, 0.6),
            (9.0, 4.0, 1.7),
            (1.0, 2.5, 0.05),
            (4.0, 4.0, 3.0),
        ] {
            let (mut x, h, t_end) = (x0, 1e-4, 3.0);
            let n = (t_end / h) as usize;
            for _ in 0..n {
                let f = |x: f64| eq21_drift(x, kappa, a);
                let k1 = f(x);
                let k2 = f(x + 0.5 * h * k1);
                let k3 = f(x + 0.5 * h * k2);
                let k4 = f(x + h * k3);
                x += h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
            }
            let exact = eq22(t_end, x0, kappa, a);
            assert!((x - exact).abs() < 1e-10 * exact.max(1.0), "{x} vs {exact}");
            // Eq 23 is the square root of Eq 22.
            assert!((eq23(t_end, x0.sqrt(), kappa, a).powi(2) - exact).abs() < 1e-12);
        }
    }

    /// Errata item 13: x ≡ 0 solves Eq 21 too (its right-hand side is not Lipschitz at 0); Eq 22
    /// from x₀ = 0 is the other solution, the branch that leaves 0, and ξ = √x obeys the linear
    /// equation ξ̇ = a(√κ − ξ), whose solution from ξ₀ ≥ 0 is unique (Eq 23).
    #[test]
    fn eq22_from_zero_is_the_branch_that_leaves_zero() {
        let (kappa, a) = (4.0, 0.7);
        assert_eq!(eq21_drift(0.0, kappa, a), 0.0);
        let h = 1e-6;
        for &t in &[0.01, 0.5, 2.0, 6.0] {
            let x = eq22(t, 0.0, kappa, a);
            assert!(x > 0.0 && x < kappa, "x({t}) = {x}");
            let dx = (eq22(t + h, 0.0, kappa, a) - eq22(t - h, 0.0, kappa, a)) / (2.0 * h);
            assert!((dx - eq21_drift(x, kappa, a)).abs() < 1e-7 * dx.abs().max(1.0));
            let dxi = (eq23(t + h, 0.0, kappa, a) - eq23(t - h, 0.0, kappa, a)) / (2.0 * h);
            let xi = eq23(t, 0.0, kappa, a);
            assert!((dxi - a * (kappa.sqrt() - xi)).abs() < 1e-8);
        }
    }

    /// Eq 24 is a potential of Eq 21 (−V' = drift), Eq 25 its expansion about the minimum.
    #[test]
    fn eq24_and_eq25() {
        let (kappa, a) = (4.0, 0.7);
        for &x in &[0.5, 2.0, 3.9, 4.0, 4.3, 7.0] {
            let h = 1e-6;
            let dv =
                (eq24_potential(x + h, kappa, a) - eq24_potential(x - h, kappa, a)) / (2.0 * h);
            assert!((-dv - eq21_drift(x, kappa, a)).abs() < 1e-6);
        }
        // Same value, slope and curvature at the minimum.
        assert!((eq24_potential(kappa, kappa, a) - eq25_quadratic(kappa, kappa, a)).abs() < 1e-12);
        let h = 1e-4;
        let curv =
            |f: &dyn Fn(f64) -> f64| (f(kappa + h) - 2.0 * f(kappa) + f(kappa - h)) / (h * h);
        let c24 = curv(&|x| eq24_potential(x, kappa, a));
        assert!((c24 - a).abs() < 1e-5, "curvature {c24} vs {a}");
    }

    #[test]
    fn rates_in_the_eigenbasis_are_eigenvalues() {
        let g = DMatrix::from_row_slice(2, 2, &[0.0299, 0.1522, 0.1522, 1.2964]);
        let (vals, u) = eigen_sorted(&g).unwrap();
        assert!(vals[0] < vals[1]);
        let r = rates_per_step(&g, &u, 0.1).unwrap();
        assert!((r[0] - 0.1 * vals[0]).abs() < 1e-15 && (r[1] - 0.1 * vals[1]).abs() < 1e-15);
        // Identity basis: the diagonal of ZᵀZ.
        let r1 = rates_per_step(&g, &DMatrix::identity(2, 2), 0.1).unwrap();
        assert!((r1[0] - 0.00299).abs() < 1e-15);
        assert!((per_epoch(r[0], 500) - 50.0 * vals[0]).abs() < 1e-12);
        let d = per_epoch_discrete(0.01, 100);
        assert!((d - 100.0 * -(0.99f64).ln()).abs() < 1e-12 && d > 1.0);
        assert!(per_epoch_discrete(1.5, 10).is_nan());
        assert!(eigen_sorted(&DMatrix::zeros(2, 3)).is_err());
    }

    #[test]
    fn eq18_velocity_points_to_the_teacher() {
        let g = DMatrix::from_row_slice(2, 2, &[2.0, 0.0, 0.0, 1.0]);
        let wt = DMatrix::identity(2, 2) * 2.0;
        let ws = DMatrix::zeros(2, 2);
        let v = eq18_velocity(&g, &wt, &ws, 0.5);
        assert_eq!(v, DMatrix::from_row_slice(2, 2, &[2.0, 0.0, 0.0, 1.0]));
    }
}
