# SPDX-License-Identifier: BSD-3-Clause
"""Data-driven generators: fitted on real recordings, sampled with a seed.

Every generator has ``fit(real)``, ``sample(n, seed=...)`` and ``save(path)``;
:func:`load_generator` reads any of them back (one ``.npz`` file, no pickle).
"""

from biosynth.generators.learned._base import REGISTRY, LearnedGenerator, NotFittedError, load_generator

__all__ = ["REGISTRY", "LearnedGenerator", "NotFittedError", "load_generator"]
