"""Reduce the learning rate when a score stops improving (torch's ``ReduceLROnPlateau``)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import attrs

from foldloop.core import Slot, State
from foldloop.train import TrainState, multiplier_of, with_multiplier

from ._checks import require_choice, require_count, require_number
from ._scores import read_score, require_score


class ReduceLROnPlateau:
    """A transition that multiplies the learning rate by ``factor`` when the score plateaus.

    The learning rate it changes is a multiplier in the optimizer's state: chain
    ``scale_by_multiplier()`` into the optimizer (``chain(sgd(lr=0.1),
    scale_by_multiplier())``), and the effective learning rate is ``lr * multiplier``. Its
    decisions are those of ``torch.optim.lr_scheduler.ReduceLROnPlateau`` stepped with the
    same scores, with the multiplier in place of torch's learning rate (torch started at
    ``lr=1.0`` gives the same numbers): ``min_multiplier`` is torch's ``min_lr / lr`` and
    ``eps`` is compared with the change of the multiplier. Its memory is in slots:

    - ``best``: the best score so far (``inf``, or ``-inf`` in mode ``"max"``, before any);
    - ``bad``: firings without improvement (torch's ``num_bad_epochs``);
    - ``cooldown_left``: firings left before bad ones count again (``cooldown_counter``).

    Raises:
        ValueError: ``factor`` outside (0, 1), a negative ``patience``, ``cooldown``,
            ``threshold``, ``min_multiplier`` or ``eps``, or an unknown mode.
        TypeError: ``score`` is neither a slot, a metric's name nor a function.

    Example:
        >>> import torch
        >>> from torch import nn
        >>> from foldloop import EpochCompleted, Loop
        >>> from foldloop.train import chain, init_train_state, scale_by_multiplier, sgd
        >>> optimizer = chain(sgd(lr=0.1), scale_by_multiplier())
        >>> start = init_train_state(nn.Linear(1, 1), optimizer)
        >>> plateau = ReduceLROnPlateau(lambda s: 1.0, factor=0.5, patience=1)
        >>> loop: Loop[TrainState, int] = Loop(lambda s, b: s)
        >>> _ = loop.attach(EpochCompleted, plateau)
        >>> final = loop.run(start, [0], max_epochs=6)
        >>> multiplier_of(final.value.opt_state)
        0.25
    """

    def __init__(
        self,
        score: Slot[float] | str | Callable[[State[TrainState]], float],
        *,
        mode: Literal["min", "max"] = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: Literal["rel", "abs"] = "rel",
        cooldown: int = 0,
        min_multiplier: float = 0.0,
        eps: float = 1e-8,
        name: str = "plateau",
    ) -> None:
        owner = "ReduceLROnPlateau"
        require_score(owner, score)
        self.score = score
        self.mode = require_choice(owner, "mode", mode, ("min", "max"))
        self.factor = require_number(owner, "factor", factor, low=0.0, high=1.0)
        if not 0 < self.factor < 1:
            raise ValueError(f"{owner}: factor must be in (0, 1), got {factor!r}")
        self.patience = require_count(owner, "patience", patience, 0)
        self.threshold = require_number(owner, "threshold", threshold, low=0.0, high=math.inf)
        self.threshold_mode = require_choice(
            owner, "threshold_mode", threshold_mode, ("rel", "abs")
        )
        self.cooldown = require_count(owner, "cooldown", cooldown, 0)
        self.min_multiplier = require_number(
            owner, "min_multiplier", min_multiplier, low=0.0, high=math.inf
        )
        self.eps = require_number(owner, "eps", eps, low=0.0, high=math.inf)
        worst = math.inf if self.mode == "min" else -math.inf
        self.best: Slot[float] = Slot(f"{name}/best", worst)
        self.bad: Slot[int] = Slot(f"{name}/bad", 0)
        self.cooldown_left: Slot[int] = Slot(f"{name}/cooldown_left", 0)

    def __repr__(self) -> str:
        return f"ReduceLROnPlateau(mode={self.mode!r}, factor={self.factor}, ...)"

    def __call__(self, state: State[TrainState]) -> State[TrainState]:
        """The next state: counters updated, the multiplier reduced after a plateau.

        Example:
            >>> import torch
            >>> from foldloop.testing import make_state
            >>> from foldloop.train import chain, scale_by_multiplier, sgd
            >>> optimizer = chain(sgd(lr=0.1), scale_by_multiplier())
            >>> params = {"w": torch.zeros(1)}
            >>> plateau = ReduceLROnPlateau(lambda s: 2.0, patience=0)
            >>> state = make_state(TrainState(params, {}, optimizer.init(params)),
            ...                    slots={plateau.best: 1.0})
            >>> multiplier_of(plateau(state).value.opt_state)
            0.1
        """
        current = read_score("ReduceLROnPlateau", self.score, state)
        bad = state.get(self.bad) + 1
        if self._is_better(current, state.get(self.best)):
            state, bad = state.put(self.best, current), 0
        cooldown_left = state.get(self.cooldown_left)
        if cooldown_left > 0:
            cooldown_left, bad = cooldown_left - 1, 0
        if bad > self.patience:
            state, cooldown_left, bad = self._reduced(state), self.cooldown, 0
        return state.put(self.bad, bad).put(self.cooldown_left, cooldown_left)

    def _is_better(self, current: float, best: float) -> bool:
        if self.mode == "min" and self.threshold_mode == "rel":
            return current < best * (1.0 - self.threshold)
        if self.mode == "min":
            return current < best - self.threshold
        if self.threshold_mode == "rel":
            return current > best * (self.threshold + 1.0)
        return current > best + self.threshold

    def _reduced(self, state: State[TrainState]) -> State[TrainState]:
        train = state.value
        old = multiplier_of(train.opt_state)
        new = max(old * self.factor, self.min_multiplier)
        if not old - new > self.eps:
            return state
        opt_state = with_multiplier(train.opt_state, new)
        return state.replace(value=attrs.evolve(train, opt_state=opt_state))
