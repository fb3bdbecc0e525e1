# SPDX-License-Identifier: BSD-3-Clause
"""Statistical features of each signal: standard deviation and higher moments."""

from __future__ import annotations

from typing import Any

import numpy as np

from biosynth.fidelity._rows import as_rows


def moments(x: Any, *, axis: int = -1) -> dict[str, np.ndarray]:
    """Standard deviation (ddof=0), skewness and excess kurtosis along ``axis``.

    Skewness and kurtosis are the biased moment estimators of
    :func:`scipy.stats.skew` and :func:`scipy.stats.kurtosis` (Fisher: a Gaussian
    gives 0). A flat signal gives NaN for both.

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals.
    axis : int
        Time axis.

    Returns
    -------
    moments : dict with keys ``"std"``, ``"skewness"``, ``"kurtosis"``
        Arrays of shape (...); ``std`` in the units of ``x``.
    """
    rows, restore = as_rows(x, axis=axis, min_samples=2)
    centred = rows - rows.mean(axis=1, keepdims=True)
    m2 = np.mean(centred**2, axis=1)
    safe = np.where(m2 > 0, m2, np.nan)
    skew = np.mean(centred**3, axis=1) / safe**1.5
    kurt = np.mean(centred**4, axis=1) / safe**2 - 3.0
    return {"std": restore(np.sqrt(m2)), "skewness": restore(skew), "kurtosis": restore(kurt)}
