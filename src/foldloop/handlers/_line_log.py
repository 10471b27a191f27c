"""What the file loggers share: a line file, its path, closing it, and attaching the logger."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Generic, Never, TypeVar

from foldloop.core import Event, Loop, State, Trigger

from ._closing import tap_until_end
from ._handles import Handles
from ._lines import LineFile
from ._ranks import require_rank
from ._values import Values, checked

T = TypeVar("T")


class LineLog(Generic[T]):
    """A tap that appends lines to a file: :class:`JsonLines` and :class:`Csv` are two.

    A subclass writes its lines in ``__call__``; the messages name it by its class.

    Args:
        path: the file the lines are appended to.
        values: the numbers each line holds, by name: ``{name: fn(state)}``.
        tag: the line's ``tag`` (``"train"``, ``"eval"``, ...).
        clock: the line's ``wall_time``.
        rank: in a data-parallel run, the process that writes (``None``: every process).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        values: Values[T] | None = None,
        *,
        tag: str = "train",
        clock: Callable[[], float] = time.time,
        rank: int | None = 0,
    ) -> None:
        owner = type(self).__name__
        self.rank = require_rank(rank, owner)
        self.values = checked(values or {}, owner)
        self.tag = tag
        self.clock = clock
        self._file = LineFile(path, owner)

    def __call__(self, state: State[T], event: Event) -> None:
        """Append the line of ``event`` at ``state`` (a tap)."""
        raise NotImplementedError  # each logger writes its own lines

    @property
    def path(self) -> os.PathLike[str]:
        """Where the lines go.

        Example:
            >>> from foldloop.handlers import JsonLines
            >>> JsonLines("log.jsonl").path
            PosixPath('log.jsonl')
        """
        return self._file.path

    def close(self) -> None:
        """Close the file; a later line reopens it and appends.

        Example:
            >>> from foldloop.handlers import Csv
            >>> Csv("log.csv").close()  # never opened: nothing to do
        """
        self._file.close()

    def attach(self, loop: Loop[T, Never], trigger: Trigger[Event] | type[Event]) -> Handles:
        """Tap this logger on ``trigger``, and its :meth:`close` on the kinds that end a run.

        Example:
            >>> import pathlib, tempfile
            >>> from foldloop import IterationCompleted, Loop
            >>> from foldloop.handlers import JsonLines
            >>> loop: Loop[int, int] = Loop(lambda state, batch: state)
            >>> log: JsonLines[int] = JsonLines(pathlib.Path(tempfile.mkdtemp()) / "log.jsonl")
            >>> with log.attach(loop, IterationCompleted) as handles:
            ...     len(handles)  # the logger, and a close on each of four ending kinds
            5
        """
        return tap_until_end(loop, trigger, self, self.close)
