//! Finite in, finite out: every law's pdf, cdf and U4 at parameters and points spanning the
//! whole f64 range (magnitudes 1e-320 to 1e308, both signs). The densities evaluate in log space
//! where the direct forms over- or underflow, so the only non-finite value allowed is a pdf
//! above f64::MAX, which needs a width below ~1e-308: excluded here (widths ≥ 1e-300).

use coulomb_gas::{Density1D, PairDensity, Surmise, TwoSpecies, UnitSurmise};
use proptest::prelude::*;

use super::config;

/// ± 10^e with e over the whole range, or 0.
fn wide() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        (-320.0f64..308.2, any::<bool>())
            .prop_map(|(e, neg)| if neg { -(10f64.powf(e)) } else { 10f64.powf(e) })
            .prop_filter("finite", |v| v.is_finite()),
        Just(f64::MAX),
        Just(-f64::MAX),
    ]
}

/// A width 10^e, e in [-300, 300].
fn width() -> impl Strategy<Value = f64> {
    (-300.0f64..300.0).prop_map(|e| 10f64.powf(e))
}

fn finite_law(d: &dyn Density1D, x: f64) -> Result<(), TestCaseError> {
    let (p, c) = (d.pdf(x), d.cdf(x));
    prop_assert!(p.is_finite() && p >= 0.0, "pdf({x:e}) = {p}");
    prop_assert!(
        c.is_finite() && (0.0..=1.0).contains(&c),
        "cdf({x:e}) = {c}"
    );
    let u4 = d.u4().unwrap();
    prop_assert!(u4.is_finite(), "u4 = {u4}");
    Ok(())
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn pair_is_finite(c in wide(), s in width(), x in wide()) {
        finite_law(&PairDensity::new(c, s).unwrap(), x)?;
    }

    #[test]
    fn two_species_is_finite(c in wide(), s1 in width(), k in -290.0f64..290.0, x in wide()) {
        // Ratios up to 1e290 (the command refuses ratios beyond f64).
        let s2 = (s1 * 10f64.powf(k)).clamp(1e-300, 1e300);
        finite_law(&TwoSpecies::new(c, s1, s2).unwrap(), x)?;
    }

    #[test]
    fn surmise_is_finite(s in width(), x in wide()) {
        finite_law(&Surmise::new(s).unwrap(), x)?;
        finite_law(&UnitSurmise, x)?;
    }
}

/// The cases that printed `null` before: the underflowing tails give 0, not NaN.
#[test]
fn former_nulls_are_zero_or_one() {
    let p = PairDensity::new(1.0, 1e-300).unwrap();
    assert_eq!((p.pdf(-1e300), p.cdf(-1e300)), (0.0, 0.0));
    let t = TwoSpecies::new(1.0, 1e-300, 1.0).unwrap();
    assert_eq!(t.cdf(1.0), 0.5);
    let s = Surmise::new(1e-300).unwrap();
    assert_eq!(s.pdf(1.0), 0.0);
    assert!((s.u4().unwrap() - Surmise::new(1.0).unwrap().u4().unwrap()).abs() < 1e-15);
    let far = PairDensity::new(1e300, 1e300).unwrap();
    assert!(far.pdf(-1.7e308) >= 0.0 && far.cdf(f64::MAX) == 1.0);
}
