"""The manifest: what a checkpoint holds, who wrote it, and the tensors file's checksum.

``manifest.json`` is one JSON object (each part of the state on a line of its own)::

    {"format": "foldloop checkpoint", "schema": 1,
     "written_by": {"foldloop": ..., "torch": ..., "python": ..., "torch_threads": ...},
     "tensors": {"file": "tensors.safetensors", "sha256": ..., "count": ..., "bytes": ...},
     "state": {...}}

It is read strictly: a duplicated key, a bare ``NaN`` or an unknown schema is refused.
"""

from __future__ import annotations

import functools
import json
import platform
import warnings
from importlib import metadata
from pathlib import Path
from typing import Final

import torch

from ._encode import Json
from ._errors import CheckpointError, ReproducibilityWarning

FORMAT: Final = "foldloop checkpoint"
SCHEMA: Final = 1
MANIFEST_FILE: Final = "manifest.json"
TENSORS_FILE: Final = "tensors.safetensors"
TOP_KEYS: Final = frozenset({"format", "schema", "written_by", "tensors", "state"})
TENSORS_KEYS: Final = frozenset({"file", "sha256", "count", "bytes"})


@functools.cache
def foldloop_version() -> str:
    """The installed foldloop's version ("unknown" when it is not installed as a package)."""
    try:
        return metadata.version("foldloop")
    except metadata.PackageNotFoundError:
        return "unknown"


def environment() -> dict[str, Json]:
    """What a bitwise-equal resume depends on: the versions and torch's thread count.

    Example:
        >>> sorted(environment())
        ['foldloop', 'python', 'torch', 'torch_threads']
    """
    return {
        "foldloop": foldloop_version(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "torch_threads": torch.get_num_threads(),
    }


def manifest_bytes(state: dict[str, Json], sha256: str, count: int, size: int) -> bytes:
    """The manifest of a checkpoint whose tensors file has this checksum, count and size."""
    manifest: dict[str, Json] = {
        "format": FORMAT,
        "schema": SCHEMA,
        "written_by": environment(),
        "tensors": {"file": TENSORS_FILE, "sha256": sha256, "count": count, "bytes": size},
        "state": state,
    }
    return (_lines(manifest, depth=2) + "\n").encode("ascii")


def _lines(value: Json, depth: int, indent: str = "") -> str:
    """``value`` as JSON with its first ``depth`` levels of objects one entry a line, and
    everything deeper on the entry's line (JSON that a person can read at the top, and that
    the C encoder writes fast).

    Example:
        >>> print(_lines({"a": {"b": [1, 2]}, "c": {}}, depth=1))
        {
         "a": {"b": [1, 2]},
         "c": {}
        }
    """
    if depth == 0 or not isinstance(value, dict) or not value:
        return json.dumps(value, ensure_ascii=True)
    inner = indent + " "
    entries = [
        f"{inner}{json.dumps(key, ensure_ascii=True)}: {_lines(item, depth - 1, inner)}"
        for key, item in value.items()
    ]
    return "{\n" + ",\n".join(entries) + f"\n{indent}}}"


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    found = dict(pairs)
    if len(found) != len(pairs):
        repeated = sorted({key for key, _ in pairs if [k for k, _ in pairs].count(key) > 1})
        raise ValueError(f"the keys {repeated} appear twice in one object")
    return found


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON (a float is written as {{'float': hex}})")


def read_manifest(directory: Path) -> dict[str, object]:
    """The manifest of the checkpoint in ``directory``, parsed and checked at its top level.

    Raises:
        CheckpointError: the file is missing, is not JSON, is not a foldloop manifest, or
            comes from a newer schema.
    """
    path = directory / MANIFEST_FILE
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise CheckpointError(
            f"{MANIFEST_FILE} is missing: the directory is not a checkpoint, or its writing "
            "was interrupted before it was complete; use another checkpoint",
            directory,
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CheckpointError(f"{MANIFEST_FILE} cannot be read: {error}", directory) from None
    try:
        manifest = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise CheckpointError(
            f"{MANIFEST_FILE} is not valid JSON ({error}): it is damaged; use another checkpoint",
            directory,
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CheckpointError(
            f"{MANIFEST_FILE} is not the manifest of a foldloop checkpoint (no "
            f'"format": "{FORMAT}")',
            directory,
        )
    schema = manifest.get("schema")
    if type(schema) is not int or schema < 1:
        raise CheckpointError(f"{MANIFEST_FILE} has no valid schema number: {schema!r}", directory)
    if schema > SCHEMA:
        raise CheckpointError(
            f"it was written by a newer foldloop (checkpoint schema {schema}; this foldloop "
            f"{foldloop_version()} reads schema {SCHEMA}): upgrade foldloop to load it",
            directory,
        )
    if set(manifest) != TOP_KEYS:
        raise CheckpointError(
            f"{MANIFEST_FILE} must have the keys {sorted(TOP_KEYS)}, it has {sorted(manifest)}",
            directory,
        )
    tensors = manifest["tensors"]
    if (
        not isinstance(tensors, dict)
        or set(tensors) != TENSORS_KEYS
        or tensors["file"] != TENSORS_FILE
        or not isinstance(tensors["sha256"], str)
    ):
        raise CheckpointError(
            f'{MANIFEST_FILE}: "tensors" must be {{"file": "{TENSORS_FILE}", "sha256": ..., '
            f'"count": ..., "bytes": ...}}, found {tensors!r:.200}',
            directory,
        )
    return manifest


def warn_if_environment_differs(written_by: object, directory: Path) -> None:
    """Warn (`ReproducibilityWarning`) if the checkpoint was written with other versions or
    another torch thread count than this process has."""
    here = environment()
    if not isinstance(written_by, dict):
        written_by = {}
    differences = [
        f"{name} {written_by.get(name)!r} (here {value!r})"
        for name, value in here.items()
        if written_by.get(name) != value
    ]
    if differences:
        warnings.warn(
            f"checkpoint {directory} was written with {', '.join(differences)}: it loads, but "
            "a resumed run is bitwise equal to an uninterrupted one only with the same "
            "versions of foldloop, torch and Python and the same torch thread count "
            "(torch.set_num_threads)",
            ReproducibilityWarning,
            stacklevel=3,
        )
