# SPDX-License-Identifier: BSD-3-Clause
"""The estimator form of the parametric families: :class:`EEGGenerator`,
:class:`IoECoGGenerator`, :class:`ECGGenerator` and :class:`ParkinsonGenerator`, and
:data:`SIMULATORS`, the registry of the function form.

Each estimator wraps its ``simulate_*`` function: the constructor takes that
function's keyword options (``sfreq`` included, with default None), ``fit(real)`` learns
some of them from real recordings and stores each in an attribute ending in ``_``
(scikit-learn style: ``aperiodic_exponent_``, ...; all of them in ``fitted_params_``),
and ``sample`` calls the function with the constructor options overridden by the
learned ones. The fits are deliberately shallow (what
:func:`biosynth.generators.eeg.match_recording` does for EEG); deeper fits keep this
interface. A parametric generator may sample before ``fit`` from its constructor
options, provided ``sfreq`` was given.
"""

from __future__ import annotations

import inspect
import logging
import math
import re
import textwrap
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, NamedTuple

import numpy as np
import xarray as xr

from biosynth._utils.check import check_sfreq
from biosynth._utils.docs import fill_doc
from biosynth.generators.base import (
    Generator,
    as_recordings,
    params_from_json,
    params_to_json,
    stack_recordings,
)
from biosynth.generators.ecg import SFREQ_RANGE as ECG_SFREQ_RANGE
from biosynth.generators.ecg import simulate_ecg
from biosynth.generators.eeg import match_recording, simulate_eeg
from biosynth.generators.epileptor import simulate_epileptor
from biosynth.generators.ioecog import SFREQ_RANGE as IOECOG_SFREQ_RANGE
from biosynth.generators.ioecog import layout_from_provenance, simulate_ioecog
from biosynth.generators.leads import STANDARD_LEADS
from biosynth.generators.neural_mass import simulate_jansen_rit
from biosynth.generators.parkinson import SFREQ_RANGE as PARKINSON_SFREQ_RANGE
from biosynth.generators.parkinson import simulate_parkinson
from biosynth.signals import convert_units
from biosynth.signals.layouts import Layout

logger = logging.getLogger(__name__)

#: Arguments of a ``simulate_*`` function that belong to ``sample``, not to the constructor.
SAMPLE_ARGUMENTS = (
    "duration",
    "n_records",
    "first_record",
    "seed",
    "device",
    "progress",
    "return_events",
    "chunk_size",
)


class SimulatorSpec(NamedTuple):
    """A generator's function form and small, fast keyword arguments for it."""

    function: Callable[..., Any]
    example: Mapping[str, Any]


#: The function form of every generator: name -> (``simulate_*``, small fast keyword
#: arguments, ``duration`` and ``sfreq`` included). The common tests run each.
SIMULATORS: dict[str, SimulatorSpec] = {
    "ecg": SimulatorSpec(simulate_ecg, {"duration": 4.0, "sfreq": 250.0}),
    "eeg": SimulatorSpec(simulate_eeg, {"duration": 2.0, "sfreq": 128.0, "ch_names": ("Fz", "Cz", "Pz")}),
    "ioecog": SimulatorSpec(simulate_ioecog, {"duration": 2.0, "sfreq": 500.0, "layout": "2x3"}),
    "parkinson": SimulatorSpec(simulate_parkinson, {"duration": 2.0, "sfreq": 500.0, "signals": ("lfp", "eeg", "acc")}),
    "epileptor": SimulatorSpec(simulate_epileptor, {"duration": 2.0, "sfreq": 128.0}),
    "jansen_rit": SimulatorSpec(simulate_jansen_rit, {"duration": 1.0, "sfreq": 128.0}),
}


class ParametricGenerator(Generator):
    """Base of the estimators that wrap a ``simulate_*`` function.

    Subclasses set ``simulator`` (and ``sfreq_range`` where the simulator limits the
    rate) and implement ``_learn(real) -> dict`` (the learned keyword options,
    ``sfreq`` included) from a batch ``(record, channel, time)``.

    Parameters
    ----------
    sfreq : float or None, default=None
        Sampling rate of the samples, in Hz; None: learned by ``fit``.
    **params
        The simulator's other keyword options, with its defaults and units (the
        signature of each subclass lists them; see :data:`SAMPLE_ARGUMENTS` for
        those that go to ``sample`` instead).
    """

    simulator: ClassVar[Callable[..., Any]]
    #: Sampling rates (Hz) the simulator accepts, checked on the real data by ``fit``
    #: (None: any positive rate).
    sfreq_range: ClassVar[tuple[float, float] | None] = None
    _defaults: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "simulator" not in cls.__dict__:
            return
        signature = inspect.signature(cls.simulator)
        defaults = {"sfreq": None}
        for name, parameter in signature.parameters.items():
            if name in SAMPLE_ARGUMENTS or name == "sfreq":
                continue
            defaults[name] = None if parameter.default is inspect.Parameter.empty else parameter.default
        cls._defaults = defaults
        cls.__doc__ = _fill_sections(cls.__doc__, cls.simulator.__name__)
        cls.__signature__ = inspect.Signature(
            [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=d) for n, d in defaults.items()]
        )

    def __init__(self, **params: Any) -> None:
        unknown = sorted(set(params) - set(self._defaults))
        if unknown:
            raise TypeError(
                f"{type(self).__name__} got unknown parameters {unknown}; it takes the keyword options of "
                f"{self.simulator.__name__}: {sorted(self._defaults)}."
            )
        sfreq = params.get("sfreq")
        if sfreq is not None:
            params["sfreq"] = check_sfreq("sfreq", sfreq)
        for name, default in self._defaults.items():
            setattr(self, name, params.get(name, default))

    # --- the public interface ---------------------------------------------------------

    def get_params(self) -> dict[str, Any]:
        """The constructor arguments (the simulator's keyword options), by name.

        Returns
        -------
        params : dict
        """
        return {name: getattr(self, name) for name in self._defaults}

    @fill_doc
    def fit(self, real: xr.DataArray | list[xr.DataArray]) -> ParametricGenerator:
        """Learn parameters from real recordings (see the class notes for which).

        Parameters
        ----------
        %(real_recordings)s
            Records of different lengths are cropped to the shortest.

        Returns
        -------
        self : ParametricGenerator
        """
        batch = stack_recordings(as_recordings(real, "real"), crop=True)
        sfreq = float(batch.attrs["sfreq"])
        if self.sfreq_range is not None and not self.sfreq_range[0] <= sfreq <= self.sfreq_range[1]:
            low, high = self.sfreq_range
            raise ValueError(
                f"real has sfreq {sfreq:g} Hz but {type(self).__name__} samples at {low:g}-{high:g} Hz; "
                "resample it first (biosynth.signals.resample)."
            )
        learned = self._learn(batch)
        for name in getattr(self, "fitted_params_", {}):  # a refit forgets what the last fit learned
            delattr(self, f"{name}_")
        self.fitted_params_ = learned
        for name, value in learned.items():
            setattr(self, f"{name}_", value)
        self.duration_ = batch.sizes["time"] / float(batch.attrs["sfreq"])
        self.n_records_ = int(batch.sizes["record"])
        return self

    def simulation_params(self) -> dict[str, Any]:
        """The keyword options ``sample`` passes to the simulator: the constructor's,
        overridden by the fitted ones.

        Returns
        -------
        params : dict
        """
        return {**self.get_params(), **getattr(self, "fitted_params_", {})}

    def __repr__(self) -> str:
        given = {k: v for k, v in self.get_params().items() if not _same(v, self._defaults[k])}
        params = ", ".join(f"{k}={v!r}" for k, v in given.items())
        fitted = "" if not hasattr(self, "fitted_params_") else f", fitted on {self.n_records_} records"
        return f"{type(self).__name__}({params}{fitted})"

    # --- hooks ------------------------------------------------------------------------

    def _learn(self, batch: xr.DataArray) -> dict[str, Any]:
        raise NotImplementedError

    def _check_ready(self) -> None:
        if self.simulation_params()["sfreq"] is None:
            raise ValueError(
                f"sfreq must be given, as {type(self).__name__}(sfreq=...) or learned by fit(real), "
                "before sampling or saving; got None."
            )

    def _sample(
        self,
        n_records: int,
        duration: float | None,
        root: np.random.SeedSequence,
        first_record: int,
        progress: bool,
        return_events: bool,
        device: str | None,
    ) -> Any:
        if duration is None:
            if not hasattr(self, "duration_"):
                raise ValueError(f"duration must be given (in s) to sample {type(self).__name__} before fit; got None.")
            duration = self.duration_
        # the JSON round trip makes a fresh, a fitted and a loaded generator pass equal values
        params = params_from_json(params_to_json(self.simulation_params()))
        sfreq = params.pop("sfreq")
        options: dict[str, Any] = {
            "n_records": n_records,
            "first_record": first_record,
            "seed": root,
            "device": "cpu" if device is None else device,  # every simulator takes one (the contract)
            "progress": progress,
            "return_events": return_events,
        }
        out = self.simulator(duration, sfreq, **params, **options)
        data, events = out if return_events else (out, None)
        data = self._label(data)
        return (data, events) if return_events else data

    def _label(self, data: Any) -> Any:
        """Name the estimator in the provenance of every container of ``data``."""
        estimator = f"biosynth.generators.{type(self).__name__}"
        if isinstance(data, xr.DataArray):
            data.attrs["provenance"] = {**data.attrs.get("provenance", {}), "estimator": estimator}
        elif isinstance(data, xr.Dataset):
            for var in data.data_vars.values():
                self._label(var)
            if "provenance" in data.attrs:
                data.attrs["provenance"] = {**data.attrs["provenance"], "estimator": estimator}
        elif isinstance(data, Mapping):
            for value in data.values():
                self._label(value)
        return data

    def _fitted_header(self) -> dict[str, Any]:
        if not hasattr(self, "fitted_params_"):
            return {"fitted": None}
        return {
            "fitted": {
                "params": params_to_json(self.fitted_params_),
                "duration": self.duration_,
                "n_records": self.n_records_,
            }
        }

    @classmethod
    def _from_saved(
        cls, params: dict[str, Any], header: dict[str, Any], arrays: dict[str, np.ndarray]
    ) -> ParametricGenerator:
        generator = cls(**params)
        fitted = header.get("fitted")
        if fitted:
            generator.fitted_params_ = params_from_json(fitted["params"])
            for name, value in generator.fitted_params_.items():
                setattr(generator, f"{name}_", value)
            generator.duration_ = float(fitted["duration"])
            generator.n_records_ = int(fitted["n_records"])
        return generator


#: The Parameters and Attributes sections of every family's docstring (slot
#: ``%(estimator_parameters)s``, filled with the family's simulator).
ESTIMATOR_SECTIONS = """\
Parameters
----------
sfreq : float or None, default=None
    Sampling rate of the samples, in Hz; None: learned by ``fit``.
**options
    The other keyword options of :func:`~biosynth.generators.{simulator}`, with its
    defaults and units.

Attributes
----------
fitted_params_ : dict
    The learned keyword options; each also as an attribute ``<name>_``.
duration_ : float
    Length of the fitted records, in s (the default ``duration`` of ``sample``).
n_records_ : int
    Number of records fitted."""


def _fill_sections(doc: str | None, simulator: str) -> str | None:
    """Replace the ``%(estimator_parameters)s`` line of ``doc`` by :data:`ESTIMATOR_SECTIONS`."""
    if not doc:
        return doc
    text = ESTIMATOR_SECTIONS.format(simulator=simulator)

    def fill(match: re.Match) -> str:
        return textwrap.indent(text, match.group(1), lambda line: bool(line.strip()))

    return re.sub(r"^([ \t]*)%\(estimator_parameters\)s$", fill, doc, flags=re.MULTILINE)


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # arrays, layouts
        return a is b


# --- EEG ----------------------------------------------------------------------------------


class EEGGenerator(ParametricGenerator):
    """Scalp EEG, the estimator form of :func:`~biosynth.generators.simulate_eeg`.

    The constructor takes :func:`~biosynth.generators.simulate_eeg`'s keyword options
    (``sfreq`` has default None: give it, or fit). ``fit(real)`` does what
    :func:`~biosynth.generators.eeg.match_recording` does and learns ``sfreq``,
    ``ch_names``, ``amplitude`` (median channel SD, V), ``spatial_correlation`` and,
    where the spectrum allows, ``aperiodic_exponent``, ``alpha_freq`` and
    ``alpha_height``; ``aperiodic_offset`` is then set to None (it excludes
    ``amplitude``). Samples use ``spatial`` as given (the learned values suit the
    default ``"uniform"``).

    %(estimator_parameters)s

    Examples
    --------
    >>> real = simulate_eeg(4.0, 128.0, n_records=2, ch_names=("Fz", "Cz", "Pz"), seed=0)
    >>> generator = EEGGenerator().fit(real)
    >>> generator.sample(3, seed=1).sizes["record"]
    3
    """

    name = "eeg"
    simulator = staticmethod(simulate_eeg)

    def _learn(self, batch: xr.DataArray) -> dict[str, Any]:
        learned = match_recording(batch)
        if "amplitude" in learned:
            learned["aperiodic_offset"] = None
        return learned


# --- ioECoG -------------------------------------------------------------------------------


class IoECoGGenerator(ParametricGenerator):
    """Intraoperative ECoG, the estimator form of :func:`~biosynth.generators.simulate_ioecog`.

    The constructor takes :func:`~biosynth.generators.simulate_ioecog`'s keyword options
    (``sfreq`` has default None: give it, or fit). ``fit(real)`` learns:

    - ``sfreq``;
    - ``layout``: the electrode layout of a record made by ``simulate_ioecog`` (from its
      provenance), otherwise one strip of the real channels, in their order and with
      their names, 1 cm apart (so samples carry the real channel names; the spatial
      model then treats them as a strip);
    - ``aperiodic_exponent`` and ``aperiodic_knee_freq``: robust least-squares fit of
      ``log10 P(f) = b - log10(f_k**chi + f**chi)`` to the median channel Welch
      spectrum (2-s segments) on a log-spaced grid over 2 Hz to ``min(200, 0.4 sfreq)``
      Hz, mains harmonics (50/60 Hz +- 2 Hz) left out; exponent clipped to [0, 6],
      knee to [0, 100] Hz;
    - ``amplitude``: median channel SD, in V (it counts events, noise floor and mains
      as well, so it overestimates the background SD a little).

    %(estimator_parameters)s
    """

    name = "ioecog"
    simulator = staticmethod(simulate_ioecog)
    sfreq_range = IOECOG_SFREQ_RANGE

    def _learn(self, batch: xr.DataArray) -> dict[str, Any]:
        sfreq = float(batch.attrs["sfreq"])
        volts = convert_units(batch, "V").values
        names = [str(c) for c in batch["channel"].values]
        try:
            layout = layout_from_provenance(batch)
            if list(layout.names) != names:
                raise ValueError("montaged")
        except ValueError:
            layout = _strip_layout(names)
        exponent, knee = _aperiodic_fit(volts, sfreq)
        amplitude = float(np.median(volts.std(axis=-1)))
        return {
            "sfreq": sfreq,
            "layout": layout,
            "aperiodic_exponent": exponent,
            "aperiodic_knee_freq": knee,
            "amplitude": float(np.clip(amplitude, 1e-9, 1e-2)),
        }


def _strip_layout(names: list[str]) -> Layout:
    positions = np.zeros((len(names), 3))
    positions[:, 0] = 0.01 * np.arange(len(names))
    return Layout(tuple(names), positions, ("S",) * len(names), ((1, len(names)),), (0.01,))


def _aperiodic_fit(volts: np.ndarray, sfreq: float) -> tuple[float, float]:
    """Exponent and knee frequency (Hz) of the median channel spectrum (see IoECoGGenerator)."""
    from scipy.optimize import least_squares
    from scipy.signal import welch

    rows = volts.reshape(-1, volts.shape[-1])
    freqs, psd = welch(rows, sfreq, nperseg=min(rows.shape[-1], round(2 * sfreq)))
    median = np.median(psd, axis=0)
    top = min(200.0, 0.4 * sfreq)
    keep = (freqs >= 2.0) & (freqs <= top) & (median > 0)
    for mains in (50.0, 60.0):
        for harmonic in range(1, 5):
            keep &= np.abs(freqs - harmonic * mains) > 2.0
    if keep.sum() < 5:
        raise ValueError(
            f"real is too short or too band-limited to fit the aperiodic spectrum (2-{top:g} Hz); "
            "use longer records or a higher sampling rate."
        )
    grid = np.logspace(np.log10(freqs[keep][0]), np.log10(freqs[keep][-1]), 100)
    log_power = np.interp(np.log10(grid), np.log10(freqs[keep]), np.log10(median[keep]))
    slope, intercept = np.polyfit(np.log10(grid), log_power, 1)

    def residual(p: np.ndarray) -> np.ndarray:
        offset, chi, knee = p
        return offset - np.log10(knee**chi + grid**chi) - log_power

    start = np.array([intercept, float(np.clip(-slope, 0.1, 5.9)), 5.0])
    fit = least_squares(
        residual, start, bounds=([-np.inf, 0.0, 0.0], [np.inf, 6.0, 100.0]), loss="soft_l1", f_scale=0.1
    )
    return float(np.clip(fit.x[1], 0.0, 6.0)), float(np.clip(fit.x[2], 0.0, 100.0))


# --- ECG ----------------------------------------------------------------------------------


class ECGGenerator(ParametricGenerator):
    """ECG, the estimator form of :func:`~biosynth.generators.simulate_ecg`.

    The constructor takes :func:`~biosynth.generators.simulate_ecg`'s keyword options
    (``sfreq`` has default None: give it, or fit). ``fit(real)`` finds the R peaks with
    neurokit2 (``nk.ecg_clean`` then ``nk.ecg_peaks``) on lead II when the real
    recording has it, otherwise on its first channel, and learns:

    - ``sfreq``;
    - ``heart_rate``: 60 / mean RR interval (bpm), pooled over records, clipped to
      [30, 200];
    - ``heart_rate_std``: SD of the beat-to-beat heart rate 60 / RR (bpm), clipped to
      [0, heart_rate / 5];
    - ``amplitude``: median height of the R peaks above the record's median (V), in
      volts only (not learned from ``"a.u."`` data);
    - ``leads``: the real channel names when every one is a standard lead
      (:data:`~biosynth.generators.leads.STANDARD_LEADS`, matched ignoring case);
      otherwise the constructor's leads are kept.

    %(estimator_parameters)s
    """

    name = "ecg"
    simulator = staticmethod(simulate_ecg)
    sfreq_range = ECG_SFREQ_RANGE

    def _learn(self, batch: xr.DataArray) -> dict[str, Any]:
        import neurokit2 as nk

        sfreq = float(batch.attrs["sfreq"])
        names = [str(c) for c in batch["channel"].values]
        by_lower = {lead.lower(): lead for lead in STANDARD_LEADS}
        leads = [by_lower.get(n.lower()) for n in names]
        learned: dict[str, Any] = {"sfreq": sfreq}
        if all(leads) and len(set(leads)) == len(leads):
            learned["leads"] = leads
        channel = names.index(next((n for n, lead in zip(names, leads, strict=True) if lead == "II"), names[0]))
        volts = batch.attrs["units"] != "a.u."
        data = convert_units(batch, "V").values if volts else batch.values
        rr, heights = [], []
        for record in data[:, channel]:
            clean = nk.ecg_clean(record, sampling_rate=sfreq)
            _, info = nk.ecg_peaks(clean, sampling_rate=sfreq)
            peaks = np.asarray(info["ECG_R_Peaks"], dtype=int)
            rr.append(np.diff(peaks) / sfreq)
            heights.append(record[peaks] - np.median(record))
        intervals = np.concatenate(rr)
        if intervals.size < 2:
            raise ValueError(
                f"found {intervals.size + len(rr)} R peaks or fewer in real (channel {names[channel]!r}); "
                "an ECG fit needs at least 3 beats in a record."
            )
        heart_rate = float(np.clip(60.0 / intervals.mean(), 30.0, 200.0))
        learned["heart_rate"] = heart_rate
        learned["heart_rate_std"] = float(np.clip(np.std(60.0 / intervals), 0.0, heart_rate / 5))
        if volts:
            learned["amplitude"] = float(max(np.median(np.concatenate(heights)), 1e-6))
        return learned


# --- Parkinson's disease ---------------------------------------------------------------------


class ParkinsonGenerator(ParametricGenerator):
    """Parkinsonian LFP and companions, the estimator form of
    :func:`~biosynth.generators.simulate_parkinson`.

    The constructor takes :func:`~biosynth.generators.simulate_parkinson`'s keyword
    options (``sfreq`` has default None: give it, or fit). ``fit(real)`` takes an STN
    LFP (a DataArray in volts; or the ``"lfp"`` entry of a mapping or Dataset of
    signals) and learns:

    - ``sfreq``, and ``signals = ["lfp"]`` (samples are LFPs like the real data);
    - ``beta_freq``: the 13-30 Hz frequency where the channel-mean Welch spectrum
      (2-s segments) rises most above a log-log line fitted over 5-45 Hz outside
      13-30 Hz;
    - ``bursts``: on the channel of most beta power, band-passed at ``beta_freq``
      +- 3 Hz (4th-order Butterworth, zero phase), the Hilbert envelope above its 75th
      percentile for more than 100 ms (Tinkhauser et al. 2017) gives
      ``burst_rate`` (per min), ``burst_duration`` (mean, s), ``burst_duration_cv``,
      ``burst_amplitude`` (mean burst peak of the envelope, V) and
      ``burst_amplitude_cv``;
    - ``lfp_amplitude``: median channel SD after a band-stop of ``beta_freq`` +- 4 Hz
      (V).

    Samples are what ``simulate_parkinson`` returns for ``n_records``: one container
    per signal, each with the ``record`` dim.

    %(estimator_parameters)s
    """

    name = "parkinson"
    simulator = staticmethod(simulate_parkinson)
    sfreq_range = PARKINSON_SFREQ_RANGE

    @fill_doc
    def fit(self, real: Any) -> ParkinsonGenerator:
        """Learn the beta rhythm and its bursts from a real LFP.

        Parameters
        ----------
        %(real_recordings)s
            An STN LFP; a mapping or Dataset of signals is read at its ``"lfp"``.

        Returns
        -------
        self : ParkinsonGenerator
        """
        if isinstance(real, (Mapping, xr.Dataset)):
            if "lfp" not in real:
                raise ValueError(f"real holds signals {sorted(map(str, real))} but no 'lfp' to fit.")
            real = real["lfp"]
        super().fit(real)
        return self

    def _learn(self, batch: xr.DataArray) -> dict[str, Any]:
        from scipy.signal import butter, hilbert, sosfiltfilt, welch

        sfreq = float(batch.attrs["sfreq"])
        volts = convert_units(batch, "V").values
        if volts.shape[-1] < round(2 * sfreq):
            raise ValueError(f"real records must last at least 2 s to fit beta bursts, got {volts.shape[-1]} samples.")
        freqs, psd = welch(volts, sfreq, nperseg=round(2 * sfreq), axis=-1)
        mean = psd.mean(axis=0)  # (channel, freq)
        beta = (freqs >= 13.0) & (freqs <= 30.0)
        flank = (freqs >= 5.0) & (freqs <= 45.0) & ~beta & (freqs < 0.45 * sfreq)
        excess = np.empty((mean.shape[0], beta.sum()))
        for c, spectrum in enumerate(mean):
            slope, intercept = np.polyfit(np.log10(freqs[flank]), np.log10(spectrum[flank]), 1)
            excess[c] = np.log10(spectrum[beta]) - (intercept + slope * np.log10(freqs[beta]))
        channel = int(np.argmax(mean[:, beta].sum(axis=1)))
        beta_freq = float(freqs[beta][int(np.argmax(excess.mean(axis=0)))])
        band = butter(4, [beta_freq - 3.0, beta_freq + 3.0], btype="bandpass", fs=sfreq, output="sos")
        envelope = np.abs(hilbert(sosfiltfilt(band, volts[:, channel], axis=-1), axis=-1))
        threshold = np.percentile(envelope, 75)
        durations, peaks = [], []
        shortest = math.ceil(0.1 * sfreq)
        for row in envelope:
            above = np.r_[False, row > threshold, False]
            edges = np.flatnonzero(np.diff(above.astype(np.int8)))
            for start, stop in zip(edges[::2], edges[1::2], strict=True):
                if stop - start > shortest:
                    durations.append((stop - start) / sfreq)
                    peaks.append(row[start:stop].max())
        minutes = volts.shape[0] * volts.shape[-1] / sfreq / 60.0
        stop_band = butter(4, [beta_freq - 4.0, beta_freq + 4.0], btype="bandstop", fs=sfreq, output="sos")
        background = float(np.median(sosfiltfilt(stop_band, volts, axis=-1).std(axis=-1)))
        learned: dict[str, Any] = {
            "sfreq": sfreq,
            "signals": ["lfp"],
            "beta_freq": beta_freq,
            "lfp_amplitude": float(np.clip(background, 0.0, 1e-2)),
        }
        if durations:
            durations, peaks = np.asarray(durations), np.asarray(peaks)
            learned["bursts"] = {
                "burst_rate": float(np.clip(durations.size / minutes, 0.0, 600.0)),
                "burst_duration": float(np.clip(durations.mean(), 0.05, 5.0)),
                "burst_duration_cv": float(np.clip(durations.std() / durations.mean(), 0.0, 3.0)),
                "burst_amplitude": float(np.clip(peaks.mean(), 0.0, 1e3)),
                "burst_amplitude_cv": float(np.clip(peaks.std() / peaks.mean(), 0.0, 3.0)),
            }
        return learned
