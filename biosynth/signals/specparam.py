# SPDX-License-Identifier: BSD-3-Clause
"""Spectral parameterisation (FOOOF / specparam, Donoghue et al. 2020): a power spectrum
in log10 power as an aperiodic component plus Gaussian peaks.

The algorithm of fooof 1.1 ``FOOOF(...).fit``, shared by the fidelity engine
(:func:`biosynth.fidelity.aperiodic_fit`, which checks its inputs and keeps the aperiodic
parameters) and the learned generators (which also keep the peaks). Conventions:
:math:`\\log_{10} P(f) = b - \\log_{10}(k + f^{\\chi}) + \\sum_i h_i
\\exp(-(f - c_i)^2 / (2 s_i^2))`, with the offset :math:`b` in log10 of the PSD unit,
the knee :math:`k` in Hz**exponent (0 in ``"fixed"`` mode), peak centres :math:`c_i` and
standard deviations :math:`s_i` in Hz and heights :math:`h_i` in log10 power above the
aperiodic component (fooof's ``gaussian_params_``; its bandwidth is :math:`2 s_i`).
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

__all__ = ["aperiodic_log_power", "fit_log_spectra", "peaks_log_power"]

# Constants of the FOOOF algorithm (fooof 1.1 ``FOOOF`` private settings), named for what they do.
_AP_PERCENTILE = 0.025  # percentile (not a fraction) of the clipped flattened spectrum kept for the robust refit
_EDGE_STD = 1.0  # a peak guess closer to an end of the fit range than this many std is dropped
_OVERLAP_STD = 0.75  # neighbouring guesses whose cf +- this many std intervals overlap: the lower one is dropped
_CF_BOUND_STD = 3.0  # during the joint fit a centre may move +- 2 * 1.5 std from its guess
_MAXFEV = 5000  # curve_fit evaluation budget
_FWHM_PER_STD = 2 * np.sqrt(2 * np.log(2))


def fit_log_spectra(
    freqs: np.ndarray,
    log_power: np.ndarray,
    *,
    mode: str = "fixed",
    peak_width_limits: tuple[float, float] = (0.5, 12.0),
    max_n_peaks: float = np.inf,
    min_peak_height: float = 0.0,
    peak_threshold: float = 2.0,
) -> dict[str, Any]:
    """Fit aperiodic component and peaks to log spectra (the FOOOF algorithm).

    Inputs are taken as checked (the fit range already cut, as by
    :func:`biosynth.fidelity.aperiodic_fit`, which documents the steps).

    Parameters
    ----------
    freqs : ndarray, shape (n_freqs,)
        Evenly spaced positive frequencies of the fit range, in Hz.
    log_power : ndarray, shape (n_rows, n_freqs)
        log10 of the power spectral density (units**2 / Hz).
    mode : {"fixed", "knee"}, default="fixed"
        Aperiodic model without or with a knee.
    peak_width_limits : (float, float), default=(0.5, 12.0)
        Allowed peak bandwidth (2 std), in Hz.
    max_n_peaks : int or inf, default=inf
        Most peaks per row.
    min_peak_height : float, default=0.0
        Least peak height above the aperiodic fit, in log10 power.
    peak_threshold : float, default=2.0
        Least peak height, in standard deviations of the flattened spectrum.

    Returns
    -------
    params : dict
        ``"aperiodic"``: ndarray (n_rows, 2 or 3) of (offset, exponent) or (offset,
        knee, exponent); ``"peaks"``: list (one per row) of ndarray (n_peaks, 3) of
        (centre Hz, height log10, std Hz), sorted by centre; ``"r_squared"``: ndarray
        (n_rows,). NaN aperiodic parameters (and no peaks) where a fit fails.
    """
    std_limits = (peak_width_limits[0] / 2, peak_width_limits[1] / 2)
    settings = {
        "std_limits": std_limits,
        "fallback_std": float(np.mean(peak_width_limits)),  # fooof's guess when no half-height point is found
        "max_n_peaks": max_n_peaks,
        "min_peak_height": min_peak_height,
        "peak_threshold": peak_threshold,
    }
    robust = _robust_aperiodic(freqs, log_power, mode)
    flat = log_power - _aperiodic(freqs, robust)
    failed = (np.full_like(freqs, np.nan), np.empty((0, 3)))  # the robust fit failed: NaN, as in fooof
    found = [
        _periodic_fit(freqs, row, **settings) if np.isfinite(r).all() else failed
        for row, r in zip(flat, robust, strict=True)
    ]
    peaks = np.array([model for model, _ in found]).reshape(log_power.shape)
    params = _fit_aperiodic(freqs, log_power - peaks, mode, _initial_guess(freqs, log_power - peaks, log_power, mode))
    return {
        "aperiodic": params,
        "peaks": [p if np.isfinite(a).all() else np.empty((0, 3)) for (_, p), a in zip(found, params, strict=True)],
        "r_squared": _r_squared(log_power, peaks + _aperiodic(freqs, params)),
    }


def aperiodic_log_power(freqs: np.ndarray, params: np.ndarray) -> np.ndarray:
    """log10 power of the aperiodic component.

    Parameters
    ----------
    freqs : ndarray, shape (n_freqs,)
        Frequencies, in Hz (positive).
    params : ndarray, shape (n_rows, 2) or (n_rows, 3)
        (offset, exponent) or (offset, knee, exponent), as from :func:`fit_log_spectra`.

    Returns
    -------
    log_power : ndarray, shape (n_rows, n_freqs)
    """
    return _aperiodic(np.asarray(freqs, dtype=float), np.atleast_2d(params))


def peaks_log_power(freqs: np.ndarray, peaks: np.ndarray) -> np.ndarray:
    """log10 power the Gaussian peaks add above the aperiodic component.

    Parameters
    ----------
    freqs : ndarray, shape (n_freqs,)
        Frequencies, in Hz.
    peaks : ndarray, shape (n_peaks, 3)
        (centre Hz, height log10, std Hz) per peak.

    Returns
    -------
    log_power : ndarray, shape (n_freqs,)
    """
    freqs = np.asarray(freqs, dtype=float)
    peaks = np.asarray(peaks, dtype=float).reshape(-1, 3)
    return _gaussians(freqs, *peaks.ravel()) if len(peaks) else np.zeros_like(freqs)


def _aperiodic(f: np.ndarray, params: np.ndarray) -> np.ndarray:
    """log10 power of the aperiodic model, (n_rows, n_params) -> (n_rows, n_freqs)."""
    if params.shape[-1] == 2:
        return params[:, :1] - params[:, 1:] * np.log10(f)
    with np.errstate(invalid="ignore", divide="ignore"):  # a negative knee: NaN below -knee**(1/exponent)
        return params[:, :1] - np.log10(params[:, 1:2] + f ** params[:, 2:])


def _knee_model(f: np.ndarray, offset: float, knee: float, exponent: float) -> np.ndarray:
    return offset - np.log10(knee + f**exponent)


def _initial_guess(f: np.ndarray, y: np.ndarray, log_power: np.ndarray, mode: str) -> np.ndarray:
    """fooof's starting point: first value, knee 0, end-to-end log-log slope of the spectrum."""
    slope = np.abs((log_power[:, -1] - log_power[:, 0]) / (np.log10(f[-1]) - np.log10(f[0])))
    columns = (y[:, 0], np.zeros(len(y)), slope) if mode == "knee" else (y[:, 0], slope)
    return np.column_stack(columns)


def _robust_aperiodic(f: np.ndarray, log_power: np.ndarray, mode: str) -> np.ndarray:
    """Step 1: fit all bins, then refit to the bins at the floor of the clipped residual."""
    first = _fit_aperiodic(f, log_power, mode, _initial_guess(f, log_power, log_power, mode))
    residual = np.clip(log_power - _aperiodic(f, first), 0.0, None)
    keep = residual <= np.percentile(residual, _AP_PERCENTILE, axis=-1, keepdims=True)
    return _fit_aperiodic(f, log_power, mode, first, keep)


def _fit_aperiodic(
    f: np.ndarray, y: np.ndarray, mode: str, guess: np.ndarray, keep: np.ndarray | None = None
) -> np.ndarray:
    """Aperiodic parameters per row, fitted to the bins in ``keep`` (all when None)."""
    keep = np.ones(y.shape, dtype=bool) if keep is None else keep
    if mode == "fixed":
        return _fixed_least_squares(np.log10(f), y, keep)
    from scipy.optimize import curve_fit

    params = np.full((len(y), 3), np.nan)
    for i in range(len(y)):
        if not np.isfinite(guess[i]).all():
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # log10 of negatives while exploring, as in fooof
                params[i] = curve_fit(_knee_model, f[keep[i]], y[i, keep[i]], p0=guess[i], maxfev=_MAXFEV)[0]
        except (RuntimeError, TypeError, ValueError) as err:  # no convergence, too few points
            logger.warning("aperiodic knee fit failed for row %d: %s", i, err)
    return params


def _fixed_least_squares(log_f: np.ndarray, y: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Least squares of ``y = offset - exponent * log10 f`` over the kept bins of each row."""
    w = keep.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        n = w.sum(axis=-1, keepdims=True)
        x_mean, y_mean = (w * log_f).sum(-1, keepdims=True) / n, (w * y).sum(-1, keepdims=True) / n
        dx = log_f - x_mean
        slope = (w * dx * (y - y_mean)).sum(-1, keepdims=True) / (w * dx**2).sum(-1, keepdims=True)
    return np.hstack([y_mean - slope * x_mean, -slope])


def _gaussians(f: np.ndarray, *params: float) -> np.ndarray:
    """Sum of Gaussians with parameters (centre Hz, height, std Hz) repeated."""
    centre, height, std = np.reshape(params, (-1, 3)).T[..., None]
    return np.sum(height * np.exp(-((f - centre) ** 2) / (2 * std**2)), axis=0)


def _gaussians_jacobian(f: np.ndarray, *params: float) -> np.ndarray:
    """Derivatives of :func:`_gaussians` by each parameter, (n_freqs, n_params): exact,
    where fooof's curve_fit differences them numerically (3 more evaluations per peak and
    step; the fits agree within its tolerance, see the tests)."""
    centre, height, std = np.reshape(params, (-1, 3)).T[..., None]
    shape = np.exp(-((f - centre) ** 2) / (2 * std**2))
    gauss = height * shape
    out = np.empty((len(centre), 3, len(f)))
    out[:, 0] = gauss * (f - centre) / std**2
    out[:, 1] = shape
    out[:, 2] = gauss * (f - centre) ** 2 / std**3
    return out.reshape(-1, len(f)).T


def _periodic_fit(f: np.ndarray, flat: np.ndarray, **settings: Any) -> tuple[np.ndarray, np.ndarray]:
    """Steps 2-4 for one flattened spectrum: the fitted peaks' log power (n_freqs,) and
    their (n_peaks, 3) parameters; NaN power (and no peaks) if the fit fails."""
    none = np.empty((0, 3))
    if not np.isfinite(flat).all():  # a negative robust knee: fooof's search stops at the NaN maximum
        return np.zeros_like(flat), none
    guess = _drop_overlapping(_drop_at_edges(_peak_guesses(f, flat, **settings), f))
    if not len(guess):
        return np.zeros_like(flat), none
    from scipy.optimize import curve_fit

    centre, _, std = guess.T
    (std_low, std_high), n = settings["std_limits"], len(guess)
    low = np.column_stack([np.maximum(centre - _CF_BOUND_STD * std, f[0]), np.zeros(n), np.full(n, std_low)])
    high = np.column_stack([np.minimum(centre + _CF_BOUND_STD * std, f[-1]), np.full(n, np.inf), np.full(n, std_high)])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # OptimizeWarning when the covariance cannot be estimated
            fitted = curve_fit(
                _gaussians,
                f,
                flat,
                p0=guess.ravel(),
                bounds=(low.ravel(), high.ravel()),
                maxfev=_MAXFEV,
                jac=_gaussians_jacobian,
            )
    except (RuntimeError, np.linalg.LinAlgError) as err:
        logger.warning("peak fit failed (%s); the row's aperiodic parameters are NaN, as in fooof.", err)
        return np.full_like(flat, np.nan), none
    params = fitted[0].reshape(-1, 3)
    return _gaussians(f, *fitted[0]), params[np.argsort(params[:, 0])]


def _peak_guesses(
    f: np.ndarray,
    flat: np.ndarray,
    *,
    std_limits: tuple[float, float],
    fallback_std: float,
    max_n_peaks: float,
    min_peak_height: float,
    peak_threshold: float,
) -> np.ndarray:
    """Step 2: (n_guesses, 3) of (centre Hz, height, std Hz), in order of discovery."""
    guesses: list[tuple[float, float, float]] = []
    residual = flat.copy()
    while len(guesses) < max_n_peaks:
        top = int(np.argmax(residual))
        height = residual[top]
        if height <= peak_threshold * np.std(residual) or not height > min_peak_height:
            break
        std = float(np.clip(_half_height_std(residual, top, f[1] - f[0], fallback_std), *std_limits))
        guesses.append((f[top], height, std))
        residual = residual - _gaussians(f, f[top], height, std)
    return np.array(guesses, dtype=float).reshape(-1, 3)


def _half_height_std(residual: np.ndarray, top: int, step: float, fallback: float) -> float:
    """Gaussian std from the distance to the nearer half-height point (the first bin is not searched)."""
    below = residual <= residual[top] / 2
    left, right = np.flatnonzero(below[1:top]), np.flatnonzero(below[top + 1 :])
    sides = ([top - 1 - left[-1]] if left.size else []) + ([right[0] + 1] if right.size else [])
    return min(sides) * 2 * step / _FWHM_PER_STD if sides else fallback


def _drop_at_edges(guess: np.ndarray, f: np.ndarray) -> np.ndarray:
    centre, std = guess[:, 0], guess[:, 2] * _EDGE_STD
    return guess[(np.abs(centre - f[0]) > std) & (np.abs(centre - f[-1]) > std)]


def _drop_overlapping(guess: np.ndarray) -> np.ndarray:
    """Sort by centre; of each neighbouring pair that overlaps, drop the lower (the left one on ties)."""
    guess = guess[np.argsort(guess[:, 0], kind="stable")]
    centre, height, std = guess.T
    clash = np.flatnonzero(centre[:-1] + _OVERLAP_STD * std[:-1] > centre[1:] - _OVERLAP_STD * std[1:])
    drop = np.zeros(len(guess), dtype=bool)
    left_lower = height[clash] <= height[clash + 1]
    drop[clash[left_lower]] = True
    drop[clash[~left_lower] + 1] = True
    return guess[~drop]


def _r_squared(y: np.ndarray, model: np.ndarray) -> np.ndarray:
    """Squared Pearson correlation per row."""
    a, b = y - y.mean(-1, keepdims=True), model - model.mean(-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (a * b).sum(-1) ** 2 / ((a * a).sum(-1) * (b * b).sum(-1))
