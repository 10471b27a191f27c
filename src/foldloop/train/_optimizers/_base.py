"""The optimizer interface: a pair of pure functions, and how such pairs compose."""

from collections.abc import Mapping, Sequence
from typing import Any, Generic, NamedTuple, Protocol, TypeAlias, TypeVar

import torch

TensorTree: TypeAlias = torch.Tensor | Mapping[str, "TensorTree"] | Sequence["TensorTree"]
"""Parameters, gradients, updates: a tensor, or dicts and sequences of tensor trees."""

P = TypeVar("P", bound=TensorTree)
S = TypeVar("S")
S_co = TypeVar("S_co", covariant=True)


class InitFn(Protocol[S_co]):
    """Make a transformation's first state from the parameters it will update."""

    def __call__(self, params: TensorTree, /) -> S_co:
        """The state before the first update."""
        ...


class UpdateFn(Protocol[S]):
    """Turn gradients (or the updates of an earlier transformation) into updates."""

    def __call__(self, updates: P, state: S, params: P, /) -> tuple[P, S]:
        """The new updates, shaped like ``updates``, and the next state."""
        ...


class ApplyFn(Protocol[S]):
    """Turn gradients into new parameters and the next state: a whole optimizer's step."""

    def __call__(self, grads: P, state: S, params: P, /, *, donate: bool = False) -> tuple[P, S]:
        """``apply_updates(params, updates)`` and the state, where ``update`` gives
        ``(updates, state)``, to float rounding. Without ``donate`` the results are new
        tensors and nothing given is written; with it, ``params`` and the tensors of ``state``
        may be updated in place (the caller gives them up)."""
        ...


class GradientTransformation(NamedTuple, Generic[S]):
    """An optimizer or a piece of one: ``init(params)`` and ``update(updates, state, params)``.

    Both are pure: nothing they are given is modified, and all that the transformation
    remembers between steps (moments, step counts) lives in the state that ``update``
    returns, which is a pytree that a checkpoint can hold. Pieces combine with `chain`.

    ``apply``, when present, is *the* implementation of a whole optimizer's step where torch's
    fused kernel takes the tensors (the kernel of ``torch.optim.X(fused=True)``), and
    ``update`` then `apply_updates` elsewhere: the new parameters straight from the
    gradients, with the state ``update`` would give. `adam`, `adamw` and `sgd` have one;
    `apply_gradients` uses it when it is there.

    Example:
        >>> import torch
        >>> from foldloop.train import apply_updates, sgd
        >>> params = {"w": torch.tensor([1.0, 2.0])}
        >>> optimizer = sgd(lr=0.5)
        >>> state = optimizer.init(params)
        >>> updates, state = optimizer.update({"w": torch.tensor([1.0, 1.0])}, state, params)
        >>> apply_updates(params, updates)
        {'w': tensor([0.5000, 1.5000])}
    """

    init: InitFn[S]
    update: UpdateFn[S]
    apply: ApplyFn[S] | None = None


ChainState: TypeAlias = tuple[object, ...]
"""The state of a `chain`: the states of its transformations, in order."""


def chain(
    # Any: each transformation has its own state type, which no static type can list for an
    # arbitrary number of them; each one checks at run time that it got its own state back.
    *transforms: GradientTransformation[Any],
) -> GradientTransformation[ChainState]:
    """Run transformations one after another, each on the updates of the one before.

    ``chain()`` of nothing is the identity: its updates are the gradients.

    Example:
        >>> import torch
        >>> from foldloop.train import clip_by_value, scale_by_learning_rate
        >>> optimizer = chain(clip_by_value(1.0), scale_by_learning_rate(0.1))
        >>> params = {"w": torch.zeros(2)}
        >>> updates, _ = optimizer.update(
        ...     {"w": torch.tensor([5.0, -0.5])}, optimizer.init(params), params
        ... )
        >>> updates
        {'w': tensor([-0.1000,  0.0500])}
    """

    def init(params: TensorTree) -> ChainState:
        return tuple(transform.init(params) for transform in transforms)

    def update(updates: P, state: ChainState, params: P) -> tuple[P, ChainState]:
        require_chain_state(state, len(transforms))
        new_states = []
        for transform, inner_state in zip(transforms, state, strict=True):
            updates, new_state = transform.update(updates, inner_state, params)
            new_states.append(new_state)
        return updates, tuple(new_states)

    return GradientTransformation(init, update)


def require_chain_state(state: object, length: int) -> None:
    """Refuse a chain state that is not a tuple of ``length`` states.

    Example:
        >>> require_chain_state((), 2)
        Traceback (most recent call last):
        ...
        ValueError: a chain of 2 transformations needs a tuple of 2 states, got a tuple of 0; ...
    """
    if not isinstance(state, tuple) or len(state) != length:
        raise ValueError(
            f"a chain of {length} transformations needs a tuple of {length} states, got "
            + (
                f"a tuple of {len(state)}"
                if isinstance(state, tuple)
                else f"{type(state).__name__} {state!r}"
            )
            + "; pass the state that this chain's init returned"
        )
