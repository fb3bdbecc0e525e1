# SPDX-License-Identifier: BSD-3-Clause
"""Reference event detectors for intraoperative ECoG: interictal spikes and HFOs.

Both detectors take a biosynth container, work in volts and return an event table
(:func:`biosynth.signals.events.make_events`): one row per detection per channel,
``record`` the position of the record in the container (0 without a ``record`` dim),
``channel`` the channel name, ``onset`` in s from the record's first sample (the
``time`` coordinate's ``t0`` is not added) and ``duration`` in s. They are simple,
documented references against which synthetic events can be scored, not clinical
detectors.

Conventions shared by both: a zero-phase Butterworth band-pass of order 4
(:func:`scipy.signal.sosfiltfilt`, so the effective order is 8 and there is no delay);
sliding measures computed over windows of ``n`` samples and labelled at the window
centre; thresholds set per record and channel from that channel's own statistics, so
they are scale-free (the unit only matters for reading the signal).

References
----------
.. [1] Esteller R, Echauz J, Tcheng T, Litt B, Pless B (2001). Line length: an
   efficient feature for seizure onset detection. Proc 23rd Annu Int Conf IEEE EMBS
   2:1707-1710. doi:10.1109/IEMBS.2001.1020545
.. [2] Gardner AB, Worrell GA, Marsh E, Dlugos D, Litt B (2007). Human and automated
   detection of high-frequency oscillations in clinical intracranial EEG recordings.
   Clin Neurophysiol 118(5):1134-1143. doi:10.1016/j.clinph.2006.12.019
.. [3] Staba RJ, Wilson CL, Bragin A, Fried I, Engel J Jr (2002). Quantitative analysis
   of high-frequency oscillations (80-500 Hz) recorded in human epileptic hippocampus
   and entorhinal cortex. J Neurophysiol 88(4):1743-1752. doi:10.1152/jn.2002.88.4.1743
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from biosynth._utils.check import check_int, check_number, check_positive
from biosynth._utils.deprecation import renamed_arguments
from biosynth.fidelity._segments import (
    bandpass,
    check_band,
    merge,
    moving_sum,
    runs,
    samples,
    segment_argmax,
    volts,
    where,
)
from biosynth.signals.events import make_events

#: Scale from the median absolute deviation to the SD of a normal distribution.
MAD_TO_SD = 1.482602218505602
#: Event types of :func:`detect_hfos` by band (Hz): a band inside one of these ranges.
HFO_TYPES = {"ripple": (80.0, 250.0), "fast_ripple": (250.0, 500.0)}


# --------------------------------------------------------------------------- helpers


def line_length_series(x: np.ndarray, n: int) -> np.ndarray:
    """Line length of each window of ``n`` samples: ``sum |x[k+1] - x[k]|`` inside it.

    Parameters
    ----------
    x : ndarray, shape (..., n_times)
        Signals, any unit.
    n : int
        Window length, in samples (>= 2).

    Returns
    -------
    ll : ndarray, shape (..., n_times - n + 1)
        Same unit as ``x``; element ``i`` covers samples ``i`` to ``i + n - 1``.

    Examples
    --------
    >>> line_length_series(np.array([0.0, 1.0, -1.0, 0.0]), 3).tolist()
    [3.0, 3.0]
    """
    n = check_int("n", n, low=2)
    return moving_sum(np.abs(np.diff(x, axis=-1)), n - 1)


@renamed_arguments({"threshold": "threshold_sd"}, since="0.2", until="0.3")
def detect_spikes(
    signals: xr.DataArray,
    *,
    threshold_sd: float = 5.0,
    window: float = 0.04,
    band: tuple[float, float] = (10.0, 60.0),
    min_interval: float = 0.1,
) -> pd.DataFrame:
    """Interictal spikes by line length of the band-passed signal (reference detector).

    Each channel is band-passed (``band``, zero-phase Butterworth), its line length
    computed in sliding windows of ``window`` s (Esteller et al. 2001 [1]_; Gardner et
    al. 2007 [2]_) and labelled at the window centre. A spike is a run of line length
    above ``median + threshold_sd * SD``, the median and the SD (1.4826 times the median
    absolute deviation) taken over the channel's whole line-length series, so the
    baseline is robust to the spikes themselves. Runs closer than ``min_interval`` are
    merged into one detection, timed by the window of largest line length in it.

    Parameters
    ----------
    signals : DataArray
        biosynth container, dims ``(record, channel, time)`` or ``(channel, time)``, in
        any volt unit (or ``a.u.``).
    threshold_sd : float
        Threshold above the median line length, in robust SDs (> 0). Called
        ``threshold`` before biosynth 0.2 (the old name warns until 0.3).
    window : float
        Line-length window, in s (about one spike: 20-70 ms); at least 2 samples.
    band : tuple of float
        Pass band ``(low, high)``, in Hz; ``high`` must be under ``sfreq / 2``.
    min_interval : float
        Runs separated by less than this, in s, are one detection (>= 0).

    Returns
    -------
    events : DataFrame
        One row per detection and channel: ``record`` (position in the container),
        ``channel``, ``onset`` (s from the record's first sample: the start of the
        window of largest line length in the detection, i.e. its centre minus
        ``window / 2``), ``duration`` (s, the length of the supra-threshold run of
        window centres) and ``type`` ``"spike"``.

    Notes
    -----
    The onset is the peak of the line length less a fixed lead, not the threshold
    crossing: a window exceeds the threshold as soon as it reaches the spike, so the
    crossing of a strong spike leads its start by up to ``window / 2`` and that of a
    weak one lags, whereas the best-covering window starts at the spike whatever its
    height when the spike lasts about ``window``. On spikes of 50 ms (40 % rise) at
    2 kHz with the defaults the onset falls 3-5 ms after the true start at any
    detectable amplitude. The duration spans the run, so it grows with the amplitude
    (by up to ``window``) and shrinks near the threshold.

    With the defaults, white Gaussian background alone (2 kHz) gives about one
    detection per channel-minute: the line length of a narrow band is right-skewed, so
    ``median + 5 SD`` is exceeded now and then (``threshold_sd=6`` gives about 0.1, 7 none
    in 53 channel-minutes).

    References
    ----------
    .. [1] Esteller R, et al. (2001). Line length: an efficient feature for seizure
       onset detection. Proc IEEE EMBS 2:1707-1710.
    .. [2] Gardner AB, et al. (2007). Human and automated detection of high-frequency
       oscillations in clinical intracranial EEG recordings. Clin Neurophysiol
       118(5):1134-1143.

    Examples
    --------
    >>> from biosynth.signals import make_signals
    >>> x = np.random.default_rng(0).normal(0.0, 5.0, (1, 4000))  # uV at 1 kHz
    >>> x[0, 2000:2040] -= 200.0 * np.hanning(40)  # a 40 ms, 200 uV negative transient
    >>> found = detect_spikes(make_signals(x, 1000.0, units="uV", modality="ecog"))
    >>> found[["channel", "type"]].values.tolist(), bool(abs(found["onset"].iloc[0] - 2.0) < 0.05)
    ([['ch000', 'spike']], True)
    """
    data, sfreq, names = volts(signals)
    threshold_sd = check_positive("threshold_sd", threshold_sd)
    band = check_band(band, sfreq)
    n_win = samples("window", window, sfreq, minimum=2)
    gap = samples("min_interval", min_interval, sfreq, minimum=0)
    filtered = bandpass(data, band, sfreq, n_win)
    ll = line_length_series(filtered.reshape(-1, data.shape[-1]), n_win)
    median = np.median(ll, axis=-1, keepdims=True)
    sd = MAD_TO_SD * np.median(np.abs(ll - median), axis=-1, keepdims=True)
    rows, starts, stops = merge(*runs(ll > median + threshold_sd * sd), gap)
    peak = segment_argmax(ll, rows, starts, stops)
    onset = peak / sfreq  # start of the window of largest line length
    return make_events(onset, (stops - starts) / sfreq, "spike", **where(rows, names))


# --------------------------------------------------------------------------- HFOs


def hfo_type(band: tuple[float, float]) -> str:
    """Event type of a detection band: ``"ripple"`` inside 80-250 Hz, ``"fast_ripple"``
    inside 250-500 Hz, ``"hfo"`` otherwise.

    Parameters
    ----------
    band : tuple of float
        Pass band ``(low, high)``, in Hz.

    Returns
    -------
    kind : str

    Examples
    --------
    >>> hfo_type((80.0, 250.0)), hfo_type((250.0, 500.0)), hfo_type((80.0, 500.0))
    ('ripple', 'fast_ripple', 'hfo')
    """
    low, high = (float(b) for b in band)
    for kind, (lo, hi) in HFO_TYPES.items():
        if lo <= low and high <= hi:
            return kind
    return "hfo"


def _peak_counts(rectified: np.ndarray, peak_sd: float, rows, first, last) -> np.ndarray:
    """Local maxima of ``rectified`` (rows, T) above its row's mean + ``peak_sd`` SD within samples [first, last)."""
    level = rectified.mean(axis=-1, keepdims=True) + peak_sd * rectified.std(axis=-1, keepdims=True)
    mid = rectified[:, 1:-1]
    peaks = (mid > rectified[:, :-2]) & (mid >= rectified[:, 2:]) & (mid > level)
    count = np.concatenate([np.zeros((peaks.shape[0], 2), dtype=np.int64), np.cumsum(peaks, axis=-1)], axis=-1)
    n = count.shape[-1] - 1
    return count[rows, np.clip(last, 0, n)] - count[rows, np.clip(first, 0, n)]


def detect_hfos(
    signals: xr.DataArray,
    *,
    band: tuple[float, float] = (80.0, 250.0),
    rms_window: float = 0.003,
    threshold_sd: float = 5.0,
    min_duration: float = 0.006,
    min_peaks: int = 6,
    peak_sd: float = 3.0,
    merge_gap: float = 0.01,
) -> pd.DataFrame:
    """High-frequency oscillations by the RMS detector of Staba et al. (2002) [1]_.

    Each channel is band-passed (``band``; the paper uses 80-500 Hz), its RMS computed
    in sliding windows of ``rms_window`` s and labelled at the window centre. Runs of
    RMS above ``mean + threshold_sd * SD`` of the channel's RMS series that last at
    least ``min_duration`` are candidates; candidates less than ``merge_gap`` apart are
    merged; a merged event is kept when at least ``min_peaks`` local maxima of the
    rectified band-passed signal inside it exceed ``mean + peak_sd * SD`` of that
    rectified signal over the channel.

    Parameters
    ----------
    signals : DataArray
        biosynth container, dims ``(record, channel, time)`` or ``(channel, time)``, in
        any volt unit (or ``a.u.``); sampled above ``2 * band[1]``.
    band : tuple of float
        Pass band ``(low, high)``, in Hz: 80-250 for ripples, 250-500 for fast ripples.
    rms_window : float
        RMS window, in s (at least 1 sample).
    threshold_sd : float
        RMS threshold above the channel's mean RMS, in SDs of the RMS (> 0).
    min_duration : float
        Shortest supra-threshold run kept, in s.
    min_peaks : int
        Fewest rectified peaks above the peak threshold an event needs (>= 0).
    peak_sd : float
        Peak threshold above the mean of the rectified signal, in its SDs.
    merge_gap : float
        Events separated by less than this, in s, are merged (>= 0).

    Returns
    -------
    events : DataFrame
        One row per detection and channel: ``record`` (position in the container),
        ``channel``, ``onset`` (s from the record's first sample), ``duration`` (s) and
        ``type``: ``"ripple"``, ``"fast_ripple"`` or ``"hfo"`` (see :func:`hfo_type`).

    Notes
    -----
    The mean and SD include the events themselves (as in the paper), so a channel
    dense in HFOs raises its own threshold. Sharp transients (spikes, artefacts)
    ring in the band-passed signal and may be detected too: the filter ringing of
    a step is a known false positive of band-pass HFO detectors.

    References
    ----------
    .. [1] Staba RJ, Wilson CL, Bragin A, Fried I, Engel J Jr (2002). Quantitative
       analysis of high-frequency oscillations (80-500 Hz) recorded in human epileptic
       hippocampus and entorhinal cortex. J Neurophysiol 88(4):1743-1752.

    Examples
    --------
    >>> from biosynth.signals import make_signals
    >>> t = np.arange(4000) / 2000.0
    >>> x = np.random.default_rng(0).normal(0.0, 2.0, (1, 4000))  # uV at 2 kHz
    >>> x[0] += 40.0 * np.exp(-0.5 * ((t - 1.0) / 0.008) ** 2) * np.sin(2 * np.pi * 150.0 * t)
    >>> found = detect_hfos(make_signals(x, 2000.0, units="uV", modality="ecog"))
    >>> found["type"].tolist(), bool(abs(found["onset"].iloc[0] - 0.985) < 0.02)
    (['ripple'], True)
    """
    data, sfreq, names = volts(signals)
    band = check_band(band, sfreq)
    n_win = samples("rms_window", rms_window, sfreq, minimum=1)
    threshold_sd = check_positive("threshold_sd", threshold_sd)
    n_min = samples("min_duration", min_duration, sfreq, minimum=0)
    min_peaks = check_int("min_peaks", min_peaks, low=0)
    peak_sd = check_number("peak_sd", peak_sd, unit="SD")
    gap = samples("merge_gap", merge_gap, sfreq, minimum=0)
    filtered = bandpass(data, band, sfreq, n_win).reshape(-1, data.shape[-1])
    rms = np.sqrt(np.maximum(moving_sum(filtered**2, n_win) / n_win, 0.0))
    level = rms.mean(axis=-1, keepdims=True) + threshold_sd * rms.std(axis=-1, keepdims=True)
    rows, starts, stops = runs(rms > level)
    long = stops - starts >= n_min
    rows, starts, stops = merge(rows[long], starts[long], stops[long], gap)
    offset = (n_win - 1) // 2
    peaks = _peak_counts(np.abs(filtered), peak_sd, rows, starts + offset, stops + offset)
    rows, starts, stops = rows[peaks >= min_peaks], starts[peaks >= min_peaks], stops[peaks >= min_peaks]
    onset = (starts + offset) / sfreq
    return make_events(onset, (stops - starts) / sfreq, hfo_type(band), **where(rows, names))
