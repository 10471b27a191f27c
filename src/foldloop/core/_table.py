"""Per-kind dispatch tables for one run: who is due at which count.

Each table keeps its attachments in firing order (handlers in attach order, then taps in attach
order) and a heap of ``(next count that may pass, position)``. Firing an event costs one
comparison when nothing is due, so a run's cost follows the attachments that fire.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ._callables import Call
from ._events import Event
from ._filters import Filter
from ._registry import Attachment

NEVER = 1 << 62  # a count no run reaches: "nothing due"


@attrs.frozen
class Slot:
    """One attachment as it sits in one kind's table."""

    filter: Filter[Any]
    call: Call
    is_tap: bool
    name: str


class Table:
    """The attachments of one event kind, with the heap of when each is next due."""

    __slots__ = ("heap", "next_due", "slots")

    def __init__(self, slots: list[Slot], count: int) -> None:
        self.slots = slots
        self.heap: list[tuple[int, int]] = []
        for position, slot in enumerate(slots):
            due = slot.filter.next_true(count + 1)
            if due is not None:
                self.heap.append((due, position))
        heapq.heapify(self.heap)
        self.next_due = self.heap[0][0] if self.heap else NEVER

    def pop_due(self, count: int) -> list[Slot]:
        """The slots due at ``count``, in firing order; they are rescheduled after ``count``."""
        if len(self.slots) == 1:  # the common case needs no heap
            due = self.slots[0].filter.next_true(count + 1)
            self.next_due = NEVER if due is None else due
            return self.slots
        heap = self.heap
        positions = []
        while heap and heap[0][0] <= count:
            positions.append(heapq.heappop(heap)[1])
        positions.sort()
        for position in positions:
            due = self.slots[position].filter.next_true(count + 1)
            if due is not None:
                heapq.heappush(heap, (due, position))
        self.next_due = heap[0][0] if heap else NEVER
        return [self.slots[p] for p in positions]


def compile_tables(
    attachments: Mapping[int, Attachment], count: Callable[[type[Event]], int]
) -> dict[type[Event], Table]:
    """One table per attached kind, scheduled from each kind's current ``count``."""
    by_kind: dict[type[Event], tuple[list[Slot], list[Slot]]] = {}
    for attachment in attachments.values():  # dicts keep attach order
        for kind, fil in attachment.filters.items():
            handlers, taps = by_kind.setdefault(kind, ([], []))
            slot = Slot(fil, attachment.call, attachment.is_tap, attachment.name)
            (taps if attachment.is_tap else handlers).append(slot)
    return {kind: Table(handlers + taps, count(kind)) for kind, (handlers, taps) in by_kind.items()}
