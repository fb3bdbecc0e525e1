# SPDX-License-Identifier: BSD-3-Clause
"""Every generator, parametric and data-driven, on the same real epileptic EEG:
fidelity, utility and privacy, with fit and sampling times.

Rerun: ``python -m benchmarks.learned`` (Bonn sets D and E under ``$BIOSYNTH_REAL_DATA`` or
``shared/data/real`` beside the checkout; skipped with a message without them); ``--device cuda`` trains and
samples the VAE on a GPU. Writes ``benchmarks/results/learned-<date>.json`` and prints the
table.

Data: Bonn set D (interictal, intracranial, in the epileptogenic zone) and E (ictal), 100
single-channel segments of 23.6 s at 173.61 Hz each. Segments are split in half by a
seeded permutation: 50 per class to *train* the generators, 50 per class *held out*;
every segment is cut into windows of :data:`WINDOW` samples (2.95 s; 8 per segment), the
records all generators fit and sample.

Generators (each fitted per class on the training windows, except the conditional VAE,
fitted once on both classes with their labels, and the parametric one, which is
calibrated on the training segments as in :mod:`benchmarks.epilepsy`):

* ``ioecog``: :func:`biosynth.generators.simulate_ioecog` through
  :func:`benchmarks.epilepsy.simulate_segments` (amplitude, spectral shape and gains fitted
  on the training segments; interictal events, LVFA / rhythmic / Epileptor seizures);
* ``phase``, ``iaaft``: surrogates of the training windows;
* ``ar``, ``var``: autoregressive models (on one channel VAR reduces to AR; it is kept so
  the table covers every generator);
* ``vae_mmd``: the convolutional VAE with an MMD latent penalty, conditional on the class.

Per generator, as many synthetic windows per class as training windows:

* fidelity: :func:`biosynth.fidelity.compare` of the held-out windows with the synthetic
  ones, sections spectral, statistical, nonlinear and multivariate (median ratio to
  real-vs-real; lower is closer; ``inf`` when the synthetic windows miss the real ones
  altogether, e.g. precision or coverage 0) per class, averaged over the two classes;
* privacy: the privacy section of ``compare(training, synthetic, holdout=held-out)``
  (memorised copies share, membership-inference AUC, share of synthetic windows closer
  to a training window than to a held-out one);
* utility: train on synthetic, test on the held-out real windows (ictal vs interictal,
  balanced accuracy, logistic regression on the fidelity features, 5 folds grouped by
  segment), next to train-on-real (the training windows, tested the same way).
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from benchmarks import epilepsy
from benchmarks._results import header, not_found, quiet, real_file, report_dict, write
from biosynth.bench.epilepsy import BONN_FILES as BONN  # interictal (D) and ictal (E) files
from biosynth.bench.epilepsy import LEARNED
from biosynth.datasets import load_segments
from biosynth.fidelity import compare, extract_features, record_embedding, train_synthetic_test_real
from biosynth.fidelity.features import feature_names
from biosynth.generators.learned import REGISTRY
from biosynth.signals import make_signals

WINDOW = 512
SECTIONS = ("spectral", "statistical", "nonlinear", "multivariate", "privacy")
GENERATORS = ("ioecog", "phase", "iaaft", "ar", "var", "vae_mmd")
#: Settings of the data-driven generators: those of ``biosynth bench epilepsy --generators``
#: (:data:`biosynth.bench.epilepsy.LEARNED`), with the VAE on this benchmark's windows. The
#: VAE's loss sits near 1 for its first 20-30 epochs before it falls: patience must outlast that.
SETTINGS: dict[str, dict[str, Any]] = {name: dict(options) for name, options in LEARNED.items()}
SETTINGS["vae_mmd"]["window"] = WINDOW


def windows(batch: Any) -> tuple[Any, np.ndarray]:
    """Segments cut into :data:`WINDOW`-sample records, and the segment of each window."""
    data = np.asarray(batch.values, dtype=np.float64)
    per = data.shape[-1] // WINDOW
    cut = data[..., : per * WINDOW].reshape(data.shape[0], data.shape[1], per, WINDOW).transpose(0, 2, 1, 3)
    out = make_signals(
        cut.reshape(-1, data.shape[1], WINDOW),
        float(batch.attrs["sfreq"]),
        ch_names=[str(c) for c in batch["channel"].values],
        units=batch.attrs["units"],
        modality=batch.attrs["modality"],
        provenance=batch.attrs["provenance"],
    )
    return out, np.repeat(np.arange(data.shape[0]), per)


def split(seed: int) -> dict[str, Any] | None:
    """Training and held-out windows per class (segments split in half), or None."""
    out: dict[str, Any] = {}
    for label, name in BONN.items():
        path = real_file(name)
        if path is None:
            return None
        batch = load_segments(path)
        order = np.random.default_rng([seed, len(out)]).permutation(batch.sizes["record"])
        half = order.size // 2
        for part, index in (("train", np.sort(order[:half])), ("holdout", np.sort(order[half:]))):
            segments = batch.isel(record=index)
            win, groups = windows(segments)
            out[(label, part)] = {"segments": segments, "windows": win, "groups": groups}
    return out


def fit_and_sample(
    name: str, data: dict[str, Any], *, seed: int, device: str
) -> tuple[dict[str, Any], dict[str, float]]:
    """Synthetic windows per class from generator ``name``, and its fit/sample seconds."""
    if name == "ioecog":
        return _parametric(data, seed=seed)

    options = dict(SETTINGS[name])
    if name == "vae_mmd":
        options["device"] = device
    timings = {"fit_s": 0.0, "sample_s": 0.0}
    out = {}
    if REGISTRY[name].conditional:
        import xarray as xr

        train = [data[(label, "train")]["windows"] for label in BONN]
        labels = np.concatenate([np.full(t.sizes["record"], label) for t, label in zip(train, BONN, strict=True)])
        start = time.perf_counter()
        model = REGISTRY[name](**options).fit(xr.concat(train, dim="record", combine_attrs="override"), labels=labels)
        timings["fit_s"] = time.perf_counter() - start
        for k, label in enumerate(BONN):
            start = time.perf_counter()
            out[label] = model.sample(train[k].sizes["record"], seed=np.random.SeedSequence([seed, k]), labels=label)
            timings["sample_s"] += time.perf_counter() - start
        return out, timings
    for k, label in enumerate(BONN):
        train = data[(label, "train")]["windows"]
        start = time.perf_counter()
        model = REGISTRY[name](**options).fit(train)
        timings["fit_s"] += time.perf_counter() - start
        start = time.perf_counter()
        out[label] = model.sample(train.sizes["record"], seed=np.random.SeedSequence([seed, k]))
        timings["sample_s"] += time.perf_counter() - start
    return out, timings


def _parametric(data: dict[str, Any], *, seed: int) -> tuple[dict[str, Any], dict[str, float]]:
    start = time.perf_counter()
    calibration = {label: data[(label, "train")]["segments"] for label in BONN}
    settings = epilepsy.calibrate(calibration, seed=seed)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    out = {}
    for label in BONN:
        n_segments = data[(label, "train")]["segments"].sizes["record"]
        out[label] = windows(epilepsy.simulate_segments(label, n_segments, settings, seed=seed))[0]
    return out, {"fit_s": fit_s, "sample_s": time.perf_counter() - start}


def evaluate(name: str, synthetic: dict[str, Any], data: dict[str, Any], *, seed: int) -> dict[str, Any]:
    """Fidelity and privacy per class (compare), utility over both."""
    sections: dict[str, list[float]] = {}
    privacy: dict[str, list[float]] = {}
    for label in BONN:
        real, held = data[(label, "train")]["windows"], data[(label, "holdout")]["windows"]
        syn = synthetic[label].astype(float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fidelity = report_dict(compare(held, syn, sections=SECTIONS[:-1], seed=seed))
            leaks = report_dict(compare(real, syn, holdout=held, sections=["privacy"], seed=seed))
        for section in SECTIONS[:-1]:
            sections.setdefault(section, []).append(fidelity["summary"].get(section, {}).get("median_ratio", np.nan))
        for metric in ("memorised_copies_share", "mia_auc", "dcr_share_closer_to_train"):
            privacy.setdefault(metric, []).append(leaks["metrics"].get(metric, {}).get("value", np.nan))
    return {
        "fidelity": {k: float(np.nanmean(v)) for k, v in sections.items()},
        "privacy": {k: float(np.nanmean(v)) for k, v in privacy.items()},
        "utility": utility(synthetic, data, seed=seed),
    }


def utility(synthetic: dict[str, Any], data: dict[str, Any], *, seed: int) -> dict[str, float]:
    """TSTR and TRTR (balanced accuracy) on the held-out windows, folds grouped by segment."""

    def rows(batch: Any) -> np.ndarray:
        with quiet():
            ds = extract_features(batch)
        return record_embedding(ds, feature_names(ds))

    held = [rows(data[(label, "holdout")]["windows"]) for label in BONN]
    syn = [rows(synthetic[label]) for label in BONN]
    x_real, x_syn = np.concatenate(held), np.concatenate(syn)
    finite = np.isfinite(x_real).all(axis=0) & np.isfinite(x_syn).all(axis=0)
    y_real = np.concatenate([np.full(len(h), k) for k, h in enumerate(held)])
    y_syn = np.concatenate([np.full(len(s), k) for k, s in enumerate(syn)])
    groups = np.concatenate([data[(label, "holdout")]["groups"] + 1000 * k for k, label in enumerate(BONN)])
    with quiet():
        result = train_synthetic_test_real(
            x_real[:, finite], y_real, x_syn[:, finite], y_syn, real_groups=groups, n_splits=5, seed=seed
        )
    return {"tstr": float(result.tstr), "trtr": float(result.trtr)}


def run(*, generators: Sequence[str] = GENERATORS, seed: int = 0, device: str = "cpu") -> dict[str, Any]:
    from tqdm.auto import tqdm

    data = split(seed)
    if data is None:
        return {"skipped": not_found(*BONN.values())}
    results = {}
    for name in tqdm(generators, desc="generators", unit="generator"):
        synthetic, timings = fit_and_sample(name, data, seed=seed, device=device)
        n_windows = sum(s.sizes["record"] for s in synthetic.values())
        start = time.perf_counter()
        results[name] = evaluate(name, synthetic, data, seed=seed)
        results[name]["seconds"] = {**timings, "evaluate_s": time.perf_counter() - start}
        results[name]["windows_per_s"] = n_windows / max(timings["sample_s"], 1e-9)
    counts = {f"{label}_{part}": int(v["windows"].sizes["record"]) for (label, part), v in data.items()}
    return {"counts": counts, "window_samples": WINDOW, "settings": SETTINGS, "results": results}


def _table(result: dict[str, Any]) -> str:
    head = ["generator", *SECTIONS[:-1], "TSTR", "TRTR", "copies", "MIA AUC", "fit s", "windows/s"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for name, r in result["results"].items():
        cells = [name, *(f"{r['fidelity'].get(s, float('nan')):.2f}" for s in SECTIONS[:-1])]
        cells += [f"{r['utility']['tstr']:.3f}", f"{r['utility']['trtr']:.3f}"]
        cells += [f"{r['privacy']['memorised_copies_share']:.2f}", f"{r['privacy']['mia_auc']:.2f}"]
        cells += [f"{r['seconds']['fit_s']:.1f}", f"{r['windows_per_s']:.0f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generators", nargs="+", default=list(GENERATORS), choices=GENERATORS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu", help="device of the VAE ('cpu' or 'cuda')")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    result = run(generators=args.generators, seed=args.seed, device=args.device)
    out = header("python -m benchmarks.learned", vars(args)) | result | {"total_s": time.perf_counter() - start}
    path = write("learned", out)
    if "skipped" in result:
        print(f"skipped: {result['skipped']}")
    else:
        print(_table(result))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
