"""A run's trace: each event in order, where it happened, and which listeners fired at it.

The trace is data, so a picture of it (``timeline``) is a function of a value that tests can
check; it is recorded from ``Loop.scan`` and the loop's ``attachments()``, nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import attrs

from foldloop.core import Attached, Event, Loop, State

T = TypeVar("T")
B = TypeVar("B")


@attrs.frozen
class TracedEvent:
    """One event of a run: its kind, its count, the epoch and iteration it came at, and the
    listeners (indexes into :attr:`Trace.listeners`) that fired at it.

    Example:
        >>> from foldloop import Started
        >>> event = TracedEvent(Started, count=1, epoch=0, iteration=0, fired=())
        >>> event.kind.__name__, event.count, event.fired
        ('Started', 1, ())
    """

    kind: type[Event]
    count: int
    epoch: int
    iteration: int
    fired: tuple[int, ...]


@attrs.frozen
class Trace:
    """The events of a run in the order they fired, and the loop's listeners in attach order.

    Example:
        >>> Trace(events=(), listeners=()).kinds()
        ()
    """

    events: tuple[TracedEvent, ...]
    listeners: tuple[Attached, ...]

    def kinds(self) -> tuple[type[Event], ...]:
        """The kinds of the events, in order.

        Example:
            >>> from foldloop import Loop
            >>> loop: Loop[int, int] = Loop(lambda state, batch: state)
            >>> [kind.__name__ for kind in record(loop, 0, [1]).kinds()][-3:]
            ['IterationCompleted', 'EpochCompleted', 'Completed']
        """
        return tuple(event.kind for event in self.events)


def trace_of(
    scanned: Iterable[tuple[Event, State[T]]], listeners: Iterable[Attached] = ()
) -> Trace:
    """The trace of ``scan``'s ``(event, state)`` pairs, with the ``listeners`` that fired.

    A listener fired at an event when the event's kind is in its trigger and the kind's filter
    passes the event's count. A ``where(...)`` filter is asked about the state ``scan`` yields,
    the one after the event's handlers ran: exact unless a handler of that same event changes
    what the predicate reads.

    Example:
        >>> from foldloop import IterationCompleted, Loop, every, on
        >>> loop: Loop[int, int] = Loop(lambda state, batch: state)
        >>> _ = loop.tap(on(IterationCompleted, every(2)), lambda: None)
        >>> trace = trace_of(loop.scan(0, [1, 2, 3, 4]), loop.attachments())
        >>> [event.iteration for event in trace.events if event.fired]
        [2, 4]
    """
    kept = tuple(listeners)
    events = tuple(_traced(event, state, kept) for event, state in scanned)
    return Trace(events, kept)


def record(
    loop: Loop[T, B],
    initial: State[T] | T,
    data: Iterable[B] | None,
    *,
    max_epochs: int | None = None,
    epoch_length: int | None = None,
    max_iters: int | None = None,
) -> Trace:
    """Run ``loop`` like ``loop.run`` and return its trace (the final state is not kept).

    The listeners are the loop's attachments when the run starts. A failing run raises its
    ``RunError`` as ``run`` does.

    Example:
        >>> from foldloop import IterationCompleted, Loop, every, on
        >>> loop: Loop[int, int] = Loop(lambda state, batch: state)
        >>> _ = loop.attach(on(IterationCompleted, every(2)), lambda state: state)
        >>> trace = record(loop, 0, [1, 2, 3], max_epochs=2)
        >>> len(trace.events), [e.iteration for e in trace.events if e.fired]
        (31, [2, 4, 6])
    """
    listeners = loop.attachments()
    scanned = loop.scan(
        initial,
        data,  # type: ignore[arg-type]  # None needs Loop[T, None]; B is not known to be None
        max_epochs=max_epochs,
        epoch_length=epoch_length,
        max_iters=max_iters,
    )
    return trace_of(scanned, listeners)


def _traced(event: Event, state: State[T], listeners: tuple[Attached, ...]) -> TracedEvent:
    kind = type(event)
    count = state.count(kind)
    fired = tuple(
        i
        for i, listener in enumerate(listeners)
        if kind in listener.trigger.filters
        and listener.trigger.filters[kind].passes(count, state, event)
    )
    return TracedEvent(kind, count, state.epoch, state.iteration, fired)
