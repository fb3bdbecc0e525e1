# SPDX-License-Identifier: BSD-3-Clause
"""Distances between a real and a synthetic sample of one feature, or of two spectra,
correlation matrices or quantile functions. Lower is closer for all of them."""

from __future__ import annotations

from typing import Any

import numpy as np

from biosynth._utils.docs import fill_doc


def _finite_pair(real: Any, synthetic: Any) -> tuple[np.ndarray, np.ndarray]:
    """Both samples flattened, NaN/inf dropped (a measure undefined on a signal)."""
    a = np.asarray(real, dtype=float).ravel()
    b = np.asarray(synthetic, dtype=float).ravel()
    return a[np.isfinite(a)], b[np.isfinite(b)]


@fill_doc
def scaled_wasserstein(real: Any, synthetic: Any) -> float:
    """Wasserstein-1 distance between two samples, in units of the real SD.

    Parameters
    ----------
    %(feature_values)s

    Returns
    -------
    distance : float
        :func:`scipy.stats.wasserstein_distance` divided by the real standard
        deviation (ddof=0); 0 for identical samples. NaN when a sample is empty or
        the real values are all equal.

    Examples
    --------
    >>> scaled_wasserstein([0.0, 2.0], [1.0, 3.0])
    1.0
    """
    from scipy.stats import wasserstein_distance

    a, b = _finite_pair(real, synthetic)
    spread = np.std(a) if a.size else 0.0
    if b.size == 0 or spread == 0:
        return float("nan")
    return float(wasserstein_distance(a, b) / spread)


@fill_doc
def ks_statistic(real: Any, synthetic: Any) -> float:
    """Two-sample Kolmogorov-Smirnov statistic (largest gap between the empirical CDFs).

    Parameters
    ----------
    %(feature_values)s

    Returns
    -------
    statistic : float
        In [0, 1]; as :func:`scipy.stats.ks_2samp`. NaN when a sample is empty.

    Examples
    --------
    >>> ks_statistic([0.0, 1.0], [2.0, 3.0])
    1.0
    """
    from scipy.stats import ks_2samp

    a, b = _finite_pair(real, synthetic)
    if a.size == 0 or b.size == 0:
        return float("nan")
    return float(ks_2samp(a, b).statistic)


@fill_doc
def effect_size(real: Any, synthetic: Any) -> float:
    """Absolute standardised mean difference (Cohen's d with the pooled SD).

    Parameters
    ----------
    %(feature_values)s

    Returns
    -------
    d : float
        :math:`|\\bar a - \\bar b| / s_p` with
        :math:`s_p^2 = ((n_a - 1) s_a^2 + (n_b - 1) s_b^2) / (n_a + n_b - 2)` (sample
        variances, ddof=1). NaN with fewer than 2 values on a side or a zero pooled SD.

    Examples
    --------
    >>> round(effect_size([0.0, 2.0], [2.0, 4.0]), 4)
    1.4142
    """
    a, b = _finite_pair(real, synthetic)
    if a.size < 2 or b.size < 2:
        return float("nan")
    pooled = ((a.size - 1) * np.var(a, ddof=1) + (b.size - 1) * np.var(b, ddof=1)) / (a.size + b.size - 2)
    if pooled <= 0:
        return float("nan")
    return float(abs(a.mean() - b.mean()) / np.sqrt(pooled))


def log_spectral_distance(psd_real: Any, psd_synthetic: Any) -> float:
    """RMS over frequencies of the dB difference of two spectra, averaged over rows.

    Parameters
    ----------
    psd_real, psd_synthetic : array_like, shape (..., n_freqs)
        Power spectral densities on the same frequencies (e.g. the mean PSD of each
        channel, restricted to the range of interest), positive.

    Returns
    -------
    lsd : float
        :math:`\\mathrm{mean}_{rows} \\sqrt{\\mathrm{mean}_f (10 \\log_{10} A_f / B_f)^2}`,
        in dB; 0 for identical spectra.

    Examples
    --------
    >>> log_spectral_distance([1.0, 1.0], [10.0, 10.0])
    10.0
    """
    a = np.asarray(psd_real, dtype=float)
    b = np.asarray(psd_synthetic, dtype=float)
    if a.shape != b.shape or a.size == 0:
        raise ValueError(f"psd_real and psd_synthetic must have the same non-empty shape, got {a.shape} and {b.shape}.")
    if not (np.all(a > 0) and np.all(b > 0)):
        raise ValueError("psd_real and psd_synthetic must be positive to compare in dB; a flat signal has zero power.")
    diff_db = 10.0 * np.log10(a / b)
    return float(np.mean(np.sqrt(np.mean(diff_db**2, axis=-1))))


def correlation_distance(corr_real: Any, corr_synthetic: Any) -> float:
    """RMS difference of the off-diagonal entries of two correlation matrices.

    Parameters
    ----------
    corr_real, corr_synthetic : array_like, shape (n, n)
        Correlation (or coherence) matrices of the same channels.

    Returns
    -------
    distance : float
        In [0, 2]; NaN for a single channel (no off-diagonal entry).

    Examples
    --------
    >>> round(correlation_distance([[1, 0.5], [0.5, 1]], [[1, 0.1], [0.1, 1]]), 6)
    0.4
    """
    a = np.asarray(corr_real, dtype=float)
    b = np.asarray(corr_synthetic, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape != b.shape:
        raise ValueError(f"corr_real and corr_synthetic must be square and of one shape, got {a.shape}, {b.shape}.")
    n = a.shape[0]
    if n < 2:
        return float("nan")
    off = ~np.eye(n, dtype=bool)
    return float(np.sqrt(np.mean((a[off] - b[off]) ** 2)))


def quantile_wasserstein(quantiles_real: Any, quantiles_synthetic: Any, levels: Any) -> float:
    """Wasserstein-1 distance between two distributions given by their quantile functions.

    :math:`W_1 = \\int_0^1 |Q_a(p) - Q_b(p)| \\, dp`, by the trapezoid rule over
    ``levels``; with the mean quantile function of a set of signals (their
    Wasserstein barycentre) this compares the typical amplitude distributions of two
    sets without pooling samples.

    Parameters
    ----------
    quantiles_real, quantiles_synthetic : array_like, shape (n_levels,)
        Quantile values at ``levels``.
    levels : array_like, shape (n_levels,)
        Increasing probabilities.

    Returns
    -------
    distance : float
        In the units of the quantiles (over the probability span of ``levels``).

    Examples
    --------
    >>> quantile_wasserstein([0.0, 1.0], [1.0, 2.0], [0.0, 1.0])
    1.0
    """
    from scipy.integrate import trapezoid

    a = np.asarray(quantiles_real, dtype=float)
    b = np.asarray(quantiles_synthetic, dtype=float)
    p = np.asarray(levels, dtype=float)
    if not (a.shape == b.shape == p.shape and p.ndim == 1 and p.size >= 2 and np.all(np.diff(p) > 0)):
        raise ValueError(f"quantiles and levels must be 1-D of one length >= 2 with increasing levels, got {p!r}.")
    return float(trapezoid(np.abs(a - b), p))
