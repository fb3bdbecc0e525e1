# SPDX-License-Identifier: BSD-3-Clause
"""The summaries of a suite run: JSON (standard, NaN as null), Markdown, and HTML with the
scaling plots embedded."""

from __future__ import annotations

import base64
import html
import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from biosynth._utils.docs import fill_doc
from biosynth._utils.files import atomic_output
from biosynth.bench.timing import json_clean

__all__ = ["html_summary", "markdown_summary", "write_outputs"]


def markdown_summary(result: dict[str, Any]) -> str:
    """A Markdown page of a suite run.

    Parameters
    ----------
    result : dict
        As returned by :func:`biosynth.bench.run_suite`.

    Returns
    -------
    text : str
        Parameters, stage times (s), peak memory (MiB), detector scores or burst figures
        per state, the reference comparison, the generator table and the scaling table.
    """
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
    """The Markdown summary as a self-contained HTML page.

    Parameters
    ----------
    result : dict
        As returned by :func:`biosynth.bench.run_suite`.

    Returns
    -------
    page : str
        HTML with the Markdown summary and, with scaling figures, their plots (PNG, inline).
    """
    body = "<pre>" + html.escape(markdown_summary(result)) + "</pre>"
    if "scaling" in result:
        body += f'<img alt="scaling" src="data:image/png;base64,{_scaling_png(result["scaling"])}">'
    title = f"biosynth bench {result['suite']}"
    return f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"


def _scaling_png(scaling: dict[str, list[dict[str, float]]]) -> str:
    import matplotlib  # heavy: only when a page has plots

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


@fill_doc
def write_outputs(result: dict[str, Any], out: str | os.PathLike, *, overwrite: bool = False) -> list[Path]:
    """Write the results as JSON, and the Markdown and HTML summaries beside them.

    Parameters
    ----------
    result : dict
        As returned by :func:`biosynth.bench.run_suite`.
    out : str or path-like
        The JSON file; the summaries get its name with ``.md`` and ``.html``.
    %(overwrite)s

    Returns
    -------
    paths : list of Path
        The JSON, Markdown and HTML files.
    """
    out = Path(out)
    paths = [out, out.with_suffix(".md"), out.with_suffix(".html")]
    texts = [json.dumps(json_clean(result), indent=2), markdown_summary(result), html_summary(result)]
    for path, text in zip(paths, texts, strict=True):
        with atomic_output(path, overwrite=overwrite) as tmp:
            tmp.write_text(text, encoding="utf-8")
    return paths
