# SPDX-License-Identifier: BSD-3-Clause
"""The end-to-end slice benchmark: generate EEG like the shipped sample, compare it with the
sample, write the report; best-of-N wall time of each stage."""

from __future__ import annotations

import os
import tempfile
import time
from typing import Any

from biosynth._version import __version__
from biosynth.bench.timing import machine_info
from biosynth.datasets import load_sample
from biosynth.fidelity import compare, write_report
from biosynth.generators import match_recording, simulate_eeg

__all__ = ["run_slice_benchmark"]


def run_slice_benchmark(*, n_records: int, duration: float, repeat: int, seed: int) -> dict[str, Any]:
    """Time the slice: generate, compare and report, ``repeat`` times.

    The EEG is :func:`biosynth.generators.simulate_eeg` matched to the shipped EEGLAB
    sample (:func:`biosynth.generators.match_recording`: rate, channel names,
    amplitude), compared with the sample by :func:`biosynth.fidelity.compare` in epochs
    of ``duration`` and written as an HTML report to a temporary folder.

    Parameters
    ----------
    n_records : int
        Synthetic records per repetition.
    duration : float
        Length of each record and of the compared epochs, in s.
    repeat : int
        Repetitions; the best (shortest) time of each stage is reported.
    seed : int
        Seed of the generator (the same records every repetition).

    Returns
    -------
    result : dict
        ``biosynth_version``, ``machine``, ``date``, ``parameters``, ``best_s`` and
        ``all_s`` (stage -> seconds: ``generate``, ``compare``, ``report``) and
        ``samples_per_s`` (generated samples per second of the best generation).
    """
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
