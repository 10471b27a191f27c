"""The order of a run: which event fires when, following Ignite 0.5's ``Engine``.

A generator over a :class:`Fold`: it yields ``(event, state)`` after each event when tracing
(``scan``) and returns the final state. It can start at any stage a state records, so a run
continues exactly where a state stopped.
"""

from __future__ import annotations

import warnings
from collections.abc import Generator
from typing import TYPE_CHECKING, TypeVar, cast

from . import _events as ev
from . import _stage as st
from ._errors import DataWarning
from ._events import Event
from ._failure import fail
from ._fast import fast_iterations
from ._signals import Failed, StopEpoch, StopRun, step_failure, step_result_error
from ._state import State

if TYPE_CHECKING:
    from ._fold import Fold

T = TypeVar("T")
B = TypeVar("B")

Trace = Generator[tuple[Event, State[T]], None, State[T]]
Events = Generator[tuple[Event, State[T]], None, None]

# -- the run --------------------------------------------------------------------------


def events(fold: Fold[T, B]) -> Trace[T]:
    """The fold; returns the final state, yields ``(event, state)`` when tracing."""
    try:
        if fold.stage == st.TERMINATED:
            yield from fold.drain()
        else:
            try:
                yield from _whole_run(fold)
            except StopRun:
                fold.position = fold.position_now()
                fold.set(terminated=True)
                if fold.fire(ev.TERMINATED, st.TERMINATED):
                    yield from fold.settle(ev.TERMINATED)
            else:
                fold.position = fold.position_now()
        if fold.fire(ev.COMPLETED, st.COMPLETED):
            yield from fold.settle(ev.COMPLETED)
    except Failed as failure:
        yield from fail(fold, failure)
    fold.stale = True
    return fold.snapshot()


def _whole_run(fold: Fold[T, B]) -> Events[T]:
    if fold.stage in (st.IDLE, st.COMPLETED):
        if fold.state._stop or fold.state._terminated:
            fold.set(stop=0, terminated=False)
        if fold.fire(ev.STARTED, st.STARTED):
            yield from fold.settle(ev.STARTED)
    else:
        yield from fold.drain()
    if fold.stage == st.STARTED:
        if fold.state._stop:
            fold.honour_at_start(ev.STARTED)
        p = fold.position
    elif fold.stage == st.EPOCH_COMPLETED:
        p = fold.after_epoch()
    else:
        p = fold.stage
    while True:
        if p == st.BOUNDARY:
            if fold.done():
                return
            fold.saved = fold.epoch_iteration
            fold.epoch += 1
            fold.epoch_iteration = 0
            if fold.fire(ev.EPOCH_STARTED, st.EPOCH_STARTED):
                yield from fold.settle(ev.EPOCH_STARTED)
            p = st.EPOCH_STARTED
        if p != st.EPOCH_TERMINATED:
            yield from _epoch(fold, p)
        if fold.fire(ev.EPOCH_COMPLETED, st.EPOCH_COMPLETED):
            yield from fold.settle(ev.EPOCH_COMPLETED)
        p = fold.after_epoch()


def _epoch(fold: Fold[T, B], p: int) -> Events[T]:
    """The iterations of one epoch from position ``p``; ends at the epoch's end or cut."""
    has_data = fold.data is not None
    try:
        if fold.state._stop and p != st.STEPPED:
            if p == st.EPOCH_STARTED:
                fold.honour_at_start(ev.EPOCH_STARTED)
            fold.honour()
        while True:
            if (p == st.ITERATION_COMPLETED or p == st.EPOCH_STARTED) and not fold.trace:
                p = fast_iterations(fold)
                if p == st.ITERATION_COMPLETED and fold.state._stop:
                    fold.honour()
            if p == st.ITERATION_COMPLETED:
                if fold.epoch_iteration == fold.epoch_length:
                    return
                if fold.max_iters is not None and fold.iteration >= fold.max_iters:
                    raise StopRun
            if p == st.ITERATION_COMPLETED or p == st.EPOCH_STARTED:
                if has_data:
                    if fold.fire(ev.GET_BATCH_STARTED, st.GET_BATCH_STARTED):
                        yield from fold.settle(ev.GET_BATCH_STARTED)
                    if fold.state._stop:
                        fold.honour()
                p = st.GET_BATCH_STARTED
            if p == st.GET_BATCH_STARTED or p == st.DATA_EXHAUSTED:
                if fold.epoch_iteration == fold.epoch_length:
                    return  # resumed with a length learnt after this epoch's last iteration
                if fold.iterator is None:
                    fold.iterator = fold.open_data()
                try:
                    batch = next(fold.iterator)
                except StopIteration:
                    if _data_ended(fold, p):
                        return
                    fold.new_pass()
                    if fold.fire(ev.DATA_EXHAUSTED, st.DATA_EXHAUSTED):
                        yield from fold.settle(ev.DATA_EXHAUSTED)
                    if fold.state._stop:
                        fold.honour()
                    p = st.DATA_EXHAUSTED
                    continue
                except Exception as exc:
                    raise Failed(exc, None, "drawing a batch from the data", False) from exc
                fold.drawn += 1
                fold.batch = batch
                if has_data:
                    if fold.fire(ev.GET_BATCH_COMPLETED, st.GET_BATCH_COMPLETED):
                        yield from fold.settle(ev.GET_BATCH_COMPLETED)
                    if fold.state._stop:
                        fold.honour()
                else:
                    fold.stage = st.GET_BATCH_COMPLETED
                p = st.GET_BATCH_COMPLETED
            if p == st.GET_BATCH_COMPLETED:
                fold.iteration += 1
                fold.epoch_iteration += 1
                if fold.fire(ev.ITERATION_STARTED, st.ITERATION_STARTED):
                    yield from fold.settle(ev.ITERATION_STARTED)
                if fold.state._stop:
                    fold.honour()
                p = st.ITERATION_STARTED
            if p == st.ITERATION_STARTED:
                _take_step(fold)
            if fold.state._queue:
                yield from fold.drain()
            if fold.fire(ev.ITERATION_COMPLETED, st.ITERATION_COMPLETED):
                yield from fold.settle(ev.ITERATION_COMPLETED)
            if fold.state._stop:
                fold.honour()
            p = st.ITERATION_COMPLETED
    except StopEpoch:
        fold.new_pass()
        if fold.fire(ev.EPOCH_TERMINATED, st.EPOCH_TERMINATED):
            yield from fold.settle(ev.EPOCH_TERMINATED)


def _take_step(fold: Fold[T, B]) -> None:
    state = fold.snapshot()
    try:
        new = fold.step(state, cast(B, fold.batch))  # the batch was drawn from Iterable[B]
    except Exception as exc:
        raise step_failure(fold.step, exc) from exc
    if new.__class__ is not State:
        raise step_result_error(fold.step, new)
    fold.state = new
    fold.batch = None
    fold.stage = st.STEPPED
    fold.stale = True


def _data_ended(fold: Fold[T, B], p: int) -> bool:
    """The data raised StopIteration; True when that ends the epoch."""
    if fold.epoch_length is None:
        if fold.epoch_iteration == 0:
            empty = ValueError(
                "the data yielded no batch in this epoch and its length is unknown: an "
                "epoch needs at least one batch; pass non-empty, re-iterable data (a "
                "one-shot iterator cut by terminate_epoch() cannot start a new epoch), or "
                "epoch_length=N"
            )
            raise Failed(empty, None, "drawing a batch from the data", False)
        fold.epoch_length = fold.epoch_iteration
        return True
    if p == st.DATA_EXHAUSTED:
        if fold.max_iters is not None and fold.epoch_iteration == 0:
            dry = ValueError(
                f"the data ran out for good at iteration {fold.iteration}, before "
                f"max_iters={fold.max_iters}: a one-shot iterator cannot start a new pass; "
                "pass a re-iterable (a list, a DataLoader) or a smaller max_iters"
            )
            raise Failed(dry, None, "drawing a batch from the data", False)
        if not fold.done():
            warnings.warn(
                f"the data ran out again right after a new pass began, at iteration "
                f"{fold.iteration} of epoch {fold.epoch}: a one-shot iterator cannot be "
                "iterated twice; pass a re-iterable (a list, a DataLoader) or a longer one",
                DataWarning,
                stacklevel=2,
            )
        return True
    return False
