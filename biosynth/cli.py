# SPDX-License-Identifier: BSD-3-Clause
"""The ``biosynth`` command: parse, call one library function, write, return an exit
code. No science lives here."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

#: Report sections (kept in step with biosynth.fidelity.SECTIONS by a test; the CLI
#: does not import the library before it needs it).
_SECTIONS = ("spectral", "statistical", "nonlinear", "multivariate", "plausibility", "privacy", "utility")

EXIT_OK = 0
EXIT_USER_ERROR = 2

_EPILOG_MAIN = """\
examples:
  biosynth generate eeg --like sample:eeglab --n-records 30 --duration 4 --seed 0 -o synthetic.nc
  biosynth generate ecg --heart-rate 70 --n-records 10 --duration 60 --seed 0 -o ecg.nc
  biosynth fidelity sample:eeglab synthetic.nc --epoch 4 --out report.html
  biosynth info synthetic.nc
  biosynth card synthetic.nc --fidelity report.json --out synthetic_card.md
  biosynth bench --n-records 100

REAL and SYNTH may be any file MNE reads (EDF, BDF, BrainVision, FIF, EEGLAB), a WFDB
record, a biosynth .nc/.zarr/.npz file, or sample:eeglab (a shipped real recording).
"""


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _add_output(parser: argparse.ArgumentParser, *, required: bool = True, help_text: str = "output file") -> None:
    parser.add_argument("-o", "--out", type=Path, required=required, help=help_text)
    parser.add_argument("--overwrite", action="store_true", help="replace the output if it exists")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="biosynth",
        description="Synthetic biosignals and the measures of their fidelity to real recordings.",
        epilog=_EPILOG_MAIN,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks instead of one-line errors")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser, required=True)
    _add_generate(sub)
    _add_fidelity(sub)
    _add_bench(sub)
    _add_card(sub)
    _add_info(sub)
    return parser


def _version() -> str:
    from biosynth._version import __version__

    return f"biosynth {__version__}"


def _command(sub, name: str, summary: str, description: str, examples: Sequence[str]) -> argparse.ArgumentParser:
    """Add a subcommand whose help ends with runnable examples."""
    label = "example" if len(examples) == 1 else "examples"
    return sub.add_parser(
        name,
        help=summary,
        description=description,
        epilog=f"{label}:\n" + "\n".join(f"  {e}" for e in examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _add_generate(sub) -> None:
    gen = _command(
        sub,
        "generate",
        "generate synthetic signals",
        "Generate synthetic signals of one KIND (see 'biosynth generate KIND --help').",
        [
            "biosynth generate eeg --like sample:eeglab --n-records 30 --duration 4 --seed 0 -o syn.nc",
            "biosynth generate eeg --channels Fz,Cz,Pz --sfreq 250 --duration 60 --seed 1 -o rest.edf",
        ],
    )
    kinds = gen.add_subparsers(dest="kind", metavar="KIND", parser_class=_Parser, required=True)
    eeg = _command(
        kinds,
        "eeg",
        "scalp EEG: 1/f background, rhythms, states, artefacts, epileptiform events",
        "Scalp EEG: aperiodic background (exponent, knee, offset), alpha with eyes-open/closed reactivity, "
        "beta and theta bursts (or sleep spindles), on a spherical-head forward model (--spatial sphere); "
        "optional artefacts and spikes with their events stored beside the signals. --stream writes one long "
        "record chunk by chunk in bounded memory.",
        [
            "biosynth generate eeg --like sample:eeglab --n-records 30 --duration 4 --seed 0 -o syn.nc",
            "biosynth generate eeg --spatial sphere --channels Fp1,Fp2,F3,F4,C3,C4,P3,P4,O1,O2 --states open "
            "--artefacts blink,muscle,line_noise --duration 600 --seed 1 -o rest.edf",
            "biosynth generate eeg --spatial sphere --channels Fz,Cz,Pz,Oz,T7,T8 --states closed:30,open:30 "
            "--spikes T7 --duration 3600 --stream --seed 2 -o hour.nc",
        ],
    )
    _add_eeg_arguments(eeg)
    eeg.set_defaults(handler=_cmd_generate_eeg)
    _add_generate_ecg(kinds)
    _add_generate_ioecog(kinds)
    _add_generate_parkinson(kinds)


def _add_generate_parkinson(kinds) -> None:
    from biosynth import _cli_parkinson

    parkinson = _command(
        kinds,
        "parkinson",
        "Parkinsonian STN LFP, motor EEG, tremor ACC/EMG: beta bursts by medication state, DBS",
        _cli_parkinson.DESCRIPTION,
        _cli_parkinson.EXAMPLES,
    )
    _cli_parkinson.add_arguments(parkinson)
    _add_output(parkinson, help_text="output name (.nc, .zarr, .npz); _lfp, _eeg, _acc, _emg are added")
    parkinson.set_defaults(handler=_cli_parkinson.run)


def _add_generate_ioecog(kinds) -> None:
    from biosynth import _cli_ioecog

    ioecog = _command(
        kinds,
        "ioecog",
        "intraoperative ECoG on grids/strips with labelled spikes, HFOs and seizures",
        _cli_ioecog.DESCRIPTION,
        _cli_ioecog.EXAMPLES,
    )
    _cli_ioecog.add_arguments(ioecog)
    _add_output(ioecog, required=False, help_text="output file (.nc, .zarr, .npz; .edf/.bdf for one record)")
    ioecog.set_defaults(handler=_cli_ioecog.run)


def _add_eeg_arguments(eeg: argparse.ArgumentParser) -> None:
    eeg.add_argument("--duration", type=float, default=10.0, help="record length in s (default 10)")
    eeg.add_argument("--sfreq", type=float, default=None, help="sampling rate in Hz (default 256, or --like's)")
    eeg.add_argument("--n-records", type=int, default=1, help="number of records (default 1)")
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
    eeg.add_argument("--chunk-size", type=int, default=16, help="records per chunk, bounds memory (default 16)")
    eeg.add_argument(
        "--stream",
        action="store_true",
        help="write one long record chunk by chunk in bounded memory (.nc/.zarr/.edf/.bdf; no record dim)",
    )
    eeg.add_argument("--seed", type=int, default=None, help="random seed (default: fresh, stored in the file)")
    eeg.add_argument("--device", default="cpu", help="'cpu' or a torch device such as 'cuda' (torch extra)")
    _add_output(eeg, help_text="output file: .nc, .zarr, .npz, .edf or .bdf")


def _add_generate_ecg(kinds) -> None:
    ecg = _command(
        kinds,
        "ecg",
        "ECG from the ECGSYN dynamical model, with R-peak ground truth",
        "ECG from the ECGSYN model (McSharry et al. 2003): RR process with LF and HF variability, PQRST "
        "morphology; every R peak and wave is stored as an event beside the signals.",
        [
            "biosynth generate ecg --heart-rate 70 --n-records 100 --duration 60 --sfreq 500 --seed 0 -o ecg.nc",
            "biosynth generate ecg --heart-rate 120 --lf-hf 2.0 --duration 300 --seed 1 -o stress.npz",
            "biosynth generate ecg --leads all --rhythm af --pvc-rate 0.1 --snr 20 --duration 30 --seed 2 -o af.nc",
        ],
    )
    ecg.add_argument("--duration", type=float, default=10.0, help="record length in s (default 10)")
    ecg.add_argument("--sfreq", type=float, default=500.0, help="sampling rate in Hz (default 500)")
    ecg.add_argument("--n-records", type=int, default=1, help="number of records (default 1)")
    ecg.add_argument("--heart-rate", type=float, default=60.0, help="mean heart rate in bpm, 30-200 (default 60)")
    ecg.add_argument("--hrv", type=float, default=1.0, help="heart-rate standard deviation in bpm (default 1)")
    ecg.add_argument("--lf-hf", type=float, default=0.5, help="LF/HF power ratio of the RR process (default 0.5)")
    ecg.add_argument("--amplitude", type=float, default=1e-3, help="R-peak amplitude in V (default 1e-3)")
    ecg.add_argument("--leads", default="II", help="comma-separated leads, or 'all' for the 12 standard (default II)")
    ecg.add_argument("--rhythm", choices=("sinus", "af"), default="sinus", help="sinus or atrial fibrillation")
    ecg.add_argument("--pvc-rate", type=float, default=0.0, help="share of beats that are PVCs, 0-0.5 (default 0)")
    ecg.add_argument(
        "--snr", type=float, default=None, help="add baseline, mains, muscle and motion noise at this SNR (dB)"
    )
    ecg.add_argument("--line-freq", type=float, default=50.0, help="mains frequency of the noise in Hz (default 50)")
    ecg.add_argument("--chunk-size", type=int, default=None, help="records per chunk, bounds memory")
    ecg.add_argument("--seed", type=int, default=None, help="random seed (default: fresh, stored in the file)")
    ecg.add_argument("--device", default="cpu", help="'cpu' or a torch device such as 'cuda' (torch extra)")
    _add_output(ecg, help_text="output file: .nc, .zarr or .npz (events kept), .edf or .bdf (one record)")
    ecg.set_defaults(handler=_cmd_generate_ecg)


def _add_fidelity(sub) -> None:
    fid = _command(
        sub,
        "fidelity",
        "compare synthetic with real signals and write a report",
        "Measure how faithful SYNTH is to REAL; write an HTML report and a JSON summary.",
        [
            "biosynth fidelity sample:eeglab synthetic.nc --epoch 4 --out report.html",
            "biosynth fidelity train.edf synthetic.nc --holdout test.edf --epoch 2 --out report.html",
            "biosynth fidelity real.nc synthetic.nc --sections spectral,statistical --out quick.html",
        ],
    )
    fid.add_argument("real", help="real recording (file or sample:NAME)")
    fid.add_argument("synthetic", help="synthetic signals (file)")
    fid.add_argument("--epoch", type=float, default=4.0, help="cut both into epochs of this many s (default 4)")
    fid.add_argument(
        "--holdout",
        default=None,
        metavar="HOLDOUT",
        help="real recording the generator never saw (REAL being what it was fitted on): adds the privacy section",
    )
    fid.add_argument(
        "--sections",
        default=None,
        help="comma-separated sections to compute (default: all the inputs allow): " + ",".join(_SECTIONS),
    )
    fid.add_argument("--seed", type=int, default=0, help="seed of subsampling, permutations and folds (default 0)")
    fid.add_argument("--json", type=Path, default=None, help="JSON summary path (default: beside --out)")
    _add_output(fid, help_text="HTML report path")
    fid.set_defaults(handler=_cmd_fidelity)


def _add_bench(sub) -> None:
    bench = _command(
        sub,
        "bench",
        "time generation and fidelity on the shipped EEG sample",
        "Without SUITE: time the end-to-end slice (generate EEG like the shipped sample, compare, report). "
        "SUITE epilepsy or parkinson: generate N records of the use case in chunks (in this process, on "
        "--scheduler processes:N or a dask cluster at tcp://HOST:PORT; --resume-dir keeps finished chunks so a "
        "killed run resumes), score the reference detectors against the ground truth, compare with the real "
        "reference data or published figures, optionally measure scaling, and write JSON plus Markdown and HTML "
        "summaries beside --out.",
        [
            "biosynth bench --n-records 100 --out bench.json",
            "biosynth bench epilepsy --n-records 1000 --scheduler processes:4 --resume-dir runs/ --out epi.json",
            "biosynth bench parkinson --n-records 200 --duration 60 --scaling --out pd.json",
        ],
    )
    bench.add_argument("suite", nargs="?", choices=("epilepsy", "parkinson"), default=None, help="use-case suite")
    bench.add_argument("--n-records", type=int, default=100, help="synthetic records (default 100)")
    bench.add_argument("--duration", type=float, default=None, help="record length in s (default 4; suites 10)")
    bench.add_argument("--repeat", type=int, default=3, help="slice: repetitions; the best is reported (default 3)")
    bench.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    bench.add_argument("--chunk-size", type=int, default=10, help="suites: records per chunk (default 10)")
    bench.add_argument("--n-compare", type=int, default=40, help="suites: records compared with the reference")
    bench.add_argument("--device", default="cpu", help="suites: 'cpu' or a torch device such as 'cuda'")
    bench.add_argument("--scheduler", default=None, help="suites: processes:N or tcp://HOST:PORT (dask)")
    bench.add_argument("--resume-dir", type=Path, default=None, help="suites: keep finished chunks here to resume")
    bench.add_argument("--scaling", action="store_true", help="suites: also measure throughput and memory")
    bench.add_argument("--max-records", type=int, default=1000, help="suites: largest count of --scaling")
    bench.add_argument("--card", type=Path, default=None, help="suites: also write the data card of the dataset here")
    bench.add_argument(
        "--generators",
        default="",
        help="epilepsy: also fit these data-driven generators on Bonn and compare them (phase,iaaft,ar,var,vae_mmd)",
    )
    _add_output(bench, required=False, help_text="JSON results path (default: print only)")
    bench.set_defaults(handler=_cmd_bench)


def _add_card(sub) -> None:
    card = _command(
        sub,
        "card",
        "write a data card for generated signals",
        "Write a data card (YAML front matter + Markdown) from a generated file's provenance and, if given, "
        "its fidelity JSON.",
        ["biosynth card synthetic.nc --fidelity report.json --out synthetic_card.md"],
    )
    card.add_argument("signals", help="generated signals file")
    card.add_argument("--fidelity", type=Path, default=None, help="fidelity JSON written by 'biosynth fidelity'")
    _add_output(card, help_text="Markdown card path")
    card.set_defaults(handler=_cmd_card)


def _add_info(sub) -> None:
    info = _command(
        sub,
        "info",
        "describe a signals file, or the installation",
        "Describe a signals file (shape, rate, units, events, provenance); without a file, print the versions "
        "of biosynth and its dependencies (numba, torch, CUDA).",
        ["biosynth info synthetic.nc", "biosynth info"],
    )
    info.add_argument("path", nargs="?", default=None, help="signals file or sample:NAME")
    info.set_defaults(handler=_cmd_info)


# --- handlers -----------------------------------------------------------------------


def _check_generate_output(args: argparse.Namespace) -> None:
    """--out may be written, and holds all the records asked for (EDF/BDF hold one)."""
    from biosynth.signals import check_writable

    check_writable(args.out, overwrite=args.overwrite)
    if args.out.suffix.lower() in (".edf", ".bdf") and args.n_records != 1:
        raise ValueError(f"--out {args.out.suffix} holds one recording; use .nc, .zarr or .npz for --n-records > 1.")


def _note_seed_outside_file(args: argparse.Namespace, data) -> None:
    """EDF/BDF keep no provenance: print the fresh seed so the data can be regenerated."""
    if args.seed is None and args.out.suffix.lower() in (".edf", ".bdf"):
        entropy = data.attrs["provenance"]["seed"]["entropy"]
        print(f"{args.out.suffix} keeps no provenance; to regenerate these data pass --seed {entropy}")


def _cmd_generate_eeg(args: argparse.Namespace) -> int:
    from biosynth.datasets import open_signals
    from biosynth.generators import write_eeg

    _check_generate_output(args)
    settings = _eeg_settings(args, match_like(open_signals(args.like)) if args.like else {})
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
        events, n_channels = _generate_eeg_batch(args, settings)
    kinds = ", ".join(f"{n} {k}" for k, n in events["type"].value_counts().sort_index().items())
    print(
        f"wrote {args.out}: {args.n_records} record(s) x {n_channels} channels x {args.duration:g} s; events: {kinds}"
    )
    return EXIT_OK


def match_like(real) -> dict:
    """match_recording's settings for --like."""
    from biosynth.generators import match_recording

    return match_recording(real)


def _eeg_settings(args: argparse.Namespace, like: dict) -> dict:
    """simulate_eeg keywords from the command line (and --like's matched settings)."""
    from biosynth.generators import SLEEP_SPINDLES

    channels = _name_list("--channels", args.channels) if args.channels is not None else like.get("ch_names")
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
        settings["artefacts"] = dict.fromkeys(_name_list("--artefacts", args.artefacts))
    if args.spikes is not None:
        settings["epileptiform"] = {"spike": {"channels": _name_list("--spikes", args.spikes)}}
    return settings


def _given(value, like: dict, key: str, default: float) -> float:
    """The option if given, else --like's fitted value, else the default."""
    return value if value is not None else like.get(key, default)


def _parse_states(text: str):
    """'closed', 'open' or 'closed:30,open:30' as simulate_eeg's states."""
    names = {"closed": "eyes_closed", "open": "eyes_open"}
    if ":" not in text:
        if text not in names:
            raise ValueError(f"--states must be 'closed', 'open' or blocks like closed:30,open:30; got {text!r}.")
        return names[text]
    blocks = []
    for item in _name_list("--states", text):
        state, _, seconds = item.partition(":")
        try:
            blocks.append((names[state], float(seconds)))
        except (KeyError, ValueError):
            raise ValueError(f"--states blocks must read closed:SECONDS or open:SECONDS; got {item!r}.") from None
    return blocks


def _generate_eeg_batch(args: argparse.Namespace, settings: dict):
    """Many records (or .npz): generated in memory, events written beside the signals."""
    from biosynth.generators import simulate_eeg
    from biosynth.signals import write

    data, events = simulate_eeg(
        args.duration,
        settings.pop("sfreq"),
        n_records=args.n_records,
        chunk_size=args.chunk_size,
        progress=True,
        return_events=True,
        **settings,
    )
    write(args.out, data, events=events, overwrite=args.overwrite)
    _note_seed_outside_file(args, data)
    return events, data.sizes["channel"]


def _name_list(option: str, text: str) -> list[str]:
    """A comma-separated option as names; empty or repeated names are an error."""
    names = [name.strip() for name in text.split(",")]
    if not text.strip() or any(not name for name in names):
        raise ValueError(f"{option} must be comma-separated names, got {text!r}.")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"{option} names each item once; {repeated} repeat in {text!r}.")
    return names


def _cmd_generate_ecg(args: argparse.Namespace) -> int:
    from biosynth.generators import STANDARD_LEADS, simulate_ecg
    from biosynth.signals import write

    _check_generate_output(args)
    data, events = simulate_ecg(
        args.duration,
        args.sfreq,
        n_records=args.n_records,
        heart_rate=args.heart_rate,
        heart_rate_std=args.hrv,
        lf_hf_ratio=args.lf_hf,
        amplitude=args.amplitude,
        leads=STANDARD_LEADS if args.leads == "all" else _name_list("--leads", args.leads),
        rhythm=args.rhythm,
        pvc_rate=args.pvc_rate,
        noise_snr_db=args.snr,
        line_freq=args.line_freq,
        chunk_size=args.chunk_size,
        seed=args.seed,
        device=args.device,
        progress=True,
        return_events=True,
    )
    if args.out.suffix.lower() in (".edf", ".bdf"):
        data, events = data.isel(record=0), events[events["record"] == 0]
    write(args.out, data, events=events, overwrite=args.overwrite)
    _note_seed_outside_file(args, data)
    n_r = int((events["type"] == "R").sum())
    n_leads = data.sizes["channel"]
    print(
        f"wrote {args.out}: {args.n_records} record(s) x {n_leads} lead(s) x {args.duration:g} s of ECG, {n_r} R peaks"
    )
    return EXIT_OK


def _check_cli_sections(text: str | None, holdout: str | None) -> list[str] | None:
    """``--sections`` as names of sections the command can compute."""
    if text is None:
        return None
    names = _name_list("--sections", text)
    unknown = [n for n in names if n not in _SECTIONS or n == "utility"]
    if unknown:
        usable = [s for s in _SECTIONS if s != "utility"]
        raise ValueError(f"--sections must be names from {usable} (utility needs labels: Python API), got {unknown}.")
    if "privacy" in names and holdout is None:
        raise ValueError("--sections asks for 'privacy', which needs --holdout (real records the generator never saw).")
    return names


def _cmd_fidelity(args: argparse.Namespace) -> int:
    from biosynth._utils.check import check_positive
    from biosynth._utils.files import check_output_path
    from biosynth.datasets import open_signals
    from biosynth.fidelity import compare, write_report

    check_positive("--epoch", args.epoch, unit="s")
    sections = _check_cli_sections(args.sections, args.holdout)
    json_path = args.json if args.json is not None else args.out.with_suffix(".json")
    if json_path.resolve() == args.out.resolve():
        raise ValueError(f"--out and --json are the same file ({str(args.out)!r}); give the report an .html name.")
    for target in (args.out, json_path):
        check_output_path(target, overwrite=args.overwrite)  # before the long work
    real = open_signals(args.real)
    synthetic = open_signals(args.synthetic)
    holdout = open_signals(args.holdout) if args.holdout else None
    result = compare(
        real, synthetic, epoch_duration=args.epoch, holdout=holdout, sections=sections, seed=args.seed, progress=True
    )
    paths = write_report(result, args.out, json_path=args.json, overwrite=args.overwrite)
    for section, row in result.summary().iterrows():
        print(f"{section:>13}: {int(row['close'])}/{int(row['metrics'])} metrics within 1.5x of real-vs-real")
    print(f"wrote {paths['html']} and {paths['json']}")
    return EXIT_OK


def _cmd_bench(args: argparse.Namespace) -> int:
    import json

    from biosynth._bench import run_slice_benchmark
    from biosynth._utils.check import check_int
    from biosynth._utils.files import atomic_output, check_output_path

    if args.out is not None:
        check_output_path(args.out, overwrite=args.overwrite)
    if args.suite is not None:
        return _cmd_bench_suite(args)
    results = run_slice_benchmark(
        n_records=check_int("--n-records", args.n_records, low=1),
        duration=4.0 if args.duration is None else args.duration,
        repeat=check_int("--repeat", args.repeat, low=1),
        seed=args.seed,
    )
    for stage, seconds in results["best_s"].items():
        print(f"{stage:>10}: {seconds * 1e3:9.1f} ms")
    print(f"generation: {results['samples_per_s']:.3g} samples/s")
    if args.out is not None:
        with atomic_output(args.out, overwrite=args.overwrite) as tmp:
            tmp.write_text(json.dumps(results, indent=2))
        print(f"wrote {args.out}")
    return EXIT_OK


def _cmd_bench_suite(args: argparse.Namespace) -> int:
    from biosynth._utils.check import check_int, check_positive
    from biosynth._utils.files import check_output_path
    from biosynth.bench.run import markdown_summary, run_suite, write_outputs

    if args.card is not None:
        check_output_path(args.card, overwrite=args.overwrite)  # the card itself is written at the end

    result = run_suite(
        args.suite,
        n_records=check_int("--n-records", args.n_records, low=1),
        duration=10.0 if args.duration is None else check_positive("--duration", args.duration, unit="s"),
        chunk_size=check_int("--chunk-size", args.chunk_size, low=1),
        n_compare=check_int("--n-compare", args.n_compare, low=2),
        seed=args.seed,
        device=args.device,
        scheduler=args.scheduler,
        out_dir=args.resume_dir,
        scaling=args.scaling,
        max_records=check_int("--max-records", args.max_records, low=10),
        card=args.card,
        generators=tuple(_name_list("--generators", args.generators)) if args.generators else (),
    )
    print(markdown_summary(result))
    if args.out is not None:
        paths = write_outputs(result, args.out, overwrite=args.overwrite)
        print("wrote " + ", ".join(str(p) for p in paths))
    return EXIT_OK


def _cmd_card(args: argparse.Namespace) -> int:
    import json

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


def _cmd_info(args: argparse.Namespace) -> int:
    from biosynth.card import describe, system_info

    if args.path is None:
        print(system_info())
        return EXIT_OK
    from biosynth.datasets import open_signals

    signals, events = open_signals(args.path, return_events=True)
    print(describe(signals, events))
    return EXIT_OK


# --- entry point ----------------------------------------------------------------------

# OSError covers unreadable, missing, read-only and not-a-folder paths; MemoryError an
# input or request too large for this machine.
_USER_ERRORS = (ValueError, TypeError, OSError, ImportError, RuntimeError, MemoryError)


def _one_line(err: BaseException) -> str:
    """The first line of an error's message; the exception name where it has none."""
    if isinstance(err, MemoryError):
        return "not enough memory for this request; ask for fewer records, channels or a shorter duration."
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``biosynth`` command; returns the exit code (0 ok, 2 bad input)."""
    args = _build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        return args.handler(args)
    except _USER_ERRORS as err:
        if args.debug:
            raise
        message = _one_line(err)
        print(f"biosynth {args.command}: error: {message}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("biosynth: interrupted; no output was replaced.", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
