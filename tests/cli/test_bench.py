# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth bench`` without a suite (the suites: tests/bench/test_suites.py)."""

import json

import pytest

from biosynth.cli import main
from tests.cli._helpers import run


def test_bench_writes_json(tmp_path, capsys):
    out_path = tmp_path / "bench.json"
    code, out, err = run(capsys, "bench", "--n-records", "4", "--repeat", "1", "--out", str(out_path))
    assert code == 0, err
    assert "generation:" in out and "samples/s" in out
    results = json.loads(out_path.read_text())
    assert set(results["best_s"]) == {"generate", "compare", "report"} and results["samples_per_s"] > 0


def test_bench_help_names_the_real_data_folder(capsys):
    with pytest.raises(SystemExit):
        main(["bench", "--help"])
    assert "BIOSYNTH_REAL_DATA" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["bench", "--n-records", "0"], "--n-records must be"),
        (["bench", "--repeat", "0"], "--repeat must be"),
        (["bench", "parkinson", "--duration", "-1"], "--duration must be"),
    ],
)
def test_bench_bad_input_exits_2_with_one_line(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_bench_suite_refuses_a_missing_real_data_folder(tmp_path, capsys):
    missing = tmp_path / "no_such_folder"
    argv = ["bench", "epilepsy", "--n-records", "20", "--n-compare", "10", "--real-data", str(missing)]
    code, _, err = run(capsys, *argv, "--out", str(tmp_path / "epi.json"))
    assert code == 2 and str(missing) in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "epi.json").exists()
