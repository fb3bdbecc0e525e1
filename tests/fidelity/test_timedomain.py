# SPDX-License-Identifier: BSD-3-Clause
"""Time-domain measures: against references and antropy / neurokit2, policies, torch paths."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from biosynth.datasets import load_sample
from biosynth.fidelity.timedomain import hjorth_complexity, hjorth_mobility, line_length, zero_crossings
from tests.fidelity import _reference_fractal as ref

RTOL = 1e-9


@pytest.fixture(scope="module")
def eeglab() -> np.ndarray:
    return load_sample("eeglab").values.astype(np.float64)  # (32, 7680) V at 128 Hz


@pytest.fixture
def bonn(real_file) -> np.ndarray:
    z = np.load(real_file("eeg_bonn_setA_Z.npz"))["data"][:5]
    s = np.load(real_file("eeg_bonn_setE_S.npz"))["data"][:5]
    return np.concatenate([z, s]).astype(np.float64)


def test_hjorth_matches_reference(rng):
    x = rng.normal(size=(3, 120)).cumsum(axis=1)
    expected = np.array([ref.hjorth(r) for r in x])
    np.testing.assert_allclose(hjorth_mobility(x), expected[:, 0], rtol=1e-12)
    np.testing.assert_allclose(hjorth_complexity(x), expected[:, 1], rtol=1e-12)


def test_antropy_agreement(eeglab, bonn):
    ant = pytest.importorskip("antropy")
    for x in (eeglab, bonn):
        mobility, complexity = ant.hjorth_params(x)
        np.testing.assert_allclose(hjorth_mobility(x), mobility, rtol=RTOL)
        np.testing.assert_allclose(hjorth_complexity(x), complexity, rtol=RTOL)
        np.testing.assert_allclose(hjorth_mobility(x, 128.0), ant.hjorth_params(x, sf=128.0)[0], rtol=RTOL)
        np.testing.assert_array_equal(zero_crossings(x), ant.num_zerocross(x))
        np.testing.assert_allclose(zero_crossings(x, normalize=True), ant.num_zerocross(x, normalize=True), rtol=RTOL)


def test_neurokit2_agreement(eeglab):
    nk = pytest.importorskip("neurokit2")
    for r in eeglab[:4, :2000]:
        complexity, info = nk.complexity_hjorth(r)
        assert hjorth_complexity(r) == pytest.approx(complexity, rel=RTOL)
        assert hjorth_mobility(r) == pytest.approx(info["Mobility"], rel=RTOL)
        assert line_length(r, normalize=True) == pytest.approx(nk.fractal_linelength(r)[0], rel=RTOL)  # mean step


def test_zero_crossings_exact_zeros():
    x = np.array([[-1.0, 0.0, 1.0, 0.0, 1.0, 0.0, -1.0, 0.0, -1.0], [0.0, 0.0, -2.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0]])
    # "positive": 0 counts as positive (antropy); "skip": zeros are ignored
    np.testing.assert_array_equal(zero_crossings(x), [4.0, 2.0])
    np.testing.assert_array_equal(zero_crossings(x, zeros="skip"), [2.0, 1.0])
    ant = pytest.importorskip("antropy")
    np.testing.assert_array_equal(zero_crossings(x), ant.num_zerocross(x))


def test_known_values():
    t = np.arange(4000) / 200.0
    sine = np.sin(2 * np.pi * 5.0 * t)
    # discrete sine: var(diff) / var(x) = (2 sin(pi f / fs))**2
    assert hjorth_mobility(sine, 200.0) == pytest.approx(2 * 200.0 * np.sin(np.pi * 5.0 / 200.0), rel=5e-4)
    assert hjorth_complexity(sine) == pytest.approx(1.0, abs=1e-3)
    # 100 cycles shifted off the sample grid, starting and ending above zero: 2 * 100 - 1 crossings
    assert zero_crossings(sine + 0.1) == 2 * 5 * 20 - 1
    assert line_length(sine) == pytest.approx(4 * 5 * 20, rel=1e-3)  # 4 amplitudes per cycle
    assert line_length([0.0, 2.0, -1.0], normalize=True) == 2.5
    noise = np.random.default_rng(5).normal(size=(2, 20_000))
    np.testing.assert_allclose(hjorth_mobility(noise), np.sqrt(2), rtol=0.02)  # var(diff) = 2 var(x)
    np.testing.assert_allclose(hjorth_complexity(noise), np.sqrt(1.5), rtol=0.02)


@pytest.mark.parametrize(
    ("func", "kwargs"),
    [(hjorth_mobility, {}), (hjorth_complexity, {}), (zero_crossings, {}), (zero_crossings, {"zeros": "skip"})],
)
def test_scale_free(func, kwargs, eeglab):
    np.testing.assert_allclose(func(eeglab[:5] * 1e6, **kwargs), func(eeglab[:5], **kwargs), rtol=1e-9)


def test_line_length_scales_with_amplitude(eeglab):
    np.testing.assert_allclose(line_length(eeglab[:5] * 1e6), line_length(eeglab[:5]) * 1e6, rtol=1e-12)
    np.testing.assert_allclose(
        line_length(eeglab[:5], normalize=True), line_length(eeglab[:5]) / (eeglab.shape[1] - 1), rtol=1e-12
    )


def test_ddof_changes_hjorth(rng):
    x = rng.normal(size=(2, 30))
    assert not np.allclose(hjorth_mobility(x, ddof=1), hjorth_mobility(x))
    dx = np.diff(x, axis=1)
    np.testing.assert_allclose(hjorth_mobility(x, ddof=1), np.sqrt(dx.var(1, ddof=1) / x.var(1, ddof=1)), rtol=1e-12)


@pytest.mark.parametrize("value", [0.0, 0.1, -2.5e-5])
def test_flat_signal(value):
    flat = np.full((2, 100), value)
    assert np.isnan(hjorth_mobility(flat)).all()
    assert np.isnan(hjorth_complexity(flat)).all()
    np.testing.assert_array_equal(line_length(flat), 0.0)
    np.testing.assert_array_equal(zero_crossings(flat), 0.0)


def test_constant_slope_has_nan_complexity():
    ramp = np.arange(50.0)
    assert hjorth_mobility(ramp) == 0.0
    assert np.isnan(hjorth_complexity(ramp))


@pytest.mark.parametrize(
    ("call", "minimum"),
    [
        (lambda x: hjorth_mobility(x), 3),
        (lambda x: hjorth_complexity(x, ddof=1), 4),
        (lambda x: line_length(x), 2),
        (lambda x: zero_crossings(x), 2),
    ],
)
def test_too_short_names_x_and_minimum(call, minimum):
    with pytest.raises(ValueError, match=rf"x needs at least {minimum} samples along axis -1; got {minimum - 1}"):
        call(np.arange(minimum - 1, dtype=float))
    assert np.isfinite(call(np.array([1.0, -2.0, 4.0, 0.5])))


def test_bad_inputs_raise(rng):
    x = rng.normal(size=(2, 50))
    bad = x.copy()
    bad[0, 3] = np.inf
    for func in (hjorth_mobility, hjorth_complexity, line_length, zero_crossings):
        with pytest.raises(ValueError, match="x contains 1 non-finite"):
            func(bad)
        with pytest.raises(ValueError, match="x must be an array with a time axis"):
            func(3.0)
    with pytest.raises(ValueError, match="sfreq"):
        hjorth_mobility(x, -1.0)
    with pytest.raises(ValueError, match="ddof"):
        hjorth_complexity(x, ddof=2)
    with pytest.raises(ValueError, match="zeros"):
        zero_crossings(x, zeros="negative")
    with pytest.raises(TypeError, match="normalize"):
        line_length(x, normalize=1)
    with pytest.raises(ValueError, match="device"):
        line_length(x, device="gpu!")


def test_shapes_axis_dtypes(rng):
    x = rng.normal(size=(2, 3, 60))
    for func in (hjorth_mobility, hjorth_complexity, line_length, zero_crossings):
        full = func(x)
        assert full.shape == (2, 3) and full.dtype == np.float64
        np.testing.assert_allclose(func(np.moveaxis(x, -1, 1), axis=1), full, rtol=1e-12)
        assert func(x[0, 1]).shape == ()
        assert func(x.astype(np.float32)).dtype == np.float64


def test_dataarray_input(batch):
    out = hjorth_mobility(batch, sfreq=None)
    assert isinstance(out, xr.DataArray) and out.dims == ("record", "channel")
    np.testing.assert_allclose(out.values, hjorth_mobility(batch.values, 250.0), rtol=1e-12)
    assert line_length(batch).name == "line_length"


TORCH_CASES = [
    (hjorth_mobility, {}),
    (hjorth_mobility, {"sfreq": 128.0, "ddof": 1}),
    (hjorth_complexity, {}),
    (hjorth_complexity, {"ddof": 1}),
    (line_length, {}),
    (line_length, {"normalize": True}),
]
TORCH_IDS = [f"{f.__name__}-{k}" for f, k in TORCH_CASES]


@pytest.mark.parametrize(("func", "kwargs"), TORCH_CASES, ids=TORCH_IDS)
def test_torch_cpu_matches_numpy(func, kwargs, eeglab):
    pytest.importorskip("torch")
    np.testing.assert_allclose(func(eeglab, device="torch:cpu", **kwargs), func(eeglab, **kwargs), rtol=RTOL)


@pytest.mark.gpu
@pytest.mark.parametrize(("func", "kwargs"), TORCH_CASES, ids=TORCH_IDS)
def test_cuda_matches_numpy(func, kwargs, eeglab):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("CUDA is not available")
    np.testing.assert_allclose(func(eeglab, device="cuda", **kwargs), func(eeglab, **kwargs), rtol=RTOL)
