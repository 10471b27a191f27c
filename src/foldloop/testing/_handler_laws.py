"""The law of a handler: it is a pure function of the state and the event it is given."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TypeVar

from foldloop.core import Event, State

from ._compare import deep_difference

T = TypeVar("T")
E = TypeVar("E", bound=Event)


def check_handler_is_pure(
    handler: Callable[[State[T], E], State[T]], state: State[T], event: E
) -> None:
    """Check that ``handler(state, event)`` is pure: it changes neither argument (compared
    deeply, tensors included), returns a ``State``, and returns an equal one when called again.

    Args:
        handler: the handler; wrap one that takes only a state (or extra arguments) in a
            ``lambda state, event: ...``.
        state: the state to call it with (``make_state`` builds one as a run would have it).
        event: the event to call it with.

    Raises:
        AssertionError: saying what the handler changed, where, or how its two results differ.

    Example:
        >>> from foldloop import IterationCompleted
        >>> def count_up(state: State[int], event: IterationCompleted) -> State[int]:
        ...     return state.replace(value=state.value + 1)
        >>> check_handler_is_pure(count_up, State(value=0), IterationCompleted())
    """
    name = getattr(handler, "__qualname__", repr(handler))
    given = copy.deepcopy((state, event))
    first = handler(state, event)
    if not isinstance(first, State):
        raise AssertionError(f"handler {name} returned {first!r}, not a State")
    for what, before, after in (("state", given[0], state), ("event", given[1], event)):
        found = deep_difference(after, before, what)
        if found is not None:
            raise AssertionError(
                f"handler {name} changed the {what} it was given (now != before): {found}"
            )
    found = deep_difference(handler(state, event), first, "result")
    if found is not None:
        raise AssertionError(
            f"handler {name} returned different states for the same call (second vs first): {found}"
        )
