# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth generate parkinson``: the options as :func:`biosynth.generators.simulate_parkinson`
keywords, one file per signal with the events in each. No science lives here."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from biosynth.cli._common import (
    EXIT_OK,
    event_counts,
    finish_generate_kind,
    generate_kind,
    name_list,
)

DESCRIPTION = (
    "Parkinson's disease: subthalamic LFP (bipolar DBS contacts), motor-cortex EEG, tremor "
    "accelerometry and EMG from one seeded latent state: beta bursts set by the medication "
    "state, rest tremor with cortico-muscular coherence, beta-gamma phase-amplitude coupling, "
    "optional DBS. One file per signal: OUT's name gains _lfp, _eeg, _acc, _emg; the ground-truth "
    "events (bursts, tremor episodes) are stored in each."
)
EXAMPLES = (
    "biosynth generate parkinson --duration 60 --medication off --seed 0 -o pd_off.nc",
    "biosynth generate parkinson --n-records 20 --duration 30 --medication on --signals lfp,eeg --seed 1 -o pd_on.nc",
    "biosynth generate parkinson --duration 60 --dbs 130 --seed 2 -o pd_dbs.nc",
)


def add_parser(kinds: Any) -> argparse.ArgumentParser:
    """Add ``parkinson`` to the kinds of ``biosynth generate``."""
    parser = generate_kind(
        kinds,
        "parkinson",
        "Parkinsonian STN LFP, motor EEG, tremor ACC/EMG: beta bursts by medication state, DBS",
        DESCRIPTION,
        EXAMPLES,
        duration=60.0,
        sfreq=1000.0,
    )
    add = parser.add_argument
    add("--medication", choices=("off", "on"), default="off", help="dopaminergic medication state (default off)")
    add("--signals", default="lfp,eeg,acc,emg", help="comma-separated signals to write (default all four)")
    add("--beta-freq", type=float, default=20.0, help="beta carrier frequency in Hz (default 20)")
    add("--tremor-freq", type=float, default=5.0, help="rest tremor frequency in Hz (default 5)")
    add("--pac", type=float, default=0.5, help="beta-phase modulation depth of gamma, 0-1 (default 0.5)")
    add("--dbs", type=float, default=None, metavar="HZ", help="deep brain stimulation at this frequency (e.g. 130)")
    return finish_generate_kind(
        parser,
        run,
        output_help="output name (.nc, .zarr, .npz); _lfp, _eeg, _acc, _emg are added",
        seed_help="random seed (default: fresh, stored in the files)",
    )


def outputs(out: Path, kinds: Iterable[str]) -> dict[str, Path]:
    """One path per signal: ``pd.nc`` -> ``pd_lfp.nc``, ``pd_eeg.nc``, ...

    Parameters
    ----------
    out : Path
        The name given to ``--out``.
    kinds : iterable of str
        The signals (``"lfp"``, ``"eeg"``, ``"acc"``, ``"emg"``).

    Returns
    -------
    paths : dict of str to Path
    """
    return {kind: out.with_name(f"{out.stem}_{kind}{out.suffix}") for kind in kinds}


def check_outputs(out: Path, kinds: Iterable[str], *, overwrite: bool) -> dict[str, Path]:
    """Check, before any work, that every per-signal file may be written.

    Parameters
    ----------
    out : Path
        The name given to ``--out``.
    kinds : iterable of str
        The signals.
    overwrite : bool
        Whether existing files may be replaced.

    Returns
    -------
    paths : dict of str to Path
        As :func:`outputs`.
    """
    from biosynth.signals import check_writable

    paths = outputs(out, kinds)
    for path in paths.values():
        check_writable(path, overwrite=overwrite)
    if out.suffix.lower() in (".edf", ".bdf"):
        raise ValueError("--out must be .nc, .zarr or .npz: the accelerometer is in m/s^2 and EDF here holds volts.")
    return paths


def write_signals(paths: dict[str, Path], data: Any, events: Any, *, overwrite: bool) -> None:
    """Write each signal to its file, with all the events in each.

    Parameters
    ----------
    paths : dict of str to Path
        As :func:`outputs`.
    data : mapping of str to DataArray
        The signals by kind.
    events : DataFrame
        The ground-truth events.
    overwrite : bool
        Whether existing files may be replaced.
    """
    from biosynth.signals import write

    for kind, path in paths.items():
        write(path, data[kind], events=events, overwrite=overwrite)


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """simulate_parkinson keywords from the command line.

    Parameters
    ----------
    args : Namespace
        The parsed command line.

    Returns
    -------
    settings : dict
        Keywords of :func:`biosynth.generators.simulate_parkinson` (all but duration and sfreq).
    """
    return {
        "n_records": args.n_records,
        "medication": args.medication,
        "signals": name_list("--signals", args.signals),
        "beta_freq": args.beta_freq,
        "tremor_freq": args.tremor_freq,
        "pac": args.pac,
        "dbs": None if args.dbs is None else {"freq": args.dbs},
        "seed": args.seed,
        "device": args.device,
    }


def run(args: argparse.Namespace) -> int:
    """Generate, check every output path first, then write one file per signal."""
    from biosynth.generators import simulate_parkinson

    options = settings(args)
    paths = check_outputs(args.out, options["signals"], overwrite=args.overwrite)
    data, events = simulate_parkinson(args.duration, args.sfreq, progress=True, return_events=True, **options)
    write_signals(paths, data, events, overwrite=args.overwrite)
    names = ", ".join(str(p) for p in paths.values())
    print(
        f"wrote {names}: {args.n_records} record(s) x {args.duration:g} s ({args.medication}); "
        f"events: {event_counts(events)}"
    )
    return EXIT_OK
