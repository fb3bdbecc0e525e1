# SPDX-License-Identifier: BSD-3-Clause
"""The streaming primitives under the EEG generator: seeded blocks, filters, factors."""

import numpy as np
import pytest
from scipy import stats
from scipy.signal import welch

from biosynth.generators import _eeg_model as em
from biosynth.generators import _random_blocks as rb

SFREQ = 256.0


def _stream(seed=0, record=0, stream=1):
    return rb.Stream(np.random.SeedSequence(seed), record, stream)


def test_white_noise_is_standard_normal_and_chunk_free():
    s = _stream()
    x = rb.white_noise(s, 4, -5000, 200_000)
    assert x.dtype == np.float32
    assert abs(x.mean()) < 5 / np.sqrt(x.size)
    assert x.var() == pytest.approx(1.0, abs=0.01)
    assert stats.kurtosis(x, axis=None) == pytest.approx(0.0, abs=0.02)  # excess kurtosis of a normal
    assert stats.kstest(x[0, :20000], "norm").pvalue > 1e-3
    parts = [rb.white_noise(s, 4, a, min(a + 3001, 200_000)) for a in range(-5000, 200_000, 3001)]
    np.testing.assert_array_equal(np.concatenate(parts, axis=1), x)
    assert not np.array_equal(rb.white_noise(_stream(seed=1), 4, 0, 100), x[:, 5000:5100])
    assert not np.array_equal(rb.white_noise(_stream(record=1), 4, 0, 100), x[:, 5000:5100])


def test_fir_from_psd_gives_the_requested_spectrum():
    shape = em.aperiodic_shape(1.7, 5.0)
    kernel = rb.fir_from_psd(shape, SFREQ, 2049)
    y = rb.filtered_noise(_stream(), kernel, 8, 0, 200_000)
    freqs, psd = welch(y, SFREQ, nperseg=2048)
    band = (freqs >= 1.0) & (freqs <= 100.0)
    ratio = psd.mean(axis=0)[band] / shape(freqs[band])
    assert np.median(ratio) == pytest.approx(1.0, rel=0.05)
    assert ratio.min() > 0.8 and ratio.max() < 1.25


@pytest.mark.parametrize("bandwidth", [2.0, 6.0])
def test_decimated_filtering_matches_full_rate(bandwidth):
    kernel = rb.fir_from_psd(em.gaussian_band(12.0, bandwidth), SFREQ, 1025)
    d = rb.passband_decimation(kernel)
    assert d >= 2
    y = rb.filtered_noise(_stream(), kernel, 16, 0, 50_000, decimation=d)
    full = rb.filtered_noise(_stream(stream=2), kernel, 16, 0, 50_000)
    assert y.var() == pytest.approx(full.var(), rel=0.05)
    freqs, a = welch(y, SFREQ, nperseg=1024)
    _, b = welch(full, SFREQ, nperseg=1024)
    band = np.abs(freqs - 12.0) < bandwidth / 2
    np.testing.assert_allclose(a.mean(axis=0)[band], b.mean(axis=0)[band], rtol=0.1)
    assert a.mean(axis=0)[freqs > 40].max() < 1e-6 * a.mean(axis=0).max()  # no images of the low rate
    parts = [
        rb.filtered_noise(_stream(), kernel, 16, s, min(s + 777, 50_000), decimation=d) for s in range(0, 50_000, 777)
    ]
    np.testing.assert_allclose(np.concatenate(parts, axis=1), y, rtol=0, atol=1e-5 * y.std())


def test_passband_decimation_refuses_broad_kernels():
    broad = rb.fir_from_psd(em.aperiodic_shape(1.5, 0.0), SFREQ, 1025)
    assert rb.passband_decimation(broad) == 1


def test_block_events_do_not_depend_on_the_chunking():
    def draw(rng, n):
        return rb.as_dict(size=rng.random(n))

    whole = rb.block_events(_stream(), 3.0, SFREQ, 0, 100_000, draw)
    parts = [rb.block_events(_stream(), 3.0, SFREQ, a, min(a + 999, 100_000), draw) for a in range(0, 100_000, 999)]
    np.testing.assert_array_equal(np.concatenate([p.onset for p in parts]), whole.onset)
    np.testing.assert_array_equal(np.concatenate([p.draws["size"] for p in parts if p.draws]), whole.draws["size"])
    expected = 3.0 * 100_000 / SFREQ
    assert abs(whole.onset.size - expected) < 4 * np.sqrt(expected)


def test_covariance_factor_keeps_the_variance_it_promises():
    rng = np.random.default_rng(0)
    smooth = np.exp(-(np.subtract.outer(np.arange(40), np.arange(40)) ** 2) / 30.0)  # a smooth, low-rank field
    cov = smooth @ smooth.T
    factor = em.covariance_factor(cov)
    assert factor.shape[1] < 40
    lost = 1.0 - np.trace(factor @ factor.T) / np.trace(cov)
    assert 0.0 <= lost <= 1.0 - em.COVARIANCE_KEEP + 1e-12
    assert np.abs(factor @ factor.T - cov).max() < 0.01 * np.abs(cov).max()
    full = np.cov(rng.standard_normal((5, 200)))  # well conditioned: the symmetric root, exact
    root = em.covariance_factor(full)
    np.testing.assert_allclose(root, root.T, atol=1e-12)
    np.testing.assert_allclose(root @ root, full, atol=1e-12)


def test_record_variance_matches_the_sample_variance():
    kernel = rb.fir_from_psd(em.aperiodic_shape(1.5, 0.0), SFREQ, 2049)
    y = rb.filtered_noise(_stream(), kernel, 400, 0, 1024)  # 4-s records: slow power barely shows
    assert y.var(axis=-1).mean() == pytest.approx(em.record_variance(kernel, 1024), rel=0.05)
    assert em.record_variance(kernel, 1024) < 0.9 * np.sum(kernel**2)


def test_streams_accept_seed_sequences_with_list_entropy():
    # SeedSequence([a, b]) keeps its entropy as a list (unhashable): streams still work and
    # differ from those of another list
    a = rb.white_noise(rb.Stream(np.random.SeedSequence([1, 2]), 0, 1), 2, 0, 100)
    again = rb.white_noise(rb.Stream(np.random.SeedSequence([1, 2]), 0, 1), 2, 0, 100)
    other = rb.white_noise(rb.Stream(np.random.SeedSequence([1, 3]), 0, 1), 2, 0, 100)
    np.testing.assert_array_equal(a, again)
    assert not np.array_equal(a, other)
