# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth generate --model MODEL``: sample records from a generator saved by
``biosynth fit`` (:func:`biosynth.generators.load_generator`) and write them, with their
events where the family has them. No science lives here."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from biosynth.cli._common import (
    EXIT_OK,
    add_device,
    add_duration,
    add_n_records,
    add_output,
    add_seed,
    check_generate_output,
    event_counts,
    note_seed_outside_file,
)
from biosynth.cli.generate.parkinson import check_outputs, write_signals

#: Attribute prefix of the options of ``generate --model`` (given before any KIND).
PREFIX = "model_"

#: The options of ``generate --model`` as (option, attribute) pairs.
OPTIONS = (
    ("--n-records", f"{PREFIX}n_records"),
    ("--duration", f"{PREFIX}duration"),
    ("--seed", f"{PREFIX}seed"),
    ("--device", f"{PREFIX}device"),
    ("--out", f"{PREFIX}out"),
    ("--overwrite", f"{PREFIX}overwrite"),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``generate --model`` (on the ``generate`` parser itself).

    Parameters
    ----------
    parser : ArgumentParser
        The parser of ``biosynth generate``.
    """
    group = parser.add_argument_group("from a saved generator (instead of KIND)")
    group.add_argument("--model", type=Path, default=None, help="generator saved by 'biosynth fit' (.npz)")
    add_n_records(group, default=None, help_text="number of records (default 1)", prefix=PREFIX)
    add_duration(group, default=None, help_text="record length in s (default: the fitted records')", prefix=PREFIX)
    add_seed(group, prefix=PREFIX)
    add_device(group, prefix=PREFIX)
    add_output(
        group,
        required=False,
        help_text="output file: .nc, .zarr, .npz, .edf or .bdf (one record); "
        "multi-signal families add _lfp, _eeg, ... to the name",
        prefix=PREFIX,
    )


def given(args: argparse.Namespace) -> list[str]:
    """The options of ``generate --model`` that the command line gave.

    Parameters
    ----------
    args : Namespace
        The parsed command line.

    Returns
    -------
    options : list of str
        Their names (``"--seed"``), in the order of ``--help``.
    """
    defaults = {f"{PREFIX}device": "cpu", f"{PREFIX}overwrite": False}
    return [option for option, dest in OPTIONS if getattr(args, dest) != defaults.get(dest)]


def run(args: argparse.Namespace) -> int:
    """Load the generator, sample, write (events beside the signals)."""
    if args.model is None:
        raise ValueError(
            "give a KIND (eeg, ecg, ioecog, parkinson) or --model MODEL.npz; see 'biosynth generate --help'."
        )
    from biosynth._utils import check_int
    from biosynth.generators import GENERATORS, load_generator
    from biosynth.signals import check_writable, write

    out, overwrite = args.model_out, args.model_overwrite
    if out is None:
        raise ValueError("--model needs --out FILE (.nc, .zarr, .npz; .edf/.bdf for one record).")
    n_records = check_int("--n-records", 1 if args.model_n_records is None else args.model_n_records, low=1)
    generator = load_generator(args.model)
    per_signal = "parkinson" in GENERATORS and isinstance(generator, GENERATORS["parkinson"])
    if per_signal:  # the signals are known once sampled; their files are checked before any is written
        check_writable(out, overwrite=True)  # suffix and folder
        check_outputs(out, (), overwrite=overwrite)  # a format that holds every signal's units
    else:
        check_generate_output(out, n_records=n_records, overwrite=overwrite)
    data, events = generator.sample(
        n_records,
        duration=args.model_duration,
        seed=args.model_seed,
        first_record=0,
        progress=True,
        return_events=True,
        device=args.model_device,
    )
    if isinstance(data, Mapping):
        paths = check_outputs(out, list(data), overwrite=overwrite)
        write_signals(paths, data, events, overwrite=overwrite)
        target, first = ", ".join(str(p) for p in paths.values()), next(iter(data.values()))
        shape = f"{n_records} record(s) x {first.sizes['time'] / first.attrs['sfreq']:g} s"
    else:
        write(out, data, events=events, overwrite=overwrite)
        note_seed_outside_file(out, args.model_seed, data)
        target = str(out)
        seconds = data.sizes["time"] / data.attrs["sfreq"]
        shape = f"{n_records} record(s) x {data.sizes['channel']} channels x {seconds:g} s"
    print(f"wrote {target}: {shape} from {args.model}; events: {event_counts(events) or 'none'}")
    return EXIT_OK
