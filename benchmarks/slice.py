# SPDX-License-Identifier: BSD-3-Clause
"""Time the end-to-end slice (generate EEG like the shipped sample, compare, report).

Rerun: ``python -m benchmarks.slice [--n-records N] [--duration S]`` (or ``make bench``).
Writes ``benchmarks/results/slice-<date>.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import time

from benchmarks._results import RESULTS
from biosynth.bench import run_slice_benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-records", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--duration", type=float, default=4.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs = [
        run_slice_benchmark(n_records=n, duration=args.duration, repeat=args.repeat, seed=0) for n in args.n_records
    ]
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"slice-{time.strftime('%Y-%m-%d')}.json"
    out.write_text(json.dumps({"command": "python -m benchmarks.slice", "runs": runs}, indent=2))
    print(f"{'records':>8} {'generate ms':>12} {'compare ms':>11} {'report ms':>10} {'Msamples/s':>11}")
    for run in runs:
        best = run["best_s"]
        print(
            f"{run['parameters']['n_records']:>8} {best['generate'] * 1e3:>12.1f} {best['compare'] * 1e3:>11.1f} "
            f"{best['report'] * 1e3:>10.1f} {run['samples_per_s'] / 1e6:>11.2f}"
        )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
