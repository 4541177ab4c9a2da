"""Type stub of rmt_sgd: the analysis of `rmt-sgd analyze` and the laws of `rmt-sgd density`."""

import os
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union, overload

import numpy as np
import numpy.typing as npt

PathLike = Union[str, bytes, os.PathLike[str]]
ArrayLike = npt.ArrayLike
Run = Union[
    PathLike,
    ArrayLike,
    "Recorder",
    Tuple[Any, float, float],
    Tuple[Any, float, float, float],
    Dict[str, Any],
]

DEFAULT_SEED: int
LAWS: Dict[str, Tuple[str, ...]]

def analyze(
    weights: Union[ArrayLike, PathLike, "Recorder"],
    *,
    lr: Optional[float] = ...,
    batch_size: Optional[float] = ...,
    noise: Optional[float] = ...,
    targets: Optional[Sequence[float]] = ...,
    spectrum: str = ...,
    ensemble_axis: int = ...,
    snapshot_axis: Union[int, str, None] = ...,
    snapshot: Union[int, str] = ...,
    bootstrap: int = ...,
    seed: int = ...,
    keep_outliers: bool = ...,
    input: str = ...,
    key: str = ...,
    sigma0: Optional[float] = ...,
    name: str = ...,
    bootstrap_label: str = ...,
) -> Dict[str, Any]: ...
def analyze_scaling(
    runs: Iterable[Run],
    *,
    lr: Optional[Sequence[float]] = ...,
    batch_size: Optional[Sequence[float]] = ...,
    targets: Optional[Sequence[float]] = ...,
    spectrum: str = ...,
    ensemble_axis: int = ...,
    snapshot_axis: Union[int, str, None] = ...,
    snapshot: Union[int, str] = ...,
    bootstrap: int = ...,
    seed: int = ...,
    keep_outliers: bool = ...,
    input: str = ...,
    key: str = ...,
    sigma0: Optional[float] = ...,
    names: Optional[Sequence[str]] = ...,
    bootstrap_label: str = ...,
) -> Dict[str, Any]: ...
@overload
def pdf(law: str, x: float, **params: float) -> float: ...
@overload
def pdf(law: str, x: ArrayLike, **params: float) -> npt.NDArray[np.float64]: ...
@overload
def cdf(law: str, x: float, **params: float) -> float: ...
@overload
def cdf(law: str, x: ArrayLike, **params: float) -> npt.NDArray[np.float64]: ...

class Recorder:
    lr: Optional[float]
    batch_size: Optional[float]
    noise: Optional[float]
    def __init__(
        self,
        *,
        lr: Optional[float] = ...,
        batch_size: Optional[float] = ...,
        noise: Optional[float] = ...,
    ) -> None: ...
    def __call__(self, weights: ArrayLike, member: Optional[int] = ...) -> None: ...
    @property
    def members(self) -> int: ...
    def array(self, snapshots: bool = ...) -> npt.NDArray[np.float64]: ...
    def save(self, path: PathLike, snapshots: bool = ...) -> None: ...
