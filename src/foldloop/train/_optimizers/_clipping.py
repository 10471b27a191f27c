"""Transformations that clip gradients, as ``torch.nn.utils.clip_grad_*_`` do in place."""

import torch

from foldloop.tree import tree_unflatten

from .._checks import require_positive
from .._grad_mode import without_grad
from ._base import GradientTransformation, P
from ._leaves import flatten_alike, require_state
from ._states import EmptyState, empty_init

_NORM_EPS = 1e-6  # what torch.nn.utils.clip_grad_norm_ adds to the norm before dividing

# torch._foreach_* (private API, tested with torch 2.13): one call for a list of tensors, which on
# CUDA is one multi-tensor kernel (as in torch.optim's foreach steps), where public per-tensor
# ops cost a Python call and a launch per tensor. Kept for speed.


def clip_by_global_norm(max_norm: float) -> GradientTransformation[EmptyState]:
    """Scale all updates down together so that their joint L2 norm is at most ``max_norm``.

    The norm is taken over every tensor at once, and the scale is
    ``min(1, max_norm / (norm + 1e-6))``: ``torch.nn.utils.clip_grad_norm_``, out of place.

    Raises:
        ValueError: ``max_norm`` is not > 0.

    Example:
        >>> import torch
        >>> clip = clip_by_global_norm(1.0)
        >>> params = {"a": torch.zeros(1), "b": torch.zeros(1)}
        >>> grads = {"a": torch.tensor([3.0]), "b": torch.tensor([4.0])}
        >>> clip.update(grads, clip.init(params), params)[0]
        {'a': tensor([0.6000]), 'b': tensor([0.8000])}
    """
    limit = require_positive("clip_by_global_norm: max_norm", max_norm)

    @without_grad
    def update(updates: P, state: EmptyState, params: P) -> tuple[P, EmptyState]:
        require_state("clip_by_global_norm", state, EmptyState)
        spec, (grads,) = flatten_alike("clip_by_global_norm", updates=updates)
        norm = torch.nn.utils.get_total_norm(grads)  # public; clip_grad_norm_'s own norm
        scale = torch.clamp(limit / (norm + _NORM_EPS), max=1.0)
        clipped: P = tree_unflatten(spec, torch._foreach_mul(grads, scale))
        return clipped, state

    return GradientTransformation(empty_init, update)


def clip_by_value(clip_value: float) -> GradientTransformation[EmptyState]:
    """Clamp every update into ``[-clip_value, clip_value]``, as ``clip_grad_value_``.

    Raises:
        ValueError: ``clip_value`` is not > 0.

    Example:
        >>> import torch
        >>> clip = clip_by_value(0.5)
        >>> params = {"w": torch.zeros(3)}
        >>> clip.update({"w": torch.tensor([-2.0, 0.1, 3.0])}, clip.init(params), params)[0]
        {'w': tensor([-0.5000,  0.1000,  0.5000])}
    """
    limit = require_positive("clip_by_value: clip_value", clip_value)

    @without_grad
    def update(updates: P, state: EmptyState, params: P) -> tuple[P, EmptyState]:
        require_state("clip_by_value", state, EmptyState)
        spec, (grads,) = flatten_alike("clip_by_value", updates=updates)
        low = torch._foreach_clamp_min(grads, -limit)
        clipped: P = tree_unflatten(spec, torch._foreach_clamp_max(low, limit))
        return clipped, state

    return GradientTransformation(empty_init, update)
