# SPDX-License-Identifier: BSD-3-Clause
"""Synthetic intracranial epileptic EEG (:func:`biosynth.generators.simulate_ioecog`) against
the Bonn epilepsy database: fidelity and downstream utility.

Rerun: ``python -m benchmarks.epilepsy`` (real recordings under ``$BIOSYNTH_REAL_DATA`` or
``shared/data/real`` beside the checkout; without the Bonn files the run is skipped with a
message).
Writes ``benchmarks/results/epilepsy-<date>.json``; ``--report-dir DIR`` also writes the
HTML fidelity reports (about 0.5 MB each) to ``DIR``.

Real data: Bonn sets A (healthy, surface, eyes open), B (eyes closed), C (interictal,
intracranial, hippocampal formation opposite the epileptogenic zone), D (interictal,
within the zone) and E (ictal), 100 single-channel segments of 4097 samples at
173.61 Hz each (Andrzejak et al. 2001, Phys Rev E 64:061907), in uV.

Synthetic segments matched to Bonn (:func:`simulate_segments`): ``simulate_ioecog`` on a
4-contact strip (layout ``"1x4"``, 1-cm spacing, contacts S1-S4), epileptogenic zone the
single contact S2, awake (``anaesthesia=None``), generated at 6 x 173.61 = 1041.66 Hz (so
HFOs are made, and the decimation to Bonn's rate is an exact factor of 6). The zone
contact is then processed like the Bonn recordings: a 2nd-order Butterworth band-pass
0.53-40 Hz (12 dB/octave per edge, the amplifier setting of Andrzejak et al. 2001),
applied causally like the analog filter, then :func:`biosynth.signals.resample` to
173.61 Hz (polyphase, Kaiser anti-aliasing filter), then a 4097-sample crop:

* interictal: 30 s with the generator's default zone events (spikes, sharp waves,
  ripples, fast ripples; the HFOs vanish below 40 Hz), no seizure; the crop starts at a
  uniform random time in [3, 6] s (past the filter's start-up transient);
* ictal: 40 s with one seizure from 2 s lasting 36 s (records alternate between the
  ``"lvfa"``, ``"rhythmic_spiking"`` and ``"epileptor"`` onset patterns), no interictal events; the crop
  starts at a uniform random time in [3, 14] s, so crops sample early and late seizure
  phases as Bonn set E does, and lie inside the seizure.

Calibration (:func:`calibrate`), the only use of real data to set the generator: a seeded
20 segments of each Bonn set form a *calibration split*, the other 80 the *evaluation
split*. From the calibration split only: the background amplitude (and with it the zone
events, whose amplitudes keep the generator's ratio to the background) is scaled so the
median segment SD of synthetic interictal equals that of real C+D; the seizure amplitude
so the median SD of synthetic ictal equals that of real E; and a per-segment recording
gain (lognormal, median 1: electrode, patient and amplifier differences between Bonn
segments) gets the spread of log-SD of the real segments beyond that of the generator
(robust SD, IQR / 1.349). Pilot batches of :data:`N_PILOT` segments measure the
generator's own SDs. Before that, the background's spectral shape: the aperiodic exponent
and knee frequency are corrected once so that a knee fit (1-30 Hz) of the median spectrum
of synthetic interictal segments matches that of the real calibration segments (awake
hippocampal recordings have a lower knee than the intraoperative ECoG the defaults were
fitted to). Nothing else (event rates and shapes, seizure patterns) is fitted: those stay
at the generator's defaults.

(a) Fidelity: :func:`biosynth.fidelity.compare` (sections spectral, statistical, nonlinear,
multivariate; median ratio to real-vs-real per section, lower is closer, 1 is as close as
one half of the real segments is to the other) of synthetic interictal against real D and
C, synthetic ictal against real E (and per onset pattern), with real-vs-real references on
the same scale: D vs C (two interictal sets), D vs E and A vs E (mismatched classes). All
100 real segments per set; 100 synthetic per class.

(b) Utility: per segment, the scalar features of
:func:`biosynth.fidelity.extract_features` (relative and log band powers in the EEG
bands, peak frequency, spectral edge, SD, skewness, kurtosis and the default nonlinear
measures: entropies, fractal dimensions, Hjorth, line length, ...) averaged over the one
channel by :func:`biosynth.fidelity.record_embedding`. Classifiers ictal (E) vs non-ictal
(C+D; and A+B+C+D, where the synthetic non-ictal class is still intracranial interictal
only) with :func:`biosynth.fidelity.train_synthetic_test_real` on the real *evaluation*
split: TSTR (fitted on all synthetic segments) next to TRTR, balanced accuracy, 5
stratified folds; the default standardised logistic regression and a random forest.
TRTS (fitted on all real evaluation segments, tested on the synthetic ones) as well.

Options: ``--n-synthetic`` (per class, default 100), ``--n-calibration`` (20),
``--patterns``, ``--seed``, ``--report-dir``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from benchmarks._results import FIDELITY_CONVENTION, header, not_found, quiet, report_dict, write
from biosynth.bench.epilepsy import LAYOUT, OVERSAMPLE, PATTERNS, ZONE
from biosynth.datasets import BONN_BAND, BONN_FILTER_ORDER, BONN_N_TIMES, BONN_SETS, BONN_SFREQ, real_data_dir
from biosynth.datasets import load_bonn as _load_bonn
from biosynth.fidelity import compare, extract_features, record_embedding, train_synthetic_test_real, write_report
from biosynth.fidelity.features import feature_names
from biosynth.fidelity.spectral import aperiodic_fit, welch_psd
from biosynth.generators import simulate_ioecog
from biosynth.generators.ioecog import IOECOG_EVENTS, SEIZURE_AMPLITUDE
from biosynth.signals import make_signals, resample

#: The real-data folder ($BIOSYNTH_REAL_DATA, else shared/data/real beside the checkout;
#: None when absent).
REAL = real_data_dir()
INTERICTAL_S, INTERICTAL_CROP = 30.0, (3.0, 6.0)
ICTAL_S, SEIZURE_ONSET_S, SEIZURE_S, ICTAL_CROP = 40.0, 2.0, 36.0, (3.0, 14.0)
SECTIONS = ("spectral", "statistical", "nonlinear", "multivariate")
N_PILOT = 30
#: Generator settings before calibration: simulate_ioecog's defaults (background 100 uV,
#: IOECOG_EVENTS, SEIZURE_AMPLITUDE), awake.
NOMINAL_BACKGROUND = 100e-6
#: simulate_ioecog's default aperiodic exponent and knee frequency (Hz), before calibration.
NOMINAL_EXPONENT, NOMINAL_KNEE_FREQ = 3.3, 10.0
#: Range (Hz) of the knee fits that calibrate the spectral shape (inside Bonn's 0.53-40 Hz).
SHAPE_RANGE = (1.0, 30.0)
#: Features shown per set in the descriptive table of the JSON.
DESCRIPTIVE = (
    "std",
    "relpow_delta",
    "relpow_theta",
    "relpow_alpha",
    "relpow_beta",
    "relpow_gamma",
    "peak_frequency",
    "spectral_edge",
    "kurtosis",
    "skewness",
    "line_length",
    "hjorth_mobility",
    "spectral_entropy",
    "sample_entropy",
    "higuchi_fd",
    "detrended_fluctuation",
)


# --------------------------------------------------------------------------- real data


def load_bonn(name: str) -> Any | None:
    """Bonn set ``name`` (A-E) as a batch (100 segments x channel ``"EEG"`` x 4097, uV),
    or None when its file is absent (:func:`biosynth.datasets.load_bonn` raises instead)."""
    try:
        return _load_bonn(name)
    except FileNotFoundError:
        return None


def split_indices(n: int, n_calibration: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded calibration and evaluation indices (sorted) of ``n`` segments."""
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[:n_calibration]), np.sort(order[n_calibration:])


# --------------------------------------------------------------------------- synthetic


def nominal_settings() -> dict[str, Any]:
    """Generator settings before calibration (simulate_ioecog's defaults, awake)."""
    return {
        "background_amplitude_v": NOMINAL_BACKGROUND,
        "events": {k: dict(v) for k, v in IOECOG_EVENTS.items()},
        "seizure_amplitude_v": SEIZURE_AMPLITUDE,
        "gain_sigma": {"interictal": 0.0, "ictal": 0.0},
        "aperiodic_exponent": NOMINAL_EXPONENT,
        "aperiodic_knee_freq": NOMINAL_KNEE_FREQ,
    }


def bonn_like(ecog: Any) -> np.ndarray:
    """The zone contact of ``ecog`` as Bonn recorded it: causal Butterworth band-pass
    (:data:`BONN_BAND`, order :data:`BONN_FILTER_ORDER`), then resampled to 173.61 Hz;
    (n_records, n_times) in uV."""
    from scipy.signal import butter, sosfilt

    contact = ecog.sel(channel=[ZONE])
    sos = butter(BONN_FILTER_ORDER, BONN_BAND, "bandpass", fs=float(contact.attrs["sfreq"]), output="sos")
    contact = contact.copy(data=sosfilt(sos, contact.values, axis=-1))
    low = resample(contact, BONN_SFREQ)
    return np.asarray(low.values[:, 0, :], dtype=np.float64) * 1e6


def simulate_segments(
    kind: str,
    n: int,
    settings: dict[str, Any],
    *,
    seed: int,
    patterns: Sequence[str] = PATTERNS,
) -> Any:
    """``n`` synthetic Bonn-like segments (records x channel ``"EEG"`` x 4097, uV).

    ``kind`` is ``"interictal"`` or ``"ictal"`` (records cycle through ``patterns``);
    ``settings`` as from :func:`calibrate` (or :func:`nominal_settings`).
    ``attrs["provenance"]`` holds the onset pattern, crop start and gain of each segment.
    """
    rng = np.random.default_rng([seed, 1 if kind == "ictal" else 0])
    scale = settings["background_amplitude_v"] / NOMINAL_BACKGROUND
    common = {
        "n_records": None,
        "layout": LAYOUT,
        "zone": [ZONE],
        "anaesthesia": None,
        "amplitude": settings["background_amplitude_v"],
        "aperiodic_exponent": settings["aperiodic_exponent"],
        "aperiodic_knee_freq": settings["aperiodic_knee_freq"],
    }
    sfreq = OVERSAMPLE * BONN_SFREQ
    labels = list(patterns) if kind == "ictal" else ["none"]
    rows, meta = [], []
    for label_index, label in enumerate(labels):
        count = len(range(label_index, n, len(labels)))
        if count == 0:
            continue
        if kind == "ictal":
            spec = {"seizure": {"duration": SEIZURE_S, "onset_pattern": label}}
            spec["seizure"]["amplitude"] = settings["seizure_amplitude_v"]
            ecog = simulate_ioecog(
                ICTAL_S,
                sfreq,
                **{**common, "n_records": count},
                seizures=[SEIZURE_ONSET_S],
                epileptiform=spec,
                seed=1000 * seed + 10 + label_index,
            )
            crop = ICTAL_CROP
        else:
            events = {k: dict(v) for k, v in settings["events"].items()}
            ecog = simulate_ioecog(
                INTERICTAL_S,
                sfreq,
                **{**common, "n_records": count},
                epileptiform=events,
                seed=1000 * seed,
            )
            crop = INTERICTAL_CROP
        data = bonn_like(ecog)
        for r in range(count):
            start = rng.uniform(*crop)
            first = round(start * BONN_SFREQ)
            gain = float(np.exp(settings["gain_sigma"][kind] * rng.standard_normal()))
            rows.append(gain * data[r, first : first + BONN_N_TIMES])
            meta.append({"pattern": label, "crop_start_s": start, "gain": gain})
    # interleave the patterns so any prefix of the batch mixes them
    by_label = {lab: [i for i, m in enumerate(meta) if m["pattern"] == lab] for lab in labels}
    order = [by_label[labels[i % len(labels)]][i // len(labels)] for i in range(n)]
    data = np.stack([rows[i] for i in order])[:, None, :]
    provenance = {
        "generator": "biosynth.generators.simulate_ioecog",
        "kind": kind,
        "scale_vs_nominal": scale,
        "segments": [meta[i] for i in order],
    }
    return make_signals(data, BONN_SFREQ, ch_names=["EEG"], units="uV", modality="eeg", provenance=provenance)


def _robust_sd(values: np.ndarray) -> float:
    q1, q3 = np.percentile(values, [25, 75])
    return float((q3 - q1) / 1.349)


def _segment_sd(batch: Any) -> np.ndarray:
    return np.asarray(batch.values, dtype=np.float64)[:, 0, :].std(axis=-1)


def calibrate(
    calibration: dict[str, Any],
    *,
    seed: int,
    n_pilot: int = N_PILOT,
    patterns: Sequence[str] = PATTERNS,
) -> dict[str, Any]:
    """Settings fitted to the real calibration segments (see the module notes).

    ``calibration`` maps ``"interictal"`` and ``"ictal"`` to real batches (uV). Returns
    :func:`nominal_settings` with the background amplitude and zone-event amplitudes
    scaled together, the seizure amplitude and the per-segment gain spreads, plus the
    targets and pilot figures behind them.
    """
    settings = nominal_settings()
    settings["shape"] = _calibrate_shape(settings, calibration["interictal"], seed=seed + 20_000, n_pilot=n_pilot)
    target = {k: np.median(_segment_sd(v)) for k, v in calibration.items()}
    spread = {k: _robust_sd(np.log(_segment_sd(v))) for k, v in calibration.items()}
    pilot_seed = seed + 10_000
    inter = _segment_sd(simulate_segments("interictal", n_pilot, settings, seed=pilot_seed))
    scale = target["interictal"] / np.median(inter)
    settings["background_amplitude_v"] *= scale
    for opts in settings["events"].values():
        opts["amplitude"] *= scale
    # ictal variance = background + seizure^2 x pilot seizure variance
    background = np.median(inter) * scale  # interictal SD after scaling (events included: a slight overestimate)
    ictal = _segment_sd(simulate_segments("ictal", n_pilot, settings, seed=pilot_seed, patterns=patterns))
    ratio2 = (target["ictal"] ** 2 - background**2) / max(np.median(ictal) ** 2 - background**2, 1e-12)
    settings["seizure_amplitude_v"] *= float(np.sqrt(max(ratio2, 0.0)))
    pilot_spread = {"interictal": _robust_sd(np.log(inter)), "ictal": _robust_sd(np.log(ictal))}
    settings["gain_sigma"] = {k: float(np.sqrt(max(spread[k] ** 2 - pilot_spread[k] ** 2, 0.0))) for k in spread}
    pilot_sd = {"interictal": float(np.median(inter)), "ictal_before_seizure_scaling": float(np.median(ictal))}
    settings["calibration"] = {
        "target_median_sd_uv": target,
        "target_log_sd_spread": spread,
        "pilot_median_sd_uv": pilot_sd,
        "pilot_log_sd_spread": pilot_spread,
        "n_pilot": n_pilot,
    }
    return settings


def _knee_fit(batch: Any) -> tuple[float, float]:
    """Exponent and knee frequency (Hz) of the median spectrum of a Bonn-like batch
    (:func:`biosynth.fidelity.spectral.aperiodic_fit`, knee mode, :data:`SHAPE_RANGE`)."""
    freqs, psd = welch_psd(np.asarray(batch.values, dtype=np.float64)[:, 0, :], BONN_SFREQ, nperseg=512)
    fit = aperiodic_fit(freqs, np.median(psd, axis=0), freq_range=SHAPE_RANGE, mode="knee")
    exponent = float(fit["exponent"])
    return exponent, float(max(fit["knee"], 1e-6) ** (1.0 / exponent))


def _calibrate_shape(settings: dict[str, Any], real: Any, *, seed: int, n_pilot: int) -> dict[str, Any]:
    """One correction of the generator's exponent and knee frequency so the knee fit of
    synthetic interictal segments (after the Bonn filter) matches that of the real
    calibration segments: exponent shifted by the difference, knee frequency scaled by
    the ratio (the filter biases both fits alike)."""
    target = _knee_fit(real)
    pilot = _knee_fit(simulate_segments("interictal", n_pilot, settings, seed=seed))
    settings["aperiodic_exponent"] = float(np.clip(settings["aperiodic_exponent"] + target[0] - pilot[0], 0.5, 6.0))
    settings["aperiodic_knee_freq"] = float(np.clip(settings["aperiodic_knee_freq"] * target[1] / pilot[1], 0.5, 40))
    return {
        "real_fit": {"exponent": target[0], "knee_freq_hz": target[1]},
        "pilot_fit_at_nominal": {"exponent": pilot[0], "knee_freq_hz": pilot[1]},
        "fit_range_hz": list(SHAPE_RANGE),
    }


# --------------------------------------------------------------------------- features and utility


def feature_table(batches: dict[str, Any]) -> tuple[dict[str, np.ndarray], list[str]]:
    """Per-segment scalar features (:func:`biosynth.fidelity.extract_features`, one row
    per segment) of each batch, and the feature names; features non-finite in any
    segment of any batch are dropped."""
    tables, names = {}, None
    for key, batch in tqdm(batches.items(), desc="features", unit="set"):
        with quiet():
            ds = extract_features(batch)
        names = feature_names(ds) if names is None else names
        tables[key] = record_embedding(ds, names)
    finite = np.all([np.all(np.isfinite(t), axis=0) for t in tables.values()], axis=0)
    kept = [n for n, ok in zip(names, finite, strict=True) if ok]
    return {k: t[:, finite] for k, t in tables.items()}, kept


def _models() -> dict[str, Any]:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return {
        "logistic": make_pipeline(StandardScaler(), LogisticRegression(solver="newton-cholesky", max_iter=1000)),
        "random_forest": RandomForestClassifier(n_estimators=200, random_state=0, n_jobs=1),
    }


def utility(
    real: dict[str, np.ndarray],
    synthetic: dict[str, np.ndarray],
    *,
    non_ictal: Sequence[str],
    seed: int,
    models: Sequence[str] = ("logistic", "random_forest"),
) -> dict[str, Any]:
    """TSTR vs TRTR (balanced accuracy, 5 folds) and TRTS for ictal (E, label 1) vs
    ``non_ictal`` real sets; ``real`` maps set letters to feature rows, ``synthetic``
    maps ``"interictal"``/``"ictal"`` to feature rows."""
    from sklearn.base import clone
    from sklearn.metrics import balanced_accuracy_score

    x_real = np.concatenate([real[s] for s in (*non_ictal, "E")])
    y_real = np.concatenate([np.full(len(real[s]), int(s == "E")) for s in (*non_ictal, "E")])
    x_syn = np.concatenate([synthetic["interictal"], synthetic["ictal"]])
    y_syn = np.concatenate([np.zeros(len(synthetic["interictal"]), int), np.ones(len(synthetic["ictal"]), int)])
    out: dict[str, Any] = {"n_real": {"non_ictal": int((y_real == 0).sum()), "ictal": int(y_real.sum())}}
    out["n_synthetic"] = {"non_ictal": int((y_syn == 0).sum()), "ictal": int(y_syn.sum())}
    for name in models:
        model = _models()[name]
        with quiet():
            r = train_synthetic_test_real(x_real, y_real, x_syn, y_syn, model=model, n_splits=5, seed=seed)
            trts = balanced_accuracy_score(y_syn, clone(model).fit(x_real, y_real).predict(x_syn))
        out[name] = {
            "tstr": r.tstr,
            "trtr": r.trtr,
            "ratio": r.ratio,
            "tstr_folds": r.tstr_folds.tolist(),
            "trtr_folds": r.trtr_folds.tolist(),
            "trts": float(trts),
            "chance": r.chance,
        }
    return out


# --------------------------------------------------------------------------- fidelity


def fidelity(real: Any, synthetic: Any, *, seed: int, report: Path | None = None, title: str = "") -> dict[str, Any]:
    """:func:`biosynth.fidelity.compare` of ``synthetic`` with ``real`` (both all
    segments): section summaries, per-feature median ratios, the five farthest
    features per section, and seconds."""
    start = time.perf_counter()
    with quiet():
        rep = compare(real, synthetic, sections=SECTIONS, seed=seed)
    out = report_dict(rep)
    out.pop("metrics")
    out["farthest"] = {
        section: dict(sorted(((k, v) for k, v in feats.items() if np.isfinite(v)), key=lambda kv: -kv[1])[:5])
        for section, feats in out["features"].items()
    }
    out["n_real"], out["n_synthetic"] = int(real.sizes["record"]), int(synthetic.sizes["record"])
    out["compare_s"] = time.perf_counter() - start
    if report is not None:
        with quiet():
            write_report(rep, report, title=title, overwrite=True)
    return out


def _subset(batch: Any, index: np.ndarray) -> Any:
    return batch.isel(record=np.asarray(index))


def _descriptives(tables: dict[str, np.ndarray], names: list[str]) -> dict[str, dict[str, float]]:
    cols = [n for n in DESCRIPTIVE if n in names]
    return {
        key: {n: float(np.median(t[:, names.index(n)])) for n in cols}
        | {f"{n}_iqr": [float(q) for q in np.percentile(t[:, names.index(n)], [25, 75])] for n in ("std",) if n in cols}
        for key, t in tables.items()
    }


# --------------------------------------------------------------------------- run


def run(
    *,
    n_synthetic: int = 100,
    n_calibration: int = 20,
    patterns: Sequence[str] = PATTERNS,
    seed: int = 0,
    report_dir: Path | None = None,
) -> dict[str, Any]:
    """The whole benchmark (see the module notes); ``{"skipped": reason}`` without data."""
    real = {k: load_bonn(k) for k in BONN_SETS}
    missing = [BONN_SETS[k] for k, v in real.items() if v is None]
    if missing:
        return {"skipped": not_found(*missing)}
    timings: dict[str, float] = {}
    split = {k: split_indices(v.sizes["record"], n_calibration, seed + ord(k)) for k, v in real.items()}
    calib = {
        "interictal": concat([_subset(real[k], split[k][0]) for k in ("C", "D")]),
        "ictal": _subset(real["E"], split["E"][0]),
    }
    start = time.perf_counter()
    settings = calibrate(calib, seed=seed, patterns=patterns)
    timings["calibrate_s"] = time.perf_counter() - start
    start = time.perf_counter()
    syn = {}
    for kind in tqdm(("interictal", "ictal"), desc="generate", unit="class"):
        syn[kind] = simulate_segments(kind, n_synthetic, settings, seed=seed, patterns=patterns)
    timings["generate_s"] = time.perf_counter() - start
    segments = syn["ictal"].attrs["provenance"]["segments"]
    by_pattern = {p: _subset(syn["ictal"], [i for i, m in enumerate(segments) if m["pattern"] == p]) for p in patterns}

    start = time.perf_counter()
    pairs = {
        "synthetic_interictal_vs_D": (real["D"], syn["interictal"]),
        "synthetic_interictal_vs_C": (real["C"], syn["interictal"]),
        "synthetic_ictal_vs_E": (real["E"], syn["ictal"]),
        **{f"synthetic_ictal_{p}_vs_E": (real["E"], b) for p, b in by_pattern.items()},
        "synthetic_ictal_vs_D": (real["D"], syn["ictal"]),
        "real_C_vs_D": (real["D"], real["C"]),
        "real_E_vs_D": (real["D"], real["E"]),
        "real_E_vs_A": (real["A"], real["E"]),
        "real_D_vs_E": (real["E"], real["D"]),
    }
    fid = {}
    for key, (r, s) in tqdm(pairs.items(), desc="compare", unit="pair"):
        report = None if report_dir is None else Path(report_dir) / f"epilepsy-{key}.html"
        fid[key] = fidelity(r, s, seed=seed, report=report, title=key.replace("_", " "))
    timings["fidelity_s"] = time.perf_counter() - start

    start = time.perf_counter()
    tables, names = feature_table({**real, **syn, **{f"ictal_{p}": b for p, b in by_pattern.items()}})
    evaluation = {k: tables[k][split[k][1]] for k in BONN_SETS}
    synthetic_rows = {"interictal": tables["interictal"], "ictal": tables["ictal"]}
    util = {
        "E_vs_CD": utility(evaluation, synthetic_rows, non_ictal=("C", "D"), seed=seed),
        "E_vs_ABCD": utility(evaluation, synthetic_rows, non_ictal=("A", "B", "C", "D"), seed=seed),
    }
    timings["utility_s"] = time.perf_counter() - start
    return {
        "settings": _settings_record(settings, patterns),
        "counts": {
            "real_per_set": {k: int(v.sizes["record"]) for k, v in real.items()},
            "calibration_per_set": n_calibration,
            "evaluation_per_set": {k: len(split[k][1]) for k in BONN_SETS},
            "synthetic_per_class": n_synthetic,
            "synthetic_ictal_per_pattern": {p: int(b.sizes["record"]) for p, b in by_pattern.items()},
        },
        "fidelity": fid,
        "utility": util,
        "features": names,
        "descriptives": _descriptives(tables, names),
        "seconds": timings,
    }


def concat(batches: list[Any]) -> Any:
    """Batches joined along ``record`` (attributes of the first)."""
    import xarray as xr

    return xr.concat(batches, dim="record", combine_attrs="override")


_concat, _quiet = concat, quiet  # the names tests/generators/test_ioecog_real.py uses


def _settings_record(settings: dict[str, Any], patterns: Sequence[str]) -> dict[str, Any]:
    return {
        "generator": "simulate_ioecog",
        "layout": LAYOUT,
        "zone": [ZONE],
        "anaesthesia": None,
        "sfreq_hz": OVERSAMPLE * BONN_SFREQ,
        "aperiodic_exponent": settings["aperiodic_exponent"],
        "aperiodic_knee_freq": settings["aperiodic_knee_freq"],
        "spectral_shape_calibration": settings["shape"],
        "montage": "referential",
        "background_amplitude_v": settings["background_amplitude_v"],
        "interictal_events": settings["events"],
        "seizure": {
            "amplitude_v": settings["seizure_amplitude_v"],
            "onset_s": SEIZURE_ONSET_S,
            "duration_s": SEIZURE_S,
            "onset_patterns": list(patterns),
            "record_length_s": ICTAL_S,
            "crop_start_s": list(ICTAL_CROP),
        },
        "interictal_record_length_s": INTERICTAL_S,
        "interictal_crop_start_s": list(INTERICTAL_CROP),
        "per_segment_gain_lognormal_sigma": settings["gain_sigma"],
        "bonn_processing": {
            "filter": f"Butterworth band-pass {BONN_BAND[0]}-{BONN_BAND[1]} Hz, order {BONN_FILTER_ORDER} "
            "(12 dB/octave per edge), causal (scipy sosfilt), at the generation rate",
            "resample": f"biosynth.signals.resample by 1/{OVERSAMPLE} to {BONN_SFREQ} Hz",
            "crop_samples": BONN_N_TIMES,
            "channel": ZONE,
        },
        "calibration": settings["calibration"],
        "not_fitted": "event rates and shapes, seizure patterns, spatial settings: the generator's defaults",
    }


def _print(result: dict[str, Any]) -> None:
    if "skipped" in result:
        print(f"skipped: {result['skipped']}")
        return
    s = result["settings"]
    print(
        f"settings: background {s['background_amplitude_v'] * 1e6:.1f} uV, "
        f"spike {s['interictal_events']['spike']['amplitude'] * 1e6:.0f} uV, "
        f"seizure {s['seizure']['amplitude_v'] * 1e6:.0f} uV, gain sigma {s['per_segment_gain_lognormal_sigma']}"
    )
    print("fidelity, median ratio to real-vs-real per section (lower is closer):")
    print(f"  {'pair':>34} " + " ".join(f"{sec:>12}" for sec in SECTIONS))
    for key, fid in result["fidelity"].items():
        cells = [fid["summary"].get(sec, {}).get("median_ratio", float("nan")) for sec in SECTIONS]
        print(f"  {key:>34} " + " ".join(f"{c:12.3g}" for c in cells))
    print("utility, balanced accuracy (TSTR / TRTR / TRTS):")
    for task, res in result["utility"].items():
        for model in ("logistic", "random_forest"):
            r = res[model]
            print(f"  {task:>10} {model:>13}: {r['tstr']:.3f} / {r['trtr']:.3f} / {r['trts']:.3f}")
    print("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in result["seconds"].items()))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-synthetic", type=int, default=100, help="synthetic segments per class")
    parser.add_argument("--n-calibration", type=int, default=20, help="real segments per set for calibration")
    parser.add_argument("--patterns", nargs="+", default=list(PATTERNS), help="seizure onset patterns to mix")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--report-dir", type=Path, default=None, help="write the HTML fidelity reports here")
    args = parser.parse_args(argv)
    if args.report_dir is not None:
        args.report_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    conventions = f"{FIDELITY_CONVENTION}; utility: balanced accuracy, ictal (E) = 1"
    result: dict[str, Any] = header("python -m benchmarks.epilepsy", vars(args), conventions=conventions)
    result |= run(
        n_synthetic=args.n_synthetic,
        n_calibration=args.n_calibration,
        patterns=args.patterns,
        seed=args.seed,
        report_dir=args.report_dir,
    )
    result["total_s"] = time.perf_counter() - start
    out = write("epilepsy", result)
    _print(result)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
