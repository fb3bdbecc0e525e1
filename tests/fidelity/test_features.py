# SPDX-License-Identifier: BSD-3-Clause
"""The feature table: the same values as the single functions, whatever the chunking,
eagerly or on a dask cluster."""

import numpy as np
import pytest
import xarray as xr

from biosynth.fidelity import (
    autocorrelation,
    band_power,
    extract_features,
    feature_names,
    katz_fd,
    moments,
    record_embedding,
    welch_psd,
)
from biosynth.fidelity.spectral import EEG_BANDS
from biosynth.generators import simulate_ecg, simulate_eeg

MEASURES = ["katz_fd", "permutation_entropy"]


@pytest.fixture(scope="module")
def eeg():
    return simulate_eeg(2.0, 128.0, n_records=6, ch_names=["Fz", "Cz", "Pz"], seed=3)


@pytest.fixture(scope="module")
def features(eeg):
    return extract_features(eeg, nonlinear=MEASURES)


def test_values_equal_the_single_functions(eeg, features):
    x = eeg.values
    freqs, psd = welch_psd(x, 128.0, nperseg=256)
    np.testing.assert_array_equal(features["psd"].values, psd)
    np.testing.assert_array_equal(features["relpow_alpha"].values, band_power(freqs, psd, EEG_BANDS)["alpha"])
    np.testing.assert_array_equal(features["kurtosis"].values, moments(x)["kurtosis"])
    np.testing.assert_array_equal(features["katz_fd"].values, katz_fd(x))
    np.testing.assert_array_equal(features["acf"].values, autocorrelation(x, 64))
    np.testing.assert_allclose(features["corr"].values[2], np.corrcoef(x[2]), rtol=1e-12)
    centred = x - x.mean(axis=-1, keepdims=True)
    np.testing.assert_allclose(features["quantiles"].values[..., 49], np.median(centred, axis=-1), rtol=1e-12)


def test_sections_and_names(features):
    assert features.attrs["sections"]["relpow_alpha"] == "spectral"
    assert features.attrs["sections"]["kurtosis"] == "statistical"
    names = feature_names(features)
    assert names[-2:] == MEASURES and "psd" not in names and "acf" not in names


@pytest.mark.parametrize("chunk_size", [1, 4])
def test_chunking_does_not_change_values(eeg, features, chunk_size):
    xr.testing.assert_identical(extract_features(eeg, nonlinear=MEASURES, chunk_size=chunk_size), features)


def test_dask_input_on_a_distributed_cluster_gives_the_same_values(eeg, features):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster),
    ):
        lazy = eeg.chunk({"record": 2})
        out = extract_features(lazy, nonlinear=MEASURES)
    xr.testing.assert_identical(out, features)


def test_record_embedding_is_the_channel_mean(features):
    emb = record_embedding(features, ["std", "katz_fd"])
    np.testing.assert_allclose(emb[:, 1], features["katz_fd"].values.mean(axis=1), rtol=1e-12)
    assert record_embedding(features).shape == (6, len(feature_names(features)))
    with pytest.raises(ValueError, match=r"names must be features of the Dataset, got unknown \['nope'\]"):
        record_embedding(features, ["nope"])


def test_bad_arguments(eeg):
    with pytest.raises(ValueError, match="nonlinear must be names from"):
        extract_features(eeg, nonlinear=["fuzzy_entropy"])
    with pytest.raises(ValueError, match="chunk_size must be"):
        extract_features(eeg, chunk_size=0)


def test_ecg_bands_get_a_long_enough_welch_segment():
    ecg = simulate_ecg(10.0, 250.0, n_records=2, heart_rate=70.0, seed=0)
    ds = extract_features(ecg, nonlinear=None)  # modality "ecg": ECG bands, down to 0.05-0.5 Hz
    assert {"relpow_baseline", "relpow_qrs"} <= set(ds.data_vars)
    assert ds["freq"].values[1] == pytest.approx(0.225, rel=1e-3)  # two bins across the narrowest band (0.45 Hz)
    short = extract_features(ecg.isel(time=slice(0, 500)), nonlinear=None)  # 2 s: the baseline band is skipped
    assert "relpow_baseline" not in short and "relpow_qrs" in short


def test_torch_device_gives_the_same_features(eeg, features):
    """device="torch:cpu" runs the Welch PSD and the nonlinear measures with a torch
    path through torch; every feature agrees with the CPU path within float tolerance."""
    pytest.importorskip("torch")
    on_torch = extract_features(eeg, nonlinear=MEASURES, device="torch:cpu")
    assert set(on_torch.data_vars) == set(features.data_vars)
    assert on_torch.attrs == features.attrs
    for name in features.data_vars:
        np.testing.assert_allclose(
            on_torch[name].values, features[name].values, rtol=1e-9, atol=1e-30, equal_nan=True, err_msg=name
        )


def test_bad_device_is_named(eeg):
    with pytest.raises(TypeError, match=r"^device must be a str such as 'cpu' or 'cuda', got int 3\.$"):
        extract_features(eeg, device=3)
    pytest.importorskip("torch")
    with pytest.raises(ValueError, match=r"^device must be 'cpu', 'torch:cpu' or a torch device .*, got 'gpu!'\.$"):
        extract_features(eeg, device="gpu!")


@pytest.mark.gpu
def test_cuda_gives_the_same_features(eeg, features):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("CUDA is not available")
    on_gpu = extract_features(eeg, nonlinear=MEASURES, device="cuda")
    for name in features.data_vars:
        np.testing.assert_allclose(
            on_gpu[name].values, features[name].values, rtol=1e-9, atol=1e-30, equal_nan=True, err_msg=name
        )
