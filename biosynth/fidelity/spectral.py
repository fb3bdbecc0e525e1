# SPDX-License-Identifier: BSD-3-Clause
"""Spectral features: Welch power spectral density, band powers, peak frequency."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from biosynth.fidelity._rows import as_rows
from biosynth.signals._checks import check_int, check_number, check_sfreq

#: Default EEG bands, in Hz. :func:`band_power` integrates over the bins with
#: ``low <= f <= high``, so a bin on a shared edge counts in both neighbouring bands.
EEG_BANDS: dict[str, tuple[float, float]] = {
    "delta": (1.0, 4.0),
    "theta": (4.0, 8.0),
    "alpha": (8.0, 13.0),
    "beta": (13.0, 30.0),
    "gamma": (30.0, 45.0),
}


def welch_psd(x: Any, sfreq: float, *, nperseg: int | None = None, axis: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """Power spectral density by Welch's method (SciPy's conventions).

    Hann window, 50 % overlap, mean of segment periodograms, constant detrending,
    one-sided density scaling: the PSD integrates to the signal variance.

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals; any leading shape.
    sfreq : float
        Sampling rate, in Hz.
    nperseg : int | None
        Segment length in samples; None uses ``min(n_times, 2 * sfreq)`` (0.5 Hz
        resolution).
    axis : int
        Time axis.

    Returns
    -------
    freqs : ndarray, shape (n_freqs,)
        Frequencies, in Hz.
    psd : ndarray, shape (..., n_freqs)
        Power spectral density, in units**2 / Hz.
    """
    from scipy.signal import welch

    sfreq = check_sfreq("sfreq", sfreq)
    rows, restore = as_rows(x, axis=axis, min_samples=2)
    n_times = rows.shape[1]
    if nperseg is None:
        nperseg = min(n_times, round(2 * sfreq))
    nperseg = check_int("nperseg", nperseg, low=2, high=n_times)
    freqs, psd = welch(rows, fs=sfreq, nperseg=nperseg, axis=-1)
    return freqs, restore(psd)


def band_power(
    freqs: np.ndarray,
    psd: np.ndarray,
    bands: Mapping[str, tuple[float, float]] = EEG_BANDS,
    *,
    relative: bool = True,
    total_range: tuple[float, float] | None = None,
) -> dict[str, np.ndarray]:
    """Power in each band, integrated with the trapezoid rule.

    Parameters
    ----------
    freqs : ndarray, shape (n_freqs,)
        Frequencies, in Hz.
    psd : ndarray, shape (..., n_freqs)
        Power spectral density.
    bands : mapping of str to (low, high)
        Band edges, in Hz; bands beyond the highest frequency are skipped.
    relative : bool
        Divide by the power over ``total_range``.
    total_range : (low, high) | None
        Range of the total power, in Hz; None spans the lowest to highest band edge.

    Returns
    -------
    powers : dict of str to ndarray, shape (...)
        Absolute power (units**2) or unitless fraction per band.
    """
    freqs = np.asarray(freqs, dtype=float)
    psd = np.asarray(psd, dtype=float)
    if psd.shape[-1] != freqs.size:
        raise ValueError(f"psd has {psd.shape[-1]} frequencies along its last axis but freqs has {freqs.size}.")
    usable = {k: v for k, v in bands.items() if v[0] < freqs[-1]}
    if not usable:
        raise ValueError(f"no band lies below the highest frequency ({freqs[-1]:g} Hz); bands were {dict(bands)}.")
    powers = {name: _integrate(freqs, psd, low, min(high, freqs[-1])) for name, (low, high) in usable.items()}
    if relative:
        lo, hi = total_range or (min(v[0] for v in usable.values()), min(max(v[1] for v in usable.values()), freqs[-1]))
        total = _integrate(freqs, psd, lo, hi)
        powers = {k: np.divide(v, total, out=np.full_like(v, np.nan), where=total > 0) for k, v in powers.items()}
    return powers


def _integrate(freqs: np.ndarray, psd: np.ndarray, low: float, high: float) -> np.ndarray:
    check_number("band low edge", low, low=0.0)
    mask = (freqs >= low) & (freqs <= high)
    if mask.sum() < 2:
        raise ValueError(f"band {low:g}-{high:g} Hz holds fewer than 2 frequency bins; use longer signals.")
    from scipy.integrate import trapezoid

    return trapezoid(psd[..., mask], freqs[mask], axis=-1)


def peak_frequency(freqs: np.ndarray, psd: np.ndarray, band: tuple[float, float]) -> np.ndarray:
    """Frequency of the largest PSD value within ``band``, per row.

    Parameters
    ----------
    freqs : ndarray, shape (n_freqs,)
        Frequencies, in Hz.
    psd : ndarray, shape (..., n_freqs)
        Power spectral density.
    band : (float, float)
        Search range, in Hz (inclusive).

    Returns
    -------
    peak : ndarray, shape (...)
        Peak frequency, in Hz.
    """
    freqs = np.asarray(freqs, dtype=float)
    mask = (freqs >= band[0]) & (freqs <= band[1])
    if not mask.any():
        raise ValueError(f"band {band[0]:g}-{band[1]:g} Hz holds no frequency bin.")
    return freqs[mask][np.argmax(np.asarray(psd)[..., mask], axis=-1)]
