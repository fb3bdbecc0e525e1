# SPDX-License-Identifier: BSD-3-Clause
"""Data cards and plain-text descriptions of signals and of the installation.

A data card is a Markdown file with YAML front matter (machine-readable: generator,
version, seed, parameters, units, channels, the real data compared with) and sections
purpose, generation, ground truth, limitations and biases, and fidelity (a fidelity
report's summary, or comparisons with published figures where no real data exists).
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from biosynth._utils.docs import fill_doc
from biosynth._utils.files import atomic_output
from biosynth._version import __version__
from biosynth.signals import CHANNEL, RECORD, TIME, validate_signals

#: What each generator cannot do, for the "limitations and biases" section.
LIMITATIONS = {
    "biosynth.generators.simulate_parkinson": [
        "No real Parkinson's recordings were at hand: settings follow published statistics (listed with their "
        "sources under Fidelity), some read from secondary sources, and the tremor episode statistics are "
        "illustrative.",
        "Beta bursts are flat-topped envelopes on one narrow-band carrier (20 Hz by default): no low/high beta "
        "split, no waveform asymmetry, no burst-to-burst frequency changes beyond phase diffusion.",
        "Backgrounds are stationary Gaussian 1/f noise; the STN is three bipolar channels of one hemisphere and "
        "the EEG three motor channels (C3, Cz, C4) without a head model.",
        "Tremor is one hand's rest tremor (fundamental and 2nd harmonic) with alternating wrist EMG; no postural, "
        "kinetic or re-emergent tremor, no bradykinesia, no movement.",
        "DBS is modelled as a constant stimulation artefact and fixed suppression factors for beta, tremor and "
        "coupling; no evoked responses, ramping, ECG or polyphasic sensing artefacts.",
    ],
    "biosynth.generators.simulate_eeg": [
        "Background and rhythms are Gaussian processes (stationary within a state): no non-sinusoidal "
        "waveforms such as mu arcs; only the added artefacts and epileptiform events are non-Gaussian.",
        "spatial='uniform' gives every channel pair the same correlation (no head model); spatial='sphere' "
        "uses a four-layer spherical head with fixed rhythm regions, not an individual head model.",
        "Rhythms, states and artefacts follow literature-typical settings unless fitted (match_recording "
        "fits the 1/f exponent, alpha peak and amplitude only); no ECG or movement artefacts.",
        "Every channel has the same gain; real electrode-to-electrode impedance and gain differences are absent.",
    ],
    "biosynth.generators.simulate_ioecog": [
        "The background is a Gaussian process whose spectrum was fitted to one patient's ECoG (PT01, "
        "ds003029); other patients, cortical sites and depths of anaesthesia differ.",
        "Space is an isotropic exponential correlation over contact distance (two lengths, split at 30 Hz) "
        "on a flat layout: no cortical folding, sulci, dipole orientation or distant volume-conducted sources.",
        "Epileptiform events are templates added to the background (spikes, sharp waves, HFO wavelets, "
        "scripted seizure evolutions or Epileptor trajectories); the background does not change around "
        "them (no pre-ictal change, no postictal suppression).",
        "Event rates, amplitudes and spread are literature-typical defaults, not fitted to a cohort; real "
        "spike and HFO rates vary by orders of magnitude between patients and contacts.",
        "No operating-room artefacts besides mains interference (no electrocautery, stimulation, "
        "movement or saline-bridge artefacts).",
    ],
}


def describe(signals: xr.DataArray, events: pd.DataFrame | None = None) -> str:
    """A few lines describing a container (``biosynth info FILE``).

    Parameters
    ----------
    signals : DataArray
        A biosynth container (one recording or a batch).
    events : DataFrame or None, default=None
        Its events table; counted by type when given.

    Returns
    -------
    text : str
        Records, channels (the first 8 named), duration (s) and rate (Hz), units with the
        SD, modality, event counts and the provenance as JSON, one per line.
    """
    validate_signals(signals)
    n_records = signals.sizes.get(RECORD, 1)
    sfreq = signals.attrs["sfreq"]
    channels = list(map(str, signals[CHANNEL].values))
    shown = ", ".join(channels[:8]) + (f", ... ({len(channels)} in all)" if len(channels) > 8 else "")
    lines = [
        f"records:    {n_records}",
        f"channels:   {shown}",
        f"duration:   {signals.sizes[TIME] / sfreq:g} s per record at {sfreq:g} Hz ({signals.sizes[TIME]} samples)",
        f"units:      {signals.attrs['units']} (SD {float(np.std(signals.values)):.3g})",
        f"modality:   {signals.attrs['modality']}",
    ]
    if events is not None and len(events):
        counts = events["type"].value_counts().to_dict()
        lines.append(f"events:     {len(events)} ({', '.join(f'{k}: {v}' for k, v in counts.items())})")
    lines.append(f"provenance: {json.dumps(signals.attrs['provenance'], sort_keys=True)}")
    return "\n".join(lines)


def system_info() -> str:
    """Versions of biosynth, Python and the libraries it uses (``biosynth info``).

    Returns
    -------
    text : str
        One line per package (``not installed`` where absent) and the CUDA status of torch.
    """
    from importlib import metadata

    lines = [f"biosynth:    {__version__}", f"python:      {platform.python_version()} ({platform.platform()})"]
    for dist in ("numpy", "scipy", "numba", "xarray", "mne", "neurokit2", "statsmodels", "dask", "torch"):
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            version = "not installed"
        lines.append(f"{dist + ':':<12} {version}")
    lines.append(f"cuda:        {_cuda_status()}")
    return "\n".join(lines)


def _cuda_status() -> str:
    try:
        import torch
    except ImportError:
        return "unknown (torch not installed; pip install 'biosynth[torch]')"
    if not torch.cuda.is_available():
        return "not available"
    return f"{torch.version.cuda} ({torch.cuda.get_device_name(0)})"


@fill_doc
def write_card(
    signals: xr.DataArray,
    path: str | os.PathLike,
    *,
    events: pd.DataFrame | None = None,
    fidelity: dict[str, Any] | None = None,
    purpose: str | None = None,
    published: Sequence[Mapping[str, Any]] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a data card: YAML front matter (machine-readable) plus Markdown.

    Parameters
    ----------
    signals : DataArray
        Generated signals; their provenance names generator, parameters and seed.
    path : str or path-like
        Markdown file to write.
    events : DataFrame or None, default=None
        Ground-truth events, summarised by type.
    fidelity : dict or None, default=None
        The JSON summary of a fidelity report (``FidelityReport.to_dict()``).
    purpose : str or None, default=None
        Why the data set exists; a default sentence names the generator.
    published : sequence of mapping or None, default=None
        Comparisons with published statistics, for data without real recordings to
        compare with: each a mapping with ``quantity``, ``synthetic`` and ``published``
        (numbers or text), ``source`` (the citation) and optionally ``agrees`` and
        ``tuned`` (bool: the generator's defaults were set to match this figure).
        Listed in the card's fidelity section, and in its front matter.
    %(overwrite)s

    Returns
    -------
    path : Path
        The card.

    Raises
    ------
    ValueError
        ``fidelity`` is not a fidelity report's summary, or a ``published`` row lacks a
        key.
    FileExistsError
        ``path`` exists and ``overwrite`` is False.
    """
    validate_signals(signals)
    if fidelity is not None:
        check_fidelity_summary(fidelity)
    prov = signals.attrs["provenance"]
    generator = prov.get("generator", "unknown")
    front = {
        "biosynth_version": __version__,
        "generator": generator,
        "generator_version": prov.get("version"),
        "seed": prov.get("seed"),
        "parameters": prov.get("parameters", {}),
        "modality": signals.attrs["modality"],
        "sfreq_hz": signals.attrs["sfreq"],
        "units": signals.attrs["units"],
        "n_records": int(signals.sizes.get(RECORD, 1)),
        "channels": list(map(str, signals[CHANNEL].values)),
        "real_data": (fidelity or {}).get("info", {}).get("provenance", {}).get("real"),
    }
    if published is not None:
        front["published_statistics"] = [dict(_check_published(row, i)) for i, row in enumerate(published)]
    body = _card_body(
        signals,
        events,
        fidelity,
        front.get("published_statistics"),
        purpose
        or f"Synthetic {signals.attrs['modality'].upper()} "
        f"made by {generator} for method development and validation; not for clinical decisions.",
    )
    text = "---\n" + "".join(f"{k}: {json.dumps(v)}\n" for k, v in front.items()) + "---\n\n" + body
    with atomic_output(path, overwrite=overwrite) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def _check_published(row: Any, i: int) -> Mapping[str, Any]:
    missing = [
        k for k in ("quantity", "synthetic", "published", "source") if not isinstance(row, Mapping) or k not in row
    ]
    if missing:
        raise ValueError(f"published[{i}] lacks {', '.join(missing)}; expected quantity, synthetic, published, source.")
    return row


def _published_lines(rows: list[dict[str, Any]] | None) -> list[str]:
    if not rows:
        return []
    lines = [
        "Against published statistics (no real recordings of this kind were at hand). Measured on the",
        "generated data with biosynth's measures; where the defaults were set to match a figure",
        "(tuned: yes) the row checks the implementation and the measurement convention, not the model.",
        "",
    ]
    lines += ["| quantity | synthetic | published | agrees | tuned | source |", "| --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        agrees, tuned = ({True: "yes", False: "no"}.get(row.get(k), "") for k in ("agrees", "tuned"))
        cells = [row["quantity"], _cell(row["synthetic"]), _cell(row["published"]), agrees, tuned, row["source"]]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return lines


def _cell(value: Any) -> str:
    return _fmt_number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def _card_body(signals, events, fidelity, published, purpose: str) -> str:
    prov = signals.attrs["provenance"]
    lines = ["# Data card", "", "## Purpose", "", purpose, "", "## Generation", ""]
    lines += [f"- generator: `{prov.get('generator', 'unknown')}` (biosynth {prov.get('version', '?')})"]
    lines += [f"- seed: `{json.dumps(prov.get('seed'))}` (regenerates the data exactly)"]
    lines += [f"- `{k}` = `{json.dumps(v)}`" for k, v in prov.get("parameters", {}).items()]
    lines += ["", "## Ground truth", ""]
    if events is not None and len(events):
        lines += [_event_line(kind, rows) for kind, rows in events.groupby("type", sort=False)]
    else:
        lines += ["No events: the generator places no labelled events."]
    lines += ["", "## Limitations and biases", ""]
    lines += [
        f"- {text}" for text in LIMITATIONS.get(prov.get("generator", ""), ["Not documented for this generator."])
    ]
    lines += ["", "## Fidelity", ""]
    if fidelity or not published:
        lines += _fidelity_lines(fidelity) + ([""] if published else [])
    lines += _published_lines(published)
    return "\n".join(lines) + "\n"


def _event_line(kind: str, rows: pd.DataFrame) -> str:
    """``- `kind`: N events`` (with the channels they sit on when not all channels)."""
    channels = sorted(set(rows["channel"]) - {""}) if "channel" in rows else []
    where = f" on {len(channels)} channel(s) (one row per channel an event reaches)" if channels else ""
    return f"- `{kind}`: {len(rows)} events{where}"


_METRIC_KEYS = ("name", "value", "reference", "better")


def check_fidelity_summary(fidelity: Any, name: str = "fidelity") -> dict[str, Any]:
    """Check that ``fidelity`` looks like ``FidelityReport.to_dict()``.

    Parameters
    ----------
    fidelity : Any
        The object to check: a mapping with ``info`` (a mapping) and ``metrics`` (a list
        of mappings with name, value, reference and better).
    name : str, default="fidelity"
        What to call it in the error message (the argument or option name).

    Returns
    -------
    fidelity : dict
        The same object.

    Raises
    ------
    ValueError
        With one line naming ``name`` and what is missing.
    """
    expected = "the JSON summary of a fidelity report (biosynth fidelity ... writes it beside the HTML)"
    if not isinstance(fidelity, dict) or not isinstance(fidelity.get("metrics"), list):
        raise ValueError(f"{name} must be {expected}; it has no 'metrics' list.")
    if not isinstance(fidelity.get("info", {}), dict):
        raise ValueError(f"{name} must be {expected}; its 'info' is not a mapping.")
    for i, metric in enumerate(fidelity["metrics"]):
        missing = [k for k in _METRIC_KEYS if not isinstance(metric, dict) or k not in metric]
        if missing:
            raise ValueError(f"{name} must be {expected}; metric {i} lacks {', '.join(missing)}.")
    return fidelity


#: Metrics a card lists by name (when present); the JSON holds all of them.
HEADLINE_METRICS = (
    "log_spectral_distance",
    "aperiodic_exponent_gap",
    "alpha_peak_frequency_gap",
    "channel_correlation_rmse",
    "autocorrelation_rmse",
    "amplitude_distribution_distance",
    "mmd2",
    "classifier_discrimination",
    "precision",
    "recall",
    "pca_overlap",
    "implausible_share",
    "dcr_share_closer_to_train",
    "memorised_copies_share",
    "mia_auc",
    "tstr_balanced_accuracy",
)


def _fidelity_lines(fidelity: dict[str, Any] | None) -> list[str]:
    if not fidelity:
        return ["No fidelity report was attached (run `biosynth fidelity` and pass `--fidelity`)."]
    real = fidelity.get("info", {}).get("provenance", {}).get("real", {})
    lines = [f"Compared with: {real.get('source', 'unknown')}.", ""]
    summary = fidelity.get("summary") or {}
    if summary:
        lines += ["| section | metrics | within 1.5x of real vs real | median ratio |", "| --- | --- | --- | --- |"]
        for section, row in summary.items():
            lines.append(
                f"| {section} | {row.get('metrics')} | {row.get('close')} | {_fmt_number(row.get('median_ratio'))} |"
            )
        lines.append("")
    metrics = fidelity.get("metrics", [])
    shown = [m for m in metrics if m["name"] in HEADLINE_METRICS] or metrics
    lines += ["| metric | real vs synthetic | reference | unit | better |", "| --- | --- | --- | --- | --- |"]
    for m in shown:
        value, ref = _fmt_number(m.get("value")), _fmt_number(m.get("reference"))
        lines.append(f"| {m['name']} | {value} | {ref} | {m.get('unit', '')} | {m['better']} |")
    if len(shown) < len(metrics):
        lines += ["", f"{len(metrics) - len(shown)} more metrics are in the fidelity report's JSON."]
    return lines


def _fmt_number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4g}"
