# SPDX-License-Identifier: BSD-3-Clause
"""Batch benchmarks: the chunked, resumable execution engine (local or dask.distributed)."""

from biosynth.bench.runner import ChunkError, chunk_digest, peak_memory_mb, run_chunks, timer

__all__ = ["ChunkError", "chunk_digest", "peak_memory_mb", "run_chunks", "timer"]
