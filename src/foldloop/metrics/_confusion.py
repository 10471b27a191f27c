"""The confusion matrix of multiclass predictions."""

from __future__ import annotations

from typing import final

import attrs
import torch
from torch import Tensor

from ._classify import infer_mode
from ._errors import NoDataError
from ._inputs import PredTarget, at_least, labels_in_range, pred_target
from ._metric import Metric


@final
@attrs.frozen
class ConfusionMatrix(Metric[PredTarget, Tensor, Tensor]):
    """Counts of (true class, predicted class) pairs: an int64 ``(C, C)`` matrix.

    Row ``i``, column ``j`` counts samples of true class ``i`` predicted as ``j`` (the layout of
    scikit-learn and Ignite). ``y`` holds integer labels of shape ``(N, ...)``; ``y_pred`` holds
    either class scores of shape ``(N, C, ...)`` (the predicted class is the arg-max) or integer
    labels of the same shape as ``y``. Labels outside ``0 .. C-1`` are refused. The accumulator
    is the matrix itself; normalize the value with ``.map(...)`` if you need rates.

    Attributes:
        num_classes: ``C``, the number of classes (at least 1).

    Example:
        >>> import torch
        >>> from foldloop.metrics import ConfusionMatrix
        >>> cm = ConfusionMatrix(num_classes=3)
        >>> cm.compute(cm.fold([(torch.tensor([0, 2, 2, 1]), torch.tensor([0, 1, 2, 1]))]))
        tensor([[1, 0, 0],
                [0, 1, 1],
                [0, 0, 1]])
    """

    num_classes: int = attrs.field(validator=at_least(1))

    def init(self) -> Tensor:
        return torch.zeros((self.num_classes, self.num_classes), dtype=torch.int64)

    def update(self, acc: Tensor, output: PredTarget) -> Tensor:
        predicted, truth = self._labels(output)
        classes = self.num_classes
        pairs = torch.bincount(truth * classes + predicted, minlength=classes * classes)
        return acc.to(pairs.device) + pairs.reshape(classes, classes)

    def merge(self, left: Tensor, right: Tensor) -> Tensor:
        return left + right

    def compute(self, acc: Tensor) -> Tensor:
        if int(acc.sum().item()) == 0:
            raise NoDataError(type(self).__name__)
        return acc.clone()

    def _labels(self, output: PredTarget) -> tuple[Tensor, Tensor]:
        """Predicted and true labels of a batch, flattened, checked against ``num_classes``."""
        owner = type(self).__name__
        y_pred, y = pred_target(output, owner)
        if y_pred.ndim == y.ndim + 1:
            infer_mode(y_pred, y, "multiclass", owner)
            if y_pred.shape[1] != self.num_classes:
                raise ValueError(
                    f"{owner}(num_classes={self.num_classes}) got y_pred with "
                    f"{y_pred.shape[1]} class scores (shape {tuple(y_pred.shape)}); the "
                    "second dimension of y_pred must be num_classes."
                )
            y_pred = y_pred.argmax(dim=1)
        elif y_pred.shape != y.shape or y_pred.dtype.is_floating_point:
            raise ValueError(
                f"{owner} needs y_pred of class scores (N, C, ...) or of integer labels shaped "
                f"like y (N, ...); got y_pred {tuple(y_pred.shape)} of dtype {y_pred.dtype} "
                f"and y {tuple(y.shape)}. Multilabel input is not supported."
            )
        classes = self.num_classes
        return (
            labels_in_range(y_pred, classes, "y_pred", owner).flatten(),
            labels_in_range(y, classes, "y", owner).flatten(),
        )
