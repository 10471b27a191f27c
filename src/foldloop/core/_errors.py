"""The errors foldloop raises."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._events import Event
    from ._state import State


class FoldloopError(Exception):
    """Base class of foldloop's own errors."""


class RunError(FoldloopError):
    """A step, handler or tap failed; nothing is lost.

    ``state`` is the last good state (the one before the failing step or event, after the
    ``ExceptionRaised`` handlers ran): pass it back to ``run`` to retry from exactly there.
    The original exception is ``__cause__``.

    Attributes:
        state: the last good state.
        event: the event being fired when it failed; None for the step or the data.
        origin: what failed, in words (``"handler 'h' on IterationCompleted"``, ``"the step"``).
        secondary: exceptions raised by ``ExceptionRaised`` handlers or taps while handling it.
    """

    # The carried state's value type is the user's T; an exception class cannot be generic.
    state: State[Any]

    def __init__(
        self,
        state: State[Any],
        event: Event | None,
        origin: str,
        cause: BaseException,
        secondary: tuple[BaseException, ...] = (),
    ) -> None:
        self.state = state
        self.event = event
        self.origin = origin
        self.secondary = secondary
        where = f"epoch {state.epoch}, iteration {state.iteration}"
        extra = (
            f" ({len(secondary)} more error(s) in ExceptionRaised handlers)" if secondary else ""
        )
        super().__init__(
            f"{origin} failed at {where}: {type(cause).__name__}: {cause}{extra}. "
            "The last good state is in .state; pass it back to run() to retry from there."
        )


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped ``run()``; nothing is lost.

    It is a ``KeyboardInterrupt``, so a program that does not catch it stops as on any Ctrl-C
    (with its traceback and exit status 1: CPython ends with the status of a death by SIGINT
    only for a ``KeyboardInterrupt`` of exactly that class).
    ``state`` is the state the run reached at its first safe point after the key press (the
    end of an iteration or of an epoch): ``run(error.state, data)`` goes on from exactly there,
    to the final state of a run never interrupted. Taps on ``Interrupted`` see that state first
    (a checkpoint writer saves it there).

    Attributes:
        state: the state the run reached.
    """

    # The carried state's value type is the user's T; an exception class cannot be generic.
    state: State[Any]

    def __init__(self, state: State[Any]) -> None:
        self.state = state
        super().__init__(
            f"Ctrl-C stopped the run at epoch {state.epoch}, iteration {state.iteration}. "
            "The state it reached is in .state; pass it back to run() to go on from there."
        )


class HandlerReturnError(FoldloopError, TypeError):
    """A handler or step returned something that is not a :class:`foldloop.State`."""


class TerminateEpochRefused(FoldloopError, RuntimeError):
    """``terminate_epoch()`` was requested where there is no epoch to cut (``Started``,
    ``EpochStarted``)."""


class DataWarning(UserWarning):
    """The data cannot give what the run needs: it ran out for good before the run's required
    number of iterations, or a run resumed mid-pass on data whose order may have changed (a
    shuffling ``DataLoader``, a one-shot iterator; see ``docs/data.md``)."""
