# SPDX-License-Identifier: BSD-3-Clause
"""What every benchmark writes: a header (command, versions, commit, machine, date) and
the JSON file ``benchmarks/results/<suite>-<date>.json`` in standard JSON."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

from biosynth._bench import json_clean, machine_info
from biosynth._version import __version__

RESULTS = Path(__file__).parent / "results"


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
