"""Composition (arithmetic, map, output transforms, dicts) and what accumulators are made of."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import optree
import pytest
import torch
from hypothesis import assume, given, settings
from torch import Tensor

from foldloop.metrics import (
    Accuracy,
    Average,
    ConfusionMatrix,
    Fbeta,
    Loss,
    MeanAbsoluteError,
    Metric,
    MetricDict,
    Precision,
    R2Score,
    Recall,
    RunningAverage,
    TopKCategoricalAccuracy,
    metrics,
)

from .compare import assert_same_value
from .strategies import Pair, binary_batches, multiclass_batches

t = torch.tensor


@settings(max_examples=30)
@given(batches=binary_batches())
def test_f1_by_arithmetic_is_fbeta_1(batches: list[Pair]) -> None:
    assume(any(b[1].numel() for b in batches))
    precision, recall, f1 = Precision(), Recall(), Fbeta(1.0)
    p, r = precision.compute(precision.fold(batches)), recall.compute(recall.fold(batches))
    assume(p + r > 0)  # else the formula divides by zero, which Fbeta answers with 0
    built = 2 * precision * recall / (precision + recall)
    assert_same_value(built.compute(built.fold(batches)), f1.compute(f1.fold(batches)))


@settings(max_examples=30)
@given(batches=multiclass_batches())
def test_per_class_f1_by_arithmetic_is_fbeta_1_where_defined(batches: list[Pair]) -> None:
    assume(any(b[1].numel() for b in batches))
    precision, recall, f1 = Precision(None), Recall(None), Fbeta(1.0, None)
    built = 2 * precision * recall / (precision + recall)
    value, expected = built.compute(built.fold(batches)), f1.compute(f1.fold(batches))
    defined = ~value.isnan()
    torch.testing.assert_close(value[defined], expected[defined])
    assert bool((expected[~defined] == 0).all())  # 0 / 0 in the formula; Fbeta gives 0


def test_arithmetic_with_numbers_on_either_side() -> None:
    batches = [(t([1, 0, 1, 1]), t([1, 1, 1, 1]))]  # accuracy 0.75
    cases: list[tuple[Metric[Pair, Any, float], float]] = [
        (Accuracy() + 1, 1.75),
        (1 + Accuracy(), 1.75),
        (Accuracy() - 1, -0.25),
        (1 - Accuracy(), 0.25),
        (Accuracy() * 4, 3.0),
        (4 * Accuracy(), 3.0),
        (Accuracy() / 3, 0.25),
        (3 / Accuracy(), 4.0),
        (Accuracy() - Accuracy(), 0.0),
    ]
    for metric, expected in cases:
        assert metric.compute(metric.fold(batches)) == pytest.approx(expected)


def test_one_update_feeds_every_part_of_a_combination() -> None:
    built = Accuracy() + MeanAbsoluteError()
    acc = built.update(built.init(), (t([1.0, 0.0]), t([1.0, 1.0])))
    assert acc[0].total == 2 and acc[1].samples == 2
    assert built.compute(acc) == 1.0


def _logits_and_label(out: Mapping[str, Any]) -> Pair:
    return out["logits"], out["label"]


def test_map_and_output_transform() -> None:
    percent = Accuracy().map(lambda v: round(100 * v))
    outputs = [{"logits": t([[0.2, 0.8], [0.9, 0.1]]), "label": t([1, 1]), "loss": 0.3}]
    picked = percent.with_output_transform(_logits_and_label)
    assert picked.compute(picked.fold(outputs)) == 50


def test_mapping_outputs_and_list_pairs_are_read() -> None:
    accuracy = Accuracy()
    as_dict = {"y_pred": t([1, 0]), "y": t([1, 1]), "loss": t(0.5)}
    as_list: Any = [t([1]), t([1])]  # Any: lists are read too, though the type says tuple
    assert accuracy.compute(accuracy.fold([as_dict, as_list])) == 2 / 3


def test_metric_dict_is_one_pass_over_its_metrics() -> None:
    batches = [(t([[0.1, 0.9], [0.6, 0.4]]), t([1, 1])), (t([[0.3, 0.7]]), t([0]))]
    parts: dict[str, Metric[Pair, Any, Any]] = {
        "acc": Accuracy(),
        "top1": TopKCategoricalAccuracy(1),
        "cm": ConfusionMatrix(2),
        "recall": Recall(None),
    }
    together = MetricDict(parts)
    value = together.compute(together.fold(batches))
    assert list(value) == list(parts)
    for name, metric in parts.items():
        assert_same_value(value[name], metric.compute(metric.fold(batches)))
    assert metrics(parts) == together == metrics(**parts)
    assert MetricDict({}).compute(MetricDict({}).init()) == {}


ALL: list[tuple[Metric[Any, Any, Any], object]] = [
    (Accuracy(), (t([[0.1, 0.9]]), t([1]))),
    (Precision(None), (t([[0.1, 0.9]]), t([1]))),
    (ConfusionMatrix(2), (t([[0.1, 0.9]]), t([1]))),
    (R2Score(), (t([1.0, 2.0]), t([1.5, 2.5]))),
    (Average(), t(2.0)),
    (RunningAverage(), 3.0),
    (metrics(acc=Accuracy(), f=Fbeta(1.0)), (t([1]), t([1]))),
]


@pytest.mark.parametrize(("metric", "output"), ALL, ids=lambda x: type(x).__name__)
def test_accumulators_are_pytrees_of_tensors_and_sample_counts(
    metric: Metric[Any, Any, Any], output: object
) -> None:
    """Sums of values are int64/float64 tensors, or Python ints and floats where they were
    summed in main memory; how many samples were seen is an ``int`` (it comes from shapes, so
    counting it costs no tensor operation and no device sync)."""
    for acc in (metric.init(), metric.update(metric.init(), output)):
        for leaf in optree.tree_leaves(acc):
            if isinstance(leaf, Tensor):
                assert leaf.dtype in (torch.int64, torch.float64), leaf
            else:
                assert type(leaf) in (int, float) and leaf >= 0, leaf


def test_inputs_that_require_grad_leave_no_graph_in_accumulators() -> None:
    y_pred = torch.tensor([0.5, 1.5], requires_grad=True)
    batch = (y_pred * 2, t([1.0, 3.0]))
    scale = torch.tensor(2.0, requires_grad=True)  # a loss with a parameter of its own

    def scaled_mse(y_pred: Tensor, y: Tensor) -> Tensor:
        return scale * torch.nn.functional.mse_loss(y_pred, y)

    regression: list[Metric[Pair, Any, float]] = [
        MeanAbsoluteError(),
        Loss(torch.nn.functional.mse_loss),
        Loss(scaled_mse),
        R2Score(),
    ]
    for metric in regression:
        for leaf in optree.tree_leaves(metric.fold([batch])):
            assert not isinstance(leaf, Tensor) or not leaf.requires_grad


def test_loss_weighs_batches_by_size_and_skips_empty_ones() -> None:
    loss = Loss(torch.nn.functional.l1_loss)
    empty = (torch.zeros(0), torch.zeros(0))
    batches = [(t([1.0, 1.0, 1.0]), t([0.0, 0.0, 0.0])), empty, (t([5.0]), t([0.0]))]
    assert loss.compute(loss.fold(batches)) == 2.0


def test_running_average_depends_on_order_and_merge_means_then() -> None:
    running = RunningAverage(alpha=0.5)
    assert running.compute(running.fold([0.0, 4.0])) == 2.0
    assert running.compute(running.fold([4.0, 0.0])) == 2.0
    assert running.compute(running.fold([0.0, 0.0, 4.0])) == 2.0
    assert running.compute(running.fold([4.0, 0.0, 0.0])) == 1.0
    earlier, later = running.fold([4.0]), running.fold([0.0, 0.0])
    assert running.compute(running.merge(earlier, later)) == 1.0
    assert running.compute(running.merge(later, earlier)) == 2.0


def test_running_average_matches_its_recurrence() -> None:
    values = [0.3, -1.0, 2.5, 7.0, 0.0]
    expected = values[0]
    for value in values[1:]:
        expected = 0.9 * expected + 0.1 * value
    running = RunningAverage(alpha=0.9)
    assert math.isclose(running.compute(running.fold(values)), expected, rel_tol=1e-12)


def test_metrics_are_comparable_values() -> None:
    assert Accuracy() == Accuracy() and hash(Accuracy()) == hash(Accuracy())
    assert Precision("macro") != Precision("micro")
    assert Fbeta(2.0) == Fbeta(2.0, "binary", mode=None, zero_division=0)
