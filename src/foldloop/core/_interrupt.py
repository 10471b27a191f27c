"""Ctrl-C during ``run()``: the first press stops the run at its next safe point, with its state.

While ``Loop.run`` goes on in the main thread, and SIGINT still has Python's default handler,
:class:`SigintGuard` replaces that handler. (A program started in the background by a shell
ignores SIGINT; that is left as it is.) The first Ctrl-C is only noted: the loop tests the
note after each iteration and after each epoch, and there ends the run with
:class:`foldloop.RunInterrupted` (a ``KeyboardInterrupt``) carrying the state it reached, from
which ``run`` goes on exactly. A second Ctrl-C raises ``KeyboardInterrupt`` at once (a step or
a data loader that never returns can still be stopped), without a state.
"""

from __future__ import annotations

# _signal: the C module that ``signal`` wraps; ``signal.getsignal``/``signal.signal`` turn
# handlers into enums by raising and catching ValueError, ~18 us of every ``run`` (an evaluator
# runs one per evaluation).
import _signal  # type: ignore[import-not-found]  # CPython ships no stub for its C module
import signal
import threading
from types import FrameType, TracebackType
from typing import Final

# What Python installs for SIGINT; a handler of the user's own is left alone.
_DEFAULT: Final = signal.default_int_handler


class SigintGuard:
    """Notes the first Ctrl-C in ``pressed`` while active (a context manager).

    ``pressed`` is a list so that the loop tests it with a plain truth test: empty until the
    first Ctrl-C. Outside the main thread, or when SIGINT has a handler other than Python's
    default (a guard of an enclosing run, or the user's), the guard does nothing.

    Example:
        >>> previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal
        >>> with SigintGuard() as guard:
        ...     signal.raise_signal(signal.SIGINT)  # noted, not raised
        ...     guard.pressed
        [2]
        >>> signal.getsignal(signal.SIGINT) is signal.default_int_handler
        True
        >>> _ = signal.signal(signal.SIGINT, previous)
    """

    def __init__(self) -> None:
        self.pressed: list[int] = []
        self._installed = False

    def __enter__(self) -> SigintGuard:
        main = threading.current_thread() is threading.main_thread()
        if main and _signal.getsignal(signal.SIGINT) is _DEFAULT:
            _signal.signal(signal.SIGINT, self._note)
            self._installed = True
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._installed:
            _signal.signal(signal.SIGINT, _DEFAULT)
            self._installed = False

    def _note(self, signum: int, frame: FrameType | None) -> None:
        if self.pressed:  # the second Ctrl-C: stop now, whatever the loop is doing
            raise KeyboardInterrupt
        self.pressed.append(signum)
