# SPDX-License-Identifier: BSD-3-Clause
"""Surrogate-data generators: phase-randomised (FT) and iterative amplitude-adjusted (IAAFT)
surrogates of the fitted records.

Both are *null models*, not models of the data: a sampled record is one fitted record with its
Fourier phases randomised, so it reuses that record's exact power spectrum (and, for IAAFT, its
exact set of sample values). They "copy" the real data in that sense, and a saved generator holds
the real records verbatim: privacy checks (memorisation, nearest-neighbour distances) will flag
them, and a saved file must be handled like the real data.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from biosynth._utils.check import check_int, check_type
from biosynth.generators.learned._base import LearnedGenerator

logger = logging.getLogger(__name__)


def _random_phases(rng: np.random.Generator, n_times: int) -> np.ndarray:
    """Unit phasors ``exp(i phi)``, phi uniform in [0, 2 pi), for the ``rfft`` bins of
    ``n_times`` samples; the DC bin (and the Nyquist bin for even ``n_times``) stay real."""
    n_freqs = n_times // 2 + 1
    phases = rng.uniform(0.0, 2.0 * np.pi, n_freqs)
    phases[0] = 0.0
    if n_times % 2 == 0:
        phases[-1] = 0.0
    return np.exp(1j * phases)


def _pick_window(records: np.ndarray, rng: np.random.Generator, n_times: int, who: str) -> tuple[np.ndarray, int, int]:
    """Draw one fitted record (uniform) and, for a shorter ``n_times``, a random window of it."""
    n_records, _, fitted = records.shape
    if n_times > fitted:
        raise ValueError(
            f"duration must be at most the fitted record length ({fitted} samples) for {who}, "
            f"which rearranges one real record; got {n_times} samples."
        )
    index = int(rng.integers(n_records))
    start = 0 if n_times == fitted else int(rng.integers(fitted - n_times + 1))
    return records[index, :, start : start + n_times], index, start


class PhaseSurrogate(LearnedGenerator):
    """Multichannel phase-randomised (Fourier-transform) surrogates.

    Each sampled record is one fitted record, drawn uniformly at random, whose Fourier
    transform gets the *same* random phase (uniform in [0, 2 pi)) added to every channel at
    each frequency; the DC bin and, for an even length, the Nyquist bin are left unchanged so
    the result is real (Theiler et al. 1992; Prichard & Theiler 1994 for the multivariate
    form). The periodogram of every channel and every cross-spectrum (so coherence and phase
    lags) equal those of the source record exactly, up to rounding, and the mean is kept;
    everything beyond second order (amplitude distribution, nonlinear and nonstationary
    structure) is replaced by that of a stationary Gaussian process. As usual for FT
    surrogates, the record is treated as periodic: a jump between its last and first sample
    leaks into the surrogate as broadband power spread over the record.

    A null model, not a model of the data: it reuses each real record's spectrum, and the
    saved generator holds the real records verbatim (privacy checks will flag it).

    Sampling a ``duration`` shorter than the fitted length takes a window, at a uniformly
    random start, of the drawn record and randomises that window (its own periodogram is
    kept); longer records raise ``ValueError``. Per record, the random stream draws the
    record index, then the window start (only for a shorter ``n_times``), then the phases.

    Attributes
    ----------
    records_ : ndarray, shape (n_records, n_channels, n_times)
        The fitted records, in their unit.

    References
    ----------
    Theiler, J., Eubank, S., Longtin, A., Galdrikian, B. & Farmer, J. D. (1992). Testing for
    nonlinearity in time series: the method of surrogate data. Physica D 58, 77-94.

    Prichard, D. & Theiler, J. (1994). Generating surrogate data for time series with several
    simultaneously measured variables. Phys. Rev. Lett. 73, 951-954.

    Examples
    --------
    >>> import numpy as np
    >>> from biosynth.signals import make_signals
    >>> from biosynth.generators.learned import PhaseSurrogate
    >>> real = make_signals(np.random.default_rng(0).normal(0, 1e-5, (2, 3, 256)), 128.0)
    >>> synthetic = PhaseSurrogate().fit(real).sample(4, seed=0)
    >>> synthetic.shape
    (4, 3, 256)
    >>> spectrum = lambda x: np.abs(np.fft.rfft(x))
    >>> any(np.allclose(spectrum(synthetic[0]), spectrum(r)) for r in real.values)
    True
    """

    name = "phase"
    holds_real_samples = True

    def __init__(self) -> None:
        pass

    def _fit(self, data: np.ndarray, labels: np.ndarray | None) -> None:
        self.records_ = np.ascontiguousarray(data, dtype=np.float64)
        self._prepare()

    def _prepare(self) -> None:
        self._spectra = np.fft.rfft(self.records_, axis=-1)

    def _sample_record(self, rng: np.random.Generator, n_times: int, label: Any) -> np.ndarray:
        window, index, _ = _pick_window(self.records_, rng, n_times, "PhaseSurrogate")
        if n_times == self.records_.shape[-1]:
            spectrum = self._spectra[index]
        else:
            spectrum = np.fft.rfft(window, axis=-1)
        return np.fft.irfft(spectrum * _random_phases(rng, n_times), n=n_times, axis=-1)

    def _params(self) -> dict[str, Any]:
        return {}

    def _state(self) -> dict[str, np.ndarray]:
        return {"records": self.records_}

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.records_ = np.ascontiguousarray(state["records"], dtype=np.float64)
        self._prepare()


def _iaaft(
    x: np.ndarray,
    rng: np.random.Generator,
    *,
    max_iter: int = 200,
    cross_spectrum: bool = True,
) -> tuple[np.ndarray, int]:
    """(n_channels, n_times) float64 -> one (multivariate) IAAFT surrogate and the iterations run.

    Private kernel of :class:`IAAFTSurrogate` (no checks); see its docstring for the algorithm.
    """
    n_times = x.shape[-1]
    target = np.fft.rfft(x, axis=-1)
    amplitude = np.abs(target)
    sorted_values = np.sort(x, axis=-1)
    rows = np.arange(x.shape[0])[:, None]

    def rank_order(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(y, axis=-1, kind="stable")
        out = np.empty_like(y)
        out[rows, order] = sorted_values
        return out, order

    # start: common random phases (a multivariate FT surrogate), then the amplitude adjustment
    surrogate, previous = rank_order(np.fft.irfft(target * _random_phases(rng, n_times), n=n_times, axis=-1))
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 (n_iter is reported)
        current = np.fft.rfft(surrogate, axis=-1)
        if cross_spectrum:
            # closest spectrum (least squares) to the current one among target * exp(i alpha(f)):
            # one rotation per frequency for all channels keeps every cross-spectrum exactly
            overlap = np.sum(np.conj(target) * current, axis=0)
            norm = np.abs(overlap)
            rotation = np.ones_like(overlap)
            np.divide(overlap, norm, out=rotation, where=norm > 0)
            spectrum = target * rotation
        else:
            norm = np.abs(current)
            phase = np.ones_like(current)
            np.divide(current, norm, out=phase, where=norm > 0)
            spectrum = amplitude * phase
        surrogate, ranks = rank_order(np.fft.irfft(spectrum, n=n_times, axis=-1))
        if np.array_equal(ranks, previous):
            break
        previous = ranks
    return surrogate, n_iter


class IAAFTSurrogate(LearnedGenerator):
    """Multichannel iterative amplitude-adjusted Fourier-transform (IAAFT) surrogates.

    Each sampled record starts from one fitted record, drawn uniformly at random, given
    common random Fourier phases across channels (a multivariate phase surrogate) and then
    rank-ordered onto the record's values. It then alternates two steps until the ranks
    stop changing or ``max_iter`` is reached (Schreiber & Schmitz 1996): impose the source
    record's Fourier amplitudes, and rank-order each channel onto the source's sorted values.
    The output is the rank-ordered series, so each channel has *exactly* the values (the
    amplitude distribution) of the source channel, and a periodogram close to it (typically
    within a few percent once smoothed over a few bins).

    With ``cross_spectrum=True`` (the multivariate IAAFT of Schreiber & Schmitz 2000), the
    spectral step sets the spectrum to ``X_m(f) exp(i alpha(f))``, where ``X_m`` is the
    source spectrum of channel ``m`` and ``alpha(f)`` is the one rotation per frequency
    that brings it closest, in least squares, to the current iterate
    (``exp(i alpha) = sum_m conj(X_m) S_m / |sum_m conj(X_m) S_m|``): the spectral step then
    keeps every cross-spectrum, so the phase lags and coherence between channels, and the
    rank step perturbs them only slightly. The common rotation is a constraint, so each
    channel's spectrum converges less closely: on two independent, strongly skewed channels
    (1024 samples, 200 iterations) the median relative error of the periodogram smoothed over
    8 bins was about 5-7 % against about 2 % for ``cross_spectrum=False``, while on a
    nonlinearly coupled pair the lagged correlation and cross-spectrum phases were kept
    (phase error about 0.05 rad against 0.56 rad). With ``cross_spectrum=False`` each channel
    keeps its own current phases (the univariate IAAFT run per channel, as neurokit2's
    ``signal_surrogate(method="IAAFT")``), which preserves the cross-spectra only through the
    common starting phases and loses part of them.

    A null model, not a model of the data: it reuses each real record's spectrum and exact
    values, and the saved generator holds the real records verbatim (privacy checks will
    flag it). A ``duration`` shorter than the fitted length takes a window, at a uniformly random
    start, of the drawn record; longer raises ``ValueError``. Per record, the random stream
    draws the record index, then the window start (only for a shorter ``duration``), then the
    starting phases. Cost per record: up to ``max_iter`` FFT pairs and sorts of
    ``(n_channels, n_times)``.

    Parameters
    ----------
    max_iter : int, default=200
        Largest number of spectral/rank iteration pairs per record (>= 1).
    cross_spectrum : bool, default=True
        Keep the cross-spectrum phase differences in the spectral step (multivariate IAAFT);
        False adjusts each channel's amplitudes on its own.

    Attributes
    ----------
    records_ : ndarray, shape (n_records, n_channels, n_times)
        The fitted records, in their unit.

    References
    ----------
    Schreiber, T. & Schmitz, A. (1996). Improved surrogate data for nonlinearity tests.
    Phys. Rev. Lett. 77, 635-638.

    Schreiber, T. & Schmitz, A. (2000). Surrogate time series. Physica D 142, 346-382.

    Examples
    --------
    >>> import numpy as np
    >>> from biosynth.signals import make_signals
    >>> from biosynth.generators.learned import IAAFTSurrogate
    >>> real = make_signals(np.random.default_rng(0).exponential(1e-5, (1, 2, 256)), 128.0)
    >>> synthetic = IAAFTSurrogate(max_iter=50).fit(real).sample(2, seed=0)
    >>> np.array_equal(np.sort(synthetic.values[1]), np.sort(real.values[0]))
    True
    """

    name = "iaaft"
    holds_real_samples = True

    def __init__(self, max_iter: int = 200, cross_spectrum: bool = True) -> None:
        self.max_iter = check_int("max_iter", max_iter, low=1)
        self.cross_spectrum = check_type("cross_spectrum", cross_spectrum, bool, "a bool")

    def _fit(self, data: np.ndarray, labels: np.ndarray | None) -> None:
        self.records_ = np.ascontiguousarray(data, dtype=np.float64)

    def _sample_record(self, rng: np.random.Generator, n_times: int, label: Any) -> np.ndarray:
        window, index, start = _pick_window(self.records_, rng, n_times, "IAAFTSurrogate")
        surrogate, n_iter = _iaaft(window, rng, max_iter=self.max_iter, cross_spectrum=self.cross_spectrum)
        logger.debug("IAAFT of record %d (start %d): %d iterations", index, start, n_iter)
        return surrogate

    def _params(self) -> dict[str, Any]:
        return {"max_iter": self.max_iter, "cross_spectrum": self.cross_spectrum}

    def _state(self) -> dict[str, np.ndarray]:
        return {"records": self.records_}

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.records_ = np.ascontiguousarray(state["records"], dtype=np.float64)
