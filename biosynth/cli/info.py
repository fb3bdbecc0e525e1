# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth info`` (describe a signals file, or the installation) and ``biosynth
sys-info`` (the installation: versions of biosynth, numba, torch, CUDA)."""

from __future__ import annotations

import argparse
from typing import Any

from biosynth.cli._common import EXIT_OK, command


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add ``info`` to the subcommands of ``biosynth``."""
    info = command(
        sub,
        "info",
        "describe a signals file, or the installation",
        "Describe a signals file (shape, rate, units, events, provenance); without a file, print the versions "
        "of biosynth and its dependencies (numba, torch, CUDA).",
        ["biosynth info synthetic.nc", "biosynth info"],
    )
    info.add_argument("path", nargs="?", default=None, help="signals file or sample:NAME")
    info.set_defaults(handler=run)
    return info


def add_sys_info_parser(sub: Any) -> argparse.ArgumentParser:
    """Add ``sys-info`` to the subcommands of ``biosynth``."""
    parser = command(
        sub,
        "sys-info",
        "print the versions of biosynth and its dependencies",
        "Print the versions of biosynth and its dependencies (numba, torch, CUDA), as 'biosynth info' "
        "does without a file: paste it into bug reports.",
        ["biosynth sys-info"],
    )
    parser.set_defaults(handler=run_sys_info)
    return parser


def run(args: argparse.Namespace) -> int:
    """Describe ``args.path``, or the installation without one."""
    if args.path is None:
        return run_sys_info(args)
    from biosynth.card import describe
    from biosynth.datasets import open_signals

    signals, events = open_signals(args.path, return_events=True)
    print(describe(signals, events))
    return EXIT_OK


def run_sys_info(args: argparse.Namespace) -> int:
    """Print the versions of biosynth and its dependencies.

    Parameters
    ----------
    args : Namespace
        The parsed command line (unused).

    Returns
    -------
    code : int
        The exit code.
    """
    from biosynth.card import system_info

    print(system_info())
    return EXIT_OK
