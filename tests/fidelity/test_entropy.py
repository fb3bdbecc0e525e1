# SPDX-License-Identifier: BSD-3-Clause
"""Entropy measures: against slow references, against antropy / neurokit2 / nolds on
real and synthetic signals, policies (scale, flat, short, NaN), shapes, xarray, torch."""

from __future__ import annotations

import inspect
import re
import warnings

import numpy as np
import pytest
import xarray as xr

from biosynth.datasets import load_sample
from biosynth.fidelity import entropy as ent
from biosynth.fidelity._kernels import entropy as kernels
from biosynth.fidelity.entropy import (
    approximate_entropy,
    lempel_ziv_complexity,
    multiscale_entropy,
    multiscale_entropy_curve,
    permutation_entropy,
    sample_entropy,
    spectral_entropy,
    svd_entropy,
)
from tests.fidelity import _reference_entropy as ref

RTOL = 1e-9
PUBLIC = [
    approximate_entropy,
    lempel_ziv_complexity,
    multiscale_entropy,
    multiscale_entropy_curve,
    permutation_entropy,
    sample_entropy,
    spectral_entropy,
    svd_entropy,
]


@pytest.fixture(scope="module")
def eeglab() -> np.ndarray:
    return load_sample("eeglab").values.astype(np.float64)  # (32, 7680) V at 128 Hz; peers compute in float64


@pytest.fixture
def bonn(real_file) -> np.ndarray:
    """Rows 0-1 of Bonn set Z (healthy) and set S (seizure), 4097 integer-valued samples."""
    z = np.load(real_file("eeg_bonn_setA_Z.npz"))["data"][:2]
    s = np.load(real_file("eeg_bonn_setE_S.npz"))["data"][:2]
    return np.concatenate([z, s]).astype(np.float64)


def synthetic(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """White noise, sine (with a little noise), random walk and the logistic map at r = 4."""
    rng = np.random.default_rng(seed)
    logistic = np.empty(n)
    logistic[0] = 0.1234
    for i in range(1, n):
        logistic[i] = 4.0 * logistic[i - 1] * (1.0 - logistic[i - 1])
    t = np.arange(n)
    return {
        "noise": rng.normal(size=n),
        "sine": np.sin(2 * np.pi * t / 37.3) + 0.01 * rng.normal(size=n),
        "walk": np.cumsum(rng.normal(size=n)),
        "logistic": logistic,
    }


def _antropy():
    return pytest.importorskip("antropy")


def _neurokit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pytest.importorskip("neurokit2")


def _nolds():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pytest.importorskip("nolds")


# ----------------------------------------------------------------------------- slow references


@pytest.mark.parametrize("order, delay", [(1, 1), (2, 1), (2, 2), (3, 1)])
@pytest.mark.parametrize("closed", [True, False])
def test_sample_entropy_counts_match_double_loop(rng, order, delay, closed):
    levels = rng.integers(0, 8, size=(3, 110)).astype(np.float64)  # many distances equal r = 2 exactly
    r = np.full(3, 2.0)
    radius = r if closed else np.nextafter(r, -np.inf)
    starts = np.arange(3, dtype=np.int64) * 110
    counts = kernels.sampen_counts(levels.ravel(), starts, np.full(3, 110, np.int64), order, delay, radius, 5)
    expected = [ref.sample_entropy_counts(row, order, delay, 2.0, closed) for row in levels]
    np.testing.assert_array_equal(counts, expected)
    other = [ref.sample_entropy_counts(row, order, delay, 2.0, not closed) for row in levels]
    assert not np.array_equal(expected, other)  # the boundary matters on this data
    x = rng.normal(size=(3, 110))
    got = sample_entropy(x, order=order, delay=delay, tolerance=0.3, closed=closed)
    np.testing.assert_allclose(got, [ref.sample_entropy(row, order, delay, 0.3, 0, closed) for row in x], rtol=1e-12)


def test_kernels_match_slow_references(rng):
    x = rng.normal(size=(3, 120))
    ties = np.round(x, 0)  # few distinct values: ties in ordinal patterns
    for order, delay in [(1, 1), (2, 1), (3, 2)]:
        for closed in (True, False):
            got = approximate_entropy(x, order=order, delay=delay, closed=closed)
            expected = [ref.approximate_entropy(row, order, delay, 0.2, 0, closed) for row in x]
            np.testing.assert_allclose(got, expected, rtol=1e-12)
    for order, delay in [(2, 1), (3, 1), (4, 2), (5, 1)]:
        for data in (x, ties):
            got = permutation_entropy(data, order=order, delay=delay, normalize=True)
            expected = [ref.permutation_entropy(row, order, delay, normalize=True) for row in data]
            np.testing.assert_allclose(got, expected, rtol=1e-12)
    for n in (64, 65):
        got = spectral_entropy(x[:, :n], 100.0)
        np.testing.assert_allclose(got, [ref.spectral_entropy(row) for row in x[:, :n]], rtol=1e-12)
    for order, delay in [(2, 1), (3, 1), (4, 3)]:
        got = svd_entropy(x, order=order, delay=delay)
        np.testing.assert_allclose(got, [ref.svd_entropy(row, order, delay) for row in x], rtol=1e-12)
    bits = x > np.median(x, axis=1, keepdims=True)
    np.testing.assert_array_equal(lempel_ziv_complexity(x), [ref.lempel_ziv(b) for b in bits])


@pytest.mark.parametrize("method", ["coarse", "composite", "refined_composite"])
def test_multiscale_matches_reference(rng, method):
    x = rng.normal(size=(2, 160))
    got = multiscale_entropy_curve(x, scales=[1, 2, 3], method=method)
    expected = [ref.multiscale_curve(row, [1, 2, 3], method=method) for row in x]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    np.testing.assert_allclose(multiscale_entropy(x, scales=[1, 2, 3], method=method), got.sum(axis=1), rtol=1e-15)
    np.testing.assert_allclose(
        multiscale_entropy(x, scales=[1, 2, 3], method=method, index="mean"), got.mean(axis=1), rtol=1e-15
    )


def test_lempel_ziv_reference_on_known_strings():
    # antropy's documented example '1001111011000010' has complexity 6
    bits = np.array([int(c) for c in "1001111011000010"])
    assert ref.lempel_ziv(bits) == 6
    assert lempel_ziv_complexity(bits.astype(float)) == 6  # median 0: the 0/1 values binarise to themselves


# ----------------------------------------------------------------------------- peers: sample entropy


def test_sample_entropy_matches_antropy_on_eeg(eeglab):
    ant = _antropy()
    rows = eeglab[:2]  # 7680 samples: antropy uses its KDTree path, distances <= r
    expected = [ant.sample_entropy(r) for r in rows]
    np.testing.assert_allclose(sample_entropy(rows), expected, rtol=RTOL)
    np.testing.assert_allclose(sample_entropy(rows[1], order=3), ant.sample_entropy(rows[1], order=3), rtol=RTOL)


def test_sample_entropy_matches_antropy_short_strict(bonn):
    ant = _antropy()
    rows = bonn[:, :4000]  # under 5000 samples: antropy's Numba path, distances < r
    expected = [ant.sample_entropy(r) for r in rows]
    np.testing.assert_allclose(sample_entropy(rows, closed=False), expected, rtol=RTOL)


@pytest.mark.parametrize("kind", ["noise", "sine", "walk", "logistic"])
def test_sample_entropy_matches_peers_on_synthetic(kind):
    ant, nolds, nk = _antropy(), _nolds(), _neurokit()
    x = synthetic(1500)[kind]
    np.testing.assert_allclose(sample_entropy(x, closed=False), ant.sample_entropy(x), rtol=RTOL)
    long = synthetic(6000)[kind]
    np.testing.assert_allclose(sample_entropy(long), ant.sample_entropy(long), rtol=RTOL)
    r = 0.2 * np.std(x)
    for closed in (False, True):
        expected = nolds.sampen(x, emb_dim=2, tolerance=r, closed=closed)
        np.testing.assert_allclose(sample_entropy(x, closed=closed), expected, rtol=RTOL)
    expected = nolds.sampen(x, emb_dim=3, tolerance=r, lag=2)
    np.testing.assert_allclose(sample_entropy(x, order=3, delay=2, closed=False), expected, rtol=RTOL)
    short = x[:800]
    expected = nk.entropy_sample(short, dimension=2, tolerance="sd")[0]
    np.testing.assert_allclose(sample_entropy(short, ddof=1), expected, rtol=RTOL)


def test_sample_entropy_counts_match_antropy_kdtree_on_long_noise(rng):
    ant = _antropy()
    x = rng.normal(size=20_000)
    np.testing.assert_allclose(sample_entropy(x), ant.sample_entropy(x), rtol=RTOL)


# ----------------------------------------------------------------------------- peers: the others


def test_approximate_entropy_matches_peers(eeglab):
    ant, nk = _antropy(), _neurokit()
    rows = eeglab[:2, :3000]
    np.testing.assert_allclose(approximate_entropy(rows), [ant.app_entropy(r) for r in rows], rtol=RTOL)
    for kind, x in synthetic(1000).items():
        np.testing.assert_allclose(approximate_entropy(x), ant.app_entropy(x), rtol=RTOL, err_msg=kind)
        expected = nk.entropy_approximate(x[:600], dimension=2, tolerance="sd")[0]
        got = approximate_entropy(x[:600], ddof=1)
        np.testing.assert_allclose(abs(got), expected, rtol=RTOL, err_msg=kind)  # neurokit2 returns |ApEn|


def test_multiscale_entropy_matches_neurokit(bonn):
    nk = _neurokit()
    signals = [synthetic(900)["noise"], synthetic(900)["walk"], bonn[0, :900]]
    for x in signals:
        expected, info = nk.entropy_multiscale(x, scale=4, dimension=3, method="MSEn")
        curve = multiscale_entropy_curve(x, scales=4, order=3, ddof=1)
        np.testing.assert_allclose(curve, info["Value"], rtol=RTOL)
        got = multiscale_entropy(x, scales=4, order=3, ddof=1, index="neurokit")
        np.testing.assert_allclose(got, expected, rtol=RTOL)


def test_permutation_entropy_matches_peers(eeglab, bonn):
    ant, nk = _antropy(), _neurokit()
    rows = eeglab[:4]
    for order in (3, 4):  # antropy's 2-D lookup-table path
        for normalize in (False, True):
            expected = ant.perm_entropy(rows, order=order, delay=2, normalize=normalize)
            got = permutation_entropy(rows, order=order, delay=2, normalize=normalize)
            np.testing.assert_allclose(got, expected, rtol=RTOL)
    for row in bonn:  # integer samples: many ties; antropy's argsort path for order 5
        np.testing.assert_allclose(permutation_entropy(row, order=5), ant.perm_entropy(row, order=5), rtol=RTOL)
    x = synthetic(2000)["noise"]  # no ties: neurokit2's quicksort gives the same patterns
    for order in (3, 5):
        expected = nk.entropy_permutation(x, dimension=order, corrected=True)[0]
        np.testing.assert_allclose(permutation_entropy(x, order=order, normalize=True), expected, rtol=RTOL)
        expected = nk.entropy_permutation(x, dimension=order, corrected=False)[0]
        np.testing.assert_allclose(permutation_entropy(x, order=order), expected, rtol=RTOL)


def test_spectral_entropy_matches_antropy(eeglab, bonn):
    ant = _antropy()
    for rows, sfreq in ((eeglab[:4], 128.0), (bonn, 173.61)):
        for method in ("fft", "welch"):
            for normalize in (False, True):
                expected = ant.spectral_entropy(rows, sfreq, method=method, normalize=normalize)
                got = spectral_entropy(rows, sfreq, method=method, normalize=normalize)
                np.testing.assert_allclose(got, expected, rtol=RTOL)
    expected = ant.spectral_entropy(eeglab[:2], 128.0, method="welch", nperseg=128)
    np.testing.assert_allclose(spectral_entropy(eeglab[:2], 128.0, method="welch", nperseg=128), expected, rtol=RTOL)


def test_svd_entropy_matches_peers(eeglab):
    ant, nk = _antropy(), _neurokit()
    rows = eeglab[:3]
    for order, delay in [(3, 1), (5, 2)]:
        expected = [ant.svd_entropy(r, order=order, delay=delay, normalize=True) for r in rows]
        np.testing.assert_allclose(svd_entropy(rows, order=order, delay=delay, normalize=True), expected, rtol=RTOL)
    for kind, x in synthetic(1000).items():
        expected = nk.entropy_svd(x, dimension=3, delay=1)[0]
        np.testing.assert_allclose(svd_entropy(x, order=3), expected, rtol=RTOL, err_msg=kind)


def test_lempel_ziv_matches_peers(eeglab, bonn):
    ant, nk = _antropy(), _neurokit()
    for row in [*eeglab[:3], *bonn]:
        bits = row > np.median(row)
        assert lempel_ziv_complexity(row) == ant.lziv_complexity(bits)
        np.testing.assert_allclose(
            lempel_ziv_complexity(row, normalize=True), ant.lziv_complexity(bits, normalize=True), rtol=RTOL
        )
    for x in synthetic(1500).values():
        expected = nk.complexity_lempelziv(x, symbolize="median")[0]
        np.testing.assert_allclose(lempel_ziv_complexity(x, normalize=True), expected, rtol=RTOL)
        expected = nk.complexity_lempelziv(x)[0]  # neurokit2's default binarises at the mean
        np.testing.assert_allclose(lempel_ziv_complexity(x, binarize="mean", normalize=True), expected, rtol=RTOL)


# ----------------------------------------------------------------------------- physics


def test_regular_signals_score_lower_than_noise():
    sig = synthetic(2000)
    for measure, kwargs in [
        (sample_entropy, {}),
        (approximate_entropy, {}),
        (permutation_entropy, {}),
        (svd_entropy, {}),
        (lempel_ziv_complexity, {}),
        (spectral_entropy, {"sfreq": 100.0}),
    ]:
        assert measure(sig["sine"], **kwargs) < measure(sig["noise"], **kwargs), measure.__name__
    # white noise is near the maxima: log2(3!) bits of ordinal patterns, all spectral bins alike
    assert permutation_entropy(sig["noise"], normalize=True) > 0.99
    assert spectral_entropy(sig["noise"], 100.0, method="welch", normalize=True) > 0.95


def test_multiscale_white_noise_loses_entropy_with_scale():
    # Costa 2002: coarse-graining white noise lowers its SD, so SampEn (r fixed) falls with scale
    x = np.random.default_rng(3).normal(size=(2, 4000))
    for method in ("coarse", "composite", "refined_composite"):
        curve = multiscale_entropy_curve(x, scales=6, method=method)
        assert np.all(np.diff(curve, axis=1) < 0), method


# ----------------------------------------------------------------------------- policies


def test_scale_free(eeglab):
    rows = eeglab[:2, :2000]
    for measure, kwargs in [
        (sample_entropy, {}),
        (approximate_entropy, {}),
        (multiscale_entropy, {"scales": 3}),
        (permutation_entropy, {}),
        (svd_entropy, {}),
        (lempel_ziv_complexity, {}),
        (spectral_entropy, {"sfreq": 128.0}),
    ]:
        np.testing.assert_allclose(measure(rows * 1e6, **kwargs), measure(rows, **kwargs), rtol=RTOL)


def test_flat_signals():
    flat = np.full((2, 300), 3.0)
    for measure in (sample_entropy, approximate_entropy):
        assert np.isnan(measure(flat)).all()
    assert np.isnan(multiscale_entropy(flat, scales=3)).all()
    assert np.isnan(spectral_entropy(flat, 100.0)).all()
    np.testing.assert_array_equal(permutation_entropy(flat), 0.0)
    np.testing.assert_allclose(svd_entropy(flat), 0.0, atol=1e-12)  # rank one: one non-zero singular value
    assert np.isnan(svd_entropy(np.zeros(50)))
    np.testing.assert_array_equal(lempel_ziv_complexity(flat), 2.0)


def test_undefined_sample_entropy_is_nan_or_inf():
    x = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 5.0, 9.0])
    # strictly increasing values: no template pair matches within a small radius -> B = 0 -> NaN
    assert np.isnan(sample_entropy(np.arange(30.0) ** 2, tolerance=0.01))
    # m-templates match but their (m+1)-extensions never do -> A = 0 -> +inf
    assert sample_entropy(np.array([0.0, 0.0, 1.0, 0.0, 0.0, 2.0]), order=2, tolerance=0.1) == np.inf
    assert np.isfinite(sample_entropy(x, order=1, tolerance=0.5))


@pytest.mark.parametrize(
    "measure, kwargs, minimum",
    [
        (sample_entropy, {"order": 2}, 4),
        (sample_entropy, {"order": 3, "delay": 2}, 8),
        (approximate_entropy, {"order": 2}, 3),
        (permutation_entropy, {"order": 4, "delay": 2}, 7),
        (svd_entropy, {"order": 3}, 3),
        (lempel_ziv_complexity, {}, 2),
        (spectral_entropy, {"sfreq": 100.0}, 2),
        (multiscale_entropy, {"scales": 3}, 12),
        (multiscale_entropy, {"scales": 3, "method": "composite"}, 14),
    ],
)
def test_too_short_raises(measure, kwargs, minimum):
    with pytest.raises(ValueError, match=rf"x needs at least {minimum} samples.*got {minimum - 1}"):
        measure(np.arange(minimum - 1, dtype=float), **kwargs)
    measure(np.random.default_rng(0).normal(size=minimum), **kwargs)


@pytest.mark.parametrize("measure", PUBLIC)
def test_nan_and_scalar_raise(measure):
    kwargs = {"sfreq": 100.0} if measure is spectral_entropy else {}
    x = np.random.default_rng(0).normal(size=200)
    x[5] = np.nan
    with pytest.raises(ValueError, match="x contains 1 non-finite"):
        measure(x, **kwargs)
    with pytest.raises(ValueError, match="x must be an array"):
        measure(1.0, **kwargs)


@pytest.mark.parametrize(
    "measure, kwargs, name",
    [
        (sample_entropy, {"order": 0}, "order"),
        (sample_entropy, {"delay": 0}, "delay"),
        (sample_entropy, {"tolerance": 0.0}, "tolerance"),
        (sample_entropy, {"tolerance": "sd"}, "tolerance"),
        (sample_entropy, {"ddof": 2}, "ddof"),
        (sample_entropy, {"closed": "yes"}, "closed"),
        (approximate_entropy, {"order": 0}, "order"),
        (multiscale_entropy, {"method": "mmse"}, "method"),
        (multiscale_entropy, {"index": "area"}, "index"),
        (multiscale_entropy, {"scales": [1, 1]}, "scales"),
        (multiscale_entropy, {"scales": 0}, "scales"),
        (multiscale_entropy_curve, {"scales": [0.5]}, "scales"),
        (permutation_entropy, {"order": 9}, "order"),
        (permutation_entropy, {"normalize": 1}, "normalize"),
        (permutation_entropy, {"device": "tpu"}, "device"),
        (spectral_entropy, {"sfreq": -1.0}, "sfreq"),
        (spectral_entropy, {"sfreq": None}, "sfreq"),
        (spectral_entropy, {"sfreq": 100.0, "method": "multitaper"}, "method"),
        (spectral_entropy, {"sfreq": 100.0, "method": "welch", "nperseg": 1000}, "nperseg"),
        (svd_entropy, {"order": 1}, "order"),
        (lempel_ziv_complexity, {"binarize": "mode"}, "binarize"),
    ],
)
def test_bad_parameters_name_themselves(measure, kwargs, name):
    x = np.random.default_rng(0).normal(size=300)
    with pytest.raises((ValueError, TypeError, ImportError), match=name):
        measure(x, **kwargs)


# ----------------------------------------------------------------------------- shapes, layouts, batches


@pytest.mark.parametrize(
    "measure, kwargs",
    [
        (sample_entropy, {}),
        (approximate_entropy, {}),
        (multiscale_entropy, {"scales": 3}),
        (permutation_entropy, {}),
        (svd_entropy, {}),
        (lempel_ziv_complexity, {}),
        (spectral_entropy, {"sfreq": 100.0, "method": "welch"}),
    ],
)
def test_shapes_layouts_and_batches(rng, measure, kwargs):
    x = rng.normal(size=(2, 3, 400))
    out = measure(x, **kwargs)
    assert out.shape == (2, 3) and out.dtype == np.float64
    alone = np.array([[measure(x[i, j], **kwargs) for j in range(3)] for i in range(2)])
    np.testing.assert_array_equal(out, alone)  # a row is the same alone or in a batch
    assert measure(x[0, 0], **kwargs).shape == ()
    np.testing.assert_array_equal(measure(np.moveaxis(x, -1, 0), axis=0, **kwargs), out)
    readonly = x.copy()
    readonly.flags.writeable = False
    np.testing.assert_array_equal(measure(readonly, **kwargs), out)
    strided = np.repeat(x, 2, axis=-1)[..., ::2]
    np.testing.assert_array_equal(measure(strided, **kwargs), out)
    x32 = x.astype(np.float32)
    np.testing.assert_array_equal(measure(x32, **kwargs), measure(x32.astype(np.float64), **kwargs))


def test_curve_shape(rng):
    x = rng.normal(size=(2, 3, 400))
    assert multiscale_entropy_curve(x, scales=[1, 3, 5]).shape == (2, 3, 3)
    assert multiscale_entropy_curve(x[0, 0], scales=4).shape == (4,)


def test_xarray_labels(batch):
    out = sample_entropy(batch)
    assert isinstance(out, xr.DataArray)
    assert out.dims == ("record", "channel") and out.name == "sample_entropy"
    np.testing.assert_array_equal(out.values, sample_entropy(batch.values))
    se = spectral_entropy(batch)  # sfreq from attrs
    np.testing.assert_allclose(se.values, spectral_entropy(batch.values, 250.0), rtol=1e-15)
    np.testing.assert_array_equal(spectral_entropy(batch, None, method="welch").values,
                                  spectral_entropy(batch.values, 250.0, method="welch"))  # fmt: skip
    assert multiscale_entropy(batch, scales=3).dims == ("record", "channel")


def test_docstrings_document_every_parameter():
    for func in PUBLIC:
        doc = inspect.getdoc(func) or ""
        params = list(inspect.signature(func).parameters)
        section = doc.split("Parameters\n----------\n", 1)[1].split("\n\n")[0]
        documented = re.findall(r"^(\w+) :", section, flags=re.MULTILINE)
        assert documented == params, func.__name__
        for heading in ("Returns", "Notes", "References", "Examples"):
            assert f"{heading}\n---" in doc, (func.__name__, heading)


def test_import_compiles_nothing():
    import subprocess
    import sys

    code = (
        "import biosynth.fidelity.entropy, biosynth.fidelity._kernels.entropy as k; "
        "print(sum(len(f.signatures) for f in (k.sampen_counts, k.apen_counts, k.ordinal_counts, "
        "k.lempel_ziv_counts)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"
    assert ent.MAX_PERMUTATION_ORDER == 8


# ----------------------------------------------------------------------------- torch


def test_torch_paths_match_cpu(eeglab):
    pytest.importorskip("torch")
    rows = eeglab[:4, :3000]
    for order, delay in [(3, 1), (4, 2), (5, 1)]:
        np.testing.assert_array_equal(
            permutation_entropy(rows, order=order, delay=delay, device="torch:cpu"),
            permutation_entropy(rows, order=order, delay=delay),
        )
    for method in ("fft", "welch"):
        for n in (3000, 2999):
            got = spectral_entropy(rows[:, :n], 128.0, method=method, normalize=True, device="torch:cpu")
            np.testing.assert_allclose(
                got, spectral_entropy(rows[:, :n], 128.0, method=method, normalize=True), rtol=1e-10
            )


@pytest.mark.gpu
def test_cuda_paths_match_cpu(eeglab):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("CUDA is not available")
    rows = eeglab[:, :3000]
    np.testing.assert_array_equal(permutation_entropy(rows, order=4, device="cuda"), permutation_entropy(rows, order=4))
    for method in ("fft", "welch"):
        got = spectral_entropy(rows, 128.0, method=method, device="cuda")
        np.testing.assert_allclose(got, spectral_entropy(rows, 128.0, method=method), rtol=1e-10)
