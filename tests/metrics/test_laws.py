"""Every metric obeys the fold laws: merge is associative with init as identity, folding is a
homomorphism onto merge, updates are pure, and (for all but running averages) order is free."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

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
    Precision,
    R2Score,
    Recall,
    RootMeanSquaredError,
    RunningAverage,
    TopKCategoricalAccuracy,
)
from foldloop.testing import check_metric_laws

from .strategies import (
    Pair,
    binary_batches,
    multiclass_batches,
    multilabel_batches,
    nll,
    regression_batches,
    scalar_outputs,
)


def _as_dict(pair: Pair) -> dict[str, object]:
    return {"y_pred": pair[0], "y": pair[1], "loss": 0.0}


def _swap(out: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    return out[1], out[0]


@attrs.frozen
class LawCase:
    """A metric, a strategy for lists of its outputs, and whether output order matters."""

    name: str
    # Any: a case may hold any metric, whatever its output, accumulator and value types.
    metric: Metric[Any, Any, Any]
    outputs: st.SearchStrategy[Sequence[object]]
    ordered: bool = False


binary = binary_batches(tails=((), (2,)))
multiclass = multiclass_batches()
precision, recall = Precision(average="macro"), Recall(average="macro")

CASES = [
    LawCase("accuracy-binary", Accuracy(), binary),
    LawCase("accuracy-multiclass", Accuracy(), multiclass),
    LawCase("accuracy-multilabel", Accuracy(mode="multilabel"), multilabel_batches()),
    LawCase("top2", TopKCategoricalAccuracy(k=2), multiclass),
    LawCase("loss", Loss(nll), multiclass),
    LawCase("precision-binary", Precision(), binary),
    LawCase("recall-binary", Recall(), binary),
    LawCase("precision-per-class", Precision(average=None), multiclass),
    LawCase("recall-weighted", Recall(average="weighted"), multiclass),
    LawCase("fbeta-micro", Fbeta(0.5, average="micro"), multiclass),
    LawCase(
        "fbeta-multilabel", Fbeta(2.0, average="macro", mode="multilabel"), multilabel_batches()
    ),
    LawCase("confusion", ConfusionMatrix(3), multiclass_batches(3, 3)),
    LawCase("mae", MeanAbsoluteError(), regression_batches()),
    LawCase("mse", MeanSquaredError(), regression_batches()),
    LawCase("rmse", RootMeanSquaredError(), regression_batches()),
    LawCase("r2", R2Score(), regression_batches()),
    LawCase("average", Average(), scalar_outputs()),
    LawCase("running", RunningAverage(alpha=0.9), scalar_outputs(single=True), ordered=True),
    LawCase("running-src", RunningAverage(alpha=0.7, src=Accuracy()), binary, ordered=True),
    # (precision + recall can be 0, and x / 0 raises; the exact F1 formula is tested elsewhere)
    LawCase("arithmetic", 2 * precision * recall / (precision + recall + 1.0) - 1, multiclass),
    LawCase("mapped", Accuracy().map(lambda v: 100 * v), multiclass),
    LawCase("transformed", MeanSquaredError().with_output_transform(_swap), regression_batches()),
    LawCase(
        "dict",
        MetricDict({"acc": Accuracy(), "p": Precision(average="micro"), "cm": ConfusionMatrix(2)}),
        binary_batches().map(lambda outputs: [_as_dict(o) for o in outputs]),
    ),
    LawCase("empty-dict", MetricDict({}), binary),
]


@pytest.mark.parametrize("case", [pytest.param(case, id=case.name) for case in CASES])
@settings(max_examples=15)
@given(data=st.data())
def test_metric_obeys_the_fold_laws(case: LawCase, data: st.DataObject) -> None:
    check_metric_laws(case.metric, data.draw(case.outputs, label="outputs"), ordered=case.ordered)
