//! Levenberg–Marquardt least squares with analytic Jacobians (nalgebra), for the histogram fits of
//! Eqs (11), (31), (32) and the Gaussian, and for the straight-line scaling fits of Fig 3.
//!
//! Error conventions follow `scipy.optimize.curve_fit`:
//! * no y errors (the authors' histogram fits): cov = (JᵀJ)⁻¹ · SSR/dof (`absolute_sigma=False`);
//! * with y errors e_i: χ² = Σ r_i²/e_i² is a true χ², `covariance` = (JᵀWJ)⁻¹ (`absolute_sigma=True`)
//!   and `covariance_scaled` = (JᵀWJ)⁻¹ · χ²/dof (`absolute_sigma=False`, what the authors used for
//!   the scaling fits).

use nalgebra::{DMatrix, DVector};

use crate::density::Density1D as _;
use crate::error::GasError;
use crate::fit::spd_inverse;
use crate::histogram::Histogram;
use crate::pair::pair_shape;
use crate::special::SQRT_2PI;
use crate::two_species::rho_two_species_grad;

/// A model y = f(x; p) with an analytic gradient ∂f/∂p.
pub trait Model {
    /// Number of parameters.
    fn n_params(&self) -> usize;
    /// f(x; p). Return NaN outside the parameter domain (the optimiser then rejects the step).
    fn value(&self, x: f64, p: &[f64]) -> f64;
    /// ∂f/∂p_k into `out` (len = n_params).
    fn gradient(&self, x: f64, p: &[f64], out: &mut [f64]);
    /// Parameter names, for summaries (default p0, p1, ...).
    fn names(&self) -> Vec<String> {
        (0..self.n_params()).map(|i| format!("p{i}")).collect()
    }
    /// Canonical form of a fitted parameter vector (e.g. σ₁ ≤ σ₂ for the symmetric Eq 32):
    /// entry k is (source index, sign), meaning `p'[k] = sign * p[source]`.
    fn canonical(&self, p: &[f64]) -> Vec<(usize, f64)> {
        (0..p.len()).map(|i| (i, 1.0)).collect()
    }
}

/// Eq (11), parameters [centre, σ].
#[derive(Clone, Copy, Debug, Default)]
pub struct PairModel;

impl Model for PairModel {
    fn n_params(&self) -> usize {
        2
    }
    fn value(&self, x: f64, p: &[f64]) -> f64 {
        crate::pair::rho_pair(x, p[0], p[1])
    }
    /// ρ = f(t)/σ, t = (x − c)/σ: ∂ρ/∂c = −f'(t)/σ², ∂ρ/∂σ = −(f + t f')/σ².
    fn gradient(&self, x: f64, p: &[f64], out: &mut [f64]) {
        let s = p[1];
        let t = (x - p[0]) / s;
        let (f, df) = pair_shape(t);
        out[0] = -df / (s * s);
        out[1] = -(f + t * df) / (s * s);
    }
    fn names(&self) -> Vec<String> {
        ["centre", "sigma"].map(String::from).to_vec()
    }
}

/// Normal density, parameters [centre, σ].
#[derive(Clone, Copy, Debug, Default)]
pub struct GaussianModel;

impl Model for GaussianModel {
    fn n_params(&self) -> usize {
        2
    }
    fn value(&self, x: f64, p: &[f64]) -> f64 {
        if p[1].is_nan() || p[1] <= 0.0 {
            return f64::NAN;
        }
        let t = (x - p[0]) / p[1];
        (-0.5 * t * t).exp() / (SQRT_2PI * p[1])
    }
    fn gradient(&self, x: f64, p: &[f64], out: &mut [f64]) {
        let s = p[1];
        let t = (x - p[0]) / s;
        let phi = (-0.5 * t * t).exp() / SQRT_2PI;
        out[0] = t * phi / (s * s);
        out[1] = (t * t - 1.0) * phi / (s * s);
    }
    fn names(&self) -> Vec<String> {
        ["centre", "sigma"].map(String::from).to_vec()
    }
}

/// Eq (32), parameters [centre, σ₁, σ₂]; reported with σ₁ ≤ σ₂ (the law is symmetric).
#[derive(Clone, Copy, Debug, Default)]
pub struct TwoSpeciesModel;

impl Model for TwoSpeciesModel {
    fn n_params(&self) -> usize {
        3
    }
    fn value(&self, x: f64, p: &[f64]) -> f64 {
        crate::two_species::rho_two_species(x, p[0], p[1], p[2])
    }
    fn gradient(&self, x: f64, p: &[f64], out: &mut [f64]) {
        let g = rho_two_species_grad(x - p[0], p[1], p[2]);
        out[0] = -g[1];
        out[1] = g[2];
        out[2] = g[3];
    }
    fn names(&self) -> Vec<String> {
        ["centre", "sigma1", "sigma2"].map(String::from).to_vec()
    }
    fn canonical(&self, p: &[f64]) -> Vec<(usize, f64)> {
        if p[1] <= p[2] {
            vec![(0, 1.0), (1, 1.0), (2, 1.0)]
        } else {
            vec![(0, 1.0), (2, 1.0), (1, 1.0)]
        }
    }
}

/// The single-sector density (species 1 = upper level) as a least-squares model, parameters
/// [centre, σ_upper, σ_lower], with central-difference derivatives.
#[derive(Clone, Copy, Debug, Default)]
pub struct SectorModel;

impl Model for SectorModel {
    fn n_params(&self) -> usize {
        3
    }
    fn value(&self, x: f64, p: &[f64]) -> f64 {
        if !(p[1] > 0.0 && p[2] > 0.0) {
            return f64::NAN;
        }
        crate::two_species::SectorDensity {
            centre: p[0],
            sigma1: p[1],
            sigma2: p[2],
        }
        .pdf(x)
    }
    fn gradient(&self, x: f64, p: &[f64], out: &mut [f64]) {
        for k in 0..3 {
            let h = 1e-6 * p[k].abs().max(p[1].min(p[2]));
            let (mut a, mut b) = (p.to_vec(), p.to_vec());
            a[k] += h;
            b[k] -= h;
            out[k] = (self.value(x, &a) - self.value(x, &b)) / (2.0 * h);
        }
    }
    fn names(&self) -> Vec<String> {
        ["centre", "sigma_upper", "sigma_lower"]
            .map(String::from)
            .to_vec()
    }
}

/// Eq (31) as a function of S, parameter `[σ_m]`.
#[derive(Clone, Copy, Debug, Default)]
pub struct SurmiseModel;

impl Model for SurmiseModel {
    fn n_params(&self) -> usize {
        1
    }
    fn value(&self, s: f64, p: &[f64]) -> f64 {
        if p[0].is_nan() || p[0] <= 0.0 {
            return f64::NAN;
        }
        crate::surmise::surmise_pdf(s, p[0])
    }
    /// ∂P/∂σ = P · (S²/(2σ³) − 2/σ).
    fn gradient(&self, s: f64, p: &[f64], out: &mut [f64]) {
        let v = crate::surmise::surmise_pdf(s, p[0]);
        out[0] = v * (s * s / (2.0 * p[0].powi(3)) - 2.0 / p[0]);
    }
    fn names(&self) -> Vec<String> {
        ["sigma_m"].map(String::from).to_vec()
    }
}

/// The Hoyt law as a function of S, parameters [σ_u, σ_v]; reported with σ_u ≥ σ_v (the law is
/// symmetric under σ_u ↔ σ_v).
#[derive(Clone, Copy, Debug, Default)]
pub struct HoytModel;

impl Model for HoytModel {
    fn n_params(&self) -> usize {
        2
    }
    fn value(&self, s: f64, p: &[f64]) -> f64 {
        if !(p[0] > 0.0 && p[1] > 0.0 && p[0].is_finite() && p[1].is_finite()) {
            return f64::NAN;
        }
        crate::hoyt::Hoyt {
            sigma_u: p[0],
            sigma_v: p[1],
        }
        .pdf(s)
    }
    /// ∂P/∂σ = P · (∂ ln P/∂ ln σ)/σ, the log-derivatives by the law's own quadrature.
    fn gradient(&self, s: f64, p: &[f64], out: &mut [f64]) {
        let d = crate::hoyt::Hoyt {
            sigma_u: p[0],
            sigma_v: p[1],
        };
        if s <= 0.0 {
            out[0] = 0.0;
            out[1] = 0.0;
            return;
        }
        let v = d.pdf(s);
        let (_, g, _) = d.ln_pdf_derivs(s);
        out[0] = v * g[0] / p[0];
        out[1] = v * g[1] / p[1];
    }
    fn names(&self) -> Vec<String> {
        ["sigma_u", "sigma_v"].map(String::from).to_vec()
    }
    fn canonical(&self, p: &[f64]) -> Vec<(usize, f64)> {
        if p[0] >= p[1] {
            vec![(0, 1.0), (1, 1.0)]
        } else {
            vec![(1, 1.0), (0, 1.0)]
        }
    }
}

/// y = a·x, parameter `[a]` (the linear-scaling fits √π σ = a √(α/|B| ...)).
#[derive(Clone, Copy, Debug, Default)]
pub struct LineThroughOrigin;

impl Model for LineThroughOrigin {
    fn n_params(&self) -> usize {
        1
    }
    fn value(&self, x: f64, p: &[f64]) -> f64 {
        p[0] * x
    }
    fn gradient(&self, x: f64, _p: &[f64], out: &mut [f64]) {
        out[0] = x;
    }
    fn names(&self) -> Vec<String> {
        ["slope"].map(String::from).to_vec()
    }
}

/// Stopping rules of the Levenberg–Marquardt iteration (MINPACK-like).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LmOptions {
    /// Maximum number of iterations (accepted or rejected steps).
    pub max_iter: usize,
    /// Stop when the actual and predicted relative reductions of the SSR are both below ftol.
    pub ftol: f64,
    /// Stop when the step is below xtol · (‖p‖ + xtol).
    pub xtol: f64,
    /// Stop when max |Jᵀr| is below gtol.
    pub gtol: f64,
    /// Initial damping relative to max diag(JᵀJ).
    pub lambda0: f64,
}

impl Default for LmOptions {
    fn default() -> Self {
        Self {
            max_iter: 500,
            ftol: 1e-14,
            xtol: 1e-14,
            gtol: 1e-30,
            lambda0: 1e-3,
        }
    }
}

/// Result of a least-squares fit.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LsqFit {
    /// Parameter names, in order.
    pub names: Vec<String>,
    /// Best-fit parameters (canonical form, see [`Model::canonical`]).
    pub params: Vec<f64>,
    /// √diag(covariance).
    pub stderr: Vec<f64>,
    /// Unweighted: (JᵀJ)⁻¹·SSR/dof. Weighted: (JᵀWJ)⁻¹ (absolute errors).
    pub covariance: Vec<Vec<f64>>,
    /// √diag(covariance_scaled).
    pub stderr_scaled: Vec<f64>,
    /// (JᵀWJ)⁻¹ · (SSR/dof) in both cases (scipy `absolute_sigma=False`).
    pub covariance_scaled: Vec<Vec<f64>>,
    /// Minimised objective: Σ r² (unweighted) or χ² = Σ r²/e² (weighted).
    pub ssr: f64,
    /// Number of points minus number of parameters.
    pub dof: usize,
    /// χ²/dof when y errors were given.
    pub chi2_dof: Option<f64>,
    /// True if a stopping rule other than max_iter ended the iteration.
    pub converged: bool,
    /// Iterations used.
    pub iterations: usize,
}

/// Weighted residuals r_i = (y_i − f_i)/e_i and Jacobian rows J_ik = (∂f_i/∂p_k)/e_i.
fn residuals<M: Model + ?Sized>(
    model: &M,
    x: &[f64],
    y: &[f64],
    w: &[f64],
    p: &[f64],
) -> (DVector<f64>, f64) {
    let r = DVector::from_fn(x.len(), |i, _| (y[i] - model.value(x[i], p)) * w[i]);
    let ssr = r.norm_squared();
    (r, ssr)
}

fn jacobian<M: Model + ?Sized>(model: &M, x: &[f64], w: &[f64], p: &[f64]) -> DMatrix<f64> {
    let k = p.len();
    let mut j = DMatrix::zeros(x.len(), k);
    let mut g = vec![0.0; k];
    for i in 0..x.len() {
        model.gradient(x[i], p, &mut g);
        for c in 0..k {
            j[(i, c)] = g[c] * w[i];
        }
    }
    j
}

/// Least-squares fit of `model` to (x, y), optionally with standard errors `y_err` on y.
///
/// Levenberg–Marquardt with Marquardt's diagonal scaling and Nielsen's damping update:
///
/// ```text
/// (JᵀWJ + μ diag(JᵀWJ)) δ = JᵀW r,   accept if SSR decreases,
/// μ ← μ·max(1/3, 1 − (2ρ − 1)³) on success, μ ← μν, ν ← 2ν on failure,
/// ρ = (SSR − SSR_new)/(δᵀ(μ D δ + JᵀWr))
/// ```
// ANCHOR: lm_fit
pub fn fit_curve<M: Model + ?Sized>(
    model: &M,
    x: &[f64],
    y: &[f64],
    y_err: Option<&[f64]>,
    p0: &[f64],
    opts: &LmOptions,
) -> Result<LsqFit, GasError> {
    let k = model.n_params();
    if p0.len() != k {
        return Err(GasError::Shape(format!(
            "p0 has {} values, the model has {k} parameters",
            p0.len()
        )));
    }
    if x.len() != y.len() {
        return Err(GasError::Shape(format!(
            "x has {} points, y has {}",
            x.len(),
            y.len()
        )));
    }
    if x.len() <= k {
        return Err(GasError::NotEnoughData(format!(
            "{} points for {k} parameters: need more points than parameters",
            x.len()
        )));
    }
    for (name, v) in [("x", x), ("y", y), ("p0", p0)] {
        if let Some((i, bad)) = v.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(GasError::NonFinite(format!("{name}[{i}] = {bad}")));
        }
    }
    let w: Vec<f64> = match y_err {
        None => vec![1.0; x.len()],
        Some(e) => {
            if e.len() != x.len() {
                return Err(GasError::Shape(format!(
                    "y_err has {} values, y has {}",
                    e.len(),
                    y.len()
                )));
            }
            if let Some((i, bad)) = e
                .iter()
                .enumerate()
                .find(|(_, v)| !(v.is_finite() && **v > 0.0))
            {
                return Err(GasError::Invalid(format!(
                    "y_err[{i}] = {bad}: must be finite and > 0"
                )));
            }
            e.iter().map(|v| 1.0 / v).collect()
        }
    };

    let mut p = p0.to_vec();
    let (mut r, mut ssr) = residuals(model, x, y, &w, &p);
    if !ssr.is_finite() {
        return Err(GasError::Fit(format!(
            "the model is not finite at p0 = {p0:?}"
        )));
    }
    let mut jac = jacobian(model, x, &w, &p);
    let mut a = jac.tr_mul(&jac);
    let mut g = jac.tr_mul(&r);
    let max_diag = (0..k).map(|i| a[(i, i)]).fold(0.0, f64::max);
    let mut mu = opts.lambda0 * max_diag.max(f64::MIN_POSITIVE);
    let mut nu = 2.0;
    let mut converged = false;
    let mut iterations = 0;
    while iterations < opts.max_iter {
        iterations += 1;
        if ssr == 0.0 || g.amax() <= opts.gtol {
            converged = true;
            break;
        }
        // Marquardt scaling, floored so that a parameter with zero sensitivity stays solvable.
        let floor = 1e-15 * max_diag.max(f64::MIN_POSITIVE);
        let d = DVector::from_fn(k, |i, _| a[(i, i)].max(floor));
        let mut lhs = a.clone();
        for i in 0..k {
            lhs[(i, i)] += mu * d[i];
        }
        let Some(delta) = lhs.cholesky().map(|c| c.solve(&g)) else {
            mu *= nu;
            nu *= 2.0;
            continue;
        };
        let pnorm = p.iter().map(|v| v * v).sum::<f64>().sqrt();
        if delta.norm() <= opts.xtol * (pnorm + opts.xtol) {
            converged = true;
            break;
        }
        let p_new: Vec<f64> = p.iter().zip(delta.iter()).map(|(a, b)| a + b).collect();
        let (r_new, ssr_new) = residuals(model, x, y, &w, &p_new);
        let predicted = delta.dot(&(d.component_mul(&delta) * mu + &g));
        let actual = ssr - ssr_new;
        if ssr_new.is_finite() && actual > 0.0 {
            let rho = actual / predicted;
            let small = actual <= opts.ftol * ssr && predicted <= opts.ftol * ssr;
            p = p_new;
            r = r_new;
            ssr = ssr_new;
            jac = jacobian(model, x, &w, &p);
            a = jac.tr_mul(&jac);
            g = jac.tr_mul(&r);
            mu *= (1.0_f64 / 3.0).max(1.0 - (2.0 * rho - 1.0).powi(3));
            nu = 2.0;
            if small {
                converged = true;
                break;
            }
        } else {
            mu *= nu;
            nu *= 2.0;
            if !mu.is_finite() {
                break;
            }
        }
    }

    let rows: Vec<Vec<f64>> = (0..k)
        .map(|i| (0..k).map(|j| a[(i, j)]).collect())
        .collect();
    let inv = spd_inverse(&rows).ok_or_else(|| {
        GasError::Fit(format!(
            "JᵀJ is singular at p = {p:?}: the parameters are not determined by the data"
        ))
    })?;
    let dof = x.len() - k;
    let scale = ssr / dof as f64;
    let weighted = y_err.is_some();
    // Canonical order/sign of the parameters, applied to the covariance too.
    let map = model.canonical(&p);
    let params: Vec<f64> = map.iter().map(|&(s, sg)| sg * p[s]).collect();
    let remap = |factor: f64| -> Vec<Vec<f64>> {
        map.iter()
            .map(|&(si, gi)| {
                map.iter()
                    .map(|&(sj, gj)| gi * gj * inv[si][sj] * factor)
                    .collect()
            })
            .collect()
    };
    let covariance = remap(if weighted { 1.0 } else { scale });
    let covariance_scaled = remap(scale);
    let diag_sqrt = |c: &Vec<Vec<f64>>| (0..k).map(|i| c[i][i].sqrt()).collect::<Vec<f64>>();
    Ok(LsqFit {
        names: model.names(),
        params,
        stderr: diag_sqrt(&covariance),
        stderr_scaled: diag_sqrt(&covariance_scaled),
        covariance,
        covariance_scaled,
        ssr,
        dof,
        chi2_dof: weighted.then_some(scale),
        converged,
        iterations,
    })
}
// ANCHOR_END: lm_fit

/// The authors' histogram fit: unweighted least squares of `model` to the densities at the bin
/// centres (`curve_fit(f, centres, density, p0)`).
pub fn fit_histogram<M: Model + ?Sized>(
    model: &M,
    hist: &Histogram,
    p0: &[f64],
) -> Result<LsqFit, GasError> {
    fit_curve(
        model,
        &hist.centres(),
        &hist.density(),
        None,
        p0,
        &LmOptions::default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::two_species::TwoSpecies;

    fn check_gradient<M: Model>(m: &M, p: &[f64], xs: &[f64]) {
        let k = m.n_params();
        let mut g = vec![0.0; k];
        for &x in xs {
            m.gradient(x, p, &mut g);
            for j in 0..k {
                let h = 1e-6 * p[j].abs().max(1e-3);
                let (mut pp, mut pm) = (p.to_vec(), p.to_vec());
                pp[j] += h;
                pm[j] -= h;
                let fd = (m.value(x, &pp) - m.value(x, &pm)) / (2.0 * h);
                let scale = m.value(x, p).abs().max(1e-3) / p[j].abs().max(1e-3);
                assert!(
                    (g[j] - fd).abs() < 1e-7 * scale.max(1.0),
                    "{:?} x={x} j={j}: {} vs {fd}",
                    m.names(),
                    g[j]
                );
            }
        }
    }

    #[test]
    fn analytic_jacobians_match_finite_differences() {
        let xs = [-1.3, -0.2, 0.0, 0.35, 0.9, 2.4];
        check_gradient(&PairModel, &[0.3, 0.6], &xs);
        check_gradient(&GaussianModel, &[0.3, 0.6], &xs);
        check_gradient(&TwoSpeciesModel, &[0.3, 0.4, 1.1], &xs);
        check_gradient(&SurmiseModel, &[0.7], &[0.05, 0.5, 1.0, 2.2]);
        check_gradient(&HoytModel, &[0.7, 0.2], &[0.05, 0.5, 1.0, 2.2, 4.0]);
        check_gradient(&HoytModel, &[0.3, 0.5], &[0.05, 0.5, 1.0, 2.2]);
        check_gradient(&LineThroughOrigin, &[1.7], &xs);
    }

    type Case = (Box<dyn Model>, Vec<f64>, Vec<f64>);

    /// On exact (noise-free) curves every model recovers its parameters to round-off.
    #[test]
    fn lm_recovers_noiseless_parameters_exactly() {
        let xs: Vec<f64> = (0..80).map(|i| -3.0 + 0.08 * i as f64).collect();
        let cases: Vec<Case> = vec![
            (Box::new(PairModel), vec![0.2, 0.5], vec![0.0, 0.8]),
            (Box::new(GaussianModel), vec![-0.4, 0.9], vec![0.0, 0.5]),
            (
                Box::new(TwoSpeciesModel),
                vec![0.1, 0.3, 1.0],
                vec![0.0, 0.5, 0.8],
            ),
            (
                Box::new(TwoSpeciesModel),
                vec![0.1, 1.0, 0.3],
                vec![0.0, 0.8, 0.5],
            ),
        ];
        for (m, truth, p0) in cases {
            let ys: Vec<f64> = xs.iter().map(|&x| m.value(x, &truth)).collect();
            let f = fit_curve(m.as_ref(), &xs, &ys, None, &p0, &LmOptions::default()).unwrap();
            let mut want = truth.clone();
            if want.len() == 3 && want[1] > want[2] {
                want.swap(1, 2); // reported with σ₁ ≤ σ₂
            }
            for (a, b) in f.params.iter().zip(&want) {
                assert!(
                    (a - b).abs() < 1e-10,
                    "{:?}: {:?} vs {want:?}",
                    m.names(),
                    f.params
                );
            }
            assert!(f.converged && f.ssr < 1e-20);
        }
        let s: Vec<f64> = (1..60).map(|i| 0.05 * i as f64).collect();
        let ys: Vec<f64> = s
            .iter()
            .map(|&x| crate::surmise::surmise_pdf(x, 0.45))
            .collect();
        let f = fit_curve(&SurmiseModel, &s, &ys, None, &[0.8], &LmOptions::default()).unwrap();
        assert!((f.params[0] - 0.45).abs() < 1e-12);
        // Hoyt from a start with the widths in the other order: reported σ_u ≥ σ_v.
        let d = crate::hoyt::Hoyt::new(0.2, 0.6).unwrap();
        let ys: Vec<f64> = s.iter().map(|&x| d.pdf(x)).collect();
        let f = fit_curve(
            &HoytModel,
            &s,
            &ys,
            None,
            &[0.3, 0.4],
            &LmOptions::default(),
        )
        .unwrap();
        assert!(f.params[0] >= f.params[1], "{f:?}");
        assert!(
            (f.params[0] - 0.6).abs() < 1e-10 && (f.params[1] - 0.2).abs() < 1e-10,
            "{f:?}"
        );
    }

    /// Weighted line through the origin: closed form â = Σ w x y / Σ w x², Var(â) = 1/Σ w x²,
    /// χ² = Σ w (y − â x)², w = 1/e².
    #[test]
    fn weighted_line_fit_gives_true_chi2_and_absolute_errors() {
        let x = [0.1, 0.2, 0.35, 0.5, 0.8];
        let y = [0.21, 0.38, 0.72, 1.02, 1.57];
        let e = [0.01, 0.02, 0.02, 0.05, 0.04];
        let f = fit_curve(
            &LineThroughOrigin,
            &x,
            &y,
            Some(&e),
            &[1.0],
            &LmOptions::default(),
        )
        .unwrap();
        let sw: f64 = x.iter().zip(&e).map(|(x, e)| x * x / (e * e)).sum();
        let a = x
            .iter()
            .zip(&y)
            .zip(&e)
            .map(|((x, y), e)| x * y / (e * e))
            .sum::<f64>()
            / sw;
        let chi2: f64 = x
            .iter()
            .zip(&y)
            .zip(&e)
            .map(|((x, y), e)| ((y - a * x) / e).powi(2))
            .sum();
        assert!((f.params[0] - a).abs() < 1e-13);
        assert!((f.stderr[0] - (1.0 / sw).sqrt()).abs() < 1e-13);
        assert!((f.ssr - chi2).abs() < 1e-10);
        assert_eq!(f.dof, 4);
        assert!((f.chi2_dof.unwrap() - chi2 / 4.0).abs() < 1e-11);
        assert!((f.stderr_scaled[0] - (chi2 / 4.0 / sw).sqrt()).abs() < 1e-13);
        // Unweighted: scipy's default covariance scaling.
        let u = fit_curve(
            &LineThroughOrigin,
            &x,
            &y,
            None,
            &[1.0],
            &LmOptions::default(),
        )
        .unwrap();
        let sxx: f64 = x.iter().map(|x| x * x).sum();
        let au = x.iter().zip(&y).map(|(x, y)| x * y).sum::<f64>() / sxx;
        let ssr: f64 = x.iter().zip(&y).map(|(x, y)| (y - au * x).powi(2)).sum();
        assert!((u.params[0] - au).abs() < 1e-13);
        assert!((u.stderr[0] - (ssr / 4.0 / sxx).sqrt()).abs() < 1e-13);
        assert!(u.chi2_dof.is_none());
    }

    /// The authors' protocol on exact draws: FD histogram + unweighted fit. Estimates must lie
    /// within 4 standard errors of the truth (seeded; false-alarm rate ~1e-4 per parameter).
    #[test]
    fn histogram_fits_recover_eq11_and_eq32_within_errors() {
        let mut rng = langevin_core::stream(31, "coulomb-gas/test/lm-hist", 0);
        for (truth, model) in [
            (vec![2.0, 0.3, 0.3], &PairModel as &dyn Model),
            (vec![2.0, 0.3, 1.0], &TwoSpeciesModel as &dyn Model),
        ] {
            let law = TwoSpecies::new(truth[0], truth[1], truth[2]).unwrap();
            let xs: Vec<f64> = (0..20_000)
                .map(|k| {
                    let (a, b) = law.sample_pair(&mut rng);
                    if k & 1 == 0 {
                        a
                    } else {
                        b
                    }
                })
                .collect();
            let h = Histogram::freedman_diaconis(&xs).unwrap();
            let want: Vec<f64> = if model.n_params() == 2 {
                truth[..2].to_vec()
            } else {
                truth.clone()
            };
            let p0: Vec<f64> = want.iter().map(|v| v * 1.2).collect();
            let f = fit_histogram(model, &h, &p0).unwrap();
            assert!(f.converged);
            for (k, w) in want.iter().enumerate() {
                let z = (f.params[k] - w) / f.stderr[k];
                assert!(
                    z.abs() < 4.0,
                    "{:?} param {k}: {} ± {} vs {}",
                    model.names(),
                    f.params[k],
                    f.stderr[k],
                    w
                );
            }
        }
    }

    /// The histogram protocol on a Hoyt sample (σ_u = 0.5, σ_v = 0.2, n = 50 000 draws, seed 32,
    /// start in the other order): both widths within 4 standard errors, σ_u ≥ σ_v reported.
    #[test]
    fn histogram_fit_recovers_hoyt_within_errors() {
        let d = crate::hoyt::Hoyt::new(0.5, 0.2).unwrap();
        let mut rng = langevin_core::stream(32, "coulomb-gas/test/lm-hoyt", 0);
        let xs: Vec<f64> = (0..50_000).map(|_| d.sample(&mut rng)).collect();
        let h = Histogram::freedman_diaconis(&xs).unwrap();
        let f = fit_histogram(&HoytModel, &h, &[0.3, 0.6]).unwrap();
        assert!(f.converged && f.params[0] >= f.params[1], "{f:?}");
        for (k, w) in [0.5, 0.2].iter().enumerate() {
            let z = (f.params[k] - w) / f.stderr[k];
            assert!(z.abs() < 4.0, "param {k}: {f:?}");
        }
    }

    #[test]
    fn lm_rejects_bad_input() {
        let o = LmOptions::default();
        assert!(matches!(
            fit_curve(&PairModel, &[1.0, 2.0], &[1.0], None, &[0.0, 1.0], &o),
            Err(GasError::Shape(_))
        ));
        assert!(matches!(
            fit_curve(&PairModel, &[1.0, 2.0], &[1.0, 2.0], None, &[0.0, 1.0], &o),
            Err(GasError::NotEnoughData(_))
        ));
        assert!(matches!(
            fit_curve(
                &PairModel,
                &[1.0, 2.0, f64::NAN],
                &[1.0, 2.0, 3.0],
                None,
                &[0.0, 1.0],
                &o
            ),
            Err(GasError::NonFinite(_))
        ));
        assert!(fit_curve(
            &PairModel,
            &[1.0, 2.0, 3.0],
            &[1.0, 2.0, 3.0],
            None,
            &[0.0],
            &o
        )
        .is_err());
        assert!(fit_curve(
            &PairModel,
            &[1.0, 2.0, 3.0],
            &[1.0, 2.0, 3.0],
            Some(&[1.0, 0.0, 1.0]),
            &[0.0, 1.0],
            &o
        )
        .is_err());
        assert!(matches!(
            fit_curve(
                &PairModel,
                &[1.0, 2.0, 3.0],
                &[1.0, 2.0, 3.0],
                None,
                &[0.0, -1.0],
                &o
            ),
            Err(GasError::Fit(_))
        ));
    }
}
