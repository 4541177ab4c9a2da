//! CSV files of numbers: one row per sample, one column per value (levels of a spectrum, or the
//! entries of a flattened weight matrix).
//!
//! * An optional header row: the first record is a header when any of its fields is not a
//!   number.
//! * A leading index column is dropped when the header names it `realisation`, `realization`,
//!   `seed`, `index`, `sample`, `run`, `id` or leaves it empty (pandas' unnamed index): the
//!   outputs of `rmt-sgd train rbm` (`realisation,lambda1,...`) and `train ts` (`seed,xi_1,xi_2`)
//!   read as spectra directly.
//! * Blank lines and lines starting with `#` are skipped; fields are trimmed.
//! * Every data field must be a finite number and every row must have as many fields as the
//!   first; otherwise the error names the file, the line and the column.

use std::path::{Path, PathBuf};

use crate::ReleaseError;

/// A parsed table of finite numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The header row (all columns, including a dropped index column), if there was one.
    pub header: Option<Vec<String>>,
    /// The name of the dropped index column, if any.
    pub index_column: Option<String>,
    /// Number of data rows.
    pub rows: usize,
    /// Number of value columns (after dropping the index column).
    pub cols: usize,
    /// The values, row by row (`rows * cols`).
    pub data: Vec<f64>,
}

impl Table {
    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// The names of the value columns (after the index column), if there was a header.
    pub fn column_names(&self) -> Option<&[String]> {
        let h = self.header.as_deref()?;
        Some(if self.index_column.is_some() {
            &h[1..]
        } else {
            h
        })
    }
}

/// Longest line accepted: 64 MiB, a flattened 1000×1000 matrix at ~60 characters a value.
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// Header names recognised as an index column (compared case-insensitively).
pub const INDEX_NAMES: [&str; 9] = [
    "realisation",
    "realization",
    "seed",
    "index",
    "sample",
    "run",
    "id",
    "",
    "unnamed: 0",
];

/// Reads and parses a CSV file.
pub fn read_csv(path: impl AsRef<Path>) -> Result<Table, ReleaseError> {
    let path = path.as_ref().to_path_buf();
    let bytes = crate::limits::read_file(&path)?;
    parse_csv(path, &bytes)
}

fn parse_number(field: &[u8]) -> Result<f64, String> {
    let text = std::str::from_utf8(field)
        .map_err(|_| "the field is not valid UTF-8".to_string())?
        .trim();
    if text.is_empty() {
        return Err("empty field".into());
    }
    let v: f64 = text.parse().map_err(|_| {
        let shown: String = text.chars().take(40).collect();
        format!("'{shown}' is not a number")
    })?;
    if !v.is_finite() {
        return Err(format!(
            "'{text}' is not finite (NaN and Inf are not accepted)"
        ));
    }
    Ok(v)
}

/// Parses CSV `bytes`; `label` names the file in error messages.
pub fn parse_csv(label: impl Into<PathBuf>, bytes: &[u8]) -> Result<Table, ReleaseError> {
    let path: PathBuf = label.into();
    let err = |line: u64, column: Option<usize>, reason: String| ReleaseError::Csv {
        path: path.clone(),
        line,
        column,
        reason,
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(err(0, None, "the file is empty".into()));
    }
    // One line is one sample: a line longer than MAX_LINE_BYTES is not a table of numbers (and
    // would be buffered whole by the CSV reader).
    if let Some((k, len)) = bytes
        .split(|&b| b == b'\n')
        .map(<[u8]>::len)
        .enumerate()
        .find(|&(_, len)| len > MAX_LINE_BYTES)
    {
        return Err(err(
            k as u64 + 1,
            None,
            format!(
                "the line has {len} bytes, above the limit of {MAX_LINE_BYTES} for one sample \
                 (is this a CSV file of numbers, one sample a line?)"
            ),
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let mut header: Option<Vec<String>> = None;
    let mut index_column = None;
    let mut width: Option<usize> = None;
    let mut skip = 0usize;
    let mut data = Vec::new();
    let mut rows = 0usize;
    let mut record = csv::ByteRecord::new();
    let mut first = true;
    loop {
        let line_hint = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line_hint, |p| p.line());
                return Err(err(line, None, format!("malformed CSV: {e}")));
            }
        }
        let line = record.position().map_or(line_hint, |p| p.line());
        // A blank line gives one empty field: skip it.
        if record.len() == 1 && record[0].is_empty() {
            continue;
        }
        if first {
            first = false;
            // A header when the first field is not a number (e.g. `seed`, or empty for pandas'
            // unnamed index); a non-number later in a numeric row is a data error.
            if parse_number(&record[0]).is_err()
                && (record[0].is_empty() || std::str::from_utf8(&record[0]).is_ok())
            {
                let names: Vec<String> = record
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).trim().to_string())
                    .collect();
                let lower = names[0].to_ascii_lowercase();
                if names.len() > 1 && INDEX_NAMES.contains(&lower.as_str()) {
                    index_column = Some(names[0].clone());
                    skip = 1;
                }
                width = Some(names.len());
                header = Some(names);
                continue;
            }
        }
        let w = *width.get_or_insert(record.len());
        if record.len() != w {
            return Err(err(
                line,
                None,
                format!(
                    "{} fields, expected {w} (as in the {}): ragged rows",
                    record.len(),
                    if header.is_some() {
                        "header"
                    } else {
                        "first row"
                    }
                ),
            ));
        }
        for (c, f) in record.iter().enumerate().skip(skip) {
            data.push(parse_number(f).map_err(|r| err(line, Some(c + 1), r))?);
        }
        rows += 1;
    }
    let cols = width.unwrap_or(0).saturating_sub(skip);
    if rows == 0 {
        return Err(err(0, None, "no data rows".into()));
    }
    if cols == 0 {
        return Err(err(0, None, "no value columns".into()));
    }
    Ok(Table {
        header,
        index_column,
        rows,
        cols,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_index_columns_and_errors() {
        let t = parse_csv("a.csv", b"seed,xi_1,xi_2\n1,1.9,2.1\n2,1.95,2.05\n").unwrap();
        assert_eq!((t.rows, t.cols), (2, 2));
        assert_eq!(t.index_column.as_deref(), Some("seed"));
        assert_eq!(t.row(1), &[1.95, 2.05]);
        assert_eq!(t.column_names().unwrap(), &["xi_1", "xi_2"]);
        let t = parse_csv("b.csv", b"# comment\n\n1, 2\n 3,4 \n\n").unwrap();
        assert_eq!((t.rows, t.cols, t.header.clone()), (2, 2, None));
        assert_eq!(t.data, vec![1.0, 2.0, 3.0, 4.0]);
        let t = parse_csv("c.csv", b"x,y\n1,2\n").unwrap();
        assert_eq!((t.cols, t.index_column.clone()), (2, None));

        let e = parse_csv("r.csv", b"1,2\n3,4,5\n").unwrap_err().to_string();
        assert!(
            e.starts_with("r.csv: line 2:") && e.contains("ragged"),
            "{e}"
        );
        let e = parse_csv("n.csv", b"a,b\n1,2\n3,nan\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 3, column 2") && e.contains("not finite"),
            "{e}"
        );
        let e = parse_csv("x.csv", b"1,2\n3,abc\n").unwrap_err().to_string();
        assert!(
            e.contains("line 2, column 2") && e.contains("not a number"),
            "{e}"
        );
        let e = parse_csv("e.csv", b"").unwrap_err().to_string();
        assert!(e.contains("empty"), "{e}");
        let e = parse_csv("h.csv", b"a,b\n").unwrap_err().to_string();
        assert!(e.contains("no data rows"), "{e}");
        let e = parse_csv("u.csv", b"1,\xff\n").unwrap_err().to_string();
        assert!(e.contains("column 2"), "{e}");
    }
}
