"""The decorators that ``Loop.on`` and ``Loop.tap`` return: they attach a function and give it
back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, Generic, ParamSpec, TypeVar, overload

from ._events import Event
from ._state import State

T = TypeVar("T")
E = TypeVar("E", bound=Event)
P = ParamSpec("P")
R = TypeVar("R")


class Attacher(Generic[T, E]):
    """The decorator returned by :meth:`Loop.on` without extra arguments."""

    def __init__(self, attach: Callable[[Callable[..., State[T]]], object]) -> None:
        self._attach = attach

    @overload
    def __call__(
        self, fn: Callable[[State[T], E], State[T]], /
    ) -> Callable[[State[T], E], State[T]]: ...

    @overload
    def __call__(self, fn: Callable[[State[T]], State[T]], /) -> Callable[[State[T]], State[T]]: ...

    def __call__(self, fn: Callable[..., State[T]], /) -> Callable[..., State[T]]:
        self._attach(fn)
        return fn


class AttacherWithArguments(Generic[T, E]):
    """The decorator returned by :meth:`Loop.on` with extra arguments (checked at attach)."""

    def __init__(self, attach: Callable[[Callable[..., State[T]]], object]) -> None:
        self._attach = attach

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


class Tapper(Generic[T, E]):
    """The decorator returned by :meth:`Loop.tap` without a function: it attaches the tap and
    gives the function back unchanged."""

    def __init__(self, attach: Callable[[Callable[..., object]], object]) -> None:
        self._attach = attach

    @overload
    def __call__(self, fn: Callable[[State[T], E], R], /) -> Callable[[State[T], E], R]: ...

    @overload
    def __call__(self, fn: Callable[[State[T]], R], /) -> Callable[[State[T]], R]: ...

    @overload
    def __call__(self, fn: Callable[[], R], /) -> Callable[[], R]: ...

    def __call__(self, fn: Callable[..., R], /) -> Callable[..., R]:
        self._attach(fn)
        return fn
