# SPDX-License-Identifier: BSD-3-Clause
"""Reference detectors scored on events inserted by :class:`EpileptiformModel` in white noise."""

import numpy as np
import pytest

from biosynth.fidelity.detectors import detect_hfos, detect_spikes
from biosynth.fidelity.scoring import score_events
from biosynth.generators.epileptiform import EpileptiformModel
from biosynth.signals import make_signals

SFREQ = 2000.0
CH = ["g1", "g2", "g3", "g4"]
NOISE_SD = 3e-6  # V


def _f1(kind, params, noise_sd, detect):
    """F1 of ``detect`` on 60 s of ``kind`` events on two of four channels plus white noise."""
    model = EpileptiformModel(CH, SFREQ, {kind: {"channels": ["g1", "g2"], "rate": 20.0, **params}})
    data, truth = model.render(np.random.SeedSequence(1), 0, 0, int(60 * SFREQ))
    data = data + np.random.default_rng(1).normal(0.0, noise_sd, data.shape)
    found = detect(make_signals(data, SFREQ, ch_names=CH, modality="ecog"))
    scores = score_events(truth, found, match_window=0.05)
    assert scores["type"].tolist() == [kind]
    assert scores["n_true"].iloc[0] >= 30
    return float(scores["f1"].iloc[0])


@pytest.mark.parametrize(("factor", "low", "high"), [(1.0, 0.9, 1.0), (8.0, -0.01, 0.5)])
def test_staba_detector_finds_inserted_ripples(factor, low, high):
    # ripples kept off the 80 Hz band edge, where the detector's filter halves them
    params = {"amplitude": 30e-6, "amplitude_cv": 0.0, "freq": (100.0, 200.0), "duration": (0.04, 0.1)}
    f1 = _f1("ripple", params, factor * NOISE_SD, lambda c: detect_hfos(c, band=(80.0, 250.0)))
    assert low < f1 <= high


@pytest.mark.parametrize(("factor", "low", "high"), [(1.0, 0.9, 1.0), (16.0, -0.01, 0.86)])
def test_line_length_detector_finds_inserted_spikes(factor, low, high):
    # 150 uV spikes stay visible through broadband noise of 24 uV (x8), so x16 (48 uV)
    params = {"amplitude": 150e-6, "amplitude_cv": 0.0}
    f1 = _f1("spike", params, factor * NOISE_SD, detect_spikes)
    assert low < f1 <= high
