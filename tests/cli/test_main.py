# SPDX-License-Identifier: BSD-3-Clause
"""The ``biosynth`` entry point: the installed command, dispatch to the subcommands,
exit codes, and the deprecated names of the old single-module CLI."""

import subprocess
import sys

import pytest

import biosynth.cli
from biosynth.cli import main
from tests.cli._helpers import check_one_line_error, exit_code


def test_installed_command_has_no_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "biosynth.cli", "fidelity", "a.edf", "b.nc", "--out", "r.html"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "biosynth fidelity: error: cannot read 'a.edf': no such file or folder."


def test_debug_shows_the_traceback(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="a.edf"):
        main(["--debug", "fidelity", "a.edf", "b.nc", "--out", "r.html"])


def test_version_and_help(capsys):
    assert exit_code(["--version"]) == 0
    assert capsys.readouterr().out.startswith("biosynth ")
    assert exit_code(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("generate", "fit", "fidelity", "bench", "card", "info", "sys-info"):
        assert f"    {command} " in out


def test_cli_sections_match_the_library():
    from biosynth.cli.fidelity import SECTIONS as CLI_SECTIONS
    from biosynth.fidelity import SECTIONS

    assert CLI_SECTIONS == SECTIONS


def test_cli_real_data_variable_is_the_one_datasets_reads():
    from biosynth.cli._common import REAL_DATA_ENV as CLI_REAL_DATA_ENV
    from biosynth.datasets import REAL_DATA_ENV

    assert CLI_REAL_DATA_ENV == REAL_DATA_ENV == "BIOSYNTH_REAL_DATA"


def test_the_exit_codes_of_the_old_module_are_still_there():
    assert (biosynth.cli.EXIT_OK, biosynth.cli.EXIT_USER_ERROR) == (0, 2)


def test_match_like_is_a_deprecated_alias_of_match_recording():
    from biosynth.datasets import load_sample
    from biosynth.generators import match_recording

    real = load_sample("eeglab")
    with pytest.warns(FutureWarning, match="match_recording"):
        settings = biosynth.cli.match_like(real)
    assert settings == match_recording(real)
    with pytest.raises(AttributeError, match="no_such_name"):
        biosynth.cli.no_such_name


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["generate"], "give a KIND (eeg, ecg, ioecog, parkinson) or --model MODEL.npz"),
        (["generate", "--model", "m.npz", "eeg", "--out", "x.nc"], "give either KIND (eeg) or --model, not both"),
        (["generate", "--seed", "1", "eeg", "--out", "x.nc"], "--seed comes before KIND"),
        (["generate", "--n-records", "2", "ecg", "--out", "x.nc"], "--n-records comes before KIND"),
        (["fit"], "the following arguments are required: FAMILY, REAL"),
    ],
)
def test_usage_errors_exit_2_with_one_line(tmp_path, monkeypatch, capsys, argv, message):
    check_one_line_error(tmp_path, monkeypatch, capsys, argv, message)
