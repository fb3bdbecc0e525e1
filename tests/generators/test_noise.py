# SPDX-License-Identifier: BSD-3-Clause
import numpy as np
import pytest
from scipy.signal import welch

from biosynth.generators.noise import (
    NOISE_KINDS,
    add_noise,
    baseline_wander,
    electrode_motion,
    muscle_noise,
    powerline,
)

SFREQ = 250.0

GENERATORS = {
    "baseline": baseline_wander,
    "powerline": powerline,
    "muscle": muscle_noise,
    "motion": electrode_motion,
}


def _band_share(x, sfreq, low, high, nperseg):
    """Share of the Welch power (averaged over rows) in [low, high] Hz."""
    freqs, psd = welch(x, sfreq, nperseg=nperseg)
    psd = psd.reshape(-1, freqs.size).mean(axis=0)
    inside = (freqs >= low) & (freqs <= high)
    return psd[inside].sum() / psd.sum()


def _snr_db(signal, noise):
    return 10.0 * np.log10(np.mean(signal**2, axis=-1) / np.mean(noise**2, axis=-1))


@pytest.fixture
def ecg_like(rng):
    """(3, 2, 2500) signal at 250 Hz: spiky 1.2 Hz beats, a different scale and offset per row."""
    t = np.arange(2500) / SFREQ
    beats = np.exp(-((((t * 1.2) % 1.0) - 0.5) ** 2) / (2 * 0.01**2))
    scale = rng.uniform(0.5, 2.0, size=(3, 2, 1)) * 1e-3  # volts
    return scale * beats + rng.normal(scale=1e-4, size=(3, 2, 1))


@pytest.mark.parametrize("snr_db", [-10.0, 0.0, 6.0, 23.7])
@pytest.mark.parametrize("kinds", [(k,) for k in NOISE_KINDS] + [NOISE_KINDS])
def test_snr_is_exact_per_row(ecg_like, snr_db, kinds):
    noisy, noise = add_noise(ecg_like, SFREQ, snr_db=snr_db, kinds=kinds, seed=1)
    assert noisy.shape == noise.shape == ecg_like.shape
    np.testing.assert_array_equal(noisy, ecg_like + noise)
    np.testing.assert_allclose(_snr_db(ecg_like, noise), snr_db, rtol=0, atol=1e-9)


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize(("batch_shape", "shape"), [((), (1000,)), (4, (4, 1000)), ((2, 3), (2, 3, 1000))])
def test_unit_power_and_shape(name, batch_shape, shape):
    x = GENERATORS[name](1000, SFREQ, seed=0, batch_shape=batch_shape)
    assert x.shape == shape and x.dtype == np.float64
    np.testing.assert_allclose(np.mean(x**2, axis=-1), 1.0, rtol=1e-12)


def test_baseline_wander_power_below_1_hz():
    x = baseline_wander(round(60 * SFREQ), SFREQ, seed=2, batch_shape=10)
    assert _band_share(x, SFREQ, 0.0, 1.0, nperseg=round(20 * SFREQ)) > 0.99  # measured 0.99999999
    slow = baseline_wander(round(60 * SFREQ), SFREQ, seed=2, batch_shape=10, max_freq=0.2)
    assert _band_share(slow, SFREQ, 0.0, 0.4, nperseg=round(20 * SFREQ)) > 0.99


@pytest.mark.parametrize("freq", [50.0, 60.0])
def test_powerline_lines_at_mains_and_harmonics(freq):
    sfreq = 1000.0
    x = powerline(round(10 * sfreq), sfreq, freq=freq, harmonics=(0.0, 0.3, 0.0, 0.1), seed=3, batch_shape=4)
    freqs, psd = welch(x, sfreq, nperseg=round(sfreq))  # 1 Hz bins; lines sit on bins
    psd = psd.mean(axis=0)

    def line(f):
        return psd[np.abs(freqs - f) <= 2].sum()

    assert (line(freq) + line(3 * freq) + line(5 * freq)) / psd.sum() > 0.999
    assert line(3 * freq) / line(freq) == pytest.approx(0.3**2, rel=1e-3)
    assert line(5 * freq) / line(freq) == pytest.approx(0.1**2, rel=1e-3)
    assert line(2 * freq) / line(freq) < 1e-6  # weight 0: no even harmonic


def test_powerline_harmonics_above_nyquist_are_left_out():
    # at 250 Hz the 3rd harmonic of 50 Hz (150 Hz) would alias to 100 Hz
    x = powerline(round(10 * SFREQ), SFREQ, freq=50.0, harmonics=(0.0, 0.3), seed=4, batch_shape=3)
    assert _band_share(x, SFREQ, 48.0, 52.0, nperseg=round(SFREQ)) > 0.999
    assert _band_share(x, SFREQ, 98.0, 102.0, nperseg=round(SFREQ)) < 1e-6


def test_muscle_noise_power_in_its_band():
    sfreq = 500.0
    x = muscle_noise(round(20 * sfreq), sfreq, seed=5, batch_shape=5)
    nperseg = round(2 * sfreq)
    assert _band_share(x, sfreq, 20.0, sfreq / 2, nperseg) > 0.98
    assert _band_share(x, sfreq, 152.0, sfreq / 2, nperseg) < 0.005
    freqs, psd = welch(x, sfreq, nperseg=nperseg)
    psd = psd.mean(axis=0)
    low, high = psd[(freqs >= 30) & (freqs <= 60)].mean(), psd[(freqs >= 110) & (freqs <= 140)].mean()
    assert low / high == pytest.approx(1.0, abs=0.15)  # flat inside the band
    # at 250 Hz the band reaches Nyquist (125 Hz)
    y = muscle_noise(round(20 * SFREQ), SFREQ, seed=5, batch_shape=5)
    assert _band_share(y, SFREQ, 20.0, SFREQ / 2, round(2 * SFREQ)) > 0.98


def test_electrode_motion_events_and_recovery():
    rate, recovery, seconds, n_rows = 0.5, 0.4, 60.0, 20
    x = electrode_motion(round(seconds * SFREQ), SFREQ, seed=6, batch_shape=n_rows, rate=rate, recovery=recovery)
    decay = np.exp(-1.0 / (recovery * SFREQ))
    # between events each sample is the previous one times the decay: count the events
    jumps = ~np.isclose(x[:, 1:], decay * x[:, :-1], rtol=0, atol=1e-9)
    expected = rate * seconds * n_rows  # 600; Poisson SD 24.5
    assert abs(jumps.sum() - expected) < 0.1 * expected
    assert _band_share(x, SFREQ, 0.0, 10.0, nperseg=round(20 * SFREQ)) > 0.9  # slow transients


def test_every_motion_row_has_an_event():
    x = electrode_motion(50, SFREQ, seed=0, batch_shape=200, rate=0.01)  # expected 0.002 events per row
    np.testing.assert_allclose(np.mean(x**2, axis=-1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("name", GENERATORS)
def test_same_seed_same_noise_and_rows_differ(name):
    make = GENERATORS[name]
    a = make(2000, SFREQ, seed=7, batch_shape=(2, 3))
    np.testing.assert_array_equal(a, make(2000, SFREQ, seed=7, batch_shape=(2, 3)))
    np.testing.assert_array_equal(a, make(2000, SFREQ, seed=np.random.default_rng(7), batch_shape=(2, 3)))
    np.testing.assert_array_equal(a, make(2000, SFREQ, seed=np.random.SeedSequence(7), batch_shape=(2, 3)))
    assert not np.array_equal(a, make(2000, SFREQ, seed=8, batch_shape=(2, 3)))
    rows = a.reshape(6, -1)
    gaps = np.sqrt(np.mean((rows[:, None] - rows[None]) ** 2, axis=-1))[np.triu_indices(6, 1)]
    assert gaps.min() > 0.05  # unit-power rows: no two rows alike


def test_add_noise_seeded_and_different_per_record(ecg_like):
    _, a = add_noise(ecg_like, SFREQ, snr_db=3.0, seed=9)
    _, b = add_noise(ecg_like, SFREQ, snr_db=3.0, seed=9)
    np.testing.assert_array_equal(a, b)
    _, c = add_noise(ecg_like, SFREQ, snr_db=3.0, seed=10)
    assert not np.allclose(a, c)
    _, emg = add_noise(ecg_like, SFREQ, snr_db=3.0, kinds=("muscle",), seed=9)
    corr = np.corrcoef(emg.reshape(6, -1))[np.triu_indices(6, 1)]
    assert np.abs(corr).max() < 0.1  # independent rows (2500 samples: SD of r about 0.03)


def test_weights_set_power_shares(ecg_like):
    only_line = add_noise(ecg_like, SFREQ, snr_db=0.0, kinds=("powerline",), seed=11)[1]
    with_zero = add_noise(ecg_like, SFREQ, snr_db=0.0, kinds=("powerline", "muscle"), weights=(1, 0), seed=11)[1]
    np.testing.assert_allclose(with_zero, only_line, rtol=0, atol=1e-15)  # kinds are drawn in order
    t = np.arange(round(20 * SFREQ)) / SFREQ
    clean = np.sin(2 * np.pi * 1.0 * t) + np.zeros((8, 1))
    noise = add_noise(clean, SFREQ, snr_db=0.0, kinds=("powerline", "muscle"), weights=(3, 1), seed=12)[1]
    emg = add_noise(clean, SFREQ, snr_db=0.0, kinds=("muscle",), seed=12)[1]
    emg_near_line = _band_share(emg, SFREQ, 48.0, 52.0, nperseg=round(SFREQ))  # flat EMG puts ~4.7 % there
    expected = 0.75 + 0.25 * emg_near_line
    assert _band_share(noise, SFREQ, 48.0, 52.0, nperseg=round(SFREQ)) == pytest.approx(expected, abs=0.005)


def test_no_global_rng_use(ecg_like):
    state = np.random.get_state()[1].copy()  # noqa: NPY002 - the legacy global state is what we check
    add_noise(ecg_like, SFREQ, snr_db=0.0, seed=0)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002


def _signal():
    return np.sin(np.arange(500) / 10.0)[None].repeat(2, axis=0)


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"snr_db": float("nan")}, ValueError, r"snr_db must be a finite number in dB, got nan\."),
        ({"snr_db": float("inf")}, ValueError, r"snr_db must be a finite number in dB, got inf\."),
        ({"snr_db": "10"}, TypeError, r"snr_db must be a real number in dB, got str '10'"),
        ({"kinds": ("muscle", "thermal")}, ValueError, r"kinds\[1\] must be one of 'baseline', .*; got 'thermal'\."),
        ({"kinds": "muscle"}, ValueError, r"kinds must be a non-empty sequence of noise kinds.*got 'muscle'"),
        ({"kinds": ("muscle", "muscle")}, ValueError, r"kinds must name each kind once"),
        ({"weights": (1.0, 2.0)}, ValueError, r"weights must have one value per kind \(4\), got 2"),
        ({"weights": (1.0, -1.0, 0.0, 0.0)}, ValueError, r"weights\[1\] must lie in \[0, inf\], got -1"),
        ({"weights": (0, 0, 0, 0)}, ValueError, r"weights must not all be 0"),
        ({"line_freq": 130.0}, ValueError, r"line_freq must lie in \(0, 125\) in Hz \(Nyquist is 125 Hz .*got 130"),
        ({"sfreq": 0.0}, ValueError, r"sfreq must be a positive finite number in Hz, got 0\."),
        ({"sfreq": -250.0}, ValueError, r"sfreq must be a positive finite number in Hz, got -250\."),
        ({"seed": -1}, ValueError, r"seed must be an integer >= 0, got -1\."),
        ({"seed": "seed"}, TypeError, r"seed must be a numpy Generator, a non-negative int, .* got str\."),
        ({"signal": np.zeros((2, 500))}, ValueError, r"signal has 2 row\(s\) with zero power"),
        ({"signal": np.full((2, 500), np.nan)}, ValueError, r"signal contains 1000 non-finite value"),
        ({"signal": np.ones(1)}, ValueError, r"signal must have at least 2 samples .* got shape \(1,\)"),
    ],
)
def test_add_noise_bad_input_is_one_line_naming_it(kwargs, err, match):
    args = {"signal": _signal(), "sfreq": SFREQ, "snr_db": 10.0, "seed": 0} | kwargs
    with pytest.raises(err, match=match) as info:
        add_noise(args.pop("signal"), args.pop("sfreq"), **args)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("name", "kwargs", "err", "match"),
    [
        ("powerline", {"freq": 600.0}, ValueError, r"freq must lie in \(0, 500\) in Hz \(Nyquist is 500 Hz"),
        ("powerline", {"freq": float("nan")}, ValueError, r"freq must be a finite number in Hz, got nan"),
        ("powerline", {"harmonics": (0.3, -0.1)}, ValueError, r"harmonics\[1\] must lie in \[0, inf\], got -0.1"),
        ("powerline", {"sfreq": -1.0}, ValueError, r"sfreq must be a positive finite number in Hz, got -1\."),
        ("baseline", {"max_freq": 501.0}, ValueError, r"max_freq must lie in \(0, 500\) in Hz"),
        ("baseline", {"min_freq": 0.5}, ValueError, r"min_freq must lie in \(0, 0.5\) in Hz, got 0.5"),
        ("muscle", {"band": (600.0, 700.0)}, ValueError, r"band\[0\] must lie in \[0, 500\) in Hz"),
        ("muscle", {"band": (20.0,)}, ValueError, r"band must be a \(low, high\) pair in Hz, got \(20.0,\)"),
        ("muscle", {"n_times": 2}, ValueError, r"band=\(20.0, 150.0\) Hz holds no frequency .* 500 Hz"),
        ("motion", {"rate": 0.0}, ValueError, r"rate must be a positive finite number in events/s, got 0\."),
        ("motion", {"recovery": -1.0}, ValueError, r"recovery must be a positive finite number in s, got -1\."),
        ("motion", {"n_times": 1}, ValueError, r"n_times must be an integer >= 2, got 1\."),
        ("baseline", {"batch_shape": (2, 0)}, ValueError, r"batch_shape\[1\] must be an integer >= 1, got 0\."),
        ("baseline", {"batch_shape": [2]}, TypeError, r"batch_shape must be an int or a tuple of ints, got list"),
    ],
)
def test_generator_bad_input_is_one_line_naming_it(name, kwargs, err, match):
    args = {"n_times": 1000, "sfreq": 1000.0, "seed": 0} | kwargs
    with pytest.raises(err, match=match) as info:
        GENERATORS[name](args.pop("n_times"), args.pop("sfreq"), **args)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("name", GENERATORS)
def test_old_rng_keyword_still_works_with_a_future_warning(name):
    make = GENERATORS[name]
    with pytest.warns(FutureWarning, match=r"rng=\.\.\.\) was renamed to seed="):
        old = make(500, SFREQ, rng=3, batch_shape=2)
    np.testing.assert_array_equal(old, make(500, SFREQ, seed=3, batch_shape=2))
    with pytest.raises(TypeError, match="got both rng= .* and seed="):
        make(500, SFREQ, rng=3, seed=3)


def test_add_noise_old_rng_keyword_still_works(ecg_like):
    with pytest.warns(FutureWarning, match="renamed to seed="):
        _, old = add_noise(ecg_like, SFREQ, snr_db=3.0, rng=4)
    np.testing.assert_array_equal(old, add_noise(ecg_like, SFREQ, snr_db=3.0, seed=4)[1])


def test_generator_seed_continues_its_stream():
    """A Generator is used and advanced: two draws from one differ, and match a fresh one's two draws."""
    gen = np.random.default_rng(5)
    first, second = muscle_noise(400, SFREQ, seed=gen), muscle_noise(400, SFREQ, seed=gen)
    assert not np.array_equal(first, second)
    again = np.random.default_rng(5)
    np.testing.assert_array_equal(first, muscle_noise(400, SFREQ, seed=again))
    np.testing.assert_array_equal(second, muscle_noise(400, SFREQ, seed=again))
