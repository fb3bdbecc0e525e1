# SPDX-License-Identifier: BSD-3-Clause
"""The epilepsy suite of ``biosynth bench``: synthetic ioECoG matched to the Bonn database.

Generator: :func:`biosynth.generators.simulate_ioecog` matched to the Bonn database
(awake, a 4-contact strip sampled at 6 x 173.61 Hz, epileptogenic zone S2, the amplitude,
spectral shape and seizure height fitted by ``python -m benchmarks.epilepsy`` on its
calibration split, :data:`BONN_MATCHED`); even records interictal, odd records ictal
(a seizure from 1 s to the end, onset patterns :data:`PATTERNS` in turn).

Detectors, on the interictal records: line-length spikes (scored against the spikes;
with the sharp waves as well it falls from F1 0.80 to 0.69, as it finds few of them) and
Staba ripples and fast ripples on the zone contact, scored per event type (onset
tolerance 50 ms), and the zone AUC of the spike rates.

Real reference: Bonn sets D (interictal) and E (ictal) from the real-data folder
(:mod:`biosynth.datasets.bonn`), each split in half (first half as what a generator would
be fitted to, second half held out); the zone contact of the synthetic records is
band-passed and resampled like Bonn and both are cut into :data:`EPOCH_S` epochs; the
comparison has the utility section (ictal vs interictal, train on synthetic, test on
real). Without the Bonn files the reference is skipped with a one-line reason.

Data-driven generators (:data:`LEARNED`) can be fitted on the Bonn training halves and
compared the same way.

Every record is a function of ``(seed, record index)`` only, so the results do not
depend on the chunk size, the number of workers or where a run was resumed.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from scipy.signal import butter, sosfilt

from biosynth._utils.docs import fill_doc
from biosynth.card import write_card as _write_data_card
from biosynth.datasets import (
    BONN_BAND,
    BONN_FILTER_ORDER,
    BONN_ICTAL,
    BONN_INTERICTAL,
    BONN_SETS,
    BONN_SFREQ,
    load_segments,
    real_data_file,
)
from biosynth.fidelity import channel_auc, compare, detect_hfos, detect_spikes, event_rates, score_events
from biosynth.generators import simulate_ioecog
from biosynth.generators.learned import REGISTRY
from biosynth.signals import epochs, make_signals, resample

#: Contact layout and epileptogenic zone of the Bonn-matched strip.
LAYOUT, ZONE = "1x4", "S2"
#: Generation rate = OVERSAMPLE x Bonn's rate (1041.66 Hz: HFOs are made, and the
#: decimation to Bonn's rate is an exact factor).
OVERSAMPLE = 6
#: simulate_ioecog settings matched to the Bonn database by ``python -m benchmarks.epilepsy``
#: (calibration split only; benchmarks/results/epilepsy-2026-12-02.json).
BONN_MATCHED: dict[str, Any] = {
    "layout": LAYOUT,
    "zone": [ZONE],
    "anaesthesia": None,
    "amplitude": 47.66e-6,
    "aperiodic_exponent": 3.06,
    "aperiodic_knee_freq": 4.28,
}
#: Seizure amplitude (V) matched to Bonn set E by the same calibration.
SEIZURE_AMPLITUDE = 1.47e-3
#: Seizure onset patterns of the ictal records, in turn (record 2k + 1 gets PATTERNS[k % 3]).
PATTERNS = ("lvfa", "rhythmic_spiking", "epileptor")
#: Length of the epochs compared with Bonn, in s.
EPOCH_S = 4.0
#: The Bonn files of the reference: interictal (label 0) and ictal (label 1).
BONN_FILES = {"interictal": BONN_SETS[BONN_INTERICTAL], "ictal": BONN_SETS[BONN_ICTAL]}
#: Data-driven generators the suite can fit on the Bonn training halves
#: (:mod:`biosynth.generators.learned`), with the settings used.
LEARNED = {
    "phase": {},
    "iaaft": {},
    "ar": {"max_order": 30},
    "var": {"max_order": 30},
    "vae_mmd": {"window": int(EPOCH_S * BONN_SFREQ), "epochs": 150, "latent_dim": 16, "patience": 40,
                "learning_rate": 3e-3, "batch_size": 32, "seed": 0},
}  # fmt: skip

__all__ = [
    "BONN_FILES",
    "BONN_MATCHED",
    "EPOCH_S",
    "LAYOUT",
    "LEARNED",
    "OVERSAMPLE",
    "PATTERNS",
    "SEIZURE_AMPLITUDE",
    "ZONE",
    "bonn_epochs",
    "bonn_like_epochs",
    "compare_with_bonn",
    "fit_learned",
    "generate_only",
    "learned_chunk",
    "learned_records",
    "learned_reference",
    "score_chunk",
    "suite_records",
    "summarise",
]


# --- the parametric generator -------------------------------------------------------------


@fill_doc
def suite_records(
    start: int, stop: int, *, duration: float, seed: int, device: str = "cpu"
) -> Iterator[tuple[int, xr.DataArray, pd.DataFrame]]:
    """Records ``[start, stop)`` of the suite, one at a time.

    Parameters
    ----------
    start, stop : int
        Record range; record ``i`` is interictal when even, ictal when odd.
    %(duration)s
    seed : int
        Root seed; record ``i`` depends only on ``(seed, i)``.
    device : str, default="cpu"
        ``"cpu"`` or a torch device for :func:`~biosynth.generators.simulate_ioecog`.

    Yields
    ------
    label : int
        0 interictal, 1 ictal.
    ecog : DataArray
        One record (``record`` dimension of length 1), in V.
    events : DataFrame
        Its ground-truth events.
    """
    for record in range(start, stop):
        ictal = record % 2 == 1
        options: dict[str, Any] = {}
        if ictal:
            pattern = PATTERNS[(record // 2) % len(PATTERNS)]
            seizure = {"duration": max(duration - 1.0, 2.0), "amplitude": SEIZURE_AMPLITUDE, "onset_pattern": pattern}
            options = {"seizures": [1.0], "epileptiform": {"seizure": seizure}}
        ecog, events = simulate_ioecog(
            duration, OVERSAMPLE * BONN_SFREQ, n_records=1, first_record=record, seed=seed, device=device,
            return_events=True, **BONN_MATCHED, **options,
        )  # fmt: skip
        yield int(ictal), ecog, events


@fill_doc
def score_chunk(start: int, stop: int, *, duration: float, seed: int, device: str = "cpu") -> dict[str, Any]:
    """The chunk task: detector tallies and zone AUCs of records ``[start, stop)``.

    Parameters
    ----------
    start, stop : int
        Record range.
    %(duration)s
    %(root_seed)s
    device : str, default="cpu"
        ``"cpu"`` or a torch device for the generator.

    Returns
    -------
    chunk : dict
        ``counts`` (event type -> [true, detected, matched] on the zone contact of the
        interictal records), ``zone_auc`` (one per interictal record) and ``records``.
    """
    counts: dict[str, list[int]] = {}
    aucs = []
    for label, ecog, events in suite_records(start, stop, duration=duration, seed=seed, device=device):
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
            scores = score_events(truth.assign(record=0), on_zone.assign(record=0), match_window=0.05, by=())
            row = scores.iloc[0] if len(scores) else None
            tally = [int(row["n_true"]), int(row["n_detected"]), int(row["n_matched"])] if row is not None else [0] * 3
            counts[kind] = [a + b for a, b in zip(counts.get(kind, [0, 0, 0]), tally, strict=True)]
        rates = event_rates(found["spike"], duration=duration, channels=list(ecog["channel"].values))
        aucs.append(float(channel_auc(rates, zone)))
    return {"counts": counts, "zone_auc": aucs, "records": stop - start}


def summarise(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision, recall and F1 per event type and the mean zone AUC over all records.

    Parameters
    ----------
    chunks : list of dict
        The results of :func:`score_chunk`, in chunk order.

    Returns
    -------
    summary : dict
        ``detectors`` (event type -> n_true, n_detected, precision, recall, f1; NaN
        where undefined) and ``zone_auc_mean``.
    """
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
        Samples made (records x channels x times).
    """
    data = simulate_ioecog(
        duration, OVERSAMPLE * BONN_SFREQ, n_records=count, first_record=first, seed=seed, **BONN_MATCHED
    )
    return int(data.size)


# --- the Bonn reference ---------------------------------------------------------------------


@fill_doc
def compare_with_bonn(
    *,
    n_compare: int,
    duration: float,
    seed: int,
    device: str = "cpu",
    card: str | os.PathLike | None = None,
    real_data: str | os.PathLike | None = None,
) -> dict[str, Any]:
    """:func:`biosynth.fidelity.compare` of records ``[0, n_compare)`` with Bonn D/E.

    Parameters
    ----------
    n_compare : int
        Records compared (each cut into :data:`EPOCH_S` epochs of the zone contact).
    %(duration)s
    seed : int
        Root seed of the records and of the comparison.
    device : str, default="cpu"
        ``"cpu"`` or a torch device for the generator and the comparison.
    card : str, path-like or None, default=None
        Also write the data card of the compared epochs and the comparison here
        (replacing it).
    real_data : str, path-like or None, default=None
        The real-data folder (:func:`biosynth.datasets.real_data_dir`).

    Returns
    -------
    reference : dict
        ``sections`` (median ratio to real-vs-real per section), ``metrics`` (value,
        reference and better per metric), ``n_real_epochs`` and ``n_synthetic_epochs``;
        or ``{"skipped": reason}`` without the Bonn files.
    """
    try:
        train, holdout, train_labels = bonn_epochs(real_data)
    except FileNotFoundError as exc:
        return {"skipped": f"Bonn sets D and E needed: {exc}"}
    synthetic, syn_labels = [], []
    for label, ecog, _ in suite_records(0, n_compare, duration=duration, seed=seed, device=device):
        cut = bonn_like_epochs(ecog)
        synthetic.append(cut)
        syn_labels += [label] * cut.sizes["record"]
    synthetic = xr.concat(synthetic, dim="record", combine_attrs="override")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short single-channel epochs: some measures warn
        report = compare(
            train, synthetic, holdout=holdout, labels=(train_labels, np.array(syn_labels)), seed=seed, device=device
        )
    summary = report.summary()
    if card is not None:
        _write_card(synthetic, card, report.to_dict(), syn_labels)
    return {
        "sections": {s: float(summary.loc[s, "median_ratio"]) for s in summary.index},
        "metrics": {m.name: {"value": m.value, "reference": m.reference, "better": m.better} for m in report.metrics},
        "n_real_epochs": int(train.sizes["record"]),
        "n_synthetic_epochs": int(synthetic.sizes["record"]),
    }


def bonn_epochs(real_data: str | os.PathLike | None = None) -> tuple[xr.DataArray, xr.DataArray, np.ndarray]:
    """Bonn D and E cut into :data:`EPOCH_S` epochs, split by segment halves.

    Parameters
    ----------
    real_data : str, path-like or None, default=None
        The real-data folder (:func:`biosynth.datasets.real_data_dir`).

    Returns
    -------
    train : DataArray
        Epochs of the first half of each set's segments, D and E interleaved in a fixed
        seeded order (uV).
    holdout : DataArray
        Epochs of the second halves (D, then E).
    labels : ndarray of int
        0 (D, interictal) or 1 (E, ictal) per epoch of ``train``.

    Raises
    ------
    FileNotFoundError
        A Bonn file is absent (one line naming it and the folder).
    """
    halves: dict[str, list[Any]] = {"train": [], "holdout": []}
    labels = []
    for label, name in enumerate(BONN_FILES.values()):
        segments = load_segments(real_data_file(name, real_data))
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


def bonn_like_epochs(ecog: xr.DataArray) -> xr.DataArray:
    """The zone contact of a record as Bonn recorded it, cut into :data:`EPOCH_S` epochs.

    Parameters
    ----------
    ecog : DataArray
        One record of :func:`suite_records`, in V.

    Returns
    -------
    epochs : DataArray
        The zone contact after a causal Butterworth band-pass (:data:`BONN_BAND
        <biosynth.datasets.BONN_BAND>`, order 2 per edge, the Bonn amplifier), resampled
        to 173.61 Hz, in uV, channel ``"EEG"``, cut into epochs.
    """
    zone = ecog.attrs["provenance"]["parameters"]["zone"][0]
    sfreq = float(ecog.attrs["sfreq"])
    sos = butter(BONN_FILTER_ORDER, BONN_BAND, "bandpass", fs=sfreq, output="sos")
    x = sosfilt(sos, ecog.sel(channel=zone).values * 1e6)
    provenance = dict(ecog.attrs["provenance"])
    provenance["processing"] = (
        f"zone contact {zone}, causal {BONN_BAND[0]:g}-{BONN_BAND[1]:g} Hz band-pass, resampled to {BONN_SFREQ} Hz"
    )
    single = make_signals(x[None, :], sfreq, ch_names=["EEG"], units="uV", modality="eeg", provenance=provenance)
    return epochs(resample(single, BONN_SFREQ), EPOCH_S)


def _write_card(synthetic: xr.DataArray, path: str | os.PathLike, fidelity: dict[str, Any], labels: list[int]) -> None:
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
    _write_data_card(synthetic, Path(path), fidelity=fidelity, purpose=purpose, overwrite=True)


# --- data-driven generators -----------------------------------------------------------------


def fit_learned(name: str, *, device: str = "cpu", real_data: str | os.PathLike | None = None) -> dict[str, Any]:
    """Data-driven generator ``name`` fitted on the Bonn training epochs.

    Parameters
    ----------
    name : str
        One of :data:`LEARNED`.
    device : str, default="cpu"
        Torch device of the generators that train (``vae_mmd``).
    real_data : str, path-like or None, default=None
        The real-data folder (:func:`biosynth.datasets.real_data_dir`).

    Returns
    -------
    fitted : dict
        ``models`` (label 0 interictal and 1 ictal -> a fitted generator each, or
        ``"conditional"`` -> one conditional generator) and ``fit_s`` (seconds).

    Raises
    ------
    FileNotFoundError
        Without the Bonn files.
    """
    try:
        train, _, labels = bonn_epochs(real_data)
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"the Bonn sets D and E are needed to fit {name!r}: {exc}") from None
    options = dict(LEARNED[name]) | ({"device": device} if name == "vae_mmd" else {})
    start = time.perf_counter()
    if REGISTRY[name].conditional:
        models = {"conditional": REGISTRY[name](**options).fit(train, labels=labels)}
    else:
        models = {label: REGISTRY[name](**options).fit(train.isel(record=labels == label)) for label in (0, 1)}
    return {"models": models, "fit_s": time.perf_counter() - start}


def learned_records(models: dict[Any, Any], start: int, stop: int, *, seed: int) -> tuple[xr.DataArray, np.ndarray]:
    """Records ``[start, stop)`` of a fitted data-driven generator.

    Parameters
    ----------
    models : dict
        ``fit_learned(...)["models"]``.
    start, stop : int
        Record range; even records interictal, odd ictal.
    seed : int
        Root seed; record ``i`` depends only on ``(seed, i)``.

    Returns
    -------
    records : DataArray
        The records (one :data:`EPOCH_S` window each).
    labels : ndarray of int
        0 interictal, 1 ictal per record.
    """
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


@fill_doc
def learned_chunk(start: int, stop: int, *, models: dict[Any, Any], seed: int) -> dict[str, Any]:
    """The chunk task of a data-driven generator: generate records ``[start, stop)``, timed.

    Parameters
    ----------
    start, stop : int
        Record range.
    models : dict
        ``fit_learned(...)["models"]``.
    %(root_seed)s

    Returns
    -------
    chunk : dict
        ``records``, ``seconds`` and ``samples`` (these generators have no ground-truth
        events to score).
    """
    t0 = time.perf_counter()
    data, _ = learned_records(models, start, stop, seed=seed)
    return {"records": stop - start, "seconds": time.perf_counter() - t0, "samples": int(data.size)}


def learned_reference(
    models: dict[Any, Any],
    *,
    n_compare: int,
    seed: int,
    device: str = "cpu",
    real_data: str | os.PathLike | None = None,
) -> dict[str, Any]:
    """:func:`biosynth.fidelity.compare` of ``n_compare`` records of a fitted generator with Bonn D/E.

    Parameters
    ----------
    models : dict
        ``fit_learned(...)["models"]``.
    n_compare : int
        Records compared.
    seed : int
        Root seed of the records and of the comparison.
    device : str, default="cpu"
        ``"cpu"`` or a torch device for the comparison.
    real_data : str, path-like or None, default=None
        The real-data folder (:func:`biosynth.datasets.real_data_dir`).

    Returns
    -------
    reference : dict
        ``sections`` and ``metrics`` as :func:`compare_with_bonn`.
    """
    train, holdout, train_labels = bonn_epochs(real_data)
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
