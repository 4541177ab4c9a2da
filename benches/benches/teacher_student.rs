//! Cost of one seed-step of the teacher-student SGD at |B| = 16 (issue 4: goal ≤ 0.2 µs; the
//! authors' code needs 73–837 µs per seed-step, a batched NumPy port ~4 µs).
//!
//! * `step/*`: the bare precomputed update W ← W(1 − αC_B) + K_B (Z = 1) or
//!   W ← W − αZᵀZ W C_B + K_B (Z of Eq 27), cycling through 500 minibatches;
//! * `seed/*`: a whole network — initial draw, per-datum noise (quenched: 500·16 GOE matrices drawn
//!   once; fresh: one batch mean per step), precomputation and 10 epochs × 500 steps — per step.
//!   This is the figure of merit: everything a seed costs, divided by its 5000 steps.

#![forbid(unsafe_code)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use teacher_student::sim::{step_general, step_identity};
use teacher_student::{Mat, Model, Record, Teacher};

fn steps(c: &mut Criterion) {
    let mut g = c.benchmark_group("teacher_student/step");
    let batches = 500usize;
    let cov: Vec<Mat<2, 2>> = (0..batches)
        .map(|b| {
            let t = b as f64 * 0.013;
            Mat::<2, 2>::new(
                1.0 + 0.2 * t.sin(),
                0.1 * t.cos(),
                0.1 * t.cos(),
                1.0 - 0.2 * t.sin(),
            )
        })
        .collect();
    let lr = 0.1;
    let prop: Vec<Mat<2, 2>> = cov
        .iter()
        .map(|c| Mat::<2, 2>::identity() - c * lr)
        .collect();
    let kicks: Vec<Mat<2, 2>> = cov.iter().map(|c| c * (2.0 * lr)).collect();
    g.throughput(Throughput::Elements(batches as u64));
    g.bench_function("z1_bs16", |b| {
        b.iter(|| {
            let mut w = black_box(Mat::<2, 2>::new(0.1, 0.0, 0.0, 0.1));
            for k in 0..batches {
                w = step_identity(&w, &prop[k], &kicks[k]);
            }
            w
        })
    });
    let t: Teacher<2, 2> = Model::Z27.teacher();
    let lr_g = t.gram() * lr;
    g.bench_function("z27_bs16", |b| {
        b.iter(|| {
            let mut w = black_box(Mat::<2, 2>::new(0.1, 0.0, 0.0, 0.1));
            for k in 0..batches {
                w = step_general(&w, &lr_g, &cov[k], &kicks[k]);
            }
            w
        })
    });
    g.finish();
}

fn seeds(c: &mut Criterion) {
    let mut g = c.benchmark_group("teacher_student/seed");
    for model in [Model::Released, Model::Z27] {
        let h = model.hyper(0.1, 0.1, 16);
        let run = model.run(h, 1, 0).expect("valid preset");
        g.throughput(Throughput::Elements(h.steps() as u64));
        let mut k = 0u64;
        g.bench_function(format!("{}_bs16", model.name()), |b| {
            b.iter(|| {
                k += 1;
                black_box(run.member(k, Record::Final).expect("finite"))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, steps, seeds);
criterion_main!(benches);
