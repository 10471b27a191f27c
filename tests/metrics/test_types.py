"""Type tests: what mypy infers for metrics and their combinations, and what it refuses.

The project's ``mypy --strict`` run checks this file: each ``assert_type`` must hold, and each
line marked ``# type: ignore[code]`` must fail with that code (``warn_unused_ignores`` reports
an ignore that is no longer needed). The tests below also run the same lines, so every case is
valid at run time too.
"""

from __future__ import annotations

from typing import Any, assert_type

import torch
from torch import Tensor

from foldloop.metrics import (
    Accuracy,
    Average,
    ClassCounts,
    Counts,
    Fbeta,
    Loss,
    Metric,
    MetricDict,
    Precision,
    PredTarget,
    Recall,
    RunningAverage,
    Scalar,
    metrics,
)

Pair = tuple[Tensor, Tensor]
BATCH = (torch.tensor([1.0, 0.0]), torch.tensor([1.0, 1.0]))


def _reads_pairs(metric: Metric[Pair, Any, float]) -> None:
    """A consumer of pair outputs and float values (as a loop attaching a metric would be)."""


def _reads_strings(metric: Metric[str, Any, float]) -> None:
    """A consumer of string outputs."""


def test_values_follow_the_average() -> None:
    assert_type(Precision(), Precision[float])
    assert_type(Precision("macro"), Precision[float])
    assert_type(Recall(None), Recall[Tensor])
    assert_type(Fbeta(2.0, average=False), Fbeta[Tensor])
    precision, per_class = Precision(), Precision(None)
    assert_type(precision.compute(precision.fold([BATCH])), float)
    assert_type(per_class.compute(per_class.fold([BATCH])), Tensor)


def test_arithmetic_keeps_output_and_value_types() -> None:
    precision, recall = Precision(), Recall()
    f1 = 2 * precision * recall / (precision + recall)
    both = tuple[ClassCounts, ClassCounts]
    assert_type(f1, Metric[PredTarget, tuple[both, both], float])
    assert_type(Accuracy() * 100, Metric[PredTarget, Counts, float])
    _reads_pairs(f1)
    _ = Precision() + Precision(None)  # type: ignore[operator]  # float and tensor values


def test_outputs_are_checked() -> None:
    _reads_pairs(Accuracy())
    _reads_pairs(RunningAverage(src=Accuracy()))
    _reads_pairs(Precision(None))  # type: ignore[arg-type]  # its value is a tensor
    _reads_pairs(RunningAverage())  # type: ignore[arg-type]  # it reads scalars, not pairs
    _reads_strings(Accuracy())  # type: ignore[arg-type]  # it reads pairs, not strings
    assert_type(RunningAverage(), RunningAverage[Scalar])
    assert_type(Average(), Average)


def _length(text: str) -> Pair:
    return torch.tensor([len(text)]), torch.tensor([len(text)])


def test_transform_and_map_change_the_types() -> None:
    on_text = Accuracy().with_output_transform(_length)
    assert_type(on_text, Metric[str, Counts, float])
    _reads_strings(on_text)
    assert_type(Accuracy().map(str), Metric[PredTarget, Counts, str])


def test_metric_dicts_type_their_values() -> None:
    named = metrics(acc=Accuracy(), loss=Loss(torch.nn.functional.mse_loss))
    assert_type(named, MetricDict[PredTarget, float])
    assert_type(named.compute(named.fold([BATCH])), dict[str, float])
