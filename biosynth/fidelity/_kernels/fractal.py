# SPDX-License-Identifier: BSD-3-Clause
"""Numba kernels of the fractal measures: Higuchi curve lengths, DFA fluctuations and
rescaled ranges.

Each row-loop kernel runs ``prange`` over (row, scale) pairs, so a single long signal
also uses every core: every scale costs about one pass over the signal.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, nogil=True)
def _higuchi_length_1d(x, k):
    """(n_times,) float64, int -> Higuchi mean curve length L(k)."""
    n = x.size
    total = 0.0
    for m in range(k):
        n_m = (n - 1 - m) // k
        s = 0.0
        for j in range(1, n_m + 1):
            s += abs(x[m + j * k] - x[m + (j - 1) * k])
        total += s * (n - 1) / (n_m * k) / k
    return total / k


@njit(cache=True, nogil=True, parallel=True)
def higuchi_lengths(x, k_values):
    """(n_rows, n_times) float64, (n_k,) int64 -> (n_rows, n_k) curve lengths L(k)."""
    n_rows = x.shape[0]
    n_k = k_values.size
    out = np.empty((n_rows, n_k))
    for idx in prange(n_rows * n_k):
        row = idx // n_k
        col = idx % n_k
        out[row, col] = _higuchi_length_1d(x[row], k_values[col])
    return out


@njit(cache=True, nogil=True)
def _poly_basis(n, order):
    """window n, order -> (n, order) orthonormal polynomials of degree 1..order, orthogonal to constants."""
    basis = np.empty((n, order))
    centre = (n - 1) / 2.0
    half = max(n / 2.0, 1.0)
    for b in range(order):
        for t in range(n):
            basis[t, b] = ((t - centre) / half) ** (b + 1)
        for _ in range(2):  # Gram-Schmidt twice for orthogonality to rounding
            mean = 0.0
            for t in range(n):
                mean += basis[t, b]
            mean /= n
            for t in range(n):
                basis[t, b] -= mean
            for c in range(b):
                dot = 0.0
                for t in range(n):
                    dot += basis[t, c] * basis[t, b]
                for t in range(n):
                    basis[t, b] -= dot * basis[t, c]
        norm = 0.0
        for t in range(n):
            norm += basis[t, b] * basis[t, b]
        norm = np.sqrt(norm)
        for t in range(n):
            basis[t, b] /= norm
    return basis


@njit(cache=True, nogil=True, inline="always")
def _window_mean(profile, start, n):
    """(n_times,) profile, first sample, window length -> mean of the window."""
    mean = 0.0
    for t in range(n):
        mean += profile[start + t]
    return mean / n


@njit(cache=True, nogil=True)
def _dfa_linear_1d(profile, n, step, n_windows, slope_basis):
    """(n_times,) profile, window n, step, window count, (n,) unit centred ramp -> F(n) for order 1."""
    total = 0.0
    for w in range(n_windows):
        start = w * step
        mean = _window_mean(profile, start, n)
        coef = 0.0
        for t in range(n):
            coef += slope_basis[t] * (profile[start + t] - mean)
        rss = 0.0
        for t in range(n):
            r = profile[start + t] - mean - coef * slope_basis[t]
            rss += r * r
        total += rss / n
    return np.sqrt(total / n_windows)


@njit(cache=True, nogil=True)
def _dfa_fluctuation_1d(profile, n, step, n_windows, order):
    """(n_times,) profile, window n, step, window count, detrending order -> F(n)."""
    basis = _poly_basis(n, order)
    if order == 1:
        return _dfa_linear_1d(profile, n, step, n_windows, basis[:, 0].copy())
    coef = np.empty(order)
    total = 0.0
    for w in range(n_windows):
        start = w * step
        mean = _window_mean(profile, start, n)
        for b in range(order):
            coef[b] = 0.0
        for t in range(n):
            d = profile[start + t] - mean
            for b in range(order):
                coef[b] += basis[t, b] * d
        rss = 0.0
        for t in range(n):
            r = profile[start + t] - mean
            for b in range(order):
                r -= coef[b] * basis[t, b]
            rss += r * r
        total += rss / n
    return np.sqrt(total / n_windows)


@njit(cache=True, nogil=True, parallel=True)
def dfa_fluctuations(profile, sizes, steps, counts, order):
    """(n_rows, n_times) profiles, (n_sizes,) int64 sizes/steps/window counts, int order -> (n_rows, n_sizes) F."""
    n_rows = profile.shape[0]
    n_sizes = sizes.size
    out = np.empty((n_rows, n_sizes))
    for idx in prange(n_rows * n_sizes):
        row = idx // n_sizes
        s = idx % n_sizes
        out[row, s] = _dfa_fluctuation_1d(profile[row], sizes[s], steps[s], counts[s], order)
    return out


@njit(cache=True, nogil=True)
def _rescaled_range_1d(x, n, ddof):
    """(n_times,) float64, window n, ddof -> mean R/S over non-overlapping windows (NaN if none)."""
    n_windows = x.size // n
    acc = 0.0
    used = 0
    for w in range(n_windows):
        start = w * n
        lo = x[start]
        hi = x[start]
        mean = 0.0
        for t in range(n):
            v = x[start + t]
            mean += v
            lo = min(lo, v)
            hi = max(hi, v)
        if hi == lo:
            continue
        mean /= n
        walk = 0.0
        wmin = np.inf
        wmax = -np.inf
        ss = 0.0
        for t in range(n):
            d = x[start + t] - mean
            walk += d
            wmin = min(wmin, walk)
            wmax = max(wmax, walk)
            ss += d * d
        r = wmax - wmin
        if r == 0.0:
            continue
        acc += r / np.sqrt(ss / (n - ddof))
        used += 1
    if used == 0:
        return np.nan
    return acc / used


@njit(cache=True, nogil=True, parallel=True)
def rescaled_ranges(x, sizes, ddof):
    """(n_rows, n_times) float64, (n_sizes,) int64 window sizes, int ddof -> (n_rows, n_sizes) mean R/S."""
    n_rows = x.shape[0]
    n_sizes = sizes.size
    out = np.empty((n_rows, n_sizes))
    for idx in prange(n_rows * n_sizes):
        row = idx // n_sizes
        s = idx % n_sizes
        out[row, s] = _rescaled_range_1d(x[row], sizes[s], ddof)
    return out
