# SPDX-License-Identifier: BSD-3-Clause
"""Signal generators, one module per family. Each takes ``duration, sfreq`` first,
a ``seed`` and returns the biosynth container."""

from biosynth.generators.eeg import match_recording, simulate_eeg

__all__ = ["match_recording", "simulate_eeg"]
