# SPDX-License-Identifier: BSD-3-Clause
"""The FOOOF / specparam algorithm of :mod:`biosynth.signals.specparam`: known components
recovered from noiseless log spectra, the closed forms of its model, and agreement with
fooof 1.1 on real EEG (aperiodic parameters and every peak)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from biosynth.datasets import load_sample
from biosynth.fidelity import welch_psd
from biosynth.signals.specparam import aperiodic_log_power, fit_log_spectra, peaks_log_power

#: 0.1 Hz bins from 1 to 60 Hz (a 10-s Welch segment).
FREQS = np.arange(1.0, 60.0, 0.1)
#: (centre Hz, height log10, std Hz): narrow peaks, 10 std or more apart.
PEAKS = np.array([[10.0, 0.5, 0.6], [24.0, 0.3, 1.0], [40.0, 0.25, 0.8]])
#: fooof agreement on real spectra: the same algorithm, so only the optimiser's tolerance
#: separates them (measured below 6e-7 for every parameter on the 32 EEGLAB channels).
FOOOF_ATOL = 1e-5


def test_model_closed_forms():
    aperiodic = np.array([[-10.0, 30.0, 2.2], [-11.0, 0.0, 1.5]])
    np.testing.assert_allclose(
        aperiodic_log_power(FREQS, aperiodic),
        aperiodic[:, :1] - np.log10(aperiodic[:, 1:2] + FREQS ** aperiodic[:, 2:]),
    )
    np.testing.assert_allclose(aperiodic_log_power(FREQS, [-11.0, 1.5]), aperiodic_log_power(FREQS, aperiodic[1:]))
    peaks = peaks_log_power(FREQS, PEAKS)
    centres = np.searchsorted(FREQS, PEAKS[:, 0] - 1e-9)
    np.testing.assert_allclose(peaks[centres], PEAKS[:, 1], rtol=1e-6)  # height at the centre
    one_std = np.searchsorted(FREQS, PEAKS[0, 0] + PEAKS[0, 2] - 1e-9)
    assert peaks[one_std] == pytest.approx(PEAKS[0, 1] * np.exp(-0.5), rel=1e-6)
    np.testing.assert_array_equal(peaks_log_power(FREQS, np.empty((0, 3))), np.zeros_like(FREQS))


@pytest.mark.parametrize(("mode", "aperiodic"), [("knee", [-10.0, 30.0, 2.2]), ("fixed", [-11.0, 1.8])])
def test_pure_aperiodic_spectrum_is_recovered_exactly(mode, aperiodic):
    log_power = aperiodic_log_power(FREQS, np.array([aperiodic]))
    fit = fit_log_spectra(FREQS, log_power, mode=mode)
    np.testing.assert_allclose(fit["aperiodic"][0], aperiodic, rtol=1e-6, atol=1e-8)
    assert fit["peaks"][0].shape == (0, 3)
    assert fit["r_squared"][0] == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize(
    ("mode", "aperiodic", "tolerance"),
    [
        # knee: the knee trades off against the exponent at the low end, so the peaks' far tails
        # (which the robust fit of step 1 keeps) move it most: measured 1.5 % of 30, exponent 0.003
        ("knee", [-10.0, 30.0, 2.2], {"offset": 0.01, "knee_rel": 0.03, "exponent": 0.006}),
        ("fixed", [-11.0, 1.8], {"offset": 1e-3, "exponent": 1e-3}),  # measured 4e-4 and 6e-5
    ],
)
def test_known_aperiodic_and_peaks_are_recovered(mode, aperiodic, tolerance):
    """Noiseless log spectrum of a known aperiodic component plus three Gaussian peaks.

    FOOOF is not exact with peaks: its robust first fit keeps the bins on or under an
    initial fit, which include the peaks' far tails, and the peaks are then fitted to the
    spectrum flattened by it. With narrow peaks (std <= 1 Hz) far apart the bias is small;
    the tolerances are a few times the measured errors. Peak centres within 0.01 Hz (a
    tenth of a bin; measured 0.002), heights within 0.01 log10 (measured 0.004) and
    stds within 0.03 Hz (measured 0.016).
    """
    rows = np.array([aperiodic, aperiodic])
    rows[1, 0] += 0.5  # a second row, 0.5 log10 higher
    log_power = aperiodic_log_power(FREQS, rows) + peaks_log_power(FREQS, PEAKS)
    fit = fit_log_spectra(FREQS, log_power, mode=mode, peak_width_limits=(0.5, 8.0))
    offset, *middle, exponent = fit["aperiodic"].T
    np.testing.assert_allclose(offset, rows[:, 0], atol=tolerance["offset"])
    np.testing.assert_allclose(exponent, rows[:, -1], atol=tolerance["exponent"])
    if mode == "knee":
        np.testing.assert_allclose(middle[0], rows[:, 1], rtol=tolerance["knee_rel"])
    for peaks in fit["peaks"]:
        assert peaks.shape == PEAKS.shape
        np.testing.assert_allclose(peaks[:, 0], PEAKS[:, 0], atol=0.01)
        np.testing.assert_allclose(peaks[:, 1], PEAKS[:, 1], atol=0.01)
        np.testing.assert_allclose(peaks[:, 2], PEAKS[:, 2], atol=0.03)
    assert (fit["r_squared"] > 0.9999).all()


def test_peak_search_obeys_max_n_peaks_and_min_height():
    log_power = aperiodic_log_power(FREQS, np.array([[-11.0, 1.8]])) + peaks_log_power(FREQS, PEAKS)
    two = fit_log_spectra(FREQS, log_power, max_n_peaks=2, peak_width_limits=(0.5, 8.0))["peaks"][0]
    np.testing.assert_allclose(two[:, 0], PEAKS[:2, 0], atol=0.05)  # the two highest, sorted by centre
    high = fit_log_spectra(FREQS, log_power, min_peak_height=0.4, peak_width_limits=(0.5, 8.0))["peaks"][0]
    np.testing.assert_allclose(high[:, 0], PEAKS[:1, 0], atol=0.01)


def _fooof_fit(fooof, freqs, psd, freq_range, **settings):
    """fooof's fit, and the messages of the warnings it gave."""
    model = fooof.FOOOF(verbose=False, **settings)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # OptimizeWarning from its peak fit; log10 of a negative knee
        model.fit(freqs, psd, list(freq_range))
    return model, [str(w.message) for w in caught]


def test_agrees_with_fooof_on_real_eeg(fooof):
    """Every channel of the EEGLAB sample (Welch PSD, 2-s segments), knee mode: the same
    aperiodic parameters, the same number of peaks and the same (centre, height, std) as
    fooof's ``gaussian_params_``."""
    freqs, psd = welch_psd(load_sample("eeglab").values.astype(np.float64), 128.0)
    inside = (freqs >= 1.0) & (freqs <= 40.0)
    settings = {"peak_width_limits": (1.0, 8.0), "max_n_peaks": 6}
    ours = fit_log_spectra(freqs[inside], np.log10(psd[:, inside]), mode="knee", **settings)
    n_peaks = 0
    for c, row in enumerate(psd):
        ref, _ = _fooof_fit(fooof, freqs, row, (1.0, 40.0), aperiodic_mode="knee", **settings)
        offset, knee, exponent = ours["aperiodic"][c]
        assert offset == pytest.approx(ref.aperiodic_params_[0], abs=FOOOF_ATOL)
        assert knee == pytest.approx(ref.aperiodic_params_[1], rel=FOOOF_ATOL, abs=FOOOF_ATOL)
        assert exponent == pytest.approx(ref.aperiodic_params_[2], abs=FOOOF_ATOL)
        expected = ref.gaussian_params_[np.argsort(ref.gaussian_params_[:, 0])]
        assert ours["peaks"][c].shape == expected.shape, f"channel {c}"
        np.testing.assert_allclose(ours["peaks"][c], expected, atol=FOOOF_ATOL, err_msg=f"channel {c}")
        assert ours["r_squared"][c] == pytest.approx(ref.r_squared_, abs=FOOOF_ATOL)
        n_peaks += len(expected)
    assert n_peaks >= len(psd)  # the comparison covers peaks (alpha at least), not only empty lists


def test_negative_robust_knee_is_handled_as_fooof_does(fooof):
    """When the robust first fit (step 1) ends with a knee below ``-f_min**exponent``, the
    flattened spectrum holds NaN below that frequency. fooof's peak search then stops at
    once (the NaN maximum fails its height test) and it fits the aperiodic component to the
    whole spectrum; the port does the same, silently (no RuntimeWarning from log10)."""
    rng = np.random.default_rng(0)
    freqs = np.arange(1.0, 40.0, 0.25)
    log_power = -10.0 - np.log10(freqs**1.5 - 0.99) + 0.05 * rng.standard_normal(freqs.size)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = fit_log_spectra(freqs, log_power[None], mode="knee")
    ref, messages = _fooof_fit(fooof, freqs, 10.0**log_power, (1.0, 40.0), aperiodic_mode="knee")
    assert any("invalid value encountered in log10" in m for m in messages)  # the case arises in fooof
    assert len(ref.gaussian_params_) == 0 and np.isfinite(ref.aperiodic_params_).all()
    np.testing.assert_allclose(fit["aperiodic"][0], ref.aperiodic_params_, rtol=FOOOF_ATOL, atol=FOOOF_ATOL)
    assert fit["peaks"][0].shape == (0, 3)
    np.testing.assert_allclose(fit["aperiodic"][0], [-10.0, -0.99, 1.5], atol=0.02)
