"""Attaching a logger tap together with the taps that close it when a run ends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Never, TypeVar

from foldloop.core import Event, Loop, State, Trigger

from ._handles import Handles
from ._records import ENDS

T = TypeVar("T")


def tap_until_end(
    loop: Loop[T, Never],
    trigger: Trigger[Event] | type[Event],
    log: Callable[[State[T], Event], None],
    close: Callable[[], None],
) -> Handles:
    """Tap ``log`` on ``trigger`` and ``close`` on every kind that ends a run (after ``log``).

    Example:
        >>> from foldloop import Completed, Loop
        >>> loop: Loop[int, int] = Loop(lambda state, batch: state)
        >>> def log(state: State[int], event: Event) -> None:
        ...     print("log")
        >>> handles = tap_until_end(loop, Completed, log, lambda: print("close"))
        >>> _ = loop.run(0, [1])
        log
        close
    """
    handles = [loop.tap(trigger, log)]
    handles += [loop.tap(kind, close) for kind in ENDS]
    return Handles(handles)
