"""Per-class counts and their averaging: the machinery behind precision, recall and F-beta."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from typing import Literal, NamedTuple, TypeAlias, TypeVar, cast

import torch
from torch import Tensor

from ._classify import Mode, indicators, infer_mode
from ._errors import NoDataError
from ._inputs import PredTarget, pred_target
from ._metric import Metric

V = TypeVar("V", covariant=True)

Averaged: TypeAlias = Literal["binary", "macro", "micro", "weighted"]
"""An average that gives one number: the positive class of binary input, or a mean of classes."""

PerClass: TypeAlias = Literal[False] | None
"""No average: one value per class."""

AVERAGES: tuple[Averaged | PerClass, ...] = ("binary", "macro", "micro", "weighted", None, False)

_Fraction: TypeAlias = Callable[[Tensor, Tensor, Tensor], tuple[Tensor, Tensor]]
"""``(true positives, predicted, actual) -> (numerator, denominator)`` of a per-class score."""


class ClassCounts(NamedTuple):
    """The counts behind precision, recall and F-beta.

    Samples seen (an ``int``: it comes from shapes) and, per class, int64 counts of true
    positives, predictions and true occurrences (0-d zeros until the first update fixes the
    number of classes).

    Example:
        >>> from foldloop.metrics import Precision
        >>> Precision().init().samples
        0
    """

    samples: int
    true_positives: Tensor
    predicted: Tensor
    actual: Tensor


def no_class_counts() -> ClassCounts:
    """Counts before any sample."""
    zero = torch.zeros((), dtype=torch.int64)
    return ClassCounts(0, zero, zero, zero)


def class_counts(
    output: PredTarget, mode: Mode | None, average: Averaged | PerClass, owner: str
) -> ClassCounts:
    """The counts of one batch (binary input counts as the two classes 0 and 1)."""
    y_pred, y = pred_target(output, owner)
    mode = infer_mode(y_pred, y, mode, owner)
    if average == "binary" and mode != "binary":
        raise ValueError(
            f"{owner}(average='binary') scores the positive class of binary input, but this "
            f"input is {mode} (y_pred {tuple(y_pred.shape)}, y {tuple(y.shape)}); choose "
            "average='macro', 'micro', 'weighted' or None."
        )
    predicted, truth = indicators(y_pred, y, mode, owner)
    return ClassCounts(
        predicted.shape[0],
        (predicted & truth).sum(dim=0),
        predicted.sum(dim=0),
        truth.sum(dim=0),
    )


def add_class_counts(left: ClassCounts, right: ClassCounts, owner: str) -> ClassCounts:
    """Both counts together, refusing a different number of classes."""
    if left.actual.ndim == right.actual.ndim == 1 and left.actual.shape != right.actual.shape:
        raise ValueError(
            f"{owner} counted {left.actual.shape[0]} classes before and "
            f"{right.actual.shape[0]} now; every batch must have the same classes."
        )
    return ClassCounts(
        left.samples + right.samples,
        left.true_positives + right.true_positives,
        left.predicted + right.predicted,
        left.actual + right.actual,
    )


def summarize(
    acc: ClassCounts,
    average: Averaged | PerClass,
    score: _Fraction,
    zero_division: int,
    owner: str,
) -> Tensor | float:
    """A per-class score of the counts, averaged as asked (no samples: ``NoDataError``)."""
    if acc.samples == 0:
        raise NoDataError(owner)
    counts = tuple(c.to(torch.float64) for c in (acc.true_positives, acc.predicted, acc.actual))
    if average == "micro":
        return float(_divide(*score(*(c.sum() for c in counts)), zero_division).item())
    per_class = _divide(*score(*counts), zero_division)
    if average == "binary":
        return float(per_class[1].item())
    if average == "macro":
        return float(per_class.mean().item())
    if average == "weighted":
        return _weighted(per_class, acc.actual)
    return per_class


def _divide(numerator: Tensor, denominator: Tensor, zero_division: int) -> Tensor:
    safe = torch.where(denominator == 0, 1.0, denominator)
    return torch.where(denominator == 0, float(zero_division), numerator / safe)


def _weighted(per_class: Tensor, support: Tensor) -> float:
    """The support-weighted mean; the plain mean when no class has support (as scikit-learn)."""
    total = support.sum()
    if int(total.item()) == 0:
        return float(per_class.mean().item())
    return float((per_class * support).sum().item() / total.item())


class ClassScore(Metric[PredTarget, ClassCounts, V]):
    """Abstract: a per-class score of ``ClassCounts``, averaged over classes as configured.

    Final subclasses are attrs classes with the fields below and one method, ``fraction``.
    """

    __slots__ = ()
    average: Averaged | PerClass
    mode: Mode | None
    zero_division: Literal[0, 1]

    @abstractmethod
    def fraction(
        self, true_positives: Tensor, predicted: Tensor, actual: Tensor
    ) -> tuple[Tensor, Tensor]:
        """The numerator and denominator of the score, per class (or summed, for micro)."""

    def init(self) -> ClassCounts:
        return no_class_counts()

    def update(self, acc: ClassCounts, output: PredTarget) -> ClassCounts:
        owner = type(self).__name__
        return add_class_counts(acc, class_counts(output, self.mode, self.average, owner), owner)

    def merge(self, left: ClassCounts, right: ClassCounts) -> ClassCounts:
        return add_class_counts(left, right, type(self).__name__)

    def compute(self, acc: ClassCounts) -> V:
        owner = type(self).__name__
        value = summarize(acc, self.average, self.fraction, self.zero_division, owner)
        return cast(V, value)  # each subclass's overloaded __init__ ties V to its average
