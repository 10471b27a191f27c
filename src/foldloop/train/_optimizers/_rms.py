"""Scaling by running squared gradients: RMSprop's average and Adagrad's sum."""

import torch

from foldloop.tree import tree_unflatten

from .._checks import require_non_negative, require_unit_interval
from .._grad_mode import without_grad
from ._base import GradientTransformation, P, TensorTree
from ._leaves import filled_like, flatten_alike, require_state
from ._states import RMSState, SumOfSquaresState

# torch._foreach_* (private API, tested with torch 2.13): one call for a list of tensors, which on
# CUDA is one multi-tensor kernel (as in torch.optim's foreach steps), where public per-tensor
# ops cost a Python call and a launch per tensor. Kept for speed.


def scale_by_rms(
    alpha: float = 0.99, eps: float = 1e-8, centered: bool = False
) -> GradientTransformation[RMSState]:
    """Divide updates by the root of their running mean square, as ``torch.optim.RMSprop``.

    The mean square decays by ``alpha`` each step; ``centered`` subtracts the square of the
    running mean first (an estimate of the variance). ``eps`` is added after the root.

    Raises:
        ValueError: ``alpha`` is outside ``[0, 1)`` or ``eps`` is negative.

    Example:
        >>> import torch
        >>> rms = scale_by_rms(alpha=0.75, eps=0.0)
        >>> params = {"w": torch.zeros(1)}
        >>> rms.update({"w": torch.tensor([2.0])}, rms.init(params), params)[0]
        {'w': tensor([2.])}
    """
    decay = require_unit_interval("scale_by_rms: alpha", alpha)
    epsilon = require_non_negative("scale_by_rms: eps", eps)

    def init(params: TensorTree) -> RMSState:
        grad_avg = filled_like("scale_by_rms", params) if centered else None
        return RMSState(filled_like("scale_by_rms", params), grad_avg)

    @without_grad
    def update(updates: P, state: RMSState, params: P) -> tuple[P, RMSState]:
        state = require_state("scale_by_rms", state, RMSState)
        spec, (grads, old_square, *old_mean) = flatten_alike(
            "scale_by_rms", updates=updates, **_averages(state, centered)
        )
        square = torch._foreach_addcmul(
            torch._foreach_mul(old_square, decay), grads, grads, value=1 - decay
        )
        grad_avg = torch._foreach_lerp(old_mean[0], grads, 1 - decay) if centered else None
        root = _root_mean_square(square, grad_avg, epsilon)
        scaled: P = tree_unflatten(spec, torch._foreach_div(grads, root))
        new_grad_avg = None if grad_avg is None else tree_unflatten(spec, grad_avg)
        return scaled, RMSState(tree_unflatten(spec, square), new_grad_avg)

    return GradientTransformation(init, update)


def _averages(state: RMSState, centered: bool) -> dict[str, TensorTree | None]:
    """The state's average trees by name, the mean gradient only when centered."""
    averages: dict[str, TensorTree | None] = {"square_avg": state.square_avg}
    if centered:
        averages["grad_avg"] = state.grad_avg
    return averages


def _root_mean_square(
    square: tuple[torch.Tensor, ...], mean: tuple[torch.Tensor, ...] | None, eps: float
) -> tuple[torch.Tensor, ...]:
    """``sqrt(square - mean**2) + eps``, or ``sqrt(square) + eps`` without a mean, as torch."""
    variance = square if mean is None else torch._foreach_addcmul(square, mean, mean, value=-1)
    return torch._foreach_add(torch._foreach_sqrt(variance), eps)


def scale_by_rss(
    initial_accumulator_value: float = 0.0, eps: float = 1e-10
) -> GradientTransformation[SumOfSquaresState]:
    """Divide updates by the root of the sum of all their squares so far, as ``Adagrad``.

    The sum starts at ``initial_accumulator_value``; ``eps`` is added after the root.

    Raises:
        ValueError: ``initial_accumulator_value`` or ``eps`` is negative.

    Example:
        >>> import torch
        >>> rss = scale_by_rss(eps=0.0)
        >>> params = {"w": torch.zeros(1)}
        >>> state = rss.init(params)
        >>> for grad in (3.0, 4.0):
        ...     updates, state = rss.update({"w": torch.tensor([grad])}, state, params)
        >>> updates, state
        ({'w': tensor([0.8000])}, SumOfSquaresState(sum={'w': tensor([25.])}))
    """
    start = require_non_negative(
        "scale_by_rss: initial_accumulator_value", initial_accumulator_value
    )
    epsilon = require_non_negative("scale_by_rss: eps", eps)

    def init(params: TensorTree) -> SumOfSquaresState:
        return SumOfSquaresState(filled_like("scale_by_rss", params, start))

    @without_grad
    def update(updates: P, state: SumOfSquaresState, params: P) -> tuple[P, SumOfSquaresState]:
        state = require_state("scale_by_rss", state, SumOfSquaresState)
        spec, (grads, old_total) = flatten_alike("scale_by_rss", updates=updates, sum=state.sum)
        total = torch._foreach_addcmul(old_total, grads, grads, value=1)
        root = torch._foreach_add(torch._foreach_sqrt(total), epsilon)
        scaled: P = tree_unflatten(spec, torch._foreach_div(grads, root))
        return scaled, SumOfSquaresState(tree_unflatten(spec, total))

    return GradientTransformation(init, update)
