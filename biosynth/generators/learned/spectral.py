# SPDX-License-Identifier: BSD-3-Clause
"""A generator that learns a recording's spectra, cross-spectra, epoch-to-epoch
variability, amplitude distribution and recording chain: :class:`SpectralGenerator`.

It models a recording as a nonstationary Gaussian process seen through a monotone
amplitude transform and a quantiser. The parts, each learned from the real data:

1. **Spectrum per channel**: the specparam model (aperiodic component with knee and
   Gaussian peaks in log power, :mod:`biosynth.signals.specparam`) plus a smooth
   residual where the parametric form misfits (recording filters, notch, mains).
2. **Cross-channel structure**: the complex coherency matrix per octave band, shrunk
   towards the identity by ``n_channels / (n_channels + n_eff)`` where ``n_eff`` is the
   number of Welch segments times the bins of the band.
3. **Nonstationarity**: per-epoch band log-powers of every channel; their covariance,
   less what a stationary Gaussian process shows by chance, is kept as a low-rank
   Gaussian, and drives smooth gains of every channel and band that evolve from frame to
   frame as first-order autoregressive processes with the lag-one correlation of the real
   epochs.
4. **Amplitude distribution**: a monotone quantile map from the model's marginal to the
   real one per channel (skewness, kurtosis, clipping), whose effect on the spectrum is
   corrected by refitting the spectrum to what the transformed samples show.
5. **Recording chain**: the quantisation step of each channel (the real values are
   multiples of it: ties) and the channel means.

Sampling draws frames of one epoch length with 50 % overlap in the frequency domain
(complex Gaussian times the factor of the cross-spectral matrix times the frame's band
gains), windows them by a square-root Hann window and adds them up (the squared windows
sum to one, so the variance is stationary). The fitted state holds spectra, coherency
matrices, covariances and quantiles: parameters, never real samples.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np

from biosynth._utils.check import check_int, check_number, check_type
from biosynth.generators.learned._base import LearnedGenerator
from biosynth.signals.specparam import aperiodic_log_power, fit_log_spectra, peaks_log_power

logger = logging.getLogger(__name__)

#: Probabilities of the quantiles of the amplitude map (denser in the tails).
QUANTILE_PROBS = np.concatenate(
    [
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025],
        np.linspace(0.05, 0.95, 19),
        [0.975, 0.99, 0.995, 0.9975, 0.999, 0.9995],
    ]
)
#: Fewest epochs for the variability model (fewer: a stationary process).
MIN_VARIABILITY_EPOCHS = 6
#: Most frequency bins of the specparam fit (more are averaged in groups).
MAX_FIT_BINS = 400
#: Frames drawn at once while sampling (bounds memory).
FRAME_BLOCK = 64


class SpectralGenerator(LearnedGenerator):
    """Learn a recording's spectra, coherence, variability and amplitude distribution.

    Works on any modality with one or more channels at any rate (EEG, ECoG, sEEG, LFP);
    channels need no positions. See the module notes for the model.

    Parameters
    ----------
    epoch : float | None, default=None
        Length of the analysis epochs and of the synthesis frames, in s: it sets the
        time scale of the variability model and of its gains. None: ``min(2 s, record
        length / 8)``. The spectra are estimated with Welch segments of four epochs (at
        most half a record), which sets the frequency resolution.
    max_n_peaks : int, default=6
        Most spectral peaks per channel.
    n_components : int | None, default=None
        Rank of the epoch-variability model; None: every component with more variance
        than chance, at most ``min(10, n_epochs // 2)``. 0 switches the variability off.
    amplitude_map : bool, default=True
        Learn the monotone amplitude transform (off: Gaussian marginals).
    quantise : bool, default=True
        Round samples to the quantisation step found in the real data.

    Attributes
    ----------
    spectrum_params_ : list of dict
        Per channel: ``offset`` (log10 of unit**2/Hz), ``knee`` (Hz**exponent),
        ``knee_freq`` (Hz, ``knee**(1/exponent)``), ``exponent`` and ``peaks``, a list of
        ``[centre Hz, height log10, std Hz]``.
    freqs_ : ndarray, shape (n_freqs,)
        Frequencies of the model, in Hz.
    log_psd_ : ndarray, shape (n_channels, n_freqs)
        The sampled spectrum per channel, log10 of unit**2/Hz.
    band_centres_ : ndarray, shape (n_bands,)
        Octave band centres, in Hz.
    coherency_ : ndarray, shape (n_bands, n_channels, n_channels), complex
        Shrunk coherency per band.
    variability_ : ndarray, shape (n_channels * n_bands, n_components)
        Loadings of the epoch log band powers (log10) on the latent states.
    variability_diag_ : ndarray, shape (n_channels * n_bands,)
        Independent variance of each log band power, log10 units squared.
    rho_ : ndarray, shape (n_components,)
        Lag-one correlation of the latent states from one frame to the next.
    quantiles_ : ndarray, shape (2, n_channels, n_quantiles)
        The amplitude map: model quantiles -> real quantiles (unit of the data).
    step_ : ndarray, shape (n_channels,)
        Quantisation step per channel (0: none found), unit of the data.
    mean_ : ndarray, shape (n_channels,)
        Channel means.

    Examples
    --------
    >>> import numpy as np
    >>> from biosynth.signals import make_signals
    >>> rng = np.random.default_rng(0)
    >>> real = make_signals(rng.normal(size=(2, 4096)) * 1e-5, 128.0, units="V")
    >>> gen = SpectralGenerator().fit(real)
    >>> gen.sample(3, duration=4.0, seed=1).sizes["record"]
    3
    """

    name = "spectral"

    def __init__(
        self,
        *,
        epoch: float | None = None,
        max_n_peaks: int = 6,
        n_components: int | None = None,
        amplitude_map: bool = True,
        quantise: bool = True,
    ) -> None:
        self.epoch = None if epoch is None else check_number("epoch", epoch, low=0.0, low_inclusive=False, unit="s")
        self.max_n_peaks = check_int("max_n_peaks", max_n_peaks, low=0)
        self.n_components = None if n_components is None else check_int("n_components", n_components, low=0)
        check_type("amplitude_map", amplitude_map, bool, "True or False")
        check_type("quantise", quantise, bool, "True or False")
        self.amplitude_map = amplitude_map
        self.quantise = quantise

    # --- fit --------------------------------------------------------------------------

    def _fit(self, data: np.ndarray, labels: np.ndarray | None) -> None:
        sfreq = self.info_["sfreq"]
        n_epoch = self._frame_length(data.shape[-1], sfreq)
        n_long = min(4 * n_epoch, 2 * (data.shape[-1] // 4)) if data.shape[-1] >= 2 * n_epoch else n_epoch
        n_long = max(n_long, n_epoch)
        self.mean_ = data.mean(axis=(0, 2))
        x = data - self.mean_[None, :, None]
        self.freqs_ = np.fft.rfftfreq(n_long, 1.0 / sfreq)
        self.epoch_freqs_ = np.fft.rfftfreq(n_epoch, 1.0 / sfreq)
        spectra = _windowed_spectra(_frames(x, n_long, n_long // 2), sfreq)  # (n_windows, C, F), density scaling
        psd = np.mean(np.abs(spectra) ** 2, axis=0)
        self.band_centres_ = _band_centres(self.epoch_freqs_)
        self.coherency_ = _band_coherency(spectra, _band_weights(self.freqs_, self.band_centres_))
        del spectra
        self.spectrum_params_, self.log_psd_ = _spectrum_model(self.freqs_, psd, self.max_n_peaks)
        self.step_ = _quantisation_steps(data) if self.quantise else np.zeros(data.shape[1])
        self._set_stationary_state()
        self._fit_variability(_frames(x, n_epoch, n_epoch))
        self._fit_amplitude_map(x)

    def _frame_length(self, n_times: int, sfreq: float) -> int:
        epoch = self.epoch if self.epoch is not None else min(2.0, n_times / sfreq / 8)
        n = 2 * max(4, round(epoch * sfreq / 2))
        if n > n_times:
            raise ValueError(
                f"epoch must be at most the record length ({n_times / sfreq:g} s) to fit SpectralGenerator, "
                f"got {n / sfreq:g} s."
            )
        return n

    def _set_stationary_state(self) -> None:
        n_ch, n_bands = self.log_psd_.shape[0], len(self.band_centres_)
        self.variability_ = np.zeros((n_ch * n_bands, 0))
        self.variability_diag_ = np.zeros(n_ch * n_bands)
        self.rho_ = np.zeros(0)
        self.quantiles_ = np.zeros((2, n_ch, 0))
        self._factor = None

    def _fit_variability(self, epochs: np.ndarray) -> None:
        """Low-rank Gaussian of the per-epoch log band powers, less chance variation."""
        if self.n_components == 0 or len(epochs) < MIN_VARIABILITY_EPOCHS:
            return
        weights = _band_weights(self.epoch_freqs_, self.band_centres_)
        real = _log_band_powers(epochs, weights)  # (E, C*B)
        rng = np.random.default_rng(0)  # the chance reference is part of the fit: fixed
        n_sim = max(64, 2 * len(epochs))
        n = epochs.shape[-1]
        simulated = self._draw(rng, n_sim * n, transform=False)
        reference = _log_band_powers(simulated.reshape(len(simulated), n_sim, n).transpose(1, 0, 2), weights)
        excess = np.cov(real, rowvar=False) - np.cov(reference, rowvar=False)
        values, vectors = np.linalg.eigh(excess)
        values, vectors = values[::-1], vectors[:, ::-1]
        limit = min(10, len(epochs) // 2) if self.n_components is None else self.n_components
        keep = int(min(limit, np.sum(values > 0)))
        loadings = vectors[:, :keep] * np.sqrt(values[:keep])
        self.variability_ = loadings
        self.variability_diag_ = np.clip(np.diag(excess) - np.sum(loadings**2, axis=1), 0.0, None)
        pairs = _consecutive(self.info_["n_records"], self.info_["n_times"] // n)
        self.rho_ = _frame_correlation(real - real.mean(axis=0), vectors[:, :keep], values[:keep], pairs)

    def _fit_amplitude_map(self, x: np.ndarray) -> None:
        """Quantile map from the model's marginal to the real one; then correct the spectrum."""
        if not self.amplitude_map:
            return
        rng = np.random.default_rng(1)
        n = 2 * len(self.freqs_) - 2
        real_q = _frame_quantiles(x, n)
        target = self.log_psd_.copy()
        n_times = max(16 * n, x.shape[0] * x.shape[-1])
        for _ in range(2):
            raw = self._draw(rng, n_times, transform=False)
            self.quantiles_ = np.stack([_frame_quantiles(raw[None], n), real_q])
            mapped = _apply_map(raw, self.quantiles_)[None]
            spectra = _windowed_spectra(_frames(mapped, n, n // 2), self.info_["sfreq"])
            achieved = np.log10(np.clip(np.mean(np.abs(spectra) ** 2, axis=0), 1e-300, None))
            self.log_psd_[:, 1:] += _smooth(target[:, 1:] - achieved[:, 1:], 1.0)  # not DC: no power there
            self._factor = None

    # --- sampling ---------------------------------------------------------------------

    def _sample_record(self, rng: np.random.Generator, n_times: int, label: Any) -> np.ndarray:
        y = self._draw(rng, n_times, transform=True)
        if self.quantise:
            y = _quantise(y + self.mean_[:, None], self.step_) - self.mean_[:, None]
        return y + self.mean_[:, None]

    def _draw(self, rng: np.random.Generator, n_times: int, *, transform: bool) -> np.ndarray:
        """One record of the model, (n_channels, n_times), zero mean."""
        varying = bool(self.variability_.size or self.variability_diag_.any())
        margin = 2 * len(self.epoch_freqs_) - 2 if varying else 0
        y = self._stationary(rng, n_times + 2 * margin)
        if varying:
            y = self._modulate(rng, y)[:, margin : margin + n_times]
        return _apply_map(y, self.quantiles_) if transform and self.quantiles_.shape[-1] else y

    def _stationary(self, rng: np.random.Generator, n_times: int) -> np.ndarray:
        """The stationary Gaussian process with the model's cross-spectral density."""
        n = 2 * len(self.freqs_) - 2
        hop = n // 2
        n_frames = math.ceil((n_times + hop) / hop) + 1
        out = np.zeros((self.log_psd_.shape[0], (n_frames - 1) * hop + n))
        window = np.sqrt(_hann(n))
        for start in range(0, n_frames, FRAME_BLOCK):
            stop = min(start + FRAME_BLOCK, n_frames)
            frames = np.fft.irfft(self._frame_spectra(rng, stop - start), n=n, axis=-1) * window
            _overlap_add(out, frames, start * hop, hop)
        return out[:, hop : hop + n_times]

    def _modulate(self, rng: np.random.Generator, y: np.ndarray) -> np.ndarray:
        """Apply the band gains of the latent process, frame by frame (short-time Fourier)."""
        n = 2 * len(self.epoch_freqs_) - 2
        hop = n // 2
        n_frames = (y.shape[-1] - n) // hop + 1
        gains = self._frame_gains(rng, n_frames)
        window = np.sqrt(_hann(n))
        out = np.zeros_like(y)
        for start in range(0, n_frames, FRAME_BLOCK):
            stop = min(start + FRAME_BLOCK, n_frames)
            frames = np.stack([y[:, k * hop : k * hop + n] for k in range(start, stop)]) * window
            spectra = np.fft.rfft(frames, axis=-1) * gains[start:stop]
            _overlap_add(out, np.fft.irfft(spectra, n=n, axis=-1) * window, start * hop, hop)
        return out

    def _frame_spectra(self, rng: np.random.Generator, n_frames: int) -> np.ndarray:
        """Stationary frame spectra (n_frames, C, F) with the model's cross-spectral density."""
        factor = self._coherency_factor()
        n_ch, n_freqs = self.log_psd_.shape
        shape = (n_freqs, n_ch, n_frames)
        z = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)
        z[0] = 0.0
        z[-1] = z[-1].real * np.sqrt(2)
        n = 2 * n_freqs - 2
        scale = np.sqrt(n * self.info_["sfreq"] / 2 * 10.0**self.log_psd_)  # (C, F)
        scale[:, -1] *= np.sqrt(0.5)
        return scale * np.matmul(factor, z).transpose(2, 1, 0)

    def _frame_gains(self, rng: np.random.Generator, n_frames: int) -> np.ndarray:
        """Amplitude gains (n_frames, C, F) of the short frames from the latent band-power process."""
        n_ch = self.log_psd_.shape[0]
        n_bands = len(self.band_centres_)
        latent = _ar1(rng, self.rho_, n_frames)  # (n_frames, k)
        rho_rest = float(np.mean(self.rho_)) if self.rho_.size else 0.0
        independent = _ar1(rng, np.full(n_ch * n_bands, rho_rest), n_frames)
        log_power = latent @ self.variability_.T + independent * np.sqrt(self.variability_diag_)
        variance = np.sum(self.variability_**2, axis=1) + self.variability_diag_
        log_power -= 0.5 * np.log(10.0) * variance  # E[10 ** u] = 1: the mean spectrum stays
        weights = _band_weights(self.epoch_freqs_, self.band_centres_)
        return 10.0 ** (0.5 * log_power.reshape(n_frames, n_ch, n_bands) @ weights)

    def _coherency_factor(self) -> np.ndarray:
        if getattr(self, "_factor", None) is None:
            weights = _band_weights(self.freqs_, self.band_centres_)
            matrices = np.einsum("bf,bcd->fcd", weights, self.coherency_)
            values, vectors = np.linalg.eigh(matrices)
            self._factor = vectors * np.sqrt(np.clip(values, 0.0, None))[:, None, :]
        return self._factor

    # --- state ------------------------------------------------------------------------

    def _params(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "max_n_peaks": self.max_n_peaks,
            "n_components": self.n_components,
            "amplitude_map": self.amplitude_map,
            "quantise": self.quantise,
        }

    def _state(self) -> dict[str, np.ndarray]:
        peaks = [np.asarray(p["peaks"], dtype=float).reshape(-1, 3) for p in self.spectrum_params_]
        return {
            "freqs": self.freqs_,
            "epoch_freqs": self.epoch_freqs_,
            "log_psd": self.log_psd_,
            "band_centres": self.band_centres_,
            "coherency_real": self.coherency_.real,
            "coherency_imag": self.coherency_.imag,
            "variability": self.variability_,
            "variability_diag": self.variability_diag_,
            "rho": self.rho_,
            "quantiles": self.quantiles_,
            "step": self.step_,
            "mean": self.mean_,
            "aperiodic": np.array([[p["offset"], p["knee"], p["exponent"]] for p in self.spectrum_params_]),
            "peak_counts": np.array([len(p) for p in peaks], dtype=int),
            "peaks": np.concatenate(peaks) if peaks else np.empty((0, 3)),
        }

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.freqs_ = state["freqs"]
        self.epoch_freqs_ = state["epoch_freqs"]
        self.log_psd_ = state["log_psd"]
        self.band_centres_ = state["band_centres"]
        self.coherency_ = state["coherency_real"] + 1j * state["coherency_imag"]
        self.variability_ = state["variability"]
        self.variability_diag_ = state["variability_diag"]
        self.rho_ = state["rho"]
        self.quantiles_ = state["quantiles"]
        self.step_ = state["step"]
        self.mean_ = state["mean"]
        bounds = np.concatenate([[0], np.cumsum(state["peak_counts"])])
        self.spectrum_params_ = [
            _spectrum_entry(row, state["peaks"][bounds[c] : bounds[c + 1]]) for c, row in enumerate(state["aperiodic"])
        ]
        self._factor = None


# --- helpers ----------------------------------------------------------------------------


def _hann(n: int) -> np.ndarray:
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)


def _frames(x: np.ndarray, n: int, hop: int) -> np.ndarray:
    """Frames of ``n`` samples every ``hop`` samples of each record: (n_frames, C, n)."""
    starts = range(0, x.shape[-1] - n + 1, hop)
    return np.stack([x[r, :, s : s + n] for r in range(x.shape[0]) for s in starts])


def _windowed_spectra(frames: np.ndarray, sfreq: float) -> np.ndarray:
    """Hann-windowed spectra scaled so that the mean of ``abs(.)**2`` is the one-sided PSD."""
    window = _hann(frames.shape[-1])
    spectra = np.fft.rfft(frames * window, axis=-1)
    scale = np.full(spectra.shape[-1], 2.0 / (sfreq * np.sum(window**2)))
    scale[0] /= 2
    if frames.shape[-1] % 2 == 0:
        scale[-1] /= 2
    return spectra * np.sqrt(scale)


def _band_centres(freqs: np.ndarray) -> np.ndarray:
    """Octave centres from the first non-zero bin (at least 1 Hz) to Nyquist."""
    low = max(freqs[1], 1.0)
    count = max(1, int(np.floor(np.log2(freqs[-1] / low))) + 1)
    return low * 2.0 ** np.arange(count)


def _band_weights(freqs: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Triangular weights in log2 frequency between neighbouring centres; columns sum to 1."""
    if len(centres) == 1:
        return np.ones((1, len(freqs)))
    position = np.interp(np.log2(np.maximum(freqs, centres[0])), np.log2(centres), np.arange(len(centres)))
    weights = np.clip(1.0 - np.abs(position[None, :] - np.arange(len(centres))[:, None]), 0.0, None)
    return weights / weights.sum(axis=0)


def _band_coherency(spectra: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Complex coherency per band, shrunk towards the identity (see the module notes)."""
    n_windows, n_ch, _ = spectra.shape
    out = np.empty((len(weights), n_ch, n_ch), dtype=complex)
    for b, w in enumerate(weights):
        y = (spectra * np.sqrt(w)).transpose(1, 0, 2).reshape(n_ch, -1)
        cross = y @ y.conj().T
        power = np.sqrt(np.clip(cross.diagonal().real, 1e-300, None))
        coherency = cross / power[:, None] / power[None, :]
        shrink = n_ch / (n_ch + n_windows * w.sum()) if n_ch > 1 else 0.0
        out[b] = (1.0 - shrink) * coherency + shrink * np.eye(n_ch)
    return out


def _spectrum_model(freqs: np.ndarray, psd: np.ndarray, max_n_peaks: int) -> tuple[list[dict], np.ndarray]:
    """specparam fit per channel and the sampled log spectrum (parametric + smooth residual).

    The fit range is ``max(1 Hz, 2 bins)`` to ``0.8 x Nyquist``; its bins are averaged in
    groups so that at most :data:`MAX_FIT_BINS` remain (the peak fit's cost grows with the
    square of the bin count)."""
    fit_freqs, fit_log = _fit_grid(freqs, psd)
    step = fit_freqs[1] - fit_freqs[0]
    options = {
        "peak_width_limits": (2.0 * step, max(12.0, (fit_freqs[-1] - fit_freqs[0]) / 8)),
        "max_n_peaks": max_n_peaks,
        "min_peak_height": 0.05,
    }
    fit = fit_log_spectra(fit_freqs, fit_log, mode="knee", **options)
    log_psd = np.log10(np.clip(psd, 1e-300, None))
    entries = []
    model = np.empty_like(log_psd)
    for c, (params, peaks) in enumerate(zip(fit["aperiodic"], fit["peaks"], strict=True)):
        if not np.isfinite(params).all() or params[1] < 0:  # no knee to be found: the fixed model
            fixed = fit_log_spectra(fit_freqs, fit_log[c : c + 1], mode="fixed", **options)
            params, peaks = np.array([fixed["aperiodic"][0, 0], 0.0, fixed["aperiodic"][0, 1]]), fixed["peaks"][0]
        entries.append(_spectrum_entry(params, peaks))
        parametric = aperiodic_log_power(freqs[1:], params)[0] + peaks_log_power(freqs[1:], peaks)
        model[c, 1:] = parametric + _keep_lines(log_psd[c, 1:] - parametric)
    model[:, 0] = -300.0  # no power at DC: the channel means are added back
    return entries, model


def _fit_grid(freqs: np.ndarray, psd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies and log10 PSD of the specparam fit range, bins averaged in groups."""
    low, high = max(1.0, 2 * freqs[1]), 0.8 * freqs[-1]
    inside = np.flatnonzero((freqs >= low) & (freqs <= high))
    group = max(1, math.ceil(inside.size / MAX_FIT_BINS))
    inside = inside[: inside.size // group * group]
    fit_freqs = freqs[inside].reshape(-1, group).mean(axis=1)
    fit_psd = psd[:, inside].reshape(psd.shape[0], -1, group).mean(axis=2)
    return fit_freqs, np.log10(np.clip(fit_psd, 1e-300, None))


def _keep_lines(residual: np.ndarray) -> np.ndarray:
    """Smooth a log-spectral residual, but keep narrow lines (mains) that stand out by 2x."""
    smooth = _smooth(residual[None], 1.0)[0]
    return np.where(residual - smooth > np.log10(2.0), residual, smooth)


def _smooth(values: np.ndarray, sigma: float) -> np.ndarray:
    from scipy.ndimage import gaussian_filter1d

    return gaussian_filter1d(values, sigma, axis=-1, mode="nearest")


def _spectrum_entry(params: np.ndarray, peaks: np.ndarray) -> dict[str, Any]:
    offset, knee, exponent = (float(v) for v in params)
    knee_freq = float(max(knee, 0.0) ** (1.0 / exponent)) if exponent > 0 else 0.0
    return {
        "offset": offset,
        "knee": knee,
        "knee_freq": knee_freq,
        "exponent": exponent,
        "peaks": np.asarray(peaks, dtype=float).reshape(-1, 3).tolist(),
    }


def _log_band_powers(epochs: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """log10 band powers of Hann-windowed epochs: (n_epochs, n_channels * n_bands)."""
    power = np.abs(np.fft.rfft(epochs * _hann(epochs.shape[-1]), axis=-1)) ** 2
    bands = power @ weights.T  # (E, C, B)
    return np.log10(np.clip(bands, 1e-300, None)).reshape(len(epochs), -1)


def _frame_correlation(
    deviations: np.ndarray, vectors: np.ndarray, values: np.ndarray, pairs: np.ndarray
) -> np.ndarray:
    """Frame-to-frame (half-epoch) lag-one correlation of each latent component.

    The epoch-to-epoch correlation of the projected deviations is divided by the share
    of their variance the component explains (the chance part does not correlate) and
    then square-rooted (frames advance by half an epoch)."""
    if not len(values) or not len(pairs):
        return np.zeros(len(values))
    scores = deviations @ vectors
    lag = np.sum(scores[pairs] * scores[pairs + 1], axis=0) / np.maximum(np.sum(scores**2, axis=0), 1e-300)
    explained = values / np.maximum(np.var(scores, axis=0), 1e-300)
    return np.sqrt(np.clip(lag / np.maximum(explained, 1e-3), 0.0, 0.98))


def _consecutive(n_records: int, per_record: int) -> np.ndarray:
    """Indices of the epochs followed by another of the same record."""
    return np.arange(n_records * per_record).reshape(n_records, per_record)[:, :-1].ravel()


def _overlap_add(out: np.ndarray, frames: np.ndarray, first: int, hop: int) -> None:
    """Add frames (n_frames, C, n) into ``out`` (C, n_times) every ``hop`` samples from ``first``."""
    n = frames.shape[-1]
    for k, frame in enumerate(frames):
        out[:, first + k * hop : first + k * hop + n] += frame


def _ar1(rng: np.random.Generator, rho: np.ndarray, n_frames: int) -> np.ndarray:
    """Unit-variance first-order autoregressive processes, (n_frames, len(rho))."""
    noise = rng.standard_normal((n_frames, len(rho)))
    out = np.empty_like(noise)
    out[0] = noise[0]
    innovation = np.sqrt(1.0 - rho**2)
    for t in range(1, n_frames):
        out[t] = rho * out[t - 1] + innovation * noise[t]
    return out


def _apply_map(y: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
    """Monotone piecewise-linear map per channel, extended linearly beyond the end quantiles."""
    out = np.empty_like(y)
    for c, (source, target) in enumerate(zip(quantiles[0], quantiles[1], strict=True)):
        out[c] = np.interp(y[c], source, target)
        for end, (a, b) in ((y[c] < source[0], (0, 1)), (y[c] > source[-1], (-1, -2))):
            gap = source[a] - source[b]
            slope = (target[a] - target[b]) / gap if gap != 0 else 1.0
            out[c, end] = target[a] + (y[c, end] - source[a]) * slope
    return out


def _frame_quantiles(x: np.ndarray, n: int) -> np.ndarray:
    """Quantiles (C, n_quantiles) of the values of every channel, each frame of ``n``
    samples less its mean (so drifts slower than a frame do not widen them)."""
    frames = _frames(x, n, n)
    centred = frames - frames.mean(axis=-1, keepdims=True)
    return np.quantile(centred.transpose(1, 0, 2).reshape(frames.shape[1], -1), QUANTILE_PROBS, axis=1).T


def _quantisation_steps(data: np.ndarray) -> np.ndarray:
    """The step of each channel whose values sit on a grid (0 where they do not)."""
    steps = np.zeros(data.shape[1])
    for c in range(data.shape[1]):
        values = np.unique(data[:, c])
        if values.size > 0.5 * data[:, c].size or values.size < 3:
            continue
        gaps = np.diff(values)
        step = gaps.min()
        multiples = gaps / step
        if np.mean(np.abs(multiples - np.round(multiples)) < 0.01) > 0.99:
            steps[c] = step
    return steps


def _quantise(y: np.ndarray, steps: np.ndarray) -> np.ndarray:
    out = y.copy()
    for c, step in enumerate(steps):
        if step > 0:
            out[c] = np.round(y[c] / step) * step
    return out
