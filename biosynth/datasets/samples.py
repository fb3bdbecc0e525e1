# SPDX-License-Identifier: BSD-3-Clause
"""Small real recordings shipped with biosynth (licences allow it; see README.md in this
folder), used by the demo and the tests."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import xarray as xr

from biosynth.signals import read

#: Folder of the shipped sample files.
DATA_DIR = Path(__file__).parent / "data"

#: Shipped samples: name -> (file, one-line description).
SAMPLES = {
    "eeglab": (
        "eeglab_32ch_60s.npz",
        "60 s of the EEGLAB tutorial scalp EEG, 32 channels, 128 Hz, volts (BSD-3-Clause)",
    ),
}
#: Prefix that names a shipped sample wherever a file path is expected (``"sample:eeglab"``).
SAMPLE_PREFIX = "sample:"


def sample_path(name: str) -> Path:
    """Path of a shipped sample file.

    Parameters
    ----------
    name : str
        One of :data:`SAMPLES` (``"eeglab"``).

    Returns
    -------
    path : Path
        The ``.npz`` file inside the installed package.

    Raises
    ------
    ValueError
        ``name`` is not a shipped sample.
    """
    if name not in SAMPLES:
        raise ValueError(f"sample name must be one of {', '.join(map(repr, SAMPLES))}; got {name!r}.")
    return DATA_DIR / SAMPLES[name][0]


def load_sample(name: str = "eeglab") -> xr.DataArray:
    """Load a shipped real recording into the biosynth container.

    Parameters
    ----------
    name : str, default="eeglab"
        One of :data:`SAMPLES`.

    Returns
    -------
    signals : DataArray, dims ("channel", "time")
        In volts; the provenance says where the excerpt comes from and under which licence.

    Examples
    --------
    >>> load_sample("eeglab").sizes["channel"]
    32
    """
    return read(sample_path(name))


def open_signals(
    spec: str | os.PathLike, *, return_events: bool = False
) -> xr.DataArray | tuple[xr.DataArray, pd.DataFrame]:
    """Read ``spec``: a file path, or ``"sample:NAME"`` for a shipped sample.

    Parameters
    ----------
    spec : str or path-like
        A file :func:`biosynth.signals.read` reads, or :data:`SAMPLE_PREFIX` followed by
        the name of a shipped sample.
    return_events : bool, default=False
        Also return the events table (annotations, WFDB beat labels, stored events).

    Returns
    -------
    signals : DataArray
        The recording (units as stored).
    events : DataFrame
        Only with ``return_events=True``.
    """
    text = os.fspath(spec)
    if text.startswith(SAMPLE_PREFIX):
        return read(sample_path(text[len(SAMPLE_PREFIX) :]), return_events=return_events)
    return read(text, return_events=return_events)


__all__ = ["DATA_DIR", "SAMPLES", "SAMPLE_PREFIX", "load_sample", "open_signals", "sample_path"]
