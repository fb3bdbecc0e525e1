# SPDX-License-Identifier: BSD-3-Clause
"""Helpers shared by the container, file I/O and the streamed writers of ``signals``."""

from __future__ import annotations

from collections.abc import Sequence

#: biosynth modality -> MNE channel type.
MNE_TYPES = {"eeg": "eeg", "ecg": "ecg", "ecog": "ecog", "seeg": "seeg", "lfp": "dbs", "emg": "emg", "misc": "misc"}


def channel_names(ch_names: Sequence[str] | None, n_channels: int) -> list[str]:
    """Checked channel names: ``ch000, ch001, ...`` when None, else unique names, one per channel."""
    if ch_names is None:
        return [f"ch{i:03d}" for i in range(n_channels)]
    if isinstance(ch_names, str):
        raise TypeError(f"ch_names must be a sequence of str, got the single str {ch_names!r}.")
    names = [str(n) for n in ch_names]
    if len(names) != n_channels:
        raise ValueError(f"ch_names has {len(names)} names but data has {n_channels} channels.")
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"ch_names must be unique, got duplicates {dupes}.")
    return names


def require_zarr() -> None:
    """Raise a one-line ImportError naming the extra when zarr is missing."""
    try:
        import zarr  # noqa: F401
    except ImportError as err:
        raise ImportError("Zarr output needs the zarr package: pip install 'biosynth[dask]'.") from err
