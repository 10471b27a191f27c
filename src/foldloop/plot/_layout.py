"""Where the timeline's marks go: a pure function of a trace, so it is tested without drawing.

The x axis is the event's position in the run (0 for the first event), so no two events share
a place; one row per event kind, in the order of the loop, then one row per listener.
"""

from __future__ import annotations

import attrs

from foldloop.core import (
    Completed,
    DataExhausted,
    EpochCompleted,
    EpochStarted,
    EpochTerminated,
    Event,
    ExceptionRaised,
    Interrupted,
    Terminated,
)
from foldloop.core._events import RUN_ORDER  # the loop's own order of kinds

from ._trace import Trace

# The kinds a run fires only when something special happens; shown only when they fired.
RARE_KINDS: tuple[type[Event], ...] = (
    Terminated,
    EpochTerminated,
    DataExhausted,
    ExceptionRaised,
    Interrupted,
)
_RUN_ENDS = frozenset({Completed, Terminated})


@attrs.frozen
class Row:
    """One row of the timeline: its label, and the positions (in the trace) of its marks.

    ``listener`` is the index of the listener the row shows, None for an event kind's row.

    Example:
        >>> Row("Started", (0,), listener=None)
        Row(label='Started', at=(0,), listener=None)
    """

    label: str
    at: tuple[int, ...]
    listener: int | None


@attrs.frozen
class Span:
    """The positions ``first`` to ``last`` (both included) of ``epoch``'s events.

    Example:
        >>> Span(epoch=1, first=1, last=11)
        Span(epoch=1, first=1, last=11)
    """

    epoch: int
    first: int
    last: int


@attrs.frozen
class Layout:
    """The timeline of a trace: event rows, then listener rows, and the epochs' spans.

    Example:
        >>> timeline_layout(Trace(events=(), listeners=()))
        Layout(rows=(), epochs=(), length=0)
    """

    rows: tuple[Row, ...]
    epochs: tuple[Span, ...]
    length: int


def timeline_layout(trace: Trace) -> Layout:
    """Which marks go where on the timeline of ``trace``.

    A kind's row has a mark at every event of that kind. The main kinds always have a row,
    the rare ones (``Terminated``, ``DataExhausted``, ...) and custom kinds only when they
    fired (custom kinds after the built-in ones, in order of first appearance). A listener's
    row has a mark at every event where it fired.

    Example:
        >>> from foldloop import IterationCompleted, Loop, every, on
        >>> from foldloop.plot import record
        >>> loop: Loop[int, int] = Loop(lambda state, batch: state)
        >>> _ = loop.tap(on(IterationCompleted, every(2)), lambda: None)
        >>> layout = timeline_layout(record(loop, 0, [1, 2, 3, 4]))
        >>> for row in layout.rows[4:]:
        ...     print(f"{row.label}: {row.at}")
        IterationStarted: (4, 8, 12, 16)
        IterationCompleted: (5, 9, 13, 17)
        EpochCompleted: (18,)
        Completed: (19,)
        tap <lambda> on(IterationCompleted, every(2)): (9, 17)
    """
    if not trace.events:
        return Layout((), (), 0)
    kinds = trace.kinds()
    rows = [_kind_row(kind, kinds) for kind in _row_kinds(kinds)]
    rows += [
        Row(
            _listener_label(trace, i),
            tuple(p for p, e in enumerate(trace.events) if i in e.fired),
            i,
        )
        for i in range(len(trace.listeners))
    ]
    return Layout(tuple(rows), epoch_spans(kinds, trace), len(kinds))


def epoch_spans(kinds: tuple[type[Event], ...], trace: Trace) -> tuple[Span, ...]:
    """Each epoch's positions: from its ``EpochStarted`` to its ``EpochCompleted``, or, for an
    epoch cut short, to its last event before the next epoch or the end of the run.

    Example:
        >>> from foldloop import Loop
        >>> from foldloop.plot import record
        >>> trace = record(Loop(lambda state, batch: state), 0, [1], max_epochs=2)
        >>> epoch_spans(trace.kinds(), trace)
        (Span(epoch=1, first=1, last=6), Span(epoch=2, first=7, last=13))
    """
    starts = [p for p, kind in enumerate(kinds) if kind is EpochStarted]
    spans = []
    for n, first in enumerate(starts):
        limit = starts[n + 1] if n + 1 < len(starts) else len(kinds)
        last = first
        for p in range(first, limit):
            if kinds[p] in _RUN_ENDS:
                break
            last = p
            if kinds[p] is EpochCompleted:
                break
        spans.append(Span(trace.events[first].epoch, first, last))
    return tuple(spans)


def _row_kinds(kinds: tuple[type[Event], ...]) -> list[type[Event]]:
    present = dict.fromkeys(kinds)
    custom = [kind for kind in present if kind not in RUN_ORDER and kind not in RARE_KINDS]
    return [*RUN_ORDER, *(kind for kind in RARE_KINDS if kind in present), *custom]


def _kind_row(kind: type[Event], kinds: tuple[type[Event], ...]) -> Row:
    return Row(kind.__name__, tuple(p for p, k in enumerate(kinds) if k is kind), None)


def _listener_label(trace: Trace, index: int) -> str:
    listener = trace.listeners[index]
    name = listener.name.rsplit("<locals>.", 1)[-1]
    what = "tap" if listener.is_tap else "handler"
    return f"{what} {name} {listener.trigger!r}"
