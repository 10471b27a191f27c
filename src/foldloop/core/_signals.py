"""Internal control flow of a run: stop requests and failures, raised and caught inside it."""

from __future__ import annotations

from collections.abc import Callable

from ._callables import name_of
from ._errors import HandlerReturnError
from ._events import Event


class StopRun(Exception):
    """The run ends now (``terminate()`` or ``max_iters``)."""


class StopEpoch(Exception):
    """The epoch ends now (``terminate_epoch()``)."""


class Failed(Exception):
    """User code or the data failed; carries what the error report needs.

    ``rollback`` says whether the failure happened while firing ``event``, whose counting and
    positioning must then be undone to get back to the last good state.
    """

    def __init__(self, cause: Exception, event: Event | None, origin: str, rollback: bool) -> None:
        super().__init__(origin)
        self.cause = cause
        self.event = event
        self.origin = origin
        self.rollback = rollback


def step_failure(step: Callable[..., object], cause: Exception) -> Failed:
    """The step raised ``cause``."""
    return Failed(cause, None, f"the step {name_of(step)!r}", False)


def step_result_error(step: Callable[..., object], result: object) -> Failed:
    """The step returned ``result``, which is not a state."""
    error = HandlerReturnError(
        f"the step {name_of(step)!r} returned {result!r} instead of a State; a step returns "
        "the state it was given, or a new one built from it (state.replace(value=...))"
    )
    return Failed(error, None, f"the step {name_of(step)!r}", False)
