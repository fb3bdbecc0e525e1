# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth fidelity``: the report, the summary, --device and one-line errors."""

import json

import pytest

import biosynth.fidelity
from biosynth.cli import main
from tests.cli._helpers import check_one_line_error, run


def test_fidelity_report_and_card(synthetic, tmp_path, capsys):
    report = tmp_path / "report.html"
    code, out, err = run(capsys, "fidelity", "sample:eeglab", str(synthetic), "--out", str(report))
    assert code == 0, err
    assert "metrics within 1.5x of real-vs-real" in out
    summary = json.loads(report.with_suffix(".json").read_text())
    assert summary["info"]["n_records_synthetic"] == 6
    card = tmp_path / "card.md"
    code, _, err = run(capsys, "card", str(synthetic), "--fidelity", str(report.with_suffix(".json")), "-o", str(card))
    assert code == 0, err
    text = card.read_text()
    assert text.startswith("---\n") and "## Limitations and biases" in text and "log_spectral_distance" in text


@pytest.mark.parametrize(("given", "passed"), [([], "cpu"), (["--device", "torch:cpu"], "torch:cpu")])
def test_fidelity_passes_the_device_to_compare(tmp_path, monkeypatch, capsys, given, passed):
    seen = {}

    def spy(real, synthetic, **kwargs):
        seen["device"] = kwargs["device"]
        raise ValueError("compare reached")

    monkeypatch.setattr(biosynth.fidelity, "compare", spy)
    argv = ["fidelity", "sample:eeglab", "sample:eeglab", *given, "--out", str(tmp_path / "r.html")]
    code, _, err = run(capsys, *argv)
    assert (code, err) == (2, "biosynth fidelity: error: compare reached\n")
    assert seen == {"device": passed}


def test_fidelity_help_names_the_real_data_folder(capsys):
    with pytest.raises(SystemExit):
        main(["fidelity", "--help"])
    out = capsys.readouterr().out
    assert "BIOSYNTH_REAL_DATA" in out and "--device" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fidelity", "missing.edf", "sample:eeglab", "--out", "r.html"], "cannot read 'missing.edf'"),
        (["fidelity", "sample:nope", "sample:eeglab", "--out", "r.html"], "sample name must be one of 'eeglab'"),
        (["fidelity", "sample:eeglab", "sample:eeglab", "--epoch", "0", "--out", "r.html"], "--epoch must be"),
        (["fidelity", "sample:eeglab", "sample:eeglab", "--epoch", "0.001", "--out", "r.html"], "under 2 samples"),
        (["fidelity", "sample:eeglab", "sample:eeglab", "--out", "r.json"], "--out and --json are the same file"),
        (
            ["fidelity", "sample:eeglab", "sample:eeglab", "--sections", "spectral,nope", "--out", "r.html"],
            "sections must be names from",
        ),
        (
            ["fidelity", "sample:eeglab", "sample:eeglab", "--sections", "privacy", "--out", "r.html"],
            "'privacy', which needs --holdout",
        ),
        (["fidelity", "sample:eeglab", "sample:eeglab", "--device", "gpu0", "--out", "r.html"], "device must be"),
        (["fidelity", "sample:eeglab", "sample:eeglab", "--device", "", "--out", "r.html"], "device must be"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, monkeypatch, capsys, argv, message):
    check_one_line_error(tmp_path, monkeypatch, capsys, argv, message)
    assert not (tmp_path / "r.html").exists()
