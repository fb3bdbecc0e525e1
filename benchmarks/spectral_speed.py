# SPDX-License-Identifier: BSD-3-Clause
"""Speed of the learned spectral generator: fit time, and sampling throughput against
neurodsp, in one process on the same machine.

Rerun: ``python -m benchmarks.spectral_speed [--repeats N]``. Writes
``benchmarks/results/spectral-speed-<date>.json``.

* **fit**: :class:`biosynth.generators.learned.SpectralGenerator` fitted to the shipped
  EEGLAB sample (32 channels x 60 s at 128 Hz); the issue's target is at most 10 s on
  2 cores.
* **sampling throughput**, in channel-seconds of signal per second of wall time:
  ``sample(n_records, duration=10)`` of that fitted model, against neurodsp's
  ``sim_combined`` (a power-law background plus a bursty alpha rhythm, one channel per
  call: neurodsp has no multichannel simulator) for as many channel-seconds. The target
  is a ratio of at least 10. biosynth draws its batches of records in Numba's thread
  count (all cores unless ``NUMBA_NUM_THREADS`` says otherwise); neurodsp runs in one
  thread, so the figure on one thread (``numba.set_num_threads(1)``) is reported too.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numba
import numpy as np

from benchmarks._results import header, quiet, write
from biosynth.datasets import load_sample
from biosynth.generators.learned import SpectralGenerator

DURATION = 10.0
N_RECORDS = 20


def time_fit(real: Any, repeats: int) -> tuple[float, SpectralGenerator]:
    """Best wall time of ``repeats`` fits, in s, and the fitted generator."""
    best, generator = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        generator = SpectralGenerator().fit(real)
        best = min(best, time.perf_counter() - start)
    return best, generator


def time_biosynth(generator: SpectralGenerator, repeats: int, threads: int | None = None) -> float:
    """Best wall time, in s, of sampling ``N_RECORDS`` records of ``DURATION`` s, in
    ``threads`` threads (None: Numba's default, all cores)."""
    default = numba.get_num_threads()
    numba.set_num_threads(threads or default)
    best = np.inf
    try:
        for seed in range(repeats):
            start = time.perf_counter()
            generator.sample(N_RECORDS, duration=DURATION, seed=seed)
            best = min(best, time.perf_counter() - start)
    finally:
        numba.set_num_threads(default)
    return best


def time_neurodsp(sfreq: float, n_signals: int, repeats: int) -> float | None:
    """Best wall time, in s, of ``n_signals`` neurodsp ``sim_combined`` calls of
    ``DURATION`` s (None when neurodsp is not installed)."""
    try:
        from neurodsp.sim import sim_combined
    except ImportError:
        return None
    components = {"sim_powerlaw": {"exponent": -2.0}, "sim_bursty_oscillation": {"freq": 10.0}}
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(n_signals):
            sim_combined(DURATION, sfreq, components, component_variances=[1.0, 0.5])
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark and write its result file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="repeats per timing (best kept)")
    args = parser.parse_args(argv)
    real = load_sample("eeglab")
    sfreq, n_channels = float(real.attrs["sfreq"]), real.sizes["channel"]
    with quiet():
        fit_s, generator = time_fit(real, args.repeats)
        biosynth_s = time_biosynth(generator, args.repeats)
        one_thread_s = time_biosynth(generator, args.repeats, threads=1)
        neurodsp_s = time_neurodsp(sfreq, N_RECORDS * n_channels, args.repeats)
    channel_seconds = N_RECORDS * n_channels * DURATION
    result = header(
        "python -m benchmarks.spectral_speed",
        vars(args),
        input=f"EEGLAB sample, {n_channels} ch x {real.sizes['time'] / sfreq:g} s at {sfreq:g} Hz",
        fit_seconds=fit_s,
        fit_target_seconds=10.0,
        sample={
            "records": N_RECORDS,
            "duration_s": DURATION,
            "biosynth_seconds": biosynth_s,
            "biosynth_channel_seconds_per_s": channel_seconds / biosynth_s,
            "threads": numba.get_num_threads(),
            "biosynth_one_thread_seconds": one_thread_s,
            "neurodsp_seconds": neurodsp_s,
            "neurodsp_channel_seconds_per_s": None if neurodsp_s is None else channel_seconds / neurodsp_s,
            "ratio": None if neurodsp_s is None else neurodsp_s / biosynth_s,
            "ratio_one_thread": None if neurodsp_s is None else neurodsp_s / one_thread_s,
            "ratio_target": 10.0,
        },
    )
    path = write("spectral-speed", result)
    ratio = result["sample"]["ratio"]
    print(f"fit: {fit_s:.2f} s (target <= 10 s); sampling: {channel_seconds / biosynth_s:.0f} channel-s/s", end="")
    if ratio is None:
        print(" (neurodsp not installed)")
    else:
        print(f", {ratio:.1f}x neurodsp ({result['sample']['ratio_one_thread']:.1f}x on one thread)")
    print(f"wrote {path}")
    return result


if __name__ == "__main__":
    main()
