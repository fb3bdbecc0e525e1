# SPDX-License-Identifier: BSD-3-Clause
"""The estimator form every generator shares, parametric and data-driven alike:
``fit(real) -> self``, ``sample(n_records, duration=..., seed=...)``, ``save(path)``,
``get_params()`` and :func:`load_generator`.

A generator file is one ``.npz``: a JSON header (``__header__``: format, biosynth
version, generator name, constructor parameters and what the fit learned) and, for
data-driven generators, the arrays of the fitted state. No pickle anywhere
(:func:`load_generator` reads with ``allow_pickle=False``); a file is written to a
temporary name and renamed, and never replaces another without ``overwrite=True``.
A saved generator holds parameters only, never real samples, unless its class says
``holds_real_samples = True`` (the surrogates, which rearrange real records).

:data:`GENERATORS` maps each family name to its estimator class; classes register
themselves when they set ``name``.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import xarray as xr

from biosynth._utils.backend import check_device
from biosynth._utils.check import check_int, check_positive, check_type
from biosynth._utils.docs import fill_doc
from biosynth._utils.files import atomic_output
from biosynth._utils.seeds import Seed, make_seed_sequence
from biosynth._version import __version__
from biosynth.generators._checks import check_flags
from biosynth.signals import as_batch, validate_signals
from biosynth.signals.layouts import Layout

__all__ = ["FORMAT_VERSION", "GENERATORS", "HEADER_KEY", "Generator", "NotFittedError", "load_generator"]

#: Estimator classes by family name ("eeg", "ecg", ..., "ar", "vae_mmd"), filled as
#: classes are defined; :func:`load_generator` reads any of them.
GENERATORS: dict[str, type[Generator]] = {}
#: Version of the ``.npz`` layout written by :meth:`Generator.save`.
FORMAT_VERSION = 1
HEADER_KEY = "__header__"


class NotFittedError(RuntimeError):
    """The generator was asked to sample or save before ``fit``."""


@fill_doc
class Generator:
    """Base of every estimator-form generator (subclasses fill the hooks).

    Subclasses set ``name`` (the :data:`GENERATORS` key) and implement ``fit``,
    ``get_params``, ``_sample(n_records, duration, root, first_record, progress,
    return_events, device)``, ``_fitted_header()`` (JSON-able fitted values),
    ``_fitted_arrays()`` (arrays of the fitted state) and the class method
    ``_from_saved(params, header, arrays)``.

    Methods
    -------
    fit(real, ...)
        Learn parameters from real recordings; returns ``self``.
    sample(n_records=1, *, duration=None, seed=None, first_record=0, progress=False, return_events=False, device=None)
        Draw records.
    save(path, *, overwrite=False)
        Write the generator to one ``.npz`` file.
    get_params()
        The constructor arguments.
    """

    #: Family name, the key of :data:`GENERATORS`.
    name: ClassVar[str] = ""
    #: True when a saved file holds real records (surrogate generators).
    holds_real_samples: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("name"):
            GENERATORS[cls.name] = cls

    # --- the public interface ---------------------------------------------------------

    @fill_doc
    def fit(self, real: Any) -> Generator:
        """Learn the generator's parameters from real recordings.

        Parameters
        ----------
        %(real_recordings)s

        Returns
        -------
        self : Generator
            Fitted: learned values sit in attributes ending in ``_``.
        """
        raise NotImplementedError

    def get_params(self) -> dict[str, Any]:
        """The constructor arguments, by name (what :meth:`save` stores as ``params``).

        Returns
        -------
        params : dict
            Argument name -> value as given to the constructor (not what ``fit``
            learned); ``type(self)(**params)`` makes an unfitted copy.
        """
        raise NotImplementedError

    @fill_doc
    def sample(
        self,
        n_records: int = 1,
        *,
        duration: float | None = None,
        seed: Seed = None,
        first_record: int = 0,
        progress: bool = False,
        return_events: bool = False,
        device: str | None = None,
    ) -> xr.DataArray | tuple[xr.DataArray, pd.DataFrame]:
        """Draw synthetic records.

        Parameters
        ----------
        n_records : int, default=1
            Number of records (>= 1).
        %(sample_duration)s
        %(seed)s
        %(first_record)s
        %(progress)s
        %(return_events)s
        %(sample_device)s

        Returns
        -------
        synthetic : DataArray, dims ("record", "channel", "time")
            Always with the ``record`` dim (a multi-signal family returns its
            documented mapping of such containers).
        events : DataFrame
            Only with ``return_events=True``: ``record, channel, onset, duration,
            type`` (empty for a generator that places no events).
        """
        args = self._check_sample_arguments(n_records, duration, seed, first_record, progress, return_events, device)
        return self._sample(*args)

    @fill_doc
    def save(self, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
        """Write the generator to one ``.npz`` file (JSON header, no pickle).

        Parameters
        ----------
        path : str or PathLike
            Output file; must end in ``.npz``.
        %(overwrite)s

        Returns
        -------
        path : Path
            The file written.

        Raises
        ------
        NotFittedError
            A data-driven generator that was not fitted.
        ValueError
            ``path`` does not end in ``.npz``, or a parametric generator has no
            ``sfreq`` yet.
        FileExistsError
            ``path`` exists and ``overwrite`` is False.
        """
        check_type("path", path, (str, os.PathLike), "a str or path")
        if Path(path).suffix.lower() != ".npz":
            raise ValueError(f"path must end in .npz (a generator is saved as NumPy arrays), got {str(path)!r}.")
        self._check_ready()
        header = {
            "format": FORMAT_VERSION,
            "biosynth_version": __version__,
            "name": self.name,
            "class": f"{type(self).__module__}.{type(self).__qualname__}",
            "holds_real_samples": self.holds_real_samples,
            "params": params_to_json(self.get_params()),
            **self._fitted_header(),
        }
        arrays = {f"state/{k}": np.asarray(v) for k, v in self._fitted_arrays().items()}
        for key, value in arrays.items():
            if value.dtype == object:
                raise TypeError(f"state array {key!r} has dtype object; it would need pickle.")
        text = json.dumps(header)  # fails before anything is written if a value is not JSON-able
        with atomic_output(path, overwrite=overwrite) as tmp, open(tmp, "wb") as handle:
            np.savez(handle, **{HEADER_KEY: np.array(text)}, **arrays)
        return Path(path)

    # --- hooks ------------------------------------------------------------------------

    def _sample(
        self,
        n_records: int,
        duration: float | None,
        root: np.random.SeedSequence,
        first_record: int,
        progress: bool,
        return_events: bool,
        device: str | None,
    ) -> Any:
        raise NotImplementedError

    def _check_ready(self) -> None:
        """Raise when the generator cannot sample or be saved yet."""

    def _fitted_header(self) -> dict[str, Any]:
        return {}

    def _fitted_arrays(self) -> dict[str, np.ndarray]:
        return {}

    @classmethod
    def _from_saved(cls, params: dict[str, Any], header: dict[str, Any], arrays: dict[str, np.ndarray]) -> Generator:
        raise NotImplementedError

    # --- helpers ----------------------------------------------------------------------

    def _check_sample_arguments(
        self,
        n_records: Any,
        duration: Any,
        seed: Any,
        first_record: Any,
        progress: Any,
        return_events: Any,
        device: Any,
    ) -> tuple[int, float | None, np.random.SeedSequence, int, bool, bool, str | None]:
        n_records = check_int("n_records", n_records, low=1)
        duration = None if duration is None else check_positive("duration", duration, unit="s")
        first_record = check_int("first_record", first_record, low=0)
        check_flags(progress=progress, return_events=return_events)
        device = None if device is None else check_device(device)
        self._check_ready()
        return n_records, duration, make_seed_sequence(seed), first_record, progress, return_events, device

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"


def as_recordings(real: Any, name: str = "real") -> list[xr.DataArray]:
    """One or more recordings -> a list of batches ``(record, channel, time)`` that share
    rate, channels, unit and modality (checked, with errors naming ``name``).

    For the estimators of this package (not in ``__all__``)."""
    items = list(real) if isinstance(real, (list, tuple)) else [real]
    if not items:
        raise ValueError(f"{name} must hold at least one recording, got an empty {type(real).__name__}.")
    batches = [as_batch(validate_signals(item, name)) for item in items]
    first = batches[0]
    for k, other in enumerate(batches[1:], start=1):
        for attr in ("sfreq", "units", "modality"):
            if other.attrs[attr] != first.attrs[attr]:
                raise ValueError(
                    f"{name}[{k}] has {attr} {other.attrs[attr]!r} but {name}[0] has {first.attrs[attr]!r}; "
                    "fit on recordings that share rate, unit and modality."
                )
        if not np.array_equal(other["channel"].values, first["channel"].values):
            raise ValueError(
                f"{name}[{k}] has other channels than {name}[0]; fit on recordings with the same channels."
            )
    return batches


def stack_recordings(batches: list[xr.DataArray], *, crop: bool) -> xr.DataArray:
    """Recordings from :func:`as_recordings` -> one batch; records of other lengths are
    cropped to the shortest with ``crop=True``, an error otherwise."""
    lengths = {b.sizes["time"] for b in batches}
    if len(lengths) > 1 and not crop:
        raise ValueError(
            f"real recordings have different lengths {sorted(lengths)} samples; crop them to one length first."
        )
    n_times = min(lengths)
    if len(batches) == 1:
        return batches[0].isel(time=slice(0, n_times))
    parts = [b.isel(time=slice(0, n_times)).drop_vars("record") for b in batches]
    out = xr.concat(parts, dim="record", combine_attrs="override")
    return out.assign_coords(record=np.arange(out.sizes["record"]))


def params_to_json(value: Any) -> Any:
    """Constructor parameters -> JSON values (tuples become lists, dataclasses mappings,
    electrode layouts a tagged mapping); :func:`params_from_json` reverses it."""
    if isinstance(value, Layout):
        return {
            "__layout__": {
                "names": list(value.names),
                "positions": np.asarray(value.positions).tolist(),
                "devices": list(value.devices),
                "shapes": [list(s) for s in value.shapes],
                "spacings": list(value.spacings),
            }
        }
    if is_dataclass(value) and not isinstance(value, type):
        return params_to_json(asdict(value))
    if isinstance(value, dict):
        return {str(k): params_to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [params_to_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return params_to_json(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"parameter value {value!r} of type {type(value).__name__} cannot be saved as JSON.")


def params_from_json(value: Any) -> Any:
    """Reverse :func:`params_to_json` (layouts come back as :class:`Layout`)."""
    if isinstance(value, dict):
        if set(value) == {"__layout__"}:
            info = value["__layout__"]
            return Layout(
                tuple(info["names"]),
                np.asarray(info["positions"], dtype=float),
                tuple(info["devices"]),
                tuple(tuple(s) for s in info["shapes"]),
                tuple(info["spacings"]),
            )
        return {k: params_from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [params_from_json(v) for v in value]
    return value


def load_generator(path: str | os.PathLike) -> Generator:
    """Read a generator written by :meth:`Generator.save` (any family).

    Parameters
    ----------
    path : str or PathLike
        The ``.npz`` file.

    Returns
    -------
    generator : Generator
        Of the class that was saved, fitted as it was.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    ValueError
        ``path`` does not end in ``.npz``, is not a file, or is not a biosynth
        generator file (not an ``.npz`` archive, damaged, no header, or of an
        unknown format or family). The message is one line naming the file.
    """
    check_type("path", path, (str, os.PathLike), "a str or path")
    path = Path(path)
    shown = repr(str(path))
    if path.suffix.lower() != ".npz":
        raise ValueError(f"path must end in .npz (a generator saved by Generator.save), got {shown}.")
    if not path.exists():
        raise FileNotFoundError(f"generator file {shown} does not exist.")
    if not path.is_file():
        raise ValueError(f"generator file {shown} is not a file.")
    with open(path, "rb") as handle:  # closed even where np.load fails half-way (a damaged zip)
        text, arrays = _read_npz(handle, shown)
    try:
        header = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"cannot read generator file {shown}: its {HEADER_KEY} is not JSON ({err}).") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT_VERSION or header.get("name") not in GENERATORS:
        kind = header.get("name") if isinstance(header, dict) else None
        version = header.get("format") if isinstance(header, dict) else None
        raise ValueError(
            f"generator file {shown} has format {version!r} and kind {kind!r}; "
            f"expected format {FORMAT_VERSION} and one of {sorted(GENERATORS)}."
        )
    cls = GENERATORS[header["name"]]
    params = header.get("params", {})
    try:
        if not isinstance(params, dict):
            raise TypeError(f"params is a {type(params).__name__}, not a mapping")
        return cls._from_saved(params_from_json(params), header, arrays)
    except KeyError as err:
        raise ValueError(f"generator file {shown} is damaged: its {cls.__name__} lacks the entry {err}.") from None
    except (TypeError, ValueError, IndexError, AttributeError) as err:
        raise ValueError(f"generator file {shown} holds an invalid {cls.__name__}: {_first_line(err)}") from None


def _read_npz(handle: Any, shown: str) -> tuple[str, dict[str, np.ndarray]]:
    """The header text and ``state/`` arrays of an open generator file (errors name ``shown``)."""
    try:
        npz = np.load(handle, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile):
        raise ValueError(
            f"cannot read generator file {shown}: it is not an .npz archive (empty or damaged?)."
        ) from None
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise ValueError(f"cannot read generator file {shown}: it holds one .npy array, not an .npz archive.")
    with npz:
        if HEADER_KEY not in npz.files:
            raise ValueError(
                f"cannot read generator file {shown}: it has no {HEADER_KEY} entry (not written by Generator.save)."
            )
        try:
            text = str(npz[HEADER_KEY])
            arrays = {k.removeprefix("state/"): npz[k] for k in npz.files if k.startswith("state/")}
        except (ValueError, KeyError, OSError, EOFError, zipfile.BadZipFile) as err:
            raise ValueError(f"cannot read generator file {shown}: {_first_line(err)}") from None
    return text, arrays


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
