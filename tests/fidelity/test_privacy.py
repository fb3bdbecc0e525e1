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
    """synthetic, real_train, real_holdout: independent draws from one Gaussian."""
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
    dcr = distance_to_closest_record(syn, train, hold)
    assert dcr.baseline["share_closer_to_train"] == 0.5
    assert dcr.share_closer_to_train == pytest.approx(0.5, abs=0.13)
    assert dcr.train_p5 == pytest.approx(dcr.holdout_p5, rel=0.35)
    mia = membership_inference(syn, train, hold, seed=0)
    assert mia.auc == pytest.approx(0.5, abs=0.1)
    assert mia.auc_ci[0] < 0.5 < mia.auc_ci[1]
    assert mia.tpr_at_fpr < 0.15  # calibrated at 5 % of the holdout; chance gives about 5 %
    copies = memorised_copies(syn, train, real_holdout=hold)
    assert copies.share <= 0.05 and copies.baseline["share"] == 0.01
    nndr = nearest_neighbour_distance_ratio(syn, train, hold)
    assert nndr.mean == pytest.approx(nndr.baseline["mean"], abs=0.05)


def test_copying_generator_is_flagged(sets, copier):
    _, train, hold = sets
    dcr = distance_to_closest_record(copier, train, hold)
    assert dcr.share_closer_to_train == 1.0 and dcr.train_p5 == 0.0 < dcr.holdout_p5
    mia = membership_inference(copier, train, hold, seed=0)
    assert mia.auc == 1.0 and mia.tpr_at_fpr == 1.0  # every member sits on a copy: score 0
    copies = memorised_copies(copier, train, real_holdout=hold)
    np.testing.assert_array_equal(copies.indices, np.arange(N))
    np.testing.assert_array_equal(train[copies.nearest], copier)
    assert copies.share == 1.0
    assert nearest_neighbour_distance_ratio(copier, train, hold).mean == 0.0


def test_partial_copies_found_and_leak(sets):
    syn, train, hold = sets
    copied = np.arange(0, N, 3)  # every third synthetic record copies a training row ...
    mixed = syn.copy()
    mixed[copied] = train[copied] + 1e-3  # ... up to a tiny offset (1e-3 of an SD of 2)
    copies = memorised_copies(mixed, train, real_holdout=hold)
    assert set(copied) <= set(copies.indices)
    assert len(copies.indices) <= len(copied) + 0.05 * N  # false positives as for fresh draws
    assert np.all(copies.nearest[np.isin(copies.indices, copied)] == copied)
    # a third of the members sit on a copy (score ~0), the rest score as non-members:
    # AUC ~ 1/3 * 1 + 2/3 * 1/2 = 2/3, far outside the null SD of 0.024
    assert membership_inference(mixed, train, hold, seed=0).auc > 0.6
    assert distance_to_closest_record(mixed, train, hold).share_closer_to_train > 0.6


def test_tiny_closed_forms():
    # standardised with train mean 1, SD 1: train [-1, 1], holdout [3], synthetic [-1, 2]
    syn, train, hold = [[0.0], [3.0]], [[0.0], [2.0]], [[4.0]]
    dcr = distance_to_closest_record(syn, train, hold)
    np.testing.assert_array_equal(dcr.to_train, [0.0, 1.0])
    np.testing.assert_array_equal(dcr.to_holdout, [4.0, 1.0])
    assert dcr.train_p5 == pytest.approx(0.05)  # linear interpolation between 0 and 1
    assert dcr.share_closer_to_train == 0.75  # one closer, one tie
    assert dcr.baseline["share_closer_to_train"] == pytest.approx(2 / 3)
    nndr = nearest_neighbour_distance_ratio(syn, train, hold)
    np.testing.assert_allclose(nndr.ratios, [0.0, 1 / 3])
    assert nndr.mean == pytest.approx(1 / 6) and nndr.baseline["mean"] == 0.5  # holdout: 2 / 4
    mia = membership_inference(syn, train, hold, n_bootstrap=0)
    np.testing.assert_array_equal(mia.scores_train, [0.0, -1.0])
    np.testing.assert_array_equal(mia.scores_holdout, [-1.0])
    assert (mia.auc, mia.tpr_at_fpr, mia.threshold) == (0.75, 0.5, -1.0)
    assert np.isnan(mia.auc_ci[0])


def test_standardisation_uses_train_spread():
    train = np.array([[0.0, 0.0], [2.0, 200.0]])  # SDs 1 and 100
    dcr = distance_to_closest_record([[0.0, 100.0]], train, [[5.0, 0.0]])
    assert dcr.to_train[0] == pytest.approx(1.0)  # 100 in feature 2 counts as 1 SD
    assert dcr.to_holdout[0] == pytest.approx(np.hypot(5.0, 1.0))
    constant = distance_to_closest_record([[1.0, 7.0]], [[0.0, 7.0], [2.0, 7.0]], [[1.0, 9.0]])
    assert constant.to_holdout[0] == 2.0  # a constant feature is only centred (SD taken as 1)


def test_memorised_copies_thresholds():
    train = np.array([[0.0], [1.0], [3.0], [3.0]])
    syn = np.array([[0.0], [0.5], [3.0], [10.0]])
    exact = memorised_copies(syn, train, threshold=0.0)
    np.testing.assert_array_equal(exact.indices, [0, 2])
    assert exact.baseline["share"] == 0.0 and exact.share == 0.5
    # without holdout the default comes from train alone: the duplicate 3.0 gives 0
    assert memorised_copies(syn, train).threshold == 0.0
    loose = memorised_copies(syn, train, threshold=1.0)
    np.testing.assert_array_equal(loose.indices, [0, 1, 2])
    assert np.isnan(loose.baseline["share"])


def test_directions_and_repr(sets):
    syn, train, hold = sets
    results = [
        distance_to_closest_record(syn, train, hold),
        nearest_neighbour_distance_ratio(syn, train, hold),
        memorised_copies(syn, train, real_holdout=hold),
        membership_inference(syn, train, hold, n_bootstrap=10, seed=0),
    ]
    for result in results:
        assert set(result.better.values()) <= {"higher", "lower"}
        assert set(result.better) <= set(result.baseline)
        assert len(repr(result)) < 400  # arrays stay out of the repr
        with pytest.raises(AttributeError):
            result.better = {}  # frozen


def test_bootstrap_is_seeded(sets):
    syn, train, hold = sets
    a = membership_inference(syn, train, hold, n_bootstrap=20, seed=3)
    b = membership_inference(syn, train, hold, n_bootstrap=20, seed=3)
    assert a.auc_ci == b.auc_ci


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (([1.0, 2.0], [[1.0]], [[1.0]]), {}, ValueError, r"synthetic must be a 2-D array .* got shape \(2,\)"),
        (([[1.0]], [[1.0, 2.0]], [[1.0, 2.0]]), {}, ValueError, "synthetic has 1 features .* real_train has 2"),
        (([[1.0]], [[1.0]], [[1.0, 2.0]]), {}, ValueError, "real_holdout has 2 features"),
        (([[np.nan]], [[1.0]], [[1.0]]), {}, ValueError, "synthetic contains 1 non-finite"),
        (([["a"]], [[1.0]], [[1.0]]), {}, TypeError, "synthetic must hold real numbers"),
        (([[1.0]], np.empty((0, 1)), [[1.0]]), {}, ValueError, "real_train needs at least 1 records"),
        (([[1.0]], [[1.0]], [[1.0]]), {"fpr": 1.0}, ValueError, r"fpr must lie in \(0, 1\)"),
        (([[1.0]], [[1.0]], [[1.0]]), {"n_bootstrap": -1}, ValueError, "n_bootstrap must be an integer >= 0"),
        (([[1.0]], [[1.0]], [[1.0]]), {"seed": -2}, ValueError, "seed must be a non-negative int"),
    ],
)
def test_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        membership_inference(*args, **kwargs) if kwargs else distance_to_closest_record(*args)


def test_errors_of_the_other_functions():
    with pytest.raises(ValueError, match="real_train needs at least 2 records"):
        nearest_neighbour_distance_ratio([[1.0]], [[1.0]], [[1.0]])
    with pytest.raises(ValueError, match="real_train needs at least 2 records"):
        memorised_copies([[1.0]], [[1.0]])  # the default threshold needs a neighbour
    with pytest.raises(ValueError, match=r"threshold must lie in \[0, inf\] in real-train standard deviations"):
        memorised_copies([[1.0]], [[1.0]], threshold=-1.0)
