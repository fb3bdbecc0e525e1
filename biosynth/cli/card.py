# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth card``: write the data card of a generated file (:func:`biosynth.card.write_card`).
No science lives here."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from biosynth.cli._common import EXIT_OK, add_output, command


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add ``card`` to the subcommands of ``biosynth``."""
    card = command(
        sub,
        "card",
        "write a data card for generated signals",
        "Write a data card (YAML front matter + Markdown) from a generated file's provenance and, if given, "
        "its fidelity JSON.",
        ["biosynth card synthetic.nc --fidelity report.json --out synthetic_card.md"],
    )
    card.add_argument("signals", help="generated signals file")
    card.add_argument("--fidelity", type=Path, default=None, help="fidelity JSON written by 'biosynth fidelity'")
    add_output(card, help_text="Markdown card path")
    card.set_defaults(handler=run)
    return card


def run(args: argparse.Namespace) -> int:
    """Read the signals (and the fidelity summary), write the card."""
    from biosynth.card import check_fidelity_summary, write_card
    from biosynth.datasets import open_signals

    signals, events = open_signals(args.signals, return_events=True)
    fidelity = None
    if args.fidelity is not None:
        try:
            fidelity = json.loads(args.fidelity.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ValueError(f"--fidelity {str(args.fidelity)!r} is not a readable JSON file ({err}).") from None
        check_fidelity_summary(fidelity, name=f"--fidelity {str(args.fidelity)!r}")
    write_card(signals, args.out, events=events, fidelity=fidelity, overwrite=args.overwrite)
    print(f"wrote {args.out}")
    return EXIT_OK
