//! Cost of `rmt-sgd analyze` per matrix (issue 11, deliverable 8: 1.5 M 2×2 matrices in ≤ 10 s on
//! 2 cores, i.e. ≤ ~6 µs a matrix): the default analysis (`spectral::analyse_ensemble` with the
//! command's options: automatic peaks, least squares and maximum likelihood of Eq 11 and Eq 32,
//! 200 bootstrap replicas) of 10⁵ matrices W = I + 0.05·G (one degenerate pair), and reading
//! them from an `.npz` (`release_data::ensemble::read`: decode and 2×2 singular values).

#![forbid(unsafe_code)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use langevin_core::spectrum::singular_values_2x2;
use langevin_core::stream;
use rand_distr::{Distribution, StandardNormal};
use release_data::ensemble::{read, ReadOptions};
use spectral::{analyse_ensemble, EnsembleOptions, PeakOptions};
use std::hint::black_box;
use std::time::Duration;

const MATRICES: usize = 100_000;

fn matrices() -> Vec<f64> {
    let mut rng = stream(1, "bench/analyze", 0);
    let mut w = Vec::with_capacity(4 * MATRICES);
    for _ in 0..MATRICES {
        let g: [f64; 4] = std::array::from_fn(|_| StandardNormal.sample(&mut rng));
        w.extend([
            1.0 + 0.05 * g[0],
            0.05 * g[1],
            0.05 * g[2],
            1.0 + 0.05 * g[3],
        ]);
    }
    w
}

/// The options `rmt-sgd analyze` uses by default.
fn options() -> EnsembleOptions {
    EnsembleOptions {
        targets: None,
        keep_outliers: false,
        peak: PeakOptions {
            sigma0: None,
            bootstrap: 200,
            seed: 20240814,
            purpose: "analyze/bootstrap/bench".into(),
            bootstrap_ml: false,
            eq32: true,
        },
    }
}

fn analyze(c: &mut Criterion) {
    let w = matrices();
    let spectra: Vec<Vec<f64>> = w
        .chunks(4)
        .map(|m| {
            let mut s = singular_values_2x2(m[0], m[1], m[2], m[3]).to_vec();
            s.sort_by(f64::total_cmp);
            s
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.npz");
    release_data::write::NpzWriter::new()
        .add_f64("W", &[MATRICES, 2, 2], &w, false)
        .write(&path)
        .unwrap();
    let read_options = ReadOptions::default();

    let mut g = c.benchmark_group("analyze");
    g.throughput(Throughput::Elements(MATRICES as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.bench_function("read_2x2_per_matrix", |b| {
        b.iter(|| black_box(read(&path, &read_options).unwrap()))
    });
    let mut no_bootstrap = options();
    no_bootstrap.peak.bootstrap = 0;
    g.bench_function("fits_2x2_per_matrix", |b| {
        b.iter(|| black_box(analyse_ensemble(&spectra, &no_bootstrap).unwrap()))
    });
    g.bench_function("2x2_per_matrix", |b| {
        b.iter(|| black_box(analyse_ensemble(&spectra, &options()).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, analyze);
criterion_main!(benches);
