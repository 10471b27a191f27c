"""The metrics agree with scikit-learn on generated data, edge cases included."""

from __future__ import annotations

import math
from typing import Any, Literal

import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn import metrics as sk

from foldloop.metrics import (
    Accuracy,
    ConfusionMatrix,
    Fbeta,
    MeanAbsoluteError,
    MeanSquaredError,
    Mode,
    Precision,
    R2Score,
    Recall,
    RootMeanSquaredError,
    TopKCategoricalAccuracy,
)

from .oracle import check_against, check_no_data, concat, labels_of, numpy, samples
from .strategies import (
    Pair,
    binary_batches,
    multiclass_batches,
    multilabel_batches,
    regression_batches,
)

Kind = Literal["binary", "multiclass", "multilabel"]
KINDS: dict[Kind, st.SearchStrategy[list[Pair]]] = {
    "binary": binary_batches(),
    "multiclass": multiclass_batches(1, 4),
    "multilabel": multilabel_batches(),
}


def _classes(kind: Kind, batches: list[Pair]) -> int:
    return 2 if kind == "binary" else batches[0][0].shape[1]


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=30)
@given(data=st.data())
def test_accuracy(kind: Kind, data: st.DataObject) -> None:
    batches = data.draw(KINDS[kind])
    metric = Accuracy(mode="multilabel") if kind == "multilabel" else Accuracy()
    if samples(batches) == 0:
        return check_no_data(metric, batches)
    y_pred, y = concat(batches)
    check_against(metric, batches, sk.accuracy_score(numpy(y), labels_of(y_pred, y)))


AVERAGES: list[tuple[Kind, Any]] = [
    ("binary", "binary"),
    *((kind, average) for kind in KINDS for average in ("macro", "micro", "weighted", None)),
]


@pytest.mark.parametrize(("kind", "average"), AVERAGES)
@settings(max_examples=25)
@given(data=st.data(), zero_division=st.sampled_from([0, 1]))
def test_precision_recall_fbeta(
    kind: Kind, average: Any, zero_division: Literal[0, 1], data: st.DataObject
) -> None:
    batches = data.draw(KINDS[kind])
    beta = data.draw(st.sampled_from([0.5, 1.0, 2.0, 3.7]), label="beta")
    mode: Mode | None = "multilabel" if kind == "multilabel" else None
    ours = [
        Precision(average, mode=mode, zero_division=zero_division),
        Recall(average, mode=mode, zero_division=zero_division),
        Fbeta(beta, average, mode=mode, zero_division=zero_division),
    ]
    if samples(batches) == 0:
        for metric in ours:
            check_no_data(metric, batches)
        return
    y_pred, y = concat(batches)
    labels = None if average == "binary" else list(range(_classes(kind, batches)))
    expected = sk.precision_recall_fscore_support(
        numpy(y),
        labels_of(y_pred, y),
        beta=beta,
        labels=labels,
        average=average,
        zero_division=zero_division,
    )
    for metric, value in zip(ours, expected[:3], strict=True):
        check_against(metric, batches, value)


@settings(max_examples=30)
@given(batches=multiclass_batches(2, 4), as_labels=st.booleans())
def test_confusion_matrix(batches: list[Pair], as_labels: bool) -> None:
    assume(batches)
    classes = batches[0][0].shape[1]
    if as_labels:
        batches = [(scores.argmax(dim=1), y) for scores, y in batches]
    metric = ConfusionMatrix(classes)
    if samples(batches) == 0:
        return check_no_data(metric, batches)
    y_pred, y = concat(batches)
    expected = sk.confusion_matrix(numpy(y), labels_of(y_pred, y), labels=list(range(classes)))
    check_against(metric, batches, expected)


@settings(max_examples=30)
@given(batches=multiclass_batches(3, 5), data=st.data())
def test_top_k_accuracy(batches: list[Pair], data: st.DataObject) -> None:
    assume(samples(batches) > 0)
    y_pred, y = concat(batches)
    classes = y_pred.shape[1]
    k = data.draw(st.integers(1, classes - 1), label="k")  # scikit-learn warns for k >= C
    expected = sk.top_k_accuracy_score(numpy(y), numpy(y_pred), k=k, labels=list(range(classes)))
    check_against(TopKCategoricalAccuracy(k), batches, expected)


@settings(max_examples=30)
@given(batches=regression_batches())
def test_regression_errors(batches: list[Pair]) -> None:
    ours = [MeanAbsoluteError(), MeanSquaredError(), RootMeanSquaredError()]
    if samples(batches) == 0:
        for metric in ours:
            check_no_data(metric, batches)
        return
    y_pred, y = (numpy(t) for t in concat(batches))
    check_against(ours[0], batches, sk.mean_absolute_error(y, y_pred))
    check_against(ours[1], batches, sk.mean_squared_error(y, y_pred))
    check_against(ours[2], batches, sk.root_mean_squared_error(y, y_pred))


@settings(max_examples=30)
@given(batches=regression_batches())
def test_r2(batches: list[Pair]) -> None:
    if samples(batches) < 2:
        return check_no_data(R2Score(), batches)
    y_pred, y = concat(batches)
    assume(float(y.var()) > 1e-3)  # a near-constant y makes R² ill-conditioned
    check_against(R2Score(), batches, sk.r2_score(numpy(y), numpy(y_pred)))


@pytest.mark.parametrize("y_pred", [[2.0, 2.0, 2.0], [2.0, 3.0, 2.0]])
def test_r2_of_a_constant_target_follows_sklearn(y_pred: list[float]) -> None:
    batches = [(torch.tensor(y_pred), torch.tensor([2.0, 2.0, 2.0]))]
    expected = sk.r2_score([2.0, 2.0, 2.0], y_pred)
    check_against(R2Score(), batches, expected)
    assert not math.isnan(expected)


def test_r2_keeps_its_digits_where_sums_of_squares_would_not() -> None:
    y = torch.tensor([1e9 + 1.0, 1e9 + 2.0, 1e9 + 3.0, 1e9 + 4.0], dtype=torch.float64)
    y_pred = y + torch.tensor([0.5, -0.5, 0.5, -0.5], dtype=torch.float64)
    batches = [(y_pred[:1], y[:1]), (y_pred[1:], y[1:])]
    check_against(R2Score(), batches, sk.r2_score(numpy(y), numpy(y_pred)))


@pytest.mark.parametrize(
    ("y_pred", "y"),
    [
        pytest.param([1], [1], id="one sample"),
        pytest.param([0, 0, 0], [0, 0, 0], id="one class, never positive"),
        pytest.param([1, 1, 1], [1, 1, 1], id="one class, always positive"),
        pytest.param([0, 0, 0], [1, 0, 1], id="positive class never predicted"),
    ],
)
@pytest.mark.parametrize("average", ["binary", "macro", "micro", "weighted"])
def test_binary_edge_cases(y_pred: list[int], y: list[int], average: Any) -> None:
    batches = [(torch.tensor(y_pred), torch.tensor(y))]
    labels = None if average == "binary" else [0, 1]
    for zero_division in (0, 1):
        expected = sk.precision_recall_fscore_support(
            y, y_pred, labels=labels, average=average, zero_division=zero_division
        )
        check_against(Precision(average, zero_division=zero_division), batches, expected[0])
        check_against(Recall(average, zero_division=zero_division), batches, expected[1])
        check_against(Fbeta(1.0, average, zero_division=zero_division), batches, expected[2])
