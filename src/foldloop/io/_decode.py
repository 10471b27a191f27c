"""A state rebuilt from the manifest's JSON and the tensors file, checked at every step.

The manifest is untrusted input: every node is checked for its exact form, every class name is
looked up without importing or running anything (``_classes``), every tensor reference must be
the tensor stored under its own path, with the dtype and shape the manifest gives, and every
stored tensor must be used once. With a template (``load(path, like=...)``), the value (and the
slots and batch both have) must have the template's structure, and tensors go to the template's
devices.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final, NoReturn

import attrs
from torch import Tensor

from foldloop.core import Event, FoldloopError, State
from foldloop.core._events import BUILT_IN_KINDS, ITERATION_KINDS
from foldloop.core._position import COMPLETED, NO_COUNTS, Limits, Position
from foldloop.core._state import STOP_EPOCH, STOP_RUN
from foldloop.tree import PATH_SEPARATOR

from ._classes import Kind, flatten_node, resolve_class, unflatten_node
from ._errors import CheckpointError
from ._tensors import DTYPES_BY_NAME, dtype_name


class _Any:
    """The template of a part that has none: anything matches it."""

    def __repr__(self) -> str:
        return "ANY"


ANY: Final = _Any()

MANIFEST = "manifest.json"
DAMAGED = "the manifest is damaged, or was not written by foldloop; use another checkpoint"
CHANGED = "it changed since the checkpoint was written; load it with the code that wrote it"
TREE_TAGS: Final = {
    frozenset({"float"}): "float",
    frozenset({"tensor", "dtype", "shape", "requires_grad"}): "tensor",
    frozenset({"kind"}): "kind",
    frozenset({"list"}): "list",
    frozenset({"tuple"}): "tuple",
    frozenset({"dict"}): "dict",
    frozenset({"ordered_dict"}): "ordered_dict",
    frozenset({"named_tuple", "fields"}): "named_tuple",
    frozenset({"event", "fields"}): "event",
    frozenset({"node", "metadata", "children"}): "node",
}
STATE_PARTS: Final = frozenset({"value", "position", "limits", "slots", "pending", "stop"})


class Decoder:
    """Rebuilds a state from the manifest's ``"state"`` JSON and the tensors read from the file.

    Args:
        tensors: the tensors file's tensors by key; each is taken out once used.
        checkpoint: the checkpoint directory (for the messages).
    """

    def __init__(self, tensors: dict[str, Tensor], checkpoint: Path) -> None:
        self.tensors = tensors
        self.checkpoint = checkpoint
        self._path: list[str] = []
        self._tensors_allowed = True

    # -- where, and failing there ---------------------------------------------------------------

    @property
    def where(self) -> str:
        return PATH_SEPARATOR.join(self._path)

    @contextmanager
    def at(self, entry: object) -> Iterator[None]:
        self._path.append(str(entry))
        try:
            yield
        finally:
            self._path.pop()

    def fail(self, what: str, fix: str | None = DAMAGED) -> NoReturn:
        """Raise the error for what is wrong at the current path; ``fix`` says what to do."""
        where = f"{MANIFEST}, at {self.where or 'the top'}"
        message = f"{where}: {what}" if fix is None else f"{where}: {what}; {fix}"
        raise CheckpointError(message, self.checkpoint)

    def mismatch(self, saved: str, template: object) -> NoReturn:
        raise CheckpointError(
            f"it does not match the template at {self.where}: the checkpoint holds {saved}, "
            f"the template {describe(template)}; load it with a template of the state it was "
            "saved from (or without like= to see what it holds)",
            self.checkpoint,
        )

    def expect(self, node: object, kind: type, what: str) -> Any:  # Any: the checked type
        if not isinstance(node, kind) or (kind is int and isinstance(node, bool)):
            self.fail(f"expected {what}, found {_shown(node)}")
        return node

    def keys(self, node: object, expected: frozenset[str], what: str) -> dict[str, object]:
        found: dict[str, object] = self.expect(node, dict, what)
        if set(found) != expected:
            self.fail(f"{what} must have the keys {sorted(expected)}, found {sorted(found)}")
        return found

    def count(self, node: object, minimum: int = 0) -> int:
        value: int = self.expect(node, int, "a whole number")
        if value < minimum:
            self.fail(f"expected a whole number >= {minimum}, found {value}")
        return value

    def resolve(self, name: object, kind: Kind) -> type:
        try:
            return resolve_class(name, kind)
        except LookupError as error:
            self.fail(str(error), fix=None)  # the message says how to fix it

    # -- the state ------------------------------------------------------------------------------

    def state(self, tree: object, like: State[Any] | None) -> State[Any]:
        """The state that ``tree`` (the manifest's ``"state"``) describes."""
        try:
            return self._state(tree, like)
        except RecursionError:
            self.fail("the tree is nested deeper than Python's recursion limit")

    def _state(self, tree: object, like: State[Any] | None) -> State[Any]:
        parts = self.expect(tree, dict, "the state's parts")
        if not STATE_PARTS <= set(parts) <= STATE_PARTS | {"batch"}:
            self.fail(f"the state's parts must be {sorted(STATE_PARTS)} and maybe 'batch'")
        with self.at("value"):
            value = self.tree(parts["value"], ANY if like is None else like.value)
        position = self.position(parts["position"])
        limits = self.limits(parts["limits"])
        slots: dict[str, object] = {}
        with self.at("slots"):
            for name, held in self.expect(parts["slots"], dict, "the slots by name").items():
                template = ANY if like is None else like._slots.get(name, ANY)
                with self.at(name):
                    slots[name] = self.tree(held, template)
        queue = self.pending(parts["pending"])
        stop = self.stop(parts["stop"])
        batch = None
        if "batch" in parts:
            template = ANY if like is None or like._batch is None else like._batch
            with self.at("batch"):
                batch = self.tree(parts["batch"], template)
        if self.tensors:
            self.fail(
                f"the tensors file holds tensors that the manifest does not name: "
                f"{sorted(self.tensors)}"
            )
        return tuple.__new__(State, (value, position, limits, slots, queue, stop, batch))

    def position(self, node: object) -> Position:
        with self.at("position"):
            fields = self.keys(node, frozenset(Position._fields), "the position")
            values: dict[str, Any] = {}  # Any: each field's own type, checked below
            for name in Position._fields:
                with self.at(name):
                    if name == "terminated":
                        values[name] = self.expect(fields[name], bool, "true or false")
                    elif name == "other_counts":
                        values[name] = self.other_counts(fields[name])
                    else:
                        values[name] = self.count(fields[name])
                        if name in ("stage", "resume") and values[name] > COMPLETED:
                            self.fail(f"expected a stage from 0 to {COMPLETED}")
            return Position(**values)

    def other_counts(self, node: object) -> Mapping[type[Event], int]:
        counts: dict[type[Event], int] = {}
        for pair in self.expect(node, list, "a list of [event kind, count] pairs"):
            name, count = self.pair(pair)
            kind = self.resolve(name, Kind.EVENT)
            if kind in ITERATION_KINDS or kind in counts:
                self.fail(f"{kind.__name__} is counted twice")
            counts[kind] = self.count(count, minimum=1)
        return counts or NO_COUNTS

    def pair(self, node: object) -> tuple[object, object]:
        pair = self.expect(node, list, "a [key, value] pair")
        if len(pair) != 2:
            self.fail(f"expected a [key, value] pair, found a list of {len(pair)}")
        return pair[0], pair[1]

    def limits(self, node: object) -> Limits:
        with self.at("limits"):
            fields = self.keys(node, frozenset(Limits._fields), "the limits")
            values: list[int | None] = []
            for name in Limits._fields:
                with self.at(name):
                    given = fields[name]
                    values.append(None if given is None else self.count(given, minimum=1))
            return Limits(*values)

    def pending(self, node: object) -> tuple[Event, ...]:
        events = []
        with self.at("pending"):
            for i, event in enumerate(self.expect(node, list, "a list of events")):
                with self.at(i):
                    decoded = self.tree(event)
                    if not isinstance(decoded, Event) or type(decoded) in BUILT_IN_KINDS:
                        self.fail(f"expected an event of your own kind, found {_shown(event)}")
                    events.append(decoded)
        return tuple(events)

    def stop(self, node: object) -> int:
        with self.at("stop"):
            fields = self.keys(node, frozenset({"terminate", "terminate_epoch"}), "the requests")
            run = self.expect(fields["terminate"], bool, "true or false")
            epoch = self.expect(fields["terminate_epoch"], bool, "true or false")
            return (STOP_RUN if run else 0) | (STOP_EPOCH if epoch else 0)

    # -- trees ----------------------------------------------------------------------------------

    def tree(self, node: object, template: object = ANY) -> object:
        """The value that ``node`` describes; checked against ``template`` unless it is `ANY`
        or None (a None on either side matches anything)."""
        if template is None:
            template = ANY
        if node is None:
            return None
        if isinstance(node, bool | int | str):
            return self.leaf(node, template)
        if not isinstance(node, dict):
            self.fail(f"expected a value, found {_shown(node)}")
        tag = TREE_TAGS.get(frozenset(node))
        if tag is None:
            self.fail(f"expected a value, found an object with the keys {sorted(node)}")
        if tag == "float":
            text = self.expect(node["float"], str, "a float in hex (float.hex)")
            try:
                return self.leaf(float.fromhex(text), template)
            except ValueError:
                self.fail(f"expected a float in hex (float.hex), found {text!r}")
        if tag == "tensor":
            return self.tensor(node, template)
        if tag == "kind":
            kind = self.resolve(node["kind"], Kind.EVENT)
            if template is not ANY and not (
                isinstance(template, type) and issubclass(template, Event)
            ):
                self.mismatch(f"the event kind {kind.__name__}", template)
            return kind
        if tag in ("list", "tuple"):
            return self.sequence(node[tag], list if tag == "list" else tuple, template)
        if tag in ("dict", "ordered_dict"):
            return self.mapping(node[tag], dict if tag == "dict" else OrderedDict, template)
        if tag == "named_tuple":
            return self.named_tuple(node, template)
        if tag == "event":
            return self.event(node, template)
        return self.node(node, template)

    def leaf(self, value: object, template: object) -> object:
        if template is not ANY and type(template) is not type(value):
            self.mismatch(describe(value), template)
        return value

    def tensor(self, node: dict[str, object], template: object) -> Tensor:
        if not self._tensors_allowed:
            self.fail("a tensor in a tree node's metadata")
        key = self.expect(node["tensor"], str, "the tensor's key")
        if key != self.where:
            self.fail(f"the tensor here must be stored under {self.where!r}, not {key!r}")
        dtype = DTYPES_BY_NAME.get(self.expect(node["dtype"], str, "a dtype name"))
        if dtype is None:
            self.fail(f"{node['dtype']!r} is not a dtype a checkpoint holds")
        shape = [self.count(size) for size in self.expect(node["shape"], list, "a shape")]
        requires_grad = self.expect(node["requires_grad"], bool, "true or false")
        if requires_grad and not (dtype.is_floating_point or dtype.is_complex):
            self.fail(f"{a(dtype_name(dtype))} tensor cannot require grad")
        stored = self.tensors.pop(key, None)
        if stored is None:
            self.fail(f"the tensors file has no tensor {key!r} (or the manifest names it twice)")
        if stored.dtype != dtype or list(stored.shape) != shape:
            self.fail(
                f"the tensors file holds {key!r} as a {dtype_name(stored.dtype)} tensor of shape "
                f"{list(stored.shape)}, the manifest says {dtype_name(dtype)} of shape {shape}"
            )
        if template is not ANY:
            if type(template) is not Tensor or (template.dtype, list(template.shape)) != (
                dtype,
                shape,
            ):
                self.mismatch(describe(stored), template)
            stored = stored.to(template.device)
        return stored.requires_grad_(True) if requires_grad else stored

    def sequence(
        self, node: object, cls: type[list[Any]] | type[tuple[Any, ...]], template: object
    ) -> object:
        items: list[object] = self.expect(node, list, f"the items of {a(cls.__name__)}")
        templates: list[object] = [ANY] * len(items)
        if template is not ANY:
            if not isinstance(template, list | tuple) or type(template) is not cls:
                self.mismatch(f"{a(cls.__name__)} of {len(items)} items", template)
            if len(template) != len(items):
                self.mismatch(f"{a(cls.__name__)} of {len(items)} items", template)
            templates = list(template)
        decoded = []
        for i, (item, item_template) in enumerate(zip(items, templates, strict=True)):
            with self.at(i):
                decoded.append(self.tree(item, item_template))
        return cls(decoded)

    def mapping(self, node: object, cls: type[dict[Any, Any]], template: object) -> dict[Any, Any]:
        entries: dict[str | int, object] = {}
        for pair in self.expect(node, list, "a list of [key, value] pairs"):
            key, value = self.pair(pair)
            if type(key) is not str and type(key) is not int:
                self.fail(f"a dict key must be a string or an integer, found {_shown(key)}")
            if key in entries:
                self.fail(f"the key {key!r} appears twice")
            entries[key] = value
        templates: dict[object, object] = dict.fromkeys(entries, ANY)
        if template is not ANY:
            if not isinstance(template, dict) or type(template) is not cls:
                self.mismatch(a(cls.__name__), template)
            missing, extra = set(template) - set(entries), set(entries) - set(template)
            if missing or extra:
                lacks = [f"without the template's keys {_sorted(missing)}"] if missing else []
                has = [f"with keys the template lacks, {_sorted(extra)}"] if extra else []
                self.mismatch(f"{a(cls.__name__)} {' and '.join(lacks + has)}", template)
            templates = template
        decoded = cls()
        for key, value in entries.items():
            with self.at(key):
                decoded[key] = self.tree(value, templates[key])
        return decoded

    def fields(self, node: object, cls: type, names: list[str], template: object) -> list[object]:
        given = self.expect(node, dict, "the fields by name")
        if set(given) != set(names):
            self.fail(
                f"the checkpoint's {cls.__name__} has the fields {sorted(given)}, the class "
                f"{cls.__name__} of this process {sorted(names)}",
                CHANGED,
            )
        if template is not ANY and type(template) is not cls:
            self.mismatch(a(cls.__name__), template)
        decoded = []
        for name in names:
            with self.at(name):
                decoded.append(
                    self.tree(given[name], ANY if template is ANY else getattr(template, name))
                )
        return decoded

    def named_tuple(self, node: dict[str, object], template: object) -> tuple[Any, ...]:
        cls = self.resolve(node["named_tuple"], Kind.NAMED_TUPLE)
        names: tuple[str, ...] = cls._fields  # type: ignore[attr-defined]  # a NamedTuple class
        return tuple.__new__(cls, self.fields(node["fields"], cls, list(names), template))

    def event(self, node: dict[str, object], template: object) -> Event:
        cls = self.resolve(node["event"], Kind.EVENT)
        names = [field.name for field in attrs.fields(cls)]
        values = self.fields(node["fields"], cls, names, template)
        try:
            event: Event = object.__new__(cls)  # as register_attrs rebuilds: no __init__ runs
            for name, value in zip(names, values, strict=True):
                object.__setattr__(event, name, value)
        except Exception as error:
            self.fail(f"{cls.__name__} cannot be rebuilt: {error!r}", CHANGED)
        return event

    def node(self, node: dict[str, object], template: object) -> object:
        cls = self.resolve(node["node"], Kind.NODE)
        pairs = [self.pair(pair) for pair in self.expect(node["children"], list, "the children")]
        names = [self.expect(name, str, "a child's name") for name, _ in pairs]
        template_children: list[object] = [ANY] * len(pairs)
        if template is not ANY:
            if type(template) is not cls:
                self.mismatch(a(cls.__name__), template)
            try:
                _, template_names, template_children = flatten_node(template)
            except FoldloopError as error:  # a donated TrainState cannot be read, nor compared
                raise CheckpointError(
                    f"the template cannot be read at {self.where}: {error}", self.checkpoint
                ) from error
            if template_names != names:
                self.mismatch(f"{a(cls.__name__)} with the children {names}", template)
        allowed, self._tensors_allowed = self._tensors_allowed, False
        try:
            with self.at("<metadata>"):
                metadata = self.tree(node["metadata"])
        finally:
            self._tensors_allowed = allowed
        children = []
        for (name, child), child_template in zip(pairs, template_children, strict=True):
            with self.at(name):
                children.append(self.tree(child, child_template))
        try:
            rebuilt = unflatten_node(cls, metadata, children)
            _, rebuilt_names, _ = flatten_node(rebuilt)
        except Exception as error:
            self.fail(
                f"{cls.__name__} cannot be rebuilt from the children {names}: {error!r}",
                CHANGED,
            )
        if rebuilt_names != names:
            self.fail(
                f"{cls.__name__} rebuilt from the children {names} has the children "
                f"{rebuilt_names}",
                CHANGED,
            )
        return rebuilt


def describe(value: object) -> str:
    """A value's kind in words, for messages.

    Example:
        >>> import torch
        >>> describe(torch.zeros(2, 3)), describe({"b": 1, "a": 2}), describe(1.5)
        ('a float32 tensor of shape [2, 3]', "a dict with the keys ['a', 'b']", 'a float')
    """
    if isinstance(value, Tensor):
        return f"{a(dtype_name(value.dtype))} tensor of shape {list(value.shape)}"
    if isinstance(value, dict):
        return f"{a(type(value).__name__)} with the keys {_sorted(value)}"
    if isinstance(value, list | tuple) and not hasattr(value, "_fields"):
        return f"{a(type(value).__name__)} of {len(value)} items"
    if isinstance(value, type):
        return f"the class {value.__name__}"
    return a(type(value).__name__)


def a(noun: str) -> str:
    """``noun`` with its indefinite article.

    Example:
        >>> a("int"), a("float32")
        ('an int', 'a float32')
    """
    return f"an {noun}" if noun[:1].lower() in set("aeiou") else f"a {noun}"


def _sorted(keys: Any) -> list[object]:  # Any: keys of any dict
    return sorted(keys, key=lambda key: (isinstance(key, str), key))


def _shown(node: object) -> str:
    text = repr(node)
    return text if len(text) <= 80 else text[:77] + "..."
