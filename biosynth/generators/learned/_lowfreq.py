# SPDX-License-Identifier: BSD-3-Clause
"""The slowest part of :class:`~biosynth.generators.learned.SpectralGenerator`'s spectrum:
below the first bin of its Welch segments.

The Welch segments (at least 16 of them, for a stable estimate) are much shorter than a
recording, so their first non-zero bin ``f1`` leaves out the slow drifts between ``1 / T``
(``T`` the record length) and ``f1``, which short epochs show as offsets and trends. On the
Fedele iEEG (2.5 s fitted, ``f1`` 3.2 Hz) the real records held 290 times the synthetic
power below 1.6 Hz, and a Hann window leaked that power into the 3.2-Hz bin, which the
model then made as a 3.2-Hz rhythm.

Here that band is estimated from the Hann periodogram of each whole record (averaged over
records; grouped into at most :data:`MAX_BINS` bands; the log's bias corrected and the
bands smoothed by a power law) and made as a sum of sinusoids,
one per band, at a frequency drawn uniformly within it, with complex normal amplitudes
coloured by the coherency of the model's lowest band: a Gaussian process with that
spectrum, whatever the length of the record drawn.
"""

from __future__ import annotations

import numpy as np

#: Most bands of the slow part (more periodogram bins are grouped).
MAX_BINS = 64


def fit_low(x: np.ndarray, sfreq: float, f1: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The slow part's bands from records ``x`` (n_records, C, n_times; zero mean).

    Parameters
    ----------
    x : ndarray, shape (n_records, n_channels, n_times)
    sfreq : float
        Sampling rate, in Hz.
    f1 : float
        The model's first non-zero frequency, in Hz: the bands cover (0, f1).

    Returns
    -------
    centres, widths : ndarray, shape (n_bands,)
        Band centres and widths, in Hz (empty when the records are no longer than a
        Welch segment).
    log_psd : ndarray, shape (n_channels, n_bands)
        log10 of the mean power spectral density in each band (units**2 / Hz), its bias
        corrected and, with 3 bands or more, smoothed by :func:`_power_law`.
    """
    from scipy import signal

    freqs, psd = signal.periodogram(x, sfreq, window="hann", detrend="constant", axis=-1)
    psd = psd.mean(axis=0)  # (C, F)
    keep = (freqs > 0) & (freqs < f1)
    if not keep.any():
        return np.zeros(0), np.zeros(0), np.zeros((x.shape[1], 0))
    from scipy.special import digamma

    step = freqs[1]
    groups = np.array_split(np.flatnonzero(keep), min(MAX_BINS, int(keep.sum())))
    centres = np.array([freqs[g].mean() for g in groups])
    widths = np.array([len(g) * step for g in groups])
    power = np.stack([psd[:, g].mean(axis=1) for g in groups], axis=1)
    # the log of a mean of m exponentials is biased by digamma(m) - ln(m) (-0.25 log10 for m = 1)
    m = np.array([len(g) for g in groups]) * x.shape[0]
    log_psd = np.log10(np.clip(power, 1e-300, None)) - (digamma(m) - np.log(m)) / np.log(10.0)
    return centres, widths, _power_law(centres, log_psd)


def _power_law(centres: np.ndarray, log_psd: np.ndarray) -> np.ndarray:
    """``log_psd`` (C, n_bands) smoothed by a power law with one slope for all channels and
    an offset per channel (least squares in log-log axes), for 3 bands or more: a record
    holds a few periodogram values of its slow drifts, each scattered by a factor of about
    2, and values copied as they are would be the fit part's own draw of them."""
    if len(centres) < 3:
        return log_psd
    x = np.log10(centres) - np.log10(centres).mean()
    y = log_psd - log_psd.mean(axis=1, keepdims=True)
    slope = float(np.sum(y * x) / (len(log_psd) * np.sum(x**2)))
    return log_psd.mean(axis=1, keepdims=True) + slope * x


def draw_low(
    rng: np.random.Generator,
    centres: np.ndarray,
    widths: np.ndarray,
    log_psd: np.ndarray,
    factor: np.ndarray,
    n_times: int,
    sfreq: float,
) -> np.ndarray:
    """One record of the slow part, (C, n_times): one sinusoid per band at a frequency
    uniform within it, with amplitudes ``a = sqrt(2 P w) * (L z)`` (``P`` the band's
    density, ``w`` its width, ``L`` the coherency ``factor`` (C, C), ``z`` circular
    complex standard normals): each band adds the variance ``P w``."""
    n_bands, n_ch = len(centres), factor.shape[0]
    if n_bands == 0:
        return np.zeros((n_ch, n_times))
    freqs = centres + (rng.random(n_bands) - 0.5) * widths
    z = rng.standard_normal((n_bands, n_ch, 2)) @ np.array([1.0, 1.0j]) / np.sqrt(2.0)
    amplitudes = np.sqrt(2.0 * 10.0**log_psd.T * widths[:, None]) * (z @ factor.T)  # (bands, C)
    angles = (2.0 * np.pi / sfreq * freqs[:, None] * np.arange(n_times)).astype(np.float32)  # (bands, n_times)
    # Re(a exp(i w t)) = Re(a) cos(w t) - Im(a) sin(w t), in single precision like the rest of the draw
    real, imag = amplitudes.real.T.astype(np.float32), amplitudes.imag.T.astype(np.float32)
    return real @ np.cos(angles) - imag @ np.sin(angles)
