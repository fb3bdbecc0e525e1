# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth bench epilepsy|parkinson``: a suite run end to end, its scaling figures and
its summary (JSON with a stable schema, Markdown and HTML with plots).

Stages, each timed: ``generate+detect`` (all records, in chunks, resumable, local or on
dask), ``reference`` (the comparison with real data or published figures), ``scaling``
(optional: generation throughput and peak memory as the record count and the record
length grow, each size in a fresh process so the peak memory is its own).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from biosynth._bench import json_clean, machine_info
from biosynth._version import __version__

#: Version of the result schema (bump on incompatible changes).
SCHEMA_VERSION = 1
#: Record counts and lengths (s) of the scaling figures (counts capped by max_records).
SCALING_RECORDS = (10, 100, 1000, 10000)
SCALING_DURATIONS = (5.0, 10.0, 30.0, 60.0)


def run_suite(
    name: str,
    *,
    n_records: int = 100,
    duration: float = 10.0,
    chunk_size: int = 10,
    n_compare: int = 40,
    seed: int = 0,
    device: str = "cpu",
    scheduler: str | None = None,
    out_dir: str | Path | None = None,
    scaling: bool = False,
    max_records: int = 1000,
    card: str | Path | None = None,
    generators: tuple[str, ...] = (),
    progress: bool = True,
) -> dict[str, Any]:
    """Run suite ``name`` and return its results (see the module notes).

    Parameters
    ----------
    name : {"epilepsy", "parkinson"}
        The use case.
    n_records : int
        Records generated and scored.
    duration : float
        Length of each record, in s.
    chunk_size : int
        Records per chunk (the unit of parallelism and of resuming).
    n_compare : int
        Records compared with the reference data.
    seed : int
        Root seed of every record.
    device : str
        ``"cpu"`` or a torch device for the generation and the comparison.
    scheduler : str | None
        None (this process), ``"processes:N"`` or ``"tcp://HOST:PORT"`` (dask.distributed).
    out_dir : str, Path or None
        Where finished chunks are kept so a killed run resumes; None keeps nothing.
    scaling : bool
        Also measure throughput and memory against record count and length.
    max_records : int
        Largest record count of the scaling figures.
    card : str, Path or None
        Also write the data card of the compared records here (replacing it).
    generators : tuple of str
        Epilepsy only: data-driven generators (:data:`biosynth.bench.suites.LEARNED`) to
        fit on the Bonn training halves, generate ``n_records`` records with (chunked
        like the main generator) and compare with Bonn D/E the same way.
    progress : bool
        Show progress bars.

    Returns
    -------
    result : dict
        JSON-able: ``schema``, ``suite``, ``parameters``, versions, ``machine``, ``seconds``
        per stage, ``peak_memory_mb``, ``detectors`` / ``by_state``, ``reference`` and
        ``scaling``.
    """
    from biosynth.bench.runner import peak_memory_mb, run_chunks
    from biosynth.bench.suites import SUITES, suite_task

    if name not in SUITES:
        raise ValueError(f"suite must be one of {SUITES}, got {name!r}.")
    _check_plan(name, generators, n_records=n_records, n_compare=n_compare, duration=duration)
    parameters = {"n_records": n_records, "duration": duration, "chunk_size": chunk_size, "n_compare": n_compare,
                  "seed": seed, "device": device}  # fmt: skip
    result: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "suite": name,
        "parameters": parameters,
        "scheduler": scheduler or "in-process",
        "biosynth_version": __version__,
        "versions": _versions(),
        "machine": machine_info(),
        "date": time.strftime("%Y-%m-%d"),
        "seconds": {},
    }
    start = time.perf_counter()
    task = suite_task(name, duration=duration, seed=seed, device=device)
    key = {"suite": name, "duration": duration, "seed": seed, "device": device, "version": __version__}
    chunks = run_chunks(task, n_records, chunk_size, out_dir=out_dir, key=key, scheduler=scheduler, progress=progress)
    result["seconds"]["generate+detect"] = time.perf_counter() - start
    result.update(_summarise(name, chunks, seed))
    start = time.perf_counter()
    result["reference"] = _reference(name, n_compare=min(n_compare, n_records), duration=duration, seed=seed,
                                     device=device, card=card, summary=result)  # fmt: skip
    result["seconds"]["reference"] = time.perf_counter() - start
    if generators:
        result["generators"] = _learned(name, generators, n_records=n_records, chunk_size=chunk_size,
                                        n_compare=min(n_compare, n_records), seed=seed, device=device,
                                        scheduler=scheduler, out_dir=out_dir, progress=progress)  # fmt: skip
    if scaling:
        start = time.perf_counter()
        result["scaling"] = measure_scaling(name, max_records=max_records, duration=duration, seed=seed)
        result["seconds"]["scaling"] = time.perf_counter() - start
    result["peak_memory_mb"] = peak_memory_mb()
    return result


#: Fewest synthetic epochs (records) the comparison accepts (its k = 5 neighbour measures).
MIN_COMPARE_EPOCHS = 6


def _check_plan(name: str, generators: tuple[str, ...], *, n_records: int, n_compare: int, duration: float) -> None:
    """Reject, before any work, what would fail later: unknown generators, too few epochs."""
    from biosynth.bench.suites import EPOCH_S, LEARNED

    if generators and name != "epilepsy":
        raise ValueError(f"generators applies to the epilepsy suite (fitted on Bonn), got suite {name!r}.")
    unknown = sorted(set(generators) - set(LEARNED))
    if unknown:
        raise ValueError(f"generators {unknown} are unknown; expected some of {sorted(LEARNED)}.")
    if name == "epilepsy":
        compared = min(n_compare, n_records)
        epochs = compared * int(duration // EPOCH_S)
        if epochs < MIN_COMPARE_EPOCHS or (generators and compared < MIN_COMPARE_EPOCHS):
            raise ValueError(
                f"n_compare={n_compare} with n_records={n_records} and duration={duration:g} s gives {epochs} "
                f"epochs of {EPOCH_S:g} s to compare; at least {MIN_COMPARE_EPOCHS} are needed "
                "(raise --n-compare, --n-records or --duration)."
            )


def _learned(name: str, generators, *, n_records, chunk_size, n_compare, seed, device, scheduler, out_dir, progress):
    """Fit, generate (chunked, resumable) and compare each data-driven generator."""
    from functools import partial

    from biosynth.bench.runner import run_chunks
    from biosynth.bench.suites import LEARNED, fit_learned, learned_chunk, learned_reference

    out = {}
    for generator in generators:
        fitted = fit_learned(generator, device=device)
        task = partial(learned_chunk, models=fitted["models"], seed=seed)
        key = {
            "suite": name,
            "generator": generator,
            "settings": LEARNED[generator],
            "seed": seed,
            "version": __version__,
        }
        start = time.perf_counter()
        chunks = run_chunks(task, n_records, chunk_size, out_dir=out_dir, key=key, scheduler=scheduler,
                            progress=progress)  # fmt: skip
        seconds = time.perf_counter() - start
        reference = learned_reference(fitted["models"], n_compare=n_compare, seed=seed, device=device)
        samples = sum(c["samples"] for c in chunks)
        out[generator] = {"fit_s": fitted["fit_s"], "generate_s": seconds, "records_per_s": n_records / seconds,
                          "samples_per_s": samples / seconds, "reference": reference}  # fmt: skip
    return out


def _summarise(name: str, chunks: list[dict[str, Any]], seed: int) -> dict[str, Any]:
    from biosynth.bench.suites import epilepsy_summary, parkinson_summary

    return epilepsy_summary(chunks) if name == "epilepsy" else parkinson_summary(chunks, seed=seed)


def _reference(name: str, *, n_compare: int, duration: float, seed: int, device: str, card, summary) -> dict[str, Any]:
    from biosynth.bench.suites import epilepsy_reference, parkinson_card

    if name == "epilepsy":
        return epilepsy_reference(n_compare=n_compare, duration=duration, seed=seed, device=device, card=card)
    if card is not None:
        parkinson_card(card, summary, n_compare=n_compare, duration=duration, seed=seed)
    return {"published": "time in bursts OFF/ON against Tinkhauser et al. 2017 (27.0 % / 16.1 %), see by_state"}


def _versions() -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for package in ("numpy", "scipy", "numba", "xarray", "mne", "torch", "dask", "distributed"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = None
    return out


# --- scaling --------------------------------------------------------------------------


def measure_scaling(
    name: str,
    *,
    max_records: int,
    duration: float,
    seed: int,
    records: tuple[int, ...] = SCALING_RECORDS,
    durations: tuple[float, ...] = SCALING_DURATIONS,
) -> dict[str, list[dict[str, float]]]:
    """Generation throughput and peak memory against record count and length.

    Parameters
    ----------
    name : {"epilepsy", "parkinson"}
        The suite whose generator is measured.
    max_records : int
        Largest record count measured (``records`` above it are skipped).
    duration : float
        Record length of the count series, in s.
    seed : int
        Root seed.
    records : tuple of int
        Record counts of the count series.
    durations : tuple of float
        Record lengths (s) of the length series, at 10 records.

    Returns
    -------
    scaling : dict
        ``"records"`` and ``"duration"``: one row per size with seconds, records/s,
        samples/s and the peak memory (MiB) of a fresh process that made them.
    """
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from tqdm.auto import tqdm

    sizes = [("records", n, duration) for n in records if n <= max_records]
    sizes += [("duration", min(10, max_records), d) for d in durations]
    out: dict[str, list[dict[str, float]]] = {"records": [], "duration": []}
    for axis, n, length in tqdm(sizes, desc="scaling", unit="size"):
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
            seconds, samples, memory = pool.submit(_generate_only, name, n, length, seed).result()
        out[axis].append({"n_records": n, "duration_s": length, "seconds": seconds, "records_per_s": n / seconds,
                          "samples_per_s": samples / seconds, "peak_memory_mb": memory})  # fmt: skip
    return out


#: Records generated at once by the scaling measurement (as a chunk of a suite run is):
#: memory stays bounded whatever the record count.
SCALING_CHUNK = 100


def _generate_only(name: str, n: int, duration: float, seed: int) -> tuple[float, int, float]:
    """Seconds, samples made and peak memory of generating ``n`` records (no detection),
    :data:`SCALING_CHUNK` records at a time."""
    from biosynth.bench.runner import peak_memory_mb
    from biosynth.generators import simulate_ioecog, simulate_parkinson

    start, samples = time.perf_counter(), 0
    for first in range(0, n, SCALING_CHUNK):
        count = min(SCALING_CHUNK, n - first)
        if name == "epilepsy":
            from biosynth.bench.suites import BONN_MATCHED, BONN_SFREQ

            data = simulate_ioecog(
                duration, 6 * BONN_SFREQ, n_records=count, first_record=first, seed=seed, **BONN_MATCHED
            )
            samples += data.size
        else:
            out = simulate_parkinson(duration, n_records=count, first_record=first, seed=seed)
            samples += sum(v.size for v in out.values())
    return time.perf_counter() - start, int(samples), peak_memory_mb()


# --- summary --------------------------------------------------------------------------


def markdown_summary(result: dict[str, Any]) -> str:
    """A Markdown page: parameters, stage times, scores, reference figures, scaling table."""
    p = result["parameters"]
    lines = [f"# biosynth bench {result['suite']}", ""]
    lines += [f"{p['n_records']} records x {p['duration']:g} s, seed {p['seed']}, device {p['device']}, "
              f"{result['scheduler']}; biosynth {result['biosynth_version']}, {result['date']}.", ""]  # fmt: skip
    lines += ["| stage | seconds |", "| --- | --- |"]
    lines += [f"| {k} | {v:.1f} |" for k, v in result["seconds"].items()]
    lines += ["", f"Peak memory: {result['peak_memory_mb']:.0f} MiB.", ""]
    if "detectors" in result:
        lines += ["| event type | true | detected | precision | recall | F1 |", "| --- | --- | --- | --- | --- | --- |"]
        for kind, s in result["detectors"].items():
            lines.append(f"| {kind} | {s['n_true']} | {s['n_detected']} | {_f(s['precision'])} | {_f(s['recall'])} | "
                         f"{_f(s['f1'])} |")  # fmt: skip
        lines += ["", f"Zone AUC of the spike rates: {_f(result['zone_auc_mean'])}.", ""]
        ref = result.get("reference", {})
        if "sections" in ref:
            lines += ["| section | median ratio to real-vs-real |", "| --- | --- |"]
            lines += [f"| {k} | {_f(v)} |" for k, v in ref["sections"].items()]
            metrics = ref["metrics"]
            tstr = metrics.get("tstr_balanced_accuracy", {})
            lines += ["", f"Utility: train on synthetic, test on real {_f(tstr.get('value'))} "
                          f"(train on real {_f(tstr.get('reference'))}); privacy: membership-inference AUC "
                          f"{_f(metrics.get('mia_auc', {}).get('value'))}, memorised copies "
                          f"{_f(metrics.get('memorised_copies_share', {}).get('value'))}.", ""]  # fmt: skip
        elif "skipped" in ref:
            lines += [f"Reference comparison skipped: {ref['skipped']}.", ""]
    if "generators" in result:
        lines += _generator_table(result)
    if "by_state" in result:
        lines += ["| state | records | time in bursts | published | matched duration ratio | recall |",
                  "| --- | --- | --- | --- | --- | --- |"]  # fmt: skip
        for state, s in result["by_state"].items():
            cells = [state, s["n_records"], _f(s["time_in_bursts"]), s["published_time_in_bursts"]]
            cells += [_f(s["duration_ratio"]), _f(s["recall"])]
            lines.append("| " + " | ".join(str(c) for c in cells) + " |")
        lines += ["", f"OFF/ON classifier balanced accuracy: {_f(result['classifier_balanced_accuracy'])}.", ""]
    if "scaling" in result:
        lines += ["| records | length (s) | records/s | samples/s | peak MiB |", "| --- | --- | --- | --- | --- |"]
        for row in result["scaling"]["records"] + result["scaling"]["duration"]:
            lines.append(f"| {row['n_records']} | {row['duration_s']:g} | {row['records_per_s']:.3g} | "
                         f"{row['samples_per_s']:.3g} | {row['peak_memory_mb']:.0f} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def _generator_table(result: dict[str, Any]) -> list[str]:
    """Every generator against Bonn D/E: sections, TSTR, attack AUC, speed."""
    sections = ("spectral", "statistical", "nonlinear", "multivariate")
    head = ["generator", *sections, "TSTR", "MIA AUC", "fit s", "records/s"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    rows = {"ioecog (parametric)": {"reference": result.get("reference", {}), "fit_s": 0.0,
                                    "records_per_s": result["parameters"]["n_records"]
                                    / result["seconds"]["generate+detect"]}}  # fmt: skip
    rows.update(result["generators"])
    for generator, r in rows.items():
        ref = r["reference"]
        if "sections" not in ref:
            continue
        metrics = ref["metrics"]
        cells = [generator, *(_f(ref["sections"].get(s)) for s in sections)]
        cells += [
            _f(metrics.get("tstr_balanced_accuracy", {}).get("value")),
            _f(metrics.get("mia_auc", {}).get("value")),
        ]
        cells += [f"{r['fit_s']:.1f}", _f(r["records_per_s"])]
        lines.append("| " + " | ".join(cells) + " |")
    return ["Every generator on the same Bonn comparison (ioecog's rate includes detection):", "", *lines, ""]


def html_summary(result: dict[str, Any]) -> str:
    """The Markdown summary as HTML, with the scaling plots embedded (PNG)."""
    import html

    body = "<pre>" + html.escape(markdown_summary(result)) + "</pre>"
    if "scaling" in result:
        body += f'<img alt="scaling" src="data:image/png;base64,{_scaling_png(result["scaling"])}">'
    title = f"biosynth bench {result['suite']}"
    return f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"


def _scaling_png(scaling: dict[str, list[dict[str, float]]]) -> str:
    import base64
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(9, 6), constrained_layout=True)
    for col, (axis, key, label) in enumerate(
        (("records", "n_records", "records"), ("duration", "duration_s", "record length (s)"))
    ):
        rows = scaling[axis]
        x = [r[key] for r in rows]
        axes[0, col].loglog(x, [r["samples_per_s"] for r in rows], "o-")
        axes[0, col].set(xlabel=label, ylabel="samples / s")
        axes[1, col].semilogx(x, [r["peak_memory_mb"] for r in rows], "o-")
        axes[1, col].set(xlabel=label, ylabel="peak memory (MiB)")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _f(value: Any) -> str:
    return "n/a" if value is None or (isinstance(value, float) and not np.isfinite(value)) else f"{value:.3g}"


def write_outputs(result: dict[str, Any], out: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Write ``out`` (JSON), and the Markdown and HTML summaries beside it."""
    from biosynth._utils.files import atomic_output

    out = Path(out)
    paths = [out, out.with_suffix(".md"), out.with_suffix(".html")]
    texts = [json.dumps(json_clean(result), indent=2), markdown_summary(result), html_summary(result)]
    for path, text in zip(paths, texts, strict=True):
        with atomic_output(path, overwrite=overwrite) as tmp:
            tmp.write_text(text, encoding="utf-8")
    return paths
