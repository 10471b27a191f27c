"""The record a logger writes at each firing, and the events after which it closes its file."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from foldloop.core import Completed, Event, ExceptionRaised, Interrupted, State, Terminated

from ._values import Values, read

T = TypeVar("T")

ENDS: tuple[type[Event], ...] = (Completed, Terminated, ExceptionRaised, Interrupted)
"""After these a run is over (for now): a logger closes its file, a progress bar its bar."""

COLUMNS = ("tag", "event", "epoch", "iteration", "wall_time")
"""The fixed fields of every record, in order, before its values."""


def record(
    tag: str, state: State[T], event: Event, values: Values[T], clock: Callable[[], float]
) -> dict[str, object]:
    """One record: ``tag``, the event's kind name, the position, the clock, the values.

    Example:
        >>> from foldloop import Completed
        >>> record("train", State(value=2.0), Completed(), {"v": lambda s: s.value}, lambda: 0.5)
        ... # doctest: +NORMALIZE_WHITESPACE
        {'tag': 'train', 'event': 'Completed', 'epoch': 0, 'iteration': 0, 'wall_time': 0.5,
         'values': {'v': 2.0}}
    """
    return {
        "tag": tag,
        "event": type(event).__name__,
        "epoch": state.epoch,
        "iteration": state.iteration,
        "wall_time": clock(),
        "values": read(values, state),
    }
