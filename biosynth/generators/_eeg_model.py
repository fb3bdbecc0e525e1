# SPDX-License-Identifier: BSD-3-Clause
"""The scalp-EEG model behind :func:`biosynth.generators.simulate_eeg`, rendered chunk by chunk.

A record is a sum of Gaussian components, each white noise through a fixed zero-phase FIR
kernel (its spectral shape), mixed across channels by the square root of its channel
covariance and, for rhythms, multiplied by a burst envelope and a state gain:

.. math::

    x(t) = s_0 L_0\\, (h_0 * w_0)(t) + \\sum_r s_r\\, g_r(t)\\, e_r(t)\\, L_r\\, (h_r * w_r)(t)

with :math:`w` unit white noise per channel, :math:`h_0` the aperiodic kernel
(PSD :math:`1 / (k + f^{\\chi})`), :math:`h_r` a Gaussian band around the rhythm's
frequency, :math:`L = \\Sigma^{1/2}` the symmetric square root of the component's channel
covariance (from the lead field of the cortical generators that carry it, or a uniform
correlation), :math:`e_r` a shot-noise envelope of raised-cosine bursts (1 for a
sustained rhythm) and :math:`g_r` the gain of the current state (eyes open / closed).
Because every factor is linear or a deterministic function of absolute time, and the
noise is drawn per fixed block (:mod:`biosynth.generators._random_blocks`), any chunk of a
record can be rendered alone and chunks join without a seam (equal to float32
rounding of the filtering).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from scipy import signal

from biosynth._utils.backend import torch_device
from biosynth.generators import _random_blocks as rb
from biosynth.signals.events import empty_events, validate_events

#: Seconds of aperiodic kernel: frequency resolution 1/8 Hz, so the 1/f shape holds
#: from about 0.25 Hz up.
APERIODIC_KERNEL_S = 8.0
#: Least seconds of a rhythm kernel; narrow bands get ``10 / bandwidth`` s.
RHYTHM_KERNEL_S = 4.0
#: Seconds over which the state gain moves from one state's level to the next.
STATE_TRANSITION_S = 0.5
#: Coefficient of variation of burst durations (lognormal, clipped to 1/4..4 x mean).
BURST_CV = 0.4
#: Samples rendered at once when a whole record is asked for.
RENDER_CHUNK = 2**17
_FWHM_TO_SIGMA = 1.0 / (2.0 * np.sqrt(2.0 * np.log(2.0)))
# stream ids: 0 aperiodic, 1 + i rhythm noise, 50 + i rhythm envelope; artefacts 100+, epileptiform 200+
_ENVELOPE_STREAM = 50


@dataclass
class Component:
    """One Gaussian component: kernel, channel mixing, optional bursts and state gains."""

    name: str
    stream: int
    kernel: np.ndarray
    mixing: np.ndarray  # (n_channels, n_rows), includes the scale
    burst_rate: float = 0.0  # per s; 0 = sustained
    burst_duration: float = 0.0  # mean, s
    gains: dict[str, float] = field(default_factory=dict)  # state -> amplitude gain
    decimation: int = 1  # noise drawn at 1/decimation of the rate (narrow-band kernels only)
    modulated: bool = True  # follows the model's modulator (brain activity; not amplifier noise)

    def envelope_power(self) -> float:
        """Expected square of the burst envelope (Campbell's theorem; 1 if sustained)."""
        if self.burst_rate == 0:
            return 1.0
        # a Hann-shaped burst of length d has integral d / 2 and integral of its square
        # 3 d / 8; durations are lognormal with the set mean (the clipping is ignored)
        mean_w, mean_w2 = 0.5 * self.burst_duration, 0.375 * self.burst_duration
        return float(self.burst_rate * mean_w2 + (self.burst_rate * mean_w) ** 2)


def gaussian_band(freq: float, bandwidth: float):
    """PSD shape of a rhythm: Gaussian of peak 1 at ``freq`` with FWHM ``bandwidth`` (Hz)."""
    sigma = bandwidth * _FWHM_TO_SIGMA
    return lambda f: np.exp(-((f - freq) ** 2) / (2.0 * sigma**2))


def aperiodic_shape(exponent: float, knee: float):
    """PSD shape of the background, :math:`1 / (k + f^{\\chi})` (specparam's form)."""
    return lambda f: 1.0 / (knee + f**exponent)


#: Share of a component's spatial variance kept: its channel covariance is drawn from
#: the fewest eigen-directions that hold this share (for a 64-channel 10-10 montage, 18
#: of 64 directions for the background, 7 to 11 for the rhythms), so it needs that many
#: noise rows instead of one per channel.
COVARIANCE_KEEP = 0.999


def covariance_factor(cov: np.ndarray) -> np.ndarray:
    """A factor :math:`F` with :math:`F F^T \\approx \\Sigma`, of as few columns as
    :data:`COVARIANCE_KEEP` allows.

    All directions kept: the symmetric square root (unique, so the data do not depend on
    how LAPACK orders or signs eigenvectors). Otherwise the leading eigenvectors, each
    signed so its largest entry is positive, times the roots of their eigenvalues.
    """
    values, vectors = np.linalg.eigh((cov + cov.T) / 2.0)
    values = np.clip(values, 0.0, None)
    order = np.argsort(values)[::-1]
    share = np.cumsum(values[order]) / values.sum()
    n_keep = int(np.searchsorted(share, COVARIANCE_KEEP) + 1)
    if n_keep >= values.size:
        return (vectors * np.sqrt(values)) @ vectors.T
    keep = order[:n_keep]
    vectors = vectors[:, keep]
    signs = np.sign(vectors[np.argmax(np.abs(vectors), axis=0), np.arange(n_keep)])
    return vectors * signs * np.sqrt(values[keep])


def record_variance(kernel: np.ndarray, n_times: int) -> float:
    """Expected variance, about its own mean, of a record of ``n_times`` samples of unit
    white noise through ``kernel``: the process variance less that of the record mean,
    :math:`r_0 - \\frac{1}{n}\\sum_{|k|<n} (1 - |k|/n)\\, r_k` with :math:`r` the kernel's
    autocorrelation (slow components barely move within a short record)."""
    r = signal.fftconvolve(kernel, kernel[::-1], mode="full")
    lags = np.arange(r.size) - (kernel.size - 1)
    inside = np.abs(lags) < n_times
    mean_var = np.sum((1.0 - np.abs(lags[inside]) / n_times) * r[inside]) / n_times
    return float(r[kernel.size - 1] - mean_var)


def rhythm_component(
    rhythm: dict, stream: int, cov: np.ndarray, ap_power: np.ndarray, shape, sfreq: float
) -> Component:
    """A rhythm (checked fields of a ``Rhythm``) whose peak is ``height`` log10 units
    above the background ``shape`` (channel powers ``ap_power``) where it is relatively
    strongest; ``cov`` is its channel covariance in the background's units."""
    band = gaussian_band(rhythm["freq"], rhythm["bandwidth"])
    n_taps = int(max(RHYTHM_KERNEL_S, 10.0 / rhythm["bandwidth"]) * sfreq)
    kernel = rb.fir_from_psd(band, sfreq, n_taps)
    diag = np.diag(cov)
    best = int(np.argmax(diag / ap_power))
    if diag[best] <= 0:
        raise ValueError(f"rhythm {rhythm['name']!r} reaches no channel (region {rhythm['region']!r}).")
    power = (10.0 ** rhythm["height"] - 1.0) * ap_power[best] * shape(np.array([rhythm["freq"]]))[0] / diag[best]
    bursty = rhythm["burst_duration"] is not None
    return Component(
        rhythm["name"],
        stream,
        kernel,
        covariance_factor(cov) * np.sqrt(power),
        burst_rate=rhythm["burst_rate"] / 60.0 if bursty else 0.0,
        burst_duration=rhythm["burst_duration"] or 0.0,
        decimation=rb.passband_decimation(kernel),
    )


@dataclass
class StateCycle:
    """Blocks of states (e.g. eyes closed 30 s, eyes open 30 s) repeated to fill a record."""

    names: tuple[str, ...]
    durations: tuple[float, ...]  # s; a single state may be inf

    def index(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """State index and seconds since the block began, at times ``t`` (s)."""
        if len(self.names) == 1:
            return np.zeros(t.shape, dtype=int), t.copy()
        bounds = np.concatenate([[0.0], np.cumsum(self.durations)])
        phase = np.mod(t, bounds[-1])
        idx = np.searchsorted(bounds, phase, side="right") - 1
        return idx, phase - bounds[idx]

    def gain(self, gains: dict[str, float], t: np.ndarray) -> np.ndarray:
        """Amplitude gain at times ``t``; cosine cross-fade over the first
        :data:`STATE_TRANSITION_S` of each block (none at t = 0)."""
        level = np.array([gains.get(n, 1.0) for n in self.names])
        idx, since = self.index(t)
        now = level[idx]
        before = level[(idx - 1) % len(self.names)]
        frac = np.clip(since / STATE_TRANSITION_S, 0.0, 1.0)
        mix = 0.5 - 0.5 * np.cos(np.pi * frac)
        mix = np.where(t < STATE_TRANSITION_S, 1.0, mix)
        return before + (now - before) * mix

    def mean_square(self, gains: dict[str, float], duration: float) -> float:
        """Time average of the squared gain over a record of ``duration`` s (transitions ignored)."""
        t = np.linspace(0.0, duration, 4096, endpoint=False)
        level = np.array([gains.get(n, 1.0) for n in self.names])
        return float(np.mean(level[self.index(t)[0]] ** 2))

    def events(self, buffer: EventBuffer, record: int, start_s: float, stop_s: float, end_s: float) -> None:
        """Add one event per block starting in ``[start_s, stop_s)``, cut at the record end."""
        if len(self.names) == 1:
            if start_s == 0:
                buffer.add(record, [0.0], [end_s], self.names[0])
            return
        period = float(np.sum(self.durations))
        offsets = np.concatenate([[0.0], np.cumsum(self.durations)[:-1]])
        for cycle in range(int(start_s // period), int(stop_s // period) + 1):
            for off, name, length in zip(offsets, self.names, self.durations, strict=True):
                t0 = cycle * period + off
                if start_s <= t0 < stop_s and t0 < end_s:
                    buffer.add(record, [t0], [min(length, end_s - t0)], name)

    def constant_gain(self, gains: dict[str, float]) -> float | None:
        """The gain if it never changes within the cycle, else None."""
        levels = {gains.get(n, 1.0) for n in self.names}
        return levels.pop() if len(levels) == 1 else None


class EventBuffer:
    """Events gathered while rendering, turned into one validated table at the end."""

    def __init__(self) -> None:
        self._parts: list[tuple] = []
        self._frames: list[pd.DataFrame] = []

    def add(self, record: int, onset, duration, kind: str, channel: str = "") -> None:
        """Add events of one type (onsets and durations in s)."""
        onset = np.asarray(onset, dtype=float)
        if onset.size:
            self._parts.append((record, onset, np.asarray(duration, dtype=float), kind, channel))

    def add_frame(self, events: pd.DataFrame) -> None:
        """Add an event table (e.g. from an artefact model)."""
        if len(events):
            self._frames.append(events)

    def to_frame(self) -> pd.DataFrame:
        """All events, validated and sorted by record and onset."""
        frames = list(self._frames)
        if self._parts:
            n = [p[1].size for p in self._parts]
            frames.append(
                pd.DataFrame(
                    {
                        "record": np.repeat([p[0] for p in self._parts], n),
                        "channel": np.repeat(np.array([p[4] for p in self._parts], dtype=object), n),
                        "onset": np.concatenate([p[1] for p in self._parts]),
                        "duration": np.concatenate([p[2] for p in self._parts]),
                        "type": np.repeat(np.array([p[3] for p in self._parts], dtype=object), n),
                    }
                )
            )
        if not frames:
            return empty_events()
        return validate_events(pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0])


@dataclass
class EEGModel:
    """Everything fixed about a batch: components, states and additive extras."""

    sfreq: float
    n_times: int
    ch_names: list[str]
    components: list[Component]
    states: StateCycle
    extras: list[Any] = field(default_factory=list)  # objects with render(root, record, start, stop)
    device: str = "cpu"
    reference: Any = None  # None, "average" or (i, j) mastoid rows: applied to the additions
    expected_sd: float = 0.0  # V, median channel, background and rhythms
    # object with gain(root, record, start, stop, events) -> float32 array (stop - start,),
    # multiplying the modulated components (e.g. burst suppression); None for none
    modulator: Any = None

    def __post_init__(self) -> None:
        # every component's rows side by side: one product maps all filtered rows to channels
        if self.components:
            mixing = np.concatenate([c.mixing for c in self.components], axis=1)
            if self.reference == "average":  # columns summing to 0 (up to float32 rounding)
                mixing = mixing - mixing.mean(axis=0, keepdims=True)
            self.mixing = mixing.astype(np.float32)
            bounds = np.cumsum([0] + [c.mixing.shape[1] for c in self.components])
            self.rows = [slice(a, b) for a, b in pairwise(bounds)]

    def render(
        self, root: np.random.SeedSequence, record: int, start: int, stop: int, events: EventBuffer, copy: bool = True
    ) -> np.ndarray:
        """Samples ``[start, stop)`` of record ``record`` (V, float32; float64 with
        additions); their events go to ``events``. ``copy=False`` may return a work
        array that the next call overwrites."""
        self.states.events(events, record, start / self.sfreq, stop / self.sfreq, self.n_times / self.sfreq)
        out = self._buffer("out", (len(self.ch_names), stop - start), zero=not self.components)
        if self.components:
            rows = self._buffer("rows", (self.mixing.shape[1], stop - start))
            common = None if self.modulator is None else self.modulator.gain(root, record, start, stop, events)
            for comp, sl in zip(self.components, self.rows, strict=True):
                stream = rb.Stream(root, record, comp.stream)
                rows[sl] = _filtered(stream, comp, sl.stop - sl.start, start, stop, self.device)
                modulation = self._modulation(root, record, comp, start, stop, events)
                if modulation is not None:
                    rows[sl] *= modulation
                if common is not None and comp.modulated:
                    rows[sl] *= common
            np.matmul(self.mixing, rows, out=out)
        if not self.extras:
            return out.copy() if copy else out
        total = out.astype(np.float64)
        for extra in self.extras:
            data, table = extra.render(root, record, start, stop)
            total += self._referenced(data)
            events.add_frame(table)
        return total

    def _buffer(self, name: str, shape: tuple[int, int], zero: bool = False) -> np.ndarray:
        """A float32 work array kept between chunks of one shape (fewer fresh pages)."""
        work = self.__dict__.setdefault("_work", {})
        if name not in work or work[name].shape != shape:
            work[name] = np.empty(shape, dtype=np.float32)
        if zero:
            work[name].fill(0.0)
        return work[name]

    def _referenced(self, data: np.ndarray) -> np.ndarray:
        """Additions (artefacts, spikes) seen through the recording's reference."""
        if self.reference is None:
            return data
        if self.reference == "average":
            return data - data.mean(axis=0, keepdims=True)
        i, j = self.reference
        return data - 0.5 * (data[i] + data[j])

    def _modulation(self, root, record, comp: Component, start: int, stop: int, events: EventBuffer):
        """State gain times burst envelope of a component (float32), or None if it is 1."""
        gain = None
        if comp.gains:
            level = self.states.constant_gain(comp.gains)
            if level is None:
                gain = self.states.gain(comp.gains, np.arange(start, stop) / self.sfreq).astype(np.float32)
            elif level != 1.0:
                gain = np.float32(level)
        if comp.burst_rate == 0:
            return gain
        env = self._envelope(root, record, comp, start, stop, events).astype(np.float32)
        return env if gain is None else env * gain

    def render_record(self, root, record: int, events: EventBuffer, out: np.ndarray | None = None) -> np.ndarray:
        """A whole record, rendered in chunks of :data:`RENDER_CHUNK` samples (bounds the
        temporary memory; the data do not depend on it), into ``out`` if given."""
        if out is None:
            out = np.empty((len(self.ch_names), self.n_times))
        for start in range(0, self.n_times, RENDER_CHUNK):
            stop = min(start + RENDER_CHUNK, self.n_times)
            out[:, start:stop] = self.render(root, record, start, stop, events, copy=False)
        return out

    def _envelope(self, root, record, comp: Component, start: int, stop: int, events: EventBuffer) -> np.ndarray:
        stream = rb.Stream(root, record, _ENVELOPE_STREAM + comp.stream)
        look_back = int(np.ceil(4 * comp.burst_duration * self.sfreq))

        def draw(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
            return rb.as_dict(duration=rb.lognormal(rng, comp.burst_duration, BURST_CV, n))

        ev = rb.block_events(stream, comp.burst_rate, self.sfreq, start - look_back, stop, draw)
        env = _hann_sum(ev.onset, ev.draws.get("duration", np.zeros(0)), self.sfreq, start, stop)
        own = (ev.onset >= start) & (ev.onset < self.n_times)
        if own.any():
            onset_s = ev.onset[own] / self.sfreq
            dur = np.minimum(ev.draws["duration"][own], self.n_times / self.sfreq - onset_s)
            events.add(record, onset_s, dur, "spindle" if comp.name == "spindle" else f"{comp.name}_burst")
        return env


def render_records(
    model: EEGModel, root: np.random.SeedSequence, indices: np.ndarray, *, desc: str, progress: bool
) -> tuple[np.ndarray, pd.DataFrame]:
    """Records ``indices`` of ``model`` (float64, shape ``(n, n_channels, n_times)``) and
    their events: the one render loop of the EEG-family generators.

    Each record is rendered alone, in chunks of :data:`RENDER_CHUNK` samples, so the
    temporary memory is bounded and a record does not depend on the batch it is in.
    ``desc`` labels the progress bar (tqdm, shown with ``progress=True``).
    """
    from tqdm.auto import tqdm

    out = np.empty((indices.size, len(model.ch_names), model.n_times))
    events = EventBuffer()
    for k, record in enumerate(tqdm(indices, desc=desc, unit="record", disable=not progress)):
        model.render_record(root, int(record), events, out=out[k])
    return out, events.to_frame()


class Addition:
    """An artefact or epileptiform model with its extra render keywords bound; its
    events are cut at the end of the record (and dropped if they start after it, as a
    delayed copy of an event on another channel can)."""

    def __init__(self, model: Any, end: float, **kwargs: Any) -> None:
        self.model, self.end, self.kwargs = model, end, kwargs

    def render(self, root, record: int, start: int, stop: int) -> tuple[np.ndarray, pd.DataFrame]:
        data, events = self.model.render(root, record, start, stop, **self.kwargs)
        if len(events):
            events = events[events["onset"] < self.end]
            events = events.assign(record=record, duration=np.minimum(events["duration"], self.end - events["onset"]))
        return data, events


def _hann_sum(onsets: np.ndarray, durations: np.ndarray, sfreq: float, start: int, stop: int) -> np.ndarray:
    """Sum of Hann bursts (``round(duration * sfreq)`` samples each, without their zero
    end points) starting at absolute samples ``onsets``, over samples ``[start, stop)``."""
    lengths = np.maximum(np.round(np.asarray(durations) * sfreq).astype(np.int64), 1)
    if lengths.size == 0:
        return np.zeros(stop - start)
    first = np.repeat(np.cumsum(lengths) - lengths, lengths)
    k = np.arange(first.size) - first  # sample within its burst
    n = np.repeat(lengths, lengths)
    position = np.repeat(np.asarray(onsets, dtype=np.int64), lengths) + k - start
    inside = (position >= 0) & (position < stop - start)
    values = np.sin(np.pi * (k[inside] + 1) / (n[inside] + 1)) ** 2
    return np.bincount(position[inside], weights=values, minlength=stop - start)


def _filtered(stream: rb.Stream, comp: Component, n_rows: int, start: int, stop: int, device: str) -> np.ndarray:
    fft = None if device == "cpu" else _TorchFFT(device)
    return rb.filtered_noise(stream, comp.kernel, n_rows, start, stop, decimation=comp.decimation, fft=fft)


class _TorchFFT:
    """filtered_noise's FFTs in torch, on ``device``."""

    def __init__(self, device: str) -> None:
        import torch

        self.torch, self.device = torch, torch_device(device)

    def rfft(self, x, n):
        return self.torch.fft.rfft(x, n=n, dim=-1)

    def irfft(self, spectrum, n):
        return self.torch.fft.irfft(spectrum, n=n, dim=-1)

    def asarray(self, x):
        return self.torch.as_tensor(x, device=self.device)

    def zeros(self, shape, like):
        return self.torch.zeros(shape, dtype=like.dtype, device=self.device)

    def numpy(self, x):
        return x.cpu().numpy()
