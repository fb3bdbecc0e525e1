# SPDX-License-Identifier: BSD-3-Clause
"""simulate_ioecog: spectrum, space, anaesthesia, events, reproducibility, errors."""

import inspect

import numpy as np
import pandas as pd
import pytest
from scipy import signal

from biosynth.generators import default_zone, layout_from_provenance, simulate_ioecog
from biosynth.generators._eeg_model import EventBuffer
from biosynth.generators.ioecog import build_ioecog_model, check_ioecog_params
from biosynth.signals.layouts import distances, parse_layout

QUIET = {"epileptiform": {}, "anaesthesia": None, "noise_floor": 0.0}


def _median_psd(x, sfreq, nperseg):
    f, p = signal.welch(x, sfreq, nperseg=nperseg)
    return f, np.median(p, axis=0)


def test_background_follows_the_knee_spectrum_fitted_by_fooof(fooof):
    ecog = simulate_ioecog(
        60.0, 1000.0, layout="2x4", aperiodic_exponent=3.0, aperiodic_knee_freq=12.0, seed=0, **QUIET
    )
    f, p = _median_psd(ecog.values, 1000.0, 2000)
    fm = fooof.FOOOF(aperiodic_mode="knee", max_n_peaks=0, verbose=False)
    fm.fit(f, p, [2.0, 200.0])
    _, knee, exponent = fm.get_params("aperiodic_params")
    assert exponent == pytest.approx(3.0, abs=0.15)
    assert knee ** (1.0 / exponent) == pytest.approx(12.0, rel=0.2)


def test_amplitude_is_the_median_contact_sd():
    ecog = simulate_ioecog(20.0, 1000.0, n_records=4, layout="4x4", amplitude=80e-6, seed=1, **QUIET)
    sd = np.median(ecog.values.std(axis=-1), axis=-1)
    assert np.median(sd) == pytest.approx(80e-6, rel=0.1)


def _band_correlation(x, sfreq, band, d, at):
    sos = signal.butter(4, band, "bandpass", fs=sfreq, output="sos")
    c = np.corrcoef(signal.sosfiltfilt(sos, x))
    return np.array([c[np.isclose(d, dist)].mean() for dist in at])


def test_correlation_falls_with_distance_faster_at_high_frequency():
    lay = parse_layout("8x8@10mm")
    ecog = simulate_ioecog(40.0, 1000.0, layout=lay, spatial_correlation=0.1, seed=2, **QUIET)
    at = np.array([0.01, 0.02, 0.03])
    low = _band_correlation(ecog.values, 1000.0, (1.0, 8.0), distances(lay), at)
    high = _band_correlation(ecog.values, 1000.0, (80.0, 200.0), distances(lay), at)
    # slow band: almost only the broad part, (1 - rho) exp(-d / 1 cm) + rho
    np.testing.assert_allclose(low, 0.9 * np.exp(-at / 0.01) + 0.1, atol=0.06)
    assert np.all(np.diff(low) < 0)
    # fast band: mostly the local part (3 mm): neighbours barely above the shared 0.1
    assert high[0] < low[0] - 0.2
    assert 0.05 < high[0] < 0.25


def test_burst_suppression_ratio_and_level():
    settings = {"ratio": 0.6, "burst_duration": 2.0, "level": 0.1}
    ecog, events = simulate_ioecog(
        600.0, 250.0, layout="1x4", anaesthesia="burst_suppression", burst_suppression=settings,
        epileptiform={}, noise_floor=0.0, seed=3, return_events=True,
    )  # fmt: skip
    suppressed = events.loc[events["type"] == "suppression", "duration"].sum() / 600.0
    assert suppressed == pytest.approx(0.6, abs=0.06)
    bursts = events[events["type"] == "burst"]
    assert bursts["duration"].mean() == pytest.approx(2.0, rel=0.15)
    t = ecog["time"].values
    in_burst = np.zeros(t.size, bool)
    for onset, duration in zip(bursts["onset"], bursts["duration"], strict=True):
        in_burst |= (t >= onset + 0.3) & (t < onset + duration - 0.3)
    quiet = np.ones(t.size, bool)
    for onset, duration in zip(bursts["onset"], bursts["duration"], strict=True):
        quiet &= (t < onset - 0.3) | (t >= onset + duration + 0.3)
    x = ecog.values - ecog.values.mean(axis=-1, keepdims=True)
    ratio = np.sqrt(np.mean(x[:, quiet] ** 2) / np.mean(x[:, in_burst] ** 2))
    assert ratio == pytest.approx(0.1, rel=0.25)


def test_line_noise_amplitude():
    ecog = simulate_ioecog(20.0, 1000.0, layout="2x3", line_noise=20e-6, line_freq=60.0, seed=4, **QUIET)
    spectrum = np.abs(np.fft.rfft(ecog.values, axis=-1)) * 2 / ecog.sizes["time"]
    freqs = np.fft.rfftfreq(ecog.sizes["time"], 1e-3)
    assert np.median(spectrum[:, np.argmin(np.abs(freqs - 60.0))]) == pytest.approx(20e-6, rel=0.1)
    assert np.median(spectrum[:, np.argmin(np.abs(freqs - 120.0))]) == pytest.approx(6e-6, rel=0.15)


def test_default_zone_and_event_rows():
    ecog, events = simulate_ioecog(60.0, 2000.0, layout="4x5", seed=5, return_events=True)
    zone = default_zone(parse_layout("4x5"))
    assert zone == ["G3", "G7", "G8", "G9", "G13"]
    assert set(zone) <= set(events["channel"])
    assert {"spike", "sharp_wave", "ripple", "fast_ripple"} <= set(events["type"])
    assert (events["onset"] < 60.0).all() and (events["duration"] >= 0).all()
    spikes = events[(events["type"] == "spike") & events["channel"].isin(zone)]
    # one row per zone contact, same onset (no delay inside the zone), full amplitude there
    assert (spikes.groupby("onset")["channel"].nunique() == len(zone)).all()
    outside = events[(events["type"] == "spike") & ~events["channel"].isin(zone)]
    # neighbours 1 cm away get exp(-d^2 / 2 sigma^2) = exp(-2) of it (sigma 5 mm), 20 ms later
    assert outside["amplitude"].max() / spikes["amplitude"].max() == pytest.approx(np.exp(-2.0), rel=1e-9)
    assert np.isin(np.round(outside["onset"] - 0.02, 6), np.round(spikes["onset"], 6)).all()
    assert ecog.attrs["provenance"]["parameters"]["zone"] == zone


def test_spike_rate_and_ripples_riding_on_spikes():
    spec = {"spike": {"rate": 60.0}, "ripple": {"rate": 0.0, "with_spikes": 0.5}}
    _, events = simulate_ioecog(300.0, 1000.0, layout="1x4", zone=["S2"], epileptiform=spec, seed=6, return_events=True)
    events = events[events["channel"] == "S2"]
    spikes = events[events["type"] == "spike"]["onset"].to_numpy()
    ripples = events[events["type"] == "ripple"]["onset"].to_numpy()
    assert len(spikes) == pytest.approx(300, abs=4 * np.sqrt(300))
    # every ripple starts on a spike's rise (within its first 40 % of 20-70 ms)
    nearest = np.min(np.abs(ripples[:, None] - spikes[None, :]), axis=1)
    assert np.all(nearest <= 0.03)
    assert len(ripples) / len(spikes) == pytest.approx(0.5, abs=0.1)


def test_spikes_reach_neighbours_later_by_distance_over_speed():
    spec = {"spike": {"rate": 6.0, "amplitude_cv": 0.0, "slow_wave": False}}
    ecog = simulate_ioecog(
        20.0, 2000.0, layout="1x4@10mm", zone=["S1"], epileptiform=spec, amplitude=1e-9, noise_floor=0.0,
        anaesthesia=None, event_spread=0.01, propagation_speed=0.5, seed=7,
    )  # fmt: skip
    x = ecog.values
    lag = np.argmax(signal.correlate(-x[1], -x[0], mode="full")) - (x.shape[1] - 1)
    assert lag / 2000.0 == pytest.approx(0.01 / 0.5, abs=1.0 / 2000.0)
    # weight exp(-d^2 / 2 sigma^2) at one spread
    assert np.abs(x[1]).max() / np.abs(x[0]).max() == pytest.approx(np.exp(-0.5), rel=0.02)
    assert np.abs(x[3]).max() < 1e-3 * np.abs(x[0]).max()  # 3 cm: below the 5 % cut-off


def test_seizure_recruits_rings_with_delays():
    ecog, events = simulate_ioecog(
        30.0, 1000.0, layout="5x5", seizures=[5.0], epileptiform={"seizure": {"duration": 20.0, "delay": 1.5}},
        seed=8, return_events=True,
    )  # fmt: skip
    rows = events[events["type"] == "seizure"].set_index("channel")["onset"]
    assert rows["G13"] == pytest.approx(5.0)
    assert rows["G1"] == pytest.approx(5.0 + 2 * 1.5)  # 2.8 cm from the zone: second ring
    assert rows["G2"] == pytest.approx(5.0 + 1.5)
    x = ecog.sel(channel="G13").values
    assert x[15000:25000].std() > 2 * x[:5000].std()  # evolved discharges


@pytest.mark.parametrize("montage", ["average", "bipolar"])
def test_montages(montage):
    ecog, events = simulate_ioecog(10.0, 1000.0, layout="2x3", montage=montage, seed=9, return_events=True)
    ref, _ = simulate_ioecog(10.0, 1000.0, layout="2x3", seed=9, return_events=True)
    if montage == "average":
        np.testing.assert_allclose(ecog.values.mean(axis=0), 0.0, atol=1e-12)
        np.testing.assert_allclose(ecog.values, ref.values - ref.values.mean(axis=0), atol=1e-12)
    else:
        assert ecog["channel"].values.tolist() == ["G1-G2", "G2-G3", "G4-G5", "G5-G6"]
        np.testing.assert_allclose(
            ecog.sel(channel="G1-G2").values, (ref.sel(channel="G1") - ref.sel(channel="G2")).values
        )
        assert set(events["channel"]) <= set(ecog["channel"].values)


def test_reproducible_across_records_and_chunks():
    kwargs = {"layout": "2x2", "anaesthesia": "burst_suppression", "line_noise": 5e-6, "seed": 10}
    batch = simulate_ioecog(8.0, 1000.0, n_records=3, **kwargs)
    alone = simulate_ioecog(8.0, 1000.0, n_records=1, first_record=2, **kwargs)
    np.testing.assert_array_equal(batch.values[2], alone.values[0])
    assert not np.allclose(batch.values[0], batch.values[1])
    params, lay = check_ioecog_params({**simulate_ioecog.__kwdefaults__, **kwargs, "duration": 8.0, "sfreq": 1000.0})
    model = build_ioecog_model(params, lay)
    root = np.random.SeedSequence(10)
    whole = model.render(root, 0, 0, 8000, EventBuffer())
    parts = np.concatenate(
        [model.render(root, 0, a, b, EventBuffer()) for a, b in ((0, 2500), (2500, 6001), (6001, 8000))], axis=1
    )
    np.testing.assert_allclose(parts, whole, rtol=0, atol=1e-6 * np.abs(whole).max())


def test_first_record_gives_the_records_and_events_of_the_batch():
    kwargs = {"layout": "2x3", "anaesthesia": "burst_suppression", "amplitude_cv": 0.3, "seed": 13}
    kwargs |= {"epileptiform": {"spike": {"rate": 30.0}}, "return_events": True}
    batch, batch_events = simulate_ioecog(4.0, 1000.0, n_records=4, **kwargs)
    part, part_events = simulate_ioecog(4.0, 1000.0, n_records=2, first_record=1, **kwargs)
    np.testing.assert_array_equal(part.values, batch.values[1:3])
    assert part["record"].values.tolist() == [1, 2]
    expected = batch_events[batch_events["record"].isin([1, 2])].reset_index(drop=True)
    pd.testing.assert_frame_equal(part_events.reset_index(drop=True), expected)
    alone = simulate_ioecog(4.0, 1000.0, first_record=3, **{**kwargs, "return_events": False})
    np.testing.assert_array_equal(alone.values, batch.values[3])


def test_signature_follows_the_generator_contract():
    params = inspect.signature(simulate_ioecog).parameters
    assert list(params)[:2] == ["duration", "sfreq"]
    assert params["sfreq"].default is inspect.Parameter.empty  # required, as in every generator
    tail = ["first_record", "seed", "device", "progress", "return_events"]
    assert list(params)[-len(tail) :] == tail
    assert all(params[name].kind is inspect.Parameter.KEYWORD_ONLY for name in list(params)[2:])
    with pytest.raises(TypeError, match="sfreq"):
        simulate_ioecog(2.0, layout="2x2")


def test_layout_round_trip_through_provenance():
    lay = parse_layout("4x5:G,1x6:LTS@5mm")
    ecog = simulate_ioecog(1.0, 1000.0, layout=lay, epileptiform={}, seed=0)
    assert layout_from_provenance(ecog) == lay


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"zone": ["X9"]}, "zone must name contacts"),
        ({"sfreq": 100.0}, "sfreq must be in"),
        ({"burst_suppression": {"ratio": 0.5}}, "burst_suppression applies"),
        ({"anaesthesia": "burst_suppression", "burst_suppression": {"rate": 1}}, "unknown keys"),
        ({"rhythms": [{"name": "a", "freq": 10, "bandwidth": 2, "height": 1, "region": "posterior"}]}, "region must"),
        ({"seizures": [-1.0]}, "seizures\\[0\\]"),
        ({"layout": 8}, "layout must be"),
        ({"spatial_length": (0.01, 0.0)}, "spatial_length\\[1\\]"),
        ({"anaesthesia": "ketamine"}, "anaesthesia"),
        ({"sfreq": 500.0, "epileptiform": {"fast_ripple": {}}}, "too low for 'fast_ripple'"),
    ],
)
def test_errors_name_the_argument(kwargs, match):
    options = {"sfreq": 1000.0, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        simulate_ioecog(2.0, layout=options.pop("layout", "2x2"), **options)


def test_reference_detectors_find_the_zone_on_default_ioecog():
    from biosynth.fidelity import channel_auc, detect_spikes, event_rates, score_events

    spec = {"spike": {"rate": 20.0}, "ripple": {"rate": 4.0}}
    ecog, truth = simulate_ioecog(60.0, 2000.0, layout="4x4", epileptiform=spec, seed=11, return_events=True)
    zone = ecog.attrs["provenance"]["parameters"]["zone"]
    found = detect_spikes(ecog)
    rates = event_rates(found, duration=60.0, channels=list(ecog["channel"].values))
    assert channel_auc(rates, zone) == 1.0
    truth = truth[(truth["type"] == "spike") & truth["channel"].isin(zone)]
    scores = score_events(truth, found[found["channel"].isin(zone)], match_window=0.05, by=())
    assert scores["recall"].iloc[0] > 0.8 and scores["precision"].iloc[0] > 0.8


def test_amplitude_cv_varies_records_lognormally():
    ecog = simulate_ioecog(2.0, 250.0, n_records=200, layout="1x2", amplitude_cv=0.5, seed=12, **QUIET)
    sd = ecog.values.std(axis=-1).mean(axis=-1)
    log_sd = np.log(sd)
    # lognormal of mean 1 and CV 0.5: log-SD sqrt(log(1 + 0.25)) = 0.47 (plus sampling noise of 2-s records)
    assert np.std(log_sd) == pytest.approx(np.sqrt(np.log(1.25)), rel=0.2)
    fixed = simulate_ioecog(2.0, 250.0, n_records=3, first_record=5, layout="1x2", amplitude_cv=0.5, seed=12, **QUIET)
    np.testing.assert_array_equal(fixed.values, ecog.values[5:8])


def test_torch_filtering_path_agrees_with_numpy():
    pytest.importorskip("torch")
    kwargs = {"layout": "2x3", "anaesthesia": "burst_suppression", "seed": 13}
    cpu = simulate_ioecog(5.0, 1000.0, **kwargs)
    torch_cpu = simulate_ioecog(5.0, 1000.0, device="torch:cpu", **kwargs)
    np.testing.assert_allclose(torch_cpu.values, cpu.values, rtol=0, atol=1e-5 * np.abs(cpu.values).max())


@pytest.mark.gpu
def test_gpu_matches_cpu():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("CUDA not available")
    cpu = simulate_ioecog(5.0, 2000.0, n_records=2, seed=0)
    gpu = simulate_ioecog(5.0, 2000.0, n_records=2, seed=0, device="cuda")
    np.testing.assert_allclose(gpu.values, cpu.values, rtol=0, atol=1e-5 * np.abs(cpu.values).max())
