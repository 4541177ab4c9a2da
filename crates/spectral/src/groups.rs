//! Which levels of a spectrum form one peak: given targets, or decided from the ensemble.
//!
//! Without targets, each level is either a peak of its own or one of a degenerate pair with a
//! neighbour (Eq 11 describes a pair; the paper's models have no higher degeneracy). Which
//! neighbours pair up is a model choice made by likelihood, per ensemble:
//!
//! * a **degenerate pair** (levels j < j+1 of every sample are the eigenvalues of c + σ·GOE₂):
//!   p(λ₁, λ₂) = (λ₂ − λ₁)/(2√π σ³) · exp(−[(λ₁ − c)² + (λ₂ − c)²]/(2σ²)), 2 parameters, whose
//!   pooled marginal is Eq (11);
//! * **independent levels**: each level normal with its own centre and width, 2 parameters each.
//!
//! Both have closed-form maximum-likelihood estimates. The partition of the ordered levels into
//! singles and adjacent pairs maximises the total BIC score ln L − (k/2) ln n (a dynamic
//! programme over the levels); every adjacent candidate pair is reported with ln B, the BIC
//! approximation of the log Bayes factor of "pair" over "two independent levels", and the
//! ensemble is said not to tell them apart when |ln B| < [`UNDECIDED`].

use serde::{Deserialize, Serialize};

use crate::moments::mean;

/// |ln B| below which the data do not decide between a pair and two levels (Kass & Raftery:
/// B < e³ ≈ 20 is not "strong" evidence).
pub const UNDECIDED: f64 = 3.0;

/// The evidence about one pair of neighbouring levels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairEvidence {
    /// The two levels (ascending spectrum).
    pub levels: [usize; 2],
    /// ln B of "degenerate pair (Eq 11)" over "two independent normal levels" (BIC).
    pub ln_bayes_factor: f64,
    /// Whether the chosen partition pairs them.
    pub paired: bool,
    /// `pair`, `separate` or `undecided` (|ln B| < 3).
    pub evidence: String,
}

/// Peaks found from the data and the evidence for each decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grouping {
    /// The peaks (level indices), ascending.
    pub groups: Vec<Vec<usize>>,
    /// One entry per pair of neighbouring levels.
    pub evidence: Vec<PairEvidence>,
    /// The decisions the ensemble cannot make, in words (empty when every one is clear).
    pub undecided: Vec<String>,
    /// Pairings the data favour but the chosen partition could not make (a level pairs with
    /// at most one neighbour), in words.
    pub competing: Vec<String>,
}

/// ln L of level j as a normal law (maximum likelihood: population variance); −∞ without spread.
fn ll_single<R: AsRef<[f64]>>(rows: &[R], j: usize) -> f64 {
    let n = rows.len() as f64;
    let x: Vec<f64> = rows.iter().map(|r| r.as_ref()[j]).collect();
    let m = mean(&x);
    let v = x.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n;
    if v.is_nan() || v <= 0.0 {
        return f64::NEG_INFINITY;
    }
    -0.5 * n * ((2.0 * std::f64::consts::PI * v).ln() + 1.0)
}

// ANCHOR: pair_likelihood
/// ln L of levels (j, j+1) as a degenerate pair: ĉ is the mean of all 2n values and
/// σ̂² = Σ[(λ₁ − ĉ)² + (λ₂ − ĉ)²]/(3n), so ln L = Σ ln(λ₂ − λ₁) − n ln(2√π) − 3n ln σ̂ − 3n/2.
fn ll_pair<R: AsRef<[f64]>>(rows: &[R], j: usize) -> f64 {
    let n = rows.len() as f64;
    let both: Vec<f64> = rows
        .iter()
        .flat_map(|r| [r.as_ref()[j], r.as_ref()[j + 1]])
        .collect();
    let c = mean(&both);
    let s2 = both.iter().map(|x| (x - c) * (x - c)).sum::<f64>() / (3.0 * n);
    let log_gaps: f64 = rows
        .iter()
        .map(|r| (r.as_ref()[j + 1] - r.as_ref()[j]).ln())
        .sum();
    if s2.is_nan() || s2 <= 0.0 || log_gaps.is_nan() {
        return f64::NEG_INFINITY;
    }
    log_gaps - n * (2.0 * std::f64::consts::PI.sqrt()).ln() - 1.5 * n * s2.ln() - 1.5 * n
}
// ANCHOR_END: pair_likelihood

// ANCHOR: auto_peaks
/// The peaks of `rows` (ascending spectra of equal length `levels`, at least two samples) found
/// by likelihood: singles and adjacent degenerate pairs, the partition with the best BIC.
pub fn auto_groups<R: AsRef<[f64]>>(rows: &[R], levels: usize) -> Grouping {
    let half_ln_n = 0.5 * (rows.len() as f64).ln();
    // BIC scores ln L − (k/2) ln n; two parameters for a single level and for a pair.
    let single: Vec<f64> = (0..levels)
        .map(|j| ll_single(rows, j) - 2.0 * half_ln_n)
        .collect();
    let pair: Vec<f64> = (0..levels.saturating_sub(1))
        .map(|j| ll_pair(rows, j) - 2.0 * half_ln_n)
        .collect();
    // best[j]: the best score of levels 0..j; from[j]: the size of the last group (1 or 2).
    let mut best = vec![0.0; levels + 1];
    let mut from = vec![1usize; levels + 1];
    for j in 1..=levels {
        best[j] = best[j - 1] + single[j - 1];
        // Ties, and levels without spread on both sides (−∞ + −∞), stay single.
        if j >= 2 && best[j - 2] + pair[j - 2] > best[j] {
            best[j] = best[j - 2] + pair[j - 2];
            from[j] = 2;
        }
    }
    let mut groups = Vec::new();
    let mut j = levels;
    while j > 0 {
        let k = from[j];
        groups.push((j - k..j).collect::<Vec<_>>());
        j -= k;
    }
    groups.reverse();
    let paired = |a: usize| groups.iter().any(|g| g.len() == 2 && g[0] == a);
    let partner_of = |l: usize| {
        groups
            .iter()
            .find(|g| g.len() == 2 && g.contains(&l))
            .map(|g| if g[0] == l { g[1] } else { g[0] })
    };
    let mut undecided = Vec::new();
    let mut competing = Vec::new();
    let evidence = pair
        .iter()
        .enumerate()
        .map(|(a, p)| {
            let ln_b = p - (single[a] + single[a + 1]);
            let word = if ln_b.is_nan() || ln_b.abs() < UNDECIDED {
                undecided.push(format!(
                    "levels {a} and {}: the ensemble cannot tell a degenerate pair from two \
                     levels (ln B = {ln_b:.2}); give --targets to decide, or more samples",
                    a + 1
                ));
                "undecided"
            } else if ln_b > 0.0 {
                if !paired(a) {
                    let taken: Vec<String> = [a, a + 1]
                        .iter()
                        .filter_map(|&l| partner_of(l).map(|q| format!("{l} with {q}")))
                        .collect();
                    competing.push(format!(
                        "levels {a} and {} also favour a pair (ln B = {ln_b:.1}), but the \
                         partition with the best total BIC pairs {}",
                        a + 1,
                        taken.join(" and ")
                    ));
                }
                "pair"
            } else {
                "separate"
            };
            PairEvidence {
                levels: [a, a + 1],
                ln_bayes_factor: ln_b,
                paired: paired(a),
                evidence: word.into(),
            }
        })
        .collect();
    Grouping {
        groups,
        evidence,
        undecided,
        competing,
    }
}
// ANCHOR_END: auto_peaks

/// Assigns each level to the nearest target by its ensemble mean (ties: the first target).
pub fn assign_to_targets(means: &[f64], targets: &[f64]) -> Vec<Vec<usize>> {
    let mut groups = vec![Vec::new(); targets.len()];
    if targets.is_empty() {
        return groups;
    }
    for (i, &mu) in means.iter().enumerate() {
        let t = (0..targets.len())
            .min_by(|&p, &q| (targets[p] - mu).abs().total_cmp(&(targets[q] - mu).abs()))
            .unwrap_or(0);
        groups[t].push(i);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use coulomb_gas::goe_sample;
    use langevin_core::stream;

    /// `n` spectra: a GOE pair of width σ at 2 (Eq 11), a normal level at `single`, and a
    /// normal level at `third`, sorted.
    fn spectra(n: usize, sigma: f64, single: f64, third: f64, seed: u64) -> Vec<Vec<f64>> {
        let mut rng = stream(seed, "spectral/test/groups", 0);
        (0..n)
            .map(|_| {
                let e = goe_sample(2, sigma, &mut rng).unwrap();
                let g = goe_sample(1, sigma, &mut rng).unwrap();
                let h = goe_sample(1, sigma, &mut rng).unwrap();
                let mut l = vec![2.0 + e[0], 2.0 + e[1], single + g[0], third + h[0]];
                l.sort_by(f64::total_cmp);
                l
            })
            .collect()
    }

    #[test]
    fn a_pair_and_two_single_levels_are_told_apart() {
        let rows = spectra(1000, 0.05, 2.5, 2.7, 1);
        let g = auto_groups(&rows, 4);
        assert_eq!(g.groups, vec![vec![0, 1], vec![2], vec![3]]);
        assert!(g.undecided.is_empty(), "{:?}", g.undecided);
        assert_eq!(g.evidence[0].evidence, "pair");
        assert!(g.evidence[0].paired);
        // Two normal levels 4σ apart are not a pair, even though their histograms touch.
        assert_eq!(g.evidence[2].evidence, "separate");
    }

    #[test]
    fn few_samples_say_when_they_cannot_decide() {
        // Two normal levels 3σ apart with 8 samples: the evidence is weak.
        let rows = spectra(8, 0.05, 2.15, 4.0, 2);
        let g = auto_groups(&rows, 4);
        assert!(!g.undecided.is_empty(), "{g:?}");
    }

    #[test]
    fn the_pair_likelihood_is_normalised() {
        // ∫∫_{λ₁<λ₂} p dλ₁ dλ₂ = 1 for c = 0, σ = 1, by a midpoint rule on [−8, 8]².
        let h = 0.02;
        let mut total = 0.0;
        for a in 0..800 {
            for b in (a + 1)..800 {
                let (l1, l2) = (-8.0 + (a as f64 + 0.5) * h, -8.0 + (b as f64 + 0.5) * h);
                let p = (l2 - l1) / (2.0 * std::f64::consts::PI.sqrt())
                    * (-(l1 * l1 + l2 * l2) / 2.0).exp();
                total += p * h * h;
            }
        }
        assert!((total - 1.0).abs() < 1e-3, "{total}");
        // And ll_pair is this density at its maximum: one sample (λ₁, λ₂) = (−1, 1) gives
        // ĉ = 0, σ̂² = 2/3.
        let s2: f64 = 2.0 / 3.0;
        let want = (2.0f64).ln() - (2.0 * std::f64::consts::PI.sqrt()).ln() - 1.5 * s2.ln() - 1.5;
        assert!((ll_pair(&[[-1.0, 1.0]], 0) - want).abs() < 1e-12);
    }

    #[test]
    fn targets_take_the_nearest_levels() {
        assert_eq!(
            assign_to_targets(&[1.0, 1.1, 5.0], &[1.0, 4.0]),
            vec![vec![0, 1], vec![2]]
        );
        assert!(assign_to_targets(&[1.0], &[]).is_empty());
    }
}
