# SPDX-License-Identifier: BSD-3-Clause
"""SpectralGenerator's transient events (``transients=True``).

Closed loop: spikes of known rate, polarity, footprint and size, injected into a coloured
Gaussian background, come back from the fit; the samples carry them at that rate (the
model refitted to its own output finds the same rate); a Gaussian background gives no
transient model at all (the detector's chance reference is the background model itself);
save/load keeps the model and the samples; the saved waveforms are averages, not a real
event. On the real Bonn interictal set D (skipped without the real-data folder) the
derivative kurtosis of the segments (sharp transients) comes closer to the real one with
the transients than without.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from scipy import stats
from scipy.signal import lfilter

from biosynth.generators.learned import SpectralGenerator, load_generator
from biosynth.signals import make_signals

SFREQ = 256.0
SECONDS = 240.0
RATE = 0.5  # spikes per s, all on channel 0
FOOTPRINT = 0.5  # their amplitude on channel 1, relative to channel 0
NEGATIVE = 0.8  # share of negative spikes
SIZE = 8.0  # peak over the background SD (median)


def _spike(n_half: int) -> np.ndarray:
    """A sharp biphasic spike (a sharp peak and a slower after-wave of opposite sign), peak 1."""
    t = np.arange(-n_half, n_half + 1) / SFREQ
    wave = np.exp(-0.5 * (t / 0.006) ** 2) - 0.35 * np.exp(-0.5 * ((t - 0.025) / 0.015) ** 2)
    return wave / wave.max()


def _background(seed: int, seconds: float = SECONDS) -> np.ndarray:
    """Two channels of AR(1)-coloured Gaussian noise (unit SD), weakly correlated."""
    rng = np.random.default_rng(seed)
    white = rng.standard_normal((2, round(seconds * SFREQ)))
    white[1] = 0.6 * white[0] + 0.8 * white[1]
    coloured = lfilter([1.0], [1.0, -0.9], white, axis=-1)
    return coloured / coloured.std(axis=-1, keepdims=True)


def _with_spikes(seed: int) -> tuple[xr.DataArray, int]:
    """The background plus Poisson spikes on channel 0 (and FOOTPRINT of them on channel 1)."""
    rng = np.random.default_rng(seed + 100)
    x = _background(seed)
    n = x.shape[-1]
    times = np.flatnonzero(rng.random(n) < RATE / SFREQ)
    times = times[(times > 64) & (times < n - 64)]
    wave = _spike(32)
    for t in times:
        size = SIZE * np.exp(0.2 * rng.standard_normal())
        sign = -1.0 if rng.random() < NEGATIVE else 1.0
        x[:, t - 32 : t + 33] += sign * size * np.array([1.0, FOOTPRINT])[:, None] * wave
    return make_signals(x * 1e-5, SFREQ, units="V", modality="eeg"), len(times)


@pytest.fixture(scope="module")
def spiky() -> tuple[xr.DataArray, int, SpectralGenerator]:
    real, count = _with_spikes(0)
    return real, count, SpectralGenerator(transients=True).fit(real)


def _summary(model: dict) -> tuple[float, float, float]:
    """Total rate of channel-0 events (per s), their share of positive peaks and their
    footprint on channel 1, rate-weighted over the widths."""
    rates = np.asarray(model["rates"])[:, 0]
    weights = rates / rates.sum()
    positive = float(weights @ np.asarray(model["positive"])[:, 0])
    footprint = float(weights @ np.asarray(model["footprints"])[:, 0, 1])
    return float(rates.sum()), positive, footprint


def test_injected_spikes_are_found_at_their_rate_polarity_and_footprint(spiky):
    """Rate within 20 %, share of positive peaks within 0.1 of 1 - NEGATIVE, footprint on
    the other channel within 0.15 of FOOTPRINT; almost no events on channel 1 as primary."""
    _, count, gen = spiky
    assert gen.transients_ is not None
    rate, positive, footprint = _summary(gen.transients_)
    assert rate == pytest.approx(count / SECONDS, rel=0.2)
    assert positive == pytest.approx(1 - NEGATIVE, abs=0.1)
    assert footprint == pytest.approx(FOOTPRINT, abs=0.15)
    assert np.asarray(gen.transients_["rates"])[:, 1].sum() < 0.1 * rate


def test_events_are_taken_out_of_the_background(spiky):
    """The background spectrum is fitted to the cleaned data: the model's channel-0 power
    is within 15 % of the spike-free background's (unit SD), where the spiky data's is
    larger by the spikes' power."""
    real, _, gen = spiky
    spiky_power = float(np.var(real.values[0] / 1e-5))
    model_power = float(np.sum(10.0 ** gen.log_psd_[0, 1:]) * gen.freqs_[1] / 1e-10)
    assert spiky_power > 1.3
    assert model_power == pytest.approx(1.0, rel=0.15)


def test_samples_carry_the_events_at_the_learned_rate(spiky):
    """The model refitted to 8 records of its own output finds the same channel-0 rate
    (within 25 %) and polarity (within 0.15)."""
    _, _, gen = spiky
    synthetic = gen.sample(8, duration=60.0, seed=3)
    refit = SpectralGenerator(transients=True).fit(synthetic)
    assert refit.transients_ is not None
    rate, positive, _ = _summary(refit.transients_)
    first_rate, first_positive, _ = _summary(gen.transients_)
    assert rate == pytest.approx(first_rate, rel=0.25)
    assert positive == pytest.approx(first_positive, abs=0.15)


def test_a_gaussian_background_has_no_transients():
    """Without spikes, what the detector finds beyond the background model's own chance
    reference is too little for a model (fewer than 5 events): transients_ is None and
    the fit is the transient-free one."""
    real = make_signals(_background(4) * 1e-5, SFREQ, units="V", modality="eeg")
    with_detector = SpectralGenerator(transients=True).fit(real)
    assert with_detector.transients_ is None
    plain = SpectralGenerator().fit(real)
    np.testing.assert_array_equal(with_detector.sample(2, duration=4.0, seed=1), plain.sample(2, duration=4.0, seed=1))


def test_save_load_keeps_the_model_and_the_samples(spiky, tmp_path):
    _, _, gen = spiky
    path = gen.save(tmp_path / "model.npz")
    back = load_generator(path)
    assert back.transients
    for key in ("rates", "log_mean", "positive", "footprints"):
        np.testing.assert_array_equal(back.transients_[key], gen.transients_[key])
    np.testing.assert_array_equal(back.sample(2, duration=8.0, seed=5), gen.sample(2, duration=8.0, seed=5))


def test_saved_waveforms_are_averages_not_a_real_event(spiky, tmp_path):
    """No saved waveform equals (to 1e-6 of its peak) any window of the real channel-0 data
    scaled to it: they are means of at least 5 aligned events."""
    real, _, gen = spiky
    x = real.values[0] - real.values[0].mean()
    for wave in gen.transients_["waveforms"]:
        n = len(wave)
        windows = np.lib.stride_tricks.sliding_window_view(x, n)
        scale = windows @ wave / (wave @ wave)
        residual = np.abs(windows - scale[:, None] * wave[None, :]).max(axis=1)
        assert residual.min() > 1e-6 * np.abs(wave).max() * np.abs(scale).max()


def test_transients_option_is_checked():
    with pytest.raises(TypeError, match="transients"):
        SpectralGenerator(transients="yes")


def test_bonn_d_derivative_kurtosis_comes_closer(real_file):
    """Bonn set D (interictal, 100 segments of 23.6 s): the 90th percentile over segments of
    the kurtosis of the first difference (sharp transients) is nearer the real one with the
    transients than without (real 20-30, without about 3)."""
    data = np.load(real_file("eeg_bonn_setD_F.npz"))
    real = make_signals(data["data"].astype(np.float64)[:, None, :], float(data["sfreq"]), units="uV", modality="eeg")

    def p90(values: np.ndarray) -> float:
        return float(np.percentile(stats.kurtosis(np.diff(values, axis=-1), axis=-1), 90))

    target = p90(real.values)
    without = p90(SpectralGenerator().fit(real).sample(100, seed=1).values)
    with_events = p90(SpectralGenerator(transients=True).fit(real).sample(100, seed=1).values)
    assert abs(np.log(with_events / target)) < abs(np.log(without / target))
