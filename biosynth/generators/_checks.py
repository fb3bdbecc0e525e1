# SPDX-License-Identifier: BSD-3-Clause
"""Argument checks shared by sibling generator modules (the simulators, estimators, leads, noise).

Private to :mod:`biosynth.generators`: the names here are un-prefixed so siblings can
import them, and the public modules (:mod:`.leads`, :mod:`.noise`) re-export the
constants.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from biosynth._utils.check import check_number, check_option, check_type

#: The 12 standard ECG leads (re-exported by :mod:`biosynth.generators.leads`).
STANDARD_LEADS = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")

#: Noise kinds of :func:`biosynth.generators.add_noise` (re-exported by :mod:`biosynth.generators.noise`).
NOISE_KINDS = ("baseline", "powerline", "muscle", "motion")


def check_freq(name: str, freq: float, sfreq: float) -> float:
    """A frequency in Hz strictly between 0 and Nyquist (``sfreq / 2``)."""
    nyquist = sfreq / 2.0
    return check_number(
        name,
        freq,
        low=0.0,
        high=nyquist,
        low_inclusive=False,
        high_inclusive=False,
        unit="Hz",
        context=f"Nyquist is {nyquist:g} Hz for sfreq={sfreq:g}",
    )


def check_flags(**flags: Any) -> None:
    """Each keyword (``progress``, ``return_events``, ...) must be a bool (NumPy bools too)."""
    for name, value in flags.items():
        check_type(name, value, (bool, np.bool_), "a bool")


def check_leads(leads: Sequence[str]) -> list[str]:
    """Names of standard ECG leads, each once, as a list."""
    if isinstance(leads, str) or not isinstance(leads, Sequence) or len(leads) == 0:
        raise ValueError(f"leads must be a non-empty sequence of lead names such as ('I', 'II'), got {leads!r}.")
    names = [check_option(f"leads[{i}]", name, STANDARD_LEADS) for i, name in enumerate(leads)]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"leads must name each lead once, got {repeated} more than once.")
    return names


def check_noise_kinds(kinds: Sequence[str]) -> list[str]:
    """Noise kinds of :data:`NOISE_KINDS`, each once, as a list."""
    if isinstance(kinds, str) or not isinstance(kinds, Sequence) or len(kinds) == 0:
        raise ValueError(f"kinds must be a non-empty sequence of noise kinds such as ('muscle',), got {kinds!r}.")
    names = [check_option(f"kinds[{i}]", kind, NOISE_KINDS) for i, kind in enumerate(kinds)]
    if len(set(names)) != len(names):
        raise ValueError(f"kinds must name each kind once, got {list(kinds)!r}.")
    return names
