"""The data's side of a run: opening it at a position, and what its end means."""

from __future__ import annotations

import functools
import itertools
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from types import FrameType
from typing import Any, TypeVar, cast

from ._errors import DataWarning
from ._limits import done, length_of
from ._position import DATA_EXHAUSTED
from ._resumable import ResumableData, order_varies
from ._signals import Failed
from ._state import State

T = TypeVar("T")
B = TypeVar("B")

DRAW = "drawing a batch from the data"  # what failed, for a RunError


def opener(data: Iterable[B] | None) -> Callable[[int, int], Iterator[B]]:
    """How a run opens ``data`` (the kind of data told once): ``opener(data)(pass_index,
    drawn)`` is an iterator over the batches of pass ``pass_index`` after its first ``drawn``,
    the ones an uninterrupted run would draw next.

    :class:`ResumableData` is asked for them (``data.iter_from(pass_index, drawn)``). Other
    data is iterated afresh and its first ``drawn`` batches are skipped (none when the pass is
    known, by ``len(data)``, to be over); a one-shot iterator is taken where it stands;
    ``data=None`` gives ``None`` batches. Resuming mid-pass on data whose order may change
    between iterations (:func:`order_varies`) warns.

    Example:
        >>> list(opener([10, 11, 12])(5, 1)), list(opener([10, 11, 12])(0, 3))
        ([11, 12], [])
    """
    if data is None:  # data=None: the loop is a Loop[T, None]
        return _no_data
    if callable(getattr(type(data), "iter_from", None)):  # ResumableData, told by its method
        return cast(ResumableData[B], data).iter_from
    return functools.partial(_iterated_afresh, data)


def _no_data(pass_index: int, drawn: int) -> Iterator[Any]:
    return itertools.repeat(None)  # Any: the batches of a Loop[T, None] are None


def _iterated_afresh(data: Iterable[B], pass_index: int, drawn: int) -> Iterator[B]:
    """A new iterator over ``data``, its first ``drawn`` batches drawn and thrown away."""
    if drawn and not isinstance(data, Iterator):
        length = length_of(data)
        if length is not None and drawn >= length:
            return iter(())  # the pass is over: nothing to draw, none to skip
    iterator = iter(data)
    if drawn:
        reason = order_varies(data, iterator)
        if reason is not None:
            message = _resumed_mid_pass(reason, pass_index, drawn)
            warnings.warn(message, DataWarning, stacklevel=_caller())
        if iterator is not data:
            next(itertools.islice(iterator, drawn, drawn), None)
    return iterator


def _resumed_mid_pass(reason: str, pass_index: int, drawn: int) -> str:
    where = f"after batch {drawn} of pass {pass_index} over the data"
    fix = (
        "foldloop.data.SeededBatches(dataset, batch_size, seed=...), which starts any pass at "
        "any batch (its order is a function of the seed and the pass)"
    )
    if reason == "a one-shot iterator":
        return (
            f"resumed mid-pass ({where}) on {reason}: it is taken where it stands, which is right "
            f"only if it is the iterator the run stopped with, {drawn} batch(es) in; a fresh one "
            f"would give those batches again. Pass that iterator, or use {fix}"
        )
    return (
        f"resumed mid-pass ({where}) on {reason}: a new iteration gives a new order, so "
        f"skipping its first {drawn} batch(es) does not give the rest of the pass the run "
        f"was in, and the resumed run differs from the uninterrupted one. Use {fix}"
    )


def _caller() -> int:
    """The ``stacklevel`` of the first frame outside foldloop: where the user ran the loop."""
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("foldloop."):
        frame, level = frame.f_back, level + 1
    return level


def ends_epoch(state: State[T]) -> bool:
    """The data ran out at ``state``: True when that ends the epoch, False for a new pass.

    Raises:
        Failed: the data gave no batch at all, or a one-shot iterator ran dry before
            ``max_iters``.
    """
    if state.epoch_length is None:
        if state.epoch_iteration == 0:
            empty = ValueError(
                "the data yielded no batch in this epoch and its length is unknown: an epoch "
                "needs at least one batch; pass non-empty, re-iterable data (a one-shot iterator "
                "cut by terminate_epoch() cannot start a new epoch), or epoch_length=N"
            )
            raise Failed(empty, state, DRAW, None)
        return True
    if state._at.stage != DATA_EXHAUSTED:
        return False
    if state.max_iters is not None and state.epoch_iteration == 0:
        dry = ValueError(
            f"the data ran out for good at iteration {state.iteration}, before "
            f"max_iters={state.max_iters}: a one-shot iterator cannot start a new pass; "
            "pass a re-iterable (a list, a DataLoader) or a smaller max_iters"
        )
        raise Failed(dry, state, DRAW, None)
    if not done(state):
        warnings.warn(
            f"the data ran out again right after a new pass began, at iteration "
            f"{state.iteration} of epoch {state.epoch}: a one-shot iterator cannot be "
            "iterated twice; pass a re-iterable (a list, a DataLoader) or a longer one",
            DataWarning,
            stacklevel=4,
        )
    return True
