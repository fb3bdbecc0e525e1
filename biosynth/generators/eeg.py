# SPDX-License-Identifier: BSD-3-Clause
"""Scalp EEG: aperiodic background, rhythms with bursts and states, artefacts and
epileptiform events, on a spherical-head forward model; seeded, streamable.

**Spectral model.** Each record is a sum of stationary Gaussian components drawn as
white noise through fixed FIR kernels (:mod:`biosynth.generators._eeg_model`):

- the aperiodic background with the PSD of specparam/FOOOF,
  :math:`P(f) = 10^{b} / (k + f^{\\chi})` (offset :math:`b`, knee :math:`k`, exponent
  :math:`\\chi`; Donoghue et al. 2020);
- rhythms, each a Gaussian band (centre ``freq``, full width at half maximum
  ``bandwidth``) whose peak lies ``height`` log10-power units above the aperiodic line
  (specparam's "PW") at the channel where it is strongest, while it is on. A rhythm is
  sustained or bursty: bursts are Hann-shaped (waxing and waning), with lognormal
  durations (coefficient of variation 0.4) and Poisson onsets, and they add where they
  overlap (shot noise). Each rhythm has a gain per state: the posterior alpha rhythm
  is ``alpha_reactivity`` times weaker in power with eyes open than closed (the Berger
  effect; Barry et al. 2007).

**Spatial model.** With ``spatial="sphere"`` each component is the scalp field of
``n_sources`` radial cortical dipoles in a four-layer spherical head
(:func:`biosynth.generators.forward.leadfield`), each driven by a spatially smoothed
(Gaussian kernel of SD :data:`SOURCE_SMOOTHING` = 3 cm) mix of independent generators; a
rhythm lives only on the generators of its region (:data:`REGIONS`: alpha posterior,
beta and spindles central, theta frontal midline). The channels of a component are
then a Gaussian process with channel covariance :math:`\\Sigma = G_r G_r^T`, drawn
as :math:`F w` with :math:`F F^T \\approx \\Sigma` from the eigen-directions that hold
99.9 % of the variance (about 18 white-noise rows for 64 channels): the statistics of
the dipole sum for a fraction of the work. Neighbouring electrodes then
correlate more than distant ones, and alpha is strongest at O1/O2/Pz. With
``spatial="uniform"`` every component has the covariance of independent channels
mixed with one common source (``spatial_correlation`` between any two channels) and
every rhythm is on every channel.

**Streaming.** Noise comes in fixed seeded blocks of absolute samples and every other
random quantity (bursts, artefacts, epileptiform events) is drawn per block too
(:mod:`biosynth.generators._random_blocks`), so a record can be generated in chunks of any
length that join without a seam (equal to float32 rounding; events exactly);
:func:`write_eeg` streams one record to NetCDF, Zarr or EDF/BDF with bounded memory.

**Jansen-Rit.** ``source_model="jansen_rit"`` drives the dipoles with coupled
Jansen-Rit neural masses (:func:`biosynth.generators.simulate_jansen_rit`, Numba on
the CPU, torch on a GPU) instead of the spectral model; those records are made whole
(not streamed), and the aperiodic and rhythm settings do not apply.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import warnings
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import xarray as xr

from biosynth._utils.backend import check_device
from biosynth._utils.check import check_int, check_number, check_option, check_positive, check_sfreq
from biosynth._utils.docs import fill_doc
from biosynth._utils.seeds import Seed, make_seed_sequence
from biosynth.generators import _eeg_model as em
from biosynth.generators import _random_blocks as rb
from biosynth.generators._checks import check_flags
from biosynth.generators._provenance import build_provenance

# Rhythm, REGIONS and MIN_BANDWIDTH are public names of this module, kept in the private
# module that ioecog shares
from biosynth.generators._rhythms import MIN_BANDWIDTH, REGIONS, Rhythm, as_rhythm, check_rhythm  # noqa: F401
from biosynth.generators.artefacts import ArtefactModel, check_artefacts
from biosynth.generators.epileptiform import EpileptiformModel, check_epileptiform
from biosynth.generators.forward import REFERENCES, leadfield, mastoid_rows, montage_positions, project_sources
from biosynth.generators.neural_mass import simulate_jansen_rit
from biosynth.signals import CHANNEL, make_signals, validate_signals
from biosynth.signals.events import empty_events
from biosynth.signals.stream import open_writer
from biosynth.signals.units import convert_units

logger = logging.getLogger(__name__)

DEFAULT_CHANNELS = ("Fz", "Cz", "Pz", "Oz")
SPATIAL_MODES = ("uniform", "sphere")
SOURCE_MODELS = ("spectral", "jansen_rit")
#: Default number of cortical dipoles for ``spatial="sphere"``.
DEFAULT_N_SOURCES = 500
#: Default number of Jansen-Rit columns (each is integrated, so fewer than dipoles).
DEFAULT_N_COLUMNS = 100
#: SD (m) of the Gaussian kernel that mixes neighbouring generators into each source.
SOURCE_SMOOTHING = 0.03
#: Generators whose outward direction from the head-sphere centre has a y (anterior)
#: component below this carry the alpha peak: about 17 degrees or more behind the
#: coronal plane through the centre, i.e. parietal and occipital cortex (Pz, P3/P4,
#: O1/O2 lie at -0.56 to -0.94; Cz at +0.13).
ALPHA_POSTERIOR_Y = -0.3
#: Highest sampling rate (Hz): scalp and intracranial recorders stay below it, and the
#: 8-s background kernel stays under 200,000 taps.
MAX_SFREQ = 25_000.0
#: Largest ``amplitude`` (V): 10 mV, far above scalp EEG (a value in uV meant as V
#: is caught).
MAX_AMPLITUDE = 1e-2
#: Recording states; rhythms carry a gain per state (see :class:`Rhythm`).
STATES = ("eyes_closed", "eyes_open")


#: Resting-state rhythms added to the alpha rhythm by default: sensorimotor beta bursts
#: (about 150-250 ms, about one per second; Shin et al. 2017, Little et al. 2019) and
#: frontal-midline theta bursts (Mitchell et al. 2008).
DEFAULT_RHYTHMS = (
    Rhythm("beta", 20.0, 6.0, 1.2, "central", burst_duration=0.2, burst_rate=60.0),
    Rhythm("theta", 6.0, 2.0, 1.0, "frontal_midline", burst_duration=1.0, burst_rate=6.0),
)
#: Sleep spindles of stage N2: 11-16 Hz, 0.5-2 s, a few per minute, centro-parietal
#: (AASM manual; De Gennaro & Ferrara 2003). Pass ``rhythms=(SLEEP_SPINDLES,)``.
SLEEP_SPINDLES = Rhythm("spindle", 13.0, 2.0, 1.0, "central", burst_duration=1.0, burst_rate=5.0)

_F = TypeVar("_F", bound=Callable[..., Any])


def _chunk_size_removed(func: _F) -> _F:
    """Accept (and ignore) simulate_eeg's old ``chunk_size`` keyword with a FutureWarning."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if "chunk_size" in kwargs:
            kwargs.pop("chunk_size")
            warnings.warn(
                f"{func.__name__}(chunk_size=...) has no effect and was removed in biosynth 0.2 (records are "
                "rendered one at a time, in chunks of samples, so memory is bounded anyway); drop it: it stops "
                "being accepted in 0.3.",
                FutureWarning,
                stacklevel=2,
            )
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@_chunk_size_removed
@fill_doc
def simulate_eeg(
    duration: float,
    sfreq: float,
    *,
    n_records: int | None = None,
    ch_names: Sequence[str] = DEFAULT_CHANNELS,
    aperiodic_exponent: float = 1.5,
    aperiodic_knee: float = 0.0,
    aperiodic_offset: float | None = None,
    alpha_freq: float = 10.0,
    alpha_bandwidth: float = 2.0,
    alpha_height: float = 1.0,
    alpha_reactivity: float = 2.0,
    rhythms: Sequence[Rhythm | Mapping[str, Any]] | None = None,
    states: str | Sequence[tuple[str, float]] = "eyes_closed",
    amplitude: float | None = None,
    spatial_correlation: float = 0.3,
    spatial: str = "uniform",
    n_sources: int | None = None,
    reference: str | None = "average",
    source_model: str = "spectral",
    artefacts: Mapping[str, Any] | None = None,
    epileptiform: Mapping[str, Any] | None = None,
    first_record: int = 0,
    seed: Seed = None,
    device: str = "cpu",
    progress: bool = False,
    return_events: bool = False,
) -> xr.DataArray | tuple[xr.DataArray, pd.DataFrame]:
    """Simulate scalp EEG: aperiodic background, rhythms, states, artefacts, epileptiform events.

    Parameters
    ----------
    %(duration)s
    %(sfreq)s
    %(n_records)s
    ch_names : sequence of str
        Channel names; with ``spatial="sphere"`` (or artefacts, or epileptiform
        events) names of the standard 10-20/10-10 montage, matched ignoring case (the
        montage's spelling is returned).
    aperiodic_exponent : float
        Exponent :math:`\\chi` of the background :math:`1/(k + f^{\\chi})`, in [0, 4].
    aperiodic_knee : float
        Knee :math:`k` of the background, in Hz**chi (>= 0; 0 is a straight line in
        log-log axes): specparam's knee parameter, not a frequency. The knee
        frequency is :math:`k^{1/\\chi}` Hz, which
        :func:`biosynth.generators.simulate_ioecog` takes instead, as
        ``aperiodic_knee_freq``.
    aperiodic_offset : float | None
        Offset :math:`b`: the median channel's background PSD is
        :math:`10^b / (k + f^{\\chi})` in V**2/Hz (e.g. -11 is 10 uV**2/Hz at 1 Hz).
        Exclusive with ``amplitude``.
    alpha_freq : float
        Alpha peak frequency, in Hz; must lie below Nyquist.
    alpha_bandwidth : float
        Full width at half maximum of the alpha peak, in Hz.
    alpha_height : float
        Alpha peak height above the aperiodic line with eyes closed, in log10 power
        (0 means no alpha). Alpha is sustained and posterior.
    alpha_reactivity : float
        Eyes-closed over eyes-open alpha power ratio, >= 1.
    rhythms : sequence of Rhythm or mapping | None
        Further rhythms (:class:`Rhythm`, or mappings of its fields); None means
        :data:`DEFAULT_RHYTHMS` (beta and theta bursts), ``()`` none.
    states : str or sequence of (str, float)
        ``"eyes_closed"`` or ``"eyes_open"`` throughout, or blocks ``[(state,
        seconds), ...]`` repeated to fill each record (e.g. ``[("eyes_closed", 30),
        ("eyes_open", 30)]``). Each block is an event of its state's name.
    amplitude : float | None
        Expected standard deviation of the median channel, in V, counting the
        background and the rhythms (with their states and bursts), not artefacts or
        epileptiform events; None means 20 uV unless ``aperiodic_offset`` is set.
        With ``source_model="jansen_rit"`` each record's median channel SD is scaled
        to it exactly.
    spatial_correlation : float
        Correlation between any two channels, in [0, 1) (``"uniform"`` only).
    spatial : {"uniform", "sphere"}
        Spatial model (see the module notes).
    n_sources : int | None
        Cortical dipoles for ``"sphere"``; None means :data:`DEFAULT_N_SOURCES` (500),
        or :data:`DEFAULT_N_COLUMNS` (100) with ``source_model="jansen_rit"``.
    reference : {"average", "linked_mastoids", None}
        Reference for ``"sphere"`` (:func:`biosynth.generators.forward.project_sources`).
        ``"uniform"`` has no reference: any value but the default is an error there.
    source_model : {"spectral", "jansen_rit"}
        What drives the dipoles (``"jansen_rit"`` needs ``spatial="sphere"``).
    artefacts : mapping | None
        Artefacts to add, kind -> parameters (see
        :func:`biosynth.generators.artefacts.check_artefacts`): blinks, saccades,
        muscle, line noise, electrode pops and drifts. Blinks and saccades happen
        only with eyes open.
    epileptiform : mapping | None
        Epileptiform events to add, kind -> parameters (see
        :func:`biosynth.generators.epileptiform.check_epileptiform`): spikes, sharp
        waves, spike-and-wave discharges and focal seizures on named channels, spread
        to neighbouring electrodes by distance (Gaussian, SD 3 cm).
    %(first_record)s
    %(seed)s
    %(device)s
    %(progress)s
    return_events : bool, default=False
        Also return the ground-truth events table (``record, channel, onset,
        duration, type``, onsets in seconds): state blocks, rhythm bursts, artefacts
        and epileptiform events.

    Returns
    -------
    eeg : DataArray, dims ("channel", "time") or ("record", "channel", "time")
        Voltage in V; ``time`` in seconds from 0.
    events : DataFrame
        Only with ``return_events=True``: columns ``record, channel, onset,
        duration, type`` (s; channel "" for events of all channels).

    Notes
    -----
    Each record is rendered alone, in chunks of
    :data:`biosynth.generators._eeg_model.RENDER_CHUNK` samples, so the working memory
    beyond the output is bounded. The former ``chunk_size`` keyword had no effect; it
    is accepted with a FutureWarning until 0.3.

    Examples
    --------
    >>> simulate_eeg(2.0, 256.0, seed=0).dims
    ('channel', 'time')
    >>> eeg, events = simulate_eeg(4.0, 256.0, states=[("eyes_closed", 2), ("eyes_open", 2)],
    ...                            seed=0, return_events=True)
    >>> events[events["type"].str.startswith("eyes")]["type"].tolist()
    ['eyes_closed', 'eyes_open']
    """
    params = check_eeg_params(locals())
    check_flags(progress=progress, return_events=return_events)
    device = check_device(device)
    root = make_seed_sequence(seed)
    model = build_model(params, device)
    indices = np.arange(params["first_record"], params["first_record"] + (n_records or 1))
    data, events = em.render_records(model, root, indices, desc="simulate_eeg", progress=progress)
    eeg = make_signals(
        data if n_records is not None else data[0],
        params["sfreq"],
        ch_names=model.ch_names,
        units="V",
        modality="eeg",
        provenance=build_provenance(GENERATOR, params, root),
        record_names=indices if n_records is not None else None,
        check_finite=False,  # finite by construction: bounded parameters, float32 sums of finite draws
    )
    return (eeg, events) if return_events else eeg


#: The generator name stored in the provenance (also of :func:`write_eeg`'s files).
GENERATOR = "biosynth.generators.simulate_eeg"


@fill_doc
def write_eeg(
    path: Any,
    duration: float,
    sfreq: float,
    *,
    record: int = 0,
    chunk_duration: float = 60.0,
    physical_range: tuple[float, float] | None = None,
    overwrite: bool = False,
    progress: bool = True,
    **kwargs: Any,
) -> pd.DataFrame:
    """Generate one long EEG record straight to a file, chunk by chunk, in bounded memory.

    Parameters
    ----------
    path : str or Path
        Output file: ``.nc`` (NetCDF), ``.zarr`` or ``.edf``/``.bdf``.
    %(duration)s
    %(sfreq)s
    record : int, default=0
        Record index (the data equal record ``record`` of :func:`simulate_eeg` with
        the same settings and seed).
    chunk_duration : float, default=60.0
        Seconds generated and written at once; memory is about
        ``n_channels * chunk_duration * sfreq`` samples per component. The data do not
        depend on it.
    physical_range : (float, float) or None, default=None
        EDF/BDF only: the fixed physical range in V (samples beyond are clipped and
        counted); None takes +-(20 x the expected channel SD + 1 mV).
    %(overwrite)s
    progress : bool, default=True
        Show a progress bar (tqdm) over chunks.
    **kwargs
        Any keyword of :func:`simulate_eeg` but ``n_records``, ``first_record``,
        ``chunk_size`` and ``return_events`` (``source_model="jansen_rit"`` is not
        streamable).

    Returns
    -------
    events : DataFrame
        The record's ground-truth events (also written to the file).
    """
    from tqdm.auto import tqdm

    for name in ("n_records", "first_record", "chunk_size", "return_events"):
        if name in kwargs:
            raise TypeError(f"write_eeg makes one record: {name} does not apply (use record=...).")
    params = check_eeg_params({"duration": duration, "sfreq": sfreq, **_defaults(), **kwargs})
    if params["source_model"] == "jansen_rit":
        raise ValueError(
            "source_model='jansen_rit' integrates whole records; write_eeg streams the spectral model only."
        )
    record = check_int("record", record, low=0)
    step = max(round(check_positive("chunk_duration", chunk_duration, unit="s") * params["sfreq"]), 1)
    root = make_seed_sequence(kwargs.get("seed"))
    model = build_model(params, check_device(kwargs.get("device", "cpu")))
    if Path(path).suffix.lower() in (".edf", ".bdf") and physical_range is None:
        bound = 20.0 * model.expected_sd + 1e-3
        physical_range = (-bound, bound)
    tables = em.EventBuffer()
    options = {"ch_names": model.ch_names, "sfreq": params["sfreq"], "n_times": model.n_times}
    options |= {"units": "V", "modality": "eeg", "provenance": build_provenance(GENERATOR, params, root, record=record)}
    if physical_range is not None:
        options["physical_range"] = physical_range
    with open_writer(path, overwrite=overwrite, **options) as writer:
        for start in tqdm(range(0, model.n_times, step), desc="write_eeg", unit="chunk", disable=not progress):
            chunk = em.EventBuffer()
            block = model.render(root, record, start, min(start + step, model.n_times), chunk)
            events = chunk.to_frame()
            writer.add_events(events.assign(record=0))
            writer.write(block.astype(np.float64))
            tables.add_frame(events)
    return tables.to_frame()


def _defaults() -> dict[str, Any]:
    """simulate_eeg's keyword defaults (for write_eeg)."""
    sig = inspect.signature(simulate_eeg)
    return {k: p.default for k, p in sig.parameters.items() if p.default is not inspect.Parameter.empty}


# --- checks -------------------------------------------------------------------------


def check_eeg_params(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate :func:`simulate_eeg`'s keywords; return the JSON-able generation parameters."""
    sfreq = check_sfreq("sfreq", values["sfreq"])
    if sfreq > MAX_SFREQ:
        raise ValueError(f"sfreq must be at most {MAX_SFREQ:g} Hz for EEG, got {sfreq:g}.")
    duration = check_positive("duration", values["duration"], unit="s")
    if duration * sfreq < 2:
        raise ValueError(f"duration={duration:g} s gives fewer than 2 samples at sfreq={sfreq:g} Hz.")
    ch_names = values["ch_names"]
    if isinstance(ch_names, str) or len(ch_names) < 1:
        raise ValueError(f"ch_names must be a non-empty sequence of channel names, got {ch_names!r}.")
    n_records = values.get("n_records")
    params = {
        "duration": duration,
        "sfreq": sfreq,
        "n_records": None if n_records is None else check_int("n_records", n_records, low=1),
        "ch_names": [str(c) for c in ch_names],
        "first_record": check_int("first_record", values.get("first_record", 0), low=0),
    }
    params |= _check_spectrum(values, sfreq)
    params |= _check_spatial(values, params["ch_names"])
    params["states"] = _check_states(values["states"])
    if params["source_model"] == "jansen_rit" and params["aperiodic_offset"] is not None:
        raise ValueError(
            "aperiodic_offset applies to the spectral model; with source_model='jansen_rit' use amplitude."
        )
    params["artefacts"], params["epileptiform"] = _check_additions(values, params)
    unknown = set(values) - set(_defaults()) - {"duration", "sfreq"}
    if unknown:
        raise TypeError(f"unexpected keyword(s) {sorted(unknown)}; expected keywords of simulate_eeg.")
    return params


def _check_spectrum(values: Mapping[str, Any], sfreq: float) -> dict[str, Any]:
    nyquist = sfreq / 2
    offset, amplitude = values.get("aperiodic_offset"), values.get("amplitude")
    if offset is not None and amplitude is not None:
        raise ValueError("give aperiodic_offset or amplitude, not both: each sets the scale of the EEG.")
    alpha = Rhythm(
        "alpha",
        values["alpha_freq"],
        values["alpha_bandwidth"],
        values["alpha_height"],
        "posterior",
        reactivity=values["alpha_reactivity"],
    )
    rhythms = DEFAULT_RHYTHMS if values.get("rhythms") is None else values["rhythms"]
    if values.get("rhythms") is None:
        too_fast = [r.name for r in DEFAULT_RHYTHMS if r.freq + r.bandwidth >= nyquist]
        if too_fast:
            raise ValueError(
                f"the default rhythms {too_fast} need sfreq above {2 * max(r.freq + r.bandwidth for r in rhythms):g} "
                f"Hz, got {sfreq:g}; pass rhythms=() (CLI --rhythms none) or rhythms of your own."
            )
    if isinstance(rhythms, (str, Mapping, Rhythm)):
        raise TypeError(f"rhythms must be a sequence of Rhythm or mappings, got {type(rhythms).__name__}.")
    checked = [check_rhythm(alpha, nyquist, "alpha_")] + [
        check_rhythm(as_rhythm(r, i), nyquist, f"rhythms[{i}].") for i, r in enumerate(rhythms)
    ]
    names = [r["name"] for r in checked]
    if len(set(names)) != len(names):
        raise ValueError(f"rhythm names must be unique, got {names}.")
    return {
        "aperiodic_exponent": check_number("aperiodic_exponent", values["aperiodic_exponent"], low=0.0, high=4.0),
        "aperiodic_knee": check_number("aperiodic_knee", values["aperiodic_knee"], low=0.0),
        "aperiodic_offset": None if offset is None else check_number("aperiodic_offset", offset, low=-30, high=10),
        "amplitude": None
        if amplitude is None
        else check_number("amplitude", amplitude, low=0.0, high=MAX_AMPLITUDE, low_inclusive=False, unit="V"),
        "rhythms": checked,
    }


def _check_spatial(values: Mapping[str, Any], ch_names: list[str]) -> dict[str, Any]:
    """Validate the spatial-model keywords; "sphere" maps ch_names to montage names."""
    spatial, n_sources, reference = values["spatial"], values.get("n_sources"), values["reference"]
    model = check_option("source_model", values.get("source_model", "spectral"), SOURCE_MODELS)
    spatial = check_option("spatial", spatial, SPATIAL_MODES)
    corr = check_number("spatial_correlation", values["spatial_correlation"], low=0.0, high=1.0, high_inclusive=False)
    if spatial == "uniform":
        for name, value, default in (("n_sources", n_sources, None), ("reference", reference, "average")):
            if value != default:
                raise ValueError(f"{name} applies only to spatial='sphere', got {name}={value!r} with 'uniform'.")
        if model != "spectral":
            raise ValueError(f"source_model={model!r} needs spatial='sphere' (dipoles to drive).")
        return {"spatial": "uniform", "spatial_correlation": corr, "source_model": model}
    default = DEFAULT_N_SOURCES if model == "spectral" else DEFAULT_N_COLUMNS
    n_sources = default if n_sources is None else check_int("n_sources", n_sources, low=1)
    reference = check_option("reference", reference, REFERENCES)
    names, _ = montage_positions(ch_names)  # clear error for names not in the montage
    if reference == "average" and len(names) < 2:
        raise ValueError("reference='average' needs at least 2 channels (one channel would be flat zero).")
    return {"spatial": "sphere", "n_sources": n_sources, "reference": reference, "ch_names": names} | {
        "source_model": model
    }


def _check_states(states: Any) -> list[list[Any]]:
    if isinstance(states, str):
        return [[check_option("states", states, STATES), None]]
    blocks = list(states)
    if not blocks:
        raise ValueError("states must be a state name or a non-empty sequence of (state, seconds) blocks.")
    out = []
    for i, block in enumerate(blocks):
        if isinstance(block, str) or len(block) != 2:
            raise ValueError(f"states[{i}] must be a (state, seconds) pair, got {block!r}.")
        seconds = check_number(f"states[{i}][1]", block[1], low=2 * em.STATE_TRANSITION_S, unit="s")
        out.append([check_option(f"states[{i}][0]", block[0], STATES), seconds])
    return out


def _check_additions(values: Mapping[str, Any], params: dict[str, Any]) -> tuple[Any, Any]:
    artefacts, epileptiform = values.get("artefacts"), values.get("epileptiform")
    if artefacts:
        artefacts = check_artefacts(artefacts, sfreq=params["sfreq"])
        _check_eyes_open(artefacts, params["states"])
    if (artefacts or epileptiform) and params["spatial"] == "uniform":
        params["ch_names"], _ = montage_positions(params["ch_names"])  # positions needed: montage names
    if epileptiform:
        spelled = _montage_spelling(epileptiform, params["ch_names"])
        epileptiform = check_epileptiform(spelled, params["ch_names"])
    return artefacts or None, epileptiform or None


def _montage_spelling(spec: Mapping[str, Any], ch_names: list[str]) -> dict[str, Any]:
    """The spec with its channel names spelled as in ``ch_names`` (matched ignoring case)."""
    lookup = {name.lower(): name for name in ch_names}

    def spell(value: Any) -> Any:
        if isinstance(value, str):
            return lookup.get(value.lower(), value)
        if isinstance(value, (list, tuple)):
            return [spell(v) for v in value]
        return value

    out: dict[str, Any] = {}
    for kind, options in spec.items():
        if isinstance(options, Mapping):
            options = {k: spell(v) if k in ("channels", "propagation") else v for k, v in options.items()}
        out[kind] = options
    return out


def _check_eyes_open(artefacts: dict[str, Any], states: list[list[Any]]) -> None:
    ocular = sorted({"blink", "saccade"} & set(artefacts))
    if ocular and all(name == "eyes_closed" for name, _ in states):
        raise ValueError(
            f"artefacts {ocular} happen with eyes open, but states={states[0][0]!r} throughout; "
            "pass states='eyes_open' or eyes-open blocks."
        )


# --- the model ----------------------------------------------------------------------


def build_model(params: dict[str, Any], device: str = "cpu") -> em.EEGModel:
    """The fixed part of a batch: component kernels and mixings, states and additions."""
    sfreq, n_times = params["sfreq"], round(params["duration"] * params["sfreq"])
    states = _state_cycle(params["states"])
    reference = _reference_rows(params)
    extras: list[Any] = []
    if params["source_model"] == "jansen_rit":
        extras.append(_JansenRitSource(params, device))
        components, expected_sd = [], params["amplitude"] or 20e-6
    else:
        batch_only = ("n_records", "first_record", "artefacts", "epileptiform")
        key = json.dumps({k: v for k, v in params.items() if k not in batch_only}, sort_keys=True)
        components, expected_sd = _cached_components(key)
    extras.extend(_additions(params, states))
    ch_names = list(params["ch_names"])
    return em.EEGModel(sfreq, n_times, ch_names, components, states, extras, device, reference, expected_sd)


def _reference_rows(params: dict[str, Any]) -> Any:
    """The reference the model applies to what it adds: None, "average" or the rows of
    the two mastoids (``spatial="sphere"`` only; the brain part is referenced already)."""
    if params["spatial"] != "sphere" or params["reference"] is None:
        return None
    if params["reference"] == "average":
        return "average"
    return mastoid_rows(params["ch_names"])


@lru_cache(maxsize=16)
def _cached_components(key: str) -> tuple[list[em.Component], float]:
    """:func:`_components` for JSON-encoded parameters, cached: a batch split into many
    calls (chunks, workers) builds its kernels and covariance factors once. The arrays
    are read-only: models share them."""
    params = json.loads(key)
    components, expected_sd = _components(params, _state_cycle(params["states"]))
    for comp in components:
        comp.kernel.flags.writeable = False
        comp.mixing.flags.writeable = False
    return components, expected_sd


def _state_cycle(blocks: list[list[Any]]) -> em.StateCycle:
    if blocks[0][1] is None:
        return em.StateCycle((blocks[0][0],), (np.inf,))
    return em.StateCycle(tuple(b[0] for b in blocks), tuple(float(b[1]) for b in blocks))


def _components(params: dict[str, Any], states: em.StateCycle) -> tuple[list[em.Component], float]:
    """Components scaled so the median channel has the requested SD (or offset)."""
    sfreq, duration = params["sfreq"], params["duration"]
    n_times = round(duration * sfreq)
    covs = _covariances(params)
    cov_ap = covs["aperiodic"]
    shape = em.aperiodic_shape(params["aperiodic_exponent"], params["aperiodic_knee"])
    kernel = rb.fir_from_psd(shape, sfreq, int(em.APERIODIC_KERNEL_S * sfreq))
    norm = float(np.median(np.diag(cov_ap)))
    comps = [em.Component("aperiodic", 0, kernel, em.covariance_factor(cov_ap / norm))]
    for i, rhythm in enumerate(params["rhythms"]):
        if rhythm["height"] == 0:
            continue  # no component; the stream ids of the others stay the same
        cov = covs[rhythm["region"]] / norm
        comps.append(em.rhythm_component(rhythm, i + 1, cov, np.diag(cov_ap) / norm, shape, sfreq))
        comps[-1].gains = {"eyes_open": 1.0 / np.sqrt(rhythm["reactivity"])} if rhythm["reactivity"] != 1 else {}
    variance = np.zeros(len(params["ch_names"]))
    for comp in comps:
        power = comp.envelope_power() * (states.mean_square(comp.gains, duration) if comp.gains else 1.0)
        variance += np.sum(comp.mixing**2, axis=1) * em.record_variance(comp.kernel, n_times) * power
    if params["aperiodic_offset"] is not None:
        scale = np.sqrt(10.0 ** params["aperiodic_offset"])
    else:
        scale = (params["amplitude"] or 20e-6) / np.sqrt(np.median(variance))
    for comp in comps:
        comp.mixing *= scale
    return comps, float(scale * np.sqrt(np.median(variance)))


def _covariances(params: dict[str, Any]) -> dict[str, np.ndarray]:
    """Channel covariance of unit-variance generators, for the background and each region."""
    regions = {"aperiodic"} | {r["region"] for r in params["rhythms"]}
    n = len(params["ch_names"])
    if params["spatial"] == "uniform":
        rho = params["spatial_correlation"]
        cov = (1.0 - rho) * np.eye(n) + rho * np.ones((n, n))
        return dict.fromkeys(regions, cov)
    mixing, directions = _sphere_mixing(params)
    masks = _region_masks(directions)
    out = {}
    for region in regions:
        part = mixing if region in ("aperiodic", "all") else mixing[:, masks[region]]
        out[region] = part @ part.T
    return out


def _region_masks(nn: np.ndarray) -> dict[str, np.ndarray]:
    x, y, z = nn.T
    return {
        "posterior": y < ALPHA_POSTERIOR_Y,
        "central": (np.abs(y) < 0.3) & (z > 0.4),
        "frontal_midline": (y > 0.3) & (np.abs(x) < 0.35),
    }


def _sphere_mixing(params: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Referenced generator-to-channel mixing (n_channels, n_generators) and the
    generators' unit outward directions."""
    gain, rr, nn = leadfield(params["ch_names"], n_sources=params["n_sources"], seed=None)
    dist2 = np.sum((rr[:, None, :] - rr[None, :, :]) ** 2, axis=-1)
    kernel = np.exp(-dist2 / (2.0 * SOURCE_SMOOTHING**2))
    kernel /= np.sqrt(np.sum(kernel**2, axis=1, keepdims=True))  # unit-energy rows: equal source variance
    effective = project_sources(kernel.T, gain, reference=params["reference"], ch_names=params["ch_names"])
    return effective, nn


class _JansenRitSource:
    """Whole records of Jansen-Rit columns projected to the scalp (not streamable)."""

    def __init__(self, params: dict[str, Any], device: str) -> None:
        self.params, self.device = params, device
        self.mixing, _ = _sphere_mixing(params)
        self.n_times = round(params["duration"] * params["sfreq"])

    def render(self, root, record: int, start: int, stop: int) -> tuple[np.ndarray, pd.DataFrame]:
        if (start, stop) != (0, self.n_times):
            raise ValueError("source_model='jansen_rit' renders whole records only (it is not streamable).")
        p = self.params
        columns = simulate_jansen_rit(
            p["duration"], p["sfreq"], n_records=1, n_sources=p["n_sources"], coupling=0.1,
            first_record=record, seed=root, device=self.device,
        )  # fmt: skip
        columns = np.asarray(columns)[0]  # the values, whether a container or a bare array
        columns = columns - columns.mean(axis=-1, keepdims=True)
        scalp = self.mixing @ columns
        median_sd = float(np.median(scalp.std(axis=-1)))
        if not median_sd > 0:
            raise ValueError("the referenced channels are flat (median SD 0); use more channels or another reference.")
        return scalp * ((p["amplitude"] or 20e-6) / median_sd), empty_events()


def _additions(params: dict[str, Any], states: em.StateCycle) -> list[Any]:
    """Artefact and epileptiform models (each renders chunks and their events)."""
    if not (params["artefacts"] or params["epileptiform"]):
        return []
    _, positions = montage_positions(params["ch_names"])
    out: list[Any] = []
    if params["artefacts"]:
        gate = _eyes_open_gate(states, params["sfreq"])
        artefacts = ArtefactModel(params["ch_names"], positions, params["sfreq"], params["artefacts"])
        out.append(em.Addition(artefacts, params["duration"], gate=gate))
    if params["epileptiform"]:
        weights = _focal_weights(params["epileptiform"], params["ch_names"], positions)
        model = EpileptiformModel(params["ch_names"], params["sfreq"], params["epileptiform"], weights=weights)
        out.append(em.Addition(model, params["duration"], n_times=round(params["duration"] * params["sfreq"])))
    return out


#: SD (m) of the Gaussian fall-off of focal epileptiform events around their channels.
FOCAL_SPREAD = 0.03


def _focal_weights(spec: dict[str, Any], ch_names: list[str], positions: np.ndarray) -> dict[str, np.ndarray]:
    """Per kind, a channel weight falling off with distance (Gaussian, SD
    :data:`FOCAL_SPREAD`) from the named and recruited channels, never below the
    kind's ``spread``."""
    weights = {}
    for kind, options in spec.items():
        named = list(options.get("channels") or []) + _flatten(options.get("propagation") or [])
        focus = [ch_names.index(c) for c in named]
        if not focus:
            continue
        dist = np.linalg.norm(positions[:, None, :] - positions[None, focus, :], axis=-1).min(axis=1)
        weights[kind] = np.maximum(np.exp(-(dist**2) / (2.0 * FOCAL_SPREAD**2)), options.get("spread", 0.0))
    return weights


def _flatten(steps: Sequence[Any]) -> list[str]:
    """Channel names of propagation steps (each a name or a list of names)."""
    return [c for step in steps for c in ([step] if isinstance(step, str) else step)]


def _eyes_open_gate(states: em.StateCycle, sfreq: float):
    open_index = [i for i, n in enumerate(states.names) if n == "eyes_open"]

    def gate(samples: np.ndarray) -> np.ndarray:
        idx, _ = states.index(np.asarray(samples) / sfreq)
        return np.isin(idx, open_index).astype(float)

    return gate


def rhythm_topography(
    ch_names: Sequence[str], region: str, *, reference: str | None = "average", n_sources: int | None = None
) -> np.ndarray:
    """Relative power of a rhythm of ``region`` across channels (``spatial="sphere"``).

    Parameters
    ----------
    ch_names : sequence of str
        Channels (standard 10-20/10-10 names).
    region : str
        One of :data:`REGIONS`.
    reference : {"average", "linked_mastoids", None}
        Reference, as in :func:`simulate_eeg`.
    n_sources : int | None
        Cortical dipoles (None: :data:`DEFAULT_N_SOURCES`).

    Returns
    -------
    relative : ndarray, shape (n_channels,)
        Rhythm power over background power at each channel, divided by its maximum: a
        rhythm of ``height`` h has the peak ``log10(1 + (10**h - 1) * relative)`` above
        the background at each channel. Use it to turn a channel-mean peak height into
        simulate_eeg's ``alpha_height`` (defined at the strongest channel).

    Examples
    --------
    >>> rel = rhythm_topography(["Fz", "Cz", "Pz", "Oz"], "posterior")
    >>> bool(rel[3] == 1.0 and rel[0] < rel[3])
    True
    """
    values = {"ch_names": ch_names, "spatial": "sphere", "reference": reference, "n_sources": n_sources}
    params = check_eeg_params({**_defaults(), "duration": 1.0, "sfreq": 100.0, **values, "alpha_height": 0.0})
    params["rhythms"] = [{"region": check_option("region", region, REGIONS)}]
    covs = _covariances(params)
    ratio = np.diag(covs[region]) / np.diag(covs["aperiodic"])
    if not ratio.max() > 0:
        raise ValueError(f"region {region!r} reaches none of the channels {list(params['ch_names'])}.")
    return ratio / ratio.max()


def match_recording(real: xr.DataArray) -> dict[str, Any]:
    """Generator settings that match a real recording's layout and scale.

    Parameters
    ----------
    real : DataArray
        biosynth container of the real recording (any volt unit).

    Returns
    -------
    settings : dict
        ``sfreq`` (Hz), ``ch_names``, ``amplitude`` (median channel standard
        deviation, in V), ``spatial_correlation`` (mean off-diagonal channel
        correlation, clipped to [0, 0.95]) and, from the mean Welch spectrum (4-s
        Hann segments, or the record if shorter), ``aperiodic_exponent`` (least-squares
        slope of log10 power against log10 frequency over 2-7 Hz and 14-35 Hz, capped
        at 0.45 ``sfreq``; clipped to [0, 4]), ``alpha_freq`` (the largest bin of
        7-14 Hz above that line) and ``alpha_height`` (its height above the line, in
        log10 power, clipped to [0, 4]): ready to pass to :func:`simulate_eeg` with
        ``spatial="uniform"`` (every channel then carries the alpha of the mean
        spectrum).
    """
    validate_signals(real, "real")
    volts = convert_units(real, "V")
    rows = volts.values.reshape(-1, volts.sizes[CHANNEL], volts.sizes["time"])
    spread = rows.std(axis=-1)
    moving = (spread > 1e-9 * np.median(spread)).any(axis=0)  # relative: unit conversion leaves rounding
    if not moving.all():
        flat = [str(c) for c, m in zip(volts[CHANNEL].values, moving, strict=True) if not m]
        raise ValueError(f"real has flat (constant) channels {flat[:5]}; drop them before matching a recording.")
    amplitude = float(np.median(spread))
    n_channels = rows.shape[1]
    mean_corr = 0.0
    if n_channels > 1:
        with np.errstate(invalid="ignore", divide="ignore"):  # a channel flat in one record: NaN, skipped
            corr = np.mean([np.corrcoef(rec) for rec in rows], axis=0)
        mean_corr = float(np.nanmean(corr[~np.eye(n_channels, dtype=bool)]))
    return {
        "sfreq": float(real.attrs["sfreq"]),
        "ch_names": list(map(str, real[CHANNEL].values)),
        "amplitude": amplitude,
        "spatial_correlation": float(np.clip(mean_corr, 0.0, 0.95)),
    } | _spectral_settings(rows, float(real.attrs["sfreq"]))


def _spectral_settings(rows: np.ndarray, sfreq: float) -> dict[str, float]:
    """Aperiodic exponent and alpha peak of the mean spectrum of ``rows`` (see match_recording)."""
    from scipy.signal import welch

    nperseg = min(rows.shape[-1], round(4 * sfreq))
    freqs, psd = welch(rows, sfreq, nperseg=nperseg)
    mean = psd.reshape(-1, freqs.size).mean(axis=0)
    top = min(35.0, 0.45 * sfreq)
    fit = ((freqs >= 2.0) & (freqs <= 7.0)) | ((freqs >= 14.0) & (freqs <= top))
    if fit.sum() < 3 or not (mean[fit] > 0).all():
        return {}  # too short or too band-limited to fit: keep simulate_eeg's defaults
    slope, intercept = np.polyfit(np.log10(freqs[fit]), np.log10(mean[fit]), 1)
    alpha = (freqs >= 7.0) & (freqs <= 14.0) & (freqs < 0.45 * sfreq)
    if not alpha.any():
        return {"aperiodic_exponent": float(np.clip(-slope, 0.0, 4.0))}
    excess = np.log10(mean[alpha]) - (intercept + slope * np.log10(freqs[alpha]))
    peak = int(np.argmax(excess))
    return {
        "aperiodic_exponent": float(np.clip(-slope, 0.0, 4.0)),
        "alpha_freq": float(freqs[alpha][peak]),
        "alpha_height": float(np.clip(excess[peak], 0.0, 4.0)),
    }
