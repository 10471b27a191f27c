"""Failure: undo the failing event, fire ``ExceptionRaised`` to all, raise ``RunError``."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, TypeVar

from . import _events as ev
from ._errors import RunError
from ._events import Event
from ._signals import Failed
from ._state import State

if TYPE_CHECKING:
    from ._fold import Fold

T = TypeVar("T")
B = TypeVar("B")

# -- failure --------------------------------------------------------------------------


def rollback(fold: Fold[T, B], event: Event) -> None:
    """Undo the counting and positioning of ``event``, whose handlers failed."""
    kind = event.__class__
    fold.bump(kind, -1)
    fold.stage = fold.prev_stage
    fold.state = fold.pre_state
    if fold.requeued is not None:
        fold.state = fold.state._derive({"_queue": (fold.requeued, *fold.state._queue)})
    elif kind is ev.GetBatchCompleted:
        fold.drawn -= 1
        fold.batch = None
    elif kind is ev.IterationStarted:
        fold.iteration -= 1
        fold.epoch_iteration -= 1
    elif kind is ev.EpochStarted:
        fold.epoch -= 1
        fold.epoch_iteration = fold.saved
    elif kind is ev.DataExhausted or kind is ev.EpochTerminated:
        fold.drawn = fold.saved
    fold.stale = True


def fail(fold: Fold[T, B], failure: Failed) -> Generator[tuple[Event, State[T]], None, None]:
    """Fire ``ExceptionRaised`` to everything attached to it, then raise :class:`RunError`."""
    if failure.rollback and failure.event is not None:
        rollback(fold, failure.event)
    event = ev.ExceptionRaised(failure.cause)
    secondary: list[Exception] = []
    n = fold.bump(ev.ExceptionRaised)
    fold.stale = True
    table = fold.tables.get(ev.ExceptionRaised)
    if table is not None and table.next_due <= n:
        fold.dispatch(table, event, n, secondary)
    if fold.trace:
        yield event, fold.snapshot()
    fold.stale = True
    raise RunError(
        fold.snapshot(), failure.event, failure.origin, failure.cause, tuple(secondary)
    ) from failure.cause
