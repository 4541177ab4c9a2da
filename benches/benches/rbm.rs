//! Cost of one realisation-epoch of the Gaussian RBM (issue 3, item 7), and the floor.
//!
//! A realisation-epoch at |B| = 16 is one SGD step of one realisation: PCD-3 on 16 persistent
//! chains (60·|B| = 960 normals, the unused last hidden sample not drawn) and the update. Groups of
//! realisations run in lockstep, as many as the kernel takes (eight with AVX-512, four
//! otherwise); the times are per realisation (group time / group size).
//! Targets (issue 12): ≤ 1.5 µs a realisation-epoch and ≤ 0.7 µs for its 960 normals.
//!
//! Times are the benchmark thread's CPU time on Linux (`CLOCK_THREAD_CPUTIME_ID`), wall time
//! elsewhere: the cost on one core, not inflated when other processes share the machine.

#![deny(unsafe_code)]

use criterion::{criterion_group, criterion_main, Criterion};
use rand_distr::{Distribution, StandardNormal};
use rbm::bench::LockstepGroup;
use rbm::{Experiment, Hyper, LaneNormals};
use std::hint::black_box;
use std::time::Duration;

const BATCH: usize = 16;
/// Normals per realisation-epoch: 2 × 3 Gibbs sweeps × |B| chains × 10 units.
const NORMALS: usize = 60 * BATCH;

fn per_realisation(elapsed: Duration, lanes: usize) -> Duration {
    elapsed / lanes as u32
}

/// CPU time of the calling thread.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn now() -> Duration {
    #[repr(C)]
    struct Timespec {
        sec: i64,
        nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, t: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut t = Timespec { sec: 0, nsec: 0 };
    // SAFETY: a valid pointer to a timespec; the clock id exists on every Linux.
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "clock_gettime failed");
    Duration::new(t.sec as u64, t.nsec as u32)
}

/// Wall time since the first call.
#[cfg(not(target_os = "linux"))]
fn now() -> Duration {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}

/// The 960 normals of a realisation-epoch, drawn by `kernel` for a group of `L` lanes.
fn normals<const L: usize>(
    g: &mut criterion::BenchmarkGroup<criterion::measurement::WallTime>,
    kernel: rbm::bench::BenchKernel,
) {
    let keys: [[u8; 32]; L] = std::array::from_fn(|l| [l as u8 + 1; 32]);
    let mut lanes = LaneNormals::<L>::from_keys(&keys);
    let mut buf = vec![[0.0; L]; NORMALS];
    g.bench_function(format!("floor_normals_960_{}", kernel.name()), |b| {
        b.iter_custom(|iters| {
            let t = now();
            for _ in 0..iters {
                rbm::bench::fill_with_kernel(&mut lanes, &mut buf, kernel);
                black_box(&buf);
            }
            per_realisation(now() - t, L)
        })
    });
}

/// Per kernel this CPU has (portable, AVX2, AVX-512; identical bits), one realisation-epoch
/// and the 960 normals it draws, then the reference: the same number of normals from
/// rand_distr's `StandardNormal` on the same generator (xoshiro256++), one at a time.
fn realisation_epoch(c: &mut Criterion) {
    let mut g = c.benchmark_group("rbm");
    let exp = Experiment::authors(Hyper::new(0.1, BATCH, 1).unwrap(), 1).unwrap();
    for kernel in rbm::bench::kernels() {
        let mut group = LockstepGroup::with_kernel(&exp, kernel);
        // Leave the transient: the cost does not depend on W, but start from a trained state.
        for _ in 0..2000 {
            group.epoch();
        }
        let lanes = group.lanes();
        g.bench_function(format!("realisation_epoch_bs16_{}", kernel.name()), |b| {
            b.iter_custom(|iters| {
                let t = now();
                for _ in 0..iters {
                    black_box(group.epoch());
                }
                per_realisation(now() - t, lanes)
            })
        });
    }

    for kernel in rbm::bench::kernels() {
        match kernel.lanes() {
            8 => normals::<8>(&mut g, kernel),
            _ => normals::<4>(&mut g, kernel),
        }
    }

    let mut rng = langevin_core::stream(1, "bench/rbm", 0);
    let mut one = vec![0.0; NORMALS];
    g.bench_function("floor_normals_960_rand_distr", |b| {
        b.iter_custom(|iters| {
            let t = now();
            for _ in 0..iters {
                for x in one.iter_mut() {
                    *x = StandardNormal.sample(&mut rng);
                }
                black_box(&one);
            }
            now() - t
        })
    });
    g.finish();
}

criterion_group!(benches, realisation_epoch);
criterion_main!(benches);
