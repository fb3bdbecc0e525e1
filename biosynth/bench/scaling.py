# SPDX-License-Identifier: BSD-3-Clause
"""Scaling figures of a suite's generator: throughput and peak memory as the record count
and the record length grow, each size in a fresh process so its peak memory is its own."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from tqdm.auto import tqdm

from biosynth._utils.docs import fill_doc
from biosynth.bench import epilepsy, parkinson
from biosynth.bench.timing import peak_memory_mb

#: Record counts and lengths (s) of the scaling figures (counts capped by max_records).
SCALING_RECORDS = (10, 100, 1000, 10000)
SCALING_DURATIONS = (5.0, 10.0, 30.0, 60.0)
#: Records generated at once (as a chunk of a suite run is): memory stays bounded
#: whatever the record count.
SCALING_CHUNK = 100
#: Suite -> ``generate(first, count, *, duration, seed) -> samples made`` (not the
#: registry of generators, biosynth.generators.GENERATORS).
GENERATE_ONLY: dict[str, Callable[..., int]] = {
    "epilepsy": epilepsy.generate_only,
    "parkinson": parkinson.generate_only,
}

__all__ = ["GENERATE_ONLY", "SCALING_CHUNK", "SCALING_DURATIONS", "SCALING_RECORDS", "generate_only", "measure_scaling"]


@fill_doc
def measure_scaling(
    name: str,
    *,
    max_records: int,
    duration: float,
    seed: int,
    records: tuple[int, ...] = SCALING_RECORDS,
    durations: tuple[float, ...] = SCALING_DURATIONS,
) -> dict[str, list[dict[str, float]]]:
    """Generation throughput and peak memory against record count and length.

    Parameters
    ----------
    name : {"epilepsy", "parkinson"}
        The suite whose generator is measured.
    max_records : int
        Largest record count measured (``records`` above it are skipped).
    duration : float
        Record length of the count series, in s.
    %(root_seed)s
    records : tuple of int, default=SCALING_RECORDS
        Record counts of the count series.
    durations : tuple of float, default=SCALING_DURATIONS
        Record lengths (s) of the length series, at ``min(10, max_records)`` records.

    Returns
    -------
    scaling : dict
        ``"records"`` and ``"duration"``: one row per size with ``n_records``,
        ``duration_s``, ``seconds``, ``records_per_s``, ``samples_per_s`` and the peak
        memory (``peak_memory_mb``, MiB) of the fresh process that made them.
    """
    if name not in GENERATE_ONLY:
        raise ValueError(f"name must be one of {tuple(GENERATE_ONLY)}, got {name!r}.")
    sizes = [("records", n, duration) for n in records if n <= max_records]
    sizes += [("duration", min(10, max_records), d) for d in durations]
    out: dict[str, list[dict[str, float]]] = {"records": [], "duration": []}
    for axis, n, length in tqdm(sizes, desc="scaling", unit="size"):
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
            seconds, samples, memory = pool.submit(generate_only, name, n, length, seed).result()
        out[axis].append({"n_records": n, "duration_s": length, "seconds": seconds, "records_per_s": n / seconds,
                          "samples_per_s": samples / seconds, "peak_memory_mb": memory})  # fmt: skip
    return out


@fill_doc
def generate_only(name: str, n: int, duration: float, seed: int) -> tuple[float, int, float]:
    """Generate ``n`` records of suite ``name`` without detection, :data:`SCALING_CHUNK` at a time.

    Parameters
    ----------
    name : {"epilepsy", "parkinson"}
        The suite.
    n : int
        Records.
    %(duration)s
    %(root_seed)s

    Returns
    -------
    seconds : float
        Wall time, in s.
    samples : int
        Samples made.
    peak_memory : float
        Peak resident memory of this process, in MiB.
    """
    generate = GENERATE_ONLY[name]
    start, samples = time.perf_counter(), 0
    for first in range(0, n, SCALING_CHUNK):
        samples += generate(first, min(SCALING_CHUNK, n - first), duration=duration, seed=seed)
    return time.perf_counter() - start, int(samples), peak_memory_mb()
