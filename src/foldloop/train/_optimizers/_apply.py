"""Applying updates to parameters, out of place."""

from typing import TypeVar

import torch

from foldloop.tree import tree_unflatten

from ._base import GradientTransformation, P
from ._leaves import as_leaves_like, flatten_alike
from ._recycler import Recycler

S = TypeVar("S")


@torch.no_grad()
def apply_updates(params: P, updates: P) -> P:
    """New parameters ``params + updates``; the given tensors are left as they are.

    Each new tensor is a fresh leaf (no autograd history) that requires grad exactly when the
    parameter it replaces does, so the result can be differentiated again at the next step.

    Raises:
        ValueError: ``updates`` does not have the structure of ``params``; the message names
            the keys that differ.

    Example:
        >>> import torch
        >>> params = {"w": torch.tensor([1.0, 2.0], requires_grad=True)}
        >>> new = apply_updates(params, {"w": torch.tensor([0.5, -0.5])})
        >>> new
        {'w': tensor([1.5000, 1.5000], requires_grad=True)}
        >>> params
        {'w': tensor([1., 2.], requires_grad=True)}
    """
    spec, (old, steps) = flatten_alike("apply_updates", params=params, updates=updates)
    new = as_leaves_like(list(torch._foreach_add(old, steps)), old)
    updated: P = tree_unflatten(spec, new)
    return updated


def apply_gradients(
    optimizer: GradientTransformation[S],
    grads: P,
    state: S,
    params: P,
    recycler: Recycler | None = None,
) -> tuple[P, S]:
    """New parameters and optimizer state after one step on ``grads``; nothing given changes.

    The optimizer's fused ``apply`` when it has one (`adam`, `adamw`, `sgd`): one pass from the
    gradients to the new parameters, its new tensors taken from ``recycler`` when given.
    Otherwise ``update`` and then `apply_updates`.

    Example:
        >>> import torch
        >>> from foldloop.train import adamw, sgd
        >>> params = {"w": torch.tensor([1.0])}
        >>> grads = {"w": torch.tensor([2.0])}
        >>> for optimizer in (sgd(lr=0.1), adamw(lr=0.1, weight_decay=0.0)):
        ...     new, _ = apply_gradients(optimizer, grads, optimizer.init(params), params)
        ...     print(new)
        {'w': tensor([0.8000])}
        {'w': tensor([0.9000])}
    """
    if optimizer.apply is not None:
        return optimizer.apply(grads, state, params, recycler)
    updates, new_state = optimizer.update(grads, state, params)
    return apply_updates(params, updates), new_state
