# SPDX-License-Identifier: BSD-3-Clause
"""Numba kernels of the distance-based metrics: the k-th smallest entry of each row of
a distance matrix (without sorting the row) and the Gaussian kernel in place, both in
parallel over rows."""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, nogil=True, parallel=True)
def kth_smallest(d, k, first_row):
    """(n, m) float64, int k >= 1, int -> (n,) float64: the k-th smallest entry of each
    row; row i skips column first_row + i when first_row >= 0 (the row itself)."""
    n, m = d.shape
    out = np.empty(n)
    for i in prange(n):
        best = np.full(k, np.inf)  # ascending
        skip = first_row + i if first_row >= 0 else -1
        for j in range(m):
            v = d[i, j]
            if v < best[k - 1] and j != skip:
                p = k - 1
                while p > 0 and best[p - 1] > v:
                    best[p] = best[p - 1]
                    p -= 1
                best[p] = v
        out[i] = best[k - 1]
    return out


@njit(cache=True, nogil=True, parallel=True)
def gaussian_inplace(d, scale):
    """(n, n) float64 symmetric squared distances, float -> d[i, j] = exp(scale * d[i, j])
    in place with a zero diagonal (the MMD's U-statistic leaves it out). Each exponential
    is taken once, above the diagonal, and mirrored: iteration i reads only d[i, j > i]
    and writes only those and d[j > i, i], so rows run in parallel without conflict."""
    n = d.shape[0]
    for i in prange(n):
        d[i, i] = 0.0
        for j in range(i + 1, n):
            v = np.exp(scale * d[i, j])
            d[i, j] = v
            d[j, i] = v
