"""Hypothesis strategies for foldloop's values: events, filters, states and run shapes."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from foldloop.core import (
    Completed,
    DataExhausted,
    EpochCompleted,
    EpochStarted,
    EpochTerminated,
    Event,
    Filter,
    GetBatchCompleted,
    GetBatchStarted,
    IterationCompleted,
    IterationStarted,
    Started,
    State,
    Terminated,
    after,
    always,
    before,
    every,
    never,
    once,
)

from ._factories import make_state
from ._shapes import Request, RunShape

BUILT_IN_KINDS: tuple[type[Event], ...] = (
    Started,
    EpochStarted,
    GetBatchStarted,
    GetBatchCompleted,
    IterationStarted,
    IterationCompleted,
    EpochCompleted,
    Completed,
    Terminated,
    EpochTerminated,
    DataExhausted,
)
"""Every kind the loop fires by itself (``ExceptionRaised`` aside)."""

# Kinds at which a handler may request a stop (requests at Terminated/Completed do nothing).
_REQUEST_KINDS = (*BUILT_IN_KINDS[:7], EpochTerminated, DataExhausted)


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
        st.integers(min_value=0, max_value=12).map(before),
        st.integers(min_value=0, max_value=12).map(after),
        st.just(always),
        st.just(never),
    )


def filters() -> st.SearchStrategy[Filter[Event]]:
    """Filter expressions: atoms combined with ``|``, ``&`` and ``~``.

    >>> from hypothesis import given
    >>> @given(filters())
    ... def check(f: Filter[Event]) -> None:
    ...     assert f.passes(6) == (not (~f).passes(6))
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


def requests(max_count: int = 12) -> st.SearchStrategy[Request]:
    """One handler's (or the step's, ``kind=None``) stop request or failure."""
    return st.builds(
        Request,
        st.one_of(st.none(), st.sampled_from(_REQUEST_KINDS)),
        st.integers(min_value=1, max_value=max_count),
        st.sampled_from(["terminate", "terminate_epoch", "raise"]),
    )


@st.composite
def run_shapes(draw: st.DrawFn, *, failures: bool = True) -> RunShape:
    """Run shapes: data length and kind, epoch_length, max_epochs or max_iters, requests.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(run_shapes())
    ... def check(shape: RunShape) -> None:
    ...     assert shape.max_epochs is None or shape.max_iters is None
    >>> check()
    """
    has_data = draw(st.integers(min_value=0, max_value=4)) > 0
    data_length = draw(st.integers(min_value=1, max_value=6)) if has_data else None
    one_shot = draw(st.booleans()) and data_length is not None
    sized = not one_shot and draw(st.booleans())
    epoch_length = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=8)))
    if data_length is None and epoch_length is None:  # data=None needs an epoch length
        epoch_length = draw(st.integers(min_value=1, max_value=8))
    max_epochs, max_iters = None, None
    if draw(st.booleans()):
        max_iters = draw(st.integers(min_value=1, max_value=20))
    else:
        max_epochs = draw(st.integers(min_value=1, max_value=4))
    chosen = draw(st.lists(requests(), max_size=3))
    if not failures:
        chosen = [r for r in chosen if r.action != "raise"]
    return RunShape(
        data_length=data_length,
        one_shot=one_shot,
        sized=sized,
        epoch_length=epoch_length,
        max_epochs=max_epochs,
        max_iters=max_iters,
        requests=tuple(chosen),
    )
