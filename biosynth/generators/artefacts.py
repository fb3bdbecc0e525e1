# SPDX-License-Identifier: BSD-3-Clause
"""Scalp-EEG artefacts with ground-truth events, rendered chunk by chunk.

:class:`ArtefactModel` adds six kinds of artefact (:data:`ARTEFACT_KINDS`) to scalp
EEG, in volts, and returns the events it placed. Every random quantity is a function of
the absolute sample index (through :mod:`biosynth.generators._random_blocks`): events are
drawn per noise block, and each chunk looks back by the longest event of a kind, so a
record rendered in one piece equals the same record rendered in any chunks, events
included. No event starts before the first sample of a record.

Kinds and their models
----------------------
``blink``
    Eyelid closure over the charged cornea: a positive, monophasic, asymmetric
    deflection (half-Hann rise over 40 % of the blink, slower half-Hann fall), largest
    at Fp1/Fp2, 200-400 ms long [1]_ [2]_. Resting blink rate is about 15-20 per
    minute [3]_. The topography falls off as a Gaussian of the distance (sigma 7 cm)
    from two eye points at (x, y, z) = (+-3.2, 10, -3) cm, normalised to 1 at the
    position of Fp1, so Fp > F > C > P/O and Oz gets about 2 % of Fp1 — the decreasing
    propagation factors from the front to the back of the head in [2]_ [4]_.
``saccade``
    A horizontal eye movement rotates the corneo-retinal dipoles of both eyes [1]_:
    a step of potential, positive on the side the eyes turn to, negative on the other
    side, largest at F7/F8. Each eye is a current dipole along x at its eye point; the
    step is their potential, normalised to 1 at F8 (so F7 gets about -1 and midline
    channels about 0). The step rises over 40 ms (a 10-15 degree saccade [5]_), holds
    for a fixation time, then returns over 40 ms.
``muscle``
    Bursts of electromyogram from the temporalis (jaw clenching, chewing, talking):
    broadband activity of 20-150 Hz (upper edge capped at 90 % of Nyquist) [6]_ under
    a raised-cosine envelope (ramps of a quarter of the burst), on one side or both.
    Each channel gets independent noise weighted by a Gaussian of the distance (sigma
    4 cm) from a point over the temporalis at (x, y, z) = (+-8.5, 4, 2) cm, so T7/T8,
    F7/F8, FT/TP channels carry it and the vertex almost nothing [6]_. Overlapping
    bursts add their envelopes over the same noise.
``line_noise``
    Mains interference: a sinusoid at 50 or 60 Hz plus 3rd and 5th harmonics (those at
    or above Nyquist left out), phase continuous in absolute time; amplitude varies per
    channel (lognormal, ``spread``) and phase by a few degrees [7]_. Line noise is
    continuous and has no events.
``pop``
    Electrode pop: a sudden change of electrode-skin impedance on one channel, an
    abrupt jump that decays exponentially (time constant ``tau``) [7]_. The waveform is
    5 tau long, its last fifth tapered to 0.
``drift``
    Slow drift of one electrode (sweat, drying gel) [7]_: a Hann-shaped excursion lasting
    seconds to tens of seconds, times a cosine of at most ``max_freq`` Hz, so its power
    lies below ``max_freq + 2 / duration`` (< 0.5 Hz with the defaults).

Events
------
Rows of :func:`biosynth.signals.events.make_events`: onset (s from the start of the
record), duration (s, the length of the placed waveform), type = the kind name;
``channel`` is ``""`` (all channels) for blinks, saccades and muscle bursts (which
reach many channels, and both sides for a bilateral burst), and the affected channel
for pops and drifts.

Random streams
--------------
Kind ``i`` (its index in :data:`ARTEFACT_KINDS`) draws its events (or, for line
noise, its per-channel amplitudes and phases) from stream ``stream_base + i``; muscle
noise draws from ``stream_base + len(ARTEFACT_KINDS) + 2`` (kind index 2 plus 6).
So a model reserves stream ids ``stream_base`` to ``stream_base + 11`` (a second stream
of kind ``i`` is always ``stream_base + 6 + i``); other generators of the same record
must use ids outside that range.

References
----------
.. [1] Berg P, Scherg M (1991). Dipole models of eye movements and blinks.
   Electroencephalogr Clin Neurophysiol 79(1):36-44. doi:10.1016/0013-4694(91)90154-V
.. [2] Iwasaki M, Kellinghaus C, Alexopoulos AV, et al. (2005). Effects of eyelid
   closure, blinks, and eye movements on the electroencephalogram. Clin Neurophysiol
   116(4):878-885. doi:10.1016/j.clinph.2004.11.001
.. [3] Bentivoglio AR, Bressman SB, Cassetta E, et al. (1997). Analysis of blink rate
   patterns in normal subjects. Mov Disord 12(6):1028-1034. doi:10.1002/mds.870120629
.. [4] Croft RJ, Barry RJ (2000). Removal of ocular artifact from the EEG: a review.
   Neurophysiol Clin 30(1):5-19. doi:10.1016/S0987-7053(00)00055-1
.. [5] Bahill AT, Clark MR, Stark L (1975). The main sequence, a tool for studying
   human eye movements. Math Biosci 24(3-4):191-204. doi:10.1016/0025-5564(75)90075-9
.. [6] Goncharova II, McFarland DJ, Vaughan TM, Wolpaw JR (2003). EMG contamination of
   EEG: spectral and topographical characteristics. Clin Neurophysiol
   114(9):1580-1593. doi:10.1016/S1388-2457(03)00093-2
.. [7] Tatum WO, Dworetzky BA, Schomer DL (2011). Artifact and recording concepts in
   EEG. J Clin Neurophysiol 28(3):252-263. doi:10.1097/WNP.0b013e31821c3c93
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from biosynth._utils.check import check_int, check_number, check_option, check_sfreq, check_type
from biosynth.generators._checks import check_freq
from biosynth.generators._random_blocks import (
    Events,
    Stream,
    as_dict,
    block_events,
    convolve_valid,
    fir_from_psd,
    lognormal,
    place,
    raised_cosine,
    white_noise,
)
from biosynth.signals.events import make_events

ARTEFACT_KINDS = ("blink", "saccade", "muscle", "line_noise", "pop", "drift")

#: Per kind, per parameter: (default, low, high, unit). Rates are per minute, amplitudes
#: in V (the upper bound of 10 mV catches amplitudes given in uV), times in s.
_PARAMS: dict[str, dict[str, tuple[float, float, float, str]]] = {
    "blink": {
        "rate": (15.0, 0.0, 120.0, "1/min"),
        "amplitude": (100e-6, 0.0, 1e-2, "V"),
        "amplitude_cv": (0.3, 0.0, 2.0, ""),
        "min_duration": (0.2, 0.02, 2.0, "s"),
        "max_duration": (0.4, 0.02, 2.0, "s"),
    },
    "saccade": {
        "rate": (10.0, 0.0, 240.0, "1/min"),
        "amplitude": (30e-6, 0.0, 1e-2, "V"),
        "amplitude_cv": (0.5, 0.0, 2.0, ""),
        "min_fixation": (0.3, 0.0, 30.0, "s"),
        "max_fixation": (2.0, 0.0, 30.0, "s"),
    },
    "muscle": {
        "rate": (2.0, 0.0, 120.0, "1/min"),
        "amplitude": (20e-6, 0.0, 1e-2, "V"),
        "amplitude_cv": (0.5, 0.0, 2.0, ""),
        "min_duration": (0.2, 0.02, 60.0, "s"),
        "max_duration": (2.0, 0.02, 60.0, "s"),
        "low_freq": (20.0, 1.0, 1000.0, "Hz"),
        "high_freq": (150.0, 1.0, 1000.0, "Hz"),
    },
    "line_noise": {
        "freq": (50.0, 50.0, 60.0, "Hz"),
        "amplitude": (2e-6, 0.0, 1e-2, "V"),
        "harmonic3": (0.1, 0.0, 1.0, ""),
        "harmonic5": (0.03, 0.0, 1.0, ""),
        "spread": (0.1, 0.0, 1.0, ""),
    },
    "pop": {
        "rate": (0.5, 0.0, 60.0, "1/min"),
        "amplitude": (100e-6, 0.0, 1e-2, "V"),
        "amplitude_cv": (0.5, 0.0, 2.0, ""),
        "min_tau": (0.2, 0.005, 10.0, "s"),
        "max_tau": (1.0, 0.005, 10.0, "s"),
    },
    "drift": {
        "rate": (1.0, 0.0, 60.0, "1/min"),
        "amplitude": (30e-6, 0.0, 1e-2, "V"),
        "amplitude_cv": (0.5, 0.0, 2.0, ""),
        "min_duration": (5.0, 2.0, 300.0, "s"),
        "max_duration": (30.0, 2.0, 300.0, "s"),
        "max_freq": (0.1, 0.0, 0.25, "Hz"),
    },
}

#: Default parameters of each kind (resting state, eyes open). Units: ``rate`` in events
#: per minute, ``amplitude`` in V (blink: peak at Fp1; saccade: step at F8; muscle: RMS
#: over the temporalis; line_noise: peak of the fundamental; pop: jump; drift: peak),
#: ``amplitude_cv`` the coefficient of variation of the amplitude (lognormal; the name
#: ``cv`` of biosynth 0.1 is accepted with a FutureWarning until 0.3), times in s,
#: frequencies in Hz, ``harmonic3``/``harmonic5`` relative to the fundamental,
#: ``spread`` the coefficient of variation of the line-noise amplitude over channels.
DEFAULT_ARTEFACTS: dict[str, dict[str, float]] = {
    kind: {name: spec[0] for name, spec in params.items()} for kind, params in _PARAMS.items()
}

#: (lower, upper) parameter pairs that must be ordered.
_ORDERED = (
    ("min_duration", "max_duration"),
    ("min_fixation", "max_fixation"),
    ("min_tau", "max_tau"),
    ("low_freq", "high_freq"),
)
_EYES = np.array([[-0.032, 0.10, -0.03], [0.032, 0.10, -0.03]])  # m, head frame
_FP1 = np.array([-0.031, 0.115, 0.028])  # m, Fp1 of standard_1020 (blink reference)
_F8 = np.array([0.071, 0.075, 0.025])  # m, F8 of standard_1020 (saccade reference)
_BLINK_SIGMA = 0.07  # m
_TEMPORALIS = np.array([[-0.085, 0.04, 0.02], [0.085, 0.04, 0.02]])  # m, left and right
_MUSCLE_SIGMA = 0.04  # m
_BLINK_RISE = 0.4  # share of the blink spent closing
_SACCADE_TIME = 0.04  # s, duration of one saccade
_POP_LENGTH = 5.0  # waveform length, in time constants
_AMPLITUDE_CLIP = 3.0  # lognormal amplitudes lie within [mean / 3, mean * 3]
_MUSCLE_NOISE_STREAM = len(ARTEFACT_KINDS) + ARTEFACT_KINDS.index("muscle")
_NYQUIST_SHARE = 0.9  # muscle band is capped at 90 % of Nyquist

Gate = Callable[[np.ndarray], np.ndarray]
#: What a kind's renderer returns for the events it reports: onset (samples), duration
#: (s) and channel of each.
_Placed = tuple[np.ndarray, np.ndarray, list[str]]


def check_artefacts(
    spec: Mapping[str, Mapping[str, float] | None] | None, *, sfreq: float | None = None
) -> dict[str, dict[str, float]]:
    """Validate an artefact spec and fill in defaults.

    Parameters
    ----------
    spec : mapping | None
        Kind name (one of :data:`ARTEFACT_KINDS`) to its parameters (a mapping of
        parameter name to value, see :data:`DEFAULT_ARTEFACTS` for names and units);
        a kind mapped to None or ``{}`` takes its defaults. None or ``{}``: no
        artefacts.
    sfreq : float | None
        Sampling rate, in Hz; when given, the line frequency and the muscle band are
        also checked against Nyquist.

    Returns
    -------
    spec : dict
        The kinds asked for, in the order of :data:`ARTEFACT_KINDS`, each with every
        parameter as a float.

    Raises
    ------
    ValueError
        For an unknown kind or parameter, a value out of range, a lower bound above its
        upper bound, a line frequency other than 50 or 60 Hz or one at or above Nyquist.

    Examples
    --------
    >>> check_artefacts({"blink": {"rate": 20}})["blink"]["rate"]
    20.0
    >>> check_artefacts(None)
    {}
    """
    if spec is None:
        return {}
    check_type("spec", spec, Mapping, "a mapping of artefact kind to parameters")
    for kind in spec:
        check_option("spec kind", kind, ARTEFACT_KINDS)
    return {kind: _check_kind(kind, spec[kind], sfreq) for kind in ARTEFACT_KINDS if kind in spec}


def _check_kind(kind: str, params: Mapping[str, float] | None, sfreq: float | None) -> dict[str, float]:
    """Parameters of one kind, checked and completed with defaults."""
    params = {} if params is None else check_type(f"spec[{kind!r}]", params, Mapping, "a mapping or None")
    table = _PARAMS[kind]
    out = dict(DEFAULT_ARTEFACTS[kind])
    params = _renamed_parameters(kind, params)
    for name, value in params.items():
        check_option(f"spec[{kind!r}] parameter", name, table)
        _default, low, high, unit = table[name]
        name_txt = f"spec[{kind!r}][{name!r}]"
        positive = name == "amplitude"  # 0 V would be no artefact: leave the kind out instead
        out[name] = check_number(name_txt, value, low=low, high=high, low_inclusive=not positive, unit=unit)
    for low_name, high_name in _ORDERED:
        if low_name in out and out[low_name] > out[high_name]:
            raise ValueError(
                f"spec[{kind!r}][{low_name!r}] must not exceed spec[{kind!r}][{high_name!r}], "
                f"got {out[low_name]:g} > {out[high_name]:g}."
            )
    if kind == "line_noise":
        check_option(f"spec[{kind!r}]['freq']", out["freq"], (50.0, 60.0))
        if sfreq is not None:
            check_freq(f"spec[{kind!r}]['freq']", out["freq"], sfreq)
    if kind == "muscle" and sfreq is not None:
        cap = _NYQUIST_SHARE * sfreq / 2.0
        check_number(
            f"spec[{kind!r}]['low_freq']",
            out["low_freq"],
            low=0.0,
            high=cap,
            high_inclusive=False,
            unit="Hz",
            context=f"the band is capped at 90 % of Nyquist, {cap:g} Hz for sfreq={sfreq:g}",
        )
    return out


#: Parameter names of biosynth 0.1 -> their names now (accepted with a FutureWarning until 0.3).
RENAMED_PARAMETERS = {"cv": "amplitude_cv"}  # one spelling with the epileptiform kinds


def _renamed_parameters(kind: str, params: Mapping[str, float]) -> dict[str, float]:
    """``params`` with old parameter names (:data:`RENAMED_PARAMETERS`) spelled anew, each with a FutureWarning."""
    out = dict(params)
    for old, new in RENAMED_PARAMETERS.items():
        if old in out:
            if new in out:
                raise ValueError(f"spec[{kind!r}] has both {old!r} (old name) and {new!r}; pass only {new!r}.")
            warnings.warn(
                f"artefact parameter {old!r} (spec[{kind!r}]) was renamed to {new!r} in biosynth 0.2; "
                "the old name stops working in 0.3.",
                FutureWarning,
                stacklevel=5,
            )
            out[new] = out.pop(old)
    return out


class ArtefactModel:
    """Seeded scalp-EEG artefacts of one montage, rendered chunk by chunk.

    Parameters
    ----------
    ch_names : sequence of str
        Channel names, in the order of the rows rendered.
    positions : ndarray, shape (n_channels, 3)
        Electrode positions in m, head frame (x right, y anterior, z up), as
        :func:`biosynth.generators.forward.montage_positions` returns.
    sfreq : float
        Sampling rate, in Hz.
    spec : mapping
        Kinds and parameters, as :func:`check_artefacts` takes them.
    stream_base : int
        First random stream id used; the model uses ``stream_base`` to
        ``stream_base + 11`` (see the module notes).

    Attributes
    ----------
    spec : dict
        The checked spec, defaults filled in.
    max_duration : float
        Longest event any kind can place, in s (0 without event kinds): the look-back
        a chunk needs.

    Examples
    --------
    >>> import numpy as np
    >>> pos = np.array([[-0.03, 0.115, 0.03], [0.0, 0.03, 0.14], [0.0, -0.08, 0.06]])
    >>> model = ArtefactModel(["Fp1", "Cz", "Oz"], pos, 100.0, {"blink": {"rate": 60}})
    >>> data, events = model.render(np.random.SeedSequence(0), 0, 0, 1000)
    >>> data.shape, set(events["type"]) <= {"blink"}
    ((3, 1000), True)
    """

    def __init__(
        self,
        ch_names: Sequence[str],
        positions: np.ndarray,
        sfreq: float,
        spec: Mapping[str, Mapping[str, float] | None] | None,
        *,
        stream_base: int = 100,
    ) -> None:
        self.sfreq = check_sfreq("sfreq", sfreq)
        self.ch_names = _check_names(ch_names)
        self.positions = _check_positions(positions, len(self.ch_names))
        self.spec = check_artefacts(spec, sfreq=self.sfreq)
        self.stream_base = check_int("stream_base", stream_base, low=0)
        self.max_duration = max((self._duration(kind) for kind in self.spec), default=0.0)
        self._blink_weights = _blink_weights(self.positions)
        self._saccade_weights = _saccade_weights(self.positions)
        self._muscle_weights = _muscle_weights(self.positions)
        self._muscle_kernel = self._make_muscle_kernel() if "muscle" in self.spec else None

    def _duration(self, kind: str) -> float:
        """Longest event of ``kind``, in s."""
        p = self.spec[kind]
        return {
            "blink": lambda: p["max_duration"],
            "saccade": lambda: p["max_fixation"] + 2.0 * _SACCADE_TIME,
            "muscle": lambda: p["max_duration"],
            "line_noise": lambda: 0.0,
            "pop": lambda: _POP_LENGTH * p["max_tau"],
            "drift": lambda: p["max_duration"],
        }[kind]()

    def _make_muscle_kernel(self) -> np.ndarray:
        """Unit-variance FIR kernel with a flat pass band (muscle noise)."""
        p = self.spec["muscle"]
        low, high = p["low_freq"], min(p["high_freq"], _NYQUIST_SHARE * self.sfreq / 2.0)
        n_taps = math.ceil(4.0 * self.sfreq / low)
        kernel = fir_from_psd(lambda f: ((f >= low) & (f <= high)).astype(float), self.sfreq, n_taps)
        return kernel / np.linalg.norm(kernel)

    def _muscle_noise(self, stream: Stream, n_rows: int, start: int, stop: int) -> np.ndarray:
        """Unit-variance band-limited noise of samples ``[start, stop)``, filtered in float64.

        Like :func:`~biosynth.generators._random_blocks.filtered_noise`, but the float32 white
        noise is filtered in float64, so chunks agree to float64 round-off.
        """
        half = self._muscle_kernel.size // 2
        white = white_noise(stream, n_rows, start - half, stop + half).astype(np.float64)
        return convolve_valid(white, self._muscle_kernel)

    def render(
        self,
        root: np.random.SeedSequence,
        record: int,
        start: int,
        stop: int,
        *,
        gate: Gate | None = None,
    ) -> tuple[np.ndarray, pd.DataFrame]:
        """Artefacts of absolute samples ``[start, stop)`` of one record.

        Parameters
        ----------
        root : SeedSequence
            Root seed of the run.
        record : int
            Record index (>= 0).
        start, stop : int
            Absolute sample range, ``0 <= start <= stop``.
        gate : callable | None
            ``gate(samples)`` maps absolute sample indices (int64 array) to values in
            [0, 1] that scale the rate of blinks and saccades (e.g. 0 in eyes-closed
            blocks). Events are drawn at the full rate and an event is kept when its
            own uniform draw ``u`` (in [0, 1)) is below the gate at its onset, so the
            choice does not depend on the chunk. None: no gating.

        Returns
        -------
        data : ndarray, shape (n_channels, stop - start)
            Artefact voltages, in V.
        events : DataFrame
            Events with onsets in ``[start, stop)`` (onset in s from the record start).
        """
        check_type("root", root, np.random.SeedSequence, "a numpy SeedSequence")
        record = check_int("record", record, low=0)
        start = check_int("start", start, low=0)
        stop = check_int("stop", stop, low=start)
        if gate is not None and not callable(gate):
            raise TypeError(f"gate must be a callable of absolute sample indices or None, got {type(gate).__name__}.")
        out = np.zeros((len(self.ch_names), stop - start))
        frames = []
        for kind, params in self.spec.items():
            stream = Stream(root, record, self.stream_base + ARTEFACT_KINDS.index(kind))
            render_kind = getattr(self, f"_render_{kind}")
            onset, duration, channel = render_kind(stream, params, start, stop, out, gate)
            frames.append((onset / self.sfreq, duration, [kind] * onset.size, channel))
        return out, _event_table(frames, record)

    def _events(
        self,
        stream: Stream,
        kind: str,
        start: int,
        stop: int,
        draw: Callable[[np.random.Generator, int], dict[str, np.ndarray]],
        gate: Gate | None = None,
    ) -> Events:
        """Events of ``kind`` that reach ``[start, stop)``: onsets from the look-back on."""
        rate = self.spec[kind]["rate"] / 60.0
        lookback = math.ceil(self._duration(kind) * self.sfreq) + 1
        events = block_events(stream, rate, self.sfreq, max(start - lookback, 0), stop, draw)
        if not events.draws:  # no block drawn: empty arrays under the same keys
            events = Events(events.onset, draw(np.random.default_rng(0), 0))
        if gate is None or events.onset.size == 0 or "keep" not in events.draws:
            return events
        level = np.broadcast_to(np.asarray(gate(events.onset), dtype=float), events.onset.shape)
        if not np.all((level >= 0.0) & (level <= 1.0)):
            raise ValueError(f"gate must return values in [0, 1], got a range of [{level.min():g}, {level.max():g}].")
        kept = events.draws["keep"] < level
        return Events(events.onset[kept], {k: v[kept] for k, v in events.draws.items()})

    def _own(self, onset: np.ndarray, start: int, stop: int) -> np.ndarray:
        """Mask of the events a chunk reports: onset in ``[start, stop)``."""
        return (onset >= start) & (onset < stop)

    def _render_blink(
        self, stream: Stream, p: dict[str, float], start: int, stop: int, out: np.ndarray, gate: Gate | None
    ) -> _Placed:
        def draw(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
            return as_dict(
                duration=rng.uniform(p["min_duration"], p["max_duration"], n),
                amplitude=lognormal(rng, p["amplitude"], p["amplitude_cv"], n, clip=_AMPLITUDE_CLIP),
                keep=rng.random(n),
            )

        ev = self._events(stream, "blink", start, stop, draw, gate)
        lengths = np.maximum(np.round(ev.draws["duration"] * self.sfreq).astype(np.int64), 2)
        for onset, n, amp in zip(ev.onset, lengths, ev.draws["amplitude"], strict=True):
            place(out, start, int(onset), amp * _blink_shape(int(n)), self._blink_weights)
        own = self._own(ev.onset, start, stop)
        return ev.onset[own], lengths[own] / self.sfreq, [""] * int(own.sum())

    def _render_saccade(
        self, stream: Stream, p: dict[str, float], start: int, stop: int, out: np.ndarray, gate: Gate | None
    ) -> _Placed:
        def draw(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
            return as_dict(
                fixation=rng.uniform(p["min_fixation"], p["max_fixation"], n),
                amplitude=lognormal(rng, p["amplitude"], p["amplitude_cv"], n, clip=_AMPLITUDE_CLIP),
                sign=np.where(rng.random(n) < 0.5, -1.0, 1.0),
                keep=rng.random(n),
            )

        ev = self._events(stream, "saccade", start, stop, draw, gate)
        ramp = max(round(_SACCADE_TIME * self.sfreq), 1)
        lengths = np.round(ev.draws["fixation"] * self.sfreq).astype(np.int64) + 2 * ramp
        for i, onset in enumerate(ev.onset):
            step = ev.draws["sign"][i] * ev.draws["amplitude"][i] * raised_cosine(int(lengths[i]), ramp)
            place(out, start, int(onset), step, self._saccade_weights)
        own = self._own(ev.onset, start, stop)
        return ev.onset[own], lengths[own] / self.sfreq, [""] * int(own.sum())

    def _render_muscle(
        self, stream: Stream, p: dict[str, float], start: int, stop: int, out: np.ndarray, gate: Gate | None
    ) -> _Placed:
        def draw(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
            return as_dict(
                duration=rng.uniform(p["min_duration"], p["max_duration"], n),
                amplitude=lognormal(rng, p["amplitude"], p["amplitude_cv"], n, clip=_AMPLITUDE_CLIP),
                side=rng.integers(0, 3, n),  # 0 left, 1 right, 2 both
            )

        ev = self._events(stream, "muscle", start, stop, draw)
        lengths = np.maximum(np.round(ev.draws["duration"] * self.sfreq).astype(np.int64), 2)
        gain = np.zeros_like(out)
        for i, onset in enumerate(ev.onset):
            weights = self._muscle_weights[int(ev.draws["side"][i])]
            envelope = raised_cosine(int(lengths[i]), int(lengths[i]) // 4)
            place(gain, start, int(onset), envelope, ev.draws["amplitude"][i] * weights)
        if gain.any():
            noise_stream = Stream(stream.root, stream.record, self.stream_base + _MUSCLE_NOISE_STREAM)
            out += gain * self._muscle_noise(noise_stream, out.shape[0], start, stop)
        own = self._own(ev.onset, start, stop)
        return ev.onset[own], lengths[own] / self.sfreq, [""] * int(own.sum())

    def _render_line_noise(
        self, stream: Stream, p: dict[str, float], start: int, stop: int, out: np.ndarray, gate: Gate | None
    ) -> _Placed:
        rng = stream.block_rng(0)
        n_ch = out.shape[0]
        gains = p["amplitude"] * lognormal(rng, 1.0, p["spread"], n_ch, clip=2.0)
        offsets = rng.normal(0.0, 0.05, n_ch)  # rad, per channel
        samples = np.arange(start, stop, dtype=np.float64)
        for order, weight in ((1, 1.0), (3, p["harmonic3"]), (5, p["harmonic5"])):
            phase = rng.uniform(0.0, 2.0 * np.pi)  # drawn whether used or not: fixed order
            if weight == 0.0 or order * p["freq"] >= self.sfreq / 2.0:
                continue
            cycles = np.mod(samples * (order * p["freq"] / self.sfreq), 1.0)
            out += (weight * gains)[:, None] * np.cos(2.0 * np.pi * cycles + phase + order * offsets[:, None])
        return np.zeros(0, dtype=np.int64), np.zeros(0), []

    def _render_pop(
        self, stream: Stream, p: dict[str, float], start: int, stop: int, out: np.ndarray, gate: Gate | None
    ) -> _Placed:
        def draw(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
            return as_dict(
                tau=rng.uniform(p["min_tau"], p["max_tau"], n),
                amplitude=lognormal(rng, p["amplitude"], p["amplitude_cv"], n, clip=_AMPLITUDE_CLIP),
                sign=np.where(rng.random(n) < 0.5, -1.0, 1.0),
                channel=rng.random(n),
            )

        ev = self._events(stream, "pop", start, stop, draw)
        channels = self._channel_index(ev)
        taus = ev.draws["tau"]
        lengths = np.maximum(np.round(_POP_LENGTH * taus * self.sfreq).astype(np.int64), 2)
        for i, onset in enumerate(ev.onset):
            wave = ev.draws["sign"][i] * ev.draws["amplitude"][i] * _pop_shape(int(lengths[i]), taus[i] * self.sfreq)
            place(out[channels[i]], start, int(onset), wave)
        own = self._own(ev.onset, start, stop)
        return ev.onset[own], lengths[own] / self.sfreq, [self.ch_names[c] for c in channels[own]]

    def _render_drift(
        self, stream: Stream, p: dict[str, float], start: int, stop: int, out: np.ndarray, gate: Gate | None
    ) -> _Placed:
        def draw(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
            return as_dict(
                duration=rng.uniform(p["min_duration"], p["max_duration"], n),
                amplitude=lognormal(rng, p["amplitude"], p["amplitude_cv"], n, clip=_AMPLITUDE_CLIP),
                sign=np.where(rng.random(n) < 0.5, -1.0, 1.0),
                channel=rng.random(n),
                freq=rng.uniform(0.0, p["max_freq"], n),
            )

        ev = self._events(stream, "drift", start, stop, draw)
        channels = self._channel_index(ev)
        lengths = np.maximum(np.round(ev.draws["duration"] * self.sfreq).astype(np.int64), 2)
        for i, onset in enumerate(ev.onset):
            n = int(lengths[i])
            t = (np.arange(n) - n / 2.0) / self.sfreq
            wave = raised_cosine(n, n // 2) * np.cos(2.0 * np.pi * ev.draws["freq"][i] * t)
            place(out[channels[i]], start, int(onset), ev.draws["sign"][i] * ev.draws["amplitude"][i] * wave)
        own = self._own(ev.onset, start, stop)
        return ev.onset[own], lengths[own] / self.sfreq, [self.ch_names[c] for c in channels[own]]

    def _channel_index(self, events: Events) -> np.ndarray:
        """Channel of each event, from its uniform draw ``channel``."""
        u = events.draws["channel"]
        return np.minimum((u * len(self.ch_names)).astype(np.int64), len(self.ch_names) - 1)


def _event_table(frames: list[tuple[np.ndarray, np.ndarray, list[str], list[str]]], record: int) -> pd.DataFrame:
    """One event table from per-kind (onset s, duration s, types, channels) parts."""
    onset = np.concatenate([np.zeros(0), *(f[0] for f in frames)])
    duration = np.concatenate([np.zeros(0), *(f[1] for f in frames)])
    kinds = [k for f in frames for k in f[2]]
    channels = [c for f in frames for c in f[3]]
    return make_events(onset, duration, kinds, record=record, channel=channels)


def _blink_shape(n: int) -> np.ndarray:
    """Asymmetric unit-peak blink: half-Hann rise over 40 % of ``n``, half-Hann fall after."""
    n_rise = min(max(round(_BLINK_RISE * n), 1), n - 1)
    n_fall = n - n_rise
    rise = 0.5 - 0.5 * np.cos(np.pi * (np.arange(n_rise) + 0.5) / n_rise)
    fall = 0.5 + 0.5 * np.cos(np.pi * (np.arange(n_fall) + 0.5) / n_fall)
    return np.concatenate([rise, fall])


def _pop_shape(n: int, tau: float) -> np.ndarray:
    """Unit jump decaying as exp(-t / tau) (``tau`` in samples), last fifth tapered to 0."""
    wave = np.exp(-np.arange(n) / tau)
    taper = n // 5
    if taper > 0:
        wave[n - taper :] *= 0.5 + 0.5 * np.cos(np.pi * (np.arange(taper) + 0.5) / taper)
    return wave


def _gaussian_sum(points: np.ndarray, centres: np.ndarray, sigma: float) -> np.ndarray:
    """Sum over ``centres`` of exp(-d^2 / (2 sigma^2)), d the distance (m) to each point."""
    d2 = np.sum((points[:, None, :] - centres[None, :, :]) ** 2, axis=-1)
    return np.exp(-d2 / (2.0 * sigma**2)).sum(axis=1)


def _blink_weights(positions: np.ndarray) -> np.ndarray:
    """Blink gain per channel: 1 at Fp1, Gaussian fall-off with distance from the eyes."""
    return _gaussian_sum(positions, _EYES, _BLINK_SIGMA) / _gaussian_sum(_FP1[None], _EYES, _BLINK_SIGMA)[0]


def _hdipole(points: np.ndarray) -> np.ndarray:
    """Potential of two x-directed unit dipoles at the eyes (infinite medium, 1/(4 pi sigma) dropped)."""
    r = points[:, None, :] - _EYES[None, :, :]
    return (r[..., 0] / np.linalg.norm(r, axis=-1) ** 3).sum(axis=1)


def _saccade_weights(positions: np.ndarray) -> np.ndarray:
    """Step gain per channel for a gaze shift to the right: 1 at F8, about -1 at F7."""
    return _hdipole(positions) / _hdipole(_F8[None])[0]


def _muscle_weights(positions: np.ndarray) -> np.ndarray:
    """Muscle gain per channel for a left, right and bilateral burst, shape (3, n_channels)."""
    left = _gaussian_sum(positions, _TEMPORALIS[:1], _MUSCLE_SIGMA)
    right = _gaussian_sum(positions, _TEMPORALIS[1:], _MUSCLE_SIGMA)
    return np.stack([left, right, left + right])


def _check_names(ch_names: Sequence[str]) -> list[str]:
    if isinstance(ch_names, str) or not isinstance(ch_names, Sequence) or len(ch_names) == 0:
        raise ValueError(f"ch_names must be a non-empty sequence of channel names, got {ch_names!r}.")
    names = [check_type(f"ch_names[{i}]", n, str, "a str") for i, n in enumerate(ch_names)]
    if len(set(names)) != len(names):
        raise ValueError(f"ch_names must be unique, got {names!r}.")
    return names


def _check_positions(positions: np.ndarray, n_channels: int) -> np.ndarray:
    pos = np.asarray(positions, dtype=float)
    if pos.shape != (n_channels, 3) or not np.isfinite(pos).all():
        raise ValueError(
            f"positions must be a finite array of shape ({n_channels}, 3) in m (one row per channel), "
            f"got shape {pos.shape}."
        )
    return pos
