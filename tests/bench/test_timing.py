# SPDX-License-Identifier: BSD-3-Clause
"""Timing helpers of the benchmarks: peak memory, stage timer, machine, versions, JSON."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from biosynth.bench import json_clean, machine_info, peak_memory_mb, timer
from biosynth.bench.timing import library_versions


def test_peak_memory_and_timer():
    # the peak follows an allocation: with 200 MiB touched on top of the resident memory
    # (/proc, Linux), the peak reaches at least that sum (in a fresh process, whose earlier
    # high-water mark is small)
    if not Path("/proc/self/statm").exists():
        pytest.skip("needs /proc to read the resident memory")
    code = (
        "import os, numpy as np; from biosynth.bench.timing import peak_memory_mb; "
        "rss = int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20; "
        "block = np.ones(200 * 2**20 // 8); print(rss, peak_memory_mb())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    resident, peak = map(float, out.split())
    assert peak >= resident + 195
    timings: dict[str, float] = {}
    with pytest.raises(RuntimeError), timer(timings, "stage"):
        time.sleep(0.01)
        raise RuntimeError
    with timer(timings, "stage"):
        time.sleep(0.01)
    assert timings["stage"] >= 0.02


def test_machine_versions_and_json_clean():
    assert machine_info()["cpus"] >= 1
    versions = library_versions(("numpy", "no-such-package-xyz"))
    assert versions == {"numpy": np.__version__, "no-such-package-xyz": None}
    clean = json_clean({1: (np.float32(0.5), np.int64(3), np.bool_(True)), "x": [float("inf"), np.nan]})
    assert clean == {"1": [0.5, 3, True], "x": [None, None]}
    json.dumps(clean, allow_nan=False)
    assert peak_memory_mb() > 0


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("biosynth.bench.runner", ("run_chunks", "chunk_digest", "ChunkError", "peak_memory_mb", "timer")),
        ("biosynth.bench.run", ("run_suite", "markdown_summary", "write_outputs", "measure_scaling")),
    ],
)
def test_old_modules_warn_and_still_work(module, names):
    import importlib

    import biosynth.bench

    old = importlib.import_module(module)  # importing warns nothing: reading a name does
    for name in names:
        with pytest.warns(FutureWarning, match=rf"{module}.{name} moved to .*removed in 0.3"):
            assert getattr(old, name) is getattr(biosynth.bench, name)
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        old.nothing


@pytest.mark.parametrize("module", ["biosynth.bench.runner", "biosynth.bench.run", "biosynth.bench.suites"])
def test_every_old_name_warns_with_its_new_home_and_the_version(module):
    """Each name an old module lists as moved resolves to the object of its new home,
    with a FutureWarning that names that home and the release that drops the old name."""
    import importlib

    old = importlib.import_module(module)
    assert old._MOVED
    for name, where in old._MOVED.items():
        new_module, new_name = where if isinstance(where, tuple) else (where, name)
        with pytest.warns(FutureWarning, match=rf"{module}\.{name} moved to {new_module}\.{new_name} .*0\.3"):
            value = getattr(old, name)
        assert value is getattr(importlib.import_module(new_module), new_name), name
