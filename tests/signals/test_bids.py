# SPDX-License-Identifier: BSD-3-Clause
"""BIDS-iEEG export: round trip through our reader, and MNE-BIDS as the reference reader."""

import json

import numpy as np
import pandas as pd
import pytest

from biosynth.signals import get_record, make_events, make_signals
from biosynth.signals.bids import read_bids_ieeg, write_bids_ieeg
from biosynth.signals.layouts import combine, grid, strip

SFREQ = 250.0
#: Largest digital value of the symmetric EDF (16-bit) and BDF (24-bit) ranges.
DMAX = {"edf": 2**15 - 1, "bdf": 2**23 - 1}
# The layout's planar coordinates are declared iEEGCoordinateSystem "Other" (they are no
# anatomical space); MNE has no such frame and says it reads them as "unknown".
OTHER_FRAME = "ignore:Other is not an MNE-Python coordinate frame:RuntimeWarning"


@pytest.fixture
def layout():
    return combine(grid(2, 3), strip(4, prefix="LTS", origin=(0.0, -0.03, 0.0)))


@pytest.fixture
def signals(layout, rng):
    """2 records x 10 contacts x 2 s of noise in V."""
    data = rng.normal(scale=50e-6, size=(2, layout.n_contacts, 500))
    return make_signals(
        data, SFREQ, ch_names=layout.names, modality="ecog", provenance={"generator": "test", "seed": 7}
    )


@pytest.fixture
def events():
    return make_events(
        [0.5, 1.1, 0.3, 1.9],
        [0.02, 0.05, 0.0, 0.1],
        ["spike", "ripple", "seizure", "spike"],
        record=[0, 0, 1, 1],
        channel=["G1", "LTS2", "", "G6"],
        extra={"amplitude": [1.23456789e-4, 1.3e-5, 0.0, 2.0e-4]},
    )


def _record_events(events, k):
    return events[events["record"] == k].assign(record=0).reset_index(drop=True)


def _half_step(data, fmt):
    """Largest EDF/BDF quantisation error for data written with range ±max|x|: half a step
    of 2 max|x| / (2 dmax); the 8-character header may widen the range by 1e-5 (relative)."""
    return np.abs(data).max() * (1 + 1e-5) / DMAX[fmt] / 2


@pytest.mark.parametrize("fmt", ["edf", "bdf"])
def test_round_trip(tmp_path, signals, layout, events, fmt):
    paths = write_bids_ieeg(tmp_path, signals, layout, events, format=fmt)
    for k in range(2):
        data_file = tmp_path / "sub-01" / "ieeg" / f"sub-01_task-synthetic_run-{k + 1}_ieeg.{fmt}"
        assert data_file in paths
        back, back_events, back_layout = read_bids_ieeg(data_file)
        original = get_record(signals, k)
        assert back.dims == ("channel", "time")
        assert back["channel"].values.tolist() == list(layout.names)
        assert back.attrs["sfreq"] == SFREQ
        assert back.attrs["units"] == "V"
        assert back.attrs["modality"] == "ecog"
        assert back.attrs["provenance"] == {"generator": "test", "seed": 7}
        error = np.abs(back.values - original.values).max()
        bound = _half_step(original.values, fmt)
        assert error <= bound
        assert error > bound / 10  # the bound is the quantisation actually seen, not a loose one
        pd.testing.assert_frame_equal(back_events, _record_events(events, k))  # floats written exactly
        assert back_layout.names == layout.names
        assert back_layout.devices == layout.devices
        assert back_layout.shapes == layout.shapes
        np.testing.assert_allclose(back_layout.positions, layout.positions, rtol=0, atol=1e-12)


def test_single_record_has_no_run_entity_and_keeps_length(tmp_path, layout, rng):
    """2.1 s at 250 Hz does not fill the last 1-s EDF data record: the padding is cropped."""
    one = make_signals(rng.normal(scale=20e-6, size=(layout.n_contacts, 525)), SFREQ, ch_names=layout.names)
    paths = write_bids_ieeg(tmp_path, one, layout, make_events([1.0], 0.0, "spike", channel="G2"))
    names = sorted(p.relative_to(tmp_path).as_posix() for p in paths)
    assert names == [
        "README",
        "dataset_description.json",
        "participants.tsv",
        "sub-01/ieeg/sub-01_coordsystem.json",
        "sub-01/ieeg/sub-01_electrodes.tsv",
        "sub-01/ieeg/sub-01_task-synthetic_channels.tsv",
        "sub-01/ieeg/sub-01_task-synthetic_events.json",
        "sub-01/ieeg/sub-01_task-synthetic_events.tsv",
        "sub-01/ieeg/sub-01_task-synthetic_ieeg.edf",
        "sub-01/ieeg/sub-01_task-synthetic_ieeg.json",
    ]
    back, _, _ = read_bids_ieeg(tmp_path / "sub-01/ieeg/sub-01_task-synthetic_ieeg.edf", units="uV")
    assert back.shape == (layout.n_contacts, 525)
    assert back.attrs["units"] == "uV"
    assert np.abs(back.values * 1e-6 - one.values).max() <= _half_step(one.values, "edf")


def test_sidecars(tmp_path, signals, layout, events):
    write_bids_ieeg(tmp_path, signals, layout, events, reference="common average", line_freq=50)
    folder = tmp_path / "sub-01" / "ieeg"
    sidecar = json.loads((folder / "sub-01_task-synthetic_run-2_ieeg.json").read_text())
    assert sidecar["SamplingFrequency"] == SFREQ
    assert sidecar["PowerLineFrequency"] == 50
    assert sidecar["iEEGReference"] == "common average"
    assert sidecar["ECOGChannelCount"] == layout.n_contacts
    assert sidecar["RecordingDuration"] == 2.0
    assert "Synthetic" in sidecar["TaskDescription"] and "test" in sidecar["TaskDescription"]
    description = json.loads((tmp_path / "dataset_description.json").read_text())
    assert description["DatasetType"] == "raw"
    assert description["GeneratedBy"][0]["Name"] == "biosynth"
    coordsystem = json.loads((folder / "sub-01_coordsystem.json").read_text())
    assert coordsystem["iEEGCoordinateSystem"] == "Other"
    assert coordsystem["iEEGCoordinateUnits"] == "mm"
    assert "synthetic electrode layout" in coordsystem["iEEGCoordinateSystemDescription"]
    columns = json.loads((folder / "sub-01_task-synthetic_run-1_events.json").read_text())
    assert columns["amplitude"]["Units"] == "V"
    assert columns["onset"]["Units"] == "s"
    assert set(columns["trial_type"]["Levels"]) == {"ripple", "seizure", "spike"}
    channels = pd.read_csv(folder / "sub-01_task-synthetic_run-1_channels.tsv", sep="\t")
    assert channels["name"].tolist() == list(layout.names)
    assert set(channels["type"]) == {"ECOG"} and set(channels["units"]) == {"uV"}
    table = pd.read_csv(folder / "sub-01_task-synthetic_run-2_events.tsv", sep="\t", keep_default_na=False)
    assert table.columns.tolist() == ["onset", "duration", "trial_type", "channel", "amplitude"]
    assert table["channel"].tolist() == ["n/a", "G6"]


@pytest.mark.filterwarnings(OTHER_FRAME)
@pytest.mark.parametrize("fmt", ["edf", "bdf"])
def test_mne_bids_reads_the_dataset(tmp_path, signals, layout, events, fmt):
    mne_bids = pytest.importorskip("mne_bids")
    write_bids_ieeg(tmp_path, signals, layout, events, session="op1", acquisition="grid", format=fmt)
    assert mne_bids.get_entity_vals(tmp_path, "run") == ["1", "2"]
    for k in range(2):
        path = mne_bids.BIDSPath(
            root=tmp_path,
            subject="01",
            session="op1",
            task="synthetic",
            acquisition="grid",
            run=k + 1,
            datatype="ieeg",
            suffix="ieeg",
            extension=f".{fmt}",
        )
        raw = mne_bids.read_raw_bids(path, verbose="error")
        assert raw.ch_names == list(layout.names)
        assert set(raw.get_channel_types()) == {"ecog"}
        assert raw.info["sfreq"] == SFREQ
        original = get_record(signals, k).values
        assert np.abs(raw.get_data() - original).max() <= _half_step(original, fmt)
        expected = _record_events(events, k)
        annotations = raw.annotations
        np.testing.assert_allclose(annotations.onset - raw.first_time, expected["onset"], atol=1e-9)
        np.testing.assert_allclose(annotations.duration, expected["duration"], atol=1e-9)
        assert annotations.description.tolist() == expected["type"].tolist()
        extras = getattr(annotations, "extras", None)
        if extras and extras[0]:  # MNE >= 1.10 with a recent MNE-BIDS keeps the extra columns
            assert [extra["channel"] for extra in extras] == expected["channel"].replace("", "n/a").tolist()
            np.testing.assert_allclose([extra["amplitude"] for extra in extras], expected["amplitude"])
        positions = raw.get_montage().get_positions()["ch_pos"]
        np.testing.assert_allclose(np.array([positions[n] for n in layout.names]), layout.positions, atol=1e-12)


def test_session_files_are_shared(tmp_path, signals, layout, events):
    write_bids_ieeg(tmp_path, signals, layout, events, session="op1", acquisition="a")
    second = write_bids_ieeg(tmp_path, signals, layout, None, session="op1", acquisition="b")
    assert not [p for p in second if p.name.startswith("sub-01_ses-op1_electrodes")]  # the same layout: kept
    assert not [p for p in second if "events" in p.name]
    with pytest.raises(FileExistsError, match="another layout"):
        write_bids_ieeg(tmp_path, signals.isel(channel=slice(0, 6)), grid(2, 3), session="op1", acquisition="c")
    assert not (
        tmp_path / "sub-01" / "ses-op1" / "ieeg" / "sub-01_ses-op1_task-synthetic_acq-c_run-1_ieeg.edf"
    ).exists()


def test_two_subjects_share_the_dataset(tmp_path, signals, layout):
    write_bids_ieeg(tmp_path, signals, layout, subject="01")
    description = (tmp_path / "dataset_description.json").read_bytes()
    write_bids_ieeg(tmp_path, signals, layout, subject="02")
    participants = pd.read_csv(tmp_path / "participants.tsv", sep="\t")
    assert participants["participant_id"].tolist() == ["sub-01", "sub-02"]
    assert (tmp_path / "dataset_description.json").read_bytes() == description


def test_overwrite(tmp_path, signals, layout, events):
    write_bids_ieeg(tmp_path, signals, layout, events)
    data_file = tmp_path / "sub-01" / "ieeg" / "sub-01_task-synthetic_run-1_ieeg.edf"
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    with pytest.raises(FileExistsError, match="overwrite=True") as error:
        write_bids_ieeg(tmp_path, signals * 2, layout, events)
    assert "\n" not in str(error.value)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before  # nothing touched
    write_bids_ieeg(tmp_path, signals * 2, layout, events.iloc[:2], overwrite=True)  # record 1 loses its events
    back, _, _ = read_bids_ieeg(data_file)
    assert np.abs(back.values - 2 * signals.values[0]).max() <= _half_step(2 * signals.values[0], "edf")
    _, run_2_events, _ = read_bids_ieeg(data_file.with_name("sub-01_task-synthetic_run-2_ieeg.edf"))
    assert run_2_events.empty  # the stale events.tsv of the first write is gone
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"layout": grid(2, 5)}, "layout.names"),
        ({"subject": "p-01"}, "subject"),
        ({"session": "pre op"}, "session"),
        ({"task": ""}, "task"),
        ({"acquisition": "hd_grid"}, "acquisition"),
        ({"format": "fif"}, "format"),
        ({"channel_type": "EEG"}, "channel_type"),
        ({"line_freq": 55}, "line_freq"),
        ({"events": make_events([0.1], 0.0, "spike", channel="G99")}, "events channel"),
        ({"events": make_events([0.1], 0.0, "spike", record=2)}, "events record"),
        ({"events": make_events([2.5], 0.0, "spike")}, "events onset"),
    ],
)
def test_bad_inputs(tmp_path, signals, layout, change, match):
    kwargs = {"layout": layout} | change
    with pytest.raises(ValueError, match=match) as error:
        write_bids_ieeg(tmp_path / "bids", signals, **kwargs)
    assert "\n" not in str(error.value)
    assert not (tmp_path / "bids").exists()  # nothing written


def test_bad_units_and_read_path(tmp_path, signals, layout):
    with pytest.raises(ValueError, match="units"):
        write_bids_ieeg(tmp_path, signals.assign_attrs(units="a.u."), layout)
    with pytest.raises(ValueError, match="path must name"):
        read_bids_ieeg(tmp_path / "recording.edf")
