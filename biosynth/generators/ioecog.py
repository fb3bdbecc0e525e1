# SPDX-License-Identifier: BSD-3-Clause
"""Intraoperative ECoG (ioECoG) on subdural grids and strips, with labelled epileptiform events.

A record is the scalp-EEG spectral model of :mod:`biosynth.generators._eeg_model` laid
on an electrode layout (:mod:`biosynth.signals.layouts`) and sampled at 1-5 kHz:

**Background.** The aperiodic PSD :math:`P(f) = 1 / (k + f^{\\chi})` with a steeper
exponent than scalp EEG (ECoG above the knee falls as :math:`f^{-2}` to
:math:`f^{-4}`, Miller et al. 2009) and a knee at ``aperiodic_knee_freq``
(:math:`k = f_k^{\\chi}`). The defaults, :math:`\\chi = 3.3` and a 10 Hz knee, are
specparam's "knee" fit (2-300 Hz) of the real ECoG of patient PT01 (84 contacts,
ds003029; :math:`\\chi = 3.28`, knee 10.2 Hz; 80-250 Hz band SD about 6 uV). Space follows the
layout: the channel covariance is :math:`(1-\\rho)\\, e^{-d_{ij}/\\lambda} + \\rho` with
:math:`d_{ij}` the contact distance and :math:`\\rho` a shared (reference) part, and the
length :math:`\\lambda` shrinks with frequency: the background is split at
:data:`SPATIAL_CROSSOVER` (30 Hz) into a low part, :math:`P(f) f_c^2/(f^2+f_c^2)`, of
length ``spatial_length[0]`` (1 cm) and a high part of length ``spatial_length[1]``
(3 mm), because broadband high-gamma activity is far more local than the slow
potentials (Muller et al. 2016). White amplifier noise (``noise_floor``, independent per
contact) and optional mains interference (``line_noise``) are added on top.

**Anaesthesia.** ``"propofol"`` adds a sustained alpha rhythm (10 Hz) and a slow
oscillation (about 1 Hz), the signature of propofol anaesthesia (Purdon et al. 2013);
``"burst_suppression"`` adds those and gates the brain activity (not the amplifier
noise) between bursts (gain 1) and suppressions (gain ``level``, default 0.1): an
alternating sequence of lognormal durations with mean burst ``burst_duration`` and a
burst-suppression ratio (time share suppressed) ``ratio``; each burst and suppression
is an event.

**Epileptiform events** (:mod:`biosynth.generators.epileptiform`) are placed in an
*epileptogenic zone* of contacts, with rates per minute: spikes, sharp waves, ripples
and fast ripples (alone or riding on spikes) and seizures (LVFA, rhythmic spiking or
the Epileptor). They spread to nearby contacts with a Gaussian fall-off of SD
``event_spread`` over distance (weights below 5 % are dropped), spikes and sharp waves
reach them ``distance / propagation_speed`` later, and seizures recruit rings of
contacts around the zone every ``delay`` s. Each event is a row of the ground truth
(record, channel, onset, duration, type, amplitude) on every contact it reaches, with
its amplitude there (filter on ``amplitude`` or on the zone to keep the clear ones).

**Montage.** ``"referential"`` (as recorded), ``"average"`` (common average per device)
or ``"bipolar"`` (neighbouring contacts along rows, :func:`biosynth.signals.layouts.bipolar`);
events then sit on every bipolar channel that holds their contact.

References
----------
.. [1] Miller KJ, Sorensen LB, Ojemann JG, den Nijs M (2009). Power-law scaling in the
   brain surface electric potential. PLoS Comput Biol 5(12):e1000609.
.. [2] Muller L, Hamilton LS, Edwards E, Bouchard KE, Chang EF (2016). Spatial
   resolution dependence on spectral frequency in human speech cortex
   electrocorticography. J Neural Eng 13(5):056013.
.. [3] Purdon PL, Pierce ET, Mukamel EA, et al. (2013). Electroencephalogram signatures
   of loss and recovery of consciousness from propofol. PNAS 110(12):E1142-E1151.
.. [4] Alarcon G, Guy CN, Binnie CD, et al. (1994). Intracerebral propagation of
   interictal activity in partial epilepsy. J Neurol Neurosurg Psychiatry 57:435-449.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

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
from biosynth.generators._rhythms import Rhythm, as_rhythm, check_rhythm
from biosynth.generators.epileptiform import EpileptiformModel, check_epileptiform
from biosynth.signals import make_signals
from biosynth.signals.events import empty_events, validate_events
from biosynth.signals.layouts import Layout, bipolar, bipolar_pairs, common_average, distances, parse_layout

DEFAULT_LAYOUT = "8x8@10mm"
MONTAGES = ("referential", "average", "bipolar")
ANAESTHESIA = (None, "propofol", "burst_suppression")
#: Sampling rates accepted (Hz): HFOs need 1 kHz or more, the model works from 250 Hz.
SFREQ_RANGE = (250.0, 25_000.0)
#: Frequency (Hz) splitting the background into its broad (slow) and local (fast) parts.
SPATIAL_CROSSOVER = 30.0
#: Weights of an event's spread below this share of its peak are set to 0.
SPREAD_CUTOFF = 0.05
#: Rhythms of propofol anaesthesia: frontal alpha and the slow oscillation (Purdon 2013).
PROPOFOL_RHYTHMS = (
    Rhythm("alpha", 10.0, 3.0, 0.8),
    Rhythm("slow", 0.8, 0.6, 0.6),
)
BURST_SUPPRESSION_DEFAULTS = {"ratio": 0.6, "burst_duration": 2.0, "level": 0.1}
#: Default epileptiform events of the zone (rates per minute, amplitudes in V): interictal
#: ECoG spikes of several hundred uV, HFOs of tens of uV, a share of them on spikes.
IOECOG_EVENTS: dict[str, dict[str, Any]] = {
    "spike": {"rate": 6.0, "amplitude": 400e-6, "duration": 0.04},
    "sharp_wave": {"rate": 2.0, "amplitude": 300e-6},
    "ripple": {"rate": 4.0, "amplitude": 40e-6, "with_spikes": 0.4},
    "fast_ripple": {"rate": 1.0, "amplitude": 15e-6, "with_spikes": 0.2},
}
#: Seizure settings for ioECoG: amplitude (V) and the rings of contacts recruited.
SEIZURE_AMPLITUDE = 1e-3
SEIZURE_RINGS = 2
# stream ids (EEGModel: 1 + i rhythms, 50 + id envelopes; epileptiform 200-205)
_STREAM_LOW, _STREAM_HIGH, _STREAM_FLOOR, _STREAM_BS, _STREAM_LINE, _STREAM_GAIN = 0, 40, 41, 300, 301, 302
_LINE_HARMONICS = (1.0, 0.3, 0.15)


@fill_doc
def simulate_ioecog(
    duration: float,
    sfreq: float,
    *,
    n_records: int | None = None,
    layout: Layout | str = DEFAULT_LAYOUT,
    zone: Sequence[str] | None = None,
    epileptiform: Mapping[str, Mapping[str, Any]] | None = None,
    seizures: Sequence[float] = (),
    aperiodic_exponent: float = 3.3,
    aperiodic_knee_freq: float = 10.0,
    amplitude: float = 100e-6,
    amplitude_cv: float = 0.0,
    spatial_length: tuple[float, float] = (0.01, 0.003),
    spatial_correlation: float = 0.1,
    noise_floor: float = 1.5e-6,
    line_noise: float = 0.0,
    line_freq: float = 50.0,
    anaesthesia: str | None = "propofol",
    burst_suppression: Mapping[str, float] | None = None,
    rhythms: Sequence[Rhythm | Mapping[str, Any]] | None = None,
    event_spread: float = 0.005,
    propagation_speed: float = 0.5,
    montage: str = "referential",
    first_record: int = 0,
    seed: Seed = None,
    device: str = "cpu",
    progress: bool = False,
    return_events: bool = False,
) -> xr.DataArray | tuple[xr.DataArray, pd.DataFrame]:
    """Simulate intraoperative ECoG on a grid/strip layout with ground-truth epileptiform events.

    Parameters
    ----------
    %(duration)s
    sfreq : float
        Sampling rate, in Hz (250 Hz to 25 kHz; HFOs need at least 1 kHz; 2000 Hz is
        typical).
    %(n_records)s
    layout : Layout or str
        Electrode layout, or its text for :func:`biosynth.signals.layouts.parse_layout`
        (default ``"8x8@10mm"``: an 8x8 grid of 1-cm spacing, contacts G1-G64).
    zone : sequence of str | None
        Contacts of the epileptogenic zone; None takes the contact nearest the centre
        of the first device and its nearest neighbours (5 contacts on a grid).
    epileptiform : mapping | None
        Events of the zone, kind -> parameters
        (:func:`biosynth.generators.epileptiform.check_epileptiform`); ``channels``
        default to ``zone``, and the kinds of :data:`IOECOG_EVENTS` start from those
        settings. None means :data:`IOECOG_EVENTS` (fast ripples only above 900 Hz
        sampling), ``{}`` no events.
    seizures : sequence of float
        Seizure onsets, in s (added to ``epileptiform["seizure"]["onsets"]``); a
        seizure kind gets amplitude :data:`SEIZURE_AMPLITUDE` and, unless given,
        ``propagation`` to :data:`SEIZURE_RINGS` rings of contacts around the zone.
    aperiodic_exponent : float
        Background exponent :math:`\\chi`, in [0, 6].
    aperiodic_knee_freq : float
        Knee frequency :math:`f_k` of the background, in Hz (0: no knee); the knee
        parameter of the PSD is :math:`k = f_k^{\\chi}`, which
        :func:`biosynth.generators.simulate_eeg` takes instead, as ``aperiodic_knee``.
    amplitude : float
        Expected SD of the brain background (without events, noise floor or mains) of
        the median contact, in V, outside suppressions; at most 10 mV.
    amplitude_cv : float
        Coefficient of variation, in [0, 2], of a lognormal gain (mean 1) of each
        record's background, drawn per record: patients, contacts and sessions differ
        in scale (0: every record at ``amplitude``).
    spatial_length : (float, float)
        Correlation lengths :math:`\\lambda` of the background below and above
        :data:`SPATIAL_CROSSOVER`, in m (each in (0, 0.1]).
    spatial_correlation : float
        Shared part :math:`\\rho` of the covariance, in [0, 1).
    noise_floor : float
        SD of the white amplifier noise of each contact, in V (>= 0).
    line_noise : float
        Amplitude of the mains fundamental on the median contact, in V (>= 0); the
        2nd and 3rd harmonics have 0.3 and 0.15 of it, contacts vary by 30 %.
    line_freq : float
        Mains frequency, in Hz.
    anaesthesia : {"propofol", "burst_suppression", None}
        Anaesthesia pattern (see the module notes); None: an awake background.
    burst_suppression : mapping | None
        ``ratio`` (time share suppressed, in [0.05, 0.95], default 0.6),
        ``burst_duration`` (mean, s, default 2) and ``level`` (suppression gain, in
        [0, 1), default 0.1); only with ``anaesthesia="burst_suppression"``.
    rhythms : sequence of Rhythm or mapping | None
        Rhythms of the background (region "all"); None means those of
        ``anaesthesia`` (none when awake).
    event_spread : float
        SD of the Gaussian spread of events over distance from the zone, in m.
    propagation_speed : float
        Speed at which spikes and sharp waves reach contacts outside the zone, in m/s.
    montage : {"referential", "average", "bipolar"}
        Montage of the returned channels.
    %(first_record)s
    %(seed)s
    %(device)s
    %(progress)s
    return_events : bool, default=False
        Also return the ground-truth events table (``record, channel, onset,
        duration, type, amplitude``; onsets in seconds).

    Returns
    -------
    ecog : DataArray, dims ("channel", "time") or ("record", "channel", "time")
        Voltage in V, modality ``"ecog"``; ``attrs["provenance"]["parameters"]``
        holds the layout (positions in m) and the zone.
    events : DataFrame
        Only with ``return_events=True``: ``record, channel, onset, duration, type,
        amplitude`` (s, V): epileptiform events per zone contact, bursts and
        suppressions (channel ``""``).

    Examples
    --------
    >>> ecog, events = simulate_ioecog(10.0, 2000.0, layout="4x5", seed=0, return_events=True)
    >>> ecog.sizes["channel"], ecog.attrs["modality"]
    (20, 'ecog')
    >>> sorted(set(events["type"]) & {"spike", "ripple"})
    ['ripple', 'spike']
    """
    params, lay = check_ioecog_params(locals())
    check_flags(progress=progress, return_events=return_events)
    root = make_seed_sequence(seed)
    model = build_ioecog_model(params, lay, check_device(device))
    indices = np.arange(params["first_record"], params["first_record"] + (n_records or 1))
    data, events = em.render_records(model, root, indices, desc="simulate_ioecog", progress=progress)
    data, ch_names, events = _apply_montage(data, events, lay, params["montage"])
    ecog = make_signals(
        data if n_records is not None else data[0],
        params["sfreq"],
        ch_names=ch_names,
        units="V",
        modality="ecog",
        provenance=build_provenance("biosynth.generators.simulate_ioecog", params, root),
        record_names=indices if n_records is not None else None,
        check_finite=False,
    )
    return (ecog, events) if return_events else ecog


def default_zone(layout: Layout) -> list[str]:
    """The contact nearest the centre of the first device and those one spacing from it.

    Parameters
    ----------
    layout : Layout
        Electrode layout.

    Returns
    -------
    zone : list of str
        Contact names (5 on a grid, 3 on a strip), in layout order.

    Examples
    --------
    >>> default_zone(parse_layout("8x8"))
    ['G20', 'G27', 'G28', 'G29', 'G36']
    """
    first = layout.indices(layout.device_names[0])
    pos = layout.positions[first]
    centre = first[int(np.argmin(np.round(np.linalg.norm(pos - pos.mean(axis=0), axis=1), 9)))]
    near = np.linalg.norm(layout.positions - layout.positions[centre], axis=1) <= 1.01 * layout.spacings[0]
    return [layout.names[i] for i in np.flatnonzero(near)]


# --- checks -------------------------------------------------------------------------


def check_ioecog_params(values: Mapping[str, Any]) -> tuple[dict[str, Any], Layout]:
    """Validate :func:`simulate_ioecog`'s keywords; return JSON-able parameters and the layout."""
    sfreq = check_sfreq("sfreq", values["sfreq"])
    if not SFREQ_RANGE[0] <= sfreq <= SFREQ_RANGE[1]:
        raise ValueError(f"sfreq must be in [{SFREQ_RANGE[0]:g}, {SFREQ_RANGE[1]:g}] Hz for ioECoG, got {sfreq:g}.")
    duration = check_positive("duration", values["duration"], unit="s")
    if duration * sfreq < 2:
        raise ValueError(f"duration={duration:g} s gives fewer than 2 samples at sfreq={sfreq:g} Hz.")
    lay = _check_layout(values["layout"])
    zone = _check_zone(values["zone"], lay)
    n_records = values["n_records"]
    params: dict[str, Any] = {
        "duration": duration,
        "sfreq": sfreq,
        "n_records": None if n_records is None else check_int("n_records", n_records, low=1),
        "first_record": check_int("first_record", values["first_record"], low=0),
        "layout": _layout_json(lay),
        "zone": zone,
        "aperiodic_exponent": check_number("aperiodic_exponent", values["aperiodic_exponent"], low=0.0, high=6.0),
        "aperiodic_knee_freq": check_number(
            "aperiodic_knee_freq", values["aperiodic_knee_freq"], low=0.0, high=sfreq / 2, unit="Hz"
        ),
        "amplitude": check_number("amplitude", values["amplitude"], low=0.0, high=1e-2, low_inclusive=False, unit="V"),
        "amplitude_cv": check_number("amplitude_cv", values["amplitude_cv"], low=0.0, high=2.0),
        "spatial_length": _check_lengths(values["spatial_length"]),
        "spatial_correlation": check_number(
            "spatial_correlation", values["spatial_correlation"], low=0.0, high=1.0, high_inclusive=False
        ),
        "noise_floor": check_number("noise_floor", values["noise_floor"], low=0.0, high=1e-3, unit="V"),
        "line_noise": check_number("line_noise", values["line_noise"], low=0.0, high=1e-2, unit="V"),
        "line_freq": check_number(
            "line_freq",
            values["line_freq"],
            low=0.0,
            high=sfreq / 2,
            low_inclusive=False,
            high_inclusive=False,
            unit="Hz",
            context=f"Nyquist is {sfreq / 2:g} Hz",
        ),
        "event_spread": check_number("event_spread", values["event_spread"], low=0.0, high=0.1, unit="m"),
        "propagation_speed": check_number(
            "propagation_speed", values["propagation_speed"], low=0.01, high=100.0, unit="m/s"
        ),
        "montage": check_option("montage", values["montage"], MONTAGES),
    }
    params |= _check_anaesthesia(values, sfreq)
    params["epileptiform"] = _check_events(values["epileptiform"], values["seizures"], lay, zone, params)
    return params, lay


def _check_layout(layout: Any) -> Layout:
    if isinstance(layout, Layout):
        return layout
    if isinstance(layout, str):
        return parse_layout(layout)
    raise TypeError(f"layout must be a Layout or a layout text such as '8x8@10mm', got {type(layout).__name__}.")


def _layout_json(lay: Layout) -> dict[str, Any]:
    return {
        "names": list(lay.names),
        "positions_m": lay.positions.tolist(),
        "devices": list(lay.devices),
        "shapes": [list(s) for s in lay.shapes],
        "spacings": list(lay.spacings),
    }


def layout_from_provenance(ecog: xr.DataArray) -> Layout:
    """The electrode layout of a record made by :func:`simulate_ioecog`.

    Parameters
    ----------
    ecog : DataArray
        Output of :func:`simulate_ioecog` (any montage: the layout is that of the
        contacts).

    Returns
    -------
    layout : Layout
        Positions in m.

    Examples
    --------
    >>> layout_from_provenance(simulate_ioecog(1.0, 1000.0, layout="1x6", epileptiform={}, seed=0)).shapes
    ((1, 6),)
    """
    try:
        info = ecog.attrs["provenance"]["parameters"]["layout"]
    except (KeyError, TypeError, AttributeError):
        raise ValueError(
            "ecog has no layout in attrs['provenance']['parameters']; was it made by simulate_ioecog?"
        ) from None
    positions = np.asarray(info["positions_m"], dtype=float)
    shapes = [tuple(s) for s in info["shapes"]]
    return Layout(tuple(info["names"]), positions, tuple(info["devices"]), tuple(shapes), tuple(info["spacings"]))


def _check_zone(zone: Any, lay: Layout) -> list[str]:
    if zone is None:
        return default_zone(lay)
    if isinstance(zone, str):
        zone = [zone]
    names = [str(z) for z in zone]
    unknown = [z for z in names if z not in lay.names]
    if not names or unknown:
        raise ValueError(
            f"zone must name contacts of the layout (e.g. {list(lay.names[:3])}), got unknown {unknown or names}."
        )
    return list(dict.fromkeys(names))


def _check_lengths(value: Any) -> list[float]:
    pair = [value, value] if np.isscalar(value) else list(value)
    if len(pair) != 2:
        raise ValueError(f"spatial_length must be one length or (low, high) lengths in m, got {value!r}.")
    return [
        check_number(f"spatial_length[{i}]", v, low=0.0, high=0.1, low_inclusive=False, unit="m")
        for i, v in enumerate(pair)
    ]


def _check_anaesthesia(values: Mapping[str, Any], sfreq: float) -> dict[str, Any]:
    anaesthesia = check_option("anaesthesia", values["anaesthesia"], ANAESTHESIA)
    given = values["burst_suppression"]
    if given is not None and anaesthesia != "burst_suppression":
        raise ValueError(
            f"burst_suppression applies with anaesthesia='burst_suppression', got anaesthesia={anaesthesia!r}."
        )
    bs = None
    if anaesthesia == "burst_suppression":
        given = dict(given or {})
        unknown = sorted(set(given) - set(BURST_SUPPRESSION_DEFAULTS))
        if unknown:
            raise ValueError(
                f"burst_suppression has unknown keys {unknown}; expected some of {list(BURST_SUPPRESSION_DEFAULTS)}."
            )
        bs = {**BURST_SUPPRESSION_DEFAULTS, **given}
        bs["ratio"] = check_number("burst_suppression['ratio']", bs["ratio"], low=0.05, high=0.95)
        bs["burst_duration"] = check_number(
            "burst_suppression['burst_duration']", bs["burst_duration"], low=0.2, high=60.0, unit="s"
        )
        bs["level"] = check_number("burst_suppression['level']", bs["level"], low=0.0, high=1.0, high_inclusive=False)
    rhythms = values["rhythms"]
    if rhythms is None:
        rhythms = PROPOFOL_RHYTHMS if anaesthesia else ()
    if isinstance(rhythms, (str, Mapping, Rhythm)):
        raise TypeError(f"rhythms must be a sequence of Rhythm or mappings, got {type(rhythms).__name__}.")
    checked = [check_rhythm(as_rhythm(r, i), sfreq / 2, f"rhythms[{i}].") for i, r in enumerate(rhythms)]
    for i, rhythm in enumerate(checked):
        if rhythm["region"] != "all" or rhythm["reactivity"] != 1:
            raise ValueError(f"rhythms[{i}] of ioECoG covers the whole layout: region must be 'all' and reactivity 1.")
    return {"anaesthesia": anaesthesia, "burst_suppression": bs, "rhythms": checked}


def _check_events(spec: Any, seizures: Any, lay: Layout, zone: list[str], params: dict[str, Any]) -> dict[str, Any]:
    if spec is None:
        spec = {k: v for k, v in IOECOG_EVENTS.items() if k != "fast_ripple" or params["sfreq"] > 900.0}
    if not isinstance(spec, Mapping):
        raise TypeError(f"epileptiform must be a mapping of kind to parameters, got {type(spec).__name__}.")
    spec = {kind: {**_preset(kind, spec), "channels": zone, **dict(opts)} for kind, opts in spec.items()}
    onsets = [check_number(f"seizures[{i}]", s, low=0.0, unit="s") for i, s in enumerate(seizures)]
    if onsets:
        spec.setdefault("seizure", {"channels": zone})
        spec["seizure"]["onsets"] = list(spec["seizure"].get("onsets", ())) + onsets
    if "seizure" in spec:
        spec["seizure"] = {"amplitude": SEIZURE_AMPLITUDE, **spec["seizure"]}
        spec["seizure"].setdefault("propagation", _rings(lay, spec["seizure"]["channels"]))
    return check_epileptiform(spec, lay.names) if spec else {}


def _preset(kind: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """The ioECoG settings of ``kind`` (HFOs ride on spikes only if spikes are asked for)."""
    preset = dict(IOECOG_EVENTS.get(kind, {}))
    if "spike" not in spec:
        preset.pop("with_spikes", None)
    return preset


def _rings(lay: Layout, focus: Any) -> list[list[str]]:
    """Contacts within 1.5, 3, ... spacings of the focus, ring by ring (:data:`SEIZURE_RINGS`)."""
    focus = [focus] if isinstance(focus, str) else list(focus)
    dist = _distance_to(lay, focus)
    step = 1.5 * min(lay.spacings)
    rings = []
    for k in range(1, SEIZURE_RINGS + 1):
        ring = [lay.names[i] for i in np.flatnonzero((dist > (k - 1) * step) & (dist <= k * step))]
        ring = [c for c in ring if c not in focus]
        if ring:
            rings.append(ring)
    return rings


def _distance_to(lay: Layout, names: Sequence[str]) -> np.ndarray:
    index = [lay.names.index(n) for n in names]
    return distances(lay)[:, index].min(axis=1)


# --- the model ----------------------------------------------------------------------


def build_ioecog_model(params: dict[str, Any], lay: Layout, device: str = "cpu") -> em.EEGModel:
    """Components, modulator and additions of a batch (see the module notes).

    Parameters
    ----------
    params : dict
        Checked parameters (:func:`check_ioecog_params`).
    lay : Layout
        The layout they were checked against.
    device : str
        ``"cpu"`` or a torch device for the filtering.

    Returns
    -------
    model : EEGModel
        Renders records chunk by chunk (referential montage).
    """
    sfreq, n_times = params["sfreq"], round(params["duration"] * params["sfreq"])
    components = _components(params, lay, n_times)
    extras: list[Any] = []
    if params["line_noise"] > 0:
        extras.append(_LineNoise(params, len(lay)))
    if params["epileptiform"]:
        extras.append(_events_model(params, lay, n_times))
    modulator = None
    if params["burst_suppression"] is not None or params["amplitude_cv"] > 0:
        modulator = _Modulator(params, n_times)
    states = _NoStates(("awake" if params["anaesthesia"] is None else params["anaesthesia"],), (np.inf,))
    model = em.EEGModel(sfreq, n_times, list(lay.names), components, states, extras, device, None, params["amplitude"])
    model.modulator = modulator
    return model


def _covariance(dist: np.ndarray, length: float, rho: float) -> np.ndarray:
    return (1.0 - rho) * np.exp(-dist / length) + rho


def _components(params: dict[str, Any], lay: Layout, n_times: int) -> list[em.Component]:
    sfreq, chi = params["sfreq"], params["aperiodic_exponent"]
    shape = em.aperiodic_shape(chi, params["aperiodic_knee_freq"] ** chi)
    dist, rho = distances(lay), params["spatial_correlation"]
    n_taps = int(em.APERIODIC_KERNEL_S * sfreq)
    fc2 = SPATIAL_CROSSOVER**2
    parts = (
        ("aperiodic_low", _STREAM_LOW, lambda f: shape(f) * fc2 / (f**2 + fc2), params["spatial_length"][0]),
        ("aperiodic_high", _STREAM_HIGH, lambda f: shape(f) * f**2 / (f**2 + fc2), params["spatial_length"][1]),
    )
    comps = []
    for name, stream, psd, length in parts:
        kernel = rb.fir_from_psd(psd, sfreq, n_taps)
        comps.append(em.Component(name, stream, kernel, em.covariance_factor(_covariance(dist, length, rho))))
    cov_low = _covariance(dist, params["spatial_length"][0], rho)
    ones = np.ones(len(lay))
    for i, rhythm in enumerate(params["rhythms"]):
        if rhythm["height"] > 0:
            comps.append(em.rhythm_component(rhythm, 1 + i, cov_low, ones, shape, sfreq))
    variance = sum(
        np.median(np.sum(c.mixing**2, axis=1)) * em.record_variance(c.kernel, n_times) * c.envelope_power()
        for c in comps
    )
    scale = params["amplitude"] / np.sqrt(variance)
    for comp in comps:
        comp.mixing = comp.mixing * scale
    if params["noise_floor"] > 0:
        floor = em.Component("noise_floor", _STREAM_FLOOR, np.ones(1), params["noise_floor"] * np.eye(len(lay)))
        floor.modulated = False
        comps.append(floor)
    return comps


def _events_model(params: dict[str, Any], lay: Layout, n_times: int) -> Any:
    spec, sigma = params["epileptiform"], params["event_spread"]
    weights, delays = {}, {}
    for kind, opts in spec.items():
        named = list(opts.get("channels") or []) + [c for step in opts.get("propagation", []) for c in step]
        if not named:
            continue
        dist = _distance_to(lay, named)
        w = np.exp(-(dist**2) / (2.0 * sigma**2)) if sigma > 0 else (dist == 0).astype(float)
        weights[kind] = np.maximum(np.where(w < SPREAD_CUTOFF, 0.0, w), opts.get("spread", 0.0))
        if kind in ("spike", "sharp_wave"):
            delays[kind] = np.minimum(dist / params["propagation_speed"], 1.0)
    model = EpileptiformModel(lay.names, params["sfreq"], spec, weights=weights, delays=delays, label_spread=True)
    return em.Addition(model, params["duration"], n_times=n_times)


class _NoStates(em.StateCycle):
    """One state throughout, without an event for it."""

    def events(self, buffer: em.EventBuffer, record: int, start_s: float, stop_s: float, end_s: float) -> None:
        return None


class _Modulator:
    """Gain of the brain components: the record's own scale (``amplitude_cv``) times the
    burst-suppression gate."""

    def __init__(self, params: dict[str, Any], n_times: int) -> None:
        self.cv = params["amplitude_cv"]
        bs = params["burst_suppression"]
        self.gate = None if bs is None else _BurstSuppression(bs, params["sfreq"], n_times)

    def gain(self, root, record: int, start: int, stop: int, events: em.EventBuffer) -> np.ndarray | np.float32:
        scale = np.float32(1.0)
        if self.cv > 0:
            rng = rb.Stream(root, record, _STREAM_GAIN).block_rng(0)
            scale = np.float32(rb.lognormal(rng, 1.0, self.cv, 1, clip=10.0)[0])
        if self.gate is None:
            return scale
        return self.gate.gain(root, record, start, stop, events) * scale


class _BurstSuppression:
    """Alternating bursts (gain 1) and suppressions (gain ``level``) of one record,
    drawn whole from the record's own generator (so chunks agree) and cached."""

    def __init__(self, settings: dict[str, float], sfreq: float, n_times: int) -> None:
        self.ratio, self.burst = settings["ratio"], settings["burst_duration"]
        self.level, self.sfreq, self.n_times = settings["level"], sfreq, n_times
        self._cache: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}

    def _bursts(self, root: np.random.SeedSequence, record: int) -> tuple[np.ndarray, np.ndarray]:
        """Burst onsets and lengths, in samples."""
        key = (repr(root.entropy), tuple(root.spawn_key), record)
        if key not in self._cache:
            rng = rb.Stream(root, record, _STREAM_BS).block_rng(0)
            mean_s = self.burst * self.ratio / (1.0 - self.ratio)
            end, t = self.n_times / self.sfreq, -rng.uniform(0.0, self.burst + mean_s)
            onsets, lengths = [], []
            while t < end:
                t += float(rb.lognormal(rng, mean_s, 0.6, 1)[0])
                length = float(rb.lognormal(rng, self.burst, 0.4, 1)[0])
                onsets.append(t)
                lengths.append(length)
                t += length
            self._cache = {key: (np.round(np.array(onsets) * self.sfreq), np.round(np.array(lengths) * self.sfreq))}
        return self._cache[key]

    def gain(self, root, record: int, start: int, stop: int, events: em.EventBuffer) -> np.ndarray:
        onsets, lengths = self._bursts(root, record)
        ramp = max(round(0.1 * self.sfreq), 1)
        on = np.zeros(stop - start)
        for onset, length in zip(onsets.astype(np.int64), lengths.astype(np.int64), strict=True):
            rb.place(on, start, int(onset), rb.raised_cosine(int(length), ramp))
        mine = (onsets >= start) & (onsets < stop)
        ends = onsets + lengths
        if mine.any():
            t0, t1 = onsets[mine] / self.sfreq, ends[mine] / self.sfreq
            end = self.n_times / self.sfreq
            events.add(record, t0, np.minimum(t1, end) - t0, "burst")
            nxt = np.append(onsets, np.inf)[1:][mine] / self.sfreq
            keep = t1 < end
            events.add(record, t1[keep], np.minimum(nxt[keep], end) - t1[keep], "suppression")
        first = (start == 0) and onsets.size and onsets[0] > 0
        if first:
            events.add(record, [0.0], [min(onsets[0], self.n_times) / self.sfreq], "suppression")
        return (self.level + (1.0 - self.level) * np.clip(on, 0.0, 1.0)).astype(np.float32)


class _LineNoise:
    """Mains interference: fundamental and two harmonics, per-contact amplitude and phase
    drawn once per record; a function of absolute time, so chunks agree."""

    def __init__(self, params: dict[str, Any], n_channels: int) -> None:
        self.amplitude, self.freq, self.sfreq = params["line_noise"], params["line_freq"], params["sfreq"]
        self.n_channels = n_channels

    def render(self, root, record: int, start: int, stop: int) -> tuple[np.ndarray, pd.DataFrame]:
        rng = rb.Stream(root, record, _STREAM_LINE).block_rng(0)
        gains = rb.lognormal(rng, 1.0, 0.3, self.n_channels)
        phases = rng.uniform(0.0, 2.0 * np.pi, len(_LINE_HARMONICS)) + rng.normal(0.0, 0.1, (self.n_channels, 1))
        t = np.arange(start, stop) / self.sfreq
        out = np.zeros((self.n_channels, stop - start))
        for k, share in enumerate(_LINE_HARMONICS):
            harmonic = (k + 1) * self.freq
            if harmonic < self.sfreq / 2:
                out += share * np.sin(2.0 * np.pi * harmonic * t + phases[:, k : k + 1])
        return self.amplitude * np.median(gains) ** -1 * gains[:, None] * out, empty_events()


# --- montage --------------------------------------------------------------------------


def _apply_montage(
    data: np.ndarray, events: pd.DataFrame, lay: Layout, montage: str
) -> tuple[np.ndarray, list[str], pd.DataFrame]:
    if montage == "referential":
        return data, list(lay.names), events
    if montage == "average":
        return common_average(data, lay), list(lay.names), events
    out, names = bipolar(data, lay)
    pairs = bipolar_pairs(lay)
    rows = []
    for (a, b), name in zip(pairs, names, strict=True):
        for contact in (a, b):
            part = events[events["channel"] == contact]
            if len(part):
                rows.append(part.assign(channel=name))
    mapped = pd.concat([events[events["channel"] == ""], *rows], ignore_index=True)
    mapped = mapped.sort_values(["record", "onset", "channel"]).drop_duplicates(["record", "channel", "onset", "type"])
    return out, names, validate_events(mapped.reset_index(drop=True))
