"""The state is the whole truth: stopping a run anywhere and continuing from the (copied) state
computes the same metric values as the uninterrupted run, because accumulators are in it."""

from __future__ import annotations

import copy
import functools
from itertools import islice

import pytest
import torch

from foldloop import IterationCompleted, Loop, Started, State, on, once
from foldloop.metrics import (
    METRICS,
    RUNNING_BATCH_WISE,
    RUNNING_EPOCH_WISE,
    Accuracy,
    Average,
    Loss,
    RunningAverage,
    Usage,
    attach_metrics,
)

from .compare import assert_same_value
from .loops import Model, batches, initial, loss_of, output_of, trainer
from .strategies import Pair, nll

DATA = batches(4)
EPOCHS = 3


def _with_metrics(
    loop: Loop[Model, Pair], running: Usage = RUNNING_BATCH_WISE
) -> Loop[Model, Pair]:
    attach_metrics(loop, acc=Accuracy(), loss=Loss(nll), output_of=output_of)
    attach_metrics(loop, ema=RunningAverage(alpha=0.7), output_of=loss_of, usage=running)
    attach_metrics(loop, mean=Average(), output_of=loss_of, usage=RUNNING_EPOCH_WISE)
    return loop


def _assert_same_run(got: State[Model], expected: State[Model]) -> None:
    assert_same_value(got.get(METRICS), expected.get(METRICS), tolerance=1e-12)
    torch.testing.assert_close(got.value.w, expected.value.w, rtol=0, atol=0)
    assert (got.epoch, got.iteration) == (expected.epoch, expected.iteration)


@functools.cache
def _uninterrupted() -> State[Model]:
    return _with_metrics(trainer()).run(initial(), DATA, max_epochs=EPOCHS)


EVENTS = sum(1 for _ in _with_metrics(trainer()).scan(initial(), DATA, max_epochs=EPOCHS))


@pytest.mark.parametrize("cut", range(1, EVENTS))
def test_stopping_after_any_event_and_continuing_from_a_copy(cut: int) -> None:
    expected = _uninterrupted()
    loop = _with_metrics(trainer())
    _, stopped = next(islice(loop.scan(initial(), DATA, max_epochs=EPOCHS), cut - 1, None))
    checkpoint = copy.deepcopy(stopped)  # nothing shared with the run that made it
    _assert_same_run(_with_metrics(trainer()).run(checkpoint, DATA), expected)


@pytest.mark.parametrize("stop_at", [1, 2, 5, 6, 11])
def test_a_terminated_run_picks_up_without_resetting_running_metrics(stop_at: int) -> None:
    loop = _with_metrics(trainer())
    loop.attach(on(IterationCompleted, once(stop_at)), lambda s: s.terminate())
    stopped = loop.run(initial(), DATA, max_epochs=EPOCHS)
    assert stopped.terminated and stopped.iteration == stop_at
    resumed = loop.run(stopped, DATA)  # Started fires again: the second run of this state
    assert resumed.count(Started) == 2
    _assert_same_run(resumed, _uninterrupted())


def test_extending_a_finished_run_keeps_running_metrics() -> None:
    loop = _with_metrics(trainer())
    two = loop.run(initial(), DATA, max_epochs=EPOCHS - 1)
    _assert_same_run(loop.run(two, DATA, max_epochs=EPOCHS), _uninterrupted())


def test_resetting_at_every_started_is_ignites_choice_and_forgets_the_first_run() -> None:
    ignite_like = Usage(on(Started), RUNNING_BATCH_WISE.update, RUNNING_BATCH_WISE.compute)
    loop = _with_metrics(trainer(), running=ignite_like)
    loop.attach(on(IterationCompleted, once(6)), lambda s: s.terminate())
    resumed = loop.run(loop.run(initial(), DATA, max_epochs=EPOCHS), DATA)
    expected = _uninterrupted()
    assert resumed.get(METRICS)["acc"] == expected.get(METRICS)["acc"]  # epoch-wise: the same
    assert resumed.get(METRICS)["ema"] != expected.get(METRICS)["ema"]  # running: restarted


def test_values_are_the_metrics_folded_over_the_runs_own_outputs() -> None:
    models = [
        state.value
        for event, state in trainer().scan(initial(), DATA, max_epochs=EPOCHS)
        if isinstance(event, IterationCompleted)
    ]
    last_epoch = [output_of(model) for model in models[-len(DATA) :]]
    losses = [loss_of(model) for model in models]
    epoch_ends = losses[len(DATA) - 1 :: len(DATA)]
    acc, ema, mean = Accuracy(), RunningAverage(alpha=0.7), Average()
    expected = {
        "acc": acc.compute(acc.fold(last_epoch)),
        "ema": ema.compute(ema.fold(losses)),
        "mean": mean.compute(mean.fold(epoch_ends)),
    }
    values = _uninterrupted().get(METRICS)
    assert_same_value({name: values[name] for name in expected}, expected, tolerance=1e-12)
