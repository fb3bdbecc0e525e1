# SPDX-License-Identifier: BSD-3-Clause
"""Plausibility of signals: a clinician-style check for biologically implausible values
(amplitude out of range, flat lines, clipping, mains interference, impossible heart
rates), one row per record with the reason for every flag.

Default thresholds per modality (:data:`DEFAULT_RULES`, peak-to-peak in consecutive
windows of 2 s, 3 s for ECG):

==========  ==============================  ==================================================
modality    plausible peak-to-peak          source
==========  ==============================  ==================================================
eeg         1 uV .. 1 mV (2 s windows)      scalp EEG is typically 10-100 uV (Niedermeyer's
                                            Electroencephalography, 6th ed., 2011); eye blinks
                                            reach several hundred uV at frontal sites, and
                                            scalp potentials over 1 mV are not of cerebral
                                            origin (electrode pops, movement, saturation)
ecog, seeg  1 uV .. 5 mV                    intracranial potentials run several times larger
                                            than scalp EEG; interictal spikes and seizures
                                            reach a few mV (Buzsaki, Anastassiou & Koch 2012,
                                            Nat Rev Neurosci 13:407)
lfp         0.1 uV .. 5 mV                  from bipolar DBS macro-contacts (beta peaks of a
                                            few uV) to microelectrode LFP (up to about 1 mV)
ecg         0.1 mV .. 10 mV                 QRS amplitude 0.5-3 mV in the limb leads; under
                                            0.5 mV is "low voltage", over 3.5 mV suggests
                                            hypertrophy (Hancock et al. 2009, Circulation
                                            119:e251)
emg         1 uV .. 10 mV                   surface EMG 0-10 mV peak-to-peak (De Luca 1997,
                                            J Appl Biomech 13:135)
acc, misc   not checked                     no physiological scale
==========  ==============================  ==================================================

Every modality is also checked for flat lines (1 s without any change), clipping (3 or
more samples in a row, at least 20 ms, at the channel's maximum or minimum, or over 1 %
of the samples repeating an extreme value) and mains interference (the mean power
density within 1 Hz of 50 or 60 Hz over 10 times that 2-5 Hz away on either side; not
for ``acc``). Flat and clipped channels are the usual signs of a dead electrode or a
saturated amplifier (e.g. the flat-channel test of the PREP pipeline, Bigdely-Shamlo et
al. 2015, Front Neuroinform 9:16); the line-noise limit is a quality convention, not
physiology. ECG records also get R peaks from :func:`neurokit2.ecg_peaks` and are
flagged for a median heart rate outside 30-220 bpm or any RR interval outside 0.2-3 s:
the ventricles cannot be re-excited within about 200 ms, and pauses of 3 s or more are
the threshold of clinical concern (Kusumoto et al. 2019, 2018 ACC/AHA/HRS bradycardia
guideline, Circulation 140:e382).

The ranges are broad on purpose: a flag means "look at this record", and passing means
only that no rule fired, not that the signal is physiological.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import xarray as xr

from biosynth._utils.check import check_number, check_option, check_positive
from biosynth.fidelity.spectral import welch_psd
from biosynth.signals import CHANNEL, RECORD, TIME, as_batch, unit_factor

logger = logging.getLogger(__name__)

RULE_NAMES = ("amplitude", "flat_line", "clipping", "line_noise", "heart_rate")
IMPLAUSIBLE = "biologically implausible values"
_R_PEAK_GAP = 0.15  # s; R peaks closer than this are one beat to the detector (up to 400 bpm)


def _check_pair(name: str, value: Any, unit: str) -> tuple[float, float] | None:
    """None, or a (low, high) pair with 0 <= low < high."""
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
        raise TypeError(f"{name} must be a (low, high) pair in {unit} or None, got {value!r}.")
    low = check_number(f"{name}[0]", value[0], low=0.0, unit=unit)
    high = check_number(f"{name}[1]", value[1], low=low, low_inclusive=False, unit=unit, context="above the low bound")
    return (low, high)


@dataclass(frozen=True)
class PlausibilityRules:
    """Thresholds of :func:`check_plausibility`; None switches a rule off.

    Attributes
    ----------
    amplitude_range : (float, float) | None
        Plausible peak-to-peak amplitude ``(low, high)``, in V. Peak-to-peak is taken in
        consecutive windows of ``amplitude_window``; a channel is flagged when any window
        exceeds ``high`` or its median window falls below ``low``. Not checked for
        signals in ``"a.u."``.
    amplitude_window : float
        Window of the peak-to-peak amplitude, in s (the whole record if shorter).
    flat_duration : float | None
        Shortest stretch without variation that is flagged, in s.
    flat_tolerance : float
        Largest step between consecutive samples that counts as no variation, in V (in
        the signal's own unit for ``"a.u."``); 0 means exactly constant.
    clip_duration : float | None
        Shortest run of consecutive samples at a channel's maximum or minimum that is
        flagged, in s (never fewer than 3 samples).
    clip_fraction : float | None
        Largest share of samples (0-1) that may repeat a channel's maximum or minimum
        value (the first sample at each extreme does not count).
    line_freqs : tuple of float
        Mains frequencies checked, in Hz; each needs ``f + 5`` Hz below Nyquist.
    line_noise_ratio : float | None
        Largest allowed ratio (unitless; 10 = 10 dB) of the mean Welch power density
        within 1 Hz of a mains frequency over that 2-5 Hz from it on either side.
    heart_rate_range : (float, float) | None
        Plausible median heart rate, in beats per minute (R peaks from neurokit2).
    rr_range : (float, float) | None
        Plausible RR interval ``(shortest, longest)``, in s. The heart rules skip (NA)
        records shorter than two of the longest plausible intervals (``rr_range[1]`` or
        ``60 / heart_rate_range[0]``, and at least 2 s): 6 s with the ECG defaults. R
        peaks closer than 0.15 s count as one beat (the detector's refractory gap).
    """

    amplitude_range: tuple[float, float] | None = None
    amplitude_window: float = 2.0
    flat_duration: float | None = 1.0
    flat_tolerance: float = 0.0
    clip_duration: float | None = 0.02
    clip_fraction: float | None = 0.01
    line_freqs: tuple[float, ...] = (50.0, 60.0)
    line_noise_ratio: float | None = 10.0
    heart_rate_range: tuple[float, float] | None = None
    rr_range: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        for name, unit in (("amplitude_range", "V"), ("heart_rate_range", "bpm"), ("rr_range", "s")):
            object.__setattr__(self, name, _check_pair(f"rules.{name}", getattr(self, name), unit))
        check_positive("rules.amplitude_window", self.amplitude_window, unit="s")
        check_number("rules.flat_tolerance", self.flat_tolerance, low=0.0, unit="V")
        for name, unit in (("flat_duration", "s"), ("clip_duration", "s"), ("line_noise_ratio", "")):
            if getattr(self, name) is not None:
                check_positive(f"rules.{name}", getattr(self, name), unit=unit)
        if self.clip_fraction is not None:
            check_number("rules.clip_fraction", self.clip_fraction, low=0.0, high=1.0, low_inclusive=False)
        if isinstance(self.line_freqs, (str, bytes)) or not isinstance(self.line_freqs, Sequence):
            raise TypeError(f"rules.line_freqs must be a sequence of frequencies in Hz, got {self.line_freqs!r}.")
        freqs = tuple(check_positive("rules.line_freqs", f, unit="Hz") for f in self.line_freqs)
        object.__setattr__(self, "line_freqs", freqs)


_ECG = PlausibilityRules(
    amplitude_range=(0.1e-3, 10e-3), amplitude_window=3.0, heart_rate_range=(30.0, 220.0), rr_range=(0.2, 3.0)
)
#: Default rules per modality (see the module docstring for the sources).
DEFAULT_RULES: dict[str, PlausibilityRules] = {
    "eeg": PlausibilityRules(amplitude_range=(1e-6, 1e-3)),
    "ecg": _ECG,
    "ecog": PlausibilityRules(amplitude_range=(1e-6, 5e-3)),
    "seeg": PlausibilityRules(amplitude_range=(1e-6, 5e-3)),
    "lfp": PlausibilityRules(amplitude_range=(0.1e-6, 5e-3)),
    "emg": PlausibilityRules(amplitude_range=(1e-6, 10e-3)),
    "acc": PlausibilityRules(line_freqs=()),
    "misc": PlausibilityRules(),
}


class _Finding(NamedTuple):
    """Outcome of one rule on one record: flag (None = not checked), numbers, text."""

    flag: bool | None
    values: dict[str, float]
    reason: str = ""
    channels: tuple[str, ...] = ()


def check_plausibility(
    signals: xr.DataArray,
    *,
    modality: str | None = None,
    rules: PlausibilityRules | Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Flag records with biologically implausible values, with the reason for each flag.

    Runs the rules of :class:`PlausibilityRules` on every record: amplitude range,
    flat lines, clipping, mains interference and, for ECG, heart rate and RR intervals
    (R peaks by :func:`neurokit2.ecg_peaks` on :func:`neurokit2.ecg_clean` output). The
    default thresholds and their sources are listed in the module docstring. A record
    that passes has no rule fired; that is no proof that it is physiological.

    Parameters
    ----------
    signals : DataArray
        biosynth container (with or without a ``record`` dim), in volt units or
        ``"a.u."`` (then the amplitude rule is skipped).
    modality : str | None
        Which defaults to use: ``"eeg"``, ``"ecg"``, ``"ecog"``, ``"seeg"``, ``"lfp"``,
        ``"emg"``, ``"acc"`` or ``"misc"``; None reads ``signals.attrs["modality"]``.
    rules : PlausibilityRules | mapping | None
        Thresholds: a full set, a mapping of the fields to override in the modality's
        defaults (e.g. ``{"flat_duration": 2.0}``), or None for the defaults.

    Returns
    -------
    report : DataFrame, one row per record (index ``record``)
        ``implausible`` (bool), ``label`` (``"biologically implausible values"`` or
        ``"plausible"``), ``reasons`` (text naming rule, channels and values),
        ``channels`` (flagged channels, comma-separated); one nullable boolean column
        per rule (``amplitude``, ``flat_line``, ``clipping``, ``line_noise``,
        ``heart_rate``; True = flagged, <NA> = not checked); and the measured values:
        ``ptp_max_uV`` (largest window peak-to-peak) and ``ptp_median_uV`` (smallest
        channel median), in uV; ``flat_max_s`` and ``clip_run_s`` (longest runs, s);
        ``clip_share`` (0-1); ``line_noise_ratio`` (largest over channels and mains
        frequencies); ``heart_rate_bpm`` (median over channels); ``rr_min_s`` and
        ``rr_max_s``. ``report.attrs`` holds the modality and the rules used.

    Examples
    --------
    >>> import numpy as np
    >>> from biosynth.signals import make_signals
    >>> x = np.random.default_rng(0).normal(scale=20e-6, size=(2, 1, 500))
    >>> x[1, 0, 100:300] = 0.0  # 0.8 s flat at 250 Hz
    >>> check_plausibility(make_signals(x, 250.0), rules={"flat_duration": 0.5})["flat_line"].tolist()
    [False, True]
    """
    batch = as_batch(signals)
    if batch.sizes[TIME] < 2:
        raise ValueError(f"signals needs at least 2 samples per record, got {batch.sizes[TIME]}.")
    modality = check_option("modality", batch.attrs["modality"] if modality is None else modality, DEFAULT_RULES)
    rules = _resolve_rules(rules, modality)
    volts = batch.attrs["units"] != "a.u."
    values = batch.values.astype(np.float64) * (unit_factor(batch.attrs["units"], "V") if volts else 1.0)
    names = tuple(str(c) for c in batch[CHANNEL].values)
    rows = [_check_record(x, batch.attrs["sfreq"], names, rules, volts) for x in values]
    report = pd.DataFrame(rows, index=pd.Index(batch[RECORD].values, name=RECORD))
    report[list(RULE_NAMES)] = report[list(RULE_NAMES)].astype("boolean")
    report.attrs = {"modality": modality, "rules": asdict(rules)}
    return report


def _resolve_rules(rules: Any, modality: str) -> PlausibilityRules:
    """The rules to apply: given, defaults of ``modality``, or defaults overridden."""
    if rules is None or isinstance(rules, PlausibilityRules):
        return rules or DEFAULT_RULES[modality]
    if not isinstance(rules, Mapping):
        raise TypeError(
            f"rules must be a PlausibilityRules, a mapping of thresholds to override or None, "
            f"got {type(rules).__name__}."
        )
    known = [f.name for f in fields(PlausibilityRules)]
    unknown = sorted(set(rules) - set(known))
    if unknown:
        raise ValueError(f"rules has unknown thresholds {unknown}; expected names among {known}.")
    return replace(DEFAULT_RULES[modality], **rules)


def _check_record(x: np.ndarray, sfreq: float, names: tuple[str, ...], rules: PlausibilityRules, volts: bool) -> dict:
    """All rules on one record (channels, times) -> one report row."""
    findings = {  # keys in the order of RULE_NAMES
        "amplitude": _amplitude(x, sfreq, names, rules, volts),
        "flat_line": _flat(x, sfreq, names, rules),
        "clipping": _clipping(x, sfreq, names, rules),
        "line_noise": _line_noise(x, sfreq, names, rules),
        "heart_rate": _heart(x, sfreq, names, rules, volts),
    }
    implausible = any(f.flag for f in findings.values())
    flagged = {c for f in findings.values() for c in f.channels}
    row = {
        "implausible": implausible,
        "label": IMPLAUSIBLE if implausible else "plausible",
        "reasons": "; ".join(f.reason for f in findings.values() if f.reason),
        "channels": ", ".join(c for c in names if c in flagged),
    }
    row.update({name: (pd.NA if f.flag is None else f.flag) for name, f in findings.items()})
    for f in findings.values():
        row.update(f.values)
    return row


def _amplitude(x: np.ndarray, sfreq: float, names: tuple, rules: PlausibilityRules, volts: bool) -> _Finding:
    """Peak-to-peak per window: any window above ``high``, median below ``low``."""
    if rules.amplitude_range is None or not volts:
        return _Finding(None, {"ptp_max_uV": np.nan, "ptp_median_uV": np.nan})
    size = max(2, min(x.shape[1], round(rules.amplitude_window * sfreq)))
    starts = np.arange(0, x.shape[1], size)
    if len(starts) > 1 and x.shape[1] - starts[-1] < size / 2:
        starts = starts[:-1]  # a short tail joins the window before it
    ptp = np.maximum.reduceat(x, starts, axis=1) - np.minimum.reduceat(x, starts, axis=1)
    top, typical = ptp.max(axis=1), np.median(ptp, axis=1)
    (low, high), window = rules.amplitude_range, f"{rules.amplitude_window:g} s windows"
    reasons = []
    if (top > high).any():
        reasons.append(f"amplitude: peak-to-peak above {_volts(high)} ({window}) in {_listing(names, top, top > high)}")
    if (typical < low).any():
        listing = _listing(names, typical, typical < low)
        reasons.append(f"amplitude: median peak-to-peak below {_volts(low)} ({window}) in {listing}")
    bad = (top > high) | (typical < low)
    values = {"ptp_max_uV": float(top.max() * 1e6), "ptp_median_uV": float(typical.min() * 1e6)}
    return _Finding(bool(bad.any()), values, "; ".join(reasons), _names(names, bad))


def _flat(x: np.ndarray, sfreq: float, names: tuple, rules: PlausibilityRules) -> _Finding:
    """Longest stretch whose sample-to-sample steps stay within the tolerance."""
    longest = (_longest_run(np.abs(np.diff(x, axis=1)) <= rules.flat_tolerance) + 1) / sfreq
    values = {"flat_max_s": float(longest.max())}
    if rules.flat_duration is None:
        return _Finding(None, values)
    bad = longest >= rules.flat_duration
    reason = f"flat line: no variation for {rules.flat_duration:g} s or more in {_listing(names, longest, bad, ' s')}"
    return _Finding(bool(bad.any()), values, reason if bad.any() else "", _names(names, bad))


def _clipping(x: np.ndarray, sfreq: float, names: tuple, rules: PlausibilityRules) -> _Finding:
    """Runs at, and repeats of, each channel's extreme values (flat channels exempt)."""
    at_max, at_min = x == x.max(axis=1, keepdims=True), x == x.min(axis=1, keepdims=True)
    live = x.max(axis=1) > x.min(axis=1)
    run = np.where(live, np.maximum(_longest_run(at_max), _longest_run(at_min)), 0)
    share = np.where(live, (at_max.sum(axis=1) + at_min.sum(axis=1) - 2) / x.shape[1], 0.0)
    values = {"clip_run_s": float(run.max() / sfreq), "clip_share": float(share.max())}
    if rules.clip_duration is None and rules.clip_fraction is None:
        return _Finding(None, values)
    reasons, bad = [], np.zeros(len(x), dtype=bool)
    if rules.clip_duration is not None:
        limit = max(3, math.ceil(rules.clip_duration * sfreq - 1e-9))
        hit = run >= limit
        if hit.any():
            reasons.append(
                f"clipping: {limit} or more samples in a row at the extreme in {_listing(names, run, hit, ' samples')}"
            )
        bad |= hit
    if rules.clip_fraction is not None:
        hit = share > rules.clip_fraction
        if hit.any():
            listing = _listing(names, share * 100, hit, " %")
            reasons.append(f"clipping: over {rules.clip_fraction * 100:.3g} % of samples at the extremes in {listing}")
        bad |= hit
    return _Finding(bool(bad.any()), values, "; ".join(reasons), _names(names, bad))


def _line_noise(x: np.ndarray, sfreq: float, names: tuple, rules: PlausibilityRules) -> _Finding:
    """Welch power within 1 Hz of each mains frequency over that 2-5 Hz away."""
    freqs, psd = welch_psd(x, sfreq)
    ratios = np.full((len(rules.line_freqs), len(x)), np.nan)
    for i, f0 in enumerate(rules.line_freqs):
        line = np.abs(freqs - f0) <= 1.0
        side = (np.abs(freqs - f0) >= 2.0) & (np.abs(freqs - f0) <= 5.0)
        if f0 + 5.0 <= freqs[-1] and line.any() and side.any():
            num, den = psd[:, line].mean(axis=1), psd[:, side].mean(axis=1)
            ratios[i] = np.divide(num, den, out=np.where(num > 0, np.inf, np.nan), where=den > 0)
    checked = ~np.isnan(ratios)  # inf: mains power over silent neighbours
    values = {"line_noise_ratio": float(np.max(ratios[checked])) if checked.any() else np.nan}
    if rules.line_noise_ratio is None or not checked.any():
        return _Finding(None, values)
    reasons, bad = [], np.zeros(len(x), dtype=bool)
    for f0, ratio in zip(rules.line_freqs, ratios, strict=True):
        hit = ratio > rules.line_noise_ratio
        if hit.any():
            limit = f"{rules.line_noise_ratio:g}x its 2-5 Hz neighbours"
            reasons.append(f"line noise: {f0:g} Hz power over {limit} in {_listing(names, ratio, hit, 'x')}")
        bad |= hit
    return _Finding(bool(bad.any()), values, "; ".join(reasons), _names(names, bad))


def _heart(x: np.ndarray, sfreq: float, names: tuple, rules: PlausibilityRules, volts: bool) -> _Finding:
    """Median heart rate and RR intervals from neurokit2 R peaks, per channel."""
    values = {"heart_rate_bpm": np.nan, "rr_min_s": np.nan, "rr_max_s": np.nan}
    hr_range, rr_range = rules.heart_rate_range, rules.rr_range
    longest = max(rr_range[1] if rr_range else 0.0, 60.0 / hr_range[0] if hr_range else 0.0)
    if (hr_range is None and rr_range is None) or x.shape[1] / sfreq < max(2 * longest, 2.0):
        return _Finding(None, values)  # too short for two beats at the slowest plausible rate
    rr = [_rr_intervals(row * (1e3 if volts else 1.0), sfreq) for row in x]  # neurokit2 works in mV
    few = np.array([r.size < 1 for r in rr])
    rate = np.array([np.median(60.0 / r) if r.size else np.nan for r in rr])
    rr_min = np.array([r.min() if r.size else np.nan for r in rr])
    rr_max = np.array([r.max() if r.size else np.nan for r in rr])
    if not few.all():
        values = {"heart_rate_bpm": float(np.nanmedian(rate)), "rr_min_s": float(np.nanmin(rr_min))}
        values["rr_max_s"] = float(np.nanmax(rr_max))
    reasons, bad = [], few.copy()
    if few.any():
        reasons.append(
            f"heart rate: fewer than 2 R peaks in {x.shape[1] / sfreq:g} s in {', '.join(_names(names, few))}"
        )
    if hr_range is not None:
        hit = ~few & ((rate < hr_range[0]) | (rate > hr_range[1]))
        if hit.any():
            span = f"{hr_range[0]:g}-{hr_range[1]:g} bpm"
            reasons.append(f"heart rate: median outside {span} in {_listing(names, rate, hit, ' bpm')}")
        bad |= hit
    if rr_range is not None:
        hit = ~few & ((rr_min < rr_range[0]) | (rr_max > rr_range[1]))
        if hit.any():
            shown = [f"{lo:.3g}-{hi:.3g} s" for lo, hi in zip(rr_min, rr_max, strict=True)]
            reasons.append(f"RR interval: outside {rr_range[0]:g}-{rr_range[1]:g} s in {_listing(names, shown, hit)}")
        bad |= hit
    return _Finding(bool(bad.any()), values, "; ".join(reasons), _names(names, bad))


def _rr_intervals(ecg: np.ndarray, sfreq: float) -> np.ndarray:
    """RR intervals, in s, between the R peaks neurokit2 finds in one lead."""
    import neurokit2 as nk

    cleaned = nk.ecg_clean(ecg, sampling_rate=sfreq)
    _, info = nk.ecg_peaks(cleaned, sampling_rate=sfreq, mindelay=_R_PEAK_GAP)
    return np.diff(np.asarray(info["ECG_R_Peaks"])) / sfreq


def _longest_run(mask: np.ndarray) -> np.ndarray:
    """Length of the longest run of True in each row of a 2-D boolean array."""
    edges = np.diff(np.pad(mask.astype(np.int8), ((0, 0), (1, 1))), axis=1)
    out = np.zeros(len(mask), dtype=np.int64)
    for i, row in enumerate(edges):
        starts, ends = np.flatnonzero(row == 1), np.flatnonzero(row == -1)
        out[i] = (ends - starts).max() if starts.size else 0
    return out


def _names(names: tuple[str, ...], mask: np.ndarray) -> tuple[str, ...]:
    return tuple(n for n, m in zip(names, mask, strict=True) if m)


def _listing(names: Sequence[str], shown: Any, mask: np.ndarray, unit: str | None = None, limit: int = 3) -> str:
    """'Cz (8.1 mV), Pz (7.9 mV) and 2 more channels': flagged channels with values.

    ``unit`` (appended as given, e.g. ``" s"``) None formats numbers as voltages;
    strings in ``shown`` are used as given.
    """
    items = []
    for name, value, hit in zip(names, shown, mask, strict=True):
        if hit:
            text = value if isinstance(value, str) else _volts(value) if unit is None else f"{value:.3g}{unit}"
            items.append(f"{name} ({text})")
    extra = len(items) - limit
    more = f" and {extra} more channel{'s' if extra > 1 else ''}" if extra > 0 else ""
    return ", ".join(items[:limit]) + more


def _volts(value: float) -> str:
    """A voltage with a readable unit: '8.12 mV', '0.3 uV'."""
    scale, unit = next(((s, u) for s, u in ((1.0, "V"), (1e-3, "mV")) if abs(value) >= s), (1e-6, "uV"))
    return f"{value / scale:.3g} {unit}"
