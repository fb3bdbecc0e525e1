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
    FileNotFoundError when its folder does not exist or is a file.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"output {str(path)!r} already exists; pass overwrite=True (--overwrite) to replace it.")
    if not path.parent.is_dir():
        state = "is a file, not a folder" if path.parent.exists() else "does not exist; create it first"
        raise FileNotFoundError(f"output folder {str(path.parent)!r} {state}.")
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
        _move_into_place(tmp, final, overwrite=overwrite)
    finally:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp.exists():
            tmp.unlink()


def _link_or_rename(tmp: Path, final: Path) -> None:
    """Hard-link ``tmp`` to ``final`` (atomic, never replaces); where the file system has
    no hard links, fall back to a rename after a last check."""
    try:
        os.link(tmp, final)
    except FileExistsError:
        raise
    except OSError:
        if final.exists():
            raise FileExistsError(final) from None
        os.replace(tmp, final)


def _move_into_place(tmp: Path, final: Path, *, overwrite: bool) -> None:
    """Rename ``tmp`` onto ``final``. Without ``overwrite``, a file that appeared at
    ``final`` meanwhile is kept (a hard link fails instead of replacing it)."""
    if final.is_dir() and not tmp.is_dir():
        raise IsADirectoryError(f"output {str(final)!r} is a folder; give a file name.")
    if not overwrite:
        try:
            if tmp.is_dir():
                os.mkdir(final)  # claims the name; fails if anything is there now
                os.replace(tmp, final)
            else:
                _link_or_rename(tmp, final)
        except FileExistsError:
            raise FileExistsError(
                f"output {str(final)!r} appeared while writing; pass overwrite=True (--overwrite) to replace it."
            ) from None
        return
    if final.is_dir():
        shutil.rmtree(final)
    elif final.exists() and tmp.is_dir():
        final.unlink()  # a file where a folder format (Zarr) goes
    os.replace(tmp, final)
