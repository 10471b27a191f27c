"""Filters: values that decide on which occurrences of an event a trigger fires.

A filter reads the event's count (how many times its kind has fired, this time included) and,
for :func:`where`, the state and the event; filters form a Boolean algebra (``|``, ``&``, ``~``).
Besides deciding, every filter says the earliest count at which it may pass
(:meth:`Filter.earliest`, a lower bound), so that the loop skips handlers that cannot fire yet
and the cost of a run follows the handlers that fire, not those attached.
"""

from __future__ import annotations

import abc
import bisect
from collections.abc import Callable
from typing import Any, Generic

import attrs
from typing_extensions import TypeVar

from ._arguments import require_count, require_predicate
from ._events import Event
from ._state import State

E = TypeVar("E", bound=Event, contravariant=True)
K = TypeVar("K", bound=Event, default=Event)  # where(lambda s, e: ...) is a Filter[Event]
_AnyState = State[Any] | None  # a filter reads any state's counters; where() gets the user's


class Filter(abc.ABC, Generic[E]):
    """A decision on which counts (and states) a trigger fires.

    Example:
        >>> f = every(50) | once(1)
        >>> [n for n in range(1, 151) if f.passes(n)]
        [1, 50, 100, 150]
    """

    @abc.abstractmethod
    def passes(self, count: int, state: State[Any] | None = None, event: E | None = None) -> bool:
        """Whether the trigger fires at ``count`` (state and event matter to :func:`where` only).

        Example:
            >>> every(2).passes(4)
            True
        """

    @abc.abstractmethod
    def earliest(self, count: int) -> int | None:
        """A count ``>= count`` before which the filter cannot pass; None if it never will.

        A lower bound: the filter may still fail there (``where`` can only say ``count``).

        Example:
            >>> every(10).earliest(11)
            20
        """

    def __or__(self, other: Filter[E]) -> Filter[E]:
        if not isinstance(other, Filter):
            return NotImplemented
        return _Or(self, other)

    def __and__(self, other: Filter[E]) -> Filter[E]:
        if not isinstance(other, Filter):
            return NotImplemented
        return _And(self, other)

    # The reflected forms let mypy take the event kind from either side: without them,
    # ``every(2) | where(pred_on_iterations)`` would be typed by the left operand only.
    def __ror__(self, other: Filter[E]) -> Filter[E]:
        if not isinstance(other, Filter):
            return NotImplemented
        return _Or(other, self)

    def __rand__(self, other: Filter[E]) -> Filter[E]:
        if not isinstance(other, Filter):
            return NotImplemented
        return _And(other, self)

    def __invert__(self) -> Filter[E]:
        return _Not(self)


@attrs.frozen
class _Every(Filter[Event]):
    n: int

    def passes(self, count: int, state: _AnyState = None, event: Event | None = None) -> bool:
        return count % self.n == 0

    def earliest(self, count: int) -> int | None:
        return -(-count // self.n) * self.n

    def __repr__(self) -> str:
        return f"every({self.n})"


@attrs.frozen
class _Once(Filter[Event]):
    counts: tuple[int, ...]  # sorted, distinct

    def passes(self, count: int, state: _AnyState = None, event: Event | None = None) -> bool:
        i = bisect.bisect_left(self.counts, count)
        return i < len(self.counts) and self.counts[i] == count

    def earliest(self, count: int) -> int | None:
        i = bisect.bisect_left(self.counts, count)
        return self.counts[i] if i < len(self.counts) else None

    def __repr__(self) -> str:
        return f"once({', '.join(map(str, self.counts))})"


@attrs.frozen
class _Before(Filter[Event]):
    n: int

    def passes(self, count: int, state: _AnyState = None, event: Event | None = None) -> bool:
        return count < self.n

    def earliest(self, count: int) -> int | None:
        return count if count < self.n else None

    def __repr__(self) -> str:
        return f"before({self.n})"


@attrs.frozen
class _After(Filter[Event]):
    n: int

    def passes(self, count: int, state: _AnyState = None, event: Event | None = None) -> bool:
        return count > self.n

    def earliest(self, count: int) -> int | None:
        return max(count, self.n + 1)

    def __repr__(self) -> str:
        return f"after({self.n})"


@attrs.frozen
class _Constant(Filter[Event]):
    value: bool

    def passes(self, count: int, state: _AnyState = None, event: Event | None = None) -> bool:
        return self.value

    def earliest(self, count: int) -> int | None:
        return count if self.value else None

    def __repr__(self) -> str:
        return "always" if self.value else "never"


@attrs.frozen
class _Where(Filter[E]):
    predicate: Callable[[State[Any], E], bool]

    def passes(self, count: int, state: State[Any] | None = None, event: E | None = None) -> bool:
        if state is None or event is None:
            raise TypeError("where(...) decides on a state and an event; pass both to passes()")
        return True if self.predicate(state, event) else False  # noqa: SIM210 (bool() is a call)

    def earliest(self, count: int) -> int | None:
        return count

    def __repr__(self) -> str:
        return f"where({getattr(self.predicate, '__qualname__', self.predicate)!r})"


@attrs.frozen
class _Or(Filter[E]):
    left: Filter[E]
    right: Filter[E]

    def passes(self, count: int, state: State[Any] | None = None, event: E | None = None) -> bool:
        return self.left.passes(count, state, event) or self.right.passes(count, state, event)

    def earliest(self, count: int) -> int | None:
        left, right = self.left.earliest(count), self.right.earliest(count)
        return right if left is None else left if right is None else min(left, right)

    def __repr__(self) -> str:
        return f"({self.left!r} | {self.right!r})"


@attrs.frozen
class _And(Filter[E]):
    left: Filter[E]
    right: Filter[E]

    def passes(self, count: int, state: State[Any] | None = None, event: E | None = None) -> bool:
        return self.left.passes(count, state, event) and self.right.passes(count, state, event)

    def earliest(self, count: int) -> int | None:
        left, right = self.left.earliest(count), self.right.earliest(count)
        return None if left is None or right is None else max(left, right)

    def __repr__(self) -> str:
        return f"({self.left!r} & {self.right!r})"


@attrs.frozen
class _Not(Filter[E]):
    inner: Filter[E]

    def passes(self, count: int, state: State[Any] | None = None, event: E | None = None) -> bool:
        return not self.inner.passes(count, state, event)

    def earliest(self, count: int) -> int | None:
        return count  # where the inner filter may pass, it may also fail

    def __repr__(self) -> str:
        return f"~{self.inner!r}"


always: Filter[Event] = _Constant(True)
"""The filter that passes every occurrence (the identity of ``&``)."""

never: Filter[Event] = _Constant(False)
"""The filter that passes no occurrence (the identity of ``|``)."""


def every(n: int) -> Filter[Event]:
    """Pass at counts ``n, 2n, 3n, ...``.

    Example:
        >>> [c for c in range(1, 10) if every(3).passes(c)]
        [3, 6, 9]
    """
    return _Every(require_count("every(n)", n, 1))


def once(*counts: int) -> Filter[Event]:
    """Pass exactly at the given counts (each at most once in a state's history).

    Example:
        >>> [c for c in range(1, 10) if once(2, 5).passes(c)]
        [2, 5]
    """
    if not counts:
        raise ValueError("once() needs at least one count, e.g. once(1) or once(10, 20)")
    checked = {require_count("once(k)", k, 1) for k in counts}
    return _Once(tuple(sorted(checked)))


def before(n: int) -> Filter[Event]:
    """Pass at counts strictly below ``n`` (at least 2: counts start at 1).

    Example:
        >>> [c for c in range(1, 10) if before(4).passes(c)]
        [1, 2, 3]
    """
    if n in (0, 1) and not isinstance(n, bool):
        raise ValueError(f"before({n}) never passes (counts start at 1); write once(1) or never")
    return _Before(require_count("before(n)", n, 2))


def after(n: int) -> Filter[Event]:
    """Pass at counts strictly above ``n``.

    Example:
        >>> [c for c in range(1, 8) if after(4).passes(c)]
        [5, 6, 7]
    """
    return _After(require_count("after(n)", n, 0))


def where(predicate: Callable[[State[Any], K], bool]) -> Filter[K]:
    """Pass when ``predicate(state, event)`` is true (Ignite's custom ``event_filter``).

    An unannotated predicate makes a ``Filter[Event]``, which combines with any filter.

    Example:
        >>> odd_epochs = where(lambda state, event: state.epoch % 2 == 1)
        >>> odd_epochs.passes(1, State(value=None, epoch=3), Event())
        True
    """
    if not callable(predicate):
        raise TypeError(f"where() takes a function (state, event) -> bool, got {predicate!r}")
    require_predicate(predicate)
    return _Where(predicate)
