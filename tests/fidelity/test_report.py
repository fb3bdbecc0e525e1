# SPDX-License-Identifier: BSD-3-Clause
import base64
import json
import re

import pytest

from biosynth.datasets import load_sample
from biosynth.fidelity import compare, write_report
from biosynth.generators import match_recording, simulate_eeg


@pytest.fixture(scope="module")
def result():
    real = load_sample("eeglab")
    return compare(real, simulate_eeg(4.0, n_records=8, seed=0, **match_recording(real)), epoch_duration=4.0)


def test_html_and_json(result, tmp_path):
    paths = write_report(result, tmp_path / "report.html")
    page = paths["html"].read_text()
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)
    assert len(images) == 6  # PSD, feature distributions, correlation, ACF + amplitude CDF, traces, PCA
    for image in images:
        assert base64.b64decode(image)[:8] == b"\x89PNG\r\n\x1a\n"
    for metric in result.metrics:
        assert metric.name in page
    summary = json.loads(paths["json"].read_text())  # strict JSON: NaN would fail here
    assert [m["name"] for m in summary["metrics"]] == [m.name for m in result.metrics]
    assert summary["schema"] == "biosynth.fidelity-report/1"
    assert summary["info"]["sfreq"] == 128.0
    sections = {"spectral", "statistical", "nonlinear", "multivariate", "plausibility"}
    assert set(summary["timings_s"]) == {"prepare", "features"} | sections
    assert all(m["seconds"] >= 0 for m in summary["metrics"])  # per-metric timings
    assert set(summary["summary"]) == sections
    assert "synthetic records pass the plausibility rules" in page
    for section, row in summary["summary"].items():
        in_section = [m for m in result.metrics if m.section == section]
        assert row["metrics"] == len(in_section)
        assert row["close"] == sum(m.ratio <= 1.5 for m in in_section)


def test_nan_becomes_null(result, tmp_path):
    path = result.to_json(tmp_path / "r.json")
    text = path.read_text()
    assert "NaN" not in text
    ratios = {m["name"]: m["ratio"] for m in json.loads(text)["metrics"]}
    assert ratios["alpha_peak_frequency_gap"] is None or ratios["alpha_peak_frequency_gap"] >= 0


def test_existing_json_blocks_the_whole_report(result, tmp_path):
    (tmp_path / "report.json").write_text("old")
    with pytest.raises(FileExistsError, match="report.json' already exists"):
        write_report(result, tmp_path / "report.html")
    assert not (tmp_path / "report.html").exists()
    assert (tmp_path / "report.json").read_text() == "old"
