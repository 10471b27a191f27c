"""A state as JSON and tensors: the manifest's ``"state"`` part, and the tensors by their key.

Every leaf and node is checked here, before anything is written: what cannot be stored is
refused with its path in the state and how to fix it.

The JSON form of a tree (``docs/checkpoints.md``, The format, lists it):

- ``null``, ``true``/``false``, integers and strings stand for themselves;
- ``{"float": "0x1.8000000000000p+0"}``: a float, exactly (``float.hex``: nan, inf, -0.0);
- ``{"tensor": key, "dtype": ..., "shape": [...], "requires_grad": ...}``: a tensor, whose bytes
  are in the tensors file under ``key`` (its path in the state);
- ``{"kind": "module:qualname"}``: an event kind (a subclass of ``foldloop.Event``);
- ``{"list": [...]}``, ``{"tuple": [...]}``; ``{"dict": [[key, value], ...]}`` and
  ``{"ordered_dict": ...}`` (keys are strings or integers, in the dict's order);
- ``{"named_tuple": name, "fields": {...}}``, ``{"event": name, "fields": {...}}``;
- ``{"node": name, "metadata": ..., "children": [[entry, value], ...]}``: an instance of a class
  registered in foldloop's tree namespace (``register_attrs``), by its registered flatten.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, TypeAlias

import attrs
from torch import Tensor

from foldloop.core import Event, State
from foldloop.core._position import Position
from foldloop.core._state import STOP_EPOCH, STOP_RUN
from foldloop.tree import PATH_SEPARATOR

from ._classes import Kind, class_name, flatten_node, kind_of
from ._errors import CheckpointError
from ._tensors import dtype_name, plain, storable
from ._tree_path import TreePath

Json: TypeAlias = bool | int | str | list["Json"] | dict[str, "Json"] | None
"""A value as ``json`` reads and writes it (floats never appear: they are written by hex)."""

PLAIN: frozenset[type] = frozenset(
    {type(None), bool, int, float, str, list, tuple, dict, OrderedDict}
)
"""The types stored as themselves; their subclasses are refused (or are NamedTuples)."""

LARGEST_INT_BITS = 13_000  # about 3,900 digits: Python reads at most 4,300 from text


class Encoder(TreePath):
    """Turns a state into its JSON tree and collects its tensors (`plain`, by key).

    ``canonical`` sorts the entries of plain dicts, so that equal states encode equally
    whatever their dicts' insertion order (the digest's form); otherwise a dict keeps its order.
    """

    def __init__(self, *, canonical: bool) -> None:
        super().__init__()
        self.canonical = canonical
        self.tensors: dict[str, Tensor] = {}
        self._tensors_allowed = True

    def refuse(self, what: str) -> CheckpointError:
        """The error for the leaf or node being encoded."""
        return CheckpointError(f"the state cannot be stored: {self.where} holds {what}")

    def state(self, state: State[Any], *, with_batch: bool) -> dict[str, Json]:
        """The JSON of every part of ``state`` (its batch only if ``with_batch`` and not None).

        Example:
            >>> import torch
            >>> encoder = Encoder(canonical=False)
            >>> tree = encoder.state(State(value={"w": torch.zeros(2)}), with_batch=True)
            >>> tree["value"], list(encoder.tensors)
            ({'dict': [['w', {'tensor': 'value.w', 'dtype': 'float32', 'shape': [2], \
'requires_grad': False}]]}, ['value.w'])
        """
        if not isinstance(state, State):
            raise TypeError(f"expected a foldloop State, got {type(state).__name__}")
        try:
            return self._state(state, with_batch=with_batch)
        except RecursionError:
            raise self.refuse(
                "a tree nested deeper than Python's recursion limit, or one that contains "
                "itself: store a flatter tree, without cycles"
            ) from None

    def _state(self, state: State[Any], *, with_batch: bool) -> dict[str, Json]:
        tree: dict[str, Json] = {}
        with self.at("value"):
            tree["value"] = self.tree(state.value)
        tree["position"] = self.position(state._at)
        limits = state._limits
        tree["limits"] = {
            "max_epochs": limits.max_epochs,
            "epoch_length": limits.epoch_length,
            "max_iters": limits.max_iters,
        }
        slots: dict[str, Json] = {}
        with self.at("slots"):
            for name, held in state._slots.items():
                with self.at(name):
                    slots[name] = self.tree(held)
        tree["slots"] = slots
        pending: list[Json] = []
        with self.at("pending"):
            for i, event in enumerate(state._queue):
                with self.at(i):
                    pending.append(self.tree(event))
        tree["pending"] = pending
        stop = state._stop
        tree["stop"] = {
            "terminate": bool(stop & STOP_RUN),
            "terminate_epoch": bool(stop & STOP_EPOCH),
        }
        if with_batch and state._batch is not None:
            with self.at("batch"):
                tree["batch"] = self.tree(state._batch)
        return tree

    def position(self, at: Position) -> dict[str, Json]:
        """A position's fields; the counts of the kinds without a field of their own, by the
        kind's name (sorted, so that the order they fired in does not show)."""
        fields: dict[str, Json] = {
            name: getattr(at, name) for name in Position._fields if name != "other_counts"
        }
        counts: list[Json] = []
        with self.at("position"), self.at("other_counts"):
            for kind, count in at.other_counts.items():
                counts.append([self.class_name(kind), count])
        fields["other_counts"] = sorted(counts, key=str)
        return fields

    def class_name(self, cls: type) -> str:
        """``module:qualname`` of a class, refused if no other process could find it."""
        try:
            return class_name(cls)
        except ValueError as error:
            raise self.refuse(
                f"an instance or kind of a class that cannot be named: {error}"
            ) from None

    def tree(self, tree: object) -> Json:
        """The JSON of a tree (see the module's docstring)."""
        cls = type(tree)
        if isinstance(tree, Tensor):
            return self.tensor(tree)  # (which refuses a subclass of Tensor)
        if cls in PLAIN:  # exactly these types, so isinstance below tells them apart
            if tree is None or isinstance(tree, bool | str):
                return tree
            if isinstance(tree, int):
                return self.integer(tree)
            if isinstance(tree, float):
                return {"float": tree.hex()}
            if isinstance(tree, list | tuple):
                return {cls.__name__: self.items(tree)}
            if isinstance(tree, dict):
                return self.mapping(tree)
        if isinstance(tree, Event):
            return {"event": self.class_name(cls), "fields": self.event_fields(tree)}
        if isinstance(tree, type) and issubclass(tree, Event):
            return {"kind": self.class_name(tree)}
        kind = kind_of(cls)
        if kind is Kind.NODE:
            return self.node(tree)
        if kind is Kind.NAMED_TUPLE:
            return self.named_tuple(tree)  # type: ignore[arg-type]  # a NamedTuple's instance
        raise self.refuse(unstorable(tree))

    def integer(self, value: int) -> Json:
        if value.bit_length() > LARGEST_INT_BITS:
            raise self.refuse(
                f"an int of {value.bit_length()} bits, more than a manifest's text can hold "
                f"({LARGEST_INT_BITS}): store it as a str, str(n)"
            )
        return value

    def tensor(self, leaf: Tensor) -> Json:
        if not self._tensors_allowed:
            raise self.refuse("a tensor inside a tree node's metadata, which holds no tensors")
        problem = storable(leaf)
        if problem is not None:
            raise self.refuse(problem)
        key = self.where
        if key in self.tensors:
            raise self.refuse(
                f"a tensor whose name {key!r} is also the name of another tensor of the state: "
                f"a key containing {PATH_SEPARATOR!r} collides with a nested key (or 1 with "
                "'1'); rename one of them"
            )
        self.tensors[key] = plain(leaf)
        return {
            "tensor": key,
            "dtype": dtype_name(leaf.dtype),
            "shape": list(leaf.shape),
            "requires_grad": leaf.requires_grad,
        }

    def items(self, items: list[object] | tuple[object, ...]) -> list[Json]:
        encoded = []
        for i, item in enumerate(items):
            with self.at(i):
                encoded.append(self.tree(item))
        return encoded

    def mapping(self, mapping: dict[object, object]) -> Json:
        entries: list[tuple[str | int, Json]] = []
        for key, value in mapping.items():
            if type(key) is not str and type(key) is not int:
                raise self.refuse(
                    f"a dict with the key {key!r} of type {type(key).__name__}: a stored dict's "
                    "keys are str or int; convert the keys"
                )
            with self.at(key):
                entries.append((key, self.tree(value)))
        if self.canonical and type(mapping) is dict:
            entries.sort(key=lambda entry: _key_order(entry[0]))
        tag = "dict" if type(mapping) is dict else "ordered_dict"
        return {tag: [[key, value] for key, value in entries]}

    def event_fields(self, event: Event) -> dict[str, Json]:
        extra = getattr(event, "__dict__", None)
        if extra:
            raise self.refuse(
                f"the event {event!r} whose attributes {sorted(extra)} are not attrs fields: "
                "decorate its class with @attrs.frozen so its payload is fields"
            )
        return self.fields(event, [field.name for field in attrs.fields(type(event))])

    def fields(self, node: object, names: list[str]) -> dict[str, Json]:
        encoded: dict[str, Json] = {}
        for name in names:
            with self.at(name):
                encoded[name] = self.tree(getattr(node, name))
        return encoded

    def named_tuple(self, node: tuple[object, ...]) -> Json:
        names: tuple[str, ...] = type(node)._fields  # type: ignore[attr-defined]  # NamedTuple
        return {
            "named_tuple": self.class_name(type(node)),
            "fields": self.fields(node, list(names)),
        }

    def node(self, node: object) -> Json:
        given_metadata, names, children = flatten_node(node)  # DonatedError if donated
        allowed, self._tensors_allowed = self._tensors_allowed, False
        try:
            with self.at("<metadata>"):
                metadata = self.tree(given_metadata)
        finally:
            self._tensors_allowed = allowed
        encoded: list[Json] = []
        for name, child in zip(names, children, strict=True):
            with self.at(name):
                encoded.append([name, self.tree(child)])
        return {"node": self.class_name(type(node)), "metadata": metadata, "children": encoded}


def _key_order(key: object) -> tuple[bool, object]:
    """Integers before strings, each in their natural order."""
    return (isinstance(key, str), key)


def unstorable(leaf: object) -> str:
    """What ``leaf`` is, and how to make it storable.

    Example:
        >>> print(unstorable(object()))  # doctest: +ELLIPSIS
        a builtins.object, which a checkpoint does not store: ...
    """
    cls = type(leaf)
    what = f"a {cls.__module__}.{cls.__qualname__}"
    if cls.__module__.split(".")[0] == "numpy":
        return (
            f"{what} (a numpy value): convert it to a tensor, torch.from_numpy(x), or to a "
            "Python number, x.item()"
        )
    if attrs.has(cls):
        return (
            f"{what}, an attrs class that is not a tree node: decorate the class with "
            "@foldloop.tree.register_attrs (above @attrs.frozen)"
        )
    for base in (bool, int, float, str, dict, list, tuple):
        if isinstance(leaf, base):
            name = base.__name__
            return f"{what}, a subclass of {name}: store a plain {name}, {name}(x)"
    if isinstance(leaf, Mapping):
        return f"{what}, a mapping: store a plain dict, dict(x)"
    return (
        f"{what}, which a checkpoint does not store: keep it out of the state (a handler's "
        "own objects belong in its closure), or make it tensors, numbers, strings, None, and "
        "dicts, lists, tuples, NamedTuples or attrs classes decorated with register_attrs"
    )
