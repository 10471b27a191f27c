"""Early stopping: end the run when a score has not improved for ``patience`` firings."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Generic, Literal, TypeVar, overload

from foldloop.core import Slot, State

from ._checks import require_choice, require_count, require_number
from ._scores import Score, read_score, require_score

T = TypeVar("T")
U = TypeVar("U")


class EarlyStopping(Generic[T]):
    """A transition that calls ``state.terminate()`` once the score stopped improving.

    Each firing reads the score; a score better than the best by more than ``min_delta`` is
    the new best and resets the wait, anything else adds one to the wait, and the run is
    terminated when the wait reaches ``patience`` (Ignite's ``EarlyStopping``, same decisions).
    All it remembers is in slots of the state, so a checkpoint resumes it mid-patience:

    - ``best``: the best score so far (``None`` before the first firing);
    - ``best_epoch``, ``best_iteration``: where the best score was read;
    - ``wait``: firings since then without improvement.

    Args:
        score: a ``Slot[float]``, the name of an attached metric, or a function of the state.
        patience: how many firings without improvement end the run (>= 1).
        min_delta: an improvement must exceed this (>= 0).
        cumulative_delta: with it, the best is kept while a score improves it by less than
            ``min_delta``, so small gains add up; without it the best follows them.
        mode: ``"max"`` (a higher score is better, as Ignite's) or ``"min"`` (a loss).
        name: the slots' prefix (``"<name>/best"``...), distinct for each early stopper.

    Raises:
        ValueError: ``patience`` < 1, ``min_delta`` < 0 or NaN, or an unknown ``mode``.
        TypeError: ``score`` is none of the kinds above.

    Example:
        >>> from foldloop import EpochCompleted, Loop
        >>> losses = [3.0, 2.0, 2.5, 2.1, 2.2]
        >>> loop: Loop[float, int] = Loop(lambda s, b: s.replace(value=losses[s.epoch - 1]))
        >>> stopper = EarlyStopping(lambda s: s.value, patience=2, mode="min")
        >>> _ = loop.attach(EpochCompleted, stopper)
        >>> final = loop.run(0.0, [0], max_epochs=5)
        >>> final.epoch, final.terminated, final.get(stopper.best), final.get(stopper.best_epoch)
        (4, True, 2.0, 2)
    """

    @overload
    def __init__(
        self: EarlyStopping[object],
        score: Slot[float] | str,
        *,
        patience: int,
        min_delta: float = 0.0,
        cumulative_delta: bool = False,
        mode: Literal["max", "min"] = "max",
        name: str = "early_stopping",
    ) -> None: ...

    @overload
    def __init__(
        self: EarlyStopping[T],
        score: Callable[[State[T]], float],
        *,
        patience: int,
        min_delta: float = 0.0,
        cumulative_delta: bool = False,
        mode: Literal["max", "min"] = "max",
        name: str = "early_stopping",
    ) -> None: ...

    def __init__(
        self,
        score: Score[T],
        *,
        patience: int,
        min_delta: float = 0.0,
        cumulative_delta: bool = False,
        mode: Literal["max", "min"] = "max",
        name: str = "early_stopping",
    ) -> None:
        require_score("EarlyStopping", score)
        self.score = score
        self.patience = require_count("EarlyStopping", "patience", patience, 1)
        self.min_delta = require_number(
            "EarlyStopping", "min_delta", min_delta, low=0.0, high=math.inf
        )
        self.cumulative_delta = bool(cumulative_delta)
        self.mode = require_choice("EarlyStopping", "mode", mode, ("max", "min"))
        self.best: Slot[float | None] = Slot(f"{name}/best", None)
        self.best_epoch: Slot[int] = Slot(f"{name}/best_epoch", 0)
        self.best_iteration: Slot[int] = Slot(f"{name}/best_iteration", 0)
        self.wait: Slot[int] = Slot(f"{name}/wait", 0)

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta}, "
            f"cumulative_delta={self.cumulative_delta}, mode={self.mode!r})"
        )

    @overload
    def __call__(self: EarlyStopping[object], state: State[U]) -> State[U]: ...

    @overload
    def __call__(self: EarlyStopping[T], state: State[T]) -> State[T]: ...

    # Any: the overloads above are the types users see; this one serves both.
    def __call__(self, state: State[Any]) -> State[Any]:
        """The next state: the best score and the wait updated, terminated when patience ran out.

        Example:
            >>> from foldloop.testing import make_state
            >>> best = Slot("val_acc", 0.0)
            >>> stopper = EarlyStopping(best, patience=2)
            >>> state = make_state(None, epoch=5, slots={best: 0.7, stopper.best: 0.8,
            ...                                          stopper.wait: 1})
            >>> after = stopper(state)
            >>> after.get(stopper.wait), after.terminate_requested
            (2, True)
        """
        sign = 1.0 if self.mode == "max" else -1.0
        score = sign * read_score("EarlyStopping", self.score, state)
        held = state.get(self.best)
        if held is None or score > sign * held + self.min_delta:
            return self._improved(state, sign * score)
        waited = state.put(self.wait, state.get(self.wait) + 1)
        if not self.cumulative_delta and score > sign * held:
            waited = waited.put(self.best, sign * score)
        return waited.terminate() if waited.get(self.wait) >= self.patience else waited

    def _improved(self, state: State[T], best: float) -> State[T]:
        return (
            state.put(self.best, best)
            .put(self.best_epoch, state.epoch)
            .put(self.best_iteration, state.iteration)
            .put(self.wait, 0)
        )
