# SPDX-License-Identifier: BSD-3-Clause
"""Seizures from the Epileptor (Jirsa et al. 2014), a six-dimensional neural mass model.

The Epileptor couples two oscillating populations through a slow "permittivity"
variable :math:`z`:

.. math::

    \\dot x_1 &= y_1 - f_1(x_1, x_2, z) - z + I_{rest1}, \\\\
    \\dot y_1 &= y_0 - 5 x_1^2 - y_1, \\\\
    \\dot z &= r \\left(4 (x_1 - x_0) - z\\right), \\\\
    \\dot x_2 &= -y_2 + x_2 - x_2^3 + I_{rest2} + 2 g - 0.3 (z - 3.5), \\\\
    \\dot y_2 &= \\left(f_2(x_2) - y_2\\right) / \\tau_2, \\\\
    \\dot g &= -\\gamma (g - 0.1 x_1),

with :math:`f_1 = x_1^3 - 3 x_1^2` for :math:`x_1 < 0` and :math:`(x_2 - 0.6 (z - 4)^2)
x_1` otherwise, :math:`f_2 = 0` for :math:`x_2 < -0.25` and :math:`6 (x_2 + 0.25)`
otherwise. :math:`(x_1, y_1)` makes the fast discharges of the seizure, :math:`(x_2,
y_2)` the slower spike-wave events, :math:`g` is a low-pass filter of :math:`x_1` that
drives population 2, and :math:`z` moves the fast population through a saddle-node
bifurcation (seizure onset) and a homoclinic bifurcation (offset). The field potential
is :math:`x_2 - x_1`. Parameters are those of the paper: :math:`y_0 = 1`, :math:`\\tau_0 =
1 / r = 2857`, :math:`\\tau_2 = 10`, :math:`I_{rest1} = 3.1`, :math:`I_{rest2} = 0.45`,
:math:`\\gamma = 0.01`, and :math:`x_0 = -1.6` for an epileptogenic region; the
:math:`g` equation is the low-pass form of The Virtual Brain's ``Epileptor`` (Sanz-Leon
et al. 2015).

**Closed form of the interictal state.** With :math:`x_1 < 0` the fast subsystem does not
see :math:`x_2`: its resting branch is :math:`z = y_0 + I_{rest1} - 2 x_1^2 - x_1^3`,
which folds (saddle-node, seizure onset) at :math:`x_1 = -4/3`, :math:`z_{sn} = y_0 +
I_{rest1} - 32/27 \\approx 2.915`. The :math:`z` nullcline :math:`z = 4 (x_1 - x_0)`
crosses the resting branch below the fold, a stable interictal fixed point with no
seizures, when :math:`x_0 < -4/3 - z_{sn}/4 \\approx -2.062`; above it seizures recur.

**Time units.** The model's time is dimensionless (the paper compares shapes, not
seconds; The Virtual Brain reads one unit as 1 ms and rescales with ``tt``, which gives
seizures of about 1 s). Here one unit lasts ``time_scale`` = 15 ms by default, chosen so
that, with the paper's parameters, the fast discharges at onset lie at 13-16 Hz (period
about 4 units), the spike-wave events slow from about 2 to 1 Hz (period 33-55 units)
and a seizure at ``r = 0.00035`` lasts 800-970 units, 12-15 s, with as long between
seizures: a focal seizure with beta-range onset and slowing clonic-like end.

**Noise.** Additive white noise of standard deviation ``noise`` per square root of a
time unit on :math:`x_2` and :math:`y_2` (optionally also on :math:`x_1, y_1`), as in
The Virtual Brain's Epileptor examples (``nsig = 3e-4`` on :math:`x_2, y_2`, that is
:math:`\\sigma = \\sqrt{2 \\cdot 3 \\cdot 10^{-4}} \\approx 0.025`). Noise on
:math:`x_2, y_2` alone leaves the interictal :math:`(x_1, y_1, z)` deterministic, so
the onset times do not depend on the seed; the seizure lengths vary by a few percent.

**Integration.** Stochastic Heun (the increments of a step are shared by the predictor
and the corrector) with a fixed internal step :math:`h = 1 / (q\\, \\mathrm{sfreq})` s,
``q`` the smallest integer for which :math:`h` is at most 0.01 time units, from the
paper's initial state :math:`(x_1, y_1, z, x_2, y_2, g) = (0, -5, 3, 0, 0, 0)`. The
increments are drawn with NumPy from the record's own generator. The internal-rate
output is low-pass filtered and decimated as in :func:`simulate_jansen_rit` (zero-phase
FIR, -6 dB at 0.4 ``sfreq``); before :math:`t = 0` the filter sees the initial state.

References
----------
.. [1] Jirsa VK, Stacey WC, Quilichini PP, Ivanov AI, Bernard C (2014). On the nature of
   seizure dynamics. Brain 137(8):2210-2230. doi:10.1093/brain/awu133
.. [2] Sanz-Leon P, Knock SA, Spiegler A, Jirsa VK (2015). Mathematical framework for
   large-scale brain network modeling in The Virtual Brain. NeuroImage 111:385-430.
   doi:10.1016/j.neuroimage.2015.01.002
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from scipy.signal import butter, find_peaks, lfilter, lfilter_zi

from biosynth._utils.backend import check_device
from biosynth._utils.check import check_int, check_number, check_positive, check_sfreq
from biosynth._utils.docs import fill_doc
from biosynth._utils.seeds import Seed, make_seed_sequence, record_rng
from biosynth.generators._checks import check_flags
from biosynth.generators._neural_mass_core import FILTER_HALF, downsample
from biosynth.generators._provenance import build_provenance
from biosynth.generators._random_blocks import raised_cosine
from biosynth.signals import make_events, make_signals

#: Fixed parameters of Jirsa et al. (2014): y0, tau2 (time units), Irest1, Irest2, gamma (1/unit).
EPILEPTOR_PARAMS: dict[str, float] = {"y0": 1.0, "tau2": 10.0, "Irest1": 3.1, "Irest2": 0.45, "gamma": 0.01}
#: Channel names: the field potential, then the state variables (``return_states``).
EPILEPTOR_CHANNELS = ("x2-x1", "x1", "y1", "z", "x2", "y2", "g")
#: z at the saddle-node of the resting branch (seizure onset) and the critical x0.
Z_ONSET = EPILEPTOR_PARAMS["y0"] + EPILEPTOR_PARAMS["Irest1"] - 32.0 / 27.0
X0_CRITICAL = -4.0 / 3.0 - Z_ONSET / 4.0

_INITIAL_STATE = (0.0, -5.0, 3.0, 0.0, 0.0, 0.0)
_MAX_STEP = 0.01  # time units, longest internal step
_TIME_SCALE = 0.015  # s per time unit
_NOISE = 0.025  # per sqrt(time unit), on x2 and y2
_MIN_SFREQ = 50.0  # Hz: the onset discharges (<= 20 Hz) lie below 0.4 sfreq
_CHUNK = 1 << 16  # internal steps per kernel call

#: Seizure waveform: interictal lead before onset, fade at the end (s), high-pass corner (Hz).
_SEIZURE_LEAD = 0.25
_SEIZURE_FADE = 0.1
_HIGHPASS = 0.5
_SFREQ_RANGE = (100.0, 100_000.0)
#: Seizures end when x1 has stayed below 0 this long (time units; discharges are < 10 apart).
_END_GAP = 100.0
#: x1 above this has left the resting branch (which ends at -4/3): seizure onset.
_X1_ONSET = -1.0
#: Seizure length (time units, onset to offset as in _seizure_run) against r, mean of three seeds,
#: at x0 = -1.6 and the default noise, from an interictal start (see _seizure_length).
_CALIBRATION_R = (3e-6, 1e-5, 3e-5, 1e-4, 3.5e-4, 1e-3, 2e-3, 4e-3)
_CALIBRATION_LENGTH = (93914.0, 28641.0, 9557.0, 2958.0, 836.0, 307.0, 114.0, 82.0)
_LENGTH_TOLERANCE = 0.02  # relative; r is refined until the seizure length is this close
_MAX_TRIES = 8


@fill_doc
def simulate_epileptor(
    duration: float,
    sfreq: float,
    *,
    n_records: int | None = None,
    x0: float = -1.6,
    r: float = 0.00035,
    noise: float | Sequence[float] = _NOISE,
    time_scale: float = _TIME_SCALE,
    return_states: bool = False,
    first_record: int = 0,
    seed: Seed = None,
    device: str = "cpu",
    progress: bool = False,
    return_events: bool = False,
) -> xr.DataArray | tuple[xr.DataArray, pd.DataFrame]:
    """Simulate the field potential of an Epileptor (Jirsa et al. 2014): recurring seizures.

    Parameters
    ----------
    %(duration)s
    sfreq : float
        Output sampling rate, in Hz; at least 50 Hz (the fast discharges, up to about
        20 Hz with the default ``time_scale``, must lie below the anti-alias cut-off, 0.4
        ``sfreq``).
    %(n_records)s
    x0 : float
        Epileptogenicity (dimensionless). Seizures recur above about -2.062
        (:data:`X0_CRITICAL`); the paper uses -1.6. Must lie in [-5, 0].
    r : float
        Rate of the slow variable, :math:`1 / \\tau_0`, in 1/time unit (0 < r <= 0.1).
        Seizure and interictal lengths scale about as 1 / r (about 970 time units each
        at the paper's 0.00035).
    noise : float or pair of float
        Standard deviation of the additive white noise on :math:`x_2` and :math:`y_2`,
        per square root of a time unit, or the pair (on :math:`x_2, y_2`, on :math:`x_1,
        y_1`); >= 0. Default 0.025, as The Virtual Brain's ``nsig = 3e-4``.
    time_scale : float
        Duration of one model time unit, in seconds (default 0.015; see the module
        docstring). All model time constants scale with it.
    return_states : bool
        Also return the six state variables as channels ``x1``, ``y1``, ``z``, ``x2``,
        ``y2``, ``g`` after the field potential.
    %(first_record)s
    %(seed)s
    device : str, default="cpu"
        Where the anti-alias decimation runs: ``"cpu"`` (SciPy) or a torch device
        (``"cuda"``, or ``"torch:cpu"`` for the torch path on the CPU; a strided
        convolution there). The stochastic integration always runs on the CPU (Numba,
        one record after the other: each record is a single sequential path, which a
        GPU would not speed up), with its noise drawn by NumPy, so every device gives
        the same data within float tolerance. Torch devices need the ``torch`` extra.
    %(progress)s
    return_events : bool, default=False
        Also return the seizures as an events table (``record, channel, onset,
        duration, type``; type ``"seizure"``, channel ``""``, onsets and durations in
        s). A seizure starts when :math:`x_1` leaves its resting branch (rises above
        -1) and ends at its last fast discharge (the last peak of :math:`x_1` with a
        prominence above 0.2 before :math:`x_1` stays below 0 for 100 time units), the
        definition of :func:`epileptor_seizure`; found on the internal-rate
        :math:`x_1`. A seizure whose end the record does not show (:math:`x_1` has not
        yet stayed below 0 for 100 time units) ends with the record; the initial
        transient (the model starts off its attractor) is not an event. Records
        without seizures give an empty table of the same columns.

    Returns
    -------
    signals : DataArray
        The biosynth container, modality ``"lfp"``, units ``"a.u."`` (the model is
        dimensionless), channels ``"x2-x1"`` (and the states), ``n_times =
        round(duration * sfreq)`` samples from :math:`t = 0`; dims ``("channel",
        "time")`` with ``n_records=None``, else ``("record", "channel", "time")``.

    Raises
    ------
    ValueError
        On out-of-range arguments (one line naming the argument, its value and the
        range expected).
    TypeError
        On arguments of the wrong type.

    Notes
    -----
    See the module docstring for the equations, the time units, the noise and the
    integration scheme. The field potential :math:`x_2 - x_1` drops (a negative DC
    shift) when a seizure starts, as :math:`x_1` leaves its resting branch.

    References
    ----------
    .. [1] Jirsa VK, Stacey WC, Quilichini PP, Ivanov AI, Bernard C (2014). On the
       nature of seizure dynamics. Brain 137(8):2210-2230. doi:10.1093/brain/awu133

    Examples
    --------
    >>> lfp = simulate_epileptor(2.0, 100.0, seed=0)
    >>> lfp.dims, lfp.shape
    (('channel', 'time'), (1, 200))
    >>> simulate_epileptor(1.0, 100.0, n_records=2, seed=0, return_states=True).shape
    (2, 7, 100)
    """
    sfreq = check_sfreq("sfreq", sfreq)
    check_number(
        "sfreq",
        sfreq,
        low=_MIN_SFREQ,
        unit="Hz",
        context="the fast discharges must lie below the anti-alias cut-off 0.4 sfreq",
    )
    duration = check_positive("duration", duration, unit="s")
    n_times = round(duration * sfreq)
    if n_times < 1:
        raise ValueError(f"duration must hold at least one sample (1 / sfreq = {1.0 / sfreq:g} s), got {duration:g} s.")
    x0 = check_number("x0", x0, low=-5.0, high=0.0)
    r = check_number("r", r, low=0.0, high=0.1, low_inclusive=False, unit="1/time unit")
    sigmas = _check_noise(noise)
    n_rec = 1 if n_records is None else check_int("n_records", n_records, low=1)
    first_record = check_int("first_record", first_record, low=0)
    time_scale = check_number("time_scale", time_scale, low=1e-4, high=1.0, unit="s")
    check_flags(return_states=return_states, return_events=return_events, progress=progress)
    device = check_device(device)
    from tqdm.auto import tqdm  # slow to import: only when simulating

    q = math.ceil(1.0 / (_MAX_STEP * sfreq * time_scale) - 1e-9)
    h = 1.0 / (q * sfreq * time_scale)  # time units
    margin = FILTER_HALF if q > 1 else 0
    n_cols = len(EPILEPTOR_CHANNELS) if return_states else 1
    n_run = max(n_cols, 2) if return_events else n_cols  # the events need x1 (column 1)
    params = _param_vector(x0, r)
    root = make_seed_sequence(seed)
    data = np.empty((n_rec, n_cols, n_times))
    indices = np.arange(first_record, first_record + n_rec)
    tables = []
    for row, index in enumerate(tqdm(indices, desc="simulate_epileptor", unit="record", disable=not progress)):
        rng = record_rng(root, int(index))
        state = np.array(_INITIAL_STATE)
        fine = _integrate(state, (n_times - 1 + margin) * q, h, params, sigmas, rng, n_run)
        if return_events:
            onsets, ends = _seizures(fine[: (n_times - 1) * q + 1, 1], h)  # the record's samples only
            seconds = h * time_scale
            onsets, ends = onsets * seconds, np.minimum(ends * seconds, n_times / sfreq)
            label = int(index) if n_records is not None else 0
            tables.append(make_events(onsets, ends - onsets, "seizure", record=label, channel=""))
        if margin:
            fine = np.concatenate([np.repeat(fine[:1], margin * q, axis=0), fine])
        data[row] = downsample(fine[:, :n_cols].T, q, margin, n_times, device=device)
    checked = {
        "duration": duration,
        "sfreq": sfreq,
        "x0": x0,
        "r": r,
        "noise": list(sigmas),
        "n_records": n_records,
        "first_record": first_record,
        "time_scale": time_scale,
        "return_states": bool(return_states),
    }
    provenance = build_provenance("biosynth.generators.simulate_epileptor", checked, root)
    signals = make_signals(
        data if n_records is not None else data[0],
        sfreq,
        ch_names=list(EPILEPTOR_CHANNELS[:n_cols]),
        units="a.u.",
        modality="lfp",
        provenance=provenance,
        record_names=[str(i) for i in indices] if n_records is not None else None,
    )
    if not return_events:
        return signals
    return signals, pd.concat(tables, ignore_index=True)


def _seizures(x1: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray]:
    """Seizures in ``x1`` sampled every ``h`` time units: (onsets, ends) as sample indices.

    A seizure starts where x1 rises above _X1_ONSET (it has left the resting branch) and
    ends at the last peak of x1 with prominence > 0.2 before x1 stays at or below 0 for
    _END_GAP time units (as in _seizure_run); one still going at the end of the record
    ends there. The record counts as resting only from its first sample below
    _X1_ONSET, so the initial transient is not a seizure.
    """
    n = x1.size
    gap = math.ceil(_END_GAP / h)
    below = x1 <= _X1_ONSET
    onsets, ends = [], []
    start = int(np.argmax(below)) if below.any() else n  # first resting sample
    while start < n:
        rise = np.flatnonzero(~below[start:])
        if not rise.size:
            break
        onset = start + int(rise[0])
        above = onset + np.flatnonzero(x1[onset:] > 0.0)  # discharges
        last = onset
        if above.size:
            pauses = np.flatnonzero(np.diff(above) > gap)
            last = int(above[pauses[0]] if pauses.size else above[-1])
        finished = last + gap < n  # x1 then stays <= 0 for more than _END_GAP inside the record
        if finished:
            peaks, _ = find_peaks(x1[onset : last + 1], prominence=0.2)
            end = onset + int(peaks[-1]) if peaks.size else last
        else:
            end = n
        if end > onset:  # an excursion above _X1_ONSET without a discharge is no seizure
            onsets.append(onset)
            ends.append(end)
        resting = np.flatnonzero(below[last + 1 :]) if finished else np.zeros(0, dtype=int)
        if not resting.size:
            break
        start = last + 1 + int(resting[0])
    return np.array(onsets, dtype=float), np.array(ends, dtype=float)


def epileptor_seizure(sfreq: float, duration: float, *, rng: np.random.Generator | int | None) -> np.ndarray:
    """One Epileptor seizure (Jirsa et al. 2014), from just before onset to offset, at one channel.

    The seizure starts from the interictal state just above the onset bifurcation: the
    first 0.25 s hold the departure of :math:`x_1` from its resting branch (the start
    of the ictal DC shift, before the first discharge); the fast discharges at onset (13-16 Hz) give way
    to spike-wave events that slow towards the end, and the seizure ends 0.1 s before
    the end of the waveform, over which it fades out. Its length is set by the rate
    ``r`` of the slow variable (seizure length scales about as 1 / r; from a calibration
    table, then refined on this seizure until it is within 2 % of ``duration - 0.35``
    s), not by resampling time, so the discharge frequencies do not depend on
    ``duration``. The field potential :math:`x_2 - x_1` of :func:`simulate_epileptor`
    (defaults: ``x0 = -1.6``, noise 0.025 on :math:`x_2, y_2`, 15 ms per time unit) is
    high-pass filtered like a clinical amplifier (first-order, 0.5 Hz, causal) so that
    the ictal DC shift, which is negative, does not dominate.

    Parameters
    ----------
    sfreq : float
        Sampling rate, in Hz (100 Hz to 100 kHz).
    duration : float
        Duration of the waveform, in s (2-600).
    rng : Generator, int, SeedSequence or None
        Source of the noise (None: fresh entropy).

    Returns
    -------
    waveform : ndarray, shape (round(duration * sfreq),)
        float64, peak ``|value|`` 1, the sign of :math:`x_2 - x_1` (the large
        spike-wave events point downwards).

    Raises
    ------
    ValueError
        On ``sfreq`` or ``duration`` out of range (one line naming the argument).

    Examples
    --------
    >>> w = epileptor_seizure(256.0, 5.0, rng=0)
    >>> w.shape, float(np.abs(w).max())
    ((1280,), 1.0)
    """
    sfreq = check_number("sfreq", sfreq, low=_SFREQ_RANGE[0], high=_SFREQ_RANGE[1], unit="Hz")
    duration = check_number("duration", duration, low=2.0, high=600.0, unit="s")
    gen = np.random.default_rng(rng)
    n = round(duration * sfreq)
    q = math.ceil(1.0 / (_MAX_STEP * sfreq * _TIME_SCALE) - 1e-9)
    h = 1.0 / (q * sfreq * _TIME_SCALE)
    margin = FILTER_HALF if q > 1 else 0
    target = (duration - _SEIZURE_LEAD - _SEIZURE_FADE) / _TIME_SCALE  # time units, onset to offset
    r = _r_for_length(target)
    start_state = gen.bit_generator.state
    lead = round(_SEIZURE_LEAD * sfreq) * q
    best: tuple[float, np.ndarray, int, int] | None = None
    for k in range(_MAX_TRIES):  # the noise makes the length jitter: shrinking steps, keep the closest
        gen.bit_generator.state = start_state
        fine, onset, offset = _seizure_run(r, h, gen, onset_to_end=(n - 1 + margin) * q + 1, lead=lead)
        length = (offset - onset) * h
        error = abs(length / target - 1.0)
        if best is None or error < best[0]:
            best = (error, fine, onset, offset)
        if error <= _LENGTH_TOLERANCE:
            break
        r *= (length / target) ** (1.0 / (1.0 + 0.5 * k))
    _, fine, onset, offset = best
    first = onset - lead - margin * q
    segment = fine[max(first, 0) : first + (n - 1 + 2 * margin) * q + 1]
    if first < 0:
        segment = np.concatenate([np.full(-first, segment[0]), segment])
    out = downsample(segment, q, margin, n)
    b, a = butter(1, _HIGHPASS, btype="highpass", fs=sfreq)
    out, _ = lfilter(b, a, out, zi=lfilter_zi(b, a) * out[0])
    ramp = round(_SEIZURE_FADE * sfreq)
    out[n - ramp :] *= raised_cosine(2 * ramp, ramp)[ramp:]
    return out / np.abs(out).max()


def _check_noise(noise: Any) -> tuple[float, float]:
    """(sigma on x2 and y2, sigma on x1 and y1) from a number or a pair."""
    if isinstance(noise, (str, bytes)) or not isinstance(noise, (Sequence, np.ndarray)):
        return check_number("noise", noise, low=0.0), 0.0
    values = list(np.asarray(noise, dtype=object).ravel()) if isinstance(noise, np.ndarray) else list(noise)
    if len(values) != 2:
        raise ValueError(
            f"noise must be a number or a pair (on x2 and y2, on x1 and y1) of numbers >= 0, got {len(values)} values."
        )
    return check_number("noise[0]", values[0], low=0.0), check_number("noise[1]", values[1], low=0.0)


def _param_vector(x0: float, r: float) -> np.ndarray:
    p = EPILEPTOR_PARAMS
    return np.array([x0, p["y0"], r, p["tau2"], p["Irest1"], p["Irest2"], p["gamma"]])


def _integrate(
    state: np.ndarray,
    n_steps: int,
    h: float,
    params: np.ndarray,
    sigmas: tuple[float, float],
    rng: np.random.Generator,
    n_cols: int,
) -> np.ndarray:
    """(n_steps + 1, n_cols) first n_cols of (x2 - x1, x1, y1, z, x2, y2, g) at steps 0..n_steps of h
    time units from ``state`` (updated in place); increments drawn from rng, _CHUNK steps at a time."""
    out = np.empty((n_steps + 1, n_cols))
    done = 0
    while done < n_steps:
        m = min(_CHUNK, n_steps - done)
        _step(state, m, h, params, sigmas, rng, out[done : done + m])
        done += m
    _step(state, 0, h, params, sigmas, rng, out[n_steps:])
    return out


def _step(
    state: np.ndarray,
    m: int,
    h: float,
    params: np.ndarray,
    sigmas: tuple[float, float],
    rng: np.random.Generator,
    out: np.ndarray,
) -> None:
    """m Heun steps; out (m, k) gets the states before each step (m = 0: out (1, k) gets the state)."""
    from biosynth.generators._kernels.epileptor import integrate_epileptor  # Numba: loaded on first use

    if m == 0:
        x1, y1, z, x2, y2, g = state
        out[0] = np.array([x2 - x1, x1, y1, z, x2, y2, g])[: out.shape[1]]
        return
    scale = math.sqrt(h) * np.array([sigmas[1], sigmas[1], sigmas[0], sigmas[0]])
    dw = rng.standard_normal((m, 4)) * scale  # always four columns: the stream does not depend on sigmas
    integrate_epileptor(state, dw, params, h, out)


def _interictal_state(r: float, lead: float, x0: float = -1.6) -> np.ndarray:
    """State on the resting branch with z above the onset fold by about ``lead`` time units of drift."""
    p = EPILEPTOR_PARAMS
    drift = 4.0 * (-4.0 / 3.0 - x0) - Z_ONSET  # dz/dt / r at the fold (< 0 for x0 > X0_CRITICAL)
    z = Z_ONSET - drift * r * lead
    # resting branch z = y0 + Irest1 - 2 x1^2 - x1^3, the root below -4/3
    roots = np.roots([1.0, 2.0, 0.0, z - p["y0"] - p["Irest1"]])
    x1 = float(min(root.real for root in roots if abs(root.imag) < 1e-9))
    g = 0.1 * x1
    roots = np.roots([-1.0, 0.0, 1.0, p["Irest2"] + 2.0 * g - 0.3 * (z - 3.5)])  # x2 - x2^3 + c = 0, y2 = 0
    x2 = float(min(root.real for root in roots if abs(root.imag) < 1e-9))
    return np.array([x1, p["y0"] - 5.0 * x1 * x1, z, x2, 0.0, g])


def _seizure_run(
    r: float, h: float, rng: np.random.Generator, *, onset_to_end: int, lead: int
) -> tuple[np.ndarray, int, int]:
    """Integrate from just before a seizure until it has ended and ``onset_to_end`` internal samples
    follow ``onset - lead``; -> (x2 - x1 at the internal rate, onset, offset): onset is the first
    sample with x1 > -1 (x1 has left its resting branch, x1 <= -4/3), offset the last fast discharge
    (peak of x1 with prominence > 0.2) before x1 returns to its resting branch. Near the end the
    discharges can die out into a quiet, depolarised stretch (x1 > 0, no discharges) before that
    return: it is not counted."""
    state = _interictal_state(r, lead=10.0)
    params = _param_vector(-1.6, r)
    sigmas = (_NOISE, 0.0)
    gap = math.ceil(_END_GAP / h)
    pieces: list[np.ndarray] = []
    onset = end = last = -1
    n_done = 0
    while True:
        piece = np.empty((_CHUNK, 2))
        _step(state, _CHUNK, h, params, sigmas, rng, piece)
        pieces.append(piece)
        if end < 0:
            above = n_done + np.flatnonzero(piece[:, 1] > 0.0)
            escaped = np.flatnonzero(piece[:, 1] > _X1_ONSET)
            if onset < 0 and escaped.size:
                onset = n_done + int(escaped[0])
            if last < 0 and above.size:
                last = int(above[0])
            if last >= 0:
                seen = np.concatenate([[last], above])
                ends = np.flatnonzero(np.diff(seen) > gap)
                last = int(seen[-1])
                if ends.size:
                    end = int(seen[ends[0]])
                elif n_done + _CHUNK - 1 - last > gap:
                    end = last
        n_done += _CHUNK
        if onset < 0 and n_done * h > 1e5:
            raise RuntimeError("the Epileptor did not start a seizure; this is a bug in biosynth.")  # pragma: no cover
        if end >= 0 and n_done >= onset - lead + onset_to_end:
            break
    fine = np.concatenate(pieces)
    peaks, _ = find_peaks(fine[onset : end + 1, 1], prominence=0.2)
    offset = onset + int(peaks[-1]) if peaks.size else end
    return np.ascontiguousarray(fine[:, 0]), onset, offset


def _seizure_length(r: float, seed: int = 0) -> float:
    """Seizure length in time units (onset to last fast discharge, see _seizure_run) at rate r (for calibration)."""
    h = _MAX_STEP
    _, onset, offset = _seizure_run(r, h, np.random.default_rng(seed), onset_to_end=0, lead=0)
    return (offset - onset) * h


def _r_for_length(length: float) -> float:
    """Rate r whose seizure lasts about ``length`` time units (log-log interpolation of the table)."""
    log_r = np.log(_CALIBRATION_R)
    log_len = np.log(_CALIBRATION_LENGTH)
    order = np.argsort(log_len)
    return float(np.exp(np.interp(np.log(length), log_len[order], log_r[order])))
