//! CSV files: float tables with a header (written in Rust's shortest round-trip form and read
//! back exactly) and serialisable records, written atomically.

use std::path::Path;

use serde::Serialize;

use crate::atomic::write_atomic_with;
use crate::error::{Error, Result};

/// Format a float for CSV: shortest representation that round-trips (Rust's `{:?}`),
/// e.g. `1.0`, `0.1`, `1e-7`, `-2.5e16`.
pub fn format_f64(v: f64) -> String {
    format!("{v:?}")
}

/// Write a CSV file with a header line and rows of finite floats.
///
/// Every row must have `header.len()` entries and every value must be finite; otherwise an
/// error names the row and column and no file is written.
pub fn write_csv<I>(path: impl AsRef<Path>, header: &[&str], rows: I) -> Result<()>
where
    I: IntoIterator<Item = Vec<f64>>,
{
    let path = path.as_ref();
    if header.is_empty() {
        return Err(Error::invalid(format!(
            "{}: CSV header is empty",
            path.display()
        )));
    }
    write_atomic_with(path, |w| {
        let csv_err = |e: csv::Error| Error::Csv {
            path: path.to_path_buf(),
            cause: e,
        };
        let mut wtr = csv::WriterBuilder::new().from_writer(w);
        wtr.write_record(header).map_err(csv_err)?;
        let mut field = Vec::with_capacity(header.len());
        for (i, row) in rows.into_iter().enumerate() {
            if row.len() != header.len() {
                return Err(Error::invalid(format!(
                    "{}: row {i} has {} values, header has {}",
                    path.display(),
                    row.len(),
                    header.len()
                )));
            }
            field.clear();
            for (j, v) in row.iter().enumerate() {
                if !v.is_finite() {
                    return Err(Error::invalid(format!(
                        "{}: row {i}, column '{}' is {v}",
                        path.display(),
                        header[j]
                    )));
                }
                field.push(format_f64(*v));
            }
            wtr.write_record(&field).map_err(csv_err)?;
        }
        wtr.flush().map_err(|e| Error::io("writing", path, e))?;
        Ok(())
    })
}

/// Write a CSV file from serialisable records (structs give the header from their field names).
///
/// Use this for rows with mixed types (integers, labels); [`write_csv`] for plain float tables.
pub fn write_csv_records<S, I>(path: impl AsRef<Path>, records: I) -> Result<()>
where
    S: Serialize,
    I: IntoIterator<Item = S>,
{
    let path = path.as_ref();
    write_atomic_with(path, |w| {
        let csv_err = |e: csv::Error| Error::Csv {
            path: path.to_path_buf(),
            cause: e,
        };
        let mut wtr = csv::Writer::from_writer(w);
        for r in records {
            wtr.serialize(r).map_err(csv_err)?;
        }
        wtr.flush().map_err(|e| Error::io("writing", path, e))?;
        Ok(())
    })
}

/// A CSV table of floats, as read back by [`read_csv`].
#[derive(Debug, Clone, PartialEq)]
pub struct CsvTable {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each with `header.len()` values.
    pub rows: Vec<Vec<f64>>,
}

impl CsvTable {
    /// A table of `header` and `rows`.
    pub fn new(header: &[&str], rows: Vec<Vec<f64>>) -> Self {
        Self {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows,
        }
    }

    /// Writes the table to `path` ([`write_csv`]): what [`read_csv`] reads back.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        let header: Vec<&str> = self.header.iter().map(String::as_str).collect();
        write_csv(path, &header, self.rows.iter().cloned())
    }

    /// The values of the column called `name`, if there is one.
    pub fn column(&self, name: &str) -> Option<Vec<f64>> {
        let j = self.header.iter().position(|h| h == name)?;
        Some(self.rows.iter().map(|r| r[j]).collect())
    }
}

/// Read a CSV file with a header line and float values (the inverse of [`write_csv`]).
pub fn read_csv(path: impl AsRef<Path>) -> Result<CsvTable> {
    let path = path.as_ref();
    let csv_err = |e: csv::Error| Error::Csv {
        path: path.to_path_buf(),
        cause: e,
    };
    let mut rdr = csv::Reader::from_path(path).map_err(csv_err)?;
    let header: Vec<String> = rdr
        .headers()
        .map_err(csv_err)?
        .iter()
        .map(str::to_owned)
        .collect();
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(csv_err)?;
        let row = rec
            .iter()
            .map(|s| {
                s.trim().parse::<f64>().map_err(|_| {
                    Error::invalid(format!(
                        "{}: row {i}: '{s}' is not a number",
                        path.display()
                    ))
                })
            })
            .collect::<Result<Vec<f64>>>()?;
        rows.push(row);
    }
    Ok(CsvTable { header, rows })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::atomic::tests::no_temp_files_left;

    #[test]
    fn csv_round_trip_and_validation() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        let rows = vec![vec![1.0, 0.1], vec![-2.5e-9, 3e20]];
        write_csv(&p, &["x", "y"], rows.clone()).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(text, "x,y\n1.0,0.1\n-2.5e-9,3e20\n");
        let t = read_csv(&p).unwrap();
        assert_eq!(t.header, vec!["x", "y"]);
        assert_eq!(t.rows, rows);
        assert_eq!(t.column("y").unwrap(), vec![0.1, 3e20]);

        let bad = dir.path().join("bad.csv");
        let e = write_csv(&bad, &["x", "y"], vec![vec![1.0, f64::NAN]]).unwrap_err();
        assert!(e.to_string().contains("column 'y'"), "{e}");
        assert!(write_csv(&bad, &["x", "y"], vec![vec![1.0]]).is_err());
        assert!(!bad.exists());
        assert!(no_temp_files_left(dir.path()));
    }

    #[test]
    fn csv_records() {
        #[derive(Serialize)]
        struct Row {
            seed: u64,
            lr: f64,
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.csv");
        write_csv_records(&p, [Row { seed: 1, lr: 0.5 }, Row { seed: 2, lr: 0.25 }]).unwrap();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "seed,lr\n1,0.5\n2,0.25\n"
        );
    }
}
