# SPDX-License-Identifier: BSD-3-Clause
"""The held-out chain of ``make demo``: ``biosynth fit --window``, ``biosynth generate
--model`` and ``biosynth fidelity --window --training --training-window``."""

from __future__ import annotations

import json

from tests.cli._helpers import run


def test_fit_on_one_window_judge_on_another(tmp_path, capsys):
    model, synthetic, report = tmp_path / "m.npz", tmp_path / "s.nc", tmp_path / "r.html"
    code, out, _ = run(capsys, "fit", "spectral", "sample:eeglab", "--window", "0", "20", "--out", str(model))
    assert code == 0 and "x 20 s" in out  # the window, not the whole 60 s, was fitted
    code, _, _ = run(
        capsys, "generate", "--model", str(model), "--n-records", "10", "--duration", "2", "--seed", "0",
        "--out", str(synthetic),
    )  # fmt: skip
    assert code == 0
    code, out, _ = run(
        capsys, "fidelity", "sample:eeglab", str(synthetic), "--window", "20", "40", "--training", "sample:eeglab",
        "--training-window", "0", "20", "--epoch", "2", "--sections", "spectral,privacy", "--out", str(report),
    )  # fmt: skip
    assert code == 0 and "privacy" in out
    summary = json.loads(report.with_suffix(".json").read_text())
    assert summary["info"]["n_records_real"] == 10  # 20 s of held-out window in 2-s epochs
    assert {m["section"] for m in summary["metrics"]} == {"spectral", "privacy"}


def test_window_outside_the_recording_is_one_line(tmp_path, capsys):
    code, _, err = run(
        capsys, "fit", "spectral", "sample:eeglab", "--window", "50", "90", "--out", str(tmp_path / "m.npz")
    )
    assert code == 2 and "--window 50 90" in err and "tmax" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "m.npz").exists()


def test_holdout_and_training_together_are_refused(tmp_path, capsys):
    code, _, err = run(
        capsys, "fidelity", "sample:eeglab", "sample:eeglab", "--holdout", "sample:eeglab", "--training",
        "sample:eeglab", "--out", str(tmp_path / "r.html"),
    )  # fmt: skip
    assert code == 2 and "--holdout" in err and "--training" in err
