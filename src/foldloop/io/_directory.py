"""A directory of checkpoints: how they are named, written, deleted, and resumed from.

The writer is the tap :class:`foldloop.handlers.Checkpoints`; this module is the layout it
shares with :func:`resume`.

Each checkpoint is a directory written by :func:`foldloop.io.save` (atomically: it appears under
its final name complete, or not at all), named ``ckpt-<sequence>-e<epoch>-i<iteration>``, with
``-score=<score>`` when best ones are kept; the sequence goes up by one per checkpoint, across
processes (it continues from the directory), so names sort in the order the run wrote them. A
``latest`` file names the newest; it is replaced atomically after the new checkpoint is in place,
and old checkpoints are deleted only then (moved out of the way by a rename first, so none is
ever seen half deleted).
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
import warnings
from pathlib import Path
from typing import Any, Final, NamedTuple, TypeVar, overload

from foldloop.core import State

from ._checkpoint import load, save
from ._errors import CheckpointError, CheckpointWarning
from ._files import write_file_atomically

T = TypeVar("T")

LATEST: Final = "latest"
"""The file that names the newest checkpoint of a directory."""

_NAME = re.compile(
    r"ckpt-(?P<sequence>\d{8})-e(?P<epoch>\d+)-i(?P<iteration>\d+)(-score=(?P<score>.+))?"
)
_TRASH: Final = ".trash-"  # a checkpoint being deleted: renamed to this prefix first
_UNFINISHED: Final = ".tmp-"  # in the name of an atomic write's temporary entry (``_files``)


class Entry(NamedTuple):
    """A complete checkpoint of a directory, as its name describes it."""

    path: Path
    sequence: int
    score: float | None


def entries_of(directory: Path) -> list[Entry]:
    """The complete checkpoints in ``directory``, oldest first (none if it does not exist)."""
    if not directory.is_dir():
        return []
    entries = []
    for path in directory.iterdir():
        match = _NAME.fullmatch(path.name)
        if match is None or not path.is_dir():
            continue
        score = match["score"]
        entries.append(Entry(path, int(match["sequence"]), None if score is None else float(score)))
    return sorted(entries, key=lambda entry: entry.sequence)


@overload
def resume(directory: str | os.PathLike[str]) -> State[object] | None: ...


@overload
def resume(directory: str | os.PathLike[str], like: State[T]) -> State[T] | None: ...


def resume(
    directory: str | os.PathLike[str], like: State[T] | None = None
) -> State[T] | State[object] | None:
    """The state of the newest good checkpoint in ``directory``; None when it holds none.

    A checkpoint that cannot be loaded (damaged on disk, say) is skipped with a
    :class:`CheckpointWarning` that says why, and the one before it is tried.

    Raises:
        CheckpointError: checkpoints exist but none can be loaded (each reason is given).

    Example:
        >>> import tempfile
        >>> resume(tempfile.mkdtemp()) is None
        True
    """
    failures = []
    for entry in reversed(entries_of(Path(directory))):
        try:
            return load(entry.path) if like is None else load(entry.path, like=like)
        except CheckpointError as error:
            failures.append(f"{entry.path.name}: {error}")
            warnings.warn(
                f"skipping checkpoint {entry.path}, which cannot be loaded ({error}); "
                "trying the one before it",
                CheckpointWarning,
                stacklevel=2,
            )
    if failures:
        raise CheckpointError(
            f"no checkpoint in {directory} can be loaded:\n  " + "\n  ".join(failures)
        )
    return None


def write_checkpoint(state: State[Any], directory: Path, score: float | None) -> Path:
    """Write ``state`` into ``directory`` as its newest checkpoint (sweeping what a killed
    writer left first), then point ``latest`` at it. ``score`` goes into the name.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> write_checkpoint(State(1), folder, None).name
        'ckpt-00000001-e0-i0'
        >>> write_checkpoint(State(2), folder, 0.5).name
        'ckpt-00000002-e0-i0-score=0.5'
        >>> (folder / LATEST).read_text().strip()
        'ckpt-00000002-e0-i0-score=0.5'
    """
    directory.mkdir(parents=True, exist_ok=True)
    _sweep(directory)
    entries = entries_of(directory)
    sequence = entries[-1].sequence + 1 if entries else 1
    name = f"ckpt-{sequence:08d}-e{state.epoch}-i{state.iteration}"
    if score is not None:
        name += f"-score={score!r}"
    path = save(state, directory / name)
    write_file_atomically(directory / LATEST, f"{name}\n".encode())
    return path


def delete_checkpoint(path: Path) -> None:
    """Delete a checkpoint: renamed away first (atomic), so it is never seen half deleted.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> delete_checkpoint(write_checkpoint(State(1), folder, None))
        >>> entries_of(folder)
        []
    """
    trash = path.with_name(f"{_TRASH}{path.name}-{uuid.uuid4().hex[:8]}")
    os.replace(path, trash)
    shutil.rmtree(trash)


def _sweep(directory: Path) -> None:
    """Delete what a killed process left: unfinished writes and unfinished deletions."""
    for path in directory.iterdir():
        left = path.name.startswith(_TRASH) or (
            path.name.startswith(".") and _UNFINISHED in path.name
        )
        if left and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif left:
            path.unlink(missing_ok=True)
