"""The trainer and evaluator against Ignite's create_supervised_trainer and _evaluator."""

import copy

import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from ignite.engine import Engine, Events, create_supervised_evaluator, create_supervised_trainer
from supervised_problem import batches, classifier, one_thread
from torch import nn

from foldloop import IterationCompleted, State
from foldloop.train import (
    TrainState,
    adamw,
    init_train_state,
    supervised_evaluator,
    supervised_trainer,
)

Batches = list[tuple[torch.Tensor, torch.Tensor]]


def ignite_training(
    model: nn.Module, data: Batches, epochs: int, accumulation: int
) -> tuple[dict[str, torch.Tensor], list[float]]:
    """The module's tensors after Ignite's trainer with torch's AdamW, and the losses it output."""
    model = copy.deepcopy(model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.01)
    trainer = create_supervised_trainer(
        model, optimizer, F.cross_entropy, gradient_accumulation_steps=accumulation
    )
    losses: list[float] = []
    trainer.add_event_handler(Events.ITERATION_COMPLETED, lambda e: losses.append(e.state.output))
    trainer.run(data, max_epochs=epochs)
    return model.state_dict(), losses


def foldloop_training(
    model: nn.Module, data: Batches, epochs: int, accumulation: int
) -> tuple[TrainState, list[float]]:
    """The final TrainState of foldloop's trainer with its AdamW, and the losses it output."""
    trainer = supervised_trainer(
        model, adamw(0.01), F.cross_entropy, gradient_accumulation_steps=accumulation
    )
    losses: list[float] = []
    trainer.tap(IterationCompleted, lambda state: losses.append(state.value.output))
    final = trainer.run(init_train_state(model, adamw(0.01)), data, max_epochs=epochs)
    return final.value, losses


@settings(max_examples=20)
@given(
    accumulation=st.integers(1, 3),
    epochs=st.integers(1, 2),
    length=st.integers(1, 5),
    batch_norm=st.booleans(),
)
def test_the_trainer_follows_ignites_trainer_step_for_step(
    accumulation: int, epochs: int, length: int, batch_norm: bool
) -> None:
    model, data = classifier(dropout=0.0, batch_norm=batch_norm), batches(length)
    with one_thread():
        expected, expected_losses = ignite_training(model, data, epochs, accumulation)
        state, losses = foldloop_training(model, data, epochs, accumulation)
    torch.testing.assert_close(losses, expected_losses, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close({**state.params, **state.buffers}, expected, rtol=1e-5, atol=1e-6)
    assert state.step == epochs * length // accumulation


def test_the_evaluator_outputs_what_ignites_evaluator_outputs() -> None:
    model, data = classifier(), batches(3)
    model.get_buffer("1.running_mean").add_(0.5)  # so that eval mode differs from train mode
    ignite = create_supervised_evaluator(copy.deepcopy(model))
    expected: list[tuple[torch.Tensor, torch.Tensor]] = []

    @ignite.on(Events.ITERATION_COMPLETED)
    def keep(engine: Engine) -> None:
        expected.append(engine.state.output)  # type: ignore[arg-type]  # Ignite types it loosely

    ignite.run(data)
    outputs: list[tuple[torch.Tensor, torch.Tensor]] = []
    evaluator = supervised_evaluator(model)
    evaluator.tap(IterationCompleted, lambda state: outputs.append(state.value.output))
    evaluator.run(State(value=init_train_state(model, adamw())), data)
    torch.testing.assert_close(outputs, expected, rtol=0, atol=0)
