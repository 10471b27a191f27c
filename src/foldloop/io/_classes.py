"""Naming classes in a checkpoint, and finding them again without running anything.

A class is written as ``module:qualname``. Reading one never imports a module: the name is
looked up in the modules this process has imported already (``sys.modules``), by plain
dictionary lookups in the module's and the classes' own namespaces (no ``getattr``, so no
module ``__getattr__`` or descriptor runs), and it is accepted only if it is of a kind that
foldloop knows how to rebuild.
"""

from __future__ import annotations

import enum
import sys

import optree

from foldloop.core import Event
from foldloop.tree import NAMESPACE


class Kind(enum.Enum):
    """The kinds of class a checkpoint may name, each rebuilt its own way."""

    EVENT = "an event class (a subclass of foldloop.Event)"
    NAMED_TUPLE = "a NamedTuple class"
    NODE = "a class registered as a tree node (foldloop.tree.register_attrs)"


def is_node_class(cls: type) -> bool:
    """Whether ``cls`` is registered as a tree node in foldloop's optree namespace.

    Example:
        >>> from foldloop.train import AdamState
        >>> is_node_class(AdamState), is_node_class(dict)
        (True, False)
    """
    entry = optree.register_pytree_node.get(cls, namespace=NAMESPACE)
    return entry is not None and entry.namespace == NAMESPACE


def kind_of(cls: type) -> Kind | None:
    """The kind of ``cls``, or None if a checkpoint may not name it.

    Example:
        >>> from foldloop import Started
        >>> kind_of(Started), kind_of(object)
        (<Kind.EVENT: 'an event class (a subclass of foldloop.Event)'>, None)
    """
    if issubclass(cls, Event):
        return Kind.EVENT
    if is_node_class(cls):
        return Kind.NODE
    if optree.is_namedtuple_class(cls):
        return Kind.NAMED_TUPLE
    return None


def class_name(cls: type) -> str:
    """``cls`` as ``module:qualname``, checked to lead back to ``cls`` itself.

    Raises:
        ValueError: the class cannot be found again by its name (defined inside a function,
            or replaced in its module by another object of the same name).

    Example:
        >>> from foldloop import Started
        >>> class_name(Started)
        'foldloop.core._events:Started'
    """
    name = f"{cls.__module__}:{cls.__qualname__}"
    if "<locals>" in cls.__qualname__:
        raise ValueError(
            f"the class {name} is defined inside a function, so no other process can name "
            "it; define it at the top level of a module"
        )
    try:
        found = _lookup(name)
    except LookupError:
        found = None
    if found is not cls:
        raise ValueError(
            f"the class {cls!r} is not the object named {name} in its module (was it defined "
            "twice, or replaced?); checkpoints name classes by where they are defined"
        )
    return name


def resolve_class(name: object, kind: Kind) -> type:
    """The class called ``name`` (``module:qualname``) in this process, if it is of ``kind``.

    Nothing is imported and no code runs: the module must be imported already.

    Raises:
        LookupError: the name is malformed, not defined in this process, or not a class of
            that kind (the message says which, and how to fix it).

    Example:
        >>> from foldloop import Started
        >>> resolve_class("foldloop.core._events:Started", Kind.EVENT) is Started
        True
        >>> resolve_class("os:system", Kind.EVENT)
        Traceback (most recent call last):
        ...
        LookupError: 'os:system' is not a class foldloop can rebuild: ...
    """
    if not isinstance(name, str):
        raise LookupError(f"a class name must be a string 'module:qualname', got {name!r}")
    found = _lookup(name)
    if found is None:
        raise LookupError(
            f"the class {name!r} is not defined in this process: import the module that "
            "defines it before loading (loading never imports anything)"
        )
    if not isinstance(found, type) or kind_of(found) is not kind:
        raise LookupError(
            f"{name!r} is not a class foldloop can rebuild: here it must be {kind.value}, "
            f"and it is {found!r}"
        )
    return found


def _lookup(name: str) -> object | None:
    """The object at ``module:qualname`` among the imported modules, or None."""
    module_name, colon, qualname = name.partition(":")
    parts = qualname.split(".")
    if not colon or not all(part.isidentifier() for part in [*module_name.split("."), *parts]):
        raise LookupError(f"{name!r} is not a class name of the form 'module:qualname'")
    found: object = sys.modules.get(module_name)
    for part in parts:
        if found is None or not (isinstance(found, type) or found is sys.modules[module_name]):
            return None  # only a module and the classes in it have names looked up in them
        found = vars(found).get(part)
    return found


def flatten_node(node: object) -> tuple[object, list[str], list[object]]:
    """A registered node's metadata, its children's names, and its children, as its registered
    flatten gives them (a donated ``TrainState`` raises ``DonatedError`` here).

    Example:
        >>> from foldloop.train import CountState
        >>> flatten_node(CountState(count=3))
        (None, ['count'], [3])
    """
    entry = optree.register_pytree_node.get(type(node), namespace=NAMESPACE)
    if entry is None:
        raise TypeError(f"{type(node).__name__} is not registered as a tree node")
    # optree types nodes as Collections; any registered class is one, whatever its type says.
    flattened = entry.flatten_func(node)  # type: ignore[arg-type]  # a node: see above
    children = list(flattened[0])
    entries = flattened[2] if len(flattened) > 2 else None
    if entries is None:
        return flattened[1], [str(i) for i in range(len(children))], children
    return flattened[1], [str(e) for e in entries], children


def unflatten_node(cls: type, metadata: object, children: list[object]) -> object:
    """An instance of the registered class ``cls`` from its metadata and children, by its
    registered unflatten.

    Example:
        >>> from foldloop.train import CountState
        >>> unflatten_node(CountState, None, [4])
        CountState(count=4)
    """
    entry = optree.register_pytree_node.get(cls, namespace=NAMESPACE)
    if entry is None:
        raise TypeError(f"{cls.__name__} is not registered as a tree node")
    return entry.unflatten_func(metadata, children)
