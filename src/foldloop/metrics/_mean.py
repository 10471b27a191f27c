"""Weighted means: the average of a scalar output, and the mean of a loss function."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, final

import attrs
import torch
from torch import Tensor

from ._errors import NoDataError
from ._inputs import PredTarget, Scalar, pred_target, scalar
from ._metric import Metric, Out


class Mean(NamedTuple):
    """A float64 sum of values (``total``) and how many values were summed (an ``int``).

    ``total`` is summed where the values are: a Python ``float`` (a float64) while they were in
    main memory and single numbers (a CPU batch's loss), a float64 0-d tensor on the values'
    device otherwise (added there, so no batch waits for the device).

    Example:
        >>> from foldloop.metrics import Average
        >>> Average().init()
        Mean(total=0.0, samples=0)
    """

    total: Tensor | float
    samples: int


def no_mean() -> Mean:
    """The empty sum."""
    return Mean(0.0, 0)


def add_means(left: Mean, right: Mean) -> Mean:
    """Both sums together."""
    return Mean(left.total + right.total, left.samples + right.samples)


def sum_of(values: Tensor, count: int) -> Mean:
    """The float64 sum of ``values`` counted as ``count`` values."""
    return Mean(values.sum(dtype=torch.float64), count)


def mean_value(acc: Mean, owner: str) -> float:
    """``total / count``, refusing an empty sum."""
    if acc.samples == 0:
        raise NoDataError(owner)
    return float(acc.total) / acc.samples


def _plus_scaled(total: Tensor | float, loss: Tensor, scale: int) -> Tensor:
    """``total + scale * loss`` in float64 on the loss's device: one op (two for a first
    ``total`` that is still a number)."""
    if not isinstance(total, Tensor):
        total = torch.full((), total, dtype=torch.float64, device=loss.device)
    return torch.add(total, loss, alpha=scale)


@attrs.frozen
class MeanOf(Metric[Out, Mean, float]):
    """A metric that keeps a `Mean`: it starts from the empty sum, merges by adding, and
    computes the mean; each subclass says what an output adds (``update``). The base of
    `Average`, `Loss` and the regression errors."""

    def init(self) -> Mean:
        return no_mean()

    def merge(self, left: Mean, right: Mean) -> Mean:
        return add_means(left, right)

    def compute(self, acc: Mean) -> float:
        return mean_value(acc, type(self).__name__)


@final
@attrs.frozen
class Average(MeanOf[Scalar]):
    """The mean of a scalar output (a number, a 0-d tensor, or a 1-d tensor of values).

    A number or 0-d tensor counts as one value; a 1-d tensor counts as one value per element,
    so batches of different sizes are weighted by their sizes. (Ignite's ``Average`` treats a
    1-d tensor as one vector-valued sample instead.)

    Example:
        >>> import torch
        >>> from foldloop.metrics import Average
        >>> avg = Average()
        >>> avg.compute(avg.fold([1.0, torch.tensor(2.0), torch.tensor([3.0, 6.0])]))
        3.0
    """

    def update(self, acc: Mean, output: Scalar) -> Mean:
        if isinstance(output, Tensor) and output.ndim == 1:
            return add_means(acc, sum_of(output.detach(), output.numel()))
        return add_means(acc, sum_of(scalar(output, type(self).__name__), 1))


@final
@attrs.frozen
class Loss(MeanOf[PredTarget]):
    """The mean of ``loss_fn(y_pred, y)`` over all samples, each batch weighted by its size.

    ``loss_fn`` must return the batch's mean loss as a 0-d tensor (``reduction="mean"``); the
    batch size is ``y.shape[0]``. The sum keeps no autograd graph.

    Attributes:
        loss_fn: a function ``(y_pred, y) -> 0-d tensor``, e.g. ``torch.nn.functional.mse_loss``.

    Example:
        >>> import torch
        >>> from foldloop.metrics import Loss
        >>> loss = Loss(torch.nn.functional.l1_loss)
        >>> batches = [(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0])),
        ...            (torch.tensor([4.0]), torch.tensor([0.0]))]
        >>> loss.compute(loss.fold(batches))
        1.6666666666666667
    """

    loss_fn: Callable[[Tensor, Tensor], Tensor]

    def update(self, acc: Mean, output: PredTarget) -> Mean:
        y_pred, y = pred_target(output, "Loss")
        shape = y.shape  # (read once: each read builds a torch.Size)
        if not shape:
            raise ValueError("Loss needs y with a batch dimension, got a 0-d tensor.")
        batch = shape[0]
        if batch == 0:
            return acc  # the mean loss of an empty batch is nan, and it weighs nothing
        loss = self.loss_fn(y_pred, y)  # on detached input: no graph, unless loss_fn has one
        if loss.requires_grad:  # (parameters of its own): the sum keeps none of it
            loss = loss.detach()
        if loss.ndim:
            raise ValueError(
                "Loss: loss_fn must return the batch's mean loss as a 0-d tensor, got "
                f"shape {tuple(loss.shape)}; use reduction='mean'."
            )
        if loss.is_cpu:  # read at no cost (no device to wait on): added as a Python float
            return Mean(acc.total + loss.item() * batch, acc.samples + batch)
        return Mean(_plus_scaled(acc.total, loss, batch), acc.samples + batch)
