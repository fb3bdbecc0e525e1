# SPDX-License-Identifier: BSD-3-Clause
"""Change the sampling rate of a container with polyphase filtering."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import xarray as xr

from biosynth._utils.check import check_sfreq
from biosynth.signals.container import TIME, validate_signals


def resample(signals: xr.DataArray, sfreq: float, *, max_denominator: int = 1000) -> xr.DataArray:
    """Resample ``signals`` to ``sfreq`` with an anti-aliasing polyphase filter.

    Uses :func:`scipy.signal.resample_poly` with the ratio ``sfreq / old_sfreq``
    written as a fraction ``up / down`` (denominator at most ``max_denominator``).
    The default Kaiser window (beta 5) removes content above the new Nyquist
    frequency before decimation.

    Parameters
    ----------
    signals : DataArray
        biosynth container.
    sfreq : float
        New sampling rate, in Hz.
    max_denominator : int
        Largest ``down`` factor tried when approximating the ratio; the rate actually
        reached is ``old_sfreq * up / down`` and is stored in ``attrs["sfreq"]``.

    Returns
    -------
    resampled : DataArray
        Same labels and attrs, new ``time`` coordinate and ``attrs["sfreq"]``;
        ``attrs["provenance"]["resampled_from"]`` keeps the old rate.

    Examples
    --------
    >>> import numpy as np
    >>> from biosynth.signals import make_signals
    >>> x = make_signals(np.zeros((1, 500)), 500.0)
    >>> resample(x, 250.0).sizes["time"]
    250
    """
    from scipy.signal import resample_poly

    validate_signals(signals)
    new = check_sfreq("sfreq", sfreq)
    old = float(signals.attrs["sfreq"])
    ratio = Fraction(new / old).limit_denominator(max_denominator)
    if ratio == 1:
        return signals.copy()
    if ratio.numerator == 0:
        raise ValueError(
            f"sfreq={new:g} Hz is too low to reach from {old:g} Hz with max_denominator={max_denominator}."
        )
    axis = signals.get_axis_num(TIME)
    values = resample_poly(signals.values, ratio.numerator, ratio.denominator, axis=axis)
    reached = old * ratio.numerator / ratio.denominator
    t0 = float(signals[TIME].values[0])
    coords = {k: v for k, v in signals.coords.items() if TIME not in v.dims}
    coords[TIME] = t0 + np.arange(values.shape[axis]) / reached
    provenance = dict(signals.attrs.get("provenance", {}), resampled_from=old)
    attrs = dict(signals.attrs, sfreq=reached, provenance=provenance)
    return xr.DataArray(values, dims=signals.dims, coords=coords, attrs=attrs)
