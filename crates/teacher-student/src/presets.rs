//! The three configurations used by the figures and the CLI: the released model of the
//! companion paper (Z = 1) and the hidden-layer models of Figs 4-5 with Z of Eqs (26), (27).
//!
//! Choices the paper leaves open (authors-protocol §1(b), "LATTICE Z-model"): the Z models use the
//! released code's protocol with the update multiplied by ZᵀZ — α = 0.1, |B| = 16, 500 minibatches
//! per epoch in fixed order over a quenched data set of x ~ N(0, 1), W_t = 2·1 (κ = 4 in x =
//! ξ²), GOE-like per-datum noise of strength 0.1 (`N(0, 0.01)` read as a variance) — with the
//! noise of Eq (28) drawn afresh at every step, and the student initialised with unit-variance
//! entries as §4.2 states ("Initialising W_s from a normal distribution with variance 1").

use serde::{Deserialize, Serialize};

use crate::error::TsError;
use crate::sim::{Hyper, Inputs, Mat, NoiseDraw, NoiseKind, Run, Teacher};

/// Z of Eq. (26) of the paper, row-major.
///
/// ```text
/// Z = ( −0.1727  −0.8341 )      ZᵀZ = ( 0.0299  0.1522 )
///     ( −0.0106  −0.7750 )            ( 0.1522  1.2964 )
/// ```
// ANCHOR: eq26
pub const Z_EQ26: [f64; 4] = [-0.1727, -0.8341, -0.0106, -0.7750];
// ANCHOR_END: eq26

/// Z of Eq. (27) of the paper, row-major.
///
/// ```text
/// Z = ( −1.8198   0.5861 )      ZᵀZ = (  3.7437  −1.0977 )
///     ( −0.6574   0.0473 )            ( −1.0977   0.3458 )
/// ```
// ANCHOR: eq27
pub const Z_EQ27: [f64; 4] = [-1.8198, 0.5861, -0.6574, 0.0473];
// ANCHOR_END: eq27

/// The teacher's doubly degenerate singular value √κ (W_t = 2·1, κ = 4 in x = ξ²).
pub const TEACHER_XI: f64 = 2.0;

/// A named configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// The companion paper's released model (`check_mp_ts.py`): Z = 1, quenched noise.
    Released,
    /// Z of Eq (26).
    Z26,
    /// Z of Eq (27).
    Z27,
}

impl Model {
    /// All models.
    pub const ALL: [Model; 3] = [Model::Released, Model::Z26, Model::Z27];

    /// `"released"`, `"z26"`, `"z27"`.
    pub fn name(self) -> &'static str {
        match self {
            Model::Released => "released",
            Model::Z26 => "z26",
            Model::Z27 => "z27",
        }
    }

    /// Z (2×2).
    pub fn z(self) -> Mat<2, 2> {
        match self {
            Model::Released => Mat::<2, 2>::identity(),
            Model::Z26 => Mat::<2, 2>::from_row_slice(&Z_EQ26),
            Model::Z27 => Mat::<2, 2>::from_row_slice(&Z_EQ27),
        }
    }

    /// The teacher: ZᵀZ and W_t = 2·1.
    pub fn teacher(self) -> Teacher<2, 2> {
        let wt = Mat::<2, 2>::identity() * TEACHER_XI;
        match self {
            Model::Released => Teacher::identity_z(wt),
            _ => Teacher::new(&self.z(), &wt),
        }
        .expect("the preset matrices are finite and ZᵀZ is symmetric")
    }

    /// The model's protocol with the given α, noise and |B| (500 batches/epoch, 10 epochs).
    pub fn hyper(self, lr: f64, noise: f64, batch: usize) -> Hyper {
        let (noise_draw, init_std) = match self {
            Model::Released => (NoiseDraw::Quenched, 0.1),
            Model::Z26 | Model::Z27 => (NoiseDraw::Fresh, 1.0),
        };
        Hyper {
            lr,
            batch,
            batches_per_epoch: 500,
            epochs: 10,
            noise,
            noise_kind: NoiseKind::Goe,
            noise_draw,
            inputs: Inputs::Quenched,
            init_std,
        }
    }

    /// The default hyperparameters: α = 0.1, noise = 0.1, |B| = 16.
    pub fn default_hyper(self) -> Hyper {
        self.hyper(0.1, 0.1, 16)
    }

    /// The stream purpose `ts/<model>/lr=<α>/noise=<noise>/bs=<|B|>/run=<run>` (epochs are left
    /// out, so a longer run continues the same trajectories).
    pub fn purpose(self, hyper: &Hyper, run: u64) -> String {
        format!(
            "ts/{}/lr={}/noise={}/bs={}/run={run}",
            self.name(),
            hyper.lr,
            hyper.noise,
            hyper.batch
        )
    }

    /// A run of this model (draws the quenched inputs of run number `run`).
    pub fn run(self, hyper: Hyper, base: u64, run: u64) -> Result<Run<2, 2>, TsError> {
        Run::new(self.teacher(), hyper, base, self.purpose(&hyper, run))
    }
}

impl std::str::FromStr for Model {
    type Err = TsError;
    fn from_str(s: &str) -> Result<Self, TsError> {
        Model::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| {
                TsError::Invalid(format!(
                    "unknown model '{s}': expected one of released, z26, z27"
                ))
            })
    }
}

impl std::fmt::Display for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The printed ZᵀZ of Eqs (26), (27) agree with the printed Z to the rounding of Z.
    #[test]
    fn printed_gram_matrices() {
        let g26 = Model::Z26.teacher().gram().to_owned();
        let want26 = [0.0299, 0.1522, 0.1522, 1.2964];
        let g27 = Model::Z27.teacher().gram().to_owned();
        let want27 = [3.7437, -1.0977, -1.0977, 0.3458];
        for k in 0..4 {
            assert!((g26[(k / 2, k % 2)] - want26[k]).abs() < 1e-4);
            // (1,1) of Eq 27 is 3.74385 from the printed Z (math-notes §1).
            assert!((g27[(k / 2, k % 2)] - want27[k]).abs() < 2e-4);
        }
        assert_eq!("z27".parse::<Model>().unwrap(), Model::Z27);
        assert!("z28".parse::<Model>().is_err());
        let h = Model::Released.default_hyper();
        assert_eq!(
            Model::Released.purpose(&h, 0),
            "ts/released/lr=0.1/noise=0.1/bs=16/run=0"
        );
    }
}
