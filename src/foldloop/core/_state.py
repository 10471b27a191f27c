"""The immutable state of a run: the user's value, limits, position, slots and requests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import itemgetter
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from ._arguments import not_a_slot, require_counts, require_kind, require_limits
from ._events import BUILT_IN_KINDS, Event
from ._position import COMPLETED, IDLE, Fields, Limits, Position, counts_of, position_of
from ._slots import Slot, _Missing

T = TypeVar("T")
V = TypeVar("V")

STOP_EPOCH, STOP_RUN = 1, 2  # bits of a state's stop requests

# Where a state keeps each part: a tuple, the cheapest immutable record (one an iteration).
VALUE, AT, LIMITS, SLOTS, QUEUE, STOP, BATCH = range(7)


class State(tuple[object, ...], Generic[T]):
    """An immutable snapshot of a run. Every method returns a new state.

    ``value`` is the user's part; the loop owns the limits and the position. Handlers return
    a new state built with :meth:`replace`, :meth:`put`, :meth:`emit`, :meth:`terminate` or
    :meth:`terminate_epoch`. ``counts`` gives kinds a count, as a run would have (for tests).

    A state is a record in the form of a tuple (as a ``NamedTuple`` is): its parts are read by
    name; two states are equal when all but the batch they hold are equal.

    Example:
        >>> s = State(value=0, epoch=2, iteration=7, max_epochs=3)
        >>> s.epoch, s.iteration, s.epoch_iteration, s.max_epochs, s.epoch_length, s.max_iters
        (2, 7, 0, 3, None, None)
        >>> s.running, s.terminated, s.terminate().terminate_requested, s.pending
        (False, False, True, ())
        >>> s.replace(value=1).value
        1
        >>> s.value  # the old state is untouched
        0
    """

    __slots__ = ()

    def __new__(
        cls,
        value: T,
        *,
        epoch: int = 0,
        iteration: int = 0,
        max_epochs: int | None = None,
        epoch_length: int | None = None,
        max_iters: int | None = None,
        counts: Mapping[type[Event], int] | None = None,
    ) -> State[T]:
        require_limits(max_epochs, epoch_length, max_iters)
        position = position_of(epoch, iteration, require_counts(counts))
        limits = Limits(max_epochs, epoch_length, max_iters)
        return tuple.__new__(cls, (value, position, limits, {}, (), 0, None))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not State:
            return NotImplemented
        return tuple.__eq__(self[:BATCH], tuple(other)[:BATCH])  # the batch is not compared

    def __ne__(self, other: object) -> bool:
        return not self == other  # tuple's own != would compare the batch too

    __hash__ = None  # type: ignore[assignment]  # states hold dicts (slots)

    def __reduce__(self) -> tuple[Callable[[tuple[object, ...]], State[T]], tuple[object]]:
        return _rebuilt, (tuple(self),)

    def __repr__(self) -> str:
        return (
            f"State(value={self.value!r}, epoch={self.epoch}, iteration={self.iteration}, "
            f"max_epochs={self.max_epochs}, epoch_length={self.epoch_length}, "
            f"max_iters={self.max_iters})"
        )

    # The parts, read by C getters (a state's parts are read on the loop's hot path); mypy
    # reads the typed properties below instead.
    if TYPE_CHECKING:

        @property
        def value(self) -> T:
            """The user's part of the state."""

        @property
        def _fields(self) -> Fields: ...
        @property
        def _limits(self) -> Limits: ...
        @property
        def _slots(self) -> Mapping[str, object]: ...
        @property
        def _queue(self) -> tuple[Event, ...]: ...
        @property
        def _stop(self) -> int: ...
        @property
        def _batch(self) -> object: ...

    else:
        value = property(
            itemgetter(VALUE),
            doc="""The user's part of the state.

            >>> State(value=3).value
            3
            """,
        )
        _fields = property(itemgetter(AT))
        _limits = property(itemgetter(LIMITS))
        _slots = property(itemgetter(SLOTS))
        _queue = property(itemgetter(QUEUE))
        _stop = property(itemgetter(STOP))
        _batch = property(itemgetter(BATCH))

    @property
    def _at(self) -> Position:
        """The position, as a record read by name (see Position: the state holds its fields)."""
        at = self._fields  # a Position where one was built off the loop's hot path
        return at if at.__class__ is Position else tuple.__new__(Position, at)

    @property
    def max_epochs(self) -> int | None:
        """The run ends after this epoch (None: it ends at ``max_iters``, or is not set yet)."""
        return self._limits.max_epochs

    @property
    def epoch_length(self) -> int | None:
        """Iterations per epoch; None until given or learnt from the data's end."""
        return self._limits.epoch_length

    @property
    def max_iters(self) -> int | None:
        """The run ends at this iteration (None: it ends at ``max_epochs``)."""
        return self._limits.max_iters

    @property
    def epoch(self) -> int:
        """The current epoch, from 1 once the first ``EpochStarted`` fired."""
        return self._fields[0]  # (fields read by index: see Position)

    @property
    def iteration(self) -> int:
        """Iterations done (started) in the run's whole history."""
        return self._fields[1]

    @property
    def epoch_iteration(self) -> int:
        """Iterations done in the current epoch (Ignite's ``iter_counter``)."""
        return self._fields[2]

    @property
    def running(self) -> bool:
        """True inside a run: ``Started`` fired; ``Completed`` and its emitted events did not."""
        return self._at.stage != IDLE and (self._at.stage != COMPLETED or bool(self._queue))

    @property
    def terminated(self) -> bool:
        """True when the last run ended by ``terminate()`` (or ``max_iters`` mid-epoch)."""
        return self._at.terminated

    @property
    def terminate_requested(self) -> bool:
        """True when a handler asked to end the run (:meth:`terminate`)."""
        return bool(self._stop & STOP_RUN)

    @property
    def terminate_epoch_requested(self) -> bool:
        """True when a handler asked to end the epoch (:meth:`terminate_epoch`)."""
        return bool(self._stop & STOP_EPOCH)

    @property
    def pending(self) -> tuple[Event, ...]:
        """Events emitted and not fired yet, first to fire first."""
        return self._queue

    @property
    def counts(self) -> Mapping[type[Event], int]:
        """A read-only view of every kind's count."""
        return MappingProxyType(counts_of(self._at))

    def count(self, kind: type[Event]) -> int:
        """How many times events of ``kind`` fired in this state's history, this time included.

        Example:
            >>> from foldloop.core._events import Started
            >>> State(value=None, counts={Started: 2}).count(Started)
            2
        """
        count = self._at.count(kind)
        if not count:  # a name, "IterationCompleted", or Event itself would read 0: refused
            require_kind(kind, "state.count()")
        return count

    def replace(self, *, value: T) -> State[T]:
        """A state like this one with a new user value.

        Example:
            >>> State(value=1).replace(value=2).value
            2
        """
        return self._with(VALUE, value)

    def get(self, slot: Slot[V]) -> V:
        """The value held in ``slot``, or its default.

        Raises:
            KeyError: nothing was put in the slot and it has no default.

        Example:
            >>> patience = Slot("patience", 0)
            >>> State(value=None).get(patience)
            0
        """
        try:
            name = slot.name
        except AttributeError:
            raise not_a_slot(slot, "get") from None
        if name in self._slots:
            held = self._slots[name]  # checked only when its class is not the default's
            return cast(V, held) if held.__class__ is slot.default.__class__ else slot.checked(held)
        if isinstance(slot.default, _Missing):
            raise KeyError(
                f"slot {slot.name!r} holds nothing and has no default; put a value first "
                f"or give the slot a default: Slot({slot.name!r}, default)"
            )
        return slot.default

    def put(self, slot: Slot[V], value: V) -> State[T]:
        """A state whose ``slot`` holds ``value``.

        Example:
            >>> best = Slot("best", 0.0)
            >>> State(value=None).put(best, 0.5).get(best)
            0.5
        """
        if not isinstance(slot, Slot):
            raise not_a_slot(slot, "put")
        if value.__class__ is not slot.default.__class__:
            slot.checked(value)
        return self._with(SLOTS, {**self._slots, slot.name: value})

    def emit(self, event: Event) -> State[T]:
        """Queue ``event``; it fires after the current event's handlers and taps.

        Raises:
            TypeError: ``event`` is not an :class:`Event`, or is of a kind the loop fires
                itself (its count is part of the run's position).

        Example:
            >>> class Improved(Event): ...
            >>> State(value=None).emit(Improved()).pending
            (Improved(),)
        """
        if not isinstance(event, Event):
            raise TypeError(
                f"emit() takes an Event, got {event!r} of type {type(event).__name__}; "
                "define the event as a subclass of foldloop.Event"
            )
        if type(event) in BUILT_IN_KINDS or type(event) is Event:
            raise TypeError(
                f"emit() takes your own event kinds; {type(event).__name__} is "
                + ("the base of all kinds" if type(event) is Event else "fired by the loop")
                + "; define a subclass of foldloop.Event for what you want to signal"
            )
        return self._with(QUEUE, (*self._queue, event))

    def terminate(self) -> State[T]:
        """Ask the loop to end the run after the current event (Ignite's ``terminate()``).

        Example:
            >>> State(value=None).terminate().terminate_requested
            True
        """
        return self._with(STOP, self._stop | STOP_RUN)

    def terminate_epoch(self) -> State[T]:
        """Ask the loop to end the current epoch after the current event.

        Example:
            >>> State(value=None).terminate_epoch().terminate_epoch_requested
            True
        """
        return self._with(STOP, self._stop | STOP_EPOCH)

    def _with(self, index: int, part: object) -> State[T]:
        """A copy with the part at ``index`` replaced."""
        parts = list(self)
        parts[index] = part
        return tuple.__new__(State, parts)


def _rebuilt(parts: tuple[object, ...]) -> State[Any]:
    """A state from its parts (what copying and pickling call)."""
    return tuple.__new__(State, parts)
