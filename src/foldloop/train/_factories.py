"""Trainer and evaluator loops, the counterparts of Ignite's ``create_supervised_*``."""

from typing import Any, TypeVar, overload

from torch import nn

from foldloop.core import Loop

from ._batches import (
    Batch,
    EvalOutputTransform,
    LossFn,
    PrepareBatch,
    ReduceGrads,
    TrainOutputTransform,
    loss_item,
    prediction,
    unpack_batch,
)
from ._optimizers import GradientTransformation
from ._steps import supervised_evaluation_step, supervised_training_step
from ._train_state import TrainState

B = TypeVar("B")
S = TypeVar("S")


@overload
def supervised_trainer(
    model: nn.Module,
    optimizer: GradientTransformation[S],
    loss_fn: LossFn,
    *,
    output_transform: TrainOutputTransform = ...,
    gradient_accumulation_steps: int = ...,
    donate: bool = ...,
    reduce_grads: ReduceGrads | None = ...,
) -> Loop[TrainState, Batch]: ...


@overload
def supervised_trainer(
    model: nn.Module,
    optimizer: GradientTransformation[S],
    loss_fn: LossFn,
    *,
    prepare_batch: PrepareBatch[B],
    output_transform: TrainOutputTransform = ...,
    gradient_accumulation_steps: int = ...,
    donate: bool = ...,
    reduce_grads: ReduceGrads | None = ...,
) -> Loop[TrainState, B]: ...


def supervised_trainer(
    model: nn.Module,
    optimizer: GradientTransformation[S],
    loss_fn: LossFn,
    *,
    # Any: the batch type is the overloads' B; the default reads a Batch.
    prepare_batch: PrepareBatch[Any] = unpack_batch,
    output_transform: TrainOutputTransform = loss_item,
    gradient_accumulation_steps: int = 1,
    donate: bool = False,
    reduce_grads: ReduceGrads | None = None,
) -> Loop[TrainState, Any]:
    """A loop whose step is `supervised_training_step`: Ignite's ``create_supervised_trainer``.

    Run it from `init_train_state`; the arguments are those of `supervised_training_step`.
    With ``donate=True`` each step updates the parameters and optimizer moments in place in
    the state it is given, which is consumed (reading it raises `DonatedError`): a state a
    tap or handler keeps from an earlier iteration is unreadable once the run moves on.

    Example:
        >>> import torch
        >>> from torch import nn
        >>> from foldloop.train import init_train_state, sgd
        >>> model, optimizer = nn.Linear(1, 1), sgd(lr=0.1)
        >>> trainer = supervised_trainer(model, optimizer, nn.functional.mse_loss)
        >>> data = [(torch.ones(4, 1), torch.zeros(4, 1))] * 5
        >>> final = trainer.run(init_train_state(model, optimizer), data, max_epochs=4)
        >>> final.iteration, final.value.step, final.value.output < 1e-3
        (20, 20, True)
    """
    return Loop(
        supervised_training_step(
            model,
            optimizer,
            loss_fn,
            prepare_batch=prepare_batch,
            output_transform=output_transform,
            gradient_accumulation_steps=gradient_accumulation_steps,
            donate=donate,
            reduce_grads=reduce_grads,
        )
    )


@overload
def supervised_evaluator(
    model: nn.Module, *, output_transform: EvalOutputTransform = ...
) -> Loop[TrainState, Batch]: ...


@overload
def supervised_evaluator(
    model: nn.Module,
    *,
    prepare_batch: PrepareBatch[B],
    output_transform: EvalOutputTransform = ...,
) -> Loop[TrainState, B]: ...


def supervised_evaluator(
    model: nn.Module,
    *,
    # Any: the batch type is the overloads' B; the default reads a Batch.
    prepare_batch: PrepareBatch[Any] = unpack_batch,
    output_transform: EvalOutputTransform = prediction,
) -> Loop[TrainState, Any]:
    """A loop whose step is `supervised_evaluation_step`: Ignite's ``create_supervised_evaluator``.

    Run it on a trainer's state (``evaluator.run(trained.value, data)``); each iteration sets
    ``TrainState.output`` to ``(y_pred, y)``, for handlers (metrics) to fold.

    Example:
        >>> import torch
        >>> from torch import nn
        >>> from foldloop.train import TrainState
        >>> evaluator = supervised_evaluator(nn.Linear(1, 1, bias=False))
        >>> state = TrainState({"weight": torch.full((1, 1), 3.0)}, {}, ())
        >>> evaluator.run(state, [(torch.ones(1, 1), torch.ones(1))]).value.output[0]
        tensor([[3.]])
    """
    return Loop(
        supervised_evaluation_step(
            model, prepare_batch=prepare_batch, output_transform=output_transform
        )
    )
