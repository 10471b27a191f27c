"""Firing an event: its listeners due at its count (handlers, then taps), then the events
they emitted, first in first out; a failure becomes ``ExceptionRaised`` and a ``RunError``.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Generic, NoReturn, TypeVar

from . import _events as ev
from ._callables import changed_by_tap, spelled, tap_changed
from ._dispatch import NEVER, Listener, Schedule, schedules
from ._errors import HandlerReturnError, RunError, RunInterrupted, TerminateEpochRefused
from ._events import ITERATION_KINDS, Event
from ._position import (
    DATA_EXHAUSTED,
    EPOCH_STARTED,
    GET_BATCH_COMPLETED,
    GET_BATCH_STARTED,
    ITERATION_COMPLETED,
    ITERATION_STARTED,
    STARTED,
    Fields,
    Position,
)
from ._registry import Registry
from ._signals import Failed, Interrupt, StopEpoch, StopRun
from ._state import AT, BATCH, LIMITS, QUEUE, STOP, STOP_EPOCH, STOP_RUN, State

T = TypeVar("T")

Traced = tuple[Event, State[T]]
Trace = Generator[Traced[T], None, State[T]]

_new = tuple.__new__  # records built without their constructors' checks: the hot path
# After these events a request takes effect at once (the others' are honoured where noted).
_HONOURED_AT_ONCE = frozenset(
    {GET_BATCH_STARTED, GET_BATCH_COMPLETED, ITERATION_STARTED, DATA_EXHAUSTED}
)

_ITERATION_INDEX = {kind: i for i, kind in enumerate(ITERATION_KINDS)}
# Stages at which a batch is in hand: drawn, not stepped yet.
_HOLDING_A_BATCH = frozenset({GET_BATCH_COMPLETED, ITERATION_STARTED})


def at_position(state: State[T], position: Fields, batch: object) -> State[T]:
    """``state`` moved to ``position``, holding the drawn ``batch`` (None once stepped)."""
    return _new(State, (state[0], position, state[2], state[3], state[4], state[5], batch))


class Firing(Generic[T]):
    """The listeners of one run, scheduled, and how events reach them."""

    def __init__(self, registry: Registry, trace: bool, *, has_data: bool) -> None:
        self.registry = registry
        self.trace = trace
        self.per_batch = int(has_data)  # each batch counts one GetBatch* event of each kind
        self.version = -1
        self.schedules: dict[type[Event], Schedule] = {}
        self.dues: list[int] = []  # per iteration kind, set with the schedules

    def fire(self, event: Event, state: State[T], at: Position, batch: object) -> Trace[T]:
        """Fire ``event`` at ``at``, the position after ``state``'s (the last good one should a
        listener fail), then the events it emitted; honour a request where it takes effect."""
        state = self.notify(event, at.count(type(event)), state, at, batch, state)
        return (yield from self.after(event, state))[0]

    def after(
        self, event: Event, state: State[T]
    ) -> Generator[Traced[T], None, tuple[State[T], Mapping[type[Event], int]]]:
        """After ``event``'s listeners: show it to a tracer, fire the events they emitted, and
        honour a request made at an iteration-level event. Returns the state and the counts of
        the kinds other than the iteration kinds, which emitted events move.

        (An iteration-level event fires with :meth:`notify`, then this only where needed: no
        generator a batch.)"""
        if self.trace:
            yield event, state
        if state[QUEUE]:
            state = yield from self.drain(state)
        if state[STOP] and state._at.stage in _HONOURED_AT_ONCE:
            honour(state, state._at.stage)
        return state, state._fields[-1]

    def drain(self, state: State[T]) -> Trace[T]:
        """Fire the queued events, first in first out (new ones join the back)."""
        while state[QUEUE]:
            head, rest = state._queue[0], state._queue[1:]
            at = state._at.counted(type(head), state._at.stage)
            queued = state._with(QUEUE, rest)  # the last good state, should a listener fail: state
            state = self.notify(head, at.count(type(head)), queued, at, state._batch, state)
            if self.trace:
                yield head, state
        return state

    def notify(
        self,
        event: Event,
        count: int,
        state: State[T],
        at: Fields,
        batch: object,
        prior: State[T] | Fields,
        errors: list[Exception] | None = None,
    ) -> State[T]:
        """Run the listeners of the ``count``-th ``event`` due then, on ``state`` moved to
        ``at`` holding ``batch``: handlers, then taps.

        A failure raises :class:`Failed` with the last good state, ``prior`` (a position:
        ``state`` there), or is collected in ``errors`` when given (``ExceptionRaised``: every
        listener runs).
        """
        seen = state if state[AT] is at else at_position(state, at, batch)  # seen[AT] is at
        kind = event.__class__
        schedule = self.schedules.get(kind)
        if schedule is None or schedule.due > count:
            return seen
        state = seen
        for listener in schedule.due_at(count):
            try:
                if not listener.filter.passes(count, state, event):
                    continue
                new = listener.call(state, event)
                if not listener.is_tap:
                    if new.__class__ is not State or new[AT] is not at:  # else built from state
                        who = listener.describe(event)
                        new = returned_state(new, state, who, as_tap(listener, event))
                    state = new
                elif new.__class__ is State and changed_by_tap(state, new):
                    raise HandlerReturnError(tap_changed(listener.describe(event)))
            except Exception as exc:
                if errors is None:
                    last_good = _last_good(seen, prior)
                    raise Failed(exc, last_good, listener.describe(event), event) from exc
                errors.append(exc)
        if self.registry.version != self.version:
            self.reschedule(seen._at)
        elif kind in _ITERATION_INDEX and not self.trace:
            self.dues[_ITERATION_INDEX[kind]] = schedule.due - 1
        return state

    def reschedule(self, at: Position) -> None:
        """Take the attachments as they are now, scheduled from the counts at ``at``."""
        self.version, attachments = self.registry.snapshot()
        self.schedules = schedules(attachments, at.count)
        # For each iteration kind, the count from which its next event has listeners due (a
        # tracer looks at every event; with no data, no batch event fires). The loop holds it.
        due = {kind: schedule.due - 1 for kind, schedule in self.schedules.items()}
        self.dues[:] = [-1 if self.trace else due.get(kind, NEVER) for kind in ITERATION_KINDS]
        if not self.per_batch:
            self.dues[0] = self.dues[1] = NEVER

    def fail(self, failure: Failed) -> Generator[Traced[T], None, NoReturn]:
        """Fire ``ExceptionRaised`` on the last good state to all its listeners; raise."""
        event = ev.ExceptionRaised(failure.cause)
        last_good: State[T] = failure.state
        at = last_good._at.counted(ev.ExceptionRaised, last_good._at.stage)
        errors: list[Exception] = []
        count = at.count(ev.ExceptionRaised)
        state = self.notify(event, count, last_good, at, last_good._batch, last_good, errors)
        if self.trace:
            yield event, state
        raise RunError(
            state, failure.event, failure.origin, failure.cause, tuple(errors)
        ) from failure.cause

    def interrupted(self, state: State[T]) -> Generator[Traced[T], None, NoReturn]:
        """Show ``state`` to the taps of ``Interrupted`` (uncounted), then raise
        :class:`RunInterrupted` with it; a failing tap is reported in its notes."""
        errors: list[Exception] = []
        event = ev.Interrupted()
        seen = self.notify(event, 1, state, state._at, state._batch, state, errors)
        if self.trace:
            yield event, seen
        interrupted = RunInterrupted(state)
        for error in errors:
            interrupted.add_note(f"a tap on Interrupted failed: {type(error).__name__}: {error}")
        raise interrupted


def _last_good(seen: State[T], prior: State[T] | Fields) -> State[T]:
    """The last good state before the event ``seen`` sees: ``prior``, or ``seen`` at the
    position ``prior``, holding its batch where that position has one in hand."""
    if isinstance(prior, State):
        return prior
    holding = _new(Position, prior).stage in _HOLDING_A_BATCH
    return at_position(seen, prior, seen[BATCH] if holding else None)


def returned_state(returned: object, given: State[T], who: str, tap: str = "") -> State[T]:
    """``returned`` by ``who`` (the step, or a handler that ``tap`` would attach as a tap) if it
    is a state of the run where ``given`` is: at its position, with its limits (a state built
    from ``given`` by State's methods is). Anything else is refused: a ``State(...)`` made
    anew, or one kept from another point of the run, would move the run or drop its limits."""
    fix = (
        "return the state it was given, or a new one built from it (state.replace(value=...), "
        "state.put(...), state.terminate())"
    )
    if not isinstance(returned, State):
        as_tap = f"; if it only does IO (prints, logs), make it a tap: {tap}" if tap else ""
        problem = f"{returned!r} instead of a State; {fix}{as_tap if returned is None else ''}"
        raise HandlerReturnError(f"{who} returned {problem}")
    if returned[AT] == given[AT] and returned[LIMITS] == given[LIMITS]:
        return returned
    where = "epoch {0.epoch}, iteration {0.iteration} (max_epochs={0.max_epochs})".format
    raise HandlerReturnError(
        f"{who} returned a State at {where(returned)}, not one of the run at {where(given)}; "
        f"{fix}, not State(...) made anew or a state kept from another point of the run"
    )


def as_tap(listener: Listener, event: Event) -> str:
    """How to attach ``listener``'s function as a tap on ``event``'s kind instead."""
    kind = type(event).__name__
    return f"loop.tap({kind}, {spelled(listener.name)}) or @loop.tap({kind})"


def honour(state: State[T], stage: int) -> NoReturn:
    """End the run or the epoch as ``state`` requests, after the event of ``stage``."""
    if state._stop & STOP_RUN:
        raise StopRun(state)
    if stage in (STARTED, EPOCH_STARTED):
        event = ev.Started() if stage == STARTED else ev.EpochStarted()
        kind = type(event).__name__
        refusal = TerminateEpochRefused(
            f"terminate_epoch() was requested during {kind}, where there is no epoch to cut "
            "short; request it from an iteration-level event (IterationStarted, "
            "IterationCompleted, ...) or call terminate() to end the run"
        )
        dropped = state._with(STOP, state._stop & ~STOP_EPOCH)
        raise Failed(refusal, dropped, f"terminate_epoch() on {kind}", event)
    raise StopEpoch(state)


def halt(state: State[T]) -> NoReturn:
    """End the run or the epoch after ``IterationCompleted``, as ``state`` requests, or (with
    no request) stop it there for a Ctrl-C."""
    if state._stop:
        honour(state, ITERATION_COMPLETED)
    raise Interrupt(state)


def after_epoch(state: State[T]) -> State[T]:
    """After ``EpochCompleted``: an epoch request is spent; a run request ends the run."""
    if state._stop & STOP_RUN:
        raise StopRun(state)
    return state._with(STOP, 0) if state._stop else state
