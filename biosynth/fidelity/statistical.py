# SPDX-License-Identifier: BSD-3-Clause
"""Statistical features of each signal: moments, autocorrelation, amplitude quantiles."""

from __future__ import annotations

from typing import Any

import numpy as np

from biosynth._utils.check import check_int
from biosynth._utils.docs import fill_doc
from biosynth.fidelity._rows import as_rows


@fill_doc
def moments(x: Any, *, axis: int = -1) -> dict[str, np.ndarray]:
    """Standard deviation (ddof=0), skewness and excess kurtosis along ``axis``.

    Skewness and kurtosis are the biased moment estimators of
    :func:`scipy.stats.skew` and :func:`scipy.stats.kurtosis` (Fisher: a Gaussian
    gives 0). A flat signal gives NaN for both.

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals.
    %(axis)s

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


@fill_doc
def autocorrelation(x: Any, nlags: int, *, axis: int = -1) -> np.ndarray:
    """Sample autocorrelation function at lags 0..``nlags``, along ``axis``.

    The estimator of :func:`statsmodels.tsa.stattools.acf` with its defaults
    (``adjusted=False``): the autocovariance at lag :math:`k` is
    :math:`\\frac{1}{N}\\sum_{t=0}^{N-k-1} (x_t - \\bar x)(x_{t+k} - \\bar x)`, divided by
    the lag-0 value, computed for all rows at once by FFT (zero-padded, so circular
    wrap-around never enters). A flat signal gives NaN.

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals.
    nlags : int
        Largest lag, in samples (at most ``n_times - 1``).
    %(axis)s

    Returns
    -------
    acf : ndarray, shape (..., nlags + 1)
        Autocorrelation; ``acf[..., 0]`` is 1.

    Examples
    --------
    >>> import numpy as np
    >>> autocorrelation(np.array([1.0, 2.0, 3.0, 4.0]), 2).round(3).tolist()
    [1.0, 0.25, -0.3]
    """
    rows, restore = as_rows(x, axis=axis, min_samples=2)
    n = rows.shape[1]
    nlags = check_int("nlags", nlags, low=0, high=n - 1)
    centred = rows - rows.mean(axis=1, keepdims=True)
    size = 1 << int(np.ceil(np.log2(2 * n - 1)))
    spectrum = np.fft.rfft(centred, n=size, axis=1)
    acov = np.fft.irfft(spectrum * np.conj(spectrum), n=size, axis=1)[:, : nlags + 1]
    lag0 = acov[:, :1]
    acf = np.divide(acov, lag0, out=np.full_like(acov, np.nan), where=lag0 > 0)
    return restore(acf)


#: Probabilities of the amplitude quantiles kept per signal (1 %, 2 %, ..., 99 %).
QUANTILE_LEVELS = np.linspace(0.01, 0.99, 99)


@fill_doc
def amplitude_quantiles(x: Any, *, levels: Any = QUANTILE_LEVELS, axis: int = -1) -> np.ndarray:
    """Quantiles of each signal's amplitude distribution.

    Averaging quantile functions over signals gives the Wasserstein barycentre of
    their distributions, so two sets of signals can be compared by the distance
    between their mean quantile functions (see
    :func:`biosynth.fidelity.distances.quantile_wasserstein`).

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals.
    levels : array_like of float
        Probabilities in [0, 1] (NumPy's default linear interpolation).
    %(axis)s

    Returns
    -------
    quantiles : ndarray, shape (..., n_levels)
        In the units of ``x``.
    """
    levels = np.asarray(levels, dtype=float)
    if levels.ndim != 1 or levels.size == 0 or np.any((levels < 0) | (levels > 1)):
        raise ValueError(f"levels must be a 1-D sequence of probabilities in [0, 1], got {levels!r}.")
    rows, restore = as_rows(x, axis=axis, min_samples=1)
    return restore(np.quantile(rows, levels, axis=1).T)
