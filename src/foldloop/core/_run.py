"""The run loop: which event fires when, in one place, read top to bottom.

For ``run(state, data, max_epochs=E)`` with epochs of ``L`` batches::

    Started
      EpochStarted
        GetBatchStarted GetBatchCompleted IterationStarted <step> IterationCompleted  (L times)
      EpochCompleted
      ... (E epochs)
    Completed

and, where they happen:

- ``DataExhausted``: the data ran out inside an epoch; a new pass over it begins (without a
  second ``GetBatchStarted``). Running out again at once ends the epoch, with a ``DataWarning``
  while the run is not done. Data of unknown length ends the first epoch instead, and the run
  learns its ``epoch_length``.
- ``EpochTerminated``: ``terminate_epoch()`` was requested at an iteration-level event or by the
  step; ``EpochCompleted`` follows and the next epoch starts a new pass over the data.
- ``Terminated``: ``terminate()`` was requested, or ``max_iters`` was reached inside an epoch;
  ``Completed`` follows, and the cut epoch's ``EpochCompleted`` does not fire.
- ``ExceptionRaised``: the step, a handler, a tap or the data failed. It fires on the last good
  state (the one before the failure), then the run raises ``RunError`` carrying the state its
  handlers returned.

A request takes effect after the event that made it (its handlers, taps and the events they
emitted); the step's after ``IterationCompleted``. Emitted events fire after the event during
which they were emitted, first in first out. ``terminate_epoch()`` at ``Started`` or
``EpochStarted`` is refused.

A state records the last step of this order that it took (its stage), so ``run`` and ``scan``
go on from exactly there. While the loop runs, its position is in local variables; a state is
built only for whoever looks: the step, a due handler or tap, a tracer (``scan``).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Generic, NoReturn, TypeVar, cast

from . import _events as ev
from ._callables import name_of
from ._dispatch import NEVER, Schedule, schedules
from ._errors import DataWarning, HandlerReturnError, RunError, TerminateEpochRefused
from ._events import ITERATION_KINDS, Event
from ._position import (
    BOUNDARY,
    COMPLETED,
    DATA_EXHAUSTED,
    EPOCH_COMPLETED,
    EPOCH_STARTED,
    EPOCH_TERMINATED,
    GET_BATCH_COMPLETED,
    GET_BATCH_STARTED,
    IDLE,
    ITERATION_COMPLETED,
    ITERATION_STARTED,
    STARTED,
    STEPPED,
    TERMINATED,
    Position,
)
from ._registry import Registry
from ._signals import Failed, StopEpoch, StopRun
from ._state import STOP_EPOCH, STOP_RUN, State

T = TypeVar("T")
B = TypeVar("B")

Traced = tuple[Event, State[T]]
Trace = Generator[Traced[T], None, State[T]]

_new_position = tuple.__new__  # Position(...) without the keyword handling: the hot path
_EVERY_TIME = (-1, -1, -1, -1)  # a tracer looks at every event


def at_position(state: State[T], position: Position, batch: object) -> State[T]:
    """``state`` moved to ``position``, holding the drawn ``batch`` (None once stepped)."""
    new: State[T] = object.__new__(State)
    fields = new.__dict__
    fields.update(state.__dict__)
    fields["_at"] = position
    fields["_batch"] = batch
    return new


class Run(Generic[T, B]):
    """One ``run`` or ``scan`` call: the step, what listens, the data, whether to trace."""

    def __init__(
        self,
        step: Callable[[State[T], B], State[T]],
        registry: Registry,
        data: Iterable[B] | None,
        trace: bool,
    ) -> None:
        self.step = step
        self.registry = registry
        self.data = data
        self.trace = trace
        self.iterator: Iterator[B] | None = None
        self.version = -1
        self.schedules: dict[type[Event], Schedule] = {}

    def events(self, state: State[T]) -> Trace[T]:
        """The run from ``state`` to its end; yields ``(event, state)`` when tracing."""
        self._reschedule(state._at)
        try:
            if state._at.stage == TERMINATED:  # a tracer stopped right after Terminated
                state = yield from self._drain(state)
            else:
                state = yield from self._until_end(state)
            at = state._at.counted(ev.Completed, COMPLETED)
            return (yield from self._fire(ev.COMPLETED, state, at, state._batch))
        except Failed as failure:
            yield from self._fail(failure)

    def _until_end(self, state: State[T]) -> Trace[T]:
        """The epochs, and ``Terminated`` when a request or ``max_iters`` cut the run."""
        try:
            state = yield from self._epochs(state)
        except StopRun as stop:
            at = stop.state._at._replace(resume=_resume_point(stop.state._at), terminated=True)
            at = at.counted(ev.Terminated, TERMINATED)
            return (yield from self._fire(ev.TERMINATED, stop.state, at, stop.state._batch))
        return state._derive({"_at": state._at._replace(resume=_resume_point(state._at))})

    def _epochs(self, state: State[T]) -> Trace[T]:
        """``Started`` for a new run, then epochs until the run is done."""
        stage = state._at.stage
        if stage in (IDLE, COMPLETED):
            state = state._derive({"_stop": 0}) if state._stop else state
            at = state._at._replace(terminated=False).counted(ev.Started, STARTED)
            state = yield from self._fire(ev.STARTED, state, at, state._batch)
            stage = STARTED
        elif state._queue:  # a tracer stopped before they fired
            state = yield from self._drain(state)
        if stage == STARTED:
            if state._stop:
                _honour(state, STARTED)
            stage = state._at.resume  # where the last run stopped; BOUNDARY for a fresh state
        elif stage == EPOCH_COMPLETED:
            state, stage = _after_epoch(state), BOUNDARY
        while True:
            if stage == BOUNDARY:
                if _done(state):
                    return state
                at = state._at._replace(epoch=state.epoch + 1, epoch_iteration=0)
                at = at.counted(ev.EpochStarted, EPOCH_STARTED)
                state = yield from self._fire(ev.EPOCH_STARTED, state, at, None)
                stage = EPOCH_STARTED
            if stage != EPOCH_TERMINATED:
                try:
                    state = yield from self._epoch(state, stage)
                except StopEpoch as stop:
                    at = stop.state._at._replace(drawn=0)
                    at, self.iterator = at.counted(ev.EpochTerminated, EPOCH_TERMINATED), None
                    state = yield from self._fire(ev.EPOCH_TERMINATED, stop.state, at, None)
            at = state._at.counted(ev.EpochCompleted, EPOCH_COMPLETED)
            state = yield from self._fire(ev.EPOCH_COMPLETED, state, at, None)
            state, stage = _after_epoch(state), BOUNDARY

    def _epoch(self, state: State[T], stage: int) -> Trace[T]:
        """One epoch from ``stage``: its iterations, and a new pass when the data runs out."""
        if state._stop and stage != STEPPED:  # made where a tracer stopped, not honoured yet
            _honour(state, stage)
        while True:
            state, ran_out = yield from self._iterations(state, stage)
            if not ran_out:
                return state
            if self._epoch_ends_without_data(state):
                if state.epoch_length is None:  # the first pass told the epoch's length
                    state = state._derive({"epoch_length": state.epoch_iteration})
                return state
            at = state._at._replace(drawn=0).counted(ev.DataExhausted, DATA_EXHAUSTED)
            self.iterator = None
            state = yield from self._fire(ev.DATA_EXHAUSTED, state, at, None)
            if state._stop:
                _honour(state, DATA_EXHAUSTED)
            stage = DATA_EXHAUSTED

    def _iterations(
        self, state: State[T], stage: int
    ) -> Generator[Traced[T], None, tuple[State[T], bool]]:
        """Iterations from ``stage`` until the epoch ends (False) or the data runs out (True)."""
        # The position in locals; fetches ... completed count the four iteration kinds.
        (epoch, iteration, epoch_iteration, drawn, _, resume, terminated) = state._at[:7]
        fetches, fetched, started, completed, others = state._at[7:]

        def here(stage_now: int) -> Position:
            return _new_position(
                Position,
                (
                    *(epoch, iteration, epoch_iteration, drawn, stage_now, resume, terminated),
                    *(fetches, fetched, started, completed, others),
                ),
            )

        length, last = state.epoch_length, state.max_iters or NEVER
        has_data, step, batch, it = self.data is not None, self.step, state._batch, self._open(drawn)
        fetches_due, fetched_due, started_due, completed_due = self._dues()
        while True:
            if stage == ITERATION_COMPLETED or stage == EPOCH_STARTED:
                if epoch_iteration == length:
                    return at_position(state, here(stage), None), False
                if iteration >= last:
                    raise StopRun(at_position(state, here(stage), None))
                if has_data and fetches >= fetches_due:
                    before = at_position(state, here(stage), None)
                    fetches += 1
                    state = yield from self._fire(
                        ev.GET_BATCH_STARTED, before, here(GET_BATCH_STARTED), None
                    )
                    others = state._at.other_counts
                    fetches_due, fetched_due, started_due, completed_due = self._dues()
                    if state._stop:
                        _honour(state, GET_BATCH_STARTED)
                elif has_data:
                    fetches += 1
                stage = GET_BATCH_STARTED
            if stage == GET_BATCH_STARTED or stage == DATA_EXHAUSTED:
                if epoch_iteration == length:  # resumed with a length learnt after its last batch
                    return at_position(state, here(stage), None), False
                try:
                    batch = next(it)
                except StopIteration:
                    return at_position(state, here(stage), None), True
                except Exception as exc:
                    drawing = at_position(state, here(stage), None)
                    raise Failed(exc, drawing, "drawing a batch from the data", None) from exc
                if has_data and fetched >= fetched_due:
                    before = at_position(state, here(stage), None)
                    drawn, fetched = drawn + 1, fetched + 1
                    state = yield from self._fire(
                        ev.GET_BATCH_COMPLETED, before, here(GET_BATCH_COMPLETED), batch
                    )
                    others = state._at.other_counts
                    fetches_due, fetched_due, started_due, completed_due = self._dues()
                    if state._stop:
                        _honour(state, GET_BATCH_COMPLETED)
                else:
                    drawn += 1
                    if has_data:
                        fetched += 1
                stage = GET_BATCH_COMPLETED
            if stage == GET_BATCH_COMPLETED:
                if started >= started_due:
                    before = at_position(state, here(stage), batch)
                    iteration, epoch_iteration, started = iteration + 1, epoch_iteration + 1, started + 1
                    state = yield from self._fire(
                        ev.ITERATION_STARTED, before, here(ITERATION_STARTED), batch
                    )
                    others = state._at.other_counts
                    fetches_due, fetched_due, started_due, completed_due = self._dues()
                    if state._stop:
                        _honour(state, ITERATION_STARTED)
                else:
                    iteration, epoch_iteration, started = iteration + 1, epoch_iteration + 1, started + 1
                    state = at_position(state, here(ITERATION_STARTED), batch)
                stage = ITERATION_STARTED
            if stage == ITERATION_STARTED:
                state, batch = self._take_step(state, batch), None
                if state._queue:
                    state = yield from self._drain(at_position(state, here(STEPPED), None))
                    others = state._at.other_counts
                    fetches_due, fetched_due, started_due, completed_due = self._dues()
            if completed >= completed_due:
                before = at_position(state, here(STEPPED), None)
                completed += 1
                state = yield from self._fire(
                    ev.ITERATION_COMPLETED, before, here(ITERATION_COMPLETED), None
                )
                others = state._at.other_counts
                fetches_due, fetched_due, started_due, completed_due = self._dues()
            else:
                completed += 1
            stage = ITERATION_COMPLETED
            if state._stop:
                _honour(at_position(state, here(stage), None), stage)

    def _take_step(self, state: State[T], batch: object) -> State[T]:
        """The step's next state; a failure carries the state it was given."""
        try:
            new = self.step(state, cast(B, batch))  # the batch was drawn from Iterable[B]
        except Exception as exc:
            raise Failed(exc, state, f"the step {name_of(self.step)!r}", None) from exc
        if new.__class__ is not State:
            error = HandlerReturnError(
                f"the step {name_of(self.step)!r} returned {new!r} instead of a State; a step "
                "returns the state it was given, or a new one built from it "
                "(state.replace(value=...))"
            )
            raise Failed(error, state, f"the step {name_of(self.step)!r}", None)
        return new

    # -- the data ---------------------------------------------------------------------------

    def _open(self, drawn: int) -> Iterator[B]:
        """The data's iterator at ``drawn`` batches into the current pass (opened once)."""
        if self.iterator is None:
            if self.data is None:  # data=None: the loop is a Loop[T, None]
                self.iterator = cast(Iterator[B], itertools.repeat(None))
            else:
                self.iterator = iter(self.data)
                if self.iterator is not self.data and drawn:  # a one-shot iterator is as it is
                    next(itertools.islice(self.iterator, drawn, drawn), None)
        return self.iterator

    def _epoch_ends_without_data(self, state: State[T]) -> bool:
        """The data ran out at ``state``: True when that ends the epoch, not a new pass."""
        if state.epoch_length is None:
            if state.epoch_iteration == 0:
                raise Failed(_empty_data(), state, "drawing a batch from the data", None)
            return True
        if state._at.stage != DATA_EXHAUSTED:
            return False
        if state.max_iters is not None and state.epoch_iteration == 0:
            dry = ValueError(
                f"the data ran out for good at iteration {state.iteration}, before "
                f"max_iters={state.max_iters}: a one-shot iterator cannot start a new pass; "
                "pass a re-iterable (a list, a DataLoader) or a smaller max_iters"
            )
            raise Failed(dry, state, "drawing a batch from the data", None)
        if not _done(state):
            warnings.warn(
                f"the data ran out again right after a new pass began, at iteration "
                f"{state.iteration} of epoch {state.epoch}: a one-shot iterator cannot be "
                "iterated twice; pass a re-iterable (a list, a DataLoader) or a longer one",
                DataWarning,
                stacklevel=2,
            )
        return True

    # -- firing -----------------------------------------------------------------------------

    def _fire(self, event: Event, before: State[T], at: Position, batch: object) -> Trace[T]:
        """Fire ``event`` at ``at``, then the events it emitted; ``before`` is the last good
        state should a listener fail."""
        state = self._notify(event, before, at_position(before, at, batch))
        if self.trace:
            yield event, state
        if state._queue:
            state = yield from self._drain(state)
        return state

    def _drain(self, state: State[T]) -> Trace[T]:
        """Fire the queued events, first in first out (new ones join the back)."""
        while state._queue:
            head, rest = state._queue[0], state._queue[1:]
            at = state._at.counted(type(head), state._at.stage)
            seen = state._derive({"_at": at, "_queue": rest})
            state = self._notify(head, state, seen)
            if self.trace:
                yield head, state
        return state

    def _notify(
        self,
        event: Event,
        before: State[T],
        state: State[T],
        errors: list[Exception] | None = None,
    ) -> State[T]:
        """Run the listeners of ``event`` due at its count: handlers, then taps.

        A failure raises :class:`Failed` carrying ``before``, or is collected in ``errors``
        when given (``ExceptionRaised``: every listener runs, even when one fails).
        """
        schedule = self.schedules.get(type(event))
        if schedule is None:
            return state
        count = state._at.count(type(event))
        if schedule.due > count:
            return state
        seen = state
        for listener in schedule.due_at(count):
            try:
                if not listener.filter.passes(count, state, event):
                    continue
                new = listener.call(state, event)
                if not listener.is_tap and new.__class__ is not State:
                    raise HandlerReturnError(
                        f"{listener.describe(event)} returned {new!r} instead of a State; "
                        "return the state it was given, or a new one built from it "
                        "(state.replace(value=...), state.put(...), state.terminate())"
                    )
            except Exception as exc:
                if errors is None:
                    raise Failed(exc, before, listener.describe(event), event) from exc
                errors.append(exc)
                continue
            if not listener.is_tap:
                state = new
        if state._at is not seen._at:  # the position is the loop's, whatever a handler says
            state = at_position(state, seen._at, seen._batch)
        if self.registry.version != self.version:
            self._reschedule(seen._at)
        return state

    def _reschedule(self, at: Position) -> None:
        """Take the attachments as they are now, scheduled from the counts at ``at``."""
        self.version, attachments = self.registry.snapshot()
        self.schedules = schedules(attachments, at.count)

    def _dues(self) -> tuple[int, int, int, int]:
        """For each iteration kind, the count from which its next event has listeners due."""
        if self.trace:
            return _EVERY_TIME
        dues = [self.schedules[k].due - 1 if k in self.schedules else NEVER for k in ITERATION_KINDS]
        return dues[0], dues[1], dues[2], dues[3]

    def _fail(self, failure: Failed) -> Generator[Traced[T], None, NoReturn]:
        """Fire ``ExceptionRaised`` on the last good state to all its listeners; raise."""
        event = ev.ExceptionRaised(failure.cause)
        last_good: State[T] = failure.state
        at = last_good._at.counted(ev.ExceptionRaised, last_good._at.stage)
        errors: list[Exception] = []
        state = self._notify(event, last_good, at_position(last_good, at, last_good._batch), errors)
        if self.trace:
            yield event, state
        raise RunError(
            state, failure.event, failure.origin, failure.cause, tuple(errors)
        ) from failure.cause


def _empty_data() -> ValueError:
    return ValueError(
        "the data yielded no batch in this epoch and its length is unknown: an epoch needs "
        "at least one batch; pass non-empty, re-iterable data (a one-shot iterator cut by "
        "terminate_epoch() cannot start a new epoch), or epoch_length=N"
    )


def _honour(state: State[T], stage: int) -> NoReturn:
    """End the run or the epoch as ``state`` requests, after the event of ``stage``."""
    if state._stop & STOP_RUN:
        raise StopRun(state)
    if stage in (STARTED, EPOCH_STARTED):
        kind = "Started" if stage == STARTED else "EpochStarted"
        refusal = TerminateEpochRefused(
            f"terminate_epoch() was requested during {kind}, where there is no epoch to cut "
            "short; request it from an iteration-level event (IterationStarted, "
            "IterationCompleted, ...) or call terminate() to end the run"
        )
        dropped = state._derive({"_stop": state._stop & ~STOP_EPOCH})
        raise Failed(refusal, dropped, f"terminate_epoch() on {kind}", None)
    raise StopEpoch(state)


def _after_epoch(state: State[T]) -> State[T]:
    """After ``EpochCompleted``: an epoch request is spent; a run request ends the run."""
    if state._stop & STOP_RUN:
        raise StopRun(state)
    return state._derive({"_stop": 0}) if state._stop else state


def _done(state: State[T]) -> bool:
    if state.max_iters is not None and state.iteration >= state.max_iters:
        return True
    return state.max_epochs is not None and state.epoch >= state.max_epochs


def _resume_point(at: Position) -> int:
    """Where a new run picks up if this one ends at ``at``."""
    if at.stage == STARTED:
        return at.resume
    if at.stage == EPOCH_COMPLETED:
        return BOUNDARY
    return at.stage
