"""Checked access to the tensors of parameter-shaped trees, for the multi-tensor kernels."""

import functools
from typing import TypeVar

import torch

from foldloop.tree import (
    TreeSpec,
    tree_flatten,
    tree_flatten_with_paths,
    tree_paths,
    tree_unflatten,
)

from ._base import TensorTree

T = TypeVar("T")


def flatten_alike(owner: str, **trees: object) -> tuple[TreeSpec, list[list[torch.Tensor]]]:
    """Flatten trees that must all have the first one's structure and hold only tensors.

    Args:
        owner: the transformation asking, named in error messages.
        **trees: the trees by the names that error messages give them.

    Returns:
        The first tree's structure, and each tree's leaves in the same order.

    Raises:
        ValueError: a tree holds no tensors, or its keys differ from the first tree's.
        TypeError: a leaf is not a tensor.

    Example:
        >>> import torch
        >>> spec, (grads, buf) = flatten_alike(
        ...     "sgd", updates={"w": torch.ones(1)}, buffer={"w": torch.zeros(1)}
        ... )
        >>> flatten_alike("sgd", updates={"w": torch.ones(1)}, buffer={"v": torch.zeros(1)})
        Traceback (most recent call last):
        ...
        ValueError: sgd: buffer does not match updates: keys only in updates: ['w'], ...
    """
    flat = _flat_dicts(list(trees.values()))
    if flat is not None:
        return flat
    (first_name, first), *others = trees.items()
    leaves, spec = _tensor_leaves(owner, first_name, first)
    if not leaves:
        raise ValueError(
            f"{owner}: {first_name} holds no tensors; an optimizer needs at least one parameter "
            "(torch.optim refuses an empty parameter list too)"
        )
    all_leaves = [leaves]
    for name, tree in others:
        other_leaves, other_spec = _tensor_leaves(owner, name, tree)
        if other_spec != spec:
            raise ValueError(_mismatch_message(owner, (first_name, first), (name, tree)))
        all_leaves.append(other_leaves)
    return spec, all_leaves


def _flat_dicts(trees: list[object]) -> tuple[TreeSpec, list[list[torch.Tensor]]] | None:
    """`flatten_alike` of the common case, without walking each tree: dicts of tensors with
    the same keys in the same order (a step's parameters, gradients and moments). ``None``
    for any other trees, which the general path flattens and checks."""
    dicts = [tree for tree in trees if type(tree) is dict]
    if len(dicts) != len(trees) or not dicts[0]:
        return None
    keys = tuple(dicts[0])
    layout = _dict_layout(keys)
    if layout is None or any(tuple(tree) != keys for tree in dicts):
        return None
    spec, order = layout
    leaves = [[tree[key] for key in order] for tree in dicts]
    kinds = {type(leaf) for tree_leaves in leaves for leaf in tree_leaves}
    if not all(issubclass(kind, torch.Tensor) for kind in kinds):
        return None
    return spec, leaves


@functools.lru_cache(maxsize=64)
def _dict_layout(keys: tuple[object, ...]) -> tuple[TreeSpec, tuple[str, ...]] | None:
    """The structure of a dict with these keys (in this order) and the order of its leaves (the
    keys sorted, as the tree functions order them); ``None`` unless every key is a string."""
    names = tuple(key for key in keys if type(key) is str)
    if len(names) != len(keys):
        return None
    _, spec = tree_flatten(dict.fromkeys(names, 0))
    return spec, tuple(sorted(names))


def require_state(owner: str, state: object, expected: type[T]) -> T:
    """``state``, after checking that it is an instance of ``expected``.

    Example:
        >>> require_state("sgd", 3, str)
        Traceback (most recent call last):
        ...
        TypeError: sgd needs its state to be a str, got int; pass the state that its init returned
    """
    if not isinstance(state, expected):
        raise TypeError(
            f"{owner} needs its state to be a {expected.__name__}, got {type(state).__name__}; "
            "pass the state that its init returned"
        )
    return state


def _tensor_leaves(owner: str, name: str, tree: object) -> tuple[list[torch.Tensor], TreeSpec]:
    leaves, spec = tree_flatten(tree)
    if not all(isinstance(leaf, torch.Tensor) for leaf in leaves):
        paths, leaves, _ = tree_flatten_with_paths(tree)
        wrong = [
            f"{p} ({type(x).__name__})"
            for p, x in zip(paths, leaves, strict=True)
            if not isinstance(x, torch.Tensor)
        ]
        raise TypeError(f"{owner}: {name} must hold only tensors, but has {wrong}")
    return leaves, spec


def _mismatch_message(owner: str, expected: tuple[str, object], got: tuple[str, object]) -> str:
    (expected_name, expected_tree), (name, tree) = expected, got
    expected_paths, paths = set(tree_paths(expected_tree)), set(tree_paths(tree))
    missing, extra = sorted(expected_paths - paths), sorted(paths - expected_paths)
    if missing or extra:
        difference = f"keys only in {expected_name}: {missing}, keys only in {name}: {extra}"
    else:
        difference = "the keys agree but the containers differ"
    return (
        f"{owner}: {name} does not match {expected_name}: {difference}; an optimizer state "
        "only fits the parameters its init was given, so call init(params) for these parameters"
    )


def filled_like(owner: str, params: TensorTree, value: float = 0.0) -> TensorTree:
    """A tree shaped like ``params`` whose tensors are all ``value``: a fresh optimizer moment.

    Each tensor has its parameter's shape, dtype and device, and does not require grad. It is
    one number broadcast to that shape (a stride-0 view), so a fresh moment costs no memory:
    an update reads it and writes its result to a new, full tensor.

    Example:
        >>> import torch
        >>> moment = filled_like("adagrad", {"w": torch.ones(2, requires_grad=True)}, 0.1)
        >>> moment, moment["w"].stride()
        ({'w': tensor([0.1000, 0.1000])}, (0,))
    """
    spec, (leaves,) = flatten_alike(owner, params=params)
    filled: TensorTree = tree_unflatten(spec, [_broadcast(value, leaf) for leaf in leaves])
    return filled


def _broadcast(value: float, like: torch.Tensor) -> torch.Tensor:
    return torch.full((), value, dtype=like.dtype, device=like.device).expand_as(like)


def as_leaves_like(new: list[torch.Tensor], old: list[torch.Tensor]) -> list[torch.Tensor]:
    """``new``, each tensor made to require grad exactly when its ``old`` counterpart does.

    New parameters are fresh leaves (made under ``no_grad``); a step differentiates them
    again only if they require grad as the parameters they replace did.

    Example:
        >>> import torch
        >>> [new] = as_leaves_like([torch.zeros(1)], [torch.ones(1, requires_grad=True)])
        >>> new.requires_grad, new.is_leaf
        (True, True)
    """
    for fresh, former in zip(new, old, strict=True):
        if fresh.requires_grad != former.requires_grad:
            fresh.requires_grad_(former.requires_grad)
    return new


def require_fit(
    owner: str,
    name: str,
    leaves: list[torch.Tensor],
    param_leaves: list[torch.Tensor],
    params: object,
    same_kind: bool,
) -> None:
    """Refuse tensors whose shape (and with ``same_kind`` dtype or device) differs from their
    parameter's, before any kernel reads them: a short gradient would make torch's fused
    kernels read past its end, and the multi-tensor ops would broadcast it silently.

    Args:
        owner: the function asking, named in the message.
        name: what ``leaves`` are (``"grads"``, ``"exp_avg"``), named in the message.
        leaves: the tensors to check, in the order of ``param_leaves``.
        param_leaves: the parameters' tensors.
        params: the parameters' tree, for the path of a tensor that does not fit.
        same_kind: also require the parameter's dtype and device.

    Example:
        >>> import torch
        >>> params = {"w": torch.zeros(4)}
        >>> require_fit("sgd", "grads", [torch.ones(4)], [params["w"]], params, True)
        >>> require_fit("sgd", "grads", [torch.ones(4).double()], [params["w"]], params, True)
        Traceback (most recent call last):
        ...
        ValueError: sgd: grads at 'w' has dtype torch.float64 but its parameter has dtype ...
    """
    what: str
    got: object
    expected: object
    for index, (leaf, param) in enumerate(zip(leaves, param_leaves, strict=True)):
        if leaf.shape != param.shape:
            what, got, expected = "shape", tuple(leaf.shape), tuple(param.shape)
        elif same_kind and leaf.dtype != param.dtype:
            what, got, expected = "dtype", leaf.dtype, param.dtype
        elif same_kind and leaf.device != param.device:
            what, got, expected = "device", leaf.device, param.device
        else:
            continue
        path = tree_paths(params)[index]
        fix = (
            "pass gradients of the parameters' shapes, dtypes and devices (torch.autograd.grad "
            "of a loss gives them)"
            if same_kind
            else "an optimizer state only fits the parameters its init was given, so call "
            "init(params) for these parameters"
        )
        mismatch = f"has {what} {got} but its parameter has {what} {expected}"
        raise ValueError(f"{owner}: {name} at {path!r} {mismatch}; {fix}")
