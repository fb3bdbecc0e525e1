# SPDX-License-Identifier: BSD-3-Clause
"""Phase-amplitude coupling (Tort MI) against tensorpac and the closed form; cortico-muscular
coherence against scipy, the closed form and its significance level."""

import warnings

import numpy as np
import pytest
from scipy import signal as sps

from biosynth.fidelity import CorticomuscularCoherence, corticomuscular_coherence, modulation_index
from biosynth.fidelity.coupling import _tort_distribution, _tort_mi
from biosynth.signals import make_signals

SFREQ = 1000.0
N_BINS = 18


def _closed_form_mi(m, n_bins=N_BINS):
    """MI of an amplitude ``1 + m cos(phi)`` with ``phi`` uniform: ``P_j = (1 + m c_j) / N``."""
    edges = np.linspace(-np.pi, np.pi, n_bins + 1)
    mean_cos = (np.sin(edges[1:]) - np.sin(edges[:-1])) / (2 * np.pi / n_bins)
    p = (1.0 + m * mean_cos) / n_bins
    return 1.0 + np.sum(p * np.log(p)) / np.log(n_bins)


def _coupled(m, n_times=20000, noise=0.0, seed=0):
    """20 Hz beta plus 100 Hz gamma whose amplitude is ``0.5 (1 + m cos(beta phase))``."""
    t = np.arange(n_times) / SFREQ
    beta = np.cos(2 * np.pi * 20.0 * t)
    x = beta + 0.5 * (1.0 + m * beta) * np.cos(2 * np.pi * 100.0 * t)
    return x + noise * np.random.default_rng(seed).normal(size=n_times)


# --------------------------------------------------------------------------- modulation index


def test_kernel_matches_the_closed_form():
    n_times = N_BINS * 1000
    phase = (-np.pi + (np.arange(n_times) + 0.5) * 2 * np.pi / n_times)[None]  # uniform, off the bin edges
    for m in (0.0, 0.3, 1.0):
        distribution = _tort_distribution(phase, 1.0 + m * np.cos(phase), N_BINS)
        edges = np.linspace(-np.pi, np.pi, N_BINS + 1)
        mean_cos = (np.sin(edges[1:]) - np.sin(edges[:-1])) / (2 * np.pi / N_BINS)
        np.testing.assert_allclose(distribution[0], (1.0 + m * mean_cos) / N_BINS, rtol=1e-6)
        assert _tort_mi(distribution)[0] == pytest.approx(_closed_form_mi(m), rel=1e-6, abs=1e-15)


def test_kernel_matches_tensorpac_on_the_same_phase_and_amplitude():
    meth_pac = pytest.importorskip("tensorpac.methods.meth_pac")
    rng = np.random.default_rng(1)
    phase = rng.uniform(-np.pi, np.pi, (4, 5000))
    amplitude = rng.gamma(2.0, size=(4, 5000)) * (1.0 + np.linspace(0.0, 0.6, 4)[:, None] * np.cos(phase - 1.0))
    mine = _tort_mi(_tort_distribution(phase, amplitude, N_BINS))
    # one row at a time: tensorpac pools the bin counts over all phase rows it is given
    reference = [
        float(np.squeeze(meth_pac.modulation_index(p[None], a[None], N_BINS)))
        for p, a in zip(phase, amplitude, strict=True)
    ]
    np.testing.assert_allclose(mine, reference, rtol=1e-12, atol=1e-15)


def test_matches_the_closed_form_and_increases_with_depth():
    depths = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    mi = modulation_index(np.stack([_coupled(m) for m in depths]), SFREQ)
    assert np.all(np.diff(mi) > 0)
    assert mi[0] < 1e-5
    # the Butterworth band-pass attenuates the 120 Hz sideband by 0.8 %: MI within 2 %
    np.testing.assert_allclose(mi[1:], [_closed_form_mi(m) for m in depths[1:]], rtol=0.02)


def test_matches_tensorpac_end_to_end():
    tensorpac = pytest.importorskip("tensorpac")
    x = np.stack([_coupled(m, noise=0.05, seed=i) for i, m in enumerate((0.3, 0.6, 0.9))])
    pac = tensorpac.Pac(idpac=(2, 0, 0), f_pha=[13, 30], f_amp=[50, 150], verbose=False)
    with warnings.catch_warnings():  # tensorpac 0.6.5 uses scipy.fftpack.helper (deprecated)
        warnings.simplefilter("ignore", DeprecationWarning)
        reference = np.squeeze(pac.filterfit(SFREQ, x))
    # tensorpac filters with FIR (fir1, 3 and 6 cycles), biosynth with Butterworth: within 3 %
    np.testing.assert_allclose(modulation_index(x, SFREQ), reference, rtol=0.03)


def test_independent_signals_give_near_zero():
    noise = np.random.default_rng(2).normal(size=(4, 20000))
    mi = modulation_index(noise, SFREQ)
    assert mi.shape == (4,)
    assert np.all(mi < 5e-4)  # finite-sample bias only; m = 0.2 gives 3.4e-3
    assert np.all(mi < _closed_form_mi(0.2) / 5)


def test_distribution_peaks_at_the_coupling_phase():
    t = np.arange(20000) / SFREQ
    beta = np.cos(2 * np.pi * 20.0 * t)
    x = beta + 0.5 * (1.0 + 0.8 * np.cos(2 * np.pi * 20.0 * t - np.pi / 2)) * np.cos(2 * np.pi * 100.0 * t)
    mi, distribution = modulation_index(x, SFREQ, return_distribution=True)
    assert distribution.shape == (N_BINS,)
    assert distribution.sum() == pytest.approx(1.0)
    centres = -np.pi + (np.arange(N_BINS) + 0.5) * 2 * np.pi / N_BINS
    assert abs(centres[np.argmax(distribution)] - np.pi / 2) <= np.pi / N_BINS + 1e-12  # gamma peaks at +90 deg
    assert float(mi) == pytest.approx(_closed_form_mi(0.8), rel=0.02)


def test_shapes_axis_and_containers():
    x = np.stack([_coupled(0.5, n_times=4000, noise=0.1, seed=s) for s in range(6)]).reshape(2, 3, 4000)
    mi = modulation_index(x, SFREQ)
    assert mi.shape == (2, 3)
    np.testing.assert_allclose(modulation_index(np.moveaxis(x, -1, 0), SFREQ, axis=0), mi, rtol=1e-12)
    batch = make_signals(x, SFREQ, units="uV", modality="lfp")
    np.testing.assert_allclose(modulation_index(batch), mi, rtol=1e-12)
    _, p = modulation_index(x, SFREQ, n_bins=12, return_distribution=True)
    assert p.shape == (2, 3, 12)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    assert np.isnan(modulation_index(np.zeros(4000), SFREQ))  # flat: no amplitude to distribute


def _one_line(excinfo, *words):
    message = str(excinfo.value)
    assert "\n" not in message
    for word in words:
        assert word in message


@pytest.mark.parametrize(
    ("x", "kwargs", "error", "words"),
    [
        (np.r_[np.nan, np.ones(3999)], {}, ValueError, ("x", "non-finite")),
        (np.ones(100), {}, ValueError, ("x has 100 samples",)),
        (np.ones(4000), {"amplitude_band": (300.0, 600.0)}, ValueError, ("amplitude_band", "Nyquist")),
        (np.ones(4000), {"phase_band": (30.0, 13.0)}, ValueError, ("phase_band[1]",)),
        (np.ones(4000), {"phase_band": 20.0}, TypeError, ("phase_band",)),
        (np.ones(4000), {"n_bins": 1}, ValueError, ("n_bins",)),
        (np.ones(4000), {"return_distribution": "yes"}, TypeError, ("return_distribution",)),
    ],
)
def test_modulation_index_bad_inputs(x, kwargs, error, words):
    with pytest.raises(error) as excinfo:
        modulation_index(x, SFREQ, **kwargs)
    _one_line(excinfo, *words)


def test_modulation_index_sfreq_errors():
    with pytest.raises(TypeError) as excinfo:
        modulation_index(np.ones(4000))
    _one_line(excinfo, "sfreq")
    signals = make_signals(np.ones((1, 4000)), SFREQ, modality="lfp")
    with pytest.raises(ValueError) as excinfo:
        modulation_index(signals, 500.0)
    _one_line(excinfo, "sfreq", "differs")


# --------------------------------------------------------------------------- cortico-muscular coherence


def test_matches_scipy_coherence():
    rng = np.random.default_rng(3)
    eeg = rng.normal(size=(2, 3, 8192))
    emg = rng.normal(size=(2, 4, 8192)) + 0.5 * eeg[:, :1]
    result = corticomuscular_coherence(eeg, emg, 512.0, nperseg=256, highpass=None, rectify=False)
    assert isinstance(result, CorticomuscularCoherence)
    assert result.coherence.shape == (2, 3, 4, 129)
    assert result.n_segments == 32
    freqs, reference = sps.coherence(eeg[:, :, None, :], emg[:, None, :, :], 512.0, nperseg=256, noverlap=0)
    np.testing.assert_array_equal(result.freqs, freqs)
    np.testing.assert_allclose(result.coherence, reference, rtol=1e-10, atol=1e-12)


def test_preprocessing_matches_scipy_on_the_rectified_highpassed_emg():
    rng = np.random.default_rng(4)
    eeg, emg = rng.normal(size=(2, 10000))
    sos = sps.butter(4, 20.0, btype="highpass", fs=SFREQ, output="sos")
    prepared = np.abs(sps.sosfiltfilt(sos, emg))
    freqs, coh, _, _ = corticomuscular_coherence(eeg, emg, SFREQ, highpass=20.0)
    _, reference = sps.coherence(eeg, prepared, SFREQ, nperseg=1000, noverlap=0)
    assert coh.shape == (1, 1, freqs.size)  # 1-D signals count as one channel each
    np.testing.assert_allclose(coh[0, 0], reference, rtol=1e-10, atol=1e-12)


def test_closed_form_for_a_shared_sinusoid_in_noise():
    # x = s + n1, y = s + n2 with a bin-centred sinusoid s and white noise of SD sigma: with a
    # periodic Hann window of N samples the per-bin SNR is A**2 N / (6 sigma**2) and the
    # coherence at that bin is (SNR / (1 + SNR))**2.
    n, n_segments, sigma = 64, 1000, 1.0
    coherence_true = 0.5
    snr = np.sqrt(coherence_true) / (1.0 - np.sqrt(coherence_true))
    amplitude = sigma * np.sqrt(6.0 * snr / n)
    fs = 256.0
    t = np.arange(n * n_segments) / fs
    shared = amplitude * np.sin(2 * np.pi * 32.0 * t)  # 32 Hz is bin 8 of 64-sample segments
    rng = np.random.default_rng(5)
    x, y = shared + sigma * rng.normal(size=(2, t.size))
    freqs, coh, _, _ = corticomuscular_coherence(x, y, fs, nperseg=n, highpass=None, rectify=False)
    assert coh[0, 0, freqs == 32.0][0] == pytest.approx(coherence_true, abs=0.05)
    assert np.median(coh[0, 0, freqs != 32.0]) < 0.01


def test_significance_level_formula_and_false_positive_rate():
    rng = np.random.default_rng(6)
    eeg = rng.normal(size=(8, 50 * 128))
    emg = rng.normal(size=(8, 50 * 128))
    result = corticomuscular_coherence(eeg, emg, 128.0, nperseg=128, highpass=None, rectify=False)
    assert result.n_segments == 50
    assert result.significance == pytest.approx(1.0 - 0.05 ** (1.0 / 49))
    above = result.coherence[..., 1:-1] > result.significance  # DC and Nyquist bins are real-valued
    assert 0.03 < above.mean() < 0.07  # 64 pairs x 63 bins of independent noise: about 5 %
    strict = corticomuscular_coherence(eeg, emg, 128.0, nperseg=128, highpass=None, rectify=False, alpha=0.01)
    assert strict.significance == pytest.approx(1.0 - 0.01 ** (1.0 / 49))


def test_rectification_reveals_a_beta_drive_to_the_emg():
    rng = np.random.default_rng(7)
    t = np.arange(60000) / SFREQ
    drive = np.sin(2 * np.pi * 20.0 * t)
    eeg = drive + rng.normal(size=t.size)
    emg = (1.0 + 0.5 * drive) * rng.normal(size=t.size)  # drive modulates the EMG amplitude only
    freqs, rectified, level, _ = corticomuscular_coherence(eeg, emg, SFREQ)
    _, raw, _, _ = corticomuscular_coherence(eeg, emg, SFREQ, rectify=False)
    at_20 = freqs == 20.0
    assert rectified[0, 0, at_20][0] > 3 * level
    assert raw[0, 0, at_20][0] < level


def test_containers_and_record_dims():
    rng = np.random.default_rng(8)
    data = rng.normal(size=(2, 1, 4000))
    eeg = make_signals(data, 500.0, ch_names=["C3"], modality="eeg")
    emg = make_signals(data + rng.normal(size=(2, 2, 4000)), 500.0, ch_names=["FDI", "ECR"], modality="emg")
    result = corticomuscular_coherence(eeg, emg, rectify=False, highpass=None)
    assert result.coherence.shape == (2, 1, 2, 251)
    expected = corticomuscular_coherence(eeg.values, emg.values, 500.0, rectify=False, highpass=None)
    np.testing.assert_allclose(result.coherence, expected.coherence)


def test_coherence_bad_inputs():
    rng = np.random.default_rng(9)
    eeg, emg = rng.normal(size=(2, 4000))
    cases = [
        (lambda: corticomuscular_coherence(eeg, emg[:3000], SFREQ), ValueError, ("eeg and emg lengths differ",)),
        (lambda: corticomuscular_coherence(eeg, np.r_[emg[:-1], np.nan], SFREQ), ValueError, ("emg", "non-finite")),
        (lambda: corticomuscular_coherence(eeg[:1], emg[:1], SFREQ), ValueError, ("eeg", "at least 4 samples")),
        (lambda: corticomuscular_coherence(eeg, emg, SFREQ, nperseg=3000), ValueError, ("nperseg=3000",)),
        (lambda: corticomuscular_coherence(eeg, emg, SFREQ, highpass=600.0), ValueError, ("highpass", "Nyquist")),
        (lambda: corticomuscular_coherence(eeg, emg, SFREQ, alpha=1.5), ValueError, ("alpha",)),
        (lambda: corticomuscular_coherence(eeg, emg), TypeError, ("sfreq",)),
        (lambda: corticomuscular_coherence(eeg, emg, -1.0), ValueError, ("sfreq",)),
        (lambda: corticomuscular_coherence(eeg, emg, SFREQ, rectify="yes"), TypeError, ("rectify",)),
        (
            lambda: corticomuscular_coherence(eeg[None, None], emg[None], SFREQ),
            ValueError,
            ("leading shape",),
        ),
    ]
    for call, error, words in cases:
        with pytest.raises(error) as excinfo:
            call()
        _one_line(excinfo, *words)
    slow = make_signals(eeg[None], 1000.0, modality="eeg")
    fast = make_signals(emg[None], 2000.0, modality="emg")
    with pytest.raises(ValueError) as excinfo:
        corticomuscular_coherence(slow, fast)
    _one_line(excinfo, "sampling rates differ", "1000 Hz vs 2000 Hz")
