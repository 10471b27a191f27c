"""Reading a tensors file in one pass: each tensor in memory of its own, every byte hashed, and
a file that changes under the reader refused, not half read."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from foldloop import State
from foldloop.io import save
from foldloop.io._manifest import TENSORS_FILE
from foldloop.io._tensors_file import _read_hashed, read_tensors_file


def saved(tmp_path: Path) -> Path:
    value = {
        "w": torch.randn(5, 3),
        "b": torch.arange(7, dtype=torch.bfloat16),
        "m": torch.tensor([True, False]),
        "e": torch.zeros(0, 4),
    }
    return save(State(value=value), tmp_path / "ckpt")


def test_each_tensor_has_memory_of_its_own_aligned_as_torch_allocates(tmp_path: Path) -> None:
    checkpoint = saved(tmp_path)
    sha256 = hashlib.sha256((checkpoint / TENSORS_FILE).read_bytes()).hexdigest()
    tensors = read_tensors_file(checkpoint, sha256)
    storages = {t.untyped_storage().data_ptr() for t in tensors.values() if t.numel()}
    assert len(storages) == 3
    assert all(t.data_ptr() % 64 == 0 for t in tensors.values() if t.numel())
    assert all(t.storage_offset() == 0 for t in tensors.values())


def test_the_hash_covers_every_byte_of_the_file_in_order(tmp_path: Path) -> None:
    path = saved(tmp_path) / TENSORS_FILE
    with open(path, "rb", buffering=0) as file:
        tensors, found = _read_hashed(file)
    assert found == hashlib.sha256(path.read_bytes()).hexdigest()
    assert torch.equal(tensors["value.b"], torch.arange(7, dtype=torch.bfloat16))


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        (lambda data: data[:-3], "the file ends early"),
        (lambda data: data + b"\0", "bytes after the last tensor"),
        (lambda data: b"\xff" * 8 + data[8:], "header of .* bytes is longer than the file"),
    ],
)
def test_a_file_changed_after_its_layout_was_checked_is_not_half_read(
    tmp_path: Path, change: Callable[[bytes], bytes], refusal: str
) -> None:
    path = saved(tmp_path) / TENSORS_FILE
    path.write_bytes(change(path.read_bytes()))
    with open(path, "rb", buffering=0) as file, pytest.raises(ValueError, match=refusal):
        _read_hashed(file)
