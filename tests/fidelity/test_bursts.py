# SPDX-License-Identifier: BSD-3-Clause
"""Beta-burst detection recovers the bursts a test signal was built with; burst
statistics give the exact numbers of a known event table."""

from itertools import pairwise

import numpy as np
import pandas as pd
import pytest

from biosynth.fidelity import DURATION_BINS, burst_statistics, burst_threshold, detect_bursts
from biosynth.signals import make_events, make_signals

SFREQ = 250.0
RAMP = 0.05  # s, raised-cosine rise and fall of each burst
PEAK = 10.0  # uV, burst amplitude of the 20 Hz rhythm
NOISE = 0.5  # uV, SD of the white background
# Full widths at half maximum, s: none near the 0.5 s cut of test_min_duration_drops_short_bursts
FWHM = (0.3, 0.45, 0.6, 0.8, 1.0, 1.25, 0.35, 0.7, 0.9, 0.55, 0.4, 1.5)


def _burst_envelope(fwhm, onsets, n_times):
    """Unit flat-topped bursts with raised-cosine ramps of RAMP s; the half-height points of
    the ramps sit at ``onset`` and ``onset + fwhm``, so ``fwhm`` is the full width at half maximum."""
    t = np.arange(n_times) / SFREQ
    envelope = np.zeros(n_times)
    for onset, width in zip(onsets, fwhm, strict=True):
        rise = np.clip((t - (onset - RAMP / 2)) / RAMP, 0.0, 1.0)
        fall = np.clip((onset + width + RAMP / 2 - t) / RAMP, 0.0, 1.0)
        envelope = np.maximum(envelope, np.minimum(0.5 - 0.5 * np.cos(np.pi * rise), 0.5 - 0.5 * np.cos(np.pi * fall)))
    return envelope


@pytest.fixture(scope="module")
def bursting():
    """A 20 Hz rhythm in bursts that fill 25 % of the record (by FWHM) over weak white noise.

    Bursts cover a quarter of the time above half height and the background envelope stays
    far below half height, so the 75th percentile of the envelope lands at half the burst
    amplitude: the detector then measures each burst's FWHM.
    """
    duration = 4.0 * sum(FWHM)
    gap = (duration - sum(FWHM)) / len(FWHM)
    onsets = gap / 2 + np.concatenate([[0.0], np.cumsum(np.array(FWHM[:-1]) + gap)])
    n_times = round(duration * SFREQ)
    t = np.arange(n_times) / SFREQ
    rng = np.random.default_rng(0)
    rhythm = PEAK * _burst_envelope(FWHM, onsets, n_times) * np.sin(2 * np.pi * 20.0 * t)
    data = rhythm + NOISE * rng.normal(size=(2, n_times))
    signals = make_signals(data, SFREQ, ch_names=["STN_L", "STN_R"], units="uV", modality="lfp")
    return signals, onsets, duration


def test_recovers_number_onsets_and_fwhm_durations(bursting):
    signals, onsets, _ = bursting
    found = detect_bursts(signals)
    for channel in ("STN_L", "STN_R"):
        mine = found[found["channel"] == channel]
        assert len(mine) == len(FWHM)
        np.testing.assert_allclose(mine["duration"], FWHM, rtol=0.1)
        np.testing.assert_allclose(mine["onset"], onsets, atol=0.03)
    assert set(found["type"]) == {"beta_burst"}
    np.testing.assert_allclose(found["amplitude"], PEAK * 1e-6, rtol=0.1)  # peak envelope, in V


def test_threshold_lands_between_background_and_bursts(bursting):
    signals, _, _ = bursting
    threshold = burst_threshold(signals)
    assert threshold.shape == (1, 2)
    np.testing.assert_allclose(threshold, 0.5 * PEAK * 1e-6, rtol=0.1)


def test_min_duration_drops_short_bursts(bursting):
    signals, _, _ = bursting
    found = detect_bursts(signals, min_duration=0.5)
    kept = sorted(w for w in FWHM if w >= 0.5)
    for channel in ("STN_L", "STN_R"):
        durations = np.sort(found.loc[found["channel"] == channel, "duration"].to_numpy())
        np.testing.assert_allclose(durations, kept, rtol=0.1)


def test_min_duration_on_a_single_short_burst():
    n_times = 2500
    t = np.arange(n_times) / SFREQ
    envelope = _burst_envelope([0.06], [5.0], n_times)  # 60 ms at half height
    x = (PEAK * envelope * np.sin(2 * np.pi * 20.0 * t) + 0.1 * np.random.default_rng(1).normal(size=n_times))[None]
    signals = make_signals(x, SFREQ, units="uV", modality="lfp")
    threshold = 0.5 * PEAK * 1e-6
    assert detect_bursts(signals, threshold=threshold, smooth=None).shape[0] == 0  # below 0.1 s
    short = detect_bursts(signals, threshold=threshold, smooth=None, min_duration=0.03)
    assert len(short) == 1
    assert short["duration"].iloc[0] == pytest.approx(0.06, abs=0.012)


def test_common_threshold_across_conditions(bursting):
    off, _, _ = bursting
    on = off * 0.45  # the same bursts at 45 % of the amplitude, as under medication
    on.attrs = off.attrs
    common = burst_threshold(off)
    assert detect_bursts(on, threshold=common).empty  # never reaches the OFF threshold
    # the percentile threshold is scale-free: it finds the same bursts again
    pd.testing.assert_frame_equal(
        detect_bursts(on).drop(columns="amplitude"), detect_bursts(off).drop(columns="amplitude")
    )
    pd.testing.assert_frame_equal(detect_bursts(off, threshold=common), detect_bursts(off))
    per_channel = detect_bursts(off, threshold=[common[0, 0], 1.0])  # 1 V: no bursts on STN_R
    assert set(per_channel["channel"]) == {"STN_L"}


def test_records_and_units(bursting):
    signals, _, _ = bursting
    data = signals.values
    batch = make_signals(np.stack([data, data * 1e-3]), SFREQ, ch_names=["a", "b"], units="mV", modality="lfp")
    found = detect_bursts(batch)
    assert found.groupby("record").size().tolist() == [2 * len(FWHM)] * 2
    first = found[found["record"] == 1]
    np.testing.assert_allclose(first["amplitude"], PEAK * 1e-6, rtol=0.1)  # 10 uV written as 0.01 mV
    assert burst_threshold(batch).shape == (2, 2)


def test_statistics_of_a_known_table():
    events = make_events(
        [1.0, 4.0, 8.0, 2.0, 5.0],
        [0.15, 0.25, 1.2, 0.5, 0.35],
        "beta_burst",
        record=[0, 0, 0, 1, 1],
        channel=["C3", "C3", "C3", "C3", "C4"],
        extra={"amplitude": [1.0, 2.0, 3.0, 4.0, 6.0]},
    )
    stats = burst_statistics(events, duration=[20.0, 10.0], channels=["C3", "C4"])
    assert stats[["record", "channel"]].values.tolist() == [[0, "C3"], [0, "C4"], [1, "C3"], [1, "C4"]]
    assert stats["n_bursts"].tolist() == [3, 0, 1, 1]
    np.testing.assert_allclose(stats["rate"], [3 / 20, 0.0, 1 / 10, 1 / 10])
    np.testing.assert_allclose(stats["rate_per_min"], [9.0, 0.0, 6.0, 6.0])
    np.testing.assert_allclose(stats["mean_duration"], [1.6 / 3, np.nan, 0.5, 0.35])
    np.testing.assert_allclose(stats["median_duration"], [0.25, np.nan, 0.5, 0.35])
    np.testing.assert_allclose(stats["mean_amplitude"], [2.0, np.nan, 4.0, 6.0])
    np.testing.assert_allclose(stats["time_in_bursts"], [1.6 / 20, 0.0, 0.05, 0.035])
    windows = [c for c in stats.columns if c.startswith("p_")]
    assert windows == [f"p_{lo:g}-{hi:g}s" for lo, hi in pairwise(DURATION_BINS[:-1])] + ["p_>0.9s"]
    row = stats.iloc[0]
    assert (row["p_0.1-0.2s"], row["p_0.2-0.3s"], row["p_>0.9s"]) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert stats.iloc[2]["p_0.5-0.6s"] == 1.0  # 0.5 s opens its window (low <= d < high)
    assert stats.iloc[1][windows].isna().all()


def test_statistics_pooled_and_custom_bins():
    events = make_events([1.0, 2.0, 3.0], [0.2, 0.4, 0.6], "beta_burst", channel=["a", "b", "b"])
    pooled = burst_statistics(events, duration=10.0, pool_channels=True, bins=(0.0, 0.5, np.inf))
    assert pooled["channel"].tolist() == [""]
    assert pooled["n_bursts"].tolist() == [3]
    assert pooled["rate"].iloc[0] == pytest.approx(3 / 20)  # per channel: 2 channels x 10 s
    assert pooled["time_in_bursts"].iloc[0] == pytest.approx(1.2 / 20)
    assert pooled[["p_0-0.5s", "p_>0.5s"]].values.tolist() == [pytest.approx([2 / 3, 1 / 3])]
    empty = burst_statistics(events.iloc[:0], duration=10.0, channels=["a"])
    assert empty[["record", "n_bursts", "rate", "time_in_bursts"]].values.tolist() == [[0, 0, 0.0, 0.0]]


def _one_line(excinfo, *words):
    message = str(excinfo.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_bad_signals(bursting):
    signals, _, _ = bursting
    nan = signals.copy()
    nan.values[0, 10] = np.nan
    with pytest.raises(ValueError) as excinfo:
        detect_bursts(nan)
    _one_line(excinfo, "signals", "non-finite")
    with pytest.raises(ValueError) as excinfo:
        detect_bursts(signals.isel(time=slice(0, 20)))
    _one_line(excinfo, "signals has 20 samples")
    with pytest.raises(ValueError) as excinfo:
        detect_bursts(signals, band=(13.0, 130.0))
    _one_line(excinfo, "band", "Hz")


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"percentile": 100.0}, ValueError, "percentile"),
        ({"percentile": "75"}, TypeError, "percentile"),
        ({"min_duration": -0.1}, ValueError, "min_duration"),
        ({"smooth": -1.0}, ValueError, "smooth"),
        ({"threshold": -1.0}, ValueError, "threshold"),
        ({"threshold": [1.0, 2.0, 3.0]}, ValueError, "threshold"),
        ({"threshold": "high"}, TypeError, "threshold"),
        ({"threshold": ["a", "b"]}, TypeError, "threshold"),
        ({"band": (30.0, 13.0)}, ValueError, "band[1]"),
    ],
)
def test_bad_detector_options(bursting, kwargs, error, name):
    signals, _, _ = bursting
    with pytest.raises(error) as excinfo:
        detect_bursts(signals, **kwargs)
    _one_line(excinfo, name)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"duration": -1.0}, ValueError, "duration"),
        ({"duration": [10.0]}, ValueError, "duration"),  # events in record 1
        ({"duration": 10.0, "bins": (0.5, 0.1)}, ValueError, "bins"),
        ({"duration": 10.0, "channels": "C3"}, TypeError, "channels"),
        ({"duration": 10.0, "channels": ["C4"]}, ValueError, "channels"),
        ({"duration": 10.0, "pool_channels": 1}, TypeError, "pool_channels"),
    ],
)
def test_bad_statistics_options(kwargs, error, name):
    events = make_events([1.0, 2.0], [0.2, 0.3], "beta_burst", record=[0, 1], channel="C3")
    with pytest.raises(error) as excinfo:
        burst_statistics(events, **kwargs)
    _one_line(excinfo, name)
