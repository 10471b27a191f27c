"""Internal control flow of a run: stop requests and failures, raised and caught inside it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._callables import name_of

if TYPE_CHECKING:
    from ._events import Event
    from ._state import State


class _Stopping(Exception):
    """The run stops at ``state`` (its value type is the user's)."""

    def __init__(self, state: State[Any]) -> None:
        super().__init__()
        self.state = state


class StopRun(_Stopping):
    """The run ends at ``state`` (``terminate()`` or ``max_iters``)."""


class StopEpoch(_Stopping):
    """The epoch ends at ``state`` (``terminate_epoch()``)."""


class Interrupt(_Stopping):
    """Ctrl-C was noted; the run stops at ``state``, a safe point (see ``_interrupt``)."""


class Failed(Exception):
    """User code or the data failed.

    Attributes:
        cause: the exception.
        state: the last good state: the one before the failing event, step or draw.
        origin: what failed, in words (``"handler 'h' on IterationCompleted"``).
        event: the event being fired; None for the step or the data.
    """

    def __init__(
        self, cause: Exception, state: State[Any], origin: str, event: Event | None
    ) -> None:
        super().__init__(origin)
        self.cause = cause
        self.state = state  # the run's state; its value type is the user's
        self.origin = origin
        self.event = event


def step_failed(step: object, cause: Exception, given: State[Any]) -> Failed:
    """The step raised ``cause`` (or returned no state) when it was given ``given``."""
    return Failed(cause, given, f"the step {name_of(step)!r}", None)
