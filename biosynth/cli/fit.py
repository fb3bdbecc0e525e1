# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth fit FAMILY REAL --out MODEL.npz``: fit a generator of the registry
(:data:`biosynth.generators.GENERATORS`) to a real recording and save it for
``biosynth generate --model``. No science lives here."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from biosynth.cli._common import EXIT_OK, REAL_DATA_NOTE, REAL_HELP, add_output, add_window, command, open_window

EXAMPLES = (
    "biosynth fit eeg sample:eeglab --epoch 4 --out eeg_model.npz",
    "biosynth fit spectral sample:eeglab --window 0 30 --out model.npz",
    "biosynth fit spectral recording.edf --positions colin27_1020 --transients --out model.npz",
    "biosynth generate --model eeg_model.npz --n-records 30 --duration 4 --seed 0 -o fitted.nc",
    "biosynth fit iaaft recording.edf --out iaaft_model.npz",
)


class Families:
    """The generator families of :data:`biosynth.generators.GENERATORS`, read when
    argparse first checks or lists them (so building the parser imports no library)."""

    def _names(self) -> list[str]:
        from biosynth.generators import GENERATORS

        return list(GENERATORS)

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add ``fit`` to the subcommands of ``biosynth``."""
    fit = command(
        sub,
        "fit",
        "fit a generator to real recordings and save it",
        "Fit a generator of one FAMILY to REAL (every parameter it can learn from the recording) and save it "
        "as one .npz file (a JSON header and the fitted arrays, no pickle; the surrogate families phase and "
        "iaaft keep the real records they rearrange); 'biosynth generate --model' samples from it.",
        EXAMPLES,
        note=REAL_DATA_NOTE,
    )
    fit.add_argument("family", metavar="FAMILY", choices=Families(), help="generator family: %(choices)s")
    fit.add_argument("real", metavar="REAL", help=REAL_HELP)
    fit.add_argument(
        "--epoch", type=float, default=None, metavar="S", help="cut REAL into epochs of S s before fitting"
    )
    add_window(fit, "--window", "fit on START to STOP s of REAL only (keep the rest as held-out data)")
    fit.add_argument(
        "--positions",
        default=None,
        metavar="MONTAGE_OR_TSV",
        help="spectral only: channel positions for the distance model of coherence, an MNE standard montage "
        "name (e.g. colin27_1020) or a BIDS electrodes.tsv (name, x, y, z in mm)",
    )
    fit.add_argument(
        "--transients",
        action="store_true",
        help="spectral only: learn the transient events (spikes, pops, blinks) and place them at their rates",
    )
    add_output(fit, help_text="fitted generator (.npz)")
    fit.set_defaults(handler=run)
    return fit


def _spectral_options(args: argparse.Namespace) -> Any:
    """The positions of ``--positions`` (a montage name as given, or the Layout of an
    electrodes.tsv), checked before the long work; the spectral-only flags refused for
    other families."""
    if args.family != "spectral":
        for flag, given in (("--positions", args.positions is not None), ("--transients", args.transients)):
            if given:
                raise ValueError(f"{flag} applies to the spectral family only, got family {args.family!r}.")
        return None
    positions = args.positions
    if positions is None or not positions.lower().endswith(".tsv"):
        return positions
    if not Path(positions).is_file():
        raise ValueError(
            f"--positions {positions!r} does not exist; expected an MNE montage name or a BIDS electrodes.tsv."
        )
    from biosynth.signals.layouts import read_electrodes_tsv

    return read_electrodes_tsv(positions)


def _fit(args: argparse.Namespace, real: Any, positions: Any) -> Any:
    """The generator of ``args.family`` fitted to ``real``, with the spectral options."""
    from biosynth.generators import GENERATORS

    if args.family != "spectral":
        return GENERATORS[args.family]().fit(real)
    return GENERATORS["spectral"](transients=args.transients).fit(real, positions=positions)


def run(args: argparse.Namespace) -> int:
    """Read REAL (cut into epochs), fit, save."""
    from biosynth._utils import check_output_path, check_positive
    from biosynth.signals import epochs

    out: Path = args.out
    if out.suffix.lower() != ".npz":
        raise ValueError(f"--out must be an .npz file (the saved generator), got {str(out)!r}.")
    if args.epoch is not None:
        check_positive("--epoch", args.epoch, unit="s")
    check_output_path(out, overwrite=args.overwrite)  # before the long work
    positions = _spectral_options(args)
    real = open_window(args.real, args.window, "--window")
    if args.epoch is not None:
        real = epochs(real, args.epoch)
    generator = _fit(args, real, positions)
    generator.save(out, overwrite=args.overwrite)
    n_records = real.sizes.get("record", 1)
    seconds = real.sizes["time"] / real.attrs["sfreq"]
    print(
        f"wrote {out}: {args.family} generator fitted on {args.real} "
        f"({n_records} record(s) x {real.sizes['channel']} channels x {seconds:g} s)"
    )
    return EXIT_OK
