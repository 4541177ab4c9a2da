//! Histograms exactly as the authors build them (authors-protocol §1(c)): Freedman–Diaconis bin
//! width with numpy's linear-interpolation percentiles, `int((max − min) // bw)` equal bins over
//! (min, max), numpy's binning rule (half-open bins, the last one closed) and `density=True`.
//! Every floating-point step follows numpy/CPython so the bins agree bit for bit.

use crate::error::{check_samples, GasError};

/// A histogram with explicit edges (len = bins + 1) and counts.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Histogram {
    /// Bin edges, increasing; bin i is `[edges[i], edges[i+1])` except the last, which is closed.
    pub edges: Vec<f64>,
    /// Counts per bin.
    pub counts: Vec<u64>,
    /// Number of samples counted (inside the range).
    pub n: usize,
}

/// numpy's `percentile(sorted, q)` with the default `method='linear'`, including its two-sided
/// interpolation formula (`_lerp`). `sorted` must be sorted ascending and non-empty; q in [0, 100].
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    percentile_ranked(sorted, q)
}

/// An ascending sample read by rank and by value: a slice, or a sample that is never laid out
/// (a bootstrap replica given as draws of a sorted sample's rows). Every histogram step below
/// reads the sample only through these, so both give the same bits.
pub trait Ranked {
    /// Number of values.
    fn count(&self) -> usize;
    /// The k-th smallest value (k < count).
    fn nth(&self, k: usize) -> f64;
    /// Number of values < x.
    fn below(&self, x: f64) -> usize;
    /// Number of values ≤ x.
    fn at_most(&self, x: f64) -> usize;
}

impl Ranked for [f64] {
    fn count(&self) -> usize {
        self.len()
    }
    fn nth(&self, k: usize) -> f64 {
        self[k]
    }
    fn below(&self, x: f64) -> usize {
        self.partition_point(|&v| v < x)
    }
    fn at_most(&self, x: f64) -> usize {
        self.partition_point(|&v| v <= x)
    }
}

/// [`percentile`] of a [`Ranked`] sample.
pub fn percentile_ranked<S: Ranked + ?Sized>(sorted: &S, q: f64) -> f64 {
    let n = sorted.count();
    let virtual_index = (q / 100.0) * (n as f64 - 1.0);
    let lo = (virtual_index.floor().max(0.0) as usize).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    let gamma = virtual_index - lo as f64;
    let (a, b) = (sorted.nth(lo), sorted.nth(hi));
    let diff = b - a;
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

/// CPython's float floor division `a // b` (via fmod, as in `float_floor_div`).
fn py_floordiv(a: f64, b: f64) -> f64 {
    let m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 && ((b < 0.0) != (m < 0.0)) {
        div -= 1.0;
    }
    if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0.0_f64.copysign(a / b)
    }
}

/// The authors' `f_bin`: Freedman–Diaconis number of bins and range.
///
/// ```text
/// bw     = 2 · IQR / n^{1/3}          (IQR from numpy's linear-interpolation percentiles)
/// n_bins = int((max − min) // bw),    at least 1
/// range  = (min, max)
/// ```
// ANCHOR: fd_histogram
pub fn freedman_diaconis_bins(samples: &[f64]) -> Result<(usize, (f64, f64)), GasError> {
    check_samples("samples", samples)?;
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    freedman_diaconis_bins_sorted(sorted.as_slice())
}

/// [`freedman_diaconis_bins`] of an already sorted, finite, non-empty sample (no copy, no sort:
/// for jackknife loops that delete one value at a time from a sorted array).
pub fn freedman_diaconis_bins_sorted<S: Ranked + ?Sized>(
    sorted: &S,
) -> Result<(usize, (f64, f64)), GasError> {
    if sorted.count() == 0 {
        return Err(GasError::NotEnoughData("no samples for a histogram".into()));
    }
    let iqr = percentile_ranked(sorted, 75.0) - percentile_ranked(sorted, 25.0);
    if iqr.is_nan() || iqr <= 0.0 {
        return Err(GasError::Degenerate(format!(
            "interquartile range is {iqr} for {} samples: the Freedman–Diaconis width is zero",
            sorted.count()
        )));
    }
    let bw = 2.0 * iqr / (sorted.count() as f64).cbrt();
    let (lo, hi) = (sorted.nth(0), sorted.nth(sorted.count() - 1));
    let n_bins = py_floordiv(hi - lo, bw).max(1.0) as usize;
    Ok((n_bins, (lo, hi)))
}
// ANCHOR_END: fd_histogram

/// A sample the sorted-input functions accept: non-empty, finite and ascending (by `total_cmp`).
pub fn check_sorted(sorted: &[f64]) -> Result<(), GasError> {
    // Sorted by total_cmp, NaN and ±∞ can only sit at the ends.
    if !(sorted.first().is_some_and(|v| v.is_finite())
        && sorted.last().is_some_and(|v| v.is_finite()))
    {
        // Names the empty sample or the first value that is not finite.
        check_samples("samples", sorted)?;
    }
    if !sorted.is_sorted_by(|a, b| a.total_cmp(b).is_le()) {
        return Err(GasError::Invalid("the samples are not ascending".into()));
    }
    Ok(())
}

/// The range numpy bins over and `np.linspace(first, last, nbins + 1)` (i·step + first, the last
/// edge set exactly), after checking the arguments.
fn numpy_edges(lo: f64, hi: f64, nbins: usize) -> Result<(f64, f64, Vec<f64>), GasError> {
    if nbins == 0 {
        return Err(GasError::Invalid("nbins = 0: need at least one bin".into()));
    }
    if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
        return Err(GasError::Invalid(format!(
            "range ({lo}, {hi}): must be finite with lo <= hi"
        )));
    }
    // numpy widens an empty range by ±0.5.
    let (first, last) = if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    };
    let step = (last - first) / nbins as f64;
    let mut edges: Vec<f64> = (0..=nbins).map(|i| i as f64 * step + first).collect();
    edges[nbins] = last;
    Ok((first, last, edges))
}

impl Histogram {
    /// Freedman–Diaconis histogram exactly as the authors (see [`freedman_diaconis_bins`]).
    pub fn freedman_diaconis(samples: &[f64]) -> Result<Self, GasError> {
        let (n_bins, (lo, hi)) = freedman_diaconis_bins(samples)?;
        Self::fixed(samples, lo, hi, n_bins)
    }

    /// `np.histogram(samples, bins=nbins, range=(lo, hi))`: samples outside [lo, hi] are dropped.
    pub fn fixed(samples: &[f64], lo: f64, hi: f64, nbins: usize) -> Result<Self, GasError> {
        check_samples("samples", samples)?;
        let (first, last, edges) = numpy_edges(lo, hi, nbins)?;
        let denom = last - first;
        let mut counts = vec![0u64; nbins];
        let mut n = 0usize;
        for &x in samples {
            if !(x >= first && x <= last) {
                continue;
            }
            let mut i = (((x - first) / denom) * nbins as f64) as usize;
            if i == nbins {
                i -= 1;
            }
            // numpy's corrections for rounding in the index computation.
            if x < edges[i] {
                i -= 1;
            } else if x >= edges[i + 1] && i != nbins - 1 {
                i += 1;
            }
            counts[i] += 1;
            n += 1;
        }
        Ok(Self { edges, counts, n })
    }

    /// [`Histogram::fixed`] of an ascending sample, in O(bins · log n): the same histogram.
    ///
    /// numpy's computed index is within one bin of the truth and its corrections compare with the
    /// edges, so a sample lands in the bin k with edges[k] ≤ x < edges[k+1] (the last bin closed):
    /// monotone in x. On sorted data every bin is then the run between two partition points.
    pub fn fixed_sorted(sorted: &[f64], lo: f64, hi: f64, nbins: usize) -> Result<Self, GasError> {
        check_sorted(sorted)?;
        Self::fixed_ranked(sorted, lo, hi, nbins)
    }

    // ANCHOR: fixed_ranked
    /// [`Histogram::fixed_sorted`] of a [`Ranked`] sample (finite values).
    pub fn fixed_ranked<S: Ranked + ?Sized>(
        sorted: &S,
        lo: f64,
        hi: f64,
        nbins: usize,
    ) -> Result<Self, GasError> {
        let (first, last, edges) = numpy_edges(lo, hi, nbins)?;
        // Where x ≥ e begins.
        let at = |e: f64| sorted.below(e);
        let start = at(first);
        let end = sorted.at_most(last);
        let mut counts = vec![0u64; nbins];
        let mut from = start;
        for (k, c) in counts.iter_mut().enumerate() {
            let to = if k + 1 == nbins {
                end
            } else {
                at(edges[k + 1]).clamp(start, end)
            };
            *c = (to - from) as u64;
            from = to;
        }
        Ok(Self {
            edges,
            counts,
            n: end - start,
        })
    }
    // ANCHOR_END: fixed_ranked

    /// Number of bins.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// True when there are no bins.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Width of bin i.
    pub fn width(&self, i: usize) -> f64 {
        self.edges[i + 1] - self.edges[i]
    }

    /// Bin centres `(edges[i] + edges[i+1]) / 2`.
    pub fn centres(&self) -> Vec<f64> {
        self.edges.windows(2).map(|w| 0.5 * (w[0] + w[1])).collect()
    }

    /// numpy's `density=True`: count / width / total (in that order), integrating to 1.
    pub fn density(&self) -> Vec<f64> {
        let total = self.n as f64;
        (0..self.len())
            .map(|i| self.counts[i] as f64 / self.width(i) / total)
            .collect()
    }

    /// Mean of the bin centres weighted by counts, Σ c_i n_i / Σ n_i: the authors' ⟨S⟩ for the
    /// surmise (`sum(px*hb)/sum(hb)`), which differs from the sample mean by O(width²).
    pub fn mean_from_bins(&self) -> f64 {
        let c = self.centres();
        let total: u64 = self.counts.iter().sum();
        c.iter()
            .zip(&self.counts)
            .map(|(x, &k)| x * k as f64)
            .sum::<f64>()
            / total as f64
    }

    /// Poisson standard error of each density value, √count / width / total (√1 for empty bins,
    /// so that weighted fits never divide by zero).
    pub fn density_err(&self) -> Vec<f64> {
        let total = self.n as f64;
        (0..self.len())
            .map(|i| (self.counts[i].max(1) as f64).sqrt() / self.width(i) / total)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference computed with numpy 2.4.6 (pip, this machine):
    //   y = np.array([0.3, -1.2, 2.5, 0.7, 0.71, 1.9, -0.4, 3.3, 0.05, 1.1, -2.0, 0.9, 0.2, 4.1, -0.6])
    //   Q1, Q3 = np.percentile(y, [25, 75]); bw = 2.*(Q3-Q1)/np.cbrt(len(y))
    //   n_bin = int((max(y)-min(y))//bw)
    //   h, e = np.histogram(y, bins=n_bin, range=(min(y), max(y)), density=True)
    //   c, _ = np.histogram(y, bins=n_bin, range=(min(y), max(y)))
    //   print(repr(Q1), repr(Q3), repr(bw), n_bin, e.tolist(), c.tolist(), h.tolist())
    const Y: [f64; 15] = [
        0.3, -1.2, 2.5, 0.7, 0.71, 1.9, -0.4, 3.3, 0.05, 1.1, -2.0, 0.9, 0.2, 4.1, -0.6,
    ];

    const NUMPY_Q1: f64 = -0.175;
    const NUMPY_Q3: f64 = 1.5;
    const NUMPY_NBIN: usize = 4;
    const NUMPY_EDGES: [f64; 5] = [
        -2.0,
        -0.4750000000000001,
        1.0499999999999998,
        2.5749999999999993,
        4.1,
    ];
    const NUMPY_COUNTS: [u64; 4] = [3, 7, 3, 2];
    const NUMPY_DENSITY: [f64; 4] = [
        0.13114754098360656,
        0.3060109289617487,
        0.1311475409836066,
        0.08743169398907101,
    ];

    #[test]
    fn freedman_diaconis_matches_numpy() {
        let mut s = Y.to_vec();
        s.sort_by(f64::total_cmp);
        assert_eq!(percentile(&s, 25.0), NUMPY_Q1);
        assert_eq!(percentile(&s, 75.0), NUMPY_Q3);
        let h = Histogram::freedman_diaconis(&Y).unwrap();
        assert_eq!(h.len(), NUMPY_NBIN);
        assert_eq!(h.edges, NUMPY_EDGES.to_vec());
        assert_eq!(h.counts, NUMPY_COUNTS.to_vec());
        for (a, b) in h.density().iter().zip(NUMPY_DENSITY) {
            assert_eq!(*a, b);
        }
        // Density integrates to one.
        let total: f64 = (0..h.len()).map(|i| h.density()[i] * h.width(i)).sum();
        assert!((total - 1.0).abs() < 1e-14);
    }

    /// A larger array with ties, built from exact rational operations so numpy and Rust see the
    /// same doubles. numpy 2.4.6:
    ///   y = np.array([((i*37) % 101)/7.0 - (i % 13)*0.3 for i in range(200)])
    ///   (then as above) -> Q1 = 1.7392857142857145, Q3 = 9.053571428571429, 6 bins
    #[test]
    fn freedman_diaconis_matches_numpy_on_200_points() {
        let y: Vec<f64> = (0..200u64)
            .map(|i| ((i * 37) % 101) as f64 / 7.0 - (i % 13) as f64 * 0.3)
            .collect();
        let mut s = y.clone();
        s.sort_by(f64::total_cmp);
        assert_eq!(percentile(&s, 25.0), 1.7392857142857145);
        assert_eq!(percentile(&s, 75.0), 9.053571428571429);
        let h = Histogram::freedman_diaconis(&y).unwrap();
        assert_eq!(h.counts, vec![19, 42, 37, 42, 39, 21]);
        let edges = [
            -3.314285714285714,
            -0.43095238095238075,
            2.4523809523809526,
            5.335714285714286,
            8.219047619047618,
            11.102380952380951,
            13.985714285714286,
        ];
        assert_eq!(h.edges, edges.to_vec());
        let dens = [
            0.03294797687861272,
            0.07283236994219652,
            0.06416184971098265,
            0.07283236994219656,
            0.06763005780346822,
            0.03641618497109825,
        ];
        assert_eq!(h.density(), dens.to_vec());
    }

    #[test]
    fn percentile_interpolates_like_numpy() {
        // np.percentile([1, 2, 3, 4], [0, 10, 50, 90, 100]) = [1, 1.3, 2.5, 3.7, 4]
        let s = [1.0, 2.0, 3.0, 4.0];
        let want = [1.0, 1.3, 2.5, 3.7, 4.0];
        for (q, w) in [0.0, 10.0, 50.0, 90.0, 100.0].iter().zip(want) {
            assert!((percentile(&s, *q) - w).abs() < 1e-15, "q = {q}");
        }
        assert_eq!(py_floordiv(7.0, 2.0), 3.0);
        assert_eq!(py_floordiv(0.3, 0.1), 2.0); // CPython: 0.3 // 0.1 == 2.0
    }

    proptest::proptest! {
        /// Every sample is counted once, the density integrates to one, edges increase.
        #[test]
        fn fd_histogram_counts_every_sample(xs in proptest::collection::vec(-1e3f64..1e3, 8..300)) {
            if let Ok(h) = Histogram::freedman_diaconis(&xs) {
                proptest::prop_assert_eq!(h.counts.iter().sum::<u64>() as usize, xs.len());
                proptest::prop_assert_eq!(h.n, xs.len());
                let total: f64 = (0..h.len()).map(|i| h.density()[i] * h.width(i)).sum();
                proptest::prop_assert!((total - 1.0).abs() < 1e-12);
                proptest::prop_assert!(h.edges.windows(2).all(|w| w[0] < w[1]));
            }
        }
    }

    proptest::proptest! {
        /// The sorted-sample histogram is numpy's rule, bin for bin: on random samples, on
        /// samples made of the edges themselves and their neighbours, and on sub-ranges.
        #[test]
        fn fixed_sorted_is_fixed(
            xs in proptest::collection::vec(-1e3f64..1e3, 1..400),
            nbins in 1usize..60,
            cut in 0.0f64..0.3,
        ) {
            let mut s = xs.clone();
            s.sort_by(f64::total_cmp);
            let (lo, hi) = (s[0], s[s.len() - 1]);
            let (_, _, edges) = numpy_edges(lo, hi, nbins).unwrap();
            for e in &edges {
                s.extend([*e, e.next_up(), e.next_down()]);
            }
            s.sort_by(f64::total_cmp);
            let width = hi - lo;
            for (a, b) in [(lo, hi), (lo + cut * width, hi - cut * width)] {
                proptest::prop_assert_eq!(
                    Histogram::fixed_sorted(&s, a, b, nbins).unwrap(),
                    Histogram::fixed(&s, a, b, nbins).unwrap()
                );
            }
        }
    }

    #[test]
    fn fixed_sorted_refuses_what_fixed_refuses() {
        assert!(Histogram::fixed_sorted(&[], 0.0, 1.0, 2).is_err());
        assert!(Histogram::fixed_sorted(&[0.0, f64::INFINITY], 0.0, 1.0, 2).is_err());
        assert!(Histogram::fixed_sorted(&[0.5, 0.2], 0.0, 1.0, 2).is_err());
        assert!(Histogram::fixed_sorted(&[0.5], 0.0, 1.0, 0).is_err());
    }

    #[test]
    fn histogram_edge_cases() {
        assert!(matches!(
            Histogram::freedman_diaconis(&[]),
            Err(GasError::NotEnoughData(_))
        ));
        assert!(matches!(
            Histogram::freedman_diaconis(&[1.0, f64::NAN, 2.0]),
            Err(GasError::NonFinite(_))
        ));
        assert!(matches!(
            Histogram::freedman_diaconis(&[1.0, 1.0, 1.0, 1.0, 5.0]),
            Err(GasError::Degenerate(_))
        ));
        assert!(Histogram::fixed(&[1.0], 0.0, 1.0, 0).is_err());
        // Last bin closed: the maximum is counted; values outside the range are dropped.
        let h = Histogram::fixed(&[0.0, 0.5, 1.0, 1.5, -0.1], 0.0, 1.0, 2).unwrap();
        assert_eq!(h.counts, vec![1, 2]);
        assert_eq!(h.n, 3);
        assert_eq!(h.centres(), vec![0.25, 0.75]);
        assert!((h.mean_from_bins() - (0.25 + 2.0 * 0.75) / 3.0).abs() < 1e-15);
    }
}
