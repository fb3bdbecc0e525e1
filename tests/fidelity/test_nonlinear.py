# SPDX-License-Identifier: BSD-3-Clause
"""The measure set: the same values as the single functions, labels kept, bad names refused."""

import numpy as np
import pytest

from biosynth.fidelity import MEASURES, nonlinear_features
from biosynth.fidelity.nonlinear import _call


@pytest.fixture
def signals(rng):
    # pink-ish noise: cumulative sum mixed with white noise, 3 records x 2 channels x 2 s
    white = rng.standard_normal((3, 2, 512))
    return white + 0.1 * np.cumsum(white, axis=-1)


def test_every_measure_matches_its_function(signals):
    features = nonlinear_features(signals, 256.0)
    assert list(features) == list(MEASURES)
    for name, measure in MEASURES.items():
        kwargs = dict(measure.options)
        if "sfreq" in measure.parameters:
            kwargs["sfreq"] = 256.0
        expected = measure.func(signals, **kwargs)
        assert features[name].shape == (3, 2), name
        np.testing.assert_array_equal(features[name], expected, err_msg=name)


def test_set_options_pin_normalised_conventions(signals):
    features = nonlinear_features(signals, 256.0, measures=["permutation_entropy", "svd_entropy"])
    for name in features:
        assert np.all((features[name] > 0) & (features[name] <= 1)), name


def test_dataarray_gives_labelled_dataset(batch):
    ds = nonlinear_features(batch, measures=["spectral_entropy", "hjorth_mobility", "katz_fd"])
    assert set(ds.data_vars) == {"spectral_entropy", "hjorth_mobility", "katz_fd"}
    assert ds["katz_fd"].dims == ("record", "channel")
    assert ds["katz_fd"]["channel"].values.tolist() == batch["channel"].values.tolist()
    assert ds.attrs["sfreq"] == batch.attrs["sfreq"]
    # sfreq came from attrs: mobility in Hz equals the per-sample value times sfreq
    per_sample = _call("hjorth_mobility", batch.values, None, "cpu", -1)
    np.testing.assert_allclose(ds["hjorth_mobility"].values, per_sample * batch.attrs["sfreq"], rtol=1e-12)


def test_torch_path_agrees_with_numba(signals):
    pytest.importorskip("torch")
    names = [name for name, m in MEASURES.items() if "device" in m.parameters]
    cpu = nonlinear_features(signals, 256.0, measures=names)
    gpu = nonlinear_features(signals, 256.0, measures=names, device="torch:cpu")
    for name in names:
        np.testing.assert_allclose(gpu[name], cpu[name], rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.parametrize(
    ("measures", "match"),
    [
        (["sample_entropy", "fuzzy_entropy"], r"measures must be names from .*got \['fuzzy_entropy'\]"),
        ([], r"measures must be names from .*got \[\]"),
    ],
)
def test_unknown_measure_is_named(signals, measures, match):
    with pytest.raises(ValueError, match=match):
        nonlinear_features(signals, measures=measures)


def test_single_name_is_accepted(signals):
    assert list(nonlinear_features(signals, measures="line_length")) == ["line_length"]
