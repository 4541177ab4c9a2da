//! `rmt_sgd._rmt_sgd`: the native half of the Python package `rmt_sgd` (the Python half, in
//! `python/rmt_sgd`, holds the documented API, the argument checks that are Python's business and
//! the recorder).
//!
//! Nothing here computes statistics: arrays become ensembles through
//! `release_data::ensemble::from_array` (the code `rmt-sgd analyze` reads files with), the
//! analysis is `figures::analyze` (the CLI's), the laws are `coulomb_gas`'s (`rmt-sgd density`'s).
//! Results cross as the CLI's JSON text (serde_json, shortest round-trip floats), so a Python dict
//! holds the CLI's numbers to the last bit. Every call releases the GIL while it computes; errors
//! become `ValueError` with the CLI's message and a panic becomes `RuntimeError`, never an abort.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use coulomb_gas::{Density1D, Hoyt, PairDensity, Surmise, TwoSpecies, UnitSurmise};
use figures::analyze::{analyse_ensemble_of, check, scaling_of, AnalyzeOptions};
use numpy::{PyArray1, PyReadonlyArrayDyn};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use release_data::ensemble::{
    self as input, from_array, parse_axis_or_none, Ensemble, InputKind, ReadOptions, Scalars,
    Spectrum,
};

/// The CLI's one-line error message (`rmt-sgd` prints `error: ` and this).
fn message(e: &anyhow::Error) -> String {
    format!("{e:#}").replace('\n', " ")
}

/// Runs `f` with the GIL released: an error becomes `ValueError`, a panic `RuntimeError`.
fn run<T: Send>(py: Python<'_>, f: impl FnOnce() -> anyhow::Result<T> + Send) -> PyResult<T> {
    match py.detach(|| catch_unwind(AssertUnwindSafe(f))) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(PyValueError::new_err(message(&e))),
        Err(p) => {
            let what = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".into());
            Err(PyRuntimeError::new_err(format!(
                "internal error in rmt-sgd (please report it): {what}"
            )))
        }
    }
}

/// One input, owned, so that the work can run without the GIL.
enum Source {
    /// A file, read as `rmt-sgd analyze FILE` reads it.
    File(PathBuf),
    /// A C-ordered float64 array named `name` (in messages and in the bootstrap streams).
    Array {
        name: String,
        shape: Vec<usize>,
        data: Vec<f64>,
    },
}

/// One run as the Python half passes it: a file path or an array, a name and its scalars
/// (`None`: the file's, or none).
type RunArg<'py> = (
    Option<PathBuf>,
    Option<PyReadonlyArrayDyn<'py, f64>>,
    String,
    Option<f64>,
    Option<f64>,
    Option<f64>,
);

struct Run {
    source: Source,
    scalars: Scalars,
}

fn own(runs: Vec<RunArg<'_>>) -> PyResult<Vec<Run>> {
    runs.into_iter()
        .map(|(path, array, name, lr, batch, noise)| {
            let source = match (path, array) {
                (Some(p), None) => Source::File(p),
                (None, Some(a)) => {
                    let v = a.as_array();
                    Source::Array {
                        name,
                        shape: v.shape().to_vec(),
                        // Logical (C) order whatever the strides.
                        data: v.iter().copied().collect(),
                    }
                }
                _ => return Err(PyValueError::new_err("a run is a file path or an array")),
            };
            Ok(Run {
                source,
                scalars: Scalars { lr, batch, noise },
            })
        })
        .collect()
}

fn ensemble(r: &Run, o: &ReadOptions) -> anyhow::Result<Ensemble> {
    let mut e = match &r.source {
        Source::File(p) => input::read(p, o)?,
        Source::Array { name, shape, data } => from_array(
            std::path::Path::new(name),
            "the array",
            shape.clone(),
            data,
            o.kind,
            r.scalars,
            o,
        )?,
    };
    // Scalars given with a file take the place of the file's.
    if let Source::File(_) = r.source {
        e.lr = r.scalars.lr.or(e.lr);
        e.batch = r.scalars.batch.or(e.batch);
        e.noise = r.scalars.noise.or(e.noise);
    }
    Ok(e)
}

/// The analysis options, parsed and checked as the CLI parses and checks its flags.
#[allow(clippy::too_many_arguments)]
fn options(
    key: String,
    input: &str,
    ensemble_axis: Option<usize>,
    snapshot_axis: Option<&str>,
    snapshot: String,
    spectrum: &str,
    targets: Option<Vec<f64>>,
    sigma0: Option<f64>,
    bootstrap: usize,
    seed: u64,
    bootstrap_label: String,
    lr: Option<Vec<f64>>,
    batch: Option<Vec<f64>>,
    keep_outliers: bool,
) -> anyhow::Result<AnalyzeOptions> {
    let kind: InputKind = input.parse().map_err(|e| anyhow::anyhow!("--input {e}"))?;
    let spectrum: Spectrum = spectrum
        .parse()
        .map_err(|e| anyhow::anyhow!("--spectrum {e}"))?;
    let snapshot_axis = match snapshot_axis {
        Some(s) => Some(parse_axis_or_none(s).map_err(|e| anyhow::anyhow!("--snapshot-axis {e}"))?),
        None => None,
    };
    Ok(AnalyzeOptions {
        read: ReadOptions {
            key,
            kind,
            matrix: None,
            ensemble_axis,
            snapshot_axis,
            snapshot,
            spectrum,
        },
        targets,
        sigma0,
        bootstrap,
        seed,
        bootstrap_label,
        lr,
        batch,
        plots: None,
        keep_outliers,
    })
}

/// `rmt-sgd analyze` (one run) or `rmt-sgd analyze --scaling` (several): the CLI's JSON text.
#[pyfunction]
#[pyo3(signature = (runs, scaling, key, input, ensemble_axis, snapshot_axis, snapshot, spectrum,
    targets, sigma0, bootstrap, seed, bootstrap_label, lr, batch, keep_outliers))]
#[allow(clippy::too_many_arguments)]
fn analyze_json(
    py: Python<'_>,
    runs: Vec<RunArg<'_>>,
    scaling: bool,
    key: String,
    input: String,
    ensemble_axis: Option<usize>,
    snapshot_axis: Option<String>,
    snapshot: String,
    spectrum: String,
    targets: Option<Vec<f64>>,
    sigma0: Option<f64>,
    bootstrap: usize,
    seed: u64,
    bootstrap_label: String,
    lr: Option<Vec<f64>>,
    batch: Option<Vec<f64>>,
    keep_outliers: bool,
) -> PyResult<String> {
    let runs = own(runs)?;
    run(py, move || {
        let o = options(
            key,
            &input,
            ensemble_axis,
            snapshot_axis.as_deref(),
            snapshot,
            &spectrum,
            targets,
            sigma0,
            bootstrap,
            seed,
            bootstrap_label,
            lr,
            batch,
            keep_outliers,
        )?;
        // The options' errors first, as in the CLI.
        check(&o, runs.len(), scaling)?;
        let ensembles: Vec<Ensemble> = runs
            .iter()
            .map(|r| ensemble(r, &o.read))
            .collect::<anyhow::Result<_>>()?;
        let v = if scaling {
            serde_json::to_string(&scaling_of(&ensembles, &o)?)?
        } else {
            serde_json::to_string(&analyse_ensemble_of(&ensembles[0], &o)?)?
        };
        Ok(v)
    })
}

/// The law `name` with its parameters, validated by its constructor (the CLI's messages).
#[allow(clippy::too_many_arguments)]
fn law(
    name: &str,
    centre: Option<f64>,
    sigma: Option<f64>,
    sigma1: Option<f64>,
    sigma2: Option<f64>,
    sigma_m: Option<f64>,
    sigma_u: Option<f64>,
    sigma_v: Option<f64>,
) -> anyhow::Result<Box<dyn Density1D + Send>> {
    let need = |v: Option<f64>, p: &str| {
        v.ok_or_else(|| anyhow::anyhow!("{name}: the parameter '{p}' is required"))
    };
    Ok(match name {
        "pair" => Box::new(PairDensity::new(
            need(centre, "centre")?,
            need(sigma, "sigma")?,
        )?),
        "two-species" => Box::new(TwoSpecies::new(
            need(centre, "centre")?,
            need(sigma1, "sigma1")?,
            need(sigma2, "sigma2")?,
        )?),
        "surmise" => Box::new(Surmise::new(need(sigma_m, "sigma_m")?)?),
        "surmise-unit" => Box::new(UnitSurmise),
        "hoyt" => Box::new(Hoyt::new(
            need(sigma_u, "sigma_u")?,
            need(sigma_v, "sigma_v")?,
        )?),
        _ => anyhow::bail!(
            "unknown law '{name}': expected pair, two-species, surmise, surmise-unit or hoyt"
        ),
    })
}

/// `rmt-sgd density LAW`: ρ(x) (`cdf` false) or F(x) (`cdf` true) at every x.
#[pyfunction]
#[pyo3(signature = (name, cdf, x, centre=None, sigma=None, sigma1=None, sigma2=None, sigma_m=None, sigma_u=None, sigma_v=None))]
#[allow(clippy::too_many_arguments)]
fn density<'py>(
    py: Python<'py>,
    name: String,
    cdf: bool,
    x: PyReadonlyArrayDyn<'py, f64>,
    centre: Option<f64>,
    sigma: Option<f64>,
    sigma1: Option<f64>,
    sigma2: Option<f64>,
    sigma_m: Option<f64>,
    sigma_u: Option<f64>,
    sigma_v: Option<f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let xs: Vec<f64> = x.as_array().iter().copied().collect();
    let v = run(py, move || {
        let l = law(
            &name, centre, sigma, sigma1, sigma2, sigma_m, sigma_u, sigma_v,
        )?;
        Ok(xs
            .iter()
            .map(|&x| if cdf { l.cdf(x) } else { l.pdf(x) })
            .collect::<Vec<f64>>())
    })?;
    Ok(PyArray1::from_vec(py, v))
}

/// The native module.
#[pymodule]
fn _rmt_sgd(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(analyze_json, m)?)?;
    m.add_function(wrap_pyfunction!(density, m)?)?;
    Ok(())
}
