# SPDX-License-Identifier: BSD-3-Clause
"""Multivariate real-versus-synthetic comparisons of feature embeddings: MMD with a
permutation test, the classifier two-sample test, precision / recall / density /
coverage, alpha-precision / beta-recall / authenticity and PCA overlap.

Every function takes two 2-D arrays ``(n_samples, n_features)``, one row per record
(band powers, moments, entropies, ...), with the same feature columns. Unless said
otherwise, the features are first standardised with the mean and standard deviation
(ddof=0) of the *real* rows, so that features in different units weigh alike and the
real sample is the reference frame; a real feature that is constant cannot be
standardised and is refused with its column named.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from biosynth._utils.check import check_finite_array, check_int, check_positive, check_type, fmt_value
from biosynth._utils.docs import fill_doc
from biosynth._utils.seeds import Seed, make_seed_sequence
from biosynth.fidelity._torch import to_numpy, to_torch, use_torch

logger = logging.getLogger(__name__)

#: Largest number of float64 elements in one block of pairwise distances (32 MiB).
_BLOCK = 2**22
#: Permuted statistics within this of the observed one count as ties (>=): MMD^2 is at
#: most 2 in absolute value, so this is far above rounding and far below any real gap.
_TIE = 1e-12


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True)
class MMDResult:
    """Result of :func:`mmd`.

    Attributes
    ----------
    mmd2 : float
        Unbiased estimate of the squared MMD; lower is better, 0 for equal
        distributions (it can be slightly negative).
    p_value : float
        Permutation p-value of the hypothesis "same distribution"; small values mean
        the samples differ. NaN when ``n_permutations`` is 0.
    bandwidth : float
        Kernel bandwidth sigma used, in units of the real standard deviation.
    n_permutations : int
        Number of permutations behind ``p_value``.
    """

    mmd2: float
    p_value: float
    bandwidth: float
    n_permutations: int


@dataclass(frozen=True)
class C2STResult:
    """Result of :func:`classifier_two_sample_test`.

    Attributes
    ----------
    auc : float
        Mean ROC AUC over the folds; 0.5 is ideal (indistinguishable), 1.0 fully
        separable.
    fold_aucs : tuple of float
        ROC AUC of each test fold.
    n_splits : int
        Number of folds.
    """

    auc: float
    fold_aucs: tuple[float, ...]
    n_splits: int


@dataclass(frozen=True)
class PRDCResult:
    """Result of :func:`precision_recall_density_coverage`.

    Attributes
    ----------
    precision : float
        Fraction of synthetic rows inside some real k-NN ball; in [0, 1], higher is
        better (fidelity).
    recall : float
        Fraction of real rows inside some synthetic k-NN ball; in [0, 1], higher is
        better (diversity).
    density : float
        Mean number of real k-NN balls holding a synthetic row, divided by k; about 1
        for equal distributions, above 1 when synthetic rows crowd dense real regions.
    coverage : float
        Fraction of real rows whose k-NN ball holds a synthetic row; in [0, 1],
        higher is better.
    k : int
        Number of neighbours.
    """

    precision: float
    recall: float
    density: float
    coverage: float
    k: int


@dataclass(frozen=True, eq=False)
class AlphaPrecisionResult:
    """Result of :func:`alpha_precision_beta_recall`.

    Attributes
    ----------
    alpha_precision : float
        Integrated alpha-precision, ``1 - 2 * area between curve and diagonal``; in
        [0, 1], 1 is ideal.
    beta_recall : float
        Integrated beta-recall, same convention; in [0, 1], 1 is ideal.
    authenticity : float
        Fraction of synthetic rows that are not closer to their nearest real row than
        that row's own nearest real neighbour; in [0, 1], higher is more novel (0 for
        copies of real rows).
    alphas : ndarray, shape (n_alphas,)
        Levels alpha (= beta) from 0 to 1.
    alpha_precision_curve : ndarray, shape (n_alphas,)
        P_alpha; the ideal curve is the diagonal.
    beta_recall_curve : ndarray, shape (n_alphas,)
        R_beta; the ideal curve is the diagonal.
    """

    alpha_precision: float
    beta_recall: float
    authenticity: float
    alphas: np.ndarray
    alpha_precision_curve: np.ndarray
    beta_recall_curve: np.ndarray


@dataclass(frozen=True, eq=False)
class PCAOverlapResult:
    """Result of :func:`pca_overlap`.

    Attributes
    ----------
    overlap : float
        Overlap coefficient of the two histograms of principal-component scores; in
        [0, 1], 1 is identical, 0 disjoint. Higher is better.
    real_scores : ndarray, shape (n_real, n_components)
        Real rows projected on the principal axes of the standardised real features.
    synthetic_scores : ndarray, shape (n_synthetic, n_components)
        Synthetic rows projected on the same axes.
    explained_variance_ratio : ndarray, shape (n_components,)
        Fraction of the standardised real variance along each axis.
    components : ndarray, shape (n_components, n_features)
        Principal axes (unit vectors in the standardised feature space), each signed so
        that its largest-magnitude loading is positive.
    edges : tuple of ndarray
        Bin edges of the common histogram grid along each component.
    """

    overlap: float
    real_scores: np.ndarray
    synthetic_scores: np.ndarray
    explained_variance_ratio: np.ndarray
    components: np.ndarray
    edges: tuple[np.ndarray, ...]


# ------------------------------------------------------------------------- validation


def _as_features(name: str, x: Any) -> np.ndarray:
    """``x`` as a C-contiguous float64 array (n_samples, n_features), or a named error."""
    array = np.asarray(x)
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must be a numeric array of shape (n_samples, n_features), got dtype {array.dtype} "
            f"({type(x).__name__})."
        )
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array (n_samples, n_features), one row per record; got shape {array.shape}."
        )
    if array.shape[1] == 0:
        raise ValueError(f"{name} must have at least one feature column; got shape {array.shape}.")
    array = np.ascontiguousarray(array, dtype=np.float64)
    return check_finite_array(name, array)


def _check_pair(real: Any, synthetic: Any, *, min_real: int, min_synthetic: int, why: str) -> tuple[np.ndarray, ...]:
    """Validate both samples once: 2-D, finite, same columns, enough rows."""
    real = _as_features("real", real)
    synthetic = _as_features("synthetic", synthetic)
    if real.shape[1] != synthetic.shape[1]:
        raise ValueError(
            "real and synthetic must have the same number of features (columns); "
            f"got {real.shape[1]} and {synthetic.shape[1]}."
        )
    for name, array, minimum in (("real", real, min_real), ("synthetic", synthetic, min_synthetic)):
        if array.shape[0] < minimum:
            raise ValueError(f"{name} needs at least {minimum} rows (records) {why}; got {array.shape[0]}.")
    return real, synthetic


def _standardize(real: np.ndarray, synthetic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both samples in units of the real mean and standard deviation (ddof=0)."""
    mean = real.mean(axis=0)
    sd = real.std(axis=0)
    flat = np.flatnonzero(sd == 0)
    if flat.size:
        columns = ", ".join(str(c) for c in flat[:10]) + (", ..." if flat.size > 10 else "")
        raise ValueError(
            f"real has constant feature column(s) {columns} (standard deviation 0), which cannot be "
            "standardised; drop them from both samples first."
        )
    return (real - mean) / sd, (synthetic - mean) / sd


def _rng(seed: Seed) -> np.random.Generator:
    return np.random.default_rng(make_seed_sequence(seed))


# ---------------------------------------------------------------- distance utilities


def _sq_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances ``|a|^2 + |b|^2 - 2 a.b`` (one BLAS product, as
    scikit-learn's ``euclidean_distances`` and so ``prdc``), clipped at 0."""
    d = a @ b.T.copy()  # a copy: NumPy sends x @ x.T to syrk, several times slower here than gemm
    d *= -2.0  # in place: one n x m array, no temporaries
    d += np.einsum("ij,ij->i", a, a)[:, None]
    d += np.einsum("ij,ij->i", b, b)[None, :]
    return np.maximum(d, 0.0, out=d)


def _knn_sq_radius(x: np.ndarray, k: int) -> np.ndarray:
    """Squared distance of each row to its k-th nearest other row (self excluded)."""
    from biosynth.fidelity._kernels.neighbours import kth_smallest

    n = x.shape[0]
    radii = np.empty(n)
    step = max(1, _BLOCK // n)
    for start in range(0, n, step):
        d = _sq_distances(x[start : start + step], x)
        radii[start : start + step] = kth_smallest(d, k, start)
    return radii


def _knn_radius(x: np.ndarray, k: int) -> np.ndarray:
    """Distance of each row to its k-th nearest other row (self excluded)."""
    return np.sqrt(_knn_sq_radius(x, k))


def _nearest(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance to and index of the nearest row of ``b`` for each row of ``a``."""
    dist = np.empty(a.shape[0])
    index = np.empty(a.shape[0], dtype=np.intp)
    step = max(1, _BLOCK // b.shape[0])
    for start in range(0, a.shape[0], step):
        d = _sq_distances(a[start : start + step], b)
        idx = d.argmin(axis=1)
        index[start : start + step] = idx
        dist[start : start + step] = np.sqrt(d[np.arange(d.shape[0]), idx])
    return dist, index


# ------------------------------------------------------------------------------- MMD


def _mmd_kernel_numpy(z: np.ndarray, bandwidth: float | None) -> tuple[np.ndarray, float]:
    """Gaussian kernel matrix with a zero diagonal, and the bandwidth used."""
    if bandwidth is None:
        from scipy.spatial.distance import pdist

        sigma = float(np.median(pdist(z)))  # exact distances for the median heuristic
    else:
        sigma = bandwidth
    _check_median_bandwidth(sigma)
    from biosynth.fidelity._kernels.neighbours import gaussian_inplace

    kernel = _sq_distances(z, z)
    gaussian_inplace(kernel, -1.0 / (2.0 * sigma**2))  # in place: one N x N array
    return kernel, sigma


def _mmd_kernel_torch(z: np.ndarray, bandwidth: float | None, device: str) -> tuple[Any, float]:
    """As :func:`_mmd_kernel_numpy` on a torch device."""
    import torch

    zt = to_torch(z, device)
    dist = torch.cdist(zt, zt, compute_mode="donot_use_mm_for_euclid_dist")  # exact, no Gram trick
    if bandwidth is None:
        upper = dist[torch.triu(torch.ones_like(dist, dtype=torch.bool), diagonal=1)]
        size = upper.numel()
        half = size // 2
        if size % 2:
            median = torch.kthvalue(upper, half + 1).values
        else:
            median = (torch.kthvalue(upper, half).values + torch.kthvalue(upper, half + 1).values) / 2
        sigma = float(median)
    else:
        sigma = bandwidth
    _check_median_bandwidth(sigma)
    kernel = torch.exp(-(dist**2) / (2.0 * sigma**2))
    kernel.fill_diagonal_(0.0)
    return kernel, sigma


def _check_median_bandwidth(sigma: float) -> None:
    if sigma <= 0:
        raise ValueError(
            "bandwidth='median' gives 0 (more than half of the pooled rows coincide); pass a positive bandwidth."
        )


def _mmd_statistics(kernel: Any, row_sums: Any, total: Any, labels: Any, m: int, n: int) -> Any:
    """Unbiased MMD^2 for each column of ``labels`` (N, c): 1 marks a row of the first sample.

    With ``a`` a 0/1 column, ``b = 1 - a`` and ``K`` the kernel with a zero diagonal:
    ``a'Ka`` is the within-first sum, ``b'Kb = 1'K1 - 2 r'a + a'Ka`` and ``a'Kb = r'a -
    a'Ka`` with ``r = K1``, so one product ``K @ labels`` serves all three sums. Works
    on NumPy arrays and torch tensors alike.
    """
    within_a = (labels * (kernel @ labels)).sum(0)
    cross_sum = row_sums @ labels
    within_b = total - 2.0 * cross_sum + within_a
    between = cross_sum - within_a
    return within_a / (m * (m - 1)) + within_b / (n * (n - 1)) - 2.0 * between / (m * n)


@fill_doc
def mmd(
    real: Any,
    synthetic: Any,
    *,
    bandwidth: str | float = "median",
    n_permutations: int = 1000,
    seed: Seed = None,
    device: str = "cpu",
) -> MMDResult:
    """Maximum mean discrepancy between real and synthetic rows, with a permutation test.

    The unbiased estimate of the squared MMD (Gretton et al. 2012, eq. 3) with the
    Gaussian RBF kernel ``k(x, y) = exp(-||x - y||^2 / (2 sigma^2))``, computed on the
    features standardised with the real mean and standard deviation (ddof=0):

    ``MMD^2_u = sum_{i != j} k(x_i, x_j) / (m (m - 1)) + sum_{i != j} k(y_i, y_j) /
    (n (n - 1)) - 2 sum_{i, j} k(x_i, y_j) / (m n)``.

    **Lower is better**: 0 for equal distributions (the unbiased estimate can be
    slightly negative). The p-value comes from ``n_permutations`` random relabellings
    of the pooled rows into groups of the original sizes: ``p = (1 + #{MMD^2_perm >=
    MMD^2_obs}) / (1 + n_permutations)`` (Phipson & Smyth 2010), so it is never 0;
    permuted values within 1e-12 of the observed one count as ties. A small p-value
    says the generator is distinguishable from the real data at that sample size.

    Parameters
    ----------
    %(embeddings)s
        Both need at least 2 rows.
    bandwidth : "median" or float, default="median"
        Kernel width sigma, in units of the real standard deviation. ``"median"`` is
        the median heuristic (Gretton et al. 2012): the median Euclidean distance over
        all pairs of distinct rows of the pooled, standardised sample. It is computed
        once on the observed pooling and kept for the permutations.
    n_permutations : int, default=1000
        Permutations for the p-value; 0 skips the test (``p_value`` is NaN).
    seed : int, SeedSequence or None, default=None
        Seed of the permutations. They are drawn with NumPy on the host, so every
        ``device`` uses the same permutations and gives the same p-value.
    %(device)s
        The torch path computes the kernel and the permuted statistics in float64
        (same ``mmd2`` within 1e-9, same ``p_value``).

    Returns
    -------
    result : MMDResult
        ``mmd2``, ``p_value``, ``bandwidth`` (sigma used) and ``n_permutations``.

    Notes
    -----
    Memory is that of the pooled kernel matrix, ``8 (n_real + n_synthetic)^2`` bytes,
    plus blocks of at most 32 MiB for the permutations; time is ``O(N^2 (d +
    n_permutations))`` for ``N`` pooled rows.

    References
    ----------
    Gretton, A., Borgwardt, K. M., Rasch, M. J., Schölkopf, B., & Smola, A. (2012). A
    kernel two-sample test. *Journal of Machine Learning Research*, 13, 723-773.

    Phipson, B., & Smyth, G. K. (2010). Permutation p-values should never be zero.
    *Statistical Applications in Genetics and Molecular Biology*, 9(1), 39.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> real, synthetic = rng.normal(size=(40, 3)), rng.normal(1.0, 1.0, size=(40, 3))
    >>> result = mmd(real, synthetic, n_permutations=200, seed=0)
    >>> bool(result.mmd2 > 0), bool(result.p_value < 0.01)
    (True, True)
    """
    real, synthetic = _check_pair(real, synthetic, min_real=2, min_synthetic=2, why="for the unbiased MMD")
    if isinstance(bandwidth, str):
        if bandwidth != "median":
            raise ValueError(f"bandwidth must be 'median' or a positive number, got {fmt_value(bandwidth)}.")
        sigma_in = None
    else:
        sigma_in = check_positive("bandwidth", bandwidth)
    n_permutations = check_int("n_permutations", n_permutations, low=0)
    rng = _rng(seed)
    torch_path = use_torch(device)

    z_real, z_synthetic = _standardize(real, synthetic)
    pooled = np.concatenate([z_real, z_synthetic])
    m, n = real.shape[0], synthetic.shape[0]
    size = m + n
    labels = np.concatenate([np.ones(m), np.zeros(n)])

    if torch_path:
        kernel, sigma = _mmd_kernel_torch(pooled, sigma_in, device)

        def as_backend(a: np.ndarray) -> Any:
            return to_torch(a, device)

        def as_host(a: Any) -> np.ndarray:
            return to_numpy(a)
    else:
        kernel, sigma = _mmd_kernel_numpy(pooled, sigma_in)

        def as_backend(a: np.ndarray) -> Any:
            return a

        def as_host(a: Any) -> np.ndarray:
            return np.asarray(a)

    row_sums = kernel.sum(1)
    total = row_sums.sum()
    observed = float(as_host(_mmd_statistics(kernel, row_sums, total, as_backend(labels[:, None]), m, n))[0])

    if n_permutations == 0:
        return MMDResult(observed, math.nan, sigma, 0)
    n_extreme = 0
    step = max(1, min(n_permutations, _BLOCK // size // 2))
    for start in range(0, n_permutations, step):
        count = min(step, n_permutations - start)
        # each row of the draw is one relabelling; NumPy on the host for every device
        draws = rng.permuted(np.broadcast_to(labels, (count, size)), axis=1)
        stats = as_host(_mmd_statistics(kernel, row_sums, total, as_backend(np.ascontiguousarray(draws.T)), m, n))
        n_extreme += int(np.count_nonzero(stats >= observed - _TIE))
    p_value = (1 + n_extreme) / (1 + n_permutations)
    logger.debug("mmd: N=%d, sigma=%.4g, mmd2=%.4g, p=%.4g", size, sigma, observed, p_value)
    return MMDResult(observed, p_value, sigma, n_permutations)


# ------------------------------------------------------------------------------ C2ST


def _group_codes(name: str, groups: Any, n_rows: int) -> np.ndarray:
    """Integer codes 0..g-1 of one label per row (default: one group per row)."""
    if groups is None:
        return np.arange(n_rows)
    import pandas as pd

    values = np.asarray(groups)
    if values.ndim != 1 or values.shape[0] != n_rows:
        raise ValueError(f"{name} must hold one label per row ({n_rows}); got shape {values.shape}.")
    codes, _ = pd.factorize(values)
    if (codes < 0).any():
        raise ValueError(f"{name} contains {int((codes < 0).sum())} missing label(s) (NaN or None).")
    return codes


def _check_classifier(classifier: Any) -> Any:
    """A fresh default classifier, or ``classifier`` if it looks like a probabilistic estimator."""
    if classifier is None:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    if not (hasattr(classifier, "fit") and hasattr(classifier, "predict_proba") and hasattr(classifier, "get_params")):
        raise TypeError(
            "classifier must be a scikit-learn estimator with fit and predict_proba, "
            f"got {type(classifier).__name__} {fmt_value(classifier)}."
        )
    return classifier


@fill_doc
def classifier_two_sample_test(
    real: Any,
    synthetic: Any,
    *,
    real_groups: Any = None,
    synthetic_groups: Any = None,
    n_splits: int = 5,
    classifier: Any = None,
    seed: Seed = None,
    device: str = "cpu",
) -> C2STResult:
    """Classifier two-sample test: cross-validated ROC AUC of telling real from synthetic.

    A classifier is trained to label rows real (0) or synthetic (1) and scored on
    held-out rows by the area under the ROC curve of its predicted probability of
    "synthetic" (Lopez-Paz & Oquab 2017). **0.5 is ideal** (the classifier cannot
    tell them apart); 1.0 means fully separable. Values a little below 0.5 are
    chance. Folds are record- or subject-wise: rows sharing a group label are never
    split between training and test (:class:`sklearn.model_selection.StratifiedGroupKFold`,
    shuffled with ``seed``), so epochs of one recording cannot leak into their own
    test fold. Real and synthetic groups are distinct even when their labels are
    equal. Features are used as given; the default classifier standardises them.

    Parameters
    ----------
    %(embeddings)s
    real_groups : array_like, shape (n_real,), optional
        Group label of each real row (record or subject); None gives each row its
        own group. Each sample needs at least ``n_splits`` groups.
    synthetic_groups : array_like, shape (n_synthetic,), optional
        Group label of each synthetic row; None gives each row its own group.
    n_splits : int, default=5
        Number of cross-validation folds (at least 2).
    classifier : scikit-learn estimator, optional
        Any estimator with ``fit`` and ``predict_proba``; it is cloned for each fold.
        Any ``random_state`` parameter left at None (nested ones included) is set from
        ``seed``. Default: ``make_pipeline(StandardScaler(),
        LogisticRegression(max_iter=1000))``.
    seed : int, SeedSequence or None, default=None
        Seed of the fold assignment (and of ``random_state`` parameters left at None).
    %(device)s

    Returns
    -------
    result : C2STResult
        ``auc`` (mean over folds), ``fold_aucs`` and ``n_splits``.

    Notes
    -----
    On a torch ``device`` the default classifier is fitted with torch, in float64:
    the same standardisation (mean and SD of the training rows, ddof=0, a constant
    column left unscaled) and the same L2-penalised logistic loss (C=1, intercept not
    penalised), minimised by Newton's method to convergence where scikit-learn's
    ``lbfgs`` stops at a gradient tolerance of 1e-4. The folds are the same, so the
    fold AUCs agree with the CPU path up to that solver tolerance (at most 1.3e-3 apart
    on the test examples, which allow 5e-3; usually exactly). A custom ``classifier``
    runs on the CPU only.

    References
    ----------
    Lopez-Paz, D., & Oquab, M. (2017). Revisiting classifier two-sample tests.
    *International Conference on Learning Representations (ICLR)*.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> real, synthetic = rng.normal(size=(60, 2)), rng.normal(3.0, 1.0, size=(60, 2))
    >>> bool(classifier_two_sample_test(real, synthetic, seed=0).auc > 0.95)
    True
    """
    from sklearn.base import clone
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedGroupKFold

    real, synthetic = _check_pair(real, synthetic, min_real=2, min_synthetic=2, why="for a two-sample test")
    n_splits = check_int("n_splits", n_splits, low=2)
    real_codes = _group_codes("real_groups", real_groups, real.shape[0])
    synthetic_codes = _group_codes("synthetic_groups", synthetic_groups, synthetic.shape[0])
    for name, codes in (("real", real_codes), ("synthetic", synthetic_codes)):
        n_groups = int(codes.max()) + 1
        if n_groups < n_splits:
            raise ValueError(
                f"{name} has {n_groups} group(s), fewer than n_splits={n_splits}; use fewer splits or more records."
            )
    estimator = _check_classifier(classifier)
    torch_path = use_torch(device)
    if torch_path and classifier is not None:
        raise ValueError(
            f"device={device!r} runs the default logistic regression only; a custom classifier runs on the CPU "
            "(pass device='cpu')."
        )
    seed_seq = make_seed_sequence(seed)
    fold_state, model_state = (int(s) for s in seed_seq.generate_state(2))
    params = estimator.get_params()
    unset = {key: model_state for key, value in params.items() if key.endswith("random_state") and value is None}

    x = np.concatenate([real, synthetic])
    y = np.concatenate([np.zeros(real.shape[0], dtype=int), np.ones(synthetic.shape[0], dtype=int)])
    groups = np.concatenate([real_codes, synthetic_codes + real_codes.max() + 1])
    folds = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=fold_state)
    aucs = []
    for fold, (train, test) in enumerate(folds.split(x, y, groups)):
        for part, rows in (("training", train), ("test", test)):
            if np.unique(y[rows]).size < 2:
                raise ValueError(
                    f"fold {fold} has only one class in its {part} rows; use fewer splits (n_splits={n_splits}) "
                    "or more groups."
                )
        if torch_path:
            proba = _logistic_proba_torch(x[train], y[train], x[test], device)
        else:
            model = clone(estimator).set_params(**unset)
            model.fit(x[train], y[train])
            proba = model.predict_proba(x[test])[:, list(model.classes_).index(1)]
        aucs.append(float(roc_auc_score(y[test], proba)))
    return C2STResult(float(np.mean(aucs)), tuple(aucs), n_splits)


#: Newton iterations of the torch logistic regression, and the step size (largest
#: absolute coefficient change) at which it stops.
_NEWTON_MAX_ITER = 100
_NEWTON_TOL = 1e-10


def _logistic_proba_torch(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, device: str) -> np.ndarray:
    """P(class 1) of the test rows under ``make_pipeline(StandardScaler(),
    LogisticRegression())`` fitted with torch: Newton's method on the L2-penalised
    (C=1, intercept free) logistic loss, which is strictly convex."""
    import torch

    mean = x_train.mean(axis=0)
    scale = x_train.std(axis=0)
    scale[scale < 10 * np.finfo(np.float64).eps] = 1.0  # scikit-learn's _handle_zeros_in_scale
    xt = to_torch((x_train - mean) / scale, device)
    design = torch.cat([torch.ones((xt.shape[0], 1), dtype=xt.dtype, device=xt.device), xt], dim=1)
    target = to_torch(y_train.astype(np.float64), device)
    penalty = torch.eye(design.shape[1], dtype=xt.dtype, device=xt.device)
    penalty[0, 0] = 0.0  # the intercept is not penalised
    w = torch.zeros(design.shape[1], dtype=xt.dtype, device=xt.device)
    for _ in range(_NEWTON_MAX_ITER):
        p = torch.sigmoid(design @ w)
        gradient = design.T @ (p - target) + penalty @ w
        hessian = design.T @ (design * (p * (1.0 - p))[:, None]) + penalty
        step = torch.linalg.solve(hessian, gradient)
        w = w - step
        if float(step.abs().max()) < _NEWTON_TOL:
            break
    else:
        logger.warning("torch logistic regression: Newton's method did not converge in %d steps", _NEWTON_MAX_ITER)
    test = to_torch((x_test - mean) / scale, device)
    return to_numpy(torch.sigmoid(test @ w[1:] + w[0]))


# ------------------------------------------------------------------------------ PRDC


@fill_doc
def precision_recall_density_coverage(real: Any, synthetic: Any, *, k: int = 5, standardize: bool = True) -> PRDCResult:
    """Precision, recall, density and coverage of synthetic rows (Naeem et al. 2020).

    Each row's k-NN ball is centred on it with radius the distance to its k-th
    nearest neighbour in its own sample (itself excluded). With strict inequalities,
    as the reference implementation (package ``prdc``):

    - precision: fraction of synthetic rows inside at least one real ball
      (Kynkäänniemi et al. 2019); fidelity, **higher is better**, in [0, 1];
    - recall: fraction of real rows inside at least one synthetic ball; diversity,
      **higher is better**, in [0, 1];
    - density: number of real balls holding a synthetic row, summed, divided by
      ``k`` and the number of synthetic rows; about 1 for equal distributions,
      above 1 when synthetic rows crowd dense real regions, below 1 when they sit in
      sparse ones;
    - coverage: fraction of real rows whose ball holds at least one synthetic row;
      **higher is better**, in [0, 1], about ``1 - 2^-k`` for equal distributions.

    With ``standardize=False`` this equals ``prdc.compute_prdc(real, synthetic, k)``;
    with ``standardize=True`` (default) it equals it on the features standardised with
    the real mean and standard deviation.

    Parameters
    ----------
    %(embeddings)s
        Both need at least ``k + 1`` rows.
    k : int, default=5
        Number of nearest neighbours (Naeem et al. recommend 5).
    standardize : bool, default=True
        Work in units of the real standard deviation (features in different units
        then weigh alike). False uses the features as given.

    Returns
    -------
    result : PRDCResult
        ``precision``, ``recall``, ``density``, ``coverage`` and ``k``.

    Notes
    -----
    Squared Euclidean distances by one BLAS product per block (as scikit-learn, which
    ``prdc`` uses), in blocks of at most 32 MiB, and a parallel Numba selection of each
    row's k-th neighbour; time is ``O((n_real + n_synthetic)^2 n_features)``.

    References
    ----------
    Naeem, M. F., Oh, S. J., Uh, Y., Choi, Y., & Yoo, J. (2020). Reliable fidelity and
    diversity metrics for generative models. *ICML*, PMLR 119, 7176-7185.

    Kynkäänniemi, T., Karras, T., Laine, S., Lehtinen, J., & Aila, T. (2019). Improved
    precision and recall metric for assessing generative models. *NeurIPS* 32.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> real, synthetic = rng.normal(size=(200, 2)), rng.normal(size=(200, 2))
    >>> result = precision_recall_density_coverage(real, synthetic)
    >>> bool(result.precision > 0.8), bool(result.coverage > 0.8)
    (True, True)
    """

    k = check_int("k", k, low=1)
    check_type("standardize", standardize, (bool, np.bool_), "a bool")
    real, synthetic = _check_pair(
        real, synthetic, min_real=k + 1, min_synthetic=k + 1, why=f"for k={k} neighbours besides itself"
    )
    if standardize:
        real, synthetic = _standardize(real, synthetic)
    real_sq = _knn_sq_radius(real, k)
    synthetic_sq = _knn_sq_radius(synthetic, k)

    n_synthetic = synthetic.shape[0]
    in_real_balls = np.zeros(n_synthetic, dtype=np.int64)  # per synthetic row: real balls holding it
    recalled = np.empty(real.shape[0], dtype=bool)
    covered = np.empty(real.shape[0], dtype=bool)
    step = max(1, _BLOCK // n_synthetic)
    for start in range(0, real.shape[0], step):
        block = slice(start, start + step)
        d = _sq_distances(real[block], synthetic)
        in_real_balls += (d < real_sq[block, None]).sum(axis=0)
        recalled[block] = (d < synthetic_sq[None, :]).any(axis=1)
        covered[block] = d.min(axis=1) < real_sq[block]
    return PRDCResult(
        precision=float((in_real_balls > 0).mean()),
        recall=float(recalled.mean()),
        density=float((1.0 / k) * in_real_balls.mean()),
        coverage=float(covered.mean()),
        k=k,
    )


# ------------------------------------------------------------- alpha-precision & co.


def _integrated(curve: np.ndarray, alphas: np.ndarray) -> float:
    """``1 - 2 * area between curve and diagonal`` (trapezoidal rule)."""
    gap = np.abs(curve - alphas)
    return float(1.0 - 2.0 * np.sum((gap[1:] + gap[:-1]) / 2.0 * np.diff(alphas)))


@fill_doc
def alpha_precision_beta_recall(real: Any, synthetic: Any, *, n_alphas: int = 101, k: int = 5) -> AlphaPrecisionResult:
    """Alpha-precision, beta-recall and authenticity (Alaa et al. 2022).

    Computed in the feature space standardised with the real mean and standard
    deviation, with the real "hypersphere" centred at the real mean (the origin
    there). This is a simplification of the paper, which first learns a one-class
    embedding (Deep SVDD) that makes the real support a ball; here the features are
    used directly, so the alpha-supports are Euclidean balls around the mean, which
    fits roughly elliptical feature clouds best.

    - **alpha-precision** ``P_alpha``: fraction of synthetic rows inside the real
      alpha-support, the ball around the real mean whose radius is the alpha-quantile
      of the real distances to it. Ideal: ``P_alpha = alpha``; a curve above the
      diagonal means synthetic rows too typical (collapsed to the centre), below it
      too many outliers.
    - **beta-recall** ``R_beta``: fraction of real rows whose nearest synthetic row
      lies in the synthetic beta-support (the ball around the synthetic mean whose
      radius is the beta-quantile of the synthetic distances to it) and holds the
      real row in its k-NN ball (radius: distance to its k-th nearest synthetic
      neighbour), the k-NN estimator the paper describes. Ideal: ``R_beta = beta``
      (a little below it for a finite ``k``: a real row can fall outside the ball).
    - the integrated scores ``1 - 2 * integral |curve - alpha| d alpha`` (trapezoidal
      rule over ``n_alphas`` levels): in [0, 1], **1 is ideal**, 0 for a fully
      collapsed synthetic sample.
    - **authenticity**: fraction of synthetic rows whose nearest real row is farther
      away than that real row's own nearest real neighbour. **Higher is more novel**;
      0 when every synthetic row copies a real one. It is not 1 for a perfect
      generator: for an independent draw from the real distribution it tends, as the
      samples grow, to ``c_d / (1 + c_d)``, with ``c_d`` the fraction of a d-ball not
      covered by an equal ball centred on its surface: 1/3 in 1-D, 0.38 in 2-D, 1/2
      as d grows (small samples in many dimensions score higher). Compare with the
      real-vs-real value.

    The authors' code (``evaluating-generative-models``) differs in three details:
    beta-recall uses the real row's own nearest-real distance instead of the k-NN
    radius of the synthetic row, and quantiles of the matched synthetic rows only,
    and the integral is a sum over 30 levels. Their authenticity is the one used here.

    Parameters
    ----------
    %(embeddings)s
        ``real`` needs at least 2 rows, ``synthetic`` at least ``k + 1``.
    n_alphas : int, default=101
        Number of levels alpha = beta, evenly spaced from 0 to 1 (at least 2).
    k : int, default=5
        Neighbours of the synthetic k-NN balls of beta-recall.

    Returns
    -------
    result : AlphaPrecisionResult
        Integrated ``alpha_precision`` and ``beta_recall``, ``authenticity``, and the
        curves with their ``alphas`` for plotting.

    References
    ----------
    Alaa, A. M., van Breugel, B., Saveliev, E., & van der Schaar, M. (2022). How
    faithful is your synthetic data? Sample-level metrics for evaluating and auditing
    generative models. *ICML*, PMLR 162, 290-306.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(300, 2))
    >>> copies = alpha_precision_beta_recall(real, real[::-1])
    >>> copies.authenticity
    0.0
    >>> collapsed = alpha_precision_beta_recall(real, np.tile(real.mean(axis=0), (50, 1)))
    >>> collapsed.alpha_precision, collapsed.beta_recall
    (0.0, 0.0)
    """
    n_alphas = check_int("n_alphas", n_alphas, low=2)
    k = check_int("k", k, low=1)
    real, synthetic = _check_pair(
        real, synthetic, min_real=2, min_synthetic=k + 1, why=f"for k={k} synthetic neighbours and a real SD"
    )
    z_real, z_synthetic = _standardize(real, synthetic)
    alphas = np.linspace(0.0, 1.0, n_alphas)

    # alpha-precision: real balls around the real mean (the origin after standardising)
    real_radius = np.linalg.norm(z_real, axis=1)
    synthetic_radius = np.linalg.norm(z_synthetic, axis=1)
    radii = np.quantile(real_radius, alphas)
    precision_curve = np.searchsorted(np.sort(synthetic_radius), radii, side="right") / synthetic.shape[0]

    # beta-recall: nearest synthetic row of each real row, in the synthetic beta-support
    # and holding the real row in its k-NN ball
    to_synthetic, nearest_synthetic = _nearest(z_real, z_synthetic)
    synthetic_knn = _knn_radius(z_synthetic, k)
    inside_ball = to_synthetic <= synthetic_knn[nearest_synthetic]
    from_centre = np.linalg.norm(z_synthetic - z_synthetic.mean(axis=0), axis=1)
    support = np.quantile(from_centre, alphas)
    matched = from_centre[nearest_synthetic][inside_ball]
    recall_curve = np.searchsorted(np.sort(matched), support, side="right") / real.shape[0]

    # authenticity: synthetic rows farther from their nearest real row than its own neighbour
    real_gap = _knn_radius(z_real, 1)
    to_real, nearest_real = _nearest(z_synthetic, z_real)
    authenticity = float(np.mean(to_real > real_gap[nearest_real]))

    return AlphaPrecisionResult(
        alpha_precision=_integrated(precision_curve, alphas),
        beta_recall=_integrated(recall_curve, alphas),
        authenticity=authenticity,
        alphas=alphas,
        alpha_precision_curve=precision_curve,
        beta_recall_curve=recall_curve,
    )


# ------------------------------------------------------------------------ PCA overlap


@fill_doc
def pca_overlap(real: Any, synthetic: Any, *, n_components: int = 2, bins: int = 20) -> PCAOverlapResult:
    """Overlap of real and synthetic rows in the principal-component plane of the real rows.

    PCA is fitted on the real features standardised with the real mean and standard
    deviation (ddof=0); both samples are projected on its first ``n_components`` axes.
    The scores are binned on one common grid (``bins`` equal bins per axis spanning
    the pooled range) and the overlap coefficient of the two normalised histograms,
    ``sum_cells min(h_real / n_real, h_synthetic / n_synthetic)`` (Inman & Bradley
    1989), is reported. **Higher is better**: 1 for identical histograms (exactly 1
    for identical samples), 0 for disjoint ones. Finite samples of one distribution
    score below 1, more so with more bins per row, so compare with the real-vs-real
    value at the same sizes. The scores and explained variance are returned for a
    scatter plot.

    Parameters
    ----------
    %(embeddings)s
        ``real`` needs at least 2 rows.
    n_components : int, default=2
        Principal components kept; at most ``n_features`` and ``n_real``.
    bins : int, default=20
        Bins per component; ``bins ** n_components`` may not exceed 10**6.

    Returns
    -------
    result : PCAOverlapResult
        ``overlap``, ``real_scores``, ``synthetic_scores``,
        ``explained_variance_ratio``, ``components`` and ``edges``.

    References
    ----------
    Inman, H. F., & Bradley, E. L. (1989). The overlapping coefficient as a measure of
    agreement between probability distributions and point estimation of the overlap
    of two normal densities. *Communications in Statistics - Theory and Methods*,
    18(10), 3851-3874.

    Examples
    --------
    >>> import numpy as np
    >>> real = np.random.default_rng(0).normal(size=(100, 4))
    >>> pca_overlap(real, real).overlap
    1.0
    >>> pca_overlap(real, real + 100.0).overlap
    0.0
    """
    real, synthetic = _check_pair(real, synthetic, min_real=2, min_synthetic=1, why="for a PCA of the real rows")
    n_features = real.shape[1]
    limit = min(n_features, real.shape[0])
    n_components = check_int("n_components", n_components, low=1, high=limit)
    bins = check_int("bins", bins, low=1)
    if bins**n_components > 10**6:
        raise ValueError(
            f"bins={bins} with n_components={n_components} makes {bins**n_components} histogram cells; "
            "at most 10**6 are allowed (use fewer bins or components)."
        )
    z_real, z_synthetic = _standardize(real, synthetic)
    _, singular, vt = np.linalg.svd(z_real, full_matrices=False)
    components = vt[:n_components]
    signs = np.sign(components[np.arange(n_components), np.abs(components).argmax(axis=1)])
    components = components * signs[:, None]
    real_scores = z_real @ components.T
    synthetic_scores = z_synthetic @ components.T
    variance = singular**2
    explained = variance[:n_components] / variance.sum()

    pooled = np.concatenate([real_scores, synthetic_scores])
    low, high = pooled.min(axis=0), pooled.max(axis=0)
    flat = high <= low
    low, high = np.where(flat, low - 0.5, low), np.where(flat, high + 0.5, high)
    edges = tuple(np.linspace(lo, hi, bins + 1) for lo, hi in zip(low, high, strict=True))
    counts_real, _ = np.histogramdd(real_scores, bins=edges)
    counts_synthetic, _ = np.histogramdd(synthetic_scores, bins=edges)
    n_real, n_synthetic = real.shape[0], synthetic.shape[0]
    # integer counts cross-multiplied: exact, so identical samples give exactly 1
    shared = np.minimum(counts_real * n_synthetic, counts_synthetic * n_real).sum()
    overlap = float(shared / (n_real * n_synthetic))
    return PCAOverlapResult(overlap, real_scores, synthetic_scores, explained, components, edges)
