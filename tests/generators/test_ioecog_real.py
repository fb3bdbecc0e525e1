# SPDX-License-Identifier: BSD-3-Clause
"""Synthetic intracranial epileptic EEG against the Bonn database (reduced
``benchmarks.epilepsy``): utility for an ictal classifier and spectral fidelity.

Real Bonn sets C, D (interictal) and E (ictal), 100 segments each; 20 per set calibrate
the generator's amplitudes and background spectral shape, the other 80 are the real test data. 30 synthetic segments
per class. Skips when the Bonn files are absent.
"""

from __future__ import annotations

import pytest

from benchmarks import epilepsy

N_SYNTHETIC = 30
SEED = 0


@pytest.fixture(scope="module")
def bonn():
    # epilepsy.REAL: $BIOSYNTH_REAL_DATA, else shared/data/real beside the checkout (as tests/conftest.py)
    real = {name: epilepsy.load_bonn(name) for name in ("C", "D", "E")}
    missing = [name for name, batch in real.items() if batch is None]
    if missing:
        pytest.skip(f"Bonn sets {missing} not available at {epilepsy.REAL}")
    split = {k: epilepsy.split_indices(100, 20, SEED + ord(k)) for k in real}
    calibration = {
        "interictal": epilepsy._concat([real[k].isel(record=split[k][0]) for k in ("C", "D")]),
        "ictal": real["E"].isel(record=split["E"][0]),
    }
    settings = epilepsy.calibrate(calibration, seed=SEED, n_pilot=15)
    synthetic = {k: epilepsy.simulate_segments(k, N_SYNTHETIC, settings, seed=SEED) for k in ("interictal", "ictal")}
    return real, split, synthetic


def test_ictal_classifier_trained_on_synthetic_works_on_real(bonn):
    real, split, synthetic = bonn
    tables, _ = epilepsy.feature_table({**real, **synthetic})
    evaluation = {k: tables[k][split[k][1]] for k in real}
    found = epilepsy.utility(
        evaluation,
        {k: tables[k] for k in synthetic},
        non_ictal=("C", "D"),
        seed=SEED,
        models=("logistic",),
    )["logistic"]
    # this seed: TSTR 0.91, TRTR 0.97, TRTS 1.00; seeds 0-4: TSTR 0.89-0.96, TRTR 0.97-0.98,
    # TRTS 1.00; the full benchmark (100 per class): TSTR 0.91, TRTR 0.97
    assert found["trtr"] > 0.9
    assert found["tstr"] > 0.85
    assert found["tstr"] > found["trtr"] - 0.12
    assert found["trts"] > 0.9


def test_synthetic_interictal_spectrum_is_closer_to_real_interictal_than_ictal_is(bonn):
    from biosynth.fidelity import compare

    real, _, synthetic = bonn
    ratios = {}
    for kind in ("interictal", "ictal"):
        with epilepsy._quiet():
            report = compare(real["D"], synthetic[kind], sections=["spectral"], nonlinear=None, seed=SEED)
        ratios[kind] = report.summary().loc["spectral", "median_ratio"]
    # this seed: 2.1 vs 7.7 (seeds 0-4: 2.1-2.5 vs 7.4-9.3); real C vs D scores 2.0 on the
    # same scale, so synthetic interictal is about as close to D as the other real interictal set
    assert ratios["interictal"] < 3.0
    assert ratios["interictal"] < 0.5 * ratios["ictal"]
