# SPDX-License-Identifier: BSD-3-Clause
import inspect
import sys

import numpy as np
import pytest
import xarray as xr
from scipy.signal import welch

from biosynth.datasets import load_sample
from biosynth.fidelity.spectral import aperiodic_fit, peak_frequency
from biosynth.generators import match_recording, simulate_eeg
from biosynth.signals import make_signals

SFREQ = 256.0


def test_same_seed_same_data_and_labels():
    a = simulate_eeg(2.0, SFREQ, n_records=3, seed=5)
    b = simulate_eeg(2.0, SFREQ, n_records=3, seed=5)
    xr.testing.assert_identical(a, b)
    assert not np.array_equal(a.values, simulate_eeg(2.0, SFREQ, n_records=3, seed=6).values)


def test_dims_attrs_units():
    x = simulate_eeg(2.0, SFREQ, n_records=2, ch_names=["O1", "O2"], seed=0)
    assert x.dims == ("record", "channel", "time")
    assert x.shape == (2, 2, 512)
    assert x.attrs["units"] == "V" and x.attrs["modality"] == "eeg" and x.attrs["sfreq"] == SFREQ
    prov = x.attrs["provenance"]
    assert prov["generator"] == "biosynth.generators.simulate_eeg"
    assert prov["seed"] == {"entropy": "0", "spawn_key": []}
    assert prov["parameters"]["rhythms"][0] | {"freq": 10.0} == prov["parameters"]["rhythms"][0]
    assert simulate_eeg(1.0, SFREQ, seed=0).dims == ("channel", "time")


@pytest.mark.parametrize("n_records", [1, 2, 3])
def test_record_independent_of_batch_size(n_records):
    big = simulate_eeg(1.0, SFREQ, n_records=7, seed=11)
    small = simulate_eeg(1.0, SFREQ, n_records=n_records, seed=11)
    np.testing.assert_array_equal(small.values, big.values[:n_records])
    alone = simulate_eeg(1.0, SFREQ, n_records=1, first_record=5, seed=11)
    np.testing.assert_array_equal(alone.values[0], big.values[5])
    assert alone["record"].values.tolist() == [5]


def test_chunk_size_is_removed_with_a_future_warning():
    plain = simulate_eeg(1.0, SFREQ, n_records=3, seed=11)
    with pytest.warns(FutureWarning, match=r"simulate_eeg\(chunk_size=...\) has no effect"):
        old = simulate_eeg(1.0, SFREQ, n_records=3, seed=11, chunk_size=2)
    np.testing.assert_array_equal(old.values, plain.values)
    assert old.attrs["provenance"] == plain.attrs["provenance"]
    assert "chunk_size" not in inspect.signature(simulate_eeg).parameters


def test_signature_follows_the_generator_contract():
    params = inspect.signature(simulate_eeg).parameters
    assert list(params)[:2] == ["duration", "sfreq"]
    assert params["sfreq"].default is inspect.Parameter.empty
    tail = ["first_record", "seed", "device", "progress", "return_events"]
    assert list(params)[-len(tail) :] == tail
    assert all(params[name].kind is inspect.Parameter.KEYWORD_ONLY for name in list(params)[2:])


def test_none_seed_is_recorded_and_regenerates():
    x = simulate_eeg(1.0, SFREQ, n_records=2)
    entropy = int(x.attrs["provenance"]["seed"]["entropy"])
    again = simulate_eeg(1.0, SFREQ, n_records=2, seed=entropy)
    np.testing.assert_array_equal(x.values, again.values)


def test_no_global_rng_use():
    state = np.random.get_state()[1].copy()  # noqa: NPY002 - the legacy global state is what we check
    simulate_eeg(1.0, SFREQ, n_records=2, seed=0)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002


def _grand_psd(x):
    freqs, psd = welch(x.values, SFREQ, nperseg=int(4 * SFREQ))
    return freqs, psd.mean(axis=(0, 1))


@pytest.mark.parametrize("alpha_freq", [8.5, 10.0, 12.0])
def test_alpha_peak_at_requested_frequency(alpha_freq):
    x = simulate_eeg(8.0, SFREQ, n_records=20, alpha_freq=alpha_freq, seed=1)
    freqs, psd = _grand_psd(x)
    band = (freqs >= 5) & (freqs <= 20)
    assert abs(freqs[band][np.argmax(psd[band])] - alpha_freq) <= 0.25  # 0.25 Hz resolution


@pytest.mark.parametrize("exponent", [1.0, 1.5, 2.0])
def test_aperiodic_exponent_recovered(exponent):
    x = simulate_eeg(8.0, SFREQ, n_records=20, aperiodic_exponent=exponent, seed=2)
    freqs, psd = _grand_psd(x)
    fit = ((freqs >= 2) & (freqs <= 6)) | ((freqs >= 18) & (freqs <= 60))  # away from the alpha peak
    slope = np.polyfit(np.log10(freqs[fit]), np.log10(psd[fit]), 1)[0]
    assert abs(-slope - exponent) < 0.1


def test_alpha_height_in_log10_power():
    x = simulate_eeg(8.0, SFREQ, n_records=40, alpha_height=1.0, alpha_bandwidth=2.0, seed=3)
    flat = simulate_eeg(8.0, SFREQ, n_records=40, alpha_height=0.0, seed=3)
    freqs, psd = _grand_psd(x)
    _, psd0 = _grand_psd(flat)
    i = np.argmin(abs(freqs - 10.0))
    # same seed, same draws: the ratio of spectra is the ratio of the shapes up to one scale factor;
    # compare the peak with a point far from it (30 Hz) to cancel the scale
    j = np.argmin(abs(freqs - 30.0))
    assert np.log10((psd[i] / psd0[i]) / (psd[j] / psd0[j])) == pytest.approx(1.0, abs=0.05)


def test_amplitude_and_spatial_correlation():
    x = simulate_eeg(4.0, SFREQ, n_records=50, ch_names=list("ABCDE"), amplitude=30e-6, spatial_correlation=0.5, seed=4)
    assert np.sqrt(np.mean(x.values.var(axis=-1))) == pytest.approx(30e-6, rel=0.05)  # the expected SD
    corr = np.mean([np.corrcoef(r) for r in x.values], axis=0)
    off = corr[~np.eye(5, dtype=bool)]
    assert np.mean(off) == pytest.approx(0.5, abs=0.05)


def test_match_recording_on_real_eeg():
    real = load_sample("eeglab")
    like = match_recording(real)
    assert like["sfreq"] == 128.0 and len(like["ch_names"]) == 32
    assert 5e-6 < like["amplitude"] < 1e-4  # scalp EEG: tens of microvolts
    real_corr = np.corrcoef(real.values.astype(np.float64))[~np.eye(32, dtype=bool)].mean()
    assert like["spatial_correlation"] == pytest.approx(real_corr, rel=1e-6)
    x = simulate_eeg(4.0, n_records=30, seed=0, **like)
    assert np.median(x.std(dim="time").values) == pytest.approx(like["amplitude"], rel=0.1)
    x_corr = np.mean([np.corrcoef(r) for r in x.values], axis=0)[~np.eye(32, dtype=bool)].mean()
    assert x_corr == pytest.approx(real_corr, abs=0.05)


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"sfreq": -250.0}, ValueError, "sfreq must be a positive finite number in Hz, got -250"),
        ({"duration": -1.0}, ValueError, "duration must be a positive finite number in s"),
        ({"duration": 0.001}, ValueError, "fewer than 2 samples"),
        ({"alpha_freq": 200.0}, ValueError, r"alpha_freq must lie in \(0, 128\) in Hz \(Nyquist is 128 Hz"),
        ({"aperiodic_exponent": 7.0}, ValueError, "aperiodic_exponent must lie in"),
        ({"amplitude": 0.0}, ValueError, r"amplitude must lie in \(0, 0.01\] in V"),
        ({"amplitude": 20.0}, ValueError, r"amplitude must lie in \(0, 0.01\] in V, got 20"),
        ({"sfreq": 40.0}, ValueError, r"default rhythms \['beta'\] need sfreq above 52 Hz.*rhythms=\(\)"),
        ({"sfreq": 1e6}, ValueError, "sfreq must be at most 25000 Hz"),
        ({"spatial_correlation": 1.0}, ValueError, "spatial_correlation must lie in"),
        ({"n_records": 0}, ValueError, "n_records must be an integer >= 1, got 0"),
        ({"ch_names": "Cz"}, ValueError, "ch_names must be a non-empty sequence"),
        ({"seed": -3}, ValueError, "seed must be a non-negative int"),
        ({"device": 0}, TypeError, "device must be a str"),
    ],
)
def test_bad_parameters_name_themselves(kwargs, err, match):
    args = {"duration": 1.0, "sfreq": SFREQ} | kwargs
    with pytest.raises(err, match=match):
        simulate_eeg(args.pop("duration"), args.pop("sfreq"), **args)


def test_torch_path_without_torch_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    with pytest.raises(ImportError, match=r"device='cuda' needs PyTorch.*pip install 'biosynth\[torch\]'"):
        simulate_eeg(1.0, SFREQ, device="cuda")


def test_torch_cpu_path_matches_numpy():
    pytest.importorskip("torch")
    numpy_path = simulate_eeg(2.0, SFREQ, n_records=4, seed=0)
    torch_path = simulate_eeg(2.0, SFREQ, n_records=4, seed=0, device="torch:cpu")
    np.testing.assert_allclose(
        torch_path.values, numpy_path.values, rtol=0, atol=1e-5 * 20e-6
    )  # float32 filtering on both paths


def test_unknown_torch_device_message():
    pytest.importorskip("torch")
    with pytest.raises(ValueError, match="device must be 'cpu', 'torch:cpu' or a torch device"):
        simulate_eeg(1.0, SFREQ, device="nonsense")


def test_cuda_without_gpu_is_a_clear_error():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(RuntimeError, match="device='cuda' was asked for but CUDA is not available"):
        simulate_eeg(1.0, SFREQ, device="cuda")


@pytest.mark.gpu
def test_gpu_matches_cpu():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("CUDA not available")
    cpu = simulate_eeg(2.0, SFREQ, n_records=4, seed=0)
    gpu = simulate_eeg(2.0, SFREQ, n_records=4, seed=0, device="cuda")
    np.testing.assert_allclose(gpu.values, cpu.values, rtol=0, atol=1e-5 * 20e-6)  # float32 filtering on both paths


def test_match_recording_finds_flat_channels_in_any_unit():
    rng = np.random.default_rng(0)
    data = np.vstack([rng.normal(size=(2, 1000)), np.full((1, 1000), 3.0)])
    real = make_signals(data, 256.0, ch_names=["A", "B", "C"], units="uV", modality="eeg")
    with pytest.raises(ValueError, match=r"flat \(constant\) channels \['C'\]"):
        match_recording(real)


def test_match_recording_fits_the_spectrum_in_a_closed_loop():
    real = load_sample("eeglab")
    like = match_recording(real)
    # reference: the FOOOF fit (biosynth's aperiodic_fit equals fooof 1.1) of the same mean spectrum
    freqs, psd = welch(real.values.astype(np.float64), 128.0, nperseg=512)
    mean = psd.mean(axis=0)
    assert like["aperiodic_exponent"] == pytest.approx(
        aperiodic_fit(freqs, mean, freq_range=(2.0, 35.0))["exponent"], abs=0.05
    )
    assert like["alpha_freq"] == pytest.approx(peak_frequency(freqs, mean, (7.0, 14.0)), abs=0.25)
    again = match_recording(simulate_eeg(8.0, n_records=40, seed=1, **like))
    assert again["aperiodic_exponent"] == pytest.approx(like["aperiodic_exponent"], abs=0.15)
    assert again["alpha_freq"] == pytest.approx(like["alpha_freq"], abs=0.5)
    assert again["alpha_height"] == pytest.approx(like["alpha_height"], abs=0.2)
