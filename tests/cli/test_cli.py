# SPDX-License-Identifier: BSD-3-Clause
import json
import subprocess
import sys

import numpy as np
import pytest

from biosynth.cli import main
from biosynth.signals import read


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def synthetic(tmp_path, capsys):
    path = tmp_path / "syn.nc"
    code, out, _ = run(
        capsys,
        "generate",
        "eeg",
        "--like",
        "sample:eeglab",
        "--n-records",
        "6",
        "--duration",
        "4",
        "--seed",
        "0",
        "--out",
        str(path),
    )
    assert code == 0, out
    return path


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


def test_fidelity_report_and_card(synthetic, tmp_path, capsys):
    report = tmp_path / "report.html"
    code, out, err = run(capsys, "fidelity", "sample:eeglab", str(synthetic), "--out", str(report))
    assert code == 0, err
    assert "metrics within 1.5x of real-vs-real" in out
    summary = json.loads(report.with_suffix(".json").read_text())
    assert summary["info"]["n_records_synthetic"] == 6
    card = tmp_path / "card.md"
    code, _, err = run(capsys, "card", str(synthetic), "--fidelity", str(report.with_suffix(".json")), "-o", str(card))
    assert code == 0, err
    text = card.read_text()
    assert text.startswith("---\n") and "## Limitations and biases" in text and "log_spectral_distance" in text


def test_info_file_and_system(synthetic, capsys):
    code, out, _ = run(capsys, "info", str(synthetic))
    assert code == 0 and "records:    6" in out and "128 Hz" in out
    code, out, _ = run(capsys, "info")
    assert code == 0 and "numba:" in out and "cuda:" in out


def test_bench_writes_json(tmp_path, capsys):
    out_path = tmp_path / "bench.json"
    code, out, err = run(capsys, "bench", "--n-records", "4", "--repeat", "1", "--out", str(out_path))
    assert code == 0, err
    assert "generation:" in out and "samples/s" in out
    results = json.loads(out_path.read_text())
    assert set(results["best_s"]) == {"generate", "compare", "report"} and results["samples_per_s"] > 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["generate", "eeg", "--sfreq", "-250", "--out", "x.nc"], "sfreq must be a positive finite number in Hz"),
        (["generate", "eeg", "--out", "x.csv"], "path suffix must be one of"),
        (["generate", "eeg", "--like", "nope.edf", "--out", "x.nc"], "cannot read 'nope.edf': no such file"),
        (["fidelity", "missing.edf", "sample:eeglab", "--out", "r.html"], "cannot read 'missing.edf'"),
        (["fidelity", "sample:nope", "sample:eeglab", "--out", "r.html"], "sample name must be one of 'eeglab'"),
        (["info", "garbage.edf"], "as signals"),
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
        (["info", "objects.npz"], "it holds Python objects (pickles), which biosynth never loads"),
        (["generate", "eeg", "--like", "flat.npz", "--out", "x.nc"], "real has flat (constant) channels ['ch000'"),
        (["generate", "eeg", "--out", "notadir.txt/x.nc"], "output folder 'notadir.txt' is a file, not a folder"),
        (["fidelity", "sample:eeglab", "sample:eeglab", "--epoch", "0", "--out", "r.html"], "--epoch must be"),
        (["fidelity", "sample:eeglab", "sample:eeglab", "--epoch", "0.001", "--out", "r.html"], "under 2 samples"),
        (["fidelity", "sample:eeglab", "sample:eeglab", "--out", "r.json"], "--out and --json are the same file"),
        (
            ["fidelity", "sample:eeglab", "sample:eeglab", "--sections", "spectral,nope", "--out", "r.html"],
            "sections must be names from",
        ),
        (
            ["fidelity", "sample:eeglab", "sample:eeglab", "--sections", "privacy", "--out", "r.html"],
            "'privacy', which needs --holdout",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "garbage.edf").write_bytes(b"garbage")
    (tmp_path / "notadir.txt").write_text("a file, not a folder")
    np.savez(tmp_path / "objects.npz", data=np.array([object()], dtype=object), sfreq=100.0)
    np.savez(tmp_path / "flat.npz", data=np.zeros((2, 1000)), sfreq=100.0, units="uV")
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors exit from inside parse_args
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert not (tmp_path / "x.nc").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"metrics": [{"name": "x"}]}', "metric 0 lacks value, reference, better"),
        ("[1, 2]", "it has no 'metrics' list"),
        ("not json", "is not a readable JSON file"),
    ],
)
def test_card_refuses_a_json_that_is_not_a_fidelity_summary(synthetic, tmp_path, capsys, content, message):
    bad = tmp_path / "other.json"
    bad.write_text(content)
    code, _, err = run(capsys, "card", str(synthetic), "--fidelity", str(bad), "--out", str(tmp_path / "c.md"))
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "c.md").exists()


def test_zarr_output_replaces_a_file_with_overwrite(tmp_path, capsys):
    target = tmp_path / "x.zarr"
    target.write_text("a file")
    argv = ["generate", "eeg", "--duration", "1", "--seed", "0", "--out", str(target)]
    code, _, err = run(capsys, *argv)
    assert code == 2 and "already exists" in err
    code, _, err = run(capsys, *argv, "--overwrite")
    assert code == 0, err
    assert read(target).sizes["time"] == 256


def test_installed_command_has_no_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "biosynth.cli", "fidelity", "a.edf", "b.nc", "--out", "r.html"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "biosynth fidelity: error: cannot read 'a.edf': no such file or folder."


def test_cli_sections_match_the_library():
    from biosynth.cli import _SECTIONS
    from biosynth.fidelity import SECTIONS

    assert _SECTIONS == SECTIONS


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
