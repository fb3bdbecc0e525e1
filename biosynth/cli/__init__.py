# SPDX-License-Identifier: BSD-3-Clause
"""The ``biosynth`` command: parse, call one library function, write, return an exit
code. No science lives here.

One module per subcommand (``generate/``, ``fit``, ``fidelity``, ``bench``, ``card``,
``info``), each with ``add_parser(sub)`` (adds and returns its parser) and a
``run(args)`` handler (takes the parsed command line, returns the exit code); what they share
(options, output checks, error handling) is in ``_common``. Nothing in the library
imports this package.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from collections.abc import Sequence
from typing import Any

from biosynth.cli import bench, card, fidelity, fit, generate, info
from biosynth.cli._common import EXIT_INTERRUPTED, EXIT_USER_ERROR, USER_ERRORS, Parser, one_line
from biosynth.cli._common import EXIT_OK as EXIT_OK  # biosynth.cli.EXIT_OK of the old cli.py, kept

EPILOG = """\
examples:
  biosynth generate eeg --like sample:eeglab --n-records 30 --duration 4 --seed 0 -o synthetic.nc
  biosynth generate ecg --heart-rate 70 --n-records 10 --duration 60 --seed 0 -o ecg.nc
  biosynth fit eeg sample:eeglab --epoch 4 --out eeg_model.npz
  biosynth generate --model eeg_model.npz --n-records 30 --duration 4 --seed 0 -o fitted.nc
  biosynth fidelity sample:eeglab synthetic.nc --epoch 4 --out report.html
  biosynth info synthetic.nc
  biosynth card synthetic.nc --fidelity report.json --out synthetic_card.md
  biosynth bench --n-records 100

REAL and SYNTH may be any file MNE reads (EDF, BDF, BrainVision, FIF, EEGLAB), a WFDB
record, a biosynth .nc/.zarr/.npz file, or sample:eeglab (a shipped real recording).
"""


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``biosynth`` and all its subcommands.

    Returns
    -------
    parser : ArgumentParser
        Each subcommand sets ``handler``, the function that runs it.
    """
    parser = Parser(
        prog="biosynth",
        description="Synthetic biosignals and the measures of their fidelity to real recordings.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks instead of one-line errors")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser, required=True)
    generate.add_parser(sub)
    fit.add_parser(sub)
    fidelity.add_parser(sub)
    bench.add_parser(sub)
    card.add_parser(sub)
    info.add_parser(sub)
    info.add_sys_info_parser(sub)
    return parser


def _version() -> str:
    from biosynth._version import __version__

    return f"biosynth {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``biosynth`` command.

    Parameters
    ----------
    argv : sequence of str or None, default=None
        The arguments after ``biosynth``; None reads ``sys.argv[1:]``.

    Returns
    -------
    code : int
        The exit code: 0 done, 2 bad input (one line on stderr; ``--debug`` shows the
        traceback), 130 interrupted.
    """
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        return args.handler(args)
    except USER_ERRORS as err:
        if args.debug:
            raise
        print(f"biosynth {args.command}: error: {one_line(err)}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("biosynth: interrupted; no output was replaced.", file=sys.stderr)
        return EXIT_INTERRUPTED


def _match_like(real: Any) -> dict:
    """``biosynth.cli.match_like`` until 0.3: :func:`biosynth.generators.match_recording`."""
    warnings.warn(
        "biosynth.cli.match_like is deprecated since 0.2 and will be removed in 0.3; "
        "use biosynth.generators.match_recording.",
        FutureWarning,
        stacklevel=2,
    )
    from biosynth.generators import match_recording

    return match_recording(real)


def __getattr__(name: str) -> Any:
    if name == "match_like":
        return _match_like
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["build_parser", "main"]
