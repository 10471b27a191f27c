"""Saving a whole state as a checkpoint directory, and loading it back safely."""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar, cast, overload

from foldloop.core import State

from ._decode import Decoder
from ._encode import Encoder
from ._errors import CheckpointError
from ._files import write_directory_atomically
from ._manifest import (
    MANIFEST_FILE,
    TENSORS_FILE,
    manifest_bytes,
    read_manifest,
    warn_if_environment_differs,
)
from ._tensors import safetensors_parts
from ._tensors_file import read_tensors_file

T = TypeVar("T")

HASH_APART = 4 << 20  # bytes: a tensors file this large is hashed in a thread as it is written


def save(state: State[T], path: str | os.PathLike[str]) -> Path:
    """Write ``state`` as a checkpoint: a new directory holding ``tensors.safetensors`` (every
    tensor of the state, by its path in it) and ``manifest.json`` (everything else, the
    tensors file's sha256, and the versions that wrote it).

    The whole state is saved: its value, position and counts, limits, slots, pending events,
    stop requests, and the batch it holds (if any). The directory is written beside its final
    place and renamed into it, every file fsynced, so it appears complete or not at all.

    Args:
        state: the state to save; everything in it must be storable (``docs/checkpoints.md``).
        path: the directory to create; its parent must exist.

    Returns:
        The checkpoint directory, ``Path(path)``.

    Raises:
        CheckpointError: the state holds something a checkpoint cannot store; the message
            gives its path in the state and how to fix it. Nothing is written.
        FileExistsError: ``path`` exists; nothing is written.
        FileNotFoundError: its parent directory does not exist; nothing is written.
        foldloop.train.DonatedError: the state holds a donated ``TrainState``.

    Example:
        >>> import tempfile, torch
        >>> from foldloop import State
        >>> from foldloop.io import digest
        >>> state = State(value={"w": torch.ones(2), "note": "hi"}, epoch=3)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     ckpt = save(state, Path(folder) / "ckpt")
        ...     print(sorted(p.name for p in ckpt.iterdir()), digest(load(ckpt)) == digest(state))
        ['manifest.json', 'tensors.safetensors'] True
    """
    target = Path(path)
    if os.path.lexists(target):
        raise FileExistsError(
            f"{target} exists already; a checkpoint is never written over another one: "
            "choose a new path, or remove the old one first"
        )
    if not target.parent.is_dir():
        raise FileNotFoundError(
            f"{target.parent} is not a directory, so the checkpoint {target.name} cannot be "
            "written in it: create the directory first"
        )
    encoder = Encoder(canonical=False)
    try:
        tree = encoder.state(state, with_batch=True)
    except CheckpointError as error:  # say where it was going
        raise CheckpointError(str(error), target) from None
    parts = safetensors_parts(encoder.tensors.items())
    size = sum(memoryview(part).nbytes for part in parts)
    if size < HASH_APART:
        manifest = manifest_bytes(tree, _sha256(parts), len(encoder.tensors), size)
        write_directory_atomically(target, {TENSORS_FILE: parts, MANIFEST_FILE: manifest})
        return target
    # A large tensors file is hashed while it is written (both release the GIL); the manifest,
    # which holds the hash, is made once the tensors file is written.
    with ThreadPoolExecutor(max_workers=1) as pool:
        sha256 = pool.submit(_sha256, parts)

        def made_last() -> bytes:
            return manifest_bytes(tree, sha256.result(), len(encoder.tensors), size)

        write_directory_atomically(target, {TENSORS_FILE: parts, MANIFEST_FILE: made_last})
    return target


def _sha256(parts: list[bytes | memoryview]) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part)
    return hasher.hexdigest()


@overload
def load(path: str | os.PathLike[str]) -> State[object]: ...


@overload
def load(path: str | os.PathLike[str], *, like: State[T]) -> State[T]: ...


def load(path: str | os.PathLike[str], *, like: State[Any] | None = None) -> State[Any]:
    """The state saved in the checkpoint ``path`` (equal to the one `save` was given).

    Nothing in the files is executed or imported: the tensors come from the safetensors file
    after its sha256 matched the manifest's, and every class the manifest names must be
    defined in this process already (import its module first). Tensors come back on the CPU,
    each with its ``requires_grad`` as saved; a ``TrainState`` comes back readable (not
    donated).

    Args:
        path: a checkpoint directory written by `save`.
        like: a state of the same structure (typically the initial state of the run): the
            checkpoint's value, and each slot and batch both hold, must have its structure
            (node types, dict keys, leaf types, tensor dtypes and shapes; a None on either
            side matches anything), and each tensor goes to the device of the template's.
            The result is typed as the template.

    Raises:
        CheckpointError: the checkpoint is missing, damaged, from a newer schema, names a
            class this process does not have, or does not match ``like``; the message says
            which file, where, and how to fix it.

    Warns:
        ReproducibilityWarning: it was written with other versions of foldloop, torch or
            Python, or another torch thread count.

    Example:
        >>> import tempfile, torch
        >>> from foldloop import State
        >>> state = State(value={"w": torch.arange(3.0)}, iteration=7)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     loaded = load(save(state, Path(folder) / "ckpt"), like=state)
        >>> loaded.iteration, loaded.value["w"]
        (7, tensor([0., 1., 2.]))
    """
    directory = Path(path)
    if like is not None and not isinstance(like, State):
        raise TypeError(f"like= takes a State (a template), got {type(like).__name__}")
    if not directory.is_dir():
        what = "is not a directory" if directory.exists() else "does not exist"
        raise CheckpointError(
            f"it {what}: a checkpoint is a directory written by foldloop.io.save", directory
        )
    manifest = read_manifest(directory)
    tensors = read_tensors_file(directory, cast(dict[str, Any], manifest["tensors"])["sha256"])
    state = Decoder(tensors, directory).state(manifest["state"], like)
    warn_if_environment_differs(manifest["written_by"], directory)
    return state
