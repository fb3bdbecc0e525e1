# SPDX-License-Identifier: BSD-3-Clause
"""Seeds: one root per call, one independent stream per record.

Record ``i`` of a batch draws from ``SeedSequence(root, spawn_key=(i,))``. That is the
stream ``SeedSequence(root).spawn(n)[i]`` would give, but it is addressed directly, so
a record is the same whatever the batch size, chunking, worker count or resume point.
"""

from __future__ import annotations

import numbers

import numpy as np

Seed = int | np.random.SeedSequence | None


def make_seed_sequence(seed: Seed) -> np.random.SeedSequence:
    """Turn a user ``seed`` into a root :class:`numpy.random.SeedSequence`.

    Parameters
    ----------
    seed : int, SeedSequence or None
        A non-negative integer, an existing SeedSequence (used as is), or None for
        fresh OS entropy (kept in ``.entropy`` so the run can be repeated).

    Returns
    -------
    seed_seq : SeedSequence
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"seed must be a non-negative int, a numpy SeedSequence or None, got {type(seed).__name__} {seed!r}."
        )
    if seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed}.")
    return np.random.SeedSequence(int(seed))


def record_seed_sequence(root: np.random.SeedSequence, index: int, *streams: int) -> np.random.SeedSequence:
    """Seed sequence of record ``index`` under ``root`` (random access to ``spawn``).

    The one per-record stream helper of biosynth: every generator derives the random
    streams of a record from here, so a record depends only on ``(root, index)``.

    Parameters
    ----------
    root : SeedSequence
        Root of the batch (from :func:`make_seed_sequence`).
    index : int
        Record index.
    *streams : int
        Optional ids of independent sub-streams of the record (one per random
        quantity); ``record_seed_sequence(root, i, s)`` is the child ``s`` of
        ``record_seed_sequence(root, i)``.

    Returns
    -------
    seed_seq : SeedSequence
        Equal to ``root.spawn(index + 1)[index]`` on a fresh ``root`` (and its
        ``.spawn(s + 1)[s]`` with one stream id).
    """
    key = (*root.spawn_key, int(index), *(int(s) for s in streams))
    return np.random.SeedSequence(root.entropy, spawn_key=key)


def record_rng(root: np.random.SeedSequence, index: int) -> np.random.Generator:
    """Independent :class:`numpy.random.Generator` for record ``index``.

    Parameters
    ----------
    root : SeedSequence
        Root of the batch.
    index : int
        Record index.

    Returns
    -------
    rng : Generator
    """
    return np.random.default_rng(record_seed_sequence(root, index))


def seed_to_json(seed_seq: np.random.SeedSequence) -> dict:
    """Deterministic, JSON-friendly description of a root seed (for provenance)."""
    return {"entropy": str(seed_seq.entropy), "spawn_key": [int(k) for k in seed_seq.spawn_key]}


def seed_from_json(info: dict) -> np.random.SeedSequence:
    """Inverse of :func:`seed_to_json`."""
    return np.random.SeedSequence(int(info["entropy"]), spawn_key=tuple(info["spawn_key"]))
