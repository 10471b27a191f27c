"""``Checkpoints``: a tap that writes a run's checkpoints into a directory and keeps some."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Literal

from foldloop.core import State
from foldloop.io import Entry, delete_checkpoint, entries_of, write_checkpoint

from ._ranks import require_rank, runs_here
from ._scores import Score, read_score, require_score


class Checkpoints:
    """Checkpoints of a run in one directory; call it as a tap to write one.

    Attach it on any trigger: ``loop.tap(on(IterationCompleted, every(100)) | on(EpochCompleted),
    checkpoints)``; attach it on ``Interrupted`` too to save the state a Ctrl-C stopped at.
    After each write it keeps the ``keep_last`` newest checkpoints and the ``keep_best`` best by
    ``score`` (``mode="max"``: higher is better), and deletes the rest. Names, atomic writes and
    deletions are `foldloop.io`'s (``docs/checkpoints.md``); `foldloop.io.resume` reads them.

    Args:
        directory: where the checkpoints go; created when missing.
        keep_last: how many of the newest to keep (at least 1).
        keep_best: how many of the best by ``score`` to keep besides (0: none).
        score: what a checkpoint is ranked by, read from the state as the transitions read
            theirs: a ``Slot[float]``, the name of an attached metric, or a function of the
            state. Needed when ``keep_best > 0``.
        mode: ``"max"`` when a higher score is better, ``"min"`` when a lower one is.
        rank: the process that writes when called as a tap in a data-parallel run (a process
            group is initialised): rank 0 by default, ``None`` for every process (each into
            its own ``directory``). Every rank may `foldloop.io.resume` from rank 0's.

    Example:
        >>> import tempfile
        >>> from foldloop import Loop, IterationCompleted, every, on
        >>> from foldloop.io import resume
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
        # Any: a checkpoint tap saves, and scores, states of any value type.
        score: Score[Any] | None = None,
        mode: Literal["min", "max"] = "max",
        rank: int | None = 0,
    ) -> None:
        self.rank = require_rank(rank, "Checkpoints")
        _require_count("keep_last", keep_last, least=1)
        _require_count("keep_best", keep_best, least=0)
        if keep_best and score is None:
            raise ValueError(
                f"Checkpoints: keep_best={keep_best} needs a score to rank checkpoints by: pass "
                "score=Slot(...), the name of an attached metric, or score=lambda state: ..."
            )
        if score is not None:
            require_score("Checkpoints", score)
        if mode not in ("min", "max"):
            raise ValueError(f"Checkpoints: mode must be 'min' or 'max', got {mode!r}")
        self.directory = Path(directory)
        if self.directory.exists() and not self.directory.is_dir():
            raise NotADirectoryError(
                f"{self.directory} is a file, not a directory; give Checkpoints a directory"
            )
        self.keep_last = keep_last
        self.keep_best = keep_best
        self.score = score
        self.mode = mode

    # Any: as above.
    def __call__(self, state: State[Any]) -> None:
        """Write ``state`` as the newest checkpoint, then apply the retention rules (a tap); in a
        process group, on rank ``rank`` only (`save` writes wherever it is called)."""
        if runs_here(self.rank):
            self.save(state)

    # Any: as above.
    def save(self, state: State[Any]) -> Path:
        """Write ``state`` as the newest checkpoint and delete what the rules no longer keep.

        Returns:
            The new checkpoint's directory.
        """
        score = None if self.score is None else read_score("Checkpoints", self.score, state)
        path = write_checkpoint(state, self.directory, score)
        self._retain(entries_of(self.directory))
        return path

    def paths(self) -> list[Path]:
        """The complete checkpoints, oldest first.

        Example:
            >>> import tempfile
            >>> Checkpoints(tempfile.mkdtemp()).paths()
            []
        """
        return [entry.path for entry in entries_of(self.directory)]

    def _retain(self, entries: list[Entry]) -> None:
        keep = {entry.path for entry in entries[-self.keep_last :]}
        scored = [e for e in entries if e.score is not None and not math.isnan(e.score)]
        sign = -1.0 if self.mode == "max" else 1.0
        # The best first; among equal scores, the newest.
        scored.sort(key=lambda entry: (sign * (entry.score or 0.0), -entry.sequence))
        keep.update(entry.path for entry in scored[: self.keep_best])
        for entry in entries:
            if entry.path not in keep:
                delete_checkpoint(entry.path)


def _require_count(name: str, value: object, *, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"Checkpoints: {name} must be an int >= {least}, got {value!r}")
