# SPDX-License-Identifier: BSD-3-Clause
import numpy as np
import pytest

from biosynth.fidelity.privacy import (
    distance_to_closest_record,
    membership_inference,
    memorised_copies,
    nearest_neighbour_distance_ratio,
)

N, D = 300, 5  # records per set, features


@pytest.fixture(scope="module")
def sets():
    """synthetic, real (training) and holdout records: independent draws from one Gaussian."""
    rng = np.random.default_rng(0)
    return tuple(rng.normal(loc=3.0, scale=2.0, size=(N, D)) for _ in range(3))


@pytest.fixture(scope="module")
def copier(sets):
    """A generator that returns its training rows (shuffled)."""
    _, train, _ = sets
    return train[np.random.default_rng(1).permutation(N)]


# Tolerances for the independent draws: over 200 seeds of this very setting the share
# closer to train had SD 0.032, the AUC SD 0.023 (close to the Mann-Whitney null SD
# sqrt((2N + 1) / (12 N^2)) = 0.024), the flagged share mean 0.013, SD 0.009, the ratio
# of the 5th DCR percentiles SD 0.086 and the NNDR mean minus its baseline SD 0.011; the
# bounds below sit about 4 SD out, and the seeds are fixed.


def test_independent_generator_looks_private(sets):
    syn, train, hold = sets
    dcr = distance_to_closest_record(train, syn, holdout=hold)
    assert dcr.baseline["share_closer_to_train"] == 0.5
    assert dcr.share_closer_to_train == pytest.approx(0.5, abs=0.13)
    assert dcr.train_p5 == pytest.approx(dcr.holdout_p5, rel=0.35)
    mia = membership_inference(train, syn, holdout=hold, seed=0)
    assert mia.auc == pytest.approx(0.5, abs=0.1)
    assert mia.auc_ci[0] < 0.5 < mia.auc_ci[1]
    assert mia.tpr_at_fpr < 0.15  # calibrated at 5 % of the holdout; chance gives about 5 %
    copies = memorised_copies(train, syn, holdout=hold)
    assert copies.share <= 0.05 and copies.baseline["share"] == 0.01
    nndr = nearest_neighbour_distance_ratio(train, syn, holdout=hold)
    assert nndr.mean == pytest.approx(nndr.baseline["mean"], abs=0.05)


def test_copying_generator_is_flagged(sets, copier):
    _, train, hold = sets
    dcr = distance_to_closest_record(train, copier, holdout=hold)
    assert dcr.share_closer_to_train == 1.0 and dcr.train_p5 == 0.0 < dcr.holdout_p5
    mia = membership_inference(train, copier, holdout=hold, seed=0)
    assert mia.auc == 1.0 and mia.tpr_at_fpr == 1.0  # every member sits on a copy: score 0
    copies = memorised_copies(train, copier, holdout=hold)
    np.testing.assert_array_equal(copies.indices, np.arange(N))
    np.testing.assert_array_equal(train[copies.nearest], copier)
    assert copies.share == 1.0
    assert nearest_neighbour_distance_ratio(train, copier, holdout=hold).mean == 0.0


def test_partial_copies_found_and_leak(sets):
    syn, train, hold = sets
    copied = np.arange(0, N, 3)  # every third synthetic record copies a training row ...
    mixed = syn.copy()
    mixed[copied] = train[copied] + 1e-3  # ... up to a tiny offset (1e-3 of an SD of 2)
    copies = memorised_copies(train, mixed, holdout=hold)
    assert set(copied) <= set(copies.indices)
    assert len(copies.indices) <= len(copied) + 0.05 * N  # false positives as for fresh draws
    assert np.all(copies.nearest[np.isin(copies.indices, copied)] == copied)
    # a third of the members sit on a copy (score ~0), the rest score as non-members:
    # AUC ~ 1/3 * 1 + 2/3 * 1/2 = 2/3, far outside the null SD of 0.024
    assert membership_inference(train, mixed, holdout=hold, seed=0).auc > 0.6
    assert distance_to_closest_record(train, mixed, holdout=hold).share_closer_to_train > 0.6


def test_tiny_closed_forms():
    # standardised with train mean 1, SD 1: train [-1, 1], holdout [3], synthetic [-1, 2]
    syn, train, hold = [[0.0], [3.0]], [[0.0], [2.0]], [[4.0]]
    dcr = distance_to_closest_record(train, syn, holdout=hold)
    np.testing.assert_array_equal(dcr.to_train, [0.0, 1.0])
    np.testing.assert_array_equal(dcr.to_holdout, [4.0, 1.0])
    assert dcr.train_p5 == pytest.approx(0.05)  # linear interpolation between 0 and 1
    assert dcr.share_closer_to_train == 0.75  # one closer, one tie
    assert dcr.baseline["share_closer_to_train"] == pytest.approx(2 / 3)
    nndr = nearest_neighbour_distance_ratio(train, syn, holdout=hold)
    np.testing.assert_allclose(nndr.ratios, [0.0, 1 / 3])
    assert nndr.mean == pytest.approx(1 / 6) and nndr.baseline["mean"] == 0.5  # holdout: 2 / 4
    mia = membership_inference(train, syn, holdout=hold, n_bootstrap=0)
    np.testing.assert_array_equal(mia.scores_train, [0.0, -1.0])
    np.testing.assert_array_equal(mia.scores_holdout, [-1.0])
    assert (mia.auc, mia.tpr_at_fpr, mia.threshold) == (0.75, 0.5, -1.0)
    assert np.isnan(mia.auc_ci[0])


def test_standardisation_uses_train_spread():
    train = np.array([[0.0, 0.0], [2.0, 200.0]])  # SDs 1 and 100
    dcr = distance_to_closest_record(train, [[0.0, 100.0]], holdout=[[5.0, 0.0]])
    assert dcr.to_train[0] == pytest.approx(1.0)  # 100 in feature 2 counts as 1 SD
    assert dcr.to_holdout[0] == pytest.approx(np.hypot(5.0, 1.0))
    constant = distance_to_closest_record([[0.0, 7.0], [2.0, 7.0]], [[1.0, 7.0]], holdout=[[1.0, 9.0]])
    assert constant.to_holdout[0] == 2.0  # a constant feature is only centred (SD taken as 1)


def test_memorised_copies_thresholds():
    train = np.array([[0.0], [1.0], [3.0], [3.0]])
    syn = np.array([[0.0], [0.5], [3.0], [10.0]])
    exact = memorised_copies(real=train, synthetic=syn, threshold=0.0)
    np.testing.assert_array_equal(exact.indices, [0, 2])
    assert exact.baseline["share"] == 0.0 and exact.share == 0.5
    # without holdout the default comes from train alone: the duplicate 3.0 gives 0
    assert memorised_copies(real=train, synthetic=syn).threshold == 0.0
    loose = memorised_copies(real=train, synthetic=syn, threshold=1.0)
    np.testing.assert_array_equal(loose.indices, [0, 1, 2])
    assert np.isnan(loose.baseline["share"])


def test_directions_and_repr(sets):
    syn, train, hold = sets
    results = [
        distance_to_closest_record(train, syn, holdout=hold),
        nearest_neighbour_distance_ratio(train, syn, holdout=hold),
        memorised_copies(train, syn, holdout=hold),
        membership_inference(train, syn, holdout=hold, n_bootstrap=10, seed=0),
    ]
    for result in results:
        assert set(result.better.values()) <= {"higher", "lower"}
        assert set(result.better) <= set(result.baseline)
        assert len(repr(result)) < 400  # arrays stay out of the repr
        with pytest.raises(AttributeError):
            result.better = {}  # frozen


def test_bootstrap_is_seeded(sets):
    syn, train, hold = sets
    a = membership_inference(train, syn, holdout=hold, n_bootstrap=20, seed=3)
    b = membership_inference(train, syn, holdout=hold, n_bootstrap=20, seed=3)
    assert a.auc_ci == b.auc_ci


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (([[1.0]], [1.0, 2.0], [[1.0]]), {}, ValueError, r"synthetic must be a 2-D array .* got shape \(2,\)"),
        (([[1.0, 2.0]], [[1.0]], [[1.0, 2.0]]), {}, ValueError, "synthetic has 1 features .* real has 2"),
        (([[1.0]], [[1.0]], [[1.0, 2.0]]), {}, ValueError, "holdout has 2 features"),
        (([[1.0]], [[np.nan]], [[1.0]]), {}, ValueError, "synthetic contains 1 non-finite"),
        (([[1.0]], [["a"]], [[1.0]]), {}, TypeError, "synthetic must hold real numbers"),
        ((np.empty((0, 1)), [[1.0]], [[1.0]]), {}, ValueError, "real needs at least 1 records"),
        (([[1.0]], [[1.0]], [[1.0]]), {"fpr": 1.0}, ValueError, r"fpr must lie in \(0, 1\)"),
        (([[1.0]], [[1.0]], [[1.0]]), {"n_bootstrap": -1}, ValueError, "n_bootstrap must be an integer >= 0"),
        (([[1.0]], [[1.0]], [[1.0]]), {"seed": -2}, ValueError, "seed must be a non-negative int"),
    ],
)
def test_errors(args, kwargs, error, match):
    real, synthetic, holdout = args
    with pytest.raises(error, match=match):
        if kwargs:
            membership_inference(real, synthetic, holdout=holdout, **kwargs)
        else:
            distance_to_closest_record(real, synthetic, holdout=holdout)


def test_errors_of_the_other_functions():
    with pytest.raises(ValueError, match="real needs at least 2 records"):
        nearest_neighbour_distance_ratio([[1.0]], [[1.0]], holdout=[[1.0]])
    with pytest.raises(ValueError, match="real needs at least 2 records"):
        memorised_copies(real=[[1.0]], synthetic=[[1.0]])  # the default threshold needs a neighbour
    with pytest.raises(ValueError, match=r"threshold must lie in \[0, inf\] in real-train standard deviations"):
        memorised_copies(real=[[1.0]], synthetic=[[1.0]], threshold=-1.0)
    with pytest.raises(TypeError, match="holdout"):
        distance_to_closest_record([[1.0]], [[1.0]])  # holdout is required, by keyword


# The 0.1 order (synthetic, real_train, real_holdout) keeps working until 0.3, with a FutureWarning.
OLD_CALLS = [
    (distance_to_closest_record, {}, ("to_train", "to_holdout")),
    (nearest_neighbour_distance_ratio, {}, ("ratios",)),
    (membership_inference, {"n_bootstrap": 5, "seed": 0}, ("auc", "auc_ci", "scores_train")),
]


@pytest.mark.parametrize(("func", "options", "fields"), OLD_CALLS, ids=[f.__name__ for f, _, _ in OLD_CALLS])
def test_old_argument_order_warns_and_agrees(sets, func, options, fields):
    syn, train, hold = (a[:60] for a in sets)
    new = func(train, syn, holdout=hold, **options)
    with pytest.warns(FutureWarning, match=r"\(synthetic, real_train, real_holdout\) is deprecated"):
        by_position = func(syn, train, hold, **options)
    with pytest.warns(FutureWarning, match="is deprecated"):
        by_old_keywords = func(synthetic=syn, real_train=train, real_holdout=hold, **options)
    with pytest.warns(FutureWarning, match="is deprecated"):
        mixed = func(syn, train, real_holdout=hold, **options)
    for old in (by_position, by_old_keywords, mixed):
        for name in fields:
            np.testing.assert_array_equal(getattr(old, name), getattr(new, name))


def test_memorised_copies_old_and_ambiguous_orders(sets):
    syn, train, hold = (a[:60] for a in sets)
    new = memorised_copies(train, syn, holdout=hold)
    with pytest.warns(FutureWarning, match="is deprecated"):
        old = memorised_copies(syn, train, real_holdout=hold)
    np.testing.assert_array_equal(old.distances, new.distances)
    assert old.threshold == new.threshold
    # two arrays by position and no holdout: read in the new order, with a warning
    with pytest.warns(FutureWarning, match=r"read as \(real, synthetic\)"):
        ambiguous = memorised_copies(train, syn, threshold=0.5)
    np.testing.assert_array_equal(ambiguous.indices, memorised_copies(real=train, synthetic=syn, threshold=0.5).indices)


def test_old_order_errors():
    with pytest.raises(TypeError, match="together with the old argument order"):
        distance_to_closest_record([[1.0]], [[1.0]], [[1.0]], holdout=[[1.0]])
    with pytest.raises(TypeError, match="multiple values for argument 'real_train'"):
        distance_to_closest_record([[1.0]], [[1.0]], [[1.0]], real_train=[[1.0]])
    with pytest.raises(TypeError, match="takes 2 positional arguments"):
        membership_inference([[1.0]], [[1.0]], [[1.0]], [[1.0]])
