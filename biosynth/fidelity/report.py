# SPDX-License-Identifier: BSD-3-Clause
"""The fidelity report: one self-contained HTML page (plots embedded as PNG) and the
JSON summary beside it."""

from __future__ import annotations

import base64
import html
import io
import os
from pathlib import Path
from typing import Any

import numpy as np

from biosynth._version import __version__
from biosynth.fidelity.compare import FidelityResult, Metric
from biosynth.signals._files import atomic_output, check_output_path

_COLORS = {"real": "#1f77b4", "synthetic": "#d62728"}
_CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.good{color:#1a7f37}.warn{color:#b35900}
.bad{color:#c62828}img{max-width:100%}code{background:#f4f4f4;padding:1px 4px}.note{color:#555;font-size:90%}
"""


def write_report(
    result: FidelityResult,
    path: str | os.PathLike,
    *,
    json_path: str | os.PathLike | None = None,
    title: str = "biosynth fidelity report",
    overwrite: bool = False,
) -> dict[str, Path]:
    """Write the HTML report (and its JSON summary) for a :func:`compare` result.

    Parameters
    ----------
    result : FidelityResult
        Output of :func:`biosynth.fidelity.compare`.
    path : path-like
        HTML file to write.
    json_path : path-like | None
        JSON summary; None writes it beside ``path`` with the suffix ``.json``.
    title : str
        Page title.
    overwrite : bool
        Replace existing files; otherwise an existing file raises FileExistsError
        before anything is written.

    Returns
    -------
    paths : dict
        ``{"html": Path, "json": Path}``.
    """
    path = Path(path)
    json_path = path.with_suffix(".json") if json_path is None else Path(json_path)
    if json_path.resolve() == path.resolve():
        raise ValueError(f"path and json_path are the same file ({str(path)!r}); give the report an .html name.")
    for target in (path, json_path):
        check_output_path(target, overwrite=overwrite)
    page = render_html(result, title=title)
    with atomic_output(path, overwrite=overwrite) as tmp:
        tmp.write_text(page, encoding="utf-8")
    result.to_json(json_path, overwrite=overwrite)
    return {"html": path, "json": json_path}


def render_html(result: FidelityResult, *, title: str = "biosynth fidelity report") -> str:
    """The report as one HTML string with embedded figures.

    Parameters
    ----------
    result : FidelityResult
        Output of :func:`biosynth.fidelity.compare`.
    title : str
        Page title.

    Returns
    -------
    page : str
    """
    info = result.info
    parts = [
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
        f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>",
        _summary_html(info),
        "<h2>Metrics</h2>",
        "<p class='note'>Each metric compares real with synthetic; <em>real vs real</em> is the same metric "
        "between the first and second half of the real records. A ratio near 1 means the synthetic data is as "
        "close to the real data as the real data is to itself.</p>",
        _metrics_html(result.metrics),
        "<h2>Spectra</h2>",
        _img(_plot_psd(result)),
        "<h2>Feature distributions</h2>",
        _img(_plot_features(result)),
        "<h2>Channel correlation</h2>",
        _img(_plot_correlation(result)),
        "<h2>Example traces</h2>",
        _img(_plot_traces(result)),
        "<h2>Timings</h2>",
        _timings_html(result.timings),
        f"<p class='note'>biosynth {html.escape(__version__)}</p></body></html>",
    ]
    return "\n".join(parts)


def _summary_html(info: dict[str, Any]) -> str:
    rows = [
        ("sampling rate", f"{info['sfreq']:g} Hz"),
        ("channels", f"{len(info['channels'])}"),
        ("records (real / synthetic)", f"{info['n_records_real']} / {info['n_records_synthetic']}"),
        ("record duration", f"{info['record_duration_s']['real']:g} s"),
        ("amplitude unit", info["units"]),
        ("synthetic generator", str(info["provenance"]["synthetic"].get("generator", "unknown"))),
        ("real source", str(info["provenance"]["real"].get("source", "unknown"))),
    ]
    body = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def _verdict(metric: Metric) -> tuple[str, str]:
    ratio = metric.ratio
    if not np.isfinite(ratio):
        return "n/a", ""
    if metric.better == "higher":
        ratio = 1.0 / ratio if ratio > 0 else np.inf
    if ratio <= 1.5:
        return "close to real vs real", "good"
    if ratio <= 3.0:
        return "somewhat further", "warn"
    return "far from real", "bad"


def _metrics_html(metrics: list[Metric]) -> str:
    head = (
        "<tr><th>section</th><th>metric</th><th>real vs synthetic</th><th>real vs real</th><th>ratio</th>"
        "<th>better</th><th>verdict</th></tr>"
    )
    rows = []
    for m in metrics:
        label, css = _verdict(m)
        unit = f" {html.escape(m.unit)}" if m.unit else ""
        rows.append(
            f"<tr><td>{m.section}</td><td title='{html.escape(m.description)}'>{html.escape(m.name)}</td>"
            f"<td>{m.value:.4g}{unit}</td><td>{m.reference:.4g}{unit}</td><td>{_num(m.ratio)}</td>"
            f"<td>{m.better}</td><td class='{css}'>{label}</td></tr>"
        )
    return f"<table>{head}{''.join(rows)}</table>"


def _num(value: float) -> str:
    return f"{value:.3g}" if np.isfinite(value) else "n/a"


def _timings_html(timings: dict[str, float]) -> str:
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{v * 1e3:.1f} ms</td></tr>" for k, v in timings.items())
    return f"<table><tr><th>stage</th><th>time</th></tr>{rows}</table>"


def _img(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return f"<img alt='figure' src='data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}'>"


def _figure(n_cols: int, width: float = 5.0, height: float = 3.6):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt.subplots(1, n_cols, figsize=(width * n_cols, height), squeeze=False)


def _plot_psd(result: FidelityResult):
    fig, axes = _figure(1, width=9, height=4.2)
    ax = axes[0, 0]
    freqs = result.spectra["freqs"]
    for name in ("real", "synthetic"):
        psd = result.spectra[name].reshape(-1, freqs.size)[:, 1:]
        lo, hi = np.percentile(psd, [10, 90], axis=0)
        ax.fill_between(freqs[1:], lo, hi, color=_COLORS[name], alpha=0.2, lw=0)
        ax.loglog(freqs[1:], np.exp(np.log(psd).mean(axis=0)), color=_COLORS[name], label=f"{name} (geometric mean)")
    ax.set(xlabel="frequency (Hz)", ylabel=f"PSD ({result.info['units']}²/Hz)", title="PSD, all signals: mean, 10-90 %")
    ax.legend()
    return fig


def _plot_features(result: FidelityResult):
    names = list(result.features["real"])
    fig, axes = _figure(len(names), width=2.3, height=3.2)
    for ax, name in zip(axes[0], names, strict=True):
        data = [result.features[k][name][np.isfinite(result.features[k][name])] for k in ("real", "synthetic")]
        parts = ax.boxplot(data, tick_labels=["real", "synth"], patch_artist=True, showfliers=False)
        for patch, key in zip(parts["boxes"], ("real", "synthetic"), strict=True):
            patch.set_facecolor(_COLORS[key])
            patch.set_alpha(0.4)
        ax.set_title(name.replace("relpow_", "rel. "), fontsize=9)
    fig.tight_layout()
    return fig


def _plot_correlation(result: FidelityResult):
    fig, axes = _figure(2, width=4.5, height=4.0)
    for ax, name in zip(axes[0], ("real", "synthetic"), strict=True):
        image = ax.imshow(result.correlation[name], vmin=-1, vmax=1, cmap="RdBu_r")
        ax.set(title=f"{name}: mean channel correlation", xlabel="channel", ylabel="channel")
    fig.colorbar(image, ax=axes[0].tolist(), shrink=0.8)
    return fig


def _plot_traces(result: FidelityResult, n_channels: int = 6):
    fig, axes = _figure(2, width=5.5, height=4.0)
    t = result.examples["time"]
    channels = result.examples["channels"][:n_channels]
    for ax, name in zip(axes[0], ("real", "synthetic"), strict=True):
        data = result.examples[name][: len(channels)]
        step = 4 * np.median(np.std(result.examples["real"][: len(channels)], axis=1)) or 1.0
        for i, trace in enumerate(data):
            ax.plot(t, trace - i * step, color=_COLORS[name], lw=0.6)
        ax.set_yticks(-np.arange(len(channels)) * step, [str(c) for c in channels])
        ax.set(xlabel="time (s)", title=f"{name}: first record")
    return fig
