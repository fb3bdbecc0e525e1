# SPDX-License-Identifier: BSD-3-Clause
import sys
import warnings

import numpy as np
import pytest
import xarray as xr
from scipy.interpolate import CubicSpline
from scipy.signal import welch

from biosynth.generators.ecg import _dipole, simulate_ecg

SFREQ = 250.0
LANDMARKS = ["P_onset", "P", "P_offset", "QRS_onset", "Q", "R", "S", "QRS_offset", "T_onset", "T", "T_offset"]


def _onsets(events, kind, record=None):
    rows = events[events["type"] == kind]
    if record is not None:
        rows = rows[rows["record"] == record]
    return rows["onset"].to_numpy()


def _per_beat(events):
    """Landmark times per beat: DataFrame indexed by (record, beat), one column per type."""
    return events.pivot_table(index=["record", "beat"], columns="type", values="onset")


def test_dims_attrs_units_and_provenance():
    ecg = simulate_ecg(4.0, SFREQ, n_records=2, seed=0)
    assert ecg.dims == ("record", "channel", "time")
    assert ecg.shape == (2, 1, 1000)
    assert ecg["channel"].values.tolist() == ["II"]
    assert ecg.attrs["units"] == "V" and ecg.attrs["modality"] == "ecg" and ecg.attrs["sfreq"] == SFREQ
    prov = ecg.attrs["provenance"]
    assert prov["generator"] == "biosynth.generators.simulate_ecg"
    assert prov["seed"] == {"entropy": "0", "spawn_key": []}
    assert prov["parameters"]["heart_rate"] == 60.0
    assert prov["parameters"]["morphology"]["R"] == [0.0, 30.0, 0.1]
    single, events = simulate_ecg(4.0, SFREQ, seed=0, return_events=True)
    assert single.dims == ("channel", "time")
    assert set(events["record"]) == {0} and set(events["channel"]) == {""} and set(events["beat_type"]) == {"N"}
    assert set(events["type"]) == set(LANDMARKS)
    assert (events["duration"] == 0).all()


def test_same_seed_same_data_and_events():
    a, ea = simulate_ecg(4.0, SFREQ, n_records=3, seed=5, return_events=True)
    b, eb = simulate_ecg(4.0, SFREQ, n_records=3, seed=5, return_events=True)
    xr.testing.assert_identical(a, b)
    assert ea.equals(eb)
    assert not np.array_equal(a.values, simulate_ecg(4.0, SFREQ, n_records=3, seed=6).values)


@pytest.mark.parametrize("chunk_size", [1, 2, None])
def test_record_independent_of_batch_size_and_chunking(chunk_size):
    big, big_events = simulate_ecg(4.0, SFREQ, n_records=6, seed=11, return_events=True)
    small, small_events = simulate_ecg(4.0, SFREQ, n_records=3, seed=11, chunk_size=chunk_size, return_events=True)
    np.testing.assert_array_equal(small.values, big.values[:3])
    assert small_events.equals(big_events[big_events["record"] < 3].reset_index(drop=True))
    # chunking changes memory use, not the data, so it is not in the provenance
    assert small.attrs["provenance"] == simulate_ecg(4.0, SFREQ, n_records=3, seed=11).attrs["provenance"]
    alone, alone_events = simulate_ecg(4.0, SFREQ, n_records=1, first_record=4, seed=11, return_events=True)
    np.testing.assert_array_equal(alone.values[0], big.values[4])
    assert alone["record"].values.tolist() == [4]
    assert alone_events.equals(big_events[big_events["record"] == 4].reset_index(drop=True))


def test_single_record_at_first_record_equals_that_record_of_a_batch():
    batch, batch_events = simulate_ecg(4.0, SFREQ, n_records=3, seed=12, snr_db=15.0, return_events=True)
    single, events = simulate_ecg(4.0, SFREQ, first_record=2, seed=12, snr_db=15.0, return_events=True)
    assert single.dims == ("channel", "time")
    np.testing.assert_array_equal(single.values, batch.values[2])
    mine = batch_events[batch_events["record"] == 2].reset_index(drop=True)
    np.testing.assert_array_equal(events["onset"], mine["onset"])
    assert set(events["record"]) == {0}  # a single recording's events are record 0, as its container has no record dim
    assert single.attrs["provenance"]["parameters"]["first_record"] == 2


def test_none_seed_is_recorded_and_regenerates():
    ecg = simulate_ecg(3.0, SFREQ, n_records=2)
    entropy = int(ecg.attrs["provenance"]["seed"]["entropy"])
    np.testing.assert_array_equal(ecg.values, simulate_ecg(3.0, SFREQ, n_records=2, seed=entropy).values)


def test_no_global_rng_use():
    state = np.random.get_state()[1].copy()  # noqa: NPY002 - the legacy global state is what we check
    simulate_ecg(3.0, SFREQ, n_records=2, seed=0)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002


def _f1(detected, truth, tolerance):
    """F1 of a one-to-one greedy matching of detected to true times within ``tolerance`` s."""
    free = np.ones(truth.size, dtype=bool)
    hits = 0
    for t in detected:
        gap = np.where(free, np.abs(truth - t), np.inf)
        j = int(np.argmin(gap))
        if gap[j] <= tolerance:
            free[j] = False
            hits += 1
    return 2.0 * hits / (detected.size + truth.size)


@pytest.mark.parametrize("heart_rate", [40.0, 70.0, 120.0, 180.0])
def test_neurokit_detects_requested_heart_rate_and_true_r_peaks(heart_rate):
    nk = pytest.importorskip("neurokit2")
    duration = 60.0
    ecg, events = simulate_ecg(
        duration, SFREQ, heart_rate=heart_rate, heart_rate_std=0.5, seed=int(heart_rate), return_events=True
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # neurokit2's own deprecation and runtime warnings
        cleaned = nk.ecg_clean(ecg.values[0], sampling_rate=SFREQ)
        _, info = nk.ecg_peaks(cleaned, sampling_rate=SFREQ)
    detected = np.asarray(info["ECG_R_Peaks"]) / SFREQ
    assert 60.0 / np.mean(np.diff(detected)) == pytest.approx(heart_rate, abs=1.0)
    # the detector's filters can miss a beat cut by the record's edges: compare inside them
    truth = _onsets(events, "R")
    inside = (0.5, duration - 0.5)
    truth = truth[(truth > inside[0]) & (truth < inside[1])]
    detected = detected[(detected > inside[0]) & (detected < inside[1])]
    assert _f1(detected, truth, tolerance=0.05) >= 0.99


def test_intervals_physiological_at_60_bpm():
    _, events = simulate_ecg(30.0, 500.0, n_records=2, seed=2, return_events=True)
    beats = _per_beat(events).dropna()  # whole beats only
    assert len(beats) >= 50
    # landmarks of every beat in their physiological order
    assert (np.diff(beats[LANDMARKS].to_numpy(), axis=1) > 0).all()
    pr = beats["QRS_onset"] - beats["P_onset"]  # P onset to QRS onset
    qrs = beats["QRS_offset"] - beats["QRS_onset"]
    qt = beats["T_offset"] - beats["QRS_onset"]  # QRS onset to T end
    assert pr.between(0.120, 0.200).all(), pr.describe()
    assert qrs.between(0.060, 0.110).all(), qrs.describe()
    assert qt.between(0.350, 0.450).all(), qt.describe()


def test_table_1_morphology_has_a_wide_qrs():
    """The paper's Table 1 puts Q and S 42 ms from R: its QRS is about 150 ms at 60 bpm."""
    _, events = simulate_ecg(10.0, 500.0, morphology="mcsharry2003", seed=0, return_events=True)
    beats = _per_beat(events).dropna()
    qrs = (beats["QRS_offset"] - beats["QRS_onset"]).median()
    assert qrs == pytest.approx(2 * (np.pi / 12 + 0.2) / (2 * np.pi), rel=0.02)


def _band_powers(r_peaks):
    """LF (0.04-0.15 Hz) and HF (0.15-0.4 Hz) power of the RR tachogram, resampled at 4 Hz."""
    rr = np.diff(r_peaks)
    grid = np.arange(r_peaks[1], r_peaks[-1], 0.25)
    tachogram = CubicSpline(r_peaks[1:], rr)(grid)
    freqs, psd = welch(tachogram - tachogram.mean(), 4.0, nperseg=256, detrend="linear")
    lf = psd[(freqs >= 0.04) & (freqs < 0.15)].sum()
    hf = psd[(freqs >= 0.15) & (freqs < 0.4)].sum()
    return lf, hf


@pytest.mark.parametrize(("lf_hf_ratio", "heart_rate"), [(0.5, 60.0), (2.0, 90.0)])
def test_lf_hf_ratio_of_the_rr_series(lf_hf_ratio, heart_rate):
    # Welch on one 5-min record scatters by about 15% (narrow spectral peaks, 64-s
    # segments): pool the band powers of 16 records (about +4% +- 3% over seeds)
    n_records = 16
    _, events = simulate_ecg(
        300.0, 100.0, n_records=n_records, heart_rate=heart_rate, lf_hf_ratio=lf_hf_ratio, seed=7, return_events=True
    )
    powers = np.array([_band_powers(_onsets(events, "R", record=i)) for i in range(n_records)])
    lf, hf = powers.sum(axis=0)
    assert lf / hf == pytest.approx(lf_hf_ratio, rel=0.2)


def test_rr_mean_and_sd_as_requested():
    heart_rate, heart_rate_std = 75.0, 3.0
    _, events = simulate_ecg(
        300.0, 100.0, n_records=4, heart_rate=heart_rate, heart_rate_std=heart_rate_std, seed=3, return_events=True
    )
    rr = [np.diff(_onsets(events, "R", record=i)) for i in range(4)]
    assert np.mean(np.concatenate(rr)) == pytest.approx(60.0 / heart_rate, rel=0.01)
    assert np.mean([r.std() for r in rr]) == pytest.approx(60.0 * heart_rate_std / heart_rate**2, rel=0.15)


def test_r_peak_amplitude_above_isoelectric_line():
    amplitude = 2e-3
    ecg, events = simulate_ecg(20.0, 1000.0, amplitude=amplitude, baseline_wander=0.0, seed=4, return_events=True)

    def at(kind):
        return ecg.values[0, np.rint(_onsets(events, kind) * 1000.0).astype(int)]

    assert np.median(at("R")) == pytest.approx(amplitude, rel=0.03)
    assert np.abs(at("QRS_onset")).max() < 0.03 * amplitude  # isoelectric line (PR segment) at 0 V


def test_r_events_are_the_phase_crossings_on_the_signal_peaks():
    ecg, events = simulate_ecg(10.0, 1000.0, heart_rate=80.0, baseline_wander=0.0, seed=8, return_events=True)
    r = _onsets(events, "R")
    assert r.size >= 12
    for t in r[(r > 0.1) & (r < 9.9)]:
        window = slice(int((t - 0.05) * 1000), int((t + 0.05) * 1000))
        peak = (window.start + np.argmax(ecg.values[0, window])) / 1000.0
        assert abs(peak - t) <= 0.004  # Q and S pull the sampled maximum a little


def test_zero_amplitude_wave_has_no_events():
    _, events = simulate_ecg(5.0, SFREQ, morphology={"Q": (-0.163, 0.0, 0.06)}, seed=0, return_events=True)
    assert "Q" not in set(events["type"]) and "QRS_onset" in set(events["type"])


def test_dipole_shares_the_phase_and_matches_lead_ii_model():
    axes = {"x": "normal", "y": "normal", "z": "mcsharry2003"}
    dipole = _dipole(4.0, SFREQ, axes, n_records=2, seed=3)
    assert dipole.shape == (2, 3, 1000)
    np.testing.assert_array_equal(dipole[:, 0], dipole[:, 1])
    # lead II is the same z-variable shifted and scaled (no baseline wander in either)
    ecg = simulate_ecg(4.0, SFREQ, n_records=2, seed=3, baseline_wander=0.0).values[:, 0]
    for model, volts in zip(dipole[:, 0], ecg, strict=True):
        slope, offset = np.polyfit(model, volts, 1)
        np.testing.assert_allclose(slope * model + offset, volts, rtol=0, atol=1e-12)
    # same R peaks on every axis: one phase drives them all
    x_peak, z_peak = np.argmax(dipole[:, 0], axis=-1), np.argmax(dipole[:, 2], axis=-1)
    assert np.abs(x_peak - z_peak).max() <= 1


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"sfreq": -250.0}, ValueError, "sfreq must be a positive finite number in Hz, got -250"),
        ({"sfreq": 50.0}, ValueError, r"sfreq must lie in \[100, inf\] in Hz \(the QRS complex lasts about 100 ms"),
        ({"heart_rate": 250.0}, ValueError, r"heart_rate must lie in \[30, 200\] in bpm .*got 250"),
        ({"heart_rate": 20.0}, ValueError, r"heart_rate must lie in \[30, 200\] in bpm .*got 20"),
        ({"duration": -1.0}, ValueError, "duration must be a positive finite number in s, got -1"),
        ({"duration": 0.0}, ValueError, "duration must be a positive finite number in s, got 0"),
        ({"duration": 1.5}, ValueError, r"duration must cover at least 2 beats \(2 s at heart_rate=60 bpm\), got 1.5"),
        ({"lf_hf_ratio": 0.0}, ValueError, "lf_hf_ratio must be a positive finite number, got 0"),
        ({"lf_hf_ratio": -1.0}, ValueError, "lf_hf_ratio must be a positive finite number, got -1"),
        ({"heart_rate_std": 20.0}, ValueError, r"heart_rate_std must lie in \[0, 12\] in bpm \(at most heart_rate / 5"),
        ({"lf_freq": 0.3}, ValueError, r"lf_freq must lie in \(0, 0.25\) in Hz \(below hf_freq=0.25 Hz\)"),
        ({"hf_freq": 1.5}, ValueError, r"hf_freq must lie in \(0, 1\] in Hz"),
        ({"lf_std": 0.0}, ValueError, "lf_std must lie in"),
        ({"amplitude": 0.0}, ValueError, "amplitude must be a positive finite number in V"),
        ({"baseline_wander": -1e-4}, ValueError, "baseline_wander must lie in"),
        ({"n_records": 0}, ValueError, "n_records must be an integer >= 1, got 0"),
        ({"chunk_size": 1.5}, TypeError, "chunk_size must be an integer"),
        ({"seed": -3}, ValueError, "seed must be a non-negative int"),
        ({"device": 0}, TypeError, "device must be a str"),
        ({"return_events": "yes"}, TypeError, "return_events must be a bool"),
        ({"morphology": "abnormal"}, ValueError, r"morphology must be one of \['mcsharry2003', 'normal'\]"),
        ({"morphology": 3}, TypeError, "morphology must be a preset name or a mapping"),
        ({"morphology": {"U": (2.0, 0.1, 0.2)}}, ValueError, r"morphology has unknown waves \['U'\]"),
        ({"morphology": {"T": (1.5, 0.3)}}, ValueError, r"morphology\['T'\] must be \(theta \[rad\], a, b \[rad\]\)"),
        ({"morphology": {"T": (1.5, 0.3, 0.0)}}, ValueError, r"morphology\['T'\] b must be a positive"),
        ({"morphology": {"Q": (0.5, -5.0, 0.1)}}, ValueError, "morphology angles must increase in the order P, Q"),
        ({"morphology": {"R": (0.0, -30.0, 0.1)}}, ValueError, r"morphology\['R'\] amplitude a must be positive"),
        ({"morphology": {"T": (3.0, 0.75, 1.2)}}, ValueError, "morphology spans .* more than one cycle"),
    ],
)
def test_bad_parameters_name_themselves(kwargs, err, match):
    args = {"duration": 4.0, "sfreq": SFREQ} | kwargs
    with pytest.raises(err, match=match) as info:
        simulate_ecg(args.pop("duration"), args.pop("sfreq"), **args)
    assert "\n" not in str(info.value)


def test_torch_path_without_torch_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    with pytest.raises(ImportError, match=r"device='cuda' needs PyTorch.*pip install 'biosynth\[torch\]'"):
        simulate_ecg(4.0, SFREQ, device="cuda")


def test_torch_cpu_path_matches_numba():
    pytest.importorskip("torch")
    numba_path, numba_events = simulate_ecg(2.5, 200.0, n_records=3, heart_rate=100.0, seed=0, return_events=True)
    torch_path, torch_events = simulate_ecg(
        2.5, 200.0, n_records=3, heart_rate=100.0, seed=0, device="torch:cpu", return_events=True
    )
    np.testing.assert_allclose(torch_path.values, numba_path.values, rtol=0, atol=1e-12 * 1e-3)
    assert (torch_events["type"] == numba_events["type"]).all()
    np.testing.assert_allclose(torch_events["onset"], numba_events["onset"], rtol=0, atol=1e-9)


def test_cuda_without_gpu_is_a_clear_error():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(RuntimeError, match="device='cuda' was asked for but CUDA is not available"):
        simulate_ecg(4.0, SFREQ, device="cuda")


@pytest.mark.gpu
def test_gpu_matches_cpu():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("CUDA not available")
    cpu = simulate_ecg(4.0, SFREQ, n_records=8, seed=0)
    gpu = simulate_ecg(4.0, SFREQ, n_records=8, seed=0, device="cuda")
    np.testing.assert_allclose(gpu.values, cpu.values, rtol=0, atol=1e-12 * 1e-3)


def test_sampling_rate_beyond_any_recorder_is_refused_at_once():
    with pytest.raises(
        ValueError, match=r"sfreq must be at most 20000 Hz \(no ECG recorder samples faster\), got 1e\+07"
    ):
        simulate_ecg(10.0, 1e7)
