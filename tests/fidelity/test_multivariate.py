# SPDX-License-Identifier: BSD-3-Clause
"""Multivariate comparisons: closed forms, hand-computed cases, the prdc package,
statistical behaviour with fixed seeds, torch paths and input errors."""

from __future__ import annotations

import contextlib
import io
import itertools
import math

import numpy as np
import pytest

from biosynth.fidelity import multivariate as mv
from biosynth.fidelity.multivariate import (
    alpha_precision_beta_recall,
    classifier_two_sample_test,
    mmd,
    pca_overlap,
    precision_recall_density_coverage,
)


def standardized(real: np.ndarray, synthetic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, sd = real.mean(axis=0), real.std(axis=0)
    return (real - mean) / sd, (synthetic - mean) / sd


# ------------------------------------------------------------------------------- MMD


def mmd2_double_sum(x: np.ndarray, y: np.ndarray, sigma: float) -> float:
    """Gretton et al. (2012) eq. 3 written out term by term."""

    def k(a, b):
        return math.exp(-float(np.sum((a - b) ** 2)) / (2 * sigma**2))

    m, n = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j)
    yy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j)
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(n))
    return xx / (m * (m - 1)) + yy / (n * (n - 1)) - 2 * xy / (m * n)


TINY_REAL = np.array([[0.0, 1.0], [1.0, 3.0], [2.0, 2.0], [4.0, 0.5]])
TINY_SYNTHETIC = np.array([[1.5, 1.0], [3.0, 2.5], [0.5, 0.0]])


@pytest.mark.parametrize("bandwidth", [0.8, 2.5, "median"])
def test_mmd_closed_form(bandwidth):
    x, y = standardized(TINY_REAL, TINY_SYNTHETIC)
    pooled = np.concatenate([x, y])
    if bandwidth == "median":
        pairs = itertools.combinations(range(len(pooled)), 2)
        sigma = float(np.median([np.sqrt(np.sum((pooled[i] - pooled[j]) ** 2)) for i, j in pairs]))
    else:
        sigma = bandwidth
    result = mmd(TINY_REAL, TINY_SYNTHETIC, bandwidth=bandwidth, n_permutations=0)
    assert result.bandwidth == pytest.approx(sigma, rel=1e-12)
    assert result.mmd2 == pytest.approx(mmd2_double_sum(x, y, sigma), rel=1e-12, abs=1e-15)
    assert math.isnan(result.p_value) and result.n_permutations == 0


def test_mmd_permutation_p_value_by_hand():
    # 7 rows give 35 distinct splits, so 60 permutations repeat the observed one: ties count
    x, y = standardized(TINY_REAL, TINY_SYNTHETIC)
    pooled = np.concatenate([x, y])
    observed = mmd2_double_sum(x, y, 1.0)
    labels = np.r_[np.ones(4), np.zeros(3)]
    draws = np.random.default_rng(np.random.SeedSequence(7)).permuted(np.tile(labels, (60, 1)), axis=1)
    permuted = [mmd2_double_sum(pooled[d == 1], pooled[d == 0], 1.0) for d in draws]
    n_extreme = sum(p >= observed - 1e-12 for p in permuted)
    assert any(abs(p - observed) < 1e-12 for p in permuted)  # exact ties happen
    result = mmd(TINY_REAL, TINY_SYNTHETIC, bandwidth=1.0, n_permutations=60, seed=7)
    assert result.p_value == (1 + n_extreme) / 61


def test_mmd_null_p_values_are_uniform():
    from scipy.stats import kstest

    rng = np.random.default_rng(11)
    p_values = [
        mmd(rng.normal(size=(20, 3)), rng.normal(size=(25, 3)), n_permutations=199, seed=i).p_value for i in range(60)
    ]
    assert kstest(p_values, "uniform").pvalue > 0.05
    assert np.mean(np.less(p_values, 0.05)) < 0.15


def test_mmd_detects_a_shift():
    rng = np.random.default_rng(12)
    real = rng.normal(size=(100, 4))
    same = mmd(real, rng.normal(size=(100, 4)), seed=0)
    shifted = mmd(real, rng.normal(0.7, 1.0, size=(100, 4)), seed=0)
    assert shifted.p_value < 0.01 and shifted.p_value == 1 / 1001
    assert shifted.mmd2 > 10 * abs(same.mmd2)
    assert same.p_value > 0.05


def test_mmd_uses_real_standardisation_and_seed(rng):
    real, synthetic = rng.normal(size=(30, 3)), rng.normal(0.3, 1.0, size=(35, 3))
    scale, offset = np.array([1e-6, 10.0, 3.0]), np.array([0.0, -2.0, 5.0])
    a = mmd(real, synthetic, n_permutations=100, seed=4)
    b = mmd(real * scale + offset, synthetic * scale + offset, n_permutations=100, seed=4)
    assert b.mmd2 == pytest.approx(a.mmd2, rel=1e-9) and b.p_value == a.p_value
    assert b.bandwidth == pytest.approx(a.bandwidth, rel=1e-12)
    assert mmd(real, synthetic, n_permutations=100, seed=4) == a
    assert mmd(real, synthetic, n_permutations=100, seed=np.random.SeedSequence(4)) == a


def test_mmd_memory_blocks_do_not_change_the_result(rng, monkeypatch):
    real, synthetic = rng.normal(size=(30, 2)), rng.normal(0.5, 1.0, size=(20, 2))
    whole = mmd(real, synthetic, n_permutations=300, seed=1)
    monkeypatch.setattr(mv, "_BLOCK", 50 * 7 * 2)  # 7 permutations per block
    assert mmd(real, synthetic, n_permutations=300, seed=1) == whole


@pytest.mark.parametrize("bandwidth", ["median", 1.3])
def test_mmd_torch_cpu_matches_numpy(rng, bandwidth):
    pytest.importorskip("torch")
    real, synthetic = rng.normal(size=(80, 5)), rng.normal(0.15, 1.0, size=(70, 5))
    a = mmd(real, synthetic, bandwidth=bandwidth, n_permutations=500, seed=3)
    b = mmd(real, synthetic, bandwidth=bandwidth, n_permutations=500, seed=3, device="torch:cpu")
    assert abs(a.mmd2 - b.mmd2) < 1e-9 and a.p_value == b.p_value
    assert b.bandwidth == pytest.approx(a.bandwidth, rel=1e-12)
    assert 0.001 < a.p_value < 1


@pytest.mark.gpu
def test_mmd_cuda_matches_numpy(rng):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("CUDA is not available")
    real, synthetic = rng.normal(size=(300, 8)), rng.normal(0.05, 1.0, size=(250, 8))
    a = mmd(real, synthetic, n_permutations=500, seed=3)
    b = mmd(real, synthetic, n_permutations=500, seed=3, device="cuda")
    assert abs(a.mmd2 - b.mmd2) < 1e-9 and a.p_value == b.p_value


def test_mmd_bad_options(rng):
    x = rng.normal(size=(10, 2))
    with pytest.raises(ValueError, match="bandwidth must be 'median' or a positive number, got 'mean'"):
        mmd(x, x, bandwidth="mean")
    with pytest.raises(ValueError, match="bandwidth must be a positive"):
        mmd(x, x, bandwidth=-1.0)
    with pytest.raises(ValueError, match="n_permutations must be an integer >= 0, got -1"):
        mmd(x, x, n_permutations=-1)
    with pytest.raises(TypeError, match="seed"):
        mmd(x, x, seed="zero")
    with pytest.raises(ValueError, match="device"):
        mmd(x, x, device="gpu!")
    twins = np.repeat(x[:2], [10, 2], axis=0)  # most pooled pairs coincide
    with pytest.raises(ValueError, match="bandwidth='median' gives 0"):
        mmd(twins, twins)


# ------------------------------------------------------------------------------ C2ST


def test_c2st_same_distribution_is_chance():
    rng = np.random.default_rng(21)
    result = classifier_two_sample_test(rng.normal(size=(400, 4)), rng.normal(size=(400, 4)), seed=0)
    assert abs(result.auc - 0.5) < 0.1
    assert len(result.fold_aucs) == result.n_splits == 5
    assert result.auc == pytest.approx(np.mean(result.fold_aucs), rel=1e-12)


def test_c2st_separated_samples():
    rng = np.random.default_rng(22)
    result = classifier_two_sample_test(rng.normal(size=(200, 3)), rng.normal(2.5, 1.0, size=(150, 3)), seed=0)
    assert result.auc > 0.95 and min(result.fold_aucs) > 0.9


def test_c2st_groups_stop_leakage():
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(23)
    # 40 recordings per sample, 6 epochs each: copies of the recording's centre; same distribution
    real = np.repeat(rng.normal(size=(40, 3)), 6, axis=0)
    synthetic = np.repeat(rng.normal(size=(40, 3)), 6, axis=0)
    groups = np.repeat([f"rec{i}" for i in range(40)], 6)
    nn = KNeighborsClassifier(n_neighbors=1)
    leaky = classifier_two_sample_test(real, synthetic, classifier=nn, seed=0)
    assert leaky.auc == 1.0  # an epoch's twin in the training folds gives it away
    grouped = classifier_two_sample_test(
        real, synthetic, real_groups=groups, synthetic_groups=groups, classifier=nn, seed=0
    )
    assert abs(grouped.auc - 0.5) < 0.15
    default = classifier_two_sample_test(real, synthetic, real_groups=groups, synthetic_groups=groups, seed=0)
    assert abs(default.auc - 0.5) < 0.15


def test_c2st_seed_and_random_state(rng):
    from sklearn.ensemble import RandomForestClassifier

    real, synthetic = rng.normal(size=(60, 3)), rng.normal(0.5, 1.0, size=(60, 3))
    forest = RandomForestClassifier(n_estimators=5)
    a = classifier_two_sample_test(real, synthetic, classifier=forest, seed=5)
    assert classifier_two_sample_test(real, synthetic, classifier=forest, seed=5) == a
    assert forest.random_state is None  # the caller's estimator is left alone
    assert classifier_two_sample_test(real, synthetic, seed=5) == classifier_two_sample_test(real, synthetic, seed=5)


def test_c2st_bad_options(rng):
    x = rng.normal(size=(12, 2))
    with pytest.raises(ValueError, match=r"real_groups must hold one label per row \(12\); got shape \(11,\)"):
        classifier_two_sample_test(x, x, real_groups=np.arange(11))
    with pytest.raises(ValueError, match="synthetic has 3 group"):
        classifier_two_sample_test(x, x, synthetic_groups=np.arange(12) % 3)
    with pytest.raises(ValueError, match="real_groups contains 1 missing label"):
        classifier_two_sample_test(x, x, real_groups=[None, *range(11)])
    with pytest.raises(ValueError, match="n_splits must be an integer >= 2, got 1"):
        classifier_two_sample_test(x, x, n_splits=1)
    with pytest.raises(TypeError, match="classifier must be a scikit-learn estimator with fit and predict_proba"):
        classifier_two_sample_test(x, x, classifier="logistic")


# ------------------------------------------------------------------------------ PRDC


def test_prdc_hand_computed():
    real = np.array([[0.0], [1.0], [2.0], [3.0]])  # 1-NN radii: 1, 1, 1, 1
    synthetic = np.array([[0.5], [10.0]])  # 1-NN radii: 9.5, 9.5
    result = precision_recall_density_coverage(real, synthetic, k=1, standardize=False)
    # 0.5 lies in the balls of 0 and 1, 10 in none; every real row lies in the ball of 10;
    # only 0 and 1 have a synthetic row closer than 1
    assert (result.precision, result.recall, result.density, result.coverage) == (0.5, 1.0, 1.0, 0.5)


@pytest.mark.parametrize("k", [1, 3, 5])
def test_prdc_matches_the_prdc_package(k):
    compute_prdc = pytest.importorskip("prdc").compute_prdc
    rng = np.random.default_rng(30 + k)
    scale = np.array([1.0, 1e3, 1e-2, 5.0])
    real = rng.normal(size=(150, 4)) * scale
    synthetic = rng.normal(0.3, 1.2, size=(120, 4)) * scale
    with contextlib.redirect_stdout(io.StringIO()):  # prdc prints the sample sizes
        raw = compute_prdc(real, synthetic, k)
        scaled = compute_prdc(*standardized(real, synthetic), k)
    for standardize, expected in ((False, raw), (True, scaled)):
        result = precision_recall_density_coverage(real, synthetic, k=k, standardize=standardize)
        for key, value in expected.items():
            np.testing.assert_allclose(getattr(result, key), value, rtol=1e-12, err_msg=key)
    assert raw != scaled  # the scales matter


def test_prdc_memory_blocks_do_not_change_the_result(rng, monkeypatch):
    real, synthetic = rng.normal(size=(70, 3)), rng.normal(0.2, 1.0, size=(50, 3))
    whole = precision_recall_density_coverage(real, synthetic, k=4)
    monkeypatch.setattr(mv, "_BLOCK", 3 * 70)  # 3-row blocks
    assert precision_recall_density_coverage(real, synthetic, k=4) == whole


def test_prdc_same_distribution():
    rng = np.random.default_rng(33)
    result = precision_recall_density_coverage(rng.normal(size=(800, 3)), rng.normal(size=(800, 3)), k=5)
    assert result.precision > 0.9 and result.recall > 0.9
    assert result.density == pytest.approx(1.0, abs=0.1)
    assert result.coverage == pytest.approx(1 - 2.0**-5, abs=0.03)  # Naeem et al. (2020): 1 - 2^-k


def test_prdc_bad_options(rng):
    x = rng.normal(size=(6, 2))
    with pytest.raises(ValueError, match="k must be an integer >= 1, got 0"):
        precision_recall_density_coverage(x, x, k=0)
    with pytest.raises(ValueError, match="synthetic needs at least 6 rows"):
        precision_recall_density_coverage(x, x[:5], k=5)
    with pytest.raises(TypeError, match="standardize must be a bool"):
        precision_recall_density_coverage(x, x, k=2, standardize="yes")


# ------------------------------------------------------------------ alpha-precision


def alpha_reference(real, synthetic, n_alphas, k):
    """The definitions of the docstring, one row at a time."""
    x, y = standardized(real, synthetic)
    alphas = np.linspace(0, 1, n_alphas)

    def dist(a, b):
        return float(np.sqrt(np.sum((a - b) ** 2)))

    radii = np.quantile([dist(r, 0) for r in x], alphas)
    precision = [np.mean([dist(g, 0) <= r for g in y]) for r in radii]
    centre = y.mean(axis=0)
    support = np.quantile([dist(g, centre) for g in y], alphas)
    knn = [sorted(dist(g, h) for h in y)[k] for g in y]  # [0] is itself
    recall = []
    for s in support:
        hits = 0
        for r in x:
            j = int(np.argmin([dist(r, g) for g in y]))
            hits += dist(r, y[j]) <= knn[j] and dist(y[j], centre) <= s
        recall.append(hits / len(x))
    gap = [sorted(dist(r, q) for q in x)[1] for r in x]
    authentic = []
    for g in y:
        i = int(np.argmin([dist(g, r) for r in x]))
        authentic.append(dist(g, x[i]) > gap[i])
    return np.array(precision), np.array(recall), float(np.mean(authentic))


def test_alpha_precision_matches_reference(rng):
    real, synthetic = rng.normal(size=(40, 3)), rng.normal(0.3, 0.8, size=(30, 3))
    precision, recall, authenticity = alpha_reference(real, synthetic, 11, 3)
    result = alpha_precision_beta_recall(real, synthetic, n_alphas=11, k=3)
    np.testing.assert_array_equal(result.alpha_precision_curve, precision)
    np.testing.assert_array_equal(result.beta_recall_curve, recall)
    assert result.authenticity == authenticity
    gap = np.abs(precision - result.alphas)
    area = sum((gap[i] + gap[i + 1]) / 2 * 0.1 for i in range(10))  # trapezoids (numpy >= 2 has np.trapezoid)
    assert result.alpha_precision == pytest.approx(1 - 2 * area, rel=1e-12)


def test_alpha_precision_hand_computed():
    real = np.array([[-2.0], [-1.0], [0.0], [1.0], [2.0]])  # standardised radii 0, .71, .71, 1.41, 1.41
    synthetic = np.array([[0.4], [4.0]])  # radii .28 and 2.83; 4.0 is farther from 2 than 1 is
    result = alpha_precision_beta_recall(real, synthetic, n_alphas=5, k=1)
    np.testing.assert_array_equal(result.alpha_precision_curve, [0.0, 0.5, 0.5, 0.5, 0.5])
    # |curve - alpha| = 0, .25, 0, .25, .5: trapezoids of width .25 sum to .1875
    assert result.alpha_precision == pytest.approx(1 - 2 * 0.1875, rel=1e-12)
    assert result.authenticity == 0.5


def test_alpha_precision_independent_draw_is_near_ideal():
    rng = np.random.default_rng(41)
    result = alpha_precision_beta_recall(rng.normal(size=(2000, 2)), rng.normal(size=(2000, 2)))
    assert result.alpha_precision > 0.95 and result.beta_recall > 0.95
    np.testing.assert_allclose(result.alpha_precision_curve, result.alphas, atol=0.05)
    # large-sample limit c/(1 + c), c = 1 - lens area / disc area (see the docstring)
    c = 1 / 3 + np.sqrt(3) / (2 * np.pi)
    assert result.authenticity == pytest.approx(c / (1 + c), abs=0.04)
    one_d = alpha_precision_beta_recall(rng.normal(size=(2000, 1)), rng.normal(size=(2000, 1)))
    assert one_d.authenticity == pytest.approx(1 / 3, abs=0.03)


def test_alpha_precision_copies_and_collapse():
    rng = np.random.default_rng(42)
    real = rng.normal(size=(500, 3))
    copies = alpha_precision_beta_recall(real, real[rng.permutation(500)[:300]])
    assert copies.authenticity == 0.0
    assert copies.alpha_precision > 0.9
    collapsed = alpha_precision_beta_recall(real, np.tile(real.mean(axis=0), (100, 1)))
    np.testing.assert_array_equal(collapsed.alpha_precision_curve, 1.0)  # every row in the smallest ball
    np.testing.assert_array_equal(collapsed.beta_recall_curve, 0.0)
    assert collapsed.alpha_precision == pytest.approx(0.0, abs=1e-12)
    assert collapsed.beta_recall == pytest.approx(0.0, abs=1e-12)
    shrunk = alpha_precision_beta_recall(real, 0.3 * rng.normal(size=(500, 3)))
    assert shrunk.beta_recall < 0.5


def test_alpha_precision_bad_options(rng):
    x = rng.normal(size=(10, 2))
    with pytest.raises(ValueError, match="n_alphas must be an integer >= 2, got 1"):
        alpha_precision_beta_recall(x, x, n_alphas=1)
    with pytest.raises(ValueError, match="synthetic needs at least 6 rows"):
        alpha_precision_beta_recall(x, x[:5])


# ----------------------------------------------------------------------- PCA overlap


def test_pca_overlap_identical_and_disjoint(rng):
    real = rng.normal(size=(150, 5))
    assert pca_overlap(real, real.copy()).overlap == 1.0
    assert pca_overlap(real, real[::-1]).overlap == 1.0
    assert pca_overlap(real, real + 50.0).overlap == 0.0
    same = pca_overlap(real, rng.normal(size=(150, 5)), bins=5)
    assert 0.7 < same.overlap < 1.0


def test_pca_overlap_hand_computed():
    real = np.array([[0.0], [1.0], [2.0], [3.0]])
    # two bins over the pooled range: real 2 + 2, synthetic 1 + 2 of 3
    result = pca_overlap(real, np.array([[0.0], [3.0], [3.0]]), n_components=1, bins=2)
    assert result.overlap == pytest.approx(1 / 3 + 1 / 2, rel=1e-15)
    np.testing.assert_array_equal(result.explained_variance_ratio, [1.0])


def test_pca_overlap_matches_sklearn_pca(rng):
    from sklearn.decomposition import PCA

    base = rng.normal(size=(200, 1))
    real = np.hstack([base, base + 0.1 * rng.normal(size=(200, 1)), rng.normal(size=(200, 2))]) * [1, 1e-5, 3, 1]
    synthetic = rng.normal(size=(90, 4))
    result = pca_overlap(real, synthetic, n_components=3)
    z_real, z_synthetic = standardized(real, synthetic)
    pca = PCA(n_components=3, svd_solver="full").fit(z_real)
    np.testing.assert_allclose(result.explained_variance_ratio, pca.explained_variance_ratio_, rtol=1e-10)
    signs = np.sign(np.sum(result.components * pca.components_, axis=1))
    np.testing.assert_allclose(result.components, pca.components_ * signs[:, None], atol=1e-10)
    np.testing.assert_allclose(result.synthetic_scores, pca.transform(z_synthetic) * signs, atol=1e-10)
    assert result.real_scores.shape == (200, 3) and len(result.edges) == 3
    assert result.explained_variance_ratio[0] == pytest.approx(0.5, abs=0.05)  # two of four columns agree
    first = result.components[0]
    assert first[np.abs(first).argmax()] > 0


def test_pca_overlap_bad_options(rng):
    x = rng.normal(size=(10, 2))
    with pytest.raises(ValueError, match="n_components must be an integer between 1 and 2, got 3"):
        pca_overlap(x, x, n_components=3)
    with pytest.raises(ValueError, match="makes 100000000 histogram cells"):
        pca_overlap(rng.normal(size=(10, 4)), x[:, :1].repeat(4, axis=1), n_components=4, bins=100)
    with pytest.raises(ValueError, match="bins must be an integer >= 1, got 0"):
        pca_overlap(x, x, bins=0)


# ------------------------------------------------------------------ shared validation

ALL = [
    (mmd, {"n_permutations": 10}),
    (classifier_two_sample_test, {"n_splits": 2}),
    (precision_recall_density_coverage, {"k": 2}),
    (alpha_precision_beta_recall, {"k": 2}),
    (pca_overlap, {}),
]
IDS = [f.__name__ for f, _ in ALL]


@pytest.mark.parametrize(("func", "kwargs"), ALL, ids=IDS)
def test_bad_inputs_name_the_argument(func, kwargs, rng):
    x = rng.normal(size=(12, 3))
    bad = x.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="real contains 1 non-finite value"):
        func(bad, x, **kwargs)
    with pytest.raises(ValueError, match="synthetic contains 1 non-finite value"):
        func(x, bad, **kwargs)
    with pytest.raises(ValueError, match=r"real must be a 2-D array \(n_samples, n_features\).*got shape \(12,\)"):
        func(x[:, 0], x, **kwargs)
    with pytest.raises(ValueError, match=r"synthetic must be a 2-D array .*got shape \(2, 12, 3\)"):
        func(x, np.stack([x, x]), **kwargs)
    with pytest.raises(ValueError, match="same number of features .* got 3 and 2"):
        func(x, x[:, :2], **kwargs)
    with pytest.raises(ValueError, match=r"real needs at least \d+ rows \(records\) .*; got 1"):
        func(x[:1], x, **kwargs)
    with pytest.raises(TypeError, match="real must be a numeric array"):
        func(x.astype(str), x, **kwargs)
    with pytest.raises(ValueError, match="real must have at least one feature column"):
        func(np.empty((12, 0)), x, **kwargs)


@pytest.mark.parametrize(("func", "kwargs"), ALL[:1] + ALL[2:], ids=IDS[:1] + IDS[2:])
def test_constant_real_feature_is_refused(func, kwargs, rng):
    x = rng.normal(size=(12, 3))
    x[:, 1] = 4.0
    with pytest.raises(ValueError, match=r"real has constant feature column\(s\) 1 \(standard deviation 0\)"):
        func(x, rng.normal(size=(12, 3)), **kwargs)


@pytest.mark.parametrize(("func", "kwargs"), ALL, ids=IDS)
def test_input_kinds(func, kwargs, rng):
    real, synthetic = rng.normal(size=(12, 3)), rng.normal(size=(14, 3))
    if func in (mmd, classifier_two_sample_test):
        kwargs = {**kwargs, "seed": 0}
    expected = _flat(func(real, synthetic, **kwargs))
    frozen = real.copy()
    frozen.flags.writeable = False
    for a, b in (
        (real.tolist(), synthetic.tolist()),
        (frozen, np.asfortranarray(synthetic)),
        (np.repeat(real, 2, axis=1)[:, ::2], synthetic),
    ):
        np.testing.assert_array_equal(_flat(func(a, b, **kwargs)), expected)
    assert np.isfinite(_flat(func(real.astype(np.float32), synthetic, **kwargs))).all()


def _flat(result) -> np.ndarray:
    """Every number of a result, in order."""
    parts = [v if isinstance(v, tuple) else (v,) for v in vars(result).values()]
    return np.concatenate([np.ravel(np.asarray(v, dtype=float)) for part in parts for v in part])


def test_c2st_torch_cpu_matches_sklearn(rng):
    """The torch path solves the default logistic regression exactly (Newton) where
    lbfgs stops at its gradient tolerance: same folds, fold AUCs within 5e-3 (observed:
    at most 1.3e-3, one or two of about 1600 pairs ranked differently), and equal to a
    tightly converged scikit-learn fit."""
    pytest.importorskip("torch")
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    groups = np.repeat(np.arange(50), 4)
    for shift in (0.0, 0.2, 1.0):
        real, synthetic = rng.normal(size=(200, 8)), rng.normal(shift, 1.0, size=(200, 8))
        synthetic[:, 3] = real[:, 3]
        kwargs = {"real_groups": groups, "synthetic_groups": groups, "seed": 0}
        cpu = classifier_two_sample_test(real, synthetic, **kwargs)
        tor = classifier_two_sample_test(real, synthetic, device="torch:cpu", **kwargs)
        assert tor.n_splits == cpu.n_splits
        np.testing.assert_allclose(tor.fold_aucs, cpu.fold_aucs, atol=5e-3)
        tight = make_pipeline(StandardScaler(), LogisticRegression(max_iter=10_000, tol=1e-12))
        exact = classifier_two_sample_test(real, synthetic, classifier=tight, **kwargs)
        np.testing.assert_allclose(tor.fold_aucs, exact.fold_aucs, atol=1e-12)


def test_c2st_torch_handles_constant_columns(rng):
    pytest.importorskip("torch")
    real, synthetic = rng.normal(size=(60, 3)), rng.normal(size=(60, 3))
    real[:, 1] = synthetic[:, 1] = 2.0  # StandardScaler leaves a constant column unscaled
    cpu = classifier_two_sample_test(real, synthetic, seed=1)
    tor = classifier_two_sample_test(real, synthetic, seed=1, device="torch:cpu")
    np.testing.assert_allclose(tor.fold_aucs, cpu.fold_aucs, atol=5e-3)


def test_c2st_custom_classifier_runs_on_cpu_only(rng):
    pytest.importorskip("torch")
    from sklearn.linear_model import LogisticRegression

    x = rng.normal(size=(20, 2))
    with pytest.raises(ValueError, match="runs the default logistic regression only"):
        classifier_two_sample_test(x, x + 1, classifier=LogisticRegression(), device="torch:cpu")


def test_c2st_bad_device_is_one_line(rng):
    x = rng.normal(size=(20, 2))
    with pytest.raises(TypeError, match=r"^device must be a str such as 'cpu' or 'cuda', got int 0\.$"):
        classifier_two_sample_test(x, x + 1, device=0)
    pytest.importorskip("torch")
    with pytest.raises(ValueError, match=r"^device must be 'cpu', 'torch:cpu' or a torch device .*, got 'gpu!'\.$"):
        classifier_two_sample_test(x, x + 1, device="gpu!")


@pytest.mark.gpu
def test_c2st_cuda_matches_sklearn(rng):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("CUDA is not available")
    real, synthetic = rng.normal(size=(300, 8)), rng.normal(0.1, 1.0, size=(300, 8))
    cpu = classifier_two_sample_test(real, synthetic, seed=0)
    gpu = classifier_two_sample_test(real, synthetic, seed=0, device="cuda")
    np.testing.assert_allclose(gpu.fold_aucs, cpu.fold_aucs, atol=5e-3)
