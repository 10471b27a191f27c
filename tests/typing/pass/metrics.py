"""Metrics: an averaged score computes a float, a per-class one a tensor, by the overloads."""

from typing import assert_type

from torch import Tensor

from foldloop.metrics import ClassCounts, Fbeta, Precision, Recall

assert_type(Precision(), Precision[float])
assert_type(Precision("macro", zero_division=1), Precision[float])
assert_type(Precision(None), Precision[Tensor])
assert_type(Recall(average="weighted"), Recall[float])
assert_type(Recall(average=False, mode="multilabel"), Recall[Tensor])
assert_type(Fbeta(0.5), Fbeta[float])
assert_type(Fbeta(2.0, None), Fbeta[Tensor])


def per_class_recall(counts: ClassCounts) -> Tensor:
    return Recall(average=None).compute(counts)


def macro_precision(counts: ClassCounts) -> float:
    return Precision("macro").compute(counts)
