"""The states that the built-in transformations keep: frozen attrs classes that are pytrees."""

import attrs

from foldloop.tree import register_attrs

from ._base import TensorTree


@register_attrs
@attrs.frozen
class EmptyState:
    """The state of a transformation that remembers nothing.

    Example:
        >>> EmptyState()
        EmptyState()
    """


def empty_init(params: TensorTree) -> EmptyState:
    """The ``init`` of a transformation that remembers nothing.

    Example:
        >>> empty_init({})
        EmptyState()
    """
    return EmptyState()


@register_attrs
@attrs.frozen
class CountState:
    """How many updates a transformation has made (it reads a schedule at that step).

    Example:
        >>> CountState(count=3)
        CountState(count=3)
    """

    count: int


@register_attrs
@attrs.frozen
class TraceState:
    """Momentum: the running sum of updates, shaped like the parameters.

    Example:
        >>> import torch
        >>> TraceState(count=0, momentum_buffer={"w": torch.zeros(1)})
        TraceState(count=0, momentum_buffer={'w': tensor([0.])})
    """

    count: int
    momentum_buffer: TensorTree


@register_attrs
@attrs.frozen
class AdamState:
    """Adam's running moments, shaped like the parameters.

    ``max_exp_avg_sq`` is the largest second moment seen (AMSGrad), or ``None`` without it.

    Example:
        >>> import torch
        >>> zero = {"w": torch.zeros(1)}
        >>> AdamState(count=0, exp_avg=zero, exp_avg_sq=zero, max_exp_avg_sq=None).count
        0
    """

    count: int
    exp_avg: TensorTree
    exp_avg_sq: TensorTree
    max_exp_avg_sq: TensorTree | None


@register_attrs
@attrs.frozen
class RMSState:
    """RMSprop's running mean of squared gradients (and of gradients, when centered).

    Example:
        >>> import torch
        >>> RMSState(square_avg={"w": torch.zeros(1)}, grad_avg=None).grad_avg is None
        True
    """

    square_avg: TensorTree
    grad_avg: TensorTree | None


@register_attrs
@attrs.frozen
class SumOfSquaresState:
    """Adagrad's running sum of squared gradients, shaped like the parameters.

    Example:
        >>> import torch
        >>> SumOfSquaresState(sum={"w": torch.ones(1)})
        SumOfSquaresState(sum={'w': tensor([1.])})
    """

    sum: TensorTree
