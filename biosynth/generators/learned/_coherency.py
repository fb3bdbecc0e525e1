# SPDX-License-Identifier: BSD-3-Clause
"""Channel positions and the distance model of coherence of :class:`SpectralGenerator`.

Where the channels have positions, the coherence of two channels in a band is modelled as
a function of the distance ``d`` (m) between them,

    coh_b(d) = a_b * exp(-d / lambda_b) + c_b,    a_b, c_b >= 0,  a_b + c_b <= 1,

(an exponential fall-off of length ``lambda_b`` over a floor ``c_b``, e.g. what a common
reference or a widespread source adds), fitted by least squares to the magnitude of the
sample coherency of every channel pair in the band. The matrix of that law (ones on the
diagonal) is ``c 11' + a E + (1 - a - c) I`` with ``E = exp(-D / lambda)``: a sum of
positive semi-definite matrices (the exponential kernel of Euclidean distances is positive
definite in any dimension), so it is a valid coherency matrix by construction; an
eigenvalue floor guards coincident positions. :func:`shrink` uses it as the Ledoit-Wolf
target in place of the identity.

The law is real (zero phase, as volume conduction makes most coherency of EEG and ECoG)
and fitted to the magnitude, not the real part: real recordings hold anticorrelated pairs
(real parts down to -0.5 in the EEGLAB sample, from dipolar sources and the reference)
that a law of the real part averages towards zero, and on short windows of that sample
the magnitude fit brought the shrunk coherence closer to the whole recording's (the
magnitude of a sample coherency is biased up by about ``1 / sqrt(n)`` for ``n`` samples
where the true coherence is small; the floor ``c`` absorbs that).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

#: Lengths (m) of the grid the fall-off length is profiled over, relative to the span of
#: the pair distances (``[min / 10, max * 10]``, log-spaced), before a bounded refinement.
N_LENGTHS = 64
#: Smallest eigenvalue of a law matrix, relative to its diagonal (coincident positions).
MIN_EIGENVALUE = 1e-6


def channel_positions(positions: Any, ch_names: list[str]) -> np.ndarray:
    """Positions (n_channels, 3), in m, of the channels ``ch_names`` from ``positions``.

    Parameters
    ----------
    positions : array_like | Layout | Mapping | str
        A finite ``(n_channels, 3)`` array in m, in channel order; a
        :class:`~biosynth.signals.layouts.Layout` or a mapping name -> ``(x, y, z)`` (m)
        holding every channel (names matched exactly, else ignoring case); or the name of
        an MNE standard montage (``"colin27_1020"``, ...), channels looked up by name
        ignoring case.
    ch_names : list of str
        The fitted channels.

    Returns
    -------
    positions : ndarray, shape (n_channels, 3)

    Raises
    ------
    ValueError
        Wrong shape, values that are not finite, names not found, an unknown montage
        (one line naming ``positions``).
    """
    n = len(ch_names)
    if isinstance(positions, str):
        table = _montage_positions(positions)
        source = f"the montage {positions!r}"
    elif isinstance(positions, Mapping):
        table = {str(k): v for k, v in positions.items()}
        source = "the mapping"
    elif hasattr(positions, "names") and hasattr(positions, "positions"):
        table = dict(zip((str(k) for k in positions.names), np.asarray(positions.positions), strict=True))
        source = "the layout"
    else:
        try:
            array = np.asarray(positions, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(
                "positions must be an (n_channels, 3) array in m, a Layout, a mapping name -> (x, y, z) or the "
                f"name of an MNE standard montage, got {type(positions).__name__}."
            ) from None
        if array.shape != (n, 3):
            raise ValueError(f"positions must be a ({n}, 3) array in m (one row per channel), got shape {array.shape}.")
        return _finite(array)
    return _finite(_lookup(table, ch_names, source))


def _montage_positions(name: str) -> dict[str, Any]:
    import mne

    try:
        montage = mne.channels.make_standard_montage(name)
    except ValueError:
        known = mne.channels.get_builtin_montages()
        raise ValueError(f"positions must be a built-in MNE montage name such as {known[:4]}, got {name!r}.") from None
    return dict(montage.get_positions()["ch_pos"])


def _lookup(table: dict[str, Any], ch_names: list[str], source: str) -> np.ndarray:
    folded = {k.casefold(): v for k, v in table.items()}
    rows, missing = [], []
    for name in ch_names:
        value = table.get(name, folded.get(name.casefold()))
        if value is None:
            missing.append(name)
        else:
            rows.append(value)
    if missing:
        raise ValueError(
            f"positions: {source} has no position for {len(missing)} of the {len(ch_names)} channels, e.g. "
            f"{missing[:5]}; give every fitted channel a position (or fit without positions)."
        )
    try:
        array = np.asarray(rows, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"positions: {source} must give (x, y, z) in m for each channel.") from None
    if array.shape != (len(ch_names), 3):
        raise ValueError(f"positions: {source} must give (x, y, z) in m for each channel, got shape {array.shape}.")
    return array


def _finite(array: np.ndarray) -> np.ndarray:
    if not np.isfinite(array).all():
        bad = np.flatnonzero(~np.isfinite(array).all(axis=1))
        raise ValueError(f"positions must be finite (m); rows {bad[:5].tolist()} are not.")
    return array


def pair_distances(positions: np.ndarray) -> np.ndarray:
    """Euclidean distances (C, C), in m, between the rows of ``positions``."""
    return np.sqrt(np.sum((positions[:, None, :] - positions[None, :, :]) ** 2, axis=-1))


def fit_distance_law(coherency: np.ndarray, distances: np.ndarray) -> np.ndarray:
    """Fit ``a exp(-d / lambda) + c`` to the coherence (magnitude of the coherency) of every pair.

    The fall-off length is profiled: for each length of a log-spaced grid the amplitude
    and floor are the constrained least-squares solution (``a, c >= 0``, ``a + c <= 1``),
    then the best length is refined by a bounded scalar search in log length.

    Parameters
    ----------
    coherency : ndarray, shape (C, C)
        Sample coherency (complex or real) of one band.
    distances : ndarray, shape (C, C)
        Distances between the channels, in m.

    Returns
    -------
    law : ndarray, shape (3,)
        ``[a, lambda (m), c]``; ``[0, nan, 0]`` where there is no pair at a non-zero
        distance (the law is then the identity).
    """
    from scipy.optimize import minimize_scalar

    upper = np.triu_indices(len(distances), 1)
    d, y = distances[upper], np.abs(coherency[upper])
    positive = d[d > 0]
    if not positive.size:
        return np.array([0.0, np.nan, 0.0])
    low, high = np.log(positive.min() / 10), np.log(positive.max() * 10)
    grid = np.linspace(low, high, N_LENGTHS)
    costs = [_profile(np.exp(g), d, y)[1] for g in grid]
    best = int(np.argmin(costs))
    bounds = (grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)])
    found = minimize_scalar(lambda g: _profile(np.exp(g), d, y)[1], bounds=bounds, method="bounded")
    log_length = found.x if found.fun <= costs[best] else grid[best]
    (a, c), _ = _profile(np.exp(log_length), d, y)
    return np.array([a, float(np.exp(log_length)), c])


def _profile(length: float, d: np.ndarray, y: np.ndarray) -> tuple[tuple[float, float], float]:
    """Amplitude and floor minimising ``sum (a e + c - y)^2`` with ``e = exp(-d / length)``
    under ``a, c >= 0`` and ``a + c <= 1``, and the cost."""
    e = np.exp(-d / length)
    candidates = [(0.0, 0.0)]
    n = len(d)
    # interior: the unconstrained two-parameter solution
    design = np.column_stack([e, np.ones(n)])
    solution, *_ = np.linalg.lstsq(design, y, rcond=None)
    candidates.append((float(solution[0]), float(solution[1])))
    # edges: c = 0, a = 0, a + c = 1
    ee = float(e @ e)
    candidates.append((float(e @ y) / ee if ee > 0 else 0.0, 0.0))
    candidates.append((0.0, float(np.mean(y))))
    u = e - 1.0  # a + c = 1: y - 1 = a (e - 1)
    uu = float(u @ u)
    a_edge = float(u @ (y - 1.0)) / uu if uu > 0 else 0.0
    candidates.append((a_edge, 1.0 - a_edge))
    best, cost = (0.0, 0.0), np.inf
    for a, c in candidates:
        a, c = max(a, 0.0), max(c, 0.0)
        if a + c > 1.0:
            a, c = a / (a + c), c / (a + c)
        value = float(np.sum((a * e + c - y) ** 2))
        if value < cost:
            best, cost = (a, c), value
    return best, cost


def law_matrix(law: np.ndarray, distances: np.ndarray) -> np.ndarray:
    """The coherency matrix (C, C) of a fitted law: ones on the diagonal, ``a exp(-d /
    lambda) + c`` off it; positive definite (eigenvalues floored at
    :data:`MIN_EIGENVALUE` and the diagonal reset to one where coincident positions make
    it singular)."""
    a, length, c = law
    n = len(distances)
    if not np.isfinite(length) or (a == 0 and c == 0):
        return np.eye(n)
    matrix = a * np.exp(-distances / length) + c
    np.fill_diagonal(matrix, 1.0)
    values, vectors = np.linalg.eigh(matrix)
    if values.min() >= MIN_EIGENVALUE:
        return matrix
    matrix = (vectors * np.maximum(values, MIN_EIGENVALUE)) @ vectors.T
    scale = np.sqrt(np.diagonal(matrix))
    return matrix / scale[:, None] / scale[None, :]
