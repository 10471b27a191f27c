"""What the training curves draw: a pure function of a log's records, tested without drawing."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from ._log import LogRecord

LINE_EVENT = "IterationCompleted"
"""Records of this event are drawn as lines; those of any other event (``EpochCompleted``,
an evaluation's) as markers at their iteration, the last of their epoch."""


@attrs.frozen
class Series:
    """The points of one value for one tag and event, in the log's order.

    Example:
        >>> Series("train", "IterationCompleted", (1, 2), (0.9, 0.7)).as_line
        True
    """

    tag: str
    event: str
    iterations: tuple[int, ...]
    values: tuple[float, ...]

    @property
    def as_line(self) -> bool:
        """Whether it is drawn as a line (per-iteration records) rather than markers.

        Example:
            >>> Series("eval", "EpochCompleted", (4,), (0.5,)).as_line
            False
        """
        return self.event == LINE_EVENT


@attrs.frozen
class Panel:
    """One panel of the curves: a value's name and its series, one per tag and event.

    Example:
        >>> Panel("loss", ()).name
        'loss'
    """

    name: str
    series: tuple[Series, ...]


def panels(records: Sequence[LogRecord], names: Sequence[str] | None = None) -> tuple[Panel, ...]:
    """One panel per value name (in order of first appearance, or of ``names``), each with a
    series per ``(tag, event)`` that has that value.

    Raises:
        ValueError: a name in ``names`` is in no record.

    Example:
        >>> records = [
        ...     LogRecord("train", "IterationCompleted", 1, 1, 0.1, {"loss": 0.9}),
        ...     LogRecord("train", "IterationCompleted", 1, 2, 0.2, {"loss": 0.7}),
        ...     LogRecord("eval", "EpochCompleted", 1, 2, 0.3, {"loss": 0.8, "accuracy": 0.5}),
        ... ]
        >>> [(p.name, [(s.tag, s.iterations) for s in p.series]) for p in panels(records)]
        [('loss', [('train', (1, 2)), ('eval', (2,))]), ('accuracy', [('eval', (2,))])]
    """
    present = list(dict.fromkeys(name for record in records for name in record.values))
    if names is None:
        names = present
    missing = [name for name in names if name not in present]
    if missing:
        raise ValueError(f"no record of the log has the values {missing}; it has {present}")
    return tuple(Panel(name, _series(records, name)) for name in names)


def _series(records: Sequence[LogRecord], name: str) -> tuple[Series, ...]:
    points: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for record in records:
        if name in record.values:
            points.setdefault((record.tag, record.event), []).append(
                (record.iteration, record.values[name])
            )
    return tuple(
        Series(tag, event, tuple(i for i, _ in kept), tuple(v for _, v in kept))
        for (tag, event), kept in points.items()
    )
