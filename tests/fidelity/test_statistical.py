# SPDX-License-Identifier: BSD-3-Clause
import numpy as np
import pytest
from scipy.stats import kurtosis, skew

from biosynth.datasets import load_sample
from biosynth.fidelity import amplitude_quantiles, autocorrelation, moments


@pytest.mark.parametrize("source", ["real", "random"])
def test_moments_match_scipy(source, rng):
    x = load_sample("eeglab").values if source == "real" else rng.gamma(2.0, size=(5, 3000))
    m = moments(x)
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(m["std"], np.std(x64, axis=-1), rtol=1e-12)
    np.testing.assert_allclose(m["skewness"], skew(x64, axis=-1), rtol=1e-10)
    np.testing.assert_allclose(m["kurtosis"], kurtosis(x64, axis=-1), rtol=1e-10)


def test_scale_free_moments_are_unit_invariant(rng):
    x = rng.normal(size=(2, 500)) * 1e-5
    volts, micro = moments(x), moments(x * 1e6)
    np.testing.assert_allclose(micro["skewness"], volts["skewness"], rtol=1e-9)
    np.testing.assert_allclose(micro["kurtosis"], volts["kurtosis"], rtol=1e-9)
    np.testing.assert_allclose(micro["std"], volts["std"] * 1e6, rtol=1e-12)


def test_flat_signal_gives_nan_shape_moments():
    m = moments(np.full((2, 100), 3.0))
    assert np.all(m["std"] == 0) and np.all(np.isnan(m["skewness"])) and np.all(np.isnan(m["kurtosis"]))


@pytest.mark.parametrize("kind", ["float32", "readonly", "strided", "int"])
def test_awkward_inputs(kind, rng):
    base = rng.normal(size=(4, 400))
    x = {
        "float32": base.astype(np.float32),
        "readonly": base.copy(),
        "strided": base[:, ::2],
        "int": (base * 100).astype(np.int32),
    }[kind]
    if kind == "readonly":
        x.flags.writeable = False
    expected = np.std(np.asarray(x, dtype=np.float64), axis=-1)
    np.testing.assert_allclose(moments(x)["std"], expected, rtol=1e-12)


def test_bad_inputs():
    with pytest.raises(ValueError, match="x contains 1 non-finite value"):
        moments(np.array([1.0, np.nan, 2.0]))
    with pytest.raises(ValueError, match="x must be an array with a time axis, got a scalar"):
        moments(3.0)
    with pytest.raises(ValueError, match="axis must be an integer between -1 and 0, got 2"):
        moments(np.ones(5), axis=2)


@pytest.mark.parametrize("source", ["real", "random"])
def test_autocorrelation_matches_statsmodels(source, rng):
    from statsmodels.tsa.stattools import acf

    x = load_sample("eeglab").values[:4] if source == "real" else rng.normal(size=(3, 777)).cumsum(axis=1)
    x = x.astype(np.float64)  # the sample is float32; compare both estimators in float64
    got = autocorrelation(x, 64)
    expected = np.array([acf(row, nlags=64) for row in x])
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(autocorrelation(x * 1e6, 64), got, rtol=1e-9, atol=1e-12)  # scale-free


def test_autocorrelation_of_an_alternating_signal_closed_form():
    x = np.tile([1.0, -1.0], 50)  # acf_k = (-1)^k (N - k) / N
    k = np.arange(6)
    np.testing.assert_allclose(autocorrelation(x, 5), (-1.0) ** k * (100 - k) / 100, rtol=1e-12)


def test_autocorrelation_bad_input():
    assert np.all(np.isnan(autocorrelation(np.ones((2, 50)), 3)))  # flat: NaN
    with pytest.raises(ValueError, match="nlags must be"):
        autocorrelation(np.arange(10.0), 10)


def test_amplitude_quantiles_match_numpy(rng):
    x = rng.normal(size=(2, 3, 400))
    levels = [0.1, 0.5, 0.9]
    got = amplitude_quantiles(x, levels=levels)
    assert got.shape == (2, 3, 3)
    np.testing.assert_allclose(got, np.moveaxis(np.quantile(x, levels, axis=-1), 0, -1), rtol=1e-12)
    with pytest.raises(ValueError, match=r"levels must be a 1-D sequence of probabilities in \[0, 1\]"):
        amplitude_quantiles(x, levels=[0.5, 1.5])
