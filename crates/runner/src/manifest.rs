//! SHA-256 of outputs and the `MANIFEST` of an output directory (`sha256sum` format), read,
//! written and compared.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Component, Path};

use sha2::{Digest, Sha256};

use crate::atomic::write_atomic;
use crate::error::{Error, Result};

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
    let mut f = File::open(path).map_err(|e| Error::io("reading", path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| Error::io("reading", path, e))?;
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
            let canon = |p: &Path| p.canonicalize().map_err(|e| Error::io("resolving", p, e));
            let (r, p) = (canon(root)?, canon(path)?);
            p.strip_prefix(&r)
                .map_err(|_| {
                    Error::invalid(format!(
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
            Component::Normal(s) => {
                parts.push(s.to_str().ok_or_else(|| {
                    Error::invalid(format!("{} is not valid UTF-8", path.display()))
                })?)
            }
            Component::CurDir => {}
            _ => {
                return Err(Error::invalid(format!(
                    "{} is not inside {}",
                    path.display(),
                    root.display()
                )))
            }
        }
    }
    if parts.is_empty() {
        return Err(Error::invalid(format!(
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
            let err = |message: &str| Error::Manifest {
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
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("reading", path, e))?;
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
        std::fs::create_dir(root.join("b")).unwrap();
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
