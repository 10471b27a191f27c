"""The attachments of a loop: what runs on which trigger, and handles to remove them.

Safe to change from several threads, also while the loop runs: a run takes a snapshot of the
attachments, and a new one after the next event at which a listener of the run was due.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ._callables import Call, fit, name_of
from ._events import Event, Interrupted
from ._filters import Filter
from ._removal import RemovedOnExit
from ._triggers import Trigger, as_trigger, filters_repr


@attrs.frozen
class Attachment:
    """One ``attach``/``tap`` call: a function fitted to ``(state, event)`` and its trigger."""

    id: int
    fn: Callable[..., object]
    call: Call
    # A filter only sees events of its own kind; the mapping cannot say so per key.
    filters: Mapping[type[Event], Filter[Any]]
    is_tap: bool
    name: str


@attrs.frozen
class Attached:
    """What is attached to a loop, as :meth:`foldloop.Loop.attachments` tells it.

    Attributes:
        name: the function's name (``"<lambda>"`` for a lambda).
        trigger: the event kinds it listens to, each with its filter.
        is_tap: True for a tap (``loop.tap``), False for a handler (``loop.attach``).
        fn: the function itself, as it was attached (without its extra arguments).

    Example:
        >>> from foldloop import Loop, Started
        >>> loop = Loop(lambda state, batch: state)
        >>> _ = loop.tap(Started, print)
        >>> loop.attachments()
        (Attached(name='print', trigger=on(Started), is_tap=True, fn=<built-in function print>),)
    """

    name: str
    trigger: Trigger[Event]
    is_tap: bool
    fn: Callable[..., object]


class Registry:
    """The loop's table of attachments, in attach order; ``version`` moves on every change."""

    def __init__(self) -> None:
        self.attachments: dict[int, Attachment] = {}
        self.version = 0
        self._ids = itertools.count(1)  # an attachment's id, never reused
        self._lock = threading.Lock()

    def snapshot(self) -> tuple[int, tuple[Attachment, ...]]:
        """The version and the attachments in attach order, read together."""
        with self._lock:
            return self.version, tuple(self.attachments.values())

    def attach(
        self,
        trigger: Trigger[Event] | type[Event],
        fn: Callable[..., object],
        args: tuple[object, ...],
        kwargs: Mapping[str, object],
        *,
        is_tap: bool,
    ) -> Handle:
        """Attach ``fn`` (with ``args``/``kwargs``) on ``trigger``, after checking it fits."""
        filters = as_trigger(trigger).filters
        if args and isinstance(args[0], Filter):
            fixed = " | ".join(f"on({kind.__name__}, {args[0]!r})" for kind in filters)
            raise TypeError(
                f"{args[0]!r} was given as an extra argument of the "
                f"{'tap' if is_tap else 'handler'}; a filter belongs in the trigger: write "
                f"loop.attach({fixed}, fn) or @loop.on({fixed})"
            )
        if Interrupted in filters and not is_tap:
            raise TypeError(
                f"{name_of(fn)!r} was attached as a handler on Interrupted, which taps alone see "
                "(a Ctrl-C must not change the run's numbers); attach it with loop.tap(...)"
            )
        call = fit(fn, args, kwargs, is_tap=is_tap, trigger=lambda: filters_repr(filters))
        with self._lock:
            new = Attachment(next(self._ids), fn, call, filters, is_tap, name_of(fn))
            self.attachments[new.id] = new
            self.version += 1
        return Handle(self, new.id)

    def remove(
        self, attachment_id: int, trigger: Trigger[Event] | type[Event] | None = None
    ) -> None:
        """Remove an attachment, or only its kinds that ``trigger`` names when given."""
        kinds = _kinds(trigger)
        with self._lock:
            old = self.attachments.get(attachment_id)
            if old is None:  # removed meanwhile by another thread
                return
            rest = {} if kinds is None else {k: f for k, f in old.filters.items() if k not in kinds}
            if rest:  # replaced under its own key: it keeps its place in the attach order
                self.attachments[attachment_id] = attrs.evolve(old, filters=rest)
            else:
                del self.attachments[attachment_id]
            self.version += 1

    def rewrap(self, wrap: Callable[[Attachment], Call]) -> dict[int, tuple[Call, Call]]:
        """Replace every attachment's call with ``wrap(attachment)``, in place (same id, order
        and handle); returns each id's (old, new) call for :meth:`unwrap`."""
        with self._lock:
            swapped = {i: (old.call, wrap(old)) for i, old in self.attachments.items()}
            for i, (_, new) in swapped.items():
                self.attachments[i] = attrs.evolve(self.attachments[i], call=new)
            self.version += 1
        return swapped

    def unwrap(self, swapped: Mapping[int, tuple[Call, Call]]) -> None:
        """Put back the calls that :meth:`rewrap` replaced, where they are still in place."""
        with self._lock:
            for attachment_id, (old, new) in swapped.items():
                attachment = self.attachments.get(attachment_id)
                if attachment is not None and attachment.call is new:
                    self.attachments[attachment_id] = attrs.evolve(attachment, call=old)
            self.version += 1

    def matching(self, fn: object, trigger: Trigger[Event] | type[Event] | None) -> list[int]:
        """Ids of the attachments of ``fn`` (on any kind ``trigger`` names, when given)."""
        kinds = _kinds(trigger)
        _, attachments = self.snapshot()
        return [
            a.id
            for a in attachments
            if a.fn is fn and (kinds is None or not kinds.isdisjoint(a.filters))
        ]


def _kinds(trigger: Trigger[Event] | type[Event] | None) -> frozenset[type[Event]] | None:
    return None if trigger is None else frozenset(as_trigger(trigger).filters)


class Handle(RemovedOnExit):
    """The receipt of one attachment: ``remove()`` it, or use it as a context manager.

    Example:
        >>> from foldloop import Loop, IterationCompleted
        >>> loop = Loop(lambda state, batch: state)
        >>> with loop.tap(IterationCompleted, print) as handle:
        ...     handle.active
        True
        >>> handle.active
        False
    """

    __slots__ = ("_id", "_registry")

    def __init__(self, registry: Registry, attachment_id: int) -> None:
        self._registry = registry
        self._id = attachment_id

    @property
    def active(self) -> bool:
        """Whether the attachment is still in its loop.

        Example:
            >>> from foldloop import Loop, Started
            >>> loop = Loop(lambda state, batch: state)
            >>> loop.tap(Started, print).active
            True
        """
        return self._id in self._registry.attachments

    def remove(self) -> None:
        """Remove the attachment from its loop; removing twice is harmless.

        Example:
            >>> from foldloop import Loop, Started
            >>> loop = Loop(lambda state, batch: state)
            >>> handle = loop.tap(Started, print)
            >>> handle.remove(); handle.remove()
            >>> handle.active
            False
        """
        self._registry.remove(self._id)

    def __repr__(self) -> str:
        attachment = self._registry.attachments.get(self._id)
        return f"Handle({attachment.name if attachment else 'removed'})"
