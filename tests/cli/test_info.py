# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth info`` and ``biosynth sys-info``."""

import pytest

from tests.cli._helpers import check_one_line_error, run


def test_info_file_and_system(synthetic, capsys):
    code, out, _ = run(capsys, "info", str(synthetic))
    assert code == 0 and "records:    6" in out and "128 Hz" in out
    code, out, _ = run(capsys, "info")
    assert code == 0 and "numba:" in out and "cuda:" in out


def test_sys_info_prints_what_info_prints_without_a_file(capsys):
    code, out, _ = run(capsys, "sys-info")
    assert code == 0 and "numba:" in out and "cuda:" in out
    assert run(capsys, "info")[1] == out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["info", "garbage.edf"], "as signals"),
        (["info", "objects.npz"], "it holds Python objects (pickles), which biosynth never loads"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, monkeypatch, capsys, argv, message):
    check_one_line_error(tmp_path, monkeypatch, capsys, argv, message)
