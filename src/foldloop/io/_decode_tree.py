"""A tree of the state rebuilt from its JSON form (``_encode`` lists the forms), checked at
every node, and against a template where one is given."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any, Final

import attrs
from torch import Tensor

from foldloop.core import Event, FoldloopError

from ._classes import Kind, flatten_node, unflatten_node
from ._errors import CheckpointError
from ._manifest_checks import CHANGED, ManifestChecks, a, describe, shown, sorted_keys
from ._tensors import DTYPES_BY_NAME, dtype_name


class _Any:
    """The template of a part that has none: anything matches it."""

    def __repr__(self) -> str:
        return "ANY"


ANY: Final = _Any()

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


class TreeDecoder(ManifestChecks):
    """Rebuilds trees from the manifest's JSON and the tensors read from the file.

    Args:
        tensors: the tensors file's tensors by key; each is taken out once used.
        checkpoint: the checkpoint directory (for the messages).
    """

    def __init__(self, tensors: dict[str, Tensor], checkpoint: Path) -> None:
        super().__init__(checkpoint)
        self.tensors = tensors
        self._tensors_allowed = True

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
            self.fail(f"expected a value, found {shown(node)}")
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
                self.fail(f"a dict key must be a string or an integer, found {shown(key)}")
            if key in entries:
                self.fail(f"the key {key!r} appears twice")
            entries[key] = value
        templates: dict[object, object] = dict.fromkeys(entries, ANY)
        if template is not ANY:
            if not isinstance(template, dict) or type(template) is not cls:
                self.mismatch(a(cls.__name__), template)
            missing, extra = set(template) - set(entries), set(entries) - set(template)
            if missing or extra:
                lacks = [f"without the template's keys {sorted_keys(missing)}"] if missing else []
                has = [f"with keys the template lacks, {sorted_keys(extra)}"] if extra else []
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
