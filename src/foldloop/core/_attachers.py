"""The decorators that ``Loop.on`` and ``Loop.tap`` return (they attach a function and give it
back), and ``Loop``'s base that tells and removes its attachments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, Generic, ParamSpec, TypeVar, overload

from ._callables import name_of
from ._events import Event
from ._registry import Attached, Handle, Registry
from ._state import State
from ._triggers import Trigger, as_trigger

T = TypeVar("T")
E = TypeVar("E", bound=Event)
P = ParamSpec("P")
R = TypeVar("R")


class _Decorator(Generic[T, E]):
    """A decorator that attaches the function with ``attach`` and gives it back unchanged."""

    def __init__(self, attach: Callable[[Callable[..., object]], object]) -> None:
        self._attach = attach


class Attacher(_Decorator[T, E]):
    """The decorator returned by :meth:`Loop.on` without extra arguments."""

    @overload
    def __call__(
        self, fn: Callable[[State[T], E], State[T]], /
    ) -> Callable[[State[T], E], State[T]]: ...

    @overload
    def __call__(self, fn: Callable[[State[T]], State[T]], /) -> Callable[[State[T]], State[T]]: ...

    def __call__(self, fn: Callable[..., State[T]], /) -> Callable[..., State[T]]:
        self._attach(fn)
        return fn


class AttacherWithArguments(_Decorator[T, E]):
    """The decorator returned by :meth:`Loop.on` with extra arguments (checked at attach)."""

    @overload
    def __call__(
        self, fn: Callable[Concatenate[State[T], E, P], State[T]], /
    ) -> Callable[Concatenate[State[T], E, P], State[T]]: ...

    @overload
    def __call__(
        self, fn: Callable[Concatenate[State[T], P], State[T]], /
    ) -> Callable[Concatenate[State[T], P], State[T]]: ...

    def __call__(self, fn: Callable[..., State[T]], /) -> Callable[..., State[T]]:
        self._attach(fn)
        return fn


class Tapper(_Decorator[T, E]):
    """The decorator returned by :meth:`Loop.tap` without a function."""

    @overload
    def __call__(self, fn: Callable[[State[T], E], R], /) -> Callable[[State[T], E], R]: ...

    @overload
    def __call__(self, fn: Callable[[State[T]], R], /) -> Callable[[State[T]], R]: ...

    @overload
    def __call__(self, fn: Callable[[], R], /) -> Callable[[], R]: ...

    def __call__(self, fn: Callable[..., R], /) -> Callable[..., R]:
        self._attach(fn)
        return fn


class Detaching:
    """What :class:`foldloop.Loop` tells and removes of its attachments (its base, so that
    ``_loop.py`` keeps to attaching and running)."""

    _registry: Registry

    def detach(
        self,
        handle_or_fn: Handle | Callable[..., object],
        trigger: Trigger[Event] | type[Event] | None = None,
    ) -> None:
        """Remove an attachment by its handle, or every attachment of a function.

        With ``trigger``, only the function's attachments on those kinds are removed.

        Raises:
            ValueError: the function is not attached (on ``trigger``).

        Example:
            >>> from foldloop import Loop, Started
            >>> loop: Loop[int, int] = Loop(lambda state, batch: state)
            >>> _ = loop.tap(Started, print)
            >>> loop.detach(print)
            >>> loop.has(print)
            False
        """
        if isinstance(handle_or_fn, Handle):
            handle_or_fn.remove()
            return
        ids = self._registry.matching(handle_or_fn, trigger)
        if not ids:
            on = "" if trigger is None else f" on {as_trigger(trigger)!r}"
            raise ValueError(f"{name_of(handle_or_fn)} is not attached to this loop{on}")
        for attachment_id in ids:
            self._registry.remove(attachment_id, trigger)

    def has(
        self,
        handle_or_fn: Handle | Callable[..., object],
        trigger: Trigger[Event] | type[Event] | None = None,
    ) -> bool:
        """Whether the handle is active, or the function is attached (on ``trigger``).

        Example:
            >>> from foldloop import Loop, Started
            >>> loop: Loop[int, int] = Loop(lambda state, batch: state)
            >>> _ = loop.tap(Started, print)
            >>> loop.has(print, Started), loop.has(len)
            (True, False)
        """
        if isinstance(handle_or_fn, Handle):
            return handle_or_fn.active
        return bool(self._registry.matching(handle_or_fn, trigger))

    def attachments(self) -> tuple[Attached, ...]:
        """Every handler and tap attached now, in attach order: name, trigger, tap or not.

        For tools that look at a loop from outside (``foldloop.plot`` draws where each one
        fired); the loop itself is changed only by ``attach``/``tap``/``detach``.

        Example:
            >>> from foldloop import IterationCompleted, Loop, every, on
            >>> loop: Loop[int, int] = Loop(lambda state, batch: state)
            >>> _ = loop.attach(on(IterationCompleted, every(2)), lambda state: state)
            >>> [(a.name, a.trigger, a.is_tap) for a in loop.attachments()]
            [('<lambda>', on(IterationCompleted, every(2)), False)]
        """
        _, attachments = self._registry.snapshot()
        return tuple(Attached(a.name, Trigger(a.filters), a.is_tap, a.fn) for a in attachments)
