# SPDX-License-Identifier: BSD-3-Clause
"""Published figures that synthetic data without real recordings is checked against.

``published/<name>.json`` holds, per topic, entries with ``quantity``, ``value`` (text as
the source writes it, or a mapping of such texts), ``units``, ``condition``,
``definition``, ``n_patients``, ``source``, ``where``, ``approximate`` and
``verification`` (what text was read: a primary abstract, table or caption, or a
secondary quote); ``not_found`` lists what was searched for and not found.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

#: Folder of the published-figure files.
PUBLISHED_DIR = Path(__file__).parent / "published"
#: Use cases with a file of published figures.
PUBLISHED = ("parkinson",)

#: A number not inside a word ("M1" is a name), signed only where the sign does not follow
#: a word character ("4-6" is a range).
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?")


def published_figures(name: str) -> dict[str, Any]:
    """The published figures compiled for use case ``name``.

    Parameters
    ----------
    name : {"parkinson"}
        The use case (:data:`PUBLISHED`).

    Returns
    -------
    figures : dict
        A fresh copy of ``published/<name>.json``: topic -> list of entries (see the
        module notes), plus ``_readme``, ``not_found`` and ``searched_by``.

    Examples
    --------
    >>> figures = published_figures("parkinson")
    >>> published_entry(figures, "time spent in beta bursts")["value"]["OFF"]
    '27.0 +/- 0.5'
    """
    if name not in PUBLISHED:
        raise ValueError(f"name must be one of {', '.join(map(repr, PUBLISHED))}; got {name!r}.")
    return json.loads((PUBLISHED_DIR / f"{name}.json").read_text(encoding="utf-8"))


def published_entry(figures: dict[str, Any], quantity: str) -> dict[str, Any]:
    """The one entry of ``figures`` whose ``quantity`` starts with ``quantity``.

    Parameters
    ----------
    figures : dict
        As returned by :func:`published_figures`.
    quantity : str
        The start of the entry's ``quantity`` text (case-sensitive).

    Returns
    -------
    entry : dict
        The entry (``quantity``, ``value``, ``units``, ``source``, ...).

    Raises
    ------
    KeyError
        No entry, or more than one, starts with ``quantity``.
    """
    found = [
        entry
        for topic in figures.values()
        if isinstance(topic, list)
        for entry in topic
        if isinstance(entry, dict) and str(entry.get("quantity", "")).startswith(quantity)
    ]
    if len(found) != 1:
        raise KeyError(f"quantity {quantity!r} matches {len(found)} published entries; expected exactly one.")
    return found[0]


def figure_numbers(text: str, *, divisor: int = 1) -> tuple[float, ...]:
    """The numbers of a published value written as text, in order.

    Parameters
    ----------
    text : str
        A value as the source writes it: ``"27.0 +/- 0.5"``, ``"48.9 +/- 10.9% of no-DBS
        tremor"``, ``"54% of baseline"``, ``"4-6"`` (a range: two numbers).
    divisor : int, default=1
        Divide every number by it: 100 turns a percentage into a fraction, 1000 ms into
        s. The division is decimal, so ``"16.1"`` over 100 gives exactly the float
        ``0.161``.

    Returns
    -------
    numbers : tuple of float
        Every number in ``text`` (a mean first, then its spread, as written); plain
        decimals only (``1e-3`` reads as 1 and -3).

    Examples
    --------
    >>> figure_numbers("16.1 +/- 1.7", divisor=100)
    (0.161, 0.017)
    >>> figure_numbers("15-25 ms, M1 leading", divisor=1000)
    (0.015, 0.025)
    """
    return tuple(float(Decimal(match) / Decimal(divisor)) for match in _NUMBER.findall(text))


__all__ = ["PUBLISHED", "PUBLISHED_DIR", "figure_numbers", "published_entry", "published_figures"]
