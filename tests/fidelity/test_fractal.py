# SPDX-License-Identifier: BSD-3-Clause
"""Fractal measures: against slow references, against antropy / neurokit2 / nolds on
real and synthetic signals, policies (scale, flat, short, NaN), torch paths."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr

from biosynth.datasets import load_sample
from biosynth.fidelity.fractal import (
    detrended_fluctuation,
    dfa_fluctuation,
    higuchi_fd,
    hurst_exponent,
    katz_fd,
    petrosian_fd,
)
from tests.fidelity import _reference_fractal as ref

RTOL = 1e-9


@pytest.fixture(scope="module")
def eeglab() -> np.ndarray:
    return load_sample("eeglab").values.astype(np.float64)  # (32, 7680) V at 128 Hz; peers compute in float64


@pytest.fixture
def bonn(real_file) -> np.ndarray:
    """Rows 0-3 of Bonn set Z (healthy) and set S (seizure), 4097 samples, float64."""
    z = np.load(real_file("eeg_bonn_setA_Z.npz"))["data"][:4]
    s = np.load(real_file("eeg_bonn_setE_S.npz"))["data"][:4]
    return np.concatenate([z, s]).astype(np.float64)


@pytest.fixture
def ecg(real_file) -> np.ndarray:
    """Both leads of MIT-BIH 100, 10 s at 360 Hz."""
    return np.ascontiguousarray(np.load(real_file("ecg_mitbih_100.npz"))["data"][:, :3600], dtype=np.float64)


def _nolds():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pytest.importorskip("nolds")


def _nk_scale(n: int) -> np.ndarray:
    """neurokit2's default DFA / Hurst window set."""
    return np.unique(np.exp(np.linspace(np.log(10), np.log(int(n / 10)), int(n / 10))).astype(int))


# ----------------------------------------------------------------------------- slow references


def test_kernels_match_slow_references(rng):
    x = rng.normal(size=(3, 150))
    np.testing.assert_allclose(higuchi_fd(x, kmax=7), [ref.higuchi(r, 7) for r in x], rtol=1e-12)
    np.testing.assert_allclose(katz_fd(x), [ref.katz(r) for r in x], rtol=1e-12)
    np.testing.assert_allclose(petrosian_fd(x), [ref.petrosian(r) for r in x], rtol=1e-12)
    sizes = [4, 6, 9, 13, 20]
    hurst_sizes = [5, 8, 12, 20, 30]
    np.testing.assert_allclose(hurst_exponent(x, window_sizes=hurst_sizes), [ref.hurst_rs(r, hurst_sizes) for r in x])
    for overlap in (False, True):
        for order in (1, 2):
            _, curve = dfa_fluctuation(x, window_sizes=sizes, overlap=overlap, detrend_order=order)
            expected = [ref.dfa_curve(r, sizes, overlap, order) for r in x]
            np.testing.assert_allclose(curve, expected, rtol=1e-12)
            alpha = detrended_fluctuation(x, window_sizes=sizes, overlap=overlap, detrend_order=order)
            np.testing.assert_allclose(alpha, [ref.dfa(r, sizes, overlap, order) for r in x], rtol=1e-12)


def test_hurst_uncorrected_matches_reference(rng):
    x = rng.normal(size=(2, 200))
    sizes = [4, 10, 25, 50]
    got = hurst_exponent(x, window_sizes=sizes, correction="none")
    np.testing.assert_allclose(got, [ref.hurst_rs(r, sizes, corrected=False) for r in x], rtol=1e-12)


# ----------------------------------------------------------------------------- antropy


def test_antropy_agreement_on_eeglab(eeglab):
    ant = pytest.importorskip("antropy")
    x = eeglab[:8]
    np.testing.assert_allclose(higuchi_fd(x), [ant.higuchi_fd(r) for r in x], rtol=RTOL)
    np.testing.assert_allclose(higuchi_fd(x, kmax=25), [ant.higuchi_fd(r, kmax=25) for r in x], rtol=RTOL)
    np.testing.assert_allclose(katz_fd(x), ant.katz_fd(x), rtol=RTOL)
    np.testing.assert_allclose(petrosian_fd(x), ant.petrosian_fd(x), rtol=RTOL)
    np.testing.assert_allclose(detrended_fluctuation(x), [ant.detrended_fluctuation(r) for r in x], rtol=RTOL)


def test_antropy_agreement_on_bonn_and_ecg(bonn, ecg):
    ant = pytest.importorskip("antropy")
    for x in (bonn, ecg):
        np.testing.assert_allclose(higuchi_fd(x), [ant.higuchi_fd(r) for r in x], rtol=RTOL)
        np.testing.assert_allclose(katz_fd(x), ant.katz_fd(x), rtol=RTOL)
        np.testing.assert_allclose(petrosian_fd(x), ant.petrosian_fd(x), rtol=RTOL)
        np.testing.assert_allclose(detrended_fluctuation(x), [ant.detrended_fluctuation(r) for r in x], rtol=RTOL)


# ----------------------------------------------------------------------------- nolds


def test_nolds_dfa_agreement(eeglab, rng):
    nolds = _nolds()
    signals = [eeglab[0, :1000], eeglab[5, 2000:3000], rng.normal(size=1000)]
    for r in signals:
        # nolds defaults: overlapping windows, linear detrending; least-squares exponent fit
        assert detrended_fluctuation(r, overlap=True) == pytest.approx(nolds.dfa(r, fit_exp="poly"), rel=RTOL)
        assert detrended_fluctuation(r) == pytest.approx(nolds.dfa(r, overlap=False, fit_exp="poly"), rel=RTOL)
        got = detrended_fluctuation(r, overlap=True, detrend_order=2, window_sizes=[6, 9, 14, 21, 32, 48, 72])
        want = nolds.dfa(r, nvals=[6, 9, 14, 21, 32, 48, 72], order=2, fit_exp="poly")
        assert got == pytest.approx(want, rel=RTOL)


def test_nolds_hurst_agreement(eeglab, bonn):
    nolds = _nolds()
    for r in (eeglab[0, :2000], eeglab[20], bonn[0], bonn[5]):
        assert hurst_exponent(r) == pytest.approx(nolds.hurst_rs(r, fit="poly"), rel=RTOL)
        sizes = [8, 16, 50, 120, 400]  # includes n > 340 (asymptotic Anis-Lloyd term)
        got = hurst_exponent(r, window_sizes=sizes, ddof=0)
        assert got == pytest.approx(nolds.hurst_rs(r, nvals=sizes, fit="poly", unbiased=False), rel=RTOL)
        got = hurst_exponent(r, correction="none")
        assert got == pytest.approx(nolds.hurst_rs(r, fit="poly", corrected=False), rel=RTOL)


# ----------------------------------------------------------------------------- neurokit2


def test_neurokit2_agreement(eeglab):
    nk = pytest.importorskip("neurokit2")
    x = eeglab[:3, :1000] * 1e6  # microvolts: neurokit2's DFA drops variances below an absolute 1e-8
    scale = _nk_scale(x.shape[1])
    for r in x:
        assert higuchi_fd(r, kmax=12) == pytest.approx(nk.fractal_higuchi(r, k_max=12)[0], rel=RTOL)
        assert katz_fd(r) == pytest.approx(nk.fractal_katz(r)[0], rel=RTOL)
        assert petrosian_fd(r, length="sequence") == pytest.approx(nk.fractal_petrosian(r)[0], rel=RTOL)
        for ours, theirs in [("mean", "A"), ("mean_sd", "B"), ("diff_sd", "D")]:
            got = petrosian_fd(r, binarize=ours, length="sequence")
            assert got == pytest.approx(nk.fractal_petrosian(r, symbolize=theirs)[0], rel=RTOL)
        got = detrended_fluctuation(r, window_sizes=scale, overlap=True)
        assert got == pytest.approx(nk.fractal_dfa(r)[0], rel=RTOL)
        got = hurst_exponent(r, window_sizes=scale, correction="anis-lloyd")
        assert got == pytest.approx(nk.fractal_hurst(r)[0], rel=RTOL)
        got = hurst_exponent(r, window_sizes=scale, correction="none")
        assert got == pytest.approx(nk.fractal_hurst(r, corrected=False)[0], rel=RTOL)


def test_petrosian_length_conventions_differ():
    x = np.sin(np.arange(300) * 0.7) + np.arange(300) * 0.001
    assert petrosian_fd(x) != petrosian_fd(x, length="sequence")


# ----------------------------------------------------------------------------- synthetic signals


def test_known_values_on_synthetic_signals(rng):
    noise = rng.normal(size=(4, 20_000))
    walk = np.cumsum(noise, axis=1)
    np.testing.assert_allclose(detrended_fluctuation(noise), 0.5, atol=0.06)
    np.testing.assert_allclose(detrended_fluctuation(walk), 1.5, atol=0.08)
    np.testing.assert_allclose(hurst_exponent(noise), 0.5, atol=0.06)
    assert np.all(hurst_exponent(walk) > 0.9)
    np.testing.assert_allclose(higuchi_fd(noise), 2.0, atol=0.03)
    np.testing.assert_allclose(higuchi_fd(walk), 1.5, atol=0.08)
    line = 3.0 * np.arange(500) - 7.0
    assert higuchi_fd(line) == pytest.approx(1.0, rel=1e-12)
    assert katz_fd(line) == pytest.approx(1.0, rel=1e-12)
    assert petrosian_fd(line) == 1.0
    sine = np.sin(2 * np.pi * np.arange(3000) / 100)
    assert higuchi_fd(sine) == pytest.approx(1.0, abs=0.01)
    assert petrosian_fd(sine) < petrosian_fd(noise[0])
    assert katz_fd(sine) < katz_fd(noise[0, :3000])


def test_seizure_and_healthy_differ(bonn):
    """Ictal Bonn segments (set S) are more regular: lower Higuchi FD than healthy ones (set Z)."""
    hfd = higuchi_fd(bonn)
    assert hfd[4:].mean() < hfd[:4].mean()


# ----------------------------------------------------------------------------- policies

SCALE_FREE = [
    (higuchi_fd, {}),
    (katz_fd, {}),
    (petrosian_fd, {}),
    (detrended_fluctuation, {}),
    (detrended_fluctuation, {"overlap": True, "detrend_order": 2}),
    (hurst_exponent, {}),
]


@pytest.mark.parametrize(("func", "kwargs"), SCALE_FREE, ids=lambda v: getattr(v, "__name__", str(v)))
def test_scale_free(func, kwargs, eeglab):
    volts = eeglab[:4, :2000]
    np.testing.assert_allclose(func(volts * 1e6, **kwargs), func(volts, **kwargs), rtol=1e-9)


def test_katz_euclidean_depends_on_units(eeglab):
    volts = eeglab[0, :2000]
    assert katz_fd(volts, distance="euclidean") != pytest.approx(katz_fd(volts * 1e6, distance="euclidean"))
    line = np.arange(100.0) * 0.5
    assert katz_fd(line, distance="euclidean") == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("func", [higuchi_fd, katz_fd, detrended_fluctuation, hurst_exponent])
@pytest.mark.parametrize("value", [0.0, 0.1, -3e-5])
def test_flat_signal_is_nan(func, value):
    assert np.isnan(func(np.full((2, 200), value))).all()


def test_higuchi_zero_curve_length_is_nan():
    alternating = np.tile([0.0, 1.0], 50)  # L(2) = 0: the log-log fit is undefined
    assert np.isnan(higuchi_fd(alternating, kmax=4))
    assert np.isfinite(higuchi_fd(alternating + np.linspace(0, 0.1, 100), kmax=4))


def test_flat_signal_petrosian_is_one():
    np.testing.assert_array_equal(petrosian_fd(np.full((2, 50), 0.3)), [1.0, 1.0])


@pytest.mark.parametrize(
    ("call", "minimum"),
    [
        (lambda x: higuchi_fd(x), 20),
        (lambda x: higuchi_fd(x, kmax=4), 8),
        (lambda x: katz_fd(x), 2),
        (lambda x: petrosian_fd(x), 3),
        (lambda x: detrended_fluctuation(x), 58),
        (lambda x: hurst_exponent(x), 16),
    ],
)
def test_too_short_names_x_and_minimum(call, minimum):
    short = np.arange(minimum - 1, dtype=float) ** 1.5
    with pytest.raises(ValueError, match=rf"x needs at least {minimum} samples along axis -1; got {minimum - 1}"):
        call(short)
    assert np.isfinite(call(np.random.default_rng(1).normal(size=max(minimum, 3) + 60)))


@pytest.mark.parametrize("func", [higuchi_fd, katz_fd, petrosian_fd, detrended_fluctuation, hurst_exponent])
def test_non_finite_input_raises(func, rng):
    x = rng.normal(size=(2, 300))
    x[1, 7] = np.nan
    with pytest.raises(ValueError, match="x contains 1 non-finite"):
        func(x)


def test_bad_parameters_raise():
    x = np.random.default_rng(2).normal(size=500)
    with pytest.raises(ValueError, match="kmax"):
        higuchi_fd(x, kmax=1)
    with pytest.raises(TypeError, match="kmax"):
        higuchi_fd(x, kmax=2.5)
    with pytest.raises(ValueError, match="distance"):
        katz_fd(x, distance="manhattan")
    with pytest.raises(ValueError, match="binarize"):
        petrosian_fd(x, binarize="median")
    with pytest.raises(ValueError, match="length"):
        petrosian_fd(x, length="both")
    with pytest.raises(ValueError, match="window_sizes"):
        detrended_fluctuation(x, window_sizes=[4])
    with pytest.raises(ValueError, match="window_sizes must lie between 3 and 499"):
        detrended_fluctuation(x, window_sizes=[4, 500])
    with pytest.raises(ValueError, match="window_sizes"):
        detrended_fluctuation(x, window_sizes=[4.0, 8.0])
    with pytest.raises(TypeError, match="overlap"):
        detrended_fluctuation(x, overlap="yes")
    with pytest.raises(ValueError, match="order"):
        detrended_fluctuation(x, detrend_order=-1)
    with pytest.raises(ValueError, match="correction"):
        hurst_exponent(x, correction="peters")
    with pytest.raises(ValueError, match="window_sizes must lie between 2 and 500"):
        hurst_exponent(x, window_sizes=[1, 10])
    with pytest.raises(ValueError, match="device"):
        katz_fd(x, device="tpu:0")


def test_shapes_axis_and_dtypes(rng):
    x = rng.normal(size=(2, 3, 400))
    for func in (higuchi_fd, katz_fd, petrosian_fd, detrended_fluctuation, hurst_exponent):
        full = func(x)
        assert full.shape == (2, 3) and full.dtype == np.float64
        np.testing.assert_allclose(func(np.moveaxis(x, -1, 0), axis=0), full, rtol=1e-12)
        np.testing.assert_allclose(func(x[1, 2]), full[1, 2], rtol=1e-12)
        readonly = x.copy()
        readonly.flags.writeable = False
        np.testing.assert_array_equal(func(readonly[:, :, ::2]), func(np.ascontiguousarray(x[:, :, ::2])))
        assert func(x.astype(np.float32)).dtype == np.float64


def test_dfa_fluctuation_curve_gives_alpha(rng):
    x = rng.normal(size=(2, 1000))
    sizes, curve = dfa_fluctuation(x)
    assert sizes.tolist()[:4] == [4, 5, 6, 8] and sizes.max() <= 100
    assert curve.shape == (2, sizes.size) and np.all(np.diff(curve, axis=1) > -0.5)
    slope = np.polyfit(np.log(sizes), np.log(curve[0]), 1)[0]
    assert detrended_fluctuation(x)[0] == pytest.approx(slope, rel=1e-10)


def test_dataarray_input(batch):
    out = detrended_fluctuation(batch)
    assert isinstance(out, xr.DataArray) and out.dims == ("record", "channel")
    np.testing.assert_array_equal(out.values, detrended_fluctuation(batch.values))
    assert higuchi_fd(batch, kmax=5).name == "higuchi_fd"


# ----------------------------------------------------------------------------- torch paths

TORCH_CASES = [
    (higuchi_fd, {}),
    (higuchi_fd, {"kmax": 17}),
    (katz_fd, {}),
    (katz_fd, {"distance": "euclidean"}),
    (petrosian_fd, {}),
    (petrosian_fd, {"binarize": "mean"}),
    (petrosian_fd, {"binarize": "mean_sd", "length": "sequence"}),
    (petrosian_fd, {"binarize": "diff_sd"}),
    (detrended_fluctuation, {}),
    (detrended_fluctuation, {"overlap": True}),
    (detrended_fluctuation, {"detrend_order": 3, "window_sizes": [8, 12, 30, 77, 150]}),
]
TORCH_IDS = [f"{f.__name__}-{k}" for f, k in TORCH_CASES]


@pytest.mark.parametrize(("func", "kwargs"), TORCH_CASES, ids=TORCH_IDS)
def test_torch_cpu_matches_numba(func, kwargs, eeglab):
    pytest.importorskip("torch")
    x = eeglab[:6, :1537]
    np.testing.assert_allclose(func(x, device="torch:cpu", **kwargs), func(x, **kwargs), rtol=RTOL)


def test_torch_dfa_curve_matches(eeglab):
    pytest.importorskip("torch")
    x = eeglab[:3, :3000]
    for overlap in (False, True):
        sizes, cpu = dfa_fluctuation(x, overlap=overlap)
        sizes_t, tor = dfa_fluctuation(x, overlap=overlap, device="torch:cpu")
        np.testing.assert_array_equal(sizes, sizes_t)
        np.testing.assert_allclose(tor, cpu, rtol=RTOL)


@pytest.mark.gpu
@pytest.mark.parametrize(("func", "kwargs"), TORCH_CASES, ids=TORCH_IDS)
def test_cuda_matches_numba(func, kwargs, eeglab):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("CUDA is not available")
    x = eeglab[:, :4000]
    np.testing.assert_allclose(func(x, device="cuda", **kwargs), func(x, **kwargs), rtol=RTOL)
