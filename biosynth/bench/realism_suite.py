# SPDX-License-Identifier: BSD-3-Clause
"""The realism suite (issue 17, ``biosynth bench realism``): :func:`~biosynth.bench.realism.realism_table`
for every suitable recording of the real-data folder, and its Markdown and JSON.

:data:`RECORDINGS` lists the recordings and how each is read: the EEGLAB scalp EEG; the
8-channel seizure EEG as two recordings, the part before the marked seizure onset and the
part from it (each split in time on its own); PT01's 3-s ECoG (units read as nV); the
Fedele iEEG; the Parkinson's STN LFP and motor ECoG as two recordings (the movement trace
dropped); the Bonn sets A-E, each a set of segments split by segments. A recording whose
file is absent is skipped with one line. A recording with channel positions (only the
EEGLAB one: :data:`POSITIONS`) gets one more column, ``fitted+positions``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from biosynth._utils.check import check_int
from biosynth._utils.files import atomic_output
from biosynth._version import __version__
from biosynth.bench.realism import (
    MAX_EPOCH_S,
    MIN_EPOCHS,
    N_RELABELLINGS,
    SECTIONS,
    Candidate,
    Targets,
    realism_table,
    resolve_candidates,
)
from biosynth.bench.timing import json_clean, machine_info
from biosynth.datasets.positions import eeglab_positions
from biosynth.signals import make_signals

__all__ = [
    "POSITIONS",
    "POSITIONS_CANDIDATE",
    "QUICK",
    "QUICK_SEGMENTS",
    "RECORDINGS",
    "SEGMENTS_PER_PART",
    "RealRecording",
    "load_recording",
    "realism_markdown",
    "run_realism",
    "write_realism",
]


# --- the recordings of the real-data folder ---------------------------------------------


@dataclass(frozen=True)
class RealRecording:
    """A recording of the real-data folder as the benchmark reads it.

    Attributes
    ----------
    name : str
        Row label (``"eeglab"``, ``"bonn_A"``, ...).
    file : str
        File in the real-data folder (see its README).
    modality : str
        Modality given to the container (the files do not state one).
    description : str
        One line for the table.
    units : str or None, default=None
        Units to read the values in where the file's do not parse (None: the file's).
    kind : str or None, default=None
        Keep the channels whose ``channel_kinds`` entry is this (None: all).
    part : {"before", "from"} or None, default=None
        Keep the samples before, or from, ``seizure_onset_sample`` (None: all).
    segments : bool, default=False
        Rows of ``data`` are segments of one channel (the Bonn sets), not channels.
    positions : str or None, default=None
        Key of :data:`POSITIONS`: where the channel positions come from (the files hold
        none). Such a recording gets one more column, :data:`POSITIONS_CANDIDATE`.
    """

    name: str
    file: str
    modality: str
    description: str
    units: str | None = None
    kind: str | None = None
    part: str | None = None
    segments: bool = False
    positions: str | None = None


#: The recordings of the real-data folder that the benchmark runs, in table order.
RECORDINGS: tuple[RealRecording, ...] = (
    RealRecording("eeglab", "eeg_eeglab_32ch.npz", "eeg", "scalp EEG, 32 ch, 128 Hz, 238 s (EEGLAB tutorial)",
                  positions="eeglab_chan32"),
    RealRecording("seizure8_pre", "eeg_seizure_8ch.npz", "eeg", "scalp EEG, 8 ch, 100 Hz: the 163 s before the "
                  "seizure onset", part="before"),
    RealRecording("seizure8_ictal", "eeg_seizure_8ch.npz", "eeg", "scalp EEG, 8 ch, 100 Hz: the 163 s from the "
                  "seizure onset", part="from"),
    RealRecording("pt01_ecog", "ecog_seizure_onset_pt01_84ch.npz", "ecog", "intracranial ECoG, 84 ch, 1000 Hz, "
                  "3 s around a seizure onset (PT01); units not stated, read as nV as their scale suggests",
                  units="nV"),
    RealRecording("fedele_ieeg", "ieeg_hfo_fedele_50ch.npz", "seeg", "intracranial EEG in sleep, 50 ch, 2000 Hz, "
                  "5 s (Fedele HFO data)"),
    RealRecording("pd_stn_lfp", "lfp_pd_stn_ecog_medoff.npz", "lfp", "STN LFP, 3 ch, 1000 Hz, 19 s, Parkinson's "
                  "OFF medication", kind="stn_lfp"),
    RealRecording("pd_ecog", "lfp_pd_stn_ecog_medoff.npz", "ecog", "motor-cortex ECoG, 6 ch, 1000 Hz, 19 s, "
                  "Parkinson's OFF medication (same session)", kind="ecog"),
    *(
        RealRecording(f"bonn_{s}", f"eeg_bonn_set{s}_{c}.npz", "eeg", f"Bonn set {s}: {text}, 100 segments x 1 ch, "
                      "173.61 Hz, 23.6 s", segments=True)
        for s, c, text in (
            ("A", "Z", "healthy, surface, eyes open"),
            ("B", "O", "healthy, surface, eyes closed"),
            ("C", "N", "interictal, intracranial, opposite the epileptogenic zone"),
            ("D", "F", "interictal, intracranial, within the epileptogenic zone"),
            ("E", "S", "ictal, intracranial"),
        )
    ),
)  # fmt: skip


#: Channel positions of the recordings that have them, by :attr:`RealRecording.positions`:
#: a function returning a mapping channel name -> ``(x, y, z)`` in m. Only the EEGLAB
#: recording has them (EEGLAB's ``eeglab_chan32.locs``, see :mod:`biosynth.datasets.positions`);
#: PT01 and Fedele name their contacts but ship no coordinates or grid geometry.
POSITIONS: dict[str, Callable[[], Mapping[str, tuple[float, float, float]]]] = {"eeglab_chan32": eeglab_positions}
#: The extra column of a recording with positions: the fitted generator given them.
POSITIONS_CANDIDATE = "fitted+positions"


def _positions_candidate(spec: RealRecording) -> Candidate:
    """The fitted generator (``SpectralGenerator``) given the channel positions of ``spec``."""

    def fit(part: xr.DataArray, seed: int) -> Any:
        from biosynth.generators.learned import SpectralGenerator

        return SpectralGenerator().fit(part, positions=POSITIONS[spec.positions]())

    return Candidate(
        POSITIONS_CANDIDATE,
        fit,
        f"`fitted` given the channel positions ({spec.positions}): coherency shrunk towards a fitted "
        "coherence-vs-distance law per band instead of the identity (recordings with positions only)",
    )


def load_recording(spec: RealRecording, folder: str | os.PathLike | None = None) -> xr.DataArray:
    """Read one recording of the real-data folder as :data:`RECORDINGS` describes it.

    Parameters
    ----------
    spec : RealRecording
        The recording.
    folder : str, path-like or None, default=None
        The real-data folder (see :func:`biosynth.datasets.real_data_dir`).

    Returns
    -------
    recording : DataArray
        ``("channel", "time")``, or ``("record", "channel", "time")`` for segments; float64
        in the file's units (or ``spec.units``).

    Raises
    ------
    FileNotFoundError
        The file is not there (one line; see :func:`biosynth.datasets.real_data_file`).
    """
    from biosynth.datasets import load_segments, real_data_file

    path = real_data_file(spec.file, folder)
    if spec.segments:
        return load_segments(path)
    with np.load(path, allow_pickle=False) as f:
        data, names = f["data"].astype(np.float64), [str(c) for c in f["ch_names"]]
        keep = np.ones(len(names), bool) if spec.kind is None else f["channel_kinds"] == spec.kind
        onset = int(f["seizure_onset_sample"]) if spec.part is not None else None
        sfreq, units = float(f["sfreq"]), spec.units or str(f["units"])
    times = {None: slice(None), "before": slice(None, onset), "from": slice(onset, None)}[spec.part]
    return make_signals(data[keep][:, times], sfreq, ch_names=[n for n, k in zip(names, keep, strict=True) if k],
                        units=units, modality=spec.modality, provenance={"source": spec.file})  # fmt: skip


#: Segments per part of a Bonn set (the quick run: :data:`QUICK_SEGMENTS`).
SEGMENTS_PER_PART = 40
QUICK_SEGMENTS = 20
#: The recordings of the quick run.
QUICK = ("eeglab", "fedele_ieeg", "pd_stn_lfp", "bonn_D")


def run_realism(
    real_data: str | os.PathLike | None = None,
    *,
    generators: Iterable[str | Candidate] | None = None,
    recordings: Sequence[str] | None = None,
    quick: bool = False,
    seed: int = 0,
    repeats: int = 1,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """:func:`realism_table` for every recording of the real-data folder.

    Parameters
    ----------
    real_data : str, path-like or None, default=None
        The real-data folder (see :func:`biosynth.datasets.real_data_dir`).
    generators : iterable of str or Candidate, or None, default=None
        As for :func:`realism_table`.
    recordings : sequence of str or None, default=None
        Names from :data:`RECORDINGS`; None: all (``quick``: :data:`QUICK`).
    quick : bool, default=False
        Fewer recordings (:data:`QUICK`) and :data:`QUICK_SEGMENTS` Bonn segments per
        part instead of :data:`SEGMENTS_PER_PART`.
    seed : int, default=0
        As for :func:`realism_table`.
    repeats : int, default=1
        Draws per recording, their figures' median reported (see :func:`realism_table`).
    progress : bool, default=True
        Progress bars over recordings and candidates.
    log : callable or None, default=None
        Called with one line per recording skipped (absent file) or done.

    Returns
    -------
    result : dict
        JSON-able: ``schema``, ``date``, ``machine``, ``biosynth_version``, ``parameters``,
        ``targets``, ``candidates`` (name -> description), ``recordings`` (name ->
        ``description``, ``split`` (the table's ``attrs``), ``table`` (candidate -> row),
        ``seconds``), ``skipped`` (name -> reason), ``seconds``.

    Raises
    ------
    FileNotFoundError
        ``real_data`` (or ``$BIOSYNTH_REAL_DATA``) names something that is not a folder.
    ValueError
        An unknown recording or generator name.
    """
    from tqdm.auto import tqdm

    from biosynth.datasets import real_data_dir

    folder = real_data_dir(real_data)  # a mistyped folder fails here
    candidates = resolve_candidates(generators)
    specs = _specs(recordings if recordings is not None else QUICK if quick else None)
    check_int("repeats", repeats, low=1)
    result = _header(candidates, quick=quick, seed=seed, folder=folder)
    result["parameters"]["repeats"] = repeats
    start = time.perf_counter()
    for spec in tqdm(specs, desc="recordings", unit="recording", disable=not progress):
        try:
            recording = load_recording(spec, folder)
        except FileNotFoundError as err:
            result["skipped"][spec.name] = str(err)
            (log or _ignore)(f"{spec.name}: skipped ({err})")
            continue
        begin = time.perf_counter()
        here = candidates
        if spec.positions is not None and any(c.name == "fitted" for c in candidates):
            extra = _positions_candidate(spec)
            here = [*candidates, extra]
            result["candidates"].setdefault(extra.name, extra.description)
        table = realism_table(
            recording,
            generators=here,
            seed=seed,
            repeats=repeats,
            progress=progress,
            max_records=(QUICK_SEGMENTS if quick else SEGMENTS_PER_PART) if spec.segments else None,
        )
        result["recordings"][spec.name] = {
            "description": spec.description,
            "split": dict(table.attrs),
            "table": _records(table),
            "seconds": time.perf_counter() - begin,
        }
        (log or _ignore)(f"{spec.name}: done in {time.perf_counter() - begin:.0f} s")  # fmt: skip
    result["seconds"] = time.perf_counter() - start
    return json_clean(result)


def _ignore(line: str) -> None:
    """A log that drops its lines."""


def _specs(names: Sequence[str] | None) -> list[RealRecording]:
    by_name = {r.name: r for r in RECORDINGS}
    unknown = sorted(set(names or ()) - set(by_name))
    if unknown:
        raise ValueError(f"recordings {unknown} are unknown; expected some of {list(by_name)}.")
    return list(RECORDINGS) if names is None else [by_name[n] for n in names]


def _header(candidates: list[Candidate], *, quick: bool, seed: int, folder: Path | None) -> dict[str, Any]:
    return {
        "schema": "biosynth.realism/1",
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine_info(),
        "biosynth_version": __version__,
        "parameters": {"quick": quick, "seed": seed, "fit_fraction": 0.5, "max_epoch_s": MAX_EPOCH_S,
                       "min_epochs": MIN_EPOCHS, "real_data": None if folder is None else str(folder)},
        "targets": asdict(Targets()),
        "candidates": {c.name: c.description for c in candidates},
        "recordings": {},
        "skipped": {},
    }  # fmt: skip


def _records(table: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Rows by candidate for JSON: NaN as None, infinities as ``"inf"`` (a ratio whose
    synthetic set misses the real one altogether, e.g. recall 0), NumPy scalars as Python."""
    return {
        str(name): {k: _json_value(v) for k, v in row.items()}
        for name, row in table.astype(object).to_dict(orient="index").items()
    }


def _json_value(value: Any) -> Any:
    if isinstance(value, (float, np.floating)) and not np.isfinite(value):
        return None if np.isnan(value) else ("inf" if value > 0 else "-inf")
    return value.item() if isinstance(value, np.generic) else value


# --- output -----------------------------------------------------------------------------

#: Metric rows of the Markdown tables: (label, column, format).
MARKDOWN_ROWS = (
    *((f"{s} median ratio", s, "{:.2f}") for s in SECTIONS),
    ("C2ST AUC", "c2st_auc", "{:.2f}"),
    ("MIA AUC (interleaved folds)", "mia_auc", "{:.2f}"),
    ("memorised copies (allowed)", "memorised_copies", None),
    ("MIA AUC, held-out part (not a target)", "mia_auc_split", "{:.2f}"),
    ("holds real samples", "holds_real_samples", None),
    ("fit / sample / compare / privacy s", "fit_s", None),
    ("passes the targets", "passes", None),
)


def realism_markdown(result: Mapping[str, Any]) -> str:
    """The result of :func:`run_realism` as Markdown: one table per recording, rows the
    metrics and columns the candidates, after the machine, the date and what the numbers mean.

    Parameters
    ----------
    result : mapping
        As returned by :func:`run_realism` (or read back from its JSON).

    Returns
    -------
    text : str
    """
    targets = Targets(**result["targets"])
    lines = [
        "# Realism benchmark (issue 17)",
        "",
        f"biosynth {result['biosynth_version']}, {result['date']}, {_machine(result['machine'])}; "
        f"{_draws(result['parameters'])}{', quick run' if result['parameters']['quick'] else ''}; "
        f"{result.get('seconds', float('nan')):.0f} s in all.",
        "",
        _MEANING.format(t=targets, max_epoch=MAX_EPOCH_S, min_epochs=MIN_EPOCHS, n_relabel=N_RELABELLINGS),
        "",
        *(f"- `{name}`: {text}" for name, text in result["candidates"].items()),
        "",
    ]
    for name, entry in result["recordings"].items():
        lines += _recording_markdown(name, entry)
    lines += [f"- `{name}` skipped: {reason}" for name, reason in result["skipped"].items()]
    return "\n".join(lines).rstrip() + "\n"


_MEANING = (
    "Each recording is split in two: a continuous one in time (first half fitted, second half held out), a set "
    "of segments by segments, interleaved (even segments fitted, odd ones held out). Both "
    "parts are cut into epochs of min({max_epoch:g} s, a length giving {min_epochs} epochs per part). Each "
    "candidate is fitted on the fit part and samples as many epochs as the held-out part has; "
    "`compare(fit, synthetic, holdout=held_out)` measures it, and `compare(fit, held_out)` gives the "
    "column `held-out real`: what an unseen stretch of the same recording scores. Median ratio: over a "
    "section's metrics, value / real-vs-real reference (1 = as close as the fit part's halves are to each "
    "other; lower is closer). C2ST AUC: classifier two-sample test, folded to 0.5 + |AUC - 0.5|. Privacy "
    "comes from two folds, each fit attacked with the epochs it saw against unseen epochs of the same span: a "
    "membership-inference attack needs members and non-members from one span, and the held-out half of a "
    "recording split in time is not (its own MIA is shown, not a target), so such a recording's candidates are "
    "fitted twice more, on its even epochs (as records) and on its odd ones; a set of segments gives the split "
    "itself and one more fit on the held-out segments. MIA: the distance attack's AUC, the mean of the two "
    "folds. Memorised copies: synthetic epochs within the 1st percentile of unseen-to-fitted distances of a "
    "fitted epoch, summed over the folds; allowed: the 95th percentile of that count when the fitted and unseen "
    "labels of the real epochs (whole segments together) are drawn at random ({n_relabel} times), which a "
    "generator blind to membership reaches too (epochs that crowd the densest real region are flagged "
    "whichever epochs were fitted). "
    "Targets: C2ST AUC <= max({t.auc_floor:g}, held-out AUC + {t.auc_margin:g}); every section median ratio "
    "<= {t.max_ratio:g}; MIA AUC <= {t.max_mia_auc:g}; copies at most the allowed count."
)


def _draws(parameters: Mapping[str, Any]) -> str:
    seed, repeats = parameters["seed"], parameters.get("repeats", 1)
    if repeats == 1:
        return f"seed {seed}"
    return f"the median of {repeats} draws (seeds {seed}-{seed + repeats - 1})"


def _machine(machine: Mapping[str, Any]) -> str:
    cpus = f"{machine['cpus']} CPUs" if machine.get("cpus") else ""
    return ", ".join(v for v in (machine.get("processor"), cpus, machine.get("platform")) if v)


def _recording_markdown(name: str, entry: Mapping[str, Any]) -> list[str]:
    split, table = entry["split"], entry["table"]
    columns = list(table)
    lines = [
        f"## {name}",
        "",
        f"{entry['description']}. Split by {split['by']}: {split['n_fit_epochs']} fit and "
        f"{split['n_held_out_epochs']} held-out epochs of {split['epoch_s']:.3g} s, {split['n_channels']} "
        f"channel(s) at {split['sfreq']:g} Hz; C2ST AUC target {_cell(table[columns[0]], 'auc_target', '{:.2f}')}; "
        f"{entry['seconds']:.0f} s.",
        "",
        "| metric | " + " | ".join(columns) + " |",
        "| --- |" + " --- |" * len(columns),
    ]
    for label, key, fmt in MARKDOWN_ROWS:
        lines.append(f"| {label} | " + " | ".join(_cell(table[c], key, fmt) for c in columns) + " |")
    reasons = [f"- `{c}`: {table[c]['reason']}" for c in columns[1:] if table[c].get("reason")]
    reasons += [f"- `{c}`: {table[c]['privacy_note']}" for c in columns[1:] if table[c].get("privacy_note")]
    return [*lines, "", *reasons, ""] if reasons else [*lines, ""]


def _cell(row: Mapping[str, Any], key: str, fmt: str | None) -> str:
    value = row.get(key)
    if key == "fit_s":
        parts = [row.get(k) for k in ("fit_s", "sample_s", "compare_s", "privacy_s")]
        return " / ".join("-" if v is None else f"{v:.1f}" for v in parts)
    if key == "memorised_copies":
        allowed = row.get("copies_allowed")
        return "-" if value is None else f"{int(value)} ({'-' if allowed is None else int(allowed)})"
    if key == "passes":
        if value is None:
            return "-"
        verdict = "**yes**" if value else "no"
        draws, seeds = row.get("draws_passed"), row.get("n_draws") or 1
        return verdict if draws is None or seeds == 1 else f"{verdict} ({int(draws)} of {seeds} draws)"
    if key == "holds_real_samples":
        return "yes" if value else ""
    if value is None:
        return "-"
    return fmt.format(value) if fmt and not isinstance(value, str) else str(value)


def write_realism(result: Mapping[str, Any], out: str | os.PathLike, *, overwrite: bool = False) -> list[Path]:
    """Write the result as Markdown and JSON.

    Parameters
    ----------
    result : mapping
        As returned by :func:`run_realism`.
    out : str or path-like
        The Markdown file; the JSON gets its name with ``.json``.
    overwrite : bool, default=False
        Replace existing files.

    Returns
    -------
    paths : list of Path
        The Markdown and the JSON file.
    """
    out = Path(out)
    paths = [out.with_suffix(".md"), out.with_suffix(".json")]
    texts = [realism_markdown(result), json.dumps(json_clean(dict(result)), indent=2)]
    for path, text in zip(paths, texts, strict=True):
        with atomic_output(path, overwrite=overwrite) as tmp:
            tmp.write_text(text, encoding="utf-8")
    return paths
