# SPDX-License-Identifier: BSD-3-Clause
"""Fixtures of the CLI tests: a small synthetic EEG file written by the command."""

import pytest

from tests.cli._helpers import run


@pytest.fixture
def synthetic(tmp_path, capsys):
    """Six 4-s records like the shipped EEGLAB sample, seed 0."""
    path = tmp_path / "syn.nc"
    argv = ["generate", "eeg", "--like", "sample:eeglab", "--n-records", "6", "--duration", "4", "--seed", "0"]
    code, out, _ = run(capsys, *argv, "--out", str(path))
    assert code == 0, out
    return path
