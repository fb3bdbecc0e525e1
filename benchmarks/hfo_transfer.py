# SPDX-License-Identifier: BSD-3-Clause
"""Detectors transfer: does an HFO detector score the same on synthetic ioECoG as on the real
recording the synthetic was fitted to?

Rerun: ``python -m benchmarks.hfo_transfer [--real-data DIR] [--out DIR] [--n-records N]``
(the Fedele recording ``ieeg_hfo_fedele_50ch.npz`` under ``DIR``, ``$BIOSYNTH_REAL_DATA`` or
``shared/data/real`` beside the checkout; skipped with a one-line reason without it). Writes
``hfo-transfer-<date>.json`` and ``.md`` under ``--out`` (default ``benchmarks/results``).

Real: the 50 referential contacts of Fedele et al. (2017), 5 s at 2 kHz, as the 43 bipolar
pairs of neighbouring contacts (:func:`biosynth.signals.layouts.bipolar_by_name`, named
``"AHR3-4"`` as the markings are), with the expert markings (60 ripples, 7 fast ripples,
1 ripple-and-fast-ripple).

Synthetic ("fitted to that recording"), several candidates, each scored against the events
it placed (the ground truth), ``--n-records`` records of 5 s scored together:

- ``spectral`` (the main one): :class:`~biosynth.generators.learned.SpectralGenerator`
  fitted with ``fit(bipolar, events=markings)``, a nonstationary Gaussian background seen
  through a learned amplitude map, plus HFOs drawn from what it learned of the markings;
  ``sample(n, seed=..., return_events=True)`` gives the records and the placed events.
- ``spectral_no_map`` (ablation): the same with ``amplitude_map=False`` (Gaussian
  marginals), to show what the learned amplitude map does to the HFO bands.
- ``spectral_transients``: the same with ``transients=True``, the transient events the
  background model cannot make (sharp transients that make the real ripple band
  heavy-tailed and inflate the detectors' baselines).
- ``phase`` and ``ar`` (comparison rows): a background fitted to the bipolar recording
  (:class:`~biosynth.generators.learned.PhaseSurrogate`, which keeps every channel's
  spectrum and cross-spectrum; :class:`~biosynth.generators.learned.ARGenerator`, an
  autoregressive model per channel) plus HFOs drawn by
  :func:`biosynth.generators.place_hfo_events` from
  :func:`biosynth.generators.learn_hfo_events` of the markings, each event's amplitude
  set from the synthetic channel's own band RMS.

Detectors: :func:`biosynth.fidelity.detect_hfos` (Staba et al. 2002 RMS) in the ripple
band (80-250 Hz, scored against ``ripple`` and ``frandr`` markings) and the fast-ripple
band (250-500 Hz, against ``fr`` and ``frandr``), with its defaults and, as a third
detector, without the rectified-peak criterion (``min_peaks=0``), at the RMS thresholds of
:data:`THRESHOLDS` (``threshold_sd``).

Match rule: a detection matches a marking when they are on the same record and channel and
their intervals ``[onset, onset + duration)`` overlap; matching is one-to-one, pairs taken
greedily by decreasing overlap. F1 = 2 matched / (marked + detected).

Ranking: the (detector, threshold) configurations ordered by F1 on real and on synthetic
data, compared by Spearman's rank correlation and by whether each threshold orders the
detectors the same.

Background tails: the excess kurtosis of each channel's ripple band (80-250 Hz) with the
events left out (marked ones on the real recording, placed ones on each synthetic record),
real against every background, and the ripple detector's recall on the pairs whose real
band background is heavy-tailed and on the others.

The ``investigation`` part measures why the reference detector misses most marked ripples
on the real recording (see the README's HFO paragraph).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.signal as sps
from scipy.stats import kurtosis, spearmanr

from benchmarks import mnehfo
from benchmarks._results import RESULTS, clean, header, quiet
from biosynth.datasets import real_data_file
from biosynth.fidelity import detect_hfos
from biosynth.generators import hfo_band_rms, learn_hfo_events, place_hfo_events
from biosynth.generators.learned import ARGenerator, PhaseSurrogate, SpectralGenerator
from biosynth.signals import make_signals
from biosynth.signals.layouts import bipolar_by_name

FILE = "ieeg_hfo_fedele_50ch.npz"
#: RMS thresholds of :func:`detect_hfos`, in SDs of the channel's RMS series (5 = Staba's).
THRESHOLDS = (1.0, 2.0, 3.0, 4.0, 5.0)
#: Detector name -> pass band (Hz), marking types it is scored against, further options.
DETECTORS: dict[str, dict[str, Any]] = {
    "staba_ripple": {"band": (80.0, 250.0), "truth": ("ripple", "frandr"), "options": {}},
    "staba_fast_ripple": {"band": (250.0, 500.0), "truth": ("fr", "frandr"), "options": {}},
    "rms_ripple": {"band": (80.0, 250.0), "truth": ("ripple", "frandr"), "options": {"min_peaks": 0}},
}
#: Synthetic candidates; the first is the main one, the others are comparison rows.
BACKGROUNDS = ("spectral", "spectral_no_map", "spectral_transients", "phase", "ar")
#: Options of :class:`SpectralGenerator` per candidate that uses it (``spectral_no_map``: the
#: ablation without the amplitude map, Gaussian marginals; ``spectral_transients``: with the
#: transient events).
SPECTRAL_OPTIONS: dict[str, dict[str, Any]] = {
    "spectral": {},
    "spectral_no_map": {"amplitude_map": False},
    "spectral_transients": {"transients": True},
}
#: Band of the background-tail measurements (the ripple detector's), in Hz.
RIPPLE_BAND = (80.0, 250.0)
#: Largest |synthetic F1 - real F1| the issue accepts.
TARGET = 0.1


# --------------------------------------------------------------------------- data


def load_fedele(folder: str | Path | None = None) -> dict[str, Any] | None:
    """The bipolar Fedele recording and its markings, or None when the file is absent.

    Parameters
    ----------
    folder : str, Path or None
        The real-data folder (None: ``$BIOSYNTH_REAL_DATA`` or the default beside the checkout).

    Returns
    -------
    real : dict or None
        ``data`` (referential, channels x samples, V), ``ch_names``, ``bipolar`` (pairs x
        samples), ``names`` (pair names), ``sfreq`` (Hz), ``seconds`` and ``markings``
        (onset, duration, type, channel, record).
    """
    try:
        path = real_data_file(FILE, folder)
    except FileNotFoundError as exc:
        print(f"skipped: {exc}")
        return None
    with np.load(path) as f:
        data, sfreq = f["data"].astype(np.float64), float(f["sfreq"])
        ch_names = [str(c) for c in f["ch_names"]]
        columns = {
            "onset": "event_onset",
            "duration": "event_duration",
            "type": "event_type",
            "channel": "event_channel",
        }
        markings = pd.DataFrame({name: f[key] for name, key in columns.items()}).assign(record=0)
    bipolar, names = bipolar_by_name(data, ch_names, short=True)
    return {
        "data": data, "ch_names": ch_names, "bipolar": bipolar, "names": names, "sfreq": sfreq,
        "seconds": data.shape[1] / sfreq, "markings": markings.astype({"type": str, "channel": str}),
    }  # fmt: skip


# --------------------------------------------------------------------------- scoring


def n_matched(truth: pd.DataFrame, detected: pd.DataFrame) -> int:
    """One-to-one matches of overlapping intervals on the same record and channel (greedy by overlap).

    Parameters
    ----------
    truth, detected : DataFrame
        ``record``, ``channel``, ``onset`` (s), ``duration`` (s).

    Returns
    -------
    n : int
    """
    pairs = (
        truth.reset_index(drop=True)
        .reset_index(names="t")
        .merge(detected.reset_index(drop=True).reset_index(names="d"), on=["record", "channel"], suffixes=("", "_d"))
    )
    overlap = np.minimum(pairs["onset"] + pairs["duration"], pairs["onset_d"] + pairs["duration_d"]) - np.maximum(
        pairs["onset"], pairs["onset_d"]
    )
    pairs = pairs.assign(overlap=overlap)[overlap > 0].sort_values("overlap", ascending=False, kind="stable")
    used_t: set[int] = set()
    used_d: set[int] = set()
    for t, d in zip(pairs["t"], pairs["d"], strict=True):
        if t not in used_t and d not in used_d:
            used_t.add(t)
            used_d.add(d)
    return len(used_t)


def score(truth: pd.DataFrame, detected: pd.DataFrame) -> dict[str, float]:
    """Counts, precision, recall and F1 of ``detected`` against ``truth`` (see :func:`n_matched`)."""
    n_true, n_det, n_match = len(truth), len(detected), n_matched(truth, detected)
    return {
        "n_true": n_true,
        "n_detected": n_det,
        "n_matched": n_match,
        "precision": n_match / n_det if n_det else float("nan"),
        "recall": n_match / n_true if n_true else float("nan"),
        "f1": 2 * n_match / (n_true + n_det) if n_true + n_det else float("nan"),
    }


def detect(signals: Any, name: str, threshold: float, **extra: Any) -> pd.DataFrame:
    """Detections of detector ``name`` at ``threshold`` (extra options override its own)."""
    spec = DETECTORS[name]
    return detect_hfos(signals, threshold_sd=threshold, **{"band": spec["band"], **spec["options"], **extra})


def score_all(signals: Any, truth: pd.DataFrame, peers: pd.DataFrame | None = None) -> dict[str, dict[str, Any]]:
    """F1 (and counts) of every detector at every threshold, plus the F1 SD over records;
    ``peers``: mne-hfo's detections on the same signals (:func:`benchmarks.mnehfo.detect`),
    scored the same way."""
    out: dict[str, dict[str, Any]] = {}
    for name, spec in DETECTORS.items():
        found = {threshold: detect(signals, name, threshold) for threshold in THRESHOLDS}
        out[name] = _scored(signals, truth[truth["type"].isin(spec["truth"])], found)
    for name, spec in mnehfo.DETECTORS.items() if peers is not None else ():
        rows = peers[peers["detector"] == name]
        found = {t: rows[rows["threshold"] == t].drop(columns=["detector", "threshold"]) for t in THRESHOLDS}
        out[name] = _scored(signals, truth[truth["type"].isin(spec["truth"])], found)
    return out


def _scored(signals: Any, kind: pd.DataFrame, found: dict[float, pd.DataFrame]) -> dict[str, Any]:
    """:func:`score` of the detections at each threshold, with the F1 SD over records."""
    records = range(signals.sizes.get("record", 1))
    out = {}
    for threshold, detected in found.items():
        per = [score(kind[kind["record"] == r], detected[detected["record"] == r])["f1"] for r in records]
        out[str(threshold)] = score(kind, detected) | {"f1_record_sd": float(np.nanstd(per)) if len(per) > 1 else None}
    return out


def peer_detections(signals: Any, python: Path | None) -> tuple[pd.DataFrame | None, dict[str, str]]:
    """mne-hfo's detections on ``signals`` (None without its environment) and its versions."""
    if python is None:
        return None, {}
    values = signals.values if "record" in signals.dims else signals.values[None]
    names = [str(c) for c in signals["channel"].values]
    return mnehfo.detect(values, float(signals.attrs["sfreq"]), names, THRESHOLDS, python)


# --------------------------------------------------------------------------- synthetic


def background(kind: str, real: Any, n_records: int, seed: int) -> np.ndarray:
    """Background records (n_records, channels, samples) from a ``phase`` or ``ar`` generator fitted to ``real``."""
    model = PhaseSurrogate() if kind == "phase" else ARGenerator(on_unstable="shrink")
    return np.asarray(model.fit(real).sample(n_records, seed=seed).values)


def synthetic(real: dict[str, Any], stats: dict[str, Any], kind: str, n_records: int, seed: int) -> tuple:
    """Synthetic records with HFOs; the container and the placed events (ground truth).

    The ``spectral`` candidates: :class:`SpectralGenerator` (with the options of
    :data:`SPECTRAL_OPTIONS`) fitted to the bipolar recording and its markings places the
    events itself. ``phase`` / ``ar``: a background plus the events
    of :func:`place_hfo_events` drawn from ``stats``.
    """
    sfreq, names = real["sfreq"], real["names"]
    fitted = make_signals(real["bipolar"], sfreq, ch_names=names, units="V", modality="ecog")
    if kind in SPECTRAL_OPTIONS:
        model = SpectralGenerator(**SPECTRAL_OPTIONS[kind]).fit(fitted, events=real["markings"])
        return model.sample(n_records, seed=seed, return_events=True)
    records = background(kind, fitted, n_records, seed)
    events = []
    for k, record in enumerate(records):
        rng = np.random.default_rng([seed, k])
        added, placed = place_hfo_events(rng, stats, len(names), record.shape[-1], sfreq, hfo_band_rms(record, sfreq))
        records[k] = record + added
        events.append(placed.assign(record=k, channel=[names[c] for c in placed["channel"]]))
    signals = make_signals(records, sfreq, ch_names=names, units="V", modality="ecog")
    return signals, pd.concat(events, ignore_index=True)


def _configs(synth: dict[str, Any]) -> list[tuple[str, str]]:
    """The (detector, threshold) configurations scored on a synthetic candidate."""
    return [(d, str(t)) for d in synth for t in THRESHOLDS]


def ranking(real: dict[str, Any], synth: dict[str, Any]) -> dict[str, Any]:
    """Spearman correlation of the configurations' F1 and whether each threshold orders the detectors alike."""
    keys = _configs(synth)
    a = np.array([real[d][t]["f1"] for d, t in keys], dtype=float)
    b = np.array([synth[d][t]["f1"] for d, t in keys], dtype=float)
    ok = np.isfinite(a) & np.isfinite(b)
    same = {}
    for t in map(str, THRESHOLDS):
        order_real = sorted(synth, key=lambda d: -real[d][t]["f1"])
        order_syn = sorted(synth, key=lambda d: -synth[d][t]["f1"])
        same[t] = order_real == order_syn
    return {"spearman": float(spearmanr(a[ok], b[ok]).statistic), "same_detector_order": same}


# --------------------------------------------------------------------------- background tails


def event_mask(events: pd.DataFrame, names: Sequence[str], sfreq: float, shape: tuple[int, int, int]) -> np.ndarray:
    """True inside an event of any type, (records, channels, samples).

    Parameters
    ----------
    events : DataFrame
        ``record`` (position), ``channel`` (name of ``names``), ``onset`` and ``duration`` (s).
    names : sequence of str
        The channel names, in the order of the rows.
    sfreq : float
        Sampling rate, in Hz.
    shape : tuple of int
        (records, channels, samples) of the signals.

    Returns
    -------
    mask : ndarray of bool
    """
    mask = np.zeros(shape, dtype=bool)
    rows = [names.index(str(c)) for c in events["channel"]]
    starts = np.round(events["onset"].to_numpy(dtype=float) * sfreq).astype(int)
    stops = np.round((events["onset"] + events["duration"]).to_numpy(dtype=float) * sfreq).astype(int)
    for r, c, a, b in zip(events["record"].to_numpy(dtype=int), rows, starts, stops, strict=True):
        mask[r, c, a : max(b, a + 1)] = True
    return mask


def band_kurtosis(records: np.ndarray, mask: np.ndarray, sfreq: float) -> np.ndarray:
    """Excess kurtosis (0 for Gaussian noise) of each record's and channel's ripple band outside ``mask``.

    Parameters
    ----------
    records : ndarray, shape (records, channels, samples)
        Signals, any unit.
    mask : ndarray of bool, same shape
        True where a sample is left out (inside an event).
    sfreq : float
        Sampling rate, in Hz.

    Returns
    -------
    kurtosis : ndarray, shape (records, channels)
    """
    filtered, _ = _band_rms_series(records, RIPPLE_BAND, sfreq, 0.003)
    return np.array(
        [[kurtosis(f[~m]) for f, m in zip(fr, mr, strict=True)] for fr, mr in zip(filtered, mask, strict=True)]
    )


def _band_background_rms(records: np.ndarray, mask: np.ndarray, sfreq: float) -> np.ndarray:
    """Ripple-band RMS of each channel outside ``mask``, over all records (channels,)."""
    filtered, _ = _band_rms_series(records, RIPPLE_BAND, sfreq, 0.003)
    power = np.where(mask, 0.0, filtered**2).sum(axis=(0, 2))
    return np.sqrt(power / np.maximum((~mask).sum(axis=(0, 2)), 1))


def amplitude_coupling(records: np.ndarray, mask: np.ndarray, sfreq: float) -> dict[str, list[float]]:
    """HFO-band power where the broadband signal is at its extremes, over its power where it is central.

    Per channel, outside ``mask``: the mean squared band-passed signal over the samples
    whose raw value is in the outer 10 % of the channel's values (5 % each side), divided
    by that over the central 50 %. 1 when the band activity is independent of the
    broadband amplitude (a Gaussian process); a pointwise amplitude transform of slope
    ``s(x)`` scales it by about the mean of ``s**2`` in the tails over the centre.

    Parameters
    ----------
    records : ndarray, shape (records, channels, samples)
    mask : ndarray of bool, same shape
        True where a sample is left out (inside an event).
    sfreq : float
        Sampling rate, in Hz.

    Returns
    -------
    coupling : dict
        Band name (``ripple``, ``fast_ripple``) -> 10, 50 and 90 % quantiles over channels.
    """
    out = {}
    for name, band in (("ripple", RIPPLE_BAND), ("fast_ripple", DETECTORS["staba_fast_ripple"]["band"])):
        filtered, _ = _band_rms_series(records, band, sfreq, 0.003)
        ratios = []
        for c in range(records.shape[1]):
            keep = ~mask[:, c]
            x, f = records[:, c][keep], filtered[:, c][keep] ** 2
            lo, q1, q3, hi = np.quantile(x, [0.05, 0.25, 0.75, 0.95])
            ratios.append(np.mean(f[(x < lo) | (x > hi)]) / np.mean(f[(x >= q1) & (x <= q3)]))
        out[name] = [float(q) for q in np.quantile(ratios, [0.1, 0.5, 0.9])]
    return out


def split_recall(signals: Any, truth: pd.DataFrame, heavy: Sequence[str]) -> dict[str, Any]:
    """Ripple detector recall and F1 at the low thresholds on the ``heavy`` channels and on the others."""
    truth = truth[truth["type"].isin(DETECTORS["staba_ripple"]["truth"])]
    out = {}
    for threshold in THRESHOLDS[:3]:
        found = detect(signals, "staba_ripple", threshold)
        for part, inside in (("heavy", True), ("other", False)):
            row = score(truth[truth["channel"].isin(heavy) == inside], found[found["channel"].isin(heavy) == inside])
            out[f"{threshold:g}_{part}"] = {k: row[k] for k in ("n_true", "n_detected", "recall", "f1")}
    return out


def background_tails(real: dict[str, Any], made: dict[str, tuple], limit: float = 3.0) -> dict[str, Any]:
    """Does each synthetic background reproduce the real heavy-tailed ripple-band background?

    Parameters
    ----------
    real : dict
        From :func:`load_fedele`.
    made : dict
        Background name -> (synthetic container, placed events).
    limit : float
        Excess kurtosis above which a channel counts as heavy-tailed.

    Returns
    -------
    tails : dict
        ``real`` and one entry per background: per-pair excess kurtosis (real: the one
        record; synthetic: median over records, and the share of records over ``limit``),
        counts of heavy pairs, the kurtosis on the real heavy pairs, the rank correlation
        over pairs with the real values, the ripple-band background RMS against the real
        one, and the ripple detector's recall on the real heavy pairs and on the others.
    """
    names, sfreq = real["names"], real["sfreq"]
    records = real["bipolar"][None]
    real_mask = event_mask(real["markings"], names, sfreq, records.shape)
    real_k = band_kurtosis(records, real_mask, sfreq)[0]
    heavy = [n for n, k in zip(names, real_k, strict=True) if k > limit]
    inside = np.isin(names, heavy)
    real_rms = _band_background_rms(records, real_mask, sfreq)
    signals = make_signals(real["bipolar"], sfreq, ch_names=names, units="V", modality="ecog")
    out: dict[str, Any] = {
        "band_hz": list(RIPPLE_BAND),
        "excess_kurtosis_limit": limit,
        "heavy_pairs": heavy,
        "real": {
            "per_pair": dict(zip(names, real_k.tolist(), strict=True)),
            "n_heavy": int(inside.sum()),
            "median_all": float(np.median(real_k)),
            "median_heavy": float(np.median(real_k[inside])),
            "max": float(real_k.max()),
            "band_power_tails_over_centre_10_50_90": amplitude_coupling(records, real_mask, sfreq),
            "recall_split": split_recall(signals, real["markings"], heavy),
        },
    }
    for kind, (made_signals, events) in made.items():
        values = np.asarray(made_signals.values)
        mask = event_mask(events, names, sfreq, values.shape)
        k = band_kurtosis(values, mask, sfreq)
        median = np.median(k, axis=0)
        count = (k > limit).sum(axis=1)
        ratio = _band_background_rms(values, mask, sfreq) / real_rms
        out[kind] = {
            "per_pair_median": dict(zip(names, median.tolist(), strict=True)),
            "per_pair_share_of_records_over_limit": dict(zip(names, (k > limit).mean(axis=0).tolist(), strict=True)),
            "n_heavy_per_record_median_min_max": [float(np.median(count)), int(count.min()), int(count.max())],
            "n_pairs_median_over_limit": int((median > limit).sum()),
            "pairs_median_over_limit_also_real_heavy": int((inside & (median > limit)).sum()),
            "median_all": float(np.median(k)),
            "median_heavy": float(np.median(k[:, inside])) if inside.any() else None,
            "max": float(k.max()),
            "spearman_pairs_vs_real": float(spearmanr(real_k, median).statistic),
            "band_rms_over_real_10_50_90": [float(q) for q in np.quantile(ratio, [0.1, 0.5, 0.9])],
            "band_power_tails_over_centre_10_50_90": amplitude_coupling(values, mask, sfreq),
            "recall_split": split_recall(made_signals, events, heavy),
        }
    return out


# --------------------------------------------------------------------------- why it fails


def _band_rms_series(x: np.ndarray, band: tuple[float, float], sfreq: float, window_s: float) -> tuple:
    """Band-passed signal and its sliding RMS (window centred), as detect_hfos documents them."""
    sos = sps.butter(4, band, btype="bandpass", fs=sfreq, output="sos")
    filtered = sps.sosfiltfilt(sos, x, axis=-1)
    n = max(1, round(window_s * sfreq))
    kernel = np.ones(n) / n
    rms = np.sqrt(np.maximum(np.apply_along_axis(np.convolve, -1, filtered**2, kernel, "same"), 0.0))
    return filtered, rms


def _marking_mask(real: dict[str, Any]) -> tuple[np.ndarray, pd.DataFrame]:
    marks = real["markings"].assign(row=lambda m: m["channel"].map(real["names"].index))
    marks = marks.assign(a=(marks["onset"] * real["sfreq"]).round().astype(int))
    marks = marks.assign(b=((marks["onset"] + marks["duration"]) * real["sfreq"]).round().astype(int))
    mask = np.zeros(real["bipolar"].shape, dtype=bool)
    for r, a, b in zip(marks["row"], marks["a"], marks["b"], strict=True):
        mask[r, a:b] = True
    return mask, marks


def threshold_inflation(real: dict[str, Any], threshold: float = 5.0) -> dict[str, Any]:
    """Does including the dense events in the baseline raise the RMS threshold past them?"""
    mask, marks = _marking_mask(real)
    ripples = marks[marks["type"].isin(DETECTORS["staba_ripple"]["truth"])]
    filtered, rms = _band_rms_series(real["bipolar"], (80.0, 250.0), real["sfreq"], 0.003)
    rows = sorted(set(ripples["row"]))
    level_all = {r: rms[r].mean() + threshold * rms[r].std() for r in rows}
    level_bg = {r: rms[r][~mask[r]].mean() + threshold * rms[r][~mask[r]].std() for r in rows}
    bg_rms = {r: np.sqrt(np.mean(filtered[r][~mask[r]] ** 2)) for r in rows}
    peak = np.array([rms[r, a:b].max() for r, a, b in zip(ripples["row"], ripples["a"], ripples["b"], strict=True)])
    rho = np.array(
        [np.sqrt(np.mean(filtered[r, a:b] ** 2)) / bg_rms[r] for r, a, b in ripples[["row", "a", "b"]].to_numpy()]
    )
    all_, bg = np.array([level_all[r] for r in ripples["row"]]), np.array([level_bg[r] for r in ripples["row"]])
    return {
        "carrying_channels": len(rows),
        "event_share_of_samples": {
            "median": float(np.median([mask[r].mean() for r in rows])),
            "max": float(max(mask[r].mean() for r in rows)),
        },
        "threshold_all_over_without_events": {
            "median": float(np.median([level_all[r] / level_bg[r] for r in rows])),
            "max": float(max(level_all[r] / level_bg[r] for r in rows)),
        },
        "threshold_over_background_rms_median": float(np.median([level_all[r] / bg_rms[r] for r in rows])),
        "ripples_peak_rms_over_threshold_all": float(np.mean(peak > all_)),
        "ripples_peak_rms_over_threshold_without_events": float(np.mean(peak > bg)),
        "ripple_rho_quantiles_10_50_90": [float(q) for q in np.quantile(rho, [0.1, 0.5, 0.9])],
    }


def peak_frequencies(real: dict[str, Any]) -> dict[str, Any]:
    """Where the marked ripples' band excess peaks, and the band-pass gain there."""
    mask, marks = _marking_mask(real)
    ripples = marks[marks["type"] == "ripple"]
    freq = []
    for r, a, b in zip(ripples["row"], ripples["a"], ripples["b"], strict=True):
        f_bg, p_bg = sps.welch(real["bipolar"][r][~mask[r]], real["sfreq"], nperseg=256)
        f, p = sps.periodogram(real["bipolar"][r, a:b], real["sfreq"], window="hann", nfft=4096)
        inside = (f >= 80.0) & (f <= 250.0)
        freq.append(f[inside][np.argmax((p - np.interp(f, f_bg, p_bg))[inside])])
    freq = np.array(freq)
    sos = sps.butter(4, (80.0, 250.0), btype="bandpass", fs=real["sfreq"], output="sos")
    _, response = sps.sosfreqz(sos, worN=np.array([80.0, 85.0, 90.0]), fs=real["sfreq"])
    return {
        "ripple_peak_hz_quantiles_10_50_90": [float(q) for q in np.quantile(freq, [0.1, 0.5, 0.9])],
        "share_at_band_edge_80_82hz": float(np.mean(freq < 82.0)),
        "share_below_90hz": float(np.mean(freq < 90.0)),
        "zero_phase_gain_at_80_85_90hz": [float(g) for g in np.abs(response) ** 2],
    }


def attrition(real: dict[str, Any], signals: Any) -> dict[str, Any]:
    """Recall and precision of the ripple detector at threshold 5 as its criteria are added, and variants."""
    truth = real["markings"][real["markings"]["type"].isin(DETECTORS["staba_ripple"]["truth"])]
    steps = {
        "rms_only": {"min_duration": 0.0, "min_peaks": 0},
        "rms_and_6ms": {"min_peaks": 0},
        "rms_and_6_peaks": {"min_duration": 0.0},
        "staba_defaults": {},
        "band_60_250": {"band": (60.0, 250.0)},
        "rms_window_10ms": {"rms_window": 0.01},
        "band_60_250_rms_window_10ms_threshold_3": {"band": (60.0, 250.0), "rms_window": 0.01, "threshold_sd": 3.0},
    }
    out = {}
    for step, options in steps.items():
        threshold = options.pop("threshold_sd", 5.0)
        row = score(truth, detect(signals, "staba_ripple", threshold, **options))
        out[step] = {k: row[k] for k in ("n_detected", "n_matched", "precision", "recall", "f1")}
    return out


def heavy_tails(real: dict[str, Any], signals: Any, limit: float = 3.0) -> dict[str, Any]:
    """Ripple recall on channels whose band-passed background (events left out) is heavy-tailed, and elsewhere.

    ``limit`` is the excess kurtosis above which a channel counts as heavy-tailed (0 for Gaussian noise).
    """
    mask, _ = _marking_mask(real)
    filtered, _ = _band_rms_series(real["bipolar"], (80.0, 250.0), real["sfreq"], 0.003)
    kurt = np.array([kurtosis(filtered[r][~mask[r]]) for r in range(filtered.shape[0])])
    heavy = [n for n, k in zip(real["names"], kurt, strict=True) if k > limit]
    truth = real["markings"][real["markings"]["type"].isin(DETECTORS["staba_ripple"]["truth"])]
    out: dict[str, Any] = {
        "excess_kurtosis_limit": limit,
        "heavy_channels": heavy,
        "excess_kurtosis_median_max": [float(np.median(kurt)), float(kurt.max())],
        "ripples_on_heavy_channels": int(truth["channel"].isin(heavy).sum()),
        "ripples": len(truth),
    }
    for threshold in THRESHOLDS[:3]:
        found = detect(signals, "staba_ripple", threshold)
        for part, inside in (("heavy", True), ("other", False)):
            t, d = truth[truth["channel"].isin(heavy) == inside], found[found["channel"].isin(heavy) == inside]
            row = score(t, d)
            out[f"staba_ripple_{threshold:g}_{part}"] = {k: row[k] for k in ("n_true", "n_detected", "recall", "f1")}
    return out


def investigate(real: dict[str, Any], signals: Any) -> dict[str, Any]:
    """Every measurement behind the README paragraph on the reference detector's failure."""
    return {
        "recording_s": real["seconds"],
        "threshold_inflation": threshold_inflation(real),
        "peak_frequency": peak_frequencies(real),
        "attrition_at_threshold_5": attrition(real, signals),
        "heavy_tailed_background": heavy_tails(real, signals),
    }


# --------------------------------------------------------------------------- report


def _row(det: str, t: str, real: dict, synth: dict[str, dict], kinds: Sequence[str]) -> str:
    r = real[det][t]
    cells = [f"{r['f1']:.3f} ({r['n_matched']}/{r['n_true']}, {r['n_detected']} det)"]
    for kind in kinds:
        s = synth[kind][det][t]
        diff = abs(s["f1"] - r["f1"])
        sds = f" ({diff / s['f1_record_sd']:.1f} SD)" if s["f1_record_sd"] else ""
        mark = "" if diff <= TARGET else " **>0.1**"
        cells += [f"{s['f1']:.3f} ± {s['f1_record_sd']:.2f}", f"{diff:.3f}{sds}{mark}"]
    return f"| {det} | {t} | " + " | ".join(cells) + " |"


def _f1_table(result: dict[str, Any], kinds: Sequence[str]) -> list[str]:
    real, synth = result["real"], result["synthetic"]
    head = " | ".join(f"synthetic F1 ({k}) ± SD per 5-s record | abs diff ({k})" for k in kinds)
    return [
        f"| detector | threshold_sd | real F1 (matched/marked, detections) | {head} |",
        "| --- | --- | --- |" + " --- | --- |" * len(kinds),
        *[_row(d, t, real, synth, kinds) for d, t in _configs(synth[kinds[0]])],
    ]


def _summary(result: dict[str, Any]) -> list[str]:
    lines = [
        "| background | max abs diff | configs within 0.1 | within 0.1 everywhere | Spearman (configs) "
        "| same detector order |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    real = result["real"]
    for kind in BACKGROUNDS:
        rank, diff, synth = result["ranking"][kind], result["max_abs_diff"][kind], result["synthetic"][kind]
        diffs = [abs(synth[d][t]["f1"] - real[d][t]["f1"]) for d, t in _configs(synth)]
        inside = f"{sum(x <= TARGET for x in diffs)}/{len(diffs)}"
        same = f"{sum(rank['same_detector_order'].values())}/{len(THRESHOLDS)} thresholds"
        lines.append(
            f"| {kind} | {diff:.3f} | {inside} | {result['within_target'][kind]} | {rank['spearman']:.2f} | {same} |"
        )
    return lines


def _tails(tails: dict[str, Any]) -> list[str]:
    real, kinds, limit = tails["real"], BACKGROUNDS, tails["excess_kurtosis_limit"]
    heavy = tails["heavy_pairs"]

    def cells(fn: Any) -> str:
        return " | ".join(fn(tails[k]) for k in kinds)

    lines = [
        f"## Heavy-tailed ripple-band background (excess kurtosis of {tails['band_hz'][0]:g}-"
        f"{tails['band_hz'][1]:g} Hz outside the events)",
        "",
        "Real: the one 5-s record, marked events left out. Synthetic: each 5-s record, its placed events left out.",
        "",
        "| | real | " + " | ".join(kinds) + " |",
        "| --- | --- |" + " --- |" * len(kinds),
        f"| pairs over {limit:g} (synthetic: per record, median [min-max]) | {real['n_heavy']} of "
        f"{len(real['per_pair'])} | "
        + cells(lambda t: "{:g} [{}-{}]".format(*t["n_heavy_per_record_median_min_max"]))
        + " |",
        f"| pairs whose median over records is over {limit:g} (of them real heavy) | {real['n_heavy']} | "
        + cells(lambda t: f"{t['n_pairs_median_over_limit']} ({t['pairs_median_over_limit_also_real_heavy']})")
        + " |",
        f"| median over pairs | {real['median_all']:.2f} | " + cells(lambda t: f"{t['median_all']:.2f}") + " |",
        f"| median on the {len(heavy)} real heavy pairs | {real['median_heavy']:.1f} | "
        + cells(lambda t: f"{t['median_heavy']:.2f}")
        + " |",
        f"| largest | {real['max']:.0f} | " + cells(lambda t: f"{t['max']:.1f}") + " |",
        "| Spearman over pairs, synthetic median vs real | 1 | "
        + cells(lambda t: f"{t['spearman_pairs_vs_real']:.2f}")
        + " |",
        "| band background RMS / real, 10-50-90 % over pairs | 1 | "
        + cells(lambda t: "{:.2f}-{:.2f}-{:.2f}".format(*t["band_rms_over_real_10_50_90"]))
        + " |",
    ]
    for band in ("ripple", "fast_ripple"):

        def coupling(t: dict[str, Any], band: str = band) -> str:
            return "{:.2f}-{:.2f}-{:.2f}".format(*t["band_power_tails_over_centre_10_50_90"][band])

        lines.append(
            f"| {band} band power at the outer 10 % of raw values / at the central 50 %, 10-50-90 % over pairs "
            f"| {coupling(real)} | " + cells(coupling) + " |"
        )
    lines += [
        "",
        "Per real heavy pair (synthetic: median over records, in brackets the share of records over the limit):",
        "",
        "| pair | real | " + " | ".join(kinds) + " |",
        "| --- | --- |" + " --- |" * len(kinds),
    ]
    for name in heavy:
        synth = " | ".join(
            f"{tails[k]['per_pair_median'][name]:.2f} ({tails[k]['per_pair_share_of_records_over_limit'][name]:.0%})"
            for k in kinds
        )
        lines.append(f"| {name} | {real['per_pair'][name]:.1f} | {synth} |")
    lines += [
        "",
        "staba_ripple recall (F1) on the real heavy pairs and on the others:",
        "",
        "| threshold_sd | pairs | real | " + " | ".join(kinds) + " |",
        "| --- | --- | --- |" + " --- |" * len(kinds),
    ]
    for key, row in real["recall_split"].items():
        threshold, part = key.split("_")

        def show(r: dict[str, Any]) -> str:
            return f"{r['recall']:.2f} ({r['f1']:.2f})" if r["n_true"] else "-"

        others = " | ".join(show(tails[k]["recall_split"][key]) for k in kinds)
        lines.append(f"| {threshold} | {part} ({row['n_true']} real ripples) | {show(row)} | {others} |")
    return lines


def markdown(result: dict[str, Any]) -> str:
    """The result as a markdown report."""
    args, main, others = result["arguments"], BACKGROUNDS[0], BACKGROUNDS[1:]
    lines = [
        f"# HFO detectors transfer (Fedele 2017 recording), {result['date']}",
        "",
        f"Machine: {result['machine']['platform']}, {result['machine']['cpus']} CPUs. "
        f"Synthetic: {args['n_records']} records of 5 s per background, seed {args['seed']}. "
        "Match: same channel and overlapping intervals, one-to-one by largest overlap. "
        f"Rerun: `{result['command']} --n-records {args['n_records']} --seed {args['seed']}` "
        f"({result['total_s']:.0f} s).",
        "",
        f"## Main candidate: {main}",
        "",
        f"`SpectralGenerator().fit(bipolar, events=markings)`, then `sample({args['n_records']}, "
        f"seed={args['seed']}, return_events=True)`; placed events: {result['synthetic_truth_counts'][main]}.",
        "",
        *_f1_table(result, [main]),
        "",
        "## Comparison rows: " + ", ".join(others),
        "",
        *_f1_table(result, others),
        "",
        "## Summary",
        "",
        *_summary(result),
        "",
        *_tails(result["background_tails"]),
        "",
        f"mne-hfo: {result['mne_hfo']}",
        "",
        "## Why the reference detector misses the marked ripples",
        "",
        "```json",
        json.dumps(clean(result["investigation"]), indent=1),
        "```",
        "",
    ]
    return "\n".join(lines)


def run(folder: str | Path | None, n_records: int, seed: int, python: Path | None = None) -> dict[str, Any] | None:
    """Every figure of the benchmark (None when the recording is absent); ``python``: the
    interpreter of the mne-hfo environment (:func:`benchmarks.mnehfo.interpreter`), None
    to score biosynth's detectors alone."""
    real = load_fedele(folder)
    if real is None:
        return None
    signals = make_signals(real["bipolar"], real["sfreq"], ch_names=real["names"], units="V", modality="ecog")
    stats = learn_hfo_events(real["markings"], real["data"], real["sfreq"], real["ch_names"], real["seconds"])
    peers, versions = peer_detections(signals, python)
    real_scores = score_all(signals, real["markings"], peers)
    synth, truth_counts, made = {}, {}, {}
    for kind in BACKGROUNDS:
        made[kind] = synthetic(real, stats, kind, n_records, seed)
        peers = peer_detections(made[kind][0], python)[0] if kind == BACKGROUNDS[0] else None  # the main one
        synth[kind] = score_all(*made[kind], peers)
        truth_counts[kind] = made[kind][1]["type"].value_counts().to_dict()
    diffs = {
        k: max(abs(synth[k][d][t]["f1"] - real_scores[d][t]["f1"]) for d, t in _configs(synth[k])) for k in BACKGROUNDS
    }
    return {
        "learned_stats": stats,
        "synthetic_truth_counts": truth_counts,
        "real": real_scores,
        "synthetic": synth,
        "max_abs_diff": diffs,
        "within_target": {k: bool(v <= TARGET) for k, v in diffs.items()},
        "ranking": {k: ranking(real_scores, synth[k]) for k in BACKGROUNDS},
        "background_tails": background_tails(real, made),
        "mne_hfo": mnehfo.status(python, versions),
        "investigation": investigate(real, signals),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real-data", default=None, help="folder of the real recordings")
    parser.add_argument("--out", type=Path, default=None, help="folder for the results (default benchmarks/results)")
    parser.add_argument("--n-records", type=int, default=20, help="synthetic 5-s records per background (default 20)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        python = mnehfo.interpreter()
    except ValueError as exc:
        parser.error(str(exc))
    start = time.perf_counter()
    try:
        with quiet():
            result = run(args.real_data, args.n_records, args.seed, python)
    except RuntimeError as exc:  # the mne-hfo environment failed: one line, not a traceback
        raise SystemExit(f"hfo_transfer: {exc}") from None
    if result is None:
        return
    out = header("python -m benchmarks.hfo_transfer", vars(args)) | result | {"total_s": time.perf_counter() - start}
    folder = args.out or RESULTS
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"hfo-transfer-{out['date']}"
    stem.with_suffix(".json").write_text(json.dumps(clean(out), indent=2))
    stem.with_suffix(".md").write_text(markdown(out))
    print(markdown(out))
    print(f"wrote {stem}.json and .md")


if __name__ == "__main__":
    main()
