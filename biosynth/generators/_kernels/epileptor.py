# SPDX-License-Identifier: BSD-3-Clause
"""Numba kernel of the Epileptor (Jirsa et al. 2014): stochastic Heun steps of one record.

The state is ``(x1, y1, z, x2, y2, g)`` in the model's dimensionless units; time is in
model time units. The parameter vector is ``(x0, y0, r, tau2, Irest1, Irest2, gamma)``
(``r = 1 / tau0``); the other constants of the equations are those of the paper and
are written out in :func:`_derivative`. The Wiener increments of one step, already
scaled by the noise standard deviation and ``sqrt(h)``, are drawn on the host and
passed in, so that the output does not depend on how the steps are split into calls.
"""

from __future__ import annotations

from numba import njit

N_STATE = 6
N_OUT = 7  # x2 - x1, then the six state variables


@njit(cache=True, nogil=True, inline="always")
def _derivative(x1, y1, z, x2, y2, g, x0, y0, r, tau2, irest1, irest2, gamma):
    """Right-hand side of the deterministic Epileptor at one state -> six derivatives."""
    if x1 < 0.0:
        f1 = x1 * x1 * (x1 - 3.0)
    else:
        f1 = (x2 - 0.6 * (z - 4.0) ** 2) * x1
    f2 = 0.0 if x2 < -0.25 else 6.0 * (x2 + 0.25)
    dx1 = y1 - f1 - z + irest1
    dy1 = y0 - 5.0 * x1 * x1 - y1
    dz = r * (4.0 * (x1 - x0) - z)
    dx2 = -y2 + x2 - x2 * x2 * x2 + irest2 + 2.0 * g - 0.3 * (z - 3.5)
    dy2 = (f2 - y2) / tau2
    dg = -gamma * (g - 0.1 * x1)
    return dx1, dy1, dz, dx2, dy2, dg


@njit(cache=True, nogil=True)
def integrate_epileptor(state, dw, params, h, out):
    """Heun steps from ``state`` (6,), updated in place, with additive increments dw (n, 4)
    on (x1, y1, x2, y2) held over each step (the same in predictor and corrector), (7,)
    params, step h in model time units; row j of out (n, k) gets the first k of
    ``(x2 - x1, x1, y1, z, x2, y2, g)`` of the state before step j."""
    x0, y0, r, tau2, irest1, irest2, gamma = params[0], params[1], params[2], params[3], params[4], params[5], params[6]
    x1, y1, z, x2, y2, g = state[0], state[1], state[2], state[3], state[4], state[5]
    n_cols = out.shape[1]
    half = 0.5 * h
    for j in range(dw.shape[0]):
        out[j, 0] = x2 - x1
        if n_cols > 1:
            out[j, 1] = x1
            if n_cols > 2:
                out[j, 2] = y1
                out[j, 3] = z
                out[j, 4] = x2
                out[j, 5] = y2
                out[j, 6] = g
        w0, w1, w2, w3 = dw[j, 0], dw[j, 1], dw[j, 2], dw[j, 3]
        a1, b1, c1, d1, e1, f1 = _derivative(x1, y1, z, x2, y2, g, x0, y0, r, tau2, irest1, irest2, gamma)
        px1 = x1 + h * a1 + w0
        py1 = y1 + h * b1 + w1
        pz = z + h * c1
        px2 = x2 + h * d1 + w2
        py2 = y2 + h * e1 + w3
        pg = g + h * f1
        a2, b2, c2, d2, e2, f2 = _derivative(px1, py1, pz, px2, py2, pg, x0, y0, r, tau2, irest1, irest2, gamma)
        x1 += half * (a1 + a2) + w0
        y1 += half * (b1 + b2) + w1
        z += half * (c1 + c2)
        x2 += half * (d1 + d2) + w2
        y2 += half * (e1 + e2) + w3
        g += half * (f1 + f2)
    state[0], state[1], state[2], state[3], state[4], state[5] = x1, y1, z, x2, y2, g
