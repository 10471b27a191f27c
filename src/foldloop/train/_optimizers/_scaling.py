"""Transformations that scale updates: by a schedule, by a learning rate, or add weight decay."""

import attrs
import torch

from foldloop.tree import tree_unflatten

from .._checks import require_non_negative
from .._grad_mode import without_grad
from .._schedules import Schedule, as_schedule
from ._base import GradientTransformation, P, TensorTree
from ._leaves import flatten_alike, require_state
from ._states import CountState, EmptyState, empty_init

# torch._foreach_* (private API, tested with torch 2.13): one call for a list of tensors, which on
# CUDA is one multi-tensor kernel (as in torch.optim's foreach steps), where public per-tensor
# ops cost a Python call and a launch per tensor. Kept for speed.


def scale_by_schedule(schedule: Schedule) -> GradientTransformation[CountState]:
    """Multiply the updates by ``schedule(step)``, where step counts this transformation's updates.

    Raises:
        TypeError: ``schedule`` is not callable.

    Example:
        >>> import torch
        >>> from foldloop.train import exponential_decay
        >>> halve = scale_by_schedule(exponential_decay(1.0, gamma=0.5))
        >>> params = {"w": torch.zeros(1)}
        >>> state = halve.init(params)
        >>> for _ in range(3):
        ...     updates, state = halve.update({"w": torch.ones(1)}, state, params)
        >>> updates, state
        ({'w': tensor([0.2500])}, CountState(count=3))
    """
    if not callable(schedule):
        raise TypeError(f"scale_by_schedule needs a callable step -> float, got {schedule!r}")
    return _scale_by_step("scale_by_schedule", schedule)


def scale_by_learning_rate(lr: float | Schedule) -> GradientTransformation[CountState]:
    """Multiply the updates by ``-lr``, turning a descent direction into a step.

    Args:
        lr: the learning rate, a number >= 0 or a schedule (a callable ``step -> float``)
            evaluated at this transformation's update count.

    Raises:
        ValueError: ``lr`` is negative, or the schedule is negative at step 0 (or, during
            ``update``, at the step it is read at).
        TypeError: ``lr`` is neither a number nor callable.

    Example:
        >>> import torch
        >>> step = scale_by_learning_rate(0.1)
        >>> params = {"w": torch.zeros(1)}
        >>> step.update({"w": torch.ones(1)}, step.init(params), params)[0]
        {'w': tensor([-0.1000])}
    """
    return scale_by_negated_learning_rate(NegatedLearningRate.of(lr))


def scale_by_negated_learning_rate(
    negated: "NegatedLearningRate",
) -> GradientTransformation[CountState]:
    """`scale_by_learning_rate` of an already checked rate (a fused optimizer shares it).

    Example:
        >>> import torch
        >>> step = scale_by_negated_learning_rate(NegatedLearningRate.of(0.5))
        >>> params = {"w": torch.zeros(1)}
        >>> step.update({"w": torch.ones(1)}, step.init(params), params)[0]
        {'w': tensor([-0.5000])}
    """
    return _scale_by_step("scale_by_learning_rate", negated)


@attrs.frozen
class NegatedLearningRate:
    """``-lr(step)``, refusing a negative learning rate; made by `NegatedLearningRate.of`.

    The factor `scale_by_learning_rate` multiplies by, and the fused optimizers read.
    """

    lr: Schedule

    @classmethod
    def of(cls, lr: float | Schedule) -> "NegatedLearningRate":
        """Check ``lr`` at step 0 and wrap it.

        Example:
            >>> NegatedLearningRate.of(-0.1)
            Traceback (most recent call last):
            ...
            ValueError: the learning rate is -0.1 at step 0; a learning rate must be >= 0
        """
        negated = cls(as_schedule(lr, "lr"))
        negated(0)
        return negated

    def __call__(self, step: int) -> float:
        """The negated learning rate at ``step``."""
        value = self.lr(step)
        if not value >= 0:
            raise ValueError(
                f"the learning rate is {value} at step {step}; a learning rate must be >= 0"
            )
        return -value


def add_decayed_weights(weight_decay: float) -> GradientTransformation[EmptyState]:
    """Add ``weight_decay * params`` to the updates (L2 regularisation, as torch's weight_decay).

    Placed before an adaptive scaling this is torch's coupled ``weight_decay`` (``Adam``);
    placed after it and before the learning rate it is decoupled weight decay (``AdamW``).

    Raises:
        ValueError: ``weight_decay`` is negative.

    Example:
        >>> import torch
        >>> decay = add_decayed_weights(0.5)
        >>> params = {"w": torch.tensor([2.0])}
        >>> decay.update({"w": torch.tensor([1.0])}, decay.init(params), params)[0]
        {'w': tensor([2.])}
    """
    rate = require_non_negative("add_decayed_weights: weight_decay", weight_decay)

    @without_grad
    def update(updates: P, state: EmptyState, params: P) -> tuple[P, EmptyState]:
        require_state("add_decayed_weights", state, EmptyState)
        spec, (grads, weights) = flatten_alike(
            "add_decayed_weights", updates=updates, params=params
        )
        decayed: P = tree_unflatten(spec, torch._foreach_add(grads, weights, alpha=rate))
        return decayed, state

    return GradientTransformation(empty_init, update)


def _scale_by_step(owner: str, factor: Schedule) -> GradientTransformation[CountState]:
    def init(params: TensorTree) -> CountState:
        return CountState(count=0)

    @without_grad
    def update(updates: P, state: CountState, params: P) -> tuple[P, CountState]:
        count = require_state(owner, state, CountState).count
        spec, (leaves,) = flatten_alike(owner, updates=updates)
        scaled: P = tree_unflatten(spec, torch._foreach_mul(leaves, factor(count)))
        return scaled, CountState(count=count + 1)

    return GradientTransformation(init, update)
