# SPDX-License-Identifier: BSD-3-Clause
"""Privacy of the data-driven generators: the VAE does not copy its training windows,
while a generator that replays them is caught by the same checks."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from biosynth.fidelity import membership_inference, memorised_copies  # noqa: E402
from biosynth.generators.learned import VAEMMDGenerator  # noqa: E402
from biosynth.signals import make_signals  # noqa: E402

SFREQ, WINDOW = 64.0, 64


def windows(n, seed):
    """1-s windows of a 10 Hz rhythm of random phase and amplitude in noise, in V."""
    rng = np.random.default_rng(seed)
    t = np.arange(WINDOW) / SFREQ
    amplitude = rng.uniform(0.5, 1.5, (n, 1, 1))
    x = amplitude * np.sin(2 * np.pi * 10.0 * t + rng.uniform(0, 2 * np.pi, (n, 1, 1)))
    return (x + 0.5 * rng.standard_normal((n, 1, WINDOW))) * 1e-5


def embed(x):
    """Log power spectrum per window: the features the attacks compare."""
    return np.log(np.abs(np.fft.rfft(np.asarray(x)[:, 0], axis=-1)) ** 2 + 1e-30)


@pytest.fixture(scope="module")
def data():
    train, holdout = windows(150, 0), windows(150, 1)
    model = VAEMMDGenerator(WINDOW, latent_dim=4, hidden=16, batch_size=32, learning_rate=1e-2, epochs=30,
                            patience=30, seed=0)  # fmt: skip
    model.fit(make_signals(train, SFREQ, ch_names=["Cz"], modality="eeg"))
    return embed(train), embed(holdout), embed(model.sample(150, seed=2).values)


def test_vae_samples_are_not_copies_and_do_not_reveal_membership(data):
    train, holdout, synthetic = data
    assert memorised_copies(train, synthetic, holdout=holdout).share < 0.05
    assert 0.4 < membership_inference(train, synthetic, holdout=holdout, n_bootstrap=0).auc < 0.6


def test_a_generator_that_replays_its_training_windows_is_caught(data):
    train, holdout, _ = data
    replayed = train + 1e-6 * np.random.default_rng(3).standard_normal(train.shape)
    assert memorised_copies(train, replayed, holdout=holdout).share > 0.9
    assert membership_inference(train, replayed, holdout=holdout, n_bootstrap=0).auc > 0.9
