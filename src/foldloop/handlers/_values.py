"""The values a tap reports: a name for each, and the function of the state that reads it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import SupportsFloat, TypeVar

from foldloop.core import State

T = TypeVar("T")

# ``SupportsFloat`` rather than ``float``: a 0-d tensor (a loss) is accepted as it is.
Values = Mapping[str, Callable[[State[T]], SupportsFloat]]
"""Names of the values to report, each with the function that reads it from the state."""


def read(values: Values[T], state: State[T]) -> dict[str, float]:
    """Each value read from ``state``, as a float.

    Example:
        >>> read({"twice": lambda s: 2 * s.value}, State(value=3))
        {'twice': 6.0}
    """
    return {name: float(fn(state)) for name, fn in values.items()}


def checked(values: Values[T], where: str) -> dict[str, Callable[[State[T]], SupportsFloat]]:
    """``values`` as a dict, refused unless every name is a string and every reader callable.

    Raises:
        TypeError: a name is not a string or a reader is not callable.

    Example:
        >>> checked({"loss": 1.0}, "JsonLines")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        TypeError: JsonLines: the value 'loss' must be a function of the state, ...
    """
    for name, fn in values.items():
        if not isinstance(name, str):
            raise TypeError(f"{where}: value names must be strings, got {name!r}")
        if not callable(fn):
            raise TypeError(
                f"{where}: the value {name!r} must be a function of the state, got {fn!r}; "
                f"write {{{name!r}: lambda state: ...}}"
            )
    return dict(values)
