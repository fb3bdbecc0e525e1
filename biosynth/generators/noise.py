# SPDX-License-Identifier: BSD-3-Clause
"""ECG and biosignal noise: baseline wander, powerline, muscle (EMG), electrode motion.

Each generator returns float64 noise of shape ``(*batch_shape, n_times)`` in arbitrary
units, scaled so that every row has unit power (mean square over the row, exactly),
and draws only from the ``seed`` it is given (a seed or a NumPy Generator).
:func:`add_noise` mixes some of them and scales the mix to a requested
signal-to-noise ratio.

The four kinds follow the noise sources of the ECG literature: baseline wander,
electrode motion and muscle artefact are the three records of the MIT-BIH Noise Stress
Test Database ("bw", "em", "ma"; Moody et al. 1984), and Friesen et al. (1990) list
them with powerline interference as the noise types QRS detectors must withstand.
Sameni et al. (2007) model multichannel ECG noise from the same sources.

References
----------
.. [1] Moody GB, Muldrow WE, Mark RG (1984). A noise stress test for arrhythmia
   detectors. Computers in Cardiology 11:381-384. (PhysioNet: nstdb)
.. [2] Friesen GM, Jannett TC, Jadallah MA, Yates SL, Quint SR, Nagle HT (1990). A
   comparison of the noise sensitivity of nine QRS detection algorithms. IEEE Trans
   Biomed Eng 37(1):85-98. doi:10.1109/10.43620
.. [3] Sameni R, Clifford GD, Jutten C, Shamsollahi MB (2007). Multichannel ECG and
   noise modeling: application to maternal and fetal ECG signals. EURASIP J Adv Signal
   Process 2007:043407. doi:10.1155/2007/43407
"""

from __future__ import annotations

import logging
import numbers
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy.signal import lfilter

from biosynth._utils.check import check_finite_array, check_int, check_number, check_positive, check_sfreq
from biosynth._utils.deprecation import renamed_arguments
from biosynth._utils.docs import fill_doc
from biosynth._utils.seeds import Seed, make_seed_sequence
from biosynth.generators._checks import NOISE_KINDS, check_freq, check_noise_kinds  # NOISE_KINDS: re-exported

logger = logging.getLogger(__name__)

RngLike = np.random.Generator | Seed

_N_WANDER_COMPONENTS = 12


@fill_doc
@renamed_arguments({"rng": "seed"}, since="0.2", until="0.3")
def baseline_wander(
    n_times: int,
    sfreq: float,
    *,
    seed: RngLike = None,
    batch_shape: int | tuple[int, ...] = (),
    min_freq: float = 0.05,
    max_freq: float = 0.5,
) -> np.ndarray:
    """Baseline wander: slow drift from respiration and electrode-skin changes.

    A sum of 12 sinusoids per row with frequencies drawn log-uniformly in
    ``[min_freq, max_freq]`` and Gaussian quadrature amplitudes, so the expected power
    is spread as 1/f over that band (which holds the respiratory rate, 0.15-0.4 Hz)
    and no power lies above ``max_freq``. The MIT-BIH NST "bw" record is this kind of
    noise (Moody et al. 1984).

    Parameters
    ----------
    n_times : int
        Samples per row (at least 2).
    sfreq : float
        Sampling rate, in Hz.
    %(seed_generator)s
    batch_shape : int or tuple of int
        Leading shape of the output (e.g. ``(n_records, n_channels)``); each row is
        drawn independently.
    min_freq : float
        Lowest drift frequency, in Hz (> 0).
    max_freq : float
        Highest drift frequency, in Hz; above ``min_freq`` and below Nyquist.

    Returns
    -------
    wander : ndarray, shape (*batch_shape, n_times)
        Unit power per row (mean square 1), arbitrary units.

    Examples
    --------
    >>> import numpy as np
    >>> x = baseline_wander(500, 250.0, seed=0, batch_shape=3)
    >>> x.shape, np.allclose(np.mean(x**2, axis=-1), 1.0)
    ((3, 500), True)
    """
    n_times, sfreq, batch, gen = _check_common(n_times, sfreq, batch_shape, seed)
    max_freq = check_freq("max_freq", max_freq, sfreq)
    min_freq = check_number(
        "min_freq", min_freq, low=0.0, high=max_freq, low_inclusive=False, high_inclusive=False, unit="Hz"
    )
    shape = (*batch, _N_WANDER_COMPONENTS)
    freqs = np.exp(gen.uniform(np.log(min_freq), np.log(max_freq), size=shape))
    amps = gen.standard_normal((*shape, 2))
    omega_t = 2.0 * np.pi * (np.arange(n_times) / sfreq)
    wander = np.zeros((*batch, n_times))
    for k in range(_N_WANDER_COMPONENTS):  # one component at a time bounds memory
        phase = freqs[..., k, None] * omega_t
        wander += amps[..., k, :1] * np.cos(phase) + amps[..., k, 1:] * np.sin(phase)
    return _unit_power(wander)


@fill_doc
@renamed_arguments({"rng": "seed"}, since="0.2", until="0.3")
def powerline(
    n_times: int,
    sfreq: float,
    *,
    freq: float = 50.0,
    harmonics: Sequence[float] = (0.0, 0.3, 0.0, 0.1),
    seed: RngLike = None,
    batch_shape: int | tuple[int, ...] = (),
) -> np.ndarray:
    """Powerline interference: the mains frequency and its harmonics.

    Row ``r`` is :math:`\\sum_k a_k \\cos(2\\pi k f t + \\phi_{r,k})` with
    :math:`a_1 = 1`, :math:`a_{k}` = ``harmonics[k - 2]`` and phases drawn uniformly in
    :math:`[0, 2\\pi)`, one per row and harmonic. Harmonics at or above Nyquist are left
    out (an acquisition system's anti-aliasing filter removes them), so they never
    alias. The default weights put the odd harmonics (3rd, 5th) first, as non-linear
    loads on the grid do.

    Parameters
    ----------
    n_times : int
        Samples per row (at least 2).
    sfreq : float
        Sampling rate, in Hz.
    freq : float
        Mains frequency, in Hz (50 in Europe, 60 in the Americas); below Nyquist.
    harmonics : sequence of float
        Amplitudes of the 2nd, 3rd, ... harmonics relative to the fundamental (>= 0);
        empty for a pure sinusoid.
    %(seed_generator)s
    batch_shape : int or tuple of int
        Leading shape of the output; each row has its own phases.

    Returns
    -------
    line : ndarray, shape (*batch_shape, n_times)
        Unit power per row (mean square 1), arbitrary units.

    Examples
    --------
    >>> import numpy as np
    >>> x = powerline(1000, 1000.0, freq=60.0, harmonics=(), seed=0)
    >>> int(np.argmax(np.abs(np.fft.rfft(x))))  # 1 Hz bins
    60
    """
    n_times, sfreq, batch, gen = _check_common(n_times, sfreq, batch_shape, seed)
    freq = check_freq("freq", freq, sfreq)
    weights = np.array([1.0, *_check_weights("harmonics", harmonics, allow_empty=True)])
    orders = np.arange(1, weights.size + 1)
    keep = orders * freq < sfreq / 2.0
    if not keep.all():
        logger.debug("powerline: harmonics %s of %g Hz lie at or above Nyquist; left out", orders[~keep], freq)
    phases = gen.uniform(0.0, 2.0 * np.pi, size=(*batch, weights.size))
    omega_t = 2.0 * np.pi * freq * (np.arange(n_times) / sfreq)
    line = np.zeros((*batch, n_times))
    for k in np.flatnonzero(keep):
        line += weights[k] * np.cos(orders[k] * omega_t + phases[..., k, None])
    return _unit_power(line)


@fill_doc
@renamed_arguments({"rng": "seed"}, since="0.2", until="0.3")
def muscle_noise(
    n_times: int,
    sfreq: float,
    *,
    seed: RngLike = None,
    batch_shape: int | tuple[int, ...] = (),
    band: tuple[float, float] = (20.0, 150.0),
) -> np.ndarray:
    """Muscle (EMG) noise: Gaussian noise with a flat spectrum in a frequency band.

    White Gaussian noise is band-limited by zeroing its Fourier coefficients outside
    ``band`` (an ideal, zero-phase band-pass; the result is circular over the row). The
    upper edge is clipped to Nyquist. The default 20-150 Hz is the part of surface EMG
    that overlaps the diagnostic ECG band and survives its usual filters; widen it for
    raw EMG (up to 400-500 Hz). The MIT-BIH NST "ma" record is this kind of noise
    (Moody et al. 1984).

    Parameters
    ----------
    n_times : int
        Samples per row (at least 2).
    sfreq : float
        Sampling rate, in Hz.
    %(seed_generator)s
    batch_shape : int or tuple of int
        Leading shape of the output; each row is drawn independently.
    band : tuple of float
        (low, high) edges of the pass band, in Hz; ``0 <= low < min(high, Nyquist)``.

    Returns
    -------
    emg : ndarray, shape (*batch_shape, n_times)
        Unit power per row (mean square 1), arbitrary units.

    Examples
    --------
    >>> import numpy as np
    >>> x = muscle_noise(1000, 500.0, seed=0)
    >>> spectrum = np.abs(np.fft.rfft(x)) ** 2  # 0.5 Hz bins
    >>> round(float(spectrum[40:301].sum() / spectrum.sum()), 12)  # share in 20-150 Hz
    1.0
    """
    n_times, sfreq, batch, gen = _check_common(n_times, sfreq, batch_shape, seed)
    low, high = _check_band(band, sfreq)
    freqs = np.fft.rfftfreq(n_times, 1.0 / sfreq)
    inside = (freqs >= low) & (freqs <= high)
    if not inside.any():
        raise ValueError(
            f"band={band!r} Hz holds no frequency of the {n_times}-sample grid "
            f"(resolution {sfreq / n_times:g} Hz); use a longer n_times or a wider band."
        )
    spectrum = np.fft.rfft(gen.standard_normal((*batch, n_times)), axis=-1) * inside
    return _unit_power(np.fft.irfft(spectrum, n=n_times, axis=-1))


@fill_doc
@renamed_arguments({"rng": "seed"}, since="0.2", until="0.3")
def electrode_motion(
    n_times: int,
    sfreq: float,
    *,
    seed: RngLike = None,
    batch_shape: int | tuple[int, ...] = (),
    rate: float = 0.3,
    recovery: float = 0.5,
) -> np.ndarray:
    """Electrode motion artefact: sparse baseline steps with exponential recovery.

    Each event is a step of Gaussian amplitude at a random sample that decays back to
    zero as :math:`e^{-t/\\tau}`, :math:`\\tau` = ``recovery``: the transient
    baseline shift caused by a change of electrode-skin impedance (Friesen et al.
    1990). Events per row are Poisson with mean ``rate * n_times / sfreq``, at least
    one (so every row holds an artefact and can be scaled to unit power), at uniform
    onsets. The MIT-BIH NST "em" record is the measured counterpart (Moody et al.
    1984); its artefacts are larger and more varied in shape than this model.

    Parameters
    ----------
    n_times : int
        Samples per row (at least 2).
    sfreq : float
        Sampling rate, in Hz.
    %(seed_generator)s
    batch_shape : int or tuple of int
        Leading shape of the output; each row is drawn independently.
    rate : float
        Mean number of artefacts per second (> 0).
    recovery : float
        Time constant of the recovery to baseline, in s (> 0).

    Returns
    -------
    motion : ndarray, shape (*batch_shape, n_times)
        Unit power per row (mean square 1), arbitrary units.

    Examples
    --------
    >>> import numpy as np
    >>> x = electrode_motion(2500, 250.0, seed=0, rate=0.5)
    >>> decay = np.exp(-1.0 / (0.5 * 250.0))  # between events x[n + 1] = decay * x[n]
    >>> bool(np.sum(~np.isclose(x[1:], decay * x[:-1], rtol=0, atol=1e-12)) <= 12)
    True
    """
    n_times, sfreq, batch, gen = _check_common(n_times, sfreq, batch_shape, seed)
    rate = check_positive("rate", rate, unit="events/s")
    recovery = check_positive("recovery", recovery, unit="s")
    n_rows = int(np.prod(batch, dtype=np.int64))
    counts = np.maximum(gen.poisson(rate * n_times / sfreq, size=n_rows), 1)
    rows = np.repeat(np.arange(n_rows), counts)
    onsets = gen.integers(0, n_times, size=rows.size)
    steps = np.zeros((n_rows, n_times))
    np.add.at(steps, (rows, onsets), gen.standard_normal(rows.size))
    decay = np.exp(-1.0 / (recovery * sfreq))
    motion = lfilter([1.0], [1.0, -decay], steps, axis=-1)
    return _unit_power(motion.reshape(*batch, n_times))


@fill_doc
@renamed_arguments({"rng": "seed"}, since="0.2", until="0.3")
def add_noise(
    signal: ArrayLike,
    sfreq: float,
    *,
    snr_db: float,
    kinds: Sequence[str] = NOISE_KINDS,
    weights: Sequence[float] | None = None,
    line_freq: float = 50.0,
    seed: RngLike = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Add a mix of noise kinds to a signal at an exact signal-to-noise ratio.

    Each kind is drawn at unit power per row (in the order of ``kinds``, from one
    generator), weighted by ``sqrt(weights)`` and summed; the mix is then scaled per
    row so that

    .. math::

        \\mathrm{SNR} = 10 \\log_{10} \\frac{P_\\mathrm{signal}}{P_\\mathrm{noise}}
        = \\texttt{snr\\_db},

    with :math:`P` the mean square over the row (time on the last axis). The mean
    square counts any DC offset of the signal as signal power.

    Parameters
    ----------
    signal : array_like, shape (..., n_times)
        Clean signal, time on the last axis, any unit (the noise has the same unit).
    sfreq : float
        Sampling rate, in Hz.
    snr_db : float
        Signal-to-noise ratio per row, in dB (finite; negative means more noise than
        signal).
    kinds : sequence of str
        Noise kinds to mix, each once: any of ``"baseline"`` (:func:`baseline_wander`),
        ``"powerline"`` (:func:`powerline`), ``"muscle"`` (:func:`muscle_noise`) and
        ``"motion"`` (:func:`electrode_motion`), with their default settings.
    weights : sequence of float or None
        Relative power of each kind in the mix (>= 0, not all 0), in the order of
        ``kinds``; None gives equal power. Shares are exact in expectation; per row they
        vary by the chance correlation between kinds.
    line_freq : float
        Mains frequency for ``"powerline"``, in Hz; below Nyquist.
    %(seed_generator)s

    Returns
    -------
    noisy : ndarray, shape (..., n_times)
        ``signal + noise`` (float64).
    noise : ndarray, shape (..., n_times)
        The noise added, in the unit of ``signal``.

    Raises
    ------
    ValueError
        If a row of ``signal`` has zero power (the SNR is undefined), or a parameter is
        out of range.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(1000) / 250.0
    >>> clean = np.sin(2 * np.pi * 1.2 * t)
    >>> noisy, noise = add_noise(clean, 250.0, snr_db=6.0, seed=0)
    >>> round(float(10 * np.log10(np.mean(clean**2) / np.mean(noise**2))), 9)
    6.0
    """
    data, sfreq = _check_signal(signal, sfreq)
    snr_db = check_number("snr_db", snr_db, unit="dB")
    names = check_noise_kinds(kinds)
    shares = _check_mix_weights(weights, len(names))
    line_freq = check_freq("line_freq", line_freq, sfreq)
    gen = _as_generator(seed)
    batch, n_times = data.shape[:-1], data.shape[-1]
    mix = np.zeros(data.shape)
    for name, share in zip(names, shares, strict=True):
        mix += np.sqrt(share) * _draw(name, n_times, sfreq, batch, line_freq, gen)
    gain = np.sqrt(_power(data) / (_power(mix) * 10.0 ** (snr_db / 10.0)))
    noise = mix * gain
    return data + noise, noise


def _draw(
    name: str, n_times: int, sfreq: float, batch: tuple[int, ...], line_freq: float, gen: np.random.Generator
) -> np.ndarray:
    extra = {"freq": line_freq} if name == "powerline" else {}
    return _GENERATORS[name](n_times, sfreq, seed=gen, batch_shape=batch, **extra)


def _power(x: np.ndarray) -> np.ndarray:
    """Mean square over the last axis, kept for broadcasting."""
    return np.mean(x * x, axis=-1, keepdims=True)


def _unit_power(x: np.ndarray) -> np.ndarray:
    power = _power(x)
    return x / np.sqrt(np.where(power > 0, power, 1.0))


def _as_generator(seed: RngLike) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, numbers.Integral):
        check_int("seed", seed, low=0)
    elif not (seed is None or isinstance(seed, np.random.SeedSequence)):
        raise TypeError(
            f"seed must be a numpy Generator, a non-negative int, a SeedSequence or None, got {type(seed).__name__}."
        )
    return np.random.default_rng(make_seed_sequence(seed))


def _check_common(n_times, sfreq, batch_shape, seed) -> tuple[int, float, tuple[int, ...], np.random.Generator]:
    n_times = check_int("n_times", n_times, low=2)
    sfreq = check_sfreq("sfreq", sfreq)
    if isinstance(batch_shape, numbers.Integral):
        batch_shape = (batch_shape,)
    if not isinstance(batch_shape, tuple):
        raise TypeError(f"batch_shape must be an int or a tuple of ints, got {type(batch_shape).__name__}.")
    batch = tuple(check_int(f"batch_shape[{i}]", n, low=1) for i, n in enumerate(batch_shape))
    return n_times, sfreq, batch, _as_generator(seed)


def _check_band(band: tuple[float, float], sfreq: float) -> tuple[float, float]:
    if isinstance(band, str) or not isinstance(band, Sequence) or len(band) != 2:
        raise ValueError(f"band must be a (low, high) pair in Hz, got {band!r}.")
    nyquist = sfreq / 2.0
    high = min(check_positive("band[1]", band[1], unit="Hz"), nyquist)
    low = check_number(
        "band[0]",
        band[0],
        low=0.0,
        high=high,
        high_inclusive=False,
        unit="Hz",
        context=f"the upper edge is {high:g} Hz after clipping to Nyquist for sfreq={sfreq:g}",
    )
    return low, high


def _check_weights(name: str, values: Sequence[float], *, allow_empty: bool) -> list[float]:
    if isinstance(values, str) or not isinstance(values, Sequence) or (not values and not allow_empty):
        raise ValueError(f"{name} must be a sequence of non-negative numbers, got {values!r}.")
    return [check_number(f"{name}[{i}]", v, low=0.0) for i, v in enumerate(values)]


def _check_mix_weights(weights: Sequence[float] | None, n_kinds: int) -> np.ndarray:
    if weights is None:
        return np.full(n_kinds, 1.0 / n_kinds)
    values = np.array(_check_weights("weights", weights, allow_empty=False))
    if values.size != n_kinds:
        raise ValueError(f"weights must have one value per kind ({n_kinds}), got {values.size}.")
    if values.sum() == 0:
        raise ValueError(f"weights must not all be 0, got {list(weights)!r}.")
    return values / values.sum()


def _check_signal(signal: ArrayLike, sfreq: float) -> tuple[np.ndarray, float]:
    sfreq = check_sfreq("sfreq", sfreq)
    data = np.asarray(signal)
    if data.dtype.kind not in "iuf":
        raise TypeError(f"signal must be a real numeric array, got dtype {data.dtype}.")
    data = check_finite_array("signal", data.astype(np.float64))
    if data.ndim == 0 or data.shape[-1] < 2:
        raise ValueError(f"signal must have at least 2 samples on its last (time) axis, got shape {data.shape}.")
    silent = int(np.sum(_power(data) == 0))
    if silent:
        raise ValueError(
            f"signal has {silent} row(s) with zero power (all samples 0), where the SNR is undefined; "
            "drop them or add the noise yourself."
        )
    return data, sfreq


#: The generator of each noise kind (``line_freq`` goes to the powerline one).
_GENERATORS = {
    "baseline": baseline_wander,
    "powerline": powerline,
    "muscle": muscle_noise,
    "motion": electrode_motion,
}
