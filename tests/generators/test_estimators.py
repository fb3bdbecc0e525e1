# SPDX-License-Identifier: BSD-3-Clause
"""The estimator form of the parametric families: what each fit learns, and the shared
machinery (constructor, save/load, recordings in several pieces). The contract itself is
checked for every generator in test_common.py."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from biosynth.generators import (
    GENERATORS,
    ECGGenerator,
    EEGGenerator,
    IoECoGGenerator,
    NotFittedError,
    ParkinsonGenerator,
    load_generator,
    match_recording,
    simulate_ecg,
    simulate_eeg,
    simulate_ioecog,
    simulate_parkinson,
)
from biosynth.generators.learned import ARGenerator
from biosynth.signals import convert_units, make_signals


@pytest.fixture(scope="module")
def eeg_real():
    return simulate_eeg(
        8.0, 128.0, n_records=2, ch_names=("F3", "C3", "P3", "O1"), aperiodic_exponent=2.0, alpha_freq=9.0, seed=0
    )


# --- EEG ----------------------------------------------------------------------------------


def test_eeg_fit_is_match_recording(eeg_real):
    generator = EEGGenerator().fit(eeg_real)
    expected = match_recording(eeg_real)
    assert {k: generator.fitted_params_[k] for k in expected} == expected
    assert generator.fitted_params_["aperiodic_offset"] is None
    assert generator.aperiodic_exponent_ == expected["aperiodic_exponent"]
    assert generator.sfreq_ == 128.0 and generator.duration_ == 8.0 and generator.n_records_ == 2
    assert generator.alpha_freq_ == pytest.approx(9.0, abs=1.0)
    assert generator.get_params()["sfreq"] is None  # constructor arguments stay as given
    out = generator.sample(2, duration=1.0, seed=0)
    assert out.sizes["time"] == 128 and list(out["channel"].values) == ["F3", "C3", "P3", "O1"]
    assert out.attrs["provenance"]["estimator"] == "biosynth.generators.EEGGenerator"
    assert out.attrs["provenance"]["parameters"]["aperiodic_exponent"] == expected["aperiodic_exponent"]


def test_fit_takes_a_list_of_recordings_cropped_to_the_shortest(eeg_real):
    pieces = [eeg_real.isel(record=0), eeg_real.isel(record=1, time=slice(0, 512))]
    generator = EEGGenerator().fit(pieces)
    assert generator.duration_ == 4.0 and generator.n_records_ == 2
    with pytest.raises(ValueError, match=r"real\[1\] has sfreq"):
        EEGGenerator().fit([eeg_real, eeg_real.assign_attrs(sfreq=256.0)])
    with pytest.raises(ValueError, match="different lengths"):
        ARGenerator(max_order=2).fit(pieces)


@pytest.mark.parametrize("name", ["ecg", "ioecog", "parkinson"])
def test_fit_rejects_a_rate_the_simulator_cannot_sample(name):
    cls = GENERATORS[name]
    low, high = cls.sfreq_range
    for sfreq in (low / 2, high * 2):
        n_times = round(4 * sfreq)
        real = make_signals(np.random.default_rng(0).normal(0, 1e-5, (1, 2, n_times)), sfreq, units="V")
        with pytest.raises(ValueError, match=rf"real has sfreq {sfreq:g} Hz but {cls.__name__} samples at"):
            cls().fit(real)


def test_constructor_takes_the_simulator_options():
    with pytest.raises(TypeError, match=r"unknown parameters \['heart_rte'\]"):
        ECGGenerator(heart_rte=60.0)
    with pytest.raises(TypeError):
        ECGGenerator(60.0)  # keyword-only, as the simulator's options
    with pytest.raises(ValueError, match="sfreq"):
        EEGGenerator(sfreq=-1.0)
    generator = ECGGenerator(sfreq=250.0, heart_rate=80.0)
    assert generator.heart_rate == 80.0 and generator.get_params()["heart_rate"] == 80.0
    assert "ECGGenerator(sfreq=250.0" in repr(generator)


# --- ioECoG -------------------------------------------------------------------------------


def test_ioecog_fit_learns_the_aperiodic_spectrum_and_layout():
    real = simulate_ioecog(
        8.0,
        1000.0,
        n_records=1,
        layout="2x3",
        epileptiform={},
        anaesthesia=None,
        aperiodic_exponent=3.0,
        aperiodic_knee_freq=12.0,
        amplitude=80e-6,
        noise_floor=0.0,
        seed=0,
    )
    generator = IoECoGGenerator().fit(real)
    assert generator.aperiodic_exponent_ == pytest.approx(3.0, abs=0.5)
    assert 6.0 < generator.aperiodic_knee_freq_ < 24.0
    assert generator.amplitude_ == pytest.approx(80e-6, rel=0.3)
    assert generator.layout_.names == tuple(real["channel"].values)  # from the provenance
    renamed = real.assign_coords(channel=[f"E{i}" for i in range(6)])
    renamed.attrs["provenance"] = {"source": "elsewhere"}
    other = IoECoGGenerator(epileptiform={}).fit(renamed)
    assert other.layout_.names == tuple(f"E{i}" for i in range(6))  # a strip of the real names
    assert list(other.sample(1, duration=1.0, seed=0)["channel"].values) == [f"E{i}" for i in range(6)]


# --- ECG ----------------------------------------------------------------------------------


def test_ecg_fit_learns_rate_variability_amplitude_and_leads():
    real = simulate_ecg(
        20.0, 250.0, n_records=2, heart_rate=75.0, heart_rate_std=3.0, amplitude=1.2e-3, leads=("I", "II", "V2"), seed=0
    )
    real = real.assign_coords(channel=["i", "II", "v2"])
    generator = ECGGenerator().fit(real)
    assert generator.heart_rate_ == pytest.approx(75.0, abs=2.0)
    assert 0.5 < generator.heart_rate_std_ < 8.0
    assert generator.amplitude_ == pytest.approx(1.2e-3, rel=0.15)
    assert generator.leads_ == ["I", "II", "V2"]
    assert list(generator.sample(1, duration=3.0, seed=0)["channel"].values) == ["I", "II", "V2"]
    lead = real.isel(channel=[1]).assign_coords(channel=["ECG"])
    kept = ECGGenerator(leads=("II",)).fit(convert_units(lead, "mV"))
    assert "leads" not in kept.fitted_params_  # not standard names: the constructor's leads
    assert kept.amplitude_ == pytest.approx(generator.amplitude_, rel=1e-9)  # in volts, whatever the unit
    unitless = make_signals(lead.values * 1e3, 250.0, ch_names=["ECG"], units="a.u.", modality="ecg")
    assert "amplitude" not in ECGGenerator().fit(unitless).fitted_params_
    generator.fit(unitless)  # a refit forgets what the last fit learned
    assert not hasattr(generator, "amplitude_") and not hasattr(generator, "leads_")
    assert generator.simulation_params()["leads"] == ECGGenerator().get_params()["leads"]  # the constructor's again


def test_ecg_fit_needs_beats():
    flat = make_signals(np.random.default_rng(0).normal(0, 1e-6, (1, 1, 250)), 250.0, modality="ecg")
    with pytest.raises(ValueError, match="R peaks"):
        ECGGenerator().fit(flat)


# --- Parkinson's disease ---------------------------------------------------------------------


def test_parkinson_fit_learns_beta_and_bursts():
    real = simulate_parkinson(30.0, 1000.0, n_records=1, signals=("lfp", "acc"), beta_freq=22.0, seed=0)
    generator = ParkinsonGenerator().fit(real)  # a mapping of signals: its "lfp"
    assert generator.beta_freq_ == pytest.approx(22.0, abs=1.5)
    assert generator.signals_ == ["lfp"]
    assert set(generator.bursts_) == {
        "burst_rate",
        "burst_duration",
        "burst_duration_cv",
        "burst_amplitude",
        "burst_amplitude_cv",
    }
    assert 0.1 < generator.bursts_["burst_duration"] < 1.0
    assert 1e-6 < generator.bursts_["burst_amplitude"] < 2e-5
    assert generator.lfp_amplitude_ == pytest.approx(2e-6, rel=0.5)
    out = generator.sample(2, duration=2.0, seed=0)
    lfp = out["lfp"]
    assert lfp.dims == ("record", "channel", "time") and lfp.attrs["sfreq"] == 1000.0
    with pytest.raises(ValueError, match="no 'lfp'"):
        ParkinsonGenerator().fit({"acc": real["acc"]})


# --- files --------------------------------------------------------------------------------


def test_saved_parametric_generator_holds_parameters_only(eeg_real, tmp_path):
    generator = EEGGenerator(rhythms=()).fit(eeg_real)
    path = generator.save(tmp_path / "eeg.npz")
    with np.load(path, allow_pickle=False) as npz:
        assert npz.files == ["__header__"]
        header = json.loads(str(npz["__header__"]))
    assert header["name"] == "eeg" and header["holds_real_samples"] is False
    assert header["fitted"]["params"]["ch_names"] == ["F3", "C3", "P3", "O1"]
    loaded = load_generator(path)
    assert loaded.fitted_params_ == generator.fitted_params_
    xr.testing.assert_identical(loaded.sample(1, duration=1.0, seed=2), generator.sample(1, duration=1.0, seed=2))
    unfitted = EEGGenerator(sfreq=128.0, ch_names=("Cz",))
    again = load_generator(unfitted.save(tmp_path / "plain.npz"))
    assert not hasattr(again, "fitted_params_")
    assert again.get_params() == {**unfitted.get_params(), "ch_names": ["Cz"]}  # tuples come back as lists
    with pytest.raises(ValueError, match="sfreq must be given"):
        EEGGenerator().save(tmp_path / "no_rate.npz")


def test_load_generator_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_generator(tmp_path / "missing.npz")
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(ValueError, match="cannot read generator file"):
        load_generator(tmp_path / "other.npz")
    np.savez(tmp_path / "alien.npz", __header__=np.array(json.dumps({"format": 1, "name": "alien"})))
    with pytest.raises(ValueError, match="kind 'alien'"):
        load_generator(tmp_path / "alien.npz")
    with pytest.raises(ValueError, match="must end in .npz"):
        EEGGenerator(sfreq=128.0).save(tmp_path / "model.json")
    with pytest.raises(NotFittedError):
        ARGenerator().save(tmp_path / "ar.npz")


def _damaged_files(tmp_path, eeg_real):
    """name -> (a damaged or foreign generator file, what its error says)."""
    good = EEGGenerator(sfreq=128.0).save(tmp_path / "good.npz")
    ar = ARGenerator(max_order=2).fit(eeg_real).save(tmp_path / "ar.npz")
    with np.load(ar) as npz:
        ar_arrays = {k: npz[k] for k in npz.files}

    def header(**values):
        return {"__header__": np.array(json.dumps(values))}

    files = {
        "empty": (b"", "not an .npz archive"),
        "text": (b"hello", "not an .npz archive"),
        "truncated": (good.read_bytes()[:200], "not an .npz archive"),
        "npy": (lambda f: np.save(f, np.zeros(3)), "one .npy array"),
        "not_json": (header() | {"__header__": np.array("{oops")}, "__header__ is not JSON"),
        "list_header": ({"__header__": np.array("[1, 2]")}, "format None and kind None"),
        "newer_format": (header(format=2, name="eeg"), "format 2 and kind 'eeg'"),
        "unknown_param": (header(format=1, name="eeg", params={"heart_rte": 1}), r"unknown parameters \['heart_rte'\]"),
        "params_not_a_mapping": (header(format=1, name="eeg", params=[1]), "params is a list"),
        "bad_param": (header(format=1, name="eeg", params={"sfreq": -5}), "sfreq must be a positive"),
        "fitted_incomplete": (
            header(format=1, name="eeg", params={}, fitted={"params": {}}),
            "lacks the entry 'duration'",
        ),
        "no_info": (header(format=1, name="ar", params={}), "lacks the entry 'info'"),
        "array_missing": ({k: v for k, v in ar_arrays.items() if k != "state/coefs"}, "lacks the entry 'coefs'"),
    }
    out = {}
    for name, (content, message) in files.items():
        path = tmp_path / f"{name}.npz"
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif callable(content):
            with open(path, "wb") as handle:
                content(handle)
        else:
            with open(path, "wb") as handle:
                np.savez(handle, **content)
        out[name] = (path, message)
    return out


def test_load_generator_rejects_damaged_and_foreign_files_in_one_line(eeg_real, tmp_path):
    for name, (path, message) in _damaged_files(tmp_path, eeg_real).items():
        with pytest.raises(ValueError, match=message) as info:
            load_generator(path)
        text = str(info.value)
        assert "\n" not in text and repr(str(path)) in text, name
    renamed = tmp_path / "good.txt"
    (tmp_path / "good.npz").rename(renamed)
    with pytest.raises(ValueError, match=r"path must end in \.npz.*good\.txt"):
        load_generator(renamed)
    (tmp_path / "folder.npz").mkdir()
    with pytest.raises(ValueError, match="is not a file"):
        load_generator(tmp_path / "folder.npz")
    assert isinstance(load_generator(tmp_path / "ar.npz"), ARGenerator)  # the intact file still loads


def test_generators_registry_is_importable_from_the_package():
    import biosynth.generators as generators

    assert generators.load_generator is load_generator
    assert generators.learned.load_generator is load_generator
    assert GENERATORS["eeg"] is EEGGenerator and GENERATORS["parkinson"] is ParkinsonGenerator
