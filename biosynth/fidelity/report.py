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

from biosynth._utils.files import atomic_output, check_output_path
from biosynth._version import __version__
from biosynth.fidelity.compare import SECTIONS, FidelityReport, Metric
from biosynth.fidelity.features import feature_names

_COLORS = {"real": "#1f77b4", "synthetic": "#d62728"}
_CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.good{color:#1a7f37}.warn{color:#b35900}
.bad{color:#c62828}img{max-width:100%}code{background:#f4f4f4;padding:1px 4px}.note{color:#555;font-size:90%}
"""


def write_report(
    result: FidelityReport,
    path: str | os.PathLike,
    *,
    json_path: str | os.PathLike | None = None,
    title: str = "biosynth fidelity report",
    overwrite: bool = False,
) -> dict[str, Path]:
    """Write the HTML report (and its JSON summary) for a :func:`compare` result.

    Parameters
    ----------
    result : FidelityReport
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


def render_html(result: FidelityReport, *, title: str = "biosynth fidelity report") -> str:
    """The report as one HTML string with embedded figures.

    Parameters
    ----------
    result : FidelityReport
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
        "<h2>Summary</h2>",
        "<p class='note'>Each metric compares the first half of the real records with as many synthetic "
        "records; <em>real vs real</em> is the same metric between the two halves of the real records. A ratio "
        "near 1 means the synthetic data is as close to the real data as the real data is to itself; ratios are "
        "oriented so that larger is worse.</p>",
        _section_summary_html(result),
        "<h2>Spectra</h2>",
        _img(_plot_psd(result)),
        "<h2>Feature distributions</h2>",
        _img(_plot_features(result)),
        "<h2>Channel correlation</h2>",
        _img(_plot_correlation(result)),
        "<h2>Autocorrelation and amplitude distribution</h2>",
        _img(_plot_shape(result)),
        "<h2>Example traces</h2>",
        _img(_plot_traces(result)),
    ]
    pca = result.extras.get("multivariate", {}).get("results", {}).get("pca", {}).get("synthetic")
    if pca is not None:
        parts += ["<h2>PCA of signal features</h2>", _img(_plot_pca(pca))]
    for section in SECTIONS:
        metrics = [m for m in result.metrics if m.section == section]
        if metrics:
            parts += [f"<h2>Metrics: {section}</h2>", _SECTION_NOTES.get(section, ""), _metrics_html(metrics, section)]
    if "plausibility" in result.extras:
        parts += ["<h2>Plausibility per record (synthetic)</h2>", _plausibility_html(result.extras["plausibility"])]
    parts += [
        "<h2>Timings</h2>",
        _timings_html(result.timings),
        f"<p class='note'>biosynth {html.escape(__version__)}</p></body></html>",
    ]
    return "\n".join(parts)


def _section_summary_html(result: FidelityReport) -> str:
    table = result.summary()
    head = "<tr><th>section</th><th>metrics</th><th>within 1.5x of real vs real</th><th>median ratio</th></tr>"
    rows = "".join(
        f"<tr><td>{html.escape(str(name))}</td><td>{int(row['metrics'])}</td><td>{int(row['close'])}</td>"
        f"<td>{_num(row['median_ratio'])}</td></tr>"
        for name, row in table.iterrows()
    )
    return f"<table>{head}{rows}</table>"


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
    ratio = metric.ratio  # oriented: larger is worse
    if np.isnan(ratio):
        return "n/a", ""
    if ratio <= 1.5:
        return "close to real vs real", "good"
    if ratio <= 3.0:
        return "somewhat further", "warn"
    return "far from real", "bad"


_SECTION_NOTES = {
    "privacy": "<p class='note'>Records are compared with the real records the generator was fitted on and with "
    "a holdout it never saw; the reference column is the value a generator that never saw the training records "
    "would give. <strong>Passing these distance tests is no proof of anonymity.</strong></p>",
    "plausibility": "<p class='note'>Rules per modality (amplitude range, flat lines, clipping, line noise, heart "
    "rate for ECG); the reference column is the share among the real records.</p>",
    "utility": "<p class='note'>A classifier trained on synthetic records and tested on real ones (TSTR), against "
    "one trained and tested on real records in record-wise folds (TRTR).</p>",
}
_REFERENCE_HEADER = {"privacy": "baseline", "plausibility": "real", "utility": "train on real"}


def _metrics_html(metrics: list[Metric], section: str = "") -> str:
    reference = _REFERENCE_HEADER.get(section, "real vs real")
    head = (
        f"<tr><th>metric</th><th>real vs synthetic</th><th>{reference}</th><th>ratio</th>"
        "<th>better</th><th>verdict</th><th>time</th></tr>"
    )
    rows = []
    for m in metrics:
        label, css = _verdict(m)
        unit = f" {html.escape(m.unit)}" if m.unit else ""
        rows.append(
            f"<tr><td title='{html.escape(m.description)}'>{html.escape(m.name)}</td>"
            f"<td>{_num(m.value, 4)}{unit}</td><td>{_num(m.reference, 4)}{unit}</td><td>{_num(m.ratio)}</td>"
            f"<td>{m.better}</td><td class='{css}'>{label}</td><td>{m.seconds * 1e3:.1f} ms</td></tr>"
        )
    return f"<table>{head}{''.join(rows)}</table>"


def _plausibility_html(tables: dict[str, Any], limit: int = 50) -> str:
    table = tables["synthetic"]
    flagged = table[table["implausible"]]
    if flagged.empty:
        return f"<p>All {len(table)} synthetic records pass the plausibility rules.</p>"
    rows = "".join(
        f"<tr><td>{html.escape(str(rec))}</td><td>{html.escape(str(row['reasons']))}</td></tr>"
        for rec, row in flagged.head(limit).iterrows()
    )
    more = f"<p class='note'>{len(flagged) - limit} more not shown.</p>" if len(flagged) > limit else ""
    return (
        f"<p>{len(flagged)} of {len(table)} synthetic records flagged.</p>"
        f"<table><tr><th>record</th><th>reasons</th></tr>{rows}</table>{more}"
    )


def _num(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}g}" if np.isfinite(value) else "n/a"


def _timings_html(timings: dict[str, float]) -> str:
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{v * 1e3:.1f} ms</td></tr>" for k, v in timings.items())
    return f"<table><tr><th>stage</th><th>time</th></tr>{rows}</table>"


def _img(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return f"<img alt='figure' src='data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}'>"


def _figure(n_cols: int, width: float = 5.0, height: float = 3.6, n_rows: int = 1):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt.subplots(n_rows, n_cols, figsize=(width * n_cols, height), squeeze=False)


def _plot_psd(result: FidelityReport):
    fig, axes = _figure(1, width=9, height=4.2)
    ax = axes[0, 0]
    freqs = result.features["real"]["freq"].values
    for name in ("real", "synthetic"):
        psd = result.features[name]["psd"].values.reshape(-1, freqs.size)[:, 1:]
        lo, hi = np.percentile(psd, [10, 90], axis=0)
        ax.fill_between(freqs[1:], lo, hi, color=_COLORS[name], alpha=0.2, lw=0)
        with np.errstate(divide="ignore"):
            mean = np.exp(np.log(psd).mean(axis=0))
        ax.loglog(freqs[1:], mean, color=_COLORS[name], label=f"{name} (geometric mean)")
    ax.set(xlabel="frequency (Hz)", ylabel=f"PSD ({result.info['units']}²/Hz)", title="PSD, all signals: mean, 10-90 %")
    ax.legend()
    return fig


def _plot_features(result: FidelityReport, per_row: int = 6):
    names = feature_names(result.features["real"])
    n_rows = -(-len(names) // per_row)
    fig, axes = _figure(per_row, width=2.2, height=2.6 * n_rows, n_rows=n_rows)
    for ax in axes.ravel()[len(names) :]:
        ax.set_visible(False)
    for ax, name in zip(axes.ravel(), names, strict=False):
        data = [result.features[k][name].values.ravel() for k in ("real", "synthetic")]
        data = [d[np.isfinite(d)] for d in data]
        parts = ax.boxplot(data, tick_labels=["real", "synth"], patch_artist=True, showfliers=False)
        for patch, key in zip(parts["boxes"], ("real", "synthetic"), strict=True):
            patch.set_facecolor(_COLORS[key])
            patch.set_alpha(0.4)
        ax.set_title(name.replace("relpow_", "rel. ").replace("_", " "), fontsize=8)
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig


def _plot_correlation(result: FidelityReport):
    fig, axes = _figure(2, width=4.5, height=4.0)
    for ax, name in zip(axes[0], ("real", "synthetic"), strict=True):
        with np.errstate(invalid="ignore"):
            corr = np.nanmean(result.features[name]["corr"].values, axis=0)
        image = ax.imshow(corr, vmin=-1, vmax=1, cmap="RdBu_r")
        ax.set(title=f"{name}: mean channel correlation", xlabel="channel", ylabel="channel")
    fig.colorbar(image, ax=axes[0].tolist(), shrink=0.8)
    return fig


def _plot_shape(result: FidelityReport):
    fig, axes = _figure(2, width=5.0, height=3.6)
    for name in ("real", "synthetic"):
        feats = result.features[name]
        acf = feats["acf"].values.reshape(-1, feats.sizes["lag"])
        axes[0, 0].plot(feats["lag"].values, acf.mean(axis=0), color=_COLORS[name], label=name)
        lo, hi = np.percentile(acf, [10, 90], axis=0)
        axes[0, 0].fill_between(feats["lag"].values, lo, hi, color=_COLORS[name], alpha=0.2, lw=0)
        quantiles = feats["quantiles"].values.reshape(-1, feats.sizes["level"]).mean(axis=0)
        axes[0, 1].plot(quantiles, feats["level"].values, color=_COLORS[name], label=name)
    axes[0, 0].set(xlabel="lag (s)", ylabel="autocorrelation", title="Autocorrelation: mean, 10-90 %")
    axes[0, 1].set(
        xlabel=f"amplitude ({result.info['units']})", ylabel="cumulative probability", title="Mean amplitude CDF"
    )
    axes[0, 0].legend()
    return fig


def _plot_pca(pca: Any):
    fig, axes = _figure(1, width=6, height=5)
    ax = axes[0, 0]
    for name, scores in (("real", pca.real_scores), ("synthetic", pca.synthetic_scores)):
        ax.scatter(scores[:, 0], scores[:, 1], s=8, alpha=0.5, color=_COLORS[name], label=name)
    ratio = pca.explained_variance_ratio
    ax.set(
        xlabel=f"PC1 ({ratio[0]:.0%} of real variance)",
        ylabel=f"PC2 ({ratio[1]:.0%})",
        title=f"Signals in the real PCA plane (overlap {pca.overlap:.2f})",
    )
    ax.legend()
    return fig


def _plot_traces(result: FidelityReport, n_channels: int = 6):
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
