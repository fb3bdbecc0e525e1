# SPDX-License-Identifier: BSD-3-Clause
"""The 12 standard ECG leads from a 3-D cardiac dipole (vectorcardiogram).

A cardiac dipole :math:`\\mathbf{d}(t) = (X, Y, Z)` in Frank lead axes is projected on
the body surface leads by a fixed lead matrix, as in the multichannel ECG model of
Sameni et al. (2007): :math:`\\mathbf{v}(t) = H\\,\\mathbf{d}(t)`. The 8 independent
leads (I, II, V1-V6) use the Dower transform (Dower et al. 1980); the other four follow
from I and II by Einthoven's and Goldberger's relations,

.. math::

    \\mathrm{III} = \\mathrm{II} - \\mathrm{I}, \\quad
    \\mathrm{aVR} = -(\\mathrm{I} + \\mathrm{II}) / 2, \\quad
    \\mathrm{aVL} = \\mathrm{I} - \\mathrm{II} / 2, \\quad
    \\mathrm{aVF} = \\mathrm{II} - \\mathrm{I} / 2,

so ``I + III = II`` and ``aVR + aVL + aVF = 0`` hold for any dipole.

Axes (those of the Dower matrix): X points to the patient's left, Y to the feet
(inferior), Z to the back (posterior). An anterior dipole (Z < 0) is positive in V1-V3,
as the negative Z coefficients of those rows imply.

References
----------
.. [1] Sameni R, Clifford GD, Jutten C, Shamsollahi MB (2007). Multichannel ECG and
   noise modeling: application to maternal and fetal ECG signals. EURASIP J Adv Signal
   Process 2007:043407. doi:10.1155/2007/43407
.. [2] Dower GE, Machado HB, Osborne JA (1980). On deriving the electrocardiogram from
   vectorcardiographic leads. Clin Cardiol 3(2):87-95. doi:10.1002/clc.1980.3.2.87
.. [3] Edenbrandt L, Pahlm O (1988). Vectorcardiogram synthesized from a 12-lead ECG:
   superiority of the inverse Dower matrix. J Electrocardiol 21(4):361-367.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from biosynth._utils.check import check_finite_array, check_int
from biosynth.generators._checks import STANDARD_LEADS, check_leads  # STANDARD_LEADS: re-exported

logger = logging.getLogger(__name__)

_INDEPENDENT = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")

# Dower transform, lead = row . (X, Y, Z) with Frank lead voltages in, lead voltages out
# (dimensionless). Coefficients as published by Dower, Machado & Osborne (1980), table of
# the 8 independent leads; the same values are tabulated by Edenbrandt & Pahlm (1988),
# whose inverse Dower matrix equals the pseudo-inverse of these rows to the 3 printed
# decimals (checked in tests/generators/test_leads.py).
_DOWER = np.array(
    [
        # X       Y       Z
        [0.632, -0.235, 0.059],  # I
        [0.235, 1.066, -0.132],  # II
        [-0.515, 0.157, -0.917],  # V1
        [0.044, 0.164, -1.387],  # V2
        [0.882, 0.098, -1.277],  # V3
        [1.213, 0.127, -0.601],  # V4
        [1.125, 0.127, -0.086],  # V5
        [0.831, 0.076, 0.230],  # V6
    ]
)
_DOWER.flags.writeable = False


def dipole_to_leads(dipole: ArrayLike, leads: Sequence[str] = STANDARD_LEADS, *, axis: int = -2) -> np.ndarray:
    """Project a cardiac dipole (X, Y, Z) on standard ECG leads (Dower transform).

    Parameters
    ----------
    dipole : array_like, shape (..., 3, n_times)
        X, Y and Z dipole components in Frank lead axes (X left, Y inferior, Z
        posterior), as Frank lead voltages in any unit (the output has the same unit).
        The component axis is ``axis``.
    leads : sequence of str
        Names of the leads to return, in this order; any of :data:`STANDARD_LEADS`
        (case-sensitive), each at most once.
    axis : int
        Axis of ``dipole`` holding the 3 components.

    Returns
    -------
    ecg : ndarray, shape (..., n_leads, n_times)
        Lead voltages (float64) in the unit of ``dipole``; the lead axis replaces the
        component axis at position ``axis``. III, aVR, aVL and aVF are computed from I
        and II, so ``I + III = II`` and ``aVR + aVL + aVF = 0`` to float rounding.

    Raises
    ------
    ValueError
        If ``axis`` does not have 3 components, a lead name is unknown or repeated, or
        ``dipole`` holds NaN or inf.

    Notes
    -----
    The projection is linear and instantaneous: each lead is a fixed weighted sum of X,
    Y and Z (Sameni et al. 2007, eq. 2, with the Dower lead matrix). The Dower
    coefficients are population averages; they ignore individual torso geometry and
    electrode placement.

    References
    ----------
    See the module docstring: Sameni et al. (2007); Dower et al. (1980); Edenbrandt &
    Pahlm (1988).

    Examples
    --------
    >>> import numpy as np
    >>> ecg = dipole_to_leads(np.array([[1.0], [0.0], [0.0]]), leads=("I", "aVR"))
    >>> ecg.round(4).tolist()
    [[0.632], [-0.4335]]
    """
    data = _check_dipole(dipole, axis)
    names = check_leads(leads)
    components = np.moveaxis(data, axis, 0)  # (3, ...)
    basic = dict(zip(_INDEPENDENT, np.tensordot(_DOWER, components, axes=(1, 0)), strict=True))
    lead_i, lead_ii = basic["I"], basic["II"]
    derived = {
        "III": lead_ii - lead_i,  # Einthoven
        "aVR": -(lead_i + lead_ii) / 2.0,  # Goldberger
        "aVL": lead_i - lead_ii / 2.0,
        "aVF": lead_ii - lead_i / 2.0,
    }
    everything = basic | derived
    return np.moveaxis(np.stack([everything[name] for name in names]), 0, axis)


def _check_dipole(dipole: ArrayLike, axis: int) -> np.ndarray:
    data = np.asarray(dipole)
    if data.dtype.kind not in "iuf":
        raise TypeError(f"dipole must be a real numeric array, got dtype {data.dtype}.")
    data = data.astype(np.float64, copy=False)
    if data.ndim == 0:
        raise ValueError("dipole must be an array with a component axis of size 3, got a scalar.")
    axis = check_int("axis", axis, low=-data.ndim, high=data.ndim - 1)
    if data.shape[axis] != 3:
        raise ValueError(
            f"dipole must have 3 components (X, Y, Z) along axis {axis}, got shape {data.shape} "
            f"({data.shape[axis]} along that axis)."
        )
    return check_finite_array("dipole", data)
