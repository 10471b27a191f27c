"""The loop's fast lane: iterations during which no attachment of an iteration-level kind is due.

While nothing attached to ``GetBatchStarted``, ``GetBatchCompleted``, ``IterationStarted`` or
``IterationCompleted`` is due, an iteration is: count, draw, step. This lane does exactly the
bookkeeping of the general path (the same counts, the same state given to the step) with the
position in local variables, and hands back to the general path at the first iteration where
anything else may happen (an attachment due, the epoch's or run's end, the data running out,
a request or emitted event from the step). The property tests run both lanes against the
reference model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, cast

from . import _events as ev
from . import _stage as st
from ._callables import name_of
from ._errors import HandlerReturnError
from ._state import State
from ._table import NEVER

if TYPE_CHECKING:
    from ._fold import Fold

T = TypeVar("T")
B = TypeVar("B")

_GBS, _GBC = ev.GetBatchStarted, ev.GetBatchCompleted
_IS, _IC = ev.IterationStarted, ev.IterationCompleted


def quiet_iterations(fold: Fold[T, B]) -> int:
    """Run iterations from an iteration boundary while nothing is due; the position after.

    Returns the stage reached: ``ITERATION_COMPLETED`` (at a boundary; the step may have
    requested a stop), ``GET_BATCH_STARTED`` (the data ran out; the general path draws
    again and sees it) or ``STEPPED`` (the step emitted events).
    """
    from ._fold import Failed  # imported here: the fold module imports this one

    counts = fold.counts
    tables = fold.tables
    due = [tables[k].next_due if k in tables else NEVER for k in (_GBS, _GBC, _IS, _IC)]
    n_gbs, n_gbc, n_is, n_ic = (counts.get(k, 0) for k in (_GBS, _GBC, _IS, _IC))
    has_data = fold.data is not None
    # The last count at which each kind is still quiet.
    q_gbs = due[0] - 1 if has_data else NEVER
    q_gbc = due[1] - 1 if has_data else NEVER
    q_is, q_ic = due[2] - 1, due[3] - 1
    if fold.iterator is None:
        fold.iterator = fold.open_data()
    it = fold.iterator
    step = fold.step
    length = fold.epoch_length
    max_iters = fold.max_iters if fold.max_iters is not None else NEVER
    epoch = fold.epoch
    iteration, epoch_iteration, drawn = fold.iteration, fold.epoch_iteration, fold.drawn
    state: State[T] = fold.state
    stage = fold.stage
    batch: object = None
    try:
        while (
            epoch_iteration != length
            and iteration < max_iters
            and n_gbs < q_gbs
            and n_gbc < q_gbc
            and n_is < q_is
            and n_ic < q_ic
        ):
            n_gbs += has_data
            stage = st.GET_BATCH_STARTED
            try:
                batch = next(it)
            except StopIteration:
                break
            except Exception as exc:
                raise Failed(exc, None, "drawing a batch from the data", False) from exc
            drawn += 1
            n_gbc += has_data
            iteration += 1
            epoch_iteration += 1
            n_is += 1
            given = object.__new__(State)
            fields = given.__dict__
            fields.update(state.__dict__)
            fields["epoch"] = epoch
            fields["iteration"] = iteration
            fields["_epoch_iteration"] = epoch_iteration
            fields["_drawn"] = drawn
            fields["_stage"] = st.ITERATION_STARTED
            fields["_batch"] = batch
            fields["_counts"] = {**counts, _GBS: n_gbs, _GBC: n_gbc, _IS: n_is, _IC: n_ic}
            state = given
            stage = st.ITERATION_STARTED
            try:
                new: Any = step(state, cast(B, batch))
            except Exception as exc:
                raise Failed(exc, None, f"the step {name_of(step)!r}", False) from exc
            if new.__class__ is not State:
                error = HandlerReturnError(
                    f"the step {name_of(step)!r} returned {new!r} instead of a State; a step "
                    "returns the state it was given, or a new one (state.replace(value=...))"
                )
                raise Failed(error, None, f"the step {name_of(step)!r}", False)
            state = new
            batch = None
            stage = st.STEPPED
            if new._queue:
                break
            n_ic += 1
            stage = st.ITERATION_COMPLETED
            if new._stop:
                break
    finally:
        if has_data:
            counts[_GBS] = n_gbs
            counts[_GBC] = n_gbc
        counts[_IS] = n_is
        counts[_IC] = n_ic
        fold.iteration, fold.epoch_iteration, fold.drawn = iteration, epoch_iteration, drawn
        fold.state = state
        fold.stage = stage
        fold.batch = batch
        fold.stale = True
    return stage
