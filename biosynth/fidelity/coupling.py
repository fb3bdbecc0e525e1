# SPDX-License-Identifier: BSD-3-Clause
"""Coupling measures of Parkinsonian recordings: phase-amplitude coupling by the
modulation index of Tort et al. (2010) and cortico-muscular coherence with its
significance level (Halliday et al. 1995).

Both accept plain arrays with a sampling rate, or biosynth containers (whose
``attrs["sfreq"]`` is used and whose ``time`` dim is the time axis). Both filters are
zero-phase Butterworth filters of order 4 run forward and backward
(:func:`scipy.signal.sosfiltfilt`, effective order 8, no delay), as in
:mod:`biosynth.fidelity.detectors`.
"""

from __future__ import annotations

import logging
from typing import Any, NamedTuple

import numpy as np
import xarray as xr

from biosynth._utils.check import check_int, check_number, check_sfreq, check_type
from biosynth.fidelity._rows import as_rows
from biosynth.fidelity._segments import check_band
from biosynth.signals import TIME

logger = logging.getLogger(__name__)

#: Order of the Butterworth filters (doubled by the forward-backward pass).
FILTER_ORDER = 4


# --------------------------------------------------------------------------- helpers


def _time_last(name: str, x: Any, sfreq: Any, axis: int) -> tuple[Any, float, int]:
    """``x`` with its sampling rate: a DataArray gives its ``time`` dim last and ``attrs["sfreq"]``."""
    if isinstance(x, xr.DataArray):
        if TIME not in x.dims:
            raise ValueError(f"{name} must have a {TIME!r} dim, got dims {x.dims}.")
        own = x.attrs.get("sfreq")
        if sfreq is None:
            if own is None:
                raise ValueError(f"{name} has no attrs['sfreq']; pass sfreq in Hz.")
            sfreq = own
        elif own is not None and float(own) != float(sfreq):
            raise ValueError(f"sfreq={sfreq!r} Hz differs from {name}.attrs['sfreq']={own!r} Hz.")
        return x.transpose(..., TIME).values, check_sfreq(f"{name}.attrs['sfreq']", sfreq), -1
    if sfreq is None:
        raise TypeError(f"sfreq is required (in Hz) when {name} is not a biosynth container.")
    return x, check_sfreq("sfreq", sfreq), axis


def _filter(rows: np.ndarray, sfreq: float, name: str, **design: Any) -> np.ndarray:
    """Zero-phase Butterworth filter along time; refuses rows too short for sosfiltfilt's padding."""
    from scipy.signal import butter, sosfiltfilt

    sos = butter(FILTER_ORDER, fs=sfreq, output="sos", **design)
    padlen = 3 * (2 * len(sos) + 1)  # sosfiltfilt's default
    if rows.shape[-1] <= padlen:
        raise ValueError(f"{name} has {rows.shape[-1]} samples; filtering needs more than {padlen}.")
    return sosfiltfilt(sos, rows, axis=-1)


# --------------------------------------------------------------------------- modulation index


def _tort_distribution(phase: np.ndarray, amplitude: np.ndarray, n_bins: int) -> np.ndarray:
    """(n_rows, n_times) phase in rad, amplitude -> (n_rows, n_bins) mean-amplitude distribution P.

    Bin ``j`` holds phases in ``[-pi + j * 2 pi / n_bins, -pi + (j + 1) * 2 pi / n_bins)``
    (``pi`` itself falls in the last bin); empty bins get probability 0.
    """
    n_rows = phase.shape[0]
    bins = np.clip(np.floor((phase + np.pi) * (n_bins / (2.0 * np.pi))).astype(np.int64), 0, n_bins - 1)
    index = (bins + n_bins * np.arange(n_rows)[:, None]).ravel()
    sums = np.bincount(index, weights=amplitude.ravel(), minlength=n_rows * n_bins).reshape(n_rows, n_bins)
    counts = np.bincount(index, minlength=n_rows * n_bins).reshape(n_rows, n_bins)
    mean = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return mean / mean.sum(axis=-1, keepdims=True)


def _tort_mi(distribution: np.ndarray) -> np.ndarray:
    """KL(P || uniform) / log(n_bins) along the last axis, natural logs; 0 log 0 = 0."""
    n_bins = distribution.shape[-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        plogp = np.where(distribution > 0, distribution * np.log(distribution), 0.0)
    entropy = -plogp.sum(axis=-1)
    mi = (np.log(n_bins) - entropy) / np.log(n_bins)
    return np.where(np.isfinite(distribution).all(axis=-1), np.maximum(mi, 0.0), np.nan)


def modulation_index(
    x: Any,
    sfreq: float | None = None,
    *,
    phase_band: tuple[float, float] = (13.0, 30.0),
    amplitude_band: tuple[float, float] = (50.0, 150.0),
    n_bins: int = 18,
    axis: int = -1,
    return_distribution: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Phase-amplitude coupling by the modulation index (MI) of Tort et al. (2010).

    Each signal is filtered twice with zero-phase Butterworth band-passes (order 4,
    forward-backward): in ``phase_band``, whose analytic signal (Hilbert) gives the
    phase, and in ``amplitude_band``, whose Hilbert magnitude gives the amplitude
    envelope. The phase is split into ``n_bins`` equal bins from -pi; the mean
    amplitude in each bin, normalised to sum to one, is the distribution ``P``, and

    .. math:: MI = \\frac{D_{KL}(P \\,\\|\\, U)}{\\log N} = \\frac{\\log N + \\sum_j P_j \\log P_j}{\\log N},

    with ``U`` uniform over the ``N`` bins. The normalisation by ``log N`` makes the
    log base irrelevant (natural logs here): MI is 0 for amplitude independent of
    phase and 1 when all amplitude sits in one bin.

    Parameters
    ----------
    x : array_like or DataArray, shape (..., n_times)
        Signals (any unit; MI is scale-free), e.g. a biosynth container.
    sfreq : float | None
        Sampling rate, in Hz. None reads ``x.attrs["sfreq"]`` of a container.
    phase_band : tuple of float
        Band of the modulating (phase) rhythm, in Hz; default beta, 13-30 Hz.
    amplitude_band : tuple of float
        Band of the modulated (amplitude) activity, in Hz, below ``sfreq / 2``; default
        broadband gamma, 50-150 Hz (de Hemptinne et al. 2013 use 50-200 Hz).
    n_bins : int
        Number of phase bins N (18 bins of 20 degrees, as in Tort et al. 2010), >= 2.
    axis : int
        Time axis of an array (a container always uses its ``time`` dim).
    return_distribution : bool
        Also return the phase-amplitude distribution ``P``.

    Returns
    -------
    mi : ndarray of float64, shape (...)
        Modulation index, unitless in [0, 1]; NaN for a signal without amplitude in
        ``amplitude_band`` (flat).
    distribution : ndarray of float64, shape (..., n_bins)
        Only with ``return_distribution``: ``P``, summing to 1 along the last axis;
        bin ``j`` covers phases ``[-pi + 2 pi j / N, -pi + 2 pi (j + 1) / N)`` rad
        (phase 0 is the peak of the phase-band rhythm as a cosine).

    Notes
    -----
    For an amplitude ``a (1 + m cos(phi))`` with phase ``phi`` uniform over the bins,
    ``P_j = (1 + m c_j) / N`` where ``c_j`` is the mean of ``cos`` over bin ``j``, which
    gives MI in closed form (about ``m**2 / (4 log N)`` for small ``m``). The amplitude
    band must hold the sidebands ``f_amp +/- f_phase`` that carry the modulation: it
    should be at least twice as wide as the highest phase frequency (Aru et al. 2015),
    otherwise MI is underestimated. MI has a positive bias on finite data that falls
    with the length of the record; compare records of equal length or against
    surrogates. ``tensorpac.Pac(idpac=(2, 0, 0))`` computes the same MI with FIR
    filters; on the same phase and amplitude the two agree to rounding.

    References
    ----------
    Tort ABL, Komorowski R, Eichenbaum H, Kopell N (2010). Measuring phase-amplitude
    coupling between neuronal oscillations of different frequencies. J Neurophysiol
    104(2):1195-1210. doi:10.1152/jn.00106.2010

    de Hemptinne C, et al. (2013). Exaggerated phase-amplitude coupling in the primary
    motor cortex in Parkinson disease. PNAS 110(12):4780-4785.

    Aru J, et al. (2015). Untangling cross-frequency coupling in neuroscience. Curr Opin
    Neurobiol 31:51-61.

    Examples
    --------
    >>> t = np.arange(4000) / 1000.0
    >>> beta = np.cos(2 * np.pi * 20.0 * t)
    >>> x = beta + 0.2 * (1.0 + 0.8 * beta) * np.cos(2 * np.pi * 100.0 * t)  # gamma peaks at beta peaks
    >>> mi, p = modulation_index(x, 1000.0, return_distribution=True)
    >>> round(float(mi), 2), int(np.argmax(p)) in (8, 9)
    (0.06, True)
    """
    x, sfreq, axis = _time_last("x", x, sfreq, axis)
    phase_band = check_band(phase_band, sfreq, "phase_band", rate="sfreq")
    amplitude_band = check_band(amplitude_band, sfreq, "amplitude_band", rate="sfreq")
    n_bins = check_int("n_bins", n_bins, low=2)
    check_type("return_distribution", return_distribution, (bool, np.bool_), "True or False")
    from scipy.signal import hilbert

    rows, restore = as_rows(x, axis=axis, min_samples=2)
    cycle = round(2.0 * sfreq / phase_band[0])
    if rows.shape[1] < cycle:
        raise ValueError(
            f"x has {rows.shape[1]} samples; the modulation index needs at least two cycles of "
            f"phase_band[0]={phase_band[0]:g} Hz ({cycle} samples at {sfreq:g} Hz)."
        )
    phase = np.angle(hilbert(_filter(rows, sfreq, "x", Wn=phase_band, btype="bandpass"), axis=-1))
    amplitude = np.abs(hilbert(_filter(rows, sfreq, "x", Wn=amplitude_band, btype="bandpass"), axis=-1))
    distribution = _tort_distribution(phase, amplitude, n_bins)
    mi = restore(_tort_mi(distribution))
    return (mi, restore(distribution)) if return_distribution else mi


# --------------------------------------------------------------------------- cortico-muscular coherence


class CorticomuscularCoherence(NamedTuple):
    """Result of :func:`corticomuscular_coherence` (a tuple: ``freqs, coh, level, n = result``).

    Attributes
    ----------
    freqs : ndarray, shape (n_freqs,)
        Frequencies, in Hz.
    coherence : ndarray of float64, shape (..., n_eeg, n_emg, n_freqs)
        Magnitude-squared coherence per EEG/LFP and EMG channel pair, in [0, 1].
    significance : float
        Coherence above which a bin is significant at level ``alpha`` for independent
        signals: ``1 - alpha ** (1 / (n_segments - 1))``.
    n_segments : int
        Number L of disjoint segments averaged.
    """

    freqs: np.ndarray
    coherence: np.ndarray
    significance: float
    n_segments: int


def _channels(name: str, data: Any, axis: int) -> np.ndarray:
    """Finite float64 ``(..., n_channels, n_times)``; a 1-D signal is one channel."""
    rows, _ = as_rows(data, axis=axis, min_samples=4, name=name)  # two segments of two samples
    shape = np.moveaxis(np.asarray(data), axis, -1).shape
    return rows.reshape(shape if len(shape) > 1 else (1, *shape))


def corticomuscular_coherence(
    eeg: Any,
    emg: Any,
    sfreq: float | None = None,
    *,
    nperseg: int | None = None,
    highpass: float | None = 10.0,
    rectify: bool = True,
    alpha: float = 0.05,
    axis: int = -1,
) -> CorticomuscularCoherence:
    """Cortico-muscular coherence between EEG/LFP channels and (rectified) surface EMG.

    The EMG is high-passed (``highpass``; zero-phase Butterworth of order 4, forward-
    backward) to remove movement artefact and offset, then full-wave rectified
    (``abs``), which turns the motor-unit discharge timing, carried by the amplitude of
    the EMG, into low-frequency power (Halliday et al. 1995; Myers et al. 2003; Farina
    et al. 2013; McClelland et al. 2012 argue against rectifying). The magnitude-squared
    coherence of every EEG/EMG channel pair is then Welch's estimate over ``L``
    disjoint segments (Hann window, constant detrend per segment, no overlap)::

        C_xy(f) = |S_xy(f)|**2 / (S_xx(f) S_yy(f)),

    identical to ``scipy.signal.coherence(x, y, sfreq, nperseg=nperseg, noverlap=0)``
    on the preprocessed signals. For independent signals the estimate exceeds
    ``1 - alpha ** (1 / (L - 1))`` with probability ``alpha`` at each frequency
    (Halliday et al. 1995, eq. 2.5 with disjoint segments).

    Parameters
    ----------
    eeg : array_like or DataArray, shape (..., n_eeg, n_times) or (n_times,)
        EEG / MEG / LFP signals (any unit), e.g. a biosynth container.
    emg : array_like or DataArray, shape (..., n_emg, n_times) or (n_times,)
        Surface EMG (any unit), same leading shape, number of samples and sampling rate
        as ``eeg``.
    sfreq : float | None
        Sampling rate of both, in Hz. None reads ``attrs["sfreq"]`` of containers,
        which must then agree.
    nperseg : int | None
        Segment length in samples; None uses one second (1 Hz resolution), at most
        half the record. At least two segments must fit.
    highpass : float | None
        Cut-off of the EMG high-pass, in Hz (10 Hz by default; 10-20 Hz is usual),
        below ``sfreq / 2``; None skips it.
    rectify : bool
        Full-wave rectify the EMG after the high-pass.
    alpha : float
        Level of the significance threshold, in (0, 1); 0.05 gives the 95 % level.
    axis : int
        Time axis of arrays (containers always use their ``time`` dim).

    Returns
    -------
    result : CorticomuscularCoherence
        Named tuple ``(freqs, coherence, significance, n_segments)``; ``coherence`` has
        shape ``(..., n_eeg, n_emg, n_freqs)`` (a 1-D ``eeg`` or ``emg`` counts as one
        channel) and is NaN where a channel has no power in a bin (flat).

    References
    ----------
    Halliday DM, Rosenberg JR, Amjad AM, Breeze P, Conway BA, Farmer SF (1995). A
    framework for the analysis of mixed time series/point process data - theory and
    application to the study of physiological tremor, single motor unit discharges and
    electromyograms. Prog Biophys Mol Biol 64(2-3):237-278.

    Salenius S, Portin K, Kajola M, Salmelin R, Hari R (1997). Cortical control of
    human motoneuron firing during isometric contraction. J Neurophysiol
    77(6):3401-3405.

    Myers LJ, et al. (2003). Rectification and non-linear pre-processing of EMG signals
    for cortico-muscular analysis. J Neurosci Methods 124(2):157-165.

    McClelland VM, Cvetkovic Z, Mills KR (2012). Rectification of the EMG is an
    unnecessary and inappropriate step in the calculation of corticomuscular
    coherence. J Neurosci Methods 205(1):190-201.

    Farina D, Negro F, Jiang N (2013). Identification of common synaptic inputs to
    motor neurons from the rectified electromyogram. J Physiol 591(10):2403-2418.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(60000) / 1000.0  # 60 s at 1 kHz
    >>> drive = np.sin(2 * np.pi * 20.0 * t)  # cortical beta drive
    >>> eeg = drive + rng.normal(size=t.size)
    >>> emg = (1.0 + 0.5 * drive) * rng.normal(size=t.size)  # amplitude-modulated EMG
    >>> freqs, coh, level, n = corticomuscular_coherence(eeg, emg, 1000.0)
    >>> n, round(level, 4), bool(coh[0, 0, freqs == 20.0][0] > level)
    (60, 0.0495, True)
    """
    eeg, sfreq_eeg, axis_eeg = _time_last("eeg", eeg, sfreq, axis)
    emg, sfreq_emg, axis_emg = _time_last("emg", emg, sfreq, axis)
    if sfreq_eeg != sfreq_emg:
        raise ValueError(
            f"eeg and emg sampling rates differ ({sfreq_eeg:g} Hz vs {sfreq_emg:g} Hz); "
            "resample one with biosynth.signals.resample first."
        )
    sfreq = sfreq_eeg
    x = _channels("eeg", eeg, axis_eeg)
    y = _channels("emg", emg, axis_emg)
    if x.shape[-1] != y.shape[-1]:
        raise ValueError(f"eeg and emg lengths differ ({x.shape[-1]} vs {y.shape[-1]} samples); crop them to match.")
    if x.shape[:-2] != y.shape[:-2]:
        raise ValueError(
            f"eeg and emg must share their leading shape (records), got {x.shape[:-2]} and {y.shape[:-2]}."
        )
    n_times = x.shape[-1]
    if nperseg is None:
        nperseg = min(round(sfreq), n_times // 2)
    nperseg = check_int("nperseg", nperseg, low=2)
    n_segments = n_times // nperseg
    if n_segments < 2:
        raise ValueError(
            f"nperseg={nperseg} leaves {n_segments} segment(s) of the {n_times} samples of eeg and emg; "
            "coherence needs at least 2 (it is 1 with one)."
        )
    alpha = check_number("alpha", alpha, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    check_type("rectify", rectify, (bool, np.bool_), "True or False")
    if highpass is not None:
        cutoff = check_number(
            "highpass",
            highpass,
            low=0.0,
            high=sfreq / 2.0,
            low_inclusive=False,
            high_inclusive=False,
            unit="Hz",
            context=f"Nyquist is {sfreq / 2.0:g} Hz",
        )
        y = _filter(y, sfreq, "emg", Wn=cutoff, btype="highpass")
    if rectify:
        y = np.abs(y)
    from scipy.signal import stft

    settings = {"window": "hann", "nperseg": nperseg, "noverlap": 0, "detrend": "constant"}
    freqs, _, spec_x = stft(x, sfreq, boundary=None, padded=False, **settings)  # (..., n_eeg, n_freqs, L)
    _, _, spec_y = stft(y, sfreq, boundary=None, padded=False, **settings)
    cross = np.einsum("...ifl,...jfl->...ijf", spec_x.conj(), spec_y)
    power_x = np.sum(np.abs(spec_x) ** 2, axis=-1)
    power_y = np.sum(np.abs(spec_y) ** 2, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        coh = np.abs(cross) ** 2 / (power_x[..., :, None, :] * power_y[..., None, :, :])
    significance = 1.0 - alpha ** (1.0 / (n_segments - 1))
    return CorticomuscularCoherence(freqs, coh, float(significance), int(n_segments))
