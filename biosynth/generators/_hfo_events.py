# SPDX-License-Identifier: BSD-3-Clause
"""High-frequency oscillations learnt from expert markings, and placed in synthetic records.

:func:`learn_hfo_events` turns an annotated recording (onset, duration, type and channel of
each marked HFO) into parameters only: per event type its rate, how many channels carry
it, how many neighbouring channels one event spans, and the distributions of duration,
peak frequency and band power relative to the channel's background.
:func:`place_hfo_events` draws new events from those parameters onto any number of
channels and returns the signal to add to a background and the events' ground truth.

Conventions
-----------
- Types: ``"ripple"`` (80-250 Hz), ``"fr"`` or ``"fast_ripple"`` (250-500 Hz) and
  ``"frandr"`` (a ripple and a fast ripple at once: one event with a component in each
  band), as in the Fedele et al. (2017) markings. Bands are capped at
  :data:`NYQUIST_SHARE` of the Nyquist frequency.
- Band-pass: zero-phase Butterworth of order 4 (``sosfiltfilt``), the convention of
  :func:`biosynth.fidelity.detect_hfos`, so what is learnt is what that detector sees.
- Background of a channel: its samples outside every marked event (of any type).
- Strength of an event in a band: its excess power, ``rho^2 - 1`` where ``rho`` is the
  RMS of the band-passed signal over the event divided by the channel's background RMS
  in that band (0 = no excess). It is learnt as the share of events without excess and
  a log-normal of the others, the event's own power, so that placing it on a background
  adds the background's scatter once (a log-normal of ``rho`` itself would hold that
  scatter already and add it again). An event drawn without excess adds nothing but
  stays in the ground truth, as marked events without measurable excess stay in real
  markings.
- Peak frequency: the maximum, inside the band, of the event's periodogram minus the
  background's power spectrum (Welch), so the 1/f background does not pull it to the low
  band edge. An event whose excess keeps rising below the band sits at the band edge.
- Waveform: a sinusoid under a Tukey envelope spanning the event, scaled so that its
  band-passed mean power over the event is its excess power times the background's. The
  taper share ``alpha`` (0 a box, 1 a Hann window) is learnt per type: the events' excess
  band envelope (squared Hilbert envelope less twice the background power), resampled to
  :data:`N_BINS` bins of the event and averaged over events, is matched to that of a
  band-passed Tukey event (least squares over alpha in steps of 0.05). Peaked envelopes
  cross an RMS threshold at a lower mean power than flat ones, so the shape matters to
  detectors as much as the power.
- Span: events of one type that overlap in time on channels of the same electrode (the
  letters of the channel name, ``"AHR"`` for ``"AHR3-4"``) form one event seen on several
  channels; the span is the number of channels of such a group. Unrelated events that
  happen to overlap join too, so dense markings read a little high.

References
----------
.. [1] Staba RJ, Wilson CL, Bragin A, Fried I, Engel J Jr (2002). Quantitative analysis
   of high-frequency oscillations (80-500 Hz) recorded in human epileptic hippocampus
   and entorhinal cortex. J Neurophysiol 88(4):1743-1752. doi:10.1152/jn.2002.88.4.1743
.. [2] Fedele T, Burnos S, Boran E, et al. (2017). Resection of high frequency
   oscillations predicts seizure outcome in the individual patient. Sci Rep 7:13836.
   doi:10.1038/s41598-017-13064-1
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.signal as sps

from biosynth._utils.check import check_int, check_positive, check_sfreq, check_type
from biosynth.signals.layouts import neighbour_pairs

#: HFO bands, in Hz (Staba et al. 2002).
HFO_BANDS = {"ripple": (80.0, 250.0), "fast_ripple": (250.0, 500.0)}
#: Bands of each marked event type (Fedele et al. 2017 names; ``fast_ripple`` as biosynth's detector names it).
TYPE_BANDS = {
    "ripple": ("ripple",),
    "fr": ("fast_ripple",),
    "fast_ripple": ("fast_ripple",),
    "frandr": ("ripple", "fast_ripple"),
}
#: Highest band edge as a share of the Nyquist frequency (the band-pass needs room below it).
NYQUIST_SHARE = 0.9
#: Butterworth order of the band-pass (applied forwards and backwards).
FILTER_ORDER = 4
#: Bins of an event's envelope profile (the shape fit of the module notes).
N_BINS = 16
#: Taper shares tried by the shape fit.
ALPHAS = np.linspace(0.0, 1.0, 21)
_LETTERS = re.compile(r"[A-Za-z_]+")
_PAIR = re.compile(r"(.+?)-(.+)")


# --------------------------------------------------------------------------- bands


def usable_bands(sfreq: float) -> dict[str, tuple[float, float]]:
    """The HFO bands a rate can hold, their upper edge capped below Nyquist.

    Parameters
    ----------
    sfreq : float
        Sampling rate, in Hz.

    Returns
    -------
    bands : dict
        Band name -> ``(low, high)`` in Hz, only bands with ``low < high`` after the cap
        ``high <= NYQUIST_SHARE * sfreq / 2``.

    Examples
    --------
    >>> usable_bands(1000.0)
    {'ripple': (80.0, 250.0), 'fast_ripple': (250.0, 450.0)}
    """
    top = NYQUIST_SHARE * check_sfreq("sfreq", sfreq) / 2.0
    capped = {name: (low, min(high, top)) for name, (low, high) in HFO_BANDS.items()}
    return {name: band for name, band in capped.items() if band[0] < band[1]}


def _bands_of(kind: str, bands: Mapping[str, tuple[float, float]]) -> tuple[str, ...]:
    if kind not in TYPE_BANDS:
        raise ValueError(f"events type must be one of {sorted(TYPE_BANDS)}; got {kind!r}.")
    missing = [b for b in TYPE_BANDS[kind] if b not in bands]
    if missing:
        raise ValueError(f"events of type {kind!r} need the {missing} band, above the Nyquist frequency here.")
    return TYPE_BANDS[kind]


def _bandpass(data: np.ndarray, band: tuple[float, float], sfreq: float) -> np.ndarray:
    sos = sps.butter(FILTER_ORDER, band, btype="bandpass", fs=sfreq, output="sos")
    return sps.sosfiltfilt(sos, data, axis=-1)


def hfo_band_rms(data: np.ndarray, sfreq: float, mask: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """RMS of each channel in each usable HFO band, optionally over unmasked samples only.

    Parameters
    ----------
    data : ndarray, shape (n_channels, n_times)
        Signals, any unit.
    sfreq : float
        Sampling rate, in Hz.
    mask : ndarray of bool, shape (n_channels, n_times) | None
        True where a sample is left out (inside an event); None keeps every sample.

    Returns
    -------
    rms : dict
        Band name -> ndarray of shape (n_channels,), in the unit of ``data``.
    """
    data = np.asarray(data, dtype=float)
    keep = np.ones(data.shape, dtype=bool) if mask is None else ~np.asarray(mask, dtype=bool)
    out = {}
    for name, band in usable_bands(sfreq).items():
        power = np.where(keep, _bandpass(data, band, sfreq) ** 2, 0.0).sum(axis=-1)
        out[name] = np.sqrt(power / np.maximum(keep.sum(axis=-1), 1))
    return out


# --------------------------------------------------------------------------- channels


def _signals_for(
    channels: Sequence[str], data: np.ndarray, ch_names: Sequence[str]
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """The signals the markings live on: the referential channels, or their neighbour bipolar pairs."""
    names = [str(n) for n in ch_names]
    if all(c in names for c in channels):
        return data, names, np.array([names.index(c) for c in channels], dtype=int)
    pairs = neighbour_pairs(names)
    position = {pair: k for k, pair in enumerate(pairs)}
    index = [position.get(_pair_of(c, names)) for c in channels]
    unknown = sorted({c for c, k in zip(channels, index, strict=True) if k is None})
    if unknown:
        raise ValueError(
            f"events channel has {unknown[:5]} neither in ch_names nor neighbour bipolar pairs of them "
            "('AHR3-4' or 'AHR3-AHR4' for AHR3 minus AHR4)."
        )
    lookup = {n: i for i, n in enumerate(names)}
    first = [lookup[a] for a, _ in pairs]
    second = [lookup[b] for _, b in pairs]
    return data[first] - data[second], [f"{a}-{b}" for a, b in pairs], np.array(index, dtype=int)


def _pair_of(name: str, ch_names: Sequence[str]) -> tuple[str, str] | None:
    """``"AHR3-4"`` or ``"AHR3-AHR4"`` -> ``("AHR3", "AHR4")``; None when not a pair."""
    match = _PAIR.fullmatch(name)
    if match is None:
        return None
    first, second = match[1], match[2]
    if second not in ch_names and second.isdigit():
        letters = _LETTERS.match(first)
        second = f"{letters[0] if letters else ''}{second}"
    return first, second


def _electrode(name: str) -> str:
    letters = _LETTERS.match(name)
    return letters[0] if letters else name


# --------------------------------------------------------------------------- learning


def _check_events(events: Any) -> pd.DataFrame:
    check_type("events", events, pd.DataFrame, "a DataFrame with onset, duration, type and channel columns")
    missing = sorted({"onset", "duration", "type", "channel"} - set(events.columns))
    if missing:
        raise ValueError(f"events must have the columns onset, duration, type and channel; missing {missing}.")
    frame = events[["onset", "duration", "type", "channel"]].reset_index(drop=True)
    frame = frame.astype({"onset": float, "duration": float, "type": str, "channel": str})
    if not (np.isfinite(frame[["onset", "duration"]].to_numpy()).all() and (frame["duration"] > 0).all()):
        raise ValueError("events must have finite onsets and positive finite durations, in s.")
    return frame


def _spans(starts: np.ndarray, stops: np.ndarray, row: np.ndarray, electrode: np.ndarray) -> np.ndarray:
    """Channels per group of events overlapping in time on one electrode (union-find)."""
    parent = np.arange(len(starts))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(starts)):
        for j in range(i + 1, len(starts)):
            same = electrode[i] == electrode[j] and row[i] != row[j]
            if same and starts[i] < stops[j] and starts[j] < stops[i]:
                parent[root(i)] = root(j)
    roots = np.array([root(i) for i in range(len(starts))])
    return np.array([np.unique(row[roots == r]).size for r in np.unique(roots)])


def _excess_peak(segment: np.ndarray, sfreq: float, band: tuple[float, float], background: tuple) -> float:
    """Frequency of the largest excess of the segment's periodogram over the background PSD, in band."""
    nfft = max(1024, 4 * segment.size)
    window = sps.get_window("hann", segment.size)  # as scipy.signal.periodogram(window="hann")
    spectrum = np.fft.rfft((segment - segment.mean()) * window, n=nfft)
    power = 2.0 * np.abs(spectrum) ** 2 / (sfreq * np.sum(window**2))  # one-sided density, as Welch's
    freq = np.fft.rfftfreq(nfft, 1.0 / sfreq)
    excess = power - np.interp(freq, *background)
    inside = (freq >= band[0]) & (freq <= band[1])
    return float(freq[inside][np.argmax(excess[inside])])


def _log_stats(values: Sequence[float]) -> list[float]:
    logs = np.log(np.asarray(values, dtype=float))
    return [float(logs.mean()), float(logs.std())]


def _lin_stats(values: Sequence[float]) -> list[float]:
    values = np.asarray(values, dtype=float)
    return [float(values.mean()), float(values.std())]


def _excess_stats(excess: np.ndarray) -> dict[str, Any]:
    positive = excess[excess > 0]
    return {
        "no_excess_share": float(1.0 - positive.size / excess.size),
        "log_excess_power": _log_stats(positive) if positive.size else [0.0, 0.0],
    }


def _mask(n_rows: int, n_times: int, rows: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    mask = np.zeros((n_rows, n_times), dtype=bool)
    for r, a, b in zip(rows, starts, stops, strict=True):
        mask[r, a:b] = True
    return mask


def _measure(signals: np.ndarray, sfreq: float, rows, starts, stops, bands) -> dict[str, dict[str, np.ndarray]]:
    """Peak frequency, excess power (per background power) and envelope profile of every event in every band."""
    mask = _mask(signals.shape[0], signals.shape[1], rows, starts, stops)
    background = {}
    for r in np.unique(rows):
        quiet = signals[r][~mask[r]]
        background[r] = sps.welch(quiet, sfreq, nperseg=min(256, quiet.size))
    out: dict[str, dict[str, np.ndarray]] = {}
    for name, band in bands.items():
        filtered = _bandpass(signals, band, sfreq)
        quiet_rms = {r: np.sqrt(np.mean(filtered[r][~mask[r]] ** 2)) for r in set(rows)}
        rms = np.array([quiet_rms[r] for r in rows])
        power = np.array([np.mean(filtered[r, a:b] ** 2) for r, a, b in zip(rows, starts, stops, strict=True)])
        segments = list(zip(rows, starts, stops, strict=True))
        freq = [_excess_peak(signals[r, a:b], sfreq, band, background[r]) for r, a, b in segments]
        envelope = np.abs(sps.hilbert(filtered, axis=-1)) ** 2
        profiles = [_profile(envelope[r, a:b] - 2.0 * quiet_rms[r] ** 2) for r, a, b in segments]
        out[name] = {"frequency": np.array(freq), "excess": power / rms**2 - 1.0, "profile": np.array(profiles)}
    return out


def _profile(excess: np.ndarray) -> np.ndarray:
    """An event's excess envelope on N_BINS bins of its length, mean 1 (NaN when it has no excess)."""
    u = (np.arange(excess.size) + 0.5) / excess.size
    binned = np.interp((np.arange(N_BINS) + 0.5) / N_BINS, u, excess)
    mean = binned.mean()
    return binned / mean if mean > 0 else np.full(N_BINS, np.nan)


def tukey_sine(sfreq: float, freq: float, n: int, alpha: float, phase: float = 0.0) -> np.ndarray:
    """A sinusoid under a Tukey window of ``n`` samples.

    Parameters
    ----------
    sfreq : float
        Sampling rate, in Hz.
    freq : float
        Frequency, in Hz.
    n : int
        Length, in samples.
    alpha : float
        Taper share of the window: 0 a box, 1 a Hann window.
    phase : float
        Phase at the first sample, in rad.

    Returns
    -------
    wave : ndarray, shape (n,)
        Peak 1 where the window is flat.
    """
    t = np.arange(n) / sfreq
    return sps.windows.tukey(n, alpha) * np.sin(2.0 * np.pi * freq * t + phase)


def _filtered_event(wave: np.ndarray, band: tuple[float, float], sfreq: float) -> np.ndarray:
    """The band-passed event over its own support (zero-padded first, so the filter's edges are not in it)."""
    pad = wave.size + round(sfreq / band[0])
    return _bandpass(np.pad(wave, pad), band, sfreq)[pad : pad + wave.size]


def _fit_alpha(profile: np.ndarray, band: tuple[float, float], sfreq: float, freq: float, n: int) -> float:
    """Taper share whose band-passed Tukey event has the excess envelope profile closest to ``profile``."""
    if not np.isfinite(profile).all():
        return 1.0
    errors = []
    for alpha in ALPHAS:
        envelope = np.abs(sps.hilbert(_filtered_event(tukey_sine(sfreq, freq, n, alpha), band, sfreq))) ** 2
        errors.append(np.sum((_profile(envelope) - profile) ** 2))
    return float(ALPHAS[int(np.argmin(errors))])


def _type_alpha(kind: str, take: np.ndarray, table: dict, component: dict) -> float:
    """Envelope taper share of a type, fitted on the mean excess envelope in its first band."""
    band = TYPE_BANDS[kind][0]
    profiles = table["measures"][band]["profile"][take]
    profiles = profiles[np.isfinite(profiles).all(axis=1)]
    profile = profiles.mean(axis=0) if len(profiles) else np.full(N_BINS, np.nan)
    n = max(2, round(np.median(table["stops"][take] - table["starts"][take])))
    return _fit_alpha(profile, table["bands"][band], table["sfreq"], component["frequency_hz"][0], n)


def _type_stats(kind: str, take: np.ndarray, table: dict, n_signals: int, minutes: float) -> dict[str, Any]:
    rows, starts, stops = table["rows"][take], table["starts"][take], table["stops"][take]
    counts = np.unique(rows, return_counts=True)[1]
    spans = _spans(starts, stops, rows, table["electrode"][rows])
    components = {
        band: {
            "frequency_hz": _lin_stats(table["measures"][band]["frequency"][take]),
            **_excess_stats(table["measures"][band]["excess"][take]),
        }
        for band in TYPE_BANDS[kind]
    }
    return {
        "n_events": int(take.sum()),
        "rate_per_min": float(take.sum() / minutes / counts.size),
        "channel_fraction": float(counts.size / n_signals),
        "channel_log_rate_sd": float(np.log(counts).std()),
        "span_mean": float(spans.mean()),
        "log_duration_s": _log_stats(table["durations"][take]),
        "envelope_tukey_alpha": _type_alpha(kind, take, table, components[TYPE_BANDS[kind][0]]),
        "components": components,
    }


def _samples(events: pd.DataFrame, sfreq: float, n_times: int) -> tuple[np.ndarray, np.ndarray]:
    """First and past-last sample of each event, inside the record and at least 2 samples long."""
    starts = np.clip(np.round(events["onset"].to_numpy() * sfreq).astype(int), 0, n_times - 2)
    stops = np.round((events["onset"] + events["duration"]).to_numpy() * sfreq).astype(int)
    return starts, np.minimum(np.maximum(stops, starts + 2), n_times)


def learn_hfo_events(
    events: pd.DataFrame, data: np.ndarray, sfreq: float, ch_names: list[str], duration_s: float
) -> dict[str, Any]:
    """Parameters of the marked HFOs of a recording: rates, spans, durations, frequencies, strengths.

    Parameters
    ----------
    events : DataFrame
        One row per marked event: ``onset`` and ``duration`` in s from the first sample of
        ``data``, ``type`` (``"ripple"``, ``"fr"``/``"fast_ripple"`` or ``"frandr"``) and
        ``channel``, a name of ``ch_names`` or a bipolar pair of neighbouring contacts of
        them (``"AHR3-4"`` or ``"AHR3-AHR4"``, AHR3 minus AHR4; then the events are learnt
        on the bipolar montage of :func:`biosynth.signals.layouts.neighbour_pairs`).
    data : ndarray, shape (n_channels, n_times)
        The recording, channels in ``ch_names`` order, any unit.
    sfreq : float
        Sampling rate, in Hz.
    ch_names : list of str
        Channel names of ``data``.
    duration_s : float
        Length of the marked recording, in s (the rates' denominator).

    Returns
    -------
    stats : dict
        JSON-able, with no samples: ``sfreq`` (Hz), ``n_channels`` (channels the
        markings were counted on), ``montage`` (``"referential"`` or ``"bipolar"``),
        ``bands`` (name -> [low, high] Hz) and ``types``: per type ``n_events``,
        ``rate_per_min`` (events per minute per channel that has any),
        ``channel_fraction`` (share of channels with events), ``channel_log_rate_sd``
        (SD of the log event count over those channels), ``span_mean`` (channels per
        event, see the module notes), ``log_duration_s`` ([mean, SD] of log duration in
        s), ``envelope_tukey_alpha`` (taper share of the envelope, 0-1; 1 when no event
        stands out of its background) and ``components``: per band ``frequency_hz``
        ([mean, SD] of the peak frequency, Hz), ``no_excess_share`` (share of events whose
        band power does not exceed the background's) and ``log_excess_power`` ([mean, SD]
        of the log excess band power per background band power of the others; [0, 0]
        when none).
    """
    sfreq = check_sfreq("sfreq", sfreq)
    minutes = check_positive("duration_s", duration_s, unit="s") / 60.0
    events = _check_events(events)
    data = np.asarray(data, dtype=float)
    if data.ndim != 2 or data.shape[0] != len(ch_names):
        raise ValueError(f"data must have shape (n_channels={len(ch_names)}, n_times), got shape {data.shape}.")
    bands = usable_bands(sfreq)
    needed = sorted({b for kind in events["type"].unique() for b in _bands_of(kind, bands)})
    signals, names, rows = _signals_for(list(events["channel"]), data, ch_names)
    starts, stops = _samples(events, sfreq, data.shape[1])
    covered = _mask(len(names), data.shape[1], rows, starts, stops).sum(axis=1)
    full = [names[r] for r in np.flatnonzero(covered > data.shape[1] - 16)]
    if full:
        raise ValueError(
            f"events leave under 16 samples of background on channels {full[:5]}; expected quiet stretches."
        )
    table = {
        "rows": rows, "starts": starts, "stops": stops,
        "durations": events["duration"].to_numpy(),
        "electrode": np.array([_electrode(n) for n in names]),
        "measures": _measure(signals, sfreq, rows, starts, stops, {b: bands[b] for b in needed}),
        "bands": bands, "sfreq": sfreq,
    }  # fmt: skip
    types = {
        kind: _type_stats(kind, (events["type"] == kind).to_numpy(), table, len(names), minutes)
        for kind in sorted(events["type"].unique())
    }
    return {
        "sfreq": sfreq,
        "n_channels": len(names),
        "montage": "referential" if signals is data else "bipolar",
        "bands": {name: [float(lo), float(hi)] for name, (lo, hi) in bands.items()},
        "types": types,
    }


# --------------------------------------------------------------------------- placing


def _carriers(rng: np.random.Generator, spec: Mapping[str, Any], n_channels: int) -> tuple[np.ndarray, np.ndarray]:
    """Channels that carry a type (sorted) and the chance of each to seed an event."""
    n_carry = min(max(1, round(spec["channel_fraction"] * n_channels)), n_channels)
    chosen = np.sort(rng.choice(n_channels, size=n_carry, replace=False))
    weights = np.exp(rng.normal(0.0, spec["channel_log_rate_sd"], n_carry))
    return chosen, weights / weights.sum()


def _group_rate(spec: Mapping[str, Any], n_carry: int, span: float) -> float:
    """Groups per s so that, after the dead time of overlapping events, each carrier gets the learnt rate."""
    rate = spec["rate_per_min"] / 60.0
    mu, sd = spec["log_duration_s"]
    busy = rate * np.exp(mu + sd**2 / 2.0)
    if busy >= 1.0:
        raise ValueError(f"stats rate_per_min x mean duration must stay under 1 (events cannot overlap), got {busy:g}.")
    return rate / (1.0 - busy) * n_carry / span


def _draw_members(rng, spec, n_channels: int, seconds: float) -> tuple[np.ndarray, np.ndarray]:
    """Channel and onset (s) of every event of one type before the dead time."""
    carriers, weights = _carriers(rng, spec, n_channels)
    span = min(spec["span_mean"], carriers.size)
    n_groups = rng.poisson(_group_rate(spec, carriers.size, span) * seconds)
    onsets = np.sort(rng.uniform(0.0, seconds, n_groups))
    sizes = np.minimum(1 + rng.poisson(span - 1.0, n_groups), carriers.size)
    seeds = np.minimum(rng.choice(carriers.size, size=n_groups, p=weights), carriers.size - sizes)
    channels = [carriers[s : s + k] for s, k in zip(seeds, sizes, strict=True)]
    return np.concatenate([[], *channels]).astype(int), np.repeat(onsets, sizes)


def _dead_time(channels: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Keep an event only when its channel's previous kept event has ended (non-paralysable dead time)."""
    keep = np.zeros(channels.size, dtype=bool)
    last_end: dict[int, int] = {}
    for i in np.lexsort((starts, channels)):
        if starts[i] >= last_end.get(int(channels[i]), -1):
            keep[i] = True
            last_end[int(channels[i])] = int(stops[i])
    return keep


def _component(rng, comp: Mapping[str, Any], band, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Frequency (Hz, inside the band) and band-passed excess RMS per background RMS of ``size`` events."""
    mean, sd = comp["frequency_hz"]
    freq = np.clip(rng.normal(mean, sd, size), band[0], band[1])
    excess = np.exp(rng.normal(*comp["log_excess_power"], size))
    return freq, np.where(rng.uniform(size=size) < comp["no_excess_share"], 0.0, np.sqrt(excess))


def _check_rms(background_band_rms: Any, needed: set[str], n_channels: int) -> dict[str, np.ndarray]:
    check_type("background_band_rms", background_band_rms, Mapping, "a mapping of band name to per-channel RMS")
    out = {}
    for band in sorted(needed):
        rms = np.asarray(background_band_rms.get(band, np.nan), dtype=float)
        if rms.shape != (n_channels,) or not np.all(np.isfinite(rms) & (rms >= 0)):
            raise ValueError(
                f"background_band_rms[{band!r}] must be {n_channels} finite RMS values >= 0, got {rms.shape} array."
            )
        out[band] = rms
    return out


def _place_type(rng, kind: str, spec, shape: tuple[int, int], sfreq: float, rms, bands, out) -> pd.DataFrame:
    channels, onsets = _draw_members(rng, spec, shape[0], shape[1] / sfreq)
    durations = np.clip(np.exp(rng.normal(*spec["log_duration_s"], channels.size)), 2.0 / sfreq, 1.0)
    starts = np.minimum(np.round(onsets * sfreq).astype(int), shape[1] - 2)
    stops = np.minimum(starts + np.round(durations * sfreq).astype(int), shape[1])
    drawn = {b: _component(rng, spec["components"][b], bands[b], channels.size) for b in TYPE_BANDS[kind]}
    phases = rng.uniform(0.0, 2.0 * np.pi, (len(drawn), channels.size))
    keep = _dead_time(channels, starts, stops)
    for i in np.flatnonzero(keep):
        c, a, b = channels[i], starts[i], stops[i]
        n = max(2, round(durations[i] * sfreq))
        for k, (band, (freq, excess)) in enumerate(drawn.items()):
            wave = tukey_sine(sfreq, freq[i], n, spec["envelope_tukey_alpha"], phases[k, i])
            power = np.mean(_filtered_event(wave, bands[band], sfreq) ** 2)
            scale = excess[i] * rms[band][c] / np.sqrt(power) if power > 0 else 0.0
            out[c, a:b] += scale * wave[: b - a]
    table = {"channel": channels[keep], "onset": starts[keep] / sfreq, "duration": (stops - starts)[keep] / sfreq}
    return pd.DataFrame(table).assign(type=kind)


def place_hfo_events(
    rng: np.random.Generator,
    stats: Mapping[str, Any],
    n_channels: int,
    n_times: int,
    sfreq: float,
    background_band_rms: Mapping[str, np.ndarray],
) -> tuple[np.ndarray, pd.DataFrame]:
    """Draw HFOs from learnt parameters: the signal to add and the events' ground truth.

    Per type, ``round(channel_fraction x n_channels)`` channels (at least one) carry it,
    each with a weight drawn log-normally (``channel_log_rate_sd``). Events come in
    groups at Poisson times, a group covering ``1 + Poisson(span_mean - 1)`` carriers
    adjacent in channel order from a seed carrier drawn by weight; each member draws its
    own duration, frequency, strength and phase. An event that would start before the
    previous one on its channel (same type) has ended is dropped, and the group rate is
    raised by ``1 / (1 - rate x mean duration)`` so the kept events keep the learnt rate
    per carrier. Events that run past the end are cut there.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of every random draw; the same state gives the same output.
    stats : mapping
        As returned by :func:`learn_hfo_events`.
    n_channels : int
        Channels of the record.
    n_times : int
        Samples of the record (>= 2).
    sfreq : float
        Sampling rate, in Hz; must hold the bands of the types in ``stats``.
    background_band_rms : mapping
        Band name (``"ripple"``, ``"fast_ripple"``) -> per-channel RMS of the background
        in that band, shape (n_channels,), in the unit of the record
        (:func:`hfo_band_rms` of the background).

    Returns
    -------
    additive : ndarray, shape (n_channels, n_times)
        The events, to add to the background; same unit as ``background_band_rms``.
    events : DataFrame
        One row per placed event and channel, by onset: ``channel`` (index), ``onset``
        (s), ``duration`` (s), ``type``.
    """
    check_type("rng", rng, np.random.Generator, "a numpy.random.Generator")
    n_channels = check_int("n_channels", n_channels, low=1)
    n_times = check_int("n_times", n_times, low=2)
    sfreq = check_sfreq("sfreq", sfreq)
    bands = usable_bands(sfreq)
    types = dict(stats["types"])
    rms = _check_rms(background_band_rms, {b for kind in types for b in _bands_of(kind, bands)}, n_channels)
    out = np.zeros((n_channels, n_times))
    tables = [_place_type(rng, kind, types[kind], out.shape, sfreq, rms, bands, out) for kind in sorted(types)]
    columns = {"channel": [], "onset": [], "duration": [], "type": []}
    events = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns)
    events = events.astype({"channel": int, "onset": float, "duration": float, "type": str})
    return out, events.sort_values(["onset", "channel"], kind="stable").reset_index(drop=True)
