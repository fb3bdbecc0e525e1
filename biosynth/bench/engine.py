# SPDX-License-Identifier: BSD-3-Clause
"""The execution engine of batch benchmarks: records cut into chunks, run in this process or
on a dask.distributed cluster, each finished chunk kept on disk so that a killed run resumes.

The result never depends on where a chunk ran: the same ``task`` gives the same list of chunk
results in this process, on a local cluster of worker processes or on a remote scheduler, as
long as the task's output depends only on its record range (seed record *i* with
``np.random.SeedSequence(root, spawn_key=(i,))``, never with a shared generator).

On-disk layout (with ``out_dir``)::

    out_dir/chunks/<digest>/key.json      # the key, n_records and chunk_size, for humans
    out_dir/chunks/<digest>/000000.json   # {"start": 0, "stop": 100, "result": {...}}
    out_dir/chunks/<digest>/000001.json
    ...

``digest`` is the first 16 hex digits of the sha256 of the canonical JSON of
``{"key": key, "n_records": n_records, "chunk_size": chunk_size}``, so runs with another key or
another chunking never read each other's files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from biosynth._utils.check import check_int, fmt_value
from biosynth._utils.files import atomic_output

logger = logging.getLogger(__name__)

__all__ = ["ChunkError", "Task", "chunk_digest", "run_chunks"]

_DIGEST_LENGTH = 16
_ADDRESS = re.compile(r"^(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]]+):\d{1,5}$")
_PROCESSES = re.compile(r"^processes:(\d+)$")
_SCHEDULER_FORMS = "None, 'processes:N' (N >= 1 worker processes) or 'tcp://HOST:PORT'"

#: A chunk task: ``task(start, stop)`` returns the JSON-able result of records ``[start, stop)``.
Task = Callable[[int, int], Mapping[str, Any]]


class ChunkError(RuntimeError):
    """A task failed on one chunk; the original exception is ``__cause__``.

    Attributes ``index``, ``start`` and ``stop`` give the chunk and its record range
    ``[start, stop)``.
    """

    def __init__(self, index: int, start: int, stop: int, cause: BaseException) -> None:
        super().__init__(f"task failed on chunk {index} (records [{start}, {stop})): {type(cause).__name__}: {cause}")
        self.index, self.start, self.stop = index, start, stop


def run_chunks(
    task: Task,
    n_records: int,
    chunk_size: int,
    *,
    out_dir: str | os.PathLike | None = None,
    key: Mapping[str, Any] | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> list[dict]:
    """Run ``task`` over records ``[0, n_records)`` in chunks, resumably, here or on a cluster.

    Chunk *k* covers records ``[k * chunk_size, min((k + 1) * chunk_size, n_records))``. The
    results come back in chunk order whatever order the chunks finish in, and are the same
    wherever they ran: each result goes through a JSON round trip (tuples become lists, NumPy
    scalars and arrays become numbers and lists), which is also what a resumed run reads back.

    Parameters
    ----------
    task : callable
        ``task(start, stop) -> dict`` for the records ``[start, stop)``; the dict must be
        JSON-able (numbers, strings, lists, nested dicts; NumPy scalars and arrays are
        converted). With a scheduler it must be picklable: a function defined at module
        level in an importable module, or an instance of such a class.
    n_records : int
        Number of records, >= 1.
    chunk_size : int
        Records per chunk, >= 1; the last chunk may be shorter.
    out_dir : str, path-like or None, default=None
        Folder where each finished chunk is written (atomically) as
        ``chunks/<digest>/<k:06d>.json``; it is created if absent. A rerun with the same
        ``key``, ``n_records`` and ``chunk_size`` loads those files and runs only the missing
        chunks; unreadable or truncated files are rerun with a logged warning. None keeps
        nothing.
    key : mapping or None, default=None
        The parameters that define the results (which task, seed, durations...), as JSON-able
        values. Chunk files written under another key are never reused; None is ``{}``.
    scheduler : str or None, default=None
        Where the chunks run. None: one after the other in this process.
        ``"processes:N"``: a local dask.distributed cluster of N single-threaded worker
        processes, started and closed here. ``"tcp://HOST:PORT"`` (or ``tls://``): an
        existing dask.distributed scheduler; chunk files are still written by this process.
        Both need the ``dask`` extra (``pip install 'biosynth[dask]'``).
    progress : bool, default=True
        Show a progress bar over chunks (total: all chunks; start: those already done).

    Returns
    -------
    results : list of dict
        One result per chunk, in chunk order.

    Raises
    ------
    ChunkError
        When ``task`` raises an ``Exception`` on a chunk; the message names the chunk and its
        record range, ``__cause__`` is the original error. Chunks finished before stay on
        disk. A ``KeyboardInterrupt`` propagates unchanged, also leaving only complete files.

    Examples
    --------
    >>> def count(start, stop):
    ...     return {"records": list(range(start, stop))}
    >>> [r["records"] for r in run_chunks(count, 5, 2, progress=False)]
    [[0, 1], [2, 3], [4]]
    """
    n_records = check_int("n_records", n_records, low=1)
    chunk_size = check_int("chunk_size", chunk_size, low=1)
    if not callable(task):
        raise TypeError(f"task must be a callable task(start, stop) -> dict, got {type(task).__name__}.")
    key = {} if key is None else key
    if not isinstance(key, Mapping):
        raise TypeError(f"key must be a mapping of the run's parameters or None, got {type(key).__name__}.")
    n_workers, address = _parse_scheduler(scheduler)
    digest = chunk_digest(key, n_records, chunk_size)
    n_chunks = math.ceil(n_records / chunk_size)
    ranges = [(k * chunk_size, min((k + 1) * chunk_size, n_records)) for k in range(n_chunks)]

    folder = None if out_dir is None else _prepare_folder(Path(out_dir), digest, key, n_records, chunk_size)
    results: list[dict | None] = [None] * n_chunks
    if folder is not None:
        for k, (start, stop) in enumerate(ranges):
            results[k] = _load_chunk(folder / f"{k:06d}.json", start, stop)
    missing = [k for k in range(n_chunks) if results[k] is None]
    if folder is not None and len(missing) < n_chunks:
        logger.info("resuming in %s: %d of %d chunks already done", folder, n_chunks - len(missing), n_chunks)

    def finish(k: int, result: Any) -> None:
        start, stop = ranges[k]
        results[k] = _as_json_result(result, k, start, stop)
        if folder is not None:
            _save_chunk(folder / f"{k:06d}.json", start, stop, results[k])

    from tqdm.auto import tqdm

    with tqdm(
        total=n_chunks,
        initial=n_chunks - len(missing),
        desc="run_chunks",
        unit="chunk",
        disable=not progress,
    ) as bar:
        if not missing:
            pass
        elif n_workers is None and address is None:
            for k in missing:
                start, stop = ranges[k]
                try:
                    result = task(start, stop)
                except Exception as exc:
                    raise ChunkError(k, start, stop, exc) from exc
                finish(k, result)
                bar.update()
        else:
            _run_distributed(task, ranges, missing, finish, bar, n_workers=n_workers, address=address)
    return results  # type: ignore[return-value]  # every slot is filled above


def chunk_digest(key: Mapping[str, Any] | None, n_records: int, chunk_size: int) -> str:
    """Short sha256 naming the folder of a run's chunk files.

    Parameters
    ----------
    key : mapping or None
        The run's defining parameters, JSON-able (None is ``{}``).
    n_records : int
        Number of records.
    chunk_size : int
        Records per chunk.

    Returns
    -------
    digest : str
        16 hex digits of the sha256 of the canonical JSON (sorted keys, no spaces) of
        ``{"key": key, "n_records": n_records, "chunk_size": chunk_size}``.

    Examples
    --------
    >>> chunk_digest({"seed": 0}, 10, 4) == chunk_digest({"seed": 0}, 10, 4)
    True
    >>> chunk_digest({"seed": 0}, 10, 4) == chunk_digest({"seed": 1}, 10, 4)
    False
    """
    payload = {"key": {} if key is None else key, "n_records": n_records, "chunk_size": chunk_size}
    try:
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=False, default=_json_default)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"key must hold JSON-able values (numbers, strings, lists, dicts): {exc}") from None
    return hashlib.sha256(text.encode()).hexdigest()[:_DIGEST_LENGTH]


# --- private helpers -------------------------------------------------------------------------


def _parse_scheduler(scheduler: str | None) -> tuple[int | None, str | None]:
    """(n_workers, address) from the ``scheduler`` argument; both None for in-process."""
    if scheduler is None:
        return None, None
    if not isinstance(scheduler, str):
        raise TypeError(f"scheduler must be {_SCHEDULER_FORMS}, got {type(scheduler).__name__} {fmt_value(scheduler)}.")
    match = _PROCESSES.match(scheduler)
    if match:
        n_workers = int(match.group(1))
        if n_workers < 1:
            raise ValueError(f"scheduler 'processes:N' needs N >= 1 worker processes, got {scheduler!r}.")
        return n_workers, None
    if _ADDRESS.match(scheduler):
        return None, scheduler
    raise ValueError(f"scheduler must be {_SCHEDULER_FORMS}; got {scheduler!r}.")


def _json_default(value: Any) -> Any:
    """JSON fallback for NumPy scalars and arrays (imported only if one shows up)."""
    if type(value).__module__ == "numpy":
        import numpy as np

        if isinstance(value, (np.generic, np.ndarray)):
            return value.tolist()
    raise TypeError(f"{type(value).__name__} {fmt_value(value)} is not JSON-able")


def _as_json_result(result: Any, k: int, start: int, stop: int) -> dict:
    """``result`` after a JSON round trip, so fresh and resumed runs return the same objects."""
    if not isinstance(result, Mapping):
        raise TypeError(
            f"task must return a dict, got {type(result).__name__} on chunk {k} (records [{start}, {stop}))."
        )
    try:
        return json.loads(json.dumps(dict(result), default=_json_default))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"task result on chunk {k} (records [{start}, {stop})) is not JSON-able: {exc}") from None


def _prepare_folder(out_dir: Path, digest: str, key: Mapping[str, Any], n_records: int, chunk_size: int) -> Path:
    """Create ``out_dir/chunks/<digest>`` with its ``key.json``; return the folder."""
    if out_dir.exists() and not out_dir.is_dir():
        raise NotADirectoryError(f"out_dir {str(out_dir)!r} is a file, not a folder.")
    folder = out_dir / "chunks" / digest
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "key.json"
    if not manifest.exists():
        info = {"key": key, "n_records": n_records, "chunk_size": chunk_size}
        with atomic_output(manifest, overwrite=True) as tmp:
            tmp.write_text(json.dumps(info, sort_keys=True, indent=1, default=_json_default) + "\n")
    return folder


def _load_chunk(path: Path, start: int, stop: int) -> dict | None:
    """The stored result of one chunk; None when absent, unreadable or not for ``[start, stop)``."""
    if not path.exists():
        return None
    try:
        stored = json.loads(path.read_text())
        if not (
            isinstance(stored, dict)
            and stored.get("start") == start
            and stored.get("stop") == stop
            and isinstance(stored.get("result"), dict)
        ):
            raise ValueError(f"not a chunk file for records [{start}, {stop})")
    except (OSError, ValueError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        logger.warning("chunk file %s is unreadable (%s); rerunning records [%d, %d)", path, exc, start, stop)
        return None
    return stored["result"]


def _save_chunk(path: Path, start: int, stop: int, result: dict) -> None:
    """Write one chunk file atomically: a reader sees the whole file or none."""
    text = json.dumps({"start": start, "stop": stop, "result": result}, separators=(",", ":"))
    with atomic_output(path, overwrite=True) as tmp:  # overwrite: replaces a corrupt file
        tmp.write_text(text + "\n")


def _import_distributed() -> Any:
    """The ``distributed`` module, or an ImportError that says how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise ImportError(
            f"a scheduler needs dask.distributed ({exc}); install it with pip install 'biosynth[dask]'."
        ) from exc
    return distributed


def _run_distributed(
    task: Task,
    ranges: list[tuple[int, int]],
    missing: list[int],
    finish: Callable[[int, Any], None],
    bar: Any,
    *,
    n_workers: int | None,
    address: str | None,
) -> None:
    """Submit one future per missing chunk; hand each result to ``finish`` as it arrives."""
    distributed = _import_distributed()
    with contextlib.ExitStack() as stack:  # closes client then cluster, also on error or Ctrl-C
        if n_workers is not None:
            # Every port is picked by the OS, on localhost only, so several runs (or pytest-xdist
            # workers) can start clusters at once. dashboard_address=None would NOT do: the
            # scheduler still serves HTTP (health, metrics) on the default port 8787 and, when
            # that is taken, warns "Port 8787 is already in use" (an error under -W error).
            cluster = stack.enter_context(
                distributed.LocalCluster(
                    n_workers=n_workers,
                    processes=True,
                    threads_per_worker=1,
                    dashboard_address="127.0.0.1:0",
                    scheduler_port=0,
                    host="127.0.0.1",
                )
            )
            client = stack.enter_context(distributed.Client(cluster, set_as_default=False))
        else:
            try:
                client = stack.enter_context(distributed.Client(address, set_as_default=False))
            except (OSError, TimeoutError) as exc:
                raise OSError(f"scheduler {address!r} could not be reached: {exc}") from exc
        futures = {client.submit(task, *ranges[k], pure=False): k for k in missing}
        try:
            for future in distributed.as_completed(futures, loop=client.loop):
                k = futures[future]
                try:
                    result = future.result()
                except Exception as exc:
                    raise ChunkError(k, *ranges[k], exc) from exc
                finish(k, result)
                bar.update()
                future.release()  # the result is kept here now; free the worker's copy
        except BaseException:
            # stop the chunks still queued on a shared scheduler (a local cluster is closed anyway)
            with contextlib.suppress(Exception):
                client.cancel(list(futures))
            raise
