"""A directory of checkpoints: written by a tap, kept by rules, resumed from the newest good one.

Each checkpoint is a directory written by :func:`foldloop.io.save` (atomically: it appears under
its final name complete, or not at all), named ``ckpt-<sequence>-e<epoch>-i<iteration>``, with
``-score=<score>`` when best ones are kept; the sequence goes up by one per checkpoint, across
processes (it continues from the directory), so names sort in the order the run wrote them. A
``latest`` file names the newest; it is replaced atomically after the new checkpoint is in place,
and old checkpoints are deleted only then (moved out of the way by a rename first, so none is
ever seen half deleted).
"""

from __future__ import annotations

import math
import os
import re
import shutil
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, Literal, NamedTuple, TypeVar, overload

from foldloop.core import Slot, State

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


class Checkpoints:
    """Checkpoints of a run in one directory; call it as a tap to write one.

    Attach it on any trigger: ``loop.tap(on(IterationCompleted, every(100)) | on(EpochCompleted),
    checkpoints)``; attach it on ``Interrupted`` too to save the state a Ctrl-C stopped at.
    After each write it keeps the ``keep_last`` newest checkpoints and the ``keep_best`` best by
    ``score`` (``mode="max"``: higher is better), and deletes the rest.

    Args:
        directory: where the checkpoints go; created when missing.
        keep_last: how many of the newest to keep (at least 1).
        keep_best: how many of the best by ``score`` to keep besides (0: none).
        score: the number a checkpoint is ranked by, read from the state: a slot (an attached
            metric's slot, say) or a function of the state. Needed when ``keep_best > 0``.
        mode: ``"max"`` when a higher score is better, ``"min"`` when a lower one is.

    Example:
        >>> import tempfile
        >>> from foldloop import Loop, IterationCompleted, every, on
        >>> loop: Loop[int, int] = Loop(lambda s, batch: s.replace(value=s.value + batch))
        >>> directory = tempfile.mkdtemp()
        >>> checkpoints = Checkpoints(directory, keep_last=2)
        >>> _ = loop.tap(on(IterationCompleted, every(2)), checkpoints)
        >>> final = loop.run(0, range(10), max_epochs=1)
        >>> [path.name for path in checkpoints.paths()]
        ['ckpt-00000004-e1-i8', 'ckpt-00000005-e1-i10']
        >>> resume(directory).value
        45
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        keep_last: int = 1,
        keep_best: int = 0,
        score: Slot[float] | Callable[[State[Any]], float] | None = None,
        mode: Literal["min", "max"] = "max",
    ) -> None:
        _require_count("keep_last", keep_last, least=1)
        _require_count("keep_best", keep_best, least=0)
        if keep_best and score is None:
            raise ValueError(
                f"keep_best={keep_best} needs a score to rank checkpoints by: pass "
                "score=Slot(...) (an attached metric's slot) or score=lambda state: ..."
            )
        if score is not None and not (isinstance(score, Slot) or callable(score)):
            raise TypeError(f"score must be a Slot or a function of the state, got {score!r}")
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        self.directory = Path(directory)
        if self.directory.exists() and not self.directory.is_dir():
            raise NotADirectoryError(
                f"{self.directory} is a file, not a directory; give Checkpoints a directory"
            )
        self.keep_last = keep_last
        self.keep_best = keep_best
        self.score = score
        self.mode = mode

    # Any: a checkpoint tap saves states of any value type.
    def __call__(self, state: State[Any]) -> None:
        """Write ``state`` as the newest checkpoint, then apply the retention rules."""
        self.save(state)

    # Any: as above.
    def save(self, state: State[Any]) -> Path:
        """Write ``state`` as the newest checkpoint and delete what the rules no longer keep.

        Returns:
            The new checkpoint's directory.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        _sweep(self.directory)
        entries = self.entries()
        sequence = entries[-1].sequence + 1 if entries else 1
        name = f"ckpt-{sequence:08d}-e{state.epoch}-i{state.iteration}"
        if self.score is not None:
            name += f"-score={_score_of(state, self.score)!r}"
        path = save(state, self.directory / name)
        write_file_atomically(self.directory / LATEST, f"{name}\n".encode())
        self._retain(self.entries())
        return path

    def paths(self) -> list[Path]:
        """The complete checkpoints, oldest first.

        Example:
            >>> import tempfile
            >>> Checkpoints(tempfile.mkdtemp()).paths()
            []
        """
        return [entry.path for entry in self.entries()]

    def entries(self) -> list[Entry]:
        """The complete checkpoints with their sequence numbers and scores, oldest first."""
        return entries_of(self.directory)

    def _retain(self, entries: list[Entry]) -> None:
        keep = {entry.path for entry in entries[-self.keep_last :]}
        scored = [
            entry for entry in entries if entry.score is not None and not math.isnan(entry.score)
        ]
        sign = -1.0 if self.mode == "max" else 1.0
        # The best first; among equal scores, the newest.
        scored.sort(key=lambda entry: (sign * (entry.score or 0.0), -entry.sequence))
        keep.update(entry.path for entry in scored[: self.keep_best])
        for entry in entries:
            if entry.path not in keep:
                _delete(entry.path)


# Any: as in Checkpoints.save.
def _score_of(state: State[Any], score: Slot[float] | Callable[[State[Any]], float]) -> float:
    """The score of ``state``, checked to be a number."""
    value = state.get(score) if isinstance(score, Slot) else score(state)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(
            f"the checkpoint score must be a number, got {value!r}; read a float from the "
            "state (float(...) of a tensor)"
        )
    return float(value)


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


def _delete(path: Path) -> None:
    """Delete a checkpoint: renamed away first (atomic), so it is never seen half deleted."""
    trash = path.with_name(f"{_TRASH}{path.name}-{uuid.uuid4().hex[:8]}")
    os.replace(path, trash)
    shutil.rmtree(trash)


def _require_count(name: str, value: object, *, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"{name} must be an int >= {least}, got {value!r}")
