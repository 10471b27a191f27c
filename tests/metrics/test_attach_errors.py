"""Bad input to attached metrics is refused with a message that says what was wrong and where:
at attach time when it can be, otherwise as a ``RunError`` whose cause is the metric's error."""

from __future__ import annotations

from typing import Any, cast

import pytest
import torch

from foldloop import EpochStarted, IterationCompleted, Loop, RunError, on
from foldloop.metrics import (
    BATCH_WISE,
    EPOCH_WISE,
    METRICS,
    Accuracy,
    Loss,
    NoDataError,
    Usage,
    attach_metrics,
    metrics,
)

from .loops import Model, batches, initial, output_of, trainer
from .strategies import Pair, nll

DATA = batches(3)


def test_a_name_attached_twice_to_a_loop_is_refused() -> None:
    loop = trainer()
    attach_metrics(loop, acc=Accuracy(), loss=Loss(nll), output_of=output_of)
    with pytest.raises(ValueError, match=r"\['acc'\] are already attached to this loop"):
        attach_metrics(loop, acc=Accuracy(), other=Accuracy(), output_of=output_of)
    attach_metrics(loop, other=Accuracy(), output_of=output_of)  # the refusal took nothing
    attach_metrics(trainer(), acc=Accuracy(), output_of=output_of)  # another loop is free


def test_the_same_name_in_a_mapping_and_keywords_is_refused() -> None:
    with pytest.raises(ValueError, match=r"\['acc'\] both in the mapping and as keywords"):
        attach_metrics(trainer(), metrics(acc=Accuracy()), acc=Accuracy(), output_of=output_of)


# Any: each case below passes a value of the wrong type on purpose.
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"loop": "trainer"}, "attaches to a foldloop.Loop, got str"),
        ({"named": [Accuracy()]}, "metrics are given by name: a mapping"),
        ({"named": {"acc": "accuracy"}}, "maps names .str. to metrics"),
        ({"named": {1: Accuracy()}}, "maps names .str. to metrics, got 1"),
        ({"output_of": "output"}, "needs output_of, a function"),
        ({"usage": "epoch"}, "usage must be a Usage"),
    ],
)
def test_wrong_arguments_are_refused_before_anything_is_attached(
    changes: dict[str, Any], message: str
) -> None:
    loop = trainer()
    given: dict[str, Any] = {
        "loop": loop,
        "named": {"acc": Accuracy()},
        "output_of": output_of,
        "usage": EPOCH_WISE,
    }
    given.update(changes)
    with pytest.raises(TypeError, match=message):
        attach_metrics(
            given["loop"], given["named"], output_of=given["output_of"], usage=given["usage"]
        )
    assert loop.run(initial(), DATA).get(METRICS) == {}
    attach_metrics(loop, acc=Accuracy(), output_of=output_of)  # no name was taken


def test_a_usage_needs_triggers() -> None:
    with pytest.raises(TypeError, match="Usage: compute must be a trigger"):
        Usage(on(EpochStarted), IterationCompleted, cast(Any, "EpochCompleted"))


def _wrong_shape(model: Model) -> Pair:
    y_pred, y = model.output
    return y_pred, y[:-1]


def test_an_output_of_the_wrong_shape_fails_the_run_with_the_metrics_error() -> None:
    loop = trainer()
    attach_metrics(loop, acc=Accuracy(), output_of=_wrong_shape)
    where = "on IterationCompleted failed at epoch 1, iteration 1"
    with pytest.raises(RunError, match=where) as raised:
        loop.run(initial(), DATA)
    cause = raised.value.__cause__
    assert isinstance(cause, ValueError)
    assert "y_pred (5, 3) and y (4,) do not agree" in str(cause)
    assert "(updating the metric 'acc' with output_of(state.value))" in cause.__notes__
    assert raised.value.state.iteration == 1 and raised.value.state.get(METRICS) == {}


def test_an_output_of_the_wrong_kind_fails_the_run_with_the_metrics_error() -> None:
    loop = trainer()
    attach_metrics(loop, acc=Accuracy(), output_of=lambda model: cast(Pair, model.loss))
    with pytest.raises(RunError) as raised:
        loop.run(initial(), DATA)
    assert isinstance(raised.value.__cause__, TypeError)
    assert "Accuracy expects a (y_pred, y) pair" in str(raised.value.__cause__)


def test_no_data_to_compute_from_fails_the_run_with_no_data_error() -> None:
    empty = (torch.zeros(0, 4), torch.zeros(0, dtype=torch.int64))
    loop: Loop[Model, Pair] = trainer()
    attach_metrics(loop, acc=Accuracy(), output_of=output_of, usage=BATCH_WISE)
    with pytest.raises(RunError) as raised:
        loop.run(initial(), [empty])
    cause = raised.value.__cause__
    assert isinstance(cause, NoDataError) and "(computing the metric 'acc')" in cause.__notes__


def test_values_before_they_are_computed_are_refused() -> None:
    loop = trainer()
    attached = attach_metrics(loop, acc=Accuracy(), output_of=output_of, usage=EPOCH_WISE)
    first_iteration = next(
        state for event, state in loop.scan(initial(), DATA) if type(event) is IterationCompleted
    )
    with pytest.raises(KeyError, match=r"\['acc'\] have no value in this state yet"):
        attached.values(first_iteration)
