"""Metrics attached to a loop compute what the metric folded over the same outputs computes,
at the events of their usage, before any tap of that event."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st
from torch import Tensor

from foldloop import (
    EpochCompleted,
    Event,
    IterationCompleted,
    Loop,
    RunError,
    State,
    Trigger,
    every,
    on,
)
from foldloop.metrics import (
    BATCH_WISE,
    EPOCH_WISE,
    METRICS,
    RUNNING_BATCH_WISE,
    RUNNING_EPOCH_WISE,
    SINGLE_EPOCH_RUNNING_BATCH_WISE,
    Accuracy,
    Average,
    ConfusionMatrix,
    Loss,
    MetricDict,
    NoDataError,
    Precision,
    RunningAverage,
    Usage,
    attach_metrics,
    metrics,
)

from .compare import assert_same_value
from .loops import Model, batches, initial, loss_of, output_of, trainer
from .strategies import Pair, multiclass_batches, nll

PREDICTION = metrics(
    acc=Accuracy(), loss=Loss(nll), precision=Precision(average="macro"), cm=ConfusionMatrix(3)
)


def _replay() -> Loop[Pair, Pair]:
    """A loop whose state value is the batch itself: its outputs are the data."""
    return Loop(lambda state, batch: state.replace(value=batch))


def _expected(named: MetricDict[Pair, object], outputs: list[Pair]) -> object:
    try:
        return named.compute(named.fold(outputs))
    except NoDataError:
        return NoDataError


@given(multiclass_batches(3, 3).filter(bool))
def test_one_epoch_through_a_loop_equals_the_fold(outputs: list[Pair]) -> None:
    loop = _replay()
    attach_metrics(loop, PREDICTION.metrics, output_of=lambda v: v)
    expected = _expected(PREDICTION, outputs)
    try:
        got: object = loop.run(outputs[0], outputs).get(METRICS)
    except RunError as error:
        assert isinstance(error.__cause__, NoDataError)
        got = NoDataError
    assert_same_value(got, expected)


@given(multiclass_batches().filter(bool), st.integers(1, 3))
def test_each_epoch_sees_exactly_its_outputs(outputs: list[Pair], epochs: int) -> None:
    acc = Accuracy()
    loop: Loop[Pair, Pair] = Loop(
        lambda state, batch: state.replace(value=(batch[0] * state.epoch % 3, batch[1]))
    )
    attach_metrics(loop, {"acc": acc}, output_of=lambda v: v)
    seen: list[object] = []
    loop.tap(EpochCompleted, lambda state: seen.append(state.get(METRICS)["acc"]))
    assume(sum(len(y) for _, y in outputs) > 0)
    loop.run(outputs[0], outputs, max_epochs=epochs)
    per_epoch = [[(x * e % 3, y) for x, y in outputs] for e in range(1, epochs + 1)]
    assert seen == [acc.compute(acc.fold(epoch)) for epoch in per_epoch]


def _usage_trace(usage: Usage, when: Trigger[Event]) -> list[float]:
    """The values of an ``Average`` seen by a tap on ``when``, for outputs ``batch * epoch``
    over the data 1, 2, 3, 6 and two epochs."""
    loop: Loop[Tensor, float] = Loop(
        lambda state, batch: state.replace(value=torch.tensor(batch * state.epoch))
    )
    trace: list[float] = []

    def record(state: State[Tensor]) -> None:
        value = state.get(METRICS).get("avg")
        if isinstance(value, float):
            trace.append(value)

    loop.tap(when, record)  # attached before the metrics, the tap still sees fresh values
    attach_metrics(loop, {"avg": Average()}, output_of=lambda v: v, usage=usage)
    loop.run(torch.tensor(0.0), [1.0, 2.0, 3.0, 6.0], max_epochs=2)
    return trace


EPOCHS, ITERATIONS = on(EpochCompleted), on(IterationCompleted)


def test_usages_against_hand_computation() -> None:
    # epoch 1 outputs 1, 2, 3, 6 (mean 3); epoch 2 outputs 2, 4, 6, 12 (mean 6)
    assert _usage_trace(EPOCH_WISE, EPOCHS) == [3.0, 6.0]
    assert _usage_trace(RUNNING_EPOCH_WISE, EPOCHS) == [6.0, 9.0]  # each epoch's last output
    assert _usage_trace(BATCH_WISE, ITERATIONS) == [1, 2, 3, 6, 2, 4, 6, 12]
    single = [1, 1.5, 2, 3, 2, 3, 4, 6]
    assert _usage_trace(SINGLE_EPOCH_RUNNING_BATCH_WISE, ITERATIONS) == single
    running = [1, 1.5, 2, 3, 2.8, 3, 24 / 7, 4.5]
    assert _usage_trace(RUNNING_BATCH_WISE, ITERATIONS) == pytest.approx(running)


def test_usages_may_filter() -> None:
    every_two = Usage(EPOCH_WISE.reset, EPOCH_WISE.update, on(IterationCompleted, every(2)))
    assert _usage_trace(every_two, on(IterationCompleted, every(2))) == [1.5, 3.0, 3.0, 6.0]
    # Ignite's BatchFiltered(every=2): epoch-wise over the even iterations' outputs
    filtered = Usage(EPOCH_WISE.reset, on(IterationCompleted, every(2)), EPOCH_WISE.compute)
    assert _usage_trace(filtered, EPOCHS) == [4.0, 8.0]


def test_running_over_every_iteration_computed_each_epoch() -> None:
    all_so_far = Usage(RUNNING_BATCH_WISE.reset, RUNNING_BATCH_WISE.update, on(EpochCompleted))
    assert _usage_trace(all_so_far, EPOCHS) == [3.0, 4.5]


def test_running_average_is_an_ema_over_all_batches() -> None:
    loop = trainer()
    seen: list[float] = []
    attached = attach_metrics(
        loop, {"ema": RunningAverage(alpha=0.5)}, output_of=loss_of, usage=RUNNING_BATCH_WISE
    )
    losses: list[float] = []
    loop.tap(IterationCompleted, lambda s: losses.append(float(s.value.loss)))
    loop.tap(IterationCompleted, lambda s: seen.append(attached.values(s)["ema"]))
    loop.run(initial(), batches(3), max_epochs=2)
    ema = [losses[0]]
    for loss in losses[1:]:
        ema.append(0.5 * ema[-1] + 0.5 * loss)
    assert seen == pytest.approx(ema, rel=1e-6)


def test_a_state_from_before_the_metrics_were_attached_starts_them_from_nothing() -> None:
    loop: Loop[Tensor, float] = Loop(lambda state, batch: state.replace(value=torch.tensor(batch)))
    earlier = loop.run(torch.tensor(0.0), [1.0, 2.0])
    # A running usage resets only at the history's first Started, which this state is past.
    attach_metrics(loop, avg=Average(), output_of=lambda v: v, usage=RUNNING_BATCH_WISE)
    assert loop.run(earlier, [4.0, 6.0], max_epochs=2).get(METRICS) == {"avg": 5.0}


def test_several_attachments_share_the_metrics_place() -> None:
    loop = trainer()
    epoch = attach_metrics(loop, metrics(acc=Accuracy()), output_of=output_of)
    running = attach_metrics(
        loop, {"loss": RunningAverage()}, output_of=loss_of, usage=RUNNING_BATCH_WISE
    )
    final = loop.run(initial(), batches(4))
    values = final.get(METRICS)
    assert sorted(values) == ["acc", "loss"]
    assert epoch.values(final) == {"acc": final.get(METRICS)["acc"]}
    assert running.values(final)["loss"] == final.get(METRICS)["loss"]
    assert epoch.names == ("acc",) and "active=True" in repr(epoch)


def test_removed_metrics_stop_and_their_names_are_free() -> None:
    loop = trainer()
    with attach_metrics(loop, {"acc": Accuracy()}, output_of=output_of) as attached:
        assert repr(attached) == "AttachedMetrics(['acc'], active=True)"
        first = loop.run(initial(), batches(2))
    assert not attached.active
    attached.remove()  # harmless twice
    assert "acc" in first.get(METRICS)
    assert loop.run(initial(), batches(2)).get(METRICS) == {}
    again = attach_metrics(loop, {"acc": Accuracy()}, output_of=output_of)
    attached.remove()  # removing the old receipt does not free the name taken again
    with pytest.raises(ValueError, match="already attached"):
        attach_metrics(loop, {"acc": Accuracy()}, output_of=output_of)
    again.remove()


def test_a_handler_attached_before_the_metrics_reads_the_last_values() -> None:
    loop = trainer()
    stale: list[Mapping[str, object]] = []

    def read(state: State[Model]) -> State[Model]:
        stale.append(state.get(METRICS))
        return state

    loop.attach(EpochCompleted, read)
    attach_metrics(loop, {"acc": Accuracy()}, output_of=output_of)
    final = loop.run(initial(), batches(2), max_epochs=2)
    assert stale[0] == {} and stale[1] != final.get(METRICS)
