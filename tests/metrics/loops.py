"""Small real loops for the metric attachment tests: a linear classifier and its evaluator.

The state value holds the weight ``w`` (4 features, 3 classes) and the last step's output
``(y_pred, y)`` with its mean loss. Training is plain SGD on the cross-entropy, out of place;
evaluation only computes ``x @ w``. Data are fixed batches drawn from a seeded generator.
"""

from __future__ import annotations

import attrs
import torch
from torch import Tensor

from foldloop import Loop, State

from .strategies import Pair, nll

FEATURES, CLASSES = 4, 3
NO_OUTPUT: Pair = (torch.zeros(0, CLASSES), torch.zeros(0, dtype=torch.int64))


@attrs.frozen(eq=False)
class Model:
    """The state value of both loops: weights, and what the last step computed."""

    w: Tensor
    output: Pair = NO_OUTPUT
    loss: Tensor = attrs.field(factory=lambda: torch.zeros(()))


def output_of(model: Model) -> Pair:
    """What prediction metrics read."""
    return model.output


def loss_of(model: Model) -> Tensor:
    """What averages of the loss read."""
    return model.loss


def initial() -> Model:
    """Seeded starting weights."""
    return Model(torch.randn(FEATURES, CLASSES, generator=torch.Generator().manual_seed(0)))


def batches(count: int, size: int = 5, seed: int = 1) -> list[Pair]:
    """``count`` batches of ``size`` samples whose class depends on the features."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(count * size, FEATURES, generator=g)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0.5).long()
    return list(zip(torch.split(x, size), torch.split(y, size), strict=True))


def eval_step(state: State[Model], batch: Pair) -> State[Model]:
    """Predict the batch with the current weights."""
    x, y = batch
    y_pred = x @ state.value.w
    return state.replace(value=attrs.evolve(state.value, output=(y_pred, y), loss=nll(y_pred, y)))


def _loss(w: Tensor, x: Tensor, y: Tensor) -> Tensor:
    return nll(x @ w, y)


def train_step(state: State[Model], batch: Pair) -> State[Model]:
    """One SGD step; the output is the prediction before the update, as in Ignite's trainer."""
    x, y = batch
    w = state.value.w
    grad, loss = torch.func.grad_and_value(_loss)(w, x, y)
    return state.replace(value=Model(w - 0.5 * grad, (x @ w, y), loss.detach()))


def trainer() -> Loop[Model, Pair]:
    """A loop of ``train_step`` with nothing attached."""
    return Loop(train_step)


def evaluator() -> Loop[Model, Pair]:
    """A loop of ``eval_step`` with nothing attached."""
    return Loop(eval_step)
