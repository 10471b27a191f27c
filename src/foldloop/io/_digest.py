"""A state's digest: one sha256 that equal states share in every process."""

from __future__ import annotations

import hashlib
import json
from typing import TypeVar

from foldloop.core import State

from ._encode import Encoder
from ._tensors import dtype_name, raw_bytes

T = TypeVar("T")

PREFIX = b"foldloop state digest, schema 1\n"


def _framed(data: bytes | memoryview) -> tuple[bytes, bytes | memoryview]:
    """``data`` preceded by its length, so that no two sequences of parts hash alike."""
    return memoryview(data).nbytes.to_bytes(8, "little"), data


def digest(state: State[T]) -> str:
    """The hex sha256 of ``state``'s canonical encoding: its checkpoint manifest's tree (dict
    entries sorted, no versions), then each tensor's key, dtype, shape and little-endian bytes,
    in key order.

    Equal states (tensors bit for bit, dicts in any insertion order) have equal digests, in
    any process, on any device; a state and the state loaded from its checkpoint too. The
    batch a state holds is not part of it (as state equality ignores it). Nothing is written
    to the disk.

    Raises:
        CheckpointError: the state holds something a checkpoint cannot store (`save` would
            refuse it too).

    Example:
        >>> import torch
        >>> from foldloop import State
        >>> a = State(value={"w": torch.ones(3), "step": 1})
        >>> b = State(value={"step": 1, "w": torch.ones(3)})
        >>> c = a.replace(value={"w": torch.ones(3), "step": 2})
        >>> digest(a) == digest(b), digest(a) == digest(c)
        (True, False)
        >>> len(digest(a))
        64
    """
    encoder = Encoder(canonical=True)
    tree = encoder.state(state, with_batch=False)
    text = json.dumps(tree, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    hasher = hashlib.sha256(PREFIX)
    for part in _framed(text.encode("ascii")):
        hasher.update(part)
    for key in sorted(encoder.tensors):
        leaf = encoder.tensors[key]
        header = json.dumps([key, dtype_name(leaf.dtype), list(leaf.shape)], ensure_ascii=True)
        for part in (*_framed(header.encode("ascii")), *_framed(raw_bytes(leaf))):
            hasher.update(part)
    return hasher.hexdigest()
