//! The resume journal `<out>.journal` (described in the crate documentation): opened and
//! locked, its parameters checked, its finished records read back (a torn last line cut off),
//! and appended to one group at a time.
//!
//! Every record line ends with ` #` and a checksum of the text before it (the first 8 hex
//! digits of its SHA-256): a line that a kill tore off is the last one and has no newline (it is
//! dropped and recomputed), while a complete line whose checksum does not match was edited or
//! corrupted, and resuming from it would put a wrong number into the output, so it is refused.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context as _};

/// The result of one work item as journal text: comma-separated fields, no newline. `decode`
/// must invert `encode` exactly (floats via `{:?}` and `str::parse`).
pub trait Record: Sized + Send {
    /// The fields (without the item index).
    fn encode(&self) -> String;
    /// Parses what [`Record::encode`] wrote.
    fn decode(fields: &str) -> anyhow::Result<Self>;
}

/// Formats floats in shortest round-trip form, comma-separated.
pub fn encode_floats(v: &[f64]) -> String {
    let mut s = String::with_capacity(v.len() * 20);
    for (i, x) in v.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!("{x:?}"));
    }
    s
}

/// Parses one float field written by [`encode_floats`].
pub fn decode_float(s: &str) -> anyhow::Result<f64> {
    s.parse::<f64>()
        .with_context(|| format!("'{s}' is not a number"))
}

impl Record for Vec<f64> {
    fn encode(&self) -> String {
        encode_floats(self)
    }

    fn decode(fields: &str) -> anyhow::Result<Self> {
        if fields.is_empty() {
            return Ok(Vec::new());
        }
        fields.split(',').map(decode_float).collect()
    }
}

/// The journal path of an output: `<out>.journal` beside it.
pub fn journal_path(out: &Path) -> PathBuf {
    let mut s = out.as_os_str().to_owned();
    s.push(".journal");
    PathBuf::from(s)
}

const MAGIC: &str = "# rmt-sgd journal v2 ";
/// Any version's header, to name an older journal rather than call it foreign.
const ANY_VERSION: &str = "# rmt-sgd journal v";

/// The checksum that ends a record line: first 8 hex digits of the SHA-256 of `body`.
fn checksum(body: &str) -> String {
    let mut h = crate::sha256_bytes(body.as_bytes());
    h.truncate(8);
    h
}

/// A record line's body (`<item>,<fields>`) once its checksum is verified; `Err` names what is
/// wrong.
fn verified(line: &str) -> Result<&str, &'static str> {
    let (body, sum) = line.rsplit_once(" #").ok_or("the line has no checksum")?;
    if checksum(body) != sum {
        return Err("its checksum does not match (the line was edited or corrupted)");
    }
    Ok(body)
}

/// An open, locked journal.
pub(crate) struct Journal {
    pub(crate) path: PathBuf,
    pub(crate) file: Mutex<File>,
}

impl Journal {
    /// Opens (creating) the journal, checks its parameters and reads its finished records; a
    /// torn last line is cut off.
    pub(crate) fn open<T: Record>(
        path: &Path,
        params: &str,
        items: &Range<u64>,
    ) -> anyhow::Result<(Self, Vec<(u64, T)>)> {
        let shown = path.display();
        // Never open a FIFO (it would block) or a device as a journal.
        crate::check_output(path)?;
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .with_context(|| format!("cannot create or open the journal {shown}"))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                bail!("{shown} is in use by another process running the same sweep")
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {shown}"))
            }
        }
        let mut text = String::new();
        file.read_to_string(&mut text)
            .with_context(|| format!("cannot read {shown} (not a journal?)"))?;
        let header = format!("{MAGIC}{params}\n");
        let mut records = Vec::new();
        if text.is_empty() || (!text.contains('\n') && header.starts_with(&text)) {
            // New, or killed while writing the header.
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            file.write_all(header.as_bytes())?;
            file.flush()?;
        } else {
            let (first, rest) = text.split_at(text.find('\n').map_or(text.len(), |i| i + 1));
            let Some(stored) = first.strip_prefix(MAGIC) else {
                if first.starts_with(ANY_VERSION) {
                    bail!(
                        "{shown} was written by another version of rmt-sgd (its first line is \
                         '{}'); delete it to start over",
                        first.trim_end()
                    );
                }
                bail!("{shown} is not an rmt-sgd journal");
            };
            let stored = stored.trim_end();
            if stored != params {
                bail!(
                    "{shown} was written by a run with different parameters ({}); rerun with the \
                     same parameters to resume it, or delete it to start over",
                    param_diff(stored, params)
                );
            }
            // ANCHOR: torn_line
            // Complete lines end with '\n'; anything after the last one is a torn write.
            let complete = rest.rfind('\n').map_or(0, |i| i + 1);
            let mut seen = std::collections::BTreeSet::new();
            for (n, line) in rest[..complete].lines().enumerate() {
                let lineno = n + 2;
                let line = verified(line).map_err(|why| {
                    anyhow::anyhow!(
                        "{shown} line {lineno}: {why}; delete the journal to start over"
                    )
                })?;
                let (idx, fields) = line.split_once(',').unwrap_or((line, ""));
                let idx: u64 = idx.parse().with_context(|| {
                    format!("{shown} line {lineno}: '{idx}' is not an item index")
                })?;
                if !items.contains(&idx) {
                    bail!(
                        "{shown} line {lineno}: item {idx} is not among this run's items {}..{}",
                        items.start,
                        items.end
                    );
                }
                if !seen.insert(idx) {
                    bail!("{shown} line {lineno}: item {idx} appears twice");
                }
                let r = T::decode(fields)
                    .with_context(|| format!("{shown} line {lineno}: unreadable record"))?;
                records.push((idx, r));
            }
            let keep = (first.len() + complete) as u64;
            if keep < text.len() as u64 {
                file.set_len(keep)
                    .with_context(|| format!("cannot truncate {shown}"))?;
            }
            file.seek(SeekFrom::Start(keep))?;
            // ANCHOR_END: torn_line
        }
        Ok((
            Journal {
                path: path.to_path_buf(),
                file: Mutex::new(file),
            },
            records,
        ))
    }

    // ANCHOR: append
    /// Appends the records of one finished group in a single write and flushes it.
    pub(crate) fn append<T: Record>(&self, items: &[u64], results: &[T]) -> anyhow::Result<()> {
        let mut buf = String::new();
        for (i, r) in items.iter().zip(results) {
            let mut line = i.to_string();
            let fields = r.encode();
            if !fields.is_empty() {
                line.push(',');
                line.push_str(&fields);
            }
            buf.push_str(&line);
            buf.push_str(" #");
            buf.push_str(&checksum(&line));
            buf.push('\n');
        }
        let mut f = self
            .file
            .lock()
            .map_err(|_| anyhow::anyhow!("journal lock poisoned"))?;
        f.write_all(buf.as_bytes())
            .and_then(|()| f.flush())
            .with_context(|| format!("cannot append to {}", self.path.display()))
    }
    // ANCHOR_END: append
}

/// The keys whose values differ between two parameter JSON texts, `key: old -> new`.
pub(crate) fn param_diff(stored: &str, now: &str) -> String {
    use serde_json::Value;
    let (Ok(Value::Object(a)), Ok(Value::Object(b))) = (
        serde_json::from_str::<Value>(stored),
        serde_json::from_str::<Value>(now),
    ) else {
        return format!("journal {stored}, now {now}");
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    let show = |v: Option<&Value>| v.map_or("(none)".to_string(), Value::to_string);
    keys.into_iter()
        .filter(|k| show(a.get(*k)) != show(b.get(*k)))
        .map(|k| format!("{k}: {} -> {}", show(a.get(k)), show(b.get(k))))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_lines_carry_a_checksum_of_their_text() {
        let line = format!("3,0.5,-0.0 #{}", checksum("3,0.5,-0.0"));
        assert_eq!(verified(&line), Ok("3,0.5,-0.0"));
        let edited = line.replacen("0.5", "0.6", 1);
        assert!(verified(&edited).unwrap_err().contains("does not match"));
        assert!(verified("3,0.5,-0.0").unwrap_err().contains("no checksum"));
    }

    #[test]
    fn an_edited_line_is_refused_a_torn_one_dropped_an_old_journal_named() {
        let dir = tempfile::tempdir().unwrap();
        let j = dir.path().join("o.journal");
        let (journal, done) = Journal::open::<Vec<f64>>(&j, "{}", &(0..4)).unwrap();
        assert!(done.is_empty());
        journal
            .append(&[0, 1, 2], &[vec![0.5], vec![1.5], vec![2.5]])
            .unwrap();
        drop(journal);
        let text = std::fs::read_to_string(&j).unwrap();
        // A torn last line: dropped.
        std::fs::write(&j, format!("{text}3,3.5 #12")).unwrap();
        let (journal, done) = Journal::open::<Vec<f64>>(&j, "{}", &(0..4)).unwrap();
        assert_eq!(done.len(), 3);
        drop(journal);
        // An edited middle line: refused, naming the line.
        std::fs::write(&j, text.replacen("1,1.5", "1,1.25", 1)).unwrap();
        let e = Journal::open::<Vec<f64>>(&j, "{}", &(0..4)).err().unwrap();
        let e = format!("{e:#}");
        assert!(e.contains("line 3: its checksum does not match"), "{e}");
        // A journal of the previous format.
        std::fs::write(&j, "# rmt-sgd journal v1 {}\n0,0.5\n").unwrap();
        let e = Journal::open::<Vec<f64>>(&j, "{}", &(0..4)).err().unwrap();
        assert!(e.to_string().contains("another version of rmt-sgd"), "{e}");
    }
}
