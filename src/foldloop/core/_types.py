"""The shapes of the functions a loop takes: its step, handlers and taps."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ._events import Event
from ._state import State

T = TypeVar("T")
B = TypeVar("B")
E = TypeVar("E", bound=Event)

Step = Callable[[State[T], B], State[T]]
"""The process function: one batch in, the next state out."""

Handler = Callable[[State[T], E], State[T]]
"""A pure transition run when its trigger fires (may also take only the state)."""

Tap = Callable[[State[T], E], object]
"""An observer for IO: sees the state, cannot change it (may also take the state, or nothing)."""
