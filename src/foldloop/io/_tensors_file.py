"""Reading a checkpoint's tensors file: checked, hashed and copied in one pass over its bytes.

The safetensors library checks the file's layout first (its header only: every tensor's dtype,
shape and place, the places back to back up to the file's end). Then each tensor is read from
the file straight into memory of its own, and every byte of the file goes through the sha256
as it is read: the bytes come from the page cache once, where hashing a map of the file, then
copying each tensor out of it, read them twice. Memory of its own matters: tensors in a map
sit wherever the file puts them, and torch's kernels may give other low bits on memory aligned
otherwise, so a resumed run would not be bit for bit the uninterrupted one.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import sys
from concurrent.futures import ThreadPoolExecutor
from io import FileIO
from pathlib import Path

import safetensors
import torch
from torch import Tensor

from ._errors import CheckpointError
from ._manifest import MANIFEST_FILE, TENSORS_FILE
from ._tensors import SAFETENSORS_CODES, numbers_as_ints

_CHUNK = 8 << 20  # bytes read (then hashed) at a time
_DTYPES_BY_CODE = {code: dtype for dtype, code in SAFETENSORS_CODES.items()}


def read_tensors_file(directory: Path, sha256: object) -> dict[str, Tensor]:
    """The tensors in ``directory``'s tensors file, by key, after its bytes matched
    ``sha256`` (the manifest's); a missing, damaged or invalid file is refused.

    Example:
        >>> import tempfile
        >>> from foldloop import State
        >>> from foldloop.io import save
        >>> from foldloop.io._manifest import read_manifest
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     ckpt = save(State(value={"w": torch.ones(2)}), Path(folder) / "ckpt")
        ...     read_tensors_file(ckpt, read_manifest(ckpt)["tensors"]["sha256"])
        {'value.w': tensor([1., 1.])}
    """
    path = directory / TENSORS_FILE
    tensors: dict[str, Tensor] | None = None
    try:
        with open(path, "rb", buffering=0) as file:
            invalid = _layout_refusal(path)
            if invalid is None:
                try:
                    tensors, found = _read_hashed(file)
                # Raised only where the file changed after its layout was checked.
                except (ValueError, KeyError, TypeError, RuntimeError) as changed:
                    invalid = f"{type(changed).__name__}: {changed}"
            if tensors is None:  # hashed whole, so that a damaged file is reported as damaged
                file.seek(0)
                found = hashlib.file_digest(file, "sha256").hexdigest()
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
    if tensors is None:
        raise CheckpointError(
            f"{TENSORS_FILE} is not a valid safetensors file ({invalid}); use another checkpoint",
            directory,
        )
    return tensors


def _layout_refusal(path: Path) -> str | None:
    """Why the safetensors library refuses the layout of the file at ``path``; None if not."""
    try:
        with safetensors.safe_open(str(path), framework="pt"):
            return None
    except Exception as error:  # the library's own error types vary; none of them is ours
        return f"{type(error).__name__}: {error}"


def _read_hashed(file: FileIO) -> tuple[dict[str, Tensor], str]:
    """The tensors of the safetensors ``file`` (its layout checked), each read into memory of
    its own, and the sha256 of every byte read, in the file's order."""
    hasher = hashlib.sha256()
    head = _read_exactly(file, memoryview(bytearray(8)))
    (length,) = struct.unpack("<Q", head)
    if length > os.fstat(file.fileno()).st_size:
        raise ValueError(f"a header of {length} bytes is longer than the file")
    header = _read_exactly(file, memoryview(bytearray(length)))
    entries = json.loads(bytes(header))
    entries.pop("__metadata__", None)
    tensors: dict[str, Tensor] = {}
    # Each chunk is hashed in a thread while the next one is read: both release the GIL.
    with ThreadPoolExecutor(max_workers=1) as hashing:
        hashing.submit(hasher.update, head)
        hashing.submit(hasher.update, header)
        for key, entry in sorted(entries.items(), key=lambda item: item[1]["data_offsets"][0]):
            tensor = torch.empty(entry["shape"], dtype=_DTYPES_BY_CODE[entry["dtype"]])
            data = tensor.reshape(-1).view(torch.uint8).numpy().data
            for start in range(0, data.nbytes, _CHUNK):
                hashing.submit(hasher.update, _read_exactly(file, data[start : start + _CHUNK]))
            tensors[key] = tensor
        if file.read(1):
            raise ValueError("bytes after the last tensor")
    if sys.byteorder == "big":  # the file's numbers are little-endian (swapped once hashed)
        for tensor in tensors.values():
            numbers_as_ints(tensor).byteswap(inplace=True)
    return tensors, hasher.hexdigest()


def _read_exactly(file: FileIO, into: memoryview) -> memoryview:
    """``into``, filled from ``file`` (a read may return less than asked: one of over 2 GiB)."""
    done = 0
    while done < into.nbytes:
        got = file.readinto(into[done:])
        if not got:
            raise ValueError("the file ends early")
        done += got
    return into
