# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth fit`` and ``biosynth generate --model``.

Two kinds of test: the command's own work (reading, checking outputs, writing, errors)
runs against small stand-in estimators put in place of
``biosynth.generators.GENERATORS``/``load_generator``; the tests at the end
run the real estimator API of biosynth.generators end to end.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import biosynth.generators
from biosynth._utils import check_output_path
from biosynth.cli import main
from biosynth.signals import read
from tests.cli._helpers import check_one_line_error, run

# --- stand-in estimators -----------------------------------------------------------------


class _EEGStandIn:
    """Learns the rate, channel names and record length; samples simulate_eeg."""

    family = "eeg"

    def __init__(self) -> None:
        self.params: dict = {}

    def fit(self, real):
        sfreq = float(real.attrs["sfreq"])
        channels = [str(c) for c in real["channel"].values]
        self.params = {"sfreq": sfreq, "ch_names": channels, "duration": real.sizes["time"] / sfreq}
        return self

    def save(self, path, *, overwrite=False):
        check_output_path(path, overwrite=overwrite)
        np.savez(path, family=self.family, header=json.dumps(self.params))

    def sample(self, n_records, *, duration=None, seed=None, first_record=0, progress=False, return_events=False,
               device="cpu"):  # fmt: skip
        assert first_record == 0 and return_events
        duration = self.params["duration"] if duration is None else duration
        return biosynth.generators.simulate_eeg(
            duration, self.params["sfreq"], n_records=n_records, ch_names=self.params["ch_names"], seed=seed,
            device=device, progress=progress, return_events=True,
        )  # fmt: skip


class _ParkinsonStandIn(_EEGStandIn):
    """Samples simulate_parkinson: a mapping of signals."""

    family = "parkinson"

    def sample(self, n_records, *, duration=None, seed=None, first_record=0, progress=False, return_events=False,
               device="cpu"):  # fmt: skip
        return biosynth.generators.simulate_parkinson(
            duration or 5.0, 1000.0, n_records=n_records, signals=["lfp", "acc"], seed=seed, return_events=True
        )


_STAND_INS = {"eeg": _EEGStandIn, "parkinson": _ParkinsonStandIn}


def _load_stand_in(path):
    with np.load(path) as f:
        generator = _STAND_INS[str(f["family"])]()
        generator.params = json.loads(str(f["header"]))
    return generator


@pytest.fixture
def stand_ins(monkeypatch):
    monkeypatch.setattr(biosynth.generators, "GENERATORS", _STAND_INS, raising=False)
    monkeypatch.setattr(biosynth.generators, "load_generator", _load_stand_in, raising=False)


@pytest.fixture
def model(stand_ins, tmp_path, capsys):
    """An EEG stand-in fitted on the shipped sample cut into 4-s epochs."""
    path = tmp_path / "eeg_model.npz"
    code, out, err = run(capsys, "fit", "eeg", "sample:eeglab", "--epoch", "4", "--out", str(path))
    assert code == 0, err
    assert out.strip() == f"wrote {path}: eeg generator fitted on sample:eeglab (15 record(s) x 32 channels x 4 s)"
    return path


# --- the command's work, with stand-ins ---------------------------------------------------


def test_generate_from_a_saved_generator_writes_its_samples_and_events(model, tmp_path, capsys):
    out = tmp_path / "syn.nc"
    argv = ["generate", "--model", str(model), "--n-records", "2", "--duration", "2", "--seed", "0", "--out", str(out)]
    code, text, err = run(capsys, *argv)
    assert code == 0, err
    assert text.startswith(f"wrote {out}: 2 record(s) x 32 channels x 2 s from {model}; events: ")
    data, events = read(out, return_events=True)
    expected, expected_events = _load_stand_in(model).sample(2, duration=2.0, seed=0, return_events=True)
    np.testing.assert_array_equal(data.values, expected.values)
    assert data.attrs["sfreq"] == 128.0 and data.attrs["provenance"]["seed"]["entropy"] == "0"
    assert len(events) == len(expected_events) > 0
    # the fitted record length is the default
    code, _, err = run(capsys, "generate", "--model", str(model), "--seed", "1", "--out", str(tmp_path / "one.nc"))
    assert code == 0, err
    assert read(tmp_path / "one.nc").sizes == {"record": 1, "channel": 32, "time": 4 * 128}


def test_outputs_are_not_replaced_without_overwrite(model, tmp_path, capsys):
    before = model.read_bytes()
    code, _, err = run(capsys, "fit", "eeg", "sample:eeglab", "--out", str(model))
    assert code == 2 and "already exists" in err and model.read_bytes() == before
    assert run(capsys, "fit", "eeg", "sample:eeglab", "--out", str(model), "--overwrite")[0] == 0
    out = tmp_path / "syn.npz"
    argv = ["generate", "--model", str(model), "--duration", "1", "--seed", "0", "-o", str(out)]
    assert run(capsys, *argv)[0] == 0
    code, _, err = run(capsys, *argv)
    assert code == 2 and "already exists" in err
    assert run(capsys, *argv, "--overwrite")[0] == 0


def test_edf_output_holds_one_record_and_prints_the_fresh_seed(model, tmp_path, capsys):
    out = tmp_path / "one.edf"
    code, text, err = run(capsys, "generate", "--model", str(model), "--duration", "2", "--out", str(out))
    assert code == 0, err
    seed = text.split("pass --seed ")[1].split()[0]
    again = tmp_path / "again.npz"
    argv = ["generate", "--model", str(model), "--duration", "2", "--seed", seed, "--out", str(again)]
    assert run(capsys, *argv)[0] == 0
    a, b = read(out), read(again)
    step = float(np.ptp(b.values)) / 2**16  # one EDF quantisation step
    np.testing.assert_allclose(a.values, b.values.reshape(a.shape), atol=2 * step)


def test_a_multi_signal_family_writes_one_file_per_signal(stand_ins, tmp_path, capsys):
    model = tmp_path / "pd.npz"
    _ParkinsonStandIn().save(model)
    out = tmp_path / "pd.nc"
    argv = ["generate", "--model", str(model), "--duration", "5", "--seed", "0", "--out", str(out)]
    code, text, err = run(capsys, *argv)
    assert code == 0, err
    assert text.startswith(f"wrote {tmp_path / 'pd_lfp.nc'}, {tmp_path / 'pd_acc.nc'}: 1 record(s) x 5 s from ")
    lfp, events = read(tmp_path / "pd_lfp.nc", return_events=True)
    assert lfp.attrs["modality"] == "lfp" and "beta_burst" in set(events["type"])
    assert read(tmp_path / "pd_acc.nc").attrs["units"] == "m/s^2"
    (tmp_path / "pd_lfp.nc").unlink()
    acc = (tmp_path / "pd_acc.nc").read_bytes()
    code, _, err = run(capsys, *argv)  # pd_acc.nc exists: nothing is written
    assert code == 2 and "already exists" in err
    assert not (tmp_path / "pd_lfp.nc").exists() and (tmp_path / "pd_acc.nc").read_bytes() == acc
    code, _, err = run(capsys, *argv[:-2], "--out", str(tmp_path / "pd.edf"))
    assert code == 2 and "--out must be .nc, .zarr or .npz" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fit", "emg", "sample:eeglab", "--out", "new.npz"], "invalid choice: 'emg' (choose from 'eeg', 'parkinson')"),
        (["fit", "eeg", "sample:eeglab", "--out", "m.nc"], "--out must be an .npz file (the saved generator)"),
        (["fit", "eeg", "sample:eeglab", "--epoch", "0", "--out", "new.npz"], "--epoch must be"),
        (["fit", "eeg", "sample:eeglab", "--epoch", "100", "--out", "new.npz"], "longer than the signals"),
        (["fit", "eeg", "nope.edf", "--out", "new.npz"], "cannot read 'nope.edf'"),
        (["fit", "eeg", "sample:eeglab", "--out", "notadir.txt/m.npz"], "output folder 'notadir.txt' is a file"),
        (["generate", "--model", "m.npz"], "--model needs --out FILE"),
        (["generate", "--model", "m.npz", "--n-records", "0", "--out", "x.nc"], "--n-records must be"),
        (["generate", "--model", "m.npz", "--n-records", "2", "--out", "x.edf"], "--out .edf holds one recording"),
        (["generate", "--model", "m.npz", "--out", "x.csv"], "path suffix must be one of"),
    ],
)
def test_bad_input_exits_2_with_one_line(stand_ins, tmp_path, monkeypatch, capsys, argv, message):
    _EEGStandIn().fit(biosynth.generators.simulate_eeg(1.0, 128.0)).save(tmp_path / "m.npz")
    check_one_line_error(tmp_path, monkeypatch, capsys, argv, message)
    assert not (tmp_path / "m.nc").exists() and not (tmp_path / "new.npz").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["generate", "--model", "missing.npz", "--out", "x.nc"], "generator file 'missing.npz' does not exist"),
        (["generate", "--model", "garbage.npz", "--out", "x.nc"], "'garbage.npz': it is not an .npz archive"),
        (["generate", "--model", "flat.npz", "--out", "x.nc"], "'flat.npz': it has no __header__ entry"),
        (["generate", "--model", "objects.npz", "--out", "x.nc"], "'objects.npz': it has no __header__ entry"),
        (["generate", "--model", "damaged.npz", "--out", "x.nc"], "'damaged.npz' is damaged: its ARGenerator lacks"),
        (["generate", "--model", "model.json", "--out", "x.nc"], "path must end in .npz"),
        (["generate", "--model", "garbage.edf", "--out", "x.nc"], "path must end in .npz"),
    ],
    ids=["missing", "garbage", "no-header", "objects", "damaged", "json", "edf"],
)
def test_unreadable_models_exit_2_with_one_line(tmp_path, monkeypatch, capsys, argv, message):
    (tmp_path / "garbage.npz").write_bytes(b"garbage")
    (tmp_path / "model.json").write_text("{}")
    header = {"format": 1, "name": "ar", "params": {}}
    np.savez(tmp_path / "damaged.npz", __header__=np.array(json.dumps(header)))
    check_one_line_error(tmp_path, monkeypatch, capsys, argv, message)


def test_fit_refuses_data_its_generator_cannot_sample(tmp_path, monkeypatch, capsys):
    argv = ["fit", "parkinson", "sample:eeglab", "--out", "pd.npz"]  # 128 Hz; simulate_parkinson needs 250
    check_one_line_error(tmp_path, monkeypatch, capsys, argv, "real has sfreq 128 Hz but ParkinsonGenerator samples")
    assert not (tmp_path / "pd.npz").exists()


def test_fit_help_lists_the_registered_families_and_the_real_data_folder(stand_ins, capsys):
    with pytest.raises(SystemExit):
        main(["fit", "--help"])
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps the lines
    assert "generator family: eeg, parkinson" in out and "BIOSYNTH_REAL_DATA" in out


# --- the real estimators ------------------------------------------------------------------


def test_fit_then_generate_with_the_eeg_estimator(tmp_path, capsys):
    from biosynth.generators import GENERATORS, load_generator

    model = tmp_path / "eeg_model.npz"
    code, _, err = run(capsys, "fit", "eeg", "sample:eeglab", "--epoch", "4", "--out", str(model))
    assert code == 0, err
    assert isinstance(load_generator(model), GENERATORS["eeg"])
    out = tmp_path / "syn.nc"
    argv = ["generate", "--model", str(model), "--n-records", "3", "--duration", "4", "--seed", "0", "--out", str(out)]
    code, _, err = run(capsys, *argv)
    assert code == 0, err
    data = read(out)
    assert data.dims == ("record", "channel", "time")
    assert data.sizes["record"] == 3 and data.sizes["channel"] == 32 and data.attrs["sfreq"] == 128.0
    expected = load_generator(model).sample(3, duration=4.0, seed=0)
    np.testing.assert_array_equal(data.values, expected.values)


def test_fit_choices_are_the_registry(capsys):
    from biosynth.generators import GENERATORS

    with pytest.raises(SystemExit):
        main(["fit", "--help"])
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps the lines
    assert "generator family: " + ", ".join(GENERATORS) in out
    assert {"eeg", "ioecog", "ecg", "parkinson", "phase", "iaaft", "ar", "var", "vae_mmd"} <= set(GENERATORS)


def test_fit_then_generate_with_the_parkinson_estimator_writes_one_file_per_signal(tmp_path, capsys):
    argv = ["generate", "parkinson", "--duration", "20", "--signals", "lfp", "--seed", "0"]
    assert run(capsys, *argv, "-o", str(tmp_path / "pd.nc"))[0] == 0
    model = tmp_path / "pd_model.npz"
    code, _, err = run(capsys, "fit", "parkinson", str(tmp_path / "pd_lfp.nc"), "--out", str(model))
    assert code == 0, err
    argv = ["generate", "--model", str(model), "--n-records", "2", "--duration", "10", "--seed", "1"]
    code, out, err = run(capsys, *argv, "--out", str(tmp_path / "fitted.nc"))
    assert code == 0, err
    lfp, events = read(tmp_path / "fitted_lfp.nc", return_events=True)
    assert str(tmp_path / "fitted_lfp.nc") in out
    assert lfp.attrs["modality"] == "lfp" and lfp.sizes["record"] == 2 and lfp.sizes["time"] == 10 * 1000
    assert "beta_burst" in set(events["type"])


def test_fit_then_generate_with_a_data_driven_estimator(tmp_path, capsys):
    model = tmp_path / "phase.npz"
    code, _, err = run(capsys, "fit", "phase", "sample:eeglab", "--epoch", "4", "--out", str(model))
    assert code == 0, err
    out = tmp_path / "phase.nc"
    argv = ["generate", "--model", str(model), "--n-records", "2", "--seed", "0", "--out", str(out)]
    code, text, err = run(capsys, *argv)
    assert code == 0, err
    assert "events: none" in text
    data = read(out)
    assert data.sizes == {"record": 2, "channel": 32, "time": 4 * 128}


def test_fit_spectral_with_positions_and_transients(tmp_path, capsys):
    """``--positions`` (a BIDS electrodes.tsv, mm) and ``--transients`` reach the spectral
    generator: the saved model holds the positions (in m) and the transient option."""
    from biosynth.datasets import eeglab_positions
    from biosynth.generators.learned import load_generator

    positions = eeglab_positions()
    rows = ["name\tx\ty\tz"] + [f"{name}\t{x * 1e3}\t{y * 1e3}\t{z * 1e3}" for name, (x, y, z) in positions.items()]
    tsv = tmp_path / "electrodes.tsv"
    tsv.write_text("\n".join(rows) + "\n")
    model = tmp_path / "spectral.npz"
    argv = ["fit", "spectral", "sample:eeglab", "--window", "0", "20", "--positions", str(tsv), "--transients"]
    code, _, err = run(capsys, *argv, "--out", str(model))
    assert code == 0, err
    back = load_generator(model)
    assert back.transients
    np.testing.assert_allclose(back.positions_, np.array(list(positions.values())), atol=1e-9)
    assert back.distance_law_ is not None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fit", "eeg", "sample:eeglab", "--transients", "--out", "new.npz"], "--transients applies to the spectral"),
        (["fit", "ar", "sample:eeglab", "--positions", "colin27_1020", "--out", "new.npz"], "--positions applies"),
        (["fit", "spectral", "sample:eeglab", "--positions", "nosuchmontage", "--out", "new.npz"], "positions"),
        (["fit", "spectral", "sample:eeglab", "--positions", "no.tsv", "--out", "new.npz"], "--positions 'no.tsv'"),
    ],
)
def test_spectral_options_errors_exit_2_with_one_line(tmp_path, monkeypatch, capsys, argv, message):
    check_one_line_error(tmp_path, monkeypatch, capsys, argv, message)
    assert not (tmp_path / "new.npz").exists()
