//! The teacher-student files of the release (`data/TSmodel/{ns,lr,bs}/...`) and where to find them.

use std::path::{Path, PathBuf};

use crate::{Npz, ReleaseError};

/// The authors' per-file numbers (σ, ⟨S⟩, bins) of the 16 files, computed by running their
/// procedure with numpy/scipy (`scripts/authors_ts_analysis.py`, an independent re-implementation
/// of the TS notebook's analysis), in the order of [`released_configs`].
pub const AUTHORS_NUMBERS_JSON: &str = include_str!("../data/authors_ts_numbers.json");

/// The environment variable naming the reference-data directory.
pub const ENV_VAR: &str = "RMT_SGD_REFERENCE_DATA";

/// The reference-data directory: `$RMT_SGD_REFERENCE_DATA` if set, otherwise
/// `<workspace_root>/../shared/reference-data`.
pub fn reference_dir(workspace_root: &Path) -> PathBuf {
    match std::env::var_os(ENV_VAR) {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => workspace_root
            .join("..")
            .join("shared")
            .join("reference-data"),
    }
}

/// `Ok` when the released files are in `dir` (the first one is looked for); otherwise the
/// one-line explanation of how to get them, for the figures and tests that need them.
pub fn available(dir: &Path) -> Result<(), String> {
    let first = released_configs()[0].path(dir);
    if first.is_file() {
        return Ok(());
    }
    Err(format!(
        "the authors' released files are not in {} ({} is missing): get them with \
         `scripts/fetch-reference-data.sh DIR` and set {ENV_VAR}=DIR",
        dir.display(),
        first.display()
    ))
}

/// The scan a released file belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Series {
    /// Noise scan at α = 0.1, |B| = 16 (`ns/`).
    Ns,
    /// Learning-rate scan at noise 0.1, |B| = 16 (`lr/`).
    Lr,
    /// Batch-size scan at α = 0.1, noise 0.1 (`bs/`).
    Bs,
}

impl Series {
    /// The folder name.
    pub fn folder(self) -> &'static str {
        match self {
            Series::Ns => "ns",
            Series::Lr => "lr",
            Series::Bs => "bs",
        }
    }
}

/// One released configuration.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReleasedConfig {
    /// The scan.
    pub series: Series,
    /// Learning rate α.
    pub lr: f64,
    /// Noise strength.
    pub noise: f64,
    /// Batch size |B|.
    pub batch: usize,
}

impl ReleasedConfig {
    /// `TSmodel_lr<α>n<noise>bs<|B|>`, as in the release.
    pub fn stem(&self) -> String {
        format!("TSmodel_lr{}n{}bs{}", self.lr, self.noise, self.batch)
    }

    /// `<dir>/TSmodel/<series>/<stem>/<stem>.npz`.
    pub fn path(&self, dir: &Path) -> PathBuf {
        let s = self.stem();
        dir.join("TSmodel")
            .join(self.series.folder())
            .join(&s)
            .join(format!("{s}.npz"))
    }
}

/// The 16 released files in the notebook's order: noise scan (6), learning-rate scan (5),
/// batch-size scan (5). The α = 0.1, noise 0.1, |B| = 16 file appears in all three.
pub fn released_configs() -> Vec<ReleasedConfig> {
    let mut v = Vec::new();
    for n in [0.05, 0.06, 0.07, 0.08, 0.09, 0.1] {
        v.push(ReleasedConfig {
            series: Series::Ns,
            lr: 0.1,
            noise: n,
            batch: 16,
        });
    }
    for lr in [0.1, 0.2, 0.3, 0.4, 0.5] {
        v.push(ReleasedConfig {
            series: Series::Lr,
            lr,
            noise: 0.1,
            batch: 16,
        });
    }
    for bs in [4, 8, 16, 32, 64] {
        v.push(ReleasedConfig {
            series: Series::Bs,
            lr: 0.1,
            noise: 0.1,
            batch: bs,
        });
    }
    v
}

/// A released run: its scalars and the student weights W of shape (seeds, snapshots, 2, 2).
#[derive(Clone, Debug, PartialEq)]
pub struct ReleasedRun {
    /// α as stored.
    pub lr: f64,
    /// Noise as stored.
    pub noise: f64,
    /// |B| as stored (an integer).
    pub batch_size: i64,
    /// Epochs as stored.
    pub epochs: i64,
    /// Snapshot interval as stored.
    pub save_int: i64,
    /// Shape of W.
    pub shape: Vec<usize>,
    /// W in C order.
    pub w: Vec<f64>,
}

impl ReleasedRun {
    /// Reads the scalars and W of a released file, checking that W is (seeds, snapshots, 2, 2).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, ReleaseError> {
        let npz = Npz::open(path)?;
        let (shape, w) = npz.f64_array("W")?;
        if shape.len() != 4 || shape[2] != 2 || shape[3] != 2 || shape[0] == 0 || shape[1] == 0 {
            return Err(ReleaseError::Type {
                path: npz.path().to_path_buf(),
                key: "W".into(),
                reason: format!("expected shape (seeds, snapshots, 2, 2), found {shape:?}"),
            });
        }
        Ok(Self {
            lr: npz.f64_scalar("lr")?,
            noise: npz.f64_scalar("noise")?,
            batch_size: npz.i64_scalar("batch_size")?,
            epochs: npz.i64_scalar("epochs")?,
            save_int: npz.i64_scalar("save_int")?,
            shape,
            w,
        })
    }

    /// Number of seeds.
    pub fn seeds(&self) -> usize {
        self.shape[0]
    }

    /// Number of snapshots.
    pub fn snapshots(&self) -> usize {
        self.shape[1]
    }

    /// W of seed `s` at snapshot `k` as `[w00, w01, w10, w11]`.
    pub fn weights(&self, s: usize, k: usize) -> [f64; 4] {
        let o = (s * self.shape[1] + k) * 4;
        [self.w[o], self.w[o + 1], self.w[o + 2], self.w[o + 3]]
    }

    /// The final-snapshot weights of every seed.
    pub fn final_weights(&self) -> Vec<[f64; 4]> {
        let last = self.snapshots() - 1;
        (0..self.seeds()).map(|s| self.weights(s, last)).collect()
    }
}
