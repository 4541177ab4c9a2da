//! The bootstrap over samples (rows): replica b resamples the n rows with replacement from the
//! stream `stream(seed, purpose, b)`, so every replica is reproducible on its own, whatever the
//! thread count, and the same (seed, purpose) gives every statistic the same resamples.

use langevin_core::stream;
use rand::RngExt;

use crate::error::SpectralError;

/// The row indices of replica `b`.
pub fn resample(seed: u64, purpose: &str, b: u64, n: usize) -> Vec<usize> {
    let mut rng = stream(seed, purpose, b);
    (0..n).map(|_| rng.random_range(0..n)).collect()
}

/// `f` on every replica, in replica order (computed in parallel, collected in order). The first
/// failing replica, if any, is the error.
pub fn replicas<T, F>(
    seed: u64,
    purpose: &str,
    replicates: usize,
    n: usize,
    f: F,
) -> Result<Vec<T>, SpectralError>
where
    T: Send,
    F: Fn(&[usize]) -> Result<T, SpectralError> + Sync,
{
    if replicates < 2 {
        return Err(SpectralError::Invalid(format!(
            "the bootstrap needs at least 2 replicates, got {replicates}"
        )));
    }
    // The lowest failing replica is the error, whatever the thread count.
    langevin_core::ordered::try_par_map(replicates as u64, |b| {
        f(&resample(seed, purpose, b, n))
            .map_err(|e| SpectralError::Fit(format!("bootstrap replica {b}: {e}")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicas_are_reproducible_and_thread_independent() {
        let a = replicas(3, "t", 8, 10, |s| Ok(s.to_vec())).unwrap();
        let b = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| replicas(3, "t", 8, 10, |s| Ok(s.to_vec())).unwrap());
        assert_eq!(a, b);
        assert_eq!(a[5], resample(3, "t", 5, 10));
        assert_ne!(a[0], a[1]);
        assert!(replicas(3, "t", 1, 10, |_| Ok(())).is_err());
        let e = replicas(3, "t", 4, 10, |_| -> Result<(), _> {
            Err(SpectralError::Fit("no".into()))
        });
        assert!(e.unwrap_err().to_string().contains("replica 0"));
        // The lowest failing replica is named, whatever the threads meet first.
        for _ in 0..20 {
            let e = replicas(3, "t", 64, 10, |s| -> Result<(), _> {
                if s[0].is_multiple_of(3) {
                    Err(SpectralError::Fit("no".into()))
                } else {
                    Ok(())
                }
            });
            let first = (0..64)
                .find(|&b| resample(3, "t", b, 10)[0].is_multiple_of(3))
                .unwrap();
            assert!(e
                .unwrap_err()
                .to_string()
                .contains(&format!("replica {first}:")));
        }
    }
}
