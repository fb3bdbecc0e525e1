# SPDX-License-Identifier: BSD-3-Clause
"""Privacy of synthetic records measured on feature embeddings: distance to the closest
record, nearest-neighbour distance ratio, memorised copies and a distance-based
membership-inference attack.

Every function takes 2-D arrays ``(n_records, n_features)`` in the order of the rest
of :mod:`biosynth.fidelity`: ``real``, the real records the generator was fitted to
(its training records), then ``synthetic``, and as the keyword ``holdout``, where a
reference is needed, real records from the same population that it never saw. That is
the holdout design of Platzer & Reutterer (2021): synthetic records should be no closer
to the training records than unseen real records are. Features are standardised with
the mean and standard deviation (ddof 0) of ``real`` before any distance is taken (a
feature that is constant in ``real`` is only centred), so each feature counts on the
scale of its real spread; distances are Euclidean in that space (units: real-train
standard deviations).

Until biosynth 0.3 the functions also accept their 0.1 order ``(synthetic, real_train,
real_holdout)``, given by position or by those keyword names, with a FutureWarning.

Passing these tests is no proof of anonymity. They catch synthetic records that sit
closer to training records than unseen real records do; they give no formal guarantee
(such as differential privacy) and say nothing about attacks on other features, on
linked data or on rare combinations of attributes.

References
----------
Platzer M, Reutterer T (2021). Holdout-based fidelity and privacy assessment of
mixed-type synthetic data. arXiv:2104.00635; published as "Holdout-based empirical
assessment of mixed-type synthetic data", Frontiers in Big Data 4:679939.
"""

from __future__ import annotations

import functools
import inspect
import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from biosynth._utils.check import check_finite_array, check_int, check_number
from biosynth._utils.docs import fill_doc
from biosynth._utils.seeds import Seed, make_seed_sequence

logger = logging.getLogger(__name__)

_PERCENTILE = 5.0  # the low tail that summarises distances (Platzer & Reutterer 2021)

F = TypeVar("F", bound=Callable)

#: The argument names of biosynth 0.1, in their positional order, and their new names.
_OLD_ORDER = ("synthetic", "real_train", "real_holdout")
_NEW_NAMES = {"synthetic": "synthetic", "real_train": "real", "real_holdout": "holdout"}


def _accepts_old_order(func: F) -> F:
    """Accept the 0.1 call ``func(synthetic, real_train, real_holdout)`` for one release.

    A call in the old form (three positional arrays, or the keyword ``real_train=`` or
    ``real_holdout=``) is mapped onto ``func(real=..., synthetic=..., holdout=...)``
    with a FutureWarning. Two positional arrays without ``holdout`` are ambiguous
    (``memorised_copies``, whose holdout is optional): they are read in the new order
    ``(real, synthetic)``, with a FutureWarning saying so; keywords silence it.
    """

    holdout_optional = inspect.signature(func).parameters["holdout"].default is not inspect.Parameter.empty

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        name = func.__name__
        if len(args) >= 3 or "real_train" in kwargs or "real_holdout" in kwargs:
            if len(args) > 3:
                raise TypeError(f"{name}() takes 2 positional arguments (real, synthetic) but {len(args)} were given.")
            for new in ("real", "holdout"):
                if new in kwargs:
                    raise TypeError(
                        f"{name}() got {new}= together with the old argument order (synthetic, real_train, "
                        "real_holdout); pass real, synthetic, holdout= only."
                    )
            for old, value in zip(_OLD_ORDER, args, strict=False):
                if old in kwargs:
                    raise TypeError(f"{name}() got multiple values for argument {old!r}.")
                kwargs[old] = value
            warnings.warn(
                f"{name}(synthetic, real_train, real_holdout) is deprecated since biosynth 0.2: call "
                f"{name}(real, synthetic, holdout=...) (real first, as everywhere in biosynth.fidelity; holdout "
                "keyword-only). The old order stops working in 0.3.",
                FutureWarning,
                stacklevel=2,
            )
            return func(**{_NEW_NAMES.get(k, k): v for k, v in kwargs.items()})
        if holdout_optional and len(args) == 2 and "holdout" not in kwargs:
            warnings.warn(
                f"{name}() got two arrays by position and no holdout=: read as (real, synthetic), the order since "
                "biosynth 0.2 (it was (synthetic, real_train) in 0.1). Pass real= and synthetic= by keyword, or "
                "holdout=, to silence this warning.",
                FutureWarning,
                stacklevel=2,
            )
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@dataclass(frozen=True)
class DistanceToClosestRecord:
    """Distances of synthetic records to their closest real records.

    Attributes
    ----------
    to_train : ndarray, shape (n_synthetic,)
        Distance to the closest ``real`` (training) record (DCR), in real-train SDs.
    to_holdout : ndarray, shape (n_synthetic,)
        Distance to the closest ``holdout`` record, in real-train SDs.
    train_p5, holdout_p5 : float
        5th percentiles of ``to_train`` and ``to_holdout``.
    share_closer_to_train : float
        Share of synthetic records closer to train than to holdout (ties count half).
    baseline : dict
        What a generator that does not memorise gives: ``train_p5`` -> ``holdout_p5``,
        ``share_closer_to_train`` -> ``n_train / (n_train + n_holdout)`` (0.5 for equal
        sizes).
    better : dict
        Direction of each summary: ``"higher"`` or ``"lower"``.
    """

    to_train: np.ndarray = field(repr=False)
    to_holdout: np.ndarray = field(repr=False)
    train_p5: float
    holdout_p5: float
    share_closer_to_train: float
    baseline: dict[str, float]
    better: dict[str, str] = field(default_factory=lambda: {"train_p5": "higher", "share_closer_to_train": "lower"})


@dataclass(frozen=True)
class NearestNeighbourDistanceRatio:
    """Ratio of the distances to the first and second nearest ``real`` (training) record.

    Attributes
    ----------
    ratios : ndarray, shape (n_synthetic,)
        NNDR per synthetic record, in [0, 1]; 0 for an exact copy.
    mean, p5 : float
        Mean and 5th percentile of ``ratios``.
    baseline : dict
        The same summaries for ``holdout`` records against ``real``.
    better : dict
        Direction of each summary.
    """

    ratios: np.ndarray = field(repr=False)
    mean: float
    p5: float
    baseline: dict[str, float]
    better: dict[str, str] = field(default_factory=lambda: {"mean": "higher", "p5": "higher"})


@dataclass(frozen=True)
class MemorisedCopies:
    """Synthetic records that are (near-)copies of a ``real`` (training) record.

    Attributes
    ----------
    indices : ndarray of int
        Rows of ``synthetic`` whose distance to the closest ``real`` record is at most
        ``threshold``.
    nearest : ndarray of int
        The ``real`` row each of them copies.
    distances : ndarray
        Their distances, in real-train SDs.
    threshold : float
        The distance used, in real-train SDs.
    share : float
        ``len(indices) / n_synthetic``.
    baseline : dict
        ``share`` expected of a generator that draws fresh records: about 0.01 with the
        default threshold, NaN for a threshold given by the caller.
    better : dict
        Direction of ``share``.
    """

    indices: np.ndarray = field(repr=False)
    nearest: np.ndarray = field(repr=False)
    distances: np.ndarray = field(repr=False)
    threshold: float
    share: float
    baseline: dict[str, float]
    better: dict[str, str] = field(default_factory=lambda: {"share": "lower"})


@dataclass(frozen=True)
class MembershipInference:
    """Result of the distance-based membership-inference attack.

    Attributes
    ----------
    auc : float
        ROC AUC of telling ``real`` (training) members from ``holdout`` non-members; 0.5 = no leak.
    auc_ci : (float, float)
        95 % bootstrap interval of ``auc`` (members and non-members resampled apart).
    tpr_at_fpr : float
        Share of members flagged at the threshold that flags ``fpr`` of the holdout.
    fpr : float
        The false-positive rate the threshold was calibrated to on the holdout.
    threshold : float
        Score above which a record is called a member.
    scores_train, scores_holdout : ndarray
        Attack scores (minus the distance to the closest synthetic record).
    baseline : dict
        Values without a leak: ``auc`` 0.5, ``tpr_at_fpr`` equal to ``fpr``.
    better : dict
        Direction of each summary.
    """

    auc: float
    auc_ci: tuple[float, float]
    tpr_at_fpr: float
    fpr: float
    threshold: float
    scores_train: np.ndarray = field(repr=False)
    scores_holdout: np.ndarray = field(repr=False)
    baseline: dict[str, float]
    better: dict[str, str] = field(default_factory=lambda: {"auc": "lower", "tpr_at_fpr": "lower"})


@_accepts_old_order
@fill_doc
def distance_to_closest_record(real: Any, synthetic: Any, *, holdout: Any) -> DistanceToClosestRecord:
    """Distance to the closest record (DCR) in the training and in the holdout set.

    A generator that does not memorise places its records as close to unseen real
    records as to its training records: the 5th percentile of the DCR matches that of
    the distances to the holdout, and about half of the synthetic records (exactly
    ``n_train / (n_train + n_holdout)`` in expectation) are closer to train than to
    holdout. A share near 1 means the generator reproduces its training records
    (Platzer & Reutterer 2021). Passing this test is no proof of anonymity.

    Parameters
    ----------
    %(privacy_real)s
    %(privacy_synthetic)s
    holdout : array_like, shape (n_holdout, n_features)
        Embeddings of real records from the same population that the generator did not
        see (keyword-only; ideally ``n_holdout == n_train``).

    Returns
    -------
    result : DistanceToClosestRecord
        Distances in real-train standard deviations, summaries, baselines and directions.

    References
    ----------
    Platzer M, Reutterer T (2021). Holdout-based fidelity and privacy assessment of
    mixed-type synthetic data. arXiv:2104.00635.

    Examples
    --------
    >>> r = distance_to_closest_record([[0.0], [2.0]], [[0.0], [3.0]], holdout=[[4.0]])
    >>> r.to_train.tolist(), r.to_holdout.tolist(), r.share_closer_to_train
    ([0.0, 1.0], [4.0, 1.0], 0.75)
    """
    syn, train, hold = _prepare(real=real, synthetic=synthetic, holdout=holdout)
    to_train, to_hold = _nearest(syn, train)[0], _nearest(syn, hold)[0]
    share = float(np.mean((to_train < to_hold) + 0.5 * (to_train == to_hold)))
    hold_p5 = _p5(to_hold)
    baseline = {"train_p5": hold_p5, "share_closer_to_train": len(train) / (len(train) + len(hold))}
    return DistanceToClosestRecord(to_train, to_hold, _p5(to_train), hold_p5, share, baseline)


@_accepts_old_order
@fill_doc
def nearest_neighbour_distance_ratio(real: Any, synthetic: Any, *, holdout: Any) -> NearestNeighbourDistanceRatio:
    """Nearest-neighbour distance ratio (NNDR) of synthetic records in the training set.

    NNDR = d(1st nearest real record) / d(2nd nearest), in [0, 1]. A low ratio means a
    record sits next to one real record rather than in a crowd of them, which is where
    re-identification is easiest; an exact copy scores 0 (also when the copied record
    is duplicated, 0/0). The baseline is the same summary for the holdout records
    against ``real``. Passing this test is no proof of anonymity.

    Parameters
    ----------
    real : array_like, shape (n_train, n_features)
        Embeddings of the real training records (at least 2); they standardise all sets.
    %(privacy_synthetic)s
    holdout : array_like, shape (n_holdout, n_features)
        Embeddings of unseen real records, for the baseline (keyword-only).

    Returns
    -------
    result : NearestNeighbourDistanceRatio
        Ratios, mean, 5th percentile, baselines and directions.

    References
    ----------
    Zhao Z, Kunar A, Birke R, Chen LY (2021). CTAB-GAN: effective table data
    synthesizing. Proc. ACML, PMLR 157:97-112 (NNDR and DCR as privacy measures).

    Examples
    --------
    >>> r = nearest_neighbour_distance_ratio([[0.0], [2.0]], [[0.0], [3.0]], holdout=[[4.0]])
    >>> r.ratios.tolist(), r.baseline["mean"]
    ([0.0, 0.3333333333333333], 0.5)
    """
    syn, train, hold = _prepare(real=real, synthetic=synthetic, holdout=holdout, min_train=2)
    ratios, ref = _nndr(syn, train), _nndr(hold, train)
    baseline = {"mean": float(ref.mean()), "p5": _p5(ref)}
    return NearestNeighbourDistanceRatio(ratios, float(ratios.mean()), _p5(ratios), baseline)


@_accepts_old_order
@fill_doc
def memorised_copies(
    real: Any, synthetic: Any, *, holdout: Any = None, threshold: float | None = None
) -> MemorisedCopies:
    """Synthetic records that are (near-)copies of a training record.

    A synthetic record is flagged when its distance to the closest ``real`` (training)
    record is at most ``threshold``. By default the threshold comes from the real data:
    the 1st percentile of the distances from each holdout record to its closest real
    record (without a holdout, of the distances from each real record to its closest
    other real record). So about 1 % of the records of a generator that draws fresh
    records are flagged, and a copying generator has most of its records flagged.
    ``threshold=0`` flags exact duplicates only. Passing this test is no proof of
    anonymity: records just beyond the threshold can still disclose.

    Parameters
    ----------
    %(privacy_real)s
    %(privacy_synthetic)s
    holdout : array_like, shape (n_holdout, n_features) | None
        Unseen real records that set the default threshold (keyword-only); None uses
        ``real`` alone (then at least 2 records).
    threshold : float | None
        Largest distance that counts as a copy, in real-train standard deviations
        (Euclidean, >= 0); None for the data-driven default.

    Returns
    -------
    result : MemorisedCopies
        Flagged synthetic rows, the real rows they copy, distances, threshold, share.

    Notes
    -----
    Until biosynth 0.3, two arrays given by position without ``holdout`` warn: the
    0.1 order was ``(synthetic, real_train)``, and such a call cannot say which order
    it means. Pass ``real=`` and ``synthetic=`` by keyword (or ``holdout=``).

    Examples
    --------
    >>> memorised_copies(real=[[0.0], [2.0]], synthetic=[[0.0], [1.0], [5.0]], threshold=0.0).indices.tolist()
    [0]
    """
    min_train = 2 if holdout is None and threshold is None else 1
    syn, train, hold = _prepare(real=real, synthetic=synthetic, holdout=holdout, min_train=min_train)
    if threshold is not None:
        threshold = check_number("threshold", threshold, low=0.0, unit="real-train standard deviations")
        expected = 0.0 if threshold == 0 else float("nan")
    else:
        reference = _nearest(hold, train)[0] if hold is not None else _nearest(train, train, k=2)[0][:, 1]
        threshold, expected = float(np.percentile(reference, 1.0)), 0.01
    dist, nearest = _nearest(syn, train)
    hit = np.flatnonzero(dist <= threshold)
    return MemorisedCopies(hit, nearest[hit], dist[hit], threshold, hit.size / len(syn), {"share": expected})


@_accepts_old_order
@fill_doc
def membership_inference(
    real: Any,
    synthetic: Any,
    *,
    holdout: Any,
    fpr: float = 0.05,
    n_bootstrap: int = 200,
    seed: Seed = None,
) -> MembershipInference:
    """Distance-based membership-inference attack on the synthetic set.

    The attacker scores each real record by minus its distance to the closest synthetic
    record (the full black-box attack of Chen et al. 2020) and calls it a training
    member when the score is high. The ROC AUC of telling ``real`` (training) members
    from ``holdout`` non-members is 0.5 when the synthetic set leaks nothing about
    membership and 1 when it holds copies of every training record. The attack is also
    read at one operating point (Carlini et al. 2022): the threshold that flags a share
    ``fpr`` of the holdout records, and the share of members it flags there (the
    true-positive rate). Passing this test is no proof of anonymity: stronger attacks
    (shadow models, other features) may succeed where this one does not.

    Parameters
    ----------
    real : array_like, shape (n_train, n_features)
        The members: real records the generator was fitted to; they standardise all sets.
    %(privacy_synthetic)s
    holdout : array_like, shape (n_holdout, n_features)
        The non-members: real records from the same population it did not see
        (keyword-only).
    fpr : float
        False-positive rate the threshold is calibrated to on the holdout, in (0, 1).
    n_bootstrap : int
        Bootstrap resamples for the 95 % interval of the AUC (0 skips it: NaN).
    seed : int, SeedSequence or None
        Seed of the bootstrap resampling (the AUC itself is not random).

    Returns
    -------
    result : MembershipInference
        AUC with its interval, true-positive rate at ``fpr``, threshold, scores.

    References
    ----------
    Chen D, Yu N, Zhang Y, Fritz M (2020). GAN-Leaks: a taxonomy of membership
    inference attacks against generative models. Proc. ACM CCS, 343-362.
    Carlini N, Chien S, Nasr M, Song S, Terzis A, Tramer F (2022). Membership inference
    attacks from first principles. Proc. IEEE S&P, 1897-1914.

    Examples
    --------
    >>> r = membership_inference([[0.0], [2.0]], [[0.0], [3.0]], holdout=[[4.0]], n_bootstrap=0)
    >>> r.auc, r.tpr_at_fpr
    (0.75, 0.5)
    """
    fpr = check_number("fpr", fpr, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    n_bootstrap = check_int("n_bootstrap", n_bootstrap, low=0)
    rng = np.random.default_rng(make_seed_sequence(seed))
    syn, train, hold = _prepare(real=real, synthetic=synthetic, holdout=holdout)
    members, others = -_nearest(train, syn)[0], -_nearest(hold, syn)[0]
    threshold = float(np.quantile(others, 1.0 - fpr))
    boot = [_auc(rng.choice(members, members.size), rng.choice(others, others.size)) for _ in range(n_bootstrap)]
    ci = (float(np.percentile(boot, 2.5)), float(np.percentile(boot, 97.5))) if boot else (np.nan, np.nan)
    tpr = float(np.mean(members > threshold))
    baseline = {"auc": 0.5, "tpr_at_fpr": fpr}
    return MembershipInference(_auc(members, others), ci, tpr, fpr, threshold, members, others, baseline)


def _embeddings(name: str, x: Any, *, n_features: int | None = None, min_records: int = 1) -> np.ndarray:
    """Check one 2-D embedding array and return it as float64."""
    array = np.asarray(x)
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array (n_records, n_features) of feature embeddings, got shape {array.shape}."
        )
    if np.iscomplexobj(array) or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}.")
    array = check_finite_array(name, np.asarray(array, dtype=np.float64))
    if array.shape[1] < 1:
        raise ValueError(f"{name} must have at least one feature (column), got shape {array.shape}.")
    if n_features is not None and array.shape[1] != n_features:
        raise ValueError(
            f"{name} has {array.shape[1]} features (columns) but real has {n_features}; "
            "embed all sets with the same features."
        )
    if array.shape[0] < min_records:
        raise ValueError(f"{name} needs at least {min_records} records (rows), got {array.shape[0]}.")
    return array


def _prepare(*, real: Any, synthetic: Any, holdout: Any, min_train: int = 1) -> tuple:
    """Validate the sets and standardise them with the mean and SD of ``real``;
    returns (synthetic, real, holdout)."""
    train = _embeddings("real", real, min_records=min_train)
    syn = _embeddings("synthetic", synthetic, n_features=train.shape[1])
    hold = None if holdout is None else _embeddings("holdout", holdout, n_features=train.shape[1])
    mean, sd = train.mean(axis=0), train.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)  # a constant feature is only centred
    return tuple(None if a is None else (a - mean) / sd for a in (syn, train, hold))


def _nearest(query: np.ndarray, reference: np.ndarray, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Euclidean distances and indices of the ``k`` nearest reference rows (exact)."""
    from scipy.spatial import KDTree

    dist, idx = KDTree(reference).query(query, k=k)
    return np.asarray(dist, dtype=np.float64), np.asarray(idx)


def _nndr(query: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """d1 / d2 per query row; 0 where both are 0 (a copy of a duplicated record)."""
    dist = _nearest(query, reference, k=2)[0]
    return np.divide(dist[:, 0], dist[:, 1], out=np.zeros(len(dist)), where=dist[:, 1] > 0)


def _auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """ROC AUC by the Mann-Whitney U statistic (ties count half)."""
    from scipy.stats import rankdata

    ranks = rankdata(np.concatenate([positive, negative]))
    n_pos, n_neg = positive.size, negative.size
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _p5(values: np.ndarray) -> float:
    """5th percentile (linear interpolation, NumPy's default)."""
    return float(np.percentile(values, _PERCENTILE))
