# SPDX-License-Identifier: BSD-3-Clause
"""Safe output files: never overwrite without consent, never leave half a file."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def check_output_path(path: str | os.PathLike, *, overwrite: bool) -> Path:
    """Return ``path`` as a Path after checking it may be written.

    Raises FileExistsError when it exists and ``overwrite`` is False, and
    FileNotFoundError when its folder does not exist.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"output {str(path)!r} already exists; pass overwrite=True (--overwrite) to replace it.")
    if not path.parent.exists():
        raise FileNotFoundError(f"output folder {str(path.parent)!r} does not exist; create it first.")
    return path


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike, *, overwrite: bool) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` on success.

    The temporary name keeps the suffix of ``path`` so writers that pick a format by
    extension still work. On error the temporary file (or folder) is removed and
    ``path`` is left as it was.
    """
    final = check_output_path(path, overwrite=overwrite)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=f".tmp{final.suffix}", dir=final.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # writers create it themselves (some refuse an existing file)
    try:
        yield tmp
        if final.is_dir() and not tmp.is_dir():
            raise IsADirectoryError(f"output {str(final)!r} is a folder; give a file name.")
        if final.is_dir():
            shutil.rmtree(final)
        os.replace(tmp, final)
    finally:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp.exists():
            tmp.unlink()
