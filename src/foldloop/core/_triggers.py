"""Triggers: event kinds, each with the filter that decides when it fires."""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

import attrs

from ._arguments import require_kind
from ._events import Event
from ._filters import Filter, always

E = TypeVar("E", bound=Event, covariant=True)
F = TypeVar("F", bound=Event)
K = TypeVar("K", bound=Event)


@attrs.frozen
class Trigger(Generic[E]):
    """Event kinds with a filter each; a handler attached to it fires at most once per event.

    Build one with :func:`on`; combine with ``|``. Kinds match exactly (a subclass of a kind is
    a kind of its own).

    Example:
        >>> from foldloop.core._events import EpochCompleted, Completed
        >>> from foldloop.core._filters import every
        >>> on(EpochCompleted, every(2)) | on(Completed)
        on(EpochCompleted, every(2)) | on(Completed)
    """

    # A filter only ever sees events of its own kind; the mapping cannot say so per key.
    filters: Mapping[type[Event], Filter[Any]]

    def __or__(self, other: Trigger[F] | type[F]) -> Trigger[E | F]:
        if not isinstance(other, Trigger):
            if not _is_kind(other):
                return NotImplemented
            other = on(other)
        merged = dict(self.filters)
        for kind, fil in other.filters.items():
            merged[kind] = merged[kind] | fil if kind in merged else fil
        return Trigger(merged)

    def __ror__(self, other: type[F]) -> Trigger[E | F]:
        if not _is_kind(other):
            return NotImplemented
        return on(other) | self

    def __repr__(self) -> str:
        return filters_repr(self.filters)


def filters_repr(filters: Mapping[type[Event], Filter[Any]]) -> str:
    """How a trigger with these filters is written.

    Example:
        >>> from foldloop.core._events import Started
        >>> filters_repr({Started: always})
        'on(Started)'
    """
    return " | ".join(
        f"on({kind.__name__})" if fil is always else f"on({kind.__name__}, {fil!r})"
        for kind, fil in filters.items()
    )


def _is_kind(kind: object) -> bool:
    return isinstance(kind, type) and issubclass(kind, Event)


def on(kind: type[K], filter: Filter[K] | None = None) -> Trigger[K]:
    """The trigger that fires on events of ``kind`` whose occurrence passes ``filter``.

    Example:
        >>> from foldloop.core._events import IterationCompleted
        >>> from foldloop.core._filters import every, once
        >>> on(IterationCompleted, every(50) | once(1))
        on(IterationCompleted, (every(50) | once(1)))
    """
    given: object = kind  # typed type[K], but `Started | Completed` arrives as a type union
    if isinstance(given, types.UnionType):
        spelled = " | ".join(f"on({getattr(k, '__name__', k)})" for k in given.__args__)
        raise TypeError(f"{given!r} is a type union, not a trigger; write {spelled}")
    if not _is_kind(kind):
        raise TypeError(
            f"a trigger needs an event kind (a subclass of foldloop.Event), got {kind!r}; "
            "write on(IterationCompleted, every(10)) or pass the class itself, not an instance"
        )
    require_kind(kind, "on()")
    if filter is not None and not isinstance(filter, Filter):
        raise TypeError(
            f"on({kind.__name__}, ...) takes a filter such as every(10) or once(1), got {filter!r}"
        )
    return Trigger({kind: always if filter is None else filter})


def as_trigger(trigger: Trigger[K] | type[K]) -> Trigger[K]:
    """``trigger`` itself, or ``on(trigger)`` for a bare event kind.

    Example:
        >>> from foldloop.core._events import Started
        >>> as_trigger(Started)
        on(Started)
    """
    if isinstance(trigger, Trigger):
        return trigger
    return on(trigger)
