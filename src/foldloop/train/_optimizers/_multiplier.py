"""A learning-rate multiplier kept in the optimizer's state, for transitions to change.

`scale_by_multiplier` multiplies the updates by a number held in its own state
(`MultiplierState`); it never changes that number itself. A transition of the run (such as
``foldloop.handlers.ReduceLROnPlateau``) reads and replaces it in ``TrainState.opt_state`` with
`multiplier_of` and `with_multiplier`, so the optimizer stays a pair of pure functions and a
checkpoint of the state holds the multiplier.
"""

import attrs
import torch

from foldloop.tree import register_attrs, tree_unflatten

from .._grad_mode import without_grad
from ._base import GradientTransformation, P, TensorTree
from ._leaves import flatten_alike, require_state


@register_attrs
@attrs.frozen
class MultiplierState:
    """The multiplier that `scale_by_multiplier` applies to every update.

    Example:
        >>> MultiplierState(multiplier=0.5)
        MultiplierState(multiplier=0.5)
    """

    multiplier: float


def scale_by_multiplier(initial: float = 1.0) -> GradientTransformation[MultiplierState]:
    """Multiply the updates by the multiplier held in this transformation's state.

    Chain it after an optimizer, ``chain(sgd(lr=0.1), scale_by_multiplier())``: the effective
    learning rate is then ``lr * multiplier``. The multiplier changes only when a transition
    replaces it (`with_multiplier`), as ``ReduceLROnPlateau`` does.

    Raises:
        ValueError: ``initial`` is negative or not finite.

    Example:
        >>> import torch
        >>> scale = scale_by_multiplier()
        >>> params = {"w": torch.zeros(1)}
        >>> state = with_multiplier(scale.init(params), 0.5)
        >>> scale.update({"w": torch.ones(1)}, state, params)
        ({'w': tensor([0.5000])}, MultiplierState(multiplier=0.5))
    """
    start = _require_multiplier("scale_by_multiplier", initial)

    def init(params: TensorTree) -> MultiplierState:
        return MultiplierState(start)

    @without_grad
    def update(updates: P, state: MultiplierState, params: P) -> tuple[P, MultiplierState]:
        factor = require_state("scale_by_multiplier", state, MultiplierState).multiplier
        spec, (leaves,) = flatten_alike("scale_by_multiplier", updates=updates)
        scaled: P = tree_unflatten(spec, torch._foreach_mul(leaves, factor))
        return scaled, state

    return GradientTransformation(init, update)


def multiplier_of(opt_state: object) -> float:
    """The multiplier of the one `scale_by_multiplier` in an optimizer's state.

    Raises:
        LookupError: the state holds no `MultiplierState`, or more than one.

    Example:
        >>> from foldloop.train import chain, sgd
        >>> optimizer = chain(sgd(lr=0.1), scale_by_multiplier(0.25))
        >>> multiplier_of(optimizer.init({}))
        0.25
    """
    found = _multipliers(opt_state)
    if len(found) != 1:
        raise LookupError(_not_one(len(found)))
    return found[0].multiplier


def with_multiplier(opt_state: object, multiplier: float) -> object:
    """A copy of an optimizer's state whose `scale_by_multiplier` holds ``multiplier``.

    Only the tuples on the way to the `MultiplierState` are rebuilt; every tensor is shared.

    Raises:
        LookupError: the state holds no `MultiplierState`, or more than one.
        ValueError: ``multiplier`` is negative or not finite.

    Example:
        >>> from foldloop.train import chain, sgd
        >>> optimizer = chain(sgd(lr=0.1), scale_by_multiplier())
        >>> multiplier_of(with_multiplier(optimizer.init({}), 0.1))
        0.1
    """
    value = _require_multiplier("with_multiplier", multiplier)
    count = len(_multipliers(opt_state))
    if count != 1:
        raise LookupError(_not_one(count))
    return _replaced(opt_state, MultiplierState(value))


def _multipliers(node: object) -> list[MultiplierState]:
    if isinstance(node, MultiplierState):
        return [node]
    if isinstance(node, tuple):
        return [found for child in node for found in _multipliers(child)]
    return []


def _replaced(node: object, new: MultiplierState) -> object:
    if isinstance(node, MultiplierState):
        return new
    if isinstance(node, tuple) and _multipliers(node):
        return tuple(_replaced(child, new) for child in node)
    return node


def _not_one(count: int) -> str:
    return (
        f"the optimizer's state holds {count} MultiplierState where one is needed; "
        "chain exactly one scale_by_multiplier() into the optimizer: "
        "chain(sgd(lr=0.1), scale_by_multiplier())"
    )


def _require_multiplier(owner: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1e308:
        raise ValueError(f"{owner}: the multiplier must be a finite number >= 0, got {value!r}")
    return float(value)
