# SPDX-License-Identifier: BSD-3-Clause
"""Data-driven generators: fitted on real recordings, sampled with a seed.

Every generator has ``fit(real)``, ``sample(n_records, duration=..., seed=...)`` and
``save(path)`` (the estimator form of :class:`biosynth.generators.Generator`);
:func:`load_generator` reads any of them back (one ``.npz`` file, no pickle).
"""

from biosynth.generators.learned._base import REGISTRY, LearnedGenerator, NotFittedError, load_generator
from biosynth.generators.learned.autoregressive import ARGenerator, VARGenerator
from biosynth.generators.learned.spectral import SpectralGenerator
from biosynth.generators.learned.surrogates import IAAFTSurrogate, PhaseSurrogate
from biosynth.generators.learned.vae import VAEMMDGenerator

__all__ = [
    "REGISTRY",
    "ARGenerator",
    "IAAFTSurrogate",
    "LearnedGenerator",
    "NotFittedError",
    "PhaseSurrogate",
    "SpectralGenerator",
    "VAEMMDGenerator",
    "VARGenerator",
    "load_generator",
]
