# SPDX-License-Identifier: BSD-3-Clause
"""Run mne-hfo's detectors on records saved by ``benchmarks.mnehfo`` (inside the
mne-hfo environment, ``.venv-mnehfo``; it imports nothing of biosynth).

Usage: ``python detect.py DATA.npz SPEC.json OUT.json``. ``DATA.npz`` holds ``data``
(records, channels, times), ``sfreq`` (Hz) and ``ch_names``; ``SPEC.json`` holds
``detectors`` (name -> ``class``, a detector class of ``mne_hfo``, ``band`` in Hz and
``options``) and ``thresholds``. Writes, as JSON, the versions and one row per detection:
detector, threshold, record, channel, onset and duration (s).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(data_path: str, spec_path: str, out_path: str) -> None:
    import mne
    import mne_hfo
    import numpy as np
    import sklearn

    with np.load(data_path) as f:
        data, sfreq, names = f["data"], float(f["sfreq"]), [str(c) for c in f["ch_names"]]
    spec = json.loads(Path(spec_path).read_text())
    info = mne.create_info(names, sfreq, "seeg")
    rows = []
    for record, values in enumerate(data):
        raw = mne.io.RawArray(values, info, verbose=False)
        for name, detector in spec["detectors"].items():
            for threshold in spec["thresholds"]:
                found = getattr(mne_hfo, detector["class"])(
                    threshold=threshold, filter_band=tuple(detector["band"]), n_jobs=1, **detector["options"]
                ).fit(raw)
                table = found.hfo_df
                for onset, duration, channel in zip(table["onset"], table["duration"], table["channels"], strict=True):
                    rows.append([name, threshold, record, str(channel), float(onset), float(duration)])
    versions = {"mne_hfo": getattr(mne_hfo, "__version__", "?"), "scikit_learn": sklearn.__version__}
    Path(out_path).write_text(json.dumps({"versions": versions, "detections": rows}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
