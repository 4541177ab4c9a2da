//! Axis ticks: an axis with exactly the given tick positions, "nice" tick values and their
//! labels.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;

/// A linear f64 axis whose tick positions are exactly the given values.
#[derive(Clone)]
pub(crate) struct TickAxis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
}

impl Ranged for TickAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        RangedCoordf64::from(self.lo..self.hi).map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.max_num_points() == 0 {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// Tick positions at "nice" values (1, 2, 2.5, 5 x 10^k) inside `[lo, hi]`, at most about
/// `target` of them, and the number of decimals that shows them exactly.
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, usize) {
    let span = hi - lo;
    if span.is_nan() || span <= 0.0 || !span.is_finite() {
        return (vec![lo], 0);
    }
    let target = target.max(2) as f64;
    let raw = span / target;
    let exp = raw.log10().floor();
    let mag = 10f64.powf(exp);
    let mut chosen = (10.0, mag * 10.0);
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        let step = m * mag;
        if span / step <= target + 1e-9 {
            chosen = (m, step);
            break;
        }
    }
    let (m, step) = chosen;
    let k0 = (lo / step - 1e-9).ceil() as i64;
    let k1 = (hi / step + 1e-9).floor() as i64;
    let ticks: Vec<f64> = (k0..=k1).map(|k| k as f64 * step).collect();
    let step_exp = step.log10().floor() as i32;
    let mut decimals = (-step_exp).max(0) as usize;
    if m == 2.5 && step_exp <= 0 {
        decimals += 1;
    }
    (ticks, decimals)
}

/// Format a tick value with `decimals` decimals (scientific for very large/small values), with
/// a typographic minus sign.
pub(crate) fn fmt_tick(v: f64, decimals: usize, scientific: bool) -> String {
    let s = if v == 0.0 {
        "0".to_owned()
    } else if scientific {
        let s = format!("{v:.2e}");
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mant = mant.trim_end_matches('0').trim_end_matches('.');
        format!("{mant}e{exp}")
    } else {
        format!("{v:.decimals$}")
    };
    let s = if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_owned()
    } else {
        s
    };
    s.replace('-', "\u{2212}")
}

pub(crate) fn needs_scientific(lo: f64, hi: f64, decimals: usize) -> bool {
    lo.abs().max(hi.abs()) >= 1e5 || decimals > 5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_are_nice() {
        let (t, d) = nice_ticks(0.0, 1.0, 6);
        assert_eq!(t, vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]);
        assert_eq!(d, 1);
        let (t, d) = nice_ticks(-3.0, 7.0, 6);
        assert_eq!(t, vec![-2.0, 0.0, 2.0, 4.0, 6.0]);
        assert_eq!(d, 0);
        let (t, d) = nice_ticks(0.0, 0.1, 5);
        assert_eq!((t.len(), d), (6, 2)); // 0.02 steps
        let (t, d) = nice_ticks(0.0, 0.1, 4);
        assert_eq!(t.len(), 5);
        assert_eq!(d, 3); // 0.025 steps
        assert_eq!(fmt_tick(t[1], d, false), "0.025");
    }

    #[test]
    fn tick_format() {
        assert_eq!(fmt_tick(-0.5, 1, false), "\u{2212}0.5");
        assert_eq!(fmt_tick(-0.0001, 1, false), "0.0");
        assert_eq!(fmt_tick(0.0, 3, false), "0");
        assert_eq!(fmt_tick(1.5e-7, 8, true), "1.5e\u{2212}7");
        assert_eq!(fmt_tick(-2e5, 0, true), "\u{2212}2e5");
    }
}
