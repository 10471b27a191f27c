"""The immutable state of a run: the user's value, counters, position, slots and requests."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Generic, TypeVar, cast

import attrs

from . import _stage as st
from ._events import ITERATION_KINDS, Event
from ._slots import Slot, _Missing

T = TypeVar("T")
V = TypeVar("V")


Counts = tuple[Mapping[type[Event], int], int, int, int, int]
"""Counts of the other kinds, then of the four iteration kinds (in ``ITERATION_KINDS`` order).

The mapping is never mutated once a state holds it, so states share it until a kind other
than the iteration kinds fires; building a state each iteration then copies no dict.
"""

NO_COUNTS: Counts = ({}, 0, 0, 0, 0)

# Where each iteration kind's count sits in ``Counts``.
COUNT_INDEX: Mapping[type[Event], int] = {kind: i + 1 for i, kind in enumerate(ITERATION_KINDS)}


def counts_as_dict(counts: Counts) -> dict[type[Event], int]:
    """Every kind that fired, with its count."""
    merged = {kind: n for kind, n in counts[0].items() if n}
    for kind, n in zip(ITERATION_KINDS, counts[1:], strict=True):
        if n:
            merged[kind] = n
    return merged


@attrs.frozen(slots=False)
class State(Generic[T]):
    """An immutable snapshot of a run. Every method returns a new state.

    ``value`` is the user's part; the loop owns the counters and the position. Handlers return
    a new state built with :meth:`replace`, :meth:`put`, :meth:`emit`, :meth:`terminate` or
    :meth:`terminate_epoch`.

    >>> s = State(value=0)
    >>> s.epoch, s.iteration, s.count(Event)
    (0, 0, 0)
    >>> s.replace(value=1).value
    1
    >>> s.value  # the old state is untouched
    0
    """

    value: T
    epoch: int = 0
    iteration: int = 0
    max_epochs: int | None = None
    epoch_length: int | None = None
    max_iters: int | None = None
    _epoch_iteration: int = attrs.field(default=0, repr=False)
    _drawn: int = attrs.field(default=0, repr=False)
    _stage: int = attrs.field(default=st.IDLE, repr=False)
    _position: int = attrs.field(default=st.BOUNDARY, repr=False)
    _batch: object = attrs.field(default=None, eq=False, repr=False)
    _counts: Counts = attrs.field(default=NO_COUNTS, repr=False, eq=counts_as_dict)
    _slots: Mapping[str, object] = attrs.field(factory=dict, repr=False)
    _queue: tuple[Event, ...] = attrs.field(default=(), repr=False)
    _stop: int = attrs.field(default=0, repr=False)
    _terminated: bool = attrs.field(default=False, repr=False)

    @property
    def epoch_iteration(self) -> int:
        """Iterations done in the current epoch (Ignite's ``iter_counter``).

        >>> State(value=None).epoch_iteration
        0
        """
        return self._epoch_iteration

    @property
    def running(self) -> bool:
        """True while inside a run: ``Started`` fired and the run has not ended.

        >>> State(value=None).running
        False
        """
        return self._stage not in (st.IDLE, st.COMPLETED)

    @property
    def terminated(self) -> bool:
        """True when the last run ended by ``terminate()`` (or ``max_iters`` mid-epoch).

        >>> State(value=None).terminated
        False
        """
        return self._terminated

    @property
    def terminate_requested(self) -> bool:
        """True when a handler asked to end the run (:meth:`terminate`).

        >>> State(value=None).terminate().terminate_requested
        True
        """
        return bool(self._stop & st.STOP_RUN)

    @property
    def terminate_epoch_requested(self) -> bool:
        """True when a handler asked to end the epoch (:meth:`terminate_epoch`).

        >>> State(value=None).terminate_epoch().terminate_epoch_requested
        True
        """
        return bool(self._stop & st.STOP_EPOCH)

    @property
    def pending(self) -> tuple[Event, ...]:
        """Events emitted and not fired yet, first to fire first.

        >>> State(value=None).emit(Event()).pending
        (Event(),)
        """
        return self._queue

    @property
    def counts(self) -> Mapping[type[Event], int]:
        """A read-only view of every kind's count.

        >>> dict(State(value=None).counts)
        {}
        """
        return MappingProxyType(counts_as_dict(self._counts))

    def count(self, kind: type[Event]) -> int:
        """How many times events of ``kind`` fired in this state's history.

        >>> from foldloop.core._events import Started
        >>> State(value=None).count(Started)
        0
        """
        i = COUNT_INDEX.get(kind)
        if i is not None:
            return cast(int, self._counts[i])  # positions 1-4 of Counts are ints
        return self._counts[0].get(kind, 0)

    def replace(self, *, value: T) -> State[T]:
        """A state like this one with a new user value.

        >>> State(value=1).replace(value=2).value
        2
        """
        return self._derive({"value": value})

    def get(self, slot: Slot[V]) -> V:
        """The value held in ``slot``, or its default.

        Raises:
            KeyError: nothing was put in the slot and it has no default.

        >>> patience = Slot("patience", 0)
        >>> State(value=None).get(patience)
        0
        """
        if slot.name in self._slots:
            # put() is the only writer and typed it as V for this slot's name.
            return cast(V, self._slots[slot.name])
        if isinstance(slot.default, _Missing):
            raise KeyError(
                f"slot {slot.name!r} holds nothing and has no default; put a value first "
                f"or give the slot a default: Slot({slot.name!r}, default)"
            )
        return slot.default

    def put(self, slot: Slot[V], value: V) -> State[T]:
        """A state whose ``slot`` holds ``value``.

        >>> best = Slot("best", 0.0)
        >>> State(value=None).put(best, 0.5).get(best)
        0.5
        """
        return self._derive({"_slots": {**self._slots, slot.name: value}})

    def emit(self, event: Event) -> State[T]:
        """Queue ``event``; it fires after the current event's handlers and taps.

        >>> State(value=None).emit(Event()).pending
        (Event(),)
        """
        if not isinstance(event, Event):
            raise TypeError(
                f"emit() takes an Event, got {event!r} of type {type(event).__name__}; "
                "define the event as a subclass of foldloop.Event"
            )
        return self._derive({"_queue": (*self._queue, event)})

    def terminate(self) -> State[T]:
        """Ask the loop to end the run after the current event (Ignite's ``terminate()``).

        >>> State(value=None).terminate().terminate_requested
        True
        """
        return self._derive({"_stop": self._stop | st.STOP_RUN})

    def terminate_epoch(self) -> State[T]:
        """Ask the loop to end the current epoch after the current event.

        >>> State(value=None).terminate_epoch().terminate_epoch_requested
        True
        """
        return self._derive({"_stop": self._stop | st.STOP_EPOCH})

    def _derive(self, changes: Mapping[str, object]) -> State[T]:
        """A copy with ``changes`` applied, without ``attrs.evolve``'s cost (hot path).

        The class is frozen; this writes only the new object's own ``__dict__`` before anyone
        can see it.
        """
        new = object.__new__(type(self))
        fields = new.__dict__
        fields.update(self.__dict__)
        fields.update(changes)
        return new
