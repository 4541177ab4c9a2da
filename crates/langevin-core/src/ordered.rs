//! Fallible parallel maps whose error does not depend on the thread count.
//!
//! rayon's `collect::<Result<Vec<_>, _>>()` stops at whichever error a thread meets first, so
//! with several failing items the reported one changes from run to run. These maps compute
//! every item, then return the results in index order or the error of the lowest failing index.

use rayon::prelude::*;

/// `f(0), …, f(n − 1)` in parallel; `Ok` in index order, or the lowest index's error.
pub fn try_par_map<T, E, F>(n: u64, f: F) -> Result<Vec<T>, E>
where
    T: Send,
    E: Send,
    F: Fn(u64) -> Result<T, E> + Sync + Send,
{
    let all: Vec<Result<T, E>> = (0..n).into_par_iter().map(f).collect();
    all.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lowest_failing_index_is_the_error_on_any_thread_count() {
        let f = |k: u64| if k % 7 == 3 { Err(k) } else { Ok(k * 2) };
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            for _ in 0..10 {
                assert_eq!(pool.install(|| try_par_map(100, f)), Err(3));
            }
            let ok = pool.install(|| try_par_map(5, |k| Ok::<_, ()>(k * 2)));
            assert_eq!(ok, Ok(vec![0, 2, 4, 6, 8]));
        }
    }
}
