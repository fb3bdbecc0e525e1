# SPDX-License-Identifier: BSD-3-Clause
"""Tests of the batch engine (biosynth.bench.engine): chunk order, resume, interruption, errors, and the same results
in this process, on a local cluster of worker processes and on a scheduler address."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from biosynth.bench import ChunkError, chunk_digest, run_chunks

SEED = 20240601


# Tasks live at module level so that cloudpickle sends them by reference: the worker
# processes of a LocalCluster import ``tests.bench.test_engine`` (the repository root is on
# the sys.path they inherit from pytest).
def seeded_sums(start: int, stop: int) -> dict:
    """Per-record sums of 100 draws from record i's own stream, with the record indices."""
    sums = [
        float(np.random.default_rng(np.random.SeedSequence(SEED, spawn_key=(i,))).normal(size=100).sum())
        for i in range(start, stop)
    ]
    return {"records": list(range(start, stop)), "sums": np.asarray(sums), "n": np.int64(stop - start)}


class CountingTask:
    """``seeded_sums`` that appends each chunk's start to a log file (one line per call)."""

    def __init__(self, log: Path, *, interrupt_at: int | None = None, fail_at: int | None = None) -> None:
        self.log, self.interrupt_at, self.fail_at = Path(log), interrupt_at, fail_at

    def __call__(self, start: int, stop: int) -> dict:
        if start == self.interrupt_at:
            raise KeyboardInterrupt
        if start == self.fail_at:
            raise ValueError("boom")
        with self.log.open("a") as f:
            f.write(f"{start}\n")
        return seeded_sums(start, stop)

    def calls(self) -> list[int]:
        return sorted(int(line) for line in self.log.read_text().split()) if self.log.exists() else []


def per_record(results: list[dict]) -> dict[int, float]:
    return {i: s for r in results for i, s in zip(r["records"], r["sums"], strict=True)}


def chunk_files(out_dir: Path) -> list[Path]:
    return sorted(out_dir.glob("chunks/*/[0-9]*.json"))


def test_chunks_in_order_and_json_round_trip():
    results = run_chunks(seeded_sums, 7, 3, progress=False)
    assert [r["records"] for r in results] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [r["n"] for r in results] == [3, 3, 1]
    assert all(type(r["n"]) is int and isinstance(r["sums"], list) for r in results)  # NumPy converted


def test_results_equal_across_chunk_sizes():
    reference = per_record(run_chunks(seeded_sums, 10, 10, progress=False))
    for chunk_size in (1, 3, 4, 20):
        assert per_record(run_chunks(seeded_sums, 10, chunk_size, progress=False)) == reference


def _children() -> list:
    import psutil

    # multiprocessing's resource tracker lives as long as this process, by design: not ours
    return [
        p
        for p in psutil.Process().children(recursive=True)
        if p.is_running() and "resource_tracker" not in " ".join(p.cmdline())
    ]


def test_local_cluster_gives_the_same_results(tmp_path):
    before = {p.pid for p in _children()}
    local = run_chunks(seeded_sums, 11, 3, progress=False)
    start = time.perf_counter()
    task = CountingTask(tmp_path / "calls.log")
    distributed = run_chunks(task, 11, 3, out_dir=tmp_path, scheduler="processes:2", progress=False)
    elapsed = time.perf_counter() - start
    assert distributed == local  # same values, same chunk order
    assert task.calls() == [0, 3, 6, 9]
    assert len(chunk_files(tmp_path)) == 4
    # the cluster and its worker processes are gone
    deadline = time.monotonic() + 5
    while {p.pid for p in _children()} - before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not {p.pid for p in _children()} - before, [p.cmdline() for p in _children()]
    assert elapsed < 30


def test_scheduler_address(tmp_path):
    """The tcp:// path, on an in-process cluster (threads: quick, and the same client code)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, processes=False, protocol="tcp://", host="127.0.0.1", dashboard_address="127.0.0.1:0"
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://")
        task = CountingTask(tmp_path / "calls.log")
        results = run_chunks(task, 5, 2, out_dir=tmp_path, scheduler=address, progress=False)
        failing = CountingTask(tmp_path / "failing.log", fail_at=2)
        with pytest.raises(ChunkError, match=r"chunk 1 \(records \[2, 4\)\): ValueError: boom") as info:
            run_chunks(failing, 5, 2, scheduler=address, progress=False)
    assert results == run_chunks(seeded_sums, 5, 2, progress=False)
    assert task.calls() == [0, 2, 4]
    assert isinstance(info.value.__cause__, ValueError)
    assert (info.value.index, info.value.start, info.value.stop) == (1, 2, 4)


def test_resume_runs_only_missing_chunks(tmp_path, capsys):
    task = CountingTask(tmp_path / "calls.log")
    first = run_chunks(task, 10, 3, out_dir=tmp_path, key={"suite": "toy", "seed": SEED}, progress=False)
    files = chunk_files(tmp_path)
    assert [f.name for f in files] == ["000000.json", "000001.json", "000002.json", "000003.json"]
    assert files[0].parent.name == chunk_digest({"suite": "toy", "seed": SEED}, 10, 3)
    assert json.loads((files[0].parent / "key.json").read_text())["key"] == {"suite": "toy", "seed": SEED}
    assert json.loads(files[1].read_text())["start"] == 3
    files[2].unlink()
    again = run_chunks(task, 10, 3, out_dir=tmp_path, key={"seed": SEED, "suite": "toy"}, progress=True)
    assert again == first
    assert task.calls() == [0, 3, 6, 6, 9]  # only chunk 2 ran twice
    assert "4/4" in capsys.readouterr().err
    # nothing to do: no call at all
    assert run_chunks(task, 10, 3, out_dir=tmp_path, key={"suite": "toy", "seed": SEED}, progress=False) == first
    assert len(task.calls()) == 5


def test_other_key_or_chunking_does_not_reuse(tmp_path):
    task = CountingTask(tmp_path / "calls.log")
    run_chunks(task, 4, 2, out_dir=tmp_path, key={"seed": 1}, progress=False)
    run_chunks(task, 4, 2, out_dir=tmp_path, key={"seed": 2}, progress=False)
    run_chunks(task, 4, 4, out_dir=tmp_path, key={"seed": 1}, progress=False)
    run_chunks(task, 5, 2, out_dir=tmp_path, key={"seed": 1}, progress=False)
    assert task.calls() == [0, 0, 0, 0, 2, 2, 2, 4]  # seed 1, seed 2, chunk_size 4, n_records 5
    assert len(list((tmp_path / "chunks").iterdir())) == 4


def test_truncated_chunk_is_rerun(tmp_path, caplog):
    task = CountingTask(tmp_path / "calls.log")
    first = run_chunks(task, 6, 2, out_dir=tmp_path, progress=False)
    victim = chunk_files(tmp_path)[1]
    victim.write_text(victim.read_text()[:20])
    other = chunk_files(tmp_path)[2]
    other.write_text(json.dumps({"start": 0, "stop": 2, "result": {}}))  # valid JSON, wrong range
    with caplog.at_level(logging.WARNING, logger="biosynth.bench.engine"):
        again = run_chunks(task, 6, 2, out_dir=tmp_path, progress=False)
    assert again == first
    assert task.calls() == [0, 2, 2, 4, 4]
    assert sum("unreadable" in r.getMessage() for r in caplog.records) == 2
    assert json.loads(victim.read_text())["result"] == first[1]


def test_interrupted_run_leaves_complete_chunks_and_resumes(tmp_path):
    interrupted = CountingTask(tmp_path / "calls.log", interrupt_at=6)
    with pytest.raises(KeyboardInterrupt):
        run_chunks(interrupted, 10, 2, out_dir=tmp_path, progress=False)
    files = chunk_files(tmp_path)
    assert [f.name for f in files] == ["000000.json", "000001.json", "000002.json"]
    assert all(json.loads(f.read_text())["result"]["n"] == 2 for f in files)
    assert not [p for p in files[0].parent.iterdir() if p.name.startswith(".")]  # no temporary files
    task = CountingTask(tmp_path / "calls.log")
    results = run_chunks(task, 10, 2, out_dir=tmp_path, progress=False)
    assert task.calls() == [0, 2, 4, 6, 8]
    assert results == run_chunks(seeded_sums, 10, 2, progress=False)


def test_task_error_names_the_chunk(tmp_path):
    task = CountingTask(tmp_path / "calls.log", fail_at=4)
    with pytest.raises(ChunkError, match=r"records \[4, 6\)") as info:
        run_chunks(task, 10, 2, out_dir=tmp_path, progress=False)
    assert isinstance(info.value.__cause__, ValueError)
    assert len(chunk_files(tmp_path)) == 2


def test_task_must_return_a_json_dict():
    with pytest.raises(TypeError, match=r"task must return a dict, got list on chunk 0"):
        run_chunks(lambda start, stop: [start], 3, 2, progress=False)
    with pytest.raises(TypeError, match=r"not JSON-able"):
        run_chunks(lambda start, stop: {"x": object()}, 3, 2, progress=False)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_records": 0}, ValueError, "n_records must be an integer >= 1, got 0"),
        ({"n_records": 2.5}, TypeError, "n_records must be an integer"),
        ({"chunk_size": 0}, ValueError, "chunk_size must be an integer >= 1"),
        ({"scheduler": "threads"}, ValueError, "scheduler must be None, 'processes:N'"),
        ({"scheduler": "processes:0"}, ValueError, "N >= 1"),
        ({"scheduler": "processes:two"}, ValueError, "scheduler must be"),
        ({"scheduler": "tcp://host"}, ValueError, "tcp://HOST:PORT"),
        ({"scheduler": 2}, TypeError, "scheduler must be"),
        ({"key": [1, 2]}, TypeError, "key must be a mapping"),
        ({"key": {"seed": object()}}, TypeError, "key must hold JSON-able values"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    arguments = {"n_records": 4, "chunk_size": 2, "progress": False} | kwargs
    with pytest.raises(error, match=match):
        run_chunks(seeded_sums, **arguments)


def test_out_dir_is_a_file(tmp_path):
    path = tmp_path / "file"
    path.write_text("")
    with pytest.raises(NotADirectoryError, match="out_dir"):
        run_chunks(seeded_sums, 2, 1, out_dir=path, progress=False)


def test_scheduler_without_distributed(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(ImportError, match=r"pip install 'biosynth\[dask\]'"):
        run_chunks(seeded_sums, 2, 1, scheduler="processes:1", progress=False)
    assert run_chunks(seeded_sums, 2, 1, progress=False)  # in-process needs no dask
