"""Applying updates to parameters: out of place, or in place when the caller donates them."""

from typing import TypeVar

import torch

from foldloop.tree import tree_unflatten

from .._grad_mode import without_grad
from ._base import GradientTransformation, P
from ._leaves import as_leaves_like, flatten_alike, require_fit

S = TypeVar("S")


@without_grad
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
    # _foreach_add: one call for all tensors (one multi-tensor kernel on CUDA), where a loop of
    # torch.add costs a Python round trip per tensor; torch.optim's foreach paths use it too.
    new = as_leaves_like(list(torch._foreach_add(old, steps)), old)
    updated: P = tree_unflatten(spec, new)
    return updated


def apply_gradients(
    optimizer: GradientTransformation[S],
    grads: P,
    state: S,
    params: P,
    *,
    donate: bool = False,
) -> tuple[P, S]:
    """New parameters and optimizer state after one step on ``grads``.

    The optimizer's ``apply`` when it has one (`adam`, `adamw`, `sgd`: torch's fused kernel
    where it takes the tensors); otherwise ``update`` and then `apply_updates`. Every gradient
    is checked against its parameter (shape, dtype, device) before any work.

    Args:
        optimizer: the optimizer.
        grads: gradients shaped like ``params``.
        state: the optimizer's state, from its ``init`` or an earlier step.
        params: the parameters.
        donate: give up ``params`` and ``state``: their tensors may be updated in place
            (with torch's fused kernel, all of them; otherwise the parameters), and hold
            the new numbers afterwards. Without it nothing given changes.

    Raises:
        ValueError: a gradient's shape, dtype or device differs from its parameter's (the
            message names its path), or the trees' keys differ.

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
        >>> optimizer = sgd(lr=0.1)
        >>> apply_gradients(optimizer, {"w": torch.ones(3)}, optimizer.init(params), params)
        Traceback (most recent call last):
        ...
        ValueError: sgd: grads at 'w' has shape (3,) but its parameter has shape (1,); ...
    """
    if optimizer.apply is not None:  # it checks the gradients itself, flattening them once
        return optimizer.apply(grads, state, params, donate=donate)
    _, (param_leaves, grad_leaves) = flatten_alike("apply_gradients", params=params, grads=grads)
    require_fit("apply_gradients", "grads", grad_leaves, param_leaves, params, same_kind=True)
    return update_then_apply(optimizer, grads, state, params, donate)


def update_then_apply(
    optimizer: GradientTransformation[S], grads: P, state: S, params: P, donate: bool
) -> tuple[P, S]:
    """``optimizer.update`` and then `apply_updates`, or with ``donate`` an in-place addition
    into ``params`` (the updates of a chain are new tensors either way).

    Example:
        >>> import torch
        >>> from foldloop.train import sgd
        >>> params = {"w": torch.tensor([1.0])}
        >>> optimizer = sgd(lr=0.5)
        >>> state = optimizer.init(params)
        >>> new, _ = update_then_apply(optimizer, {"w": torch.ones(1)}, state, params, True)
        >>> new["w"] is params["w"], params
        (True, {'w': tensor([0.5000])})
    """
    updates, new_state = optimizer.update(grads, state, params)
    if not donate:
        return apply_updates(params, updates), new_state
    _, (old, steps) = flatten_alike("apply_gradients", params=params, updates=updates)
    with torch.no_grad():
        torch._foreach_add_(old, steps)  # one call for all tensors, as in apply_updates
    return params, new_state
