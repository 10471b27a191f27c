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
- ``Interrupted``: Ctrl-C was pressed during ``run()``; at the end of the iteration (or epoch)
  it came in, taps see the state, then the run raises ``RunInterrupted`` carrying it. It is not
  counted: the run resumed from that state ends as if never interrupted (``_interrupt``).

A request takes effect after the event that made it (its handlers, taps and the events they
emitted); the step's after ``IterationCompleted``. Emitted events fire after the event during
which they were emitted, first in first out. ``terminate_epoch()`` at ``Started`` or
``EpochStarted`` is refused.

A state records the last step of this order that it took (its stage), so ``run`` and ``scan``
go on from exactly there. The data is opened at a run's start and where a new pass over it
begins (``DataExhausted``, ``EpochTerminated``), at the pass and batch the position records
(``opener``). While the loop runs, its position is in local variables; an iteration event
with no listener due at its count only bumps the count (``Firing.dues``), and a state is built
only for whoever looks: the step, a due handler or tap (``Firing.notify``, a plain call; the
``Firing.after`` generator only for a tracer, emitted events or a request), a tracer (``scan``).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Generic, TypeVar, cast

from . import _events as ev
from ._callables import name_of
from ._data import DRAW, ends_epoch, opener
from ._dispatch import NEVER
from ._firing import Firing, Trace, Traced, after_epoch, at_position, halt, honour, returned_state
from ._limits import done
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
    Fields,
    next_pass,
    resume_point,
)
from ._registry import Registry
from ._signals import Failed, Interrupt, StopEpoch, StopRun, step_failed
from ._state import AT, LIMITS, QUEUE, STOP, State

T = TypeVar("T")
B = TypeVar("B")

# Records built without their constructors' checks: the hot path.
_new = tuple.__new__

# The iterations of an epoch: the state where they stopped, and whether the data ran out.
Iterations = Generator[Traced[T], None, tuple[State[T], bool]]
GBS, GBC, IS, IC = ev.PER_ITERATION  # the iteration-level events


def at_epoch_end(state: State[T]) -> bool:
    """Whether ``state`` is at its epoch's end (or past it, when the length was learnt late)."""
    return state.epoch_iteration >= (state.epoch_length or NEVER)


class Run(Generic[T, B]):
    """One ``run`` or ``scan`` call: the step, what listens, the data, whether to trace, and
    where a Ctrl-C is noted (``pressed``: empty until then; see ``_interrupt``)."""

    def __init__(
        self,
        step: Callable[[State[T], B], State[T]],
        registry: Registry,
        data: Iterable[B] | None,
        trace: bool,
        pressed: list[int] | None = None,
    ) -> None:
        self.step = step
        self.pressed = [] if pressed is None else pressed
        self.open = opener(data)
        self.iterator: Iterator[B] | None = None
        self.firing: Firing[T] = Firing(registry, trace, has_data=data is not None)

    def events(self, state: State[T]) -> Trace[T]:
        """The run from ``state`` to its end; yields ``(event, state)`` when tracing."""
        self.firing.reschedule(state._at)
        try:
            if state._at.stage == COMPLETED and state._queue:  # Completed's emitted, unfired
                return (yield from self.firing.drain(state))
            if state._at.stage == TERMINATED:  # a tracer stopped right after Terminated
                state = yield from self.firing.drain(state)
            else:
                state = yield from self._until_end(state)
            at = state._at.counted(ev.Completed, COMPLETED)
            return (yield from self.firing.fire(ev.Completed(), state, at, state._batch))
        except Failed as failure:
            return (yield from self.firing.fail(failure))
        except Interrupt as interrupt:
            return (yield from self.firing.interrupted(interrupt.state))

    def _until_end(self, state: State[T]) -> Trace[T]:
        """The epochs, and ``Terminated`` when a request or ``max_iters`` cut the run."""
        try:
            state = yield from self._epochs(state)
        except StopRun as stop:
            at = stop.state._at._replace(resume=resume_point(stop.state._at), terminated=True)
            at = at.counted(ev.Terminated, TERMINATED)
            return (yield from self.firing.fire(ev.Terminated(), stop.state, at, stop.state._batch))
        return state._with(AT, state._at._replace(resume=resume_point(state._at)))

    def _epochs(self, state: State[T]) -> Trace[T]:
        """``Started`` for a new run, then epochs until the run is done."""
        stage = state._at.stage
        if stage in (IDLE, COMPLETED):
            state = state._with(STOP, 0) if state._stop else state
            at = state._at._replace(terminated=False).counted(ev.Started, STARTED)
            state = yield from self.firing.fire(ev.Started(), state, at, state._batch)
            stage = STARTED
        elif state._queue:  # a tracer stopped before they fired
            state = yield from self.firing.drain(state)
        if stage == STARTED:
            if state._stop:
                honour(state, STARTED)
            stage = state._at.resume  # where the last run stopped; BOUNDARY for a fresh state
        elif stage == EPOCH_COMPLETED:
            state, stage = after_epoch(state), BOUNDARY
        while True:
            if stage == BOUNDARY:
                if done(state):
                    return state
                if self.pressed:
                    raise Interrupt(state)
                at = state._at._replace(epoch=state.epoch + 1, epoch_iteration=0)
                at = at.counted(ev.EpochStarted, EPOCH_STARTED)
                state = yield from self.firing.fire(ev.EpochStarted(), state, at, None)
                stage = EPOCH_STARTED
            if stage != EPOCH_TERMINATED:
                try:
                    epoch = self._epoch(state, stage)
                    del state  # held by the epoch alone, which lets it go once stepped from
                    state = yield from epoch
                except StopEpoch as stop:
                    at = next_pass(stop.state._at, ev.EpochTerminated, EPOCH_TERMINATED)
                    self.iterator = None
                    state = yield from self.firing.fire(ev.EpochTerminated(), stop.state, at, None)
            at = state._at.counted(ev.EpochCompleted, EPOCH_COMPLETED)
            state = yield from self.firing.fire(ev.EpochCompleted(), state, at, None)
            state, stage = after_epoch(state), BOUNDARY

    def _epoch(self, state: State[T], stage: int) -> Trace[T]:
        """One epoch from ``stage``: its iterations, and a new pass when the data runs out."""
        if state._stop and stage != STEPPED:  # made where a tracer stopped, not honoured yet
            honour(state, stage)
        while True:
            if stage in (GET_BATCH_STARTED, DATA_EXHAUSTED) and at_epoch_end(state):
                return at_position(state, state._at._replace(stage=stage), None)
            iterations = self._iterations(state, stage)
            del state  # held by the iterations alone, which let it go once stepped from
            state, ran_out = yield from iterations
            if not ran_out:
                if not at_epoch_end(state):  # the run reached max_iters inside the epoch
                    raise StopRun(state)
                return state
            if ends_epoch(state):
                if state.epoch_length is None:  # the first pass told the epoch's length
                    learnt = state._limits._replace(epoch_length=state.epoch_iteration)
                    state = state._with(LIMITS, learnt)
                return state
            at = next_pass(state._at, ev.DataExhausted, DATA_EXHAUSTED)
            self.iterator = None
            state = yield from self.firing.fire(ev.DataExhausted(), state, at, None)
            stage = DATA_EXHAUSTED

    def _iterations(self, state: State[T], stage: int) -> Iterations[T]:
        """From ``stage``, iterations until the epoch or run ends (False) or the data runs out."""
        (epoch, iteration, in_epoch, drawn, _, resume, terminated,
         fetches, fetched, started, completed, others) = state._at  # fmt: skip

        def here(now: int) -> Fields:  # the fields of Position, in order, at stage ``now``
            return (epoch, iteration, in_epoch, drawn, now, resume, terminated, fetches, fetched,
                started, completed, others)  # fmt: skip

        length, last, limits = state.epoch_length or NEVER, state.max_iters or NEVER, state[LIMITS]
        step, it, pressed, firing = self.step, self._open(state), self.pressed, self.firing
        batch, dues, per_batch, at = state._batch, firing.dues, firing.per_batch, state[AT]
        while True:
            if stage == ITERATION_COMPLETED or stage == EPOCH_STARTED:  # noqa: SIM109 (no tuple)
                if in_epoch >= length or iteration >= last:  # >=: none runs past its bound
                    return at_position(state, here(stage), None), False
                if fetches < dues[0]:
                    fetches += per_batch  # no data: no batch events, none counted
                else:
                    prior, fetches = here(stage), fetches + 1
                    state = firing.notify(GBS, fetches, state, here(GET_BATCH_STARTED), None, prior)
                    if firing.trace or state[QUEUE] or state[STOP]:
                        state, others = yield from firing.after(GBS, state)
                stage = GET_BATCH_STARTED
            if stage == GET_BATCH_STARTED or stage == DATA_EXHAUSTED:  # noqa: SIM109 (as above)
                try:
                    batch = next(it)
                except StopIteration:
                    return at_position(state, here(stage), None), True
                except Exception as exc:
                    raise Failed(exc, at_position(state, here(stage), None), DRAW, None) from exc
                if fetched < dues[1]:
                    drawn, fetched = drawn + 1, fetched + per_batch
                else:
                    prior, drawn, fetched = here(stage), drawn + 1, fetched + 1
                    at = here(GET_BATCH_COMPLETED)
                    state = firing.notify(GBC, fetched, state, at, batch, prior)
                    if firing.trace or state[QUEUE] or state[STOP]:
                        state, others = yield from firing.after(GBC, state)
            if stage != ITERATION_STARTED and stage != STEPPED:  # the step's state, built inline
                before = here(GET_BATCH_COMPLETED) if started >= dues[2] else None
                iteration, in_epoch, started = iteration + 1, in_epoch + 1, started + 1
                at = (epoch, iteration, in_epoch, drawn, ITERATION_STARTED, resume, terminated,
                    fetches, fetched, started, completed, others)  # fmt: skip
                # No event queued or request made is left here; the limits are the run's own.
                state = _new(State, (state[0], at, limits, state[3], (), 0, batch))
                if before is not None:
                    state = firing.notify(IS, started, state, at, batch, before)
                    if firing.trace or state[QUEUE] or state[STOP]:
                        state, others = yield from firing.after(IS, state)
            if stage != STEPPED:  # the step, unless the run stopped right after it
                try:  # the batch was drawn from Iterable[B] (cast() would be a call per batch)
                    new = step(state, batch)  # type: ignore[arg-type]  # a B, see above
                    if new.__class__ is not State or new[AT] is not at:  # else built from state
                        new = returned_state(new, state, f"the step {name_of(step)!r}")
                except Exception as exc:
                    raise step_failed(step, exc, state) from exc
                state, batch = new, None
            if state[QUEUE]:  # the step emitted events: they fire now, at the position it left
                state = yield from firing.drain(at_position(state, here(STEPPED), None))
                others = state._fields[-1]
            if completed < dues[3]:
                completed += 1
            else:
                prior, completed = here(STEPPED), completed + 1
                state = firing.notify(IC, completed, state, here(ITERATION_COMPLETED), None, prior)
                if firing.trace or state[QUEUE] or state[STOP]:
                    state, others = yield from firing.after(IC, state)
            stage = ITERATION_COMPLETED
            if state[STOP] or pressed:  # a request honoured, or Ctrl-C
                halt(at_position(state, here(stage), None))

    def to_end(self, state: State[T]) -> State[T]:
        """The final state of the run from ``state``, untraced."""
        try:
            next(self.events(state))  # nothing is traced: the run goes to its end
        except StopIteration as end:
            return cast(State[T], end.value)
        raise AssertionError("an untraced run yielded an event")  # pragma: no cover

    def _open(self, state: State[T]) -> Iterator[B]:
        """The data's iterator; when not open yet (at the run's start, and after
        ``DataExhausted`` or ``EpochTerminated`` began a new pass), opened where ``state``'s
        position says: after ``drawn`` batches of pass ``pass_index``. A failure to open it
        carries ``state``, the last good one."""
        if self.iterator is None:
            at = state._at
            try:
                self.iterator = self.open(at.pass_index, at.drawn)
            except Exception as exc:
                raise Failed(exc, state, "opening the data", None) from exc
        return self.iterator
