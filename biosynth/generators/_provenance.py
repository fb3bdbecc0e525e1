# SPDX-License-Identifier: BSD-3-Clause
"""The one provenance builder of the generators: what made a record, deterministically."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from biosynth._utils.seeds import seed_to_json
from biosynth._version import __version__

#: Arguments that change how data is made (memory, devices, display), never the data.
NOT_PARAMETERS = ("chunk_size", "device", "progress", "return_events")


def build_provenance(
    generator: str,
    parameters: Mapping[str, Any],
    root: np.random.SeedSequence,
    *,
    exclude: Iterable[str] = NOT_PARAMETERS,
    **extra: Any,
) -> dict[str, Any]:
    """Provenance of generated data: ``generator``, ``version``, ``parameters``, ``seed``.

    Parameters
    ----------
    generator : str
        Dotted name of the public function or class that made the data, e.g.
        ``"biosynth.generators.simulate_ecg"``.
    parameters : mapping
        The generation parameters (JSON-able values).
    root : SeedSequence
        Root seed of the batch; stored as ``seed_to_json(root)``, so the data can be
        made again.
    exclude : iterable of str
        Parameter names left out because they do not change the data.
    **extra
        Further keys (e.g. ``fitted_on``), added after the standard ones.

    Returns
    -------
    provenance : dict
        No timestamps or host names: reruns compare equal.
    """
    dropped = set(exclude)
    return {
        "generator": generator,
        "version": __version__,
        "parameters": {k: v for k, v in parameters.items() if k not in dropped},
        "seed": seed_to_json(root),
        **extra,
    }
