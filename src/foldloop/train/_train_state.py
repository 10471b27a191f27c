"""The value a training run folds: parameters, buffers, optimizer state, counters, last output."""

from collections.abc import Iterable, Mapping
from contextlib import nullcontext
from typing import Any, Generic, TypeAlias

import attrs
import optree
import torch
from torch import nn
from typing_extensions import TypeVar

from foldloop.tree import NAMESPACE, tree_flatten, tree_map

from ._arguments import as_device, require_module, require_optimizer, require_trainable
from ._checks import require_whole
from ._device import to_device
from ._donation import Lease, module_parameters
from ._optimizers import GradientTransformation

Tensors: TypeAlias = Mapping[str, torch.Tensor]
"""Named tensors of a module: its parameters, its buffers, or gradients shaped like them."""


# What the last step's output_transform returned: a trainer's loss is a float (its default);
# a bare ``TrainState`` is ``TrainState[Any]``, for code that takes any trainer's state.
Out = TypeVar("Out", covariant=True, default=Any)


@attrs.frozen(eq=False, repr=False)
class TrainState(Generic[Out]):
    """What a training step folds: a pytree holding everything a run needs to resume.

    The module that a step is built from is only a template; the numbers live here. Two train
    states are equal when their trees have the same structure and bit-identical leaves
    (tensors compared with ``torch.equal`` and their dtypes), so ``State[TrainState]``
    compares as a whole in tests.

    A state handed to a step built with ``donate=True`` is consumed by it (see
    ``docs/training.md``, Donation): reading its ``params``, ``buffers``, ``opt_state`` or
    ``grads`` afterwards, or flattening it as a tree (equality, ``tree_map``, a checkpoint),
    raises `DonatedError`. `clone` keeps a readable copy.

    Attributes:
        params: the trainable parameters by name (``params_of``); like a module's, they
            require grad (a step differentiates them; nothing accumulates into ``.grad``).
        buffers: the buffers by name (``buffers_of``), such as BatchNorm's running statistics.
        opt_state: the optimizer's state, as its ``init`` made it and its ``update`` returns it.
        step: how many optimizer updates were made.
        seed: the run's seed; the randomness of each iteration (dropout) derives from it.
        output: what the last step's ``output_transform`` returned (by default the loss as a
            float; ``(y_pred, y)`` after an evaluation step), ``None`` before the first step.
            Its type is the state's parameter: ``supervised_trainer`` runs a
            ``TrainState[float]``, or a ``TrainState[Out]`` for an ``output_transform`` that
            returns an ``O``.
        grads: gradients summed over the iterations of an unfinished gradient accumulation,
            ``None`` when no update is pending.
        lease: the donation mark this state shares with the states that hold its tensors
            (``attrs.evolve`` keeps it; a step that updates out of place gives a new one).

    Example:
        >>> import torch
        >>> state = TrainState(params={"w": torch.ones(2)}, buffers={}, opt_state=())
        >>> state == TrainState(params={"w": torch.ones(2)}, buffers={}, opt_state=())
        True
        >>> state == attrs.evolve(state, params={"w": torch.zeros(2)})
        False
    """

    _params: Tensors
    _buffers: Tensors
    _opt_state: object
    step: int = 0
    seed: int = 0
    # None before the first step, typed Out as Ignite's state.output is read after it: the
    # default keeps TrainState(params, buffers, opt_state) a TrainState[Any].
    output: Out = attrs.field(default=None)
    _grads: Tensors | None = None
    # eq=False: the donation mark is not part of the value (deep comparisons skip it).
    lease: Lease = attrs.field(factory=Lease, kw_only=True, eq=False)

    @property
    def params(self) -> Tensors:
        """The trainable parameters by name; `DonatedError` once the state was donated."""
        self.lease.check()
        return self._params

    @property
    def buffers(self) -> Tensors:
        """The buffers by name; `DonatedError` once the state was donated."""
        self.lease.check()
        return self._buffers

    @property
    def opt_state(self) -> object:
        """The optimizer's state; `DonatedError` once the state was donated."""
        self.lease.check()
        return self._opt_state

    @property
    def grads(self) -> Tensors | None:
        """The pending accumulated gradients; `DonatedError` once the state was donated."""
        self.lease.check()
        return self._grads

    def clone(self) -> "TrainState[Out]":
        """A copy whose tensors are new (cloned), with a lease of its own: donating this state
        later leaves the copy readable.

        Example:
            >>> import torch
            >>> state = TrainState({"w": torch.ones(1)}, {}, ())
            >>> copy = state.clone()
            >>> copy == state, copy.params["w"] is state.params["w"]
            (True, False)
        """
        copied: TrainState[Out] = tree_map(_clone_leaf, self)
        return copied

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TrainState):
            return NotImplemented
        leaves, spec = tree_flatten(self)
        other_leaves, other_spec = tree_flatten(other)
        return spec == other_spec and all(map(_leaves_equal, leaves, other_leaves))

    __hash__ = None  # type: ignore[assignment]  # equal states may hold different tensors

    def __repr__(self) -> str:
        if self.lease.donated_at is not None:  # never show the numbers of a later step
            return f"TrainState(<donated at iteration {self.lease.donated_at}>)"
        fields = ", ".join(
            f"{name}={value!r}" for name, value in zip(_FIELDS, _children(self), strict=True)
        )
        return f"TrainState({fields})"


_FIELDS = ("params", "buffers", "opt_state", "step", "seed", "output", "grads")


def _children(state: TrainState) -> tuple[object, ...]:
    # attrs names the fields with their underscores; the properties check the lease first.
    return (
        state._params,
        state._buffers,
        state._opt_state,
        state.step,
        state.seed,
        state.output,
        state._grads,
    )


def _flatten(state: TrainState) -> tuple[tuple[object, ...], None, tuple[str, ...]]:
    """A TrainState's children for the tree functions, after checking that it is readable."""
    state.lease.check()
    return _children(state), None, _FIELDS


# Any: the tree functions may rebuild a state from leaves of any type (a tree_map to shapes).
def _unflatten(_: None, children: Iterable[Any]) -> TrainState:
    """A TrainState of new children: a new value, with a lease of its own."""
    return TrainState(*children)


optree.register_pytree_node(
    TrainState,  # type: ignore[arg-type]  # optree types nodes as Collections; any class can be one
    _flatten,  # type: ignore[arg-type]  # its Collection-typed flatten signature, as above
    _unflatten,  # type: ignore[arg-type]  # its Collection-typed unflatten signature, as above
    namespace=NAMESPACE,
)


def _clone_leaf(leaf: object) -> object:
    return leaf.clone() if isinstance(leaf, torch.Tensor) else leaf


def _leaves_equal(left: object, right: object) -> bool:
    if left is right:
        return True
    if isinstance(left, torch.Tensor) and isinstance(right, torch.Tensor):
        same_kind = left.dtype == right.dtype and left.device == right.device
        return same_kind and torch.equal(left, right)
    if isinstance(left, torch.Tensor) or isinstance(right, torch.Tensor):
        return False
    return bool(left == right)


def params_of(module: nn.Module) -> dict[str, torch.Tensor]:
    """Copies of the module's trainable parameters, by name, detached from its autograd graph.

    Only parameters that require grad are taken: a frozen parameter is a constant that a step
    reads from the module itself. The copies require grad, as the parameters do, so that a
    step can differentiate them as they are.

    Example:
        >>> from torch import nn
        >>> layer = nn.Linear(2, 1)
        >>> params = params_of(layer)
        >>> sorted(params), params["weight"].requires_grad, params["weight"].is_leaf
        (['bias', 'weight'], True, True)
        >>> params["weight"] is layer.weight
        False
    """
    return {
        name: p.detach().clone().requires_grad_()
        for name, p in module.named_parameters()
        if p.requires_grad
    }


def buffers_of(module: nn.Module) -> dict[str, torch.Tensor]:
    """Detached copies of the module's buffers (BatchNorm's running statistics), by name.

    Example:
        >>> from torch import nn
        >>> sorted(buffers_of(nn.BatchNorm1d(3)))
        ['num_batches_tracked', 'running_mean', 'running_var']
    """
    return {name: b.detach().clone() for name, b in module.named_buffers()}


def load_into(module: nn.Module, state: TrainState) -> None:
    """Copy the state's parameters and buffers into ``module``, to export or use it eagerly.

    This is the one function of foldloop's training that changes a module; runs never do.

    Raises:
        KeyError: the state names a tensor that the module does not have.

    Example:
        >>> import torch
        >>> from torch import nn
        >>> layer = nn.Linear(1, 1)
        >>> state = TrainState({"weight": torch.ones(1, 1), "bias": torch.zeros(1)}, {}, ())
        >>> load_into(layer, state)
        >>> layer(torch.tensor([[3.0]]))
        tensor([[3.]], grad_fn=<AddmmBackward0>)
    """
    result = module.load_state_dict({**state.params, **state.buffers}, strict=False)
    if result.unexpected_keys:
        raise KeyError(
            f"the state holds tensors that {type(module).__name__} does not have: "
            f"{sorted(result.unexpected_keys)}; load a state made from this module"
        )


def init_train_state(
    model: nn.Module,
    # Any: any optimizer will do; only its init is called, and the state it makes is stored.
    optimizer: GradientTransformation[Any],
    seed: int = 0,
    device: torch.device | str | None = None,
    *,
    donate: bool = False,
) -> TrainState:
    """The state before the first step: copies of the model's tensors and a fresh optimizer.

    Args:
        model: the module to train; it is read, never changed (unless ``donate``).
        optimizer: the optimizer the trainer will use; its ``init`` makes ``opt_state``.
        seed: the seed every iteration's randomness derives from (a whole number >= 0).
        device: where the state's tensors go (``"cuda"``, say); by default, where they are.
        donate: take the model's own parameters instead of copies (no memory or time spent on
            copying them): the model gives them up to the state, once. A step built with
            ``donate=True`` then updates them in place, so the model's parameters show the
            run's latest numbers, as a plain torch loop's do; a pure step only reads them.

    Raises:
        TypeError: the model is not a module, or the optimizer not a foldloop one.
        ValueError: the model has no trainable parameters, ``seed`` is negative, ``device`` is
            not one torch can name or this machine has, ``donate`` is given with ``device``,
            or (with ``donate``) the model's parameters were donated before.

    Example:
        >>> from torch import nn
        >>> from foldloop.train import sgd
        >>> state = init_train_state(nn.Linear(2, 1), sgd(lr=0.1), seed=7)
        >>> sorted(state.params), state.step, state.seed, state.output
        (['bias', 'weight'], 0, 7, None)
    """
    owner = "init_train_state"
    require_optimizer(owner, optimizer)
    require_trainable(require_module(owner, model))
    seed = require_whole(f"{owner}: seed", seed, minimum=0)
    on_device = as_device(owner, device)
    if donate and on_device is not None:
        raise ValueError(
            f"{owner}: donate=True takes the model's own parameters where they are, so it "
            "cannot also move them; move the model first (model.to(device)) and leave out device="
        )
    buffers = buffers_of(model) if on_device is None else to_device(buffers_of(model), on_device)
    with module_parameters(model) if donate else nullcontext(params_of(model)) as params:
        if on_device is not None:
            params = to_device(params, on_device)
        return TrainState(params, buffers, optimizer.init(params), seed=seed)
