"""Random-matrix analysis of SGD-trained weight ensembles, from Python.

The analysis of ``rmt-sgd analyze`` on numpy arrays (or anything with ``__array__``, e.g. a
PyTorch tensor on the CPU) and on ``.npz``/``.npy``/CSV files, and the closed-form laws of
``rmt-sgd density``. Everything is computed by the same Rust library as the command-line tool:
the same input gives the same numbers, to the last bit, as the CLI's JSON. Bad input raises
``ValueError`` with the CLI's message; the GIL is released while computing.

>>> import numpy as np, rmt_sgd
>>> W = np.random.default_rng(0).normal(size=(40, 2, 2))   # 40 networks, one 2x2 matrix each
>>> report = rmt_sgd.analyze(W, bootstrap=0)
>>> report["samples"], [p["levels"] for p in report["peaks"]][:1]
(40, [[0, 1]])
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

import numpy as np

from . import _rmt_sgd

__all__ = ["analyze", "analyze_scaling", "pdf", "cdf", "Recorder", "DEFAULT_SEED", "LAWS"]

#: The CLI's default ``--seed`` of the bootstrap (``rmt-sgd analyze --seed``).
DEFAULT_SEED = 20240814

#: The laws :func:`pdf` and :func:`cdf` evaluate, with their parameters.
LAWS = {
    "pair": ("centre", "sigma"),
    "two-species": ("centre", "sigma1", "sigma2"),
    "surmise": ("sigma_m",),
    "surmise-unit": (),
    "hoyt": ("sigma_u", "sigma_v"),
}

PathLike = Union[str, "os.PathLike[str]"]


def _is_path(x: Any) -> bool:
    return isinstance(x, (str, bytes, os.PathLike))


def _as_array(weights: Any) -> np.ndarray:
    """A C-ordered float64 copy of ``weights`` (numpy, PyTorch tensors, anything with ``__array__``)."""
    if hasattr(weights, "detach") and callable(weights.detach):  # a PyTorch tensor
        weights = weights.detach()
        if hasattr(weights, "cpu"):
            weights = weights.cpu()
    try:
        a = np.asarray(weights)
    except Exception as e:  # noqa: BLE001 - any conversion failure is bad input
        raise ValueError(f"cannot read the weights as an array: {e}") from e
    if a.dtype == object or not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)):
        raise ValueError(
            f"the array has dtype '{a.dtype}': expected a floating-point or integer array"
        )
    return np.ascontiguousarray(a, dtype=np.float64)


def _count(name: str, v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
        raise ValueError(f"--{name} {v!r}: expected an integer >= 0")
    return int(v)


def _optional_float(name: str, v: Any) -> Optional[float]:
    if v is None:
        return None
    try:
        return float(v)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{name} {v!r} is not a number") from e


def _floats(name: str, v: Any) -> Optional[List[float]]:
    if v is None:
        return None
    try:
        return [float(t) for t in np.atleast_1d(np.asarray(v, dtype=np.float64)).ravel()]
    except (TypeError, ValueError) as e:
        raise ValueError(f"--{name}: {v!r} is not a list of numbers") from e


def _run(item: Any, name: str) -> tuple:
    """(path, array, name, lr, batch_size, noise) of one run."""
    lr = batch = noise = None
    if isinstance(item, Recorder):
        item, lr, batch, noise = item.array(), item.lr, item.batch_size, item.noise
    elif isinstance(item, dict):
        d = dict(item)
        if "weights" not in d:
            raise ValueError(f"run {name}: a dict run needs 'weights' (an array or a file path)")
        name = str(d.pop("name", name))
        lr, batch, noise = d.pop("lr", None), d.pop("batch_size", None), d.pop("noise", None)
        item = d.pop("weights")
        if d:
            raise ValueError(
                f"run {name}: unknown key(s) {sorted(d)}: expected weights, lr, batch_size, noise, name"
            )
    elif isinstance(item, tuple):
        if not 1 <= len(item) <= 4:
            raise ValueError(f"run {name}: expected (weights, lr, batch_size[, noise])")
        item, lr, batch, noise = (tuple(item) + (None, None, None))[:4]
    lr = _optional_float("lr", lr)
    batch = _optional_float("batch_size", batch)
    noise = _optional_float("noise", noise)
    if _is_path(item):
        return (os.fsdecode(item), None, name, lr, batch, noise)
    return (None, _as_array(item), name, lr, batch, noise)


def _call(runs, scaling, *, key, input, ensemble_axis, snapshot_axis, snapshot, spectrum, targets,
          sigma0, bootstrap, seed, bootstrap_label, lr, batch_size, keep_outliers) -> Dict[str, Any]:
    if ensemble_axis is not None:
        ensemble_axis = _count("ensemble-axis", ensemble_axis)
    if snapshot_axis is not None:
        snapshot_axis = str(snapshot_axis)
    if not isinstance(snapshot, (str, int, np.integer)) or isinstance(snapshot, bool):
        raise ValueError(f"--snapshot {snapshot!r}: expected last, first or an integer")
    text = _rmt_sgd.analyze_json(
        runs,
        scaling,
        str(key),
        str(input),
        ensemble_axis,
        snapshot_axis,
        str(snapshot),
        str(spectrum),
        _floats("targets", targets),
        _optional_float("sigma0", sigma0),
        _count("bootstrap", bootstrap),
        _count("seed", seed),
        str(bootstrap_label),
        _floats("lr", lr),
        _floats("batch", batch_size),
        bool(keep_outliers),
    )
    return json.loads(text)


def analyze(
    weights: Any,
    *,
    lr: Optional[float] = None,
    batch_size: Optional[float] = None,
    noise: Optional[float] = None,
    targets: Optional[Sequence[float]] = None,
    spectrum: str = "singular",
    ensemble_axis: int = 0,
    snapshot_axis: Union[int, str, None] = None,
    snapshot: Union[int, str] = -1,
    bootstrap: int = 200,
    seed: int = DEFAULT_SEED,
    keep_outliers: bool = False,
    input: str = "auto",
    key: str = "W",
    sigma0: Optional[float] = None,
    name: str = "array",
    bootstrap_label: str = "analyze",
) -> Dict[str, Any]:
    """The spectral analysis of one ensemble: ``rmt-sgd analyze FILE`` as a dict.

    ``weights``: an array (numpy, or anything with ``__array__``: a PyTorch tensor is detached
    and moved to the CPU) of shape ``(members, snapshots, M, N)``, ``(members, M, N)`` or, with
    ``input="spectra"``, ``(members, levels)``; or a :class:`Recorder`; or the path of an
    ``.npz`` (array ``key``, scalars ``lr``/``batch_size``/``noise``), ``.npy`` or CSV file.
    Any float or integer dtype; computed in float64.

    ``lr``, ``batch_size``, ``noise``: the run's hyperparameters (an ``.npz``'s scalars; given
    here they replace the file's). With all three and singular values the starting width of the
    fits is the authors' sqrt(lr * noise**2 / batch_size).

    The other arguments are the CLI's flags: ``targets`` (peak positions; default automatic),
    ``spectrum`` (``"singular"`` or ``"squared"``), ``ensemble_axis``, ``snapshot_axis`` (an
    axis, ``"none"``, or ``None`` for the default: 1 for 4-D arrays), ``snapshot`` (an index,
    negative from the end, or ``"last"``/``"first"``), ``bootstrap`` (replicates; 0 = none),
    ``seed`` (default: the CLI's), ``keep_outliers``, ``input`` (``"auto"``, ``"matrices"``,
    ``"spectra"``), ``key``, ``sigma0``, ``bootstrap_label``. ``name`` names an array in the
    report and in the bootstrap streams, as the file stem does for a file: ``analyze(W,
    name="run")`` equals ``rmt-sgd analyze run.npz`` on the same array except for ``"file"``.

    Returns the CLI's JSON as a dict (the same keys and float64 values).
    Raises ``ValueError`` with the CLI's message on bad input.
    """
    if isinstance(weights, Recorder):
        r = weights
        weights = r.array()
        lr = r.lr if lr is None else lr
        batch_size = r.batch_size if batch_size is None else batch_size
        noise = r.noise if noise is None else noise
    run = _run((weights, lr, batch_size, noise), str(name))
    return _call([run], False, key=key, input=input, ensemble_axis=ensemble_axis,
                 snapshot_axis=snapshot_axis, snapshot=snapshot, spectrum=spectrum,
                 targets=targets, sigma0=sigma0, bootstrap=bootstrap, seed=seed,
                 bootstrap_label=bootstrap_label, lr=None, batch_size=None,
                 keep_outliers=keep_outliers)


def analyze_scaling(
    runs: Iterable[Any],
    *,
    lr: Optional[Sequence[float]] = None,
    batch_size: Optional[Sequence[float]] = None,
    targets: Optional[Sequence[float]] = None,
    spectrum: str = "singular",
    ensemble_axis: int = 0,
    snapshot_axis: Union[int, str, None] = None,
    snapshot: Union[int, str] = -1,
    bootstrap: int = 200,
    seed: int = DEFAULT_SEED,
    keep_outliers: bool = False,
    input: str = "auto",
    key: str = "W",
    sigma0: Optional[float] = None,
    names: Optional[Sequence[str]] = None,
    bootstrap_label: str = "analyze",
) -> Dict[str, Any]:
    """The linear scaling rule across runs: ``rmt-sgd analyze --scaling FILES`` as a dict.

    ``runs``: at least two runs, each a file path, an array, a :class:`Recorder`, a tuple
    ``(weights, lr, batch_size[, noise])`` or a dict with keys ``weights``, ``lr``,
    ``batch_size``, ``noise``, ``name``. The hyperparameters are the runs' own (a file's
    scalars, a tuple's or dict's values) unless ``lr`` and ``batch_size`` list one value per run
    (the CLI's ``--lr``/``--batch``). Arrays are named ``run0``, ``run1``, ... (or ``names``).

    Returns ``{"scaling": ..., "runs": [...]}``: per matched peak the slope ``a`` of
    sigma = a * sqrt(lr/|B|) through the origin, the free exponent and ``verdict`` (with
    ``linear_scaling``); ``unmatched`` lists the peaks not found in every run.
    Raises ``ValueError`` with the CLI's message on bad input.
    """
    runs = list(runs)
    if names is not None:
        names = [str(n) for n in names]
        if len(names) != len(runs):
            raise ValueError(f"names has {len(names)} values for {len(runs)} runs")
    else:
        names = [f"run{i}" for i in range(len(runs))]
    items = [_run(r, n) for r, n in zip(runs, names)]
    return _call(items, True, key=key, input=input, ensemble_axis=ensemble_axis,
                 snapshot_axis=snapshot_axis, snapshot=snapshot, spectrum=spectrum,
                 targets=targets, sigma0=sigma0, bootstrap=bootstrap, seed=seed,
                 bootstrap_label=bootstrap_label, lr=lr, batch_size=batch_size,
                 keep_outliers=keep_outliers)


def _density(law: str, cdf: bool, x: Any, params: Dict[str, Any]) -> Any:
    if law not in LAWS:
        raise ValueError(
            f"unknown law '{law}': expected pair, two-species, surmise, surmise-unit or hoyt"
        )
    unknown = sorted(set(params) - set(LAWS[law]))
    if unknown:
        takes = ", ".join(LAWS[law]) or "no parameters"
        raise ValueError(f"{law}: unknown parameter(s) {unknown}: it takes {takes}")
    p = {k: _optional_float(k, v) for k, v in params.items()}
    try:
        xs = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(f"x: {e}") from e
    out = _rmt_sgd.density(law, cdf, np.ascontiguousarray(xs.ravel()), **p)
    out = out.reshape(xs.shape)
    return float(out) if xs.ndim == 0 else out


def pdf(law: str, x: Any, **params: float) -> Any:
    """The density rho(x) of ``law`` (``rmt-sgd density LAW``), elementwise over ``x``.

    Laws and parameters: ``"pair"`` (Eq 11; ``centre``, ``sigma``), ``"two-species"`` (Eq 32;
    ``centre``, ``sigma1``, ``sigma2``), ``"surmise"`` (Eq 31; ``sigma_m``), ``"surmise-unit"``
    (unit-mean Wigner surmise), ``"hoyt"`` (the Hoyt spacing law; ``sigma_u``, ``sigma_v``). Returns a float64 array of ``x``'s shape (a float for a scalar).
    Raises ``ValueError`` on an unknown law, a missing or bad parameter.
    """
    return _density(law, False, x, params)


def cdf(law: str, x: Any, **params: float) -> Any:
    """The distribution function F(x) of ``law``; see :func:`pdf`."""
    return _density(law, True, x, params)


class Recorder:
    """Collects weight snapshots of an ensemble of networks from any training loop.

    Call it with a network's weight matrix (numpy, or anything with ``__array__``, e.g. a
    PyTorch tensor: it is detached and copied to the CPU) and the network's index::

        rec = rmt_sgd.Recorder(lr=0.05, batch_size=8)
        for m in range(members):
            net = train_one(...)              # or record every few steps inside the loop
            rec(net.weight, member=m)
        report = rmt_sgd.analyze(rec)          # or rec.save("run.npz")

    Every member must have the same number of snapshots of the same shape ``(M, N)``.
    :meth:`array` stacks them into ``(members, snapshots, M, N)`` (``snapshots=False``: the
    last snapshot only, ``(members, M, N)``), the layout :func:`analyze` and the CLI read.
    """

    def __init__(self, *, lr: Optional[float] = None, batch_size: Optional[float] = None,
                 noise: Optional[float] = None) -> None:
        self.lr = _optional_float("lr", lr)
        self.batch_size = _optional_float("batch_size", batch_size)
        self.noise = _optional_float("noise", noise)
        self._members: List[List[np.ndarray]] = []

    def __call__(self, weights: Any, member: Optional[int] = None) -> None:
        """Records a snapshot of ``member`` (default: the last member, or 0)."""
        w = _as_array(weights).copy()
        if w.ndim != 2:
            raise ValueError(f"a snapshot is one M×N matrix: got shape {w.shape}")
        if member is None:
            member = max(len(self._members) - 1, 0)
        member = _count("member", member)
        if member > len(self._members):
            raise ValueError(
                f"member {member}: members are numbered from 0 in order; next is {len(self._members)}"
            )
        first = next((s[0] for s in self._members if s), None)
        if first is not None and first.shape != w.shape:
            raise ValueError(f"snapshot of shape {w.shape}: earlier snapshots are {first.shape}")
        if member == len(self._members):
            self._members.append([])
        self._members[member].append(w)

    @property
    def members(self) -> int:
        """Number of members recorded."""
        return len(self._members)

    def array(self, snapshots: bool = True) -> np.ndarray:
        """The float64 array ``(members, snapshots, M, N)`` (or ``(members, M, N)``)."""
        if not self._members:
            raise ValueError("the recorder is empty")
        counts = {len(s) for s in self._members}
        if snapshots:
            if len(counts) != 1:
                raise ValueError(
                    f"members have different numbers of snapshots {sorted(counts)}: "
                    "use array(snapshots=False) for the last one of each"
                )
            return np.stack([np.stack(s) for s in self._members])
        return np.stack([s[-1] for s in self._members])

    def save(self, path: PathLike, snapshots: bool = True) -> None:
        """Writes the ``.npz`` the CLI reads: ``W`` and the scalars ``lr``, ``batch_size``,
        ``noise`` that are set."""
        data: Dict[str, Any] = {"W": self.array(snapshots)}
        for k, v in (("lr", self.lr), ("batch_size", self.batch_size), ("noise", self.noise)):
            if v is not None:
                data[k] = np.float64(v)
        np.savez(path, **data)
