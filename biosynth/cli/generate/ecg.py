# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth generate ecg``: the options as :func:`biosynth.generators.simulate_ecg`
keywords, the R peaks and waves written beside the signals. No science lives here."""

from __future__ import annotations

import argparse
from typing import Any

from biosynth.cli._common import (
    EXIT_OK,
    check_generate_output,
    finish_generate_kind,
    generate_kind,
    name_list,
    note_seed_outside_file,
)

DESCRIPTION = (
    "ECG from the ECGSYN model (McSharry et al. 2003): RR process with LF and HF variability, PQRST "
    "morphology; every R peak and wave is stored as an event beside the signals."
)
EXAMPLES = (
    "biosynth generate ecg --heart-rate 70 --n-records 100 --duration 60 --sfreq 500 --seed 0 -o ecg.nc",
    "biosynth generate ecg --heart-rate 120 --lf-hf 2.0 --duration 300 --seed 1 -o stress.npz",
    "biosynth generate ecg --leads all --rhythm af --pvc-rate 0.1 --snr 20 --duration 30 --seed 2 -o af.nc",
)


def add_parser(kinds: Any) -> argparse.ArgumentParser:
    """Add ``ecg`` to the kinds of ``biosynth generate``."""
    ecg = generate_kind(
        kinds,
        "ecg",
        "ECG from the ECGSYN dynamical model, with R-peak ground truth",
        DESCRIPTION,
        EXAMPLES,
        duration=10.0,
        sfreq=500.0,
    )
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
    return finish_generate_kind(
        ecg, run, output_help="output file: .nc, .zarr or .npz (events kept), .edf or .bdf (one record)"
    )


def run(args: argparse.Namespace) -> int:
    """Generate ECG and write it with its R-peak and wave events."""
    from biosynth.generators import STANDARD_LEADS, simulate_ecg
    from biosynth.signals import write

    check_generate_output(args.out, n_records=args.n_records, overwrite=args.overwrite)
    noise = {} if args.snr is None else {"snr_db": args.snr}  # noise only with --snr
    data, events = simulate_ecg(
        args.duration,
        args.sfreq,
        n_records=args.n_records,
        heart_rate=args.heart_rate,
        heart_rate_std=args.hrv,
        lf_hf_ratio=args.lf_hf,
        amplitude=args.amplitude,
        leads=STANDARD_LEADS if args.leads == "all" else name_list("--leads", args.leads),
        rhythm=args.rhythm,
        pvc_rate=args.pvc_rate,
        line_freq=args.line_freq,
        chunk_size=args.chunk_size,
        seed=args.seed,
        device=args.device,
        progress=True,
        return_events=True,
        **noise,
    )
    if args.out.suffix.lower() in (".edf", ".bdf"):
        data, events = data.isel(record=0), events[events["record"] == 0]
    write(args.out, data, events=events, overwrite=args.overwrite)
    note_seed_outside_file(args.out, args.seed, data)
    n_r = int((events["type"] == "R").sum())
    n_leads = data.sizes["channel"]
    print(
        f"wrote {args.out}: {args.n_records} record(s) x {n_leads} lead(s) x {args.duration:g} s of ECG, {n_r} R peaks"
    )
    return EXIT_OK
