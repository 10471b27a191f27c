"""Refusals of what users hand to the supervised factories, before a loop is built.

Each says what to write instead: a foldloop optimizer for a ``torch.optim`` one, a module for
anything else, a device torch can name.
"""

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from ._optimizers import GradientTransformation

# torch.optim names and the foldloop optimizers that follow the same update.
_COUNTERPARTS = {
    "SGD": "sgd",
    "Adam": "adam",
    "AdamW": "adamw",
    "RMSprop": "rmsprop",
    "Adagrad": "adagrad",
}


def require_module(owner: str, model: object) -> nn.Module:
    """``model``, checked to be a ``torch.nn.Module``.

    Example:
        >>> require_module("supervised_trainer", "resnet")
        Traceback (most recent call last):
        ...
        TypeError: supervised_trainer takes a torch.nn.Module as its model, got str 'resnet'; ...
    """
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"{owner} takes a torch.nn.Module as its model, got {type(model).__name__} "
            f"{model!r}; pass the module itself, e.g. nn.Linear(4, 1)"
        )
    return model


def require_optimizer(owner: str, optimizer: object) -> GradientTransformation[Any]:
    """``optimizer``, checked to be a foldloop optimizer (a pure ``init``/``update`` pair).

    A ``torch.optim`` optimizer, instance or class, is refused with its foldloop counterpart.

    Example:
        >>> require_optimizer("supervised_trainer", torch.optim.SGD)
        Traceback (most recent call last):
        ...
        TypeError: supervised_trainer takes a foldloop optimizer, got the class torch.optim.SGD; ...
    """
    if isinstance(optimizer, GradientTransformation):
        return optimizer
    is_class = isinstance(optimizer, type)
    torch_class = optimizer if is_class else type(optimizer)
    if isinstance(torch_class, type) and issubclass(torch_class, torch.optim.Optimizer):
        name = torch_class.__name__
        what = f"the class torch.optim.{name}" if is_class else f"a torch.optim.{name}"
        counterpart = _COUNTERPARTS.get(name)
        fix = (
            f"foldloop.train.{counterpart}(lr=...), which takes the same hyper-parameters"
            if counterpart
            else "one of foldloop.train's (sgd, adam, adamw, rmsprop, adagrad) or a chain(...)"
        )
        raise TypeError(
            f"{owner} takes a foldloop optimizer, got {what}; foldloop's optimizers are pure "
            f"(the state they update is part of the run's state, not the parameters'): "
            f"write {fix}"
        )
    raise TypeError(
        f"{owner} takes a foldloop optimizer (init/update), got {type(optimizer).__name__} "
        f"{optimizer!r}; write e.g. foldloop.train.sgd(lr=0.1) or adam(lr=1e-3)"
    )


def require_loss_fn(owner: str, loss_fn: object) -> Callable[..., object]:
    """``loss_fn``, checked to be callable as ``loss_fn(y_pred, y)``.

    Example:
        >>> require_loss_fn("supervised_trainer", None)
        Traceback (most recent call last):
        ...
        TypeError: supervised_trainer takes loss_fn(y_pred, y) -> a scalar tensor, got None; ...
    """
    if not callable(loss_fn):
        raise TypeError(
            f"{owner} takes loss_fn(y_pred, y) -> a scalar tensor, got {loss_fn!r}; write e.g. "
            "torch.nn.functional.mse_loss or torch.nn.CrossEntropyLoss()"
        )
    return loss_fn


def as_device(owner: str, device: object) -> torch.device | None:
    """``device`` as a ``torch.device`` (None stays None), refusing one torch cannot name or
    this machine does not have.

    Example:
        >>> as_device("supervised_trainer", "cpu")
        device(type='cpu')
        >>> as_device("supervised_trainer", "gpu")
        Traceback (most recent call last):
        ...
        ValueError: supervised_trainer: device='gpu' is not a device torch can name; ...
    """
    if device is None or isinstance(device, torch.device):
        checked = device
    elif isinstance(device, str):
        try:
            checked = torch.device(device)
        except RuntimeError:
            raise ValueError(
                f"{owner}: device={device!r} is not a device torch can name; write 'cpu', "
                "'cuda', 'cuda:1' or a torch.device"
            ) from None
    else:
        raise TypeError(
            f"{owner}: device takes a str or a torch.device, got {type(device).__name__} "
            f"{device!r}; write device='cuda' or device=torch.device('cuda', 0)"
        )
    if checked is not None and checked.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"{owner}: device={device!r} but torch sees no CUDA device here; leave device out "
            "(the CPU), or run where torch.cuda.is_available()"
        )
    return checked


def require_trainable(model: nn.Module) -> None:
    """Refuse a model with nothing to train (no parameter that requires grad); copies nothing.

    Example:
        >>> from torch import nn
        >>> require_trainable(nn.ReLU())
        Traceback (most recent call last):
        ...
        ValueError: ReLU has no trainable parameters (none that require grad); ...
    """
    if not any(p.requires_grad for p in model.parameters()):
        raise ValueError(
            f"{type(model).__name__} has no trainable parameters (none that require grad); "
            "a training step needs at least one parameter to update"
        )
