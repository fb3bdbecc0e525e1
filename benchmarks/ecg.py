# SPDX-License-Identifier: BSD-3-Clause
"""biosynth's ECG generator against neurokit2's ecg_simulate (ECGSYN), in one process.

Rerun: ``python -m benchmarks.ecg`` (needs the real MIT-BIH record 100 under
``$BIOSYNTH_REAL_DATA`` or ``shared/data/real`` beside the checkout; the fidelity suite is skipped
without it). Suites: (a) speed: ``--n-records`` records of ``--duration`` s at
``--sfreq`` Hz from biosynth in one batched call against a loop over
``neurokit2.ecg_simulate(method="ecgsyn")``; (b) fidelity: 10-s epochs of MIT-BIH
record 100 (lead MLII) against biosynth's and neurokit2's ECG at the record's own heart
rate, through :func:`biosynth.fidelity.compare`, section by section. Writes
``benchmarks/results/ecg-<date>.json``.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from typing import Any

import numpy as np

from benchmarks._results import RESULTS, real_file
from biosynth import __version__
from biosynth.bench import machine_info
from biosynth.fidelity import compare
from biosynth.generators.ecg import simulate_ecg
from biosynth.signals import epochs, make_signals, read

#: MIT-BIH Arrhythmia Database record 100 in the real-data folder.
MITBIH_100 = "ecg_mitbih_100.npz"
SECTIONS = ("spectral", "statistical", "nonlinear", "multivariate", "plausibility")


def suite_speed(n_records: int, duration: float, sfreq: float, heart_rate: float) -> dict[str, Any]:
    """Seconds for biosynth's batch (first call excluded: Numba loads its cache) and for
    the neurokit2 loop."""
    import neurokit2 as nk

    simulate_ecg(duration, sfreq, n_records=2, heart_rate=heart_rate, seed=0)  # compile or load the cache
    start = time.perf_counter()
    simulate_ecg(duration, sfreq, n_records=n_records, heart_rate=heart_rate, seed=0)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(n_records):
        nk.ecg_simulate(duration=duration, sampling_rate=sfreq, heart_rate=heart_rate, method="ecgsyn", random_state=i)
    theirs = time.perf_counter() - start
    return {
        "n_records": n_records,
        "duration_s": duration,
        "sfreq_hz": sfreq,
        "biosynth_s": ours,
        "neurokit2_s": theirs,
        "ratio": theirs / ours,
    }


def _real_ecg(epoch_s: float) -> tuple[Any, float]:
    """MIT-BIH 100, lead MLII named II, cut into epochs; and its mean heart rate (bpm)
    from the reference beat annotations."""
    path = real_file(MITBIH_100)
    if path is None:
        raise FileNotFoundError(f"{MITBIH_100} is not in the real-data folder")
    real = read(path).sel(channel=["MLII"]).assign_coords(channel=["II"])
    real.attrs["modality"] = "ecg"
    beats = np.load(path)["beat_samples"]
    heart_rate = 60.0 * real.attrs["sfreq"] / float(np.median(np.diff(beats)))
    return epochs(real, epoch_s), heart_rate


def _neurokit_batch(n_records: int, epoch_s: float, sfreq: float, heart_rate: float) -> Any:
    import neurokit2 as nk

    data = [
        nk.ecg_simulate(duration=epoch_s, sampling_rate=sfreq, heart_rate=heart_rate, method="ecgsyn", random_state=i)
        for i in range(n_records)
    ]
    provenance = {"generator": "neurokit2.ecg_simulate", "method": "ecgsyn", "heart_rate": heart_rate}
    return make_signals(
        np.array(data)[:, None, :], sfreq, ch_names=["II"], units="mV", modality="ecg", provenance=provenance
    )


def suite_fidelity(n_records: int, epoch_s: float, seed: int) -> dict[str, Any]:
    """Both generators against the same real epochs, section by section."""
    real, heart_rate = _real_ecg(epoch_s)
    sfreq = float(real.attrs["sfreq"])
    candidates = {
        "biosynth": simulate_ecg(epoch_s, sfreq, n_records=n_records, heart_rate=heart_rate, seed=seed),
        "neurokit2": _neurokit_batch(n_records, epoch_s, sfreq, heart_rate),
    }
    out: dict[str, Any] = {"real": "MIT-BIH 100, lead MLII", "heart_rate_bpm": heart_rate, "epoch_s": epoch_s}
    for name, synthetic in candidates.items():
        report = compare(real, synthetic, sections=SECTIONS, seed=seed)
        out[name] = {
            "summary": report.summary().to_dict(orient="index"),
            "metrics": {m.name: {"value": m.value, "reference": m.reference, "ratio": m.ratio} for m in report.metrics},
        }
    return out


def _print(result: dict[str, Any]) -> None:
    s = result["speed"]
    head = f"(a) {s['n_records']} records x {s['duration_s']:g} s at {s['sfreq_hz']:g} Hz"
    print(f"{head}: biosynth {s['biosynth_s']:.2f} s, neurokit2 {s['neurokit2_s']:.1f} s, ratio {s['ratio']:.0f}x")
    fid = result.get("fidelity")
    if fid is None:
        print("(b) skipped: MIT-BIH record 100 not found")
        return
    print(
        f"(b) fidelity to {fid['real']} at {fid['heart_rate_bpm']:.1f} bpm, median ratio per section (lower is closer):"
    )
    for section in SECTIONS:
        row = {name: fid[name]["summary"].get(section, {}).get("median_ratio") for name in ("biosynth", "neurokit2")}
        print(f"  {section:>13}: biosynth {row['biosynth']:.3g}   neurokit2 {row['neurokit2']:.3g}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-records", type=int, default=100)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--sfreq", type=float, default=500.0)
    parser.add_argument("--fidelity-records", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    result: dict[str, Any] = {
        "command": "python -m benchmarks.ecg",
        "biosynth_version": __version__,
        "machine": machine_info(),
        "date": time.strftime("%Y-%m-%d"),
        "speed": suite_speed(args.n_records, args.duration, args.sfreq, 70.0),
    }
    if real_file(MITBIH_100) is not None:
        result["fidelity"] = suite_fidelity(args.fidelity_records, 10.0, args.seed)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"ecg-{result['date']}.json"
    out.write_text(json.dumps(result, indent=2, default=lambda v: None))
    _print(result)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
