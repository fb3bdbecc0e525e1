# SPDX-License-Identifier: BSD-3-Clause
"""Deprecated alias of :mod:`biosynth.bench.engine` (and :mod:`biosynth.bench.timing`):
renamed in biosynth 0.2, removed in 0.3. Import from :mod:`biosynth.bench` instead; each
name read from here warns (FutureWarning) and returns the object of its new home."""

from __future__ import annotations

import importlib
import warnings
from typing import Any

#: Name -> its new module.
_MOVED = {
    "ChunkError": "biosynth.bench.engine",
    "chunk_digest": "biosynth.bench.engine",
    "run_chunks": "biosynth.bench.engine",
    "peak_memory_mb": "biosynth.bench.timing",
    "timer": "biosynth.bench.timing",
}


def __getattr__(name: str) -> Any:
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(
        f"biosynth.bench.runner.{name} moved to {_MOVED[name]}.{name} in biosynth 0.2 (import it from "
        "biosynth.bench); the old module is removed in 0.3.",
        FutureWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module(_MOVED[name]), name)
