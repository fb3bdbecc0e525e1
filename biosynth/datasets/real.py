# SPDX-License-Identifier: BSD-3-Clause
"""Where the real recordings are: the folder that benchmarks, suites and tests read.

Real recordings are not shipped (their licences or sizes do not allow it). The folder is,
in this order:

1. the ``path`` argument of :func:`real_data_dir` (``--real-data`` on the command line);
2. the environment variable ``BIOSYNTH_REAL_DATA``;
3. ``shared/data/real`` beside a source checkout (the folder that holds the checkout
   also holds ``shared/``), when biosynth runs from one.

A folder named by 1 or 2 must exist (a mistyped path is an error, not a silent skip);
the default of 3 is optional: when it is absent :func:`real_data_dir` returns None and
whatever needs real data skips with the one-line message of :func:`real_data_file`.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import xarray as xr

from biosynth.signals import make_signals

#: Environment variable naming the folder of real recordings.
REAL_DATA_ENV = "BIOSYNTH_REAL_DATA"
#: The default folder, relative to the folder that holds the source checkout.
DEFAULT_REAL_DATA = Path("shared") / "data" / "real"


def checkout_root() -> Path | None:
    """The source checkout biosynth runs from, or None when it is installed.

    Returns
    -------
    root : Path or None
        The folder above the ``biosynth`` package when it holds biosynth's
        ``pyproject.toml`` (an editable install or a clone on ``PYTHONPATH``); None for
        an installed wheel.
    """
    package = Path(__file__).resolve().parent.parent  # biosynth/
    root = package.parent
    return root if (root / "pyproject.toml").is_file() and (root / "biosynth").is_dir() else None


def real_data_dir(path: str | os.PathLike | None = None) -> Path | None:
    """The folder of real recordings (see the module notes for the order searched).

    Parameters
    ----------
    path : str, path-like or None, default=None
        The folder. None uses ``$BIOSYNTH_REAL_DATA``, else ``shared/data/real`` beside
        the source checkout.

    Returns
    -------
    folder : Path or None
        The folder; None when neither ``path`` nor ``$BIOSYNTH_REAL_DATA`` is given and
        the default folder does not exist (callers skip what needs real data).

    Raises
    ------
    TypeError
        ``path`` is not a str, a path-like object or None.
    FileNotFoundError
        ``path`` or ``$BIOSYNTH_REAL_DATA`` names something that is not a folder.

    Examples
    --------
    >>> real_data_dir("/no/such/folder")
    Traceback (most recent call last):
    ...
    FileNotFoundError: real-data folder '/no/such/folder' (passed as path) does not exist or is not a folder.
    """
    if path is not None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a str, a path-like object or None, got {type(path).__name__} {path!r}.")
        return _existing(Path(path), "passed as path")
    if os.environ.get(REAL_DATA_ENV):
        return _existing(Path(os.environ[REAL_DATA_ENV]), f"from ${REAL_DATA_ENV}")
    root = checkout_root()
    default = None if root is None else root.parent / DEFAULT_REAL_DATA
    return default if default is not None and default.is_dir() else None


def real_data_file(name: str, path: str | os.PathLike | None = None) -> Path:
    """A file of the real-data folder.

    Parameters
    ----------
    name : str
        File name inside the folder (``"eeg_bonn_setD_F.npz"``).
    path : str, path-like or None, default=None
        The folder, as for :func:`real_data_dir`.

    Returns
    -------
    file : Path
        The existing file.

    Raises
    ------
    FileNotFoundError
        With a one-line message naming the file and the folder searched (or saying that
        no folder was found and how to name one); skip messages can reuse it.
    """
    folder = real_data_dir(path)
    if folder is None:
        raise FileNotFoundError(
            f"{name} not found: no real-data folder (set ${REAL_DATA_ENV} or pass the folder; "
            f"the default is {DEFAULT_REAL_DATA.as_posix()} beside the source checkout)."
        )
    file = folder / name
    if not file.is_file():
        raise FileNotFoundError(f"{name} not found under {folder}.")
    return file


def load_segments(path: str | os.PathLike) -> xr.DataArray:
    """A file of single-channel segments as a batch, one record per segment.

    Parameters
    ----------
    path : str or path-like
        An ``.npz`` with ``data`` (segments x samples), ``sfreq`` (Hz), ``units`` and
        ``ch_names`` (one name per segment), as the Bonn sets in the real-data folder.

    Returns
    -------
    segments : DataArray, dims ("record", "channel", "time")
        Float64 in the file's units, one channel ``"EEG"``, records named after the
        segments; the provenance names the file.
    """
    path = Path(path)
    with np.load(path) as f:
        data, sfreq, units = f["data"].astype(np.float64), float(f["sfreq"]), str(f["units"])
        segments = [str(s) for s in f["ch_names"]]
    return make_signals(
        data[:, None, :], sfreq, ch_names=["EEG"], units=units, modality="eeg",
        provenance={"source": path.name}, record_names=segments,
    )  # fmt: skip


def _existing(folder: Path, origin: str) -> Path:
    if not folder.is_dir():
        raise FileNotFoundError(f"real-data folder {str(folder)!r} ({origin}) does not exist or is not a folder.")
    return folder


__all__ = ["DEFAULT_REAL_DATA", "REAL_DATA_ENV", "checkout_root", "load_segments", "real_data_dir", "real_data_file"]
