"""The data's side of a run: opening it at a position, and what its end means."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterable, Iterator
from typing import TypeVar, cast

from ._errors import DataWarning
from ._position import DATA_EXHAUSTED
from ._signals import Failed
from ._state import State

T = TypeVar("T")
B = TypeVar("B")


def open_data(data: Iterable[B] | None, drawn: int) -> Iterator[B]:
    """An iterator over ``data`` that skips the ``drawn`` batches of the current pass (a
    one-shot iterator is taken where it is; ``data=None`` gives ``None`` batches)."""
    if data is None:  # data=None: the loop is a Loop[T, None]
        return cast(Iterator[B], itertools.repeat(None))
    iterator = iter(data)
    if iterator is not data and drawn:
        next(itertools.islice(iterator, drawn, drawn), None)
    return iterator


def ends_epoch(state: State[T]) -> bool:
    """The data ran out at ``state``: True when that ends the epoch, False for a new pass.

    Raises:
        Failed: the data gave no batch at all, or a one-shot iterator ran dry before
            ``max_iters``.
    """
    if state.epoch_length is None:
        if state.epoch_iteration == 0:
            raise Failed(_empty_data(), state, "drawing a batch from the data", None)
        return True
    if state._at.stage != DATA_EXHAUSTED:
        return False
    if state.max_iters is not None and state.epoch_iteration == 0:
        dry = ValueError(
            f"the data ran out for good at iteration {state.iteration}, before "
            f"max_iters={state.max_iters}: a one-shot iterator cannot start a new pass; "
            "pass a re-iterable (a list, a DataLoader) or a smaller max_iters"
        )
        raise Failed(dry, state, "drawing a batch from the data", None)
    if not done(state):
        warnings.warn(
            f"the data ran out again right after a new pass began, at iteration "
            f"{state.iteration} of epoch {state.epoch}: a one-shot iterator cannot be "
            "iterated twice; pass a re-iterable (a list, a DataLoader) or a longer one",
            DataWarning,
            stacklevel=4,
        )
    return True


def done(state: State[T]) -> bool:
    """Whether ``state`` reached the run's end (``max_iters`` or ``max_epochs``)."""
    if state.max_iters is not None and state.iteration >= state.max_iters:
        return True
    return state.max_epochs is not None and state.epoch >= state.max_epochs


def _empty_data() -> ValueError:
    return ValueError(
        "the data yielded no batch in this epoch and its length is unknown: an epoch needs "
        "at least one batch; pass non-empty, re-iterable data (a one-shot iterator cut by "
        "terminate_epoch() cannot start a new epoch), or epoch_length=N"
    )
