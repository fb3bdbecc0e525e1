# SPDX-License-Identifier: BSD-3-Clause
import itertools
import re

import numpy as np
import pandas as pd
import pytest
from scipy.signal import find_peaks, welch

from biosynth.generators.epileptiform import (
    EPILEPTIFORM_KINDS,
    HFO_KINDS,
    EpileptiformModel,
    check_epileptiform,
    hfo_waveform,
    seizure_waveform,
    sharp_wave_waveform,
    spike_wave_train,
    spike_waveform,
)

SFREQS = (256.0, 2000.0)
CH = ["F7", "T3", "T5", "C3", "Cz"]


def _dominant(x, sfreq, fmin=0.5):
    """Frequency (Hz) of the Welch PSD peak above ``fmin``."""
    freqs, psd = welch(x, sfreq, nperseg=min(x.size, int(4 * sfreq)))
    keep = freqs >= fmin
    return freqs[keep][np.argmax(psd[keep])]


def _rms(x):
    return float(np.sqrt(np.mean(x**2)))


def _render_chunks(model, root, edges, record=0):
    parts = [model.render(root, record, a, b) for a, b in itertools.pairwise(edges)]
    return np.concatenate([p[0] for p in parts], axis=1), pd.concat([p[1] for p in parts], ignore_index=True)


# --------------------------------------------------------------------------- waveforms


@pytest.mark.parametrize("sfreq", SFREQS)
@pytest.mark.parametrize(
    ("func", "duration"),
    [(spike_waveform, 0.03), (spike_waveform, 0.06), (sharp_wave_waveform, 0.08), (sharp_wave_waveform, 0.18)],
)
def test_transient_duration_by_support_and_half_amplitude(func, duration, sfreq):
    wave = func(sfreq, duration=duration, slow_wave=False)
    assert wave.dtype == np.float64
    assert abs(np.count_nonzero(wave) / sfreq - duration) <= 1.5 / sfreq
    # 1 - sin(pi/2 x) on each side of the peak: half amplitude over a third of the base
    assert abs(np.count_nonzero(np.abs(wave) >= 0.5) / sfreq - duration / 3) <= 1.5 / sfreq


@pytest.mark.parametrize("func", [spike_waveform, sharp_wave_waveform])
def test_transient_same_shape_in_seconds_across_rates(func):
    low, high = func(256.0), func(2000.0)
    t_low = (np.arange(low.size) - np.argmin(low)) / 256.0
    t_high = (np.arange(high.size) - np.argmin(high)) / 2000.0
    np.testing.assert_allclose(low, np.interp(t_low, t_high, high, left=0.0, right=0.0), atol=0.02)
    assert abs(low.size / 256.0 - high.size / 2000.0) <= 3 / 256.0


@pytest.mark.parametrize("sfreq", (100.0, *SFREQS))
@pytest.mark.parametrize("ratio", [0.5, 0.9])
def test_spike_peak_is_the_negative_global_extremum(sfreq, ratio):
    duration, slow = 0.05, 0.25
    wave = spike_waveform(sfreq, duration=duration, slow_wave_duration=slow, slow_wave_ratio=ratio)
    peak = int(np.argmin(wave))
    assert wave[peak] == -1.0 and np.abs(wave).max() == 1.0
    assert peak / sfreq <= 0.4 * duration + 1 / sfreq  # in the rising 40 % of the spike
    assert wave.max() <= 0.0  # surface-negative spike and slow wave
    after = wave[int(np.ceil(duration * sfreq)) + 1 :]
    assert -after.min() == pytest.approx(ratio, abs=0.02)  # the slow wave
    assert abs(np.count_nonzero(wave) / sfreq - (duration + slow)) <= 2.5 / sfreq


@pytest.mark.parametrize("sfreq", SFREQS)
@pytest.mark.parametrize("freq", [3.0, 4.0])
def test_spike_wave_train_dominant_frequency_and_slowing(sfreq, freq):
    train = spike_wave_train(sfreq, 10.0, freq=freq, rng=1)
    assert train.shape == (round(10.0 * sfreq),) and np.abs(train).max() == 1.0
    assert abs(_dominant(train, sfreq) - freq) <= 0.35
    regular = spike_wave_train(sfreq, 10.0, freq=freq)
    spikes, _ = find_peaks(-regular, height=0.9)
    intervals = np.diff(spikes) / sfreq
    assert abs(intervals.size + 1 - 10.0 * freq) <= 2
    assert intervals[-3:].mean() > 1.1 * intervals[:3].mean()  # slows over the train


@pytest.mark.parametrize("sfreq", SFREQS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_seizure_lvfa_onset_is_fast_and_low_then_slows_and_grows(sfreq, seed):
    wave = seizure_waveform(sfreq, 30.0, onset_pattern="lvfa", rng=seed)
    assert wave.shape == (round(30.0 * sfreq),) and np.abs(wave).max() == 1.0
    first, last = wave[: int(sfreq)], wave[int(0.7 * wave.size) :]
    assert _dominant(first, sfreq) >= 14.0
    assert _dominant(last, sfreq) <= 3.5
    assert _rms(first) < 0.2 * _rms(last)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_seizure_rhythmic_spiking_onset_starts_with_spikes(seed):
    sfreq = 256.0
    wave = seizure_waveform(sfreq, 30.0, onset_pattern="rhythmic_spiking", rng=seed)
    first, last = wave[: int(sfreq)], wave[int(0.7 * wave.size) :]
    assert np.abs(first).max() > 0.4  # high-amplitude spikes from the start
    assert 3.0 <= _dominant(first, sfreq, fmin=2.0) <= 13.0
    assert _dominant(first, sfreq, fmin=2.0) > _dominant(last, sfreq)
    assert _rms(first) < _rms(last)


def test_seizure_lvfa_capped_at_low_sampling_rate():
    wave = seizure_waveform(100.0, 10.0, rng=4)
    assert np.isfinite(wave).all()
    assert 14.0 <= _dominant(wave[:100], 100.0) <= 31.0  # at most 0.3 * sfreq


# --------------------------------------------------------------------------- model


@pytest.fixture
def full_spec():
    return {
        "spike": {"channels": ["T3"], "rate": 20.0, "spread": 0.2},
        "sharp_wave": {"channels": ["T5"], "rate": 10.0},
        "spike_wave": {"rate": 3.0, "duration": 4.0},
        "seizure": {
            "onsets": [20.0],
            "duration": 15.0,
            "channels": ["T3"],
            "propagation": ["T5", ["C3", "Cz"]],
            "delay": 1.5,
        },
    }


@pytest.mark.parametrize("sfreq", SFREQS)
def test_chunked_render_equals_one_shot(full_spec, sfreq):
    model = EpileptiformModel(CH, sfreq, full_spec)
    root, n = np.random.SeedSequence(3), int(40 * sfreq)
    data, events = model.render(root, 0, 0, n)
    assert set(events["type"]) == set(EPILEPTIFORM_KINDS) - set(HFO_KINDS)
    spike = round(events.loc[events["type"] == "spike", "onset"].iloc[0] * sfreq) + 3  # inside a spike
    train = round(events.loc[events["type"] == "spike_wave", "onset"].iloc[0] * sfreq) + int(sfreq)
    seizure = int(25 * sfreq)  # inside the seizure
    edges = sorted({0, spike, train, seizure, seizure + 7, n})
    chunked, chunk_events = _render_chunks(model, root, edges)
    np.testing.assert_allclose(chunked, data, rtol=0, atol=1e-12)
    pd.testing.assert_frame_equal(chunk_events, events)


def test_same_seed_same_output_and_streams_differ(full_spec):
    model = EpileptiformModel(CH, 256.0, full_spec)
    a = model.render(np.random.SeedSequence(7), 0, 0, 10_000)
    b = EpileptiformModel(CH, 256.0, full_spec).render(np.random.SeedSequence(7), 0, 0, 10_000)
    np.testing.assert_array_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])
    assert not np.array_equal(a[0], model.render(np.random.SeedSequence(8), 0, 0, 10_000)[0])
    assert not np.array_equal(a[0], model.render(np.random.SeedSequence(7), 1, 0, 10_000)[0])
    other = EpileptiformModel(CH, 256.0, full_spec, stream_base=300)
    assert not np.array_equal(a[0], other.render(np.random.SeedSequence(7), 0, 0, 10_000)[0])


@pytest.mark.parametrize("kind", ["spike", "sharp_wave"])
def test_events_on_focus_channels_with_the_extremum_inside(kind):
    sfreq = 512.0
    spec = {kind: {"channels": ["T3", "T5"], "rate": 10.0, "spread": 0.3}}
    model = EpileptiformModel(CH, sfreq, spec)
    data, events = model.render(np.random.SeedSequence(1), 0, 0, int(120 * sfreq))
    assert len(events) > 20 and set(events["channel"]) == {"T3", "T5"}
    assert (events["type"] == kind).all() and (events["record"] == 0).all()
    np.testing.assert_allclose(data[CH.index("F7")], 0.3 * data[CH.index("T3")], rtol=1e-12)
    for row in events.itertuples():
        lo, hi = int(np.floor(row.onset * sfreq)), int(np.ceil((row.onset + row.duration) * sfreq)) + 1
        segment = data[CH.index(row.channel), lo:hi]
        # every waveform is negative, so overlaps only deepen the window's minimum
        assert segment.min() <= -row.amplitude * (1 - 1e-9)
        assert 100e-6 / 4 <= row.amplitude <= 100e-6 * 4  # lognormal draws, clipped


def test_event_rate_within_poisson_tolerance():
    sfreq, minutes, rate = 100.0, 10, 60.0
    model = EpileptiformModel(["T3"], sfreq, {"spike": {"channels": ["T3"], "rate": rate}})
    _, events = model.render(np.random.SeedSequence(5), 0, 0, int(minutes * 60 * sfreq))
    expected = rate * minutes
    assert abs(len(events) - expected) <= 4 * np.sqrt(expected)
    assert np.all(np.diff(events["onset"]) >= 0)


def test_seizure_propagation_delays_the_same_waveform():
    sfreq, delay = 256.0, 1.5
    spec = {"seizure": {"onsets": [5.0], "duration": 12.0, "channels": ["T3"], "propagation": ["T5", ["C3", "Cz"]]}}
    spec["seizure"]["delay"] = delay
    model = EpileptiformModel(CH, sfreq, spec)
    data, events = model.render(np.random.SeedSequence(2), 0, 0, int(30 * sfreq))
    onset = dict(zip(events["channel"], events["onset"], strict=True))
    assert set(onset) == {"T3", "T5", "C3", "Cz"}
    assert onset["T3"] == pytest.approx(5.0, abs=1 / sfreq)
    for ch, step in (("T5", 1), ("C3", 2), ("Cz", 2)):
        assert onset[ch] - onset["T3"] == pytest.approx(step * delay, abs=1 / sfreq)
        shift = round(step * delay * sfreq)
        np.testing.assert_array_equal(data[CH.index(ch), shift:], data[CH.index("T3"), :-shift])
    assert np.all(data[CH.index("F7")] == 0.0)  # spread 0
    assert np.abs(data[CH.index("T3")]).max() == pytest.approx(150e-6)
    assert (events["duration"] == 12.0).all()


def test_seizure_past_the_record_end_is_cropped():
    sfreq = 256.0
    spec = {"seizure": {"onsets": [50.0], "duration": 30.0, "channels": ["T3"], "onset_pattern": "rhythmic_spiking"}}
    model = EpileptiformModel(CH, sfreq, spec)
    n = int(60 * sfreq)
    data, events = model.render(np.random.SeedSequence(2), 0, 0, n, n_times=n)
    assert data.shape == (len(CH), n)
    assert events["duration"].tolist() == pytest.approx([10.0])
    assert np.abs(data[CH.index("T3"), int(50 * sfreq) :]).max() > 0


def test_generalised_spike_wave_events_on_all_channels():
    sfreq = 256.0
    model = EpileptiformModel(CH, sfreq, {"spike_wave": {"rate": 6.0, "duration": 3.0}})
    data, events = model.render(np.random.SeedSequence(4), 0, 0, int(60 * sfreq))
    assert len(events) > 0 and (events["channel"] == "").all()
    np.testing.assert_array_equal(data, np.broadcast_to(data[0], data.shape))
    row = events.iloc[0]
    lo = int(np.floor(row["onset"] * sfreq))
    segment = data[0, lo : lo + int(row["duration"] * sfreq)]
    assert abs(_dominant(segment, sfreq) - 3.0) <= 0.5


def test_custom_weights_set_the_topography():
    weights = {"spike": np.array([0.1, 1.0, -0.5, 0.0, 0.2])}
    model = EpileptiformModel(CH, 256.0, {"spike": {"channels": ["T3"], "rate": 30.0}}, weights=weights)
    data, events = model.render(np.random.SeedSequence(6), 0, 0, 256 * 30)
    np.testing.assert_allclose(data, weights["spike"][:, None] * data[1], rtol=1e-12, atol=0)
    assert data[2].max() > 0  # phase reversal on a negative weight
    assert set(events["channel"]) == {"T3"}
    assert model.max_duration == pytest.approx(0.07 + 0.35)


def test_empty_spec_renders_zeros_and_no_events():
    model = EpileptiformModel(CH, 256.0, {})
    data, events = model.render(np.random.SeedSequence(0), 0, 100, 200)
    assert data.shape == (5, 100) and not data.any() and events.empty
    assert "amplitude" in events.columns and model.max_duration == 0.0


def test_check_epileptiform_fills_defaults():
    spec = check_epileptiform(
        {"seizure": {"onsets": [1.0, 60.0], "channels": "T3", "propagation": ["T5"]}, "spike_wave": {}}, CH
    )
    assert spec["seizure"]["duration"] == (30.0, 30.0)
    assert spec["seizure"]["channels"] == ["T3"] and spec["seizure"]["propagation"] == [["T5"]]
    assert spec["spike_wave"]["channels"] is None and spec["spike_wave"]["freq"] == 3.0


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("spec", "error", "match"),
    [
        ({"spikes": {}}, ValueError, "spec kind must be one of 'spike'.*got 'spikes'"),
        ({"spike": {"channels": ["T3"], "rat": 1}}, ValueError, "spec['spike'] has unknown parameters ['rat']"),
        ({"spike": {"channels": ["XX"]}}, ValueError, "spec['spike']['channels'] has channels ['XX'] not in ch_names"),
        ({"spike": {"channels": ["T3"], "rate": -1}}, ValueError, "spec['spike']['rate'] must lie in [0, 600]"),
        ({"spike": {}}, ValueError, "spec['spike']['channels'] must list at least one channel name"),
        ({"spike": {"channels": ["T3"], "duration": 0.1}}, ValueError, "spec['spike']['duration'] must lie in"),
        (
            {"sharp_wave": {"channels": ["T3"], "slow_wave": "yes"}},
            TypeError,
            "spec['sharp_wave']['slow_wave'] must be",
        ),
        ({"seizure": {"channels": ["T3"], "onsets": [-1.0]}}, ValueError, "spec['seizure']['onsets'] must be"),
        (
            {"seizure": {"channels": ["T3"], "onsets": [1.0], "onset_pattern": "fast"}},
            ValueError,
            "spec['seizure']['onset_pattern'] must be one of 'lvfa', 'rhythmic_spiking', 'epileptor'; got 'fast'",
        ),
        (
            {"seizure": {"channels": ["T3"], "propagation": ["T5", "T3"]}},
            ValueError,
            "spec['seizure']['propagation'] lists channels ['T3'] twice",
        ),
        ({"spike": []}, TypeError, "spec['spike'] must be a mapping"),
    ],
)
def test_spec_errors_name_argument_and_value(spec, error, match):
    pattern = match if ".*" in match else re.escape(match)
    with pytest.raises(error, match=pattern):
        EpileptiformModel(CH, 256.0, spec)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: spike_waveform(50.0), ValueError, "sfreq must lie in [100, 100000] in Hz"),
        (lambda: spike_waveform(256.0, duration=0.1), ValueError, "duration must lie in [0.02, 0.07] in s"),
        (lambda: sharp_wave_waveform(256.0, slow_wave_ratio=1.0), ValueError, "slow_wave_ratio must lie in [0, 1)"),
        (lambda: spike_wave_train(256.0, 5.0, freq=8.0), ValueError, "freq must lie in [1.5, 5] in Hz, got 8"),
        (lambda: seizure_waveform(256.0, 1.0, rng=0), ValueError, "duration must lie in [2, 600] in s, got 1"),
        (
            lambda: EpileptiformModel(CH, 256.0, {"spike": {"channels": ["T3"]}}, weights={"spike": np.ones(3)}),
            ValueError,
            "weights['spike'] must be 5 finite numbers",
        ),
        (
            lambda: EpileptiformModel(CH, 256.0, {"spike": {"channels": ["T3"]}}, weights={"seizure": np.ones(5)}),
            ValueError,
            "weights has kind 'seizure' absent from spec",
        ),
        (
            lambda: EpileptiformModel(CH, 256.0, {}).render(np.random.SeedSequence(0), 0, 10, 5),
            ValueError,
            "stop must be an integer >= 10, got 5",
        ),
    ],
)
def test_call_errors_name_argument_and_value(call, error, match):
    with pytest.raises(error, match=re.escape(match)):
        call()


# --------------------------------------------------------------------------- HFOs

HFO_CH = ["g1", "g2", "g3"]


@pytest.mark.parametrize("envelope", ["hann", "gaussian"])
@pytest.mark.parametrize("freq", [90.0, 150.0, 400.0])
def test_hfo_waveform_frequency_and_envelope(freq, envelope):
    wave = hfo_waveform(2000.0, freq, 0.05, envelope=envelope)
    assert wave.size == 100 and np.abs(wave).max() == 1.0
    spectrum = np.abs(np.fft.rfft(wave, n=8192))
    assert abs(np.fft.rfftfreq(8192, 1 / 2000.0)[np.argmax(spectrum)] - freq) < 5.0
    assert np.abs(wave[:3]).max() < 0.05 and np.abs(wave[-3:]).max() < 0.05  # tapered ends


@pytest.mark.parametrize(("kind", "band"), [("ripple", (80.0, 200.0)), ("fast_ripple", (250.0, 450.0))])
def test_model_hfo_frequency_and_durations_in_range(kind, band):
    sfreq = 2000.0
    model = EpileptiformModel(HFO_CH, sfreq, {kind: {"channels": ["g1"], "rate": 60.0}})
    data, events = model.render(np.random.SeedSequence(4), 0, 0, int(60 * sfreq))
    assert len(events) > 30 and set(events["type"]) == {kind} and set(events["channel"]) == {"g1"}
    lo, hi = (0.03, 0.1) if kind == "ripple" else (0.01, 0.05)
    cycles = 4.0 / band[0]
    assert events["duration"].min() >= lo - 1 / sfreq
    assert events["duration"].max() <= max(hi, cycles) + 1 / sfreq
    assert np.all(data[1:] == 0.0)
    assert band[0] - 10 <= _dominant(data[0], sfreq, fmin=20.0) <= band[1] + 10
    for onset, duration in events[["onset", "duration"]].values[:10]:
        a, b = round(onset * sfreq), round((onset + duration) * sfreq)
        assert abs(_dominant(data[0, a:b], sfreq, fmin=20.0) - np.mean(band)) <= (band[1] - band[0]) / 2 + 40


def test_chunked_render_equals_one_shot_with_hfos():
    sfreq = 2000.0
    spec = {
        "spike": {"channels": ["g1"], "rate": 30.0},
        "ripple": {"channels": ["g1", "g2"], "rate": 30.0, "with_spikes": 0.5, "envelope": "gaussian"},
        "fast_ripple": {"channels": ["g3"], "rate": 30.0, "with_spikes": 0.5, "spread": 0.2},
    }
    model = EpileptiformModel(HFO_CH, sfreq, spec)
    root, n = np.random.SeedSequence(5), int(20 * sfreq)
    data, events = model.render(root, 0, 0, n)
    assert set(events["type"]) == {"spike", "ripple", "fast_ripple"}
    cuts = [round(o * sfreq) + 5 for o in events["onset"].values[::7]]
    chunked, chunk_events = _render_chunks(model, root, sorted({0, *cuts, n}))
    np.testing.assert_allclose(chunked, data, rtol=0, atol=1e-15)
    pd.testing.assert_frame_equal(chunk_events, events)
    # spikes unchanged by the riders; riders start within a spike's rise
    plain = EpileptiformModel(HFO_CH, sfreq, {"spike": spec["spike"]}).render(root, 0, 0, n)[1]
    spikes = events[events["type"] == "spike"].reset_index(drop=True)
    pd.testing.assert_frame_equal(spikes, plain)
    riders = EpileptiformModel(HFO_CH, sfreq, {**spec, "ripple": {**spec["ripple"], "rate": 0.0}}).render(
        root, 0, 0, n
    )[1]
    ripple_onsets = riders.loc[riders["type"] == "ripple", "onset"].to_numpy()
    assert ripple_onsets.size > 0
    gaps = ripple_onsets[:, None] - spikes["onset"].to_numpy()[None, :]
    assert np.all(((gaps >= -1 / sfreq) & (gaps <= 0.03 + 1 / sfreq)).any(axis=1))


@pytest.mark.parametrize(("kind", "sfreq"), [("ripple", 256.0), ("fast_ripple", 800.0)])
def test_hfo_sfreq_too_low(kind, sfreq):
    with pytest.raises(ValueError, match=rf"sfreq={sfreq:g} Hz is too low for '{kind}'"):
        EpileptiformModel(HFO_CH, sfreq, {kind: {"channels": ["g1"]}})


def test_hfo_spec_errors():
    with pytest.raises(ValueError, match="needs spikes"):
        check_epileptiform({"ripple": {"channels": ["g1"], "with_spikes": 0.2}}, HFO_CH)
    with pytest.raises(ValueError, match="freq"):
        check_epileptiform({"ripple": {"channels": ["g1"], "freq": (60.0, 200.0)}}, HFO_CH)
    with pytest.raises(TypeError, match="pair"):
        check_epileptiform({"fast_ripple": {"channels": ["g1"], "duration": 0.02}}, HFO_CH)
