"""Reading a JSON Lines training log, checked line by line before anything is drawn.

One JSON object per line: ``{"tag": "train", "event": "IterationCompleted", "epoch": 1,
"iteration": 3, "wall_time": 0.25, "values": {"loss": 0.5}}``. Blank lines are skipped; other
fields are allowed and ignored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

import attrs

from foldloop.core import FoldloopError

V = TypeVar("V")


class LogError(FoldloopError, ValueError):
    """A training log that cannot be read: it names the file and the line."""


@attrs.frozen
class LogRecord:
    """One line of a training log.

    Example:
        >>> LogRecord("train", "IterationCompleted", 1, 3, 0.25, {"loss": 0.5}).values["loss"]
        0.5
    """

    tag: str
    event: str
    epoch: int
    iteration: int
    wall_time: float
    values: Mapping[str, float]


def read_log(path: str | Path) -> tuple[LogRecord, ...]:
    """The records of the JSON Lines log at ``path``, in order.

    Raises:
        FileNotFoundError: there is no file at ``path``.
        LogError: the log has no records, or a line is not a JSON object with the fields.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     log = Path(folder) / "log.jsonl"
        ...     _ = log.write_text('{"tag": "train", "event": "EpochCompleted", "epoch": 1, '
        ...                        '"iteration": 4, "wall_time": 1.5, "values": {"loss": 0.5}}\\n')
        ...     [(r.tag, r.iteration, dict(r.values)) for r in read_log(log)]
        [('train', 4, {'loss': 0.5})]
    """
    source = Path(path)
    if not source.is_file():
        raise FileNotFoundError(f"{source}: no such log file (a JSON Lines training log)")
    with source.open(encoding="utf-8") as lines:
        records = tuple(
            _record(line, source, number)
            for number, line in enumerate(lines, start=1)
            if line.strip()
        )
    if not records:
        raise LogError(f"{source}: the log is empty; it needs one JSON object per line")
    return records


def _record(line: str, source: Path, number: int) -> LogRecord:
    where = f"{source}, line {number}"
    try:
        # json.loads returns Any; every field is checked below before it is used.
        data: object = json.loads(line)
    except json.JSONDecodeError as error:
        raise LogError(f"{where}: not JSON ({error.msg}): {line.strip()[:80]!r}") from error
    if not isinstance(data, Mapping):
        raise LogError(f"{where}: a line must be a JSON object, got {type(data).__name__}")
    return LogRecord(
        tag=_field(data, "tag", str, where),
        event=_field(data, "event", str, where),
        epoch=_field(data, "epoch", int, where),
        iteration=_field(data, "iteration", int, where),
        wall_time=_number(_field(data, "wall_time", object, where), "'wall_time'", where),
        values=_values(_field(data, "values", dict, where), where),
    )


def _field(data: Mapping[str, object], name: str, kind: type[V], where: str) -> V:
    if name not in data:
        raise LogError(f"{where}: the field {name!r} is missing (present: {sorted(data)})")
    value = data[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise LogError(f"{where}: {name!r} must be of type {kind.__name__}, got {value!r}")
    return value


def _number(value: object, what: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LogError(f"{where}: {what} must be a number, got {value!r}")
    return float(value)


def _values(values: Mapping[object, object], where: str) -> Mapping[str, float]:
    # JSON object keys are always strings.
    return {str(name): _number(value, f"values[{name!r}]", where) for name, value in values.items()}
