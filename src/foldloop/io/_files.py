"""Atomic writes: a file, or a directory of files, appears whole at its final path or not at all.

Each is written beside its final place (same directory, so on the same file system), flushed to
the disk with ``fsync``, and renamed into place; the directory that holds it is fsynced too, so
the rename itself survives a power cut. A reader never sees a partly written file, and a crash
leaves at worst a temporary entry whose name starts with ``.`` and holds ``.tmp-``.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO, TypeAlias

FileContents: TypeAlias = bytes | Sequence[bytes | memoryview] | Callable[[], bytes]
"""A file's bytes; or its parts in order (written one after another, never joined in memory); or
a function that gives its bytes, called when the file's turn comes (so that it may depend on
the files written before it, such as a manifest holding the checksum of another file)."""


def temporary_sibling(path: Path) -> Path:
    """A fresh name beside ``path`` for writing it: hidden, and marked as temporary.

    Example:
        >>> name = temporary_sibling(Path("runs/ckpt")).name
        >>> name.startswith(".ckpt.tmp-"), len(name) == len(".ckpt.tmp-") + 16
        (True, True)
    """
    return path.with_name(f".{path.name}.tmp-{secrets.token_hex(8)}")


def _require_parent(path: Path) -> None:
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"{path.parent} is not a directory, so {path.name} cannot be written in it: "
            "create the directory first"
        )


def fsync_directory(path: Path) -> None:
    """Flush a directory's entries (names created, renamed, removed) to the disk.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     fsync_directory(Path(folder))
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_contents(file: BinaryIO, contents: FileContents) -> None:
    if callable(contents):
        contents = contents()
    if isinstance(contents, bytes):
        file.write(contents)
    else:
        for part in contents:
            file.write(part)
    file.flush()
    os.fsync(file.fileno())


def _write_new_file(path: Path, contents: FileContents) -> None:
    with open(path, "xb") as file:  # "x": never overwrite what another writer made
        _write_contents(file, contents)


def write_file_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part.

    The data goes to a temporary file beside ``path``, is fsynced, and replaces ``path`` with
    ``os.replace`` (an existing file is replaced); then the directory is fsynced. If anything
    fails, the temporary file is removed and ``path`` is as it was.

    Args:
        path: the file to write; its directory must exist.
        data: the whole new content.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     latest = Path(folder) / "latest"
        ...     write_file_atomically(latest, b"ckpt-000100")
        ...     write_file_atomically(latest, b"ckpt-000200")
        ...     print(latest.read_bytes(), sorted(p.name for p in Path(folder).iterdir()))
        b'ckpt-000200' ['latest']
    """
    path = Path(path)
    _require_parent(path)
    temporary = temporary_sibling(path)
    try:
        _write_new_file(temporary, data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def write_directory_atomically(path: Path, files: Mapping[str, FileContents]) -> None:
    """Create the directory ``path`` holding ``files``, all at once: it appears complete or not
    at all.

    The files are written, in the order given, into a temporary directory beside ``path``, each
    one fsynced; the temporary directory is fsynced and renamed to ``path``, then the parent
    directory is fsynced. If anything fails, the temporary directory is removed.

    Args:
        path: the directory to create; its parent must exist, and it must not exist itself.
        files: file name (a plain name, no directories) to its contents (`FileContents`).

    Raises:
        FileExistsError: ``path`` exists already; nothing is written.
        FileNotFoundError: its parent is not a directory; nothing is written.
        ValueError: a file name is not a plain name.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     ckpt = Path(folder) / "ckpt"
        ...     files = {"a.bin": b"1", "b.json": [b"{", b"}"], "c.txt": lambda: b"made last"}
        ...     write_directory_atomically(ckpt, files)
        ...     print(sorted((p.name, p.read_bytes()) for p in ckpt.iterdir()))
        [('a.bin', b'1'), ('b.json', b'{}'), ('c.txt', b'made last')]
    """
    path = Path(path)
    for name in files:
        if not name or name in (".", "..") or "/" in name or os.sep in name or "\0" in name:
            raise ValueError(f"{name!r} is not a plain file name; name the files of {path} only")
    if os.path.lexists(path):
        raise FileExistsError(
            f"{path} exists already; a checkpoint is never written over another one: "
            "choose a new path, or remove the old one first"
        )
    _require_parent(path)
    temporary = temporary_sibling(path)
    os.mkdir(temporary)
    try:
        for name, contents in files.items():
            _write_new_file(temporary / name, contents)
        fsync_directory(temporary)
        if os.path.lexists(path):  # made meanwhile by another writer: keep theirs
            raise FileExistsError(f"{path} was created by another writer while this one wrote")
        os.rename(temporary, path)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    fsync_directory(path.parent)
