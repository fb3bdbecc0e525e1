# SPDX-License-Identifier: BSD-3-Clause
"""biosynth: synthetic biosignals (ECG, EEG, ioECoG, Parkinsonian LFP/EEG) and the
measures of how faithful, useful and private they are against real recordings."""

from biosynth._version import __version__

__all__ = ["__version__"]
