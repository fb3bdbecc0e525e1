# SPDX-License-Identifier: BSD-3-Clause
"""The realism benchmark of issue 17: generators fitted on one part of a real recording,
judged by :func:`biosynth.fidelity.compare` against the part they never saw.

For one recording, :func:`realism_table`

1. splits it (:func:`split_recording`): a continuous recording (one record) in time, the
   first ``fit_fraction`` to fit and the rest held out; a set of segments (several
   records, e.g. a Bonn set) by records, the first ``fit_fraction`` of the records (in
   file order) to fit and the following ones held out, at most ``max_records`` each;
2. cuts both parts into epochs of ``epoch`` s (default :func:`default_epoch`: at most
   :data:`MAX_EPOCH_S`, and short enough for :data:`MIN_EPOCHS` epochs per part; one rule
   for every recording);
3. fits each candidate generator on the fit part (continuous, or its segments) and samples
   as many epochs as the held-out part has;
4. runs ``compare(fit_epochs, synthetic, holdout=held_out_epochs)`` per candidate and
   ``compare(fit_epochs, held_out_epochs)``, the real-vs-real reference (row
   ``"held-out real"``);
5. reports per candidate the median ratio per section (``FidelityReport.summary()``), the
   classifier two-sample AUC, the privacy figures and whether the :class:`Targets` hold,
   with the reason where they do not.

Candidates (:data:`CANDIDATES`; more can be passed as :class:`Candidate`): ``"fitted"``
(``biosynth.generators.learned.SpectralGenerator``, skipped where this biosynth does not
have it), ``"ar"`` (:class:`~biosynth.generators.learned.ARGenerator`), ``"defaults"``
(today's parametric estimator of the modality: :class:`~biosynth.generators.EEGGenerator`,
:class:`~biosynth.generators.IoECoGGenerator` or :class:`~biosynth.generators.ParkinsonGenerator`)
and ``"iaaft"`` (:class:`~biosynth.generators.learned.IAAFTSurrogate`, the ceiling: it
rearranges real samples and holds them).

:func:`run_realism` does this for every suitable recording of the real-data folder
(:data:`RECORDINGS`), :func:`realism_markdown` and :func:`write_realism` write the result.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import xarray as xr

from biosynth._utils.check import check_int, check_number
from biosynth._utils.files import atomic_output
from biosynth._version import __version__
from biosynth.bench.timing import json_clean, machine_info
from biosynth.signals import CHANNEL, RECORD, TIME, as_batch, epochs, make_signals

__all__ = [
    "CANDIDATES",
    "HELD_OUT",
    "MAX_EPOCH_S",
    "MIN_EPOCHS",
    "RECORDINGS",
    "SECTIONS",
    "Candidate",
    "RealRecording",
    "Sampler",
    "Split",
    "Targets",
    "Unavailable",
    "check_targets",
    "default_epoch",
    "default_generators",
    "load_recording",
    "realism_markdown",
    "realism_table",
    "run_realism",
    "split_recording",
    "write_realism",
]

#: Longest epoch, in s.
MAX_EPOCH_S = 4.0
#: Fewest epochs per part that the default epoch length gives.
MIN_EPOCHS = 16
#: Sections whose median ratio is a target.
SECTIONS = ("spectral", "statistical", "nonlinear", "multivariate")
#: Name of the real-vs-real row.
HELD_OUT = "held-out real"
#: Shortest record the parametric defaults sample, in s (``simulate_parkinson``'s minimum);
#: shorter epochs are cut from records this long.
PARAMETRIC_MIN_S = 2.0


# --- targets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Targets:
    """The targets of issue 17.

    Attributes
    ----------
    auc_floor, auc_margin : float
        The C2ST AUC must be at most ``max(auc_floor, held-out real AUC + auc_margin)``.
    max_ratio : float
        Largest median ratio (to real-vs-real) allowed in each of :data:`SECTIONS`.
    max_mia_auc : float
        Largest membership-inference AUC.
    copies_level : float
        Memorised copies: at most the count that a generator of fresh records reaches
        with this probability (see :func:`check_targets`).
    """

    auc_floor: float = 0.75
    auc_margin: float = 0.05
    max_ratio: float = 1.5
    max_mia_auc: float = 0.6
    copies_level: float = 0.95

    def max_auc(self, heldout_auc: float) -> float:
        """The C2ST AUC target for a recording whose held-out real part scores ``heldout_auc``.

        Parameters
        ----------
        heldout_auc : float
            C2ST AUC of the held-out real part against the fit part (NaN: the floor).

        Returns
        -------
        target : float
        """
        return self.auc_floor if not np.isfinite(heldout_auc) else max(self.auc_floor, heldout_auc + self.auc_margin)


def allowed_copies(n_synthetic: int, n_held_out: int, level: float = 0.95) -> int:
    """Memorised copies that a generator drawing fresh records reaches with probability ``level``.

    ``compare`` flags a synthetic record as a copy when it lies within the 1st percentile
    of the held-out-to-fit distances: about ``max(0.01, 1 / n_held_out)`` of the held-out
    records themselves. A fresh record is flagged with that probability, so the count is
    binomial.

    Parameters
    ----------
    n_synthetic, n_held_out : int
        Synthetic and held-out epochs compared.
    level : float, default=0.95
        Quantile of the binomial count.

    Returns
    -------
    copies : int
    """
    from scipy.stats import binom

    return int(binom.ppf(level, n_synthetic, max(0.01, 1.0 / max(n_held_out, 1))))


def check_targets(row: Mapping[str, Any], *, heldout_auc: float, targets: Targets | None = None) -> list[str]:
    """The targets a candidate's row misses, the farthest first.

    Parameters
    ----------
    row : mapping
        A row of :func:`realism_table`: the median ratio per section (with the worst
        metric of the section in ``"<section>_worst"``), ``c2st_auc``, ``mia_auc``,
        ``memorised_copies`` and ``copies_allowed``. NaN or absent values are not checked.
    heldout_auc : float
        C2ST AUC of the held-out real part.
    targets : Targets or None, default=None
        None: :class:`Targets` ().

    Returns
    -------
    misses : list of str
        One phrase per missed target, the one with the largest excess (value over limit)
        first; empty when all hold.
    """
    targets = Targets() if targets is None else targets
    misses: list[tuple[float, str]] = []
    limit = targets.max_auc(heldout_auc)
    _miss(misses, row.get("c2st_auc"), limit, "C2ST AUC {v:.2f} > {lim:.2f}")
    for section in SECTIONS:
        worst = row.get(f"{section}_worst") or ""
        text = f"{section} {{v:.3g}} > {{lim:g}}" + (f" (worst: {worst})" if worst else "")
        _miss(misses, row.get(section), targets.max_ratio, text)
    _miss(misses, row.get("mia_auc"), targets.max_mia_auc, "MIA AUC {v:.2f} > {lim:g}")
    copies, allowed = row.get("memorised_copies"), row.get("copies_allowed")
    if _finite(copies) and _finite(allowed) and copies > allowed:
        misses.append((copies / max(allowed, 1.0), f"memorised copies {int(copies)} > {int(allowed)}"))
    return [text for _, text in sorted(misses, key=lambda m: -m[0])]


def _miss(misses: list[tuple[float, str]], value: Any, limit: float, text: str) -> None:
    if _finite(value) and value > limit:
        misses.append((value / limit, text.format(v=value, lim=limit)))


def _finite(value: Any) -> bool:
    try:
        return bool(np.isfinite(float(value)))
    except (TypeError, ValueError):
        return False


# --- the split --------------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    """A recording split into a fit part and a held-out part, and both cut into epochs.

    Attributes
    ----------
    fit, held_out : DataArray, dims ("record", "channel", "time")
        The parts as recorded (continuous, or whole segments): generators fit on ``fit``.
    fit_epochs, held_out_epochs : DataArray, dims ("record", "channel", "time")
        The parts cut into epochs of ``epoch`` s: what ``compare`` sees.
    epoch : float
        Epoch length, in s (a whole number of samples).
    by : {"time", "records"}
        How the recording was split.
    """

    fit: xr.DataArray
    held_out: xr.DataArray
    fit_epochs: xr.DataArray
    held_out_epochs: xr.DataArray
    epoch: float
    by: str


def default_epoch(n_times: int, n_records: int, sfreq: float) -> float:
    """The default epoch length: at most :data:`MAX_EPOCH_S`, and short enough that a part
    of ``n_records`` records of ``n_times`` samples gives :data:`MIN_EPOCHS` epochs.

    Each record gives ``ceil(MIN_EPOCHS / n_records)`` epochs or more: the epoch is
    ``min(MAX_EPOCH_S, record length / ceil(MIN_EPOCHS / n_records))``, rounded down to whole
    samples. A 60-s recording split in halves gets 1.875-s epochs; 40 Bonn segments of
    23.6 s get 4-s epochs.

    Parameters
    ----------
    n_times : int
        Samples per record of the part (the shorter part).
    n_records : int
        Records of the part (the smaller part).
    sfreq : float
        Sampling rate, in Hz.

    Returns
    -------
    epoch : float
        In s.
    """
    per_record = math.ceil(MIN_EPOCHS / n_records)
    n_samples = min(round(MAX_EPOCH_S * sfreq), n_times // per_record)
    return n_samples / sfreq


def split_recording(
    recording: xr.DataArray,
    *,
    fit_fraction: float = 0.5,
    epoch: float | None = None,
    max_records: int | None = None,
) -> Split:
    """Split a recording into a fit part and a held-out part (see the module notes).

    Parameters
    ----------
    recording : DataArray
        A biosynth container: one record (split in time) or several (split by records).
    fit_fraction : float, default=0.5
        Share of the time (one record) or of the records that is fitted on, in (0, 1).
    epoch : float or None, default=None
        Epoch length, in s; None: :func:`default_epoch` of the smaller part.
    max_records : int or None, default=None
        Several records: keep at most this many per part (the first of each).

    Returns
    -------
    split : Split

    Raises
    ------
    ValueError
        A fraction outside (0, 1), or parts that give fewer than 4 epochs (``compare``
        splits the fit part in halves and needs 2 records in each).
    """
    fit_fraction = check_number("fit_fraction", fit_fraction, low=0.0, high=1.0, low_inclusive=False,
                                high_inclusive=False)  # fmt: skip
    batch = as_batch(recording)
    if batch.sizes[RECORD] == 1:
        cut = round(fit_fraction * batch.sizes[TIME])
        fit, held, by = batch.isel({TIME: slice(None, cut)}), batch.isel({TIME: slice(cut, None)}), "time"
    else:
        cut = round(fit_fraction * batch.sizes[RECORD])
        fit, held, by = batch.isel({RECORD: slice(None, cut)}), batch.isel({RECORD: slice(cut, None)}), "records"
        if max_records is not None:
            keep = slice(None, check_int("max_records", max_records, low=1))
            fit, held = fit.isel({RECORD: keep}), held.isel({RECORD: keep})
    if min(fit.sizes[RECORD], held.sizes[RECORD], fit.sizes[TIME], held.sizes[TIME]) < 1:
        raise ValueError(f"fit_fraction={fit_fraction:g} leaves one part of the recording empty.")
    sfreq = float(batch.attrs["sfreq"])
    if epoch is None:
        epoch = default_epoch(min(fit.sizes[TIME], held.sizes[TIME]), min(fit.sizes[RECORD], held.sizes[RECORD]), sfreq)
    epoch = round(check_number("epoch", epoch, low=0.0, low_inclusive=False, unit="s") * sfreq) / sfreq
    fit_epochs, held_epochs = _epochs(fit, epoch), _epochs(held, epoch)
    return Split(fit, held, fit_epochs, held_epochs, epoch, by)


def _epochs(part: xr.DataArray, epoch: float) -> xr.DataArray:
    n = part.sizes[TIME] // max(round(epoch * float(part.attrs["sfreq"])), 1) * part.sizes[RECORD]
    if n < 4:
        raise ValueError(
            f"epoch={epoch:g} s gives {n} epochs in a part of {part.sizes[RECORD]} record(s) of "
            f"{part.sizes[TIME] / float(part.attrs['sfreq']):g} s; at least 4 are needed (shorten the epoch)."
        )
    return epochs(part, epoch)


# --- candidates -------------------------------------------------------------------------


class Sampler(Protocol):
    """What a candidate's ``fit`` returns: an object that draws synthetic epochs."""

    def sample(self, n_records: int, *, duration: float, seed: int) -> xr.DataArray:
        """``n_records`` records of ``duration`` s, dims ("record", "channel", "time"), with the
        fit part's channel names, rate and a volt unit (or its unit)."""


class Unavailable(RuntimeError):
    """A candidate cannot run here (a missing package or class, an unsupported recording);
    the table shows the message and goes on."""


@dataclass(frozen=True)
class Candidate:
    """A generator as the benchmark runs it.

    Attributes
    ----------
    name : str
        Column name in the tables.
    fit : callable
        ``fit(fit_part, seed) -> Sampler``: ``fit_part`` is :attr:`Split.fit` (continuous,
        or the fit segments); raises :class:`Unavailable` when it cannot run here.
    description : str
        One line for the table's notes.
    holds_real_samples : bool, default=False
        The fitted object keeps real samples (a surrogate: a ceiling, not a model).
    """

    name: str
    fit: Callable[[xr.DataArray, int], Sampler]
    description: str
    holds_real_samples: bool = False


def _fit_spectral(fit: xr.DataArray, seed: int) -> Sampler:
    try:
        from biosynth.generators.learned import SpectralGenerator
    except ImportError as err:
        raise Unavailable(
            "biosynth.generators.learned.SpectralGenerator is not in this biosynth (issue 17); 'ar' can stand in"
        ) from err
    return SpectralGenerator(seed=seed).fit(fit)


def _fit_ar(fit: xr.DataArray, seed: int) -> Sampler:
    from biosynth.generators.learned import ARGenerator

    return ARGenerator(on_unstable="shrink").fit(fit)


def _fit_iaaft(fit: xr.DataArray, seed: int) -> Sampler:
    from biosynth.generators.learned import IAAFTSurrogate

    return IAAFTSurrogate().fit(fit)


#: Modality -> the parametric estimator that ``"defaults"`` fits.
DEFAULT_ESTIMATORS = {"eeg": "EEGGenerator", "ecog": "IoECoGGenerator", "seeg": "IoECoGGenerator",
                      "lfp": "ParkinsonGenerator"}  # fmt: skip


def _fit_defaults(fit: xr.DataArray, seed: int) -> Sampler:
    from biosynth import generators

    modality, units = fit.attrs["modality"], fit.attrs["units"]
    if modality not in DEFAULT_ESTIMATORS:
        raise Unavailable(f"no parametric default for modality {modality!r} (known: {sorted(DEFAULT_ESTIMATORS)})")
    if units == "a.u.":
        raise Unavailable("the recording's units are arbitrary ('a.u.'); the parametric defaults fit volts")
    estimator = getattr(generators, DEFAULT_ESTIMATORS[modality])()
    return _Conformed(estimator.fit(fit), [str(c) for c in fit[CHANNEL].values])


class _Conformed:
    """A parametric estimator's samples as epochs with the real channel names: records of at
    least :data:`PARAMETRIC_MIN_S` cut into epochs, the ``"lfp"`` signal of a mapping, and
    channels renamed in order (or filled from further records when the counts differ)."""

    def __init__(self, estimator: Any, names: list[str]) -> None:
        self.estimator, self.names = estimator, names

    def sample(self, n_records: int, *, duration: float, seed: int) -> xr.DataArray:
        sfreq = float(self.estimator.simulation_params()["sfreq"])
        n_times = round(duration * sfreq)
        per_record = math.ceil(PARAMETRIC_MIN_S * sfreq / n_times)
        rounds = math.ceil(len(self.names) / self._n_channels(n_times * per_record, sfreq, seed))
        n_draw = math.ceil(n_records / per_record) * rounds
        out = self.estimator.sample(n_draw, duration=n_times * per_record / sfreq, seed=seed)
        out = out["lfp"] if isinstance(out, Mapping) else out
        values = out.values.reshape(rounds, -1, *out.shape[1:]).transpose(1, 0, 2, 3)
        values = values.reshape(values.shape[0], -1, values.shape[-1])[:, : len(self.names)]
        batch = make_signals(values, sfreq, ch_names=self.names, units=out.attrs["units"],
                             modality=out.attrs["modality"], provenance=out.attrs["provenance"])  # fmt: skip
        return epochs(batch, n_times / sfreq).isel({RECORD: slice(None, n_records)})

    def _n_channels(self, n_times: int, sfreq: float, seed: int) -> int:
        if not hasattr(self, "_channels"):
            probe = self.estimator.sample(1, duration=n_times / sfreq, seed=seed)
            self._channels = (probe["lfp"] if isinstance(probe, Mapping) else probe).sizes[CHANNEL]
        return self._channels


#: The candidates by name.
CANDIDATES: dict[str, Candidate] = {
    "fitted": Candidate("fitted", _fit_spectral, "biosynth.generators.learned.SpectralGenerator (issue 17)"),
    "ar": Candidate("ar", _fit_ar, "ARGenerator: one linear AR model per channel (order by AIC, at most 20)"),
    "defaults": Candidate(
        "defaults",
        _fit_defaults,
        "today's parametric estimator of the modality: EEGGenerator (match_recording) for EEG, "
        "IoECoGGenerator for ECoG/sEEG, ParkinsonGenerator for LFP",
    ),
    "iaaft": Candidate(
        "iaaft",
        _fit_iaaft,
        "IAAFTSurrogate: multivariate IAAFT of random windows of the fit part (the ceiling; it holds real samples)",
        holds_real_samples=True,
    ),
}


def default_generators() -> tuple[str, ...]:
    """``("fitted", "defaults", "iaaft")``, with ``"ar"`` in place of ``"fitted"`` where this
    biosynth has no ``SpectralGenerator``.

    Returns
    -------
    names : tuple of str
    """
    from biosynth.generators import learned

    return ("fitted" if hasattr(learned, "SpectralGenerator") else "ar", "defaults", "iaaft")


def _candidates(generators: Iterable[str | Candidate] | None) -> list[Candidate]:
    out = []
    for g in default_generators() if generators is None else generators:
        if isinstance(g, Candidate):
            out.append(g)
        elif g in CANDIDATES:
            out.append(CANDIDATES[g])
        else:
            raise ValueError(f"generators must name candidates from {sorted(CANDIDATES)} or be Candidates; got {g!r}.")
    names = [c.name for c in out]
    if len(set(names)) != len(names) or HELD_OUT in names:
        raise ValueError(f"generators must have distinct names other than {HELD_OUT!r}; got {names}.")
    return out


# --- the table --------------------------------------------------------------------------

#: Columns of :func:`realism_table`, in order.
COLUMNS = (*SECTIONS, "c2st_auc", "auc_target", "mia_auc", "memorised_copies", "copies_allowed",
           "holds_real_samples", "fit_s", "sample_s", "compare_s", "passes", "reason",
           *(f"{s}_worst" for s in SECTIONS))  # fmt: skip


def realism_table(
    recording: xr.DataArray,
    *,
    generators: Iterable[str | Candidate] | None = None,
    fit_fraction: float = 0.5,
    epoch: float | None = None,
    max_records: int | None = None,
    seed: int = 0,
    sections: Sequence[str] = SECTIONS,
    targets: Targets | None = None,
    compare_options: Mapping[str, Any] | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Fit each candidate on one part of ``recording`` and judge it on the other.

    Parameters
    ----------
    recording : DataArray
        A real recording in physical units: one record (split in time) or segments
        (split by records); see :func:`split_recording`.
    generators : iterable of str or Candidate, or None, default=None
        Names from :data:`CANDIDATES`, or :class:`Candidate` objects (e.g. a peer's
        adapter); None: :func:`default_generators`.
    fit_fraction, epoch, max_records
        As for :func:`split_recording`.
    seed : int, default=0
        Seed of the fits, the samples and the comparisons.
    sections : sequence of str, default=SECTIONS
        The fidelity sections compared (fewer is faster); the privacy section is always
        added for the candidates.
    targets : Targets or None, default=None
        None: :class:`Targets` ().
    compare_options : mapping or None, default=None
        Further keyword arguments of :func:`biosynth.fidelity.compare` (``device``,
        ``nonlinear``, ...).
    progress : bool, default=False
        Show a progress bar over the candidates.

    Returns
    -------
    table : DataFrame
        Index: ``"held-out real"`` (the real-vs-real reference), then the candidates.
        Columns (:data:`COLUMNS`): median ratio per section; ``c2st_auc`` (the classifier
        two-sample AUC folded to at least 0.5, ``0.5 + |AUC - 0.5|``, as ``compare``'s
        ``classifier_discrimination``); ``auc_target``; ``mia_auc``;
        ``memorised_copies`` (flagged synthetic epochs) and ``copies_allowed``
        (:func:`allowed_copies`); ``holds_real_samples``; seconds of fit, sample and
        compare; ``passes`` (True or False; missing for the reference and for candidates
        that did not run); ``reason`` (the missed targets, worst first, or why a candidate did
        not run); the worst metric of each section. ``table.attrs`` holds the split:
        ``epoch_s``, ``by``, ``n_fit_epochs``, ``n_held_out_epochs``, ``heldout_auc``,
        ``sfreq``, ``n_channels``, ``targets``.
    """
    from tqdm.auto import tqdm

    candidates = _candidates(generators)
    targets = Targets() if targets is None else targets
    split = split_recording(recording, fit_fraction=fit_fraction, epoch=epoch, max_records=max_records)
    options = {"seed": seed, **(compare_options or {})}
    start = time.perf_counter()
    reference = _compare(split.fit_epochs, split.held_out_epochs, sections=list(sections), **options)
    rows = {HELD_OUT: {**_report_row(reference), "compare_s": time.perf_counter() - start}}
    heldout_auc = rows[HELD_OUT]["c2st_auc"]
    bar = tqdm(candidates, desc="candidates", unit="generator", disable=not progress, leave=False)
    for candidate in bar:
        bar.set_postfix_str(candidate.name)
        row = _candidate_row(candidate, split, seed, [*sections, "privacy"], options)
        if row.get("reason") is None:
            misses = check_targets(row, heldout_auc=heldout_auc, targets=targets)
            row.update(passes=not misses, reason="; ".join(misses))
        rows[candidate.name] = row
    table = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=list(COLUMNS))
    table["auc_target"] = targets.max_auc(heldout_auc)
    table.attrs.update(_split_info(split, heldout_auc, targets))
    return table


def _split_info(split: Split, heldout_auc: float, targets: Targets) -> dict[str, Any]:
    return {
        "epoch_s": split.epoch,
        "by": split.by,
        "n_fit_epochs": int(split.fit_epochs.sizes[RECORD]),
        "n_held_out_epochs": int(split.held_out_epochs.sizes[RECORD]),
        "heldout_auc": heldout_auc,
        "sfreq": float(split.fit.attrs["sfreq"]),
        "n_channels": int(split.fit.sizes[CHANNEL]),
        "targets": asdict(targets),
    }


def _compare(real: xr.DataArray, synthetic: xr.DataArray, **options: Any) -> Any:
    import warnings

    from biosynth.fidelity import compare

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # short epochs: empty bands, flat features
        return compare(real, synthetic, **options)


def _candidate_row(
    candidate: Candidate, split: Split, seed: int, sections: list[str], options: dict[str, Any]
) -> dict[str, Any]:
    """Fit, sample and compare one candidate; a row with the reason when it cannot run."""
    row: dict[str, Any] = {"holds_real_samples": candidate.holds_real_samples}
    n = int(split.held_out_epochs.sizes[RECORD])
    try:
        start = time.perf_counter()
        sampler = candidate.fit(split.fit, seed)
        row["fit_s"] = time.perf_counter() - start
        start = time.perf_counter()
        synthetic = sampler.sample(n, duration=split.epoch, seed=seed)
        row["sample_s"] = time.perf_counter() - start
        start = time.perf_counter()
        report = _compare(split.fit_epochs, synthetic, holdout=split.held_out_epochs, sections=sections, **options)
    except Unavailable as err:
        return {**row, "passes": None, "reason": f"skipped: {err}"}
    except Exception as err:  # one generator failing on one recording must not stop the others
        return {**row, "passes": None, "reason": f"failed: {type(err).__name__}: {_one_line(err)}"}
    row.update(_report_row(report), compare_s=time.perf_counter() - start)
    if _finite(row.get("memorised_copies")):
        row["copies_allowed"] = allowed_copies(n, n)
    return row


def _one_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else ""


def _report_row(report: Any) -> dict[str, Any]:
    """Median ratio and worst metric per section, C2ST AUC and privacy figures of a report."""
    table = report.table()
    summary = report.summary()
    row: dict[str, Any] = {}
    for section in SECTIONS:
        ratios = table.loc[table["section"] == section, ["name", "ratio"]].dropna()
        row[section] = float(summary.loc[section, "median_ratio"]) if section in summary.index else np.nan
        if len(ratios):
            worst = ratios.loc[ratios["ratio"].idxmax()]
            row[f"{section}_worst"] = f"{worst['name']} {worst['ratio']:.3g}"
    values = dict(zip(table["name"], table["value"], strict=True))
    row["c2st_auc"] = 0.5 + values.get("classifier_discrimination", np.nan) / 2
    row["mia_auc"] = values.get("mia_auc", np.nan)
    n_synthetic = int(report.info.get("n_records_synthetic", 0))
    share = values.get("memorised_copies_share", np.nan)
    row["memorised_copies"] = round(share * n_synthetic) if _finite(share) else np.nan
    return row


# --- the recordings of the real-data folder ---------------------------------------------


@dataclass(frozen=True)
class RealRecording:
    """A recording of the real-data folder as the benchmark reads it.

    Attributes
    ----------
    name : str
        Row label (``"eeglab"``, ``"bonn_A"``, ...).
    file : str
        File in the real-data folder (see its README).
    modality : str
        Modality given to the container (the files do not state one).
    description : str
        One line for the table.
    units : str or None, default=None
        Units to read the values in where the file's do not parse (None: the file's).
    kind : str or None, default=None
        Keep the channels whose ``channel_kinds`` entry is this (None: all).
    part : {"before", "from"} or None, default=None
        Keep the samples before, or from, ``seizure_onset_sample`` (None: all).
    segments : bool, default=False
        Rows of ``data`` are segments of one channel (the Bonn sets), not channels.
    """

    name: str
    file: str
    modality: str
    description: str
    units: str | None = None
    kind: str | None = None
    part: str | None = None
    segments: bool = False


#: The recordings of the real-data folder that the benchmark runs, in table order.
RECORDINGS: tuple[RealRecording, ...] = (
    RealRecording("eeglab", "eeg_eeglab_32ch.npz", "eeg", "scalp EEG, 32 ch, 128 Hz, 238 s (EEGLAB tutorial)"),
    RealRecording("seizure8_pre", "eeg_seizure_8ch.npz", "eeg", "scalp EEG, 8 ch, 100 Hz: the 163 s before the "
                  "seizure onset", part="before"),
    RealRecording("seizure8_ictal", "eeg_seizure_8ch.npz", "eeg", "scalp EEG, 8 ch, 100 Hz: the 163 s from the "
                  "seizure onset", part="from"),
    RealRecording("pt01_ecog", "ecog_seizure_onset_pt01_84ch.npz", "ecog", "intracranial ECoG, 84 ch, 1000 Hz, "
                  "3 s around a seizure onset (PT01); units not stated, read as nV as their scale suggests",
                  units="nV"),
    RealRecording("fedele_ieeg", "ieeg_hfo_fedele_50ch.npz", "seeg", "intracranial EEG in sleep, 50 ch, 2000 Hz, "
                  "5 s (Fedele HFO data)"),
    RealRecording("pd_stn_lfp", "lfp_pd_stn_ecog_medoff.npz", "lfp", "STN LFP, 3 ch, 1000 Hz, 19 s, Parkinson's "
                  "OFF medication", kind="stn_lfp"),
    RealRecording("pd_ecog", "lfp_pd_stn_ecog_medoff.npz", "ecog", "motor-cortex ECoG, 6 ch, 1000 Hz, 19 s, "
                  "Parkinson's OFF medication (same session)", kind="ecog"),
    *(
        RealRecording(f"bonn_{s}", f"eeg_bonn_set{s}_{c}.npz", "eeg", f"Bonn set {s}: {text}, 100 segments x 1 ch, "
                      "173.61 Hz, 23.6 s", segments=True)
        for s, c, text in (
            ("A", "Z", "healthy, surface, eyes open"),
            ("B", "O", "healthy, surface, eyes closed"),
            ("C", "N", "interictal, intracranial, opposite the epileptogenic zone"),
            ("D", "F", "interictal, intracranial, within the epileptogenic zone"),
            ("E", "S", "ictal, intracranial"),
        )
    ),
)  # fmt: skip


def load_recording(spec: RealRecording, folder: str | os.PathLike | None = None) -> xr.DataArray:
    """Read one recording of the real-data folder as :data:`RECORDINGS` describes it.

    Parameters
    ----------
    spec : RealRecording
        The recording.
    folder : str, path-like or None, default=None
        The real-data folder (see :func:`biosynth.datasets.real_data_dir`).

    Returns
    -------
    recording : DataArray
        ``("channel", "time")``, or ``("record", "channel", "time")`` for segments; float64
        in the file's units (or ``spec.units``).

    Raises
    ------
    FileNotFoundError
        The file is not there (one line; see :func:`biosynth.datasets.real_data_file`).
    """
    from biosynth.datasets import load_segments, real_data_file

    path = real_data_file(spec.file, folder)
    if spec.segments:
        return load_segments(path)
    with np.load(path, allow_pickle=False) as f:
        data, names = f["data"].astype(np.float64), [str(c) for c in f["ch_names"]]
        keep = np.ones(len(names), bool) if spec.kind is None else f["channel_kinds"] == spec.kind
        onset = int(f["seizure_onset_sample"]) if spec.part is not None else None
        sfreq, units = float(f["sfreq"]), spec.units or str(f["units"])
    times = {None: slice(None), "before": slice(None, onset), "from": slice(onset, None)}[spec.part]
    return make_signals(data[keep][:, times], sfreq, ch_names=[n for n, k in zip(names, keep, strict=True) if k],
                        units=units, modality=spec.modality, provenance={"source": spec.file})  # fmt: skip


#: Segments per part of a Bonn set (the quick run: :data:`QUICK_SEGMENTS`).
SEGMENTS_PER_PART = 40
QUICK_SEGMENTS = 10
#: The recordings of the quick run.
QUICK = ("eeglab", "fedele_ieeg", "pd_stn_lfp", "bonn_D")


def run_realism(
    real_data: str | os.PathLike | None = None,
    *,
    generators: Iterable[str | Candidate] | None = None,
    recordings: Sequence[str] | None = None,
    quick: bool = False,
    seed: int = 0,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """:func:`realism_table` for every recording of the real-data folder.

    Parameters
    ----------
    real_data : str, path-like or None, default=None
        The real-data folder (see :func:`biosynth.datasets.real_data_dir`).
    generators : iterable of str or Candidate, or None, default=None
        As for :func:`realism_table`.
    recordings : sequence of str or None, default=None
        Names from :data:`RECORDINGS`; None: all (``quick``: :data:`QUICK`).
    quick : bool, default=False
        Fewer recordings (:data:`QUICK`) and :data:`QUICK_SEGMENTS` Bonn segments per
        part instead of :data:`SEGMENTS_PER_PART`.
    seed : int, default=0
        As for :func:`realism_table`.
    progress : bool, default=True
        Progress bars over recordings and candidates.
    log : callable or None, default=None
        Called with one line per recording skipped (absent file) or done.

    Returns
    -------
    result : dict
        JSON-able: ``schema``, ``date``, ``machine``, ``biosynth_version``, ``parameters``,
        ``targets``, ``candidates`` (name -> description), ``recordings`` (name ->
        ``description``, ``split`` (the table's ``attrs``), ``table`` (candidate -> row),
        ``seconds``), ``skipped`` (name -> reason), ``seconds``.

    Raises
    ------
    FileNotFoundError
        ``real_data`` (or ``$BIOSYNTH_REAL_DATA``) names something that is not a folder.
    ValueError
        An unknown recording or generator name.
    """
    from tqdm.auto import tqdm

    from biosynth.datasets import real_data_dir

    folder = real_data_dir(real_data)  # a mistyped folder fails here
    candidates = _candidates(generators)
    specs = _specs(recordings if recordings is not None else QUICK if quick else None)
    result = _header(candidates, quick=quick, seed=seed, folder=folder)
    start = time.perf_counter()
    for spec in tqdm(specs, desc="recordings", unit="recording", disable=not progress):
        try:
            recording = load_recording(spec, folder)
        except FileNotFoundError as err:
            result["skipped"][spec.name] = str(err)
            (log or _ignore)(f"{spec.name}: skipped ({err})")
            continue
        begin = time.perf_counter()
        table = realism_table(
            recording,
            generators=candidates,
            seed=seed,
            progress=progress,
            max_records=(QUICK_SEGMENTS if quick else SEGMENTS_PER_PART) if spec.segments else None,
        )
        result["recordings"][spec.name] = {
            "description": spec.description,
            "split": dict(table.attrs),
            "table": _records(table),
            "seconds": time.perf_counter() - begin,
        }
        (log or _ignore)(f"{spec.name}: done in {time.perf_counter() - begin:.0f} s")  # fmt: skip
    result["seconds"] = time.perf_counter() - start
    return json_clean(result)


def _ignore(line: str) -> None:
    """A log that drops its lines."""


def _specs(names: Sequence[str] | None) -> list[RealRecording]:
    by_name = {r.name: r for r in RECORDINGS}
    unknown = sorted(set(names or ()) - set(by_name))
    if unknown:
        raise ValueError(f"recordings {unknown} are unknown; expected some of {list(by_name)}.")
    return list(RECORDINGS) if names is None else [by_name[n] for n in names]


def _header(candidates: list[Candidate], *, quick: bool, seed: int, folder: Path | None) -> dict[str, Any]:
    return {
        "schema": "biosynth.realism/1",
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine_info(),
        "biosynth_version": __version__,
        "parameters": {"quick": quick, "seed": seed, "fit_fraction": 0.5, "max_epoch_s": MAX_EPOCH_S,
                       "min_epochs": MIN_EPOCHS, "real_data": None if folder is None else str(folder)},
        "targets": asdict(Targets()),
        "candidates": {c.name: c.description for c in candidates},
        "recordings": {},
        "skipped": {},
    }  # fmt: skip


def _records(table: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Rows by candidate for JSON: NaN as None, infinities as ``"inf"`` (a ratio whose
    synthetic set misses the real one altogether, e.g. recall 0), NumPy scalars as Python."""
    return {
        str(name): {k: _json_value(v) for k, v in row.items()}
        for name, row in table.astype(object).to_dict(orient="index").items()
    }


def _json_value(value: Any) -> Any:
    if isinstance(value, (float, np.floating)) and not np.isfinite(value):
        return None if np.isnan(value) else ("inf" if value > 0 else "-inf")
    return value.item() if isinstance(value, np.generic) else value


# --- output -----------------------------------------------------------------------------

#: Metric rows of the Markdown tables: (label, column, format).
MARKDOWN_ROWS = (
    *((f"{s} median ratio", s, "{:.2f}") for s in SECTIONS),
    ("C2ST AUC", "c2st_auc", "{:.2f}"),
    ("MIA AUC", "mia_auc", "{:.2f}"),
    ("memorised copies (allowed)", "memorised_copies", None),
    ("holds real samples", "holds_real_samples", None),
    ("fit / sample / compare s", "fit_s", None),
    ("passes the targets", "passes", None),
)


def realism_markdown(result: Mapping[str, Any]) -> str:
    """The result of :func:`run_realism` as Markdown: one table per recording, rows the
    metrics and columns the candidates, after the machine, the date and what the numbers mean.

    Parameters
    ----------
    result : mapping
        As returned by :func:`run_realism` (or read back from its JSON).

    Returns
    -------
    text : str
    """
    targets = Targets(**result["targets"])
    lines = [
        "# Realism benchmark (issue 17)",
        "",
        f"biosynth {result['biosynth_version']}, {result['date']}, {_machine(result['machine'])}; "
        f"seed {result['parameters']['seed']}{', quick run' if result['parameters']['quick'] else ''}; "
        f"{result.get('seconds', float('nan')):.0f} s in all.",
        "",
        _MEANING.format(t=targets, max_epoch=MAX_EPOCH_S, min_epochs=MIN_EPOCHS),
        "",
        *(f"- `{name}`: {text}" for name, text in result["candidates"].items()),
        "",
    ]
    for name, entry in result["recordings"].items():
        lines += _recording_markdown(name, entry)
    lines += [f"- `{name}` skipped: {reason}" for name, reason in result["skipped"].items()]
    return "\n".join(lines).rstrip() + "\n"


_MEANING = (
    "Each recording is split in two: a continuous one in time (first half fitted, second half held out), a set "
    "of segments by segments (first half of the file's segments fitted, the following ones held out). Both "
    "parts are cut into epochs of min({max_epoch:g} s, a length giving {min_epochs} epochs per part). Each "
    "candidate is fitted on the fit part and samples as many epochs as the held-out part has; "
    "`compare(fit, synthetic, holdout=held_out)` measures it, and `compare(fit, held_out)` gives the "
    "column `held-out real`: what an unseen stretch of the same recording scores. Median ratio: over a "
    "section's metrics, value / real-vs-real reference (1 = as close as the fit part's halves are to each "
    "other; lower is closer). C2ST AUC: classifier two-sample test, folded to 0.5 + |AUC - 0.5|. MIA: "
    "membership-inference attack. Memorised copies: synthetic epochs within the 1st percentile of held-out "
    "distances to the fit part; allowed: the 95th percentile of that count for a generator of fresh records. "
    "Targets: C2ST AUC <= max({t.auc_floor:g}, held-out AUC + {t.auc_margin:g}); every section median ratio "
    "<= {t.max_ratio:g}; MIA AUC <= {t.max_mia_auc:g}; copies at most the allowed count."
)


def _machine(machine: Mapping[str, Any]) -> str:
    keys = ("processor", "cpu_count", "platform", "python")
    return ", ".join(f"{k} {machine[k]}" for k in keys if machine.get(k))


def _recording_markdown(name: str, entry: Mapping[str, Any]) -> list[str]:
    split, table = entry["split"], entry["table"]
    columns = list(table)
    lines = [
        f"## {name}",
        "",
        f"{entry['description']}. Split by {split['by']}: {split['n_fit_epochs']} fit and "
        f"{split['n_held_out_epochs']} held-out epochs of {split['epoch_s']:.3g} s, {split['n_channels']} "
        f"channel(s) at {split['sfreq']:g} Hz; C2ST AUC target {_cell(table[columns[0]], 'auc_target', '{:.2f}')}; "
        f"{entry['seconds']:.0f} s.",
        "",
        "| metric | " + " | ".join(columns) + " |",
        "| --- |" + " --- |" * len(columns),
    ]
    for label, key, fmt in MARKDOWN_ROWS:
        lines.append(f"| {label} | " + " | ".join(_cell(table[c], key, fmt) for c in columns) + " |")
    reasons = [f"- `{c}`: {table[c]['reason']}" for c in columns[1:] if table[c].get("reason")]
    return [*lines, "", *reasons, ""] if reasons else [*lines, ""]


def _cell(row: Mapping[str, Any], key: str, fmt: str | None) -> str:
    value = row.get(key)
    if key == "fit_s":
        parts = [row.get(k) for k in ("fit_s", "sample_s", "compare_s")]
        return " / ".join("-" if v is None else f"{v:.1f}" for v in parts)
    if key == "memorised_copies":
        allowed = row.get("copies_allowed")
        return "-" if value is None else f"{int(value)} ({'-' if allowed is None else int(allowed)})"
    if key == "passes":
        return "-" if value is None else "**yes**" if value else "no"
    if key == "holds_real_samples":
        return "yes" if value else ""
    if value is None:
        return "-"
    return fmt.format(value) if fmt and not isinstance(value, str) else str(value)


def write_realism(result: Mapping[str, Any], out: str | os.PathLike, *, overwrite: bool = False) -> list[Path]:
    """Write the result as Markdown and JSON.

    Parameters
    ----------
    result : mapping
        As returned by :func:`run_realism`.
    out : str or path-like
        The Markdown file; the JSON gets its name with ``.json``.
    overwrite : bool, default=False
        Replace existing files.

    Returns
    -------
    paths : list of Path
        The Markdown and the JSON file.
    """
    out = Path(out)
    paths = [out.with_suffix(".md"), out.with_suffix(".json")]
    texts = [realism_markdown(result), json.dumps(json_clean(dict(result)), indent=2)]
    for path, text in zip(paths, texts, strict=True):
        with atomic_output(path, overwrite=overwrite) as tmp:
            tmp.write_text(text, encoding="utf-8")
    return paths
