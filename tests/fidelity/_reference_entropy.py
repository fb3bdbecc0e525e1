# SPDX-License-Identifier: BSD-3-Clause
"""Slow, obvious entropy measures written from the papers' definitions: the oracles
the Numba kernels must match to rtol 1e-12 on small inputs."""

from __future__ import annotations

import itertools
import math

import numpy as np


def _templates(x: np.ndarray, length: int, delay: int, count: int) -> list[np.ndarray]:
    return [np.array([x[i + k * delay] for k in range(length)]) for i in range(count)]


def _match(u: np.ndarray, v: np.ndarray, r: float, closed: bool) -> bool:
    d = max(abs(a - b) for a, b in zip(u, v, strict=True))  # Chebyshev
    return d <= r if closed else d < r


def sample_entropy_counts(x, order, delay, r, closed=True) -> tuple[int, int]:
    """Richman & Moorman: pairs i < j of the N - m*delay templates matching on m (B) and m + 1 (A)."""
    n_templates = len(x) - order * delay
    short = _templates(x, order, delay, n_templates)
    long = _templates(x, order + 1, delay, n_templates)
    a = b = 0
    for i in range(n_templates):
        for j in range(i + 1, n_templates):
            b += _match(short[i], short[j], r, closed)
            a += _match(long[i], long[j], r, closed)
    return a, b


def sample_entropy(x, order=2, delay=1, tolerance=0.2, ddof=0, closed=True) -> float:
    r = tolerance * np.std(x, ddof=ddof)
    a, b = sample_entropy_counts(x, order, delay, r, closed)
    if b == 0:
        return math.nan
    if a == 0:
        return math.inf
    return -math.log(a / b)


def approximate_entropy(x, order=2, delay=1, tolerance=0.2, ddof=0, closed=True) -> float:
    """Pincus: Phi^m - Phi^{m+1}, self-matches included."""
    r = tolerance * np.std(x, ddof=ddof)

    def phi(m):
        n_templates = len(x) - (m - 1) * delay
        t = _templates(x, m, delay, n_templates)
        c = [sum(_match(t[i], t[j], r, closed) for j in range(n_templates)) / n_templates for i in range(n_templates)]
        return sum(math.log(v) for v in c) / n_templates

    return phi(order) - phi(order + 1)


def coarse_grain(x, scale, offset=0) -> np.ndarray:
    n = (len(x) - offset) // scale
    return np.array([sum(x[offset + j * scale + i] for i in range(scale)) / scale for j in range(n)])


def multiscale_curve(x, scales, order=2, tolerance=0.2, ddof=0, method="coarse") -> list[float]:
    r = tolerance * np.std(x, ddof=ddof)
    curve = []
    for s in scales:
        offsets = [0] if method == "coarse" else range(s)
        counts = [sample_entropy_counts(coarse_grain(x, s, k), order, 1, r) for k in offsets]
        if method == "refined_composite":
            a = sum(c[0] for c in counts)
            b = sum(c[1] for c in counts)
            curve.append(-math.log(a / b))
        else:
            curve.append(sum(-math.log(a / b) for a, b in counts) / len(counts))
    return curve


def permutation_entropy(x, order=3, delay=1, normalize=False) -> float:
    """Bandt & Pompe: Shannon entropy (bits) of the ordinal patterns; ties by position."""
    patterns = dict.fromkeys(itertools.permutations(range(order)), 0)
    n_embed = len(x) - (order - 1) * delay
    for i in range(n_embed):
        values = [x[i + k * delay] for k in range(order)]
        patterns[tuple(sorted(range(order), key=lambda k: (values[k], k)))] += 1
    h = -sum(c / n_embed * math.log2(c / n_embed) for c in patterns.values() if c)
    return h / math.log2(math.factorial(order)) if normalize else h


def spectral_entropy(x, normalize=False) -> float:
    """Inouye: entropy (bits) of the normalised one-sided periodogram, DFT written out."""
    n = len(x)
    x = np.asarray(x) - np.mean(x)
    power = []
    for k in range(n // 2 + 1):
        re = sum(x[t] * math.cos(2 * math.pi * k * t / n) for t in range(n))
        im = sum(x[t] * math.sin(2 * math.pi * k * t / n) for t in range(n))
        weight = 1.0 if k == 0 or (n % 2 == 0 and k == n // 2) else 2.0
        power.append(weight * (re * re + im * im))
    total = sum(power)
    h = -sum(p / total * math.log2(p / total) for p in power if p > 0)
    return h / math.log2(len(power)) if normalize else h


def svd_entropy(x, order=3, delay=1, normalize=False) -> float:
    """Roberts: entropy (bits) of the normalised singular values, via the Gram eigenvalues."""
    n_embed = len(x) - (order - 1) * delay
    y = np.array(_templates(x, order, delay, n_embed))
    sigma = np.sqrt(np.clip(np.linalg.eigvalsh(y.T @ y), 0, None))
    w = sigma / sigma.sum()
    h = -sum(v * math.log2(v) for v in w if v > 0)
    return h / math.log2(order) if normalize else h


def lempel_ziv(bits) -> int:
    """Lempel & Ziv (1976) exhaustive-history parsing: each new phrase is the shortest
    prefix of the rest that does not occur in the text before its last symbol."""
    s = "".join("1" if b else "0" for b in bits)
    n = len(s)
    c, i = 0, 0
    while i < n:
        length = 1
        while i + length <= n and s[i : i + length] in s[: i + length - 1]:
            length += 1
        c += 1
        i += length
    return c
