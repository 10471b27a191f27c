"""Who listens to which event kind in one run, and at which count each may next fire.

A run keeps, for each attached kind, its listeners in firing order (handlers in attach order,
then taps in attach order) and the earliest count at which each one's filter may pass. Firing
an event whose count is below every listener's earliest costs one comparison, so a run's cost
follows the listeners that fire, not the ones attached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import attrs

from ._callables import Call
from ._events import Event
from ._filters import Filter
from ._registry import Attachment

NEVER = 1 << 62  # a count no run reaches: "nothing due"


@attrs.frozen
class Listener:
    """One attachment, as it listens to one event kind."""

    filter: Filter[Any]  # it only ever sees events of its own kind
    call: Call
    is_tap: bool
    name: str

    def describe(self, event: Event) -> str:
        """What ran, for error messages: ``handler 'name' on Kind``."""
        return f"{'tap' if self.is_tap else 'handler'} {self.name!r} on {type(event).__name__}"


def _after(listener: Listener, count: int) -> int:
    """The first count after ``count`` at which ``listener`` may fire; NEVER if none."""
    earliest = listener.filter.earliest(count + 1)
    return NEVER if earliest is None else earliest


class Schedule:
    """The listeners of one event kind in one run, and when each may next fire."""

    __slots__ = ("due", "earliest", "listeners")

    def __init__(self, listeners: list[Listener], count: int) -> None:
        self.listeners = listeners
        self.earliest = [_after(listener, count) for listener in listeners]
        self.due = min(self.earliest)  # the first count at which any listener may fire

    def due_at(self, count: int) -> list[Listener]:
        """The listeners that may fire at ``count``, in firing order; each is rescheduled."""
        if len(self.listeners) == 1:  # the common case, without a call more
            earliest = self.listeners[0].filter.earliest(count + 1)
            self.due = self.earliest[0] = NEVER if earliest is None else earliest
            return self.listeners
        due = []
        for i, listener in enumerate(self.listeners):
            if self.earliest[i] <= count:
                due.append(listener)
                self.earliest[i] = _after(listener, count)
        self.due = min(self.earliest)
        return due


def schedules(
    attachments: Iterable[Attachment], count: Callable[[type[Event]], int]
) -> dict[type[Event], Schedule]:
    """One schedule per attached kind, from each kind's current ``count``."""
    by_kind: dict[type[Event], tuple[list[Listener], list[Listener]]] = {}
    for attachment in attachments:  # in attach order
        for kind, fil in attachment.filters.items():
            handlers, taps = by_kind.setdefault(kind, ([], []))
            listener = Listener(fil, attachment.call, attachment.is_tap, attachment.name)
            (taps if attachment.is_tap else handlers).append(listener)
    return {
        kind: Schedule(handlers + taps, count(kind)) for kind, (handlers, taps) in by_kind.items()
    }
