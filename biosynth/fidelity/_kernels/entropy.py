# SPDX-License-Identifier: BSD-3-Clause
"""Numba kernels of the entropy measures: template-match counts for sample, approximate
and multiscale entropy, ordinal-pattern counts and the Lempel-Ziv phrase count.

Template matching sorts the templates of each row by their first value, so a template
only visits the candidates whose first value lies within the radius ``r``; the other
coordinates are then checked in order (Chebyshev distance). ``radius`` is always used
as ``d <= radius``: a strict ``d < r`` is passed as ``nextafter(r, -inf)``, which is the
same test for floats. Work is split into (row, chunk) jobs, each chunk a strided set of
blocks of sorted templates, so one long signal also uses every core.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

#: Templates per block of the strided split of one row among chunks.
_BLOCK = 256


@njit(cache=True, nogil=True)
def _sorted_templates(x, order, delay, out, off):
    """(n_times,) float64, ints, (order + 1, n_total) out, int -> writes the N - m*delay templates
    sorted by first value, coordinate-major, into out[:, off:]."""
    n_templates = x.size - order * delay
    idx = np.argsort(x[:n_templates], kind="mergesort")
    for k in range(order + 1):
        for p in range(n_templates):
            out[k, off + p] = x[idx[p] + k * delay]


@njit(cache=True, nogil=True)
def _pair_counts(t, off, n, radius, chunk, n_chunks, mask):
    """(m + 1, n_total) sorted templates, offset and count of one row, float, ints, (n,) uint8 scratch
    -> (A, B) pairs matched on m + 1 and m coords."""
    m = t.shape[0] - 1
    a = 0
    b = 0
    for start in range(chunk * _BLOCK, n, n_chunks * _BLOCK):
        stop = min(start + _BLOCK, n)
        hi = start + 1
        for p in range(start, stop):
            first = t[0, off + p]
            hi = max(hi, p + 1)
            while hi < n and t[0, off + hi] - first <= radius:  # sorted: the first coord is within r up to hi
                hi += 1
            lo = off + p + 1
            end = off + hi
            if end == lo:
                continue
            if m == 1:
                c1 = t[1]
                v1 = c1[off + p]
                sa = 0
                for q in range(lo, end):
                    sa += np.int64(abs(c1[q] - v1) <= radius)
                b += end - lo
                a += sa
            elif m == 2:
                c1 = t[1]
                c2 = t[2]
                v1 = c1[off + p]
                v2 = c2[off + p]
                sb = 0
                sa = 0
                for q in range(lo, end):
                    d1 = abs(c1[q] - v1)
                    sb += np.int64(d1 <= radius)
                    sa += np.int64(max(d1, abs(c2[q] - v2)) <= radius)
                b += sb
                a += sa
            else:
                ck = t[1]
                v = ck[off + p]
                for q in range(lo, end):
                    mask[q - lo] = abs(ck[q] - v) <= radius
                for k in range(2, m):
                    ck = t[k]
                    v = ck[off + p]
                    for q in range(lo, end):
                        mask[q - lo] &= abs(ck[q] - v) <= radius
                ck = t[m]
                v = ck[off + p]
                sb = 0
                sa = 0
                for q in range(lo, end):
                    ok = np.int64(mask[q - lo])
                    sb += ok
                    sa += ok & np.int64(abs(ck[q] - v) <= radius)
                b += sb
                a += sa
    return a, b


@njit(cache=True, nogil=True, parallel=True)
def sampen_counts(data, starts, lengths, order, delay, radius, n_chunks):
    """(n_total,) float64 ragged rows, (n_rows,) int64 starts/lengths, ints, (n_rows,) radius, int
    -> (n_rows, 2) int64 [A, B]: pairs of the N - m*delay templates matching on m + 1 and m coords."""
    n_rows = starts.size
    n_templates = np.empty(n_rows, np.int64)
    offsets = np.empty(n_rows, np.int64)
    total = 0
    for row in range(n_rows):
        n_templates[row] = max(lengths[row] - order * delay, 0)
        offsets[row] = total
        total += n_templates[row]
    templates = np.empty((order + 1, total))
    for row in prange(n_rows):
        if n_templates[row] > 0:
            _sorted_templates(data[starts[row] : starts[row] + lengths[row]], order, delay, templates, offsets[row])
    partial = np.zeros((n_rows * n_chunks, 2), np.int64)
    for job in prange(n_rows * n_chunks):
        row = job // n_chunks
        mask = np.empty(n_templates[row], np.uint8)
        a, b = _pair_counts(templates, offsets[row], n_templates[row], radius[row], job % n_chunks, n_chunks, mask)
        partial[job, 0] = a
        partial[job, 1] = b
    out = np.zeros((n_rows, 2), np.int64)
    for job in range(n_rows * n_chunks):
        out[job // n_chunks, 0] += partial[job, 0]
        out[job // n_chunks, 1] += partial[job, 1]
    return out


@njit(cache=True, nogil=True)
def _apen_row_m2(c1, c2, p, hi, r, cm, cm1):
    """Order-2 case of ``_apen_pairs`` for one template p: a branch-free loop over q in
    (p, hi) that the compiler vectorises."""
    v1 = c1[p]
    v2 = c2[p]
    sm = np.int32(0)
    sm1 = np.int32(0)
    for q in range(p + 1, hi):
        d1 = abs(c1[q] - v1)
        on_m = np.int32(d1 <= r)
        on_m1 = on_m & np.int32(abs(c2[q] - v2) <= r)  # NaN (no m + 1-th coord) never matches
        cm[q] += on_m
        cm1[q] += on_m1
        sm += on_m
        sm1 += on_m1
    cm[p] += sm
    cm1[p] += sm1


@njit(cache=True, nogil=True)
def _apen_pairs(t, n_m, r, chunk, n_chunks, c):
    """(m + 1, n_m) sorted templates (last coord NaN where absent), float, ints, (2, n_m)
    int32 counts -> adds each pair p <= q matched on m and m + 1 coords to both ends."""
    order = t.shape[0] - 1
    for start in range(chunk * _BLOCK, n_m, n_chunks * _BLOCK):
        hi = start + 1
        for p in range(start, min(start + _BLOCK, n_m)):
            hi = max(hi, p + 1)
            while hi < n_m and t[0, hi] - t[0, p] <= r:
                hi += 1
            c[0, p] += 1  # self-match (Pincus); on m + 1 coords it only counts where they exist
            c[1, p] += 1
            if order == 2:
                _apen_row_m2(t[1], t[2], p, hi, r, c[0], c[1])
                continue
            last = t[order, p]
            for q in range(p + 1, hi):
                d = 0.0
                for k in range(1, order):
                    d = max(d, abs(t[k, q] - t[k, p]))
                on_m = np.int32(d <= r)
                on_m1 = on_m & np.int32(abs(t[order, q] - last) <= r)
                c[0, p] += on_m
                c[0, q] += on_m
                c[1, p] += on_m1
                c[1, q] += on_m1


@njit(cache=True, nogil=True, parallel=True)
def apen_counts(x, order, delay, radius, n_chunks):
    """(n_rows, n_times) float64, ints, (n_rows,) radius, int -> (n_rows, 2, N - (m-1)*delay) int64
    C_m and C_{m+1} per template (self included; C_{m+1} valid for the first N - m*delay).

    Each pair is visited once and counted at both ends; a (row, chunk) job keeps its own
    counts, summed at the end, so no two threads write the same cell."""
    n_rows, n = x.shape
    n_m = n - (order - 1) * delay
    n_m1 = n - order * delay
    templates = np.empty((n_rows, order + 1, n_m))
    position = np.empty((n_rows, n_m), np.int64)
    for row in prange(n_rows):
        idx = np.argsort(x[row, :n_m], kind="mergesort")
        for p in range(n_m):
            i = idx[p]
            position[row, p] = i
            for k in range(order):
                templates[row, k, p] = x[row, i + k * delay]
            templates[row, order, p] = x[row, i + order * delay] if i < n_m1 else np.nan
    partial = np.zeros((n_rows * n_chunks, 2, n_m), np.int32)
    for job in prange(n_rows * n_chunks):
        row = job // n_chunks
        _apen_pairs(templates[row], n_m, radius[row], job % n_chunks, n_chunks, partial[job])
    counts = np.zeros((n_rows, 2, n_m), np.int64)
    for row in prange(n_rows):
        for chunk in range(n_chunks):
            c = partial[row * n_chunks + chunk]
            for p in range(n_m):
                counts[row, 0, position[row, p]] += c[0, p]
                counts[row, 1, position[row, p]] += c[1, p]
    return counts


@njit(cache=True, nogil=True)
def _ordinal_counts_1d(x, order, delay, factorials, out):
    """(n_times,) float64, ints, (order,) int64 factorials, (order!,) out -> fills ordinal-pattern counts."""
    n_embed = x.size - (order - 1) * delay
    for i in range(n_embed):
        code = 0
        for a in range(order - 1):
            va = x[i + a * delay]
            smaller = 0
            for b in range(a + 1, order):
                if x[i + b * delay] < va:  # ties: the earlier sample ranks lower (stable argsort)
                    smaller += 1
            code += smaller * factorials[order - 1 - a]
        out[code] += 1


@njit(cache=True, nogil=True, parallel=True)
def ordinal_counts(x, order, delay, factorials):
    """(n_rows, n_times) float64, ints, (order,) int64 factorials 0!..(order-1)! -> (n_rows, order!) int64 counts."""
    n_rows = x.shape[0]
    n_patterns = factorials[order - 1] * order
    out = np.zeros((n_rows, n_patterns), np.int64)
    for row in prange(n_rows):
        _ordinal_counts_1d(x[row], order, delay, factorials, out[row])
    return out


@njit(cache=True, nogil=True)
def _lempel_ziv_1d(s):
    """(n_times,) uint8 symbols -> Lempel-Ziv (1976) phrase count, antropy's parsing."""
    n = s.size
    complexity = 1
    prefix_len = 1
    len_substring = 1
    max_len_substring = 1
    pointer = 0
    while prefix_len + len_substring <= n:
        if s[pointer + len_substring - 1] == s[prefix_len + len_substring - 1]:
            len_substring += 1
        else:
            max_len_substring = max(len_substring, max_len_substring)
            pointer += 1
            if pointer == prefix_len:
                complexity += 1
                prefix_len += max_len_substring
                pointer = 0
                max_len_substring = 1
            len_substring = 1
    if len_substring != 1:
        complexity += 1
    return complexity


@njit(cache=True, nogil=True, parallel=True)
def lempel_ziv_counts(symbols):
    """(n_rows, n_times) uint8 -> (n_rows,) int64 Lempel-Ziv phrase counts."""
    n_rows = symbols.shape[0]
    out = np.empty(n_rows, np.int64)
    for row in prange(n_rows):
        out[row] = _lempel_ziv_1d(symbols[row])
    return out
