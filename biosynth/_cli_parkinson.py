# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth generate parkinson``: arguments and handler (kept out of cli.py, which
registers it). No science lives here."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``generate parkinson``."""
    add = parser.add_argument
    add("--duration", type=float, default=60.0, help="record length in s (default 60)")
    add("--sfreq", type=float, default=1000.0, help="sampling rate in Hz (default 1000)")
    add("--n-records", type=int, default=1, help="number of records (default 1)")
    add("--medication", choices=("off", "on"), default="off", help="dopaminergic medication state (default off)")
    add("--signals", default="lfp,eeg,acc,emg", help="comma-separated signals to write (default all four)")
    add("--beta-freq", type=float, default=20.0, help="beta carrier frequency in Hz (default 20)")
    add("--tremor-freq", type=float, default=5.0, help="rest tremor frequency in Hz (default 5)")
    add("--pac", type=float, default=0.5, help="beta-phase modulation depth of gamma, 0-1 (default 0.5)")
    add("--dbs", type=float, default=None, metavar="HZ", help="deep brain stimulation at this frequency (e.g. 130)")
    add("--seed", type=int, default=None, help="random seed (default: fresh, stored in the files)")


def outputs(out: Path, kinds: list[str]) -> dict[str, Path]:
    """One path per signal: ``pd.nc`` -> ``pd_lfp.nc``, ``pd_eeg.nc``, ..."""
    return {kind: out.with_name(f"{out.stem}_{kind}{out.suffix}") for kind in kinds}


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """simulate_parkinson keywords from the command line."""
    from biosynth.cli import _name_list

    return {
        "n_records": args.n_records,
        "medication": args.medication,
        "signals": _name_list("--signals", args.signals),
        "beta_freq": args.beta_freq,
        "tremor_freq": args.tremor_freq,
        "pac": args.pac,
        "dbs": None if args.dbs is None else {"freq": args.dbs},
        "seed": args.seed,
    }


def run(args: argparse.Namespace) -> int:
    """Generate, check every output path first, then write one file per signal."""
    from biosynth.cli import EXIT_OK
    from biosynth.generators import simulate_parkinson
    from biosynth.signals import check_writable, write

    options = settings(args)
    paths = outputs(args.out, options["signals"])
    for path in paths.values():
        check_writable(path, overwrite=args.overwrite)
    if args.out.suffix.lower() in (".edf", ".bdf"):
        raise ValueError("--out must be .nc, .zarr or .npz: the accelerometer is in m/s^2 and EDF here holds volts.")
    data, events = simulate_parkinson(args.duration, args.sfreq, progress=True, return_events=True, **options)
    for kind, path in paths.items():
        write(path, data[kind], events=events, overwrite=args.overwrite)
    kinds = ", ".join(f"{n} {k}" for k, n in events["type"].value_counts().sort_index().items())
    names = ", ".join(str(p) for p in paths.values())
    print(f"wrote {names}: {args.n_records} record(s) x {args.duration:g} s ({args.medication}); events: {kinds}")
    return EXIT_OK
