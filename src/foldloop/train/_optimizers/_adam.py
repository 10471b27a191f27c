"""Adam's scaling: bias-corrected first moment over the root of the second."""

import math

import torch

from foldloop.tree import tree_unflatten

from .._checks import require_betas, require_non_negative
from .._grad_mode import without_grad
from ._base import GradientTransformation, P, TensorTree
from ._leaves import filled_like, flatten_alike, require_state
from ._states import AdamState

# torch._foreach_* (private API, tested with torch 2.13): one call for a list of tensors, which on
# CUDA is one multi-tensor kernel (as in torch.optim's foreach steps), where public per-tensor
# ops cost a Python call and a launch per tensor. Kept for speed.


def scale_by_adam(
    betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, amsgrad: bool = False
) -> GradientTransformation[AdamState]:
    """Scale updates as ``torch.optim.Adam`` does, before its learning rate.

    Keeps running averages ``m`` (of updates) and ``v`` (of their squares) with decays
    ``betas`` and outputs ``(m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps)`` at step
    ``t``; with ``amsgrad`` the largest ``v`` so far replaces ``v``.

    Raises:
        ValueError: a beta is outside ``[0, 1)`` or ``eps`` is negative.

    Example:
        >>> import torch
        >>> adam_scaling = scale_by_adam()
        >>> params = {"w": torch.zeros(2)}
        >>> grads = {"w": torch.tensor([0.1, -30.0])}
        >>> adam_scaling.update(grads, adam_scaling.init(params), params)[0]
        {'w': tensor([ 1.0000, -1.0000])}
    """
    beta1, beta2 = require_betas("scale_by_adam: betas", betas)
    epsilon = require_non_negative("scale_by_adam: eps", eps)

    def init(params: TensorTree) -> AdamState:
        def zeros() -> TensorTree:
            return filled_like("scale_by_adam", params)

        return AdamState(0, zeros(), zeros(), zeros() if amsgrad else None)

    @without_grad
    def update(updates: P, state: AdamState, params: P) -> tuple[P, AdamState]:
        state = require_state("scale_by_adam", state, AdamState)
        spec, (grads, old_mean, old_square, *old_max) = flatten_alike(
            "scale_by_adam", updates=updates, **_moments(state, amsgrad)
        )
        mean = torch._foreach_lerp(old_mean, grads, 1 - beta1)
        square = torch._foreach_addcmul(
            torch._foreach_mul(old_square, beta2), grads, grads, value=1 - beta2
        )
        running_max = torch._foreach_maximum(old_max[0], square) if amsgrad else None
        step = state.count + 1
        second = square if running_max is None else running_max
        scaled: P = tree_unflatten(
            spec, _corrected_ratio(mean, second, step, beta1, beta2, epsilon)
        )
        new_max = None if running_max is None else tree_unflatten(spec, running_max)
        return scaled, AdamState(
            step, tree_unflatten(spec, mean), tree_unflatten(spec, square), new_max
        )

    return GradientTransformation(init, update)


def _moments(state: AdamState, amsgrad: bool) -> dict[str, TensorTree | None]:
    """The state's moment trees by name, the running maximum only with AMSGrad."""
    moments: dict[str, TensorTree | None] = {
        "exp_avg": state.exp_avg,
        "exp_avg_sq": state.exp_avg_sq,
    }
    if amsgrad:
        moments["max_exp_avg_sq"] = state.max_exp_avg_sq
    return moments


def _corrected_ratio(
    mean: tuple[torch.Tensor, ...],
    second: tuple[torch.Tensor, ...],
    step: int,
    beta1: float,
    beta2: float,
    eps: float,
) -> tuple[torch.Tensor, ...]:
    """``(mean / (1 - beta1**step)) / (sqrt(second / (1 - beta2**step)) + eps)``, as torch."""
    root = torch._foreach_div(torch._foreach_sqrt(second), math.sqrt(1 - beta2**step))
    ratio = torch._foreach_div(mean, torch._foreach_add(root, eps))
    return torch._foreach_div(ratio, 1 - beta1**step)
