# SPDX-License-Identifier: BSD-3-Clause
"""Transient events for :class:`~biosynth.generators.learned.SpectralGenerator`: spikes,
sharp waves, pops, blinks and other short waveforms that a Gaussian process with slowly
varying gains does not make.

**Finding them.** Each channel is filtered by Ricker (Mexican-hat) wavelets of unit energy
and widths ``a = 1, 2, 4, ...`` samples, up to those whose support (``8 a``) fits in half
an epoch (slower change is the variability model's). Each output is divided by its own
moving RMS over one epoch, winsorised at the detection level times the plain moving RMS
(so an event does not hide itself and a loud stretch keeps its own scale), which makes it
standard normal wherever the signal is a Gaussian process with slow gains. A transient is
a local peak of that ratio above a level per width: the higher of what such a process
crosses by chance :data:`FALSE_EVENTS` times per fit (two-sided, counted over every width,
channel and ``4 a``-sample step) and what the background model's own Gaussian records
(fitted first without transients: spectra, coherency and slow gains, but not the
amplitude map, which learns the events' own tails) cross as often (:func:`null_levels`):
only what the background model cannot make counts as an event. Peaks within a wavelet's
support of a record's ends, where the filter runs off the record, are not counted. Peaks
are taken greedily, largest first; a peak within the support of one already taken
belongs to it (one event may span channels).

**What is learned**, per scale ``a`` and primary channel ``c`` (the channel of the peak):
the rate (events/s), the log amplitude of the matched-filter peak relative to the
channel's local RMS (over one epoch, winsorised as above: a spike is as large as its
background makes it), the share of positive peaks and the footprint (signed amplitude on
every channel relative to the primary); per scale, the spread of the log amplitudes and
the waveform: the mean of the polarity-aligned events' primary-channel windows, scaled so
that its matched-filter response is 1. Every aggregate is shrunk towards its pooled value
with a weight of :data:`MIN_EVENTS` events, a waveform needs :data:`MIN_EVENTS` events
(else the wavelet itself stands in), and fewer than :data:`MIN_EVENTS` events in all give
no transient model: no single event's values are kept. The events are subtracted from the
data (as the model would draw them) before the background is fitted.

The counts per epoch are overdispersed (spikes come in clusters): their variance beyond
Poisson gives a Gamma rate multiplier per epoch.

**Sampling** places, per record and epoch, a Poisson number of events of each scale and
channel (rate times the epoch's Gamma multiplier) at uniform times, with log-normal
amplitudes relative to the synthetic background's local RMS, the learned polarity share,
footprint and waveform, on top of the background.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.signal import fftconvolve, find_peaks
from scipy.stats import norm

#: Aggregates (rates aside) need this many events; it is also the shrinkage weight.
MIN_EVENTS = 5
#: Expected chance detections per fit on the model's own Gaussian process.
FALSE_EVENTS = 0.5
#: Events are taken only where they fit in half an epoch.
SUPPORT = 4  # half-width of a wavelet and of a waveform, in widths ``a``


def widths(n_epoch: int) -> np.ndarray:
    """Ricker widths (samples) whose support ``2 * SUPPORT * a + 1`` fits in half an epoch."""
    count = max(0, math.floor(math.log2(max(n_epoch // 2 - 1, 1) / (2 * SUPPORT))) + 1)
    return 2 ** np.arange(count)


def ricker(a: int) -> np.ndarray:
    """The Ricker wavelet of width ``a`` samples on ``-SUPPORT a .. SUPPORT a``, unit energy."""
    t = np.arange(-SUPPORT * a, SUPPORT * a + 1) / a
    wave = (1 - t**2) * np.exp(-(t**2) / 2)
    return wave / np.linalg.norm(wave)


def fit_transients(
    x: np.ndarray, n_epoch: int, sfreq: float, exclude: np.ndarray | None = None, null: np.ndarray | None = None
) -> tuple[dict[str, Any] | None, np.ndarray]:
    """Find the transients of ``x`` (n_records, C, n_times; zero mean) and learn them;
    peaks on samples where ``exclude`` (same shape) is True (marked events) are left out.
    ``null`` (records of the background model, any number, same channels and length)
    raises each width's detection level to what it crosses by chance (see
    :func:`null_levels`).

    Returns
    -------
    model : dict or None
        Arrays (see the module notes), or None where fewer than :data:`MIN_EVENTS` events
        are found.
    cleaned : ndarray
        ``x`` less the events, as the model would draw them.
    """
    scales = widths(n_epoch)
    if scales.size == 0:
        return None, x
    filtered = [fftconvolve(x, ricker(int(a))[None, None, :], mode="same", axes=-1) for a in scales]
    n_tests = sum(x.shape[0] * x.shape[1] * x.shape[-1] / (SUPPORT * a) for a in scales)
    level = float(norm.isf(FALSE_EVENTS / (2 * n_tests)))
    levels = np.full(len(scales), level) if null is None else null_levels(null, scales, n_epoch, level, x.size)
    events = _detect(filtered, scales, n_epoch, levels, exclude)
    if len(events) < MIN_EVENTS:
        return None, x
    local = _local_rms(x, n_epoch, level)
    model = _learn(x, filtered, scales, events, local, x.shape[0] * x.shape[-1] / sfreq)
    model["clip"] = level
    model["dispersion"] = _dispersion(events, x.shape[0], x.shape[-1], n_epoch)
    model["block"] = float(n_epoch)
    cleaned = x.copy()
    for scale, _, record, time, _ in events:
        amplitude = filtered[scale][record, :, time]
        _add(cleaned[record], -amplitude[:, None] * model["waveforms"][scale][None, :], time)
    return model, cleaned


def null_levels(null: np.ndarray, scales: np.ndarray, n_epoch: int, level: float, size: int) -> np.ndarray:
    """Detection level per width: at least ``level``, and high enough that the background
    model's own records ``null`` cross it at most :data:`FALSE_EVENTS` times (shared by
    the widths) per ``size`` values, the size of the fitted data; where ``null`` is too
    small to resolve that rate, its highest peak."""
    allowed = int(FALSE_EVENTS / len(scales) * null.size / size)
    out = np.full(len(scales), level)
    for j, a in enumerate(scales):
        w = fftconvolve(null, ricker(int(a))[None, None, :], mode="same", axes=-1)
        heights = np.sort(_peak_heights(_ratio(w, int(a), n_epoch, level), int(a), level))[::-1]
        if heights.size > allowed:
            out[j] = max(level, float(heights[allowed]) * (1 + 1e-9))
    return out


def _peak_heights(ratio: np.ndarray, a: int, level: float) -> np.ndarray:
    """Heights of the peaks of ``ratio`` (n_records, C, T) above ``level``, ``2 a`` apart."""
    rows = ratio.reshape(-1, ratio.shape[-1])
    found = [find_peaks(row, height=level, distance=2 * a)[1]["peak_heights"] for row in rows]
    return np.concatenate(found) if found else np.zeros(0)


def _detect(
    filtered: list[np.ndarray], scales: np.ndarray, n_epoch: int, levels: np.ndarray, exclude: np.ndarray | None
) -> list[tuple]:
    """Events as (scale index, primary channel, record, time, ratio), largest first, none
    within the support of a larger one."""
    candidates = []
    for j, (w, a) in enumerate(zip(filtered, scales, strict=True)):
        ratio = _ratio(w, int(a), n_epoch, float(levels.min()))
        for r in range(w.shape[0]):
            for c in range(w.shape[1]):
                peaks, props = find_peaks(ratio[r, c], height=levels[j], distance=2 * int(a))
                if exclude is not None:
                    keep = ~exclude[r, c, peaks]
                    peaks, props = peaks[keep], {"peak_heights": props["peak_heights"][keep]}
                candidates += [(float(h), j, c, r, int(t)) for t, h in zip(peaks, props["peak_heights"], strict=True)]
    candidates.sort(reverse=True)
    taken: dict[int, np.ndarray] = {}
    events = []
    for height, j, c, r, t in candidates:
        a = int(scales[j])
        used = taken.setdefault(r, np.zeros(filtered[0].shape[-1], dtype=bool))
        if used[max(0, t - 2 * a) : t + 2 * a + 1].any():
            continue
        used[max(0, t - SUPPORT * a) : t + SUPPORT * a + 1] = True
        events.append((j, c, r, t, height))
    return events


def _dispersion(events: list[tuple], n_records: int, n_times: int, n_epoch: int) -> float:
    """Overdispersion ``1 / k`` of the event counts per epoch (0: Poisson), by moments:
    the counts are modelled as Poisson with a Gamma(k, 1 / k) rate multiplier per epoch."""
    per_record = math.ceil(n_times / n_epoch)
    counts = np.bincount([r * per_record + t // n_epoch for _, _, r, t, _ in events], minlength=n_records * per_record)
    mean, variance = counts.mean(), counts.var(ddof=1) if counts.size > 1 else 0.0
    return float(max(0.0, (variance - mean) / mean**2))


def _ratio(w: np.ndarray, a: int, n: int, level: float) -> np.ndarray:
    """``|w|`` over its local RMS (:func:`_local_rms`), zero within a wavelet's support of the
    record's ends (where the filter runs off the record)."""
    ratio = np.abs(w) / _local_rms(w, n, level)
    edge = min(SUPPORT * a, ratio.shape[-1] // 2)
    ratio[..., :edge] = 0.0
    ratio[..., ratio.shape[-1] - edge :] = 0.0
    return ratio


def _local_rms(w: np.ndarray, n: int, level: float) -> np.ndarray:
    """Moving RMS over ``n`` samples of ``w``, each value first clipped at ``level`` times
    the plain moving RMS there (a transient does not raise its own reference, and a loud
    stretch keeps its own scale)."""
    tiny = np.finfo(float).tiny
    squares = w**2
    plain = np.maximum(uniform_filter1d(squares, n, axis=-1, mode="reflect"), tiny)
    return np.sqrt(
        np.maximum(uniform_filter1d(np.minimum(squares, level**2 * plain), n, axis=-1, mode="reflect"), tiny)
    )


def _learn(
    x: np.ndarray,
    filtered: list[np.ndarray],
    scales: np.ndarray,
    events: list[tuple],
    local: np.ndarray,
    seconds: float,
) -> dict[str, Any]:
    """Rates, amplitudes, polarity, footprints and waveforms (see the module notes)."""
    n_scales, n_ch = len(scales), x.shape[1]
    counts = np.zeros((n_scales, n_ch))
    positive = np.zeros((n_scales, n_ch))
    log_amp = [[[] for _ in range(n_ch)] for _ in range(n_scales)]
    footprint_sum = np.zeros((n_scales, n_ch, n_ch))
    waves = [[] for _ in range(n_scales)]
    for j, c, r, t, _ in events:
        peak = filtered[j][r, c, t]
        counts[j, c] += 1
        positive[j, c] += peak > 0
        log_amp[j][c].append(math.log(abs(peak) / local[r, c, t]))
        footprint_sum[j, c] += filtered[j][r, :, t] / peak
        half = SUPPORT * int(scales[j])
        if half <= t < x.shape[-1] - half:
            waves[j].append(np.sign(peak) * x[r, c, t - half : t + half + 1] / abs(peak))
    everything = np.concatenate([v for row in log_amp for v in row])
    pooled_mean, pooled_sd = float(everything.mean()), float(everything.std(ddof=1))
    weight = MIN_EVENTS
    log_mean = np.full((n_scales, n_ch), pooled_mean)
    log_sd = np.full(n_scales, pooled_sd)
    share = np.full((n_scales, n_ch), 0.5)
    for j in range(n_scales):
        mine = np.concatenate([np.asarray(v, dtype=float) for v in log_amp[j]])
        scale_mean = (mine.sum() + weight * pooled_mean) / (mine.size + weight)
        if mine.size >= MIN_EVENTS:
            log_sd[j] = mine.std(ddof=1)
        scale_share = (positive[j].sum() + weight * 0.5) / (counts[j].sum() + weight)
        for c in range(n_ch):
            log_mean[j, c] = (np.sum(log_amp[j][c]) + weight * scale_mean) / (counts[j, c] + weight)
            share[j, c] = (positive[j, c] + weight * scale_share) / (counts[j, c] + weight)
    footprints = (footprint_sum + weight * np.eye(n_ch)[None]) / (counts[..., None] + weight)
    return {
        "widths": scales.astype(float),
        "rates": counts / seconds,
        "log_mean": log_mean,
        "log_sd": log_sd,
        "positive": share,
        "footprints": footprints,
        "waveforms": [_waveform(np.asarray(w), int(a)) for w, a in zip(waves, scales, strict=True)],
    }


def _waveform(windows: np.ndarray, a: int) -> np.ndarray:
    """The mean of the aligned windows, tapered at its ends and scaled to a matched-filter
    response of 1; the wavelet itself with fewer than :data:`MIN_EVENTS` windows."""
    wavelet = ricker(a)
    if len(windows) < MIN_EVENTS:
        return wavelet
    mean = windows.mean(axis=0) * _taper(len(wavelet))
    response = float(mean @ wavelet)
    return mean / response if response > 0 else wavelet


def _taper(n: int) -> np.ndarray:
    """A window flat in its middle half with cosine edges (Tukey, 0.5)."""
    edge = n // 4
    out = np.ones(n)
    if edge:
        ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(edge) + 0.5) / edge)
        out[:edge], out[n - edge :] = ramp, ramp[::-1]
    return out


def _add(record: np.ndarray, wave: np.ndarray, time: int) -> None:
    """Add ``wave`` (C, 2h + 1) to ``record`` (C, T) centred on sample ``time``, in place,
    cropped at the record's ends."""
    half = wave.shape[-1] // 2
    start, stop = time - half, time + half + 1
    lo, hi = max(start, 0), min(stop, record.shape[-1])
    if lo < hi:
        record[:, lo:hi] += wave[:, lo - start : hi - start]


def place_transients(
    rng: np.random.Generator, model: dict[str, Any], background: np.ndarray, sfreq: float
) -> np.ndarray:
    """Transients of one record (n_ch, n_times) drawn from a fitted ``model``: per block of
    one epoch, a Gamma rate multiplier (mean 1, variance ``dispersion``), then Poisson
    counts per width and channel at uniform times within the block."""
    n_times = background.shape[-1]
    out = np.zeros(background.shape)
    local = _local_rms(background[None], int(model["block"]), float(model["clip"]))[0]
    block = int(model["block"])
    starts = np.arange(0, n_times, block)
    lengths = np.minimum(block, n_times - starts)
    dispersion = float(model["dispersion"])
    gains = rng.gamma(1 / dispersion, dispersion, size=len(starts)) if dispersion > 0 else np.ones(len(starts))
    expected = np.asarray(model["rates"])[None] * (gains * lengths / sfreq)[:, None, None]  # (blocks, widths, C)
    counts = rng.poisson(expected)
    for b, j, c in zip(*np.nonzero(counts), strict=True):
        k = int(counts[b, j, c])
        times = starts[b] + rng.integers(0, lengths[b], size=k)
        amplitude = local[c, times] * np.exp(model["log_mean"][j, c] + model["log_sd"][j] * rng.standard_normal(k))
        sign = np.where(rng.random(k) < model["positive"][j, c], 1.0, -1.0)
        shape = model["footprints"][j, c][:, None] * np.asarray(model["waveforms"][j])[None, :]
        for time, value in zip(times, sign * amplitude, strict=True):
            _add(out, value * shape, int(time))
    return out


_KEYS = ("widths", "rates", "log_mean", "log_sd", "positive", "footprints", "clip", "dispersion", "block")


def to_state(model: dict[str, Any] | None) -> dict[str, np.ndarray]:
    """The model as plain arrays for ``save`` (empty when there is none)."""
    if model is None:
        return {"transient_widths": np.zeros(0)}
    longest = max(len(w) for w in model["waveforms"])
    waves = np.zeros((len(model["waveforms"]), longest))
    for j, w in enumerate(model["waveforms"]):
        waves[j, : len(w)] = w
    return {f"transient_{k}": np.asarray(model[k]) for k in _KEYS} | {"transient_waveforms": waves}


def from_state(state: dict[str, np.ndarray]) -> dict[str, Any] | None:
    """The model back from :func:`to_state`'s arrays (None for files without one)."""
    found = state.get("transient_widths")
    if found is None or np.size(found) == 0:
        return None
    model = {k: state[f"transient_{k}"] for k in _KEYS}
    rows = zip(state["transient_waveforms"], found, strict=True)
    model["waveforms"] = [row[: 2 * SUPPORT * int(a) + 1] for row, a in rows]
    return model
