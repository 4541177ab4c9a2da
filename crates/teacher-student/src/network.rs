//! The linear one-hidden-layer network of Eq (14), its loss Eq (13) and gradients Eqs (15), (17),
//! for matrices of any (rectangular) shape.
//!
//! Shapes: an input `x` has N components, the hidden layer M, the output P:
//! `W` is M×N (the learnt matrix), `Z` is P×M (fixed, shared by teacher and student).
//! These dynamically sized versions define the model and are used by the tests (finite
//! differences, shapes); the fast fixed-size update used for ensembles is in [`crate::sim`].

use nalgebra::{DMatrix, DVector};

use crate::error::TsError;

/// The network of Eq (14) with identity activation.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// Hidden-to-output matrix Z (P×M), the same for teacher and student.
    pub z: DMatrix<f64>,
    /// Input-to-hidden matrix W (M×N).
    pub w: DMatrix<f64>,
}

fn check_matrix(name: &str, m: &DMatrix<f64>) -> Result<(), TsError> {
    if m.is_empty() {
        return Err(TsError::Shape(format!(
            "{name} is empty (0 rows or columns)"
        )));
    }
    if let Some(v) = m.iter().find(|v| !v.is_finite()) {
        return Err(TsError::Invalid(format!(
            "{name} has a non-finite entry {v}"
        )));
    }
    Ok(())
}

impl Network {
    /// Validates finite entries and Z.ncols() == W.nrows().
    pub fn new(z: DMatrix<f64>, w: DMatrix<f64>) -> Result<Self, TsError> {
        check_matrix("Z", &z)?;
        check_matrix("W", &w)?;
        if z.ncols() != w.nrows() {
            return Err(TsError::Shape(format!(
                "Z is {}x{} and W is {}x{}: Z needs as many columns as W has rows",
                z.nrows(),
                z.ncols(),
                w.nrows(),
                w.ncols()
            )));
        }
        Ok(Self { z, w })
    }

    /// Input dimension N.
    pub fn input_dim(&self) -> usize {
        self.w.ncols()
    }

    /// Output dimension P.
    pub fn output_dim(&self) -> usize {
        self.z.nrows()
    }

    /// Eq. (14) of the paper with the activation set to the identity.
    ///
    /// ```text
    /// f(x; W) = Z a(W x),   a = identity   ⇒   f(x; W) = Z W x
    /// ```
    // ANCHOR: eq14
    pub fn output(&self, x: &DVector<f64>) -> Result<DVector<f64>, TsError> {
        if x.len() != self.input_dim() {
            return Err(TsError::Shape(format!(
                "input has {} components, W has {} columns",
                x.len(),
                self.input_dim()
            )));
        }
        Ok(&self.z * (&self.w * x))
    }
    // ANCHOR_END: eq14
}

fn check_pair(
    z: &DMatrix<f64>,
    w_teacher: &DMatrix<f64>,
    w_student: &DMatrix<f64>,
) -> Result<(), TsError> {
    check_matrix("Z", z)?;
    check_matrix("W_t", w_teacher)?;
    check_matrix("W_s", w_student)?;
    if w_teacher.shape() != w_student.shape() {
        return Err(TsError::Shape(format!(
            "W_t is {:?} and W_s is {:?}: teacher and student need the same shape",
            w_teacher.shape(),
            w_student.shape()
        )));
    }
    if z.ncols() != w_teacher.nrows() {
        return Err(TsError::Shape(format!(
            "Z has {} columns, W has {} rows",
            z.ncols(),
            w_teacher.nrows()
        )));
    }
    Ok(())
}

fn check_inputs(xs: &[DVector<f64>], n: usize) -> Result<(), TsError> {
    if xs.is_empty() {
        return Err(TsError::Zero {
            name: "number of data points",
        });
    }
    for (p, x) in xs.iter().enumerate() {
        if x.len() != n {
            return Err(TsError::Shape(format!(
                "data point {p} has {} components, W has {n} columns",
                x.len()
            )));
        }
        if let Some(v) = x.iter().find(|v| !v.is_finite()) {
            return Err(TsError::Invalid(format!(
                "data point {p} has a non-finite component {v}"
            )));
        }
    }
    Ok(())
}

/// Eq. (13) of the paper: the mean squared error between teacher and student outputs.
///
/// ```text
/// L(W_s) = 1/(2P) Σ_{p=1}^{P} | f(x_p; W_t) − f(x_p; W_s) |²,   f(x; W) = Z W x
/// ```
// ANCHOR: eq13
pub fn loss(
    z: &DMatrix<f64>,
    w_teacher: &DMatrix<f64>,
    w_student: &DMatrix<f64>,
    xs: &[DVector<f64>],
) -> Result<f64, TsError> {
    check_pair(z, w_teacher, w_student)?;
    check_inputs(xs, w_teacher.ncols())?;
    let diff = z * (w_teacher - w_student);
    let sum: f64 = xs.iter().map(|x| (&diff * x).norm_squared()).sum();
    Ok(sum / (2.0 * xs.len() as f64))
}
// ANCHOR_END: eq13

/// Eq. (15) of the paper: the gradient of the loss for one data point x.
///
/// ```text
/// ∂L/∂W_{s,i'i} = − Σ_{j',j} (ZᵀZ)_{i'j'} (W_t − W_s)_{j'j} x_j x_i
///              = − [ ZᵀZ (W_t − W_s) x xᵀ ]_{i'i}
/// ```
// ANCHOR: eq15
pub fn gradient_datum(
    z: &DMatrix<f64>,
    w_teacher: &DMatrix<f64>,
    w_student: &DMatrix<f64>,
    x: &DVector<f64>,
) -> Result<DMatrix<f64>, TsError> {
    check_pair(z, w_teacher, w_student)?;
    check_inputs(std::slice::from_ref(x), w_teacher.ncols())?;
    let g = z.transpose() * z;
    Ok(-(g * (w_teacher - w_student) * x) * x.transpose())
}
// ANCHOR_END: eq15

/// Eq (15) averaged over a minibatch B: `−ZᵀZ (W_t − W_s) C_B`, `C_B = (1/|B|) Σ_{p∈B} x_p x_pᵀ`.
/// This is the gradient of Eq (13) over the points of B, and what SGD uses.
pub fn gradient_batch(
    z: &DMatrix<f64>,
    w_teacher: &DMatrix<f64>,
    w_student: &DMatrix<f64>,
    xs: &[DVector<f64>],
) -> Result<DMatrix<f64>, TsError> {
    check_pair(z, w_teacher, w_student)?;
    check_inputs(xs, w_teacher.ncols())?;
    let n = w_teacher.ncols();
    let mut c = DMatrix::zeros(n, n);
    for x in xs {
        c += x * x.transpose();
    }
    c /= xs.len() as f64;
    Ok(-(z.transpose() * z) * (w_teacher - w_student) * c)
}

/// Eq. (17) of the paper: the minibatch gradient with the input covariance replaced by its
/// expectation, Eq (16) `(1/|B|) Σ_p x_{i,p} x_{j,p} ≃ δ_ij`.
///
/// ```text
/// ∂L/∂W_{s,i'i} |_B = − Σ_{j'} (ZᵀZ)_{i'j'} (W_t − W_s)_{j'i}
/// ```
// ANCHOR: eq17
pub fn gradient_eq17(
    z: &DMatrix<f64>,
    w_teacher: &DMatrix<f64>,
    w_student: &DMatrix<f64>,
) -> Result<DMatrix<f64>, TsError> {
    check_pair(z, w_teacher, w_student)?;
    Ok(-(z.transpose() * z) * (w_teacher - w_student))
}
// ANCHOR_END: eq17

#[cfg(test)]
mod tests {
    use super::*;

    fn rect() -> (DMatrix<f64>, DMatrix<f64>, DMatrix<f64>, Vec<DVector<f64>>) {
        // P = 2 outputs, M = 3 hidden, N = 4 inputs.
        let z = DMatrix::from_row_slice(2, 3, &[0.3, -1.2, 0.5, 0.9, 0.1, -0.4]);
        let wt = DMatrix::from_fn(3, 4, |i, j| ((i * 4 + j) as f64 * 0.37).sin());
        let ws = DMatrix::from_fn(3, 4, |i, j| ((i * 4 + j) as f64 * 0.71).cos() * 0.5);
        let xs = (0..5)
            .map(|p| DVector::from_fn(4, |j, _| ((p * 4 + j) as f64 * 1.3).sin() * 1.7))
            .collect();
        (z, wt, ws, xs)
    }

    /// Eq 15 equals a central finite-difference gradient of Eq 13 (one data point and a batch).
    #[test]
    fn eq15_is_the_gradient_of_eq13() {
        let (z, wt, ws, xs) = rect();
        for batch in [&xs[..1], &xs[..]] {
            let analytic = if batch.len() == 1 {
                gradient_datum(&z, &wt, &ws, &batch[0]).unwrap()
            } else {
                gradient_batch(&z, &wt, &ws, batch).unwrap()
            };
            let h = 1e-6;
            for i in 0..ws.nrows() {
                for j in 0..ws.ncols() {
                    let (mut p, mut m) = (ws.clone(), ws.clone());
                    p[(i, j)] += h;
                    m[(i, j)] -= h;
                    let fd = (loss(&z, &wt, &p, batch).unwrap()
                        - loss(&z, &wt, &m, batch).unwrap())
                        / (2.0 * h);
                    assert!(
                        (fd - analytic[(i, j)]).abs() < 1e-8 * (1.0 + fd.abs()),
                        "({i},{j}): fd {fd} vs Eq 15 {}",
                        analytic[(i, j)]
                    );
                }
            }
        }
    }

    #[test]
    fn eq17_is_eq15_with_unit_covariance() {
        let (z, wt, ws, _) = rect();
        // Inputs ±e_j·√N have C_B = 1 exactly.
        let n = 4;
        let xs: Vec<DVector<f64>> = (0..n)
            .map(|j| DVector::from_fn(n, |k, _| if k == j { (n as f64).sqrt() } else { 0.0 }))
            .collect();
        let b = gradient_batch(&z, &wt, &ws, &xs).unwrap();
        let e = gradient_eq17(&z, &wt, &ws).unwrap();
        assert!((b - e).abs().max() < 1e-12);
    }

    #[test]
    fn eq14_output_and_shapes() {
        let (z, wt, _, xs) = rect();
        let net = Network::new(z.clone(), wt.clone()).unwrap();
        assert_eq!((net.input_dim(), net.output_dim()), (4, 2));
        let y = net.output(&xs[0]).unwrap();
        assert!((y - &z * (&wt * &xs[0])).norm() < 1e-14);
        assert!(net.output(&DVector::zeros(3)).is_err());
        assert!(Network::new(z.clone(), DMatrix::zeros(2, 4)).is_err());
        let mut bad = wt.clone();
        bad[(0, 0)] = f64::NAN;
        assert!(Network::new(z.clone(), bad).is_err());
        assert!(loss(&z, &wt, &DMatrix::zeros(3, 3), &xs).is_err());
        assert!(loss(&z, &wt, &wt, &[]).is_err());
        assert_eq!(loss(&z, &wt, &wt, &xs).unwrap(), 0.0);
    }
}
