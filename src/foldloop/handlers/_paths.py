"""Refusing, at construction, a log path that could never be written."""

from __future__ import annotations

import os
from pathlib import Path


def writable_file(path: str | os.PathLike[str], where: str) -> Path:
    """``path`` as a ``Path``, refused unless a file can be created or appended to there.

    Raises:
        ValueError: the folder does not exist, is not a folder or cannot be written, or the
            path is a folder or a file that cannot be written.

    Example:
        >>> writable_file("/no/such/folder/log.jsonl", "JsonLines")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ValueError: JsonLines: cannot write '/no/such/folder/log.jsonl': the folder ...
    """
    file = Path(path)
    if file.is_dir():
        raise ValueError(
            f"{where}: cannot write {str(file)!r}: it is a folder; give a file path in it, "
            f"such as {str(file / 'log')!r}"
        )
    if file.exists() and not os.access(file, os.W_OK):
        raise ValueError(
            f"{where}: cannot write {str(file)!r}: the file is read-only; make it writable "
            "or choose another path"
        )
    writable_folder(file.parent, where, str(file))
    return file


def writable_folder(folder: Path, where: str, target: str) -> None:
    """Refuse ``folder`` (where ``target`` goes) unless it exists and can be written.

    Raises:
        ValueError: the folder does not exist, is not a folder or cannot be written.

    Example:
        >>> writable_folder(Path("."), "test", "log")  # the current folder: fine
    """
    absolute = folder.resolve()
    if not absolute.exists():
        raise ValueError(
            f"{where}: cannot write {target!r}: the folder {str(absolute)!r} does not exist; "
            "create it first (Path(...).mkdir(parents=True)) or choose another path"
        )
    if not absolute.is_dir():
        raise ValueError(
            f"{where}: cannot write {target!r}: {str(absolute)!r} is not a folder; "
            "choose a path inside a folder"
        )
    if not os.access(absolute, os.W_OK | os.X_OK):
        raise ValueError(
            f"{where}: cannot write {target!r}: the folder {str(absolute)!r} is not writable; "
            "choose a path in a folder you can write to, or change its permissions"
        )
