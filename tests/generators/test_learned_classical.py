# SPDX-License-Identifier: BSD-3-Clause
"""Classical learned generators: phase and IAAFT surrogates, AR and VAR models.

Each is checked on its defining identity (exact periodograms and cross-spectra, exact values,
recovered coefficients and analytic spectra or covariances) and against statsmodels or
neurokit2 where they compute the same thing.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import solve_discrete_lyapunov
from scipy.signal import lfilter, welch
from scipy.stats import skew

from biosynth.generators.learned import (
    REGISTRY,
    ARGenerator,
    IAAFTSurrogate,
    NotFittedError,
    PhaseSurrogate,
    VARGenerator,
    load_generator,
)
from biosynth.signals import make_signals

SFREQ = 100.0
AR2 = np.array([1.2, -0.6])  # AR(2): spectral peak near 12 Hz at 100 Hz
VAR1 = np.array([[0.5, 0.3], [-0.2, 0.4]])  # stable, cross-coupled
SIGMA_U = np.array([[1.0, 0.4], [0.4, 0.8]])


def _signals(data: np.ndarray) -> object:
    return make_signals(np.asarray(data, dtype=float), SFREQ, units="a.u.", modality="misc")


def _all_generators() -> list:
    return [PhaseSurrogate(), IAAFTSurrogate(max_iter=30), ARGenerator(max_order=6), VARGenerator(max_order=4)]


@pytest.fixture
def coupled(rng) -> np.ndarray:
    """2 records x 3 channels x 512 samples: an AR(2) rhythm, its noisy copy 3 samples later,
    and an independent AR(1)."""
    drive = lfilter([1.0], [1.0, -AR2[0], -AR2[1]], rng.normal(size=(2, 520)), axis=-1)
    lagged = 0.8 * drive[:, 5:-3] + 0.3 * rng.normal(size=(2, 512))
    independent = lfilter([1.0], [1.0, -0.7], rng.normal(size=(2, 512)), axis=-1)
    return np.stack([drive[:, 8:], lagged, independent], axis=1)


@pytest.fixture
def skewed(rng) -> np.ndarray:
    """1 record x 2 channels x 1024 samples, non-Gaussian and time-irreversible: exponentially
    decaying responses (instant rise, slow decay) to sparse random spikes."""
    spikes = rng.exponential(size=(1, 2, 1024)) * (rng.random((1, 2, 1024)) < 0.05)
    return lfilter([1.0], [1.0, -0.9], spikes, axis=-1)


def _smoothed_relative_error(x: np.ndarray, reference: np.ndarray, width: int = 8) -> np.ndarray:
    """|P_x / P_ref - 1| of periodograms averaged over ``width`` bins (DC dropped), per band."""
    px, pr = (np.abs(np.fft.rfft(a, axis=-1)[..., 1:]) ** 2 for a in (x, reference))
    n = px.shape[-1] // width * width
    px, pr = (p[..., :n].reshape(*p.shape[:-1], -1, width).mean(-1) for p in (px, pr))
    return np.abs(px / pr - 1)


def _reversal_asymmetry(x: np.ndarray) -> np.ndarray:
    """Skewness of the increments: 0 for a time-reversible (e.g. linear Gaussian) process."""
    return skew(np.diff(x, axis=-1), axis=-1)


# --- phase surrogate --------------------------------------------------------------------------


def test_phase_keeps_every_periodogram_and_cross_spectrum_exactly(coupled):
    source = coupled[:1]
    synthetic = PhaseSurrogate().fit(_signals(source)).sample(5, seed=0).values
    spectrum = np.fft.rfft(source[0], axis=-1)
    scale = np.abs(spectrum).max() ** 2
    for record in synthetic:
        x = np.fft.rfft(record, axis=-1)
        np.testing.assert_allclose(np.abs(x) ** 2, np.abs(spectrum) ** 2, rtol=0, atol=1e-10 * scale)
        for a, b in [(0, 1), (0, 2), (1, 2)]:  # complex cross-spectrum: magnitude and phase lag
            np.testing.assert_allclose(
                x[a] * np.conj(x[b]), spectrum[a] * np.conj(spectrum[b]), rtol=0, atol=1e-10 * scale
            )
        np.testing.assert_allclose(record.mean(-1), source[0].mean(-1), rtol=0, atol=1e-12)
        # a new time series: unrelated to the source sample by sample
        assert np.all(np.abs([np.corrcoef(r, s)[0, 1] for r, s in zip(record, source[0], strict=True)]) < 0.5)


def test_phase_draws_each_fitted_record(coupled):
    synthetic = PhaseSurrogate().fit(_signals(coupled)).sample(20, seed=1).values
    power = np.abs(np.fft.rfft(synthetic, axis=-1)) ** 2
    sources = np.abs(np.fft.rfft(coupled, axis=-1)) ** 2
    match = [[np.allclose(p, s, rtol=1e-9, atol=1e-9 * s.max()) for s in sources] for p in power]
    assert all(sum(m) == 1 for m in match)
    assert {int(np.argmax(m)) for m in match} == {0, 1}


def test_phase_shorter_records_randomise_a_window(coupled):
    source = coupled[0]
    generator = PhaseSurrogate().fit(_signals(coupled[:1]))
    synthetic = generator.sample(3, seed=2, duration=2.0).values
    windows = np.lib.stride_tricks.sliding_window_view(source, 200, axis=-1)  # (channel, start, time)
    window_power = np.abs(np.fft.rfft(windows, axis=-1)) ** 2
    for record in synthetic:
        power = np.abs(np.fft.rfft(record, axis=-1)) ** 2
        error = np.abs(window_power - power[:, None]).max(axis=(0, 2))
        assert error.min() < 1e-9 * window_power.max()
    with pytest.raises(ValueError, match="duration must be at most the fitted record length"):
        generator.sample(1, seed=0, duration=5.13)


# --- IAAFT ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cross_spectrum", "median_error", "p90_error"),
    # the common rotation per frequency is a constraint: on these independent, very skewed
    # channels it costs spectral accuracy (measured ~5.5 % vs ~1.8 % median, 200 iterations)
    [(True, 0.08, 0.25), (False, 0.03, 0.1)],
)
def test_iaaft_keeps_values_exactly_and_spectrum_closely(skewed, cross_spectrum, median_error, p90_error):
    generator = IAAFTSurrogate(cross_spectrum=cross_spectrum).fit(_signals(skewed))
    synthetic = generator.sample(3, seed=0).values
    np.testing.assert_array_equal(np.sort(synthetic, axis=-1), np.sort(np.repeat(skewed, 3, axis=0), axis=-1))
    error = _smoothed_relative_error(synthetic, skewed)
    assert np.median(error) < median_error
    assert np.quantile(error, 0.9) < p90_error
    assert np.abs(synthetic - skewed).max() > skewed.std()  # not the source itself


def test_iaaft_spectrum_as_close_as_neurokit2(skewed):
    from neurokit2 import signal_surrogate

    ours = IAAFTSurrogate(cross_spectrum=False).fit(_signals(skewed)).sample(4, seed=0).values
    reference = np.array([[signal_surrogate(ch, method="IAAFT", random_state=i) for ch in skewed[0]] for i in range(4)])
    np.testing.assert_array_equal(np.sort(reference, axis=-1), np.sort(ours, axis=-1))  # both exact in values
    ours_error = np.median(_smoothed_relative_error(ours, skewed))
    reference_error = np.median(_smoothed_relative_error(reference, skewed))
    assert ours_error < 1.5 * reference_error + 0.005


def test_iaaft_keeps_the_distribution_that_the_phase_surrogate_loses(skewed):
    real = _signals(skewed)
    phase = PhaseSurrogate().fit(real).sample(4, seed=0).values
    iaaft = IAAFTSurrogate().fit(real).sample(4, seed=0).values
    source_skew = skew(skewed[0], axis=-1)
    assert np.all(source_skew > 1.0)
    np.testing.assert_allclose(skew(iaaft, axis=-1), np.broadcast_to(source_skew, (4, 2)), rtol=1e-12)
    assert np.all(np.abs(skew(phase, axis=-1)) < 0.5 * source_skew)  # Gaussianised
    # both are linear null models: the time-reversal asymmetry of the source is destroyed
    source_asymmetry = _reversal_asymmetry(skewed[0])
    assert np.all(source_asymmetry > 2.0)
    for surrogate in (phase, iaaft):
        assert np.all(np.abs(_reversal_asymmetry(surrogate)) < 0.3 * source_asymmetry)


def test_iaaft_cross_spectrum_keeps_the_lagged_coupling(skewed):
    # non-Gaussian, coupled at a lag of 3 samples through a nonlinearity
    source = np.stack([skewed[0, 0, 3:], skewed[0, 0, :-3] ** 2 + 0.5 * skewed[0, 1, 3:]])[None]

    def lagged_correlation(x: np.ndarray) -> np.ndarray:
        return np.array([np.corrcoef(r[0, 3:], r[1, :-3])[0, 1] for r in x])

    def cross_phase_error(x: np.ndarray) -> float:
        """Mean |phase difference| (rad) of cross-spectra summed over 16-bin bands."""
        bands = [np.fft.rfft(a, axis=-1)[..., 1:497] for a in (x, source)]
        cross = [(f[:, 0] * np.conj(f[:, 1])).reshape(len(f), -1, 16).sum(-1) for f in bands]
        return float(np.abs(np.angle(cross[0] / cross[1])).mean())

    real = _signals(source)
    multivariate = IAAFTSurrogate().fit(real).sample(4, seed=0).values
    univariate = IAAFTSurrogate(cross_spectrum=False).fit(real).sample(4, seed=0).values
    target = lagged_correlation(source)[0]
    assert target > 0.3
    np.testing.assert_allclose(lagged_correlation(multivariate), target, atol=0.04)  # measured <= 0.02
    assert np.abs(lagged_correlation(univariate) - target).max() > 0.04  # measured 0.05-0.13
    assert cross_phase_error(multivariate) < 0.1  # measured 0.05 rad
    assert cross_phase_error(univariate) > 0.3  # measured 0.56 rad


def test_iaaft_shorter_records_keep_a_window_s_values(skewed):
    synthetic = IAAFTSurrogate(max_iter=20).fit(_signals(skewed)).sample(2, seed=0, duration=3.0).values
    windows = np.sort(np.lib.stride_tricks.sliding_window_view(skewed[0], 300, axis=-1), axis=-1)
    for record in np.sort(synthetic, axis=-1):
        assert np.any(np.all(windows == record[:, None], axis=(0, 2)))


# --- AR ---------------------------------------------------------------------------------------


@pytest.fixture
def ar2_data(rng) -> np.ndarray:
    """20 records x 2 channels x 2000 samples of the AR(2) process ``AR2`` (unit innovations)."""
    from statsmodels.tsa.arima_process import ArmaProcess

    process = ArmaProcess(np.r_[1.0, -AR2])
    return process.generate_sample((20, 2, 2000), distrvs=rng.standard_normal, axis=-1, burnin=500)


def test_ar_recovers_a_known_ar2(ar2_data):
    generator = ARGenerator(max_order=10, ic="bic").fit(_signals(ar2_data + 3.0))
    np.testing.assert_array_equal(generator.order_, [2, 2])
    np.testing.assert_allclose(generator.coefs_, np.tile(AR2, (2, 1)), atol=0.02)
    np.testing.assert_allclose(generator.sigma2_, 1.0, rtol=0.03)
    np.testing.assert_allclose(generator.mean_, 3.0, atol=0.05)
    np.testing.assert_array_equal(generator.shrink_, 1.0)


def test_ar_samples_have_the_analytic_ar_spectrum(ar2_data):
    generator = ARGenerator(order=2).fit(_signals(ar2_data))
    synthetic = generator.sample(40, seed=0).values
    freqs, psd = welch(synthetic, fs=SFREQ, nperseg=256, axis=-1)
    psd = psd.mean(axis=(0, 1))
    z = np.exp(-2j * np.pi * freqs / SFREQ)
    a = generator.coefs_.mean(0)
    analytic = 2 * generator.sigma2_.mean() / SFREQ / np.abs(1 - a[0] * z - a[1] * z**2) ** 2
    ratio = (psd / analytic)[1:-1]
    assert np.median(np.abs(ratio - 1)) < 0.03
    assert np.abs(ratio - 1).max() < 0.15
    np.testing.assert_allclose(synthetic.mean(), 0.0, atol=0.05)


@pytest.mark.parametrize("ic", ["aic", "bic", "hqic"])
def test_ar_equals_statsmodels_on_one_record(ar2_data, ic):
    from statsmodels.tsa.ar_model import AutoReg, ar_select_order

    x = ar2_data[0, 0] + 0.5 * ar2_data[1, 0, ::-1]  # an ARMA: no single right order
    generator = ARGenerator(max_order=8, ic=ic).fit(_signals(x[None]))
    selected = ar_select_order(x - x.mean(), 8, ic=ic, trend="n").ar_lags
    assert list(range(1, generator.order_[0] + 1)) == list(selected or [])
    fit = AutoReg(x - x.mean(), int(generator.order_[0]), trend="n").fit()
    np.testing.assert_allclose(generator.coefs_[0], fit.params, rtol=1e-9)
    np.testing.assert_allclose(generator.sigma2_[0], fit.sigma2, rtol=1e-9)


def test_ar_constant_channel_is_sampled_as_its_value(ar2_data):
    data = ar2_data[:2].copy()
    data[:, 1] = 5.0
    generator = ARGenerator(max_order=4).fit(_signals(data))
    assert generator.order_[1] == 0
    np.testing.assert_array_equal(generator.sample(2, seed=0, duration=30.0).values[:, 1], 5.0)


# --- VAR --------------------------------------------------------------------------------------


@pytest.fixture
def var1_data(rng) -> np.ndarray:
    """10 records x 2 channels x 3000 samples of the VAR(1) ``VAR1`` with innovations ``SIGMA_U``."""
    factor = np.linalg.cholesky(SIGMA_U)
    noise = rng.standard_normal((10, 3200, 2)) @ factor.T
    x = np.zeros_like(noise)
    for t in range(1, x.shape[1]):
        x[:, t] = x[:, t - 1] @ VAR1.T + noise[:, t]
    return x[:, 200:].transpose(0, 2, 1)


def test_var_recovers_a_known_var1(var1_data):
    generator = VARGenerator(max_order=5, ic="bic").fit(_signals(var1_data - 1.0))
    assert generator.order_ == 1
    np.testing.assert_allclose(generator.coefs_[0], VAR1, atol=0.03)
    np.testing.assert_allclose(generator.sigma_u_, SIGMA_U, atol=0.04)
    np.testing.assert_allclose(generator.mean_, -1.0, atol=0.05)


def test_var_samples_have_the_analytic_lag1_cross_covariance(var1_data):
    generator = VARGenerator(order=1).fit(_signals(var1_data))
    synthetic = generator.sample(20, seed=0).values
    a, sigma = generator.coefs_[0], generator.sigma_u_
    gamma0 = solve_discrete_lyapunov(a, sigma)
    gamma1 = a @ gamma0  # E[x_t x_{t-1}^T]
    centred = synthetic - synthetic.mean(axis=-1, keepdims=True)
    lag1 = np.einsum("rct,rdt->cd", centred[..., 1:], centred[..., :-1]) / (centred.shape[0] * centred.shape[-1])
    lag0 = np.einsum("rct,rdt->cd", centred, centred) / (centred.shape[0] * centred.shape[-1])
    np.testing.assert_allclose(lag1, gamma1, atol=0.03 * np.abs(gamma0).max())
    np.testing.assert_allclose(lag0, gamma0, atol=0.03 * np.abs(gamma0).max())


@pytest.mark.parametrize("ic", ["aic", "bic"])
def test_var_equals_statsmodels_on_one_record(var1_data, rng, ic):
    from statsmodels.tsa.api import VAR

    x = np.vstack([var1_data[0], var1_data[1, :1] + rng.normal(size=(1, 3000))])  # 3 channels
    generator = VARGenerator(max_order=6, ic=ic).fit(_signals(x[None]))
    model = VAR((x - x.mean(-1, keepdims=True)).T)
    assert generator.order_ == model.select_order(6, trend="n").selected_orders[ic]
    fit = model.fit(generator.order_, trend="n")
    np.testing.assert_allclose(generator.coefs_, fit.coefs, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(generator.sigma_u_, fit.sigma_u, rtol=1e-9)
    assert fit.is_stable()


def test_var_rejects_linearly_dependent_channels(var1_data):
    data = np.concatenate([var1_data, var1_data.sum(axis=1, keepdims=True)], axis=1)
    with pytest.raises(ValueError, match="linearly dependent"):
        VARGenerator(max_order=2).fit(_signals(data))


def test_var_rejects_records_too_short_for_max_order(var1_data):
    with pytest.raises(ValueError, match="max_order=10"):
        VARGenerator(max_order=10).fit(_signals(var1_data[:1, :, :10]))


# --- unstable fits ----------------------------------------------------------------------------


@pytest.fixture
def explosive(rng) -> np.ndarray:
    """2 records x 2 channels x 300 samples growing as 1.02**t."""
    return lfilter([1.0], [1.0, -1.02], rng.normal(size=(2, 2, 300)), axis=-1)


@pytest.mark.parametrize("cls", [ARGenerator, VARGenerator])
def test_unstable_fit_raises_or_shrinks(explosive, cls):
    with pytest.raises(ValueError, match="unstable"):
        cls(order=1).fit(_signals(explosive))
    generator = cls(order=1, on_unstable="shrink").fit(_signals(explosive))
    coefs = generator.coefs_[:, 0] if cls is ARGenerator else generator.coefs_[0]
    radius = np.abs(np.linalg.eigvals(np.atleast_2d(coefs) if cls is VARGenerator else np.diag(coefs))).max()
    np.testing.assert_allclose(radius, 0.99, rtol=1e-9)
    assert np.all(np.asarray(generator.shrink_) < 1)
    assert np.isfinite(generator.sample(2, seed=0).values).all()


# --- common contract --------------------------------------------------------------------------


def test_registry_names():
    assert {name: REGISTRY[name] for name in ("phase", "iaaft", "ar", "var")} == {
        "phase": PhaseSurrogate,
        "iaaft": IAAFTSurrogate,
        "ar": ARGenerator,
        "var": VARGenerator,
    }


@pytest.mark.parametrize("generator", _all_generators(), ids=lambda g: g.name)
def test_same_seed_same_records_alone_or_in_batch(coupled, generator):
    generator.fit(_signals(coupled))
    batch = generator.sample(4, seed=3)
    np.testing.assert_array_equal(batch.values, generator.sample(4, seed=3).values)
    np.testing.assert_array_equal(batch.values[2:], generator.sample(2, seed=3, first_record=2).values)
    assert not np.array_equal(batch.values, generator.sample(4, seed=4).values)
    assert batch.shape == (4, 3, 512)


@pytest.mark.parametrize("generator", _all_generators(), ids=lambda g: g.name)
def test_save_load_round_trip_gives_identical_samples(coupled, generator, tmp_path):
    generator.fit(_signals(coupled))
    path = generator.save(tmp_path / "generator.npz")
    loaded = load_generator(path)
    assert type(loaded) is type(generator)
    assert loaded._params() == generator._params()
    for key, value in generator._state().items():
        np.testing.assert_array_equal(loaded._state()[key], value)
    np.testing.assert_array_equal(loaded.sample(3, seed=5).values, generator.sample(3, seed=5).values)


@pytest.mark.parametrize("generator", _all_generators(), ids=lambda g: g.name)
def test_fit_rejects_nan_and_sample_needs_fit(coupled, generator):
    with pytest.raises(NotFittedError, match="not fitted"):
        generator.sample(1, seed=0)
    data = coupled.copy()
    data[0, 1, 7] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        generator.fit(make_signals(data, SFREQ, units="a.u.", modality="misc", check_finite=False))


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: ARGenerator(ic="aicc"), ValueError, "ic must be one of"),
        (lambda: ARGenerator(max_order=-1), ValueError, "max_order"),
        (lambda: VARGenerator(order=1.5), TypeError, "order"),
        (lambda: VARGenerator(on_unstable="clip"), ValueError, "on_unstable"),
        (lambda: IAAFTSurrogate(max_iter=0), ValueError, "max_iter"),
        (lambda: IAAFTSurrogate(cross_spectrum="yes"), TypeError, "cross_spectrum"),
    ],
)
def test_bad_parameters_are_named(make, error, match):
    with pytest.raises(error, match=match):
        make()


# --- the names of biosynth 0.1 ----------------------------------------------------------------


def test_old_sample_names_warn_and_give_the_same_records(coupled):
    generator = ARGenerator(max_order=4).fit(_signals(coupled))
    new = generator.sample(2, duration=2.0, seed=1)
    with pytest.warns(FutureWarning, match=r"sample\(n=...\) was renamed to n_records="):
        old = generator.sample(n=2, duration=2.0, seed=1)
    np.testing.assert_array_equal(old.values, new.values)
    with pytest.warns(FutureWarning, match=r"sample\(n_times=...\) was replaced by duration="):
        old = generator.sample(2, n_times=200, seed=1)
    np.testing.assert_array_equal(old.values, new.values)
    with pytest.raises(TypeError, match="both n= .* and n_records="):
        generator.sample(n_records=2, n=2)
    with pytest.raises(TypeError, match="both n_times= .* and duration="):
        generator.sample(2, n_times=200, duration=2.0)


def test_learned_sample_arguments_are_named(coupled):
    generator = PhaseSurrogate().fit(_signals(coupled))
    with pytest.raises(ValueError, match="duration must give at least 2 samples"):
        generator.sample(1, duration=0.01)
    _, events = generator.sample(1, seed=0, return_events=True)
    assert events.empty
    assert generator.get_params() == {}
    assert IAAFTSurrogate(max_iter=3).get_params() == {"max_iter": 3, "cross_spectrum": True}
