# SPDX-License-Identifier: BSD-3-Clause
"""BIDS-iEEG export and read-back of synthetic intracranial recordings (ECoG grids and
strips, sEEG, DBS) with their ground-truth events.

:func:`write_bids_ieeg` writes one BIDS run per record::

    <bids_root>/
      dataset_description.json   participants.tsv   README
      sub-01/[ses-<label>/]ieeg/
        sub-01[_ses-..]_electrodes.tsv      once per session (positions in mm)
        sub-01[_ses-..]_coordsystem.json    iEEGCoordinateSystem "Other"
        sub-01[_ses-..]_task-<label>[_acq-..][_run-<i>]_ieeg.edf|.bdf
                                         ..._ieeg.json, _channels.tsv,
                                         ..._events.tsv, _events.json

and :func:`read_bids_ieeg` gives one run back as ``(signals, events, layout)``.
``mne_bids.read_raw_bids`` reads the same files (the reference reader in the tests).

Conventions
-----------
- Samples go into EDF (16-bit) or BDF (24-bit) in µV, with a symmetric physical range
  ``±max|x|`` per record: a sample comes back within half a quantisation step,
  ``max|x| / (2**15 - 1) / 2`` (EDF) or ``max|x| / (2**23 - 1) / 2`` (BDF), of what was
  written (the header rounds ``max|x|`` in µV up to 8 characters).
- Events go into ``events.tsv`` only (not into the EDF annotations), one file per run,
  with onsets in s from the first sample of the run; floats are written in the
  shortest form that reads back to the same number.
- BIDS labels (subject, session, task, acquisition) are letters and digits only.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from biosynth._utils.check import check_option, check_type, fmt_value
from biosynth._utils.files import atomic_output
from biosynth.signals.container import CHANNEL, RECORD, get_record, jsonable, validate_signals
from biosynth.signals.events import ALL_CHANNELS, EVENT_COLUMNS, empty_events, make_events, validate_events
from biosynth.signals.io import read
from biosynth.signals.layouts import Layout, channels_tsv, electrodes_tsv, read_electrodes_tsv
from biosynth.signals.stream import open_writer
from biosynth.signals.units import UNIT_SCALE, convert_units

logger = logging.getLogger(__name__)

__all__ = ["read_bids_ieeg", "write_bids_ieeg"]

#: BIDS version the files follow (as MNE-BIDS 0.15-0.20 write).
BIDS_VERSION = "1.9.0"
#: BIDS iEEG channel types accepted, and the container modality each reads back as.
CHANNEL_TYPES = {"ECOG": "ecog", "SEEG": "seeg", "DBS": "lfp"}
#: Units of extra event columns when ``event_units`` is None (generators write amplitudes in V).
DEFAULT_EVENT_UNITS = {"amplitude": "V"}
_FORMATS = ("edf", "bdf")
#: Files of one run; with overwrite, those an earlier write left and this one lacks are removed.
_RUN_SUFFIXES = ("_ieeg.edf", "_ieeg.bdf", "_ieeg.json", "_channels.tsv", "_events.tsv", "_events.json")
_LINE_FREQS = ("n/a", 50, 60)
_LABEL = re.compile(r"[A-Za-z0-9]+")
_BIDS_NA = "n/a"
#: Sidecar key holding the container's provenance (a custom key; BIDS tools ignore it).
_PROVENANCE_KEY = "BiosynthProvenance"
_EDF_UNITS = "uV"  # the stream writer stores voltage channels in µV, as MNE's exporter
_DATA_NAME = re.compile(r"(?P<stem>sub-(?P<sub>[A-Za-z0-9]+)(?:_ses-(?P<ses>[A-Za-z0-9]+))?_.*)_ieeg\.(?:edf|bdf)")
_EVENT_TYPES = {
    "spike": "interictal epileptiform spike",
    "sharp_wave": "interictal sharp wave",
    "spike_wave": "spike-and-slow-wave discharge",
    "ripple": "high-frequency oscillation in the ripple band (80-250 Hz)",
    "fast_ripple": "high-frequency oscillation in the fast-ripple band (250-500 Hz)",
    "hfo": "high-frequency oscillation",
    "seizure": "electrographic seizure",
    "beta_burst": "beta-band (13-30 Hz) burst",
}


def write_bids_ieeg(
    bids_root: str | os.PathLike,
    signals: xr.DataArray,
    layout: Layout,
    events: pd.DataFrame | None = None,
    *,
    subject: str = "01",
    session: str | None = None,
    task: str = "synthetic",
    acquisition: str | None = None,
    format: str = "edf",  # noqa: A002 - the name MNE and MNE-BIDS use
    channel_type: str = "ECOG",
    reference: str = _BIDS_NA,
    line_freq: float | str = _BIDS_NA,
    event_units: Mapping[str, str] | None = None,
    overwrite: bool = False,
) -> list[Path]:
    """Write synthetic intracranial records and their ground-truth events as BIDS-iEEG.

    Each record becomes one BIDS run (``run-1`` .. ``run-n`` when ``signals`` has a
    ``record`` dim, no run entity otherwise) with its ``_ieeg.edf``/``.bdf`` data,
    ``_ieeg.json``, ``_channels.tsv``, ``_events.tsv`` and ``_events.json``; the
    session gets ``_electrodes.tsv`` (positions in mm) and ``_coordsystem.json``; the
    dataset gets ``dataset_description.json``, ``participants.tsv`` and a ``README``.

    Nothing is lost: every file is written into a staging folder first and moved into
    place only when all are complete. Without ``overwrite``, an existing run file
    raises FileExistsError before anything is written; session files already there
    are kept when identical (another task or acquisition of the same session) and
    raise otherwise. Dataset files already there are kept (``participants.tsv``
    gains the subject's row), so several subjects can share one ``bids_root``;
    ``overwrite=True`` rewrites ``dataset_description.json`` (never a README) and
    removes files of these runs that this write does not make (e.g. an old
    ``events.tsv`` of a record that now has no events, or the ``.bdf`` of a run now
    written as ``.edf``); runs beyond the records written now are left as they are.

    Parameters
    ----------
    bids_root : str or PathLike
        Root folder of the BIDS dataset; created if missing.
    signals : DataArray
        biosynth container in a volt unit (``"V"``, ``"mV"``, ``"uV"``, ``"nV"``),
        dims ``("channel", "time")`` or ``("record", "channel", "time")``; its channels
        must be ``layout.names`` in that order (at most 16 ASCII characters each, the
        EDF label size).
    layout : Layout
        Contact positions (m) and devices; written to ``electrodes.tsv`` in mm.
    events : DataFrame or None
        Ground-truth event table (``record, channel, onset, duration, type`` and any
        extra columns such as ``amplitude``); ``record`` is the position of the record
        in ``signals`` (0 for a single recording), onsets in s from its first sample.
        A run whose record has no event gets no events files (MNE-BIDS warns on a
        header-only ``events.tsv``); it reads back with no events. None writes no
        events files.
    subject : str
        BIDS subject label (letters and digits).
    session : str or None
        BIDS session label; None writes no ``ses-`` level.
    task : str
        BIDS task label.
    acquisition : str or None
        BIDS acquisition label (``acq-``), e.g. ``"grid"``; None omits it.
    format : {"edf", "bdf"}
        EDF (16-bit samples) or BDF (24-bit samples).
    channel_type : {"ECOG", "SEEG", "DBS"}
        BIDS channel type of every contact (DBS is counted in ``SEEGChannelCount``,
        as MNE-BIDS does; BIDS has no DBS count field).
    reference : str
        ``iEEGReference`` text, e.g. ``"common average"`` or ``"n/a"``.
    line_freq : {"n/a", 50, 60}
        ``PowerLineFrequency`` in Hz; ``"n/a"`` for synthetic data without line noise.
    event_units : mapping of str to str or None
        Units of extra numeric event columns, written to ``events.json`` (e.g.
        ``{"amplitude": "V"}``); None means ``DEFAULT_EVENT_UNITS`` (amplitudes in V,
        as biosynth generators write them).
    overwrite : bool
        Replace existing files of these runs and of this session.

    Returns
    -------
    paths : list of Path
        The files written or updated by this call, dataset files first, then the
        session files, then each run's files.

    Raises
    ------
    FileExistsError
        When files of these runs (or different session files) exist and ``overwrite``
        is False.
    ValueError
        Naming the argument, e.g. when the channels of ``signals`` differ from
        ``layout.names`` or a label holds other characters than letters and digits.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from biosynth.signals import make_events, make_signals
    >>> from biosynth.signals.layouts import grid
    >>> layout = grid(2, 2)
    >>> signals = make_signals(np.zeros((4, 200)), 100.0, ch_names=layout.names, modality="ecog")
    >>> events = make_events([0.5], 0.02, "spike", channel="G1")
    >>> with tempfile.TemporaryDirectory() as root:
    ...     paths = write_bids_ieeg(root, signals, layout, events)
    ...     names = [p.name for p in paths]
    >>> names[-5:]  # doctest: +NORMALIZE_WHITESPACE
    ['sub-01_task-synthetic_ieeg.edf', 'sub-01_task-synthetic_ieeg.json', 'sub-01_task-synthetic_channels.tsv',
     'sub-01_task-synthetic_events.tsv', 'sub-01_task-synthetic_events.json']
    """
    signals = validate_signals(signals)
    layout = check_type("layout", layout, Layout, "a biosynth Layout (biosynth.signals.layouts.grid, strip, ...)")
    ch_names = [str(name) for name in signals[CHANNEL].values]
    if ch_names != list(layout.names):
        raise ValueError(f"signals channels must equal layout.names in order; {_first_difference(ch_names, layout)}.")
    units = signals.attrs["units"]
    if units not in UNIT_SCALE:
        raise ValueError(f"signals units must be a volt unit {tuple(UNIT_SCALE)} for BIDS-iEEG, got {units!r}.")
    labels = {
        "subject": _check_label("subject", subject),
        "session": None if session is None else _check_label("session", session),
        "task": _check_label("task", task),
        "acquisition": None if acquisition is None else _check_label("acquisition", acquisition),
    }
    fmt = check_option("format", format, _FORMATS)
    channel_type = check_option("channel_type", channel_type, tuple(CHANNEL_TYPES))
    check_type("reference", reference, str, "iEEGReference text such as 'common average' or 'n/a'")
    if isinstance(line_freq, bool) or line_freq not in _LINE_FREQS:
        raise ValueError(f"line_freq must be 'n/a', 50 or 60 (Hz), got {fmt_value(line_freq)}.")
    units_of = _check_event_units(event_units)
    batch = RECORD in signals.dims
    n_records = signals.sizes[RECORD] if batch else 1
    duration = signals.sizes["time"] / signals.attrs["sfreq"]
    if events is not None:
        events = _check_events(events, n_records, ch_names, duration)

    root = Path(bids_root)
    if root.exists() and not root.is_dir():
        raise NotADirectoryError(f"bids_root {str(root)!r} is a file, not a folder.")
    folder = _folder(root, labels)
    session_stem = _stem(labels, session_level=True)
    stems = [_stem(labels, run=k + 1 if batch else None) for k in range(n_records)]
    run_files = [folder / f"{stem}{suffix}" for stem in stems for suffix in _RUN_SUFFIXES]
    existing = [path for path in run_files if path.exists()]
    if existing and not overwrite:
        raise FileExistsError(
            f"{len(existing)} file(s) of these runs already exist (first {str(existing[0])!r}); pass overwrite=True "
            "(--overwrite) to replace them."
        )

    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".biosynth-bids-", dir=root))
    try:
        staged: dict[Path, Path] = {}  # final path -> staged file

        def stage(final: Path) -> Path:
            staged[final] = staging / f"{len(staged)}{''.join(final.suffixes)}"
            return staged[final]

        provenance = signals.attrs["provenance"]
        _write_json(stage(root / "dataset_description.json"), _dataset_description(provenance))
        _write_json(stage(folder / f"{session_stem}_coordsystem.json"), _COORDSYSTEM)
        electrodes_tsv(layout, stage(folder / f"{session_stem}_electrodes.tsv"))
        for k, stem in enumerate(stems):
            record = get_record(signals, k) if batch else signals
            _write_data(stage(folder / f"{stem}_ieeg.{fmt}"), record, channel_type)
            sidecar = _ieeg_sidecar(record, labels["task"], channel_type, reference, line_freq)
            _write_json(stage(folder / f"{stem}_ieeg.json"), sidecar)
            channels_tsv(
                ch_names,
                stage(folder / f"{stem}_channels.tsv"),
                sfreq=signals.attrs["sfreq"],
                units=_EDF_UNITS,
                type=channel_type,
            )
            if events is not None and (events["record"] == k).any():
                _write_events(stage(folder / f"{stem}_events.tsv"), events[events["record"] == k])
                _write_json(stage(folder / f"{stem}_events.json"), _events_sidecar(events, units_of))
        written = _place(staged, root, labels["subject"], overwrite=overwrite)
        for path in run_files:  # with overwrite: files of an earlier write of these runs that this one lacks
            if path not in staged and path.exists():
                path.unlink()
                logger.info("removed %s, left from an earlier write of the same run", path)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def read_bids_ieeg(path: str | os.PathLike, *, units: str | None = None) -> tuple[xr.DataArray, pd.DataFrame, Layout]:
    """Read one BIDS-iEEG run back into biosynth objects.

    Reads the EDF/BDF data, the run's ``channels.tsv`` (channel type), ``_ieeg.json``
    (provenance written by :func:`write_bids_ieeg`), ``events.tsv`` (absent: no
    events) and the session's ``electrodes.tsv``.

    Parameters
    ----------
    path : str or PathLike
        The run's ``*_ieeg.edf`` or ``*_ieeg.bdf`` file.
    units : str or None
        Amplitude unit of the result (``"V"``, ``"mV"``, ``"uV"``, ``"nV"``); None gives
        volts, as MNE stores data.

    Returns
    -------
    signals : DataArray, dims ("channel", "time")
        ``time`` in s from 0; modality from the channel type (ECOG -> ``"ecog"``,
        SEEG -> ``"seeg"``, DBS -> ``"lfp"``); provenance as written.
    events : DataFrame
        Event table of this run (``record`` 0), onsets in s from its first sample;
        ``n/a`` channels read as ``""`` (all channels).
    layout : Layout
        Contacts of the session, positions in m.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np
    >>> from biosynth.signals import make_signals
    >>> from biosynth.signals.layouts import strip
    >>> layout = strip(3)
    >>> signals = make_signals(np.ones((3, 100)) * 1e-4, 100.0, ch_names=layout.names, modality="ecog")
    >>> with tempfile.TemporaryDirectory() as root:
    ...     data_file = write_bids_ieeg(root, signals, layout)[-3]
    ...     back, events, layout_back = read_bids_ieeg(data_file)
    >>> back.dims, back.attrs["modality"], len(events), layout_back.names
    (('channel', 'time'), 'ecog', 0, ('S1', 'S2', 'S3'))
    """
    path = Path(path)
    match = _DATA_NAME.fullmatch(path.name)
    if match is None:
        raise ValueError(
            f"path must name a BIDS-iEEG data file 'sub-<label>[_ses-<label>]_..._ieeg.edf' (or .bdf), got "
            f"{path.name!r}."
        )
    if not path.is_file():
        raise FileNotFoundError(f"cannot read {str(path)!r}: no such file.")
    stem = match["stem"]
    session_stem = f"sub-{match['sub']}" + (f"_ses-{match['ses']}" if match["ses"] else "")
    signals = read(path)
    channels = _read_tsv(path.with_name(f"{stem}_channels.tsv"))
    ch_names = [str(name) for name in signals[CHANNEL].values]
    if channels["name"].astype(str).tolist() != ch_names:
        raise ValueError(
            f"{stem}_channels.tsv names {channels['name'].tolist()[:5]}... do not match the channels of "
            f"{path.name} {ch_names[:5]}..."
        )
    types = set(channels["type"].astype(str).str.upper()) if "type" in channels else set()
    signals.attrs["modality"] = (
        CHANNEL_TYPES[types.pop()] if len(types) == 1 and types <= set(CHANNEL_TYPES) else "misc"
    )
    sidecar_path = path.with_name(f"{stem}_ieeg.json")
    sidecar = json.loads(sidecar_path.read_text()) if sidecar_path.exists() else {}
    signals.attrs["provenance"] = sidecar.get(_PROVENANCE_KEY, {"source": path.name, "reader": "read_bids_ieeg"})
    if units is not None:
        signals = convert_units(signals, units)
    events_path = path.with_name(f"{stem}_events.tsv")
    events = _read_events(events_path) if events_path.exists() else empty_events()
    electrodes = path.with_name(f"{session_stem}_electrodes.tsv")
    if not electrodes.exists():
        raise FileNotFoundError(f"cannot read the layout of {path.name}: {str(electrodes)!r} does not exist.")
    return signals, events, read_electrodes_tsv(electrodes)


# --- checks ---------------------------------------------------------------------------


def _check_label(name: str, value: Any) -> str:
    if not isinstance(value, str) or not _LABEL.fullmatch(value):
        raise ValueError(f"{name} must be a BIDS label (letters and digits only, e.g. '01'), got {fmt_value(value)}.")
    return value


def _first_difference(ch_names: list[str], layout: Layout) -> str:
    names = list(layout.names)
    if len(ch_names) != len(names):
        return f"signals has {len(ch_names)} channels {ch_names[:4]}..., layout.names has {len(names)} {names[:4]}..."
    k = next(k for k, (a, b) in enumerate(zip(ch_names, names, strict=True)) if a != b)
    return f"channel {k} is {ch_names[k]!r} in signals but {names[k]!r} in layout.names"


def _check_event_units(event_units: Any) -> dict[str, str]:
    if event_units is None:
        return dict(DEFAULT_EVENT_UNITS)
    if not isinstance(event_units, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in event_units.items()
    ):
        raise TypeError(
            "event_units must map column names to unit strings, e.g. {'amplitude': 'V'}; "
            f"got {fmt_value(event_units)}."
        )
    return dict(event_units)


def _check_events(events: Any, n_records: int, ch_names: Sequence[str], duration: float) -> pd.DataFrame:
    events = validate_events(events)
    bad_records = sorted(set(events["record"].tolist()) - set(range(n_records)))
    if bad_records:
        raise ValueError(f"events record must be record positions 0..{n_records - 1} of signals, got {bad_records}.")
    unknown = sorted(set(events["channel"].astype(str)) - {"", *ch_names})
    if unknown:
        raise ValueError(f"events channel holds names that are not channels of signals: {unknown[:5]}.")
    late = events["onset"] > duration
    if late.any():
        raise ValueError(
            f"events onset must lie within the record (0 to {duration:g} s), got {events['onset'][late].tolist()[:5]}."
        )
    return events


# --- file names -------------------------------------------------------------------------


def _folder(root: Path, labels: Mapping[str, str | None]) -> Path:
    folder = root / f"sub-{labels['subject']}"
    if labels["session"] is not None:
        folder /= f"ses-{labels['session']}"
    return folder / "ieeg"


def _stem(labels: Mapping[str, str | None], *, run: int | None = None, session_level: bool = False) -> str:
    parts = [f"sub-{labels['subject']}"]
    if labels["session"] is not None:
        parts.append(f"ses-{labels['session']}")
    if not session_level:
        parts.append(f"task-{labels['task']}")
        if labels["acquisition"] is not None:
            parts.append(f"acq-{labels['acquisition']}")
        if run is not None:
            parts.append(f"run-{run}")
    return "_".join(parts)


# --- writers ----------------------------------------------------------------------------


def _write_json(path: Path, content: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_data(path: Path, record: xr.DataArray, channel_type: str) -> None:
    """One record as EDF/BDF through the streaming writer, range ``±max|x|`` (at least 1 µV)."""
    units = record.attrs["units"]
    data = np.asarray(record.values, dtype=np.float64)
    peak = max(float(np.max(np.abs(data))), UNIT_SCALE["uV"] / UNIT_SCALE[units])
    with open_writer(
        path,
        ch_names=[str(name) for name in record[CHANNEL].values],
        sfreq=record.attrs["sfreq"],
        n_times=data.shape[1],
        units=units,
        modality=CHANNEL_TYPES[channel_type],
        physical_range=(-peak, peak),
    ) as writer:
        writer.write(data)


def _format_value(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return _BIDS_NA if np.isnan(value) else np.format_float_positional(value, unique=True, trim="-")
    return _BIDS_NA if value is None else str(value)


def _write_events(path: Path, events: pd.DataFrame) -> None:
    """One record's events as BIDS events.tsv: ``onset, duration, trial_type, channel``
    then the extra columns; floats in their shortest exact form, missing values ``n/a``."""
    extras = [c for c in events.columns if c not in EVENT_COLUMNS]
    table = pd.DataFrame(
        {
            "onset": events["onset"].astype(object),
            "duration": events["duration"].astype(object),
            "trial_type": events["type"].astype(object),
            "channel": events["channel"].astype(object).where(events["channel"] != ALL_CHANNELS, _BIDS_NA),
            **{str(c): events[c].astype(object) for c in extras},
        }
    )
    table = table.apply(lambda column: column.map(_format_value)) if len(table) else table
    table.to_csv(path, sep="\t", index=False)


def _read_events(path: Path) -> pd.DataFrame:
    """Events of one run from its events.tsv (record 0); ``n/a`` channels become ``""``."""
    table = _read_tsv(path)
    missing = [c for c in ("onset", "duration") if c not in table]
    if missing:
        raise ValueError(f"events file {str(path)!r} lacks the BIDS columns {missing}.")
    kinds = table["trial_type"] if "trial_type" in table else table.get("value", pd.Series(["event"] * len(table)))
    channel = table["channel"].replace(_BIDS_NA, ALL_CHANNELS) if "channel" in table else ALL_CHANNELS
    used = {"onset", "duration", "trial_type", "value", "channel"}
    extra = {c: _numeric_or_text(table[c]) for c in table.columns if c not in used}
    return make_events(
        table["onset"].astype(float).to_numpy(),
        table["duration"].replace(_BIDS_NA, "0").astype(float).to_numpy(),
        kinds.astype(str).tolist(),
        channel=channel if isinstance(channel, str) else channel.tolist(),
        extra=extra,
    )


def _numeric_or_text(column: pd.Series) -> np.ndarray:
    """A column as floats (``n/a`` -> NaN) when every value is a number, else as text."""
    try:
        return column.replace(_BIDS_NA, "nan").astype(float).to_numpy()
    except ValueError:
        return column.to_numpy(dtype=object)


def _version(provenance: Mapping[str, Any]) -> str:
    if "version" in provenance:
        return str(provenance["version"])
    try:
        return metadata.version("biosynth")
    except metadata.PackageNotFoundError:
        return "unknown"


def _generator(provenance: Mapping[str, Any]) -> str:
    return str(provenance.get("generator", provenance.get("source", "unknown")))


def _dataset_description(provenance: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "Name": "biosynth synthetic intracranial EEG",
        "BIDSVersion": BIDS_VERSION,
        "DatasetType": "raw",
        "GeneratedBy": [
            {
                "Name": "biosynth",
                "Version": _version(provenance),
                "Description": f"Synthetic data from {_generator(provenance)}; no human or animal was recorded.",
            }
        ],
    }


_COORDSYSTEM = {
    "iEEGCoordinateSystem": "Other",
    "iEEGCoordinateUnits": "mm",
    "iEEGCoordinateSystemDescription": (
        "Planar coordinates of the synthetic electrode layout (biosynth.signals.layouts): contact 1 of a grid at "
        "its origin, columns along +x, rows along -y, z = 0; not registered to any anatomy or template."
    ),
}


def _ieeg_sidecar(
    record: xr.DataArray, task: str, channel_type: str, reference: str, line_freq: float | str
) -> dict[str, Any]:
    provenance = record.attrs["provenance"]
    n_channels = record.sizes[CHANNEL]
    seed = provenance.get("seed", "n/a")
    return {
        "TaskName": task,
        "TaskDescription": (
            f"Synthetic recording made by {_generator(provenance)} (biosynth {_version(provenance)}, seed "
            f"{json.dumps(seed)}); no subject was recorded. Events are the generator's ground truth."
        ),
        "SamplingFrequency": record.attrs["sfreq"],
        "PowerLineFrequency": line_freq,
        "SoftwareFilters": _BIDS_NA,
        "iEEGReference": reference,
        "ECOGChannelCount": n_channels if channel_type == "ECOG" else 0,
        "SEEGChannelCount": n_channels if channel_type in ("SEEG", "DBS") else 0,
        "RecordingDuration": record.sizes["time"] / record.attrs["sfreq"],
        "RecordingType": "continuous",
        "SoftwareVersions": f"biosynth {_version(provenance)}",
        _PROVENANCE_KEY: jsonable(provenance),
    }


def _events_sidecar(events: pd.DataFrame, units_of: Mapping[str, str]) -> dict[str, Any]:
    kinds = sorted({str(kind) for kind in events["type"]})
    content: dict[str, Any] = {
        "onset": {"Description": "Start of the event, from the first sample of the run.", "Units": "s"},
        "duration": {"Description": "Duration of the event (0 for an instantaneous event).", "Units": "s"},
        "trial_type": {
            "LongName": "Event type",
            "Description": "Type of the synthetic event: the generator's ground truth.",
            "Levels": {kind: _EVENT_TYPES.get(kind, f"synthetic event of type {kind!r}") for kind in kinds},
        },
        "channel": {"Description": "Channel the event was placed on (channels.tsv name); n/a means all channels."},
    }
    for column in events.columns:
        if column in ("record", "channel", "onset", "duration", "type"):
            continue
        entry = {"Description": f"{column} of the event as the generator drew it."}
        if column in units_of:
            entry["Units"] = units_of[column]
        content[str(column)] = entry
    return content


def _place(staged: Mapping[Path, Path], root: Path, subject: str, *, overwrite: bool) -> list[Path]:
    """Move staged files into place after checking shared files; return those written."""
    scratch = next(iter(staged.values())).parent
    moves: list[tuple[Path, Path, bool]] = []  # (staged file, final path, replace)
    for final, tmp in staged.items():
        if final.name == "dataset_description.json" and final.exists() and not overwrite:
            continue  # an earlier write made the dataset: keep its description
        if final.name.endswith(("_electrodes.tsv", "_coordsystem.json")) and final.exists():
            if final.read_bytes() == tmp.read_bytes():
                continue  # the same session layout, written with another task or acquisition
            if not overwrite:
                raise FileExistsError(
                    f"{str(final)!r} already exists with other content (another layout for this session?); pass "
                    "overwrite=True to replace it, or write to another session."
                )
        moves.append((tmp, final, overwrite))
    dataset = []
    participants = root / "participants.tsv"
    rows = _read_tsv(participants) if participants.exists() else pd.DataFrame({"participant_id": []}, dtype=object)
    if "participant_id" not in rows:
        raise ValueError(f"{str(participants)!r} has no participant_id column; fix it before adding subjects.")
    if f"sub-{subject}" not in set(rows["participant_id"]):
        rows = pd.concat([rows, pd.DataFrame({"participant_id": [f"sub-{subject}"]})], ignore_index=True)
        rows.to_csv(scratch / "participants.tsv", sep="\t", index=False, na_rep=_BIDS_NA)
        dataset.append((scratch / "participants.tsv", participants, True))  # rows kept, one added
    readme = root / "README"
    if not readme.exists():
        (scratch / "README").write_text(_README, encoding="utf-8")
        dataset.append((scratch / "README", readme, False))
    written = []
    head = [move for move in moves if move[1].parent == root]  # dataset_description.json
    for tmp, final, replace in head + dataset + [move for move in moves if move[1].parent != root]:
        final.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(final, overwrite=replace) as out:
            os.replace(tmp, out)
        written.append(final)
    logger.info("wrote %d BIDS files under %s", len(written), root)
    return written


_README = """\
Synthetic intracranial EEG written by biosynth (biosynth.signals.bids.write_bids_ieeg).

No human or animal was recorded: the signals come from a generator whose name, version,
parameters and seed are in each run's _ieeg.json (TaskDescription, BiosynthProvenance).
The events.tsv files hold the generator's ground truth (onset and duration in s, the
event type in trial_type, the channel it was placed on), for scoring detectors.
Electrode coordinates are the synthetic layout's planar positions in mm
(iEEGCoordinateSystem "Other"), not registered to any anatomy.
"""


def _read_tsv(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise FileNotFoundError(f"cannot read {str(path)!r}: no such file.")
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
