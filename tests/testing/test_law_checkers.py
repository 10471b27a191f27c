"""The law checkers of ``foldloop.testing`` pass on lawful pieces and fail, naming the law, on
deliberately broken ones: a metric whose merge is not associative, a filter whose ``~`` is
wrong, handlers that mutate their state or depend on hidden memory."""

from __future__ import annotations

import re
from typing import Any

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from foldloop import Event, Filter, IterationCompleted, State
from foldloop.metrics import Average, Metric
from foldloop.testing import (
    check_filter_laws,
    check_handler_is_pure,
    check_metric_laws,
    make_state,
)

FLOATS = st.lists(st.floats(-100, 100, allow_nan=False), min_size=3, max_size=5)


class LastWins(Metric[float, float, float]):
    """A 'metric' whose merge keeps only its right side: associative, but ``init()`` is not
    its identity and it is not a homomorphism."""

    def init(self) -> float:
        return 0.0

    def update(self, acc: float, output: float) -> float:
        return output

    def merge(self, left: float, right: float) -> float:
        return right

    def compute(self, acc: float) -> float:
        return acc


class Lopsided(Metric[float, float, float]):
    """A sum whose merge doubles a non-empty right side: ``init()`` is its identity, but it is
    not associative."""

    def init(self) -> float:
        return 0.0

    def update(self, acc: float, output: float) -> float:
        return acc + output

    def merge(self, left: float, right: float) -> float:
        return left + right if left == 0 or right == 0 else left + 2 * right

    def compute(self, acc: float) -> float:
        return acc


class Appending(Metric[float, list[float], int]):
    """A lawful count of outputs whose update appends to the accumulator it was given."""

    def init(self) -> list[float]:
        return []

    def update(self, acc: list[float], output: float) -> list[float]:
        acc.append(output)
        return list(acc)

    def merge(self, left: list[float], right: list[float]) -> list[float]:
        return left + right

    def compute(self, acc: list[float]) -> int:
        return len(acc)


@given(FLOATS)
def test_a_lawful_metric_passes(outputs: list[float]) -> None:
    check_metric_laws(Average(), outputs)


@pytest.mark.parametrize(
    ("metric", "law"),
    [
        (Lopsided(), "merge is associative"),
        (LastWins(), "init() is the identity of merge"),
        (Appending(), "update, merge and compute are pure"),
    ],
)
def test_a_broken_metric_fails_naming_the_law(metric: Metric[float, Any, Any], law: str) -> None:
    with pytest.raises(
        AssertionError, match=f"metric law {re.escape(repr(law))} fails .*outputs = "
    ):
        check_metric_laws(metric, [1.0, 2.0, 4.0])


def test_a_metric_whose_result_depends_on_order_fails_unless_it_says_ordered() -> None:
    # the last output seen: lawful as an ordered fold, but order changes its value
    class Last(LastWins):
        def merge(self, left: float, right: float) -> float:
            return right if right else left

    with pytest.raises(AssertionError, match="the order of the outputs does not matter"):
        check_metric_laws(Last(), [1.0, 2.0, 4.0])
    check_metric_laws(Last(), [1.0, 2.0, 4.0], ordered=True)


def test_a_metric_failure_shows_the_split_and_the_difference() -> None:
    expected = r"outputs\[:1\], outputs\[1:2\], outputs\[2:\]; they differ at leaf 0: 13.0 != 21.0"
    with pytest.raises(AssertionError, match=expected):
        check_metric_laws(Lopsided(), [1.0, 2.0, 4.0])


class Even(Filter[Event]):
    """A user's filter, correct in itself: passes at even counts."""

    # Any: the state's value plays no part in this filter.
    def passes(
        self, count: int, state: State[Any] | None = None, event: Event | None = None
    ) -> bool:
        return count % 2 == 0

    def earliest(self, count: int) -> int | None:
        return count + count % 2


class EvenWithAWrongNot(Even):
    """``~`` returns the filter itself instead of its complement."""

    def __invert__(self) -> Filter[Event]:
        return self


class EvenWithAnInvertingOr(Even):
    """``|`` answers the opposite of or."""

    def __or__(self, other: Filter[Event]) -> Filter[Event]:
        return ~other


def test_a_lawful_user_filter_passes() -> None:
    check_filter_laws(Even(), IterationCompleted())


@pytest.mark.parametrize(
    ("broken", "law"),
    [(EvenWithAWrongNot(), "f | ~f == always"), (EvenWithAnInvertingOr(), "f | never == f")],
)
def test_a_broken_filter_fails_naming_the_law_and_the_count(broken: Even, law: str) -> None:
    with pytest.raises(
        AssertionError, match=rf"filter law '{law.replace('|', '[|]')}' fails .* at count \d+"
    ):
        check_filter_laws(broken, IterationCompleted())


def add_one(state: State[list[int]], event: IterationCompleted) -> State[list[int]]:
    return state.replace(value=[*state.value, 1])


def append_one(state: State[list[int]], event: IterationCompleted) -> State[list[int]]:
    state.value.append(1)
    return state


CALLS: list[int] = []


def count_calls(state: State[int], event: IterationCompleted) -> State[int]:
    CALLS.append(1)
    return state.replace(value=len(CALLS))


def not_a_state(state: State[int], event: IterationCompleted) -> State[int]:
    return state.value  # type: ignore[return-value]  # the point is a wrong return


def test_a_pure_handler_passes() -> None:
    check_handler_is_pure(add_one, make_state([0], iteration=3), IterationCompleted())


@pytest.mark.parametrize(
    ("handler", "state", "message"),
    [
        (
            append_one,
            make_state([0]),
            r"changed the state it was given \(now != before\): state\.value: length 2 != 1",
        ),
        (count_calls, make_state(0), "returned different states for the same call"),
        (not_a_state, make_state(0), "returned 0, not a State"),
    ],
)
def test_an_impure_handler_fails_saying_what_it_did(
    handler: Any, state: State[Any], message: str
) -> None:
    # Any: the handlers above have different value types; each is paired with its own state.
    with pytest.raises(AssertionError, match=message):
        check_handler_is_pure(handler, state, IterationCompleted())


def test_a_handler_that_mutates_a_tensor_in_the_state_fails() -> None:
    def scale(state: State[list[torch.Tensor]], event: Event) -> State[list[torch.Tensor]]:
        state.value[0].mul_(2)
        return state

    with pytest.raises(AssertionError, match=r"state\.value\[0\]"):
        check_handler_is_pure(scale, make_state([torch.ones(2)]), Event())
