# SPDX-License-Identifier: BSD-3-Clause
import mne
import numpy as np
import pandas as pd
import pytest

from biosynth.signals import (
    annotations_to_events,
    events_to_annotations,
    make_events,
    read_events_tsv,
    to_bids_events,
    validate_events,
    write_events_tsv,
)


@pytest.fixture
def events():
    return make_events(
        [1.5, 0.25, 3.0],
        [0.0, 0.05, 10.0],
        ["R", "spike", "seizure"],
        channel=["", "G12", ""],
        extra={"amplitude": [1.0, 2.5, 0.0]},
    )


def test_columns_and_sorting(events):
    assert list(events.columns) == ["record", "channel", "onset", "duration", "type", "amplitude"]
    assert events["onset"].tolist() == [0.25, 1.5, 3.0]
    assert events["type"].tolist() == ["spike", "R", "seizure"]


def test_annotations_round_trip(events):
    annot = events_to_annotations(events)
    assert isinstance(annot, mne.Annotations)
    assert list(annot.description) == ["spike", "R", "seizure"]
    assert annot.ch_names[0] == ("G12",)
    assert annot.ch_names[1] == ()
    back = annotations_to_events(annot)
    pd.testing.assert_frame_equal(back, events.drop(columns="amplitude"))


def test_bids_tsv_round_trip(events, tmp_path):
    path = tmp_path / "sub-01_events.tsv"
    write_events_tsv(events, path)
    text = path.read_text().splitlines()
    assert text[0].split("\t") == ["onset", "duration", "trial_type", "channel", "amplitude"]
    assert "n/a" in text[2]  # whole-recording event has channel n/a
    back = read_events_tsv(path)
    pd.testing.assert_frame_equal(back, events)


def test_bids_tsv_keeps_small_amplitudes_and_all_channel_events(tmp_path):
    # HFO amplitudes in V (1e-5) survive the text round trip; a table whose events are all
    # on every channel (channel n/a throughout) reads back without a dtype warning
    events = make_events([0.5, 1.25], [0.05, 0.02], ["ripple", "fast_ripple"], extra={"amplitude": [1.3e-5, 7.7e-6]})
    path = tmp_path / "events.tsv"
    write_events_tsv(events, path)
    back = read_events_tsv(path)
    assert back["channel"].tolist() == ["", ""]
    np.testing.assert_allclose(back["amplitude"], events["amplitude"], rtol=1e-11)


def test_bids_layout_rejects_multi_record():
    ev = make_events([0.1, 0.2], 0.0, "R", record=[0, 1])
    with pytest.raises(ValueError, match=r"events span records \[0, 1\]; pass record=<index>"):
        to_bids_events(ev)
    assert len(to_bids_events(ev, record=1)) == 1


def test_write_refuses_overwrite(events, tmp_path):
    path = tmp_path / "events.tsv"
    path.write_text("keep me")
    with pytest.raises(FileExistsError, match="already exists; pass overwrite=True"):
        write_events_tsv(events, path)
    assert path.read_text() == "keep me"


@pytest.mark.parametrize(
    ("frame", "err", "match"),
    [
        (pd.DataFrame({"onset": [1.0]}), ValueError, r"lacks columns \['record', 'channel', 'duration', 'type'\]"),
        ([1, 2], TypeError, "events must be a pandas DataFrame"),
    ],
)
def test_validate_errors(frame, err, match):
    with pytest.raises(err, match=match):
        validate_events(frame)


def test_negative_and_nan_onsets_rejected():
    with pytest.raises(ValueError, match="must be >= 0 s"):
        make_events([-1.0], 0.0, "R")
    with pytest.raises(ValueError, match="must be finite numbers in seconds"):
        make_events([np.nan], 0.0, "R")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"duration": [0.0, 0.1, 0.2]}, r"duration must be one value or one per onset \(2\), got 3 values"),
        ({"type": ["R"] * 3}, r"type must be one value or one per onset \(2\), got 3 values"),
        ({"record": -1}, r"record must hold record indices \(integers >= 0\), got \[-1, -1\]"),
        ({"record": 0.5}, r"record must hold record indices"),
        ({"extra": {"onset": [9.0, 9.0]}}, r"extra must not redefine the columns \['onset'\]"),
        ({"extra": {"amplitude": [1.0]}}, r"amplitude must be one value or one per onset \(2\), got 1 values"),
    ],
)
def test_make_events_checks_each_column(kwargs, match):
    args = {"duration": 0.0, "type": "R"} | kwargs
    with pytest.raises(ValueError, match=match):
        make_events([0.5, 1.0], args.pop("duration"), args.pop("type"), **args)
