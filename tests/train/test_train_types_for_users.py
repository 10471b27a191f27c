"""What mypy infers for the patterns the docs show (issue 14, "typed for users"): checked by
mypy over tests/ (``assert_type``), and run here so every line is also real code."""

from typing import Any, assert_type

import torch
from torch import nn

from foldloop import Event, Filter, IterationCompleted, Loop, State, every, on, where
from foldloop.train import (
    Batch,
    TrainState,
    init_train_state,
    sgd,
    supervised_evaluator,
    supervised_trainer,
)

DATA = [(torch.ones(2, 1), torch.zeros(2, 1))]


def late(state: State[Any], event: IterationCompleted) -> bool:
    return state.iteration > 1


def test_filters_combine_with_any_filter() -> None:
    unannotated = where(lambda state, event: state.epoch > 0) & every(2)
    assert_type(unannotated, Filter[Event])
    assert_type(every(2) | where(late), Filter[IterationCompleted])
    assert_type(where(late) & ~every(3), Filter[IterationCompleted])
    loop: Loop[int, int] = Loop(lambda state, batch: state.replace(value=state.value + 1))
    loop.attach(on(IterationCompleted, unannotated | where(late)), lambda state: state)
    assert loop.run(0, [1, 2, 3, 4]).value == 4


def test_a_trainer_state_is_typed_by_its_output() -> None:
    model = nn.Linear(1, 1)
    start = init_train_state(model, sgd(lr=0.1))
    assert_type(start, TrainState[Any])
    trainer = supervised_trainer(model, sgd(lr=0.1), nn.functional.mse_loss)
    assert_type(trainer, Loop[TrainState[float], Batch])
    final = trainer.run(start, DATA)
    assert_type(final.value.output, float)
    assert isinstance(final.value.output, float)


def test_an_output_transform_gives_the_state_its_type() -> None:
    model = nn.Linear(1, 1)

    def both(
        x: torch.Tensor, y: torch.Tensor, y_pred: torch.Tensor, loss: torch.Tensor
    ) -> tuple[float, int]:
        return loss.item(), len(x)

    trainer = supervised_trainer(model, sgd(lr=0.1), nn.functional.mse_loss, output_transform=both)
    final = trainer.run(init_train_state(model, sgd(lr=0.1)), DATA)
    assert_type(final.value.output, tuple[float, int])
    assert final.value.output[1] == 2
    evaluated = supervised_evaluator(model).run(final.value, DATA)
    assert_type(evaluated.value, TrainState[Any])
