# SPDX-License-Identifier: BSD-3-Clause
import numpy as np
import pytest
from scipy.integrate import trapezoid
from scipy.signal import welch

from biosynth.datasets import load_sample
from biosynth.fidelity import EEG_BANDS, band_power, peak_frequency, welch_psd


def test_welch_matches_scipy_on_real_eeg():
    real = load_sample("eeglab")
    freqs, psd = welch_psd(real.values, 128.0)
    ref_f, ref_p = welch(real.values.astype(np.float64), fs=128.0, nperseg=256)
    np.testing.assert_array_equal(freqs, ref_f)
    np.testing.assert_allclose(psd, ref_p, rtol=1e-12)


def test_welch_axis_and_leading_shape(rng):
    x = rng.normal(size=(2, 3, 1000))
    f1, p1 = welch_psd(x, 100.0)
    f2, p2 = welch_psd(np.moveaxis(x, -1, 0), 100.0, axis=0)
    assert p1.shape == (2, 3, f1.size)
    np.testing.assert_array_equal(f2, f1)
    np.testing.assert_allclose(p2, p1, rtol=1e-12)


def test_psd_integrates_to_variance(rng):
    x = rng.normal(scale=3.0, size=20000)
    freqs, psd = welch_psd(x, 200.0, nperseg=400)
    assert trapezoid(psd, freqs) == pytest.approx(np.var(x), rel=0.02)


def test_white_noise_band_power_closed_form(rng):
    sfreq, sigma = 256.0, 2.0
    x = rng.normal(scale=sigma, size=(50, 4096))
    freqs, psd = welch_psd(x, sfreq)
    powers = band_power(freqs, psd, {"alpha": (8.0, 13.0)}, relative=False)
    expected = sigma**2 * 2 * (13.0 - 8.0) / sfreq  # flat one-sided PSD 2 sigma^2 / sfreq
    assert powers["alpha"].mean() == pytest.approx(expected, rel=0.03)


def test_sine_is_all_alpha(rng):
    t = np.arange(4096) / 256.0
    x = np.sin(2 * np.pi * 10.0 * t) + 0.01 * rng.normal(size=t.size)
    freqs, psd = welch_psd(x, 256.0)
    rel = band_power(freqs, psd, EEG_BANDS)
    assert rel["alpha"] > 0.99
    assert sum(rel.values()) == pytest.approx(1.0, abs=1e-3)
    assert peak_frequency(freqs, psd, (5.0, 15.0)) == 10.0


def test_bands_beyond_nyquist_are_skipped(rng):
    freqs, psd = welch_psd(rng.normal(size=1000), 50.0)  # Nyquist 25 Hz: no gamma
    assert list(band_power(freqs, psd)) == ["delta", "theta", "alpha", "beta"]


def test_errors(rng):
    freqs, psd = welch_psd(rng.normal(size=1000), 100.0)
    with pytest.raises(ValueError, match="psd has 10 frequencies along its last axis but freqs has"):
        band_power(freqs, psd[:10])
    with pytest.raises(ValueError, match="band 1-1.2 Hz holds fewer than 2 frequency bins"):
        band_power(freqs, psd, {"narrow": (1.0, 1.2)})
    with pytest.raises(ValueError, match="x needs at least 2 samples along axis -1; got 1"):
        welch_psd(np.ones((3, 1)), 100.0)
    with pytest.raises(ValueError, match="sfreq must be a positive finite number in Hz"):
        welch_psd(rng.normal(size=100), 0.0)
