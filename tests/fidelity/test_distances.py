# SPDX-License-Identifier: BSD-3-Clause
"""Feature and spectrum distances against SciPy and closed forms."""

import numpy as np
import pytest
from scipy.stats import ks_2samp, wasserstein_distance

from biosynth.fidelity import (
    correlation_distance,
    effect_size,
    ks_statistic,
    log_spectral_distance,
    quantile_wasserstein,
    scaled_wasserstein,
)


def test_against_scipy(rng):
    a, b = rng.normal(size=300), rng.normal(0.5, 2.0, size=200)
    assert scaled_wasserstein(a, b) == pytest.approx(wasserstein_distance(a, b) / np.std(a), rel=1e-12)
    assert ks_statistic(a, b) == pytest.approx(ks_2samp(a, b).statistic, rel=1e-12)


def test_closed_forms(rng):
    a = rng.normal(size=1000)
    assert scaled_wasserstein(a, a + 2 * np.std(a)) == pytest.approx(2.0, rel=1e-12)  # a shift of 2 SD
    assert scaled_wasserstein(a, a) == 0.0 and ks_statistic(a, a) == 0.0 and effect_size(a, a) == 0.0
    b = a + 1.0  # equal variances: d = shift / SD (ddof 1)
    assert effect_size(a, b) == pytest.approx(1.0 / np.std(a, ddof=1), rel=1e-12)
    assert log_spectral_distance(np.full((2, 5), 1.0), np.full((2, 5), 100.0)) == pytest.approx(20.0)
    eye = np.eye(3)
    assert correlation_distance(eye, eye) == 0.0
    assert correlation_distance(eye, np.ones((3, 3))) == pytest.approx(1.0)


def test_quantile_wasserstein_equals_scipy_for_matching_samples(rng):
    """For two samples of n values, W1 is the mean gap of the sorted values: the
    quantile functions at the midpoints (k + 0.5)/n, integrated exactly by the rectangle
    rule, which the trapezoid rule matches for piecewise-constant gaps at fine levels."""
    a, b = rng.normal(size=50), rng.normal(1.0, 1.5, size=50)
    levels = np.linspace(0, 1, 50 * 400 + 1)
    qa = np.sort(a)[np.minimum((levels * 50).astype(int), 49)]
    qb = np.sort(b)[np.minimum((levels * 50).astype(int), 49)]
    assert quantile_wasserstein(qa, qb, levels) == pytest.approx(wasserstein_distance(a, b), rel=1e-3)


def test_nan_values_are_dropped_and_empty_is_nan():
    assert scaled_wasserstein([0.0, 2.0, np.nan], [1.0, 3.0]) == 1.0
    assert np.isnan(scaled_wasserstein([1.0, 1.0], [1.0, 2.0]))  # no real spread
    assert np.isnan(ks_statistic([np.nan], [1.0]))
    assert np.isnan(effect_size([1.0], [1.0, 2.0]))
    assert np.isnan(correlation_distance([[1.0]], [[1.0]]))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: log_spectral_distance(np.ones(3), np.ones(4)), "must have the same non-empty shape"),
        (lambda: log_spectral_distance(np.zeros(3), np.ones(3)), "must be positive to compare in dB"),
        (lambda: correlation_distance(np.eye(2), np.eye(3)), "must be square and of one shape"),
        (lambda: quantile_wasserstein([1.0, 2.0], [1.0, 2.0], [0.5, 0.2]), "increasing levels"),
    ],
)
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
