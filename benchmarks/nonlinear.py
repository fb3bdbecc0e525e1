# SPDX-License-Identifier: BSD-3-Clause
"""Time biosynth's nonlinear measures against antropy, neurokit2 and nolds in one process.

Rerun: ``python -m benchmarks.nonlinear`` (needs the ``dev`` extra: antropy, neurokit2,
nolds). Suites: (a) the measure set on 64 channels x 10 s at 256 Hz, biosynth on the
whole batch against each peer called channel by channel; (b) sample entropy and DFA
on single signals of 10,000 and 100,000 samples; (c) scaling of the whole set with
the number of channels. Inputs are simulated resting EEG (seeded). Writes
``benchmarks/results/nonlinear-<date>.json`` and prints the tables.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks._results import RESULTS
from biosynth import __version__
from biosynth.bench import machine_info
from biosynth.fidelity import detrended_fluctuation, nonlinear_features, sample_entropy
from biosynth.generators import simulate_eeg

SFREQ = 256.0


def _best(func: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Best wall time of ``repeat`` calls, in seconds, and the last result."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - start)
    return min(times), out


def _eeg(n_channels: int, n_times: int, seed: int) -> np.ndarray:
    """Simulated EEG in microvolts, shape (n_channels, n_times)."""
    names = [f"EEG{i:04d}" for i in range(n_channels)]
    eeg = simulate_eeg(n_times / SFREQ, SFREQ, ch_names=names, seed=seed)
    return np.ascontiguousarray(eeg.values * 1e6)


def _median_bits(x: np.ndarray) -> str:
    return "".join("1" if v else "0" for v in x > np.median(x))


def _antropy_set(ant: Any) -> dict[str, Callable[[np.ndarray], Any]]:
    """antropy's functions, called per channel, with biosynth's set conventions."""
    return {
        "sample_entropy": ant.sample_entropy,
        "approximate_entropy": ant.app_entropy,
        "permutation_entropy": lambda x: ant.perm_entropy(x, normalize=True),
        "spectral_entropy": lambda x: ant.spectral_entropy(x, SFREQ, normalize=True),
        "svd_entropy": lambda x: ant.svd_entropy(x, normalize=True),
        "lempel_ziv_complexity": lambda x: ant.lziv_complexity(_median_bits(x), normalize=True),
        "higuchi_fd": ant.higuchi_fd,
        "katz_fd": ant.katz_fd,
        "petrosian_fd": ant.petrosian_fd,
        "detrended_fluctuation": ant.detrended_fluctuation,
        "hjorth": lambda x: ant.hjorth_params(x, sf=SFREQ),  # mobility and complexity in one call
        "zero_crossings": lambda x: ant.num_zerocross(x, normalize=True),
    }


def _neurokit_set(nk: Any) -> dict[str, Callable[[np.ndarray], Any]]:
    """neurokit2's functions for the whole set, called per channel."""
    return {
        "sample_entropy": lambda x: nk.entropy_sample(x, dimension=2, tolerance=0.2 * np.std(x)),
        "approximate_entropy": lambda x: nk.entropy_approximate(x, dimension=2, tolerance=0.2 * np.std(x)),
        "multiscale_entropy": lambda x: nk.entropy_multiscale(x, scale=10, dimension=2, method="MSEn"),
        "permutation_entropy": lambda x: nk.entropy_permutation(x, dimension=3),
        "spectral_entropy": nk.entropy_spectral,
        "svd_entropy": lambda x: nk.entropy_svd(x, dimension=3),
        "lempel_ziv_complexity": lambda x: nk.complexity_lempelziv(x, symbolize="median"),
        "higuchi_fd": lambda x: nk.fractal_higuchi(x, k_max=10),
        "katz_fd": nk.fractal_katz,
        "petrosian_fd": nk.fractal_petrosian,
        "detrended_fluctuation": nk.fractal_dfa,
        "hurst_exponent": nk.fractal_hurst,
        "hjorth": nk.complexity_hjorth,
        "line_length": nk.fractal_linelength,
        "zero_crossings": nk.signal_zerocrossings,
    }


#: biosynth measures covered by one peer function (hjorth gives both Hjorth measures).
_COVERS = {"hjorth": ("hjorth_mobility", "hjorth_complexity")}


def _biosynth_names(peer_names: list[str]) -> list[str]:
    return [name for peer in peer_names for name in _COVERS.get(peer, (peer,))]


def _per_channel(funcs: dict[str, Callable], x: np.ndarray) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Seconds per peer function over all channels (one pass), and the values by
    biosynth measure name."""
    seconds, values = {}, {}
    for name, func in funcs.items():
        start = time.perf_counter()
        out = [func(row) for row in x]
        seconds[name] = time.perf_counter() - start
        columns = np.array(out, dtype=float)  # antropy returns scalars, or (mobility, complexity)
        for k, measure in enumerate(_COVERS.get(name, (name,))):
            values[measure] = columns[:, k] if columns.ndim == 2 else columns
    return seconds, values


def _timed_per_channel(funcs: dict[str, Callable], x: np.ndarray) -> dict[str, float]:
    """Seconds per peer function over all channels, for peers whose outputs differ in form."""
    seconds = {}
    for name, func in funcs.items():
        start = time.perf_counter()
        for row in x:
            func(row)
        seconds[name] = time.perf_counter() - start
    return seconds


def _max_rel_diff(ours: dict[str, np.ndarray], theirs: dict[str, np.ndarray]) -> dict[str, float]:
    return {name: float(np.max(np.abs(ours[name] - v) / np.abs(v))) for name, v in theirs.items()}


def _set_vs_peer(x: np.ndarray, funcs: dict[str, Callable], repeat: int, same_conventions: bool) -> dict[str, Any]:
    names = _biosynth_names(list(funcs))
    ours, values = _best(lambda: nonlinear_features(x, SFREQ, measures=names), repeat)
    per_measure = {name: _best(lambda n=name: nonlinear_features(x, SFREQ, measures=[n]), repeat)[0] for name in names}
    if same_conventions:
        peer, peer_values = _per_channel(funcs, x)
    else:
        peer, peer_values = _timed_per_channel(funcs, x), {}
    total = sum(peer.values())
    return {
        "measures": names,
        "biosynth_s": ours,
        "peer_s": total,
        "ratio": total / ours,
        "biosynth_per_measure_s": per_measure,
        "peer_per_function_s": peer,
        "max_rel_diff": _max_rel_diff(values, peer_values),
    }


def suite_set(n_channels: int, seconds: float, repeat: int, seed: int) -> dict[str, Any]:
    """(a) The measure set on one batch: biosynth vs antropy and neurokit2 per channel."""
    import antropy as ant
    import neurokit2 as nk

    x = _eeg(n_channels, round(seconds * SFREQ), seed)
    start = time.perf_counter()
    nonlinear_features(x, SFREQ)  # first call: Numba compiles or loads its cache
    first_call = time.perf_counter() - start
    return {
        "n_channels": n_channels,
        "n_times": x.shape[1],
        "first_call_s": first_call,
        "antropy": _set_vs_peer(x, _antropy_set(ant), repeat, same_conventions=True),
        "neurokit2": _set_vs_peer(x, _neurokit_set(nk), 1, same_conventions=False),
    }


OURS = {"sample_entropy": sample_entropy, "detrended_fluctuation": detrended_fluctuation}


def suite_single(lengths: list[int], repeat: int, seed: int, nolds_max: int) -> list[dict[str, Any]]:
    """(b) Sample entropy and DFA on one long signal each."""
    import antropy as ant
    import neurokit2 as nk
    import nolds

    rows = []
    for n in lengths:
        x = _eeg(1, n, seed)[0]
        r = 0.2 * np.std(x)
        peers = {
            "sample_entropy": {
                "antropy": lambda x=x: ant.sample_entropy(x),
                "neurokit2": lambda x=x, r=r: nk.entropy_sample(x, dimension=2, tolerance=r),
                "nolds": lambda x=x, r=r: nolds.sampen(x, emb_dim=2, tolerance=r),
            },
            "detrended_fluctuation": {
                "antropy": lambda x=x: ant.detrended_fluctuation(x),
                "neurokit2": lambda x=x: nk.fractal_dfa(x),
                "nolds": lambda x=x: nolds.dfa(x, overlap=False, fit_exp="poly"),
            },
        }
        for measure, funcs in peers.items():
            func = OURS[measure]
            func(x)  # compile outside the timing
            t_ours, value = _best(lambda f=func, x=x: f(x), repeat)
            row = {"measure": measure, "n_times": n, "biosynth_s": t_ours, "biosynth_value": float(value)}
            for peer, func in funcs.items():
                if peer == "nolds" and n > nolds_max:
                    continue
                t_peer, peer_value = _best(func, 1 if n > 20_000 else repeat)
                peer_value = peer_value[0] if isinstance(peer_value, tuple) else peer_value
                row[peer] = {"s": t_peer, "ratio": t_peer / t_ours, "value": float(peer_value)}
            rows.append(row)
    return rows


def suite_scaling(channels: list[int], seconds: float, repeat: int, seed: int, peer_max: int) -> list[dict[str, Any]]:
    """(c) The whole set against batch size; antropy per channel up to ``peer_max`` channels."""
    import antropy as ant

    funcs = _antropy_set(ant)
    names = _biosynth_names(list(funcs))
    x_all = _eeg(max(channels), round(seconds * SFREQ), seed)
    rows = []
    for n in channels:
        x = x_all[:n]
        t_all, _ = _best(lambda x=x: nonlinear_features(x, SFREQ), repeat)
        t_shared, _ = _best(lambda x=x: nonlinear_features(x, SFREQ, measures=names), repeat)
        row = {"n_channels": n, "biosynth_all_s": t_all, "biosynth_antropy_set_s": t_shared}
        if n <= peer_max:
            row["antropy_s"] = sum(_timed_per_channel(funcs, x).values())
            row["ratio"] = row["antropy_s"] / t_shared
        rows.append(row)
    return rows


def _print_tables(result: dict[str, Any]) -> None:
    a = result["set"]
    print(f"(a) measure set, {a['n_channels']} ch x {a['n_times']} samples (first call {a['first_call_s']:.2f} s)")
    for peer in ("antropy", "neurokit2"):
        r = a[peer]
        print(f"  vs {peer:<10} {len(r['measures']):>2} measures: biosynth {r['biosynth_s'] * 1e3:9.1f} ms, ", end="")
        print(f"{peer} {r['peer_s'] * 1e3:10.1f} ms, ratio {r['ratio']:7.1f}x")
    print("  largest relative difference from antropy per measure (same conventions):")
    print("   ", ", ".join(f"{k} {v:.1e}" for k, v in a["antropy"]["max_rel_diff"].items()))
    print("(b) single signals")
    for row in result["single"]:
        peers = ", ".join(f"{p} {row[p]['ratio']:.1f}x" for p in ("antropy", "neurokit2", "nolds") if p in row)
        print(f"  {row['measure']:<22} n={row['n_times']:>7}: biosynth {row['biosynth_s'] * 1e3:9.2f} ms; {peers}")
    print("(c) scaling")
    for row in result["scaling"]:
        ratio = f"{row['ratio']:.1f}x vs antropy" if "ratio" in row else ""
        print(f"  {row['n_channels']:>5} ch: all {row['biosynth_all_s'] * 1e3:10.1f} ms  {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs (peers on long inputs: 1)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--channels", type=int, nargs="+", default=[1, 4, 16, 64, 256, 1024, 4096])
    parser.add_argument("--peer-max-channels", type=int, default=256, help="largest batch antropy runs in (c)")
    parser.add_argument("--lengths", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--nolds-max", type=int, default=10_000, help="longest signal nolds runs in (b)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")  # peers' deprecation chatter
    result = {
        "command": "python -m benchmarks.nonlinear",
        "biosynth_version": __version__,
        "machine": machine_info(),
        "date": time.strftime("%Y-%m-%d"),
        "input": f"simulate_eeg at {SFREQ:g} Hz, seed {args.seed}, in microvolts",
        "set": suite_set(64, 10.0, args.repeat, args.seed),
        "single": suite_single(args.lengths, args.repeat, args.seed, args.nolds_max),
        "scaling": suite_scaling(args.channels, 10.0, args.repeat, args.seed, args.peer_max_channels),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"nonlinear-{result['date']}.json"
    out.write_text(json.dumps(result, indent=2))
    _print_tables(result)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
