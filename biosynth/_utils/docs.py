# SPDX-License-Identifier: BSD-3-Clause
"""Shared parameter prose: write each common parameter once, fill it everywhere.

A docstring names a slot as ``%(name)s`` on a line of its own, indented as a
parameter entry; :func:`fill_doc` replaces it with the paragraph from
:data:`docdict`, re-indented to the slot's indentation (MNE-Python's ``fill_doc``).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)

#: Parameter paragraphs shared across biosynth, keyed by slot name.
docdict: dict[str, str] = {}

docdict["duration"] = """\
duration : float
    Length of each record, in seconds."""

docdict["sfreq"] = """\
sfreq : float
    Sampling rate, in Hz."""

docdict["n_records"] = """\
n_records : int or None, default=None
    Number of records. None returns a single record without the ``record``
    dimension; an integer (even 1) returns a batch with it."""

docdict["first_record"] = """\
first_record : int, default=0
    Index of the first record. Record ``i`` draws from
    ``SeedSequence(seed, spawn_key=(i,))``, so ``first_record=k`` gives records
    ``k, k + 1, ...`` of the batch that starts at 0, identical to those records
    made in any other chunking."""

docdict["epoch_states"] = """\
labels : ndarray of int, shape (n_epochs,)
    State of each epoch (0 to n_states - 1), record after record.
per_record : int
    Epochs per record."""

docdict["seed"] = """\
seed : int, SeedSequence or None, default=None
    Root of the random streams. None draws fresh entropy, kept in
    ``attrs["provenance"]["seed"]`` so the data can be made again."""

docdict["seed_generator"] = """\
seed : Generator, int, SeedSequence or None, default=None
    Source of randomness: a :class:`numpy.random.Generator` (used and advanced, so
    successive calls continue its stream), or a seed for a new one (None: fresh
    entropy)."""

docdict["device"] = """\
device : str, default="cpu"
    ``"cpu"`` runs NumPy/Numba; a torch device such as ``"cuda"`` runs the torch
    path there, and ``"torch:cpu"`` runs the torch path on the CPU. Random draws
    are made with NumPy on the host, so every device gives the same result within
    float tolerance. Torch devices need the ``torch`` extra."""

docdict["progress"] = """\
progress : bool, default=False
    Show a progress bar (tqdm) over records."""

docdict["return_events"] = """\
return_events : bool, default=False
    Also return the ground-truth events table (``record, channel, onset,
    duration, type``, onsets in seconds)."""

docdict["axis"] = """\
axis : int, default=-1
    Time axis of ``x``; every other axis is a leading (record, channel, ...)
    axis computed in parallel."""

docdict["chunk_size"] = """\
chunk_size : int or None, default=None
    Records computed at once; bounds memory. Results do not depend on it."""

docdict["overwrite"] = """\
overwrite : bool, default=False
    Replace an existing output; without it an existing file is an error. Outputs
    are written to a temporary file and renamed, so a failure leaves no partial file."""

docdict["real_synthetic"] = """\
real : array_like or DataArray
    Real recordings (the reference).
synthetic : array_like or DataArray
    Synthetic recordings, judged against ``real``."""

docdict["root_seed"] = """\
seed : int
    Root seed of the run."""

docdict["sample_duration"] = """\
duration : float or None, default=None
    Length of each record, in seconds; None is the length of the fitted records
    (the shortest one when they differ)."""

docdict["sample_device"] = """\
device : str or None, default=None
    Where the samples are computed: ``"cpu"``, ``"torch:cpu"`` (the torch path on the
    CPU) or a torch device such as ``"cuda"``; None is the generator's own device
    (``"cpu"``, except for a learned generator made or moved elsewhere). A generator
    without a torch path checks the value and computes on the CPU. Every device gives
    the same samples within float tolerance."""

docdict["real_recordings"] = """\
real : DataArray or list of DataArray
    Real recordings: biosynth containers with dims ``(record, channel, time)`` or
    ``(channel, time)``, or a list of them with the same rate, channels and unit."""

docdict["embeddings"] = """\
real : array_like, shape (n_real, n_features)
    Real feature embeddings, one row per record.
synthetic : array_like, shape (n_synthetic, n_features)
    Synthetic feature embeddings, same columns."""

docdict["feature_values"] = """\
real, synthetic : array_like
    Values of one feature, real and synthetic (any shape; flattened, non-finite
    values dropped)."""

docdict["privacy_real"] = """\
real : array_like, shape (n_train, n_features)
    Embeddings of the real records the generator was fitted to (its training
    records); their mean and standard deviation standardise every set."""

docdict["privacy_synthetic"] = """\
synthetic : array_like, shape (n_synthetic, n_features)
    Feature embeddings of the synthetic records, same columns."""


def fill_doc(func: F) -> F:
    """Fill ``%(slot)s`` parameter slots of ``func.__doc__`` from :data:`docdict`.

    Parameters
    ----------
    func : callable
        Function or class whose docstring holds slots.

    Returns
    -------
    func : callable
        The same object, its ``__doc__`` filled.

    Raises
    ------
    KeyError
        A slot names no entry of :data:`docdict` (caught at import time).
    """
    doc = func.__doc__
    if not doc:
        return func
    lines = []
    for line in doc.splitlines():
        stripped = line.strip()
        if stripped.startswith("%(") and stripped.endswith(")s"):
            key = stripped[2:-2]
            if key not in docdict:
                raise KeyError(f"docstring of {func.__qualname__} names unknown slot %({key})s")
            indent = line[: len(line) - len(line.lstrip())]
            lines.append(textwrap.indent(docdict[key], indent))
        else:
            lines.append(line)
    func.__doc__ = "\n".join(lines)
    return func
