# SPDX-License-Identifier: BSD-3-Clause
"""What every benchmark records beside its results: stage times, peak memory, the machine,
library versions, and JSON without NaN."""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import time
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np

__all__ = ["VERSIONED", "json_clean", "library_versions", "machine_info", "peak_memory_mb", "timer"]

#: Libraries whose versions a benchmark result records.
VERSIONED = ("numpy", "scipy", "numba", "xarray", "mne", "torch", "dask", "distributed")


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far, in MiB.

    Read from ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (KiB on Linux, bytes on macOS);
    NaN where the ``resource`` module does not exist (Windows). Worker processes of a
    cluster are not counted.

    Returns
    -------
    peak : float
        Peak resident set size in MiB (2**20 bytes).

    Examples
    --------
    >>> peak_memory_mb() > 0
    True
    """
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


@contextlib.contextmanager
def timer(timings: dict[str, float], stage: str) -> Iterator[None]:
    """Add the wall time of the ``with`` block to ``timings[stage]``, in seconds.

    The time is recorded even when the block raises; a stage timed twice adds up.

    Parameters
    ----------
    timings : dict
        Stage name to seconds; updated in place.
    stage : str
        Name of the stage.

    Yields
    ------
    None

    Examples
    --------
    >>> timings = {}
    >>> with timer(timings, "generate"):
    ...     _ = sum(range(1000))
    >>> list(timings), timings["generate"] >= 0
    (['generate'], True)
    """
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


def machine_info() -> dict[str, Any]:
    """The machine a benchmark ran on.

    Returns
    -------
    machine : dict
        ``platform`` (``platform.platform()``), ``processor`` and ``cpus`` (logical CPUs,
        ``os.cpu_count()``).
    """
    return {"platform": platform.platform(), "processor": platform.processor(), "cpus": os.cpu_count()}


def library_versions(packages: tuple[str, ...] = VERSIONED) -> dict[str, str | None]:
    """Installed versions of ``packages``.

    Parameters
    ----------
    packages : tuple of str, default=VERSIONED
        Distribution names.

    Returns
    -------
    versions : dict
        Name -> version string, None where the package is not installed.
    """
    out: dict[str, str | None] = {}
    for package in packages:
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = None
    return out


def json_clean(obj: Any) -> Any:
    """``obj`` as standard JSON values: NaN and inf to None, NumPy scalars to Python.

    Parameters
    ----------
    obj : Any
        Nested dicts, lists and tuples of numbers, strings, booleans and None (NumPy
        scalars included).

    Returns
    -------
    clean : Any
        The same structure with string keys, lists for tuples, Python numbers, and None
        for non-finite floats.

    Examples
    --------
    >>> json_clean({"a": float("nan"), "b": (1, 2.5)})
    {'a': None, 'b': [1, 2.5]}
    """
    if isinstance(obj, dict):
        return {str(k): json_clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_clean(v) for v in obj]
    if isinstance(obj, bool | np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return float(obj) if np.isfinite(obj) else None
    return obj
