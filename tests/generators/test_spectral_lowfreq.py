# SPDX-License-Identifier: BSD-3-Clause
"""The slow part of SpectralGenerator (below its first Welch bin): its estimate against
closed forms, its draws' variance and coherence, and the slow drifts of a real iEEG
recording that it brings back."""

from __future__ import annotations

import numpy as np
from scipy import signal

from biosynth.generators.learned import SpectralGenerator
from biosynth.generators.learned._lowfreq import MAX_BINS, draw_low, fit_low
from biosynth.signals import make_signals


def test_fit_low_gives_the_density_of_white_noise():
    """White noise of variance 4 at 100 Hz has the one-sided density 2 * 4 / 100 = 0.08 per
    Hz: every band within 0.05 log10 units of it (5 records of 40 s, bands below 2 Hz; the
    log's bias for few averaged bins corrected: uncorrected it is 0.25 low for one bin)."""
    rng = np.random.default_rng(0)
    x = 2.0 * rng.standard_normal((5, 2, 4000))
    centres, widths, log_psd = fit_low(x, 100.0, 2.0)
    assert len(centres) == MAX_BINS  # 79 periodogram bins below 2 Hz, grouped
    assert centres.max() < 2.0 and centres.min() > 0 and np.all(widths > 0)
    np.testing.assert_allclose(log_psd, np.log10(0.08), atol=0.05)


def test_fit_low_follows_a_power_law_and_is_empty_without_slower_bins():
    """Brown noise (a random walk: density falling as f**-2) gives a fitted slope of about
    -2 below 1 Hz; records no longer than the first bin's period give no bands."""
    rng = np.random.default_rng(1)
    walk = np.cumsum(rng.standard_normal((4, 3, 20000)), axis=-1)
    centres, _, log_psd = fit_low(walk - walk.mean(axis=-1, keepdims=True), 100.0, 1.0)
    slope = np.polyfit(np.log10(centres), log_psd[0], 1)[0]
    assert -2.3 < slope < -1.7, slope
    assert fit_low(walk[..., :100], 100.0, 1.0)[0].size == 0  # 1 s records: nothing below 1 Hz


def test_draw_low_has_the_band_variance_and_the_coherency():
    """Each band adds the variance P * width; two channels with coherency 0.8 in every band
    correlate at 0.8 sum(sqrt(P0 P1) w) / sqrt(sum(P0 w) sum(P1 w)) (4000 draws: the
    standard errors are about 0.02)."""
    rng = np.random.default_rng(2)
    centres, widths = np.array([0.2, 0.6]), np.array([0.4, 0.4])
    log_psd = np.log10([[2.0, 1.0], [0.5, 0.5]])
    factor = np.linalg.cholesky(np.array([[1.0, 0.8], [0.8, 1.0]]))
    draws = np.stack([draw_low(rng, centres, widths, log_psd, factor, 200, 100.0) for _ in range(4000)])
    variance = draws.var(axis=(0, 2))
    np.testing.assert_allclose(variance, [2.0 * 0.4 + 1.0 * 0.4, 0.5 * 0.8], rtol=0.06)
    a, b = draws[:, 0].ravel(), draws[:, 1].ravel()
    p0, p1 = 10.0**log_psd
    expected = 0.8 * np.sum(np.sqrt(p0 * p1) * widths) / np.sqrt(np.sum(p0 * widths) * np.sum(p1 * widths))
    assert abs(np.corrcoef(a, b)[0, 1] - expected) < 0.03, (np.corrcoef(a, b)[0, 1], expected)


def test_slow_drifts_of_real_ieeg_come_back(real_file):
    """Fedele iEEG (50 ch, 2000 Hz; its first 2.5 s fitted, as in the realism benchmark):
    the power below half the model's first Welch bin (1.6 Hz) is within a factor 2.5 of the
    real on the median channel (290 times less before the slow part was modelled), and
    0.156-s epochs (the benchmark's) keep their offsets: the median |epoch mean| / epoch SD
    within 25 % of the real (1.48)."""
    data = np.load(real_file("ieeg_hfo_fedele_50ch.npz"))
    sfreq = float(data["sfreq"])
    values = data["data"][:, : round(2.5 * sfreq)].astype(np.float64)
    real = make_signals(values, sfreq, units="V", modality="seeg")
    generator = SpectralGenerator().fit(real)
    assert generator.low_freqs_.size and generator.low_freqs_.max() < generator.freqs_[1]
    synthetic = generator.sample(8, seed=0).values
    freqs, p_real = signal.periodogram(values, sfreq, window="hann")
    _, p_syn = signal.periodogram(synthetic, sfreq, window="hann")
    low = (freqs > 0) & (freqs <= generator.freqs_[1] / 2)
    ratio = np.median(p_real[:, low].sum(-1) / p_syn.mean(axis=0)[:, low].sum(-1))
    assert 1 / 2.5 < ratio < 2.5, ratio
    n = round(0.156 * sfreq)

    def offset(x: np.ndarray) -> float:
        epochs = x[..., : x.shape[-1] // n * n].reshape(-1, n)
        return float(np.median(np.abs(epochs.mean(axis=-1)) / epochs.std(axis=-1)))

    assert abs(offset(synthetic) / offset(values) - 1.0) < 0.25, (offset(synthetic), offset(values))
