# SPDX-License-Identifier: BSD-3-Clause
"""Validators for the public boundary: every error names the argument, what was
expected and what was received."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np


def fmt_value(value: Any) -> str:
    """Short representation of a received value for an error message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_type(name: str, value: Any, types: type | tuple[type, ...], expected: str) -> Any:
    """Raise TypeError unless ``value`` is an instance of ``types``."""
    if not isinstance(value, types):
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__} {fmt_value(value)}.")
    return value


def check_number(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    unit: str = "",
    context: str = "",
) -> float:
    """Check a finite real number, optionally within ``[low, high]``.

    Parameters
    ----------
    name : str
        Argument name used in the message.
    value : object
        The value received.
    low, high : float | None
        Bounds; None means unbounded.
    low_inclusive, high_inclusive : bool
        Whether the bounds are allowed.
    unit : str
        Physical unit shown in the message (e.g. ``"Hz"``).
    context : str
        Extra sentence explaining a bound (e.g. the Nyquist frequency).

    Returns
    -------
    value : float
        The value as a Python float.
    """
    unit_txt = f" in {unit}" if unit else ""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number{unit_txt}, got {type(value).__name__} {fmt_value(value)}.")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number{unit_txt}, got {value}.")
    too_low = low is not None and (value < low or (value == low and not low_inclusive))
    too_high = high is not None and (value > high or (value == high and not high_inclusive))
    if too_low or too_high:
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        interval = f"{'[' if low_inclusive else '('}{lo}, {hi}{']' if high_inclusive else ')'}"
        extra = f" ({context})" if context else ""
        raise ValueError(f"{name} must lie in {interval}{unit_txt}{extra}, got {value:g}.")
    return value


def check_positive(name: str, value: Any, *, unit: str = "") -> float:
    """Check a finite number strictly greater than zero."""
    unit_txt = f" in {unit}" if unit else ""
    value = check_number(name, value, unit=unit)
    if value <= 0:
        raise ValueError(f"{name} must be a positive finite number{unit_txt}, got {value:g}.")
    return value


def check_int(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """Check an integer (not a bool) within ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {fmt_value(value)}.")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f">= {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"{name} must be an integer {bounds}, got {value}.")
    return value


def check_option(name: str, value: Any, allowed: Iterable[Any]) -> Any:
    """Check that ``value`` is one of ``allowed``."""
    allowed = tuple(allowed)
    if value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {options}; got {fmt_value(value)}.")
    return value


def check_finite_array(name: str, data: np.ndarray) -> np.ndarray:
    """Raise ValueError if ``data`` holds NaN or infinite values."""
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.sum(data)):  # NaN and inf propagate into the sum: one pass, no mask
            return data
    finite = np.isfinite(data)
    if not finite.all():
        n_bad = int(data.size - finite.sum())
        raise ValueError(
            f"{name} contains {n_bad} non-finite value(s) (NaN or inf); "
            "expected finite samples (interpolate or drop them first)."
        )
    return data


def check_sfreq(name: str, sfreq: Any) -> float:
    """Check a sampling rate in Hz."""
    return check_positive(name, sfreq, unit="Hz")
