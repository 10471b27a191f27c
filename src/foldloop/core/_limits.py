"""Checking ``run``'s arguments and settling the run's limits before any work starts."""

from __future__ import annotations

from collections.abc import Iterable, Sized
from typing import TypeVar

from ._arguments import (
    NO_DATA,
    refuse_dry_iterator,
    refuse_missing_data,
    refuse_odd_data,
    require_limits,
)
from ._position import BOUNDARY, Limits
from ._state import LIMITS, State

T = TypeVar("T")


def length_of(data: object) -> int | None:
    """``len(data)``, or None when it has none (or says it is unknown by raising TypeError)."""
    try:
        return len(data) if isinstance(data, Sized) else None
    except TypeError:  # some iterables define __len__ and raise when it is unknown
        return None


def _settled_length(state: State[T], data: object, epoch_length: int | None) -> int | None:
    if state.epoch_length is not None:
        if epoch_length is not None and epoch_length != state.epoch_length:
            raise ValueError(
                f"epoch_length={epoch_length} differs from the state's {state.epoch_length}: "
                "a run continues with the epoch length it started with; leave it out"
            )
        return state.epoch_length
    if epoch_length is None and data is None:
        raise ValueError(
            "data=None needs epoch_length: pass epoch_length=N to run N iterations per epoch "
            "with no data (the step then receives None)"
        )
    length = epoch_length if epoch_length is not None else length_of(data)
    if length is not None and state.epoch_iteration > length:
        raise ValueError(
            f"the state is at iteration {state.epoch_iteration} of epoch {state.epoch}, past "
            f"the {length} iterations per epoch that "
            + ("epoch_length gives" if epoch_length is not None else "len(data) gives")
            + ": the run started on data whose length it had not yet seen; continue it on "
            "data of that length, or pass a larger epoch_length"
        )
    return length


def _settled_ends(
    state: State[T], max_epochs: int | None, max_iters: int | None
) -> tuple[int | None, int | None]:
    if max_iters is not None:
        return None, max_iters
    if max_epochs is not None:
        return max_epochs, None
    if state.max_epochs is None and state.max_iters is None:
        return 1, None
    return state.max_epochs, state.max_iters


def done(state: State[T]) -> bool:
    """Whether ``state`` reached the run's end (``max_iters`` or ``max_epochs``)."""
    if state.max_iters is not None and state.iteration >= state.max_iters:
        return True
    return state.max_epochs is not None and state.epoch >= state.max_epochs


def finished(state: State[T]) -> bool:
    """Whether a run on ``state`` has nothing left to do (it returns the state unchanged): the
    run's end is reached, and a run cut in its last epoch is not to be picked up again.

    Example:
        >>> finished(State(value=0, max_epochs=1))
        False
    """
    at_end = state.max_iters is not None or state._at.resume == BOUNDARY  # one limit at a time
    return not state.running and done(state) and at_end


def settled(
    initial: State[T] | T,
    data: object,
    max_epochs: int | None,
    epoch_length: int | None,
    max_iters: int | None,
) -> State[T]:
    """The state a run starts from (``initial``, or a state holding it), with the run's limits
    set; raises, before any work, if an argument is wrong.

    Raises:
        TypeError: data is left out or not iterable, or a limit is not an int.
        ValueError: a limit is out of range, or contradicts the state.

    Example:
        >>> state = settled(5, [1, 2, 3], None, None, None)
        >>> state.max_epochs, state.epoch_length
        (1, 3)
    """
    if data is NO_DATA:
        refuse_missing_data(initial)
    state = initial if isinstance(initial, State) else State(value=initial)
    if data is not None and not isinstance(data, Iterable):
        raise TypeError(
            f"data must be iterable (a list, a DataLoader, an iterator) or None, got "
            f"{type(data).__name__}"
        )
    refuse_odd_data(data)
    if data is not None and length_of(data) == 0:
        raise ValueError(
            "the data is empty (len(data) == 0): an epoch needs at least one batch; pass "
            "non-empty data, or data=None with epoch_length=N"
        )
    if max_epochs is not None and max_iters is not None:
        raise ValueError(
            "max_epochs and max_iters cannot both be given: the run ends at one of them; "
            "pass only the one you mean"
        )
    require_limits(max_epochs, epoch_length, max_iters)
    length = _settled_length(state, data, epoch_length)
    if max_epochs is not None and max_epochs < state.epoch:
        raise ValueError(
            f"max_epochs={max_epochs} is below the state's epoch {state.epoch}: a run cannot "
            f"go back; pass max_epochs >= {state.epoch}, or start again from a fresh state"
        )
    if max_iters is not None and max_iters < state.iteration:
        raise ValueError(
            f"max_iters={max_iters} is below the state's iteration {state.iteration}: a run "
            f"cannot go back; pass max_iters >= {state.iteration}"
        )
    epochs, iters = _settled_ends(state, max_epochs, max_iters)
    if epochs is not None and epochs > max(state.epoch, 1):
        refuse_dry_iterator(data, length, epochs)
    if (epochs, iters, length) == (state.max_epochs, state.max_iters, state.epoch_length):
        return state
    return state._with(LIMITS, Limits(epochs, length, iters))
