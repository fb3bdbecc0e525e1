# SPDX-License-Identifier: BSD-3-Clause
"""Spectral lines of the recording chain for
:class:`~biosynth.generators.learned.SpectralGenerator`: mains and its harmonics, clock
and multiplexer tones (the Fedele iEEG has them at 256, 512 and 768 Hz, 30-38 dB above
the floor, and weaker ones at the odd harmonics of 50 Hz; PT01 at 300 Hz).

Such a line is a sinusoid of steady amplitude. Left in the Gaussian spectrum it becomes a
narrow-band Gaussian process, whose envelope is Rayleigh-distributed: the real signal's
first differences, which a strong high-frequency line dominates, have an excess kurtosis
near -1.5 (a sinusoid's), the model's near 0. Here each line is found in the
periodogram of the whole records, kept only if it is steady over each record's pieces
(chance peaks of a rhythm's periodogram are not; a line hundreds of times its floor need
only be mostly steady; weak, unsteady ones, such as the Bonn sets' 76.4 Hz, stay in the
spectrum), removed from every record by least
squares at its own frequency there, and made again as a sinusoid with the learned
amplitude and phase per channel.
"""

from __future__ import annotations

import numpy as np

#: Least power of a line bin over the running median of the spectrum around it.
MIN_EXCESS = 10.0
#: Most periodogram bins of one line's core; its run may span 2 more, the edges of a Hann
#: main lobe (wider: not a steady tone, left to the spectrum).
MAX_LINE_BINS = 5
#: Most lines kept (the strongest).
MAX_LINES = 16
#: Lowest line frequency, in Hz.
MIN_FREQ = 2.0
#: Frequencies tried per record within a line's band, to find its own frequency there.
N_GRID = 41


def find_lines(x: np.ndarray, sfreq: float) -> list[tuple[float, float, float]]:
    """Bands ``(low, high, excess)`` that hold a line (Hz, Hz, and the peak's power over
    the running median), from the periodogram of the records
    (Hann window, whole records, mean over records, median over channels) over its
    running median across 4 Hz (at least 11 bins): runs of bins above a quarter of
    :data:`MIN_EXCESS`, gaps of up to 2 bins closed, that peak above :data:`MIN_EXCESS`
    and span 2 to :data:`MAX_LINE_BINS` + 2 bins (a sinusoid's Hann main lobe; one bin
    alone is a chance peak, a longer run a band, such as the edge of a rhythm), above
    :data:`MIN_FREQ` and below 0.98 Nyquist; the :data:`MAX_LINES` strongest, each
    widened by a bin on either side."""
    from scipy import ndimage, signal

    freqs, psd = signal.periodogram(x, sfreq, window="hann", detrend="constant", axis=-1)
    power = np.median(psd.mean(axis=0), axis=0)
    step = freqs[1]
    half = max(5, round(2.0 / step))
    floor = np.exp(ndimage.median_filter(np.log(np.clip(power, 1e-300, None)), size=2 * half + 1, mode="nearest"))
    excess = power / floor
    warm = ndimage.binary_closing(excess > MIN_EXCESS / 4, structure=np.ones(3))
    labels, count = ndimage.label(warm)
    runs = [np.flatnonzero(labels == k) for k in range(1, count + 1)]
    allowed = (freqs >= MIN_FREQ) & (freqs < 0.98 * sfreq / 2)
    runs = [
        r
        for r in runs
        if 2 <= len(r) <= MAX_LINE_BINS + 2 and excess[r].max() > MIN_EXCESS and allowed[r[np.argmax(excess[r])]]
    ]
    runs = sorted(runs, key=lambda r: -excess[r].max())[:MAX_LINES]
    return sorted((float(freqs[r[0]] - step), float(freqs[r[-1]] + step), float(excess[r].max())) for r in runs)


def harmonic_numbers(freqs: np.ndarray, tolerance: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Families of harmonics among line frequencies (Hz): each line's family and its
    harmonic number there. A family's fundamental is the lowest remaining line divided by
    1-3, whichever makes the most remaining lines lie within ``tolerance`` times their
    number of its multiples (the larger fundamental on ties): the odd mains harmonics at
    150, 250, 350 and 450 Hz are one family of 50 Hz, lines at 256, 512 and 768 Hz one of
    256 Hz. A line alone is its own family, number 1."""
    family, number = np.full(len(freqs), -1), np.ones(len(freqs), dtype=int)
    for k in np.argsort(freqs):
        if family[k] >= 0:
            continue
        free = np.flatnonzero(family < 0)
        best = None
        for divisor in range(1, 4):
            f0 = freqs[k] / divisor
            n = np.round(freqs[free] / f0)
            member = (n >= 1) & (np.abs(freqs[free] - n * f0) <= tolerance * n)
            if best is None or member.sum() > best[0]:
                best = (member.sum(), free[member], n[member].astype(int))
        family[best[1]], number[best[1]] = k, best[2]
    return family, number


def fit_lines(x: np.ndarray, sfreq: float) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The lines of records ``x`` (n_records, C, n_times; zero mean) and ``x`` without them.

    Returns
    -------
    lines : dict of str to ndarray
        ``"freqs"`` (n_lines, 2): mean and SD over records of each line's frequency, Hz;
        ``"amplitudes"`` (n_lines, C): RMS over records of each channel's amplitude (units);
        ``"phases"`` (n_lines, C): each channel's phase, rad: relative to its family's
        fundamental phase (harmonics of one source keep their waveform), the circular
        mean over records; ``"harmonics"`` (n_lines, 2): family (index of its lowest
        line) and harmonic number.
    cleaned : ndarray
        ``x`` less each record's least-squares sinusoids.
    """
    n_records, n_ch = x.shape[:2]
    t = np.arange(x.shape[-1]) / sfreq
    bands = [(low, high) for low, high, excess in find_lines(x, sfreq) if _is_steady(x, t, (low, high), excess)]
    cleaned = x.copy()
    freqs = np.zeros((len(bands), n_records))
    coefficients = np.zeros((len(bands), n_records, n_ch), dtype=complex)
    for k, band in enumerate(bands):
        for r in range(n_records):
            f = _own_frequency(cleaned[r], t, band)
            design = _design(f, t)
            solution, *_ = np.linalg.lstsq(design, cleaned[r].T, rcond=None)  # (2, C)
            cleaned[r] -= (design @ solution).T
            freqs[k, r] = f
            coefficients[k, r] = solution[0] - 1j * solution[1]  # a cos + b sin = Re((a - i b) e^{i w t})
    mean_freqs = freqs.mean(axis=1)
    family, number = harmonic_numbers(mean_freqs)
    phases = np.zeros((len(bands), n_ch))
    for head in np.unique(family):
        members = np.flatnonzero(family == head)
        theta = _fundamental_phases(coefficients[members], number[members])  # (n_records,)
        rotated = coefficients[members] * np.exp(-1j * number[members, None, None] * theta[None, :, None])
        phases[members] = np.angle(np.sum(rotated / np.maximum(np.abs(rotated), 1e-300), axis=1))
    lines = {
        "freqs": np.column_stack([mean_freqs, freqs.std(axis=1)]),
        "amplitudes": np.sqrt(np.mean(np.abs(coefficients) ** 2, axis=1)),
        "phases": phases,
        "harmonics": np.column_stack([family, number]).astype(float),
    }
    return lines, cleaned


#: Pieces per record of the steadiness check, its least cycles per piece and least
#: coherence of the pieces' phases; the lower coherence that a line of at least
#: STRONG_EXCESS times its running median needs.
STEADY_PIECES, STEADY_CYCLES, STEADY_COHERENCE = 16, 3, 0.9
STRONG_EXCESS, STRONG_COHERENCE = 100.0, 0.75


def _design(f: float, t: np.ndarray) -> np.ndarray:
    return np.column_stack([np.cos(2 * np.pi * f * t), np.sin(2 * np.pi * f * t)])


def _own_frequency(record: np.ndarray, t: np.ndarray, band: tuple[float, float]) -> float:
    """The frequency within ``band`` (:data:`N_GRID` points) where the record's channels
    hold the most power (the band's Fourier sums by scipy's zoom FFT: one pass of
    ``O(n log n)`` per channel instead of one of ``O(n)`` per point)."""
    from scipy.signal import zoom_fft

    sfreq = 1.0 / (t[1] - t[0])
    strength = np.sum(np.abs(zoom_fft(record, list(band), m=N_GRID, fs=sfreq, endpoint=True, axis=-1)) ** 2, axis=0)
    return float(np.linspace(*band, N_GRID)[int(np.argmax(strength))])


def _is_steady(x: np.ndarray, t: np.ndarray, band: tuple[float, float], excess: float = 0.0) -> bool:
    """Whether the peak in ``band`` is a steady tone and not a chance peak of a noisy
    spectrum (one record's periodogram of a rhythm has such peaks 10 times its running
    median): each record is cut into up to :data:`STEADY_PIECES` pieces of at least
    :data:`STEADY_CYCLES` cycles, and the phases of the pieces' least-squares sinusoids at
    the record's own frequency (on the strongest channel), advanced to a common time,
    must agree: the length of their mean unit phasor, averaged over records, at least
    :data:`STEADY_COHERENCE` (a tone: about 1; noise: about 1 / sqrt(pieces)).

    A peak ``excess`` times its running median, at least :data:`STRONG_EXCESS`, needs
    only :data:`STRONG_COHERENCE`: chance peaks of narrow-band rhythms reach 0.81 but
    stay below 25 times their running median (62 candidates in 80 sets of 1-10 records of
    8-400 s, ``tests/generators/test_spectral_lines.py``), while clock tones of an
    amplifier, a little jittery, stand hundreds of times above it (the Fedele iEEG's 450 and 976 Hz:
    131 and 404 times, coherence 0.84 and 0.79; the Bonn sets' 50 Hz: 179-270 times,
    0.85-0.86)."""
    coherence = []
    for record in x:
        f = _own_frequency(record, t, band)
        pieces = int(min(STEADY_PIECES, t[-1] * f // STEADY_CYCLES))
        if pieces < 2:
            return False
        channel = int(np.argmax(np.abs(record @ np.exp(-2j * np.pi * f * t))))
        phasors = []
        for piece in np.array_split(np.arange(len(t)), pieces):
            a, b = np.linalg.lstsq(_design(f, t[piece]), record[channel, piece], rcond=None)[0]
            phasors.append((a - 1j * b) / max(abs(a - 1j * b), 1e-300))
        coherence.append(np.abs(np.mean(phasors)))
    return bool(np.mean(coherence) >= (STRONG_COHERENCE if excess >= STRONG_EXCESS else STEADY_COHERENCE))


def _fundamental_phases(coefficients: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """Per record, the phase ``theta`` of a family's fundamental (first record 0): the grid
    value (720 points) that best aligns ``angle(a_k) - n_k theta`` with each line's mean
    offset, weighted by power, the offsets updated from the aligned records (twice)."""
    reference = int(np.argmax(np.sum(np.abs(coefficients) ** 2, axis=(0, 1))))
    psi = np.angle(coefficients[:, :, reference])  # (lines, records)
    weight = np.mean(np.abs(coefficients[:, :, reference]) ** 2, axis=1)
    grid = np.linspace(0.0, 2.0 * np.pi, 720, endpoint=False)
    offsets = psi[:, 0].copy()
    theta = np.zeros(psi.shape[1])
    for _ in range(2):
        score = np.einsum("k,kgr->gr", weight, np.cos(psi[:, None, :] - numbers[:, None, None] * grid[None, :, None]
                                                      - offsets[:, None, None]))  # fmt: skip
        theta = grid[np.argmax(score, axis=0)]
        offsets = np.angle(np.sum(np.exp(1j * (psi - numbers[:, None] * theta[None, :])), axis=1))
    return theta


def draw_lines(rng: np.random.Generator, lines: dict[str, np.ndarray], n_times: int, sfreq: float) -> np.ndarray:
    """One record's lines, (C, n_times): per family one standard normal draw, which moves
    each of its lines by that many of its own SDs over the fitted records from its mean
    frequency (a harmonic's SD is about its number times the fundamental's, so the family
    stays nearly harmonic), and one fundamental phase uniform on the circle, which each
    line takes times its harmonic number; with each channel's amplitude and phase."""
    amplitudes = lines["amplitudes"]
    out = np.zeros((amplitudes.shape[1], n_times))
    t = np.arange(n_times) / sfreq
    family, number = lines["harmonics"][:, 0].astype(int), lines["harmonics"][:, 1]
    draws = {head: (rng.standard_normal(), rng.uniform(0.0, 2.0 * np.pi)) for head in np.unique(family)}
    for k, ((mean, sd), amplitude, phase) in enumerate(zip(lines["freqs"], amplitudes, lines["phases"], strict=True)):
        jitter, theta = draws[family[k]]
        f = mean + sd * jitter
        out += amplitude[:, None] * np.cos(2.0 * np.pi * f * t[None, :] + number[k] * theta + phase[:, None])
    return out


def no_lines(n_channels: int) -> dict[str, np.ndarray]:
    """The lines of a recording without any."""
    return {
        "freqs": np.zeros((0, 2)),
        "amplitudes": np.zeros((0, n_channels)),
        "phases": np.zeros((0, n_channels)),
        "harmonics": np.zeros((0, 2)),
    }
