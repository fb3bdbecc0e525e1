# SPDX-License-Identifier: BSD-3-Clause
"""Section builders of :func:`biosynth.fidelity.compare`: each turns the feature
Datasets of three record sets into Metrics.

Every metric is a function ``f(a, b)`` of two feature Datasets. Its value is
``f(real_a, synthetic)`` and its reference ``f(real_a, real_b)``: the first half of the
real records against the synthetic sample, and against the second half of the real
records (the same number of records as the synthetic sample)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from biosynth.fidelity import multivariate as mv
from biosynth.fidelity import privacy
from biosynth.fidelity.distances import (
    correlation_distance,
    effect_size,
    ks_statistic,
    log_spectral_distance,
    quantile_wasserstein,
    scaled_wasserstein,
)
from biosynth.fidelity.features import feature_names, record_embedding
from biosynth.fidelity.plausibility import check_plausibility
from biosynth.fidelity.spectral import aperiodic_fit, peak_frequency
from biosynth.fidelity.utility import train_synthetic_test_real
from biosynth.signals import RECORD


@dataclass(frozen=True)
class Metric:
    """One fidelity number.

    Attributes
    ----------
    name : str
        Identifier, e.g. ``"log_spectral_distance"``.
    section : str
        Report section: ``"spectral"``, ``"statistical"``, ``"nonlinear"``,
        ``"multivariate"``, ...
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
    seconds : float
        Time spent computing value and reference, in s.
    """

    name: str
    section: str
    value: float
    reference: float
    better: str
    unit: str
    description: str
    seconds: float = 0.0

    @property
    def ratio(self) -> float:
        """``value / reference`` (for ``better == "higher"``: ``reference / value``),
        so 1 means as close as real is to real and larger is worse. With a zero
        denominator: 1 when the numerator is 0 too, inf when it is not; NaN when
        either number is undefined."""
        num, den = (self.value, self.reference) if self.better == "lower" else (self.reference, self.value)
        if not (np.isfinite(num) and np.isfinite(den)):
            return float("nan")
        if den > 0:
            return num / den
        return 1.0 if num == 0 else float("inf")


@dataclass(frozen=True)
class Sets:
    """Feature Datasets of the three record sets every metric compares."""

    real_a: xr.Dataset
    real_b: xr.Dataset
    synthetic: xr.Dataset


def measure(sets: Sets, name: str, section: str, func: Callable, better: str, unit: str, text: str) -> Metric:
    """A Metric from ``func(a, b)``: value on (real_a, synthetic), reference on (real_a, real_b)."""
    start = time.perf_counter()
    value = func(sets.real_a, sets.synthetic)
    reference = func(sets.real_a, sets.real_b)
    seconds = time.perf_counter() - start
    return Metric(name, section, float(value), float(reference), better, unit, text, seconds)


def distribution_metrics(sets: Sets, section: str) -> list[Metric]:
    """Wasserstein (in real SDs), KS and effect size for every scalar feature of ``section``."""
    out = []
    names = [n for n in feature_names(sets.real_a) if sets.real_a.attrs["sections"][n] == section]
    for name in names:

        def values(ds: xr.Dataset, n: str = name) -> np.ndarray:
            return ds[n].values

        out += [
            measure(
                sets,
                f"wasserstein_{name}",
                section,
                lambda a, b, v=values: scaled_wasserstein(v(a), v(b)),
                "lower",
                "real SD",
                f"Wasserstein-1 distance of per-signal {name}, in units of its real standard deviation.",
            ),
            measure(
                sets,
                f"ks_{name}",
                section,
                lambda a, b, v=values: ks_statistic(v(a), v(b)),
                "lower",
                "",
                f"Two-sample Kolmogorov-Smirnov statistic of per-signal {name}.",
            ),
            measure(
                sets,
                f"effect_size_{name}",
                section,
                lambda a, b, v=values: effect_size(v(a), v(b)),
                "lower",
                "",
                f"Absolute Cohen's d (pooled SD) of per-signal {name}.",
            ),
        ]
    return out


def spectral_metrics(sets: Sets, freq_range: tuple[float, float], alpha: tuple[float, float] | None) -> list[Metric]:
    """Log-spectral distance of the mean spectra and the alpha peak frequency gap."""
    freqs = sets.real_a["freq"].values
    mask = (freqs >= freq_range[0]) & (freqs <= freq_range[1])

    def mean_psd(ds: xr.Dataset) -> np.ndarray:
        return ds["psd"].values.mean(axis=0)[..., mask]

    out = [
        measure(
            sets,
            "log_spectral_distance",
            "spectral",
            lambda a, b: log_spectral_distance(mean_psd(a), mean_psd(b)),
            "lower",
            "dB",
            f"RMS of the dB difference of each channel's mean spectrum, {freq_range[0]:g}-{freq_range[1]:.3g} Hz.",
        )
    ]
    if alpha is not None and alpha[1] < freqs[-1]:

        def peak(ds: xr.Dataset) -> float:
            return float(peak_frequency(freqs, ds["psd"].values.mean(axis=(0, 1)), alpha))

        out.append(
            measure(
                sets,
                "alpha_peak_frequency_gap",
                "spectral",
                lambda a, b: abs(peak(a) - peak(b)),
                "lower",
                "Hz",
                "Absolute difference of the alpha-band peak frequency of the grand-mean spectra.",
            )
        )
    return out


#: fooof's default peak-width limits (2 std), in Hz.
FOOOF_PEAK_WIDTHS = (0.5, 12.0)


def aperiodic_metrics(sets: Sets, fit_range: tuple[float, float]) -> list[Metric]:
    """Gaps of the aperiodic exponent and offset (FOOOF, fixed mode) of each channel's
    mean spectrum, averaged over channels; none for ECG, which the 1/f model does not
    describe.

    Peak widths (2 std) are limited to fooof's default 0.5-12 Hz, the lower limit raised
    to 1.5 frequency bins where the spectrum is coarser (fooof's own advice; the upper
    limit to 4 times the lower): a Gaussian narrower than a bin has no gradient between
    the bins, and on short epochs (93 ms at 1000 Hz: 10.75-Hz bins) the peak fit then ran
    to its 5000-evaluation budget on most channels (150 s for one comparison of 84
    channels, against 3 s)."""
    if sets.real_a.attrs.get("modality") == "ecg":
        return []
    freqs = sets.real_a["freq"].values
    low = max(FOOOF_PEAK_WIDTHS[0], 1.5 * float(freqs[1] - freqs[0]))
    widths = (low, max(FOOOF_PEAK_WIDTHS[1], 4.0 * low))
    cache: dict[int, dict[str, np.ndarray]] = {}

    def fit(ds: xr.Dataset) -> dict[str, np.ndarray]:
        if id(ds) not in cache:
            psd = ds["psd"].values.mean(axis=0)
            cache[id(ds)] = aperiodic_fit(freqs, psd, freq_range=fit_range, peak_width_limits=widths)
        return cache[id(ds)]

    def gap(key: str) -> Callable[[xr.Dataset, xr.Dataset], float]:
        return lambda a, b: float(np.nanmean(np.abs(fit(a)[key] - fit(b)[key])))

    lo, hi = fit_range
    return [
        measure(
            sets,
            "aperiodic_exponent_gap",
            "spectral",
            gap("exponent"),
            "lower",
            "",
            f"Mean over channels of the absolute difference of the 1/f exponent (FOOOF, {lo:g}-{hi:.3g} Hz).",
        ),
        measure(
            sets,
            "aperiodic_offset_gap",
            "spectral",
            gap("offset"),
            "lower",
            "log10 power",
            f"Mean over channels of the absolute difference of the aperiodic offset (FOOOF, {lo:g}-{hi:.3g} Hz).",
        ),
    ]


def coherence_metrics(sets: Sets) -> list[Metric]:
    """RMS difference of the mean band coherence matrices, per band."""
    if "coherence" not in sets.real_a:
        return []

    def distance(band: str) -> Callable[[xr.Dataset, xr.Dataset], float]:
        def mean(ds: xr.Dataset) -> np.ndarray:
            with np.errstate(invalid="ignore"):
                return np.nanmean(ds["coherence"].sel(band=band).values.astype(np.float64), axis=0)

        return lambda a, b: correlation_distance(mean(a), mean(b))

    return [
        measure(
            sets,
            f"coherence_rmse_{band}",
            "spectral",
            distance(band),
            "lower",
            "",
            f"RMS difference of the off-diagonal entries of the mean {band}-band coherence matrices.",
        )
        for band in sets.real_a["band"].values
    ]


def _mean_corr(ds: xr.Dataset) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.nanmean(ds["corr"].values, axis=0)


def _barycentre(ds: xr.Dataset) -> np.ndarray:
    """Mean amplitude quantile function of each channel (the Wasserstein barycentre)."""
    return ds["quantiles"].values.mean(axis=0)


def structure_metrics(sets: Sets) -> list[Metric]:
    """Channel correlation, autocorrelation and amplitude distribution distances."""
    levels = sets.real_a["level"].values
    spread = float(np.mean(np.std(_barycentre(sets.real_a), axis=-1))) or 1.0

    def amplitude(a: xr.Dataset, b: xr.Dataset) -> float:
        qa, qb = _barycentre(a), _barycentre(b)
        return float(np.mean([quantile_wasserstein(x, y, levels) for x, y in zip(qa, qb, strict=True)])) / spread

    def acf(a: xr.Dataset, b: xr.Dataset) -> float:
        return float(np.sqrt(np.mean((a["acf"].values.mean(axis=0) - b["acf"].values.mean(axis=0)) ** 2)))

    lag_max = float(sets.real_a["lag"].values[-1])
    return [
        measure(
            sets,
            "channel_correlation_rmse",
            "statistical",
            lambda a, b: correlation_distance(_mean_corr(a), _mean_corr(b)),
            "lower",
            "",
            "RMS difference of the off-diagonal entries of the mean channel correlation matrices.",
        ),
        measure(
            sets,
            "autocorrelation_rmse",
            "statistical",
            acf,
            "lower",
            "",
            f"RMS difference of each channel's mean autocorrelation function, lags 0-{lag_max:g} s.",
        ),
        measure(
            sets,
            "amplitude_distribution_distance",
            "statistical",
            amplitude,
            "lower",
            "real SD",
            "Wasserstein-1 distance between the mean amplitude quantile functions of each channel "
            "(their Wasserstein barycentres), in units of the real amplitude SD.",
        ),
    ]


def split_sets(real: xr.Dataset, synthetic: xr.Dataset) -> Sets:
    """Halves of the real records, and as many synthetic records as the second half:
    those in its place (or the last ones when there are fewer). With fewer synthetic
    records than half the real ones, the second real half is cut to the same count, so
    value and reference always use the same sample sizes."""
    n_half = real.sizes[RECORD] // 2
    n_synth = synthetic.sizes[RECORD]
    pick = slice(n_half, 2 * n_half) if n_synth >= 2 * n_half else slice(-n_half, None)
    n_b = min(n_half, n_synth)
    return Sets(
        real_a=real.isel({RECORD: slice(0, n_half)}),
        real_b=real.isel({RECORD: slice(n_half, n_half + n_b)}),
        synthetic=synthetic.isel({RECORD: pick}),
    )


def signal_rows(ds: xr.Dataset, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Scalar features as rows, one per signal (record x channel), and the record index
    of each row (the group no split may cut)."""
    columns = [ds[n].values.ravel() for n in names]
    groups = np.repeat(np.arange(ds.sizes[RECORD]), ds.sizes["channel"])
    return np.stack(columns, axis=1), groups


def usable_columns(sets: Sets) -> list[str]:
    """Scalar features finite on every signal of every set and not constant in real_a."""
    keep = []
    for name in feature_names(sets.real_a):
        values = [ds[name].values for ds in (sets.real_a, sets.real_b, sets.synthetic)]
        if all(np.isfinite(v).all() for v in values) and np.ptp(values[0]) > 0:
            keep.append(name)
    return keep


def _subsample(rows: np.ndarray, groups: np.ndarray, max_rows: int, rng: np.random.Generator):
    if len(rows) <= max_rows:
        return rows, groups
    pick = np.sort(rng.choice(len(rows), max_rows, replace=False))
    return rows[pick], groups[pick]


@dataclass(frozen=True)
class _Embedded:
    """Signal rows of the three sets, for the multivariate metrics."""

    real_a: tuple[np.ndarray, np.ndarray]
    real_b: tuple[np.ndarray, np.ndarray]
    synthetic: tuple[np.ndarray, np.ndarray]


def embed(sets: Sets, names: list[str], max_rows: int, seed: int) -> _Embedded:
    """Rows of every set (at most ``max_rows`` each, a seeded subsample of signals)."""
    rng = np.random.default_rng(seed)
    parts = {
        k: _subsample(*signal_rows(getattr(sets, k), names), max_rows, rng) for k in ("real_a", "real_b", "synthetic")
    }
    return _Embedded(**parts)


#: Multivariate metrics: (family, result field, direction, description).
_MULTIVARIATE = (
    ("mmd", "mmd2", "lower", "Unbiased squared maximum mean discrepancy (RBF kernel, median bandwidth), clipped at 0."),
    (
        "c2st",
        "discrimination",
        "lower",
        "2 |AUC - 0.5| of a cross-validated logistic regression telling the sets apart (record-wise folds): "
        "0 when it cannot, 1 when it always can.",
    ),
    ("prdc", "precision", "higher", "Share of synthetic signals inside the real k-NN manifold (fidelity)."),
    ("prdc", "recall", "higher", "Share of real signals inside the synthetic k-NN manifold (diversity)."),
    (
        "prdc",
        "density",
        "lower",
        "|density - 1|: density (real k-NN balls holding each synthetic signal, over k) is about 1 when alike, "
        "above 1 when synthetic signals crowd dense real regions (mode collapse), below 1 in sparse ones.",
    ),
    ("prdc", "coverage", "higher", "Share of real signals whose k-NN ball holds a synthetic signal."),
    ("alpha", "alpha_precision", "higher", "Integrated alpha-precision (Alaa et al. 2022)."),
    ("alpha", "beta_recall", "higher", "Integrated beta-recall (Alaa et al. 2022)."),
    (
        "alpha",
        "authenticity",
        "higher",
        "Share of synthetic signals farther from their nearest real signal "
        "than that one is from its own nearest real neighbour.",
    ),
    ("pca", "overlap", "higher", "Overlap coefficient of the histograms in the real principal-component plane."),
)


_METRIC_NAMES = {
    "overlap": "pca_overlap",
    "discrimination": "classifier_discrimination",
    "density": "density_deviation",
}


def _field(result: Any, field: str) -> float:
    """The metric value of a multivariate result; NaN when it could not run. The
    unbiased MMD^2 estimate is clipped at 0 (a negative value means "no detectable
    difference", and a ratio to a negative reference would mean nothing; 0 against 0
    is a ratio of 1). Density is reported as its distance from 1, its ideal."""
    if result is None:
        return float("nan")
    if field == "discrimination":
        return 2.0 * abs(float(result.auc) - 0.5)
    if field == "mmd2":
        return max(float(result.mmd2), 0.0)
    if field == "density":
        return abs(float(result.density) - 1.0)
    return float(getattr(result, field))


def _families(a: tuple, b: tuple, seed: int, device: str) -> dict[str, Callable[[], Any]]:
    offset = a[1].max() + 1  # synthetic groups never share a record index with real ones
    n_splits = min(5, len(np.unique(a[1])), len(np.unique(b[1])))
    return {
        "mmd": lambda: mv.mmd(a[0], b[0], n_permutations=200, seed=seed, device=device),
        "c2st": lambda: (
            mv.classifier_two_sample_test(
                a[0],
                b[0],
                real_groups=a[1],
                synthetic_groups=b[1] + offset,
                n_splits=n_splits,
                seed=seed,
                device=device,
            )
            if n_splits >= 2
            else None  # fewer than 2 records on a side: no record-wise split
        ),
        "prdc": lambda: mv.precision_recall_density_coverage(a[0], b[0], k=min(5, len(a[0]) - 1)),
        "alpha": lambda: mv.alpha_precision_beta_recall(a[0], b[0], k=min(5, len(b[0]) - 1)),
        "pca": lambda: mv.pca_overlap(a[0], b[0]),
    }


def multivariate_metrics(sets: Sets, *, max_rows: int, seed: int, device: str) -> tuple[list[Metric], dict]:
    """MMD, classifier two-sample AUC, precision/recall/density/coverage, alpha-precision,
    beta-recall, authenticity and PCA overlap. Rows are signals (record x channel)
    described by their scalar features (those finite everywhere and not constant);
    splits keep each record's signals together. Also returns the raw results (PCA
    projection, MMD p-values) for the report."""
    names = usable_columns(sets)
    if len(names) < 2:
        return [], {"skipped": f"fewer than 2 usable scalar features: {names}"}
    emb = embed(sets, names, max_rows, seed)
    results: dict[str, dict[str, Any]] = {}
    seconds: dict[str, float] = {}
    for other in ("synthetic", "real_b"):
        for family, run in _families(emb.real_a, getattr(emb, other), seed, device).items():
            start = time.perf_counter()
            results.setdefault(family, {})[other] = run()
            seconds[family] = seconds.get(family, 0.0) + time.perf_counter() - start
    metrics = [
        Metric(
            _METRIC_NAMES.get(field, field),
            "multivariate",
            _field(results[family]["synthetic"], field),
            _field(results[family]["real_b"], field),
            better,
            "",
            text,
            seconds[family],
        )
        for family, field, better, text in _MULTIVARIATE
    ]
    return metrics, {"features": names, "results": results}


def _record_rows(*sets: xr.Dataset) -> tuple[list[str], list[np.ndarray]]:
    """One row per record (channel means of the scalar features), keeping the features
    finite in every record of every set."""
    names = feature_names(sets[0])
    rows = [record_embedding(ds, names) for ds in sets]
    keep = np.logical_and.reduce([np.isfinite(r).all(axis=0) for r in rows])
    return [n for n, k in zip(names, keep, strict=True) if k], [r[:, keep] for r in rows]


def privacy_metrics(
    real: xr.Dataset, synthetic: xr.Dataset, holdout: xr.Dataset, *, seed: int
) -> tuple[list[Metric], dict]:
    """Distance to closest record, NNDR, memorised copies and membership inference on
    record rows (channel means of the scalar features). The reference of each is its
    baseline: what a generator that never saw the training records would give. The
    extras hold the feature names, each attack's result and the rows of the three sets."""
    names, (rows_s, rows_t, rows_h) = _record_rows(synthetic, real, holdout)
    rows = {"s": rows_s, "t": rows_t, "h": rows_h}
    runs = {
        "dcr": lambda: privacy.distance_to_closest_record(rows["t"], rows["s"], holdout=rows["h"]),
        "nndr": lambda: privacy.nearest_neighbour_distance_ratio(rows["t"], rows["s"], holdout=rows["h"]),
        "copies": lambda: privacy.memorised_copies(rows["t"], rows["s"], holdout=rows["h"]),
        "mia": lambda: privacy.membership_inference(rows["t"], rows["s"], holdout=rows["h"], seed=seed),
    }
    results, seconds = {}, {}
    for key, run in runs.items():
        start = time.perf_counter()
        results[key] = run()
        seconds[key] = time.perf_counter() - start
    specs = [
        (
            "dcr",
            "share_closer_to_train",
            "Share of synthetic records closer to a training record than to a holdout one.",
        ),
        ("dcr", "train_p5", "5th percentile of the distance of synthetic records to their closest training record."),
        ("nndr", "p5", "5th percentile of the nearest-neighbour distance ratio to the training records."),
        ("copies", "share", "Share of synthetic records within the real-data copy threshold of a training record."),
        ("mia", "auc", "ROC AUC of a distance attack telling training members from holdout records (0.5: no leak)."),
    ]
    metrics = [
        Metric(
            f"{key}_{field}" if key != "copies" else "memorised_copies_share",
            "privacy",
            float(getattr(results[key], field)),
            float(results[key].baseline[field]),
            results[key].better[field],
            "SD" if field in ("train_p5",) else "",
            text,
            seconds[key],
        )
        for key, field, text in specs
    ]
    return metrics, {
        "features": names,
        "results": results,
        "rows": {"real": rows_t, "synthetic": rows_s, "holdout": rows_h},
    }


def plausibility_metrics(real: xr.DataArray, synthetic: xr.DataArray) -> tuple[list[Metric], dict]:
    """Share of records flagged "biologically implausible", synthetic against real."""
    start = time.perf_counter()
    tables = {"real": check_plausibility(real), "synthetic": check_plausibility(synthetic)}
    seconds = time.perf_counter() - start
    share = {k: float(t["implausible"].mean()) for k, t in tables.items()}
    metric = Metric(
        "implausible_share",
        "plausibility",
        share["synthetic"],
        share["real"],
        "lower",
        "",
        "Share of records flagged for biologically implausible values (amplitude, flat line, clipping, line noise, "
        "heart rate); the reference is the real records' share.",
        seconds,
    )
    return [metric], tables


def utility_metrics(
    real: xr.Dataset, synthetic: xr.Dataset, labels: tuple[Any, Any], *, seed: int
) -> tuple[list[Metric], Any]:
    """Train on synthetic, test on real, against train on real (record-wise folds)."""
    _, (rows_real, rows_synthetic) = _record_rows(real, synthetic)
    start = time.perf_counter()
    result = train_synthetic_test_real(rows_real, labels[0], rows_synthetic, labels[1], seed=seed)
    metric = Metric(
        f"tstr_{result.metric}",
        "utility",
        float(result.tstr),
        float(result.trtr),
        "higher",
        "",
        "Score on real records of a classifier trained on synthetic ones (TSTR); reference: trained on real (TRTR).",
        time.perf_counter() - start,
    )
    return [metric], result
