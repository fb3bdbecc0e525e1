# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth generate ecg``: signals with R-peak events, 12 leads, EDF without provenance."""

import numpy as np

from biosynth.signals import read
from tests.cli._helpers import run


def test_generate_ecg_writes_signals_and_r_peak_events(tmp_path, capsys):
    path = tmp_path / "ecg.nc"
    argv = ["generate", "ecg", "--heart-rate", "75", "--n-records", "2", "--duration", "8", "--seed", "0"]
    code, out, err = run(capsys, *argv, "--out", str(path))
    assert code == 0, err
    data, events = read(path, return_events=True)
    assert data.dims == ("record", "channel", "time") and data.attrs["modality"] == "ecg"
    r_peaks = events[events["type"] == "R"]
    assert set(r_peaks["record"]) == {0, 1}
    assert f"{len(r_peaks)} R peaks" in out
    assert 75 * 8 / 60 - 2 <= (r_peaks["record"] == 0).sum() <= 75 * 8 / 60 + 2  # ~10 beats in 8 s


def test_generate_ecg_twelve_leads_af_and_noise(tmp_path, capsys):
    path = tmp_path / "af.nc"
    argv = ["generate", "ecg", "--leads", "all", "--rhythm", "af", "--pvc-rate", "0.1", "--snr", "20"]
    code, _, err = run(capsys, *argv, "--duration", "10", "--seed", "2", "--out", str(path))
    assert code == 0, err
    data, events = read(path, return_events=True)
    assert data["channel"].values.tolist()[:3] == ["I", "II", "III"] and data.sizes["channel"] == 12
    assert "P" not in set(events["type"])  # atrial fibrillation: no P waves
    assert data.attrs["provenance"]["parameters"]["rhythm"] == "af"


def test_edf_output_without_seed_prints_the_seed_that_regenerates_it(tmp_path, capsys):
    code, out, err = run(capsys, "generate", "ecg", "--duration", "5", "--out", str(tmp_path / "a.edf"))
    assert code == 0, err
    seed = out.split("pass --seed ")[1].split()[0]
    code, _, err = run(capsys, "generate", "ecg", "--duration", "5", "--seed", seed, "--out", str(tmp_path / "b.npz"))
    assert code == 0, err
    a, b = read(tmp_path / "a.edf"), read(tmp_path / "b.npz")
    step = float(np.ptp(b.values)) / 2**16  # one EDF quantisation step
    np.testing.assert_allclose(a.values, b.values.reshape(a.shape), atol=2 * step)
