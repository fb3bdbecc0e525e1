# SPDX-License-Identifier: BSD-3-Clause
"""Random blocks: random access to seeded noise, filtered noise and event processes, for streaming.

Long recordings are generated chunk by chunk. For chunks to join without a seam and for
the data not to depend on the chunking, every random quantity is a function of the
*absolute* sample index: white noise comes in fixed blocks of :data:`BLOCK` samples,
block ``b`` of stream ``s`` of record ``r`` a fixed stretch of the PCG64 stream seeded
by :func:`biosynth._utils.seeds.record_seed_sequence` ``(root, r, s)``, and coloured
noise is that white noise through a fixed zero-phase FIR kernel (the chunk reads the
kernel's half length of noise on each side). Point processes (bursts, artefacts,
epileptiform events) draw their events per block the same way, so a chunk sees every
event that starts in an earlier block but still lasts into it.

Functions here take a "stream" as a ``(root, record, stream)`` triple: the root
:class:`numpy.random.SeedSequence`, the record index and an integer stream id that
separates independent random quantities of one record (a generator module keeps its
stream ids in one table).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
from scipy import fft as sp_fft
from scipy import signal

from biosynth._utils.seeds import record_seed_sequence

#: Samples per noise block. Fixed for every sampling rate: the data of a record is the
#: same whatever chunk size reads it.
BLOCK = 4096


#: Blocks are consecutive, non-overlapping stretches of one PCG64 stream per record and
#: quantity, :data:`BLOCK_STRIDE` 64-bit words apart (reached by ``advance``, not drawn);
#: block 0 starts :data:`BLOCK_ORIGIN` strides in, so blocks before the record exist too.
BLOCK_STRIDE = 2**64
BLOCK_ORIGIN = 2**32


class Stream(NamedTuple):
    """One independent random quantity of one record.

    Its generator is PCG64 seeded by ``record_seed_sequence(root, record, stream)``
    (that is ``SeedSequence(root.entropy, spawn_key=(*root.spawn_key, record,
    stream))``); block ``b`` starts ``(b + BLOCK_ORIGIN) * BLOCK_STRIDE`` words into
    it (``PCG64.advance``).
    """

    root: np.random.SeedSequence
    record: int
    stream: int

    def block_rng(self, block: int) -> np.random.Generator:
        """Generator of block ``block`` (any integer, negative before the record)."""
        bit_generator = np.random.PCG64()
        entropy = self.root.entropy
        entropy = tuple(int(e) for e in entropy) if isinstance(entropy, (list, tuple, np.ndarray)) else entropy
        bit_generator.state = _stream_state(entropy, tuple(self.root.spawn_key), self.record, self.stream)
        bit_generator.advance((int(block) + BLOCK_ORIGIN) * BLOCK_STRIDE)
        return np.random.Generator(bit_generator)


@lru_cache(maxsize=1024)
def _stream_state(entropy: Any, spawn_key: tuple, record: int, stream: int) -> dict:
    """PCG64 state at the start of a stream (cached: seeding hashes, advancing is cheap)."""
    root = np.random.SeedSequence(entropy, spawn_key=spawn_key)
    return np.random.PCG64(record_seed_sequence(root, record, stream)).state


def _gaussian_table() -> np.ndarray:
    """The 65536 normal quantiles at (i + 0.5) / 65536, scaled to unit variance (float32)."""
    from scipy.special import ndtri

    table = ndtri((np.arange(65536) + 0.5) / 65536)
    return (table / np.sqrt(np.mean(table**2))).astype(np.float32)


#: Inverse-CDF table: a uniform 16-bit integer indexes a normal quantile. The draws are
#: normal to within 16-bit quantisation, mean exactly 0, variance exactly 1, and cut at
#: +-4.4 SD (a probability of 1e-5 beyond): five times cheaper than a ziggurat draw.
GAUSSIAN_TABLE = _gaussian_table()


def white_noise(stream: Stream, n_rows: int, start: int, stop: int) -> np.ndarray:
    """Unit-variance Gaussian white noise of samples ``[start, stop)``, float32, shape
    ``(n_rows, stop - start)`` (drawn by :data:`GAUSSIAN_TABLE`).

    ``start`` may be negative (noise before the record, read by filters).
    """
    out = np.empty((n_rows, stop - start), dtype=np.float32)
    for b in range(start // BLOCK, (stop - 1) // BLOCK + 1):
        raw = stream.block_rng(b).bit_generator.random_raw(n_rows * BLOCK // 4)  # four 16-bit draws per word
        index = raw.astype("<u8", copy=False).view("<u2").reshape(n_rows, BLOCK)
        lo, hi = max(start, b * BLOCK), min(stop, (b + 1) * BLOCK)
        np.take(GAUSSIAN_TABLE, index[:, lo - b * BLOCK : hi - b * BLOCK], out=out[:, lo - start : hi - start])
    return out


def fir_from_psd(psd: Callable[[np.ndarray], np.ndarray], sfreq: float, n_taps: int) -> np.ndarray:
    """Zero-phase FIR kernel whose output, fed unit white noise, has the one-sided PSD ``psd``.

    Parameters
    ----------
    psd : callable
        Target one-sided power spectral density, in unit**2/Hz, of frequencies in Hz
        (called on ``f > 0``; the kernel has no DC gain).
    sfreq : float
        Sampling rate, in Hz.
    n_taps : int
        Kernel length; rounded up to odd. Frequency resolution is ``sfreq / n_taps``:
        the spectrum below it is not followed.

    Returns
    -------
    kernel : ndarray, shape (n_taps,)
        Frequency-sampled kernel (symmetric, centred), tapered over its outer eighth on
        each side by a cosine so its truncation does not ring.

    Notes
    -----
    White noise of unit variance has the one-sided PSD ``2 / sfreq``; a filter with
    amplitude response :math:`|H(f)| = \\sqrt{P(f)\\, f_s / 2}` turns it into noise with
    the PSD :math:`P`.
    """
    n_taps = int(n_taps) | 1
    freqs = np.fft.rfftfreq(n_taps, 1.0 / sfreq)
    amplitude = np.zeros_like(freqs)
    amplitude[1:] = np.sqrt(np.maximum(psd(freqs[1:]), 0.0) * sfreq / 2.0)
    kernel = np.fft.fftshift(np.fft.irfft(amplitude, n=n_taps))
    taper = signal.windows.tukey(n_taps, alpha=0.25)
    return kernel * taper


class NumpyFFT:
    """The FFTs :func:`filtered_noise` needs, on the CPU (scipy.fft)."""

    def rfft(self, x: np.ndarray, n: int) -> np.ndarray:
        return sp_fft.rfft(x, n=n, axis=-1)

    def irfft(self, spectrum: Any, n: int) -> Any:
        return sp_fft.irfft(spectrum, n=n, axis=-1)

    def asarray(self, x: np.ndarray) -> Any:
        return x

    def zeros(self, shape: tuple[int, ...], like: Any) -> Any:
        return np.zeros(shape, dtype=like.dtype)

    def numpy(self, x: Any) -> np.ndarray:
        return x


def filtered_noise(
    stream: Stream,
    kernel: np.ndarray,
    n_rows: int,
    start: int,
    stop: int,
    *,
    decimation: int = 1,
    fft: Any = None,
) -> np.ndarray:
    """White noise of ``stream`` through ``kernel`` (zero-phase), samples ``[start, stop)``, float32.

    Parameters
    ----------
    stream : Stream
        Source of the noise.
    kernel : ndarray
        Zero-phase FIR kernel at the output rate (odd length, centred).
    n_rows : int
        Independent rows.
    start, stop : int
        Output samples (absolute; ``start`` may be negative).
    decimation : int
        With ``d > 1`` the noise is drawn at ``1/d`` of the output rate (sample ``m``
        sits at output sample ``m d``) and interpolated by the kernel itself: the
        spectrum of the zero-stuffed noise is the low-rate spectrum repeated, and only
        its first copy is kept, so the kernel must pass nothing above ``1/(2d)`` of the
        output rate (a narrow-band rhythm); it is scaled by :math:`\\sqrt{d}` so the
        output keeps its variance. Cost and noise drawn fall by about ``d``.
    fft : object | None
        FFT backend (:class:`NumpyFFT` by default; a torch one runs on a GPU).

    Returns
    -------
    rows : ndarray, shape (n_rows, stop - start)
    """
    fft = fft or NumpyFFT()
    d, half = int(decimation), kernel.size // 2
    first, last = -((half - start) // d), (stop - 1 + half) // d  # low-rate samples reaching [start, stop)
    white = white_noise(stream, n_rows, first, last + 1)
    n_low = sp_fft.next_fast_len(-(-((last - first) * d + 1) // d), real=True)
    n_fft = d * n_low
    gain = _kernel_spectrum(kernel, n_fft, np.dtype(np.float32))
    spectrum = fft.rfft(fft.asarray(white), n_low)
    if d == 1:
        spectrum *= fft.asarray(gain)
    else:
        full = fft.zeros((n_rows, n_fft // 2 + 1), like=spectrum)
        full[:, : n_low // 2 + 1] = spectrum * fft.asarray(gain[: n_low // 2 + 1] * np.float32(np.sqrt(d)))
        spectrum = full
    offset = start - first * d + half
    return fft.numpy(fft.irfft(spectrum, n_fft)[:, offset : offset + stop - start])


def passband_decimation(kernel: np.ndarray, *, max_factor: int = 8, tol: float = 1e-6) -> int:
    """Largest power of 2 up to ``max_factor`` whose low-rate band holds the kernel: its
    gain from 0.9 of that band's Nyquist up is below ``tol`` of its peak."""
    n = 8 * kernel.size
    gain = np.abs(np.fft.rfft(kernel, n=n))
    factor = max_factor
    while factor > 1:
        edge = int(0.9 * (n // 2) / factor)
        if gain[edge:].max() <= tol * gain.max():
            return factor
        factor //= 2
    return 1


def convolve_valid(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Rows of ``x`` convolved with ``kernel``, the fully overlapping part, by one FFT each.

    A circular convolution of length >= ``x.shape[-1]`` has no wrap-around in the valid
    part, so one real FFT of a fast length per row is enough.
    """
    n, k = x.shape[-1], kernel.size
    n_fft = sp_fft.next_fast_len(n, real=True)
    spectrum = sp_fft.rfft(x, n=n_fft, axis=-1)
    spectrum *= _kernel_spectrum(kernel, n_fft, x.dtype)
    return sp_fft.irfft(spectrum, n=n_fft, axis=-1)[..., k - 1 : n]


_SPECTRA: dict[tuple, np.ndarray] = {}


def _kernel_spectrum(kernel: np.ndarray, n_fft: int, dtype: np.dtype) -> np.ndarray:
    """rfft of a kernel at ``n_fft`` points, cached (a few kernels, a few lengths)."""
    key = (kernel.tobytes(), n_fft, np.dtype(dtype).str)
    if key not in _SPECTRA:
        if len(_SPECTRA) > 64:
            _SPECTRA.clear()
        _SPECTRA[key] = sp_fft.rfft(kernel.astype(dtype), n=n_fft)
    return _SPECTRA[key]


class Events(NamedTuple):
    """Point events of one stream: onset sample and per-event draws."""

    onset: np.ndarray  # absolute sample index, int64
    draws: dict[str, np.ndarray]


def block_events(
    stream: Stream,
    rate: float,
    sfreq: float,
    start: int,
    stop: int,
    draw: Callable[[np.random.Generator, int], dict[str, np.ndarray]],
) -> Events:
    """Poisson events (``rate`` per second) with onsets in ``[start, stop)``, drawn per block.

    Each block draws its count, then its onsets (uniform in the block), then
    ``draw(rng, n)`` for the per-event quantities (durations, amplitudes, ...), so the
    events of a block are the same whichever chunk asks for them.
    """
    if rate <= 0 or stop <= start:
        return Events(np.zeros(0, dtype=np.int64), {})
    onsets, parts = [], []
    for b in range(start // BLOCK, (stop - 1) // BLOCK + 1):
        rng = stream.block_rng(b)
        n = rng.poisson(rate * BLOCK / sfreq)
        onset = b * BLOCK + np.sort(rng.integers(0, BLOCK, n))
        onsets.append(onset)
        parts.append(draw(rng, n))
    onset = np.concatenate(onsets).astype(np.int64)
    keep = (onset >= start) & (onset < stop)
    keys = parts[0].keys()
    draws = {k: np.concatenate([p[k] for p in parts])[keep] for k in keys}
    return Events(onset[keep], draws)


def place(out: np.ndarray, start: int, onset: int, waveform: np.ndarray, weights: np.ndarray | float = 1.0) -> None:
    """Add ``weights[:, None] * waveform`` (starting at absolute sample ``onset``) to ``out``.

    ``out`` holds samples ``[start, start + out.shape[-1])``; the parts of the waveform
    outside it are dropped, so a chunk adds exactly its share of an event.
    """
    lo = max(onset, start)
    hi = min(onset + waveform.size, start + out.shape[-1])
    if hi <= lo:
        return
    piece = waveform[lo - onset : hi - onset]
    w = np.asarray(weights, dtype=float)
    out[..., lo - start : hi - start] += (w[..., None] if w.ndim else w) * piece


def raised_cosine(n_samples: int, ramp: int) -> np.ndarray:
    """Window of ``n_samples`` rising and falling over ``ramp`` samples (half a Hann each)."""
    n_samples = max(int(n_samples), 1)
    ramp = int(min(ramp, n_samples // 2))
    win = np.ones(n_samples)
    if ramp > 0:
        rise = 0.5 - 0.5 * np.cos(np.pi * (np.arange(ramp) + 0.5) / ramp)
        win[:ramp] = rise
        win[n_samples - ramp :] = rise[::-1]
    return win


def lognormal(rng: np.random.Generator, mean: float, cv: float, n: int, *, clip: float = 4.0) -> np.ndarray:
    """Lognormal draws with the given mean and coefficient of variation, clipped to
    ``[mean / clip, mean * clip]`` (bounded, so chunks know how far back to look)."""
    sigma2 = np.log1p(cv**2)
    values = rng.lognormal(np.log(mean) - sigma2 / 2.0, np.sqrt(sigma2), n)
    return np.clip(values, mean / clip, mean * clip)


def as_dict(**arrays: Any) -> dict[str, np.ndarray]:
    """Per-event draws as a dict of 1-D arrays (for :func:`block_events`)."""
    return {k: np.asarray(v) for k, v in arrays.items()}
