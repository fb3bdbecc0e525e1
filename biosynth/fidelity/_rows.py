# SPDX-License-Identifier: BSD-3-Clause
"""Fold any array to C-contiguous float64 rows ``(n_rows, n_times)`` and back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from biosynth._utils.check import check_finite_array, check_int


def as_rows(x: Any, *, axis: int = -1, min_samples: int = 1, name: str = "x") -> tuple[np.ndarray, Callable]:
    """Return ``(rows, restore)``: ``x`` as float64 rows with time last, and a
    function that reshapes a per-row result ``(n_rows, ...)`` to the leading shape
    (a 0-d array for 1-D ``x``). Rows are always writeable, so a Numba kernel sees
    one array type whatever the caller passed.

    Raises a ValueError naming ``name`` for scalars, NaN/inf, or fewer than
    ``min_samples`` samples along ``axis``.
    """
    array = np.asarray(x)
    if array.ndim == 0:
        raise ValueError(f"{name} must be an array with a time axis, got a scalar.")
    axis = check_int("axis", axis, low=-array.ndim, high=array.ndim - 1)
    array = np.moveaxis(array, axis, -1)
    if array.shape[-1] < min_samples:
        raise ValueError(f"{name} needs at least {min_samples} samples along axis {axis}; got {array.shape[-1]}.")
    lead = array.shape[:-1]
    rows = np.ascontiguousarray(array.reshape(-1, array.shape[-1]), dtype=np.float64)
    if not rows.flags.writeable:
        rows = rows.copy()  # one kernel signature: a read-only array would compile a second one
    check_finite_array(name, rows)

    def restore(result: np.ndarray) -> np.ndarray:
        result = np.asarray(result)
        return result.reshape(lead + result.shape[1:])

    return rows, restore
