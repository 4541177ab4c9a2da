//! `numbers.md`: the result numbers of a figure job as Markdown fragments for the book.
//!
//! A job renders its fragments from the files it wrote ([`crate::Figure::numbers`], usually from
//! `summary.json` alone), so the runner can write them after every run, cached or not, and the
//! book test can re-render them from the committed files and compare. Each fragment sits between
//! `<!-- ANCHOR: name -->` and `<!-- ANCHOR_END: name -->` lines, which mdbook's
//! `{{#include path:name}}` picks out: a table on its own line, or one number inside a sentence.
//! Every number goes through the formatters here, so the book prints all results alike.

use std::path::Path;

use anyhow::Context as _;
use serde_json::Value;

/// The file name, inside the figure's directory.
pub const FILE: &str = "numbers.md";

/// A JSON file of a figure's directory, with pointer look-ups that say what is missing.
pub struct Json {
    name: String,
    value: Value,
}

impl Json {
    /// Read `dir/file`.
    pub fn read(dir: &Path, file: &str) -> anyhow::Result<Self> {
        let value: Value = runner::read_json(dir.join(file))?;
        Ok(Json {
            name: dir.join(file).display().to_string(),
            value,
        })
    }

    /// The value at the JSON pointer `ptr` (`/a/0/b`).
    pub fn get(&self, ptr: &str) -> anyhow::Result<&Value> {
        self.value
            .pointer(ptr)
            .with_context(|| format!("{}: no {ptr}", self.name))
    }

    /// The number at `ptr`.
    pub fn f(&self, ptr: &str) -> anyhow::Result<f64> {
        self.get(ptr)?
            .as_f64()
            .with_context(|| format!("{}: {ptr} is not a number", self.name))
    }

    /// The string at `ptr`.
    pub fn s(&self, ptr: &str) -> anyhow::Result<&str> {
        self.get(ptr)?
            .as_str()
            .with_context(|| format!("{}: {ptr} is not a string", self.name))
    }

    /// The number at `ptr`, `None` if it is `null` or absent (a quantity that does not apply).
    pub fn opt(&self, ptr: &str) -> anyhow::Result<Option<f64>> {
        match self.value.pointer(ptr) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.f(ptr).map(Some),
        }
    }

    /// The length of the array at `ptr`.
    pub fn len(&self, ptr: &str) -> anyhow::Result<usize> {
        Ok(self
            .get(ptr)?
            .as_array()
            .with_context(|| format!("{}: {ptr} is not an array", self.name))?
            .len())
    }

    /// `value ± err` of the `{value, err}` object at `ptr`.
    pub fn ve(&self, ptr: &str) -> anyhow::Result<String> {
        Ok(ve(
            self.f(&format!("{ptr}/value"))?,
            self.f(&format!("{ptr}/err"))?,
        ))
    }
}

// ANCHOR: ve
/// `v ± e` with the error to two significant digits and the value to the same decimal place.
pub fn ve(v: f64, e: f64) -> String {
    let d = decimals(e, 2);
    format!("{v:.d$} ± {e:.d$}")
}
// ANCHOR_END: ve

/// Decimal places that show `x` to `sig` significant digits (at least 0, at most 12).
fn decimals(x: f64, sig: i32) -> usize {
    if x == 0.0 || !x.is_finite() {
        return 4;
    }
    (sig - 1 - x.abs().log10().floor() as i32).clamp(0, 12) as usize
}

/// `x` to `sig` significant digits, in plain decimals.
pub fn sig(x: f64, sig_digits: i32) -> String {
    format!("{x:.*}", decimals(x, sig_digits))
}

/// A probability: two significant digits, as `a × 10⁻ⁿ` below 10⁻³.
pub fn p(x: f64) -> String {
    if x == 0.0 {
        // Underflow: below the smallest normal double.
        return "< 2 × 10⁻³⁰⁸".into();
    }
    if x >= 1e-3 {
        return sig(x, 2);
    }
    let e = x.log10().floor() as i32;
    let m = x / 10f64.powi(e);
    // 9.96e-5 rounds to "10.0": carry into the exponent.
    let (m, e) = if (m * 10.0).round() >= 100.0 {
        (1.0, e + 1)
    } else {
        (m, e)
    };
    format!("{m:.1} × 10{}", superscript(e))
}

fn superscript(n: i32) -> String {
    n.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            d => ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'][d as usize - '0' as usize],
        })
        .collect()
}

/// A whole number with its thousands grouped: `20 000`.
pub fn int(x: f64) -> String {
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    if x < 0.0 {
        out.insert(0, '−');
    }
    out
}

/// A Markdown table.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = format!("| {} |\n", header.join(" | "));
    s.push_str(&format!("|{}\n", " --- |".repeat(header.len())));
    for r in rows {
        s.push_str(&format!("| {} |\n", r.join(" | ")));
    }
    s
}

/// The fragments of one `numbers.md`, in the order they are added.
#[derive(Default)]
pub struct Numbers {
    out: String,
}

impl Numbers {
    /// A block fragment (a table, a list): included on a line of its own.
    pub fn block(&mut self, anchor: &str, body: &str) -> &mut Self {
        // mdbook needs each anchor once per file.
        assert!(
            !self.out.contains(&format!("<!-- ANCHOR: {anchor} -->\n")),
            "anchor {anchor} twice"
        );
        self.out
            .push_str(&format!("<!-- ANCHOR: {anchor} -->\n{body}"));
        if !body.ends_with('\n') {
            self.out.push('\n');
        }
        self.out
            .push_str(&format!("<!-- ANCHOR_END: {anchor} -->\n"));
        self
    }

    /// One value for a sentence: a single line, included inline.
    pub fn inline(&mut self, anchor: &str, text: &str) -> &mut Self {
        assert!(!text.contains('\n'), "inline fragment {anchor} spans lines");
        self.block(anchor, text)
    }

    /// The file's text.
    pub fn finish(&mut self) -> String {
        std::mem::take(&mut self.out)
    }
}

/// The slope-fit columns the figures share, for a `{value, stderr, stderr_scaled, chi2_dof, dof}`
/// object (`slope` instead of `value` in the teacher-student summaries): `a ± stderr`,
/// `± stderr·√(χ²/dof)` (never below the unscaled error) and `χ²/dof (dof)`.
pub fn slope_cells(j: &Json, ptr: &str) -> anyhow::Result<Vec<String>> {
    let v = match j.opt(&format!("{ptr}/value"))? {
        Some(v) => v,
        None => j.f(&format!("{ptr}/slope"))?,
    };
    let e = j.f(&format!("{ptr}/stderr"))?;
    let es = j.f(&format!("{ptr}/stderr_scaled"))?;
    let c = j.f(&format!("{ptr}/chi2_dof"))?;
    let dof = j.f(&format!("{ptr}/dof"))?;
    Ok(vec![
        ve(v, e),
        format!("± {}", sig(es.max(e), 2)),
        format!("{} ({dof} dof)", sig(c, 3)),
    ])
}

/// Render the numbers of `fig` from its directory `dir` (`None`: the job has none).
pub fn render(fig: &dyn crate::Figure, dir: &Path) -> anyhow::Result<Option<String>> {
    fig.numbers(dir)
        .with_context(|| format!("rendering {}/{FILE}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(ve(2.30754, 0.00594), "2.3075 ± 0.0059");
        assert_eq!(ve(5779.2, 31.0), "5779 ± 31");
        assert_eq!(sig(30.391, 3), "30.4");
        assert_eq!(p(0.0097), "0.0097");
        assert_eq!(int(20000.0), "20\u{202f}000");
        assert_eq!(int(400.0), "400");
        assert_eq!(p(1.7e-9), "1.7 × 10⁻⁹");
        assert_eq!(p(9.96e-5), "1.0 × 10⁻⁴");
        let mut n = Numbers::default();
        let s = n.inline("a", "1").block("b", "| x |\n").finish();
        assert_eq!(
            s,
            "<!-- ANCHOR: a -->\n1\n<!-- ANCHOR_END: a -->\n<!-- ANCHOR: b -->\n| x |\n<!-- ANCHOR_END: b -->\n"
        );
    }
}
