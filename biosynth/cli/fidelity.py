# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth fidelity``: read real and synthetic signals, call
:func:`biosynth.fidelity.compare`, write the HTML report and the JSON summary. No
science lives here."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from biosynth.cli._common import (
    EXIT_OK,
    REAL_DATA_NOTE,
    REAL_HELP,
    add_device,
    add_output,
    add_seed,
    add_window,
    command,
    name_list,
    open_window,
)

#: Report sections (kept in step with biosynth.fidelity.SECTIONS by a test; the CLI
#: does not import the library before it needs it).
SECTIONS = ("spectral", "statistical", "nonlinear", "multivariate", "plausibility", "privacy", "utility")

EXAMPLES = (
    "biosynth fidelity sample:eeglab synthetic.nc --epoch 4 --out report.html",
    "biosynth fidelity train.edf synthetic.nc --holdout test.edf --epoch 2 --out report.html",
    "biosynth fidelity rec.edf synthetic.nc --window 30 60 --training rec.edf --training-window 0 30 --out report.html",
    "biosynth fidelity real.nc synthetic.nc --sections spectral,statistical --out quick.html",
    "biosynth fidelity real.nc synthetic.nc --device cuda --out report.html",
)


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add ``fidelity`` to the subcommands of ``biosynth``."""
    fid = command(
        sub,
        "fidelity",
        "compare synthetic with real signals and write a report",
        "Measure how faithful SYNTH is to REAL; write an HTML report and a JSON summary.",
        EXAMPLES,
        note=REAL_DATA_NOTE,
    )
    fid.add_argument("real", help=REAL_HELP)
    fid.add_argument("synthetic", help="synthetic signals (file)")
    fid.add_argument("--epoch", type=float, default=4.0, help="cut both into epochs of this many s (default 4)")
    fid.add_argument(
        "--holdout",
        default=None,
        metavar="HOLDOUT",
        help="real recording the generator never saw (REAL being what it was fitted on): adds the privacy section",
    )
    fid.add_argument(
        "--training",
        default=None,
        metavar="TRAINING",
        help="real recording the generator was fitted on, when REAL is held out: adds the privacy section",
    )
    add_window(fid, "--window", "use only START to STOP s of REAL")
    add_window(fid, "--training-window", "use only START to STOP s of TRAINING")
    fid.add_argument(
        "--sections",
        default=None,
        help="comma-separated sections to compute (default: all the inputs allow): " + ",".join(SECTIONS),
    )
    add_seed(fid, default=0, help_text="seed of subsampling, permutations and folds (default 0)")
    add_device(fid, help_text="'cpu' or a torch device such as 'cuda' for the heavy comparisons (torch extra)")
    fid.add_argument("--json", type=Path, default=None, help="JSON summary path (default: beside --out)")
    add_output(fid, help_text="HTML report path")
    fid.set_defaults(handler=run)
    return fid


def check_sections(text: str | None, holdout: str | None) -> list[str] | None:
    """``--sections`` as names of sections the command can compute.

    Parameters
    ----------
    text : str or None
        What ``--sections`` gave (None: all the inputs allow).
    holdout : str or None
        What ``--holdout`` gave; the privacy section needs it.

    Returns
    -------
    sections : list of str or None
    """
    if text is None:
        return None
    names = name_list("--sections", text)
    unknown = [n for n in names if n not in SECTIONS or n == "utility"]
    if unknown:
        usable = [s for s in SECTIONS if s != "utility"]
        raise ValueError(f"--sections must be names from {usable} (utility needs labels: Python API), got {unknown}.")
    if "privacy" in names and holdout is None:
        raise ValueError("--sections asks for 'privacy', which needs --holdout or --training (the other real set).")
    return names


def run(args: argparse.Namespace) -> int:
    """Compare, write the report and the summary, print one line per section."""
    from biosynth._utils import check_device, check_output_path, check_positive
    from biosynth.datasets import open_signals
    from biosynth.fidelity import compare, write_report

    check_positive("--epoch", args.epoch, unit="s")
    if args.holdout and args.training:
        raise ValueError("give --holdout (REAL is the training data) or --training (REAL is held out), not both.")
    sections = check_sections(args.sections, args.holdout or args.training)
    device = check_device(args.device)
    json_path = args.json if args.json is not None else args.out.with_suffix(".json")
    if json_path.resolve() == args.out.resolve():
        raise ValueError(f"--out and --json are the same file ({str(args.out)!r}); give the report an .html name.")
    for target in (args.out, json_path):
        check_output_path(target, overwrite=args.overwrite)  # before the long work
    real = open_window(args.real, args.window, "--window")
    synthetic = open_signals(args.synthetic)
    holdout = open_signals(args.holdout) if args.holdout else None
    training = open_window(args.training, args.training_window, "--training-window") if args.training else None
    result = compare(
        real,
        synthetic,
        epoch_duration=args.epoch,
        holdout=holdout,
        training=training,
        sections=sections,
        seed=args.seed,
        device=device,
        progress=True,
    )
    paths = write_report(result, args.out, json_path=args.json, overwrite=args.overwrite)
    for section, row in result.summary().iterrows():
        print(f"{section:>13}: {int(row['close'])}/{int(row['metrics'])} metrics within 1.5x of real-vs-real")
    print(f"wrote {paths['html']} and {paths['json']}")
    return EXIT_OK
