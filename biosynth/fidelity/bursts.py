# SPDX-License-Identifier: BSD-3-Clause
"""Beta bursts of Parkinsonian LFP/EEG: detection by an amplitude-envelope threshold
(Tinkhauser et al. 2017) and per-channel burst statistics.

A beta burst is a run of the band-limited amplitude envelope above a threshold that
lasts at least ``min_duration``. Conventions, as described in the papers [1]_ [2]_
and in public re-implementations of their analysis: zero-phase band-pass, Hilbert
magnitude, a 0.2 s moving-average smoothing of the envelope, the threshold at the
75th percentile of that envelope over the whole recording (per channel), bursts of
at least 0.1 s, and burst durations grouped in 0.1 s windows from 0.1 to 0.9 s plus a
last window for longer bursts.
Papers that compare conditions (OFF / ON medication, stimulation) compute the
threshold on one condition and apply it to both, which :func:`burst_threshold` and
the ``threshold`` argument of :func:`detect_bursts` support.

References
----------
.. [1] Tinkhauser G, Pogosyan A, Little S, Beudel M, Herz DM, Tan H, Brown P (2017).
   The modulatory effect of adaptive deep brain stimulation on beta bursts in
   Parkinson's disease. Brain 140(4):1053-1067. doi:10.1093/brain/awx010
.. [2] Tinkhauser G, Pogosyan A, Tan H, Herz DM, Kühn AA, Brown P (2017). Beta burst
   dynamics in Parkinson's disease OFF and ON dopaminergic medication. Brain
   140(11):2968-2981. doi:10.1093/brain/awx252
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from biosynth._utils.check import check_number, check_type
from biosynth.fidelity._segments import bandpass, check_band, runs, segment_argmax, volts, where
from biosynth.signals.events import ALL_CHANNELS, make_events, validate_events

logger = logging.getLogger(__name__)

#: Event type written by :func:`detect_bursts`.
BURST_TYPE = "beta_burst"
#: Edges (s) of the burst-duration windows of Tinkhauser et al. (2017): 0.1-0.2, ...,
#: 0.8-0.9 and > 0.9 s; each window holds ``low <= duration < high``.
DURATION_BINS: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, float("inf"))


# --------------------------------------------------------------------------- envelope


def _smooth_samples(smooth: Any, sfreq: float) -> int:
    """Moving-average length in samples, odd (centred); 1 means no smoothing."""
    if smooth is None:
        return 1
    seconds = check_number("smooth", smooth, low=0.0, unit="s")
    return 2 * round(seconds * sfreq / 2.0) + 1


def _envelope(data: np.ndarray, band: tuple[float, float], sfreq: float, n_smooth: int) -> np.ndarray:
    """Smoothed Hilbert amplitude of the band-passed ``(..., time)`` data, same unit."""
    from scipy.ndimage import uniform_filter1d
    from scipy.signal import hilbert

    envelope = np.abs(hilbert(bandpass(data, band, sfreq, n_smooth), axis=-1))
    if n_smooth > 1:
        envelope = uniform_filter1d(envelope, n_smooth, axis=-1, mode="reflect")
    return envelope


def _check_percentile(percentile: Any) -> float:
    return check_number("percentile", percentile, low=0.0, high=100.0, low_inclusive=False, high_inclusive=False)


def burst_threshold(
    signals: xr.DataArray,
    *,
    band: tuple[float, float] = (13.0, 30.0),
    percentile: float = 75.0,
    smooth: float | None = 0.2,
) -> np.ndarray:
    """Burst threshold per record and channel: a percentile of the beta envelope.

    The envelope is the one :func:`detect_bursts` thresholds: zero-phase Butterworth
    band-pass (order 4, :func:`scipy.signal.sosfiltfilt`), Hilbert magnitude, centred
    moving average over ``smooth`` s. Compute it on a reference recording (e.g. OFF
    medication) and pass it as ``threshold`` to :func:`detect_bursts` on the other
    conditions, as Tinkhauser et al. (2017) do, so that bursts are compared against one
    amplitude.

    Parameters
    ----------
    signals : DataArray
        biosynth container, dims ``(record, channel, time)`` or ``(channel, time)``, in
        any volt unit (or ``a.u.``).
    band : tuple of float
        Pass band ``(low, high)``, in Hz; ``high`` must be under ``sfreq / 2``. The
        papers use the patient's beta peak +/- 3 Hz.
    percentile : float
        Percentile of the envelope over the whole record, in (0, 100) (NumPy's linear
        interpolation).
    smooth : float | None
        Length of the moving average of the envelope, in s (0.2 in the papers); 0 or
        None does not smooth.

    Returns
    -------
    threshold : ndarray of float64, shape (n_records, n_channels)
        Envelope amplitude, in V (in ``a.u.`` for unitless signals); one row also for a
        container without a ``record`` dim.

    Examples
    --------
    >>> from biosynth.signals import make_signals
    >>> x = np.random.default_rng(0).normal(0.0, 1.0, (2, 2000))  # uV at 250 Hz
    >>> burst_threshold(make_signals(x, 250.0, units="uV", modality="lfp")).shape
    (1, 2)
    """
    data, sfreq, _ = volts(signals)
    band = check_band(band, sfreq)
    percentile = _check_percentile(percentile)
    envelope = _envelope(data, band, sfreq, _smooth_samples(smooth, sfreq))
    return np.percentile(envelope, percentile, axis=-1)


def _check_threshold(threshold: Any, shape: tuple[int, int]) -> np.ndarray:
    """A positive threshold broadcast to ``(n_records, n_channels)``."""
    try:
        values = None if isinstance(threshold, str) else np.asarray(threshold, dtype=float)
    except (TypeError, ValueError):
        values = None
    if values is None or values.ndim > 2:
        raise TypeError(
            f"threshold must be a number in V, one per channel, or one per record and channel {shape}, "
            f"got {threshold!r}."
        )
    try:
        values = np.broadcast_to(values, shape)
    except ValueError:
        raise ValueError(
            f"threshold must be one value, one per channel ({shape[1]}) or one per record and channel {shape}, "
            f"got shape {values.shape}."
        ) from None
    if not (np.isfinite(values) & (values > 0)).all():
        raise ValueError(f"threshold must hold positive finite amplitudes in V, got {threshold!r}.")
    return values


# --------------------------------------------------------------------------- detection


def detect_bursts(
    signals: xr.DataArray,
    *,
    band: tuple[float, float] = (13.0, 30.0),
    percentile: float = 75.0,
    threshold: float | Sequence[float] | np.ndarray | None = None,
    min_duration: float = 0.1,
    smooth: float | None = 0.2,
) -> pd.DataFrame:
    """Beta bursts: runs of the beta amplitude envelope above a threshold (Tinkhauser et al. 2017).

    Each channel is band-passed (``band``; zero-phase Butterworth of order 4,
    :func:`scipy.signal.sosfiltfilt`, so no delay), its amplitude envelope taken as the
    magnitude of the analytic signal (:func:`scipy.signal.hilbert`) and smoothed by a
    centred moving average of ``smooth`` s. The threshold is the ``percentile`` of that
    envelope over the whole record, per record and channel, unless ``threshold`` is
    given. A burst is a run of samples with the envelope above (``>``) the threshold
    lasting at least ``min_duration``.

    Parameters
    ----------
    signals : DataArray
        biosynth container, dims ``(record, channel, time)`` or ``(channel, time)``, in
        any volt unit (or ``a.u.``).
    band : tuple of float
        Pass band ``(low, high)``, in Hz; ``high`` must be under ``sfreq / 2``. The
        papers use the patient's beta peak +/- 3 Hz.
    percentile : float
        Threshold as a percentile of each channel's envelope, in (0, 100); ignored when
        ``threshold`` is given.
    threshold : float | array_like | None
        Absolute threshold, in V (``a.u.`` for unitless signals): one value, one per
        channel, or one per record and channel, e.g. :func:`burst_threshold` of a
        reference (OFF) recording. None uses ``percentile``.
    min_duration : float
        Shortest burst kept, in s (0.1 in the papers); rounded to whole samples.
    smooth : float | None
        Length of the moving average of the envelope, in s (0.2 in the papers); 0 or
        None does not smooth.

    Returns
    -------
    bursts : DataFrame
        One row per burst: ``record`` (position in the container), ``channel``,
        ``onset`` (s from the record's first sample), ``duration`` (s), ``type``
        ``"beta_burst"`` and ``amplitude`` (peak of the smoothed envelope in the
        burst, in V or ``a.u.``).

    Notes
    -----
    A threshold crossing of a burst whose envelope rises and falls symmetrically sits
    where the envelope passes the threshold, so a threshold halfway between background
    and burst amplitude measures the burst's full width at half maximum; the zero-phase
    filter and the centred smoothing spread the edges symmetrically and leave that
    width unchanged for bursts longer than the smoothing. A lower threshold lengthens
    every burst and a higher one shortens it: durations depend on the threshold, which
    is why conditions are compared with one threshold. Bursts that touch the start or
    the end of a record are kept, with their durations cut by the edge.

    References
    ----------
    .. [1] Tinkhauser G, et al. (2017). The modulatory effect of adaptive deep brain
       stimulation on beta bursts in Parkinson's disease. Brain 140(4):1053-1067.
    .. [2] Tinkhauser G, et al. (2017). Beta burst dynamics in Parkinson's disease OFF
       and ON dopaminergic medication. Brain 140(11):2968-2981.

    Examples
    --------
    >>> from biosynth.signals import make_signals
    >>> t = np.arange(5000) / 250.0  # 20 s at 250 Hz
    >>> amplitude = np.where((t > 8.0) & (t < 9.0), 10.0, 1.0)  # uV: one 1 s burst
    >>> x = (amplitude * np.sin(2 * np.pi * 20.0 * t))[None]
    >>> found = detect_bursts(make_signals(x, 250.0, units="uV", modality="lfp"), threshold=5e-6)
    >>> found[["onset", "duration"]].round(1).values.tolist()
    [[8.0, 1.0]]
    """
    data, sfreq, names = volts(signals)
    band = check_band(band, sfreq)
    n_smooth = _smooth_samples(smooth, sfreq)
    n_min = round(check_number("min_duration", min_duration, low=0.0, unit="s") * sfreq)
    envelope = _envelope(data, band, sfreq, n_smooth)
    if threshold is None:
        level = np.percentile(envelope, _check_percentile(percentile), axis=-1)
    else:
        level = _check_threshold(threshold, data.shape[:2])
    envelope = envelope.reshape(-1, data.shape[-1])
    rows, starts, stops = runs(envelope > level.reshape(-1, 1))
    keep = stops - starts >= max(n_min, 1)
    rows, starts, stops = rows[keep], starts[keep], stops[keep]
    peak = envelope[rows, segment_argmax(envelope, rows, starts, stops)]
    return make_events(
        starts / sfreq, (stops - starts) / sfreq, BURST_TYPE, **where(rows, names), extra={"amplitude": peak}
    )


# --------------------------------------------------------------------------- statistics


def _duration_column(low: float, high: float) -> str:
    return f"p_{low:g}-{high:g}s" if np.isfinite(high) else f"p_>{low:g}s"


def _check_bins(bins: Any) -> np.ndarray:
    edges = np.asarray(bins, dtype=float) if not isinstance(bins, str) else np.array([])
    if edges.ndim != 1 or edges.size < 2 or np.isnan(edges).any() or edges[0] < 0 or (np.diff(edges) <= 0).any():
        raise ValueError(f"bins must be at least two increasing duration edges in s (>= 0), got {bins!r}.")
    return edges


def _check_durations(duration: Any) -> np.ndarray | float:
    if np.ndim(duration) == 0:
        return check_number("duration", duration, low=0.0, low_inclusive=False, unit="s")
    values = np.asarray(duration, dtype=float)
    if values.ndim != 1 or values.size == 0 or not (np.isfinite(values) & (values > 0)).all():
        raise ValueError(f"duration must be one positive length in s or one per record, got {duration!r}.")
    return values


def burst_statistics(
    bursts: pd.DataFrame,
    *,
    duration: float | Sequence[float],
    channels: Sequence[str] | None = None,
    bins: Sequence[float] = DURATION_BINS,
    pool_channels: bool = False,
) -> pd.DataFrame:
    """Burst rate, duration, amplitude and the duration distribution per record and channel.

    Parameters
    ----------
    bursts : DataFrame
        Event table (:func:`detect_bursts`); every row counts as a burst, so filter
        other types out first. An ``amplitude`` column is averaged when present.
    duration : float | sequence of float
        Length of the recordings the bursts come from, in s: one for all records, or
        one per record (then the records are ``0 .. len(duration) - 1``, whether they
        hold bursts or not; with one value, the records are those in ``bursts``, or
        record 0 when it is empty).
    channels : sequence of str | None
        Channels to report, in this order, with zero bursts where they have none; None
        reports the channels in ``bursts``, sorted by name.
    bins : sequence of float
        Edges of the duration windows, in s, increasing; a window holds
        ``low <= duration < high``; ``inf`` as last edge makes an open last window.
        Default: Tinkhauser et al. (2017), 0.1-0.2, ..., 0.8-0.9, > 0.9 s.
    pool_channels : bool
        True pools the channels of each record into one row (``channel`` ``""``): the
        rate and the time in bursts are then per channel on average.

    Returns
    -------
    stats : DataFrame
        One row per record and channel: ``record``, ``channel``,
        ``n_bursts``, ``rate`` (bursts per s), ``rate_per_min`` (bursts per minute),
        ``mean_duration`` and ``median_duration`` (s), ``mean_amplitude`` (unit of the
        ``amplitude`` column; NaN without it), ``time_in_bursts`` (fraction of the
        record's time, 0-1), then one column per duration window, ``p_0.1-0.2s``, ...,
        ``p_>0.9s``: the fraction of the bursts whose duration falls in it (bursts
        outside all windows count in none). Means, medians and fractions are NaN
        without bursts.

    Examples
    --------
    >>> from biosynth.signals import make_events
    >>> events = make_events([1.0, 3.0], [0.15, 0.45], "beta_burst", channel="STN")
    >>> stats = burst_statistics(events, duration=10.0)
    >>> stats[["n_bursts", "rate", "mean_duration", "time_in_bursts", "p_0.1-0.2s", "p_0.4-0.5s"]].values.tolist()
    [[2.0, 0.2, 0.3, 0.06, 0.5, 0.5]]
    """
    events = validate_events(bursts, name="bursts")
    lengths = _check_durations(duration)
    edges = _check_bins(bins)
    check_type("pool_channels", pool_channels, (bool, np.bool_), "True or False")
    if isinstance(lengths, np.ndarray):
        records = np.arange(lengths.size)
        outside = sorted(set(events["record"].tolist()) - set(records.tolist()))
        if outside:
            raise ValueError(f"bursts holds records {outside} but duration gives {lengths.size} record length(s).")
        length_of = dict(enumerate(lengths.tolist()))
    else:
        records = np.unique(events["record"]) if len(events) else np.array([0])
        length_of = dict.fromkeys(records.tolist(), lengths)
    if channels is None:
        names = sorted(set(events["channel"].astype(str)))
    else:
        if isinstance(channels, str):
            raise TypeError(f"channels must be a sequence of channel names, got the string {channels!r}.")
        names = [str(c) for c in channels]
        extra = sorted(set(events["channel"].astype(str)) - set(names))
        if extra:
            raise ValueError(f"bursts holds channels {extra} that are not in channels.")
    events = events.assign(channel=events["channel"].astype(str))
    if pool_channels:
        n_pooled = max(len(names), 1)
        events = events.assign(channel=ALL_CHANNELS)
        names = [ALL_CHANNELS]
    else:
        n_pooled = 1
    has_amplitude = "amplitude" in events.columns
    windows = list(pairwise(edges.tolist()))
    rows = []
    groups = dict(list(events.groupby(["record", "channel"], sort=False)))
    for record in records.tolist():
        seconds = length_of[record] * n_pooled
        for name in names:
            group = groups.get((record, name), events.iloc[:0])
            durations = group["duration"].to_numpy(dtype=float)
            n = durations.size
            row = {
                "record": record,
                "channel": name,
                "n_bursts": n,
                "rate": n / seconds,
                "rate_per_min": 60.0 * n / seconds,
                "mean_duration": durations.mean() if n else np.nan,
                "median_duration": float(np.median(durations)) if n else np.nan,
                "mean_amplitude": group["amplitude"].to_numpy(dtype=float).mean() if n and has_amplitude else np.nan,
                "time_in_bursts": durations.sum() / seconds,
            }
            for low, high in windows:
                inside = np.count_nonzero((durations >= low) & (durations < high))
                row[_duration_column(low, high)] = inside / n if n else np.nan
            rows.append(row)
    stats = pd.DataFrame(rows)
    return stats.astype({"record": np.int64, "n_bursts": np.int64}).reset_index(drop=True)
