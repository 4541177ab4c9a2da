"""The native module (Rust, PyO3): use the documented functions of rmt_sgd instead."""

from typing import Any, List, Optional, Tuple

import numpy as np
import numpy.typing as npt

def analyze_json(
    runs: List[Tuple[Optional[str], Optional[npt.NDArray[np.float64]], str, Optional[float], Optional[float], Optional[float]]],
    scaling: bool,
    key: str,
    input: str,
    ensemble_axis: Optional[int],
    snapshot_axis: Optional[str],
    snapshot: str,
    spectrum: str,
    targets: Optional[List[float]],
    sigma0: Optional[float],
    bootstrap: int,
    seed: int,
    bootstrap_label: str,
    lr: Optional[List[float]],
    batch: Optional[List[float]],
    keep_outliers: bool,
) -> str: ...
def density(
    name: str,
    cdf: bool,
    x: npt.NDArray[np.float64],
    centre: Optional[float] = ...,
    sigma: Optional[float] = ...,
    sigma1: Optional[float] = ...,
    sigma2: Optional[float] = ...,
    sigma_m: Optional[float] = ...,
) -> npt.NDArray[np.float64]: ...
