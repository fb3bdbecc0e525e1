# SPDX-License-Identifier: BSD-3-Clause
"""Data card of the default ioECoG preset: ``simulate_ioecog``'s defaults, 10 records of 60 s.

Rerun: ``python -m benchmarks.card_ioecog`` (writes ``data_cards/ioecog_default.md``,
replacing it). The fidelity section compares the preset with the only real grid ECoG at
hand, patient PT01 of the Epilepsy-iEEG-Multicenter dataset (OpenNeuro ds003029, 1 kHz,
notch-filtered and common-average referenced by its curators), read from
``$BIOSYNTH_REAL_DATA`` or ``shared/data/real`` beside the checkout (without it the card has no fidelity
section). Like for like: the synthetic records are resampled to 1 kHz, referenced to
their common average, and the 30 contacts PT01's grid shares by name with the preset's
8x8 grid (G1-G32 but G5, G6) are compared, both in 1-s epochs. The real excerpt is
short (3 s: 1 s before and 2 s after a seizure onset), so the real-vs-real references
rest on three epochs; the card says so.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._results import DATA_CARDS, not_found, real_file
from biosynth.card import write_card
from biosynth.fidelity import compare
from biosynth.generators import layout_from_provenance, simulate_ioecog
from biosynth.signals import make_signals, resample
from biosynth.signals.layouts import common_average

CARD = DATA_CARDS / "ioecog_default.md"
PT01 = "ecog_seizure_onset_pt01_84ch.npz"
#: The preset: records, length (s), sampling rate (Hz, simulate_ioecog's default) and seed.
N_RECORDS, DURATION, SFREQ, SEED = 10, 60.0, 2000.0, 0
PURPOSE = (
    "Labelled synthetic intraoperative ECoG for developing and scoring detectors of epileptiform "
    "activity (spikes, sharp waves, ripples, fast ripples) and of the epileptogenic zone; "
    "the default preset of biosynth.generators.simulate_ioecog (8x8 grid, 1-cm spacing, 2 kHz, "
    "propofol anaesthesia, a five-contact zone). Not for clinical decisions."
)


def load_pt01() -> Any | None:
    """PT01's grid contacts (G...) as a biosynth container in V, or None when absent."""
    path = real_file(PT01)
    if path is None:
        return None
    with np.load(path) as f:
        names = [str(c) for c in f["ch_names"]]
        grid = [i for i, name in enumerate(names) if name.startswith("G")]
        data = f["data"][grid].astype(np.float64) * 1e-9  # nV by its scale (see the data README)
        sfreq = float(f["sfreq"])
    source = "PT01 grid ECoG, OpenNeuro ds003029 (Li et al. 2021), 3 s around a seizure onset, nV read as such"
    return make_signals(
        data,
        sfreq,
        ch_names=[names[i] for i in grid],
        units="V",
        modality="ecog",
        provenance={"source": source, "real": {"source": source, "copied_from": f"shared/data/real/{PT01}"}},
    )


def fidelity_summary(ecog: Any, real: Any) -> dict[str, Any]:
    """compare() of the preset (1 kHz, common average, PT01's grid names) with PT01, 1-s epochs."""
    import warnings

    layout = layout_from_provenance(ecog)
    referenced = ecog.copy(data=common_average(ecog.values, layout))
    synthetic = resample(referenced, float(real.attrs["sfreq"])).sel(channel=list(real["channel"].values))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short real excerpt: some nonlinear measures warn
        report = compare(real, synthetic, epoch_duration=1.0, seed=SEED)
    out = report.to_dict()
    out.setdefault("info", {}).setdefault("provenance", {})["real"] = real.attrs["provenance"]["real"]
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=CARD)
    args = parser.parse_args(argv)
    ecog, events = simulate_ioecog(DURATION, SFREQ, n_records=N_RECORDS, seed=SEED, progress=True, return_events=True)
    real = load_pt01()
    fidelity = None if real is None else fidelity_summary(ecog, real)
    if real is None:
        print(f"{not_found(PT01)}: the card has no fidelity section")
    write_card(ecog, args.out, events=events, fidelity=fidelity, purpose=PURPOSE, overwrite=True)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
