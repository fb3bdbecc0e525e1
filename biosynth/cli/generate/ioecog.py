# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth generate ioecog``: the options as :func:`biosynth.generators.simulate_ioecog`
keywords, written to a file or a BIDS-iEEG dataset. No science lives here."""

from __future__ import annotations

import argparse
from typing import Any

from biosynth.cli._common import (
    EXIT_OK,
    check_generate_output,
    event_counts,
    finish_generate_kind,
    generate_kind,
    name_list,
    note_seed_outside_file,
)

DESCRIPTION = (
    "Intraoperative ECoG on grids and strips at 1-5 kHz: steep 1/f background with "
    "distance-dependent correlation, propofol or burst-suppression anaesthesia, and an "
    "epileptogenic zone with interictal spikes, sharp waves, ripples, fast ripples and "
    "seizures. The ground-truth events are written beside the signals (or as BIDS-iEEG "
    "events.tsv with --bids, with channels.tsv and electrodes.tsv)."
)
EXAMPLES = (
    "biosynth generate ioecog --duration 60 --seed 0 -o ioecog.nc",
    "biosynth generate ioecog --layout 4x5:G,1x6:S --zone G7,G8 --seizure 20:30 --seizure-pattern epileptor "
    "--duration 90 --seed 1 -o seizure.edf",
    "biosynth generate ioecog --n-records 20 --duration 30 --anaesthesia burst_suppression --seed 2 --bids ds/",
)
_RATES = (("spikes", "spike", 6.0), ("sharp-waves", "sharp_wave", 2.0))
_HFO_RATES = (("ripples", "ripple", 4.0), ("fast-ripples", "fast_ripple", 1.0))


def add_parser(kinds: Any) -> argparse.ArgumentParser:
    """Add ``ioecog`` to the kinds of ``biosynth generate``."""
    parser = generate_kind(
        kinds,
        "ioecog",
        "intraoperative ECoG on grids/strips with labelled spikes, HFOs and seizures",
        DESCRIPTION,
        EXAMPLES,
        duration=60.0,
        sfreq=2000.0,
    )
    add = parser.add_argument
    add(
        "--layout",
        default="8x8@10mm",
        help="devices ROWSxCOLS[:PREFIX][@SPACING], e.g. '4x5:G,1x6:S' (default 8x8@10mm)",
    )
    add(
        "--zone",
        default=None,
        help="comma-separated contacts of the epileptogenic zone (default: centre of the first device)",
    )
    for option, _, rate in _RATES + _HFO_RATES:
        add(
            f"--{option}",
            type=float,
            default=rate,
            metavar="PER_MIN",
            help=f"events per minute (default {rate:g}; 0: none)",
        )
    add(
        "--hfo-on-spikes",
        type=float,
        default=None,
        metavar="SHARE",
        help="share of spikes carrying a ripple (default 0.4)",
    )
    add(
        "--seizure",
        action="append",
        default=[],
        metavar="ONSET[:DURATION]",
        help="seizure at ONSET s lasting DURATION s (default 30); repeatable",
    )
    add(
        "--seizure-pattern",
        choices=("lvfa", "rhythmic_spiking", "epileptor"),
        default="lvfa",
        help="seizure onset pattern",
    )
    add(
        "--anaesthesia",
        choices=("propofol", "burst_suppression", "none"),
        default="propofol",
        help="anaesthesia pattern (default propofol)",
    )
    add("--montage", choices=("referential", "average", "bipolar"), default="referential", help="channel montage")
    add("--exponent", type=float, default=3.0, help="aperiodic exponent (default 3)")
    add("--amplitude", type=float, default=100e-6, help="background SD in V (default 100e-6)")
    add("--line-noise", type=float, default=0.0, help="mains amplitude in V (default 0)")
    add("--line-freq", type=float, default=50.0, help="mains frequency in Hz (default 50)")
    add("--bids", default=None, metavar="DIR", help="write a BIDS-iEEG dataset to DIR instead of --out")
    return finish_generate_kind(
        parser, run, output_help="output file (.nc, .zarr, .npz; .edf/.bdf for one record)", output_required=False
    )


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """simulate_ioecog keywords from the command line.

    Parameters
    ----------
    args : Namespace
        The parsed command line.

    Returns
    -------
    settings : dict
        Keywords of :func:`biosynth.generators.simulate_ioecog` (all but duration and sfreq).
    """
    zone = name_list("--zone", args.zone) if args.zone else None
    spec: dict[str, dict[str, Any]] = {}
    for option, kind, _ in _RATES + _HFO_RATES:
        rate = getattr(args, option.replace("-", "_"))
        if rate < 0:
            raise ValueError(f"--{option} must be >= 0 events per minute, got {rate:g}.")
        if rate > 0 or (kind == "ripple" and args.hfo_on_spikes):
            spec[kind] = {"rate": rate}
    if args.hfo_on_spikes is not None and "ripple" in spec:
        spec["ripple"]["with_spikes"] = args.hfo_on_spikes
    if args.sfreq <= 900.0:
        spec.pop("fast_ripple", None)
    if args.seizure:
        onsets, durations = zip(*(_seizure(text) for text in args.seizure), strict=True)
        spec["seizure"] = {"onsets": list(onsets), "duration": list(durations), "onset_pattern": args.seizure_pattern}
    return {
        "n_records": args.n_records,
        "layout": args.layout,
        "zone": zone,
        "epileptiform": spec,
        "aperiodic_exponent": args.exponent,
        "amplitude": args.amplitude,
        "line_noise": args.line_noise,
        "line_freq": args.line_freq,
        "anaesthesia": None if args.anaesthesia == "none" else args.anaesthesia,
        "montage": args.montage,
        "seed": args.seed,
        "device": args.device,
    }


def _seizure(text: str) -> tuple[float, float]:
    """``ONSET[:DURATION]`` as (onset, duration) in s; the duration defaults to 30 s."""
    parts = text.split(":")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) not in (1, 2):
        raise ValueError(f"--seizure must be ONSET[:DURATION] in s, e.g. 20:30, got {text!r}.")
    return values[0], values[1] if len(values) == 2 else 30.0


def run(args: argparse.Namespace) -> int:
    """Generate, then write to --out (events beside the signals) or to a BIDS dataset."""
    from biosynth.generators import layout_from_provenance, simulate_ioecog
    from biosynth.signals import write, write_bids_ieeg

    if (args.out is None) == (args.bids is None):
        raise ValueError("give one of --out FILE or --bids DIR.")
    if args.out is not None:
        check_generate_output(args.out, n_records=args.n_records, overwrite=args.overwrite)
    elif args.montage == "bipolar":
        raise ValueError("--bids writes contacts with their positions; use --montage referential or average.")
    options = settings(args)
    data, events = simulate_ioecog(args.duration, args.sfreq, progress=True, return_events=True, **options)
    if args.bids is not None:
        paths = write_bids_ieeg(args.bids, data, layout_from_provenance(data), events, overwrite=args.overwrite)
        target = f"{args.bids} ({len(paths)} files)"
    else:
        write(args.out, data, events=events, overwrite=args.overwrite)
        note_seed_outside_file(args.out, args.seed, data)
        target = str(args.out)
    print(
        f"wrote {target}: {args.n_records} record(s) x {data.sizes['channel']} channels x {args.duration:g} s "
        f"of ioECoG; event rows: {event_counts(events) or 'none'}"
    )
    return EXIT_OK
