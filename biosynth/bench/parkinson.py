# SPDX-License-Identifier: BSD-3-Clause
"""The Parkinson's disease suite of ``biosynth bench``: beta bursts OFF and ON medication.

Generator: :func:`biosynth.generators.simulate_parkinson`, even records OFF and odd
records ON medication. Per record: beta bursts detected on STN01 (75th percentile of the
:data:`BURST_BAND` envelope smoothed over :data:`BURST_SMOOTH_S`, with a threshold common
to OFF and ON taken from the first :data:`N_THRESHOLD_RECORDS` records, bursts > 100 ms)
and matched to the true bursts; time in bursts, beta power, tremor-band power.

Reference: the published figures of :func:`biosynth.datasets.published_figures`
(``"parkinson"``; time in bursts 27.0 % OFF / 16.1 % ON, Tinkhauser et al. 2017), and an
OFF/ON classifier on the per-record features. There are no real Parkinson's recordings to
compare with, hence no privacy section.

Every record is a function of ``(seed, record index)`` only.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from scipy import signal

from biosynth._utils.docs import fill_doc
from biosynth.card import write_card as _write_data_card
from biosynth.datasets import figure_numbers, published_entry, published_figures
from biosynth.fidelity import burst_threshold, detect_bursts, match_events
from biosynth.generators import simulate_parkinson

#: Sampling rate of the suite's records, in Hz.
SFREQ = 1000.0

#: Beta band of the burst detection, in Hz (the generator's bursts sit at 20 Hz).
BURST_BAND = (15.0, 25.0)
#: Smoothing of the burst envelope, in s (the library's default is 0.2 s, which lengthens
#: bursts by about 15 %).
BURST_SMOOTH_S = 0.05
#: Records (half OFF, half ON) whose mean 75th percentile is the common burst threshold.
N_THRESHOLD_RECORDS = 8
#: Where the published burst figures come from.
TINKHAUSER_2017 = "Tinkhauser et al. 2017, Brain 140(11):2968"

__all__ = [
    "BURST_BAND",
    "BURST_SMOOTH_S",
    "N_THRESHOLD_RECORDS",
    "TINKHAUSER_2017",
    "common_threshold",
    "generate_only",
    "published_time_in_bursts",
    "reference_note",
    "score_chunk",
    "suite_record",
    "summarise",
    "write_suite_card",
]


@cache
def _time_in_bursts() -> tuple[float, float]:
    entry = published_entry(published_figures("parkinson"), "time spent in beta bursts")
    return figure_numbers(entry["value"]["OFF"], divisor=100)[0], figure_numbers(entry["value"]["ON"], divisor=100)[0]


def published_time_in_bursts() -> dict[str, float]:
    """Published share of time in STN beta bursts, OFF and ON levodopa.

    Returns
    -------
    time_in_bursts : dict
        ``{"off": 0.270, "on": 0.161}`` (fractions of the recording time; Tinkhauser et
        al. 2017 as compiled in ``biosynth/datasets/published/parkinson.json``).
    """
    off, on = _time_in_bursts()
    return {"off": off, "on": on}


def suite_record(record: int, *, duration: float, seed: int) -> tuple[str, dict[str, xr.DataArray], pd.DataFrame]:
    """Record ``record`` of the suite.

    Parameters
    ----------
    record : int
        Record index; even OFF, odd ON medication.
    duration : float
        Length of the record, in s.
    seed : int
        Root seed; the record depends only on ``(seed, record)``.

    Returns
    -------
    state : {"off", "on"}
        Medication state.
    signals : dict of DataArray
        ``"lfp"`` and ``"acc"`` (one record each, in V and m/s^2).
    events : DataFrame
        Ground-truth bursts and tremor episodes.
    """
    state = "off" if record % 2 == 0 else "on"
    out, events = simulate_parkinson(
        duration, SFREQ, n_records=1, first_record=record, medication=state, signals=("lfp", "acc"), seed=seed,
        return_events=True,
    )  # fmt: skip
    return state, out, events


@fill_doc
def common_threshold(*, duration: float, seed: int, n_records: int = N_THRESHOLD_RECORDS) -> float:
    """The burst threshold common to OFF and ON, in V.

    Parameters
    ----------
    %(duration)s
    %(root_seed)s
    n_records : int, default=N_THRESHOLD_RECORDS
        The first records (half OFF, half ON) it is taken from.

    Returns
    -------
    threshold : float
        Mean over those records of the 75th percentile of the STN01 beta envelope, in V.
    """
    values = []
    for record in range(n_records):
        _, out, _ = suite_record(record, duration=duration, seed=seed)
        values.append(
            float(np.mean(burst_threshold(out["lfp"].isel(channel=[0]), band=BURST_BAND, smooth=BURST_SMOOTH_S)))
        )
    return float(np.mean(values))


@fill_doc
def score_chunk(start: int, stop: int, *, duration: float, seed: int, threshold: float) -> dict[str, Any]:
    """The chunk task: per-record burst detection against the ground truth, and features.

    Parameters
    ----------
    start, stop : int
        Record range.
    %(duration)s
    %(root_seed)s
    threshold : float
        Burst threshold, in V (:func:`common_threshold`).

    Returns
    -------
    chunk : dict
        ``records``: per record its state, time in bursts (fraction), recall and median
        matched duration ratio of the true bursts >= 100 ms, and log band powers (beta,
        theta, gamma of STN01; tremor band of the accelerometer).
    """
    rows = []
    for record in range(start, stop):
        state, out, events = suite_record(record, duration=duration, seed=seed)
        lfp = out["lfp"].isel(channel=[0])
        found = detect_bursts(lfp, band=BURST_BAND, smooth=BURST_SMOOTH_S, threshold=threshold).reset_index(drop=True)
        truth = events[(events["type"] == "beta_burst") & (events["duration"] >= 0.1)]
        truth = truth.assign(record=0).reset_index(drop=True)  # detect_bursts numbers its one record 0
        pairs = match_events(truth, found, match_window=0.1, by_channel=False)
        ratio = found.loc[pairs["detected_index"], "duration"].to_numpy() / truth.loc[pairs["truth_index"], "duration"]
        f, p = signal.welch(out["lfp"].values[0, 0], float(lfp.attrs["sfreq"]), nperseg=2000)
        fa, pa = signal.welch(out["acc"].values[0, 0], float(lfp.attrs["sfreq"]), nperseg=4000)
        rows.append({
            "state": state,
            "time_in_bursts": float(found["duration"].sum() / duration),
            "recall": len(pairs) / max(len(truth), 1),
            "duration_ratio": float(np.median(ratio)) if len(ratio) else float("nan"),
            "log_beta_power": float(np.log(p[(f >= 13) & (f <= 30)].sum())),
            "log_theta_power": float(np.log(p[(f >= 4) & (f < 8)].sum())),
            "log_gamma_power": float(np.log(p[(f >= 60) & (f <= 90)].sum())),
            "log_tremor_power": float(np.log(pa[(fa >= 3) & (fa <= 7)].sum() + 1e-12)),
        })  # fmt: skip
    return {"records": rows}


def summarise(chunks: list[dict[str, Any]], *, seed: int) -> dict[str, Any]:
    """Medians per state, the published time in bursts, and an OFF/ON classifier.

    Parameters
    ----------
    chunks : list of dict
        The results of :func:`score_chunk`, in chunk order.
    seed : int
        Seed of the classifier's folds.

    Returns
    -------
    summary : dict
        ``by_state`` (``"off"``/``"on"`` -> medians of the per-record figures,
        ``n_records``, ``published_time_in_bursts``) and
        ``classifier_balanced_accuracy`` (5-fold, on the per-record features).
    """
    published = published_time_in_bursts()
    rows = [row for chunk in chunks for row in chunk["records"]]
    by_state = {}
    for state in ("off", "on"):
        mine = [r for r in rows if r["state"] == state]
        by_state[state] = {
            key: _median([r[key] for r in mine])
            for key in ("time_in_bursts", "recall", "duration_ratio", "log_beta_power", "log_tremor_power")
        }
        by_state[state]["n_records"] = len(mine)
        by_state[state]["published_time_in_bursts"] = published[state]
    return {"by_state": by_state, "classifier_balanced_accuracy": _classifier(rows, seed)}


def reference_note() -> str:
    """One line saying what the suite's figures are compared with.

    Returns
    -------
    note : str
        Names the published time in bursts OFF/ON and its source.
    """
    published = published_time_in_bursts()
    return (
        f"time in bursts OFF/ON against {TINKHAUSER_2017.split(',')[0]} "
        f"({published['off'] * 100:.1f} % / {published['on'] * 100:.1f} %), see by_state"
    )


@fill_doc
def write_suite_card(
    path: str | os.PathLike, summary: dict[str, Any], *, n_compare: int, duration: float, seed: int
) -> Path:
    """The data card of the suite's LFP with its published comparisons and classifier.

    Parameters
    ----------
    path : str or path-like
        Card to write (replaced).
    summary : dict
        The suite's result so far (``by_state``, ``classifier_balanced_accuracy``).
    n_compare : int
        Records ``[0, n_compare)`` described by the card.
    %(duration)s
    %(root_seed)s

    Returns
    -------
    path : Path
        The card.
    """
    records = [suite_record(r, duration=duration, seed=seed) for r in range(n_compare)]
    lfp = xr.concat([out["lfp"] for _, out, _ in records], dim="record", combine_attrs="override")
    events = pd.concat([ev for _, _, ev in records], ignore_index=True)
    published = []
    for state, target in published_time_in_bursts().items():
        found = summary["by_state"][state]["time_in_bursts"]
        published.append({"quantity": f"time in beta bursts {state.upper()}", "synthetic": found, "published": target,
                          "source": TINKHAUSER_2017, "agrees": abs(found - target) < 0.03,
                          "tuned": True})  # fmt: skip
    published.append({"quantity": "OFF/ON classifier balanced accuracy (utility; 5-fold on synthetic records)",
                      "synthetic": summary["classifier_balanced_accuracy"], "published": "n/a (no real data)",
                      "source": "this run", "agrees": None})  # fmt: skip
    purpose = (
        "Synthetic Parkinsonian STN LFP, alternating OFF and ON medication, with ground-truth beta bursts and tremor "
        "episodes: the default dataset of `biosynth bench parkinson`. No real Parkinson's recordings were at hand, so "
        "there is no privacy section (nothing real to leak) and fidelity is against published figures. Not for "
        "clinical decisions."
    )
    return _write_data_card(lfp, path, events=events, purpose=purpose, published=published, overwrite=True)


@fill_doc
def generate_only(first: int, count: int, *, duration: float, seed: int) -> int:
    """Generate records ``[first, first + count)`` at once, without detection (scaling).

    Parameters
    ----------
    first, count : int
        First record and number of records.
    %(duration)s
    %(root_seed)s

    Returns
    -------
    samples : int
        Samples made over all signals (records x channels x times).
    """
    out = simulate_parkinson(duration, SFREQ, n_records=count, first_record=first, seed=seed)
    return int(sum(v.size for v in out.values()))


def _median(values: list[float]) -> float:
    finite = [v for v in values if np.isfinite(v)]
    return float(np.median(finite)) if finite else float("nan")


def _classifier(rows: list[dict[str, Any]], seed: int) -> float:
    from sklearn.linear_model import LogisticRegression  # scikit-learn: slow to import, needed here only
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    keys = ("log_beta_power", "log_theta_power", "log_gamma_power", "time_in_bursts")
    x = np.array([[r[k] for k in keys] for r in rows])
    y = np.array([r["state"] == "off" for r in rows])
    folds = min(5, int(y.sum()), int((~y).sum()))
    if folds < 2:
        return float("nan")
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    return float(cross_val_score(model, x, y, cv=cv, scoring="balanced_accuracy").mean())
