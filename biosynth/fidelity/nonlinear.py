# SPDX-License-Identifier: BSD-3-Clause
"""The nonlinear measure set in one call: every entropy, fractal and time-domain
measure of :mod:`biosynth.fidelity` over a batch of signals."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr
from tqdm.auto import tqdm

from biosynth._utils.backend import check_device
from biosynth._utils.check import check_type
from biosynth._utils.docs import fill_doc
from biosynth.fidelity.entropy import (
    approximate_entropy,
    lempel_ziv_complexity,
    multiscale_entropy,
    permutation_entropy,
    sample_entropy,
    spectral_entropy,
    svd_entropy,
)
from biosynth.fidelity.fractal import detrended_fluctuation, higuchi_fd, hurst_exponent, katz_fd, petrosian_fd
from biosynth.fidelity.timedomain import hjorth_complexity, hjorth_mobility, line_length, zero_crossings


@dataclass(frozen=True)
class _Measure:
    func: Callable[..., Any]
    options: dict[str, Any]

    @property
    def parameters(self) -> Sequence[str]:
        return tuple(inspect.signature(self.func).parameters)


#: Name -> (function, options) of the measure set, in report order. Options are the
#: functions' defaults except where the set pins a convention: permutation, SVD and
#: spectral entropies are normalised to [0, 1] so records of any length compare, and
#: Lempel-Ziv complexity is normalised by n / log2(n).
MEASURES: dict[str, _Measure] = {
    "sample_entropy": _Measure(sample_entropy, {}),
    "approximate_entropy": _Measure(approximate_entropy, {}),
    "multiscale_entropy": _Measure(multiscale_entropy, {"scales": 10, "method": "coarse", "index": "mean"}),
    "permutation_entropy": _Measure(permutation_entropy, {"normalize": True}),
    "spectral_entropy": _Measure(spectral_entropy, {"normalize": True}),
    "svd_entropy": _Measure(svd_entropy, {"normalize": True}),
    "lempel_ziv_complexity": _Measure(lempel_ziv_complexity, {"normalize": True}),
    "higuchi_fd": _Measure(higuchi_fd, {}),
    "katz_fd": _Measure(katz_fd, {}),
    "petrosian_fd": _Measure(petrosian_fd, {}),
    "detrended_fluctuation": _Measure(detrended_fluctuation, {}),
    "hurst_exponent": _Measure(hurst_exponent, {}),
    "hjorth_mobility": _Measure(hjorth_mobility, {}),
    "hjorth_complexity": _Measure(hjorth_complexity, {}),
    "line_length": _Measure(line_length, {"normalize": True}),
    "zero_crossings": _Measure(zero_crossings, {"normalize": True}),
}


def _check_measures(measures: Sequence[str] | None) -> list[str]:
    if measures is None:
        return list(MEASURES)
    if isinstance(measures, str):
        measures = [measures]
    names = list(measures)
    unknown = [name for name in names if name not in MEASURES]
    if unknown or not names:
        raise ValueError(f"measures must be names from {sorted(MEASURES)}, got {unknown or names!r}.")
    return names


def _call(name: str, x: Any, sfreq: float | None, device: str, axis: int) -> Any:
    measure = MEASURES[name]
    kwargs = dict(measure.options, axis=axis)
    if "sfreq" in measure.parameters:
        kwargs["sfreq"] = sfreq
    if "device" in measure.parameters:
        kwargs["device"] = device
    return measure.func(x, **kwargs)


@fill_doc
def nonlinear_features(
    x: Any,
    sfreq: float | None = None,
    *,
    measures: Sequence[str] | None = None,
    device: str = "cpu",
    axis: int = -1,
    progress: bool = False,
) -> dict[str, np.ndarray] | xr.Dataset:
    """Compute the nonlinear measure set for every signal of a batch.

    Each measure runs once over the whole batch (its Numba kernel is parallel over
    rows), with the options of :data:`MEASURES`; call the single functions for other
    conventions.

    Parameters
    ----------
    x : array-like or xarray.DataArray
        Signals with time along ``axis`` (a DataArray: along its ``time`` dim). The
        measures are scale-free or scale with the data; units do not need converting.
    sfreq : float | None
        Sampling frequency in Hz, used by spectral entropy and Hjorth mobility (None
        takes ``attrs["sfreq"]`` of a DataArray; for arrays, spectral entropy is then
        in cycles/sample, which does not change its normalised value, and mobility is
        per sample).
    measures : sequence of str | None
        Names from :data:`MEASURES`; None computes all of them.
    %(device)s
        Measures with a torch path run there; the others (sample, approximate,
        multiscale and SVD entropy, Lempel-Ziv, Hurst, zero crossings) run on the CPU.
    axis : int
        Time axis of an array ``x`` (ignored for a DataArray).
    progress : bool
        Show a progress bar over measures.

    Returns
    -------
    features : dict of str to ndarray, or xarray.Dataset
        For an array, ``{name: values}`` with the leading shape of ``x``; for a
        DataArray, a Dataset with one variable per measure over the non-time dims.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).standard_normal((4, 2048))
    >>> features = nonlinear_features(x, 256.0, measures=["katz_fd", "line_length"])
    >>> sorted(features), features["katz_fd"].shape
    (['katz_fd', 'line_length'], (4,))
    """
    names = _check_measures(measures)
    check_device(device)
    check_type("progress", progress, bool, "True or False")
    bar = tqdm(names, desc="nonlinear measures", unit="measure", disable=not progress)
    values = {name: _call(name, x, sfreq, device, axis) for name in bar}
    if isinstance(x, xr.DataArray):
        return xr.Dataset(values, attrs={"sfreq": x.attrs.get("sfreq")} if "sfreq" in x.attrs else {})
    return values
