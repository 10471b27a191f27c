"""Usages: when metrics attached to a loop reset, update and compute (Ignite's ``MetricUsage``)."""

from __future__ import annotations

from typing import Final, final

import attrs

from foldloop.core import (
    EpochCompleted,
    EpochStarted,
    Event,
    IterationCompleted,
    IterationStarted,
    Started,
    Trigger,
    on,
    once,
)

_When = Trigger[Event] | type[Event]


def _trigger(instance: object, attribute: attrs.Attribute[_When], value: object) -> None:
    if not isinstance(value, Trigger) and not (
        isinstance(value, type) and issubclass(value, Event)
    ):
        raise TypeError(
            f"Usage: {attribute.name} must be a trigger such as on(EpochStarted) or an event "
            f"kind such as EpochStarted, got {value!r}"
        )


@final
@attrs.frozen
class Usage:
    """When attached metrics reset their accumulators, update them, and compute their values.

    Each field is a trigger (an event kind, or ``on(kind, filter)``); they are attached in the
    order reset, update, compute, so within one event they run in that order. The five built-in
    usages are Ignite's; a custom one is just another value, e.g. the epoch's metrics so far,
    every 100 iterations: ``Usage(on(EpochStarted), on(IterationCompleted),
    on(IterationCompleted, every(100)))``.

    Attributes:
        reset: the trigger on which the accumulators start again from ``metric.init()``.
        update: the trigger on which each accumulator sees the step's output.
        compute: the trigger on which the values are computed into ``state.get(METRICS)``.

    Example:
        >>> from foldloop.metrics import EPOCH_WISE
        >>> EPOCH_WISE
        Usage(reset=on(EpochStarted), update=on(IterationCompleted), compute=on(EpochCompleted))
    """

    reset: _When = attrs.field(validator=_trigger)
    update: _When = attrs.field(validator=_trigger)
    compute: _When = attrs.field(validator=_trigger)


EPOCH_WISE: Final = Usage(on(EpochStarted), on(IterationCompleted), on(EpochCompleted))
"""Over each epoch: reset at ``EpochStarted``, computed at ``EpochCompleted`` (the default)."""

RUNNING_EPOCH_WISE: Final = Usage(on(Started, once(1)), on(EpochCompleted), on(EpochCompleted))
"""Over the whole history of the state, updated and computed at each ``EpochCompleted`` with
the epoch's last output (Ignite's ``RunningEpochWise``, made for ``RunningAverage``).

Reset only at the first ``Started`` of the state's history (``once(1)``), so a run that
continues a terminated one, or extends a finished one to more epochs, keeps accumulating.
Ignite resets at every ``Started``; write ``Usage(on(Started), ...)`` for that.
"""

RUNNING_BATCH_WISE: Final = Usage(
    on(Started, once(1)), on(IterationCompleted), on(IterationCompleted)
)
"""Over the whole history of the state, computed after every iteration (reset as above)."""

SINGLE_EPOCH_RUNNING_BATCH_WISE: Final = Usage(
    on(EpochStarted), on(IterationCompleted), on(IterationCompleted)
)
"""Over the current epoch so far, computed after every iteration."""

BATCH_WISE: Final = Usage(on(IterationStarted), on(IterationCompleted), on(IterationCompleted))
"""Over the current batch only, computed after every iteration."""
