# SPDX-License-Identifier: BSD-3-Clause
"""Renamed arguments: old spellings keep working for one release, with a FutureWarning."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Mapping
from typing import TypeVar

F = TypeVar("F", bound=Callable)


def renamed_arguments(renames: Mapping[str, str], *, since: str, until: str) -> Callable[[F], F]:
    """Accept the old keyword names of ``renames`` (old -> new) with a FutureWarning.

    Parameters
    ----------
    renames : mapping of str to str
        Old keyword name to its new name.
    since : str
        Version in which the rename happened (named in the warning).
    until : str
        Version in which the old name stops working.

    Returns
    -------
    decorator : callable
        Wraps a function so that ``f(old=value)`` becomes ``f(new=value)``. Passing
        both spellings is a TypeError naming both.
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for old, new in renames.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(
                            f"{func.__qualname__}() got both {old}= (old name) and {new}=; pass only {new}=."
                        )
                    warnings.warn(
                        f"{func.__qualname__}({old}=...) was renamed to {new}= in biosynth {since}; "
                        f"the old name stops working in {until}.",
                        FutureWarning,
                        stacklevel=2,
                    )
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
