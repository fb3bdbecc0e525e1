# SPDX-License-Identifier: BSD-3-Clause
"""Signal generators, one module per family. Each takes ``duration, sfreq`` first,
a ``seed`` and returns the biosynth container. ``leads`` projects a cardiac dipole to
the 12 standard ECG leads; ``noise`` makes seeded artefacts at a set SNR; ``artefacts``
and ``epileptiform`` add labelled EEG artefacts and epileptiform events chunk by chunk."""

from biosynth.generators import learned  # registers the data-driven generators
from biosynth.generators._hfo_events import hfo_band_rms, learn_hfo_events, place_hfo_events
from biosynth.generators.artefacts import ARTEFACT_KINDS
from biosynth.generators.base import GENERATORS, Generator, NotFittedError, load_generator
from biosynth.generators.ecg import MORPHOLOGIES, simulate_ecg
from biosynth.generators.eeg import (
    DEFAULT_RHYTHMS,
    SLEEP_SPINDLES,
    Rhythm,
    match_recording,
    rhythm_topography,
    simulate_eeg,
    write_eeg,
)
from biosynth.generators.epileptiform import EPILEPTIFORM_KINDS
from biosynth.generators.epileptor import simulate_epileptor
from biosynth.generators.estimators import (
    SIMULATORS,
    ECGGenerator,
    EEGGenerator,
    IoECoGGenerator,
    ParametricGenerator,
    ParkinsonGenerator,
)
from biosynth.generators.forward import leadfield, montage_positions, project_sources
from biosynth.generators.ioecog import IOECOG_EVENTS, default_zone, layout_from_provenance, simulate_ioecog
from biosynth.generators.leads import STANDARD_LEADS, dipole_to_leads
from biosynth.generators.neural_mass import JANSEN_RIT_PARAMS, simulate_jansen_rit
from biosynth.generators.noise import (
    NOISE_KINDS,
    add_noise,
    baseline_wander,
    electrode_motion,
    muscle_noise,
    powerline,
)
from biosynth.generators.parkinson import MEDICATION, simulate_parkinson

__all__ = [
    "ARTEFACT_KINDS",
    "DEFAULT_RHYTHMS",
    "EPILEPTIFORM_KINDS",
    "GENERATORS",
    "IOECOG_EVENTS",
    "JANSEN_RIT_PARAMS",
    "MEDICATION",
    "MORPHOLOGIES",
    "NOISE_KINDS",
    "SIMULATORS",
    "SLEEP_SPINDLES",
    "STANDARD_LEADS",
    "ECGGenerator",
    "EEGGenerator",
    "Generator",
    "IoECoGGenerator",
    "NotFittedError",
    "ParametricGenerator",
    "ParkinsonGenerator",
    "Rhythm",
    "add_noise",
    "baseline_wander",
    "default_zone",
    "dipole_to_leads",
    "electrode_motion",
    "hfo_band_rms",
    "layout_from_provenance",
    "leadfield",
    "learn_hfo_events",
    "learned",
    "load_generator",
    "match_recording",
    "montage_positions",
    "muscle_noise",
    "place_hfo_events",
    "powerline",
    "project_sources",
    "rhythm_topography",
    "simulate_ecg",
    "simulate_eeg",
    "simulate_epileptor",
    "simulate_ioecog",
    "simulate_jansen_rit",
    "simulate_parkinson",
    "write_eeg",
]
