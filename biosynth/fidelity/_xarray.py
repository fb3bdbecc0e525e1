# SPDX-License-Identifier: BSD-3-Clause
"""The one place that knows about labels: run an array measure over the ``time`` dim
of a DataArray and keep the ``record``/``channel`` coordinates."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import xarray as xr

from biosynth.signals import TIME

F = TypeVar("F", bound=Callable[..., Any])


def labelled(func: F) -> F:
    """Let an array measure ``func(x, ..., axis=-1)`` also take a DataArray.

    Given a DataArray with a ``time`` dim, the measure runs over ``time`` for every
    other index (``dask="parallelized"`` when the array is dask-backed) and returns a
    DataArray with the remaining dims and coords; ``attrs["measure"]`` names it. An
    ``sfreq`` parameter left as None (given or not) is taken from ``attrs["sfreq"]``.
    Arrays pass through unchanged.
    """
    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(x: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(x, xr.DataArray):
            return func(x, *args, **kwargs)
        if TIME not in x.dims:
            raise ValueError(f"x must have a {TIME!r} dim to measure over, got dims {x.dims}.")
        options = signature.bind(x, *args, **kwargs).arguments
        options.pop(next(iter(signature.parameters)))
        if "sfreq" in signature.parameters and options.get("sfreq") is None and "sfreq" in x.attrs:
            options["sfreq"] = float(x.attrs["sfreq"])
        options["axis"] = -1
        out = xr.apply_ufunc(
            func,
            x,
            input_core_dims=[[TIME]],
            kwargs=options,
            dask="parallelized",
            output_dtypes=[np.float64],
        )
        out.attrs = {"measure": func.__name__}
        return out.rename(func.__name__)

    return wrapper  # type: ignore[return-value]
