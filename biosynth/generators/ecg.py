# SPDX-License-Identifier: BSD-3-Clause
"""ECG from the ECGSYN dynamical model (McSharry et al. 2003), seeded per record.

The model moves a point around a limit cycle of unit radius in the (x, y) plane; its
angle :math:`\\theta` is the cardiac phase and one turn is one beat. The voltage
:math:`z` is pushed up and down by Gaussian waves P, Q, R, S, T placed at angles
:math:`\\theta_i` with amplitudes :math:`a_i` and widths :math:`b_i`:

.. math::

    \\dot x = \\alpha x - \\omega y, \\qquad
    \\dot y = \\alpha y + \\omega x, \\qquad
    \\dot z = -\\sum_{i \\in \\{P,Q,R,S,T\\}} a_i\\, \\Delta\\theta_i\\,
              e^{-\\Delta\\theta_i^2 / (2 b_i^2)} - (z - z_0(t)),

with :math:`\\alpha = 1 - \\sqrt{x^2 + y^2}`, :math:`\\Delta\\theta_i = \\theta -
\\theta_i` wrapped to :math:`[-\\pi, \\pi)`, :math:`\\theta = \\operatorname{atan2}(y,
x)` and the respiratory baseline :math:`z_0(t) = A \\sin(2\\pi f_{HF} t + \\phi)`. Each
wave adds about :math:`a_i b_i^2 / \\omega` to :math:`z` at its peak.

**Heart rate.** The angular velocity is :math:`\\omega = 2\\pi / RR_k` over beat
:math:`k`, from its R peak to the next, with :math:`RR_k` the RR process at the beat's
start (as in the reference implementation), so the R-R intervals are the RR process
sampled once per beat. The RR process has the bimodal spectrum of the paper: Gaussian
peaks at ``lf_freq`` (Mayer waves) and ``hf_freq`` (respiratory sinus arrhythmia) with
widths ``lf_std``, ``hf_std`` and power ratio ``lf_hf_ratio``. It is drawn by an
inverse FFT of amplitudes :math:`\\sqrt{S(f)}` with random phases (NumPy, on the host,
from the record's own generator) and scaled to mean :math:`60 / \\mathrm{HR}` s and SD
:math:`60\\,\\sigma_{\\mathrm{HR}} / \\mathrm{HR}^2` s. Its period is the record (at
least 64 s) and each peak is normalised on the discrete frequency grid, so over a
whole record the SD and the LF/HF ratio are those requested.

**Morphology and heart rate.** As in ECGSYN, the widths :math:`b_i` are scaled by
:math:`\\sqrt{\\mathrm{HR}/60}` and the angles :math:`\\theta_i` by
:math:`(\\mathrm{HR}/60)^{p_i}` with :math:`p = (1/4, 1/2, 0, 1/2, 1/4)` for P, Q, R,
S, T, so the waves keep their heights and the QT interval shortens as the rate rises.

**Integration.** Fixed-step fourth-order Runge-Kutta at an internal rate that is an
integer multiple ``q`` of ``sfreq`` (at least 500 Hz), keeping every q-th step. Each
record starts at a random phase of its cycle, on the periodic orbit of its first beat,
so there is no start-up transient. Batches run in parallel over records (Numba) or as
tensors (torch). The output is shifted so the isoelectric line (the PR segment) is at
0 V and scaled so the R peak of a beat at the mean heart rate stands ``amplitude``
volts above it.

**Ground truth.** Events come from the integrated phase: a wave's peak is the time the
phase crosses :math:`\\theta_i`, its onset and offset the crossings of
:math:`\\theta_i \\mp 2 b_i` (for a Gaussian, where the tangent at its steepest point
meets the baseline, the usual way of placing a T-wave end). Crossings are interpolated
linearly between samples.

References
----------
.. [1] McSharry PE, Clifford GD, Tarassenko L, Smith LA (2003). A dynamical model for
   generating synthetic electrocardiogram signals. IEEE Trans Biomed Eng
   50(3):289-294. doi:10.1109/TBME.2003.808805
.. [2] McSharry PE, Clifford GD. ECGSYN - a realistic ECG waveform generator.
   PhysioNet, https://physionet.org/content/ecgsyn/
.. [3] Sameni R, Clifford GD, Jutten C, Shamsollahi MB (2007). Multichannel ECG and
   noise modeling: application to maternal and fetal ECG signals. EURASIP J Adv Signal
   Process 2007:043407. doi:10.1155/2007/43407
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from biosynth._version import __version__
from biosynth.signals import make_events, make_seed_sequence, make_signals, record_rng
from biosynth.signals._backend import check_device, torch_device
from biosynth.signals._checks import check_int, check_number, check_positive, check_sfreq
from biosynth.signals._random import Seed, seed_to_json

logger = logging.getLogger(__name__)

WAVES = ("P", "Q", "R", "S", "T")

#: Wave parameters ``(theta_i [rad], a_i, b_i [rad])`` at 60 bpm, before heart-rate
#: scaling. ``"mcsharry2003"`` is Table 1 of McSharry et al. (2003); its Q and S waves
#: sit 42 ms from R with 16 ms widths, so its QRS lasts about 150 ms at 60 bpm by the
#: onset/offset rule of this module (wider than the normal 80-110 ms). ``"normal"``, the
#: default, keeps Table 1's P and T angles and R wave, moves Q and S to 26 ms from R
#: with 9.5 ms widths (a 90 ms QRS) and narrows P (a 115 ms P wave); relative to R,
#: its Q is about -0.13, S -0.29, P 0.18 and T 0.25 (Table 1: -0.13, -0.23, 0.26, 0.39).
MORPHOLOGIES: dict[str, dict[str, tuple[float, float, float]]] = {
    "normal": {
        "P": (-math.pi / 3.0, 1.4, 0.18),
        "Q": (-0.163, -30.0, 0.06),
        "R": (0.0, 30.0, 0.1),
        "S": (0.163, -43.0, 0.06),
        "T": (math.pi / 2.0, 0.45, 0.4),
    },
    "mcsharry2003": {
        "P": (-math.pi / 3.0, 1.2, 0.25),
        "Q": (-math.pi / 12.0, -5.0, 0.1),
        "R": (0.0, 30.0, 0.1),
        "S": (math.pi / 12.0, -7.5, 0.1),
        "T": (math.pi / 2.0, 0.75, 0.4),
    },
}
DEFAULT_MORPHOLOGY = "normal"

# theta_i scales as (HR / 60) ** p_i (ECGSYN: sqrt(hrfact) for P and T, hrfact for Q and S)
_ANGLE_EXPONENT = {"P": 0.25, "Q": 0.5, "R": 0.0, "S": 0.5, "T": 0.25}
_EDGE = 2.0  # onset/offset at theta -/+ 2 b: the tangent at the inflection point meets the baseline
_MIN_SFREQ = 100.0  # Hz
_MIN_INTERNAL_RATE = 500.0  # Hz; RK4 error below 3e-5 of the R peak at 200 bpm (1e-6 at 60 bpm)
_RR_RATE = 8.0  # Hz, grid of the RR process (linear interpolation loses < 1% of the power at 0.4 Hz)
_MIN_RR_SPAN = 64.0  # s, shortest period of the RR process (LF bins at most 1/64 Hz apart)
_MIN_RR = 60.0 / 300.0  # s: floor of the RR samples (reached only 4 SD below the mean at HR 200, SD HR / 5)


def simulate_ecg(
    duration: float,
    sfreq: float,
    *,
    n_records: int | None = None,
    heart_rate: float = 60.0,
    heart_rate_std: float = 1.0,
    lf_hf_ratio: float = 0.5,
    lf_freq: float = 0.1,
    hf_freq: float = 0.25,
    lf_std: float = 0.01,
    hf_std: float = 0.01,
    morphology: str | Mapping[str, Sequence[float]] | None = None,
    amplitude: float = 1e-3,
    baseline_wander: float = 0.15e-3,
    first_record: int = 0,
    chunk_size: int | None = None,
    seed: Seed = None,
    device: str = "cpu",
    progress: bool = False,
    return_events: bool = False,
) -> xr.DataArray | tuple[xr.DataArray, pd.DataFrame]:
    """Simulate a lead-II-like ECG with the ECGSYN dynamical model.

    Parameters
    ----------
    duration : float
        Length of each record, in seconds; at least two beats at ``heart_rate``.
    sfreq : float
        Sampling rate, in Hz; at least 100 Hz.
    n_records : int | None
        Number of records. None returns one recording without a ``record`` dim.
    heart_rate : float
        Mean heart rate, in beats per minute, in [30, 200].
    heart_rate_std : float
        Standard deviation of the heart rate, in bpm, in [0, heart_rate / 5]; the RR
        process gets the SD ``60 * heart_rate_std / heart_rate**2`` s.
    lf_hf_ratio : float
        Power of the LF peak (Mayer waves) over that of the HF peak (respiratory sinus
        arrhythmia) in the RR spectrum; positive.
    lf_freq, hf_freq : float
        Centre frequencies of the LF and HF peaks, in Hz, ``0 < lf_freq < hf_freq <=
        1``. ``hf_freq`` is also the frequency of the respiratory baseline.
    lf_std, hf_std : float
        Widths (standard deviations) of the LF and HF peaks, in Hz, in (0, 0.1].
    morphology : str | mapping | None
        Wave shapes at 60 bpm: a name in :data:`MORPHOLOGIES` (None means
        ``"normal"``), or a mapping from some of ``"P", "Q", "R", "S", "T"`` to
        ``(theta, a, b)`` (angle in rad, amplitude, width in rad) replacing those waves
        of ``"normal"``. A zero amplitude removes a wave (and its events); the R
        amplitude must be positive.
    amplitude : float
        Height of the R peak above the isoelectric line for a beat at the mean heart
        rate, in V (beats vary by a few percent with their RR interval and the
        respiratory baseline).
    baseline_wander : float
        Amplitude :math:`A` of the respiratory baseline :math:`z_0(t)`, in V (0.15 mV
        in the paper). The ECG follows it through the model's one-second relaxation,
        so the visible wander is smaller (0.54 A at 0.25 Hz).
    first_record : int
        Index of the first record; record ``i`` draws from
        ``SeedSequence(seed, spawn_key=(i,))``, so records ``[k, k + n)`` can be made
        alone and equal those of a larger batch.
    chunk_size : int | None
        Records integrated at once (bounds memory); None makes all at once. The output
        does not depend on it.
    seed : int, SeedSequence or None
        Root of the random stream. None draws fresh entropy, kept in
        ``attrs["provenance"]["seed"]`` so the data can be regenerated.
    device : str
        ``"cpu"`` (Numba, parallel over records), a torch device such as ``"cuda"``,
        or ``"torch:cpu"`` for the torch path on the CPU (torch paths need the
        ``torch`` extra). Random draws are made with NumPy on the CPU, so every path
        gives the same data within float tolerance. The torch path steps through time
        in Python and pays off only for large batches on a GPU.
    progress : bool
        Show a progress bar over chunks.
    return_events : bool
        Also return the ground-truth events.

    Returns
    -------
    ecg : DataArray, dims ("channel", "time") or ("record", "channel", "time")
        Lead II voltage in V (one channel, ``"II"``); ``time`` in seconds from 0.
    events : DataFrame
        Only with ``return_events=True``. One row per landmark inside the record, of
        types ``"P_onset", "P", "P_offset", "QRS_onset", "Q", "R", "S", "QRS_offset",
        "T_onset", "T", "T_offset"`` (duration 0; channel ``""``, all leads), with
        extra columns ``beat`` (cardiac cycle, 0 for the first one seen in the record)
        and ``beat_type`` (``"N"``, normal). ``record`` is the record label
        (``first_record`` + position), 0 for a single recording. Peaks are the
        crossings of :math:`\\theta_i` by the phase, onsets and offsets those of
        :math:`\\theta_i \\mp 2 b_i`; the QRS runs from the earliest onset of Q, R and
        S to their latest offset.

    Notes
    -----
    Beat heights scale with each beat's RR interval (the waves add :math:`a_i b_i^2 /
    \\omega`), as in the original model. Samples are those of the continuous model
    (no anti-aliasing filter), as a sampled analogue signal without one would be.

    References
    ----------
    .. [1] McSharry PE, Clifford GD, Tarassenko L, Smith LA (2003). A dynamical model
       for generating synthetic electrocardiogram signals. IEEE Trans Biomed Eng
       50(3):289-294. doi:10.1109/TBME.2003.808805

    Examples
    --------
    >>> ecg, events = simulate_ecg(5.0, 250.0, heart_rate=72.0, seed=0, return_events=True)
    >>> ecg.dims, ecg.attrs["units"]
    (('channel', 'time'), 'V')
    >>> int((events["type"] == "R").sum())
    6
    """
    params = _check_params(
        duration,
        sfreq,
        n_records,
        heart_rate,
        heart_rate_std,
        lf_hf_ratio,
        lf_freq,
        hf_freq,
        lf_std,
        hf_std,
        morphology,
        amplitude,
        baseline_wander,
        first_record,
        chunk_size,
    )
    device = check_device(device)
    if not isinstance(return_events, bool):
        raise TypeError(f"return_events must be a bool, got {type(return_events).__name__} {return_events!r}.")
    root = make_seed_sequence(seed)
    grid = _TimeGrid(params["duration"], params["sfreq"])
    gaussians = _scaled_gaussians(params["morphology"], params["heart_rate"])[None]  # one z-variable
    level, height = _template_levels(gaussians, params["heart_rate"], grid.h)
    if not height[0] > 0:
        raise ValueError(f"morphology gives no R peak above the isoelectric line; got {params['morphology']}.")
    scale = params["amplitude"] / height[0]
    indices = np.arange(first_record, first_record + (n_records or 1))
    wander = np.array([params["baseline_wander"] / scale])
    states = _integrate(indices, root, params, gaussians, wander, grid, device, params["chunk_size"], progress)
    data = states[:, 1:]
    data -= level[0]  # isoelectric line (PR segment) at 0 V
    data *= scale
    provenance = {
        "generator": "biosynth.generators.simulate_ecg",
        "version": __version__,
        # chunk_size changes memory use, not the data: it is not a generation parameter
        "parameters": {k: v for k, v in params.items() if k != "chunk_size"},
        "seed": seed_to_json(root),
    }
    ecg = make_signals(
        data if n_records is not None else data[0],
        params["sfreq"],
        ch_names=["II"],
        units="V",
        modality="ecg",
        provenance=provenance,
        record_names=indices if n_records is not None else None,
    )
    if not return_events:
        return ecg
    labels = indices if n_records is not None else np.zeros(1, dtype=np.int64)
    return ecg, _events(states[:, 0], params["sfreq"], gaussians[0], labels)


def _check_params(
    duration,
    sfreq,
    n_records,
    heart_rate,
    heart_rate_std,
    lf_hf_ratio,
    lf_freq,
    hf_freq,
    lf_std,
    hf_std,
    morphology,
    amplitude,
    baseline_wander,
    first,
    chunk,
) -> dict[str, Any]:
    sfreq = check_sfreq("sfreq", sfreq)
    check_number(
        "sfreq",
        sfreq,
        low=_MIN_SFREQ,
        unit="Hz",
        context="the QRS complex lasts about 100 ms and its Q, R and S waves 10-20 ms each; "
        "slower sampling cannot resolve them",
    )
    heart_rate = check_number(
        "heart_rate", heart_rate, low=30.0, high=200.0, unit="bpm", context="the range of human heart rates"
    )
    duration = check_positive("duration", duration, unit="s")
    min_duration = 2.0 * 60.0 / heart_rate
    if duration < min_duration:
        raise ValueError(
            f"duration must cover at least 2 beats ({min_duration:g} s at heart_rate={heart_rate:g} bpm), "
            f"got {duration:g} s."
        )
    hf_freq = check_number("hf_freq", hf_freq, low=0.0, high=1.0, low_inclusive=False, unit="Hz")
    morphology = _check_morphology(morphology)
    if not morphology["R"][1] > 0:
        raise ValueError(
            f"morphology['R'] amplitude a must be positive (the output is scaled to the R peak), "
            f"got {morphology['R'][1]:g}."
        )
    angles = [angle for _, angle in _markers(_scaled_gaussians(morphology, heart_rate))]
    if max(angles) - min(angles) >= 2.0 * math.pi:
        raise ValueError(
            f"morphology spans {max(angles) - min(angles):.3g} rad from P onset to T offset at "
            f"heart_rate={heart_rate:g} bpm, more than one cycle (2 pi), so successive beats would "
            "overlap; use narrower waves or a lower heart_rate."
        )
    return {
        "duration": duration,
        "sfreq": sfreq,
        "n_records": None if n_records is None else check_int("n_records", n_records, low=1),
        "heart_rate": heart_rate,
        "heart_rate_std": check_number(
            "heart_rate_std",
            heart_rate_std,
            low=0.0,
            high=heart_rate / 5.0,
            unit="bpm",
            context=f"at most heart_rate / 5 for heart_rate={heart_rate:g}, so RR intervals stay physiological",
        ),
        "lf_hf_ratio": check_positive("lf_hf_ratio", lf_hf_ratio),
        "lf_freq": check_number(
            "lf_freq",
            lf_freq,
            low=0.0,
            high=hf_freq,
            low_inclusive=False,
            high_inclusive=False,
            unit="Hz",
            context=f"below hf_freq={hf_freq:g} Hz",
        ),
        "hf_freq": hf_freq,
        "lf_std": check_number("lf_std", lf_std, low=0.0, high=0.1, low_inclusive=False, unit="Hz"),
        "hf_std": check_number("hf_std", hf_std, low=0.0, high=0.1, low_inclusive=False, unit="Hz"),
        "morphology": morphology,
        "amplitude": check_positive("amplitude", amplitude, unit="V"),
        "baseline_wander": check_number("baseline_wander", baseline_wander, low=0.0, unit="V"),
        "first_record": check_int("first_record", first, low=0),
        "chunk_size": None if chunk is None else check_int("chunk_size", chunk, low=1),
    }


def _check_morphology(morphology: Any) -> dict[str, list[float]]:
    """Wave parameters ``{wave: [theta, a, b]}`` at 60 bpm from a preset name or a mapping."""
    if isinstance(morphology, str):
        if morphology not in MORPHOLOGIES:
            raise ValueError(f"morphology must be one of {sorted(MORPHOLOGIES)} or a mapping, got {morphology!r}.")
        return {wave: list(values) for wave, values in MORPHOLOGIES[morphology].items()}
    base = {wave: list(values) for wave, values in MORPHOLOGIES[DEFAULT_MORPHOLOGY].items()}
    if morphology is None:
        return base
    if not isinstance(morphology, Mapping):
        raise TypeError(
            "morphology must be a preset name or a mapping of waves to (theta, a, b), "
            f"got {type(morphology).__name__} {morphology!r}."
        )
    unknown = sorted(map(str, set(morphology) - set(WAVES)))
    if unknown:
        raise ValueError(f"morphology has unknown waves {unknown}; expected some of {list(WAVES)}.")
    for wave, values in morphology.items():
        try:
            theta, a, b = (float(v) for v in values)
        except (TypeError, ValueError):
            raise ValueError(
                f"morphology[{wave!r}] must be (theta [rad], a, b [rad]), three numbers, got {values!r}."
            ) from None
        check_number(f"morphology[{wave!r}] theta", theta, low=-math.pi, high=math.pi, unit="rad")
        check_number(f"morphology[{wave!r}] a", a)
        check_positive(f"morphology[{wave!r}] b", b, unit="rad")
        base[wave] = [theta, a, b]
    angles = [base[w][0] for w in WAVES]
    if any(later <= earlier for earlier, later in itertools.pairwise(angles)):
        raise ValueError(f"morphology angles must increase in the order P, Q, R, S, T, got {angles}.")
    return base


def _scaled_gaussians(morphology: Mapping[str, Sequence[float]], heart_rate: float) -> np.ndarray:
    """(3, n_waves) rows theta [rad], a, b [rad] of one Gaussian set, scaled to ``heart_rate`` as in ECGSYN."""
    ratio = heart_rate / 60.0
    params = np.array([morphology[w] for w in WAVES], dtype=float).T
    params[0] *= [ratio ** _ANGLE_EXPONENT[w] for w in WAVES]
    params[2] *= math.sqrt(ratio)
    return params


class _TimeGrid:
    """Samples and internal RK4 steps of one record: sample n is step n q, at n / sfreq."""

    def __init__(self, duration: float, sfreq: float) -> None:
        self.sfreq = sfreq
        self.n_times = round(duration * sfreq)
        self.q = math.ceil(_MIN_INTERNAL_RATE / sfreq - 1e-9)
        self.h = 1.0 / (self.q * sfreq)
        self.n_steps = (self.n_times - 1) * self.q


def _integrate(indices, root, params, gaussians, wander, grid, device, chunk_size, progress) -> np.ndarray:
    """(n_records, 1 + m, n_times): unwrapped phase (rad) and z_1..z_m (model units) of records ``indices``."""
    from tqdm.auto import tqdm

    from biosynth.generators._kernels_ecg import integrate_ecgsyn

    step = chunk_size or indices.size
    rr_amplitudes = _rr_amplitudes(params, grid)
    theta, a, inv_two_b2 = _kernel_gaussians(gaussians)
    chunks = []
    for start in tqdm(range(0, indices.size, step), desc="simulate_ecg", unit="chunk", disable=not progress):
        draws = [_record_draws(record_rng(root, i), rr_amplitudes.size) for i in indices[start : start + step]]
        first_beat = np.array([d[1] for d in draws])
        wander_phase = np.array([d[2] for d in draws])
        rr = _rr_process(np.stack([d[0] for d in draws]), rr_amplitudes, params)
        beat_time, beat_omega = _beat_schedule(rr, first_beat, grid)
        # theta = theta_R = 0 at the first R peak, first_beat * RR(0) after t = 0
        phase0 = 2.0 * math.pi * (1.0 - first_beat)
        state0 = _initial_state(phase0, 2.0 * math.pi / beat_omega[:, 0], gaussians, grid.h)
        state0[:, 2:] += _wander_steady_state(wander, params["hf_freq"], wander_phase)
        args = (beat_time, beat_omega, state0, theta, a, inv_two_b2, wander, params["hf_freq"], wander_phase)
        if device == "cpu":
            chunks.append(integrate_ecgsyn(*args, grid.h, grid.q, grid.n_times))
        else:
            chunks.append(_integrate_torch(*args, grid.h, grid.q, grid.n_times, device=device))
    return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)


def _record_draws(rng: np.random.Generator, n_freqs: int) -> tuple[np.ndarray, float, float]:
    """Everything random in one record, in a fixed order: the RR spectral phases, the point
    of the cardiac cycle at t = 0 (a fraction of a beat) and the respiratory phase."""
    rr_phases = rng.uniform(0.0, 2.0 * math.pi, n_freqs)
    first_beat = rng.uniform()
    wander_phase = rng.uniform(0.0, 2.0 * math.pi)
    return rr_phases, first_beat, wander_phase


def _rr_length(grid: _TimeGrid, params: Mapping[str, Any]) -> int:
    """Samples of the RR process at _RR_RATE: the record plus the beat under way at its end, and
    at least _MIN_RR_SPAN so that the LF band holds a few frequency bins."""
    span = grid.n_steps * grid.h + 2.0 * 60.0 / params["heart_rate"]
    return 2 * math.ceil(max(span, _MIN_RR_SPAN) * _RR_RATE / 2)


def _rr_amplitudes(params: Mapping[str, Any], grid: _TimeGrid) -> np.ndarray:
    """sqrt of the bimodal RR spectrum of McSharry et al. (2003) on the rfft grid, unit total power.

    Each Gaussian peak is normalised on the discrete grid (to ratio / (1 + ratio) and
    1 / (1 + ratio)), so over one period of the process the LF/HF power ratio is exactly
    ``lf_hf_ratio`` whatever the frequency resolution; a peak narrower than a bin falls
    on the nearest bin.
    """
    n = _rr_length(grid, params)
    freqs = np.fft.rfftfreq(n, 1.0 / _RR_RATE)
    inner = (freqs > 0) & (freqs < _RR_RATE / 2)  # no power at DC (the mean is set apart) or Nyquist

    def peak(power: float, centre: float, width: float) -> np.ndarray:
        shape = np.where(inner, np.exp(-((freqs - centre) ** 2) / (2.0 * width**2)), 0.0)
        if shape.sum() == 0.0:
            shape[np.argmin(np.where(inner, np.abs(freqs - centre), np.inf))] = 1.0
        return power * shape / shape.sum()

    ratio = params["lf_hf_ratio"]
    lf = peak(ratio / (1.0 + ratio), params["lf_freq"], params["lf_std"])
    hf = peak(1.0 / (1.0 + ratio), params["hf_freq"], params["hf_std"])
    return np.sqrt(lf + hf)


def _rr_process(phases: np.ndarray, amplitudes: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
    """(n_rec, n_rr) RR intervals in s on the _RR_RATE grid from t = 0: mean 60 / HR, SD 60 sd_HR / HR^2."""
    n = 2 * (amplitudes.size - 1)
    series = np.fft.irfft(amplitudes * np.exp(1j * phases), n=n, axis=-1)
    series -= series.mean(axis=-1, keepdims=True)
    series /= series.std(axis=-1, keepdims=True)
    heart_rate = params["heart_rate"]
    rr = 60.0 / heart_rate + 60.0 * params["heart_rate_std"] / heart_rate**2 * series
    return np.maximum(rr, _MIN_RR)


def _beat_schedule(rr: np.ndarray, first_beat: np.ndarray, grid: _TimeGrid) -> tuple[np.ndarray, np.ndarray]:
    """(n_rec, n_beats) start time of each beat, in s, and (n_rec, n_beats) its angular velocity, in rad/s.

    A beat runs from its R peak to the next one, with omega = 2 pi / RR(t_k), RR taken
    at its start t_k. Beat -1 is under way at t = 0; the first R peak falls at
    ``first_beat * RR(0)``. The schedule runs past the last sample.
    """
    rows = np.arange(rr.shape[0])
    end = grid.n_steps * grid.h

    def rr_at(t: np.ndarray) -> np.ndarray:
        # past the end of the grid (beats after the record, never used) hold the last value
        position = np.minimum(t * _RR_RATE, rr.shape[1] - 1)
        i = np.minimum(np.floor(position).astype(np.int64), rr.shape[1] - 2)
        frac = position - i
        return rr[rows, i] * (1.0 - frac) + rr[rows, i + 1] * frac

    rr_first = rr[:, 0]
    starts = [(first_beat - 1.0) * rr_first]  # beat -1, in [-RR(0), 0)
    lengths = [rr_first]
    current = first_beat * rr_first
    while True:
        starts.append(current)
        if current.min() > end:
            lengths.append(rr_first)  # a beat after the record: never used
            break
        length = rr_at(current)
        lengths.append(length)
        current = current + length
    return np.stack(starts, axis=1), 2.0 * math.pi / np.stack(lengths, axis=1)


def _initial_state(phase0: np.ndarray, rr: np.ndarray, gaussians: np.ndarray, h: float) -> np.ndarray:
    """(n_rec, 2 + m) state at t = 0: on the limit cycle at ``phase0`` and each z on the periodic
    orbit of a constant beat of ``rr`` seconds, rounded to whole steps (no baseline wander).

    One RK4 step maps z to rho z + c_j (rho = 1 - h + h^2/2 - h^3/6 + h^4/24, c_j
    independent of z), so a beat of n steps from z = 0 ends at Z and the periodic start
    is Z / (1 - rho^n). The rounding leaves a transient below 1e-4 of the R peak.
    """
    from biosynth.generators._kernels_ecg import integrate_ecgsyn

    n_rec, m = phase0.size, gaussians.shape[0]
    n_beat = np.maximum(np.rint(rr / h).astype(np.int64), 1)
    state0 = np.zeros((n_rec, 2 + m))
    state0[:, 0], state0[:, 1] = np.cos(phase0), np.sin(phase0)
    omega = 2.0 * math.pi / (n_beat * h)
    beat = integrate_ecgsyn(
        np.zeros((n_rec, 1)),
        omega[:, None],
        state0,
        *_kernel_gaussians(gaussians),
        np.zeros(m),
        0.0,
        np.zeros(n_rec),
        h,
        1,
        int(n_beat.max()) + 1,
    )
    rho = 1.0 - h + h**2 / 2.0 - h**3 / 6.0 + h**4 / 24.0
    state0[:, 2:] = beat[np.arange(n_rec), 1:, n_beat] / (1.0 - rho ** n_beat[:, None])
    return state0


def _wander_steady_state(wander: np.ndarray, freq: float, phase: np.ndarray) -> np.ndarray:
    """(n_rec, m) value at t = 0 of the periodic solution of z' = -(z - A sin(2 pi f t + phase))."""
    w = 2.0 * math.pi * freq
    return wander[None] * ((np.sin(phase) - w * np.cos(phase)) / (1.0 + w * w))[:, None]


def _kernel_gaussians(gaussians: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(m, 3, n_waves) Gaussian sets -> contiguous (m, n_waves) theta, a and 1 / (2 b^2) for the kernels."""
    theta = np.ascontiguousarray(gaussians[:, 0])
    a = np.ascontiguousarray(gaussians[:, 1])
    return theta, a, 1.0 / (2.0 * gaussians[:, 2] ** 2)


def _integrate_torch(
    beat_time, beat_omega, state0, theta, a, inv_two_b2, wander, wander_freq, wander_phase, h, q, n_times, *, device
) -> np.ndarray:
    """The Numba kernel's RK4 (same arguments and output) on tensors holding all records.

    The point of the limit cycle is the complex number w = x + iy, so its equation is
    dw/dt = (alpha + i omega) w. The angular velocity and the respiratory baseline at
    every stage time are tabulated once; the loop over time steps stays in Python.
    """
    import torch

    dev = torch.device(torch_device(device))

    def tensor(array: Any) -> Any:
        return torch.as_tensor(np.asarray(array, dtype=float), dtype=torch.float64, device=dev)

    n_steps = (n_times - 1) * q
    t = np.arange(n_steps + 1) * h  # stage times as the kernel computes them: j h and j h + h / 2
    t_half = t[:-1] + 0.5 * h

    def omega_at(times: np.ndarray) -> Any:
        """(n_times, n_rec) omega of the last beat starting at or before each time."""
        index = np.stack([np.searchsorted(row, times, side="right") - 1 for row in beat_time], axis=1)
        return tensor(np.take_along_axis(beat_omega.T, index, axis=0))

    def baseline_at(times: np.ndarray) -> Any:
        """(n_times, n_rec, m) respiratory baseline z0."""
        respiration = np.sin(2.0 * math.pi * wander_freq * times[:, None] + wander_phase[None])
        return tensor(respiration[:, :, None] * wander[None, None])

    omega_now, omega_half = omega_at(t), omega_at(t_half)
    base_now, base_half = baseline_at(t), baseline_at(t_half)
    theta_t, a_t, inv_t = tensor(theta), tensor(a), tensor(inv_two_b2)
    two_pi = 2.0 * math.pi
    inv_two_pi = 1.0 / two_pi

    def wrap(d: Any) -> Any:
        """To [-pi, pi), as the kernel does."""
        return torch.sub(d, torch.floor((d + math.pi) * inv_two_pi), alpha=two_pi)

    def derivative(w: Any, z: Any, omega: Any, base: Any) -> tuple[Any, Any]:
        dw = torch.complex(1.0 - w.abs(), omega) * w
        d = wrap(w.angle()[:, None, None] - theta_t)
        drive = (a_t * d * torch.exp(-(d * d) * inv_t)).sum(dim=-1)
        return dw, (base - z).sub_(drive)

    state = tensor(state0)
    w = torch.complex(state[:, 0], state[:, 1])
    z = state[:, 2:].clone()
    samples_w = torch.empty((n_times, w.shape[0]), dtype=w.dtype, device=dev)
    samples_z = torch.empty((n_times, *z.shape), dtype=torch.float64, device=dev)
    half = 0.5 * h
    for j in range(n_steps + 1):
        if j % q == 0:
            samples_w[j // q] = w
            samples_z[j // q] = z
        if j == n_steps:
            break
        w1, z1 = derivative(w, z, omega_now[j], base_now[j])
        w2, z2 = derivative(w.add(w1, alpha=half), z.add(z1, alpha=half), omega_half[j], base_half[j])
        w3, z3 = derivative(w.add(w2, alpha=half), z.add(z2, alpha=half), omega_half[j], base_half[j])
        w4, z4 = derivative(w.add(w3, alpha=h), z.add(z3, alpha=h), omega_now[j + 1], base_now[j + 1])
        w = w.add(w1.add(w2.add_(w3), alpha=2.0).add_(w4), alpha=h / 6.0)
        z = z.add(z1.add(z2.add_(z3), alpha=2.0).add_(z4), alpha=h / 6.0)
    angle = samples_w.angle()
    phase = torch.cat([angle[:1], angle[:1] + torch.cumsum(wrap(torch.diff(angle, dim=0)), dim=0)])
    return torch.cat([phase[:, :, None], samples_z], dim=2).permute(1, 2, 0).cpu().numpy()


def _template_levels(gaussians: np.ndarray, heart_rate: float, h: float) -> tuple[np.ndarray, np.ndarray]:
    """(m,) isoelectric level (z at the QRS onset) and (m,) R-peak height above it (the maximum over
    the beat) of each z, on the periodic orbit of a constant ``heart_rate`` without baseline wander."""
    from biosynth.generators._kernels_ecg import integrate_ecgsyn

    n_beat = max(round(60.0 / heart_rate / h), 1)
    omega = 2.0 * math.pi / (n_beat * h)
    state0 = _initial_state(np.zeros(1), np.array([n_beat * h]), gaussians, h)  # at the R peak
    beat = integrate_ecgsyn(
        np.zeros((1, 1)),
        np.full((1, 1), omega),
        state0,
        *_kernel_gaussians(gaussians),
        np.zeros(gaussians.shape[0]),
        0.0,
        np.zeros(1),
        h,
        1,
        n_beat + 1,
    )[0, 1:]
    onset = dict(_markers(gaussians[0]))["QRS_onset"] % (2.0 * math.pi)
    level = beat[:, min(round(onset / omega / h), n_beat)]
    return level, beat.max(axis=-1) - level


def _markers(gaussians: np.ndarray) -> list[tuple[str, float]]:
    """(type, phase angle in rad) of each landmark of a beat; waves with a zero amplitude have none."""
    theta, a, b = gaussians
    wave = {w: (theta[i], b[i]) for i, w in enumerate(WAVES) if a[i] != 0.0}
    out: list[tuple[str, float]] = []
    for name in ("P", "T"):
        if name in wave:
            angle, width = wave[name]
            out += [(f"{name}_onset", angle - _EDGE * width), (name, angle), (f"{name}_offset", angle + _EDGE * width)]
    qrs = [w for w in ("Q", "R", "S") if w in wave]
    out += [(w, wave[w][0]) for w in qrs]
    out.append(("QRS_onset", min(wave[w][0] - _EDGE * wave[w][1] for w in qrs)))
    out.append(("QRS_offset", max(wave[w][0] + _EDGE * wave[w][1] for w in qrs)))
    return out


def _events(phase: np.ndarray, sfreq: float, gaussians: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """Event table from the unwrapped phase (n_rec, n_times): crossings interpolated between samples."""
    times = np.arange(phase.shape[-1]) / sfreq
    markers = _markers(gaussians)
    onset, kind, beat, record = [], [], [], []
    for label, row in zip(labels, phase, strict=True):
        cycles = []
        for name, angle in markers:
            first = math.ceil((row[0] - angle) / (2.0 * math.pi))
            last = math.floor((row[-1] - angle) / (2.0 * math.pi))
            k = np.arange(first, last + 1)
            onset.append(np.interp(angle + 2.0 * math.pi * k, row, times))
            kind += [name] * k.size
            cycles.append(k)
        k = np.concatenate(cycles)
        beat.append(k - k.min() if k.size else k)
        record.append(np.full(k.size, label))
    return make_events(
        np.concatenate(onset),
        0.0,
        kind,
        record=np.concatenate(record),
        channel="",
        extra={"beat": np.concatenate(beat), "beat_type": "N"},
    )


def _dipole(
    duration: float,
    sfreq: float,
    gaussians: Mapping[str, str | Mapping[str, Sequence[float]]],
    *,
    n_records: int | None = None,
    heart_rate: float = 60.0,
    heart_rate_std: float = 1.0,
    lf_hf_ratio: float = 0.5,
    lf_freq: float = 0.1,
    hf_freq: float = 0.25,
    lf_std: float = 0.01,
    hf_std: float = 0.01,
    baseline_wander: Sequence[float] = (0.0, 0.0, 0.0),
    first_record: int = 0,
    chunk_size: int | None = None,
    seed: Seed = None,
    device: str = "cpu",
) -> np.ndarray:
    """Cardiac dipole (X, Y, Z): three ECGSYN Gaussian sums on one shared phase (Sameni et al. 2007).

    Same RR process, seeding and integration as :func:`simulate_ecg` (the same seed
    gives the same beat times); each axis has its own ``(theta, a, b)`` per wave.

    Parameters
    ----------
    duration, sfreq, n_records, heart_rate, heart_rate_std, lf_hf_ratio, lf_freq, hf_freq, lf_std, hf_std
        As in :func:`simulate_ecg`.
    gaussians : mapping
        ``{"x": morphology, "y": morphology, "z": morphology}``, each a preset name or
        a mapping as ``morphology`` of :func:`simulate_ecg` (at 60 bpm; scaled to
        ``heart_rate`` the same way).
    baseline_wander : sequence of 3 float
        Respiratory baseline amplitude of each axis, in model units.
    first_record, chunk_size, seed, device
        As in :func:`simulate_ecg`.

    Returns
    -------
    dipole : ndarray, shape (n_records, 3, n_times)
        X, Y, Z in model units (not shifted or scaled); ``n_records=None`` counts as 1.
    """
    if not isinstance(gaussians, Mapping) or set(gaussians) != {"x", "y", "z"}:
        raise ValueError(f"gaussians must map 'x', 'y' and 'z' to a morphology, got {gaussians!r}.")
    params = _check_params(
        duration,
        sfreq,
        n_records,
        heart_rate,
        heart_rate_std,
        lf_hf_ratio,
        lf_freq,
        hf_freq,
        lf_std,
        hf_std,
        None,
        1.0,
        0.0,
        first_record,
        chunk_size,
    )
    morphologies = [_check_morphology(gaussians[axis]) for axis in ("x", "y", "z")]
    wander = np.array([check_number("baseline_wander", w) for w in baseline_wander], dtype=float)
    if wander.shape != (3,):
        raise ValueError(f"baseline_wander must hold 3 amplitudes (x, y, z), got {wander.size}.")
    device = check_device(device)
    grid = _TimeGrid(params["duration"], params["sfreq"])
    sets = np.stack([_scaled_gaussians(m, params["heart_rate"]) for m in morphologies])
    indices = np.arange(first_record, first_record + (n_records or 1))
    root = make_seed_sequence(seed)
    return _integrate(indices, root, params, sets, wander, grid, device, params["chunk_size"], False)[:, 1:]
