# SPDX-License-Identifier: BSD-3-Clause
"""Per-signal features of a batch, chunk by chunk: the table every comparison reads.

:func:`extract_features` turns a container ``(record, channel, time)`` into an
:class:`xarray.Dataset` of features over ``(record, channel)`` (plus the Welch PSD over
``(record, channel, freq)``). Records are processed in chunks, so memory is bounded by
the chunk, not the batch; a dask-backed input is processed chunk by chunk in parallel on
the active dask scheduler (a ``dask.distributed`` client when one is running) and gives
the same values as the eager path.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr
from tqdm.auto import tqdm

from biosynth._utils.backend import check_device
from biosynth._utils.check import check_int, check_type
from biosynth._utils.docs import fill_doc
from biosynth.fidelity.nonlinear import MEASURES, nonlinear_features
from biosynth.fidelity.spectral import (
    ECG_BANDS,
    EEG_BANDS,
    IOECOG_BANDS,
    band_power,
    coherence,
    peak_frequency,
    spectral_edge,
    welch_psd,
)
from biosynth.fidelity.statistical import QUANTILE_LEVELS, amplitude_quantiles, autocorrelation, moments
from biosynth.signals import CHANNEL, RECORD, TIME, as_batch, validate_signals

#: Feature sections, in report order: which features belong where.
SECTIONS = ("spectral", "statistical", "nonlinear")

logger = logging.getLogger(__name__)

#: Default bands per modality (``band_power`` skips those above Nyquist).
BANDS_BY_MODALITY = {
    "eeg": EEG_BANDS,
    "ecog": IOECOG_BANDS,
    "seeg": IOECOG_BANDS,
    "lfp": IOECOG_BANDS,
    "ecg": ECG_BANDS,
}

#: Span of the autocorrelation kept per signal, in seconds.
ACF_SPAN_S = 0.5

#: Nonlinear measures computed by default: the whole set but approximate entropy (it
#: duplicates sample entropy) and multiscale entropy (it needs long records).
DEFAULT_NONLINEAR = tuple(m for m in MEASURES if m not in ("approximate_entropy", "multiscale_entropy"))


@fill_doc
def extract_features(
    signals: xr.DataArray,
    *,
    bands: Mapping[str, tuple[float, float]] | None = None,
    nonlinear: Sequence[str] | None = DEFAULT_NONLINEAR,
    nperseg: int | None = None,
    chunk_size: int = 64,
    device: str = "cpu",
    progress: bool = False,
) -> xr.Dataset:
    """Spectral, statistical and nonlinear features of every signal of a batch.

    Parameters
    ----------
    signals : DataArray
        biosynth container, with or without a ``record`` dim; numpy- or dask-backed.
    bands : mapping of str to (low, high) | None
        Frequency bands, in Hz, for relative band powers and coherence; bands above
        Nyquist are skipped. None takes :data:`BANDS_BY_MODALITY` of the signals'
        modality (EEG bands for others).
    nonlinear : sequence of str | None
        Names from :data:`biosynth.fidelity.MEASURES` (with their set conventions);
        None or an empty sequence computes none.
    nperseg : int | None
        Welch segment length in samples; None uses :func:`default_nperseg` (2 s, or
        longer for narrow bands such as ECG's 0.05-0.5 Hz baseline band; bands with
        fewer than 2 frequency bins are skipped).
    chunk_size : int
        Records per chunk of the eager path (a dask input keeps its own chunks).
    %(device)s
        On a torch device the Welch PSD (band powers, peak frequency and spectral
        edge are read from it) and the nonlinear measures with a torch path (see
        :func:`biosynth.fidelity.nonlinear_features`) run there; coherence,
        moments, autocorrelation and quantiles stay on the CPU.
    progress : bool
        Show a progress bar over chunks.

    Returns
    -------
    features : Dataset
        Variables over ``(record, channel)``: ``relpow_<band>`` (fraction of the
        power of all bands), ``logpow_<band>`` (log10 of the band power, in
        log10 units**2), ``peak_frequency`` (Hz, in the alpha band when it is
        among ``bands``), ``std`` (units of ``signals``), ``skewness``,
        ``kurtosis`` and the nonlinear measures; ``psd`` over
        ``(record, channel, freq)`` in units**2/Hz; ``acf`` over
        ``(record, channel, lag)`` (lags in s, up to :data:`ACF_SPAN_S`);
        ``quantiles`` of the amplitude about its mean over
        ``(record, channel, level)``; ``corr``,
        each record's channel correlation matrix over
        ``(record, channel, channel_b)``; ``coherence``, each record's band-mean
        magnitude-squared coherence over ``(record, band, channel, channel_b)``
        (float32; bands wholly below Nyquist; absent for one channel);
        ``spectral_edge`` (SEF95, Hz, over the span of the bands).
        ``attrs["sections"]`` maps each scalar feature to its report section.

    Examples
    --------
    >>> from biosynth.generators import simulate_eeg
    >>> eeg = simulate_eeg(4.0, 128.0, n_records=3, seed=0)
    >>> ds = extract_features(eeg, nonlinear=["katz_fd"])
    >>> ds["relpow_alpha"].dims, ds.attrs["sections"]["katz_fd"]
    (('record', 'channel'), 'nonlinear')
    """
    validate_signals(signals)
    names = _check_nonlinear(nonlinear)
    chunk_size = check_int("chunk_size", chunk_size, low=1)
    device = check_device(device)
    check_type("progress", progress, bool, "True or False")
    batch = as_batch(signals)
    if bands is None:
        bands = BANDS_BY_MODALITY.get(signals.attrs["modality"], EEG_BANDS)
    options = {"bands": dict(bands), "nonlinear": names, "nperseg": nperseg, "device": device}
    if _is_dask(batch):
        return _dask_features(batch, options)
    starts = range(0, batch.sizes[RECORD], chunk_size)
    parts = [
        _chunk_features(batch.isel({RECORD: slice(start, start + chunk_size)}), **options)
        for start in tqdm(starts, desc="features", unit="chunk", disable=not progress)
    ]
    return _combine(parts)


def _check_nonlinear(nonlinear: Sequence[str] | None) -> list[str]:
    if nonlinear is None or (not isinstance(nonlinear, str) and len(nonlinear) == 0):
        return []
    names = [nonlinear] if isinstance(nonlinear, str) else list(nonlinear)
    unknown = [n for n in names if n not in MEASURES]
    if unknown:
        raise ValueError(f"nonlinear must be names from {sorted(MEASURES)}, got {unknown!r}.")
    return names


def _is_dask(data: xr.DataArray) -> bool:
    return type(data.data).__module__.startswith("dask")


def _chunk_features(
    chunk: xr.DataArray, *, bands: dict, nonlinear: list[str], nperseg: int | None, device: str
) -> xr.Dataset:
    """Features of one chunk of records (numpy values)."""
    values = np.asarray(chunk.values, dtype=np.float64)
    sfreq = float(chunk.attrs["sfreq"])
    if nperseg is None:
        nperseg = default_nperseg(values.shape[-1], sfreq, bands)
    freqs, psd = welch_psd(values, sfreq, nperseg=nperseg, device=device)
    bands = _resolved_bands(freqs, bands)
    spectral = {f"relpow_{k}": v for k, v in band_power(freqs, psd, bands, relative=True).items()}
    with np.errstate(divide="ignore"):  # a band without power: -inf, dropped by the distances
        spectral |= {f"logpow_{k}": np.log10(v) for k, v in band_power(freqs, psd, bands, relative=False).items()}
    peak_band = bands.get("alpha", next(iter(bands.values())))
    if peak_band[0] < freqs[-1]:
        spectral["peak_frequency"] = peak_frequency(freqs, psd, peak_band)
    span = (min(b[0] for b in bands.values()), min(max(b[1] for b in bands.values()), freqs[-1]))
    spectral["spectral_edge"] = spectral_edge(freqs, psd, edge=0.95, freq_range=span)
    sections = dict.fromkeys(spectral, "spectral")
    statistical = moments(values)
    sections.update(dict.fromkeys(statistical, "statistical"))
    measures = nonlinear_features(values, sfreq, measures=nonlinear, device=device) if nonlinear else {}
    sections.update(dict.fromkeys(measures, "nonlinear"))
    dims = (RECORD, CHANNEL)
    data = {name: (dims, v) for name, v in {**spectral, **statistical, **measures}.items()}
    data["psd"] = ((*dims, "freq"), psd)
    data.update(_shape_features(values, sfreq))
    usable = {k: v for k, v in bands.items() if v[1] <= freqs[-1]}
    if values.shape[1] > 1 and usable:
        with np.errstate(invalid="ignore", divide="ignore"):  # a channel flat in one record: NaN entries
            coh = coherence(values, sfreq, bands=usable, nperseg=nperseg)
        data["coherence"] = (
            (RECORD, "band", CHANNEL, "channel_b"),
            np.stack(list(coh.values()), axis=1).astype(np.float32),
        )
    coords = {
        RECORD: chunk[RECORD].values,
        CHANNEL: chunk[CHANNEL].values,
        "freq": freqs,
        "lag": np.arange(data["acf"][1].shape[-1]) / sfreq,
        "level": QUANTILE_LEVELS,
        "band": list(usable),
    }
    return xr.Dataset(
        data,
        coords=coords,
        attrs={
            "sfreq": sfreq,
            "units": chunk.attrs["units"],
            "modality": chunk.attrs["modality"],
            "sections": sections,
        },
    )


def default_nperseg(n_times: int, sfreq: float, bands: Mapping[str, tuple[float, float]]) -> int:
    """Welch segment length: 2 s, longer when the narrowest band needs it (two bins
    per band width), never longer than the signal.

    Parameters
    ----------
    n_times : int
        Samples per signal.
    sfreq : float
        Sampling rate, in Hz.
    bands : mapping of str to (low, high)
        Bands, in Hz.

    Returns
    -------
    nperseg : int
    """
    narrowest = min(high - low for low, high in bands.values())
    return int(min(n_times, round(sfreq * max(2.0, 2.0 / narrowest))))


def _resolved_bands(freqs: np.ndarray, bands: dict) -> dict:
    """The bands holding at least 2 frequency bins (others are skipped, with a log line)."""
    kept = {k: v for k, v in bands.items() if np.count_nonzero((freqs >= v[0]) & (freqs <= min(v[1], freqs[-1]))) >= 2}
    skipped = sorted(set(bands) - set(kept))
    if skipped:
        logger.info("bands %s hold fewer than 2 frequency bins at %.3g Hz resolution; skipped", skipped, freqs[1])
    if not kept:
        raise ValueError(f"no band holds 2 frequency bins at {freqs[1]:.3g} Hz resolution; use longer signals.")
    return kept


def _shape_features(values: np.ndarray, sfreq: float) -> dict[str, tuple]:
    """Per-signal curves and per-record matrices: autocorrelation up to ACF_SPAN_S,
    amplitude quantiles, and the channel correlation matrix of each record."""
    nlags = int(min(values.shape[-1] - 1, round(ACF_SPAN_S * sfreq)))
    with np.errstate(invalid="ignore", divide="ignore"):  # a channel flat in one record: NaN entries
        corr = np.array([np.corrcoef(rec) for rec in values]).reshape(len(values), values.shape[1], values.shape[1])
    return {
        "acf": ((RECORD, CHANNEL, "lag"), autocorrelation(values, nlags)),
        # amplitude about each signal's mean: a DC offset says nothing about the signal
        "quantiles": ((RECORD, CHANNEL, "level"), amplitude_quantiles(values - values.mean(axis=-1, keepdims=True))),
        "corr": ((RECORD, CHANNEL, "channel_b"), corr),
    }


def _combine(parts: list[xr.Dataset]) -> xr.Dataset:
    out = xr.concat(parts, dim=RECORD, combine_attrs="override") if len(parts) > 1 else parts[0]
    out["psd"].attrs["units"] = f"{out.attrs['units']}**2/Hz"
    return out


def _dask_features(batch: xr.DataArray, options: dict[str, Any]) -> xr.Dataset:
    """One delayed task per record chunk of the dask array, computed together."""
    import dask

    batch = batch.chunk({CHANNEL: -1, TIME: -1})
    bounds = np.cumsum((0, *batch.chunksizes[RECORD]))
    tasks = [
        dask.delayed(_chunk_features)(batch.isel({RECORD: slice(lo, hi)}), **options)
        for lo, hi in itertools.pairwise(bounds)
    ]
    return _combine(list(dask.compute(*tasks)))


def record_embedding(features: xr.Dataset, names: Sequence[str] | None = None) -> np.ndarray:
    """One row per record: each feature averaged over channels.

    Parameters
    ----------
    features : Dataset
        Output of :func:`extract_features`.
    names : sequence of str | None
        Features to use (columns, in this order); None uses every feature over
        ``(record, channel)`` except ``psd``.

    Returns
    -------
    embedding : ndarray, shape (n_records, n_features)
        Channel means (NaN-aware; a feature NaN on every channel stays NaN).

    Examples
    --------
    >>> from biosynth.generators import simulate_eeg
    >>> ds = extract_features(simulate_eeg(4.0, 128.0, n_records=3, seed=0), nonlinear=None)
    >>> record_embedding(ds, ["std", "kurtosis"]).shape
    (3, 2)
    """
    names = list(feature_names(features) if names is None else names)
    missing = [n for n in names if n not in features]
    if missing:
        raise ValueError(f"names must be features of the Dataset, got unknown {missing}.")
    with _quiet_nanmean():
        columns = [np.nanmean(features[n].values, axis=1) for n in names]
    return np.stack(columns, axis=1)


def feature_names(features: xr.Dataset) -> list[str]:
    """Names of the per-signal features of a :func:`extract_features` Dataset, in
    section order (spectral, statistical, nonlinear).

    Parameters
    ----------
    features : Dataset
        Output of :func:`extract_features`.

    Returns
    -------
    names : list of str
    """
    sections = features.attrs["sections"]
    return [n for s in SECTIONS for n in features.data_vars if sections.get(n) == s]


@contextlib.contextmanager
def _quiet_nanmean() -> Iterator[None]:
    """NaN-aware means of all-NaN columns are NaN, without a warning."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
        yield
