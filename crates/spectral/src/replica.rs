//! A peak's samples laid out for the bootstrap, so that a replica costs O(rows), not a sort.
//!
//! A replica draws rows with repetition. Its sums (mean, σ, U4, mean spacing) run over the drawn
//! rows in row order, each weighted by its number of draws. Its histograms need its values in
//! order: a replica's sorted pool is the full sorted pool with every value repeated as often as
//! its row was drawn, read by rank and by value ([`Ranked`]) without being laid out. The full pool
//! is sorted once with each value's row, and cut into blocks of [`BLOCK`] sorted positions; a
//! replica counts its draws per block in its row-order pass, so a rank or a value is found with
//! a binary search plus at most one block walked. Values equal under `total_cmp` have the same
//! bits, so every histogram is the one of the sorted resample, bit for bit.

use coulomb_gas::histogram::Ranked;
use rayon::slice::ParallelSliceMut;

use crate::error::SpectralError;

/// Sorted positions per block.
const BLOCK: usize = 256;

/// One kind of pooled value (levels or spacings), sorted once.
struct Presorted {
    /// The values, ascending.
    sorted: Vec<f64>,
    /// The row of each sorted value.
    rows: Vec<u32>,
    /// Per value in row order (row-major), the block of its sorted position.
    block_of: Vec<u32>,
}

impl Presorted {
    /// From values in row order, `per_row` per row.
    fn new(values: &[f64], per_row: usize) -> Self {
        let mut order: Vec<(f64, u32)> = values
            .iter()
            .enumerate()
            .map(|(k, &x)| (x, k as u32))
            .collect();
        // The order of equal values (same bits) is immaterial: every read is by rank or by
        // value, so the parallel sort's tie order cannot change a result.
        order.par_sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let mut block_of = vec![0u32; values.len()];
        for (pos, &(_, k)) in order.iter().enumerate() {
            block_of[k as usize] = (pos / BLOCK) as u32;
        }
        Self {
            sorted: order.iter().map(|p| p.0).collect(),
            rows: order.iter().map(|p| p.1 / per_row.max(1) as u32).collect(),
            block_of,
        }
    }

    fn blocks(&self) -> usize {
        self.sorted.len().div_ceil(BLOCK)
    }
}

/// One peak's levels, row by row, with the pooled values and spacings sorted once.
pub(crate) struct PeakSamples {
    /// Levels per row in the peak.
    width: usize,
    /// The levels of row i at `values[i·width..(i+1)·width]`: [`crate::peak::pooled`]'s order.
    values: Vec<f64>,
    levels: Presorted,
    spacings: Presorted,
}

/// One replica: how often each row was drawn, its samples for sums, its draws per block.
pub(crate) struct Replica {
    /// Draws per row.
    counts: Vec<u32>,
    /// Pooled levels as (value, draws of its row), drawn rows in row order.
    pub values: Vec<(f64, f64)>,
    /// Spacings as (value, draws of its row), drawn rows in row order.
    pub spacings: Vec<(f64, f64)>,
    /// Draws before each block of sorted levels (cumulative, one more than the blocks).
    level_prefix: Vec<u64>,
    spacing_prefix: Vec<u64>,
}

/// A replica's pool in order, read by rank and by value.
pub(crate) struct Drawn<'a> {
    p: &'a Presorted,
    counts: &'a [u32],
    prefix: &'a [u64],
}

impl Drawn<'_> {
    /// Draws of the sorted values before position `pos`.
    fn drawn_before(&self, pos: usize) -> usize {
        let b = pos / BLOCK;
        let walked: u64 = (b * BLOCK..pos)
            .map(|j| self.counts[self.p.rows[j] as usize] as u64)
            .sum();
        (self.prefix[b] + walked) as usize
    }
}

// ANCHOR: drawn
impl Ranked for Drawn<'_> {
    fn count(&self) -> usize {
        self.prefix[self.prefix.len() - 1] as usize
    }

    fn nth(&self, k: usize) -> f64 {
        let k = k as u64;
        // The block holding rank k, then the value whose draws reach past k.
        let b = self.prefix.partition_point(|&c| c <= k) - 1;
        let mut acc = self.prefix[b];
        for j in b * BLOCK..self.p.sorted.len() {
            acc += self.counts[self.p.rows[j] as usize] as u64;
            if acc > k {
                return self.p.sorted[j];
            }
        }
        // k ≥ count: as a slice, out of range.
        panic!("rank {k} of a replica with {acc} values")
    }

    fn below(&self, x: f64) -> usize {
        self.drawn_before(self.p.sorted.partition_point(|&v| v < x))
    }

    fn at_most(&self, x: f64) -> usize {
        self.drawn_before(self.p.sorted.partition_point(|&v| v <= x))
    }
}
// ANCHOR_END: drawn

fn spacing(row: &[f64], j: usize) -> f64 {
    (row[j + 1] - row[j]).abs()
}

fn cumulative(blocks: Vec<u64>) -> Vec<u64> {
    let mut prefix = Vec::with_capacity(blocks.len() + 1);
    let mut acc = 0;
    prefix.push(0);
    for c in blocks {
        acc += c;
        prefix.push(acc);
    }
    prefix
}

impl PeakSamples {
    /// From the pooled levels (`width` per row, as [`crate::peak::pooled`]); every value and
    /// spacing must be finite.
    pub fn new(values: Vec<f64>, width: usize) -> Result<Self, SpectralError> {
        if values.len() > u32::MAX as usize {
            return Err(SpectralError::Data(format!(
                "{} pooled values: more than the bootstrap's {}",
                values.len(),
                u32::MAX
            )));
        }
        let spacings: Vec<f64> = values
            .chunks(width)
            .flat_map(|r| (0..width - 1).map(move |j| spacing(r, j)))
            .collect();
        if let Some(bad) = values.iter().chain(&spacings).find(|x| !x.is_finite()) {
            return Err(SpectralError::Data(format!(
                "a sample or spacing is {bad}: a histogram needs finite values"
            )));
        }
        Ok(Self {
            levels: Presorted::new(&values, width),
            spacings: Presorted::new(&spacings, width - 1),
            width,
            values,
        })
    }

    /// The full sample's pooled levels (row order).
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The full sample's pooled levels, ascending.
    pub fn sorted_values(&self) -> &[f64] {
        &self.levels.sorted
    }

    /// The full sample's spacings, ascending.
    pub fn sorted_spacings(&self) -> &[f64] {
        &self.spacings.sorted
    }

    // ANCHOR: replica
    /// The replica that draws rows `sel` (with repetition).
    pub fn replica(&self, sel: &[usize]) -> Replica {
        let w = self.width;
        let mut counts = vec![0u32; self.values.len() / w];
        for &i in sel {
            counts[i] += 1;
        }
        let drawn = counts.iter().filter(|&&c| c > 0).count();
        let mut values = Vec::with_capacity(drawn * w);
        let mut spacings = Vec::with_capacity(drawn * (w - 1));
        let mut level_blocks = vec![0u64; self.levels.blocks()];
        let mut spacing_blocks = vec![0u64; self.spacings.blocks()];
        for (i, (row, &c)) in self.values.chunks(w).zip(&counts).enumerate() {
            if c == 0 {
                continue;
            }
            for (j, &x) in row.iter().enumerate() {
                values.push((x, c as f64));
                level_blocks[self.levels.block_of[i * w + j] as usize] += c as u64;
            }
            for j in 0..w - 1 {
                spacings.push((spacing(row, j), c as f64));
                spacing_blocks[self.spacings.block_of[i * (w - 1) + j] as usize] += c as u64;
            }
        }
        Replica {
            counts,
            values,
            spacings,
            level_prefix: cumulative(level_blocks),
            spacing_prefix: cumulative(spacing_blocks),
        }
    }
    // ANCHOR_END: replica

    /// A replica's pooled levels in order.
    pub fn drawn_values<'a>(&'a self, r: &'a Replica) -> Drawn<'a> {
        Drawn {
            p: &self.levels,
            counts: &r.counts,
            prefix: &r.level_prefix,
        }
    }

    /// A replica's spacings in order.
    pub fn drawn_spacings<'a>(&'a self, r: &'a Replica) -> Drawn<'a> {
        Drawn {
            p: &self.spacings,
            counts: &r.counts,
            prefix: &r.spacing_prefix,
        }
    }
}

/// A [`Ranked`] sample laid out (for fits that need every value, e.g. maximum likelihood).
pub(crate) fn laid_out<S: Ranked + ?Sized>(s: &S) -> Vec<f64> {
    (0..s.count()).map(|k| s.nth(k)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binning::{histogram_ranked, sorted_copy};
    use crate::moments::{mean, mean_sd, weighted_mean_sd};

    /// A replica read by rank and value is the sorted gathered resample, bit for bit, including
    /// ties, signed zeros and repeated rows (so are its histograms); its weighted sums are the
    /// resample's to rounding.
    #[test]
    fn a_replica_is_the_resample() {
        let width = 3;
        let mut values: Vec<f64> = (0..3000)
            .map(|i| ((i as f64) * 0.618).sin().round() * 0.5 + ((i / 7) as f64).cos())
            .collect();
        values[4] = -0.0;
        values[5] = 0.0;
        let p = PeakSamples::new(values.clone(), width).unwrap();
        let rows = values.len() / width;
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for b in 0..5 {
            let sel = crate::bootstrap::resample(3, "t", b, rows);
            let r = p.replica(&sel);
            let gathered: Vec<&[f64]> = sel
                .iter()
                .map(|&i| &values[i * width..(i + 1) * width])
                .collect();
            let want = sorted_copy(&crate::peak::pooled(&gathered, &[0, 1, 2]));
            let s = crate::peak::spacings(&gathered, &[0, 1, 2]);
            let want_s = sorted_copy(&s);
            let (dv, ds) = (p.drawn_values(&r), p.drawn_spacings(&r));
            assert_eq!(bits(&laid_out(&dv)), bits(&want));
            assert_eq!(bits(&laid_out(&ds)), bits(&want_s));
            for x in [
                -2.0,
                -0.0,
                0.0,
                0.25,
                0.5,
                want[17],
                want[want.len() - 1],
                9.0,
            ] {
                assert_eq!(dv.below(x), want.below(x), "below {x}");
                assert_eq!(dv.at_most(x), want.at_most(x), "at most {x}");
            }
            assert_eq!(
                histogram_ranked(&dv).unwrap(),
                histogram_ranked(want.as_slice()).unwrap()
            );
            assert_eq!(
                histogram_ranked(&ds).unwrap(),
                histogram_ranked(want_s.as_slice()).unwrap()
            );
            let (m, sd) = weighted_mean_sd(r.values.iter().copied());
            let (m0, sd0) = mean_sd(&want);
            assert!((m - m0).abs() < 1e-14 && (sd - sd0).abs() < 1e-14);
            let (ms, _) = weighted_mean_sd(r.spacings.iter().copied());
            assert!((ms - mean(&s)).abs() < 1e-14);
        }
        // Every row drawn once: the full sample, bit for bit.
        let r = p.replica(&(0..rows).collect::<Vec<_>>());
        let (m, sd) = weighted_mean_sd(r.values.iter().copied());
        let (m0, sd0) = mean_sd(&values);
        assert_eq!((m.to_bits(), sd.to_bits()), (m0.to_bits(), sd0.to_bits()));
        assert!(PeakSamples::new(vec![1.0, f64::INFINITY], 1).is_err());
        assert!(PeakSamples::new(vec![-f64::MAX, f64::MAX], 2).is_err());
    }
}
