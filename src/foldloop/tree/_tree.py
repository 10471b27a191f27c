"""Pytree functions under foldloop's own optree namespace.

A pytree is any Python object: dicts, lists, tuples, named tuples and classes registered with
`register_attrs` are nodes, everything else (tensors included) is a leaf; ``None`` is a node with
no children. Which classes are nodes is decided at run time by optree's registry, which a static
type checker cannot follow, so trees go in as ``object`` and leaves and rebuilt trees come back as
``Any``: the caller knows what the tree holds and states it.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, Final, TypeAlias, cast

import optree
from optree import PyTree

TreeSpec: TypeAlias = optree.PyTreeSpec
"""A tree's structure: what `tree_flatten` returns beside the leaves."""

NAMESPACE: Final = "foldloop"
"""The optree namespace that foldloop registers its node classes in."""

PATH_SEPARATOR: Final = "."
"""What joins the keys of a leaf's path into one string."""


def tree_flatten(tree: object) -> tuple[list[Any], TreeSpec]:
    """Split a tree into its leaves and its structure.

    Dict leaves come in sorted key order, so equal trees flatten equally whatever their
    insertion order.

    Args:
        tree: any pytree.

    Returns:
        The leaves, left to right, and the structure that `tree_unflatten` rebuilds from them.

    Example:
        >>> leaves, spec = tree_flatten({"b": [1, 2], "a": 3})
        >>> leaves
        [3, 1, 2]
        >>> tree_unflatten(spec, leaves)
        {'b': [1, 2], 'a': 3}

    See Also:
        tree_unflatten, tree_flatten_with_paths
    """
    leaves, spec = optree.tree_flatten(_as_optree(tree), namespace=NAMESPACE)
    return leaves, spec


# Any: the rebuilt tree's type depends on the leaves and the registry (module docstring).
def tree_unflatten(spec: TreeSpec, leaves: Iterable[object]) -> Any:
    """Rebuild a tree of the given structure from its leaves.

    Args:
        spec: a structure from `tree_flatten` or `tree_structure`.
        leaves: exactly as many leaves as the structure has, in its order.

    Returns:
        A new tree; the leaves are placed in it as they are, not copied.

    Example:
        >>> spec = tree_structure({"w": 0, "b": 0})
        >>> tree_unflatten(spec, [1, 2])
        {'w': 2, 'b': 1}
    """
    return optree.tree_unflatten(spec, leaves)


def tree_leaves(tree: object) -> list[Any]:
    """The leaves of a tree, in the order `tree_flatten` gives them.

    Example:
        >>> tree_leaves({"x": (1, 2), "y": None, "z": [3]})
        [1, 2, 3]
    """
    return tree_flatten(tree)[0]


def tree_structure(tree: object) -> TreeSpec:
    """The structure of a tree: everything but its leaves.

    Two trees have equal structures exactly when `tree_map` can combine them.

    Example:
        >>> tree_structure({"a": 1, "b": 2}) == tree_structure({"b": "x", "a": "y"})
        True
        >>> tree_structure({"a": 1}) == tree_structure({"a": [1]})
        False
    """
    return tree_flatten(tree)[1]


# Any: the result's leaves are whatever func returns (module docstring).
def tree_map(func: Callable[..., object], tree: object, *rests: object) -> Any:
    """Apply a function leaf by leaf across one or more trees of the same structure.

    Args:
        func: called with one leaf from each tree, ``func(leaf, *rest_leaves)``.
        tree: the tree whose structure the result has.
        *rests: more trees with the same structure as ``tree``.

    Returns:
        A new tree of ``tree``'s structure holding ``func``'s results.

    Raises:
        ValueError: a tree in ``rests`` has a different structure; the message names the keys.

    Example:
        >>> tree_map(lambda x, y: x + y, {"a": 1, "b": [2]}, {"a": 10, "b": [20]})
        {'a': 11, 'b': [22]}
    """
    others = [_as_optree(rest) for rest in rests]
    return optree.tree_map(func, _as_optree(tree), *others, namespace=NAMESPACE)


def tree_flatten_with_paths(tree: object) -> tuple[list[str], list[Any], TreeSpec]:
    """Like `tree_flatten`, with each leaf's path as one string.

    A path joins the keys from the root to the leaf with ``"."``: dict keys and attrs field
    names as they are, sequence positions as numbers, so ``{"params": {"fc1.weight": w}}`` gives
    ``"params.fc1.weight"``. The root leaf's path is ``""``. These strings name tensors in
    checkpoints, so two leaves may not share one.

    Returns:
        The paths, the leaves, and the structure, in the same order.

    Raises:
        ValueError: two leaves have the same path string, as ``{"a.b": 1, "a": {"b": 2}}`` do.

    Example:
        >>> paths, leaves, _ = tree_flatten_with_paths({"params": {"fc1.weight": 1}, "n": [2]})
        >>> paths
        ['n.0', 'params.fc1.weight']
    """
    key_paths, leaves, spec = optree.tree_flatten_with_path(_as_optree(tree), namespace=NAMESPACE)
    paths = [PATH_SEPARATOR.join(str(key) for key in key_path) for key_path in key_paths]
    _require_unique(paths)
    return paths, leaves, spec


def tree_paths(tree: object) -> list[str]:
    """The path string of every leaf, in leaf order (see `tree_flatten_with_paths`).

    Example:
        >>> tree_paths({"opt": ({"w": 0},), "step": 3})
        ['opt.0.w', 'step']
    """
    return tree_flatten_with_paths(tree)[0]


def _require_unique(paths: list[str]) -> None:
    repeated = sorted(path for path, count in Counter(paths).items() if count > 1)
    if not repeated:
        return
    raise ValueError(
        f"several leaves have the same path {repeated}: a key that contains "
        f"{PATH_SEPARATOR!r} collides with a nested key; rename one of them"
    )


def _as_optree(tree: object) -> PyTree[Any]:
    # optree annotates trees with its own PyTree class, which no dict or list is to a type
    # checker; at run time any object is a tree, so this cast is always true.
    return cast(PyTree[Any], tree)
