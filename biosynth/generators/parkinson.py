# SPDX-License-Identifier: BSD-3-Clause
"""Parkinson's disease: subthalamic LFP, motor-cortex EEG, tremor accelerometry and EMG,
coherent through one seeded latent state per record.

**Latent state.** Each record draws, from its own seeded streams:

- a *beta carrier*, a narrow-band oscillation at ``beta_freq`` whose phase diffuses
  (Gaussian spectral line of FWHM :data:`BETA_LINEWIDTH`);
- a *beta burst envelope*: bursts alternate with gaps (an alternating renewal process,
  so bursts never overlap). Burst lengths are lognormal with the medication state's mean
  and coefficient of variation, their peak amplitudes lognormal, and the gaps
  exponential with the mean that gives the state's burst rate. Each burst is flat with
  raised-cosine ramps of :data:`BURST_RAMP`; its ground-truth ``duration`` is the full
  width at half maximum (ramp midpoint to ramp midpoint), which is what a threshold near
  half the burst height finds (Tinkhauser et al. 2017: envelope above its 75th
  percentile for more than 100 ms);
- a *tremor oscillator* at ``tremor_freq`` (4-6 Hz rest tremor) with slow phase
  diffusion, gated by tremor episodes (an alternating renewal process with the state's
  share of time in tremor; 1-s ramps);
- a *gamma carrier* (band ``gamma_band``) whose amplitude follows the beta phase,
  :math:`1 + m \\cos\\varphi_\\beta(t)` with ``pac`` = :math:`m`: beta-gamma
  phase-amplitude coupling (de Hemptinne et al. 2013; Tort modulation index grows
  with :math:`m`).

**Signals.** ``"lfp"``: three bipolar STN contact pairs (``STN01, STN12, STN23``), a
1/f background plus the beta bursts (strongest on the dorsal pair), the gamma carrier
and a weak tremor-frequency component. ``"eeg"``: C3, Cz, C4 over motor cortex, a 1/f
background with a mu rhythm, the same bursts ``cortex_lead`` s earlier (cortex leads
STN) at ``eeg_beta`` of the LFP's amplitude, the gamma carrier, and a tremor-locked
component strongest at C3 (contralateral to a right-hand tremor) that makes
cortico-muscular coherence (Timmermann et al. 2003). ``"acc"``: three axes (m/s^2) of
the hand's dynamic acceleration, the tremor (fundamental and 2nd harmonic) along a
fixed direction plus sensor noise. ``"emg"``: wrist extensor and flexor (V), broadband
(20-400 Hz) noise whose amplitude is a resting tone plus tremor bursts that alternate
between the antagonists at the tremor frequency.

**Medication and DBS.** ``medication="off"`` or ``"on"`` (one for all records or one
per record) picks :data:`MEDICATION` presets: OFF has more frequent, longer and stronger
beta bursts and more tremor than ON. ``dbs`` adds stimulation at ``freq`` (130 Hz):
biphasic pulses (cathodic ``pulse_width``, then anodic at a third of the height for
three times as long) rendered at 40 kHz, low-passed and decimated to ``sfreq`` like an
amplifier would (so the harmonics alias as in real recordings), at ``amplitude`` on the
LFP and ``eeg_amplitude`` on the EEG; stimulation shrinks burst amplitude by
``beta_suppression`` and burst lengths by half of it, and the tremor likewise.

Ground truth (``return_events=True``): every beta burst (``"beta_burst"``, onset and
duration at half height, ``amplitude`` = peak of the beta envelope on STN01, in V),
tremor episode (``"tremor"``, at half height, ``amplitude`` = peak acceleration in
m/s^2), the medication state (``"medication_off"`` / ``"medication_on"``, the whole
record) and stimulation (``"dbs"``).

References
----------
.. [1] Tinkhauser G, Pogosyan A, Tan H, Herz DM, Kühn AA, Brown P (2017). Beta burst
   dynamics in Parkinson's disease OFF and ON dopaminergic medication. Brain
   140(11):2968-2981. doi:10.1093/brain/awx252
.. [2] Timmermann L, Gross J, Dirks M, Volkmann J, Freund HJ, Schnitzler A (2003). The
   cerebral oscillatory network of parkinsonian resting tremor. Brain 126(1):199-212.
.. [3] de Hemptinne C, Ryapolova-Webb ES, Air EL, et al. (2013). Exaggerated
   phase-amplitude coupling in the primary motor cortex in Parkinson disease. PNAS
   110(12):4780-4785. doi:10.1073/pnas.1214546110
.. [4] Tort ABL, Komorowski R, Eichenbaum H, Kopell N (2010). Measuring phase-amplitude
   coupling between neuronal oscillations. J Neurophysiol 104(2):1195-1210.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from biosynth._utils.backend import check_device, torch_device
from biosynth._utils.check import check_int, check_number, check_option, check_sfreq
from biosynth._utils.docs import fill_doc
from biosynth._utils.seeds import Seed, make_seed_sequence
from biosynth.generators import _random_blocks as rb
from biosynth.generators._checks import check_flags
from biosynth.generators._provenance import build_provenance
from biosynth.signals import make_events, make_signals
from biosynth.signals.events import empty_events, validate_events

SIGNALS = ("lfp", "eeg", "acc", "emg")
CHANNELS = {
    "lfp": ("STN01", "STN12", "STN23"),
    "eeg": ("C3", "Cz", "C4"),
    "acc": ("ACC_X", "ACC_Y", "ACC_Z"),
    "emg": ("EMG_EXT", "EMG_FLEX"),
}
MODALITY = {"lfp": "lfp", "eeg": "eeg", "acc": "acc", "emg": "emg"}
UNITS = {"lfp": "V", "eeg": "V", "acc": "m/s^2", "emg": "V"}
#: Sampling rates simulate_parkinson accepts (Hz): the 130 Hz DBS artefact and 60-90 Hz
#: gamma need 250 Hz at least.
SFREQ_RANGE = (250.0, 10_000.0)
#: Medication presets. Beta bursts: rate (per min), mean duration (s, at half height),
#: duration CV, mean peak amplitude on STN01 (V) and its CV; tremor: share of time in
#: episodes, mean episode length (s), peak acceleration (m/s^2). The burst settings are
#: tuned so that the detection convention of Tinkhauser et al. (2017; 75th percentile,
#: threshold common to OFF and ON, > 100 ms) finds 27 % of the time in bursts OFF and
#: 16 % ON, as they report (27.0 +- 0.5 % vs 16.1 +- 1.7 %), with OFF bursts more frequent,
#: longer and larger; OFF/ON low-beta power is then about 2 (Foffani et al. 2005: 0.74 vs
#: 0.42 log units). Tremor settings are illustrative (no published episode statistics);
#: beta-gamma coupling is deeper OFF than ON (Miller et al. 2019, scalp EEG).
MEDICATION: dict[str, dict[str, float]] = {
    "off": {
        "burst_rate": 45.0,
        "burst_duration": 0.36,
        "burst_duration_cv": 0.6,
        "burst_amplitude": 4e-6,
        "burst_amplitude_cv": 0.3,
        "tremor_share": 0.6,
        "tremor_duration": 20.0,
        "tremor_amplitude": 1.0,
        "pac": 0.5,
    },
    "on": {
        "burst_rate": 40.0,
        "burst_duration": 0.27,
        "burst_duration_cv": 0.5,
        "burst_amplitude": 3.2e-6,
        "burst_amplitude_cv": 0.3,
        "tremor_share": 0.15,
        "tremor_duration": 8.0,
        "tremor_amplitude": 0.3,
        "pac": 0.25,
    },
}
#: DBS settings: 130 Hz, 60 us pulses (the usual clinical setting); ``beta_suppression``
#: 0.3 leaves about 55 % of the OFF beta power (Eusebio et al. 2011: median peak power 54 %
#: of baseline at 3 V) and 49 % of the tremor power (Beudel et al. 2015: 48.9 %).
DBS_DEFAULTS = {
    "freq": 130.0,
    "amplitude": 200e-6,
    "eeg_amplitude": 20e-6,
    "pulse_width": 60e-6,
    "beta_suppression": 0.3,
}
#: Raised-cosine ramp of a burst (s); bursts shorter than it are a raised cosine of their length.
BURST_RAMP = 0.04
#: Full width at half maximum (Hz) of the spectral line of the beta and tremor carriers.
BETA_LINEWIDTH, TREMOR_LINEWIDTH = 2.0, 0.3
#: Shortest gap between bursts (s), so consecutive bursts stay apart for a detector.
MIN_GAP = 0.1
#: Knee of the LFP background, 1 / (knee + f^1.5): flat below about 5 Hz, as bipolar STN
#: recordings (high-passed by the subtraction of neighbouring contacts) are.
LFP_KNEE = 10.0
#: Width (Hz) of the raised-cosine edges of the gamma band.
GAMMA_EDGE = 5.0
#: How far the cortical tremor component leads the EMG bursts (s); Timmermann et al. 2003
#: found M1 leading the EMG by 15-25 ms.
CORTEX_MUSCLE_LEAD = 0.02
#: Ramp (s) of a tremor episode.
TREMOR_RAMP = 1.0
_BURST_DURATION_RANGE = (0.05, 5.0)
_LFP_BETA_WEIGHTS = np.array([1.0, 0.6, 0.3])
_EEG_BETA_WEIGHTS = np.array([1.0, 0.6, 0.4])
_EEG_TREMOR_WEIGHTS = np.array([1.0, 0.4, 0.1])
_LFP_TREMOR_WEIGHTS = np.array([0.5, 0.3, 0.2])
_ACC_DIRECTION = np.array([0.8, 0.5, 0.33]) / np.linalg.norm([0.8, 0.5, 0.33])
_DBS_RATE = 40_000.0
# stream ids
_S_BETA, _S_BURST, _S_TREMOR, _S_GAMMA, _S_LFP, _S_EEG, _S_ACC, _S_EMG, _S_EPISODE = range(9)


@fill_doc
def simulate_parkinson(
    duration: float,
    sfreq: float,
    *,
    n_records: int | None = None,
    medication: str | Sequence[str] = "off",
    signals: Sequence[str] = SIGNALS,
    beta_freq: float = 20.0,
    bursts: Mapping[str, float] | None = None,
    tremor: Mapping[str, float] | None = None,
    tremor_freq: float = 5.0,
    pac: float | None = None,
    gamma_band: tuple[float, float] = (60.0, 90.0),
    gamma_amplitude: float = 0.6e-6,
    eeg_beta: float = 0.5,
    cortex_lead: float = 0.01,
    cortical_tremor: float = 5e-6,
    lfp_amplitude: float = 2e-6,
    eeg_amplitude: float = 15e-6,
    emg_tone: float = 5e-6,
    emg_tremor: float = 50e-6,
    dbs: Mapping[str, float] | bool | None = None,
    first_record: int = 0,
    seed: Seed = None,
    device: str = "cpu",
    progress: bool = False,
    return_events: bool = False,
) -> dict[str, xr.DataArray] | tuple[dict[str, xr.DataArray], pd.DataFrame]:
    """Simulate Parkinsonian STN LFP, motor EEG, tremor accelerometry and EMG from one latent state.

    Parameters
    ----------
    duration : float
        Length of each record, in s (at least 2).
    sfreq : float
        Sampling rate, in Hz (250 Hz to 10 kHz; above 2 x ``gamma_band[1]`` and, for
        the EMG, 800 Hz or more; 1000 Hz is usual for STN LFP). Required (it defaulted
        to 1000 Hz before 0.2).
    %(n_records)s
    medication : {"off", "on"} or sequence of them
        Dopaminergic medication state, for all records or one per record
        (:data:`MEDICATION`).
    signals : sequence of str
        Which of ``"lfp"``, ``"eeg"``, ``"acc"``, ``"emg"`` to return (all are driven
        by the same latent state whatever is returned).
    beta_freq : float
        Centre of the beta carrier, in Hz (13-30).
    bursts : mapping | None
        Overrides of the medication preset's burst settings (``burst_rate`` per min,
        ``burst_duration`` s, ``burst_duration_cv``, ``burst_amplitude`` V,
        ``burst_amplitude_cv``), applied to every record.
    tremor : mapping | None
        Overrides of the tremor settings (``tremor_share`` in [0, 1],
        ``tremor_duration`` s, ``tremor_amplitude`` m/s^2).
    tremor_freq : float
        Rest tremor frequency, in Hz (3-8; 4-6 typical).
    pac : float | None
        Depth :math:`m` of the beta-phase modulation of the gamma amplitude, in [0, 1];
        None takes the medication preset's (0.5 OFF, 0.25 ON).
    gamma_band : (float, float)
        Band of the gamma carrier, in Hz.
    gamma_amplitude : float
        SD of the gamma carrier on the LFP (half of it on the EEG), in V.
    eeg_beta : float
        Cortical beta bursts at C3 relative to STN01, in [0, 10].
    cortex_lead : float
        How much earlier the bursts reach the cortex than the STN, in s (0-0.05).
    cortical_tremor : float
        Amplitude of the tremor-locked component at C3 during tremor, in V.
    lfp_amplitude, eeg_amplitude : float
        SD of the 1/f background of each LFP / EEG channel, in V.
    emg_tone, emg_tremor : float
        RMS of the resting EMG and peak RMS of the tremor bursts, in V.
    dbs : mapping, bool or None
        Deep brain stimulation for the whole record: True or a mapping overriding
        :data:`DBS_DEFAULTS` (``freq`` Hz, ``amplitude`` V on the LFP,
        ``eeg_amplitude`` V, ``pulse_width`` s, ``beta_suppression`` in [0, 1]).
    %(first_record)s
    %(seed)s
    device : str, default="cpu"
        ``"cpu"`` runs everything with NumPy; a torch device (``"cuda"``, or
        ``"torch:cpu"`` for the torch path on the CPU) runs the spectral shaping of the
        coloured-noise parts (the inverse FFTs of the LFP and EEG backgrounds, the EMG
        carrier and the gamma carrier) there. Every random draw, the burst and tremor
        envelopes, the accelerometry and the DBS artefact are computed with NumPy on the
        host, so every device gives the same data within float tolerance. Torch
        devices need the ``torch`` extra.
    %(progress)s
    return_events : bool, default=False
        Also return the ground-truth events table (see Returns).

    Returns
    -------
    signals : dict of str to DataArray
        A mapping of containers (not an ``xarray.Dataset``: the signals have different
        channels, units and modalities), one per requested signal, keyed by ``"lfp"``,
        ``"eeg"``, ``"acc"``, ``"emg"`` in the order of ``signals``; each with dims
        ``("channel", "time")`` or ``("record", "channel", "time")``, the same
        ``time`` and ``record`` coordinates and the same provenance; units V (m/s^2
        for ``"acc"``), modality ``"lfp"``, ``"eeg"``, ``"acc"``, ``"emg"``.
    events : DataFrame
        Only with ``return_events=True``: ``record, channel, onset, duration, type,
        amplitude`` (see the module notes).

    Examples
    --------
    >>> out, events = simulate_parkinson(10.0, 1000.0, seed=0, return_events=True)
    >>> sorted(out), out["lfp"].attrs["modality"], out["acc"].attrs["units"]
    (['acc', 'eeg', 'emg', 'lfp'], 'lfp', 'm/s^2')
    >>> bool((events["type"] == "beta_burst").any())
    True
    """
    params = check_parkinson_params(locals())
    check_flags(progress=progress, return_events=return_events)
    device = check_device(device)
    root = make_seed_sequence(seed)
    indices = np.arange(params["first_record"], params["first_record"] + (n_records or 1))
    data, events = _render(params, root, indices, progress, device)
    provenance = build_provenance("biosynth.generators.simulate_parkinson", params, root)
    out = {}
    for kind in params["signals"]:
        out[kind] = make_signals(
            data[kind] if n_records is not None else data[kind][0],
            params["sfreq"],
            ch_names=list(CHANNELS[kind]),
            units=UNITS[kind],
            modality=MODALITY[kind],
            provenance=provenance,
            record_names=indices if n_records is not None else None,
            check_finite=False,
        )
    return (out, events) if return_events else out


# --- checks -------------------------------------------------------------------------


def check_parkinson_params(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate :func:`simulate_parkinson`'s keywords; return the JSON-able parameters."""
    sfreq = check_sfreq("sfreq", values["sfreq"])
    if not SFREQ_RANGE[0] <= sfreq <= SFREQ_RANGE[1]:
        raise ValueError(f"sfreq must be in [{SFREQ_RANGE[0]:g}, {SFREQ_RANGE[1]:g}] Hz, got {sfreq:g}.")
    duration = check_number("duration", values["duration"], low=2.0, unit="s")
    n_records = values["n_records"]
    n = 1 if n_records is None else check_int("n_records", n_records, low=1)
    kinds = [values["signals"]] if isinstance(values["signals"], str) else list(values["signals"])
    for kind in kinds:
        check_option("signals", kind, SIGNALS)
    if not kinds or len(set(kinds)) != len(kinds):
        raise ValueError(f"signals must name each of {SIGNALS} at most once, at least one, got {kinds!r}.")
    gamma = _check_band(values["gamma_band"], sfreq)
    if "emg" in kinds and sfreq < 800.0:
        raise ValueError(f"sfreq={sfreq:g} Hz is too low for the EMG (20-400 Hz); use 800 Hz or more, or drop 'emg'.")
    params: dict[str, Any] = {
        "duration": duration,
        "sfreq": sfreq,
        "n_records": None if n_records is None else n,
        "first_record": check_int("first_record", values["first_record"], low=0),
        "medication": _check_medication(values["medication"], n),
        "signals": kinds,
        "beta_freq": check_number("beta_freq", values["beta_freq"], low=13.0, high=30.0, unit="Hz"),
        "bursts": _check_overrides("bursts", values["bursts"], ("burst_",)),
        "tremor": _check_overrides("tremor", values["tremor"], ("tremor_",)),
        "tremor_freq": check_number("tremor_freq", values["tremor_freq"], low=3.0, high=8.0, unit="Hz"),
        "pac": None if values["pac"] is None else check_number("pac", values["pac"], low=0.0, high=1.0),
        "gamma_band": gamma,
        "gamma_amplitude": check_number("gamma_amplitude", values["gamma_amplitude"], low=0.0, high=1e-3, unit="V"),
        "eeg_beta": check_number("eeg_beta", values["eeg_beta"], low=0.0, high=10.0),
        "cortex_lead": check_number("cortex_lead", values["cortex_lead"], low=0.0, high=0.05, unit="s"),
        "cortical_tremor": check_number("cortical_tremor", values["cortical_tremor"], low=0.0, high=1e-3, unit="V"),
        "dbs": _check_dbs(values["dbs"], sfreq),
    }
    for name in ("lfp_amplitude", "eeg_amplitude", "emg_tone", "emg_tremor"):
        params[name] = check_number(name, values[name], low=0.0, high=1e-2, unit="V")
    return params


def _check_band(band: Any, sfreq: float) -> list[float]:
    try:
        low, high = (float(b) for b in band)
    except (TypeError, ValueError):
        raise ValueError(f"gamma_band must be (low, high) in Hz, got {band!r}.") from None
    if not 0 < low < high < sfreq / 2:
        raise ValueError(f"gamma_band must satisfy 0 < low < high < Nyquist ({sfreq / 2:g} Hz), got {band!r}.")
    return [low, high]


def _check_medication(value: Any, n: int) -> list[str]:
    states = [value] * n if isinstance(value, str) else list(value)
    if len(states) != n:
        raise ValueError(f"medication must be one state or one per record ({n}), got {len(states)}.")
    return [check_option("medication", s, tuple(MEDICATION)) for s in states]


def _check_overrides(name: str, value: Any, prefixes: tuple[str, ...]) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping of settings, got {type(value).__name__}.")
    allowed = [k for k in MEDICATION["off"] if k.startswith(prefixes)]
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise ValueError(f"{name} has unknown keys {unknown}; expected some of {allowed}.")
    limits = {"rate": (0.0, 600.0), "cv": (0.0, 3.0), "share": (0.0, 1.0), "amplitude": (0.0, 1e3)}
    out = {}
    for key, v in value.items():
        low, high = next((lim for word, lim in limits.items() if key.endswith(word)), (0.01, 600.0))
        out[key] = check_number(f"{name}[{key!r}]", v, low=low, high=high)
    return out


def _check_dbs(value: Any, sfreq: float) -> dict[str, float] | None:
    if value is None or value is False:
        return None
    given = {} if value is True else value
    if not isinstance(given, Mapping):
        raise TypeError(f"dbs must be True, None or a mapping of settings, got {type(value).__name__}.")
    unknown = sorted(set(given) - set(DBS_DEFAULTS))
    if unknown:
        raise ValueError(f"dbs has unknown keys {unknown}; expected some of {list(DBS_DEFAULTS)}.")
    out = {**DBS_DEFAULTS, **given}
    out["freq"] = check_number("dbs['freq']", out["freq"], low=2.0, high=1000.0, unit="Hz")
    out["pulse_width"] = check_number("dbs['pulse_width']", out["pulse_width"], low=1e-5, high=1e-3, unit="s")
    if out["pulse_width"] * 4 >= 1.0 / out["freq"]:
        raise ValueError("dbs['pulse_width'] is too long for dbs['freq']: a biphasic pulse must fit in a period.")
    for key in ("amplitude", "eeg_amplitude"):
        out[key] = check_number(f"dbs[{key!r}]", out[key], low=0.0, high=1.0, unit="V")
    out["beta_suppression"] = check_number("dbs['beta_suppression']", out["beta_suppression"], low=0.0, high=1.0)
    return out


# --- rendering --------------------------------------------------------------------------


def _render(
    params: dict[str, Any], root, indices: np.ndarray, progress: bool, device: str
) -> tuple[dict, pd.DataFrame]:
    from tqdm.auto import tqdm  # slow to import: only when rendering

    n_times = round(params["duration"] * params["sfreq"])
    data = {kind: np.empty((indices.size, len(CHANNELS[kind]), n_times)) for kind in params["signals"]}
    tables = []
    for k, record in enumerate(tqdm(indices, desc="simulate_parkinson", unit="record", disable=not progress)):
        state = params["medication"][k]
        signals, events = _record(params, root, int(record), state, n_times, device)
        for kind in params["signals"]:
            data[kind][k] = signals[kind]
        tables.append(events)
    return data, validate_events(pd.concat(tables, ignore_index=True)) if tables else empty_events()


def _settings(params: dict[str, Any], state: str) -> dict[str, float]:
    """Burst and tremor settings of a record: preset, overrides, then DBS effects."""
    out = {**MEDICATION[state], **params["bursts"], **params["tremor"]}
    if params["pac"] is not None:
        out["pac"] = params["pac"]
    if params["dbs"] is not None:
        s = params["dbs"]["beta_suppression"]
        out["burst_amplitude"] *= 1.0 - s
        out["burst_duration"] *= 1.0 - 0.5 * s
        out["tremor_amplitude"] *= 1.0 - s
        out["pac"] *= 1.0 - s  # DBS reduces the coupling (de Hemptinne et al. 2015)
    return out


def _record(params: dict[str, Any], root, record: int, state: str, n: int, device: str) -> tuple[dict, pd.DataFrame]:
    sfreq, cfg = params["sfreq"], _settings(params, state)

    def rng(stream: int) -> np.random.Generator:
        # block 0 of the record's random-block stream (not record_seed_sequence: that would
        # change the seeded outputs)
        return rb.Stream(root, record, stream).block_rng(0)

    lead = round(params["cortex_lead"] * sfreq)
    # beta carrier and bursts, made `lead` samples longer so the cortex can lead the STN
    phase = _carrier_phase(rng(_S_BETA), n + lead, sfreq, params["beta_freq"], BETA_LINEWIDTH)
    env, bursts = _burst_envelope(rng(_S_BURST), n + lead, sfreq, cfg)
    beta = env * np.cos(phase)
    stn_beta, cortex_beta = beta[:n], beta[lead:]  # cortex at t sees the STN's t + lead
    tremor_phase = _carrier_phase(rng(_S_TREMOR), n, sfreq, params["tremor_freq"], TREMOR_LINEWIDTH)
    gate, episodes = _tremor_gate(rng(_S_EPISODE), n, sfreq, cfg)
    gamma = _gamma(rng(_S_GAMMA), n, sfreq, params, cfg["pac"], phase[:n], device)
    out = {
        "lfp": _lfp(rng(_S_LFP), params, stn_beta, gamma, gate, tremor_phase, device),
        "eeg": _eeg(rng(_S_EEG), params, cortex_beta, gamma, gate, tremor_phase, device),
        "acc": _acc(rng(_S_ACC), cfg, gate, tremor_phase),
        "emg": _emg(rng(_S_EMG), params, gate, tremor_phase, sfreq, device),
    }
    if params["dbs"] is not None:
        pulses = _dbs_artefact(params["dbs"], n, sfreq)
        out["lfp"] += params["dbs"]["amplitude"] * pulses
        out["eeg"] += params["dbs"]["eeg_amplitude"] * pulses
    events = _events(record, state, bursts, episodes, cfg, params, n / sfreq)
    return out, events


def _carrier_phase(rng: np.random.Generator, n: int, sfreq: float, freq: float, linewidth: float) -> np.ndarray:
    """Phase (rad) of an oscillation at ``freq`` whose phase diffuses: a Lorentzian line
    of FWHM ``linewidth`` Hz (Wiener phase noise of rate ``pi * linewidth``)."""
    steps = rng.normal(0.0, np.sqrt(2.0 * np.pi * linewidth / sfreq), n)
    return 2.0 * np.pi * freq * np.arange(n) / sfreq + rng.uniform(0.0, 2.0 * np.pi) + np.cumsum(steps)


def _renewal(
    rng: np.random.Generator,
    end: float,
    mean_on: float,
    cv_on: float,
    mean_off: float,
    min_off: float,
    limits: tuple[float, float] = _BURST_DURATION_RANGE,
):
    """Alternating on/off periods until ``end`` s: lognormal on-lengths (clipped to
    ``limits``), exponential off-lengths (plus ``min_off``); starts at a random point of
    an off period."""
    onsets, lengths = [], []
    t = -rng.exponential(mean_off) if mean_off > 0 else 0.0
    while True:
        t += min_off + (rng.exponential(mean_off) if mean_off > 0 else 0.0)
        if t >= end:
            break
        length = float(np.clip(rb.lognormal(rng, mean_on, cv_on, 1, clip=20.0)[0], *limits))
        onsets.append(t)
        lengths.append(length)
        t += length
    return np.array(onsets), np.array(lengths)


def _burst_envelope(rng: np.random.Generator, n: int, sfreq: float, cfg: dict[str, float]):
    """Beta envelope (V) and the bursts: half-height onsets (s), durations (s), peaks (V)."""
    mean_d, rate = cfg["burst_duration"], cfg["burst_rate"] / 60.0
    env = np.zeros(n)
    if rate <= 0 or cfg["burst_amplitude"] <= 0:
        return env, (np.zeros(0), np.zeros(0), np.zeros(0))
    gap = max(1.0 / rate - mean_d - MIN_GAP, 0.0)
    onsets, lengths = _renewal(rng, n / sfreq, mean_d, cfg["burst_duration_cv"], gap, MIN_GAP)
    peaks = rb.lognormal(rng, cfg["burst_amplitude"], cfg["burst_amplitude_cv"], onsets.size, clip=10.0)
    half_onsets = np.empty(onsets.size)
    for i, (onset, length, peak) in enumerate(zip(onsets, lengths, peaks, strict=True)):
        ramp = min(BURST_RAMP, length)
        shape = _flat_top(length - ramp, ramp, sfreq)
        rb.place(env, 0, round(onset * sfreq), peak * shape)
        half_onsets[i] = onset + ramp / 2.0
    return env, (half_onsets, lengths, peaks)


def _flat_top(plateau: float, ramp: float, sfreq: float) -> np.ndarray:
    """Raised-cosine rise of ``ramp`` s, ``plateau`` s at 1, the mirrored fall: half
    height at ``ramp / 2`` from each end, so the FWHM is ``plateau + ramp``."""
    r, p = max(round(ramp * sfreq), 1), max(round(plateau * sfreq), 0)
    rise = 0.5 - 0.5 * np.cos(np.pi * (np.arange(r) + 0.5) / r)
    return np.concatenate([rise, np.ones(p), rise[::-1]])


def _tremor_gate(rng: np.random.Generator, n: int, sfreq: float, cfg: dict[str, float]):
    """Tremor gate in [0, 1] and its episodes: half-height onsets and durations (s)."""
    share, mean_on = cfg["tremor_share"], cfg["tremor_duration"]
    gate = np.zeros(n)
    if share <= 0 or cfg["tremor_amplitude"] <= 0:
        return gate, (np.zeros(0), np.zeros(0))
    if share >= 1:
        return np.ones(n), (np.zeros(1), np.full(1, n / sfreq))
    mean_off = mean_on * (1.0 - share) / share
    onsets, lengths = _renewal(rng, n / sfreq, mean_on, 0.5, mean_off, 0.0, limits=(2.0 * TREMOR_RAMP, 600.0))
    half = np.empty(onsets.size)
    for i, (onset, length) in enumerate(zip(onsets, lengths, strict=True)):
        ramp = min(TREMOR_RAMP, length)
        rb.place(gate, 0, round(onset * sfreq), _flat_top(length - ramp, ramp, sfreq))
        half[i] = onset + ramp / 2.0
    return np.clip(gate, 0.0, 1.0), (half, lengths)


def _colored(rng: np.random.Generator, shape: tuple[int, int], sfreq: float, psd, device: str = "cpu") -> np.ndarray:
    """Gaussian noise of one-sided PSD shape ``psd(f)`` (f > 0), unit SD per row; the draws on
    the host, the inverse FFT on ``device``."""
    n = shape[-1]
    freqs = np.fft.rfftfreq(n, 1.0 / sfreq)
    gain = np.zeros(freqs.size)
    gain[1:] = np.sqrt(psd(freqs[1:]))
    spectrum = rng.standard_normal((*shape[:-1], freqs.size)) + 1j * rng.standard_normal((*shape[:-1], freqs.size))
    if device == "cpu":
        x = np.fft.irfft(spectrum * gain, n=n)
    else:
        import torch  # available: checked by check_device

        shaped = torch.as_tensor(spectrum * gain, device=torch.device(torch_device(device)))
        x = torch.fft.irfft(shaped, n=n).cpu().numpy()
    return x / x.std(axis=-1, keepdims=True)


def _gamma(
    rng: np.random.Generator,
    n: int,
    sfreq: float,
    params: dict[str, Any],
    pac: float,
    beta_phase: np.ndarray,
    device: str = "cpu",
):
    """Gamma carrier (unit SD before modulation) with amplitude ``1 + m cos(beta phase)``."""
    low, high = params["gamma_band"]
    edge = min(GAMMA_EDGE, (high - low) / 4.0)

    def band(f):  # flat between low + edge and high - edge, raised-cosine edges
        rise = np.clip((f - low) / edge, 0.0, 1.0) * np.clip((high - f) / edge, 0.0, 1.0)
        return (0.5 - 0.5 * np.cos(np.pi * rise)) ** 2

    carrier = _colored(rng, (1, n), sfreq, band, device)[0]
    return carrier * (1.0 + pac * np.cos(beta_phase))


def _lfp(rng, params, beta, gamma, gate, tremor_phase, device="cpu") -> np.ndarray:
    n, sfreq = beta.size, params["sfreq"]
    background = params["lfp_amplitude"] * _colored(rng, (3, n), sfreq, lambda f: 1.0 / (LFP_KNEE + f**1.5), device)
    tremor = 0.5 * params["cortical_tremor"] * gate * np.cos(tremor_phase)
    return background + _LFP_BETA_WEIGHTS[:, None] * (beta + tremor) + params["gamma_amplitude"] * gamma


def _eeg(rng, params, beta, gamma, gate, tremor_phase, device="cpu") -> np.ndarray:
    n, sfreq = beta.size, params["sfreq"]

    def psd(f):  # 1/f with a mu rhythm at 10 Hz
        return 1.0 / np.maximum(f, 1.0) ** 1.5 + 0.05 * np.exp(-0.5 * ((f - 10.0) / 1.0) ** 2)

    background = params["eeg_amplitude"] * _colored(rng, (3, n), sfreq, psd, device)
    # M1 leads the EMG by CORTEX_MUSCLE_LEAD (Timmermann et al. 2003: 15-25 ms)
    lead = 2.0 * np.pi * params["tremor_freq"] * CORTEX_MUSCLE_LEAD
    # fundamental and double tremor frequency, both coherent with the EMG (Timmermann et al. 2003)
    drive = np.cos(tremor_phase + lead) + 0.5 * np.cos(2.0 * (tremor_phase + lead))
    tremor = params["cortical_tremor"] * gate * drive
    cortical = params["eeg_beta"] * _EEG_BETA_WEIGHTS[:, None] * beta + _EEG_TREMOR_WEIGHTS[:, None] * tremor
    return background + cortical + 0.5 * params["gamma_amplitude"] * gamma


def _acc(rng, cfg, gate, tremor_phase) -> np.ndarray:
    wave = np.sin(tremor_phase) + 0.2 * np.sin(2.0 * tremor_phase + 0.7)
    motion = cfg["tremor_amplitude"] / 1.2 * gate * wave
    return _ACC_DIRECTION[:, None] * motion + rng.normal(0.0, 0.005, (3, gate.size))


def _emg(rng, params, gate, tremor_phase, sfreq, device="cpu") -> np.ndarray:
    n = gate.size
    carrier = _colored(rng, (2, n), sfreq, lambda f: ((f >= 20.0) & (f <= 400.0)) * f / (1.0 + (f / 80.0) ** 2), device)
    drive = np.cos(tremor_phase)
    bursts = np.vstack([np.clip(drive, 0.0, None), np.clip(-drive, 0.0, None)]) ** 2  # antagonists alternate
    rms = params["emg_tone"] + params["emg_tremor"] * gate * bursts / np.sqrt(np.mean(np.clip(drive, 0, None) ** 4))
    return carrier * rms


def _dbs_artefact(dbs: dict[str, float], n: int, sfreq: float) -> np.ndarray:
    """Unit-peak biphasic pulse train at ``dbs['freq']`` as an amplifier samples it: the
    pulses are averaged exactly over each sample of a 40 kHz grid (no jitter from the
    grid), then low-passed and decimated to ``sfreq``."""
    from fractions import Fraction

    from scipy.signal import resample_poly

    ratio = Fraction(_DBS_RATE / sfreq).limit_denominator(1000)
    fine_rate = sfreq * float(ratio)
    edges = np.arange(int(np.ceil(n * ratio)) + 65) / fine_rate
    charge = _pulse_charge(edges, dbs["freq"], dbs["pulse_width"])
    fine = np.diff(charge) * fine_rate
    coarse = resample_poly(fine, ratio.denominator, ratio.numerator)[:n]
    return coarse / np.max(np.abs(coarse))


def _pulse_charge(t: np.ndarray, freq: float, width: float) -> np.ndarray:
    """Integral from 0 to ``t`` of the pulse train: -1 for ``width`` s, then +1/3 for
    ``3 width`` s, each period (charge-balanced, so the integral is periodic)."""
    tau = np.mod(t, 1.0 / freq)
    return np.where(tau < width, -tau, np.where(tau < 4 * width, -width + (tau - width) / 3.0, 0.0))


def _cropped(onsets: np.ndarray, lengths: np.ndarray, end: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Events cut to the record ``[0, end)``: onsets, durations and which were kept."""
    keep = (onsets < end) & (onsets + lengths > 0)
    start = np.maximum(onsets[keep], 0.0)
    return start, np.minimum(onsets[keep] + lengths[keep], end) - start, keep


def _events(record: int, state: str, bursts, episodes, cfg, params, end: float) -> pd.DataFrame:
    """Ground truth on the STN's clock (the cortex sees the bursts ``cortex_lead`` s earlier)."""
    onsets, lengths, peaks = bursts
    b_on, b_len, keep = _cropped(onsets, lengths, end)
    parts = [make_events(b_on, b_len, "beta_burst", record=record, extra={"amplitude": peaks[keep]})]
    e_on, e_len, _ = _cropped(*episodes, end)
    if e_on.size:
        amplitude = np.full(e_on.size, cfg["tremor_amplitude"])
        parts.append(make_events(e_on, e_len, "tremor", record=record, extra={"amplitude": amplitude}))
    parts.append(make_events([0.0], [end], f"medication_{state}", record=record, extra={"amplitude": [np.nan]}))
    if params["dbs"] is not None:
        parts.append(make_events([0.0], [end], "dbs", record=record, extra={"amplitude": [params["dbs"]["amplitude"]]}))
    return pd.concat(parts, ignore_index=True)
