# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth bench epilepsy|parkinson``: a use-case suite run end to end.

A suite generates ``n_records`` records with its generator in chunks (through
:func:`biosynth.bench.engine.run_chunks`: in this process or on a dask cluster,
resumable), scores the reference detectors against the ground truth of every record, and
then compares a seeded subsample of ``n_compare`` records with the real reference data
(:func:`biosynth.fidelity.compare`: fidelity, privacy and utility sections) where the use
case has real data, or with published figures where it has none. The suites themselves
are :mod:`biosynth.bench.epilepsy` and :mod:`biosynth.bench.parkinson`.

Stages, each timed: ``generate+detect`` (all records), ``reference`` (the comparison),
``scaling`` (optional, :mod:`biosynth.bench.scaling`).
"""

from __future__ import annotations

import importlib
import os
import time
import warnings
from functools import partial
from pathlib import Path
from typing import Any

from biosynth import datasets
from biosynth._utils.docs import fill_doc
from biosynth._version import __version__
from biosynth.bench import epilepsy, parkinson
from biosynth.bench.engine import Task, run_chunks
from biosynth.bench.scaling import measure_scaling
from biosynth.bench.timing import library_versions, machine_info, peak_memory_mb

#: The use-case suites.
SUITES = ("epilepsy", "parkinson")
#: Version of the result schema (bump on incompatible changes).
SCHEMA_VERSION = 1
#: Fewest synthetic epochs (records) the comparison accepts (its k = 5 neighbour measures).
MIN_COMPARE_EPOCHS = 6

__all__ = ["MIN_COMPARE_EPOCHS", "SCHEMA_VERSION", "SUITES", "check_plan", "run_suite", "suite_task"]


@fill_doc
def run_suite(
    name: str,
    *,
    n_records: int = 100,
    duration: float = 10.0,
    chunk_size: int = 10,
    n_compare: int = 40,
    seed: int = 0,
    device: str = "cpu",
    scheduler: str | None = None,
    out_dir: str | os.PathLike | None = None,
    scaling: bool = False,
    max_records: int = 1000,
    card: str | os.PathLike | None = None,
    generators: tuple[str, ...] = (),
    progress: bool = True,
    real_data: str | os.PathLike | None = None,
) -> dict[str, Any]:
    """Run suite ``name`` and return its results (see the module notes).

    Parameters
    ----------
    name : {"epilepsy", "parkinson"}
        The use case.
    n_records : int, default=100
        Records generated and scored.
    %(duration)s
    chunk_size : int, default=10
        Records per chunk (the unit of parallelism and of resuming); results do not
        depend on it.
    n_compare : int, default=40
        Records compared with the reference data.
    seed : int, default=0
        Root seed; record ``i`` depends only on ``(seed, i)``.
    %(device)s
    scheduler : str or None, default=None
        None (this process), ``"processes:N"`` or ``"tcp://HOST:PORT"`` (dask.distributed).
    out_dir : str, path-like or None, default=None
        Where finished chunks are kept so a killed run resumes; None keeps nothing.
    scaling : bool, default=False
        Also measure throughput and memory against record count and length.
    max_records : int, default=1000
        Largest record count of the scaling figures.
    card : str, path-like or None, default=None
        Also write the data card of the compared records here (replacing it).
    generators : tuple of str, default=()
        Epilepsy only: data-driven generators (:data:`biosynth.bench.epilepsy.LEARNED`)
        to fit on the Bonn training halves, generate ``n_records`` records with (chunked
        like the main generator) and compare with Bonn D/E the same way.
    progress : bool, default=True
        Show progress bars.
    real_data : str, path-like or None, default=None
        Folder of the real recordings (epilepsy: the Bonn sets); None uses
        ``$BIOSYNTH_REAL_DATA``, else ``shared/data/real`` beside the source checkout
        (:func:`biosynth.datasets.real_data_dir`). Without the Bonn files the reference
        comparison is skipped with its reason.

    Returns
    -------
    result : dict
        JSON-able: ``schema``, ``suite``, ``parameters``, versions, ``machine``, ``seconds``
        per stage, ``peak_memory_mb`` (MiB), ``detectors`` / ``by_state``, ``reference``,
        ``generators`` and ``scaling`` (when asked).

    Raises
    ------
    ValueError
        An unknown suite or generator, or a plan that would fail later
        (:func:`check_plan`).
    FileNotFoundError
        ``real_data`` or ``$BIOSYNTH_REAL_DATA`` is not a folder (epilepsy).
    """
    if name not in SUITES:
        raise ValueError(f"suite must be one of {SUITES}, got {name!r}.")
    check_plan(name, generators, n_records=n_records, n_compare=n_compare, duration=duration)
    # a mistyped folder fails here, not later
    folder = datasets.real_data_dir(real_data) if name == "epilepsy" else None
    parameters = {"n_records": n_records, "duration": duration, "chunk_size": chunk_size, "n_compare": n_compare,
                  "seed": seed, "device": device}  # fmt: skip
    result: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "suite": name,
        "parameters": parameters,
        "scheduler": scheduler or "in-process",
        "biosynth_version": __version__,
        "versions": library_versions(),
        "machine": machine_info(),
        "date": time.strftime("%Y-%m-%d"),
        "seconds": {},
    }
    start = time.perf_counter()
    task = suite_task(name, duration=duration, seed=seed, device=device)
    key = {"suite": name, "duration": duration, "seed": seed, "device": device, "version": __version__}
    chunks = run_chunks(task, n_records, chunk_size, out_dir=out_dir, key=key, scheduler=scheduler, progress=progress)
    result["seconds"]["generate+detect"] = time.perf_counter() - start
    if name == "epilepsy":
        result.update(epilepsy.summarise(chunks))
    else:
        result.update(parkinson.summarise(chunks, seed=seed))
    start = time.perf_counter()
    compared = min(n_compare, n_records)
    if name == "epilepsy":
        result["reference"] = epilepsy.compare_with_bonn(
            n_compare=compared, duration=duration, seed=seed, device=device, card=card, real_data=folder
        )
    else:
        if card is not None:
            parkinson.write_suite_card(card, result, n_compare=compared, duration=duration, seed=seed)
        result["reference"] = {"published": parkinson.reference_note()}
    result["seconds"]["reference"] = time.perf_counter() - start
    if generators:
        result["generators"] = _learned(name, generators, n_records=n_records, chunk_size=chunk_size,
                                        n_compare=compared, seed=seed, device=device, scheduler=scheduler,
                                        out_dir=out_dir, progress=progress, real_data=folder)  # fmt: skip
    if scaling:
        start = time.perf_counter()
        result["scaling"] = measure_scaling(name, max_records=max_records, duration=duration, seed=seed)
        result["seconds"]["scaling"] = time.perf_counter() - start
    result["peak_memory_mb"] = peak_memory_mb()
    return result


@fill_doc
def suite_task(name: str, *, duration: float, seed: int, device: str = "cpu") -> Task:
    """The picklable per-chunk task of suite ``name``.

    Parameters
    ----------
    name : {"epilepsy", "parkinson"}
        The suite.
    %(duration)s
    %(root_seed)s
    device : str, default="cpu"
        ``"cpu"`` or a torch device (epilepsy's generator).

    Returns
    -------
    task : callable
        ``task(start, stop) -> dict`` for :func:`biosynth.bench.engine.run_chunks`
        (the Parkinson's task carries the common burst threshold, computed here).
    """
    if name == "epilepsy":
        return partial(epilepsy.score_chunk, duration=duration, seed=seed, device=device)
    if name == "parkinson":
        threshold = parkinson.common_threshold(duration=duration, seed=seed)
        return partial(parkinson.score_chunk, duration=duration, seed=seed, threshold=threshold)
    raise ValueError(f"suite must be one of {SUITES}, got {name!r}.")


@fill_doc
def check_plan(name: str, generators: tuple[str, ...], *, n_records: int, n_compare: int, duration: float) -> None:
    """Reject, before any work, what would fail later.

    Parameters
    ----------
    name : {"epilepsy", "parkinson"}
        The suite.
    generators : tuple of str
        Data-driven generators asked for (epilepsy only).
    n_records : int
        Records generated.
    n_compare : int
        Records compared.
    %(duration)s

    Raises
    ------
    ValueError
        Generators with the Parkinson's suite, unknown generators, or fewer than
        :data:`MIN_COMPARE_EPOCHS` epochs to compare.
    """
    if generators and name != "epilepsy":
        raise ValueError(f"generators applies to the epilepsy suite (fitted on Bonn), got suite {name!r}.")
    unknown = sorted(set(generators) - set(epilepsy.LEARNED))
    if unknown:
        raise ValueError(f"generators {unknown} are unknown; expected some of {sorted(epilepsy.LEARNED)}.")
    if name == "epilepsy":
        compared = min(n_compare, n_records)
        epochs = compared * int(duration // epilepsy.EPOCH_S)
        if epochs < MIN_COMPARE_EPOCHS or (generators and compared < MIN_COMPARE_EPOCHS):
            raise ValueError(
                f"n_compare={n_compare} with n_records={n_records} and duration={duration:g} s gives {epochs} "
                f"epochs of {epilepsy.EPOCH_S:g} s to compare; at least {MIN_COMPARE_EPOCHS} are needed "
                "(raise --n-compare, --n-records or --duration)."
            )


def _learned(
    name: str,
    generators: tuple[str, ...],
    *,
    n_records: int,
    chunk_size: int,
    n_compare: int,
    seed: int,
    device: str,
    scheduler: str | None,
    out_dir: str | os.PathLike | None,
    progress: bool,
    real_data: Path | None,
) -> dict[str, Any]:
    """Fit, generate (chunked, resumable) and compare each data-driven generator."""
    out = {}
    for generator in generators:
        fitted = epilepsy.fit_learned(generator, device=device, real_data=real_data)
        task = partial(epilepsy.learned_chunk, models=fitted["models"], seed=seed)
        key = {
            "suite": name,
            "generator": generator,
            "settings": epilepsy.LEARNED[generator],
            "seed": seed,
            "version": __version__,
        }
        start = time.perf_counter()
        chunks = run_chunks(task, n_records, chunk_size, out_dir=out_dir, key=key, scheduler=scheduler,
                            progress=progress)  # fmt: skip
        seconds = time.perf_counter() - start
        reference = epilepsy.learned_reference(
            fitted["models"], n_compare=n_compare, seed=seed, device=device, real_data=real_data
        )
        samples = sum(c["samples"] for c in chunks)
        out[generator] = {"fit_s": fitted["fit_s"], "generate_s": seconds, "records_per_s": n_records / seconds,
                          "samples_per_s": samples / seconds, "reference": reference}  # fmt: skip
    return out


# --- names of biosynth 0.1, moved in 0.2 ---------------------------------------------------

_EPILEPSY, _PARKINSON, _DATASETS = "biosynth.bench.epilepsy", "biosynth.bench.parkinson", "biosynth.datasets"
#: Old name -> (module, new name).
_MOVED = {
    **{n: (_EPILEPSY, n) for n in ("BONN_MATCHED", "SEIZURE_AMPLITUDE", "PATTERNS", "EPOCH_S", "BONN_FILES")},
    **{n: (_EPILEPSY, n) for n in ("LEARNED", "fit_learned", "learned_records", "learned_chunk", "learned_reference")},
    "epilepsy_records": (_EPILEPSY, "suite_records"),
    "epilepsy_chunk": (_EPILEPSY, "score_chunk"),
    "epilepsy_reference": (_EPILEPSY, "compare_with_bonn"),
    "epilepsy_summary": (_EPILEPSY, "summarise"),
    "BURST_BAND": (_PARKINSON, "BURST_BAND"),
    "parkinson_record": (_PARKINSON, "suite_record"),
    "parkinson_threshold": (_PARKINSON, "common_threshold"),
    "parkinson_chunk": (_PARKINSON, "score_chunk"),
    "parkinson_summary": (_PARKINSON, "summarise"),
    "parkinson_card": (_PARKINSON, "write_suite_card"),
    "BONN_SFREQ": (_DATASETS, "BONN_SFREQ"),
    "real_data_dir": (_DATASETS, "real_data_dir"),
    "load_segments": (_DATASETS, "load_segments"),
}


def __getattr__(name: str) -> Any:
    """Old names of this module: the new object, with a FutureWarning."""
    if name == "PUBLISHED_TIME_IN_BURSTS":
        _warn_moved(name, f"{_PARKINSON}.published_time_in_bursts()")
        return parkinson.published_time_in_bursts()
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, new = _MOVED[name]
    _warn_moved(name, f"{module}.{new}")
    return getattr(importlib.import_module(module), new)


def _warn_moved(name: str, new: str) -> None:
    warnings.warn(
        f"biosynth.bench.suites.{name} moved to {new} in biosynth 0.2; the old name stops working in 0.3.",
        FutureWarning,
        stacklevel=3,
    )
