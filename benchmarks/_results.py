# SPDX-License-Identifier: BSD-3-Clause
"""What every benchmark script shares: the results folder, a header (command, versions,
commit, machine, date), standard JSON, the digest of a fidelity report, and a context that
silences third-party warnings. Names here are public to the scripts of ``benchmarks/``."""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from biosynth import __version__
from biosynth.bench import json_clean, machine_info
from biosynth.datasets import REAL_DATA_ENV, real_data_dir, real_data_file

#: Where the scripts write ``<suite>-<date>.json``.
RESULTS = Path(__file__).parent / "results"
#: The repository's data cards.
DATA_CARDS = Path(__file__).resolve().parents[1] / "data_cards"
#: What a fidelity ratio means, for the ``conventions`` field of result files.
FIDELITY_CONVENTION = (
    "fidelity: median over a section's metrics of value / real-vs-real reference (1 = as close as the "
    "real halves are to each other; lower is closer)"
)


def header(command: str, arguments: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The fields every result file starts with (``extra`` after them)."""
    return {
        "command": command,
        "arguments": {k: (str(v) if isinstance(v, Path) else v) for k, v in arguments.items()},
        "biosynth_version": __version__,
        "git": git_state(),
        "machine": machine_info(),
        "date": time.strftime("%Y-%m-%d"),
        **extra,
    }


def write(suite: str, result: dict[str, Any]) -> Path:
    """Write ``result`` to ``RESULTS/<suite>-<date>.json`` (NaN and inf as null)."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{suite}-{result.get('date', time.strftime('%Y-%m-%d'))}.json"
    path.write_text(json.dumps(clean(result), indent=2))
    return path


def git_state() -> dict[str, Any] | None:
    """Commit of the checkout and whether it has uncommitted changes (None outside git)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=Path(__file__).parent, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}
    except (OSError, subprocess.CalledProcessError):
        return None


def clean(obj: Any) -> Any:
    """NaN/inf to None and NumPy scalars to Python, so the JSON is standard."""
    return json_clean(obj)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence third-party warnings (the test suite turns warnings into errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def feature_of(metric: str) -> str:
    """The feature a metric is about (``"ks_std"`` -> ``"std"``)."""
    for prefix in ("wasserstein_", "ks_", "effect_size_"):
        if metric.startswith(prefix):
            return metric[len(prefix) :]
    return metric


def report_dict(report: Any) -> dict[str, Any]:
    """Section summaries, per-metric ratios and per-feature median ratios of a fidelity report.

    Parameters
    ----------
    report : FidelityReport
        As returned by :func:`biosynth.fidelity.compare`.

    Returns
    -------
    digest : dict
        ``summary`` (section -> metrics, close, median_ratio), ``metrics`` (name ->
        section, value, reference, ratio), ``features`` (section -> feature -> median
        ratio) and ``seconds`` (the report's timings).
    """
    table = report.table()
    summary = {
        s: {k: (float(v) if k == "median_ratio" else int(v)) for k, v in row.items()}
        for s, row in report.summary().to_dict(orient="index").items()
    }
    metrics = {
        row["name"]: {
            "section": row["section"],
            "value": row["value"],
            "reference": row["reference"],
            "ratio": row["ratio"],
        }
        for row in table.to_dict(orient="records")
    }
    table = table.assign(feature=table["name"].map(feature_of))
    features: dict[str, dict[str, float]] = {}
    for (section, feature), group in table.groupby(["section", "feature"], sort=False):
        ratios = group["ratio"].to_numpy(dtype=float)
        ratios = ratios[~np.isnan(ratios)]
        features.setdefault(section, {})[feature] = float(np.median(ratios)) if ratios.size else float("nan")
    return {"summary": summary, "features": features, "metrics": metrics, "seconds": dict(report.timings)}


def real_file(name: str) -> Path | None:
    """File ``name`` of the real-data folder (:func:`biosynth.datasets.real_data_dir`:
    ``$BIOSYNTH_REAL_DATA``, else ``shared/data/real`` beside the checkout), or None when absent."""
    try:
        return real_data_file(name)
    except FileNotFoundError:
        return None


def not_found(*names: str) -> str:
    """The skip reason of a benchmark whose real files ``names`` are absent: which, and where."""
    folder = real_data_dir()
    where = f"under {folder}" if folder is not None else f"(no real-data folder: set ${REAL_DATA_ENV})"
    return f"{', '.join(names)} not found {where}"
