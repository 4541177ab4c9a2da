//! The log-likelihood of the maximum-likelihood laws with its gradient (the score) and Hessian in
//! the fit's internal coordinates θ = (x₀, ln σ, ...), analytic per sample, summed over a sample.
//!
//! The value of every term is the law's own `ln_pdf` (one formula for the density); the
//! derivatives come from its shape function. Per sample, with t = δx/σ and u = ln σ:
//!
//! ```text
//! ∂t/∂x₀ = −1/σ,   ∂t/∂u = −t
//! ```
//!
//! Eq (32) is a log-sum-exp of three terms ℓⱼ; its derivatives are the softmax-weighted ones:
//! ∇ ln Σ e^{ℓⱼ} = Σ wⱼ ∇ℓⱼ, ∇² = Σ wⱼ (∇²ℓⱼ + ∇ℓⱼ∇ℓⱼᵀ) − (Σ wⱼ∇ℓⱼ)(Σ wⱼ∇ℓⱼ)ᵀ.

use crate::density::Gaussian;
use crate::hoyt::Hoyt;
use crate::pair::PairDensity;
use crate::special::{SQRT_2, SQRT_PI};
use crate::surmise::Surmise;
use crate::two_species::TwoSpecies;

use super::mle::Law;

/// Most parameters of a law (Eq 32).
pub(crate) const K: usize = 3;

/// Σ ln ρ, its gradient and Hessian in θ (entries past the law's parameter count are 0).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Score {
    pub ll: f64,
    pub g: [f64; K],
    pub h: [[f64; K]; K],
}

impl Score {
    fn add(&mut self, o: &Score) {
        self.ll += o.ll;
        for i in 0..K {
            self.g[i] += o.g[i];
            for j in 0..K {
                self.h[i][j] += o.h[i][j];
            }
        }
    }
}

/// Samples per parallel task of [`score`]; the chunks are fixed by the sample, not the threads.
const CHUNK: usize = 1 << 14;

/// Σ over `xs` of ln ρ and its derivatives at external parameters `p` (widths > 0). The chunk
/// sums are added in chunk order, so the result is the same on any thread count.
pub(crate) fn score(law: Law, p: &[f64], xs: &[f64]) -> Score {
    use rayon::prelude::*;
    let terms = Terms::new(law, p);
    let chunk = |c: &[f64]| {
        let mut s = Score::default();
        for &x in c {
            s.add(&terms.at(x));
        }
        s
    };
    let parts: Vec<Score> = xs.par_chunks(CHUNK).map(chunk).collect();
    let mut total = Score::default();
    for s in &parts {
        total.add(s);
    }
    total
}

/// A law at fixed parameters with its per-pass constants.
enum Terms {
    Pair(PairDensity, f64),
    Gaussian(Gaussian, f64),
    TwoSpecies(TwoSpecies, [f64; 2], [f64; K], [[f64; K]; K]),
    Surmise(Surmise),
    Hoyt(Hoyt),
}

impl Terms {
    fn new(law: Law, p: &[f64]) -> Self {
        match law {
            Law::Pair => {
                let d = PairDensity {
                    centre: p[0],
                    sigma: p[1],
                };
                Terms::Pair(d, d.ln_norm())
            }
            Law::Gaussian => {
                let d = Gaussian {
                    centre: p[0],
                    sigma: p[1],
                };
                Terms::Gaussian(d, p[1].ln())
            }
            Law::TwoSpecies => {
                let d = TwoSpecies {
                    centre: p[0],
                    sigma1: p[1],
                    sigma2: p[2],
                };
                let (g, h) = ln_norm_derivs(p[1], p[2]);
                Terms::TwoSpecies(d, d.ln_consts(), g, h)
            }
            Law::Surmise => Terms::Surmise(Surmise { sigma_m: p[0] }),
            Law::Hoyt => Terms::Hoyt(Hoyt {
                sigma_u: p[0],
                sigma_v: p[1],
            }),
        }
    }

    /// ln ρ(x) and its derivatives in θ.
    fn at(&self, x: f64) -> Score {
        let mut s = Score::default();
        match self {
            Terms::Pair(d, c) => {
                let [ll, t, g, e] = d.ln_parts(x, *c);
                s.ll = ll;
                let sigma = d.sigma;
                // f/g, f'/g, f''/g of the shape f(t) (ρ = f/σ), g = e^{−t²/2}: no underflow.
                let a = 1.0 / (2.0 * SQRT_PI);
                let b = 1.0 / (2.0 * SQRT_2);
                let f0 = a * g + b * t * e;
                let f1 = -a * t * g + b * (1.0 - t * t) * e;
                let f2 = a * t * t * g + b * (t * t * t - 3.0 * t) * e;
                let l1 = f1 / f0;
                let l2 = f2 / f0 - l1 * l1;
                s.g[0] = -l1 / sigma;
                s.g[1] = -t * l1 - 1.0;
                s.h[0][0] = l2 / (sigma * sigma);
                s.h[0][1] = (t * l2 + l1) / sigma;
                s.h[1][0] = s.h[0][1];
                s.h[1][1] = t * l1 + t * t * l2;
            }
            Terms::Gaussian(d, c) => {
                s.ll = d.ln_pdf_with(x, *c);
                let (sigma, t) = (d.sigma, (x - d.centre) / d.sigma);
                s.g[0] = t / sigma;
                s.g[1] = t * t - 1.0;
                s.h[0][0] = -1.0 / (sigma * sigma);
                s.h[0][1] = -2.0 * t / sigma;
                s.h[1][0] = s.h[0][1];
                s.h[1][1] = -2.0 * t * t;
            }
            Terms::Surmise(d) => {
                s.ll = crate::density::Density1D::ln_pdf(d, x);
                let r = x * x / (d.sigma_m * d.sigma_m);
                s.g[0] = -2.0 + 0.5 * r;
                s.h[0][0] = -r;
            }
            Terms::TwoSpecies(d, c, ng, nh) => two_species_at(d, *c, ng, nh, x, &mut s),
            Terms::Hoyt(d) => {
                // Weighted θ-averages of one quadrature ([`Hoyt::ln_pdf_derivs`]).
                let (ll, g, h) = d.ln_pdf_derivs(x);
                s.ll = ll;
                s.g[..2].copy_from_slice(&g);
                for (row, hr) in s.h.iter_mut().zip(h) {
                    row[..2].copy_from_slice(&hr);
                }
            }
        }
        s
    }
}

/// ∇ and ∇² in (x₀, u₁, u₂) of −ln 2N₀ = −ln(8√π) − u₁ − u₂ − ln σ_m, σ_m² = (σ₁² + σ₂²)/2.
fn ln_norm_derivs(s1: f64, s2: f64) -> ([f64; K], [[f64; K]; K]) {
    let (v1, v2) = (s1 * s1, s2 * s2);
    let v = v1 + v2;
    let (p1, p2) = (v1 / v, v2 / v);
    let c = 2.0 * v1 * v2 / (v * v);
    (
        [0.0, -1.0 - p1, -1.0 - p2],
        [[0.0; K], [0.0, -c, c], [0.0, c, -c]],
    )
}

/// The derivatives of h = ln|δx·erf(δx/(√2 s))| in (x₀, ln s): (h_c, h_u, h_cc, h_cu, h_uu),
/// given |erf| and a = δx²/(2s²) from the density's own evaluation.
fn d_ln_abs_d_erf(d: f64, s: f64, erf_abs: f64, a: f64) -> [f64; 5] {
    let big_d = d.abs();
    let z = big_d / (SQRT_2 * s);
    // q = ln erf z: q' = (2/√π) e^{−z²}/erf z (z² = a), q'' = −2z q' − q'².
    let q1 = 2.0 / SQRT_PI * (-a).exp() / erf_abs;
    let q2 = -2.0 * z * q1 - q1 * q1;
    let h_d = 1.0 / big_d + q1 / (SQRT_2 * s);
    let h_dd = -1.0 / (big_d * big_d) + q2 / (2.0 * s * s);
    let h_u = -z * q1;
    let h_uu = z * q1 + z * z * q2;
    let h_du = -(q1 + z * q2) / (SQRT_2 * s);
    // |δx| falls as x₀ rises where δx > 0.
    let sign = d.signum();
    [-sign * h_d, h_u, h_dd, -sign * h_du, h_uu]
}

/// Eq (32): ln ρ = ln(e^{ℓ₀} + e^{ℓ₁} + e^{ℓ₂}) − ln 2N₀ (`TwoSpecies::ln_terms`), whose
/// derivatives are the softmax-weighted ones of the three terms.
fn two_species_at(
    d: &TwoSpecies,
    c: [f64; 2],
    ng: &[f64; K],
    nh: &[[f64; K]; K],
    x: f64,
    s: &mut Score,
) {
    let t = d.ln_terms(x, c);
    s.ll = t.ln_pdf;
    let (s1, s2) = (d.sigma1, d.sigma2);
    let dx = t.d;
    let (v1, v2) = (s1 * s1, s2 * s2);
    let [a1, a2] = t.a;
    let v = v1 + v2;
    let k11 = 4.0 * v1 * v2 / (v * v);
    let mut grads = [[0.0; K]; 3];
    let mut hess = [[[0.0; K]; K]; 3];
    // ℓ₀ = ln 2(σ₁² + σ₂²) − a₁ − a₂.
    grads[0] = [
        dx / v1 + dx / v2,
        2.0 * v1 / v + 2.0 * a1,
        2.0 * v2 / v + 2.0 * a2,
    ];
    hess[0] = [
        [-1.0 / v1 - 1.0 / v2, -2.0 * dx / v1, -2.0 * dx / v2],
        [-2.0 * dx / v1, k11 - 4.0 * a1, -k11],
        [-2.0 * dx / v2, -k11, k11 - 4.0 * a2],
    ];
    // ℓ₁ = ln √(2π) + u₂ + ln|δx erf(δx/(√2σ₂))| − a₁; ℓ₂ likewise with 1 ↔ 2. A term of zero
    // weight (δx = 0 makes ℓ₁, ℓ₂ = −∞) is skipped below, so its derivatives are not needed.
    if t.weights[1] != 0.0 {
        let h2 = d_ln_abs_d_erf(dx, s2, t.erf_abs[1], a2);
        grads[1] = [h2[0] + dx / v1, 2.0 * a1, 1.0 + h2[1]];
        hess[1] = [
            [h2[2] - 1.0 / v1, -2.0 * dx / v1, h2[3]],
            [-2.0 * dx / v1, -4.0 * a1, 0.0],
            [h2[3], 0.0, h2[4]],
        ];
    }
    if t.weights[2] != 0.0 {
        let h1 = d_ln_abs_d_erf(dx, s1, t.erf_abs[0], a1);
        grads[2] = [h1[0] + dx / v2, 1.0 + h1[1], 2.0 * a2];
        hess[2] = [
            [h1[2] - 1.0 / v2, h1[3], -2.0 * dx / v2],
            [h1[3], h1[4], 0.0],
            [-2.0 * dx / v2, 0.0, -4.0 * a2],
        ];
    }
    let w = t.weights;
    let wsum: f64 = w.iter().sum();
    let mut g = *ng;
    let mut h = *nh;
    let mut mean = [0.0; K];
    for j in 0..3 {
        if w[j] == 0.0 {
            continue;
        }
        let wj = w[j] / wsum;
        for a in 0..K {
            mean[a] += wj * grads[j][a];
            for b in 0..K {
                h[a][b] += wj * (hess[j][a][b] + grads[j][a] * grads[j][b]);
            }
        }
    }
    for a in 0..K {
        g[a] += mean[a];
        for b in 0..K {
            h[a][b] -= mean[a] * mean[b];
        }
    }
    s.g = g;
    s.h = h;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The analytic score and Hessian against central differences of the law's own ln ρ, at
    /// points across the body and tails of each law.
    #[test]
    fn derivatives_match_finite_differences() {
        let cases: Vec<(Law, Vec<f64>, Vec<f64>)> = vec![
            (
                Law::Pair,
                vec![1.0, 0.05],
                vec![0.83, 0.97, 1.0, 1.0001, 1.06, 1.2],
            ),
            (Law::Gaussian, vec![-2.0, 0.3], vec![-2.9, -2.0, -1.7]),
            (
                Law::TwoSpecies,
                vec![0.3, 0.05, 0.08],
                vec![0.05, 0.2, 0.29, 0.3004, 0.31, 0.4, 0.6],
            ),
            (
                Law::TwoSpecies,
                vec![0.0, 0.1, 0.1],
                vec![-0.3, -0.02, 0.07],
            ),
            (Law::Surmise, vec![0.2], vec![0.01, 0.3, 1.1]),
            (Law::Hoyt, vec![0.3, 0.1], vec![0.01, 0.2, 0.6, 1.5]),
            (Law::Hoyt, vec![0.1, 0.3], vec![0.05, 0.6]),
            (Law::Hoyt, vec![0.2, 0.2], vec![0.05, 0.6]),
        ];
        for (law, p, xs) in cases {
            let k = law.n_params();
            let t0 = law.to_internal(&p);
            let at = |t: &[f64], x: f64| score(law, &law.to_external(t), &[x]);
            for &x in &xs {
                let s = at(&t0, x);
                let h = 1e-5;
                for i in 0..k {
                    let mut up = t0.clone();
                    let mut dn = t0.clone();
                    let step = if i == 0 && !matches!(law, Law::Surmise | Law::Hoyt) {
                        h * p[1]
                    } else {
                        h
                    };
                    up[i] += step;
                    dn[i] -= step;
                    let (su, sd) = (at(&up, x), at(&dn, x));
                    let g = (su.ll - sd.ll) / (2.0 * step);
                    let tol = 1e-6 * (1.0 + s.g[i].abs());
                    assert!(
                        (g - s.g[i]).abs() < tol,
                        "{law:?} x={x} g[{i}]: {g} vs {}",
                        s.g[i]
                    );
                    for j in 0..k {
                        let hij = (su.g[j] - sd.g[j]) / (2.0 * step);
                        let tol = 1e-5 * (1.0 + s.h[i][j].abs());
                        assert!(
                            (hij - s.h[i][j]).abs() < tol,
                            "{law:?} x={x} h[{i}][{j}]: {hij} vs {}",
                            s.h[i][j]
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_sum_does_not_depend_on_the_thread_count() {
        let xs: Vec<f64> = (0..100_000)
            .map(|i| 1.0 + 0.05 * ((i as f64) * 0.7).sin())
            .collect();
        let p = [1.0, 0.04, 0.06];
        let a = score(Law::TwoSpecies, &p, &xs);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let b = one.install(|| score(Law::TwoSpecies, &p, &xs));
        assert_eq!(a, b);
    }
}
