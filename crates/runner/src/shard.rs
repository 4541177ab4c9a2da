//! `--shard k/n`: the k-th of n contiguous blocks of work items. Contiguous, so the shards'
//! outputs, keyed by item index and joined in order (`rmt-sgd merge`), are the bytes of a single
//! run.

use std::ops::Range;

use crate::error::{Error, Result};

/// Shard `k` of `n` (1 ≤ k ≤ n): the k-th of n contiguous blocks of work items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Shard number, 1-based.
    pub k: usize,
    /// Number of shards.
    pub n: usize,
}

impl Shard {
    /// The whole run (`1/1`).
    pub const WHOLE: Shard = Shard { k: 1, n: 1 };

    // ANCHOR: shard_range
    /// The items `[⌊(k−1)T/n⌋, ⌊kT/n⌋)` of this shard out of `total`.
    pub fn range(self, total: u64) -> Result<Range<u64>> {
        let Shard { k, n } = self;
        if n == 0 || k == 0 || k > n {
            return Err(Error::Shard { k, n });
        }
        let cut = |j: usize| ((total as u128 * j as u128) / n as u128) as u64;
        Ok(cut(k - 1)..cut(k))
    }
    // ANCHOR_END: shard_range

    /// Whether this is the whole run.
    pub fn is_whole(self) -> bool {
        self.n == 1
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// Parses `k/n` with 1 ≤ k ≤ n (SLURM: `$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`
    /// with `--array=1-n`).
    fn from_str(s: &str) -> Result<Self, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("'{s}' is not of the form k/n"))?;
        let parse = |v: &str| {
            v.trim()
                .parse::<usize>()
                .map_err(|_| format!("'{s}' is not of the form k/n with integers"))
        };
        let (k, n) = (parse(k)?, parse(n)?);
        if k == 0 || k > n {
            return Err(format!("shard {k}/{n}: need 1 ≤ k ≤ n"));
        }
        Ok(Shard { k, n })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_parser() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { k: 2, n: 3 }));
        assert!("0/3".parse::<Shard>().is_err());
        assert!("4/3".parse::<Shard>().is_err());
        assert!("3".parse::<Shard>().is_err());
        assert!("a/b".parse::<Shard>().is_err());
        assert_eq!(Shard { k: 2, n: 3 }.to_string(), "2/3");
        assert_eq!(Shard { k: 3, n: 3 }.range(10).unwrap(), 6..10);
    }

    #[test]
    fn an_impossible_shard_is_an_error() {
        for (k, n) in [(0, 3), (4, 3), (1, 0)] {
            let e = Shard { k, n }.range(10).unwrap_err();
            assert!(matches!(e, Error::Shard { .. }), "{e}");
        }
        assert_eq!(
            Shard { k: 4, n: 3 }.range(10).unwrap_err().to_string(),
            "invalid shard 4/3: need 1 ≤ k ≤ n"
        );
    }

    #[test]
    fn shards_partition_the_items_in_order() {
        for (total, n) in [(10u64, 3usize), (7, 7), (3, 5), (1000, 4), (u64::MAX, 3)] {
            let mut next = 0;
            for k in 1..=n {
                let r = Shard { k, n }.range(total).unwrap();
                assert_eq!(r.start, next);
                next = r.end;
            }
            assert_eq!(next, total);
        }
    }
}
