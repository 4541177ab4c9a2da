//! Cost of one chain-step of the eigenvalue Langevin equation (Eq 5).
//!
//! Targets (issue 2): N = 2 implicit step ≤ 50 ns per chain-step, N = 10 ≤ 2 µs.
//! "chain-step" = draw the N normals and advance one chain by one iteration.

#![forbid(unsafe_code)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use langevin_core::{stream, Dyson, ImplicitWorkspace, MatrixOu, Quadratic};
use rand_distr::{Distribution, StandardNormal};
use std::hint::black_box;

fn process(n: usize) -> Dyson<Quadratic> {
    // σ = 0.1 per particle, αΩ = 0.01: the settings of the sampler tests.
    Dyson::new(
        0.01,
        1,
        vec![10.0; n],
        Quadratic::uniform(n, 1.0, 1.0).unwrap(),
    )
    .unwrap()
}

fn start(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| 1.0 + 0.1 * (i as f64 - 0.5 * (n as f64 - 1.0)))
        .collect()
}

fn implicit(c: &mut Criterion) {
    let mut g = c.benchmark_group("implicit_chain_step");
    for n in [2usize, 10] {
        let d = process(n);
        let steps = 1000u64;
        g.throughput(Throughput::Elements(steps));
        g.bench_function(format!("N={n}"), |b| {
            b.iter_batched(
                || (start(n), stream(1, "bench", n as u64)),
                |(mut x, mut rng)| {
                    let mut y = vec![0.0; n];
                    let mut eta = vec![0.0; n];
                    let mut ws = ImplicitWorkspace::new(n);
                    for _ in 0..steps {
                        for e in eta.iter_mut() {
                            *e = StandardNormal.sample(&mut rng);
                        }
                        d.step_implicit(&x, &eta, &mut y, &mut ws).unwrap();
                        std::mem::swap(&mut x, &mut y);
                    }
                    black_box(x)
                },
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

fn explicit_and_ou(c: &mut Criterion) {
    let mut g = c.benchmark_group("other_schemes_chain_step");
    let steps = 1000u64;
    g.throughput(Throughput::Elements(steps));
    for n in [2usize, 10] {
        let d = process(n);
        g.bench_function(format!("explicit N={n}"), |b| {
            b.iter_batched(
                || (start(n), stream(2, "bench", n as u64)),
                |(mut x, mut rng)| {
                    let mut y = vec![0.0; n];
                    let mut eta = vec![0.0; n];
                    for _ in 0..steps {
                        for e in eta.iter_mut() {
                            *e = StandardNormal.sample(&mut rng);
                        }
                        d.step_explicit(&x, &eta, &mut y);
                        std::mem::swap(&mut x, &mut y);
                    }
                    black_box(x)
                },
                BatchSize::SmallInput,
            )
        });
        let ou = MatrixOu::new(n, 0.01, 1, 10.0, 1.0, 1.0).unwrap();
        g.bench_function(format!("matrix-ou N={n}"), |b| {
            b.iter_batched(
                || {
                    (
                        ou.state_from_eigenvalues(&start(n)),
                        stream(3, "bench", n as u64),
                    )
                },
                |(mut h, mut rng)| {
                    for _ in 0..steps {
                        ou.step(&mut h, &mut rng);
                    }
                    black_box(h)
                },
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, implicit, explicit_and_ou);
criterion_main!(benches);
