# SPDX-License-Identifier: BSD-3-Clause
"""Private helpers of the event detectors (spikes, HFOs, beta bursts): signals in volts,
pass bands, zero-phase band-pass, moving sums and runs of a thresholded series."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import signal as sps

from biosynth._utils.check import check_number, check_positive
from biosynth.signals import CHANNEL, RECORD, as_batch
from biosynth.signals.units import unit_factor

#: Order of the Butterworth band-pass (doubled by the forward-backward pass).
FILTER_ORDER = 4


def volts(signals: Any) -> tuple[np.ndarray, float, list[str]]:
    """Data as float64 ``(record, channel, time)`` in V (``a.u.`` kept as is), sfreq, names."""
    batch = as_batch(signals)  # validates: dims, attrs, finite samples
    factor = 1.0 if batch.attrs["units"] == "a.u." else unit_factor(batch.attrs["units"], "V")
    data = np.asarray(batch.transpose(RECORD, CHANNEL, ...).values, dtype=np.float64) * factor
    return data, float(batch.attrs["sfreq"]), [str(c) for c in batch[CHANNEL].values]


def check_band(
    band: Any, sfreq: float, name: str = "band", rate: str = "signals.attrs['sfreq']"
) -> tuple[float, float]:
    """A pass band ``(low, high)`` in Hz with ``0 < low < high < sfreq / 2``, or a
    one-line error naming ``name`` (and ``rate``, where the sampling rate came from)."""
    if isinstance(band, str) or not isinstance(band, Sequence) or len(band) != 2:
        raise TypeError(f"{name} must be a pair (low, high) of frequencies in Hz, got {band!r}.")
    low = check_positive(f"{name}[0]", band[0], unit="Hz")
    high = check_number(f"{name}[1]", band[1], low=low, low_inclusive=False, unit="Hz", context=f"above {name}[0]")
    if sfreq <= 2.0 * high:
        raise ValueError(
            f"{name}=({low:g}, {high:g}) Hz needs signals sampled above {2.0 * high:g} Hz (twice the high edge, "
            f"under the Nyquist frequency), got {rate}={sfreq:g} Hz."
        )
    return low, high


def samples(name: str, seconds: Any, sfreq: float, *, minimum: int) -> int:
    """A duration in s as a whole number of samples, at least ``minimum``."""
    n = round(check_number(name, seconds, low=0.0, unit="s") * sfreq)
    if n < minimum:
        raise ValueError(
            f"{name}={float(seconds):g} s is {n} sample(s) at {sfreq:g} Hz; it must span at least {minimum}."
        )
    return n


def bandpass(data: np.ndarray, band: tuple[float, float], sfreq: float, window: int) -> np.ndarray:
    """Zero-phase Butterworth band-pass along time; refuses records too short to filter."""
    sos = sps.butter(FILTER_ORDER, band, btype="bandpass", fs=sfreq, output="sos")
    padlen = 3 * (2 * len(sos) + 1)  # sosfiltfilt's default padding
    need = max(padlen + 1, 2 * window)
    if data.shape[-1] < need:
        raise ValueError(
            f"signals has {data.shape[-1]} samples per record; these detectors need at least {need} "
            f"({need / sfreq:g} s at {sfreq:g} Hz) to filter and window them."
        )
    return sps.sosfiltfilt(sos, data, axis=-1)


def moving_sum(x: np.ndarray, n: int) -> np.ndarray:
    """Sum of each run of ``n`` consecutive samples along the last axis (length ``T - n + 1``)."""
    c = np.cumsum(x, axis=-1)
    c = np.concatenate([np.zeros((*x.shape[:-1], 1)), c], axis=-1)
    return c[..., n:] - c[..., :-n]


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of True along time of a ``(rows, T)`` mask: row, start, stop (exclusive), by row then start."""
    edges = np.diff(np.pad(mask, ((0, 0), (1, 1))).astype(np.int8), axis=-1)
    rows, starts = np.nonzero(edges == 1)
    _, stops = np.nonzero(edges == -1)
    return rows, starts, stops


def merge(
    rows: np.ndarray, starts: np.ndarray, stops: np.ndarray, gap: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Join consecutive runs of a row separated by fewer than ``gap`` samples."""
    if rows.size == 0:
        return rows, starts, stops
    joined = (rows[1:] == rows[:-1]) & (starts[1:] - stops[:-1] < gap)
    first = np.flatnonzero(np.concatenate([[True], ~joined]))
    return rows[first], starts[first], np.maximum.reduceat(stops, first)


def segment_argmax(series: np.ndarray, rows: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Index (along time) of the first maximum of ``series[row, start:stop]`` for each run."""
    if rows.size == 0:
        return starts
    lengths = stops - starts
    first = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    position = np.arange(lengths.sum()) - np.repeat(first - starts, lengths)
    values = series[np.repeat(rows, lengths), position]
    is_max = values == np.repeat(np.maximum.reduceat(values, first), lengths)
    hits = np.flatnonzero(is_max)
    return position[hits[np.searchsorted(hits, first)]]


def where(rows: np.ndarray, names: list[str]) -> dict[str, list]:
    """``record`` and ``channel`` columns of flattened ``record * n_channels + channel`` rows."""
    return {"record": (rows // len(names)).tolist(), "channel": [names[c] for c in rows % len(names)]}


# --------------------------------------------------------------------------- spikes
