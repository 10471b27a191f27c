"""Filter laws: a Boolean algebra over counts, with exact atoms and sound skip bounds."""

from __future__ import annotations

import operator
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foldloop import (
    Event,
    Filter,
    IterationCompleted,
    after,
    always,
    before,
    every,
    once,
    where,
)
from foldloop.testing import check_filter_laws, filters, make_state

COUNTS = range(1, 150)


def passing(f: Filter[Event]) -> list[int]:
    return [n for n in COUNTS if f.passes(n)]


def same(a: Filter[Event], b: Filter[Event]) -> bool:
    return passing(a) == passing(b)


@given(filters(), filters(), filters())
def test_filters_obey_the_boolean_laws(
    a: Filter[Event], b: Filter[Event], c: Filter[Event]
) -> None:
    # identities, complements, idempotence, commutativity, de Morgan, absorption,
    # associativity and distributivity (with one filter of each kind: test_law_checkers.py)
    check_filter_laws(a, IterationCompleted(), others=(b, c))


def test_every_one_is_always() -> None:
    assert same(every(1), always)


@given(st.integers(min_value=1, max_value=40))
def test_atoms_fire_where_they_say(k: int) -> None:
    assert passing(every(k)) == [n for n in COUNTS if n % k == 0]
    assert passing(once(k)) == [k]
    if k >= 2:  # before(1) would never pass, and is refused
        assert passing(before(k)) == list(range(1, k))
    assert passing(after(k)) == [n for n in COUNTS if n > k]


def test_every_after_before_is_the_intersection_not_ignites_offset() -> None:
    assert passing(every(5) & after(8) & before(25)) == [10, 15, 20]
    # Ignite's every=5, after=8, before=25 counts from after + 1:
    ignite: Filter[Event] = where(
        lambda state, event: 8 < state.epoch < 25 and (state.epoch - 9) % 5 == 0
    )
    epochs = [e for e in range(1, 30) if ignite.passes(e, make_state(None, epoch=e), Event())]
    assert epochs == [9, 14, 19, 24]


@given(filters(), st.integers(min_value=1, max_value=120))
def test_earliest_never_skips_a_pass(f: Filter[Event], start: int) -> None:
    # earliest(c) is a lower bound: nothing in [c, earliest(c)) passes, nothing at all if None.
    bound = f.earliest(start)
    assert bound is None or bound >= start
    stop = 150 if bound is None else min(bound, 150)
    assert not any(f.passes(n) for n in range(start, stop))


@given(st.lists(st.integers(min_value=1, max_value=20), min_size=1))
def test_once_fires_at_each_given_count_exactly_once(ks: list[int]) -> None:
    assert passing(once(*ks)) == sorted(set(ks))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: every(0), r"every\(n\) must be >= 1, got 0"),
        (lambda: every(-3), r"every\(n\) must be >= 1, got -3"),
        (lambda: once(), r"once\(\) needs at least one count"),
        (lambda: once(0), r"once\(k\) must be >= 1, got 0"),
        (lambda: once(3, -1), r"once\(k\) must be >= 1, got -1"),
        (lambda: before(-1), r"before\(n\) must be >= 2"),
        (lambda: after(-1), r"after\(n\) must be >= 0"),
    ],
)
def test_bad_filter_arguments_are_refused(make: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("bad", [2.5, "3", None, True])
def test_filter_counts_must_be_ints(bad: object) -> None:
    with pytest.raises(TypeError, match=r"every\(n\) must be an int"):
        every(bad)  # type: ignore[arg-type]  # the point is a wrong type


@pytest.mark.parametrize("junk", [3, True, None, "every(2)", lambda state, event: True])
@pytest.mark.parametrize("combine", [operator.or_, operator.and_])
def test_combining_a_filter_with_a_non_filter_is_a_type_error(
    junk: object, combine: Callable[[object, object], object]
) -> None:
    with pytest.raises(TypeError, match="unsupported operand"):
        combine(every(2), junk)
    with pytest.raises(TypeError, match="unsupported operand"):
        combine(junk, every(2))  # on the right too: the reflected forms refuse it as well


def test_where_takes_a_function() -> None:
    with pytest.raises(TypeError, match="takes a function"):
        where(3)  # type: ignore[arg-type]  # the point is a wrong type


def test_filters_print_as_written() -> None:
    assert repr(every(50) | once(1)) == "(every(50) | once(1))"
    assert repr(~before(3) & after(1)) == "(~before(3) & after(1))"
