# SPDX-License-Identifier: BSD-3-Clause
"""Fractal measures: Higuchi, Katz and Petrosian fractal dimensions, detrended
fluctuation analysis (DFA) and the rescaled-range (R/S) Hurst exponent."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from biosynth._utils.check import check_int, check_option
from biosynth._utils.deprecation import renamed_arguments
from biosynth._utils.docs import fill_doc
from biosynth.fidelity._rows import as_rows
from biosynth.fidelity._torch import to_numpy, to_torch, use_torch
from biosynth.fidelity._xarray import labelled

logger = logging.getLogger(__name__)

#: Smallest signal for the default DFA window set (4 to N/10 samples by a factor 1.2).
DFA_MIN_SAMPLES = 58
#: Smallest signal for the default R/S window set (nolds ``logmid_n``).
HURST_MIN_SAMPLES = 16


def _constant_rows(rows: np.ndarray) -> np.ndarray:
    """Boolean mask of rows whose samples are all equal."""
    return rows.max(axis=1) == rows.min(axis=1)


def _fit_slope(log_x: np.ndarray, log_y: np.ndarray) -> np.ndarray:
    """Least-squares slope of ``log_y`` (n_rows, n_points) on ``log_x`` (n_points,),
    row by row, using only finite points; NaN where fewer than two remain."""
    valid = np.isfinite(log_y)
    w = valid.astype(np.float64)
    y = np.where(valid, log_y, 0.0)
    x = np.broadcast_to(log_x, y.shape)
    count = w.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        x_mean = (w * x).sum(axis=1, keepdims=True) / count
        y_mean = (w * y).sum(axis=1, keepdims=True) / count
        dx = w * (x - x_mean)
        slope = (dx * (y - y_mean)).sum(axis=1) / (dx * (x - x_mean)).sum(axis=1)
    slope[count[:, 0] < 2] = np.nan
    return slope


def _safe_log(values: np.ndarray) -> np.ndarray:
    """Natural log with NaN (not a warning) for values that are zero, negative or NaN."""
    out = np.full(values.shape, np.nan)
    np.log(values, out=out, where=values > 0)
    return out


def _check_sizes(name: str, sizes: Any, *, low: int, high: int) -> np.ndarray:
    """Validate a user window-size set: at least two integers within [low, high]."""
    array = np.asarray(sizes)
    if array.ndim != 1 or array.size < 2 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must be a 1-D sequence of at least two integers, got {sizes!r}.")
    if array.min() < low or array.max() > high:
        raise ValueError(
            f"{name} must lie between {low} and {high} samples for this input, "
            f"got values from {array.min()} to {array.max()}."
        )
    return array.astype(np.int64)


# ----------------------------------------------------------------------------- Higuchi


@labelled
@fill_doc
def higuchi_fd(x: Any, *, kmax: int = 10, axis: int = -1, device: str = "cpu") -> np.ndarray:
    r"""Higuchi fractal dimension (Higuchi 1988).

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals; any leading shape, any amplitude unit.
    kmax : int, default=10
        Largest delay :math:`k` (in samples); the curve lengths use
        :math:`k = 1, \dots, k_{max}`. 10 is antropy's default; neurokit2's
        ``fractal_higuchi`` searches for one unless given an integer ``k_max``.
    %(axis)s
    %(device)s

    Returns
    -------
    hfd : ndarray of float64, shape (...)
        Fractal dimension: 1 for a straight line, about 2 for white noise. NaN
        where a curve length :math:`L(k)` is zero (a flat signal, or one with
        period :math:`k`), since its logarithm is undefined.

    Notes
    -----
    For each :math:`k` and offset :math:`m = 0, \dots, k-1` (0-based), with
    :math:`N_m = \lfloor (N - 1 - m) / k \rfloor`,

    .. math:: L_m(k) = \frac{N-1}{N_m k^2} \sum_{j=1}^{N_m} |x_{m+jk} - x_{m+(j-1)k}|,
              \quad L(k) = \frac{1}{k} \sum_m L_m(k),

    and the dimension is the least-squares slope of :math:`\ln L(k)` against
    :math:`\ln(1/k)` (the log base cancels). The same definition as antropy
    ``higuchi_fd`` and neurokit2 ``fractal_higuchi`` with an integer ``k_max``.
    Needs :math:`N \ge 2 k_{max}` so every :math:`N_m \ge 1`. Scale-free: the same
    value in volts and in microvolts.

    References
    ----------
    Higuchi, T. (1988). Approach to an irregular time series on the basis of the
    fractal theory. Physica D, 31(2), 277-283.

    Examples
    --------
    >>> import numpy as np
    >>> round(float(higuchi_fd(np.arange(100.0))), 6)
    1.0
    """
    kmax = check_int("kmax", kmax, low=2)
    rows, restore = as_rows(x, axis=axis, min_samples=2 * kmax)
    k_values = np.arange(1, kmax + 1, dtype=np.int64)
    if use_torch(device):
        lengths = _higuchi_lengths_torch(rows, kmax, device)
    else:
        from biosynth.fidelity._kernels import fractal as _kernels

        lengths = _kernels.higuchi_lengths(rows, k_values)
    hfd = -_fit_slope(np.log(k_values.astype(np.float64)), _safe_log(lengths))
    hfd[(lengths <= 0).any(axis=1)] = np.nan
    return restore(hfd)


def _higuchi_lengths_torch(rows: np.ndarray, kmax: int, device: str) -> np.ndarray:
    """Torch path of the Higuchi curve lengths: (n_rows, n_times) -> (n_rows, kmax)."""
    import torch

    x = to_torch(rows, device)
    n_rows, n = x.shape
    out = torch.empty((n_rows, kmax), dtype=torch.float64, device=x.device)
    for k in range(1, kmax + 1):
        steps = (x[:, k:] - x[:, :-k]).abs()  # step j belongs to offset j % k
        pad = (-steps.shape[1]) % k
        steps = torch.nn.functional.pad(steps, (0, pad))
        sums = steps.reshape(n_rows, -1, k).sum(dim=1)  # (n_rows, k)
        n_m = torch.as_tensor([(n - 1 - m) // k for m in range(k)], dtype=torch.float64, device=x.device)
        out[:, k - 1] = (sums * (n - 1) / (n_m * k) / k).sum(dim=1) / k
    return to_numpy(out)


# ----------------------------------------------------------------------------- Katz


@labelled
@fill_doc
def katz_fd(
    x: Any, *, distance: Literal["amplitude", "euclidean"] = "amplitude", axis: int = -1, device: str = "cpu"
) -> np.ndarray:
    r"""Katz fractal dimension (Katz 1988).

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals; any leading shape. At least 2 samples.
    distance : {"amplitude", "euclidean"}, default="amplitude"
        ``"amplitude"``: distances between samples are amplitude differences
        :math:`|x_i - x_j|` (antropy ``katz_fd``, neurokit2 ``fractal_katz``,
        mne-features); scale-free. ``"euclidean"``: Katz's planar waveform, points
        :math:`(i, x_i)` with one sample as the time unit, so distances are
        :math:`\sqrt{(i-j)^2 + (x_i - x_j)^2}`; this value depends on the amplitude
        unit and is not scale-free.
    %(axis)s
    %(device)s

    Returns
    -------
    kfd : ndarray of float64, shape (...)
        Fractal dimension; 1 for a straight line. NaN for a flat signal
        (with ``"amplitude"`` the mean step :math:`a` is 0).

    Notes
    -----
    With :math:`L` the total length of the curve (sum of successive distances),
    :math:`a = L / (N-1)` the mean step and :math:`d` the largest distance from
    the first sample to any other,

    .. math:: D = \frac{\log(L/a)}{\log(d/a)}.

    The log base cancels (peers write :math:`\log_{10}`).

    References
    ----------
    Katz, M. J. (1988). Fractals and the analysis of waveforms. Computers in
    Biology and Medicine, 18(3), 145-156.

    Examples
    --------
    >>> import numpy as np
    >>> round(float(katz_fd(np.arange(50.0))), 6)
    1.0
    """
    check_option("distance", distance, ("amplitude", "euclidean"))
    rows, restore = as_rows(x, axis=axis, min_samples=2)
    if use_torch(device):
        import torch

        t = to_torch(rows, device)
        steps = torch.diff(t, dim=-1).abs()
        reach = (t - t[:, :1]).abs()
        if distance == "euclidean":
            lags = torch.arange(t.shape[1], dtype=torch.float64, device=t.device)
            steps, reach = torch.sqrt(1.0 + steps**2), torch.sqrt(lags**2 + reach**2)
        length, mean_step, far = steps.sum(-1), steps.mean(-1), reach.amax(-1)
        kfd = to_numpy(torch.log10(length / mean_step) / torch.log10(far / mean_step))
    else:
        steps = np.abs(np.diff(rows, axis=-1))
        reach = np.abs(rows - rows[:, :1])
        if distance == "euclidean":
            lags = np.arange(rows.shape[1], dtype=np.float64)
            steps, reach = np.sqrt(1.0 + steps**2), np.sqrt(lags**2 + reach**2)
        length, mean_step, far = steps.sum(-1), steps.mean(-1), reach.max(-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            kfd = np.log10(length / mean_step) / np.log10(far / mean_step)
    return restore(kfd)


# ----------------------------------------------------------------------------- Petrosian


@labelled
@fill_doc
def petrosian_fd(
    x: Any,
    *,
    binarize: Literal["diff_sign", "mean", "mean_sd", "diff_sd"] = "diff_sign",
    length: Literal["signal", "sequence"] = "signal",
    axis: int = -1,
    device: str = "cpu",
) -> np.ndarray:
    r"""Petrosian fractal dimension (Petrosian 1995).

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals; any leading shape. At least 3 samples.
    binarize : {"diff_sign", "mean", "mean_sd", "diff_sd"}, default="diff_sign"
        How the binary sequence is made (Petrosian's variants; neurokit2
        ``complexity_symbolize`` methods C, A, B, D): ``"diff_sign"`` 1 where the
        first difference is negative (sign bit; a zero difference counts as
        positive), ``"mean"`` 1 where :math:`x` exceeds its mean, ``"mean_sd"`` 1
        where :math:`x` lies outside mean ± SD, ``"diff_sd"`` 1 where
        :math:`|\Delta x|` exceeds the SD (SD with ddof=1, as neurokit2).
    length : {"signal", "sequence"}, default="signal"
        :math:`N` in the formula: the number of samples of ``x`` (Petrosian 1995,
        antropy ``petrosian_fd``) or the length of the binary sequence
        (neurokit2 ``fractal_petrosian``; one less for the difference methods).
    %(axis)s
    %(device)s

    Returns
    -------
    pfd : ndarray of float64, shape (...)
        Fractal dimension, 1 when the binary sequence never changes (a flat or
        monotonic signal). Scale-free.

    Notes
    -----
    With :math:`N_\delta` the number of changes between successive symbols of
    the binary sequence,

    .. math:: D = \frac{\log_{10} N}{\log_{10} N + \log_{10}\frac{N}{N + 0.4 N_\delta}}.

    References
    ----------
    Petrosian, A. (1995). Kolmogorov complexity of finite sequences and
    recognition of different preictal EEG patterns. Proc. 8th IEEE Symposium on
    Computer-Based Medical Systems, 212-217.

    Examples
    --------
    >>> import numpy as np
    >>> float(petrosian_fd(np.arange(20.0)))
    1.0
    """
    check_option("binarize", binarize, ("diff_sign", "mean", "mean_sd", "diff_sd"))
    check_option("length", length, ("signal", "sequence"))
    rows, restore = as_rows(x, axis=axis, min_samples=3)
    if use_torch(device):
        import torch

        t = to_torch(rows, device)
        diff = torch.diff(t, dim=-1)
        if binarize == "diff_sign":
            symbols = torch.signbit(diff)
        elif binarize == "mean":
            symbols = t > t.mean(-1, keepdim=True)
        elif binarize == "mean_sd":
            mean, sd = t.mean(-1, keepdim=True), t.std(-1, correction=1, keepdim=True)
            symbols = (t < mean - sd) | (t > mean + sd)
        else:
            symbols = diff.abs() > t.std(-1, correction=1, keepdim=True)
        changes = to_numpy((symbols[:, 1:] != symbols[:, :-1]).sum(-1)).astype(np.float64)
    else:
        diff = np.diff(rows, axis=-1)
        if binarize == "diff_sign":
            symbols = np.signbit(diff)
        elif binarize == "mean":
            symbols = rows > rows.mean(-1, keepdims=True)
        elif binarize == "mean_sd":
            mean, sd = rows.mean(-1, keepdims=True), rows.std(-1, ddof=1, keepdims=True)
            symbols = (rows < mean - sd) | (rows > mean + sd)
        else:
            symbols = np.abs(diff) > rows.std(-1, ddof=1, keepdims=True)
        changes = (symbols[:, 1:] != symbols[:, :-1]).sum(-1).astype(np.float64)
    n = rows.shape[1] if length == "signal" else symbols.shape[1]
    pfd = np.log10(n) / (np.log10(n) + np.log10(n / (n + 0.4 * changes)))
    return restore(pfd)


# ----------------------------------------------------------------------------- DFA


def _log_n(min_n: float, max_n: float, factor: float) -> list[int]:
    """nolds ``logarithmic_n``: floor(min_n * factor**i) up to max_n, without duplicates."""
    max_i = int(np.floor(np.log(1.0 * max_n / min_n) / np.log(factor)))
    ns = [int(min_n)]
    for i in range(max_i + 1):
        n = int(np.floor(min_n * (factor**i)))
        if n > ns[-1]:
            ns.append(n)
    return ns


def _dfa_setup(
    x: Any, window_sizes: Sequence[int] | None, overlap: bool, detrend_order: int, axis: int
) -> tuple[np.ndarray, Any, np.ndarray, np.ndarray, np.ndarray]:
    """Validate DFA inputs; return rows, restore, sizes, steps and window counts."""
    detrend_order = check_int("detrend_order", detrend_order, low=0)
    if not isinstance(overlap, (bool, np.bool_)):
        raise TypeError(f"overlap must be a bool, got {type(overlap).__name__} {overlap!r}.")
    if window_sizes is None:
        rows, restore = as_rows(x, axis=axis, min_samples=DFA_MIN_SAMPLES)
        sizes = np.asarray(_log_n(4, 0.1 * rows.shape[1], 1.2), dtype=np.int64)
        if detrend_order + 1 >= sizes.min():
            raise ValueError(
                f"detrend_order={detrend_order} needs window_sizes larger than {detrend_order + 1}; "
                "pass window_sizes explicitly."
            )
    else:
        rows, restore = as_rows(x, axis=axis, min_samples=detrend_order + 3)
        sizes = _check_sizes("window_sizes", window_sizes, low=detrend_order + 2, high=rows.shape[1] - 1)
    n_times = rows.shape[1]
    if overlap:
        steps = sizes // 2
        counts = -(-(n_times - sizes) // steps)  # starts 0, step, ... < n_times - n (nolds, neurokit2)
    else:
        steps = sizes.copy()
        counts = n_times // sizes
    return rows, restore, sizes, steps, counts


def _poly_basis(n: int, detrend_order: int) -> np.ndarray:
    """Orthonormal basis (n, detrend_order) of polynomials of degree 1..detrend_order on n points,
    orthogonal to the constant (torch path; the Numba kernel builds its own)."""
    t = (np.arange(n) - (n - 1) / 2) / max(n / 2, 1.0)
    vander = np.vander(t, detrend_order + 1, increasing=True)
    q, _ = np.linalg.qr(vander)
    return np.ascontiguousarray(q[:, 1:])


def _dfa_curve(
    rows: np.ndarray, sizes: np.ndarray, steps: np.ndarray, counts: np.ndarray, detrend_order: int, device: str
):
    """F(n) for every row and window size: (n_rows, n_sizes)."""
    if use_torch(device):
        import torch

        t = to_torch(rows, device)
        profile = torch.cumsum(t - t.mean(-1, keepdim=True), dim=-1)
        out = torch.empty((rows.shape[0], sizes.size), dtype=torch.float64, device=t.device)
        for i, (n, step, count) in enumerate(zip(sizes.tolist(), steps.tolist(), counts.tolist(), strict=True)):
            windows = profile.unfold(1, n, step)[:, :count]
            centred = windows - windows.mean(-1, keepdim=True)
            q = torch.as_tensor(_poly_basis(n, detrend_order), device=t.device)
            resid = centred - (centred @ q) @ q.T
            out[:, i] = torch.sqrt((resid**2).sum(-1).div(n).mean(-1))
        return to_numpy(out)
    from biosynth.fidelity._kernels import fractal as _kernels

    profile = np.cumsum(rows - rows.mean(axis=1, keepdims=True), axis=1)
    return _kernels.dfa_fluctuations(profile, sizes, steps.astype(np.int64), counts.astype(np.int64), detrend_order)


@renamed_arguments({"order": "detrend_order"}, since="0.2", until="0.3")
@fill_doc
def dfa_fluctuation(
    x: Any,
    *,
    window_sizes: Sequence[int] | None = None,
    overlap: bool = False,
    detrend_order: int = 1,
    axis: int = -1,
    device: str = "cpu",
) -> tuple[np.ndarray, np.ndarray]:
    """DFA fluctuation function :math:`F(n)` (Peng et al. 1994), the curve whose
    log-log slope :func:`detrended_fluctuation` returns.

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals; any leading shape.
    window_sizes : sequence of int | None, default=None
        Window sizes :math:`n` in samples; see :func:`detrended_fluctuation`.
    overlap : bool, default=False
        Windows overlap by half; see :func:`detrended_fluctuation`.
    detrend_order : int, default=1
        Order (degree) of the polynomial removed from each window; ``order``
        before biosynth 0.2 (the old name warns until 0.3).
    %(axis)s
    %(device)s

    Returns
    -------
    window_sizes : ndarray of int64, shape (n_sizes,)
        The window sizes used.
    fluctuation : ndarray of float64, shape (..., n_sizes)
        :math:`F(n)`, in the unit of ``x`` times samples.

    Notes
    -----
    Arrays only (it returns two arrays, so it does not take a DataArray).

    References
    ----------
    Peng, C.-K. et al. (1994). Mosaic organization of DNA nucleotides. Physical
    Review E, 49(2), 1685-1689.

    Examples
    --------
    >>> import numpy as np
    >>> sizes, fluct = dfa_fluctuation(np.random.default_rng(0).normal(size=(2, 1000)))
    >>> sizes[:3].tolist(), fluct.shape
    ([4, 5, 6], (2, 17))
    """
    rows, restore, sizes, steps, counts = _dfa_setup(x, window_sizes, overlap, detrend_order, axis)
    return sizes, restore(_dfa_curve(rows, sizes, steps, counts, detrend_order, device))


@renamed_arguments({"order": "detrend_order"}, since="0.2", until="0.3")
@labelled
@fill_doc
def detrended_fluctuation(
    x: Any,
    *,
    window_sizes: Sequence[int] | None = None,
    overlap: bool = False,
    detrend_order: int = 1,
    axis: int = -1,
    device: str = "cpu",
) -> np.ndarray:
    r"""Detrended fluctuation analysis exponent :math:`\alpha` (Peng et al. 1994, 1995).

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals; any leading shape, any amplitude unit.
    window_sizes : sequence of int | None, default=None
        Window sizes :math:`n` in samples, each between ``detrend_order + 2`` and
        ``n_times - 1``. None uses nolds' and antropy's default: 4, then
        :math:`\lfloor 4 \cdot 1.2^i \rfloor` up to :math:`N/10`, without duplicates
        (needs :math:`N \ge 58`). neurokit2's default is
        ``unique(exp(linspace(log 10, log(N/10), N/10)).astype(int))``.
    overlap : bool, default=False
        False: non-overlapping windows from the start, the remainder dropped (Peng
        1994; antropy). True: windows start every :math:`\lfloor n/2 \rfloor`
        samples, at starts :math:`< N - n` (nolds' and neurokit2's default).
    detrend_order : int, default=1
        Order (degree) of the least-squares polynomial removed from each window
        (DFA1 = 1; nolds' and neurokit2's ``order``). Called ``order`` before
        biosynth 0.2 (the old name warns until 0.3): ``order`` is the embedding
        dimension everywhere else in :mod:`biosynth.fidelity`.
    %(axis)s
    %(device)s

    Returns
    -------
    alpha : ndarray of float64, shape (...)
        Scaling exponent: about 0.5 for white noise, 1.5 for a random walk.
        NaN for a flat signal, or when fewer than two :math:`F(n)` are non-zero.

    Notes
    -----
    The profile is :math:`y_t = \sum_{i \le t} (x_i - \bar x)`. For each window size
    :math:`n`, a polynomial of degree ``detrend_order`` is fitted by least squares to each
    window of the profile and

    .. math:: F(n) = \sqrt{\frac{1}{W} \sum_{w=1}^{W} \frac{1}{n}
              \sum_{t \in w} (y_t - \hat y_t)^2},

    the root of the mean over windows of each window's mean squared residual
    (nolds, antropy, neurokit2). :math:`\alpha` is the ordinary least-squares
    slope of :math:`\ln F(n)` on :math:`\ln n` (nolds ``fit_exp="poly"``; nolds'
    default RANSAC fit is random and not offered). Zero :math:`F(n)` are dropped
    before the fit, as in nolds and antropy; neurokit2 instead drops windows
    whose residual variance is below an absolute 1e-8, which is not scale-free.
    Scale-free: the same value in volts and in microvolts.

    References
    ----------
    Peng, C.-K. et al. (1994). Mosaic organization of DNA nucleotides. Physical
    Review E, 49(2), 1685-1689.

    Peng, C.-K., Havlin, S., Stanley, H. E., & Goldberger, A. L. (1995).
    Quantification of scaling exponents and crossover phenomena in nonstationary
    heartbeat time series. Chaos, 5(1), 82-87.

    Examples
    --------
    >>> import numpy as np
    >>> noise = np.random.default_rng(0).normal(size=10_000)
    >>> bool(abs(detrended_fluctuation(noise) - 0.5) < 0.1)
    True
    """
    rows, restore, sizes, steps, counts = _dfa_setup(x, window_sizes, overlap, detrend_order, axis)
    fluct = _dfa_curve(rows, sizes, steps, counts, detrend_order, device)
    alpha = _fit_slope(np.log(sizes.astype(np.float64)), _safe_log(fluct))
    alpha[_constant_rows(rows)] = np.nan
    return restore(alpha)


# ----------------------------------------------------------------------------- Hurst R/S


def _logmid_n(max_n: int, ratio: float = 1 / 4.0, nsteps: int = 15) -> np.ndarray:
    """nolds ``logmid_n``: nsteps log-spaced sizes in the middle of [1, max_n]."""
    log_max = np.log(max_n)
    span = log_max * ratio
    start = log_max * (1 - ratio) * 0.5
    midrange = start + 1.0 * np.arange(nsteps) / nsteps * span
    return np.unique(np.round(np.exp(midrange)).astype("int32")).astype(np.int64)


def _expected_rs(n: int, peters: bool) -> float:
    """Anis-Lloyd expected R/S of white noise for window n, with Peters' (n - 1/2)/n factor if asked."""
    i = np.arange(1, n)
    back = np.sum(np.sqrt((n - i) / i))
    if n <= 340:
        middle = math.gamma((n - 1) * 0.5) / math.sqrt(math.pi) / math.gamma(n * 0.5)
    else:
        middle = 1.0 / math.sqrt(n * math.pi * 0.5)
    front = (n - 0.5) / n if peters else 1.0
    return front * middle * back


@labelled
@fill_doc
def hurst_exponent(
    x: Any,
    *,
    window_sizes: Sequence[int] | None = None,
    correction: Literal["anis-lloyd-peters", "anis-lloyd", "none"] = "anis-lloyd-peters",
    ddof: int = 1,
    axis: int = -1,
) -> np.ndarray:
    r"""Hurst exponent by rescaled-range (R/S) analysis (Hurst 1951).

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals; any leading shape, any amplitude unit.
    window_sizes : sequence of int | None, default=None
        Window sizes :math:`n` in samples, each between 2 and ``n_times``. None uses
        nolds' default ``logmid_n(N, 1/4, 15)``: 15 log-spaced sizes across the
        middle quarter of :math:`[\ln 1, \ln N]`, rounded, without duplicates (needs
        :math:`N \ge 16`). neurokit2's default is the DFA scale
        ``unique(exp(linspace(log 10, log(N/10), N/10)).astype(int))``.
    correction : {"anis-lloyd-peters", "anis-lloyd", "none"}, default="anis-lloyd-peters"
        Subtract the expected :math:`\ln (R/S)_n` of white noise and add 0.5 to the
        slope: Anis & Lloyd (1976) with Peters' (1994) :math:`(n - 1/2)/n` factor
        (nolds ``hurst_rs``), without it (neurokit2 ``fractal_hurst``), or no
        correction (the raw R/S slope).
    ddof : int, default=1
        Delta degrees of freedom of each window's standard deviation :math:`S`
        (1: unbiased, nolds' and neurokit2's default; 0 for other implementations).
    %(axis)s

    Returns
    -------
    hurst : ndarray of float64, shape (...)
        About 0.5 for white noise, above for persistent, below for anti-persistent
        series. NaN for a flat signal (every range is zero).

    Notes
    -----
    Each window size :math:`n` splits the signal into :math:`\lfloor N/n \rfloor`
    non-overlapping windows from the start. In each, :math:`R` is the range of the
    cumulative sum of deviations from the window mean and :math:`S` its standard
    deviation; :math:`(R/S)_n` is the mean of :math:`R/S` over windows with
    :math:`R > 0` (windows whose samples are all equal are skipped; a size with
    no such window is left out of the fit, as in nolds). :math:`H` is
    the ordinary least-squares slope of :math:`\ln (R/S)_n` on :math:`\ln n`
    (nolds ``fit="poly"``; its default RANSAC fit is random and not offered).
    With a correction,

    .. math:: E[R/S]_n = \frac{n - 1/2}{n}\,\frac{\Gamma((n-1)/2)}{\sqrt{\pi}\,\Gamma(n/2)}
              \sum_{i=1}^{n-1} \sqrt{\frac{n-i}{i}}

    (the Gamma ratio replaced by :math:`1/\sqrt{n \pi / 2}` for :math:`n > 340`) is
    divided out and 0.5 added to the slope. Scale-free.

    References
    ----------
    Hurst, H. E. (1951). Long-term storage capacity of reservoirs. Transactions of
    the American Society of Civil Engineers, 116, 770-799.

    Anis, A. A., & Lloyd, E. H. (1976). The expected value of the adjusted rescaled
    Hurst range of independent normal summands. Biometrika, 63(1), 111-116.

    Peters, E. E. (1994). Fractal Market Analysis. Wiley.

    Examples
    --------
    >>> import numpy as np
    >>> noise = np.random.default_rng(0).normal(size=4000)
    >>> bool(abs(hurst_exponent(noise) - 0.5) < 0.1)
    True
    """
    check_option("correction", correction, ("anis-lloyd-peters", "anis-lloyd", "none"))
    ddof = check_int("ddof", ddof, low=0, high=1)
    if window_sizes is None:
        rows, restore = as_rows(x, axis=axis, min_samples=HURST_MIN_SAMPLES)
        sizes = _logmid_n(rows.shape[1])
        sizes = sizes[sizes >= 2]
    else:
        rows, restore = as_rows(x, axis=axis, min_samples=3)
        sizes = _check_sizes("window_sizes", window_sizes, low=2, high=rows.shape[1])
    from biosynth.fidelity._kernels import fractal as _kernels

    log_rs = _safe_log(_kernels.rescaled_ranges(rows, sizes, ddof))
    if correction != "none":
        expected = np.array([_expected_rs(int(n), correction == "anis-lloyd-peters") for n in sizes])
        log_rs = log_rs - np.log(expected)
    hurst = _fit_slope(np.log(sizes.astype(np.float64)), log_rs)
    if correction != "none":
        hurst = hurst + 0.5
    hurst[_constant_rows(rows)] = np.nan
    return restore(hurst)
