"""A state rebuilt from the manifest's JSON and the tensors file, checked at every step.

The manifest is untrusted input: every node is checked for its exact form, every class name is
looked up without importing or running anything (``_classes``), every tensor reference must be
the tensor stored under its own path, with the dtype and shape the manifest gives, and every
stored tensor must be used once. With a template (``load(path, like=...)``), the value (and the
slots and batch both have) must have the template's structure, and tensors go to the template's
devices.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from foldloop.core import Event, State
from foldloop.core._events import BUILT_IN_KINDS, ITERATION_KINDS
from foldloop.core._position import COMPLETED, NO_COUNTS, Limits, Position
from foldloop.core._state import STOP_EPOCH, STOP_RUN

from ._classes import Kind
from ._decode_tree import ANY, TreeDecoder
from ._manifest_checks import shown

STATE_PARTS: Final = frozenset({"value", "position", "limits", "slots", "pending", "stop"})


class Decoder(TreeDecoder):
    """Rebuilds a state from the manifest's ``"state"`` JSON and the tensors read from the file.

    Args:
        tensors: the tensors file's tensors by key; each is taken out once used.
        checkpoint: the checkpoint directory (for the messages).
    """

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
                        self.fail(f"expected an event of your own kind, found {shown(event)}")
                    events.append(decoded)
        return tuple(events)

    def stop(self, node: object) -> int:
        with self.at("stop"):
            fields = self.keys(node, frozenset({"terminate", "terminate_epoch"}), "the requests")
            run = self.expect(fields["terminate"], bool, "true or false")
            epoch = self.expect(fields["terminate_epoch"], bool, "true or false")
            return (STOP_RUN if run else 0) | (STOP_EPOCH if epoch else 0)
