# SPDX-License-Identifier: BSD-3-Clause
"""The interface every data-driven generator shares: ``fit(real)``, ``sample(n, seed=...)``,
``save(path)`` and :func:`load_generator`.

A fitted generator remembers what it was fitted on (rate, channel names, unit, modality,
record length) and samples containers like it. ``sample`` draws record ``i`` of a call
from ``SeedSequence(seed, spawn_key=(first_record + i,))``, so records made alone equal
those of a larger batch. ``save`` writes one ``.npz`` file holding the arrays of the
fitted state and a JSON header (no pickle anywhere: :func:`load_generator` reads it
with ``allow_pickle=False``); it never replaces a file without ``overwrite=True``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import xarray as xr

from biosynth._utils.check import check_int
from biosynth._utils.files import atomic_output
from biosynth._utils.seeds import Seed, record_seed_sequence, seed_to_json
from biosynth._version import __version__
from biosynth.signals import as_batch, make_seed_sequence, make_signals, validate_signals

#: Generators by name, for :func:`load_generator` (filled by subclasses).
REGISTRY: dict[str, type[LearnedGenerator]] = {}
_HEADER = "__header__"
FORMAT_VERSION = 1


class NotFittedError(RuntimeError):
    """The generator was asked to sample or save before ``fit``."""


class LearnedGenerator:
    """Base of the data-driven generators (subclasses fill the hooks).

    Subclasses set ``name`` (the registry key) and implement ``_fit(data, labels)``
    (data: float64 ``(n_records, n_channels, n_times)`` in the real unit),
    ``_sample_record(rng, n_times, label)`` -> ``(n_channels, n_times)``,
    ``_params()`` (JSON-able constructor arguments), ``_state()`` (arrays of the fitted
    state) and ``_restore(state)``.
    """

    name: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            REGISTRY[cls.name] = cls

    # --- the public interface ---------------------------------------------------------

    def fit(self, real: xr.DataArray, labels: Any = None) -> LearnedGenerator:
        """Fit the generator to real recordings.

        Parameters
        ----------
        real : DataArray
            biosynth container, dims ``(record, channel, time)`` or ``(channel, time)``;
            finite values.
        labels : array_like | None
            One label per record, for generators that condition on a label (others
            reject labels).

        Returns
        -------
        self : LearnedGenerator
        """
        real = as_batch(validate_signals(real, "real"))
        data = np.asarray(real.values, dtype=np.float64)
        if not np.isfinite(data).all():
            raise ValueError("real holds NaN or infinite values; clean or interpolate them before fitting.")
        if np.all(data.std(axis=-1) == 0):
            raise ValueError("real is flat (every channel constant); nothing to learn from.")
        self.info_ = {
            "sfreq": float(real.attrs["sfreq"]),
            "ch_names": [str(c) for c in real["channel"].values],
            "units": real.attrs["units"],
            "modality": real.attrs["modality"],
            "n_times": int(data.shape[-1]),
            "n_records": int(data.shape[0]),
        }
        try:
            self._fit(data, self._check_labels(labels, data.shape[0]))
        except BaseException:
            del self.info_  # a failed or interrupted fit leaves the generator unfitted
            raise
        return self

    def sample(
        self,
        n: int,
        *,
        seed: Seed = None,
        n_times: int | None = None,
        labels: Any = None,
        first_record: int = 0,
        progress: bool = False,
    ) -> xr.DataArray:
        """Draw ``n`` synthetic records.

        Parameters
        ----------
        n : int
            Number of records (>= 1).
        seed : int, SeedSequence or None
            Root of the random streams (None: fresh entropy, kept in the provenance).
        n_times : int | None
            Samples per record; None is the length of the fitted records.
        labels : array_like | None
            One label per record (or one for all) for conditional generators.
        first_record : int
            Index of the first record; records ``[k, k + n)`` made alone equal those
            of a larger call.
        progress : bool
            Show a progress bar over records.

        Returns
        -------
        synthetic : DataArray, dims ("record", "channel", "time")
            In the unit, rate, channels and modality of the fitted data.
        """
        from tqdm.auto import tqdm

        self._check_fitted()
        n = check_int("n", n, low=1)
        first_record = check_int("first_record", first_record, low=0)
        n_times = self.info_["n_times"] if n_times is None else check_int("n_times", n_times, low=2)
        per_record = self._sample_labels(labels, n)
        root = make_seed_sequence(seed)
        out = np.empty((n, len(self.info_["ch_names"]), n_times))
        records = range(first_record, first_record + n)
        for k, record in enumerate(tqdm(records, desc=self.name, unit="record", disable=not progress)):
            rng = np.random.default_rng(record_seed_sequence(root, record))
            out[k] = self._sample_record(rng, n_times, None if per_record is None else per_record[k])
        provenance = {
            "generator": f"biosynth.generators.learned.{type(self).__name__}",
            "version": __version__,
            "parameters": self._params(),
            "fitted_on": {k: v for k, v in self.info_.items() if k != "ch_names"},
            "seed": seed_to_json(root),
            "labels": None if per_record is None else [_jsonable(v) for v in per_record],
        }
        return make_signals(
            out,
            self.info_["sfreq"],
            ch_names=self.info_["ch_names"],
            units=self.info_["units"],
            modality=self.info_["modality"],
            provenance=provenance,
            record_names=np.arange(first_record, first_record + n),
        )

    def save(self, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
        """Write the fitted generator to one ``.npz`` file (no pickle).

        Parameters
        ----------
        path : str or PathLike
            Output file; ``.npz`` is required.
        overwrite : bool
            Replace an existing file.

        Returns
        -------
        path : Path
        """
        self._check_fitted()
        if Path(path).suffix.lower() != ".npz":
            raise ValueError(f"path must end in .npz (a generator is saved as NumPy arrays), got {str(path)!r}.")
        header = {
            "format": FORMAT_VERSION,
            "biosynth_version": __version__,
            "name": self.name,
            "params": self._params(),
            "info": self.info_,
        }
        arrays = {f"state/{k}": np.asarray(v) for k, v in self._state().items()}
        for key, value in arrays.items():
            if value.dtype == object:
                raise TypeError(f"state array {key!r} has dtype object; it would need pickle.")
        with atomic_output(path, overwrite=overwrite) as tmp, open(tmp, "wb") as handle:
            np.savez(handle, **{_HEADER: np.array(json.dumps(header))}, **arrays)
        return Path(path)

    # --- hooks and helpers ------------------------------------------------------------

    def _fit(self, data: np.ndarray, labels: np.ndarray | None) -> None:
        raise NotImplementedError

    def _sample_record(self, rng: np.random.Generator, n_times: int, label: Any) -> np.ndarray:
        raise NotImplementedError

    def _params(self) -> dict[str, Any]:
        raise NotImplementedError

    def _state(self) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        raise NotImplementedError

    conditional: ClassVar[bool] = False

    def _check_labels(self, labels: Any, n_records: int) -> np.ndarray | None:
        if labels is None:
            return None
        if not self.conditional:
            raise ValueError(f"{type(self).__name__} does not condition on labels; fit it without labels.")
        labels = np.asarray(labels)
        if labels.shape != (n_records,):
            raise ValueError(f"labels must give one label per record ({n_records}), got shape {labels.shape}.")
        return labels

    def _sample_labels(self, labels: Any, n: int) -> np.ndarray | None:
        if labels is None:
            return None
        if not self.conditional:
            raise ValueError(f"{type(self).__name__} does not condition on labels; sample it without labels.")
        labels = np.asarray(labels)
        if labels.ndim == 0:
            return np.repeat(labels, n)
        if labels.shape != (n,):
            raise ValueError(f"labels must be one label or one per record ({n}), got shape {labels.shape}.")
        return labels

    def _check_fitted(self) -> None:
        if not hasattr(self, "info_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted; call fit(real) first.")

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        fitted = "" if not hasattr(self, "info_") else f", fitted on {self.info_['n_records']} records"
        return f"{type(self).__name__}({params}{fitted})"


def _jsonable(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def load_generator(path: str | os.PathLike) -> LearnedGenerator:
    """Read a generator written by :meth:`LearnedGenerator.save`.

    Parameters
    ----------
    path : str or PathLike
        The ``.npz`` file.

    Returns
    -------
    generator : LearnedGenerator
        Fitted, of the class that was saved.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"generator file {str(path)!r} does not exist.")
    try:
        with np.load(path, allow_pickle=False) as npz:
            header = json.loads(str(npz[_HEADER]))
            state = {k.removeprefix("state/"): npz[k] for k in npz.files if k.startswith("state/")}
    except (ValueError, KeyError, OSError, json.JSONDecodeError) as err:
        raise ValueError(f"cannot read generator file {str(path)!r}: {err}") from None
    if header.get("format") != FORMAT_VERSION or header.get("name") not in REGISTRY:
        raise ValueError(
            f"generator file {str(path)!r} has format {header.get('format')!r} and kind {header.get('name')!r}; "
            f"expected format {FORMAT_VERSION} and one of {sorted(REGISTRY)}."
        )
    generator = REGISTRY[header["name"]](**header["params"])
    generator.info_ = header["info"]
    generator._restore(state)
    return generator


def labels_frame(synthetic: xr.DataArray) -> pd.Series:
    """The label of each record of a conditional generator's output.

    Parameters
    ----------
    synthetic : DataArray
        Output of :meth:`LearnedGenerator.sample` with labels.

    Returns
    -------
    labels : Series
        Indexed by record.
    """
    labels = synthetic.attrs["provenance"].get("labels")
    if labels is None:
        raise ValueError("synthetic was sampled without labels.")
    return pd.Series(labels, index=synthetic["record"].values, name="label")
