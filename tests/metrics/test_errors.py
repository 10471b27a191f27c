"""Bad input is refused with an error that says what was wrong and how to fix it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch

from foldloop.metrics import (
    Accuracy,
    Average,
    ConfusionMatrix,
    Fbeta,
    Loss,
    MeanAbsoluteError,
    MeanSquaredError,
    Metric,
    MetricDict,
    NoDataError,
    Precision,
    R2Score,
    Recall,
    RootMeanSquaredError,
    RunningAverage,
    TopKCategoricalAccuracy,
    metrics,
)

t = torch.tensor
SCORES = t([[0.1, 0.9, 0.0], [0.8, 0.1, 0.1]])


def _update(metric: Metric[Any, Any, Any], output: object) -> None:
    metric.update(metric.init(), output)


BAD_OUTPUTS: list[tuple[str, Metric[Any, Any, Any], object, type[Exception], str]] = [
    ("not a pair", Accuracy(), t([1, 0]), TypeError, r"\(y_pred, y\) pair"),
    ("missing key", Accuracy(), {"y_pred": t([1])}, TypeError, r"\['y'\] are missing"),
    ("y_pred not a tensor", MeanSquaredError(), ([1.0], t([1.0])), TypeError, "y_pred must be"),
    ("binary shapes", Accuracy(), (t([1, 0, 1]), t([1, 0])), ValueError, "same shape"),
    ("multiclass shapes", Accuracy(), (SCORES, t([1, 0, 2])), ValueError, "do not agree"),
    (
        "regression shapes",
        MeanAbsoluteError(),
        (t([[1.0], [2.0]]), t([1.0, 2.0])),
        ValueError,
        r"squeeze",
    ),
    ("label too large", Accuracy(), (SCORES, t([3, 0])), ValueError, "label 3, outside the 3"),
    ("negative label", Recall(None), (SCORES, t([0, -1])), ValueError, "label -1"),
    (  # many labels: their bounds come from one reduction rather than from the host
        "label too large among many",
        Accuracy(),
        (torch.zeros(300, 3), torch.cat([torch.zeros(299, dtype=torch.int64), t([5])])),
        ValueError,
        "label 5, outside the 3",
    ),
    (  # labels with extra dimensions: one reduction too
        "negative label among (N, L) labels",
        Accuracy(),
        (torch.zeros(2, 3, 4), t([[0, 1, 2, 1], [0, -2, 0, 0]])),
        ValueError,
        "label -2",
    ),
    ("float labels", Accuracy(), (SCORES, t([1.0, 0.0])), TypeError, "integer class labels"),
    ("probabilities as binary", Accuracy(), (t([0.3, 0.9]), t([0, 1])), ValueError, "only 0 and 1"),
    (
        "multilabel to multiclass",
        Accuracy(mode="multiclass"),
        (t([[1, 0]]), t([[1, 0]])),
        ValueError,
        "binary or multilabel input",
    ),
    (
        "multilabel to top-k",
        TopKCategoricalAccuracy(1),
        (t([[0.2, 0.8]]), t([[0, 1]])),
        ValueError,
        "multiclass input",
    ),
    (
        "multiclass to binary average",
        Precision(),
        (SCORES, t([1, 0])),
        ValueError,
        "average='binary'",
    ),
    (
        "multilabel to confusion matrix",
        ConfusionMatrix(2),
        (t([[0.2, 0.8]]), t([[0, 1]])),
        ValueError,
        "Multilabel input is not supported",
    ),
    (
        "confusion label out of range",
        ConfusionMatrix(2),
        (t([0, 1]), t([0, 2])),
        ValueError,
        "label 2, outside the 2 classes",
    ),
    ("confusion score columns", ConfusionMatrix(2), (SCORES, t([0, 1])), ValueError, "num_classes"),
    ("k above classes", TopKCategoricalAccuracy(4), (SCORES, t([0, 1])), ValueError, "k <= 3"),
    (
        "1-d multilabel",
        Accuracy(mode="multilabel"),
        (t([1, 0]), t([1, 0])),
        ValueError,
        "mode='binary'",
    ),
    (
        "loss not reduced",
        Loss(lambda p, y: (p - y) ** 2),
        (t([1.0]), t([2.0])),
        ValueError,
        "reduction='mean'",
    ),
    ("average of a matrix", Average(), t([[1.0, 2.0]]), ValueError, "single number"),
    ("average of a string", Average(), "1.0", TypeError, "a number or a tensor"),
    (
        "r2 of two outputs",
        R2Score(),
        (t([[1.0, 2.0]]), t([[1.0, 2.0]])),
        ValueError,
        "one R2Score per output",
    ),
]


@pytest.mark.parametrize(
    ("metric", "output", "error", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_OUTPUTS],
)
def test_bad_output_is_refused(
    metric: Metric[Any, Any, Any], output: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        _update(metric, output)


EMPTY: list[Metric[Any, Any, Any]] = [
    Accuracy(),
    TopKCategoricalAccuracy(),
    Loss(torch.nn.functional.mse_loss),
    Precision(),
    Recall(None),
    Fbeta(1.0, "macro"),
    ConfusionMatrix(2),
    MeanAbsoluteError(),
    MeanSquaredError(),
    RootMeanSquaredError(),
    R2Score(),
    Average(),
    RunningAverage(),
    RunningAverage(src=Accuracy()),
    MetricDict({"acc": Accuracy()}),
    2 * Accuracy() + Recall(),
]


@pytest.mark.parametrize("metric", EMPTY, ids=lambda m: type(m).__name__)
def test_compute_without_data_raises_no_data_error(metric: Metric[Any, Any, Any]) -> None:
    with pytest.raises(NoDataError, match="saw 0; update it with data first"):
        metric.compute(metric.init())


def test_compute_after_an_empty_batch_raises_no_data_error() -> None:
    precision = Precision(None)
    with pytest.raises(NoDataError):
        precision.compute(precision.fold([(torch.zeros(0, 3), t([], dtype=torch.int64))]))


def test_r2_needs_two_samples() -> None:
    r2 = R2Score()
    with pytest.raises(NoDataError, match=r"R2Score needs at least 2 samples .* but saw 1"):
        r2.compute(r2.fold([(t([1.0]), t([2.0]))]))


BAD_CONFIGURATIONS: list[tuple[str, Callable[[], object], str]] = [
    ("beta zero", lambda: Fbeta(0.0), "finite beta > 0, got 0.0"),
    ("beta negative", lambda: Fbeta(-1.0), "finite beta > 0"),
    ("beta infinite", lambda: Fbeta(float("inf")), "finite beta > 0"),
    ("beta nan", lambda: Fbeta(float("nan")), "finite beta > 0"),
    (
        "k zero",
        lambda: TopKCategoricalAccuracy(0),
        "TopKCategoricalAccuracy: k must be at least 1; got 0",
    ),
    ("alpha zero", lambda: RunningAverage(alpha=0.0), "0 < alpha <= 1"),
    ("alpha above one", lambda: RunningAverage(alpha=1.5), "0 < alpha <= 1"),
    (
        "zero division",
        lambda: Precision(zero_division=2),  # type: ignore[call-overload]  # the mistake under test
        "zero_division must be one of 0, 1; got 2",
    ),
    (
        "unknown average",
        lambda: Recall("samples"),  # type: ignore[call-overload]  # the mistake under test
        "average must be one of 'binary'.*got 'samples'",
    ),
    (
        "unknown mode",
        lambda: Accuracy(mode="ordinal"),  # type: ignore[arg-type]  # the mistake under test
        "Accuracy: mode must be one of None, 'binary'",
    ),
    ("no classes", lambda: ConfusionMatrix(0), "num_classes must be at least 1"),
]


@pytest.mark.parametrize(
    ("build", "message"), [pytest.param(*case[1:], id=case[0]) for case in BAD_CONFIGURATIONS]
)
def test_bad_configuration_is_refused(build: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_merging_counts_of_different_class_numbers_is_refused() -> None:
    precision = Precision(None)
    three = precision.fold([(SCORES, t([0, 1]))])
    four = precision.fold([(torch.rand(2, 4), t([0, 3]))])
    with pytest.raises(ValueError, match="counted 3 classes before and 4 now"):
        precision.merge(three, four)


def test_arithmetic_with_a_non_number_is_refused() -> None:
    with pytest.raises(TypeError, match="another metric or a number, got str"):
        Accuracy() + "1"  # type: ignore[operator]  # the mistake under test


def test_metric_dict_refuses_what_is_not_a_named_metric() -> None:
    with pytest.raises(TypeError, match="maps names"):
        MetricDict({"acc": "Accuracy()"})  # type: ignore[arg-type]  # the mistake under test
    with pytest.raises(ValueError, match=r"\['acc'\] both"):
        metrics({"acc": Accuracy()}, acc=Accuracy())
