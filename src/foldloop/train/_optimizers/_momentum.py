"""Momentum: a running, decaying sum of the updates."""

import torch

from foldloop.tree import tree_unflatten

from .._checks import require_non_negative
from .._grad_mode import without_grad
from ._base import GradientTransformation, P, TensorTree
from ._leaves import filled_like, flatten_alike, require_state
from ._states import TraceState

# torch._foreach_* (private API, tested with torch 2.13): one call for a list of tensors, which on
# CUDA is one multi-tensor kernel (as in torch.optim's foreach steps), where public per-tensor
# ops cost a Python call and a launch per tensor. Kept for speed.


def trace(
    momentum: float, dampening: float = 0.0, nesterov: bool = False
) -> GradientTransformation[TraceState]:
    """Replace the updates by a momentum buffer, as ``torch.optim.SGD`` keeps one.

    The buffer starts as the first updates, then becomes
    ``momentum * buffer + (1 - dampening) * updates``; the output is the buffer, or with
    ``nesterov`` the updates plus ``momentum * buffer``.

    Raises:
        ValueError: ``momentum`` or ``dampening`` is negative, or
            ``nesterov`` is asked for without momentum or with dampening (as torch refuses).

    Example:
        >>> import torch
        >>> heavy_ball = trace(momentum=0.5)
        >>> params = {"w": torch.zeros(1)}
        >>> state = heavy_ball.init(params)
        >>> for _ in range(3):
        ...     updates, state = heavy_ball.update({"w": torch.ones(1)}, state, params)
        >>> updates
        {'w': tensor([1.7500])}
    """
    decay, damping = require_momentum("trace", momentum, dampening, nesterov)

    def init(params: TensorTree) -> TraceState:
        return TraceState(count=0, momentum_buffer=filled_like("trace", params))

    @without_grad
    def update(updates: P, state: TraceState, params: P) -> tuple[P, TraceState]:
        state = require_state("trace", state, TraceState)
        spec, (grads, buffer) = flatten_alike(
            "trace", updates=updates, momentum_buffer=state.momentum_buffer
        )
        weight = 1 - damping if state.count else 1.0  # the first buffer is the updates
        new_buffer = torch._foreach_add(torch._foreach_mul(buffer, decay), grads, alpha=weight)
        out = torch._foreach_add(grads, new_buffer, alpha=decay) if nesterov else new_buffer
        traced: P = tree_unflatten(spec, out)
        return traced, TraceState(state.count + 1, tree_unflatten(spec, new_buffer))

    return GradientTransformation(init, update)


def require_momentum(
    owner: str, momentum: float, dampening: float, nesterov: bool
) -> tuple[float, float]:
    """``momentum`` and ``dampening`` as floats, after checking them as ``torch.optim.SGD`` does.

    Example:
        >>> require_momentum("sgd", 0.0, 0.0, nesterov=True)
        Traceback (most recent call last):
        ...
        ValueError: sgd: nesterov momentum needs momentum > 0 and dampening 0, ...
    """
    decay = require_non_negative(f"{owner}: momentum", momentum)
    damping = require_non_negative(f"{owner}: dampening", dampening)
    if nesterov and (decay == 0 or damping != 0):
        raise ValueError(
            f"{owner}: nesterov momentum needs momentum > 0 and dampening 0, got "
            f"momentum={momentum} and dampening={dampening}; set momentum (0.9 is usual) "
            "or nesterov=False"
        )
    return decay, damping
