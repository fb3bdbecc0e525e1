# SPDX-License-Identifier: BSD-3-Clause
"""The Jansen-Rit integration as plain arrays, and the anti-alias decimation shared by
the neural mass generators (Jansen-Rit, Epileptor).

Private to :mod:`biosynth.generators`: :func:`biosynth.generators.simulate_jansen_rit`
wraps :func:`jansen_rit` in the container; :mod:`.eeg` uses :func:`jansen_rit` for its
scalp sources, :mod:`.epileptor` uses :func:`downsample`. See
:mod:`biosynth.generators.neural_mass` for the model, the integration and the filter.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
from scipy.signal import firwin, upfirdn

from biosynth._utils.backend import check_device, torch_device
from biosynth._utils.check import check_int, check_number, check_positive, check_sfreq
from biosynth._utils.seeds import Seed, make_seed_sequence, record_rng

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
CONNECTIVITY = {"C1": 1.0, "C2": 0.8, "C3": 0.25, "C4": 0.25}  # fractions of C
PARAM_NAMES = (*JANSEN_RIT_PARAMS, *CONNECTIVITY)
KERNEL_ORDER = ("A", "B", "a", "b", "C1", "C2", "C3", "C4", "e0", "v0", "r")
MAX_STEP = 1e-3  # s, longest internal step
MIN_SFREQ = 25.0  # Hz
FILTER_HALF = 10  # output samples each side of the anti-alias FIR filter's centre
FILTER_CUTOFF = 0.4  # -6 dB point of the anti-alias filter, in units of sfreq


class JansenRitRun(NamedTuple):
    """What :func:`jansen_rit` made: the samples and what is needed to describe them."""

    data: np.ndarray  # (n_records, n_sources, n_times), mV; n_records=None counts as 1
    parameters: dict[str, Any]  # the checked arguments (JSON-able), for the provenance
    root: np.random.SeedSequence  # root seed of the batch


def jansen_rit(
    duration: float,
    sfreq: float,
    *,
    n_records: int | None = None,
    n_sources: int = 1,
    params: Mapping[str, float] | None = None,
    input_mean: float = 220.0,
    input_std: float = 22.0,
    coupling: float = 0.0,
    burn_in: float = 1.0,
    first_record: int = 0,
    seed: Seed = None,
    device: str = "cpu",
    progress: bool = False,
) -> JansenRitRun:
    """:func:`biosynth.generators.simulate_jansen_rit` as a plain array: same arguments,
    same checks and samples; ``.data`` has shape (n_records, n_sources, n_times), in mV,
    with ``n_records=None`` counted as 1."""
    sfreq = check_sfreq("sfreq", sfreq)
    check_number(
        "sfreq",
        sfreq,
        low=MIN_SFREQ,
        unit="Hz",
        context=f"the alpha band (8-12 Hz) must lie below the anti-alias cut-off {FILTER_CUTOFF:g} sfreq",
    )
    duration = check_positive("duration", duration, unit="s")
    n_times = round(duration * sfreq)
    if n_times < 1:
        raise ValueError(f"duration must hold at least one sample (1 / sfreq = {1.0 / sfreq:g} s), got {duration:g} s.")
    n_rec = 1 if n_records is None else check_int("n_records", n_records, low=1)
    n_src = check_int("n_sources", n_sources, low=1)
    values = check_params(params)
    input_mean = check_number("input_mean", input_mean, unit="pulses/s")
    input_std = check_number("input_std", input_std, low=0.0, unit="pulses/s")
    coupling = check_number("coupling", coupling, low=0.0)
    first_record = check_int("first_record", first_record, low=0)
    burn_in = check_number("burn_in", burn_in, low=0.0, unit="s")
    device = check_device(device)
    checked = {
        "duration": duration,
        "sfreq": sfreq,
        "n_records": None if n_records is None else n_rec,
        "n_sources": n_src,
        "params": values,
        "input_mean": input_mean,
        "input_std": input_std,
        "coupling": coupling,
        "first_record": first_record,
        "burn_in": burn_in,
    }

    q = math.ceil(1.0 / (MAX_STEP * sfreq) - 1e-9)
    h = 1.0 / (q * sfreq)
    margin = FILTER_HALF if q > 1 else 0
    n_skip = round(burn_in * sfreq) * q
    n_steps = n_skip + (n_times - 1 + 2 * margin) * q
    half_width = math.sqrt(3.0) * input_std  # uniform on mean -/+ sqrt(3) std
    root = make_seed_sequence(seed)
    noise = np.empty((n_rec, n_src, n_steps))
    for row, index in enumerate(range(first_record, first_record + n_rec)):
        noise[row] = record_rng(root, index).uniform(input_mean - half_width, input_mean + half_width, (n_src, n_steps))
    vector = np.array([values[name] for name in KERNEL_ORDER])
    # records are independent: with a progress bar, one record per call (same samples)
    from tqdm.auto import tqdm  # slow to import: only when simulating

    step = 1 if progress else n_rec
    parts = []
    for start in tqdm(range(0, n_rec, step), desc="simulate_jansen_rit", unit="record", disable=not progress):
        part = noise[start : start + step]
        if device == "cpu":
            parts.append(_integrate_numba(part, vector, coupling, h, n_skip))
        else:
            parts.append(_integrate_torch(part, vector, coupling, h, n_skip, device=device))
    fine = parts[0] if len(parts) == 1 else np.concatenate(parts)
    return JansenRitRun(downsample(fine, q, margin, n_times), checked, root)


def _integrate_numba(noise: np.ndarray, vector: np.ndarray, coupling: float, h: float, n_skip: int) -> np.ndarray:
    """(n_rec, n_src, n_steps) input -> (n_rec, n_src, n_steps + 1 - n_skip) y1 - y2, parallel over rows."""
    from biosynth.generators._kernels.neural_mass import integrate_jansen_rit  # Numba: loaded on first use

    n_rec, n_src, n_steps = noise.shape
    if coupling == 0.0 and n_src > 1:  # independent sources: one row each, all in parallel
        fine = integrate_jansen_rit(noise.reshape(n_rec * n_src, 1, n_steps), vector, 0.0, h, n_skip)
        return fine.reshape(n_rec, n_src, -1)
    return integrate_jansen_rit(noise, vector, coupling, h, n_skip)


def check_params(params: Any) -> dict[str, float]:
    """Full parameter set (names of :data:`KERNEL_ORDER` and ``C``) from the user's overrides."""
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping of parameter names to numbers, got {type(params).__name__}.")
    unknown = sorted(map(str, set(params) - set(PARAM_NAMES)))
    if unknown:
        raise ValueError(f"params has unknown names {unknown}; expected some of {list(PARAM_NAMES)}.")
    values = dict(JANSEN_RIT_PARAMS)
    for name, value in params.items():
        if name == "v0":
            values[name] = check_number("params['v0']", value, unit="mV")
        else:
            values[name] = check_positive(f"params[{name!r}]", value)
    for name, fraction in CONNECTIVITY.items():
        values.setdefault(name, fraction * values["C"])
    return values


def anti_alias(q: int) -> np.ndarray:
    """(2 * FILTER_HALF * q + 1,) zero-phase low-pass FIR taps (unit DC gain) at the internal rate."""
    return firwin(2 * FILTER_HALF * q + 1, FILTER_CUTOFF / q, window="hamming", fs=1.0)


def downsample(fine: np.ndarray, q: int, margin: int, n_times: int, *, device: str = "cpu") -> np.ndarray:
    """(..., (n_times - 1 + 2 margin) q + 1) internal-rate samples -> (..., n_times): filtered, every q-th.

    ``device="cpu"`` filters with :func:`scipy.signal.upfirdn`; a torch device (checked by
    the caller) with a strided ``conv1d`` there, equal within float rounding.
    """
    if q == 1:
        return np.ascontiguousarray(fine[..., :n_times])
    taps = anti_alias(q)
    if device == "cpu":
        # full convolution sample m is centred on internal sample m q - margin q: output n is m = n + 2 margin
        return upfirdn(taps, fine, up=1, down=q, axis=-1)[..., 2 * margin : 2 * margin + n_times]
    # output n = sum_i taps[2 margin q - i] x[n q + i] = sum_i taps[i] x[n q + i] (symmetric taps)
    import torch  # checked by check_device

    dev = torch.device(torch_device(device))
    x = torch.as_tensor(np.ascontiguousarray(fine), dtype=torch.float64, device=dev)
    lead = x.shape[:-1]
    weight = torch.as_tensor(taps[::-1].copy(), dtype=torch.float64, device=dev).reshape(1, 1, -1)
    y = torch.nn.functional.conv1d(x.reshape(-1, 1, x.shape[-1]), weight, stride=q)
    return y[:, 0, :n_times].reshape(*lead, n_times).cpu().numpy()


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
