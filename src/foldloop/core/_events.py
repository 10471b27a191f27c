"""Events: frozen values whose class is their kind.

The loop fires the built-in kinds below; users define their own kinds by subclassing
:class:`Event` (no registration) and fire them with :meth:`foldloop.State.emit`.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Event:
    """Base class of every event. Its class is its kind; fields are its payload.

    Subclass it for a custom event; filters work on it through the automatic per-kind count.

    Example:
        >>> @attrs.frozen
        ... class Validated(Event):
        ...     score: float
        >>> Validated(0.9)
        Validated(score=0.9)
    """


@attrs.frozen
class Started(Event):
    """A run starts (or a terminated run picks up again). Its count is the number of runs."""


@attrs.frozen
class EpochStarted(Event):
    """An epoch starts; ``state.epoch`` is already the new epoch."""


@attrs.frozen
class GetBatchStarted(Event):
    """The loop is about to draw a batch from the data."""


@attrs.frozen
class GetBatchCompleted(Event):
    """A batch was drawn; the step has not seen it yet."""


@attrs.frozen
class IterationStarted(Event):
    """An iteration starts; ``state.iteration`` is already the new iteration."""


@attrs.frozen
class IterationCompleted(Event):
    """The step ran on the iteration's batch."""


@attrs.frozen
class EpochCompleted(Event):
    """An epoch ended (also after ``terminate_epoch()``, not after ``terminate()`` mid-epoch)."""


@attrs.frozen
class Completed(Event):
    """A run ended, normally or after ``terminate()``."""


@attrs.frozen
class Terminated(Event):
    """A run was cut short by ``terminate()`` or by reaching ``max_iters`` mid-epoch."""


@attrs.frozen
class EpochTerminated(Event):
    """An epoch was cut short by ``terminate_epoch()``; ``EpochCompleted`` follows."""


@attrs.frozen
class DataExhausted(Event):
    """The data ran out before the epoch was over; the loop starts a new pass over it."""


@attrs.frozen
class Interrupted(Event):
    """Ctrl-C stopped ``run()`` at a safe point; seen by taps only, before
    :class:`foldloop.RunInterrupted` is raised with the same state.

    It is not part of the run's history: it has no count (a filter sees 1), so a run resumed
    from the interrupted state ends equal to one that was never interrupted.
    """


def _exception_key(exception: BaseException) -> tuple[type[BaseException], tuple[object, ...]]:
    """Two failures are the same event when they are the same kind of error with the same args."""
    return type(exception), exception.args


@attrs.frozen
class ExceptionRaised(Event):
    """A step, handler or tap raised; the run raises :class:`foldloop.RunError` afterwards.

    Example:
        >>> ExceptionRaised(ValueError("bad batch")).exception
        ValueError('bad batch')
    """

    exception: BaseException = attrs.field(eq=_exception_key)


# The iteration-level events, fired every iteration: one instance each (an event has no state).
PER_ITERATION = (GetBatchStarted(), GetBatchCompleted(), IterationStarted(), IterationCompleted())

# The kinds fired every iteration; states keep their counts apart from the rest (hot path).
ITERATION_KINDS: tuple[type[Event], ...] = (
    GetBatchStarted,
    GetBatchCompleted,
    IterationStarted,
    IterationCompleted,
)

# The kinds every run fires, in the order of a run (``_run``'s docstring); shared by the tools
# that lay a run out (foldloop.plot) or generate kinds (foldloop.testing).
RUN_ORDER: tuple[type[Event], ...] = (
    Started,
    EpochStarted,
    *ITERATION_KINDS,
    EpochCompleted,
    Completed,
)

# Every kind the loop fires itself: their counts are part of a run's position.
BUILT_IN_KINDS: frozenset[type[Event]] = frozenset(
    {*RUN_ORDER, Terminated, EpochTerminated, DataExhausted, ExceptionRaised, Interrupted}
)
