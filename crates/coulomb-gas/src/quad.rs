//! Composite 20-point Gauss–Legendre, nodes by Newton's method; test-only (the unit tests, and
//! the law checker of `tests/checker` includes this file by `#[path]`).
//! Exact for polynomials of degree ≤ 39 per panel, so for the smooth Gaussian-tailed densities of
//! this crate the error is at round-off level once panels are narrower than the smallest width.

/// Nodes and weights of the n-point Gauss–Legendre rule on [−1, 1].
pub fn gauss_legendre(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut x = vec![0.0; n];
    let mut w = vec![0.0; n];
    for i in 0..n.div_ceil(2) {
        let mut z = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        let mut pp = 0.0;
        for _ in 0..100 {
            let (mut p1, mut p2) = (1.0, 0.0);
            for j in 1..=n {
                let p3 = p2;
                p2 = p1;
                p1 = ((2 * j - 1) as f64 * z * p2 - (j - 1) as f64 * p3) / j as f64;
            }
            pp = n as f64 * (z * p1 - p2) / (z * z - 1.0);
            let z1 = z;
            z = z1 - p1 / pp;
            if (z - z1).abs() < 1e-15 {
                break;
            }
        }
        x[i] = -z;
        x[n - 1 - i] = z;
        w[i] = 2.0 / ((1.0 - z * z) * pp * pp);
        w[n - 1 - i] = w[i];
    }
    (x, w)
}

/// ∫_a^b f with panels no wider than `h_max`.
pub fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64, h_max: f64) -> f64 {
    thread_local! {
        static GL: (Vec<f64>, Vec<f64>) = gauss_legendre(20);
    }
    if b <= a {
        return 0.0;
    }
    let pieces = ((b - a) / h_max).ceil().max(1.0) as usize;
    let h = (b - a) / pieces as f64;
    GL.with(|(x, w)| {
        let mut total = 0.0;
        for k in 0..pieces {
            let lo = a + k as f64 * h;
            let mid = lo + 0.5 * h;
            let mut s = 0.0;
            for (xi, wi) in x.iter().zip(w) {
                s += wi * f(mid + 0.5 * h * xi);
            }
            total += 0.5 * h * s;
        }
        total
    })
}

/// ∫ f over [a, b] split at the (sorted, inside) break points, where f has kinks.
pub fn integrate_breaks(f: impl Fn(f64) -> f64, a: f64, b: f64, breaks: &[f64], h_max: f64) -> f64 {
    let mut pts = vec![a];
    pts.extend(breaks.iter().copied().filter(|&c| c > a && c < b));
    pts.push(b);
    pts.windows(2)
        .map(|w| integrate(&f, w[0], w[1], h_max))
        .sum()
}

#[test]
fn gauss_legendre_is_exact_for_polynomials_and_gaussians() {
    let v = integrate(|x| x.powi(10) - 3.0 * x.powi(3), -1.0, 2.0, 1.0);
    assert!((v - ((2f64.powi(11) + 1.0) / 11.0 - 0.75 * 15.0)).abs() < 1e-12);
    let g = integrate(|x| (-0.5 * x * x).exp(), -20.0, 20.0, 0.5);
    assert!((g - (2.0 * std::f64::consts::PI).sqrt()).abs() < 1e-14);
}
