# SPDX-License-Identifier: BSD-3-Clause
"""biosynth's multivariate fidelity metrics against pyMDMA's, on the same feature rows.

pyMDMA (the AISYM4MED audit library, ``pymdma`` on PyPI) needs torch and torchvision of
its own, so this runs in a separate environment holding both packages::

    python3 -m venv /tmp/venv_mdma
    /tmp/venv_mdma/bin/pip install torch==2.14.1 torchvision==0.29.1 pymdma
    /tmp/venv_mdma/bin/pip install -e .
    /tmp/venv_mdma/bin/python -m benchmarks.pymdma

Input: the shipped real EEG (32 channels, 60 s at 128 Hz) cut into 2-s epochs, and EEG
simulated to match it; every signal (record x channel) is a row of its scalar features
(:func:`biosynth.fidelity.extract_features`), standardised with the real mean and SD, so
both libraries see identical rows. For the metrics both have, the values are printed
side by side with the time of each library and their ratio (best of ``--repeat``).
Writes ``benchmarks/results/pymdma-<date>.json``.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks._results import RESULTS
from biosynth import __version__
from biosynth.bench import machine_info
from biosynth.datasets import load_sample
from biosynth.fidelity import (
    alpha_precision_beta_recall,
    extract_features,
    feature_names,
    mmd,
    precision_recall_density_coverage,
)
from biosynth.generators import match_recording, simulate_eeg
from biosynth.signals import epochs


def _rows(n_synthetic_records: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    real = load_sample("eeglab")
    synthetic = simulate_eeg(2.0, n_records=n_synthetic_records, seed=seed, **match_recording(real))
    feats = [extract_features(epochs(real, 2.0)), extract_features(synthetic)]
    names = [n for n in feature_names(feats[0]) if all(np.isfinite(f[n].values).all() for f in feats)]
    # one row per signal (record x channel), as the fidelity engine's multivariate measures see them
    real_rows, synth_rows = (np.stack([f[n].values.ravel() for n in names], axis=1) for f in feats)
    mean, sd = real_rows.mean(axis=0), real_rows.std(axis=0)
    keep = sd > 0
    return (real_rows[:, keep] - mean[keep]) / sd[keep], (synth_rows[:, keep] - mean[keep]) / sd[keep]


def _best(func: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - start)
    return min(times), out


def _pymdma_calls(real: np.ndarray, synth: np.ndarray) -> dict[str, Callable[[], float]]:
    from pymdma.time_series.measures.synthesis_val import (
        MMD,
        Authenticity,
        Coverage,
        Density,
        ImprovedPrecision,
        ImprovedRecall,
    )

    def value(metric: Any) -> Callable[[], float]:
        return lambda: float(metric.compute(real, synth).dataset_level.value)

    return {
        "precision": value(ImprovedPrecision(k=5)),
        "recall": value(ImprovedRecall(k=5)),
        "density": value(Density(k=5)),
        "coverage": value(Coverage(k=5)),
        "authenticity": value(Authenticity()),
        "mmd_rbf": value(MMD(kernel="rbf", compute_ratios=False)),
    }


def _biosynth_calls(real: np.ndarray, synth: np.ndarray) -> dict[str, Callable[[], float]]:
    # sklearn's rbf kernel has gamma = 1 / n_features: sigma = sqrt(n_features / 2)
    sigma = float(np.sqrt(real.shape[1] / 2.0))

    def prdc(field: str) -> Callable[[], float]:
        return lambda: getattr(precision_recall_density_coverage(real, synth, k=5, standardize=False), field)

    return {
        "precision": prdc("precision"),
        "recall": prdc("recall"),
        "density": prdc("density"),
        "coverage": prdc("coverage"),
        "authenticity": lambda: alpha_precision_beta_recall(real, synth).authenticity,
        "mmd_rbf": lambda: mmd(real, synth, bandwidth=sigma, n_permutations=0).mmd2,
    }


NOTES = {
    "precision": "same definition (k-NN balls, k=5); pyMDMA also counts distances equal to a radius within np.isclose",
    "recall": "same definition",
    "density": "same definition",
    "coverage": "same definition",
    "authenticity": "definitions differ: biosynth (Alaa et al. 2022) checks only each synthetic row's nearest real "
    "row's 1-NN ball, pyMDMA any real row's ball (stricter, lower values)",
    "mmd_rbf": "same kernel; pyMDMA uses the biased V-statistic, biosynth the unbiased U-statistic",
}


def _prdc_set_row(real, synth, ours, theirs, repeat: int) -> dict[str, Any]:
    """The four k-NN metrics as a user gets them: one biosynth call, four pyMDMA calls."""
    fields = ("precision", "recall", "density", "coverage")
    t_ours, _ = _best(lambda: precision_recall_density_coverage(real, synth, k=5, standardize=False), repeat)
    t_theirs, _ = _best(lambda: [theirs[f]() for f in fields], repeat)
    return {
        "metric": "prdc (all 4)",
        "biosynth": None,
        "pymdma": None,
        "biosynth_s": t_ours,
        "pymdma_s": t_theirs,
        "ratio": t_theirs / t_ours,
        "note": "one biosynth call returns all four; pyMDMA computes each metric in its own call",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-synthetic", type=int, default=60, help="synthetic records of 2 s (default 60)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    real, synth = _rows(args.n_synthetic, args.seed)
    ours, theirs = _biosynth_calls(real, synth), _pymdma_calls(real, synth)
    rows = [_prdc_set_row(real, synth, ours, theirs, args.repeat)]
    for name in ours:
        t_ours, v_ours = _best(ours[name], args.repeat)
        t_theirs, v_theirs = _best(theirs[name], args.repeat)
        rows.append(
            {
                "metric": name,
                "biosynth": float(v_ours),
                "pymdma": float(v_theirs),
                "biosynth_s": t_ours,
                "pymdma_s": t_theirs,
                "ratio": t_theirs / t_ours,
                "note": NOTES[name],
            }
        )
    from importlib.metadata import version

    result = {
        "command": "python -m benchmarks.pymdma (in a venv with pymdma, see the module docstring)",
        "biosynth_version": __version__,
        "pymdma_version": version("pymdma"),
        "machine": machine_info(),
        "date": time.strftime("%Y-%m-%d"),
        "input": {"real_rows": list(real.shape), "synthetic_rows": list(synth.shape), "seed": args.seed},
        "metrics": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"pymdma-{result['date']}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"rows: real {real.shape}, synthetic {synth.shape}")
    print(f"{'metric':<13} {'biosynth':>10} {'pyMDMA':>10} {'biosynth ms':>12} {'pyMDMA ms':>10} {'ratio':>7}")
    for r in rows:
        values = "".join(f" {'-' if v is None else format(v, '.4f'):>10}" for v in (r["biosynth"], r["pymdma"]))
        print(
            f"{r['metric']:<13}{values} {r['biosynth_s'] * 1e3:>12.1f} {r['pymdma_s'] * 1e3:>10.1f} {r['ratio']:>6.1f}x"
        )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
