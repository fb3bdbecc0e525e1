# SPDX-License-Identifier: BSD-3-Clause
"""mne-hfo's HFO detectors as peers of ``python -m benchmarks.hfo_transfer``.

mne-hfo 0.2 (its latest release, on PyPI) does not run beside the project's scikit-learn
(it calls ``BaseEstimator._validate_data``, removed in scikit-learn 1.6), so it lives in a
virtual environment of its own: ``make mnehfo`` builds ``.venv-mnehfo`` from
``benchmarks/mnehfo/requirements.txt``, or ``$BIOSYNTH_MNEHFO_PYTHON`` names another
interpreter that imports ``mne_hfo``. The records go to it as an ``.npz`` file and
``benchmarks/mnehfo/detect.py`` sends the detections back as JSON; without that
environment the benchmark says so and scores biosynth's detectors alone.

Detectors (:data:`DETECTORS`): mne-hfo's ``RMSDetector`` in the ripple (80-250 Hz) and
fast-ripple (250-500 Hz) bands and its ``LineLengthDetector`` in the ripple band, with
their defaults (windows of 100 samples, 25 % overlap; ``threshold`` in SDs of each
channel's windowed statistic over the record).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: The interpreter variable, the default environment and the script run there.
PYTHON_ENV = "BIOSYNTH_MNEHFO_PYTHON"
DEFAULT_VENV = Path(__file__).resolve().parents[2] / ".venv-mnehfo"
SCRIPT = Path(__file__).parent / "detect.py"
#: Detector name -> mne-hfo class, pass band (Hz), marking types it is scored against, options.
DETECTORS: dict[str, dict[str, Any]] = {
    "mnehfo_rms_ripple": {"class": "RMSDetector", "band": (80.0, 250.0), "truth": ("ripple", "frandr"), "options": {}},
    "mnehfo_linelength_ripple": {
        "class": "LineLengthDetector",
        "band": (80.0, 250.0),
        "truth": ("ripple", "frandr"),
        "options": {},
    },
    "mnehfo_rms_fast_ripple": {
        "class": "RMSDetector",
        "band": (250.0, 500.0),
        "truth": ("fr", "frandr"),
        "options": {},
    },
}
#: Columns of the detections.
COLUMNS = ["detector", "threshold", "record", "channel", "onset", "duration"]


def interpreter() -> Path | None:
    """The Python of the mne-hfo environment (``$BIOSYNTH_MNEHFO_PYTHON``, else
    ``.venv-mnehfo`` beside the checkout), or None when there is none; a variable that
    names no file is an error, not a silent skip."""
    named = os.environ.get(PYTHON_ENV)
    if named and not Path(named).is_file():
        raise ValueError(f"{PYTHON_ENV}={named!r} is not a file; expected the python of an environment with mne-hfo")
    path = Path(named) if named else DEFAULT_VENV / "bin" / "python"
    return path if path.is_file() else None


def status(python: Path | None, versions: dict[str, str] | None = None) -> str:
    """One line on whether and how mne-hfo's detectors were scored."""
    if python is None:
        return (
            f"not scored: no mne-hfo environment (`make mnehfo` builds {DEFAULT_VENV.name}, or set {PYTHON_ENV}); "
            "mne-hfo 0.2 needs scikit-learn < 1.6, older than the project's"
        )
    found = ", ".join(f"{k} {v}" for k, v in (versions or {}).items())
    return f"scored in its own environment ({python}; {found}) on the real recording and the main candidate"


def detect(
    values: np.ndarray, sfreq: float, ch_names: Sequence[str], thresholds: Sequence[float], python: Path
) -> tuple[pd.DataFrame, dict[str, str]]:
    """mne-hfo's detections on ``values`` (records, channels, times), every detector of
    :data:`DETECTORS` at every threshold.

    Returns
    -------
    detections : DataFrame
        :data:`COLUMNS`: detector name, threshold (SD), record, channel, onset and duration (s).
    versions : dict of str to str
        mne-hfo's and scikit-learn's versions in that environment.
    """
    spec = {
        "detectors": {name: {k: d[k] for k in ("class", "band", "options")} for name, d in DETECTORS.items()},
        "thresholds": [float(t) for t in thresholds],
    }
    with tempfile.TemporaryDirectory() as folder:
        data, spec_path, out = (Path(folder) / name for name in ("data.npz", "spec.json", "out.json"))
        np.savez(data, data=np.asarray(values, dtype=np.float64), sfreq=sfreq, ch_names=np.asarray(ch_names))
        spec_path.write_text(json.dumps(spec))
        done = subprocess.run(
            [str(python), str(SCRIPT), str(data), str(spec_path), str(out)], capture_output=True, text=True
        )
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"mne-hfo environment {python} failed: {last}")
        result = json.loads(out.read_text())
    return pd.DataFrame(result["detections"], columns=COLUMNS), result["versions"]
