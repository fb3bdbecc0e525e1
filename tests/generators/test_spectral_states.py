# SPDX-License-Identifier: BSD-3-Clause
"""SpectralGenerator's discrete states (issue 17: "states where the data have them").

Closed loop on a made-up recording whose alpha rhythm switches on and off in blocks of
10-20 s (on) and 6-12 s (off): the fit finds two states with the blocks' occupancy and
dwell times, and its samples reproduce the bimodal per-epoch alpha power that a model
without states smears into one mode. A stationary recording, and one whose alpha power
drifts slowly but unimodally (and skewed), keep one state, and the model is then exactly
the state-free one. Save/load (files written before states existed load as one state),
seeds, and the 8-channel seizure EEG (pre-ictal then ictal) where it is available.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import lfilter

from biosynth.generators.learned import SpectralGenerator, _states, load_generator
from biosynth.generators.learned._states import dwell_epochs, fit_states, state_dwell
from biosynth.signals import make_signals

SFREQ = 128.0
N_EPOCH = 256  # the default 2-s epoch at 128 Hz
DURATION = 400.0  # s: 200 epochs, about 30 blocks of each state


def _alpha(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unit-variance Gaussian noise band-limited to 8-12 Hz."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1.0 / SFREQ)
    spectrum[(freqs < 8.0) | (freqs > 12.0)] = 0.0
    alpha = np.fft.irfft(spectrum, n=n)
    return alpha / alpha.std()


def make_recording(seed: int, kind: str, duration: float = DURATION):
    """Four channels of red background plus an alpha rhythm (weights 1 to 0.3 across the
    channels) that is, by ``kind``: ``"blocks"``, on (amplitude 9) for 10-20 s and off
    (0.9) for 6-12 s in turn; ``"stationary"``, on throughout at the blocks' RMS level;
    ``"drifting"``, modulated by a slow log-normal envelope (a first-order autoregression
    per 2 s, lag-one correlation 0.8). Returns the container and the true state (1: on)
    of each sample."""
    rng = np.random.default_rng(seed)
    n = round(duration * SFREQ)
    background = (np.eye(4) + 0.3) @ lfilter([1.0], [1.0, -0.95], rng.standard_normal((4, n)), axis=-1)
    alpha = np.linspace(1.0, 0.3, 4)[:, None] * _alpha(rng, n)
    on = np.ones(n, dtype=bool)
    if kind == "blocks":
        start, state = 0, bool(rng.integers(2))
        while start < n:
            length = round(rng.uniform(*((10.0, 20.0) if state else (6.0, 12.0))) * SFREQ)
            on[start : start + length] = state
            start, state = start + length, not state
        envelope = np.where(on, 9.0, 0.9)
    elif kind == "stationary":
        envelope = np.full(n, 9.0 * np.sqrt(0.5 * (1 + 0.01)))
    else:
        slow = lfilter([np.sqrt(1 - 0.8**2)], [1.0, -0.8], rng.standard_normal(n // N_EPOCH + 1))
        envelope = 3.0 * np.repeat(10.0 ** (0.25 * slow), N_EPOCH)[:n]
    return make_signals((background + alpha * envelope) * 1e-6, SFREQ, units="V"), on


def epoch_states(on: np.ndarray) -> np.ndarray:
    """True state of each epoch (at its middle sample)."""
    n = len(on) // N_EPOCH
    return on[: n * N_EPOCH].reshape(n, N_EPOCH)[:, N_EPOCH // 2].astype(int)


def alpha_log_power(values: np.ndarray) -> np.ndarray:
    """log10 8-12 Hz power of each 2-s epoch of the last axis (Hann window): (..., n_epochs)."""
    n = values.shape[-1] // N_EPOCH
    epochs = values[..., : n * N_EPOCH].reshape(*values.shape[:-1], n, N_EPOCH)
    power = np.abs(np.fft.rfft(epochs * np.hanning(N_EPOCH), axis=-1)) ** 2
    freqs = np.fft.rfftfreq(N_EPOCH, 1.0 / SFREQ)
    return np.log10(power[..., (freqs >= 8.0) & (freqs <= 12.0)].sum(axis=-1))


@pytest.fixture(scope="module")
def blocks():
    real, on = make_recording(0, "blocks")
    return real, epoch_states(on), SpectralGenerator().fit(real)


def test_blocks_give_two_states_with_their_occupancy_and_dwell_times(blocks):
    _, truth, gen = blocks
    assert len(gen.state_offsets_) == 2
    # states are numbered by decreasing occupancy: 0 is "alpha on" (about 62 % of the time)
    assert abs(gen.state_occupancy_[0] - truth.mean()) < 0.1
    assert abs(gen.state_occupancy_[1] - (1 - truth.mean())) < 0.1
    true_dwell = state_dwell(1 - truth, len(truth))  # epochs: [on, off], about 7 and 4.5
    np.testing.assert_allclose(dwell_epochs(gen.state_transitions_), true_dwell, rtol=0.3)
    # the "on" state's offset raises the alpha band of the channel with most alpha by ~1 log10 unit
    alpha_band = int(np.argmin(np.abs(gen.band_centres_ - 8.0)))
    offsets = gen.state_offsets_.reshape(2, 4, -1)[:, 0, alpha_band]
    assert offsets[0] - offsets[1] > 0.5
    # zero mean over the epochs: the mean log spectrum is the model's
    np.testing.assert_allclose(truth.mean() * offsets[0] + (1 - truth.mean()) * offsets[1], 0.0, atol=0.05)


@pytest.fixture(scope="module")
def alpha_samples(blocks):
    """Per-epoch alpha log power of channel 0: real, sampled (40 records of 60 s) and the
    threshold and half-gap between the real "on" and "off" means."""
    real, truth, gen = blocks
    power = alpha_log_power(real.values[0])
    on_mean, off_mean = power[truth == 1].mean(), power[truth == 0].mean()
    synthetic = gen.sample(40, duration=60.0, seed=1)
    return power, alpha_log_power(synthetic.values[:, 0]), 0.5 * (on_mean + off_mean), 0.5 * (on_mean - off_mean)


def test_samples_reproduce_the_share_and_dwell_of_high_alpha_epochs(alpha_samples):
    real, synthetic, threshold, _ = alpha_samples
    real_high, synthetic_high = (real > threshold).astype(int), (synthetic > threshold).astype(int)
    assert abs(synthetic_high.mean() - real_high.mean()) < 0.1
    real_dwell = state_dwell(1 - real_high, real_high.size)  # [high, low], epochs
    synthetic_dwell = state_dwell(1 - synthetic_high.ravel(), synthetic_high.shape[1])
    np.testing.assert_allclose(synthetic_dwell, real_dwell, rtol=0.3)


def valley_share(power: np.ndarray, threshold: float, half_gap: float) -> float:
    """Share of epochs in the middle half between the "off" and "on" means."""
    return float(np.mean(np.abs(power - threshold) < 0.5 * half_gap))


def test_samples_are_bimodal_where_a_state_free_model_is_not(alpha_samples, blocks, monkeypatch):
    real, synthetic, threshold, half_gap = alpha_samples
    assert valley_share(real, threshold, half_gap) < 0.12  # about 0.07: epochs straddling a switch
    assert valley_share(synthetic, threshold, half_gap) < 0.25  # about 0.19 (frames switch every half epoch)
    monkeypatch.setattr(_states, "MAX_STATES", 1)
    plain = SpectralGenerator().fit(blocks[0])
    smeared = alpha_log_power(plain.sample(20, duration=60.0, seed=1).values[:, 0])
    assert valley_share(smeared, threshold, half_gap) > 0.3  # about 0.37: one broad mode


def test_states_keep_the_mean_spectrum(blocks, alpha_samples):
    real, synthetic = alpha_samples[:2]
    # mean alpha power (linear) of channel 0 within 15 % of the real
    ratio = np.mean(10.0**synthetic) / np.mean(10.0**real)
    assert 0.85 < ratio < 1.15


@pytest.mark.parametrize("kind", ["stationary", "drifting"])
def test_recordings_without_states_keep_one_and_the_state_free_model(kind, monkeypatch, tmp_path):
    real, _ = make_recording(1, kind, duration=200.0)
    gen = SpectralGenerator().fit(real)
    assert len(gen.state_offsets_) == 1
    np.testing.assert_array_equal(gen.state_offsets_, 0.0)
    monkeypatch.setattr(_states, "MAX_STATES", 1)
    plain = SpectralGenerator().fit(real)
    np.testing.assert_array_equal(
        gen.sample(2, duration=8.0, seed=3).values, plain.sample(2, duration=8.0, seed=3).values
    )


def test_white_noise_features_give_one_state():
    rng = np.random.default_rng(0)
    features = rng.standard_normal((300, 12))
    assert len(fit_states(features, np.ones(12), 100).offsets) == 1


def test_markov_chain_features_give_its_states():
    """Straight from a two-state chain (no signal in between): occupancy and dwell come back."""
    rng = np.random.default_rng(0)
    stay = np.array([0.9, 0.8])  # dwell 10 and 5 epochs; occupancy 2/3, 1/3
    labels = [0]
    for _ in range(599):
        labels.append(labels[-1] if rng.random() < stay[labels[-1]] else 1 - labels[-1])
    labels = np.array(labels)
    means = np.zeros((2, 12))
    means[1, :4] = 2.0
    features = means[labels] + rng.standard_normal((600, 12))
    fitted = fit_states(features, np.ones(12), 600)
    assert len(fitted.offsets) == 2
    np.testing.assert_allclose(fitted.occupancy, [2 / 3, 1 / 3], atol=0.1)
    np.testing.assert_allclose(dwell_epochs(fitted.transitions), [10.0, 5.0], rtol=0.3)
    np.testing.assert_allclose(fitted.offsets[0] - fitted.offsets[1], -means[1], atol=0.3)


def test_save_load_round_trip_keeps_the_states(blocks, tmp_path):
    gen = blocks[2]
    loaded = load_generator(gen.save(tmp_path / "states.npz"))
    for name in ("state_offsets_", "state_transitions_", "state_occupancy_"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(gen, name))
    np.testing.assert_array_equal(
        loaded.sample(2, duration=20.0, seed=4).values, gen.sample(2, duration=20.0, seed=4).values
    )


def test_file_written_before_states_loads_as_one_state(tmp_path):
    real, _ = make_recording(2, "stationary", duration=60.0)
    gen = SpectralGenerator().fit(real)
    path = gen.save(tmp_path / "new.npz")
    with np.load(path, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files if not k.startswith("state/state_")}
    assert len(arrays) == len(np.load(path).files) - 3
    np.savez(tmp_path / "old.npz", **arrays)
    old = load_generator(tmp_path / "old.npz")
    assert old.state_offsets_.shape == (1, gen.variability_diag_.size)
    np.testing.assert_array_equal(
        old.sample(2, duration=8.0, seed=5).values, gen.sample(2, duration=8.0, seed=5).values
    )


def test_states_are_deterministic_per_seed_and_fit(blocks):
    real, _, gen = blocks
    first = gen.sample(3, duration=30.0, seed=7).values
    np.testing.assert_array_equal(first, gen.sample(3, duration=30.0, seed=7).values)
    np.testing.assert_array_equal(first[1], gen.sample(1, duration=30.0, seed=7, first_record=1).values[0])
    assert not np.allclose(first, gen.sample(3, duration=30.0, seed=8).values)
    again = SpectralGenerator().fit(real)
    np.testing.assert_array_equal(again.state_offsets_, gen.state_offsets_)
    np.testing.assert_array_equal(again.state_transitions_, gen.state_transitions_)


def test_seizure_eeg_pre_and_ictal_gives_several_states(real_file):
    """The 8-channel scalp EEG, 163 s before a seizure and 163 s during it, in one record:
    the ictal stretch is a state of its own (K = 3 found: one pre-ictal, two ictal)."""
    with np.load(real_file("eeg_seizure_8ch.npz"), allow_pickle=False) as f:
        data, sfreq = f["data"].astype(float), float(f["sfreq"])
    gen = SpectralGenerator().fit(make_signals(data, sfreq, units="uV"))
    assert len(gen.state_offsets_) >= 2
    # the most frequent state is about the pre-ictal half; the states differ by a factor of
    # several in some band's power (the seizure's rhythm)
    assert 0.3 < gen.state_occupancy_[0] < 0.7
    assert np.ptp(gen.state_offsets_, axis=0).max() > 0.5


def test_mixture_em_agrees_with_scikit_learn():
    """The states' own EM (shared covariance; written because scikit-learn's
    GaussianMixture is slow here) against scikit-learn's ``covariance_type="tied"`` on three
    overlapping clusters in 3-D: the same log-likelihood (to 1e-3 per score), means (to
    0.02) and covariance (to 0.02)."""
    from sklearn.mixture import GaussianMixture

    from biosynth.generators.learned._states import _mixture

    rng = np.random.default_rng(7)
    centres = np.array([[0.0, 0.0, 0.0], [2.5, 0.5, -1.0], [-1.0, 3.0, 1.0]])
    mixing = np.array([[1.0, 0.3, 0.0], [0.0, 0.8, 0.2], [0.1, 0.0, 0.6]])
    labels = rng.choice(3, size=3000, p=[0.5, 0.3, 0.2])
    x = centres[labels] + rng.standard_normal((3000, 3)) @ mixing
    ours = _mixture(x, 3)
    peer = GaussianMixture(3, covariance_type="tied", n_init=5, tol=1e-8, max_iter=1000, random_state=0).fit(x)
    assert ours.log_likelihood / len(x) == pytest.approx(peer.score(x), abs=1e-3)
    order = [int(np.argmin(np.sum((peer.means_ - m) ** 2, axis=1))) for m in ours.means]
    assert sorted(order) == [0, 1, 2]
    np.testing.assert_allclose(ours.means, peer.means_[order], atol=0.02)
    np.testing.assert_allclose(ours.weights, peer.weights_[order], atol=0.01)
    np.testing.assert_allclose(ours.covariance, peer.covariances_, atol=0.02)
