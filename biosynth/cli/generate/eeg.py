# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth generate eeg``: scalp EEG in memory (a batch) or streamed to disk (one long
record). No science lives here: the options become :func:`biosynth.generators.simulate_eeg`
keywords (``--like`` takes them from :func:`biosynth.generators.match_recording`)."""

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
    "Scalp EEG: aperiodic background (exponent, knee, offset), alpha with eyes-open/closed reactivity, "
    "beta and theta bursts (or sleep spindles), on a spherical-head forward model (--spatial sphere); "
    "optional artefacts and spikes with their events stored beside the signals. --stream writes one long "
    "record chunk by chunk in bounded memory."
)
EXAMPLES = (
    "biosynth generate eeg --like sample:eeglab --n-records 30 --duration 4 --seed 0 -o syn.nc",
    "biosynth generate eeg --spatial sphere --channels Fp1,Fp2,F3,F4,C3,C4,P3,P4,O1,O2 --states open "
    "--artefacts blink,muscle,line_noise --duration 600 --seed 1 -o rest.edf",
    "biosynth generate eeg --spatial sphere --channels Fz,Cz,Pz,Oz,T7,T8 --states closed:30,open:30 "
    "--spikes T7 --duration 3600 --stream --seed 2 -o hour.nc",
)


def add_parser(kinds: Any) -> argparse.ArgumentParser:
    """Add ``eeg`` to the kinds of ``biosynth generate``."""
    eeg = generate_kind(
        kinds,
        "eeg",
        "scalp EEG: 1/f background, rhythms, states, artefacts, epileptiform events",
        DESCRIPTION,
        EXAMPLES,
        duration=10.0,
        sfreq=None,
        sfreq_help="sampling rate in Hz (default 256, or --like's)",
    )
    eeg.add_argument("--channels", default=None, help="comma-separated channel names (default Fz,Cz,Pz,Oz)")
    eeg.add_argument(
        "--like",
        default=None,
        metavar="REAL",
        help="copy rate, channel names, amplitude, channel correlation, 1/f exponent and alpha from a recording",
    )
    eeg.add_argument("--exponent", type=float, default=None, help="aperiodic 1/f exponent (default 1.5, or --like's)")
    eeg.add_argument("--knee", type=float, default=0.0, help="aperiodic knee in Hz**exponent (default 0)")
    eeg.add_argument("--offset", type=float, default=None, help="aperiodic offset, log10 V^2/Hz (replaces amplitude)")
    eeg.add_argument("--alpha-freq", type=float, default=None, help="alpha peak in Hz (default 10, or --like's)")
    eeg.add_argument("--alpha-height", type=float, default=None, help="alpha height, log10 (default 1, or --like's)")
    eeg.add_argument("--reactivity", type=float, default=2.0, help="eyes-closed/open alpha power (default 2)")
    eeg.add_argument(
        "--rhythms",
        choices=("rest", "none", "spindles"),
        default="rest",
        help="beta+theta bursts (rest), sleep spindles",
    )
    eeg.add_argument(
        "--states", default="closed", help="'closed', 'open' or blocks such as closed:30,open:30 (s, repeated)"
    )
    eeg.add_argument("--amplitude", type=float, default=None, help="channel SD in V (default 20e-6, or --like's)")
    eeg.add_argument(
        "--correlation", type=float, default=None, help="inter-channel correlation (default 0.3, or --like's)"
    )
    eeg.add_argument("--spatial", choices=("uniform", "sphere"), default="uniform", help="spatial model")
    eeg.add_argument(
        "--reference", choices=("average", "linked_mastoids", "none"), default=None, help="sphere reference (average)"
    )
    eeg.add_argument(
        "--artefacts", default=None, help="comma-separated kinds: blink,saccade,muscle,line_noise,pop,drift"
    )
    eeg.add_argument("--spikes", default=None, metavar="CHANNELS", help="interictal spikes on these channels (1/min)")
    eeg.add_argument(
        "--chunk-size",
        type=int,
        default=None,
        help="records per chunk (no effect: records are rendered one at a time; accepted until 0.3)",
    )
    eeg.add_argument(
        "--stream",
        action="store_true",
        help="write one long record chunk by chunk in bounded memory (.nc/.zarr/.edf/.bdf; no record dim)",
    )
    return finish_generate_kind(eeg, run, output_help="output file: .nc, .zarr, .npz, .edf or .bdf")


def run(args: argparse.Namespace) -> int:
    """Generate EEG and write it (events beside the signals)."""
    from biosynth.datasets import open_signals
    from biosynth.generators import match_recording, write_eeg

    check_generate_output(args.out, n_records=args.n_records, overwrite=args.overwrite)
    settings = _settings(args, match_recording(open_signals(args.like)) if args.like else {})
    if args.stream:
        if args.n_records != 1 or args.out.suffix.lower() not in (".nc", ".zarr", ".edf", ".bdf"):
            raise ValueError("--stream writes one record (--n-records 1) to .nc, .zarr, .edf or .bdf.")
        if settings["seed"] is None:  # drawn here so it can be printed: EDF/BDF keep no provenance
            from numpy.random import SeedSequence

            settings["seed"] = int(SeedSequence().entropy)
        events = write_eeg(args.out, args.duration, settings.pop("sfreq"), overwrite=args.overwrite, **settings)
        n_channels = len(settings["ch_names"])
        if args.seed is None and args.out.suffix.lower() in (".edf", ".bdf"):
            print(f"{args.out.suffix} keeps no provenance; to regenerate these data pass --seed {settings['seed']}")
    else:
        events, n_channels = _generate_batch(args, settings)
    print(
        f"wrote {args.out}: {args.n_records} record(s) x {n_channels} channels x {args.duration:g} s; "
        f"events: {event_counts(events)}"
    )
    return EXIT_OK


def _settings(args: argparse.Namespace, like: dict) -> dict:
    """simulate_eeg keywords from the command line (and --like's matched settings)."""
    from biosynth.generators import SLEEP_SPINDLES

    channels = name_list("--channels", args.channels) if args.channels is not None else like.get("ch_names")
    settings = {
        "sfreq": args.sfreq if args.sfreq is not None else like.get("sfreq", 256.0),
        "ch_names": channels or ["Fz", "Cz", "Pz", "Oz"],
        "aperiodic_exponent": _given(args.exponent, like, "aperiodic_exponent", 1.5),
        "aperiodic_knee": args.knee,
        "alpha_freq": _given(args.alpha_freq, like, "alpha_freq", 10.0),
        "alpha_height": _given(args.alpha_height, like, "alpha_height", 1.0),
        "alpha_reactivity": args.reactivity,
        "rhythms": {"rest": None, "none": (), "spindles": (SLEEP_SPINDLES,)}[args.rhythms],
        "states": _parse_states(args.states),
        "spatial": args.spatial,
        "seed": args.seed,
        "device": args.device,
    }
    if args.offset is not None:
        settings["aperiodic_offset"] = args.offset
    if args.amplitude is not None or args.offset is None:  # both given: simulate_eeg says which to drop
        settings["amplitude"] = args.amplitude if args.amplitude is not None else like.get("amplitude", 20e-6)
    if args.reference is not None:  # "uniform" refuses it with a message
        settings["reference"] = None if args.reference == "none" else args.reference
    if args.spatial == "sphere" and args.correlation is not None:
        raise ValueError("--correlation applies to --spatial uniform; the sphere model's correlation follows distance.")
    if args.spatial == "uniform":
        corr = args.correlation if args.correlation is not None else like.get("spatial_correlation", 0.3)
        settings["spatial_correlation"] = corr
    if args.artefacts is not None:
        settings["artefacts"] = dict.fromkeys(name_list("--artefacts", args.artefacts))
    if args.spikes is not None:
        settings["epileptiform"] = {"spike": {"channels": name_list("--spikes", args.spikes)}}
    return settings


def _given(value: float | None, like: dict, key: str, default: float) -> float:
    """The option if given, else --like's fitted value, else the default."""
    return value if value is not None else like.get(key, default)


def _parse_states(text: str) -> str | list[tuple[str, float]]:
    """'closed', 'open' or 'closed:30,open:30' as simulate_eeg's states."""
    names = {"closed": "eyes_closed", "open": "eyes_open"}
    if ":" not in text:
        if text not in names:
            raise ValueError(f"--states must be 'closed', 'open' or blocks like closed:30,open:30; got {text!r}.")
        return names[text]
    blocks = []
    for item in name_list("--states", text):
        state, _, seconds = item.partition(":")
        try:
            blocks.append((names[state], float(seconds)))
        except (KeyError, ValueError):
            raise ValueError(f"--states blocks must read closed:SECONDS or open:SECONDS; got {item!r}.") from None
    return blocks


def _generate_batch(args: argparse.Namespace, settings: dict) -> tuple[Any, int]:
    """Many records (or .npz): generated in memory, events written beside the signals."""
    from biosynth.generators import simulate_eeg
    from biosynth.signals import write

    if args.chunk_size is not None:  # no effect (and deprecated by simulate_eeg); passed only when given
        settings["chunk_size"] = args.chunk_size
    data, events = simulate_eeg(
        args.duration, settings.pop("sfreq"), n_records=args.n_records, progress=True, return_events=True, **settings
    )
    write(args.out, data, events=events, overwrite=args.overwrite)
    note_seed_outside_file(args.out, args.seed, data)
    return events, data.sizes["channel"]
