"""Triggers need event kinds, filters combine only with filters, where() with its own kind."""

from foldloop import (
    EpochCompleted,
    Event,
    Filter,
    IterationCompleted,
    State,
    Trigger,
    every,
    on,
    once,
    where,
)

every(2) | 3  # E: operator
every(2) & "x"  # E: operator
3 | every(2)  # E: operator
on(IterationCompleted) | every(2)  # E: operator
on(IterationCompleted) | 3  # E: operator
on(int)  # E: type-var
on(IterationCompleted(), every(2))  # E: arg-type
on(IterationCompleted, 3)  # E: arg-type
on(IterationCompleted, True)  # E: arg-type
every("2")  # E: arg-type
once(1.5)  # E: arg-type


def after_good_epoch(state: State[object], event: EpochCompleted) -> bool:
    return state.epoch > 1


# A where() filter of one kind on a trigger of another.
on(IterationCompleted, where(after_good_epoch))  # E: misc
epoch_filter = where(after_good_epoch)
of_epochs: Filter[IterationCompleted] = epoch_filter  # E: assignment
# Variance the other way round is refused.
of_events: Filter[Event] = epoch_filter  # E: assignment
of_iterations: Trigger[IterationCompleted] = on(Event)  # E: arg-type


# KNOWN GAP (not asserted): a trigger "or" a non-event class is accepted by mypy, which falls
# back to typeshed's ``type.__ror__(self, value: Any) -> types.UnionType``; it raises TypeError
# at run time. It should be an ``operator`` error like ``on(IterationCompleted) | 3``.
#
#     on(IterationCompleted) | int  # mypy: types.UnionType | <int's constructor>; no error
