# SPDX-License-Identifier: BSD-3-Clause
"""The README's tour works as written."""

import re
import shlex
from pathlib import Path

import pytest

from biosynth.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(), flags=re.S)


def test_python_tour_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = _blocks("python")
    assert len(blocks) == 3  # the tour, the ioECoG example and learning a recording
    for code in blocks:
        exec(compile(code, "README.md", "exec"), {})
    assert (tmp_path / "report.html").exists() and (tmp_path / "report.json").exists()
    assert (tmp_path / "record3.edf").exists()
    assert (tmp_path / "bids_out" / "sub-01" / "ieeg" / "sub-01_electrodes.tsv").exists()
    assert (tmp_path / "model.npz").exists()


def test_cli_tour_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    cli_block = _blocks("bash")[1]
    commands = [shlex.split(line.split("#")[0]) for line in cli_block.splitlines() if line.strip()]
    assert all(c[0] == "biosynth" for c in commands)
    for argv in commands:
        if argv[1] == "bench":
            argv += ["--repeat", "1"]
        assert main(argv[1:]) == 0, argv
    capsys.readouterr()
    for name in ("syn.nc", "report.html", "report.json", "syn_card.md", "bench.json", "ioecog.nc", "pd_lfp.nc"):
        assert (tmp_path / name).exists(), name


@pytest.mark.parametrize("target", ["demo:", "test:"])
def test_readme_commands_exist_in_makefile(target):
    assert target in (README.parent / "Makefile").read_text()
    assert f"make {target[:-1]}" in README.read_text()
