# SPDX-License-Identifier: BSD-3-Clause
"""The Bonn epilepsy EEG database (Andrzejak et al. 2001, Phys Rev E 64:061907) in the
real-data folder: its sets, its recording settings and a loader.

Five sets of 100 single-channel segments of 4097 samples at 173.61 Hz (23.6 s), in uV:
A (healthy, surface, eyes open), B (eyes closed), C (interictal, intracranial,
hippocampal formation opposite the epileptogenic zone), D (interictal, within the zone)
and E (ictal). The amplifier band-pass was 0.53-40 Hz at 12 dB/octave per edge (a
2nd-order Butterworth per edge).
"""

from __future__ import annotations

import os

import xarray as xr

from biosynth.datasets.real import load_segments, real_data_file

#: Bonn set letter -> file in the real-data folder.
BONN_SETS = {
    "A": "eeg_bonn_setA_Z.npz",
    "B": "eeg_bonn_setB_O.npz",
    "C": "eeg_bonn_setC_N.npz",
    "D": "eeg_bonn_setD_F.npz",
    "E": "eeg_bonn_setE_S.npz",
}
#: Sampling rate of the Bonn segments, in Hz.
BONN_SFREQ = 173.61
#: Samples per Bonn segment (23.6 s).
BONN_N_TIMES = 4097
#: Amplifier band-pass of the Bonn recordings, in Hz, and the Butterworth order per edge.
BONN_BAND = (0.53, 40.0)
BONN_FILTER_ORDER = 2
#: The interictal (within the zone) and ictal sets that the epilepsy benchmarks compare with.
BONN_INTERICTAL, BONN_ICTAL = "D", "E"


def load_bonn(name: str, path: str | os.PathLike | None = None) -> xr.DataArray:
    """Bonn set ``name`` as a batch.

    Parameters
    ----------
    name : {"A", "B", "C", "D", "E"}
        The set.
    path : str, path-like or None, default=None
        The real-data folder (see :func:`biosynth.datasets.real_data_dir`).

    Returns
    -------
    segments : DataArray, dims ("record", "channel", "time")
        100 segments x channel ``"EEG"`` x 4097 samples at 173.61 Hz, in uV.

    Raises
    ------
    ValueError
        ``name`` is not a set letter.
    FileNotFoundError
        The set's file is not in the real-data folder (one line; see
        :func:`biosynth.datasets.real_data_file`).
    """
    if name not in BONN_SETS:
        raise ValueError(f"name must be a Bonn set, one of {', '.join(BONN_SETS)}; got {name!r}.")
    return load_segments(real_data_file(BONN_SETS[name], path))


__all__ = [
    "BONN_BAND",
    "BONN_FILTER_ORDER",
    "BONN_ICTAL",
    "BONN_INTERICTAL",
    "BONN_N_TIMES",
    "BONN_SETS",
    "BONN_SFREQ",
    "load_bonn",
]
