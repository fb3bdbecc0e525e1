# SPDX-License-Identifier: BSD-3-Clause
"""Entropy measures: sample, approximate, multiscale, permutation, spectral and SVD
entropy, and Lempel-Ziv complexity.

Every measure takes signals of any leading shape with time on ``axis``, computes every
row in parallel and returns float64 values of the leading shape. Tolerance-based
measures (sample, approximate, multiscale) take ``r`` as a fraction of each row's
standard deviation, so all measures here are scale-free: the same value in volts and in
microvolts. Each convention where peers differ (``ddof``, ``<`` or ``<=`` r, log base,
normalisation) is a parameter; the docstrings say which setting reproduces antropy,
neurokit2 or nolds.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np

from biosynth._utils.check import check_int, check_number, check_option, check_sfreq, check_type
from biosynth._utils.deprecation import renamed_arguments
from biosynth._utils.docs import fill_doc
from biosynth.fidelity._psd import psd_torch
from biosynth.fidelity._rows import as_rows
from biosynth.fidelity._torch import to_numpy, to_torch, use_torch
from biosynth.fidelity._xarray import labelled

logger = logging.getLogger(__name__)

#: Largest permutation-entropy order (8! = 40320 patterns per row).
MAX_PERMUTATION_ORDER = 8


#: Most int32 count cells approximate entropy keeps per call (2**25: 128 MiB).
_APEN_CELLS = 2**25


def _n_chunks(n_rows: int) -> int:
    """Chunks per row for the template kernels: enough jobs to keep every thread busy."""
    import numba

    return max(1, min(64, -(-4 * numba.get_num_threads() // max(n_rows, 1))))


def _radius(rows: np.ndarray, tolerance: float, ddof: int, closed: bool) -> np.ndarray:
    """Per-row radius ``tolerance * SD(ddof)``, as used by the kernels' ``d <= radius`` test."""
    r = tolerance * np.std(rows, axis=1, ddof=ddof)
    return r if closed else np.nextafter(r, -np.inf)  # d < r  <=>  d <= nextafter(r, -inf) for floats


def _flat(rows: np.ndarray) -> np.ndarray:
    """Boolean mask of rows whose samples are all equal."""
    return rows.max(axis=1) == rows.min(axis=1)


def _check_tolerance_options(order: int, delay: int, tolerance: float, ddof: int, closed: bool) -> tuple:
    """Validate the shared options of the tolerance-based measures."""
    order = check_int("order", order, low=1)
    delay = check_int("delay", delay, low=1)
    tolerance = check_number("tolerance", tolerance, low=0, low_inclusive=False)
    ddof = check_int("ddof", ddof, low=0, high=1)
    check_type("closed", closed, (bool, np.bool_), "a bool")
    return order, delay, tolerance, ddof, bool(closed)


def _sampen_from_counts(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """-ln(A / B); NaN where B = 0, +inf where A = 0 < B."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    out = np.full(np.broadcast(a, b).shape, np.nan)
    np.divide(a, b, out=out, where=b > 0)
    with np.errstate(divide="ignore"):
        return -np.log(out)


def _row_counts(rows: np.ndarray, order: int, delay: int, radius: np.ndarray) -> np.ndarray:
    """(n_rows, 2) [A, B] template-pair counts of equal-length rows."""
    from biosynth.fidelity._kernels import entropy as _kernels

    n_rows, n_times = rows.shape
    starts = np.arange(n_rows, dtype=np.int64) * n_times
    lengths = np.full(n_rows, n_times, dtype=np.int64)
    return _kernels.sampen_counts(rows.ravel(), starts, lengths, order, delay, radius, _n_chunks(n_rows))


# ----------------------------------------------------------------------------- sample entropy


@labelled
@fill_doc
def sample_entropy(
    x: Any,
    *,
    order: int = 2,
    delay: int = 1,
    tolerance: float = 0.2,
    ddof: int = 0,
    closed: bool = True,
    axis: int = -1,
) -> np.ndarray:
    r"""Sample entropy (Richman & Moorman 2000), Chebyshev distance.

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals; any leading shape, any amplitude unit. At least
        ``order * delay + 2`` samples.
    order : int, default=2
        Embedding dimension :math:`m`.
    delay : int, default=1
        Delay :math:`\tau` between template coordinates, in samples.
    tolerance : float, default=0.2
        Radius :math:`r` as a fraction of each row's standard deviation.
    ddof : {0, 1}, default=0
        Delta degrees of freedom of that standard deviation: 0 as antropy (default
        ``tolerance``); 1 as neurokit2 (``tolerance="sd"``).
    closed : bool, default=True
        True: templates match when their distance is :math:`\le r` (Richman &
        Moorman; antropy for signals of 5000 samples or more, neurokit2, nolds with
        ``closed=True``). False: strictly :math:`< r` (antropy's Numba path for
        shorter signals, nolds' default).
    %(axis)s

    Returns
    -------
    sampen : ndarray of float64, shape (...)
        Sample entropy in nats. NaN where no pair of :math:`m`-templates matches
        (:math:`B = 0`), and for flat rows (the radius is 0, so matches would depend
        only on exact equality). +inf where :math:`m`-templates match but no
        :math:`(m+1)`-template does (:math:`A = 0`), as :math:`-\ln 0`.

    Notes
    -----
    With the :math:`N - m\tau` templates
    :math:`u_i = (x_i, x_{i+\tau}, \dots, x_{i+m\tau})` (the same set for both
    lengths, as Richman & Moorman, antropy, neurokit2 and nolds use),
    :math:`B` counts the pairs :math:`i < j` whose first :math:`m` coordinates lie
    within :math:`r` (Chebyshev distance) and :math:`A` the pairs whose
    :math:`m + 1` coordinates do; :math:`\mathrm{SampEn} = -\ln(A / B)`, natural log.
    :math:`r = \mathrm{tolerance} \cdot \mathrm{SD}_{ddof}(x)` per row, so the value
    is scale-free. neurokit2 ``entropy_sample`` is reproduced with ``ddof=1``;
    its ``delay > 1`` drops a different template, so agreement holds for ``delay=1``.

    The kernel sorts the templates by their first value, so each template visits
    only the candidates within :math:`r` in that coordinate, and splits the sorted
    templates among all threads; the counts are exact (the same as a double loop).

    References
    ----------
    Richman, J. S., & Moorman, J. R. (2000). Physiological time-series analysis
    using approximate entropy and sample entropy. American Journal of Physiology -
    Heart and Circulatory Physiology, 278(6), H2039-H2049.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.sin(2 * np.pi * np.arange(1000) / 50)
    >>> bool(sample_entropy(x) < 0.3)
    True
    """
    order, delay, tolerance, ddof, closed = _check_tolerance_options(order, delay, tolerance, ddof, closed)
    rows, restore = as_rows(x, axis=axis, min_samples=order * delay + 2)
    counts = _row_counts(rows, order, delay, _radius(rows, tolerance, ddof, closed))
    out = _sampen_from_counts(counts[:, 0], counts[:, 1])
    out[_flat(rows)] = np.nan
    return restore(out)


# ----------------------------------------------------------------------------- approximate entropy


@labelled
@fill_doc
def approximate_entropy(
    x: Any,
    *,
    order: int = 2,
    delay: int = 1,
    tolerance: float = 0.2,
    ddof: int = 0,
    closed: bool = True,
    axis: int = -1,
) -> np.ndarray:
    r"""Approximate entropy (Pincus 1991), Chebyshev distance.

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals; any leading shape. At least ``order * delay + 1`` samples.
    order : int, default=2
        Embedding dimension :math:`m`.
    delay : int, default=1
        Delay :math:`\tau` between template coordinates, in samples.
    tolerance : float, default=0.2
        Radius :math:`r` as a fraction of each row's standard deviation.
    ddof : {0, 1}, default=0
        Delta degrees of freedom of that standard deviation: 0 as antropy, 1 as
        neurokit2 (``tolerance="sd"``).
    closed : bool, default=True
        True: match when the distance is :math:`\le r` (Pincus; antropy and neurokit2).
        False: strictly :math:`< r`.
    %(axis)s

    Returns
    -------
    apen : ndarray of float64, shape (...)
        Approximate entropy in nats, :math:`\Phi^m - \Phi^{m+1}`, signed as Pincus
        and antropy define it (it can be slightly negative for very regular
        signals; neurokit2 returns its absolute value). NaN for flat rows (the
        radius is 0).

    Notes
    -----
    With :math:`N_m = N - (m-1)\tau` templates of length :math:`m` and
    :math:`C_i^m` the fraction of them within :math:`r` of template :math:`i`
    (self-match included),
    :math:`\Phi^m = N_m^{-1} \sum_i \ln C_i^m` and
    :math:`\mathrm{ApEn} = \Phi^m - \Phi^{m+1}`, natural log;
    :math:`r = \mathrm{tolerance} \cdot \mathrm{SD}_{ddof}(x)` per row (scale-free).

    References
    ----------
    Pincus, S. M. (1991). Approximate entropy as a measure of system complexity.
    Proceedings of the National Academy of Sciences, 88(6), 2297-2301.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.sin(2 * np.pi * np.arange(1000) / 50)
    >>> bool(approximate_entropy(x) < 0.3)
    True
    """
    from biosynth.fidelity._kernels import entropy as _kernels

    order, delay, tolerance, ddof, closed = _check_tolerance_options(order, delay, tolerance, ddof, closed)
    rows, restore = as_rows(x, axis=axis, min_samples=order * delay + 1)
    n_rows, n = rows.shape
    radius = _radius(rows, tolerance, ddof, closed)
    n_m = n - (order - 1) * delay
    n_chunks = max(1, min(_n_chunks(n_rows), _APEN_CELLS // (2 * n_rows * n_m)))  # bound the per-chunk counts
    counts = _kernels.apen_counts(rows, order, delay, radius, n_chunks).astype(np.float64)
    n_m1 = n - order * delay
    phi_m = np.mean(np.log(counts[:, 0] / n_m), axis=1)
    phi_m1 = np.mean(np.log(counts[:, 1, :n_m1] / n_m1), axis=1)
    out = phi_m - phi_m1
    out[_flat(rows)] = np.nan
    return restore(out)


# ----------------------------------------------------------------------------- multiscale entropy

MultiscaleMethod = Literal["coarse", "composite", "refined_composite"]


def _check_scales(scales: Any) -> np.ndarray:
    """An int ``s`` means scales 1..s; else a 1-D sequence of distinct positive integers."""
    if isinstance(scales, (int, np.integer)) and not isinstance(scales, bool):
        return np.arange(1, check_int("scales", scales, low=1) + 1)
    array = np.asarray(scales)
    if array.ndim != 1 or array.size == 0 or not np.issubdtype(array.dtype, np.integer) or array.min() < 1:
        raise ValueError(f"scales must be a positive integer or a 1-D sequence of positive integers, got {scales!r}.")
    if np.unique(array).size != array.size:
        raise ValueError(f"scales must not repeat a scale, got {scales!r}.")
    return array.astype(np.int64)


def _mse_curve(
    x: Any,
    scales: Any,
    order: int,
    tolerance: float,
    ddof: int,
    closed: bool,
    method: str,
    axis: int,
) -> tuple[np.ndarray, Callable]:
    """(n_rows, n_scales) multiscale sample entropy and the restore of the rows."""
    from biosynth.fidelity._kernels import entropy as _kernels

    scale_values = _check_scales(scales)
    order, _, tolerance, ddof, closed = _check_tolerance_options(order, 1, tolerance, ddof, closed)
    check_option("method", method, ("coarse", "composite", "refined_composite"))
    largest = int(scale_values.max())
    # every coarse-grained series needs order + 2 samples (the last offset of a composite one loses up to s - 1)
    min_samples = largest * (order + 2) + (largest - 1 if method != "coarse" else 0)
    rows, restore = as_rows(x, axis=axis, min_samples=min_samples)
    n_rows, n = rows.shape
    radius = _radius(rows, tolerance, ddof, closed)  # r from the original signal at every scale (Costa 2002)
    pieces, lengths, owners = [], [], []
    for col, s in enumerate(scale_values):
        offsets = range(s) if method != "coarse" else range(1)
        for k in offsets:
            n_coarse = (n - k) // s
            coarse = rows[:, k : k + n_coarse * s].reshape(n_rows, n_coarse, s).mean(axis=-1)
            pieces.append(coarse)
            lengths.append(n_coarse)
            owners.append(col)
    # ragged rows ordered (piece, row): one kernel call computes every series in parallel
    data = np.concatenate([p.ravel() for p in pieces])
    seg_lengths = np.repeat(np.asarray(lengths, dtype=np.int64), n_rows)
    starts = np.concatenate([[0], np.cumsum(seg_lengths)[:-1]]).astype(np.int64)
    counts = _kernels.sampen_counts(
        data, starts, seg_lengths, order, 1, np.tile(radius, len(pieces)), _n_chunks(len(seg_lengths))
    ).reshape(len(pieces), n_rows, 2)
    owners = np.asarray(owners)
    curve = np.empty((n_rows, scale_values.size))
    for col in range(scale_values.size):
        block = counts[owners == col]  # (n_offsets, n_rows, 2)
        if method == "refined_composite":
            curve[:, col] = _sampen_from_counts(block[..., 0].sum(axis=0), block[..., 1].sum(axis=0))
        else:
            curve[:, col] = _sampen_from_counts(block[..., 0], block[..., 1]).mean(axis=0)
    curve[_flat(rows)] = np.nan
    return curve, restore


@labelled
@fill_doc
def multiscale_entropy(
    x: Any,
    *,
    scales: int | Sequence[int] = 20,
    order: int = 2,
    tolerance: float = 0.2,
    ddof: int = 0,
    closed: bool = True,
    method: MultiscaleMethod = "coarse",
    index: Literal["sum", "mean", "neurokit"] = "sum",
    axis: int = -1,
) -> np.ndarray:
    r"""Multiscale entropy complexity index (Costa 2002, 2005; Wu 2013, 2014).

    One number per signal, so it also labels a DataArray; the sample entropy per
    scale is :func:`multiscale_entropy_curve`.

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals; any leading shape. At least ``max(scales) * (order + 2)`` samples
        (``max(scales) - 1`` more for the composite methods).
    scales : int or sequence of int, default=20
        Scale factors :math:`\tau`: an int ``s`` means ``1, ..., s``.
    order : int, default=2
        Embedding dimension :math:`m` of the sample entropy (neurokit2's default
        is 3).
    tolerance : float, default=0.2
        Radius :math:`r` as a fraction of the standard deviation of the original
        (not coarse-grained) signal, kept fixed across scales as Costa does.
    ddof : {0, 1}, default=0
        Delta degrees of freedom of that standard deviation (neurokit2: 1).
    closed : bool, default=True
        Match when the distance is :math:`\le r` (True) or :math:`< r` (False).
    method : {"coarse", "composite", "refined_composite"}, default="coarse"
        ``"coarse"``: sample entropy of the non-overlapping means of :math:`\tau`
        samples (Costa 2002; neurokit2 ``method="MSEn"``). ``"composite"``: mean
        of the sample entropies of the :math:`\tau` coarse-grained series starting
        at offsets :math:`k = 0, \dots, \tau - 1` (Wu 2013). ``"refined_composite"``:
        :math:`-\ln(\sum_k A_k / \sum_k B_k)` over the same series (Wu 2014).
    index : {"sum", "mean", "neurokit"}, default="sum"
        How the curve becomes one number: ``"sum"`` over scales (Costa 2005's area
        under the MSE curve), ``"mean"`` over scales, or ``"neurokit"``: the
        trapezoidal area of the finite values divided by their number (neurokit2
        ``entropy_multiscale``). ``"sum"`` and ``"mean"`` propagate NaN and inf.
    %(axis)s

    Returns
    -------
    mse : ndarray of float64, shape (...)
        Complexity index in nats. NaN for flat rows (the radius is 0).

    Notes
    -----
    Coarse-grained series :math:`y^{(\tau, k)}_j = \tau^{-1}
    \sum_{i = k + (j-1)\tau}^{k + j\tau - 1} x_i`, :math:`j = 1, \dots,
    \lfloor (N-k)/\tau \rfloor`. Sample entropy as :func:`sample_entropy` (delay 1,
    natural log) with the radius of the original signal. neurokit2's
    ``"CMSEn"``/``"RCMSEn"`` take every :math:`\tau`-th sample without averaging
    (time-shifted series), so they differ from Wu's composite methods here.

    References
    ----------
    Costa, M., Goldberger, A. L., & Peng, C.-K. (2002). Multiscale entropy analysis
    of complex physiologic time series. Physical Review Letters, 89(6), 068102.
    Costa, M., Goldberger, A. L., & Peng, C.-K. (2005). Multiscale entropy analysis
    of biological signals. Physical Review E, 71(2), 021906.
    Wu, S.-D., Wu, C.-W., Lin, S.-G., Wang, C.-C., & Lee, K.-Y. (2013). Time series
    analysis using composite multiscale entropy. Entropy, 15(3), 1069-1084.
    Wu, S.-D., Wu, C.-W., Lin, S.-G., Lee, K.-Y., & Peng, C.-K. (2014). Analysis of
    complex time series using refined composite multiscale entropy. Physics
    Letters A, 378(20), 1369-1374.

    Examples
    --------
    >>> import numpy as np
    >>> noise = np.random.default_rng(0).normal(size=2000)
    >>> multiscale_entropy(noise, scales=5).shape
    ()
    """
    check_option("index", index, ("sum", "mean", "neurokit"))
    curve, restore = _mse_curve(x, scales, order, tolerance, ddof, closed, method, axis)
    if index == "sum":
        out = curve.sum(axis=1)
    elif index == "mean":
        out = curve.mean(axis=1)
    else:
        out = np.full(curve.shape[0], np.nan)
        for i, values in enumerate(curve):
            finite = values[np.isfinite(values)]
            if finite.size:
                out[i] = np.trapezoid(finite) / finite.size
    return restore(out)


@fill_doc
def multiscale_entropy_curve(
    x: Any,
    *,
    scales: int | Sequence[int] = 20,
    order: int = 2,
    tolerance: float = 0.2,
    ddof: int = 0,
    closed: bool = True,
    method: MultiscaleMethod = "coarse",
    axis: int = -1,
) -> np.ndarray:
    r"""Sample entropy per scale (the MSE curve) of :func:`multiscale_entropy`.

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals (NumPy arrays; for a DataArray pass ``da.values`` and its time axis).
    scales : int or sequence of int, default=20
        Scale factors; an int ``s`` means ``1, ..., s``.
    order : int, default=2
        Embedding dimension :math:`m`.
    tolerance : float, default=0.2
        Radius as a fraction of the original signal's standard deviation.
    ddof : {0, 1}, default=0
        Delta degrees of freedom of that standard deviation.
    closed : bool, default=True
        Match when the distance is :math:`\le r` (True) or :math:`< r` (False).
    method : {"coarse", "composite", "refined_composite"}, default="coarse"
        Coarse-graining, as in :func:`multiscale_entropy`.
    %(axis)s

    Returns
    -------
    curve : ndarray of float64, shape (..., n_scales)
        Sample entropy (nats) at each scale, in the order of ``scales``; NaN/inf
        as :func:`sample_entropy`.

    Notes
    -----
    See :func:`multiscale_entropy` for the definitions and conventions.

    References
    ----------
    Costa, M., Goldberger, A. L., & Peng, C.-K. (2002). Multiscale entropy analysis
    of complex physiologic time series. Physical Review Letters, 89(6), 068102.

    Examples
    --------
    >>> import numpy as np
    >>> noise = np.random.default_rng(0).normal(size=2000)
    >>> curve = multiscale_entropy_curve(noise, scales=4)
    >>> curve.shape, bool(curve[0] > curve[-1])
    ((4,), True)
    """
    curve, restore = _mse_curve(x, scales, order, tolerance, ddof, closed, method, axis)
    return restore(curve)


# ----------------------------------------------------------------------------- permutation entropy


@labelled
@fill_doc
def permutation_entropy(
    x: Any,
    *,
    order: int = 3,
    delay: int = 1,
    normalize: bool = False,
    axis: int = -1,
    device: str = "cpu",
) -> np.ndarray:
    r"""Permutation entropy (Bandt & Pompe 2002).

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals; any leading shape. At least ``(order - 1) * delay + 1`` samples.
    order : int, default=3
        Pattern length :math:`m`, between 2 and 8 (``8!`` patterns).
    delay : int, default=1
        Delay :math:`\tau` between pattern samples.
    normalize : bool, default=False
        Divide by :math:`\log_2 m!` so the value lies in [0, 1] (antropy
        ``normalize=True``, neurokit2's default ``corrected=True``).
    %(axis)s
    %(device)s

    Returns
    -------
    pe : ndarray of float64, shape (...)
        Permutation entropy in bits. 0 for a monotonic or flat signal (one
        pattern; ties rank by position).

    Notes
    -----
    Over the :math:`N - (m-1)\tau` vectors :math:`(x_i, x_{i+\tau}, \dots,
    x_{i+(m-1)\tau})`, :math:`p(\pi)` is the relative frequency of ordinal pattern
    :math:`\pi` and :math:`H = -\sum_\pi p(\pi) \log_2 p(\pi)`. Equal values rank
    the earlier sample lower (a stable argsort), as antropy does; neurokit2 sorts
    with quicksort, so it agrees only on signals without ties.

    References
    ----------
    Bandt, C., & Pompe, B. (2002). Permutation entropy: a natural complexity
    measure for time series. Physical Review Letters, 88(17), 174102.

    Examples
    --------
    >>> import numpy as np
    >>> float(permutation_entropy(np.arange(20.0)))
    0.0
    """
    order = check_int("order", order, low=2, high=MAX_PERMUTATION_ORDER)
    delay = check_int("delay", delay, low=1)
    check_type("normalize", normalize, (bool, np.bool_), "a bool")
    rows, restore = as_rows(x, axis=axis, min_samples=(order - 1) * delay + 1)
    n_embed = rows.shape[1] - (order - 1) * delay
    if use_torch(device):
        counts = _ordinal_counts_torch(rows, order, delay, device)
    else:
        from biosynth.fidelity._kernels import entropy as _kernels

        factorials = np.array([math.factorial(k) for k in range(order)], dtype=np.int64)
        counts = _kernels.ordinal_counts(rows, order, delay, factorials)
    p = counts / n_embed
    log_p = np.zeros_like(p)
    np.log2(p, out=log_p, where=p > 0)
    out = 0.0 - (p * log_p).sum(axis=1)  # 0.0 - 0.0: no -0.0 for a single pattern
    if normalize:
        out = np.clip(out / np.log2(math.factorial(order)), 0.0, 1.0)
    return restore(out)


def _ordinal_counts_torch(rows: np.ndarray, order: int, delay: int, device: str) -> np.ndarray:
    """Torch path of the ordinal-pattern counts: (n_rows, n_times) -> (n_rows, order!) int64."""
    import torch

    x = to_torch(rows, device)
    n_rows = x.shape[0]
    span = (order - 1) * delay + 1
    emb = x.unfold(-1, span, 1)[..., ::delay]  # (n_rows, n_embed, order)
    code = torch.zeros(emb.shape[:2], dtype=torch.int64, device=x.device)
    for a in range(order - 1):
        smaller = (emb[..., a + 1 :] < emb[..., a : a + 1]).sum(dim=-1)  # Lehmer code digit
        code += smaller * math.factorial(order - 1 - a)
    n_patterns = math.factorial(order)
    flat = code + n_patterns * torch.arange(n_rows, device=x.device)[:, None]
    counts = torch.bincount(flat.ravel(), minlength=n_rows * n_patterns).reshape(n_rows, n_patterns)
    return to_numpy(counts)


# ----------------------------------------------------------------------------- spectral entropy


@labelled
@fill_doc
def spectral_entropy(
    x: Any,
    sfreq: float | None = None,
    *,
    method: Literal["fft", "welch"] = "fft",
    nperseg: int | None = None,
    normalize: bool = False,
    axis: int = -1,
    device: str = "cpu",
) -> np.ndarray:
    r"""Spectral entropy (Inouye et al. 1991): Shannon entropy of the normalised PSD.

    Parameters
    ----------
    x : array_like or DataArray, shape (..., n_times)
        Signals; any leading shape. At least 2 samples.
    sfreq : float or None, default=None
        Sampling rate, in Hz. None only for a DataArray, whose ``attrs["sfreq"]``
        is used. The entropy does not depend on it (the PSD is normalised).
    method : {"fft", "welch"}, default="fft"
        ``"fft"``: periodogram (``scipy.signal.periodogram``, boxcar window);
        ``"welch"``: Welch's method (``scipy.signal.welch``, Hann window, 50 %
        overlap).
    nperseg : int or None, default=None
        Welch segment length in samples; None uses ``min(256, n_times)``
        (SciPy's default, without its warning for short signals). Ignored by
        ``"fft"``.
    normalize : bool, default=False
        Divide by :math:`\log_2` of the number of frequency bins so the value
        lies in [0, 1] (antropy ``normalize=True``).
    %(axis)s
    %(device)s
        The torch path computes the periodogram or Welch PSD with ``torch.fft``.

    Returns
    -------
    se : ndarray of float64, shape (...)
        Spectral entropy in bits. NaN for flat rows (after removing the mean, the
        power is zero everywhere, so the normalised PSD is 0/0).

    Notes
    -----
    With the one-sided PSD :math:`P(f)` (mean removed, DC bin included) and
    :math:`p(f) = P(f) / \sum_f P(f)`, :math:`H = -\sum_f p(f) \log_2 p(f)`, terms
    with :math:`p = 0` counting 0. Identical to antropy ``spectral_entropy``.
    neurokit2 ``entropy_spectral`` uses its own PSD (``signal_psd``) and always
    normalises, so it is not comparable bin for bin. Scale-free.

    References
    ----------
    Inouye, T., Shinosaki, K., Sakamoto, H., Toi, S., Ukai, S., Iyama, A., Katsuda, Y.,
    & Hirano, M. (1991). Quantification of EEG irregularity by use of the entropy of
    the power spectrum. Electroencephalography and Clinical Neurophysiology, 79(3),
    204-210.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(1000) / 100.0
    >>> round(float(spectral_entropy(np.sin(2 * np.pi * 10 * t), 100.0)), 6)
    0.0
    """
    if sfreq is None:
        raise ValueError("sfreq is required (in Hz) for array input; got None (only a DataArray carries it).")
    sfreq = check_sfreq("sfreq", sfreq)
    check_option("method", method, ("fft", "welch"))
    check_type("normalize", normalize, (bool, np.bool_), "a bool")
    rows, restore = as_rows(x, axis=axis, min_samples=2)
    n = rows.shape[1]
    if nperseg is None:
        nperseg = min(256, n)
    nperseg = check_int("nperseg", nperseg, low=2, high=n) if method == "welch" else n
    if use_torch(device):
        psd = psd_torch(rows, method, nperseg, device)
    else:
        from scipy.signal import periodogram, welch

        if method == "fft":
            _, psd = periodogram(rows, sfreq, axis=-1)
        else:
            _, psd = welch(rows, sfreq, nperseg=nperseg, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = psd / psd.sum(axis=-1, keepdims=True)
    log_p = np.zeros_like(p)
    np.log2(p, out=log_p, where=p > 0)
    out = 0.0 - (p * log_p).sum(axis=-1)
    out[~np.isfinite(p).all(axis=-1)] = np.nan
    if normalize:
        out = out / np.log2(p.shape[-1])
    return restore(out)


# ----------------------------------------------------------------------------- SVD entropy


@labelled
@fill_doc
def svd_entropy(
    x: Any,
    *,
    order: int = 3,
    delay: int = 1,
    normalize: bool = False,
    axis: int = -1,
) -> np.ndarray:
    r"""Singular value decomposition entropy (Roberts et al. 1999).

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals; any leading shape. At least ``(order - 1) * delay + 1`` samples.
    order : int, default=3
        Embedding dimension :math:`m` (columns of the trajectory matrix). antropy's
        default is 3, neurokit2's ``dimension`` default 2.
    delay : int, default=1
        Delay :math:`\tau` between columns, in samples.
    normalize : bool, default=False
        Divide by :math:`\log_2 m` so the value lies in [0, 1] (antropy).
    %(axis)s

    Returns
    -------
    svd_e : ndarray of float64, shape (...)
        SVD entropy in bits. NaN for an all-zero row (no singular value is
        positive); 0 (up to rounding, about 1e-14) for a constant non-zero row
        (rank one).

    Notes
    -----
    The singular values :math:`\sigma_i` of the :math:`(N - (m-1)\tau) \times m`
    trajectory matrix (raw samples, mean not removed), normalised to
    :math:`\bar\sigma_i = \sigma_i / \sum_j \sigma_j`, give
    :math:`H = -\sum_i \bar\sigma_i \log_2 \bar\sigma_i`. As antropy ``svd_entropy``
    and neurokit2 ``entropy_svd``. Scale-free.

    References
    ----------
    Roberts, S. J., Penny, W., & Rezek, I. (1999). Temporal and spatial complexity
    measures for electroencephalogram based brain-computer interfacing. Medical &
    Biological Engineering & Computing, 37(1), 93-98.

    Examples
    --------
    >>> import numpy as np
    >>> round(float(svd_entropy(np.ones(50))), 9)
    0.0
    """
    order = check_int("order", order, low=2)
    delay = check_int("delay", delay, low=1)
    check_type("normalize", normalize, (bool, np.bool_), "a bool")
    rows, restore = as_rows(x, axis=axis, min_samples=(order - 1) * delay + 1)
    span = (order - 1) * delay + 1
    emb = np.lib.stride_tricks.sliding_window_view(rows, span, axis=-1)[..., ::delay]
    sv = np.linalg.svd(np.ascontiguousarray(emb), compute_uv=False)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = sv / sv.sum(axis=-1, keepdims=True)
    log_w = np.zeros_like(w)
    np.log2(w, out=log_w, where=w > 0)
    out = 0.0 - (w * log_w).sum(axis=-1)
    out[~np.isfinite(w).all(axis=-1)] = np.nan
    if normalize:
        out = out / np.log2(order)
    return restore(out)


# ----------------------------------------------------------------------------- Lempel-Ziv


@renamed_arguments({"threshold": "binarize"}, since="0.2", until="0.3")
@labelled
@fill_doc
def lempel_ziv_complexity(
    x: Any,
    *,
    binarize: Literal["median", "mean"] = "median",
    normalize: bool = False,
    axis: int = -1,
) -> np.ndarray:
    r"""Lempel-Ziv complexity (Lempel & Ziv 1976) of each signal binarised at its median.

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals; any leading shape. At least 2 samples.
    binarize : {"median", "mean"}, default="median"
        Samples above each row's median (or mean, neurokit2's default
        ``symbolize="mean"``) become 1, the others 0 (the name of the same choice in
        :func:`petrosian_fd`). Called ``threshold`` before biosynth 0.2 (the old
        name warns until 0.3).
    normalize : bool, default=False
        Return :math:`c \log_2 N / N` (Zhang et al. 2009; antropy
        ``normalize=True`` for a binary sequence, neurokit2
        ``complexity_lempelziv``) instead of the phrase count :math:`c`.
    %(axis)s

    Returns
    -------
    lzc : ndarray of float64, shape (...)
        Number of phrases :math:`c` of the LZ76 parsing (as float), or its
        normalised value. A flat row binarises to all zeros, whose complexity
        the definition gives (2 phrases), not NaN.

    Notes
    -----
    The sequence :math:`s_i = [x_i > \mathrm{median}(x)]` is parsed left to right
    into the shortest phrases not reproducible from the text before them; the count
    is the number of phrases (antropy ``lziv_complexity`` on the binarised row).
    Scale-free.

    References
    ----------
    Lempel, A., & Ziv, J. (1976). On the complexity of finite sequences. IEEE
    Transactions on Information Theory, 22(1), 75-81.
    Zhang, Y., Hao, J., Zhou, C., & Chang, K. (2009). Normalized Lempel-Ziv
    complexity and its application in bio-sequence analysis. Journal of
    Mathematical Chemistry, 46(4), 1203-1212.

    Examples
    --------
    >>> import numpy as np
    >>> float(lempel_ziv_complexity(np.array([0.0, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1])))
    6.0
    """
    from biosynth.fidelity._kernels import entropy as _kernels

    check_option("binarize", binarize, ("median", "mean"))
    check_type("normalize", normalize, (bool, np.bool_), "a bool")
    rows, restore = as_rows(x, axis=axis, min_samples=2)
    level = np.median(rows, axis=1) if binarize == "median" else rows.mean(axis=1)
    symbols = np.ascontiguousarray(rows > level[:, None], dtype=np.uint8)
    out = _kernels.lempel_ziv_counts(symbols).astype(np.float64)
    if normalize:
        n = rows.shape[1]
        out = out * np.log2(n) / n
    return restore(out)
