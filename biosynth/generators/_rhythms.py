# SPDX-License-Identifier: BSD-3-Clause
"""Rhythms of the EEG-family generators: the :class:`Rhythm` record, the cortical regions
it can live on, and its checks (shared by :mod:`.eeg` and :mod:`.ioecog`).

Private to :mod:`biosynth.generators`: :mod:`.eeg` re-exports :class:`Rhythm`,
:data:`REGIONS` and :data:`MIN_BANDWIDTH`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from biosynth._utils.check import check_number, check_option, check_positive

#: Cortical regions a rhythm can live on, as conditions on the generators' unit outward
#: direction (x right, y anterior, z up): "posterior" y < -0.3; "central" |y| < 0.3
#: and z > 0.4 (sensorimotor strip, C3/Cz/C4); "frontal_midline" y > 0.3 and
#: |x| < 0.35 (Fz, FCz); "all".
REGIONS = ("all", "posterior", "central", "frontal_midline")
#: Narrowest rhythm band (FWHM, Hz): its kernel lasts 10 / bandwidth = 40 s.
MIN_BANDWIDTH = 0.25


@dataclass(frozen=True)
class Rhythm:
    """An oscillation of the EEG: spectral band, place and time course.

    Parameters
    ----------
    name : str
        Label; bursts appear in the events as ``"<name>_burst"`` (``"spindle"`` for
        a rhythm named ``"spindle"``).
    freq : float
        Centre frequency, in Hz.
    bandwidth : float
        Full width at half maximum of the spectral peak, in Hz.
    height : float
        Peak height above the aperiodic line while the rhythm is on, in log10 power
        (specparam's PW), at the channel where the rhythm is strongest; in [0, 4].
    region : str
        Cortical region (:data:`REGIONS`); only used with ``spatial="sphere"``.
    burst_duration : float | None
        Mean burst length, in s; None makes the rhythm sustained.
    burst_rate : float
        Bursts per minute (bursty rhythms only). The mean power is that of the
        rhythm while on times the mean squared envelope (Campbell's theorem:
        ``rate * 3d/8 + (rate * d/2)**2`` with the rate per s and d the mean
        duration).
    reactivity : float
        Eyes-closed over eyes-open power ratio (>= 1 dampens it with eyes open).
    """

    name: str
    freq: float
    bandwidth: float
    height: float
    region: str = "all"
    burst_duration: float | None = None
    burst_rate: float = 0.0
    reactivity: float = 1.0


def as_rhythm(value: Any, index: int) -> Rhythm:
    """``value`` (a Rhythm or a mapping of its fields) as a Rhythm; ``index`` names it in errors."""
    if isinstance(value, Rhythm):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"rhythms[{index}] must be a Rhythm or a mapping of its fields, got {type(value).__name__}.")
    try:
        return Rhythm(**value)
    except TypeError as err:
        raise TypeError(f"rhythms[{index}]: {err} (fields: {list(Rhythm.__dataclass_fields__)}).") from None


def check_rhythm(rhythm: Rhythm, nyquist: float, prefix: str) -> dict[str, Any]:
    """The checked fields of ``rhythm`` as a JSON-able dict; ``prefix`` names them in errors
    (``"alpha_"`` spells them as simulate_eeg's alpha keywords)."""

    def name(field: str) -> str:
        return f"{prefix}{field}" if prefix != "alpha_" or field in ("freq", "bandwidth", "height") else field

    freq = check_number(
        name("freq"),
        rhythm.freq,
        low=0.0,
        high=nyquist,
        low_inclusive=False,
        high_inclusive=False,
        unit="Hz",
        context=f"Nyquist is {nyquist:g} Hz",
    )
    out = asdict(rhythm) | {
        "freq": freq,
        "bandwidth": check_number(name("bandwidth"), rhythm.bandwidth, low=MIN_BANDWIDTH, high=nyquist, unit="Hz"),
        "height": check_number(name("height"), rhythm.height, low=0.0, high=4.0),
        "region": check_option(f"{prefix}region", rhythm.region, REGIONS),
        "reactivity": check_number(
            "alpha_reactivity" if prefix == "alpha_" else f"{prefix}reactivity", rhythm.reactivity, low=1.0
        ),
        "burst_rate": check_number(f"{prefix}burst_rate", rhythm.burst_rate, low=0.0),
    }
    if rhythm.burst_duration is not None:
        out["burst_duration"] = check_positive(f"{prefix}burst_duration", rhythm.burst_duration, unit="s")
        if out["burst_rate"] == 0:
            raise ValueError(f"{prefix}burst_rate must be > 0 per minute for a bursty rhythm, got 0.")
    elif out["burst_rate"] > 0:
        raise ValueError(f"{prefix}burst_duration must be set (s) when burst_rate > 0.")
    return out
