# SPDX-License-Identifier: BSD-3-Clause
"""biosynth's resting-EEG generator against neurodsp and neurokit2, in one process.

Rerun: ``python -m benchmarks.eeg`` (real recordings under ``$BIOSYNTH_REAL_DATA`` or
``shared/data/real`` beside the checkout; a dataset whose file is absent is skipped with a message);
``--device cuda`` times biosynth's filtering on a GPU.
Writes ``benchmarks/results/eeg-<date>.json``.

Suites:

(a) fidelity: real resting EEG against three generators through
:func:`biosynth.fidelity.compare`, sections spectral, statistical, nonlinear and
multivariate (median ratio to real-vs-real per section, lower is closer; 1 is as close
as one half of the real records is to the other). Each generator makes as many records
as the real data, of the same length, rate, channel count and unit:

* ``biosynth``: :func:`biosynth_resting` (``simulate_eeg(..., spatial="sphere")`` on a
  standard 10-20/10-10 channel set of the right size, renamed to the real names);
* ``neurodsp``: ``sim_combined`` of ``sim_powerlaw`` and ``sim_bursty_oscillation``
  per channel and record, with the aperiodic exponent, alpha frequency and alpha share
  of variance fitted to the real mean spectrum, each signal scaled to the real median
  channel SD;
* ``neurokit2``: ``eeg_simulate`` per channel and record. It builds its signal from
  MNE's "sample" dataset (about 1.5 GB, downloaded on first use); where that is absent
  the generator is reported ``unavailable`` (no download is attempted).

Datasets: ``eeg_eeglab_32ch.npz`` (32 channels, 128 Hz, cut into ``--epoch`` s epochs)
and Bonn set B (``eeg_bonn_setB_O.npz``: healthy, eyes closed, 100 single-channel
segments of 23.6 s at 173.61 Hz, each segment a record). A single-channel recording
has no topography to model, so biosynth generates it with the uniform spatial model.

(b) speed: channel-seconds generated per wall second on ``--threads`` threads (default
1, so the figure is per core): biosynth ``simulate_eeg(spatial="sphere")`` with 64
channels at 256 Hz in one batched call (first call excluded: it builds the lead field),
and the same with neurodsp's content (``MATCHED``: background and one bursty alpha
rhythm), a loop over neurodsp ``sim_combined`` (power law + bursty alpha, one channel per call)
and over neurokit2 ``eeg_simulate`` (where available). Threads are limited with
``threadpoolctl`` (BLAS/OpenMP pools already loaded), ``numba.set_num_threads`` and the
``OMP_NUM_THREADS``/``OPENBLAS_NUM_THREADS``/``MKL_NUM_THREADS``/``NUMBA_NUM_THREADS``
variables (for libraries loaded later); the fidelity suite runs on all cores.

Options scale it up: ``--speed-records``, ``--speed-duration``, ``--speed-channels``,
``--repeat``, ``--epoch``, ``--datasets``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._results import RESULTS, clean, git_state, not_found, quiet, real_file, report_dict
from biosynth import __version__
from biosynth.bench import machine_info
from biosynth.bench.timing import library_versions
from biosynth.datasets import load_segments
from biosynth.fidelity import compare
from biosynth.fidelity.spectral import aperiodic_fit, peak_frequency, welch_psd
from biosynth.generators import match_recording, rhythm_topography, simulate_eeg
from biosynth.signals import CHANNEL, RECORD, epochs, make_signals, read
from biosynth.signals.units import convert_units

SECTIONS = ("spectral", "statistical", "nonlinear", "multivariate")
GENERATORS = ("biosynth", "neurodsp", "neurokit2")
#: Standard 10-20 / 10-10 channels in the order they are taken for n channels: the
#: midline four, the rest of the classic 10-20 set (with Oz), the 32-channel
#: extended set (actiCAP/easycap layout), then 10-10 sites up to 64.
STANDARD_CHANNELS = (
    *("Fz", "Cz", "Pz", "Oz"),
    *("Fp1", "Fp2", "F7", "F3", "F4", "F8", "T7", "C3", "C4", "T8", "P7", "P3", "P4", "P8", "O1", "O2"),
    *("FC5", "FC1", "FC2", "FC6", "CP5", "CP1", "CP2", "CP6", "TP9", "TP10", "PO9", "PO10"),
    *("Fpz", "AF7", "AF3", "AF4", "AF8", "F5", "F1", "F2", "F6", "FT7", "FC3", "FCz", "FC4", "FT8", "C5", "C1"),
    *("C2", "C6", "TP7", "CP3", "CPz", "CP4", "TP8", "P5", "P1", "P2", "P6", "PO7", "PO3", "POz", "PO4", "PO8"),
)
DATASETS = {
    "eeglab": "eeg_eeglab_32ch.npz",
    "bonn_B": "eeg_bonn_setB_O.npz",
    "bonn_A": "eeg_bonn_setA_Z.npz",
}
DEFAULT_DATASETS = ("eeglab", "bonn_B")
ALPHA_SEARCH = (7.0, 14.0)
FIT_RANGE = (1.0, 40.0)


class Unavailable(RuntimeError):
    """A peer generator cannot run here (missing package or data)."""


# --------------------------------------------------------------------------- real data


def load_real(name: str, epoch_s: float) -> Any | None:
    """A real dataset as a biosynth batch (records x channels x times), or None when its
    file is absent. The EEGLAB recording is cut into ``epoch_s`` epochs; Bonn segments
    are records of one channel named ``"EEG"``."""
    path = real_file(DATASETS[name])
    if path is None:
        return None
    if name == "eeglab":
        real = read(path)
        real.attrs["modality"] = "eeg"
        return epochs(real, epoch_s)
    return load_segments(path)


def spectral_targets(real: Any) -> dict[str, float]:
    """What the real mean spectrum suggests: aperiodic exponent and offset (FOOOF fit
    over :data:`FIT_RANGE`), alpha peak frequency (largest bin in :data:`ALPHA_SEARCH`),
    alpha peak height above the aperiodic line (log10 power) and the alpha share of the
    variance of a power-law-plus-peak signal of the real length (the excess over the
    line within +-3 Hz of the peak, against the line summed over the whole frequency
    grid), and the median channel SD (V)."""
    cached = _TARGETS.get(id(real))
    if cached is not None and cached[0] is real:
        return dict(cached[1])

    sfreq = float(real.attrs["sfreq"])

    freqs, psd = welch_psd(np.asarray(convert_units(real, "V").values), sfreq)  # offsets in log10 V^2/Hz
    mean = psd.reshape(-1, freqs.size).mean(axis=0)
    fit = aperiodic_fit(freqs, mean, freq_range=FIT_RANGE, max_n_peaks=6)
    exponent, offset = float(fit["exponent"]), float(fit["offset"])
    alpha = float(peak_frequency(freqs, mean, ALPHA_SEARCH))
    line = 10.0 ** (offset - exponent * np.log10(np.maximum(freqs, freqs[1])))
    height = float(np.log10(np.interp(alpha, freqs, mean)) - np.log10(np.interp(alpha, freqs, line)))
    near = np.abs(freqs - alpha) <= 3.0
    df = freqs[1] - freqs[0]
    excess = float(np.sum(np.clip(mean - line, 0.0, None)[near]) * df)
    grid = np.fft.rfftfreq(real.sizes["time"], 1.0 / sfreq)[1:]
    background = float(np.sum(10.0 ** (offset - exponent * np.log10(grid))) * sfreq / real.sizes["time"])
    targets = {
        "aperiodic_exponent": exponent,
        "aperiodic_offset": offset,
        "alpha_freq": alpha,
        "alpha_height": max(height, 0.0),
        "alpha_variance_share": excess / (excess + background),
        "amplitude_v": float(match_recording(real)["amplitude"]),
    }
    _TARGETS.clear()  # one recording at a time; the reference keeps its id from being reused
    _TARGETS[id(real)] = (real, targets)
    return dict(targets)


#: The last recording :func:`spectral_targets` fitted and its targets (the three
#: generators and the suite each ask for them).
_TARGETS: dict[int, tuple[Any, dict[str, float]]] = {}


# --------------------------------------------------------------------------- generators


def standard_channels(n: int) -> list[str]:
    """``n`` standard 10-20/10-10 channel names (see :data:`STANDARD_CHANNELS`)."""
    if not 1 <= n <= len(STANDARD_CHANNELS):
        raise ValueError(f"need 1 to {len(STANDARD_CHANNELS)} channels, got {n}.")
    return list(STANDARD_CHANNELS[:n])


def biosynth_resting(real: Any, n_records: int, duration: float, seed: int) -> Any:
    """biosynth's resting EEG shaped like ``real`` (its channel names, rate, unit V).

    Settings: the aperiodic exponent and offset and the alpha frequency and height of
    :func:`spectral_targets` (the FOOOF fit of the real mean spectrum, the information
    neurodsp gets), over :func:`biosynth.generators.match_recording`'s rate and names.
    Multichannel: the first ``n`` of :data:`STANDARD_CHANNELS` through the spherical
    head model, renamed to the real names in order (the EEGLAB file has no positions),
    with the alpha height moved from the channel mean to the strongest channel
    (:func:`biosynth.generators.rhythm_topography`). One channel: the uniform model (no
    topography to model).
    """
    targets = spectral_targets(real)
    fitted = {k: targets[k] for k in ("aperiodic_exponent", "aperiodic_offset", "alpha_freq", "alpha_height")}
    matched = match_recording(real)
    sfreq = matched.pop("sfreq")
    real_names = matched.pop("ch_names")
    for key in ("spatial_correlation", "amplitude"):  # "uniform" only; the fitted offset sets the scale
        matched.pop(key, None)
    settings = {**matched, **fitted}  # the FOOOF fit (what neurodsp gets) over match_recording's own
    if len(real_names) == 1:  # one channel: no topography to model
        eeg = simulate_eeg(duration, sfreq, n_records=n_records, **settings, ch_names=real_names, seed=seed)
        return eeg
    names = standard_channels(len(real_names))
    settings["alpha_height"] = _strongest_channel_height(settings["alpha_height"], names)
    eeg = simulate_eeg(duration, sfreq, n_records=n_records, **settings, spatial="sphere", ch_names=names, seed=seed)
    return eeg.assign_coords(channel=real_names)


def _strongest_channel_height(mean_height: float, names: list[str]) -> float:
    """simulate_eeg's alpha height (at its strongest channel) whose channel mean is ``mean_height``."""
    relative = rhythm_topography(names, "posterior")
    return float(np.log10(1.0 + (10.0**mean_height - 1.0) / np.mean(relative)))


def neurodsp_resting(real: Any, n_records: int, duration: float, seed: int) -> Any:
    """neurodsp ``sim_combined`` (power law + bursty alpha) per channel and record,
    fitted to the real mean spectrum, each signal scaled to the real median SD (V)."""
    from neurodsp.sim import sim_combined
    from neurodsp.utils import set_random_seed

    targets = spectral_targets(real)
    sfreq = float(real.attrs["sfreq"])
    names = list(map(str, real[CHANNEL].values))
    n_times = round(duration * sfreq)
    share = targets["alpha_variance_share"]
    components = {
        "sim_powerlaw": {"exponent": -targets["aperiodic_exponent"]},
        "sim_bursty_oscillation": {"freq": targets["alpha_freq"]},
    }
    set_random_seed(seed)
    out = np.empty((n_records, len(names), n_times))
    with quiet():
        for r in range(n_records):
            for c in range(len(names)):
                sig = _exact_length(lambda d: sim_combined(d, sfreq, components, [1.0 - share, share]), n_times, sfreq)
                out[r, c] = (sig - sig.mean()) / sig.std() * targets["amplitude_v"]
    provenance = {"generator": "neurodsp.sim.sim_combined", "components": components, "variances": [1 - share, share]}
    return make_signals(out, sfreq, ch_names=names, units="V", modality="eeg", provenance=provenance)


def neurokit2_resting(real: Any, n_records: int, duration: float, seed: int) -> Any:
    """neurokit2 ``eeg_simulate`` per channel and record (default noise 0.1), each
    signal scaled to the real median SD (V); :class:`Unavailable` without MNE's
    sample dataset."""
    _check_neurokit2()
    import neurokit2 as nk

    amplitude = spectral_targets(real)["amplitude_v"]
    sfreq = float(real.attrs["sfreq"])
    names = list(map(str, real[CHANNEL].values))
    n_times = round(duration * sfreq)
    out = np.empty((n_records, len(names), n_times))
    with quiet():
        for r in range(n_records):
            for c in range(len(names)):
                state = seed * 1_000_003 + r * len(names) + c

                def make(d: float, state: int = state) -> np.ndarray:
                    return nk.eeg_simulate(duration=d, sampling_rate=sfreq, noise=0.1, random_state=state)

                sig = _exact_length(make, n_times, sfreq)
                out[r, c] = (sig - sig.mean()) / sig.std() * amplitude
    provenance = {"generator": "neurokit2.eeg_simulate", "noise": 0.1}
    return make_signals(out, sfreq, ch_names=names, units="V", modality="eeg", provenance=provenance)


GENERATOR_FUNCS: dict[str, Callable[[Any, int, float, int], Any]] = {
    "biosynth": biosynth_resting,
    "neurodsp": neurodsp_resting,
    "neurokit2": neurokit2_resting,
}


def _check_neurokit2() -> None:
    """Raise :class:`Unavailable` unless neurokit2, MNE and MNE's sample data are here
    (looked up without downloading)."""
    try:
        import mne
        import neurokit2  # noqa: F401
    except ImportError as err:
        raise Unavailable(f"unavailable: {err}") from err
    with quiet():
        root = Path(mne.datasets.sample.data_path(download=False, verbose=False))
    if not (root / "MEG" / "sample" / "sample_audvis_raw.fif").exists():
        raise Unavailable(
            "unavailable offline: neurokit2.eeg_simulate needs MNE's 'sample' dataset (about 1.5 GB, "
            "mne.datasets.sample.data_path()), which is not present and cannot be downloaded here"
        )


def _exact_length(make: Callable[[float], np.ndarray], n_times: int, sfreq: float) -> np.ndarray:
    """A peer signal of exactly ``n_times`` samples (peers round the length their own way)."""
    sig = np.asarray(make(n_times / sfreq), dtype=np.float64)
    if sig.size < n_times:
        sig = np.asarray(make((n_times + 2) / sfreq), dtype=np.float64)
    return sig[:n_times]


# --------------------------------------------------------------------------- fidelity


def suite_fidelity(
    real: Any,
    *,
    seed: int = 0,
    sections: Sequence[str] = SECTIONS,
    generators: Sequence[str] = GENERATORS,
) -> dict[str, Any]:
    """Each generator against ``real`` through ``compare``, section by section.

    Returns the real data's layout and spectral targets, per generator either its
    report (``summary``: section -> metrics / close / median_ratio; ``features``:
    section -> feature -> median ratio; ``metrics``; ``generate_s``) or
    ``{"unavailable": reason}``, and per section the ``best`` generator (lowest median
    ratio) with every generator's median ratio.
    """
    n_records = int(real.sizes[RECORD])
    sfreq = float(real.attrs["sfreq"])
    duration = real.sizes["time"] / sfreq
    out: dict[str, Any] = {
        "layout": {
            "n_records": n_records,
            "n_channels": int(real.sizes[CHANNEL]),
            "sfreq_hz": sfreq,
            "duration_s": duration,
            "units": real.attrs["units"],
        },
        "targets": spectral_targets(real),
        "generators": {},
    }
    for name in generators:
        try:
            start = time.perf_counter()
            synthetic = GENERATOR_FUNCS[name](real, n_records, duration, seed)
            generate_s = time.perf_counter() - start
        except Unavailable as err:
            out["generators"][name] = {"unavailable": str(err)}
            continue
        with quiet():
            report = compare(real, synthetic, sections=sections, seed=seed)
        out["generators"][name] = {**report_dict(report), "generate_s": generate_s}
    out["best"] = _best(out["generators"], sections)
    return out


def _best(results: dict[str, Any], sections: Sequence[str]) -> dict[str, Any]:
    best = {}
    for section in sections:
        scores = {
            name: r["summary"][section]["median_ratio"]
            for name, r in results.items()
            if "summary" in r and section in r["summary"] and np.isfinite(r["summary"][section]["median_ratio"])
        }
        if scores:
            best[section] = {"generator": min(scores, key=scores.get), "median_ratio": scores}
        elif any("summary" in r and section in r["summary"] for r in results.values()):
            best[section] = {"generator": None, "note": "no generator has a finite median ratio (all infinitely far)"}
    return best


def losses(result: dict[str, Any], ours: str = "biosynth", top: int = 5) -> dict[str, Any]:
    """Where ``ours`` is farther from real than the best peer: per section, the
    features with the largest excess of its median ratio over the best peer's."""
    gens = result["generators"]
    if "features" not in gens.get(ours, {}):
        return {}
    peers = [g for g in gens if g != ours and "features" in gens[g]]
    out = {}
    for section, feats in gens[ours]["features"].items():
        rows = []
        for feature, ratio in feats.items():
            peer = {p: gens[p]["features"].get(section, {}).get(feature, np.nan) for p in peers}
            finite = {p: v for p, v in peer.items() if np.isfinite(v)}
            if finite and np.isfinite(ratio):
                best_peer = min(finite, key=finite.get)
                rows.append((ratio - finite[best_peer], feature, ratio, best_peer, finite[best_peer]))
        rows.sort(reverse=True)
        out[section] = [
            {"feature": f, ours: r, "best_peer": p, "peer_ratio": v, "excess": e}
            for e, f, r, p, v in rows[:top]
            if e > 0
        ]
    return out


# --------------------------------------------------------------------------- speed


THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


@contextlib.contextmanager
def limit_threads(threads: int) -> Iterator[dict[str, Any]]:
    """Run the block on ``threads`` threads: BLAS/OpenMP pools (threadpoolctl), Numba,
    and the environment variables for anything loaded later. Yields what was set."""
    import numba
    from threadpoolctl import threadpool_info, threadpool_limits

    saved_env = {k: os.environ.get(k) for k in THREAD_VARS}
    saved_numba = numba.get_num_threads()
    for k in THREAD_VARS:
        os.environ[k] = str(threads)
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    try:
        with threadpool_limits(limits=threads):
            pools = [{"library": p["internal_api"], "num_threads": p["num_threads"]} for p in threadpool_info()]
            yield {"threads": threads, "numba_threads": numba.get_num_threads(), "pools": pools}
    finally:
        numba.set_num_threads(saved_numba)
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


#: biosynth configured with neurodsp's content for a like-for-like speed figure: the
#: aperiodic background and one posterior alpha rhythm in bursts (no beta or theta).
MATCHED = {
    "alpha_height": 0.0,
    "rhythms": [{"name": "alpha_bursts", "freq": 10.0, "bandwidth": 2.0, "height": 1.0,
                 "region": "posterior", "burst_duration": 0.5, "burst_rate": 30.0}],
}  # fmt: skip


def suite_speed(
    *,
    n_channels: int = 64,
    sfreq: float = 256.0,
    n_records: int = 10,
    duration: float = 60.0,
    repeat: int = 3,
    threads: int = 1,
    seed: int = 0,
    device: str = "cpu",
) -> dict[str, Any]:
    """Channel-seconds generated per wall second (best of ``repeat``) for each
    generator on ``threads`` threads (biosynth's filtering on ``device``); ratios
    biosynth / peer."""
    names = standard_channels(n_channels)
    channel_seconds = n_records * n_channels * duration
    out: dict[str, Any] = {
        "n_channels": n_channels,
        "sfreq_hz": sfreq,
        "n_records": n_records,
        "duration_s": duration,
        "repeat": repeat,
        "channel_seconds": channel_seconds,
        "device": device,
    }
    common = {"spatial": "sphere", "ch_names": names, "seed": seed, "device": device}
    alpha = {"freq": 10.0}
    components = {"sim_powerlaw": {"exponent": -1.5}, "sim_bursty_oscillation": alpha}

    def ours() -> None:
        simulate_eeg(duration, sfreq, n_records=n_records, **common)

    def ours_matched() -> None:  # neurodsp's content: a power law plus one bursty alpha rhythm
        simulate_eeg(duration, sfreq, n_records=n_records, **common, **MATCHED)

    def neurodsp() -> None:
        from neurodsp.sim import sim_combined

        with quiet():
            for _ in range(n_records * n_channels):
                sim_combined(duration, sfreq, components, [0.8, 0.2])

    def neurokit2() -> None:
        import neurokit2 as nk

        with quiet():
            for i in range(n_records * n_channels):
                nk.eeg_simulate(duration=duration, sampling_rate=sfreq, noise=0.1, random_state=i)

    with limit_threads(threads) as info:
        out["threads"] = info
        simulate_eeg(duration, sfreq, n_records=1, **common)  # lead field, kernels, torch
        from neurodsp.utils import set_random_seed

        set_random_seed(seed)
        with quiet():
            from neurodsp.sim import sim_combined

            sim_combined(duration, sfreq, components, [0.8, 0.2])  # imports
        runs: dict[str, Callable[[], None] | str] = {
            "biosynth": ours,
            "biosynth_matched": ours_matched,
            "neurodsp": neurodsp,
            "neurokit2": neurokit2,
        }
        try:
            _check_neurokit2()
        except Unavailable as err:
            runs["neurokit2"] = str(err)
        times: dict[str, list[float]] = {name: [] for name, run in runs.items() if not isinstance(run, str)}
        for _ in range(repeat):  # interleaved rounds: a load spike hits every generator alike
            for name in times:
                start = time.perf_counter()
                runs[name]()
                times[name].append(time.perf_counter() - start)
        for name, run in runs.items():
            if isinstance(run, str):
                out[name] = {"unavailable": run}
                continue
            best = min(times[name])
            out[name] = {"best_s": best, "all_s": times[name], "channel_seconds_per_s": channel_seconds / best}
    peers = [peer for peer in ("neurodsp", "neurokit2") if "channel_seconds_per_s" in out[peer]]
    pairs = [(ours, peer) for ours in ("biosynth", "biosynth_matched") for peer in peers]
    out["ratios"] = {f"{a}/{b}": out[a]["channel_seconds_per_s"] / out[b]["channel_seconds_per_s"] for a, b in pairs}
    # ratio within each round, then the median: robust to the load changing between rounds
    out["paired_ratios_median"] = {
        f"{a}/{b}": float(np.median(np.array(times[b]) / np.array(times[a]))) for a, b in pairs
    }
    return out


# --------------------------------------------------------------------------- CLI


def _print(result: dict[str, Any]) -> None:
    if "speed" in result:
        _print_speed(result["speed"])
    _print_fidelity(result["fidelity"])


def _print_speed(s: dict[str, Any]) -> None:
    print(
        f"(b) speed, {s['n_records']} records x {s['n_channels']} ch x {s['duration_s']:g} s at {s['sfreq_hz']:g} Hz, "
        f"{s['threads']['threads']} thread(s), channel-seconds per second:"
    )
    for name in ("biosynth", "biosynth_matched", *GENERATORS[1:]):
        row = s[name]
        print(f"  {name:>16}: " + (f"{row['channel_seconds_per_s']:,.0f}" if "best_s" in row else row["unavailable"]))
    print("  best over best: " + ", ".join(f"{k} {v:.1f}x" for k, v in s["ratios"].items()))
    print("  median of paired rounds: " + ", ".join(f"{k} {v:.1f}x" for k, v in s["paired_ratios_median"].items()))


def _print_fidelity(fidelity: dict[str, Any]) -> None:
    for dataset, fid in fidelity.items():
        if "skipped" in fid:
            print(f"(a) {dataset}: skipped ({fid['skipped']})")
            continue
        t = fid["targets"]
        print(
            f"(a) {dataset} ({fid['layout']['n_records']} records x {fid['layout']['n_channels']} ch): "
            f"exponent {t['aperiodic_exponent']:.2f}, alpha {t['alpha_freq']:.2f} Hz; "
            "median ratio per section (lower is closer):"
        )
        for section in SECTIONS:
            cells = []
            for name in GENERATORS:
                r = fid["generators"].get(name, {})
                if "summary" in r and section in r["summary"]:
                    cells.append(f"{name} {r['summary'][section]['median_ratio']:.3g}")
            best = fid["best"].get(section, {}).get("generator") or "none (all infinite)"
            print(f"  {section:>13}: " + "   ".join(cells) + f"   best: {best}")
        for name in GENERATORS:
            if "unavailable" in fid["generators"].get(name, {}):
                print(f"  {name}: {fid['generators'][name]['unavailable']}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", choices=sorted(DATASETS), default=list(DEFAULT_DATASETS))
    parser.add_argument("--epoch", type=float, default=4.0, help="epoch length for the EEGLAB recording, s")
    parser.add_argument("--threads", type=int, default=1, help="threads for the speed suite (1: per core)")
    parser.add_argument("--device", default="cpu", help="biosynth's device in the speed suite ('cuda' on a GPU)")
    parser.add_argument("--speed-channels", type=int, default=64)
    parser.add_argument("--speed-sfreq", type=float, default=256.0)
    parser.add_argument("--speed-records", type=int, default=10)
    parser.add_argument("--speed-duration", type=float, default=60.0)
    parser.add_argument("--repeat", type=int, default=7, help="interleaved timed rounds in the speed suite (default 7)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-fidelity", action="store_true")
    args = parser.parse_args(argv)
    result: dict[str, Any] = {
        "command": "python -m benchmarks.eeg",
        "arguments": vars(args),
        "biosynth_version": __version__,
        "git": git_state(),
        "peers": library_versions(("neurodsp", "neurokit2", "mne")),
        "machine": machine_info(),
        "date": time.strftime("%Y-%m-%d"),
        "conventions": (
            "fidelity: median over a section's metrics of value / real-vs-real reference (1 = as close as the "
            "real halves are to each other; lower is closer); speed: channel-seconds generated per wall second"
        ),
    }
    if not args.skip_speed:
        result["speed"] = suite_speed(
            n_channels=args.speed_channels,
            sfreq=args.speed_sfreq,
            n_records=args.speed_records,
            duration=args.speed_duration,
            repeat=args.repeat,
            threads=args.threads,
            seed=args.seed,
            device=args.device,
        )
    result["fidelity"] = {}
    for dataset in [] if args.skip_fidelity else args.datasets:
        real = load_real(dataset, args.epoch)
        if real is None:
            result["fidelity"][dataset] = {"skipped": not_found(DATASETS[dataset])}
            continue
        fid = suite_fidelity(real, seed=args.seed)
        fid["real"] = DATASETS[dataset]
        fid["biosynth_losses"] = losses(fid)
        result["fidelity"][dataset] = fid
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"eeg-{result['date']}.json"
    out.write_text(json.dumps(clean(result), indent=2))
    _print(result)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
