"""Hypothesis strategies for foldloop's values: event kinds, filters and states."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from foldloop.core import (
    DataExhausted,
    EpochTerminated,
    Event,
    Filter,
    State,
    Terminated,
    after,
    always,
    before,
    every,
    never,
    once,
)
from foldloop.core._events import RUN_ORDER  # the loop's own order of kinds

from ._factories import make_state

BUILT_IN_KINDS: tuple[type[Event], ...] = (*RUN_ORDER, Terminated, EpochTerminated, DataExhausted)
"""Every kind the loop fires by itself (``ExceptionRaised`` aside)."""


def event_kinds() -> st.SearchStrategy[type[Event]]:
    """The built-in event kinds.

    >>> event_kinds()  # doctest: +ELLIPSIS
    sampled_from((Started, EpochStarted, ...))
    """
    return st.sampled_from(BUILT_IN_KINDS)


def _atoms() -> st.SearchStrategy[Filter[Event]]:
    small = st.integers(min_value=1, max_value=12)
    return st.one_of(
        small.map(every),
        st.lists(small, min_size=1, max_size=3).map(lambda ks: once(*ks)),
        st.integers(min_value=2, max_value=12).map(before),
        st.integers(min_value=0, max_value=12).map(after),
        st.just(always),
        st.just(never),
    )


def filters() -> st.SearchStrategy[Filter[Event]]:
    """Filter expressions: atoms combined with ``|``, ``&`` and ``~``.

    >>> from hypothesis import given, settings
    >>> from foldloop import IterationCompleted
    >>> from foldloop.testing import check_filter_laws
    >>> @settings(max_examples=5)
    ... @given(filters())
    ... def check(f: Filter[Event]) -> None:
    ...     check_filter_laws(f, IterationCompleted(), others=(f,))
    >>> check()
    """
    return st.recursive(
        _atoms(),
        lambda inner: st.one_of(
            st.tuples(inner, inner).map(lambda ab: ab[0] | ab[1]),
            st.tuples(inner, inner).map(lambda ab: ab[0] & ab[1]),
            inner.map(lambda a: ~a),
        ),
        max_leaves=6,
    )


# Any: the value's type is whatever ``values`` draws; without it, ints.
def states(values: st.SearchStrategy[Any] | None = None) -> st.SearchStrategy[State[Any]]:
    """States as a run would have them, with values drawn from ``values``.

    >>> from hypothesis import given
    >>> @given(states())
    ... def check(state: State[Any]) -> None:
    ...     assert state.replace(value=1).iteration == state.iteration
    >>> check()
    """
    return st.builds(
        make_state,
        st.integers() if values is None else values,
        epoch=st.integers(min_value=0, max_value=50),
        iteration=st.integers(min_value=0, max_value=10_000),
    )
