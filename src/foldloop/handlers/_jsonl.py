"""``JsonLines``: a tap that appends one JSON record per firing to a file (the default log)."""

from __future__ import annotations

import json
from typing import TypeVar

from foldloop.core import Event, State

from ._line_log import LineLog
from ._ranks import runs_here
from ._records import record

T = TypeVar("T")


class JsonLines(LineLog[T]):
    """Append one JSON object per firing to ``path``: ``{"tag", "event", "epoch",
    "iteration", "wall_time", "values": {name: number}}``.

    The file is checked at construction, opened at the first record, appended to (a resumed
    run continues the same log), flushed after every record and closed when a run ends (when
    attached with :meth:`attach`; else call :meth:`close`). Each value is ``float(fn(state))``.
    In a data-parallel run only the process of rank ``rank`` writes (rank 0 by default;
    ``None``: every process, each to its own ``path``).

    Example:
        >>> import json, pathlib, tempfile
        >>> from foldloop import EpochCompleted, Loop
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "log.jsonl"
        >>> loop: Loop[float, float] = Loop(lambda s, batch: s.replace(value=batch))
        >>> log = JsonLines(path, {"x": lambda s: s.value}, clock=lambda: 0.0)
        >>> _ = log.attach(loop, EpochCompleted)
        >>> _ = loop.run(0.0, [1.0, 2.0], max_epochs=2)
        >>> for line in path.read_text().splitlines():
        ...     print(json.loads(line))  # doctest: +NORMALIZE_WHITESPACE
        {'tag': 'train', 'event': 'EpochCompleted', 'epoch': 1, 'iteration': 2,
         'wall_time': 0.0, 'values': {'x': 2.0}}
        {'tag': 'train', 'event': 'EpochCompleted', 'epoch': 2, 'iteration': 4,
         'wall_time': 0.0, 'values': {'x': 2.0}}
    """

    def __call__(self, state: State[T], event: Event) -> None:
        """Append the record of ``event`` at ``state`` (a tap), on rank ``rank`` only."""
        if not runs_here(self.rank):
            return
        line = json.dumps(record(self.tag, state, event, self.values, self.clock))
        self._file.write(line + "\n")
