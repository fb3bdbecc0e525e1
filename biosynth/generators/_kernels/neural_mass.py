# SPDX-License-Identifier: BSD-3-Clause
"""Numba kernels of the Jansen-Rit neural mass model: fixed-step RK4, parallel over rows.

The state of one source is ``(y0, y1, y2, y3, y4, y5)`` (mV and mV/s): the
postsynaptic potentials of the pyramidal cells (``y0``), the excitatory (``y1``) and
inhibitory (``y2``) input to the pyramidal cells, and their time derivatives. A row
holds the sources of one record, coupled to each other; the external input ``p`` is
held constant over each step (drawn on the host), so each step is a deterministic RK4
step of the ODE with that input.

The parameter vector is ``(A, B, a, b, C1, C2, C3, C4, e0, v0, r)``, in mV, mV, 1/s,
1/s, -, -, -, -, 1/s, mV and 1/mV.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

N_STATE = 6


@njit(cache=True, nogil=True, inline="always")
def _sigmoid(v, two_e0, r, v0):
    """Firing rate (1/s) of a population at mean membrane potential v (mV)."""
    return two_e0 / (1.0 + math.exp(r * (v0 - v)))


@njit(cache=True, nogil=True)
def _derivative(y, p, params, coupling, fire, out):
    """y (n_src, 6), p (n_src,) input in 1/s, params (11,), coupling, scratch (n_src,) -> dy/dt into out."""
    big_a, big_b, a, b, c1, c2, c3, c4, e0, v0, r = params[:11]
    two_e0 = 2.0 * e0
    n_src = y.shape[0]
    total = 0.0
    for k in range(n_src):
        fire[k] = _sigmoid(y[k, 1] - y[k, 2], two_e0, r, v0)
        total += fire[k]
    for k in range(n_src):
        drive = p[k]
        if n_src > 1:
            drive += coupling * (total - fire[k]) / (n_src - 1)
        out[k, 0] = y[k, 3]
        out[k, 1] = y[k, 4]
        out[k, 2] = y[k, 5]
        out[k, 3] = big_a * a * fire[k] - 2.0 * a * y[k, 3] - a * a * y[k, 0]
        excite = drive + c2 * _sigmoid(c1 * y[k, 0], two_e0, r, v0)
        out[k, 4] = big_a * a * excite - 2.0 * a * y[k, 4] - a * a * y[k, 1]
        out[k, 5] = big_b * b * c4 * _sigmoid(c3 * y[k, 0], two_e0, r, v0) - 2.0 * b * y[k, 5] - b * b * y[k, 2]


@njit(cache=True, nogil=True)
def _integrate_row(noise, params, coupling, h, n_skip, out):
    """One row: RK4 from the zero state over noise.shape[1] steps of h, with input noise[:, j] over
    step j; y1 - y2 (mV) of the state after j steps into out[:, j - n_skip] for j >= n_skip."""
    n_src, n_steps = noise.shape
    y = np.zeros((n_src, N_STATE))
    k1 = np.empty((n_src, N_STATE))
    k2 = np.empty((n_src, N_STATE))
    k3 = np.empty((n_src, N_STATE))
    k4 = np.empty((n_src, N_STATE))
    tmp = np.empty((n_src, N_STATE))
    fire = np.empty(n_src)
    half = 0.5 * h
    sixth = h / 6.0
    for j in range(n_steps + 1):
        if j >= n_skip:
            for k in range(n_src):
                out[k, j - n_skip] = y[k, 1] - y[k, 2]
        if j == n_steps:
            break
        p = noise[:, j]
        _derivative(y, p, params, coupling, fire, k1)
        for k in range(n_src):
            for c in range(N_STATE):
                tmp[k, c] = y[k, c] + half * k1[k, c]
        _derivative(tmp, p, params, coupling, fire, k2)
        for k in range(n_src):
            for c in range(N_STATE):
                tmp[k, c] = y[k, c] + half * k2[k, c]
        _derivative(tmp, p, params, coupling, fire, k3)
        for k in range(n_src):
            for c in range(N_STATE):
                tmp[k, c] = y[k, c] + h * k3[k, c]
        _derivative(tmp, p, params, coupling, fire, k4)
        for k in range(n_src):
            for c in range(N_STATE):
                y[k, c] += sixth * (k1[k, c] + 2.0 * k2[k, c] + 2.0 * k3[k, c] + k4[k, c])


@njit(cache=True, nogil=True, parallel=True)
def integrate_jansen_rit(noise, params, coupling, h, n_skip):
    """(n_rows, n_src, n_steps) input p in 1/s held over each step, (11,) parameters, coupling,
    step h in s, steps to skip -> (n_rows, n_src, n_steps + 1 - n_skip) y1 - y2 in mV of the
    states n_skip..n_steps, from the zero state; rows in parallel."""
    n_rows, n_src, n_steps = noise.shape
    out = np.empty((n_rows, n_src, n_steps + 1 - n_skip))
    for r in prange(n_rows):
        _integrate_row(noise[r], params, coupling, h, n_skip, out[r])
    return out
