"""The Boolean laws of a filter with ``|``, ``&``, ``~``, ``always`` and ``never``.

Two filters are equal when they pass at the same counts: each law is checked pointwise, by
``Filter.passes`` alone, on a state that a run would have at that count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from foldloop.core import Event, Filter, State, after, always, before, every, never, once, where

from ._factories import make_state

E = TypeVar("E", bound=Event)

Law = tuple[str, Filter[E], Filter[E]]


# Any: the default filters below read only counts, whatever the state's value.
def _count_is_one_mod_three(state: State[Any], event: Event) -> bool:
    return state.count(type(event)) % 3 == 1


OTHERS: tuple[Filter[Event], ...] = (
    every(2),
    every(3),
    once(1, 4),
    before(5),
    after(7),
    always,
    never,
    where(_count_is_one_mod_three),
)
"""The filters ``check_filter_laws`` combines a filter with by default: one of each kind."""


def _laws_of(f: Filter[E]) -> Iterator[Law[E]]:
    yield "~~f == f", ~~f, f
    yield "f | never == f", f | never, f
    yield "f & always == f", f & always, f
    yield "f | always == always", f | always, always
    yield "f & never == never", f & never, never
    yield "f | ~f == always", f | ~f, always
    yield "f & ~f == never", f & ~f, never
    yield "f | f == f", f | f, f
    yield "f & f == f", f & f, f


def _laws_with(f: Filter[E], g: Filter[E]) -> Iterator[Law[E]]:
    yield "f | g == g | f", f | g, g | f
    yield "f & g == g & f", f & g, g & f
    yield "~(f | g) == ~f & ~g", ~(f | g), ~f & ~g
    yield "~(f & g) == ~f | ~g", ~(f & g), ~f | ~g
    yield "f | (f & g) == f", f | (f & g), f
    yield "f & (f | g) == f", f & (f | g), f


def _laws_with_two(f: Filter[E], g: Filter[E], h: Filter[E]) -> Iterator[Law[E]]:
    yield "(f | g) | h == f | (g | h)", (f | g) | h, f | (g | h)
    yield "(f & g) & h == f & (g & h)", (f & g) & h, f & (g & h)
    yield "f & (g | h) == (f & g) | (f & h)", f & (g | h), (f & g) | (f & h)
    yield "f | (g & h) == (f | g) & (f | h)", f | (g & h), (f | g) & (f | h)


def _check(law: Law[E], names: str, points: Sequence[tuple[int, State[Any]]], event: E) -> None:
    name, left, right = law
    for count, state in points:
        passes = left.passes(count, state, event), right.passes(count, state, event)
        if passes[0] != passes[1]:
            sides = " and ".join(
                f"{side} {'passes' if p else 'does not pass'}"
                for side, p in zip(("the left side", "the right side"), passes, strict=True)
            )
            raise AssertionError(
                f"filter law {name!r} fails for {names} at count {count} of "
                f"{type(event).__name__}: {sides} (left {left!r}, right {right!r})"
            )


def check_filter_laws(
    f: Filter[E],
    event: E,
    *,
    others: Sequence[Filter[E]] | None = None,
    counts: Iterable[int] = range(1, 61),
    state_at: Callable[[int], State[Any]] | None = None,
) -> None:
    """Check that ``f`` obeys the Boolean laws alone and combined with ``others``.

    The laws: ``~~f == f``; ``never`` and ``always`` are the identities of ``|`` and ``&``
    and their annihilators; complements, idempotence, commutativity, de Morgan, absorption,
    associativity and distributivity. Each is checked pointwise at every count in
    ``counts``, with ``passes(count, state_at(count), event)``.

    Args:
        f: the filter to check (your own ``Filter`` subclass, or an expression).
        event: an event of the kind ``f`` is attached to.
        others: the filters to combine ``f`` with (default: one of each kind in
            ``foldloop``, a ``where`` on the count included).
        counts: the counts to compare at.
        state_at: the state at a count (default: ``make_state(None)`` with that count as
            the event's count, the epoch and the iteration).

    Raises:
        AssertionError: naming the law, the filters and the count where the two sides
            differ.

    Example:
        >>> from foldloop import IterationCompleted, after, every
        >>> check_filter_laws(every(5) & ~after(20), IterationCompleted())
    """
    points = [(n, _state(n, event) if state_at is None else state_at(n)) for n in counts]
    pool: Sequence[Filter[E]] = OTHERS if others is None else others
    for law in _laws_of(f):
        _check(law, f"f = {f!r}", points, event)
    for g in pool:
        for law in _laws_with(f, g):
            _check(law, f"f = {f!r}, g = {g!r}", points, event)
        for h in pool:
            for law in _laws_with_two(f, g, h):
                _check(law, f"f = {f!r}, g = {g!r}, h = {h!r}", points, event)


# Any: a state for filters that read counts, position and no value.
def _state(count: int, event: Event) -> State[Any]:
    return make_state(None, epoch=count, iteration=count, counts={type(event): count})
