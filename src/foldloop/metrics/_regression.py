"""Mean absolute, mean squared and root mean squared error."""

from __future__ import annotations

import math
from typing import final

import attrs
import torch

from ._inputs import PredTarget, pred_target, same_shape
from ._mean import Mean, MeanOf, add_means, mean_value, sum_of


def _errors(output: PredTarget, power: int, owner: str) -> Mean:
    """The float64 sum of ``|y_pred - y| ** power`` over all elements, and their count."""
    y_pred, y = pred_target(output, owner)
    same_shape(y_pred, y, owner)
    if y_pred.is_complex() or y.is_complex():  # float64 would drop the imaginary part
        raise TypeError(
            f"{owner} takes real tensors, got dtypes {y_pred.dtype} and {y.dtype}; compare the "
            "real and imaginary parts with torch.view_as_real(y_pred), torch.view_as_real(y)"
        )
    difference = y_pred.to(torch.float64) - y.to(torch.float64)
    return sum_of(difference.abs() ** power, difference.numel())


@final
@attrs.frozen
class MeanAbsoluteError(MeanOf[PredTarget]):
    """The mean of ``|y_pred - y|`` over every element.

    ``y_pred`` and ``y`` must have the same shape. Every element counts once, so for
    ``(N, D)`` input this is scikit-learn's uniform average over the ``D`` outputs (Ignite
    divides by ``N`` instead).

    Example:
        >>> import torch
        >>> from foldloop.metrics import MeanAbsoluteError
        >>> mae = MeanAbsoluteError()
        >>> mae.compute(mae.fold([(torch.tensor([1.0, 3.0]), torch.tensor([2.0, 2.0]))]))
        1.0
    """

    def update(self, acc: Mean, output: PredTarget) -> Mean:
        return add_means(acc, _errors(output, 1, type(self).__name__))


@final
@attrs.frozen
class MeanSquaredError(MeanOf[PredTarget]):
    """The mean of ``(y_pred - y) ** 2`` over every element.

    ``y_pred`` and ``y`` must have the same shape; every element counts once.

    Example:
        >>> import torch
        >>> from foldloop.metrics import MeanSquaredError
        >>> mse = MeanSquaredError()
        >>> mse.compute(mse.fold([(torch.tensor([1.0, 4.0]), torch.tensor([2.0, 2.0]))]))
        2.5
    """

    def update(self, acc: Mean, output: PredTarget) -> Mean:
        return add_means(acc, _errors(output, 2, type(self).__name__))


@final
@attrs.frozen
class RootMeanSquaredError(MeanOf[PredTarget]):
    """The square root of the mean squared error.

    Example:
        >>> import torch
        >>> from foldloop.metrics import RootMeanSquaredError
        >>> rmse = RootMeanSquaredError()
        >>> rmse.compute(rmse.fold([(torch.tensor([3.0, -3.0]), torch.tensor([0.0, 0.0]))]))
        3.0
    """

    def update(self, acc: Mean, output: PredTarget) -> Mean:
        return add_means(acc, _errors(output, 2, type(self).__name__))

    def compute(self, acc: Mean) -> float:
        return math.sqrt(mean_value(acc, type(self).__name__))
