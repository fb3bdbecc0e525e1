# SPDX-License-Identifier: BSD-3-Clause
"""The base of the data-driven generators: the estimator form of
:class:`biosynth.generators.base.Generator` (``fit(real)``, ``sample(n_records,
duration=..., seed=...)``, ``save(path)``, :func:`load_generator`) for models fitted to
real recordings.

A fitted generator remembers what it was fitted on (rate, channel names, unit, modality,
record length) and samples containers like it. ``sample`` draws record ``i`` of a call
from ``SeedSequence(seed, spawn_key=(first_record + i,))``, so records made alone equal
those of a larger batch. ``save`` writes one ``.npz`` file holding the arrays of the
fitted state and a JSON header (no pickle anywhere: :func:`load_generator` reads it
with ``allow_pickle=False``); it never replaces a file without ``overwrite=True``.
"""

from __future__ import annotations

import collections
import functools
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import xarray as xr

from biosynth._utils.check import check_int
from biosynth._utils.docs import fill_doc
from biosynth._utils.seeds import Seed, record_seed_sequence
from biosynth.generators._provenance import build_provenance
from biosynth.generators.base import (
    FORMAT_VERSION,
    Generator,
    NotFittedError,
    as_recordings,
    load_generator,
    stack_recordings,
)
from biosynth.signals import make_signals
from biosynth.signals.events import empty_events, validate_events

__all__ = ["FORMAT_VERSION", "REGISTRY", "LearnedGenerator", "NotFittedError", "labels_frame", "load_generator"]

#: Data-driven generators by name (a subset of :data:`biosynth.generators.GENERATORS`).
REGISTRY: dict[str, type[LearnedGenerator]] = {}


def _accept_old_sample_names(sample: Callable) -> Callable:
    """``sample(n=..., n_times=...)`` -> ``sample(n_records=..., duration=n_times / sfreq)``,
    with a FutureWarning (biosynth 0.2; the old names stop working in 0.3)."""

    @functools.wraps(sample)
    def wrapper(self: LearnedGenerator, *args: Any, **kwargs: Any) -> Any:
        if "n" in kwargs:
            if "n_records" in kwargs or args:
                raise TypeError("sample() got both n= (old name) and n_records=; pass only n_records=.")
            warnings.warn(
                "sample(n=...) was renamed to n_records= in biosynth 0.2; the old name stops working in 0.3.",
                FutureWarning,
                stacklevel=2,
            )
            kwargs["n_records"] = kwargs.pop("n")
        if "n_times" in kwargs:
            if kwargs.get("duration") is not None:
                raise TypeError("sample() got both n_times= (old name) and duration=; pass only duration= (s).")
            warnings.warn(
                "sample(n_times=...) was replaced by duration= (in seconds) in biosynth 0.2; "
                "n_times stops working in 0.3.",
                FutureWarning,
                stacklevel=2,
            )
            n_times = kwargs.pop("n_times")
            if n_times is not None:
                self._check_fitted()
                n_times = check_int("n_times", n_times, low=2)
                kwargs["duration"] = n_times / self.info_["sfreq"]
        return sample(self, *args, **kwargs)

    return wrapper


class LearnedGenerator(Generator):
    """Base of the data-driven generators (subclasses fill the hooks).

    Subclasses set ``name`` (the registry key) and implement ``_fit(data, labels)``
    (data: float64 ``(n_records, n_channels, n_times)`` in the real unit),
    ``_sample_record(rng, n_times, label)`` -> ``(n_channels, n_times)`` (or, for a
    generator that places events, that and a DataFrame ``channel`` (name), ``onset``,
    ``duration``, ``type``),
    ``_params()`` (JSON-able constructor arguments), ``_state()`` (arrays of the fitted
    state) and ``_restore(state)``. A generator without a torch path accepts every
    valid ``device`` and computes on the CPU.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            REGISTRY[cls.name] = cls

    # --- the public interface ---------------------------------------------------------

    @fill_doc
    def fit(self, real: xr.DataArray | list[xr.DataArray], labels: Any = None) -> LearnedGenerator:
        """Fit the generator to real recordings.

        Parameters
        ----------
        %(real_recordings)s
            Finite values; every record the same length.
        labels : array_like | None
            One label per record (of all recordings, in order), for generators that
            condition on a label (others reject labels).

        Returns
        -------
        self : LearnedGenerator
        """
        real = stack_recordings(as_recordings(real, "real"), crop=False)
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

    def get_params(self) -> dict[str, Any]:
        """The constructor arguments, by name.

        Returns
        -------
        params : dict
        """
        return self._params()

    @_accept_old_sample_names
    @fill_doc
    def sample(
        self,
        n_records: int = 1,
        *,
        duration: float | None = None,
        seed: Seed = None,
        labels: Any = None,
        first_record: int = 0,
        progress: bool = False,
        return_events: bool = False,
        device: str | None = None,
    ) -> xr.DataArray | tuple[xr.DataArray, pd.DataFrame]:
        """Draw synthetic records.

        ``n=`` and ``n_times=`` (samples) are the names of biosynth 0.1, accepted with a
        FutureWarning until 0.3.

        Parameters
        ----------
        n_records : int, default=1
            Number of records (>= 1).
        %(sample_duration)s
            Rounded to whole samples (at least 2).
        %(seed)s
        labels : array_like | None
            One label per record (or one for all) for conditional generators.
        %(first_record)s
        %(progress)s
        return_events : bool, default=False
            Also return an events table (the columns of
            :func:`biosynth.signals.validate_events`): the events the generator placed,
            empty for those that place none.
        %(sample_device)s

        Returns
        -------
        synthetic : DataArray, dims ("record", "channel", "time")
            In the unit, rate, channels and modality of the fitted data.
        events : DataFrame
            Only with ``return_events=True``: the placed events (ground truth).
        """
        n_records, duration, root, first_record, progress, return_events, device = self._check_sample_arguments(
            n_records, duration, seed, first_record, progress, return_events, device
        )
        from tqdm.auto import tqdm

        sfreq = self.info_["sfreq"]
        if duration is None:
            n_times = self.info_["n_times"]
        else:
            n_times = round(duration * sfreq)
            if n_times < 2:
                raise ValueError(
                    f"duration must give at least 2 samples at {sfreq:g} Hz, got {duration:g} s ({n_times} samples)."
                )
        per_record = self._sample_labels(labels, n_records)
        self._prepare_sampling(device)
        out = np.empty((n_records, len(self.info_["ch_names"]), n_times))
        records = range(first_record, first_record + n_records)
        placed = []
        chunk = self._batch_size(n_times)
        starts = range(0, n_records, chunk)

        def draw(start: int) -> list[Any]:
            batch = records[start : start + chunk]
            rngs = [np.random.default_rng(record_seed_sequence(root, record)) for record in batch]
            labels_here = [None if per_record is None else per_record[start + k] for k in range(len(batch))]
            return self._sample_batch(rngs, n_times, labels_here)

        with tqdm(total=n_records, desc=self.name, unit="record", disable=not progress) as bar:
            for start, results in zip(starts, _in_threads(draw, starts, self._batch_threads()), strict=True):
                for k, result in enumerate(results):
                    if isinstance(result, tuple):
                        result, found = result
                        placed.append(found.assign(record=records[start + k]))
                    out[start + k] = result
                bar.update(len(results))
        provenance = build_provenance(
            f"biosynth.generators.learned.{type(self).__name__}",
            self._params(),
            root,
            exclude=(),
            fitted_on={k: v for k, v in self.info_.items() if k != "ch_names"},
            labels=None if per_record is None else [_jsonable(v) for v in per_record],
        )
        synthetic = make_signals(
            out,
            sfreq,
            ch_names=self.info_["ch_names"],
            units=self.info_["units"],
            modality=self.info_["modality"],
            provenance=provenance,
            record_names=np.arange(first_record, first_record + n_records),
        )
        if not return_events:
            return synthetic
        found = [p for p in placed if len(p)]
        return synthetic, validate_events(pd.concat(found, ignore_index=True)) if found else empty_events()

    # --- the hooks of Generator ---------------------------------------------------------

    def _check_ready(self) -> None:
        self._check_fitted()

    def _batch_threads(self) -> int:
        """Threads that draw batches of records at once: 1 (in order, in this thread)
        unless a generator's ``_sample_batch`` is thread-safe and releases the GIL."""
        return 1

    def _prepare_sampling(self, device: str | None) -> None:
        """Get ready to sample on ``device`` (checked; None: the generator's own)."""

    def _fitted_header(self) -> dict[str, Any]:
        return {"info": self.info_}

    def _fitted_arrays(self) -> dict[str, np.ndarray]:
        return self._state()

    @classmethod
    def _from_saved(
        cls, params: dict[str, Any], header: dict[str, Any], arrays: dict[str, np.ndarray]
    ) -> LearnedGenerator:
        generator = cls(**params)
        generator.info_ = header["info"]
        generator._restore(arrays)
        return generator

    # --- hooks and helpers ------------------------------------------------------------

    def _fit(self, data: np.ndarray, labels: np.ndarray | None) -> None:
        raise NotImplementedError

    def _sample_record(self, rng: np.random.Generator, n_times: int, label: Any) -> np.ndarray:
        raise NotImplementedError

    def _sample_batch(self, rngs: list[np.random.Generator], n_times: int, labels: list[Any]) -> list[Any]:
        """Records drawn together (each from its own generator, so a record does not
        depend on the batch it is in); by default one ``_sample_record`` each."""
        return [self._sample_record(rng, n_times, label) for rng, label in zip(rngs, labels, strict=True)]

    def _batch_size(self, n_times: int) -> int:
        """Records per :meth:`_sample_batch` call (bounds memory)."""
        return 1

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


def _in_threads(function: Callable[[Any], Any], items: Sequence[Any], n_threads: int) -> Iterator[Any]:
    """``function(item)`` for each item, yielded in order, computed by ``n_threads`` threads.

    The first item runs alone in this thread (it fills whatever the function caches);
    then at most ``2 * n_threads`` items are in flight, so results wait for the caller
    in bounded number. One thread, or one item: a plain loop."""
    if n_threads <= 1 or len(items) <= 1:
        yield from map(function, items)
        return
    from concurrent.futures import ThreadPoolExecutor

    yield function(items[0])
    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        pending = collections.deque()
        for item in items[1:]:
            pending.append(pool.submit(function, item))
            if len(pending) >= 2 * n_threads:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _jsonable(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


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
