# SPDX-License-Identifier: BSD-3-Clause
"""Reading and writing signals: anything MNE reads, WFDB records, NetCDF/Zarr batches
and NPZ, plus the bridge to :class:`mne.io.Raw` both ways.

Format by file name:

========================  ======  =======  =========================================
suffix                    read    write    notes
========================  ======  =======  =========================================
``.nc``                   yes     yes      batches; events and provenance kept
``.zarr`` (folder)        yes     yes      batches; needs the ``zarr`` package
``.npz``                  yes     yes      NumPy archive; events and provenance kept
``.edf`` / ``.bdf``       yes     yes      one recording; events as annotations;
                                           written by :func:`mne.export.export_raw`
``.hea`` / ``.dat``       yes     no       WFDB record (``.atr`` annotations read)
anything MNE reads        yes     no       FIF, BrainVision, EEGLAB, ... via
                                           :func:`mne.io.read_raw`
========================  ======  =======  =========================================
"""

from __future__ import annotations

import json
import logging
import os
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from biosynth._utils.check import check_option
from biosynth._utils.docs import fill_doc
from biosynth._utils.files import atomic_output, check_output_path
from biosynth.signals._shared import MNE_TYPES, require_zarr
from biosynth.signals.container import (
    CHANNEL,
    RECORD,
    TIME,
    get_record,
    make_signals,
    validate_signals,
)
from biosynth.signals.events import (
    annotations_to_events,
    empty_events,
    events_to_annotations,
    make_events,
    validate_events,
)
from biosynth.signals.units import UNIT_SCALE, convert_units, normalize_units

logger = logging.getLogger(__name__)

_FROM_MNE = {"eeg": "eeg", "ecg": "ecg", "ecog": "ecog", "seeg": "seeg", "dbs": "lfp", "emg": "emg"}
_WRITE_SUFFIXES = (".nc", ".zarr", ".npz", ".edf", ".bdf")
_EVENT_PREFIX = "event_"


class SignalFileError(ValueError):
    """A file exists but cannot be read as signals."""


def read(
    path: str | os.PathLike, *, units: str | None = None, return_events: bool = False
) -> xr.DataArray | tuple[xr.DataArray, pd.DataFrame]:
    """Read a recording or a batch into the biosynth container.

    Parameters
    ----------
    path : path-like
        ``.nc``, ``.zarr``, ``.npz``, a WFDB record (``.hea``/``.dat`` or the record
        name without suffix), or any file :func:`mne.io.read_raw` reads (EDF, BDF,
        BrainVision ``.vhdr``, FIF, EEGLAB ``.set``, ...).
    units : str | None
        Convert amplitudes to this unit (``"V"``, ``"mV"``, ``"uV"``, ``"nV"``). None
        keeps what the file states: volts for MNE-read files (as MNE stores them),
        the physical unit for WFDB, the stored unit for biosynth's own formats.
    return_events : bool
        Also return the event table (annotations, WFDB beat labels, stored events).

    Returns
    -------
    signals : DataArray
        dims ``("channel", "time")`` for one recording, ``("record", "channel",
        "time")`` for a batch.
    events : DataFrame
        Only when ``return_events`` is True.
    """
    path = Path(path)
    reader = _pick_reader(path)
    try:
        signals, events = reader(path)
    except (SignalFileError, FileNotFoundError):
        raise
    except Exception as err:  # third-party readers raise anything; name the file
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        if "allow_pickle" in reason:
            reason = "it holds Python objects (pickles), which biosynth never loads; store plain arrays"
        raise SignalFileError(f"cannot read {str(path)!r} as signals: {reason}") from err
    if units is not None:
        signals = convert_units(signals, units)
    return (signals, events) if return_events else signals


def _pick_reader(path: Path):
    suffix = path.suffix.lower()
    if suffix in (".hea", ".dat") or (not path.exists() and path.with_suffix(".hea").exists()):
        return _read_wfdb
    if not path.exists():
        raise FileNotFoundError(f"cannot read {str(path)!r}: no such file or folder.")
    if suffix == ".nc":
        return _read_netcdf
    if suffix == ".zarr":
        return _read_zarr
    if suffix == ".npz":
        return _read_npz
    if path.is_dir():
        raise SignalFileError(f"cannot read {str(path)!r}: it is a folder, not a recording (or a .zarr store).")
    return _read_mne


@fill_doc
def write(
    path: str | os.PathLike,
    signals: xr.DataArray,
    *,
    events: pd.DataFrame | None = None,
    overwrite: bool = False,
) -> Path:
    """Write signals (and events) to ``path``; the format follows the suffix.

    The file is written under a temporary name beside ``path`` and renamed when
    complete, so an interrupted write never leaves a partial file or harms an old one.

    Parameters
    ----------
    path : path-like
        ``.nc`` or ``.zarr`` (batches), ``.npz``, ``.edf`` or ``.bdf`` (one recording).
    signals : DataArray
        biosynth container.
    events : DataFrame | None
        Event table to store beside the signals (annotations in EDF/BDF).
    %(overwrite)s

    Returns
    -------
    path : Path
        The written file.
    """
    path = check_writable(path, overwrite=overwrite)
    suffix = path.suffix.lower()
    validate_signals(signals)
    events = empty_events() if events is None else validate_events(events)
    if suffix in (".edf", ".bdf") and signals.sizes.get(RECORD, 1) != 1:
        raise ValueError(
            f"signals holds {signals.sizes[RECORD]} records but {suffix} holds one recording; write .nc, .zarr or "
            ".npz, or pick one record with biosynth.signals.get_record."
        )
    writer = {".nc": _write_netcdf, ".zarr": _write_zarr, ".npz": _write_npz}.get(suffix, _write_edf)
    with atomic_output(path, overwrite=overwrite) as tmp:
        writer(tmp, signals, events)
    return path


def check_writable(path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Check, before any work, that :func:`write` can write ``path``.

    Parameters
    ----------
    path : path-like
        Output file; its suffix must be one :func:`write` knows.
    overwrite : bool
        Whether an existing file may be replaced.

    Returns
    -------
    path : Path
    """
    path = Path(path)
    check_option("path suffix", path.suffix.lower(), _WRITE_SUFFIXES)
    return check_output_path(path, overwrite=overwrite)


# --- xarray Dataset bridge (NetCDF, Zarr) -------------------------------------------


def to_dataset(signals: xr.DataArray, events: pd.DataFrame | None = None) -> xr.Dataset:
    """Pack signals and events into one :class:`xarray.Dataset` for NetCDF/Zarr.

    The signals become the variable ``"signals"``; each event column ``c`` becomes
    ``"event_c"`` along an ``"event"`` dim; provenance is stored as JSON text.

    Parameters
    ----------
    signals : DataArray
        biosynth container.
    events : DataFrame | None
        Event table; None stores an empty one.

    Returns
    -------
    ds : Dataset
    """
    validate_signals(signals)
    events = empty_events() if events is None else validate_events(events)
    attrs = {k: v for k, v in signals.attrs.items() if k != "provenance"}
    attrs["provenance_json"] = json.dumps(signals.attrs["provenance"], sort_keys=True)
    data = signals.copy().rename(None)
    data.attrs = {}
    variables: dict[str, Any] = {"signals": data}
    for column in events.columns:
        values = events[column].to_numpy()
        if values.dtype == object:
            values = values.astype(str)
        variables[_EVENT_PREFIX + column] = ("event", values)
    ds = xr.Dataset(variables, attrs=attrs)
    for name in (CHANNEL, RECORD):
        if name in ds.coords and ds[name].dtype == object:
            ds[name] = ds[name].astype(str)
    return ds


def from_dataset(ds: xr.Dataset) -> tuple[xr.DataArray, pd.DataFrame]:
    """Unpack a Dataset written by :func:`to_dataset`.

    Parameters
    ----------
    ds : Dataset
        Holds a ``"signals"`` variable and optional ``"event_*"`` variables.

    Returns
    -------
    signals : DataArray
    events : DataFrame
    """
    if "signals" not in ds:
        raise SignalFileError("dataset has no 'signals' variable; it was not written by biosynth.")
    attrs = {k: v for k, v in ds.attrs.items() if k != "provenance_json"}
    attrs["provenance"] = json.loads(ds.attrs.get("provenance_json", "{}"))
    attrs["sfreq"] = float(attrs["sfreq"])
    signals = ds["signals"].copy().rename(None)
    signals.attrs = attrs
    signals = signals.drop_vars([c for c in signals.coords if c not in signals.dims])
    columns = [str(v)[len(_EVENT_PREFIX) :] for v in ds.data_vars if str(v).startswith(_EVENT_PREFIX)]
    table = pd.DataFrame({c: ds[_EVENT_PREFIX + c].values for c in columns})
    events = validate_events(table) if len(columns) else empty_events()
    return validate_signals(signals), events


def _read_netcdf(path: Path) -> tuple[xr.DataArray, pd.DataFrame]:
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        return from_dataset(ds.load())


def _write_netcdf(tmp: Path, signals: xr.DataArray, events: pd.DataFrame) -> None:
    to_dataset(signals, events).to_netcdf(tmp, engine="h5netcdf")


def _read_zarr(path: Path) -> tuple[xr.DataArray, pd.DataFrame]:
    require_zarr()
    with xr.open_zarr(path) as ds:
        return from_dataset(ds.load())


def _write_zarr(tmp: Path, signals: xr.DataArray, events: pd.DataFrame) -> None:
    require_zarr()
    to_dataset(signals, events).to_zarr(tmp, mode="w", zarr_format=2, consolidated=True)


# --- NPZ ----------------------------------------------------------------------------


def _read_npz(path: Path) -> tuple[xr.DataArray, pd.DataFrame]:
    with np.load(path, allow_pickle=False) as npz:
        missing = [k for k in ("data", "sfreq") if k not in npz.files]
        if missing:
            raise SignalFileError(f"cannot read {str(path)!r}: the archive lacks {missing}.")
        units = _npz_units(path, str(npz["units"]) if "units" in npz.files else "a.u.")
        provenance = json.loads(str(npz["provenance"])) if "provenance" in npz.files else {"source": str(path)}
        signals = make_signals(
            npz["data"],
            float(npz["sfreq"]),
            ch_names=npz["ch_names"].tolist() if "ch_names" in npz.files else None,
            units=units,
            modality=str(npz["modality"]) if "modality" in npz.files else "misc",
            provenance=provenance,
            record_names=npz["record"].tolist() if "record" in npz.files else None,
            t0=float(npz["t0"]) if "t0" in npz.files else 0.0,
        )
        if "attrs" in npz.files:
            signals.attrs.update({k: v for k, v in json.loads(str(npz["attrs"])).items() if k not in signals.attrs})
        events = _events_from_json(str(npz["events"])) if "events" in npz.files else empty_events()
    return signals, events


def _write_npz(tmp: Path, signals: xr.DataArray, events: pd.DataFrame) -> None:
    arrays = {
        "data": signals.values,
        "sfreq": np.float64(signals.attrs["sfreq"]),
        "ch_names": np.asarray(signals[CHANNEL].values, dtype=str),
        "units": np.str_(signals.attrs["units"]),
        "modality": np.str_(signals.attrs["modality"]),
        "provenance": np.str_(json.dumps(signals.attrs["provenance"], sort_keys=True)),
        "events": np.str_(events.to_json(orient="split", index=False, double_precision=15)),
        "t0": np.float64(signals[TIME].values[0]),
    }
    extra = {k: v for k, v in signals.attrs.items() if k not in _CORE_ATTRS}
    if extra:
        arrays["attrs"] = np.str_(json.dumps(extra, sort_keys=True, default=_json_default))
    if RECORD in signals.dims:
        arrays["record"] = signals[RECORD].values
    with open(tmp, "wb") as fh:
        np.savez_compressed(fh, **arrays)


_CORE_ATTRS = ("sfreq", "units", "modality", "provenance")


def _npz_units(path: Path, units: str) -> str:
    """Canonical volt units, or "a.u." (with a log line) for anything else."""
    try:
        return normalize_units(units)
    except ValueError:
        logger.info("%s: units %r are not a volt scale; reading them as arbitrary units.", path, units)
        return "a.u."


def _json_default(value: Any) -> Any:
    """JSON for NumPy scalars and arrays among extra attrs."""
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    raise TypeError(f"attribute value {value!r} of type {type(value).__name__} cannot be saved in NPZ attrs")


def _events_from_json(text: str) -> pd.DataFrame:
    table = pd.read_json(StringIO(text), orient="split", dtype=False)
    if table.empty:
        return empty_events()
    table["channel"] = table["channel"].fillna("").astype(str)
    return validate_events(table)


# --- MNE bridge -----------------------------------------------------------------------


def from_mne_raw(raw: Any, *, modality: str | None = None) -> xr.DataArray:
    """Convert an :class:`mne.io.Raw` to the container (in volts, as MNE stores data).

    Parameters
    ----------
    raw : mne.io.Raw
        Any Raw object; its data is loaded.
    modality : str | None
        Container modality; None takes the most common MNE channel type.

    Returns
    -------
    signals : DataArray, dims ("channel", "time")
        ``time`` starts at 0 s (MNE's ``first_time`` goes to provenance).
    """
    types = raw.get_channel_types()
    if modality is None:
        common = max(set(types), key=types.count)
        modality = _FROM_MNE.get(common, "misc")
    provenance = {"source": str(raw.filenames[0]) if raw.filenames and raw.filenames[0] else "mne.io.Raw"}
    if raw.first_time:
        provenance["first_time"] = float(raw.first_time)
    return make_signals(
        raw.get_data(),
        raw.info["sfreq"],
        ch_names=raw.ch_names,
        units="V",
        modality=modality,
        provenance=provenance,
    )


def to_mne_raw(signals: xr.DataArray, *, events: pd.DataFrame | None = None, record: int | None = None) -> Any:
    """Convert one recording of the container to :class:`mne.io.RawArray` (volts).

    Parameters
    ----------
    signals : DataArray
        biosynth container in a volt unit.
    events : DataFrame | None
        Events of that record, set as annotations.
    record : int | None
        Record to convert when ``signals`` is a batch; required if it holds more
        than one record.

    Returns
    -------
    raw : mne.io.RawArray
        Channel types follow ``attrs["modality"]`` (``lfp`` maps to MNE's ``dbs``).
    """
    import mne

    validate_signals(signals)
    if RECORD in signals.dims:
        if record is None and signals.sizes[RECORD] != 1:
            raise ValueError(
                f"signals holds {signals.sizes[RECORD]} records; pass record=<index> (an MNE Raw holds one recording)."
            )
        signals = get_record(signals, 0 if record is None else record)
    if signals.attrs["units"] not in UNIT_SCALE:
        raise ValueError(f"signals units {signals.attrs['units']!r} have no volt scale; MNE needs volts.")
    volts = convert_units(signals, "V")
    ch_type = MNE_TYPES.get(signals.attrs["modality"], "misc")
    info = mne.create_info(list(map(str, volts[CHANNEL].values)), volts.attrs["sfreq"], ch_types=ch_type)
    raw = mne.io.RawArray(volts.values, info, verbose="error")
    if events is not None and len(events):
        raw.set_annotations(events_to_annotations(events, record=record))
    return raw


def _read_mne(path: Path) -> tuple[xr.DataArray, pd.DataFrame]:
    import mne

    raw = mne.io.read_raw(path, preload=True, verbose="error")
    _drop_end_padding(raw)
    signals = from_mne_raw(raw)
    signals.attrs["provenance"] = {"source": path.name, "reader": "mne.io.read_raw"}
    events = annotations_to_events(raw.annotations, first_time=raw.first_time)
    return signals, events


def _drop_end_padding(raw: Any) -> None:
    """Crop the padding MNE's EDF export adds to fill the last data record: a
    ``BAD_ACQ_SKIP`` annotation that runs to the end of the recording."""
    end = raw.times[-1] + 1.0 / raw.info["sfreq"]
    for index, annotation in enumerate(raw.annotations):
        onset = annotation["onset"] - raw.first_time
        if (
            annotation["description"] == "BAD_ACQ_SKIP"
            and abs(onset + annotation["duration"] - end) < 1.0 / raw.info["sfreq"]
        ):
            raw.annotations.delete(index)
            raw.crop(tmax=onset, include_tmax=False)
            return


def _write_edf(tmp: Path, signals: xr.DataArray, events: pd.DataFrame) -> None:
    import mne

    raw = to_mne_raw(signals, events=events if len(events) else None)
    fmt = "bdf" if tmp.suffix.lower() == ".bdf" else "edf"
    mne.export.export_raw(tmp, raw, fmt=fmt, overwrite=True, verbose="error")


# --- WFDB ---------------------------------------------------------------------------


def _read_wfdb(path: Path) -> tuple[xr.DataArray, pd.DataFrame]:
    import wfdb

    stem = path.with_suffix("") if path.suffix.lower() in (".hea", ".dat") else path
    if not stem.with_suffix(".hea").exists():
        raise FileNotFoundError(f"cannot read {str(path)!r}: WFDB header {str(stem.with_suffix('.hea'))!r} not found.")
    record = wfdb.rdrecord(str(stem))
    units = {normalize_units(u) if u.lower() in {"v", "mv", "uv", "nv"} else "a.u." for u in record.units}
    if len(units) > 1:
        raise SignalFileError(f"WFDB record {str(stem)!r} mixes units {sorted(units)}; read its channels separately.")
    data, n_filled = _fill_nan(record.p_signal.T)
    provenance = {"source": stem.name, "reader": "wfdb.rdrecord"}
    if n_filled:
        logger.info("%s: %d missing samples linearly interpolated.", stem, n_filled)
        provenance["nan_filled"] = n_filled
    signals = make_signals(
        data, float(record.fs), ch_names=record.sig_name, units=units.pop(), modality="ecg", provenance=provenance
    )
    events = empty_events()
    if stem.with_suffix(".atr").exists():
        ann = wfdb.rdann(str(stem), "atr")
        onset = np.asarray(ann.sample, dtype=float) / float(record.fs)
        events = make_events(onset, 0.0, [str(s) for s in ann.symbol])
    return signals, events


def _fill_nan(data: np.ndarray) -> tuple[np.ndarray, int]:
    """Linearly interpolate NaN samples of each row (WFDB marks gaps as NaN)."""
    bad = np.isnan(data)
    if not bad.any():
        return data, 0
    data = data.copy()
    samples = np.arange(data.shape[1])
    for row, mask in zip(data, bad, strict=True):
        if mask.all():
            raise SignalFileError("a WFDB channel holds no valid sample; drop it before reading.")
        row[mask] = np.interp(samples[mask], samples[~mask], row[~mask])
    return data, int(bad.sum())
