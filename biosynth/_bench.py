# SPDX-License-Identifier: BSD-3-Clause
"""Timing of the end-to-end slice: generate EEG like the shipped sample, compare, report."""

from __future__ import annotations

import os
import platform
import tempfile
import time
from typing import Any

from biosynth._version import __version__


def json_clean(obj: Any) -> Any:
    """NaN/inf to None and NumPy scalars to Python, so results are standard JSON."""
    import numpy as np

    if isinstance(obj, dict):
        return {str(k): json_clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_clean(v) for v in obj]
    if isinstance(obj, bool | np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return float(obj) if np.isfinite(obj) else None
    return obj


def machine_info() -> dict[str, Any]:
    """The machine a benchmark ran on: platform, processor and CPU count."""
    return {"platform": platform.platform(), "processor": platform.processor(), "cpus": os.cpu_count()}


def run_slice_benchmark(*, n_records: int, duration: float, repeat: int, seed: int) -> dict[str, Any]:
    """Best-of-``repeat`` wall time of each stage, in seconds, with the machine."""
    from biosynth.datasets import load_sample
    from biosynth.fidelity import compare, write_report
    from biosynth.generators import match_recording, simulate_eeg

    real = load_sample("eeglab")
    like = match_recording(real)
    timings: dict[str, list[float]] = {"generate": [], "compare": [], "report": []}
    for _ in range(repeat):
        start = time.perf_counter()
        synthetic = simulate_eeg(
            duration,
            like["sfreq"],
            n_records=n_records,
            ch_names=like["ch_names"],
            amplitude=like["amplitude"],
            seed=seed,
        )
        timings["generate"].append(time.perf_counter() - start)
        start = time.perf_counter()
        result = compare(real, synthetic, epoch_duration=duration)
        timings["compare"].append(time.perf_counter() - start)
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            write_report(result, os.path.join(folder, "report.html"))
            timings["report"].append(time.perf_counter() - start)
    best = {k: min(v) for k, v in timings.items()}
    n_samples = n_records * len(like["ch_names"]) * round(duration * like["sfreq"])
    return {
        "biosynth_version": __version__,
        "machine": machine_info(),
        "date": time.strftime("%Y-%m-%d"),
        "parameters": {
            "n_records": n_records,
            "duration_s": duration,
            "repeat": repeat,
            "seed": seed,
            "n_channels": len(like["ch_names"]),
            "sfreq_hz": like["sfreq"],
        },
        "best_s": best,
        "all_s": timings,
        "samples_per_s": n_samples / best["generate"],
    }
