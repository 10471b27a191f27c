"""What a supervised step reads from a batch, and what it hands on as its output."""

from collections.abc import Callable, Sequence
from typing import TypeAlias, TypeVar

import torch

B = TypeVar("B")

Batch: TypeAlias = Sequence[torch.Tensor]
"""A batch that unpacks into ``(x, y)``, as a ``DataLoader`` over a ``TensorDataset`` yields."""

PrepareBatch: TypeAlias = Callable[[B], tuple[torch.Tensor, torch.Tensor]]
"""Turns a batch into ``(x, y)`` (and may move them to a device): Ignite's ``prepare_batch``."""

LossFn: TypeAlias = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
ReduceGrads: TypeAlias = Callable[[dict[str, torch.Tensor]], dict[str, torch.Tensor]]
"""Gradients by name -> gradients by name, applied before each update (``reduce_grads``)."""
"""``loss_fn(y_pred, y)``: a scalar tensor, such as ``torch.nn.functional.cross_entropy``."""

TrainOutputTransform: TypeAlias = Callable[
    [torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor], object
]
"""``(x, y, y_pred, loss) -> output`` of a training step; ``y_pred`` and ``loss`` are detached."""

EvalOutputTransform: TypeAlias = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], object]
"""``(x, y, y_pred) -> output`` of an evaluation step."""


def unpack_batch(batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
    """The default ``prepare_batch``: a batch of two items is ``(x, y)``.

    Raises:
        TypeError: the batch is not a sequence of exactly two items.

    Example:
        >>> import torch
        >>> unpack_batch([torch.zeros(2, 3), torch.ones(2)])[1]
        tensor([1., 1.])
        >>> unpack_batch({"x": torch.zeros(2, 3), "y": torch.ones(2)})
        Traceback (most recent call last):
        ...
        TypeError: a batch must unpack into (x, y), got a dict with keys ['x', 'y']; ...
    """
    if isinstance(batch, list | tuple) and len(batch) == 2:
        return batch[0], batch[1]
    raise TypeError(
        f"a batch must unpack into (x, y), got {_describe(batch)}; pass "
        "prepare_batch=lambda batch: (x, y) to pick x and y out of your batches"
    )


def _describe(batch: object) -> str:
    if isinstance(batch, dict):
        return f"a dict with keys {sorted(map(str, batch))}"
    if isinstance(batch, list | tuple):
        return f"a {type(batch).__name__} of {len(batch)} items"
    if isinstance(batch, torch.Tensor):
        return f"a single tensor of shape {tuple(batch.shape)}"
    return f"a {type(batch).__name__}"


def loss_item(x: torch.Tensor, y: torch.Tensor, y_pred: torch.Tensor, loss: torch.Tensor) -> float:
    """The default output of a training step: the loss as a float (Ignite's ``loss.item()``).

    Example:
        >>> import torch
        >>> loss_item(torch.zeros(1), torch.zeros(1), torch.zeros(1), torch.tensor(0.5))
        0.5
    """
    return loss.item()


def prediction(
    x: torch.Tensor, y: torch.Tensor, y_pred: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """The default output of an evaluation step: ``(y_pred, y)``, what metrics read.

    Example:
        >>> import torch
        >>> prediction(torch.zeros(1), torch.tensor([1]), torch.tensor([[0.2, 0.8]]))
        (tensor([[0.2000, 0.8000]]), tensor([1]))
    """
    return y_pred, y


def require_scalar_loss(loss: object) -> torch.Tensor:
    """``loss``, after checking that it is a 0-d floating tensor (one number to differentiate).

    Raises:
        ValueError: the loss is not a 0-d floating-point tensor.

    Example:
        >>> import torch
        >>> require_scalar_loss(torch.ones(4))
        Traceback (most recent call last):
        ...
        ValueError: loss_fn must return a scalar (0-d) floating-point tensor, got a tensor ...
    """
    if isinstance(loss, torch.Tensor) and loss.dim() == 0 and loss.is_floating_point():
        return loss
    got = (
        f"a tensor of shape {tuple(loss.shape)} and dtype {loss.dtype}"
        if isinstance(loss, torch.Tensor)
        else f"a {type(loss).__name__}"
    )
    raise ValueError(
        f"loss_fn must return a scalar (0-d) floating-point tensor, got {got}; reduce it with "
        "reduction='mean' or .mean()"
    )
