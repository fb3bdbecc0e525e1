# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth bench``: time the end-to-end slice, or run a use-case suite
(:func:`biosynth.bench.run_suite`), and write the results. No science lives here."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from biosynth.cli._common import (
    EXIT_OK,
    REAL_DATA_ENV,
    add_device,
    add_duration,
    add_n_records,
    add_output,
    add_seed,
    command,
    name_list,
)

DESCRIPTION = (
    "Without SUITE: time the end-to-end slice (generate EEG like the shipped sample, compare, report). "
    "SUITE epilepsy or parkinson: generate N records of the use case in chunks (in this process, on "
    "--scheduler processes:N or a dask cluster at tcp://HOST:PORT; --resume-dir keeps finished chunks so a "
    "killed run resumes), score the reference detectors against the ground truth, compare with the real "
    "reference data or published figures, optionally measure scaling, and write JSON plus Markdown and HTML "
    "summaries beside --out. SUITE realism: fit generators on one part of each real recording of the real-data "
    "folder and judge them against the held-out part (biosynth.bench.realism); Markdown and JSON at --out."
)
EXAMPLES = (
    "biosynth bench --n-records 100 --out bench.json",
    "biosynth bench epilepsy --n-records 1000 --scheduler processes:4 --resume-dir runs/ --out epi.json",
    "biosynth bench parkinson --n-records 200 --duration 60 --scaling --out pd.json",
    "biosynth bench realism --real-data DIR --quick --out realism.md",
)
NOTE = (
    f"The epilepsy and realism suites read their real recordings (the Bonn EEG sets; realism: every recording it "
    f"knows) from --real-data DIR, else "
    f"from the folder named by the environment variable {REAL_DATA_ENV}, else from shared/data/real beside a "
    f"source checkout; a folder named by either must exist. Without the recordings the real-data comparisons "
    f"are skipped (and --generators of the epilepsy suite, which fits on them, stops with an error)."
)


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add ``bench`` to the subcommands of ``biosynth``."""
    bench = command(
        sub, "bench", "time generation and fidelity on the shipped EEG sample", DESCRIPTION, EXAMPLES, note=NOTE
    )
    bench.add_argument(
        "suite", nargs="?", choices=("epilepsy", "parkinson", "realism"), default=None, help="use-case suite"
    )
    add_n_records(bench, default=100, help_text="synthetic records (default 100)")
    add_duration(bench, default=None, help_text="record length in s (default 4; suites 10)")
    bench.add_argument("--repeat", type=int, default=3, help="slice: repetitions; the best is reported (default 3)")
    add_seed(bench, default=0, help_text="random seed (default 0)")
    bench.add_argument("--chunk-size", type=int, default=10, help="suites: records per chunk (default 10)")
    bench.add_argument("--n-compare", type=int, default=40, help="suites: records compared with the reference")
    add_device(bench, help_text="suites: 'cpu' or a torch device such as 'cuda'")
    bench.add_argument("--scheduler", default=None, help="suites: processes:N or tcp://HOST:PORT (dask)")
    bench.add_argument("--resume-dir", type=Path, default=None, help="suites: keep finished chunks here to resume")
    bench.add_argument("--scaling", action="store_true", help="suites: also measure throughput and memory")
    bench.add_argument("--max-records", type=int, default=1000, help="suites: largest count of --scaling")
    bench.add_argument(
        "--real-data",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"suites: folder of real recordings (default: ${REAL_DATA_ENV}, see below)",
    )
    bench.add_argument("--card", type=Path, default=None, help="suites: also write the data card of the dataset here")
    bench.add_argument(
        "--generators",
        default="",
        help="epilepsy: also fit these data-driven generators on Bonn and compare them (phase,iaaft,ar,var,vae_mmd); "
        "realism: the candidates (fitted,ar,defaults,iaaft; default fitted or ar,defaults,iaaft)",
    )
    bench.add_argument("--quick", action="store_true", help="realism: 4 recordings, 20 Bonn segments per part")
    bench.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="realism: draws (seeds SEED, SEED+1, ...) per recording; the tables report their median (default 1)",
    )
    add_output(
        bench, required=False, help_text="JSON results path (realism: the Markdown and JSON pair) (default: print only)"
    )
    bench.set_defaults(handler=run)
    return bench


def run(args: argparse.Namespace) -> int:
    """Run the slice benchmark or a suite; print and write the results."""
    from biosynth._utils import atomic_output, check_int, check_output_path
    from biosynth.bench import run_slice_benchmark

    if args.out is not None:
        check_output_path(args.out, overwrite=args.overwrite)
    if args.suite == "realism":
        return run_realism_command(args)
    if args.suite is not None:
        return run_suite_command(args)
    results = run_slice_benchmark(
        n_records=check_int("--n-records", args.n_records, low=1),
        duration=4.0 if args.duration is None else args.duration,
        repeat=check_int("--repeat", args.repeat, low=1),
        seed=args.seed,
    )
    for stage, seconds in results["best_s"].items():
        print(f"{stage:>10}: {seconds * 1e3:9.1f} ms")
    print(f"generation: {results['samples_per_s']:.3g} samples/s")
    if args.out is not None:
        with atomic_output(args.out, overwrite=args.overwrite) as tmp:
            tmp.write_text(json.dumps(results, indent=2))
        print(f"wrote {args.out}")
    return EXIT_OK


def run_suite_command(args: argparse.Namespace) -> int:
    """Run the epilepsy or Parkinson's suite; print the summary and write the outputs."""
    from biosynth._utils import check_int, check_output_path, check_positive
    from biosynth.bench import markdown_summary, run_suite, write_outputs

    if args.card is not None:
        check_output_path(args.card, overwrite=args.overwrite)  # the card itself is written at the end

    result = run_suite(
        args.suite,
        n_records=check_int("--n-records", args.n_records, low=1),
        duration=10.0 if args.duration is None else check_positive("--duration", args.duration, unit="s"),
        chunk_size=check_int("--chunk-size", args.chunk_size, low=1),
        n_compare=check_int("--n-compare", args.n_compare, low=2),
        seed=args.seed,
        device=args.device,
        scheduler=args.scheduler,
        out_dir=args.resume_dir,
        scaling=args.scaling,
        max_records=check_int("--max-records", args.max_records, low=10),
        card=args.card,
        generators=tuple(name_list("--generators", args.generators)) if args.generators else (),
        real_data=args.real_data,
    )
    print(markdown_summary(result))
    if args.out is not None:
        paths = write_outputs(result, args.out, overwrite=args.overwrite)
        print("wrote " + ", ".join(str(p) for p in paths))
    return EXIT_OK


def run_realism_command(args: argparse.Namespace) -> int:
    """Run the realism benchmark on the real-data folder; print the tables and write them."""
    from biosynth._utils import check_output_path
    from biosynth.bench.realism_suite import realism_markdown, run_realism, write_realism

    if args.out is not None:  # both files, before the long run
        for path in (args.out.with_suffix(".md"), args.out.with_suffix(".json")):
            check_output_path(path, overwrite=args.overwrite)
    generators = name_list("--generators", args.generators) if args.generators else None
    result = run_realism(
        args.real_data, generators=generators, quick=args.quick, seed=args.seed, repeats=args.repeats, log=print
    )
    print(realism_markdown(result))
    if args.out is not None:
        paths = write_realism(result, args.out, overwrite=args.overwrite)
        print("wrote " + ", ".join(str(p) for p in paths))
    return EXIT_OK
