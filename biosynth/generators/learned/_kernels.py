# SPDX-License-Identifier: BSD-3-Clause
"""Numba kernels of :class:`~biosynth.generators.learned.SpectralGenerator`'s sampler.

Kernels take plain C-contiguous arrays plus scalars, write into an output array the
caller allocates, have no defaults and check nothing (the generator validates). Each
record (or row) is computed by itself, in a fixed order, so a record does not depend on
the batch it is drawn in. They compile on first call (``cache=True`` keeps the machine
code between sessions), never at import: ``spectral`` imports this module inside the
functions that call it.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from numba import njit

#: Smallest moving RMS (the smallest normal float32), as in ``spectral._local_scale``.
RMS_FLOOR = float(np.finfo(np.float32).tiny)


@njit(cache=True, nogil=True)
def coloured_spectra(noise, factor_re, factor_im, bins, scale, out):
    """Complex normals coloured by the coherency factor and scaled by the spectrum.

    ``noise`` (R, n_fine, C, 2) holds the real and imaginary parts of each record's
    normals per fine bin and channel; ``factor_re`` and ``factor_im`` (F, C, C) the
    transposed Cholesky factor of each model bin (``[f, d, c] = L_f[c, d]``); ``bins``
    (n_fine,) the model bin of each fine bin; ``scale`` (C, n_fine) the amplitude of each
    fine bin. Writes ``out[r, c, k] = scale[c, k] * sum_d L_f[c, d] z[r, k, d]`` (f =
    bins[k]) as real and imaginary parts into ``out`` (R, C, n_fine, 2). The sum runs
    over every ``d`` (the zeros of a triangular factor add nothing; whole rows vectorise)."""
    n_records, n_fine, n_ch, _ = noise.shape
    acc_re = np.empty(n_ch, dtype=np.float32)
    acc_im = np.empty(n_ch, dtype=np.float32)
    for r in range(n_records):
        for k in range(n_fine):
            f = bins[k]
            acc_re[:] = 0.0
            acc_im[:] = 0.0
            for d in range(n_ch):
                zr = noise[r, k, d, 0]
                zi = noise[r, k, d, 1]
                for c in range(n_ch):
                    acc_re[c] += factor_re[f, d, c] * zr - factor_im[f, d, c] * zi
                    acc_im[c] += factor_re[f, d, c] * zi + factor_im[f, d, c] * zr
            for c in range(n_ch):
                out[r, c, k, 0] = acc_re[c] * scale[c, k]
                out[r, c, k, 1] = acc_im[c] * scale[c, k]


@njit(cache=True, nogil=True, inline="always")
def _reflected(j, n_times):
    """Index ``j`` of a row of ``n_times`` samples extended by mirroring about its ends
    (``d c b a | a b c d | d c b a``: scipy.ndimage's ``reflect``)."""
    if 0 <= j < n_times:
        return j
    m = j % (2 * n_times)
    return 2 * n_times - 1 - m if m >= n_times else m


@njit(cache=True, nogil=True)
def _moving_mean(x, n, prefix, out):
    """Mean of ``x`` (n_times,) over ``n`` samples ``[i - n // 2, i + n - n // 2 - 1]``
    about each sample, the row mirrored beyond its ends, into ``out`` (float64), from the
    prefix sums (``prefix``, at least ``n_times + n`` long) of the extended row."""
    n_times = x.shape[0]
    before = n // 2
    size = n_times + n - 1  # the extended row
    inside = min(before + n_times, size)
    total = 0.0
    prefix[0] = 0.0
    for j in range(min(before, size)):
        total += x[_reflected(j - before, n_times)]
        prefix[j + 1] = total
    for j in range(before, inside):
        total += x[j - before]
        prefix[j + 1] = total
    for j in range(inside, size):
        total += x[_reflected(j - before, n_times)]
        prefix[j + 1] = total
    for i in range(n_times):
        out[i] = (prefix[i + n] - prefix[i]) / n


@njit(cache=True, nogil=True)
def _row_scale(x, n, mean, rms, scratch, prefix):
    """Moving mean of ``x`` and moving RMS about it (floored at :data:`RMS_FLOOR`)."""
    _moving_mean(x, n, prefix, mean)
    for i in range(x.shape[0]):
        dev = x[i] - mean[i]
        scratch[i] = dev * dev
    _moving_mean(scratch, n, prefix, rms)
    for i in range(x.shape[0]):
        rms[i] = max(np.sqrt(rms[i]), RMS_FLOOR)


@njit(cache=True, nogil=True)
def local_scale(y, n, mean, rms):
    """Moving mean and RMS about it over ``n`` samples of each row of ``y`` (rows,
    n_times), into ``mean`` and ``rms`` (rows, n_times, float64)."""
    row = np.empty(y.shape[1])
    scratch = np.empty(y.shape[1])
    prefix = np.empty(y.shape[1] + n)
    for r in range(y.shape[0]):
        for i in range(y.shape[1]):
            row[i] = y[r, i]
        _row_scale(row, n, mean[r], rms[r], scratch, prefix)


@njit(cache=True, nogil=True)
def map_standardised(y, n, knots, base_x, base_y, slopes, whole, out):
    """The amplitude map of each row of ``y`` (R, C, n_times): values less their moving
    mean over their moving RMS (over ``n`` samples) mapped by the piecewise-linear map of
    their channel, and scaled back, plus ``whole - y`` (``whole`` (R, C, n_times): the
    signal ``y`` is the slow part of; ``y`` itself for the map alone), into ``out``.

    The map of channel ``c`` has ``K + 1`` pieces: a value with ``s`` of the channel's
    ``K`` knots ``knots[c]`` (C, K, float32: the map is continuous, so a value rounded
    across a knot maps the same) at or below it maps to ``base_y[c, s] + slopes[c, s] *
    (value - base_x[c, s])`` (tables (C, K + 1))."""
    n_records, n_ch, n_times = y.shape
    row = np.empty(n_times)
    mean = np.empty(n_times)
    rms = np.empty(n_times)
    z = np.empty(n_times)
    z32 = np.empty(n_times, dtype=np.float32)
    prefix = np.empty(n_times + n)
    piece = np.empty(n_times, dtype=np.int32)
    for r in range(n_records):
        for c in range(n_ch):
            for i in range(n_times):
                row[i] = y[r, c, i]
            _row_scale(row, n, mean, rms, z, prefix)
            for i in range(n_times):
                z[i] = (row[i] - mean[i]) / rms[i]
                z32[i] = z[i]
            piece[:] = 0
            for k in range(knots.shape[1]):  # count the knots at or below each value (vectorises)
                knot = knots[c, k]
                for i in range(n_times):
                    piece[i] += z32[i] >= knot
            for i in range(n_times):
                s = piece[i]
                mapped = mean[i] + rms[i] * (base_y[c, s] + slopes[c, s] * (z[i] - base_x[c, s]))
                out[r, c, i] = whole[r, c, i] - y[r, c, i] + mapped


# --- standard normals: the ziggurat method (Marsaglia & Tsang 2000, J. Stat. Softw. 5(8)) ---

#: Layers of the ziggurat.
N_LAYERS = 256


@functools.cache
def ziggurat_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tables of a 256-layer ziggurat under ``f(x) = exp(-x**2 / 2)`` (x >= 0), computed
    once.

    Every layer has the area ``v``: the base, a rectangle of height ``f(r)`` up to ``r``
    plus the tail beyond it (a virtual rectangle of width ``x[0] = v / f(r)``), and above
    it rectangles of width ``x[i]`` between the heights ``f(x[i])`` and ``f(x[i + 1])``,
    ``x[1] = r`` and ``x[256] = 0``; ``r`` (3.6541528...) solves the recursion, by
    bisection.

    Returns
    -------
    width : ndarray, shape (256,)
        ``x[i] / 2**23``: a 23-bit uniform integer times it is uniform on the layer.
    inner : ndarray, shape (256,)
        ``floor(x[i + 1] / x[i] * 2**23)``: integers below it lie under the curve.
    height : ndarray, shape (257,)
        ``f(x[i])`` (``height[0] = 0``), for the test in the wedges.
    """

    def layers(r: float) -> tuple[list[float], float]:
        v = r * math.exp(-0.5 * r * r) + math.sqrt(math.pi / 2) * math.erfc(r / math.sqrt(2))
        x = [v / math.exp(-0.5 * r * r), r]
        for _ in range(N_LAYERS - 2):
            level = math.exp(-0.5 * x[-1] ** 2) + v / x[-1]
            if level >= 1.0:  # r too small: the layers reach the top too early
                return x, -1.0
            x.append(math.sqrt(-2.0 * math.log(level)))
        return [*x, 0.0], 1.0 - (math.exp(-0.5 * x[-1] ** 2) + v / x[-1])  # what the top layer lacks

    low, high = 2.0, 5.0
    for _ in range(64):
        mid = 0.5 * (low + high)
        low, high = (mid, high) if layers(mid)[1] < 0 else (low, mid)
    x = np.array(layers(high)[0])
    height = np.exp(-0.5 * x**2)
    height[0] = 0.0
    return x[:-1] * 2.0**-23, np.floor(x[1:] / x[:-1] * 2.0**23), height


@njit(cache=True, nogil=True)
def ziggurat_normals(bits, width, inner, height, out):
    """Standard normals into ``out`` (float32, flat) from the uniform 32-bit integers
    ``bits`` (uint32), used in order: per draw 8 bits pick the layer, 1 the sign and 23
    the position; the rare draws outside the inner rectangles take more integers for the
    tail or wedge test. Returns the number of values written, short of ``out``'s size
    when ``bits`` ran out (the caller continues with more)."""
    r = width[1] * 2.0**23
    n_bits = bits.shape[0]
    pos = 0
    done = 0
    n_out = out.shape[0]
    while done < n_out:
        if pos >= n_bits:
            return done
        u = bits[pos]
        pos += 1
        layer = u & 0xFF
        sign = (u >> 8) & 1
        position = u >> 9
        x = position * width[layer]
        if position >= inner[layer]:  # outside the inner rectangle: rare
            if layer == 0:
                if x >= r:  # the tail beyond r (Marsaglia 1964)
                    while True:
                        if pos + 2 > n_bits:
                            return done
                        tx = -np.log((bits[pos] + 0.5) * 2.0**-32) / r
                        ty = -np.log((bits[pos + 1] + 0.5) * 2.0**-32)
                        pos += 2
                        if 2.0 * ty > tx * tx:
                            break
                    x = r + tx
            else:
                if pos >= n_bits:
                    return done
                level = height[layer] + (bits[pos] + 0.5) * 2.0**-32 * (height[layer + 1] - height[layer])
                pos += 1
                if level >= np.exp(-0.5 * x * x):
                    continue  # above the curve: draw again
        out[done] = -x if sign else x
        done += 1
    return done


@njit(cache=True, nogil=True)
def windowed_frames(y, start, window, hop, out):
    """Frames of ``y`` (R, C, n_times) from sample ``start``, one every ``hop`` samples,
    times ``window`` (n,): ``out[r, c, k, j] = y[r, c, start + k * hop + j] * window[j]``
    (out: (R, C, n_frames, n))."""
    n_records, n_ch, n_frames, n = out.shape
    for r in range(n_records):
        for c in range(n_ch):
            for k in range(n_frames):
                first = start + k * hop
                for j in range(n):
                    out[r, c, k, j] = y[r, c, first + j] * window[j]


@njit(cache=True, nogil=True)
def overlap_add(frames, window, out):
    """Frames (R, C, n_frames, 2 * hop) times ``window``, summed where two of them overlap
    when placed every ``hop`` samples: ``out[r, c, k * hop + j] = w[j] * frames[r, c, k + 1,
    j] + w[hop + j] * frames[r, c, k, hop + j]`` (out: (R, C, (n_frames - 1) * hop))."""
    n_records, n_ch, n_frames, n = frames.shape
    hop = n // 2
    for r in range(n_records):
        for c in range(n_ch):
            for k in range(n_frames - 1):
                for j in range(hop):
                    early = window[hop + j] * frames[r, c, k, hop + j]
                    out[r, c, k * hop + j] = window[j] * frames[r, c, k + 1, j] + early


@njit(cache=True, nogil=True)
def ar1(noise, rho, innovation, out):
    """First-order autoregressive processes from ``noise`` (n_frames, k): ``out[0] =
    noise[0]``, ``out[t] = rho * out[t - 1] + innovation * noise[t]`` (``rho`` and
    ``innovation``, (k,), per process) into ``out``."""
    n_frames, k = noise.shape
    for j in range(k):
        out[0, j] = noise[0, j]
    for t in range(1, n_frames):
        for j in range(k):
            out[t, j] = rho[j] * out[t - 1, j] + innovation[j] * noise[t, j]
