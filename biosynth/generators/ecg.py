# SPDX-License-Identifier: BSD-3-Clause
"""ECG from the ECGSYN dynamical model (McSharry et al. 2003), seeded per record.

The model moves a point around a limit cycle of unit radius in the (x, y) plane; its
angle :math:`\\theta` is the cardiac phase and one turn is one beat. The voltage
:math:`z` is pushed up and down by Gaussian waves P, Q, R, S, T placed at angles
:math:`\\theta_i` with amplitudes :math:`a_i` and widths :math:`b_i`:

.. math::

    \\dot x = \\alpha x - \\omega y, \\qquad
    \\dot y = \\alpha y + \\omega x, \\qquad
    \\dot z = -\\sum_{i \\in \\{P,Q,R,S,T\\}} a_i\\, \\Delta\\theta_i\\,
              e^{-\\Delta\\theta_i^2 / (2 b_i^2)} - (z - z_0(t)),

with :math:`\\alpha = 1 - \\sqrt{x^2 + y^2}`, :math:`\\Delta\\theta_i = \\theta -
\\theta_i` wrapped to :math:`[-\\pi, \\pi)`, :math:`\\theta = \\operatorname{atan2}(y,
x)` and the respiratory baseline :math:`z_0(t) = A \\sin(2\\pi f_{HF} t + \\phi)`. Each
wave adds about :math:`a_i b_i^2 / \\omega` to :math:`z` at its peak.

**Heart rate.** The angular velocity is :math:`\\omega = 2\\pi / RR_k` over beat
:math:`k`, from its R peak to the next, with :math:`RR_k` the RR process at the beat's
start (as in the reference implementation), so the R-R intervals are the RR process
sampled once per beat. The RR process has the bimodal spectrum of the paper: Gaussian
peaks at ``lf_freq`` (Mayer waves) and ``hf_freq`` (respiratory sinus arrhythmia) with
widths ``lf_std``, ``hf_std`` and power ratio ``lf_hf_ratio``. It is drawn by an
inverse FFT of amplitudes :math:`\\sqrt{S(f)}` with random phases (NumPy, on the host,
from the record's own generator) and scaled to mean :math:`60 / \\mathrm{HR}` s and SD
:math:`60\\,\\sigma_{\\mathrm{HR}} / \\mathrm{HR}^2` s. Its period is the record (at
least 64 s) and each peak is normalised on the discrete frequency grid, so over a
whole record the SD and the LF/HF ratio are those requested.

**Morphology and heart rate.** As in ECGSYN, the widths :math:`b_i` are scaled by
:math:`\\sqrt{\\mathrm{HR}/60}` and the angles :math:`\\theta_i` by
:math:`(\\mathrm{HR}/60)^{p_i}` with :math:`p = (1/4, 1/2, 0, 1/2, 1/4)` for P, Q, R,
S, T, so the waves keep their heights and the QT interval shortens as the rate rises.

**Integration.** Fixed-step fourth-order Runge-Kutta at an internal rate that is an
integer multiple ``q`` of ``sfreq`` (at least 500 Hz), keeping every q-th step. Each
record starts at a random phase of its cycle, on the periodic orbit of its first beat,
so there is no start-up transient. Batches run in parallel over records (Numba) or as
tensors (torch). The output is shifted so the isoelectric line (the PR segment) is at
0 V and scaled so the R peak of a beat at the mean heart rate stands ``amplitude``
volts above it.

**Ground truth.** Events come from the integrated phase: a wave's peak is the time the
phase crosses :math:`\\theta_i`, its onset and offset the crossings of
:math:`\\theta_i \\mp 2 b_i` (for a Gaussian, where the tangent at its steepest point
meets the baseline, the usual way of placing a T-wave end). Crossings are interpolated
linearly between samples.

**Leads, rhythms, noise.** Other leads than II come from a 3-D cardiac dipole: three
z-variables on the same phase, sharing the angles and widths of the waves and differing
in amplitude (along :data:`DIPOLE_DIRECTIONS`), projected by the Dower transform (Sameni
et al. 2007). Atrial fibrillation replaces the RR process by independent gamma-distributed
intervals (CV 0.2), removes the P wave and adds f waves (Stridh & Soernmo 2001).
Premature ventricular contractions switch the Gaussian set of one beat to a wide,
P-less PVC with a discordant T wave and reshape the phase speed around it so the PVC is
premature and the pause compensatory. Noise comes from :func:`~biosynth.generators.noise.add_noise`
at an exact SNR. Each of these draws from its own child of the record's
SeedSequence, so sinus-rhythm lead II is unchanged by them and records stay independent
of the batch.

References
----------
.. [1] McSharry PE, Clifford GD, Tarassenko L, Smith LA (2003). A dynamical model for
   generating synthetic electrocardiogram signals. IEEE Trans Biomed Eng
   50(3):289-294. doi:10.1109/TBME.2003.808805
.. [2] McSharry PE, Clifford GD. ECGSYN - a realistic ECG waveform generator.
   PhysioNet, https://physionet.org/content/ecgsyn/
.. [3] Sameni R, Clifford GD, Jutten C, Shamsollahi MB (2007). Multichannel ECG and
   noise modeling: application to maternal and fetal ECG signals. EURASIP J Adv Signal
   Process 2007:043407. doi:10.1155/2007/43407
.. [4] Tateno K, Glass L (2001). Automatic detection of atrial fibrillation using the
   coefficient of variation and density histograms of RR and deltaRR intervals. Med
   Biol Eng Comput 39(6):664-671. doi:10.1007/BF02345439
.. [5] Stridh M, Soernmo L (2001). Spatiotemporal QRST cancellation techniques for
   analysis of atrial fibrillation. IEEE Trans Biomed Eng 48(1):105-111.
   doi:10.1109/10.900266
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from biosynth._utils.backend import check_device, torch_device
from biosynth._utils.check import check_int, check_number, check_option, check_positive, check_sfreq
from biosynth._utils.deprecation import renamed_arguments
from biosynth._utils.docs import fill_doc
from biosynth._utils.seeds import Seed, make_seed_sequence, record_rng, record_seed_sequence
from biosynth.generators._checks import NOISE_KINDS, check_flags, check_leads, check_noise_kinds
from biosynth.generators._provenance import build_provenance
from biosynth.generators.leads import dipole_to_leads
from biosynth.generators.noise import add_noise
from biosynth.signals import make_events, make_signals

logger = logging.getLogger(__name__)

WAVES = ("P", "Q", "R", "S", "T")

#: Wave parameters ``(theta_i [rad], a_i, b_i [rad])`` at 60 bpm, before heart-rate
#: scaling. ``"mcsharry2003"`` is Table 1 of McSharry et al. (2003); its Q and S waves
#: sit 42 ms from R with 16 ms widths, so its QRS lasts about 150 ms at 60 bpm by the
#: onset/offset rule of this module (wider than the normal 80-110 ms). ``"normal"``, the
#: default, keeps Table 1's P and T angles and R wave, moves Q and S to 26 ms from R
#: with 9.5 ms widths (a 90 ms QRS) and narrows P (a 115 ms P wave); relative to R,
#: its Q is about -0.13, S -0.29, P 0.18 and T 0.25 (Table 1: -0.13, -0.23, 0.26, 0.39).
MORPHOLOGIES: dict[str, dict[str, tuple[float, float, float]]] = {
    "normal": {
        "P": (-math.pi / 3.0, 1.4, 0.18),
        "Q": (-0.163, -30.0, 0.06),
        "R": (0.0, 30.0, 0.1),
        "S": (0.163, -43.0, 0.06),
        "T": (math.pi / 2.0, 0.45, 0.4),
    },
    "mcsharry2003": {
        "P": (-math.pi / 3.0, 1.2, 0.25),
        "Q": (-math.pi / 12.0, -5.0, 0.1),
        "R": (0.0, 30.0, 0.1),
        "S": (math.pi / 12.0, -7.5, 0.1),
        "T": (math.pi / 2.0, 0.75, 0.4),
    },
}
DEFAULT_MORPHOLOGY = "normal"

# theta_i scales as (HR / 60) ** p_i (ECGSYN: sqrt(hrfact) for P and T, hrfact for Q and S)
_ANGLE_EXPONENT = {"P": 0.25, "Q": 0.5, "R": 0.0, "S": 0.5, "T": 0.25}
_EDGE = 2.0  # onset/offset at theta -/+ 2 b: the tangent at the inflection point meets the baseline
_MAX_SFREQ = 20_000.0  # Hz; pacemaker-spike ECG front ends sample at up to 10-16 kHz
_MIN_SFREQ = 100.0  # Hz
#: Sampling rates simulate_ecg accepts (Hz).
SFREQ_RANGE = (_MIN_SFREQ, _MAX_SFREQ)
_MIN_INTERNAL_RATE = 500.0  # Hz; RK4 error below 3e-5 of the R peak at 200 bpm (1e-6 at 60 bpm)
_RR_RATE = 8.0  # Hz, grid of the RR process (linear interpolation loses < 1% of the power at 0.4 Hz)
_MIN_RR_SPAN = 64.0  # s, shortest period of the RR process (LF bins at most 1/64 Hz apart)
_MIN_RR = 60.0 / 300.0  # s: floor of the RR samples (reached only 4 SD below the mean at HR 200, SD HR / 5)

RHYTHMS = ("sinus", "af")

# Random streams of a record besides its own generator (which draws the RR spectral phases,
# the first beat and the respiratory phase, in that order): children of the record's
# SeedSequence, so adding noise or a rhythm never changes the sinus-rhythm draws.
_NOISE_STREAM = 0
_AF_RR_STREAM = 1
_F_WAVE_STREAM = 2

# Atrial fibrillation. RR intervals: independent gamma draws (no memory between beats, as
# in the "irregularly irregular" ventricular response) with coefficient of variation 0.2;
# Tateno & Glass (2001) report CV(RR) of about 0.15-0.25 in AF against < 0.1 in sinus
# rhythm at rest.
_AF_RR_CV = 0.2
# f waves: the sawtooth model of Stridh & Soernmo (2001),
#   f(t) = -sum_{i=1..3} (2 / (i pi)) (A + dA sin(2 pi f_a t + psi)) sin(i theta(t)),
#   theta(t) = 2 pi f0 t + (df / f_m) sin(2 pi f_m t) + phi,
# with the atrial rate f0 drawn per record in [5, 7] Hz (the 4-9 Hz band of AF), a
# frequency modulation of +-df = 0.2 Hz at f_m = 0.1 Hz and an amplitude A = 75 uV in
# lead II (0.05-0.1 mV: "fine" to "coarse" f waves) modulated by +-dA = 20 uV at f_a =
# 0.25 Hz. The values are those chosen here within the ranges of the paper.
_F_WAVE_BAND = (5.0, 7.0)  # Hz, range of f0
_F_WAVE_AMPLITUDE = 75e-6  # V, A in lead II
_F_WAVE_AMPLITUDE_MOD = 20e-6  # V, dA
_F_WAVE_FREQ_MOD = (0.2, 0.1)  # Hz: df and f_m
_F_WAVE_AMP_MOD_FREQ = 0.25  # Hz: f_a
_F_WAVE_HARMONICS = 3

# Dower row of lead II (leads.py): the dipole of each wave is chosen so that its projection
# on lead II is exactly the single-lead model's wave, so lead II is the same in every lead set.
_LEAD_II = np.array([0.235, 1.066, -0.132])
#: Direction (X left, Y inferior, Z posterior; Frank axes) of the cardiac dipole during each
#: wave, for the 12-lead model. Not fitted to data: chosen from the textbook normal
#: vectorcardiogram (P leftward-inferior; Q, the septal vector, rightward, superior and
#: anterior; R leftward, inferior and posterior; S late basal, rightward-superior-posterior;
#: T near the QRS axis, slightly anterior) and checked to give a physiological 12-lead
#: pattern (upright P, R and T in I and II; negative QRS and T in aVR; rS in V1, R/S
#: transition near V3, qR in V5-V6). Sameni et al. (2007) fit per-axis Gaussians (with
#: their own angles) to real vectorcardiograms; here the axes share the angles and widths
#: of ``morphology`` and differ in amplitude only, so the event table holds for all leads.
DIPOLE_DIRECTIONS: dict[str, tuple[float, float, float]] = {
    "P": (0.6, 0.8, 0.0),
    "Q": (-0.5, -0.5, -0.3),
    "R": (0.8, 0.5, 0.4),
    "S": (-0.3, -0.5, 0.5),
    "T": (0.7, 0.6, -0.1),
}
# Premature ventricular contractions. The PVC replaces a sinus beat: its R peak comes
# _PVC_COUPLING of the preceding RR interval after the previous R (later if that beat's T
# wave has not ended), the next sinus beat keeps its time (a full compensatory pause: the
# two RR intervals around the PVC add up to the two sinus ones), and the PVC has no P wave,
# a wide QRS and a T wave of the opposite polarity. Its waves in lead II, as (time from its
# R peak in s, height relative to a sinus R wave, SD in s), are chosen (not fitted) to give
# a QRS of about 160 ms by this module's onset/offset rule and a discordant T wave. The
# model draws the QRS between _PVC_PRE s before and _PVC_QRS_END s after the R peak at the
# phase speed of the mean heart rate, and the T wave until _PVC_END s after it.
_PVC_STREAM = 3
_PVC_COUPLING = 0.6
_PVC_MAX_HEART_RATE = 120.0  # bpm: above, a PVC and its T wave no longer fit in the two RR intervals
_PVC_WAVES = {"Q": (-0.035, -0.15, 0.017), "R": (0.0, 1.5, 0.030), "S": (0.045, -0.35, 0.022), "T": (0.30, -0.5, 0.055)}
_PVC_PRE = 0.10  # s
_PVC_QRS_END = 0.14  # s
_PVC_END = 0.48  # s
#: Dipole directions (Frank axes, as :data:`DIPOLE_DIRECTIONS`) of the PVC waves: a
#: right-ventricular ectopic focus activates the ventricles right to left (a left bundle
#: branch block-like pattern: wide, upright QRS in I and V6, mainly negative in V1) and
#: repolarises the opposite way (discordant T wave). Chosen, not fitted.
PVC_DIPOLE_DIRECTIONS: dict[str, tuple[float, float, float]] = {
    "P": (0.6, 0.8, 0.0),
    "Q": (-0.3, -0.3, -0.3),
    "R": (0.8, 0.5, 0.5),
    "S": (-0.2, -0.3, 0.4),
    "T": (-0.7, -0.5, -0.3),
}
_F_WAVE_DIRECTION = (0.2, 0.6, -0.6)  # atrial (f-wave) dipole: anterior, so f waves show in V1 as in II


@fill_doc
@renamed_arguments({"noise_snr_db": "snr_db"}, since="0.2", until="0.3")
def simulate_ecg(
    duration: float,
    sfreq: float,
    *,
    n_records: int | None = None,
    heart_rate: float = 60.0,
    heart_rate_std: float = 1.0,
    lf_hf_ratio: float = 0.5,
    lf_freq: float = 0.1,
    hf_freq: float = 0.25,
    lf_std: float = 0.01,
    hf_std: float = 0.01,
    morphology: str | Mapping[str, Sequence[float]] | None = None,
    amplitude: float = 1e-3,
    baseline_wander: float = 0.15e-3,
    leads: Sequence[str] = ("II",),
    rhythm: str = "sinus",
    pvc_rate: float = 0.0,
    snr_db: float | None = None,
    noise_kinds: Sequence[str] = NOISE_KINDS,
    line_freq: float = 50.0,
    first_record: int = 0,
    chunk_size: int | None = None,
    seed: Seed = None,
    device: str = "cpu",
    progress: bool = False,
    return_events: bool = False,
) -> xr.DataArray | tuple[xr.DataArray, pd.DataFrame]:
    """Simulate an ECG (lead II or any of the 12 standard leads) with the ECGSYN model.

    Parameters
    ----------
    duration : float
        Length of each record, in seconds; at least two beats at ``heart_rate``.
    sfreq : float
        Sampling rate, in Hz; at least 100 Hz.
    %(n_records)s
    heart_rate : float
        Mean heart rate, in beats per minute, in [30, 200].
    heart_rate_std : float
        Standard deviation of the heart rate, in bpm, in [0, heart_rate / 5]; the RR
        process gets the SD ``60 * heart_rate_std / heart_rate**2`` s.
    lf_hf_ratio : float
        Power of the LF peak (Mayer waves) over that of the HF peak (respiratory sinus
        arrhythmia) in the RR spectrum; positive.
    lf_freq, hf_freq : float
        Centre frequencies of the LF and HF peaks, in Hz, ``0 < lf_freq < hf_freq <=
        1``. ``hf_freq`` is also the frequency of the respiratory baseline.
    lf_std, hf_std : float
        Widths (standard deviations) of the LF and HF peaks, in Hz, in (0, 0.1].
    morphology : str | mapping | None
        Wave shapes at 60 bpm: a name in :data:`MORPHOLOGIES` (None means
        ``"normal"``), or a mapping from some of ``"P", "Q", "R", "S", "T"`` to
        ``(theta, a, b)`` (angle in rad, amplitude, width in rad) replacing those waves
        of ``"normal"``. A zero amplitude removes a wave (and its events); the R
        amplitude must be positive.
    amplitude : float
        Height of the R peak above the isoelectric line for a beat at the mean heart
        rate, in V (beats vary by a few percent with their RR interval and the
        respiratory baseline).
    baseline_wander : float
        Amplitude :math:`A` of the respiratory baseline :math:`z_0(t)`, in V (0.15 mV
        in the paper). The ECG follows it through the model's one-second relaxation,
        so the visible wander is smaller (0.54 A at 0.25 Hz).
    leads : sequence of str
        Leads to return, in this order: any of
        :data:`biosynth.generators.leads.STANDARD_LEADS`, each once. ``("II",)``
        integrates the single ECGSYN z-variable; any other set integrates a 3-D cardiac
        dipole (three Gaussian sums on the one phase, Sameni et al. 2007) whose axes
        share the angles and widths of ``morphology``, with amplitudes along the
        directions :data:`DIPOLE_DIRECTIONS`, and projects it with
        :func:`~biosynth.generators.leads.dipole_to_leads` (Dower transform). Lead II is
        the same model in both cases (equal to float rounding), so the scaling to
        ``amplitude`` and the events hold for every lead set.
    rhythm : str
        ``"sinus"`` (the RR process above) or ``"af"``, atrial fibrillation: RR
        intervals drawn independently from a gamma distribution with mean
        ``60 / heart_rate`` s and coefficient of variation 0.2 (Tateno & Glass 2001;
        ``heart_rate_std`` and the LF/HF settings are then unused), no P wave, and a
        fibrillatory baseline: f waves at 5-7 Hz (drawn per record), about 75 uV in
        lead II, sawtooth-shaped with frequency and amplitude modulation (Stridh &
        Soernmo 2001), added to the output.
    pvc_rate : float
        Share of beats that are premature ventricular contractions (PVCs), in [0, 0.5]
        (0.5 is bigeminy; a PVC never follows a PVC); ``heart_rate`` at most 120 bpm
        and ``device="cpu"`` when positive. A PVC comes 0.6 of the preceding RR
        interval after the previous R peak (later if that beat's T wave has not yet
        ended), with a full compensatory pause (the next sinus beat keeps its time),
        no P wave, a QRS of about 160 ms and a T wave of the opposite polarity; in 12
        leads its dipole follows :data:`PVC_DIPOLE_DIRECTIONS` (a right-ventricular
        focus). Its events have ``beat_type`` ``"V"``.
    snr_db : float | None
        If given, add noise with :func:`~biosynth.generators.noise.add_noise` so that
        every lead of every record has this signal-to-noise ratio, in dB, against the
        clean ECG (mean squares over the record). The noise of record ``i`` is drawn
        from its own stream, so it does not depend on the batch or chunking. None adds
        none. Called ``noise_snr_db`` before 0.2 (still accepted, with a
        FutureWarning).
    noise_kinds : sequence of str
        Noise kinds mixed at equal power when ``snr_db`` is given; any of
        :data:`~biosynth.generators.noise.NOISE_KINDS`.
    line_freq : float
        Mains frequency for the ``"powerline"`` noise kind, in Hz; below Nyquist when
        that kind is used.
    %(first_record)s
    %(chunk_size)s
    %(seed)s
    device : str
        ``"cpu"`` (Numba, parallel over records), a torch device such as ``"cuda"``,
        or ``"torch:cpu"`` for the torch path on the CPU (torch paths need the
        ``torch`` extra). Random draws are made with NumPy on the CPU, so every path
        gives the same data within float tolerance. The torch path steps through time
        in Python and pays off only for large batches on a GPU.
    progress : bool
        Show a progress bar over chunks.
    return_events : bool
        Also return the ground-truth events.

    Returns
    -------
    ecg : DataArray, dims ("channel", "time") or ("record", "channel", "time")
        Lead voltages in V, one channel per name in ``leads``; ``time`` in seconds
        from 0.
    events : DataFrame
        Only with ``return_events=True``. One row per landmark inside the record, of
        types ``"P_onset", "P", "P_offset", "QRS_onset", "Q", "R", "S", "QRS_offset",
        "T_onset", "T", "T_offset"`` (duration 0; channel ``""``, all leads), with
        extra columns ``beat`` (cardiac cycle, 0 for the first one seen in the record)
        and ``beat_type`` (``"N"``, normal, or ``"V"``, PVC: its landmarks are those
        of the PVC's waves, without P). ``record`` is the record label
        (``first_record`` + position), 0 for a single recording. Peaks are the
        crossings of :math:`\\theta_i` by the phase, onsets and offsets those of
        :math:`\\theta_i \\mp 2 b_i`; the QRS runs from the earliest onset of Q, R and
        S to their latest offset.

    Notes
    -----
    Beat heights scale with each beat's RR interval (the waves add :math:`a_i b_i^2 /
    \\omega`), as in the original model. Samples are those of the continuous model
    (no anti-aliasing filter), as a sampled analogue signal without one would be.

    References
    ----------
    .. [1] McSharry PE, Clifford GD, Tarassenko L, Smith LA (2003). A dynamical model
       for generating synthetic electrocardiogram signals. IEEE Trans Biomed Eng
       50(3):289-294. doi:10.1109/TBME.2003.808805
    .. [2] Sameni R, Clifford GD, Jutten C, Shamsollahi MB (2007). Multichannel ECG and
       noise modeling: application to maternal and fetal ECG signals. EURASIP J Adv
       Signal Process 2007:043407. doi:10.1155/2007/43407
    .. [3] Tateno K, Glass L (2001). Automatic detection of atrial fibrillation using
       the coefficient of variation and density histograms of RR and deltaRR
       intervals. Med Biol Eng Comput 39(6):664-671. doi:10.1007/BF02345439
    .. [4] Stridh M, Soernmo L (2001). Spatiotemporal QRST cancellation techniques for
       analysis of atrial fibrillation. IEEE Trans Biomed Eng 48(1):105-111.
       doi:10.1109/10.900266

    Examples
    --------
    >>> ecg, events = simulate_ecg(5.0, 250.0, heart_rate=72.0, seed=0, return_events=True)
    >>> ecg.dims, ecg.attrs["units"]
    (('channel', 'time'), 'V')
    >>> int((events["type"] == "R").sum())
    6
    """
    params = _check_params(locals())
    device = check_device(device)
    check_flags(progress=progress, return_events=return_events)
    lead_names = check_leads(leads)
    params["leads"] = lead_names
    params["rhythm"] = check_option("rhythm", rhythm, RHYTHMS)
    params["pvc_rate"] = check_number("pvc_rate", pvc_rate, low=0.0, high=0.5, context="a PVC never follows a PVC")
    if params["pvc_rate"] > 0 and params["heart_rate"] > _PVC_MAX_HEART_RATE:
        raise ValueError(
            f"heart_rate must be at most {_PVC_MAX_HEART_RATE:g} bpm when pvc_rate > 0 (a PVC and its T wave "
            f"must fit in two RR intervals), got {params['heart_rate']:g}."
        )
    if params["pvc_rate"] > 0 and device != "cpu":
        raise ValueError(f"pvc_rate > 0 is implemented on device='cpu' only (Numba), got device={device!r}.")
    params["snr_db"] = None if snr_db is None else check_number("snr_db", snr_db, unit="dB")
    params["noise_kinds"] = check_noise_kinds(noise_kinds)
    if params["snr_db"] is not None and "powerline" in params["noise_kinds"]:
        freq = check_positive("line_freq", line_freq, unit="Hz")
        if freq >= params["sfreq"] / 2:
            raise ValueError(
                f"line_freq must lie below Nyquist ({params['sfreq'] / 2:g} Hz) for powerline noise, got {freq:g} Hz; "
                "pass a lower line_freq (CLI: --line-freq), a higher sfreq, or noise_kinds without 'powerline'."
            )
        params["line_freq"] = freq
    else:  # unused: any positive value (the default 50 Hz is at Nyquist for sfreq = 100 Hz)
        params["line_freq"] = check_positive("line_freq", line_freq, unit="Hz")
    root = make_seed_sequence(seed)
    grid = _TimeGrid(params["duration"], params["sfreq"])
    gaussians = _scaled_gaussians(params["morphology"], params["heart_rate"])[None]  # one z-variable
    if params["rhythm"] == "af":
        gaussians[0, 1, WAVES.index("P")] = 0.0  # no organised atrial activity: no P wave (and no P events)
    level, height = _template_levels(gaussians, params["heart_rate"], grid.h)
    if not height[0] > 0:
        raise ValueError(f"morphology gives no R peak above the isoelectric line; got {params['morphology']}.")
    scale = params["amplitude"] / height[0]
    indices = np.arange(first_record, first_record + (n_records or 1))
    single = lead_names == ["II"]
    pvc = None
    if params["pvc_rate"] > 0:
        pvc_set = _pvc_gaussians(gaussians[0], height[0], params["heart_rate"])
        pvc = {"sets": pvc_set[None] if single else _dipole_gaussians(pvc_set, PVC_DIPOLE_DIRECTIONS), "beats": []}
    if single:
        sets = gaussians
        wander = np.array([params["baseline_wander"] / scale])
    else:
        sets = _dipole_gaussians(gaussians[0], DIPOLE_DIRECTIONS)
        # the least-norm dipole baseline whose lead II is the single-lead baseline
        wander = params["baseline_wander"] / scale * _LEAD_II / (_LEAD_II @ _LEAD_II)
        level = dipole_to_leads(_template_levels(sets, params["heart_rate"], grid.h)[0][:, None], lead_names)[:, 0]
    states = _integrate(indices, root, params, sets, wander, grid, device, params["chunk_size"], progress, pvc)
    data = states[:, 1:] if single else dipole_to_leads(states[:, 1:], lead_names, axis=1)
    data -= level[:, None] if not single else level[0]  # isoelectric line (PR segment) at 0 V
    data *= scale
    if params["rhythm"] == "af":
        gains = np.ones(1) if single else dipole_to_leads(np.array(_F_WAVE_DIRECTION)[:, None], lead_names)[:, 0]
        gains /= 1.0 if single else float(_LEAD_II @ np.array(_F_WAVE_DIRECTION))
        for row, index in enumerate(indices):
            rng = np.random.default_rng(record_seed_sequence(root, index, _F_WAVE_STREAM))
            data[row] += gains[:, None] * _f_waves(rng, grid)
    if params["snr_db"] is not None:
        for row, index in enumerate(indices):
            rng = np.random.default_rng(record_seed_sequence(root, index, _NOISE_STREAM))
            data[row], _ = add_noise(
                data[row],
                params["sfreq"],
                snr_db=params["snr_db"],
                kinds=params["noise_kinds"],
                line_freq=params["line_freq"],
                seed=rng,
            )
    # chunk_size changes memory use, not the data: it is not a generation parameter
    provenance = build_provenance("biosynth.generators.simulate_ecg", params, root)
    ecg = make_signals(
        data if n_records is not None else data[0],
        params["sfreq"],
        ch_names=lead_names,
        units="V",
        modality="ecg",
        provenance=provenance,
        record_names=indices if n_records is not None else None,
    )
    if not return_events:
        return ecg
    labels = indices if n_records is not None else np.zeros(1, dtype=np.int64)
    if pvc is None:
        return ecg, _events(states[:, 0], params["sfreq"], gaussians[0], labels)
    return ecg, _events(states[:, 0], params["sfreq"], gaussians[0], labels, pvc_set, pvc["beats"])


def _dipole_gaussians(gaussians: np.ndarray, directions: Mapping[str, Sequence[float]]) -> np.ndarray:
    """(3, 3, n_waves) X, Y, Z Gaussian sets from one (3, n_waves) set: same angles and widths, the
    amplitude of each wave along ``directions``, scaled so its lead-II projection is the wave's
    amplitude in ``gaussians`` (the ODE is linear in the amplitudes)."""
    sets = np.repeat(gaussians[None], 3, axis=0)
    for i, wave in enumerate(WAVES):
        direction = np.array(directions[wave])
        sets[:, 1, i] = gaussians[1, i] * direction / (_LEAD_II @ direction)
    return sets


def _f_waves(rng: np.random.Generator, grid: _TimeGrid) -> np.ndarray:
    """(n_times,) f waves of atrial fibrillation in lead II, in V (Stridh & Soernmo 2001 sawtooth model)."""
    f0 = rng.uniform(*_F_WAVE_BAND)
    phase, amp_phase, mod_phase = rng.uniform(0.0, 2.0 * math.pi, 3)
    t = np.arange(grid.n_times) / grid.sfreq
    deviation, mod_freq = _F_WAVE_FREQ_MOD
    theta = 2.0 * math.pi * f0 * t + deviation / mod_freq * np.sin(2.0 * math.pi * mod_freq * t + mod_phase) + phase
    envelope = _F_WAVE_AMPLITUDE + _F_WAVE_AMPLITUDE_MOD * np.sin(2.0 * math.pi * _F_WAVE_AMP_MOD_FREQ * t + amp_phase)
    harmonics = sum(2.0 / (i * math.pi) * np.sin(i * theta) for i in range(1, _F_WAVE_HARMONICS + 1))
    return -envelope * harmonics


def _check_params(args: Mapping[str, Any]) -> dict[str, Any]:
    """Validated generation parameters from the arguments of :func:`simulate_ecg`."""
    sfreq = check_sfreq("sfreq", args["sfreq"])
    check_number(
        "sfreq",
        sfreq,
        low=_MIN_SFREQ,
        unit="Hz",
        context="the QRS complex lasts about 100 ms and its Q, R and S waves 10-20 ms each; "
        "slower sampling cannot resolve them",
    )
    if sfreq > _MAX_SFREQ:
        raise ValueError(f"sfreq must be at most {_MAX_SFREQ:g} Hz (no ECG recorder samples faster), got {sfreq:g}.")
    heart_rate = check_number(
        "heart_rate", args["heart_rate"], low=30.0, high=200.0, unit="bpm", context="the range of human heart rates"
    )
    duration = check_positive("duration", args["duration"], unit="s")
    min_duration = 2.0 * 60.0 / heart_rate
    if duration < min_duration:
        raise ValueError(
            f"duration must cover at least 2 beats ({min_duration:g} s at heart_rate={heart_rate:g} bpm), "
            f"got {duration:g} s."
        )
    hf_freq = check_number("hf_freq", args["hf_freq"], low=0.0, high=1.0, low_inclusive=False, unit="Hz")
    morphology = _check_morphology(args["morphology"])
    if not morphology["R"][1] > 0:
        raise ValueError(
            f"morphology['R'] amplitude a must be positive (the output is scaled to the R peak), "
            f"got {morphology['R'][1]:g}."
        )
    angles = [angle for _, angle in _markers(_scaled_gaussians(morphology, heart_rate))]
    if max(angles) - min(angles) >= 2.0 * math.pi:
        raise ValueError(
            f"morphology spans {max(angles) - min(angles):.3g} rad from P onset to T offset at "
            f"heart_rate={heart_rate:g} bpm, more than one cycle (2 pi), so successive beats would "
            "overlap; use narrower waves or a lower heart_rate."
        )
    return {
        "duration": duration,
        "sfreq": sfreq,
        "n_records": None if args["n_records"] is None else check_int("n_records", args["n_records"], low=1),
        "heart_rate": heart_rate,
        "heart_rate_std": check_number(
            "heart_rate_std",
            args["heart_rate_std"],
            low=0.0,
            high=heart_rate / 5.0,
            unit="bpm",
            context=f"at most heart_rate / 5 for heart_rate={heart_rate:g}, so RR intervals stay physiological",
        ),
        "lf_hf_ratio": check_positive("lf_hf_ratio", args["lf_hf_ratio"]),
        "lf_freq": check_number(
            "lf_freq",
            args["lf_freq"],
            low=0.0,
            high=hf_freq,
            low_inclusive=False,
            high_inclusive=False,
            unit="Hz",
            context=f"below hf_freq={hf_freq:g} Hz",
        ),
        "hf_freq": hf_freq,
        "lf_std": check_number("lf_std", args["lf_std"], low=0.0, high=0.1, low_inclusive=False, unit="Hz"),
        "hf_std": check_number("hf_std", args["hf_std"], low=0.0, high=0.1, low_inclusive=False, unit="Hz"),
        "morphology": morphology,
        "amplitude": check_positive("amplitude", args["amplitude"], unit="V"),
        "baseline_wander": check_number("baseline_wander", args["baseline_wander"], low=0.0, unit="V"),
        "first_record": check_int("first_record", args["first_record"], low=0),
        "chunk_size": None if args["chunk_size"] is None else check_int("chunk_size", args["chunk_size"], low=1),
    }


def _check_morphology(morphology: Any) -> dict[str, list[float]]:
    """Wave parameters ``{wave: [theta, a, b]}`` at 60 bpm from a preset name or a mapping."""
    if isinstance(morphology, str):
        if morphology not in MORPHOLOGIES:
            raise ValueError(f"morphology must be one of {sorted(MORPHOLOGIES)} or a mapping, got {morphology!r}.")
        return {wave: list(values) for wave, values in MORPHOLOGIES[morphology].items()}
    base = {wave: list(values) for wave, values in MORPHOLOGIES[DEFAULT_MORPHOLOGY].items()}
    if morphology is None:
        return base
    if not isinstance(morphology, Mapping):
        raise TypeError(
            "morphology must be a preset name or a mapping of waves to (theta, a, b), "
            f"got {type(morphology).__name__} {morphology!r}."
        )
    unknown = sorted(map(str, set(morphology) - set(WAVES)))
    if unknown:
        raise ValueError(f"morphology has unknown waves {unknown}; expected some of {list(WAVES)}.")
    for wave, values in morphology.items():
        try:
            theta, a, b = (float(v) for v in values)
        except (TypeError, ValueError):
            raise ValueError(
                f"morphology[{wave!r}] must be (theta [rad], a, b [rad]), three numbers, got {values!r}."
            ) from None
        check_number(f"morphology[{wave!r}] theta", theta, low=-math.pi, high=math.pi, unit="rad")
        check_number(f"morphology[{wave!r}] a", a)
        check_positive(f"morphology[{wave!r}] b", b, unit="rad")
        base[wave] = [theta, a, b]
    angles = [base[w][0] for w in WAVES]
    if any(later <= earlier for earlier, later in itertools.pairwise(angles)):
        raise ValueError(f"morphology angles must increase in the order P, Q, R, S, T, got {angles}.")
    return base


def _scaled_gaussians(morphology: Mapping[str, Sequence[float]], heart_rate: float) -> np.ndarray:
    """(3, n_waves) rows theta [rad], a, b [rad] of one Gaussian set, scaled to ``heart_rate`` as in ECGSYN."""
    ratio = heart_rate / 60.0
    params = np.array([morphology[w] for w in WAVES], dtype=float).T
    params[0] *= [ratio ** _ANGLE_EXPONENT[w] for w in WAVES]
    params[2] *= math.sqrt(ratio)
    return params


class _TimeGrid:
    """Samples and internal RK4 steps of one record: sample n is step n q, at n / sfreq."""

    def __init__(self, duration: float, sfreq: float) -> None:
        self.sfreq = sfreq
        self.n_times = round(duration * sfreq)
        self.q = math.ceil(_MIN_INTERNAL_RATE / sfreq - 1e-9)
        self.h = 1.0 / (self.q * sfreq)
        self.n_steps = (self.n_times - 1) * self.q


def _integrate(indices, root, params, gaussians, wander, grid, device, chunk_size, progress, pvc=None) -> np.ndarray:
    """(n_records, 1 + m, n_times): unwrapped phase (rad) and z_1..z_m (model units) of records ``indices``.

    ``pvc``: None, or ``{"sets": (m, 3, n_waves) PVC Gaussian sets, "beats": []}``; the schedule
    index of each record's PVC beats is appended to ``pvc["beats"]`` (one array per record)."""
    from tqdm.auto import tqdm

    from biosynth.generators._kernels.ecg import integrate_ecgsyn, integrate_ecgsyn_sets

    step = chunk_size or indices.size
    rr_amplitudes = _rr_amplitudes(params, grid)
    theta, a, inv_two_b2 = _kernel_gaussians(gaussians)
    chunks = []
    for start in tqdm(range(0, indices.size, step), desc="simulate_ecg", unit="chunk", disable=not progress):
        draws = [_record_draws(record_rng(root, i), rr_amplitudes.size) for i in indices[start : start + step]]
        first_beat = np.array([d[1] for d in draws])
        wander_phase = np.array([d[2] for d in draws])
        if params.get("rhythm", "sinus") == "af":
            rr_beats = np.stack([_af_rr(i, root, params, grid) for i in indices[start : start + step]])
            beat_time, beat_omega = _beat_list_schedule(rr_beats, first_beat)
        else:
            rr = _rr_process(np.stack([d[0] for d in draws]), rr_amplitudes, params)
            beat_time, beat_omega = _beat_schedule(rr, first_beat, grid)
        # theta = theta_R = 0 at the first R peak, first_beat * RR(0) after t = 0
        phase0 = 2.0 * math.pi * (1.0 - first_beat)
        state0 = _initial_state(phase0, 2.0 * math.pi / beat_omega[:, 0], gaussians, grid.h)
        state0[:, 2:] += _wander_steady_state(wander, params["hf_freq"], wander_phase)
        if pvc is not None:
            rngs = [
                np.random.default_rng(record_seed_sequence(root, i, _PVC_STREAM)) for i in indices[start : start + step]
            ]
            beat_time, beat_omega, seg_time, beats = _pvc_schedule(
                beat_time,
                beat_omega,
                rngs,
                params["pvc_rate"],
                gaussians[0],
                params["heart_rate"],
                grid.h,
                (grid.n_times - 1) / grid.sfreq,
            )
            pvc["beats"] += beats
            pvc_theta, pvc_a, pvc_inv = _kernel_gaussians(pvc["sets"])
            # segment g of a record: sinus set for even g, PVC set for odd g
            pick = (np.arange(seg_time.shape[1]) % 2 == 1)[None, :, None, None]
            sets = [
                np.ascontiguousarray(np.where(pick, v[None, None], n[None, None]))
                for n, v in ((theta, pvc_theta), (a, pvc_a), (inv_two_b2, pvc_inv))
            ]
            sets = [np.ascontiguousarray(np.broadcast_to(x, (seg_time.shape[0], *x.shape[1:]))) for x in sets]
            chunks.append(
                integrate_ecgsyn_sets(
                    beat_time,
                    beat_omega,
                    state0,
                    seg_time,
                    *sets,
                    wander,
                    params["hf_freq"],
                    wander_phase,
                    grid.h,
                    grid.q,
                    grid.n_times,
                )
            )
            continue
        args = (beat_time, beat_omega, state0, theta, a, inv_two_b2, wander, params["hf_freq"], wander_phase)
        if device == "cpu":
            chunks.append(integrate_ecgsyn(*args, grid.h, grid.q, grid.n_times))
        else:
            chunks.append(_integrate_torch(*args, grid.h, grid.q, grid.n_times, device=device))
    return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)


def _record_draws(rng: np.random.Generator, n_freqs: int) -> tuple[np.ndarray, float, float]:
    """Everything random in one record, in a fixed order: the RR spectral phases, the point
    of the cardiac cycle at t = 0 (a fraction of a beat) and the respiratory phase."""
    rr_phases = rng.uniform(0.0, 2.0 * math.pi, n_freqs)
    first_beat = rng.uniform()
    wander_phase = rng.uniform(0.0, 2.0 * math.pi)
    return rr_phases, first_beat, wander_phase


def _rr_length(grid: _TimeGrid, params: Mapping[str, Any]) -> int:
    """Samples of the RR process at _RR_RATE: the record plus the beat under way at its end, and
    at least _MIN_RR_SPAN so that the LF band holds a few frequency bins."""
    span = grid.n_steps * grid.h + 2.0 * 60.0 / params["heart_rate"]
    return 2 * math.ceil(max(span, _MIN_RR_SPAN) * _RR_RATE / 2)


def _rr_amplitudes(params: Mapping[str, Any], grid: _TimeGrid) -> np.ndarray:
    """sqrt of the bimodal RR spectrum of McSharry et al. (2003) on the rfft grid, unit total power.

    Each Gaussian peak is normalised on the discrete grid (to ratio / (1 + ratio) and
    1 / (1 + ratio)), so over one period of the process the LF/HF power ratio is exactly
    ``lf_hf_ratio`` whatever the frequency resolution; a peak narrower than a bin falls
    on the nearest bin.
    """
    n = _rr_length(grid, params)
    freqs = np.fft.rfftfreq(n, 1.0 / _RR_RATE)
    inner = (freqs > 0) & (freqs < _RR_RATE / 2)  # no power at DC (the mean is set apart) or Nyquist

    def peak(power: float, centre: float, width: float) -> np.ndarray:
        shape = np.where(inner, np.exp(-((freqs - centre) ** 2) / (2.0 * width**2)), 0.0)
        if shape.sum() == 0.0:
            shape[np.argmin(np.where(inner, np.abs(freqs - centre), np.inf))] = 1.0
        return power * shape / shape.sum()

    ratio = params["lf_hf_ratio"]
    lf = peak(ratio / (1.0 + ratio), params["lf_freq"], params["lf_std"])
    hf = peak(1.0 / (1.0 + ratio), params["hf_freq"], params["hf_std"])
    return np.sqrt(lf + hf)


def _rr_process(phases: np.ndarray, amplitudes: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
    """(n_rec, n_rr) RR intervals in s on the _RR_RATE grid from t = 0: mean 60 / HR, SD 60 sd_HR / HR^2."""
    n = 2 * (amplitudes.size - 1)
    series = np.fft.irfft(amplitudes * np.exp(1j * phases), n=n, axis=-1)
    series -= series.mean(axis=-1, keepdims=True)
    series /= series.std(axis=-1, keepdims=True)
    heart_rate = params["heart_rate"]
    rr = 60.0 / heart_rate + 60.0 * params["heart_rate_std"] / heart_rate**2 * series
    return np.maximum(rr, _MIN_RR)


def _beat_schedule(rr: np.ndarray, first_beat: np.ndarray, grid: _TimeGrid) -> tuple[np.ndarray, np.ndarray]:
    """(n_rec, n_beats) start time of each beat, in s, and (n_rec, n_beats) its angular velocity, in rad/s.

    A beat runs from its R peak to the next one, with omega = 2 pi / RR(t_k), RR taken
    at its start t_k. Beat -1 is under way at t = 0; the first R peak falls at
    ``first_beat * RR(0)``. The schedule runs past the last sample.
    """
    rows = np.arange(rr.shape[0])
    end = grid.n_steps * grid.h

    def rr_at(t: np.ndarray) -> np.ndarray:
        # past the end of the grid (beats after the record, never used) hold the last value
        position = np.minimum(t * _RR_RATE, rr.shape[1] - 1)
        i = np.minimum(np.floor(position).astype(np.int64), rr.shape[1] - 2)
        frac = position - i
        return rr[rows, i] * (1.0 - frac) + rr[rows, i + 1] * frac

    rr_first = rr[:, 0]
    starts = [(first_beat - 1.0) * rr_first]  # beat -1, in [-RR(0), 0)
    lengths = [rr_first]
    current = first_beat * rr_first
    while True:
        starts.append(current)
        if current.min() > end:
            lengths.append(rr_first)  # a beat after the record: never used
            break
        length = rr_at(current)
        lengths.append(length)
        current = current + length
    return np.stack(starts, axis=1), 2.0 * math.pi / np.stack(lengths, axis=1)


def _af_rr(index: int, root: np.random.SeedSequence, params: Mapping[str, Any], grid: _TimeGrid) -> np.ndarray:
    """RR intervals in s of the beats of one AF record from beat -1 on: independent gamma draws with
    mean 60 / HR and coefficient of variation _AF_RR_CV, floored at _MIN_RR; enough to cover the
    record (their count depends on the duration and heart rate only, not on the draws)."""
    mean = 60.0 / params["heart_rate"]
    span = grid.n_steps * grid.h + 2.0 * mean
    shape = 1.0 / _AF_RR_CV**2
    rng = np.random.default_rng(record_seed_sequence(root, index, _AF_RR_STREAM))
    # twice the beats needed on average: the sum falls short with a probability far below 1e-100
    rr = rng.gamma(shape, mean / shape, size=2 * math.ceil(span / mean) + 8)
    return np.maximum(rr, _MIN_RR)


def _beat_list_schedule(rr: np.ndarray, first_beat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """As :func:`_beat_schedule` from (n_rec, n_beats) RR intervals of beats -1, 0, 1, ...: beat -1 is
    under way at t = 0 and the first R peak falls at ``first_beat * rr[:, 0]``."""
    starts = (first_beat - 1.0)[:, None] * rr[:, :1] + np.concatenate(
        [np.zeros((rr.shape[0], 1)), np.cumsum(rr[:, :-1], axis=1)], axis=1
    )
    return starts, 2.0 * math.pi / rr


def _switch_angle(gaussians: np.ndarray) -> float:
    """Phase (rad) where a PVC's Gaussian set takes over from the sinus one and back: 3 widths after
    the sinus T peak (where its drive has fallen below 1.2% of its peak), before the next P wave."""
    i = WAVES.index("T")
    return float(gaussians[0, i] + 3.0 * gaussians[2, i])


def _pvc_gaussians(gaussians: np.ndarray, r_height: float, heart_rate: float) -> np.ndarray:
    """(3, n_waves) Gaussian set of a PVC (lead II) from _PVC_WAVES, for a sinus set ``gaussians`` whose R
    peak stands ``r_height`` (model units) above the isoelectric line.

    The QRS runs at the phase speed of the mean heart rate, the T wave at the speed that ends it
    _PVC_END s after the R peak at the switch angle. A wave of width b (rad) and amplitude a at phase
    speed omega adds a b^2 / omega = a omega sigma^2 (sigma = b / omega, in s) at its peak.
    """
    theta_sw = _switch_angle(gaussians)
    omega_qrs = 2.0 * math.pi * heart_rate / 60.0
    alpha_post = omega_qrs * _PVC_QRS_END
    omega_t = (theta_sw - alpha_post) / (_PVC_END - _PVC_QRS_END)
    out = np.zeros((3, len(WAVES)))
    for wave, (tau, height, sigma) in _PVC_WAVES.items():
        i = WAVES.index(wave)
        if tau <= _PVC_QRS_END:
            angle, omega = omega_qrs * tau, omega_qrs
        else:
            angle, omega = alpha_post + omega_t * (tau - _PVC_QRS_END), omega_t
        out[:, i] = angle, height * r_height / (omega * sigma**2), omega * sigma
    p = WAVES.index("P")
    out[:, p] = out[0, WAVES.index("Q")] - 0.1, 0.0, 0.1  # no P wave (placeholder angle, zero amplitude)
    return out


def _pvc_schedule(beat_time, beat_omega, rngs, rate, gaussians, heart_rate, h, end):
    """Sinus schedule (n_rec, n_beats) x2 -> schedule with PVCs, (n_rec, n_segs) Gaussian-set switch times
    (-inf, then into and out of each PVC; padded with +inf) and, per record, the schedule index of
    each PVC beat.

    Beat b (b >= 2, not after a PVC) is a PVC with probability rate / (1 - rate), so that over a
    long record a share ``rate`` of the beats are PVCs. Its R peak comes at R_{b-1} + _PVC_COUPLING
    (R_b - R_{b-1}) (at least _PVC_PRE + 20 ms after the sinus set ends); the phase runs at the
    sinus speed through beat b-1's T wave, then fast through the isoelectric gap, at the mean-rate
    speed through the PVC's QRS and at its own speed through its T wave; it then waits (omega 0)
    and runs at beat b's sinus speed through beat b + 1's P wave to its unchanged R peak.

    The speed changes of a PVC are large, so they are put 5/6 of the way through an RK4 step of
    ``h`` s, where the step's weighted stages (1/6 at its start, 2/6 + 2/6 in its middle, 1/6 at
    its end) advance the phase by the piecewise integral of omega; the speeds are then set so that
    each piece ends at its target phase. Otherwise each change would shift the phase, and every
    later beat, by up to ``h`` times the jump in omega.

    Only beats whose sinus R peak lies at or before ``end`` (the record's last sample, s)
    can become PVCs, so a record does not depend on the beats a batch pads it with.
    """

    def snap(t: float) -> float:
        return h * round((t - 5.0 * h / 6.0) / h) + 5.0 * h / 6.0

    theta_sw = _switch_angle(gaussians)
    two_pi = 2.0 * math.pi
    omega_qrs = two_pi * heart_rate / 60.0
    alpha_pre = omega_qrs * _PVC_PRE
    chance = rate / (1.0 - rate) if rate < 0.5 else 1.0
    rows, switches, chosen = [], [], []
    for starts, omegas, rng in zip(beat_time, beat_omega, rngs, strict=True):
        draws = rng.uniform(size=starts.size)
        times, speeds, seg, pvcs = [], [], [-np.inf], []
        b = 0
        while b < starts.size:
            r0, r1 = (starts[b - 1], starts[b + 1]) if 2 <= b < starts.size - 1 else (0.0, 0.0)
            t_a = r0 + theta_sw / omegas[b - 1]
            r_v = max(r0 + _PVC_COUPLING * (starts[b] - r0), t_a + _PVC_PRE + 0.02)
            t_b = r_v + _PVC_END
            allowed = 2 <= b < starts.size - 1 and starts[b] <= end and (not pvcs or pvcs[-1] != b - 1)
            if allowed and draws[b] < chance and t_b + 0.05 < r1:
                # phase from R_{b-1} at each change: t_a (where it is), QRS start, QRS end, PVC end
                t_a, t_q, t_s, t_b = snap(t_a), snap(r_v - _PVC_PRE), snap(r_v + _PVC_QRS_END), snap(t_b)
                targets = [omegas[b - 1] * (t_a - r0), two_pi - alpha_pre, two_pi + omega_qrs * _PVC_QRS_END]
                targets.append(two_pi + theta_sw)
                bounds = [t_a, t_q, t_s, t_b]
                times += bounds[:3]
                speeds += [(targets[i + 1] - targets[i]) / (bounds[i + 1] - bounds[i]) for i in range(3)]
                t_c = snap(r1 - (two_pi - theta_sw) / omegas[b])
                if t_c > t_b:
                    times += [t_b, t_c]
                    speeds += [0.0, (two_pi - theta_sw) / (r1 - t_c)]
                else:
                    times.append(t_b)
                    speeds.append((two_pi - theta_sw) / (r1 - t_b))
                seg += [t_a, t_b]
                pvcs.append(b)
                b += 1
                continue
            times.append(starts[b])
            speeds.append(omegas[b])
            b += 1
        rows.append((times, speeds))
        switches.append(seg)
        chosen.append(np.array(pvcs, dtype=np.int64))
    n_beats = max(len(t) for t, _ in rows)
    n_segs = max(len(t) for t in switches)
    times = np.full((len(rows), n_beats), np.inf)
    speeds = np.zeros((len(rows), n_beats))
    seg_time = np.full((len(rows), n_segs), np.inf)
    for r, ((t, w), sw) in enumerate(zip(rows, switches, strict=True)):
        times[r, : len(t)], speeds[r, : len(w)], seg_time[r, : len(sw)] = t, w, sw
    return times, speeds, seg_time, chosen


def _initial_state(phase0: np.ndarray, rr: np.ndarray, gaussians: np.ndarray, h: float) -> np.ndarray:
    """(n_rec, 2 + m) state at t = 0: on the limit cycle at ``phase0`` and each z on the periodic
    orbit of a constant beat of ``rr`` seconds, rounded to whole steps (no baseline wander).

    One RK4 step maps z to rho z + c_j (rho = 1 - h + h^2/2 - h^3/6 + h^4/24, c_j
    independent of z), so a beat of n steps from z = 0 ends at Z and the periodic start
    is Z / (1 - rho^n). The rounding leaves a transient below 1e-4 of the R peak.
    """
    from biosynth.generators._kernels.ecg import integrate_ecgsyn

    n_rec, m = phase0.size, gaussians.shape[0]
    n_beat = np.maximum(np.rint(rr / h).astype(np.int64), 1)
    state0 = np.zeros((n_rec, 2 + m))
    state0[:, 0], state0[:, 1] = np.cos(phase0), np.sin(phase0)
    omega = 2.0 * math.pi / (n_beat * h)
    beat = integrate_ecgsyn(
        np.zeros((n_rec, 1)),
        omega[:, None],
        state0,
        *_kernel_gaussians(gaussians),
        np.zeros(m),
        0.0,
        np.zeros(n_rec),
        h,
        1,
        int(n_beat.max()) + 1,
    )
    rho = 1.0 - h + h**2 / 2.0 - h**3 / 6.0 + h**4 / 24.0
    state0[:, 2:] = beat[np.arange(n_rec), 1:, n_beat] / (1.0 - rho ** n_beat[:, None])
    return state0


def _wander_steady_state(wander: np.ndarray, freq: float, phase: np.ndarray) -> np.ndarray:
    """(n_rec, m) value at t = 0 of the periodic solution of z' = -(z - A sin(2 pi f t + phase))."""
    w = 2.0 * math.pi * freq
    return wander[None] * ((np.sin(phase) - w * np.cos(phase)) / (1.0 + w * w))[:, None]


def _kernel_gaussians(gaussians: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(m, 3, n_waves) Gaussian sets -> contiguous (m, n_waves) theta, a and 1 / (2 b^2) for the kernels."""
    theta = np.ascontiguousarray(gaussians[:, 0])
    a = np.ascontiguousarray(gaussians[:, 1])
    return theta, a, 1.0 / (2.0 * gaussians[:, 2] ** 2)


def _integrate_torch(
    beat_time, beat_omega, state0, theta, a, inv_two_b2, wander, wander_freq, wander_phase, h, q, n_times, *, device
) -> np.ndarray:
    """The Numba kernel's RK4 (same arguments and output) on tensors holding all records.

    The point of the limit cycle is the complex number w = x + iy, so its equation is
    dw/dt = (alpha + i omega) w. The angular velocity and the respiratory baseline at
    every stage time are tabulated once; the loop over time steps stays in Python.
    """
    import torch

    dev = torch.device(torch_device(device))

    def tensor(array: Any) -> Any:
        return torch.as_tensor(np.asarray(array, dtype=float), dtype=torch.float64, device=dev)

    n_steps = (n_times - 1) * q
    t = np.arange(n_steps + 1) * h  # stage times as the kernel computes them: j h and j h + h / 2
    t_half = t[:-1] + 0.5 * h

    def omega_at(times: np.ndarray) -> Any:
        """(n_times, n_rec) omega of the last beat starting at or before each time."""
        index = np.stack([np.searchsorted(row, times, side="right") - 1 for row in beat_time], axis=1)
        return tensor(np.take_along_axis(beat_omega.T, index, axis=0))

    def baseline_at(times: np.ndarray) -> Any:
        """(n_times, n_rec, m) respiratory baseline z0."""
        respiration = np.sin(2.0 * math.pi * wander_freq * times[:, None] + wander_phase[None])
        return tensor(respiration[:, :, None] * wander[None, None])

    omega_now, omega_half = omega_at(t), omega_at(t_half)
    base_now, base_half = baseline_at(t), baseline_at(t_half)
    theta_t, a_t, inv_t = tensor(theta), tensor(a), tensor(inv_two_b2)
    two_pi = 2.0 * math.pi
    inv_two_pi = 1.0 / two_pi

    def wrap(d: Any) -> Any:
        """To [-pi, pi), as the kernel does."""
        return torch.sub(d, torch.floor((d + math.pi) * inv_two_pi), alpha=two_pi)

    def derivative(w: Any, z: Any, omega: Any, base: Any) -> tuple[Any, Any]:
        dw = torch.complex(1.0 - w.abs(), omega) * w
        d = wrap(w.angle()[:, None, None] - theta_t)
        drive = (a_t * d * torch.exp(-(d * d) * inv_t)).sum(dim=-1)
        return dw, (base - z).sub_(drive)

    state = tensor(state0)
    w = torch.complex(state[:, 0], state[:, 1])
    z = state[:, 2:].clone()
    samples_w = torch.empty((n_times, w.shape[0]), dtype=w.dtype, device=dev)
    samples_z = torch.empty((n_times, *z.shape), dtype=torch.float64, device=dev)
    half = 0.5 * h
    for j in range(n_steps + 1):
        if j % q == 0:
            samples_w[j // q] = w
            samples_z[j // q] = z
        if j == n_steps:
            break
        w1, z1 = derivative(w, z, omega_now[j], base_now[j])
        w2, z2 = derivative(w.add(w1, alpha=half), z.add(z1, alpha=half), omega_half[j], base_half[j])
        w3, z3 = derivative(w.add(w2, alpha=half), z.add(z2, alpha=half), omega_half[j], base_half[j])
        w4, z4 = derivative(w.add(w3, alpha=h), z.add(z3, alpha=h), omega_now[j + 1], base_now[j + 1])
        w = w.add(w1.add(w2.add_(w3), alpha=2.0).add_(w4), alpha=h / 6.0)
        z = z.add(z1.add(z2.add_(z3), alpha=2.0).add_(z4), alpha=h / 6.0)
    angle = samples_w.angle()
    phase = torch.cat([angle[:1], angle[:1] + torch.cumsum(wrap(torch.diff(angle, dim=0)), dim=0)])
    return torch.cat([phase[:, :, None], samples_z], dim=2).permute(1, 2, 0).cpu().numpy()


def _template_levels(gaussians: np.ndarray, heart_rate: float, h: float) -> tuple[np.ndarray, np.ndarray]:
    """(m,) isoelectric level (z at the QRS onset) and (m,) R-peak height above it (the maximum over
    the beat) of each z, on the periodic orbit of a constant ``heart_rate`` without baseline wander."""
    from biosynth.generators._kernels.ecg import integrate_ecgsyn

    n_beat = max(round(60.0 / heart_rate / h), 1)
    omega = 2.0 * math.pi / (n_beat * h)
    state0 = _initial_state(np.zeros(1), np.array([n_beat * h]), gaussians, h)  # at the R peak
    beat = integrate_ecgsyn(
        np.zeros((1, 1)),
        np.full((1, 1), omega),
        state0,
        *_kernel_gaussians(gaussians),
        np.zeros(gaussians.shape[0]),
        0.0,
        np.zeros(1),
        h,
        1,
        n_beat + 1,
    )[0, 1:]
    onset = dict(_markers(gaussians[0]))["QRS_onset"] % (2.0 * math.pi)
    level = beat[:, min(round(onset / omega / h), n_beat)]
    return level, beat.max(axis=-1) - level


def _markers(gaussians: np.ndarray) -> list[tuple[str, float]]:
    """(type, phase angle in rad) of each landmark of a beat; waves with a zero amplitude have none."""
    theta, a, b = gaussians
    wave = {w: (theta[i], b[i]) for i, w in enumerate(WAVES) if a[i] != 0.0}
    out: list[tuple[str, float]] = []
    for name in ("P", "T"):
        if name in wave:
            angle, width = wave[name]
            out += [(f"{name}_onset", angle - _EDGE * width), (name, angle), (f"{name}_offset", angle + _EDGE * width)]
    qrs = [w for w in ("Q", "R", "S") if w in wave]
    out += [(w, wave[w][0]) for w in qrs]
    out.append(("QRS_onset", min(wave[w][0] - _EDGE * wave[w][1] for w in qrs)))
    out.append(("QRS_offset", max(wave[w][0] + _EDGE * wave[w][1] for w in qrs)))
    return out


def _events(
    phase: np.ndarray,
    sfreq: float,
    gaussians: np.ndarray,
    labels: np.ndarray,
    pvc_gaussians: np.ndarray | None = None,
    pvc_beats: Sequence[np.ndarray] | None = None,
) -> pd.DataFrame:
    """Event table from the unwrapped phase (n_rec, n_times): crossings interpolated between samples.

    With ``pvc_beats`` (per record, schedule indices of the PVCs; schedule beat b has its R peak at
    cycle ceil(phase[0] / 2 pi) + b - 1), those cycles take their landmarks from ``pvc_gaussians``
    and the beat type ``"V"``."""
    times = np.arange(phase.shape[-1]) / sfreq
    two_pi = 2.0 * math.pi
    onset, kind, beat, record, beat_type = [], [], [], [], []
    for r, (label, row) in enumerate(zip(labels, phase, strict=True)):
        cycles, types = [], []
        special = np.array([], dtype=np.int64)
        if pvc_beats is not None:
            special = math.ceil(row[0] / two_pi) + pvc_beats[r] - 1
        sets = [(_markers(gaussians), False)]
        if special.size:
            sets.append((_markers(pvc_gaussians), True))
        for markers, is_pvc in sets:
            for name, angle in markers:
                first = math.ceil((row[0] - angle) / two_pi)
                last = math.floor((row[-1] - angle) / two_pi)
                k = np.arange(first, last + 1)
                if pvc_beats is not None:
                    k = k[np.isin(k, special) == is_pvc]
                onset.append(np.interp(angle + two_pi * k, row, times))
                kind += [name] * k.size
                cycles.append(k)
                types.append(np.full(k.size, "V" if is_pvc else "N"))
        k = np.concatenate(cycles)
        beat.append(k - k.min() if k.size else k)
        record.append(np.full(k.size, label))
        beat_type.append(np.concatenate(types))
    return make_events(
        np.concatenate(onset),
        0.0,
        kind,
        record=np.concatenate(record),
        channel="",
        extra={"beat": np.concatenate(beat), "beat_type": "N" if pvc_beats is None else np.concatenate(beat_type)},
    )


def _dipole(
    duration: float,
    sfreq: float,
    gaussians: Mapping[str, str | Mapping[str, Sequence[float]]],
    *,
    n_records: int | None = None,
    heart_rate: float = 60.0,
    heart_rate_std: float = 1.0,
    lf_hf_ratio: float = 0.5,
    lf_freq: float = 0.1,
    hf_freq: float = 0.25,
    lf_std: float = 0.01,
    hf_std: float = 0.01,
    baseline_wander: Sequence[float] = (0.0, 0.0, 0.0),
    first_record: int = 0,
    chunk_size: int | None = None,
    seed: Seed = None,
    device: str = "cpu",
) -> np.ndarray:
    """Cardiac dipole (X, Y, Z): three ECGSYN Gaussian sums on one shared phase (Sameni et al. 2007).

    Same RR process, seeding and integration as :func:`simulate_ecg` (the same seed
    gives the same beat times); each axis has its own ``(theta, a, b)`` per wave.

    Parameters
    ----------
    duration, sfreq, n_records, heart_rate, heart_rate_std, lf_hf_ratio, lf_freq, hf_freq, lf_std, hf_std
        As in :func:`simulate_ecg`.
    gaussians : mapping
        ``{"x": morphology, "y": morphology, "z": morphology}``, each a preset name or
        a mapping as ``morphology`` of :func:`simulate_ecg` (at 60 bpm; scaled to
        ``heart_rate`` the same way).
    baseline_wander : sequence of 3 float
        Respiratory baseline amplitude of each axis, in model units.
    first_record, chunk_size, seed, device
        As in :func:`simulate_ecg`.

    Returns
    -------
    dipole : ndarray, shape (n_records, 3, n_times)
        X, Y, Z in model units (not shifted or scaled); ``n_records=None`` counts as 1.
    """
    if not isinstance(gaussians, Mapping) or set(gaussians) != {"x", "y", "z"}:
        raise ValueError(f"gaussians must map 'x', 'y' and 'z' to a morphology, got {gaussians!r}.")
    params = _check_params(dict(locals(), morphology=None, amplitude=1.0, baseline_wander=0.0))
    morphologies = [_check_morphology(gaussians[axis]) for axis in ("x", "y", "z")]
    wander = np.array([check_number("baseline_wander", w) for w in baseline_wander], dtype=float)
    if wander.shape != (3,):
        raise ValueError(f"baseline_wander must hold 3 amplitudes (x, y, z), got {wander.size}.")
    device = check_device(device)
    grid = _TimeGrid(params["duration"], params["sfreq"])
    sets = np.stack([_scaled_gaussians(m, params["heart_rate"]) for m in morphologies])
    indices = np.arange(first_record, first_record + (n_records or 1))
    root = make_seed_sequence(seed)
    return _integrate(indices, root, params, sets, wander, grid, device, params["chunk_size"], False)[:, 1:]
