# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth generate ioecog``: files, BIDS datasets and one-line errors."""

import numpy as np
import pytest

from biosynth.signals import read, read_bids_ieeg
from tests.cli._helpers import run


def test_generate_ioecog_writes_signals_and_ground_truth(tmp_path, capsys):
    path = tmp_path / "ioecog.nc"
    argv = ["generate", "ioecog", "--duration", "30", "--sfreq", "1000", "--layout", "4x5:G,1x6:S", "--zone", "G7,G8"]
    code, out, err = run(capsys, *argv, "--spikes", "20", "--seizure", "5:10", "--seed", "0", "-o", str(path))
    assert code == 0, err
    assert "ioECoG" in out
    data, events = read(path, return_events=True)
    assert data.attrs["modality"] == "ecog" and data.sizes["channel"] == 26
    zone_spikes = events[(events["type"] == "spike") & events["channel"].isin(["G7", "G8"])]
    assert len(zone_spikes) > 0 and zone_spikes.groupby("onset")["channel"].nunique().eq(2).all()
    seizure = events[events["type"] == "seizure"].set_index("channel")["onset"]
    assert seizure["G7"] == pytest.approx(5.0)
    # same seed, same data
    again = tmp_path / "again.nc"
    assert run(capsys, *argv, "--spikes", "20", "--seizure", "5:10", "--seed", "0", "-o", str(again))[0] == 0
    np.testing.assert_array_equal(read(again).values, data.values)


def test_generate_ioecog_bids_dataset_reads_back(tmp_path, capsys):
    root = tmp_path / "ds"
    argv = ["generate", "ioecog", "--duration", "5", "--sfreq", "1000", "--n-records", "2", "--layout", "2x3"]
    code, _, err = run(capsys, *argv, "--spikes", "60", "--seed", "1", "--bids", str(root))
    assert code == 0, err
    signals, events, layout = read_bids_ieeg(root / "sub-01" / "ieeg" / "sub-01_task-synthetic_run-2_ieeg.edf")
    assert layout.names == tuple(signals["channel"].values) == ("G1", "G2", "G3", "G4", "G5", "G6")
    assert "spike" in set(events["type"])
    code, _, err = run(capsys, *argv, "--seed", "1", "--bids", str(root))
    assert code == 2 and "--overwrite" in err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--zone", "X1"], "zone must name contacts"),
        (["--seizure", "a:b"], "--seizure must be ONSET"),
        (["--spikes", "-1"], "--spikes must be >= 0"),
        (["--layout", "8y8"], "layout text"),
        (["--montage", "bipolar", "--bids", "ds"], "--bids writes contacts"),
        ([], "give one of --out FILE or --bids DIR"),
    ],
)
def test_generate_ioecog_bad_input_exits_2_with_one_line(tmp_path, monkeypatch, capsys, extra, message):
    monkeypatch.chdir(tmp_path)
    out = [] if "--bids" in extra or not extra else ["-o", "x.nc"]
    code, _, err = run(capsys, "generate", "ioecog", "--duration", "2", "--sfreq", "1000", *extra, *out)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
