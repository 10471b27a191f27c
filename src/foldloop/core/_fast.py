"""The loop's fast lane: whole iterations with the position in local variables.

Used by ``run`` (not ``scan``) from an iteration boundary. It does exactly what the general
path in :mod:`._fold` does (the same counts, the same states, the same handlers and checks)
but keeps the counters in locals, and writes them into the fold only before user code that
can see them runs: a due handler or tap (:meth:`Fold.fire_counted`). It hands back to the
general path where that path has more to do: the epoch's or the run's end, the data running
out, events emitted by the step, a request from the step. The property tests check both
paths against the reference model and against each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, cast

from . import _events as ev
from . import _stage as st
from ._signals import Failed, step_failure, step_result_error
from ._state import State
from ._table import NEVER, Table

if TYPE_CHECKING:
    from ._fold import Fold

T = TypeVar("T")
B = TypeVar("B")

_KINDS = (ev.GetBatchStarted, ev.GetBatchCompleted, ev.IterationStarted, ev.IterationCompleted)


def _due(table: Table | None) -> int:
    return NEVER if table is None else table.next_due


def _schedule(fold: Fold[Any, Any], has_data: bool) -> tuple[list[Table | None], list[int]]:
    """The fold's tables of the iteration kinds, and the count at which each is next due."""
    tables: list[Table | None] = [fold.tables.get(kind) for kind in _KINDS]
    if not has_data:  # no data: no batch events fire
        tables[0] = tables[1] = None
    return tables, [_due(t) for t in tables]


def fast_iterations(fold: Fold[T, B]) -> int:
    """Run iterations from an iteration boundary; returns the stage where it handed back."""
    has_data = fold.data is not None
    tables = fold.tables
    (t_gbs, t_gbc, t_is, t_ic), (d_gbs, d_gbc, d_is, d_ic) = _schedule(fold, has_data)
    _, n_gbs, n_gbc, n_is, n_ic = fold.hot
    if fold.iterator is None:
        fold.iterator = fold.open_data()
    it, step = fold.iterator, fold.step
    length = fold.epoch_length
    max_iters = NEVER if fold.max_iters is None else fold.max_iters
    iteration, epoch_iteration, drawn = fold.iteration, fold.epoch_iteration, fold.drawn
    epoch, position, base = fold.epoch, fold.position, fold.base
    state: State[T] = fold.state
    stage = fold.stage
    batch: object = None
    while epoch_iteration != length and iteration < max_iters:
        if has_data:
            n_gbs += 1
            if n_gbs >= d_gbs:
                fold.take_position(
                    iteration,
                    epoch_iteration,
                    drawn,
                    (n_gbs, n_gbc, n_is, n_ic),
                    state,
                    st.GET_BATCH_STARTED,
                    stage,
                    batch,
                )
                fold.fire_counted(cast(Table, t_gbs), ev.GET_BATCH_STARTED, n_gbs)
                state, base, (_, n_gbs, n_gbc, n_is, n_ic) = fold.state, fold.base, fold.hot
                if fold.tables is not tables:  # attachments changed: schedule anew
                    tables = fold.tables
                    (t_gbs, t_gbc, t_is, t_ic), (d_gbs, d_gbc, d_is, d_ic) = _schedule(
                        fold, has_data
                    )
                d_gbs = _due(t_gbs)
            stage = st.GET_BATCH_STARTED
        try:
            batch = next(it)
        except StopIteration:
            break
        except Exception as exc:
            fold.take_position(
                iteration,
                epoch_iteration,
                drawn,
                (n_gbs, n_gbc, n_is, n_ic),
                state,
                stage,
                fold.prev_stage,
                None,
            )
            raise Failed(exc, None, "drawing a batch from the data", False) from exc
        drawn += 1
        if has_data:
            n_gbc += 1
            if n_gbc >= d_gbc:
                fold.take_position(
                    iteration,
                    epoch_iteration,
                    drawn,
                    (n_gbs, n_gbc, n_is, n_ic),
                    state,
                    st.GET_BATCH_COMPLETED,
                    stage,
                    batch,
                )
                fold.fire_counted(cast(Table, t_gbc), ev.GET_BATCH_COMPLETED, n_gbc)
                state, base, (_, n_gbs, n_gbc, n_is, n_ic) = fold.state, fold.base, fold.hot
                if fold.tables is not tables:  # attachments changed: schedule anew
                    tables = fold.tables
                    (t_gbs, t_gbc, t_is, t_ic), (d_gbs, d_gbc, d_is, d_ic) = _schedule(
                        fold, has_data
                    )
                d_gbc = _due(t_gbc)
        stage = st.GET_BATCH_COMPLETED
        iteration += 1
        epoch_iteration += 1
        n_is += 1
        given: State[T] | None = None
        if n_is >= d_is:
            fold.take_position(
                iteration,
                epoch_iteration,
                drawn,
                (n_gbs, n_gbc, n_is, n_ic),
                state,
                st.ITERATION_STARTED,
                stage,
                batch,
            )
            fold.fire_counted(cast(Table, t_is), ev.ITERATION_STARTED, n_is)
            state, base, (_, n_gbs, n_gbc, n_is, n_ic) = fold.state, fold.base, fold.hot
            if fold.tables is not tables:  # attachments changed: schedule anew
                tables = fold.tables
                (t_gbs, t_gbc, t_is, t_ic), (d_gbs, d_gbc, d_is, d_ic) = _schedule(fold, has_data)
            d_is = _due(t_is)
            if not fold.stale:  # the handlers' state already holds this position
                given = state
        stage = st.ITERATION_STARTED
        if given is None:
            given = object.__new__(State)
            fields = given.__dict__
            fields.update(state.__dict__)
            fields["epoch"] = epoch
            fields["iteration"] = iteration
            fields["_epoch_iteration"] = epoch_iteration
            fields["_drawn"] = drawn
            fields["_stage"] = stage
            fields["_position"] = position
            fields["_batch"] = batch
            fields["_counts"] = (base, n_gbs, n_gbc, n_is, n_ic)
        state = given
        try:
            new: Any = step(state, batch)
        except Exception as exc:
            fold.take_position(
                iteration,
                epoch_iteration,
                drawn,
                (n_gbs, n_gbc, n_is, n_ic),
                state,
                stage,
                fold.prev_stage,
                batch,
            )
            raise step_failure(step, exc) from exc
        if new.__class__ is not State:
            fold.take_position(
                iteration,
                epoch_iteration,
                drawn,
                (n_gbs, n_gbc, n_is, n_ic),
                state,
                stage,
                fold.prev_stage,
                batch,
            )
            raise step_result_error(step, new)
        state = new
        batch = None
        stage = st.STEPPED
        if new._queue:
            break
        n_ic += 1
        if n_ic >= d_ic:
            fold.take_position(
                iteration,
                epoch_iteration,
                drawn,
                (n_gbs, n_gbc, n_is, n_ic),
                state,
                st.ITERATION_COMPLETED,
                stage,
                batch,
            )
            fold.fire_counted(cast(Table, t_ic), ev.ITERATION_COMPLETED, n_ic)
            state, base, (_, n_gbs, n_gbc, n_is, n_ic) = fold.state, fold.base, fold.hot
            if fold.tables is not tables:  # attachments changed: schedule anew
                tables = fold.tables
                (t_gbs, t_gbc, t_is, t_ic), (d_gbs, d_gbc, d_is, d_ic) = _schedule(fold, has_data)
            d_ic = _due(t_ic)
        stage = st.ITERATION_COMPLETED
        if state._stop:
            break
    fold.take_position(
        iteration,
        epoch_iteration,
        drawn,
        (n_gbs, n_gbc, n_is, n_ic),
        state,
        stage,
        fold.prev_stage,
        batch,
    )
    return stage
