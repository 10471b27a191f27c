"""Bad input is refused with a message that says what was wrong; a failed run keeps its state."""

from collections.abc import Iterable

import attrs
import pytest
import torch
import torch.nn.functional as F
from supervised_problem import batches, classifier

from foldloop import RunError
from foldloop.train import (
    Batch,
    LossFn,
    TrainState,
    adamw,
    init_train_state,
    sgd,
    supervised_evaluator,
    supervised_trainer,
    supervised_training_step,
)


def run_error(
    state: TrainState, data: Iterable[Batch], loss_fn: LossFn = F.cross_entropy
) -> RunError:
    """The error of a run of a trainer for ``classifier()`` from ``state``."""
    trainer = supervised_trainer(classifier(), adamw(0.01), loss_fn)
    with pytest.raises(RunError) as caught:
        trainer.run(state, data)
    return caught.value


def fresh() -> TrainState:
    return init_train_state(classifier(), adamw(0.01))


def test_an_optimizer_state_for_other_parameters_fails_the_step_naming_the_keys() -> None:
    other = init_train_state(torch.nn.Linear(4, 3), adamw(0.01))
    state = attrs.evolve(fresh(), opt_state=other.opt_state)
    error = run_error(state, batches(2))
    assert isinstance(error.__cause__, ValueError)
    assert "keys only in updates: ['0.weight', '1.bias'" in str(error.__cause__)
    assert error.state.value == state


def test_parameters_of_another_model_are_refused_naming_the_keys() -> None:
    state = attrs.evolve(fresh(), params={"weight": torch.zeros(3, 4)})
    error = run_error(state, batches(1))
    assert isinstance(error.__cause__, ValueError)
    assert "missing ['0.weight', '1.bias', '1.weight'" in str(error.__cause__)
    assert "unknown ['weight']" in str(error.__cause__)


def test_a_negative_learning_rate_is_refused_when_the_optimizer_is_made() -> None:
    with pytest.raises(ValueError, match=r"the learning rate is -0\.1 at step 0"):
        sgd(lr=-0.1)


def test_a_learning_rate_schedule_turning_negative_fails_the_step_that_reads_it() -> None:
    def lr(step: int) -> float:
        return 0.1 if step < 3 else -0.1

    model = classifier()
    trainer = supervised_trainer(model, sgd(lr), F.cross_entropy)
    with pytest.raises(RunError) as caught:
        trainer.run(init_train_state(model, sgd(lr)), batches(5))
    assert isinstance(caught.value.__cause__, ValueError)
    assert "the learning rate is -0.1 at step 3" in str(caught.value.__cause__)
    assert caught.value.state.value.step == 3


def test_a_loss_that_is_not_a_scalar_fails_the_step() -> None:
    def per_sample(y_pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(y_pred, y, reduction="none")

    error = run_error(fresh(), batches(1), loss_fn=per_sample)
    assert isinstance(error.__cause__, ValueError)
    assert "scalar (0-d) floating-point tensor, got a tensor of shape (6,)" in str(error.__cause__)
    assert error.state.value == fresh()


def test_a_loss_that_is_a_python_number_fails_the_step() -> None:
    error = run_error(fresh(), batches(1), loss_fn=lambda y_pred, y: 0.5)  # type: ignore[arg-type,return-value]  # not a tensor, on purpose
    assert "got a float" in str(error.__cause__)


def test_a_model_without_parameters_is_refused_when_the_trainer_is_made() -> None:
    with pytest.raises(ValueError, match="Sequential has no trainable parameters"):
        supervised_trainer(torch.nn.Sequential(torch.nn.ReLU()), sgd(0.1), F.cross_entropy)


@pytest.mark.parametrize(
    ("batch", "described"),
    [
        ((torch.zeros(6, 4),), "a tuple of 1 items"),
        ([torch.zeros(6, 4), torch.zeros(6), torch.zeros(6)], "a list of 3 items"),
        ({"x": torch.zeros(6, 4), "y": torch.zeros(6)}, "a dict with keys ['x', 'y']"),
        (torch.zeros(6, 4), "a single tensor of shape (6, 4)"),
    ],
)
def test_a_batch_that_is_not_x_and_y_fails_the_step(batch: object, described: str) -> None:
    for loop in (
        supervised_trainer(classifier(), sgd(0.1), F.cross_entropy),
        supervised_evaluator(classifier()),
    ):
        with pytest.raises(RunError) as caught:
            loop.run(fresh(), [batch])  # type: ignore[list-item]  # a wrong batch on purpose
        assert isinstance(caught.value.__cause__, TypeError)
        assert f"a batch must unpack into (x, y), got {described}" in str(caught.value.__cause__)


def test_prepare_batch_reads_any_batch() -> None:
    def x_and_y(batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        return batch["x"], batch["y"]

    model = classifier()
    trainer = supervised_trainer(model, sgd(0.1), F.cross_entropy, prepare_batch=x_and_y)
    data = [{"x": x, "y": y} for x, y in batches(2)]
    assert trainer.run(init_train_state(model, sgd(0.1)), data).value.step == 2


@pytest.mark.parametrize("steps", [0, -1, 1.5])
def test_gradient_accumulation_steps_must_be_a_whole_number_of_at_least_one(steps: int) -> None:
    with pytest.raises(ValueError, match="gradient_accumulation_steps must be a whole number"):
        supervised_training_step(
            classifier(), sgd(0.1), F.cross_entropy, gradient_accumulation_steps=steps
        )
