# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth generate``: one module per KIND of signal (``eeg``, ``ecg``, ``ioecog``,
``parkinson``) and ``--model`` for a generator saved by ``biosynth fit``."""

from __future__ import annotations

import argparse
from typing import Any

from biosynth.cli._common import Parser, command
from biosynth.cli.generate import ecg, eeg, ioecog, model, parkinson

EXAMPLES = (
    "biosynth generate eeg --like sample:eeglab --n-records 30 --duration 4 --seed 0 -o syn.nc",
    "biosynth generate eeg --channels Fz,Cz,Pz --sfreq 250 --duration 60 --seed 1 -o rest.edf",
    "biosynth generate --model eeg_model.npz --n-records 30 --duration 4 --seed 0 -o fitted.nc",
)


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add ``generate`` and its kinds to the subcommands of ``biosynth``."""
    gen = command(
        sub,
        "generate",
        "generate synthetic signals",
        "Generate synthetic signals of one KIND (see 'biosynth generate KIND --help'), or sample them from a "
        "generator saved by 'biosynth fit' (--model MODEL, without KIND).",
        EXAMPLES,
    )
    kinds = gen.add_subparsers(dest="kind", metavar="KIND", parser_class=Parser)
    for module in (eeg, ecg, ioecog, parkinson):
        module.add_parser(kinds)
    model.add_arguments(gen)
    gen.set_defaults(handler=run)
    return gen


def run(args: argparse.Namespace) -> int:
    """Run the KIND's handler, or ``--model``'s without KIND."""
    if args.kind is None:
        return model.run(args)
    if args.model is not None:
        raise ValueError(f"--model samples a saved generator; give either KIND ({args.kind}) or --model, not both.")
    before = model.given(args)
    if before:
        raise ValueError(
            f"{before[0]} comes before KIND; put the options of 'generate {args.kind}' after it "
            f"(biosynth generate {args.kind} {before[0]} ...)."
        )
    return args.run_kind(args)
