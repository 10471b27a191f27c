"""Trainer and evaluator loops, the counterparts of Ignite's ``create_supervised_*``."""

from collections.abc import Callable
from typing import Any, overload

import torch
from torch import nn
from typing_extensions import TypeVar

from foldloop.core import Loop

from ._arguments import as_device, require_loss_fn, require_module, require_optimizer
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
from ._device import batches_to, state_to
from ._optimizers import GradientTransformation
from ._steps import supervised_evaluation_step, supervised_training_step
from ._train_state import TrainState

B = TypeVar("B")
S = TypeVar("S")
# The trainer's output: what output_transform returns; loss_item's float when it is left out.
Out = TypeVar("Out", default=float)
OutputOf = Callable[[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor], Out]


@overload
def supervised_trainer(
    model: nn.Module,
    optimizer: GradientTransformation[S],
    loss_fn: LossFn,
    *,
    output_transform: OutputOf[Out] = ...,
    gradient_accumulation_steps: int = ...,
    donate: bool = ...,
    reduce_grads: ReduceGrads | None = ...,
    device: torch.device | str | None = ...,
) -> Loop[TrainState[Out], Batch]: ...


@overload
def supervised_trainer(
    model: nn.Module,
    optimizer: GradientTransformation[S],
    loss_fn: LossFn,
    *,
    prepare_batch: PrepareBatch[B],
    output_transform: OutputOf[Out] = ...,
    gradient_accumulation_steps: int = ...,
    donate: bool = ...,
    reduce_grads: ReduceGrads | None = ...,
    device: torch.device | str | None = ...,
) -> Loop[TrainState[Out], B]: ...


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
    device: torch.device | str | None = None,
) -> Loop[TrainState, Any]:
    """A loop whose step is `supervised_training_step`: Ignite's ``create_supervised_trainer``.

    Run it from `init_train_state`; the arguments are those of `supervised_training_step`,
    and ``device``: where the step runs (``"cuda"``, say). The state's tensors are moved there
    at the first step (they stay there), and each batch's ``x`` and ``y`` after
    ``prepare_batch``; the module itself is only a template and is not moved.
    With ``donate=True`` each step updates the parameters and optimizer moments in place in
    the state it is given, which is consumed (reading it raises `DonatedError`): a state a
    tap or handler keeps from an earlier iteration is unreadable once the run moves on.

    Raises:
        TypeError: the model is not a module, the optimizer not a foldloop one (a
            ``torch.optim`` optimizer is refused with its foldloop counterpart), or
            ``loss_fn`` not callable.
        ValueError: ``device`` is not one torch can name, or not on this machine.

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
    owner = "supervised_trainer"
    require_module(owner, model)
    require_optimizer(owner, optimizer)
    require_loss_fn(owner, loss_fn)
    on_device = as_device(owner, device)
    step = supervised_training_step(
        model,
        optimizer,
        loss_fn,
        prepare_batch=prepare_batch if on_device is None else batches_to(prepare_batch, on_device),
        output_transform=output_transform,
        gradient_accumulation_steps=gradient_accumulation_steps,
        donate=donate,
        reduce_grads=reduce_grads,
    )
    return Loop(step if on_device is None else state_to(step, on_device))


@overload
def supervised_evaluator(
    model: nn.Module,
    *,
    output_transform: EvalOutputTransform = ...,
    device: torch.device | str | None = ...,
) -> Loop[TrainState, Batch]: ...


@overload
def supervised_evaluator(
    model: nn.Module,
    *,
    prepare_batch: PrepareBatch[B],
    output_transform: EvalOutputTransform = ...,
    device: torch.device | str | None = ...,
) -> Loop[TrainState, B]: ...


def supervised_evaluator(
    model: nn.Module,
    *,
    # Any: the batch type is the overloads' B; the default reads a Batch.
    prepare_batch: PrepareBatch[Any] = unpack_batch,
    output_transform: EvalOutputTransform = prediction,
    device: torch.device | str | None = None,
) -> Loop[TrainState, Any]:
    """A loop whose step is `supervised_evaluation_step`: Ignite's ``create_supervised_evaluator``.

    Run it on a trainer's state (``evaluator.run(trained.value, data)``); each iteration sets
    ``TrainState.output`` to ``(y_pred, y)``, for handlers (metrics) to fold. With
    ``device``, the state and each batch are moved there, as in `supervised_trainer`.

    Example:
        >>> import torch
        >>> from torch import nn
        >>> from foldloop.train import TrainState
        >>> evaluator = supervised_evaluator(nn.Linear(1, 1, bias=False))
        >>> state = TrainState({"weight": torch.full((1, 1), 3.0)}, {}, ())
        >>> evaluator.run(state, [(torch.ones(1, 1), torch.ones(1))]).value.output[0]
        tensor([[3.]])
    """
    on_device = as_device("supervised_evaluator", device)
    step = supervised_evaluation_step(
        require_module("supervised_evaluator", model),
        prepare_batch=prepare_batch if on_device is None else batches_to(prepare_batch, on_device),
        output_transform=output_transform,
    )
    return Loop(step if on_device is None else state_to(step, on_device))
