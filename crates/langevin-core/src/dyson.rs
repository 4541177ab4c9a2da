//! Dyson Brownian motion of the eigenvalues of `X = WᵀW`: the eigenvalue Langevin equation (Eq 5).
//!
//! One iteration of Eq 5 is one unit of Fokker-Planck time (Eq 6). Per iteration the
//! eigenvalue process has drift and diffusion
//!
//! ```text
//! A_i(x) = α K_i(x_i) + c_i Σ_{j≠i} 1/(x_i − x_j),   c_i = α² g̃_i² / |B|
//! D_i    = b_i² / 2 = α² g̃_i² / |B|,                 b_i = (α/√|B|) √2 g̃_i
//! ```
//!
//! Three discretisations are offered ([`Scheme`]):
//! * [`Scheme::Explicit`]: Eq 5 taken literally (Euler-Maruyama). Kept for teaching: for β = 1
//!   the discrete chain can cross, the Coulomb kicks `c/|x_i − x_j|` of near-collisions have
//!   power-law tails, and moments of its stationary law do not converge.
//! * [`Scheme::Implicit`] (default): drift-implicit in the Coulomb term. It solves
//!   `y_i = x̃_i + c_i Σ_j 1/(y_i − y_j)` with `x̃ = x + αK(x) + b∘η` inside the ordering
//!   chamber of `x`, so the ordering of the eigenvalues is preserved and the step is well posed.
//! * [`Scheme::MatrixOu`]: for identical species in a quadratic potential, the exact one-step
//!   transition of the symmetric-matrix Ornstein-Uhlenbeck process whose eigenvalues perform
//!   this Dyson Brownian motion (see [`crate::matrix_ou`]).

use crate::error::CoreError;
use crate::potential::Potential;

/// How one iteration of Eq 5 is discretised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    /// The literal explicit step of Eq 5 (heavy-tailed for β = 1; for teaching only).
    Explicit,
    /// Drift-implicit Coulomb term: ordering preserved, first-order accurate (the default).
    #[default]
    Implicit,
    /// Exact matrix Ornstein-Uhlenbeck transition (identical species, quadratic potential).
    MatrixOu,
}

impl std::str::FromStr for Scheme {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "explicit" => Ok(Self::Explicit),
            "implicit" => Ok(Self::Implicit),
            "matrix-ou" => Ok(Self::MatrixOu),
            other => Err(CoreError::Invalid(format!(
                "unknown scheme '{other}' (expected implicit, explicit or matrix-ou)"
            ))),
        }
    }
}

impl std::fmt::Display for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Explicit => "explicit",
            Self::Implicit => "implicit",
            Self::MatrixOu => "matrix-ou",
        })
    }
}

/// Deliberately wrong variants of Eq 5, for tests that must reject them.
#[cfg(feature = "mutants")]
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mutant {
    /// Coulomb prefactor ×2.
    Coulomb2,
    /// Coulomb prefactor ×½.
    CoulombHalf,
    /// Attractive Coulomb term.
    CoulombSign,
    /// Coulomb prefactor α g²/|B| instead of α² g²/|B|.
    CoulombNoAlpha,
    /// Coulomb term with the mean g² while the noise keeps g_i.
    CoulombCommonG,
    /// The √2 missing from the noise.
    NoSqrt2,
    /// α/|B| wrong by a factor 2 (noise² and Coulomb both ×2): the linear scaling rule broken.
    Temp2,
}

/// Eq. (5) of the paper: the eigenvalue Langevin equation of Dyson Brownian motion,
/// with its coefficients precomputed.
///
/// ```text
/// x_i' = x_i + α K̃_i + (α²/|B|) Σ_{j≠i} g̃_i² / (x_i − x_j) + (α/√|B|) √2 g̃_i η_i
/// ```
#[derive(Clone, Debug)]
pub struct Dyson<P: Potential> {
    alpha: f64,
    batch: usize,
    g2: Vec<f64>,
    potential: P,
    /// c_i = α² g̃_i² / |B|, the Coulomb prefactor of particle i.
    coulomb: Vec<f64>,
    /// b_i = (α/√|B|) √2 g̃_i, the noise amplitude of particle i.
    noise: Vec<f64>,
}

impl<P: Potential> Dyson<P> {
    /// Validates lr = α > 0, |B| ≥ 1, g̃_i² > 0 and one g̃_i² per particle of the potential.
    pub fn new(alpha: f64, batch: usize, g2: Vec<f64>, potential: P) -> Result<Self, CoreError> {
        if !(alpha.is_finite() && alpha > 0.0) {
            return Err(CoreError::Invalid(format!(
                "learning rate {alpha}: must be finite and > 0"
            )));
        }
        if batch == 0 {
            return Err(CoreError::Invalid(
                "batch size 0: must be at least 1".into(),
            ));
        }
        if g2.len() != potential.len() {
            return Err(CoreError::Shape(format!(
                "{} values of g² for {} particles",
                g2.len(),
                potential.len()
            )));
        }
        for (i, &g) in g2.iter().enumerate() {
            if !(g.is_finite() && g > 0.0) {
                return Err(CoreError::Invalid(format!(
                    "g2[{i}] = {g}: must be finite and > 0"
                )));
            }
        }
        // ANCHOR: eq5_coefficients
        let b = batch as f64;
        let coulomb = g2.iter().map(|&g| alpha * alpha * g / b).collect();
        let noise = g2
            .iter()
            .map(|&g| alpha / b.sqrt() * (2.0 * g).sqrt())
            .collect();
        // ANCHOR_END: eq5_coefficients
        Ok(Self {
            alpha,
            batch,
            g2,
            potential,
            coulomb,
            noise,
        })
    }

    /// A deliberately wrong copy of this process (tests only).
    #[cfg(feature = "mutants")]
    pub fn mutated(mut self, m: Mutant) -> Self {
        let n = self.n();
        match m {
            Mutant::Coulomb2 => self.coulomb.iter_mut().for_each(|c| *c *= 2.0),
            Mutant::CoulombHalf => self.coulomb.iter_mut().for_each(|c| *c *= 0.5),
            Mutant::CoulombSign => self.coulomb.iter_mut().for_each(|c| *c = -*c),
            Mutant::CoulombNoAlpha => self.coulomb.iter_mut().for_each(|c| *c /= self.alpha),
            Mutant::CoulombCommonG => {
                let mean = self.g2.iter().sum::<f64>() / n as f64;
                let b = self.batch as f64;
                self.coulomb
                    .iter_mut()
                    .for_each(|c| *c = self.alpha * self.alpha * mean / b);
            }
            Mutant::NoSqrt2 => self
                .noise
                .iter_mut()
                .for_each(|s| *s /= std::f64::consts::SQRT_2),
            Mutant::Temp2 => {
                self.coulomb.iter_mut().for_each(|c| *c *= 2.0);
                self.noise
                    .iter_mut()
                    .for_each(|s| *s *= std::f64::consts::SQRT_2);
            }
        }
        self
    }

    /// Number of eigenvalues N.
    pub fn n(&self) -> usize {
        self.g2.len()
    }
    /// The learning rate α.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }
    /// The batch size |B|.
    pub fn batch(&self) -> usize {
        self.batch
    }
    /// α/|B|, the temperature of the Coulomb gas (Eq 7).
    pub fn temperature(&self) -> f64 {
        self.alpha / self.batch as f64
    }
    /// The g̃_i².
    pub fn g2(&self) -> &[f64] {
        &self.g2
    }
    /// The potential V_i.
    pub fn potential(&self) -> &P {
        &self.potential
    }
    /// c_i, the Coulomb prefactor of particle i per iteration.
    pub fn coulomb_coefficients(&self) -> &[f64] {
        &self.coulomb
    }
    /// b_i, the noise amplitude of particle i per iteration.
    pub fn noise_amplitudes(&self) -> &[f64] {
        &self.noise
    }

    /// Per-iteration drift of Eq 5, `A_i = α K_i(x_i) + c_i Σ_{j≠i} 1/(x_i − x_j)`.
    pub fn drift(&self, x: &[f64], out: &mut [f64]) {
        // ANCHOR: eq5_drift
        for i in 0..x.len() {
            let coulomb: f64 = (0..x.len())
                .filter(|&j| j != i)
                .map(|j| 1.0 / (x[i] - x[j]))
                .sum();
            out[i] = self.alpha * self.potential.force(i, x[i]) + self.coulomb[i] * coulomb;
        }
        // ANCHOR_END: eq5_drift
    }

    /// Per-iteration diffusion coefficients `D_i = b_i²/2` of the Fokker-Planck equation (Eq 6).
    pub fn diffusion(&self, out: &mut [f64]) {
        for (o, b) in out.iter_mut().zip(&self.noise) {
            *o = 0.5 * b * b;
        }
    }

    /// One literal explicit step of Eq 5: `x' = x + A(x) + b∘η`.
    pub fn step_explicit(&self, x: &[f64], eta: &[f64], out: &mut [f64]) {
        // ANCHOR: eq5_explicit
        self.drift(x, out);
        for i in 0..x.len() {
            out[i] += x[i] + self.noise[i] * eta[i];
        }
        // ANCHOR_END: eq5_explicit
    }

    /// One drift-implicit step of Eq 5: with `x̃ = x + αK(x) + b∘η`, solve
    /// `y_i = x̃_i + c_i Σ_{j≠i} 1/(y_i − y_j)` in the ordering chamber of `x`.
    ///
    /// Returns the number of Newton iterations (0 for the closed form at N = 2).
    pub fn step_implicit(
        &self,
        x: &[f64],
        eta: &[f64],
        out: &mut [f64],
        ws: &mut ImplicitWorkspace,
    ) -> Result<usize, CoreError> {
        // ANCHOR: eq5_implicit
        let n = x.len();
        for i in 0..n {
            out[i] = x[i] + self.alpha * self.potential.force(i, x[i]) + self.noise[i] * eta[i];
        }
        if n == 2 {
            let (y1, y2) = implicit_pair(
                x[0] - x[1],
                out[0],
                out[1],
                self.coulomb[0],
                self.coulomb[1],
            );
            out[0] = y1;
            out[1] = y2;
            return Ok(0);
        }
        ws.x_tilde.clear();
        ws.x_tilde.extend_from_slice(out);
        implicit_newton(x, &self.coulomb, out, ws)
        // ANCHOR_END: eq5_implicit
    }
}

/// Closed-form drift-implicit step for two particles.
///
/// With `S = x1 − x2` (the current ordering), `S̃ = x̃1 − x̃2` and `C = c1 + c2`, the new spacing
/// `S'` solves `S'² − S̃ S' − C = 0` on the side of `S`; then `y1 = x̃1 + c1/S'`,
/// `y2 = x̃2 − c2/S'`. The root is taken in the form that does not cancel.
// ANCHOR: implicit_pair
#[inline]
pub fn implicit_pair(s: f64, xt1: f64, xt2: f64, c1: f64, c2: f64) -> (f64, f64) {
    let sign = if s >= 0.0 { 1.0 } else { -1.0 };
    let s_new = sign * pair_gap(sign * (xt1 - xt2), c1 + c2);
    (xt1 + c1 / s_new, xt2 - c2 / s_new)
}

/// The positive root of `g² − t g − C = 0`: the gap `g = t + C/g` of two particles whose gap
/// would be `t` without their mutual repulsion, in the form that does not cancel.
#[inline(always)]
fn pair_gap(t: f64, cc: f64) -> f64 {
    let r = (t * t + 4.0 * cc).sqrt();
    if t >= 0.0 {
        0.5 * (t + r)
    } else {
        2.0 * cc / (r - t)
    }
}
// ANCHOR_END: implicit_pair

/// Scratch space of the implicit step, reused across steps so a step allocates nothing.
#[derive(Clone, Debug, Default)]
pub struct ImplicitWorkspace {
    x_tilde: Vec<f64>,
    order: Vec<usize>,
    heap: HeapBuffers,
}

impl ImplicitWorkspace {
    /// A workspace for N particles (it grows if used for more).
    pub fn new(n: usize) -> Self {
        let mut heap = HeapBuffers::default();
        heap.prepare(n);
        Self {
            x_tilde: Vec::with_capacity(n),
            order: Vec::with_capacity(n),
            heap,
        }
    }
}

/// The Newton solver's arrays: gradient, |Coulomb| sums, trial point, Hessian, its factor, and
/// the right-hand side. Small N use stack arrays of the exact size, so every loop has a
/// compile-time bound (unrolled, no bounds checks); larger N use vectors.
struct NewtonParts<'a> {
    grad: &'a mut [f64],
    abs: &'a mut [f64],
    trial: &'a mut [f64],
    hess: &'a mut [f64],
    fact: &'a mut [f64],
    rhs: &'a mut [f64],
    rc: &'a mut [f64],
    diag: &'a mut [f64],
}

trait NewtonBuffers {
    /// The particle number these buffers are fixed to, if any.
    const FIXED: Option<usize>;
    fn parts(&mut self) -> NewtonParts<'_>;
}

#[derive(Clone, Debug, Default)]
struct HeapBuffers {
    grad: Vec<f64>,
    abs: Vec<f64>,
    trial: Vec<f64>,
    hess: Vec<f64>,
    fact: Vec<f64>,
    rhs: Vec<f64>,
    rc: Vec<f64>,
    diag: Vec<f64>,
}

impl HeapBuffers {
    fn prepare(&mut self, n: usize) {
        for v in [
            &mut self.grad,
            &mut self.abs,
            &mut self.trial,
            &mut self.rhs,
            &mut self.rc,
            &mut self.diag,
        ] {
            v.resize(n, 0.0);
        }
        self.hess.resize(n * n, 0.0);
        self.fact.resize(n * n, 0.0);
    }
}

impl NewtonBuffers for HeapBuffers {
    const FIXED: Option<usize> = None;
    fn parts(&mut self) -> NewtonParts<'_> {
        NewtonParts {
            grad: &mut self.grad,
            abs: &mut self.abs,
            trial: &mut self.trial,
            hess: &mut self.hess,
            fact: &mut self.fact,
            rhs: &mut self.rhs,
            rc: &mut self.rc,
            diag: &mut self.diag,
        }
    }
}

struct StackBuffers<const N: usize> {
    grad: [f64; N],
    abs: [f64; N],
    trial: [f64; N],
    hess: [[f64; N]; N],
    fact: [[f64; N]; N],
    rhs: [f64; N],
    rc: [f64; N],
    diag: [f64; N],
}

impl<const N: usize> StackBuffers<N> {
    fn new() -> Self {
        Self {
            grad: [0.0; N],
            abs: [0.0; N],
            trial: [0.0; N],
            hess: [[0.0; N]; N],
            fact: [[0.0; N]; N],
            rhs: [0.0; N],
            rc: [0.0; N],
            diag: [0.0; N],
        }
    }
}

impl<const N: usize> NewtonBuffers for StackBuffers<N> {
    const FIXED: Option<usize> = Some(N);
    fn parts(&mut self) -> NewtonParts<'_> {
        NewtonParts {
            grad: &mut self.grad,
            abs: &mut self.abs,
            trial: &mut self.trial,
            hess: self.hess.as_flattened_mut(),
            fact: self.fact.as_flattened_mut(),
            rhs: &mut self.rhs,
            rc: &mut self.rc,
            diag: &mut self.diag,
        }
    }
}

/// The convex objective whose minimiser is the implicit step:
/// `F(y) = Σ (y_i − x̃_i)²/(2c_i) − Σ_{i<j} ln|y_i − y_j|`. Infinite outside the chamber.
// ANCHOR: implicit_objective
fn implicit_objective(y: &[f64], xt: &[f64], c: &[f64], order: &[usize]) -> f64 {
    for w in order.windows(2) {
        if y[w[1]] <= y[w[0]] {
            return f64::INFINITY;
        }
    }
    let n = y.len();
    let mut f = 0.0;
    for i in 0..n {
        let d = y[i] - xt[i];
        f += d * d / (2.0 * c[i]);
    }
    for i in 0..n {
        for j in (i + 1)..n {
            f -= (y[i] - y[j]).abs().ln();
        }
    }
    f
}
// ANCHOR_END: implicit_objective

/// Relative residual of the implicit equation `y_i − x̃_i − c_i Σ_j 1/(y_i − y_j) = 0`,
/// measured against the size of its terms (what round-off allows).
pub fn implicit_residual(y: &[f64], xt: &[f64], c: &[f64]) -> f64 {
    let n = y.len();
    (0..n)
        .map(|i| {
            let (mut coul, mut abs) = (0.0, 0.0);
            for j in (0..n).filter(|&j| j != i) {
                let inv = 1.0 / (y[i] - y[j]);
                coul += inv;
                abs += inv.abs();
            }
            let scale = y[i].abs() + xt[i].abs() + c[i] * abs;
            (y[i] - xt[i] - c[i] * coul).abs() / scale
        })
        .fold(0.0, f64::max)
}

/// Damped Newton for the implicit step of N > 2 particles. `F` is strictly convex on the
/// ordering chamber of `x` and infinite on its walls, so Newton with a backtracking line
/// search that stays in the chamber converges to the unique solution.
///
/// Speed: it starts from a predictor that solves each neighbour pair exactly; full Newton
/// steps are taken while they stay in the chamber and the Newton decrement keeps falling,
/// and the last correction reuses the factorised Hessian (a chord step). Typically two
/// Newton steps and one chord step (N = 10: 2.8 solves per step on average, against 4.1 from
/// the plain explicit prediction). Only otherwise is `F` (which costs N(N−1)/2 logarithms)
/// evaluated for a line search.
// ANCHOR: implicit_newton
fn implicit_newton(
    x: &[f64],
    c: &[f64],
    y: &mut [f64],
    ws: &mut ImplicitWorkspace,
) -> Result<usize, CoreError> {
    let n = x.len();
    ws.order.clear();
    ws.order.extend(0..n);
    // Chains usually keep their particles in index order: then there is nothing to sort.
    if !x.windows(2).all(|w| w[0] < w[1]) {
        ws.order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        for w in ws.order.windows(2) {
            if x[w[1]] <= x[w[0]] {
                return Err(CoreError::Solver(format!(
                    "two eigenvalues coincide ({}) before the implicit step",
                    x[w[0]]
                )));
            }
        }
    }
    let (xt, order) = (&ws.x_tilde, &ws.order);
    macro_rules! by_size {
        ($($k:literal),*) => {
            match n {
                $($k => newton_solve(x, c, y, xt, order, &mut StackBuffers::<$k>::new()),)*
                _ => {
                    ws.heap.prepare(n);
                    newton_solve(x, c, y, xt, order, &mut ws.heap)
                }
            }
        };
    }
    by_size!(3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
}

#[inline(always)]
fn newton_solve<B: NewtonBuffers>(
    x: &[f64],
    c: &[f64],
    y: &mut [f64],
    xt: &[f64],
    order: &[usize],
    bufs: &mut B,
) -> Result<usize, CoreError> {
    const TOL: f64 = 1e-13;
    // 2-3 solves are typical; inputs with gaps near round-off need many damped ones.
    const MAX_ITER: usize = 200;
    let n = B::FIXED.unwrap_or(x.len());
    let (x, c, y, xt) = (&x[..n], &c[..n], &mut y[..n], &xt[..n]);
    let NewtonParts {
        grad,
        abs,
        trial,
        hess,
        fact,
        rhs,
        rc,
        diag,
    } = bufs.parts();
    let (grad, abs, trial, rhs) = (
        &mut grad[..n],
        &mut abs[..n],
        &mut trial[..n],
        &mut rhs[..n],
    );
    let (hess, fact) = (&mut hess[..n * n], &mut fact[..n * n]);
    let (rc, diag) = (&mut rc[..n], &mut diag[..n]);
    // 1/c once: the gradient and Hessian need it at every evaluation.
    for (r, ci) in rc.iter_mut().zip(c) {
        *r = 1.0 / ci;
    }
    let in_chamber = |y: &[f64], order: &[usize]| order.windows(2).all(|w| y[w[1]] > y[w[0]]);
    // Predictor: the explicit step y = x̃ + c∘C(x), then, neighbour pair by neighbour pair in
    // order, the pair's gap replaced by its two-body implicit solution (the rest of the force
    // frozen). When the noise pushes neighbours together the explicit step underestimates
    // their repulsion (it may even swap them), and Newton on the log barrier then needs one
    // iteration per doubling of the gap; the pair solution is the leading correction.
    grad.iter_mut().for_each(|g| *g = 0.0);
    for i in 0..n {
        for j in (i + 1)..n {
            let inv = 1.0 / (x[i] - x[j]);
            grad[i] += inv;
            grad[j] -= inv;
        }
    }
    for i in 0..n {
        y[i] = xt[i] + c[i] * grad[i];
    }
    for w in order.windows(2) {
        let (a, b) = (w[0], w[1]);
        let cc = c[a] + c[b];
        let gap = y[b] - y[a];
        let shift = pair_gap(gap - cc / (x[b] - x[a]), cc) - gap;
        y[a] -= c[a] / cc * shift;
        y[b] += c[b] / cc * shift;
    }
    // Start from x if the prediction left the chamber anyway.
    if !in_chamber(y, order) {
        y.copy_from_slice(x);
    }
    if y.iter().any(|v| !v.is_finite()) {
        return Err(CoreError::Divergence(
            "non-finite state in the implicit step".into(),
        ));
    }
    let mut prev_decrement = f64::INFINITY;
    // After a full Newton step of relative size r (largest move/smallest gap) the error is
    // ~ r²·gap. When r ≤ CHORD the next correction reuses the factor of H (a chord step): H
    // changed by a relative O(r), so that step leaves an error ~ r times its own size, and it
    // saves the Hessian and its factorisation. It ends the solve when that estimate is
    // ≤ 3e-13·gap (a Newton step when r ≤ 1e-6); otherwise Newton resumes.
    const CHORD: f64 = 1e-4;
    let mut chord: Option<f64> = None;
    for iter in 0..MAX_ITER {
        // Gradient c_i ∂_i F (the residual of the implicit equation) and, for a Newton step,
        // the Hessian of F, sharing the pair inverses: its diagonal in `diag`, its
        // off-diagonal −1/(y_i − y_j)² in H's upper triangle, so that for each i the pairs
        // j > i are plain loops over contiguous slices (tight loops without scattered writes).
        // The predictor is never at round-off already: the convergence test starts at iter 1.
        let newton = chord.is_none();
        let test = iter > 0;
        for i in 0..n {
            grad[i] = (y[i] - xt[i]) * rc[i];
            abs[i] = 0.0;
            diag[i] = rc[i];
        }
        for i in 0..n {
            let yi = y[i];
            let (mut gi, mut ai, mut di) = (0.0, 0.0, 0.0);
            let upper = &mut hess[i * n + i + 1..i * n + n];
            let (gj, aj, dj, yj) = (
                &mut grad[i + 1..n],
                &mut abs[i + 1..n],
                &mut diag[i + 1..n],
                &y[i + 1..n],
            );
            for k in 0..upper.len() {
                let inv = 1.0 / (yi - yj[k]);
                gi += inv;
                gj[k] += inv;
                if test {
                    ai += inv.abs();
                    aj[k] += inv.abs();
                }
                if newton {
                    let w = inv * inv;
                    di += w;
                    dj[k] += w;
                    upper[k] = -w;
                }
            }
            grad[i] -= gi;
            abs[i] += ai;
            diag[i] += di;
        }
        // Converged when the residual is at the round-off of its terms.
        let converged = test
            && (0..n)
                .all(|i| c[i] * grad[i].abs() <= TOL * (y[i].abs() + xt[i].abs() + c[i] * abs[i]));
        if converged {
            return Ok(iter);
        }
        if let Some(rho) = chord.take() {
            for i in 0..n {
                rhs[i] = -grad[i];
            }
            cholesky_solve(fact, rhs, n);
            let delta = &*rhs;
            for i in 0..n {
                trial[i] = y[i] + delta[i];
            }
            if in_chamber(trial, order) {
                y.copy_from_slice(trial);
                let gap = min_gap(y, order);
                let step = delta.iter().fold(0.0f64, |m, d| m.max(d.abs()));
                if rho * step <= 3e-13 * gap {
                    return Ok(iter + 1);
                }
            }
            // Otherwise continue with Newton from here.
            prev_decrement = f64::INFINITY;
            continue;
        }
        // Newton direction H δ = −∇F. H is positive definite in exact arithmetic, but for
        // gaps ≪ √c the pair weights 1/gap² swamp 1/c and the rows cancel to round-off. Then
        // factor H + μ diag(H) with growing μ: still a descent direction, and the line search
        // below keeps the progress.
        let mut mu = 0.0;
        loop {
            for i in 0..n {
                rhs[i] = -grad[i];
            }
            if cholesky(diag, hess, 1.0 + mu, fact, n) {
                cholesky_solve(fact, rhs, n);
                break;
            }
            if mu >= 1.0 {
                return Err(CoreError::Solver(
                    "Hessian of the implicit step is not positive definite".into(),
                ));
            }
            mu = if mu == 0.0 { 1e-14 } else { mu * 100.0 };
            prev_decrement = f64::INFINITY;
        }
        let delta = &*rhs;
        let decrement: f64 = delta.iter().zip(grad.iter()).map(|(d, g)| -d * g).sum();
        for i in 0..n {
            trial[i] = y[i] + delta[i];
        }
        if mu == 0.0 && in_chamber(trial, order) && decrement < prev_decrement {
            y.copy_from_slice(trial);
            prev_decrement = decrement;
            // Newton's error after a step is ~ δ²/g (g the smallest gap): once δ ≤ 1e-6 g
            // the new residual is at round-off, so the confirming evaluation is skipped.
            let gap = min_gap(y, order);
            let r = delta.iter().fold(0.0f64, |m, d| m.max(d.abs())) / gap;
            if r <= 1e-6 {
                return Ok(iter + 1);
            }
            if r <= CHORD {
                chord = Some(r);
            }
            continue;
        }
        // Damped step: backtrack on F inside the chamber. When the predicted decrease is
        // below the round-off of F, F cannot judge: take the longest in-chamber step.
        let f = implicit_objective(y, xt, c, order);
        let resolvable = decrement > 1e-13 * (1.0 + f.abs());
        let mut t = 0.5;
        loop {
            for i in 0..n {
                trial[i] = y[i] + t * delta[i];
            }
            let ft = implicit_objective(trial, xt, c, order);
            if (resolvable && ft <= f - 0.25 * t * decrement) || (!resolvable && ft.is_finite()) {
                y.copy_from_slice(trial);
                break;
            }
            t *= 0.5;
            if t < 1e-10 {
                return Err(CoreError::Solver(format!(
                    "implicit step: line search failed (residual {:e})",
                    implicit_residual(y, xt, c)
                )));
            }
        }
        prev_decrement = f64::INFINITY;
    }
    Err(CoreError::Solver(
        "implicit step: Newton did not converge in 200 iterations".into(),
    ))
}
// ANCHOR_END: implicit_newton

/// Cholesky factorisation `A = L Lᵀ` of a symmetric positive-definite A given by its diagonal
/// (times `scale`) and its strict upper triangle (row-major n×n in `upper`). L's strict lower
/// triangle goes to `l` with 1/L_jj on its diagonal (the solves multiply). False if A is not
/// numerically positive definite.
///
/// Written out for the Newton step: for n ≈ 10 nalgebra's generic factorisation and solves
/// took 60 % of an implicit step (perf).
#[inline(always)]
fn cholesky(diag: &[f64], upper: &[f64], scale: f64, l: &mut [f64], n: usize) -> bool {
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
fn cholesky_solve(l: &[f64], b: &mut [f64], n: usize) {
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
fn dot(u: &[f64], v: &[f64]) -> f64 {
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

/// The smallest gap of `y` in the ordering `order`.
#[inline(always)]
fn min_gap(y: &[f64], order: &[usize]) -> f64 {
    order
        .windows(2)
        .map(|w| y[w[1]] - y[w[0]])
        .fold(f64::INFINITY, f64::min)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::potential::Quadratic;

    fn residual(y: &[f64], xt: &[f64], c: &[f64]) -> f64 {
        let n = y.len();
        (0..n)
            .map(|i| {
                let coul: f64 = (0..n)
                    .filter(|&j| j != i)
                    .map(|j| 1.0 / (y[i] - y[j]))
                    .sum();
                let scale = y[i].abs() + xt[i].abs() + (c[i] * coul).abs();
                (y[i] - xt[i] - c[i] * coul).abs() / scale
            })
            .fold(0.0, f64::max)
    }

    #[test]
    fn pair_closed_form_solves_the_implicit_equation_in_both_orderings() {
        for &(x1, x2, xt1, xt2) in &[
            (1.0, 0.5, 0.2, 0.9),   // proposal crossed: must be pushed back
            (0.5, 1.0, 0.8, 0.3),   // other ordering
            (3.0, -2.0, 3.1, -2.2), // far apart: barely changes
            (1e6, 1e6 - 1e-3, 1e6 + 5.0, 1e6 - 5.0),
        ] {
            let (c1, c2) = (1e-3, 4e-3);
            let (y1, y2) = implicit_pair(x1 - x2, xt1, xt2, c1, c2);
            assert_eq!((y1 - y2).signum(), (x1 - x2).signum(), "ordering lost");
            assert!(residual(&[y1, y2], &[xt1, xt2], &[c1, c2]) < 1e-12);
        }
    }

    #[test]
    fn newton_agrees_with_closed_form_and_preserves_order() {
        // N = 3 with a far third particle reduces to the pair problem for the first two.
        let pot = Quadratic::new(vec![1.0, 2.0, 0.5], vec![0.0, 0.1, 50.0]).unwrap();
        let d = Dyson::new(0.05, 4, vec![1.0, 3.0, 2.0], pot).unwrap();
        let x = [0.3, 0.0, 50.0];
        let mut ws = ImplicitWorkspace::new(3);
        let mut y = [0.0; 3];
        for eta in [[0.0, 0.0, 0.0], [-3.0, 3.0, 1.0], [10.0, -10.0, 0.0]] {
            d.step_implicit(&x, &eta, &mut y, &mut ws).unwrap();
            assert!(y[0] > y[1] && y[2] > y[0], "ordering lost: {y:?}");
            let mut xt = [0.0; 3];
            for i in 0..3 {
                xt[i] = x[i] + d.alpha * d.potential.force(i, x[i]) + d.noise[i] * eta[i];
            }
            assert!(residual(&y, &xt, &d.coulomb) < 1e-12, "{y:?}");
        }
    }

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

    #[test]
    fn explicit_step_is_x_plus_drift_plus_noise() {
        let pot = Quadratic::uniform(3, 2.0, 1.0).unwrap();
        let d = Dyson::new(0.01, 8, vec![5.0; 3], pot).unwrap();
        let x = [0.9, 1.0, 1.2];
        let mut a = [0.0; 3];
        let mut y = [0.0; 3];
        d.drift(&x, &mut a);
        d.step_explicit(&x, &[0.5, -1.0, 2.0], &mut y);
        let b = (0.01f64 / 8f64.sqrt()) * (2.0f64 * 5.0).sqrt();
        for i in 0..3 {
            assert!((y[i] - (x[i] + a[i] + b * [0.5, -1.0, 2.0][i])).abs() < 1e-15);
        }
        // Coulomb coefficient α² g²/|B| and D = b²/2 coincide.
        let mut dd = [0.0; 3];
        d.diffusion(&mut dd);
        assert!((dd[0] - 0.01 * 0.01 * 5.0 / 8.0).abs() < 1e-18);
        assert!((d.coulomb_coefficients()[0] - dd[0]).abs() < 1e-18);
    }

    #[test]
    fn bad_parameters_are_rejected_with_a_named_error() {
        let pot = || Quadratic::uniform(2, 1.0, 0.0).unwrap();
        let msg = |r: Result<Dyson<Quadratic>, CoreError>| r.unwrap_err().to_string();
        assert!(msg(Dyson::new(0.0, 1, vec![1.0; 2], pot())).contains("learning rate"));
        assert!(msg(Dyson::new(-1.0, 1, vec![1.0; 2], pot())).contains("learning rate"));
        assert!(msg(Dyson::new(f64::NAN, 1, vec![1.0; 2], pot())).contains("learning rate"));
        assert!(msg(Dyson::new(0.1, 0, vec![1.0; 2], pot())).contains("batch"));
        assert!(msg(Dyson::new(0.1, 1, vec![1.0; 3], pot())).contains("g²"));
        assert!(msg(Dyson::new(0.1, 1, vec![1.0, f64::NAN], pot())).contains("g2[1]"));
        assert!(Quadratic::new(vec![1.0, -1.0], vec![0.0, 0.0]).is_err());
        assert!(Quadratic::new(vec![1.0], vec![0.0, 0.0]).is_err());
        assert!("sideways".parse::<Scheme>().is_err());
        assert_eq!("matrix-ou".parse::<Scheme>().unwrap(), Scheme::MatrixOu);
    }
}
