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
noise is drawn per fixed block (:mod:`biosynth.generators._stream`), any chunk of a
record can be rendered alone and chunks join exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from biosynth.generators import _stream as st
from biosynth.signals.events import empty_events, make_events

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


#: Eigenvalues of a channel covariance below this fraction of the largest are dropped:
#: for a 64-channel 10-10 montage this keeps 37 of 64 dimensions of the background and
#: loses less than 0.05 % of its variance, and the component is drawn from that many
#: noise rows instead of one per channel.
COVARIANCE_RTOL = 1e-4


def covariance_factor(cov: np.ndarray) -> np.ndarray:
    """A factor :math:`F` with :math:`F F^T = \\Sigma` and as few columns as the rank allows.

    Full rank: the symmetric square root (unique, so the data do not depend on how
    LAPACK orders or signs eigenvectors). Otherwise the eigenvectors of the kept
    eigenvalues, each signed so its largest entry is positive, times their roots.
    """
    values, vectors = np.linalg.eigh((cov + cov.T) / 2.0)
    keep = values > COVARIANCE_RTOL * values.max()
    if keep.all():
        return (vectors * np.sqrt(values)) @ vectors.T
    vectors = vectors[:, keep]
    signs = np.sign(vectors[np.argmax(np.abs(vectors), axis=0), np.arange(vectors.shape[1])])
    return vectors * signs * np.sqrt(values[keep])


def record_variance(kernel: np.ndarray, n_times: int) -> float:
    """Expected variance, about its own mean, of a record of ``n_times`` samples of unit
    white noise through ``kernel``: the process variance less that of the record mean,
    :math:`r_0 - \\frac{1}{n}\\sum_{|k|<n} (1 - |k|/n)\\, r_k` with :math:`r` the kernel's
    autocorrelation (slow components barely move within a short record)."""
    r = np.correlate(kernel, kernel, mode="full")
    lags = np.arange(r.size) - (kernel.size - 1)
    inside = np.abs(lags) < n_times
    mean_var = np.sum((1.0 - np.abs(lags[inside]) / n_times) * r[inside]) / n_times
    return float(r[kernel.size - 1] - mean_var)


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

    def events(self, record: int, start_s: float, stop_s: float, end_s: float) -> pd.DataFrame:
        """One event per block starting in ``[start_s, stop_s)``, cut at the record end."""
        if len(self.names) == 1:
            if start_s > 0:
                return empty_events()
            return make_events([0.0], [end_s], self.names[0], record=record)
        period = float(np.sum(self.durations))
        offsets = np.concatenate([[0.0], np.cumsum(self.durations)[:-1]])
        onsets, types = [], []
        for cycle in range(int(start_s // period), int(stop_s // period) + 1):
            for off, name in zip(offsets, self.names, strict=True):
                t0 = cycle * period + off
                if start_s <= t0 < stop_s and t0 < end_s:
                    onsets.append(t0)
                    types.append(name)
        if not onsets:
            return empty_events()
        onsets = np.asarray(onsets)
        lengths = np.array([self.durations[self.names.index(n)] for n in types])
        return make_events(onsets, np.minimum(lengths, end_s - onsets), types, record=record)


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
    center: bool = False  # subtract the channel mean (average reference: removes rounding only)
    expected_sd: float = 0.0  # V, median channel, background and rhythms

    def render(self, root: np.random.SeedSequence, record: int, start: int, stop: int) -> tuple[np.ndarray, list]:
        """Samples ``[start, stop)`` of record ``record`` (V) and their event tables."""
        n_ch = len(self.ch_names)
        out = np.zeros((n_ch, stop - start))
        times = np.arange(start, stop) / self.sfreq
        tables = [self.states.events(record, start / self.sfreq, stop / self.sfreq, self.n_times / self.sfreq)]
        for comp in self.components:
            stream = st.Stream(root, record, comp.stream)
            noise = _filtered(stream, comp.kernel, comp.mixing.shape[1], start, stop, self.device)
            part = comp.mixing.astype(noise.dtype) @ noise
            modulation = self.states.gain(comp.gains, times) if comp.gains else None
            if comp.burst_rate > 0:
                env, bursts = self._envelope(root, record, comp, start, stop)
                modulation = env if modulation is None else modulation * env
                tables.append(bursts)
            if modulation is not None:
                part *= modulation.astype(part.dtype)
            out += part
        if self.center:
            out -= out.mean(axis=0, keepdims=True)
        for extra in self.extras:
            data, events = extra.render(root, record, start, stop)
            out += data
            tables.append(events)
        return out, tables

    def render_record(self, root: np.random.SeedSequence, record: int) -> tuple[np.ndarray, list]:
        """A whole record, rendered in chunks of :data:`RENDER_CHUNK` samples (bounds the
        temporary memory; the data do not depend on it)."""
        out = np.empty((len(self.ch_names), self.n_times))
        tables: list = []
        for start in range(0, self.n_times, RENDER_CHUNK):
            stop = min(start + RENDER_CHUNK, self.n_times)
            out[:, start:stop], parts = self.render(root, record, start, stop)
            tables.extend(parts)
        return out, tables

    def _envelope(self, root, record, comp: Component, start: int, stop: int) -> tuple[np.ndarray, pd.DataFrame]:
        stream = st.Stream(root, record, _ENVELOPE_STREAM + comp.stream)
        look_back = int(np.ceil(4 * comp.burst_duration * self.sfreq))

        def draw(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
            return st.as_dict(duration=st.lognormal(rng, comp.burst_duration, BURST_CV, n))

        ev = st.block_events(stream, comp.burst_rate, self.sfreq, start - look_back, stop, draw)
        env = np.zeros(stop - start)
        for onset, dur in zip(ev.onset, ev.draws.get("duration", []), strict=True):
            n = max(round(dur * self.sfreq), 1)
            st.place(env, start, int(onset), _hann(n))
        own = (ev.onset >= start) & (ev.onset < self.n_times)
        if not own.any():
            return env, empty_events()
        onset_s = ev.onset[own] / self.sfreq
        dur = np.minimum(ev.draws["duration"][own], self.n_times / self.sfreq - onset_s)
        kind = "spindle" if comp.name == "spindle" else f"{comp.name}_burst"
        return env, make_events(onset_s, dur, kind, record=record)


@lru_cache(maxsize=4096)
def _hann(n: int) -> np.ndarray:
    """Hann window of n samples without its zero end points (read-only, cached)."""
    win = np.hanning(n + 2)[1:-1]
    win.flags.writeable = False
    return win


def _filtered(stream: st.Stream, kernel: np.ndarray, n_rows: int, start: int, stop: int, device: str) -> np.ndarray:
    if device == "cpu":
        return st.filtered_noise(stream, kernel, n_rows, start, stop)
    import torch

    from biosynth.signals._backend import torch_device

    half = kernel.size // 2
    white = st.white_noise(stream, n_rows, start - half, stop + half)
    n_fft = white.shape[-1] + kernel.size - 1
    dev = torch_device(device)
    spec = torch.fft.rfft(torch.as_tensor(white, device=dev), n=n_fft) * torch.fft.rfft(
        torch.as_tensor(kernel.astype(white.dtype), device=dev), n=n_fft
    )
    full = torch.fft.irfft(spec, n=n_fft)
    return full[:, kernel.size - 1 : kernel.size - 1 + stop - start].cpu().numpy()
