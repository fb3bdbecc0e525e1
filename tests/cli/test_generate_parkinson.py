# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth generate parkinson``: one file per signal, events in each, one-line errors."""

import numpy as np
import pytest

from biosynth.signals import read
from tests.cli._helpers import run


def test_generate_parkinson_writes_one_file_per_signal(tmp_path, capsys):
    out = tmp_path / "pd.nc"
    argv = ["generate", "parkinson", "--duration", "10", "--signals", "lfp,acc", "--seed", "0", "-o", str(out)]
    code, text, err = run(capsys, *argv)
    assert code == 0, err
    assert "pd_lfp.nc" in text and "pd_acc.nc" in text
    lfp, events = read(tmp_path / "pd_lfp.nc", return_events=True)
    acc = read(tmp_path / "pd_acc.nc")
    assert lfp.attrs["modality"] == "lfp" and acc.attrs["units"] == "m/s^2"
    assert {"beta_burst", "medication_off"} <= set(events["type"])
    assert not (tmp_path / "pd_eeg.nc").exists()
    code, _, err = run(capsys, *argv)  # nothing is replaced without --overwrite
    assert code == 2 and "--overwrite" in err
    assert run(capsys, *argv, "--overwrite")[0] == 0
    np.testing.assert_array_equal(read(tmp_path / "pd_lfp.nc").values, lfp.values)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--signals", "lfp,mri"], "signals must be one of"),
        (["--pac", "2"], "pac must lie in [0, 1]"),
        (["--dbs", "5000"], "dbs['freq']"),
        (["-o", "x.edf"], "--out must be .nc, .zarr or .npz"),
        (["--device", "gpu0"], "device"),
    ],
)
def test_generate_parkinson_bad_input_exits_2_with_one_line(tmp_path, monkeypatch, capsys, extra, message):
    monkeypatch.chdir(tmp_path)
    out = [] if "-o" in extra else ["-o", "x.nc"]
    code, _, err = run(capsys, "generate", "parkinson", "--duration", "5", *extra, *out)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
