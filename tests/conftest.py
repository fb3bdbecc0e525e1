# SPDX-License-Identifier: BSD-3-Clause
"""Shared fixtures: small seeded signals and the project's real recordings."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

if os.environ.get("PYTEST_XDIST_WORKER"):
    # one thread per worker: pytest-xdist already runs one worker per core, and torch's
    # own thread pool on top of it oversubscribes the cores (the VAE tests ran 12x slower)
    for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_name, "1")

import numpy as np
import pytest

from biosynth.datasets import real_data_dir, real_data_file
from biosynth.signals import make_signals

#: Real recordings: $BIOSYNTH_REAL_DATA, else shared/data/real beside the checkout; None
#: when neither exists (the tests that need them skip).
REAL_DIR = real_data_dir()


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture
def batch(rng) -> object:
    """3 records x 4 channels x 2 s at 250 Hz of Gaussian noise in volts."""
    data = rng.normal(scale=10e-6, size=(3, 4, 500))
    return make_signals(data, 250.0, ch_names=["Fz", "Cz", "Pz", "Oz"], provenance={"test": "batch"})


@pytest.fixture
def real_file():
    """Path to a file in shared/data/real; skips cleanly when it is absent."""

    def get(name: str) -> Path:
        try:
            return real_data_file(name, REAL_DIR)
        except FileNotFoundError as exc:
            pytest.skip(f"real recording not available: {exc}")

    return get


@pytest.fixture(scope="session")
def fooof():
    """The fooof module (a dev dependency; skips without it). fooof announces on import that
    specparam replaces it, after setting the filter to "always": record=True keeps that
    warning out of pytest's (warnings are errors in this suite)."""
    with warnings.catch_warnings(record=True):
        try:
            import fooof
        except ImportError:
            pytest.skip("fooof (a dev dependency) is not installed")
    return fooof
