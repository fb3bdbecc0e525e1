# SPDX-License-Identifier: BSD-3-Clause
"""Event-level scoring of detectors: hand-built truth and detections with known TP,
FP and FN, one-to-one matching, channel wildcards, channel AUC and event rates."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching
from sklearn.metrics import roc_auc_score

from biosynth.fidelity.scoring import SCORE_COLUMNS, channel_auc, event_rates, match_events, score_events
from biosynth.signals.events import empty_events, make_events


def _spikes(onsets, channel="LA1", kind="spike", record=0):
    return make_events(onsets, 0.0, kind, channel=channel, record=record)


def _pairs(matches: pd.DataFrame) -> set[tuple]:
    return set(zip(matches["truth_index"], matches["detected_index"], strict=True))


# --- counts and rates ---------------------------------------------------------------


def test_known_tp_fp_fn_give_exact_precision_recall_f1():
    truth = _spikes([1.0, 2.0, 3.0, 4.0])  # 3 found, 4.0 missed
    detected = _spikes([1.02, 1.96, 3.05, 5.0, 6.0])  # 3 hits, 2 false alarms
    row = score_events(truth, detected, by=()).iloc[0]
    assert (row.n_true, row.n_detected, row.n_matched) == (4, 5, 3)
    assert row.precision == pytest.approx(3 / 5)
    assert row.recall == pytest.approx(3 / 4)
    assert row.f1 == pytest.approx(2 * 0.6 * 0.75 / (0.6 + 0.75))
    assert row.mean_abs_delta == pytest.approx((0.02 + 0.04 + 0.05) / 3)
    assert list(score_events(truth, detected, by=()).columns) == list(SCORE_COLUMNS)


def test_match_table_labels_rows_of_the_inputs_and_signs_delta():
    truth = _spikes([1.0, 3.0]).iloc[::-1].set_axis(["c", "a"])  # labels survive the sorting
    detected = _spikes([0.98, 3.03, 9.0]).set_axis([10, 20, 30])
    matches = match_events(truth, detected)
    assert list(matches.columns) == ["truth_index", "detected_index", "delta"]
    assert matches["truth_index"].tolist() == ["a", "c"]  # in truth order (onset)
    assert matches["detected_index"].tolist() == [10, 20]
    np.testing.assert_allclose(matches["delta"], [-0.02, 0.03])


def test_detection_near_two_true_events_matches_only_the_nearest():
    truth = _spikes([1.0, 1.08])
    detected = _spikes([1.05])  # within 0.1 s of both
    matches = match_events(truth, detected, match_window=0.1)
    assert _pairs(matches) == {(1, 0)}
    row = score_events(truth, detected, match_window=0.1, by=()).iloc[0]
    assert (row.n_matched, row.precision, row.recall) == (1, 1.0, 0.5)


def test_two_detections_of_one_event_count_one_hit_and_one_false_alarm():
    truth = _spikes([2.0])
    detected = _spikes([1.97, 2.01])
    assert _pairs(match_events(truth, detected)) == {(0, 1)}
    row = score_events(truth, detected, by=()).iloc[0]
    assert (row.n_matched, row.precision, row.recall) == (1, 0.5, 1.0)


def test_greedy_matching_is_one_to_one_and_maximal_for_separated_events():
    rng = np.random.default_rng(3)
    tol = 0.05
    for _ in range(20):
        t_on = np.cumsum(rng.uniform(2.2 * tol, 0.5, size=30))  # windows do not overlap
        d_on = np.concatenate([rng.choice(t_on, 25) + rng.uniform(-1.5 * tol, 1.5 * tol, 25), rng.uniform(0, 10, 10)])
        truth, detected = _spikes(t_on), _spikes(d_on)
        matches = match_events(truth, detected, match_window=tol)
        assert matches["truth_index"].is_unique and matches["detected_index"].is_unique
        assert (matches["delta"].abs() <= tol + 1e-9).all()
        close = np.abs(detected["onset"].to_numpy()[None, :] - truth["onset"].to_numpy()[:, None]) <= tol
        optimum = int((maximum_bipartite_matching(csr_matrix(close), perm_type="column") >= 0).sum())
        assert len(matches) == optimum


def test_tolerance_boundary_is_inclusive():
    truth = _spikes([1.0, 3.0])
    on_edge = _spikes([1.05, 2.95])  # |delta| == tolerance in decimal, 0.05 +- 1 ulp in floats
    assert len(match_events(truth, on_edge, match_window=0.05)) == 2
    beyond = _spikes([1.0501, 2.9499])
    assert len(match_events(truth, beyond, match_window=0.05)) == 0


def test_events_of_different_records_never_match():
    truth = make_events([1.0, 1.0], 0.0, "spike", channel="LA1", record=[0, 1])
    detected = make_events([1.0], 0.0, "spike", channel="LA1", record=1)
    assert _pairs(match_events(truth, detected)) == {(1, 0)}
    scores = score_events(truth, detected, by=("record",))
    assert scores["record"].tolist() == [0, 1]
    assert scores["recall"].tolist() == [0.0, 1.0]


# --- grouping -------------------------------------------------------------------------


def test_per_type_scores_and_type_matching():
    truth = make_events([1.0, 2.0, 3.0], 0.0, ["spike", "spike", "ripple"], channel="LA1")
    detected = make_events([1.0, 2.0, 3.0, 4.0], 0.0, ["spike", "ripple", "ripple", "ripple"], channel="LA1")
    scores = score_events(truth, detected).set_index("type")
    assert scores.loc["spike", ["n_true", "n_detected", "n_matched"]].tolist() == [2, 1, 1]
    assert scores.loc["ripple", ["n_true", "n_detected", "n_matched"]].tolist() == [1, 3, 1]
    assert scores.loc["spike", "recall"] == 0.5
    assert scores.loc["ripple", "precision"] == pytest.approx(1 / 3)
    # without type matching the ripple detection at 2.0 s finds the spike at 2.0 s
    assert len(match_events(truth, detected, match_types=False)) == 3
    assert score_events(truth, detected, by=(), match_types=False)["n_matched"].item() == 3


def test_total_matches_equal_the_sum_over_groups():
    truth = make_events([1.0, 2.0, 3.0, 4.0], 0.0, ["spike", "ripple"] * 2, channel=["A", "A", "B", "B"])
    detected = make_events([1.01, 2.0, 4.02, 6.0], 0.0, ["spike", "ripple"] * 2, channel=["A", "A", "B", "B"])
    total = len(match_events(truth, detected))
    assert score_events(truth, detected)["n_matched"].sum() == total
    assert score_events(truth, detected, by=("channel",))["n_matched"].sum() == total
    assert score_events(truth, detected, by=("channel", "type"))["n_matched"].sum() == total


def test_per_channel_grouping():
    truth = make_events([1.0, 2.0, 1.0], 0.0, "spike", channel=["LA1", "LA1", "LB1"])
    detected = make_events([1.0, 1.01, 5.0], 0.0, "spike", channel=["LA1", "LB1", "LC1"])
    scores = score_events(truth, detected, by="channel").set_index("channel")
    assert scores.index.tolist() == ["LA1", "LB1", "LC1"]
    assert scores.loc["LA1", ["n_true", "n_detected", "n_matched"]].tolist() == [2, 1, 1]
    assert scores.loc["LB1", "f1"] == 1.0
    assert math.isnan(scores.loc["LC1", "recall"]) and scores.loc["LC1", "precision"] == 0.0


def test_by_channel_false_ignores_channels():
    truth = _spikes([1.0, 2.0], channel="LA1")
    detected = _spikes([1.01, 2.0], channel="LB1")
    assert match_events(truth, detected).empty
    assert _pairs(match_events(truth, detected, by_channel=False)) == {(0, 0), (1, 1)}
    assert score_events(truth, detected, by_channel=False)["f1"].item() == 1.0


def test_all_channel_events_are_wildcards_matched_one_to_one():
    seizure = make_events([10.0], 30.0, "seizure", channel="")
    onsets = make_events([10.02, 10.04], 0.0, "seizure", channel=["LA1", "LA2"])
    # the whole-recording seizure is found by the nearest channel; the other is a false alarm
    assert _pairs(match_events(seizure, onsets)) == {(0, 0)}
    assert score_events(seizure, onsets)[["precision", "recall"]].values.tolist() == [[0.5, 1.0]]
    # a whole-recording detection finds a channel event
    assert _pairs(match_events(_spikes([5.0], channel="LA2"), _spikes([5.01], channel=""))) == {(0, 0)}
    # grouping on channel makes "" a channel of its own: no cross-channel matches
    per_channel = score_events(seizure, onsets, by=("channel",)).set_index("channel")
    assert per_channel["n_matched"].sum() == 0
    assert per_channel.loc["", "recall"] == 0.0


# --- empty cases ----------------------------------------------------------------------


def test_no_detections_gives_nan_precision_and_zero_recall():
    row = score_events(_spikes([1.0, 2.0]), empty_events(), by=()).iloc[0]
    assert math.isnan(row.precision) and row.recall == 0.0 and row.f1 == 0.0
    assert math.isnan(row.mean_abs_delta)


def test_no_truth_gives_nan_recall_and_zero_precision():
    row = score_events(empty_events(), _spikes([1.0]), by=()).iloc[0]
    assert math.isnan(row.recall) and row.precision == 0.0 and row.f1 == 0.0


def test_both_empty():
    row = score_events(empty_events(), empty_events(), by=()).iloc[0]
    assert (row.n_true, row.n_detected, row.n_matched) == (0, 0, 0)
    assert all(math.isnan(row[c]) for c in ("precision", "recall", "f1", "mean_abs_delta"))
    assert score_events(empty_events(), empty_events()).empty
    assert match_events(empty_events(), empty_events()).empty


def test_detected_may_omit_duration_and_unused_type():
    truth = _spikes([1.0, 2.0])
    detected = pd.DataFrame({"record": [0], "channel": ["LA1"], "onset": [2.01]})
    assert _pairs(match_events(truth, detected, match_types=False)) == {(1, 0)}
    assert score_events(truth, detected, by=(), match_types=False)["recall"].item() == 0.5


# --- channel AUC and rates ------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_channel_auc_equals_sklearn(seed):
    rng = np.random.default_rng(seed)
    names = [f"C{i}" for i in range(20)]
    values = rng.normal(size=20).round(1)  # rounding makes ties
    zone = list(rng.choice(names, size=6, replace=False))
    auc = channel_auc(pd.Series(values, index=names), zone)
    assert auc == pytest.approx(roc_auc_score(np.isin(names, zone), values), rel=1e-12)


def test_channel_auc_perfect_reversed_and_constant():
    scores = {"A": 5.0, "B": 4.0, "C": 1.0, "D": 0.0}
    assert channel_auc(scores, ["A", "B"]) == 1.0
    assert channel_auc(scores, ["C", "D"]) == 0.0
    assert channel_auc(dict.fromkeys(scores, 2.0), ["A"]) == 0.5


def test_channel_auc_on_a_subset_of_channels():
    scores = {"A": 5.0, "B": 4.0, "C": 1.0, "D": 9.0}
    assert channel_auc(scores, ["A"], channels=["A", "B", "C"]) == 1.0
    assert channel_auc(scores, ["A"]) == pytest.approx(2 / 3)


def test_event_rates_count_per_minute():
    detected = make_events([1.0, 2.0, 3.0, 4.0, 5.0], 0.0, "spike", channel=["A", "A", "A", "B", ""])
    rates = event_rates(detected, duration=120.0, channels=["A", "B", "C"])
    assert rates.index.tolist() == ["A", "B", "C"]
    assert rates.tolist() == [2.0, 1.0, 0.5]  # the "" detection counts on every channel
    assert event_rates(empty_events(), duration=60.0, channels=["A"]).tolist() == [0.0]


def test_event_rates_feed_channel_auc():
    detected = _spikes([1.0, 2.0, 3.0, 4.0], channel=["LA1", "LA1", "LA2", "LB1"])
    rates = event_rates(detected, duration=60.0, channels=["LA1", "LA2", "LB1", "LB2"])
    assert channel_auc(rates, ["LA1", "LA2"]) == pytest.approx(0.875)


# --- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: match_events(_spikes([1.0]), _spikes([1.0]), match_window=0.0), ValueError, "match_window"),
        (lambda: score_events(_spikes([1.0]), _spikes([1.0]), match_window=-1), ValueError, "match_window"),
        (lambda: match_events(_spikes([1.0]), _spikes([1.0]), match_window="1"), TypeError, "match_window"),
        (lambda: match_events([1.0], _spikes([1.0])), TypeError, "truth"),
        (lambda: match_events(_spikes([1.0]).drop(columns="channel"), _spikes([1.0])), ValueError, "truth lacks"),
        (lambda: match_events(_spikes([1.0]), _spikes([1.0]).drop(columns="type")), ValueError, "detected lacks"),
        (lambda: match_events(_spikes([1.0]), _spikes([1.0, 2.0]).set_axis([0, 0])), ValueError, "detected index"),
        (lambda: score_events(_spikes([1.0]), _spikes([1.0]), by=("amplitude",)), ValueError, "by names"),
        (
            lambda: score_events(_spikes([1.0]), _spikes([1.0]).drop(columns="type"), match_types=False),
            ValueError,
            "by",
        ),
        (lambda: channel_auc({"A": 1.0, "B": 0.0}, ["A", "B"]), ValueError, "zone must hold some but not all"),
        (lambda: channel_auc({"A": 1.0, "B": 0.0}, []), ValueError, "zone must hold some but not all"),
        (lambda: channel_auc({"A": 1.0, "B": 0.0}, ["X"]), ValueError, "zone has channels ['X']"),
        (lambda: channel_auc({"A": 1.0, "B": 0.0}, "A"), TypeError, "zone"),
        (lambda: channel_auc({"A": 1.0, "B": math.nan}, ["A"]), ValueError, "scores"),
        (lambda: channel_auc([1.0, 0.0], ["A"]), TypeError, "scores"),
        (lambda: channel_auc({"A": 1.0}, ["A"], channels=["A", "Z"]), ValueError, "channels ['Z']"),
        (lambda: event_rates(_spikes([1.0]), duration=0.0, channels=["LA1"]), ValueError, "duration"),
        (lambda: event_rates(_spikes([1.0]), duration=60.0, channels=["LB1"]), ValueError, "'LA1'"),
        (lambda: event_rates(_spikes([1.0]), duration=60.0, channels="LA1"), TypeError, "channels"),
    ],
)
def test_errors_name_their_argument(call, error, words):
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    assert words in message and "\n" not in message
