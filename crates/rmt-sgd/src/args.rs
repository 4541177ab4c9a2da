//! Value parsers shared by the subcommands: each rejects bad input with a message naming it.

/// A finite number.
pub fn finite(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number"))?;
    if !v.is_finite() {
        return Err(format!("'{s}' is not finite"));
    }
    Ok(v)
}

/// A finite number > 0.
pub fn positive(s: &str) -> Result<f64, String> {
    let v = finite(s)?;
    if v <= 0.0 {
        return Err(format!("{v} must be > 0"));
    }
    Ok(v)
}

/// An integer ≥ 1.
pub fn count(s: &str) -> Result<usize, String> {
    let v: usize = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a non-negative integer"))?;
    if v == 0 {
        return Err("must be at least 1".into());
    }
    Ok(v)
}

/// A comma-separated list of finite numbers (a newtype so clap takes it as one value).
#[derive(Clone, Debug, PartialEq)]
pub struct List(pub Vec<f64>);

/// Parses a comma-separated list of finite numbers.
pub fn list(s: &str) -> Result<List, String> {
    if s.trim().is_empty() {
        return Err("empty list".into());
    }
    s.split(',').map(finite).collect::<Result<_, _>>().map(List)
}

/// Expands a list of one value to `n` values; otherwise it must have exactly `n`.
pub fn per_particle(name: &str, v: &[f64], n: usize) -> anyhow::Result<Vec<f64>> {
    match v.len() {
        1 => Ok(vec![v[0]; n]),
        m if m == n => Ok(v.to_vec()),
        m => anyhow::bail!("--{name} has {m} values: give one value or {n} (one per eigenvalue)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsers_reject_bad_values() {
        assert!(finite("nan").is_err());
        assert!(finite("inf").is_err());
        assert!(finite("x").is_err());
        assert!(positive("0").is_err());
        assert!(positive("-1").is_err());
        assert!(count("0").is_err());
        assert!(count("-3").is_err());
        assert_eq!(list("1, 2,3").unwrap().0, vec![1.0, 2.0, 3.0]);
        assert!(list("1,,2").is_err());
        assert!(per_particle("g2", &[1.0, 2.0], 3).is_err());
        assert_eq!(per_particle("g2", &[1.0], 3).unwrap(), vec![1.0; 3]);
    }
}
