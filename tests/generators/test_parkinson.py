# SPDX-License-Identifier: BSD-3-Clause
"""simulate_parkinson: medication states, tremor, coherence, coupling, DBS, reproducibility."""

import numpy as np
import pandas as pd
import pytest
from scipy import signal

from biosynth.generators import MEDICATION, simulate_parkinson

SFREQ = 1000.0


def _band_power(x, band, sfreq=SFREQ):
    f, p = signal.welch(x, sfreq, nperseg=int(2 * sfreq), axis=-1)
    keep = (f >= band[0]) & (f <= band[1])
    return np.trapezoid(p[..., keep], f[keep], axis=-1)


@pytest.fixture(scope="module")
def off_on():
    kwargs = {"n_records": 12, "signals": ("lfp", "acc"), "return_events": True}
    return {state: simulate_parkinson(60.0, SFREQ, medication=state, seed=0, **kwargs) for state in ("off", "on")}


def test_burst_statistics_follow_the_medication_presets(off_on):
    for state, (_, events) in off_on.items():
        bursts = events[events["type"] == "beta_burst"]
        preset = MEDICATION[state]
        # lognormal lengths of the set mean (clipped tails aside), rate per minute as set
        assert bursts["duration"].mean() == pytest.approx(preset["burst_duration"], rel=0.1)
        assert len(bursts) / 12.0 == pytest.approx(preset["burst_rate"], rel=0.1)
        assert bursts["amplitude"].mean() == pytest.approx(preset["burst_amplitude"], rel=0.1)
    off, on = (off_on[s][1] for s in ("off", "on"))
    durations = [e.loc[e["type"] == "beta_burst", "duration"].mean() for e in (off, on)]
    assert durations[0] > 1.25 * durations[1]


def test_off_has_more_beta_power_and_tremor_than_on(off_on):
    beta = {s: _band_power(off_on[s][0]["lfp"].values[:, 0], (13.0, 30.0)) for s in off_on}
    # Foffani et al. 2005: low beta 0.74 vs 0.42 log units OFF vs ON, a ratio of 1.4 (ln) to 2.1 (log10)
    assert 1.4 < np.median(beta["off"]) / np.median(beta["on"]) < 2.1
    tremor = {s: _band_power(off_on[s][0]["acc"].values[:, 0], (4.0, 6.0)) for s in off_on}
    assert np.median(tremor["off"]) > 5.0 * np.median(tremor["on"])
    for state, (_, events) in off_on.items():
        share = events.loc[events["type"] == "tremor", "duration"].sum() / (12 * 60.0)
        assert share == pytest.approx(MEDICATION[state]["tremor_share"], abs=0.12)


def test_tremor_frequency_and_alternating_emg():
    out = simulate_parkinson(60.0, SFREQ, tremor={"tremor_share": 1.0}, tremor_freq=4.5, seed=2)
    f, p = signal.welch(out["acc"].values[0], SFREQ, nperseg=8000)
    assert f[np.argmax(p)] == pytest.approx(4.5, abs=0.2)
    emg = out["emg"].values
    envelopes = [signal.sosfiltfilt(signal.butter(2, 10.0, fs=SFREQ, output="sos"), np.abs(e)) for e in emg]
    # extensor and flexor bursts alternate: their envelopes are anti-correlated at the tremor rate
    assert np.corrcoef(envelopes)[0, 1] < -0.3


def test_cortico_muscular_coherence_follows_the_cortical_tremor_drive():
    def cmc(amplitude):
        out = simulate_parkinson(120.0, SFREQ, tremor={"tremor_share": 1.0}, cortical_tremor=amplitude, seed=3)
        rectified = np.abs(
            signal.sosfiltfilt(signal.butter(4, 20.0, "highpass", fs=SFREQ, output="sos"), out["emg"].values[0])
        )
        f, c = signal.coherence(out["eeg"].values[0], rectified, SFREQ, nperseg=2000)
        return c[np.argmin(np.abs(f - 5.0))]

    none, weak, strong = cmc(0.0), cmc(2e-6), cmc(6e-6)
    assert none < 0.05 < weak < strong
    assert strong > 0.3


def test_motor_cortex_leads_the_emg_at_the_tremor_frequency():
    out = simulate_parkinson(120.0, SFREQ, tremor={"tremor_share": 1.0}, cortical_tremor=6e-6, seed=3)
    hp = signal.butter(4, 20.0, "highpass", fs=SFREQ, output="sos")
    rectified = np.abs(signal.sosfiltfilt(hp, out["emg"].values[0]))
    f, cross = signal.csd(out["eeg"].values[0], rectified, SFREQ, nperseg=2000)
    k = np.argmin(np.abs(f - 5.0))
    # csd = conj(EEG) x EMG: a negative phase means the EEG is ahead; 20 ms (Timmermann et al. 2003)
    assert -np.angle(cross[k]) / (2 * np.pi * f[k]) == pytest.approx(0.02, abs=0.005)


def _tort_mi(x, phase_band, amp_band, n_bins=18):
    """Tort et al. 2010 modulation index from its definition (reference for the test)."""
    sos_p = signal.butter(4, phase_band, "bandpass", fs=SFREQ, output="sos")
    sos_a = signal.butter(4, amp_band, "bandpass", fs=SFREQ, output="sos")
    phase = np.angle(signal.hilbert(signal.sosfiltfilt(sos_p, x)))
    amp = np.abs(signal.hilbert(signal.sosfiltfilt(sos_a, x)))
    bins = np.digitize(phase, np.linspace(-np.pi, np.pi, n_bins + 1)[1:-1])
    mean_amp = np.bincount(bins, weights=amp, minlength=n_bins) / np.bincount(bins, minlength=n_bins)
    p = mean_amp / mean_amp.sum()
    return float(np.sum(p * np.log(p * n_bins)) / np.log(n_bins))


def test_beta_gamma_coupling_grows_with_pac():
    mi = [
        _tort_mi(simulate_parkinson(60.0, SFREQ, pac=m, gamma_amplitude=1e-6, signals=("lfp",), seed=4)["lfp"]
                 .values[0], (15.0, 25.0), (60.0, 90.0))
        for m in (0.0, 0.5, 1.0)
    ]  # fmt: skip
    assert mi[0] < mi[1] < mi[2]
    assert mi[0] < 1e-3 and mi[2] > 5 * mi[0]


def test_cortex_leads_the_stn():
    out = simulate_parkinson(60.0, SFREQ, cortex_lead=0.012, eeg_beta=2.0, signals=("lfp", "eeg"), seed=5)
    sos = signal.butter(4, (15.0, 25.0), "bandpass", fs=SFREQ, output="sos")
    stn, ctx = (signal.sosfiltfilt(sos, out[k].values[0]) for k in ("lfp", "eeg"))
    lags = np.arange(-24, 25)  # within half a beta period (50 ms at 20 Hz) of zero
    xc = [np.dot(ctx[30 + k : -30 + k], stn[30:-30]) for k in lags]
    # the cortex at t matches the STN at t + 12 ms: the best shift of the cortex is -12 samples
    assert lags[int(np.argmax(xc))] == pytest.approx(-12, abs=2)


def test_dbs_adds_the_stimulation_line_and_suppresses_bursts():
    _, ev_off = simulate_parkinson(60.0, SFREQ, signals=("lfp",), seed=6, return_events=True)
    dbs, ev_dbs = simulate_parkinson(
        60.0, SFREQ, signals=("lfp",), dbs={"freq": 130.0, "beta_suppression": 0.5}, seed=6, return_events=True
    )
    f, p = signal.welch(dbs["lfp"].values[0], SFREQ, nperseg=2000)
    line = p[np.argmin(np.abs(f - 130.0))]
    assert line > 1000 * np.median(p[(f > 100) & (f < 160)])  # the stimulation line towers over its neighbours
    amp_off = ev_off.loc[ev_off["type"] == "beta_burst", "amplitude"].mean()
    amp_dbs = ev_dbs.loc[ev_dbs["type"] == "beta_burst", "amplitude"].mean()
    assert amp_dbs / amp_off == pytest.approx(0.5, rel=0.15)
    assert "dbs" in set(ev_dbs["type"])


def test_a_classifier_separates_off_from_on():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    states = ["off", "on"] * 20
    out = simulate_parkinson(60.0, SFREQ, n_records=40, medication=states, signals=("lfp",), seed=7)
    x = out["lfp"].values
    features = np.column_stack(
        [np.log(_band_power(x[:, c], band)) for c in range(3) for band in ((4.0, 12.0), (13.0, 30.0), (30.0, 60.0))]
    )
    y = np.array([s == "off" for s in states])
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    assert cross_val_score(model, features, y, cv=5).mean() > 0.9


def test_reproducible_and_records_independent_of_batch_and_signals():
    batch, events = simulate_parkinson(
        5.0, SFREQ, n_records=3, medication=["off", "on", "off"], seed=8, return_events=True
    )
    alone, ev_alone = simulate_parkinson(
        5.0, SFREQ, n_records=1, first_record=1, medication="on", seed=8, return_events=True
    )
    for kind in batch:
        np.testing.assert_array_equal(batch[kind].values[1], alone[kind].values[0])
    np.testing.assert_allclose(events.loc[events["record"] == 1, "onset"].to_numpy(), ev_alone["onset"].to_numpy())
    only_eeg = simulate_parkinson(5.0, SFREQ, n_records=3, medication=["off", "on", "off"], signals=("eeg",), seed=8)
    np.testing.assert_array_equal(only_eeg["eeg"].values, batch["eeg"].values)
    assert not np.allclose(batch["lfp"].values[0], batch["lfp"].values[2])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"medication": "maybe"}, "medication must be one of"),
        ({"medication": ["off", "on"]}, "one per record"),
        ({"signals": ("lfp", "mri")}, "signals must be one of"),
        ({"sfreq": 500.0}, "too low for the EMG"),
        ({"beta_freq": 40.0}, "beta_freq"),
        ({"bursts": {"rate": 3}}, "unknown keys"),
        ({"dbs": {"freq": 130.0, "pulse_width": 3e-3}}, "dbs\\['pulse_width'\\]"),
        ({"gamma_band": (60.0, 700.0)}, "gamma_band"),
        ({"duration": 1.0}, "duration"),
    ],
)
def test_errors_name_the_argument(kwargs, match):
    options = {"duration": 10.0, "sfreq": SFREQ, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        simulate_parkinson(options.pop("duration"), options.pop("sfreq"), **options)


def test_sfreq_is_required():
    with pytest.raises(TypeError, match="sfreq"):
        simulate_parkinson(10.0, seed=0)


def test_provenance_is_the_shared_builders():
    out = simulate_parkinson(3.0, SFREQ, signals=("lfp",), seed=3)
    provenance = out["lfp"].attrs["provenance"]
    assert provenance["generator"] == "biosynth.generators.simulate_parkinson"
    assert provenance["seed"] == {"entropy": "3", "spawn_key": []}
    parameters = provenance["parameters"]
    assert parameters["sfreq"] == SFREQ and parameters["first_record"] == 0
    assert not {"device", "progress", "return_events"} & set(parameters)


def test_first_record_gives_the_records_of_a_larger_batch():
    kwargs = {"signals": ("lfp", "emg"), "seed": 12, "return_events": True}
    batch, events = simulate_parkinson(3.0, SFREQ, n_records=4, **kwargs)
    part, part_events = simulate_parkinson(3.0, SFREQ, n_records=2, first_record=2, **kwargs)
    for kind in batch:
        np.testing.assert_array_equal(part[kind].values, batch[kind].values[2:])
        assert list(part[kind].record.values) == [2, 3]
    pd.testing.assert_frame_equal(part_events, events[events["record"] >= 2].reset_index(drop=True))
    single, single_events = simulate_parkinson(3.0, SFREQ, first_record=3, **kwargs)
    np.testing.assert_array_equal(single["lfp"].values, batch["lfp"].values[3])
    assert single["lfp"].dims == ("channel", "time")
    np.testing.assert_array_equal(single_events["onset"], events.loc[events["record"] == 3, "onset"])


def test_torch_cpu_device_matches_cpu():
    pytest.importorskip("torch")
    kwargs = {"n_records": 2, "dbs": True, "seed": 13, "return_events": True}
    cpu, cpu_events = simulate_parkinson(3.0, SFREQ, **kwargs)
    torch_cpu, torch_events = simulate_parkinson(3.0, SFREQ, device="torch:cpu", **kwargs)
    for kind in cpu:
        np.testing.assert_allclose(torch_cpu[kind].values, cpu[kind].values, rtol=1e-9, atol=1e-18)
    pd.testing.assert_frame_equal(torch_events, cpu_events)
    assert torch_cpu["lfp"].attrs["provenance"] == cpu["lfp"].attrs["provenance"]


def test_bad_device_is_refused():
    with pytest.raises((ValueError, TypeError), match="device"):
        simulate_parkinson(3.0, SFREQ, device=3, seed=0)
