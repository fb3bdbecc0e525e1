# SPDX-License-Identifier: BSD-3-Clause
"""Numba kernels of the ECGSYN dynamical model: fixed-step RK4, parallel over records.

The state of one record is ``(x, y, z_1, ..., z_m)``: a point ``(x, y)`` on the limit
cycle of unit radius, whose angle is the cardiac phase, and ``m`` voltages, each
driven by its own sum of Gaussian waves on that shared phase (``m = 1``: the ECGSYN
z-variable; ``m = 3``: the X, Y, Z components of a cardiac dipole).
:func:`integrate_ecgsyn` drives them with one Gaussian set throughout;
:func:`integrate_ecgsyn_sets` switches between sets at given times (premature
ventricular contractions) and, given one set, does the same arithmetic.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

_TWO_PI = 2.0 * math.pi
_INV_TWO_PI = 1.0 / _TWO_PI
# a Gaussian term with d^2 / (2 b^2) above this adds less than 1e-16 of its peak: skipped
_NEGLIGIBLE_EXPONENT = 40.0


@njit(cache=True, nogil=True, inline="always")
def _derivative(state, omega, respiration, theta, a, inv_two_b2, wander, out):
    """state (2 + m,), omega, sin of the respiratory phase, (m, n_waves) x3, (m,) -> d(state)/dt into out."""
    x = state[0]
    y = state[1]
    alpha = 1.0 - math.sqrt(x * x + y * y)
    out[0] = alpha * x - omega * y
    out[1] = alpha * y + omega * x
    phase = math.atan2(y, x)
    for s in range(theta.shape[0]):
        drive = 0.0
        for i in range(theta.shape[1]):
            d = phase - theta[s, i]
            d = d - _TWO_PI * math.floor((d + math.pi) * _INV_TWO_PI)  # wrap to [-pi, pi)
            exponent = d * d * inv_two_b2[s, i]
            if exponent < _NEGLIGIBLE_EXPONENT:
                drive += a[s, i] * d * math.exp(-exponent)
        out[2 + s] = -drive - (state[2 + s] - wander[s] * respiration)


@njit(cache=True, nogil=True)
def _integrate_record(
    beat_time, beat_omega, state0, seg_time, theta, a, inv_two_b2, wander, wander_freq, wander_phase, h, q, out
):
    """One record: RK4 from t = 0 over (n_times - 1) * q steps of h; every q-th step, the unwrapped
    phase atan2(y, x) and z_1..z_m into out (1 + m, n_times). Gaussian set g (theta[g], a[g],
    inv_two_b2[g], each (m, n_waves)) drives z from seg_time[g] on (seg_time ascending, the first
    -inf)."""
    n_state = state0.size
    n_steps = (out.shape[1] - 1) * q
    state = state0.copy()
    k1 = np.empty(n_state)
    k2 = np.empty(n_state)
    k3 = np.empty(n_state)
    k4 = np.empty(n_state)
    tmp = np.empty(n_state)
    n_beats = beat_time.size
    n_segs = seg_time.size
    beat = 0
    half = 0.5 * h
    rate = _TWO_PI * wander_freq
    resp_now = math.sin(wander_phase)
    angle = math.atan2(state[1], state[0])
    phase = angle
    for j in range(n_steps + 1):
        if j % q == 0:
            # between samples the phase advances by less than pi (RR >= 0.2 s, sfreq >= 100 Hz)
            new = math.atan2(state[1], state[0])
            turn = new - angle
            phase += turn - _TWO_PI * math.floor((turn + math.pi) * _INV_TWO_PI)
            angle = new
            out[0, j // q] = phase
            for c in range(2, n_state):
                out[c - 1, j // q] = state[c]
        if j == n_steps:
            break
        t = j * h
        t_half = t + half
        t_next = (j + 1) * h
        # omega of the beat under way at each stage time (beats start at their R peak)
        while beat + 1 < n_beats and beat_time[beat + 1] <= t:
            beat += 1
        omega_now = beat_omega[beat]
        while beat + 1 < n_beats and beat_time[beat + 1] <= t_half:
            beat += 1
        omega_half = beat_omega[beat]
        while beat + 1 < n_beats and beat_time[beat + 1] <= t_next:
            beat += 1
        omega_next = beat_omega[beat]
        # Gaussian set of the step: the one under way at its start (sets change between waves)
        seg = 0
        while seg + 1 < n_segs and seg_time[seg + 1] <= t:
            seg += 1
        th = theta[seg]
        am = a[seg]
        ib = inv_two_b2[seg]
        resp_half = math.sin(rate * t_half + wander_phase)
        resp_next = math.sin(rate * t_next + wander_phase)
        _derivative(state, omega_now, resp_now, th, am, ib, wander, k1)
        for c in range(n_state):
            tmp[c] = state[c] + half * k1[c]
        _derivative(tmp, omega_half, resp_half, th, am, ib, wander, k2)
        for c in range(n_state):
            tmp[c] = state[c] + half * k2[c]
        _derivative(tmp, omega_half, resp_half, th, am, ib, wander, k3)
        for c in range(n_state):
            tmp[c] = state[c] + h * k3[c]
        _derivative(tmp, omega_next, resp_next, th, am, ib, wander, k4)
        for c in range(n_state):
            state[c] += h / 6.0 * (k1[c] + 2.0 * k2[c] + 2.0 * k3[c] + k4[c])
        resp_now = resp_next


@njit(cache=True, nogil=True, parallel=True)
def integrate_ecgsyn(
    beat_time, beat_omega, state0, theta, a, inv_two_b2, wander, wander_freq, wander_phase, h, q, n_times
):
    """(n_rec, n_beats) start time of each beat in s (ascending, the first <= 0), (n_rec, n_beats) its omega
    in rad/s, (n_rec, 2 + m) state at t = 0, (m, n_waves) theta / a / 1/(2 b^2), (m,) wander amplitude,
    wander frequency in Hz, (n_rec,) wander phase, step h in s, q, n_times -> (n_rec, 1 + m, n_times)
    unwrapped phase (rad) and z_1..z_m every q-th step."""
    n_rec = state0.shape[0]
    out = np.empty((n_rec, state0.shape[1] - 1, n_times))
    one = (1, theta.shape[0], theta.shape[1])
    theta1 = np.ascontiguousarray(theta).reshape(one)
    a1 = np.ascontiguousarray(a).reshape(one)
    inv1 = np.ascontiguousarray(inv_two_b2).reshape(one)
    always = np.full(1, -np.inf)
    for r in prange(n_rec):
        _integrate_record(
            beat_time[r],
            beat_omega[r],
            state0[r],
            always,
            theta1,
            a1,
            inv1,
            wander,
            wander_freq,
            wander_phase[r],
            h,
            q,
            out[r],
        )
    return out


@njit(cache=True, nogil=True, parallel=True)
def integrate_ecgsyn_sets(
    beat_time, beat_omega, state0, seg_time, theta, a, inv_two_b2, wander, wander_freq, wander_phase, h, q, n_times
):
    """As :func:`integrate_ecgsyn` with a Gaussian set per segment of each record: (n_rec, n_segs)
    start time of each segment in s (ascending, the first -inf, padded with +inf) and (n_rec, n_segs,
    m, n_waves) theta / a / 1/(2 b^2) of each."""
    n_rec = state0.shape[0]
    out = np.empty((n_rec, state0.shape[1] - 1, n_times))
    for r in prange(n_rec):
        _integrate_record(
            beat_time[r],
            beat_omega[r],
            state0[r],
            seg_time[r],
            theta[r],
            a[r],
            inv_two_b2[r],
            wander,
            wander_freq,
            wander_phase[r],
            h,
            q,
            out[r],
        )
    return out
