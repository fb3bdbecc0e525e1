# SPDX-License-Identifier: BSD-3-Clause
"""Streaming writers: block-by-block files equal what io.write makes in memory."""

import itertools
import sys
import tracemalloc

import mne
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from biosynth.signals import make_events, make_signals, read, write
from biosynth.signals.stream import ClippingWarning, SignalWriter, open_writer

NAMES = ["Fz", "Cz", "Pz"]
SFREQ = 100.0
N_TIMES = 1234  # not a multiple of the 100-sample EDF data record
EDGES = [0, 7, 150, 151, 600, 1000, N_TIMES]  # uneven blocks
PROVENANCE = {"generator": "test", "seed": 7, "params": {"alpha": [1, 2]}}
RANGE = (-50e-6, 50e-6)  # V
BITS = {".edf": 16, ".bdf": 24}
ALL = [".nc", ".zarr", ".edf", ".bdf"]


@pytest.fixture
def data():
    return np.random.default_rng(0).normal(scale=10e-6, size=(len(NAMES), N_TIMES)).clip(*RANGE)


@pytest.fixture
def events():
    return make_events([0.5, 3.25, 11.0], [0.0, 0.2, 0.1], ["R", "spike", "seizure"], channel=["", "Cz", ""])


def _kwargs(suffix, **extra):
    kwargs = {"ch_names": NAMES, "sfreq": SFREQ, "n_times": N_TIMES, "provenance": PROVENANCE}
    if suffix in BITS:
        kwargs["physical_range"] = RANGE
    elif suffix in (".nc", ".zarr"):
        kwargs["chunk_size"] = 128  # several chunks, the last one partial
    return kwargs | extra


def _stream(path, data, events=None, **kwargs):
    with open_writer(path, **_kwargs(path.suffix, **kwargs)) as writer:
        for start, stop in itertools.pairwise(EDGES):
            writer.write(data[:, start:stop])
            if events is not None and start == 150:
                writer.add_events(events.iloc[:2])  # arrives with a chunk
        if events is not None:
            writer.add_events(events.iloc[2:])  # arrives after the last chunk
    return path


def _requires(suffix):
    if suffix == ".zarr":
        pytest.importorskip("zarr")


def _step(suffix):
    return (RANGE[1] - RANGE[0]) / (2 ** BITS[suffix] - 2)


@pytest.mark.parametrize("suffix", ALL)
def test_stream_reads_back_as_io_write(tmp_path, data, events, suffix):
    _requires(suffix)
    signals = make_signals(data, SFREQ, ch_names=NAMES, provenance=PROVENANCE)
    streamed, streamed_events = read(_stream(tmp_path / f"s{suffix}", data, events), return_events=True)
    written, written_events = read(write(tmp_path / f"w{suffix}", signals, events=events), return_events=True)
    pd.testing.assert_frame_equal(streamed_events, written_events)
    pd.testing.assert_frame_equal(streamed_events, events)
    if suffix in BITS:
        assert streamed.attrs == written.attrs | {"provenance": {"source": f"s{suffix}", "reader": "mne.io.read_raw"}}
        xr.testing.assert_identical(streamed["time"], written["time"])
        np.testing.assert_allclose(streamed.values, data, rtol=0, atol=0.5 * _step(suffix) * (1 + 1e-6))
    else:
        xr.testing.assert_identical(streamed, written)
        xr.testing.assert_identical(streamed, signals)


@pytest.mark.parametrize("suffix", [".edf", ".bdf"])
def test_edf_read_by_mne_and_header_as_mne_exports(tmp_path, data, events, suffix):
    path = _stream(tmp_path / f"s{suffix}", data, events)
    raw = mne.io.read_raw(path, preload=True, verbose="error")
    assert raw.n_times == 1300 and raw.ch_names == NAMES  # padded to whole records
    np.testing.assert_allclose(raw.get_data()[:, :N_TIMES], data, rtol=0, atol=0.5 * _step(suffix) * (1 + 1e-6))
    assert list(raw.annotations.description) == ["R", "spike", "seizure", "BAD_ACQ_SKIP"]
    assert [tuple(c) for c in raw.annotations.ch_names] == [(), ("Cz",), (), ()]
    np.testing.assert_array_equal(raw.annotations.onset, [0.5, 3.25, 11.0, 12.34])
    signals = make_signals(data, SFREQ, ch_names=NAMES)
    exported = write(tmp_path / f"w{suffix}", signals, events=events)
    ours, theirs = _edf_header(path), _edf_header(exported)
    assert ours["physical_min"] == ["-50"] * 3 + theirs["physical_min"][3:]
    assert ours["physical_max"] == ["50"] * 3 + theirs["physical_max"][3:]
    for fields in (ours, theirs):
        del fields["physical_min"], fields["physical_max"], fields["samples_per_record"][-1]  # annotation room
    assert ours == theirs


def _edf_header(path):
    raw = path.read_bytes()
    n_signals = int(raw[252:256])
    header = {"main": raw[:256].decode("latin-1")}
    widths = {"label": 16, "transducer": 80, "dimension": 8, "physical_min": 8, "physical_max": 8}
    widths |= {"digital_min": 8, "digital_max": 8, "prefiltering": 80, "samples_per_record": 8, "reserved": 32}
    offset = 256
    for name, width in widths.items():
        header[name] = [raw[offset + i * width : offset + (i + 1) * width].decode().strip() for i in range(n_signals)]
        offset += width * n_signals
    return header


@pytest.mark.parametrize("suffix", [".edf", ".bdf"])
def test_edf_events_left_at_close_fill_earlier_records(tmp_path, data, suffix):
    onsets = np.linspace(0.0, 12.0, 60)
    many = make_events(onsets, 0.0, [f"beat{i}" for i in range(60)], channel=NAMES * 20)
    with open_writer(tmp_path / f"s{suffix}", **_kwargs(suffix)) as writer:
        writer.write(data)
        writer.add_events(many)  # all after the data: more than the last record holds
    back = read(tmp_path / f"s{suffix}", return_events=True)[1]
    pd.testing.assert_frame_equal(back, many)


def test_edf_refuses_more_events_than_it_has_room_for(tmp_path, data):
    too_many = make_events(np.zeros(600), 0.0, "a-rather-long-event-type-name-x")
    with open_writer(tmp_path / "s.edf", **_kwargs(".edf")) as writer:
        with pytest.raises(ValueError, match=r"too many events for the EDF annotation space: 600 events need"):
            writer.add_events(too_many)
        writer.write(data)
    assert read(tmp_path / "s.edf").sizes["time"] == N_TIMES


@pytest.mark.parametrize("suffix", ALL)
def test_existing_output_is_kept_without_overwrite(tmp_path, data, suffix):
    _requires(suffix)
    path = tmp_path / f"s{suffix}"
    path.write_bytes(b"precious")
    with pytest.raises(FileExistsError, match=r"already exists; pass overwrite=True"):
        open_writer(path, **_kwargs(suffix))
    assert path.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    _stream(path, data, overwrite=True)
    assert read(path).sizes["time"] == N_TIMES


@pytest.mark.parametrize("suffix", ALL)
def test_error_inside_with_leaves_no_output_and_keeps_the_old_file(tmp_path, data, suffix):
    _requires(suffix)
    fresh, old = tmp_path / f"new{suffix}", tmp_path / f"old{suffix}"
    old.write_bytes(b"precious")
    for path in (fresh, old):
        with (
            pytest.raises(RuntimeError, match="generator failed"),
            open_writer(path, **_kwargs(suffix, overwrite=True)) as writer,
        ):
            writer.write(data[:, :500])
            raise RuntimeError("generator failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == [old.name]
    assert old.read_bytes() == b"precious"


@pytest.mark.parametrize("suffix", ALL)
def test_sample_counts_are_checked(tmp_path, data, suffix):
    _requires(suffix)
    path = tmp_path / f"s{suffix}"
    with (
        pytest.raises(ValueError, match=r"1000 samples were written but n_times=1234"),
        open_writer(path, **_kwargs(suffix)) as writer,
    ):
        writer.write(data[:, :1000])
        with pytest.raises(ValueError, match=r"block of 300 samples would bring the total to 1300 samples, more than "):
            writer.write(np.zeros((3, 300)))
        assert writer.n_written == 1000
    assert list(tmp_path.iterdir()) == []


def test_bad_blocks_raise_and_leave_the_writer_usable(tmp_path, data):
    with open_writer(tmp_path / "s.nc", **_kwargs(".nc")) as writer:
        with pytest.raises(ValueError, match=r"block must have shape \(3, n\) \(channels, samples\), got \(2, 10\)"):
            writer.write(np.zeros((2, 10)))
        with pytest.raises(ValueError, match=r"block must have shape \(3, n\)"):
            writer.write(np.zeros(10))
        nan_block = np.zeros((3, 10))
        nan_block[1, 4] = np.nan
        with pytest.raises(ValueError, match=r"block contains 1 non-finite value"):
            writer.write(nan_block)
        with pytest.raises(TypeError, match=r"block must hold real numbers"):
            writer.write(np.zeros((3, 10), dtype=complex))
        writer.write(data)
    xr.testing.assert_equal(read(tmp_path / "s.nc"), make_signals(data, SFREQ, ch_names=NAMES))


def test_events_must_belong_to_the_recording(tmp_path):
    with open_writer(tmp_path / "s.edf", **_kwargs(".edf")) as writer:
        with pytest.raises(ValueError, match=r"events must belong to record 0"):
            writer.add_events(make_events([1.0], 0.0, "R", record=1))
        with pytest.raises(ValueError, match=r"event onsets must lie within the recording \(0 to 12.34 s\)"):
            writer.add_events(make_events([20.0], 0.0, "R"))
        with pytest.raises(ValueError, match=r"event channels \['T7'\] are not channels of this recording"):
            writer.add_events(make_events([1.0], 0.0, "R", channel="T7"))
        writer.abort()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".edf", ".bdf"])
def test_edf_needs_a_physical_range(tmp_path, suffix):
    kwargs = _kwargs(suffix)
    del kwargs["physical_range"]
    with pytest.raises(ValueError, match=rf"{suffix[1:].upper()} output needs physical_range=\(pmin, pmax\)"):
        open_writer(tmp_path / f"s{suffix}", **kwargs)
    with pytest.raises(ValueError, match=r"pmin < pmax"):
        open_writer(tmp_path / f"s{suffix}", **kwargs, physical_range=(1.0, -1.0))
    with pytest.raises(ValueError, match=r"physical_range applies to EDF/BDF only"):
        open_writer(tmp_path / "s.nc", **kwargs, physical_range=RANGE)
    with pytest.raises(ValueError, match=r"channel name 'a-very-long-channel-name' cannot be an"):
        open_writer(
            tmp_path / f"s{suffix}", **kwargs | {"ch_names": ["a-very-long-channel-name"]}, physical_range=RANGE
        )
    assert list(tmp_path.iterdir()) == []


def test_clipping_is_counted_in_one_warning(tmp_path, data):
    loud = data.copy()
    loud[0, 5], loud[2, 700], loud[1, -1] = 1e-3, -1e-3, 2e-3  # the last sample also pads the last record
    with pytest.warns(ClippingWarning, match=r"^3 of 3702 samples lay outside physical_range \(-5e-05, 5e-05\)"):
        _stream(tmp_path / "s.edf", loud)
    back = read(tmp_path / "s.edf")
    np.testing.assert_allclose(back.values[[0, 2, 1], [5, 700, -1]], [5e-5, -5e-5, 5e-5], rtol=1e-6)


def test_edf_scales_other_units_as_mne_exports(tmp_path, data):
    micro = data * 1e6
    signals = make_signals(micro, SFREQ, ch_names=NAMES, units="uV", modality="ecg")
    with open_writer(tmp_path / "s.edf", **_kwargs(".edf", units="uV", modality="ecg", physical_range=(-50, 50))) as w:
        w.write(micro)
    streamed, written = read(tmp_path / "s.edf", units="uV"), read(write(tmp_path / "w.edf", signals), units="uV")
    assert _edf_header(tmp_path / "s.edf")["dimension"] == _edf_header(tmp_path / "w.edf")["dimension"]
    np.testing.assert_allclose(streamed.values, micro, rtol=0, atol=0.5 * 100 / 65534 * (1 + 1e-6))
    np.testing.assert_allclose(streamed.values, written.values, rtol=0, atol=100 / 65534)


@pytest.mark.parametrize("suffix", [".csv", ".npz", ".fif"])
def test_unknown_or_in_memory_suffix_raises(tmp_path, suffix):
    match = "path suffix must be one of '.nc', '.zarr', '.edf', '.bdf'" if suffix == ".csv" else "use biosynth.signals"
    with pytest.raises(ValueError, match=match):
        SignalWriter(tmp_path / f"s{suffix}", **_kwargs(suffix))
    assert list(tmp_path.iterdir()) == []


def test_zarr_without_the_package_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "zarr", None)  # import zarr now raises ImportError
    with pytest.raises(ImportError, match=r"Zarr output needs the zarr package"):
        open_writer(tmp_path / "s.zarr", **_kwargs(".zarr"))
    assert list(tmp_path.iterdir()) == []


def test_netcdf_memory_stays_bounded(tmp_path):
    n_channels, block, n_blocks = 16, 512, 200  # 13 MB of float64 in all
    chunk = np.random.default_rng(1).normal(size=(n_channels, block))
    names = [f"ch{i}" for i in range(n_channels)]
    with open_writer(tmp_path / "big.nc", ch_names=names, sfreq=256.0, n_times=block * n_blocks) as writer:
        writer.write(chunk)  # first write outside the trace (lazy imports, HDF5 set-up)
        # tracemalloc sees Python and NumPy allocations (not HDF5's own C buffers)
        tracemalloc.start()
        try:
            for _ in range(n_blocks - 1):
                writer.write(chunk)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    total = chunk.nbytes * n_blocks
    assert peak < total / 20, f"peak {peak / 1e6:.1f} MB while writing {total / 1e6:.1f} MB"
    back = read(tmp_path / "big.nc")
    np.testing.assert_array_equal(back.values[:, -block:], chunk)
