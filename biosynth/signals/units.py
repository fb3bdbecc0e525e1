# SPDX-License-Identifier: BSD-3-Clause
"""Amplitude units: volts inside MNE, whatever the user has outside it."""

from __future__ import annotations

from typing import Any

import xarray as xr

#: Scale of each unit in volts. ``"a.u."`` (arbitrary units) has no scale.
UNIT_SCALE = {"V": 1.0, "mV": 1e-3, "uV": 1e-6, "nV": 1e-9}
#: Scale of each acceleration unit (accelerometers) in m/s^2; ``"g"`` is standard gravity.
ACCELERATION_SCALE = {"m/s^2": 1.0, "g": 9.80665}
UNITS = (*UNIT_SCALE, *ACCELERATION_SCALE, "a.u.")
_ALIASES = {
    "v": "V",
    "volt": "V",
    "volts": "V",
    "mv": "mV",
    "millivolt": "mV",
    "uv": "uV",
    "µv": "uV",
    "μv": "uV",
    "microvolt": "uV",
    "nv": "nV",
    "nanovolt": "nV",
    "a.u.": "a.u.",
    "au": "a.u.",
    "m/s^2": "m/s^2",
    "m/s2": "m/s^2",
    "m/s**2": "m/s^2",
    "g": "g",
}


def normalize_units(units: Any, name: str = "units") -> str:
    """Return the canonical spelling of an amplitude unit.

    Parameters
    ----------
    units : str
        ``"V"``, ``"mV"``, ``"uV"`` (also ``"µV"``, ``"microvolt"``), ``"nV"``, the
        acceleration units ``"m/s^2"`` and ``"g"``, or ``"a.u."``; case-insensitive.
    name : str
        Argument name used in the error message.

    Returns
    -------
    units : str
        One of :data:`UNITS`.
    """
    if not isinstance(units, str) or units.strip().lower() not in _ALIASES:
        raise ValueError(f"{name} must be one of {', '.join(UNITS)} (amplitude unit), got {units!r}.")
    return _ALIASES[units.strip().lower()]


def unit_factor(from_units: str, to_units: str) -> float:
    """Multiplicative factor that converts amplitudes from ``from_units`` to ``to_units``.

    Parameters
    ----------
    from_units, to_units : str
        Volt units, or acceleration units (see :func:`normalize_units`); not across the two.

    Returns
    -------
    factor : float
    """
    src = normalize_units(from_units, "from_units")
    dst = normalize_units(to_units, "to_units")
    if src == dst:
        return 1.0
    if "a.u." in (src, dst):
        raise ValueError(f"cannot convert between {src!r} and {dst!r}: arbitrary units have no scale in volts.")
    for scale in (UNIT_SCALE, ACCELERATION_SCALE):
        if src in scale and dst in scale:
            return scale[src] / scale[dst]
    raise ValueError(f"cannot convert between {src!r} and {dst!r}: one is a voltage, the other an acceleration.")


def convert_units(signals: xr.DataArray, units: str) -> xr.DataArray:
    """Return a copy of ``signals`` expressed in ``units``.

    Parameters
    ----------
    signals : DataArray
        biosynth container; its ``attrs["units"]`` says the current unit.
    units : str
        Target unit (see :func:`normalize_units`).

    Returns
    -------
    converted : DataArray
        Same labels; values scaled, ``attrs["units"]`` updated.

    Examples
    --------
    >>> import numpy as np
    >>> from biosynth.signals import make_signals
    >>> x = make_signals(np.full((1, 4), 2e-6), 100.0, units="V")
    >>> float(convert_units(x, "uV")[0, 0])
    2.0
    """
    if not isinstance(signals, xr.DataArray) or "units" not in signals.attrs:
        raise TypeError("signals must be a biosynth DataArray with attrs['units'].")
    factor = unit_factor(signals.attrs["units"], units)
    out = signals * factor if factor != 1.0 else signals.copy()
    out.attrs = dict(signals.attrs, units=normalize_units(units))
    return out
