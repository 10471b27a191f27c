"""Registering attrs classes as pytree nodes."""

from collections.abc import Iterable
from typing import TypeVar

import attrs
import optree

from ._tree import NAMESPACE

A = TypeVar("A", bound=attrs.AttrsInstance)


def register_attrs(cls: type[A]) -> type[A]:
    """Make an attrs class a pytree node whose children are its fields, in definition order.

    Usable as a class decorator. A leaf's path goes through the field's name. Rebuilding a node
    from leaves (`tree_unflatten`, `tree_map`) does not call ``__init__``: validators, converters
    and ``__attrs_post_init__`` do not run, because the new leaves may be of any type (a
    ``tree_map`` that turns tensors into shapes must still work).

    Args:
        cls: an attrs class (``@attrs.frozen`` is the usual one).

    Returns:
        ``cls`` itself, now registered in the ``"foldloop"`` namespace.

    Raises:
        TypeError: ``cls`` is not an attrs class.
        ValueError: ``cls`` is already registered.

    Example:
        >>> import attrs
        >>> from foldloop.tree import tree_leaves, tree_map, tree_paths
        >>> @register_attrs
        ... @attrs.frozen
        ... class Moments:
        ...     mean: dict[str, float]
        ...     count: int
        >>> m = Moments({"w": 0.5}, 3)
        >>> tree_leaves(m), tree_paths(m)
        ([0.5, 3], ['mean.w', 'count'])
        >>> tree_map(lambda x: x * 2, m)
        Moments(mean={'w': 1.0}, count=6)
    """
    if not attrs.has(cls):
        raise TypeError(
            f"register_attrs needs an attrs class, got {cls!r}; "
            "decorate it with @attrs.frozen (or @attrs.define) below @register_attrs"
        )
    names = tuple(field.name for field in attrs.fields(cls))

    def flatten(node: A) -> tuple[tuple[object, ...], None, tuple[str, ...]]:
        return tuple(getattr(node, name) for name in names), None, names

    def unflatten(_: None, children: Iterable[object]) -> A:
        node = object.__new__(cls)
        for name, child in zip(names, children, strict=True):
            object.__setattr__(node, name, child)  # a fresh node, frozen or not
        return node

    optree.register_pytree_node(
        cls,  # type: ignore[arg-type]  # optree types nodes as Collections; any class can be one
        flatten,  # type: ignore[arg-type]  # its Collection-typed flatten signature, as above
        unflatten,  # type: ignore[arg-type]  # its Collection-typed unflatten signature, as above
        namespace=NAMESPACE,
    )
    return cls
