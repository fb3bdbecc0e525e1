# SPDX-License-Identifier: BSD-3-Clause
"""Reference spike and HFO detectors against synthetic ioECoG with known events."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest

from biosynth.fidelity.detectors import detect_hfos, detect_spikes, hfo_type
from biosynth.generators.epileptiform import spike_waveform
from biosynth.signals import make_signals
from biosynth.signals.events import EVENT_COLUMNS

SFREQ = 2000.0
NOISE = 5e-6  # V, SD of the white background at scale 1
CHANNELS = ["G1", "G2", "G3", "G4"]
ACTIVE = ("G1", "G3")  # channels that carry events
DURATION = 20.0  # s per record
N_RECORDS = 2
SPIKE_AMPLITUDE = 100e-6  # V, peak
HFO_AMPLITUDE = 30e-6  # V, peak of the envelope
#: Burst frequency (Hz), cycles within +-2 SD of the Gaussian envelope, detection band (Hz).
HFO_KINDS = {"ripple": (150.0, 8, (80.0, 250.0)), "fast_ripple": (350.0, 10, (250.0, 500.0))}
TOLERANCE = 0.05  # s, onset match


def _burst(freq: float, cycles: int) -> tuple[np.ndarray, int]:
    """Gaussian-windowed sine of ``cycles`` cycles within +-2 SD; returns it and the sample
    index, from its first sample, of its nominal onset (centre - 2 SD)."""
    sigma = cycles / freq / 4.0
    t = np.arange(-3.0 * sigma, 3.0 * sigma, 1.0 / SFREQ)
    center = int(np.argmin(np.abs(t)))
    return np.exp(-0.5 * (t / sigma) ** 2) * np.sin(2.0 * np.pi * freq * t), center - round(2.0 * sigma * SFREQ)


def _ecog(seed: int, scale: float, kind: str | None, *, spacing: float = 1.3) -> tuple:
    """White background (SD ``NOISE * scale``) on 4 channels, ``N_RECORDS`` records, in uV,
    with spikes or HFO bursts about every ``spacing`` s on the active channels."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, NOISE * scale, (N_RECORDS, len(CHANNELS), round(DURATION * SFREQ)))
    truth = []
    if kind == "spike":
        wave, lead = SPIKE_AMPLITUDE * spike_waveform(SFREQ), 0
    elif kind is not None:
        freq, cycles, _ = HFO_KINDS[kind]
        wave, lead = _burst(freq, cycles)
        wave = HFO_AMPLITUDE * wave
    for record in range(N_RECORDS if kind else 0):
        for ch in ACTIVE:
            base = np.arange(1.0, DURATION - 1.0, spacing)
            for start in np.round((base + rng.uniform(0.0, 0.3, base.size)) * SFREQ).astype(int):
                x[record, CHANNELS.index(ch), start : start + wave.size] += wave
                truth.append((record, ch, (start + lead) / SFREQ))
    signals = make_signals(x * 1e6, SFREQ, ch_names=CHANNELS, units="uV", modality="ecog")
    return signals, pd.DataFrame(truth, columns=["record", "channel", "onset"])


def _f1(found: pd.DataFrame, truth: pd.DataFrame, tolerance: float = TOLERANCE) -> float:
    """F1 of a greedy one-to-one onset match within ``tolerance`` s, per record and channel."""
    pending = defaultdict(list)
    for record, ch, onset in truth[["record", "channel", "onset"]].itertuples(index=False):
        pending[(record, ch)].append(onset)
    hits = 0
    for record, ch, onset in found[["record", "channel", "onset"]].itertuples(index=False):
        candidates = pending[(record, ch)]
        if candidates:
            k = int(np.argmin(np.abs(np.asarray(candidates) - onset)))
            if abs(candidates[k] - onset) <= tolerance:
                candidates.pop(k)
                hits += 1
    total = len(found) + len(truth)
    return 2.0 * hits / total if total else 1.0


def _detect(kind: str, signals, **kwargs) -> pd.DataFrame:
    if kind == "spike":
        return detect_spikes(signals, **kwargs)
    return detect_hfos(signals, band=HFO_KINDS[kind][2], **kwargs)


# --------------------------------------------------------------------------- accuracy


@pytest.mark.parametrize("kind", ["spike", "ripple", "fast_ripple"])
def test_high_snr_finds_the_events(kind):
    signals, truth = _ecog(0, 1.0, kind, spacing=1.3 if kind == "spike" else 2.5)
    found = _detect(kind, signals)
    assert list(found.columns) == list(EVENT_COLUMNS)
    assert set(found["type"]) == {kind}
    assert set(found["channel"]) <= set(ACTIVE) | {"G2", "G4"}
    assert set(found["record"]) == set(range(N_RECORDS))
    assert _f1(found, truth) > 0.9
    # onsets close to the truth, not just within the tolerance
    assert _f1(found, truth, tolerance=0.02) > 0.9


@pytest.mark.parametrize("kind", ["spike", "ripple", "fast_ripple"])
def test_f1_falls_as_snr_drops(kind):
    spacing = 1.3 if kind == "spike" else 2.5
    scores = [_f1(_detect(kind, s), t) for s, t in (_ecog(1, scale, kind, spacing=spacing) for scale in (1, 4, 16))]
    assert scores[0] > 0.9
    assert all(b <= a + 0.02 for a, b in pairwise(scores))
    assert scores[-1] < 0.5


def test_background_false_positive_rate():
    """White background only: HFO detectors stay silent; the spike detector fires about
    once per channel-minute at the default threshold (observed 1.2 over 53
    channel-minutes, seeds 0-19), and never at threshold 7."""
    minutes = N_RECORDS * len(CHANNELS) * DURATION / 60.0
    spikes = hfos = strict = 0
    for seed in range(4):
        signals, _ = _ecog(100 + seed, 1.0, None)
        spikes += len(detect_spikes(signals))
        strict += len(detect_spikes(signals, threshold_sd=7.0))
        hfos += len(detect_hfos(signals)) + len(detect_hfos(signals, band=(250.0, 500.0)))
    assert spikes / (4 * minutes) < 3.0
    assert strict == 0
    assert hfos == 0


def test_ripple_band_ignores_fast_ripples():
    signals, _ = _ecog(2, 1.0, "fast_ripple", spacing=2.5)
    assert len(detect_hfos(signals)) == 0


# --------------------------------------------------------------------------- conventions


def test_units_and_layout_do_not_change_the_events():
    signals, _ = _ecog(3, 1.0, "spike")
    reference = detect_spikes(signals)
    in_volts = make_signals(signals.values * 1e-6, SFREQ, ch_names=CHANNELS, units="V", modality="ecog")
    pd.testing.assert_frame_equal(detect_spikes(in_volts), reference)
    single = make_signals(signals.values[1], SFREQ, ch_names=CHANNELS, units="uV", modality="ecog")
    expected = reference[reference["record"] == 1].assign(record=0).reset_index(drop=True)
    pd.testing.assert_frame_equal(detect_spikes(single), expected)


def test_record_is_the_position_not_the_label():
    signals, _ = _ecog(4, 1.0, "ripple", spacing=2.5)
    named = signals.assign_coords(record=["left", "right"])
    found = detect_hfos(named)
    assert sorted(set(found["record"])) == [0, 1]
    pd.testing.assert_frame_equal(found, detect_hfos(signals))


def test_close_spikes_merge_below_min_interval():
    x = np.random.default_rng(5).normal(0.0, NOISE, (1, 8000))
    wave = SPIKE_AMPLITUDE * spike_waveform(SFREQ, slow_wave=False)
    for start in (3000, 3800):  # 400 ms apart
        x[0, start : start + wave.size] += wave
    signals = make_signals(x, SFREQ, modality="ecog")
    assert len(detect_spikes(signals)) == 2
    merged = detect_spikes(signals, min_interval=0.5)
    assert len(merged) == 1
    assert merged["duration"].iloc[0] > 0.4


def test_hfo_type_by_band():
    assert hfo_type((80.0, 250.0)) == "ripple"
    assert hfo_type((250.0, 500.0)) == "fast_ripple"
    assert hfo_type((80.0, 500.0)) == "hfo"
    signals, _ = _ecog(6, 1.0, None)
    assert len(detect_hfos(signals, band=(80.0, 500.0))) == 0


def test_no_events_gives_an_empty_table():
    signals, _ = _ecog(7, 1.0, None)
    found = detect_hfos(signals)
    assert found.empty
    assert list(found.columns) == list(EVENT_COLUMNS)


# --------------------------------------------------------------------------- errors


def test_sfreq_too_low_for_the_band():
    signals = make_signals(np.zeros((2, 4000)), 800.0, modality="ecog")
    with pytest.raises(ValueError, match=r"band=\(250, 500\) Hz.*above 1000 Hz.*sfreq'\]=800"):
        detect_hfos(signals, band=(250.0, 500.0))
    with pytest.raises(ValueError, match=r"band=\(10, 500\)"):
        detect_spikes(signals, band=(10.0, 500.0))


def test_nan_samples_are_refused():
    x = np.zeros((2, 4000))
    x[1, 10] = np.nan
    signals = make_signals(x, SFREQ, modality="ecog", check_finite=False)
    for detect in (detect_spikes, detect_hfos):
        with pytest.raises(ValueError, match=r"^signals contains 1 non-finite"):
            detect(signals)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"threshold_sd": 0.0}, "threshold_sd"),
        ({"window": 0.0005}, r"window=0.0005 s is 1 sample"),
        ({"band": (60.0, 10.0)}, r"band\[1\]"),
        ({"band": 10.0}, "band must be a pair"),
        ({"min_interval": -1.0}, "min_interval"),
    ],
)
def test_spike_arguments_are_checked(kwargs, pattern):
    signals = make_signals(np.zeros((1, 4000)), SFREQ, modality="ecog")
    with pytest.raises((TypeError, ValueError), match=pattern):
        detect_spikes(signals, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"rms_window": 0.0}, "rms_window"),
        ({"threshold_sd": -1.0}, "threshold_sd"),
        ({"min_peaks": 2.5}, "min_peaks"),
        ({"merge_gap": np.inf}, "merge_gap"),
    ],
)
def test_hfo_arguments_are_checked(kwargs, pattern):
    signals = make_signals(np.zeros((1, 4000)), SFREQ, modality="ecog")
    with pytest.raises((TypeError, ValueError), match=pattern):
        detect_hfos(signals, **kwargs)


def test_too_short_is_refused():
    signals = make_signals(np.zeros((1, 20)), SFREQ, modality="ecog")
    with pytest.raises(ValueError, match=r"signals has 20 samples per record"):
        detect_hfos(signals)


def test_not_a_container():
    with pytest.raises(TypeError, match="signals must be an xarray.DataArray"):
        detect_spikes(np.zeros((1, 4000)))
