# SPDX-License-Identifier: BSD-3-Clause
"""Epileptiform events: spikes, sharp waves, spike-and-wave discharges, focal seizures and HFOs.

Waveforms are defined in seconds and sampled at any rate from 100 Hz (scalp EEG) to
several kHz (intraoperative ECoG), so an event has the same shape in time whatever the
sampling rate. They are amplitude-normalised (peak ``|value| = 1``) and *negative-going*:
interictal spikes and sharp waves are surface-negative at the electrode over their
generator, so the data values (not the display, which EEG readers often flip) dip below
zero. A weight vector with negative entries places a phase reversal on the channels
across the dipole.

:class:`EpileptiformModel` places the events in a record of ``n_channels`` channels and
returns their ground truth as an event table (:func:`biosynth.signals.events.make_events`
columns plus ``amplitude``). Everything random is a function of the absolute sample
index through :mod:`biosynth.generators._random_blocks`: spikes, sharp waves and spike-and-wave
discharges are Poisson events drawn per noise block (a chunk looks back by the longest
event so events begun in an earlier chunk still add their tail), and seizure ``i`` of
a record draws its whole waveform from its own generator before being cropped to the
chunk. Rendering ``[0, N)`` at once equals concatenating the renders of any partition.

Physiology
----------
* Spike: a transient with a pointed peak lasting 20-70 ms; sharp wave: 70-200 ms
  (IFCN glossary, Kane et al. 2017). Either may be followed by an after-going slow wave
  of 150-350 ms, here of the same (negative) polarity, starting where the spike ends.
* Generalised spike-and-wave: the ~3 Hz discharge of absence seizures, one spike plus
  slow wave per cycle; the rate slows slightly over the train (about 3.3 to 2.7 Hz for
  ``freq=3``).
* Focal seizure onset: low-voltage fast activity (LVFA, 15-30 Hz, capped at 0.3 times
  the sampling rate) growing into rhythmic spikes and sharp waves whose rate slows
  (about 8 to 2 Hz) while their amplitude grows, then a fairly abrupt end; or an onset
  of rhythmic spiking from the start (about 5 to 2 Hz). These are the two commonest
  intracranial onset patterns (Perucca et al. 2014; Lagarde et al. 2019).
* High-frequency oscillations of intraoperative ECoG (sampled at 1 kHz or more):
  ripples, 80-250 Hz bursts of 25-200 ms (Staba et al. 2002), and fast ripples,
  250-500 Hz bursts of 10-50 ms, each at least four cycles long under a Hann or
  Gaussian envelope. They are Poisson events of their own and, with ``with_spikes``,
  also ride on a fraction of the spikes, starting on the spike's rising phase or at
  its peak (Jacobs et al. 2008).

References
----------
.. [1] Kane N, Acharya J, Beniczky S, et al. (2017). A revised glossary of terms most
   commonly used by clinical electroencephalographers and updated proposal for the
   report format of the EEG findings. Clin Neurophysiol Pract 2:170-185.
   doi:10.1016/j.cnp.2017.07.002
.. [2] Perucca P, Dubeau F, Gotman J (2014). Intracranial electroencephalographic
   seizure-onset patterns: effect of underlying pathology. Brain 137(1):183-196.
   doi:10.1093/brain/awt299
.. [3] Lagarde S, Buzori S, Trebuchon A, et al. (2019). The repertoire of seizure onset
   patterns in human focal epilepsies: determinants and prognostic values. Epilepsia
   60(1):85-95. doi:10.1111/epi.14604
.. [4] Staba RJ, Wilson CL, Bragin A, Fried I, Engel J Jr (2002). Quantitative
   analysis of high-frequency oscillations (80-500 Hz) recorded in human epileptic
   hippocampus and entorhinal cortex. J Neurophysiol 88(4):1743-1752.
   doi:10.1152/jn.2002.88.4.1743
.. [5] Jacobs J, LeVan P, Chander R, Hall J, Dubeau F, Gotman J (2008). Interictal
   high-frequency oscillations (80-500 Hz) are an indicator of seizure onset areas
   independent of spikes in the human epileptic brain. Epilepsia 49(11):1893-1907.
   doi:10.1111/j.1528-1167.2008.01656.x
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from biosynth._utils.check import check_int, check_number, check_option, check_type
from biosynth.generators._random_blocks import Stream, as_dict, block_events, lognormal, place, raised_cosine
from biosynth.generators.epileptor import epileptor_seizure
from biosynth.signals.events import ALL_CHANNELS, make_events

EPILEPTIFORM_KINDS = ("spike", "sharp_wave", "spike_wave", "seizure", "ripple", "fast_ripple")
HFO_KINDS = ("ripple", "fast_ripple")
HFO_ENVELOPES = ("hann", "gaussian")
SEIZURE_ONSET_PATTERNS = ("lvfa", "rhythmic_spiking", "epileptor")

#: Spike and sharp-wave durations (s) of the IFCN glossary, and of the slow wave after them.
SPIKE_RANGE = (0.02, 0.07)
SHARP_WAVE_RANGE = (0.07, 0.2)
SLOW_WAVE_RANGE = (0.15, 0.35)
#: Sampling rates (Hz) the waveforms accept.
SFREQ_RANGE = (100.0, 100_000.0)
#: Frequency bands (Hz) and the bounds of the burst duration (s) of each HFO kind.
HFO_BANDS = {"ripple": (80.0, 250.0), "fast_ripple": (250.0, 500.0)}
HFO_DURATION_LIMITS = {"ripple": (0.02, 0.2), "fast_ripple": (0.005, 0.1)}
#: Fewest cycles of an HFO burst (durations are lengthened to hold them).
HFO_MIN_CYCLES = 4.0

#: Fraction of a spike's duration spent reaching the peak (the return is slower).
_SPIKE_RISE = 0.4
_SHARP_RISE = 0.35
#: Spike of each spike-and-wave cycle (s), slow-wave share of the cycle and its height.
_SW_SPIKE = 0.05
_SW_SLOW_SHARE = 0.6
_SW_SLOW_RATIO = 0.7
#: Seizure discharges: spike width as a share of the period and its cap (s); late
#: (slower than 3.3 Hz) ones get the spike-and-wave slow wave, begun halfway down the
#: spike so the discharge rate, not its second harmonic, dominates the spectrum.
_SZ_WIDTH_SHARE = 0.2
_SZ_WIDTH_MAX = 0.08
_SZ_SLOW_OVERLAP = 0.5
#: Seizure: LVFA height relative to the final discharges, its band (Hz), phase-noise
#: bandwidth (Hz), and the final fade (s).
_LVFA_LEVEL = 0.12
_LVFA_BAND = (20.0, 30.0)
_LVFA_MIN_FREQ = 14.0
_LVFA_BANDWIDTH = 2.0
_SEIZURE_FADE = 0.1
_NYQUIST_SHARE = 0.3
#: Gaussian HFO envelope: SD as a share of the burst (cut at +-3 SD).
_GAUSS_SD_SHARE = 1.0 / 6.0

#: Stream id offsets from ``stream_base``, one per kind (HFO kinds last, so the
#: streams of the older kinds keep their ids).
_STREAM_OFFSET = {kind: i for i, kind in enumerate(EPILEPTIFORM_KINDS)}

_TRANSIENT_DEFAULTS: dict[str, Any] = {
    "rate": 1.0,
    "amplitude": 100e-6,
    "amplitude_cv": 0.2,
    "channels": None,
    "spread": 0.0,
    "duration_cv": 0.15,
    "slow_wave": True,
    "slow_wave_duration": 0.2,
    "slow_wave_ratio": 0.5,
}
#: Default parameters of each kind (units in :func:`check_epileptiform`).
DEFAULTS: dict[str, dict[str, Any]] = {
    "spike": {**_TRANSIENT_DEFAULTS, "duration": 0.05},
    "sharp_wave": {**_TRANSIENT_DEFAULTS, "duration": 0.12},
    "spike_wave": {
        "rate": 1.0,
        "amplitude": 150e-6,
        "amplitude_cv": 0.1,
        "channels": None,
        "spread": 0.0,
        "duration": 5.0,
        "duration_cv": 0.3,
        "freq": 3.0,
    },
    "ripple": {
        "rate": 1.0,
        "amplitude": 20e-6,
        "amplitude_cv": 0.2,
        "channels": None,
        "spread": 0.0,
        "freq": (80.0, 200.0),
        "duration": (0.03, 0.1),
        "envelope": "hann",
        "with_spikes": 0.0,
    },
    "fast_ripple": {
        "rate": 1.0,
        "amplitude": 10e-6,
        "amplitude_cv": 0.2,
        "channels": None,
        "spread": 0.0,
        "freq": (250.0, 450.0),
        "duration": (0.01, 0.05),
        "envelope": "hann",
        "with_spikes": 0.0,
    },
    "seizure": {
        "onsets": (),
        "duration": 30.0,
        "channels": None,
        "propagation": (),
        "delay": 2.0,
        "amplitude": 150e-6,
        "spread": 0.0,
        "onset_pattern": "lvfa",
    },
}


# --------------------------------------------------------------------------- waveforms


def _check_rate(sfreq: Any) -> float:
    lo, hi = SFREQ_RANGE
    return check_number("sfreq", sfreq, low=lo, high=hi, unit="Hz", context="epileptiform waveforms need >= 100 Hz")


def _transient(
    sfreq: float, duration: float, rise: float, slow: float, ratio: float, overlap: float = 0.0
) -> tuple[np.ndarray, float]:
    """Negative transient with a pointed peak, then an optional slow wave; unnormalised.

    The slow wave starts ``overlap`` (a fraction of the spike's fall) before the spike
    ends. The peak falls on a sample (so the sampled peak is exactly -1). Returns the
    waveform and its lead: the time (s, in ``[0, 1/sfreq)``) from the first sample to
    the start of the spike.
    """
    t_rise, t_fall = rise * duration, (1.0 - rise) * duration
    slow_start = (1.0 - overlap) * t_fall
    k_peak = int(np.ceil(t_rise * sfreq))
    n = k_peak + int(np.ceil(max(t_fall, slow_start + slow) * sfreq)) + 1
    t = (np.arange(n) - k_peak) / sfreq  # s from the peak
    x = np.minimum(np.where(t < 0, -t / t_rise, t / t_fall), 1.0)
    wave = 1.0 - np.sin(0.5 * np.pi * x)  # cusp at the peak, smooth at the base
    if slow > 0:
        ts = (t - slow_start) / slow
        inside = (ts > 0) & (ts < 1)
        wave += np.where(inside, ratio * (0.5 - 0.5 * np.cos(2.0 * np.pi * ts)), 0.0)
    return -wave, k_peak / sfreq - t_rise


def _check_slow_wave(slow_wave: Any, slow_wave_duration: Any, slow_wave_ratio: Any) -> tuple[float, float]:
    check_type("slow_wave", slow_wave, (bool, np.bool_), "True or False")
    lo, hi = SLOW_WAVE_RANGE
    dur = check_number("slow_wave_duration", slow_wave_duration, low=lo, high=hi, unit="s")
    ratio = check_number("slow_wave_ratio", slow_wave_ratio, low=0.0, high=1.0, high_inclusive=False)
    return (dur, ratio) if slow_wave else (0.0, 0.0)


def spike_waveform(
    sfreq: float,
    *,
    duration: float = 0.05,
    slow_wave: bool = True,
    slow_wave_duration: float = 0.2,
    slow_wave_ratio: float = 0.5,
) -> np.ndarray:
    """Interictal spike, optionally with its after-going slow wave.

    The spike rises to a pointed negative peak in 40 % of ``duration`` and returns in
    the rest (``1 - sin(pi/2 * x)`` on each side: a cusp at the peak, smooth at the
    base, width at half amplitude ``duration / 3``). The slow wave (a Hann hump) starts
    where the spike ends.

    Parameters
    ----------
    sfreq : float
        Sampling rate, in Hz (100 Hz to 100 kHz).
    duration : float
        Spike duration at its base, in s (20-70 ms, IFCN glossary).
    slow_wave : bool
        Add the after-going slow wave.
    slow_wave_duration : float
        Slow-wave duration, in s (0.15-0.35).
    slow_wave_ratio : float
        Slow-wave height relative to the spike, in ``[0, 1)`` (so the spike peak stays
        the extremum).

    Returns
    -------
    waveform : ndarray, shape (n,)
        float64, peak -1 (surface-negative) on a sample; ``n`` covers the spike and slow
        wave plus at most two samples of zero.

    Examples
    --------
    >>> w = spike_waveform(256.0, slow_wave=False)
    >>> float(w.min()), int(np.count_nonzero(w))
    (-1.0, 13)
    """
    sfreq = _check_rate(sfreq)
    duration = check_number("duration", duration, low=SPIKE_RANGE[0], high=SPIKE_RANGE[1], unit="s")
    slow, ratio = _check_slow_wave(slow_wave, slow_wave_duration, slow_wave_ratio)
    return _transient(sfreq, duration, _SPIKE_RISE, slow, ratio)[0]


def sharp_wave_waveform(
    sfreq: float,
    *,
    duration: float = 0.12,
    slow_wave: bool = True,
    slow_wave_duration: float = 0.2,
    slow_wave_ratio: float = 0.5,
) -> np.ndarray:
    """Sharp wave: as :func:`spike_waveform` but 70-200 ms, rising in 35 % of it.

    Parameters
    ----------
    sfreq : float
        Sampling rate, in Hz (100 Hz to 100 kHz).
    duration : float
        Duration at the base, in s (70-200 ms, IFCN glossary).
    slow_wave : bool
        Add the after-going slow wave.
    slow_wave_duration : float
        Slow-wave duration, in s (0.15-0.35).
    slow_wave_ratio : float
        Slow-wave height relative to the sharp wave, in ``[0, 1)``.

    Returns
    -------
    waveform : ndarray, shape (n,)
        float64, peak -1 on a sample.

    Examples
    --------
    >>> int(np.count_nonzero(sharp_wave_waveform(1000.0, slow_wave=False)))  # 120 ms, open support
    119
    """
    sfreq = _check_rate(sfreq)
    duration = check_number("duration", duration, low=SHARP_WAVE_RANGE[0], high=SHARP_WAVE_RANGE[1], unit="s")
    slow, ratio = _check_slow_wave(slow_wave, slow_wave_duration, slow_wave_ratio)
    return _transient(sfreq, duration, _SHARP_RISE, slow, ratio)[0]


def _discharge_times(
    t_start: float, t_end: float, freq: Callable[[float], float], jitter: float, rng: np.random.Generator | None
) -> list[float]:
    """Times (s) of a discharge train whose local rate is ``freq(t)`` (Hz), each
    interval scaled by ``1 + jitter * N(0, 1)`` (clipped at 3 SD) when ``rng`` is given."""
    times, t = [], t_start
    while t < t_end:
        times.append(t)
        step = 1.0 / freq(t)
        if rng is not None:
            step *= 1.0 + jitter * float(np.clip(rng.standard_normal(), -3.0, 3.0))
        t += step
    return times


def _gain(rng: np.random.Generator | None, cv: float) -> float:
    """Per-discharge amplitude factor ``1 + cv * N(0, 1)`` clipped to [0.7, 1.3]; 1 without rng."""
    return 1.0 if rng is None else float(np.clip(1.0 + cv * rng.standard_normal(), 0.7, 1.3))


def _normalise(wave: np.ndarray) -> np.ndarray:
    peak = np.max(np.abs(wave))
    return wave / peak if peak > 0 else wave


def spike_wave_train(
    sfreq: float, duration: float, *, freq: float = 3.0, rng: np.random.Generator | int | None = None
) -> np.ndarray:
    """Generalised spike-and-wave discharge (absence type), one spike and slow wave per cycle.

    The cycle rate falls linearly from ``1.1 * freq`` to ``0.9 * freq`` over the train.
    Each cycle is a 50 ms spike followed by a slow wave filling 60 % of the cycle at
    0.7 times the spike height. Only whole cycles are placed; the rest is zero.

    Parameters
    ----------
    sfreq : float
        Sampling rate, in Hz (100 Hz to 100 kHz).
    duration : float
        Train duration, in s (0.5-600).
    freq : float
        Mean discharge rate, in Hz (1.5-5; absences are about 3 Hz).
    rng : Generator, int or None
        Jitters each cycle's interval (3 % SD) and height (10 % SD). None: a regular
        train, no randomness.

    Returns
    -------
    waveform : ndarray, shape (round(duration * sfreq),)
        float64, peak ``|value|`` 1, negative spikes.

    Examples
    --------
    >>> w = spike_wave_train(256.0, 2.0)
    >>> w.shape, float(w.min())
    ((512,), -1.0)
    """
    sfreq = _check_rate(sfreq)
    duration = check_number("duration", duration, low=0.5, high=600.0, unit="s")
    freq = check_number("freq", freq, low=1.5, high=5.0, unit="Hz")
    gen = None if rng is None else np.random.default_rng(rng)
    f_start, f_end = 1.1 * freq, 0.9 * freq

    def rate(t: float) -> float:
        return f_start + (f_end - f_start) * t / duration

    out = np.zeros(round(duration * sfreq))
    for t_k in _discharge_times(0.0, duration, rate, 0.03, gen):
        wave = _transient(sfreq, _SW_SPIKE, _SPIKE_RISE, _SW_SLOW_SHARE / rate(t_k), _SW_SLOW_RATIO)[0]
        onset = round(t_k * sfreq)
        if onset + wave.size > out.size:
            break
        place(out, 0, onset, _gain(gen, 0.1) * wave)
    return _normalise(out)


def _lvfa(sfreq: float, n: int, length: float, rng: np.random.Generator) -> np.ndarray:
    """Low-voltage fast activity over ``length`` s (then a 0.5 s fade): a 20-30 Hz
    oscillation slowing to 70 % of it (not below 14 Hz, never above 0.3 * sfreq) with
    diffusing phase, its envelope growing from 20 % to 100 % of :data:`_LVFA_LEVEL`."""
    cap = _NYQUIST_SHARE * sfreq
    f_hi = min(rng.uniform(*_LVFA_BAND), cap)
    f_lo = min(max(0.7 * f_hi, _LVFA_MIN_FREQ), f_hi)
    m = min(n, round((length + 0.5) * sfreq))
    t = np.arange(m) / sfreq
    progress = np.clip(t / length, 0.0, 1.0)
    freq = f_hi + (f_lo - f_hi) * progress
    diffusion = rng.normal(0.0, np.sqrt(2.0 * np.pi * _LVFA_BANDWIDTH / sfreq), m)
    phase = 2.0 * np.pi * np.cumsum(freq) / sfreq + rng.uniform(0.0, 2.0 * np.pi) + np.cumsum(diffusion)
    fade = np.where(t > length, 0.5 + 0.5 * np.cos(np.pi * np.clip((t - length) / 0.5, 0.0, 1.0)), 1.0)
    out = np.zeros(n)
    out[:m] = _LVFA_LEVEL * (0.2 + 0.8 * progress) * fade * np.sin(phase)
    return out


def _rhythmic_discharges(
    sfreq: float, n: int, t0: float, f0: float, f1: float, a0: float, rng: np.random.Generator
) -> np.ndarray:
    """Spikes then sharp waves from ``t0`` (s) to the end, their rate slowing
    geometrically from ``f0`` to ``f1`` (Hz) and their height growing from ``a0`` to 1
    over the first half; slower than 3.3 Hz they gain a slow wave (as in
    :func:`spike_wave_train`, begun halfway down the spike)."""
    span = n / sfreq - t0

    def rate(t: float) -> float:
        return f0 * (f1 / f0) ** min(max((t - t0) / span, 0.0), 1.0)

    out = np.zeros(n)
    for t_k in _discharge_times(t0, n / sfreq, rate, 0.05, rng):
        period = 1.0 / rate(t_k)
        width = min(max(_SZ_WIDTH_SHARE * period, SPIKE_RANGE[0] + 0.01), _SZ_WIDTH_MAX)
        slow = _SW_SLOW_SHARE * period if period > 0.3 else 0.0
        wave = _transient(sfreq, width, _SPIKE_RISE, slow, _SW_SLOW_RATIO, _SZ_SLOW_OVERLAP)[0]
        onset = round(t_k * sfreq)
        if onset + wave.size > n:
            break
        height = a0 + (1.0 - a0) * min((t_k - t0) / (0.5 * span), 1.0)
        place(out, 0, onset, height * _gain(rng, 0.1) * wave)
    return out


def seizure_waveform(
    sfreq: float, duration: float, *, onset_pattern: str = "lvfa", rng: np.random.Generator | int | None
) -> np.ndarray:
    """Focal seizure at one channel: onset, evolution (slowing, growing), end.

    ``"lvfa"``: low-voltage fast activity (20-30 Hz slowing towards 15 Hz, capped at
    0.3 * sfreq, 12 % of the final height) for 20 % of the seizure (1-10 s, at most
    half of it), overlapped in its last 15 % by rhythmic spikes at 7-9 Hz that slow
    geometrically to 1.5-2.5 Hz while growing from 30 % to full height over half the
    remaining time; spikes broaden into sharp waves with slow waves as they slow.
    ``"rhythmic_spiking"``: the same discharges from the first sample, at 4-6 Hz and
    60 % height. ``"epileptor"``: a seizure of the Epileptor neural mass model (Jirsa
    et al. 2014; :func:`biosynth.generators.epileptor.epileptor_seizure`), fast
    discharges at 13-16 Hz slowing into spike-wave events. The last 0.1 s fades out (a
    fairly abrupt end); postictal slowing or suppression of the background is left to
    the caller.

    Parameters
    ----------
    sfreq : float
        Sampling rate, in Hz (100 Hz to 100 kHz).
    duration : float
        Seizure duration, in s (2-600).
    onset_pattern : {"lvfa", "rhythmic_spiking", "epileptor"}
        Onset pattern (Perucca et al. 2014; Lagarde et al. 2019), or the Epileptor model.
    rng : Generator, int, SeedSequence or None
        Source of the frequencies, phases and jitter (None: fresh entropy).

    Returns
    -------
    waveform : ndarray, shape (round(duration * sfreq),)
        float64, peak ``|value|`` 1.

    Examples
    --------
    >>> w = seizure_waveform(256.0, 10.0, rng=0)
    >>> w.shape, float(np.abs(w).max())
    ((2560,), 1.0)
    """
    sfreq = _check_rate(sfreq)
    duration = check_number("duration", duration, low=2.0, high=600.0, unit="s")
    check_option("onset_pattern", onset_pattern, SEIZURE_ONSET_PATTERNS)
    if onset_pattern == "epileptor":
        return epileptor_seizure(sfreq, duration, rng=rng)
    gen = np.random.default_rng(rng)
    n = round(duration * sfreq)
    if onset_pattern == "lvfa":
        length = min(max(0.2 * duration, 1.0), 10.0, 0.5 * duration)
        out = _lvfa(sfreq, n, length, gen)
        out += _rhythmic_discharges(sfreq, n, 0.85 * length, gen.uniform(7.0, 9.0), gen.uniform(1.5, 2.5), 0.3, gen)
    else:
        out = _rhythmic_discharges(sfreq, n, 0.0, gen.uniform(4.0, 6.0), gen.uniform(1.5, 2.5), 0.6, gen)
    ramp = round(_SEIZURE_FADE * sfreq)
    out[n - ramp :] *= raised_cosine(2 * ramp, ramp)[ramp:]
    return _normalise(out)


def hfo_waveform(
    sfreq: float, freq: float, duration: float, *, envelope: str = "hann", phase: float = 0.0
) -> np.ndarray:
    """High-frequency oscillation: a sinusoid of ``freq`` under a Hann or Gaussian envelope.

    Ripples are 80-250 Hz bursts of 25-200 ms (Staba et al. 2002), fast ripples
    250-500 Hz bursts of about 10-50 ms; either holds at least four cycles.

    Parameters
    ----------
    sfreq : float
        Sampling rate, in Hz (100 Hz to 100 kHz); must exceed ``2 * freq``.
    freq : float
        Oscillation frequency, in Hz (> 0, under ``sfreq / 2``).
    duration : float
        Burst length (envelope support), in s (> 0, at most 1).
    envelope : {"hann", "gaussian"}
        ``"hann"``: ``sin^2(pi t / duration)``; ``"gaussian"``: SD ``duration / 6``,
        centred and cut at +-3 SD.
    phase : float
        Carrier phase at the envelope start, in rad.

    Returns
    -------
    waveform : ndarray, shape (round(duration * sfreq),)
        float64, peak ``|value|`` 1, sampled at the sample centres (so both ends are
        near zero and not exactly zero).

    Examples
    --------
    >>> w = hfo_waveform(2000.0, 150.0, 0.05)
    >>> w.shape, float(np.abs(w).max())
    ((100,), 1.0)
    """
    sfreq = _check_rate(sfreq)
    freq = check_number("freq", freq, low=0.0, high=sfreq / 2.0, low_inclusive=False, high_inclusive=False, unit="Hz")
    duration = check_number("duration", duration, low=0.0, high=1.0, low_inclusive=False, unit="s")
    check_option("envelope", envelope, HFO_ENVELOPES)
    n = max(round(duration * sfreq), 1)
    t = (np.arange(n) + 0.5) / sfreq
    if envelope == "hann":
        env = np.sin(np.pi * t / duration) ** 2
    else:
        env = np.exp(-0.5 * ((t - duration / 2.0) / (_GAUSS_SD_SHARE * duration)) ** 2)
    return _normalise(env * np.sin(2.0 * np.pi * freq * t + float(phase)))


# --------------------------------------------------------------------------- spec checks


def _check_channels(name: str, value: Any, ch_names: Sequence[str]) -> list[str]:
    """A channel name or a sequence of them, all in ``ch_names``."""
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, Sequence) or not all(isinstance(c, str) for c in names):
        raise TypeError(f"{name} must be a list of channel names, got {type(value).__name__} {value!r}.")
    unknown = [c for c in names if c not in ch_names]
    if unknown:
        shown = list(ch_names)[:20]
        raise ValueError(f"{name} has channels {unknown} not in ch_names; expected some of {shown}.")
    return list(names)


def _check_focus(name: str, value: Any, ch_names: Sequence[str]) -> list[str]:
    if value is None or len(value) == 0:
        raise ValueError(f"{name} must list at least one channel name (the focus), got {value!r}.")
    return _check_channels(name, value, ch_names)


def _check_common(kind: str, params: dict[str, Any]) -> None:
    """Rate, amplitude and the coefficients shared by the kinds, in place."""
    name = f"spec[{kind!r}]"
    if "rate" in params:
        params["rate"] = check_number(f"{name}['rate']", params["rate"], low=0.0, high=600.0, unit="events/min")
    params["amplitude"] = check_number(f"{name}['amplitude']", params["amplitude"], low=0.0, high=0.01, unit="V")
    params["spread"] = check_number(f"{name}['spread']", params["spread"], low=0.0, high=1.0)
    for key in ("amplitude_cv", "duration_cv"):
        if key in params:
            params[key] = check_number(f"{name}[{key!r}]", params[key], low=0.0, high=1.0)


def _check_transient(kind: str, params: dict[str, Any], ch_names: Sequence[str]) -> None:
    name = f"spec[{kind!r}]"
    lo, hi = SPIKE_RANGE if kind == "spike" else SHARP_WAVE_RANGE
    params["duration"] = check_number(f"{name}['duration']", params["duration"], low=lo, high=hi, unit="s")
    check_type(f"{name}['slow_wave']", params["slow_wave"], (bool, np.bool_), "True or False")
    lo, hi = SLOW_WAVE_RANGE
    params["slow_wave_duration"] = check_number(
        f"{name}['slow_wave_duration']", params["slow_wave_duration"], low=lo, high=hi, unit="s"
    )
    params["slow_wave_ratio"] = check_number(
        f"{name}['slow_wave_ratio']", params["slow_wave_ratio"], low=0.0, high=1.0, high_inclusive=False
    )
    params["channels"] = _check_focus(f"{name}['channels']", params["channels"], ch_names)


def _check_spike_wave(params: dict[str, Any], ch_names: Sequence[str]) -> None:
    name = "spec['spike_wave']"
    params["duration"] = check_number(f"{name}['duration']", params["duration"], low=1.0, high=60.0, unit="s")
    params["freq"] = check_number(f"{name}['freq']", params["freq"], low=1.5, high=5.0, unit="Hz")
    if params["channels"] is not None:
        params["channels"] = _check_focus(f"{name}['channels']", params["channels"], ch_names)


def _check_hfo(kind: str, params: dict[str, Any], ch_names: Sequence[str]) -> None:
    name = f"spec[{kind!r}]"
    params["freq"] = _check_range(f"{name}['freq']", params["freq"], HFO_BANDS[kind], "Hz")
    params["duration"] = _check_range(f"{name}['duration']", params["duration"], HFO_DURATION_LIMITS[kind], "s")
    check_option(f"{name}['envelope']", params["envelope"], HFO_ENVELOPES)
    params["with_spikes"] = check_number(f"{name}['with_spikes']", params["with_spikes"], low=0.0, high=1.0)
    params["channels"] = _check_focus(f"{name}['channels']", params["channels"], ch_names)


def _check_range(name: str, value: Any, limits: tuple[float, float], unit: str) -> tuple[float, float]:
    """A ``(low, high)`` pair with ``limits[0] <= low <= high <= limits[1]``."""
    if isinstance(value, str) or not isinstance(value, Sequence) or len(value) != 2:
        raise TypeError(f"{name} must be a (low, high) pair in {unit}, got {value!r}.")
    lo, hi = limits
    low = check_number(f"{name}[0]", value[0], low=lo, high=hi, unit=unit)
    high = check_number(f"{name}[1]", value[1], low=low, high=hi, unit=unit)
    return (low, high)


def _check_propagation(value: Any, focus: list[str], ch_names: Sequence[str]) -> list[list[str]]:
    """Propagation steps: each item a channel name or a list of names."""
    name = "spec['seizure']['propagation']"
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a list of steps (channel names or lists of them), got {value!r}.")
    steps = [_check_channels(f"{name}[{i}]", step, ch_names) for i, step in enumerate(value)]
    seen = [c for step in [focus, *steps] for c in step]
    repeated = sorted({c for c in seen if seen.count(c) > 1})
    if repeated:
        raise ValueError(f"{name} lists channels {repeated} twice (or also in 'channels'); give each once.")
    return steps


def _check_seizure(params: dict[str, Any], ch_names: Sequence[str]) -> None:
    name = "spec['seizure']"
    onsets = np.atleast_1d(np.asarray(params["onsets"], dtype=float))
    if onsets.ndim != 1 or not np.isfinite(onsets).all() or (onsets < 0).any():
        raise ValueError(f"{name}['onsets'] must be a list of onset times >= 0 in s, got {params['onsets']!r}.")
    durations = np.broadcast_to(np.asarray(params["duration"], dtype=float), onsets.shape)
    params["onsets"] = tuple(float(o) for o in onsets)
    params["duration"] = tuple(
        check_number(f"{name}['duration']", float(d), low=2.0, high=600.0, unit="s") for d in durations
    )
    params["delay"] = check_number(f"{name}['delay']", params["delay"], low=0.0, high=60.0, unit="s")
    check_option(f"{name}['onset_pattern']", params["onset_pattern"], SEIZURE_ONSET_PATTERNS)
    params["channels"] = _check_focus(f"{name}['channels']", params["channels"], ch_names)
    params["propagation"] = _check_propagation(params["propagation"], params["channels"], ch_names)


def check_epileptiform(spec: Any, ch_names: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Validate an epileptiform spec and fill in the defaults.

    Parameters
    ----------
    spec : mapping
        ``{kind: {parameter: value}}`` with kinds from :data:`EPILEPTIFORM_KINDS`.
        Parameters (default in brackets):

        * ``spike`` and ``sharp_wave``: ``rate`` (events/min, [1]), ``amplitude``
          (V at the peak on a weight-1 channel, [100e-6]), ``amplitude_cv`` ([0.2]),
          ``channels`` (the focus; required), ``spread`` (weight of the other channels,
          [0]), ``duration`` (s, mean; [0.05] in 0.02-0.07 for spikes, [0.12] in
          0.07-0.2 for sharp waves), ``duration_cv`` ([0.15], draws clipped to the
          range), ``slow_wave`` ([True]), ``slow_wave_duration`` (s, [0.2] in
          0.15-0.35, same jitter), ``slow_wave_ratio`` ([0.5] in [0, 1)).
        * ``spike_wave``: ``rate`` (discharges/min, [1]), ``amplitude`` (V, [150e-6]),
          ``amplitude_cv`` ([0.1]), ``channels`` ([None]: generalised, events on ``""``
          and weight 1 on every channel), ``spread`` ([0]), ``duration`` (s, mean train
          length, [5] in 1-60), ``duration_cv`` ([0.3], draws clipped to half and twice
          the mean), ``freq`` (Hz, [3] in 1.5-5).
        * ``seizure``: ``onsets`` (s, [()]), ``duration`` (s, one or one per onset,
          [30] in 2-600), ``channels`` (onset zone; required), ``propagation`` (list of
          steps, each a channel name or list of names, recruited ``delay`` s per step
          later, [()]), ``delay`` (s, [2]), ``amplitude`` (V, [150e-6]), ``spread``
          ([0]), ``onset_pattern`` (``"lvfa"``, ``"rhythmic_spiking"`` or
          ``"epileptor"``, ["lvfa"]).
          Seizures running past the record are cropped when rendered.
        * ``ripple`` and ``fast_ripple`` (intraoperative ECoG, sampled above twice
          ``freq[1]``): ``rate`` (independent events/min, [1]), ``amplitude`` (V at the
          envelope peak on a weight-1 channel; [20e-6] ripple, [10e-6] fast ripple),
          ``amplitude_cv`` ([0.2]), ``channels`` (the zone; required), ``spread``
          ([0]), ``freq`` (Hz, ``(low, high)`` range of the per-event frequency,
          uniform; [(80, 200)] within 80-250, [(250, 450)] within 250-500),
          ``duration`` (s, uniform range of the burst length, lengthened to at least
          four cycles; [(0.03, 0.1)] within 0.02-0.2, [(0.01, 0.05)] within
          0.005-0.1), ``envelope`` (``"hann"`` or ``"gaussian"``, ["hann"]) and
          ``with_spikes`` (fraction of the spikes that carry one of these events,
          [0] in [0, 1]; needs a ``spike`` kind; see :class:`EpileptiformModel`).
    ch_names : sequence of str
        Channel names of the record.

    Returns
    -------
    spec : dict
        A new dict: every kind given, with all its parameters (numbers as float,
        ``channels`` as lists, ``propagation`` as a list of lists, seizure ``onsets``
        and ``duration`` and HFO ``freq`` and ``duration`` as tuples).

    Examples
    --------
    >>> check_epileptiform({"spike": {"channels": ["T3"]}}, ["T3", "T5"])["spike"]["rate"]
    1.0
    """
    if not isinstance(spec, Mapping):
        raise TypeError(f"spec must be a mapping of kind to parameters, got {type(spec).__name__} {spec!r}.")
    out = {}
    for kind, params in spec.items():
        check_option("spec kind", kind, EPILEPTIFORM_KINDS)
        if not isinstance(params, Mapping):
            raise TypeError(f"spec[{kind!r}] must be a mapping of parameters, got {type(params).__name__}.")
        unknown = sorted(set(params) - set(DEFAULTS[kind]))
        if unknown:
            raise ValueError(
                f"spec[{kind!r}] has unknown parameters {unknown}; expected some of {list(DEFAULTS[kind])}."
            )
        full = {**DEFAULTS[kind], **params}
        _check_common(kind, full)
        if kind in ("spike", "sharp_wave"):
            _check_transient(kind, full, ch_names)
        elif kind == "spike_wave":
            _check_spike_wave(full, ch_names)
        elif kind in HFO_KINDS:
            _check_hfo(kind, full, ch_names)
        else:
            _check_seizure(full, ch_names)
        out[kind] = full
    for kind in HFO_KINDS:
        if kind in out and out[kind]["with_spikes"] > 0 and "spike" not in out:
            raise ValueError(f"spec[{kind!r}]['with_spikes'] > 0 needs spikes to ride on; add a 'spike' kind.")
    return out


# --------------------------------------------------------------------------- the model


def _default_weights(params: dict[str, Any], index: dict[str, int]) -> np.ndarray:
    """1 on the listed channels (and recruited ones), ``spread`` elsewhere; 1 everywhere
    for a generalised kind (no channels)."""
    if params["channels"] is None:
        return np.ones(len(index))
    weights = np.full(len(index), params["spread"])
    for ch in params["channels"] + [c for step in params.get("propagation", []) for c in step]:
        weights[index[ch]] = 1.0
    return weights


class EpileptiformModel:
    """Epileptiform events of a record, rendered chunk by chunk.

    Parameters
    ----------
    ch_names : sequence of str
        Channel names.
    sfreq : float
        Sampling rate, in Hz (100 Hz to 100 kHz).
    spec : mapping
        Events per kind; see :func:`check_epileptiform` for the parameters and units.
    weights : mapping of str to array, optional
        Per-kind channel weights, shape ``(n_channels,)`` (any finite values; negative
        ones reverse the polarity), e.g. smooth topographies from electrode positions.
        Default: 1 on the kind's channels, ``spread`` elsewhere. A seizure's delays
        still follow ``channels`` (0) and ``propagation``; other channels get the onset
        zone's timing.
    stream_base : int
        First of the six stream ids used (spike, sharp_wave, spike_wave, seizure,
        ripple, fast_ripple, in that order).
    delays : mapping of str to array, optional
        Per-kind propagation delays of the random kinds (not ``spike_wave`` or
        ``seizure``), in s, shape ``(n_channels,)``, each in [0, 1]: the event reaches
        channel ``c`` ``delays[kind][c]`` s after its onset (rounded to samples), and
        its event rows carry those onsets. Default: none.
    label_spread : bool
        Give event rows (with the amplitude there) to every channel a random kind's
        weights reach, not only to its ``channels``.

    Attributes
    ----------
    max_duration : float
        Longest an event can last, in s (a seizure counts its propagation delays): how
        far back a chunk must look.

    Notes
    -----
    HFOs riding on spikes (``with_spikes`` of a ``ripple`` or ``fast_ripple`` kind) are
    drawn with the spikes: when an HFO kind has ``with_spikes > 0``, each block of the
    spike stream draws, after the spike's own quantities, a uniform ``u`` per spike and
    the HFO's amplitude, frequency, duration, phase and a start offset; spikes with
    ``u < with_spikes`` get the HFO starting at a uniform point of the spike's rise (from
    its start to its peak). The spike renderer adds it, on the HFO kind's channels and
    weights, with an event row of the HFO's type, so chunking changes nothing and the
    spikes are the same as without riders. Independent HFOs (``rate``) come from the
    HFO kind's own stream.

    Examples
    --------
    >>> model = EpileptiformModel(["F7", "T3"], 256.0, {"spike": {"channels": ["T3"], "rate": 30}})
    >>> data, events = model.render(np.random.SeedSequence(0), 0, 0, 256 * 60)
    >>> data.shape, sorted(set(events["channel"]))
    ((2, 15360), ['T3'])
    """

    def __init__(
        self,
        ch_names: Sequence[str],
        sfreq: float,
        spec: Mapping[str, Mapping[str, Any]],
        *,
        weights: Mapping[str, np.ndarray] | None = None,
        stream_base: int = 200,
        delays: Mapping[str, np.ndarray] | None = None,
        label_spread: bool = False,
    ) -> None:
        self.ch_names = [str(c) for c in ch_names]
        self.sfreq = _check_rate(sfreq)
        self.spec = check_epileptiform(spec, self.ch_names)
        for kind in HFO_KINDS:
            if kind in self.spec and self.sfreq <= 2.0 * self.spec[kind]["freq"][1]:
                high = self.spec[kind]["freq"][1]
                raise ValueError(
                    f"sfreq={self.sfreq:g} Hz is too low for {kind!r} up to {high:g} Hz: it must exceed "
                    f"{2.0 * high:g} Hz (twice the band's high edge); lower spec[{kind!r}]['freq'] or raise sfreq."
                )
        self.stream_base = check_int("stream_base", stream_base, low=0)
        self.weights = self._weights(weights or {})
        self.delays = self._delays(delays or {})
        self.label_spread = bool(label_spread)
        self._longest = {kind: self._longest_event(kind) for kind in self.spec}
        for kind, lag in self.delays.items():
            self._longest[kind] += float(lag.max()) / self.sfreq
        self.max_duration = max(self._longest.values(), default=0.0)
        self._cache: dict[tuple[Any, ...], np.ndarray] = {}

    def _weights(self, given: Mapping[str, Any]) -> dict[str, np.ndarray]:
        index = {ch: i for i, ch in enumerate(self.ch_names)}
        out = {kind: _default_weights(params, index) for kind, params in self.spec.items()}
        for kind, w in given.items():
            if kind not in self.spec:
                raise ValueError(f"weights has kind {kind!r} absent from spec; expected some of {list(self.spec)}.")
            w = np.asarray(w, dtype=float)
            if w.shape != (len(self.ch_names),) or not np.isfinite(w).all():
                raise ValueError(
                    f"weights[{kind!r}] must be {len(self.ch_names)} finite numbers (one per channel), "
                    f"got shape {w.shape}."
                )
            out[kind] = w
        return out

    def _delays(self, given: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """Validated delays, in samples (int64), of the kinds that have them."""
        out = {}
        for kind, lag in given.items():
            if kind not in self.spec or kind in ("spike_wave", "seizure"):
                allowed = [k for k in self.spec if k not in ("spike_wave", "seizure")]
                raise ValueError(f"delays has kind {kind!r}; expected some of {allowed} (random focal kinds).")
            lag = np.asarray(lag, dtype=float)
            if lag.shape != (len(self.ch_names),) or not (np.isfinite(lag).all() and lag.min() >= 0 and lag.max() <= 1):
                raise ValueError(
                    f"delays[{kind!r}] must be {len(self.ch_names)} delays in [0, 1] s (one per channel), "
                    f"got shape {lag.shape}."
                )
            out[kind] = np.round(lag * self.sfreq).astype(np.int64)
        return out

    def _labelled(self, kind: str) -> list[str]:
        """Channels given event rows: the kind's channels, or every channel its weights
        reach with ``label_spread``."""
        if not self.label_spread:
            return self.spec[kind]["channels"]
        return [ch for ch, w in zip(self.ch_names, self.weights[kind], strict=True) if w != 0]

    def _longest_event(self, kind: str) -> float:
        p = self.spec[kind]
        if kind == "seizure":
            return max(p["duration"], default=0.0) + len(p["propagation"]) * p["delay"]
        if kind == "spike_wave":
            return 2.0 * p["duration"]
        if kind in HFO_KINDS:
            return max(p["duration"][1], HFO_MIN_CYCLES / p["freq"][0]) + 2.0 / self.sfreq
        hi = (SPIKE_RANGE if kind == "spike" else SHARP_WAVE_RANGE)[1]
        longest = hi + (SLOW_WAVE_RANGE[1] if p["slow_wave"] else 0.0)
        if kind == "spike":
            riders = [self._longest_event(h) for h in self._riders()]
            longest = max([longest, *(_SPIKE_RISE * hi + r for r in riders)])
        return longest

    def _riders(self) -> list[str]:
        """HFO kinds that ride on spikes (``with_spikes > 0``)."""
        return [k for k in HFO_KINDS if k in self.spec and self.spec[k]["with_spikes"] > 0]

    def _hfo_draws(self, kind: str, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
        """Amplitude (V), frequency (Hz), duration (s, >= four cycles) and phase of ``n`` HFOs."""
        p = self.spec[kind]
        amplitude = lognormal(rng, p["amplitude"], p["amplitude_cv"], n) if p["amplitude"] > 0 else np.zeros(n)
        freq = rng.uniform(*p["freq"], n)
        duration = np.maximum(rng.uniform(*p["duration"], n), HFO_MIN_CYCLES / freq)
        return as_dict(amplitude=amplitude, freq=freq, duration=duration, phase=rng.uniform(0.0, 2.0 * np.pi, n))

    def _stream(self, root: np.random.SeedSequence, record: int, kind: str) -> Stream:
        return Stream(root, record, self.stream_base + _STREAM_OFFSET[kind])

    def render(
        self, root: np.random.SeedSequence, record: int, start: int, stop: int, *, n_times: int | None = None
    ) -> tuple[np.ndarray, pd.DataFrame]:
        """Events of absolute samples ``[start, stop)`` of one record.

        Parameters
        ----------
        root : SeedSequence
            Root of the run's random streams.
        record : int
            Record index.
        start, stop : int
            Absolute sample range, ``0 <= start <= stop``.
        n_times : int, optional
            Record length in samples; event durations are cropped to end with it.

        Returns
        -------
        data : ndarray, shape (n_channels, stop - start)
            Voltages, in V (float64).
        events : DataFrame
            Events with onset in ``[start, stop)``, one row per involved channel (``""``
            for a generalised discharge): columns ``record, channel, onset`` (s from the
            record start), ``duration`` (s), ``type`` (the kind) and ``amplitude`` (V,
            peak magnitude on that channel).
        """
        record = check_int("record", record, low=0)
        start = check_int("start", start, low=0)
        stop = check_int("stop", stop, low=start)
        out = np.zeros((len(self.ch_names), stop - start))
        rows: list[tuple[float, float, str, str, float]] = []
        for kind in EPILEPTIFORM_KINDS:
            if kind not in self.spec:
                continue
            if kind == "seizure":
                self._render_seizures(out, rows, root, record, start)
            else:
                self._render_random(kind, out, rows, root, record, start)
        return out, self._events(rows, record, n_times)

    def _events(
        self, rows: list[tuple[float, float, str, str, float]], record: int, n_times: int | None
    ) -> pd.DataFrame:
        onset, duration, channel, kind, amplitude = (list(c) for c in zip(*rows, strict=True)) if rows else ([],) * 5
        duration = np.asarray(duration, dtype=float)
        if n_times is not None:
            end = check_int("n_times", n_times, low=0) / self.sfreq
            duration = np.clip(np.minimum(duration, end - np.asarray(onset, dtype=float)), 0.0, None)
        return make_events(onset, duration, kind, record=record, channel=channel, extra={"amplitude": amplitude})

    # random events ----------------------------------------------------------------

    def _draw(self, kind: str) -> Callable[[np.random.Generator, int], dict[str, np.ndarray]]:
        """Per-event draws of a kind: amplitude (V), durations (s) or a train seed."""
        p = self.spec[kind]

        def draw(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
            if kind in HFO_KINDS:
                return self._hfo_draws(kind, rng, n)
            amplitude = lognormal(rng, p["amplitude"], p["amplitude_cv"], n) if p["amplitude"] > 0 else np.zeros(n)
            duration = lognormal(rng, p["duration"], p["duration_cv"], n, clip=2.0)
            if kind == "spike_wave":
                return as_dict(amplitude=amplitude, duration=duration, seed=rng.integers(0, 2**63, n))
            lo, hi = SPIKE_RANGE if kind == "spike" else SHARP_WAVE_RANGE
            slow = lognormal(rng, p["slow_wave_duration"], p["duration_cv"], n, clip=2.0)
            slow = np.clip(slow, *SLOW_WAVE_RANGE) if p["slow_wave"] else np.zeros(n)
            out = as_dict(amplitude=amplitude, duration=np.clip(duration, lo, hi), slow=slow)
            for rider in self._riders() if kind == "spike" else []:  # drawn last: spikes unchanged
                out[f"{rider}:u"] = rng.uniform(0.0, 1.0, n)
                out[f"{rider}:offset"] = rng.uniform(0.0, 1.0, n)
                out.update({f"{rider}:{k}": v for k, v in self._hfo_draws(rider, rng, n).items()})
            return out

        return draw

    def _waveform(self, kind: str, draws: dict[str, Any]) -> tuple[np.ndarray, float, float]:
        """Unit waveform of one random event, its lead (s) and duration (s)."""
        p = self.spec[kind]
        if kind in HFO_KINDS:
            wave = hfo_waveform(
                self.sfreq, float(draws["freq"]), float(draws["duration"]), envelope=p["envelope"], phase=draws["phase"]
            )
            return wave, 0.0, wave.size / self.sfreq
        if kind == "spike_wave":
            rng = np.random.default_rng(int(draws["seed"]))
            train = spike_wave_train(self.sfreq, float(draws["duration"]), freq=p["freq"], rng=rng)
            return train, 0.0, train.size / self.sfreq
        rise = _SPIKE_RISE if kind == "spike" else _SHARP_RISE
        duration, slow = float(draws["duration"]), float(draws["slow"])
        wave, lead = _transient(self.sfreq, duration, rise, slow, p["slow_wave_ratio"])
        return wave, lead, duration + slow

    def _render_random(
        self, kind: str, out: np.ndarray, rows: list, root: np.random.SeedSequence, record: int, start: int
    ) -> None:
        """Poisson events of ``kind``, looking back by the longest so tails carry over."""
        p, weights = self.spec[kind], self.weights[kind]
        stop = start + out.shape[-1]
        back = int(np.ceil(self._longest[kind] * self.sfreq)) + 4
        stream = self._stream(root, record, kind)
        events = block_events(stream, p["rate"] / 60.0, self.sfreq, max(start - back, 0), stop, self._draw(kind))
        channels = [ALL_CHANNELS] if p["channels"] is None else self._labelled(kind)
        lags = self.delays.get(kind)
        for i, onset in enumerate(events.onset):
            draws = {key: values[i] for key, values in events.draws.items()}
            wave, lead, duration = self._waveform(kind, draws)
            amplitude = float(draws["amplitude"])
            if lags is None:
                place(out, start, int(onset), amplitude * wave, weights)
            else:
                for c in np.flatnonzero(weights):
                    place(out[c], start, int(onset + lags[c]), amplitude * weights[c] * wave)
            if onset >= start:
                for ch in channels:
                    c = self.ch_names.index(ch) if ch != ALL_CHANNELS else -1
                    w = 1.0 if c < 0 else abs(weights[c])
                    lag = 0.0 if lags is None or c < 0 else lags[c] / self.sfreq
                    rows.append((onset / self.sfreq + lead + lag, duration, ch, kind, amplitude * w))
            if kind == "spike":
                self._render_riders(draws, int(onset), lead, out, rows, start)

    def _render_riders(
        self, draws: dict[str, Any], onset: int, lead: float, out: np.ndarray, rows: list, start: int
    ) -> None:
        """HFOs riding on one spike (sample ``onset``, spike start ``lead`` s after it)."""
        stop = start + out.shape[-1]
        for rider in self._riders():
            p = self.spec[rider]
            if draws[f"{rider}:u"] >= p["with_spikes"]:
                continue
            hfo = {k: draws[f"{rider}:{k}"] for k in ("freq", "duration", "phase")}
            wave, _, duration = self._waveform(rider, hfo)
            rise = _SPIKE_RISE * float(draws["duration"])
            first = onset + round((lead + float(draws[f"{rider}:offset"]) * rise) * self.sfreq)
            amplitude, weights = float(draws[f"{rider}:amplitude"]), self.weights[rider]
            place(out, start, first, amplitude * wave, weights)
            if start <= first < stop:
                for ch in self._labelled(rider):
                    w = abs(weights[self.ch_names.index(ch)])
                    rows.append((first / self.sfreq, duration, ch, rider, amplitude * w))

    # seizures ---------------------------------------------------------------------

    def _seizure_wave(self, root: np.random.SeedSequence, record: int, i: int) -> np.ndarray:
        """Unit waveform of seizure ``i``, from its own generator (cached: chunks reuse it)."""
        key = (repr(root.entropy), tuple(root.spawn_key), record, i)
        if key not in self._cache:
            p = self.spec["seizure"]
            rng = self._stream(root, record, "seizure").block_rng(i)
            if len(self._cache) >= 4:
                self._cache.clear()
            self._cache[key] = seizure_waveform(self.sfreq, p["duration"][i], onset_pattern=p["onset_pattern"], rng=rng)
        return self._cache[key]

    def _seizure_delays(self) -> np.ndarray:
        """Delay of each channel, in samples: 0 in the onset zone and elsewhere, ``k``
        delays on the channels recruited at propagation step ``k``."""
        p = self.spec["seizure"]
        delays = np.zeros(len(self.ch_names), dtype=np.int64)
        for k, step in enumerate(p["propagation"], start=1):
            for ch in step:
                delays[self.ch_names.index(ch)] = round(k * p["delay"] * self.sfreq)
        return delays

    def _render_seizures(
        self, out: np.ndarray, rows: list, root: np.random.SeedSequence, record: int, start: int
    ) -> None:
        p, weights = self.spec["seizure"], self.weights["seizure"]
        stop = start + out.shape[-1]
        delays = self._seizure_delays()
        involved = p["channels"] + [c for step in p["propagation"] for c in step]
        for i, (onset_s, duration) in enumerate(zip(p["onsets"], p["duration"], strict=True)):
            onset = round(onset_s * self.sfreq)
            if onset >= stop or onset + round(duration * self.sfreq) + delays.max() <= start:
                continue
            wave = p["amplitude"] * self._seizure_wave(root, record, i)
            for c in np.flatnonzero(weights):
                place(out[c], start, onset + int(delays[c]), weights[c] * wave)
            for ch in involved:
                c = self.ch_names.index(ch)
                if start <= onset + delays[c] < stop:
                    amplitude = p["amplitude"] * abs(weights[c])
                    rows.append(((onset + delays[c]) / self.sfreq, wave.size / self.sfreq, ch, "seizure", amplitude))
