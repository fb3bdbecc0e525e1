# SPDX-License-Identifier: BSD-3-Clause
"""Streaming writers: write a long recording block by block, in bounded memory.

A generator that makes an hour (or a day) of multichannel data chunk by chunk writes
each chunk as soon as it is made; the writer keeps at most one stored chunk (NetCDF,
Zarr) or one data record (EDF/BDF) in memory. The finished file is the one
:func:`biosynth.signals.io.write` makes for the same data held in memory, so
:func:`biosynth.signals.io.read` gives back the same container and events.

Each file holds **one record** (dims ``("channel", "time")``, no ``record`` dim); its
events belong to record 0.

========================  ===========================================================
suffix                    layout
========================  ===========================================================
``.nc``                   NetCDF-4 (h5netcdf) as :func:`~biosynth.signals.io.to_dataset`
                          lays it out; ``signals`` stored in HDF5 chunks along time
``.zarr`` (folder)        Zarr v2 store, consolidated, as ``io.write`` lays it out;
                          needs the ``zarr`` package
``.edf`` / ``.bdf``       EDF+C / BDF+C: 16-/24-bit samples in 1 s data records,
                          events as EDF+ annotations, written here record by record
========================  ===========================================================

Examples
--------
>>> import numpy as np, tempfile, pathlib
>>> from biosynth.signals import read
>>> with tempfile.TemporaryDirectory() as folder:
...     path = pathlib.Path(folder) / "long.nc"
...     with open_writer(path, ch_names=["Fz", "Cz"], sfreq=100.0, n_times=250) as writer:
...         for start in range(0, 250, 100):  # blocks of 100, 100 and 50 samples
...             writer.write(np.zeros((2, min(100, 250 - start))))
...     shape = read(path).shape
>>> shape
(2, 250)
"""

from __future__ import annotations

import math
import os
import warnings
from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from biosynth._utils.check import check_finite_array, check_int, check_option, check_sfreq
from biosynth._utils.files import atomic_output, check_output_path
from biosynth.signals._shared import MNE_TYPES, channel_names, require_zarr
from biosynth.signals.container import MODALITIES, make_signals
from biosynth.signals.events import ALL_CHANNELS, empty_events, validate_events
from biosynth.signals.io import to_dataset
from biosynth.signals.units import UNIT_SCALE, normalize_units

__all__ = ["ClippingWarning", "SignalWriter", "open_writer"]

STREAM_SUFFIXES = (".nc", ".zarr", ".edf", ".bdf")
#: Target size of one stored chunk of ``signals`` (NetCDF, Zarr), in bytes.
_CHUNK_BYTES = 1 << 20
#: Bytes of the "EDF Annotations" signal per data record kept for events (about 20
#: annotations of 64 bytes each) on top of the time-keeping and padding annotations.
_EVENT_BYTES_PER_RECORD = 20 * 64
_RESERVED_BYTES_PER_RECORD = 96
#: MNE's EDF exporter writes voltage channels in µV (these MNE channel types).
_VOLTMNE_TYPES = ("eeg", "ecg", "ecog", "seeg", "dbs", "emg")


class ClippingWarning(UserWarning):
    """Samples outside the EDF/BDF physical range were clipped to it."""


def open_writer(path: str | os.PathLike, **kwargs: Any) -> SignalWriter:
    """Open a streaming writer for ``path``; the format follows the suffix.

    Parameters
    ----------
    path : path-like
        ``.nc``, ``.zarr``, ``.edf`` or ``.bdf``. The file holds one record.
    **kwargs
        Keyword arguments of :class:`SignalWriter` (``ch_names``, ``sfreq``,
        ``n_times``, ...).

    Returns
    -------
    writer : SignalWriter
        Use it as a context manager, or call :meth:`SignalWriter.close`.
    """
    return SignalWriter(path, **kwargs)


class SignalWriter:
    """Write one record (channels x time) to a file block by block, in bounded memory.

    The data goes to a temporary file beside ``path``, which :meth:`close` moves into
    place once exactly ``n_times`` samples were written; an exception inside a
    ``with`` block (or :meth:`abort`) removes it and leaves an existing ``path``
    untouched. The finished file equals what :func:`biosynth.signals.io.write`
    writes for the same data in memory (NetCDF/Zarr exactly, with ``signals``
    chunked along time; EDF/BDF within quantisation, see ``physical_range``).

    Parameters
    ----------
    path : path-like
        ``.nc``, ``.zarr`` (folder, needs the ``zarr`` package), ``.edf`` or ``.bdf``.
    ch_names : sequence of str
        Channel names (unique; at most 16 ASCII characters for EDF/BDF).
    sfreq : float
        Sampling rate, in Hz.
    n_times : int
        Total number of samples per channel that will be written.
    units : str
        Amplitude unit of the blocks (``"V"``, ``"mV"``, ``"uV"``, ``"nV"``; ``"a.u."``
        only for NetCDF/Zarr).
    modality : str
        Container modality (``"eeg"``, ``"ecg"``, ...).
    provenance : mapping | None
        Provenance stored with the data (NetCDF/Zarr; EDF/BDF keep none, as
        ``io.write``).
    overwrite : bool
        Replace ``path`` if it exists; otherwise an existing file raises
        FileExistsError before anything is written.
    physical_range : (float, float) | None
        EDF/BDF only, and required there: the amplitudes ``(pmin, pmax)``, in
        ``units``, that map to the ends of the 16-bit (EDF) or 24-bit (BDF) digital
        range. Samples outside are clipped; :meth:`close` warns once
        (:class:`ClippingWarning`) with their count. One quantisation step is
        ``(pmax - pmin) / (2**16 - 2)`` (EDF) or ``/ (2**24 - 2)`` (BDF).
    chunk_size : int | None
        Samples per stored chunk along time (NetCDF/Zarr); None picks about 1 MiB
        per chunk. Ignored for EDF/BDF, which write 1 s data records (``floor(sfreq)``
        samples when ``sfreq`` is not an integer, as MNE's exporter does).

    Notes
    -----
    Memory held: one chunk (NetCDF/Zarr) or one data record (EDF/BDF) of samples,
    plus the events. Samples are stored as float64 (NetCDF/Zarr).

    EDF/BDF: the header (with the number of data records) is written first, so the
    file is complete record by record. When ``n_times`` is not a multiple of the
    record length, the last record is padded with its last sample and a
    ``BAD_ACQ_SKIP`` annotation covers the padding, as MNE's exporter does;
    :func:`~biosynth.signals.io.read` crops it, giving back ``n_times`` samples. The
    "EDF Annotations" signal has room for about 20 events (annotations of up to 64
    bytes) in each data record besides its time-keeping annotation. An event goes
    into the first record written after it was added that has room; events left at
    :meth:`close` fill the spare room of earlier records. :meth:`add_events` raises
    ValueError at once when the events would exceed the room of the whole file, and
    a channel event is written as ``type@@channel``, as MNE writes it.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        ch_names: Sequence[str],
        sfreq: float,
        n_times: int,
        units: str = "V",
        modality: str = "eeg",
        provenance: Mapping[str, Any] | None = None,
        overwrite: bool = False,
        physical_range: tuple[float, float] | None = None,
        chunk_size: int | None = None,
    ) -> None:
        path = Path(path)
        suffix = _check_suffix(path)
        self._stub = _stub_signals(ch_names, sfreq, units, modality, provenance)
        self._n_channels = self._stub.sizes["channel"]
        self._sfreq = self._stub.attrs["sfreq"]
        self._n_times = check_int("n_times", n_times, low=1)
        if suffix in (".edf", ".bdf"):
            self._backend: _Backend = _EdfBackend(self._stub, self._n_times, physical_range, bdf=suffix == ".bdf")
        else:
            if physical_range is not None:
                raise ValueError(f"physical_range applies to EDF/BDF only; {suffix} stores float64 samples.")
            backend = _NetcdfBackend if suffix == ".nc" else _ZarrBackend
            self._backend = backend(self._stub, self._n_times, _chunk_size(chunk_size, self._n_channels, self._n_times))
        self._path = check_output_path(path, overwrite=overwrite)
        self._output = atomic_output(path, overwrite=overwrite)
        self._tmp = self._output.__enter__()
        self._closed = False
        try:
            self._backend.open(self._tmp)
        except BaseException as err:
            self._discard(err)
            raise
        self._buffer = np.empty((self._n_channels, self._backend.slab))
        self._filled = 0  # samples waiting in the buffer
        self._written = 0  # samples accepted by write()

    # --- public -------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The output file (it exists once :meth:`close` succeeded)."""
        return self._path

    @property
    def n_written(self) -> int:
        """Samples per channel written so far."""
        return self._written

    def write(self, block: np.ndarray) -> None:
        """Write the next samples.

        Parameters
        ----------
        block : ndarray, shape (n_channels, n)
            The next ``n`` samples of every channel, in ``units``; finite real numbers.
            Blocks may have any length; the total must reach ``n_times`` exactly.
        """
        self._check_open()
        block = self._check_block(block)
        n = block.shape[1]
        if self._written + n > self._n_times:
            raise ValueError(
                f"block of {n} samples would bring the total to {self._written + n} samples, more than "
                f"n_times={self._n_times} ({self._written} written so far)."
            )
        try:
            self._stage(block)
        except BaseException as err:  # the file is in an unknown state: drop it
            self._discard(err)
            raise
        self._written += n

    def add_events(self, events: pd.DataFrame) -> None:
        """Add events of this record (record 0).

        NetCDF/Zarr keep them in memory and store them at :meth:`close`; EDF/BDF write
        each as an annotation into the first data record written from now on that has
        room (earlier records' spare room is used at close if needed).

        Parameters
        ----------
        events : DataFrame
            Event table (:func:`biosynth.signals.make_events`) with ``record`` 0 and
            onsets within the recording (0 to ``n_times / sfreq`` s).
        """
        self._check_open()
        events = validate_events(events)
        if len(events) and (events["record"] != 0).any():
            raise ValueError(
                f"events must belong to record 0 (a streamed file holds one record), got records "
                f"{sorted(set(events['record'].tolist()))}."
            )
        duration = self._n_times / self._sfreq
        late = events["onset"] > duration
        if late.any():
            raise ValueError(
                f"event onsets must lie within the recording (0 to {duration:g} s), got "
                f"{events['onset'][late].tolist()[:5]} s."
            )
        self._backend.add_events(events)

    def close(self) -> None:
        """Finish the file and move it into place.

        Raises ValueError (and removes the temporary file) unless exactly ``n_times``
        samples were written. Closing twice does nothing.
        """
        if self._closed:
            return
        try:
            if self._written != self._n_times:
                raise ValueError(
                    f"{self._written} samples were written but n_times={self._n_times}; the output "
                    f"{str(self._path)!r} was not written."
                )
            if self._filled:
                self._flush()
            n_clipped = self._backend.finish()
        except BaseException as err:
            self._discard(err)
            raise
        self._closed = True
        self._output.__exit__(None, None, None)
        if n_clipped:
            warnings.warn(
                f"{n_clipped} of {self._n_times * self._n_channels} samples lay outside physical_range "
                f"{self._backend.physical_range} and were clipped in {str(self._path)!r}.",
                ClippingWarning,
                stacklevel=2,
            )

    def abort(self) -> None:
        """Discard the output: remove the temporary file, leave ``path`` as it was."""
        if not self._closed:
            self._discard(None)

    def __enter__(self) -> SignalWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is None:
            self.close()
        elif not self._closed:
            self._discard(exc)

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{self._written}/{self._n_times} samples written"
        return f"<SignalWriter {str(self._path)!r}, {self._n_channels} channels, {state}>"

    # --- internals ----------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError(f"the writer of {str(self._path)!r} is closed.")

    def _check_block(self, block: Any) -> np.ndarray:
        array = np.asarray(block)
        if array.ndim != 2 or array.shape[0] != self._n_channels:
            raise ValueError(f"block must have shape ({self._n_channels}, n) (channels, samples), got {array.shape}.")
        if np.iscomplexobj(array) or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
            raise TypeError(f"block must hold real numbers, got dtype {array.dtype}.")
        return check_finite_array("block", array.astype(np.float64, copy=False))

    def _stage(self, block: np.ndarray) -> None:
        """Pass whole slabs on to the backend; keep the rest in the buffer."""
        start, n, slab = 0, block.shape[1], self._backend.slab
        while start < n:
            take = min(slab - self._filled, n - start)
            if self._filled == 0 and take == slab:
                self._backend.write_slab(block[:, start : start + take])  # a whole slab: no copy
            else:
                self._buffer[:, self._filled : self._filled + take] = block[:, start : start + take]
                self._filled += take
                if self._filled == slab:
                    self._flush()
            start += take

    def _flush(self) -> None:
        self._backend.write_slab(self._buffer[:, : self._filled])
        self._filled = 0

    def _discard(self, err: BaseException | None) -> None:
        """Close the backend and remove the temporary output (``path`` untouched)."""
        self._closed = True
        try:
            self._backend.abort()
        finally:
            err = err if err is not None else _Aborted()
            self._output.__exit__(type(err), err, err.__traceback__)


class _Aborted(Exception):
    """Thrown into :func:`atomic_output` to discard the temporary file."""


def _check_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".npz", ".fif"):
        raise ValueError(
            f"{suffix} files cannot be written block by block; build the container in memory and use "
            "biosynth.signals.io.write, or stream to .nc, .zarr, .edf or .bdf."
        )
    return check_option("path suffix", suffix, STREAM_SUFFIXES)


def _stub_signals(
    ch_names: Sequence[str], sfreq: float, units: str, modality: str, provenance: Mapping[str, Any] | None
) -> xr.DataArray:
    """One-sample container carrying the validated names and attrs of the stream."""
    if ch_names is None or isinstance(ch_names, str) or not isinstance(ch_names, Sequence | np.ndarray):
        raise TypeError(f"ch_names must be a sequence of str, got {type(ch_names).__name__} {ch_names!r}.")
    names = channel_names(ch_names, len(ch_names))
    return make_signals(
        np.zeros((len(names), 1)),
        check_sfreq("sfreq", sfreq),
        ch_names=names,
        units=normalize_units(units),
        modality=check_option("modality", modality, MODALITIES),
        provenance=provenance,
    )


def _chunk_size(chunk_size: int | None, n_channels: int, n_times: int) -> int:
    if chunk_size is None:
        chunk_size = max(1, _CHUNK_BYTES // (8 * n_channels))
    return min(check_int("chunk_size", chunk_size, low=1), n_times)


# --- backends -------------------------------------------------------------------------


class _Backend:
    """One file format: receives slabs of ``slab`` samples (the last may be shorter)."""

    slab: int
    physical_range: tuple[float, float] | None = None

    def open(self, tmp: Path) -> None:
        raise NotImplementedError

    def write_slab(self, data: np.ndarray) -> None:
        raise NotImplementedError

    def add_events(self, events: pd.DataFrame) -> None:
        raise NotImplementedError

    def finish(self) -> int:
        """Complete the file; return the number of clipped samples."""
        raise NotImplementedError

    def abort(self) -> None:
        raise NotImplementedError


class _DatasetBackend(_Backend):
    """NetCDF/Zarr: the layout of :func:`~biosynth.signals.io.to_dataset`."""

    def __init__(self, stub: xr.DataArray, n_times: int, chunk_size: int) -> None:
        self.stub = stub
        self.n_times = n_times
        self.slab = chunk_size
        self.start = 0
        self.events: list[pd.DataFrame] = []
        self.tmp: Path | None = None

    def add_events(self, events: pd.DataFrame) -> None:
        self.events.append(events)

    def header(self) -> xr.Dataset:
        """Attrs and the channel coordinate, as ``to_dataset`` makes them."""
        return to_dataset(self.stub)[["channel"]]

    def events_dataset(self) -> xr.Dataset:
        """The ``event_*`` variables, as ``to_dataset`` makes them."""
        events = validate_events(pd.concat(self.events, ignore_index=True)) if self.events else empty_events()
        ds = to_dataset(self.stub, events).drop_vars(["signals", "time", "channel"])
        ds.attrs = {}
        return ds

    def times(self, n: int) -> np.ndarray:
        """Time coordinate of the next ``n`` samples, in s (as ``make_signals``)."""
        return (self.start + np.arange(n)) / self.stub.attrs["sfreq"]


class _NetcdfBackend(_DatasetBackend):
    def open(self, tmp: Path) -> None:
        import h5netcdf

        self.tmp = tmp
        self.header().to_netcdf(tmp, engine="h5netcdf")
        self.file = h5netcdf.File(tmp, "a")
        self.file.dimensions["time"] = self.n_times
        self.time = self.file.create_variable("time", ("time",), np.float64, fillvalue=np.nan)
        n_channels = self.stub.sizes["channel"]
        self.signals = self.file.create_variable(
            "signals", ("channel", "time"), np.float64, fillvalue=np.nan, chunks=(n_channels, self.slab)
        )

    def write_slab(self, data: np.ndarray) -> None:
        stop = self.start + data.shape[1]
        self.time[self.start : stop] = self.times(data.shape[1])
        self.signals[:, self.start : stop] = data
        self.start = stop

    def finish(self) -> int:
        self.file.close()
        self.file = None
        self.events_dataset().to_netcdf(self.tmp, mode="a", engine="h5netcdf")
        return 0

    def abort(self) -> None:
        file = getattr(self, "file", None)
        if file is not None:
            file.close()


class _ZarrBackend(_DatasetBackend):
    """xarray lays the store out (header, first chunk, events); zarr fills the chunks."""

    def open(self, tmp: Path) -> None:
        require_zarr()
        self.tmp = tmp
        header = self.header()
        self.attrs = header.attrs  # xarray replaces the store's attrs on every write
        header.to_zarr(tmp, mode="w", zarr_format=2, consolidated=True)

    def write_slab(self, data: np.ndarray) -> None:
        n = data.shape[1]
        if self.start == 0:
            self.create(data)
        else:
            self.arrays["signals"][:, self.start : self.start + n] = data
            self.arrays["time"][self.start : self.start + n] = self.times(n)
        self.start += n

    def create(self, data: np.ndarray) -> None:
        """Write the first chunk with xarray, then grow the arrays to ``n_times``."""
        import zarr

        n_channels, n = data.shape
        first = xr.Dataset({"signals": (("channel", "time"), data)}, coords={"time": self.times(n)}, attrs=self.attrs)
        encoding = {"signals": {"chunks": (n_channels, self.slab)}, "time": {"chunks": (self.slab,)}}
        first.to_zarr(self.tmp, mode="a", zarr_format=2, consolidated=True, encoding=encoding)
        group = zarr.open_group(self.tmp, mode="r+", zarr_format=2)
        self.arrays = {"signals": group["signals"], "time": group["time"]}
        self.arrays["signals"].resize((n_channels, self.n_times))
        self.arrays["time"].resize((self.n_times,))
        zarr.consolidate_metadata(self.tmp, zarr_format=2)

    def finish(self) -> int:
        self.events_dataset().assign_attrs(self.attrs).to_zarr(self.tmp, mode="a", zarr_format=2, consolidated=True)
        return 0

    def abort(self) -> None:
        pass


class _EdfBackend(_Backend):
    """EDF+C / BDF+C written record by record, in the layout of MNE's exporter."""

    def __init__(
        self, stub: xr.DataArray, n_times: int, physical_range: tuple[float, float] | None, *, bdf: bool
    ) -> None:
        self.fmt = "BDF" if bdf else "EDF"
        self.bytes_per_sample = 3 if bdf else 2
        self.dmax = 8388607 if bdf else 32767  # symmetric digital range, as MNE exports
        self.n_times = n_times
        self.sfreq = stub.attrs["sfreq"]
        self.ch_names = [str(c) for c in stub["channel"].values]
        self.scale, self.dimension = _edf_scale(stub.attrs["units"], stub.attrs["modality"])
        self.physical_range = _check_physical_range(physical_range, self.fmt)
        self.header_range = _encode_physical_range(self.physical_range, self.scale)
        self.slab, self.record_duration = _record_length(self.sfreq)
        self.n_records = -(-n_times // self.slab)
        self.pad = self.n_records * self.slab - n_times
        annot_bytes = _RESERVED_BYTES_PER_RECORD + _EVENT_BYTES_PER_RECORD
        self.annot_samples = -(-annot_bytes // self.bytes_per_sample)
        self.annot_bytes = self.annot_samples * self.bytes_per_sample
        self.event_room = self.annot_bytes - _RESERVED_BYTES_PER_RECORD  # per record, at least
        self.record_bytes = len(self.ch_names) * self.slab * self.bytes_per_sample + self.annot_bytes
        self.header_bytes = 256 * (len(self.ch_names) + 2)
        self.used = np.zeros(self.n_records, dtype=np.int64)  # annotation bytes used per record
        self.pending: deque[bytes] = deque()
        self.pending_bytes = 0
        self.placed_bytes = 0
        self.record = 0
        self.n_clipped = 0
        self.file: Any = None
        for name in self.ch_names:
            _check_edf_label(name, self.fmt)

    def open(self, tmp: Path) -> None:
        self.file = open(tmp, "wb")  # noqa: SIM115 - closed in finish/abort
        self.file.write(self.header())

    def header(self) -> bytes:
        n_signals = len(self.ch_names) + 1
        version = b"\xffBIOSEMI" if self.fmt == "BDF" else _field("0", 8)
        fields = [
            version,
            _field("X X X X", 80),
            _field("Startdate X X X X", 80),
            _field("01.01.85", 8),
            _field("00.00.00", 8),
            _field(str(self.header_bytes), 8),
            _field(f"{self.fmt}+C", 44),
            _field(str(self.n_records), 8),
            _field(_format_number(self.record_duration), 8),
            _field(str(n_signals), 4),
        ]
        pmin, pmax = (_format_number(v) for v in self.header_range)
        prefiltering = f"HP:{0.0}Hz LP:{self.sfreq / 2}Hz"
        annot_range = (-self.dmax - 1, self.dmax)
        columns = [
            ([*self.ch_names, f"{self.fmt} Annotations"], 16),
            ([""] * n_signals, 80),
            ([self.dimension] * len(self.ch_names) + [""], 8),
            ([pmin] * len(self.ch_names) + [str(annot_range[0])], 8),
            ([pmax] * len(self.ch_names) + [str(annot_range[1])], 8),
            ([str(-self.dmax)] * len(self.ch_names) + [str(annot_range[0])], 8),
            ([str(self.dmax)] * len(self.ch_names) + [str(annot_range[1])], 8),
            ([prefiltering] * len(self.ch_names) + [""], 80),
            ([str(self.slab)] * len(self.ch_names) + [str(self.annot_samples)], 8),
            ([""] * n_signals, 32),
        ]
        fields += [_field(value, width) for values, width in columns for value in values]
        return b"".join(fields)

    def write_slab(self, data: np.ndarray) -> None:
        if data.shape[1] < self.slab:  # the last record: pad with edge values, as MNE
            data = np.pad(data, ((0, 0), (0, self.slab - data.shape[1])), mode="edge")
        self.file.write(self.digital(data))
        self.file.write(self.annotations())
        self.record += 1

    def digital(self, data: np.ndarray) -> bytes:
        """Samples of one data record as little-endian 16- or 24-bit integers."""
        pmin, pmax = self.physical_range
        outside = (data < pmin) | (data > pmax)
        if outside.any():
            start = self.record * self.slab
            valid = max(0, min(self.slab, self.n_times - start))  # padding repeats a counted sample
            self.n_clipped += int(outside[:, :valid].sum())
            data = np.clip(data, pmin, pmax)
        hmin, hmax = self.header_range
        gain = (hmax - hmin) / (2 * self.dmax)
        offset = hmax / gain - self.dmax
        digital = np.clip(np.round(data * self.scale / gain - offset), -self.dmax, self.dmax).astype("<i4")
        if self.fmt == "EDF":
            return digital.astype("<i2").tobytes()
        return digital.view(np.uint8).reshape(*digital.shape, 4)[..., :3].tobytes()

    def annotations(self) -> bytes:
        """The "EDF Annotations" bytes of the current record: time-keeping, padding, events."""
        tals = [_tal(self.record * self.record_duration, None, "")]
        if self.record == self.n_records - 1 and self.pad:
            onset = (self.n_times - 1) / self.sfreq + 1 / self.sfreq  # as MNE's exporter
            tals.append(_tal(onset, self.pad / self.sfreq, "BAD_ACQ_SKIP"))
        used = sum(map(len, tals))
        while self.pending and used + len(self.pending[0]) <= self.annot_bytes:
            tal = self.pending.popleft()
            tals.append(tal)
            used += len(tal)
            self.pending_bytes -= len(tal)
            self.placed_bytes += len(tal)
        self.used[self.record] = used
        return b"".join(tals).ljust(self.annot_bytes, b"\x00")

    def add_events(self, events: pd.DataFrame) -> None:
        unknown = sorted(set(events["channel"]) - {ALL_CHANNELS, *self.ch_names})
        if unknown:
            raise ValueError(f"event channels {unknown} are not channels of this recording.")
        tals = [_event_tal(row, self.event_room) for row in events.itertuples(index=False)]
        new_bytes = sum(map(len, tals))
        room = self.n_records * self.event_room - self.placed_bytes - self.pending_bytes
        if new_bytes > room:
            raise ValueError(
                f"too many events for the {self.fmt} annotation space: {len(tals)} events need {new_bytes} bytes, "
                f"{max(room, 0)} are left (about {_EVENT_BYTES_PER_RECORD // 64} events per "
                f"{self.record_duration:g} s data record)."
            )
        self.pending.extend(tals)
        self.pending_bytes += new_bytes

    def finish(self) -> int:
        self.backfill()
        self.file.close()
        if self.pending:
            raise ValueError(
                f"{len(self.pending)} events found no room in the {self.fmt} annotation space "
                f"({self.annot_bytes} bytes per data record); spread them over the recording."
            )
        return self.n_clipped

    def backfill(self) -> None:
        """Put events still pending into the spare annotation room of written records."""
        data_bytes = self.record_bytes - self.annot_bytes
        for record in range(self.n_records):
            while self.pending and self.used[record] + len(self.pending[0]) <= self.annot_bytes:
                tal = self.pending.popleft()
                self.file.seek(self.header_bytes + record * self.record_bytes + data_bytes + int(self.used[record]))
                self.file.write(tal)
                self.used[record] += len(tal)
            if not self.pending:
                return

    def abort(self) -> None:
        if self.file is not None:
            self.file.close()


# --- EDF helpers ------------------------------------------------------------------------


def _edf_scale(units: str, modality: str) -> tuple[float, str]:
    """Factor from ``units`` to the EDF physical unit, and that unit (as MNE exports)."""
    if units not in UNIT_SCALE:
        raise ValueError(f"units {units!r} have no volt scale; EDF/BDF (through MNE) need volts.")
    volts = UNIT_SCALE[units]
    if MNE_TYPES.get(modality, "misc") in _VOLTMNE_TYPES:
        return volts * 1e6, "uV"
    return volts, ""


def _check_physical_range(physical_range: Any, fmt: str) -> tuple[float, float]:
    if physical_range is None:
        raise ValueError(
            f"{fmt} output needs physical_range=(pmin, pmax) in the data units: the amplitudes that map to the "
            "ends of the digital range, fixed before any data arrives."
        )
    try:
        pmin, pmax = (float(v) for v in physical_range)
    except (TypeError, ValueError):
        raise TypeError(f"physical_range must be two numbers (pmin, pmax), got {physical_range!r}.") from None
    if not (math.isfinite(pmin) and math.isfinite(pmax) and pmin < pmax):
        raise ValueError(f"physical_range must be finite with pmin < pmax, got {physical_range!r}.")
    return pmin, pmax


def _encode_physical_range(physical_range: tuple[float, float], scale: float) -> tuple[float, float]:
    """Physical range in EDF units as the 8-character header stores it (min floored,
    max ceiled, as edfio does), so that the gain matches what readers compute."""
    low = _round_to_8_characters(physical_range[0] * scale, math.floor)
    high = _round_to_8_characters(physical_range[1] * scale, math.ceil)
    for value in (low, high):
        if len(_format_number(value)) > 8:
            raise ValueError(
                f"physical_range {physical_range} does not fit the 8-character EDF header field "
                f"({_format_number(value)!r}); use a range between about 1e-3 and 1e7 in EDF units."
            )
    if low == high:
        raise ValueError(f"physical_range {physical_range} is too narrow for the EDF header.")
    return low, high


def _round_to_8_characters(value: float, round_func: Any) -> float:
    """Round a number to fit 8 characters (copied, like MNE, from edfio)."""
    if float(value).is_integer():
        return float(value)
    integer_part_length = str(value).find(".")
    if integer_part_length == 8:
        return float(round_func(value))
    factor = 10 ** (8 - 1 - integer_part_length)
    return round_func(value * factor) / factor


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _record_length(sfreq: float) -> tuple[int, float]:
    """Samples per data record and record duration (s), as MNE's exporter picks them."""
    if float(sfreq).is_integer():
        return int(sfreq), 1.0
    n = max(1, math.floor(sfreq))
    return n, _round_to_8_characters(n / sfreq, round)


def _field(text: str, width: int) -> bytes:
    if len(text) > width or not text.isascii() or not text.isprintable():
        raise ValueError(f"EDF header value {text!r} must be printable ASCII of at most {width} characters.")
    return text.encode("ascii").ljust(width)


def _check_edf_label(name: str, fmt: str) -> None:
    if len(name) > 16 or not name.isascii() or not name.isprintable():
        raise ValueError(
            f"channel name {name!r} cannot be an {fmt} signal label (at most 16 printable ASCII characters); "
            "rename the channel."
        )


def _tal(onset: float, duration: float | None, text: str) -> bytes:
    """One EDF+ time-stamped annotation list (TAL), as edfio encodes it."""
    timing = np.format_float_positional(onset, unique=True, trim="-", sign=True)
    if duration is not None:
        timing += "\x15" + np.format_float_positional(duration, unique=True, trim="-")
    return f"{timing}\x14{text}\x14\x00".encode()


def _event_tal(event: Any, max_bytes: int) -> bytes:
    """TAL of one event row; a channel event's text reads ``type@@channel`` (as MNE)."""
    kind = str(event.type)
    if not kind or any(c in kind for c in "\x00\x14\x15"):
        raise ValueError(f"event type {kind!r} cannot be an EDF+ annotation (empty, or holds control characters).")
    text = kind if event.channel == ALL_CHANNELS else f"{kind}@@{event.channel}"
    tal = _tal(float(event.onset), float(event.duration), text)
    if len(tal) > max_bytes:
        raise ValueError(f"event type {kind!r} is too long for an EDF+ annotation ({len(tal)} > {max_bytes} bytes).")
    return tal
