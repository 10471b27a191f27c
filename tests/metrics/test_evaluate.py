"""Evaluation: ``evaluate`` for one-off use, and the evaluate-after-every-epoch pattern from
Ignite's docs (a trainer's ``EpochCompleted`` handler runs an evaluator over several splits and
keeps the results in its state; taps on the evaluator are attached for a while)."""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import pytest

from foldloop import Completed, EpochCompleted, Loop, RunError, Slot, State
from foldloop.metrics import METRICS, Accuracy, Loss, MetricDict, evaluate, metrics

from .compare import assert_same_value
from .loops import Model, batches, eval_step, evaluator, initial, output_of, trainer
from .strategies import Pair, nll

SCORES = metrics(acc=Accuracy(), loss=Loss(nll))
SPLITS: Mapping[str, list[Pair]] = {
    "train": batches(4, seed=1),
    "validation": batches(2, seed=2),
    "test": batches(3, size=7, seed=3),
}

Results = Mapping[str, Mapping[str, float]]
EVALUATION: Slot[Results] = Slot("evaluation", {})
HISTORY: Slot[tuple[Results, ...]] = Slot("evaluation_history", ())


def _by_hand(model: Model, data: list[Pair], named: MetricDict[Pair, float]) -> dict[str, float]:
    outputs = [(x @ model.w, y) for x, y in data]
    return named.compute(named.fold(outputs))


def test_evaluate_a_step_equals_the_fold_over_its_outputs() -> None:
    model = initial()
    got = evaluate(eval_step, model, SPLITS["test"], SCORES.metrics, output_of=output_of)
    assert_same_value(got, _by_hand(model, SPLITS["test"], SCORES))


def test_evaluate_a_loop_leaves_it_as_it_was() -> None:
    loop = evaluator()
    seen: list[int] = []
    loop.tap(Completed, lambda state: seen.append(state.iteration))
    first = evaluate(loop, initial(), SPLITS["test"], SCORES, output_of=output_of)
    second = evaluate(loop, initial(), SPLITS["test"], SCORES, output_of=output_of)
    assert first == second and seen == [3, 3]
    assert loop.run(initial(), SPLITS["test"]).get(METRICS) == {}  # nothing left attached


def _evaluate_every_split(evaluator: Loop[Model, Pair]) -> Loop[Model, Pair]:
    """A trainer that evaluates its weights on every split after every epoch."""
    loop = trainer()

    @loop.on(EpochCompleted)
    def run_evaluations(state: State[Model]) -> State[Model]:
        weights = Model(state.value.w)
        results = {
            split: evaluate(evaluator, weights, data, SCORES, output_of=output_of)
            for split, data in SPLITS.items()
        }
        return state.put(EVALUATION, results).put(HISTORY, (*state.get(HISTORY), results))

    return loop


def test_a_trainer_evaluates_every_split_after_every_epoch() -> None:
    loop = _evaluate_every_split(evaluator())
    weights: list[Model] = []
    loop.tap(EpochCompleted, lambda state: weights.append(state.value))
    final = loop.run(initial(), SPLITS["train"], max_epochs=3)
    history = final.get(HISTORY)
    assert len(history) == 3 and final.get(EVALUATION) == history[-1]
    for model, results in zip(weights, history, strict=True):
        for split, data in SPLITS.items():
            assert_same_value(results[split], _by_hand(model, data, SCORES))
    assert history[0]["train"]["loss"] > history[-1]["train"]["loss"]  # it learns


@attrs.define
class Log:
    """A logger's lines, as a tap on the evaluator writes them."""

    lines: list[str] = attrs.field(factory=list)

    def results(self, state: State[Model]) -> None:
        values = state.get(METRICS)
        self.lines.append(f"iteration {state.iteration}: acc {values['acc']:.3f}")


def test_taps_on_the_evaluator_for_one_training_run() -> None:
    ev = evaluator()
    loop = _evaluate_every_split(ev)
    log = Log()
    with ev.tap(Completed, log.results) as handle:
        final = loop.run(initial(), SPLITS["train"], max_epochs=2)
    assert not handle.active
    assert len(log.lines) == 2 * len(SPLITS)
    acc = final.get(EVALUATION)["test"]["acc"]
    assert log.lines[-1] == f"iteration {len(SPLITS['test'])}: acc {acc:.3f}"
    loop.run(initial(), SPLITS["train"], max_epochs=2)
    assert len(log.lines) == 2 * len(SPLITS)  # the tap is gone


def test_taps_on_the_evaluator_for_one_evaluation() -> None:
    ev = evaluator()
    log = Log()
    with ev.tap(Completed, log.results):
        evaluate(ev, initial(), SPLITS["validation"], SCORES, output_of=output_of)
    evaluate(ev, initial(), SPLITS["validation"], SCORES, output_of=output_of)
    assert len(log.lines) == 1


def test_a_failing_evaluation_fails_the_trainer_with_the_metrics_error() -> None:
    def two_scores(model: Model) -> Pair:
        return model.output[0][:, :2], model.output[1]  # 2 class scores for labels 0..2

    ev = evaluator()
    loop = trainer()

    @loop.on(EpochCompleted)
    def run_evaluation(state: State[Model]) -> State[Model]:
        results = evaluate(ev, state.value, SPLITS["test"], SCORES, output_of=two_scores)
        return state.put(EVALUATION, {"test": results})

    with pytest.raises(RunError, match="run_evaluation") as raised:
        loop.run(initial(), SPLITS["train"])
    evaluation = raised.value.__cause__
    assert isinstance(evaluation, RunError) and "update_metrics" in str(evaluation)
    assert isinstance(evaluation.__cause__, ValueError)
    assert "outside the 2 classes" in str(evaluation.__cause__)
    assert raised.value.state.iteration == len(SPLITS["train"])  # the last good state
