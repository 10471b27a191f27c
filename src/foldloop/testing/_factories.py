"""Building states directly, to unit-test a handler by calling it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from foldloop.core import (
    EpochCompleted,
    EpochStarted,
    Event,
    GetBatchCompleted,
    GetBatchStarted,
    IterationCompleted,
    IterationStarted,
    Slot,
    State,
)

T = TypeVar("T")


def make_state(
    value: T,
    *,
    epoch: int = 0,
    iteration: int = 0,
    max_epochs: int | None = None,
    epoch_length: int | None = None,
    max_iters: int | None = None,
    counts: Mapping[type[Event], int] | None = None,
    slots: Mapping[Slot[Any], object] | None = None,
) -> State[T]:
    """A state as a run would have it, for calling a handler in a test.

    ``counts`` gives each kind's count (the iteration kinds default to ``iteration``, the
    epoch kinds to ``epoch``); ``slots`` fills slots.

    Example:
        >>> from foldloop import IterationCompleted
        >>> state = make_state(0.5, epoch=2, iteration=100)
        >>> state.count(IterationCompleted), state.iteration
        (100, 100)
    """
    given = dict(counts or {})
    kind: type[Event]
    for kind in (GetBatchStarted, GetBatchCompleted, IterationStarted, IterationCompleted):
        given.setdefault(kind, iteration)
    for kind in (EpochStarted, EpochCompleted):
        given.setdefault(kind, epoch)
    state = State(
        value=value,
        epoch=epoch,
        iteration=iteration,
        max_epochs=max_epochs,
        epoch_length=epoch_length,
        max_iters=max_iters,
        counts=given,
    )
    for slot, held in (slots or {}).items():
        state = state.put(slot, held)
    return state
