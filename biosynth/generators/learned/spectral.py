# SPDX-License-Identifier: BSD-3-Clause
"""A generator that learns a recording's spectra, cross-spectra, epoch-to-epoch
variability, amplitude distribution and recording chain: :class:`SpectralGenerator`.

It models a recording as a nonstationary Gaussian process seen through a monotone
amplitude transform and a quantiser. The parts, each learned from the real data:

1. **Spectrum per channel**: the specparam model (aperiodic component with knee and
   Gaussian peaks in log power, :mod:`biosynth.signals.specparam`) plus a smooth
   residual where the parametric form misfits (recording filters, notch, mains).
2. **Cross-channel structure**: the complex coherency matrix per octave band, shrunk
   towards the identity by the Ledoit-Wolf rule (so fewer segments than channels still
   give a positive definite matrix), or, where ``fit`` is given the channels' positions,
   towards the matrix of a coherence-vs-distance law fitted per band (exponential fall-off
   over a floor; ``fit``'s ``positions``).
3. **Nonstationarity**: per-epoch band log-powers of every channel; their covariance,
   less what a stationary Gaussian process shows by chance, is kept as a low-rank
   Gaussian, and drives smooth gains of every channel and band that evolve from frame to
   frame as first-order autoregressive processes with the lag-one correlation of the real
   epochs. Where the data hold persistent discrete states (eyes open/closed blocks, ictal
   stretches), a Markov chain of states adds each state's mean log band powers first, and
   the Gaussian holds the variation within the states (:mod:`._states`).
4. **Amplitude distribution**: a monotone quantile map, per channel, from the model's
   amplitude distribution to the real one (skewness, kurtosis, clipping), both
   standardised by their moving mean and RMS over one epoch (the map learns the shape,
   the variability model the levels); its effect on the spectrum is corrected by
   refitting the spectrum to what the mapped samples show.
5. **Recording chain**: the quantisation step of each channel (the real values are
   multiples of it: ties) and the channel means.

Sampling draws frames of one epoch length with 50 % overlap in the frequency domain
(complex Gaussian times the factor of the cross-spectral matrix times the frame's band
gains), windows them by a square-root Hann window and adds them up (the squared windows
sum to one, so the variance is stationary). The fitted state holds spectra, coherency
matrices, covariances and quantiles: parameters, never real samples.
"""

from __future__ import annotations

import json
import logging
import math
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from biosynth._utils.check import check_int, check_number, check_type
from biosynth.generators._hfo_events import hfo_band_rms, learn_hfo_events, place_hfo_events
from biosynth.generators.learned import _lines, _lowfreq, _transients
from biosynth.generators.learned._base import LearnedGenerator
from biosynth.generators.learned._coherency import channel_positions, fit_distance_law, law_matrix, pair_distances
from biosynth.generators.learned._states import fit_states, no_states, restore_states, state_log_power
from biosynth.signals.specparam import aperiodic_log_power, fit_log_spectra, peaks_log_power

logger = logging.getLogger(__name__)

#: The transient detector's chance reference: this many times the fitted data of the
#: background model's own records, at most NULL_ELEMENTS values.
NULL_DRAWS = 4
NULL_ELEMENTS = 2e7
#: Probabilities of the quantiles of the amplitude map (denser in the tails).
QUANTILE_PROBS = np.concatenate(
    [
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025],
        np.linspace(0.05, 0.95, 19),
        [0.975, 0.99, 0.995, 0.9975, 0.999, 0.9995],
    ]
)
#: The amplitude map acts below the frequency under which the median channel holds this
#: share of its power (see ``SpectralGenerator._calibrate``).
MAP_POWER_SHARE = 0.99
#: Fewest real samples beyond a tail knot of the amplitude map (rarer quantiles are dropped).
MIN_TAIL_SAMPLES = 20
#: Fewest epochs for the variability model (fewer: a stationary process).
MIN_VARIABILITY_EPOCHS = 6
#: Fewest Welch segments the spectra are estimated from (see ``epoch``).
MIN_WELCH_SEGMENTS = 16
#: Most frequency bins of the specparam fit (more are averaged in groups).
MAX_FIT_BINS = 400
#: Samples (channels x times) of the records drawn at once while sampling: a batch's
#: arrays, a few MB, stay in the CPU caches.
BATCH_ELEMENTS = 3e5


class SpectralGenerator(LearnedGenerator):
    """Learn a recording's spectra, coherence, variability and amplitude distribution.

    Works on any modality with one or more channels at any rate (EEG, ECoG, sEEG, LFP);
    channels need no positions (where given, ``fit`` learns a coherence-vs-distance law from
    them). See the module notes for the model.

    Parameters
    ----------
    epoch : float | None, default=None
        Length of the analysis epochs and of the synthesis frames, in s: it sets the
        time scale of the variability model and of its gains. None: ``min(2 s, record
        length / 8)``. The spectra are estimated with Welch segments of four epochs,
        shorter where the data give fewer than 16 half-overlapping segments (never
        below one epoch); that sets the frequency resolution.
    max_n_peaks : int, default=6
        Most spectral peaks per channel.
    n_components : int | None, default=None
        Rank of the epoch-variability model; None: every component with more variance
        than chance, at most ``min(10, n_epochs // 2)``. 0 switches the variability off.
    amplitude_map : bool, default=True
        Learn the monotone amplitude transform (off: Gaussian marginals).
    quantise : bool, default=True
        Round samples to the quantisation step found in the real data.
    transients : bool, default=False
        Learn the transient events (spikes, sharp waves, pops, blinks) that the background
        model cannot make and place them at their real rates (see
        :mod:`biosynth.generators.learned._transients`); they are taken out of the data
        before the background is refitted (the fit takes about twice as long where events
        are found). Off by default: on the realism benchmark it moves the C2ST AUC both
        ways (its ``fitted+transients`` column; see the README), because the background
        model's amplitude map already makes part of what the detector counts as events
        (on the EEGLAB sample's first 30 s the transient-free model's own samples show 0.25
        events/s against the real 0.39).

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
    positions_ : ndarray, shape (n_channels, 3) | None
        Channel positions given to ``fit``, in m (None without).
    distance_law_ : ndarray, shape (n_bands, 3) | None
        With positions: per band, ``[a, lambda, c]`` of the fitted coherence-vs-distance
        law ``a exp(-d / lambda) + c`` (``lambda`` and ``d`` in m; ``a``, ``c`` unitless),
        the shrinkage target of the band. None without positions.
    variability_ : ndarray, shape (n_channels * n_bands, n_components)
        Loadings of the epoch log band powers (log10) on the latent states.
    record_variability_ : ndarray, shape (n_channels * n_bands, n_record_components)
        Loadings of the level of a whole record (constant over it), learned where the
        data hold several records of several epochs (segment sets); none otherwise.
    lines_ : dict of str to ndarray
        Spectral lines of the recording chain (mains, clock tones; :mod:`._lines`),
        taken out before everything else is fitted and added back as steady sinusoids:
        ``"freqs"`` (n_lines, 2) mean and SD over records of each frequency, Hz;
        ``"amplitudes"`` (n_lines, n_channels), units; ``"phases"`` (n_lines,
        n_channels), rad, relative to the phase of the line's family fundamental (times
        its harmonic number); ``"harmonics"`` (n_lines, 2) the family (index of its
        lowest line) and the harmonic number.
    low_freqs_, low_widths_ : ndarray, shape (n_low,)
        Centres and widths, in Hz, of the bands below the first non-zero frequency of
        :attr:`freqs_`: the slow drifts between the record length and the Welch
        segment's (:mod:`~biosynth.generators.learned._lowfreq`); empty when the records
        are no longer than a segment.
    low_log_psd_ : ndarray, shape (n_channels, n_low)
        log10 power spectral density in those bands, units**2 / Hz.
    record_level_knots_ : ndarray, shape (n_channels * n_bands, 2, n_knots)
        The marginal distribution of each log band power's record level (a monotone map
        of a standard normal: its knots, normal quantiles and the records' standardised
        level quantiles; the levels' correlations are those of
        :attr:`record_variability_`, a Gaussian copula); a skewed set (a few loud
        segments) keeps both its mean and its median level. No knots (``n_knots`` 0):
        Gaussian levels.
    variability_diag_ : ndarray, shape (n_channels * n_bands,)
        Independent variance of each log band power, log10 units squared.
    rho_ : ndarray, shape (n_components,)
        Lag-one correlation of the latent states from one frame to the next.
    state_offsets_ : ndarray, shape (n_states, n_channels * n_bands)
        Discrete states (eyes open/closed, sleep stages, ictal stretches) where the data
        have persistent ones, else one: each state's mean epoch log band powers (log10)
        less the mean of all epochs. The variability above is that within the states.
    state_transitions_ : ndarray, shape (n_states, n_states)
        Probability of the next epoch's state (columns) given the present one (rows); the
        mean dwell time of state k is ``1 / (1 - state_transitions_[k, k])`` epochs.
    state_occupancy_ : ndarray, shape (n_states,)
        Share of the fitted epochs in each state; each record's chain starts from it.
    quantiles_ : ndarray, shape (2, n_channels, n_knots)
        The amplitude map: model quantiles -> real quantiles of the standardised slow part
        (unitless).
    map_cutoff_ : float
        The map acts below this frequency (Hz): the model's median channel holds 99 % of
        its power there.
    step_ : ndarray, shape (n_channels,)
        Quantisation step per channel (0: none found), unit of the data.
    mean_ : ndarray, shape (n_channels,)
        Channel means.
    transients_ : dict | None
        The transient model: per Ricker width (``widths``, samples) and primary channel,
        ``rates`` (events/s), ``log_mean`` (natural log of the peak over the local RMS),
        ``positive`` (share of positive peaks), ``footprints`` (signed amplitude on every
        channel); per width ``log_sd`` and ``waveforms``; ``dispersion`` of the counts per
        epoch (``block`` samples). None where fewer than 5 events were found (or
        ``transients=False``).
    hfo_ : dict | None
        What ``fit(real, events=...)`` learned of the marked HFOs (``stats`` of
        :func:`~biosynth.generators.learn_hfo_events` and the HFO-band RMS of the
        background per channel); None without events.

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
        transients: bool = False,
    ) -> None:
        self.epoch = None if epoch is None else check_number("epoch", epoch, low=0.0, low_inclusive=False, unit="s")
        self.max_n_peaks = check_int("max_n_peaks", max_n_peaks, low=0)
        self.n_components = None if n_components is None else check_int("n_components", n_components, low=0)
        check_type("amplitude_map", amplitude_map, bool, "True or False")
        check_type("quantise", quantise, bool, "True or False")
        check_type("transients", transients, bool, "True or False")
        self.amplitude_map = amplitude_map
        self.quantise = quantise
        self.transients = transients

    # --- fit --------------------------------------------------------------------------

    def fit(
        self,
        real: xr.DataArray | list[xr.DataArray],
        labels: Any = None,
        *,
        events: pd.DataFrame | None = None,
        positions: Any = None,
    ) -> SpectralGenerator:
        """Fit the model to real recordings, and the marked HFOs where ``events`` are given.

        Parameters
        ----------
        real : DataArray or list of DataArray
            Real recordings, ``(channel, time)`` or ``(record, channel, time)``, any rate
            and channel set; finite values, every record the same length.
        labels : None
            Not used (the model is not conditional); must be None.
        events : DataFrame | None
            Marked high-frequency oscillations of ``real``: ``onset`` and ``duration`` (s
            from the start of the record), ``type`` (``"ripple"``, ``"fr"`` /
            ``"fast_ripple"``, ``"frandr"``), ``channel`` (a name of ``real``'s
            channels; fit on a bipolar montage to use bipolar markings) and, for several
            records, ``record`` (position). Their rates, spans, durations, frequencies
            and strengths are learned (:func:`~biosynth.generators.learn_hfo_events`) and
            ``sample`` places such events on the background, returning them with
            ``return_events=True``.
        positions : array_like | Layout | dict | str | None
            Positions of the channels, for the distance model of coherence: an
            ``(n_channels, 3)`` array in m (channel order), a
            :class:`~biosynth.signals.layouts.Layout` or a dict name -> ``(x, y, z)`` in m
            holding every channel, or the name of an MNE standard montage
            (``"colin27_1020"``, ...; channel names looked up ignoring case). Per band, a
            law ``a exp(-d / lambda) + c`` of the coherence against the distance ``d``
            between channels is fitted to the real pairs (:attr:`distance_law_`) and its
            matrix replaces the identity as the target the band's coherency is shrunk
            towards (Ledoit-Wolf). It matters where the segments are few for the channel
            count (the shrinkage is strong, and the law keeps the spatial fall-off that the
            identity would discard); with many segments the shrinkage intensity, estimated
            from the data, goes to about zero by itself and the learned coherency is the
            sample one either way. None (default): shrink towards the identity, as without
            positions.

        Returns
        -------
        self : SpectralGenerator
        """
        self._pending_events = events
        self._pending_positions = positions
        try:
            return super().fit(real, labels)
        finally:
            del self._pending_events, self._pending_positions

    def _fit(self, data: np.ndarray, labels: np.ndarray | None) -> None:
        sfreq = self.info_["sfreq"]
        events = None if self._pending_events is None else self._check_events(self._pending_events, data.shape)
        positions = getattr(self, "_pending_positions", None)
        self.positions_ = None if positions is None else channel_positions(positions, self.info_["ch_names"])
        self.mean_ = data.mean(axis=(0, 2))
        x = data - self.mean_[None, :, None]
        mask = None if events is None else self._event_mask(data.shape, events)
        self.step_ = _quantisation_steps(data) if self.quantise else np.zeros(data.shape[1])
        self.lines_, x = _lines.fit_lines(x, sfreq)
        self._fit_background(x, mask)
        self.transients_ = None
        if self.transients:
            null = self._null_records(x.shape)
            self.transients_, cleaned = _transients.fit_transients(x, self._n_epoch, sfreq, mask, null)
            if self.transients_ is not None:
                self._fit_background(cleaned, mask)
        self.hfo_ = None if events is None else self._fit_hfo(data, events, mask)

    def _fit_background(self, x: np.ndarray, mask: np.ndarray | None) -> None:
        """Fit everything but the transients and HFOs to ``x`` (n_records, C, n_times; zero mean)."""
        sfreq = self.info_["sfreq"]
        n_epoch = self._frame_length(x.shape[-1], sfreq)
        n_long = _welch_length(x.shape[0], x.shape[-1], n_epoch)
        self.freqs_ = np.fft.rfftfreq(n_long, 1.0 / sfreq)
        self.epoch_freqs_ = np.fft.rfftfreq(n_epoch, 1.0 / sfreq)
        self.low_freqs_, self.low_widths_, self.low_log_psd_ = _lowfreq.fit_low(x, sfreq, float(self.freqs_[1]))
        spectra = _windowed_spectra(_frames(x, n_long, n_long // 2), sfreq)  # (n_windows, C, F), density scaling
        psd = np.mean(np.abs(spectra) ** 2, axis=0)
        self.band_centres_ = _band_centres(self.epoch_freqs_)
        distances = None if self.positions_ is None else pair_distances(self.positions_)
        weights = _band_weights(self.freqs_, self.band_centres_)
        self.coherency_, self.distance_law_ = _band_coherency(spectra, weights, distances)
        del spectra
        self.spectrum_params_, self.log_psd_ = _spectrum_model(self.freqs_, psd, self.max_n_peaks)
        self._set_stationary_state()
        self._fit_variability(_frames(x, n_epoch, n_epoch))
        self._calibrate(x, mask)  # the spectral correction and the amplitude map

    def _null_records(self, shape: tuple[int, ...]) -> np.ndarray:
        """The background model's own Gaussian records (spectra, coherency, gains; no
        amplitude map, which would have learned the events' own tails, and no transients),
        :data:`NULL_DRAWS` times the fitted data (at most :data:`NULL_ELEMENTS` values, at
        least one record): the chance reference of the transient detector (fixed seed,
        part of the fit)."""
        n_records = max(1, min(NULL_DRAWS * shape[0], int(NULL_ELEMENTS // (shape[1] * shape[2]))))
        rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(2).spawn(n_records)]
        size = self._batch_size(shape[2])
        parts = [self._draw_batch(rngs[i : i + size], shape[2], transform=False) for i in range(0, n_records, size)]
        return np.concatenate(parts)

    def _check_events(self, events: Any, shape: tuple[int, ...]) -> pd.DataFrame:
        """The markings as a DataFrame with an integer ``record`` column, checked against
        the fitted records (one-line errors naming ``events``), before the long work."""
        if not isinstance(events, pd.DataFrame):
            raise TypeError(f"events must be a DataFrame of marked HFOs, got {type(events).__name__}.")
        missing = sorted({"onset", "duration", "type", "channel"} - set(events.columns))
        if missing:
            raise ValueError(f"events must have the columns onset, duration, type and channel; missing {missing}.")
        names, length = self.info_["ch_names"], shape[-1] / self.info_["sfreq"]
        unknown = sorted(set(map(str, events["channel"])) - set(names))
        if unknown:
            raise ValueError(
                f"events name channels {unknown[:5]} that real does not have; mark the fitted channels "
                "(for bipolar markings fit on the bipolar montage, biosynth.signals.layouts.bipolar_by_name)."
            )
        records = events["record"].to_numpy(dtype=int) if "record" in events else np.zeros(len(events), dtype=int)
        if records.min(initial=0) < 0 or records.max(initial=0) >= shape[0]:
            raise ValueError(f"events has record positions {sorted(set(records))}; real has {shape[0]} records.")
        onset, duration = events["onset"].to_numpy(dtype=float), events["duration"].to_numpy(dtype=float)
        if not (np.isfinite(onset).all() and (onset >= 0).all() and (duration > 0).all()):
            raise ValueError("events must have finite onsets >= 0 and durations > 0, in s from the record's start.")
        if (onset + duration > length + 1e-9).any():
            raise ValueError(
                f"events must end within the records ({length:g} s); the latest ends at "
                f"{float(np.max(onset + duration)):g} s."
            )
        return events.assign(record=records, channel=events["channel"].astype(str))

    def _event_mask(self, shape: tuple[int, ...], events: pd.DataFrame) -> np.ndarray:
        """True on the samples (n_records, C, n_times) inside a marked event."""
        names, sfreq = self.info_["ch_names"], self.info_["sfreq"]
        mask = np.zeros(shape, dtype=bool)
        rows = zip(events["record"], events["channel"], events["onset"], events["duration"], strict=True)
        for record, channel, onset, duration in rows:
            start = round(onset * sfreq)
            mask[record, names.index(channel), start : start + max(1, round(duration * sfreq))] = True
        return mask

    def _fit_hfo(self, data: np.ndarray, events: pd.DataFrame, mask: np.ndarray) -> dict[str, Any]:
        """HFO statistics of the marked events and the HFO-band RMS of the background."""
        sfreq = self.info_["sfreq"]
        joined = events.assign(onset=events["onset"] + events["record"] * data.shape[-1] / sfreq)
        flat = data.transpose(1, 0, 2).reshape(data.shape[1], -1)
        stats = learn_hfo_events(joined, flat, sfreq, self.info_["ch_names"], flat.shape[-1] / sfreq)
        rms = hfo_band_rms(flat, sfreq, mask.transpose(1, 0, 2).reshape(flat.shape))
        return {"stats": stats, "background_rms": {band: value.tolist() for band, value in rms.items()}}

    @property
    def _n_segment(self) -> int:
        """Samples of the Welch segment of the spectra (the stationary model's resolution)."""
        return 2 * len(self.freqs_) - 2

    @property
    def _n_epoch(self) -> int:
        """Samples of an epoch (the variability model's and the amplitude map's scale)."""
        return 2 * len(self.epoch_freqs_) - 2

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
        self.record_variability_ = np.zeros((n_ch * n_bands, 0))
        self.record_level_knots_ = np.zeros((n_ch * n_bands, 2, 0))
        self.variability_diag_ = np.zeros(n_ch * n_bands)
        self.rho_ = np.zeros(0)
        self.quantiles_ = np.zeros((2, n_ch, 0))
        self.map_cutoff_ = float(self.freqs_[-1])
        self._factor = None

    def _fit_variability(self, epochs: np.ndarray) -> None:
        """Low-rank Gaussians of the per-epoch log band powers, less chance variation:
        one for the level of each record (where there are several records of several
        epochs) and one for the epochs within a record; before the latter, discrete states
        where the epochs within records switch between persistent ones (:mod:`._states`),
        whose offsets it then leaves out. In a set of records the states are fitted to the
        epochs less their record's mean: the record levels model what sets records apart
        (states fitted to the records' own levels double them: on the Bonn sets they raised
        the C2ST AUC of set C from 0.72 to 0.79)."""
        self.state_offsets_, self.state_transitions_, self.state_occupancy_ = no_states(self.variability_diag_.size)
        if self.n_components == 0 or len(epochs) < MIN_VARIABILITY_EPOCHS:
            return
        weights = _band_weights(self.epoch_freqs_, self.band_centres_)
        real = _log_band_powers(epochs, weights)  # (E, C*B)
        n = epochs.shape[-1]
        per_record = self.info_["n_times"] // n
        rng = np.random.default_rng(0)  # the chance reference is part of the fit: fixed
        n_sim = max(64, 4 * len(epochs))
        simulated = self._draw(rng, n_sim * n, transform=False)
        reference = _log_band_powers(simulated.reshape(len(simulated), n_sim, n).transpose(1, 0, 2), weights)
        by_record = real.reshape(self.info_["n_records"], per_record, -1)
        split = self.info_["n_records"] >= MIN_VARIABILITY_EPOCHS and per_record >= 2
        within = (by_record - by_record.mean(axis=1, keepdims=True)).reshape(len(real), -1) if split else real
        # states switch within a record; in a set of records, what sets records apart is the record levels'
        states = fit_states(within, np.std(reference, axis=0), per_record)
        self.state_offsets_, self.state_transitions_, self.state_occupancy_ = states.arrays()
        within = states.residuals(within)  # the variability below is that within the states
        scale = np.sqrt(per_record / (per_record - 1)) if split else 1.0  # degrees of freedom of the centring
        chance = np.cov(reference, rowvar=False)
        loadings, values, vectors = _above_chance(within * scale, reference, chance, self.n_components)
        self.variability_ = loadings
        excess = np.diag(np.cov(within * scale, rowvar=False)) - np.diag(chance)
        self.variability_diag_ = np.clip(excess - np.sum(loadings**2, axis=1), 0.0, None)
        self.rho_ = _frame_correlation(
            within - within.mean(axis=0), vectors, values, _consecutive(self.info_["n_records"], per_record)
        )
        if split:
            total = np.cov(within * scale, rowvar=False)  # chance + within-record variation of one epoch
            means = by_record.mean(axis=1)
            self.record_variability_ = _record_levels(means, total / per_record, self.n_components)
            self.record_level_knots_ = _level_knots(means, self.record_variability_)

    def _calibrate(self, x: np.ndarray, mask: np.ndarray | None) -> None:
        """Correct the spectrum for what the gains (and the amplitude map) do to it, twice,
        and fit the amplitude map (when ``amplitude_map``) to the final model.

        The correction matches the Welch mean of the draws with the model's spectrum, as
        fitted (:attr:`log_psd_`), at the model's resolution. (Matching the typical level of
        a segment instead, the mean log periodogram, brings the C2ST AUCs of the realism
        benchmark down by 0.03-0.07 on half of its recordings but moves the Welch mean's
        alpha peak off the real one, since the octave-band gains cannot hold the
        sub-octave variability of alpha; one level gain per channel for it changed no AUC
        by more than 0.02.)

        The map acts on the slow part of the signal, below :attr:`map_cutoff_`, the
        frequency under which the model's median channel holds 99 % of its power; the
        faster rest stays Gaussian (a pointwise map of the broadband signal would scale
        its fast part by the map's slope, a cross-frequency coupling real data do not
        show). Its knots are the quantiles with at least :data:`MIN_TAIL_SAMPLES` real
        samples beyond them, counted outside marked events."""
        rng = np.random.default_rng(1)
        target = self.log_psd_.copy()
        n, n_epoch = self._n_segment, self._n_epoch
        self.map_cutoff_ = _power_cutoff(self.freqs_, self.log_psd_, MAP_POWER_SHARE)
        real_q = None
        if self.amplitude_map:
            probs, real_q = _real_quantiles(_slow_part(x, self.map_cutoff_, self.info_["sfreq"]), n_epoch, mask)
        # records as long as the fitted ones (without their levels), at least 64 segments in all
        count = max(x.shape[0], math.ceil(64 * n / x.shape[-1]))
        for step in range(3):
            rngs = [np.random.default_rng(s) for s in rng.spawn(count)]
            out = self._draw_batch(rngs, x.shape[-1], transform=False, levels=False)
            if real_q is not None:
                self.quantiles_ = _fit_map(out, real_q, probs, n_epoch, self.map_cutoff_, self.info_["sfreq"])
                out = _apply_map(out, self.quantiles_, n_epoch, self.map_cutoff_, self.info_["sfreq"])
            if step == 2:
                break
            spectra = _windowed_spectra(_frames(out, n, n // 2), self.info_["sfreq"])
            achieved = np.log10(np.clip(np.mean(np.abs(spectra) ** 2, axis=0), 1e-300, None))
            corrected = self.log_psd_.copy()  # a new array: the sampler's cache keys on it
            corrected[:, 1:] += _smooth(target[:, 1:] - achieved[:, 1:], 1.0)  # DC stays empty
            self.log_psd_ = corrected

    # --- sampling ---------------------------------------------------------------------

    def _sample_record(self, rng: np.random.Generator, n_times: int, label: Any) -> Any:
        return self._sample_batch([rng], n_times, [label])[0]

    def _batch_threads(self) -> int:
        """Batches run in Numba's thread count (``NUMBA_NUM_THREADS``, or
        ``numba.set_num_threads``): the kernels and the FFTs release the GIL, and each
        record depends on its own generator only, so the records are the same."""
        import numba

        return numba.get_num_threads()

    def _batch_size(self, n_times: int) -> int:
        per_record = self.log_psd_.shape[0] * (n_times + self._n_segment)  # the record with its margins
        return max(1, int(BATCH_ELEMENTS // per_record))

    def _sample_batch(self, rngs: list[np.random.Generator], n_times: int, labels: list[Any]) -> list[Any]:
        y = self._draw_batch(rngs, n_times, transform=True) + self.mean_[:, None]
        out: list[Any] = []
        for rng, record in zip(rngs, y, strict=True):
            if len(self.lines_["freqs"]):
                record = record + _lines.draw_lines(rng, self.lines_, n_times, self.info_["sfreq"])
            if self.transients_ is not None:
                background = record - self.mean_[:, None]
                record = record + _transients.place_transients(rng, self.transients_, background, self.info_["sfreq"])
            if self.hfo_ is None:
                out.append(_quantise(record, self.step_) if self.quantise else record)
                continue
            rms = {band: np.asarray(value) for band, value in self.hfo_["background_rms"].items()}
            added, events = place_hfo_events(rng, self.hfo_["stats"], len(record), n_times, self.info_["sfreq"], rms)
            record = record + added
            record = _quantise(record, self.step_) if self.quantise else record
            out.append((record, events.assign(channel=[self.info_["ch_names"][c] for c in events["channel"]])))
        return out

    def _draw(self, rng: np.random.Generator, n_times: int, *, transform: bool) -> np.ndarray:
        """One record of the model, (n_channels, n_times), zero mean."""
        return self._draw_batch([rng], n_times, transform=transform)[0]

    def _draw_batch(
        self, rngs: list[np.random.Generator], n_times: int, *, transform: bool, levels: bool = True
    ) -> np.ndarray:
        """Records of the model, (n_records, n_channels, n_times), zero mean. Each record
        draws, from its own generator, the stationary spectrum and then the gains."""
        varying = bool(self.variability_.size or self.variability_diag_.any() or self.record_variability_.size)
        varying = varying or len(self.state_offsets_) > 1
        n_epoch = self._n_epoch
        hop = n_epoch // 2
        # the gains' frames: every half epoch from half an epoch before the record to half after
        n_short = -(-n_times // hop) + 1
        total = (n_short + 1) * hop if varying else n_times
        n_long = self._n_segment
        length = _fast_even_length(total + n_long // 2)  # circular record, cropped a quarter segment in
        noise = np.empty((len(rngs), length // 2 + 1, self.log_psd_.shape[0], 2), dtype=np.float32)
        gains, slow = [], []
        for rng, out in zip(rngs, noise, strict=True):
            _complex_normals(rng, out)
            if varying:
                gains.append(self._frame_gains(rng, n_short, levels=levels))
            if len(self.low_freqs_):
                slow.append(self._draw_low(rng, total))
        y = self._stationary(noise)[..., n_long // 4 : n_long // 4 + total]
        if slow:
            y += np.stack(slow).astype(y.dtype)
        if varying:
            y = self._modulate(y, np.stack(gains))[..., :n_times]
        if transform and self.quantiles_.shape[-1]:
            return _apply_map(y, self.quantiles_, n_epoch, self.map_cutoff_, self.info_["sfreq"])
        return y

    def _draw_low(self, rng: np.random.Generator, n_times: int) -> np.ndarray:
        """One record's slow part (below the first model bin), (C, n_times): see :mod:`._lowfreq`."""
        factor = self._coherency_factor()[min(1, len(self.freqs_) - 1)]
        return _lowfreq.draw_low(
            rng, self.low_freqs_, self.low_widths_, self.low_log_psd_, factor, n_times, self.info_["sfreq"]
        )

    def _stationary(self, noise: np.ndarray) -> np.ndarray:
        """Records of the stationary process, ``(n_records, C, length)``, from standard
        normals ``(n_records, n_fine, C, 2)``: the real and imaginary parts of each rfft
        bin of a record of ``length = 2 * n_fine - 2`` samples. Each bin takes the
        coherency factor of the nearest model bin and the model's spectrum interpolated in
        log power. The record is circular; callers crop it (the correlation across the
        seam is negligible beyond a quarter segment)."""
        from scipy import fft

        from biosynth.generators.learned import _kernels

        n_records, n_fine, n_ch, _ = noise.shape
        length = 2 * n_fine - 2
        factor = self._coherency_factor()
        cached = getattr(self, "_factor_cache", None)
        if cached is None or cached[0] is not factor:  # float32 planes, [f, d, c] = L_f[c, d]
            transposed = factor.transpose(0, 2, 1)
            planes = (np.ascontiguousarray(part, dtype=np.float32) for part in (transposed.real, transposed.imag))
            self._factor_cache = (factor, *planes)
        bins = (2 * np.arange(n_fine) * self._n_segment + length) // (2 * length)  # nearest model bin
        spectra = np.empty((n_records, n_ch, n_fine, 2), dtype=np.float32)
        _kernels.coloured_spectra(
            noise, *self._factor_cache[1:], np.minimum(bins, len(self.freqs_) - 1), self._fine_scale(length), spectra
        )
        spectra = spectra.view(np.complex64)[..., 0]
        spectra[..., -1] = spectra[..., -1].real
        return fft.irfft(spectra, n=length, axis=-1)

    def _fine_scale(self, length: int) -> np.ndarray:
        """Amplitude of each rfft bin of ``length`` samples, (C, length // 2 + 1), float32,
        for standard normal real and imaginary parts: the model spectrum interpolated in log
        power, none at DC (cached for the last length)."""
        cached = getattr(self, "_scale_cache", None)
        if cached is None or cached[0] != length or cached[1] is not self.log_psd_:
            fine = np.fft.rfftfreq(length, 1.0 / self.info_["sfreq"])
            log_psd = np.stack([np.interp(fine, self.freqs_, row) for row in self.log_psd_])
            scale = np.sqrt(length * self.info_["sfreq"] / 4 * 10.0**log_psd).astype(np.float32)
            scale[:, 0] = 0.0
            self._scale_cache = (length, self.log_psd_, scale)
        return self._scale_cache[2]

    def _modulate(self, y: np.ndarray, gains: np.ndarray) -> np.ndarray:
        """Apply the band gains ``(n_records, n_frames, C, F_epoch)`` of the latent process
        by short-time Fourier analysis and synthesis (square-root Hann windows of one epoch,
        every half epoch) to ``y`` ``(n_records, C, (n_frames + 1) * hop)`` (``hop`` half an
        epoch). Returns the part where two frames overlap, from ``hop`` on:
        ``(n_records, C, (n_frames - 1) * hop)``."""
        from scipy import fft

        from biosynth.generators.learned import _kernels

        n = self._n_epoch
        hop = n // 2
        window = np.sqrt(_hann(n)).astype(y.dtype)
        n_records, n_ch, n_frames = y.shape[0], y.shape[1], gains.shape[1]
        frames = np.empty((n_records, n_ch, n_frames, n), dtype=y.dtype)
        _kernels.windowed_frames(y, 0, window, hop, frames)
        spectra = fft.rfft(frames, axis=-1, overwrite_x=True)  # (R, C, n_frames, F_epoch)
        spectra *= gains.transpose(0, 2, 1, 3).astype(spectra.real.dtype, copy=False)
        return _overlap_add(fft.irfft(spectra, n=n, axis=-1, overwrite_x=True), window)

    def _frame_gains(self, rng: np.random.Generator, n_frames: int, *, levels: bool = True) -> np.ndarray:
        """Amplitude gains (n_frames, C, F) of the short frames from the latent band-power
        process; ``levels=False`` leaves out the record's level (a factor of mean 1 per
        band: the calibration's draws leave it out, since its heavy tail would make their
        mean power scatter by 20 % and more between fits of a set of segments)."""
        n_ch = self.log_psd_.shape[0]
        n_bands = len(self.band_centres_)
        latent = _ar1(rng, self.rho_, n_frames)  # (n_frames, k)
        rho_rest = float(np.mean(self.rho_)) if self.rho_.size else 0.0
        independent = _ar1(rng, np.full(n_ch * n_bands, rho_rest), n_frames)
        log_power = latent @ self.variability_.T + independent * np.sqrt(self.variability_diag_)
        loadings = self.record_variability_
        level = _level_values(rng.standard_normal(loadings.shape[1]), loadings, self.record_level_knots_)
        if levels:
            log_power += level - self._level_log_mean()  # the record's level, for all its frames
        variance = np.sum(self.variability_**2, axis=1) + self.variability_diag_
        log_power -= 0.5 * np.log(10.0) * variance  # E[10 ** u] = 1: the mean spectrum stays
        log_power += state_log_power(rng, self.state_offsets_, self.state_transitions_, self.state_occupancy_, n_frames)
        cached = getattr(self, "_gain_weights", None)  # float32 band weights, cached for the fitted bands
        if cached is None or cached[0] is not self.epoch_freqs_ or cached[1] is not self.band_centres_:
            weights = _band_weights(self.epoch_freqs_, self.band_centres_).astype(np.float32)
            self._gain_weights = cached = (self.epoch_freqs_, self.band_centres_, weights)
        weights = cached[2]
        exponent = (np.float32(0.5 * np.log(10.0)) * log_power.astype(np.float32)).reshape(n_frames, n_ch, n_bands)
        return np.exp(exponent @ weights)

    def _level_log_mean(self) -> np.ndarray:
        """log10 E[10 ** (levels @ scores)] per log band power (cached): subtracted, the
        record levels leave the mean spectrum as it is."""
        cached = getattr(self, "_level_mean_cache", None)
        key = (self.record_variability_, self.record_level_knots_)
        if cached is None or cached[0] is not key[0] or cached[1] is not key[1]:
            value = _level_log_mean(self.record_variability_, self.record_level_knots_)
            self._level_mean_cache = cached = (*key, value)
        return cached[2]

    def _coherency_factor(self) -> np.ndarray:
        """Cholesky factor (F, C, C) of the coherency matrix at every frequency (positive
        definite: the band matrices are shrunk towards the identity)."""
        if getattr(self, "_factor", None) is None:
            weights = _band_weights(self.freqs_, self.band_centres_)
            matrices = np.einsum("bf,bcd->fcd", weights, self.coherency_)
            matrices += 1e-10 * np.eye(matrices.shape[-1])
            self._factor = np.linalg.cholesky(matrices)
        return self._factor

    # --- state ------------------------------------------------------------------------

    def _params(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "max_n_peaks": self.max_n_peaks,
            "n_components": self.n_components,
            "amplitude_map": self.amplitude_map,
            "quantise": self.quantise,
            "transients": self.transients,
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
            "record_variability": self.record_variability_,
            "record_level_knots": self.record_level_knots_,
            "low_freqs": self.low_freqs_,
            "line_freqs": self.lines_["freqs"],
            "line_amplitudes": self.lines_["amplitudes"],
            "line_phases": self.lines_["phases"],
            "line_harmonics": self.lines_["harmonics"],
            "low_widths": self.low_widths_,
            "low_log_psd": self.low_log_psd_,
            "variability_diag": self.variability_diag_,
            "rho": self.rho_,
            "state_offsets": self.state_offsets_,
            "state_transitions": self.state_transitions_,
            "state_occupancy": self.state_occupancy_,
            "quantiles": self.quantiles_,
            "map_cutoff": np.array(self.map_cutoff_),
            "step": self.step_,
            "mean": self.mean_,
            "aperiodic": np.array([[p["offset"], p["knee"], p["exponent"]] for p in self.spectrum_params_]),
            "peak_counts": np.array([len(p) for p in peaks], dtype=int),
            "peaks": np.concatenate(peaks) if peaks else np.empty((0, 3)),
            "hfo": np.array(json.dumps(self.hfo_)),
            "positions": np.zeros((0, 3)) if self.positions_ is None else self.positions_,
            "distance_law": np.zeros((0, 3)) if self.distance_law_ is None else self.distance_law_,
            **_transients.to_state(self.transients_),
        }

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.freqs_ = state["freqs"]
        self.epoch_freqs_ = state["epoch_freqs"]
        self.log_psd_ = state["log_psd"]
        self.band_centres_ = state["band_centres"]
        self.coherency_ = state["coherency_real"] + 1j * state["coherency_imag"]
        self.variability_ = state["variability"]
        self.record_variability_ = state["record_variability"]
        knots = state.get("record_level_knots", np.zeros((0, 2, 0)))
        if knots.shape[-1] and len(knots) != len(state["variability"]):
            raise ValueError(
                f"record_level_knots: {len(knots)} maps for {len(state['variability'])} log band powers; expected "
                "one per log band power (a model saved by a development version with one map per component): "
                "fit it again."
            )
        self.record_level_knots_ = knots
        self.low_freqs_ = state.get("low_freqs", np.zeros(0))
        self.lines_ = _lines.no_lines(len(state["mean"]))
        if "line_freqs" in state:
            self.lines_ = {key: state[f"line_{key}"] for key in ("freqs", "amplitudes", "phases", "harmonics")}
        self.low_widths_ = state.get("low_widths", np.zeros(0))
        self.low_log_psd_ = state.get("low_log_psd", np.zeros((len(state["mean"]), 0)))
        self.variability_diag_ = state["variability_diag"]
        self.rho_ = state["rho"]
        states = restore_states(state, self.variability_diag_.size)  # files without states: one state
        self.state_offsets_, self.state_transitions_, self.state_occupancy_ = states
        self.quantiles_ = state["quantiles"]
        self.map_cutoff_ = float(state["map_cutoff"])
        self.step_ = state["step"]
        self.mean_ = state["mean"]
        bounds = np.concatenate([[0], np.cumsum(state["peak_counts"])])
        self.spectrum_params_ = [
            _spectrum_entry(row, state["peaks"][bounds[c] : bounds[c + 1]]) for c, row in enumerate(state["aperiodic"])
        ]
        self.hfo_ = json.loads(str(state["hfo"]))
        self.transients_ = _transients.from_state(state)
        positions, law = state.get("positions", np.zeros((0, 3))), state.get("distance_law", np.zeros((0, 3)))
        self.positions_ = positions if len(positions) else None
        self.distance_law_ = law if len(law) else None
        self._factor = None


# --- helpers ----------------------------------------------------------------------------


def _welch_length(n_records: int, n_times: int, n_epoch: int) -> int:
    """Welch segment of the spectra: four epochs, shortened (not below one epoch) so that
    the records give at least :data:`MIN_WELCH_SEGMENTS` half-overlapping segments."""
    # segments per record: 2 * n_times / n - 1, so n <= 2 * n_times / (wanted / n_records + 1)
    longest = 2 * n_times / (MIN_WELCH_SEGMENTS / n_records + 1)
    return max(n_epoch, min(4 * n_epoch, 2 * int(longest // 2)))


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


def _band_coherency(
    spectra: np.ndarray, weights: np.ndarray, distances: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Complex coherency per band, shrunk towards the identity (see :func:`_shrink`), or,
    with the channels' ``distances`` (C, C, m), towards the matrix of the coherence-vs-distance
    law fitted to the band (:mod:`._coherency`); and the laws, (n_bands, 3) or None."""
    n_ch = spectra.shape[1]
    out = np.empty((len(weights), n_ch, n_ch), dtype=complex)
    laws = None if distances is None else np.zeros((len(weights), 3))
    for b, w in enumerate(weights):
        used = np.flatnonzero(w > 0)
        y = spectra[..., used].transpose(1, 0, 2).reshape(n_ch, -1)
        sample_weights = np.tile(w[used], spectra.shape[0])
        power = np.sqrt(np.clip((np.abs(y) ** 2) @ sample_weights / sample_weights.sum(), 1e-300, None))
        target = None
        if distances is not None:
            unit = y / power[:, None]
            laws[b] = fit_distance_law((unit * sample_weights) @ unit.conj().T / sample_weights.sum(), distances)
            target = law_matrix(laws[b], distances)
        out[b] = _shrink(y / power[:, None], sample_weights, target)
    return out, laws


def _shrink(y: np.ndarray, weights: np.ndarray, target: np.ndarray | None = None) -> np.ndarray:
    """Ledoit-Wolf shrinkage of the weighted covariance of unit-power complex vectors
    ``y`` (C, n) towards the identity, or towards ``target`` (C, C, unit diagonal).

    With ``S = sum w y y^H / sum w``, the intensity is ``min(b2, d2) / d2`` where
    ``d2 = ||S - T||_F^2`` (``T`` the identity or the target) and ``b2 = sum w^2
    ||y y^H - S||_F^2 / (sum w)^2`` (Ledoit & Wolf 2004, J. Multivariate Anal. 88:365,
    with weights; the target's own estimation error, a few parameters, is neglected);
    the diagonal is then reset to one (a coherency matrix)."""
    total = weights.sum()
    cov = (y * weights) @ y.conj().T / total
    if len(y) == 1:
        return np.ones((1, 1), dtype=complex)
    identity = np.eye(len(y)) if target is None else target
    d2 = np.sum(np.abs(cov - identity) ** 2)
    norms = np.sum(np.abs(y) ** 2, axis=0)
    quad = np.real(np.sum(y.conj() * (cov @ y), axis=0))
    spread = norms**2 - 2 * quad + np.sum(np.abs(cov) ** 2)
    b2 = np.sum(weights**2 * spread) / total**2
    alpha = min(b2, d2) / d2 if d2 > 0 else 0.0
    shrunk = (1.0 - alpha) * cov + alpha * identity
    scale = np.sqrt(np.real(np.diagonal(shrunk)))
    return shrunk / scale[:, None] / scale[None, :]


def _spectrum_model(freqs: np.ndarray, psd: np.ndarray, max_n_peaks: int) -> tuple[list[dict], np.ndarray]:
    """specparam fit per channel and the sampled log spectrum (parametric + smooth residual).

    The fit range is ``max(1 Hz, 2 bins)`` to ``0.8 x Nyquist``; its bins are averaged in
    groups so that at most :data:`MAX_FIT_BINS` remain (the peak fit's cost grows with the
    square of the bin count)."""
    fit_freqs, fit_log = _fit_grid(freqs, psd)
    step = fit_freqs[1] - fit_freqs[0]
    options = {
        "peak_width_limits": (max(1.0, 2.0 * step), max(12.0, (fit_freqs[-1] - fit_freqs[0]) / 8)),
        "max_n_peaks": max_n_peaks,
        "min_peak_height": 0.1,
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
        model[c, 1:] = parametric + _smooth_ratio(log_psd[c, 1:] - parametric)
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


def _smooth_ratio(residual: np.ndarray) -> np.ndarray:
    """Smooth a log10 power ratio in linear power (Gaussian, 1 bin), which keeps the
    power of narrow lines such as mains (smoothing in log power would shrink them)."""
    return np.log10(np.clip(_smooth(10.0 ** residual[None], 1.0)[0], 1e-300, None))


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


def _above_chance(
    real: np.ndarray, reference: np.ndarray, chance: np.ndarray, n_components: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Principal components of the real epoch log band powers that vary more than chance.

    Horn's parallel analysis: the eigenvalues of the real covariance are compared, in
    order, with those of covariances of as many epochs of the stationary model (the
    reference epochs, in groups of the real count, averaged); the leading components
    that exceed them are kept (all of them up to ``n_components`` when it is given, at
    most ``min(10, n_epochs // 2)`` otherwise). Each keeps the variance above chance
    along it: loadings ``v * sqrt(lambda - v' C v)`` with ``C`` the chance covariance.

    Returns
    -------
    loadings : ndarray, shape (n_features, k)
    excess : ndarray, shape (k,)
        Variance above chance of each component (log10 units squared).
    vectors : ndarray, shape (n_features, k)
    """
    n_epochs = len(real)
    values, vectors = np.linalg.eigh(np.cov(real, rowvar=False))
    values, vectors = values[::-1], vectors[:, ::-1]
    groups = [reference[k : k + n_epochs] for k in range(0, len(reference) - n_epochs + 1, n_epochs)]
    null = np.mean([np.linalg.eigvalsh(np.cov(g, rowvar=False))[::-1] for g in groups], axis=0)
    limit = min(10, n_epochs // 2) if n_components is None else n_components
    above = values > null
    keep = int(min(limit, np.argmin(above) if not above.all() else above.size))
    vectors = vectors[:, :keep]
    excess = np.clip(values[:keep] - np.einsum("fk,fg,gk->k", vectors, chance, vectors), 0.0, None)
    return vectors * np.sqrt(excess), excess, vectors


def _record_levels(means: np.ndarray, noise: np.ndarray, n_components: int | None) -> np.ndarray:
    """Loadings (n_features, k) of the record levels: the leading components of the
    covariance of the records' mean log band powers less what the epochs' own variation
    puts in a mean (``noise``), those with positive variance, at most ``min(10, n_records
    // 2)`` (or ``n_components``)."""
    values, vectors = np.linalg.eigh(np.cov(means, rowvar=False) - noise)
    values, vectors = values[::-1], vectors[:, ::-1]
    limit = min(10, len(means) // 2) if n_components is None else n_components
    keep = int(min(limit, np.sum(values > 0)))
    return vectors[:, :keep] * np.sqrt(values[:keep])


#: Fewest records for a non-Gaussian record-level distribution (fewer: Gaussian levels),
#: the probabilities of the knots of its map, and the fewest records beyond a tail knot
#: (rarer knots are dropped).
MIN_LEVEL_RECORDS = 20
LEVEL_PROBABILITIES = (0.05, 0.15, 0.3, 0.5, 0.7, 0.85, 0.95)
MIN_LEVEL_TAIL = 5
#: The standard normal value of the upper tail knot (whose slope gives the records' mean
#: power), and the range of that slope, in units of the slope below the outermost knot.
LEVEL_TAIL_Z = 4.0
LEVEL_TAIL_SLOPES = (0.25, 3.0)


def _level_knots(means: np.ndarray, loadings: np.ndarray) -> np.ndarray:
    """Knots (n_features, 2, K) of the marginal distribution of each log band power's
    record level: a Gaussian copula, whose correlations are the loadings' and whose
    marginals are the records' own mean levels.

    Each marginal map takes the standard normal quantiles of
    :data:`LEVEL_PROBABILITIES` to the quantiles of the records' standardised mean
    levels of the feature, then is shifted and scaled so that the map of a standard
    normal has mean 0 and variance 1 (:func:`_level_scores`; the loadings keep the
    variance). Knots with fewer than :data:`MIN_LEVEL_TAIL` records beyond them are
    dropped: the tail quantiles of a few dozen records are one or two records (a knot on
    the Bonn A fit part's one loud 1-Hz segment gave the synthetic a tail the held-out
    part does not have). Past the outermost knots the map goes on linearly; above, to a
    last knot at :data:`LEVEL_TAIL_Z`, with the slope (bisected within
    :data:`LEVEL_TAIL_SLOPES` times the slope below it) that gives the records' mean power
    at the model's spread, ``log10 mean(10 ** (sd * level))``: the mean spectrum holds
    that mean, so a tail too light would lift the median record above the real one (Bonn
    D's median 1-Hz level 0.35 log10 units high with the linear tail, 0.23 with this).
    The bound keeps one extreme record from giving the synthetic a tail of its own.
    Marginal maps, not one per component: a skewed feature (the gamma power of a few
    loud segments) shows little of its skew as a sum of several independently skewed
    components. Gaussian (no knots) with fewer than :data:`MIN_LEVEL_RECORDS` records."""
    from scipy import stats

    n_features = means.shape[1]
    if len(means) < MIN_LEVEL_RECORDS or loadings.shape[1] == 0:
        return np.zeros((n_features, 2, 0))
    probs = np.asarray(LEVEL_PROBABILITIES)
    probs = probs[np.minimum(probs, 1 - probs) * len(means) >= MIN_LEVEL_TAIL]
    levels = means - means.mean(axis=0)
    levels /= np.maximum(levels.std(axis=0), 1e-300)  # a feature's records may all share one level
    normal = np.broadcast_to(np.append(stats.norm.ppf(probs), LEVEL_TAIL_Z), (n_features, len(probs) + 1))
    body = np.quantile(levels, probs, axis=0).T  # (F, K)
    sd = np.sqrt(np.sum(loadings**2, axis=1))
    target = np.log10(np.mean(10.0 ** (sd * levels), axis=0))  # the records' mean power, at the model's spread

    def knots_for(slope: np.ndarray) -> np.ndarray:
        tail = body[:, -1] + slope * (LEVEL_TAIL_Z - normal[0, -2])
        return _standardised_knots(np.stack([normal, np.column_stack([body, tail])], axis=1))

    last = (body[:, -1] - body[:, -2]) / (normal[0, -2] - normal[0, -3])
    low, high = LEVEL_TAIL_SLOPES[0] * last, LEVEL_TAIL_SLOPES[1] * last
    for _ in range(40):  # bisection: a steeper upper tail raises the mean power
        middle = 0.5 * (low + high)
        above = _level_log_mean(sd[:, None], knots_for(middle)) > target
        low, high = np.where(above, low, middle), np.where(above, middle, high)
    return knots_for(0.5 * (low + high))


def _standardised_knots(knots: np.ndarray) -> np.ndarray:
    """``knots`` (F, 2, K) with their values shifted and scaled so that the map
    (:func:`_level_scores`) of a standard normal has mean 0 and variance 1."""
    mapped, weights = _mapped_nodes(knots)
    mean = weights @ mapped
    sd = np.sqrt(weights @ (mapped - mean) ** 2)
    out = knots.copy()
    out[:, 1] = (knots[:, 1] - mean[:, None]) / np.maximum(sd[:, None], 1e-300)
    return out


def _level_scores(u: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Standard normals ``u`` (..., n_features) through each feature's monotone
    piecewise-linear map (knots (n_features, 2, K), the same normal quantiles for all;
    the end pieces extended); unchanged where there are no knots."""
    if knots.shape[-1] == 0:
        return u
    x, y = knots[0, 0], knots[:, 1]
    piece = np.clip(np.searchsorted(x, u) - 1, 0, len(x) - 2)
    feature = np.broadcast_to(np.arange(len(y)), np.shape(u))
    low, high = y[feature, piece], y[feature, piece + 1]
    return low + (u - x[piece]) * (high - low) / (x[piece + 1] - x[piece])


def _level_values(z: np.ndarray, loadings: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Record levels (..., n_features), log10 units, from independent standard normals
    ``z`` (..., k): ``loadings @ z``, each feature then through its marginal map."""
    levels = z @ loadings.T
    if knots.shape[-1] == 0:
        return levels
    sd = np.sqrt(np.sum(loadings**2, axis=1))
    return _level_scores(levels / np.maximum(sd, 1e-300), knots) * sd


def _mapped_nodes(knots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Gauss-Hermite nodes through each feature's map, (n_nodes, F), and their weights."""
    nodes, weights = _hermite_nodes()
    return _level_scores(np.broadcast_to(nodes[:, None], (len(nodes), len(knots))), knots), weights


def _hermite_nodes() -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights (summing to 1) of 64-point Gauss-Hermite quadrature for the
    standard normal."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(64)
    return nodes, weights / weights.sum()


def _level_log_mean(loadings: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """log10 E[10 ** level] per feature, the levels those of :func:`_level_values`:
    0.5 ln(10) sum(loadings**2) for Gaussian levels, by quadrature over each feature's
    (standard normal) copula value otherwise."""
    variance = np.sum(loadings**2, axis=1)
    if knots.shape[-1] == 0:
        return 0.5 * np.log(10.0) * variance
    mapped, weights = _mapped_nodes(knots)
    return np.log10(weights @ 10.0 ** (mapped * np.sqrt(variance)))


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


def _overlap_add(frames: np.ndarray, window: np.ndarray) -> np.ndarray:
    """Frames ``(n_records, C, n_frames, 2 * hop)`` times ``window``, summed where two of
    them overlap when placed every ``hop`` samples: ``(n_records, C, (n_frames - 1) * hop)``,
    from ``hop`` on."""
    from biosynth.generators.learned import _kernels

    n_records, n_ch, n_frames, n = frames.shape
    out = np.empty((n_records, n_ch, (n_frames - 1) * (n // 2)), dtype=frames.dtype)
    _kernels.overlap_add(frames, window, out)
    return out


def _fast_even_length(n: int) -> int:
    """The smallest even length of at least ``n`` samples whose FFT is fast (5-smooth)."""
    from scipy import fft

    length = fft.next_fast_len(n, real=True)
    while length % 2:
        length = fft.next_fast_len(length + 1, real=True)
    return length


def _complex_normals(rng: np.random.Generator, out: np.ndarray) -> np.ndarray:
    """Fill ``out`` (..., 2), float32 and C-contiguous, with standard normals: the real and
    imaginary parts of circular complex normals (E|z|^2 = 2), in single precision (the
    model's parameters are estimates far coarser than float32 rounding). They come from
    the ziggurat method on ``rng``'s raw 32-bit draws, about three times as fast as
    ``rng.standard_normal``."""
    from biosynth.generators.learned import _kernels

    flat = out.reshape(-1)
    done = 0
    while done < flat.size:  # about 1 % of the draws need a second integer or another try
        wanted = flat.size - done
        bits = rng.bit_generator.random_raw(wanted // 2 + wanted // 64 + 16).view(np.uint32)
        done += _kernels.ziggurat_normals(bits, *_kernels.ziggurat_tables(), flat[done:])
    return out


def _ar1(rng: np.random.Generator, rho: np.ndarray, n_frames: int) -> np.ndarray:
    """Unit-variance first-order autoregressive processes, (n_frames, len(rho))."""
    from biosynth.generators.learned import _kernels

    noise = rng.standard_normal((n_frames, len(rho)))
    out = np.empty_like(noise)
    _kernels.ar1(noise, np.ascontiguousarray(rho, dtype=float), np.sqrt(1.0 - rho**2), out)
    return out


def _local_scale(y: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Moving mean and RMS about it over ``n`` samples (last axis; the ends mirrored as
    scipy.ndimage's ``reflect`` does), float64, the RMS at least the smallest float32."""
    from biosynth.generators.learned import _kernels

    rows = np.ascontiguousarray(y).reshape(-1, y.shape[-1])
    mean, rms = np.empty(rows.shape), np.empty(rows.shape)
    _kernels.local_scale(rows, n, mean, rms)
    return mean.reshape(y.shape), rms.reshape(y.shape)


def _power_cutoff(freqs: np.ndarray, log_psd: np.ndarray, share: float) -> float:
    """The frequency (Hz) below which the median channel's spectrum holds ``share`` of its
    power."""
    cumulative = np.cumsum(10.0**log_psd, axis=-1)
    below = np.argmax(cumulative >= share * cumulative[:, -1:], axis=-1)
    return float(freqs[int(np.median(below))])


def _slow_part(y: np.ndarray, cutoff: float, sfreq: float) -> np.ndarray:
    """The part of ``y`` (last axis time) below ``cutoff`` Hz (the rest is ``y`` minus it)."""
    from scipy import fft

    spectra = fft.rfft(y, axis=-1)
    spectra[..., np.searchsorted(np.fft.rfftfreq(y.shape[-1], 1.0 / sfreq), cutoff, side="right") :] = 0.0
    return fft.irfft(spectra, n=y.shape[-1], axis=-1)


def _standardised(y: np.ndarray, n: int) -> np.ndarray:
    """Values of ``y`` (n_records, C, n_times) less their moving mean, over their moving RMS
    (over ``n`` samples), per channel and pooled over records: (C, n_records * n_times)."""
    mean, rms = _local_scale(y, n)
    return ((y - mean) / rms).transpose(1, 0, 2).reshape(y.shape[1], -1)


def _real_quantiles(slow: np.ndarray, n: int, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Knot probabilities (those with at least :data:`MIN_TAIL_SAMPLES` samples beyond
    them) and the quantiles (C, n_knots) of the standardised real slow part, outside the
    masked samples."""
    z = _standardised(slow, n)
    keep = None if mask is None else ~mask.transpose(1, 0, 2).reshape(z.shape)
    counts = z.shape[-1] if keep is None else keep.sum(axis=1).min()
    probs = QUANTILE_PROBS[np.minimum(QUANTILE_PROBS, 1 - QUANTILE_PROBS) * counts >= MIN_TAIL_SAMPLES]
    rows = z if keep is None else [row[k] for row, k in zip(z, keep, strict=True)]
    return probs, np.stack([np.quantile(row, probs) for row in rows])


def _fit_map(
    raw: np.ndarray, real_q: np.ndarray, probs: np.ndarray, n: int, cutoff: float, sfreq: float, n_iter: int = 1
) -> np.ndarray:
    """The amplitude map (2, C, n_knots): model quantiles and real quantiles (at ``probs``).
    It takes the slow part of the model's draws ``raw`` (R, C, T), standardised, to the real
    standardised quantiles ``real_q``: first the quantile-to-quantile map,
    then ``n_iter`` fixed-point steps that move each target by what the mapped draw,
    standardised again (its moving RMS changes with the map), still misses."""
    slow = _slow_part(raw, cutoff, sfreq)
    source = np.quantile(_standardised(slow, n), probs, axis=1).T
    quantiles = np.stack([source, real_q])
    for _ in range(n_iter):
        mapped = _map_standardised(slow, quantiles, n)
        missed = real_q - np.quantile(_standardised(mapped, n), probs, axis=1).T
        quantiles[1] = np.maximum.accumulate(quantiles[1] + missed, axis=-1)
    return quantiles


def _apply_map(y: np.ndarray, quantiles: np.ndarray, n: int, cutoff: float, sfreq: float) -> np.ndarray:
    """The amplitude map: the slow part of ``y`` (below ``cutoff`` Hz) mapped by
    :func:`_map_standardised`, the fast part added back unchanged."""
    return _map_standardised(_slow_part(y, cutoff, sfreq), quantiles, n, whole=y)


def _map_standardised(y: np.ndarray, quantiles: np.ndarray, n: int, whole: np.ndarray | None = None) -> np.ndarray:
    """Values standardised by their moving mean and RMS over ``n`` samples, mapped per
    channel (channel axis -2) by the monotone piecewise-linear map from the model's to the
    real quantiles (extended linearly beyond the end knots), and scaled back; with ``whole``
    (the signal ``y`` is the slow part of), ``whole - y`` plus that."""
    from biosynth.generators.learned import _kernels

    source, target = quantiles
    ends = []
    for a, b in ((0, 1), (-1, -2)):  # the end pieces continue the end segments (slope 1 where flat)
        gap = source[:, a] - source[:, b]
        ends.append(np.divide(target[:, a] - target[:, b], gap, out=np.ones_like(gap), where=gap != 0))
    gaps = np.diff(source, axis=-1)
    inner = np.divide(np.diff(target, axis=-1), gaps, out=np.zeros_like(gaps), where=gaps > 0)
    slopes = np.column_stack([ends[0], inner, ends[1]])
    base_x = np.column_stack([source[:, 0], source[:, :-1], source[:, -1]])
    base_y = np.column_stack([target[:, 0], target[:, :-1], target[:, -1]])
    rows = np.ascontiguousarray(y).reshape(-1, *y.shape[-2:])
    whole = rows if whole is None else np.ascontiguousarray(whole, dtype=y.dtype).reshape(rows.shape)
    out = np.empty(rows.shape, dtype=y.dtype)
    _kernels.map_standardised(rows, n, source.astype(np.float32), base_x, base_y, slopes, whole, out)
    return out.reshape(y.shape)


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
    """``y`` (C, n_times) rounded to the multiples of each channel's step (0: unchanged)."""
    on = steps > 0
    if not on.any():
        return y
    out = y.copy()
    out[on] = np.round(y[on] / steps[on, None]) * steps[on, None]
    return out
