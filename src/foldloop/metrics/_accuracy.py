"""Accuracy and top-k accuracy: the fraction of samples predicted correctly."""

from __future__ import annotations

from operator import eq
from typing import NamedTuple, final

import attrs
import torch
from torch import Tensor

from ._classify import MODES, Mode, indicators, infer_mode
from ._errors import NoDataError
from ._inputs import (
    PredTarget,
    at_least,
    host_labels,
    integer_labels,
    labels_in_range,
    labels_within,
    one_of,
    pred_target,
    require_within,
    zero_one,
)
from ._metric import Metric
from ._signature import LastChecked, signature


class Counts(NamedTuple):
    """How many samples were correct (``correct``) out of how many (``total``, an ``int``).

    ``correct`` is counted where the data is: a Python ``int`` while every batch was in main
    memory (read there at no cost, and added with no tensor operation), an int64 0-d tensor on
    the data's device once a batch was on one (added there, so no batch waits for the device).

    Example:
        >>> from foldloop.metrics import Accuracy
        >>> Accuracy().init()
        Counts(correct=0, total=0)
    """

    correct: Tensor | int
    total: int


def _no_counts() -> Counts:
    return Counts(0, 0)


def _add_counts(left: Counts, right: Counts) -> Counts:
    return Counts(left.correct + right.correct, left.total + right.total)


def _add_correct(acc: Counts, correct: Tensor) -> Counts:
    """``acc`` having also seen the samples of the boolean ``correct`` (one entry a sample);
    counted as an ``int`` in main memory, as a tensor on a device."""
    hits = torch.count_nonzero(correct)
    return Counts(acc.correct + (int(hits) if hits.is_cpu else hits), acc.total + correct.numel())


def _add_multiclass(acc: Counts, y_pred: Tensor, y: Tensor, classes: int) -> Counts:
    """``acc`` having also seen multiclass ``(y_pred, y)`` (shapes and dtypes checked).

    The labels' range is checked on every batch. A small batch in main memory is compared as
    Python ints (its labels are read for that check anyway): two tensor operations fewer a
    batch (``==`` and ``count_nonzero``), and no wait on a device.
    """
    truth = host_labels(y) if y_pred.is_cpu else None
    if truth is None:
        labels = labels_within(y, classes, "y", "Accuracy")
        return _add_correct(acc, y_pred.argmax(dim=1) == labels)
    if not truth:
        return acc
    require_within(min(truth), max(truth), classes, "y", "Accuracy")
    predicted: list[int] = y_pred.argmax(dim=1).tolist()
    return Counts(acc.correct + sum(map(eq, predicted, truth)), acc.total + len(truth))


def _checked_mode(y_pred: Tensor, y: Tensor, mode: Mode | None, owner: str) -> Mode:
    """The mode of ``(y_pred, y)`` after every check of their shapes and dtypes."""
    mode = infer_mode(y_pred, y, mode, owner)
    if mode == "multiclass":
        integer_labels(y, "y", owner)
    return mode


def _ratio(acc: Counts, owner: str) -> float:
    if acc.total == 0:
        raise NoDataError(owner)
    return int(acc.correct) / acc.total


@final
@attrs.frozen
class Accuracy(Metric[PredTarget, Counts, float]):
    """The fraction of samples whose predicted class (or label set) is the true one.

    The input kind is inferred from shapes as in Ignite: ``y_pred`` of shape ``(N, C, ...)``
    with class scores and ``y`` of shape ``(N, ...)`` with labels is multiclass (the predicted
    class is the arg-max); ``y_pred`` and ``y`` of the same shape holding 0/1 are binary.
    Multilabel input (same shape ``(N, C, ...)``, 0/1) needs ``mode="multilabel"``, and a
    sample then counts as correct only when all its labels are (scikit-learn's subset accuracy).
    Extra dimensions ``...`` count as more samples.

    Attributes:
        mode: ``"binary"``, ``"multiclass"`` or ``"multilabel"``; ``None`` infers it.

    Example:
        >>> import torch
        >>> from foldloop.metrics import Accuracy
        >>> scores = torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
        >>> acc = Accuracy()
        >>> acc.compute(acc.update(acc.init(), (scores, torch.tensor([0, 1, 1]))))
        0.6666666666666666
    """

    mode: Mode | None = attrs.field(default=None, validator=one_of(*MODES))
    # The last (y_pred, y) shapes and dtypes that passed the checks of shapes and dtypes, and
    # the mode they gave: a cache of checks, not of data (no part of equality or the value).
    _checked: LastChecked[Mode] = attrs.field(factory=LastChecked, init=False, eq=False, repr=False)

    def init(self) -> Counts:
        return _no_counts()

    def update(self, acc: Counts, output: PredTarget) -> Counts:
        y_pred, y = pred_target(output, "Accuracy")
        key = signature(y_pred, y)
        mode = self._checked.get(key)
        if mode is None:  # a new signature: check shapes and dtypes, once for it
            mode = _checked_mode(y_pred, y, self.mode, "Accuracy")
            self._checked.put(key, mode)
        if mode == "multiclass":  # the arg-max against the label: no indicator matrices
            return _add_multiclass(acc, y_pred, y, key[0][1])
        if mode == "binary":  # one 0/1 prediction a sample: compare them as they are
            predicted = zero_one(y_pred, "binary y_pred", "Accuracy")
            return _add_correct(acc, predicted == zero_one(y, "binary y", "Accuracy"))
        predicted, truth = indicators(y_pred, y, mode, "Accuracy")
        return _add_correct(acc, (predicted == truth).all(dim=1))

    def merge(self, left: Counts, right: Counts) -> Counts:
        return _add_counts(left, right)

    def compute(self, acc: Counts) -> float:
        return _ratio(acc, type(self).__name__)


@final
@attrs.frozen
class TopKCategoricalAccuracy(Metric[PredTarget, Counts, float]):
    """The fraction of samples whose true class is among the ``k`` highest scores.

    Reads multiclass input only: ``y_pred`` of shape ``(N, C, ...)`` with class scores and
    ``y`` of shape ``(N, ...)`` with integer labels; ``k`` may not exceed ``C``.

    Attributes:
        k: how many of the highest-scoring classes count as a hit (at least 1).

    Example:
        >>> import torch
        >>> from foldloop.metrics import TopKCategoricalAccuracy
        >>> scores = torch.tensor([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7]])
        >>> top2 = TopKCategoricalAccuracy(k=2)
        >>> top2.compute(top2.update(top2.init(), (scores, torch.tensor([1, 0]))))
        0.5
    """

    k: int = attrs.field(default=5, validator=at_least(1))

    def init(self) -> Counts:
        return _no_counts()

    def update(self, acc: Counts, output: PredTarget) -> Counts:
        owner = type(self).__name__
        y_pred, y = pred_target(output, owner)
        infer_mode(y_pred, y, "multiclass", owner)
        classes = y_pred.shape[1]
        if self.k > classes:
            raise ValueError(
                f"{owner}(k={self.k}) needs at least {self.k} classes, but y_pred has "
                f"{classes} (shape {tuple(y_pred.shape)}); choose k <= {classes}."
            )
        top = y_pred.topk(self.k, dim=1).indices
        labels = labels_in_range(y, classes, "y", owner).unsqueeze(1)
        return _add_correct(acc, (top == labels).any(dim=1))

    def merge(self, left: Counts, right: Counts) -> Counts:
        return _add_counts(left, right)

    def compute(self, acc: Counts) -> float:
        return _ratio(acc, type(self).__name__)
