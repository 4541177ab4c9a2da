//! Ensembles of independent Dyson-Brownian-motion chains, run in parallel and collected in
//! order so that results are identical for any number of threads.

use crate::dyson::{Dyson, ImplicitWorkspace, Scheme};
use crate::error::CoreError;
use crate::matrix_ou::MatrixOu;
use crate::potential::{Potential, Quadratic};
use crate::seed::{stream, Stream};
use crate::stationary::gaussian_width;
use rand_distr::{Distribution, StandardNormal};

/// Purpose string of the per-chain streams: chain k uses `stream(seed, CHAIN_PURPOSE, k)`.
pub const CHAIN_PURPOSE: &str = "dbm/chain";

/// What to run: `chains` independent chains of `steps` iterations each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EnsembleSpec {
    /// Number of independent chains.
    pub chains: usize,
    /// Iterations of Eq 5 per chain.
    pub steps: usize,
    /// Base seed.
    pub seed: u64,
    /// Discretisation.
    pub scheme: Scheme,
}

/// The starting point of chain k in a quadratic potential: `x_i = c_i + s_k σ_i (i − (N−1)/2)`
/// with σ_i from Eq 9 and `s_k = +1` for even k, `−1` for odd k, so that for two species
/// both orderings are populated equally (Eq 32 is the law of that ensemble, not of one
/// ordering sector: the eigenvalues never cross).
// ANCHOR: initial_state
pub fn initial_state(dyson: &Dyson<Quadratic>, chain: usize) -> Result<Vec<f64>, CoreError> {
    let pot = dyson.potential();
    let n = dyson.n();
    let sign = if chain.is_multiple_of(2) { 1.0 } else { -1.0 };
    let x: Vec<f64> = (0..n)
        .map(|i| {
            let s = gaussian_width(dyson.alpha(), dyson.batch(), dyson.g2()[i], pot.omega[i]);
            pot.centre[i] + sign * s * (i as f64 - 0.5 * (n as f64 - 1.0))
        })
        .collect();
    let mut sorted = x.clone();
    sorted.sort_by(f64::total_cmp);
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err(CoreError::Invalid(
            "two particles start at the same point: give the centres distinct values".into(),
        ));
    }
    Ok(x)
}
// ANCHOR_END: initial_state

/// Runs one chain of Eq 5 from `x0` for `steps` iterations with the explicit or implicit
/// scheme; returns the final state in particle order.
// ANCHOR: langevin_chain
pub fn run_langevin_chain<P: Potential>(
    dyson: &Dyson<P>,
    scheme: Scheme,
    x0: &[f64],
    steps: usize,
    rng: &mut Stream,
) -> Result<Vec<f64>, CoreError> {
    let n = dyson.n();
    if x0.len() != n {
        return Err(CoreError::Shape(format!(
            "{} initial values for {n} particles",
            x0.len()
        )));
    }
    let mut x = x0.to_vec();
    let mut y = vec![0.0; n];
    let mut eta = vec![0.0; n];
    let mut ws = ImplicitWorkspace::new(n);
    for _ in 0..steps {
        for e in eta.iter_mut() {
            *e = StandardNormal.sample(rng);
        }
        match scheme {
            Scheme::Explicit => dyson.step_explicit(&x, &eta, &mut y),
            Scheme::Implicit => {
                dyson.step_implicit(&x, &eta, &mut y, &mut ws)?;
            }
            Scheme::MatrixOu => {
                return Err(CoreError::Invalid(
                    "matrix-ou is not a Langevin step; use run_matrix_ou_chain".into(),
                ))
            }
        }
        std::mem::swap(&mut x, &mut y);
    }
    if x.iter().any(|v| !v.is_finite()) {
        return Err(CoreError::Divergence(format!(
            "the {scheme} chain reached a non-finite state"
        )));
    }
    Ok(x)
}
// ANCHOR_END: langevin_chain

/// Runs one exact matrix-OU chain; returns the final eigenvalues ascending.
pub fn run_matrix_ou_chain(ou: &MatrixOu, x0: &[f64], steps: usize, rng: &mut Stream) -> Vec<f64> {
    let mut h = ou.state_from_eigenvalues(x0);
    for _ in 0..steps {
        ou.step(&mut h, rng);
    }
    ou.eigenvalues(&h)
}

/// The matrix-OU process equivalent to `dyson`, or an error if the species are not identical.
pub fn matrix_ou_for(dyson: &Dyson<Quadratic>) -> Result<MatrixOu, CoreError> {
    let pot = dyson.potential();
    let same = |v: &[f64]| v.iter().all(|&a| a == v[0]);
    if !(same(dyson.g2()) && same(&pot.omega) && same(&pot.centre)) {
        return Err(CoreError::Invalid(
            "matrix-ou needs identical species: one value each of g2, omega and centre".into(),
        ));
    }
    MatrixOu::new(
        dyson.n(),
        dyson.alpha(),
        dyson.batch(),
        dyson.g2()[0],
        pot.omega[0],
        pot.centre[0],
    )
}

/// Runs `spec.chains` independent chains in parallel; chain k draws from
/// `stream(spec.seed, CHAIN_PURPOSE, k)` and starts at [`initial_state`]. The result (final
/// states, in particle order; ascending for matrix-ou) is identical for any thread count.
pub fn run_ensemble(
    dyson: &Dyson<Quadratic>,
    spec: &EnsembleSpec,
) -> Result<Vec<Vec<f64>>, CoreError> {
    let ou = Chains::new(dyson, spec)?;
    crate::ordered::try_par_map(spec.chains as u64, |k| ou.chain(k))
}

/// The chains of an ensemble, one at a time: what [`run_ensemble`] and `rmt-sgd dbm` (which
/// journals and shards them) both run.
pub struct Chains<'a> {
    dyson: &'a Dyson<Quadratic>,
    spec: EnsembleSpec,
    ou: Option<MatrixOu>,
}

impl<'a> Chains<'a> {
    /// The chains of `spec` (the matrix-OU process built once when asked for).
    pub fn new(dyson: &'a Dyson<Quadratic>, spec: &EnsembleSpec) -> Result<Self, CoreError> {
        let ou = match spec.scheme {
            Scheme::MatrixOu => Some(matrix_ou_for(dyson)?),
            _ => None,
        };
        Ok(Self {
            dyson,
            spec: *spec,
            ou,
        })
    }

    /// Chain k: draws from `stream(seed, CHAIN_PURPOSE, k)`, starts at [`initial_state`];
    /// the final state in particle order (ascending for matrix-ou).
    pub fn chain(&self, k: u64) -> Result<Vec<f64>, CoreError> {
        let mut rng = stream(self.spec.seed, CHAIN_PURPOSE, k);
        let x0 = initial_state(self.dyson, k as usize)?;
        match &self.ou {
            Some(ou) => Ok(run_matrix_ou_chain(ou, &x0, self.spec.steps, &mut rng)),
            None => {
                run_langevin_chain(self.dyson, self.spec.scheme, &x0, self.spec.steps, &mut rng)
            }
        }
    }
}
