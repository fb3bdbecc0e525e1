# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth generate eeg``: batches, streams, overwriting and one-line errors."""

import numpy as np
import pytest

from biosynth.signals import read
from tests.cli._helpers import check_one_line_error, run


def test_generate_writes_labelled_file(synthetic):
    data = read(synthetic)
    assert data.sizes["record"] == 6 and data.sizes["channel"] == 32 and data.attrs["sfreq"] == 128.0
    assert data.attrs["provenance"]["seed"]["entropy"] == "0"


def test_generate_refuses_to_overwrite(synthetic, capsys):
    before = synthetic.read_bytes()
    code, _, err = run(capsys, "generate", "eeg", "--seed", "1", "--out", str(synthetic))
    assert code == 2
    assert err.strip().endswith("already exists; pass overwrite=True (--overwrite) to replace it.")
    assert len(err.strip().splitlines()) == 1
    assert synthetic.read_bytes() == before
    assert run(capsys, "generate", "eeg", "--seed", "1", "--out", str(synthetic), "--overwrite")[0] == 0
    assert read(synthetic).dims == ("record", "channel", "time")


def test_generate_eeg_streams_one_record_with_events(tmp_path, capsys):
    path = tmp_path / "rest.nc"
    argv = ["generate", "eeg", "--spatial", "sphere", "--channels", "Fp1,Fp2,F3,F4,C3,C4,T7,T8,O1,O2"]
    argv += ["--states", "closed:4,open:4", "--artefacts", "blink,line_noise", "--spikes", "T7"]
    argv += ["--duration", "16", "--seed", "3", "--stream", "--out", str(path)]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    data, events = read(path, return_events=True)
    assert data.dims == ("channel", "time") and data.sizes["time"] == 16 * 256
    assert "2 eyes_closed, 2 eyes_open" in out
    assert {"eyes_closed", "eyes_open"} <= set(events["type"])
    from biosynth.generators import simulate_eeg

    same = simulate_eeg(
        16.0,
        256.0,
        ch_names=["Fp1", "Fp2", "F3", "F4", "C3", "C4", "T7", "T8", "O1", "O2"],
        spatial="sphere",
        states=[("eyes_closed", 4.0), ("eyes_open", 4.0)],
        artefacts={"blink": None, "line_noise": None},
        epileptiform={"spike": {"channels": ["T7"]}},
        amplitude=20e-6,
        seed=3,
    )
    np.testing.assert_allclose(data.values, same.values, rtol=0, atol=1e-5 * 20e-6)


def test_zarr_output_replaces_a_file_with_overwrite(tmp_path, capsys):
    target = tmp_path / "x.zarr"
    target.write_text("a file")
    argv = ["generate", "eeg", "--duration", "1", "--seed", "0", "--out", str(target)]
    code, _, err = run(capsys, *argv)
    assert code == 2 and "already exists" in err
    code, _, err = run(capsys, *argv, "--overwrite")
    assert code == 0, err
    assert read(target).sizes["time"] == 256


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["generate", "eeg", "--sfreq", "-250", "--out", "x.nc"], "sfreq must be a positive finite number in Hz"),
        (["generate", "eeg", "--out", "x.csv"], "path suffix must be one of"),
        (["generate", "eeg", "--like", "nope.edf", "--out", "x.nc"], "cannot read 'nope.edf': no such file"),
        (["generate", "eeg", "--bogus", "1", "--out", "x.nc"], "unrecognized arguments: --bogus"),
        (["generate", "eeg", "--sfreq", "abc", "--out", "x.nc"], "invalid float value: 'abc'"),
        (["generate", "emg", "--out", "x.nc"], "invalid choice: 'emg'"),
        (["generate", "eeg", "--channels", "", "--out", "x.nc"], "--channels must be comma-separated names"),
        (["generate", "eeg", "--channels", "Fz,,Cz", "--out", "x.nc"], "--channels must be comma-separated"),
        (["generate", "eeg", "--channels", "Fz,Fz", "--out", "x.nc"], "names each item once; ['Fz'] repeat in 'Fz,Fz'"),
        (["generate", "eeg", "--n-records", "2", "--out", "x.edf"], "--out .edf holds one recording; use .nc"),
        (["generate", "eeg", "--states", "shut", "--out", "x.nc"], "--states must be 'closed', 'open' or blocks"),
        (["generate", "eeg", "--states", "closed:x", "--out", "x.nc"], "--states blocks must read closed:SECONDS"),
        (["generate", "eeg", "--stream", "--n-records", "2", "--out", "x.nc"], "--stream writes one record"),
        (["generate", "eeg", "--offset", "-11", "--amplitude", "1e-5", "--out", "x.nc"], "not both"),
        (["generate", "eeg", "--reference", "none", "--out", "x.nc"], "reference applies only to spatial='sphere'"),
        (["generate", "eeg", "--spatial", "sphere", "--correlation", "0.5", "--out", "x.nc"], "--correlation applies"),
        (["generate", "eeg", "--artefacts", "", "--states", "open", "--out", "x.nc"], "--artefacts must be comma"),
        (["generate", "eeg", "--artefacts", "blink", "--out", "x.nc"], "happen with eyes open"),
        (["generate", "eeg", "--artefacts", "sneeze", "--states", "open", "--out", "x.nc"], "sneeze"),
        (["generate", "eeg", "--like", "flat.npz", "--out", "x.nc"], "real has flat (constant) channels ['ch000'"),
        (["generate", "eeg", "--out", "notadir.txt/x.nc"], "output folder 'notadir.txt' is a file, not a folder"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, monkeypatch, capsys, argv, message):
    check_one_line_error(tmp_path, monkeypatch, capsys, argv, message)
