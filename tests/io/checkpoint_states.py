"""States to checkpoint in the io tests: classes of each storable kind, hypothesis strategies of
whole states, an exact comparison, and ways to tamper with a saved checkpoint."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import attrs
import torch
from hypothesis import strategies as st

from foldloop import Event, State
from foldloop.core._position import COMPLETED, Limits, Position
from foldloop.io._classes import flatten_node, is_node_class
from foldloop.tree import register_attrs

# -- one class of each kind a checkpoint names ----------------------------------------------------


@attrs.frozen
class Scored(Event):
    """A custom event with a payload (any storable tree)."""

    score: object


@attrs.frozen
class Ping(Event):
    """A custom event without a payload."""


class Pair(NamedTuple):
    left: object
    right: object


@register_attrs
@attrs.frozen
class Box:
    content: object
    count: int


# -- strategies -----------------------------------------------------------------------------------

DTYPES = [
    torch.bool,
    torch.uint8,
    torch.int8,
    torch.int32,
    torch.int64,
    torch.float16,
    torch.bfloat16,
    torch.float32,
    torch.float64,
    torch.complex64,
]


@st.composite
def tensors(draw: st.DrawFn) -> torch.Tensor:
    """A tensor of any storable dtype and a small shape (0-d and empty included), with nan,
    inf and -0.0 among float values, sometimes a non-contiguous view, sometimes requiring grad."""
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(st.lists(st.integers(0, 3), max_size=3))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    if dtype == torch.bool:
        tensor = torch.randint(0, 2, shape, generator=generator).bool()
    elif dtype.is_floating_point or dtype.is_complex:
        tensor = torch.randn(shape, generator=generator, dtype=torch.float64) * 100
        flat = tensor.view(-1)
        specials = [float("nan"), float("inf"), float("-inf"), -0.0]
        for i in range(min(flat.numel(), draw(st.integers(0, 3)))):
            flat[i] = specials[(i + draw(st.integers(0, 3))) % len(specials)]
        tensor = tensor.to(dtype)
    else:
        info = torch.iinfo(dtype)
        low, high = max(info.min, -(2**40)), min(info.max, 2**40)
        tensor = torch.randint(low, high, shape, generator=generator, dtype=torch.int64).to(dtype)
    if tensor.ndim >= 2 and draw(st.booleans()):
        tensor = tensor.transpose(0, 1)  # a view that is not contiguous
    if (dtype.is_floating_point or dtype.is_complex) and draw(st.booleans()):
        tensor.requires_grad_(True)
    return tensor


KEYS = st.text(alphabet="abxy_", max_size=3) | st.integers(-5, 5)
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=5)
    | tensors()
    | st.sampled_from([Ping, Scored])  # event kinds as values
)


def trees() -> st.SearchStrategy[object]:
    """Nested dicts (str or int keys), lists, tuples, NamedTuples, registered attrs classes and
    events, of leaves of every storable kind."""
    return st.recursive(
        LEAVES,
        lambda children: (
            st.lists(children, max_size=3)
            | st.lists(children, max_size=3).map(tuple)
            | st.dictionaries(KEYS, children, max_size=3)
            | st.builds(Pair, children, children)
            | st.builds(Box, children, st.integers(0, 9))
            | st.builds(Scored, children)
        ),
        max_leaves=8,
    )


KINDS = st.sampled_from([Ping, Scored])


@st.composite
def positions(draw: st.DrawFn) -> Position:
    """Any position: every field, and counts of custom and built-in kinds."""
    from foldloop.core._events import ITERATION_KINDS
    from foldloop.testing import BUILT_IN_KINDS

    counted = [k for k in BUILT_IN_KINDS if k not in ITERATION_KINDS]
    counts = draw(st.dictionaries(st.sampled_from([*counted, Ping, Scored]), st.integers(1, 99)))
    n = st.integers(0, 10**6)
    return Position(
        epoch=draw(n),
        iteration=draw(n),
        epoch_iteration=draw(n),
        drawn=draw(n),
        stage=draw(st.integers(0, COMPLETED)),
        resume=draw(st.integers(0, COMPLETED)),
        terminated=draw(st.booleans()),
        get_batch_started=draw(n),
        get_batch_completed=draw(n),
        iteration_started=draw(n),
        iteration_completed=draw(n),
        other_counts=counts,
    )


@st.composite
def states(draw: st.DrawFn) -> State[object]:
    """A state with every part drawn: value, position, limits, slots, pending events, stop
    requests and batch."""
    limit = st.none() | st.integers(1, 10**6)
    limits = Limits(draw(limit), draw(limit), draw(limit))
    slots = draw(st.dictionaries(st.text(alphabet="abc_", max_size=4), trees(), max_size=3))
    pending = tuple(draw(st.lists(st.builds(Scored, trees()) | st.just(Ping()), max_size=3)))
    parts = (
        draw(trees()),
        draw(positions()),
        limits,
        slots,
        pending,
        draw(st.integers(0, 3)),
        draw(st.none() | trees()),
    )
    state: State[object] = tuple.__new__(State, parts)
    return state


# -- comparing exactly ----------------------------------------------------------------------------


def difference(left: object, right: object, where: str = "state") -> str | None:
    """Where two values first differ, comparing exactly: the same types, tensors bit for bit
    with the same dtype, shape and requires_grad, floats by their bits, dicts in the same order.
    """
    if type(left) is not type(right):
        return f"{where}: {type(left).__name__} != {type(right).__name__}"
    if isinstance(left, Position):
        return None if left == right else f"{where}: {left} != {right}"  # counts in any order
    if isinstance(left, State) and isinstance(right, State):
        names = ["value", "at", "limits", "slots", "queue", "stop", "batch"]
        return _first(
            difference(a, b, f"{where}.{name}")
            for name, a, b in zip(names, left, right, strict=True)
        )
    if isinstance(left, torch.Tensor) and isinstance(right, torch.Tensor):
        same = (
            left.dtype == right.dtype
            and left.shape == right.shape
            and left.requires_grad == right.requires_grad
            and left.device == right.device
            and bytes_of(left) == bytes_of(right)
        )
        return None if same else f"{where}: {left!r} != {right!r}"
    if isinstance(left, float) and isinstance(right, float):
        return None if left.hex() == right.hex() else f"{where}: {left!r} != {right!r}"
    if isinstance(left, dict) and isinstance(right, dict):
        if list(left) != list(right):
            return f"{where}: keys {list(left)} != {list(right)}"
        return _first(difference(left[k], right[k], f"{where}[{k!r}]") for k in left)
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        if len(left) != len(right):
            return f"{where}: length {len(left)} != {len(right)}"
        return _first(
            difference(a, b, f"{where}[{i}]")
            for i, (a, b) in enumerate(zip(left, right, strict=True))
        )
    if is_node_class(type(left)):  # by its registered flatten (a TrainState's lease is not in it)
        (_, left_names, left_children), (_, right_names, right_children) = map(
            flatten_node, (left, right)
        )
        if left_names != right_names:
            return f"{where}: children {left_names} != {right_names}"
        return _first(
            difference(a, b, f"{where}.{name}")
            for name, a, b in zip(left_names, left_children, right_children, strict=True)
        )
    cls = type(left)
    if attrs.has(cls):
        names = [field.name for field in attrs.fields(cls)]
        return _first(
            difference(getattr(left, n), getattr(right, n), f"{where}.{n}") for n in names
        )
    return None if left == right else f"{where}: {left!r} != {right!r}"


def _first(found: Any) -> str | None:  # Any: a generator of str | None
    return next((f for f in found if f is not None), None)


def bytes_of(tensor: torch.Tensor) -> bytes:
    flat = tensor.detach().cpu().contiguous().reshape(-1)
    return flat.view(torch.uint8).numpy().tobytes()


# -- tampering with a saved checkpoint ------------------------------------------------------------


def rewrite_manifest(checkpoint: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Change the manifest's JSON in place (``change`` edits the parsed object)."""
    path = checkpoint / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


def replace_tensors(checkpoint: Path, data: bytes) -> None:
    """Put ``data`` in place of the tensors file, with its sha256 in the manifest (so that only
    the parsing can catch what is wrong with it)."""
    (checkpoint / "tensors.safetensors").write_bytes(data)

    def new_sha(manifest: dict[str, Any]) -> None:
        manifest["tensors"]["sha256"] = hashlib.sha256(data).hexdigest()

    rewrite_manifest(checkpoint, new_sha)
