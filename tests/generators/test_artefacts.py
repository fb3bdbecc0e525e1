# SPDX-License-Identifier: BSD-3-Clause
import itertools

import numpy as np
import pandas as pd
import pytest
from scipy.signal import welch

from biosynth.generators._random_blocks import BLOCK
from biosynth.generators.artefacts import ARTEFACT_KINDS, DEFAULT_ARTEFACTS, ArtefactModel, check_artefacts
from biosynth.generators.forward import montage_positions

SFREQ = 250.0
CHANNELS = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T7", "C3", "Cz", "C4", "T8"]
CHANNELS += ["P7", "P3", "Pz", "P4", "P8", "O1", "Oz", "O2"]


@pytest.fixture(scope="module")
def montage():
    return montage_positions(CHANNELS)


def _model(montage, spec, sfreq=SFREQ, **kwargs):
    names, positions = montage
    return ArtefactModel(names, positions, sfreq, spec, **kwargs)


def _rms(data):
    return dict(zip(CHANNELS, np.sqrt(np.mean(data**2, axis=1)), strict=True))


def _band_share(x, sfreq, low, high, nperseg):
    freqs, psd = welch(x, sfreq, nperseg=nperseg)
    psd = psd.reshape(-1, freqs.size).sum(axis=0)
    return psd[(freqs >= low) & (freqs <= high)].sum() / psd.sum()


def _busy_spec():
    """Every kind at a high rate, so chunk edges fall inside events."""
    spec = {kind: dict(params) for kind, params in DEFAULT_ARTEFACTS.items()}
    for params in spec.values():
        if "rate" in params:
            params["rate"] *= 6
    return spec


def _gate(samples):
    """Eyes closed (no blinks or saccades) from 20 s to 40 s."""
    return np.where((samples >= 20 * SFREQ) & (samples < 40 * SFREQ), 0.0, 1.0)


def _render_chunks(model, root, edges, **kwargs):
    """Render record 2 chunk by chunk over ``edges`` (sample indices)."""
    parts = [model.render(root, 2, a, b, **kwargs) for a, b in itertools.pairwise(edges)]
    data = np.concatenate([p[0] for p in parts], axis=1)
    return data, pd.concat([p[1] for p in parts], ignore_index=True)


@pytest.fixture(scope="module")
def busy(montage):
    model = _model(montage, _busy_spec())
    root = np.random.SeedSequence(7)
    n = 2 * BLOCK + 4321
    data, events = model.render(root, 2, 0, n, gate=_gate)
    return model, root, n, data, events


def test_events_cover_every_event_kind(busy):
    *_, events = busy
    assert set(events["type"]) == set(ARTEFACT_KINDS) - {"line_noise"}
    assert (events["record"] == 2).all()


@pytest.mark.parametrize("cuts", [[1], [777, BLOCK, BLOCK + 1, 12345], list(range(0, 30000, 997))[1:]])
def test_chunks_equal_one_shot(busy, cuts):
    model, root, n, data, events = busy
    edges = sorted({0, n, *[c for c in cuts if 0 < c < n]})
    chunked, chunk_events = _render_chunks(model, root, edges, gate=_gate)
    np.testing.assert_allclose(chunked, data, rtol=1e-12, atol=1e-12 * np.abs(data).max())
    pd.testing.assert_frame_equal(chunk_events, events)


def test_chunk_edges_inside_events(busy):
    model, root, n, data, events = busy
    middles = np.round((events["onset"] + events["duration"] / 2) * SFREQ).astype(int)
    edges = sorted({0, n, *[int(m) for m in middles[::3] if 0 < m < n]})
    assert len(edges) > 20
    chunked, chunk_events = _render_chunks(model, root, edges, gate=_gate)
    np.testing.assert_allclose(chunked, data, rtol=1e-12, atol=1e-12 * np.abs(data).max())
    pd.testing.assert_frame_equal(chunk_events, events)


def test_gate_thins_eye_events(busy):
    *_, events = busy
    onset = events["onset"]
    eyes = events["type"].isin(["blink", "saccade"])
    assert not (eyes & (onset >= 20) & (onset < 40)).any()
    assert (eyes & (onset >= 40)).sum() > 10
    assert ((events["type"] == "pop") | (events["type"] == "muscle")).any()


def test_gate_zero_removes_all_blinks(montage):
    model = _model(montage, {"blink": {"rate": 60}})
    data, events = model.render(np.random.SeedSequence(1), 0, 0, 10000, gate=lambda s: 0)
    assert events.empty
    assert not data.any()


def test_gate_out_of_range_raises(montage):
    model = _model(montage, {"blink": {"rate": 60}})
    with pytest.raises(ValueError, match=r"gate must return values in \[0, 1\]"):
        model.render(np.random.SeedSequence(1), 0, 0, 10000, gate=lambda s: np.full(s.shape, 2.0))


def test_same_seed_same_output_other_seed_differs(montage):
    model = _model(montage, _busy_spec())
    a, ev_a = model.render(np.random.SeedSequence(3), 0, 0, 5000)
    b, ev_b = model.render(np.random.SeedSequence(3), 0, 0, 5000)
    c, ev_c = model.render(np.random.SeedSequence(4), 0, 0, 5000)
    np.testing.assert_array_equal(a, b)
    pd.testing.assert_frame_equal(ev_a, ev_b)
    assert not np.allclose(a, c)
    assert not ev_a["onset"].equals(ev_c["onset"])
    d, _ = model.render(np.random.SeedSequence(3), 1, 0, 5000)
    assert not np.allclose(a, d)  # another record of the same run


@pytest.fixture(scope="module")
def blinks(montage):
    model = _model(montage, {"blink": None})
    return model.render(np.random.SeedSequence(11), 0, 0, int(1800 * SFREQ))


def test_blink_topography(blinks):
    data, _ = blinks
    rms = _rms(data)
    assert rms["Fp1"] > rms["Fz"] > rms["Cz"] > rms["Oz"]
    assert rms["Fp2"] > rms["Fz"] > rms["Pz"]
    assert rms["Oz"] < 0.05 * rms["Fp1"]
    assert data[CHANNELS.index("Fp1")].min() >= 0.0  # positive monophasic
    peak = data[CHANNELS.index("Fp1")].max()
    assert 50e-6 < peak < 3 * 300e-6  # default 100 uV, overlaps add


def test_blink_durations_and_rate(blinks):
    _, events = blinks
    params = DEFAULT_ARTEFACTS["blink"]
    assert (events["type"] == "blink").all() and (events["channel"] == "").all()
    duration = events["duration"]
    assert duration.min() >= params["min_duration"] - 1 / SFREQ
    assert duration.max() <= params["max_duration"] + 1 / SFREQ
    expected = params["rate"] * 30  # 30 min
    assert abs(len(events) - expected) < 4 * np.sqrt(expected)


def test_saccade_polarity(montage):
    model = _model(montage, {"saccade": {"rate": 20}})
    data, events = model.render(np.random.SeedSequence(2), 0, 0, int(300 * SFREQ))
    f7, f8, fz = (data[CHANNELS.index(ch)] for ch in ("F7", "F8", "Fz"))
    assert len(events) > 50 and (events["type"] == "saccade").all()
    assert np.corrcoef(f7, f8)[0, 1] < -0.99
    rms = _rms(data)
    assert rms["Fz"] < 0.05 * rms["F8"] and rms["Cz"] < 0.05 * rms["F8"]
    middle = np.round((events["onset"] + events["duration"] / 2) * SFREQ).astype(int)
    middle = middle[middle < f7.size]
    assert (np.sign(f7[middle]) == -np.sign(f8[middle])).all()
    assert (events["duration"] >= 0.3).all() and (events["duration"] <= 2.0 + 0.1).all()
    assert np.abs(fz).max() < 0.1 * np.abs(f8).max()


def test_pop_affects_only_its_channel(montage):
    model = _model(montage, {"pop": {"rate": 3}})
    data, events = model.render(np.random.SeedSequence(5), 0, 0, int(300 * SFREQ))
    assert len(events) > 5 and (events["type"] == "pop").all()
    hit = {CHANNELS[i] for i in np.flatnonzero(np.abs(data).max(axis=1) > 0)}
    assert hit == set(events["channel"])
    for _, event in events.iterrows():
        row = data[CHANNELS.index(event["channel"])]
        onset = round(event["onset"] * SFREQ)
        assert abs(row[onset] - row[onset - 1]) > 10e-6  # abrupt jump
        others = np.delete(data, CHANNELS.index(event["channel"]), axis=0)
        stop = onset + round(event["duration"] * SFREQ)
        concurrent = events[(events["onset"] < stop / SFREQ) & (events["onset"] + events["duration"] > onset / SFREQ)]
        if len(concurrent) == 1:
            assert not others[:, onset:stop].any()


def test_line_noise_peaks(montage):
    for freq in (50, 60):
        model = _model(montage, {"line_noise": {"freq": freq}})
        data, events = model.render(np.random.SeedSequence(0), 0, 1000, 1000 + int(20 * SFREQ))
        assert events.empty
        freqs, psd = welch(data, SFREQ, nperseg=1000)
        assert np.all(freqs[np.argmax(psd, axis=1)] == freq)
        rms = np.sqrt(np.mean(data**2, axis=1))
        assert 0.5 < rms.min() / rms.max() <= 1.0  # slight spread over channels
        np.testing.assert_allclose(rms.mean(), 2e-6 / np.sqrt(2), rtol=0.3)


def test_line_noise_third_harmonic(montage):
    model = _model(montage, {"line_noise": {"harmonic3": 0.5, "harmonic5": 0.0}}, sfreq=500.0)
    data, _ = model.render(np.random.SeedSequence(0), 0, 0, 10000)
    freqs, psd = welch(data[0], 500.0, nperseg=1000)
    assert psd[freqs == 150][0] == pytest.approx(0.25 * psd[freqs == 50][0], rel=0.05)


def test_muscle_band_and_topography(montage):
    model = _model(montage, {"muscle": {"rate": 30}}, sfreq=500.0)
    data, events = model.render(np.random.SeedSequence(9), 0, 0, 120 * 500)
    assert len(events) > 20 and (events["type"] == "muscle").all()
    assert _band_share(data, 500.0, 20.0, 150.0, 500) > 0.9
    rms = _rms(data)
    lateral = np.mean([rms[ch] for ch in ("T7", "T8", "F7", "F8")])
    midline = np.mean([rms[ch] for ch in ("Fz", "Cz", "Pz", "Oz")])
    assert lateral > 20 * midline
    duration = events["duration"]
    assert duration.min() >= 0.2 - 1 / 500 and duration.max() <= 2.0 + 1 / 500


def test_muscle_band_capped_below_nyquist(montage):
    model = _model(montage, {"muscle": {"rate": 30}}, sfreq=100.0)
    data, _ = model.render(np.random.SeedSequence(9), 0, 0, 6000)
    freqs, psd = welch(data, 100.0, nperseg=200)
    psd = psd.sum(axis=0)
    assert psd[freqs >= 46].sum() < 0.02 * psd.sum()
    assert psd[(freqs >= 20) & (freqs <= 45)].sum() > 0.9 * psd.sum()


def test_drift_is_slow_and_single_channel(montage):
    model = _model(montage, {"drift": {"rate": 4}}, sfreq=50.0)
    data, events = model.render(np.random.SeedSequence(4), 0, 0, 1200 * 50)
    assert len(events) > 30 and (events["type"] == "drift").all()
    assert set(events["channel"]) <= set(CHANNELS) and "" not in set(events["channel"])
    hit = {CHANNELS[i] for i in np.flatnonzero(np.abs(data).max(axis=1) > 0)}
    assert hit == set(events["channel"])
    assert _band_share(data, 50.0, 0.0, 0.5, 50 * 200) > 0.95
    assert (events["duration"] >= 5.0 - 0.02).all() and (events["duration"] <= 30.0 + 0.02).all()


def test_max_duration(montage):
    assert _model(montage, {"blink": None}).max_duration == pytest.approx(0.4)
    assert _model(montage, {"pop": {"max_tau": 0.5}}).max_duration == pytest.approx(2.5)
    assert _model(montage, {"line_noise": None}).max_duration == 0.0
    assert _model(montage, None).max_duration == 0.0


def test_no_artefacts(montage):
    data, events = _model(montage, {}).render(np.random.SeedSequence(0), 0, 10, 500)
    assert data.shape == (len(CHANNELS), 490) and not data.any()
    assert events.empty and list(events.columns) == ["record", "channel", "onset", "duration", "type"]


def test_check_artefacts_fills_defaults():
    spec = check_artefacts({"pop": {"rate": 2}, "blink": None, "drift": {}})
    assert list(spec) == ["blink", "pop", "drift"]
    assert spec["blink"] == DEFAULT_ARTEFACTS["blink"]
    assert spec["pop"] == {**DEFAULT_ARTEFACTS["pop"], "rate": 2.0}
    assert check_artefacts({}) == {} and check_artefacts(None) == {}


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ({"blnk": None}, r"spec kind must be one of .*got 'blnk'"),
        ({"blink": {"speed": 1}}, r"spec\['blink'\] parameter must be one of .*got 'speed'"),
        ({"blink": {"rate": -1}}, r"spec\['blink'\]\['rate'\] must lie in .*got -1"),
        ({"line_noise": {"freq": 55}}, r"spec\['line_noise'\]\['freq'\] must be one of 50.0, 60.0; got 55"),
        ({"blink": {"amplitude": 100}}, r"spec\['blink'\]\['amplitude'\] must lie in .* V.*got 100"),
        ({"pop": {"min_tau": 2.0}}, r"spec\['pop'\]\['min_tau'\] must not exceed .*got 2 > 1"),
    ],
)
def test_bad_spec_raises(spec, match):
    with pytest.raises(ValueError, match=match):
        check_artefacts(spec)


def test_line_frequency_above_nyquist_raises(montage):
    with pytest.raises(ValueError, match=r"spec\['line_noise'\]\['freq'\] must lie in .*Nyquist is 50 Hz.*got 60"):
        _model(montage, {"line_noise": {"freq": 60}}, sfreq=100.0)


def test_bad_arguments_raise(montage):
    names, positions = montage
    with pytest.raises(ValueError, match=r"positions must be .*shape \(20, 3\)"):
        ArtefactModel(names, positions[:3], SFREQ, None)
    model = _model(montage, {"blink": None})
    with pytest.raises(ValueError, match="stop must be an integer >= 100, got 50"):
        model.render(np.random.SeedSequence(0), 0, 100, 50)
    with pytest.raises(TypeError, match="gate must be a callable"):
        model.render(np.random.SeedSequence(0), 0, 0, 50, gate=np.ones(50))


def test_chunks_equal_one_shot_at_a_low_odd_rate(montage):
    spec = {kind: params for kind, params in _busy_spec().items() if kind != "line_noise"}
    spec["muscle"]["low_freq"] = 5.0  # below 90 % of Nyquist
    model = _model(montage, spec, sfreq=37.0)
    root = np.random.SeedSequence(21)
    n = BLOCK + 1000
    data, events = model.render(root, 2, 0, n)
    assert len(events) > 50
    edges = [*range(0, n, 13), n]
    chunked, chunk_events = _render_chunks(model, root, edges)
    np.testing.assert_allclose(chunked, data, rtol=1e-12, atol=1e-12 * np.abs(data).max())
    pd.testing.assert_frame_equal(chunk_events, events)


def test_muscle_band_above_capped_nyquist_raises(montage):
    with pytest.raises(ValueError, match=r"spec\['muscle'\]\['low_freq'\] must lie in \[0, 36\) in Hz.*got 40"):
        _model(montage, {"muscle": {"low_freq": 40.0}}, sfreq=80.0)


def test_old_parameter_name_cv_warns_and_means_amplitude_cv(montage):
    with pytest.warns(FutureWarning, match="'cv'.*renamed to 'amplitude_cv'"):
        old = check_artefacts({"blink": {"cv": 0.7}})
    assert old == check_artefacts({"blink": {"amplitude_cv": 0.7}})
    assert "cv" not in old["blink"]
    with pytest.raises(ValueError, match="both 'cv'.*and 'amplitude_cv'"):
        check_artefacts({"blink": {"cv": 0.7, "amplitude_cv": 0.7}})
    root = np.random.SeedSequence(3)
    with pytest.warns(FutureWarning):
        before = _model(montage, {"pop": {"cv": 0.9, "rate": 30.0}}).render(root, 0, 0, 5000)
    after = _model(montage, {"pop": {"amplitude_cv": 0.9, "rate": 30.0}}).render(root, 0, 0, 5000)
    np.testing.assert_array_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])
