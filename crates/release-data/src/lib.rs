//! # release-data
//!
//! Reads the authors' released `.npz` files (Zenodo 10.5281/zenodo.13310439; reference-data
//! README): zip archives of `.npy` members with f64 arrays and 0-d i64 scalars, in C or Fortran
//! order. Kept out of the model crates' dependencies; only the CLI and the figures use it.
//!
//! * [`Npz`]: open a file, list its arrays, decode one ([`Array`]);
//! * [`read_npy`] / [`npy_from_bytes`]: a stand-alone `.npy` file (any of the dtypes above);
//! * [`table`]: CSV files of numbers (spectra or flattened matrices) with line/column errors;
//! * [`write`]: a small `.npz` writer (stored members), for tests and for exporting simulations
//!   in the authors' layout;
//! * [`ts`]: the 16 teacher-student files of the release and where to find them.
//!
//! Malformed or truncated files give a [`ReleaseError`] that names the file and the problem;
//! nothing panics and nothing is allocated before its size has been checked against the file.
//!
//! ```no_run
//! let npz = release_data::Npz::open("TSmodel_lr0.1n0.1bs16.npz")?;
//! let w = npz.array("W")?;                    // shape [3000, 6, 2, 2]
//! let bs = npz.i64_scalar("batch_size")?;     // 16
//! # Ok::<(), release_data::ReleaseError>(())
//! ```

#![forbid(unsafe_code)]

pub mod ensemble;
mod error;
pub mod limits;
mod npy;
pub mod table;
pub mod ts;
pub mod write;
mod zip;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use error::ReleaseError;

/// The values of an array, in C (row-major) order.
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    /// Floating-point data (`f8`, or `f4` widened).
    F64(Vec<f64>),
    /// Integer or boolean data (`i1`-`i8`, `u1`-`u8`, `b1`).
    I64(Vec<i64>),
}

/// A decoded `.npy` array.
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    /// The shape (empty for a 0-d scalar).
    pub shape: Vec<usize>,
    /// The values in C order (Fortran-ordered files are transposed on reading).
    pub data: Data,
    /// The numpy dtype string as stored, e.g. `<f8`.
    pub descr: String,
    /// Whether the file stored the data in Fortran order.
    pub fortran_order: bool,
}

impl Array {
    /// Number of elements.
    pub fn len(&self) -> usize {
        match &self.data {
            Data::F64(v) => v.len(),
            Data::I64(v) => v.len(),
        }
    }

    /// True if the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The floating-point values, if the array is floating point.
    pub fn as_f64(&self) -> Option<&[f64]> {
        match &self.data {
            Data::F64(v) => Some(v),
            Data::I64(_) => None,
        }
    }

    /// The integer values, if the array is integer.
    pub fn as_i64(&self) -> Option<&[i64]> {
        match &self.data {
            Data::I64(v) => Some(v),
            Data::F64(_) => None,
        }
    }

    /// The values as f64 in C order (integers converted; exact up to 2^53).
    pub fn to_f64_vec(&self) -> Vec<f64> {
        match &self.data {
            Data::F64(v) => v.clone(),
            Data::I64(v) => v.iter().map(|&x| x as f64).collect(),
        }
    }

    /// The values as f64 in C order, without a copy of floating-point data.
    pub fn into_f64_vec(self) -> Vec<f64> {
        match self.data {
            Data::F64(v) => v,
            Data::I64(v) => v.iter().map(|&x| x as f64).collect(),
        }
    }

    /// True for floating-point arrays.
    pub fn is_float(&self) -> bool {
        matches!(self.data, Data::F64(_))
    }

    /// Element at a multi-index (C order), as f64.
    pub fn get(&self, index: &[usize]) -> Option<f64> {
        if index.len() != self.shape.len() {
            return None;
        }
        let mut flat = 0usize;
        for (i, d) in index.iter().zip(&self.shape) {
            if i >= d {
                return None;
            }
            flat = flat * d + i;
        }
        match &self.data {
            Data::F64(v) => v.get(flat).copied(),
            Data::I64(v) => v.get(flat).map(|&x| x as f64),
        }
    }
}

/// Reads a stand-alone `.npy` file.
pub fn read_npy(path: impl AsRef<Path>) -> Result<Array, ReleaseError> {
    let path = path.as_ref().to_path_buf();
    let bytes = limits::read_file(&path)?;
    npy_from_bytes(path, &bytes)
}

/// Decodes an in-memory `.npy` file; `label` names it in error messages.
pub fn npy_from_bytes(label: impl Into<PathBuf>, bytes: &[u8]) -> Result<Array, ReleaseError> {
    npy::decode(bytes).map_err(|reason| ReleaseError::NpyFile {
        path: label.into(),
        reason: if bytes.is_empty() {
            "the file is empty".to_string()
        } else {
            reason
        },
    })
}

/// An opened `.npz` file: the bytes and its member directory.
#[derive(Clone, Debug)]
pub struct Npz {
    path: PathBuf,
    bytes: Vec<u8>,
    members: BTreeMap<String, zip::Entry>,
}

impl Npz {
    /// Reads and indexes `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, ReleaseError> {
        let path = path.as_ref().to_path_buf();
        let bytes = limits::read_file(&path)?;
        Self::from_bytes(path, bytes)
    }

    /// Indexes an in-memory archive; `label` names it in error messages.
    pub fn from_bytes(label: impl Into<PathBuf>, bytes: Vec<u8>) -> Result<Self, ReleaseError> {
        let path = label.into();
        let entries = zip::entries(&bytes).map_err(|reason| ReleaseError::Zip {
            path: path.clone(),
            reason,
        })?;
        let mut members = BTreeMap::new();
        for e in entries {
            if members.contains_key(&e.name) {
                return Err(ReleaseError::Zip {
                    path,
                    reason: format!("member '{}' appears twice", e.name),
                });
            }
            members.insert(e.name.clone(), e);
        }
        Ok(Self {
            path,
            bytes,
            members,
        })
    }

    /// The file this archive came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The array names (member names without `.npy`), sorted.
    pub fn keys(&self) -> Vec<String> {
        self.members
            .keys()
            .map(|k| k.strip_suffix(".npy").unwrap_or(k).to_string())
            .collect()
    }

    /// Decodes array `key` (member `key.npy`, or `key` itself).
    pub fn array(&self, key: &str) -> Result<Array, ReleaseError> {
        let member = format!("{key}.npy");
        let entry = self
            .members
            .get(&member)
            .or_else(|| self.members.get(key))
            .ok_or_else(|| ReleaseError::Missing {
                path: self.path.clone(),
                key: key.to_string(),
                available: self.keys().join(", "),
            })?;
        let zip_err = |reason| ReleaseError::Zip {
            path: self.path.clone(),
            reason,
        };
        // What the .npy header declares is checked before the member is inflated.
        let head = zip::read_prefix(&self.bytes, entry, 1 << 20).map_err(zip_err)?;
        npy::precheck(&head, entry.size).map_err(|reason| ReleaseError::Npy {
            path: self.path.clone(),
            member: entry.name.clone(),
            reason,
        })?;
        drop(head);
        let raw = zip::read_entry(&self.bytes, entry).map_err(zip_err)?;
        npy::decode(&raw).map_err(|reason| ReleaseError::Npy {
            path: self.path.clone(),
            member: entry.name.clone(),
            reason,
        })
    }

    fn type_err(&self, key: &str, reason: String) -> ReleaseError {
        ReleaseError::Type {
            path: self.path.clone(),
            key: key.to_string(),
            reason,
        }
    }

    /// A floating-point array (shape, C-order values); integer arrays are an error.
    pub fn f64_array(&self, key: &str) -> Result<(Vec<usize>, Vec<f64>), ReleaseError> {
        let a = self.array(key)?;
        match a.data {
            Data::F64(v) => Ok((a.shape, v)),
            Data::I64(_) => Err(self.type_err(
                key,
                format!("expected a floating-point array, found dtype '{}'", a.descr),
            )),
        }
    }

    /// A 0-d (or one-element) integer scalar.
    pub fn i64_scalar(&self, key: &str) -> Result<i64, ReleaseError> {
        let a = self.array(key)?;
        match (&a.data, a.len()) {
            (Data::I64(v), 1) => Ok(v[0]),
            (Data::I64(_), n) => {
                Err(self.type_err(key, format!("expected a scalar, found {n} values")))
            }
            (Data::F64(_), _) => Err(self.type_err(
                key,
                format!("expected an integer, found dtype '{}'", a.descr),
            )),
        }
    }

    /// A 0-d (or one-element) scalar as f64 (integers are converted).
    pub fn f64_scalar(&self, key: &str) -> Result<f64, ReleaseError> {
        let a = self.array(key)?;
        if a.len() != 1 {
            return Err(self.type_err(key, format!("expected a scalar, found {} values", a.len())));
        }
        Ok(match a.data {
            Data::F64(v) => v[0],
            Data::I64(v) => v[0] as f64,
        })
    }
}
