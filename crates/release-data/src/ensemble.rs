//! An ensemble from a file: `.npz`, `.npy` or CSV files of weight matrices or of spectra, turned
//! into one sorted spectrum per sample (what `rmt-sgd analyze` and the Python package read).
//!
//! An array of weight matrices has shape `(..., M, N)`: the matrix is the last two axes; of the
//! leading axes one is the ensemble axis (samples) and one, optionally, the snapshot axis (the
//! time index, `--snapshot` picks one). Every other leading axis must have length 1. Defaults:
//! 4-D → ensemble 0, snapshot 1; 3-D → ensemble 0 and no snapshot axis; 2-D → a single matrix.
//! Spectra (`--input spectra`, the default for CSV) have the levels on the last axis instead, so
//! a 2-D array or CSV is (samples, levels). Spectra are sorted ascending per sample and used as
//! given; matrices give singular values (or their squares, the eigenvalues of WᵀW).

// ANCHOR: analyze_input
use std::path::{Path, PathBuf};

use langevin_core::spectrum::singular_values_row_major;

use crate::table::read_csv;
use crate::{read_npy, Npz, ReleaseError};

/// One line naming the file and what is wrong with it.
macro_rules! bail {
    ($($t:tt)*) => {
        return Err(ReleaseError::Input(format!($($t)*)))
    };
}

type Result<T> = std::result::Result<T, ReleaseError>;

/// What the numbers in the file are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// `.npz`/`.npy`: matrices; CSV: spectra (matrices with `--matrix MxN`).
    Auto,
    /// Weight matrices: the last two axes are M×N.
    Matrices,
    /// Spectra: the last axis holds the levels of one sample.
    Spectra,
}

/// Which spectrum of a matrix to analyse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spectrum {
    /// Singular values ξ of W.
    Singular,
    /// Squared singular values x = ξ² (eigenvalues of WᵀW).
    Squared,
}

impl std::str::FromStr for InputKind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "auto" => Ok(Self::Auto),
            "matrices" => Ok(Self::Matrices),
            "spectra" => Ok(Self::Spectra),
            _ => Err(format!("'{s}': expected auto, matrices or spectra")),
        }
    }
}

impl std::str::FromStr for Spectrum {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "singular" => Ok(Self::Singular),
            "squared" => Ok(Self::Squared),
            _ => Err(format!("'{s}': expected singular or squared")),
        }
    }
}

impl Spectrum {
    /// The name used in the JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Spectrum::Singular => "singular",
            Spectrum::Squared => "squared",
        }
    }
}

/// How to read one file.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// The array inside an `.npz`.
    pub key: String,
    /// Matrices or spectra.
    pub kind: InputKind,
    /// `M×N` of the rows of a CSV of flattened (row-major) matrices.
    pub matrix: Option<(usize, usize)>,
    /// The ensemble axis among the leading axes (default 0).
    pub ensemble_axis: Option<usize>,
    /// The snapshot axis: `None` = default, `Some(None)` = no snapshot axis.
    pub snapshot_axis: Option<Option<usize>>,
    /// `last`, `first` or an integer (negative from the end).
    pub snapshot: String,
    /// Singular values or their squares.
    pub spectrum: Spectrum,
}

impl Default for ReadOptions {
    /// `rmt-sgd analyze`'s defaults: array `W`, kind and axes from the data, the last snapshot,
    /// singular values.
    fn default() -> Self {
        Self {
            key: "W".into(),
            kind: InputKind::Auto,
            matrix: None,
            ensemble_axis: None,
            snapshot_axis: None,
            snapshot: "last".into(),
            spectrum: Spectrum::Singular,
        }
    }
}

/// The file format, from the extension or else the first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Npz,
    Npy,
    Csv,
}

fn format_of(path: &Path) -> Result<Format> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    Ok(match ext.as_deref() {
        Some("npz") => Format::Npz,
        Some("npy") => Format::Npy,
        Some("csv" | "txt" | "dat") => Format::Csv,
        _ => {
            use std::io::Read;
            let mut head = [0u8; 6];
            let n = std::fs::File::open(path)
                .and_then(|mut f| f.read(&mut head))
                .map_err(|e| {
                    ReleaseError::Input(format!("{}: cannot read: {e}", path.display()))
                })?;
            match &head[..n] {
                [b'P', b'K', ..] => Format::Npz,
                b"\x93NUMPY" => Format::Npy,
                _ => Format::Csv,
            }
        }
    })
}

/// The samples of one file: a sorted spectrum per sample, and the scalars found beside them.
#[derive(Clone, Debug)]
pub struct Ensemble {
    /// The file.
    pub path: PathBuf,
    /// Shape of the array read (CSV: rows × columns).
    pub shape: Vec<usize>,
    /// What was analysed (`matrices` or `spectra`).
    pub kind: &'static str,
    /// The chosen snapshot index, if there is a snapshot axis.
    pub snapshot: Option<usize>,
    /// One spectrum per sample, ascending; all of the same length.
    pub spectra: Vec<Vec<f64>>,
    /// Learning rate α (`lr` in an `.npz`).
    pub lr: Option<f64>,
    /// Batch size |B| (`batch_size` in an `.npz`).
    pub batch: Option<f64>,
    /// Noise strength (`noise` in an `.npz`, the teacher-student release).
    pub noise: Option<f64>,
}

/// Parses `--matrix MxN`.
pub fn parse_matrix(s: &str) -> std::result::Result<(usize, usize), String> {
    let (m, n) = s
        .split_once(['x', 'X', '×'])
        .ok_or_else(|| format!("'{s}': expected MxN, e.g. 2x2"))?;
    let dim = |t: &str| -> std::result::Result<usize, String> {
        match t.trim().parse::<usize>() {
            Ok(v) if v >= 1 => Ok(v),
            _ => Err(format!("'{s}': dimensions must be integers >= 1")),
        }
    };
    Ok((dim(m)?, dim(n)?))
}

/// Parses `--snapshot-axis`: an axis number or `none`.
pub fn parse_axis_or_none(s: &str) -> std::result::Result<Option<usize>, String> {
    if s.trim().eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    s.trim()
        .parse::<usize>()
        .map(Some)
        .map_err(|_| format!("'{s}': expected an axis number or 'none'"))
}

/// Resolves `--snapshot` against `count` snapshots.
pub fn snapshot_index(spec: &str, count: usize) -> Result<usize> {
    let idx = match spec {
        "last" => count as i64 - 1,
        "first" => 0,
        s => match s.trim().parse::<i64>() {
            Ok(v) => v,
            Err(_) => bail!("--snapshot '{s}': expected last, first or an integer"),
        },
    };
    let k = if idx < 0 { count as i64 + idx } else { idx };
    if k < 0 || k >= count as i64 {
        bail!("--snapshot {spec}: the array has {count} snapshots");
    }
    Ok(k as usize)
}

/// Reads `path` into an [`Ensemble`].
pub fn read(path: &Path, o: &ReadOptions) -> Result<Ensemble> {
    let shown = path.display().to_string();
    let (shape, data, kind, lr, batch, noise, what) = match format_of(path)? {
        Format::Npz => {
            let npz = Npz::open(path)?;
            let a = npz.array(&o.key)?;
            let scalar = |k: &str| npz.f64_scalar(k).ok().filter(|v| v.is_finite());
            let kind = match o.kind {
                InputKind::Auto => InputKind::Matrices,
                k => k,
            };
            let what = format!("array '{}' (dtype '{}')", o.key, a.descr);
            (
                a.shape.clone(),
                a.into_f64_vec(),
                kind,
                scalar("lr"),
                scalar("batch_size"),
                scalar("noise"),
                what,
            )
        }
        Format::Npy => {
            let a = read_npy(path)?;
            let kind = match o.kind {
                InputKind::Auto => InputKind::Matrices,
                k => k,
            };
            let what = format!("the array (dtype '{}')", a.descr);
            (
                a.shape.clone(),
                a.into_f64_vec(),
                kind,
                None,
                None,
                None,
                what,
            )
        }
        Format::Csv => {
            let t = read_csv(path)?;
            let what = "the table".to_string();
            match (o.kind, o.matrix) {
                (InputKind::Matrices, None) => bail!(
                    "{shown}: a CSV of matrices needs --matrix MxN (each row is one flattened \
                     M×N matrix, row-major)"
                ),
                (InputKind::Spectra, Some(_)) => {
                    bail!("{shown}: --matrix and --input spectra contradict each other")
                }
                (_, Some((m, n))) => {
                    if m.checked_mul(n) != Some(t.cols) {
                        bail!(
                            "{shown}: rows have {} values, --matrix {m}x{n} needs {}",
                            t.cols,
                            m.saturating_mul(n)
                        );
                    }
                    (
                        vec![t.rows, m, n],
                        t.data,
                        InputKind::Matrices,
                        None,
                        None,
                        None,
                        what,
                    )
                }
                (_, None) => (
                    vec![t.rows, t.cols],
                    t.data,
                    InputKind::Spectra,
                    None,
                    None,
                    None,
                    what,
                ),
            }
        }
    };
    from_array(
        path,
        &what,
        shape,
        &data,
        kind,
        Scalars { lr, batch, noise },
        o,
    )
}

/// The scalars found beside an array (`lr`, `batch_size`, `noise` in an `.npz`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Scalars {
    /// Learning rate α.
    pub lr: Option<f64>,
    /// Batch size |B|.
    pub batch: Option<f64>,
    /// Noise strength.
    pub noise: Option<f64>,
}

/// An array already in memory (C order, `data.len()` = product of `shape`) into an
/// [`Ensemble`], exactly as [`read`] turns a file's array into one: `path` names it in messages
/// and in the bootstrap streams, `what` describes it in messages (e.g. `the array`), `kind` is
/// `Matrices` or `Spectra` (`Auto` means matrices). The Python package's entry for numpy arrays.
pub fn from_array(
    path: &Path,
    what: &str,
    shape: Vec<usize>,
    data: &[f64],
    kind: InputKind,
    scalars: Scalars,
    o: &ReadOptions,
) -> Result<Ensemble> {
    let shown = path.display().to_string();
    let kind = match kind {
        InputKind::Auto => InputKind::Matrices,
        k => k,
    };
    let Scalars { lr, batch, noise } = scalars;
    if shape.iter().try_fold(1usize, |p, &d| p.checked_mul(d)) != Some(data.len()) {
        bail!(
            "{shown}: {what} has shape {shape:?} but {} values",
            data.len()
        );
    }
    let tail = if kind == InputKind::Matrices { 2 } else { 1 };
    if shape.len() < tail {
        bail!(
            "{shown}: {what} has shape {shape:?}; expected (..., M, N) for matrices or \
             (..., levels) for spectra (a floating-point or integer array, not a scalar)"
        );
    }
    if shape.contains(&0) {
        bail!("{shown}: {what} of shape {shape:?} is empty");
    }
    let original_shape = shape.clone();
    let lead = shape.len() - tail;
    // A lone matrix or spectrum is an ensemble of one.
    let mut shape = shape;
    if lead == 0 {
        shape.insert(0, 1);
    }
    let lead = lead.max(1);
    let ens = o.ensemble_axis.unwrap_or(0);
    let snap_axis = match o.snapshot_axis {
        Some(a) => a,
        None if lead >= 2 => Some(1),
        None => None,
    };
    if ens >= lead {
        bail!("{shown}: --ensemble-axis {ens}: {what} of shape {shape:?} has {lead} leading axes");
    }
    if let Some(s) = snap_axis {
        if s >= lead || s == ens {
            bail!(
                "{shown}: --snapshot-axis {s}: {what} of shape {shape:?} has {lead} leading \
                 axes and the ensemble axis is {ens}"
            );
        }
    }
    for (a, &d) in shape[..lead].iter().enumerate() {
        if a != ens && Some(a) != snap_axis && d != 1 {
            bail!(
                "{shown}: axis {a} of {what} (shape {shape:?}) has length {d} but is neither the \
                 ensemble axis ({ens}) nor the snapshot axis; set --ensemble-axis/--snapshot-axis"
            );
        }
    }
    // Without a snapshot axis (3-D matrices, 2-D spectra) there is nothing to pick: an explicit
    // `--snapshot` other than the default (`last`, or `-1` as Python spells it) would be
    // silently ignored, so it is refused.
    if snap_axis.is_none() && !matches!(o.snapshot.trim(), "last" | "-1") {
        bail!(
            "{shown}: --snapshot {}: {what} of shape {shape:?} has no snapshot axis (with \
             --ensemble-axis {ens}, the other leading axes must have length 1); name one with \
             --snapshot-axis",
            o.snapshot
        );
    }
    let snapshot = match snap_axis {
        Some(s) => Some(
            snapshot_index(&o.snapshot, shape[s])
                .map_err(|e| ReleaseError::Input(format!("{shown}: axis {s}: {e}")))?,
        ),
        None => None,
    };
    // C strides of the leading axes, in elements.
    let block: usize = shape[lead..].iter().product();
    let mut stride = vec![block; lead];
    for a in (0..lead.saturating_sub(1)).rev() {
        stride[a] = stride[a + 1] * shape[a + 1];
    }
    let base = snap_axis.map_or(0, |s| snapshot.unwrap_or(0) * stride[s]);
    let samples = shape[ens];
    let spectra: Vec<Vec<f64>> = (0..samples)
        .map(|e| {
            let o0 = base + e * stride[ens];
            let block = &data[o0..o0 + block];
            if let Some(i) = block.iter().position(|v| !v.is_finite()) {
                bail!(
                    "{shown}: {what} has a non-finite value ({}) at index {:?}",
                    block[i],
                    unravel(o0 + i, &original_shape)
                );
            }
            let mut v = if kind == InputKind::Matrices {
                let (m, n) = (shape[shape.len() - 2], shape[shape.len() - 1]);
                let mut v = singular_values_row_major(block, m, n);
                if o.spectrum == Spectrum::Squared {
                    v.iter_mut().for_each(|x| *x *= *x);
                }
                v
            } else {
                block.to_vec()
            };
            v.sort_by(f64::total_cmp);
            Ok(v)
        })
        .collect::<Result<_>>()?;
    Ok(Ensemble {
        path: path.to_path_buf(),
        shape: original_shape,
        kind: if kind == InputKind::Matrices {
            "matrices"
        } else {
            "spectra"
        },
        snapshot,
        spectra,
        lr,
        batch,
        noise,
    })
}

fn unravel(mut i: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for (k, &d) in shape.iter().enumerate().rev() {
        if d > 0 {
            idx[k] = i % d;
            i /= d;
        }
    }
    idx
}
// ANCHOR_END: analyze_input

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsers() {
        assert_eq!(parse_matrix("2x3"), Ok((2, 3)));
        assert_eq!(parse_matrix("4×4"), Ok((4, 4)));
        assert!(parse_matrix("0x2").is_err());
        assert!(parse_matrix("22").is_err());
        assert_eq!(parse_axis_or_none("none"), Ok(None));
        assert_eq!(parse_axis_or_none("2"), Ok(Some(2)));
        assert_eq!(snapshot_index("last", 6).unwrap(), 5);
        assert_eq!(snapshot_index("-2", 6).unwrap(), 4);
        assert!(snapshot_index("6", 6).is_err());
        assert_eq!(unravel(7, &[2, 2, 2]), vec![1, 1, 1]);
    }
}
