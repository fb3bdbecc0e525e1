# SPDX-License-Identifier: BSD-3-Clause
"""The use-case suites of ``biosynth bench``: epilepsy and Parkinson's disease.

A suite generates ``n_records`` records with its generator in chunks (through
:func:`biosynth.bench.runner.run_chunks`: in this process or on a dask cluster, resumable),
scores the reference detectors against the ground truth of every record, and then
compares a seeded subsample of ``n_compare`` records with the real reference data
(:func:`biosynth.fidelity.compare`: fidelity, privacy and utility sections) where the
use case has real data, or with published statistics where it has none.

Every record is a function of ``(seed, record index)`` only, so the results do not
depend on the chunk size, the number of workers or where a run was resumed.

**epilepsy**: :func:`biosynth.generators.simulate_ioecog` matched to the Bonn database
(awake, a 4-contact strip sampled at 6 x 173.61 Hz, epileptogenic zone S2, the amplitude,
spectral shape and seizure height fitted by ``python -m benchmarks.epilepsy`` on its
calibration split, :data:`BONN_MATCHED`); even records interictal, odd records ictal
(a seizure from 1 s to the end, onset patterns in turn). Detectors, on the interictal
records: line-length spikes (scored against the spikes; with the sharp waves as well it
falls from F1 0.80 to 0.69, as it finds few of them) and Staba ripples and fast ripples on
the zone contact, scored per event type (onset tolerance 50 ms), and the
zone AUC of the spike rates. Real reference: Bonn sets D
(interictal) and E (ictal), each split in half (first half as what a generator would be
fitted to, second half held out); the zone contact of the synthetic records is
band-passed and resampled like Bonn and both are cut into 4-s epochs; the comparison
has the utility section (ictal vs interictal, train on synthetic, test on real).

**parkinson**: :func:`biosynth.generators.simulate_parkinson`, even records OFF and odd
records ON medication. Per record: beta bursts detected on STN01 (75th percentile of
the 15-25 Hz envelope with a threshold common to OFF and ON, taken from the first
calibration records, bursts > 100 ms) and matched to the true bursts; time in bursts,
beta power, tremor-band power. Reference: the published figures of
``benchmarks/parkinson_published.json`` (time in bursts 27.0 % OFF / 16.1 % ON,
Tinkhauser et al. 2017), and an OFF/ON classifier on the per-record features.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SUITES = ("epilepsy", "parkinson")
#: simulate_ioecog settings matched to the Bonn database by ``python -m benchmarks.epilepsy``
#: (calibration split only; benchmarks/results/epilepsy-2026-12-02.json).
BONN_MATCHED: dict[str, Any] = {
    "layout": "1x4",
    "zone": ["S2"],
    "anaesthesia": None,
    "amplitude": 47.66e-6,
    "aperiodic_exponent": 3.06,
    "aperiodic_knee_freq": 4.28,
}
BONN_SFREQ = 173.61
SEIZURE_AMPLITUDE = 1.47e-3
PATTERNS = ("lvfa", "rhythmic_spiking", "epileptor")
EPOCH_S = 4.0
BONN_FILES = {"interictal": "eeg_bonn_setD_F.npz", "ictal": "eeg_bonn_setE_S.npz"}
#: Published time in beta bursts (Tinkhauser et al. 2017, Brain 140(11):2968).
PUBLISHED_TIME_IN_BURSTS = {"off": 0.270, "on": 0.161}
BURST_BAND = (15.0, 25.0)


def real_data_dir() -> Path:
    """``$BIOSYNTH_REAL_DATA``, else ``shared/data/real`` beside the source checkout."""
    default = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"
    return Path(os.environ.get("BIOSYNTH_REAL_DATA", default))


def load_segments(path: str | os.PathLike) -> Any:
    """A file of single-channel segments (``data`` rows, ``sfreq``, ``units``,
    ``ch_names``: the Bonn sets) as a batch, one record per segment, channel ``"EEG"``."""
    from biosynth.signals import make_signals

    path = Path(path)
    with np.load(path) as f:
        data, sfreq, units = f["data"].astype(np.float64), float(f["sfreq"]), str(f["units"])
        segments = [str(s) for s in f["ch_names"]]
    return make_signals(
        data[:, None, :], sfreq, ch_names=["EEG"], units=units, modality="eeg",
        provenance={"source": path.name}, record_names=segments,
    )  # fmt: skip


# --- epilepsy --------------------------------------------------------------------------


def epilepsy_records(start: int, stop: int, *, duration: float, seed: int, device: str = "cpu"):
    """Records ``[start, stop)`` of the epilepsy suite, one at a time: (label, ecog, events)."""
    from biosynth.generators import simulate_ioecog

    for record in range(start, stop):
        ictal = record % 2 == 1
        options: dict[str, Any] = {}
        if ictal:
            pattern = PATTERNS[(record // 2) % len(PATTERNS)]
            seizure = {"duration": max(duration - 1.0, 2.0), "amplitude": SEIZURE_AMPLITUDE, "onset_pattern": pattern}
            options = {"seizures": [1.0], "epileptiform": {"seizure": seizure}}
        ecog, events = simulate_ioecog(
            duration, 6 * BONN_SFREQ, n_records=1, first_record=record, seed=seed, device=device,
            return_events=True, **BONN_MATCHED, **options,
        )  # fmt: skip
        yield int(ictal), ecog, events


def epilepsy_chunk(start: int, stop: int, *, duration: float, seed: int, device: str = "cpu") -> dict[str, Any]:
    """Detector counts (true, detected, matched per type) and zone AUCs of records ``[start, stop)``."""
    from biosynth.fidelity import channel_auc, detect_hfos, detect_spikes, event_rates, score_events

    counts: dict[str, list[int]] = {}
    aucs = []
    for label, ecog, events in epilepsy_records(start, stop, duration=duration, seed=seed, device=device):
        if label == 1:
            continue  # seizure discharges are spikes without labels: detectors are scored interictally
        zone = ecog.attrs["provenance"]["parameters"]["zone"]
        found = {
            "spike": detect_spikes(ecog),
            "ripple": detect_hfos(ecog, band=(80.0, 250.0)),
            "fast_ripple": detect_hfos(ecog, band=(250.0, 500.0)),
        }
        for kind, detected in found.items():
            truth = events[(events["type"] == kind) & events["channel"].isin(zone)]
            on_zone = detected[detected["channel"].isin(zone)].assign(type=kind)
            scores = score_events(truth.assign(record=0), on_zone.assign(record=0), tolerance=0.05, by=())
            row = scores.iloc[0] if len(scores) else None
            tally = [int(row["n_true"]), int(row["n_detected"]), int(row["n_matched"])] if row is not None else [0] * 3
            counts[kind] = [a + b for a, b in zip(counts.get(kind, [0, 0, 0]), tally, strict=True)]
        rates = event_rates(found["spike"], duration=duration, channels=list(ecog["channel"].values))
        aucs.append(float(channel_auc(rates, zone)))
    return {"counts": counts, "zone_auc": aucs, "records": stop - start}


def epilepsy_reference(
    *, n_compare: int, duration: float, seed: int, device: str = "cpu", card: str | os.PathLike | None = None
) -> dict[str, Any]:
    """compare() of ``n_compare`` suite records with Bonn D/E (fidelity, privacy, utility);
    with ``card``, the data card of those records and that comparison."""
    import warnings

    import xarray as xr

    from biosynth.fidelity import compare

    real = _bonn_epochs()
    if real is None:
        return {"skipped": f"Bonn sets D and E not found under {real_data_dir()}"}
    synthetic, syn_labels = [], []
    for label, ecog, _ in epilepsy_records(0, n_compare, duration=duration, seed=seed, device=device):
        epochs = _bonn_like_epochs(ecog)
        synthetic.append(epochs)
        syn_labels += [label] * epochs.sizes["record"]
    synthetic = xr.concat(synthetic, dim="record", combine_attrs="override")
    train, holdout, train_labels = real
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short single-channel epochs: some measures warn
        report = compare(
            train, synthetic, holdout=holdout, labels=(train_labels, np.array(syn_labels)), seed=seed, device=device
        )
    summary = report.summary()
    if card is not None:
        _write_card(synthetic, card, report.to_dict(), train.attrs, syn_labels)
    return {
        "sections": {s: float(summary.loc[s, "median_ratio"]) for s in summary.index},
        "metrics": {m.name: {"value": m.value, "reference": m.reference, "better": m.better} for m in report.metrics},
        "n_real_epochs": int(train.sizes["record"]),
        "n_synthetic_epochs": int(synthetic.sizes["record"]),
    }


#: Data-driven generators the epilepsy suite can fit on the Bonn training halves
#: (:mod:`biosynth.generators.learned`), with the settings used.
LEARNED = {
    "phase": {},
    "iaaft": {},
    "ar": {"max_order": 30},
    "var": {"max_order": 30},
    "vae_mmd": {"window": int(EPOCH_S * BONN_SFREQ), "epochs": 150, "latent_dim": 16, "patience": 40,
                "learning_rate": 3e-3, "batch_size": 32, "seed": 0},
}  # fmt: skip


def fit_learned(name: str, *, device: str = "cpu") -> dict[str, Any]:
    """Generator ``name`` fitted on the Bonn training epochs: one model per class (label 0
    interictal, 1 ictal), or one conditional model; with the fit seconds."""
    import time

    from biosynth.generators.learned import REGISTRY

    real = _bonn_epochs()
    if real is None:
        raise FileNotFoundError(f"the Bonn sets D and E are needed to fit {name!r}; none under {real_data_dir()}.")
    train, _, labels = real
    options = dict(LEARNED[name]) | ({"device": device} if name == "vae_mmd" else {})
    start = time.perf_counter()
    if REGISTRY[name].conditional:
        models = {"conditional": REGISTRY[name](**options).fit(train, labels=labels)}
    else:
        models = {label: REGISTRY[name](**options).fit(train.isel(record=labels == label)) for label in (0, 1)}
    return {"models": models, "fit_s": time.perf_counter() - start}


def learned_records(models: dict[str, Any], start: int, stop: int, *, seed: int) -> Any:
    """Records ``[start, stop)`` of a fitted data-driven generator (even interictal, odd
    ictal), each a function of the seed and its index only; and their labels."""
    import xarray as xr

    parts, labels = [], []
    for record in range(start, stop):
        label = record % 2
        if "conditional" in models:
            out = models["conditional"].sample(1, seed=seed, first_record=record, labels=label)
        else:
            out = models[label].sample(1, seed=seed, first_record=record)
        parts.append(out)
        labels.append(label)
    return xr.concat(parts, dim="record", combine_attrs="override"), np.array(labels)


def learned_chunk(start: int, stop: int, *, models: dict[str, Any], seed: int) -> dict[str, Any]:
    """Generate records ``[start, stop)`` (timed; the data-driven generators have no
    ground-truth events to score)."""
    import time

    t0 = time.perf_counter()
    data, _ = learned_records(models, start, stop, seed=seed)
    return {"records": stop - start, "seconds": time.perf_counter() - t0, "samples": int(data.size)}


def learned_reference(models: dict[str, Any], *, n_compare: int, seed: int, device: str = "cpu") -> dict[str, Any]:
    """compare() of ``n_compare`` records of a fitted generator with Bonn D/E."""
    import warnings

    from biosynth.fidelity import compare

    train, holdout, train_labels = _bonn_epochs()
    synthetic, labels = learned_records(models, 0, n_compare, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = compare(train, synthetic.astype(float), holdout=holdout, labels=(train_labels, labels), seed=seed,
                         device=device)  # fmt: skip
    summary = report.summary()
    return {
        "sections": {s: float(summary.loc[s, "median_ratio"]) for s in summary.index},
        "metrics": {m.name: {"value": m.value, "reference": m.reference, "better": m.better} for m in report.metrics},
    }


def _write_card(synthetic: Any, path: Any, fidelity: dict[str, Any], real_attrs: dict, labels: list[int]) -> None:
    from biosynth.card import write_card

    fidelity.setdefault("info", {}).setdefault("provenance", {})["real"] = {
        "source": "Bonn EEG database (Andrzejak et al. 2001), sets D (interictal) and E (ictal), first halves; "
        "second halves held out for the privacy section",
        "copied_from": "shared/data/real/" + ", ".join(BONN_FILES.values()),
    }
    n_ictal = int(np.sum(labels))
    purpose = (
        f"Labelled synthetic intracranial EEG matched to the Bonn database ({len(labels) - n_ictal} interictal and "
        f"{n_ictal} ictal 4-s epochs of the epileptogenic-zone contact), the default dataset of `biosynth bench "
        "epilepsy`: for training and testing ictal/interictal classifiers and spike/HFO detectors. Not for "
        "clinical decisions."
    )
    write_card(synthetic, path, fidelity=fidelity, purpose=purpose, overwrite=True)


def _bonn_epochs():
    """Bonn D and E cut into 4-s epochs: (first halves, second halves, labels of the first)."""
    import xarray as xr

    from biosynth.signals import epochs

    halves: dict[str, list[Any]] = {"train": [], "holdout": []}
    labels = []
    for label, name in enumerate(BONN_FILES.values()):
        path = real_data_dir() / name
        if not path.exists():
            return None
        segments = load_segments(path)
        half = segments.sizes["record"] // 2
        for part, index in (("train", slice(None, half)), ("holdout", slice(half, None))):
            cut = epochs(segments.isel(record=index), EPOCH_S)
            halves[part].append(cut)
            if part == "train":
                labels += [label] * cut.sizes["record"]
    train, holdout = (xr.concat(halves[p], dim="record", combine_attrs="override") for p in ("train", "holdout"))
    # interleave the classes: compare() takes its real-vs-real reference between the
    # first and the second half of the real records, which must not be D against E
    order = np.random.default_rng(0).permutation(train.sizes["record"])
    train = train.isel(record=order).assign_coords(record=np.arange(order.size))
    return train, holdout, np.array(labels)[order]


def _bonn_like_epochs(ecog: Any) -> Any:
    """The zone contact as Bonn recorded it (causal 2nd-order 0.53-40 Hz band-pass,
    resampled to 173.61 Hz, uV, channel "EEG"), cut into 4-s epochs."""
    from scipy.signal import butter, sosfilt

    from biosynth.signals import epochs, make_signals, resample

    zone = ecog.attrs["provenance"]["parameters"]["zone"][0]
    sfreq = float(ecog.attrs["sfreq"])
    sos = butter(2, (0.53, 40.0), "bandpass", fs=sfreq, output="sos")
    x = sosfilt(sos, ecog.sel(channel=zone).values * 1e6)
    provenance = dict(ecog.attrs["provenance"])
    provenance["processing"] = f"zone contact {zone}, causal 0.53-40 Hz band-pass, resampled to {BONN_SFREQ} Hz"
    single = make_signals(x[None, :], sfreq, ch_names=["EEG"], units="uV", modality="eeg", provenance=provenance)
    return epochs(resample(single, BONN_SFREQ), EPOCH_S)


def epilepsy_summary(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision, recall and F1 per event type and the mean zone AUC over all records."""
    totals: dict[str, np.ndarray] = {}
    for chunk in chunks:
        for kind, tally in chunk["counts"].items():
            totals[kind] = totals.get(kind, np.zeros(3, dtype=np.int64)) + np.asarray(tally)
    scores = {}
    for kind, (n_true, n_det, n_match) in totals.items():
        precision = n_match / n_det if n_det else float("nan")
        recall = n_match / n_true if n_true else float("nan")
        f1 = 2 * n_match / (n_true + n_det) if n_true + n_det else float("nan")
        scores[kind] = {"n_true": int(n_true), "n_detected": int(n_det), "precision": precision, "recall": recall,
                        "f1": f1}  # fmt: skip
    aucs = [a for chunk in chunks for a in chunk["zone_auc"]]
    return {"detectors": scores, "zone_auc_mean": float(np.mean(aucs)) if aucs else float("nan")}


# --- parkinson -----------------------------------------------------------------------


def parkinson_record(record: int, *, duration: float, seed: int):
    """Record ``record`` of the Parkinson's suite: (state, signals, events)."""
    from biosynth.generators import simulate_parkinson

    state = "off" if record % 2 == 0 else "on"
    out, events = simulate_parkinson(
        duration, n_records=1, first_record=record, medication=state, signals=("lfp", "acc"), seed=seed,
        return_events=True,
    )  # fmt: skip
    return state, out, events


def parkinson_threshold(*, duration: float, seed: int, n_records: int = 8) -> float:
    """The common burst threshold (V): mean 75th percentile of the STN01 envelope over
    the first ``n_records`` records (half OFF, half ON)."""
    from biosynth.fidelity import burst_threshold

    values = []
    for record in range(n_records):
        _, out, _ = parkinson_record(record, duration=duration, seed=seed)
        values.append(float(np.mean(burst_threshold(out["lfp"].isel(channel=[0]), band=BURST_BAND, smooth=0.05))))
    return float(np.mean(values))


def parkinson_chunk(start: int, stop: int, *, duration: float, seed: int, threshold: float) -> dict[str, Any]:
    """Per-record burst detection against the ground truth and features of records ``[start, stop)``."""
    from scipy import signal

    from biosynth.fidelity import detect_bursts, match_events

    rows = []
    for record in range(start, stop):
        state, out, events = parkinson_record(record, duration=duration, seed=seed)
        lfp = out["lfp"].isel(channel=[0])
        found = detect_bursts(lfp, band=BURST_BAND, smooth=0.05, threshold=threshold).reset_index(drop=True)
        truth = events[(events["type"] == "beta_burst") & (events["duration"] >= 0.1)]
        truth = truth.assign(record=0).reset_index(drop=True)  # detect_bursts numbers its one record 0
        pairs = match_events(truth, found, tolerance=0.1, by_channel=False)
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


def parkinson_summary(chunks: list[dict[str, Any]], *, seed: int) -> dict[str, Any]:
    """Aggregates per state, the comparison with the published time in bursts, and an
    OFF/ON classifier (5-fold balanced accuracy) on the per-record features."""
    rows = [row for chunk in chunks for row in chunk["records"]]
    by_state = {}
    for state in ("off", "on"):
        mine = [r for r in rows if r["state"] == state]
        by_state[state] = {
            key: _median([r[key] for r in mine])
            for key in ("time_in_bursts", "recall", "duration_ratio", "log_beta_power", "log_tremor_power")
        }
        by_state[state]["n_records"] = len(mine)
        by_state[state]["published_time_in_bursts"] = PUBLISHED_TIME_IN_BURSTS[state]
    return {"by_state": by_state, "classifier_balanced_accuracy": _classifier(rows, seed)}


def parkinson_card(path: Any, summary: dict[str, Any], *, n_compare: int, duration: float, seed: int) -> None:
    """The data card of the suite's LFP (records ``[0, n_compare)``) with its published
    comparisons and the OFF/ON classifier (the utility figure; no real data for privacy)."""
    import xarray as xr

    from biosynth.card import write_card

    records = [parkinson_record(r, duration=duration, seed=seed) for r in range(n_compare)]
    lfp = xr.concat([out["lfp"] for _, out, _ in records], dim="record", combine_attrs="override")
    events = pd.concat([ev for _, _, ev in records], ignore_index=True)
    published = []
    for state in ("off", "on"):
        found, target = summary["by_state"][state]["time_in_bursts"], PUBLISHED_TIME_IN_BURSTS[state]
        published.append({"quantity": f"time in beta bursts {state.upper()}", "synthetic": found, "published": target,
                          "source": "Tinkhauser et al. 2017, Brain 140(11):2968", "agrees": abs(found - target) < 0.03,
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
    write_card(lfp, path, events=events, purpose=purpose, published=published, overwrite=True)


def _median(values: list[float]) -> float:
    finite = [v for v in values if np.isfinite(v)]
    return float(np.median(finite)) if finite else float("nan")


def _classifier(rows: list[dict[str, Any]], seed: int) -> float:
    from sklearn.linear_model import LogisticRegression
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


# --- the suites ----------------------------------------------------------------------


def suite_task(name: str, *, duration: float, seed: int, device: str = "cpu") -> Any:
    """The picklable per-chunk task of suite ``name`` (``task(start, stop) -> dict``)."""
    if name == "epilepsy":
        return partial(epilepsy_chunk, duration=duration, seed=seed, device=device)
    if name == "parkinson":
        return partial(
            parkinson_chunk, duration=duration, seed=seed, threshold=parkinson_threshold(duration=duration, seed=seed)
        )
    raise ValueError(f"suite must be one of {SUITES}, got {name!r}.")
