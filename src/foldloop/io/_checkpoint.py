"""Saving a whole state as a checkpoint directory, and loading it back safely."""

from __future__ import annotations

import hashlib
import mmap
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar, cast, overload

import safetensors.torch
from torch import Tensor

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
    tensors = _read_tensors(directory, cast(dict[str, Any], manifest["tensors"])["sha256"])
    state = Decoder(tensors, directory).state(manifest["state"], like)
    warn_if_environment_differs(manifest["written_by"], directory)
    return state


def _read_tensors(directory: Path, sha256: object) -> dict[str, Tensor]:
    """The tensors file's tensors, after its bytes matched ``sha256``.

    The file is hashed through a read-only map of it, then opened by the safetensors library
    (``safe_open``, whose tensors map the file) and each tensor copied out into memory of its
    own: the bytes are read once into the page cache to hash them, then copied once. The copy
    matters: tensors in a map sit wherever the file puts them, and torch's kernels may give
    other low bits on memory aligned otherwise, so a resumed run would not be bit for bit the
    uninterrupted one. A checkpoint's files are never changed in place (every write is a new
    file renamed into place), so what is copied is what was hashed.
    """
    path = directory / TENSORS_FILE
    try:
        found = _file_sha256(path)
    except FileNotFoundError:
        raise CheckpointError(
            f"{TENSORS_FILE} is missing: the checkpoint is incomplete; use another one",
            directory,
        ) from None
    except OSError as error:
        raise CheckpointError(f"{TENSORS_FILE} cannot be read: {error}", directory) from None
    if found != sha256:
        raise CheckpointError(
            f"{TENSORS_FILE} does not match the sha256 that {MANIFEST_FILE} gives for it "
            f"({found} != {sha256}): the file was damaged (a flipped byte, a truncated or "
            "interrupted copy) or replaced; restore it from a copy, or use another checkpoint",
            directory,
        )
    try:
        with safetensors.safe_open(str(path), framework="pt") as tensors_file:
            return {key: tensors_file.get_tensor(key).clone() for key in tensors_file.keys()}  # noqa: SIM118 (a safetensors handle, not a dict)
    except Exception as error:  # the library's own error types vary; none of them is ours
        raise CheckpointError(
            f"{TENSORS_FILE} is not a valid safetensors file ({type(error).__name__}: "
            f"{error}); use another checkpoint",
            directory,
        ) from None


def _file_sha256(path: Path) -> str:
    """The sha256 of the file at ``path``, read through a map of it (no copy in memory)."""
    with open(path, "rb") as file:
        if os.fstat(file.fileno()).st_size == 0:  # an empty file cannot be mapped
            return hashlib.sha256(b"").hexdigest()
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return hashlib.sha256(mapped).hexdigest()
