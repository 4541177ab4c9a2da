//! Writing results: atomic files, CSV with a header, pretty JSON, SHA-256 and the `MANIFEST`.
//!
//! Every writer goes through [`write_atomic_with`]: the bytes go to a temporary file in the
//! destination directory, which is flushed, fsynced and then renamed over the destination. A
//! failure at any point (including an invalid value in the data) removes the temporary file, so a
//! reader sees either the old file or the complete new one, never a half-written file.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Component, Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{FigureError, Result};

/// Write `bytes` to `path` atomically (temp file in the same directory, fsync, rename).
///
/// Missing parent directories are created.
pub fn write_atomic(path: impl AsRef<Path>, bytes: &[u8]) -> Result<()> {
    let path = path.as_ref();
    write_atomic_with(path, |w| {
        w.write_all(bytes)
            .map_err(|e| FigureError::io("writing", path, e))
    })
}

/// Write `path` atomically with the content produced by `fill`.
///
/// `fill` writes into a buffered temporary file; if it returns an error, the temporary file is
/// deleted and `path` is left untouched.
pub fn write_atomic_with<F>(path: impl AsRef<Path>, fill: F) -> Result<()>
where
    F: FnOnce(&mut dyn Write) -> Result<()>,
{
    let path = path.as_ref();
    let file_name = path
        .file_name()
        .ok_or_else(|| FigureError::invalid(format!("{} has no file name", path.display())))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| FigureError::io("creating directory", &dir, e))?;

    let mut builder = tempfile::Builder::new();
    let prefix = format!(".{}.", file_name.to_string_lossy());
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // tempfile defaults to 0600; results are meant to be read by others (umask still applies).
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder
        .tempfile_in(&dir)
        .map_err(|e| FigureError::io("creating temporary file in", &dir, e))?;
    {
        let mut w = BufWriter::new(tmp.as_file_mut());
        fill(&mut w)?;
        w.flush().map_err(|e| FigureError::io("writing", path, e))?;
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| FigureError::io("syncing", path, e))?;
    tmp.persist(path)
        .map_err(|e| FigureError::io("renaming into", path, e.error))?;
    sync_dir(&dir);
    Ok(())
}

/// Best effort: make the rename durable. Not all platforms/file systems allow fsync on a directory.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

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
        return Err(FigureError::invalid(format!(
            "{}: CSV header is empty",
            path.display()
        )));
    }
    write_atomic_with(path, |w| {
        let csv_err = |e: csv::Error| FigureError::Csv {
            path: path.to_path_buf(),
            source: e,
        };
        let mut wtr = csv::WriterBuilder::new().from_writer(w);
        wtr.write_record(header).map_err(csv_err)?;
        let mut field = Vec::with_capacity(header.len());
        for (i, row) in rows.into_iter().enumerate() {
            if row.len() != header.len() {
                return Err(FigureError::invalid(format!(
                    "{}: row {i} has {} values, header has {}",
                    path.display(),
                    row.len(),
                    header.len()
                )));
            }
            field.clear();
            for (j, v) in row.iter().enumerate() {
                if !v.is_finite() {
                    return Err(FigureError::invalid(format!(
                        "{}: row {i}, column '{}' is {v}",
                        path.display(),
                        header[j]
                    )));
                }
                field.push(format_f64(*v));
            }
            wtr.write_record(&field).map_err(csv_err)?;
        }
        wtr.flush()
            .map_err(|e| FigureError::io("writing", path, e))?;
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
        let csv_err = |e: csv::Error| FigureError::Csv {
            path: path.to_path_buf(),
            source: e,
        };
        let mut wtr = csv::Writer::from_writer(w);
        for r in records {
            wtr.serialize(r).map_err(csv_err)?;
        }
        wtr.flush()
            .map_err(|e| FigureError::io("writing", path, e))?;
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
    /// The values of the column called `name`, if there is one.
    pub fn column(&self, name: &str) -> Option<Vec<f64>> {
        let j = self.header.iter().position(|h| h == name)?;
        Some(self.rows.iter().map(|r| r[j]).collect())
    }
}

/// Read a CSV file with a header line and float values (the inverse of [`write_csv`]).
pub fn read_csv(path: impl AsRef<Path>) -> Result<CsvTable> {
    let path = path.as_ref();
    let csv_err = |e: csv::Error| FigureError::Csv {
        path: path.to_path_buf(),
        source: e,
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
                    FigureError::invalid(format!(
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

/// The pretty JSON text [`write_json`] writes (with a trailing newline).
pub fn json_string<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    let mut s = serde_json::to_string_pretty(value).map_err(|e| FigureError::Json {
        path: PathBuf::from("<memory>"),
        source: e,
    })?;
    s.push('\n');
    Ok(s)
}

/// Write `value` as pretty-printed JSON (two-space indent, trailing newline), atomically.
pub fn write_json<T: Serialize + ?Sized>(path: impl AsRef<Path>, value: &T) -> Result<()> {
    let path = path.as_ref();
    let text = json_string(value).map_err(|e| match e {
        FigureError::Json { source, .. } => FigureError::Json {
            path: path.to_path_buf(),
            source,
        },
        other => other,
    })?;
    write_atomic(path, text.as_bytes())
}

/// Read a JSON file.
pub fn read_json<T: DeserializeOwned>(path: impl AsRef<Path>) -> Result<T> {
    let path = path.as_ref();
    let f = File::open(path).map_err(|e| FigureError::io("reading", path, e))?;
    serde_json::from_reader(BufReader::new(f)).map_err(|e| FigureError::Json {
        path: path.to_path_buf(),
        source: e,
    })
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex SHA-256 of the file at `path` (streamed).
pub fn sha256_file(path: impl AsRef<Path>) -> Result<String> {
    let path = path.as_ref();
    let mut f = File::open(path).map_err(|e| FigureError::io("reading", path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| FigureError::io("reading", path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// `path` relative to `root`, with `/` separators; errors if it is not inside `root`.
pub fn relative_path(root: &Path, path: &Path) -> Result<String> {
    let rel = match path.strip_prefix(root) {
        Ok(r) => r.to_path_buf(),
        Err(_) => {
            let canon = |p: &Path| {
                p.canonicalize()
                    .map_err(|e| FigureError::io("resolving", p, e))
            };
            let (r, p) = (canon(root)?, canon(path)?);
            p.strip_prefix(&r)
                .map_err(|_| {
                    FigureError::invalid(format!(
                        "{} is not inside {}",
                        path.display(),
                        root.display()
                    ))
                })?
                .to_path_buf()
        }
    };
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_str().ok_or_else(|| {
                FigureError::invalid(format!("{} is not valid UTF-8", path.display()))
            })?),
            Component::CurDir => {}
            _ => {
                return Err(FigureError::invalid(format!(
                    "{} is not inside {}",
                    path.display(),
                    root.display()
                )))
            }
        }
    }
    if parts.is_empty() {
        return Err(FigureError::invalid(format!(
            "{} is the root {} itself, not a file in it",
            path.display(),
            root.display()
        )));
    }
    Ok(parts.join("/"))
}

/// The `MANIFEST` of an output directory: SHA-256 of each file, keyed by its path relative to
/// the directory.
///
/// The text form has one line per file, `<sha256>  <relative path>`, sorted by path (byte order)
/// — the format of `sha256sum`, so `cd data && sha256sum -c MANIFEST` also checks it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    entries: BTreeMap<String, String>,
}

/// The conventional file name of a manifest inside an output directory.
pub const MANIFEST_FILE: &str = "MANIFEST";

impl Manifest {
    /// An empty manifest.
    pub fn new() -> Self {
        Self::default()
    }

    /// Hash `files` (inside `root`) into a new manifest.
    pub fn from_files<I, P>(root: impl AsRef<Path>, files: I) -> Result<Self>
    where
        I: IntoIterator<Item = P>,
        P: AsRef<Path>,
    {
        let mut m = Manifest::new();
        for f in files {
            m.add_file(root.as_ref(), f.as_ref())?;
        }
        Ok(m)
    }

    /// Hash one file (inside `root`) and add or replace its entry.
    pub fn add_file(&mut self, root: impl AsRef<Path>, file: impl AsRef<Path>) -> Result<()> {
        let (root, file) = (root.as_ref(), file.as_ref());
        let rel = relative_path(root, file)?;
        let sha = sha256_file(file)?;
        self.entries.insert(rel, sha);
        Ok(())
    }

    /// Add or replace an entry directly.
    pub fn insert(&mut self, relative_path: impl Into<String>, sha256: impl Into<String>) {
        self.entries.insert(relative_path.into(), sha256.into());
    }

    /// The hash recorded for `relative_path`.
    pub fn get(&self, relative_path: &str) -> Option<&str> {
        self.entries.get(relative_path).map(String::as_str)
    }

    /// `(relative path, sha256)` pairs, sorted by path.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(p, h)| (p.as_str(), h.as_str()))
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the manifest lists no file.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Keep only the entries whose path satisfies `keep`.
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.entries.retain(|p, _| keep(p));
    }

    /// Add all entries of `other`, replacing those with the same path.
    pub fn merge(&mut self, other: &Manifest) {
        for (p, h) in other.entries() {
            self.insert(p, h);
        }
    }

    /// The text form (`<sha256>  <path>` lines, sorted, trailing newline).
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        for (p, h) in &self.entries {
            s.push_str(h);
            s.push_str("  ");
            s.push_str(p);
            s.push('\n');
        }
        s
    }

    /// Parse the text form; `origin` is only used in error messages.
    pub fn parse(text: &str, origin: impl AsRef<Path>) -> Result<Self> {
        let origin = origin.as_ref();
        let mut m = Manifest::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let err = |message: &str| FigureError::Manifest {
                path: origin.to_path_buf(),
                line: i + 1,
                message: message.to_owned(),
            };
            let (hash, path) = line
                .split_once("  ")
                .ok_or_else(|| err("expected '<sha256>  <path>'"))?;
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(err("the hash is not 64 hex digits"));
            }
            if path.is_empty() {
                return Err(err("empty path"));
            }
            if m.entries
                .insert(path.to_owned(), hash.to_ascii_lowercase())
                .is_some()
            {
                return Err(err("duplicate path"));
            }
        }
        Ok(m)
    }

    /// Read a manifest file.
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text =
            std::fs::read_to_string(path).map_err(|e| FigureError::io("reading", path, e))?;
        Manifest::parse(&text, path)
    }

    /// Write the manifest atomically.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        write_atomic(path, self.to_text().as_bytes())
    }

    /// Compare an `expected` manifest (`self`) with an `actual` one.
    pub fn diff(&self, actual: &Manifest) -> ManifestDiff {
        let mut d = ManifestDiff::default();
        for (p, h) in &self.entries {
            match actual.entries.get(p) {
                None => d.missing.push(p.clone()),
                Some(h2) if h2 != h => d.changed.push(p.clone()),
                Some(_) => {}
            }
        }
        for p in actual.entries.keys() {
            if !self.entries.contains_key(p) {
                d.extra.push(p.clone());
            }
        }
        d
    }
}

/// Differences between an expected and an actual [`Manifest`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManifestDiff {
    /// Listed in the expected manifest, not produced.
    pub missing: Vec<String>,
    /// Produced, not listed in the expected manifest.
    pub extra: Vec<String>,
    /// Produced with a different hash.
    pub changed: Vec<String>,
}

impl ManifestDiff {
    /// Whether the two manifests agree.
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.extra.is_empty() && self.changed.is_empty()
    }
}

impl fmt::Display for ManifestDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return writeln!(f, "all files match");
        }
        for p in &self.changed {
            writeln!(f, "changed: {p}")?;
        }
        for p in &self.missing {
            writeln!(f, "missing: {p}")?;
        }
        for p in &self.extra {
            writeln!(f, "extra:   {p}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_temp_files_left(dir: &Path) -> bool {
        std::fs::read_dir(dir)
            .unwrap()
            .all(|e| !e.unwrap().file_name().to_string_lossy().ends_with(".tmp"))
    }

    #[test]
    fn atomic_write_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/a.txt");
        write_atomic(&p, b"first").unwrap();
        write_atomic(&p, b"second").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"second");
        assert!(no_temp_files_left(p.parent().unwrap()));
    }

    #[test]
    fn failed_fill_leaves_old_file_and_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        write_atomic(&p, b"old").unwrap();
        let r = write_atomic_with(&p, |w| {
            w.write_all(b"half").unwrap();
            Err(FigureError::invalid("boom"))
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        assert!(no_temp_files_left(dir.path()));
    }

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

    #[test]
    fn json_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.json");
        let v = serde_json::json!({"sigma": 0.25, "n": 3});
        write_json(&p, &v).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.ends_with("}\n"));
        let back: serde_json::Value = read_json(&p).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn sha256_known_values() {
        assert_eq!(
            sha256_bytes(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("abc");
        write_atomic(&p, b"abc").unwrap();
        assert_eq!(
            sha256_file(&p).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn manifest_sorted_round_trip_and_diff() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write_atomic(root.join("b/x.csv"), b"1").unwrap();
        write_atomic(root.join("a.json"), b"2").unwrap();
        let m = Manifest::from_files(root, [root.join("b/x.csv"), root.join("a.json")]).unwrap();
        let text = m.to_text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].ends_with("  a.json") && lines[1].ends_with("  b/x.csv"));
        m.write(root.join(MANIFEST_FILE)).unwrap();
        let back = Manifest::read(root.join(MANIFEST_FILE)).unwrap();
        assert_eq!(back, m);
        assert!(m.diff(&back).is_empty());

        let mut other = back.clone();
        other.insert("a.json", "0".repeat(64));
        other.insert("c.png", "1".repeat(64));
        other.retain(|p| p != "b/x.csv");
        let d = m.diff(&other);
        assert_eq!(d.changed, vec!["a.json"]);
        assert_eq!(d.missing, vec!["b/x.csv"]);
        assert_eq!(d.extra, vec!["c.png"]);
    }

    #[test]
    fn manifest_rejects_garbage_and_outside_paths() {
        assert!(Manifest::parse("nothash  x\n", "M").is_err());
        assert!(Manifest::parse(&format!("{}  \n", "a".repeat(64)), "M").is_err());
        let dir = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        let f = other.path().join("f");
        write_atomic(&f, b"x").unwrap();
        assert!(Manifest::from_files(dir.path(), [&f]).is_err());
    }
}
