# SPDX-License-Identifier: BSD-3-Clause
"""Event-level scoring of detectors (spikes, HFOs, seizures) against the exactly known
events of synthetic recordings, and channel-level ROC AUC for the epileptogenic zone.

Conventions
-----------
* Tables follow :mod:`biosynth.signals.events` (``record, channel, onset, duration,
  type``; onsets in s). The detected table may omit ``duration`` (taken as 0 s) and,
  when types are neither matched nor grouped on, ``type``.
* A true event and a detection can match when they share the record, the type (with
  ``match_types=True``) and the channel (with ``by_channel=True``), and their onsets
  differ by at most ``match_window`` seconds (inclusive, with a 1 ns slack for
  floating-point rounding). Durations are not used.
* The channel ``""`` (all channels) is a wildcard when matching by channel: a
  whole-recording true event can be matched by a detection on any channel and a
  whole-recording detection can match a true event on any channel. Matching stays
  one-to-one, so the further channel detections of one whole-recording event count as
  false positives; score such events with ``by_channel=False``.
* Matching is one-to-one and greedy: candidate pairs are accepted in order of
  increasing ``|onset_det - onset_true|`` (ties: earlier true event, then earlier
  detection) unless either member is already matched. When the true events of a
  (record, type, channel) stream are more than ``2 * match_window`` apart, every
  detection is a candidate for at most one true event and the greedy matching equals
  the optimal assignment (most matches, then least total ``|delta|``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from biosynth._utils.check import check_positive, check_type, fmt_value
from biosynth._utils.deprecation import renamed_arguments
from biosynth.signals.events import ALL_CHANNELS, validate_events

#: Slack added to the match window so that the boundary stays inclusive despite rounding, in s.
_SLACK = 1e-9
#: Column that carries the caller's row labels through :func:`validate_events`.
_ROW = "_biosynth_row"
#: Columns of the table returned by :func:`score_events`, after the group columns.
SCORE_COLUMNS = ("n_true", "n_detected", "n_matched", "precision", "recall", "f1", "mean_abs_delta")


@renamed_arguments({"tolerance": "match_window"}, since="0.2", until="0.3")
def match_events(
    truth: pd.DataFrame,
    detected: pd.DataFrame,
    *,
    match_window: float = 0.05,
    by_channel: bool = True,
    match_types: bool = True,
) -> pd.DataFrame:
    """Match detections one-to-one to true events by onset.

    Parameters
    ----------
    truth : DataFrame
        True events (an event table of :mod:`biosynth.signals.events`).
    detected : DataFrame
        Detections; ``duration`` may be absent, and ``type`` too when
        ``match_types=False``.
    match_window : float
        Largest ``|onset_det - onset_true|`` of a match, in s (inclusive; mir_eval's
        onset ``window``). Called ``tolerance`` before biosynth 0.2 (the old name
        warns until 0.3).
    by_channel : bool
        Match only on the same channel (``""`` is a wildcard, see the module notes);
        False ignores channels.
    match_types : bool
        Match only events of the same ``type``.

    Returns
    -------
    matches : DataFrame
        One row per match, in order of the true events (record, onset): ``truth_index``
        and ``detected_index`` (the row labels of ``truth`` and ``detected``) and
        ``delta``, ``onset_det - onset_true`` in s.

    Notes
    -----
    Greedy by smallest onset difference; equal to the optimal assignment when the
    match windows of the true events do not overlap (see the module notes).

    Examples
    --------
    >>> from biosynth.signals.events import make_events
    >>> truth = make_events([1.0, 2.0], 0.0, "spike", channel="LA1")
    >>> found = make_events([1.02, 3.0], 0.0, "spike", channel="LA1")
    >>> match_events(truth, found)[["truth_index", "detected_index"]].values.tolist()
    [[0, 0]]
    """
    match_window = check_positive("match_window", match_window, unit="s")
    truth = _events(truth, "truth")
    detected = _events(detected, "detected", need_type=match_types)
    exact = ["record", "type"] if match_types else ["record"]
    t_pos, d_pos, delta = _match(truth, detected, match_window, exact, wildcard=by_channel)
    return pd.DataFrame(
        {
            "truth_index": truth[_ROW].to_numpy()[t_pos],
            "detected_index": detected[_ROW].to_numpy()[d_pos],
            "delta": delta,
        }
    )


@renamed_arguments({"tolerance": "match_window"}, since="0.2", until="0.3")
def score_events(
    truth: pd.DataFrame,
    detected: pd.DataFrame,
    *,
    match_window: float = 0.05,
    by: Sequence[str] | str = ("type",),
    by_channel: bool = True,
    match_types: bool = True,
) -> pd.DataFrame:
    """Precision, recall and F1 of detections against true events, per group.

    Parameters
    ----------
    truth, detected : DataFrame
        True events and detections, as in :func:`match_events`.
    match_window : float
        Largest onset difference of a match, in s (inclusive); ``tolerance`` before
        biosynth 0.2 (the old name warns until 0.3).
    by : sequence of str or str
        Columns (of both tables) to group on, e.g. ``("type",)``, ``("channel",)``,
        ``("record", "type")``; ``()`` scores everything as one group. Matches never
        cross groups: grouping on ``"channel"`` matches channels exactly (``""`` is
        then a channel of its own, not a wildcard).
    by_channel, match_types : bool
        As in :func:`match_events`.

    Returns
    -------
    scores : DataFrame
        One row per group present in either table, sorted by the group columns, then
        ``n_true``, ``n_detected``, ``n_matched``, ``precision`` (matched / detected;
        NaN without detections), ``recall`` (matched / true; NaN without true events),
        ``f1`` (``2 n_matched / (n_true + n_detected)``, the harmonic mean of precision
        and recall; 0 when one side is empty, NaN when both are) and
        ``mean_abs_delta`` (mean ``|onset_det - onset_true|`` of the matches in s; NaN
        without matches).

    Examples
    --------
    >>> from biosynth.signals.events import make_events
    >>> truth = make_events([1.0, 2.0, 3.0, 4.0], 0.0, "spike")
    >>> found = make_events([1.01, 2.02, 3.5], 0.0, "spike")
    >>> score_events(truth, found)[["type", "n_matched", "precision", "recall"]].round(3).values.tolist()
    [['spike', 2, 0.667, 0.5]]
    """
    match_window = check_positive("match_window", match_window, unit="s")
    by = _by(by)
    truth = _events(truth, "truth")
    detected = _events(detected, "detected", need_type=match_types or "type" in by, by=by)
    _check_by(by, truth, detected)
    exact = list(dict.fromkeys(["record", *(["type"] if match_types else []), *by]))
    wildcard = by_channel and "channel" not in by
    t_pos, _, delta = _match(truth, detected, match_window, exact, wildcard=wildcard)
    return _tally(truth, detected, t_pos, np.abs(delta), by)


def channel_auc(
    scores: Mapping[str, float] | pd.Series,
    zone: Sequence[str],
    *,
    channels: Sequence[str] | None = None,
) -> float:
    """ROC AUC of a per-channel score for "is this contact in the epileptogenic zone".

    Parameters
    ----------
    scores : Mapping[str, float] or Series
        Detector score per channel name, higher meaning more likely in the zone (e.g.
        detections per minute from :func:`event_rates`).
    zone : sequence of str
        Channels in the zone (e.g. the resected contacts); each must be scored.
    channels : sequence of str | None
        Channels to evaluate; None takes every channel of ``scores``.

    Returns
    -------
    auc : float
        Probability that a zone channel outscores a channel outside it, ties counting
        one half (Mann-Whitney U / (n_in n_out)); equals
        :func:`sklearn.metrics.roc_auc_score` on the zone membership. 1 is a perfect
        separation, 0.5 chance (and constant scores).

    Examples
    --------
    >>> channel_auc({"LA1": 9.0, "LA2": 7.0, "LB1": 1.0, "LB2": 0.5}, ["LA1", "LA2"])
    1.0
    """
    series = _scores(scores)
    if channels is None:
        channels = list(series.index)
    channels = _names(channels, "channels")
    unscored = [c for c in channels if c not in series.index]
    if unscored:
        raise ValueError(
            f"channels {fmt_value(unscored)} have no entry in scores; scores has {fmt_value(list(series.index))}."
        )
    in_zone = _zone_mask(zone, channels)
    ranks = rankdata(series.loc[channels].to_numpy(dtype=float))
    n_in, n_out = int(in_zone.sum()), int((~in_zone).sum())
    return float((ranks[in_zone].sum() - n_in * (n_in + 1) / 2) / (n_in * n_out))


def event_rates(detected: pd.DataFrame, *, duration: float, channels: Sequence[str]) -> pd.Series:
    """Detections per minute on each channel.

    Parameters
    ----------
    detected : DataFrame
        Detections (an event table; ``duration`` and ``type`` may be absent). All
        records are pooled; detections on channel ``""`` (all channels) count for
        every channel.
    duration : float
        Recorded time the detections come from, in s (summed over records).
    channels : sequence of str
        Channels to report, in order; every detection's channel must be among them.

    Returns
    -------
    rates : Series
        Detections per minute (min⁻¹), indexed by ``channels``; 0 for channels without
        detections.

    Examples
    --------
    >>> from biosynth.signals.events import make_events
    >>> found = make_events([1.0, 5.0, 7.0], 0.0, "spike", channel=["A", "A", "B"])
    >>> event_rates(found, duration=60.0, channels=["A", "B", "C"]).tolist()
    [2.0, 1.0, 0.0]
    """
    duration = check_positive("duration", duration, unit="s")
    channels = _names(channels, "channels")
    detected = _events(detected, "detected", need_type=False)
    unknown = sorted(set(detected["channel"]) - set(channels) - {ALL_CHANNELS})
    if unknown:
        raise ValueError(f"detected has channels {fmt_value(unknown)} not in channels {fmt_value(channels)}.")
    counts = detected["channel"].value_counts()
    everywhere = int(counts.get(ALL_CHANNELS, 0))
    per_channel = counts.reindex(channels, fill_value=0).to_numpy(dtype=float) + everywhere
    index = pd.Index(channels, name="channel", dtype=object)
    return pd.Series(per_channel * 60.0 / duration, index=index, name="rate_per_min")


# --- validation -----------------------------------------------------------------------


def _events(events: Any, name: str, *, need_type: bool = True, by: Sequence[str] = ()) -> pd.DataFrame:
    """Validated, sorted copy of an event table carrying the caller's row labels."""
    check_type(name, events, pd.DataFrame, "a pandas DataFrame (an event table)")
    if not events.index.is_unique:
        duplicated = events.index[events.index.duplicated()].unique().tolist()
        raise ValueError(
            f"{name} index must be unique (it labels the matches), got duplicated {fmt_value(duplicated)}."
        )
    frame = events.assign(**{_ROW: events.index})
    if name == "detected":
        frame = _fill_detected(frame, need_type, by)
    out = validate_events(frame, name)
    bad = [c for c in out["channel"] if not isinstance(c, str)]
    if bad:
        raise ValueError(
            f"{name} channel must hold channel names (str, '' for all channels), got {fmt_value(bad[:3])}."
        )
    return out


def _fill_detected(frame: pd.DataFrame, need_type: bool, by: Sequence[str]) -> pd.DataFrame:
    """Default the columns a detector need not report: duration 0 s and, if unused, type."""
    if "type" not in frame.columns and need_type:
        reason = "by" if "type" in by else "match_types=True"
        raise ValueError(f"detected lacks column 'type', needed for {reason}; add it or do without type matching.")
    defaults = {"duration": 0.0, "type": ""}
    return frame.assign(**{k: v for k, v in defaults.items() if k not in frame.columns})


def _by(by: Any) -> list[str]:
    """The grouping columns as a list (a single name is accepted)."""
    if isinstance(by, str):
        return [by]
    by = list(check_type("by", by, (list, tuple), "a sequence of column names such as ('type',)"))
    bad = [b for b in by if not isinstance(b, str)]
    if bad or len(set(by)) != len(by):
        raise ValueError(f"by must hold distinct column names, got {fmt_value(by)}.")
    return by


def _check_by(by: Sequence[str], truth: pd.DataFrame, detected: pd.DataFrame) -> None:
    for name, table in (("truth", truth), ("detected", detected)):
        missing = [b for b in by if b not in table.columns or b == _ROW]
        if missing:
            columns = [c for c in table.columns if c != _ROW]
            raise ValueError(f"by names columns {missing} that {name} lacks; {name} has {columns}.")


def _names(names: Any, name: str) -> list[str]:
    """A list of distinct channel names."""
    if isinstance(names, str) or not isinstance(names, Sequence | np.ndarray | pd.Index):
        raise TypeError(f"{name} must be a sequence of channel names, got {type(names).__name__} {fmt_value(names)}.")
    names = list(names)
    if not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        raise ValueError(f"{name} must hold distinct channel names (str), got {fmt_value(names)}.")
    return names


def _scores(scores: Any) -> pd.Series:
    """Per-channel scores as a float Series with finite values."""
    if not isinstance(scores, Mapping | pd.Series):
        raise TypeError(f"scores must be a mapping or Series of channel -> score, got {type(scores).__name__}.")
    series = pd.Series(dict(scores.items()), dtype=object)
    numeric = pd.to_numeric(series, errors="coerce").astype(float)
    bad = series.index[~np.isfinite(numeric.to_numpy())].tolist()
    if bad:
        raise ValueError(f"scores must be finite numbers, got {fmt_value(series[bad].to_dict())}.")
    return numeric


def _zone_mask(zone: Any, channels: list[str]) -> np.ndarray:
    """Boolean zone membership of ``channels``; some but not all must be in the zone."""
    zone = _names(zone, "zone")
    unknown = [z for z in zone if z not in channels]
    if unknown:
        raise ValueError(f"zone has channels {fmt_value(unknown)} not among the scored channels {fmt_value(channels)}.")
    in_zone = np.isin(np.asarray(channels, dtype=object), np.asarray(zone, dtype=object))
    if in_zone.all() or not in_zone.any():
        raise ValueError(
            f"zone must hold some but not all of the {len(channels)} scored channels for a ROC AUC, "
            f"got {int(in_zone.sum())} of them."
        )
    return in_zone


# --- matching ---------------------------------------------------------------------------


def _match(
    truth: pd.DataFrame, detected: pd.DataFrame, match_window: float, exact: list[str], *, wildcard: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Greedy one-to-one matching: positions in ``truth`` and ``detected`` and the deltas (s)."""
    t_pos, d_pos, delta = _candidates(truth, detected, match_window, exact)
    if wildcard:
        t_ch = truth["channel"].to_numpy(dtype=object)[t_pos]
        d_ch = detected["channel"].to_numpy(dtype=object)[d_pos]
        keep = (t_ch == d_ch) | (t_ch == ALL_CHANNELS) | (d_ch == ALL_CHANNELS)
        t_pos, d_pos, delta = t_pos[keep], d_pos[keep], delta[keep]
    chosen = _greedy(t_pos, d_pos, delta, len(truth), len(detected))
    order = np.argsort(t_pos[chosen], kind="stable")
    return t_pos[chosen][order], d_pos[chosen][order], delta[chosen][order]


def _candidates(
    truth: pd.DataFrame, detected: pd.DataFrame, match_window: float, exact: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (true, detected) pair equal on ``exact`` with onsets within the match window."""
    keys = pd.concat([truth[exact], detected[exact]], ignore_index=True)
    group = keys.groupby(exact, sort=False, dropna=False).ngroup().to_numpy()
    t_group, d_group = group[: len(truth)], group[len(truth) :]
    t_on, d_on = truth["onset"].to_numpy(), detected["onset"].to_numpy()
    pairs = [_window_pairs(np.flatnonzero(t_group == g), np.flatnonzero(d_group == g), t_on, d_on, match_window)
             for g in np.intersect1d(t_group, d_group)]  # fmt: skip
    t_pos = np.concatenate([np.empty(0, np.int64), *(p[0] for p in pairs)])
    d_pos = np.concatenate([np.empty(0, np.int64), *(p[1] for p in pairs)])
    delta = d_on[d_pos] - t_on[t_pos]
    keep = np.abs(delta) <= match_window + _SLACK
    return t_pos[keep], d_pos[keep], delta[keep]


def _window_pairs(
    t_idx: np.ndarray, d_idx: np.ndarray, t_on: np.ndarray, d_on: np.ndarray, match_window: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of one group whose onsets lie within the match window (detections sorted by onset)."""
    d_sorted = d_idx[np.argsort(d_on[d_idx], kind="stable")]
    onsets = d_on[d_sorted]
    lo = np.searchsorted(onsets, t_on[t_idx] - match_window - _SLACK, side="left")
    hi = np.searchsorted(onsets, t_on[t_idx] + match_window + _SLACK, side="right")
    counts = hi - lo
    starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
    return np.repeat(t_idx, counts), d_sorted[starts + np.arange(counts.sum())]


def _greedy(t_pos: np.ndarray, d_pos: np.ndarray, delta: np.ndarray, n_true: int, n_det: int) -> np.ndarray:
    """Indices of the accepted candidates, smallest ``|delta|`` first."""
    order = np.lexsort((d_pos, t_pos, np.abs(delta)))
    t_used, d_used = np.zeros(n_true, bool), np.zeros(n_det, bool)
    chosen = []
    for k in order.tolist():
        t, d = t_pos[k], d_pos[k]
        if not (t_used[t] or d_used[d]):
            t_used[t] = d_used[d] = True
            chosen.append(k)
    return np.asarray(chosen, dtype=np.int64)


# --- tallies ----------------------------------------------------------------------------


def _tally(
    truth: pd.DataFrame, detected: pd.DataFrame, t_pos: np.ndarray, abs_delta: np.ndarray, by: list[str]
) -> pd.DataFrame:
    """Counts and rates per group of ``by`` (one row for ``by=[]``)."""
    matched = truth.iloc[t_pos].assign(abs_delta=abs_delta)
    if not by:
        counts = {"n_true": [len(truth)], "n_detected": [len(detected)], "n_matched": [len(matched)]}
        table = pd.DataFrame(counts | {"mean_abs_delta": [_mean(abs_delta)]})
    else:
        groups = matched.groupby(by, dropna=False)["abs_delta"]
        columns = {
            "n_true": truth.groupby(by, dropna=False).size(),
            "n_detected": detected.groupby(by, dropna=False).size(),
            "n_matched": groups.size(),
            "mean_abs_delta": groups.mean(),
        }
        table = pd.DataFrame(columns).sort_index().reset_index()
        table = table.rename(columns={"index": by[0]}) if len(by) == 1 else table
    return _rates(table, by)


def _rates(table: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Add precision, recall and F1 to a table of counts."""
    counts = ["n_true", "n_detected", "n_matched"]
    table[counts] = table[counts].fillna(0).astype(np.int64)
    n_true, n_det, n_match = (table[c].to_numpy(dtype=float) for c in counts)
    table["precision"] = _ratio(n_match, n_det)
    table["recall"] = _ratio(n_match, n_true)
    table["f1"] = _ratio(2 * n_match, n_true + n_det)
    table["mean_abs_delta"] = table["mean_abs_delta"].astype(float)
    return table[[*by, *SCORE_COLUMNS]]


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den``, NaN where ``den`` is 0."""
    return np.where(den > 0, num / np.maximum(den, 1.0), np.nan)


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.size else float("nan")
