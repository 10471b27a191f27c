"""The run: a left fold of the data's events into a state.

:class:`Fold` drives one ``run``/``scan`` call. It keeps the position (counters, stage, data
cursor) in plain attributes and builds a :class:`State` only when someone looks: a step, a
handler or tap that is due, or ``scan``. Handlers and the step return new states; nothing
given to the fold is ever mutated.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Generic, TypeVar, cast

from . import _events as ev
from . import _stage as st
from ._errors import DataWarning, HandlerReturnError, RunError, TerminateEpochRefused
from ._events import Event
from ._fast import fast_iterations
from ._registry import Registry
from ._signals import Failed, StopEpoch, StopRun, step_failure, step_result_error
from ._state import COUNT_INDEX, State
from ._table import Table, compile_tables

T = TypeVar("T")
B = TypeVar("B")

Trace = Generator[tuple[Event, State[T]], None, State[T]]


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

    def _set(self, **changes: object) -> None:
        self.state = self.state._derive({f"_{k}": v for k, v in changes.items()})

    # -- firing events --------------------------------------------------------------------

    def count(self, kind: type[Event]) -> int:
        """How many times ``kind`` fired so far."""
        i = COUNT_INDEX.get(kind)
        return self.hot[i] if i is not None else self.base.get(kind, 0)

    def _bump(self, kind: type[Event], by: int = 1) -> int:
        i = COUNT_INDEX.get(kind)
        if i is not None:
            self.hot[i] += by
            return self.hot[i]
        n = self.base.get(kind, 0) + by
        self.base = {**self.base, kind: n}
        return n

    def _fire(self, event: Event, stage: int) -> bool:
        """Count ``event``, run what is due; True when the caller must settle (trace, queue)."""
        self.prev_stage = self.stage
        self.pre_state = self.state
        self.stage = stage
        self.stale = True
        n = self._bump(event.__class__)
        table = self.tables.get(event.__class__)
        if table is not None and table.next_due <= n:
            self._dispatch(table, event, n)
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
        self._dispatch(table, event, n)
        if self.state._queue:
            for _ in self._drain():
                pass
        if self.state._stop:
            self.honour()

    def _dispatch(self, table: Table, event: Event, n: int) -> None:
        state = self.snapshot()
        for slot in table.pop_due(n):
            try:
                if not slot.filter.passes(n, state, event):
                    continue
                if slot.is_tap:
                    slot.call(state, event)
                    continue
                new = slot.call(state, event)
            except Exception as exc:
                kind = "tap" if slot.is_tap else "handler"
                raise Failed(
                    exc, event, f"{kind} {slot.name!r} on {type(event).__name__}", True
                ) from exc
            if new.__class__ is not State:
                error = HandlerReturnError(
                    f"handler {slot.name!r} on {type(event).__name__} returned {new!r} instead of "
                    "a State; return the state it was given, or a new one built from it "
                    "(state.replace(value=...), state.put(...), state.terminate())"
                )
                raise Failed(error, event, f"handler {slot.name!r} on {type(event).__name__}", True)
            state = new
        self.state = state
        if self.registry.version != self.version:
            self.version = self.registry.version
            self.tables = compile_tables(self.registry.attachments, self.count)

    def _settle(self, event: Event) -> Generator[tuple[Event, State[T]], None, None]:
        """After an event: show it (when tracing), then fire what it emitted, first in first out."""
        if self.trace:
            yield event, self.snapshot()
        yield from self._drain()

    def _drain(self) -> Generator[tuple[Event, State[T]], None, None]:
        while self.state._queue:
            head, *rest = self.state._queue
            self.state = self.state._derive({"_queue": tuple(rest)})
            self.requeued = head
            self._fire(head, self.stage)
            self.requeued = None
            if self.trace:
                yield head, self.snapshot()

    # -- requests -------------------------------------------------------------------------

    def honour(self) -> None:
        """At an iteration-level event: end the run or the epoch as requested."""
        if self.state._stop & st.STOP_RUN:
            raise StopRun
        raise StopEpoch

    def _honour_at_start(self, event: Event) -> None:
        """At ``Started``/``EpochStarted``: end the run if asked; an epoch cannot be cut here."""
        stop = self.state._stop
        if stop & st.STOP_RUN:
            raise StopRun
        self._set(stop=stop & ~st.STOP_EPOCH)
        refusal = TerminateEpochRefused(
            f"terminate_epoch() was requested during {type(event).__name__}, where there is no "
            "epoch to cut short; request it from an iteration-level event (IterationStarted, "
            "IterationCompleted, ...) or call terminate() to end the run"
        )
        raise Failed(refusal, event, f"terminate_epoch() on {type(event).__name__}", False)

    def _after_epoch(self) -> int:
        """After ``EpochCompleted``: drop an epoch request, honour a run request."""
        stop = self.state._stop
        if stop & st.STOP_EPOCH:
            self._set(stop=stop & ~st.STOP_EPOCH)
        if stop & st.STOP_RUN:
            raise StopRun
        return st.BOUNDARY

    def _done(self) -> bool:
        if self.max_iters is not None and self.iteration >= self.max_iters:
            return True
        return self.max_epochs is not None and self.epoch >= self.max_epochs

    def _position_now(self) -> int:
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

    def _new_pass(self) -> None:
        self.saved = self.drawn
        self.drawn = 0
        self.iterator = None

    # -- the run --------------------------------------------------------------------------

    def events(self) -> Trace[T]:
        """The fold; returns the final state, yields ``(event, state)`` when tracing."""
        try:
            if self.stage == st.TERMINATED:
                yield from self._drain()
            else:
                try:
                    yield from self._run()
                except StopRun:
                    self.position = self._position_now()
                    self._set(terminated=True)
                    if self._fire(ev.TERMINATED, st.TERMINATED):
                        yield from self._settle(ev.TERMINATED)
                else:
                    self.position = self._position_now()
            if self._fire(ev.COMPLETED, st.COMPLETED):
                yield from self._settle(ev.COMPLETED)
        except Failed as failure:
            yield from self._fail(failure)
        self.stale = True
        return self.snapshot()

    def _run(self) -> Generator[tuple[Event, State[T]], None, None]:
        if self.stage in (st.IDLE, st.COMPLETED):
            if self.state._stop or self.state._terminated:
                self._set(stop=0, terminated=False)
            if self._fire(ev.STARTED, st.STARTED):
                yield from self._settle(ev.STARTED)
        else:
            yield from self._drain()
        if self.stage == st.STARTED:
            if self.state._stop:
                self._honour_at_start(ev.STARTED)
            p = self.position
        elif self.stage == st.EPOCH_COMPLETED:
            p = self._after_epoch()
        else:
            p = self.stage
        while True:
            if p == st.BOUNDARY:
                if self._done():
                    return
                self.saved = self.epoch_iteration
                self.epoch += 1
                self.epoch_iteration = 0
                if self._fire(ev.EPOCH_STARTED, st.EPOCH_STARTED):
                    yield from self._settle(ev.EPOCH_STARTED)
                p = st.EPOCH_STARTED
            if p != st.EPOCH_TERMINATED:
                yield from self._epoch(p)
            if self._fire(ev.EPOCH_COMPLETED, st.EPOCH_COMPLETED):
                yield from self._settle(ev.EPOCH_COMPLETED)
            p = self._after_epoch()

    def _epoch(self, p: int) -> Generator[tuple[Event, State[T]], None, None]:
        """The iterations of one epoch from position ``p``; ends at the epoch's end or cut."""
        has_data = self.data is not None
        try:
            if self.state._stop and p != st.STEPPED:
                if p == st.EPOCH_STARTED:
                    self._honour_at_start(ev.EPOCH_STARTED)
                self.honour()
            while True:
                if (p == st.ITERATION_COMPLETED or p == st.EPOCH_STARTED) and not self.trace:
                    p = fast_iterations(self)
                    if p == st.ITERATION_COMPLETED and self.state._stop:
                        self.honour()
                if p == st.ITERATION_COMPLETED:
                    if self.epoch_iteration == self.epoch_length:
                        return
                    if self.max_iters is not None and self.iteration >= self.max_iters:
                        raise StopRun
                if p == st.ITERATION_COMPLETED or p == st.EPOCH_STARTED:
                    if has_data:
                        if self._fire(ev.GET_BATCH_STARTED, st.GET_BATCH_STARTED):
                            yield from self._settle(ev.GET_BATCH_STARTED)
                        if self.state._stop:
                            self.honour()
                    p = st.GET_BATCH_STARTED
                if p == st.GET_BATCH_STARTED or p == st.DATA_EXHAUSTED:
                    if self.iterator is None:
                        self.iterator = self.open_data()
                    try:
                        batch = next(self.iterator)
                    except StopIteration:
                        if self._data_ended(p):
                            return
                        self._new_pass()
                        if self._fire(ev.DATA_EXHAUSTED, st.DATA_EXHAUSTED):
                            yield from self._settle(ev.DATA_EXHAUSTED)
                        if self.state._stop:
                            self.honour()
                        p = st.DATA_EXHAUSTED
                        continue
                    except Exception as exc:
                        raise Failed(exc, None, "drawing a batch from the data", False) from exc
                    self.drawn += 1
                    self.batch = batch
                    if has_data:
                        if self._fire(ev.GET_BATCH_COMPLETED, st.GET_BATCH_COMPLETED):
                            yield from self._settle(ev.GET_BATCH_COMPLETED)
                        if self.state._stop:
                            self.honour()
                    else:
                        self.stage = st.GET_BATCH_COMPLETED
                    p = st.GET_BATCH_COMPLETED
                if p == st.GET_BATCH_COMPLETED:
                    self.iteration += 1
                    self.epoch_iteration += 1
                    if self._fire(ev.ITERATION_STARTED, st.ITERATION_STARTED):
                        yield from self._settle(ev.ITERATION_STARTED)
                    if self.state._stop:
                        self.honour()
                    p = st.ITERATION_STARTED
                if p == st.ITERATION_STARTED:
                    self._take_step()
                if self.state._queue:
                    yield from self._drain()
                if self._fire(ev.ITERATION_COMPLETED, st.ITERATION_COMPLETED):
                    yield from self._settle(ev.ITERATION_COMPLETED)
                if self.state._stop:
                    self.honour()
                p = st.ITERATION_COMPLETED
        except StopEpoch:
            self._new_pass()
            if self._fire(ev.EPOCH_TERMINATED, st.EPOCH_TERMINATED):
                yield from self._settle(ev.EPOCH_TERMINATED)

    def _take_step(self) -> None:
        state = self.snapshot()
        try:
            new = self.step(state, cast(B, self.batch))  # the batch was drawn from Iterable[B]
        except Exception as exc:
            raise step_failure(self.step, exc) from exc
        if new.__class__ is not State:
            raise step_result_error(self.step, new)
        self.state = new
        self.batch = None
        self.stage = st.STEPPED
        self.stale = True

    def _data_ended(self, p: int) -> bool:
        """The data raised StopIteration; True when that ends the epoch."""
        if self.epoch_length is None:
            if self.epoch_iteration == 0:
                empty = ValueError(
                    "the data yielded no batch in this epoch and its length is unknown: an "
                    "epoch needs at least one batch; pass non-empty, re-iterable data (a "
                    "one-shot iterator cut by terminate_epoch() cannot start a new epoch), or "
                    "epoch_length=N"
                )
                raise Failed(empty, None, "drawing a batch from the data", False)
            self.epoch_length = self.epoch_iteration
            return True
        if p == st.DATA_EXHAUSTED:
            if self.max_iters is not None and self.epoch_iteration == 0:
                dry = ValueError(
                    f"the data ran out for good at iteration {self.iteration}, before "
                    f"max_iters={self.max_iters}: a one-shot iterator cannot start a new pass; "
                    "pass a re-iterable (a list, a DataLoader) or a smaller max_iters"
                )
                raise Failed(dry, None, "drawing a batch from the data", False)
            if not self._done():
                warnings.warn(
                    f"the data ran out again right after a new pass began, at iteration "
                    f"{self.iteration} of epoch {self.epoch}: a one-shot iterator cannot be "
                    "iterated twice; pass a re-iterable (a list, a DataLoader) or a longer one",
                    DataWarning,
                    stacklevel=2,
                )
            return True
        return False

    # -- failure --------------------------------------------------------------------------

    def _rollback(self, event: Event) -> None:
        """Undo the counting and positioning of ``event``, whose handlers failed."""
        kind = event.__class__
        self._bump(kind, -1)
        self.stage = self.prev_stage
        self.state = self.pre_state
        if self.requeued is not None:
            self.state = self.state._derive({"_queue": (self.requeued, *self.state._queue)})
        elif kind is ev.GetBatchCompleted:
            self.drawn -= 1
            self.batch = None
        elif kind is ev.IterationStarted:
            self.iteration -= 1
            self.epoch_iteration -= 1
        elif kind is ev.EpochStarted:
            self.epoch -= 1
            self.epoch_iteration = self.saved
        elif kind is ev.DataExhausted or kind is ev.EpochTerminated:
            self.drawn = self.saved
        self.stale = True

    def _fail(self, failure: Failed) -> Generator[tuple[Event, State[T]], None, None]:
        """Fire ``ExceptionRaised`` to everyone attached, then raise :class:`RunError`."""
        if failure.rollback and failure.event is not None:
            self._rollback(failure.event)
        event = ev.ExceptionRaised(failure.cause)
        secondary: list[BaseException] = []
        n = self._bump(ev.ExceptionRaised)
        self.stale = True
        table = self.tables.get(ev.ExceptionRaised)
        if table is not None and table.next_due <= n:
            state = self.snapshot()
            for slot in table.pop_due(n):
                try:
                    if not slot.filter.passes(n, state, event):
                        continue
                    new = slot.call(state, event)
                    if not slot.is_tap:
                        if new.__class__ is not State:
                            raise HandlerReturnError(f"handler {slot.name!r} returned {new!r}")
                        state = new
                except Exception as exc:
                    secondary.append(exc)
            self.state = state
        if self.trace:
            yield event, self.snapshot()
        self.stale = True
        raise RunError(
            self.snapshot(), failure.event, failure.origin, failure.cause, tuple(secondary)
        ) from failure.cause
