# SPDX-License-Identifier: BSD-3-Clause
import numpy as np
import pytest

from biosynth.signals import make_signals, resample


def _sines(freqs, sfreq, duration=4.0):
    t = np.arange(int(duration * sfreq)) / sfreq
    return make_signals(np.array([np.sin(2 * np.pi * f * t) for f in freqs]), sfreq, provenance={"k": 1})


def test_in_band_sine_is_preserved_for_non_integer_ratio():
    x = _sines([7.0], 500.0)
    y = resample(x, 128.0)
    assert y.attrs["sfreq"] == 128.0
    assert y.sizes["time"] == 512
    t = y["time"].values
    interior = slice(64, -64)  # edges carry the filter's transient
    np.testing.assert_allclose(y.values[0, interior], np.sin(2 * np.pi * 7.0 * t)[interior], atol=2e-3)
    assert y.attrs["provenance"] == {"k": 1, "resampled_from": 500.0}


def test_content_above_new_nyquist_is_removed():
    x = _sines([100.0], 500.0)  # new Nyquist is 64 Hz
    y = resample(x, 128.0)
    assert np.std(y.values[0, 64:-64]) < 0.01


def test_identity_and_error():
    x = _sines([5.0], 100.0)
    assert resample(x, 100.0).equals(x)
    with pytest.raises(ValueError, match="sfreq must be a positive finite number in Hz, got -1"):
        resample(x, -1.0)
