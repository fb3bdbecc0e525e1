# SPDX-License-Identifier: BSD-3-Clause
"""Event tables (R peaks, spikes, HFOs, seizures, bursts) and their bridges to
:class:`mne.Annotations` and BIDS ``events.tsv``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from biosynth._utils.docs import fill_doc
from biosynth._utils.files import atomic_output

EVENT_COLUMNS = ("record", "channel", "onset", "duration", "type")
#: Channel value for events that concern the whole recording (all channels).
ALL_CHANNELS = ""
_BIDS_NA = "n/a"


def make_events(
    onset: Sequence[float] | np.ndarray,
    duration: Sequence[float] | np.ndarray | float,
    type: Sequence[str] | str,  # noqa: A002 - the column name users know
    *,
    record: Sequence[int] | int = 0,
    channel: Sequence[str] | str = ALL_CHANNELS,
    extra: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Build a validated event table.

    Parameters
    ----------
    onset : array_like of float
        Event onsets, in seconds from the start of the record.
    duration : array_like of float or float
        Event durations, in seconds (0 for instantaneous events such as R peaks).
    type : sequence of str or str
        Event type, e.g. ``"R"``, ``"spike"``, ``"ripple"``, ``"seizure"``.
    record : sequence of int or int
        Index of the record each event belongs to.
    channel : sequence of str or str
        Channel name of each event; ``""`` means all channels.
    extra : dict | None
        Further columns (e.g. ``{"amplitude": [...]}``), kept as they are.

    Returns
    -------
    events : DataFrame
        Columns ``record, channel, onset, duration, type`` (then the extras), sorted
        by record and onset.

    Examples
    --------
    >>> make_events([0.5, 1.2], 0.0, "R").shape
    (2, 5)
    """
    onset = np.atleast_1d(np.asarray(onset, dtype=float))
    n = onset.size
    columns = {"record": record, "channel": channel, "duration": duration, "type": type}
    clashing = sorted(set(extra or {}) & set(EVENT_COLUMNS))
    if clashing:
        raise ValueError(f"extra must not redefine the columns {clashing}; pass them as arguments.")
    columns.update(extra or {})
    frame = pd.DataFrame({"onset": onset} | {key: _per_event(key, values, n) for key, values in columns.items()})
    return validate_events(frame)


def _per_event(name: str, values: Any, n: int) -> np.ndarray:
    """One value per event: a scalar repeats, a sequence must have one per onset."""
    array = np.asarray(values, dtype=object if name in ("channel", "type") else None)
    if array.ndim > 1 or (array.ndim == 1 and array.size != n):
        raise ValueError(f"{name} must be one value or one per onset ({n}), got {array.size} values.")
    return np.broadcast_to(array, n)


def empty_events() -> pd.DataFrame:
    """An event table with no rows."""
    return make_events([], [], [])


def validate_events(events: Any, name: str = "events") -> pd.DataFrame:
    """Check an event table and return it sorted by record and onset.

    Parameters
    ----------
    events : DataFrame
        Must have the columns ``record, channel, onset, duration, type``.
    name : str
        Argument name used in error messages.

    Returns
    -------
    events : DataFrame
        A sorted copy with a fresh index.
    """
    if not isinstance(events, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame with columns {EVENT_COLUMNS}, got {type(events).__name__}.")
    missing = [c for c in EVENT_COLUMNS if c not in events.columns]
    if missing:
        raise ValueError(f"{name} lacks columns {missing}; expected {EVENT_COLUMNS}.")
    onset = events["onset"].to_numpy(dtype=float)
    duration = events["duration"].to_numpy(dtype=float)
    if not np.isfinite(onset).all() or not np.isfinite(duration).all():
        raise ValueError(f"{name} onset and duration must be finite numbers in seconds.")
    if (onset < 0).any() or (duration < 0).any():
        raise ValueError(f"{name} onset and duration must be >= 0 s, got a negative value.")
    record = pd.to_numeric(events["record"], errors="coerce").to_numpy(dtype=float)
    if not (np.isfinite(record) & (record >= 0) & (record == np.round(record))).all():
        raise ValueError(
            f"{name} record must hold record indices (integers >= 0), got {events['record'].tolist()[:5]}."
        )
    out = events.astype({"record": np.int64, "onset": float, "duration": float})
    out = out.astype({"channel": object, "type": object})
    columns = [*EVENT_COLUMNS, *[c for c in events.columns if c not in EVENT_COLUMNS]]
    return out[columns].sort_values(["record", "onset"], kind="stable").reset_index(drop=True)


def _single_record(events: pd.DataFrame, record: int | None) -> pd.DataFrame:
    events = validate_events(events)
    records = np.unique(events["record"])
    if record is None:
        if records.size > 1:
            raise ValueError(f"events span records {records.tolist()}; pass record=<index> to pick one.")
        return events
    return events[events["record"] == record]


def events_to_annotations(events: pd.DataFrame, *, record: int | None = None) -> Any:
    """Convert one record's events to :class:`mne.Annotations`.

    Parameters
    ----------
    events : DataFrame
        Event table.
    record : int | None
        Record to convert; None requires the table to hold a single record.

    Returns
    -------
    annotations : mne.Annotations
        ``description`` is the event type; channel-specific events carry ``ch_names``.
    """
    import mne

    events = _single_record(events, record)
    ch_names = [() if ch == ALL_CHANNELS else (ch,) for ch in events["channel"]]
    return mne.Annotations(
        onset=events["onset"].to_numpy(),
        duration=events["duration"].to_numpy(),
        description=[str(t) for t in events["type"]],
        ch_names=ch_names,
    )


def annotations_to_events(annotations: Any, *, record: int = 0, first_time: float = 0.0) -> pd.DataFrame:
    """Convert :class:`mne.Annotations` to an event table.

    Parameters
    ----------
    annotations : mne.Annotations
        Annotations of one recording.
    record : int
        Record index given to every event.
    first_time : float
        Time of the recording's first sample, in s (``raw.first_time``), subtracted
        from the onsets so they count from the start of the record.

    Returns
    -------
    events : DataFrame
        One row per (annotation, channel); whole-recording annotations get ``""``.
    """
    rows = []
    columns = (annotations.onset, annotations.duration, annotations.description, annotations.ch_names)
    for onset, duration, description, ch_names in zip(*columns, strict=True):
        for ch in ch_names or (ALL_CHANNELS,):
            rows.append((record, ch, max(float(onset) - first_time, 0.0), float(duration), str(description)))
    if not rows:
        return empty_events()
    record_col, channel, onset, duration, kind = zip(*rows, strict=True)
    return make_events(onset, duration, list(kind), record=list(record_col), channel=list(channel))


def to_bids_events(events: pd.DataFrame, *, record: int | None = None) -> pd.DataFrame:
    """Table of one record's events in BIDS ``events.tsv`` layout.

    Parameters
    ----------
    events : DataFrame
        Event table.
    record : int | None
        Record to take; None requires a single-record table.

    Returns
    -------
    table : DataFrame
        Columns ``onset, duration, trial_type, channel`` then any extras; missing
        values read ``"n/a"`` as BIDS requires.
    """
    events = _single_record(events, record)
    out = events.drop(columns=["record"]).rename(columns={"type": "trial_type"})
    out["channel"] = out["channel"].replace(ALL_CHANNELS, _BIDS_NA)
    columns = ["onset", "duration", "trial_type", "channel"]
    return out[columns + [c for c in out.columns if c not in columns]].fillna(_BIDS_NA)


@fill_doc
def write_events_tsv(
    events: pd.DataFrame, path: str | os.PathLike, *, record: int | None = None, overwrite: bool = False
) -> None:
    """Write one record's events as a BIDS ``events.tsv`` (tab-separated, ``n/a``).

    Parameters
    ----------
    events : DataFrame
        Event table.
    path : path-like
        Output file, conventionally ``*_events.tsv``.
    record : int | None
        Record to write; None requires a single-record table.
    %(overwrite)s
    """
    table = to_bids_events(events, record=record)
    with atomic_output(path, overwrite=overwrite) as tmp:
        # 12 significant digits: microseconds of onsets up to 10^6 s and small amplitudes (V) alike
        table.to_csv(tmp, sep="\t", index=False, na_rep=_BIDS_NA, float_format="%.12g")


def read_events_tsv(path: str | os.PathLike, *, record: int = 0) -> pd.DataFrame:
    """Read a BIDS ``events.tsv`` into an event table.

    Parameters
    ----------
    path : path-like
        The tab-separated file; it needs ``onset`` and ``duration`` columns.
    record : int
        Record index given to every event.

    Returns
    -------
    events : DataFrame
        ``trial_type`` (or ``value`` when absent) becomes ``type``; ``n/a`` channels
        become ``""`` (all channels).
    """
    table = pd.read_csv(path, sep="\t", na_values=[_BIDS_NA], keep_default_na=False)
    missing = [c for c in ("onset", "duration") if c not in table.columns]
    if missing:
        raise ValueError(f"events file {str(path)!r} lacks BIDS columns {missing}.")
    kind_col = "trial_type" if "trial_type" in table.columns else "value" if "value" in table.columns else None
    kinds = table[kind_col].astype(str) if kind_col else pd.Series(["event"] * len(table))
    if "channel" in table.columns:  # all "n/a" reads as a float column: go through object first
        channel = table["channel"].astype(object).where(table["channel"].notna(), ALL_CHANNELS).astype(str)
    else:
        channel = ALL_CHANNELS
    used = {"onset", "duration", "channel", kind_col}
    extra = {c: table[c].to_numpy() for c in table.columns if c not in used}
    return make_events(
        table["onset"].to_numpy(float),
        table["duration"].fillna(0.0).to_numpy(float),
        kinds.tolist(),
        record=record,
        channel=channel if isinstance(channel, str) else channel.tolist(),
        extra=extra,
    )
