"""``Csv``: a tap that appends one row per firing to a CSV file (JSON Lines' columns, flat)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TypeVar

from foldloop.core import Event, State

from ._line_log import LineLog
from ._ranks import runs_here
from ._records import COLUMNS, record

T = TypeVar("T")


class Csv(LineLog[T]):
    """Append one row per firing to ``path``: ``tag, event, epoch, iteration, wall_time``,
    then one column per value name, under a header written when the file is new or empty.

    Opened, appended to, flushed and closed as :class:`JsonLines` is, and written by the
    process of rank ``rank`` only in a data-parallel run (rank 0 by default; ``None``: every
    process). Appending to a file whose header names other columns is refused (at the first
    row).

    Example:
        >>> import pathlib, tempfile
        >>> from foldloop import EpochCompleted, Loop
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "log.csv"
        >>> loop: Loop[float, float] = Loop(lambda s, batch: s.replace(value=batch))
        >>> _ = Csv(path, {"x": lambda s: s.value}, clock=lambda: 0.0).attach(loop, EpochCompleted)
        >>> _ = loop.run(0.0, [1.0, 2.0])
        >>> print(path.read_text(), end="")
        tag,event,epoch,iteration,wall_time,x
        train,EpochCompleted,1,2,0.0,2.0
    """

    _checked = False  # whether an existing file's header was found to be this one's

    @property
    def header(self) -> list[str]:
        """The file's columns.

        Example:
            >>> Csv("log.csv", {"loss": lambda s: 0.0}).header
            ['tag', 'event', 'epoch', 'iteration', 'wall_time', 'loss']
        """
        return [*COLUMNS, *self.values]

    def __call__(self, state: State[T], event: Event) -> None:
        """Append the row of ``event`` at ``state`` (a tap), on rank ``rank`` only."""
        if not runs_here(self.rank):
            return
        rec = record(self.tag, state, event, self.values, self.clock)
        values = rec.pop("values")
        assert isinstance(values, dict)
        if self._file.open().tell() == 0:
            self._file.write(_row(self.header))
        else:
            self._check_header()
        self._file.write(_row([*rec.values(), *values.values()]))

    def _check_header(self) -> None:
        if self._checked:
            return
        with open(self._file.path, encoding="utf-8", newline="") as existing:
            found = next(csv.reader(existing), [])
        if found != self.header:
            raise ValueError(
                f"Csv: {str(self._file.path)!r} has the columns {found}, not {self.header}; "
                "log to another file, or give the same value names"
            )
        self._checked = True


def _row(cells: Sequence[object]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()
