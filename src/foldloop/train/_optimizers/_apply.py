"""Applying updates to parameters, out of place."""

import torch

from foldloop.tree import tree_unflatten

from ._base import P
from ._leaves import flatten_alike


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
    new = torch._foreach_add(old, steps)
    for new_param, old_param in zip(new, old, strict=True):
        new_param.requires_grad_(old_param.requires_grad)
    updated: P = tree_unflatten(spec, new)
    return updated
