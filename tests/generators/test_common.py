# SPDX-License-Identifier: BSD-3-Clause
"""The generator contract, checked for every generator of the registries (in the manner
of scikit-learn's estimator checks): the function form of :data:`SIMULATORS` and the
estimator form of :data:`GENERATORS`.

Seeding, ``first_record`` equivalence, batch vs alone, container dims/attrs/units,
events schema, save/load, bad-argument errors and the torch:cpu path, with tiny sizes;
no per-generator copies. A generator added to a registry is checked here at once.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy.signal import lfilter

import biosynth.generators as generators
from biosynth._utils.seeds import seed_from_json
from biosynth.generators import (
    GENERATORS,
    SIMULATORS,
    Generator,
    NotFittedError,
    ParametricGenerator,
    learned,
    load_generator,
)
from biosynth.signals import UNITS, make_signals, validate_events, validate_signals

try:
    import torch  # noqa: F401

    HAS_TORCH = True
except ImportError:
    HAS_TORCH = False

FAMILIES = ("eeg", "ioecog", "ecg", "parkinson")
LEARNED = ("phase", "iaaft", "ar", "var", "vae_mmd", "spectral")
PROVENANCE_KEYS = {"generator", "version", "parameters", "seed"}
#: Generators whose example (SIMULATORS[name].example, 2 records, seed 0) has no events:
#: Jansen-Rit places none; 2 s of the Epileptor hold no seizure.
NO_EVENTS_IN_EXAMPLE = {"epileptor", "jansen_rit"}


def containers(out: Any) -> list[xr.DataArray]:
    """The DataArrays of a generator's output (one, or those of a Dataset or mapping)."""
    if isinstance(out, xr.DataArray):
        return [out]
    if isinstance(out, xr.Dataset):
        return [out[name] for name in sorted(out.data_vars)]
    assert isinstance(out, Mapping), f"a generator returned {type(out).__name__}, not a container"
    return [out[name] for name in sorted(out)]


def _assert_each(check, a: Any, b: Any) -> None:
    assert type(a) is type(b)
    if isinstance(a, xr.Dataset):
        check(a, b)
    left, right = containers(a), containers(b)
    assert len(left) == len(right)
    for x, y in zip(left, right, strict=True):
        check(x, y)


def _records(out: Any, index: Any) -> Any:
    if isinstance(out, (xr.DataArray, xr.Dataset)):
        return out.isel(record=index)
    return {k: v.isel(record=index) for k, v in out.items()}


def _assert_same_events(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


#: Every generator of the function form (a new one is checked at once, with no exceptions).
SIMULATOR_NAMES = sorted(SIMULATORS)


def simulate(name: str, **overrides: Any) -> Any:
    spec = SIMULATORS[name]
    kwargs = {**spec.example, **overrides}
    return spec.function(kwargs.pop("duration"), kwargs.pop("sfreq"), **kwargs)


def test_registries_list_every_family():
    assert set(FAMILIES) | set(LEARNED) == set(GENERATORS)
    assert {name: GENERATORS[name] for name in LEARNED} == {name: learned.REGISTRY[name] for name in LEARNED}
    assert set(FAMILIES) <= set(SIMULATORS)
    public = {name for name in generators.__all__ if name.startswith("simulate_")}
    assert public == {spec.function.__name__ for spec in SIMULATORS.values()}  # none escapes the common tests
    classes = {
        obj
        for module in (generators, learned)
        for obj in (getattr(module, name) for name in module.__all__)
        if isinstance(obj, type) and issubclass(obj, Generator) and obj.name
    }
    assert classes == set(GENERATORS.values())
    for name, spec in SIMULATORS.items():
        assert {"duration", "sfreq"} <= set(spec.example), name
        assert list(inspect.signature(spec.function).parameters)[:2] == ["duration", "sfreq"], name


# --- the function form -----------------------------------------------------------------------


@pytest.mark.parametrize("name", SIMULATOR_NAMES)
def test_function_signature_follows_the_contract(name):
    parameters = inspect.signature(SIMULATORS[name].function).parameters
    assert parameters["sfreq"].default is inspect.Parameter.empty, "sfreq must be required"
    for option in list(parameters)[2:]:  # every option after duration, sfreq
        assert parameters[option].kind is inspect.Parameter.KEYWORD_ONLY, f"{option} must be keyword-only"
    for option, default in {
        "n_records": None,
        "first_record": 0,
        "seed": None,
        "device": "cpu",
        "progress": False,
        "return_events": False,
    }.items():
        assert option in parameters, f"{option} missing"
        assert parameters[option].kind is inspect.Parameter.KEYWORD_ONLY, option
        assert parameters[option].default == default, option


def documented(obj: Any) -> set[str]:
    """The names of a numpydoc Parameters section (``a, b : type`` lines; ``**options``)."""
    doc = inspect.getdoc(obj) or ""
    assert "%(" not in doc, f"an unfilled docdict slot in {obj.__qualname__}"
    section = doc.split("Parameters\n----------\n", 1)[-1] if "Parameters\n----------" in doc else ""
    section = section.split("\n\n")[0] if section else ""
    names = set()
    for line in section.splitlines():
        if line and not line[0].isspace():
            names.update(n.strip() for n in line.split(" : ")[0].split(","))
    return names


def assert_documented(obj: Any) -> None:
    parameters = [p for p in inspect.signature(obj).parameters if p != "self"]
    missing = [p for p in parameters if p not in documented(obj)]
    assert not missing, f"{obj.__qualname__} documents no {missing}"


@pytest.mark.parametrize("name", SIMULATOR_NAMES)
def test_function_documents_every_parameter(name):
    function = SIMULATORS[name].function
    assert_documented(function)
    assert "Returns\n-------" in inspect.getdoc(function)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_estimator_documents_every_parameter(name):
    cls = GENERATORS[name]
    for method in (cls.fit, cls.sample, cls.save):
        assert_documented(method)
    if issubclass(cls, ParametricGenerator):  # sfreq, then the simulator's options by reference
        assert {"sfreq", "**options"} <= documented(cls)
    else:
        assert_documented(cls)


@pytest.mark.parametrize("name", SIMULATOR_NAMES)
def test_function_same_seed_same_output(name):
    _assert_each(xr.testing.assert_identical, simulate(name, seed=1), simulate(name, seed=1))
    a, b = (containers(simulate(name, seed=s))[0].values for s in (1, 2))
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("name", SIMULATOR_NAMES)
def test_function_first_record_and_alone_equal_the_batch(name):
    batch, events = simulate(name, n_records=3, seed=4, return_events=True)
    part, part_events = simulate(name, n_records=2, first_record=1, seed=4, return_events=True)
    _assert_each(xr.testing.assert_equal, _records(batch, slice(1, 3)), part)
    _assert_each(xr.testing.assert_equal, _records(batch, [2]), simulate(name, n_records=1, first_record=2, seed=4))
    _assert_same_events(events[events["record"] >= 1], part_events)
    assert set(part_events["record"]) <= set(containers(part)[0]["record"].values)  # absolute record numbers


@pytest.mark.parametrize("name", SIMULATOR_NAMES)
def test_function_container_dims_attrs_units(name):
    sfreq = SIMULATORS[name].example["sfreq"]
    for n_records, dims in ((None, ("channel", "time")), (2, ("record", "channel", "time"))):
        for out in containers(simulate(name, n_records=n_records, seed=0)):
            validate_signals(out)
            assert out.dims == dims
            assert out.attrs["sfreq"] == sfreq
            assert out.attrs["units"] in UNITS
            provenance = out.attrs["provenance"]
            assert set(provenance) >= PROVENANCE_KEYS
            assert seed_from_json(provenance["seed"]).entropy == 0
            json.dumps(provenance)


@pytest.mark.parametrize("name", SIMULATOR_NAMES)
def test_function_events_schema(name):
    duration = SIMULATORS[name].example["duration"]
    out, events = simulate(name, n_records=2, seed=0, return_events=True)
    validate_events(events)
    assert set(events["record"]) <= {0, 1}
    if name not in NO_EVENTS_IN_EXAMPLE:  # the check above must not pass on an empty table
        assert len(events) > 0
    assert (events["onset"] <= duration).all()
    _assert_each(xr.testing.assert_identical, out, simulate(name, n_records=2, seed=0))  # events change no signal


#: Bad values of the contract's arguments, as (argument, value, how the message shows it).
BAD_ARGUMENTS = [
    ("duration", -1.0, "-1"),
    ("duration", "2", "'2'"),
    ("n_records", 0, "0"),
    ("n_records", 2.5, "2.5"),
    ("seed", -1, "-1"),
    ("first_record", -1, "-1"),
    ("device", "no-such-device", "'no-such-device'"),
    ("progress", "yes", "'yes'"),
    ("return_events", 1, "1"),
]


def _bad_argument_cases(*extra: tuple[str, Any, str]) -> list:
    cases = [*extra, *BAD_ARGUMENTS]
    return [pytest.param(a, v, shown, id=f"{a}={v!r}") for a, v, shown in cases]


def assert_one_line_naming(err: BaseException, argument: str, value: Any, shown: str) -> None:
    """One line: the argument first, what was expected, then ``got [type] <value>``."""
    message = str(err)
    assert "\n" not in message, message
    assert message.startswith(f"{argument} must "), message
    assert f"got {shown}" in message or f"got {type(value).__name__} {shown}" in message, message


@pytest.mark.parametrize("name", SIMULATOR_NAMES)
@pytest.mark.parametrize(("argument", "value", "shown"), _bad_argument_cases(("sfreq", 0.0, "0")))
def test_function_bad_arguments_are_named(name, argument, value, shown):
    with pytest.raises((ValueError, TypeError), match=argument) as info:
        simulate(name, **{argument: value})
    assert_one_line_naming(info.value, argument, value, shown)


@pytest.mark.skipif(not HAS_TORCH, reason="needs torch")
@pytest.mark.parametrize("name", SIMULATOR_NAMES)
def test_function_torch_cpu_agrees_with_cpu(name):
    cpu = simulate(name, n_records=2, seed=0)
    torch_cpu = simulate(name, n_records=2, seed=0, device="torch:cpu")
    for a, b in zip(containers(cpu), containers(torch_cpu), strict=True):
        scale = float(np.abs(a.values).max()) or 1.0
        np.testing.assert_allclose(b.values, a.values, rtol=1e-4, atol=1e-4 * scale)


# --- the estimator form ------------------------------------------------------------------------


def _learned_real() -> xr.DataArray:
    """2 records x 3 channels x 2 s at 128 Hz of coupled AR(2) noise, in volts."""
    rng = np.random.default_rng(0)
    drive = lfilter([1.0], [1.0, -1.2, 0.5], rng.normal(size=(2, 1, 300)), axis=-1)[..., 44:]
    data = 1e-5 * (0.6 * drive + 0.5 * rng.normal(size=(2, 3, 256)))
    return make_signals(data, 128.0, ch_names=["Fz", "Cz", "Pz"], units="V", modality="eeg")


def _family_real(name: str) -> Any:
    duration = {"ecg": 6.0, "parkinson": 4.0}.get(name, 2.0)
    out = simulate(name, duration=duration, n_records=2, seed=7)
    return out["lfp"] if name == "parkinson" else out


#: Small constructor arguments per generator (fast to fit).
ESTIMATOR_PARAMS: dict[str, dict[str, Any]] = {
    "iaaft": {"max_iter": 5},
    "ar": {"max_order": 4},
    "var": {"max_order": 2},
    "vae_mmd": {"window": 64, "stride": 16, "hidden": 4, "latent_dim": 2, "epochs": 2, "seed": 0},
    "ioecog": {"epileptiform": {}},
}
_FITTED: dict[str, Any] = {}


def _estimator_cases() -> list:
    cases = []
    for name in sorted(GENERATORS):
        marks = []
        if name == "vae_mmd":
            marks = [pytest.mark.skipif(not HAS_TORCH, reason="needs torch"), pytest.mark.slow]
        cases.append(pytest.param(name, id=name, marks=marks))
    return cases


def real_for(name: str) -> Any:
    return _family_real(name) if name in FAMILIES else _learned_real()


def fitted(name: str) -> Any:
    """A generator fitted on small data (cached: fitting is the slow part)."""
    if name not in _FITTED:
        _FITTED[name] = GENERATORS[name](**ESTIMATOR_PARAMS.get(name, {})).fit(real_for(name))
    return _FITTED[name]


@pytest.mark.parametrize("name", _estimator_cases())
def test_estimator_same_seed_same_output(name):
    generator = fitted(name)
    _assert_each(xr.testing.assert_identical, generator.sample(2, seed=1), generator.sample(2, seed=1))
    a, b = (containers(generator.sample(1, seed=s))[0].values for s in (1, 2))
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("name", _estimator_cases())
def test_estimator_first_record_and_alone_equal_the_batch(name):
    generator = fitted(name)
    batch, events = generator.sample(3, seed=4, return_events=True)
    part, part_events = generator.sample(2, first_record=1, seed=4, return_events=True)
    _assert_each(xr.testing.assert_equal, _records(batch, slice(1, 3)), part)
    _assert_each(xr.testing.assert_equal, _records(batch, [2]), generator.sample(1, first_record=2, seed=4))
    _assert_same_events(events[events["record"] >= 1], part_events)
    assert set(part_events["record"]) <= set(containers(part)[0]["record"].values)  # absolute record numbers


@pytest.mark.parametrize("name", _estimator_cases())
def test_estimator_container_dims_attrs_units(name):
    generator = fitted(name)
    real = containers(real_for(name))[0]
    for out in containers(generator.sample(2, seed=0)):
        validate_signals(out)
        assert out.dims == ("record", "channel", "time")
        assert out.attrs["sfreq"] == real.attrs["sfreq"]
        assert out.attrs["units"] in UNITS
        provenance = out.attrs["provenance"]
        assert set(provenance) >= PROVENANCE_KEYS
        assert seed_from_json(provenance["seed"]).entropy == 0
        json.dumps(provenance)
    first = containers(generator.sample(1, seed=0))[0]
    assert first.attrs["modality"] == real.attrs["modality"]
    if name not in ("parkinson", "vae_mmd"):  # default length: the fitted records' (VAE: one window)
        assert first.sizes["time"] == real.sizes["time"]
    if name != "ecg":  # ECG channels are its leads
        assert list(first["channel"].values) == list(real["channel"].values)


@pytest.mark.parametrize("name", _estimator_cases())
def test_estimator_events_schema(name):
    generator = fitted(name)
    out, events = generator.sample(2, seed=0, return_events=True)
    validate_events(events)
    assert set(events["record"]) <= {0, 1}
    _assert_each(xr.testing.assert_identical, out, generator.sample(2, seed=0))


@pytest.mark.parametrize("name", _estimator_cases())
def test_estimator_save_load_sample_identical(name, tmp_path):
    generator = fitted(name)
    path = generator.save(tmp_path / "model.npz")
    loaded = load_generator(path)
    assert type(loaded) is type(generator)
    assert json.dumps(loaded.get_params(), default=str) == json.dumps(generator.get_params(), default=str)
    _assert_each(xr.testing.assert_identical, loaded.sample(2, seed=3), generator.sample(2, seed=3))
    with pytest.raises(FileExistsError):
        generator.save(path)
    generator.save(path, overwrite=True)
    with np.load(path, allow_pickle=False) as npz:
        header = json.loads(str(npz["__header__"]))
        arrays = [npz[k] for k in npz.files if k != "__header__"]
    assert header["name"] == name
    assert header["holds_real_samples"] is GENERATORS[name].holds_real_samples
    if not generator.holds_real_samples:  # parameters only: no real record is stored
        real = containers(real_for(name))[0].values
        rows = real.reshape(-1, real.shape[-1])
        for array in arrays:
            if array.shape[-1:] == rows.shape[-1:]:
                flat = array.reshape(-1, rows.shape[-1])
                assert not any(np.array_equal(a, r) for a in flat for r in rows)
        # nor any single real sample, in an array or in the header (whole numbers aside: 0, counts)
        saved = np.concatenate([np.fromiter(_header_numbers(header), float), *(_float_values(a) for a in arrays)])
        assert saved.size > 0
        found = np.isin(saved, real[real != np.round(real)])
        assert not found.any(), f"the saved {name} generator holds real samples {saved[found][:3]}"


def _header_numbers(value: Any) -> Any:
    """Every float in a JSON value."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _header_numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _header_numbers(item)
    elif isinstance(value, float):
        yield value


def _float_values(array: np.ndarray) -> np.ndarray:
    return array.ravel().astype(float) if array.dtype.kind == "f" else np.empty(0)


@pytest.mark.parametrize("name", _estimator_cases())
def test_estimator_get_params_rebuilds_it(name):
    generator = fitted(name)
    params = generator.get_params()
    assert type(generator)(**params).get_params() == params
    assert set(params) == set(inspect.signature(type(generator)).parameters)


@pytest.mark.parametrize("name", _estimator_cases())
@pytest.mark.parametrize(("argument", "value", "shown"), _bad_argument_cases())
def test_estimator_bad_arguments_are_named(name, argument, value, shown):
    kwargs = {"n_records": 1, argument: value}
    with pytest.raises((ValueError, TypeError), match=argument) as info:
        fitted(name).sample(kwargs.pop("n_records"), **kwargs)
    assert_one_line_naming(info.value, argument, value, shown)


@pytest.mark.parametrize("name", _estimator_cases())
def test_estimator_before_fit(name):
    cls = GENERATORS[name]
    if issubclass(cls, ParametricGenerator):
        sfreq = SIMULATORS[name].example["sfreq"]
        duration = SIMULATORS[name].example["duration"]
        with pytest.raises(ValueError, match="sfreq"):
            cls().sample(1, duration=duration, seed=0)
        with pytest.raises(ValueError, match="sfreq"):
            cls(sfreq=0.0)
        with pytest.raises(ValueError, match="duration"):
            cls(sfreq=sfreq).sample(1, seed=0)
        spec = dict(SIMULATORS[name].example)
        spec.pop("duration")
        direct = simulate(name, n_records=1, seed=0)
        out = cls(**spec).sample(1, duration=duration, seed=0)
        for a, b in zip(containers(out), containers(direct), strict=True):
            xr.testing.assert_equal(a, b)
    else:
        with pytest.raises(NotFittedError, match="not fitted"):
            cls(**ESTIMATOR_PARAMS.get(name, {})).sample(1, seed=0)


@pytest.mark.skipif(not HAS_TORCH, reason="needs torch")
@pytest.mark.parametrize("name", _estimator_cases())
def test_estimator_torch_cpu_agrees_with_cpu(name):
    generator = fitted(name)
    cpu = generator.sample(2, seed=0, device="cpu")
    torch_cpu = generator.sample(2, seed=0, device="torch:cpu")
    for a, b in zip(containers(cpu), containers(torch_cpu), strict=True):
        scale = float(np.abs(a.values).max()) or 1.0
        np.testing.assert_allclose(b.values, a.values, rtol=1e-4, atol=1e-4 * scale)
