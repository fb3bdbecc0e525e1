# SPDX-License-Identifier: BSD-3-Clause
"""Spectral features: Welch power spectral density, band powers, peak and spectral edge
frequencies, the aperiodic (1/f) fit of FOOOF / specparam, and band-averaged coherence."""

from __future__ import annotations

import logging
import numbers
from collections.abc import Callable, Mapping
from typing import Any, Literal

import numpy as np

from biosynth._utils.check import check_int, check_number, check_option, check_sfreq, check_type
from biosynth._utils.docs import fill_doc
from biosynth.fidelity._psd import psd_torch
from biosynth.fidelity._rows import as_rows
from biosynth.fidelity._torch import use_torch
from biosynth.signals.specparam import fit_log_spectra

logger = logging.getLogger(__name__)

#: Default EEG bands, in Hz. :func:`band_power` integrates over the bins with
#: ``low <= f <= high``, so a bin on a shared edge counts in both neighbouring bands.
EEG_BANDS: dict[str, tuple[float, float]] = {
    "delta": (1.0, 4.0),
    "theta": (4.0, 8.0),
    "alpha": (8.0, 13.0),
    "beta": (13.0, 30.0),
    "gamma": (30.0, 45.0),
}

#: Intracranial (ioECoG) bands, in Hz: the EEG bands plus the high-frequency oscillation
#: bands, ripples 80-250 Hz and fast ripples 250-500 Hz (Bragin et al. 1999, Epilepsia
#: 40(2):127-137; Jacobs et al. 2012, Clin Neurophysiol 123(6):1106-1116). They need
#: sfreq >= 1000 Hz to be whole; :func:`band_power` skips bands above Nyquist.
IOECOG_BANDS: dict[str, tuple[float, float]] = {**EEG_BANDS, "ripple": (80.0, 250.0), "fast_ripple": (250.0, 500.0)}

#: ECG bands, in Hz. ``baseline``: respiration and electrode drift, below the 0.5 Hz
#: high-pass of monitoring ECG and above the 0.05 Hz one of diagnostic ECG (Kligfield et
#: al. 2007, Circulation 115(10):1306-1324). ``p_t_waves``: the heart rate, its first
#: harmonics and the slow P and T waves, below the QRS band (Thakor, Webster & Tompkins
#: 1984, IEEE Trans Biomed Eng 31(11):702-706, place the QRS spectrum's peak near 10 Hz
#: and the P/T waves below it). ``qrs``: the pass band that maximises QRS energy (Pan &
#: Tompkins 1985, IEEE Trans Biomed Eng 32(3):230-236). ``qrs_high``: the rest of the
#: monitoring bandwidth (0.5-40 Hz, Kligfield et al. 2007), QRS notches and onset of muscle
#: noise. ``high``: up to the 150 Hz upper edge of diagnostic ECG (Kligfield et al. 2007).
ECG_BANDS: dict[str, tuple[float, float]] = {
    "baseline": (0.05, 0.5),
    "p_t_waves": (0.5, 5.0),
    "qrs": (5.0, 15.0),
    "qrs_high": (15.0, 40.0),
    "high": (40.0, 150.0),
}


# ----------------------------------------------------------------------------- Welch PSD


@fill_doc
def welch_psd(
    x: Any, sfreq: float, *, nperseg: int | None = None, axis: int = -1, device: str = "cpu"
) -> tuple[np.ndarray, np.ndarray]:
    """Power spectral density by Welch's method (SciPy's conventions).

    Hann window (periodic), 50 % overlap, mean of segment periodograms, constant
    detrending per segment, one-sided density scaling: the PSD integrates to the
    signal variance. Identical to ``scipy.signal.welch(x, sfreq, nperseg=nperseg)``.

    Parameters
    ----------
    x : array_like, shape (..., n_times)
        Signals; any leading shape.
    sfreq : float
        Sampling rate, in Hz.
    nperseg : int | None
        Segment length in samples; None uses ``min(n_times, 2 * sfreq)`` (0.5 Hz
        resolution).
    %(axis)s
    %(device)s
        The torch path computes the same estimate with ``torch.fft`` (within a
        relative 1e-9 of SciPy in float64).

    Returns
    -------
    freqs : ndarray, shape (n_freqs,)
        Frequencies, in Hz.
    psd : ndarray, shape (..., n_freqs)
        Power spectral density, in units**2 / Hz.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(2, 1000))
    >>> freqs, psd = welch_psd(x, 100.0)
    >>> freqs[:3], psd.shape
    (array([0. , 0.5, 1. ]), (2, 101))
    """
    sfreq = check_sfreq("sfreq", sfreq)
    rows, restore = as_rows(x, axis=axis, min_samples=2)
    nperseg = _check_nperseg(nperseg, rows.shape[1], sfreq)
    if use_torch(device):
        from scipy.fft import rfftfreq
        from scipy.signal import get_window

        scale = 1.0 / (sfreq * np.sum(get_window("hann", nperseg) ** 2))  # SciPy's density scaling
        return rfftfreq(nperseg, 1.0 / sfreq), restore(psd_torch(rows, "welch", nperseg, device) * scale)
    from scipy.signal import welch

    freqs, psd = welch(rows, fs=sfreq, nperseg=nperseg, axis=-1)
    return freqs, restore(psd)


def _check_nperseg(nperseg: Any, n_times: int, sfreq: float) -> int:
    """Welch segment length: ``min(n_times, 2 s)`` when None, else checked in [2, n_times]."""
    if nperseg is None:
        nperseg = min(n_times, round(2 * sfreq))
    return check_int("nperseg", nperseg, low=2, high=n_times)


# ----------------------------------------------------------------------------- band power, peak


def band_power(
    freqs: np.ndarray,
    psd: np.ndarray,
    bands: Mapping[str, tuple[float, float]] = EEG_BANDS,
    *,
    relative: bool = True,
    total_range: tuple[float, float] | None = None,
) -> dict[str, np.ndarray]:
    """Power in each band, integrated with the trapezoid rule.

    Parameters
    ----------
    freqs : ndarray, shape (n_freqs,)
        Frequencies, in Hz.
    psd : ndarray, shape (..., n_freqs)
        Power spectral density, in units**2 / Hz.
    bands : mapping of str to (low, high)
        Band edges, in Hz (e.g. :data:`EEG_BANDS`, :data:`IOECOG_BANDS`,
        :data:`ECG_BANDS`); bands starting at or above the highest frequency
        (Nyquist) are skipped, and the last one kept is cut there.
    relative : bool
        Divide by the power over ``total_range``.
    total_range : (low, high) | None
        Range of the total power, in Hz; None spans the lowest to highest band edge.

    Returns
    -------
    powers : dict of str to ndarray, shape (...)
        Absolute power (units**2) or unitless fraction per band.

    Examples
    --------
    >>> import numpy as np
    >>> freqs = np.linspace(0.0, 50.0, 101)
    >>> powers = band_power(freqs, np.ones(101), relative=False)
    >>> float(powers["alpha"])  # a flat 1 units**2/Hz PSD over 8-13 Hz
    5.0
    """
    freqs = np.asarray(freqs, dtype=float)
    psd = np.asarray(psd, dtype=float)
    _check_same_bins(freqs, psd)
    usable = _usable_bands(bands, freqs)
    powers = {name: _integrate(freqs, psd, low, min(high, freqs[-1])) for name, (low, high) in usable.items()}
    if relative:
        lo, hi = total_range or (min(v[0] for v in usable.values()), min(max(v[1] for v in usable.values()), freqs[-1]))
        total = _integrate(freqs, psd, lo, hi)
        powers = {k: np.divide(v, total, out=np.full_like(v, np.nan), where=total > 0) for k, v in powers.items()}
    return powers


def _check_same_bins(freqs: np.ndarray, psd: np.ndarray) -> None:
    if psd.ndim == 0 or psd.shape[-1] != freqs.size:
        n_psd = psd.shape[-1] if psd.ndim else 0
        raise ValueError(f"psd has {n_psd} frequencies along its last axis but freqs has {freqs.size}.")


def _usable_bands(bands: Mapping[str, tuple[float, float]], freqs: np.ndarray) -> dict[str, tuple[float, float]]:
    """The bands that start below the highest frequency (Nyquist for a Welch PSD)."""
    usable = {k: v for k, v in bands.items() if v[0] < freqs[-1]}
    if not usable:
        raise ValueError(f"no band lies below the highest frequency ({freqs[-1]:g} Hz); bands were {dict(bands)}.")
    return usable


def _integrate(freqs: np.ndarray, psd: np.ndarray, low: float, high: float) -> np.ndarray:
    check_number("band low edge", low, low=0.0)
    mask = (freqs >= low) & (freqs <= high)
    if mask.sum() < 2:
        raise ValueError(f"band {low:g}-{high:g} Hz holds fewer than 2 frequency bins; use longer signals.")
    from scipy.integrate import trapezoid

    return trapezoid(psd[..., mask], freqs[mask], axis=-1)


def peak_frequency(freqs: np.ndarray, psd: np.ndarray, band: tuple[float, float]) -> np.ndarray:
    """Frequency of the largest PSD value within ``band``, per row.

    Parameters
    ----------
    freqs : ndarray, shape (n_freqs,)
        Frequencies, in Hz.
    psd : ndarray, shape (..., n_freqs)
        Power spectral density, in units**2 / Hz.
    band : (float, float)
        Search range, in Hz (inclusive).

    Returns
    -------
    peak : ndarray, shape (...)
        Peak frequency, in Hz.

    Examples
    --------
    >>> import numpy as np
    >>> freqs = np.arange(0.0, 20.0, 0.5)
    >>> float(peak_frequency(freqs, np.exp(-((freqs - 10.5) ** 2)), (5.0, 15.0)))
    10.5
    """
    freqs = np.asarray(freqs, dtype=float)
    mask = (freqs >= band[0]) & (freqs <= band[1])
    if not mask.any():
        raise ValueError(f"band {band[0]:g}-{band[1]:g} Hz holds no frequency bin.")
    return freqs[mask][np.argmax(np.asarray(psd)[..., mask], axis=-1)]


# ----------------------------------------------------------------------------- shared checks


def _spectrum_rows(freqs: Any, psd: Any) -> tuple[np.ndarray, np.ndarray, Callable]:
    """Checked ``freqs`` (1-D, increasing) and ``psd`` folded to finite float64 rows."""
    freqs = np.asarray(freqs, dtype=float)
    if freqs.ndim != 1 or freqs.size < 2 or not np.all(np.diff(freqs) > 0):
        raise ValueError(f"freqs must be a 1-D increasing array of frequencies in Hz, got shape {freqs.shape}.")
    rows, restore = as_rows(psd, axis=-1, name="psd")
    _check_same_bins(freqs, rows)
    return freqs, rows, restore


def _check_pair(name: str, pair: Any, *, low: float, low_inclusive: bool = True, unit: str = "Hz") -> tuple:
    """Two increasing finite numbers, the first within ``[low, inf)``."""
    check_type(name, pair, (tuple, list, np.ndarray), "a (low, high) pair")
    if len(pair) != 2:
        raise ValueError(f"{name} must be a (low, high) pair, got {len(pair)} values.")
    lo = check_number(f"{name}[0]", pair[0], low=low, low_inclusive=low_inclusive, unit=unit)
    return lo, check_number(f"{name}[1]", pair[1], low=lo, low_inclusive=False, unit=unit)


def _range_mask(freqs: np.ndarray, freq_range: Any, *, positive: bool = False, min_bins: int = 2) -> np.ndarray:
    """Bins of ``freqs`` within the checked ``freq_range`` (None: all of them)."""
    if freq_range is None:
        lo, hi = freqs[0], freqs[-1]
    else:
        lo, hi = _check_pair("freq_range", freq_range, low=0.0, low_inclusive=not positive)
        if lo < freqs[0] or hi > freqs[-1]:
            raise ValueError(
                f"freq_range must lie within the PSD's frequencies, {freqs[0]:g}-{freqs[-1]:g} Hz; "
                f"got {lo:g}-{hi:g} Hz."
            )
    mask = (freqs >= lo) & (freqs <= hi)
    if mask.sum() < min_bins:
        raise ValueError(
            f"freq_range {lo:g}-{hi:g} Hz holds {mask.sum()} frequency bin(s); expected at least {min_bins} "
            "(widen it or use longer segments)."
        )
    return mask


# ----------------------------------------------------------------------------- spectral edge


def spectral_edge(
    freqs: np.ndarray, psd: np.ndarray, *, edge: float = 0.95, freq_range: tuple[float, float] | None = None
) -> np.ndarray:
    """Spectral edge frequency: below it lies ``edge`` of the power in ``freq_range``.

    Parameters
    ----------
    freqs : ndarray, shape (n_freqs,)
        Frequencies, in Hz (increasing).
    psd : ndarray, shape (..., n_freqs)
        Power spectral density, in units**2 / Hz; finite and non-negative.
    edge : float, default=0.95
        Fraction of the power, in (0, 1): 0.95 gives SEF95, 0.5 the median frequency.
    freq_range : (low, high) | None, default=None
        Range of the power, in Hz, within ``freqs``; None uses all bins.

    Returns
    -------
    sef : ndarray of float64, shape (...)
        Spectral edge frequency, in Hz. NaN for rows without power in the range.

    Notes
    -----
    The cumulative power :math:`C(f)` is the trapezoid integral of the PSD from the
    range's lowest bin, which is exact for a PSD linear between bins. The edge is the
    :math:`f` with :math:`C(f) = \\text{edge} \\cdot C(f_{max})`, interpolated
    linearly between the two bins that bracket it, so it varies continuously rather
    than in steps of the frequency resolution. A flat PSD over ``[low, high]`` gives
    ``low + edge * (high - low)``; power in a single bin :math:`f_j` gives
    :math:`f_j + (2\\,\\text{edge} - 1)\\,\\Delta f` for ``edge >= 0.5`` (the trapezoid
    rule spreads it over :math:`f_j \\pm \\Delta f`). Implementations that return the
    first bin whose cumulative sum reaches the edge (e.g. mne-features
    ``compute_spect_edge_freq``) differ by up to one bin. SEF95 in anaesthesia
    monitoring: Rampil (1998), Anesthesiology 89(4):980-1002.

    Examples
    --------
    >>> import numpy as np
    >>> freqs = np.linspace(0.0, 40.0, 81)
    >>> float(spectral_edge(freqs, np.ones(81)))  # flat PSD: 0.95 * 40 Hz
    38.0
    """
    edge = check_number("edge", edge, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    freqs, rows, restore = _spectrum_rows(freqs, psd)
    if (rows < 0).any():
        raise ValueError(f"psd must be non-negative; got {int((rows < 0).sum())} negative value(s).")
    mask = _range_mask(freqs, freq_range)
    from scipy.integrate import cumulative_trapezoid

    f = freqs[mask]
    cum = cumulative_trapezoid(rows[:, mask], f, axis=-1, initial=0.0)
    target = edge * cum[:, -1:]
    above = np.clip((cum < target).sum(axis=-1, keepdims=True), 1, f.size - 1)  # first bin with C >= target
    c0, c1 = np.take_along_axis(cum, above - 1, axis=-1), np.take_along_axis(cum, above, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        sef = f[above - 1] + (target - c0) / (c1 - c0) * (f[above] - f[above - 1])
    sef[cum[:, -1:] <= 0] = np.nan
    return restore(sef[:, 0])


# ----------------------------------------------------------------------------- aperiodic fit


def aperiodic_fit(
    freqs: np.ndarray,
    psd: np.ndarray,
    *,
    freq_range: tuple[float, float] = (1.0, 40.0),
    mode: Literal["fixed", "knee"] = "fixed",
    peak_width_limits: tuple[float, float] = (0.5, 12.0),
    max_n_peaks: float = np.inf,
    min_peak_height: float = 0.0,
    peak_threshold: float = 2.0,
) -> dict[str, np.ndarray]:
    """Aperiodic (1/f) component of power spectra by FOOOF / specparam.

    Fits :math:`\\log_{10} P(f) = b - \\log_{10}(k + f^{\\chi})` plus Gaussian peaks
    (Donoghue et al. 2020) to each row, with the algorithm and constants of fooof 1.1
    ``FOOOF(...).fit(freqs, psd, freq_range)``, whose ``aperiodic_params_`` it
    reproduces. The algorithm lives in
    :func:`biosynth.signals.specparam.fit_log_spectra`, which also returns the peaks.

    Parameters
    ----------
    freqs : ndarray, shape (n_freqs,)
        Frequencies, in Hz; evenly spaced (as from :func:`welch_psd`).
    psd : ndarray, shape (..., n_freqs)
        Power spectral density, in units**2 / Hz (linear, not log); positive within
        ``freq_range``.
    freq_range : (float, float), default=(1.0, 40.0)
        Fit range, in Hz (bins with ``low <= f <= high``); ``low > 0`` and the range
        within ``freqs``.
    mode : {"fixed", "knee"}, default="fixed"
        ``"fixed"``: :math:`k = 0`, a straight line in log-log axes; ``"knee"``: fit
        the knee :math:`k` too.
    peak_width_limits : (float, float), default=(0.5, 12.0)
        Allowed peak bandwidth (2 std of the Gaussian), in Hz. fooof advises a lower
        limit above about 1.5 times the frequency resolution.
    max_n_peaks : int or inf, default=inf
        Most peaks to fit.
    min_peak_height : float, default=0.0
        Least height of a peak above the aperiodic fit, in log10(power) units.
    peak_threshold : float, default=2.0
        Least height of a peak, in standard deviations of the flattened spectrum.

    Returns
    -------
    params : dict of str to ndarray of float64, shape (...)
        ``"offset"`` :math:`b` (log10 of units**2/Hz), ``"exponent"`` :math:`\\chi`
        (the 1/f slope; positive for a falling spectrum), ``"knee"`` :math:`k`
        (Hz**exponent; only for ``mode="knee"``) and ``"r_squared"``, the squared
        correlation of the full model (aperiodic plus peaks) with
        :math:`\\log_{10} P` over the fit range. NaN where a fit fails (fooof
        leaves its results NaN too).

    Notes
    -----
    Steps, per spectrum, in log10 power over the fit range:

    1. Initial aperiodic fit to all bins. Flatten by subtracting it, set negative
       residuals to 0 and refit the aperiodic model to the bins at or below the
       0.025th percentile of that: in practice the bins on or under the first
       fit, where no peak lies.
    2. Flatten by the robust fit. Repeatedly take the highest point as a peak guess
       while it exceeds ``peak_threshold`` standard deviations of the (remaining)
       flattened spectrum and ``min_peak_height``; its std comes from the
       half-height width on its steeper side (clipped to ``peak_width_limits / 2``),
       and the guessed Gaussian is subtracted before the next search.
    3. Drop guesses within 1 std of either end of the range, and of each
       neighbouring pair whose centre +- 0.75 std intervals overlap, the lower one.
    4. Fit all remaining Gaussians jointly to the flattened spectrum
       (``scipy.optimize.curve_fit``; centres within +- 3 std of the guess and the
       fit range, heights >= 0).
    5. Subtract the peaks from the log spectrum and fit the aperiodic model to all
       bins: the result.

    In fixed mode the aperiodic model is linear in its parameters, so the fits of
    steps 1 and 5 are exact least-squares solves vectorised over rows (fooof runs
    Levenberg-Marquardt to the same optimum, within about 1e-8); the knee mode and
    the peaks run ``curve_fit`` per row with fooof's starting values.

    References
    ----------
    Donoghue, T., Haller, M., Peterson, E. J., Varma, P., Sebastian, P., Gao, R.,
    Noto, T., Lara, A. H., Wallis, J. D., Knight, R. T., Shestyuk, A., & Voytek, B.
    (2020). Parameterizing neural power spectra into periodic and aperiodic
    components. Nature Neuroscience, 23(12), 1655-1665.

    Examples
    --------
    >>> import numpy as np
    >>> freqs = np.arange(0.5, 50.0, 0.5)
    >>> fit = aperiodic_fit(freqs, 100.0 * freqs**-1.5)  # a pure power law
    >>> round(float(fit["offset"]), 9), round(float(fit["exponent"]), 9)
    (2.0, 1.5)
    """
    check_option("mode", mode, ("fixed", "knee"))
    widths = _check_pair("peak_width_limits", peak_width_limits, low=0.0, low_inclusive=False)
    f, log_power, restore = _log_spectrum(freqs, psd, freq_range)
    fit = fit_log_spectra(
        f,
        log_power,
        mode=mode,
        peak_width_limits=widths,
        max_n_peaks=_check_max_n_peaks(max_n_peaks),
        min_peak_height=check_number("min_peak_height", min_peak_height, low=0.0),
        peak_threshold=check_number("peak_threshold", peak_threshold, low=0.0),
    )
    names = ("offset", "knee", "exponent") if mode == "knee" else ("offset", "exponent")
    out = dict(zip(names, fit["aperiodic"].T, strict=True))
    out["r_squared"] = fit["r_squared"]
    return {name: restore(value) for name, value in out.items()}


def _log_spectrum(freqs: Any, psd: Any, freq_range: Any) -> tuple[np.ndarray, np.ndarray, Callable]:
    """Checked fit range: its frequencies, log10 of the PSD rows there, and ``restore``."""
    freqs, rows, restore = _spectrum_rows(freqs, psd)
    mask = _range_mask(freqs, freq_range, positive=True, min_bins=4)
    f, power = freqs[mask], rows[:, mask]
    if not np.allclose(np.diff(f), f[1] - f[0]):
        raise ValueError("freqs must be evenly spaced within freq_range (as from welch_psd); got uneven steps.")
    if (power <= 0).any():
        raise ValueError(
            f"psd must be positive within freq_range to take its log; got {int((power <= 0).sum())} value(s) <= 0."
        )
    return f, np.log10(power), restore


def _check_max_n_peaks(value: Any) -> float:
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and value == np.inf:
        return np.inf
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return check_int("max_n_peaks", value, low=0)


# ----------------------------------------------------------------------------- coherence


def coherence(
    x: Any,
    sfreq: float,
    *,
    bands: Mapping[str, tuple[float, float]] = EEG_BANDS,
    nperseg: int | None = None,
    axis: int = -1,
) -> dict[str, np.ndarray]:
    """Magnitude-squared coherence between all channel pairs, averaged within bands.

    Parameters
    ----------
    x : array_like, shape (..., n_channels, n_times)
        Signals; the channel axis is the one before the time axis (after moving
        ``axis`` last); any leading shape.
    sfreq : float
        Sampling rate, in Hz.
    bands : mapping of str to (low, high), default=EEG_BANDS
        Band edges, in Hz; the coherence is the mean over the bins with
        ``low <= f <= high``. Bands starting at or above Nyquist are skipped.
    nperseg : int | None
        Welch segment length in samples; None uses ``min(n_times, 2 * sfreq)``.
        Coherence needs several segments: with one it is 1 everywhere.
    axis : int
        Time axis.

    Returns
    -------
    coh : dict of str to ndarray of float64, shape (..., n_channels, n_channels)
        Band-mean coherence, unitless in [0, 1], symmetric, with ones on the
        diagonal. NaN where a channel has no power in a bin of the band (flat).

    Notes
    -----
    :math:`C_{xy}(f) = |P_{xy}(f)|^2 / (P_{xx}(f) P_{yy}(f))` with Welch's cross- and
    auto-spectra (Hann window, 50 % overlap, constant detrend per segment): per bin
    identical to ``scipy.signal.coherence(x, y, sfreq, nperseg=nperseg)``. The
    segment spectra are computed once; all cross-spectra come from one batched
    product, so the cost grows with ``n_channels**2 * n_bins``.

    References
    ----------
    Carter, G. C. (1987). Coherence and time delay estimation. Proceedings of the
    IEEE, 75(2), 236-255.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> common = rng.normal(size=2560)
    >>> x = np.stack([common + 0.1 * rng.normal(size=2560), rng.normal(size=2560)])
    >>> coh = coherence(x, 128.0)
    >>> coh["alpha"].shape, bool(coh["alpha"][0, 0] == 1.0), bool(coh["alpha"][0, 1] < 0.2)
    ((2, 2), True, True)
    """
    sfreq = check_sfreq("sfreq", sfreq)
    rows, restore = as_rows(x, axis=axis, min_samples=2)
    shape = np.moveaxis(np.asarray(x), axis, -1).shape
    if len(shape) < 2:
        raise ValueError(f"x must have shape (..., n_channels, n_times) for coherence, got shape {shape}.")
    nperseg = _check_nperseg(nperseg, shape[-1], sfreq)
    from scipy.fft import rfftfreq
    from scipy.signal import stft

    freqs = rfftfreq(nperseg, 1.0 / sfreq)
    masks = {name: _band_bins(freqs, low, high) for name, (low, high) in _usable_bands(bands, freqs).items()}
    used = np.logical_or.reduce(list(masks.values()))
    _, _, spectra = stft(
        rows,
        sfreq,
        window="hann",
        nperseg=nperseg,
        noverlap=nperseg // 2,
        detrend="constant",
        boundary=None,
        padded=False,
    )
    spectra = spectra[:, used].reshape(-1, shape[-2], used.sum(), spectra.shape[-1]).transpose(0, 2, 1, 3)
    coh = _coherence_matrix(spectra @ spectra.conj().swapaxes(-1, -2))  # (n_groups, n_bins, n_ch, n_ch)
    return {name: restore(coh[:, mask[used]].mean(axis=1).reshape(len(rows), -1)) for name, mask in masks.items()}


def _band_bins(freqs: np.ndarray, low: float, high: float) -> np.ndarray:
    mask = (freqs >= low) & (freqs <= high)
    if not mask.any():
        raise ValueError(f"band {low:g}-{high:g} Hz holds no frequency bin; use longer segments (nperseg).")
    return mask


def _coherence_matrix(cross: np.ndarray) -> np.ndarray:
    """|S_ij|^2 / (S_ii S_jj) from cross-spectral matrices (..., n_ch, n_ch); exact ones on the diagonal."""
    power = np.real(np.diagonal(cross, axis1=-2, axis2=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        coh = np.abs(cross) ** 2 / (power[..., :, None] * power[..., None, :])
    diagonal = np.arange(power.shape[-1])
    coh[..., diagonal, diagonal] = np.where(power > 0, 1.0, np.nan)
    return coh
