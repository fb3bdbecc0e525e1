# SPDX-License-Identifier: BSD-3-Clause
"""The signal container: a labelled :class:`xarray.DataArray` with dims
``("record", "channel", "time")`` and the attrs every part of biosynth relies on."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from biosynth._utils.check import (
    check_finite_array,
    check_int,
    check_number,
    check_option,
    check_positive,
    check_sfreq,
)
from biosynth.signals._shared import channel_names
from biosynth.signals.units import UNITS, normalize_units

RECORD = "record"
CHANNEL = "channel"
TIME = "time"
DIMS = (RECORD, CHANNEL, TIME)
MODALITIES = ("eeg", "ecg", "ecog", "seeg", "lfp", "emg", "acc", "misc")
REQUIRED_ATTRS = ("sfreq", "units", "modality", "provenance")


def make_signals(
    data: Any,
    sfreq: float,
    *,
    ch_names: Sequence[str] | None = None,
    units: str = "V",
    modality: str = "eeg",
    provenance: Mapping[str, Any] | None = None,
    record_names: Sequence[str] | None = None,
    t0: float = 0.0,
    check_finite: bool = True,
) -> xr.DataArray:
    """Build the biosynth container from a plain array.

    Parameters
    ----------
    data : array_like, shape (n_channels, n_times) or (n_records, n_channels, n_times)
        Samples in ``units``. A 2-D array is one recording (no ``record`` dim).
    sfreq : float
        Sampling rate, in Hz.
    ch_names : sequence of str | None
        Channel names; None gives ``"ch000"``, ``"ch001"``, ...
    units : str
        Amplitude unit of ``data``: one of ``"V"``, ``"mV"``, ``"uV"`` (``"µV"`` is
        accepted), ``"nV"`` or ``"a.u."`` for signals without a physical unit.
    modality : str
        One of ``"eeg"``, ``"ecg"``, ``"ecog"``, ``"seeg"``, ``"lfp"``, ``"emg"``,
        ``"acc"``, ``"misc"``.
    provenance : mapping | None
        Where the data came from (generator, version, parameters, seed, or a source
        file). Must not hold timestamps, so that reruns compare identical.
    record_names : sequence of str | None
        Labels of the ``record`` coordinate; None numbers the records from 0.
    t0 : float
        Time of the first sample, in seconds.
    check_finite : bool
        Refuse NaN and inf samples (one pass over the data). Generators whose output is
        finite by construction pass False.

    Returns
    -------
    signals : DataArray
        dims ``("record", "channel", "time")`` or ``("channel", "time")``; ``time`` in s.

    Examples
    --------
    >>> import numpy as np
    >>> make_signals(np.zeros((2, 3, 10)), 100.0).dims
    ('record', 'channel', 'time')
    """
    sfreq = check_sfreq("sfreq", sfreq)
    array = np.asarray(data)
    if array.ndim not in (2, 3):
        raise ValueError(
            f"data must have shape (n_channels, n_times) or (n_records, n_channels, n_times), got shape {array.shape}."
        )
    if np.iscomplexobj(array) or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"data must hold real numbers, got dtype {array.dtype}.")
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
    if check_finite:
        check_finite_array("data", array)
    n_channels, n_times = array.shape[-2:]
    if n_times < 1 or n_channels < 1 or array.shape[0] < 1:
        raise ValueError(f"data must hold at least one record, channel and sample; got shape {array.shape}.")
    t0 = check_number("t0", t0, unit="s")
    ch_names = channel_names(ch_names, n_channels)
    coords: dict[str, Any] = {CHANNEL: ch_names, TIME: t0 + np.arange(n_times) / sfreq}
    dims = DIMS[-array.ndim :]
    if array.ndim == 3:
        coords[RECORD] = _record_names(record_names, array.shape[0])
    attrs = {
        "sfreq": sfreq,
        "units": normalize_units(units),
        "modality": check_option("modality", modality, MODALITIES),
        "provenance": jsonable(dict(provenance or {})),
    }
    return xr.DataArray(array, dims=dims, coords=coords, attrs=attrs)


def jsonable(value: Any) -> Any:
    """Deep copy of ``value`` made of JSON types only (tuples become lists, NumPy
    scalars and arrays become Python numbers and lists), so that provenance survives
    a round trip through any file format unchanged."""

    def default(obj: Any) -> Any:
        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, np.ndarray):
            return obj.tolist()
        raise TypeError(f"provenance values must be JSON-serialisable, got {type(obj).__name__} {obj!r}.")

    return json.loads(json.dumps(value, default=default))


def _record_names(record_names: Sequence[Any] | None, n_records: int) -> np.ndarray:
    if record_names is None:
        return np.arange(n_records)
    names = list(record_names)
    if len(names) != n_records:
        raise ValueError(f"record_names has {len(names)} names but data has {n_records} records.")
    return np.asarray(names)


def validate_signals(signals: Any, name: str = "signals") -> xr.DataArray:
    """Check that ``signals`` is a valid biosynth container and return it.

    Parameters
    ----------
    signals : DataArray
        Candidate container.
    name : str
        Argument name used in error messages.

    Returns
    -------
    signals : DataArray
        The same object, unchanged.
    """
    if not isinstance(signals, xr.DataArray):
        raise TypeError(
            f"{name} must be an xarray.DataArray made by biosynth.signals.make_signals, got {type(signals).__name__}."
        )
    if signals.dims not in (DIMS, DIMS[1:]):
        raise ValueError(f"{name} must have dims {DIMS} or {DIMS[1:]}, got {signals.dims}.")
    missing = [a for a in REQUIRED_ATTRS if a not in signals.attrs]
    if missing:
        raise ValueError(f"{name} lacks attrs {missing}; build it with biosynth.signals.make_signals.")
    check_sfreq(f"{name}.attrs['sfreq']", signals.attrs["sfreq"])
    check_option(f"{name}.attrs['units']", signals.attrs["units"], UNITS)
    if signals.sizes[TIME] < 1:
        raise ValueError(f"{name} has no samples along time.")
    check_finite_array(name, np.asarray(signals.values))
    return signals


def as_batch(signals: xr.DataArray) -> xr.DataArray:
    """Return ``signals`` with a leading ``record`` dim (adds one of length 1).

    Parameters
    ----------
    signals : DataArray
        biosynth container, with or without a ``record`` dim.

    Returns
    -------
    batch : DataArray, dims ("record", "channel", "time")
    """
    validate_signals(signals)
    if RECORD in signals.dims:
        return signals
    return signals.expand_dims({RECORD: [0]})


def get_record(signals: xr.DataArray, index: int) -> xr.DataArray:
    """Return record ``index`` of a batch as a single recording (no ``record`` dim).

    Parameters
    ----------
    signals : DataArray
        biosynth container; a single recording counts as a batch of one.
    index : int
        Position of the record (0-based).

    Returns
    -------
    record : DataArray, dims ("channel", "time")
    """
    batch = as_batch(signals)
    index = check_int("index", index, low=0, high=batch.sizes[RECORD] - 1)
    return batch.isel({RECORD: index}, drop=True)


def crop(signals: xr.DataArray, tmin: float, tmax: float | None = None) -> xr.DataArray:
    """Keep the samples from ``tmin`` to ``tmax`` seconds after the start of each record.

    Parameters
    ----------
    signals : DataArray
        Container with or without a ``record`` dim.
    tmin : float
        Start, in s from the first sample (>= 0).
    tmax : float | None
        End, in s from the first sample (exclusive; > ``tmin``, at most the length);
        None: the end of the records.

    Returns
    -------
    cropped : DataArray
        Same dims, attributes and coordinates; samples ``round(tmin * sfreq)`` to
        ``round(tmax * sfreq)`` (exclusive).

    Examples
    --------
    >>> import numpy as np
    >>> x = make_signals(np.zeros((2, 1000)), 100.0)
    >>> crop(x, 2.0, 5.0).sizes["time"]
    300
    """
    validate_signals(signals)
    sfreq = float(signals.attrs["sfreq"])
    length = signals.sizes[TIME] / sfreq
    tmin = check_number("tmin", tmin, low=0.0, high=length, unit="s")
    tmax = length if tmax is None else check_number("tmax", tmax, low=tmin, high=length, unit="s")
    start, stop = round(tmin * sfreq), round(tmax * sfreq)
    if stop - start < 1:
        raise ValueError(f"tmax must be after tmin by at least one sample ({1 / sfreq:g} s), got {tmin:g}-{tmax:g} s.")
    return signals.isel({TIME: slice(start, stop)})


def epochs(signals: xr.DataArray, duration: float) -> xr.DataArray:
    """Cut each record into consecutive non-overlapping epochs that become records.

    Parameters
    ----------
    signals : DataArray
        Container with or without a ``record`` dim.
    duration : float
        Epoch length, in seconds. A trailing piece shorter than this is dropped.

    Returns
    -------
    epochs : DataArray, dims ("record", "channel", "time")
        ``n_records * n_epochs`` records; ``time`` restarts at 0 in each epoch and
        the ``record`` coordinate reads ``"<record>/<epoch>"``.
    """
    batch = as_batch(signals)
    sfreq = batch.attrs["sfreq"]
    n_samples = round(check_positive("duration", duration, unit="s") * sfreq)
    if n_samples < 2:
        raise ValueError(f"duration={duration:g} s is under 2 samples at {sfreq:g} Hz; epochs need at least 2.")
    n_epochs = batch.sizes[TIME] // n_samples
    if n_epochs < 1:
        raise ValueError(
            f"duration={duration:g} s is longer than the signals ({batch.sizes[TIME] / sfreq:g} s at {sfreq:g} Hz)."
        )
    values = batch.values[..., : n_epochs * n_samples]
    n_records, n_channels = values.shape[:2]
    values = values.reshape(n_records, n_channels, n_epochs, n_samples).transpose(0, 2, 1, 3)
    names = [f"{r}/{e}" for r in batch[RECORD].values for e in range(n_epochs)]
    return make_signals(
        values.reshape(n_records * n_epochs, n_channels, n_samples),
        sfreq,
        ch_names=list(batch[CHANNEL].values),
        units=batch.attrs["units"],
        modality=batch.attrs["modality"],
        provenance=batch.attrs["provenance"],
        record_names=names,
    )
