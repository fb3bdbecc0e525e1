# SPDX-License-Identifier: BSD-3-Clause
"""Spectral features: against SciPy and fooof, closed forms, torch paths, errors."""

import itertools
import warnings

import numpy as np
import pytest
from scipy.integrate import trapezoid
from scipy.signal import coherence as scipy_coherence
from scipy.signal import welch

from biosynth.datasets import load_sample
from biosynth.fidelity import EEG_BANDS, band_power, peak_frequency, welch_psd
from biosynth.fidelity.spectral import ECG_BANDS, IOECOG_BANDS, aperiodic_fit, coherence, spectral_edge


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


# ----------------------------------------------------------------------------- fixtures, references

FOOOF_ATOL = 1e-3  # agreement asked of the aperiodic parameters (measured: below 2e-5 on the real EEG here)


@pytest.fixture(scope="module")
def eeglab() -> np.ndarray:
    return load_sample("eeglab").values.astype(np.float64)  # (32, 7680) V at 128 Hz


def fooof_params(fooof, freqs, psd, freq_range, **settings) -> np.ndarray:
    """Rows of fooof's aperiodic_params_ followed by r_squared_."""
    out = []
    for row in psd.reshape(-1, psd.shape[-1]):
        model = fooof.FOOOF(verbose=False, **settings)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # OptimizeWarning from its peak fit
            model.fit(freqs, row, list(freq_range))
        out.append(np.r_[model.aperiodic_params_, model.r_squared_])
    return np.array(out)


def assert_matches_fooof(ours: dict, ref: np.ndarray, mode: str = "fixed") -> None:
    names = ["offset", "knee", "exponent"] if mode == "knee" else ["offset", "exponent"]
    for name, column in zip([*names, "r_squared"], ref.T, strict=True):
        if name == "knee":  # unbounded and ill-conditioned in absolute terms: compare relative
            np.testing.assert_allclose(ours[name], column, rtol=FOOOF_ATOL, err_msg=name)
        else:
            np.testing.assert_allclose(ours[name], column, rtol=0, atol=FOOOF_ATOL, err_msg=name)


# ----------------------------------------------------------------------------- Welch, torch path


@pytest.mark.parametrize("nperseg", [256, 255, 100])
def test_welch_torch_cpu_matches_scipy(eeglab, nperseg):
    pytest.importorskip("torch")
    x = eeglab.reshape(4, 8, -1)
    freqs, psd = welch_psd(x, 128.0, nperseg=nperseg)
    t_freqs, t_psd = welch_psd(np.moveaxis(x, -1, 0), 128.0, nperseg=nperseg, axis=0, device="torch:cpu")
    np.testing.assert_array_equal(t_freqs, freqs)
    np.testing.assert_allclose(t_psd, psd, rtol=1e-9)


@pytest.mark.gpu
def test_welch_cuda_matches_scipy(eeglab):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("CUDA is not available")
    freqs, psd = welch(eeglab, fs=128.0, nperseg=256)
    c_freqs, c_psd = welch_psd(eeglab, 128.0, device="cuda")
    np.testing.assert_array_equal(c_freqs, freqs)
    np.testing.assert_allclose(c_psd, psd, rtol=1e-9)


# ----------------------------------------------------------------------------- band definitions


def test_band_tables():
    assert {k: IOECOG_BANDS[k] for k in EEG_BANDS} == EEG_BANDS
    assert IOECOG_BANDS["ripple"] == (80.0, 250.0) and IOECOG_BANDS["fast_ripple"] == (250.0, 500.0)
    edges = list(ECG_BANDS.values())
    assert all(lo < hi for lo, hi in edges)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(edges))  # contiguous, increasing
    assert ECG_BANDS["qrs"] == (5.0, 15.0)  # Pan & Tompkins 1985


def test_sines_land_in_their_bands(rng):
    t = np.arange(20 * 1000) / 1000.0
    ripple = np.sin(2 * np.pi * 150.0 * t) + 0.01 * rng.normal(size=t.size)
    rel = band_power(*welch_psd(ripple, 1000.0), IOECOG_BANDS)
    assert rel["ripple"] > 0.99
    qrs = np.sin(2 * np.pi * 10.0 * t[::4]) + 0.01 * rng.normal(size=t.size // 4)
    assert band_power(*welch_psd(qrs, 250.0, nperseg=2500), ECG_BANDS)["qrs"] > 0.99


def test_hfo_bands_above_nyquist_are_skipped(rng):
    freqs, psd = welch_psd(rng.normal(size=4000), 400.0)  # Nyquist 200 Hz: ripple cut there, no fast ripple
    powers = band_power(freqs, psd, IOECOG_BANDS, relative=False)
    assert list(powers) == [*EEG_BANDS, "ripple"]
    assert powers["ripple"] == pytest.approx(trapezoid(psd[freqs >= 80.0], freqs[freqs >= 80.0]))


# ----------------------------------------------------------------------------- spectral edge


@pytest.mark.parametrize("edge", [0.5, 0.8, 0.95])
def test_spectral_edge_flat_psd_closed_form(edge):
    freqs = np.linspace(0.0, 64.0, 129)
    assert spectral_edge(freqs, np.full(129, 3.0), edge=edge) == pytest.approx(edge * 64.0, rel=1e-12)
    got = spectral_edge(freqs, np.full((2, 3, 129), 3.0), edge=edge, freq_range=(4.0, 30.0))
    np.testing.assert_allclose(got, np.full((2, 3), 4.0 + edge * 26.0), rtol=1e-12)


@pytest.mark.parametrize("edge", [0.5, 0.7, 0.95])
def test_spectral_edge_single_bin_closed_form(edge):
    freqs = np.arange(0.0, 50.0, 0.5)
    psd = np.zeros((2, freqs.size))
    psd[0, 20], psd[1, 37] = 1.0, 5.0  # 10 Hz and 18.5 Hz
    # the trapezoid rule spreads the bin's power over f_j +- df, half on each side
    expected = np.array([10.0, 18.5]) + (2 * edge - 1) * 0.5
    np.testing.assert_allclose(spectral_edge(freqs, psd, edge=edge), expected, rtol=1e-12)


def test_spectral_edge_of_white_noise(rng):
    freqs, psd = welch_psd(rng.normal(size=(20, 20000)), 200.0)
    np.testing.assert_allclose(spectral_edge(freqs, psd), 0.95 * 100.0, rtol=0.01)
    zero = spectral_edge(freqs, np.zeros_like(psd[:2]))
    assert np.isnan(zero).all() and zero.shape == (2,)


def test_spectral_edge_errors():
    freqs, psd = np.linspace(0.0, 50.0, 101), np.ones(101)
    with pytest.raises(ValueError, match=r"edge must lie in \(0, 1\), got 1"):
        spectral_edge(freqs, psd, edge=1.0)
    with pytest.raises(ValueError, match=r"psd must be non-negative; got 1 negative value\(s\)"):
        spectral_edge(freqs, np.r_[psd[:-1], -1.0])
    with pytest.raises(ValueError, match=r"psd contains 1 non-finite value\(s\)"):
        spectral_edge(freqs, np.r_[psd[:-1], np.nan])
    with pytest.raises(ValueError, match="freq_range must lie within the PSD's frequencies, 0-50 Hz; got 1-60 Hz"):
        spectral_edge(freqs, psd, freq_range=(1.0, 60.0))
    with pytest.raises(ValueError, match="freqs must be a 1-D increasing array"):
        spectral_edge(freqs[::-1], psd)


# ----------------------------------------------------------------------------- aperiodic fit


def test_aperiodic_pure_power_law_is_exact():
    freqs = np.arange(0.25, 80.0, 0.25)
    offsets, exponents = np.array([[-11.0, 2.0], [0.5, -3.0]]), np.array([[0.8, 1.0], [1.7, 2.5]])
    psd = 10.0 ** (offsets[..., None] - exponents[..., None] * np.log10(freqs))
    fit = aperiodic_fit(freqs, psd, freq_range=(2.0, 60.0))
    assert set(fit) == {"offset", "exponent", "r_squared"}
    np.testing.assert_allclose(fit["offset"], offsets, rtol=0, atol=1e-9)
    np.testing.assert_allclose(fit["exponent"], exponents, rtol=0, atol=1e-9)
    np.testing.assert_allclose(fit["r_squared"], 1.0, atol=1e-12)


def test_aperiodic_pure_knee_spectrum_is_recovered():
    freqs = np.arange(0.5, 100.0, 0.5)
    psd = 10.0**2.0 / (50.0 + freqs**2.2)
    fit = aperiodic_fit(freqs, psd, freq_range=(1.0, 90.0), mode="knee")
    assert fit["offset"] == pytest.approx(2.0, abs=1e-6)
    assert fit["knee"] == pytest.approx(50.0, rel=1e-5)
    assert fit["exponent"] == pytest.approx(2.2, abs=1e-6)


def test_aperiodic_power_law_with_peaks(fooof):
    freqs = np.arange(0.25, 60.0, 0.25)
    peaks = [(10.0, 0.8, 1.2), (21.0, 0.4, 2.0), (35.0, 0.3, 1.5)]  # centre Hz, height log10, std Hz
    log_psd = -11.0 - 1.8 * np.log10(freqs) + sum(h * np.exp(-((freqs - c) ** 2) / (2 * s**2)) for c, h, s in peaks)
    psd = np.stack([10.0**log_psd, 10.0 ** (log_psd + 0.3)])
    fit = aperiodic_fit(freqs, psd, freq_range=(1.0, 50.0))
    # FOOOF fits the peaks to a spectrum flattened by the robust fit, which the peaks' tails bias: near, not exact
    np.testing.assert_allclose(fit["exponent"], 1.8, atol=0.01)
    np.testing.assert_allclose(fit["offset"], [-11.0, -10.7], atol=0.01)
    assert (fit["r_squared"] > 0.999).all()
    assert_matches_fooof(fit, fooof_params(fooof, freqs, psd, (1.0, 50.0)))


def test_aperiodic_fit_matches_fooof_on_real_eeg(fooof, eeglab):
    freqs, psd = welch_psd(eeglab, 128.0)
    fit = aperiodic_fit(freqs, psd)
    assert_matches_fooof(fit, fooof_params(fooof, freqs, psd, (1.0, 40.0)))
    assert (fit["exponent"] > 0.5).all() and (fit["r_squared"] > 0.9).all()


@pytest.mark.parametrize("name", ["eeg_bonn_setA_Z.npz", "eeg_bonn_setE_S.npz"])
def test_aperiodic_fit_matches_fooof_on_bonn(fooof, real_file, name):
    data = np.load(real_file(name))
    freqs, psd = welch_psd(data["data"][:8].astype(np.float64), float(data["sfreq"]))
    for freq_range in [(1.0, 40.0), (2.0, 60.0)]:
        fit = aperiodic_fit(freqs, psd, freq_range=freq_range)
        assert_matches_fooof(fit, fooof_params(fooof, freqs, psd, freq_range))


SETTINGS = [
    {"mode": "knee"},
    {"max_n_peaks": 2, "peak_threshold": 1.0},
    {"max_n_peaks": 0},
    {"min_peak_height": 0.1, "peak_width_limits": (1.0, 8.0)},
]


@pytest.mark.parametrize("settings", SETTINGS, ids=[str(s) for s in SETTINGS])
def test_aperiodic_settings_match_fooof(fooof, eeglab, settings):
    freqs, psd = welch_psd(eeglab[::4], 128.0)
    ref_settings = {("aperiodic_mode" if k == "mode" else k): v for k, v in settings.items()}
    fit = aperiodic_fit(freqs, psd, freq_range=(2.0, 50.0), **settings)
    assert_matches_fooof(
        fit, fooof_params(fooof, freqs, psd, (2.0, 50.0), **ref_settings), settings.get("mode", "fixed")
    )


def test_aperiodic_shapes(eeglab):
    freqs, psd = welch_psd(eeglab[:6].reshape(2, 3, -1), 128.0)
    fit = aperiodic_fit(freqs, psd)
    flat = aperiodic_fit(freqs, psd.reshape(6, -1))
    for name, value in fit.items():
        assert value.shape == (2, 3) and value.dtype == np.float64
        np.testing.assert_array_equal(value.ravel(), flat[name])
    assert aperiodic_fit(freqs, psd[0, 0])["exponent"].shape == ()


def test_aperiodic_errors():
    freqs = np.arange(0.0, 50.5, 0.5)
    psd = np.r_[1.0, freqs[1:] ** -1.5]
    with pytest.raises(ValueError, match=r"psd contains 1 non-finite value\(s\)"):
        aperiodic_fit(freqs, np.r_[psd[:-1], np.nan])
    with pytest.raises(ValueError, match="freq_range must lie within the PSD's frequencies, 0-50 Hz; got 1-60 Hz"):
        aperiodic_fit(freqs, psd, freq_range=(1.0, 60.0))
    with pytest.raises(ValueError, match=r"freq_range\[0\] must lie in \(0, inf\] in Hz, got 0"):
        aperiodic_fit(freqs, psd, freq_range=(0.0, 40.0))
    with pytest.raises(ValueError, match=r"freq_range\[1\] must lie in \(10, inf\] in Hz, got 5"):
        aperiodic_fit(freqs, psd, freq_range=(10.0, 5.0))
    with pytest.raises(ValueError, match=r"freq_range 1-1.5 Hz holds 2 frequency bin\(s\); expected at least 4"):
        aperiodic_fit(freqs, psd, freq_range=(1.0, 1.5))
    with pytest.raises(ValueError, match=r"psd must be positive within freq_range to take its log; got 1 value\(s\)"):
        aperiodic_fit(freqs, np.where(freqs == 20.0, 0.0, psd))
    with pytest.raises(ValueError, match="freqs must be evenly spaced within freq_range"):
        aperiodic_fit(np.r_[freqs[:60], freqs[60:] + 0.1], psd)
    with pytest.raises(ValueError, match="psd has 10 frequencies along its last axis but freqs has 101"):
        aperiodic_fit(freqs, psd[:10])
    with pytest.raises(ValueError, match="mode must be one of 'fixed', 'knee'; got 'lorentz'"):
        aperiodic_fit(freqs, psd, mode="lorentz")
    with pytest.raises(ValueError, match=r"peak_width_limits\[1\] must lie in \(5, inf\] in Hz, got 1"):
        aperiodic_fit(freqs, psd, peak_width_limits=(5.0, 1.0))
    with pytest.raises(ValueError, match="max_n_peaks must be an integer >= 0, got -1"):
        aperiodic_fit(freqs, psd, max_n_peaks=-1)
    with pytest.raises(ValueError, match=r"peak_threshold must lie in \[0, inf\], got -1"):
        aperiodic_fit(freqs, psd, peak_threshold=-1.0)


# ----------------------------------------------------------------------------- coherence


@pytest.mark.parametrize("nperseg", [256, 200])
def test_coherence_matches_scipy_for_every_pair(eeglab, nperseg):
    x = eeglab[:8, :3840]
    coh = coherence(x, 128.0, nperseg=nperseg)
    freqs, ref = scipy_coherence(x[:, None], x[None, :], fs=128.0, nperseg=nperseg)  # (8, 8, n_freqs)
    for name, (low, high) in EEG_BANDS.items():
        band = (freqs >= low) & (freqs <= high)
        np.testing.assert_allclose(coh[name], ref[..., band].mean(axis=-1), rtol=1e-9, atol=1e-12, err_msg=name)
        np.testing.assert_array_equal(np.diagonal(coh[name]), 1.0)
        np.testing.assert_allclose(coh[name], coh[name].T, rtol=1e-12)


def test_coherence_shapes_axis_and_physics(rng):
    common = rng.normal(size=(2, 1, 3000))
    x = np.concatenate([common + 0.1 * rng.normal(size=(2, 2, 3000)), rng.normal(size=(2, 1, 3000))], axis=1)
    coh = coherence(x, 100.0)
    assert coh["alpha"].shape == (2, 3, 3)
    assert (coh["alpha"][:, 0, 1] > 0.9).all() and (coh["alpha"][:, 0, 2] < 0.2).all()
    single = coherence(x[1], 100.0)
    moved = coherence(np.moveaxis(x, -1, 0), 100.0, axis=0)
    for name in coh:
        np.testing.assert_allclose(coh[name][1], single[name], rtol=1e-12)
        np.testing.assert_allclose(moved[name], coh[name], rtol=1e-12)
    assert list(coherence(x, 50.0)) == ["delta", "theta", "alpha", "beta"]  # Nyquist 25 Hz: no gamma


def test_coherence_errors(rng):
    x = rng.normal(size=(3, 500))
    with pytest.raises(ValueError, match=r"x must have shape \(..., n_channels, n_times\) for coherence"):
        coherence(x[0], 100.0)
    with pytest.raises(ValueError, match="nperseg must be an integer between 2 and 500, got 600"):
        coherence(x, 100.0, nperseg=600)
    with pytest.raises(ValueError, match=r"x contains 1 non-finite value\(s\)"):
        coherence(np.where(x == x[1, 7], np.nan, x), 100.0)
    with pytest.raises(ValueError, match="band 10.1-10.2 Hz holds no frequency bin"):
        coherence(x, 100.0, bands={"narrow": (10.1, 10.2)})


def test_welch_new_errors(rng):
    x = rng.normal(size=100)
    with pytest.raises(ValueError, match="device"):
        welch_psd(x, 100.0, device="gpu!")
    with pytest.raises(ValueError, match="nperseg must be an integer between 2 and 100, got 101"):
        welch_psd(x, 100.0, nperseg=101)
