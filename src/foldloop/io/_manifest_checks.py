"""The checks every part of a manifest passes, and the errors that name where it failed."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

from torch import Tensor

from ._classes import Kind, resolve_class
from ._errors import CheckpointError
from ._tensors import dtype_name
from ._tree_path import TreePath

MANIFEST = "manifest.json"
DAMAGED = "the manifest is damaged, or was not written by foldloop; use another checkpoint"
CHANGED = "it changed since the checkpoint was written; load it with the code that wrote it"


class ManifestChecks(TreePath):
    """Checks of the manifest's nodes, each failing with a `CheckpointError` at the current path.

    Args:
        checkpoint: the checkpoint directory (for the messages).
    """

    def __init__(self, checkpoint: Path) -> None:
        super().__init__()
        self.checkpoint = checkpoint

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
            self.fail(f"expected {what}, found {shown(node)}")
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

    def pair(self, node: object) -> tuple[object, object]:
        pair = self.expect(node, list, "a [key, value] pair")
        if len(pair) != 2:
            self.fail(f"expected a [key, value] pair, found a list of {len(pair)}")
        return pair[0], pair[1]


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
        return f"{a(type(value).__name__)} with the keys {sorted_keys(value)}"
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


def sorted_keys(keys: Any) -> list[object]:  # Any: keys of any dict
    """A dict's keys in a stable order for messages: integers before strings."""
    return sorted(keys, key=lambda key: (isinstance(key, str), key))


def shown(node: object) -> str:
    """A manifest node for a message, cut to 80 characters."""
    text = repr(node)
    return text if len(text) <= 80 else text[:77] + "..."
