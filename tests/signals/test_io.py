# SPDX-License-Identifier: BSD-3-Clause
import mne
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from biosynth.signals import (
    SignalFileError,
    from_mne_raw,
    get_record,
    make_events,
    make_signals,
    read,
    to_mne_raw,
    write,
)


@pytest.fixture
def events():
    return make_events([0.5, 1.0], [0.0, 0.2], ["R", "spike"], channel=["", "Cz"], record=[0, 2])


@pytest.mark.parametrize("suffix", [".nc", ".npz", ".zarr"])
def test_batch_round_trip_is_identical(batch, events, tmp_path, suffix):
    path = write(tmp_path / f"batch{suffix}", batch, events=events)
    back, back_events = read(path, return_events=True)
    xr.testing.assert_identical(back, batch)
    pd.testing.assert_frame_equal(back_events, events)


@pytest.mark.parametrize("suffix", [".nc", ".npz"])
def test_single_recording_round_trip(batch, tmp_path, suffix):
    rec = get_record(batch, 1)
    back = read(write(tmp_path / f"rec{suffix}", rec))
    xr.testing.assert_identical(back, rec)


@pytest.mark.parametrize("suffix", [".nc", ".npz", ".zarr"])
def test_start_time_and_extra_attrs_survive(batch, tmp_path, suffix):
    shifted = make_signals(batch.values, 250.0, ch_names=list(batch["channel"].values), t0=12.5)
    shifted.attrs["subject"] = "sub-01"
    shifted.attrs["montage"] = "standard_1020"
    back = read(write(tmp_path / f"shifted{suffix}", shifted))
    assert float(back["time"][0]) == 12.5
    assert back.attrs["subject"] == "sub-01" and back.attrs["montage"] == "standard_1020"


def test_npz_unit_aliases_are_canonical(tmp_path):
    path = tmp_path / "aliases.npz"
    np.savez(path, data=np.ones((2, 10)), sfreq=100.0, units="microvolt")
    assert read(path).attrs["units"] == "uV"
    np.savez(path, data=np.ones((2, 10)), sfreq=100.0, units="mmHg")
    assert read(path).attrs["units"] == "a.u."


@pytest.mark.parametrize(("suffix", "bits"), [(".edf", 16), (".bdf", 24)])
def test_edf_bdf_round_trip_within_quantisation(batch, tmp_path, suffix, bits):
    rec = get_record(batch, 0)
    ev = make_events([0.5, 1.25], [0.0, 0.1], ["R", "spike"], channel=["", "Cz"])
    back, back_events = read(write(tmp_path / f"rec{suffix}", rec, events=ev), return_events=True)
    assert back.attrs["units"] == "V" and back.attrs["sfreq"] == 250.0
    assert back["channel"].values.tolist() == rec["channel"].values.tolist()
    step = np.ptp(rec.values) / 2**bits  # one quantisation step of the physical range
    np.testing.assert_allclose(back.values, rec.values, atol=2 * step)
    assert back_events["type"].tolist() == ["R", "spike"]
    assert back_events["channel"].tolist() == ["", "Cz"]
    np.testing.assert_allclose(back_events["onset"], [0.5, 1.25], atol=1e-3)


@pytest.mark.parametrize("suffix", [".edf", ".bdf"])
def test_edf_of_a_fractional_duration_keeps_its_length(tmp_path, suffix):
    x = np.random.default_rng(0).standard_normal((2, 250)) * 1e-5  # 2.5 s: MNE pads to 3 s on export
    rec = make_signals(x, 100.0, ch_names=["A", "B"])
    back, back_events = read(
        write(tmp_path / f"rec{suffix}", rec, events=make_events([2.45], 0.0, "R")), return_events=True
    )
    assert back.sizes["time"] == 250
    assert back_events["type"].tolist() == ["R"]  # the padding annotation is gone, the user's event kept


def test_edf_needs_a_single_record(batch, tmp_path):
    with pytest.raises(ValueError, match=r"signals holds 3 records but .edf holds one recording; write .nc, .zarr"):
        write(tmp_path / "x.edf", batch)
    assert not list(tmp_path.iterdir())  # no partial or temporary file left


def test_fif_read_through_mne(tmp_path):
    info = mne.create_info(["C3", "C4", "ECG"], 200.0, ch_types=["eeg", "eeg", "ecg"])
    data = np.random.default_rng(1).normal(scale=1e-5, size=(3, 400))
    raw = mne.io.RawArray(data, info, verbose="error")
    raw.set_annotations(mne.Annotations([0.5], [0.1], ["blink"]))
    path = tmp_path / "rec_raw.fif"
    raw.save(path, verbose="error")
    signals, events = read(path, return_events=True)
    np.testing.assert_allclose(signals.values, data, rtol=1e-6, atol=1e-12)  # FIF stores float32
    assert signals.attrs["modality"] == "eeg"
    assert events["type"].tolist() == ["blink"]
    micro = read(path, units="uV")
    np.testing.assert_allclose(micro.values, data * 1e6, rtol=1e-5)


@pytest.mark.parametrize(("suffix", "prefix"), [(".vhdr", "Comment/"), (".set", "")])
def test_brainvision_and_eeglab_read_through_mne(tmp_path, suffix, prefix):
    pytest.importorskip("pybv" if suffix == ".vhdr" else "eeglabio")
    info = mne.create_info(["C3", "C4"], 250.0, ch_types="eeg")
    data = np.random.default_rng(3).normal(scale=1e-5, size=(2, 500))
    raw = mne.io.RawArray(data, info, verbose="error")
    raw.set_annotations(mne.Annotations([0.5], [0.1], ["blink"]))
    path = tmp_path / f"rec{suffix}"
    mne.export.export_raw(path, raw, verbose="error")
    signals, events = read(path, return_events=True)
    assert signals["channel"].values.tolist() == ["C3", "C4"] and signals.attrs["sfreq"] == 250.0
    np.testing.assert_allclose(signals.values, data, atol=1e-11)  # float32 storage
    assert events["type"].tolist() == [f"{prefix}blink"]
    np.testing.assert_allclose(events["onset"], [0.5])


def test_wfdb_record_with_annotations(tmp_path):
    wfdb = pytest.importorskip("wfdb")
    sig = np.random.default_rng(2).normal(scale=0.5, size=(720, 2))
    wfdb.wrsamp(
        "rec",
        fs=360,
        units=["mV", "mV"],
        sig_name=["MLII", "V5"],
        p_signal=sig,
        fmt=["16", "16"],
        write_dir=str(tmp_path),
    )
    wfdb.wrann("rec", "atr", np.array([100, 460]), np.array(["N", "V"]), write_dir=str(tmp_path))
    signals, events = read(tmp_path / "rec.hea", return_events=True)
    assert signals.attrs["units"] == "mV" and signals.attrs["sfreq"] == 360.0
    assert signals.attrs["modality"] == "ecg"
    np.testing.assert_allclose(signals.values, sig.T, atol=1e-3)  # 16-bit ADC, gain chosen by wrsamp
    assert events["type"].tolist() == ["N", "V"]
    np.testing.assert_allclose(events["onset"], [100 / 360, 460 / 360])
    volts = read(tmp_path / "rec", units="V")  # record name without suffix works too
    np.testing.assert_allclose(volts.values, signals.values * 1e-3)


def test_real_ecg_npz(real_file):
    ecg = read(real_file("ecg_mitbih_100.npz"))
    assert ecg.attrs["sfreq"] == 360.0 and ecg.attrs["units"] == "mV"
    assert ecg["channel"].values.tolist() == ["MLII", "V5"]
    p1, p99 = np.percentile(ecg.values, [1, 99])
    assert -1.3 < p1 < 0 < p99 < 1.3  # mV, as the data README states


def test_mne_bridge_converts_to_volts(batch):
    micro = make_signals(batch.values[0] * 1e6, 250.0, ch_names=list(batch["channel"].values), units="uV")
    raw = to_mne_raw(micro)
    np.testing.assert_allclose(raw.get_data(), batch.values[0], rtol=1e-12)
    back = from_mne_raw(raw)
    assert back.attrs["units"] == "V" and back.attrs["modality"] == "eeg"
    np.testing.assert_allclose(back.values, batch.values[0], rtol=1e-12)


def test_overwrite_protection_keeps_old_file(batch, tmp_path):
    path = tmp_path / "x.nc"
    write(path, batch)
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="already exists; pass overwrite=True"):
        write(path, batch)
    assert path.read_bytes() == before
    write(path, get_record(batch, 0), overwrite=True)
    assert read(path).dims == ("channel", "time")


@pytest.mark.parametrize(
    ("name", "content", "err", "match"),
    [
        ("missing.edf", None, FileNotFoundError, "cannot read .*missing.edf.: no such file"),
        ("garbage.edf", b"not an edf file at all", SignalFileError, "cannot read .*garbage.edf. as signals"),
        ("empty.npz", b"", SignalFileError, "cannot read .*empty.npz. as signals"),
        ("foreign.nc", "foreign", SignalFileError, "no 'signals' variable"),
    ],
)
def test_unreadable_files(tmp_path, name, content, err, match):
    path = tmp_path / name
    if content == "foreign":
        xr.Dataset({"x": ("t", np.arange(3.0))}).to_netcdf(path, engine="h5netcdf")
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(err, match=match):
        read(path)


def test_unknown_suffix_and_missing_folder(batch, tmp_path):
    with pytest.raises(
        ValueError, match="path suffix must be one of '.nc', '.zarr', '.npz', '.edf', '.bdf'; got '.csv'"
    ):
        write(tmp_path / "x.csv", batch)
    with pytest.raises(FileNotFoundError, match="output folder .* does not exist"):
        write(tmp_path / "nope" / "x.nc", batch)


def test_real_ecog_with_unstated_units_reads_as_arbitrary(real_file):
    ecog = read(real_file("ecog_seizure_onset_pt01_84ch.npz"))
    assert ecog.attrs["units"] == "a.u."  # the source states no unit
    assert ecog.shape == (84, 3001) and ecog.attrs["sfreq"] == 1000.0
    with pytest.raises(ValueError, match="units 'a.u.' have no volt scale; MNE needs volts"):
        to_mne_raw(ecog)


@pytest.mark.parametrize("suffix", [".nc", ".npz", ".zarr"])
def test_event_times_survive_to_full_precision(batch, tmp_path, suffix):
    onsets = np.array([1 / 3, 0.123456789012345, 1.9999999999])
    events = make_events(onsets, [0.0, 0.05, 1 / 7], ["R", "P", "T"])
    _, back = read(write(tmp_path / f"times{suffix}", batch, events=events), return_events=True)
    # make_events sorted them; the file must give back every digit
    np.testing.assert_allclose(back[["onset", "duration"]], events[["onset", "duration"]], rtol=1e-14)
