# SPDX-License-Identifier: BSD-3-Clause
"""Slow, obvious reference versions of the fractal and time-domain measures, written
from the papers' definitions with plain Python loops; oracles for the kernels."""

from __future__ import annotations

import math

import numpy as np


def _slope(xs: list[float], ys: list[float]) -> float:
    """Ordinary least-squares slope, from the textbook formula."""
    n = len(xs)
    mx = sum(xs) / n
    my = sum(ys) / n
    return sum((a - mx) * (b - my) for a, b in zip(xs, ys, strict=True)) / sum((a - mx) ** 2 for a in xs)


def higuchi(x: np.ndarray, kmax: int) -> float:
    """Higuchi (1988): L_m(k) with normalisation (N-1)/(N_m k), mean over m, slope vs log(1/k)."""
    n = len(x)
    logs_k, logs_l = [], []
    for k in range(1, kmax + 1):
        lengths = []
        for m in range(k):
            n_m = (n - 1 - m) // k
            total = sum(abs(x[m + j * k] - x[m + (j - 1) * k]) for j in range(1, n_m + 1))
            lengths.append(total * (n - 1) / (n_m * k) / k)
        logs_k.append(math.log(1.0 / k))
        logs_l.append(math.log(sum(lengths) / k))
    return _slope(logs_k, logs_l)


def katz(x: np.ndarray) -> float:
    """Katz (1988) with amplitude distances: log(L/a) / log(d/a)."""
    steps = [abs(x[i + 1] - x[i]) for i in range(len(x) - 1)]
    total = sum(steps)
    a = total / len(steps)
    d = max(abs(v - x[0]) for v in x)
    return math.log(total / a) / math.log(d / a)


def petrosian(x: np.ndarray) -> float:
    """Petrosian (1995): N_delta = sign changes of the first difference, N = len(x)."""
    n = len(x)
    signs = [(x[i + 1] - x[i]) < 0 for i in range(n - 1)]
    changes = sum(1 for i in range(len(signs) - 1) if signs[i] != signs[i + 1])
    return math.log10(n) / (math.log10(n) + math.log10(n / (n + 0.4 * changes)))


def dfa_curve(x: np.ndarray, sizes: list[int], overlap: bool, order: int) -> list[float]:
    """F(n) of Peng et al. (1994): profile, per-window polynomial fit (numpy.polyfit), RMS residual."""
    n_times = len(x)
    mean = sum(x) / n_times
    profile = np.cumsum([v - mean for v in x])
    out = []
    for n in sizes:
        starts = list(range(0, n_times - n, n // 2)) if overlap else list(range(0, n_times - n + 1, n))
        squares = []
        for s in starts:
            window = profile[s : s + n]
            t = np.arange(n, dtype=float)
            trend = np.polyval(np.polyfit(t, window, order), t)
            squares.append(sum((window[i] - trend[i]) ** 2 for i in range(n)) / n)
        out.append(math.sqrt(sum(squares) / len(squares)))
    return out


def dfa(x: np.ndarray, sizes: list[int], overlap: bool = False, order: int = 1) -> float:
    """DFA alpha: slope of log F(n) on log n."""
    curve = dfa_curve(x, sizes, overlap, order)
    return _slope([math.log(n) for n in sizes], [math.log(f) for f in curve])


def hurst_rs(x: np.ndarray, sizes: list[int], corrected: bool = True) -> float:
    """Hurst (1951) R/S with Anis-Lloyd-Peters correction, unbiased SD, non-overlapping windows."""
    logs_n, logs_rs = [], []
    for n in sizes:
        ratios = []
        for w in range(len(x) // n):
            seg = [float(v) for v in x[w * n : (w + 1) * n]]
            mean = sum(seg) / n
            walk, cums = 0.0, []
            for v in seg:
                walk += v - mean
                cums.append(walk)
            r = max(cums) - min(cums)
            s = math.sqrt(sum((v - mean) ** 2 for v in seg) / (n - 1))
            if r > 0:
                ratios.append(r / s)
        value = math.log(sum(ratios) / len(ratios))
        if corrected:
            expected = sum(math.sqrt((n - i) / i) for i in range(1, n))
            gamma = math.gamma((n - 1) / 2) / math.sqrt(math.pi) / math.gamma(n / 2)
            value -= math.log((n - 0.5) / n * gamma * expected)
        logs_n.append(math.log(n))
        logs_rs.append(value)
    return _slope(logs_n, logs_rs) + (0.5 if corrected else 0.0)


def hjorth(x: np.ndarray) -> tuple[float, float]:
    """Hjorth (1970) mobility and complexity with population variances (ddof=0)."""

    def var(v: list[float]) -> float:
        m = sum(v) / len(v)
        return sum((a - m) ** 2 for a in v) / len(v)

    dx = [x[i + 1] - x[i] for i in range(len(x) - 1)]
    ddx = [dx[i + 1] - dx[i] for i in range(len(dx) - 1)]
    mobility = math.sqrt(var(dx) / var(list(x)))
    return mobility, math.sqrt(var(ddx) / var(dx)) / mobility
