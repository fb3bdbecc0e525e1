# SPDX-License-Identifier: BSD-3-Clause
"""Real versus synthetic: one call from two containers to a table of fidelity metrics,
each with its direction and the value real-versus-real gives on the same data."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from biosynth._utils.backend import check_device
from biosynth._utils.check import check_int, check_number, check_positive
from biosynth._utils.deprecation import renamed_arguments
from biosynth._utils.docs import fill_doc
from biosynth._utils.files import atomic_output
from biosynth._version import __version__
from biosynth.fidelity._metrics import (
    Metric,
    aperiodic_metrics,
    coherence_metrics,
    distribution_metrics,
    multivariate_metrics,
    plausibility_metrics,
    privacy_metrics,
    spectral_metrics,
    split_sets,
    structure_metrics,
    utility_metrics,
)
from biosynth.fidelity.features import BANDS_BY_MODALITY, DEFAULT_NONLINEAR, extract_features, feature_names
from biosynth.fidelity.spectral import EEG_BANDS
from biosynth.signals import CHANNEL, RECORD, as_batch, convert_units, epochs, validate_signals

logger = logging.getLogger(__name__)


#: Version of the JSON layout written by :meth:`FidelityReport.to_json`; bumped when a
#: key is renamed or removed (new keys may appear without a bump).
SCHEMA = "biosynth.fidelity-report/1"

#: Sections of the report, in order.
SECTIONS = ("spectral", "statistical", "nonlinear", "multivariate", "plausibility", "privacy", "utility")


@dataclass
class FidelityReport:
    """Everything :func:`compare` measured, ready for a report.

    Attributes
    ----------
    metrics : list of Metric
        The numbers, in report order, each with its direction, real-vs-real
        reference and timing.
    info : dict
        Inputs: sampling rate, record and channel counts, units, provenance.
    features : dict of str to Dataset
        ``"real"`` and ``"synthetic"``: the per-signal features of
        :func:`biosynth.fidelity.extract_features` (PSD, ACF, correlation included).
    examples : dict
        One record of each (channels x times) and its time axis, for plots.
    timings : dict
        Seconds spent per stage.
    extras : dict
        Section results that are not single numbers (PCA projection, plausibility
        tables, ...), keyed by section.
    """

    metrics: list[Metric]
    info: dict[str, Any]
    features: dict[str, xr.Dataset]
    examples: dict[str, np.ndarray]
    timings: dict[str, float] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """Metrics as a DataFrame with the ratio to the real-vs-real reference
        (oriented so that larger is worse for every metric)."""
        rows = [dict(vars(m), ratio=m.ratio) for m in self.metrics]
        return pd.DataFrame(rows)

    @renamed_arguments({"threshold": "max_ratio"}, since="0.2", until="0.3")
    def summary(self, max_ratio: float = 1.5) -> pd.DataFrame:
        """Per section: number of metrics, how many lie within ``max_ratio`` times
        their real-vs-real reference, and the median ratio.

        Parameters
        ----------
        max_ratio : float
            Largest ratio (:attr:`Metric.ratio`) that counts as "close to real vs
            real"; ``threshold`` before biosynth 0.2 (the old name warns until 0.3).

        Returns
        -------
        summary : DataFrame
            Index: sections present, in report order.
        """
        table = self.table()
        rows = {}
        for section in [s for s in SECTIONS if s in set(table["section"])]:
            ratios = table.loc[table["section"] == section, "ratio"].to_numpy(dtype=float)
            finite = ratios[~np.isnan(ratios)]  # inf (far from a zero reference) counts
            rows[section] = {
                "metrics": len(ratios),
                "close": int(np.sum(finite <= max_ratio)),
                "median_ratio": float(np.median(finite)) if finite.size else float("nan"),
            }
        return pd.DataFrame.from_dict(rows, orient="index")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (schema :data:`SCHEMA`: metrics with timings, inputs,
        section summaries, stage timings; no arrays)."""
        return {
            "schema": SCHEMA,
            "biosynth_version": __version__,
            "info": self.info,
            "summary": self.summary().to_dict(orient="index"),
            "metrics": [dict(vars(m), ratio=_finite_or_none(m.ratio)) for m in self.metrics],
            "timings_s": self.timings,
        }

    @fill_doc
    def to_json(self, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
        """Write :meth:`to_dict` as JSON (atomically; refuses to overwrite by default).

        Parameters
        ----------
        path : path-like
            JSON file to write.
        %(overwrite)s

        Returns
        -------
        path : Path
        """
        with atomic_output(path, overwrite=overwrite) as tmp:
            tmp.write_text(json.dumps(_clean(self.to_dict()), indent=2, sort_keys=False))
        return Path(path)


@fill_doc
def compare(
    real: xr.DataArray,
    synthetic: xr.DataArray,
    *,
    epoch_duration: float | None = None,
    bands: Mapping[str, tuple[float, float]] | None = None,
    freq_range: tuple[float, float] = (1.0, 45.0),
    nonlinear: Sequence[str] | None = DEFAULT_NONLINEAR,
    chunk_size: int = 64,
    holdout: xr.DataArray | None = None,
    training: xr.DataArray | None = None,
    labels: tuple[Any, Any] | None = None,
    sections: Sequence[str] | None = None,
    max_rows: int = 2000,
    seed: int = 0,
    device: str = "cpu",
    progress: bool = False,
) -> FidelityReport:
    """Measure how faithful ``synthetic`` is to ``real``.

    Every signal (record x channel) gets the features of
    :func:`biosynth.fidelity.extract_features`: Welch PSD, relative band powers, peak
    frequency, moments, autocorrelation, amplitude quantiles, channel correlation and
    the nonlinear measures. Sections of metrics follow. *Spectral*: log-spectral
    distance of the mean spectra, alpha peak gap, and for every spectral feature the
    Wasserstein-1 distance (in real SDs), the Kolmogorov-Smirnov statistic and the
    absolute effect size. *Statistical*: the same for the moments, plus channel
    correlation, autocorrelation and amplitude-distribution distances. *Nonlinear*:
    the same three per nonlinear measure. *Multivariate*: signals (record x channel)
    as rows of their scalar features, compared by MMD, a classifier two-sample test
    (record-wise folds), precision / recall / density / coverage, alpha-precision /
    beta-recall / authenticity and PCA overlap.

    The reference of each metric is its value between the first and second half of
    the real records; the value compares the first half with as many synthetic
    records (those in the place of the second half, or the last ones), so both use
    the same sample sizes: a generator as good as the real data scores a ratio near
    1, and the real data given as synthetic scores the reference exactly.

    Parameters
    ----------
    %(real_synthetic)s
        Both are biosynth containers with the same sampling rate and channel names
        (any order); amplitudes in volt units (synthetic is converted to the real
        unit). Dask-backed inputs are processed chunk by chunk in parallel.
    epoch_duration : float | None
        Cut both into epochs of this length, in seconds, that become records. Needed
        when ``real`` holds fewer than 2 records.
    bands : mapping of str to (low, high) | None
        Frequency bands, in Hz, for relative band powers and coherence; None takes
        the defaults of the real data's modality (EEG; ioECoG with ripples and fast
        ripples for ECoG, sEEG and LFP; ECG).
    freq_range : (float, float)
        Range of the log-spectral distance, in Hz; the upper edge is clipped to
        0.9 x Nyquist.
    nonlinear : sequence of str | None
        Nonlinear measures to compare (names from :data:`biosynth.fidelity.MEASURES`);
        None skips the section.
    chunk_size : int
        Records per chunk of the feature extraction (bounds memory).
    holdout : DataArray | None
        Real records the generator never saw (``real`` being those it was fitted
        on), same channels and rate: enables the privacy section (distance to
        closest record, nearest-neighbour distance ratio, memorised copies,
        membership inference). Passing these tests is no proof of anonymity.
    training : DataArray | None
        The other way round: the real records the generator was fitted on, when
        ``real`` holds records it never saw (so fidelity is judged on unseen data).
        Enables the privacy section with ``training`` as the members and ``real`` as
        the holdout. Give ``holdout`` or ``training``, not both.
    labels : (array_like, array_like) | None
        One class label per real and per synthetic record (or per epoch): enables
        the utility section (train on synthetic, test on real, record-wise folds).
    sections : sequence of str | None
        Sections to compute, from :data:`SECTIONS`; None computes every section
        its inputs allow.
    max_rows : int
        Most signals per set in the multivariate section (a seeded subsample beyond).
    seed : int
        Seed of the subsampling, the permutation test and the classifier folds.
    %(device)s
        It reaches the feature extraction (Welch PSD and the nonlinear measures
        with a torch path, see :func:`biosynth.fidelity.extract_features`), the MMD
        kernel and the classifier two-sample test.
    progress : bool
        Show progress bars.

    Returns
    -------
    report : FidelityReport
        Metrics with directions, real-vs-real references and timings, plus the
        features behind them for :func:`biosynth.fidelity.write_report`.
    """
    timings: dict[str, float] = {}
    _check_options(epoch_duration, freq_range, bands, labels, max_rows, seed, device)
    with _timed(timings, "prepare"):
        real_b, synth_b = _prepare(real, synthetic, epoch_duration)
        if bands is None:
            bands = BANDS_BY_MODALITY.get(real_b.attrs["modality"], EEG_BANDS)
        sfreq = float(real_b.attrs["sfreq"])
        lo, hi = freq_range
        hi = min(check_number("freq_range[1]", hi, low=0.0), 0.9 * sfreq / 2)
        lo = check_number("freq_range[0]", lo, low=0.0, high=hi)
    with _timed(timings, "features"):
        options = {
            "bands": bands,
            "nonlinear": nonlinear,
            "chunk_size": chunk_size,
            "device": device,
            "progress": progress,
        }
        feats = {"real": extract_features(real_b, **options), "synthetic": extract_features(synth_b, **options)}
    sets = split_sets(feats["real"], feats["synthetic"])
    metrics: list[Metric] = []
    if holdout is not None and training is not None:
        raise ValueError("give holdout (real is the training data) or training (real is held out), not both.")
    wanted = _check_sections(sections, holdout is not None or training is not None, labels is not None)
    sections_run = {
        "spectral": lambda: (
            spectral_metrics(sets, (lo, hi), bands.get("alpha"))
            + aperiodic_metrics(sets, (lo, hi))
            + coherence_metrics(sets)
            + distribution_metrics(sets, "spectral")
        ),
        "statistical": lambda: distribution_metrics(sets, "statistical") + structure_metrics(sets),
        "nonlinear": lambda: distribution_metrics(sets, "nonlinear"),
        "multivariate": lambda: _store(
            extras, "multivariate", multivariate_metrics(sets, max_rows=max_rows, seed=seed, device=device)
        ),
        "plausibility": lambda: _store(extras, "plausibility", plausibility_metrics(real_b, synth_b)),
        "privacy": lambda: _store(extras, "privacy", privacy_metrics(*_privacy_sets(), seed=seed)),
        "utility": lambda: _store(
            extras,
            "utility",
            utility_metrics(
                feats["real"],
                feats["synthetic"],
                _labels(labels, real_b, synth_b, epoch_duration is not None),
                seed=seed,
            ),
        ),
    }

    def _privacy_sets() -> tuple[xr.Dataset, xr.Dataset, xr.Dataset]:
        """Features of (training, synthetic, holdout), the other real set in real's units and order."""
        name = "holdout" if training is None else "training"
        _, other = _prepare(real, holdout if training is None else training, epoch_duration, names=("real", name))
        other = extract_features(other, **options)
        if training is None:
            return feats["real"], feats["synthetic"], other
        return other, feats["synthetic"], feats["real"]

    extras: dict[str, Any] = {}
    for section in wanted:
        with _timed(timings, section):
            metrics += sections_run[section]()
    return FidelityReport(
        metrics=metrics,
        info=_info(real_b, synth_b, epoch_duration, feats["real"], real, synthetic),
        features=feats,
        examples={
            "time": real_b["time"].values,
            "real": np.asarray(real_b[0].values),
            "synthetic": np.asarray(synth_b[0].values),
            "channels": np.asarray(real_b[CHANNEL].values),
        },
        timings=timings,
        extras=extras,
    )


def _store(extras: dict[str, Any], key: str, found: tuple[list[Metric], Any]) -> list[Metric]:
    """Keep a section's raw results in ``extras[key]``; return its metrics."""
    extras[key] = found[1]
    return found[0]


def _check_options(epoch_duration, freq_range, bands, labels, max_rows, seed, device) -> None:
    """Check the cheap arguments before any feature is computed."""
    if epoch_duration is not None:
        check_positive("epoch_duration", epoch_duration, unit="s")
    if not (isinstance(freq_range, Sequence) and not isinstance(freq_range, str) and len(freq_range) == 2):
        raise ValueError(f"freq_range must be a pair (low, high) in Hz, got {freq_range!r}.")
    for name, (low, high) in (bands or {}).items():
        if not (check_number(f"bands[{name!r}] low", low, low=0.0) < check_number(f"bands[{name!r}] high", high)):
            raise ValueError(f"bands[{name!r}] must be (low, high) with low < high in Hz, got ({low!r}, {high!r}).")
    if labels is not None and not (isinstance(labels, Sequence) and not isinstance(labels, str) and len(labels) == 2):
        raise ValueError("labels must be a pair (real_labels, synthetic_labels), one label per record or epoch each.")
    check_int("max_rows", max_rows, low=2)
    check_int("seed", seed, low=0)
    check_device(device)


def _check_sections(sections: Sequence[str] | None, has_holdout: bool, has_labels: bool) -> list[str]:
    """Sections to compute; privacy needs a holdout and utility labels."""
    if sections is None:
        return [s for s in SECTIONS if (s != "privacy" or has_holdout) and (s != "utility" or has_labels)]
    names = [sections] if isinstance(sections, str) else list(sections)
    unknown = [n for n in names if n not in SECTIONS]
    if unknown or not names:
        raise ValueError(f"sections must be names from {list(SECTIONS)}, got {unknown or names!r}.")
    if "privacy" in names and not has_holdout:
        raise ValueError(
            "sections asks for 'privacy', which needs holdout (real records the generator never saw) "
            "or training (those it was fitted on, when real is held out)."
        )
    if "utility" in names and not has_labels:
        raise ValueError("sections asks for 'utility', which needs labels=(real_labels, synthetic_labels).")
    return [s for s in SECTIONS if s in names]


def _labels(labels: Any, real: xr.DataArray, synthetic: xr.DataArray, epoched: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per-record labels after epoching: an epoch takes the label of its record."""
    out = []
    for name, given, data in (("real", labels[0], real), ("synthetic", labels[1], synthetic)):
        values = np.asarray(given)
        # epochs are named "<record>/<epoch>": the record is everything before the last "/"
        records = [str(r).rsplit("/", 1)[0] if epoched else str(r) for r in data[RECORD].values]
        if values.ndim != 1 or values.size not in (len(records), len(set(records))):
            raise ValueError(
                f"labels for {name} must hold one label per record ({len(set(records))}) or per epoch "
                f"({len(records)}), got {values.size}."
            )
        if values.size != len(records):
            order = list(dict.fromkeys(records))
            values = values[[order.index(r) for r in records]]
        out.append(values)
    return out[0], out[1]


def _prepare(
    real: xr.DataArray,
    synthetic: xr.DataArray,
    epoch_duration: float | None,
    names: tuple[str, str] = ("real", "synthetic"),
):
    validate_signals(real, names[0])
    validate_signals(synthetic, names[1])
    sr, ss = float(real.attrs["sfreq"]), float(synthetic.attrs["sfreq"])
    if not np.isclose(sr, ss, rtol=1e-9):
        raise ValueError(
            f"{names[0]} and {names[1]} sampling rates differ ({sr:g} Hz vs {ss:g} Hz); "
            "resample one with biosynth.signals.resample first."
        )
    ch_real, ch_synth = list(map(str, real[CHANNEL].values)), list(map(str, synthetic[CHANNEL].values))
    if set(ch_real) != set(ch_synth):
        only_r, only_s = sorted(set(ch_real) - set(ch_synth))[:5], sorted(set(ch_synth) - set(ch_real))[:5]
        raise ValueError(
            f"{names[0]} and {names[1]} channels differ (only in {names[0]}: {only_r}, "
            f"only in {names[1]}: {only_s}); "
            "generate with the real channel names (e.g. biosynth generate eeg --like REAL)."
        )
    synthetic = convert_units(synthetic, real.attrs["units"]).sel({CHANNEL: ch_real})
    if epoch_duration is not None:
        real, synthetic = epochs(real, epoch_duration), epochs(synthetic, epoch_duration)
    real, synthetic = as_batch(real), as_batch(synthetic)
    for name, data in zip(names, (real, synthetic), strict=True):
        if data.sizes[RECORD] < 2:
            raise ValueError(
                f"{name} holds {data.sizes[RECORD]} record; at least 2 are needed (real is split in halves for the "
                "real-vs-real reference); pass epoch_duration (CLI: --epoch) to cut recordings into epochs."
            )
        _check_not_flat(name, data)
    return real, synthetic


def _check_not_flat(name: str, data: xr.DataArray) -> None:
    """Raise ValueError naming the first constant signals: spectra, moments and
    correlations of a flat line are undefined."""
    flat = np.argwhere((data.max("time") == data.min("time")).values)  # chunk by chunk for dask
    if flat.size:
        records, channels = data[RECORD].values, data[CHANNEL].values
        where = ", ".join(f"record {str(records[r])!r} channel {str(channels[c])!r}" for r, c in flat[:3])
        more = f" (and {len(flat) - 3} more)" if len(flat) > 3 else ""
        raise ValueError(
            f"{name} has flat (constant) signals: {where}{more}; drop those channels or records before comparing."
        )


def _info(real_b, synth_b, epoch_duration, features, real, synthetic) -> dict[str, Any]:
    return {
        "sfreq": float(real_b.attrs["sfreq"]),
        "units": real_b.attrs["units"],
        "channels": list(map(str, real_b[CHANNEL].values)),
        "n_records_real": int(real_b.sizes[RECORD]),
        "n_records_synthetic": int(synth_b.sizes[RECORD]),
        "record_duration_s": {
            "real": real_b.sizes["time"] / real_b.attrs["sfreq"],
            "synthetic": synth_b.sizes["time"] / synth_b.attrs["sfreq"],
        },
        "epoch_duration_s": epoch_duration,
        "welch_resolution_hz": float(features["freq"].values[1]),
        "features": {name: features.attrs["sections"][name] for name in feature_names(features)},
        "reference": "first vs second half of the real records; value: first half vs as many synthetic records",
        "provenance": {"real": real.attrs["provenance"], "synthetic": synthetic.attrs["provenance"]},
    }


class _timed:
    """Context manager adding the elapsed seconds of a block to ``timings[key]``."""

    def __init__(self, timings: dict[str, float], key: str) -> None:
        self.timings, self.key = timings, key

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.timings[self.key] = self.timings.get(self.key, 0.0) + time.perf_counter() - self.start


def _finite_or_none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _clean(obj: Any) -> Any:
    """Replace NaN/inf by None so the JSON is standard."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, float | np.floating):
        return _finite_or_none(float(obj))
    return obj
