"""Where a transition reads its score: a slot, an attached metric's name, or a function.

A score is checked when the transition is made (its kind) and each time it is read (that it
is there, and a real number), with messages that say what to change.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Real
from typing import TypeAlias, TypeVar

import torch

from foldloop.core import Slot, State
from foldloop.metrics import METRICS

T = TypeVar("T")

Score: TypeAlias = Slot[float] | str | Callable[[State[T]], float]
"""A score: a ``Slot[float]``, the name of an attached metric (a key of
``state.get(METRICS)``), or a function of the state."""


def require_score(owner: str, score: object) -> None:
    """Refuse a score that is neither a slot, a metric's name, nor callable.

    Example:
        >>> require_score("EarlyStopping", 3)
        Traceback (most recent call last):
        ...
        TypeError: EarlyStopping: score must be a Slot[float], the name of an attached metric ...
    """
    if not isinstance(score, Slot | str) and not callable(score):
        raise TypeError(
            f"{owner}: score must be a Slot[float], the name of an attached metric (a key of "
            f"state.get(METRICS)) or a function State -> float; got {score!r}"
        )


def read_score(owner: str, score: Score[T], state: State[T]) -> float:
    """The score's value in ``state``, as a float that is not NaN.

    Raises:
        LookupError: the slot holds nothing (and has no default), or no metric has the name.
        TypeError: the value is not a real number (nor a one-element tensor).
        ValueError: the value is NaN.

    Example:
        >>> from foldloop.testing import make_state
        >>> state = make_state(None).put(METRICS, {"acc": 0.5})
        >>> read_score("EarlyStopping", "acc", state)
        0.5
        >>> read_score("EarlyStopping", "loss", state)
        Traceback (most recent call last):
        ...
        LookupError: EarlyStopping: no metric named 'loss' in state.get(METRICS) ...
    """
    value = _raw(owner, score, state)
    number = _as_float(value)
    if number is None:
        raise TypeError(
            f"{owner}: the score {_name(score)} is {value!r}, not a number; give a score that "
            "reads a real number (a float, an int, or a one-element tensor)"
        )
    if math.isnan(number):
        raise ValueError(
            f"{owner}: the score {_name(score)} is nan at iteration {state.iteration}; stop "
            "the run on non-finite values first (TerminateOnNonFinite) or fix the score"
        )
    return number


def _raw(owner: str, score: Score[T], state: State[T]) -> object:
    if isinstance(score, Slot):
        try:
            return state.get(score)
        except KeyError:
            raise LookupError(
                f"{owner}: the score slot {score.name!r} holds nothing at iteration "
                f"{state.iteration}; put a value in it before this transition fires (attach "
                f"its writer first), or give it a default: Slot({score.name!r}, default)"
            ) from None
    if isinstance(score, str):
        metrics = state.get(METRICS)
        if score not in metrics:
            raise LookupError(
                f"{owner}: no metric named {score!r} in state.get(METRICS) (it holds "
                f"{sorted(metrics)}); attach it with attach_metrics(loop, {score}=...) and "
                "compute it on this event or an earlier one, before this transition"
            )
        return metrics[score]
    return score(state)


def _as_float(value: object) -> float | None:
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_complex():
        return float(value.item())
    if isinstance(value, bool):
        return None
    if isinstance(value, Real):
        return float(value)
    return None


def _name(score: object) -> str:
    if isinstance(score, Slot):
        return f"slot {score.name!r}"
    if isinstance(score, str):
        return f"metric {score!r}"
    return f"function {getattr(score, '__qualname__', repr(score))}"
