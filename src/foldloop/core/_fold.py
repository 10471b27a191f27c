"""The machinery of one run: position, counts, firing events, requests.

:class:`Fold` holds one ``run``/``scan`` call's position (counters, stage, data cursor) in
plain attributes and builds a :class:`State` only when someone looks: a step, a handler or tap
that is due, or ``scan``. Handlers and the step return new states; nothing given to the fold
is ever mutated. The order in which events fire is in :mod:`._order`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Generic, TypeVar, cast

from . import _stage as st
from ._errors import HandlerReturnError, TerminateEpochRefused
from ._events import Event
from ._registry import Registry
from ._signals import Failed, StopEpoch, StopRun
from ._state import COUNT_INDEX, State
from ._table import Slot, Table, compile_tables

T = TypeVar("T")
B = TypeVar("B")


class Fold(Generic[T, B]):
    """One pass of ``run``/``scan``: yields ``(event, state)`` after each event when tracing."""

    def __init__(
        self,
        step: Callable[[State[T], B], State[T]],
        registry: Registry,
        state: State[T],
        data: Iterable[B] | None,
        trace: bool,
    ) -> None:
        self.step = step
        self.registry = registry
        self.version = registry.version
        self.base = state._counts[0]  # counts of the other kinds; replaced, never mutated
        self.hot: list[int] = [0, *state._counts[1:]]  # [unused, the iteration kinds' counts]
        self.tables: dict[type[Event], Table] = compile_tables(registry.attachments, state.count)
        self.trace = trace
        self.data = data
        self.iterator: Iterator[B] | None = None
        self.state = state
        self.stale = False
        self.epoch = state.epoch
        self.iteration = state.iteration
        self.epoch_length = state.epoch_length
        self.max_epochs = state.max_epochs
        self.max_iters = state.max_iters
        self.epoch_iteration = state._epoch_iteration
        self.drawn = state._drawn
        self.stage = state._stage
        self.position = state._position
        self.batch = state._batch
        # What a failing event must undo: set when the event's handlers are called.
        self.prev_stage = self.stage
        self.pre_state = state
        self.saved = 0  # epoch_iteration before EpochStarted; drawn before a new pass
        self.requeued: Event | None = None

    # -- building states ------------------------------------------------------------------

    def snapshot(self) -> State[T]:
        """The current state, built from the position if it moved since the last one."""
        if not self.stale:
            return self.state
        new: State[T] = object.__new__(State)
        fields = new.__dict__
        fields.update(self.state.__dict__)
        fields["epoch"] = self.epoch
        fields["iteration"] = self.iteration
        fields["epoch_length"] = self.epoch_length
        fields["_epoch_iteration"] = self.epoch_iteration
        fields["_drawn"] = self.drawn
        fields["_stage"] = self.stage
        fields["_position"] = self.position
        fields["_batch"] = self.batch
        hot = self.hot
        fields["_counts"] = (self.base, hot[1], hot[2], hot[3], hot[4])
        self.state = new
        self.stale = False
        return new

    def set(self, **changes: object) -> None:
        self.state = self.state._derive({f"_{k}": v for k, v in changes.items()})

    # -- firing events --------------------------------------------------------------------

    def count(self, kind: type[Event]) -> int:
        """How many times ``kind`` fired so far."""
        i = COUNT_INDEX.get(kind)
        return self.hot[i] if i is not None else self.base.get(kind, 0)

    def bump(self, kind: type[Event], by: int = 1) -> int:
        i = COUNT_INDEX.get(kind)
        if i is not None:
            self.hot[i] += by
            return self.hot[i]
        n = self.base.get(kind, 0) + by
        self.base = {**self.base, kind: n}
        return n

    def fire(self, event: Event, stage: int) -> bool:
        """Count ``event``, run what is due; True when the caller must settle (trace, queue)."""
        self.prev_stage = self.stage
        self.pre_state = self.state
        self.stage = stage
        self.stale = True
        n = self.bump(event.__class__)
        table = self.tables.get(event.__class__)
        if table is not None and table.next_due <= n:
            self.dispatch(table, event, n)
            return self.trace or bool(self.state._queue)
        return self.trace

    def take_position(
        self,
        iteration: int,
        epoch_iteration: int,
        drawn: int,
        counts: tuple[int, int, int, int],
        state: State[T],
        stage: int,
        prev_stage: int,
        batch: object,
    ) -> None:
        """For the fast lane: adopt the position it kept in local variables."""
        self.iteration, self.epoch_iteration, self.drawn = iteration, epoch_iteration, drawn
        self.hot[1:] = counts
        self.state, self.stage, self.prev_stage, self.batch = state, stage, prev_stage, batch
        self.stale = True

    def fire_counted(self, table: Table, event: Event, n: int) -> None:
        """For the fast lane: run what is due for an event it counted, drain, honour requests.

        The lane has set the position, the count, ``stage`` and ``prev_stage``.
        """
        self.pre_state = self.state
        self.stale = True
        self.dispatch(table, event, n)
        if self.state._queue:
            for _ in self.drain():
                pass
        if self.state._stop:
            self.honour()

    def dispatch(
        self, table: Table, event: Event, n: int, errors: list[Exception] | None = None
    ) -> None:
        """Run the attachments due at count ``n`` of ``event``, handlers first, then taps.

        A failure raises :class:`Failed`, or is collected in ``errors`` when that is given
        (``ExceptionRaised``: everyone attached runs, even when one of them fails).
        """
        state = self.snapshot()
        for slot in table.pop_due(n):
            try:
                if not slot.filter.passes(n, state, event):
                    continue
                if slot.is_tap:
                    slot.call(state, event)
                    continue
                new = slot.call(state, event)
                if new.__class__ is not State:
                    raise HandlerReturnError(
                        f"{_what(slot, event)} returned {new!r} instead of a State; return the "
                        "state it was given, or a new one built from it (state.replace(value=...), "
                        "state.put(...), state.terminate())"
                    )
            except Exception as exc:
                if errors is None:
                    raise Failed(exc, event, _what(slot, event), True) from exc
                errors.append(exc)
                continue
            state = new
        self.state = state
        if self.registry.version != self.version:
            self.version = self.registry.version
            self.tables = compile_tables(self.registry.attachments, self.count)

    def settle(self, event: Event) -> Generator[tuple[Event, State[T]], None, None]:
        """After an event: show it (when tracing), then fire what it emitted, first in first out."""
        if self.trace:
            yield event, self.snapshot()
        yield from self.drain()

    def drain(self) -> Generator[tuple[Event, State[T]], None, None]:
        while self.state._queue:
            head, *rest = self.state._queue
            self.state = self.state._derive({"_queue": tuple(rest)})
            self.requeued = head
            self.fire(head, self.stage)
            self.requeued = None
            if self.trace:
                yield head, self.snapshot()

    # -- requests -------------------------------------------------------------------------

    def honour(self) -> None:
        """At an iteration-level event: end the run or the epoch as requested."""
        if self.state._stop & st.STOP_RUN:
            raise StopRun
        raise StopEpoch

    def honour_at_start(self, event: Event) -> None:
        """At ``Started``/``EpochStarted``: end the run if asked; an epoch cannot be cut here."""
        stop = self.state._stop
        if stop & st.STOP_RUN:
            raise StopRun
        self.set(stop=stop & ~st.STOP_EPOCH)
        refusal = TerminateEpochRefused(
            f"terminate_epoch() was requested during {type(event).__name__}, where there is no "
            "epoch to cut short; request it from an iteration-level event (IterationStarted, "
            "IterationCompleted, ...) or call terminate() to end the run"
        )
        raise Failed(refusal, event, f"terminate_epoch() on {type(event).__name__}", False)

    def after_epoch(self) -> int:
        """After ``EpochCompleted``: drop an epoch request, honour a run request."""
        stop = self.state._stop
        if stop & st.STOP_EPOCH:
            self.set(stop=stop & ~st.STOP_EPOCH)
        if stop & st.STOP_RUN:
            raise StopRun
        return st.BOUNDARY

    def done(self) -> bool:
        if self.max_iters is not None and self.iteration >= self.max_iters:
            return True
        return self.max_epochs is not None and self.epoch >= self.max_epochs

    def position_now(self) -> int:
        """Where a new run would pick up if this one ended now."""
        if self.stage == st.STARTED:
            return self.position
        if self.stage == st.EPOCH_COMPLETED:
            return st.BOUNDARY
        return self.stage

    # -- the data -------------------------------------------------------------------------

    def open_data(self) -> Iterator[B]:
        """An iterator at the current pass's position (a one-shot iterator is taken as is)."""
        if self.data is None:
            return cast(Iterator[B], itertools.repeat(None))  # data=None: the loop is Loop[T, None]
        it = iter(self.data)
        if it is not self.data and self.drawn:
            next(itertools.islice(it, self.drawn, self.drawn), None)
        return it

    def new_pass(self) -> None:
        self.saved = self.drawn
        self.drawn = 0
        self.iterator = None


def _what(slot: Slot, event: Event) -> str:
    """What ran, for error messages: ``handler 'name' on Kind``."""
    return f"{'tap' if slot.is_tap else 'handler'} {slot.name!r} on {type(event).__name__}"
