# SPDX-License-Identifier: BSD-3-Clause
"""mne-hfo's detectors as peers of the HFO benchmark, run in their own environment
(``benchmarks.mnehfo``; ``make mnehfo``, which ``make test`` builds)."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from benchmarks import mnehfo
from benchmarks.hfo_transfer import score_all
from biosynth.signals import make_signals

SFREQ = 2000.0


def _burst_record(seed: int = 0) -> tuple[np.ndarray, float]:
    """3 channels of white noise (10 uV) for 5 s; a 150-Hz burst of 100 uV from 2.0 to
    2.06 s on channel ``b``."""
    rng = np.random.default_rng(seed)
    values = 1e-5 * rng.standard_normal((1, 3, round(5 * SFREQ)))
    t = np.arange(round(0.06 * SFREQ)) / SFREQ
    start = round(2.0 * SFREQ)
    values[0, 1, start : start + len(t)] += 1e-4 * np.sin(2 * np.pi * 150.0 * t) * np.hanning(len(t))
    return values, 2.0


@pytest.fixture(scope="module")
def python():
    found = mnehfo.interpreter()
    if found is None:
        pytest.skip("no mne-hfo environment (make mnehfo)")
    return found


def test_mne_hfo_detectors_find_a_ripple_burst(python):
    """mne-hfo's RMS and line-length ripple detectors (threshold 3 SD) each find the
    burst on its channel, one detection overlapping its 60 ms (the other detections are
    the noise's own windows over 3 SD: these detectors have no duration or peak
    criterion); the environment runs the scikit-learn that mne-hfo 0.2 needs (< 1.6)."""
    values, onset = _burst_record()
    found, versions = mnehfo.detect(values, SFREQ, ["a", "b", "c"], [3.0], python)
    assert list(found.columns) == mnehfo.COLUMNS
    assert tuple(int(p) for p in versions["scikit_learn"].split(".")[:2]) < (1, 6)
    for name in ("mnehfo_rms_ripple", "mnehfo_linelength_ripple"):
        rows = found[(found["detector"] == name) & (found["channel"] == "b")]
        overlap = (rows["onset"] < onset + 0.06) & (rows["onset"] + rows["duration"] > onset)
        assert overlap.sum() == 1, rows


def test_score_all_scores_the_peers_like_its_own_detectors(python):
    """The benchmark's scoring of the peers' detections: with the burst marked as a
    ripple, each mne-hfo ripple detector at 3 SD has one match and as many detections as
    it returned, so F1 = 2 / (1 + detections)."""
    values, onset = _burst_record()
    signals = make_signals(values[0], SFREQ, ch_names=["a", "b", "c"], units="V", modality="ecog")
    truth = pd.DataFrame({"onset": [onset], "duration": [0.06], "type": ["ripple"], "channel": ["b"], "record": [0]})
    peers, _ = mnehfo.detect(values, SFREQ, ["a", "b", "c"], [3.0], python)
    scores = score_all(signals, truth, peers)
    for name in ("mnehfo_rms_ripple", "mnehfo_linelength_ripple"):
        n_detected = int((peers["detector"] == name).sum())
        row = scores[name]["3.0"]
        assert (row["n_matched"], row["n_detected"]) == (1, n_detected)
        assert row["f1"] == pytest.approx(2 / (1 + n_detected))


def test_a_broken_environment_is_reported_in_one_line():
    """An interpreter without mne-hfo (this one) fails in the script: the error names the
    environment and the script's last line (the missing module), not a traceback."""
    values, _ = _burst_record()
    with pytest.raises(RuntimeError, match=r"mne-hfo environment .* failed: ModuleNotFoundError: No module named 'mne"):
        mnehfo.detect(values, SFREQ, ["a", "b", "c"], [3.0], mnehfo.Path(sys.executable))


def test_an_interpreter_variable_naming_no_file_is_an_error(monkeypatch, tmp_path):
    """``$BIOSYNTH_MNEHFO_PYTHON`` set to a path that is not a file: a one-line error naming
    the variable and the value, not a benchmark that quietly leaves mne-hfo out."""
    missing = tmp_path / "no-python"
    monkeypatch.setenv(mnehfo.PYTHON_ENV, str(missing))
    with pytest.raises(ValueError, match=r"BIOSYNTH_MNEHFO_PYTHON='.*no-python' is not a file"):
        mnehfo.interpreter()


def test_hfo_transfer_refuses_a_missing_interpreter_before_loading(monkeypatch, tmp_path, capsys):
    """The benchmark checks ``$BIOSYNTH_MNEHFO_PYTHON`` first: exit 2 with one error line
    naming it (the real-data folder given does not exist, and is never read)."""
    from benchmarks.hfo_transfer import main

    monkeypatch.setenv(mnehfo.PYTHON_ENV, str(tmp_path / "no-python"))
    with pytest.raises(SystemExit) as info:
        main(["--real-data", str(tmp_path / "absent")])
    assert info.value.code == 2
    assert "BIOSYNTH_MNEHFO_PYTHON=" in capsys.readouterr().err
