//! Which levels of a spectrum form one peak.

// ANCHOR: auto_peaks
/// Groups the levels (ascending by their ensemble means) into peaks: consecutive levels i, i+1
/// belong to the same peak when their distributions overlap,
///
/// ```text
/// mean[i+1] − mean[i] < 2 · (sd[i] + sd[i+1])
/// ```
///
/// (sd over the samples). For a degenerate pair under Eq (11) the gap of the means is about
/// 1.8σ and sd[i] + sd[i+1] about 1.4σ, so a pair is always joined; two peaks further apart than
/// two standard deviations of each side are separated. Levels without spread (one sample, or a
/// frozen level) stand alone.
pub fn auto_groups(means: &[f64], sds: &[f64]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in 0..means.len() {
        let join = i > 0 && means[i] - means[i - 1] < 2.0 * (sds[i] + sds[i - 1]);
        match groups.last_mut() {
            Some(g) if join => g.push(i),
            _ => groups.push(vec![i]),
        }
    }
    groups
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

    #[test]
    fn groups_join_overlapping_levels_only() {
        // A pair at 2 (σ = 0.01: gap ~0.018, sds ~0.007) and a lone level at 3.
        let g = auto_groups(&[1.991, 2.009, 3.0], &[0.007, 0.007, 0.01]);
        assert_eq!(g, vec![vec![0, 1], vec![2]]);
        assert_eq!(
            auto_groups(&[1.0, 2.0], &[0.0, 0.0]),
            vec![vec![0], vec![1]]
        );
        assert_eq!(
            assign_to_targets(&[1.0, 1.1, 5.0], &[1.0, 4.0]),
            vec![vec![0, 1], vec![2]]
        );
        assert!(assign_to_targets(&[1.0], &[]).is_empty());
    }
}
