# SPDX-License-Identifier: BSD-3-Clause
"""Cortical sources from the Jansen-Rit neural mass model (Jansen & Rit 1995), seeded per record.

A cortical column is three interacting populations: pyramidal cells, excitatory and
inhibitory interneurons. Each population turns its mean incoming firing rate into a
postsynaptic potential through a second-order linear synapse, and its mean membrane
potential into a firing rate through a sigmoid:

.. math::

    \\ddot y_0 &= A a\\, S(y_1 - y_2) - 2 a \\dot y_0 - a^2 y_0, \\\\
    \\ddot y_1 &= A a \\left(p(t) + C_2 S(C_1 y_0)\\right) - 2 a \\dot y_1 - a^2 y_1, \\\\
    \\ddot y_2 &= B b\\, C_4 S(C_3 y_0) - 2 b \\dot y_2 - b^2 y_2, \\\\
    S(v) &= \\frac{2 e_0}{1 + e^{r (v_0 - v)}},

with :math:`y_1 - y_2` the mean membrane potential of the pyramidal cells (mV), the
quantity EEG sees, and :math:`p(t)` the input from other areas, a pulse density (1/s).
The standard parameters (Jansen & Rit 1995, table 1) are ``A = 3.25`` mV, ``B = 22``
mV, ``a = 100`` /s, ``b = 50`` /s, ``C = 135``, ``C1..C4 = C, 0.8 C, 0.25 C, 0.25 C``,
``e0 = 2.5`` /s, ``v0 = 6`` mV and ``r = 0.56`` /mV; Jansen & Rit drive the column with
uniform white noise between 120 and 320 pulses/s and get an alpha rhythm near 10 Hz.
Without noise the column sits at a fixed point for a constant input below about 90
pulses/s and oscillates at alpha frequencies above it (up to about 315 pulses/s;
Grimbert & Faugeras 2006).

**Sources.** ``n_sources`` columns per record, all-to-all coupled: source k receives, on
top of its own :math:`p_k(t)`, ``coupling`` times the mean pyramidal firing rate
:math:`S(y_1 - y_2)` of the other sources (so ``coupling`` is dimensionless, 0 leaves
them independent).

**Integration.** Fourth-order Runge-Kutta with a fixed internal step :math:`h = 1 /
(q\\, \\mathrm{sfreq})`, ``q = ceil(1000 / sfreq)`` (so :math:`h \\le 1` ms), from the
zero state. The input is drawn once per internal step and held over it: uniform white
noise with mean ``input_mean`` and standard deviation ``input_std``, drawn with NumPy on
the host from the record's own generator, so every device integrates the same input.
The noise is white up to :math:`1 / (2h)`; its effect on the output, which the synapses
filter with corner frequencies near 16 and 8 Hz, hardly depends on :math:`h`.

**Anti-aliasing.** With ``q > 1`` the internal-rate output is low-pass filtered by a
zero-phase linear-phase FIR filter (Hamming window, ``20 q + 1`` taps, -6 dB at ``0.4
sfreq``, more than 50 dB down from about ``0.48 sfreq``) and every q-th sample kept. The
model runs ``burn_in`` s plus the filter's half length (10 output samples) before
:math:`t = 0` and 10 output samples past the end, so no sample sees the filter's edges.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from biosynth._utils.backend import check_device, torch_device
from biosynth._utils.check import check_int, check_number, check_positive, check_sfreq
from biosynth._utils.seeds import Seed
from biosynth.signals import make_seed_sequence, record_rng

#: Standard parameters of Jansen & Rit (1995): A, B in mV; a, b, e0 in 1/s; C
#: dimensionless (C1..C4 default to C, 0.8 C, 0.25 C, 0.25 C); v0 in mV; r in 1/mV.
JANSEN_RIT_PARAMS: dict[str, float] = {
    "A": 3.25,
    "B": 22.0,
    "a": 100.0,
    "b": 50.0,
    "C": 135.0,
    "e0": 2.5,
    "v0": 6.0,
    "r": 0.56,
}
_CONNECTIVITY = {"C1": 1.0, "C2": 0.8, "C3": 0.25, "C4": 0.25}  # fractions of C
_PARAM_NAMES = (*JANSEN_RIT_PARAMS, *_CONNECTIVITY)
_KERNEL_ORDER = ("A", "B", "a", "b", "C1", "C2", "C3", "C4", "e0", "v0", "r")
_MAX_STEP = 1e-3  # s, longest internal step
_MIN_SFREQ = 25.0  # Hz
_FILTER_HALF = 10  # output samples each side of the anti-alias FIR filter's centre
_FILTER_CUTOFF = 0.4  # -6 dB point of the anti-alias filter, in units of sfreq


def simulate_jansen_rit(
    duration: float,
    sfreq: float,
    *,
    n_records: int | None = None,
    n_sources: int = 1,
    params: Mapping[str, float] | None = None,
    input_mean: float = 220.0,
    input_std: float = 22.0,
    coupling: float = 0.0,
    first_record: int = 0,
    seed: Seed = None,
    device: str = "cpu",
    burn_in: float = 1.0,
) -> np.ndarray:
    """Simulate the pyramidal membrane potential of Jansen-Rit cortical columns.

    Parameters
    ----------
    duration : float
        Length of each record, in seconds.
    sfreq : float
        Output sampling rate, in Hz; at least 25 Hz (the alpha band, 8-12 Hz, must lie
        below the anti-alias filter's cut-off, 0.4 ``sfreq``).
    n_records : int | None
        Number of records; None counts as 1 (the output stays 3-D).
    n_sources : int
        Cortical columns per record.
    params : mapping of str to float | None
        Model parameters overriding :data:`JANSEN_RIT_PARAMS`: ``"A"``, ``"B"`` (mV),
        ``"a"``, ``"b"``, ``"e0"`` (1/s), ``"C"``, ``"C1"``..``"C4"`` (dimensionless;
        unset ones follow ``C`` as C, 0.8 C, 0.25 C, 0.25 C), ``"v0"`` (mV), ``"r"``
        (1/mV). All but ``v0`` must be positive.
    input_mean : float
        Mean of the external input :math:`p(t)`, in pulses/s. Jansen & Rit: 220.
    input_std : float
        Standard deviation of :math:`p(t)`, in pulses/s, drawn uniformly per internal
        step (Jansen & Rit's 120-320 pulses/s is ``input_std`` = 57.7).
    coupling : float
        Gain of the input each source receives from the mean pyramidal firing rate of
        the others (dimensionless, >= 0); no effect with one source.
    first_record : int
        Index of the first record; record ``i`` draws from
        ``SeedSequence(seed, spawn_key=(i,))``, so it is the same in any batch.
    seed : int, SeedSequence or None
        Root of the random stream; None draws fresh entropy.
    device : str
        ``"cpu"`` (Numba, parallel over records, or over records and sources when
        ``coupling`` is 0), ``"torch:cpu"`` or a torch device such as ``"cuda"``. The
        input noise is drawn with NumPy on the host, so all devices give the same
        output within float tolerance. The torch path steps through time in Python.
    burn_in : float
        Time simulated and dropped before :math:`t = 0`, in seconds (the start-up
        transient from the zero state); rounded to whole output samples.

    Returns
    -------
    y : ndarray, shape (n_records, n_sources, n_times)
        Mean membrane potential of the pyramidal cells, :math:`y_1 - y_2`, in mV, at
        ``n_times = round(duration * sfreq)`` samples from :math:`t = 0`.

    Raises
    ------
    ValueError
        On a non-positive duration, ``sfreq`` below 25 Hz, unknown or out-of-range
        ``params`` and other out-of-range arguments (one line naming the argument).

    Notes
    -----
    See the module docstring for the equations, the integration scheme and the
    anti-aliasing filter.

    References
    ----------
    .. [1] Jansen BH, Rit VG (1995). Electroencephalogram and visual evoked potential
       generation in a mathematical model of coupled cortical columns. Biol Cybern
       73(4):357-366. doi:10.1007/BF00199471
    .. [2] Grimbert F, Faugeras O (2006). Bifurcation analysis of Jansen's neural mass
       model. Neural Comput 18(12):3052-3068. doi:10.1162/neco.2006.18.12.3052

    Examples
    --------
    >>> y = simulate_jansen_rit(2.0, 100.0, n_records=2, seed=0)
    >>> y.shape
    (2, 1, 200)
    """
    sfreq = check_sfreq("sfreq", sfreq)
    check_number(
        "sfreq",
        sfreq,
        low=_MIN_SFREQ,
        unit="Hz",
        context=f"the alpha band (8-12 Hz) must lie below the anti-alias cut-off {_FILTER_CUTOFF:g} sfreq",
    )
    duration = check_positive("duration", duration, unit="s")
    n_times = round(duration * sfreq)
    if n_times < 1:
        raise ValueError(f"duration must hold at least one sample (1 / sfreq = {1.0 / sfreq:g} s), got {duration:g} s.")
    n_rec = 1 if n_records is None else check_int("n_records", n_records, low=1)
    n_src = check_int("n_sources", n_sources, low=1)
    values = _check_params(params)
    input_mean = check_number("input_mean", input_mean, unit="pulses/s")
    input_std = check_number("input_std", input_std, low=0.0, unit="pulses/s")
    coupling = check_number("coupling", coupling, low=0.0)
    first_record = check_int("first_record", first_record, low=0)
    burn_in = check_number("burn_in", burn_in, low=0.0, unit="s")
    device = check_device(device)

    q = math.ceil(1.0 / (_MAX_STEP * sfreq) - 1e-9)
    h = 1.0 / (q * sfreq)
    margin = _FILTER_HALF if q > 1 else 0
    n_skip = round(burn_in * sfreq) * q
    n_steps = n_skip + (n_times - 1 + 2 * margin) * q
    half_width = math.sqrt(3.0) * input_std  # uniform on mean -/+ sqrt(3) std
    root = make_seed_sequence(seed)
    noise = np.empty((n_rec, n_src, n_steps))
    for row, index in enumerate(range(first_record, first_record + n_rec)):
        noise[row] = record_rng(root, index).uniform(input_mean - half_width, input_mean + half_width, (n_src, n_steps))
    vector = np.array([values[name] for name in _KERNEL_ORDER])
    if device == "cpu":
        from biosynth.generators._kernels_nm import integrate_jansen_rit

        if coupling == 0.0 and n_src > 1:  # independent sources: one row each, all in parallel
            fine = integrate_jansen_rit(noise.reshape(n_rec * n_src, 1, n_steps), vector, 0.0, h, n_skip)
            fine = fine.reshape(n_rec, n_src, -1)
        else:
            fine = integrate_jansen_rit(noise, vector, coupling, h, n_skip)
    else:
        fine = _integrate_torch(noise, vector, coupling, h, n_skip, device=device)
    return _downsample(fine, q, margin, n_times)


def _check_params(params: Any) -> dict[str, float]:
    """Full parameter set (names of :data:`_KERNEL_ORDER` and ``C``) from the user's overrides."""
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping of parameter names to numbers, got {type(params).__name__}.")
    unknown = sorted(map(str, set(params) - set(_PARAM_NAMES)))
    if unknown:
        raise ValueError(f"params has unknown names {unknown}; expected some of {list(_PARAM_NAMES)}.")
    values = dict(JANSEN_RIT_PARAMS)
    for name, value in params.items():
        if name == "v0":
            values[name] = check_number("params['v0']", value, unit="mV")
        else:
            values[name] = check_positive(f"params[{name!r}]", value)
    for name, fraction in _CONNECTIVITY.items():
        values.setdefault(name, fraction * values["C"])
    return values


def _anti_alias(q: int) -> np.ndarray:
    """(2 * _FILTER_HALF * q + 1,) zero-phase low-pass FIR taps (unit DC gain) at the internal rate."""
    from scipy.signal import firwin

    return firwin(2 * _FILTER_HALF * q + 1, _FILTER_CUTOFF / q, window="hamming", fs=1.0)


def _downsample(fine: np.ndarray, q: int, margin: int, n_times: int) -> np.ndarray:
    """(..., (n_times - 1 + 2 margin) q + 1) internal-rate samples -> (..., n_times): filtered, every q-th."""
    if q == 1:
        return np.ascontiguousarray(fine[..., :n_times])
    from scipy.signal import upfirdn

    # full convolution sample m is centred on internal sample m q - margin q: output n is m = n + 2 margin
    return upfirdn(_anti_alias(q), fine, up=1, down=q, axis=-1)[..., 2 * margin : 2 * margin + n_times]


def _integrate_torch(
    noise: np.ndarray, params: np.ndarray, coupling: float, h: float, n_skip: int, *, device: str
) -> np.ndarray:
    """The Numba kernel's RK4 (same arguments and output) on tensors holding all records and sources;
    the loop over time steps stays in Python."""
    import torch

    dev = torch.device(torch_device(device))
    big_a, big_b, a, b, c1, c2, c3, c4, e0, v0, r = (float(v) for v in params)
    two_e0 = 2.0 * e0
    p_all = torch.as_tensor(noise, dtype=torch.float64, device=dev)
    n_rec, n_src, n_steps = noise.shape

    def sigmoid(v: Any) -> Any:
        return two_e0 / (1.0 + torch.exp(r * (v0 - v)))

    def derivative(y: Any, p: Any) -> Any:
        """y (6, n_rec, n_src), p (n_rec, n_src) -> dy/dt, in the kernel's order of operations."""
        fire = sigmoid(y[1] - y[2])
        drive = p
        if n_src > 1:
            drive = p + coupling * (fire.sum(dim=-1, keepdim=True) - fire) / (n_src - 1)
        return torch.stack(
            [
                y[3],
                y[4],
                y[5],
                big_a * a * fire - 2.0 * a * y[3] - a * a * y[0],
                big_a * a * (drive + c2 * sigmoid(c1 * y[0])) - 2.0 * a * y[4] - a * a * y[1],
                big_b * b * c4 * sigmoid(c3 * y[0]) - 2.0 * b * y[5] - b * b * y[2],
            ]
        )

    y = torch.zeros((6, n_rec, n_src), dtype=torch.float64, device=dev)
    out = torch.empty((n_steps + 1 - n_skip, n_rec, n_src), dtype=torch.float64, device=dev)
    half = 0.5 * h
    sixth = h / 6.0
    for j in range(n_steps + 1):
        if j >= n_skip:
            out[j - n_skip] = y[1] - y[2]
        if j == n_steps:
            break
        p = p_all[:, :, j]
        k1 = derivative(y, p)
        k2 = derivative(y + half * k1, p)
        k3 = derivative(y + half * k2, p)
        k4 = derivative(y + h * k3, p)
        y = y + sixth * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return out.permute(1, 2, 0).cpu().numpy()
