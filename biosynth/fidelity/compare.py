# SPDX-License-Identifier: BSD-3-Clause
"""Real versus synthetic: one call from two containers to a table of fidelity metrics,
each with its direction and the value real-versus-real gives on the same data."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from biosynth._version import __version__
from biosynth.fidelity.spectral import EEG_BANDS, band_power, peak_frequency, welch_psd
from biosynth.fidelity.statistical import moments
from biosynth.signals import CHANNEL, RECORD, as_batch, convert_units, epochs, validate_signals
from biosynth.signals._checks import check_number
from biosynth.signals._files import atomic_output

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Metric:
    """One fidelity number.

    Attributes
    ----------
    name : str
        Identifier, e.g. ``"log_spectral_distance"``.
    section : str
        Report section: ``"spectral"`` or ``"statistical"``.
    value : float
        Real versus synthetic.
    reference : float
        The same metric between two halves of the real records: what "as faithful
        as real data is to itself" looks like.
    better : str
        ``"lower"`` or ``"higher"``.
    unit : str
        Unit of ``value`` (``""`` when unitless).
    description : str
        One sentence on what is measured.
    """

    name: str
    section: str
    value: float
    reference: float
    better: str
    unit: str
    description: str

    @property
    def ratio(self) -> float:
        """``value / reference``; 1 means as close as real is to real. With a zero
        reference: 1 when the value is 0 too, inf when it is not; NaN when either is."""
        if not (np.isfinite(self.value) and np.isfinite(self.reference)):
            return float("nan")
        if self.reference > 0:
            return self.value / self.reference
        return 1.0 if self.value == 0 else float("inf")


@dataclass
class FidelityResult:
    """Everything :func:`compare` measured, ready for a report.

    Attributes
    ----------
    metrics : list of Metric
        The numbers, in report order.
    info : dict
        Inputs: sampling rate, record and channel counts, units, provenance.
    spectra : dict
        ``freqs`` (Hz) and the PSDs ``real`` and ``synthetic`` (records, channels,
        freqs), in units**2/Hz.
    features : dict
        ``{"real": {...}, "synthetic": {...}}``: per-signal feature arrays.
    correlation : dict
        Mean channel correlation matrices, ``real`` and ``synthetic``.
    examples : dict
        One record of each (channels x times) and its time axis, for plots.
    timings : dict
        Seconds spent per stage.
    """

    metrics: list[Metric]
    info: dict[str, Any]
    spectra: dict[str, np.ndarray]
    features: dict[str, dict[str, np.ndarray]]
    correlation: dict[str, np.ndarray]
    examples: dict[str, np.ndarray]
    timings: dict[str, float] = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """Metrics as a DataFrame with the ratio to the real-vs-real reference."""
        rows = [dict(vars(m), ratio=m.ratio) for m in self.metrics]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (metrics, inputs, timings; no arrays)."""
        return {
            "biosynth_version": __version__,
            "info": self.info,
            "metrics": [dict(vars(m), ratio=_finite_or_none(m.ratio)) for m in self.metrics],
            "timings_s": self.timings,
        }

    def to_json(self, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
        """Write :meth:`to_dict` as JSON (atomically; refuses to overwrite by default)."""
        with atomic_output(path, overwrite=overwrite) as tmp:
            tmp.write_text(json.dumps(_clean(self.to_dict()), indent=2, sort_keys=False))
        return Path(path)


def compare(
    real: xr.DataArray,
    synthetic: xr.DataArray,
    *,
    epoch_duration: float | None = None,
    bands: Mapping[str, tuple[float, float]] = EEG_BANDS,
    freq_range: tuple[float, float] = (1.0, 45.0),
) -> FidelityResult:
    """Measure how faithful ``synthetic`` is to ``real``.

    Every signal (record x channel) gets a Welch PSD, relative band powers and
    amplitude moments. Distributions are compared with the Wasserstein-1 distance
    scaled by the real standard deviation of the feature, and the two-sample
    Kolmogorov-Smirnov statistic; mean spectra with the log-spectral distance;
    channel structure with the RMS difference of correlation matrices. The reference
    of each metric is its value between the first and second half of the real records;
    the value compares the first half with as many synthetic records (those in the place
    of the second half, or the last ones), so both use the same sample sizes: a
    generator as good as the real data scores a ratio near 1, and the real data given
    as synthetic scores the reference exactly.

    Parameters
    ----------
    real, synthetic : DataArray
        biosynth containers with the same sampling rate and channel names (any order);
        amplitudes in volt units (synthetic is converted to the real unit).
    epoch_duration : float | None
        Cut both into epochs of this length, in seconds, that become records. Needed
        when ``real`` holds fewer than 2 records.
    bands : mapping of str to (low, high)
        Frequency bands, in Hz, for relative band powers.
    freq_range : (float, float)
        Range of the log-spectral distance, in Hz; the upper edge is clipped to
        0.9 x Nyquist.

    Returns
    -------
    result : FidelityResult
        Metrics with directions and real-vs-real references, plus the arrays behind
        them for :func:`biosynth.fidelity.write_report`.
    """
    timings: dict[str, float] = {}
    with _timed(timings, "prepare"):
        real_b, synth_b = _prepare(real, synthetic, epoch_duration)
    n_half = real_b.sizes[RECORD] // 2
    halves = (real_b.isel({RECORD: slice(0, n_half)}), real_b.isel({RECORD: slice(n_half, 2 * n_half)}))
    # the synthetic records in the place of the second real half (the last ones when fewer)
    n_synth = synth_b.sizes[RECORD]
    synth_sample = synth_b.isel({RECORD: slice(n_half, 2 * n_half) if n_synth >= 2 * n_half else slice(-n_half, None)})
    nperseg = int(min(real_b.sizes["time"], synth_b.sizes["time"], round(2 * real_b.attrs["sfreq"])))
    sfreq = float(real_b.attrs["sfreq"])
    with _timed(timings, "features"):
        feats = {
            k: _features(v, sfreq, nperseg, bands)
            for k, v in {
                "real": real_b,
                "synthetic": synth_b,
                "half_a": halves[0],
                "half_b": halves[1],
                "synthetic_sample": synth_sample,
            }.items()
        }
    lo, hi = freq_range
    hi = min(check_number("freq_range[1]", hi, low=0.0), 0.9 * sfreq / 2)
    metrics: list[Metric] = []
    with _timed(timings, "spectral"):
        metrics += _spectral_metrics(feats, (check_number("freq_range[0]", lo, low=0.0, high=hi), hi), bands)
    with _timed(timings, "statistical"):
        metrics += _distribution_metrics(feats, [f"relpow_{b}" for b in feats["real"]["bandnames"]], "spectral")
        metrics += _distribution_metrics(feats, ["std", "skewness", "kurtosis"], "statistical")
        metrics += [_correlation_metric(feats)]
    return FidelityResult(
        metrics=metrics,
        info=_info(real_b, synth_b, epoch_duration, nperseg, real, synthetic),
        spectra={"freqs": feats["real"]["freqs"], "real": feats["real"]["psd"], "synthetic": feats["synthetic"]["psd"]},
        features={k: {n: feats[k][n].ravel() for n in _flat_features(feats[k])} for k in ("real", "synthetic")},
        correlation={k: feats[k]["corr"] for k in ("real", "synthetic")},
        examples={
            "time": real_b["time"].values,
            "real": real_b.values[0],
            "synthetic": synth_b.values[0],
            "channels": np.asarray(real_b[CHANNEL].values),
        },
        timings=timings,
    )


def _prepare(real: xr.DataArray, synthetic: xr.DataArray, epoch_duration: float | None):
    validate_signals(real, "real")
    validate_signals(synthetic, "synthetic")
    sr, ss = float(real.attrs["sfreq"]), float(synthetic.attrs["sfreq"])
    if not np.isclose(sr, ss, rtol=1e-9):
        raise ValueError(
            f"real and synthetic sampling rates differ ({sr:g} Hz vs {ss:g} Hz); "
            "resample one with biosynth.signals.resample first."
        )
    ch_real, ch_synth = list(map(str, real[CHANNEL].values)), list(map(str, synthetic[CHANNEL].values))
    if set(ch_real) != set(ch_synth):
        only_r, only_s = sorted(set(ch_real) - set(ch_synth))[:5], sorted(set(ch_synth) - set(ch_real))[:5]
        raise ValueError(
            f"real and synthetic channels differ (only in real: {only_r}, only in synthetic: {only_s}); "
            "generate with the real channel names (e.g. biosynth generate eeg --like REAL)."
        )
    synthetic = convert_units(synthetic, real.attrs["units"]).sel({CHANNEL: ch_real})
    if epoch_duration is not None:
        real, synthetic = epochs(real, epoch_duration), epochs(synthetic, epoch_duration)
    real, synthetic = as_batch(real), as_batch(synthetic)
    for name, data in (("real", real), ("synthetic", synthetic)):
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
    flat = np.argwhere(np.ptp(data.values, axis=-1) == 0)
    if flat.size:
        records, channels = data[RECORD].values, data[CHANNEL].values
        where = ", ".join(f"record {str(records[r])!r} channel {str(channels[c])!r}" for r, c in flat[:3])
        more = f" (and {len(flat) - 3} more)" if len(flat) > 3 else ""
        raise ValueError(
            f"{name} has flat (constant) signals: {where}{more}; drop those channels or records before comparing."
        )


def _features(data: xr.DataArray, sfreq: float, nperseg: int, bands) -> dict[str, Any]:
    values = data.values
    freqs, psd = welch_psd(values, sfreq, nperseg=nperseg)
    rel = band_power(freqs, psd, bands, relative=True)
    feats: dict[str, Any] = {"freqs": freqs, "psd": psd, "bandnames": list(rel)}
    feats.update({f"relpow_{k}": v for k, v in rel.items()})
    feats.update(moments(values))
    corr = np.array([np.corrcoef(rec) for rec in values]) if values.shape[1] > 1 else np.ones((len(values), 1, 1))
    feats["corr"] = np.nanmean(corr, axis=0)
    return feats


def _flat_features(feats: dict[str, Any]) -> list[str]:
    return [k for k in feats if k.startswith("relpow_") or k in ("std", "skewness", "kurtosis")]


def _log_spectral_distance(psd_a: np.ndarray, psd_b: np.ndarray, mask: np.ndarray) -> float:
    """RMS over frequencies of 10 log10(A/B) (dB) between per-channel mean PSDs,
    averaged over channels."""
    mean_a, mean_b = psd_a.mean(axis=0)[..., mask], psd_b.mean(axis=0)[..., mask]
    with np.errstate(divide="ignore", invalid="ignore"):
        diff_db = 10.0 * np.log10(mean_a / mean_b)
    return float(np.mean(np.sqrt(np.mean(diff_db**2, axis=-1))))


def _peak_gap(psd_a: np.ndarray, psd_b: np.ndarray, freqs: np.ndarray, band: tuple[float, float]) -> float:
    """Absolute difference of the peak frequency of the grand-mean PSDs, in Hz."""
    return float(
        abs(peak_frequency(freqs, psd_a.mean(axis=(0, 1)), band) - peak_frequency(freqs, psd_b.mean(axis=(0, 1)), band))
    )


def _spectral_metrics(feats, freq_range, bands) -> list[Metric]:
    freqs = feats["real"]["freqs"]
    mask = (freqs >= freq_range[0]) & (freqs <= freq_range[1])
    out = [
        _metric(
            "log_spectral_distance",
            "spectral",
            feats,
            lambda a, b: _log_spectral_distance(a["psd"], b["psd"], mask),
            "lower",
            "dB",
            f"RMS of the dB difference of mean spectra, {freq_range[0]:g}-{freq_range[1]:.3g} Hz.",
        )
    ]
    if "alpha" in bands and bands["alpha"][1] < freqs[-1]:
        out.append(
            _metric(
                "alpha_peak_frequency_gap",
                "spectral",
                feats,
                lambda a, b: _peak_gap(a["psd"], b["psd"], freqs, bands["alpha"]),
                "lower",
                "Hz",
                "Absolute difference of the alpha-band peak frequency of the mean spectra.",
            )
        )
    return out


def _scaled_wasserstein(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import wasserstein_distance

    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    spread = np.std(a)
    if a.size == 0 or b.size == 0 or spread == 0:
        return float("nan")
    return float(wasserstein_distance(a, b) / spread)


def _ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import ks_2samp

    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if a.size == 0 or b.size == 0:
        return float("nan")
    return float(ks_2samp(a, b).statistic)


def _distribution_metrics(feats, names: list[str], section: str) -> list[Metric]:
    out = []
    for name in names:
        out.append(
            _metric(
                f"wasserstein_{name}",
                section,
                feats,
                lambda a, b, n=name: _scaled_wasserstein(a[n].ravel(), b[n].ravel()),
                "lower",
                "real SD",
                f"Wasserstein-1 distance of per-signal {name}, in units of its real standard deviation.",
            )
        )
        out.append(
            _metric(
                f"ks_{name}",
                section,
                feats,
                lambda a, b, n=name: _ks_statistic(a[n].ravel(), b[n].ravel()),
                "lower",
                "",
                f"Two-sample Kolmogorov-Smirnov statistic of per-signal {name}.",
            )
        )
    return out


def _correlation_metric(feats) -> Metric:
    def rms_offdiag(a, b) -> float:
        diff = a["corr"] - b["corr"]
        n = diff.shape[0]
        return float(np.sqrt(np.sum(diff**2) / (n * (n - 1)))) if n > 1 else float("nan")

    return _metric(
        "channel_correlation_rmse",
        "statistical",
        feats,
        rms_offdiag,
        "lower",
        "",
        "RMS difference of the off-diagonal entries of the mean channel correlation matrices.",
    )


def _metric(name, section, feats, func: Callable, better, unit, description) -> Metric:
    return Metric(
        name=name,
        section=section,
        value=func(feats["half_a"], feats["synthetic_sample"]),
        reference=func(feats["half_a"], feats["half_b"]),
        better=better,
        unit=unit,
        description=description,
    )


def _info(real_b, synth_b, epoch_duration, nperseg, real, synthetic) -> dict[str, Any]:
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
        "welch_nperseg": nperseg,
        "reference": "first vs second half of the real records",
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
