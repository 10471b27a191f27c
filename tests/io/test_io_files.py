"""Atomic writes: a file or a directory appears whole or not at all, fsynced, and a failure
leaves nothing behind."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from foldloop import State
from foldloop.io import save, write_directory_atomically, write_file_atomically


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The fsyncs and renames the writers make, in order, as ``"fsync <name>"``, ``"rename"``."""
    made: list[str] = []
    fsync, replace, rename = os.fsync, os.replace, os.rename

    def logged_fsync(fd: int) -> None:
        made.append("fsync " + Path(os.readlink(f"/proc/self/fd/{fd}")).name)
        fsync(fd)

    def logged(name: str, real: object) -> object:
        def move(src: Path, dst: Path) -> None:
            made.append(f"{name} {Path(dst).name}")
            real(src, dst)  # type: ignore[operator]  # os.replace or os.rename

        return move

    monkeypatch.setattr(os, "fsync", logged_fsync)
    monkeypatch.setattr(os, "replace", logged("replace", replace))
    monkeypatch.setattr(os, "rename", logged("rename", rename))
    yield made


def test_a_file_is_fsynced_then_replaced_then_its_directory_fsynced(
    tmp_path: Path, calls: list[str]
) -> None:
    target = tmp_path / "latest"
    target.write_bytes(b"old")
    write_file_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert calls[0].startswith("fsync .latest.tmp-")
    assert calls[1:] == ["replace latest", f"fsync {tmp_path.name}"]
    assert [p.name for p in tmp_path.iterdir()] == ["latest"]


def test_a_failed_file_write_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "latest"
    target.write_bytes(b"old")

    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError, match="No space"):
        write_file_atomically(target, b"new")
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["latest"]


def test_a_directory_has_every_file_fsynced_then_itself_then_is_renamed(
    tmp_path: Path, calls: list[str]
) -> None:
    write_directory_atomically(tmp_path / "ckpt", {"a": b"1", "b": [b"2", memoryview(b"3")]})
    assert sorted((p.name, p.read_bytes()) for p in (tmp_path / "ckpt").iterdir()) == [
        ("a", b"1"),
        ("b", b"23"),
    ]
    temporary = calls[2].removeprefix("fsync ")
    assert temporary.startswith(".ckpt.tmp-")
    assert calls == [
        "fsync a",
        "fsync b",
        f"fsync {temporary}",
        "rename ckpt",
        f"fsync {tmp_path.name}",
    ]


def test_a_failed_directory_write_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        write_directory_atomically(tmp_path / "ckpt", {"a": b"1", "b": [b"2", 3]})  # type: ignore[list-item]  # not bytes, on purpose
    assert list(tmp_path.iterdir()) == []


def test_a_directory_is_never_written_over_an_existing_path(tmp_path: Path) -> None:
    (tmp_path / "ckpt").mkdir()  # even an empty directory, which os.rename would replace
    with pytest.raises(FileExistsError, match="never written over"):
        write_directory_atomically(tmp_path / "ckpt", {"a": b"1"})
    assert list((tmp_path / "ckpt").iterdir()) == []


@pytest.mark.parametrize("name", ["", ".", "..", "../x", "a/b"])
def test_a_file_name_must_be_plain(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="not a plain file name"):
        write_directory_atomically(tmp_path / "ckpt", {name: b"1"})
    assert list(tmp_path.iterdir()) == []


def test_save_writes_the_tensors_then_the_manifest_into_a_temporary_directory(
    tmp_path: Path, calls: list[str]
) -> None:
    save(State(value=1), tmp_path / "ckpt")
    assert calls[:2] == ["fsync tensors.safetensors", "fsync manifest.json"]
    assert calls[3:] == ["rename ckpt", f"fsync {tmp_path.name}"]


def test_a_missing_parent_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="create the directory first"):
        write_directory_atomically(tmp_path / "runs" / "ckpt", {"a": b"1"})
    with pytest.raises(FileNotFoundError, match="create the directory first"):
        write_file_atomically(tmp_path / "runs" / "latest", b"1")
    with pytest.raises(FileNotFoundError, match="create the directory first"):
        save(State(value=1), tmp_path / "runs" / "ckpt")
    assert list(tmp_path.iterdir()) == []
