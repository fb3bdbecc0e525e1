# SPDX-License-Identifier: BSD-3-Clause
"""Resting scalp EEG: aperiodic 1/f background plus an alpha rhythm, seeded per record.

Each channel is a stationary Gaussian process with the power spectrum

.. math::

    S(f) = f^{-\\chi} \\left(1 + (10^{h} - 1)\\,
           e^{-(f - f_\\alpha)^2 / (2\\sigma^2)}\\right), \\qquad f > 0,

where :math:`\\chi` is the aperiodic exponent, :math:`f_\\alpha` the alpha peak
frequency, :math:`\\sigma` = bandwidth / 2.355 (so ``alpha_bandwidth`` is the full
width at half maximum) and :math:`h` the peak height above the aperiodic line at
:math:`f_\\alpha`, in log10 power (the "PW" convention of specparam/FOOOF). It is drawn
by spectral synthesis: complex Gaussian Fourier coefficients shaped by
:math:`\\sqrt{S}` and inverted with a real FFT (Timmer & König 1995). Channels share a
common source with weight ``spatial_correlation``, so every pair of channels has that
expected correlation. The amplitude is scaled so each channel's expected standard
deviation is ``amplitude`` (in V).

With ``spatial="sphere"`` the channels are instead projected from cortical sources
through a four-layer spherical-head lead field (:mod:`biosynth.generators.forward`):
``n_sources`` radial dipoles on a cortical cap, each driven by a spatially smoothed mix
of independent generators (Gaussian kernel of :data:`SOURCE_SMOOTHING` m), with the
alpha peak only on posterior (occipito-parietal) generators. Neighbouring electrodes
then correlate more than distant ones, and alpha is strongest at O1/O2/Pz.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from biosynth._version import __version__
from biosynth.signals import CHANNEL, make_seed_sequence, make_signals, record_rng, validate_signals
from biosynth.signals._backend import check_device, torch_device
from biosynth.signals._checks import check_int, check_number, check_positive, check_sfreq
from biosynth.signals._random import Seed, seed_to_json
from biosynth.signals.units import convert_units

logger = logging.getLogger(__name__)

DEFAULT_CHANNELS = ("Fz", "Cz", "Pz", "Oz")
SPATIAL_MODES = ("uniform", "sphere")
#: Default number of cortical dipoles for ``spatial="sphere"``.
DEFAULT_N_SOURCES = 500
#: SD (m) of the Gaussian kernel that mixes neighbouring generators into each source.
SOURCE_SMOOTHING = 0.02
#: Generators whose outward direction from the head-sphere centre has a y (anterior)
#: component below this carry the alpha peak: about 17 degrees or more behind the
#: coronal plane through the centre, i.e. parietal and occipital cortex (Pz, P3/P4,
#: O1/O2 lie at -0.56 to -0.94; Cz at +0.13).
ALPHA_POSTERIOR_Y = -0.3
_FWHM_TO_SIGMA = 1.0 / (2.0 * np.sqrt(2.0 * np.log(2.0)))


def simulate_eeg(
    duration: float,
    sfreq: float,
    *,
    n_records: int | None = None,
    ch_names: Sequence[str] = DEFAULT_CHANNELS,
    aperiodic_exponent: float = 1.5,
    alpha_freq: float = 10.0,
    alpha_bandwidth: float = 2.0,
    alpha_height: float = 1.0,
    amplitude: float = 20e-6,
    spatial_correlation: float = 0.3,
    spatial: str = "uniform",
    n_sources: int | None = None,
    reference: str | None = "average",
    first_record: int = 0,
    chunk_size: int | None = None,
    seed: Seed = None,
    device: str = "cpu",
    progress: bool = False,
) -> xr.DataArray:
    """Simulate resting scalp EEG: 1/f background plus an alpha rhythm.

    Parameters
    ----------
    duration : float
        Length of each record, in seconds.
    sfreq : float
        Sampling rate, in Hz.
    n_records : int | None
        Number of records. None returns one recording without a ``record`` dim.
    ch_names : sequence of str
        Channel names.
    aperiodic_exponent : float
        Exponent :math:`\\chi` of the 1/f^chi background, in [0, 4].
    alpha_freq : float
        Alpha peak frequency, in Hz; must lie below Nyquist.
    alpha_bandwidth : float
        Full width at half maximum of the alpha peak, in Hz.
    alpha_height : float
        Peak height above the aperiodic line, in log10 power (0 means no alpha).
    amplitude : float
        Expected standard deviation of each channel, in V.
    spatial_correlation : float
        Expected correlation between any two channels, in [0, 1) (``"uniform"`` only;
        ignored with ``"sphere"``).
    spatial : {"uniform", "sphere"}
        Spatial model. ``"uniform"`` (default): independent channels mixed with one
        common source, every pair correlating by ``spatial_correlation``.
        ``"sphere"``: channels are the scalp potentials of ``n_sources`` radial
        cortical dipoles in a four-layer spherical head
        (:func:`biosynth.generators.forward.leadfield`, deterministic lattice, montage
        ``"standard_1020"``), so ``ch_names`` must be names of that montage (matched
        ignoring case; the montage's spelling is returned). Each dipole's moment is
        the Gaussian-kernel-weighted average (SD :data:`SOURCE_SMOOTHING` = 2 cm, rows
        normalised to unit energy) of independent generators at the dipole positions;
        every generator has the 1/f^chi background, and those behind
        :data:`ALPHA_POSTERIOR_Y` (parietal/occipital) also carry the alpha peak. Each
        record is scaled so its median channel standard deviation is exactly
        ``amplitude``.
    n_sources : int | None
        Number of cortical dipoles (and generators) for ``"sphere"``; None means
        :data:`DEFAULT_N_SOURCES` (500). Only valid with ``"sphere"``.
    reference : {"average", "linked_mastoids", None}
        Reference for ``"sphere"`` (see
        :func:`biosynth.generators.forward.project_sources`): ``"average"`` (default;
        the channel mean is then 0), ``"linked_mastoids"`` (needs M1/M2 or TP9/TP10
        among ``ch_names``) or None (reference at infinity). ``"uniform"`` has no
        reference: any value but the default is an error there.
    first_record : int
        Index of the first record; record ``i`` draws from
        ``SeedSequence(seed, spawn_key=(i,))``, so records ``[k, k + n)`` can be made
        alone and equal those of a larger batch.
    chunk_size : int | None
        Records generated at once (bounds memory); None makes all at once. The
        output does not depend on it.
    seed : int, SeedSequence or None
        Root of the random stream. None draws fresh entropy, kept in
        ``attrs["provenance"]["seed"]`` so the data can be regenerated.
    device : str
        ``"cpu"`` (NumPy), a torch device such as ``"cuda"`` that runs the spectral
        synthesis there, or ``"torch:cpu"`` for the torch path on the CPU (torch
        paths need the ``torch`` extra). Random draws are made on the CPU, so every
        path gives the same data within float tolerance.
    progress : bool
        Show a progress bar over chunks.

    Returns
    -------
    eeg : DataArray, dims ("channel", "time") or ("record", "channel", "time")
        Voltage in V; ``time`` in seconds from 0.

    Notes
    -----
    ``spatial="sphere"`` makes ``n_sources`` generators per record, so memory scales
    with ``chunk_size * n_sources * n_times``; set ``chunk_size`` for long batches.

    Examples
    --------
    >>> simulate_eeg(2.0, 256.0, seed=0).dims
    ('channel', 'time')
    """
    params = _check_params(
        duration,
        sfreq,
        n_records,
        ch_names,
        aperiodic_exponent,
        alpha_freq,
        alpha_bandwidth,
        alpha_height,
        amplitude,
        spatial_correlation,
        first_record,
        chunk_size,
    )
    params.update(_check_spatial(spatial, n_sources, reference, params["ch_names"]))
    device = check_device(device)
    root = make_seed_sequence(seed)
    n_times = round(duration * sfreq)
    indices = np.arange(first_record, first_record + (n_records or 1))
    if params["spatial"] == "sphere":
        data = _synthesize_sphere(indices, root, n_times, params, device, chunk_size, progress)
    else:
        weights = _spectral_weights(n_times, sfreq, params, amplitude)
        n_channels = len(params["ch_names"])
        data = _synthesize(indices, root, weights, n_times, n_channels, params, device, chunk_size, progress)
    provenance = {
        "generator": "biosynth.generators.simulate_eeg",
        "version": __version__,
        # chunk_size changes memory use, not the data: it is not a generation parameter
        "parameters": {k: v for k, v in params.items() if k != "chunk_size"},
        "seed": seed_to_json(root),
    }
    return make_signals(
        data if n_records is not None else data[0],
        sfreq,
        ch_names=params["ch_names"],
        units="V",
        modality="eeg",
        provenance=provenance,
        record_names=indices if n_records is not None else None,
    )


def _check_params(
    duration, sfreq, n_records, ch_names, exponent, alpha_freq, bandwidth, height, amplitude, corr, first, chunk
) -> dict[str, Any]:
    sfreq = check_sfreq("sfreq", sfreq)
    duration = check_positive("duration", duration, unit="s")
    if duration * sfreq < 2:
        raise ValueError(f"duration={duration:g} s gives fewer than 2 samples at sfreq={sfreq:g} Hz.")
    nyquist = sfreq / 2
    if isinstance(ch_names, str) or len(ch_names) < 1:
        raise ValueError(f"ch_names must be a non-empty sequence of channel names, got {ch_names!r}.")
    return {
        "duration": duration,
        "sfreq": sfreq,
        "n_records": None if n_records is None else check_int("n_records", n_records, low=1),
        "ch_names": [str(c) for c in ch_names],
        "aperiodic_exponent": check_number("aperiodic_exponent", exponent, low=0.0, high=4.0),
        "alpha_freq": check_number(
            "alpha_freq",
            alpha_freq,
            low=0.0,
            high=nyquist,
            low_inclusive=False,
            high_inclusive=False,
            unit="Hz",
            context=f"Nyquist is {nyquist:g} Hz for sfreq={sfreq:g}",
        ),
        "alpha_bandwidth": check_positive("alpha_bandwidth", bandwidth, unit="Hz"),
        "alpha_height": check_number("alpha_height", height, low=0.0, high=4.0),
        "amplitude": check_positive("amplitude", amplitude, unit="V"),
        "spatial_correlation": check_number("spatial_correlation", corr, low=0.0, high=1.0, high_inclusive=False),
        "first_record": check_int("first_record", first, low=0),
        "chunk_size": None if chunk is None else check_int("chunk_size", chunk, low=1),
    }


def _check_spatial(spatial, n_sources, reference, ch_names) -> dict[str, Any]:
    """Validate the spatial-model keywords; "sphere" maps ch_names to montage names."""
    from biosynth.generators.forward import REFERENCES, montage_positions

    if spatial not in SPATIAL_MODES:
        raise ValueError(f"spatial must be one of {SPATIAL_MODES!r}, got {spatial!r}.")
    if spatial == "uniform":
        for name, value, default in (("n_sources", n_sources, None), ("reference", reference, "average")):
            if value != default:
                raise ValueError(f"{name} applies only to spatial='sphere', got {name}={value!r} with 'uniform'.")
        return {"spatial": "uniform"}
    n_sources = DEFAULT_N_SOURCES if n_sources is None else check_int("n_sources", n_sources, low=1)
    if reference not in REFERENCES:
        raise ValueError(f"reference must be one of {REFERENCES!r}, got {reference!r}.")
    names, _ = montage_positions(ch_names)  # clear error for names not in the montage
    if reference == "average" and len(names) < 2:
        raise ValueError("reference='average' needs at least 2 channels (one channel would be flat zero).")
    return {"spatial": "sphere", "n_sources": n_sources, "reference": reference, "ch_names": names}


def _alpha_bump(f: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    sigma = params["alpha_bandwidth"] * _FWHM_TO_SIGMA
    return np.exp(-((f - params["alpha_freq"]) ** 2) / (2.0 * sigma**2))


def _spectral_weights(n_times: int, sfreq: float, params: dict[str, Any], amplitude: float) -> np.ndarray:
    """sqrt of the target spectrum on the rfft grid, scaled to the requested SD."""
    freqs = np.fft.rfftfreq(n_times, 1.0 / sfreq)
    power = np.zeros_like(freqs)
    f = freqs[1:]
    bump = _alpha_bump(f, params)
    power[1:] = f ** -params["aperiodic_exponent"] * (1.0 + (10.0 ** params["alpha_height"] - 1.0) * bump)
    weights = np.sqrt(power)
    # expected variance of irfft(weights * (a + i b)) with a, b ~ N(0, 1)
    interior = weights[1:-1] if n_times % 2 == 0 else weights[1:]
    nyquist = weights[-1] ** 2 if n_times % 2 == 0 else 0.0
    variance = (4.0 * np.sum(interior**2) + nyquist) / n_times**2
    return weights * (amplitude / np.sqrt(variance))


def _synthesize(indices, root, weights, n_times, n_channels, params, device, chunk_size, progress) -> np.ndarray:
    from tqdm.auto import tqdm

    out = np.empty((indices.size, n_channels, n_times))
    step = chunk_size or indices.size
    starts = range(0, indices.size, step)
    corr = params["spatial_correlation"]
    mix = np.full((n_channels, 1), np.sqrt(corr))
    for start in tqdm(starts, desc="simulate_eeg", unit="chunk", disable=not progress):
        chunk = indices[start : start + step]
        coeffs = np.stack([_record_coefficients(record_rng(root, i), n_channels, weights.size) for i in chunk])
        signals = _irfft(coeffs * weights, n_times, device)
        own, common = signals[:, :n_channels], signals[:, n_channels:]
        out[start : start + chunk.size] = np.sqrt(1.0 - corr) * own + mix * common
    return out


def _sphere_mixing(params: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Referenced generator-to-channel mixing (n_channels, n_generators) and alpha mask."""
    from biosynth.generators.forward import leadfield

    gain, rr, nn = leadfield(params["ch_names"], n_sources=params["n_sources"], seed=None)
    dist2 = np.sum((rr[:, None, :] - rr[None, :, :]) ** 2, axis=-1)
    kernel = np.exp(-dist2 / (2.0 * SOURCE_SMOOTHING**2))
    kernel /= np.sqrt(np.sum(kernel**2, axis=1, keepdims=True))  # unit-energy rows: equal source variance
    effective = gain @ kernel  # channels x generators, reference at infinity
    return effective, nn[:, 1] < ALPHA_POSTERIOR_Y


def _synthesize_sphere(indices, root, n_times, params, device, chunk_size, progress) -> np.ndarray:
    from tqdm.auto import tqdm

    from biosynth.generators.forward import project_sources

    mixing, posterior = _sphere_mixing(params)
    # generator spectra: 1/f^chi everywhere, alpha peak only on posterior generators
    background = _spectral_weights(n_times, params["sfreq"], params | {"alpha_height": 0.0}, 1.0)
    freqs = np.fft.rfftfreq(n_times, 1.0 / params["sfreq"])
    peak = np.sqrt(1.0 + (10.0 ** params["alpha_height"] - 1.0) * _alpha_bump(freqs, params))
    weights = np.where(posterior[:, None], background * peak, background)
    reference = params["reference"]
    n_gen = mixing.shape[1]
    out = np.empty((indices.size, len(params["ch_names"]), n_times))
    step = chunk_size or indices.size
    for start in tqdm(range(0, indices.size, step), desc="simulate_eeg", unit="chunk", disable=not progress):
        chunk = indices[start : start + step]
        draws = np.stack([record_rng(root, i).standard_normal((n_gen, weights.shape[1], 2)) for i in chunk])
        coeffs = draws[..., 0] + 1j * draws[..., 1]
        generators = _irfft(coeffs * weights, n_times, device)
        scalp = project_sources(generators, mixing, reference=reference, ch_names=params["ch_names"])
        median_sd = np.median(scalp.std(axis=-1), axis=-1)
        if not (median_sd > 0).all():
            raise ValueError("the referenced channels are flat (median SD 0); use more channels or another reference.")
        out[start : start + chunk.size] = scalp * (params["amplitude"] / median_sd)[:, None, None]
    return out


def _record_coefficients(rng: np.random.Generator, n_channels: int, n_freqs: int) -> np.ndarray:
    """Complex N(0,1) + iN(0,1) coefficients: one row per channel plus the common source."""
    draws = rng.standard_normal((n_channels + 1, n_freqs, 2))
    return draws[..., 0] + 1j * draws[..., 1]


def _irfft(spectra: np.ndarray, n_times: int, device: str) -> np.ndarray:
    if device == "cpu":
        return np.fft.irfft(spectra, n=n_times, axis=-1)
    import torch

    tensor = torch.as_tensor(spectra, device=torch_device(device))
    return torch.fft.irfft(tensor, n=n_times, dim=-1).cpu().numpy()


def match_recording(real: xr.DataArray) -> dict[str, Any]:
    """Generator settings that match a real recording's layout and scale.

    Parameters
    ----------
    real : DataArray
        biosynth container of the real recording (any volt unit).

    Returns
    -------
    settings : dict
        ``sfreq`` (Hz), ``ch_names``, ``amplitude`` (median channel standard
        deviation, in V) and ``spatial_correlation`` (mean off-diagonal channel
        correlation, clipped to [0, 0.95]), ready to pass to :func:`simulate_eeg`.
    """
    validate_signals(real, "real")
    volts = convert_units(real, "V")
    rows = volts.values.reshape(-1, volts.sizes[CHANNEL], volts.sizes["time"])
    spread = rows.std(axis=-1)
    if not (spread > 0).any(axis=0).all():
        flat = [str(c) for c, moving in zip(volts[CHANNEL].values, (spread > 0).any(axis=0), strict=True) if not moving]
        raise ValueError(f"real has flat (constant) channels {flat[:5]}; drop them before matching a recording.")
    amplitude = float(np.median(spread))
    n_channels = rows.shape[1]
    mean_corr = 0.0
    if n_channels > 1:
        with np.errstate(invalid="ignore", divide="ignore"):  # a channel flat in one record: NaN, skipped
            corr = np.mean([np.corrcoef(rec) for rec in rows], axis=0)
        mean_corr = float(np.nanmean(corr[~np.eye(n_channels, dtype=bool)]))
    return {
        "sfreq": float(real.attrs["sfreq"]),
        "ch_names": list(map(str, real[CHANNEL].values)),
        "amplitude": amplitude,
        "spatial_correlation": float(np.clip(mean_corr, 0.0, 0.95)),
    }
