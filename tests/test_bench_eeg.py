# SPDX-License-Identifier: BSD-3-Clause
"""The EEG benchmark's fidelity suite on a tiny stand-in for real data."""

from __future__ import annotations

import json
import math

import pytest

pytest.importorskip("neurodsp")

from benchmarks import eeg
from benchmarks._results import clean
from biosynth.generators import simulate_eeg


def test_fidelity_suite_structure():
    # 2 channels: compare's aperiodic fits on 4 channels of so few records can take seconds
    real = simulate_eeg(4.0, 128.0, n_records=4, ch_names=["Cz", "Oz"], seed=1)
    real = real.assign_coords(channel=["EEG 0", "EEG 1"])  # no positions, like the EEGLAB file
    try:
        eeg._check_neurokit2()
        generators = ("biosynth", "neurodsp")  # neurokit2 loads MNE's sample data per signal: too slow here
    except eeg.Unavailable:
        generators = eeg.GENERATORS
    result = eeg.suite_fidelity(real, seed=0, sections=("spectral", "nonlinear"), generators=generators)
    json.dumps(clean(result))  # JSON-ready
    assert result["layout"] == {"n_records": 4, "n_channels": 2, "sfreq_hz": 128.0, "duration_s": 4.0, "units": "V"}
    assert set(result["generators"]) == set(generators)
    for name, found in result["generators"].items():
        if "unavailable" in found:
            assert name == "neurokit2" and found["unavailable"].startswith("unavailable")
            continue
        assert set(found["summary"]) == {"spectral", "nonlinear"}
        assert all(math.isfinite(s["median_ratio"]) for s in found["summary"].values()), name
        assert found["features"]["nonlinear"] and found["metrics"]
    assert set(result["best"]) == {"spectral", "nonlinear"}
    assert result["best"]["spectral"]["generator"] in generators
