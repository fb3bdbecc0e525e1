# SPDX-License-Identifier: BSD-3-Clause
"""Run the ``biosynth`` command in-process and check its one-line errors."""

from __future__ import annotations

import numpy as np

from biosynth.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """``biosynth ARGV``: (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def exit_code(argv: list[str]) -> int:
    """The exit code of ``biosynth ARGV``, argparse's usage errors included."""
    try:
        return main(argv)
    except SystemExit as exc:  # argparse usage errors exit from inside parse_args
        return exc.code


def check_one_line_error(tmp_path, monkeypatch, capsys, argv: list[str], message: str) -> None:
    """``biosynth ARGV``, run in ``tmp_path`` beside a few bad files, exits 2 with one
    line on stderr that holds ``message``, and writes no x.nc."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "garbage.edf").write_bytes(b"garbage")
    (tmp_path / "notadir.txt").write_text("a file, not a folder")
    np.savez(tmp_path / "objects.npz", data=np.array([object()], dtype=object), sfreq=100.0)
    np.savez(tmp_path / "flat.npz", data=np.zeros((2, 1000)), sfreq=100.0, units="uV")
    code = exit_code(argv)
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert not (tmp_path / "x.nc").exists()
