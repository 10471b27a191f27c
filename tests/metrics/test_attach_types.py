"""Type tests for attached metrics: the loop's value type flows into ``output_of``, the metrics'
output type must match what ``output_of`` returns, and values come back typed.

As in ``test_types.py``, the project's ``mypy --strict`` run checks every ``assert_type`` and
every line marked ``# type: ignore[code]`` (which must fail with that code); the tests run the
same lines.
"""

from __future__ import annotations

from typing import assert_type

import pytest
from torch import Tensor

from foldloop import Loop, RunError, State
from foldloop.metrics import (
    Accuracy,
    AttachedMetrics,
    Average,
    ConfusionMatrix,
    Loss,
    Precision,
    RunningAverage,
    TopKCategoricalAccuracy,
    attach_metrics,
    evaluate,
    metrics,
)

from .loops import batches, eval_step, initial, loss_of, output_of, trainer
from .strategies import nll


def test_values_are_typed_by_the_metrics() -> None:
    loop = trainer()
    floats = attach_metrics(loop, acc=Accuracy(), loss=Loss(nll), output_of=output_of)
    assert_type(floats, AttachedMetrics[float])
    tensors = attach_metrics(
        loop, metrics(p=Precision(None), cm=ConfusionMatrix(3)), output_of=output_of
    )
    assert_type(tensors, AttachedMetrics[Tensor])
    same = attach_metrics(
        loop, {"a": Accuracy(), "t": TopKCategoricalAccuracy(2)}, output_of=output_of
    )  # one accumulator type: a dict literal is fine
    assert_type(same, AttachedMetrics[float])
    final = loop.run(initial(), batches(2))
    assert_type(floats.values(final), dict[str, float])
    assert isinstance(tensors.values(final)["cm"], Tensor)


def test_output_of_must_give_what_the_metrics_read() -> None:
    loop = trainer()
    attach_metrics(loop, {"ema": RunningAverage()}, output_of=loss_of)
    attach_metrics(loop, {"acc": Accuracy()}, output_of=loss_of)  # type: ignore[arg-type]  # a loss is no pair
    attach_metrics(loop, {"avg": Average()}, output_of=lambda model: model.loss)
    attach_metrics(loop, {"x": Average()}, output_of=lambda model: model.nothing)  # type: ignore[attr-defined]  # Model has no such field


def _by_name(state: State[str], batch: int) -> State[str]:
    return state.replace(value=str(batch))


def test_output_of_reads_the_loops_value() -> None:
    texts: Loop[str, int] = Loop(_by_name)
    attach_metrics(texts, {"acc": Accuracy()}, output_of=output_of)  # type: ignore[arg-type]  # reads a Model, not a str
    assert_type(texts, Loop[str, int])


def test_evaluate_returns_typed_values() -> None:
    got = evaluate(eval_step, initial(), batches(1), acc=Accuracy(), output_of=output_of)
    assert_type(got, dict[str, float])
    with pytest.raises(RunError, match="cannot unpack"):
        evaluate(eval_step, initial(), [1, 2], acc=Accuracy(), output_of=output_of)  # type: ignore[arg-type]  # batches are pairs
