# SPDX-License-Identifier: BSD-3-Clause
"""Data that biosynth reads: shipped samples, the folder of real recordings and its
loaders, and the published figures that synthetic data is checked against.

- :mod:`~biosynth.datasets.samples`: small real recordings shipped with the package
  (``load_sample``, ``"sample:NAME"`` paths);
- :mod:`~biosynth.datasets.real`: where the real recordings are (``real_data_dir``:
  argument, else ``$BIOSYNTH_REAL_DATA``, else ``shared/data/real`` beside the source
  checkout) and a loader of single-channel segment files;
- :mod:`~biosynth.datasets.bonn`: the Bonn epilepsy database (sets, recording settings,
  loader);
- :mod:`~biosynth.datasets.figures`: published figures (``published_figures("parkinson")``);
- :mod:`~biosynth.datasets.positions`: channel positions of the EEGLAB recording
  (``eeglab_positions``).
"""

from __future__ import annotations

from biosynth.datasets.bonn import (
    BONN_BAND,
    BONN_FILTER_ORDER,
    BONN_ICTAL,
    BONN_INTERICTAL,
    BONN_N_TIMES,
    BONN_SETS,
    BONN_SFREQ,
    load_bonn,
)
from biosynth.datasets.figures import PUBLISHED, figure_numbers, published_entry, published_figures
from biosynth.datasets.positions import EEGLAB_CHANLOCS, eeglab_positions
from biosynth.datasets.real import (
    DEFAULT_REAL_DATA,
    REAL_DATA_ENV,
    checkout_root,
    load_segments,
    real_data_dir,
    real_data_file,
)
from biosynth.datasets.samples import SAMPLE_PREFIX, SAMPLES, load_sample, open_signals, sample_path

__all__ = [
    "BONN_BAND",
    "BONN_FILTER_ORDER",
    "BONN_ICTAL",
    "BONN_INTERICTAL",
    "BONN_N_TIMES",
    "BONN_SETS",
    "BONN_SFREQ",
    "DEFAULT_REAL_DATA",
    "EEGLAB_CHANLOCS",
    "PUBLISHED",
    "REAL_DATA_ENV",
    "SAMPLES",
    "SAMPLE_PREFIX",
    "checkout_root",
    "eeglab_positions",
    "figure_numbers",
    "load_bonn",
    "load_sample",
    "load_segments",
    "open_signals",
    "published_entry",
    "published_figures",
    "real_data_dir",
    "real_data_file",
    "sample_path",
]
