# SPDX-License-Identifier: BSD-3-Clause
"""Batch benchmarks of biosynth: the engine, the use-case suites and their summaries.

- :mod:`~biosynth.bench.engine`: chunked, resumable execution, in this process or on
  dask.distributed (``run_chunks``);
- :mod:`~biosynth.bench.timing`: stage timer, peak memory, machine and library versions,
  JSON without NaN;
- :mod:`~biosynth.bench.suites`: ``biosynth bench epilepsy|parkinson`` end to end
  (``run_suite``), over the suites :mod:`~biosynth.bench.epilepsy` and
  :mod:`~biosynth.bench.parkinson`;
- :mod:`~biosynth.bench.scaling`: throughput and memory against record count and length;
- :mod:`~biosynth.bench.summary`: JSON, Markdown and HTML outputs of a suite run;
- :mod:`~biosynth.bench.slice`: the end-to-end slice benchmark (``biosynth bench``
  without a suite);
- :mod:`~biosynth.bench.realism`: generators fitted on one part of a real recording and
  judged on the held-out part (``realism_table``); :mod:`~biosynth.bench.realism_suite`:
  that for every recording of the real-data folder (``biosynth bench realism``).

Nothing in the library imports this package; it imports the rest. The engine, timing and
summary names load with the package; the suite names (``run_suite``, ``SUITES``,
``measure_scaling``, ``run_slice_benchmark``) on first use, since they import the
generators: worker processes that run other tasks stay light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from biosynth.bench.engine import ChunkError, chunk_digest, run_chunks
from biosynth.bench.summary import html_summary, markdown_summary, write_outputs
from biosynth.bench.timing import json_clean, machine_info, peak_memory_mb, timer

if TYPE_CHECKING:
    from biosynth.bench.scaling import measure_scaling
    from biosynth.bench.slice import run_slice_benchmark
    from biosynth.bench.suites import SUITES, run_suite

#: Names loaded on first use -> their module.
_LAZY = {
    "SUITES": "biosynth.bench.suites",
    "run_suite": "biosynth.bench.suites",
    "measure_scaling": "biosynth.bench.scaling",
    "run_slice_benchmark": "biosynth.bench.slice",
}

__all__ = [
    "SUITES",
    "ChunkError",
    "chunk_digest",
    "html_summary",
    "json_clean",
    "machine_info",
    "markdown_summary",
    "measure_scaling",
    "peak_memory_mb",
    "run_chunks",
    "run_slice_benchmark",
    "run_suite",
    "timer",
    "write_outputs",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
