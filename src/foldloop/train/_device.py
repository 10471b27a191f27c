"""Running a supervised step on a device: the state's tensors and each batch moved there."""

from collections.abc import Callable
from typing import Any, TypeVar

import torch

from foldloop.core import State
from foldloop.tree import tree_map

from ._batches import PrepareBatch

B = TypeVar("B")
V = TypeVar("V")


def to_device(tree: V, device: torch.device) -> V:
    """``tree`` with every tensor on ``device`` (a tensor already there is kept as it is); a
    leaf that required grad still does, as a leaf.

    Example:
        >>> to_device({"w": torch.ones(1, requires_grad=True)}, torch.device("cpu"))
        {'w': tensor([1.], requires_grad=True)}
    """
    moved: V = tree_map(lambda leaf: _moved(leaf, device), tree)
    return moved


def _moved(leaf: object, device: torch.device) -> object:
    if not isinstance(leaf, torch.Tensor) or on(leaf, device):
        return leaf
    return leaf.detach().to(device).requires_grad_(leaf.requires_grad)


def on(tensor: torch.Tensor, device: torch.device) -> bool:
    """Whether ``tensor`` is on ``device`` (``cuda`` names the current CUDA device)."""
    index: int | None = device.index  # torch's stubs say int; torch.device("cuda") has None
    if index is None:
        return tensor.device.type == device.type
    return tensor.device == device


def batches_to(prepare_batch: PrepareBatch[B], device: torch.device) -> PrepareBatch[B]:
    """``prepare_batch`` followed by moving ``x`` and ``y`` to ``device``.

    Example:
        >>> prepare = batches_to(lambda batch: batch, torch.device("cpu"))
        >>> prepare((torch.zeros(1), torch.ones(1)))
        (tensor([0.]), tensor([1.]))
    """

    def prepared(batch: B) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = prepare_batch(batch)
        return x.to(device, non_blocking=True), y.to(device, non_blocking=True)

    return prepared


# Any: the train state's type; a step on a device moves whatever value its state holds.
Step = Callable[[State[Any], B], State[Any]]


def state_to(step: Step[B], device: torch.device) -> Step[B]:
    """``step``, first moving the state's tensors to ``device`` when its parameters are
    elsewhere (at the first step, in practice: the state it returns stays there).

    Example:
        >>> from foldloop.train import TrainState
        >>> step = state_to(lambda state, batch: state, torch.device("cpu"))
        >>> step(State(TrainState({"w": torch.ones(1)}, {}, ())), None).value.params
        {'w': tensor([1.])}
    """

    def step_on_device(state: State[Any], batch: B) -> State[Any]:
        params = state.value.params
        if params and not on(next(iter(params.values())), device):
            state = state.replace(value=to_device(state.value, device))
        return step(state, batch)

    return step_on_device
