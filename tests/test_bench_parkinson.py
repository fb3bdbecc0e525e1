# SPDX-License-Identifier: BSD-3-Clause
"""The Parkinson's benchmark (reduced): the default preset meets the published figures
its card lists, measured with biosynth's own detectors and coupling measures."""

import pytest

from benchmarks import parkinson


@pytest.fixture(scope="module")
def result():
    out = parkinson.run(n_records=6, duration=60.0, seed=1)
    out.pop("_runs")
    return out


def test_every_published_comparison_agrees(result):
    failed = [row["quantity"] for row in result["published"] if not row["agrees"]]
    assert failed == []


def test_detected_burst_durations_match_the_ground_truth(result):
    for state in ("off", "on"):
        stats = result["bursts"][state]
        # each true burst of >= 100 ms found (onset within 0.1 s) is as long as told, within 10 %
        assert stats["recall"] > 0.75
        assert stats["matched_duration_ratio"] == pytest.approx(1.0, abs=0.1)
    assert result["bursts"]["off"]["mean_duration_s"] > result["bursts"]["on"]["mean_duration_s"]
    assert result["bursts"]["off"]["rate_per_min"] > result["bursts"]["on"]["rate_per_min"]
    assert result["classifier_off_vs_on_balanced_accuracy"] > 0.9
