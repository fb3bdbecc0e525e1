# SPDX-License-Identifier: BSD-3-Clause
"""Deprecated alias of :mod:`biosynth.bench.suites`, :mod:`~biosynth.bench.scaling` and
:mod:`~biosynth.bench.summary`: split in biosynth 0.2, removed in 0.3. Import from
:mod:`biosynth.bench` instead; each name read from here warns (FutureWarning) and returns
the object of its new home."""

from __future__ import annotations

import importlib
import warnings
from typing import Any

#: Name -> its new module.
_MOVED = {
    "run_suite": "biosynth.bench.suites",
    "SCHEMA_VERSION": "biosynth.bench.suites",
    "MIN_COMPARE_EPOCHS": "biosynth.bench.suites",
    "measure_scaling": "biosynth.bench.scaling",
    "SCALING_RECORDS": "biosynth.bench.scaling",
    "SCALING_DURATIONS": "biosynth.bench.scaling",
    "SCALING_CHUNK": "biosynth.bench.scaling",
    "markdown_summary": "biosynth.bench.summary",
    "html_summary": "biosynth.bench.summary",
    "write_outputs": "biosynth.bench.summary",
}


def __getattr__(name: str) -> Any:
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(
        f"biosynth.bench.run.{name} moved to {_MOVED[name]}.{name} in biosynth 0.2 (import it from "
        "biosynth.bench); the old module is removed in 0.3.",
        FutureWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module(_MOVED[name]), name)
