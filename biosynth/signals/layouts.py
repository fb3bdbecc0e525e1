# SPDX-License-Identifier: BSD-3-Clause
"""Intracranial electrode layouts (subdural grids and strips) for intraoperative ECoG,
their bipolar and common-average montages, and BIDS-iEEG ``electrodes.tsv`` /
``channels.tsv`` files.

Conventions
-----------
- Positions are in metres. A grid lies in the plane ``z = 0`` (plus its origin):
  contact 1 sits at ``origin``, columns run along ``+x`` and rows along ``-y``, so
  contact 1 is top-left, contact ``cols`` ends the first row and contact ``cols + 1``
  lies below contact 1 (numbered row by row, as clinical systems write them).
- Contact names are ``prefix + number`` (``"G1"`` .. ``"G64"``, ``"LTS1"`` .. ``"LTS6"``);
  prefixes are letters (and ``_``) only, so a name splits back into prefix and number.
- A layout may hold several devices (an 8x8 grid plus two strips): each contact has a
  device name; shapes ``(rows, cols)`` and spacings are stored per device, in the order
  the devices first appear. A strip of ``n`` contacts has shape ``(1, n)``.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from biosynth._utils.check import check_int, check_number, check_option, check_sfreq, fmt_value
from biosynth._utils.docs import fill_doc
from biosynth._utils.files import atomic_output

#: Largest accepted contact spacing in m (5 cm); larger values are usually mm given as m.
MAX_SPACING = 0.05
#: Default contact area in mm^2: a 2.3-mm exposed platinum disc (pi * 1.15^2 = 4.15 mm^2).
DEFAULT_CONTACT_SIZE = 4.2
#: Gap in m between the devices that :func:`parse_layout` places side by side.
DEVICE_GAP = 0.02
_BIDS_NA = "n/a"
_PREFIX = re.compile(r"[A-Za-z_]+")
_NAME = re.compile(r"([A-Za-z_]+)(\d+)")


@dataclass(frozen=True, eq=False)
class Layout:
    """Contacts of one or more intracranial devices (grids, strips).

    Parameters
    ----------
    names : tuple of str
        Contact names, e.g. ``("G1", ..., "G64", "LTS1", ...)``; unique.
    positions : ndarray, shape (n_contacts, 3)
        Contact centres, in m. Stored as a read-only float array.
    devices : tuple of str
        Device name of each contact (``"G"``, ``"LTS"``, ...).
    shapes : tuple of (int, int)
        ``(rows, cols)`` of each device, in order of first appearance in ``devices``;
        contacts of a device are numbered row by row in the order they appear.
    spacings : tuple of float
        Centre-to-centre contact spacing of each device, in m.
    """

    names: tuple[str, ...]
    positions: np.ndarray
    devices: tuple[str, ...]
    shapes: tuple[tuple[int, int], ...]
    spacings: tuple[float, ...]

    def __post_init__(self) -> None:
        positions = np.array(self.positions, dtype=float)
        n = len(self.names)
        if positions.shape != (n, 3) or not np.isfinite(positions).all():
            raise ValueError(f"positions must be a finite ({n}, 3) array in m, got shape {positions.shape}.")
        positions.flags.writeable = False
        object.__setattr__(self, "positions", positions)
        for field in ("names", "devices", "shapes", "spacings"):
            object.__setattr__(self, field, tuple(getattr(self, field)))
        _check_unique(self.names)
        if len(self.devices) != n:
            raise ValueError(f"devices must give one device per contact ({n}), got {len(self.devices)}.")
        self._check_devices()

    def _check_devices(self) -> None:
        names = self.device_names
        if len(self.shapes) != len(names) or len(self.spacings) != len(names):
            raise ValueError(
                f"shapes and spacings must give one value per device {list(names)}, "
                f"got {len(self.shapes)} shapes and {len(self.spacings)} spacings."
            )
        for device, (rows, cols), spacing in zip(names, self.shapes, self.spacings, strict=True):
            count = self.devices.count(device)
            if rows * cols != count:
                raise ValueError(f"device {device!r} has {count} contacts but shape {(rows, cols)}.")
            _check_spacing(spacing)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Layout):
            return NotImplemented
        same = (self.names, self.devices, self.shapes, self.spacings)
        return same == (other.names, other.devices, other.shapes, other.spacings) and np.array_equal(
            self.positions, other.positions
        )

    __hash__ = None  # type: ignore[assignment]  # holds an array

    def __len__(self) -> int:
        return len(self.names)

    @property
    def n_contacts(self) -> int:
        """Number of contacts."""
        return len(self.names)

    @property
    def device_names(self) -> tuple[str, ...]:
        """Device names in order of first appearance."""
        return tuple(dict.fromkeys(self.devices))

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)`` of a single-device layout (see :attr:`shapes` for several)."""
        return self.shapes[self._single("shape")]

    @property
    def spacing(self) -> float:
        """Contact spacing in m of a single-device layout (see :attr:`spacings`)."""
        return self.spacings[self._single("spacing")]

    def _single(self, what: str) -> int:
        if len(self.shapes) != 1:
            raise ValueError(
                f"layout has {len(self.shapes)} devices {list(self.device_names)}; "
                f"use .{what}s for the {what} of each device."
            )
        return 0

    def indices(self, device: str) -> np.ndarray:
        """Indices of the contacts of ``device``, in numbering order."""
        check_option("device", device, self.device_names)
        return np.flatnonzero(np.asarray(self.devices, dtype=object) == device)


def _check_unique(names: Sequence[str]) -> None:
    duplicates = sorted(name for name, count in Counter(names).items() if count > 1)
    if duplicates:
        raise ValueError(
            f"contact names must be unique, got duplicates {duplicates[:5]}; give each device its own prefix."
        )


def _check_spacing(spacing: Any) -> float:
    value = check_number("spacing", spacing)
    if not 0 < value <= MAX_SPACING:
        hint = f" (mm? pass {value / 1000:g})" if 1 <= value <= 50 else ""
        raise ValueError(f"spacing must lie in (0, {MAX_SPACING:g}] in m; got {value:g}{hint}.")
    return value


def _check_prefix(prefix: Any) -> str:
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
        raise ValueError(f"prefix must be letters (and '_') only, e.g. 'G' or 'LTS'; got {fmt_value(prefix)}.")
    return prefix


def _check_vector(name: str, value: Any, *, nonzero: bool = False) -> np.ndarray:
    vector = np.asarray(value, dtype=float)
    if vector.shape != (3,) or not np.isfinite(vector).all() or (nonzero and not np.any(vector)):
        kind = "a non-zero" if nonzero else "a finite"
        raise ValueError(f"{name} must be {kind} (x, y, z) vector, got {fmt_value(value)}.")
    return vector


def grid(rows: int, cols: int, *, spacing: float = 0.01, prefix: str = "G", origin: Any = (0, 0, 0)) -> Layout:
    """A subdural grid of ``rows x cols`` contacts numbered row by row.

    Parameters
    ----------
    rows, cols : int
        Number of rows and columns (>= 1).
    spacing : float
        Centre-to-centre spacing in m, in (0, 0.05]; 0.01 (10 mm) is the clinical
        standard, high-density grids use 0.004-0.005.
    prefix : str
        Name prefix (letters), e.g. ``"G"`` gives ``"G1"`` .. ``"G64"``.
    origin : array_like, shape (3,)
        Position of contact 1 (top-left), in m.

    Returns
    -------
    layout : Layout
        Columns run along ``+x``, rows along ``-y``, in the plane ``z = origin[2]``.

    Examples
    --------
    >>> layout = grid(8, 8)
    >>> layout.names[:2], layout.names[-1], layout.positions[8].tolist()
    (('G1', 'G2'), 'G64', [0.0, -0.01, 0.0])
    """
    rows, cols = check_int("rows", rows, low=1), check_int("cols", cols, low=1)
    spacing, prefix = _check_spacing(spacing), _check_prefix(prefix)
    row, col = np.divmod(np.arange(rows * cols), cols)
    offsets = np.column_stack([col * spacing, -row * spacing, np.zeros(rows * cols)])
    return _device(prefix, offsets + _check_vector("origin", origin), (rows, cols), spacing)


def strip(
    n: int, *, spacing: float = 0.01, prefix: str = "S", origin: Any = (0, 0, 0), direction: Any = (1, 0, 0)
) -> Layout:
    """A subdural strip of ``n`` contacts in a line.

    Parameters
    ----------
    n : int
        Number of contacts (>= 1).
    spacing : float
        Centre-to-centre spacing in m, in (0, 0.05].
    prefix : str
        Name prefix (letters), e.g. ``"LTS"`` gives ``"LTS1"`` .. ``"LTSn"``.
    origin : array_like, shape (3,)
        Position of contact 1, in m.
    direction : array_like, shape (3,)
        Direction from contact 1 towards contact ``n`` (any non-zero length).

    Returns
    -------
    layout : Layout
        One device of shape ``(1, n)``.

    Examples
    --------
    >>> strip(4, prefix="LTS", direction=(0, 1, 0)).positions[-1].tolist()
    [0.0, 0.03, 0.0]
    """
    n, spacing, prefix = check_int("n", n, low=1), _check_spacing(spacing), _check_prefix(prefix)
    unit = _check_vector("direction", direction, nonzero=True)
    unit = unit / np.linalg.norm(unit)
    positions = _check_vector("origin", origin) + np.arange(n)[:, None] * spacing * unit
    return _device(prefix, positions, (1, n), spacing)


def _device(prefix: str, positions: np.ndarray, shape: tuple[int, int], spacing: float) -> Layout:
    n = len(positions)
    names = tuple(f"{prefix}{k}" for k in range(1, n + 1))
    return Layout(names, positions, (prefix,) * n, (shape,), (spacing,))


def combine(*layouts: Layout) -> Layout:
    """Join layouts into one, keeping their order and positions.

    Parameters
    ----------
    *layouts : Layout
        E.g. an 8x8 grid and two strips, each placed with its own ``origin``.

    Returns
    -------
    layout : Layout
        Contacts of all layouts in the order given.

    Raises
    ------
    ValueError
        When a contact name or device name occurs twice.

    Examples
    --------
    >>> both = combine(grid(2, 2), strip(4, prefix="LTS", origin=(0, -0.03, 0)))
    >>> both.device_names, both.shapes
    (('G', 'LTS'), ((2, 2), (1, 4)))
    """
    if not layouts:
        raise ValueError("combine needs at least one layout, got none.")
    for k, layout in enumerate(layouts):
        if not isinstance(layout, Layout):
            raise TypeError(f"layouts[{k}] must be a Layout, got {type(layout).__name__} {fmt_value(layout)}.")
    device_names = [d for layout in layouts for d in layout.device_names]
    repeated = sorted({d for d in device_names if device_names.count(d) > 1})
    if repeated:
        raise ValueError(f"device names must be unique across layouts, got {repeated} twice; use other prefixes.")
    return Layout(
        names=tuple(n for layout in layouts for n in layout.names),
        positions=np.concatenate([layout.positions for layout in layouts]),
        devices=tuple(d for layout in layouts for d in layout.devices),
        shapes=tuple(s for layout in layouts for s in layout.shapes),
        spacings=tuple(s for layout in layouts for s in layout.spacings),
    )


_ITEM = re.compile(
    r"(?P<rows>\d+)x(?P<cols>\d+)"
    r"(?:@(?P<sp1>\d+(?:\.\d*)?|\.\d+)(?P<u1>mm|m))?"
    r"(?::(?P<prefix>[A-Za-z_]+))?"
    r"(?:@(?P<sp2>\d+(?:\.\d*)?|\.\d+)(?P<u2>mm|m))?"
)
_LAYOUT_GRAMMAR = "'ROWSxCOLS[:PREFIX][@SPACING(mm|m)]' items joined by ',', e.g. '8x8', '4x5:G,1x8:LTS', '8x8@4mm'"


def parse_layout(text: str) -> Layout:
    """Build a layout from a short text (command-line helper).

    Parameters
    ----------
    text : str
        Comma-separated devices ``ROWSxCOLS[:PREFIX][@SPACING]``: ``"8x8"`` is
        ``grid(8, 8)``; ``"1x6"`` is ``strip(6)`` (``"6x1"`` a strip running along
        ``-y``); ``"4x5:G,1x8:LTS"`` combines a grid and a strip with those prefixes;
        ``"8x8@4mm"`` sets the spacing (``mm`` or ``m``). Default prefixes: ``G`` for
        grids, ``S`` for strips. Devices are placed side by side along ``+x``,
        ``DEVICE_GAP`` (2 cm) apart.

    Returns
    -------
    layout : Layout

    Raises
    ------
    ValueError
        Naming ``text`` when it does not follow the grammar or names clash.

    Examples
    --------
    >>> parse_layout("4x5:G,1x8:LTS@5mm").shapes
    ((4, 5), (1, 8))
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"layout text must be {_LAYOUT_GRAMMAR}; got {fmt_value(text)}.")
    devices, x = [], 0.0
    for item in text.replace(" ", "").split(","):
        device = _parse_item(item, text, origin=(x, 0.0, 0.0))
        devices.append(device)
        x = float(device.positions[:, 0].max()) + DEVICE_GAP
    try:
        return combine(*devices)
    except ValueError as error:
        raise ValueError(f"layout text {text!r}: {error}") from None


def _parse_item(item: str, text: str, *, origin: tuple[float, float, float]) -> Layout:
    match = _ITEM.fullmatch(item)
    if match is None or (match["sp1"] and match["sp2"]):
        raise ValueError(f"layout text {text!r}: cannot read {item!r}; expected {_LAYOUT_GRAMMAR}.")
    rows, cols = int(match["rows"]), int(match["cols"])
    value, unit = (match["sp1"], match["u1"]) if match["sp1"] else (match["sp2"], match["u2"])
    spacing = 0.01 if value is None else float(value) / (1000.0 if unit == "mm" else 1.0)
    try:
        if rows == 1 or cols == 1:
            direction = (1, 0, 0) if rows == 1 else (0, -1, 0)
            prefix = match["prefix"] or "S"
            return strip(rows * cols, spacing=spacing, prefix=prefix, origin=origin, direction=direction)
        return grid(rows, cols, spacing=spacing, prefix=match["prefix"] or "G", origin=origin)
    except ValueError as error:
        raise ValueError(f"layout text {text!r}: {error}") from None


def distances(layout: Layout) -> np.ndarray:
    """Euclidean distances between all contacts.

    Returns
    -------
    distances : ndarray, shape (n_contacts, n_contacts)
        In m; symmetric with a zero diagonal.

    Examples
    --------
    >>> round(float(distances(grid(2, 2))[0, 3]), 6)
    0.014142
    """
    positions = _check_layout(layout).positions
    return np.linalg.norm(positions[:, None, :] - positions[None, :, :], axis=-1)


def _check_layout(layout: Any) -> Layout:
    if not isinstance(layout, Layout):
        raise TypeError(f"layout must be a Layout, got {type(layout).__name__} {fmt_value(layout)}.")
    return layout


def _pair_indices(layout: Layout, vertical: bool) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    for device, (rows, cols) in zip(layout.device_names, layout.shapes, strict=True):
        index = layout.indices(device).reshape(rows, cols)
        pairs += [(int(a), int(b)) for a, b in zip(index[:, :-1].ravel(), index[:, 1:].ravel(), strict=True)]
        if vertical:
            pairs += [(int(a), int(b)) for a, b in zip(index[:-1, :].ravel(), index[1:, :].ravel(), strict=True)]
    return pairs


def bipolar_pairs(layout: Layout, *, vertical: bool = False) -> list[tuple[str, str]]:
    """Neighbouring contact pairs within each device, for a bipolar montage.

    Convention: along each row of a grid (``G1-G2, G2-G3, ...``; the row ends are not
    joined to the next row) and along strips, as clinical grid montages usually take
    horizontal neighbours. ``vertical=True`` appends, per device, the column
    neighbours (``G1-G9, ...`` on an 8x8 grid). Devices are never paired together.

    Parameters
    ----------
    layout : Layout
    vertical : bool
        Add the column (vertical) neighbours of grids.

    Returns
    -------
    pairs : list of (str, str)
        ``(first, second)``; the bipolar channel is ``first - second``.

    Examples
    --------
    >>> bipolar_pairs(grid(2, 2), vertical=True)
    [('G1', 'G2'), ('G3', 'G4'), ('G1', 'G3'), ('G2', 'G4')]
    """
    names = _check_layout(layout).names
    return [(names[a], names[b]) for a, b in _pair_indices(layout, bool(vertical))]


def _check_data(data: Any, layout: Layout) -> np.ndarray:
    data = np.asarray(data)
    if data.ndim < 2 or data.shape[-2] != layout.n_contacts:
        raise ValueError(
            f"data must have shape (..., n_contacts={layout.n_contacts}, n_times), got shape {data.shape}."
        )
    return data


def bipolar(data: np.ndarray, layout: Layout, *, vertical: bool = False) -> tuple[np.ndarray, list[str]]:
    """Bipolar montage: differences of neighbouring contacts (see :func:`bipolar_pairs`).

    Parameters
    ----------
    data : ndarray, shape (..., n_contacts, n_times)
        Monopolar signals, contacts in layout order (any unit; kept).
    layout : Layout
    vertical : bool
        Also take the column neighbours of grids.

    Returns
    -------
    derived : ndarray, shape (..., n_pairs, n_times)
        ``data[first] - data[second]`` for each pair.
    names : list of str
        ``"G1-G2"`` style names.

    Examples
    --------
    >>> out, names = bipolar(np.arange(3.0)[:, None], strip(3))
    >>> out.ravel().tolist(), names
    ([-1.0, -1.0], ['S1-S2', 'S2-S3'])
    """
    data = _check_data(data, _check_layout(layout))
    pairs = _pair_indices(layout, bool(vertical))
    first = np.array([a for a, _ in pairs], dtype=int)
    second = np.array([b for _, b in pairs], dtype=int)
    names = [f"{layout.names[a]}-{layout.names[b]}" for a, b in pairs]
    return data[..., first, :] - data[..., second, :], names


def neighbour_pairs(ch_names: Sequence[str]) -> list[tuple[str, str]]:
    """Neighbouring contacts by name alone: same prefix, consecutive numbers.

    For recordings without a :class:`Layout` (depth electrodes, strips named ``AHR1`` ..
    ``AHR8``): ``"AHR3"`` pairs with ``"AHR4"`` when both are in ``ch_names``. Unlike
    :func:`bipolar_pairs` it needs no positions nor complete devices, so a missing
    contact (a bad channel dropped) just breaks the chain there. Names that are not
    ``prefix + number`` have no neighbours.

    Parameters
    ----------
    ch_names : sequence of str
        Referential channel names, unique.

    Returns
    -------
    pairs : list of (str, str)
        ``(first, second)`` with ``second`` numbered one above ``first``, in the order of
        ``first`` in ``ch_names``; the bipolar channel is ``first - second``.

    Examples
    --------
    >>> neighbour_pairs(["HL1", "HL2", "HL4", "HL3", "Fz"])
    [('HL1', 'HL2'), ('HL2', 'HL3'), ('HL3', 'HL4')]
    """
    names = [str(n) for n in ch_names]
    _check_unique(names)
    present = set(names)
    pairs = []
    for name in names:
        match = _NAME.fullmatch(name)
        if match is None:
            continue
        following = f"{match[1]}{int(match[2]) + 1}"
        if following in present:
            pairs.append((name, following))
    return pairs


def bipolar_by_name(data: np.ndarray, ch_names: Sequence[str], *, short: bool = False) -> tuple[np.ndarray, list[str]]:
    """Bipolar montage of the neighbours found by name (see :func:`neighbour_pairs`).

    Parameters
    ----------
    data : ndarray, shape (..., n_channels, n_times)
        Referential signals, channels in ``ch_names`` order (any unit; kept).
    ch_names : sequence of str
        Channel names of ``data``.
    short : bool
        Name pairs ``"AHR3-4"`` (the second contact by number only, as clinical
        markings write them) instead of ``"AHR3-AHR4"``.

    Returns
    -------
    derived : ndarray, shape (..., n_pairs, n_times)
        ``data[first] - data[second]`` for each pair.
    names : list of str
        The bipolar channel names.

    Examples
    --------
    >>> out, names = bipolar_by_name(np.array([[1.0], [3.0], [7.0]]), ["A1", "A2", "A3"], short=True)
    >>> out.ravel().tolist(), names
    ([-2.0, -4.0], ['A1-2', 'A2-3'])
    """
    names = [str(n) for n in ch_names]
    data = np.asarray(data)
    if data.ndim < 2 or data.shape[-2] != len(names):
        raise ValueError(f"data must have shape (..., n_channels={len(names)}, n_times), got shape {data.shape}.")
    pairs = neighbour_pairs(names)
    index = {name: i for i, name in enumerate(names)}
    first = np.array([index[a] for a, _ in pairs], dtype=int)
    second = np.array([index[b] for _, b in pairs], dtype=int)
    labels = [f"{a}-{_NAME.fullmatch(b)[2] if short else b}" for a, b in pairs]
    return data[..., first, :] - data[..., second, :], labels


def common_average(data: np.ndarray, layout: Layout, *, per_device: bool = True) -> np.ndarray:
    """Common-average reference: subtract the mean over contacts at each time.

    Parameters
    ----------
    data : ndarray, shape (..., n_contacts, n_times)
        Monopolar signals, contacts in layout order.
    layout : Layout
    per_device : bool
        Average within each device (True, the usual choice for a grid plus strips) or
        over all contacts.

    Returns
    -------
    referenced : ndarray, same shape as ``data``
        Floating point (``float32`` kept, integers become ``float64``).

    Examples
    --------
    >>> common_average(np.array([[1.0], [3.0]]), strip(2)).ravel().tolist()
    [-1.0, 1.0]
    """
    data = _check_data(data, _check_layout(layout))
    out = data.astype(np.result_type(data.dtype, np.float32), copy=True)
    groups = [layout.indices(d) for d in layout.device_names] if per_device else [np.arange(len(layout))]
    for index in groups:
        out[..., index, :] -= out[..., index, :].mean(axis=-2, keepdims=True)
    return out


@fill_doc
def electrodes_tsv(
    layout: Layout,
    path: str | os.PathLike,
    *,
    size: float = DEFAULT_CONTACT_SIZE,
    material: str = _BIDS_NA,
    manufacturer: str = _BIDS_NA,
    overwrite: bool = False,
) -> None:
    """Write a BIDS-iEEG ``electrodes.tsv``.

    Columns: ``name, x, y, z, size, material, manufacturer, group, dimension``.
    Coordinates are written in **mm** (declare ``"iEEGCoordinateUnits": "mm"`` in
    ``coordsystem.json``) with 6 decimals (1 nm). ``group`` is the device name and
    ``dimension`` its ``[AxB]`` size, smallest first as BIDS asks.

    Parameters
    ----------
    layout : Layout
    path : str or PathLike
        Output file; written atomically.
    size : float
        Exposed contact area in mm^2; default 4.2 (a 2.3-mm exposed disc, the common
        clinical subdural contact).
    material, manufacturer : str
        Written as given; ``"n/a"`` by default (synthetic contacts have none).
    %(overwrite)s
    """
    layout = _check_layout(layout)
    size = check_number("size", size, low=0, low_inclusive=False, unit="mm^2")
    dims = {d: "[{}x{}]".format(*sorted(shape)) for d, shape in zip(layout.device_names, layout.shapes, strict=True)}
    table = pd.DataFrame(
        {
            "name": layout.names,
            **{axis: layout.positions[:, k] * 1000.0 for k, axis in enumerate("xyz")},
            "size": size,
            "material": material,
            "manufacturer": manufacturer,
            "group": layout.devices,
            "dimension": [dims[d] for d in layout.devices],
        }
    )
    with atomic_output(path, overwrite=overwrite) as tmp:
        table.to_csv(tmp, sep="\t", index=False, na_rep=_BIDS_NA, float_format="%.6f")


def read_electrodes_tsv(path: str | os.PathLike) -> Layout:
    """Read a BIDS-iEEG ``electrodes.tsv`` (coordinates in mm) back into a Layout.

    Devices come from the ``group`` column (else from the name prefixes); shapes from
    ``dimension`` (oriented to match row-by-row numbering of the positions; a strip
    otherwise); spacings from the distance between the first two contacts of each
    device (0.01 m for a single contact).

    Returns
    -------
    layout : Layout
        Positions in m.
    """
    table = pd.read_csv(path, sep="\t", dtype={"name": str}, keep_default_na=False)
    missing = [c for c in ("name", "x", "y", "z") if c not in table]
    if missing:
        raise ValueError(f"electrodes file {str(path)!r} lacks the columns {missing}.")
    names = tuple(table["name"])
    positions = table[["x", "y", "z"]].to_numpy(dtype=float) / 1000.0
    devices = tuple(table["group"].astype(str)) if "group" in table else tuple(map(_prefix_of, names))
    dims = tuple(table["dimension"].astype(str)) if "dimension" in table else ("",) * len(names)
    shapes, spacings = [], []
    for device in dict.fromkeys(devices):
        index = [k for k, d in enumerate(devices) if d == device]
        shapes.append(_shape_from(dims[index[0]], positions[index]))
        gap = float(np.linalg.norm(positions[index[1]] - positions[index[0]])) if len(index) > 1 else 0.01
        spacings.append(round(gap, 12))
    return Layout(names, positions, devices, tuple(shapes), tuple(spacings))


def _prefix_of(name: str) -> str:
    match = _NAME.fullmatch(name)
    return match[1] if match else name


def _shape_from(dimension: str, positions: np.ndarray) -> tuple[int, int]:
    """``(rows, cols)`` from a BIDS ``[AxB]`` (either order) checked against positions."""
    n = len(positions)
    match = re.fullmatch(r"\[?(\d+)x(\d+)\]?", dimension.strip())
    if match is None or int(match[1]) * int(match[2]) != n:
        return (1, n)
    a, b = int(match[1]), int(match[2])
    for rows, cols in ((a, b), (b, a)):
        if _is_regular(positions, rows, cols):
            return (rows, cols)
    return (min(a, b), max(a, b))


def _is_regular(positions: np.ndarray, rows: int, cols: int) -> bool:
    """Whether positions numbered row by row form a planar rows x cols lattice."""
    if rows == 1 or cols == 1:
        return rows == 1
    grid_ = positions.reshape(rows, cols, 3)
    step_col, step_row = grid_[0, 1] - grid_[0, 0], grid_[1, 0] - grid_[0, 0]
    expected = grid_[0, 0] + np.arange(rows)[:, None, None] * step_row + np.arange(cols)[None, :, None] * step_col
    return bool(np.allclose(grid_, expected, rtol=0, atol=1e-8))


@fill_doc
def channels_tsv(
    ch_names: Sequence[str],
    path: str | os.PathLike,
    *,
    sfreq: float,
    units: str = "uV",
    type: str | Sequence[str] = "ECOG",  # noqa: A002 - the BIDS column name
    low_cutoff: float | str = _BIDS_NA,
    high_cutoff: float | str = _BIDS_NA,
    status: Sequence[str] | None = None,
    overwrite: bool = False,
) -> None:
    """Write a BIDS ``channels.tsv``.

    Columns: ``name, type, units, low_cutoff, high_cutoff, sampling_frequency, status``
    (the five required iEEG columns first, in BIDS order).

    Parameters
    ----------
    ch_names : sequence of str
        Channel names, e.g. ``layout.names`` or bipolar names ``"G1-G2"``.
    path : str or PathLike
        Output file; written atomically.
    sfreq : float
        Sampling frequency in Hz.
    units : str
        Physical unit of the samples (``"uV"``, ``"mV"``, ``"V"``).
    type : str or sequence of str
        BIDS channel type (``"ECOG"``, ``"SEEG"``, ``"DBS"``, ``"EEG"``, ...), one for
        all or one per channel.
    low_cutoff, high_cutoff : float or "n/a"
        Filter cut-offs in Hz (high-pass, low-pass), ``"n/a"`` when none.
    status : sequence of {"good", "bad"} or None
        One per channel; None means all good.
    %(overwrite)s
    """
    names = [str(name) for name in ch_names]
    _check_unique(names)
    sfreq = check_sfreq("sfreq", sfreq)
    status = ["good"] * len(names) if status is None else list(status)
    if len(status) != len(names):
        raise ValueError(f"status must give one value per channel ({len(names)}), got {len(status)}.")
    for value in status:
        check_option("status", value, ("good", "bad"))
    table = pd.DataFrame(
        {
            "name": names,
            "type": _per_channel("type", type, len(names)),
            "units": units,
            "low_cutoff": _cutoff("low_cutoff", low_cutoff),
            "high_cutoff": _cutoff("high_cutoff", high_cutoff),
            "sampling_frequency": sfreq,
            "status": status,
        }
    )
    with atomic_output(path, overwrite=overwrite) as tmp:
        table.to_csv(tmp, sep="\t", index=False, na_rep=_BIDS_NA)


def _per_channel(name: str, value: str | Sequence[str], n: int) -> list[str]:
    if isinstance(value, str):
        return [value] * n
    values = [str(v) for v in value]
    if len(values) != n:
        raise ValueError(f"{name} must be one value or one per channel ({n}), got {len(values)}.")
    return values


def _cutoff(name: str, value: float | str) -> float | str:
    if isinstance(value, str):
        return check_option(name, value, (_BIDS_NA,))
    return check_number(name, value, low=0, unit="Hz")
