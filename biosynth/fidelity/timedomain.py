# SPDX-License-Identifier: BSD-3-Clause
"""Time-domain features: Hjorth mobility and complexity, line length, zero crossings."""

from __future__ import annotations

import logging
from typing import Any, Literal

import numpy as np

from biosynth._utils.check import check_int, check_option, check_sfreq
from biosynth._utils.docs import fill_doc
from biosynth.fidelity._rows import as_rows
from biosynth.fidelity._torch import to_numpy, to_torch, use_torch
from biosynth.fidelity._xarray import labelled

logger = logging.getLogger(__name__)


def _hjorth_variances(rows: np.ndarray, ddof: int, device: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Variances of x, its first and its second difference, per row."""
    if use_torch(device):
        import torch

        t = to_torch(rows, device)
        dx = torch.diff(t, dim=-1)
        ddx = torch.diff(dx, dim=-1)
        return tuple(to_numpy(torch.var(v, dim=-1, correction=ddof)) for v in (t, dx, ddx))
    dx = np.diff(rows, axis=-1)
    ddx = np.diff(dx, axis=-1)
    return rows.var(axis=-1, ddof=ddof), dx.var(axis=-1, ddof=ddof), ddx.var(axis=-1, ddof=ddof)


def _ratio_root(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """sqrt(num / den), NaN where den is zero."""
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return np.sqrt(out)


def _hjorth_checks(x: Any, ddof: int, axis: int) -> tuple[np.ndarray, Any, np.ndarray]:
    """Validate Hjorth inputs; return rows, restore and the flat-row mask."""
    ddof = check_int("ddof", ddof, low=0, high=1)
    rows, restore = as_rows(x, axis=axis, min_samples=3 + ddof)
    flat = rows.max(axis=1) == rows.min(axis=1)
    return rows, restore, flat


@labelled
@fill_doc
def hjorth_mobility(
    x: Any, sfreq: float | None = None, *, ddof: int = 0, axis: int = -1, device: str = "cpu"
) -> np.ndarray:
    r"""Hjorth mobility (Hjorth 1970): the RMS frequency of the signal.

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals; any leading shape, any amplitude unit. At least ``3 + ddof`` samples.
    sfreq : float | None, default=None
        Sampling rate in Hz. None gives mobility per sample (antropy's default);
        a rate gives it in Hz (mobility per sample times ``sfreq``). With a
        DataArray, ``sfreq=None`` passed explicitly is read from ``attrs``.
    ddof : int, default=0
        Delta degrees of freedom of the variances (0 as antropy and neurokit2).
    %(axis)s
    %(device)s

    Returns
    -------
    mobility : ndarray of float64, shape (...)
        :math:`\sqrt{\operatorname{var}(\Delta x) / \operatorname{var}(x)}`, per sample
        or in Hz. NaN for a flat signal (zero variance). Scale-free in amplitude.

    Notes
    -----
    :math:`\Delta x` is the first difference ``np.diff(x)`` (no division by the
    sampling interval unless ``sfreq`` is given). For a sampled sine of frequency
    :math:`f`, mobility is :math:`2 \sin(\pi f / f_s)` per sample, close to
    :math:`2 \pi f / f_s` well below Nyquist. 0 when the first difference is constant.

    References
    ----------
    Hjorth, B. (1970). EEG analysis based on time domain properties.
    Electroencephalography and Clinical Neurophysiology, 29(3), 306-310.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(1000) / 100.0
    >>> round(float(hjorth_mobility(np.sin(2 * np.pi * 1.0 * t), 100.0)), 2)
    6.28
    """
    rows, restore, flat = _hjorth_checks(x, ddof, axis)
    scale = 1.0 if sfreq is None else check_sfreq("sfreq", sfreq)
    var_x, var_dx, _ = _hjorth_variances(rows, ddof, device)
    mobility = _ratio_root(var_dx, var_x) * scale
    mobility[flat] = np.nan
    return restore(mobility)


@labelled
@fill_doc
def hjorth_complexity(x: Any, *, ddof: int = 0, axis: int = -1, device: str = "cpu") -> np.ndarray:
    r"""Hjorth complexity (Hjorth 1970): mobility of the derivative over mobility of the signal.

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals; any leading shape, any amplitude unit. At least ``3 + ddof`` samples.
    ddof : int, default=0
        Delta degrees of freedom of the variances (0 as antropy and neurokit2).
    %(axis)s
    %(device)s

    Returns
    -------
    complexity : ndarray of float64, shape (...)
        Unitless; 1 for a pure sine, larger for broadband signals. NaN for a
        flat signal or one whose first difference is constant (zero variance).
        Scale-free and independent of the sampling rate.

    Notes
    -----
    .. math:: C = \frac{\sqrt{\operatorname{var}(\Delta^2 x) / \operatorname{var}(\Delta x)}}
              {\sqrt{\operatorname{var}(\Delta x) / \operatorname{var}(x)}}

    with :math:`\Delta` the first difference (antropy ``hjorth_params``,
    neurokit2 ``complexity_hjorth``).

    References
    ----------
    Hjorth, B. (1970). EEG analysis based on time domain properties.
    Electroencephalography and Clinical Neurophysiology, 29(3), 306-310.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(1000) / 100.0
    >>> round(float(hjorth_complexity(np.sin(2 * np.pi * 1.0 * t))), 2)
    1.0
    """
    rows, restore, flat = _hjorth_checks(x, ddof, axis)
    var_x, var_dx, var_ddx = _hjorth_variances(rows, ddof, device)
    mobility = _ratio_root(var_dx, var_x)
    complexity = np.full(mobility.shape, np.nan)
    np.divide(_ratio_root(var_ddx, var_dx), mobility, out=complexity, where=mobility > 0)
    complexity[flat] = np.nan
    return restore(complexity)


@labelled
@fill_doc
def line_length(x: Any, *, normalize: bool = False, axis: int = -1, device: str = "cpu") -> np.ndarray:
    r"""Line length (Esteller et al. 2001): the summed absolute first difference.

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals; any leading shape. At least 2 samples.
    normalize : bool, default=False
        Divide by the number of differences :math:`N - 1` (the mean absolute step,
        comparable across signal lengths; neurokit2 ``fractal_linelength``).
    %(axis)s
    %(device)s

    Returns
    -------
    length : ndarray of float64, shape (...)
        :math:`\sum_{i=1}^{N-1} |x_i - x_{i-1}|`, in the unit of ``x``: it scales
        with amplitude (not scale-free). 0 for a flat signal.

    Notes
    -----
    Esteller et al. define the windowed line length with a :math:`1/K`
    normalisation; ``normalize=True`` gives it with :math:`K = N - 1`.

    References
    ----------
    Esteller, R., Echauz, J., Tcheng, T., Litt, B., & Pless, B. (2001). Line
    length: an efficient feature for seizure onset detection. Proc. 23rd IEEE
    EMBS, 2, 1707-1710.

    Examples
    --------
    >>> float(line_length([0.0, 1.0, -1.0, 0.0]))
    4.0
    """
    if not isinstance(normalize, (bool, np.bool_)):
        raise TypeError(f"normalize must be a bool, got {type(normalize).__name__} {normalize!r}.")
    rows, restore = as_rows(x, axis=axis, min_samples=2)
    if use_torch(device):
        import torch

        t = to_torch(rows, device)
        steps = torch.diff(t, dim=-1).abs()
        length = to_numpy(steps.mean(-1) if normalize else steps.sum(-1))
    else:
        steps = np.abs(np.diff(rows, axis=-1))
        length = steps.mean(-1) if normalize else steps.sum(-1)
    return restore(length)


@labelled
@fill_doc
def zero_crossings(
    x: Any, *, zeros: Literal["positive", "skip"] = "positive", normalize: bool = False, axis: int = -1
) -> np.ndarray:
    """Number of zero crossings.

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals; any leading shape. At least 2 samples. Not centred first: subtract
        the mean yourself to count mean crossings.
    zeros : {"positive", "skip"}, default="positive"
        Handling of samples exactly 0: ``"positive"`` counts them as positive (a
        sign change between successive samples of ``x < 0``; antropy
        ``num_zerocross``, except that ``-0.0`` also counts as 0 here), so
        ``-1, 0, 1`` is one crossing and ``1, 0, 1`` none, but ``-1, 0, -1`` two;
        ``"skip"`` drops zero samples and counts sign changes between the
        remaining neighbours, so ``-1, 0, -1`` is none and ``-1, 0, 0, 1`` one.
    normalize : bool, default=False
        Divide by the number of samples :math:`N` (antropy's ``normalize``).
    %(axis)s

    Returns
    -------
    crossings : ndarray of float64, shape (...)
        Count (or rate per sample). 0 for a flat signal. Scale-free.

    Notes
    -----
    A crossing is a change of sign between successive samples (after dropping
    zeros with ``"skip"``); the count is at most :math:`N - 1`. No interpolation
    and no hysteresis: noise around zero is counted.

    References
    ----------
    Kedem, B. (1986). Spectral analysis and discrimination by zero-crossings.
    Proceedings of the IEEE, 74(11), 1477-1493.

    Examples
    --------
    >>> float(zero_crossings([1.0, -1.0, 0.0, 2.0]))
    2.0
    """
    check_option("zeros", zeros, ("positive", "skip"))
    if not isinstance(normalize, (bool, np.bool_)):
        raise TypeError(f"normalize must be a bool, got {type(normalize).__name__} {normalize!r}.")
    rows, restore = as_rows(x, axis=axis, min_samples=2)
    if zeros == "positive":
        negative = rows < 0
        count = (negative[:, 1:] != negative[:, :-1]).sum(-1).astype(np.float64)
    else:
        sign = np.sign(rows)
        # carry the last non-zero sign forward over zeros; leading zeros keep 0
        idx = np.where(sign != 0, np.arange(rows.shape[1]), 0)
        np.maximum.accumulate(idx, axis=1, out=idx)
        filled = np.take_along_axis(sign, idx, axis=1)
        count = ((filled[:, 1:] * filled[:, :-1]) < 0).sum(-1).astype(np.float64)
    if normalize:
        count = count / rows.shape[1]
    return restore(count)
