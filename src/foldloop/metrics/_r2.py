"""The coefficient of determination, with numerically stable mergeable moments."""

from __future__ import annotations

from typing import NamedTuple, final

import attrs
import torch
from torch import Tensor

from ._errors import NoDataError
from ._inputs import PredTarget, pred_target, same_shape
from ._metric import Metric


class Moments(NamedTuple):
    """Mergeable moments of a regression target and of its prediction errors.

    The sample count (an ``int``: it comes from shapes), then float64 0-d tensors: the mean of
    ``y``, the sum of squared deviations of ``y`` from that mean and the sum of squared errors.

    Merging uses Chan et al.'s pairwise update of the mean and the squared deviations, which
    stays accurate when ``y`` has a large mean and a small spread (a plain ``sum(y ** 2)``
    would lose every digit).

    Example:
        >>> from foldloop.metrics import R2Score
        >>> R2Score().init().samples
        0
    """

    samples: int
    mean: Tensor
    deviations: Tensor
    squared_errors: Tensor


def _no_moments() -> Moments:
    zero = torch.zeros((), dtype=torch.float64)
    return Moments(0, zero, zero, zero)


def _moments(y_pred: Tensor, y: Tensor) -> Moments:
    if y.numel() == 0:
        return _no_moments()
    y = y.to(torch.float64)
    mean = y.mean()
    return Moments(
        y.numel(),
        mean,
        ((y - mean) ** 2).sum(),
        ((y_pred.to(torch.float64) - y) ** 2).sum(),
    )


def _merge(left: Moments, right: Moments) -> Moments:
    count = left.samples + right.samples
    share = right.samples / max(count, 1)
    delta = right.mean - left.mean
    return Moments(
        count,
        left.mean + delta * share,
        left.deviations + right.deviations + delta**2 * left.samples * share,
        left.squared_errors + right.squared_errors,
    )


@final
@attrs.frozen
class R2Score(Metric[PredTarget, Moments, float]):
    """The coefficient of determination ``1 - SSE / SST`` of one regression output.

    ``y_pred`` and ``y`` must both have shape ``(N,)`` or ``(N, 1)``. It needs at least two
    samples. When all ``y`` are equal (``SST == 0``) it answers as scikit-learn does: ``1.0``
    for perfect predictions, ``0.0`` otherwise.

    Example:
        >>> import torch
        >>> from foldloop.metrics import R2Score
        >>> r2 = R2Score()
        >>> r2.compute(r2.fold([(torch.tensor([1.0, 2.0, 2.0]), torch.tensor([1.0, 2.0, 3.0]))]))
        0.5
    """

    def init(self) -> Moments:
        return _no_moments()

    def update(self, acc: Moments, output: PredTarget) -> Moments:
        owner = type(self).__name__
        y_pred, y = pred_target(output, owner)
        same_shape(y_pred, y, owner)
        if y.ndim not in (1, 2) or (y.ndim == 2 and y.shape[1] != 1):
            raise ValueError(
                f"{owner} scores one output: y_pred and y must have shape (N,) or (N, 1), got "
                f"{tuple(y.shape)}; use one R2Score per output column."
            )
        return _merge(acc, _moments(y_pred, y))

    def merge(self, left: Moments, right: Moments) -> Moments:
        return _merge(left, right)

    def compute(self, acc: Moments) -> float:
        count = acc.samples
        if count < 2:
            raise NoDataError(type(self).__name__, needed=2, seen=count)
        errors, spread = float(acc.squared_errors.item()), float(acc.deviations.item())
        if spread == 0.0:
            return 1.0 if errors == 0.0 else 0.0
        return 1.0 - errors / spread
