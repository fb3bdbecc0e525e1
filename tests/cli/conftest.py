# SPDX-License-Identifier: BSD-3-Clause
"""Fixtures of the CLI tests: a small synthetic EEG file written by the command."""

import pytest

from tests.cli._helpers import run


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "estimators: needs the estimator API of biosynth.generators (GENERATORS, load_generator); "
        "expected to pass once it is merged",
    )


@pytest.fixture
def synthetic(tmp_path, capsys):
    """Six 4-s records like the shipped EEGLAB sample, seed 0."""
    path = tmp_path / "syn.nc"
    argv = ["generate", "eeg", "--like", "sample:eeglab", "--n-records", "6", "--duration", "4", "--seed", "0"]
    code, out, _ = run(capsys, *argv, "--out", str(path))
    assert code == 0, out
    return path
